//! The exact per-domain bound.
//!
//! When at most one new fault domain (or site) may be down per wave, every wave's hosts come from
//! a single domain, so the host waves of a plan are at least the sum, over domains, of the fewest
//! waves each domain's hosts need on their own. For small domains that number is computed
//! exactly: every subset of the domain's hosts is checked as a wave (counts and placement), and
//! the fewest safe subsets that cover the domain are found by dynamic programming over subsets.
//! Racks of a few hosts, where quorums, budgets and evacuation split a rack into two or three
//! waves, are where the packing bounds are weakest and this bound is exact.
//!
//! Larger domains (up to 32 hosts) get a branch-and-bound over their waves instead
//! ([`super::cover`]), which also finds waves that many.
//!
//! When `k` new domains may be down per wave, each domain is still down in at least as many
//! waves as it needs on its own (its share of a wave is a safe wave by itself, as long as no
//! liberating host exists), so the host waves are at least that sum divided by `k`, rounded
//! up. With liberating hosts, a domain's evacuation may depend on another domain's, so there
//! only the counted rules (quorum, budgets, the host cap) split a domain. On a fleet of racks
//! where a few racks cannot go whole (two replicas of one quorum in a rack), this is what the
//! counting bounds miss (issue 10).
//!
//! Adding a host to an unsafe wave keeps it unsafe, unless the host carries a member of a
//! mandatory fault-domain anti-affinity group (a *liberating* host: its member leaving may free
//! the domain for another). The search prunes with that, and the bound is used only where no
//! liberating host sits in a domain that is down anyway (whose hosts could join any wave).

use std::collections::BTreeMap;

use crate::model::{HostId, ItemId};
use crate::solve::cover::{self, Cover};
use crate::solve::wave::{WaveProblem, WaveRules};

/// Domains with more ready hosts than this get no exact bound (2^n subsets).
const MAX_HOSTS: usize = 12;

/// How hard [`exact_domain_bound`] looks at each domain.
#[derive(Debug, Clone, Copy)]
pub enum Pass<'p> {
    /// One check per domain: can it go whole?
    Quick,
    /// The branch-and-bound of [`Cover`] on every domain it can take (its waves can make a
    /// plan), one check on the others.
    Search,
    /// With a safe plan: a domain it covers in one wave needs no check, in two one check, a
    /// small one the search over all subsets, a larger one the branch-and-bound.
    Plan(&'p [Vec<ItemId>]),
}

/// What the domains of a cluster need at least, when the domains down per wave are limited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainBound {
    /// Host waves.
    pub waves: u32,
    /// Minutes of those waves: each lasts the overhead and its longest host.
    pub minutes: u64,
    /// When one new domain may be down per wave and the search found every domain's fewest
    /// waves: those waves, domain after domain (each safe alone, in no order yet).
    pub partition: Option<Vec<Vec<HostId>>>,
}

