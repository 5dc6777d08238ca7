//! Proxmox VE asserts and the fixes of the review, against stub `pvesh`, `pvecm`, `pvesm` and
//! `ha-manager`.
//!
//! Formats: `pvesh get /cluster/resources --output-format json` lists nodes (`type` node,
//! `node`, `status` online/offline) and guests (`type` qemu/lxc, `vmid`, `name`, `node`,
//! `status`, and `hastate` only for HA-managed guests) (pve-manager PVE/API2/Cluster.pm
//! `resources`); `/nodes/NODE/version` answers `version`, `release`, `repoid`
//! (pve-manager PVE/API2/Nodes.pm); `pvecm status` prints corosync-quorumtool's `Quorate:` and
//! `Total votes:` lines (pve-cluster src/PVE/CLI/pvecm.pm, corosync
//! tools/corosync-quorumtool.c); `ha-manager status` prints `lrm NODE (STATE, TIME)` and
//! `service SID (NODE, STATE)` (pve-ha-manager src/PVE/CLI/ha_manager.pm); `pvesm status` is
//! a table `Name Type Status Total Used Available %` (pve-storage PVE/CLI/pvesm.pm).

use quorate::runbook::{Action, CheckKind};

use super::{Stubs, assert_of, book, every_command_has_an_assert, ok};

fn nodes(h3: &str) -> String {
    format!(
        r#"[{{"id":"node/h1","type":"node","node":"h1","status":"online","maxcpu":16}},{{"id":"node/h2","type":"node","node":"h2","status":"online","maxcpu":16}},{{"id":"node/h3","type":"node","node":"h3","status":"{h3}","maxcpu":16}}]"#
    )
}

const GUESTS: &str = r#"[{"id":"qemu/100","type":"qemu","vmid":100,"name":"web-7d9f8-abcde","node":"h1","status":"running","hastate":"started"},{"id":"qemu/101","type":"qemu","vmid":101,"name":"web-7d9f8-fghij","node":"h2","status":"running"},{"id":"lxc/200","type":"lxc","vmid":200,"name":"dns","node":"h1","status":"running"}]"#;
const ONE_STOPPED: &str = r#"[{"id":"qemu/100","type":"qemu","vmid":100,"name":"web-7d9f8-abcde","node":"h1","status":"running","hastate":"started"},{"id":"qemu/101","type":"qemu","vmid":101,"name":"web-7d9f8-fghij","node":"h2","status":"stopped"}]"#;

fn pvecm(quorate: &str, votes: u32) -> String {
    format!(
        "Cluster information\n-------------------\nName:             lab\nConfig Version:   5\nTransport:        knet\nSecure auth:      on\n\nQuorum information\n------------------\nDate:             Tue Dec  1 11:00:00 2026\nQuorum provider:  corosync_votequorum\nNodes:            {votes}\nNode ID:          0x00000001\nRing ID:          1.2f\nQuorate:          {quorate}\n\nVotequorum information\n----------------------\nExpected votes:   3\nHighest expected: 3\nTotal votes:      {votes}\nQuorum:           2  \nFlags:            Quorate \n"
    )
}

const HA_ACTIVE: &str = "quorum OK\nmaster h2 (active, Tue Dec  1 11:00:00 2026)\nlrm h1 (active, Tue Dec  1 11:00:00 2026)\nlrm h2 (active, Tue Dec  1 11:00:00 2026)\nservice vm:100 (h1, started)\n";
const HA_H1_MAINTENANCE: &str = "quorum OK\nmaster h2 (active, Tue Dec  1 11:00:00 2026)\nlrm h1 (maintenance mode, Tue Dec  1 11:00:00 2026)\nlrm h2 (active, Tue Dec  1 11:00:00 2026)\nservice vm:100 (h2, started)\n";

