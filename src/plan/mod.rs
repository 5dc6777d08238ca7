//! A maintenance plan: waves of items taken down together, with their evacuation moves.
//!
//! The solver produces a [`Plan`]; the validator checks one, whoever wrote it; renderers turn it
//! into a runbook. A plan refers to the cluster through typed ids, so it is only meaningful with
//! the [`crate::model::Cluster`] it was made for.

pub mod baselines;
pub mod no_safe_plan;
pub mod relax;

use crate::model::{Cluster, HostId, ItemId, WorkloadId};

/// A workload moved off a host that goes down in a wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Move {
    /// The workload.
    pub workload: WorkloadId,
    /// The host it leaves.
    pub from: HostId,
    /// The host it goes to.
    pub to: HostId,
}

/// One wave: items upgraded together, and where the workloads of its hosts go meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Wave {
    /// Hosts and components upgraded in this wave, hosts first, each in id order.
    pub items: Vec<ItemId>,
    /// Evacuation moves, in workload order.
    pub moves: Vec<Move>,
}

impl Wave {
    /// A wave of `items` with no moves yet, items in canonical order.
    pub fn new(mut items: Vec<ItemId>) -> Self {
        items.sort_unstable();
        Wave {
            items,
            moves: Vec::new(),
        }
    }

    /// The hosts of this wave.
    pub fn hosts(&self) -> impl Iterator<Item = HostId> + '_ {
        self.items.iter().filter_map(|i| match i {
            ItemId::Host(h) => Some(*h),
            ItemId::Component(_) => None,
        })
    }

    /// How long the wave takes: the overhead plus its longest item.
    pub fn minutes(&self, cluster: &Cluster) -> u64 {
        let longest = self
            .items
            .iter()
            .map(|&i| u64::from(cluster.item_minutes(i)))
            .max()
            .unwrap_or(0);
        u64::from(cluster.policy.wave_overhead_minutes) + longest
    }
}

/// Total minutes of a sequence of waves.
pub fn total_minutes(cluster: &Cluster, waves: &[Wave]) -> u64 {
    waves.iter().map(|w| w.minutes(cluster)).sum()
}

/// How good a plan is known to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    /// A lower bound on the number of waves of any safe plan.
    pub lower_bound_waves: u32,
    /// A lower bound on the total minutes of any safe plan.
    pub lower_bound_minutes: u64,
    /// Whether the plan is proven optimal for the objective.
    pub optimal: bool,
    /// What proved the bound: `"bounds"` (combinatorial), `"ilp"`, or `"none"`.
    pub proof: &'static str,
    /// The MILP backend that was available to the solver.
    pub solver: &'static str,
    /// Wall-clock seconds the solve took (the only part of a plan that varies between runs).
    pub solve_seconds: f64,
}

impl Quality {
    /// No claim at all: a plan that did not come from the solver (read from a file, built in a
    /// test).
    pub fn unclaimed() -> Self {
        Quality {
            lower_bound_waves: 0,
            lower_bound_minutes: 0,
            optimal: false,
            proof: "none",
            solver: "none",
            solve_seconds: 0.0,
        }
    }
}

/// A plan for a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The waves, in the order they run.
    pub waves: Vec<Wave>,
    /// Bounds and optimality.
    pub quality: Quality,
    /// Rules the plan breaks knowingly: "should" anti-affinity groups it could not keep.
    pub warnings: Vec<String>,
}

impl Plan {
    /// Total minutes of the plan.
    pub fn total_minutes(&self, cluster: &Cluster) -> u64 {
        total_minutes(cluster, &self.waves)
    }
}
