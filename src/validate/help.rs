//! Real suggestions for help lines: a wave an item could move to without breaking a rule.
//!
//! "Move a host to another wave" is only useful advice when there is such a wave. This module
//! looks for one: an existing wave that, with the items added, still keeps every counting rule
//! ([`super::rules`]), every order rule and the evacuation rules in aggregate, or else the first
//! place a new wave could go. It does not run the exact evacuation search for the candidate,
//! which would make a help line cost as much as a solve; the help says what was checked.

use crate::model::ItemId;

use super::view::{PlanView, item_list};

/// Where items could go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// An existing wave, 0-based.
    Wave(usize),
    /// A new wave inserted before the existing wave at this 0-based position (at the end when it
    /// equals the number of waves).
    New(usize),
}

impl Slot {
    /// The slot in an operator's words, for a plan of `waves` waves.
    pub fn describe(self, waves: usize) -> String {
        match self {
            Slot::Wave(w) => format!("wave {}", w + 1),
            Slot::New(0) if waves == 0 => "a new wave".to_string(),
            Slot::New(0) => "a new wave before wave 1".to_string(),
            Slot::New(p) if p == waves => format!("a new wave after wave {waves}"),
            Slot::New(p) => format!("a new wave between waves {p} and {}", p + 1),
        }
    }
}

/// The first wave (other than `avoid`) that could upgrade `set` as well without breaking a
/// counting or order rule, else the first place a new wave of `set` alone could go; `None` when
/// there is neither, or the view's help budget is spent.
pub(super) fn slot_for(view: &PlanView<'_>, set: &[ItemId], avoid: Option<usize>) -> Option<Slot> {
    let cluster = view.cluster;
    let breaks = |items: &[ItemId], w: usize| {
        let left = view.help_budget.get();
        view.help_budget.set(left.saturating_sub(1));
        left == 0 || !(view.judge.accepts)(cluster, items, w)
    };
    for (w, items) in view.waves.iter().enumerate() {
        if Some(w) == avoid || set.iter().any(|i| items.binary_search(i).is_ok()) {
            continue;
        }
        if !(view.judge.order_allows)(view, set, 2 * w + 1) {
            continue;
        }
        let mut joined = items.clone();
        joined.extend_from_slice(set);
        joined.sort_unstable();
        if !breaks(&joined, w) {
            return Some(Slot::Wave(w));
        }
    }
    let mut alone = set.to_vec();
    alone.sort_unstable();
    if breaks(&alone, view.waves.len()) {
        return None;
    }
    (0..=view.waves.len())
        .find(|&p| (view.judge.order_allows)(view, set, 2 * p))
        .map(Slot::New)
}

/// Culprit sets tried per help line, at most: a help line must stay cheap.
const MAX_TRIED: usize = 8;

/// A help line that moves one of `culprits` (sets of items of wave `t`) elsewhere: the first set
/// that has a slot and whose removal `fixes` the rule (given the items left in the wave), else
/// the first set that has a slot at all, saying that more must move.
pub(super) fn relocate(
    view: &PlanView<'_>,
    t: usize,
    culprits: &[Vec<ItemId>],
    fixes: impl Fn(&[ItemId]) -> bool,
) -> Option<String> {
    // An item listed in another wave as well (pasted twice) is removed here, not moved: moving
    // it would leave it upgraded twice.
    for set in culprits.iter().take(MAX_TRIED) {
        if let [item] = set.as_slice()
            && let Some(&other) = view.positions.get(item).and_then(|p| p.iter().find(|&&w| w != t))
        {
            let rest: Vec<ItemId> = view.waves[t].iter().copied().filter(|i| i != item).collect();
            if fixes(&rest) {
                return Some(format!(
                    "remove `{}` from wave {}: it is upgraded in wave {} as well",
                    view.cluster.item_name(*item),
                    t + 1,
                    other + 1
                ));
            }
        }
    }
    let mut partial: Option<(&[ItemId], Slot)> = None;
    for set in culprits.iter().take(MAX_TRIED) {
        let Some(slot) = slot_for(view, set, Some(t)) else {
            continue;
        };
        let rest: Vec<ItemId> = view.waves[t]
            .iter()
            .copied()
            .filter(|i| !set.contains(i))
            .collect();
        if fixes(&rest) {
            return Some(moving(view, set, slot, ""));
        }
        partial.get_or_insert((set, slot));
    }
    partial.map(|(set, slot)| {
        moving(
            view,
            set,
            slot,
            &format!("; more must leave wave {} as well", t + 1),
        )
    })
}

fn moving(view: &PlanView<'_>, set: &[ItemId], slot: Slot, tail: &str) -> String {
    let what = item_list(view.cluster, set);
    let verb = if set.len() == 1 { "it" } else { "them" };
    let reach = match slot {
        Slot::Wave(_) => {
            format!("which can take {verb} without breaking a quorum, budget, limit or order rule")
        }
        Slot::New(_) => format!("no other wave can take {verb} without breaking a rule"),
    };
    format!(
        "move {what} to {} ({reach}){tail}",
        slot.describe(view.waves.len())
    )
}

/// The help when no wave can take any culprit set: move the first one anyway, and say that
/// other items must move too.
pub(super) fn stuck(view: &PlanView<'_>, t: usize, set: &[ItemId]) -> String {
    let verb = if set.len() == 1 { "it" } else { "them" };
    format!(
        "move {} out of wave {}; no wave takes {verb} without breaking another rule, so other items must move as well",
        item_list(view.cluster, set),
        t + 1
    )
}