#[test]
fn proxmox_asserts_pass_on_good_output_and_fail_on_bad() {
    let (_, book) = book("proxmox", "8.2", "8.3", "");
    every_command_has_an_assert(&book, &[]);
    let stubs = Stubs::new("proxmox");

    let version = assert_of(&book, 1, true, CheckKind::Version, "h1, h2, h3");
    let answer = |release: &str, version: &str| {
        format!(r#"{{"release":"{release}","repoid":"b0b4ad59","version":"{version}"}}"#)
    };
    stubs.tool("pvesh", &[ok("get /nodes/", &answer("8.2", "8.2.4"))]);
    stubs.passes(&version);
    stubs.tool(
        "pvesh",
        &[
            ok("get /nodes/h1/", &answer("8.2", "8.2.4")),
            ok("get /nodes/", &answer("8.1", "8.1.10")),
        ],
    );
    stubs.fails_with(&version, "h2: 8.2", "8.1.10");

    let cluster = assert_of(&book, 1, true, CheckKind::HostState, "h1, h2, h3");
    stubs.tool(
        "pvesh",
        &[ok("get /cluster/resources --type node", &nodes("online"))],
    );
    stubs.passes(&cluster);
    stubs.tool(
        "pvesh",
        &[ok("get /cluster/resources --type node", &nodes("offline"))],
    );
    stubs.fails_with(&cluster, "none", "h3");

    let back = assert_of(&book, 1, false, CheckKind::Rejoined, "h1");
    stubs.tool(
        "pvesh",
        &[ok("get /cluster/resources --type node", &nodes("online"))],
    );
    stubs.tool("ha-manager", &[ok("status", HA_ACTIVE)]);
    stubs.passes(&back);
    stubs.tool("ha-manager", &[ok("status", HA_H1_MAINTENANCE)]);
    stubs.fails_with(&back, "h1: online", "maintenance");

    let quorum = assert_of(&book, 1, true, CheckKind::Quorum, "etcd");
    stubs.tool("pvecm", &[ok("status", &pvecm("Yes", 3))]);
    stubs.passes(&quorum);
    stubs.tool("pvecm", &[ok("status", &pvecm("Yes", 2))]);
    stubs.fails_with(&quorum, "at least 3", "2");
    stubs.tool("pvecm", &[ok("status", &pvecm("No", 1))]);
    stubs.fails_with(&quorum, "at least 3", "not quorate");

    let budget = assert_of(&book, 1, true, CheckKind::Budget, "web");
    stubs.tool("pvesh", &[ok("get /cluster/resources --type vm", GUESTS)]);
    stubs.passes(&budget);
    stubs.tool("pvesh", &[ok("get /cluster/resources --type vm", ONE_STOPPED)]);
    stubs.fails_with(&budget, "at least 2", "1");

    let storage = assert_of(&book, 1, true, CheckKind::Storage, "storage");
    let pvesm = |nfs: &str| {
        format!(
            "Name             Type     Status           Total            Used       Available        %\nlocal             dir     active        98559220        12345678        81185236   12.53%\nnfs-backup        nfs     {nfs}      1073741824       536870912       536870912   50.00%\n"
        )
    };
    stubs.tool("pvesm", &[ok("status", &pvesm("active  "))]);
    stubs.passes(&storage);
    stubs.tool("pvesm", &[ok("status", &pvesm("inactive"))]);
    stubs.fails_with(&storage, "none", "nfs-backup");

    let ha = assert_of(&book, 1, false, CheckKind::Policy, "HA resources");
    stubs.tool("ha-manager", &[ok("status", HA_ACTIVE)]);
    stubs.passes(&ha);
    stubs.tool(
        "ha-manager",
        &[ok("status", &HA_ACTIVE.replace("(h1, started)", "(h1, error)"))],
    );
    stubs.fails_with(&ha, "0", "1");
}

/// Node maintenance waits until no HA service is left on the node, not only until the node
/// shows maintenance; guests the HA stack does not manage move through the migrate API.
#[test]
fn proxmox_waits_for_the_ha_services_to_leave_and_moves_the_others_itself() {
    use std::os::unix::fs::PermissionsExt;
    let (_, book) = book("proxmox", "8.2", "8.3", "");
    let w1 = &book.waves[0];
    let enter = w1
        .steps
        .iter()
        .find(|s| s.action == Action::EnterMaintenance)
        .and_then(|s| s.command.clone())
        .expect("a command");
    let stubs = Stubs::new("proxmox-ha");
    stubs.tool("sleep", &[ok("", "")]);
    // ha-manager: the node shows maintenance at once, its service leaves on the third look.
    let counter = std::env::temp_dir().join(format!("quorate-ha-{}", std::process::id()));
    let _ = std::fs::remove_file(&counter);
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"ha-manager $*\" >> calls\ncase \"$*\" in\n  crm-command*) exit 0;;\n  status) n=$(cat '{0}' 2>/dev/null || echo 0); n=$((n + 1)); echo $n > '{0}'\n    printf 'quorum OK\\nlrm h1 (maintenance mode, Tue Dec  1 11:00:00 2026)\\n'\n    if [ $n -lt 3 ]; then printf 'service vm:100 (h1, migrate)\\n'; else printf 'service vm:100 (h2, started)\\n'; fi;;\nesac\n",
        counter.display()
    );
    let bin = stubs.bin().join("ha-manager");
    std::fs::write(&bin, script).expect("stub");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let (ran, out) = stubs.run(&enter);
    assert!(ran, "{out}");
    let looks = stubs.calls().iter().filter(|c| *c == "ha-manager status").count();
    assert_eq!(looks, 3, "{:?}", stubs.calls());
    let _ = std::fs::remove_file(&counter);

    // The planned move of a guest: through HA when HA manages it, else the migrate API.
    let migrate = w1
        .steps
        .iter()
        .find(|s| s.action == Action::Migrate)
        .and_then(|s| s.command.clone())
        .expect("a migrate step");
    stubs.tool(
        "pvesh",
        &[ok("get /cluster/resources --type vm", GUESTS), ok("create", "")],
    );
    stubs.tool("ha-manager", &[ok("migrate", "")]);
    let (ran, out) = stubs.run(&migrate);
    assert!(ran, "{out}");
    let calls = stubs.calls();
    assert!(
        calls.iter().any(|c| c.starts_with("ha-manager migrate vm:100 ")),
        "{calls:?}"
    );
    let non_ha = GUESTS.replace(r#","hastate":"started""#, "");
    stubs.tool(
        "pvesh",
        &[ok("get /cluster/resources --type vm", &non_ha), ok("create", "")],
    );
    let (ran, out) = stubs.run(&migrate);
    assert!(ran, "{out}");
    let calls = stubs.calls();
    assert!(
        calls.iter().any(
            |c| c.starts_with("pvesh create /nodes/h1/qemu/100/migrate --target ")
                && c.ends_with(" --online 1")
        ),
        "{calls:?}"
    );
    assert!(!calls.iter().any(|c| c.starts_with("ha-manager")), "{calls:?}");
}
