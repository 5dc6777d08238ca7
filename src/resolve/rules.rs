//! Checks on groups, budgets and rules that need resolved names but not the whole model.

use std::collections::HashMap;

use crate::diagnostic::{ErrorKind, InputError};
use crate::graph::order::OrderGraph;
use crate::model::{FaultDomainId, HostId, ItemId, Scope};
use crate::parse::raw::RawCluster;
use crate::resolve::References;
use crate::suggest::closest;
use toml::Spanned;

/// Votes and quorum of every quorum group.
pub(crate) fn check_groups(raw: &RawCluster, refs: &References, errors: &mut Vec<InputError>) {
    for (group, members) in raw.quorum_groups.iter().zip(&refs.group_members) {
        let Some(listed) = group.members.as_ref() else {
            continue;
        };
        let names = group.name.as_ref().map_or("this group", |n| n.get_ref().as_str());
        if listed.get_ref().is_empty() {
            errors.push(
                InputError::new(
                    ErrorKind::InvalidQuorum,
                    listed.span(),
                    format!("quorum group `{names}` has no members"),
                    "empty member list",
                )
                .with_help("list the hosts, components or workloads that vote"),
            );
            continue;
        }
        let mut votes: HashMap<&str, u64> = HashMap::new();
        if let Some(map) = group.votes.as_ref() {
            for (name, count) in map.get_ref() {
                if listed.get_ref().iter().any(|m| m.get_ref() == name.get_ref()) {
                    votes.insert(name.get_ref(), *count.get_ref());
                } else {
                    let text = name.get_ref();
                    let declared = raw
                        .hosts
                        .iter()
                        .map(|h| &h.name)
                        .chain(raw.components.iter().map(|c| &c.name))
                        .chain(raw.workloads.iter().map(|w| &w.name))
                        .any(|n| n.as_ref().is_some_and(|n| n.get_ref() == text));
                    let help = match closest(text, listed.get_ref().iter().map(|m| m.get_ref().as_str())) {
                        // A real host, component or workload left out of `members`, not a typo.
                        _ if declared => {
                            format!(
                                "only members can have votes: add \"{text}\" to `members`, or remove its votes"
                            )
                        }
                        Some(best) => format!("did you mean `{best}`? only members can have votes"),
                        None => "only members can have votes; add it to `members` first".to_string(),
                    };
                    errors.push(
                        InputError::new(
                            ErrorKind::UnknownReference,
                            name.span(),
                            format!(
                                "`{}` has votes but is not a member of quorum group `{names}`",
                                name.get_ref()
                            ),
                            "not in `members`",
                        )
                        .with_help(help),
                    );
                }
            }
        }
        if members.len() != listed.get_ref().len() {
            // Some members did not resolve; their errors are reported already.
            continue;
        }
        let total: u64 = members
            .iter()
            .map(|(_, name)| votes.get(name.get_ref().as_str()).copied().unwrap_or(1))
            .fold(0, u64::saturating_add);
        match group.quorum.as_ref() {
            Some(q) if *q.get_ref() == 0 => errors.push(
                InputError::new(
                    ErrorKind::InvalidQuorum,
                    q.span(),
                    format!("quorum of group `{names}` must be positive"),
                    "must be at least 1",
                )
                .with_help(format!(
                    "a quorum is the votes that must stay up; the default is a strict majority ({})",
                    total / 2 + 1
                )),
            ),
            Some(q) if *q.get_ref() > total => errors.push(
                InputError::new(
                    ErrorKind::InvalidQuorum,
                    q.span(),
                    format!(
                        "quorum {} of group `{names}` is more than its {total} vote{}",
                        q.get_ref(),
                        plural(total)
                    ),
                    format!("at most {total}"),
                )
                .with_help(format!(
                    "the members have {total} vote{} in all; lower the quorum or give members more votes",
                    plural(total)
                )),
            ),
            None if total == 0 => errors.push(
                InputError::new(
                    ErrorKind::InvalidQuorum,
                    listed.span(),
                    format!("the members of quorum group `{names}` have no votes"),
                    "every member has 0 votes",
                )
                .with_help("give at least one member a vote"),
            ),
            _ => {}
        }
    }
}

