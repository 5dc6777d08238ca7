//! Proxmox VE: `pvesh get /cluster/resources`, `/cluster/status` and `/cluster/ha/resources`,
//! all with `--output-format json`.
//!
//! `small-*.json` and `large-*.json` are written by `make_fixtures.py` in the shape pve-manager
//! declares for these API methods (SOURCES.md).

use quorate::model::{HostState, Migration, Platform};
use serde_json::Value;

use super::{fixture, fixture_paths, fixture_set, flat, import_check_plan, import_set, run};

fn small() -> Vec<(String, String)> {
    fixture_set("proxmox", "small", &["resources", "status", "ha"])
}

fn import_parts(parts: &[(String, String)]) -> String {
    import_set(Platform::Proxmox, parts)
}

#[test]
fn the_small_cluster_imports_as_the_mapping_says() {
    let text = import_parts(&small());
    insta::assert_snapshot!("proxmox_small", text);
    let cluster = crate::support::load_ok("imported.toml", &text).cluster;
    assert_eq!(cluster.name, "lab-pve", "from /cluster/status");
    let pve4 = cluster.hosts.iter().find(|h| h.name == "pve4").unwrap();
    assert_eq!(pve4.state, HostState::Maintenance, "HA maintenance mode");
    let migration = |name: &str| {
        cluster
            .workloads
            .iter()
            .find(|w| w.name == name)
            .unwrap_or_else(|| panic!("{name}"))
            .migration
    };
    assert_eq!(migration("db-1"), Migration::Live, "qemu");
    assert_eq!(migration("dns-1"), Migration::Restart, "lxc");
    assert_eq!(migration("standby"), Migration::Live, "stopped but HA-managed");
    // Two guests named web-1 are told apart by their vmid.
    assert_eq!(migration("web-1-100"), Migration::Live);
    assert_eq!(migration("web-1-201"), Migration::Restart);
    let names: Vec<&str> = cluster.workloads.iter().map(|w| w.name.as_str()).collect();
    assert!(!names.contains(&"old-test"), "stopped, not HA-managed");
    assert!(
        !names.iter().any(|n| n.contains("template")),
        "templates are not guests"
    );
    assert_eq!(cluster.quorum_groups[0].name, "corosync");
    assert_eq!(cluster.quorum_groups[0].quorum, 3, "majority of 4");
}

#[test]
fn ha_resources_mark_stopped_guests_as_managed() {
    // Without `hastate` in the resources, the HA resource list alone says vm:103 is managed.
    let mut parts = small();
    let mut resources: Value = serde_json::from_str(&parts[0].1).unwrap();
    for item in resources.as_array_mut().unwrap() {
        item.as_object_mut().unwrap().remove("hastate");
    }
    parts[0].1 = resources.to_string();
    assert!(import_parts(&parts).contains("name = \"standby\""));
    parts.pop();
    assert!(!import_parts(&parts).contains("name = \"standby\""));
}

#[test]
fn corosync_votes_come_from_the_node_list() {
    // `pvesh get /cluster/config/nodes`: pve1 has 2 votes, so 5 in all and a quorum of 3.
    let mut parts = small();
    let nodes = fixture("proxmox", "small-config-nodes.json");
    parts.push(("nodes.json".to_string(), std::fs::read_to_string(nodes).unwrap()));
    let text = import_parts(&parts);
    assert!(text.contains("votes = { \"pve1\" = 2 }"), "{text}");
    assert!(text.contains("with their corosync votes"), "{text}");
    let cluster = crate::support::load_ok("imported.toml", &text).cluster;
    let group = &cluster.quorum_groups[0];
    assert_eq!(group.quorum, 3, "majority of 5 votes");
    let votes: Vec<u64> = group.members.iter().map(|m| m.votes).collect();
    assert_eq!(votes.iter().sum::<u64>(), 5, "{votes:?}");
    // The node list in any position gives the same description.
    parts.rotate_right(1);
    assert_eq!(import_parts(&parts), text);
    // Without it, one vote each, and the comment says why.
    let text = import_parts(&small());
    assert!(!text.contains("votes = {"), "{text}");
    assert!(text.contains("no `/cluster/config/nodes` export"), "{text}");
}

#[test]
fn the_large_cluster_imports_checks_and_plans() {
    let paths = fixture_paths("proxmox", "large", &["resources", "status"]);
    let summary = import_check_plan("proxmox", &[&paths[0], &paths[1]]);
    assert!(summary.contains("hosts            52 (52 ready)"), "{summary}");
    assert!(
        summary.contains("workloads        416 (312 live, 104 restart, 0 none)"),
        "{summary}"
    );
}

#[test]
fn an_export_read_from_standard_input_is_recognised_too() {
    let parts = small();
    let status = fixture("proxmox", "small-status.json");
    let output = crate::support::quorate()
        .args(["import", "proxmox", "-", status.to_str().unwrap()])
        .write_stdin(parts[0].1.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("name = \"db-1\""), "{stdout}");
}

#[test]
fn malformed_exports_are_named_by_file_and_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let parts = small();
    let status = write("status.json", parts[1].1.clone());
    let mut resources: Value = serde_json::from_str(&parts[0].1).unwrap();
    resources[1]["maxmem"] = Value::from("lots");
    let bad = write("resources.json", resources.to_string());
    let (code, _, stderr) = run(&["import", "proxmox", &bad, &status]);
    assert_eq!(code, Some(2));
    assert!(
        flat(&stderr).contains("resources.json: $[1].maxmem: expected a number, found \"lots\""),
        "{stderr}"
    );
    let mut resources: Value = serde_json::from_str(&parts[0].1).unwrap();
    resources[4].as_object_mut().unwrap().remove("vmid");
    let bad = write("resources.json", resources.to_string());
    let (code, _, stderr) = run(&["import", "proxmox", &bad]);
    assert_eq!(code, Some(2));
    assert!(
        flat(&stderr).contains("resources.json: $[4]: missing key \"vmid\""),
        "{stderr}"
    );
    let nodes = write(
        "nodes.json",
        "[{\"node\": \"pve1\", \"nodeid\": \"1\", \"quorum_votes\": \"1.5\"}]".to_string(),
    );
    let (code, _, stderr) = run(&["import", "proxmox", &status, &nodes]);
    assert_eq!(code, Some(2));
    assert!(
        flat(&stderr).contains("nodes.json: $[0].quorum_votes: expected a whole number of votes"),
        "{stderr}"
    );
    let ha = write("ha.json", "[{\"sid\": \"vm-101\"}]".to_string());
    let good = write("ok.json", parts[0].1.clone());
    let (code, _, stderr) = run(&["import", "proxmox", &good, &ha]);
    assert_eq!(code, Some(2));
    assert!(
        flat(&stderr).contains("ha.json: $[0].sid: expected a service id such as \"vm:100\""),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["import", "proxmox", &status]);
    assert_eq!(code, Some(2));
    assert!(
        flat(&stderr).contains("no `pvesh get /cluster/resources` export"),
        "{stderr}"
    );
}

mod ha;
