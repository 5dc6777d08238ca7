//! Waves without moves: whether a placement exists, and evacuation in aggregate.
//!
//! The contract lets a hand-written wave leave out its moves: the validator then "searches for
//! a placement itself and accepts the wave if one exists". That search is the exact one of
//! [`crate::placement`]; this module runs it, turns its reasons into violations, and keeps the
//! cheap aggregate test ([`fits_in_total`]) that help lines use to judge a candidate wave.

use crate::model::{Cluster, HostId, ItemId, Resource, Resources};
use crate::placement::{self, Blocker, DEFAULT_NODE_BUDGET, Placement, Shortfall};

use super::evacuation::{evacuation_help, reserve_violation};
use super::items::PlanView;
use super::moves::{Placed, Target};
use super::{Violation, ViolationCode};

/// Search budget for waves without moves: generous, since a validator is not in a hurry and an
/// undecided search rejects the wave.
const SEARCH_BUDGET: u64 = 10 * DEFAULT_NODE_BUDGET;

/// Whether a wave upgrading `items` passes the evacuation rules in aggregate: per resource,
/// what must move fits in the free room of the up hosts, and what is left covers the reserve.
/// Necessary for a placement to exist, not sufficient (sizes, allowed hosts and anti-affinity
/// are not looked at); cheap enough for help lines.
pub(super) fn fits_in_total(cluster: &Cluster, items: &[ItemId]) -> bool {
    let mut in_wave = vec![false; cluster.hosts.len()];
    for h in super::items::hosts_of(items) {
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

/// The violation for a wave without moves whose placement does not exist (or was not found).
pub(super) fn no_placement(
    view: &PlanView<'_>,
    t: usize,
    hosts: &[HostId],
    shortfall: Option<Shortfall>,
) -> Violation {
    let cluster = view.cluster;
    let Some(shortfall) = shortfall else {
        return Violation::new(
            ViolationCode::CapacityExceeded,
            Some(t),
            "evacuation",
            format!(
                "the validator could not decide within {SEARCH_BUDGET} search steps whether the workloads of wave {} fit on the up hosts",
                t + 1
            ),
            format!(
                "give the wave explicit moves, or {}",
                evacuation_help(view, t, hosts)
            ),
            view.wave_span(t),
        );
    };
    let (code, subject) = match &shortfall {
        // The same violation as for a given placement: the room left does not depend on where
        // the workloads go, once they fit.
        Shortfall::Reserve { resource, left, .. } => return reserve_violation(view, t, *resource, *left),
        Shortfall::Capacity { resource, .. } => (ViolationCode::CapacityExceeded, resource.key().to_string()),
        Shortfall::Unplaceable {
            workload, blocker, ..
        } => match blocker {
            Blocker::AntiAffinity(group) => (
                ViolationCode::AntiAffinityViolated,
                cluster.anti_affinity[group.index()].name.clone(),
            ),
            Blocker::AllowedHosts | Blocker::Resource(_) => (
                ViolationCode::CapacityExceeded,
                cluster.workload(*workload).name.clone(),
            ),
        },
        Shortfall::Packing { .. } => (ViolationCode::CapacityExceeded, "evacuation".to_string()),
    };
    Violation::new(
        code,
        Some(t),
        subject,
        format!(
            "wave {} has no evacuation placement: {}",
            t + 1,
            shortfall.describe(cluster, hosts)
        ),
        evacuation_help(view, t, hosts),
        view.wave_span(t),
    )
}