/// A budget's `min_available` must be one it can meet. (That it states exactly one limit is a
/// question of which keys are written, checked by the parse pass.)
pub(crate) fn check_budgets(raw: &RawCluster, refs: &References, errors: &mut Vec<InputError>) {
    for (budget, workloads) in raw.budgets.iter().zip(&refs.budget_workloads) {
        let name = budget
            .name
            .as_ref()
            .map_or("this budget", |n| n.get_ref().as_str());
        if let (None, Some(min)) = (&budget.max_unavailable, &budget.min_available) {
            let listed = budget.workloads.as_ref().map_or(0, |w| w.get_ref().len());
            if listed == workloads.len() && *min.get_ref() > listed as u64 {
                errors.push(
                    InputError::new(
                        ErrorKind::InvalidBudget,
                        min.span(),
                        format!(
                            "disruption budget `{name}` needs {} workloads available but has {listed}",
                            min.get_ref()
                        ),
                        format!("at most {listed}"),
                    )
                    .with_help("`min_available` counts workloads of this budget that must stay up"),
                );
            }
        }
    }
}

/// A workload's `allowed_hosts` must include the host it runs on now.
pub(crate) fn check_allowed_hosts(raw: &RawCluster, refs: &References, errors: &mut Vec<InputError>) {
    for ((workload, host), allowed) in raw
        .workloads
        .iter()
        .zip(&refs.workload_host)
        .zip(&refs.workload_allowed)
    {
        let (Some(host), Some(allowed), Some(list), Some(host_name)) = (
            host,
            allowed,
            workload.allowed_hosts.as_ref(),
            workload.host.as_ref(),
        ) else {
            continue;
        };
        let all_resolved = allowed.len() == list.get_ref().len();
        if all_resolved && allowed.binary_search(host).is_err() {
            let name = workload
                .name
                .as_ref()
                .map_or("this workload", |n| n.get_ref().as_str());
            errors.push(
                InputError::new(
                    ErrorKind::AllowedHostsExcludeHost,
                    list.span(),
                    format!(
                        "workload `{name}` runs on `{}`, which its `allowed_hosts` excludes",
                        host_name.get_ref()
                    ),
                    format!("`{}` is not in this list", host_name.get_ref()),
                )
                .with_label(host_name.span(), "runs here")
                .with_help(format!(
                    "add \"{}\" to `allowed_hosts`, or fix `host` to where the workload really runs",
                    host_name.get_ref()
                )),
            );
        }
    }
}

/// The current placement must honour mandatory anti-affinity; a broken "should" rule is a
/// warning.
pub(crate) fn check_anti_affinity(
    raw: &RawCluster,
    refs: &References,
    errors: &mut Vec<InputError>,
    warnings: &mut Vec<InputError>,
) {
    #[derive(PartialEq, Eq, Hash)]
    enum Place {
        Host(HostId),
        Domain(FaultDomainId),
    }
    for (group, members) in raw.anti_affinity.iter().zip(&refs.anti_affinity_workloads) {
        let scope = group.scope.as_ref().map_or(Scope::Host, |s| *s.get_ref());
        let mandatory = group.mandatory.as_ref().is_none_or(|m| *m.get_ref());
        let name = group.name.as_ref().map_or("this group", |n| n.get_ref().as_str());
        let mut first_at: HashMap<Place, &Spanned<String>> = HashMap::new();
        for (workload, listed) in members {
            let Some(host) = refs.workload_host[workload.index()] else {
                continue;
            };
            let place = match scope {
                Scope::Host => Place::Host(host),
                Scope::FaultDomain => match refs.host_fault_domain[host.index()] {
                    Some(fd) => Place::Domain(fd),
                    // A host without a fault domain is its own.
                    None if raw.hosts[host.index()].fault_domain.is_none() => Place::Host(host),
                    None => continue,
                },
            };
            let where_ = match (&place, scope) {
                (Place::Host(_), Scope::Host) | (Place::Host(_), Scope::FaultDomain) => {
                    format!("host `{}`", host_name(raw, host))
                }
                (Place::Domain(fd), _) => format!(
                    "fault domain `{}`",
                    raw.fault_domains[fd.index()]
                        .name
                        .as_ref()
                        .map_or("?", |n| n.get_ref().as_str())
                ),
            };
            match first_at.get(&place) {
                None => {
                    first_at.insert(place, listed);
                }
                Some(first) => {
                    let mut error = InputError::new(
                        ErrorKind::AntiAffinityBroken,
                        listed.span(),
                        format!("anti-affinity group `{name}` is already broken on {where_}"),
                        format!("`{}` is also on {where_}", listed.get_ref()),
                    )
                    .with_label(first.span(), format!("`{}` is on {where_}", first.get_ref()));
                    // Point at the placement too: that is the line to fix if it is stale.
                    if let Some(host) = raw.workloads[workload.index()].host.as_ref() {
                        error =
                            error.with_label(host.span(), format!("`{}` is placed here", listed.get_ref()));
                    }
                    if mandatory {
                        errors.push(error.with_help(format!(
                            "no two members may share a {}: fix the placement if it is stale, or set \
                             `mandatory = false` if this is a \"should\" rule",
                            scope_word(scope)
                        )));
                    } else {
                        warnings.push(
                            error
                                .with_help("a \"should\" rule: the planner keeps it where it can")
                                .into_warning(),
                        );
                    }
                }
            }
        }
    }
}

