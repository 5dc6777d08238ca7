//! Round trips through the writer: a description loads to a `Cluster`, `to_toml` writes it,
//! and loading that gives the same `Cluster`; writing again gives the same text.
//!
//! This pins the writer to the reader: every key the reader accepts must be written back, and
//! every name must be quoted so that it reads back unchanged.

use proptest::prelude::*;
use quorate::description::to_toml;
use quorate::summary::Summary;

use crate::support::generate::{RealisticCluster, description, quote};
use crate::support::load_ok;

/// Loads `text`, writes the cluster, and checks that the written text means the same cluster
/// and is a fixed point of writing.
fn assert_round_trips(text: &str) {
    let cluster = load_ok("generated.toml", text).cluster;
    let written = to_toml(&cluster);
    let again = load_ok("written.toml", &written).cluster;
    assert_eq!(
        again, cluster,
        "the written description means another cluster:\n{written}"
    );
    let rewritten = to_toml(&again);
    assert_eq!(
        rewritten, written,
        "writing the reloaded cluster changed the text"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_descriptions_round_trip(text in description()) {
        assert_round_trips(&text);
    }
}

#[test]
fn nasty_names_round_trip() {
    let nasty = [
        r#"esx "01""#,
        "esx '02'",
        r#"C:\hosts\03"#,
        r#"esx-04 ; rm -rf / # not a comment"#,
        r#"''' and """ and \" and \'"#,
        "ёж-05 日本 🦀",
        "[[host]]",
        "name = \"x\"",
        "trailing backslash \\",
        "\u{a0}non-breaking\u{2007}",
    ];
    let mut text = String::from("[cluster]\nname = ");
    text += &quote(r#"prod "east" \ ; # 'main'"#);
    text += "\nplatform = \"vsan\"\n\n";
    for (i, name) in nasty.iter().enumerate() {
        let domain = quote(&format!("rack \"{}\" #{i}", i % 3));
        if i < 3 {
            text += &format!("[[fault_domain]]\nname = {domain}\n\n");
        }
        text += &format!("[[host]]\nname = {}\ncpu = 64\nmemory_gib = 512\n", quote(name));
        if i % 2 == 0 {
            text += &format!(
                "fault_domain = {}\n",
                quote(&format!("rack \"{}\" #{}", i % 3, i % 3))
            );
        }
        text += &format!(
            "\n[[workload]]\nname = {}\nhost = {}\ncpu = 1.5\nmemory_gib = 4\nmigration = \"restart\"\nallowed_hosts = [{}, {}]\n\n",
            quote(&format!("vm of {name}")),
            quote(name),
            quote(nasty[(i + 1) % nasty.len()]),
            quote(name),
        );
    }
    let members: Vec<String> = nasty[..5].iter().map(|n| quote(&format!("vm of {n}"))).collect();
    let votes: toml::Table = [(format!("vm of {}", nasty[4]), toml::Value::Integer(3))]
        .into_iter()
        .collect();
    text += &format!(
        "[[quorum_group]]\nname = {}\nmembers = [{}]\nvotes = {}\nquorum = 4\n\n",
        quote("q \"1\""),
        members.join(", "),
        toml::Value::Table(votes)
    );
    text += &format!(
        "[[disruption_budget]]\nname = {}\nworkloads = [{}]\nmax_unavailable = 1\n\n",
        quote("pdb 'a'"),
        members.join(", ")
    );
    text += &format!(
        "[[anti_affinity]]\nname = {}\nworkloads = [{}, {}]\n\n",
        quote("\\aa\\"),
        members[0],
        members[1]
    );
    text += &format!(
        "[[order]]\nbefore = [{}]\nafter = [{}]\n",
        quote(nasty[0]),
        nasty[1..].iter().map(|n| quote(n)).collect::<Vec<_>>().join(", ")
    );
    assert_round_trips(&text);
    let cluster = load_ok("nasty.toml", &to_toml(&load_ok("nasty.toml", &text).cluster)).cluster;
    let names: Vec<&str> = cluster.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, nasty);
}

#[test]
fn realistic_clusters_round_trip() {
    assert_round_trips(&RealisticCluster::vsan_16().description());
    assert_round_trips(&RealisticCluster::kubernetes_96().description());
}

#[test]
fn realistic_presets_load_cleanly_and_leave_a_plan_possible() {
    for recipe in [RealisticCluster::vsan_16(), RealisticCluster::kubernetes_96()] {
        let loaded = load_ok(&recipe.name, &recipe.description());
        let warnings: Vec<&str> = loaded.warnings.warnings().iter().map(|w| w.message()).collect();
        assert!(warnings.is_empty(), "{}: {warnings:?}", recipe.name);
        let summary = Summary::new(&loaded.cluster);
        assert!(
            summary.bounds.impossible.is_empty(),
            "{}:\n{summary}",
            recipe.name
        );
        assert_eq!(summary.hosts, recipe.hosts);
        let (live, restart, none) = summary.workloads;
        assert_eq!(live + restart + none, recipe.workloads);
    }
}

#[test]
fn realistic_clusters_are_deterministic() {
    let recipe = RealisticCluster::vsan_16();
    assert_eq!(recipe.description(), recipe.description());
    let other = RealisticCluster {
        seed: 17,
        ..recipe.clone()
    };
    assert_ne!(recipe.description(), other.description());
}
