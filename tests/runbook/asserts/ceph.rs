//! Ceph asserts and the fixes of the review, against a stub `ceph`.
//!
//! Formats, written from ceph/ceph: `ceph health -f json` is `{"status", "checks", "mutes"}`
//! (src/mon/health_check.h `health_check_map_t::dump`); `ceph osd ls-tree NAME` prints one OSD
//! id a line and fails with ENOENT for a name that is not a CRUSH bucket, and `ceph osd
//! ok-to-stop IDS` prints `{"ok_to_stop", "osds", "num_ok_pgs", "num_not_ok_pgs"}` and fails
//! with EBUSY when a PG would become inactive (src/mon/OSDMonitor.cc); `ceph orch upgrade
//! status` prints JSON with `in_progress` and `is_paused` (src/pybind/mgr/cephadm/upgrade.py);
//! `ceph orch ps HOST --format json` lists daemons with `version` and `ceph orch host ls
//! --format json` hosts with `status` (`""`, `maintenance`, `offline`)
//! (src/python-common/ceph/deployment, src/pybind/mgr/orchestrator); `ceph mgr stat` prints
//! `active_name` (src/mon/MgrMonitor.cc); `ceph versions` maps `ceph version X (sha) name
//! (stable)` to counts; `ceph quorum_status` has `quorum_names` (src/mon/Monitor.cc).

use quorate::runbook::{Action, CheckKind};

use super::{Stubs, assert_of, book_of, every_command_has_an_assert, fails, ok};

/// cephadm's cluster: a component named `cephadm` (the `ceph orch upgrade` wave).
const COMPONENT: &str = r#"
[[component]]
name = "cephadm"
version = "18.2.2"
target_version = "18.2.4"
"#;

const WAVES: &[&[&str]] = &[&["h1", "h2"], &["h3"], &["cephadm"]];

const HEALTH_OK: &str = r#"{"status":"HEALTH_OK","checks":{},"mutes":[]}"#;
const HEALTH_WARN: &str = r#"{"status":"HEALTH_WARN","checks":{"OSDMAP_FLAGS":{"severity":"HEALTH_WARN","summary":{"message":"noout flag(s) set","count":1},"muted":false}},"mutes":[]}"#;
const OK_TO_STOP: &str = r#"{"ok_to_stop":true,"osds":[0,1,2,3],"num_ok_pgs":64,"num_not_ok_pgs":0,"ok_become_degraded":["2.0","2.1"]}"#;
const NOT_OK_TO_STOP: &str =
    "Error EBUSY: unsafe to stop osd(s) at this time (12 PGs are or would become offline)\n";

fn upgrade_status(in_progress: bool) -> String {
    format!(
        r#"{{
    "target_image": {},
    "in_progress": {in_progress},
    "which": "Upgrading all daemon types on all hosts",
    "services_complete": [],
    "progress": "",
    "message": "",
    "is_paused": {in_progress}
}}"#,
        if in_progress {
            r#""quay.io/ceph/ceph:v18.2.4""#
        } else {
            "null"
        }
    )
}

fn versions(of_osds: &str) -> String {
    format!(
        r#"{{"mon":{{"ceph version 18.2.4 (e7ad5345525c7aa95470c26863873b581076945d) reef (stable)":3}},"mgr":{{"ceph version 18.2.4 (e7ad5345525c7aa95470c26863873b581076945d) reef (stable)":2}},"osd":{{"ceph version {of_osds} (0000000000000000000000000000000000000000) reef (stable)":6}},"overall":{{"ceph version 18.2.4 (e7ad5345525c7aa95470c26863873b581076945d) reef (stable)":5,"ceph version {of_osds} (0000000000000000000000000000000000000000) reef (stable)":6}}}}"#
    )
}

