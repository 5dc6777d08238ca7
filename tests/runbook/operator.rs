//! What an operator trial found in the runbook (issue 13): workloads that cannot move must appear
//! in every output, a host with no capacity (a vSAN witness) is never described as receiving
//! workloads, and a host without a declared target version is upgraded "to the new release",
//! never "to Proxmox VE its new version".
//!
//! The platform commands asserted here were checked against each tool's own documentation:
//! - govc: `vm.power -s` (guest shutdown, returns at once) and `vm.power -on`, vmware/govmomi
//!   govc/USAGE.md, section `vm.power`;
//! - acli: `vm.shutdown` (ACPI guest shutdown) and `vm.on`, as the restart move of
//!   src/runbook/platform/nutanix.rs already uses them (Nutanix AHV Administration Guide, acli
//!   reference);
//! - Hyper-V: `Stop-VM [-ComputerName <String[]>] [-Name] <String[]>` shuts the VM down through
//!   the guest operating system when given neither `-TurnOff` nor `-Save`, and `Start-VM`
//!   (MicrosoftDocs windows-powershell-docs, hyper-v/Stop-VM.md and Start-VM.md);
//! - OpenStack: `openstack server stop` / `server start` (python-openstackclient; the Compute
//!   API's os-stop and os-start server actions), status `SHUTOFF` once stopped;
//! - Proxmox VE: `ha-manager set SID --state stopped|started` (pve-ha-manager
//!   src/PVE/CLI/ha_manager.pm) for HA guests, else `POST /nodes/{node}/qemu/{vmid}/status/
//!   shutdown` and `.../status/start` (qemu-server PVE/API2/Qemu.pm `vm_shutdown`, `vm_start`;
//!   pve-container the same under `lxc`).

use quorate::document::PlanDocument;
use quorate::model::Platform;
use quorate::render;
use quorate::runbook::{Action, CheckKind, Runbook, build};

use crate::support;

/// The plan and runbook of a description.
fn plan(name: &str, text: &str) -> (quorate::Cluster, quorate::plan::Plan, Runbook) {
    let (cluster, plan) = super::planned(name, text);
    let book = build(&cluster, &plan);
    (cluster, plan, book)
}

/// Three hosts, one wave each, no version declared anywhere; `a` carries `usb-vm`, which
/// cannot move, and `web`, which can.
fn three_hosts(platform: &str) -> String {
    format!(
        r#"
[cluster]
name = "trial"
platform = "{platform}"

[policy]
max_hosts_per_wave = 1

[[host]]
name = "a"
cpu = 16
memory_gib = 64

[[host]]
name = "b"
cpu = 16
memory_gib = 64

[[host]]
name = "c"
cpu = 16
memory_gib = 64

[[component]]
name = "manager"

[[workload]]
name = "usb-vm"
host = "a"
cpu = 2
memory_gib = 4
migration = "none"

[[workload]]
name = "web"
host = "a"
cpu = 2
memory_gib = 4
"#
    )
}

/// Every text of a runbook an operator reads: expectations, step details and rollback notes.
fn texts(book: &Runbook) -> Vec<String> {
    book.waves
        .iter()
        .flat_map(|w| {
            w.pre_checks
                .iter()
                .chain(&w.post_checks)
                .map(|c| c.expect.clone())
                .chain(w.steps.iter().map(|s| s.detail.clone()))
                .chain([w.rollback.clone()])
        })
        .collect()
}

