//! Packing bounds: what one wave may take down of something, and how many waves the items need.
//!
//! A rule that caps the amount one wave takes down (votes of a quorum group, members of a budget,
//! evacuation weight of a resource, hosts per wave) gives a bin-packing lower bound. When at most
//! one new fault domain (or site) may be down per wave, every wave's hosts come from a single
//! domain, so the bounds of each domain's hosts add up: the split bound.

use std::collections::BTreeMap;

use crate::model::{Cluster, ItemId};

/// What one wave may take down of something, and the amounts items take down.
#[derive(Debug, Clone)]
pub(crate) struct Packing {
    /// Capacity of one wave.
    pub(crate) per_wave: u64,
    /// Amount each item takes down when it is upgraded.
    pub(crate) amounts: Vec<(ItemId, u64)>,
}

impl Packing {
    /// Waves needed at least: total over capacity, and items too large to share a wave.
    pub(crate) fn waves(&self) -> u64 {
        let used: Vec<u64> = self.amounts.iter().map(|(_, a)| *a).filter(|a| *a > 0).collect();
        if used.is_empty() {
            return 0;
        }
        if self.per_wave == 0 {
            return u64::MAX;
        }
        let total: u64 = used.iter().sum();
        let big = used.iter().filter(|a| 2 * **a > self.per_wave).count() as u64;
        total.div_ceil(self.per_wave).max(big)
    }

    pub(crate) fn too_large(&self) -> Option<(ItemId, u64)> {
        self.amounts.iter().copied().find(|(_, a)| *a > self.per_wave)
    }

    /// The same rule over `items` only.
    pub(crate) fn restricted(&self, items: &std::collections::HashSet<ItemId>) -> Packing {
        Packing {
            per_wave: self.per_wave,
            amounts: self
                .amounts
                .iter()
                .copied()
                .filter(|(i, _)| items.contains(i))
                .collect(),
        }
    }

    pub(crate) fn only_hosts(&self) -> bool {
        self.amounts
            .iter()
            .all(|(i, a)| *a == 0 || matches!(i, ItemId::Host(_)))
    }
}

/// The split bound: when each wave may take down hosts of only one new domain (`key` gives a
/// host's domain; `already` are the domains down anyway), the waves of different domains are
/// different waves, so the packing bounds of each domain's hosts add up. Returns the host waves
/// needed and the rule that sets the most domains' bounds.
pub(crate) fn split_bound(
    cluster: &Cluster,
    hosts: &[crate::model::HostId],
    packings: &[(super::Rule, Packing)],
    key: &dyn Fn(crate::model::HostId) -> Option<u32>,
    already: &std::collections::BTreeSet<u32>,
) -> Option<(u64, Option<super::Rule>, usize)> {
    let _ = cluster;
    let mut domains: BTreeMap<u32, Vec<crate::model::HostId>> = BTreeMap::new();
    for &h in hosts {
        if let Some(d) = key(h).filter(|d| !already.contains(d)) {
            domains.entry(d).or_default().push(h);
        }
    }
    if domains.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut deciding: BTreeMap<super::Rule, u64> = BTreeMap::new();
    for hosts in domains.values() {
        let members: std::collections::HashSet<ItemId> = hosts.iter().map(|&h| ItemId::Host(h)).collect();
        let mut best = (1u64, None);
        for (rule, packing) in packings {
            let waves = packing.restricted(&members).waves();
            if waves > best.0 {
                best = (waves, Some(*rule));
            }
        }
        total = total.saturating_add(best.0);
        if let Some(rule) = best.1 {
            *deciding.entry(rule).or_default() += 1;
        }
    }
    let rule = deciding
        .into_iter()
        .max_by_key(|(r, n)| (*n, std::cmp::Reverse(*r)))
        .map(|(r, _)| r);
    Some((total, rule, domains.len()))
}

/// The packing bound of a set of items: the waves of its exclusive components, plus the most
/// waves any packing rule (or the split over fault domains and sites) needs for the rest.
pub(crate) fn set_bound(
    cluster: &Cluster,
    packings: &[(super::Rule, Packing)],
    items: &std::collections::HashSet<ItemId>,
) -> u64 {
    // Exclusive components have waves of their own, so only the other items share the waves
    // the packings bound.
    let shared: std::collections::HashSet<ItemId> = items
        .iter()
        .copied()
        .filter(|&i| !crate::rules::is_exclusive(cluster, i))
        .collect();
    let exclusive = (items.len() - shared.len()) as u64;
    if shared.is_empty() {
        return exclusive;
    }
    let mut best = 1u64;
    for (_, packing) in packings {
        best = best.max(packing.restricted(&shared).waves());
    }
    let hosts: Vec<crate::model::HostId> = cluster
        .ready_hosts()
        .filter(|h| items.contains(&ItemId::Host(*h)))
        .collect();
    for (limit, key) in crate::rules::levels::levels(cluster) {
        let Some(limit) = limit else { continue };
        let already: std::collections::BTreeSet<u32> = cluster.unavailable_hosts().filter_map(&key).collect();
        if u64::from(limit) == already.len() as u64 + 1
            && let Some((waves, _, _)) = split_bound(cluster, &hosts, packings, &key, &already)
        {
            best = best.max(waves);
        }
    }
    exclusive.saturating_add(best)
}
