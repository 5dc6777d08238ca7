//! Ceph: `ceph osd tree`, `ceph mon dump`, `ceph osd pool ls detail`,
//! `ceph osd crush rule dump` and `ceph health`, all with `-f json`.
//!
//! `small-*.json` and `large-*.json` are written by `make_fixtures.py` in the shape the Ceph
//! sources print (SOURCES.md); the `osd tree` sample of the shared data is Ceph's own test
//! output for `osdmaptool --tree=json-pretty`.

use quorate::import::ImportOptions;
use quorate::model::{HostState, Platform};
use serde_json::Value;

use super::{
    fixture_paths, fixture_set, flat, import, import_broken, import_check_plan, import_set, read, run,
    temp_file,
};

const PARTS: [&str; 5] = ["osd-tree", "mon-dump", "pools", "rules", "health"];

fn exports(set: &str) -> Vec<(String, String)> {
    fixture_set("ceph", set, &PARTS)
}

fn import_parts(parts: &[(String, String)]) -> String {
    import_set(Platform::Ceph, parts)
}

#[test]
fn the_small_cluster_imports_as_the_mapping_says() {
    let text = import_parts(&exports("small"));
    insta::assert_snapshot!("ceph_small", text);
    let cluster = crate::support::load_ok("imported.toml", &text).cluster;
    assert_eq!(cluster.hosts.len(), 6);
    let ceph6 = cluster.hosts.iter().find(|h| h.name == "ceph-6").unwrap();
    assert_eq!(ceph6.state, HostState::Down, "both of its OSDs are down");
    assert_eq!(cluster.fault_domains.len(), 3, "racks, the rules' failure domain");
    assert_eq!(
        cluster.policy.max_fault_domains_down,
        Some(1),
        "size 3 - min_size 2"
    );
    assert_eq!(cluster.quorum_groups[0].members.len(), 3, "three monitors");
    assert!(text.contains("# note: Ceph health at export time: HEALTH_WARN"));
}

#[test]
fn files_are_recognised_in_any_order() {
    let mut parts = exports("small");
    let forward = import_parts(&parts);
    parts.reverse();
    let backward = import_parts(&parts);
    let body = |t: &str| t.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&forward), body(&backward), "only the list of files differs");
}

#[test]
fn the_large_cluster_imports_checks_and_plans() {
    let paths = fixture_paths("ceph", "large", &PARTS);
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let summary = import_check_plan("ceph", &paths);
    assert!(summary.contains("hosts            60 (60 ready)"), "{summary}");
    assert!(summary.contains("fault domains    12"), "{summary}");
    assert!(summary.contains("sites            2"), "data centres: {summary}");
}

/// Ceph's own sample of the tree format (`src/test/cli/osdmaptool/tree.t`): one host whose
/// OSDs are all down, in a rack, with no pool or monitor export.
#[test]
fn the_ceph_test_suites_tree_imports_alone() {
    let text = read(&support_path(
        "../shared/data/fixtures/ceph/osdmaptool-tree-json-pretty.json",
    ));
    let out = import(Platform::Ceph, &[("tree.json", text)], &ImportOptions::default());
    assert!(out.contains("[[host]]\nname = \"localhost\"\n"), "{out}");
    assert!(
        out.contains("state = \"down\"  # every OSD on it is down"),
        "{out}"
    );
    assert!(out.contains("max_fault_domains_down = 1  # inferred: no pool and rule exports"));
    assert!(!out.contains("[[quorum_group]]"), "no monitor export, no group");
}

fn support_path(relative: &str) -> std::path::PathBuf {
    crate::support::root().join(relative)
}

