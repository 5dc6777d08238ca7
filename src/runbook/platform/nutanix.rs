//! Nutanix AHV, with acli and ncli on a CVM.
//!
//! Hosts are AHV hosts as acli names them (acli also takes the hypervisor IP), workloads are
//! VMs. A quorum group of workloads on Nutanix is in practice the CVMs, whose services
//! `cluster status` shows. Data resiliency is ncli's fault-tolerance status. AHV upgrades run
//! through LCM (Prism), which has no acli command; LCM also shuts the CVM down and brings it
//! back.

use crate::model::{Migration, Workload};

use super::assert::{Test, compare};
use super::{
    CheckSpec, Commands, Instruction, Phase, StepSpec, anti_affinity_policy, join, sh_each, target_words,
};
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::sh;
use crate::runbook::{Action, CheckKind, and_list};

/// A Nutanix AHV cluster.
pub struct Nutanix;

impl Commands for Nutanix {
    fn cluster_state(&self) -> Option<String> {
        Some("acli host.list && ncli host list".into())
    }

    fn versions(&self, _hosts: &[&str]) -> Option<String> {
        Some("ncli host list".into())
    }

    fn members(&self, hosts: &[&str], workloads: &[&str], _components: &[&str]) -> Option<String> {
        join([
            (!hosts.is_empty()).then(|| "acli host.list".to_string()),
            (!workloads.is_empty()).then(|| "cluster status".to_string()),
        ])
    }

    fn budget(&self, _name: &str, workloads: &[&str]) -> Option<String> {
        Some(sh_each(workloads, |vm| format!("acli vm.get {vm}")))
    }

    fn capacity(&self, up_hosts: &[&str]) -> Option<String> {
        Some(format!(
            "acli ha.get && {}",
            sh_each(up_hosts, |h| format!("acli host.get {h}"))
        ))
    }

    fn storage(&self, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        let mut out = vec![CheckSpec {
            expectation: None,
            kind: CheckKind::Storage,
            subject: "data resiliency".into(),
            expect: match phase {
                Phase::Before => {
                    "Data Resiliency OK: node fault tolerance 1 for every component, no rebuild running"
                }
                Phase::After => {
                    "Data Resiliency OK again (the CVMs of this wave caught up) before the next wave starts"
                }
            }
            .into(),
            command: Some("ncli cluster get-domain-fault-tolerance-status type=node".into()),
            // ncli prints one block per component with `Current Fault Tolerance : N` (Nutanix
            // Prism Web Console Guide, "Checking the cluster fault tolerance status"); the
            // smallest must be at least 1.
            assert: Some(compare(
                "'node fault tolerance'",
                "ncli cluster get-domain-fault-tolerance-status type=node | awk -F': *' \
                 '$1 ~ /Current Fault Tolerance/ {if (m == \"\" || $2 + 0 < m) m = $2 + 0} END {print m}'",
                Test::AtLeast(1),
            )),
        }];
        if phase == Phase::Before {
            for host in facts.host_names() {
                out.push(CheckSpec {
            expectation: None,
                    kind: CheckKind::HostState,
                    subject: host.to_string(),
                    expect: format!("acli answers \"Ok to enter maintenance mode.\" for {host}"),
                    command: Some(format!("acli host.enter_maintenance_mode_check {}", sh(host))),
                    assert: Some(compare(
                        &sh(host),
                        &format!(
                            "acli host.enter_maintenance_mode_check {} | grep -cxF 'Ok to enter maintenance mode.'",
                            sh(host)
                        ),
                        Test::Equals("1"),
                    )),
                });
            }
        } else {
            out.push(CheckSpec {
                expectation: None,
                kind: CheckKind::Storage,
                subject: "CVM services".into(),
                expect: "every CVM and every service on it UP".into(),
                command: Some("cluster status".into()),
                // `cluster status` lists each CVM and service with `UP` or `DOWN` (Nutanix AOS
                // Command Reference, `cluster status`).
                assert: Some(compare(
                    "'CVM services DOWN'",
                    "cluster status 2>&1 | grep -cw DOWN",
                    Test::Equals("0"),
                )),
            });
        }
        out
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        let mut out = anti_affinity_policy(facts, Some("acli vm_group.list".into()));
        out.push(CheckSpec {
            expectation: None,
            assert: None,
            kind: CheckKind::Policy,
            subject: "HA reservation".into(),
            expect: "HA still enabled with its reservation (guarantee mode), not reset by the upgrade".into(),
            command: Some("acli ha.get".into()),
        });
        out.push(CheckSpec {
            expectation: None,
            assert: None,
            kind: CheckKind::Policy,
            subject: "networks".into(),
            expect: format!(
                "every VM network as before the upgrade, and the uplink bonds of {} (Prism, \
                 Network > Uplink configuration)",
                and_list(&facts.host_names())
            ),
            // `manage_ovs show_uplinks` shows only the host of the CVM it runs on, which is not
            // one of this wave's hosts in general: the bonds are checked in Prism instead.
            command: Some("acli net.list".into()),
        });
        out
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        let vm = sh(&workload.name);
        let detail = super::migrate_words(workload, from, to);
        match workload.migration {
            Migration::Restart => Instruction::run(
                format!("acli vm.shutdown {vm} && acli vm.on {vm} host={}", sh(to)),
                detail,
            ),
            _ => Instruction::run(format!("acli vm.migrate {vm} host={} live=true", sh(to)), detail),
        }
    }

    // The same acli verbs as the restart move above: `vm.shutdown` is the ACPI guest shutdown,
    // `vm.on` powers on.
    fn shutdown(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::run(
            format!("acli vm.shutdown {}", sh(&workload.name)),
            super::pinned_words(workload, host, true),
        )
    }

    fn start(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::run(
            format!("acli vm.on {}", sh(&workload.name)),
            super::pinned_words(workload, host, false),
        )
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(StepSpec::new(
            Action::EnterMaintenance,
            host,
            Some(format!("acli host.enter_maintenance_mode {} wait=true", sh(host))),
            format!(
                "put {host} into maintenance mode: AHV live-migrates whatever is left; its CVM \
                 stays up until the upgrade stops it"
            ),
        ))
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        Instruction::prose(format!(
            "upgrade AHV on {host} to {} with LCM; LCM stops the CVM, upgrades, reboots the host \
             and waits for the CVM to rejoin",
            target_words(target)
        ))
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::prose(format!(
            "LCM rebooted {host}; a manual reboot needs the CVM shut down first (cvm_shutdown \
             -P now on it); wait until the CVM is back in `cluster status`"
        ))
    }

    fn exit(&self, host: &str, receives: bool) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(format!("acli host.exit_maintenance_mode {}", sh(host))),
            if receives {
                format!("take {host} out of maintenance mode; AHV brings its VMs back")
            } else {
                format!("take {host} out of maintenance mode; it has no capacity and runs no VMs")
            },
        )
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let hosts = facts.host_names();
        format!(
            "Do not start another node while Data Resiliency is not OK: a second CVM down can \
             make data unavailable. A node whose upgrade failed stays in maintenance \
             mode; LCM can retry it. Take the nodes that are back out of maintenance mode ({}).",
            sh_each(&hosts, |h| format!("acli host.exit_maintenance_mode {h}"))
        )
    }
}
