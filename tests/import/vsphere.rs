//! vSphere through govc: `govc host.info -json`, `govc vm.info -json -r`,
//! `govc cluster.rule.info -json` and `govc cluster.group.ls -l -json`.
//!
//! `small-*.json` and `large-*.json` are written by `make_fixtures.py` with govmomi's field
//! names (SOURCES.md).

use quorate::model::{HostState, Platform};
use serde_json::Value;

use super::{fixture_paths, fixture_set, import_broken, import_check_plan, import_set};

const PARTS: [&str; 4] = ["hosts", "vms", "rules", "groups"];

fn set(name: &str) -> Vec<(String, String)> {
    fixture_set("vsphere", name, &PARTS)
}

fn import_parts(platform: Platform, parts: &[(String, String)]) -> String {
    import_set(platform, parts)
}

#[test]
fn the_small_cluster_imports_as_the_mapping_says() {
    let text = import_parts(Platform::Vsphere, &set("small"));
    insta::assert_snapshot!("vsphere_small", text);
    let cluster = crate::support::load_ok("imported.toml", &text).cluster;
    let host = |name: &str| cluster.hosts.iter().find(|h| h.name == name).unwrap();
    assert_eq!(host("esx-04.lab.example").state, HostState::Maintenance);
    assert_eq!(host("esx-03.lab.example").version.as_deref(), Some("8.0.1"));
    let names: Vec<&str> = cluster.workloads.iter().map(|w| w.name.as_str()).collect();
    assert!(!names.contains(&"old-app"), "powered off");
    assert!(!names.contains(&"ubuntu-template"), "a template");
    assert!(
        names.contains(&"test-vm-2008") && names.contains(&"test-vm-2009"),
        "{names:?}"
    );
    assert_eq!(
        cluster.anti_affinity.len(),
        1,
        "only the VM-VM anti-affinity rule"
    );
    // VM-Host rules: an affine host group, and an anti-affine one (all hosts but esx-04).
    let allowed = |name: &str| {
        let w = cluster.workloads.iter().find(|w| w.name == name).unwrap();
        let hosts = w.allowed_hosts.as_ref().map(|hosts| {
            hosts
                .iter()
                .map(|h| cluster.hosts[h.index()].name.as_str())
                .collect::<Vec<_>>()
        });
        hosts.unwrap_or_default()
    };
    let first_three = ["esx-01.lab.example", "esx-02.lab.example", "esx-03.lab.example"];
    assert_eq!(allowed("db-01"), first_three);
    assert_eq!(allowed("web-02"), first_three);
    assert!(allowed("db-03").is_empty(), "not in a VM group");
    assert!(text.contains("each taken as a \"must\" rule"), "{text}");
    // A vSAN cluster reads the same exports.
    let vsan = import_parts(Platform::Vsan, &set("small"));
    assert!(vsan.contains("platform = \"vsan\""));
}

#[test]
fn the_large_cluster_imports_checks_and_plans() {
    let paths = fixture_paths("vsphere", "large", &PARTS);
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let summary = import_check_plan("vsphere", &paths);
    assert!(summary.contains("hosts            64 (64 ready)"), "{summary}");
    assert!(summary.contains("16 anti-affinity"), "{summary}");
}

/// DRS keeps a VM on its "must" rule's hosts, so a VM running elsewhere is under a "should"
/// rule: it gets no allowed_hosts (which `check` would refuse: they must hold its host).
#[test]
fn a_vm_outside_its_rules_hosts_is_not_pinned() {
    let mut parts = set("small");
    let mut groups: Value = serde_json::from_str(&parts[3].1).unwrap();
    groups[0]["vm"][1]["value"] = Value::from("vm-2003");
    groups[2]["host"].as_array_mut().unwrap().remove(2);
    parts[3].1 = groups.to_string();
    let text = import_parts(Platform::Vsphere, &parts);
    assert!(
        text.contains("VM(s) db-03 run outside the hosts of their VM-Host rule"),
        "{text}"
    );
    let db_03 = text.split("name = \"db-03\"").nth(1).unwrap();
    let db_03 = db_03.split("[[").next().unwrap();
    assert!(!db_03.contains("allowed_hosts"), "{db_03}");
    assert!(
        text.contains("allowed_hosts = [\"esx-01.lab.example\", \"esx-02.lab.example\"]"),
        "db-01 keeps its rule: {text}"
    );
}