#[test]
fn pools_on_different_failure_domains_count_hosts() {
    let mut parts = exports("small");
    let pools: Value = serde_json::from_str(&parts[2].1).unwrap();
    let mut pools = pools.as_array().unwrap().clone();
    pools[1]["crush_rule"] = Value::from(0); // rbd on the host rule, the rest on racks
    pools[2]["min_size"] = Value::from(1); // a margin of 2 does not raise the limit
    parts[2].1 = Value::from(pools).to_string();
    let text = import_parts(&parts);
    assert!(
        !text.contains("[[fault_domain]]"),
        "each host is its own domain:\n{text}"
    );
    assert!(
        text.contains(
            "max_fault_domains_down = 1  # inferred: the smallest size - min_size over the pools \
             (pool .mgr); the pools' rules differ (rack, host), so each host counts on its own"
        ),
        "{text}"
    );
}

#[test]
fn monitors_off_the_osd_hosts_become_hosts() {
    let mut parts = exports("small");
    let mut mons: Value = serde_json::from_str(&parts[1].1).unwrap();
    mons["mons"][2]["name"] = Value::from("mon-arbiter");
    parts[1].1 = mons.to_string();
    let text = import_parts(&parts);
    assert!(text.contains("[[host]]\nname = \"mon-arbiter\"\n"), "{text}");
    assert!(text.contains("members = [\"ceph-1\", \"ceph-3\", \"mon-arbiter\"]"));
    assert!(text.contains("# note: monitor mon-arbiter runs on no OSD host"));
}

/// Replaces export `part` of the small set by `text` and returns the CLI's diagnostic.
fn broken(part: usize, text: String) -> String {
    let value: Value = serde_json::from_str(&text).unwrap();
    import_broken("ceph", &exports("small"), part, &move |v| *v = value.clone())
}

#[test]
fn malformed_exports_are_named_by_file_and_json_path() {
    let mut tree: Value = serde_json::from_str(&exports("small")[0].1).unwrap();
    tree["nodes"][3]["children"][0] = Value::from("osd.1");
    let stderr = broken(0, tree.to_string());
    assert!(
        stderr.contains("small-osd-tree.json: $.nodes[3].children[0]: expected an integer, found \"osd.1\""),
        "{stderr}"
    );

    let mut pools: Value = serde_json::from_str(&exports("small")[2].1).unwrap();
    pools[1]["min_size"] = Value::from(4);
    let stderr = broken(2, pools.to_string());
    assert!(
        stderr.contains("small-pools.json: $[1].min_size: min_size 4 is larger than size 3"),
        "{stderr}"
    );

    // A pool with no copy to spare (size = min_size) would need `max_fault_domains_down = 0`,
    // which no description may say: refused at the pool (found by the `import` fuzz target).
    let mut pools: Value = serde_json::from_str(&exports("small")[2].1).unwrap();
    pools[1]["min_size"] = Value::from(3);
    let stderr = broken(2, pools.to_string());
    assert!(
        stderr.contains("small-pools.json: $[1].min_size: min_size 3 equals size 3"),
        "{stderr}"
    );

    let mut rules: Value = serde_json::from_str(&exports("small")[3].1).unwrap();
    rules[1]["steps"][1].as_object_mut().unwrap().remove("type");
    let stderr = broken(3, rules.to_string());
    assert!(
        stderr.contains("small-rules.json: $[1].steps[1]: missing key \"type\""),
        "{stderr}"
    );

    let mut mons: Value = serde_json::from_str(&exports("small")[1].1).unwrap();
    mons["quorum"] = Value::from("0,1");
    let stderr = broken(1, mons.to_string());
    assert!(
        stderr.contains("small-mon-dump.json: $.quorum: expected an array, found \"0,1\""),
        "{stderr}"
    );
}

#[test]
fn an_export_set_without_the_tree_or_with_a_stranger_is_refused() {
    let (_dir, path) = temp_file("mons.json", &exports("small")[1].1);
    let (code, _, stderr) = run(&["import", "ceph", &path]);
    assert_eq!(code, Some(2));
    assert!(
        flat(&stderr).contains("no `ceph osd tree -f json` export among the files"),
        "{stderr}"
    );
    let (_dir, path) = temp_file("nodes.json", "{\"kind\": \"List\", \"items\": []}");
    let (code, _, stderr) = run(&["import", "ceph", &path]);
    assert_eq!(code, Some(2));
    assert!(
        flat(&stderr).contains("nodes.json: $: not an export quorate knows for ceph"),
        "{stderr}"
    );
}

