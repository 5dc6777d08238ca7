//! Unit tests of the runbook: the numbers in the checks, the order of the steps, and what each
//! platform puts where.

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
        quality: Quality {
            lower_bound_waves: 0,
            lower_bound_minutes: 0,
            optimal: false,
            proof: "none",
            solver: "none",
            solve_seconds: 0.0,
        },
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

#[test]
fn quorum_budget_and_capacity_checks_carry_the_models_numbers() {
    let cluster = cluster("generic");
    let book = build(&cluster, &plan(&cluster, &[&["manager"], &["h1"], &["h2", "h3"]]));
    let w2 = &book.waves[1];
    let etcd = check(w2, CheckKind::Quorum, "etcd");
    assert!(
        etcd.expect
            .starts_with("2 of 3 votes stay up during this wave (quorum 2, a strict majority)"),
        "{}",
        etcd.expect
    );
    assert!(etcd.expect.contains("goes down: h1"), "{}", etcd.expect);
    let db = check(w2, CheckKind::Budget, "db");
    // pinned goes down with h1, db-1 live-migrates: 2 of 3 up, max_unavailable 1.
    assert!(
        db.expect
            .starts_with("2 of 3 members stay up during this wave (max_unavailable 1: at least 2 up)"),
        "{}",
        db.expect
    );
    assert!(
        db.expect.contains("live-migrates and stays up: db-1"),
        "{}",
        db.expect
    );
    // h1 moves db-1 (4 cores) and web (2.5); the reserve is the largest ready host's usable 90
    // cores; h2, h3 and h5 have 36 - 4, 36 and 90 free.
    let cpu = check(w2, CheckKind::Capacity, "cpu");
    assert_eq!(
        cpu.expect,
        "at least 96.5 cores of cpu free on the 3 hosts that stay up: 6.5 cores to evacuate + 90 \
         cores HA reserve; declared free: 158 cores, after 10% headroom"
    );
    let memory = check(w2, CheckKind::Capacity, "memory");
    assert!(
        memory.expect.starts_with("at least 940 GiB of memory free"),
        "{}",
        memory.expect
    );
    let domains = check(w2, CheckKind::FaultDomains, "fault domains");
    assert!(
        domains
            .expect
            .starts_with("down during this wave: rack-a and h4 (2 of 4, no limit)"),
        "{}",
        domains.expect
    );
    // Two hosts down in the last wave: etcd keeps 1 of 3, which the check states as is.
    let w3 = &book.waves[2];
    assert!(
        check(w3, CheckKind::Quorum, "etcd")
            .expect
            .starts_with("1 of 3 votes")
    );
    assert!(
        check(w3, CheckKind::Quorum, "etcd")
            .expect
            .contains("goes down: h2 and h3"),
    );
}

#[test]
fn declared_state_comes_first_in_wave_one_and_for_the_waves_hosts_later() {
    let cluster = cluster("generic");
    let book = build(&cluster, &plan(&cluster, &[&["manager"], &["h1"], &["h2", "h3"]]));
    let w1 = &book.waves[0];
    assert_eq!(w1.pre_checks[0].kind, CheckKind::Version);
    assert_eq!(w1.pre_checks[0].subject, "h1, h2, h3, h5");
    assert_eq!(w1.pre_checks[0].expect, "run 1.0, as declared: h1, h2, h3 and h5");
    assert_eq!(w1.pre_checks[1].kind, CheckKind::HostState);
    let h4 = check(w1, CheckKind::Unavailable, "h4");
    assert!(h4.expect.starts_with("down, as declared"), "{}", h4.expect);
    // Wave 1 checks every quorum group's members, touched or not.
    assert!(
        check(w1, CheckKind::Members, "etcd")
            .expect
            .contains("3 of 3 votes")
    );
    let w3 = &book.waves[2];
    assert_eq!(w3.pre_checks[0].kind, CheckKind::PreviousWave);
    assert_eq!(w3.pre_checks[0].subject, "h1");
    assert!(
        w3.pre_checks[0].expect.contains("runs 2.0"),
        "{}",
        w3.pre_checks[0].expect
    );
    assert_eq!(
        check(w3, CheckKind::Version, "h2, h3").expect,
        "run 1.0, as declared: h2 and h3"
    );
    assert!(w3.pre_checks.iter().all(|c| c.kind != CheckKind::Unavailable));
}

#[test]
fn ids_are_numbered_per_wave_and_phase() {
    let cluster = cluster("vsan");
    let book = build(&cluster, &plan(&cluster, &[&["manager"], &["h1"]]));
    for wave in &book.waves {
        let n = wave.index;
        for (k, c) in wave.pre_checks.iter().enumerate() {
            assert_eq!(c.id, format!("W{n}.PRE.{}", k + 1));
        }
        for (k, s) in wave.steps.iter().enumerate() {
            assert_eq!(s.id, format!("W{n}.S{}", k + 1));
        }
        for (k, c) in wave.post_checks.iter().enumerate() {
            assert_eq!(c.id, format!("W{n}.POST.{}", k + 1));
        }
    }
}

