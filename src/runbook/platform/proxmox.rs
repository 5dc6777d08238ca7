//! Proxmox VE, with pvecm, ha-manager and pvesh, and the ceph CLI when the cluster runs
//! hyper-converged Ceph.
//!
//! Hosts are cluster nodes. Workloads are guests named as in the GUI; a move looks the guest
//! up by name in `/cluster/resources` (with jq): one the HA stack manages (it has `hastate`)
//! is migrated (live) or relocated (restart) by ha-manager under its service id (`vm:100`,
//! `ct:200`); any other moves through the migrate call behind `qm migrate` / `pct migrate`,
//! which the HA stack would never move. Node maintenance is the HA stack's own, and the step
//! waits until no HA service is left on the node, not only until the node shows maintenance.
//!
//! With Ceph, pveceph runs it, never cephadm (`ceph orch` has no backend there): a node's OSDs
//! stop and start through the API call behind `pveceph stop|start --service osd`
//! (`/nodes/NODE/ceph/stop`, pve-manager PVE/API2/Ceph.pm; `osd` is the node's
//! `ceph-osd.target`, PVE/Ceph/Services.pm `ceph_service_cmd`; pve-docs pveceph.adoc).
//!
//! The description has no Ceph flag: the cluster counts as running Ceph when a quorum group or
//! workload is named after it (a name containing `ceph`, or starting `mon.` or `osd`), which is
//! how an operator models Ceph monitors and OSDs (see `examples/proxmox-ceph.toml`).

use crate::model::{Cluster, Migration, Resource, Workload};

use super::assert::{Test, compare, cpu_or_memory, each, free_room, strs};
use super::ceph;
use super::{CheckSpec, Commands, Instruction, Phase, StepSpec, join, product_target, sh_each};
use crate::runbook::expect::Expectation;
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::{sh, sh_words};
use crate::runbook::{Action, CheckKind, and_list};

/// A Proxmox VE cluster.
pub struct Proxmox {
    ceph: bool,
}

/// Whether a name is a Ceph daemon's or group's, as an operator models them.
fn cephish(name: &str) -> bool {
    let name = name.to_lowercase();
    name.contains("ceph") || name.starts_with("mon.") || name.starts_with("osd")
}

impl Proxmox {
    /// The commands for `cluster`.
    pub fn new(cluster: &Cluster) -> Self {
        Proxmox {
            ceph: cluster.quorum_groups.iter().any(|g| cephish(&g.name))
                || cluster.workloads.iter().any(|w| cephish(&w.name)),
        }
    }
}

/// The state of node `h` (a shell word): `online`, `maintenance` (online, its HA LRM in
/// maintenance mode) or what `/cluster/resources` says (`offline`), empty when unknown.
/// `ha-manager status` prints `lrm NODE (maintenance mode, …)` for such a node
/// (pve-ha-manager src/PVE/CLI/ha_manager.pm `status`); `/cluster/resources` gives each node
/// with `node` and `status` (pve-manager PVE/API2/Cluster.pm `resources`).
fn node_state(h: &str) -> String {
    format!(
        "s=$(pvesh get /cluster/resources --type node --output-format json | jq -r --arg h {h} \
         '.[] | select(.node == $h) | .status'); if [ \"$s\" = online ] && ha-manager status | grep \
         -qF -e 'lrm '{h}' (maintenance'; then s=maintenance; fi && echo \"$s\""
    )
}

/// How many of the guests `names` are running.
fn running(names: &[&str]) -> String {
    format!(
        "pvesh get /cluster/resources --type vm --output-format json | jq '[.[] | select(.name as \
         $n | $ARGS.positional | index($n)) | select(.status == \"running\")] | length' --args {}",
        sh_words(names.iter().copied())
    )
}

/// The capacity and load of `hosts` that are up, as [`free_room`] reads them, the way the
/// importer ([`crate::live::proxmox`]) reads `/cluster/resources`: a node's `maxcpu` and
/// `maxmem` (bytes), less those of its guests that are neither templates nor stopped without
/// HA; an offline node, or one in HA maintenance (`hastate`), is not up. Storage: `None`, as
/// the resources give no per-guest placement of disks.
fn rooms(resource: Resource, hosts: &[String]) -> Option<String> {
    let (field, unit) = cpu_or_memory(resource, ("maxcpu", "1"), ("maxmem", "1073741824"))?;
    Some(format!(
        "pvesh get /cluster/resources --output-format json | jq '(map(select((.type == \"qemu\" or \
         .type == \"lxc\") and (.template == 1 or .template == true | not) and (.status == \"running\" \
         or has(\"hastate\")))) | group_by(.node) | map({{key: .[0].node, value: (map(.{field} // 0) | \
         add)}}) | from_entries) as $load | [.[] | select(.type == \"node\" and .status == \"online\" \
         and .hastate != \"maintenance\" and (.node | IN($ARGS.positional[]))) | {{cap: ((.{field} // 0) \
         / {unit}), load: (($load[.node] // 0) / {unit})}}]' --args {}",
        sh_words(strs(hosts))
    ))
}

