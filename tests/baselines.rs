//! Baselines in every plan (`summary.baselines`): what today's tools would do on the same
//! cluster, judged by the validator. Expected numbers are worked out by hand from each
//! description, not read back from the code under test.

use quorate::document::PlanDocument;
use quorate::model::ItemId;
use quorate::plan::baselines::{BaselineDocument, CHECKED_HOSTS_LIMIT, Safety, Strategy, baselines};
use quorate::solve::{Backend, NoClock, SolveOptions, solve};

use crate::support;

fn document(name: &str, text: &str) -> PlanDocument {
    let cluster = support::load_ok(name, text).cluster;
    let options = SolveOptions {
        backend: Backend::default_backend().expect("a backend is compiled in"),
        time_limit: 30.0,
        clock: &NoClock,
    };
    let plan = solve(&cluster, &options).expect("a safe plan");
    PlanDocument::new(&cluster, &plan)
}

fn row<'a>(doc: &'a PlanDocument, strategy: &str) -> &'a BaselineDocument {
    doc.summary
        .baselines
        .iter()
        .find(|b| b.strategy == strategy)
        .unwrap_or_else(|| panic!("no {strategy} baseline in {:#?}", doc.summary.baselines))
}

/// `n` hosts `h1`..`hn` of 32 cores and 128 GiB, each with one 2-core, 8-GiB VM: any half of
/// them can go down together, and nothing else limits a wave.
fn roomy(n: usize, policy: &str) -> String {
    let mut text =
        format!("[cluster]\nname = \"roomy\"\n\n[policy]\n{policy}\n\n[defaults]\nupgrade_minutes = 30\n");
    for i in 1..=n {
        text.push_str(&format!(
            "\n[[host]]\nname = \"h{i}\"\ncpu = 32\nmemory_gib = 128\n\n[[workload]]\nname = \"vm{i}\"\nhost = \"h{i}\"\ncpu = 2\nmemory_gib = 8\n"
        ));
    }
    text
}

#[test]
fn one_host_at_a_time_is_safe_but_slow() {
    let doc = document("roomy.toml", &roomy(6, "wave_overhead_minutes = 10"));
    let one = row(&doc, "one_host_at_a_time");
    assert_eq!(one.safe, Some(true), "{one:#?}");
    assert_eq!(one.hosts_per_wave, Some(1));
    // Six waves of one host: 10 min overhead + 30 min upgrade each.
    assert_eq!((one.waves, one.total_minutes), (6, 6 * 40));
    assert!(
        doc.summary.waves < 6,
        "quorate takes several hosts per wave: {doc:#?}"
    );
    assert_eq!(one.waves_saved, 6 - doc.summary.waves as i64);
    assert_eq!(one.minutes_saved, 240 - doc.summary.total_minutes as i64);
    assert!(one.waves_saved > 0 && one.minutes_saved > 0);
}

#[test]
fn the_largest_safe_k_is_found_and_checked() {
    // Nothing but `max_hosts_per_wave = 3` limits a wave of 9 roomy hosts: k = 3 is safe,
    // k = 4 breaks the cap in its first wave.
    let doc = document("roomy.toml", &roomy(9, "max_hosts_per_wave = 3"));
    let k = row(&doc, "max_unavailable");
    assert_eq!(k.hosts_per_wave, Some(3), "{k:#?}");
    assert_eq!(k.safe, Some(true));
    assert_eq!((k.waves, k.total_minutes), (3, 3 * 30));
    let cluster = support::load_ok("roomy.toml", &roomy(9, "max_hosts_per_wave = 3")).cluster;
    let all = baselines(&cluster);
    assert_eq!(all[1].strategy, Strategy::MaxUnavailable(3));
    assert_eq!(all[1].safety, Safety::Safe);
}

/// Three etcd members whose names sort together, quorum 2, and three workers.
const ETCD_IN_NAME_ORDER: &str = r#"
[cluster]
name = "k8s"
platform = "kubernetes"

[defaults]
upgrade_minutes = 20

[[host]]
name = "cp-1"
cpu = 8
memory_gib = 32

[[host]]
name = "cp-2"
cpu = 8
memory_gib = 32

[[host]]
name = "cp-3"
cpu = 8
memory_gib = 32

[[host]]
name = "wk-1"
cpu = 16
memory_gib = 64

[[host]]
name = "wk-2"
cpu = 16
memory_gib = 64

[[host]]
name = "wk-3"
cpu = 16
memory_gib = 64

[[quorum_group]]
name = "etcd"
members = ["cp-1", "cp-2", "cp-3"]
quorum = 2
"#;

#[test]
fn two_at_a_time_in_name_order_loses_quorum() {
    let doc = document("k8s.toml", ETCD_IN_NAME_ORDER);
    let k = row(&doc, "max_unavailable");
    assert_eq!(k.hosts_per_wave, Some(2));
    assert_eq!(k.safe, Some(false), "{k:#?}");
    // Wave 1 is cp-1 and cp-2: two of three etcd votes down, quorum 2.
    let first = k.first_violation.as_ref().expect("the first violation");
    assert_eq!(
        (first.code.as_str(), first.wave, first.subject.as_str()),
        ("quorum_lost", Some(1), "etcd")
    );
    assert!(k.violations.unwrap_or(0) >= 1);
    assert_eq!((k.waves, k.total_minutes), (3, 60));
    // One at a time keeps quorum; quorate needs 3 waves (one per etcd member) and beats it.
    let one = row(&doc, "one_host_at_a_time");
    assert_eq!((one.safe, one.waves), (Some(true), 6));
    assert_eq!(doc.summary.waves, 3);
    assert_eq!(one.waves_saved, 3);
    // No fault domain is declared: no fault-domain baseline.
    assert!(
        doc.summary
            .baselines
            .iter()
            .all(|b| b.strategy != "fault_domain_at_a_time")
    );
}