#[test]
fn a_component_wave_is_one_upgrade_step() {
    let cluster = cluster("vsphere");
    let book = build(&cluster, &plan(&cluster, &[&["manager"], &["h1"]]));
    let w1 = &book.waves[0];
    assert_eq!(w1.steps.len(), 1);
    assert_eq!(
        (w1.steps[0].action, w1.steps[0].target.as_str()),
        (Action::Upgrade, "manager")
    );
    assert_eq!(
        check(w1, CheckKind::Version, "manager").expect,
        "manager is up and runs 1.0, as declared"
    );
    assert!(
        w1.rollback.contains("no workload has to move back"),
        "{}",
        w1.rollback
    );
}

#[test]
fn steps_move_first_then_maintenance_upgrade_reboot_and_back() {
    for platform in [
        "vsphere",
        "vsan",
        "nutanix",
        "proxmox",
        "hyperv",
        "openstack",
        "kubernetes",
        "ceph",
        "generic",
    ] {
        let cluster = cluster(platform);
        let book = build(&cluster, &plan(&cluster, &[&["h1"], &["manager"]]));
        let w1 = &book.waves[0];
        let first_upgrade = position(w1, Action::Upgrade, "h1");
        for s in w1.steps.iter().filter(|s| s.action == Action::Migrate) {
            let index = w1.steps.iter().position(|x| x == s).expect("present");
            assert!(index < first_upgrade, "{platform}: {} after the upgrade", s.id);
        }
        let enter = w1
            .steps
            .iter()
            .position(|s| matches!(s.action, Action::EnterMaintenance | Action::Drain) && s.target == "h1")
            .expect("into maintenance");
        let exit = w1
            .steps
            .iter()
            .position(|s| matches!(s.action, Action::ExitMaintenance | Action::Uncordon) && s.target == "h1")
            .expect("out of maintenance");
        assert!(enter < first_upgrade, "{platform}");
        assert!(first_upgrade < position(w1, Action::Reboot, "h1"), "{platform}");
        assert!(position(w1, Action::Reboot, "h1") < exit, "{platform}");
        let migrated: Vec<&str> = w1
            .steps
            .iter()
            .filter(|s| s.action == Action::Migrate)
            .map(|s| s.target.as_str())
            .collect();
        assert_eq!(migrated, ["db-1", "web"], "{platform}");
        for s in w1.steps.iter().filter(|s| s.action == Action::MigrateBack) {
            assert!(
                w1.steps.iter().position(|x| x == s).expect("present") > exit,
                "{platform}"
            );
        }
        if platform == "ceph" {
            assert_eq!(w1.steps.first().map(|s| s.action), Some(Action::SetNoout));
            assert_eq!(w1.steps.last().map(|s| s.action), Some(Action::UnsetNoout));
        }
        if platform == "generic" {
            assert!(w1.steps.iter().all(|s| s.command.is_none()));
            assert!(
                w1.pre_checks
                    .iter()
                    .chain(&w1.post_checks)
                    .all(|c| c.command.is_none())
            );
        } else {
            assert!(w1.steps.iter().any(|s| s.command.is_some()), "{platform}");
        }
    }
}

#[test]
fn kubernetes_cordons_every_node_before_draining_and_checks_pods_after() {
    let cluster = cluster("kubernetes");
    let book = build(&cluster, &plan(&cluster, &[&["h2", "h3"], &["h1"], &["manager"]]));
    let w1 = &book.waves[0];
    let actions: Vec<(&str, &str)> = w1
        .steps
        .iter()
        .map(|s| (s.action.name(), s.target.as_str()))
        .collect();
    assert_eq!(
        &actions[..5],
        [
            ("cordon", "h2"),
            ("cordon", "h3"),
            ("drain", "h2"),
            ("drain", "h3"),
            ("migrate", "db-2")
        ]
    );
    assert_eq!(
        w1.steps[2].command.as_deref(),
        Some("kubectl drain --ignore-daemonsets --delete-emptydir-data --timeout=15m 'h2'")
    );
    assert!(w1.steps.iter().all(|s| s.action != Action::MigrateBack));
}