/// The small set with `ceph osd metadata -f json` (`small-osd-metadata.json`, half-way through
/// an upgrade to 17.2.7; shape of the real capture `real-osd-metadata.json`, SOURCES.md).
fn exports_with_metadata() -> Vec<(String, String)> {
    let mut parts = exports("small");
    parts.extend(fixture_set("ceph", "small", &["osd-metadata"]));
    parts
}

/// The `version` of host `name` in a description, if it has one.
fn host_version<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let start = text
        .find(&format!("[[host]]\nname = \"{name}\"\n"))
        .unwrap_or_else(|| panic!("{name} in:\n{text}"));
    let end = text[start..].find("\n\n").map_or(text.len(), |e| start + e);
    text[start..end]
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .map(|v| v.trim_end_matches('"'))
}

#[test]
fn a_hosts_version_is_its_osds_when_they_agree() {
    let text = import_parts(&exports_with_metadata());
    for host in ["ceph-1", "ceph-2", "ceph-3"] {
        assert!(host_version(&text, host) == Some("17.2.7"), "{host}: {text}");
    }
    // osd.7 reports no short version: `16.2.15` is read out of its `ceph_version`.
    for host in ["ceph-5", "ceph-6"] {
        assert!(host_version(&text, host) == Some("16.2.15"), "{host}: {text}");
    }
    assert!(host_version(&text, "ceph-4").is_none(), "{text}");
    assert!(
        text.contains(
            "# note: host ceph-4: no version written, its OSDs run different versions (16.2.15 \
             on osd.7; 17.2.7 on osd.6), so it is planned\n"
        ),
        "{text}"
    );
}

#[test]
fn an_osd_without_metadata_leaves_its_host_without_a_version() {
    let mut parts = exports_with_metadata();
    // An OSD that never booted is listed with its id alone (OSDMonitor's `osd metadata`).
    let mut metadata: Value = serde_json::from_str(&parts[5].1).unwrap();
    metadata[0] = serde_json::json!({"id": 0});
    parts[5].1 = metadata.to_string();
    let text = import_parts(&parts);
    assert!(host_version(&text, "ceph-1").is_none(), "{text}");
    assert!(
        text.contains("# note: host ceph-1: no version written, osd.0 report(s) none"),
        "{text}"
    );
    assert!(host_version(&text, "ceph-2") == Some("17.2.7"));
}

/// The real capture of the harness's cluster (tests/e2e/ceph/cluster.sh, Ceph 16.2.15): every
/// OSD's metadata `hostname` is the one machine's, yet each CRUSH host gets its OSDs' version.
#[test]
fn the_real_capture_gives_each_crush_host_its_version() {
    let parts = fixture_set(
        "ceph",
        "real",
        &["osd-tree", "mon-dump", "pools", "rules", "osd-metadata"],
    );
    let text = import_parts(&parts);
    for host in ["ceph-a", "ceph-b", "ceph-c"] {
        assert!(host_version(&text, host) == Some("16.2.15"), "{host}: {text}");
    }
    assert!(!text.contains("# note: host"), "{text}");
}

#[test]
fn malformed_osd_metadata_is_named_by_json_path() {
    let parts = exports_with_metadata();
    let cases: [(usize, &str, Value, &str); 4] = [
        (
            2,
            "id",
            Value::from("osd.2"),
            "$[2].id: expected an integer, found \"osd.2\"",
        ),
        (
            3,
            "ceph_version_short",
            Value::from(17),
            "$[3].ceph_version_short: expected a string, found 17",
        ),
        (
            7,
            "ceph_version",
            Value::from("16.2.15"),
            "$[7].ceph_version: expected \"ceph version X.Y.Z (...)\", found \"16.2.15\"",
        ),
        (9, "id", Value::from(8), "$[9].id: osd.8 appears twice"),
    ];
    for (index, key, value, expected) in cases {
        let stderr = import_broken("ceph", &parts, 5, &|v| v[index][key] = value.clone());
        assert!(
            stderr.contains(&format!("small-osd-metadata.json: {expected}")),
            "{key}: {stderr}"
        );
    }
}

