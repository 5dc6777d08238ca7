//! "No safe plan" as data: conflicts name their rule with the shared [`Rule`] and their items
//! with typed ids; an unplaceable workload names the anti-affinity group or resource that
//! blocks it; the library's reporter renders both prose and JSON from that data, naming the
//! hosts and groups involved even when the bounds found the conflict (issue 13, item 12), and
//! the single relaxations that would make a plan possible.

use quorate::model::{AntiAffinityId, ItemId, QuorumGroupId, Resource};
use quorate::placement::{Blocker, Placement, Shortfall, place};
use quorate::plan::no_safe_plan;
use quorate::plan::relax::{Relaxations, relaxations};
use quorate::rules::Rule;
use quorate::solve::{Backend, NoClock, NoSafePlan, SolveOptions, solve};

use crate::support;

fn options(time_limit: f64) -> SolveOptions<'static> {
    SolveOptions {
        backend: Backend::default_backend().expect("a backend is compiled in"),
        time_limit,
        clock: &NoClock,
    }
}

fn no_plan_of(name: &str, text: &str) -> (quorate::Cluster, NoSafePlan) {
    let cluster = support::load_ok(name, text).cluster;
    let result = solve(&cluster, &options(60.0)).expect_err("no safe plan");
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
    let (cluster, no_plan) = no_plan_of("apart.toml", TWO_APART);
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

/// Two etcd members, quorum 2: neither can ever go down.
const ETCD_OF_TWO: &str = r#"
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

#[test]
fn a_quorum_conflict_is_typed_and_reported_in_prose_and_json() {
    let text = ETCD_OF_TWO;
    let (_, no_plan) = no_plan_of("etcd.toml", text);
    assert_eq!(
        no_plan.conflicts[0].rule_id,
        Rule::Quorum(QuorumGroupId::from_index(0))
    );
    let (cluster, _) = no_plan_of("etcd.toml", text);
    let prose = no_safe_plan::prose(&cluster, &no_plan, &Relaxations::default());
    assert!(
        prose.starts_with("error: no safe plan exists for cluster etcd\n"),
        "{prose}"
    );
    assert!(prose.contains(&no_plan.conflicts[0].reason), "{prose}");
    let json: serde_json::Value =
        serde_json::from_str(&no_safe_plan::json(&cluster, &no_plan, &Relaxations::default())).expect("JSON");
    assert_eq!(json["feasible"], false);
    assert_eq!(json["conflicts"][0]["rule"], "quorum group etcd");
    assert_eq!(
        json["conflicts"][0]["reason"],
        no_plan.conflicts[0].reason.as_str()
    );
}

/// The consolidated vSAN cluster of the operator trial (issue 13, item 12): 8 hosts with 512 GiB
/// each, 20 VMs of 20 GiB on each (400 GiB), 10% headroom (460.8 GiB usable, 60.8 GiB free per
/// host) and HA admission control for one host failure (460.8 GiB kept free). Taking any host
/// down moves 400 GiB while the seven others have 425.6 GiB free, of which 460.8 GiB must stay
/// free: impossible. Without the reserve, one host at a time fits (3 VMs per host, 21 slots for
/// 20 VMs) and two do not (800 GiB into 364.8 GiB): 8 waves of 30 minutes. Without headroom but
/// with the reserve, a host still needs 512 GiB (its 400 GiB moved and its own 112 GiB of room
/// lost) where 384 GiB can be spared: still impossible.
fn consolidated_vsan() -> String {
    let mut text = String::from(
        "[cluster]\nname = \"vsan-consolidated\"\nplatform = \"vsan\"\n\n[policy]\nheadroom_percent = 10\nreserve_host_failures = 1\n\n[defaults]\nupgrade_minutes = 30\n",
    );
    for h in 1..=8 {
        text.push_str(&format!(
            "\n[[host]]\nname = \"esx0{h}\"\ncpu = 64\nmemory_gib = 512\n"
        ));
        for v in 1..=20 {
            text.push_str(&format!(
                "\n[[workload]]\nname = \"vm-{h}-{v}\"\nhost = \"esx0{h}\"\ncpu = 1\nmemory_gib = 20\n"
            ));
        }
    }
    text
}

#[test]
fn a_conflict_found_by_the_bounds_names_every_host_involved() {
    let (cluster, no_plan) = no_plan_of("vsan-consolidated.toml", &consolidated_vsan());
    let hosts: Vec<String> = (1..=8).map(|h| format!("esx0{h}")).collect();
    let memory = no_plan
        .conflicts
        .iter()
        .find(|c| c.rule == "memory capacity")
        .unwrap_or_else(|| panic!("a memory conflict: {no_plan:#?}"));
    // The bounds found it before any host was tried alone, so the solver names no item: in
    // the operator trial the JSON's `conflicts[].items` was empty.
    assert!(memory.items.is_empty(), "{memory:#?}");
    assert_eq!(no_safe_plan::involved(&cluster, memory), hosts);
    let json: serde_json::Value =
        serde_json::from_str(&no_safe_plan::json(&cluster, &no_plan, &Relaxations::default())).expect("JSON");
    for conflict in json["conflicts"].as_array().expect("conflicts") {
        assert!(
            !conflict["items"].as_array().expect("items").is_empty(),
            "every conflict names its hosts: {conflict}"
        );
    }
    let prose = no_safe_plan::prose(&cluster, &no_plan, &Relaxations::default());
    assert!(
        prose.contains(&format!("involved: {}", hosts.join(", "))),
        "{prose}"
    );
}

#[test]
fn the_smallest_relaxation_that_makes_a_plan_possible_is_reported() {
    let (cluster, no_plan) = no_plan_of("vsan-consolidated.toml", &consolidated_vsan());
    let found = relaxations(&cluster, &no_plan, &options(60.0));
    let changes: Vec<(&str, usize, u64)> = found
        .found
        .iter()
        .map(|r| (r.change.as_str(), r.waves, r.total_minutes))
        .collect();
    // Headroom alone does not help (see `consolidated_vsan`): only the reserve does.
    assert_eq!(changes, vec![("reserve_host_failures = 0", 8, 240)], "{found:#?}");
    assert!(
        found.tried >= 2,
        "the reserve and the headroom were both tried: {found:#?}"
    );
    let prose = no_safe_plan::prose(&cluster, &no_plan, &found);
    assert!(
        prose.contains("  - with `reserve_host_failures = 0`: 8 waves, 240 min\n"),
        "{prose}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&no_safe_plan::json(&cluster, &no_plan, &found)).expect("JSON");
    assert_eq!(json["relaxations"][0]["change"], "reserve_host_failures = 0");
    assert_eq!(json["relaxations"][0]["waves"], 8);
    insta::assert_snapshot!("no_safe_plan_consolidated_vsan", prose);
}

#[test]
fn a_quorum_group_is_relaxed_by_one_vote() {
    let text = ETCD_OF_TWO;
    let (cluster, no_plan) = no_plan_of("etcd.toml", text);
    let found = relaxations(&cluster, &no_plan, &options(60.0));
    let changes: Vec<(&str, &str, usize)> = found
        .found
        .iter()
        .map(|r| (r.rule.as_str(), r.change.as_str(), r.waves))
        .collect();
    // Quorum 1 of 2: one member at a time, two waves.
    assert_eq!(
        changes,
        vec![("quorum group etcd", "quorum = 1 in quorum group etcd", 2)]
    );
}

#[test]
fn relaxations_stay_within_the_time_limit() {
    let (cluster, no_plan) = no_plan_of("vsan-consolidated.toml", &consolidated_vsan());
    let found = relaxations(&cluster, &no_plan, &options(0.0));
    assert_eq!((found.tried, found.out_of_time), (0, true), "{found:#?}");
    assert!(found.found.is_empty());
    let prose = no_safe_plan::prose(&cluster, &no_plan, &found);
    assert!(!prose.contains("what would make it possible"), "{prose}");
}

/// Four 16-core hosts, each running three 8-vCPU VMs (24 vCPU: 1.5:1), at `cpu_overcommit = 2`
/// (32 vCPU per host) with 30% headroom (22.4 usable): every host is already past its usable
/// CPU, so nothing can be evacuated. Without headroom each host keeps 8 vCPU free, and a host's
/// three VMs fit one on each of the other three: 4 waves. The relaxation must recompute usable
/// capacity with the overcommit; taken as the raw 16 cores it would find no plan at all.
#[test]
fn the_headroom_relaxation_keeps_the_cpu_overcommit() {
    let mut text = String::from(
        "[cluster]\nname = \"overcommitted\"\n\n[policy]\ncpu_overcommit = 2\nheadroom_percent = 30\n\
         reserve_host_failures = 0\n\n[defaults]\nupgrade_minutes = 30\n",
    );
    for h in 1..=4 {
        text.push_str(&format!(
            "\n[[host]]\nname = \"h{h}\"\ncpu = 16\nmemory_gib = 256\n"
        ));
        for v in 1..=3 {
            text.push_str(&format!(
                "\n[[workload]]\nname = \"vm{h}{v}\"\nhost = \"h{h}\"\ncpu = 8\nmemory_gib = 8\n"
            ));
        }
    }
    let (cluster, no_plan) = no_plan_of("overcommitted.toml", &text);
    let found = relaxations(&cluster, &no_plan, &options(60.0));
    let changes: Vec<(&str, usize)> = found.found.iter().map(|r| (r.change.as_str(), r.waves)).collect();
    assert_eq!(changes, vec![("headroom_percent = 0", 4)], "{found:#?}");
}
