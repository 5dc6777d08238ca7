//! vSphere and vSAN, with govc.
//!
//! Hosts and VMs are named as vCenter shows them; the cluster is `[cluster] name`. govc
//! resolves a bare name through its inventory finder, so `GOVC_URL` and `GOVC_DATACENTER` must
//! point at the right vCenter and datacenter. Upgrades are vLCM remediations, which have no
//! govc command: those steps say what to remediate and to which image.
//!
//! govc's inventory finder reads every name it is given as a path of glob patterns (Go's
//! `path.Match`, one per `/`-separated element), so a host named `esx-*` would match every host.
//! Every name therefore goes through [`inventory`] before it is shell-quoted.
//!
//! On vSAN, `host.maintenance.enter` uses the API's default vSAN mode, "ensure accessibility":
//! no data is evacuated, objects lose one replica for the duration, which is what the fault
//! domain limit of the description protects.

use crate::model::{Cluster, Migration, Workload};

use super::{
    CheckSpec, Commands, Instruction, Phase, StepSpec, anti_affinity_policy, end_of_options, join,
    target_words,
};
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote;
use crate::runbook::{Action, CheckKind, and_list};

/// A name as govc's inventory finder takes it literally.
///
/// vSphere keeps a `/`, `\` or `%` inside an entity's name escaped, as `%2f`, `%5c` and `%25`
/// (a `%` followed by two hex digits already is such an escape and stays), the form the finder
/// compares with. The finder then matches with Go's `path.Match`, so `*`, `?` and `[` are
/// escaped with `\`: a host named `esx-*` must name that host, not every host.
fn inventory(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '*' | '?' | '[' => {
                out.push('\\');
                out.push(c);
            }
            '/' => out.push_str("%2f"),
            '\\' => out.push_str("%5c"),
            '%' if !matches!(chars.get(i + 1..i + 3), Some([a, b]) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit()) => {
                out.push_str("%25")
            }
            _ => out.push(c),
        }
    }
    out
}

/// A name as one shell word that govc's finder reads literally.
fn sh(name: &str) -> String {
    quote::sh(&inventory(name))
}

/// Names as govc operands (see [`quote::sh_operands`]), each read literally by the finder.
fn sh_operands<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.into_iter().map(inventory).collect();
    quote::sh_operands(names.iter().map(String::as_str))
}

/// [`super::sh_each`] over names the finder reads literally.
fn sh_each(names: &[&str], body: impl Fn(&str) -> String) -> String {
    let names: Vec<String> = names.iter().map(|n| inventory(n)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    super::sh_each(&names, body)
}

/// vSphere, with or without vSAN.
pub struct Vsphere {
    cluster: String,
    vsan: bool,
}

impl Vsphere {
    /// The commands for `cluster`.
    pub fn new(cluster: &Cluster, vsan: bool) -> Self {
        Vsphere {
            cluster: cluster.name.clone(),
            vsan,
        }
    }

    /// An up host to run esxcli on (vSAN state is cluster-wide, any member shows it).
    fn probe<'c>(facts: &WaveFacts<'c>, phase: Phase) -> Option<&'c str> {
        let cluster = facts.cluster;
        // Prefer a host with room: a witness appliance has none and is a poor place to ask.
        let pick = |hosts: Vec<crate::model::HostId>| {
            hosts
                .iter()
                .copied()
                .find(|&h| !cluster.host(h).capacity.is_zero())
                .or_else(|| hosts.first().copied())
        };
        let host = match phase {
            Phase::Before => pick(facts.up_hosts()),
            Phase::After => pick(facts.hosts()),
        };
        host.map(|h| cluster.host(h).name.as_str())
    }
}

impl Commands for Vsphere {
    fn cluster_state(&self) -> Option<String> {
        Some(
            "govc find / -type h -runtime.inMaintenanceMode true; \
             govc find / -type h -runtime.connectionState notResponding; \
             govc find / -type h -runtime.connectionState disconnected"
                .into(),
        )
    }

    fn versions(&self, hosts: &[&str]) -> Option<String> {
        Some(sh_each(hosts, |h| {
            format!("govc host.esxcli -host {h} system version get")
        }))
    }

    fn members(&self, hosts: &[&str], workloads: &[&str], _components: &[&str]) -> Option<String> {
        join([
            (!hosts.is_empty()).then(|| format!("govc host.info {}", sh_operands(hosts.iter().copied()))),
            (!workloads.is_empty())
                .then(|| format!("govc vm.info {}", sh_operands(workloads.iter().copied()))),
        ])
    }

    fn capacity(&self, up_hosts: &[&str]) -> Option<String> {
        Some(format!(
            "govc cluster.usage {}; govc host.info {}",
            sh_operands([self.cluster.as_str()]),
            sh_operands(up_hosts.iter().copied())
        ))
    }

