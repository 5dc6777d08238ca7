//! Hyper-V failover clusters, with the FailoverClusters and Hyper-V PowerShell modules.
//!
//! Commands are PowerShell, run on a cluster node (or with `-Cluster`): names are quoted with
//! [`ps`], which doubles every kind of single quote PowerShell knows. Hosts are cluster nodes,
//! workloads are clustered VM roles of the same name, anti-affinity groups are
//! `AntiAffinityClassNames`. A node is paused and drained before its upgrade and resumed with
//! immediate failback, so its roles come home.

use crate::model::{Migration, Workload};

use super::{
    CheckSpec, Commands, Instruction, Phase, Shell, StepSpec, anti_affinity_policy, join, target_words,
};
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::{ps, ps_list};
use crate::runbook::{Action, CheckKind, and_list};

/// A Hyper-V failover cluster.
pub struct HyperV;

fn list(names: &[&str]) -> String {
    ps_list(names.iter().copied())
}

impl Commands for HyperV {
    fn shell(&self) -> Shell {
        Shell::PowerShell
    }

    fn cluster_state(&self) -> Option<String> {
        Some("Get-ClusterNode | Format-Table Name, State, DrainStatus; Get-ClusterFaultDomain".into())
    }

    fn host_states(&self, hosts: &[&str]) -> Option<String> {
        Some(format!(
            "Get-ClusterNode -Name {} | Format-Table Name, State, DrainStatus",
            list(hosts)
        ))
    }

    fn versions(&self, hosts: &[&str]) -> Option<String> {
        Some(format!(
            "Get-CimInstance -ClassName Win32_OperatingSystem -ComputerName {} | Format-Table CSName, Caption, Version",
            list(hosts)
        ))
    }

    fn members(&self, hosts: &[&str], workloads: &[&str], components: &[&str]) -> Option<String> {
        join([
            (!hosts.is_empty()).then(|| {
                format!(
                    "Get-ClusterNode -Name {} | Format-Table Name, State, NodeWeight, DynamicWeight",
                    list(hosts)
                )
            }),
            (!components.is_empty()).then(|| "Get-ClusterQuorum | Format-List *".to_string()),
            (!workloads.is_empty()).then(|| {
                format!(
                    "Get-ClusterGroup -Name {} | Format-Table Name, OwnerNode, State",
                    list(workloads)
                )
            }),
        ])
    }

    fn capacity(&self, up_hosts: &[&str]) -> Option<String> {
        Some(format!(
            "Get-VMHost -ComputerName {0} | Format-Table ComputerName, LogicalProcessorCount, MemoryCapacity; \
             Get-Counter -ComputerName {0} -Counter '\\Memory\\Available MBytes'",
            list(up_hosts)
        ))
    }

    fn storage(&self, _facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        vec![
            CheckSpec {
                kind: CheckKind::Storage,
                subject: "cluster shared volumes".into(),
                expect: "every CSV Online".into(),
                command: Some("Get-ClusterSharedVolume | Format-Table Name, State, OwnerNode".into()),
            },
            CheckSpec {
                kind: CheckKind::Storage,
                subject: "CSV access".into(),
                expect: match phase {
                    Phase::Before => {
                        "every node accesses every CSV directly (StateInfo Direct), none redirected"
                    }
                    Phase::After => {
                        "the nodes of this wave access every CSV directly again (StateInfo Direct)"
                    }
                }
                .into(),
                command: Some("Get-ClusterSharedVolumeState | Format-Table Name, Node, StateInfo".into()),
            },
        ]
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        let hosts = facts.host_names();
        let mut out = anti_affinity_policy(
            facts,
            Some("Get-ClusterGroup | Format-Table Name, AntiAffinityClassNames".into()),
        );
        out.push(CheckSpec {
            kind: CheckKind::Policy,
            subject: "virtual switches".into(),
            expect: format!(
                "{} have the same virtual switches as the other nodes (a clean install of the OS \
                 loses them, and VMs cannot move onto a node without them)",
                and_list(&hosts)
            ),
            command: Some(format!(
                "Get-VMSwitch -ComputerName {} | Format-Table ComputerName, Name, SwitchType",
                list(&hosts)
            )),
        });
        let cluster = facts.cluster;
        if cluster.fault_domains.iter().any(|d| !d.implicit) {
            let placed: Vec<String> = facts
                .hosts()
                .iter()
                .map(|&h| {
                    let host = cluster.host(h);
                    format!(
                        "{} in {}",
                        host.name,
                        cluster.fault_domain(host.fault_domain).name
                    )
                })
                .collect();
            out.push(CheckSpec {
                kind: CheckKind::Policy,
                subject: "fault domains".into(),
                expect: format!("nodes still in their fault domains: {}", and_list(&placed)),
                command: Some("Get-ClusterFaultDomain".into()),
            });
        }
        out
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        let kind = match workload.migration {
            Migration::Restart => "Shutdown",
            _ => "Live",
        };
        Instruction::run(
            format!(
                "Move-ClusterVirtualMachineRole -Name {} -Node {} -MigrationType {kind}",
                ps(&workload.name),
                ps(to)
            ),
            super::migrate_words(workload, from, to),
        )
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(StepSpec::new(
            Action::EnterMaintenance,
            host,
            Some(format!("Suspend-ClusterNode -Name {} -Drain -Wait", ps(host))),
            format!("pause {host} and drain what is left on it; DrainStatus must end Completed, not Failed"),
        ))
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        Instruction::prose(format!(
            "install {} on {host}: the updates, or for a Cluster OS Rolling Upgrade evict the \
             node, clean-install, restore its virtual switches and add it back (Add-ClusterNode)",
            target_words(target)
        ))
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::run(
            format!(
                "Restart-Computer -ComputerName {} -Force -Wait -For PowerShell",
                ps(host)
            ),
            format!("reboot {host} (skip if the upgrade rebooted it) and wait until it answers"),
        )
    }

    fn exit(&self, host: &str) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(format!(
                "Resume-ClusterNode -Name {} -Failback Immediate",
                ps(host)
            )),
            format!("resume {host}; its roles fail back to it"),
        )
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let hosts = facts.host_names();
        format!(
            "Leave a node whose upgrade failed paused; if it cannot be repaired, evict it \
             (Remove-ClusterNode) and reinstall the version it ran. Resume the nodes that are \
             back ({}). A cluster in mixed mode runs as long as the functional level is not \
             raised: never run Update-ClusterFunctionalLevel while a node runs the old version.",
            hosts
                .iter()
                .map(|h| format!("Resume-ClusterNode -Name {} -Failback Immediate", ps(h)))
                .collect::<Vec<_>>()
                .join("; ")
        )
    }
}
