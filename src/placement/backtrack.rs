//! The backtracking search behind [`place`](super::place), on dense indices.
//!
//! The search runs for every wave the heuristic tries, so its inner loop touches only vectors:
//! workloads by their position in the search order, targets by their position in the target
//! list, anti-affinity groups by a local number, and spots (a host, or a fault domain) by index.

use crate::model::{AntiAffinityId, Cluster, HostId, Scope, WorkloadId};

/// Room counted as unlimited (storage on a host that does not track storage).
pub(super) const UNLIMITED: i64 = i64::MAX / 4;

const STORAGE: usize = 2;

/// Whether a host with `room` left can take `need`. CPU and memory must fit on any host that
/// receives a workload; storage only when the workload needs some (the contract checks storage
/// "when the workload states it"), so a host already over its storage still takes the others.
pub(super) fn has_room(room: &[i64; 3], need: &[i64; 3]) -> bool {
    (0..3).all(|r| (r == STORAGE && need[r] == 0) || room[r] >= need[r])
}

/// An anti-affinity group that concerns this wave.
pub(super) struct LocalGroup {
    pub(super) id: AntiAffinityId,
    pub(super) scope: Scope,
    pub(super) mandatory: bool,
    /// Members present per spot (host index or fault-domain index, by scope).
    pub(super) occupied: Vec<u32>,
}

impl LocalGroup {
    pub(super) fn spot(&self, cluster: &Cluster, host: HostId) -> usize {
        crate::rules::scope::spot(cluster, self.scope, host)
    }
}

/// One workload to place.
pub(super) struct Mover {
    pub(super) workload: WorkloadId,
    pub(super) need: [i64; 3],
    /// Targets it may go to before dynamic checks (allowed, fits alone, no member there yet).
    pub(super) candidates: Vec<usize>,
    /// Local groups it belongs to.
    pub(super) groups: Vec<usize>,
}

pub(super) struct Search<'s> {
    /// Workloads in search order: most constrained first.
    pub(super) movers: Vec<Mover>,
    /// Up hosts that may receive.
    pub(super) targets: Vec<HostId>,
    /// Remaining room per target, per resource; negative: over capacity already.
    pub(super) room: Vec<[i64; 3]>,
    pub(super) groups: Vec<LocalGroup>,
    /// Spot of each target in each local group: `spots[t][g]`.
    pub(super) spots: Vec<Vec<usize>>,
    /// Sum of positive room over targets, per resource (for pruning).
    pub(super) free: [i64; 3],
    /// Demand still to place, per resource.
    pub(super) pending: [i64; 3],
    /// Room of tracking hosts placements may still consume without eating into the reserve.
    pub(super) pool: [i64; 3],
    pub(super) assignment: Vec<usize>,
    pub(super) nodes: u64,
    pub(super) budget: u64,
    /// Asked every [`STOP_EVERY`] nodes: when it says so, the search gives up as if out of budget.
    pub(super) stop: &'s dyn Fn() -> bool,
}

/// Nodes between two questions to the caller's `stop`: a search of a few thousand nodes (most
/// of them) never asks, so the caller's clock is read only by long searches.
const STOP_EVERY: u64 = 4096;

/// The targets of one depth. Most depths only ever try their best target, so only that is found
/// when the depth is entered (a linear scan, no allocation); the full ranked list is built when
/// the search backtracks into the depth, from the same state (every deeper assignment has been
/// undone by then), so the order tried is exactly that of ranking everything up front.
/// Ranking and sorting thousands of targets at every depth was most of a large wave's
/// placement time.
struct Choices {
    best: Option<usize>,
    all: Option<Vec<usize>>,
}

