//! OpenStack asserts and the fixes of the review, against a stub `openstack`.
//!
//! Formats, from python-openstackclient: `compute service list -f json` has the columns `ID`,
//! `Binary`, `Host`, `Zone`, `Status` (enabled/disabled), `State` (up/down), `Updated At`
//! (openstackclient/compute/v2/service.py); `volume service list -f json` the same for cinder
//! (openstackclient/volume/v2/service.py); `server migration list -f json` has `Status`,
//! `Source Compute`, `Dest Compute`, `Server UUID` among others
//! (openstackclient/compute/v2/server_migration.py); `server show -f value -c COLUMN` prints
//! the bare value. nova's in-flight migration statuses are in nova/objects/migration.py.

use quorate::runbook::{Action, CheckKind};

use super::{Stubs, assert_of, book, book_in_racks, every_command_has_an_assert, ok};

fn services(h2_state: &str, h2_status: &str) -> String {
    format!(
        r#"[{{"ID":1,"Binary":"nova-compute","Host":"h1","Zone":"nova","Status":"enabled","State":"up","Updated At":"2026-12-01T11:00:00.000000"}},{{"ID":2,"Binary":"nova-compute","Host":"h2","Zone":"nova","Status":"{h2_status}","State":"{h2_state}","Updated At":"2026-12-01T11:00:00.000000"}},{{"ID":3,"Binary":"nova-compute","Host":"h3","Zone":"nova","Status":"enabled","State":"up","Updated At":"2026-12-01T11:00:00.000000"}}]"#
    )
}

fn migrations(status: &str) -> String {
    format!(
        r#"[{{"Id":17,"UUID":"8b2e6a3c-0f7e-4c39-9d43-2f5c9c1e8a11","Source Node":"h1","Dest Node":"h3","Source Compute":"h1","Dest Compute":"h3","Dest Host":"192.0.2.13","Status":"{status}","Server UUID":"0c7a1f5e-93b1-4f7c-8d2a-54c1e7a3b9d0","Old Flavor":"2","New Flavor":"2","Type":"live-migration","Created At":"2026-12-01T10:58:00.000000","Updated At":"2026-12-01T10:59:00.000000"}}]"#
    )
}

#[test]
fn openstack_asserts_pass_on_good_output_and_fail_on_bad() {
    let (_, book) = book("openstack", "2024.1", "2024.2", "");
    every_command_has_an_assert(&book, &[]);
    let stubs = Stubs::new("openstack");

    let cluster = assert_of(&book, 1, true, CheckKind::HostState, "h1, h2, h3");
    stubs.tool(
        "openstack",
        &[ok("compute service list -f json", &services("up", "enabled"))],
    );
    stubs.passes(&cluster);
    stubs.tool(
        "openstack",
        &[ok("compute service list -f json", &services("down", "enabled"))],
    );
    stubs.fails_with(&cluster, "none", "h2/nova-compute");

    let back = assert_of(&book, 2, false, CheckKind::Rejoined, "h2");
    stubs.tool(
        "openstack",
        &[ok(
            "compute service list --host h2 -f json",
            &services("up", "enabled"),
        )],
    );
    stubs.passes(&back);
    stubs.tool(
        "openstack",
        &[ok(
            "compute service list --host h2 -f json",
            &services("up", "disabled"),
        )],
    );
    stubs.fails_with(&back, "none", "h2/nova-compute");

    let quorum = assert_of(&book, 1, true, CheckKind::Members, "etcd");
    stubs.tool(
        "openstack",
        &[ok("compute service list -f json", &services("up", "enabled"))],
    );
    stubs.passes(&quorum);
    stubs.tool(
        "openstack",
        &[ok("compute service list -f json", &services("down", "enabled"))],
    );
    stubs.fails_with(&quorum, "at least 3", "2");

    let budget = assert_of(&book, 1, true, CheckKind::Budget, "web");
    stubs.tool("openstack", &[ok("server show -f value -c status", "ACTIVE\n")]);
    stubs.passes(&budget);
    stubs.tool(
        "openstack",
        &[
            ok("server show -f value -c status web-7d9f8-abcde", "ACTIVE\n"),
            ok("server show", "ERROR\n"),
        ],
    );
    stubs.fails_with(&budget, "at least 2", "1");

    let volumes = assert_of(&book, 1, true, CheckKind::Storage, "block storage");
    let cinder = |state: &str| {
        format!(
            r#"[{{"Binary":"cinder-scheduler","Host":"ctl-1","Zone":"nova","Status":"enabled","State":"up","Updated At":"2026-12-01T11:00:00.000000"}},{{"Binary":"cinder-volume","Host":"ctl-1@ceph","Zone":"nova","Status":"enabled","State":"{state}","Updated At":"2026-12-01T11:00:00.000000"}}]"#
        )
    };
    stubs.tool("openstack", &[ok("volume service list -f json", &cinder("up"))]);
    stubs.passes(&volumes);
    stubs.tool("openstack", &[ok("volume service list -f json", &cinder("down"))]);
    stubs.fails_with(&volumes, "none", "ctl-1@ceph/cinder-volume");

    // No migration still in flight on a host of the wave.
    let in_flight = assert_of(&book, 1, true, CheckKind::HostState, "migrations");
    stubs.tool(
        "openstack",
        &[ok(
            "server migration list --host h1 -f json",
            &migrations("completed"),
        )],
    );
    stubs.passes(&in_flight);
    stubs.tool(
        "openstack",
        &[ok(
            "server migration list --host h1 -f json",
            &migrations("running"),
        )],
    );
    stubs.fails_with(&in_flight, "0", "1");
}

