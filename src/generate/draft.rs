//! A cluster being drawn: hosts, workloads placed on them, groups, and the TOML text at the end.
//!
//! Every group is placed so that the description is valid and the cluster at rest obeys its own
//! rules: members of a group sit on distinct hosts (or fault domains), every host stays within
//! [`LOAD_LIMIT`] of its capacity, and a group that cannot be placed so is left out rather than
//! written broken.

use std::fmt::Write as _;

use super::trace::SplitMix64 as Rng;

/// The share of a host's capacity its workloads may use at rest: below the 10% headroom the
/// generated policies keep, so that every host is within its usable capacity before the plan.
pub(crate) const LOAD_LIMIT: f64 = 0.85;

/// Cpu, memory and storage, in thousandths (of a core or a GiB).
pub(crate) type Amounts = [u64; 3];

#[derive(Debug)]
pub(crate) struct Host {
    pub name: String,
    pub domain: Option<usize>,
    pub capacity: Amounts,
    pub load: Amounts,
    /// Takes no workloads (a control-plane node with its taint).
    pub tainted: bool,
    pub minutes: Option<u32>,
}

#[derive(Debug)]
pub(crate) struct Workload {
    pub name: String,
    pub host: usize,
    pub demand: Amounts,
    pub migration: &'static str,
}

#[derive(Debug)]
pub(crate) struct Group {
    pub table: &'static str,
    pub name: String,
    /// The key naming the members: `members` or `workloads`.
    pub key: &'static str,
    pub members: Vec<String>,
    /// Further `key = value` lines, values already in TOML.
    pub extra: Vec<(&'static str, String)>,
}

/// The whole cluster, in the order it is written.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub header: Vec<(&'static str, Vec<(&'static str, String)>)>,
    pub sites: Vec<String>,
    /// Fault domains: name and site.
    pub domains: Vec<(String, Option<usize>)>,
    pub hosts: Vec<Host>,
    /// Components: name, upgrade minutes, exclusive.
    pub components: Vec<(String, u32, bool)>,
    pub workloads: Vec<Workload>,
    pub groups: Vec<Group>,
    /// Order rules: before, after.
    pub orders: Vec<(Vec<String>, Vec<String>)>,
    pub storage: bool,
}

impl Draft {
    /// Whether `demand` fits on `host` within [`LOAD_LIMIT`].
    pub fn fits(&self, host: usize, demand: &Amounts) -> bool {
        let h = &self.hosts[host];
        !h.tainted && (0..3).all(|r| (h.load[r] + demand[r]) as f64 <= h.capacity[r] as f64 * LOAD_LIMIT)
    }

    /// Puts a workload on `host`.
    pub fn put(&mut self, name: String, host: usize, demand: Amounts, migration: &'static str) {
        for (load, d) in self.hosts[host].load.iter_mut().zip(demand) {
            *load += d;
        }
        self.workloads.push(Workload {
            name,
            host,
            demand,
            migration,
        });
    }

    /// Places one workload on the first host it fits on, from a random host, trying at most 64;
    /// `None` when none of them has room.
    pub fn place(
        &mut self,
        rng: &mut Rng,
        name: String,
        demand: Amounts,
        migration: &'static str,
    ) -> Option<usize> {
        let n = self.hosts.len();
        let start = rng.below(n);
        let host = (0..n.min(64))
            .map(|k| (start + k) % n)
            .find(|&h| self.fits(h, &demand))?;
        self.put(name, host, demand, migration);
        Some(host)
    }