/// Shuts down or starts guest `name`: an HA-managed one through `ha-manager set --state
/// {ha_state}` (pve-ha-manager src/PVE/CLI/ha_manager.pm, `set`; a stopped service is shut
/// down cleanly and stays stopped), any other through the status call `{action}` behind `qm
/// shutdown` / `qm start` and `pct shutdown` / `pct start` (qemu-server PVE/API2/Qemu.pm
/// `vm_shutdown`, `vm_start`: `/nodes/{node}/qemu/{vmid}/status/...`; pve-container
/// src/PVE/API2/LXC/Status.pm, the same paths under `lxc`). The guest is found by name as in
/// the moves.
fn power(name: &str, ha_state: &str, action: &str) -> String {
    format!(
        "r=$(pvesh get /cluster/resources --type vm --output-format json | jq -r --arg name {} \
         'first(.[] | select(.name == $name)) | \"\\(.type) \\(.vmid) \\(.node) \\(has(\"hastate\"))\"') \
         && set -- $r && case \"$1 $4\" in \
         'qemu true') ha-manager set \"vm:$2\" --state {ha_state};; \
         'lxc true') ha-manager set \"ct:$2\" --state {ha_state};; \
         'qemu false'|'lxc false') pvesh create \"/nodes/$3/$1/$2/status/{action}\";; \
         *) echo 'no such guest' >&2; false;; esac",
        sh(name)
    )
}

/// `pveceph stop|start --service osd` for node `host`, through the API so that it runs from any
/// node: every OSD of the node (its `ceph-osd.target`).
fn ceph_osds(host: &str, action: &str) -> String {
    format!("pvesh create /nodes/{}/ceph/{action} --service osd", sh(host))
}

