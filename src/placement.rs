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

use std::collections::HashMap;

use crate::model::resources::show;
use crate::model::{AntiAffinityId, Cluster, FaultDomainId, HostId, Resource, Scope, WorkloadId};
use crate::plan::Move;

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
            Shortfall::Unplaceable { workload, reason } => {
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

/// Where an anti-affinity group keeps members apart: a host or a fault domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Spot {
    Host(HostId),
    Domain(FaultDomainId),
}

fn spot(cluster: &Cluster, scope: Scope, host: HostId) -> Spot {
    match scope {
        Scope::Host => Spot::Host(host),
        Scope::FaultDomain => Spot::Domain(cluster.host(host).fault_domain),
    }
}

/// Room counted as unlimited (storage on a host that does not track it).
const UNLIMITED: i64 = i64::MAX / 4;

struct Search<'c> {
    cluster: &'c Cluster,
    /// Workloads to place, most constrained first.
    order: Vec<WorkloadId>,
    /// Up hosts that may receive.
    targets: Vec<HostId>,
    /// Remaining room per target (index into `targets`), per resource; negative means the host is
    /// already over its usable capacity and can take nothing.
    room: Vec<[i64; 3]>,
    /// Candidate targets per workload (indices into `targets`), before dynamic checks.
    candidates: HashMap<WorkloadId, Vec<usize>>,
    /// Mandatory groups of each moving workload.
    groups: HashMap<WorkloadId, Vec<AntiAffinityId>>,
    /// "Should" groups of each moving workload.
    should: HashMap<WorkloadId, Vec<AntiAffinityId>>,
    /// Occupied spots per group (count of members there).
    occupied: HashMap<(AntiAffinityId, Spot), u32>,
    /// Sum of positive room over targets, per resource (for pruning).
    free: [i64; 3],
    /// Demand still to place, per resource.
    pending: [i64; 3],
    /// Room of tracking hosts that placements may still consume without eating into the
    /// reserve, per resource.
    pool: [i64; 3],
    assignment: Vec<usize>,
    nodes: u64,
    budget: u64,
}

/// Whether a host with `room` left can take `need`. CPU and memory must fit on any host that
/// receives a workload; storage only when the workload needs some (the contract checks storage
/// "when the workload states it"), so a host already over its storage still takes the others.
fn has_room(room: &[i64; 3], need: &[i64; 3]) -> bool {
    (0..3).all(|r| (r == STORAGE && need[r] == 0) || room[r] >= need[r])
}

const STORAGE: usize = 2;

fn demand(cluster: &Cluster, w: WorkloadId) -> [i64; 3] {
    let d = cluster.workload(w).demand;
    Resource::ALL.map(|r| d[r] as i64)
}

