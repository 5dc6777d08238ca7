//! Nutanix asserts and the fix of the review, against stub `ncli`, `acli`, `cluster` and
//! `curl`.
//!
//! Formats (Nutanix documentation; the tools are not open source): `ncli cluster
//! get-domain-fault-tolerance-status type=node` prints one block per component with `Current
//! Fault Tolerance : N` (Prism Web Console Guide, "Fault tolerance status"); `acli
//! host.enter_maintenance_mode_check HOST` answers `Ok to enter maintenance mode.` (AHV
//! Administration Guide, "Putting a node into maintenance mode"); `cluster status` lists each
//! CVM and service `UP` or `DOWN` (AOS Command Reference). Prism Element's REST API answers
//! (v1 `vms/` and `hosts`, v0.8 `ha/`) are the fixtures of `tests/fixtures/nutanix-prism`, in
//! the shape Nutanix's own client reads them (its SOURCES.md).

use quorate::runbook::CheckKind;
use serde_json::Value;

use super::{Stubs, assert_of, book, every_command_has_an_assert, ok};

/// The arguments the asserts give `curl` for a GET of Prism at `path` (no `PRISM` set: this
/// CVM).
pub fn prism_get(path: &str) -> String {
    format!("-sS --fail --netrc https://localhost:9440{path}")
}

/// Prism v1 `vms/`, with the projection the asserts ask for.
pub const VMS: &str = "/PrismGateway/services/rest/v1/vms/?projection=BASIC_INFO";

/// Prism v1 `hosts`.
pub const HOSTS: &str = "/PrismGateway/services/rest/v1/hosts";

/// A fixture of `tests/fixtures/nutanix-prism`, parsed.
pub fn prism_fixture(name: &str) -> Value {
    let path = crate::support::root()
        .join("tests/fixtures/nutanix-prism")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("JSON")
}

/// The entity of `list` whose `key` is `value`, to change it.
pub fn entity<'a>(list: &'a mut Value, key: &str, value: &str) -> &'a mut Value {
    list["entities"]
        .as_array_mut()
        .expect("entities")
        .iter_mut()
        .find(|e| e[key] == value)
        .unwrap_or_else(|| panic!("no entity with {key} = {value}"))
}

/// A budget counts its VMs powered on in Prism's VM list; HA is read from the v0.8 `ha/`.
#[test]
fn nutanix_budget_and_ha_asserts_read_prism() {
    let (_, book) = book("nutanix", "20230302.100173", "20230302.101026", "");
    let stubs = Stubs::new("nutanix-prism");
    let vms = |list: &Value| {
        stubs.tool("curl", &[ok(&prism_get(VMS), &list.to_string())]);
    };

    // Both web VMs must be up before wave 1 (h1's goes down with it).
    let budget = assert_of(&book, 1, true, CheckKind::Budget, "web");
    let good = prism_fixture("vms.json");
    vms(&good);
    stubs.passes(&budget);
    let (_, out) = stubs.run(&budget);
    assert!(out.contains("ok: web VMs powered on: 2"), "{out}");
    // One of them off: 1 of the 2 needed. A powered-off VM outside the budget and the CVMs
    // count for nothing either way.
    let mut one_off = good.clone();
    entity(&mut one_off, "vmName", "web-7d9f8-fghij")["powerState"] = "off".into();
    entity(&mut one_off, "vmName", "web-7d9f8-fghij")["hostUuid"] = Value::Null;
    vms(&one_off);
    stubs.fails_with(&budget, "at least 2", "1");
    // Prism unreachable (curl fails): nothing observed, the assert fails.
    stubs.tool(
        "curl",
        &[super::fails(
            &prism_get(VMS),
            "curl: (7) Failed to connect to localhost port 9440",
            7,
        )],
    );
    stubs.fails_with(&budget, "at least 2", "");

    let ha = assert_of(&book, 1, false, CheckKind::Policy, "HA reservation");
    let path = "/api/nutanix/v0.8/ha/";
    let answer = prism_fixture("ha.json");
    stubs.tool("curl", &[ok(&prism_get(path), &answer.to_string())]);
    stubs.passes(&ha);
    let mut off = answer.clone();
    off["failoverEnabled"] = false.into();
    stubs.tool("curl", &[ok(&prism_get(path), &off.to_string())]);
    stubs.fails_with(&ha, "true", "false");
}

fn tolerance(metadata: u32) -> String {
    format!(
        "\n    Domain Type               : NODE\n    Component Type            : STATIC_CONFIGURATION\n    Current Fault Tolerance   : 1\n    Fault Tolerance Details   : \n    Last Update Time          : Tue Dec 01 11:00:00 UTC 2026\n\n    Domain Type               : NODE\n    Component Type            : METADATA\n    Current Fault Tolerance   : {metadata}\n    Fault Tolerance Details   : Based on topology, 1 node failure can be tolerated\n    Last Update Time          : Tue Dec 01 11:00:00 UTC 2026\n"
    )
}

