//! Lower bounds on the total minutes of a plan.

use crate::model::Cluster;

/// A lower bound on total minutes. Every exclusive component's wave lasts its overhead and
/// upgrade. Hosts fill at least `shared_waves` waves (and at least hosts / `max_hosts_per_wave`);
/// the wave holding the longest host lasts that long, and after removing a wave (at most
/// `max_hosts_per_wave` hosts) the longest host left bounds the next wave, and so on. Without
/// hosts, shared components need one wave as long as the longest of them.
pub fn duration_lower_bound(cluster: &Cluster, shared_waves: u32) -> u64 {
    let overhead = u64::from(cluster.policy.wave_overhead_minutes);
    let exclusive = exclusive_minutes(cluster);
    let mut hosts: Vec<u64> = cluster
        .upgraded_hosts()
        .map(|h| u64::from(cluster.host(h).upgrade_minutes))
        .collect();
    if hosts.is_empty() {
        let shared = cluster
            .upgraded_components()
            .map(|c| cluster.component(c))
            .filter(|c| !c.exclusive)
            .map(|c| overhead + u64::from(c.upgrade_minutes))
            .max()
            .unwrap_or(0);
        return exclusive + shared;
    }
    hosts.sort_unstable_by(|a, b| b.cmp(a));
    let per_wave = max_hosts_in_a_wave(cluster);
    let waves = (shared_waves.max(1) as usize).max(hosts.len().div_ceil(per_wave));
    let longest: u64 = (0..waves)
        .map(|j| hosts[(j * per_wave).min(hosts.len() - 1)])
        .sum();
    exclusive + overhead * waves as u64 + longest
}

/// A lower bound on total minutes for a plan of at least `waves` waves in all: the exclusive
/// components' waves, and [`duration_lower_bound`] over the rest. So a minutes bound is never
/// below the wave bound times the shortest possible wave (issue 13: "at least 90 min" was
/// printed next to "at least 7 waves of at least 20 minutes each").
pub(super) fn minutes_for_waves(cluster: &Cluster, waves: u32) -> u64 {
    let exclusive = cluster.components.iter().filter(|c| c.exclusive).count() as u32;
    let shared = waves.saturating_sub(exclusive);
    // Every shared wave holds at least one item that is not an exclusive component.
    let shortest = cluster
        .items()
        .into_iter()
        .filter(|&i| !crate::rules::is_exclusive(cluster, i))
        .map(|i| u64::from(cluster.item_minutes(i)))
        .min()
        .unwrap_or(0);
    let overhead = u64::from(cluster.policy.wave_overhead_minutes);
    let by_shortest = exclusive_minutes(cluster) + u64::from(shared) * (overhead + shortest);
    // When no component shares waves, every shared wave holds a host, and the longest hosts
    // bound the waves one by one.
    if cluster.components.iter().all(|c| c.exclusive) {
        by_shortest.max(duration_lower_bound(cluster, shared))
    } else {
        by_shortest
    }
}

/// Minutes of the exclusive components' own waves.
pub(super) fn exclusive_minutes(cluster: &Cluster) -> u64 {
    let overhead = u64::from(cluster.policy.wave_overhead_minutes);
    cluster
        .upgraded_components()
        .map(|c| cluster.component(c))
        .filter(|c| c.exclusive)
        .map(|c| overhead + u64::from(c.upgrade_minutes))
        .sum()
}

/// The fewest waves that can hold `hosts` between them, by counting alone: the most hosts one
/// wave can take, and the fault domains (sites) that may go down per wave against the distinct
/// ones among `hosts`.
pub(super) fn fewest_waves_for(cluster: &Cluster, hosts: &[crate::model::HostId]) -> usize {
    let mut fewest = hosts.len().div_ceil(max_hosts_in_a_wave(cluster));
    for (limit, key) in crate::rules::levels::levels(cluster) {
        let Some(limit) = limit else { continue };
        let already: std::collections::BTreeSet<u32> = cluster.unavailable_hosts().filter_map(&key).collect();
        let distinct: std::collections::BTreeSet<u32> = hosts
            .iter()
            .filter_map(|&h| key(h))
            .filter(|d| !already.contains(d))
            .collect();
        let slots = (limit as usize).saturating_sub(already.len()).max(1);
        fewest = fewest.max(distinct.len().div_ceil(slots));
    }
    fewest
}

/// The most hosts one wave can take: the cap, and the hosts of the largest fault domains (sites)
/// that may be down besides those already down.
fn max_hosts_in_a_wave(cluster: &Cluster) -> usize {
    let ready: Vec<_> = cluster.upgraded_hosts().collect();
    let mut most = cluster
        .policy
        .max_hosts_per_wave
        .map_or(ready.len(), |m| m as usize);
    for (limit, key) in crate::rules::levels::levels(cluster) {
        let Some(limit) = limit else { continue };
        let already: std::collections::BTreeSet<u32> = cluster.unavailable_hosts().filter_map(&key).collect();
        let mut sizes: std::collections::BTreeMap<Option<u32>, usize> = std::collections::BTreeMap::new();
        for &h in &ready {
            // Hosts outside any site, or in a domain already down, never count against the limit.
            let domain = key(h).filter(|d| !already.contains(d));
            *sizes.entry(domain).or_default() += 1;
        }
        let free = sizes.remove(&None).unwrap_or(0);
        let mut counts: Vec<usize> = sizes.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let slots = (limit as usize).saturating_sub(already.len());
        most = most.min(free + counts.iter().take(slots).sum::<usize>());
    }
    most.max(1)
}
