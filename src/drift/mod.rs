//! `quorate drift`: where a cluster description and the live cluster disagree.
//!
//! The description is compared as written (the raw pass keeps every key's span), against a
//! [`LiveCluster`] read from the platform's exports. Each [`Difference`] points at the key in
//! the description it contradicts (or, for something the description lacks, at the table
//! where it would go) and names the live value. Only what matters to a plan is compared:
//! hosts, versions, states, capacity, workloads and their hosts, sizes and must-run hosts,
//! quorum members, budgets, and the platform's health. Values the importer would have had to guess (Ceph's
//! CPU and memory placeholders) are never compared.
//!
//! Quantities agree when they differ by at most [`TOLERANCE`] (relative) or 0.01 (absolute):
//! an importer rounds to three decimals, and a 0.5% change of capacity changes no plan.

mod report;

use crate::live::{LiveCluster, LiveLimit, LiveWorkload};
use crate::model::HostState;
use crate::parse::raw::{RawCluster, RawWorkload};
use crate::source::Span;
use toml::Spanned;

pub use report::{DriftReport, to_json};

/// The relative difference under which two quantities agree.
pub const TOLERANCE: f64 = 0.01;

/// The kind of a difference: a stable code for scripts (`quorate::drift::<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriftKind {
    /// A declared host the exports do not have.
    HostMissing,
    /// A live host the description does not declare.
    HostAdded,
    /// A host runs another version than declared.
    Version,
    /// A host is down or in maintenance (or ready) unlike declared.
    State,
    /// A host's capacity differs.
    Capacity,
    /// A declared workload the exports do not have.
    WorkloadMissing,
    /// A live workload the description does not declare.
    WorkloadAdded,
    /// A workload runs on another host than declared.
    WorkloadMoved,
    /// A workload reserves another size than declared.
    WorkloadResized,
    /// A live must-run rule allows a workload other hosts than its `allowed_hosts`.
    AllowedHosts,
    /// A quorum member the exports do not have.
    QuorumMemberMissing,
    /// A quorum member that is down now.
    QuorumMemberDown,
    /// A budget whose limit differs, or that allows no disruption now.
    Budget,
    /// The platform does not call itself healthy.
    Health,
}

impl DriftKind {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            DriftKind::HostMissing => "host_missing",
            DriftKind::HostAdded => "host_added",
            DriftKind::Version => "version",
            DriftKind::State => "state",
            DriftKind::Capacity => "capacity",
            DriftKind::WorkloadMissing => "workload_missing",
            DriftKind::WorkloadAdded => "workload_added",
            DriftKind::WorkloadMoved => "workload_moved",
            DriftKind::WorkloadResized => "workload_resized",
            DriftKind::AllowedHosts => "allowed_hosts",
            DriftKind::QuorumMemberMissing => "quorum_member_missing",
            DriftKind::QuorumMemberDown => "quorum_member_down",
            DriftKind::Budget => "budget",
            DriftKind::Health => "health",
        }
    }
}

/// One disagreement between the description and the live cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// What kind.
    pub kind: DriftKind,
    /// The host, workload, group or budget concerned.
    pub subject: String,
    /// One sentence: what the description says and what the cluster says.
    pub message: String,
    /// The value as declared, when there is one.
    pub declared: Option<String>,
    /// The value in the live exports.
    pub live: String,
    /// The key in the description.
    pub span: Span,
}

fn agree(declared: f64, live: f64) -> bool {
    let diff = (declared - live).abs();
    diff <= 0.01 || diff <= TOLERANCE * declared.abs().max(live.abs())
}

fn name_of(name: &Option<Spanned<String>>) -> Option<&str> {
    name.as_ref().map(|n| n.get_ref().as_str())
}

