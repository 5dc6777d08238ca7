//! The sizes the generator draws from: node capacities and pod sizes of a public trace, and a
//! seeded random number generator.
//!
//! The trace is the Alibaba GPU cluster trace (2023): `openb_node_list_all_node.csv` (columns
//! `sn,cpu_milli,memory_mib,gpu,model`) and `openb_pod_list_default.csv` (columns
//! `name,cpu_milli,memory_mib,...`), as in `alibaba/clusterdata`, folder
//! `cluster-trace-gpu-v2023/csv` (see `../shared/data/SOURCES.md`). Columns are found by their
//! header name, so a reordered export still reads. The caller reads the files: the core never
//! touches the filesystem.

use std::fmt;

/// Node capacities and pod sizes, as (cpu in thousandths of a core, memory in MiB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// One entry per node of the node list.
    pub nodes: Vec<(u64, u64)>,
    /// One entry per pod of the pod list.
    pub pods: Vec<(u64, u64)>,
}

/// A trace file that cannot be used, with the line it fails on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}: {reason}")]
pub struct TraceError {
    /// Which list: the node list or the pod list.
    pub file: &'static str,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl Trace {
    /// The file names of the node and pod lists, inside the trace's folder.
    pub const FILES: [&'static str; 2] = ["openb_node_list_all_node.csv", "openb_pod_list_default.csv"];

    /// Reads the node list and the pod list (CSV text with a header line).
    pub fn parse(nodes: &str, pods: &str) -> Result<Trace, TraceError> {
        Ok(Trace {
            nodes: sizes(Trace::FILES[0], nodes)?,
            pods: sizes(Trace::FILES[1], pods)?,
        })
    }
}

/// The `cpu_milli` and `memory_mib` columns of every row, whole numbers (the pod list has a pod
/// that requests no memory).
fn sizes(file: &'static str, text: &str) -> Result<Vec<(u64, u64)>, TraceError> {
    let error = |line: usize, reason: String| TraceError { file, line, reason };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| error(1, format!("no `{name}` column in the header")))
    };
    let (cpu, memory) = (column("cpu_milli")?, column("memory_mib")?);
    let mut rows = Vec::new();
    for (n, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let number = |c: usize, name: &str| {
            fields
                .get(c)
                .and_then(|f| f.trim().parse::<u64>().ok())
                .ok_or_else(|| error(n + 2, format!("`{name}` is not a whole number")))
        };
        rows.push((number(cpu, "cpu_milli")?, number(memory, "memory_mib")?));
    }
    if rows.is_empty() {
        return Err(error(1, "no rows after the header".to_string()));
    }
    Ok(rows)
}

/// splitmix64 (Steele, Lea and Flood, 2014): tiny, fast and good enough to draw samples, and it
/// keeps the generator free of dependencies and stable across their versions.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0); the modulo bias is negligible for the small `n`
    /// drawn here.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

impl fmt::Debug for SplitMix64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SplitMix64")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_name_and_bad_rows_name_their_line() {
        let nodes = "sn,memory_mib,cpu_milli\nn0,1024,8000\n";
        let pods = "name,cpu_milli,memory_mib\np0,500,256\np1,x,256\n";
        let error = Trace::parse(nodes, "name,cpu_milli,memory_mib\np0,500,256\n").map(|t| t.nodes);
        assert_eq!(error, Ok(vec![(8000, 1024)]));
        let error = Trace::parse(nodes, pods).unwrap_err();
        assert_eq!((error.file, error.line), (Trace::FILES[1], 3));
        assert!(
            Trace::parse("sn,cpu\n", pods)
                .unwrap_err()
                .reason
                .contains("cpu_milli")
        );
    }
}