#[test]
fn fault_domains_go_fewest_hosts_first_and_components_follow_the_order_rules() {
    let text = r#"
[cluster]
name = "racks"

[[fault_domain]]
name = "rack-a"

[[fault_domain]]
name = "rack-b"

[[host]]
name = "a1"
fault_domain = "rack-a"
cpu = 32
memory_gib = 128

[[host]]
name = "a2"
fault_domain = "rack-a"
cpu = 32
memory_gib = 128

[[host]]
name = "b1"
fault_domain = "rack-b"
cpu = 32
memory_gib = 128

[[component]]
name = "vcenter"

[[component]]
name = "witness"

[[order]]
before = ["vcenter"]
after = ["a1", "a2", "b1"]

[[order]]
before = ["a1", "a2", "b1"]
after = ["witness"]
"#;
    let cluster = support::load_ok("racks.toml", text).cluster;
    let id = |name: &str| cluster.find_item(name).expect(name);
    let all = baselines(&cluster);
    let by_domain = all
        .iter()
        .find(|b| b.strategy == Strategy::FaultDomainAtATime)
        .expect("fault domains are declared");
    // vLCM: the domain with the fewest hosts to upgrade first; components alone, where the
    // order rules put them.
    let expected: Vec<Vec<ItemId>> = vec![
        vec![id("vcenter")],
        vec![id("b1")],
        vec![id("a1"), id("a2")],
        vec![id("witness")],
    ];
    assert_eq!(by_domain.waves, expected);
    assert_eq!(by_domain.safety, Safety::Safe);
    let one = &all[0];
    assert_eq!(one.strategy, Strategy::OneHostAtATime);
    assert_eq!(one.waves.first(), Some(&vec![id("vcenter")]));
    assert_eq!(one.waves.last(), Some(&vec![id("witness")]));
}

#[test]
fn above_the_limit_baselines_are_given_but_not_checked() {
    let cluster = support::load_ok("big.toml", &roomy(CHECKED_HOSTS_LIMIT + 1, "")).cluster;
    let all = baselines(&cluster);
    assert!(!all.is_empty());
    for baseline in &all {
        assert!(
            matches!(baseline.safety, Safety::NotChecked(_)),
            "{:?}: {:?}",
            baseline.strategy,
            baseline.safety
        );
    }
    assert_eq!(all[0].waves.len(), CHECKED_HOSTS_LIMIT + 1);
}

/// The cost of the baselines, for docs/performance.md: on a fleet of 1,032 hosts and 9,000
/// workloads (the shape of issue 10), above [`CHECKED_HOSTS_LIMIT`], and on 96 and 288 hosts
/// with 9 workloads each, under it. Ignored by default; run in release with
/// `cargo test --release --test tests baselines::cost_above_and_below_the_limit -- --ignored --nocapture`.
/// It prints the times; what it asserts is which baselines were checked, and that the
/// one-at-a-time baseline has a wave per item.
#[test]
#[ignore]
fn cost_above_and_below_the_limit() {
    for (hosts, workloads) in [(1_032, 9_000), (288, 2_592), (96, 864)] {
        let text = support::generate::RealisticCluster::large(hosts, workloads).description();
        let cluster = support::load_ok("large.toml", &text).cluster;
        let start = std::time::Instant::now();
        let all = baselines(&cluster);
        let seconds = start.elapsed().as_secs_f64();
        let ready = cluster.ready_hosts().count();
        println!(
            "{ready} ready hosts, {} workloads: baselines in {seconds:.3} s",
            cluster.workloads.len()
        );
        for b in &all {
            println!(
                "  {:?}: {} waves, {} min, {:?}",
                b.strategy,
                b.waves.len(),
                b.total_minutes,
                b.safety
            );
        }
        let checked = ready <= CHECKED_HOSTS_LIMIT;
        assert!(
            all.iter()
                .all(|b| matches!(b.safety, Safety::NotChecked(_)) != checked)
        );
        assert_eq!(all[0].waves.len(), ready + cluster.components.len());
    }
}

/// Hosts already at their target version need no wave in the tools' orders either: the
/// baselines take only the hosts the plan upgrades, so they stay safe and count four waves.
#[test]
fn baselines_leave_out_hosts_already_done() {
    let text = roomy(6, "wave_overhead_minutes = 10")
        .replace(
            "upgrade_minutes = 30\n",
            "upgrade_minutes = 30\ntarget_version = \"2\"\n",
        )
        .replace("name = \"h1\"\n", "name = \"h1\"\nversion = \"2\"\n")
        .replace("name = \"h2\"\n", "name = \"h2\"\nversion = \"2\"\n");
    let doc = document("roomy-half-done.toml", &text);
    let one = row(&doc, "one_host_at_a_time");
    assert_eq!(one.safe, Some(true), "{one:#?}");
    assert_eq!((one.waves, one.total_minutes), (4, 4 * 40));
}
