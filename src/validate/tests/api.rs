//! The public surface: codes, JSON, ordering, determinism, and plans made by the solver.

use super::*;
use crate::model::{HostId, ItemId, WorkloadId};
use crate::plan::{Move, Plan, Quality, Wave};
use crate::validate::ViolationCode;

#[test]
fn codes_are_the_contract_s() {
    let codes: Vec<&str> = ViolationCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "quorum_lost",
            "budget_exceeded",
            "fault_domain_limit",
            "site_limit",
            "capacity_exceeded",
            "reserve_exceeded",
            "anti_affinity_violated",
            "order_violated",
            "max_hosts_exceeded",
            "component_not_exclusive",
            "host_not_upgraded",
            "host_upgraded_twice",
            "unknown_item",
            "unavailable_host_in_plan",
            "move_invalid",
            "already_done",
        ]
    );
    for code in ViolationCode::ALL {
        assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
    }
}

/// A plan with violations of several codes across waves and plan-wide.
fn messy() -> (Cluster, PlanInput) {
    let c = four_hosts(
        "[policy]\nmax_hosts_per_wave = 2\n\n[[quorum_group]]\nname = \"etcd\"\nmembers = [\"h1\", \"h2\", \"h3\"]\n",
    );
    let p = plan(&[&["h3", "h1", "h2"], &["h5", "h1"]]);
    (c, p)
}

#[test]
fn a_plan_for_another_cluster_gets_that_one_violation() {
    let (c, mut p) = messy();
    p.cluster = Some(Named::new("prod"));
    expect(&c, &p, &[("unknown_item", None, "prod")]);
    let error = crate::validate::other_cluster(&c, &p).expect("an input error");
    assert_eq!(error.kind(), crate::ErrorKind::OtherCluster);
    assert!(
        error
            .help_text()
            .is_some_and(|h| h.contains("description of cluster `prod`"))
    );
    p.cluster = Some(Named::new(c.name.clone()));
    assert!(crate::validate::other_cluster(&c, &p).is_none());
    assert!(
        validate(&c, &p).violations.len() > 1,
        "the rules are checked again"
    );
}

#[test]
fn json_is_the_contract_s() {
    let (c, p) = messy();
    let v = validate(&c, &p);
    let json = v.to_json();
    assert_eq!(json["valid"], false);
    let first = &json["violations"][0];
    assert_eq!(first["code"], "host_not_upgraded");
    assert!(first["wave"].is_null());
    assert_eq!(first["subject"], "h4");
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["code", "help", "message", "subject", "wave"]);
    let waved = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "quorum_lost")
        .unwrap();
    assert_eq!(waved["wave"], 1);
    assert_eq!(
        validate(&c, &plan(&[&["h1"], &["h2"], &["h3", "h4"]])).to_json(),
        serde_json::json!({"valid": true, "violations": []})
    );
}

#[test]
fn violations_are_sorted_by_wave_then_code_then_subject() {
    let (c, p) = messy();
    expect(
        &c,
        &p,
        &[
            ("host_not_upgraded", None, "h4"),
            ("quorum_lost", Some(1), "etcd"),
            ("max_hosts_exceeded", Some(1), "max_hosts_per_wave"),
            ("host_upgraded_twice", Some(2), "h1"),
            ("unknown_item", Some(2), "h5"),
        ],
    );
}

#[test]
fn the_same_plan_gives_the_same_violations_twice() {
    let (c, p) = messy();
    let first = validate(&c, &p);
    let second = validate(&c, &p);
    assert_eq!(first, second);
    assert_eq!(first.to_json().to_string(), second.to_json().to_string());
    // A fresh load of the same text too.
    let (c2, _) = messy();
    assert_eq!(validate(&c2, &p), first);
}

#[test]
fn every_help_line_suggests_something() {
    let (c, p) = messy();
    for v in validate(&c, &p).violations {
        assert!(!v.help.is_empty(), "{} has no help", v.code);
        assert!(!v.message.is_empty(), "{} has no message", v.code);
    }
}

fn quality() -> Quality {
    Quality {
        lower_bound_waves: 1,
        lower_bound_minutes: 0,
        optimal: false,
        proof: "none",
        solver: "test",
        solve_seconds: 0.0,
    }
}

#[test]
fn a_solver_plan_is_checked_with_its_moves() {
    let c = four_hosts("[[workload]]\nname = \"w\"\nhost = \"h1\"\ncpu = 1\nmemory_gib = 1\n");
    let h = |i: usize| HostId::from_index(i);
    let w = WorkloadId::from_index(0);
    let mut first = Wave::new(vec![ItemId::Host(h(0))]);
    first.moves = vec![Move {
        workload: w,
        from: h(0),
        to: h(3),
    }];
    let rest = Wave::new(vec![ItemId::Host(h(1)), ItemId::Host(h(2)), ItemId::Host(h(3))]);
    let mut good = Plan {
        waves: vec![first, rest],
        quality: quality(),
        warnings: Vec::new(),
    };
    let input = PlanInput::from_plan(&c, &good);
    assert_eq!(input.cluster, Some(Named::new("t")));
    assert_eq!(input.waves[0].moves.as_ref().map(Vec::len), Some(1));
    expect_valid(&c, &input);
    // A move to a host that is down in the same wave is caught, not searched around.
    good.waves[0].moves[0].to = h(0);
    expect(
        &c,
        &PlanInput::from_plan(&c, &good),
        &[("move_invalid", Some(1), "w")],
    );
}

#[test]
fn the_solver_s_plans_pass() {
    use crate::solve::{Backend, NoClock, SolveOptions, solve};
    let clusters = [
        four_hosts("[[quorum_group]]\nname = \"etcd\"\nmembers = [\"h1\", \"h2\", \"h3\"]\n"),
        four_hosts(
            "[policy]\nmax_hosts_per_wave = 2\n\n[[component]]\nname = \"vc\"\n\n[[order]]\nbefore = [\"vc\"]\nafter = [\"h1\"]\n",
        ),
    ];
    for c in clusters {
        let options = SolveOptions {
            backend: Backend::Microlp,
            time_limit: 30.0,
            clock: &NoClock,
        };
        let solved = solve(&c, &options).expect("a safe plan exists");
        expect_valid(&c, &PlanInput::from_plan(&c, &solved));
    }
}

#[test]
fn violations_point_at_the_entry_or_wave_that_causes_them() {
    let c = four_hosts(
        "[[component]]\nname = \"vc\"\n\n[[quorum_group]]\nname = \"etcd\"\nmembers = [\"h1\", \"h2\", \"h3\"]\n",
    );
    let spanned = |items: &[(&str, usize)], span: std::ops::Range<usize>| WaveInput {
        span: Some(span),
        items: items
            .iter()
            .map(|&(name, at)| Named::spanned(name, at..at + name.len()))
            .collect(),
        moves: None,
    };
    let p = plan_of(vec![
        spanned(&[("h1", 10), ("h2", 16), ("hx", 22)], 0..30),
        spanned(&[("vc", 40), ("h3", 46)], 32..50),
    ]);
    let v = expect(
        &c,
        &p,
        &[
            ("host_not_upgraded", None, "h4"),
            ("quorum_lost", Some(1), "etcd"),
            ("unknown_item", Some(1), "hx"),
            ("component_not_exclusive", Some(2), "vc"),
        ],
    );
    let spans: Vec<Option<std::ops::Range<usize>>> = v.violations.iter().map(|v| v.span.clone()).collect();
    assert_eq!(spans, [None, Some(0..30), Some(22..24), Some(40..42)]);
}
