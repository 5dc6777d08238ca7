//! Names to items, and "every item exactly once".
//!
//! The plan names hosts and components; this pass turns each name into an item or a violation
//! (unknown, ambiguous, already unavailable, already done), and then checks the plan-wide rule
//! that every ready host and every component not yet at its target version is upgraded in
//! exactly one wave. The result, a [`PlanView`],
//! is what the per-wave checks read.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};

use crate::model::{Cluster, HostId, ItemId};
use crate::source::Span;
use crate::suggest::closest;

use super::input::{Named, PlanInput};
use super::view::{HELP_BUDGET, Judge, PlanView};
use super::{Violation, ViolationCode, help};

enum Lookup {
    Item(ItemId),
    Ambiguous,
    Unknown,
}

fn lookup(cluster: &Cluster, name: &str) -> Lookup {
    match (cluster.find_host(name), cluster.find_component(name)) {
        (Some(h), None) => Lookup::Item(ItemId::Host(h)),
        (None, Some(c)) => Lookup::Item(ItemId::Component(c)),
        (Some(_), Some(_)) => Lookup::Ambiguous,
        (None, None) => Lookup::Unknown,
    }
}

/// Resolves every name of `plan`, reporting those that name no upgradable item.
pub(super) fn resolve<'a>(
    cluster: &'a Cluster,
    plan: &'a PlanInput,
    judge: Judge,
    out: &mut Vec<Violation>,
) -> PlanView<'a> {
    let mut waves = Vec::with_capacity(plan.waves.len());
    let mut spans = Vec::with_capacity(plan.waves.len());
    let mut unknown = Vec::new();
    for (t, wave) in plan.waves.iter().enumerate() {
        let mut items = BTreeSet::new();
        let mut first: HashMap<ItemId, Option<Span>> = HashMap::new();
        for named in &wave.items {
            match lookup(cluster, &named.name) {
                Lookup::Item(ItemId::Host(h)) if !cluster.host(h).is_ready() => {
                    out.push(unavailable_host(cluster, t, h, named));
                }
                Lookup::Item(item) if !cluster.is_upgraded(item) => {
                    out.push(already_done(cluster, t, item, named));
                }
                Lookup::Item(item) => {
                    if items.insert(item) {
                        first.insert(item, named.span.clone());
                    } else {
                        out.push(Violation::new(
                            ViolationCode::HostUpgradedTwice,
                            Some(t),
                            &named.name,
                            format!("`{}` is listed twice in wave {}", named.name, t + 1),
                            format!("remove one of the two entries of `{}`", named.name),
                            named.span.clone(),
                        ));
                    }
                }
                Lookup::Ambiguous => out.push(Violation::new(
                    ViolationCode::UnknownItem,
                    Some(t),
                    &named.name,
                    format!(
                        "`{}` in wave {} is both a host and a component, so the plan does not say which is upgraded",
                        named.name,
                        t + 1
                    ),
                    "rename the host or the component in the description so that each name is one item"
                        .to_string(),
                    named.span.clone(),
                )),
                Lookup::Unknown => unknown.push((t, named)),
            }
        }
        waves.push(items.into_iter().collect::<Vec<_>>());
        spans.push(first);
    }

    let mut positions: HashMap<ItemId, Vec<usize>> = HashMap::new();
    for (t, items) in waves.iter().enumerate() {
        for &item in items {
            positions.entry(item).or_default().push(t);
        }
    }
    // Suggestions wait until every known name is placed: a typo most likely names an item the
    // plan leaves out.
    for (t, named) in unknown {
        out.push(unknown_item(cluster, &positions, t, named));
    }
    PlanView {
        cluster,
        plan,
        waves,
        spans,
        positions,
        help_budget: Cell::new(HELP_BUDGET),
        judge,
    }
}

