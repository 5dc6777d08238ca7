//! Proxmox VE HA placement: `pvesh get /cluster/ha/groups` (PVE 8 and earlier) and
//! `pvesh get /cluster/ha/rules` (PVE 9), with `--output-format json`.
//!
//! `affinity-*.json` are written by `make_fixtures.py` in the shape pve-ha-manager's API
//! prints them (`src/PVE/API2/HA/Groups.pm`, `Rules.pm`; SOURCES.md cites each field).

use quorate::model::{Cluster, Platform};
use serde_json::Value;

use super::super::{fixture_paths, fixture_set, flat, import_broken, import_check_plan, import_set, run};

/// The PVE 8 set: resources, status, HA resources naming their group, groups.
fn pve8() -> Vec<(String, String)> {
    fixture_set(
        "proxmox",
        "affinity",
        &["resources", "status", "ha-pve8", "groups"],
    )
}

/// The PVE 9 set: resources, status, HA resources, rules.
fn pve9() -> Vec<(String, String)> {
    fixture_set(
        "proxmox",
        "affinity",
        &["resources", "status", "ha-pve9", "rules"],
    )
}

fn import(parts: &[(String, String)]) -> (String, Cluster) {
    let text = import_set(Platform::Proxmox, parts);
    let cluster = crate::support::load_ok("imported.toml", &text).cluster;
    (text, cluster)
}

/// The `allowed_hosts` of workload `name`, by host name; empty when any host will do.
fn allowed(cluster: &Cluster, name: &str) -> Vec<String> {
    let workload = cluster
        .workloads
        .iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no workload {name}"));
    workload
        .allowed_hosts
        .iter()
        .flatten()
        .map(|h| cluster.hosts[h.index()].name.clone())
        .collect()
}

const DB_NODES: [&str; 4] = ["pve1", "pve2", "pve3", "pve4"];

#[test]
fn restricted_ha_groups_become_allowed_hosts() {
    let (text, cluster) = import(&pve8());
    insta::assert_snapshot!("proxmox_ha_groups", text);
    // "pve1:2,pve2:2,pve3:1,pve4": priorities stripped.
    assert_eq!(allowed(&cluster, "db-a"), DB_NODES);
    assert_eq!(allowed(&cluster, "db-c"), DB_NODES);
    assert_eq!(allowed(&cluster, "app-1"), ["pve4", "pve5"]);
    // "pve5:2,pve4:1,pve9": the unknown node is left out, with a note.
    assert_eq!(allowed(&cluster, "lic-1"), ["pve4", "pve5"]);
    assert!(text.contains("HA group \"licensed\" names pve9"), "{text}");
    // An unrestricted group is a preference only, and says so.
    assert!(allowed(&cluster, "pref-1").is_empty());
    assert!(
        text.contains("HA group \"prefer-pve2\": a preference only"),
        "{text}"
    );
    // Running outside its restricted group's nodes: not pinned (check would refuse it).
    assert!(allowed(&cluster, "moved-1").is_empty());
    assert!(text.contains("guest(s) moved-1 run outside"), "{text}");
    // Not in any group, or not HA-managed.
    assert!(allowed(&cluster, "cache-1").is_empty());
    assert!(allowed(&cluster, "plain-1").is_empty());
    assert!(cluster.anti_affinity.is_empty(), "groups never keep guests apart");
}

