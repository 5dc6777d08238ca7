//! Exact evacuation placement for one wave.
//!
//! When a wave takes hosts down, every live or restart workload on them needs a concrete target:
//! an up host in its `allowed_hosts`, with room for it in every tracked resource after headroom,
//! and no member of the same mandatory anti-affinity group already there (or in the same fault
//! domain, for that scope). The free room left must still cover the HA reserve.
//!
//! This is multi-dimensional bin packing with conflicts. A best-fit descent finds a placement
//! almost always; when it fails, the same search backtracks exhaustively within a node budget,
//! with aggregate-capacity pruning. The answer is a placement, a proof that none exists (with
//! the reason an operator can act on), or "unknown" when the budget ran out. The solver adds a
//! cut only for a proven impossibility, so an unknown never costs optimality silently.
//!
//! The solver and the validator both use this search; the validator checks any placement it
//! is given move by move, independently.

use std::collections::{HashMap, HashSet};

mod backtrack;
pub mod greedy;

use backtrack::{LocalGroup, Mover, Search, UNLIMITED, has_room};

use crate::model::resources::show;
use crate::model::{AntiAffinityId, Cluster, HostId, Resource, WorkloadId};
use crate::plan::Move;
use crate::rules::{capacity, scope};

/// Search nodes allowed by default before the answer is "unknown".
pub const DEFAULT_NODE_BUDGET: u64 = 200_000;

/// Why no placement exists for a wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shortfall {
    /// The moving workloads need more of a resource than the up hosts have free.
    Capacity {
        /// The resource.
        resource: Resource,
        /// What must move.
        moving: u64,
        /// Free room on up hosts.
        free: u64,
    },
    /// Moving the workloads would eat into the HA reserve.
    Reserve {
        /// The resource.
        resource: Resource,
        /// Free room left after the moves.
        left: u64,
        /// The reserve.
        reserve: u64,
    },
    /// One workload has no up host that could take it at all.
    Unplaceable {
        /// The workload.
        workload: WorkloadId,
        /// What keeps it off every up host.
        blocker: Blocker,
        /// Why, in operator terms.
        reason: String,
    },
    /// Every host could take some of the workloads, but no assignment takes them all.
    Packing {
        /// Workloads to move.
        workloads: usize,
        /// Up hosts that could receive them.
        hosts: usize,
    },
}

impl Shortfall {
    /// The reason in operator terms, with numbers.
    pub fn describe(&self, cluster: &Cluster, down: &[HostId]) -> String {
        let names = down
            .iter()
            .map(|&h| cluster.host(h).name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match self {
            Shortfall::Capacity {
                resource,
                moving,
                free,
            } => format!(
                "{names} carr{} {} of {resource} in workloads that must move; the up hosts have {} free",
                if down.len() == 1 { "ies" } else { "y" },
                show(*moving, *resource),
                show(*free, *resource)
            ),
            Shortfall::Reserve {
                resource,
                left,
                reserve,
            } => format!(
                "evacuating {names} leaves {} of {resource} free on the up hosts, less than the HA reserve of {}",
                show(*left, *resource),
                show(*reserve, *resource)
            ),
            Shortfall::Unplaceable { workload, reason, .. } => {
                format!(
                    "workload {} cannot move: {reason}",
                    cluster.workload(*workload).name
                )
            }
            Shortfall::Packing { workloads, hosts } => format!(
                "the {workloads} workloads on {names} fit on the {hosts} up hosts in total, but no assignment fits them all (sizes, allowed hosts and anti-affinity)"
            ),
        }
    }
}

/// What keeps a workload off every up host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocker {
    /// None of its `allowed_hosts` is up in the wave.
    AllowedHosts,
    /// No allowed up host has room for it in this resource.
    Resource(Resource),
    /// Every allowed up host with room for it holds a member of this mandatory anti-affinity
    /// group (the first such group, in declaration order).
    AntiAffinity(AntiAffinityId),
}

/// The outcome of a placement search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Every moving workload has a target.
    Found {
        /// The moves, in workload order.
        moves: Vec<Move>,
        /// "Should" anti-affinity groups the placement could not keep.
        broken_should: Vec<AntiAffinityId>,
    },
    /// No placement exists.
    Impossible(Shortfall),
    /// The search budget ran out.
    Unknown,
}

fn demand(cluster: &Cluster, w: WorkloadId) -> [i64; 3] {
    let d = cluster.workload(w).demand;
    Resource::ALL.map(|r| d[r] as i64)
}