fn unavailable_host(cluster: &Cluster, t: usize, h: HostId, named: &Named) -> Violation {
    let state = cluster.host(h).state.name();
    Violation::new(
        ViolationCode::UnavailableHostInPlan,
        Some(t),
        &named.name,
        format!(
            "host `{}` in wave {} has state `{state}`: the plan does not upgrade it, and it already counts as down in every wave",
            named.name,
            t + 1
        ),
        format!(
            "remove `{}` from wave {}; if the host is back, set its state to `ready` in the description and plan again",
            named.name,
            t + 1
        ),
        named.span.clone(),
    )
}

/// A done item in a wave is an error, not a warning: the runbook would take the host down
/// (maintenance, reboot) in a wave whose rules were checked without it.
fn already_done(cluster: &Cluster, t: usize, item: ItemId, named: &Named) -> Violation {
    let (kind, version) = match item {
        ItemId::Host(h) => ("host", cluster.host(h).version.as_deref()),
        ItemId::Component(c) => ("component", cluster.component(c).version.as_deref()),
    };
    Violation::new(
        ViolationCode::AlreadyDone,
        Some(t),
        &named.name,
        format!(
            "{kind} `{}` in wave {} already runs {}, its target version: the plan does not upgrade it again",
            named.name,
            t + 1,
            version.unwrap_or_default()
        ),
        format!(
            "remove `{}` from wave {}; if it must be upgraded again, correct its `version` in the description",
            named.name,
            t + 1
        ),
        named.span.clone(),
    )
}

fn unknown_item(
    cluster: &Cluster,
    positions: &HashMap<ItemId, Vec<usize>>,
    t: usize,
    named: &Named,
) -> Violation {
    let name = &named.name;
    // Items the plan leaves out first, so that they win ties.
    let (missing, placed): (Vec<ItemId>, Vec<ItemId>) = cluster
        .items()
        .into_iter()
        .partition(|i| !positions.contains_key(i));
    let candidates = missing.into_iter().chain(placed).map(|i| cluster.item_name(i));
    let help = if let Some(w) = cluster.find_workload(name) {
        let host = &cluster.host(cluster.workload(w).host).name;
        format!("`{name}` is a workload on host `{host}`; waves list hosts and components, so list `{host}`")
    } else if let Some(c) = closest(name, candidates) {
        format!("did you mean `{c}`?")
    } else {
        "list only hosts and components of the description".to_string()
    };
    Violation::new(
        ViolationCode::UnknownItem,
        Some(t),
        name,
        format!(
            "wave {} lists `{name}`, which is neither a host nor a component",
            t + 1
        ),
        help,
        named.span.clone(),
    )
}

/// Every ready host and every component is upgraded in exactly one wave.
pub(super) fn check_coverage(view: &PlanView<'_>, out: &mut Vec<Violation>) {
    let cluster = view.cluster;
    for item in cluster.items() {
        let name = cluster.item_name(item);
        let kind = match item {
            ItemId::Host(_) => "host",
            ItemId::Component(_) => "component",
        };
        match view.positions.get(&item).map(Vec::as_slice) {
            None | Some([]) => {
                let slot = help::slot_for(view, &[item], None);
                let help = match slot {
                    Some(slot) => format!(
                        "add `{name}` to {}, which keeps every quorum, budget, limit and order rule and has room in total for what must move",
                        slot.describe(view.waves.len())
                    ),
                    None => format!(
                        "add `{name}` to a wave; no wave, not even a new one, takes it without breaking a rule, so other items must move as well"
                    ),
                };
                // Nothing in the plan is wrong, something is absent: point at the wave the help
                // suggests, when it is one of the plan's.
                let span = match slot {
                    Some(help::Slot::Wave(w)) => view.wave_span(w),
                    _ => None,
                };
                out.push(Violation::new(
                    ViolationCode::HostNotUpgraded,
                    None,
                    name,
                    format!("{kind} `{name}` is not upgraded in any wave"),
                    help,
                    span,
                ));
            }
            Some([_]) => {}
            Some(listed) => duplicates(view, item, kind, listed, out),
        }
    }
}