#[test]
fn ha_rules_become_allowed_hosts_and_anti_affinity() {
    let (text, cluster) = import(&pve9());
    insta::assert_snapshot!("proxmox_ha_rules", text);
    // The group PVE 9 migrated to a strict node-affinity rule reads as the group did.
    assert_eq!(allowed(&cluster, "db-b"), DB_NODES);
    assert_eq!(allowed(&cluster, "lic-1"), ["pve4", "pve5"]);
    assert!(allowed(&cluster, "pref-1").is_empty(), "not strict");
    assert!(allowed(&cluster, "moved-1").is_empty(), "already elsewhere");
    // Positive affinity with app-1: cache-1 shares app-1's node affinity, as in the HA
    // manager, and the rule itself (no key for it) is named.
    assert_eq!(allowed(&cluster, "cache-1"), ["pve4", "pve5"]);
    assert!(
        text.contains("not imported: HA rule \"app-with-cache\" (cache-1, app-1)"),
        "{text}"
    );
    // Disabled, and reported infeasible by the HA manager: ignored, and named.
    assert!(allowed(&cluster, "spare-1").is_empty(), "spare-off is disabled");
    assert!(text.contains("HA rule \"spare-off\" (it is disabled)"), "{text}");
    assert!(
        text.contains("HA rule \"lonely\" (the HA manager reports errors"),
        "{text}"
    );
    // Negative affinity: an anti-affinity group of scope host, a "must".
    let names = |ids: &[quorate::model::WorkloadId]| -> Vec<String> {
        ids.iter()
            .map(|w| cluster.workloads[w.index()].name.clone())
            .collect()
    };
    let groups: Vec<(String, Vec<String>, bool)> = cluster
        .anti_affinity
        .iter()
        .map(|g| (g.name.clone(), names(&g.workloads), g.mandatory))
        .collect();
    assert_eq!(
        groups,
        [(
            "db-spread".to_string(),
            vec!["db-a".to_string(), "db-b".to_string(), "db-c".to_string()],
            true
        )],
        "with-ghost names vm:999, which is not a guest, so keeps one member and no group"
    );
    assert!(text.contains("HA rule \"with-ghost\" names vm:999"), "{text}");
}

/// Files are recognised by their content: any order gives the same description.
#[test]
fn groups_and_rules_are_recognised_in_any_order() {
    for set in [pve8(), pve9()] {
        let forward = import_set(Platform::Proxmox, &set);
        let mut reversed = set.clone();
        reversed.reverse();
        assert_eq!(import_set(Platform::Proxmox, &reversed), forward);
    }
}

/// Without the group export, the HA resources' `group` keys are named in a note, and nothing
/// is pinned.
#[test]
fn groups_named_but_not_exported_are_a_note() {
    let mut parts = pve8();
    parts.pop();
    let (text, cluster) = import(&parts);
    assert!(allowed(&cluster, "db-a").is_empty());
    assert!(
        text.contains("the HA resources name the HA group(s) db-nodes, app-nodes, licensed"),
        "{text}"
    );
    assert!(
        text.contains("pvesh get /cluster/ha/groups --output-format json"),
        "{text}"
    );
}

/// Members of a negative rule that already share a node cannot be a "must" group (check
/// refuses a placement that breaks one): the rule becomes a "should", with a comment.
#[test]
fn anti_affinity_already_broken_is_a_should_rule() {
    let mut parts = pve9();
    let mut resources: Value = serde_json::from_str(&parts[0].1).unwrap();
    for item in resources.as_array_mut().unwrap() {
        if item["name"] == "db-b" {
            item["node"] = Value::from("pve1");
        }
    }
    parts[0].1 = resources.to_string();
    let (text, cluster) = import(&parts);
    assert!(!cluster.anti_affinity[0].mandatory);
    assert!(
        text.contains("mandatory = false  # inferred: two members already share a node"),
        "{text}"
    );
}

#[test]
fn both_sets_import_check_and_plan() {
    for parts in [
        ["resources", "status", "ha-pve8", "groups"],
        ["resources", "status", "ha-pve9", "rules"],
    ] {
        let paths = fixture_paths("proxmox", "affinity", &parts);
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let summary = import_check_plan("proxmox", &paths);
        assert!(summary.contains("hosts            5 (5 ready)"), "{summary}");
    }
}