/// Finds targets for every live or restart workload on `down` (this wave's hosts); hosts that
/// are already unavailable are never targets. `budget` bounds the backtracking search.
pub fn place(cluster: &Cluster, down: &[HostId], budget: u64) -> Placement {
    place_until(cluster, down, budget, &|| false)
}

/// [`place`], which also gives up ([`Placement::Unknown`]) when `stop` says so; it is asked
/// only every few thousand search nodes, so a caller can pass its clock.
pub fn place_until(cluster: &Cluster, down: &[HostId], budget: u64, stop: &dyn Fn() -> bool) -> Placement {
    let mut is_down = vec![false; cluster.hosts.len()];
    for &h in down {
        is_down[h.index()] = true;
    }
    let targets: Vec<HostId> = cluster.ready_hosts().filter(|h| !is_down[h.index()]).collect();
    let moving: Vec<WorkloadId> = down.iter().flat_map(|&h| capacity::movable(cluster, h)).collect();

    // Aggregate checks first: they give the clearest reasons. The reserve is a pool: the free
    // room of up hosts that track a resource, less the reserve, is what placements onto those
    // hosts may consume. (A host that does not track storage takes any amount, but its room is
    // not part of the reserve.)
    let reserve = cluster.reserve();
    let mut pool = [0i64; 3];
    for (slot, r) in Resource::ALL.into_iter().enumerate() {
        let moving_r: u64 = moving.iter().map(|&w| cluster.workload(w).demand[r]).sum();
        let all_tracked = capacity::tracked_on_all(cluster, &targets, r);
        let free_r = capacity::free_room(cluster, &targets, r);
        if all_tracked && moving_r > free_r {
            return Placement::Impossible(Shortfall::Capacity {
                resource: r,
                moving: moving_r,
                free: free_r,
            });
        }
        let left = if all_tracked { free_r - moving_r } else { free_r };
        if left < reserve[r] {
            return Placement::Impossible(Shortfall::Reserve {
                resource: r,
                left,
                reserve: reserve[r],
            });
        }
        pool[slot] = free_r as i64 - reserve[r] as i64;
    }
    if moving.is_empty() {
        return Placement::Found {
            moves: Vec::new(),
            broken_should: Vec::new(),
        };
    }

    let room: Vec<[i64; 3]> = targets
        .iter()
        .map(|&t| {
            let host = cluster.host(t);
            Resource::ALL.map(|r| match host.usable(r) {
                Some(u) => u as i64 - host.load[r] as i64,
                None => UNLIMITED,
            })
        })
        .collect();

    // Anti-affinity groups with a member on the move concern this wave; the members that stay
    // (on up hosts, on hosts down with migration none, on unavailable hosts) occupy their spot.
    let moving_set: HashSet<WorkloadId> = moving.iter().copied().collect();
    let mut groups: Vec<LocalGroup> = Vec::new();
    let mut memberships: HashMap<WorkloadId, Vec<usize>> = HashMap::new();
    for (i, group) in cluster.anti_affinity.iter().enumerate() {
        if !group.workloads.iter().any(|w| moving_set.contains(w)) {
            continue;
        }
        let spots = scope::spots(cluster, group.scope);
        let mut local = LocalGroup {
            id: AntiAffinityId::from_index(i),
            scope: group.scope,
            mandatory: group.mandatory,
            occupied: vec![0; spots],
        };
        for &w in &group.workloads {
            if moving_set.contains(&w) {
                memberships.entry(w).or_default().push(groups.len());
            } else {
                let spot = local.spot(cluster, cluster.workload(w).host);
                local.occupied[spot] += 1;
            }
        }
        groups.push(local);
    }
    let spots: Vec<Vec<usize>> = targets
        .iter()
        .map(|&t| groups.iter().map(|g| g.spot(cluster, t)).collect())
        .collect();

    // Static candidates: allowed, room for the workload alone, no mandatory member there.
    let mut movers: Vec<Mover> = Vec::with_capacity(moving.len());
    for &w in &moving {
        let need = demand(cluster, w);
        let member_of = memberships.remove(&w).unwrap_or_default();
        let candidates: Vec<usize> = (0..targets.len())
            .filter(|&t| cluster.workload(w).allows(targets[t]))
            .filter(|&t| has_room(&room[t], &need))
            .filter(|&t| {
                member_of
                    .iter()
                    .all(|&g| !groups[g].mandatory || groups[g].occupied[spots[t][g]] == 0)
            })
            .collect();
        if candidates.is_empty() {
            let (blocker, reason) = unplaceable(cluster, w, &targets, &room, &groups, &spots, &member_of);
            return Placement::Impossible(Shortfall::Unplaceable {
                workload: w,
                blocker,
                reason,
            });
        }
        movers.push(Mover {
            workload: w,
            need,
            candidates,
            groups: member_of,
        });
    }

    // Most constrained first: members of mandatory groups with fewest candidates, then the
    // largest relative size, then id.
    let saturating_sum = |r: usize| {
        room.iter()
            .map(|x| x[r].max(0))
            .fold(0i64, |a, b| a.saturating_add(b))
    };
    let totals: [i64; 3] = [0, 1, 2].map(|r| saturating_sum(r).max(1));
    let size = |m: &Mover| {
        (0..3)
            .map(|r| m.need[r] as f64 / totals[r] as f64)
            .fold(0.0, f64::max)
    };
    let constrained = |m: &Mover| {
        let hard = m.groups.iter().any(|&g| groups[g].mandatory);
        m.candidates.len() + usize::from(!hard) * targets.len()
    };
    movers.sort_by(|a, b| {
        constrained(a)
            .cmp(&constrained(b))
            .then_with(|| size(b).total_cmp(&size(a)))
            .then_with(|| a.workload.cmp(&b.workload))
    });

    let free = [0, 1, 2].map(saturating_sum);
    let pending = [0, 1, 2].map(|r| movers.iter().map(|m| m.need[r]).sum());
    let mut search = Search {
        movers,
        targets,
        room,
        groups,
        spots,
        free,
        pending,
        pool,
        assignment: Vec::new(),
        nodes: 0,
        budget,
        stop,
    };
    match search.run() {
        Some(true) => {
            let mut moves: Vec<Move> = search
                .movers
                .iter()
                .zip(&search.assignment)
                .map(|(m, &t)| Move {
                    workload: m.workload,
                    from: cluster.workload(m.workload).host,
                    to: search.targets[t],
                })
                .collect();
            moves.sort();
            Placement::Found {
                moves,
                broken_should: search.broken_should(),
            }
        }
        Some(false) => Placement::Impossible(Shortfall::Packing {
            workloads: moving.len(),
            hosts: search.targets.len(),
        }),
        None => Placement::Unknown,
    }
}

