//! OpenStack with KVM, with the openstack CLI (admin credentials loaded).
//!
//! Hosts are the hypervisor host names nova knows; workloads are servers. A host that offers
//! no capacity in the description is not a compute host (a controller): it has no
//! nova-compute service to disable, and its maintenance is in words. Compute hosts stop
//! taking new instances (the compute service is disabled) before anything moves; the moves
//! pin the target host, which needs compute API microversion 2.30 for live migration and 2.56
//! for cold migration.

use std::collections::HashSet;

use crate::model::{Cluster, Migration, Resource, Workload};

use super::{
    CheckSpec, Commands, Instruction, Phase, StepSpec, anti_affinity_policy, end_of_options, sh_each,
    target_words,
};
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::{sh, sh_operands};
use crate::runbook::{Action, CheckKind, and_list};

/// An OpenStack region.
pub struct OpenStack {
    computes: HashSet<String>,
}

impl OpenStack {
    /// The commands for `cluster`.
    pub fn new(cluster: &Cluster) -> Self {
        OpenStack {
            computes: cluster
                .hosts
                .iter()
                .filter(|h| h.capacity[Resource::Cpu] > 0 || h.capacity[Resource::Memory] > 0)
                .map(|h| h.name.clone())
                .collect(),
        }
    }

    fn compute(&self, host: &str) -> bool {
        self.computes.contains(host)
    }
}

fn servers(names: &[&str]) -> String {
    sh_each(names, |s| {
        format!(
            "openstack server show -c name -c status -c OS-EXT-SRV-ATTR:host {}{s}",
            end_of_options(names)
        )
    })
}

impl Commands for OpenStack {
    fn cluster_state(&self) -> Option<String> {
        Some("openstack compute service list; openstack network agent list".into())
    }

    fn host_states(&self, hosts: &[&str]) -> Option<String> {
        Some(sh_each(hosts, |h| {
            format!("openstack compute service list --host {h}")
        }))
    }

    fn members(&self, hosts: &[&str], _workloads: &[&str], _components: &[&str]) -> Option<String> {
        (!hosts.is_empty()).then(|| "openstack compute service list".to_string())
    }

    fn budget(&self, _name: &str, workloads: &[&str]) -> Option<String> {
        Some(servers(workloads))
    }

    fn capacity(&self, _up_hosts: &[&str]) -> Option<String> {
        Some("openstack hypervisor list --long".into())
    }

    fn storage(&self, _facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        vec![CheckSpec {
            kind: CheckKind::Storage,
            subject: "block storage".into(),
            expect: match phase {
                Phase::Before => "every cinder-volume service up and enabled; the instances' disk backend healthy",
                Phase::After => "every cinder-volume service still up; instances on the hosts of this wave reach their volumes",
            }
            .into(),
            command: Some("openstack volume service list".into()),
        }]
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        let mut out = anti_affinity_policy(
            facts,
            Some("openstack server group list --all-projects --long".into()),
        );
        out.push(CheckSpec {
            kind: CheckKind::Policy,
            subject: "aggregates".into(),
            expect: format!(
                "{} still in their host aggregates and availability zones",
                and_list(&facts.host_names())
            ),
            command: Some("openstack aggregate list --long".into()),
        });
        out
    }

    fn prepare(&self, host: &str) -> Option<StepSpec> {
        self.compute(host).then(|| {
            StepSpec::new(
                Action::DisableScheduling,
                host,
                Some(format!(
                    "openstack compute service set --disable --disable-reason 'rolling upgrade' {} nova-compute",
                    sh_operands([host])
                )),
                format!("disable the nova-compute service of {host}: the scheduler places nothing new there"),
            )
        })
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        let server = sh_operands([workload.name.as_str()]);
        let detail = super::migrate_words(workload, from, to);
        match workload.migration {
            Migration::Restart => Instruction::run(
                format!(
                    "openstack --os-compute-api-version 2.56 server migrate --host {} --wait {server} \
                     && openstack server resize confirm {server}",
                    sh(to)
                ),
                format!("{detail} (cold migration, confirmed once it is ACTIVE on {to})"),
            ),
            _ => Instruction::run(
                format!(
                    "openstack --os-compute-api-version 2.30 server migrate --live-migration --host {} --wait {server}",
                    sh(to)
                ),
                detail,
            ),
        }
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(if self.compute(host) {
            StepSpec::new(
                Action::EnterMaintenance,
                host,
                Some(format!(
                    "openstack server list --all-projects --host {}",
                    sh(host)
                )),
                format!("{host} is empty: the list must show no instance left on it"),
            )
        } else {
            StepSpec::new(
                Action::EnterMaintenance,
                host,
                None,
                format!(
                    "take {host} out of service: move the API VIP off it (keepalived) and stop \
                     its containers cleanly; its clustered services lose one member, as the \
                     quorum pre-checks allow"
                ),
            )
        })
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        Instruction::prose(format!(
            "upgrade {host} to {}: the OS packages, then the OpenStack services with the \
             deployment tool (kolla-ansible upgrade --limit {host}, or its equivalent)",
            target_words(target)
        ))
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::prose(format!(
            "reboot {host} and wait until its services report up in openstack compute service \
             list"
        ))
    }

    fn exit(&self, host: &str) -> StepSpec {
        if self.compute(host) {
            StepSpec::new(
                Action::ExitMaintenance,
                host,
                Some(format!(
                    "openstack compute service set --enable {} nova-compute",
                    sh_operands([host])
                )),
                format!("enable the nova-compute service of {host} again"),
            )
        } else {
            StepSpec::new(
                Action::ExitMaintenance,
                host,
                None,
                format!("put {host} back in service: its clustered services rejoined and in sync"),
            )
        }
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let computes: Vec<&str> = facts
            .host_names()
            .into_iter()
            .filter(|h| self.compute(h))
            .collect();
        let enable = if computes.is_empty() {
            String::new()
        } else {
            format!(
                " Enable the compute services of the hosts that are back ({}).",
                sh_each(&computes, |h| format!(
                    "openstack compute service set --enable {}{h} nova-compute",
                    end_of_options(&computes)
                ))
            )
        };
        format!(
            "A host whose upgrade failed keeps its compute service disabled: nothing is \
             scheduled there. nova-compute may run one release older than the control plane \
             (with upgrade_levels pinned), never newer.{enable}"
        )
    }
}