#[test]
fn without_a_target_version_every_platform_says_the_new_release() {
    for &(platform, _) in Platform::NAMES.iter() {
        let (_, _, book) = plan(platform, &three_hosts(platform));
        for text in texts(&book) {
            assert!(
                !text.contains("its new version") && !text.contains("VE its") && !text.contains("ESXi its"),
                "{platform}: {text}"
            );
        }
        let upgrades: Vec<_> = book
            .waves
            .iter()
            .flat_map(|w| &w.steps)
            .filter(|s| s.action == Action::Upgrade && ["a", "b", "c"].contains(&s.target.as_str()))
            .collect();
        assert_eq!(upgrades.len(), 3, "{platform}: one upgrade per host");
        // Ceph hosts change version with `ceph orch upgrade`, not in a host wave: their steps
        // name no target at all.
        if platform != "ceph" {
            for step in upgrades {
                assert!(
                    step.detail.contains("new release")
                        || step.detail.contains("new Proxmox VE release")
                        || step.detail.contains("new ESXi release"),
                    "{platform}: {}",
                    step.detail
                );
            }
        }
    }
    let (_, _, book) = plan("proxmox", &three_hosts("proxmox"));
    assert!(
        texts(&book)
            .iter()
            .any(|t| t.starts_with("upgrade a to the new Proxmox VE release")),
        "the reported sentence, fixed"
    );
}

#[test]
fn a_workload_that_cannot_move_is_shut_down_before_maintenance_and_started_after() {
    for &(platform, _) in Platform::NAMES.iter() {
        let (_, _, book) = plan(platform, &three_hosts(platform));
        let wave = book
            .waves
            .iter()
            .find(|w| {
                w.steps
                    .iter()
                    .any(|s| s.target == "a" && s.action == Action::Upgrade)
            })
            .unwrap_or_else(|| panic!("{platform}: a wave upgrades a"));
        let at = |action: Action, target: &str| {
            wave.steps
                .iter()
                .position(|s| s.action == action && s.target == target)
                .unwrap_or_else(|| panic!("{platform}: no {} of {target}", action.name()))
        };
        let shutdown = at(Action::Shutdown, "usb-vm");
        let start = at(Action::Start, "usb-vm");
        let upgrade = at(Action::Upgrade, "a");
        // Maintenance is entered by a drain on Kubernetes, by pausing the node elsewhere.
        let enter = wave
            .steps
            .iter()
            .position(|s| matches!(s.action, Action::EnterMaintenance | Action::Drain) && s.target == "a");
        let back = wave
            .steps
            .iter()
            .position(|s| matches!(s.action, Action::ExitMaintenance | Action::Uncordon) && s.target == "a")
            .unwrap_or_else(|| panic!("{platform}: a leaves maintenance"));
        assert!(
            shutdown < upgrade && enter.is_none_or(|e| shutdown < e),
            "{platform}"
        );
        assert!(start > back, "{platform}: started once its host is back");
        // Only the workload that cannot move: `web` is migrated, never shut down.
        assert!(
            !wave
                .steps
                .iter()
                .any(|s| s.target == "web" && matches!(s.action, Action::Shutdown | Action::Start)),
            "{platform}"
        );
        let command = |i: usize| wave.steps[i].command.clone();
        let expected: Option<(&str, &str)> = match platform {
            "vsphere" | "vsan" => Some((
                "govc vm.power -s 'usb-vm' && until govc vm.info 'usb-vm' | grep -q poweredOff; do sleep 5; done",
                "govc vm.power -on 'usb-vm'",
            )),
            "nutanix" => Some(("acli vm.shutdown 'usb-vm'", "acli vm.on 'usb-vm'")),
            "hyperv" => Some((
                "Stop-VM -Name 'usb-vm' -ComputerName 'a'",
                "Start-VM -Name 'usb-vm' -ComputerName 'a'",
            )),
            "openstack" => Some((
                "openstack server stop 'usb-vm' && until [ \"$(openstack server show -f value -c status 'usb-vm')\" = SHUTOFF ]; do sleep 5; done",
                "openstack server start 'usb-vm'",
            )),
            _ => None,
        };
        match expected {
            Some((stop, go)) => {
                assert_eq!(command(shutdown).as_deref(), Some(stop), "{platform}");
                assert_eq!(command(start).as_deref(), Some(go), "{platform}");
            }
            None if platform == "proxmox" => {
                let stop = command(shutdown).expect("a command");
                assert!(
                    stop.contains("ha-manager set \"vm:$2\" --state stopped"),
                    "{stop}"
                );
                assert!(
                    stop.contains("pvesh create \"/nodes/$3/$1/$2/status/shutdown\""),
                    "{stop}"
                );
                let go = command(start).expect("a command");
                assert!(
                    go.contains("--state started") && go.contains("/status/start\""),
                    "{go}"
                );
            }
            None => {
                assert_eq!(command(shutdown), None, "{platform}: words only");
                assert!(wave.steps[shutdown].detail.contains("usb-vm"), "{platform}");
            }
        }
    }
}

