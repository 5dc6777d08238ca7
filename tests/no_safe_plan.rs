//! "No safe plan" as data: conflicts name their rule with the shared [`Rule`] and their items
//! with typed ids; an unplaceable workload names the anti-affinity group or resource that
//! blocks it; the library's reporter renders both prose and JSON from that data.

use quorate::model::{AntiAffinityId, ItemId, QuorumGroupId, Resource};
use quorate::placement::{Blocker, Placement, Shortfall, place};
use quorate::plan::no_safe_plan;
use quorate::rules::Rule;
use quorate::solve::{Backend, NoClock, NoSafePlan, SolveOptions, solve};

use crate::support;

fn no_plan(name: &str, text: &str) -> (quorate::Cluster, NoSafePlan) {
    let cluster = support::load_ok(name, text).cluster;
    let options = SolveOptions {
        backend: Backend::default_backend().expect("a backend is compiled in"),
        time_limit: 60.0,
        clock: &NoClock,
    };
    let result = solve(&cluster, &options).expect_err("no safe plan");
    (cluster, result)
}

const TWO_APART: &str = r#"
[cluster]
name = "apart"

[[host]]
name = "a"
cpu = 16
memory_gib = 64

[[host]]
name = "b"
cpu = 16
memory_gib = 64

[[workload]]
name = "x"
host = "a"
cpu = 1
memory_gib = 1

[[workload]]
name = "y"
host = "b"
cpu = 1
memory_gib = 1

[[anti_affinity]]
name = "spread"
workloads = ["x", "y"]
"#;

#[test]
fn a_conflict_names_its_rule_and_items_typed() {
    let (cluster, no_plan) = no_plan("apart.toml", TWO_APART);
    let a = cluster.find_host("a").expect("host a");
    let b = cluster.find_host("b").expect("host b");
    let typed: Vec<(Rule, Vec<ItemId>, Vec<String>)> = no_plan
        .conflicts
        .iter()
        .map(|c| (c.rule_id, c.item_ids.clone(), c.items.clone()))
        .collect();
    assert_eq!(
        typed,
        vec![
            (Rule::Evacuation, vec![ItemId::Host(a)], vec!["a".to_string()]),
            (Rule::Evacuation, vec![ItemId::Host(b)], vec!["b".to_string()]),
        ]
    );
}

#[test]
fn an_unplaceable_workload_names_the_group_that_blocks_it() {
    let cluster = support::load_ok("apart.toml", TWO_APART).cluster;
    let a = cluster.find_host("a").expect("host a");
    let x = cluster.find_workload("x").expect("workload x");
    match place(&cluster, &[a], 1_000) {
        Placement::Impossible(Shortfall::Unplaceable {
            workload, blocker, ..
        }) => {
            assert_eq!(workload, x);
            assert_eq!(blocker, Blocker::AntiAffinity(AntiAffinityId::from_index(0)));
        }
        other => panic!("x cannot leave a: {other:?}"),
    }
}

#[test]
fn an_unplaceable_workload_names_the_resource_that_blocks_it() {
    let text = r#"
[[host]]
name = "a"
cpu = 16
memory_gib = 64

[[host]]
name = "b"
cpu = 16
memory_gib = 64

[[host]]
name = "c"
cpu = 16
memory_gib = 64

[[workload]]
name = "x"
host = "a"
cpu = 1
memory_gib = 70
"#;
    let cluster = support::load_ok("big.toml", text).cluster;
    let a = cluster.find_host("a").expect("host a");
    match place(&cluster, &[a], 1_000) {
        Placement::Impossible(Shortfall::Unplaceable { blocker, .. }) => {
            assert_eq!(blocker, Blocker::Resource(Resource::Memory));
        }
        other => panic!("x needs more memory than b or c has: {other:?}"),
    }
}

#[test]
fn a_quorum_conflict_is_typed_and_reported_in_prose_and_json() {
    let text = r#"
[cluster]
name = "etcd"

[[host]]
name = "cp-1"
cpu = 8
memory_gib = 32

[[host]]
name = "cp-2"
cpu = 8
memory_gib = 32

[[quorum_group]]
name = "etcd"
members = ["cp-1", "cp-2"]
quorum = 2
"#;
    let (_, no_plan) = no_plan("etcd.toml", text);
    assert_eq!(
        no_plan.conflicts[0].rule_id,
        Rule::Quorum(QuorumGroupId::from_index(0))
    );
    let prose = no_safe_plan::prose("etcd", &no_plan);
    assert!(
        prose.starts_with("error: no safe plan exists for cluster etcd\n"),
        "{prose}"
    );
    assert!(prose.contains(&no_plan.conflicts[0].reason), "{prose}");
    let json: serde_json::Value = serde_json::from_str(&no_safe_plan::json("etcd", &no_plan)).expect("JSON");
    assert_eq!(json["feasible"], false);
    assert_eq!(json["conflicts"][0]["rule"], "quorum group etcd");
    assert_eq!(
        json["conflicts"][0]["reason"],
        no_plan.conflicts[0].reason.as_str()
    );
}
