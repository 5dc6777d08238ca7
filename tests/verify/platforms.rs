//! Ceph (the real cluster's outputs), Proxmox VE, OpenStack and vSphere: the checks their
//! exports decide pass on the exports the plan was made from, and fail when one thing changes.

use serde_json::Value;

use super::{Planned, changed, failing, fixtures, passes, planned, read, unchanged};

// --- Ceph: the real cluster's ceph osd tree / mon dump / pool ls detail / crush rule dump -----

fn ceph_real(name: &str) -> (String, String) {
    let path = crate::support::root().join("tests/fixtures/ceph-real").join(name);
    (name.to_string(), read(&path))
}

fn ceph() -> Planned {
    let exports = [
        "osd-tree.json",
        "mon-dump.json",
        "osd-pool-ls-detail.json",
        "osd-crush-rule-dump.json",
    ]
    .map(ceph_real)
    .to_vec();
    planned("ceph", exports, "17.2.7")
}

#[test]
fn ceph_checks_pass_on_the_real_cluster_and_versions_are_manual() {
    let ceph = ceph();
    let seen = ceph.all_pass(&unchanged);
    for kind in [
        "host_state",
        "members",
        "quorum",
        "fault_domains",
        "previous_wave",
    ] {
        assert!(passes(&seen, kind), "no {kind} check passed: {seen:?}");
    }
    // `ceph osd tree` carries no versions: the version checks are for a person.
    assert!(
        seen.iter().all(|(k, r)| k != "version" || r == "manual"),
        "{seen:?}"
    );
}

/// The real cluster with ceph-a's OSDs stopped (captured by the e2e test): the next wave must
/// not start.
#[test]
fn ceph_a_host_whose_osds_are_down_fails_the_next_wave() {
    let ceph = ceph();
    let mut live = ceph.exports.clone();
    live[0] = (
        "osd-tree.json".to_string(),
        ceph_real("host-down-osd-tree.json").1,
    );
    let (code, report) = ceph.verify(2, false, &live);
    let (subject, expected, observed) = failing(code, &report, "previous_wave");
    assert_eq!(
        (subject, expected),
        ("ceph-a", "ceph-a up and out of maintenance")
    );
    assert!(observed.starts_with("ceph-a: down"), "{observed}");
    let (_, _, observed) = failing(code, &report, "fault_domains");
    assert!(observed.starts_with("ceph-a: down"), "{observed}");
}

#[test]
fn ceph_a_monitor_out_of_quorum_fails_the_quorum_check() {
    let ceph = ceph();
    let live = changed(&ceph.exports, "mon-dump.json", |dump| {
        dump["quorum"] = serde_json::json!([0, 1]);
    });
    let (code, report) = ceph.verify(1, false, &live);
    let (subject, expected, observed) = failing(code, &report, "quorum");
    assert_eq!(subject, "ceph-mon");
    assert_eq!(expected, "at least 3 of 3 votes of ceph-mon up");
    assert_eq!(observed, "2 of 3 up (not up: ceph-c)");
}

// --- Proxmox VE: pvesh get /cluster/resources and /cluster/status ----------------------------

fn proxmox() -> Planned {
    let exports = fixtures("proxmox", &["large-resources.json", "large-status.json"]);
    planned("proxmox", exports, "9.0")
}

#[test]
fn proxmox_checks_pass_and_an_offline_node_fails_state_and_corosync() {
    let pve = proxmox();
    let seen = pve.all_pass(&unchanged);
    for kind in ["host_state", "members", "quorum"] {
        assert!(passes(&seen, kind), "no {kind} check passed: {seen:?}");
    }
    let live = changed(&pve.exports, "large-status.json", |status| {
        for entry in status.as_array_mut().unwrap() {
            if entry["name"] == "pve40" {
                entry["online"] = Value::from(0);
            }
        }
    });
    let (code, report) = pve.verify(1, false, &live);
    let (_, _, observed) = failing(code, &report, "host_state");
    assert!(observed.starts_with("pve40: down"), "{observed}");
    let (subject, _, observed) = failing(code, &report, "quorum");
    assert_eq!(subject, "corosync");
    assert!(observed.ends_with("(not up: pve40)"), "{observed}");
}

#[test]
fn proxmox_quorum_checks_count_corosync_votes() {
    // `pvesh get /cluster/config/nodes`: pve1 has 2 of the small cluster's 5 votes.
    // With pve4 in HA maintenance (1 vote down), no 2-vote node could go down: take it out.
    let exports = fixtures(
        "proxmox",
        &[
            "small-resources.json",
            "small-status.json",
            "small-config-nodes.json",
        ],
    );
    let exports = changed(&exports, "small-resources.json", |resources| {
        for entry in resources.as_array_mut().unwrap() {
            if entry["node"] == "pve4" && entry["type"] == "node" {
                entry["hastate"] = Value::from("online");
            }
        }
    });
    let pve = planned("proxmox", exports, "9.0");
    let seen = pve.all_pass(&unchanged);
    assert!(passes(&seen, "quorum"), "no quorum check passed: {seen:?}");
    let live = changed(&pve.exports, "small-status.json", |status| {
        for entry in status.as_array_mut().unwrap() {
            if entry["name"] == "pve1" {
                entry["online"] = Value::from(0);
            }
        }
    });
    let (code, report) = pve.verify(1, false, &live);
    let (subject, expected, observed) = failing(code, &report, "quorum");
    assert_eq!(subject, "corosync");
    assert_eq!(expected, "at least 5 of 5 votes of corosync up", "{report:#}");
    assert_eq!(observed, "3 of 5 up (not up: pve1)", "{report:#}");
}