const STATUS_UP: &str = "2026-12-01 11:00:00,000Z INFO zookeeper_session.py:191 cluster is attempting to connect to Zookeeper\nThe state of the cluster: start\nLockdown mode: Disabled\n\n        CVM: 10.0.0.11 Up\n                                Zeus   UP       [3725, 3751, 3752]\n                           Scavenger   UP       [5340, 5368, 5369]\n\n        CVM: 10.0.0.12 Up\n                                Zeus   UP       [3711, 3739, 3740]\n                           Scavenger   UP       [5322, 5350, 5351]\n";

#[test]
fn nutanix_asserts_pass_on_good_output_and_fail_on_bad() {
    let (_, book) = book("nutanix", "20230302.100173", "20230302.101026", "");
    let stubs = Stubs::new("nutanix");

    let resiliency = assert_of(&book, 1, true, CheckKind::Storage, "data resiliency");
    stubs.tool(
        "ncli",
        &[ok(
            "cluster get-domain-fault-tolerance-status type=node",
            &tolerance(1),
        )],
    );
    stubs.passes(&resiliency);
    stubs.tool(
        "ncli",
        &[ok(
            "cluster get-domain-fault-tolerance-status type=node",
            &tolerance(0),
        )],
    );
    stubs.fails_with(&resiliency, "at least 1", "0");

    let check = assert_of(&book, 1, true, CheckKind::HostState, "h1");
    stubs.tool(
        "acli",
        &[ok(
            "host.enter_maintenance_mode_check h1",
            "Ok to enter maintenance mode.\n",
        )],
    );
    stubs.passes(&check);
    stubs.tool(
        "acli",
        &[ok(
            "host.enter_maintenance_mode_check h1",
            "Not ok to enter maintenance mode: VM web-7d9f8-abcde cannot be migrated\n",
        )],
    );
    stubs.fails_with(&check, "1", "0");

    let services = assert_of(&book, 1, false, CheckKind::Storage, "CVM services");
    stubs.tool("cluster", &[ok("status", STATUS_UP)]);
    stubs.passes(&services);
    stubs.tool(
        "cluster",
        &[ok(
            "status",
            &STATUS_UP.replacen("Scavenger   UP", "Scavenger DOWN", 1),
        )],
    );
    stubs.fails_with(&services, "0", "1");
}

/// `manage_ovs show_uplinks` shows only the host of the CVM it runs on: the post-check no
/// longer runs it as if it covered the wave's hosts.
#[test]
fn nutanix_post_checks_do_not_claim_uplinks_of_other_hosts() {
    let (_, book) = book("nutanix", "20230302.100173", "20230302.101026", "");
    for wave in &book.waves {
        for check in &wave.post_checks {
            assert!(
                !check.command.as_deref().unwrap_or("").contains("manage_ovs"),
                "{}: {:?}",
                check.id,
                check.command
            );
        }
    }
}

/// `ncli host list` of h1..h3 (one block per node, `Key : value`), each with its AHV version,
/// status and maintenance flag (the shape shown in the sources of the module doc).
fn ncli_hosts(nodes: &[(&str, &str, &str, &str)]) -> String {
    nodes
        .iter()
        .enumerate()
        .map(|(k, (name, version, status, maintenance))| {
            format!(
                "    Id                        : 0005a2e1-4eaa-8b68-5558-aaaaaacd64d6::{k}\n    Uuid                      : 4f06c7ad-05e6-4088-9612-aaaaaadcffd{k}\n    Name                      : {name}\n    IPMI Address              : 10.0.1.{k}\n    Controller VM Address     : 10.0.0.1{k}\n    Controller VM NAT Address : \n    Controller VM NAT PORT    : \n    Hypervisor Address        : 10.0.2.{k}\n    Hypervisor Version        : Nutanix {version}\n    Host Status               : {status}\n    Oplog Disk Size           : 230 GiB (246,960,619,520 bytes) (0.3%)\n    Under Maintenance Mode    : {maintenance}\n    Metadata store status     : Metadata store enabled on the node\n    Node Position             : Node physical position can't be displayed for this model. Please refer to Prism UI for this information.\n    Node Serial (UUID)        : OM1XXXXXXXX{k}\n    Block Serial (Model)      : 20FXXXXXXXXX (NX-8155-G7)\n\n"
            )
        })
        .collect()
}

const OLD: &str = "20230302.100173";
const NEW: &str = "20230302.101026";
const NOT_IN_MAINTENANCE: &str = "false (life_cycle_management)";

fn up(name: &str) -> (&str, &str, &str, &str) {
    (name, OLD, "NORMAL", NOT_IN_MAINTENANCE)
}