/// Finds targets for every live or restart workload on `down` (this wave's hosts); hosts that
/// are already unavailable are never targets. `budget` bounds the backtracking search.
pub fn place(cluster: &Cluster, down: &[HostId], budget: u64) -> Placement {
    let mut is_down = vec![false; cluster.hosts.len()];
    for &h in down {
        is_down[h.index()] = true;
    }
    let targets: Vec<HostId> = cluster.ready_hosts().filter(|h| !is_down[h.index()]).collect();
    let moving: Vec<WorkloadId> = down
        .iter()
        .flat_map(|&h| cluster.host(h).workloads.iter().copied())
        .filter(|&w| cluster.workload(w).migration.moves())
        .collect();

    // Aggregate checks first: they give the clearest reasons. The reserve is a pool: the free
    // room of up hosts that track a resource, less the reserve, is what placements onto those
    // hosts may consume. (A host that does not track storage takes any amount, but its room is
    // not part of the reserve.)
    let reserve = cluster.reserve();
    let mut pool = [0i64; 3];
    for (slot, r) in Resource::ALL.into_iter().enumerate() {
        let moving_r: u64 = moving.iter().map(|&w| cluster.workload(w).demand[r]).sum();
        let all_tracked = targets.iter().all(|&t| cluster.host(t).usable(r).is_some());
        let free_r: u64 = targets.iter().filter_map(|&t| cluster.host(t).room(r)).sum();
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

    let mut groups: HashMap<WorkloadId, Vec<AntiAffinityId>> = HashMap::new();
    let mut should: HashMap<WorkloadId, Vec<AntiAffinityId>> = HashMap::new();
    let mut occupied: HashMap<(AntiAffinityId, Spot), u32> = HashMap::new();
    let moving_set: std::collections::HashSet<WorkloadId> = moving.iter().copied().collect();
    for (i, group) in cluster.anti_affinity.iter().enumerate() {
        let id = AntiAffinityId::from_index(i);
        for &w in &group.workloads {
            if moving_set.contains(&w) {
                if group.mandatory {
                    groups.entry(w).or_default().push(id);
                } else {
                    should.entry(w).or_default().push(id);
                }
            } else {
                // Staying members occupy their host: up hosts, hosts down for the wave with
                // migration none, and unavailable hosts alike.
                let host = cluster.workload(w).host;
                *occupied
                    .entry((id, spot(cluster, group.scope, host)))
                    .or_default() += 1;
            }
        }
    }

    // Static candidates: allowed, and room for the workload alone.
    let mut candidates = HashMap::new();
    for &w in &moving {
        let need = demand(cluster, w);
        let list: Vec<usize> = (0..targets.len())
            .filter(|&i| cluster.workload(w).allows(targets[i]))
            .filter(|&i| has_room(&room[i], &need))
            .filter(|&i| {
                groups.get(&w).is_none_or(|gs| {
                    gs.iter().all(|&g| {
                        let scope = cluster.anti_affinity[g.index()].scope;
                        !occupied.contains_key(&(g, spot(cluster, scope, targets[i])))
                    })
                })
            })
            .collect();
        if list.is_empty() {
            return Placement::Impossible(Shortfall::Unplaceable {
                workload: w,
                reason: unplaceable_reason(cluster, w, &targets, &room, &groups, &occupied),
            });
        }
        candidates.insert(w, list);
    }

    // Most constrained first: fewest candidates, then largest relative size, then id.
    let totals: [i64; 3] = [0, 1, 2].map(|r| {
        room.iter()
            .map(|x| x[r].max(0))
            .fold(0i64, |a, b| a.saturating_add(b))
            .max(1)
    });
    let size = |w: WorkloadId| {
        let d = demand(cluster, w);
        (0..3).map(|r| d[r] as f64 / totals[r] as f64).fold(0.0, f64::max)
    };
    let mut order = moving.clone();
    order.sort_by(|&a, &b| {
        let ca = candidates[&a].len() + usize::from(!groups.contains_key(&a)) * targets.len();
        let cb = candidates[&b].len() + usize::from(!groups.contains_key(&b)) * targets.len();
        ca.cmp(&cb)
            .then_with(|| size(b).total_cmp(&size(a)))
            .then_with(|| a.cmp(&b))
    });

    let free = [0, 1, 2].map(|r| {
        room.iter()
            .map(|x| x[r].max(0))
            .fold(0i64, |a, b| a.saturating_add(b))
    });
    let pending = [0, 1, 2].map(|r| moving.iter().map(|&w| demand(cluster, w)[r]).sum());
    let mut search = Search {
        cluster,
        order,
        targets,
        room,
        candidates,
        groups,
        should,
        occupied,
        free,
        pending,
        pool,
        assignment: Vec::new(),
        nodes: 0,
        budget,
    };
    match search.run() {
        Some(true) => {
            let mut moves: Vec<Move> = search
                .order
                .iter()
                .zip(&search.assignment)
                .map(|(&w, &t)| Move {
                    workload: w,
                    from: cluster.workload(w).host,
                    to: search.targets[t],
                })
                .collect();
            moves.sort();
            let broken_should = search.broken_should(&moves);
            Placement::Found { moves, broken_should }
        }
        Some(false) => Placement::Impossible(Shortfall::Packing {
            workloads: moving.len(),
            hosts: search.targets.len(),
        }),
        None => Placement::Unknown,
    }
}

impl Search<'_> {
    fn fits(&self, w: WorkloadId, t: usize) -> bool {
        let need = demand(self.cluster, w);
        if !has_room(&self.room[t], &need) {
            return false;
        }
        self.groups.get(&w).is_none_or(|gs| {
            gs.iter().all(|&g| {
                let scope = self.cluster.anti_affinity[g.index()].scope;
                !self
                    .occupied
                    .contains_key(&(g, spot(self.cluster, scope, self.targets[t])))
            })
        })
    }

    /// Targets for `w` in preference order: keeps "should" rules, then best fit (least room
    /// left on the tightest resource), then host order.
    fn ranked(&self, w: WorkloadId) -> Vec<usize> {
        let need = demand(self.cluster, w);
        let mut list: Vec<(bool, i64, usize)> = self.candidates[&w]
            .iter()
            .copied()
            .filter(|&t| self.fits(w, t))
            .map(|t| {
                let breaks_should = self.should.get(&w).is_some_and(|gs| {
                    gs.iter().any(|&g| {
                        let scope = self.cluster.anti_affinity[g.index()].scope;
                        self.occupied
                            .contains_key(&(g, spot(self.cluster, scope, self.targets[t])))
                    })
                });
                let left = (0..3)
                    .filter(|&r| need[r] > 0 && self.room[t][r] < UNLIMITED / 2)
                    .map(|r| self.room[t][r] - need[r])
                    .min()
                    .unwrap_or(0);
                (breaks_should, left, t)
            })
            .collect();
        list.sort();
        list.into_iter().map(|(_, _, t)| t).collect()
    }

    fn apply(&mut self, w: WorkloadId, t: usize, sign: i64) {
        let need = demand(self.cluster, w);
        for (r, amount) in need.iter().enumerate() {
            self.room[t][r] -= sign * amount;
            self.pending[r] -= sign * amount;
            if self.room[t][r] < UNLIMITED / 2 {
                self.free[r] -= sign * amount;
                self.pool[r] -= sign * amount;
            }
        }
        let host = self.targets[t];
        for &g in self
            .groups
            .get(&w)
            .into_iter()
            .flatten()
            .chain(self.should.get(&w).into_iter().flatten())
        {
            let scope = self.cluster.anti_affinity[g.index()].scope;
            let key = (g, spot(self.cluster, scope, host));
            if sign > 0 {
                *self.occupied.entry(key).or_default() += 1;
            } else if let Some(n) = self.occupied.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    self.occupied.remove(&key);
                }
            }
        }
    }

    /// Depth-first search; `Some(true)` found, `Some(false)` exhausted, `None` out of budget.
    fn run(&mut self) -> Option<bool> {
        // Explicit stack of (depth, ranked targets, next choice) to avoid deep recursion.
        let mut stack: Vec<(Vec<usize>, usize)> = Vec::with_capacity(self.order.len());
        if self.order.is_empty() {
            return Some(true);
        }
        stack.push((self.ranked(self.order[0]), 0));
        loop {
            let depth = stack.len() - 1;
            let w = self.order[depth];
            let (choices, next) = stack.last_mut().expect("non-empty");
            if *next >= choices.len() {
                stack.pop();
                if stack.is_empty() {
                    return Some(false);
                }
                let prev = self.order[stack.len() - 1];
                let t = self.assignment.pop().expect("assigned");
                self.apply(prev, t, -1);
                continue;
            }
            let t = choices[*next];
            *next += 1;
            self.nodes += 1;
            if self.nodes > self.budget {
                return None;
            }
            self.apply(w, t, 1);
            self.assignment.push(t);
            let feasible = (0..3).all(|r| self.pool[r] >= 0)
                && (0..3).all(|r| self.free[r] >= self.pending[r] || self.free[r] >= UNLIMITED / 2);
            if feasible && depth + 1 == self.order.len() {
                return Some(true);
            }
            let ranked = if feasible {
                self.ranked(self.order[depth + 1])
            } else {
                Vec::new()
            };
            if ranked.is_empty() {
                let t = self.assignment.pop().expect("assigned");
                self.apply(w, t, -1);
                continue;
            }
            stack.push((ranked, 0));
        }
    }

    fn broken_should(&self, moves: &[Move]) -> Vec<AntiAffinityId> {
        let mut broken = Vec::new();
        let mut final_host: HashMap<WorkloadId, HostId> = HashMap::new();
        for m in moves {
            final_host.insert(m.workload, m.to);
        }
        for (i, group) in self.cluster.anti_affinity.iter().enumerate() {
            if group.mandatory {
                continue;
            }
            let mut seen = std::collections::HashSet::new();
            let clash = group.workloads.iter().any(|w| {
                let host = final_host
                    .get(w)
                    .copied()
                    .unwrap_or(self.cluster.workload(*w).host);
                !seen.insert(spot(self.cluster, group.scope, host))
            });
            if clash {
                broken.push(AntiAffinityId::from_index(i));
            }
        }
        broken
    }
}

