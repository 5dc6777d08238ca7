//! Platform-aware warnings: a description (or a plan) that is valid but almost certainly not
//! what the operator meant, because a rule the platform always has is missing from it.
//!
//! An input error stops planning; a warning does not, and never changes an exit code: the plan
//! it accompanies is safe for the rules written down, and the warning says which rule the
//! platform has that was not written down. Each warning is data, a [`Warning`] with a stable
//! code (`quorate::warn::…`), a message, the subject it is about and a help line that shows the
//! missing TOML table. The CLI renders them on standard error, with a span into the description
//! found by [`report`], and the plan document carries them in its `diagnostics` field.
//!
//! The checks:
//! - `proxmox` or `hyperv` with no quorum group over the nodes: corosync and the failover
//!   cluster's quorum are intrinsic to the platform, and without them a plan may reboot every
//!   node at once;
//! - `kubernetes` with control-plane nodes (named `cp…`, `master…` or `control-plane…`) and no
//!   etcd group;
//! - `vsan` whose hosts sit in two fault domains with no witness: vSAN needs 2 × FTT + 1 fault
//!   domains, three for FTT=1, and a two-domain (stretched or two-node) cluster is only
//!   supported with a witness host in a third ("number of fault domains = 2 * PFTT + 1", "a
//!   minimum of three fault domains are required": VMware vSphere 6.5 vSAN docs, "Managing
//!   Fault Domains in Virtual SAN Clusters", docs.vmware.com GUID-8491C4B0 and GUID-FE7DBC6F;
//!   the vSAN Management API's `VimClusterVsanFaultDomainsConfigSpec` takes a witness with
//!   exactly two fault domains, developer.broadcom.com/xapis/vsan-management-api);
//! - a wave that takes every host down (plan);
//! - a host that already carries more than its capacity.

pub mod report;

use crate::model::resources::show;
use crate::model::{Cluster, HostId, MemberId, Platform, Resource};
use crate::plan::Plan;

/// What a warning is about, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningKind {
    /// A Proxmox or Hyper-V cluster with no quorum group over its nodes.
    NoQuorumGroup,
    /// A Kubernetes cluster with control-plane nodes and no etcd group.
    NoEtcdGroup,
    /// A vSAN cluster whose hosts sit in two fault domains, with no witness.
    NoWitness,
    /// A wave that takes every host down.
    EveryHostDown,
    /// A host whose workloads need more than its capacity.
    HostOverloaded,
}

impl WarningKind {
    /// The diagnostic code, e.g. `quorate::warn::no_quorum_group`.
    pub fn code(self) -> &'static str {
        match self {
            WarningKind::NoQuorumGroup => "quorate::warn::no_quorum_group",
            WarningKind::NoEtcdGroup => "quorate::warn::no_etcd_group",
            WarningKind::NoWitness => "quorate::warn::no_witness",
            WarningKind::EveryHostDown => "quorate::warn::every_host_down",
            WarningKind::HostOverloaded => "quorate::warn::host_overloaded",
        }
    }
}

/// Where in the description a warning points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The `platform` key of `[cluster]`.
    Platform,
    /// A host's entry, at the key of `resource` when given (else its name).
    Host(HostId, Option<Resource>),
    /// A wave of the plan (one-based): nothing in the description to point at.
    Wave(usize),
}

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Its stable kind.
    pub kind: WarningKind,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What it is about.
    pub subject: Subject,
    /// The label at the subject's span.
    pub label: String,
    /// How to fix it, with the missing table where there is one.
    pub help: String,
}

/// The warnings about `cluster`, and about `plan` when given, in a fixed order: the
/// description's first, then the plan's by wave.
pub fn check(cluster: &Cluster, plan: Option<&Plan>) -> Vec<Warning> {
    let mut out = Vec::new();
    no_quorum_group(cluster, &mut out);
    no_etcd_group(cluster, &mut out);
    no_witness(cluster, &mut out);
    overloaded(cluster, &mut out);
    if let Some(plan) = plan {
        out.extend(check_plan(cluster, plan));
    }
    out
}

