//! Tests of writing a cluster description: the contract's example in the contract's order,
//! defaults left out, names quoted, quantities as short as they can be.

use super::*;
use crate::Source;

fn load(text: &str) -> Cluster {
    match crate::load(&Source::new("test.toml", text)) {
        Ok(loaded) => loaded.cluster,
        Err(errors) => panic!(
            "should load:\n{text}\nbut: {:#?}",
            errors.errors().iter().map(|e| e.message()).collect::<Vec<_>>()
        ),
    }
}

/// Loads `text`, writes it, loads the result, and checks both the model and the text.
fn round_trip(text: &str) -> String {
    let cluster = load(text);
    let written = to_toml(&cluster);
    let again = load(&written);
    assert_eq!(again, cluster, "written as:\n{written}");
    assert_eq!(to_toml(&again), written, "writing is not a fixed point");
    written
}

#[test]
fn quantities_are_integers_when_whole_else_shortest_decimals() {
    assert_eq!(quantity(0), "0");
    assert_eq!(quantity(64_000), "64");
    assert_eq!(quantity(7_500), "7.5");
    assert_eq!(quantity(25), "0.025");
    assert_eq!(quantity(1_001), "1.001");
    assert_eq!(quantity(120), "0.12");
}

#[test]
fn most_common_breaks_ties_towards_the_smallest() {
    assert_eq!(most_common([45, 30, 45, 30].into_iter()), Some(30));
    assert_eq!(most_common([60, 30, 60].into_iter()), Some(60));
    assert_eq!(most_common(std::iter::empty::<u32>()), None);
}

#[test]
fn writes_the_contract_example_in_the_contract_order() {
    let text = r#"
[cluster]
name = "prod-vsan-01"
platform = "vsphere"

[policy]
max_hosts_per_wave = 8
max_fault_domains_down = 1
max_sites_down = 1
headroom_percent = 10
reserve_host_failures = 1
objective = "duration"
wave_overhead_minutes = 15

[defaults]
upgrade_minutes = 45
target_version = "8.0.3"

[[site]]
name = "dc1"

[[fault_domain]]
name = "rack-a"
site = "dc1"

[[host]]
name = "esx-01"
fault_domain = "rack-a"
cpu = 64
memory_gib = 768
storage_gib = 20000
version = "8.0.2"
upgrade_minutes = 50

[[host]]
name = "esx-02"
cpu = 64
memory_gib = 768.5

[[host]]
name = "esx-03"
cpu = 64
memory_gib = 768
state = "maintenance"

[[component]]
name = "vcenter"
upgrade_minutes = 60

[[workload]]
name = "db-01"
host = "esx-01"
cpu = 8
memory_gib = 64
migration = "restart"
allowed_hosts = ["esx-02", "esx-01"]

[[workload]]
name = "db-02"
host = "esx-02"
cpu = 0.25
memory_gib = 64

[[quorum_group]]
name = "etcd"
members = ["esx-01", "vcenter", "db-02"]
votes = { "vcenter" = 2 }
quorum = 2

[[disruption_budget]]
name = "db"
workloads = ["db-01", "db-02"]
min_available = 1

[[anti_affinity]]
name = "db-cluster"
workloads = ["db-01", "db-02"]
scope = "fault_domain"
mandatory = false

[[order]]
before = ["vcenter"]
after = ["esx-01", "esx-02"]
"#;
    let written = round_trip(text);
    let expected = r#"[cluster]
name = "prod-vsan-01"
platform = "vsphere"

[policy]
max_hosts_per_wave = 8
max_fault_domains_down = 1
max_sites_down = 1
headroom_percent = 10
reserve_host_failures = 1
objective = "duration"
wave_overhead_minutes = 15

[defaults]
upgrade_minutes = 45
target_version = "8.0.3"

[[site]]
name = "dc1"

[[fault_domain]]
name = "rack-a"
site = "dc1"

[[host]]
name = "esx-01"
fault_domain = "rack-a"
cpu = 64
memory_gib = 768
storage_gib = 20000
version = "8.0.2"
upgrade_minutes = 50

[[host]]
name = "esx-02"
cpu = 64
memory_gib = 768.5

[[host]]
name = "esx-03"
cpu = 64
memory_gib = 768
state = "maintenance"

[[component]]
name = "vcenter"
upgrade_minutes = 60

[[workload]]
name = "db-01"
host = "esx-01"
cpu = 8
memory_gib = 64
migration = "restart"
allowed_hosts = ["esx-01", "esx-02"]

[[workload]]
name = "db-02"
host = "esx-02"
cpu = 0.25
memory_gib = 64

[[quorum_group]]
name = "etcd"
members = ["esx-01", "vcenter", "db-02"]
votes = { vcenter = 2 }
quorum = 2

[[disruption_budget]]
name = "db"
workloads = ["db-01", "db-02"]
min_available = 1

[[anti_affinity]]
name = "db-cluster"
workloads = ["db-01", "db-02"]
scope = "fault_domain"
mandatory = false

[[order]]
before = ["vcenter"]
after = ["esx-01", "esx-02"]
"#;
    assert_eq!(written, expected);
}

