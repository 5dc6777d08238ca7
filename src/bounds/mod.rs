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

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::order_graph;
use crate::model::resources::show;
use crate::model::{BudgetId, Cluster, ItemId, MemberId, QuorumGroupId, Resource};

mod packing;

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
    let mut host_bound = |out: &mut Bounds, rule: Rule, host_waves: u64, reason: String| {
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

    domain_bound(cluster, &ready, Level::FaultDomain, &mut out, &mut host_bound);
    domain_bound(cluster, &ready, Level::Site, &mut out, &mut host_bound);

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

    capacity_bounds(cluster, &ready, &mut out, &mut packings, &mut host_bound);
    if out.impossible.is_empty() {
        split_bounds(cluster, &packings, &mut out, &mut host_bound);
    }

    let chain = order_graph(cluster).longest_chain();
    if chain.len() > 1 {
        let names: Vec<&str> = chain.iter().map(|&i| cluster.item_name(i)).collect();
        out.bounds.push(bound(
            Rule::OrderChain,
            chain.len() as u64,
            format!("order: a chain of {} items ({})", chain.len(), names.join(" → ")),
        ));
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

#[derive(Clone, Copy)]
enum Level {
    FaultDomain,
    Site,
}

fn domain_bound(
    cluster: &Cluster,
    ready: &[crate::model::HostId],
    level: Level,
    out: &mut Bounds,
    host_bound: &mut impl FnMut(&mut Bounds, Rule, u64, String),
) {
    let (limit, rule, noun) = match level {
        Level::FaultDomain => (
            cluster.policy.max_fault_domains_down,
            Rule::FaultDomains,
            "fault domain",
        ),
        Level::Site => (cluster.policy.max_sites_down, Rule::Sites, "site"),
    };
    let Some(limit) = limit else { return };
    let limit = u64::from(limit);
    let key = |h| match level {
        Level::FaultDomain => Some(cluster.host(h).fault_domain.0),
        Level::Site => cluster.site_of(h).map(|s| s.0),
    };
    let already: BTreeSet<u32> = cluster.unavailable_hosts().filter_map(key).collect();
    let pending: BTreeSet<u32> = ready
        .iter()
        .filter_map(|&h| key(h))
        .filter(|d| !already.contains(d))
        .collect();
    let down = already.len() as u64;
    let plural_noun = if noun == "site" { "sites" } else { "fault domains" };
    if down > limit {
        out.impossible.push(Impossible {
            rule,
            reason: format!(
                "{plural_noun}: {down} are already down (unavailable hosts), but at most {limit} may be down at a time"
            ),
        });
        return;
    }
    if pending.is_empty() {
        return;
    }
    if down == limit {
        out.impossible.push(Impossible {
            rule,
            reason: format!(
                "{plural_noun}: {down} already down (unavailable hosts) uses the limit of {limit}, so hosts in the other {} {} can never go down",
                pending.len(),
                if pending.len() == 1 { noun.to_string() } else { plural_noun.to_string() }
            ),
        });
        return;
    }
    let per_wave = limit - down;
    let waves = (pending.len() as u64).div_ceil(per_wave);
    let reason = if down > 0 {
        format!(
            "{plural_noun}: {} with hosts to upgrade, at most {limit} down at a time, {down} already down",
            pending.len()
        )
    } else {
        format!(
            "{plural_noun}: {} {}, at most {limit} down at a time",
            pending.len(),
            if pending.len() == 1 { noun } else { plural_noun }
        )
    };
    host_bound(out, rule, waves, reason);
}

/// Aggregate evacuation capacity. Taking down host `h` moves its movable load `m_h` and loses its
/// own free room `r_h`; what the up hosts can absorb, after keeping the reserve, is the total
/// room less the reserve. So each wave's hosts satisfy `sum (m_h + r_h) <= total room - reserve`.
fn capacity_bounds(
    cluster: &Cluster,
    ready: &[crate::model::HostId],
    out: &mut Bounds,
    packings: &mut Vec<(Rule, Packing)>,
    host_bound: &mut impl FnMut(&mut Bounds, Rule, u64, String),
) {
    let reserve = cluster.reserve();
    for r in Resource::ALL {
        // A host that does not track storage has unlimited room for it.
        if ready.iter().any(|&h| cluster.host(h).usable(r).is_none()) {
            continue;
        }
        let rooms: Vec<u64> = ready
            .iter()
            .map(|&h| cluster.host(h).room(r).unwrap_or(0))
            .collect();
        let total_room: u64 = rooms.iter().sum();
        let rule = Rule::Capacity(r);
        if total_room < reserve[r] {
            out.impossible.push(Impossible {
                rule,
                reason: format!(
                    "{r} reserve: the ready hosts have {} of {r} free in all, less than the reserve of {} for {} host failure{}, even before any host goes down",
                    show(total_room, r),
                    show(reserve[r], r),
                    cluster.policy.reserve_host_failures,
                    plural(u64::from(cluster.policy.reserve_host_failures))
                ),
            });
            continue;
        }
        let per_wave = total_room - reserve[r];
        let amounts: Vec<(ItemId, u64)> = ready
            .iter()
            .zip(&rooms)
            .map(|(&h, room)| (ItemId::Host(h), movable_load(cluster, h, r) + room))
            .collect();
        let packing = Packing { per_wave, amounts };
        if let Some((ItemId::Host(h), _)) = packing.too_large() {
            let moving = movable_load(cluster, h, r);
            let others = total_room - cluster.host(h).room(r).unwrap_or(0);
            let reserve_note = if reserve[r] > 0 {
                format!(" and {} must stay free as reserve", show(reserve[r], r))
            } else {
                String::new()
            };
            out.impossible.push(Impossible {
                rule,
                reason: format!(
                    "{r}: {} carries {} of workloads that must move; the other ready hosts have {} free{reserve_note}",
                    cluster.host(h).name,
                    show(moving, r),
                    show(others, r)
                ),
            });
            continue;
        }
        let waves = packing.waves();
        packings.push((rule, packing));
        if waves > 1 {
            let moving: u64 = ready.iter().map(|&h| movable_load(cluster, h, r)).sum();
            host_bound(
                out,
                rule,
                waves,
                format!(
                    "{r} capacity: {} to evacuate and {} free on {} ready hosts{}",
                    show(moving, r),
                    show(total_room, r),
                    ready.len(),
                    if reserve[r] > 0 {
                        format!(", {} kept as reserve", show(reserve[r], r))
                    } else {
                        String::new()
                    }
                ),
            );
        }
    }
}

/// When at most one new fault domain (site) may be down per wave, add up the packing bounds of
/// each domain's hosts.
fn split_bounds(
    cluster: &Cluster,
    packings: &[(Rule, Packing)],
    out: &mut Bounds,
    host_bound: &mut impl FnMut(&mut Bounds, Rule, u64, String),
) {
    type DomainOf<'a> = &'a dyn Fn(crate::model::HostId) -> Option<u32>;
    let levels: [(Option<u32>, DomainOf<'_>, &str); 2] = [
        (
            cluster.policy.max_fault_domains_down,
            &|h| Some(cluster.host(h).fault_domain.0),
            "fault domain",
        ),
        (
            cluster.policy.max_sites_down,
            &|h| cluster.site_of(h).map(|s| s.0),
            "site",
        ),
    ];
    for (limit, key, noun) in levels {
        let Some(limit) = limit else { continue };
        let already: BTreeSet<u32> = cluster.unavailable_hosts().filter_map(key).collect();
        if u64::from(limit) != already.len() as u64 + 1 {
            continue;
        }
        let Some((waves, Some(rule), domains)) = packing::split_bound(cluster, packings, key, &already)
        else {
            continue;
        };
        let what = match rule {
            Rule::Capacity(r) => format!("{r} capacity"),
            Rule::MaxHostsPerWave => "max hosts per wave".to_string(),
            Rule::Quorum(g) => format!("quorum group {}", cluster.quorum_groups[g.index()].name),
            Rule::Budget(b) => format!("disruption budget {}", cluster.budgets[b.index()].name),
            _ => "the rules".to_string(),
        };
        let rule = if noun == "site" {
            Rule::Sites
        } else {
            Rule::FaultDomains
        };
        host_bound(
            out,
            rule,
            waves,
            format!(
                "{noun}s one at a time, and {what} splits their hosts: {waves} waves for {domains} {noun}{}",
                if domains == 1 { "" } else { "s" }
            ),
        );
    }
}

/// Load of `h` that must find room elsewhere when it goes down (live and restart workloads).
pub(crate) fn movable_load(cluster: &Cluster, h: crate::model::HostId, r: Resource) -> u64 {
    cluster
        .host(h)
        .workloads
        .iter()
        .map(|&w| cluster.workload(w))
        .filter(|w| w.migration.moves())
        .map(|w| w.demand[r])
        .sum()
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
