//! `quorate drift`: every kind of difference between a description and the live exports,
//! found and pointed at; agreement found too; exit codes 0, 1 and 2.
//!
//! Each case imports a fixture of `tests/fixtures/import/` as the description, changes one
//! thing in the live exports, and checks the one difference it must cause, by its code, its
//! live value and the line of the description it points at.

use quorate::Source;
use quorate::import::{ImportOptions, render};
use quorate::model::Platform;
use serde_json::Value;

use crate::support;

fn fixture(platform: &str, name: &str) -> String {
    let path = support::root()
        .join("tests/fixtures/import")
        .join(platform)
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The description `quorate import` writes for `files`.
fn described(platform: Platform, files: &[(String, String)]) -> String {
    let sources: Vec<Source> = files
        .iter()
        .map(|(n, t)| Source::new(n.as_str(), t.as_str()))
        .collect();
    let live = quorate::live::parse(platform, &sources).expect("the fixture imports");
    render(&live, &ImportOptions::default())
}

/// Runs `quorate drift cluster.toml FILES... -o json`; returns the exit code and the document.
fn drift_json(description: &str, files: &[(String, String)]) -> (Option<i32>, Value) {
    let dir = tempfile::tempdir().unwrap();
    let cluster = dir.path().join("cluster.toml");
    std::fs::write(&cluster, description).unwrap();
    let mut args = vec![
        "drift".to_string(),
        cluster.to_str().unwrap().to_string(),
        "-o".to_string(),
        "json".to_string(),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        args.push(path.to_str().unwrap().to_string());
    }
    let output = support::quorate().args(&args).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let document = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    (output.status.code(), document)
}

fn kubernetes() -> (String, Value) {
    let text = fixture("kubernetes", "small.json");
    let description = described(Platform::Kubernetes, &[("small.json".to_string(), text.clone())]);
    (description, serde_json::from_str(&text).unwrap())
}

pub(crate) fn item<'v>(list: &'v mut Value, kind: &str, name: &str) -> &'v mut Value {
    list["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["kind"] == kind && i["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{kind} {name}"))
}

fn remove(list: &mut Value, kind: &str, name: &str) {
    list["items"]
        .as_array_mut()
        .unwrap()
        .retain(|i| !(i["kind"] == kind && i["metadata"]["name"] == name));
}