#[test]
fn leaves_out_what_the_description_did_not_need_to_say() {
    let written = round_trip(
        r#"
[[host]]
name = "a"
cpu = 8
memory_gib = 32

[[host]]
name = "b"
cpu = 8
memory_gib = 32
storage_gib = 100

[[workload]]
name = "w"
host = "a"
cpu = 1
memory_gib = 2

[[quorum_group]]
name = "q"
members = ["a", "b", "w"]
"#,
    );
    // The cluster takes its name from the file; it is written so that it no longer depends
    // on the file name.
    assert!(written.starts_with("[cluster]\nname = \"test\"\nplatform = \"generic\"\n"));
    assert!(!written.contains("[policy]"));
    assert!(
        !written.contains("fault_domain"),
        "implicit domains are not written"
    );
    assert_eq!(written.matches("storage_gib").count(), 1);
    assert!(!written.contains("quorum ="), "the default quorum is not written");
    assert!(!written.contains("votes"));
    assert!(!written.contains("migration"));
    assert!(written.contains("[defaults]\nupgrade_minutes = 30\n"));
}

#[test]
fn quotes_names_with_any_printable_character() {
    let names = [
        r#"with "double" quotes"#,
        "it's",
        r#"both ' and ""#,
        r#"back\slash"#,
        r#"all: \ ' " ''' """ ; # = [ ] { } ."#,
        "ünïcødé 日本 🦀",
        "trailing quote\"",
        "'leading single",
        "non\u{a0}breaking\u{2007}space",
    ];
    let mut text = String::new();
    for (i, name) in names.iter().enumerate() {
        let quoted = toml::Value::String((*name).to_string()).to_string();
        let _ = write!(
            text,
            "[[host]]\nname = {quoted}\ncpu = 1\nmemory_gib = 1\n\n[[workload]]\nname = \"w{i}\"\nhost = {quoted}\n\n"
        );
    }
    let all: Vec<String> = names
        .iter()
        .map(|n| toml::Value::String((*n).to_string()).to_string())
        .collect();
    // Keys cannot be multi-line strings, so they need the encoder's key quoting.
    let votes: toml::Table = names
        .iter()
        .map(|n| ((*n).to_string(), toml::Value::Integer(2)))
        .collect();
    let _ = write!(
        text,
        "[[quorum_group]]\nname = {}\nmembers = [{}]\nvotes = {}\n\n[[order]]\nbefore = [{}]\nafter = [{}]\n",
        all[4],
        all.join(", "),
        toml::Value::Table(votes),
        all[0],
        all[1..].join(", ")
    );
    let written = round_trip(&text);
    let cluster = load(&written);
    let loaded: Vec<&str> = cluster.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(loaded, names);
    assert!(cluster.quorum_groups[0].members.iter().all(|m| m.votes == 2));
}

#[test]
fn target_versions_need_every_item_to_share_a_default() {
    let written = round_trip(
        r#"
[defaults]
upgrade_minutes = 20

[[host]]
name = "a"
cpu = 1
memory_gib = 1
target_version = "2"

[[host]]
name = "b"
cpu = 1
memory_gib = 1
target_version = "2"

[[host]]
name = "c"
cpu = 1
memory_gib = 1
"#,
    );
    assert!(!written.contains("[defaults]\nupgrade_minutes = 20\ntarget_version"));
    assert_eq!(written.matches("target_version = \"2\"").count(), 2);
}

#[test]
fn cpu_overcommit_is_written_when_not_one_and_reads_back() {
    let text = "[cluster]\nname = \"c\"\nplatform = \"openstack\"\n\n[policy]\nheadroom_percent = 10\ncpu_overcommit = 2.5\n\n[[host]]\nname = \"h\"\ncpu = 16\nmemory_gib = 64\n";
    let written = round_trip(text);
    assert!(written.contains("\ncpu_overcommit = 2.5\n"), "{written}");
    let plain = round_trip(&text.replace("cpu_overcommit = 2.5\n", ""));
    assert!(!plain.contains("cpu_overcommit"), "{plain}");
}
