//! Pass 2: names to typed ids, every reference checked, then the pure [`Cluster`] model.
//!
//! Resolution reports every problem it finds (unknown or duplicate names, impossible quorums and
//! budgets, order cycles, placements that already break a rule) before giving up, and builds
//! the model only from a description with no errors at all.

mod build;
mod misnamed;
mod names;
mod rules;

pub use misnamed::fold_misnamed;

use crate::diagnostic::InputError;
use crate::model::{Cluster, ComponentId, FaultDomainId, HostId, ItemId, MemberId, SiteId, WorkloadId};
use crate::parse::raw::RawCluster;
use names::{NameTable, report_repeats};
use toml::Spanned;

/// The outcome of resolution: a model (when there were no errors) and the warnings.
pub struct Resolved {
    /// The cluster, if the description had no errors.
    pub cluster: Option<Cluster>,
    /// Errors, in no particular order.
    pub errors: Vec<InputError>,
    /// Warnings: rules the current placement already breaks but that are not mandatory, order
    /// entries that name hosts the plan will not upgrade.
    pub warnings: Vec<InputError>,
}

/// The name tables of one description.
pub(crate) struct Tables<'r> {
    pub(crate) sites: NameTable<'r>,
    pub(crate) fault_domains: NameTable<'r>,
    pub(crate) hosts: NameTable<'r>,
    pub(crate) components: NameTable<'r>,
    pub(crate) workloads: NameTable<'r>,
}

/// Every reference of a description, resolved to ids (where it could be).
pub(crate) struct References {
    pub(crate) fault_domain_site: Vec<Option<SiteId>>,
    pub(crate) host_fault_domain: Vec<Option<FaultDomainId>>,
    pub(crate) workload_host: Vec<Option<HostId>>,
    pub(crate) workload_allowed: Vec<Option<Vec<HostId>>>,
    pub(crate) group_members: Vec<Vec<(MemberId, Spanned<String>)>>,
    pub(crate) budget_workloads: Vec<Vec<(WorkloadId, Spanned<String>)>>,
    pub(crate) anti_affinity_workloads: Vec<Vec<(WorkloadId, Spanned<String>)>>,
    pub(crate) order_before: Vec<Vec<(ItemId, Spanned<String>)>>,
    pub(crate) order_after: Vec<Vec<(ItemId, Spanned<String>)>>,
}

/// Resolves `raw`. `fallback_name` names the cluster when `[cluster]` does not.
pub fn resolve(raw: &RawCluster, fallback_name: &str) -> Resolved {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let tables = Tables {
        sites: NameTable::build("site", raw.sites.iter().map(|s| s.name.as_ref()), &mut errors),
        fault_domains: NameTable::build(
            "fault domain",
            raw.fault_domains.iter().map(|f| f.name.as_ref()),
            &mut errors,
        ),
        hosts: NameTable::build("host", raw.hosts.iter().map(|h| h.name.as_ref()), &mut errors),
        components: NameTable::build(
            "component",
            raw.components.iter().map(|c| c.name.as_ref()),
            &mut errors,
        ),
        workloads: NameTable::build(
            "workload",
            raw.workloads.iter().map(|w| w.name.as_ref()),
            &mut errors,
        ),
    };
    // Groups are referred to by nobody, but their names appear in plans and reports.
    NameTable::build(
        "quorum group",
        raw.quorum_groups.iter().map(|g| g.name.as_ref()),
        &mut errors,
    );
    NameTable::build(
        "disruption budget",
        raw.budgets.iter().map(|b| b.name.as_ref()),
        &mut errors,
    );
    NameTable::build(
        "anti-affinity group",
        raw.anti_affinity.iter().map(|a| a.name.as_ref()),
        &mut errors,
    );

    // Plans name hosts and components alike, so one name must not be both.
    for component in raw.components.iter().filter_map(|c| c.name.as_ref()) {
        if let Some(h) = tables.hosts.get(component.get_ref())
            && let Some(host) = raw.hosts[h].name.as_ref()
        {
            errors.push(
                rules::ambiguous(component, &["host", "component"])
                    .with_label(host.span(), "the host")
                    .with_help("plans name the hosts and components they upgrade; rename the component"),
            );
        }
    }
    let refs = resolve_references(raw, &tables, &mut errors, &mut warnings);
    rules::check_groups(raw, &refs, &mut errors);
    rules::check_budgets(raw, &refs, &mut errors);
    rules::check_allowed_hosts(raw, &refs, &mut errors);
    rules::check_anti_affinity(raw, &refs, &mut errors, &mut warnings);
    rules::check_order_cycles(&refs, &mut errors);

    let cluster = if errors.is_empty() {
        build::cluster(raw, &refs, fallback_name)
    } else {
        None
    };
    Resolved {
        cluster,
        errors,
        warnings,
    }
}