    /// Places the members of a replicated application, one per host and, when `by_domain`, one
    /// per fault domain: each on the least loaded host of a randomly chosen place that has room.
    /// Returns the members' names, or `None` (nothing placed) when there are not enough places.
    pub fn place_apart(
        &mut self,
        rng: &mut Rng,
        names: Vec<String>,
        demand: Amounts,
        migration: &'static str,
        by_domain: bool,
    ) -> Option<Vec<String>> {
        let place_of = |h: usize| {
            if by_domain {
                self.hosts[h].domain.unwrap_or(usize::MAX - h)
            } else {
                h
            }
        };
        let mut candidates: Vec<usize> = (0..self.hosts.len()).filter(|&h| self.fits(h, &demand)).collect();
        rng.shuffle(&mut candidates);
        let mut chosen: Vec<usize> = Vec::new();
        for h in candidates {
            if chosen.len() == names.len() {
                break;
            }
            if chosen.iter().all(|&c| place_of(c) != place_of(h)) {
                chosen.push(h);
            }
        }
        if chosen.len() < names.len() {
            return None;
        }
        for (name, &host) in names.iter().zip(&chosen) {
            self.put(name.clone(), host, demand, migration);
        }
        Some(names)
    }

    /// The description as TOML text.
    pub fn to_toml(&self) -> String {
        let mut t = Text::default();
        for (table, lines) in &self.header {
            let _ = writeln!(t.0, "[{table}]");
            for (key, value) in lines {
                let _ = writeln!(t.0, "{key} = {value}");
            }
            t.0.push('\n');
        }
        for site in &self.sites {
            t.table("site", &[("name", quote(site))]);
        }
        for (name, site) in &self.domains {
            let mut lines = vec![("name", quote(name))];
            if let Some(s) = site {
                lines.push(("site", quote(&self.sites[*s])));
            }
            t.table("fault_domain", &lines);
        }
        for h in &self.hosts {
            let mut lines = vec![("name", quote(&h.name))];
            if let Some(d) = h.domain {
                lines.push(("fault_domain", quote(&self.domains[d].0)));
            }
            lines.push(("cpu", milli(h.capacity[0])));
            lines.push(("memory_gib", milli(h.capacity[1])));
            if self.storage {
                lines.push(("storage_gib", milli(h.capacity[2])));
            }
            if let Some(m) = h.minutes {
                lines.push(("upgrade_minutes", m.to_string()));
            }
            t.table("host", &lines);
        }
        for (name, minutes, exclusive) in &self.components {
            let mut lines = vec![("name", quote(name)), ("upgrade_minutes", minutes.to_string())];
            if !exclusive {
                lines.push(("exclusive", "false".to_string()));
            }
            t.table("component", &lines);
        }
        for w in &self.workloads {
            let mut lines = vec![
                ("name", quote(&w.name)),
                ("host", quote(&self.hosts[w.host].name)),
                ("cpu", milli(w.demand[0])),
                ("memory_gib", milli(w.demand[1])),
            ];
            if self.storage && w.demand[2] > 0 {
                lines.push(("storage_gib", milli(w.demand[2])));
            }
            if w.migration != "live" {
                lines.push(("migration", quote(w.migration)));
            }
            t.table("workload", &lines);
        }
        for g in &self.groups {
            let mut lines = vec![("name", quote(&g.name)), (g.key, list(&g.members))];
            lines.extend(g.extra.iter().map(|(k, v)| (*k, v.clone())));
            t.table(g.table, &lines);
        }
        for (before, after) in &self.orders {
            t.table("order", &[("before", list(before)), ("after", list(after))]);
        }
        t.0
    }
}

#[derive(Default)]
struct Text(String);

impl Text {
    fn table(&mut self, name: &str, lines: &[(&str, String)]) {
        let _ = writeln!(self.0, "[[{name}]]");
        for (key, value) in lines {
            let _ = writeln!(self.0, "{key} = {value}");
        }
        self.0.push('\n');
    }
}

/// A TOML string, quoted by the toml crate's own encoder.
pub(crate) fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML array of strings.
fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A fixed-point amount in thousandths, written as an exact decimal.
fn milli(value: u64) -> String {
    let (whole, frac) = (value / 1000, value % 1000);
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:03}").trim_end_matches('0'))
    }
}
