//! Ceph without cephadm (Proxmox VE's pveceph, a package-installed cluster), against a stub
//! `ceph` that answers with the real outputs of a Ceph 16.2.15 cluster in
//! tests/fixtures/ceph-real/ (see SOURCES.md there; exit statuses from its index.tsv).
//!
//! On that cluster `ceph orch host ls` failed with `Error ENOENT: No orchestrator configured`
//! (orch-host-ls.stderr), so no command may use `ceph orch` unless the description says
//! cephadm (a component named `cephadm`). Without it, a host's state is that of its OSDs in
//! `ceph osd tree -f json` (an OSD's `status` up/down and `reweight`, ceph/ceph
//! src/osd/OSDMap.cc `print_tree`) and its version the `ceph_version` its OSDs report in `ceph
//! osd metadata` (src/mon/OSDMonitor.cc `dump_osd_metadata`, the keys of
//! src/common/util.cc `collect_sys_info`); the daemons are the systemd units of
//! doc/rados/operations/operating.rst (`ceph-osd.target`).
//!
//! `ceph health detail` and `ceph -s` exit 0 on HEALTH_WARN (health-detail-noout.txt,
//! host-down-health-detail.txt: exit 0 in index.tsv): a gate must never be their exit status.
//! Every Ceph health check's assert reads the status and fails on WARN, whether run by `sh`,
//! by the runbook script (`bash -euo pipefail -c`) or by Ansible's shell task (`bash -c`).

use quorate::runbook::{Action, CheckKind, Runbook, build};

use super::{Stubs, assert_of, every_command_has_an_assert, fails, ok, plan_of};
use crate::support;

/// The real cluster: CRUSH hosts ceph-a, ceph-b, ceph-c, one copy per host.
fn description(extra: &str) -> String {
    let hosts: String = ["ceph-a", "ceph-b", "ceph-c"]
        .iter()
        .map(|h| format!("[[host]]\nname = \"{h}\"\ncpu = 1\nmemory_gib = 1\nversion = \"16.2.15\"\n\n"))
        .collect();
    format!(
        "[cluster]\nname = \"e2e\"\nplatform = \"ceph\"\n\n[policy]\nmax_fault_domains_down = 1\n\n\
         [defaults]\ntarget_version = \"16.2.15\"\n\n{hosts}[[quorum_group]]\nname = \"mons\"\n\
         members = [\"ceph-a\", \"ceph-b\", \"ceph-c\"]\n{extra}"
    )
}

