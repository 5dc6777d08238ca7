//! The checks: the model's numbers, declared state first, ids, post-checks, and each
//! expectation carried as data.

use super::*;

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
