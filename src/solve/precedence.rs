//! Order rules as the solver uses them: who must come before whom, and how long the chains are.

use std::collections::HashMap;

use crate::model::{Cluster, ItemId};

/// The precedence relation of a cluster's items.
pub struct Precedence {
    /// Rules in which an item is in `after`.
    after_rules: HashMap<ItemId, Vec<usize>>,
    /// Rules in which an item is in `before`.
    before_rules: HashMap<ItemId, Vec<usize>>,
    before: Vec<Vec<ItemId>>,
    after: Vec<Vec<ItemId>>,
    /// Items on the longest chain that starts at an item, the item included.
    tail: HashMap<ItemId, u32>,
}

impl Precedence {
    /// Builds the relation from the cluster's order rules (which have no cycle).
    pub fn new(cluster: &Cluster) -> Self {
        let mut after_rules: HashMap<ItemId, Vec<usize>> = HashMap::new();
        let mut before_rules: HashMap<ItemId, Vec<usize>> = HashMap::new();
        for (r, rule) in cluster.orders.iter().enumerate() {
            for &i in &rule.before {
                before_rules.entry(i).or_default().push(r);
            }
            for &i in &rule.after {
                after_rules.entry(i).or_default().push(r);
            }
        }
        let before: Vec<Vec<ItemId>> = cluster.orders.iter().map(|r| r.before.clone()).collect();
        let after: Vec<Vec<ItemId>> = cluster.orders.iter().map(|r| r.after.clone()).collect();
        let mut p = Precedence {
            after_rules,
            before_rules,
            before,
            after,
            tail: HashMap::new(),
        };
        // Tails by memoised depth-first search on the reversed chains; the graph is acyclic.
        let items = cluster.items();
        for &item in &items {
            p.compute_tail(item);
        }
        p
    }

    fn compute_tail(&mut self, item: ItemId) -> u32 {
        if let Some(&t) = self.tail.get(&item) {
            return t;
        }
        // Iterative post-order to avoid deep recursion on long chains.
        let mut stack = vec![(item, false)];
        while let Some((node, expanded)) = stack.pop() {
            if self.tail.contains_key(&node) {
                continue;
            }
            let successors: Vec<ItemId> = self
                .before_rules
                .get(&node)
                .into_iter()
                .flatten()
                .flat_map(|&r| self.after[r].iter().copied())
                .collect();
            if expanded {
                let best = successors.iter().map(|s| self.tail[s]).max().unwrap_or(0);
                self.tail.insert(node, best + 1);
            } else {
                stack.push((node, true));
                for s in successors {
                    if !self.tail.contains_key(&s) {
                        stack.push((s, false));
                    }
                }
            }
        }
        self.tail[&item]
    }

    /// Items on the longest chain starting at `item` (1 when it precedes nothing).
    pub fn tail(&self, item: ItemId) -> u32 {
        self.tail.get(&item).copied().unwrap_or(1)
    }

    /// Items that must be in an earlier wave than `item`.
    pub fn predecessors(&self, item: ItemId) -> impl Iterator<Item = ItemId> + '_ {
        self.after_rules
            .get(&item)
            .into_iter()
            .flatten()
            .flat_map(|&r| self.before[r].iter().copied())
    }

    /// Items that must be in a later wave than `item`.
    pub fn successors(&self, item: ItemId) -> impl Iterator<Item = ItemId> + '_ {
        self.before_rules
            .get(&item)
            .into_iter()
            .flatten()
            .flat_map(|&r| self.after[r].iter().copied())
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
    pub fn rules(&self) -> impl Iterator<Item = (&[ItemId], &[ItemId])> {
        self.before
            .iter()
            .zip(&self.after)
            .map(|(b, a)| (b.as_slice(), a.as_slice()))
    }
}
