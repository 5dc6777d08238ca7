//! Bounds from order rules.
//!
//! Everything before a rule (its `before` items and what must precede them) runs in waves
//! strictly earlier than everything after it (its `after` items and what must follow them), so
//! the two sets use different waves and their bounds add up: three controllers that must go one
//! at a time, before twelve computes whose budget allows one at a time, take six waves, not three.

use std::collections::HashSet;

use super::packing::{Packing, set_bound};
use super::{Bounds, Rule, bound};
use crate::graph::order_graph;
use crate::model::{Cluster, ItemId};

/// Rules considered at most; each costs a traversal of the order graph.
const MAX_RULES: usize = 500;

/// Adds the best layered bound over the order rules, and the longest chain.
pub(super) fn order_bounds(cluster: &Cluster, packings: &[(Rule, Packing)], out: &mut Bounds) {
    let graph = order_graph(cluster);
    let chain = graph.longest_chain();
    if chain.len() > 1 {
        let names: Vec<&str> = chain.iter().map(|&i| cluster.item_name(i)).collect();
        out.bounds.push(bound(
            Rule::OrderChain,
            chain.len() as u64,
            format!("order: a chain of {} items ({})", chain.len(), names.join(" → ")),
        ));
    }
    let mut best: Option<(u64, u64, u64, usize)> = None;
    for (index, rule) in cluster.orders.iter().enumerate().take(MAX_RULES) {
        if rule.before.is_empty() || rule.after.is_empty() {
            continue;
        }
        let before: HashSet<ItemId> = graph.closure(&rule.before, petgraph::Direction::Incoming);
        let after: HashSet<ItemId> = graph.closure(&rule.after, petgraph::Direction::Outgoing);
        let (b, a) = (
            set_bound(cluster, packings, &before),
            set_bound(cluster, packings, &after),
        );
        if best.is_none_or(|(total, ..)| b.saturating_add(a) > total) {
            best = Some((b.saturating_add(a), b, a, index));
        }
    }
    if let Some((total, b, a, index)) = best
        && total > 2
    {
        let rule = &cluster.orders[index];
        let names = |items: &[ItemId]| {
            let mut list: Vec<&str> = items.iter().take(3).map(|&i| cluster.item_name(i)).collect();
            if items.len() > 3 {
                list.push("…");
            }
            list.join(", ")
        };
        out.bounds.push(bound(
            Rule::OrderChain,
            total,
            format!(
                "order #{}: {b} wave{} for what goes before ({}) and {a} for what goes after ({})",
                index + 1,
                if b == 1 { "" } else { "s" },
                names(&rule.before),
                names(&rule.after)
            ),
        ));
    }
}