#[test]
fn a_workload_that_cannot_move_appears_in_every_output_format() {
    let (cluster, plan, _) = plan("vsphere", &three_hosts("vsphere"));
    let doc = PlanDocument::new(&cluster, &plan);
    let wave = doc
        .waves
        .iter()
        .find(|w| w.hosts.contains(&"a".to_string()))
        .expect("a wave upgrades a");
    assert_eq!(wave.down_with_host.len(), 1);
    assert_eq!(
        (
            wave.down_with_host[0].workload.as_str(),
            wave.down_with_host[0].host.as_str()
        ),
        ("usb-vm", "a")
    );
    let json: serde_json::Value = serde_json::from_str(&doc.to_json()).expect("JSON");
    let index = wave.index - 1;
    assert_eq!(
        json["waves"][index]["down_with_host"],
        serde_json::json!([{ "workload": "usb-vm", "host": "a" }])
    );
    let text = render::text::render(&doc, false);
    assert!(text.contains("down with host:     usb-vm (on a)"), "{text}");
    let markdown = render::markdown::render(&doc);
    assert!(
        markdown.contains("- **Down with their host:** `usb-vm` (on `a`)"),
        "{markdown}"
    );
    let start = "2026-12-31T22:00:00Z".parse().expect("a time");
    for change in [
        render::change::render(&doc, start),
        render::change::markdown::render(&doc, start),
    ] {
        assert!(
            change.contains("Workloads down with their host: usb-vm (on a, shut down and started again)"),
            "{change}"
        );
    }
    let change: serde_json::Value =
        serde_json::from_str(&render::change::render(&doc, start)).expect("the change request is JSON");
    let waves = change["waves"].as_array().expect("waves");
    assert!(
        waves
            .iter()
            .any(|w| w["down_with_host"] == serde_json::json!([{ "workload": "usb-vm", "host": "a" }])),
        "{change}"
    );
    let shell = quorate::runbook::platform::for_cluster(&cluster).shell();
    for out in [
        render::script::render(&doc, shell),
        render::ansible::render(&doc, shell),
        render::toml::render(&doc).expect("TOML"),
    ] {
        // Each format quotes commands its own way: the verbs and the name are there.
        assert!(
            out.contains("govc vm.power -s ") && out.contains("govc vm.power -on "),
            "{out}"
        );
        assert!(out.contains("usb-vm"), "{out}");
    }
}

#[test]
fn a_quorum_member_that_cannot_move_is_left_to_the_platform() {
    // The Nutanix CVMs cannot move and form the cluster's quorum: LCM stops and starts them,
    // and `acli vm.shutdown` of a CVM would be an outage of its node's storage.
    let text = std::fs::read_to_string(support::root().join("examples/nutanix-ahv.toml")).expect("readable");
    let (cluster, plan, book) = plan("nutanix-ahv", &text);
    assert!(
        book.waves
            .iter()
            .flat_map(|w| &w.steps)
            .all(|s| !matches!(s.action, Action::Shutdown | Action::Start) || !s.target.starts_with("cvm-")),
        "no shutdown or start step for a CVM"
    );
    // Still listed as down with its host.
    let doc = PlanDocument::new(&cluster, &plan);
    assert!(
        doc.waves
            .iter()
            .flat_map(|w| &w.down_with_host)
            .any(|p| p.workload.starts_with("cvm-"))
    );
}

