//! Bounds from the fault-domain and site limits.

use std::collections::BTreeSet;

use super::packing::{self, Packing};
use super::{Bounds, Impossible, Rule};
use crate::model::Cluster;
use crate::rules::levels::{Level, levels};

pub(super) fn domain_bound(
    cluster: &Cluster,
    ready: &[crate::model::HostId],
    level: Level,
    out: &mut Bounds,
    host_bound: &mut impl FnMut(&mut Bounds, Rule, u64, String),
) {
    let rule = level.rule();
    let noun = level.noun();
    let Some(limit) = level.limit(cluster) else { return };
    let limit = u64::from(limit);
    let already = level.down_at_rest(cluster);
    let pending: BTreeSet<u32> = ready
        .iter()
        .filter_map(|&h| level.of(cluster, h))
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

/// When at most one new fault domain (site) may be down per wave, add up the packing bounds of
/// each domain's hosts.
pub(super) fn split_bounds(
    cluster: &Cluster,
    packings: &[(Rule, Packing)],
    out: &mut Bounds,
    host_bound: &mut impl FnMut(&mut Bounds, Rule, u64, String),
) {
    let levels = levels(cluster);
    for ((limit, key), noun) in levels.into_iter().zip(["fault domain", "site"]) {
        let Some(limit) = limit else { continue };
        let already: BTreeSet<u32> = cluster.unavailable_hosts().filter_map(&key).collect();
        if u64::from(limit) != already.len() as u64 + 1 {
            continue;
        }
        let hosts: Vec<_> = cluster.upgraded_hosts().collect();
        let Some((waves, Some(rule), domains)) =
            packing::split_bound(cluster, &hosts, packings, &key, &already)
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