fn plain_book() -> Runbook {
    let cluster = support::load_ok("ceph-plain", &description("")).cluster;
    let plan = plan_of(&cluster, &[&["ceph-a"], &["ceph-b"], &["ceph-c"]]);
    build(&cluster, &plan)
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(support::root().join("tests/fixtures/ceph-real").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every command, assert and step command of `book`, and its rollback notes.
fn everything(book: &Runbook) -> Vec<String> {
    let mut all = crate::runbook::chains::commands(book);
    all.extend(book.waves.iter().map(|w| w.rollback.clone()));
    all
}

#[test]
fn ceph_without_cephadm_never_calls_the_orchestrator() {
    let book = plain_book();
    every_command_has_an_assert(&book, &[]);
    let all = everything(&book);
    assert!(all.len() > 20, "{}", all.len());
    for text in &all {
        assert!(!text.contains("ceph orch"), "{text}");
    }
    let w1 = &book.waves[0];
    let step = |action: Action| {
        w1.steps
            .iter()
            .find(|s| s.action == action)
            .and_then(|s| s.command.clone())
            .unwrap_or_else(|| panic!("{action:?}: {:#?}", w1.steps))
    };
    let enter = step(Action::EnterMaintenance);
    assert!(
        enter.ends_with("ssh 'root@ceph-a' systemctl stop ceph-osd.target"),
        "{enter}"
    );
    assert_eq!(
        step(Action::ExitMaintenance),
        "ssh 'root@ceph-a' systemctl start ceph-osd.target"
    );
    assert_eq!(step(Action::SetNoout), "ceph osd set-group noout 'ceph-a'");

    // The active manager (a package-installed one is named after its host) fails over first.
    let stubs = Stubs::new("ceph-plain-mgr");
    stubs.tool(
        "ceph",
        &[
            ok(
                "mgr stat",
                r#"{"epoch":9,"available":true,"active_name":"ceph-a","num_standby":2}"#,
            ),
            ok("mgr fail", ""),
        ],
    );
    stubs.tool("ssh", &[ok("root@ceph-a systemctl stop ceph-osd.target", "")]);
    let (ran, out) = stubs.run(&enter);
    assert!(ran, "{out}");
    assert_eq!(
        stubs.calls(),
        [
            "ceph mgr stat",
            "ceph mgr fail ceph-a",
            "ssh root@ceph-a systemctl stop ceph-osd.target"
        ]
    );
    // A failing `ceph mgr stat` stops the step before anything is stopped.
    stubs.tool("ceph", &[fails("mgr stat", "Error EACCES: access denied\n", 13)]);
    let (ran, _) = stubs.run(&enter);
    assert!(!ran);
    assert_eq!(stubs.calls(), ["ceph mgr stat"]);

    // With cephadm declared, the orchestrator is used, and the same command fails on a cluster
    // that has none, instead of being masked by what follows it.
    let cluster = support::load_ok(
        "ceph-cephadm",
        &description("\n[[component]]\nname = \"cephadm\"\ntarget_version = \"16.2.15\"\n"),
    )
    .cluster;
    let plan = plan_of(&cluster, &[&["ceph-a"], &["ceph-b"], &["ceph-c"], &["cephadm"]]);
    let cephadm = build(&cluster, &plan);
    let state = cephadm.waves[0]
        .pre_checks
        .iter()
        .find_map(|c| c.command.clone().filter(|c| c.starts_with("ceph orch host ls")))
        .expect("a cluster-state check");
    let stubs = Stubs::new("ceph-plain-orch");
    stubs.tool(
        "ceph",
        &[
            fails("orch host ls", &fixture("orch-host-ls.stderr"), 2),
            ok("osd tree", &fixture("osd-tree.txt")),
        ],
    );
    let (ran, out) = stubs.run(&state);
    assert!(
        !ran && out.contains("No orchestrator configured"),
        "{state}\n{out}"
    );
}

#[test]
fn ceph_without_cephadm_asserts_pass_and_fail_on_real_outputs() {
    let book = plain_book();
    let stubs = Stubs::new("ceph-plain-asserts");

    // ceph-a back: every OSD up and in; the host-down capture has osd.0 and osd.1 down.
    let back = assert_of(&book, 1, false, CheckKind::Rejoined, "ceph-a");
    stubs.tool("ceph", &[ok("osd tree -f json", &fixture("osd-tree.json"))]);
    stubs.passes(&back);
    stubs.tool(
        "ceph",
        &[ok("osd tree -f json", &fixture("host-down-osd-tree.json"))],
    );
    stubs.fails_with(&back, "online", "down");

    // Before wave 2: every CRUSH host but the wave's is up.
    let cluster_up = book.waves[1]
        .pre_checks
        .iter()
        .find_map(|c| {
            c.assert
                .clone()
                .filter(|a| a.contains("CRUSH hosts with an OSD down"))
        })
        .expect("a cluster-up assert");
    stubs.tool("ceph", &[ok("osd tree -f json", &fixture("osd-tree.json"))]);
    stubs.passes(&cluster_up);
    stubs.tool(
        "ceph",
        &[ok("osd tree -f json", &fixture("host-down-osd-tree.json"))],
    );
    stubs.fails_with(&cluster_up, "none", "ceph-a");

    // Versions: the OSD ids of each CRUSH host, then their ceph_version (the stub gives every
    // host the ids of ceph-a).
    let version = assert_of(&book, 1, true, CheckKind::Version, "ceph-a, ceph-b, ceph-c");
    let metadata = |v: &str| {
        format!(
            r#"[{{"id":0,"arch":"x86_64","ceph_version":"ceph version {v} (618f440892089921c3e944a991122ddc44e60516) pacific (stable)","ceph_version_short":"{v}","hostname":"ceph-a","osd_objectstore":"memstore"}},{{"id":1,"ceph_version":"ceph version 16.2.15 (618f440892089921c3e944a991122ddc44e60516) pacific (stable)","hostname":"ceph-a"}},{{"id":2,"ceph_version":"ceph version 16.2.11 (3cf40e2dca667f68c6ce3ff5cd94f01e711af894) pacific (stable)","hostname":"ceph-b"}}]"#
        )
    };
    let answers = |v: &str| {
        stubs.tool(
            "ceph",
            &[
                ok("osd ls-tree -f json", &fixture("osd-ls-tree-host.json")),
                ok("osd metadata -f json", &metadata(v)),
            ],
        );
    };
    answers("16.2.15");
    stubs.passes(&version);
    answers("16.2.14");
    stubs.fails_with(&version, "16.2.15", "16.2.14,16.2.15");
    stubs.tool(
        "ceph",
        &[fails(
            "osd ls-tree",
            &fixture("osd-ls-tree-unknown-host.stderr"),
            2,
        )],
    );
    let (ran, _) = stubs.run(&version);
    assert!(!ran, "an unknown CRUSH host fails the version assert");

    // ok-to-stop of one host's OSDs is ok; of two hosts' it is refused (EBUSY, exit 16).
    let ok_to_stop = assert_of(&book, 1, true, CheckKind::Storage, "ceph osd ok-to-stop");
    stubs.tool(
        "ceph",
        &[
            ok("osd ls-tree ceph-a", &fixture("osd-ls-tree-host.txt")),
            ok("osd ok-to-stop 0 1", &fixture("ok-to-stop-one-host-plain.txt")),
        ],
    );
    stubs.passes(&ok_to_stop);
    stubs.tool(
        "ceph",
        &[
            ok("osd ls-tree ceph-a", &fixture("osd-ls-tree-host.txt")),
            fails("osd ok-to-stop 0 1", &fixture("ok-to-stop-two-hosts.stderr"), 16),
        ],
    );
    stubs.fails_with(&ok_to_stop, "ok-to-stop", "Error EBUSY");
}

/// Runs `command` with `shell` (its arguments before `-c`), the stubs first on PATH.
fn gate(stubs: &Stubs, shell: &[&str], command: &str) -> (bool, String) {
    let out = std::process::Command::new("bash")
        .args(shell)
        .arg("-c")
        .arg(command)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", stubs.bin().display()))
        .output()
        .expect("bash runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn a_ceph_health_warn_fails_every_gate_though_the_commands_exit_0() {
    let book = plain_book();
    let stubs = Stubs::new("ceph-plain-gates");
    let health: Vec<String> = book
        .waves
        .iter()
        .flat_map(|w| w.pre_checks.iter().chain(&w.post_checks))
        .filter(|c| c.subject == "ceph health")
        .map(|c| {
            let command = c.command.as_deref().unwrap_or_default();
            assert!(
                command == "ceph health detail" || command == "ceph -s",
                "{command}"
            );
            let assert = c
                .assert
                .clone()
                .unwrap_or_else(|| panic!("{} has no assert", c.id));
            assert!(
                !assert.contains(command),
                "{} gates on the exit status of {command}",
                c.id
            );
            assert
        })
        .collect();
    assert_eq!(
        health.len(),
        6,
        "a health check before and after each of the 3 waves"
    );
    // The script runs an assert with `bash -euo pipefail -c`, Ansible's shell task with
    // `bash -c` (src/render/script/bash.rs, src/render/ansible.rs).
    let shells: [&[&str]; 2] = [&["-euo", "pipefail"], &[]];
    for assert in &health {
        for shell in shells {
            stubs.tool("ceph", &[ok("health -f json", &fixture("health.json"))]);
            let (passed, out) = gate(&stubs, shell, assert);
            assert!(passed && out.contains("ok:"), "{out}");
            for warn in [
                "health-noout-group.json",
                "health-noout.json",
                "host-down-health.json",
            ] {
                stubs.tool("ceph", &[ok("health -f json", &fixture(warn))]);
                let (passed, out) = gate(&stubs, shell, assert);
                assert!(
                    !passed && out.contains("observed: HEALTH_WARN"),
                    "{warn} {shell:?}: {out}"
                );
            }
            stubs.tool(
                "ceph",
                &[fails(
                    "health -f json",
                    "Error ETIMEDOUT: connection timed out\n",
                    110,
                )],
            );
            let (passed, _) = gate(&stubs, shell, assert);
            assert!(!passed, "a ceph that does not answer fails the gate");
        }
    }
}

/// The end-to-end test's "no PG inactive" (tests/e2e/ceph/pgs-serving.jq) counted
/// `stale+active+clean` as serving, as the real run showed with two hosts' OSDs stopped: a
/// stale PG keeps its last state while no OSD reports it. It must pass on the real captures
/// (all up; one host down, PGs `active+undersized`) and fail when a PG is stale or inactive.
#[test]
fn the_end_to_end_pg_check_counts_stale_pgs_as_not_serving() {
    let filter = support::root().join("tests/e2e/ceph/pgs-serving.jq");
    let serving = |pg_stat: &str| {
        let mut child = std::process::Command::new("jq")
            .arg("-e")
            .arg("-f")
            .arg(&filter)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("jq runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(pg_stat.as_bytes())
            .expect("written");
        let out = child.wait_with_output().expect("jq ends");
        let verdict = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(out.status.success(), verdict == "true", "{verdict}");
        out.status.success()
    };
    assert!(serving(&fixture("pg-stat.json")));
    assert!(serving(&fixture("host-down-pg-stat.json")));
    let with_state = |state: &str| {
        fixture("host-down-pg-stat.json").replacen("\"active+undersized\"", &format!("\"{state}\""), 1)
    };
    assert!(
        with_state("x").contains("\"x\""),
        "the capture has an active+undersized PG"
    );
    for bad in [
        "stale+active+clean",
        "stale+active+undersized",
        "undersized+degraded+peered",
        "peering",
        "unknown",
    ] {
        assert!(!serving(&with_state(bad)), "{bad}");
    }
    // Names that merely contain the words do not count.
    assert!(!serving(&with_state("inactive+clean")));
}
