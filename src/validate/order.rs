//! Order rules (contract rule 5): every `before` item in a wave strictly earlier than every
//! `after` item.
//!
//! Items the plan leaves out are reported as not upgraded and not again here; an item upgraded
//! twice is held to the rule in every wave it appears in.

use std::collections::BTreeSet;

use crate::model::ItemId;

use super::view::PlanView;
use super::{Violation, ViolationCode, help};

/// Reports every (before, after) pair the plan puts in the wrong order, once per pair.
pub(super) fn check(view: &PlanView<'_>, out: &mut Vec<Violation>) {
    let cluster = view.cluster;
    let mut pairs: BTreeSet<(ItemId, ItemId)> = BTreeSet::new();
    for rule in &cluster.orders {
        for &before in &rule.before {
            for &after in &rule.after {
                pairs.insert((before, after));
            }
        }
    }
    for (before, after) in pairs {
        let (Some(b), Some(a)) = (view.positions.get(&before), view.positions.get(&after)) else {
            continue;
        };
        let (Some(&last_b), Some(&first_a)) = (b.last(), a.first()) else {
            continue;
        };
        if last_b < first_a {
            continue;
        }
        let (bn, an) = (cluster.item_name(before), cluster.item_name(after));
        let message = if last_b == first_a {
            format!(
                "`{an}` must be upgraded in a later wave than `{bn}`, but both are in wave {}",
                first_a + 1
            )
        } else {
            format!(
                "`{an}` is upgraded in wave {}, but it must come after `{bn}`, upgraded in wave {}",
                first_a + 1,
                last_b + 1
            )
        };
        // Either item may move; the rule holds once either is on the right side of the other.
        let help = [(after, first_a), (before, last_b)]
            .into_iter()
            .find_map(|(item, from)| help::relocate(view, from, &[vec![item]], |_| true))
            .unwrap_or_else(|| {
                format!("upgrade `{bn}` in a wave before every wave that upgrades `{an}`, moving other items as needed")
            });
        out.push(Violation::new(
            ViolationCode::OrderViolated,
            Some(first_a),
            an,
            message,
            help,
            view.item_span(first_a, after),
        ));
    }
}

/// Whether putting every item of `set` at `pos` (and nowhere else) keeps the order rules that
/// involve them. Positions are doubled: existing wave `w` is at `2w + 1`, and `2p` is a new
/// wave inserted before wave `p`, so both kinds of slot are compared on one line.
///
/// Only each item's first and last wave matter, and `positions` is ascending, so this reads two
/// waves per item however often the plan lists it: reading them all made help for a plan that
/// lists one host in 2,000 waves quadratic (6.4 s in a debug build).
pub(super) fn allows(view: &PlanView<'_>, set: &[ItemId], pos: usize) -> bool {
    // The doubled position of the item's first (`last` false) or last wave.
    let end = |item: &ItemId, last: bool| -> Option<usize> {
        if set.contains(item) {
            return Some(pos);
        }
        let waves = view.positions.get(item)?;
        #[cfg(test)]
        WAVES_READ.with(|n| n.set(n.get() + 1));
        let w = if last { waves.last() } else { waves.first() }?;
        Some(2 * w + 1)
    };
    view.cluster.orders.iter().all(|rule| {
        let moves_before = rule.before.iter().any(|i| set.contains(i));
        let moves_after = rule.after.iter().any(|i| set.contains(i));
        if !moves_before && !moves_after {
            return true;
        }
        let latest_before = rule.before.iter().filter_map(|i| end(i, true)).max();
        let earliest_after = rule.after.iter().filter_map(|i| end(i, false)).min();
        // Only pairs with a moved item count: the rule may be broken elsewhere already.
        let before_ok = !moves_before || earliest_after.is_none_or(|a| pos < a);
        let after_ok = !moves_after || latest_before.is_none_or(|b| b < pos);
        before_ok && after_ok
    })
}

#[cfg(test)]
thread_local! {
    /// Waves `allows` has read from `positions`: the work a test can bound without a clock.
    pub(super) static WAVES_READ: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}