/// Everything that differs between the description `raw` (valid: it has loaded) and `live`.
pub fn compare(raw: &RawCluster, live: &LiveCluster) -> Vec<Difference> {
    let mut out = Vec::new();
    let start = 0..0;
    let cluster_key = raw
        .cluster
        .platform
        .as_ref()
        .map(|p| p.span())
        .or_else(|| raw.cluster.name.as_ref().map(|n| n.span()))
        .unwrap_or(start.clone());
    compare_hosts(raw, live, &cluster_key, &mut out);
    compare_workloads(raw, live, &cluster_key, &mut out);
    compare_groups(raw, live, &mut out);
    if let Some(health) = live.health.as_ref().filter(|h| !h.ok) {
        let checks = if health.checks.is_empty() {
            String::new()
        } else {
            format!(" ({})", health.checks.join("; "))
        };
        out.push(Difference {
            kind: DriftKind::Health,
            subject: live.platform.name().to_string(),
            message: format!("the cluster reports {}{checks}", health.status),
            declared: None,
            live: health.status.clone(),
            span: cluster_key,
        });
    }
    out
}

fn compare_hosts(raw: &RawCluster, live: &LiveCluster, at: &Span, out: &mut Vec<Difference>) {
    for host in &raw.hosts {
        let Some(name) = host.name.as_ref() else {
            continue;
        };
        let name_span = name.span();
        let name = name.get_ref();
        let Some(live_host) = live.hosts.iter().find(|h| &h.name == name) else {
            out.push(Difference {
                kind: DriftKind::HostMissing,
                subject: name.clone(),
                message: format!("host {name} is not in the live cluster"),
                declared: Some(name.clone()),
                live: "absent".to_string(),
                span: name_span,
            });
            continue;
        };
        if let (Some(declared), Some(actual)) = (&host.version, &live_host.version)
            && declared.get_ref() != actual
        {
            out.push(Difference {
                kind: DriftKind::Version,
                subject: name.clone(),
                message: format!(
                    "host {name} runs version {actual}, not {} as declared",
                    declared.get_ref()
                ),
                declared: Some(declared.get_ref().clone()),
                live: actual.clone(),
                span: declared.span(),
            });
        }
        let declared_state = host.state.as_ref().map_or(HostState::Ready, |s| *s.get_ref());
        if declared_state != live_host.state {
            let reason = live_host
                .state_reason
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            out.push(Difference {
                kind: DriftKind::State,
                subject: name.clone(),
                message: format!(
                    "host {name} is {}{reason}, not {} as declared",
                    live_host.state.name(),
                    declared_state.name()
                ),
                declared: Some(declared_state.name().to_string()),
                live: live_host.state.name().to_string(),
                span: host.state.as_ref().map_or(name_span.clone(), |s| s.span()),
            });
        }
        let capacities = [
            ("cpu", &host.cpu, Some(&live_host.cpu)),
            ("memory_gib", &host.memory_gib, Some(&live_host.memory_gib)),
            ("storage_gib", &host.storage_gib, live_host.storage_gib.as_ref()),
        ];
        for (key, declared, actual) in capacities {
            let (Some(declared), Some(actual)) = (declared, actual) else {
                continue;
            };
            if actual.inferred.is_some() || agree(*declared.get_ref(), actual.value) {
                continue;
            }
            out.push(Difference {
                kind: DriftKind::Capacity,
                subject: name.clone(),
                message: format!(
                    "host {name} has {key} = {}, not {} as declared",
                    round(actual.value),
                    declared.get_ref()
                ),
                declared: Some(declared.get_ref().to_string()),
                live: round(actual.value),
                span: declared.span(),
            });
        }
    }
    let declared_hosts: Vec<&str> = raw.hosts.iter().filter_map(|h| name_of(&h.name)).collect();
    let anchor = raw.hosts.last().map_or(at.clone(), |h| h.header.clone());
    for host in live
        .hosts
        .iter()
        .filter(|h| !declared_hosts.contains(&h.name.as_str()))
    {
        out.push(Difference {
            kind: DriftKind::HostAdded,
            subject: host.name.clone(),
            message: format!(
                "host {} is in the live cluster ({}) but not in the description",
                host.name,
                host.state.name()
            ),
            declared: None,
            live: host.name.clone(),
            span: anchor.clone(),
        });
    }
}

