//! Greedy evacuation of a wave that grows one host at a time (issue 10: incremental placement).
//!
//! [`place`](super::place) searches the placement of a whole wave at once. On thousands of
//! hosts its setup alone is linear in the hosts for every moving workload, and a heuristic
//! that adds hosts to a wave one by one would pay it again for every host it tries. A
//! [`GreedyWave`] keeps the wave's placement instead, and [`GreedyWave::try_add`] places only
//! what the new host changes: its own movable workloads, and those this wave had already moved
//! onto it. Each goes to the first up host, from a cursor that moves on after every placement
//! (so the load spreads), that takes it by the rules [`place`](super::place) applies: allowed,
//! room in every resource it needs after headroom, no member of its mandatory anti-affinity
//! groups in that spot (host or fault domain), and the HA reserve still free; a host that keeps
//! a "should" group is preferred. A host whose workloads do not all find room is taken back
//! out, and the wave is as it was.
//!
//! Greedy is a sufficient check, not an exact one: when it fails a placement may still exist,
//! and a caller that must know runs the exact search. What it finds, the validator checks
//! independently, like any placement.

use std::collections::HashMap;

use super::backtrack::{UNLIMITED, has_room};
use crate::model::{AntiAffinityId, Cluster, HostId, Resource, WorkloadId};
use crate::plan::Move;
use crate::rules::{capacity, scope};

/// What every wave of a cluster starts from: the hosts that can receive, their room at rest,
/// the anti-affinity groups, built once.
pub struct Evacuator<'c> {
    cluster: &'c Cluster,
    /// Ready hosts: the only ones that take workloads.
    targets: Vec<HostId>,
    /// Position of each host in `targets`, `None` for hosts that are not ready.
    position: Vec<Option<u32>>,
    /// Room at rest of each target, per resource: usable less load, [`UNLIMITED`] when not
    /// tracked there.
    room: Vec<[i64; 3]>,
    /// Free room of the tracking targets less the reserve, per resource, with every host up.
    pool: [i64; 3],
    /// Anti-affinity groups of each workload.
    groups_of: Vec<Vec<u32>>,
    /// Members of each group per spot at rest.
    occupied: Vec<HashMap<usize, u32>>,
}

impl<'c> Evacuator<'c> {
    /// Precomputes the cluster at rest.
    pub fn new(cluster: &'c Cluster) -> Self {
        let targets: Vec<HostId> = cluster.ready_hosts().collect();
        let mut position = vec![None; cluster.hosts.len()];
        for (p, &h) in targets.iter().enumerate() {
            position[h.index()] = Some(p as u32);
        }
        let room = targets
            .iter()
            .map(|&t| {
                let host = cluster.host(t);
                Resource::ALL.map(|r| {
                    host.usable(r)
                        .map_or(UNLIMITED, |u| u as i64 - host.load[r] as i64)
                })
            })
            .collect();
        let reserve = cluster.reserve();
        let pool =
            Resource::ALL.map(|r| capacity::free_room(cluster, &targets, r) as i64 - reserve[r] as i64);
        let mut groups_of = vec![Vec::new(); cluster.workloads.len()];
        let mut occupied = Vec::with_capacity(cluster.anti_affinity.len());
        for (g, group) in cluster.anti_affinity.iter().enumerate() {
            let mut spots: HashMap<usize, u32> = HashMap::new();
            for &w in &group.workloads {
                groups_of[w.index()].push(g as u32);
                *spots
                    .entry(scope::spot(cluster, group.scope, cluster.workload(w).host))
                    .or_default() += 1;
            }
            occupied.push(spots);
        }
        Evacuator {
            cluster,
            targets,
            position,
            room,
            pool,
            groups_of,
            occupied,
        }
    }

    /// An empty wave: every ready host up, nothing moved.
    pub fn wave(&self) -> GreedyWave<'_, 'c> {
        GreedyWave {
            base: self,
            room: self.room.clone(),
            up: vec![true; self.targets.len()],
            pool: self.pool,
            occupied: HashMap::new(),
            target: HashMap::new(),
            incoming: HashMap::new(),
            added: Vec::new(),
            cursor: 0,
        }
    }
}

/// One host taken down, and what that did, so it can be undone.
#[derive(Clone)]
struct Added {
    host: HostId,
    /// Workloads placed for it, in order.
    placed: Vec<WorkloadId>,
    /// Workloads this wave had moved onto it, with that target.
    evicted: Vec<(WorkloadId, u32)>,
    /// The cursor before, so that undoing leaves the wave exactly as it was and the same
    /// hosts added in the same order always give the same placement.
    cursor: usize,
}