/// The warnings about `plan` alone (a wave that takes every host down), for a caller that
/// reported the description's before planning.
pub fn check_plan(cluster: &Cluster, plan: &Plan) -> Vec<Warning> {
    let mut out = Vec::new();
    every_host_down(cluster, plan, &mut out);
    out
}

/// `["a", "b", "c"]`, the names quoted for TOML; at most [`LISTED`] of them, then `…`.
fn toml_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    const LISTED: usize = 12;
    let names: Vec<&str> = names.into_iter().collect();
    let mut quoted: Vec<String> = names
        .iter()
        .take(LISTED)
        .map(|n| toml::Value::String(n.to_string()).to_string())
        .collect();
    if names.len() > LISTED {
        quoted.push("…".to_string());
    }
    format!("[{}]", quoted.join(", "))
}

fn ready_names(cluster: &Cluster) -> Vec<&str> {
    cluster
        .ready_hosts()
        .map(|h| cluster.host(h).name.as_str())
        .collect()
}

fn no_quorum_group(cluster: &Cluster, out: &mut Vec<Warning>) {
    let (what, group) = match cluster.platform {
        Platform::Proxmox => ("corosync", "corosync"),
        Platform::Hyperv => ("the failover cluster's quorum", "cluster-quorum"),
        _ => return,
    };
    let over_hosts = cluster
        .quorum_groups
        .iter()
        .any(|g| g.members.iter().any(|m| matches!(m.id, MemberId::Host(_))));
    if over_hosts || cluster.ready_hosts().count() < 2 {
        return;
    }
    out.push(Warning {
        kind: WarningKind::NoQuorumGroup,
        message: format!(
            "no quorum group over the nodes: {what} is part of every {} cluster, but without a \
             group for it a plan may take every node down at once",
            cluster.platform.name()
        ),
        subject: Subject::Platform,
        label: format!("{} keeps a quorum of its nodes", cluster.platform.name()),
        help: format!(
            "add the group (a strict majority of the votes by default; list a witness or QDevice \
             too if the cluster has one):\n[[quorum_group]]\nname = \"{group}\"\nmembers = {}",
            toml_names(ready_names(cluster))
        ),
    });
}

/// Whether a host name reads as a Kubernetes control-plane node: a word `cp`, `master` or
/// `control-plane` (with digits after it or not), as kubeadm guides and most inventories name
/// them.
pub fn control_plane_name(name: &str) -> bool {
    let name = name.to_lowercase();
    if name.contains("control-plane") || name.contains("controlplane") {
        return true;
    }
    name.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| {
        let stem = word.trim_end_matches(|c: char| c.is_ascii_digit());
        stem == "cp" || stem == "master"
    })
}

fn no_etcd_group(cluster: &Cluster, out: &mut Vec<Warning>) {
    if cluster.platform != Platform::Kubernetes {
        return;
    }
    let control: Vec<HostId> = cluster
        .host_ids()
        .filter(|&h| control_plane_name(&cluster.host(h).name))
        .collect();
    let Some(&first) = control.first() else {
        return;
    };
    let covered = cluster.quorum_groups.iter().any(|g| {
        g.name.to_lowercase().contains("etcd")
            || g.members
                .iter()
                .any(|m| matches!(m.id, MemberId::Host(h) if control.contains(&h)))
    });
    if covered {
        return;
    }
    let names: Vec<&str> = control.iter().map(|&h| cluster.host(h).name.as_str()).collect();
    out.push(Warning {
        kind: WarningKind::NoEtcdGroup,
        message: format!(
            "{} control-plane node{} and no etcd group: etcd loses quorum when a majority of its \
             members is down, and nothing stops a plan from doing that",
            names.len(),
            if names.len() == 1 { "" } else { "s" }
        ),
        subject: Subject::Host(first, None),
        label: "a control-plane node".to_string(),
        help: format!(
            "add etcd's members as a group (stacked etcd: the control-plane nodes; external etcd: \
             its own hosts or components):\n[[quorum_group]]\nname = \"etcd\"\nmembers = {}",
            toml_names(names.iter().copied())
        ),
    });
}

