//! One [`Expectation`] against the live cluster.
//!
//! How each kind is decided from a [`LiveCluster`]:
//!
//! - `Version`: each host's version as the export reports it (kubelet version, ESXi product
//!   version, the OSDs' Ceph version); manual when the exports carry none (Proxmox, OpenStack,
//!   Ceph without `ceph osd metadata`).
//! - `HostsUp`, `ClusterUp`, `Unavailable`: the host's state as the importer reads it (cordoned
//!   or in maintenance mode is `maintenance`; NotReady, offline or all OSDs down is `down`). A
//!   host missing from the exports is not up; an `Unavailable` host missing from them is manual
//!   (a removed node is neither up nor provably the declared host).
//! - `ComponentVersion`: manual; no export carries control-plane component versions.
//! - `Votes`: the votes of the members up now. A member listed in the live quorum group counts
//!   when the group says it is up (a Ceph monitor in the monmap's quorum, an etcd member on a
//!   Ready node, a Proxmox node online), with the votes the export gives it (a Proxmox node's
//!   corosync `quorum_votes`); otherwise a host counts one vote when it is up, and a workload
//!   when it runs on an up host.
//! - `Budget`: healthy members are the platform's own count (`status.currentHealthy`) when the
//!   export has the budget, else the members running on up hosts; disruptions allowed are
//!   `status.disruptionsAllowed`, manual when the export has no such number and the check
//!   needs one.
//! - `Capacity`: the free room of the listed hosts that are up in the exports, each host's
//!   capacity scaled as the model scales it (overcommit, headroom) less the demand of the
//!   workloads the exports put on it, at least zero; a listed host that is not up adds no
//!   room. Manual for storage when a host or a workload there has no storage in the exports.
//! - `All`: fails when any part fails, is manual when no part fails and some part is manual.

use crate::live::{LiveCluster, LiveHost};
use crate::model::resources::{show, to_fixed};
use crate::model::{HostState, Resource};
use crate::rules::capacity::Scale;
use crate::runbook::expect::Expectation;

use super::{Outcome, Verdict};

/// Evaluates `expectation` against `live`.
pub fn evaluate(expectation: &Expectation, live: &LiveCluster) -> Outcome {
    match expectation {
        Expectation::Version { hosts, version } => versions(live, hosts, version),
        Expectation::HostsUp { hosts } => hosts_up(live, hosts),
        Expectation::ClusterUp { except } => cluster_up(live, except),
        Expectation::Unavailable { host } => unavailable(live, host),
        Expectation::ComponentVersion { component, version } => Outcome::new(
            Verdict::Manual,
            format!("{component} runs {version}"),
            "the exports do not carry component versions",
        ),
        Expectation::Votes {
            group,
            hosts,
            workloads,
            needed,
        } => votes(live, group, hosts, workloads, *needed),
        Expectation::Budget {
            name,
            workloads,
            healthy,
            disruptions,
        } => budget(live, name, workloads, *healthy, *disruptions),
        Expectation::Capacity {
            resource,
            hosts,
            needed,
            scale,
        } => capacity(live, *resource, hosts, *needed, *scale),
        Expectation::All(parts) => all(parts.iter().map(|p| evaluate(p, live)).collect()),
    }
}

fn host<'a>(live: &'a LiveCluster, name: &str) -> Option<&'a LiveHost> {
    live.hosts.iter().find(|h| h.name == name)
}

/// `ready`, or the state with the platform's word for it: `maintenance (cordoned)`.
fn state_words(host: &LiveHost) -> String {
    match (&host.state, &host.state_reason) {
        (HostState::Ready, _) => "up".to_string(),
        (state, Some(reason)) => format!("{}: {reason}", state.name()),
        (state, None) => state.name().to_string(),
    }
}

