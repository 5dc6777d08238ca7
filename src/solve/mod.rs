//! Pass 5: the optimal wave planner.
//!
//! One entry point, [`solve`], in four steps:
//!
//! 1. **Lower bounds** ([`crate::bounds`]) and impossibilities found without search.
//! 2. **Items alone.** If every item can go down in a wave of its own, a plan exists (one item per
//!    wave, in an order the order rules allow); if one cannot, no plan exists, and the rule that
//!    stops it is the explanation. So "no safe plan" is always explained by a single item and a
//!    single rule, with the numbers.
//! 3. **A constructive heuristic** gives a safe plan: the upper bound.
//! 4. **The integer program** closes the gap: for the `waves` objective it asks, from the lower
//!    bound up, whether `T` waves suffice (infeasible raises the bound, feasible lowers the
//!    plan); for `duration` it searches the counts of waves reaching each upgrade time, cheapest
//!    first (`by_duration.rs`). Each wave of a solution is checked with
//!    an exact placement; a wave that cannot be evacuated becomes a cut and the model is solved
//!    again, so no wave leaves the solver without a placement. When the model found the plan,
//!    the assignment is made canonical (lexicographically smallest wave per item, by further
//!    solves), so the plan does not depend on which backend found it.
//!
//! The core never reads the clock: a [`Clock`] passed in by the caller bounds the time, and hears
//! of every placement made ([`Clock::work`]).
//!
//! On large clusters (more than [`wave::LARGE`] items, issue 10) step 2 places each host
//! greedily and keeps the placement, step 3 grows waves on greedy placements
//! ([`large`]), the placements found are reused for the plan's moves, and step 4 runs only
//! with a backend that keeps its time limit: so a safe plan comes back soon after the limit
//! at any size, the one-item-per-wave plan of step 2 at worst.

mod by_duration;
mod cover;
mod duration;
mod exact;
mod explain;

pub(crate) mod domains;
pub(crate) mod heuristic;
pub(crate) mod ilp;
pub(crate) mod large;
pub(crate) mod precedence;
pub(crate) mod wave;

use crate::bounds;
use crate::model::{Cluster, ItemId, Objective, Scope};
use crate::plan::{Plan, Quality, Wave};
use crate::rules::Rule;
use domains::Pass;
pub use duration::duration_lower_bound;
use duration::exclusive_minutes;
use exact::{Found, Search};
pub use explain::describe;
use explain::{merge_conflicts, problem_rule, rule_name};
pub use ilp::Backend;
use ilp::IlpModel;
use precedence::Precedence;
use wave::{WaveProblem, WaveRules};

/// Elapsed time, supplied by the caller so that the core stays free of the clock.
pub trait Clock {
    /// Seconds since the solve started.
    fn elapsed(&self) -> f64;

    /// Called when the solver has a safe plan of `best_waves` waves (the best so far) and a
    /// lower bound of `lower_bound` waves, so a caller can show progress. Does nothing unless
    /// the caller's clock overrides it.
    fn progress(&self, best_waves: usize, lower_bound: u32) {
        let _ = (best_waves, lower_bound);
    }

    /// Called for each placement the solver makes, so that a caller can follow the work done:
    /// a test clock can count it, where timing would depend on the machine. Does nothing
    /// unless the caller's clock overrides it.
    fn work(&self, work: Work) {
        let _ = work;
    }
}

/// A unit of the solver's work, reported to [`Clock::work`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// An exact placement search for a wave of this many hosts (linear in the cluster's hosts
    /// for each workload it moves).
    Search {
        /// The wave's hosts.
        hosts: usize,
    },
    /// One host added to a wave on a greedy placement (linear in that host's workloads).
    Greedy,
}

/// A clock that never advances: every backend call gets the whole time limit.
pub struct NoClock;

impl Clock for NoClock {
    fn elapsed(&self) -> f64 {
        0.0
    }
}

/// How to solve.
pub struct SolveOptions<'a> {
    /// The MILP backend.
    pub backend: Backend,
    /// Seconds the whole solve may take; when they run out, the best safe plan so far is
    /// returned with its lower bound, not proven optimal.
    pub time_limit: f64,
    /// The caller's clock.
    pub clock: &'a dyn Clock,
}

