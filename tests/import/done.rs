//! Hosts and components already at their target version are done (cluster-format "Semantics"):
//! an operator who stops half-way re-imports the live cluster and plans only the rest. `check`,
//! `plan` (text and JSON) and `validate` (text and JSON) all say the same.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{fixture, fixture_paths, flat, read, run, temp_file};

/// Every host and component name listed in the waves of a plan document.
fn planned(plan: &Value) -> BTreeSet<String> {
    plan["waves"]
        .as_array()
        .expect("waves")
        .iter()
        .flat_map(|w| w["hosts"].as_array().expect("hosts").iter())
        .map(|h| h.as_str().expect("a name").to_string())
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn plan_json(description: &str) -> Value {
    let (code, stdout, stderr) = run(&["plan", description, "-o", "json", "--time-limit", "5"]);
    assert_eq!(code, Some(0), "plan failed:\n{stderr}");
    serde_json::from_str(&stdout).expect("plan JSON")
}

/// The small kubectl export, with cp-1, worker-1 and worker-2 already on the target kubelet:
/// a cluster stopped half-way through the upgrade.
fn half_way_kubernetes() -> String {
    let mut list: Value = serde_json::from_str(&read(&fixture("kubernetes", "small.json"))).unwrap();
    for item in list["items"].as_array_mut().unwrap() {
        let name = item["metadata"]["name"].as_str().unwrap_or_default();
        if item["kind"] == "Node" && ["cp-1", "worker-1", "worker-2"].contains(&name) {
            item["status"]["nodeInfo"]["kubeletVersion"] = Value::from("v1.30.1");
        }
    }
    list.to_string()
}

fn import_to(dir: &tempfile::TempDir, name: &str, args: &[&str]) -> String {
    let out = dir.path().join(name);
    let out = out.to_str().unwrap().to_string();
    let mut all = args.to_vec();
    all.extend_from_slice(&["--out", &out]);
    let (code, _, stderr) = run(&all);
    assert_eq!(code, Some(0), "import failed:\n{stderr}");
    out
}

/// `quorate import kubernetes` as an operator runs it for this cluster, before the files.
const K8S_IMPORT: [&str; 6] = [
    "import",
    "kubernetes",
    "--name",
    "shop",
    "--target-version",
    "v1.30.1",
];

/// The half-way export imported into a temporary folder: the folder and the description.
fn import_half_way() -> (tempfile::TempDir, String) {
    let (dir, export) = temp_file("half.json", &half_way_kubernetes());
    let half = import_to(&dir, "half.toml", &[&K8S_IMPORT[..], &[export.as_str()]].concat());
    (dir, half)
}

#[test]
fn a_kubernetes_cluster_re_imported_half_way_plans_only_the_rest() {
    let (dir, half) = import_half_way();

    let (code, summary, stderr) = run(&["check", &half]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        summary.contains("already done     3 hosts at v1.30.1, not planned: cp-1, worker-1, worker-2\n"),
        "{summary}"
    );

    let plan = plan_json(&half);
    // worker-4 (cordoned) and worker-5 (NotReady) are unavailable, the rest is still on v1.29.4.
    assert_eq!(planned(&plan), names(&["cp-2", "cp-3", "worker-3"]));
    let done: Vec<(&str, &str, &str)> = plan["summary"]["already_done"]
        .as_array()
        .expect("already_done in the summary")
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap(),
                d["kind"].as_str().unwrap(),
                d["version"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        done,
        [
            ("cp-1", "host", "v1.30.1"),
            ("worker-1", "host", "v1.30.1"),
            ("worker-2", "host", "v1.30.1")
        ]
    );
    // The etcd order rule (control plane first) still holds for the two members left.
    let first: Vec<&str> = plan["waves"][0]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert!(first.iter().all(|h| h.starts_with("cp-")), "{first:?}");

    let (code, text, stderr) = run(&["plan", &half, "-o", "text", "--time-limit", "5"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        text.contains("\n  3 hosts already at v1.30.1, not planned: cp-1, worker-1, worker-2\n"),
        "{text}"
    );
    // The runbook's first wave still checks that the done hosts run what they claim.
    assert!(
        text.contains("cp-1, worker-1, worker-2: run v1.30.1, as declared"),
        "{text}"
    );

    // The plan of the rest validates against the half-way description.
    let plan_path = dir.path().join("rest.json");
    std::fs::write(&plan_path, plan.to_string()).unwrap();
    let (code, _, stderr) = run(&["validate", &half, plan_path.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
}

/// The plan made before the upgrade started lists the hosts that are done now: `validate`
/// rejects it, pointing at each such entry, in text and in JSON.
#[test]
fn a_plan_that_still_lists_a_done_host_is_rejected_at_the_entry() {
    let (dir, half) = import_half_way();
    let small = fixture("kubernetes", "small.json");
    let full = import_to(
        &dir,
        "full.toml",
        &[&K8S_IMPORT[..], &[small.to_str().unwrap()]].concat(),
    );
    let (code, old, stderr) = run(&["plan", &full, "-o", "toml", "--time-limit", "5"]);
    assert_eq!(code, Some(0), "{stderr}");
    let old_path = dir.path().join("old.toml");
    std::fs::write(&old_path, &old).unwrap();
    let old_path = old_path.to_str().unwrap();

    let (code, report, _) = run(&["validate", "-o", "json", &half, old_path]);
    assert_eq!(code, Some(1));
    let report: Value = serde_json::from_str(&report).expect("validation JSON");
    let done: BTreeSet<String> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["code"] == "already_done")
        .map(|v| v["subject"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(done, names(&["cp-1", "worker-1", "worker-2"]));
    // Nothing else is wrong but the moves off those hosts, which say why.
    for v in report["violations"].as_array().unwrap() {
        match v["code"].as_str().unwrap() {
            "already_done" => {}
            "move_invalid" => assert!(
                v["message"]
                    .as_str()
                    .unwrap()
                    .contains("already runs its target version"),
                "{v}"
            ),
            other => panic!("unexpected {other}: {v}"),
        }
    }

    let (code, _, stderr) = run(&["validate", &half, old_path]);
    assert_eq!(code, Some(1));
    let line = old
        .lines()
        .position(|l| l == "hosts = [\"cp-1\"]")
        .expect("cp-1 has a wave of its own in the old plan")
        + 1;
    let flat = flat(&stderr);
    assert!(
        flat.contains("host `cp-1` in wave 1 already runs v1.30.1, its target version: the plan does not upgrade it again"),
        "{flat}"
    );
    assert!(
        stderr.contains(&format!("old.toml:{line}:10]")),
        "points at the entry:\n{stderr}"
    );
}

/// govc's large export (64 hosts on 8.0.2) with the first 40 hosts already on 8.0.3: only the
/// other 24 are planned.
#[test]
fn a_vsphere_cluster_with_hosts_at_the_target_plans_only_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let paths = fixture_paths("vsphere", "large", &["hosts", "vms", "rules"]);
    let mut hosts: Value = serde_json::from_str(&read(std::path::Path::new(&paths[0]))).unwrap();
    let mut done = BTreeSet::new();
    for host in hosts["hostSystems"].as_array_mut().unwrap().iter_mut().take(40) {
        host["summary"]["config"]["product"]["version"] = Value::from("8.0.3");
        done.insert(host["summary"]["config"]["name"].as_str().unwrap().to_string());
    }
    let hosts_path = dir.path().join("hosts.json");
    std::fs::write(&hosts_path, hosts.to_string()).unwrap();
    let mut args = vec!["import", "vsphere", "--target-version", "8.0.3"];
    args.push(hosts_path.to_str().unwrap());
    args.extend(paths[1..].iter().map(String::as_str));
    let description = import_to(&dir, "lab.toml", &args);
    let plan = plan_json(&description);
    let listed = planned(&plan);
    assert_eq!(listed.len(), 24, "{listed:?}");
    assert!(listed.is_disjoint(&done), "{listed:?}");
    let reported: BTreeSet<String> = plan["summary"]["already_done"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reported, done);
}

/// Written by hand: esx-02 is done and is the only host with room for esx-01's VM. A done host
/// is up in every wave and takes workloads.
const ROOM_ON_A_DONE_HOST: &str = r#"
[cluster]
name = "two"
platform = "vsphere"

[defaults]
target_version = "8.0.3"

[[host]]
name = "esx-01"
cpu = 16
memory_gib = 128
version = "8.0.2"

[[host]]
name = "esx-02"
cpu = 16
memory_gib = 128
version = "8.0.3"

[[component]]
name = "vcenter"
version = "8.0.3"

[[component]]
name = "nsx"
version = "4.1"
target_version = "4.2"

[[workload]]
name = "db"
host = "esx-01"
cpu = 8
memory_gib = 64

[[quorum_group]]
name = "pair"
members = ["esx-01", "esx-02"]
quorum = 1

[[order]]
before = ["vcenter"]
after = ["esx-01"]
"#;

#[test]
fn a_done_host_is_up_and_takes_the_evacuation() {
    let (_dir, path) = temp_file("two.toml", ROOM_ON_A_DONE_HOST);
    let (code, summary, stderr) = run(&["check", &path]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        summary.contains("already done     2 items at 8.0.3, not planned: esx-02, vcenter\n"),
        "{summary}"
    );
    let plan = plan_json(&path);
    // vcenter is done, so the order rule no longer holds esx-01 back, and nsx (exclusive) and
    // esx-01 are the whole plan; esx-01's VM goes to the done esx-02.
    assert_eq!(planned(&plan), names(&["esx-01", "nsx"]));
    assert_eq!(plan["summary"]["waves"], 2);
    let moves: Vec<(&str, &str)> = plan["waves"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["moves"].as_array().unwrap().iter())
        .map(|m| (m["workload"].as_str().unwrap(), m["to"].as_str().unwrap()))
        .collect();
    assert_eq!(moves, [("db", "esx-02")]);
}

/// The same cluster with the VM too large for esx-02: no safe plan, because the done host's
/// room is the only room. (Proves the test above does not pass for want of a capacity rule.)
#[test]
fn a_done_host_with_too_little_room_blocks_the_evacuation() {
    let text = ROOM_ON_A_DONE_HOST.replace("cpu = 8\n", "cpu = 17\n");
    let (_dir, path) = temp_file("two.toml", &text);
    let (code, _, stderr) = run(&["plan", &path, "--time-limit", "5"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(flat(&stderr).contains("db"), "{stderr}");
}