fn versions(live: &LiveCluster, hosts: &[String], version: &str) -> Outcome {
    let expected = format!("{} on {}", version, hosts.join(", "));
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    for name in hosts {
        match host(live, name) {
            None => wrong.push(format!("{name}: not in the exports")),
            Some(h) => match &h.version {
                Some(v) if v == version => {}
                Some(v) => wrong.push(format!("{name}: {v}")),
                None => unknown.push(name.as_str()),
            },
        }
    }
    if !wrong.is_empty() {
        Outcome::new(Verdict::Fail, expected, wrong.join(", "))
    } else if !unknown.is_empty() {
        Outcome::new(
            Verdict::Manual,
            expected,
            format!("the exports give no version for {}", unknown.join(", ")),
        )
    } else {
        Outcome::new(
            Verdict::Pass,
            expected,
            format!("{version} on all {}", hosts.len()),
        )
    }
}

fn hosts_up(live: &LiveCluster, hosts: &[String]) -> Outcome {
    let expected = format!("{} up and out of maintenance", hosts.join(", "));
    let not_up: Vec<String> = hosts
        .iter()
        .filter_map(|name| match host(live, name) {
            None => Some(format!("{name}: not in the exports")),
            Some(h) if h.state != HostState::Ready => Some(format!("{name}: {}", state_words(h))),
            Some(_) => None,
        })
        .collect();
    if not_up.is_empty() {
        Outcome::new(Verdict::Pass, expected, format!("all {} up", hosts.len()))
    } else {
        Outcome::new(Verdict::Fail, expected, not_up.join(", "))
    }
}

fn cluster_up(live: &LiveCluster, except: &[String]) -> Outcome {
    let expected = if except.is_empty() {
        "every host up and out of maintenance".to_string()
    } else {
        format!("every host up and out of maintenance but {}", except.join(", "))
    };
    let not_up: Vec<String> = live
        .hosts
        .iter()
        .filter(|h| h.state != HostState::Ready && !except.contains(&h.name))
        .map(|h| format!("{}: {}", h.name, state_words(h)))
        .collect();
    if not_up.is_empty() {
        let up = live.hosts.iter().filter(|h| h.state == HostState::Ready).count();
        Outcome::new(
            Verdict::Pass,
            expected,
            format!("{up} of {} hosts up", live.hosts.len()),
        )
    } else {
        Outcome::new(Verdict::Fail, expected, not_up.join(", "))
    }
}

fn unavailable(live: &LiveCluster, name: &str) -> Outcome {
    let expected = format!("{name} down or in maintenance");
    match host(live, name) {
        None => Outcome::new(Verdict::Manual, expected, format!("{name} is not in the exports")),
        Some(h) if h.state == HostState::Ready => {
            Outcome::new(Verdict::Fail, expected, format!("{name}: up"))
        }
        Some(h) => Outcome::new(Verdict::Pass, expected, format!("{name}: {}", state_words(h))),
    }
}

fn host_up(live: &LiveCluster, name: &str) -> bool {
    host(live, name).is_some_and(|h| h.state == HostState::Ready)
}

fn workload_up(live: &LiveCluster, name: &str) -> bool {
    live.workloads
        .iter()
        .any(|w| w.name == name && host_up(live, &w.host))
}