#[test]
fn post_checks_verify_versions_rejoin_quorum_and_policies() {
    let cluster = cluster("vsan");
    let book = build(&cluster, &plan(&cluster, &[&["h1"], &["manager"]]));
    let w1 = &book.waves[0];
    assert_eq!(check(w1, CheckKind::Version, "h1").expect, "h1 runs 2.0");
    assert_eq!(
        check(w1, CheckKind::Version, "h1").command.as_deref(),
        Some("govc host.esxcli -host 'h1' system version get")
    );
    assert!(check(w1, CheckKind::Rejoined, "h1").expect.contains("rejoined"));
    let etcd = w1
        .post_checks
        .iter()
        .find(|c| c.kind == CheckKind::Quorum)
        .expect("quorum restored");
    assert!(
        etcd.expect
            .starts_with("quorum restored: every member up again, 3 of 3 votes"),
        "{}",
        etcd.expect
    );
    let rules = check(w1, CheckKind::Policy, "anti-affinity");
    assert_eq!(
        rules.command.as_deref(),
        Some("govc cluster.rule.ls -cluster 'lab' -l")
    );
    assert!(rules.expect.contains("db-apart"));
    assert!(w1.post_checks.iter().any(|c| c.subject == "storage policies"));
    assert!(
        w1.rollback.contains("govc host.maintenance.exit 'h1'"),
        "{}",
        w1.rollback
    );
}

#[test]
fn hyperv_commands_are_powershell_quoted() {
    let mut cluster = cluster("hyperv");
    cluster.hosts[1].name = "h'2".into();
    let moved = plan(&cluster, &[&["h1"]]);
    let book = build(&cluster, &moved);
    let step = book.waves[0]
        .steps
        .iter()
        .find(|s| s.action == Action::Migrate && s.target == "db-1")
        .expect("db-1 moves");
    let to = cluster.host(moved.waves[0].moves[0].to).name.clone();
    assert_eq!(
        step.command.as_deref(),
        Some(
            format!(
                "Move-ClusterVirtualMachineRole -Name 'db-1' -Node {} -MigrationType Live",
                quote::ps(&to)
            )
            .as_str()
        )
    );
    assert!(platform::for_cluster(&cluster).shell() == platform::Shell::PowerShell);
}

#[test]
fn checks_carry_their_expectation_as_data_whatever_the_platform() {
    use super::expect::Expectation;
    let cluster = cluster("generic");
    let book = build(&cluster, &plan(&cluster, &[&["manager"], &["h1"], &["h2", "h3"]]));
    let w1 = &book.waves[0];
    // Wave 1: every host but the declared-down h4 up; h4 unavailable; the component's version.
    let state = check(w1, CheckKind::HostState, "h1, h2, h3, h5");
    assert_eq!(
        state.expectation,
        Some(Expectation::ClusterUp {
            except: vec!["h4".into()]
        })
    );
    assert_eq!(
        check(w1, CheckKind::Unavailable, "h4").expectation,
        Some(Expectation::Unavailable { host: "h4".into() })
    );
    assert_eq!(
        check(w1, CheckKind::Version, "manager").expectation,
        Some(Expectation::ComponentVersion {
            component: "manager".into(),
            version: "1.0".into()
        })
    );
    let w2 = &book.waves[1];
    // Quorum before the wave: all three members present now; the budget allows a disruption.
    assert_eq!(
        check(w2, CheckKind::Quorum, "etcd").expectation,
        Some(Expectation::Votes {
            group: "etcd".into(),
            hosts: vec!["h1".into(), "h2".into(), "h3".into()],
            workloads: vec![],
            needed: 3
        })
    );
    assert_eq!(
        check(w2, CheckKind::Budget, "db").expectation,
        Some(Expectation::Budget {
            name: "db".into(),
            workloads: vec!["db-1".into(), "db-2".into(), "pinned".into()],
            healthy: 3,
            disruptions: 1
        })
    );
    // After it: h1 at its target and back; the budget healthy again, no disruption needed.
    let version = w2
        .post_checks
        .iter()
        .find(|c| c.kind == CheckKind::Version && c.subject == "h1")
        .expect("a version post-check");
    assert_eq!(
        version.expectation,
        Some(Expectation::Version {
            hosts: vec!["h1".into()],
            version: "2.0".into()
        })
    );
    let post_budget = w2
        .post_checks
        .iter()
        .find(|c| c.kind == CheckKind::Budget)
        .expect("a budget post-check");
    assert!(matches!(
        post_budget.expectation,
        Some(Expectation::Budget {
            disruptions: 0,
            healthy: 3,
            ..
        })
    ));
    // The generic platform has no tool: expectations, but no asserts.
    assert!(
        book.waves
            .iter()
            .flat_map(|w| w.pre_checks.iter().chain(&w.post_checks))
            .all(|c| c.assert.is_none())
    );
    // Wave 3 starts from wave 2: h1 back, at its target.
    assert_eq!(
        check(&book.waves[2], CheckKind::PreviousWave, "h1").expectation,
        Some(Expectation::All(vec![
            Expectation::HostsUp {
                hosts: vec!["h1".into()]
            },
            Expectation::Version {
                hosts: vec!["h1".into()],
                version: "2.0".into()
            }
        ]))
    );
}
