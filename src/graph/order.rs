//! The precedence graph of `order` rules: cycles and longest chains.
//!
//! Each rule becomes a node of its own between its `before` and `after` items, so a rule with
//! `m` items before and `n` after costs `m + n` edges instead of `m * n`, and a cycle found in the
//! graph names the rules it passes through.

use std::collections::HashMap;

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::ItemId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Item(ItemId),
    Rule(usize),
}

/// One step of a cycle: `from` must precede `to` because of rule `rule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleStep {
    /// The earlier item.
    pub from: ItemId,
    /// The index of the rule in the description's `order` list.
    pub rule: usize,
    /// The later item.
    pub to: ItemId,
}

/// A cycle of order rules, as the steps that close it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCycle {
    /// The steps, each `to` being the next step's `from`, the last `to` the first `from`.
    pub steps: Vec<CycleStep>,
}

/// The precedence graph of a list of order rules.
pub struct OrderGraph {
    graph: DiGraph<Node, ()>,
    items: HashMap<ItemId, NodeIndex>,
}

impl OrderGraph {
    /// Builds the graph from rules given as (before, after) lists.
    pub fn new<'a>(rules: impl IntoIterator<Item = (&'a [ItemId], &'a [ItemId])>) -> Self {
        let mut graph = DiGraph::new();
        let mut items: HashMap<ItemId, NodeIndex> = HashMap::new();
        let mut node = |graph: &mut DiGraph<Node, ()>, item: ItemId| {
            *items
                .entry(item)
                .or_insert_with(|| graph.add_node(Node::Item(item)))
        };
        for (index, (before, after)) in rules.into_iter().enumerate() {
            let rule = graph.add_node(Node::Rule(index));
            // `update_edge` would scan the rule's edges for every item: dedupe up front instead.
            let mut seen = std::collections::HashSet::new();
            for &item in before {
                if seen.insert(item) {
                    let n = node(&mut graph, item);
                    graph.add_edge(n, rule, ());
                }
            }
            seen.clear();
            for &item in after {
                if seen.insert(item) {
                    let n = node(&mut graph, item);
                    graph.add_edge(rule, n, ());
                }
            }
        }
        OrderGraph { graph, items }
    }

    /// One cycle per strongly connected group of rules, in a deterministic order.
    pub fn cycles(&self) -> Vec<OrderCycle> {
        let mut cycles: Vec<OrderCycle> = tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1)
            .filter_map(|scc| self.cycle_within(&scc))
            .collect();
        cycles.sort_by_key(|c| c.steps.iter().map(|s| s.rule).min());
        cycles
    }

    /// A shortest cycle through the lowest rule of a strongly connected component.
    fn cycle_within(&self, scc: &[NodeIndex]) -> Option<OrderCycle> {
        let in_scc: std::collections::HashSet<NodeIndex> = scc.iter().copied().collect();
        let start = scc
            .iter()
            .copied()
            .filter(|&n| matches!(self.graph[n], Node::Rule(_)))
            .min_by_key(|&n| match self.graph[n] {
                Node::Rule(r) => r,
                Node::Item(_) => usize::MAX,
            })?;
        // Breadth-first search from the rule back to itself, staying inside the component.
        let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closing = None;
        'search: while let Some(n) = queue.pop_front() {
            let mut next: Vec<NodeIndex> = self
                .graph
                .edges(n)
                .map(|e| e.target())
                .filter(|t| in_scc.contains(t))
                .collect();
            next.sort();
            for t in next {
                if t == start {
                    closing = Some(n);
                    break 'search;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(t) {
                    e.insert(n);
                    queue.push_back(t);
                }
            }
        }
        // Walk back from the node that closes the cycle to the start.
        let mut path = vec![closing?];
        while *path.last()? != start {
            path.push(parent[path.last()?]);
        }
        path.reverse();
        // path = [rule, item, rule, item, ..., item]; turn it into steps.
        let nodes: Vec<Node> = path.iter().map(|&n| self.graph[n]).collect();
        let mut steps = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            if let Node::Rule(rule) = *node {
                let from = match nodes[(i + nodes.len() - 1) % nodes.len()] {
                    Node::Item(item) => item,
                    Node::Rule(_) => return None,
                };
                let to = match nodes[(i + 1) % nodes.len()] {
                    Node::Item(item) => item,
                    Node::Rule(_) => return None,
                };
                steps.push(CycleStep { from, rule, to });
            }
        }
        Some(OrderCycle { steps })
    }

    /// For each item in any rule, the number of items on the longest chain of rules that ends
    /// with it (itself included). `None` if the rules have a cycle.
    pub fn chain_depths(&self) -> Option<HashMap<ItemId, u32>> {
        self.chain_lengths(petgraph::Direction::Incoming)
    }

    /// For each item in any rule, the number of items on the longest chain of rules that starts
    /// with it (itself included). `None` if the rules have a cycle.
    pub fn chain_heights(&self) -> Option<HashMap<ItemId, u32>> {
        self.chain_lengths(petgraph::Direction::Outgoing)
    }

    /// Longest chains ending at each item (`Incoming`) or starting at it (`Outgoing`), counted
    /// in items, by one pass over a topological order.
    fn chain_lengths(&self, direction: petgraph::Direction) -> Option<HashMap<ItemId, u32>> {
        let mut sorted = toposort(&self.graph, None).ok()?;
        if direction == petgraph::Direction::Outgoing {
            sorted.reverse();
        }
        let mut length: HashMap<NodeIndex, u32> = HashMap::new();
        for n in sorted {
            let longest = self
                .graph
                .neighbors_directed(n, direction)
                .map(|p| length.get(&p).copied().unwrap_or(0))
                .max()
                .unwrap_or(0);
            let own = match self.graph[n] {
                Node::Item(_) => 1,
                Node::Rule(_) => 0,
            };
            length.insert(n, longest + own);
        }
        Some(self.items.iter().map(|(item, n)| (*item, length[n])).collect())
    }

    /// The items one rule away from `item`: those that must come directly before it
    /// (`Incoming`) or directly after it (`Outgoing`). An item in no rule has none.
    pub fn neighbours(
        &self,
        item: ItemId,
        direction: petgraph::Direction,
    ) -> impl Iterator<Item = ItemId> + '_ {
        self.items
            .get(&item)
            .into_iter()
            .flat_map(move |&n| self.graph.neighbors_directed(n, direction))
            .flat_map(move |rule| self.graph.neighbors_directed(rule, direction))
            .filter_map(|n| match self.graph[n] {
                Node::Item(item) => Some(item),
                Node::Rule(_) => None,
            })
    }

    /// The items that must come, transitively, before (`Incoming`) or after (`Outgoing`) any of
    /// `items`, together with `items` themselves.
    pub fn closure(
        &self,
        items: &[ItemId],
        direction: petgraph::Direction,
    ) -> std::collections::HashSet<ItemId> {
        let mut seen: std::collections::HashSet<NodeIndex> = std::collections::HashSet::new();
        let mut stack: Vec<NodeIndex> = items.iter().filter_map(|i| self.items.get(i).copied()).collect();
        let mut out: std::collections::HashSet<ItemId> = items.iter().copied().collect();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            if let Node::Item(item) = self.graph[n] {
                out.insert(item);
            }
            stack.extend(self.graph.neighbors_directed(n, direction));
        }
        out
    }

    /// The items of a longest chain, first to last. Empty when there are no rules or a cycle.
    pub fn longest_chain(&self) -> Vec<ItemId> {
        let Some(depths) = self.chain_depths() else {
            return Vec::new();
        };
        let Some((&last, _)) = depths
            .iter()
            .max_by_key(|(item, d)| (**d, std::cmp::Reverse(**item)))
        else {
            return Vec::new();
        };
        let mut chain = vec![last];
        let mut current = last;
        while depths[&current] > 1 {
            let node = self.items[&current];
            // Step back through a rule to an item one level shallower.
            let previous = self
                .graph
                .neighbors_directed(node, petgraph::Direction::Incoming)
                .flat_map(|rule| self.graph.neighbors_directed(rule, petgraph::Direction::Incoming))
                .filter_map(|n| match self.graph[n] {
                    Node::Item(item) if depths[&item] + 1 == depths[&current] => Some(item),
                    _ => None,
                })
                .min();
            match previous {
                Some(p) => {
                    chain.push(p);
                    current = p;
                }
                None => break,
            }
        }
        chain.reverse();
        chain
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ComponentId, HostId};

    fn h(i: u32) -> ItemId {
        ItemId::Host(HostId(i))
    }

    #[test]
    fn finds_a_two_rule_cycle_with_its_rules() {
        let rules = [(vec![h(0)], vec![h(1)]), (vec![h(1)], vec![h(0)])];
        let graph = OrderGraph::new(rules.iter().map(|(b, a)| (b.as_slice(), a.as_slice())));
        let cycles = graph.cycles();
        assert_eq!(cycles.len(), 1);
        let steps = &cycles[0].steps;
        assert_eq!(steps.len(), 2);
        assert_eq!(
            steps[0],
            CycleStep {
                from: h(0),
                rule: 0,
                to: h(1)
            }
        );
        assert_eq!(
            steps[1],
            CycleStep {
                from: h(1),
                rule: 1,
                to: h(0)
            }
        );
    }

    #[test]
    fn an_item_before_itself_is_a_cycle_of_one_rule() {
        let rules = [(vec![h(0), h(1)], vec![h(1)])];
        let graph = OrderGraph::new(rules.iter().map(|(b, a)| (b.as_slice(), a.as_slice())));
        let cycles = graph.cycles();
        assert_eq!(cycles.len(), 1);
        assert_eq!(
            cycles[0].steps,
            vec![CycleStep {
                from: h(1),
                rule: 0,
                to: h(1)
            }]
        );
    }

    /// A vCenter before hosts 0 and 1, host 1 before host 2, host 0 before host 3.
    fn vcenter_then_hosts() -> (ItemId, OrderGraph) {
        let vc = ItemId::Component(ComponentId(0));
        let rules = [
            (vec![vc], vec![h(0), h(1)]),
            (vec![h(1)], vec![h(2)]),
            (vec![h(0)], vec![h(3)]),
        ];
        let graph = OrderGraph::new(rules.iter().map(|(b, a)| (b.as_slice(), a.as_slice())));
        (vc, graph)
    }

    #[test]
    fn longest_chain_follows_rules() {
        let (vc, graph) = vcenter_then_hosts();
        assert!(graph.cycles().is_empty());
        assert_eq!(graph.longest_chain(), vec![vc, h(1), h(2)]);
        assert_eq!(graph.chain_depths().unwrap()[&h(2)], 3);
    }

    #[test]
    fn heights_and_neighbours_follow_rules() {
        use petgraph::Direction::{Incoming, Outgoing};
        let (vc, graph) = vcenter_then_hosts();
        let heights = graph.chain_heights().unwrap();
        assert_eq!(heights[&vc], 3);
        assert_eq!(heights[&h(0)], 2);
        assert_eq!(heights[&h(2)], 1);
        let mut after_vc: Vec<ItemId> = graph.neighbours(vc, Outgoing).collect();
        after_vc.sort();
        assert_eq!(after_vc, vec![h(0), h(1)]);
        assert_eq!(graph.neighbours(h(2), Incoming).collect::<Vec<_>>(), vec![h(1)]);
        assert_eq!(graph.neighbours(h(9), Incoming).count(), 0);
    }
}