#[test]
fn without_the_group_export_vm_host_rules_are_named_in_a_note() {
    let parts = &set("small")[..3];
    let text = import_parts(Platform::Vsphere, parts);
    assert!(
        text.contains("# note: VM-Host rule(s) licensed-hosts, web-not-on-04 not read"),
        "{text}"
    );
    assert!(!text.contains("allowed_hosts = "), "{text}");
}

#[test]
fn a_disconnected_host_is_down() {
    let mut parts = set("small");
    let mut hosts: Value = serde_json::from_str(&parts[0].1).unwrap();
    hosts["hostSystems"][1]["summary"]["runtime"]["connectionState"] = Value::from("notResponding");
    parts[0].1 = hosts.to_string();
    let text = import_parts(Platform::Vsphere, &parts);
    assert!(text.contains("state = \"down\"  # notResponding"), "{text}");
}

#[test]
fn malformed_exports_are_named_by_file_and_json_path() {
    let check = |index: usize, change: &dyn Fn(&mut Value), expected: &str| {
        let stderr = import_broken("vsphere", &set("small"), index, change);
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    };
    check(
        0,
        &|v| v["hostSystems"][2]["summary"]["hardware"]["numCpuCores"] = Value::from("32"),
        "small-hosts.json: $.hostSystems[2].summary.hardware.numCpuCores: expected a \
         non-negative number, found \"32\"",
    );
    check(
        1,
        &|v| v["virtualMachines"][0]["summary"]["config"]["template"] = Value::from("no"),
        "small-vms.json: $.virtualMachines[0].summary.config.template: expected true or false",
    );
    check(
        2,
        &|v| v[0] = Value::from("  VM: stray"),
        "small-rules.json: $[0]: expected a line \"Rule: NAME\" first",
    );
    check(
        0,
        &|v| {
            v["hostSystems"][0]
                .as_object_mut()
                .unwrap()
                .remove("summary")
                .map(|_| ())
                .unwrap()
        },
        "small-hosts.json: $.hostSystems[0]: missing key \"summary\"",
    );
    check(
        3,
        &|v| v[2]["name"] = Value::from("renamed"),
        "small-groups.json: $: no group \"oracle-hosts\", which VM-Host rule \
         \"licensed-hosts\" names",
    );
    check(
        3,
        &|v| v[0]["vm"][0] = Value::from("vm-2001"),
        "small-groups.json: $[0].vm[0]: missing key \"value\"",
    );
}

mod rvtools;

/// `quorate drift` compares a VM-Host rule the exports show with the description's
/// `allowed_hosts`: a description written without the group export lacks them (drift, exit 1,
/// pointed at each VM), one written with it agrees.
#[test]
fn drift_finds_a_vm_host_rule_the_description_lacks() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut paths = Vec::new();
    for (name, text) in set("small") {
        let path = dir.path().join(&name);
        std::fs::write(&path, text).unwrap();
        paths.push(path.to_str().unwrap().to_string());
    }
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let drift = |description: &str| {
        let mut args = vec!["drift", description, "-o", "json"];
        args.extend_from_slice(&paths);
        let (code, stdout, stderr) = super::run(&args);
        let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
        (code, report)
    };
    let import = |files: &[&str], out: &str| {
        let out = dir.path().join(out).to_str().unwrap().to_string();
        let mut args = vec!["import", "vsphere", "--out", &out];
        args.extend_from_slice(files);
        let (code, _, stderr) = super::run(&args);
        assert_eq!(code, Some(0), "{stderr}");
        out
    };
    let without = import(&paths[..3], "without.toml");
    let (code, report) = drift(&without);
    assert_eq!(code, Some(1), "{report}");
    let differences = report["differences"].as_array().unwrap();
    let found: Vec<String> = differences
        .iter()
        .map(|d| format!("{} {} [{}]", d["code"], d["subject"], d["live"]))
        .collect();
    let hosts = "\"esx-01.lab.example, esx-02.lab.example, esx-03.lab.example\"";
    let expected: Vec<String> = ["db-01", "db-02", "web-01", "web-02"]
        .iter()
        .map(|vm| format!("\"allowed_hosts\" \"{vm}\" [{hosts}]"))
        .collect();
    assert_eq!(found, expected);
    let with = import(&paths, "with.toml");
    let (code, report) = drift(&with);
    assert_eq!(code, Some(0), "{report}");
}