#[test]
fn malformed_groups_and_rules_are_named_by_file_and_json_path() {
    type Change = fn(&mut Value);
    type Set = fn() -> Vec<(String, String)>;
    // (the set, its groups or rules export changed so, the diagnostic)
    let cases: [(Set, Change, &str); 8] = [
        (
            pve8,
            |v| v[0]["nodes"] = Value::from("pve1:high,pve2"),
            "affinity-groups.json: $[0].nodes: expected a node list such as \"pve1:2,pve2\", \
             found \"pve1:high,pve2\"",
        ),
        (
            pve8,
            |v| v[1]["restricted"] = Value::from("yes"),
            "affinity-groups.json: $[1].restricted: expected 0, 1, true or false, found \"yes\"",
        ),
        (
            pve8,
            |v| {
                v[2].as_object_mut().unwrap().remove("nodes");
            },
            "affinity-groups.json: $[2]: missing key \"nodes\" (the group's nodes)",
        ),
        (
            pve9,
            |v| v[0]["resources"] = Value::from("vm:110,vm-111"),
            "affinity-rules.json: $[0].resources: expected a service id such as \"vm:100\", \
             found \"vm:110,vm-111\"",
        ),
        (
            pve9,
            |v| v[1]["affinity"] = Value::from("maybe"),
            "affinity-rules.json: $[1].affinity: expected \"positive\" or \"negative\", found \
             \"maybe\"",
        ),
        (
            pve9,
            |v| v[2]["nodes"] = Value::from(""),
            "affinity-rules.json: $[2].nodes: expected a node list such as \"pve1:2,pve2\", \
             found \"\"",
        ),
        (
            pve9,
            |v| v[4]["strict"] = Value::from(-1),
            "affinity-rules.json: $[4].strict: expected a non-negative integer, found -1",
        ),
        (
            pve9,
            |v| {
                v[3].as_object_mut().unwrap().remove("type");
            },
            "affinity-rules.json: $[3]: missing key \"type\" (the rule type)",
        ),
    ];
    for (set, change, expected) in cases {
        let stderr = import_broken("proxmox", &set(), 3, &change);
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
}

/// A rule type newer than the importer is named, never silently dropped.
#[test]
fn an_unknown_rule_type_is_named_in_a_note() {
    let mut parts = pve9();
    let mut rules: Value = serde_json::from_str(&parts[3].1).unwrap();
    rules[6]["type"] = Value::from("node-anti-affinity");
    parts[3].1 = rules.to_string();
    let (text, cluster) = import(&parts);
    assert!(allowed(&cluster, "moved-1").is_empty());
    assert!(
        text.contains("HA rule \"pinned-pve1\" (its type is not one quorate knows)"),
        "{text}"
    );
}

/// `quorate drift` reads the rules too: a description imported without them lacks the
/// strict rules' `allowed_hosts` (drift, exit 1, one difference per pinned guest); one
/// imported with them agrees.
#[test]
fn drift_finds_ha_rules_the_description_lacks() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let paths = fixture_paths(
        "proxmox",
        "affinity",
        &["resources", "status", "ha-pve9", "rules"],
    );
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let import = |files: &[&str], out: &str| {
        let out = dir.path().join(out).to_str().unwrap().to_string();
        let mut args = vec!["import", "proxmox", "--out", &out];
        args.extend_from_slice(files);
        let (code, _, stderr) = run(&args);
        assert_eq!(code, Some(0), "{stderr}");
        out
    };
    let drift = |description: &str| {
        let mut args = vec!["drift", description, "-o", "json"];
        args.extend_from_slice(&paths);
        let (code, stdout, stderr) = run(&args);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{}", flat(&stderr)));
        (code, report)
    };
    let without = import(&paths[..3], "without.toml");
    let (code, report) = drift(&without);
    assert_eq!(code, Some(1), "{report}");
    let found: Vec<String> = report["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {} [{}]", d["code"], d["subject"], d["live"]))
        .collect();
    let db = "\"pve1, pve2, pve3, pve4\"";
    let app = "\"pve4, pve5\"";
    let expected = [
        ("db-a", db),
        ("db-b", db),
        ("db-c", db),
        ("cache-1", app),
        ("app-1", app),
        ("lic-1", app),
    ]
    .map(|(guest, hosts)| format!("\"allowed_hosts\" \"{guest}\" [{hosts}]"));
    assert_eq!(found, expected);
    let with = import(&paths, "with.toml");
    let (code, report) = drift(&with);
    assert_eq!(code, Some(0), "{report}");
}

/// The API refuses rules over resources the HA manager does not manage, so a stopped guest a
/// rule names is HA-managed, and imported, even without `hastate` or the HA resource list.
#[test]
fn a_stopped_guest_a_rule_names_is_ha_managed() {
    let mut parts = pve9();
    let mut resources: Value = serde_json::from_str(&parts[0].1).unwrap();
    for item in resources.as_array_mut().unwrap() {
        item.as_object_mut().unwrap().remove("hastate");
        if item["name"] == "spare-1" {
            item["status"] = Value::from("stopped");
        }
    }
    parts[0].1 = resources.to_string();
    parts.remove(2);
    let with_rules = import_set(Platform::Proxmox, &parts);
    assert!(with_rules.contains("name = \"spare-1\""), "{with_rules}");
    parts.pop();
    let without = import_set(Platform::Proxmox, &parts);
    assert!(!without.contains("name = \"spare-1\""), "{without}");
}