    fn storage(&self, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        if !self.vsan {
            return vec![CheckSpec {
                kind: CheckKind::Storage,
                subject: "datastores".into(),
                expect: "every shared datastore accessible from every host that stays up".into(),
                command: Some("govc datastore.info".into()),
            }];
        }
        let probe = Self::probe(facts, phase);
        let esxcli = |what: &str| probe.map(|h| format!("govc host.esxcli -host {} {what}", sh(h)));
        let (health, resync) = match phase {
            Phase::Before => (
                "every vSAN object healthy: none inaccessible, reduced-availability or non-compliant",
                "no resync running: 0 objects and 0 bytes left to resync",
            ),
            Phase::After => (
                "every vSAN object healthy again once the hosts are back",
                "the resync of what changed while the hosts were away has finished (0 bytes \
                 left) before the next wave starts",
            ),
        };
        vec![
            CheckSpec {
                kind: CheckKind::Storage,
                subject: "vSAN objects".into(),
                expect: health.into(),
                command: esxcli("vsan debug object health summary get"),
            },
            CheckSpec {
                kind: CheckKind::Storage,
                subject: "vSAN resync".into(),
                expect: resync.into(),
                command: esxcli("vsan debug resync summary get"),
            },
        ]
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        let cluster = sh_operands([self.cluster.as_str()]);
        let mut out = anti_affinity_policy(
            facts,
            Some(format!("govc cluster.rule.ls -cluster {} -l", sh(&self.cluster))),
        );
        if out.is_empty() {
            out.push(CheckSpec {
                kind: CheckKind::Policy,
                subject: "DRS rules".into(),
                expect: "DRS and HA still enabled with the cluster's rules, none reset".into(),
                command: Some(format!("govc cluster.rule.ls -cluster {} -l", sh(&self.cluster))),
            });
        }
        if self.vsan {
            out.push(CheckSpec {
                kind: CheckKind::Policy,
                subject: "storage policies".into(),
                expect: "the VM storage policies still exist unchanged and every VM is compliant".into(),
                command: Some("govc storage.policy.ls".into()),
            });
        }
        let hosts = facts.host_names();
        out.push(CheckSpec {
            kind: CheckKind::Policy,
            subject: "distributed switch".into(),
            expect: format!(
                "{} still on the distributed switch, with the same VMkernel adapters and services \
                 (management, vMotion{}) on the same port groups; cluster {} usage as before",
                and_list(&hosts),
                if self.vsan { ", vSAN" } else { "" },
                self.cluster
            ),
            command: Some(format!(
                "{}; govc cluster.usage {cluster}",
                sh_each(&hosts, |h| format!("govc host.vnic.info -host {h}"))
            )),
        });
        out
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        let vm = sh_operands([workload.name.as_str()]);
        let detail = super::migrate_words(workload, from, to);
        match workload.migration {
            Migration::Restart => Instruction::run(
                format!(
                    "govc vm.power -s {vm} && until govc vm.info {vm} | grep -q poweredOff; do sleep 5; done \
                     && govc vm.migrate -host {} {vm} && govc vm.power -on {vm}",
                    sh(to)
                ),
                format!(
                    "{detail} (it cannot vMotion: guest shutdown, cold migration once it is powered \
                     off, power on)"
                ),
            ),
            _ => Instruction::run(format!("govc vm.migrate -host {} {vm}", sh(to)), detail),
        }
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        let mode = if self.vsan {
            " with vSAN data migration \"ensure accessibility\" (the API default: no data moves, \
             objects keep one replica fewer)"
        } else {
            ""
        };
        Some(StepSpec::new(
            Action::EnterMaintenance,
            host,
            Some(format!("govc host.maintenance.enter {}", sh_operands([host]))),
            format!("put {host} into maintenance mode{mode}; no VM may still run on it"),
        ))
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        Instruction::prose(format!(
            "remediate {host} with vLCM against the cluster image (ESXi {}); remediation \
             reboots the host",
            target_words(target)
        ))
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::run(
            format!("govc host.shutdown -r {}", sh_operands([host])),
            format!(
                "only if remediation did not reboot {host}; it is in maintenance mode, so no -f; \
                 wait until it reconnects to vCenter"
            ),
        )
    }

    fn exit(&self, host: &str) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(format!("govc host.maintenance.exit {}", sh_operands([host]))),
            format!("take {host} out of maintenance mode; DRS may place VMs on it again"),
        )
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let hosts = facts.host_names();
        format!(
            "A host whose remediation failed stays in maintenance mode: remediate it again, or \
             boot its previous ESXi image (Shift+R at boot selects the alternate bootbank). Once \
             every host of the wave runs, take it out of maintenance mode ({}) and let DRS \
             rebalance, or move the VMs back by hand.{}",
            sh_each(&hosts, |h| format!(
                "govc host.maintenance.exit {}{h}",
                end_of_options(&hosts)
            )),
            if self.vsan {
                " On vSAN, wait for the resync to finish before anything else goes down."
            } else {
                ""
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::inventory;

    #[test]
    fn inventory_names_escape_what_vsphere_and_the_finder_would_read_otherwise() {
        assert_eq!(inventory("esx-01.lab"), "esx-01.lab");
        assert_eq!(inventory("esx-*"), r"esx-\*");
        assert_eq!(inventory("db[1]?"), r"db\[1]\?");
        assert_eq!(inventory(r"a/b\c"), "a%2fb%5cc");
        // A percent sign is escaped unless it already starts an escape, as vSphere does.
        assert_eq!(inventory("50% off"), "50%25 off");
        assert_eq!(inventory("a%2fb"), "a%2fb");
        assert_eq!(inventory("100%"), "100%25");
        assert_eq!(inventory("%zz 日本"), "%25zz 日本");
    }
}