/// The placement of one wave under construction.
#[derive(Clone)]
pub struct GreedyWave<'e, 'c> {
    base: &'e Evacuator<'c>,
    room: Vec<[i64; 3]>,
    up: Vec<bool>,
    pool: [i64; 3],
    /// Change of each group's members per spot against the rest state.
    occupied: HashMap<(u32, usize), i64>,
    /// Target (position) of each moved workload.
    target: HashMap<WorkloadId, u32>,
    /// Workloads moved onto each target (position).
    incoming: HashMap<u32, Vec<WorkloadId>>,
    added: Vec<Added>,
    cursor: usize,
}

impl GreedyWave<'_, '_> {
    /// The hosts taken down, in the order added.
    pub fn hosts(&self) -> impl Iterator<Item = HostId> + '_ {
        self.added.iter().map(|a| a.host)
    }

    /// Takes `host` down and places what must move; false, with the wave unchanged, when
    /// something finds no room. A host already down, or not ready, changes nothing.
    pub fn try_add(&mut self, host: HostId) -> bool {
        let cluster = self.base.cluster;
        let Some(p) = self.base.position[host.index()] else {
            return true;
        };
        if !self.up[p as usize] {
            return true;
        }
        self.set_up(host, p, false);
        let evicted: Vec<(WorkloadId, u32)> = self
            .incoming
            .get(&p)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|w| (w, p))
            .collect();
        for &(w, _) in &evicted {
            self.unplace(w);
        }
        let mut movers: Vec<WorkloadId> = capacity::movable(cluster, host).collect();
        movers.extend(evicted.iter().map(|&(w, _)| w));
        // Members of mandatory groups have the fewest choices: first.
        movers.sort_by_key(|&w| !self.mandatory_member(w));
        let mut added = Added {
            host,
            placed: Vec::with_capacity(movers.len()),
            evicted,
            cursor: self.cursor,
        };
        let mut ok = self.pool.iter().all(|&left| left >= 0);
        if ok {
            for &w in &movers {
                match self.find(w) {
                    Some(t) => {
                        self.place_at(w, t);
                        added.placed.push(w);
                    }
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
        }
        if !ok {
            self.undo(&added);
            return false;
        }
        self.added.push(added);
        true
    }

    /// Takes the most recently added host out again.
    pub fn pop(&mut self) {
        if let Some(added) = self.added.pop() {
            self.undo(&added);
        }
    }

    /// The moves, in workload order.
    pub fn moves(&self) -> Vec<Move> {
        let cluster = self.base.cluster;
        let mut moves: Vec<Move> = self
            .target
            .iter()
            .map(|(&w, &t)| Move {
                workload: w,
                from: cluster.workload(w).host,
                to: self.base.targets[t as usize],
            })
            .collect();
        moves.sort();
        moves
    }

    /// "Should" anti-affinity groups with a member on the move that have two members in one
    /// spot, as [`place`](super::place) reports them.
    pub fn broken_should(&self) -> Vec<AntiAffinityId> {
        let cluster = self.base.cluster;
        let mut groups: Vec<u32> = self
            .target
            .keys()
            .flat_map(|w| self.base.groups_of[w.index()].iter().copied())
            .filter(|&g| !cluster.anti_affinity[g as usize].mandatory)
            .collect();
        groups.sort_unstable();
        groups.dedup();
        groups
            .into_iter()
            .filter(|&g| {
                let group = &cluster.anti_affinity[g as usize];
                let mut spots: Vec<usize> = group
                    .workloads
                    .iter()
                    .map(|w| scope::spot(cluster, group.scope, self.host_of(*w)))
                    .collect();
                spots.sort_unstable();
                spots.windows(2).any(|pair| pair[0] == pair[1])
            })
            .map(|g| AntiAffinityId::from_index(g as usize))
            .collect()
    }

    fn host_of(&self, w: WorkloadId) -> HostId {
        self.target
            .get(&w)
            .map_or(self.base.cluster.workload(w).host, |&t| {
                self.base.targets[t as usize]
            })
    }

    fn mandatory_member(&self, w: WorkloadId) -> bool {
        let cluster = self.base.cluster;
        self.base.groups_of[w.index()]
            .iter()
            .any(|&g| cluster.anti_affinity[g as usize].mandatory)
    }

    /// Members of group `g` in `spot` now.
    fn members(&self, g: u32, spot: usize) -> i64 {
        let rest = self.base.occupied[g as usize].get(&spot).copied().unwrap_or(0);
        i64::from(rest) + self.occupied.get(&(g, spot)).copied().unwrap_or(0)
    }

    fn occupy(&mut self, w: WorkloadId, host: HostId, sign: i64) {
        let cluster = self.base.cluster;
        for &g in &self.base.groups_of[w.index()] {
            let spot = scope::spot(cluster, cluster.anti_affinity[g as usize].scope, host);
            *self.occupied.entry((g, spot)).or_default() += sign;
        }
    }

    /// Marks target `p` (host `host`) up or down: its room joins or leaves the pool, and its
    /// movable workloads' group memberships stay or leave its spot.
    fn set_up(&mut self, host: HostId, p: u32, up: bool) {
        let cluster = self.base.cluster;
        let sign = if up { 1 } else { -1 };
        self.up[p as usize] = up;
        for r in Resource::ALL {
            if let Some(free) = cluster.host(host).room(r) {
                self.pool[r as usize] += sign * free as i64;
            }
        }
        for w in capacity::movable(cluster, host) {
            self.occupy(w, host, sign);
        }
    }

    /// The first up host from the cursor that takes `w`, preferring one that keeps its
    /// "should" groups.
    fn find(&mut self, w: WorkloadId) -> Option<u32> {
        let base = self.base;
        let workload = base.cluster.workload(w);
        let need = Resource::ALL.map(|r| workload.demand[r] as i64);
        let mut fallback = None;
        let mut take = |this: &Self, p: u32| -> bool {
            match this.fits(w, &need, p) {
                Some(false) => true,
                Some(true) => {
                    fallback.get_or_insert(p);
                    false
                }
                None => false,
            }
        };
        let found = match &workload.allowed_hosts {
            Some(allowed) => allowed
                .iter()
                .filter_map(|h| base.position[h.index()])
                .find(|&p| take(self, p)),
            None => {
                let n = base.targets.len();
                (0..n)
                    .map(|i| ((self.cursor + i) % n) as u32)
                    .find(|&p| take(self, p))
            }
        };
        let chosen = found.or(fallback)?;
        self.cursor = chosen as usize + 1;
        Some(chosen)
    }

    /// Whether target `p` takes `w` (`None`: no), and if so whether it breaks one of its
    /// "should" groups.
    fn fits(&self, w: WorkloadId, need: &[i64; 3], p: u32) -> Option<bool> {
        let base = self.base;
        let cluster = base.cluster;
        let at = p as usize;
        if !self.up[at] || !has_room(&self.room[at], need) {
            return None;
        }
        let reserve_kept = (0..3).all(|r| self.room[at][r] >= UNLIMITED / 2 || self.pool[r] >= need[r]);
        if !reserve_kept {
            return None;
        }
        let host = base.targets[at];
        let mut breaks_should = false;
        for &g in &base.groups_of[w.index()] {
            let group = &cluster.anti_affinity[g as usize];
            if self.members(g, scope::spot(cluster, group.scope, host)) > 0 {
                if group.mandatory {
                    return None;
                }
                breaks_should = true;
            }
        }
        Some(breaks_should)
    }

    fn place_at(&mut self, w: WorkloadId, p: u32) {
        let need = self.base.cluster.workload(w).demand;
        for r in Resource::ALL {
            let slot = r as usize;
            if self.room[p as usize][slot] < UNLIMITED / 2 {
                self.pool[slot] -= need[r] as i64;
            }
            self.room[p as usize][slot] -= need[r] as i64;
        }
        self.occupy(w, self.base.targets[p as usize], 1);
        self.target.insert(w, p);
        self.incoming.entry(p).or_default().push(w);
    }

    fn unplace(&mut self, w: WorkloadId) {
        let Some(p) = self.target.remove(&w) else { return };
        let need = self.base.cluster.workload(w).demand;
        for r in Resource::ALL {
            let slot = r as usize;
            self.room[p as usize][slot] += need[r] as i64;
            if self.room[p as usize][slot] < UNLIMITED / 2 {
                self.pool[slot] += need[r] as i64;
            }
        }
        self.occupy(w, self.base.targets[p as usize], -1);
        if let Some(list) = self.incoming.get_mut(&p) {
            list.retain(|&x| x != w);
            if list.is_empty() {
                self.incoming.remove(&p);
            }
        }
    }

    /// Undoes one host's addition: its placements, the host itself, its evictions.
    fn undo(&mut self, added: &Added) {
        for &w in added.placed.iter().rev() {
            self.unplace(w);
        }
        let p = self.base.position[added.host.index()].expect("a ready host");
        self.set_up(added.host, p, true);
        for &(w, t) in &added.evicted {
            self.place_at(w, t);
        }
        self.cursor = added.cursor;
    }
}

#[cfg(test)]
mod tests;
