//! Unit tests of the runbook: the numbers in the checks ([`checks`]), the order of the steps
//! and what each platform puts where ([`steps`]). This file holds the cluster and plans they share.

mod checks;
mod steps;

use super::*;
use crate::Source;
use crate::model::HostId;
use crate::placement::{DEFAULT_NODE_BUDGET, Placement, place};
use crate::plan::{Plan, Quality, Wave};

/// Three hosts in two racks, a big host and a down host of their own, an etcd-like group on the
/// rack hosts, a budget, a component, and 10% headroom with one host of reserve.
fn cluster(platform: &str) -> Cluster {
    let text = format!(
        r#"
[cluster]
name = "lab"
platform = "{platform}"

[policy]
headroom_percent = 10
reserve_host_failures = 1

[defaults]
target_version = "2.0"

[[fault_domain]]
name = "rack-a"

[[fault_domain]]
name = "rack-b"

[[host]]
name = "h1"
fault_domain = "rack-a"
cpu = 40
memory_gib = 400
version = "1.0"

[[host]]
name = "h2"
fault_domain = "rack-b"
cpu = 40
memory_gib = 400
version = "1.0"

[[host]]
name = "h3"
fault_domain = "rack-b"
cpu = 40
memory_gib = 400
version = "1.0"

[[host]]
name = "h4"
cpu = 40
memory_gib = 400
state = "down"

[[host]]
name = "h5"
cpu = 100
memory_gib = 1000
version = "1.0"

[[component]]
name = "manager"
version = "1.0"

[[workload]]
name = "db-1"
host = "h1"
cpu = 4
memory_gib = 32

[[workload]]
name = "db-2"
host = "h2"
cpu = 4
memory_gib = 32

[[workload]]
name = "web"
host = "h1"
cpu = 2.5
memory_gib = 8
migration = "restart"

[[workload]]
name = "pinned"
host = "h1"
cpu = 1
memory_gib = 1
migration = "none"

[[quorum_group]]
name = "etcd"
members = ["h1", "h2", "h3"]

[[disruption_budget]]
name = "db"
workloads = ["db-1", "db-2", "pinned"]
max_unavailable = 1

[[anti_affinity]]
name = "db-apart"
workloads = ["db-1", "db-2"]
"#
    );
    crate::load(&Source::new("lab.toml", text))
        .unwrap_or_else(|e| panic!("{:?}", e.errors().iter().map(|e| e.message()).collect::<Vec<_>>()))
        .cluster
}

/// A plan of the named waves, each placed with the exact placement search.
fn plan(cluster: &Cluster, waves: &[&[&str]]) -> Plan {
    let waves = waves
        .iter()
        .map(|names| {
            let mut wave = Wave::new(
                names
                    .iter()
                    .map(|n| cluster.find_item(n).expect("an item"))
                    .collect(),
            );
            let down: Vec<HostId> = wave.hosts().collect();
            match place(cluster, &down, DEFAULT_NODE_BUDGET) {
                Placement::Found { moves, .. } => wave.moves = moves,
                other => panic!("{names:?} cannot be placed: {other:?}"),
            }
            wave
        })
        .collect();
    Plan {
        waves,
        quality: Quality::unclaimed(),
        warnings: Vec::new(),
    }
}

fn check<'a>(wave: &'a WaveRunbook, kind: CheckKind, subject: &str) -> &'a Check {
    wave.pre_checks
        .iter()
        .chain(&wave.post_checks)
        .find(|c| c.kind == kind && c.subject == subject)
        .unwrap_or_else(|| panic!("no {} check on {subject}: {wave:#?}", kind.name()))
}

fn position(wave: &WaveRunbook, action: Action, target: &str) -> usize {
    wave.steps
        .iter()
        .position(|s| s.action == action && s.target == target)
        .unwrap_or_else(|| panic!("no {} step on {target}", action.name()))
}