/// `server migrate --wait` also returns when a live migration failed and the server is ACTIVE
/// on its source again: the move reads the host back.
#[test]
fn openstack_moves_fail_when_the_server_stayed_on_its_source() {
    let (_, book) = book("openstack", "2024.1", "2024.2", "");
    let step = book.waves[0]
        .steps
        .iter()
        .find(|s| s.action == Action::Migrate)
        .expect("a migrate step");
    let command = step.command.clone().expect("a command");
    let to = command
        .split("--host '")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a target host")
        .to_string();
    let stubs = Stubs::new("openstack-migrate");
    stubs.tool(
        "openstack",
        &[
            ok("--os-compute-api-version", ""),
            ok("server show -f value -c OS-EXT-SRV-ATTR:host", &format!("{to}\n")),
        ],
    );
    let (ran, out) = stubs.run(&command);
    assert!(ran, "{out}");
    stubs.tool(
        "openstack",
        &[
            ok("--os-compute-api-version", ""),
            ok("server show -f value -c OS-EXT-SRV-ATTR:host", "h1\n"),
        ],
    );
    let (ran, out) = stubs.run(&command);
    assert!(!ran, "{out}");
    assert!(
        out.contains(&format!("expected host {to}, observed: h1")),
        "{out}"
    );
}

/// The anti-affinity groups of the description are server groups with an anti-affinity
/// policy after the wave, whichever compute API version names the column.
#[test]
fn openstack_server_groups_keep_their_anti_affinity_policy() {
    let apart = r#"
[[anti_affinity]]
name = "web-apart"
workloads = ["web-7d9f8-abcde", "web-7d9f8-fghij"]
"#;
    let (_, book) = book("openstack", "2024.1", "2024.2", apart);
    let groups = assert_of(&book, 1, false, CheckKind::Policy, "anti-affinity");
    let stubs = Stubs::new("openstack-groups");
    let listed = |policy: &str| {
        format!(
            r#"[{{"ID":"5f3c2f4e-3c1a-4d6e-9a51-0b8f7a6c2d10","Name":"web-apart","Policy":"{policy}","Members":"0c7a1f5e-93b1-4f7c-8d2a-54c1e7a3b9d0, 8b2e6a3c-0f7e-4c39-9d43-2f5c9c1e8a11","Project Id":"p","User Id":"u"}}]"#
        )
    };
    stubs.tool("openstack", &[ok("server group list", &listed("anti-affinity"))]);
    stubs.passes(&groups);
    let before_2_64 = r#"[{"ID":"5f3c2f4e","Name":"web-apart","Policies":"anti-affinity","Members":"","Project Id":"p","User Id":"u"}]"#;
    stubs.tool("openstack", &[ok("server group list", before_2_64)]);
    stubs.passes(&groups);
    stubs.tool("openstack", &[ok("server group list", &listed("soft-affinity"))]);
    stubs.fails_with(&groups, "none", "web-apart");
}

/// A host's declared fault domain is its availability zone: after the wave, nova's compute
/// service of each host of the wave must still report it (`Zone`).
#[test]
fn openstack_hosts_stay_in_their_availability_zones() {
    let (_, zoned) = book_in_racks("openstack", "2024.1", "2024.2", "", &[&["h1"], &["h2"], &["h3"]]);
    every_command_has_an_assert(&zoned, &[]);
    let zone = assert_of(&zoned, 1, false, CheckKind::Policy, "aggregates");
    let service = |zone: &str| {
        format!(
            r#"[{{"ID":1,"Binary":"nova-compute","Host":"h1","Zone":"{zone}","Status":"enabled","State":"up","Updated At":"2026-12-01T11:00:00.000000"}}]"#
        )
    };
    let stubs = Stubs::new("openstack-zones");
    stubs.tool(
        "openstack",
        &[ok(
            "compute service list --host h1 --service nova-compute -f json",
            &service("rack-a"),
        )],
    );
    stubs.passes(&zone);
    stubs.tool(
        "openstack",
        &[ok(
            "compute service list --host h1 --service nova-compute -f json",
            &service("nova"),
        )],
    );
    stubs.fails_with(&zone, "rack-a", "nova");

    // Without declared zones there is nothing to compare with: the check stays in words.
    let (_, plain) = book("openstack", "2024.1", "2024.2", "");
    let check = plain.waves[0]
        .post_checks
        .iter()
        .find(|c| c.subject == "aggregates")
        .expect("the aggregates check");
    assert!(check.command.is_none() && check.assert.is_none(), "{check:?}");
    assert!(check.expect.contains("before the wave"), "{}", check.expect);
}