impl Search<'_> {
    fn fits(&self, m: usize, t: usize) -> bool {
        let mover = &self.movers[m];
        has_room(&self.room[t], &mover.need)
            && mover.groups.iter().all(|&g| {
                let group = &self.groups[g];
                !group.mandatory || group.occupied[self.spots[t][g]] == 0
            })
    }

    /// The preference key of target `t` for mover `m`, `None` when it does not fit: keeps
    /// "should" rules, then best fit (least room left on the tightest resource), then target
    /// order.
    fn key(&self, m: usize, t: usize) -> Option<(bool, i64, usize)> {
        if !self.fits(m, t) {
            return None;
        }
        let mover = &self.movers[m];
        let breaks_should = mover.groups.iter().any(|&g| {
            let group = &self.groups[g];
            !group.mandatory && group.occupied[self.spots[t][g]] > 0
        });
        let left = (0..3)
            .filter(|&r| mover.need[r] > 0 && self.room[t][r] < UNLIMITED / 2)
            .map(|r| self.room[t][r] - mover.need[r])
            .min()
            .unwrap_or(0);
        Some((breaks_should, left, t))
    }

    /// Mover `m`'s choices on entering its depth: the best target only.
    fn ranked(&self, m: usize) -> Choices {
        let best = self.movers[m]
            .candidates
            .iter()
            .filter_map(|&t| self.key(m, t))
            .min();
        Choices {
            best: best.map(|(_, _, t)| t),
            all: None,
        }
    }

    /// Every target of mover `m` in preference order.
    fn ranked_all(&self, m: usize) -> Vec<usize> {
        let mut list: Vec<(bool, i64, usize)> = self.movers[m]
            .candidates
            .iter()
            .filter_map(|&t| self.key(m, t))
            .collect();
        list.sort_unstable();
        list.into_iter().map(|(_, _, t)| t).collect()
    }

    fn apply(&mut self, m: usize, t: usize, sign: i64) {
        let need = self.movers[m].need;
        for (r, amount) in need.iter().enumerate() {
            self.room[t][r] -= sign * amount;
            self.pending[r] -= sign * amount;
            if self.room[t][r] < UNLIMITED / 2 {
                self.free[r] -= sign * amount;
                self.pool[r] -= sign * amount;
            }
        }
        for i in 0..self.movers[m].groups.len() {
            let g = self.movers[m].groups[i];
            let spot = self.spots[t][g];
            let count = &mut self.groups[g].occupied[spot];
            if sign > 0 {
                *count += 1;
            } else {
                *count -= 1;
            }
        }
    }

    /// Depth-first search; `Some(true)` found, `Some(false)` exhausted, `None` out of budget.
    pub(super) fn run(&mut self) -> Option<bool> {
        if self.movers.is_empty() {
            return Some(true);
        }
        // Explicit stack of (ranked targets, next choice) per depth, to avoid deep recursion.
        let mut stack: Vec<(Choices, usize)> = Vec::with_capacity(self.movers.len());
        stack.push((self.ranked(0), 0));
        loop {
            let depth = stack.len() - 1;
            let (choices, next) = stack.last_mut().expect("non-empty");
            let choice = if *next == 0 {
                choices.best
            } else {
                choices
                    .all
                    .get_or_insert_with(|| self.ranked_all(depth))
                    .get(*next)
                    .copied()
            };
            let Some(t) = choice else {
                stack.pop();
                if stack.is_empty() {
                    return Some(false);
                }
                let t = self.assignment.pop().expect("assigned");
                self.apply(stack.len() - 1, t, -1);
                continue;
            };
            *next += 1;
            self.nodes += 1;
            if self.nodes > self.budget || (self.nodes.is_multiple_of(STOP_EVERY) && (self.stop)()) {
                return None;
            }
            self.apply(depth, t, 1);
            self.assignment.push(t);
            let feasible = (0..3).all(|r| self.pool[r] >= 0)
                && (0..3).all(|r| self.free[r] >= self.pending[r] || self.free[r] >= UNLIMITED / 2);
            if feasible && depth + 1 == self.movers.len() {
                return Some(true);
            }
            let ranked = feasible
                .then(|| self.ranked(depth + 1))
                .filter(|c| c.best.is_some());
            let Some(ranked) = ranked else {
                let t = self.assignment.pop().expect("assigned");
                self.apply(depth, t, -1);
                continue;
            };
            stack.push((ranked, 0));
        }
    }

    /// "Should" groups that the found placement breaks: two members in one spot.
    pub(super) fn broken_should(&self) -> Vec<AntiAffinityId> {
        let mut broken: Vec<AntiAffinityId> = self
            .groups
            .iter()
            .filter(|g| !g.mandatory && g.occupied.iter().any(|&n| n > 1))
            .map(|g| g.id)
            .collect();
        broken.sort_unstable();
        broken
    }
}
