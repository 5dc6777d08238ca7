//! Proxmox VE, with pvecm, ha-manager and pvesh, and the ceph CLI when the cluster runs
//! hyper-converged Ceph.
//!
//! Hosts are cluster nodes. Workloads are guests named as in the GUI; ha-manager addresses
//! them by service id (`vm:100`, `ct:200`), so a move looks the id up by name in
//! `/cluster/resources` (with jq) and then asks the HA stack to migrate (live) or relocate
//! (restart) it. Node maintenance is the HA stack's own, which also moves what is left.
//!
//! The description has no Ceph flag: the cluster counts as running Ceph when a quorum group or
//! workload is named after it (a name containing `ceph`, or starting `mon.` or `osd`), which is
//! how an operator models Ceph monitors and OSDs (see `examples/proxmox-ceph.toml`).

use crate::model::{Cluster, Migration, Workload};

use super::ceph;
use super::{CheckSpec, Commands, Instruction, Phase, StepSpec, join, sh_each, target_words};
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::sh;
use crate::runbook::{Action, CheckKind, and_list};

/// A Proxmox VE cluster.
pub struct Proxmox {
    ceph: bool,
}

impl Proxmox {
    /// The commands for `cluster`.
    pub fn new(cluster: &Cluster) -> Self {
        let cephish = |name: &str| {
            let name = name.to_lowercase();
            name.contains("ceph") || name.starts_with("mon.") || name.starts_with("osd")
        };
        Proxmox {
            ceph: cluster.quorum_groups.iter().any(|g| cephish(&g.name))
                || cluster.workloads.iter().any(|w| cephish(&w.name)),
        }
    }
}

/// The HA service id (`vm:100`, `ct:200`) of the guest named `name`, as a shell word.
fn service_id(name: &str) -> String {
    format!(
        "\"$(pvesh get /cluster/resources --type vm --output-format json | jq -r --arg name {} \
         '.[] | select(.name == $name) | (if .type == \"lxc\" then \"ct:\" else \"vm:\" end) + (.vmid | tostring)')\"",
        sh(name)
    )
}

impl Commands for Proxmox {
    fn cluster_state(&self) -> Option<String> {
        Some("pvecm status; ha-manager status".into())
    }

    fn versions(&self, hosts: &[&str]) -> Option<String> {
        Some(sh_each(hosts, |h| format!("pvesh get /nodes/{h}/version")))
    }

    fn members(&self, hosts: &[&str], workloads: &[&str], _components: &[&str]) -> Option<String> {
        let mons = !workloads.is_empty() && workloads.iter().all(|w| w.starts_with("mon."));
        join([
            (!hosts.is_empty()).then(|| "pvecm status".to_string()),
            (self.ceph && mons).then(|| "ceph mon stat".to_string()),
            (!workloads.is_empty() && !mons).then(|| "ha-manager status".to_string()),
        ])
    }

    fn capacity(&self, _up_hosts: &[&str]) -> Option<String> {
        Some("pvesh get /cluster/resources --type node".into())
    }

    fn storage(&self, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        if self.ceph {
            ceph::health(facts, phase)
        } else {
            vec![CheckSpec {
                kind: CheckKind::Storage,
                subject: "storage".into(),
                expect: "every shared storage active on every node that stays up".into(),
                command: Some("pvesm status".into()),
            }]
        }
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        let groups: Vec<&str> = facts
            .cluster
            .anti_affinity
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        let apart = if groups.is_empty() {
            String::new()
        } else {
            format!(
                "; the groups or affinity rules that keep guests apart still in place: {}",
                and_list(&groups)
            )
        };
        let mut out = vec![CheckSpec {
            kind: CheckKind::Policy,
            subject: "HA resources".into(),
            expect: format!(
                "every HA resource still configured with its state, none in error or disabled{apart}"
            ),
            command: Some("ha-manager config; ha-manager status".into()),
        }];
        if self.ceph {
            out.push(ceph::policies());
        }
        out
    }

    fn before(&self, facts: &WaveFacts<'_>) -> Vec<StepSpec> {
        if self.ceph {
            vec![ceph::set_noout(facts)]
        } else {
            Vec::new()
        }
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        let verb = match workload.migration {
            Migration::Restart => "relocate",
            _ => "migrate",
        };
        Instruction::run(
            format!("ha-manager {verb} {} {}", service_id(&workload.name), sh(to)),
            format!(
                "{} (an HA-managed guest; one that is not moves with qm/pct migrate on {from})",
                super::migrate_words(workload, from, to)
            ),
        )
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(StepSpec::new(
            Action::EnterMaintenance,
            host,
            Some(format!(
                "ha-manager crm-command node-maintenance enable {}",
                sh(host)
            )),
            format!(
                "put {host} into HA maintenance: the HA stack moves anything still on it; wait \
                 until ha-manager status shows it in maintenance mode"
            ),
        ))
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        Instruction::run(
            format!(
                "ssh -t {} 'apt update && apt full-upgrade'",
                sh(&format!("root@{host}"))
            ),
            format!(
                "upgrade {host} to Proxmox VE {} (full-upgrade, never plain upgrade); answer the \
                 configuration prompts",
                target_words(target)
            ),
        )
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::run(
            format!("pvesh create /nodes/{}/status --command reboot", sh(host)),
            format!("reboot {host} into the new kernel and wait until it is back in pvecm status"),
        )
    }

    fn exit(&self, host: &str) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(format!(
                "ha-manager crm-command node-maintenance disable {}",
                sh(host)
            )),
            format!("take {host} out of HA maintenance; the HA stack brings its guests back"),
        )
    }

    fn after(&self, facts: &WaveFacts<'_>) -> Vec<StepSpec> {
        if self.ceph {
            vec![ceph::unset_noout(facts)]
        } else {
            Vec::new()
        }
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let hosts = facts.host_names();
        format!(
            "A node that does not boot the new kernel: select the previous one in the boot menu \
             and pin it (proxmox-boot-tool kernel pin). Take the nodes that are back out of \
             maintenance ({}).{}",
            sh_each(&hosts, |h| format!(
                "ha-manager crm-command node-maintenance disable {h}"
            )),
            if self.ceph {
                " Keep noout set while an OSD of this wave is down; unset it (ceph osd unset \
                 noout) once every OSD is up and in, and wait for HEALTH_OK."
            } else {
                ""
            }
        )
    }
}