/// Half-way through the upgrade to 17.2.7: the hosts whose OSDs all run it are done and not
/// planned; ceph-4 (mixed), ceph-5 and ceph-6 are the rest (tests/import/done.rs does the
/// same for Kubernetes).
#[test]
fn a_ceph_cluster_re_imported_half_way_plans_only_the_rest() {
    let mut parts = exports_with_metadata();
    // ceph-6's OSDs back up: with its rack down, the fault-domain limit would leave no plan.
    let mut tree: Value = serde_json::from_str(&parts[0].1).unwrap();
    for node in tree["nodes"].as_array_mut().unwrap() {
        if node["type"] == "osd" {
            node["status"] = Value::from("up");
        }
    }
    parts[0].1 = tree.to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, text) in &parts {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        files.push(path.to_str().unwrap().to_string());
    }
    let mut args = vec!["import".to_string(), "ceph".to_string()];
    args.extend(files.iter().cloned());
    let out = dir.path().join("half.toml");
    let out = out.to_str().unwrap().to_string();
    args.extend(["--target-version", "17.2.7", "--out", &out].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, stderr) = run(&args);
    assert_eq!(code, Some(0), "{stderr}");

    let (code, summary, stderr) = run(&["check", &out]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        summary.contains("already done     3 hosts at 17.2.7, not planned: ceph-1, ceph-2, ceph-3\n"),
        "{summary}"
    );
    let (code, plan, stderr) = run(&["plan", &out, "-o", "json", "--time-limit", "5"]);
    assert_eq!(code, Some(0), "{stderr}");
    let plan: Value = serde_json::from_str(&plan).unwrap();
    let mut planned: Vec<&str> = plan["waves"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["hosts"].as_array().unwrap())
        .map(|h| h.as_str().unwrap())
        .collect();
    planned.sort();
    assert_eq!(planned, ["ceph-4", "ceph-5", "ceph-6"]);
    let done: Vec<&str> = plan["summary"]["already_done"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(done, ["ceph-1", "ceph-2", "ceph-3"]);

    // `verify` decides the first wave's check that the done hosts run what they claim, from
    // the OSD metadata: it passes now; with osd.0 back on the old version ceph-1 has no one
    // version (manual), and with osd.1 too it runs the old one (fail).
    let plan_path = dir.path().join("plan.json");
    std::fs::write(&plan_path, plan.to_string()).unwrap();
    let done_check = |files: &[String]| -> Value {
        let mut args = vec!["verify", &out, plan_path.to_str().unwrap(), "--wave", "1"];
        args.extend(["-o", "json"]);
        args.extend(files.iter().map(String::as_str));
        let (_, stdout, stderr) = run(&args);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "version" && c["subject"] == "ceph-1, ceph-2, ceph-3")
            .unwrap_or_else(|| panic!("no version check of the done hosts: {report}"))
            .clone()
    };
    let check = done_check(&files);
    assert_eq!(check["result"], "pass", "{check}");
    assert_eq!(check["observed"], "17.2.7 on all 3", "{check}");
    let mut metadata: Value = serde_json::from_str(&parts[5].1).unwrap();
    metadata[0]["ceph_version_short"] = Value::from("16.2.15");
    let stale = dir.path().join("stale-osd-metadata.json");
    std::fs::write(&stale, metadata.to_string()).unwrap();
    files[5] = stale.to_str().unwrap().to_string();
    let check = done_check(&files);
    assert_eq!(check["result"], "manual", "{check}");
    metadata[1]["ceph_version_short"] = Value::from("16.2.15");
    std::fs::write(&stale, metadata.to_string()).unwrap();
    let check = done_check(&files);
    assert_eq!(check["result"], "fail", "{check}");
    assert!(check["observed"].as_str().unwrap().contains("16.2.15"), "{check}");
}
