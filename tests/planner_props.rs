//! Properties of the planner: every plan passes the validator, tiny clusters match brute force,
//! the same input gives the same plan, and impossible clusters are explained.
//!
//! The brute-force oracle shares nothing with the solver: it enumerates evacuation placements
//! itself and asks the validator (written apart from the solver) whether each wave is safe, then
//! searches all sequences of waves.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use quorate::model::{Cluster, HostId, ItemId, Objective, Resource};
use quorate::plan::Plan;
use quorate::solve::{Backend, NoClock, NoSafePlan, SolveOptions, solve};
use quorate::validate::{MoveInput, Named, PlanInput, ViolationCode, WaveInput, validate};

use crate::support;

fn solve_with(cluster: &Cluster, backend: Backend) -> Result<Plan, NoSafePlan> {
    let options = SolveOptions {
        backend,
        // The planner's own clock never runs out here, but the MILP backend keeps a wall-clock
        // limit of its own: generous, so that a loaded machine does not turn a proof into a
        // timeout.
        time_limit: 120.0,
        clock: &NoClock,
    };
    solve(cluster, &options)
}

fn default_backend() -> Backend {
    Backend::default_backend().expect("a backend is compiled in")
}

/// Violations that concern one wave on its own (not coverage or order across waves).
fn wave_codes(cluster: &Cluster, wave: WaveInput) -> Vec<ViolationCode> {
    let plan = PlanInput {
        cluster: None,
        waves: vec![wave],
    };
    validate(cluster, &plan)
        .violations
        .into_iter()
        .map(|v| v.code)
        .filter(|c| !matches!(c, ViolationCode::HostNotUpgraded | ViolationCode::OrderViolated))
        .collect()
}

fn named(name: &str) -> Named {
    Named::new(name)
}

/// Whether `items` can be one wave: the counted rules by the validator, then an exhaustive
/// search over placements, each checked by the validator with explicit moves.
fn wave_is_safe(cluster: &Cluster, items: &[ItemId]) -> bool {
    let names: Vec<Named> = items.iter().map(|&i| named(cluster.item_name(i))).collect();
    let counted = wave_codes(
        cluster,
        WaveInput {
            span: None,
            items: names.clone(),
            moves: Some(Vec::new()),
        },
    );
    // With no moves given, only missing moves, capacity and anti-affinity depend on placement.
    let placement_codes = [
        ViolationCode::MoveInvalid,
        ViolationCode::CapacityExceeded,
        ViolationCode::ReserveExceeded,
        ViolationCode::AntiAffinityViolated,
    ];
    if counted.iter().any(|c| !placement_codes.contains(c)) {
        return false;
    }
    let down: HashSet<HostId> = items
        .iter()
        .filter_map(|i| match i {
            ItemId::Host(h) => Some(*h),
            ItemId::Component(_) => None,
        })
        .collect();
    let moving: Vec<_> = down
        .iter()
        .flat_map(|&h| cluster.host(h).workloads.iter().copied())
        .filter(|&w| cluster.workload(w).migration.moves())
        .collect();
    let targets: Vec<HostId> = cluster.ready_hosts().filter(|h| !down.contains(h)).collect();
    let mut load: HashMap<HostId, [u64; 2]> = targets
        .iter()
        .map(|&t| {
            (
                t,
                [
                    cluster.host(t).load[Resource::Cpu],
                    cluster.host(t).load[Resource::Memory],
                ],
            )
        })
        .collect();
    let mut assignment = Vec::new();
    let mut leaves = 0u32;
    search(
        cluster,
        &names,
        &moving,
        &targets,
        &mut load,
        &mut assignment,
        &mut leaves,
    )
}

#[allow(clippy::too_many_arguments)]
fn search(
    cluster: &Cluster,
    names: &[Named],
    moving: &[quorate::model::WorkloadId],
    targets: &[HostId],
    load: &mut HashMap<HostId, [u64; 2]>,
    assignment: &mut Vec<(quorate::model::WorkloadId, HostId)>,
    leaves: &mut u32,
) -> bool {
    if assignment.len() == moving.len() {
        *leaves += 1;
        let moves = assignment
            .iter()
            .map(|&(w, to)| MoveInput {
                span: None,
                workload: named(&cluster.workload(w).name),
                from: None,
                to: named(&cluster.host(to).name),
            })
            .collect();
        let codes = wave_codes(
            cluster,
            WaveInput {
                span: None,
                items: names.to_vec(),
                moves: Some(moves),
            },
        );
        return codes.is_empty();
    }
    if *leaves > 20_000 {
        return false;
    }
    let w = moving[assignment.len()];
    let workload = cluster.workload(w);
    for &t in targets {
        if !workload.allows(t) {
            continue;
        }
        let host = cluster.host(t);
        let [cpu, memory] = load[&t];
        let (cpu, memory) = (
            cpu + workload.demand[Resource::Cpu],
            memory + workload.demand[Resource::Memory],
        );
        if cpu > host.usable[Resource::Cpu] || memory > host.usable[Resource::Memory] {
            continue;
        }
        let before = load[&t];
        load.insert(t, [cpu, memory]);
        assignment.push((w, t));
        let found = search(cluster, names, moving, targets, load, assignment, leaves);
        assignment.pop();
        load.insert(t, before);
        if found {
            return true;
        }
    }
    false
}

