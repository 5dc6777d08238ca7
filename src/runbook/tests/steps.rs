//! The steps: moves first, then maintenance, upgrade, reboot and back; components; each
//! platform's own commands.

use super::*;

#[test]
fn a_component_wave_is_one_upgrade_step() {
    let cluster = cluster("vsphere");
    let book = build(&cluster, &plan(&cluster, &[&["manager"], &["h1"]]));
    let w1 = &book.waves[0];
    assert_eq!(w1.steps.len(), 1);
    assert_eq!(
        (w1.steps[0].action, w1.steps[0].target.as_str()),
        (Action::Upgrade, "manager")
    );
    assert_eq!(
        check(w1, CheckKind::Version, "manager").expect,
        "manager is up and runs 1.0, as declared"
    );
    assert!(
        w1.rollback.contains("no workload has to move back"),
        "{}",
        w1.rollback
    );
}

#[test]
fn steps_move_first_then_maintenance_upgrade_reboot_and_back() {
    for platform in [
        "vsphere",
        "vsan",
        "nutanix",
        "proxmox",
        "hyperv",
        "openstack",
        "kubernetes",
        "ceph",
        "generic",
    ] {
        let cluster = cluster(platform);
        let book = build(&cluster, &plan(&cluster, &[&["h1"], &["manager"]]));
        let w1 = &book.waves[0];
        let first_upgrade = position(w1, Action::Upgrade, "h1");
        for s in w1.steps.iter().filter(|s| s.action == Action::Migrate) {
            let index = w1.steps.iter().position(|x| x == s).expect("present");
            assert!(index < first_upgrade, "{platform}: {} after the upgrade", s.id);
        }
        let enter = w1
            .steps
            .iter()
            .position(|s| matches!(s.action, Action::EnterMaintenance | Action::Drain) && s.target == "h1")
            .expect("into maintenance");
        let exit = w1
            .steps
            .iter()
            .position(|s| matches!(s.action, Action::ExitMaintenance | Action::Uncordon) && s.target == "h1")
            .expect("out of maintenance");
        assert!(enter < first_upgrade, "{platform}");
        assert!(first_upgrade < position(w1, Action::Reboot, "h1"), "{platform}");
        assert!(position(w1, Action::Reboot, "h1") < exit, "{platform}");
        let migrated: Vec<&str> = w1
            .steps
            .iter()
            .filter(|s| s.action == Action::Migrate)
            .map(|s| s.target.as_str())
            .collect();
        assert_eq!(migrated, ["db-1", "web"], "{platform}");
        for s in w1.steps.iter().filter(|s| s.action == Action::MigrateBack) {
            assert!(
                w1.steps.iter().position(|x| x == s).expect("present") > exit,
                "{platform}"
            );
        }
        if platform == "ceph" {
            assert_eq!(w1.steps.first().map(|s| s.action), Some(Action::SetNoout));
            assert_eq!(w1.steps.last().map(|s| s.action), Some(Action::UnsetNoout));
        }
        if platform == "generic" {
            assert!(w1.steps.iter().all(|s| s.command.is_none()));
            assert!(
                w1.pre_checks
                    .iter()
                    .chain(&w1.post_checks)
                    .all(|c| c.command.is_none())
            );
        } else {
            assert!(w1.steps.iter().any(|s| s.command.is_some()), "{platform}");
        }
    }
}

#[test]
fn kubernetes_cordons_every_node_before_draining_and_checks_pods_after() {
    let cluster = cluster("kubernetes");
    let book = build(&cluster, &plan(&cluster, &[&["h2", "h3"], &["h1"], &["manager"]]));
    let w1 = &book.waves[0];
    let actions: Vec<(&str, &str)> = w1
        .steps
        .iter()
        .map(|s| (s.action.name(), s.target.as_str()))
        .collect();
    assert_eq!(
        &actions[..5],
        [
            ("cordon", "h2"),
            ("cordon", "h3"),
            ("drain", "h2"),
            ("drain", "h3"),
            ("migrate", "db-2")
        ]
    );
    assert_eq!(
        w1.steps[2].command.as_deref(),
        Some("kubectl drain --ignore-daemonsets --delete-emptydir-data --timeout=15m 'h2'")
    );
    assert!(w1.steps.iter().all(|s| s.action != Action::MigrateBack));
}

#[test]
fn hyperv_commands_are_powershell_quoted() {
    let mut cluster = cluster("hyperv");
    cluster.hosts[1].name = "h'2".into();
    let moved = plan(&cluster, &[&["h1"]]);
    let book = build(&cluster, &moved);
    let step = book.waves[0]
        .steps
        .iter()
        .find(|s| s.action == Action::Migrate && s.target == "db-1")
        .expect("db-1 moves");
    let to = cluster.host(moved.waves[0].moves[0].to).name.clone();
    assert_eq!(
        step.command.as_deref(),
        Some(
            format!(
                "Move-ClusterVirtualMachineRole -Name 'db-1' -Node {} -MigrationType Live",
                quote::ps(&to)
            )
            .as_str()
        )
    );
    assert!(platform::for_cluster(&cluster).shell() == platform::Shell::PowerShell);
}