fn votes(live: &LiveCluster, group: &str, hosts: &[String], workloads: &[String], needed: u64) -> Outcome {
    let listed = live.quorum_groups.iter().find(|g| g.name == group);
    // The group's own word wins: a monitor in the monmap's quorum counts even when every OSD
    // of its host is down.
    // (up, votes) of a member.
    let member =
        |name: &str, is_host: bool| match listed.and_then(|g| g.members.iter().find(|m| m.name == name)) {
            Some(member) => (member.up, member.votes),
            None if is_host => (host_up(live, name), 1),
            None => (workload_up(live, name), 1),
        };
    let members: Vec<(&str, bool, u64)> = hosts
        .iter()
        .map(|h| (h, true))
        .chain(workloads.iter().map(|w| (w, false)))
        .map(|(name, is_host)| {
            let (up, votes) = member(name, is_host);
            (name.as_str(), up, votes)
        })
        .collect();
    let down: Vec<&str> = members.iter().filter(|m| !m.1).map(|m| m.0).collect();
    let total: u64 = members.iter().map(|m| m.2).sum();
    let up: u64 = members.iter().filter(|m| m.1).map(|m| m.2).sum();
    let expected = format!("at least {needed} of {total} votes of {group} up");
    let mut observed = format!("{up} of {total} up");
    if !down.is_empty() {
        observed.push_str(&format!(" (not up: {})", down.join(", ")));
    }
    let verdict = if up >= needed {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    Outcome::new(verdict, expected, observed)
}

fn budget(live: &LiveCluster, name: &str, workloads: &[String], healthy: u64, disruptions: u64) -> Outcome {
    let listed = live.budgets.iter().find(|b| b.name == name);
    let expected = if disruptions > 0 {
        format!("{name}: at least {healthy} healthy, at least {disruptions} disruption allowed")
    } else {
        format!("{name}: at least {healthy} healthy")
    };
    let (now, source) = match listed.and_then(|b| b.current_healthy) {
        Some(n) => (n.max(0) as u64, "currentHealthy"),
        None => (
            workloads.iter().filter(|w| workload_up(live, w)).count() as u64,
            "members on up hosts",
        ),
    };
    let mut observed = format!("{now} healthy ({source})");
    let mut verdict = if now >= healthy {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    if disruptions > 0 {
        match listed.and_then(|b| b.disruptions_allowed) {
            Some(allowed) => {
                observed.push_str(&format!(", {allowed} disruption(s) allowed"));
                if allowed < disruptions as i64 {
                    verdict = Verdict::Fail;
                }
            }
            None => {
                observed.push_str(", disruptions allowed: not in the exports");
                if verdict == Verdict::Pass {
                    verdict = Verdict::Manual;
                }
            }
        }
    }
    Outcome::new(verdict, expected, observed)
}

fn capacity(live: &LiveCluster, resource: Resource, hosts: &[String], needed: u64, scale: Scale) -> Outcome {
    let expected = format!(
        "at least {} of {resource} free on {}",
        show(needed, resource),
        hosts.join(", ")
    );
    let mut free = 0u64;
    let mut not_up = Vec::new();
    for name in hosts {
        let Some(h) = host(live, name).filter(|h| h.state == HostState::Ready) else {
            not_up.push(name.as_str());
            continue;
        };
        let capacity = match resource {
            Resource::Cpu => Some(h.cpu.value),
            Resource::Memory => Some(h.memory_gib.value),
            Resource::Storage => h.storage_gib.as_ref().map(|s| s.value),
        };
        let load: Option<u64> = live
            .workloads
            .iter()
            .filter(|w| w.host == h.name)
            .map(|w| match resource {
                Resource::Cpu => Some(w.cpu),
                Resource::Memory => Some(w.memory_gib),
                Resource::Storage => w.storage_gib,
            })
            .map(|demand| demand.map(to_fixed))
            .sum();
        let (Some(capacity), Some(load)) = (capacity, load) else {
            return Outcome::new(
                Verdict::Manual,
                expected,
                format!("the exports give no storage for {name} or a workload on it"),
            );
        };
        free += scale.apply(to_fixed(capacity)).saturating_sub(load);
    }
    let mut observed = format!("{} free", show(free, resource));
    if !not_up.is_empty() {
        observed.push_str(&format!(" (not up, no room: {})", not_up.join(", ")));
    }
    let verdict = if free >= needed {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    Outcome::new(verdict, expected, observed)
}

fn all(parts: Vec<Outcome>) -> Outcome {
    let verdict = if parts.iter().any(|p| p.verdict == Verdict::Fail) {
        Verdict::Fail
    } else if parts.iter().any(|p| p.verdict == Verdict::Manual) {
        Verdict::Manual
    } else {
        Verdict::Pass
    };
    let join = |f: fn(&Outcome) -> &str| parts.iter().map(f).collect::<Vec<_>>().join("; ");
    Outcome::new(verdict, join(|p| &p.expected), join(|p| &p.observed))
}
