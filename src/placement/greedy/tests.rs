//! The greedy wave against the validator and the exact search, on small clusters where every
//! order of adding hosts can be tried.

use super::*;
use crate::model::ItemId;
use crate::placement::{Placement, place};
use crate::plan::{Plan, Quality, Wave};
use crate::source::Source;
use crate::validate::{PlanInput, validate};

fn cluster(text: &str) -> Cluster {
    match crate::load(&Source::new("t.toml", text)) {
        Ok(loaded) => loaded.cluster,
        Err(errors) => panic!("test cluster has input errors: {errors:?}"),
    }
}

/// Six hosts in three racks, one without storage tracked; workloads of every migration, a
/// pinned one, mandatory anti-affinity by host and by rack, a "should" group; the policy varies.
fn six_hosts(policy: &str) -> Cluster {
    let mut text = format!("[cluster]\nname = \"g\"\n\n[policy]\nheadroom_percent = 10\n{policy}\n");
    for rack in ["r1", "r2", "r3"] {
        text.push_str(&format!("\n[[fault_domain]]\nname = \"{rack}\"\n"));
    }
    for (h, rack, storage) in [
        ("h1", "r1", "storage_gib = 100\n"),
        ("h2", "r1", "storage_gib = 100\n"),
        ("h3", "r2", "storage_gib = 100\n"),
        ("h4", "r2", ""),
        ("h5", "r3", "storage_gib = 100\n"),
        ("h6", "r3", "storage_gib = 100\n"),
    ] {
        text.push_str(&format!(
            "\n[[host]]\nname = \"{h}\"\nfault_domain = \"{rack}\"\ncpu = 10\nmemory_gib = 100\n{storage}"
        ));
    }
    let workloads = [
        ("a1", "h1", 3, 40, 30, "live", ""),
        ("a2", "h1", 1, 10, 0, "restart", ""),
        ("a3", "h1", 1, 10, 0, "none", ""),
        ("b1", "h2", 2, 30, 20, "live", ""),
        (
            "b2",
            "h2",
            1,
            20,
            0,
            "live",
            "allowed_hosts = [\"h2\", \"h5\", \"h6\"]\n",
        ),
        ("c1", "h3", 2, 50, 40, "live", ""),
        ("d1", "h4", 1, 20, 60, "restart", ""),
        ("e1", "h5", 2, 30, 10, "live", ""),
        ("f1", "h6", 1, 10, 10, "live", ""),
        ("f2", "h6", 1, 30, 0, "live", ""),
    ];
    for (name, host, cpu, mem, storage, migration, extra) in workloads {
        text.push_str(&format!(
            "\n[[workload]]\nname = \"{name}\"\nhost = \"{host}\"\ncpu = {cpu}\nmemory_gib = {mem}\nstorage_gib = {storage}\nmigration = \"{migration}\"\n{extra}"
        ));
    }
    text.push_str(
        r#"
[[anti_affinity]]
name = "by-host"
workloads = ["a1", "b1", "e1"]

[[anti_affinity]]
name = "by-rack"
workloads = ["c1", "f1"]
scope = "fault_domain"

[[anti_affinity]]
name = "should"
workloads = ["a2", "d1", "f2"]
mandatory = false
"#,
    );
    cluster(&text)
}

const POLICIES: [&str; 4] = [
    "",
    "reserve_host_failures = 1\n",
    "cpu_overcommit = 0.5\n",
    "reserve_host_failures = 2\n",
];

/// The wave as a whole plan: the wave first, with its moves; then every other ready host alone,
/// without moves. Only the first wave's violations are returned.
fn first_wave_violations(cluster: &Cluster, wave: &GreedyWave<'_, '_>) -> Vec<String> {
    let hosts: Vec<HostId> = wave.hosts().collect();
    let mut first = Wave::new(hosts.iter().map(|&h| ItemId::Host(h)).collect());
    first.moves = wave.moves();
    let mut waves = vec![first];
    for h in cluster.upgraded_hosts().filter(|h| !hosts.contains(h)) {
        waves.push(Wave::new(vec![ItemId::Host(h)]));
    }
    let plan = Plan {
        waves,
        quality: Quality::unclaimed(),
        warnings: Vec::new(),
    };
    validate(cluster, &PlanInput::from_plan(cluster, &plan))
        .violations
        .iter()
        .filter(|v| v.wave == Some(1))
        .map(|v| format!("{} {}: {}", v.code.as_str(), v.subject, v.message))
        .collect()
}