/// One reason no safe plan exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The rule, e.g. "quorum group etcd".
    pub rule: String,
    /// The rule, typed: the same names as the bounds use.
    pub rule_id: Rule,
    /// The items it stops, by name.
    pub items: Vec<String>,
    /// The items it stops, by id, in the order of `items`.
    pub item_ids: Vec<ItemId>,
    /// Why, in operator terms with the numbers.
    pub reason: String,
}

/// No safe plan exists: the rules that conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoSafePlan {
    /// The conflicts found; each alone rules out every plan.
    pub conflicts: Vec<Conflict>,
}

/// Finds an optimal safe plan, or explains why none exists.
pub fn solve(cluster: &Cluster, options: &SolveOptions<'_>) -> Result<Plan, NoSafePlan> {
    let bounds = bounds::bounds(cluster);
    if !bounds.impossible.is_empty() {
        return Err(NoSafePlan {
            conflicts: bounds
                .impossible
                .iter()
                .map(|i| Conflict {
                    rule: rule_name(cluster, i.rule),
                    rule_id: i.rule,
                    items: Vec::new(),
                    item_ids: Vec::new(),
                    reason: i.reason.clone(),
                })
                .collect(),
        });
    }
    let expired = || options.time_limit - options.clock.elapsed() <= 0.0;
    let rules = WaveRules::new(cluster).with_clock(options.clock, options.time_limit);
    let items = cluster.items();
    let mut conflicts = Vec::new();
    let mut only_placement = true;
    for (item, problem) in alone(&rules, &items) {
        only_placement &= matches!(problem, WaveProblem::Placement(_));
        conflicts.push(Conflict {
            rule: problem_rule(cluster, &problem),
            rule_id: problem.rule(),
            items: vec![cluster.item_name(item).to_string()],
            item_ids: vec![item],
            reason: describe(cluster, &problem, &[item]),
        });
    }
    // Counted rules only get harder as a wave grows, and so does evacuation, except with
    // fault-domain anti-affinity: a member moving out of a domain can free it for another. Only
    // there may a host that cannot go alone still go together with others.
    let liberating = liberating_hosts(cluster);
    let monotone = liberating.is_empty();
    if !conflicts.is_empty() && (monotone || !only_placement) {
        return Err(NoSafePlan {
            conflicts: merge_conflicts(conflicts),
        });
    }

    let precedence = Precedence::new(cluster);
    let mut search = Search {
        cluster,
        rules: &rules,
        model: IlpModel::new(&rules, &precedence),
        options,
        cuts: Vec::new(),
        liberating,
        exact_cuts_unproven: false,
    };
    let exclusive = cluster
        .upgraded_components()
        .filter(|&c| cluster.component(c).exclusive)
        .count() as u32;
    let quick = domains::exact_domain_bound(&rules, &bounds, &search.liberating, Pass::Quick, &expired)
        .map_or(0, |d| d.waves + exclusive);
    let mut lower = bounds.waves().max(quick);
    // The heuristic first, for a moment: on most clusters it meets the bound at once.
    let start = options.clock.elapsed();
    let duration = cluster.policy.objective == Objective::Duration;
    // For `duration` the heuristic's plan is the search's incumbent in minutes, which meeting
    // the wave bound says nothing of: it gets its whole course, as before the domain search.
    let moment = match duration {
        true => f64::INFINITY,
        false => (0.1 * options.time_limit).min(HEURISTIC_FIRST),
    };
    let soon = || expired() || options.clock.elapsed() - start >= moment;
    let mut best = heuristic::best_plan(&rules, &precedence, lower, &soon);
    let mut searched = None;
    if (duration || best.as_ref().is_none_or(|plan| plan.len() > lower as usize)) && !expired() {
        // Then each fault domain's fewest waves, by search: a stronger bound, and, put
        // together, often a plan at it.
        searched = domains::exact_domain_bound(&rules, &bounds, &search.liberating, Pass::Search, &expired);
        if let Some(d) = &searched {
            lower = lower.max(d.waves + exclusive);
        }
        let by_domains = searched
            .as_ref()
            .and_then(|d| d.partition.as_deref())
            .filter(|_| conflicts.is_empty())
            .and_then(|partition| plan_of_partition(&rules, &precedence, partition));
        best = better(cluster, best, by_domains);
        if best.as_ref().is_none_or(|plan| plan.len() > lower as usize) && !expired() {
            best = better(
                cluster,
                best,
                heuristic::best_plan(&rules, &precedence, lower, &expired),
            );
        }
    }
    let (waves, from_ilp) = match best {
        Some(waves) => (waves, false),
        None if conflicts.is_empty() => (one_per_wave(&precedence, &items), false),
        None => match search.solve_with_cuts(items.len(), None, &[], &exact::Restriction::default()) {
            Found::Plan(solution) => (solution.into_iter().filter(|w| !w.is_empty()).collect(), true),
            Found::Infeasible if !search.exact_cuts_unproven => {
                return Err(NoSafePlan {
                    conflicts: merge_conflicts(conflicts),
                });
            }
            Found::Infeasible | Found::OutOfTime => {
                conflicts.push(Conflict {
                    rule: Rule::TimeLimit.describe(cluster),
                    rule_id: Rule::TimeLimit,
                    items: Vec::new(),
                    item_ids: Vec::new(),
                    reason: "no safe plan was found within the time limit, and none was proven impossible; try a longer --time-limit".to_string(),
                });
                return Err(NoSafePlan {
                    conflicts: merge_conflicts(conflicts),
                });
            }
        },
    };
    let mut lower_waves = bounds.waves();
    let mut shared_waves = bounds.shared_waves;
    let mut lower_minutes = 0;
    // Where the quick bound searched every domain to the end, the plan cannot make it better.
    let domains = match searched {
        Some(searched) if searched.partition.is_some() => Some(searched),
        _ => domains::exact_domain_bound(&rules, &bounds, &search.liberating, Pass::Plan(&waves), &expired),
    };
    if let Some(domains) = domains {
        lower_waves = lower_waves.max(domains.waves + exclusive);
        shared_waves = shared_waves.max(domains.waves);
        lower_minutes = domains.minutes + exclusive_minutes(cluster);
    }
    let lower_minutes = lower_minutes
        .max(duration_lower_bound(cluster, shared_waves))
        .max(duration::minutes_for_waves(cluster, lower_waves));
    options.clock.progress(waves.len(), lower_waves);
    let (waves, quality) = match cluster.policy.objective {
        Objective::Waves => search.fewest_waves(waves, from_ilp, lower_waves, lower_minutes),
        Objective::Duration => search.least_minutes(waves, from_ilp, lower_waves, lower_minutes),
    };
    Ok(build_plan(&rules, waves, quality))
}

