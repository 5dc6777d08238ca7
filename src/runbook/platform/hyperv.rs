//! Hyper-V failover clusters, with the FailoverClusters and Hyper-V PowerShell modules.
//!
//! Commands are PowerShell, run on a cluster node (or with `-Cluster`): names are quoted with
//! [`ps`], which doubles every kind of single quote PowerShell knows. Hosts are cluster nodes,
//! workloads are clustered VM roles of the same name, anti-affinity groups are
//! `AntiAffinityClassNames`. A node is paused and drained before its upgrade and resumed with
//! immediate failback, so its roles come home.

use crate::model::{Migration, Resource, Workload};

use super::assert::{Test, cpu_or_memory, ps_compare, ps_each, ps_free_room, strs};
use super::{
    CheckSpec, Commands, Instruction, Phase, Shell, StepSpec, anti_affinity_policy, ps_join, target_words,
};
use crate::model::Component;
use crate::runbook::expect::Expectation;
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::{ps, ps_list};
use crate::runbook::{Action, CheckKind, and_list};

/// A Hyper-V failover cluster.
pub struct HyperV;

/// True for the component that stands for the cluster functional level.
fn functional_level(name: &str) -> bool {
    let name = name.to_lowercase().replace(['-', '_'], " ");
    name.contains("functional level")
}

fn list(names: &[&str]) -> String {
    ps_list(names.iter().copied())
}

/// The capacity and load of the listed nodes that are `Up`, as [`ps_free_room`] reads them:
/// `Get-VMHost` gives `LogicalProcessorCount` and `MemoryCapacity` (bytes), the load is the
/// running VMs' `ProcessorCount` and `MemoryStartup` (bytes; what a VM needs to start on
/// another node, also with dynamic memory) (Microsoft Learn, Hyper-V module: Get-VMHost,
/// Get-VM; FailoverClusters: Get-ClusterNode). Memory in GiB. Storage: `None`, as VMs sit on
/// cluster shared volumes.
fn rooms(resource: Resource, hosts: &[String]) -> Option<String> {
    let (cap, load) = cpu_or_memory(
        resource,
        ("$vmh.LogicalProcessorCount", "ProcessorCount"),
        ("$vmh.MemoryCapacity / 1GB", "MemoryStartup"),
    )?;
    let scale = if resource == Resource::Memory {
        " / 1GB"
    } else {
        ""
    };
    Some(format!(
        "Get-ClusterNode -Name {} | Where-Object State -eq 'Up' | ForEach-Object {{ $vmh = Get-VMHost \
         -ComputerName $_.Name; [pscustomobject]@{{ Cap = {cap}; Load = [double](@(Get-VM -ComputerName \
         $_.Name | Where-Object State -eq 'Running') | Measure-Object -Property {load} -Sum).Sum{scale} }} }}",
        list(&strs(hosts))
    ))
}

impl Commands for HyperV {
    fn shell(&self) -> Shell {
        Shell::PowerShell
    }

