//! Capacity: what a host may hold (its capacity, CPU overcommit, headroom), what must move
//! when a host goes down, the free room of the hosts that stay up (usable capacity less load),
//! the HA reserve, and untracked storage.
//!
//! [`usable`] is the one place a host's usable capacity is computed; the model stores its
//! result in [`Host::usable`](crate::model::Host::usable), which the planner, the bounds, the
//! validator and the runbook all read.
//!
//! A host without `storage_gib` does not track storage: it takes any amount, and its room is
//! part of neither the free room nor the reserve. The reserve itself is
//! [`Cluster::reserve`](crate::model::Cluster::reserve).

use crate::model::resources::to_fixed;
use crate::model::{Cluster, HostId, Policy, Resource, WorkloadId};
use crate::plan::Move;

/// Usable capacity of `r` on a host with raw `capacity` (fixed point), under `policy`: CPU is
/// first multiplied by `cpu_overcommit` (kept to thousandths), then every resource loses
/// `headroom_percent` (kept to hundredths of a percent). Integer arithmetic throughout,
/// rounded down once, so the same description always gives the same number.
pub fn usable(capacity: u64, r: Resource, policy: &Policy) -> u64 {
    scaled(capacity, r, policy, policy.headroom_percent)
}

/// What a host with raw `capacity` of `r` can carry at all: CPU multiplied by
/// `cpu_overcommit`, no headroom kept back. A host loaded beyond this is overloaded (the
/// headroom is a reserve the planner keeps free, not a limit the host already breaks).
pub fn carriable(capacity: u64, r: Resource, policy: &Policy) -> u64 {
    scaled(capacity, r, policy, 0.0)
}

fn scaled(capacity: u64, r: Resource, policy: &Policy, headroom_percent: f64) -> u64 {
    Scale::of(r, policy, headroom_percent).apply(capacity)
}

/// The factor from a host's raw capacity to what it may hold, as two integers, so that an
/// assert or a reader of live state scales a capacity exactly as [`usable`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scale {
    /// The overcommit ratio in thousandths (1000 for memory and storage).
    pub per_mille: u64,
    /// What the headroom leaves, in hundredths of a percent (10000 without headroom).
    pub kept_basis_points: u64,
}

impl Scale {
    /// The scale of [`usable`] for `r` under `policy`.
    pub fn usable(r: Resource, policy: &Policy) -> Self {
        Self::of(r, policy, policy.headroom_percent)
    }

    fn of(r: Resource, policy: &Policy, headroom_percent: f64) -> Self {
        const PER_MILLE: u64 = 1000;
        const BASIS: u64 = 10_000;
        let per_mille = match r {
            Resource::Cpu => to_fixed(policy.cpu_overcommit),
            Resource::Memory | Resource::Storage => PER_MILLE,
        };
        let headroom_bp = (headroom_percent * 100.0).round() as u64;
        Scale {
            per_mille,
            kept_basis_points: BASIS.saturating_sub(headroom_bp),
        }
    }

    /// `capacity` (fixed point) scaled, rounded down once.
    pub fn apply(self, capacity: u64) -> u64 {
        let usable = u128::from(capacity) * u128::from(self.per_mille) * u128::from(self.kept_basis_points)
            / 10_000_000;
        u64::try_from(usable).unwrap_or(u64::MAX)
    }

    /// The factor as an exact decimal (`1.8` for 2:1 overcommit less 10% headroom), for a
    /// command that multiplies by it.
    pub fn decimal(self) -> String {
        let ten_millionths = u128::from(self.per_mille) * u128::from(self.kept_basis_points);
        let whole = ten_millionths / 10_000_000;
        let frac = ten_millionths % 10_000_000;
        if frac == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{}", format!("{frac:07}").trim_end_matches('0'))
        }
    }
}

/// The workloads that must find room elsewhere when host `h` goes down (live and restart), in
/// declaration order.
pub fn movable(cluster: &Cluster, h: HostId) -> impl Iterator<Item = WorkloadId> + '_ {
    cluster
        .host(h)
        .workloads
        .iter()
        .copied()
        .filter(|&w| cluster.workload(w).migration.moves())
}

/// Demand of `r` that must find room elsewhere when host `h` goes down.
pub fn movable_demand(cluster: &Cluster, h: HostId, r: Resource) -> u64 {
    movable(cluster, h).map(|w| cluster.workload(w).demand[r]).sum()
}

/// Whether every host of `hosts` tracks `r` (storage may be untracked).
pub fn tracked_on_all(cluster: &Cluster, hosts: &[HostId], r: Resource) -> bool {
    hosts.iter().all(|&h| cluster.host(h).usable(r).is_some())
}

/// Free room of `r` on those of `hosts` that track it.
pub fn free_room(cluster: &Cluster, hosts: &[HostId], r: Resource) -> u64 {
    hosts.iter().filter_map(|&h| cluster.host(h).room(r)).sum()
}

/// What taking host `h` down costs the evacuation pool of `r`: the demand it moves plus the
/// room it no longer offers.
pub fn host_weight(cluster: &Cluster, h: HostId, r: Resource) -> u64 {
    movable_demand(cluster, h, r) + cluster.host(h).room(r).unwrap_or(0)
}

/// The aggregate capacity rule of one resource over the ready hosts: each wave's hosts satisfy
/// `sum of host_weight <= free - reserve`. Only defined when every ready host tracks the
/// resource (a host with unlimited room absorbs any evacuation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityRule {
    /// Free room of the ready hosts.
    pub free: u64,
    /// The HA reserve.
    pub reserve: u64,
    /// Each upgraded host's weight, in host order.
    pub weights: Vec<(HostId, u64)>,
}

