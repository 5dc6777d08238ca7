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

use crate::model::Cluster;
use crate::rules::{self, Row};

mod capacity;
mod domains;
mod order;
mod packing;

use packing::Packing;
use rules::levels::Level;

pub use crate::rules::Rule;

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
    /// The packing rules found (what one wave may take down of something), for bounds on
    /// subsets of the items: see [`Bounds::packed_waves`].
    pub(crate) packings: Vec<(Rule, Packing)>,
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

    /// The fewest waves the packing rules (quorum votes, budgets, evacuation capacity, hosts per
    /// wave) leave for `hosts` on their own: at least one.
    pub(crate) fn packed_waves(&self, hosts: &[crate::model::HostId]) -> u32 {
        let members: std::collections::HashSet<crate::model::ItemId> =
            hosts.iter().map(|&h| crate::model::ItemId::Host(h)).collect();
        let waves = self
            .packings
            .iter()
            .map(|(_, packing)| packing.restricted(&members).waves())
            .max()
            .unwrap_or(0);
        u32::try_from(waves.max(1)).unwrap_or(u32::MAX)
    }

    /// For each packing rule that concerns `hosts`: what one wave may take down, and what
    /// each of `hosts` takes down (in the order given).
    pub(crate) fn host_amounts(&self, hosts: &[crate::model::HostId]) -> Vec<(u64, Vec<u64>)> {
        self.packings
            .iter()
            .map(|(_, packing)| {
                let amounts = hosts
                    .iter()
                    .map(|&h| {
                        let item = crate::model::ItemId::Host(h);
                        packing
                            .amounts
                            .iter()
                            .filter(|(i, _)| *i == item)
                            .map(|(_, a)| *a)
                            .sum()
                    })
                    .collect::<Vec<u64>>();
                (packing.per_wave, amounts)
            })
            .filter(|(_, amounts)| amounts.iter().any(|&a| a > 0))
            .collect()
    }
}

/// Computes the bounds of `cluster`.
pub fn bounds(cluster: &Cluster) -> Bounds {
    let mut out = Bounds::default();
    let ready: Vec<_> = cluster.upgraded_hosts().collect();
    let components: Vec<_> = cluster
        .upgraded_components()
        .map(|c| cluster.component(c))
        .collect();
    let exclusive = components.iter().filter(|c| c.exclusive).count() as u64;
    let shared = components.len() as u64 - exclusive;
    let items = ready.len() as u64 + components.len() as u64;
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

    let rows = rules::rows(cluster);
    let mut packings: Vec<(Rule, Packing)> = Vec::new();
    for row in rows.iter().filter(|row| row.rule == Rule::MaxHostsPerWave) {
        let m = row.per_wave as u64;
        packings.push((row.rule, packing_of(row)));
        let waves = (ready.len() as u64).div_ceil(m);
        host_bound(
            &mut out,
            Rule::MaxHostsPerWave,
            waves,
            format!("max hosts per wave: {} hosts, at most {m} at a time", ready.len()),
        );
    }
    let up: Vec<_> = cluster.ready_hosts().collect();
    capacity::workload_impossibilities(cluster, &up, &mut out);

    for row in &rows {
        match row.rule {
            Rule::Quorum(g) => quorum_bound(cluster, row, g, &mut out, &mut packings, &mut host_bound),
            Rule::Budget(b) => budget_bound(cluster, row, b, &mut out, &mut packings, &mut host_bound),
            _ => {}
        }
    }

    capacity::capacity_bounds(cluster, &ready, &rows, &mut out, &mut packings, &mut host_bound);
    if out.impossible.is_empty() {
        domains::split_bounds(cluster, &packings, &mut out, &mut host_bound);
    }

    if out.impossible.is_empty() {
        order::order_bounds(cluster, &packings, &mut out);
    }
    out.packings = packings;
    out
}

fn bound(rule: Rule, waves: u64, reason: String) -> Bound {
    Bound {
        rule,
        waves: u32::try_from(waves).unwrap_or(u32::MAX),
        reason,
    }
}

/// A row as a packing; only called on rows whose limit holds at rest.
fn packing_of(row: &Row) -> Packing {
    Packing {
        per_wave: u64::try_from(row.per_wave).unwrap_or(0),
        amounts: row.amounts.clone(),
    }
}

fn quorum_bound(
    cluster: &Cluster,
    row: &Row,
    g: crate::model::QuorumGroupId,
    out: &mut Bounds,
    packings: &mut Vec<(Rule, Packing)>,
    host_bound: &mut impl FnMut(&mut Bounds, Rule, u64, String),
) {
    let group = &cluster.quorum_groups[g.index()];
    let always_down = row.always;
    let up = group.total_votes() - always_down;
    let label = format!("quorum group {}", group.name);
    if row.per_wave < 0 {
        out.impossible.push(Impossible {
            rule: row.rule,
            reason: format!(
                "{label}: {always_down} of its {} votes are on hosts already unavailable, leaving {up}; quorum is {}, so it is lost before any upgrade starts",
                group.total_votes(),
                group.quorum
            ),
        });
        return;
    }
    let packing = packing_of(row);
    let slack = packing.per_wave;
    let reason = format!(
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
    );
    group_bound(cluster, row.rule, &packing, reason, "vote", out, host_bound);
    packings.push((row.rule, packing));
}

fn budget_bound(
    cluster: &Cluster,
    row: &Row,
    b: crate::model::BudgetId,
    out: &mut Bounds,
    packings: &mut Vec<(Rule, Packing)>,
    host_bound: &mut impl FnMut(&mut Bounds, Rule, u64, String),
) {
    let budget = &cluster.budgets[b.index()];
    let always_down = row.always;
    let label = format!("disruption budget {}", budget.name);
    let max_down = budget.max_down();
    if row.per_wave < 0 {
        out.impossible.push(Impossible {
            rule: row.rule,
            reason: format!(
                "{label}: {always_down} of its workloads are on hosts already unavailable, but at most {max_down} may be down"
            ),
        });
        return;
    }
    let packing = packing_of(row);
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
    group_bound(cluster, row.rule, &packing, reason, "workload", out, host_bound);
    packings.push((row.rule, packing));
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