fn resolve_references(
    raw: &RawCluster,
    t: &Tables<'_>,
    errors: &mut Vec<InputError>,
    warnings: &mut Vec<InputError>,
) -> References {
    let fault_domain_site = raw
        .fault_domains
        .iter()
        .map(|f| {
            let site = f.site.as_ref()?;
            t.sites.resolve(site, errors).map(SiteId::from_index)
        })
        .collect();
    let host_fault_domain = raw
        .hosts
        .iter()
        .map(|h| {
            let fd = h.fault_domain.as_ref()?;
            t.fault_domains.resolve(fd, errors).map(FaultDomainId::from_index)
        })
        .collect();
    let workload_host = raw
        .workloads
        .iter()
        .map(|w| {
            let host = w.host.as_ref()?;
            t.hosts.resolve(host, errors).map(HostId::from_index)
        })
        .collect();
    let workload_allowed = raw
        .workloads
        .iter()
        .map(|w| {
            let list = w.allowed_hosts.as_ref()?;
            report_repeats(list.get_ref(), "`allowed_hosts`", errors);
            let mut hosts: Vec<HostId> = list
                .get_ref()
                .iter()
                .filter_map(|name| {
                    t.hosts
                        .resolve_listed(name, list.get_ref(), errors)
                        .map(HostId::from_index)
                })
                .collect();
            hosts.sort_unstable();
            hosts.dedup();
            Some(hosts)
        })
        .collect();
    let group_members = raw
        .quorum_groups
        .iter()
        .map(|g| {
            let Some(list) = g.members.as_ref() else {
                return Vec::new();
            };
            report_repeats(list.get_ref(), "`members`", errors);
            list.get_ref()
                .iter()
                .filter_map(|name| resolve_member(t, name, list.get_ref(), errors).map(|m| (m, name.clone())))
                .collect()
        })
        .collect();
    let workload_list = |list: &Option<Spanned<Vec<Spanned<String>>>>, errors: &mut Vec<InputError>| {
        let Some(list) = list.as_ref() else {
            return Vec::new();
        };
        report_repeats(list.get_ref(), "`workloads`", errors);
        list.get_ref()
            .iter()
            .filter_map(|name| {
                t.workloads
                    .resolve_listed(name, list.get_ref(), errors)
                    .map(|w| (WorkloadId::from_index(w), name.clone()))
            })
            .collect()
    };
    let budget_workloads = raw
        .budgets
        .iter()
        .map(|b| workload_list(&b.workloads, errors))
        .collect();
    let anti_affinity_workloads = raw
        .anti_affinity
        .iter()
        .map(|a| workload_list(&a.workloads, errors))
        .collect();
    let mut order_list = |list: &Option<Spanned<Vec<Spanned<String>>>>| {
        let Some(list) = list.as_ref() else {
            return Vec::new();
        };
        list.get_ref()
            .iter()
            .filter_map(|name| {
                let item = resolve_item(t, name, list.get_ref(), errors)?;
                if let ItemId::Host(h) = item
                    && let Some(state) = raw.hosts[h.index()].state.as_ref()
                    && *state.get_ref() != crate::model::HostState::Ready
                {
                    warnings.push(rules::order_names_unavailable_host(name, state.get_ref().name()));
                    return None;
                }
                Some((item, name.clone()))
            })
            .collect()
    };
    let order_before = raw.orders.iter().map(|o| order_list(&o.before)).collect();
    let order_after = raw.orders.iter().map(|o| order_list(&o.after)).collect();
    References {
        fault_domain_site,
        host_fault_domain,
        workload_host,
        workload_allowed,
        group_members,
        budget_workloads,
        anti_affinity_workloads,
        order_before,
        order_after,
    }
}