impl Commands for Proxmox {
    fn assert(&self, expectation: &Expectation) -> Option<String> {
        Some(match expectation {
            // /nodes/NODE/version answers `release` (8.2) and `version` (8.2.4)
            // (pve-manager PVE/API2/Nodes.pm, PVE::API2::Version): either may be declared.
            Expectation::Version { hosts, version } => each(&strs(hosts), |h| {
                compare(
                    h,
                    &format!(
                        "pvesh get /nodes/{h}/version --output-format json | jq -r --arg v {} 'if \
                         .release == $v or .version == $v then $v else .version end'",
                        sh(version)
                    ),
                    Test::Equals(version),
                )
            }),
            Expectation::HostsUp { hosts } => each(&strs(hosts), |h| {
                compare(h, &node_state(h), Test::Equals("online"))
            }),
            Expectation::Unavailable { host } => {
                let h = sh(host);
                compare(&h, &node_state(&h), Test::Not("online"))
            }
            Expectation::ClusterUp { except } => compare(
                "'nodes not online'",
                &format!(
                    "pvesh get /cluster/resources --type node --output-format json | jq -r '[.[] | \
                     select(.status != \"online\") | .node] - $ARGS.positional | if length == 0 then \
                     \"none\" else join(\" \") end' --args {}",
                    sh_words(strs(except))
                ),
                Test::Equals("none"),
            ),
            // `pvecm status` prints corosync-quorumtool's `Quorate: Yes` and `Total votes: N`
            // (pve-cluster src/PVE/CLI/pvecm.pm; corosync tools/corosync-quorumtool.c).
            Expectation::Votes {
                group,
                hosts,
                workloads,
                needed,
            } => {
                let mons = !workloads.is_empty() && workloads.iter().all(|w| w.starts_with("mon."));
                let observe = if !hosts.is_empty() {
                    "pvecm status | awk -F': *' '$1 == \"Quorate\" {q = $2} $1 == \"Total votes\" {v = \
                     $2} END {if (q == \"Yes\") print v; else print \"not quorate\"}'"
                        .to_string()
                } else if self.ceph && mons {
                    "ceph quorum_status | jq '.quorum_names | length'".to_string()
                } else {
                    running(&strs(workloads))
                };
                compare(
                    &format!("{}' votes'", sh(group)),
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
                &format!("{}' guests running'", sh(name)),
                &running(&strs(workloads)),
                Test::AtLeast(*healthy),
            ),
            Expectation::Capacity { .. } => free_room(expectation, rooms)?,
            Expectation::ComponentVersion { .. } => return None,
            Expectation::All(parts) => super::assert::all(parts.iter().filter_map(|p| self.assert(p)))?,
        })
    }

    fn cluster_state(&self) -> Option<String> {
        Some("pvecm status && ha-manager status".into())
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
                expectation: None,
                kind: CheckKind::Storage,
                subject: "storage".into(),
                expect: format!(
                    "every shared storage active on {}",
                    super::every_up(facts, "node")
                ),
                command: Some("pvesm status".into()),
                // `pvesm status` is a table `Name Type Status …`; a disabled storage is not
                // in use (pve-storage PVE/CLI/pvesm.pm `status`).
                assert: Some(compare(
                    "'storages not active'",
                    "l=$(pvesm status | awk 'NR > 1 && $3 != \"active\" && $3 != \"disabled\" {print $1}' | \
                     paste -sd' ' -) && echo \"${l:-none}\"",
                    Test::Equals("none"),
                )),
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
            expectation: None,
            assert: Some(compare(
                "'HA services in error or disabled'",
                "ha-manager status | awk '$1 == \"service\" && $NF ~ /^(error|disabled)\\)$/ {n++} END \
                 {print n + 0}'",
                Test::Equals("0"),
            )),
            kind: CheckKind::Policy,
            subject: "HA resources".into(),
            expect: format!(
                "every HA resource still configured with its state, none in error or disabled{apart}"
            ),
            command: Some("ha-manager config && ha-manager status".into()),
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

    // Ceph daemons modelled as workloads (`osds.pve01`) are not guests: the noout steps and
    // the node's reboot stop and start them.
    fn platform_daemon(&self, workload: &Workload) -> bool {
        self.ceph && cephish(&workload.name)
    }

    fn shutdown(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::run(
            power(&workload.name, "stopped", "shutdown"),
            format!(
                "{}; through the HA stack when it manages the guest, so that it does not start it \
                 elsewhere",
                super::pinned_words(workload, host, true)
            ),
        )
    }

    fn start(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::run(
            power(&workload.name, "started", "start"),
            super::pinned_words(workload, host, false),
        )
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        // The HA stack moves only the guests it manages (those with `hastate` in
        // /cluster/resources); the others move with the migrate call of `qm migrate` and
        // `pct migrate`, made through the API so that it runs from any node
        // (pve-manager PVE/API2/Qemu.pm and LXC.pm `migrate_vm`: `online`, `restart`).
        let (verb, qemu, lxc) = match workload.migration {
            Migration::Restart => ("relocate", "", " --restart 1"),
            _ => ("migrate", " --online 1", " --restart 1"),
        };
        let target = sh(to);
        Instruction::run(
            format!(
                "r=$(pvesh get /cluster/resources --type vm --output-format json | jq -r --arg name {} \
                 'first(.[] | select(.name == $name)) | \"\\(.type) \\(.vmid) \\(.node) \\(has(\"hastate\"))\"') \
                 && set -- $r && case \"$1 $4\" in \
                 'qemu true') ha-manager {verb} \"vm:$2\" {target};; \
                 'lxc true') ha-manager {verb} \"ct:$2\" {target};; \
                 'qemu false') pvesh create \"/nodes/$3/qemu/$2/migrate\" --target {target}{qemu};; \
                 'lxc false') pvesh create \"/nodes/$3/lxc/$2/migrate\" --target {target}{lxc};; \
                 *) echo 'no such guest' >&2; false;; esac",
                sh(&workload.name),
            ),
            format!(
                "{}: through the HA stack when it manages the guest, else as `qm migrate` / `pct \
                 migrate` would (from {from})",
                super::migrate_words(workload, from, to)
            ),
        )
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(StepSpec::new(
            Action::EnterMaintenance,
            host,
            Some(format!(
                "ha-manager crm-command node-maintenance enable {0} && until [ -z \"$(ha-manager \
                 status | grep -F -e ' ('{0}', ')\" ]; do sleep 10; done{1}",
                sh(host),
                if self.ceph {
                    format!(" && {}", ceph_osds(host, "stop"))
                } else {
                    String::new()
                }
            )),
            format!(
                "put {host} into HA maintenance and wait until no HA service is on it any more \
                 (`ha-manager status` lists each as `service SID (NODE, STATE)`); the HA stack \
                 moves only HA-managed guests: the migrate steps before moved the others"
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
                "upgrade {host} to {} (full-upgrade, never plain upgrade); answer the \
                 configuration prompts",
                product_target(Some("Proxmox VE"), target)
            ),
        )
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::run(
            format!("pvesh create /nodes/{}/status --command reboot", sh(host)),
            format!("reboot {host} into the new kernel and wait until it is back in pvecm status"),
        )
    }

    fn exit(&self, host: &str, receives: bool) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(format!(
                "{}ha-manager crm-command node-maintenance disable {}",
                if self.ceph {
                    format!("{} && ", ceph_osds(host, "start"))
                } else {
                    String::new()
                },
                sh(host)
            )),
            if receives {
                format!("take {host} out of HA maintenance; the HA stack brings its guests back")
            } else {
                format!("take {host} out of HA maintenance; it has no capacity and runs no guests")
            },
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
                " Keep noout set on the wave's nodes while an OSD of this wave is down; unset it \
                 (ceph osd unset-group noout NODE…) once every OSD is up and in, and wait for \
                 HEALTH_OK."
            } else {
                ""
            }
        )
    }
}
