//! Order rules as the solver uses them: who must come before whom, and how long the chains are.
//!
//! A thin view of [`OrderGraph`], the one home of the order rules' graph: the solver asks it
//! for direct predecessors and successors, and keeps the longest chain from each item at hand.

use std::collections::HashMap;

use petgraph::Direction::{Incoming, Outgoing};

use crate::graph::order::OrderGraph;
use crate::model::{Cluster, ItemId};

/// The precedence relation of a cluster's items.
pub struct Precedence<'c> {
    cluster: &'c Cluster,
    graph: OrderGraph,
    /// Items on the longest chain that starts at an item, the item included.
    tail: HashMap<ItemId, u32>,
}

impl<'c> Precedence<'c> {
    /// Builds the relation from the cluster's order rules (which have no cycle: `resolve`
    /// rejects a cycle before a cluster exists).
    pub fn new(cluster: &'c Cluster) -> Self {
        let graph = crate::graph::order_graph(cluster);
        let tail = graph.chain_heights().unwrap_or_default();
        Precedence { cluster, graph, tail }
    }

    /// Items on the longest chain starting at `item` (1 when it precedes nothing).
    pub fn tail(&self, item: ItemId) -> u32 {
        self.tail.get(&item).copied().unwrap_or(1)
    }

    /// Items that must be in an earlier wave than `item`.
    pub fn predecessors(&self, item: ItemId) -> impl Iterator<Item = ItemId> + '_ {
        self.graph.neighbours(item, Incoming)
    }

    /// Items that must be in a later wave than `item`.
    pub fn successors(&self, item: ItemId) -> impl Iterator<Item = ItemId> + '_ {
        self.graph.neighbours(item, Outgoing)
    }

    /// Whether `item` may be in wave `t` given the waves of the others (`None`: not placed).
    pub fn allows(&self, item: ItemId, t: usize, wave_of: &HashMap<ItemId, usize>) -> bool {
        self.predecessors(item)
            .all(|p| wave_of.get(&p).is_none_or(|&w| w < t))
            && self
                .successors(item)
                .all(|s| wave_of.get(&s).is_none_or(|&w| w > t))
    }

    /// The rules as (before, after) lists.
    pub fn rules(&self) -> impl Iterator<Item = (&'c [ItemId], &'c [ItemId])> + use<'c> {
        self.cluster
            .orders
            .iter()
            .map(|r| (r.before.as_slice(), r.after.as_slice()))
    }
}