fn no_witness(cluster: &Cluster, out: &mut Vec<Warning>) {
    if cluster.platform != Platform::Vsan {
        return;
    }
    let mut domains: Vec<_> = cluster.hosts.iter().map(|h| h.fault_domain).collect();
    domains.sort_unstable();
    domains.dedup();
    let witness = cluster
        .hosts
        .iter()
        .any(|h| h.name.to_lowercase().contains("witness"))
        || cluster
            .components
            .iter()
            .any(|c| c.name.to_lowercase().contains("witness"));
    if domains.len() != 2 || witness {
        return;
    }
    let names: Vec<&str> = domains
        .iter()
        .map(|&d| cluster.fault_domain(d).name.as_str())
        .collect();
    out.push(Warning {
        kind: WarningKind::NoWitness,
        message: format!(
            "the hosts sit in two fault domains ({} and {}) and there is no witness: vSAN needs \
             2 × FTT + 1 fault domains, so at FTT=1 a two-domain cluster is supported only with \
             a witness host in a third",
            names[0], names[1]
        ),
        subject: Subject::Platform,
        label: "vSAN with two fault domains".to_string(),
        help: "add the witness appliance as a host of its own, in a third fault domain (and site, \
               for a stretched cluster), with no capacity for workloads:\n[[fault_domain]]\n\
               name = \"witness\"\n\n[[host]]\nname = \"vsan-witness01\"\nfault_domain = \
               \"witness\"\ncpu = 0\nmemory_gib = 0"
            .to_string(),
    });
}

fn overloaded(cluster: &Cluster, out: &mut Vec<Warning>) {
    for h in cluster.host_ids() {
        let host = cluster.host(h);
        for r in Resource::ALL {
            if r == Resource::Storage && !host.storage_limited {
                continue;
            }
            let capacity = crate::rules::capacity::carriable(host.capacity[r], r, &cluster.policy);
            let load = host.load[r];
            if load <= capacity {
                continue;
            }
            out.push(Warning {
                kind: WarningKind::HostOverloaded,
                message: format!(
                    "host {} already carries {} of {r}, more than its capacity of {}{}",
                    host.name,
                    show(load, r),
                    show(capacity, r),
                    if capacity == host.capacity[r] {
                        String::new()
                    } else {
                        format!(
                            " ({} at cpu_overcommit = {})",
                            show(host.capacity[r], r),
                            cluster.policy.cpu_overcommit
                        )
                    }
                ),
                subject: Subject::Host(h, Some(r)),
                label: format!("its workloads need {}", show(load, r)),
                help: format!(
                    "check its capacity and the workloads placed on it (`host = \"{}\"`): the \
                     planner counts its free room as none, and a stale placement gives wrong \
                     moves",
                    host.name
                ),
            });
        }
    }
}

fn every_host_down(cluster: &Cluster, plan: &Plan, out: &mut Vec<Warning>) {
    let ready: Vec<HostId> = cluster.ready_hosts().collect();
    if ready.len() < 2 {
        return;
    }
    for (t, wave) in plan.waves.iter().enumerate() {
        let down: Vec<HostId> = wave.hosts().collect();
        if ready.iter().all(|h| down.contains(h)) {
            out.push(Warning {
                kind: WarningKind::EveryHostDown,
                message: format!(
                    "wave {} takes every host down ({} of {}): every workload is down with it, \
                     nothing can be evacuated, and the cluster is out of service for the wave",
                    t + 1,
                    down.len(),
                    ready.len()
                ),
                subject: Subject::Wave(t + 1),
                label: String::new(),
                help: "if the platform keeps a quorum of its hosts, declare it; or cap the wave:\n\
                       [policy]\nmax_hosts_per_wave = 1"
                    .to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::control_plane_name;

    #[test]
    fn control_plane_names() {
        for name in [
            "cp-1",
            "k8s-cp01",
            "master",
            "master-2",
            "prod-control-plane-a",
            "CP3",
        ] {
            assert!(control_plane_name(name), "{name}");
        }
        for name in ["worker-1", "cpu-node", "openb-node-0081", "mastodon", "capex"] {
            assert!(!control_plane_name(name), "{name}");
        }
    }
}