/// The differences (code, subject, live) drift finds after `change`, and the lines they point
/// at, with the description's text for checking those lines.
fn kubernetes_drift(change: impl FnOnce(&mut Value)) -> (Vec<(String, String, String)>, Vec<String>) {
    let (description, mut list) = kubernetes();
    change(&mut list);
    let (code, document) = drift_json(&description, &[("live.json".to_string(), list.to_string())]);
    let differences = document["differences"].as_array().unwrap();
    assert_eq!(code, Some(if differences.is_empty() { 0 } else { 1 }));
    assert_eq!(document["drift"], !differences.is_empty());
    let lines: Vec<&str> = description.lines().collect();
    let found = differences
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["subject"].as_str().unwrap().to_string(),
                d["live"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let pointed = differences
        .iter()
        .map(|d| lines[d["line"].as_u64().unwrap() as usize - 1].to_string())
        .collect();
    (found, pointed)
}

fn one(code: &str, subject: &str, live: &str) -> Vec<(String, String, String)> {
    vec![(code.to_string(), subject.to_string(), live.to_string())]
}

#[test]
fn an_unchanged_cluster_agrees() {
    let (found, _) = kubernetes_drift(|_| {});
    assert_eq!(found, vec![]);
    let (description, list) = kubernetes();
    let dir = tempfile::tempdir().unwrap();
    let (cluster, live) = (dir.path().join("c.toml"), dir.path().join("l.json"));
    std::fs::write(&cluster, description).unwrap();
    std::fs::write(&live, list.to_string()).unwrap();
    let output = support::quorate()
        .args(["drift", cluster.to_str().unwrap(), live.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.ends_with("agrees with the live cluster (8 hosts, 8 workloads compared)\n"));
}

#[test]
fn hosts_added_and_missing() {
    let (found, pointed) = kubernetes_drift(|list| {
        let mut extra = item(list, "Node", "worker-1").clone();
        extra["metadata"]["name"] = Value::from("worker-9");
        list["items"].as_array_mut().unwrap().push(extra);
    });
    assert_eq!(found, one("host_added", "worker-9", "worker-9"));
    assert_eq!(pointed, vec!["[[host]]"], "at the last declared host");

    let (found, pointed) = kubernetes_drift(|list| remove(list, "Node", "worker-2"));
    // Its pods are left out too (they run on a node the export does not list), and zk-pdb's
    // 50% of the two zk pods left is 1, not 2.
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(found[0], one("host_missing", "worker-2", "absent")[0]);
    assert_eq!(pointed[0], "name = \"worker-2\"");
    assert_eq!(
        codes,
        [
            "host_missing",
            "workload_missing",
            "workload_missing",
            "workload_missing",
            "budget"
        ]
    );
    assert_eq!(found[4], one("budget", "shop/zk-pdb", "min_available = 1")[0]);
}

#[test]
fn versions_states_and_capacity() {
    let (found, pointed) = kubernetes_drift(|list| {
        item(list, "Node", "worker-1")["status"]["nodeInfo"]["kubeletVersion"] = Value::from("v1.30.1");
    });
    assert_eq!(found, one("version", "worker-1", "v1.30.1"));
    assert_eq!(pointed, vec!["version = \"v1.29.4\""]);

    let (found, pointed) = kubernetes_drift(|list| {
        item(list, "Node", "worker-2")["spec"]["unschedulable"] = Value::from(true);
    });
    assert_eq!(found, one("state", "worker-2", "maintenance"));
    assert_eq!(
        pointed,
        vec!["name = \"worker-2\""],
        "no state key: at the host's name"
    );

    let (found, pointed) = kubernetes_drift(|list| {
        item(list, "Node", "worker-5")["status"]["conditions"][1]["status"] = Value::from("True");
    });
    assert_eq!(found, one("state", "worker-5", "ready"));
    assert_eq!(pointed, vec!["state = \"down\"  # NotReady"]);

    let (found, pointed) = kubernetes_drift(|list| {
        item(list, "Node", "worker-3")["status"]["allocatable"]["cpu"] = Value::from("15800m");
    });
    assert_eq!(found, one("capacity", "worker-3", "15.8"));
    assert_eq!(pointed, vec!["cpu = 7.8"]);

    // Half a percent is rounding, not drift.
    let (found, _) = kubernetes_drift(|list| {
        item(list, "Node", "worker-3")["status"]["allocatable"]["cpu"] = Value::from("7830m");
    });
    assert_eq!(found, vec![]);
}

#[test]
fn workloads_added_removed_resized_and_moved() {
    let (found, pointed) = kubernetes_drift(|list| {
        let mut extra = item(list, "Pod", "zk-0").clone();
        extra["metadata"]["name"] = Value::from("zk-3");
        list["items"].as_array_mut().unwrap().push(extra);
    });
    assert_eq!(found, one("workload_added", "shop/zk-3", "worker-1"));
    assert_eq!(pointed, vec!["[[workload]]"]);

    let (found, pointed) = kubernetes_drift(|list| remove(list, "Pod", "debug"));
    assert_eq!(found, one("workload_missing", "shop/debug", "absent"));
    assert_eq!(pointed, vec!["name = \"shop/debug\""]);

    let (found, pointed) = kubernetes_drift(|list| {
        item(list, "Pod", "web-5d9c-1")["spec"]["containers"][0]["resources"]["requests"]["memory"] =
            Value::from("1Gi");
    });
    assert_eq!(found, one("workload_resized", "shop/web-5d9c-1", "1.063"));
    assert_eq!(pointed, vec!["memory_gib = 0.313"]);

    let (found, pointed) = kubernetes_drift(|list| {
        item(list, "Pod", "zk-1")["spec"]["nodeName"] = Value::from("worker-4");
    });
    assert_eq!(found, one("workload_moved", "shop/zk-1", "worker-4"));
    assert_eq!(pointed, vec!["host = \"worker-2\""]);
}

#[test]
fn quorum_members_missing_or_down() {
    let (found, pointed) = kubernetes_drift(|list| {
        item(list, "Node", "cp-2")["status"]["conditions"][1]["status"] = Value::from("False");
    });
    assert_eq!(
        found,
        vec![
            ("state".to_string(), "cp-2".to_string(), "down".to_string()),
            (
                "quorum_member_down".to_string(),
                "etcd".to_string(),
                "down".to_string()
            ),
        ]
    );
    assert_eq!(pointed[1], "members = [\"cp-1\", \"cp-2\", \"cp-3\"]");

    let (found, _) = kubernetes_drift(|list| {
        remove(list, "Node", "cp-3");
        remove(list, "Pod", "etcd-cp-3");
    });
    assert!(
        found.contains(&one("quorum_member_missing", "etcd", "absent")[0]),
        "{found:?}"
    );
}

#[test]
fn budgets_that_changed_or_allow_no_disruption() {
    let (found, pointed) = kubernetes_drift(|list| {
        item(list, "PodDisruptionBudget", "web-pdb")["status"]["disruptionsAllowed"] = Value::from(0);
    });
    assert_eq!(found, one("budget", "shop/web-pdb", "disruptionsAllowed = 0"));
    assert_eq!(pointed, vec!["name = \"shop/web-pdb\""]);

    let (found, pointed) = kubernetes_drift(|list| {
        item(list, "PodDisruptionBudget", "web-pdb")["spec"]["maxUnavailable"] = Value::from(2);
    });
    assert_eq!(found, one("budget", "shop/web-pdb", "max_unavailable = 2"));
    assert_eq!(pointed, vec!["max_unavailable = 1"]);
}

fn ceph_parts() -> Vec<(String, String)> {
    ["osd-tree", "mon-dump", "pools", "rules", "health"]
        .iter()
        .map(|p| {
            let name = format!("small-{p}.json");
            let text = fixture("ceph", &name);
            (name, text)
        })
        .collect()
}

#[test]
fn ceph_health_and_monitors_out_of_quorum() {
    let mut parts = ceph_parts();
    let mut mons: Value = serde_json::from_str(&parts[1].1).unwrap();
    mons["quorum"] = serde_json::json!([0, 1, 2]);
    parts[1].1 = mons.to_string();
    parts[4].1 = serde_json::json!({"status": "HEALTH_OK", "checks": {}, "mutes": []}).to_string();
    let description = described(Platform::Ceph, &parts);
    let (code, document) = drift_json(&description, &parts);
    assert_eq!((code, document["drift"].clone()), (Some(0), Value::from(false)));

    // The fixture as captured: HEALTH_WARN, and ceph-5 out of the monitors' quorum.
    let (code, document) = drift_json(&description, &ceph_parts());
    assert_eq!(code, Some(1));
    let codes: Vec<&str> = document["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["quorum_member_down", "health"]);
    assert_eq!(document["differences"][1]["live"], "HEALTH_WARN");
    assert!(
        document["differences"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ceph-mon member ceph-5 is out of quorum now")
    );
}

#[test]
fn the_text_form_points_at_the_key() {
    let (description, mut list) = kubernetes();
    item(&mut list, "Node", "worker-1")["status"]["nodeInfo"]["kubeletVersion"] = Value::from("v1.30.1");
    let dir = tempfile::tempdir().unwrap();
    let (cluster, live) = (dir.path().join("cluster.toml"), dir.path().join("l.json"));
    std::fs::write(&cluster, description).unwrap();
    std::fs::write(&live, list.to_string()).unwrap();
    let output = support::quorate()
        .current_dir(dir.path())
        .args(["drift", "cluster.toml", "l.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"");
    insta::assert_snapshot!("drift_version_text", String::from_utf8(output.stderr).unwrap());
}

#[test]
fn unreadable_input_is_exit_2() {
    let (description, list) = kubernetes();
    let dir = tempfile::tempdir().unwrap();
    let cluster = dir.path().join("c.toml");
    std::fs::write(&cluster, &description).unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\"}]}").unwrap();
    let run = |args: &[&str]| {
        let output = support::quorate().args(args).output().unwrap();
        (output.status.code(), String::from_utf8(output.stderr).unwrap())
    };
    let (code, stderr) = run(&["drift", cluster.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("bad.json: $.items[0]: missing key \"metadata\""),
        "{stderr}"
    );

    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "[[host]]\nname = 1\n").unwrap();
    let live = dir.path().join("l.json");
    std::fs::write(&live, list.to_string()).unwrap();
    let (code, _) = run(&["drift", broken.to_str().unwrap(), live.to_str().unwrap()]);
    assert_eq!(code, Some(2), "an invalid description");

    let nutanix = dir.path().join("n.toml");
    std::fs::write(
        &nutanix,
        "[cluster]\nplatform = \"nutanix\"\n\n[[host]]\nname = \"ahv-1\"\ncpu = 8\nmemory_gib = 64\n",
    )
    .unwrap();
    let (code, stderr) = run(&["drift", nutanix.to_str().unwrap(), live.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("describes a nutanix cluster"), "{stderr}");
}

#[test]
fn proxmox_guests_moved_and_nodes_offline() {
    let parts: Vec<(String, String)> = ["resources", "status", "ha"]
        .iter()
        .map(|p| {
            let name = format!("small-{p}.json");
            let text = fixture("proxmox", &name);
            (name, text)
        })
        .collect();
    let description = described(Platform::Proxmox, &parts);
    let (code, _) = drift_json(&description, &parts);
    assert_eq!(code, Some(0));

    let mut changed = parts.clone();
    let mut resources: Value = serde_json::from_str(&changed[0].1).unwrap();
    let db = resources
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["name"] == "db-1")
        .unwrap();
    db["node"] = Value::from("pve1");
    changed[0].1 = resources.to_string();
    let mut status: Value = serde_json::from_str(&changed[1].1).unwrap();
    status[2]["online"] = Value::from(0); // pve2
    changed[1].1 = status.to_string();
    let (code, document) = drift_json(&description, &changed);
    assert_eq!(code, Some(1));
    let found: Vec<(&str, &str, &str)> = document["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["subject"].as_str().unwrap(),
                d["live"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("state", "pve2", "down"),
            ("workload_moved", "db-1", "pve1"),
            ("quorum_member_down", "corosync", "down"),
        ]
    );
}