/// Every subset of the six hosts, added in host order and in reverse, under four policies: each
/// host the greedy wave takes leaves a placement the validator accepts (and that the exact search
/// does not call impossible), and one it refuses leaves the wave exactly as it was.
#[test]
fn every_wave_it_builds_passes_the_validator_and_a_refusal_changes_nothing() {
    for policy in POLICIES {
        let cluster = six_hosts(policy);
        let evacuator = Evacuator::new(&cluster);
        let hosts: Vec<HostId> = cluster.upgraded_hosts().collect();
        let mut accepted = 0;
        for set in 1..(1u32 << hosts.len()) {
            for reverse in [false, true] {
                let mut chosen: Vec<HostId> = (0..hosts.len())
                    .filter(|&i| set & (1 << i) != 0)
                    .map(|i| hosts[i])
                    .collect();
                if reverse {
                    chosen.reverse();
                }
                let mut wave = evacuator.wave();
                for &h in &chosen {
                    let before = (wave.moves(), wave.hosts().collect::<Vec<_>>(), wave.pool);
                    if wave.try_add(h) {
                        accepted += 1;
                        let down: Vec<HostId> = wave.hosts().collect();
                        assert!(
                            !matches!(place(&cluster, &down, 1_000_000), Placement::Impossible(_)),
                            "{policy}: greedy placed {down:?}, which the exact search proves impossible"
                        );
                    } else {
                        let after = (wave.moves(), wave.hosts().collect::<Vec<_>>(), wave.pool);
                        assert_eq!(before, after, "{policy}: refusing {h:?} changed the wave");
                    }
                    let violations = first_wave_violations(&cluster, &wave);
                    assert!(
                        violations.is_empty(),
                        "{policy}: wave {:?}: {violations:#?}",
                        wave.hosts().collect::<Vec<_>>()
                    );
                }
            }
        }
        assert!(
            accepted > 20,
            "{policy}: only {accepted} hosts taken: the test proves little"
        );
    }
}

/// `pop` takes the last host out again: the moves are those from before it was added.
#[test]
fn pop_restores_the_wave() {
    let cluster = six_hosts("");
    let evacuator = Evacuator::new(&cluster);
    let hosts: Vec<HostId> = cluster.upgraded_hosts().collect();
    let mut wave = evacuator.wave();
    assert!(wave.try_add(hosts[0]));
    let one = wave.moves();
    assert!(!one.is_empty());
    assert!(wave.try_add(hosts[2]));
    assert_ne!(wave.moves(), one);
    wave.pop();
    assert_eq!(wave.moves(), one);
    assert_eq!(wave.hosts().collect::<Vec<_>>(), vec![hosts[0]]);
    wave.pop();
    assert!(wave.moves().is_empty());
    assert_eq!(wave.pool, evacuator.pool);
}

/// A workload moved onto a host that then joins the wave moves again, and the "should" group
/// it shares a host with is reported as `place` reports it.
#[test]
fn a_host_that_received_workloads_sends_them_on_when_it_goes_down() {
    let cluster = six_hosts("");
    let evacuator = Evacuator::new(&cluster);
    let id = |name: &str| cluster.names.hosts[name];
    let mut wave = evacuator.wave();
    assert!(wave.try_add(id("h1")));
    let receivers: Vec<HostId> = wave.moves().iter().map(|m| m.to).collect();
    for h in receivers {
        if wave.try_add(h) {
            assert!(wave.moves().iter().all(|m| m.to != h), "{:?}", wave.moves());
        }
    }
    assert!(first_wave_violations(&cluster, &wave).is_empty());
    let should = AntiAffinityId::from_index(2);
    let shared = {
        let group = &cluster.anti_affinity[2];
        let mut spots: Vec<HostId> = group.workloads.iter().map(|&w| wave.host_of(w)).collect();
        spots.sort_unstable();
        spots.windows(2).any(|p| p[0] == p[1])
    };
    assert_eq!(wave.broken_should().contains(&should), shared);
}