/// The fewest host waves (and their minutes) any plan needs, when a limited number of new
/// domains may be down per wave (minutes only when that number is one); `None` when neither
/// level is limited.
///
/// How hard each domain is looked at is the [`Pass`]: one check (can the whole domain go at
/// once?), the branch-and-bound of [`Cover`] (exact for domains of up to 32 hosts when it
/// completes, and its waves, put together, can make a plan), or, with a safe plan, exact for
/// small domains by a search over their subsets. Each domain also needs at least what the
/// packing rules of `bounds` leave for its hosts alone.
///
/// Once `expired`, the domains not yet looked at count one wave each, which is always a bound
/// (a check by counts alone is always made: it costs next to nothing).
pub fn exact_domain_bound(
    rules: &WaveRules<'_>,
    bounds: &crate::bounds::Bounds,
    liberating: &[HostId],
    pass: Pass<'_>,
    expired: &dyn Fn() -> bool,
) -> Option<DomainBound> {
    let cluster = rules.cluster();
    let overhead = u64::from(cluster.policy.wave_overhead_minutes);
    let mut best: Option<DomainBound> = None;
    for (limit, key) in crate::rules::levels::levels(cluster) {
        let Some(limit) = limit else { continue };
        let already: std::collections::BTreeSet<u32> = cluster.unavailable_hosts().filter_map(&key).collect();
        let Some(slots) = (limit as usize).checked_sub(already.len()).filter(|&s| s > 0) else {
            continue;
        };
        // With more than one new domain down per wave, a domain's share of a wave keeps the
        // counted rules on its own, but its evacuation may rely on a liberating host of another
        // domain: with such hosts, only the counted rules split a domain.
        let counts_only = slots > 1 && !liberating.is_empty();
        let rides_along = cluster
            .ready_hosts()
            .any(|h| liberating.contains(&h) && key(h).is_some_and(|d| already.contains(&d)));
        if rides_along && !counts_only {
            continue;
        }
        let mut domains: BTreeMap<u32, Vec<HostId>> = BTreeMap::new();
        for h in cluster.upgraded_hosts() {
            if let Some(d) = key(h).filter(|d| !already.contains(d)) {
                domains.entry(d).or_default().push(h);
            }
        }
        let mut bound = DomainBound {
            waves: 0,
            minutes: 0,
            partition: (slots == 1).then(Vec::new),
        };
        let mut out_of_time = false;
        for hosts in domains.values() {
            // Counting costs next to nothing: only placements stop at the limit.
            out_of_time = out_of_time || (!counts_only && expired());
            let (waves, found, least) = if out_of_time {
                (1, None, None)
            } else if counts_only {
                let mut counts = rules.empty();
                for &h in hosts {
                    counts.add(ItemId::Host(h));
                }
                (1 + u32::from(counts.problem().is_some()), None, None)
            } else {
                let minutes = (slots == 1 && cluster.policy.objective == crate::model::Objective::Duration)
                    .then_some(overhead);
                domain_waves(rules, hosts, liberating, pass, bounds, minutes, expired)
            };
            match (&mut bound.partition, found) {
                (Some(partition), Some(found)) => partition.extend(found),
                _ => bound.partition = None,
            }
            // The packing rules bound each domain's hosts on their own too (the split bound of
            // `bounds`, domain by domain): where a large domain gets only "whole or not" above,
            // its capacity or quorum may need more waves.
            let waves = waves.max(bounds.packed_waves(hosts));
            bound.waves += waves;
            bound.minutes += domain_minutes(cluster, hosts, waves, overhead).max(least.unwrap_or(0));
        }
        if slots > 1 {
            // Every wave has at most `slots` new domains down, and each domain is down in as
            // many waves as it needs: the waves are at least their sum over the slots. Waves
            // of different domains then overlap in time, so no minutes follow from them.
            bound = DomainBound {
                waves: bound.waves.div_ceil(slots as u32),
                minutes: 0,
                partition: None,
            };
        }
        best = Some(match best {
            None => bound,
            Some(b) => DomainBound {
                waves: b.waves.max(bound.waves),
                minutes: b.minutes.max(bound.minutes),
                partition: if bound.waves >= b.waves {
                    bound.partition
                } else {
                    b.partition
                },
            },
        });
    }
    best
}