impl CapacityRule {
    /// Weight one wave may take: free room less reserve; negative when the reserve does not
    /// fit even with every host up.
    pub fn per_wave(&self) -> i64 {
        self.free as i64 - self.reserve as i64
    }
}

/// The aggregate capacity rule of `r` over `ready`, or `None` when some ready host does not
/// track `r`.
pub fn capacity_rule(cluster: &Cluster, ready: &[HostId], r: Resource) -> Option<CapacityRule> {
    if !tracked_on_all(cluster, ready, r) {
        return None;
    }
    Some(CapacityRule {
        free: free_room(cluster, ready, r),
        reserve: cluster.reserve()[r],
        // Hosts already done stay up: they offer room but are never taken down.
        weights: ready
            .iter()
            .filter(|&&h| cluster.host(h).is_upgraded())
            .map(|&h| (h, host_weight(cluster, h, r)))
            .collect(),
    })
}

/// One wave's evacuation of one resource, given its moves: what the hosts that stay up must
/// hold free. The wave is safe for this resource only if `free >= onto_tracked + reserve`:
/// workloads that land on a host without the resource tracked take nothing from the free room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evacuation {
    /// The resource.
    pub resource: Resource,
    /// Demand of the moving workloads that land on hosts tracking the resource (a workload
    /// without a move counts here).
    pub onto_tracked: u64,
    /// Demand of the moving workloads that land on hosts not tracking it.
    pub onto_untracked: u64,
    /// Free room on the up hosts that track it.
    pub free: u64,
    /// HA reserve that must still be free afterwards.
    pub reserve: u64,
    /// Whether every up host tracks it.
    pub all_tracked: bool,
}

impl Evacuation {
    /// What must be free before the wave starts.
    pub fn needed(&self) -> u64 {
        self.onto_tracked + self.reserve
    }
}

/// The evacuation of `r` in a wave that takes down `down` and keeps `up` running, with `moves`.
pub fn evacuation(
    cluster: &Cluster,
    down: &[HostId],
    up: &[HostId],
    moves: &[Move],
    r: Resource,
) -> Evacuation {
    let mut out = Evacuation {
        resource: r,
        onto_tracked: 0,
        onto_untracked: 0,
        free: free_room(cluster, up, r),
        reserve: cluster.reserve()[r],
        all_tracked: tracked_on_all(cluster, up, r),
    };
    // By workload (the first move of each, as a search would find): a wave of hundreds of
    // hosts moves thousands of workloads (issue 10).
    let mut targets: std::collections::HashMap<WorkloadId, HostId> = std::collections::HashMap::new();
    for m in moves {
        targets.entry(m.workload).or_insert(m.to);
    }
    for &h in down {
        for w in movable(cluster, h) {
            let demand = cluster.workload(w).demand[r];
            let target = targets.get(&w).copied();
            match target {
                Some(to) if cluster.host(to).usable(r).is_none() => out.onto_untracked += demand,
                _ => out.onto_tracked += demand,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resources::to_fixed;

    fn policy(cpu_overcommit: f64, headroom_percent: f64) -> Policy {
        Policy {
            cpu_overcommit,
            headroom_percent,
            ..Policy::default()
        }
    }

    #[test]
    fn overcommit_multiplies_cpu_only_and_comes_before_headroom() {
        let cores = to_fixed(16.0);
        assert_eq!(usable(cores, Resource::Cpu, &policy(1.0, 0.0)), to_fixed(16.0));
        assert_eq!(usable(cores, Resource::Cpu, &policy(2.0, 0.0)), to_fixed(32.0));
        // 16 × 4 = 64 cores, less 10%: 57.6, not 16 less 10% times 4 rounded differently.
        assert_eq!(usable(cores, Resource::Cpu, &policy(4.0, 10.0)), to_fixed(57.6));
        assert_eq!(usable(cores, Resource::Cpu, &policy(1.5, 25.0)), to_fixed(18.0));
        for r in [Resource::Memory, Resource::Storage] {
            assert_eq!(
                usable(to_fixed(512.0), r, &policy(4.0, 10.0)),
                to_fixed(460.8),
                "{r}"
            );
        }
    }

    #[test]
    fn the_scale_as_a_decimal_is_the_factor_usable_applies() {
        assert_eq!(Scale::usable(Resource::Cpu, &policy(2.0, 10.0)).decimal(), "1.8");
        assert_eq!(Scale::usable(Resource::Memory, &policy(2.0, 0.0)).decimal(), "1");
        assert_eq!(
            Scale::usable(Resource::Cpu, &policy(1.5, 12.5)).decimal(),
            "1.3125"
        );
        let scale = Scale::usable(Resource::Cpu, &policy(4.0, 10.0));
        assert_eq!(
            scale.apply(to_fixed(16.0)),
            usable(to_fixed(16.0), Resource::Cpu, &policy(4.0, 10.0))
        );
    }

    #[test]
    fn usable_rounds_down_once_and_never_overflows() {
        // 1 thousandth of a core at 1.5:1 is 1.5 thousandths: rounded down to 1.
        assert_eq!(usable(1, Resource::Cpu, &policy(1.5, 0.0)), 1);
        assert_eq!(usable(u64::MAX, Resource::Cpu, &policy(100.0, 0.0)), u64::MAX);
    }
}
