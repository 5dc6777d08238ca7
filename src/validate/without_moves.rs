//! Waves without moves: whether a placement exists, and evacuation in aggregate.
//!
//! The contract lets a hand-written wave leave out its moves: the validator then "searches for
//! a placement itself and accepts the wave if one exists". That search is the exact one of
//! [`crate::placement`]; this module runs it (the evacuation pass turns its reasons into
//! violations), and keeps the cheap aggregate test ([`fits_in_total`]) that help lines use to judge a candidate wave.

use crate::model::{Cluster, HostId, ItemId, Resource, Resources};
use crate::placement::{self, DEFAULT_NODE_BUDGET, Placement, Shortfall};

use super::moves::{Placed, Target};

/// Search budget for waves without moves: generous, since a validator is not in a hurry and an
/// undecided search rejects the wave.
pub(super) const SEARCH_BUDGET: u64 = 10 * DEFAULT_NODE_BUDGET;

/// Whether a wave upgrading `items` passes the evacuation rules in aggregate: per resource,
/// what must move fits in the free room of the up hosts, and what is left covers the reserve.
/// Necessary for a placement to exist, not sufficient (sizes, allowed hosts and anti-affinity
/// are not looked at); cheap enough for help lines.
pub(super) fn fits_in_total(cluster: &Cluster, items: &[ItemId]) -> bool {
    let mut in_wave = vec![false; cluster.hosts.len()];
    for h in super::view::hosts_of(items) {
        in_wave[h.index()] = true;
    }
    let moving: Resources = cluster
        .host_ids()
        .filter(|h| in_wave[h.index()])
        .flat_map(|h| cluster.host(h).workloads.iter())
        .map(|&w| cluster.workload(w))
        .filter(|w| w.migration.moves())
        .map(|w| w.demand)
        .sum();
    let reserve = cluster.reserve();
    let up: Vec<HostId> = cluster.ready_hosts().filter(|h| !in_wave[h.index()]).collect();
    Resource::ALL.iter().all(|&r| {
        let free: u64 = up.iter().filter_map(|&h| cluster.host(h).room(r)).sum();
        if up.iter().all(|&h| cluster.host(h).usable(r).is_some()) {
            moving[r] <= free && free - moving[r] >= reserve[r]
        } else {
            // Some up host takes any amount: the moves may all go there.
            free >= reserve[r]
        }
    })
}

/// The search's placement, or why there is none (`None` when the search could not decide).
pub(super) fn search(cluster: &Cluster, hosts: &[HostId]) -> Result<Placed, Option<Shortfall>> {
    match placement::place(cluster, hosts, SEARCH_BUDGET) {
        Placement::Found { moves, .. } => Ok(moves
            .into_iter()
            .map(|m| {
                (
                    m.workload,
                    Target {
                        host: m.to,
                        span: None,
                    },
                )
            })
            .collect()),
        Placement::Impossible(shortfall) => Err(Some(shortfall)),
        Placement::Unknown => Err(None),
    }
}