fn unplaceable_reason(
    cluster: &Cluster,
    w: WorkloadId,
    targets: &[HostId],
    room: &[[i64; 3]],
    groups: &HashMap<WorkloadId, Vec<AntiAffinityId>>,
    occupied: &HashMap<(AntiAffinityId, Spot), u32>,
) -> String {
    let workload = cluster.workload(w);
    let allowed: Vec<usize> = (0..targets.len())
        .filter(|&i| workload.allows(targets[i]))
        .collect();
    if allowed.is_empty() {
        return "none of its allowed_hosts is up in this wave".to_string();
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
        return format!(
            "it needs {} of {r}, and the most free on an allowed up host is {}",
            show(need[r as usize] as u64, r),
            show(best as u64, r)
        );
    }
    let names: Vec<&str> = groups
        .get(&w)
        .into_iter()
        .flatten()
        .filter(|&&g| {
            let scope = cluster.anti_affinity[g.index()].scope;
            fitting
                .iter()
                .any(|&i| occupied.contains_key(&(g, spot(cluster, scope, targets[i]))))
        })
        .map(|&g| cluster.anti_affinity[g.index()].name.as_str())
        .collect();
    format!(
        "every up host with room for it already holds a member of anti-affinity group {}",
        names.join(", ")
    )
}
