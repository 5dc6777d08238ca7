//! Combinatorial lower bounds on the number of waves, and the impossibilities they reveal.
//!
//! Each rule of the format limits what one wave can take down. Dividing what must go down over
//! the whole plan by what one wave may take gives a bound on the waves; a single item that
//! takes down more than any wave may means no safe plan exists at all. `check` prints the best
//! bound with the rule that sets it, and the planner starts its search there.
//!
//! Exclusive components have waves of their own, so bounds that only concern hosts add the
//! number of exclusive components; bounds over all items (order chains, groups with component
//! members) do not.

use std::collections::BTreeMap;

use crate::model::{BudgetId, Cluster, ItemId, MemberId, QuorumGroupId, Resource};

mod capacity;
mod domains;
mod order;
mod packing;

pub(crate) use capacity::movable_load;
use domains::Level;
pub(crate) use domains::levels as domain_levels;
use packing::Packing;

/// The rule behind a bound or an impossibility.
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
}

/// A lower bound on the number of waves and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    /// The rule that sets it.
    pub rule: Rule,
    /// At least this many waves.
    pub waves: u32,
    /// The reason in operator terms, e.g. "fault domains: 4 domains, at most 1 down at a time".
    pub reason: String,
}

/// A rule that no plan can satisfy, found without search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impossible {
    /// The rule.
    pub rule: Rule,
    /// Why, with the numbers involved.
    pub reason: String,
}

/// All bounds of a cluster.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    /// Every bound found, in a fixed order.
    pub bounds: Vec<Bound>,
    /// Rules that make any plan impossible.
    pub impossible: Vec<Impossible>,
    /// A lower bound on the waves not taken by exclusive components (the waves hosts and
    /// shared components go in).
    pub shared_waves: u32,
}

impl Bounds {
    /// The strongest bound; ties go to the first found. `None` when nothing is to be upgraded.
    pub fn best(&self) -> Option<&Bound> {
        self.bounds.iter().rev().max_by_key(|b| b.waves)
    }

    /// The number of waves the strongest bound requires (0 when nothing is to be upgraded).
    pub fn waves(&self) -> u32 {
        self.best().map_or(0, |b| b.waves)
    }
}