/// The best number of waves and the best total minutes over all safe plans, by search over the
/// sets of items already done. `None` when no safe plan exists.
fn brute_force(cluster: &Cluster) -> Option<(usize, u64)> {
    let items = cluster.items();
    let n = items.len();
    assert!(n <= 10, "brute force is for tiny clusters");
    let preds: Vec<u32> = items
        .iter()
        .map(|item| {
            let mut mask = 0u32;
            for rule in &cluster.orders {
                if rule.after.contains(item) {
                    for b in &rule.before {
                        mask |= 1 << items.iter().position(|i| i == b).expect("an item");
                    }
                }
            }
            mask
        })
        .collect();
    let full = (1u32 << n) - 1;
    let mut safe = vec![false; 1 << n];
    let mut minutes = vec![0u64; 1 << n];
    for set in 1..=full {
        let members: Vec<ItemId> = (0..n)
            .filter(|&i| set & (1 << i) != 0)
            .map(|i| items[i])
            .collect();
        safe[set as usize] = wave_is_safe(cluster, &members);
        minutes[set as usize] = u64::from(cluster.policy.wave_overhead_minutes)
            + members
                .iter()
                .map(|&i| u64::from(cluster.item_minutes(i)))
                .max()
                .unwrap_or(0);
    }
    // Fewest waves and least minutes to reach each done-set (done-sets grow, so index order is
    // a topological order of the transitions).
    let mut best = vec![(usize::MAX, u64::MAX); 1 << n];
    best[0] = (0, 0);
    let mut best_minutes = vec![u64::MAX; 1 << n];
    best_minutes[0] = 0;
    for done in 0..full {
        if best[done as usize].0 == usize::MAX {
            continue;
        }
        let rest = full & !done;
        let mut wave = rest;
        while wave != 0 {
            let ready = (0..n)
                .filter(|&i| wave & (1 << i) != 0)
                .all(|i| preds[i] & !done == 0);
            if ready && safe[wave as usize] {
                let next = (done | wave) as usize;
                let (w, _) = best[done as usize];
                if w + 1 < best[next].0 {
                    best[next].0 = w + 1;
                }
                let m = best_minutes[done as usize] + minutes[wave as usize];
                best_minutes[next] = best_minutes[next].min(m);
            }
            wave = (wave - 1) & rest;
        }
    }
    let waves = best[full as usize].0;
    (waves != usize::MAX).then(|| (waves, best_minutes[full as usize]))
}

fn assert_valid(cluster: &Cluster, plan: &Plan) -> Result<(), TestCaseError> {
    let validation = validate(cluster, &PlanInput::from_plan(cluster, plan));
    prop_assert!(
        validation.is_valid(),
        "the validator rejects the solver's plan: {:#?}",
        validation.violations
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    /// On small clusters under pressure: the plan is valid, optimal when it says so, equal to the
    /// brute-force optimum, deterministic; and no plan exactly when brute force finds none.
    #[test]
    fn tiny_clusters_match_brute_force(text in support::small::small_cluster()) {
        let cluster = support::load_ok("small.toml", &text).cluster;
        let oracle = brute_force(&cluster);
        let result = solve_with(&cluster, default_backend());
        match (&result, oracle) {
            (Ok(plan), Some((waves, minutes))) => {
                assert_valid(&cluster, plan)?;
                prop_assert!(plan.quality.optimal, "tiny clusters are always solved to optimality: {:?}", plan.quality);
                match cluster.policy.objective {
                    Objective::Waves => prop_assert_eq!(plan.waves.len(), waves, "{}", text),
                    Objective::Duration => prop_assert_eq!(plan.total_minutes(&cluster), minutes, "{}", text),
                }
                let again = solve_with(&cluster, default_backend());
                prop_assert_eq!(&result, &again, "same input, same plan");
                for backend in Backend::available() {
                    let mut other = solve_with(&cluster, backend);
                    if let Ok(other) = &mut other {
                        other.quality.solver = plan.quality.solver;
                    }
                    prop_assert_eq!(&other, &result, "every backend, the same plan");
                }
            }
            (Err(no_plan), None) => {
                prop_assert!(!no_plan.conflicts.is_empty());
                prop_assert!(no_plan.conflicts.iter().all(|c| !c.reason.is_empty()));
            }
            (Ok(plan), None) => {
                return Err(TestCaseError::fail(format!("solver planned {} waves where brute force finds no safe plan:\n{text}", plan.waves.len())));
            }
            (Err(no_plan), Some(best)) => {
                return Err(TestCaseError::fail(format!("solver found no plan ({no_plan:?}) where brute force finds {best:?}:\n{text}")));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// On varied clusters (up to 20 hosts, every kind of table, awkward names): every plan the
    /// solver returns passes the validator, and a refusal always comes with an explanation.
    #[test]
    fn every_plan_passes_the_validator(text in support::generate::description()) {
        let cluster = support::load_ok("generated.toml", &text).cluster;
        match solve_with(&cluster, default_backend()) {
            Ok(plan) => {
                assert_valid(&cluster, &plan)?;
                prop_assert!(plan.quality.lower_bound_waves as usize <= plan.waves.len());
            }
            Err(no_plan) => prop_assert!(no_plan.conflicts.iter().all(|c| !c.reason.is_empty()) && !no_plan.conflicts.is_empty()),
        }
    }
}
