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

mod checks;

use crate::model::{Cluster, Migration, Resource, Workload};

use super::assert::{Test, all, compare, cpu_or_memory, each, free_room, strs};
use super::{
    CheckSpec, Commands, Instruction, Phase, StepSpec, anti_affinity_policy, end_of_options, join,
    product_target,
};
use crate::runbook::expect::Expectation;
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

/// [`each`] over names the finder reads literally.
fn sh_each_assert(names: &[&str], body: impl Fn(&str) -> String) -> String {
    let names: Vec<String> = names.iter().map(|n| inventory(n)).collect();
    each(&strs(&names), body)
}

/// [`super::sh_each`] over names the finder reads literally.
fn sh_each(names: &[&str], body: impl Fn(&str) -> String) -> String {
    let names: Vec<String> = names.iter().map(|n| inventory(n)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    super::sh_each(&names, body)
}

/// jq over `govc host.info -json`: `connectionState,inMaintenanceMode` of each host, e.g.
/// `connected,false` (govmomi cli/host/info.go `hostSystems`; vim25 HostRuntimeInfo).
const HOST_STATE: &str = ".hostSystems[].runtime | \"\\(.connectionState),\\(.inMaintenanceMode)\"";

/// The moref of the resource pool (or vApp) `vm` is in, as govc's finder takes it
/// (`ResourcePool:resgroup-8`): `govc vm.info -json` loads every property, and the finder
/// reads a `Type:value` argument as a moref (govmomi cli/vm/info.go, find/finder.go).
fn pool_of(vm: &str) -> String {
    format!(
        "\"$(govc vm.info -json {vm} | jq -r '.virtualMachines[0].resourcePool | \"\\(.type):\\(.value)\"')\""
    )
}

/// How many of `vms` are powered on.
fn powered_on(vms: &[&str]) -> String {
    format!(
        "govc vm.info -json {} | jq '[.virtualMachines[] | select(.runtime.powerState == \"poweredOn\")] | length'",
        sh_operands(vms.iter().copied())
    )
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

    /// `govc collect -json -s` of this cluster's properties: the value alone, as JSON, an
    /// array property as its elements (govmomi cli/object/collect.go `Dump`); the cluster is
    /// found by name (`govc find -type c -name`, a glob, so escaped). ClusterConfigInfoEx has
    /// `rule[]` with `name` and `enabled`, `drsConfig.enabled` and `dasConfig.enabled` (vim25
    /// types.go).
    fn collect(&self) -> String {
        format!(
            "govc collect -json -s \"$(govc find / -type c -name {})\"",
            sh(&self.cluster)
        )
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

/// The vSAN object repair timer against the wave's length: a host absent for longer than
/// `VSAN.ClomRepairDelay` minutes (60 by default) has its absent components rebuilt elsewhere,
/// which a rolling upgrade does not want. The setting is per host; every host that stays up
/// is read. `govc host.option.ls` prints `Key:  value` (govmomi cli/option/ls.go).
fn repair_timer(facts: &WaveFacts<'_>) -> CheckSpec {
    let cluster = facts.cluster;
    let minutes = facts.wave.minutes(cluster);
    let up: Vec<&str> = facts
        .up_hosts()
        .iter()
        .map(|&h| cluster.host(h).name.as_str())
        .collect();
    let read = |h: &str| format!("govc host.option.ls -host {h} VSAN.ClomRepairDelay");
    CheckSpec {
        kind: CheckKind::Storage,
        subject: "vSAN repair timer".into(),
        expect: format!(
            "VSAN.ClomRepairDelay at least {minutes} minutes (this wave's length) on every host              that stays up; otherwise vSAN starts rebuilding the absent components of this              wave's hosts: raise it for the wave and set it back after"
        ),
        command: (!up.is_empty()).then(|| sh_each(&up, read)),
        expectation: None,
        assert: (!up.is_empty()).then(|| {
            sh_each_assert(&up, |h| {
                compare(
                    h,
                    &format!("{} | awk '{{print $2}}'", read(h)),
                    Test::AtLeast(minutes),
                )
            })
        }),
    }
}

impl Commands for Vsphere {
    fn assert(&self, expectation: &Expectation) -> Option<String> {
        Some(match expectation {
            // `govc host.esxcli` prints each field as `Key:  value` (govmomi
            // cli/host/esxcli/esxcli.go formatSimple); `system version get` has `Version:`.
            Expectation::Version { hosts, version } => sh_each_assert(&strs(hosts), |h| {
                compare(
                    h,
                    &format!(
                        "govc host.esxcli -host {h} system version get | awk '$1 == \"Version:\" {{print $2}}'"
                    ),
                    Test::Equals(version),
                )
            }),
            Expectation::HostsUp { hosts } => sh_each_assert(&strs(hosts), |h| {
                compare(
                    h,
                    &format!("govc host.info -json {h} | jq -r '{HOST_STATE}'"),
                    Test::Equals("connected,false"),
                )
            }),
            Expectation::ClusterUp { except } => {
                let skip = if except.is_empty() {
                    String::new()
                } else {
                    // govc find prints inventory paths, names escaped as vSphere keeps them.
                    let names: Vec<String> = except.iter().map(|n| inventory(n)).collect();
                    format!(
                        " | grep -vxF{}",
                        names
                            .iter()
                            .map(|n| format!(" -e {}", quote::sh(n)))
                            .collect::<String>()
                    )
                };
                compare(
                    "'hosts in maintenance or not connected'",
                    &format!(
                        "l=$({{ {}; }} | awk -F/ '{{print $NF}}'{skip} | sort -u | paste -sd' ' -) && echo \"${{l:-none}}\"",
                        self.cluster_state().expect("a command")
                    ),
                    Test::Equals("none"),
                )
            }
            Expectation::Unavailable { host } => compare(
                &sh(host),
                &format!(
                    "govc host.info -json {} | jq -r '{HOST_STATE} | if . == \"connected,false\" then \"up\" else \"unavailable\" end'",
                    sh_operands([host.as_str()])
                ),
                Test::Equals("unavailable"),
            ),
            Expectation::Votes {
                group,
                hosts,
                workloads,
                needed,
            } => {
                let hosts_up = (!hosts.is_empty()).then(|| {
                    format!(
                        "govc host.info -json {} | jq '[{HOST_STATE} | select(. == \"connected,false\")] | length'",
                        sh_operands(strs(hosts))
                    )
                });
                let vms_on = (!workloads.is_empty()).then(|| powered_on(&strs(workloads)));
                let observe = super::assert::sum([hosts_up, vms_on])?;
                compare(
                    &format!("{}' members up'", quote::sh(group)),
                    &observe,
                    Test::AtLeast(*needed),
                )
            }
            Expectation::Budget {
                name,
                workloads,
                healthy,
                ..
            } => compare(
                &format!("{}' VMs powered on'", quote::sh(name)),
                &powered_on(&strs(workloads)),
                Test::AtLeast(*healthy),
            ),
            // vCenter reports its version in `govc about -json` (govmomi cli/about/command.go,
            // vim25 AboutInfo.version).
            Expectation::ComponentVersion { component, version }
                if component.to_lowercase().contains("vcenter")
                    || component.to_lowercase().contains("vcsa") =>
            {
                compare(
                    &quote::sh(component),
                    "govc about -json | jq -r .about.version",
                    Test::Equals(version),
                )
            }
            Expectation::ComponentVersion { .. } => return None,
            Expectation::Capacity { .. } => free_room(expectation, checks::rooms)?,
            Expectation::All(parts) => all(parts.iter().filter_map(|p| self.assert(p)))?,
        })
    }

    fn cluster_state(&self) -> Option<String> {
        Some(
            "govc find / -type h -runtime.inMaintenanceMode true && \
             govc find / -type h -runtime.connectionState notResponding && \
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
            "govc cluster.usage {} && govc host.info {}",
            sh_operands([self.cluster.as_str()]),
            sh_operands(up_hosts.iter().copied())
        ))
    }

    fn storage(&self, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        checks::storage(self, facts, phase)
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        checks::policies(self, facts)
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        let vm = sh_operands([workload.name.as_str()]);
        let detail = super::migrate_words(workload, from, to);
        match workload.migration {
            Migration::Restart => Instruction::run(
                format!(
                    "govc vm.power -s {vm} && until govc vm.info {vm} | grep -q poweredOff; do sleep 5; done \
                     && govc vm.migrate -host {} -pool {} {vm} && govc vm.power -on {vm}",
                    sh(to),
                    pool_of(&vm)
                ),
                format!(
                    "{detail} (it cannot vMotion: guest shutdown, cold migration once it is powered \
                     off, power on)"
                ),
            ),
            _ => Instruction::run(
                format!("govc vm.migrate -host {} -pool {} {vm}", sh(to), pool_of(&vm)),
                format!("{detail}, keeping it in its resource pool or vApp"),
            ),
        }
    }

    // `govc vm.power -s` asks the guest to shut down (VMware Tools) and returns at once, so
    // the step waits for poweredOff; `-on` powers it on (vmware/govmomi govc/USAGE.md,
    // `vm.power`).
    fn shutdown(&self, workload: &Workload, host: &str) -> Instruction {
        let vm = sh_operands([workload.name.as_str()]);
        Instruction::run(
            format!(
                "govc vm.power -s {vm} && until govc vm.info {vm} | grep -q poweredOff; do sleep 5; done"
            ),
            super::pinned_words(workload, host, true),
        )
    }

    fn start(&self, workload: &Workload, host: &str) -> Instruction {
        let vm = sh_operands([workload.name.as_str()]);
        Instruction::run(
            format!("govc vm.power -on {vm}"),
            super::pinned_words(workload, host, false),
        )
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
            "remediate {host} with vLCM against the cluster image ({}); remediation \
             reboots the host",
            product_target(Some("ESXi"), target)
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

    fn exit(&self, host: &str, receives: bool) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(format!("govc host.maintenance.exit {}", sh_operands([host]))),
            if receives {
                format!("take {host} out of maintenance mode; DRS may place VMs on it again")
            } else {
                format!("take {host} out of maintenance mode; it has no capacity, so it runs no VMs")
            },
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
