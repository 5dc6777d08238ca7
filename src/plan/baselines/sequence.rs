//! The waves a rolling-upgrade tool would run: its host order, cut into waves of its size.
//!
//! Tools upgrade hosts; components (vCenter, Prism Central, a witness appliance) are upgraded
//! apart, each in a wave of its own. The order is what the tool's documentation says it does
//! (name order, or fault domains fewest-hosts-first for vLCM), kept within the description's
//! `order` rules, which an operator would respect when starting the tool: a topological order
//! of every item, with the tool's order as the tie-break. Cutting that order into waves is the
//! tool's own behaviour and knows no rule; whether the result is safe is for the validator.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::model::{Cluster, ItemId};

/// How a tool groups hosts into waves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cut {
    /// `k` hosts per wave, in name order.
    Hosts(usize),
    /// Every host of one fault domain per wave, domains with the fewest hosts to upgrade first.
    FaultDomains,
}

/// The waves of `cut` over every item of `cluster`, as lists of items.
pub(super) fn waves(cluster: &Cluster, cut: Cut) -> Vec<Vec<ItemId>> {
    let order = tool_order(cluster, cut);
    let mut waves: Vec<Vec<ItemId>> = Vec::new();
    let mut current: Vec<ItemId> = Vec::new();
    let domain = |item: ItemId| match item {
        ItemId::Host(h) => Some(cluster.host(h).fault_domain),
        ItemId::Component(_) => None,
    };
    for item in order {
        let full = match (cut, item) {
            (_, ItemId::Component(_)) => true,
            (Cut::Hosts(k), ItemId::Host(_)) => current.len() >= k,
            (Cut::FaultDomains, ItemId::Host(_)) => {
                current.first().is_some_and(|&f| domain(f) != domain(item))
            }
        };
        if full && !current.is_empty() {
            waves.push(std::mem::take(&mut current));
        }
        if matches!(item, ItemId::Component(_)) {
            waves.push(vec![item]);
        } else {
            current.push(item);
        }
    }
    if !current.is_empty() {
        waves.push(current);
    }
    waves
}

/// Where the tool puts an item: components (0) before hosts (1), then the fault domain's
/// hosts to upgrade and name (fault-domain cut only), then the item's name.
type ToolKey = (u8, usize, String, String);

/// Every item in an order the `order` rules allow, ties broken by the tool's order:
/// components first, then hosts by `cut`'s key.
fn tool_order(cluster: &Cluster, cut: Cut) -> Vec<ItemId> {
    let items = cluster.items();
    let mut position = std::collections::HashMap::with_capacity(items.len());
    for (i, &item) in items.iter().enumerate() {
        position.insert(item, i);
    }
    // Rules are nodes of their own, so a rule over m before and n after items costs m + n.
    let mut unplaced_before: Vec<usize> = vec![0; cluster.orders.len()];
    let mut waiting_rules: Vec<usize> = vec![0; items.len()];
    let mut rules_after: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (r, rule) in cluster.orders.iter().enumerate() {
        unplaced_before[r] = rule.before.iter().filter(|i| position.contains_key(i)).count();
        for item in &rule.before {
            if let Some(&p) = position.get(item) {
                rules_after[p].push(r);
            }
        }
        if unplaced_before[r] > 0 {
            for item in &rule.after {
                if let Some(&p) = position.get(item) {
                    waiting_rules[p] += 1;
                }
            }
        }
    }
    let key = |p: usize| -> ToolKey {
        match items[p] {
            ItemId::Component(c) => (0, 0, String::new(), cluster.component(c).name.clone()),
            ItemId::Host(h) => {
                let host = cluster.host(h);
                match cut {
                    Cut::Hosts(_) => (1, 0, String::new(), host.name.clone()),
                    Cut::FaultDomains => {
                        let domain = cluster.fault_domain(host.fault_domain);
                        let pending = domain
                            .hosts
                            .iter()
                            .filter(|&&d| cluster.host(d).is_upgraded())
                            .count();
                        (1, pending, domain.name.clone(), host.name.clone())
                    }
                }
            }
        }
    };
    let mut ready: BinaryHeap<Reverse<(ToolKey, usize)>> = (0..items.len())
        .filter(|&p| waiting_rules[p] == 0)
        .map(|p| Reverse((key(p), p)))
        .collect();
    let mut order = Vec::with_capacity(items.len());
    while let Some(Reverse((_, p))) = ready.pop() {
        order.push(items[p]);
        for &r in &rules_after[p] {
            unplaced_before[r] -= 1;
            if unplaced_before[r] > 0 {
                continue;
            }
            for item in &cluster.orders[r].after {
                if let Some(&q) = position.get(item) {
                    waiting_rules[q] -= 1;
                    if waiting_rules[q] == 0 {
                        ready.push(Reverse((key(q), q)));
                    }
                }
            }
        }
    }
    order
}