    // FailoverClusters: a ClusterNode's `State` is Up, Down, Paused or Joining; a ClusterGroup's
    // is Online, Offline, Failed, PartialOnline or Pending; `Get-Cluster` has
    // ClusterFunctionalLevel (Microsoft Learn, FailoverClusters module reference). Windows
    // reports its version as Win32_OperatingSystem.Version, `10.0.26100` (Microsoft Learn,
    // Win32_OperatingSystem class). Needs PowerShell 5.1 or 7 with the FailoverClusters module.
    fn assert(&self, expectation: &Expectation) -> Option<String> {
        Some(match expectation {
            Expectation::Version { hosts, version } => ps_each(&strs(hosts), |n| {
                ps_compare(
                    n,
                    &format!("(Get-CimInstance -ClassName Win32_OperatingSystem -ComputerName {n}).Version"),
                    Test::Equals(version),
                )
            }),
            Expectation::HostsUp { hosts } => ps_each(&strs(hosts), |n| {
                ps_compare(
                    n,
                    &format!("(Get-ClusterNode -Name {n}).State"),
                    Test::Equals("Up"),
                )
            }),
            Expectation::Unavailable { host } => ps_compare(
                &ps(host),
                &format!("(Get-ClusterNode -Name {}).State", ps(host)),
                Test::Not("Up"),
            ),
            Expectation::ClusterUp { except } => ps_compare(
                "'nodes not Up'",
                &format!(
                    "(@(Get-ClusterNode | Where-Object {{ $_.State -ne 'Up' -and @({}) -notcontains $_.Name }} | \
                     ForEach-Object Name) + 'none')[0]",
                    list(&strs(except))
                ),
                Test::Equals("none"),
            ),
            Expectation::Votes {
                group,
                hosts,
                workloads,
                needed,
            } => {
                let observe = if !hosts.is_empty() {
                    format!(
                        "@(Get-ClusterNode -Name {} | Where-Object State -eq 'Up').Count",
                        list(&strs(hosts))
                    )
                } else if !workloads.is_empty() {
                    format!(
                        "@(Get-ClusterGroup -Name {} | Where-Object State -eq 'Online').Count",
                        list(&strs(workloads))
                    )
                } else {
                    return None;
                };
                ps_compare(
                    &format!("{} + ' members up'", ps(group)),
                    &observe,
                    Test::AtLeast(*needed),
                )
            }
            Expectation::Budget {
                name,
                workloads,
                healthy,
                ..
            } => ps_compare(
                &format!("{} + ' roles online'", ps(name)),
                &format!(
                    "@(Get-ClusterGroup -Name {} | Where-Object State -eq 'Online').Count",
                    list(&strs(workloads))
                ),
                Test::AtLeast(*healthy),
            ),
            Expectation::ComponentVersion { component, version } if functional_level(component) => {
                ps_compare(
                    &ps(component),
                    "(Get-Cluster).ClusterFunctionalLevel",
                    Test::Equals(version),
                )
            }
            Expectation::ComponentVersion { .. } => return None,
            Expectation::Capacity { .. } => ps_free_room(expectation, rooms)?,
            Expectation::All(parts) => {
                let parts: Vec<String> = parts.iter().filter_map(|p| self.assert(p)).collect();
                if parts.is_empty() {
                    return None;
                }
                parts.join("; ")
            }
        })
    }

    fn upgrade_component(&self, component: &Component) -> Instruction {
        if !functional_level(&component.name) {
            return super::default_upgrade_component(component);
        }
        Instruction::run(
            "Update-ClusterFunctionalLevel -WhatIf; Update-ClusterFunctionalLevel".into(),
            format!(
                "raise the cluster functional level to {} once every node runs the new release: \
                 read what -WhatIf reports first, then confirm the real command. This cannot be \
                 undone",
                component
                    .target_version
                    .as_deref()
                    .unwrap_or("the level of the new release")
            ),
        )
    }

    fn component_version(&self, name: &str) -> Option<String> {
        functional_level(name).then(|| "Get-Cluster | Format-List Name, ClusterFunctionalLevel".into())
    }