#[test]
fn ceph_asserts_pass_on_good_output_and_fail_on_bad() {
    let (_, book) = book_of("ceph", "18.2.2", "18.2.4", COMPONENT, WAVES);
    every_command_has_an_assert(&book, &[]);
    let stubs = Stubs::new("ceph");

    let health = assert_of(&book, 1, true, CheckKind::Storage, "ceph health");
    stubs.tool("ceph", &[ok("health -f json", HEALTH_OK)]);
    stubs.passes(&health);
    stubs.tool("ceph", &[ok("health -f json", HEALTH_WARN)]);
    stubs.fails_with(&health, "HEALTH_OK", "HEALTH_WARN");

    let upgrade = assert_of(&book, 1, true, CheckKind::Storage, "ceph orch upgrade");
    stubs.tool("ceph", &[ok("orch upgrade status", &upgrade_status(false))]);
    stubs.passes(&upgrade);
    stubs.tool("ceph", &[ok("orch upgrade status", &upgrade_status(true))]);
    stubs.fails_with(&upgrade, "false", "true");

    let versions_now = assert_of(&book, 1, true, CheckKind::Version, "h1, h2, h3");
    let daemons = |v: &str| {
        format!(
            r#"[{{"daemon_type":"mon","daemon_id":"h1","hostname":"h1","version":"{v}","status":1,"status_desc":"running"}},{{"daemon_type":"osd","daemon_id":"0","hostname":"h1","version":"{v}","status":1,"status_desc":"running"}},{{"daemon_type":"node-exporter","daemon_id":"h1","hostname":"h1","version":"1.5.0","status":1,"status_desc":"running"}}]"#
        )
    };
    stubs.tool("ceph", &[ok("orch ps", &daemons("18.2.2"))]);
    stubs.passes(&versions_now);
    stubs.tool("ceph", &[ok("orch ps", &daemons("18.2.1"))]);
    stubs.fails_with(&versions_now, "18.2.2", "18.2.1");

    let back = assert_of(&book, 1, false, CheckKind::Rejoined, "h1");
    let hosts = |status: &str| {
        format!(
            r#"[{{"addr":"10.0.0.1","hostname":"h1","labels":["_admin"],"status":"{status}"}},{{"addr":"10.0.0.2","hostname":"h2","labels":[],"status":""}}]"#
        )
    };
    stubs.tool("ceph", &[ok("orch host ls --format json", &hosts(""))]);
    stubs.passes(&back);
    stubs.tool("ceph", &[ok("orch host ls --format json", &hosts("maintenance"))]);
    stubs.fails_with(&back, "online", "maintenance");

    let mons = assert_of(&book, 1, true, CheckKind::Members, "etcd");
    let quorum = |names: &str| {
        format!(
            r#"{{"election_epoch":12,"quorum":[0,1,2],"quorum_names":[{names}],"quorum_leader_name":"h1"}}"#
        )
    };
    stubs.tool("ceph", &[ok("quorum_status", &quorum(r#""h1","h2","h3""#))]);
    stubs.passes(&mons);
    stubs.tool("ceph", &[ok("quorum_status", &quorum(r#""h1","h2""#))]);
    stubs.fails_with(&mons, "at least 3", "2");

    let daemons_version = assert_of(&book, 3, false, CheckKind::Version, "cephadm");
    stubs.tool("ceph", &[ok("versions", &versions("18.2.4"))]);
    stubs.passes(&daemons_version);
    stubs.tool("ceph", &[ok("versions", &versions("18.2.2"))]);
    stubs.fails_with(&daemons_version, "18.2.4", "18.2.2,18.2.4");

    let flags = assert_of(&book, 1, false, CheckKind::Policy, "ceph pools and CRUSH");
    let dump = |flags: &str, nodes: &str| {
        format!(
            r#"{{"epoch":412,"flags":"{flags}","flags_set":["{}"],"crush_node_flags":{nodes},"device_class_flags":{{}}}}"#,
            flags.replace(',', "\",\"")
        )
    };
    stubs.tool(
        "ceph",
        &[ok(
            "osd dump -f json",
            &dump("sortbitwise,recovery_deletes", "{}"),
        )],
    );
    stubs.passes(&flags);
    stubs.tool(
        "ceph",
        &[ok(
            "osd dump -f json",
            &dump("sortbitwise", r#"{"h1":["noout"]}"#),
        )],
    );
    stubs.fails_with(&flags, "none", "h1");
}

/// `ceph osd ok-to-stop $(… ls-tree …)` judged a partial set when a host name was unknown: the
/// failed `ls-tree` dropped out of the loop. Now the unknown host fails the check.
#[test]
fn ceph_ok_to_stop_fails_for_an_unknown_host_and_on_ebusy() {
    let (_, book) = book_of("ceph", "18.2.2", "18.2.4", COMPONENT, WAVES);
    let assert = assert_of(&book, 1, true, CheckKind::Storage, "ceph osd ok-to-stop");
    let stubs = Stubs::new("ceph-ok-to-stop");
    stubs.tool(
        "ceph",
        &[
            ok("osd ls-tree h1", "0\n1\n"),
            ok("osd ls-tree h2", "2\n3\n"),
            ok("osd ok-to-stop 0 1 2 3", OK_TO_STOP),
        ],
    );
    stubs.passes(&assert);
    stubs.tool(
        "ceph",
        &[
            ok("osd ls-tree h1", "0\n1\n"),
            fails("osd ls-tree h2", "Error ENOENT: bucket 'h2' does not exist\n", 2),
            ok("osd ok-to-stop", OK_TO_STOP),
        ],
    );
    stubs.fails_with(&assert, "ok-to-stop", "Error ENOENT");
    assert!(
        !stubs.calls().iter().any(|c| c.contains("ok-to-stop")),
        "{:?}",
        stubs.calls()
    );
    stubs.tool(
        "ceph",
        &[
            ok("osd ls-tree h1", "0\n1\n"),
            ok("osd ls-tree h2", "2\n3\n"),
            fails("osd ok-to-stop 0 1 2 3", NOT_OK_TO_STOP, 16),
        ],
    );
    stubs.fails_with(&assert, "ok-to-stop", "Error EBUSY");
    // Hosts without OSDs (monitors only): nothing to stop, and no `ok-to-stop` without ids,
    // which ceph refuses with EINVAL.
    stubs.tool(
        "ceph",
        &[
            ok("osd ls-tree", ""),
            fails("osd ok-to-stop", "Invalid command: saw 0 of ids(<string>)..., expected at least 1\nError EINVAL: invalid command\n", 22),
        ],
    );
    stubs.passes(&assert);
    assert!(
        !stubs.calls().iter().any(|c| c.contains("ok-to-stop")),
        "{:?}",
        stubs.calls()
    );
}

/// noout on the wave's hosts only; the active manager failed over first; the Ceph version
/// moves in its own wave, and the host waves' post-checks expect the version they keep.
#[test]
fn ceph_steps_flag_only_the_wave_and_keep_the_daemon_upgrade_apart() {
    let (_, book) = book_of("ceph", "18.2.2", "18.2.4", COMPONENT, WAVES);
    let w1 = &book.waves[0];
    let command = |action: Action| {
        w1.steps
            .iter()
            .find(|s| s.action == action)
            .and_then(|s| s.command.clone())
            .unwrap_or_else(|| panic!("{action:?}"))
    };
    assert_eq!(command(Action::SetNoout), "ceph osd set-group noout 'h1' 'h2'");
    assert_eq!(
        command(Action::UnsetNoout),
        "ceph osd unset-group noout 'h1' 'h2'"
    );
    assert!(
        w1.steps
            .iter()
            .all(|s| s.command.as_deref() != Some("ceph osd set noout"))
    );

    let enter = command(Action::EnterMaintenance);
    let stubs = Stubs::new("ceph-mgr");
    let stat =
        |active: &str| format!(r#"{{"epoch":31,"available":true,"active_name":"{active}","num_standby":2}}"#);
    let answers = |active: &str| {
        stubs.tool(
            "ceph",
            &[
                ok("mgr stat", &stat(active)),
                ok("mgr fail", ""),
                ok(
                    "orch host maintenance enter",
                    "Daemons for Ceph cluster stopped on host h1.\n",
                ),
            ],
        );
    };
    answers("h1.tkqzvb");
    let (ran, out) = stubs.run(&enter);
    assert!(ran, "{out}");
    assert_eq!(
        stubs.calls(),
        [
            "ceph mgr stat",
            "ceph mgr fail h1.tkqzvb",
            "ceph orch host maintenance enter h1"
        ]
    );
    answers("h3.qwerty");
    let (ran, out) = stubs.run(&enter);
    assert!(ran, "{out}");
    assert_eq!(
        stubs.calls(),
        ["ceph mgr stat", "ceph orch host maintenance enter h1"]
    );

    // No host wave claims the Ceph version; the component wave runs `ceph orch upgrade`.
    let post = w1
        .post_checks
        .iter()
        .find(|c| c.kind == CheckKind::Version && c.subject == "h1")
        .expect("a version post-check");
    assert!(post.expect.contains("still runs 18.2.2"), "{}", post.expect);
    assert!(
        !post.assert.as_deref().unwrap_or("").contains("18.2.4"),
        "{post:?}"
    );
    let upgrade = &book.waves[2].steps[0];
    assert_eq!(
        upgrade.command.as_deref(),
        Some("ceph orch upgrade start --ceph-version '18.2.4'")
    );
    assert!(
        book.waves[..2]
            .iter()
            .flat_map(|w| &w.steps)
            .all(|s| { !s.command.as_deref().unwrap_or("").contains("orch upgrade start") })
    );
}