fn scope_word(scope: Scope) -> &'static str {
    match scope {
        Scope::Host => "host",
        Scope::FaultDomain => "fault domain",
    }
}

fn host_name(raw: &RawCluster, host: HostId) -> &str {
    raw.hosts[host.index()]
        .name
        .as_ref()
        .map_or("?", |n| n.get_ref().as_str())
}

/// Order rules must not form a cycle; each cycle is one error naming all of its items.
pub(crate) fn check_order_cycles(refs: &References, errors: &mut Vec<InputError>) {
    let ids: Vec<(Vec<ItemId>, Vec<ItemId>)> = refs
        .order_before
        .iter()
        .zip(&refs.order_after)
        .map(|(b, a)| {
            (
                b.iter().map(|(i, _)| *i).collect(),
                a.iter().map(|(i, _)| *i).collect(),
            )
        })
        .collect();
    let graph = OrderGraph::new(ids.iter().map(|(b, a)| (b.as_slice(), a.as_slice())));
    for cycle in graph.cycles() {
        let span_of = |list: &[(ItemId, Spanned<String>)], item: ItemId| {
            list.iter()
                .find(|(i, _)| *i == item)
                .map(|(_, name)| name.clone())
        };
        let mut names: Vec<String> = Vec::new();
        let mut labels = Vec::new();
        for step in &cycle.steps {
            let (Some(from), Some(to)) = (
                span_of(&refs.order_before[step.rule], step.from),
                span_of(&refs.order_after[step.rule], step.to),
            ) else {
                continue;
            };
            names.push(from.get_ref().clone());
            labels.push((
                from.span(),
                format!(
                    "order #{}: `{}` before `{}`",
                    step.rule + 1,
                    from.get_ref(),
                    to.get_ref()
                ),
            ));
            labels.push((to.span(), format!("`{}` after", to.get_ref())));
        }
        let Some(first) = names.first().cloned() else {
            continue;
        };
        let path = names
            .iter()
            .chain(std::iter::once(&first))
            .cloned()
            .collect::<Vec<_>>()
            .join(" → ");
        let mut labels = labels.into_iter();
        let Some((span, label)) = labels.next() else {
            continue;
        };
        let mut error = InputError::new(
            ErrorKind::OrderCycle,
            span,
            format!("order rules form a cycle: {path}"),
            label,
        )
        .with_help(format!(
            "no plan can upgrade each of {} before the next; remove one of these `order` entries",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for (span, label) in labels {
            error = error.with_label(span, label);
        }
        errors.push(error);
    }
}

/// A name that is an item of more than one kind.
pub(crate) fn ambiguous(name: &Spanned<String>, kinds: &[&str]) -> InputError {
    InputError::new(
        ErrorKind::AmbiguousName,
        name.span(),
        format!("`{}` is the name of a {}", name.get_ref(), kinds.join(" and a ")),
        "ambiguous name",
    )
    .with_help(format!(
        "rename one of them so that `{}` names one thing",
        name.get_ref()
    ))
}

/// An order entry naming a host that is down or in maintenance: it is not upgraded, so the
/// rule cannot apply to it.
pub(crate) fn order_names_unavailable_host(name: &Spanned<String>, state: &str) -> InputError {
    InputError::new(
        ErrorKind::IgnoredEntry,
        name.span(),
        format!(
            "order entry `{}` is a host in state \"{state}\", which the plan does not upgrade",
            name.get_ref()
        ),
        "ignored",
    )
    .with_help("the entry is ignored; remove it, or set the host's state to \"ready\" to upgrade it")
    .into_warning()
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
