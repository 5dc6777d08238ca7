//! "No safe plan" in operator terms: which rule stops which item, with the numbers.

use crate::bounds::Rule;
use crate::model::{Cluster, ItemId};
use crate::solve::Conflict;
use crate::solve::wave::WaveProblem;

pub(super) fn rule_name(cluster: &Cluster, rule: Rule) -> String {
    rule.describe(cluster)
}

pub(super) fn problem_rule(cluster: &Cluster, problem: &WaveProblem) -> String {
    match problem {
        WaveProblem::Placement(_) | WaveProblem::PlacementUnknown => "evacuation capacity".to_string(),
        _ => problem.rule().describe(cluster),
    }
}

/// A wave problem in operator terms.
pub fn describe(cluster: &Cluster, problem: &WaveProblem, items: &[ItemId]) -> String {
    let names = items
        .iter()
        .map(|&i| cluster.item_name(i))
        .collect::<Vec<_>>()
        .join(", ");
    let hosts: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            ItemId::Host(h) => Some(*h),
            ItemId::Component(_) => None,
        })
        .collect();
    match problem {
        WaveProblem::Exclusive(c) => format!(
            "component {} is exclusive and cannot share a wave with {names}",
            cluster.component(*c).name
        ),
        WaveProblem::MaxHosts { hosts, limit } => {
            format!("{hosts} hosts in one wave, but max_hosts_per_wave is {limit}")
        }
        WaveProblem::FaultDomains { down, limit } => format!(
            "taking down {names} puts {} fault domains down ({}), but at most {limit} may be down",
            down.len(),
            down.iter()
                .map(|d| cluster.fault_domain(*d).name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        WaveProblem::Sites { down, limit } => format!(
            "taking down {names} puts {} sites down ({}), but at most {limit} may be down",
            down.len(),
            down.iter()
                .map(|s| cluster.sites[s.index()].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        WaveProblem::Quorum { group, down, allowed } => {
            let g = &cluster.quorum_groups[group.index()];
            format!(
                "quorum group {}: {} member{}, {} votes, quorum {}, so at most {} vote{} may be down; upgrading {names} takes down {down}",
                g.name,
                g.members.len(),
                if g.members.len() == 1 { "" } else { "s" },
                g.total_votes(),
                g.quorum,
                (*allowed).max(0),
                if *allowed == 1 { "" } else { "s" }
            )
        }
        WaveProblem::Budget {
            budget,
            down,
            allowed,
        } => {
            let b = &cluster.budgets[budget.index()];
            format!(
                "disruption budget {}: at most {} of its {} workloads may be down; upgrading {names} takes down {down}",
                b.name,
                (*allowed).max(0),
                b.workloads.len()
            )
        }
        WaveProblem::Counted { rule, down, allowed } => format!(
            "{}: at most {} may be down in one wave; upgrading {names} takes down {down}",
            rule.describe(cluster),
            (*allowed).max(0)
        ),
        WaveProblem::Placement(shortfall) => shortfall.describe(cluster, &hosts),
        WaveProblem::PlacementUnknown => format!(
            "no placement for the workloads of {names} was found within the search budget (none was proven impossible either)"
        ),
    }
}

/// Conflicts with the same rule and reason are one conflict over several items.
pub(super) fn merge_conflicts(conflicts: Vec<Conflict>) -> Vec<Conflict> {
    let mut merged: Vec<Conflict> = Vec::new();
    for c in conflicts {
        match merged
            .iter_mut()
            .find(|m| m.rule == c.rule && m.reason == c.reason)
        {
            Some(m) => {
                m.items.extend(c.items);
                m.item_ids.extend(c.item_ids);
            }
            None => merged.push(c),
        }
    }
    merged
}