fn round(value: f64) -> String {
    let text = format!("{:.3}", (value * 1000.0).round() / 1000.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Only a rule the exports show is compared: most exports cannot show one (RVTools, govc
/// without its groups), and a declared rule the cluster no longer has only makes plans stricter.
fn compare_allowed_hosts(workload: &RawWorkload, actual: &LiveWorkload, out: &mut Vec<Difference>) {
    if actual.allowed_hosts.is_empty() {
        return;
    }
    let declared: Option<Vec<&str>> = workload
        .allowed_hosts
        .as_ref()
        .map(|list| list.get_ref().iter().map(|h| h.get_ref().as_str()).collect());
    let same = declared.as_ref().is_some_and(|d| {
        d.len() == actual.allowed_hosts.len() && actual.allowed_hosts.iter().all(|h| d.contains(&h.as_str()))
    });
    if same {
        return;
    }
    let Some(name) = workload.name.as_ref() else {
        return;
    };
    let live = actual.allowed_hosts.join(", ");
    out.push(Difference {
        kind: DriftKind::AllowedHosts,
        subject: name.get_ref().clone(),
        message: format!(
            "workload {} may run only on {live} by a must-run rule, but the description allows {}",
            name.get_ref(),
            declared.as_ref().map_or("any host".to_string(), |d| d.join(", "))
        ),
        declared: declared.map(|d| d.join(", ")),
        live,
        span: workload
            .allowed_hosts
            .as_ref()
            .map_or(name.span(), |list| list.span()),
    });
}

fn compare_workloads(raw: &RawCluster, live: &LiveCluster, at: &Span, out: &mut Vec<Difference>) {
    for workload in &raw.workloads {
        let Some(name) = workload.name.as_ref() else {
            continue;
        };
        let name_span = name.span();
        let name = name.get_ref();
        let Some(actual) = live.workloads.iter().find(|w| &w.name == name) else {
            out.push(Difference {
                kind: DriftKind::WorkloadMissing,
                subject: name.clone(),
                message: format!("workload {name} is not in the live cluster"),
                declared: Some(name.clone()),
                live: "absent".to_string(),
                span: name_span,
            });
            continue;
        };
        if let Some(host) = &workload.host
            && host.get_ref() != &actual.host
        {
            out.push(Difference {
                kind: DriftKind::WorkloadMoved,
                subject: name.clone(),
                message: format!(
                    "workload {name} runs on {}, not on {} as declared",
                    actual.host,
                    host.get_ref()
                ),
                declared: Some(host.get_ref().clone()),
                live: actual.host.clone(),
                span: host.span(),
            });
        }
        compare_allowed_hosts(workload, actual, out);
        let sizes = [
            ("cpu", &workload.cpu, Some(actual.cpu)),
            ("memory_gib", &workload.memory_gib, Some(actual.memory_gib)),
            ("storage_gib", &workload.storage_gib, actual.storage_gib),
        ];
        for (key, declared, size) in sizes {
            let declared_value = declared.as_ref().map_or(0.0, |d| *d.get_ref());
            let size = size.unwrap_or(0.0);
            if agree(declared_value, size) {
                continue;
            }
            out.push(Difference {
                kind: DriftKind::WorkloadResized,
                subject: name.clone(),
                message: format!(
                    "workload {name} reserves {key} = {}, not {declared_value} as declared",
                    round(size)
                ),
                declared: Some(declared_value.to_string()),
                live: round(size),
                span: declared.as_ref().map_or(name_span.clone(), |d| d.span()),
            });
        }
    }
    let declared: Vec<&str> = raw.workloads.iter().filter_map(|w| name_of(&w.name)).collect();
    let anchor = raw.workloads.last().map_or(at.clone(), |w| w.header.clone());
    for workload in live
        .workloads
        .iter()
        .filter(|w| !declared.contains(&w.name.as_str()))
    {
        out.push(Difference {
            kind: DriftKind::WorkloadAdded,
            subject: workload.name.clone(),
            message: format!(
                "workload {} runs on {} but is not in the description",
                workload.name, workload.host
            ),
            declared: None,
            live: workload.host.clone(),
            span: anchor.clone(),
        });
    }
}

fn compare_groups(raw: &RawCluster, live: &LiveCluster, out: &mut Vec<Difference>) {
    let live_host = |name: &str| live.hosts.iter().find(|h| h.name == name);
    let live_workload = |name: &str| live.workloads.iter().any(|w| w.name == name);
    for group in &raw.quorum_groups {
        let (Some(group_name), Some(members)) = (name_of(&group.name), &group.members) else {
            continue;
        };
        let live_group = live.quorum_groups.iter().find(|g| g.name == group_name);
        for member in members.get_ref() {
            let name = member.get_ref();
            let in_group = live_group.and_then(|g| g.members.iter().find(|m| &m.name == name));
            let host = live_host(name);
            let known = host.is_some() || live_workload(name) || in_group.is_some();
            let is_component = raw.components.iter().any(|c| name_of(&c.name) == Some(name));
            if !known && !is_component {
                out.push(Difference {
                    kind: DriftKind::QuorumMemberMissing,
                    subject: group_name.to_string(),
                    message: format!("{group_name} member {name} is not in the live cluster"),
                    declared: Some(name.clone()),
                    live: "absent".to_string(),
                    span: member.span(),
                });
                continue;
            }
            // A host the description already declares down or in maintenance is no news.
            let declared_ready = raw.hosts.iter().any(|h| {
                name_of(&h.name) == Some(name)
                    && h.state.as_ref().is_none_or(|s| *s.get_ref() == HostState::Ready)
            });
            let host_down = declared_ready && host.is_some_and(|h| h.state != HostState::Ready);
            let out_of_quorum = in_group.is_some_and(|m| !m.up);
            if host_down || out_of_quorum {
                let why = if out_of_quorum {
                    "is out of quorum".to_string()
                } else {
                    format!("is on a host that is {}", host.map_or("down", |h| h.state.name()))
                };
                out.push(Difference {
                    kind: DriftKind::QuorumMemberDown,
                    subject: group_name.to_string(),
                    message: format!("{group_name} member {name} {why} now"),
                    declared: Some(name.clone()),
                    live: "down".to_string(),
                    span: member.span(),
                });
            }
        }
    }
    for budget in &raw.budgets {
        let Some(name) = budget.name.as_ref() else {
            continue;
        };
        let Some(actual) = live.budgets.iter().find(|b| &b.name == name.get_ref()) else {
            continue;
        };
        let declared = match (&budget.max_unavailable, &budget.min_available) {
            (Some(max), _) => Some((LiveLimit::MaxUnavailable(*max.get_ref()), max.span())),
            (None, Some(min)) => Some((LiveLimit::MinAvailable(*min.get_ref()), min.span())),
            (None, None) => None,
        };
        if let Some((limit, span)) = declared
            && limit != actual.limit.value
        {
            out.push(Difference {
                kind: DriftKind::Budget,
                subject: name.get_ref().clone(),
                message: format!(
                    "budget {} allows {} now, not {} as declared",
                    name.get_ref(),
                    limit_text(actual.limit.value),
                    limit_text(limit)
                ),
                declared: Some(limit_text(limit)),
                live: limit_text(actual.limit.value),
                span,
            });
        }
        if actual.disruptions_allowed == Some(0) {
            out.push(Difference {
                kind: DriftKind::Budget,
                subject: name.get_ref().clone(),
                message: format!(
                    "budget {} allows no disruption now (disruptionsAllowed = 0): a drain of \
                     any of its members will wait",
                    name.get_ref()
                ),
                declared: None,
                live: "disruptionsAllowed = 0".to_string(),
                span: name.span(),
            });
        }
    }
}

fn limit_text(limit: LiveLimit) -> String {
    match limit {
        LiveLimit::MaxUnavailable(n) => format!("max_unavailable = {n}"),
        LiveLimit::MinAvailable(n) => format!("min_available = {n}"),
    }
}
