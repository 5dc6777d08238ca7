//! The plan with its names resolved, as every per-wave check and help line reads it: the known
//! items of each wave, where each was written, the waves each item appears in, and how help
//! lines judge a hypothetical wave.

use std::cell::Cell;
use std::collections::HashMap;

use crate::model::{Cluster, HostId, ItemId};
use crate::source::Span;

use super::input::PlanInput;
use super::list;

/// Hypothetical waves evaluated for help lines per validation, at most.
pub(super) const HELP_BUDGET: usize = 20_000;

/// The plan with its names resolved.
pub(super) struct PlanView<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The plan as written.
    pub plan: &'a PlanInput,
    /// Per wave: the ready hosts and components it upgrades, sorted, each once.
    pub waves: Vec<Vec<ItemId>>,
    /// Per wave: where each of its items is first written.
    pub spans: Vec<HashMap<ItemId, Option<Span>>>,
    /// Per item: the waves it appears in, ascending.
    pub positions: HashMap<ItemId, Vec<usize>>,
    /// Hypothetical waves the help lines may still evaluate: a plan that breaks many rules on
    /// a large cluster gets plainer help rather than a slow answer. Spent in a fixed order, so
    /// the help stays deterministic.
    pub help_budget: Cell<usize>,
    /// How help lines judge a hypothetical wave.
    pub judge: Judge,
}

/// How help lines judge a hypothetical wave. The passes that own the rules supply it (see
/// `validate`), so the help pass needs none of them and they need only it: help is computed
/// from the rules, never the other way round.
#[derive(Clone, Copy)]
pub(super) struct Judge {
    /// Whether a wave upgrading `items`, at 0-based position `t` (for messages), keeps every
    /// counting rule and passes the evacuation rules in aggregate.
    pub accepts: fn(&Cluster, &[ItemId], usize) -> bool,
    /// Whether putting every item of `set` at doubled position `pos` keeps the order rules.
    pub order_allows: fn(&PlanView<'_>, &[ItemId], usize) -> bool,
}

impl PlanView<'_> {
    /// The span of wave `t` as a whole.
    pub fn wave_span(&self, t: usize) -> Option<Span> {
        self.plan.waves[t].span.clone()
    }

    /// The span of `item`'s entry in wave `t`, else the wave's.
    pub fn item_span(&self, t: usize, item: ItemId) -> Option<Span> {
        self.spans[t]
            .get(&item)
            .cloned()
            .flatten()
            .or_else(|| self.wave_span(t))
    }

    /// The hosts wave `t` upgrades, in id order.
    pub fn hosts(&self, t: usize) -> Vec<HostId> {
        hosts_of(&self.waves[t])
    }
}

/// The hosts among `items`, in the order given.
pub(super) fn hosts_of(items: &[ItemId]) -> Vec<HostId> {
    items
        .iter()
        .filter_map(|i| match i {
            ItemId::Host(h) => Some(*h),
            ItemId::Component(_) => None,
        })
        .collect()
}

/// The names of `items`, for messages.
pub(super) fn item_list(cluster: &Cluster, items: &[ItemId]) -> String {
    list(items.iter().map(|&i| cluster.item_name(i)))
}
