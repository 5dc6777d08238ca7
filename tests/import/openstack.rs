//! OpenStack: `openstack hypervisor list --long`, `server list --all-projects --long`,
//! `flavor list --all`, `server group list --all-projects --long` and `compute service list`,
//! all with `-f json`.
//!
//! `small-*.json` and `large-*.json` are written by `make_fixtures.py` with the column names of
//! python-openstackclient (SOURCES.md).

use quorate::model::{HostState, Migration, Platform};
use serde_json::Value;

use super::{fixture_paths, fixture_set, import_broken, import_check_plan, import_set};

const PARTS: [&str; 5] = ["hypervisors", "servers", "flavors", "server-groups", "services"];

fn set(name: &str) -> Vec<(String, String)> {
    fixture_set("openstack", name, &PARTS)
}

fn import_parts(parts: &[(String, String)]) -> String {
    import_set(Platform::Openstack, parts)
}

#[test]
fn the_small_cloud_imports_as_the_mapping_says() {
    let text = import_parts(&set("small"));
    insta::assert_snapshot!("openstack_small", text);
    let cluster = crate::support::load_ok("imported.toml", &text).cluster;
    let host = |name: &str| cluster.hosts.iter().find(|h| h.name == name).unwrap();
    assert_eq!(host("compute-04.cloud.example").state, HostState::Maintenance);
    assert_eq!(cluster.fault_domains.len(), 2, "the services' zones");
    let workload = |name: &str| cluster.workloads.iter().find(|w| w.name == name);
    assert_eq!(
        workload("batch-1").unwrap().migration,
        Migration::Restart,
        "SHUTOFF"
    );
    assert!(workload("shelved-1").is_none(), "no host: not on any hypervisor");
    assert_eq!(
        cluster.anti_affinity.len(),
        2,
        "affinity groups are not anti-affinity"
    );
    assert!(text.contains(
        "name = \"web-soft\"\nworkloads = [\"web-0\", \"web-1\"]\nscope = \"host\"\nmandatory = false\n"
    ));
    assert!(
        text.contains(
            "name = \"db-0\"\nhost = \"compute-01.cloud.example\"\ncpu = 16.0\nmemory_gib = 64.0\n"
        )
    );
}

/// Before compute API 2.88 the hypervisor list has capacity, after it not; before 2.47 the
/// server list names flavors by `Flavor Name` and `Flavor ID`; before 2.64 server groups have
/// `Policies`, a list.
#[test]
fn older_and_newer_microversions_read_alike() {
    let mut parts = set("small");
    let mut servers: Value = serde_json::from_str(&parts[1].1).unwrap();
    let flavors: Value = serde_json::from_str(&parts[2].1).unwrap();
    for server in servers.as_array_mut().unwrap() {
        let row = server.as_object_mut().unwrap();
        let name = row.remove("Flavor").unwrap();
        let id = flavors
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["Name"] == name)
            .unwrap()["ID"]
            .clone();
        row.insert("Flavor Name".to_string(), name);
        row.insert("Flavor ID".to_string(), id);
    }
    parts[1].1 = servers.to_string();
    let mut groups: Value = serde_json::from_str(&parts[3].1).unwrap();
    for group in groups.as_array_mut().unwrap() {
        let row = group.as_object_mut().unwrap();
        let policy = row.remove("Policy").unwrap();
        row.insert("Policies".to_string(), Value::from(vec![policy]));
    }
    parts[3].1 = groups.to_string();
    assert_eq!(import_parts(&parts), import_parts(&set("small")));

    let mut hypervisors: Value = serde_json::from_str(&parts[0].1).unwrap();
    for row in hypervisors.as_array_mut().unwrap() {
        for key in ["vCPUs Used", "vCPUs", "Memory MB Used", "Memory MB"] {
            row.as_object_mut().unwrap().remove(key);
        }
    }
    parts[0].1 = hypervisors.to_string();
    let text = import_parts(&parts);
    assert!(
        text.contains("cpu = 1.0  # inferred: the hypervisor list has no capacity from compute API 2.88 on"),
        "{text}"
    );
}

#[test]
fn the_large_cloud_imports_checks_and_plans() {
    let paths = fixture_paths("openstack", "large", &PARTS);
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let summary = import_check_plan("openstack", &paths);
    assert!(summary.contains("hosts            56 (56 ready)"), "{summary}");
    assert!(summary.contains("20 anti-affinity"), "{summary}");
}

#[test]
fn malformed_exports_are_named_by_file_and_json_path() {
    let check = |index: usize, change: &dyn Fn(&mut Value), expected: &str| {
        let stderr = import_broken("openstack", &set("small"), index, change);
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    };
    check(
        2,
        &|v| v[1]["RAM"] = Value::from("lots"),
        "small-flavors.json: $[1].RAM: expected a non-negative number, found \"lots\"",
    );
    check(
        3,
        &|v| v[0]["Members"] = Value::from(7),
        "small-server-groups.json: $[0].Members: expected an array, found 7",
    );
    check(
        0,
        &|v| {
            v[2].as_object_mut().unwrap().remove("Hypervisor Hostname");
        },
        "small-hypervisors.json: $[2]: missing key \"Hypervisor Hostname\"",
    );
    check(
        1,
        &|v| v[0]["Host"] = Value::from(false),
        "small-servers.json: $[0].Host: expected a string, found false",
    );
    check(
        0,
        &|v| *v = serde_json::json!({"hypervisors": []}),
        "small-hypervisors.json: $: not an export quorate knows for openstack",
    );
}