/// The capacity check, shared by `verify` and the assert: both pass on the exports the plan was
/// made from, and both fail once the nodes offer one core each.
#[test]
fn proxmox_capacity_is_decided_alike_by_verify_and_by_the_assert() {
    use crate::runbook::asserts::{Stubs, ok};
    let pve = proxmox();
    let seen = pve.all_pass(&unchanged);
    assert!(passes(&seen, "capacity"), "no capacity check passed: {seen:?}");
    let full = changed(&pve.exports, "large-resources.json", |resources| {
        for entry in resources.as_array_mut().unwrap() {
            if entry["type"] == "node" {
                entry["maxcpu"] = Value::from(1);
            }
        }
    });
    let (code, report) = pve.verify(1, false, &full);
    let (subject, expected, observed) = failing(code, &report, "capacity");
    assert_eq!(subject, "cpu");
    assert!(expected.starts_with("at least "), "{expected}");
    assert!(observed.starts_with("0 cores free"), "{observed}");

    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&pve.plan).unwrap()).unwrap();
    let assert = plan["waves"][0]["pre_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "capacity" && c["subject"] == "cpu")
        .and_then(|c| c["assert"].as_str())
        .expect("the cpu capacity check has an assert");
    let stubs = Stubs::new("verify-capacity-proxmox");
    stubs.tool("pvesh", &[ok("get /cluster/resources", &pve.exports[0].1)]);
    stubs.passes(assert);
    stubs.tool("pvesh", &[ok("get /cluster/resources", &full[0].1)]);
    stubs.fails_with(assert, "free cpu (cores)", "0");
}

// --- OpenStack: openstack hypervisor / server / flavor / server group / service list ---------

fn openstack() -> Planned {
    let exports = fixtures(
        "openstack",
        &[
            "large-hypervisors.json",
            "large-servers.json",
            "large-flavors.json",
            "large-server-groups.json",
            "large-services.json",
        ],
    );
    planned("openstack", exports, "2025.1")
}

#[test]
fn openstack_checks_pass_and_a_compute_gone_down_fails_the_state_check() {
    let os = openstack();
    let seen = os.all_pass(&unchanged);
    // Capacity too: the free room verify computes from the exports is the description's.
    for kind in ["host_state", "fault_domains", "capacity"] {
        assert!(passes(&seen, kind), "no {kind} check passed: {seen:?}");
    }
    let live = changed(&os.exports, "large-hypervisors.json", |list| {
        list[3]["State"] = Value::from("down");
    });
    let name = {
        let list: Value = serde_json::from_str(&os.exports[0].1).unwrap();
        list[3]["Hypervisor Hostname"].as_str().unwrap().to_string()
    };
    let (code, report) = os.verify(1, false, &live);
    let (_, _, observed) = failing(code, &report, "host_state");
    assert!(observed.starts_with(&format!("{name}: down")), "{observed}");
}

// --- vSphere: govc host.info -json, vm.info -json -r, cluster.rule.info -json ---------------

fn vsphere() -> Planned {
    let exports = fixtures(
        "vsphere",
        &["large-hosts.json", "large-vms.json", "large-rules.json"],
    );
    planned("vsphere", exports, "8.0.3")
}

fn with_esx(
    exports: &[(String, String)],
    index: usize,
    change: impl Fn(&mut Value),
) -> Vec<(String, String)> {
    changed(exports, "large-hosts.json", |hosts| {
        change(&mut hosts["hostSystems"][index]);
    })
}

#[test]
fn vsphere_checks_pass_and_a_host_on_another_build_or_in_maintenance_fails() {
    let vs = vsphere();
    let seen = vs.all_pass(&|done, exports| {
        changed(exports, "large-hosts.json", |hosts| {
            for host in hosts["hostSystems"].as_array_mut().unwrap() {
                if done
                    .iter()
                    .any(|d| host["summary"]["config"]["name"] == d.as_str())
                {
                    host["summary"]["config"]["product"]["version"] = Value::from("8.0.3");
                }
            }
        })
    });
    for kind in ["version", "host_state", "previous_wave", "capacity"] {
        assert!(passes(&seen, kind), "no {kind} check passed: {seen:?}");
    }
    let hosts: Value = serde_json::from_str(&vs.exports[0].1).unwrap();
    let name = hosts["hostSystems"][5]["summary"]["config"]["name"]
        .as_str()
        .unwrap();

    let live = with_esx(&vs.exports, 5, |h| {
        h["summary"]["config"]["product"]["version"] = Value::from("8.0.1");
    });
    let (code, report) = vs.verify(1, false, &live);
    let (_, _, observed) = failing(code, &report, "version");
    assert_eq!(observed, format!("{name}: 8.0.1"));

    let live = with_esx(&vs.exports, 5, |h| {
        h["summary"]["runtime"]["inMaintenanceMode"] = Value::from(true);
    });
    let (code, report) = vs.verify(1, false, &live);
    let (_, _, observed) = failing(code, &report, "host_state");
    assert!(
        observed.starts_with(&format!("{name}: maintenance")),
        "{observed}"
    );
}
