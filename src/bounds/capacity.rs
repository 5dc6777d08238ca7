//! Bounds and impossibilities from evacuation capacity and the HA reserve.

use super::packing::Packing;
use super::{Bounds, Impossible, Rule, plural};
use crate::model::resources::show;
use crate::model::{Cluster, ItemId, Resource};
use crate::rules::Row;
use crate::rules::capacity::{free_room, movable, movable_demand};

/// Aggregate evacuation capacity ([`crate::rules::capacity::CapacityRule`]). Taking down host
/// `h` moves its movable load `m_h` and loses its own free room `r_h`; what the up hosts can
/// absorb, after keeping the reserve, is the total room less the reserve. So each wave's hosts
/// satisfy `sum (m_h + r_h) <= total room - reserve`.
pub(super) fn capacity_bounds(
    cluster: &Cluster,
    ready: &[crate::model::HostId],
    rows: &[Row],
    out: &mut Bounds,
    packings: &mut Vec<(Rule, Packing)>,
    host_bound: &mut impl FnMut(&mut Bounds, Rule, u64, String),
) {
    let reserve = cluster.reserve();
    for row in rows {
        let Rule::Capacity(r) = row.rule else { continue };
        let total_room = free_room(cluster, ready, r);
        let rule = row.rule;
        if row.per_wave < 0 {
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
        let packing = super::packing_of(row);
        if let Some((ItemId::Host(h), _)) = packing.too_large() {
            let moving = movable_demand(cluster, h, r);
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
            let moving: u64 = ready.iter().map(|&h| movable_demand(cluster, h, r)).sum();
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

/// Workloads that can never move: every host they may run on is their own or unavailable, or
/// none of those hosts has room for them even with nothing else moving. Cheap enough for
/// `check` on thousands of hosts: the largest rooms per resource are found once.
pub(super) fn workload_impossibilities(cluster: &Cluster, ready: &[crate::model::HostId], out: &mut Bounds) {
    // The two largest rooms per resource among ready hosts (None: some host is unlimited).
    type TopTwo = [(u64, Option<crate::model::HostId>); 2];
    let top: Vec<Option<TopTwo>> = Resource::ALL
        .iter()
        .map(|&r| {
            let mut best = [(0u64, None), (0u64, None)];
            for &h in ready {
                let room = cluster.host(h).room(r)?;
                if room > best[0].0 {
                    best[1] = best[0];
                    best[0] = (room, Some(h));
                } else if room > best[1].0 {
                    best[1] = (room, Some(h));
                }
            }
            Some(best)
        })
        .collect();
    let mut reported = 0;
    for &h in ready.iter().filter(|&&h| cluster.host(h).is_upgraded()) {
        for w in movable(cluster, h) {
            let workload = cluster.workload(w);
            if reported >= 10 {
                continue;
            }
            let reason = match &workload.allowed_hosts {
                Some(allowed) => {
                    let others: Vec<_> = allowed
                        .iter()
                        .copied()
                        .filter(|&t| t != h && cluster.host(t).is_ready())
                        .collect();
                    if others.is_empty() {
                        Some(format!(
                            "workload {} must move when {} goes down, but its allowed_hosts name no other ready host",
                            workload.name,
                            cluster.host(h).name
                        ))
                    } else {
                        Resource::ALL.iter().find_map(|&r| {
                            let need = workload.demand[r];
                            let best = others
                                .iter()
                                .map(|&t| cluster.host(t).room(r).unwrap_or(u64::MAX))
                                .max()
                                .unwrap_or(0);
                            (need > 0 && best < need).then(|| too_big(cluster, w, r, best))
                        })
                    }
                }
                None => Resource::ALL.iter().enumerate().find_map(|(i, &r)| {
                    let need = workload.demand[r];
                    let best = match &top[i] {
                        None => return None,
                        Some([(room, Some(first)), _]) if *first != h => *room,
                        Some([_, (room, _)]) => *room,
                    };
                    (need > 0 && best < need).then(|| too_big(cluster, w, r, best))
                }),
            };
            if let Some(reason) = reason {
                reported += 1;
                out.impossible.push(Impossible {
                    rule: Rule::Evacuation,
                    reason,
                });
            }
        }
    }
}

fn too_big(cluster: &Cluster, w: crate::model::WorkloadId, r: Resource, best: u64) -> String {
    let workload = cluster.workload(w);
    format!(
        "workload {} on {} needs {} of {r}; the most free on any other host it may run on is {}",
        workload.name,
        cluster.host(workload.host).name,
        show(workload.demand[r], r),
        show(best, r)
    )
}
