//! Nutanix asserts and the fix of the review, against stub `ncli`, `acli` and `cluster`.
//!
//! Formats (Nutanix documentation; the tools are not open source): `ncli cluster
//! get-domain-fault-tolerance-status type=node` prints one block per component with `Current
//! Fault Tolerance : N` (Prism Web Console Guide, "Fault tolerance status"); `acli
//! host.enter_maintenance_mode_check HOST` answers `Ok to enter maintenance mode.` (AHV
//! Administration Guide, "Putting a node into maintenance mode"); `cluster status` lists each
//! CVM and service `UP` or `DOWN` (AOS Command Reference).

use quorate::runbook::CheckKind;

use super::{Stubs, assert_of, book, ok};

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