/// A quorum member may be a host, a component or a workload; a name that is several of these
/// is ambiguous rather than silently one of them.
fn resolve_member(
    t: &Tables<'_>,
    name: &Spanned<String>,
    listed: &[Spanned<String>],
    errors: &mut Vec<InputError>,
) -> Option<MemberId> {
    let text = name.get_ref();
    let mut found = Vec::new();
    if let Some(h) = t.hosts.get(text) {
        found.push((MemberId::Host(HostId::from_index(h)), "host"));
    }
    if let Some(c) = t.components.get(text) {
        found.push((MemberId::Component(ComponentId::from_index(c)), "component"));
    }
    if let Some(w) = t.workloads.get(text) {
        found.push((MemberId::Workload(WorkloadId::from_index(w)), "workload"));
    }
    match found.as_slice() {
        [(member, _)] => Some(*member),
        [] => {
            errors.push(unknown_of_several(
                name,
                listed,
                &[&t.hosts, &t.components, &t.workloads],
                "host, component or workload",
            ));
            None
        }
        several => {
            let kinds: Vec<&str> = several.iter().map(|(_, k)| *k).collect();
            errors.push(rules::ambiguous(name, &kinds));
            None
        }
    }
}

/// An order entry is a host or a component.
fn resolve_item(
    t: &Tables<'_>,
    name: &Spanned<String>,
    listed: &[Spanned<String>],
    errors: &mut Vec<InputError>,
) -> Option<ItemId> {
    let text = name.get_ref();
    match (t.hosts.get(text), t.components.get(text)) {
        (Some(h), None) => Some(ItemId::Host(HostId::from_index(h))),
        (None, Some(c)) => Some(ItemId::Component(ComponentId::from_index(c))),
        // A host and a component with one name is reported where they are declared.
        (Some(_), Some(_)) => None,
        (None, None) => {
            let mut error = unknown_of_several(name, listed, &[&t.hosts, &t.components], "host or component");
            if t.workloads.get(text).is_some() {
                error = error.with_help(format!(
                    "`{text}` is a workload; order rules take the hosts and components that are upgraded"
                ));
            }
            errors.push(error);
            None
        }
    }
}

fn unknown_of_several(
    name: &Spanned<String>,
    listed: &[Spanned<String>],
    tables: &[&NameTable<'_>],
    kinds: &str,
) -> InputError {
    let text = name.get_ref();
    let best = tables
        .iter()
        .filter_map(|t| t.closest(text, listed).map(|c| (t.kind(), c)))
        .max_by(|a, b| {
            strsim::normalized_damerau_levenshtein(text, a.1)
                .total_cmp(&strsim::normalized_damerau_levenshtein(text, b.1))
                .then_with(|| b.1.cmp(a.1))
        });
    let help = match best {
        Some((kind, c)) => format!("did you mean the {kind} `{c}`?"),
        None => format!("no {kinds} has a similar name"),
    };
    InputError::new(
        crate::diagnostic::ErrorKind::UnknownReference,
        name.span(),
        format!("unknown {kinds} `{text}`"),
        format!("no {kinds} has this name"),
    )
    .with_help(help)
}