/// ncli's host list decides versions and host states; `cluster status` the CVMs up.
#[test]
fn nutanix_host_asserts_read_ncli_host_list() {
    let down = "\n[[host]]\nname = \"h4\"\ncpu = 16\nmemory_gib = 64\nversion = \"20230302.100173\"\nstate = \"down\"\n\n[[anti_affinity]]\nname = \"web-apart\"\nworkloads = [\"web-7d9f8-abcde\", \"web-7d9f8-fghij\"]\n";
    let (_, book) = book("nutanix", OLD, NEW, down);
    every_command_has_an_assert(&book, &[]);
    // The networks and the anti-affinity VM groups have nothing documented to read (acli's
    // output has no documented form): those checks are in words, with no command.
    for subject in ["networks", "anti-affinity"] {
        let check = book.waves[0]
            .post_checks
            .iter()
            .find(|c| c.kind == CheckKind::Policy && c.subject == subject)
            .unwrap_or_else(|| panic!("no {subject} check"));
        assert!(check.command.is_none() && check.assert.is_none(), "{check:?}");
    }
    let stubs = Stubs::new("nutanix-hosts");
    let h4_down = ("h4", OLD, "OFFLINE", "false");
    let answer = |nodes: &[(&str, &str, &str, &str)]| {
        stubs.tool("ncli", &[ok("host list", &ncli_hosts(nodes))]);
    };

    let versions = assert_of(&book, 1, true, CheckKind::Version, "h1, h2, h3");
    answer(&[up("h1"), up("h2"), up("h3"), h4_down]);
    stubs.passes(&versions);
    answer(&[
        up("h1"),
        up("h2"),
        ("h3", "20220304.342", "NORMAL", "false"),
        h4_down,
    ]);
    stubs.fails_with(&versions, OLD, "20220304.342");

    let state = assert_of(&book, 1, true, CheckKind::HostState, "h1, h2, h3");
    answer(&[up("h1"), up("h2"), up("h3"), h4_down]);
    stubs.passes(&state);
    answer(&[
        up("h1"),
        ("h2", OLD, "NORMAL", "true (life_cycle_management)"),
        up("h3"),
        h4_down,
    ]);
    stubs.fails_with(&state, "none", "h2");

    let unavailable = assert_of(&book, 1, true, CheckKind::Unavailable, "h4");
    answer(&[up("h1"), up("h2"), up("h3"), h4_down]);
    stubs.passes(&unavailable);
    answer(&[up("h1"), up("h2"), up("h3"), up("h4")]);
    stubs.fails_with(&unavailable, "not NORMAL,false", "NORMAL,false");

    let back = assert_of(&book, 1, false, CheckKind::Rejoined, "h1");
    answer(&[up("h1"), up("h2"), up("h3"), h4_down]);
    stubs.passes(&back);
    answer(&[
        ("h1", NEW, "NORMAL", "true (Hypervisor upgrade)"),
        up("h2"),
        up("h3"),
        h4_down,
    ]);
    stubs.fails_with(&back, "NORMAL,false", "NORMAL,true");

    let version = assert_of(&book, 1, false, CheckKind::Version, "h1");
    answer(&[("h1", NEW, "NORMAL", "false"), up("h2"), up("h3"), h4_down]);
    stubs.passes(&version);
    answer(&[up("h1"), up("h2"), up("h3"), h4_down]);
    stubs.fails_with(&version, NEW, OLD);

    // The hosts of the etcd-like group: h1 goes down in wave 1, so 2 of 3 must be up now.
    let quorum = assert_of(&book, 1, true, CheckKind::Quorum, "etcd");
    answer(&[up("h1"), up("h2"), up("h3"), h4_down]);
    stubs.passes(&quorum);
    answer(&[
        up("h1"),
        ("h2", OLD, "OFFLINE", "false"),
        ("h3", OLD, "NORMAL", "true"),
        h4_down,
    ]);
    stubs.fails_with(&quorum, "at least", "1");
}

/// A group of CVMs counts the CVMs `cluster status` shows Up.
#[test]
fn nutanix_cvm_votes_count_the_cvms_up() {
    let cvms = r#"
[[workload]]
name = "cvm-1"
host = "h1"
cpu = 1
memory_gib = 1
migration = "none"

[[workload]]
name = "cvm-2"
host = "h2"
cpu = 1
memory_gib = 1
migration = "none"

[[workload]]
name = "cvm-3"
host = "h3"
cpu = 1
memory_gib = 1
migration = "none"

[[quorum_group]]
name = "cvm-rf2"
members = ["cvm-1", "cvm-2", "cvm-3"]
"#;
    let (_, book) = book("nutanix", OLD, NEW, cvms);
    let quorum = assert_of(&book, 1, true, CheckKind::Quorum, "cvm-rf2");
    let stubs = Stubs::new("nutanix-cvms");
    let status = |third: &str| {
        format!(
            "2026-12-01 11:00:00,000Z INFO zookeeper_session.py:191 cluster is attempting to connect to Zookeeper\nThe state of the cluster: start\nLockdown mode: Disabled\n\n        CVM: 10.0.0.11 Up\n                                Zeus   UP       [3725, 3751, 3752]\n\n        CVM: 10.0.0.12 Up, ZeusLeader\n                                Zeus   UP       [3711, 3739, 3740]\n\n        CVM: 10.0.0.13 {third}\n"
        )
    };
    stubs.tool("cluster", &[ok("status", &status("Up"))]);
    stubs.passes(&quorum);
    // Two CVMs down: fewer than the quorum of 2.
    stubs.tool(
        "cluster",
        &[ok(
            "status",
            &status("Down").replacen("10.0.0.11 Up", "10.0.0.11 Down", 1),
        )],
    );
    stubs.fails_with(&quorum, "at least", "1");
}
