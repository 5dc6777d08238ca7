//! The reporter of "no safe plan": turns the solver's conflicts ([`NoSafePlan`], data) and the
//! relaxations that would make a plan possible ([`super::relax`]) into prose for a terminal and
//! into the JSON document of `plan -o json`.
//!
//! The solver only says which rules conflict and which items they stop; how that reads is
//! decided here, once, for every front end (pubgrub's split between a derivation tree and its
//! `Reporter`). A conflict found by the bounds, before any item is tried alone (the HA reserve
//! larger than the free room, a quorum lost to hosts already down), comes with no items: the
//! reporter names the hosts and components of its rule instead ([`involved`]), so the operator
//! always sees which hosts and groups are involved.

use serde::Serialize;

use super::relax::Relaxations;
use crate::document::SCHEMA_VERSION;
use crate::model::{Cluster, ItemId, MemberId};
use crate::rules::Rule;
use crate::solve::{Conflict, NoSafePlan};

/// Conflicts shown in prose; the rest are counted.
const SHOWN: usize = 8;

/// Names listed per conflict in prose; the JSON lists them all.
const NAMES_SHOWN: usize = 12;

/// The hosts and components a conflict involves, by name: the items the solver found it on,
/// else the members of its rule. Capacity involves every ready host (all their free room
/// counts); a quorum group or budget, the hosts and components of its members; a fault-domain
/// or site limit, the hosts already unavailable that use it up.
pub fn involved(cluster: &Cluster, conflict: &Conflict) -> Vec<String> {
    if !conflict.items.is_empty() {
        return conflict.items.clone();
    }
    let mut items: Vec<ItemId> = match conflict.rule_id {
        Rule::Capacity(_) => cluster.ready_hosts().map(ItemId::Host).collect(),
        Rule::Quorum(g) => cluster.quorum_groups[g.index()]
            .members
            .iter()
            .map(|m| match m.id {
                MemberId::Host(h) => ItemId::Host(h),
                MemberId::Component(c) => ItemId::Component(c),
                MemberId::Workload(w) => ItemId::Host(cluster.workload(w).host),
            })
            .collect(),
        Rule::Budget(b) => cluster.budgets[b.index()]
            .workloads
            .iter()
            .map(|&w| ItemId::Host(cluster.workload(w).host))
            .collect(),
        Rule::FaultDomains | Rule::Sites => cluster.unavailable_hosts().map(ItemId::Host).collect(),
        _ => Vec::new(),
    };
    items.sort_unstable();
    items.dedup();
    items.iter().map(|&i| cluster.item_name(i).to_string()).collect()
}

/// Why no plan exists for `cluster`, and what would make one possible, as lines for standard
/// error.
pub fn prose(cluster: &Cluster, no_plan: &NoSafePlan, relaxations: &Relaxations) -> String {
    let mut out = format!("error: no safe plan exists for cluster {}\n", cluster.name);
    for conflict in no_plan.conflicts.iter().take(SHOWN) {
        match conflict.items.as_slice() {
            [] => {
                out.push_str(&format!("  - {}\n", conflict.reason));
                let names = involved(cluster, conflict);
                if !names.is_empty() {
                    out.push_str(&format!("    involved: {}\n", shortened(&names)));
                }
            }
            [one] => out.push_str(&format!(
                "  - {one} cannot go down even alone: {}\n",
                conflict.reason
            )),
            [first, rest @ ..] => out.push_str(&format!(
                "  - {first} (and {}) cannot go down even alone: {}\n",
                shortened(rest),
                conflict.reason
            )),
        }
    }
    if no_plan.conflicts.len() > SHOWN {
        out.push_str(&format!(
            "  … and {} more like these\n",
            no_plan.conflicts.len() - SHOWN
        ));
    }
    if !relaxations.found.is_empty() {
        out.push_str("what would make it possible (each change alone, planned again):\n");
        for r in &relaxations.found {
            out.push_str(&format!(
                "  - with `{}`: {} wave{}, {} min{}\n",
                r.change,
                r.waves,
                if r.waves == 1 { "" } else { "s" },
                r.total_minutes,
                if r.optimal { "" } else { " (not proven optimal)" }
            ));
        }
    } else if relaxations.tried > 0 {
        out.push_str(&format!(
            "no single change tried makes a plan possible ({} tried{})\n",
            relaxations.tried,
            if relaxations.out_of_time {
                ", before the time limit"
            } else {
                ""
            }
        ));
    }
    out.push_str(
        "help: relax one of these rules, add capacity, or bring unavailable hosts back, then plan again\n",
    );
    out
}

/// `a, b, c and 9 more`.
fn shortened(names: &[String]) -> String {
    let mut text = names
        .iter()
        .take(NAMES_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > NAMES_SHOWN {
        text.push_str(&format!(" and {} more", names.len() - NAMES_SHOWN));
    }
    text
}

/// The no-safe-plan document of `-o json` (the `no_safe_plan` branch of
/// `schema/plan.schema.json`), fields in this order.
#[derive(Serialize)]
struct NoPlanDocument<'a> {
    schema_version: u32,
    cluster: &'a str,
    feasible: bool,
    conflicts: Vec<ConflictDocument<'a>>,
    relaxations: Vec<RelaxationDocument<'a>>,
}

#[derive(Serialize)]
struct ConflictDocument<'a> {
    rule: &'a str,
    items: Vec<String>,
    reason: &'a str,
}

#[derive(Serialize)]
struct RelaxationDocument<'a> {
    rule: &'a str,
    change: &'a str,
    waves: usize,
    total_minutes: u64,
    optimal: bool,
}

/// The JSON document saying that no plan exists for `cluster`, why, and which single changes
/// would make one possible.
pub fn json(cluster: &Cluster, no_plan: &NoSafePlan, relaxations: &Relaxations) -> String {
    let doc = NoPlanDocument {
        schema_version: SCHEMA_VERSION,
        cluster: &cluster.name,
        feasible: false,
        conflicts: no_plan
            .conflicts
            .iter()
            .map(|c| ConflictDocument {
                rule: &c.rule,
                items: involved(cluster, c),
                reason: &c.reason,
            })
            .collect(),
        relaxations: relaxations
            .found
            .iter()
            .map(|r| RelaxationDocument {
                rule: &r.rule,
                change: &r.change,
                waves: r.waves,
                total_minutes: r.total_minutes,
                optimal: r.optimal,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("the document serialises");
    text.push('\n');
    text
}