    fn component_rollback(&self, component: &Component) -> Option<String> {
        functional_level(&component.name).then(|| {
            "Raising the cluster functional level is irreversible: there is no rollback, from \
             backup or otherwise. Before it, every node must run the new release and the \
             -WhatIf output must be clean; if the real command failed, fix the cause it names \
             and run it again."
                .to_string()
        })
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
        ps_join([
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
                expectation: None,
                kind: CheckKind::Storage,
                subject: "cluster shared volumes".into(),
                expect: "every CSV Online".into(),
                command: Some("Get-ClusterSharedVolume | Format-Table Name, State, OwnerNode".into()),
                assert: Some(ps_compare(
                    "'CSVs not Online'",
                    "@(Get-ClusterSharedVolume | Where-Object State -ne 'Online').Count",
                    Test::Equals("0"),
                )),
            },
            CheckSpec {
                expectation: None,
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
                assert: Some(ps_compare(
                    "'CSV states not Direct'",
                    "@(Get-ClusterSharedVolumeState | Where-Object StateInfo -ne 'Direct').Count",
                    Test::Equals("0"),
                )),
            },
        ]
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        let hosts = facts.host_names();
        let mut out = anti_affinity_policy(
            facts,
            Some("Get-ClusterGroup | Format-Table Name, AntiAffinityClassNames".into()),
        );
        // Each role of an anti-affinity group still carries the group's name among its
        // AntiAffinityClassNames (Microsoft Learn, "Cluster affinity").
        if let Some(rules) = out.first_mut() {
            let cluster = facts.cluster;
            let parts: Vec<String> = cluster
                .anti_affinity
                .iter()
                .map(|g| {
                    let roles: Vec<&str> = g
                        .workloads
                        .iter()
                        .map(|&w| cluster.workload(w).name.as_str())
                        .collect();
                    ps_compare(
                        &format!("{} + ' roles without the class'", ps(&g.name)),
                        &format!(
                            "@(Get-ClusterGroup -Name {} | Where-Object {{ $_.AntiAffinityClassNames -notcontains {} }}).Count",
                            list(&roles),
                            ps(&g.name)
                        ),
                        Test::Equals("0"),
                    )
                })
                .collect();
            rules.assert = Some(parts.join("; "));
        }
        // A node that stayed up in this wave is the reference: `Get-VMSwitch` lists a node's
        // switches with `Name` (Microsoft Learn, Hyper-V module, Get-VMSwitch).
        let reference = facts
            .up_hosts()
            .first()
            .map(|&h| facts.cluster.host(h).name.clone());
        out.push(CheckSpec {
            expectation: None,
            assert: reference.map(|r| {
                let names = |node: &str| {
                    format!("((Get-VMSwitch -ComputerName {node} | Sort-Object Name).Name -join ',')")
                };
                format!(
                    "$r = {}; {}",
                    names(&ps(&r)),
                    ps_each(&hosts, |n| {
                        format!(
                            "$o = {}; if (\"$r\" -ne '' -and \"$o\" -ceq \"$r\") {{ 'ok: {{0}}: {{1}}' -f {n}, \"$o\" }} else {{ throw \
                             ('expected {{0}}: {{1}}, observed: {{2}}' -f {n}, \"$r\", \"$o\") }}",
                            names(n)
                        )
                    })
                )
            }),
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
            // `Get-ClusterFaultDomain -Name NODE` gives the node's `ParentName`, the rack,
            // chassis or site it sits in (Microsoft Learn, FailoverClusters module,
            // Get-ClusterFaultDomain).
            let parents: Vec<(String, String)> = facts
                .hosts()
                .iter()
                .map(|&h| {
                    let host = cluster.host(h);
                    (
                        host.name.clone(),
                        cluster.fault_domain(host.fault_domain).name.clone(),
                    )
                })
                .collect();
            out.push(CheckSpec {
                expectation: None,
                assert: Some(
                    parents
                        .iter()
                        .map(|(node, parent)| {
                            ps_compare(
                                &ps(node),
                                &format!("(Get-ClusterFaultDomain -Name {}).ParentName", ps(node)),
                                Test::Equals(parent),
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
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

    // Stop-VM without -TurnOff or -Save shuts the VM down through the guest operating system;
    // Start-VM starts it (the Hyper-V module's help, MicrosoftDocs windows-powershell-docs
    // hyper-v/Stop-VM.md: `Stop-VM [-ComputerName <String[]>] [-Name] <String[]>`).
    fn shutdown(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::run(
            format!("Stop-VM -Name {} -ComputerName {}", ps(&workload.name), ps(host)),
            super::pinned_words(workload, host, true),
        )
    }

    fn start(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::run(
            format!("Start-VM -Name {} -ComputerName {}", ps(&workload.name), ps(host)),
            super::pinned_words(workload, host, false),
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

    fn exit(&self, host: &str, receives: bool) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(format!(
                "Resume-ClusterNode -Name {} -Failback Immediate",
                ps(host)
            )),
            if receives {
                format!("resume {host}; its roles fail back to it")
            } else {
                format!("resume {host}; it has no capacity, so no role fails back to it")
            },
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