/// Computes the bounds of `cluster`.
pub fn bounds(cluster: &Cluster) -> Bounds {
    let mut out = Bounds::default();
    let ready: Vec<_> = cluster.ready_hosts().collect();
    let exclusive = cluster.components.iter().filter(|c| c.exclusive).count() as u64;
    let shared = cluster.components.len() as u64 - exclusive;
    let items = ready.len() as u64 + cluster.components.len() as u64;
    if items == 0 {
        return out;
    }
    let host_waves_needed = u64::from(!ready.is_empty() || shared > 0);
    out.bounds.push(Bound {
        rule: Rule::Items,
        waves: 1,
        reason: format!("{items} item{} to upgrade", plural(items)),
    });
    if exclusive > 0 {
        out.bounds.push(bound(
            Rule::ExclusiveComponents,
            exclusive + host_waves_needed,
            format!(
                "exclusive components: {exclusive} need a wave each{}",
                if host_waves_needed > 0 {
                    ", plus at least one wave for the rest"
                } else {
                    ""
                }
            ),
        ));
    }
    // A bound on waves that contain hosts becomes a bound on all waves by adding the exclusive
    // components' own waves.
    out.shared_waves = u32::from(host_waves_needed > 0);
    let mut host_bound = |out: &mut Bounds, rule: Rule, host_waves: u64, reason: String| {
        out.shared_waves = out
            .shared_waves
            .max(u32::try_from(host_waves).unwrap_or(u32::MAX));
        let reason = if exclusive > 0 {
            format!(
                "{reason}; plus {exclusive} exclusive component wave{}",
                plural(exclusive)
            )
        } else {
            reason
        };
        out.bounds.push(bound(rule, host_waves + exclusive, reason));
    };

    // Domains first: when bounds tie, the first found is reported, and the domain rule is the
    // one an operator recognises.
    domains::domain_bound(cluster, &ready, Level::FaultDomain, &mut out, &mut host_bound);
    domains::domain_bound(cluster, &ready, Level::Site, &mut out, &mut host_bound);

    let mut packings: Vec<(Rule, Packing)> = Vec::new();
    if let Some(m) = cluster.policy.max_hosts_per_wave
        && !ready.is_empty()
    {
        packings.push((
            Rule::MaxHostsPerWave,
            Packing {
                per_wave: u64::from(m),
                amounts: ready.iter().map(|&h| (ItemId::Host(h), 1)).collect(),
            },
        ));
        let waves = (ready.len() as u64).div_ceil(u64::from(m));
        host_bound(
            &mut out,
            Rule::MaxHostsPerWave,
            waves,
            format!("max hosts per wave: {} hosts, at most {m} at a time", ready.len()),
        );
    }
    capacity::workload_impossibilities(cluster, &ready, &mut out);

    for (i, group) in cluster.quorum_groups.iter().enumerate() {
        let rule = Rule::Quorum(QuorumGroupId::from_index(i));
        let mut always_down = 0;
        let mut amounts: BTreeMap<ItemId, u64> = BTreeMap::new();
        for member in &group.members {
            match member_down_with(cluster, member.id) {
                DownWith::Always => always_down += member.votes,
                DownWith::Item(item) => *amounts.entry(item).or_default() += member.votes,
                DownWith::Never => {}
            }
        }
        let up = group.total_votes() - always_down;
        let label = format!("quorum group {}", group.name);
        let describe = |slack: u64| {
            format!(
                "{label}: {} member{}, {} vote{}{}, quorum {}{}",
                group.members.len(),
                plural(group.members.len() as u64),
                group.total_votes(),
                plural(group.total_votes()),
                if always_down > 0 {
                    format!(" ({always_down} already down)")
                } else {
                    String::new()
                },
                group.quorum,
                if slack == 0 {
                    String::new()
                } else {
                    format!(", so at most {slack} vote{} may be down at a time", plural(slack))
                }
            )
        };
        if up < group.quorum {
            out.impossible.push(Impossible {
                rule,
                reason: format!(
                    "{label}: {always_down} of its {} votes are on hosts already unavailable, leaving {up}; quorum is {}, so it is lost before any upgrade starts",
                    group.total_votes(),
                    group.quorum
                ),
            });
            continue;
        }
        let packing = Packing {
            per_wave: up - group.quorum,
            amounts: amounts.into_iter().collect(),
        };
        group_bound(
            cluster,
            rule,
            &packing,
            describe(packing.per_wave),
            "vote",
            &mut out,
            &mut host_bound,
        );
        packings.push((rule, packing));
    }

    for (i, budget) in cluster.budgets.iter().enumerate() {
        let rule = Rule::Budget(BudgetId::from_index(i));
        let mut always_down = 0u64;
        let mut amounts: BTreeMap<ItemId, u64> = BTreeMap::new();
        for &w in &budget.workloads {
            match member_down_with(cluster, MemberId::Workload(w)) {
                DownWith::Always => always_down += 1,
                DownWith::Item(item) => *amounts.entry(item).or_default() += 1,
                DownWith::Never => {}
            }
        }
        let label = format!("disruption budget {}", budget.name);
        let max_down = budget.max_down();
        if always_down > max_down {
            out.impossible.push(Impossible {
                rule,
                reason: format!(
                    "{label}: {always_down} of its workloads are on hosts already unavailable, but at most {max_down} may be down"
                ),
            });
            continue;
        }
        let packing = Packing {
            per_wave: max_down - always_down,
            amounts: amounts.into_iter().collect(),
        };
        let reason = format!(
            "{label}: {} workload{}, at most {} down at a time{}",
            budget.workloads.len(),
            plural(budget.workloads.len() as u64),
            max_down,
            if always_down > 0 {
                format!(" ({always_down} already down)")
            } else {
                String::new()
            }
        );
        group_bound(
            cluster,
            rule,
            &packing,
            reason,
            "workload",
            &mut out,
            &mut host_bound,
        );
        packings.push((rule, packing));
    }

    capacity::capacity_bounds(cluster, &ready, &mut out, &mut packings, &mut host_bound);
    if out.impossible.is_empty() {
        domains::split_bounds(cluster, &packings, &mut out, &mut host_bound);
    }

    if out.impossible.is_empty() {
        order::order_bounds(cluster, &packings, &mut out);
    }
    out
}

fn bound(rule: Rule, waves: u64, reason: String) -> Bound {
    Bound {
        rule,
        waves: u32::try_from(waves).unwrap_or(u32::MAX),
        reason,
    }
}

/// When a quorum or budget member goes down.
pub(crate) enum DownWith {
    /// In every wave: its host is already unavailable.
    Always,
    /// In the wave that upgrades this item.
    Item(ItemId),
    /// Never: it live-migrates away from its host.
    Never,
}

/// When `member` is down. A workload on an already-unavailable host is down in every wave,
/// whatever its migration: it cannot be running on a host that is down.
pub(crate) fn member_down_with(cluster: &Cluster, member: MemberId) -> DownWith {
    match member {
        MemberId::Host(h) if cluster.host(h).is_ready() => DownWith::Item(ItemId::Host(h)),
        MemberId::Host(_) => DownWith::Always,
        MemberId::Component(c) => DownWith::Item(ItemId::Component(c)),
        MemberId::Workload(w) => {
            let workload = cluster.workload(w);
            if !cluster.host(workload.host).is_ready() {
                DownWith::Always
            } else if workload.migration == crate::model::Migration::Live {
                DownWith::Never
            } else {
                DownWith::Item(ItemId::Host(workload.host))
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn group_bound(
    cluster: &Cluster,
    rule: Rule,
    packing: &Packing,
    reason: String,
    unit: &str,
    out: &mut Bounds,
    host_bound: &mut impl FnMut(&mut Bounds, Rule, u64, String),
) {
    if let Some((item, amount)) = packing.too_large() {
        let what = if packing.per_wave == 0 {
            format!("{reason}, so no member can ever go down")
        } else {
            format!(
                "{reason}; upgrading {} takes down {amount} {unit}{} of it at once",
                cluster.item_name(item),
                plural(amount)
            )
        };
        out.impossible.push(Impossible { rule, reason: what });
        return;
    }
    let waves = packing.waves();
    if waves == 0 {
        return;
    }
    if packing.only_hosts() {
        host_bound(out, rule, waves, reason);
    } else {
        out.bounds.push(bound(rule, waves, reason));
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