/// The items that cannot go down even alone, each with the rule that stops it. On a large
/// cluster each host is first placed greedily, on one wave it joins and leaves again (its
/// placement is kept: it is the plan of last resort); only the hosts greedy cannot place get
/// the exact search. No deadline here: these checks decide whether a plan exists at all.
fn alone(rules: &WaveRules<'_>, items: &[ItemId]) -> Vec<(ItemId, WaveProblem)> {
    let mut greedy = rules.evacuator().map(|e| e.wave());
    let mut problems = Vec::new();
    for &item in items {
        if let (Some(wave), ItemId::Host(h)) = (greedy.as_mut(), item) {
            let mut counts = rules.empty();
            counts.add(item);
            rules.report(Work::Greedy);
            if counts.problem().is_none() && wave.try_add(h) {
                rules.keep(&[item], (wave.moves(), wave.broken_should()));
                wave.pop();
                continue;
            }
        }
        if let Err(problem) = rules.check_patiently(&[item]) {
            problems.push((item, problem));
        }
    }
    problems
}

/// Seconds the heuristic gets before the domains are searched (or a tenth of the time limit,
/// when less).
const HEURISTIC_FIRST: f64 = 0.2;

/// The better plan by the cluster's objective (fewer waves, or fewer minutes and then fewer
/// waves), the first on a tie.
fn better(
    cluster: &Cluster,
    a: Option<Vec<Vec<ItemId>>>,
    b: Option<Vec<Vec<ItemId>>>,
) -> Option<Vec<Vec<ItemId>>> {
    let key = |plan: &[Vec<ItemId>]| {
        let minutes = match cluster.policy.objective {
            Objective::Waves => 0,
            Objective::Duration => crate::plan::total_minutes(
                cluster,
                &plan.iter().map(|w| Wave::new(w.clone())).collect::<Vec<_>>(),
            ),
        };
        (minutes, plan.len())
    };
    match (a, b) {
        (Some(a), Some(b)) => Some(if key(&b) < key(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// A plan made of the fewest (or, for `duration`, the quickest) waves of each fault domain
/// (`partition`, each wave safe as far as
/// the search knew) and a wave for each other item, in an order the order rules allow; `None`
/// when no such order exists or a wave is not proven safe.
fn plan_of_partition(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    partition: &[Vec<crate::model::HostId>],
) -> Option<Vec<Vec<ItemId>>> {
    let cluster = rules.cluster();
    let in_partition: std::collections::HashSet<ItemId> =
        partition.iter().flatten().map(|&h| ItemId::Host(h)).collect();
    let mut waves: Vec<Vec<ItemId>> = cluster
        .items()
        .into_iter()
        .filter(|i| !in_partition.contains(i))
        .map(|i| vec![i])
        .collect();
    waves.extend(
        partition
            .iter()
            .map(|w| w.iter().map(|&h| ItemId::Host(h)).collect()),
    );
    let mut done = std::collections::HashSet::new();
    let mut ordered = Vec::with_capacity(waves.len());
    while !waves.is_empty() {
        let ready = waves.iter().position(|wave| {
            wave.iter()
                .all(|&i| precedence.predecessors(i).all(|p| done.contains(&p)))
        })?;
        let wave = waves.remove(ready);
        done.extend(wave.iter().copied());
        ordered.push(wave);
    }
    ordered
        .iter()
        .all(|wave| rules.check(wave).is_ok())
        .then_some(ordered)
}

/// Ready hosts carrying live or restart members of mandatory fault-domain anti-affinity groups.
pub(super) fn liberating_hosts(cluster: &Cluster) -> Vec<crate::model::HostId> {
    let mut hosts: Vec<_> = cluster
        .anti_affinity
        .iter()
        .filter(|g| g.mandatory && g.scope == Scope::FaultDomain)
        .flat_map(|g| g.workloads.iter())
        .map(|&w| cluster.workload(w))
        .filter(|w| w.migration.moves() && cluster.host(w.host).is_upgraded())
        .map(|w| w.host)
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    hosts
}

/// Every item alone, in an order the rules allow: the plan that exists whenever each item can go
/// down alone.
fn one_per_wave(precedence: &Precedence, items: &[ItemId]) -> Vec<Vec<ItemId>> {
    let mut done = std::collections::HashSet::new();
    let mut waves = Vec::new();
    while done.len() < items.len() {
        let next = items
            .iter()
            .copied()
            .find(|i| !done.contains(i) && precedence.predecessors(*i).all(|p| done.contains(&p)))
            .expect("order rules have no cycle");
        done.insert(next);
        waves.push(vec![next]);
    }
    waves
}

fn build_plan(rules: &WaveRules<'_>, waves: Vec<Vec<ItemId>>, quality: Quality) -> Plan {
    let cluster = rules.cluster();
    let mut plan_waves = Vec::new();
    let mut warnings = Vec::new();
    for (t, items) in waves.into_iter().filter(|w| !w.is_empty()).enumerate() {
        let mut wave = Wave::new(items);
        let (moves, broken) = rules
            .check_patiently(&wave.items)
            .expect("every wave leaving the solver was checked with a placement");
        wave.moves = moves;
        for g in broken {
            warnings.push(format!(
                "wave {}: \"should\" anti-affinity group {} is broken while the wave runs",
                t + 1,
                cluster.anti_affinity[g.index()].name
            ));
        }
        plan_waves.push(wave);
    }
    Plan {
        waves: plan_waves,
        quality,
        warnings,
    }
}