/// The plan for a cluster other than the description's, as the one problem to report: every
/// other finding would compare the plan with the wrong cluster. `None` when the plan names no
/// cluster or this one.
pub(super) fn other_cluster(cluster: &Cluster, plan: &PlanInput) -> Option<Violation> {
    let named = plan.cluster.as_ref().filter(|n| n.name != cluster.name)?;
    Some(Violation::new(
        ViolationCode::UnknownItem,
        None,
        &named.name,
        format!(
            "the plan is for cluster `{}`, but the description is for cluster `{}`",
            named.name, cluster.name
        ),
        other_cluster_help(&named.name),
        named.span.clone(),
    ))
}

/// What to do about a plan for another cluster: check it against its own description. Editing
/// the plan's `cluster` would only hide the mismatch.
fn other_cluster_help(named: &str) -> String {
    format!(
        "validate the plan against the description of cluster `{named}` (the one whose `[cluster] name` is \
         \"{named}\"); do not edit the plan's `cluster` to match: the plan was made for another cluster"
    )
}

/// An item listed in several waves: one violation for each entry to remove. The entry kept is
/// the one whose wave keeps every rule with it, when the others break a rule that removing the
/// item mends (a host pasted into a full wave); otherwise the first, so the later entries (the
/// pasted ones, read top to bottom) are the ones named.
fn duplicates(view: &PlanView<'_>, item: ItemId, kind: &str, listed: &[usize], out: &mut Vec<Violation>) {
    let cluster = view.cluster;
    let name = cluster.item_name(item);
    let breaking: Vec<bool> = listed.iter().map(|&t| breaks_with(view, t, item)).collect();
    let decided = breaking.contains(&true) && breaking.contains(&false);
    let keep = if decided {
        listed[breaking.iter().position(|b| !b).unwrap_or(0)]
    } else {
        listed[0]
    };
    let waves: Vec<String> = listed.iter().map(|t| (t + 1).to_string()).collect();
    // Named in full up to a handful: each violation carries the list, so a plan repeating one
    // host in every one of n waves would otherwise cost n² text.
    let waves = match waves.split_last() {
        Some((last, rest)) if rest.len() > 5 => {
            format!("{}, … ({} more) and {last}", rest[..4].join(", "), rest.len() - 4)
        }
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    for (&t, &breaks) in listed.iter().zip(&breaking) {
        if t == keep {
            continue;
        }
        let help = if decided && breaks {
            format!(
                "remove `{name}` from wave {0}: wave {0} breaks a rule with it and keeps every rule without it; \
                 it is upgraded in wave {1} already",
                t + 1,
                keep + 1
            )
        } else if listed.len() > 2 {
            format!(
                "remove `{name}` from wave {}; it is upgraded in wave {} already",
                t + 1,
                keep + 1
            )
        } else {
            format!(
                "remove `{name}` from one of its waves: from wave {here} (the later entry), or from wave \
                 {kept} if wave {here} is where it belongs",
                here = t + 1,
                kept = keep + 1
            )
        };
        out.push(Violation::new(
            ViolationCode::HostUpgradedTwice,
            Some(t),
            name,
            format!("{kind} `{name}` is upgraded in waves {waves}; each item is upgraded exactly once"),
            help,
            view.item_span(t, item),
        ));
    }
}

/// Whether wave `t` breaks a counting or aggregate capacity rule with `item` and keeps them all
/// without it. Each judgement spends the view's help budget; once it is spent, no wave is
/// blamed.
fn breaks_with(view: &PlanView<'_>, t: usize, item: ItemId) -> bool {
    let left = view.help_budget.get();
    if left < 2 {
        return false;
    }
    view.help_budget.set(left - 2);
    let items = &view.waves[t];
    let without: Vec<ItemId> = items.iter().copied().filter(|&i| i != item).collect();
    !(view.judge.accepts)(view.cluster, items, t) && (view.judge.accepts)(view.cluster, &without, t)
}