/// What blocks workload `w`, and why in operator terms.
fn unplaceable(
    cluster: &Cluster,
    w: WorkloadId,
    targets: &[HostId],
    room: &[[i64; 3]],
    groups: &[LocalGroup],
    spots: &[Vec<usize>],
    member_of: &[usize],
) -> (Blocker, String) {
    let workload = cluster.workload(w);
    let allowed: Vec<usize> = (0..targets.len())
        .filter(|&i| workload.allows(targets[i]))
        .collect();
    if allowed.is_empty() {
        return (
            Blocker::AllowedHosts,
            "none of its allowed_hosts is up in this wave".to_string(),
        );
    }
    let need = demand(cluster, w);
    let fitting: Vec<usize> = allowed
        .iter()
        .copied()
        .filter(|&i| has_room(&room[i], &need))
        .collect();
    if fitting.is_empty() {
        // Name the resource where the best host falls shortest.
        let (r, best) = Resource::ALL
            .iter()
            .enumerate()
            .filter(|&(r, _)| need[r] > 0)
            .map(|(r, &res)| (res, allowed.iter().map(|&i| room[i][r].max(0)).max().unwrap_or(0)))
            .find(|&(res, best)| best < need[res as usize])
            .unwrap_or((Resource::Cpu, 0));
        return (
            Blocker::Resource(r),
            format!(
                "it needs {} of {r}, and the most free on an allowed up host is {}",
                show(need[r as usize] as u64, r),
                show(best as u64, r)
            ),
        );
    }
    let blocking: Vec<AntiAffinityId> = member_of
        .iter()
        .filter(|&&g| groups[g].mandatory && fitting.iter().any(|&t| groups[g].occupied[spots[t][g]] > 0))
        .map(|&g| groups[g].id)
        .collect();
    let names: Vec<&str> = blocking
        .iter()
        .map(|g| cluster.anti_affinity[g.index()].name.as_str())
        .collect();
    (
        blocking
            .first()
            .map_or(Blocker::AllowedHosts, |&g| Blocker::AntiAffinity(g)),
        format!(
            "every up host with room for it already holds a member of anti-affinity group {}",
            names.join(", ")
        ),
    )
}