/// The fewest waves one domain's hosts need (exact when small enough, else a bound), and, when
/// a search found them, waves that many; with `minutes` (the overhead of a wave, for the
/// `duration` objective), the fewest minutes its waves last in all, when searched.
fn domain_waves(
    rules: &WaveRules<'_>,
    hosts: &[HostId],
    liberating: &[HostId],
    pass: Pass<'_>,
    bounds: &crate::bounds::Bounds,
    minutes: Option<u64>,
    expired: &dyn Fn() -> bool,
) -> (u32, Option<Vec<Vec<HostId>>>, Option<u64>) {
    let whole = || {
        let all: Vec<ItemId> = hosts.iter().map(|&h| ItemId::Host(h)).collect();
        rules.check(&all).is_ok()
    };
    let used = match pass {
        Pass::Plan(plan) => Some(
            plan.iter()
                .filter(|wave| hosts.iter().any(|&h| wave.contains(&ItemId::Host(h))))
                .count(),
        ),
        Pass::Quick | Pass::Search => None,
    };
    let searchable = hosts.len() <= cover::MAX_HOSTS && !rules.is_large();
    let search = |upper: usize| {
        let lower = if whole() { 1 } else { 2 };
        let mut cover = Cover::new(rules, hosts, liberating, bounds, expired);
        let (waves, found) = cover.fewest(lower, upper as u32);
        match minutes.map(|overhead| cover.least_minutes(overhead, waves)) {
            // For the `duration` objective, the waves that make a plan are the quickest ones.
            Some((least, quickest)) => (waves, quickest, Some(least)),
            None => (waves, found, None),
        }
    };
    match used {
        Some(0 | 1) => (1, None, None),
        Some(n) if n > 2 && hosts.len() <= MAX_HOSTS && minutes.is_none() => {
            (fewest_waves(rules, hosts, liberating), None, None)
        }
        Some(n) if n > 2 && searchable => search(n),
        None if searchable && matches!(pass, Pass::Search) => search(hosts.len()),
        _ => (if whole() { 1 } else { 2 }, None, None),
    }
}

/// Minutes `waves` waves of these hosts last at least: the wave with the longest host lasts that
/// long; remove it (at most `max_hosts_per_wave` hosts) and the longest host left bounds the
/// next, and so on.
fn domain_minutes(cluster: &crate::model::Cluster, hosts: &[HostId], waves: u32, overhead: u64) -> u64 {
    let mut minutes: Vec<u64> = hosts
        .iter()
        .map(|&h| u64::from(cluster.host(h).upgrade_minutes))
        .collect();
    minutes.sort_unstable_by(|a, b| b.cmp(a));
    let per_wave = cluster
        .policy
        .max_hosts_per_wave
        .map_or(minutes.len(), |m| (m as usize).min(minutes.len()))
        .max(1);
    (0..waves as usize)
        .map(|j| overhead + minutes[(j * per_wave).min(minutes.len() - 1)])
        .sum()
}

/// The fewest safe waves that cover `hosts`, ignoring order rules (which only add waves).
pub(super) fn fewest_waves(rules: &WaveRules<'_>, hosts: &[HostId], liberating: &[HostId]) -> u32 {
    let n = hosts.len();
    let full = (1usize << n) - 1;
    let mut safe = vec![false; full + 1];
    // By increasing size, so that a set is tried only when no set one (non-liberating) host
    // smaller is unsafe: adding such a host to an unsafe wave keeps it unsafe.
    let mut by_size: Vec<usize> = (1..=full).collect();
    by_size.sort_by_key(|s| (s.count_ones(), *s));
    for set in by_size {
        let smaller_all_safe = (0..n)
            .filter(|&i| set & (1 << i) != 0 && !liberating.contains(&hosts[i]))
            .all(|i| set == 1 << i || safe[set & !(1 << i)]);
        if !smaller_all_safe {
            continue;
        }
        let items: Vec<ItemId> = (0..n)
            .filter(|&i| set & (1 << i) != 0)
            .map(|i| ItemId::Host(hosts[i]))
            .collect();
        // A placement search that ran out of budget proves nothing: the set counts as safe.
        safe[set] = !matches!(rules.check(&items), Err(p) if !matches!(p, WaveProblem::PlacementUnknown));
    }
    let mut waves = vec![u32::MAX; full + 1];
    waves[0] = 0;
    for set in 1..=full {
        let low = set & set.wrapping_neg();
        // Every subset of `set` that contains its lowest host.
        let rest = set & !low;
        let mut sub = rest;
        loop {
            let wave = sub | low;
            if safe[wave] && waves[set & !wave] != u32::MAX {
                waves[set] = waves[set].min(waves[set & !wave] + 1);
            }
            if sub == 0 {
                break;
            }
            sub = (sub - 1) & rest;
        }
    }
    // Without a cover (a host that cannot go in any safe wave of its domain), the bound is
    // left to the search.
    if waves[full] == u32::MAX { 1 } else { waves[full] }
}
