//! One home for every rule of the format: the arithmetic of each rule, defined once on the
//! model, for everything that is not the validator.
//!
//! Bounds, the heuristic, the integer program, placement and the runbook facts all call these
//! functions; none of them re-derives a rule. The validator ([`crate::validate`]) is the one
//! deliberate twin: it re-derives every rule from the contract on its own, so that a mistake
//! here cannot hide behind the same mistake in the check.
//!
//! - [`members`]: when a quorum-group or budget member is down, and what a group or budget may
//!   lose in a wave (quorum slack, budget limit);
//! - [`levels`]: fault-domain and site levels, their limits and the domains down at rest;
//! - [`capacity`]: movable demand, free room with untracked storage, the reserve pool, and one
//!   wave's evacuation;
//! - [`scope`]: the spot (host or fault domain) an anti-affinity scope means;
//! - this file: the names of the rules ([`Rule`]), exclusivity, and the counted rules as rows
//!   ([`rows`]) that the bounds and the integer program both build on.

pub mod capacity;
pub mod levels;
pub mod members;
pub mod scope;

use crate::model::{BudgetId, Cluster, ItemId, QuorumGroupId, Resource};

/// A rule of the format, as bounds, the solver and "no safe plan" name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Every item needs a wave.
    Items,
    /// Exclusive components need waves of their own.
    ExclusiveComponents,
    /// `max_hosts_per_wave`.
    MaxHostsPerWave,
    /// `max_fault_domains_down`.
    FaultDomains,
    /// `max_sites_down`.
    Sites,
    /// A quorum group.
    Quorum(QuorumGroupId),
    /// A disruption budget.
    Budget(BudgetId),
    /// Evacuation capacity and reserve of one resource.
    Capacity(Resource),
    /// A chain of order rules.
    OrderChain,
    /// A workload that can never be evacuated.
    Evacuation,
    /// No plan was found within the time limit, and none was proven impossible.
    TimeLimit,
}

impl Rule {
    /// The rule's name in operator terms, e.g. "quorum group etcd" or "memory capacity".
    pub fn describe(self, cluster: &Cluster) -> String {
        match self {
            Rule::Items => "items".to_string(),
            Rule::ExclusiveComponents => "exclusive components".to_string(),
            Rule::MaxHostsPerWave => "max_hosts_per_wave".to_string(),
            Rule::FaultDomains => "max_fault_domains_down".to_string(),
            Rule::Sites => "max_sites_down".to_string(),
            Rule::Quorum(g) => format!("quorum group {}", cluster.quorum_groups[g.index()].name),
            Rule::Budget(b) => format!("disruption budget {}", cluster.budgets[b.index()].name),
            Rule::Capacity(r) => format!("{r} capacity"),
            Rule::OrderChain => "order".to_string(),
            Rule::Evacuation => "evacuation".to_string(),
            Rule::TimeLimit => "search".to_string(),
        }
    }
}

/// Whether `item` is an exclusive component, which needs a wave of its own.
pub fn is_exclusive(cluster: &Cluster, item: ItemId) -> bool {
    matches!(item, ItemId::Component(c) if cluster.component(c).exclusive)
}

/// A counted rule as a row: each item takes down an amount, and one wave may take down at most
/// `per_wave` (negative: the rule is broken before any upgrade).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The rule.
    pub rule: Rule,
    /// What one wave may take down, beyond what is down in every wave.
    pub per_wave: i64,
    /// Down in every wave already (votes or members on unavailable hosts).
    pub always: u64,
    /// What each item takes down when upgraded, in item order.
    pub amounts: Vec<(ItemId, u64)>,
}

/// Every counted rule of `cluster` as a row, in a fixed order: the host cap, the quorum groups,
/// the budgets, then capacity per resource (only resources every ready host tracks).
pub fn rows(cluster: &Cluster) -> Vec<Row> {
    let ready: Vec<_> = cluster.ready_hosts().collect();
    let mut rows = Vec::new();
    if let Some(m) = cluster.policy.max_hosts_per_wave
        && !ready.is_empty()
    {
        rows.push(Row {
            rule: Rule::MaxHostsPerWave,
            per_wave: i64::from(m),
            always: 0,
            amounts: ready
                .iter()
                .filter(|&&h| cluster.host(h).is_upgraded())
                .map(|&h| (ItemId::Host(h), 1))
                .collect(),
        });
    }
    for (g, group) in cluster.quorum_groups.iter().enumerate() {
        let losses = members::quorum_losses(cluster, group);
        rows.push(Row {
            rule: Rule::Quorum(QuorumGroupId::from_index(g)),
            per_wave: members::quorum_slack(group, &losses),
            always: losses.always,
            amounts: losses.per_item.into_iter().collect(),
        });
    }
    for (b, budget) in cluster.budgets.iter().enumerate() {
        let losses = members::budget_losses(cluster, budget);
        rows.push(Row {
            rule: Rule::Budget(BudgetId::from_index(b)),
            per_wave: members::budget_slack(budget, &losses),
            always: losses.always,
            amounts: losses.per_item.into_iter().collect(),
        });
    }
    for r in Resource::ALL {
        if let Some(rule) = capacity::capacity_rule(cluster, &ready, r) {
            rows.push(Row {
                rule: Rule::Capacity(r),
                per_wave: rule.per_wave(),
                always: 0,
                amounts: rule.weights.iter().map(|&(h, w)| (ItemId::Host(h), w)).collect(),
            });
        }
    }
    rows
}
