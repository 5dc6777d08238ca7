//! The limits a description puts on what an export may hold, checked once for every platform.
//!
//! An importer must never write a description that `check` rejects, so whatever the format
//! itself forbids (empty names, control characters, two hosts of one name, quantities beyond
//! a billion, a quorum member that names a host and a workload at once) is refused here, as an
//! error about the exports, before any TOML is written.

use std::collections::HashSet;

use super::{LiveCluster, LiveError};

/// The largest quantity one key of a description may hold (`parse::fields::MAX_QUANTITY`).
const MAX_QUANTITY: f64 = 1e9;

/// Checks `live`, read from `file` (the first export, for the message).
pub fn check(live: &LiveCluster, file: &str) -> Result<(), LiveError> {
    let error = |at: String, message: String| LiveError {
        file: file.to_string(),
        at,
        message,
        help: "quorate cannot describe this cluster as exported; check the export, or write \
               this part of the description by hand"
            .to_string(),
    };
    // A description with no host has nothing to upgrade and does not load: an export that lists
    // none is a failed or filtered export (the wrong namespace, an empty list), not a cluster.
    if live.hosts.is_empty() {
        return Err(LiveError {
            file: file.to_string(),
            at: "$".to_string(),
            message: format!("the {} exports list no host", live.platform.name()),
            help: "check that the export ran against the right cluster and finished; the README \
                   gives the exact commands for each platform"
                .to_string(),
        });
    }
    let kinds: [(&str, Vec<&str>); 7] = [
        ("site", live.sites.iter().map(String::as_str).collect()),
        (
            "fault domain",
            live.fault_domains.iter().map(|f| f.name.as_str()).collect(),
        ),
        ("host", live.hosts.iter().map(|h| h.name.as_str()).collect()),
        (
            "workload",
            live.workloads.iter().map(|w| w.name.as_str()).collect(),
        ),
        (
            "quorum group",
            live.quorum_groups.iter().map(|g| g.name.as_str()).collect(),
        ),
        ("budget", live.budgets.iter().map(|b| b.name.as_str()).collect()),
        (
            "anti-affinity group",
            live.anti_affinity.iter().map(|a| a.name.as_str()).collect(),
        ),
    ];
    for (kind, names) in &kinds {
        let mut seen = HashSet::new();
        for name in names {
            if name.is_empty() || name.chars().any(char::is_control) {
                return Err(error(
                    format!("{kind} {name:?}"),
                    format!("a {kind} name must be non-empty and free of control characters"),
                ));
            }
            if !seen.insert(*name) {
                return Err(error(
                    format!("{kind} {name:?}"),
                    format!("two {kind}s are named {name:?}"),
                ));
            }
        }
    }
    let workloads: HashSet<&str> = kinds[3].1.iter().copied().collect();
    for group in &live.quorum_groups {
        for member in &group.members {
            let host = live.hosts.iter().any(|h| h.name == member.name);
            if host && workloads.contains(member.name.as_str()) {
                return Err(error(
                    format!("quorum group {:?}", group.name),
                    format!("member {:?} names both a host and a workload", member.name),
                ));
            }
        }
    }
    let quantities = live
        .hosts
        .iter()
        .flat_map(|h| {
            [Some(&h.cpu), Some(&h.memory_gib), h.storage_gib.as_ref()]
                .into_iter()
                .flatten()
                .map(move |f| (h.name.as_str(), f.value))
        })
        .chain(live.workloads.iter().flat_map(|w| {
            [Some(w.cpu), Some(w.memory_gib), w.storage_gib]
                .into_iter()
                .flatten()
                .map(move |v| (w.name.as_str(), v))
        }));
    for (name, value) in quantities {
        if !value.is_finite() || !(0.0..=MAX_QUANTITY).contains(&value) {
            return Err(error(
                format!("{name:?}"),
                format!("a capacity or size of {value} is outside 0 to a billion"),
            ));
        }
    }
    Ok(())
}