#[test]
fn the_witness_is_never_described_as_receiving_workloads() {
    let text =
        std::fs::read_to_string(support::root().join("examples/vsan-stretched.toml")).expect("readable");
    let (cluster, _, book) = plan("vsan-stretched", &text);
    let witness = "vsan-witness01";
    let mut seen_exit = false;
    for wave in &book.waves {
        for step in &wave.steps {
            if step.target == witness && step.action == Action::ExitMaintenance {
                seen_exit = true;
                assert!(!step.detail.contains("DRS may place VMs"), "{}", step.detail);
            }
        }
        for check in wave.pre_checks.iter().chain(&wave.post_checks) {
            if check.subject == witness {
                assert!(!check.expect.contains("taking workloads"), "{}", check.expect);
            }
            if check.kind == CheckKind::Capacity {
                let command = check.command.as_deref().unwrap_or("");
                assert!(!command.contains(witness), "{}: {command}", check.id);
                // The data hosts that stay up: all but the witness, less this wave's.
                let down = wave
                    .steps
                    .iter()
                    .filter(|s| s.action == Action::EnterMaintenance && s.target != witness)
                    .count();
                let up = cluster.hosts.len() - 1 - down;
                assert!(
                    check.expect.contains(&format!(" on the {up} hosts that stay up")),
                    "{}: {}",
                    check.id,
                    check.expect
                );
            }
        }
    }
    assert!(seen_exit, "the witness has a wave of its own");
}

#[test]
fn a_wave_that_takes_every_host_down_asks_for_nothing_on_hosts_that_stay_up() {
    // Proxmox without its corosync group: one wave reboots every node (and is warned about);
    // its storage check must not speak of nodes that stay up.
    for platform in ["proxmox", "vsphere"] {
        let text = format!(
            "[cluster]\nname = \"lab\"\nplatform = \"{platform}\"\n\n[[host]]\nname = \"a\"\ncpu = 8\n\
             memory_gib = 64\n\n[[host]]\nname = \"b\"\ncpu = 8\nmemory_gib = 64\n"
        );
        let (_, plan, book) = plan(platform, &text);
        assert_eq!(plan.waves.len(), 1, "{platform}: one wave, every host");
        let storage = book.waves[0]
            .pre_checks
            .iter()
            .find(|c| c.kind == CheckKind::Storage)
            .unwrap_or_else(|| panic!("{platform}: a storage check"));
        assert!(
            !storage.expect.contains("that stays up"),
            "{platform}: {}",
            storage.expect
        );
        assert!(
            storage.expect.contains("before the wave"),
            "{platform}: {}",
            storage.expect
        );
    }
}

#[test]
fn ceph_daemons_on_a_proxmox_node_are_left_to_the_ceph_steps() {
    // `osds.pve01` models a node's OSDs: not a guest, so no `pvesh` shutdown of it.
    let text = std::fs::read_to_string(support::root().join("examples/proxmox-ceph.toml")).expect("readable");
    let (_, _, book) = plan("proxmox-ceph", &text);
    let steps: Vec<_> = book
        .waves
        .iter()
        .flat_map(|w| &w.steps)
        .filter(|s| matches!(s.action, Action::Shutdown | Action::Start))
        .map(|s| s.target.as_str())
        .collect();
    assert!(
        steps
            .iter()
            .all(|t| !t.starts_with("osds.") && !t.starts_with("mon.")),
        "{steps:?}"
    );
}

/// The capacity pre-check says how the declared free room was derived, overcommit included
/// (issue 13 item 11): the number is the model's usable capacity, and an operator comparing it
/// with the platform's free cores needs to know the ratio was applied.
#[test]
fn the_capacity_check_names_the_cpu_overcommit_and_the_headroom() {
    let text = three_hosts("generic").replace(
        "max_hosts_per_wave = 1",
        "max_hosts_per_wave = 1\ncpu_overcommit = 2\nheadroom_percent = 10",
    );
    let (_, _, book) = plan("generic", &text);
    let capacity: Vec<&str> = book
        .waves
        .iter()
        .flat_map(|w| &w.pre_checks)
        .filter(|c| c.kind == CheckKind::Capacity)
        .map(|c| c.expect.as_str())
        .collect();
    assert!(!capacity.is_empty(), "some wave moves a workload");
    for expect in capacity {
        if expect.contains(" of cpu free") {
            assert!(
                expect.ends_with(", at cpu_overcommit = 2 and after 10% headroom"),
                "{expect}"
            );
        } else {
            assert!(expect.ends_with(", after 10% headroom"), "{expect}");
        }
    }
}
