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
//!    plan); for `duration` it minimises total minutes. Each wave of a solution is checked with
//!    an exact placement; a wave that cannot be evacuated becomes a cut and the model is solved
//!    again, so no wave leaves the solver without a placement. When the model found the plan,
//!    the assignment is made canonical (lexicographically smallest wave per item, by further
//!    solves), so the plan does not depend on which backend found it.
//!
//! The core never reads the clock: a [`Clock`] passed in by the caller bounds the time.

pub mod domains;
pub mod heuristic;
pub mod ilp;
pub mod precedence;
pub mod wave;

use crate::bounds::{self, Rule};
use crate::model::{Cluster, ItemId, Objective, Scope};
use crate::plan::{Plan, Quality, Wave};
pub use ilp::Backend;
use ilp::{Cut, IlpModel, Outcome, Request};
use precedence::Precedence;
use wave::{WaveProblem, WaveRules};

/// Elapsed time, supplied by the caller so that the core stays free of the clock.
pub trait Clock {
    /// Seconds since the solve started.
    fn elapsed(&self) -> f64;
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
    /// The items it stops, by name.
    pub items: Vec<String>,
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
                    items: Vec::new(),
                    reason: i.reason.clone(),
                })
                .collect(),
        });
    }
    let rules = WaveRules::new(cluster);
    let items = cluster.items();
    let mut conflicts = Vec::new();
    let mut only_placement = true;
    for &item in &items {
        if let Err(problem) = rules.check(&[item]) {
            only_placement &= matches!(problem, WaveProblem::Placement(_));
            conflicts.push(Conflict {
                rule: problem_rule(cluster, &problem),
                items: vec![cluster.item_name(item).to_string()],
                reason: describe(cluster, &problem, &[item]),
            });
        }
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
    let exclusive = cluster.components.iter().filter(|c| c.exclusive).count() as u32;
    let quick =
        domains::exact_domain_bound(&rules, &search.liberating, None).map_or(0, |d| d.waves + exclusive);
    let waves = match heuristic::best_plan(&rules, &precedence, bounds.waves().max(quick)) {
        Some(waves) => waves,
        None if conflicts.is_empty() => one_per_wave(&precedence, &items),
        None => match search.solve_with_cuts(items.len(), false, None, &[]) {
            Found::Plan(solution, _) => solution.into_iter().filter(|w| !w.is_empty()).collect(),
            Found::Infeasible if !search.exact_cuts_unproven => {
                return Err(NoSafePlan {
                    conflicts: merge_conflicts(conflicts),
                });
            }
            Found::Infeasible | Found::OutOfTime => {
                conflicts.push(Conflict {
                    rule: "search".to_string(),
                    items: Vec::new(),
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
    if let Some(domains) = domains::exact_domain_bound(&rules, &search.liberating, Some(&waves)) {
        lower_waves = lower_waves.max(domains.waves + exclusive);
        shared_waves = shared_waves.max(domains.waves);
        lower_minutes = domains.minutes + exclusive_minutes(cluster);
    }
    let lower_minutes = lower_minutes.max(duration_lower_bound(cluster, shared_waves));
    let (waves, quality) = match cluster.policy.objective {
        Objective::Waves => search.fewest_waves(waves, lower_waves, lower_minutes),
        Objective::Duration => search.least_minutes(waves, lower_waves, lower_minutes),
    };
    Ok(build_plan(&rules, waves, quality))
}

/// Ready hosts carrying live or restart members of mandatory fault-domain anti-affinity groups.
fn liberating_hosts(cluster: &Cluster) -> Vec<crate::model::HostId> {
    let mut hosts: Vec<_> = cluster
        .anti_affinity
        .iter()
        .filter(|g| g.mandatory && g.scope == Scope::FaultDomain)
        .flat_map(|g| g.workloads.iter())
        .map(|&w| cluster.workload(w))
        .filter(|w| w.migration.moves() && cluster.host(w.host).is_ready())
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
            .check(&wave.items)
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

struct Search<'s, 'c> {
    cluster: &'c Cluster,
    rules: &'s WaveRules<'c>,
    model: IlpModel<'c>,
    options: &'s SolveOptions<'s>,
    cuts: Vec<Cut>,
    /// Hosts that carry live or restart members of mandatory fault-domain anti-affinity groups:
    /// taking one down may free its domain for another member, so a wave that cannot be
    /// evacuated may become evacuable when such a host joins it. Every other host only makes a
    /// wave harder to evacuate.
    liberating: Vec<crate::model::HostId>,
    /// A wave was cut because its placement search ran out of budget, not because it was proven
    /// impossible: a bound proven with such cuts is not a proof.
    exact_cuts_unproven: bool,
}

/// What a solve with cuts found.
enum Found {
    Plan(Vec<Vec<ItemId>>, bool),
    Infeasible,
    OutOfTime,
}

impl Search<'_, '_> {
    fn remaining(&self) -> f64 {
        self.options.time_limit - self.options.clock.elapsed()
    }

    fn quality(&self, lower_waves: u32, lower_minutes: u64, optimal: bool, proof: &'static str) -> Quality {
        Quality {
            lower_bound_waves: lower_waves,
            lower_bound_minutes: lower_minutes,
            optimal,
            proof,
            solver: self.options.backend.name(),
            solve_seconds: 0.0,
        }
    }

    /// Solves `request` repeatedly, adding a cut for every wave that cannot be evacuated, until
    /// every wave of the solution has a placement.
    fn solve_with_cuts(
        &mut self,
        waves: usize,
        minimise: bool,
        max_minutes: Option<u64>,
        fixed: &[(ItemId, usize)],
    ) -> Found {
        self.cut_pairs();
        loop {
            let remaining = self.remaining();
            if remaining <= 0.0 {
                return Found::OutOfTime;
            }
            let request = Request {
                waves,
                minimise_minutes: minimise,
                max_minutes,
                cuts: &self.cuts,
                fixed,
                forbidden: &[],
                time_limit: remaining,
            };
            let outcome = self.model.solve(&request, self.options.backend);
            match outcome {
                Outcome::Solved {
                    waves: solution,
                    proven,
                } => {
                    let mut all_placed = true;
                    let cuts_before = self.cuts.len();
                    for wave in solution.iter().filter(|w| !w.is_empty()) {
                        match self.rules.check(wave) {
                            Ok(_) => {}
                            Err(problem) => {
                                all_placed = false;
                                self.add_cut(wave, &problem);
                            }
                        }
                    }
                    if all_placed {
                        return Found::Plan(solution, proven);
                    }
                    if self.cuts.len() == cuts_before {
                        // The backend returned a wave its cuts forbid (a numerical slip): give up
                        // on this search rather than loop, and claim nothing.
                        self.exact_cuts_unproven = true;
                        return Found::OutOfTime;
                    }
                }
                Outcome::Infeasible => return Found::Infeasible,
                Outcome::OutOfTime | Outcome::Failed(_) => return Found::OutOfTime,
            }
        }
    }

    /// Before the first solve, cut every pair of hosts that the counted rules allow together but
    /// whose workloads cannot be evacuated together: most placement cuts are pairs, and finding
    /// them up front saves a round of solving for each. Only for clusters small enough that the
    /// pairs are cheap.
    fn cut_pairs(&mut self) {
        const MAX_HOSTS: usize = 40;
        let hosts: Vec<_> = self.cluster.ready_hosts().collect();
        if hosts.len() > MAX_HOSTS || !self.cuts.is_empty() {
            return;
        }
        for (i, &a) in hosts.iter().enumerate() {
            for &b in &hosts[i + 1..] {
                let mut state = self.rules.empty();
                state.add(ItemId::Host(a));
                state.add(ItemId::Host(b));
                if state.problem().is_some() {
                    continue;
                }
                if let Err(WaveProblem::Placement(_)) = state.place() {
                    let cut = self.cut(vec![a, b]);
                    self.cuts.push(cut);
                }
            }
        }
    }

    /// The cut for a set of hosts proven impossible to evacuate together.
    fn cut(&self, hosts: Vec<crate::model::HostId>) -> Cut {
        let exceptions = self
            .liberating
            .iter()
            .copied()
            .filter(|h| hosts.binary_search(h).is_err())
            .collect();
        Cut {
            hosts,
            exceptions: Some(exceptions),
        }
    }

    fn add_cut(&mut self, wave: &[ItemId], problem: &WaveProblem) {
        let mut hosts: Vec<_> = wave
            .iter()
            .filter_map(|i| match i {
                ItemId::Host(h) => Some(*h),
                ItemId::Component(_) => None,
            })
            .collect();
        hosts.sort_unstable();
        let exact = Cut {
            hosts: hosts.clone(),
            exceptions: None,
        };
        let cut = if matches!(problem, WaveProblem::Placement(_)) {
            let hosts = self.minimal_impossible(hosts);
            self.cut(hosts)
        } else {
            // Not proven impossible (the placement search ran out of budget): forbid only this
            // very set, and no longer claim optimality.
            self.exact_cuts_unproven = true;
            exact.clone()
        };
        // Every round must forbid the wave it found; the exact cut always does.
        if !self.cuts.contains(&cut) {
            self.cuts.push(cut);
        } else if !self.cuts.contains(&exact) {
            self.cuts.push(exact);
        }
    }

    /// Shrinks a set of hosts that cannot be evacuated together to a minimal such set, so that
    /// its cut forbids as many waves as possible. Liberating hosts stay: a cut excepts the
    /// liberating hosts outside its set, so dropping one would let the same wave through again.
    fn minimal_impossible(&self, mut hosts: Vec<crate::model::HostId>) -> Vec<crate::model::HostId> {
        let mut i = 0;
        while i < hosts.len() && hosts.len() > 1 {
            if self.liberating.binary_search(&hosts[i]).is_ok() {
                i += 1;
                continue;
            }
            let mut smaller = hosts.clone();
            smaller.remove(i);
            let impossible = matches!(
                crate::placement::place(self.cluster, &smaller, self.rules.placement_budget),
                crate::placement::Placement::Impossible(_)
            );
            if impossible {
                hosts = smaller;
            } else {
                i += 1;
            }
        }
        hosts
    }

    fn fewest_waves(
        &mut self,
        best: Vec<Vec<ItemId>>,
        lower: u32,
        lower_minutes: u64,
    ) -> (Vec<Vec<ItemId>>, Quality) {
        let mut best = best;
        let mut lower = lower as usize;
        if best.len() <= lower {
            let quality = self.quality(best.len() as u32, lower_minutes, true, "bounds");
            return (best, quality);
        }
        let mut from_ilp = false;
        let mut out_of_time = false;
        let (first, last) = (lower, best.len());
        for t in first..last {
            match self.solve_with_cuts(t, false, None, &[]) {
                Found::Infeasible => lower = t + 1,
                Found::Plan(solution, _) => {
                    best = solution.into_iter().filter(|w| !w.is_empty()).collect();
                    from_ilp = true;
                    lower = lower.max(t);
                    break;
                }
                Found::OutOfTime => {
                    out_of_time = true;
                    break;
                }
            }
        }
        let proven = !out_of_time && !self.exact_cuts_unproven && lower >= best.len();
        if from_ilp {
            best = self.canonical(best, None);
        }
        let proof = if proven { "ilp" } else { "none" };
        let quality = self.quality(lower.min(best.len()) as u32, lower_minutes, proven, proof);
        (best, quality)
    }

    fn least_minutes(
        &mut self,
        best: Vec<Vec<ItemId>>,
        lower_waves: u32,
        lower_minutes: u64,
    ) -> (Vec<Vec<ItemId>>, Quality) {
        let minutes = |waves: &[Vec<ItemId>]| {
            crate::plan::total_minutes(
                self.cluster,
                &waves.iter().map(|w| Wave::new(w.clone())).collect::<Vec<_>>(),
            )
        };
        let upper = minutes(&best);
        if upper <= lower_minutes {
            return (best, self.quality(lower_waves, lower_minutes, true, "bounds"));
        }
        // No optimal plan has more waves than the upper bound allows at the cheapest wave cost.
        let cheapest = u64::from(self.cluster.policy.wave_overhead_minutes)
            + self
                .cluster
                .items()
                .iter()
                .map(|&i| u64::from(self.cluster.item_minutes(i)))
                .min()
                .unwrap_or(0);
        let horizon = upper
            .checked_div(cheapest)
            .map_or(self.cluster.items().len(), |w| w as usize)
            .clamp(best.len(), self.cluster.items().len().max(1));
        match self.solve_with_cuts(horizon, true, None, &[]) {
            Found::Plan(solution, proven) => {
                let solution: Vec<Vec<ItemId>> = solution.into_iter().filter(|w| !w.is_empty()).collect();
                let found = minutes(&solution);
                let (mut waves, value) = if found < upper {
                    (solution, found)
                } else {
                    (best, upper)
                };
                let proven = proven && !self.exact_cuts_unproven;
                if found < upper {
                    waves = self.canonical(waves, Some(value));
                }
                let lower = if proven { value } else { lower_minutes };
                let mut quality =
                    self.quality(lower_waves, lower, proven, if proven { "ilp" } else { "none" });
                quality.lower_bound_minutes = lower;
                (waves, quality)
            }
            Found::Infeasible | Found::OutOfTime => {
                (best, self.quality(lower_waves, lower_minutes, false, "none"))
            }
        }
    }

    /// The lexicographically smallest assignment (earliest wave for each item in id order) with
    /// as many waves as `waves` and, for `duration`, no more than `max_minutes`. Found by fixing items one
    /// at a time, so it does not depend on which solution a backend happened to return.
    fn canonical(&mut self, waves: Vec<Vec<ItemId>>, max_minutes: Option<u64>) -> Vec<Vec<ItemId>> {
        let t_max = waves.len();
        let mut current = waves;
        let mut fixed: Vec<(ItemId, usize)> = Vec::new();
        let items = self.cluster.items();
        for &item in &items {
            let now = current
                .iter()
                .position(|w| w.contains(&item))
                .expect("every item is placed");
            let mut settled = now;
            for t in 0..now {
                let mut trial_fixed = fixed.clone();
                trial_fixed.push((item, t));
                match self.solve_with_cuts(t_max, false, max_minutes, &trial_fixed) {
                    Found::Plan(solution, _)
                        if max_minutes.is_some() || solution.iter().all(|w| !w.is_empty()) =>
                    {
                        current = solution;
                        settled = t;
                        break;
                    }
                    Found::Plan(..) | Found::Infeasible => {}
                    Found::OutOfTime => return current,
                }
            }
            fixed.push((item, settled));
        }
        current
    }
}

/// A lower bound on total minutes. Every exclusive component's wave lasts its overhead and
/// upgrade. Hosts fill at least `shared_waves` waves (and at least hosts / `max_hosts_per_wave`);
/// the wave holding the longest host lasts that long, and after removing a wave (at most
/// `max_hosts_per_wave` hosts) the longest host left bounds the next wave, and so on. Without
/// hosts, shared components need one wave as long as the longest of them.
pub fn duration_lower_bound(cluster: &Cluster, shared_waves: u32) -> u64 {
    let overhead = u64::from(cluster.policy.wave_overhead_minutes);
    let exclusive = exclusive_minutes(cluster);
    let mut hosts: Vec<u64> = cluster
        .ready_hosts()
        .map(|h| u64::from(cluster.host(h).upgrade_minutes))
        .collect();
    if hosts.is_empty() {
        let shared = cluster
            .components
            .iter()
            .filter(|c| !c.exclusive)
            .map(|c| overhead + u64::from(c.upgrade_minutes))
            .max()
            .unwrap_or(0);
        return exclusive + shared;
    }
    hosts.sort_unstable_by(|a, b| b.cmp(a));
    let per_wave = max_hosts_in_a_wave(cluster);
    let waves = (shared_waves.max(1) as usize).max(hosts.len().div_ceil(per_wave));
    let longest: u64 = (0..waves)
        .map(|j| hosts[(j * per_wave).min(hosts.len() - 1)])
        .sum();
    exclusive + overhead * waves as u64 + longest
}

/// Minutes of the exclusive components' own waves.
fn exclusive_minutes(cluster: &Cluster) -> u64 {
    let overhead = u64::from(cluster.policy.wave_overhead_minutes);
    cluster
        .components
        .iter()
        .filter(|c| c.exclusive)
        .map(|c| overhead + u64::from(c.upgrade_minutes))
        .sum()
}

/// The most hosts one wave can take: the cap, and the hosts of the largest fault domains (sites)
/// that may be down besides those already down.
fn max_hosts_in_a_wave(cluster: &Cluster) -> usize {
    let ready: Vec<_> = cluster.ready_hosts().collect();
    let mut most = cluster
        .policy
        .max_hosts_per_wave
        .map_or(ready.len(), |m| m as usize);
    for (limit, key) in crate::bounds::domain_levels(cluster) {
        let Some(limit) = limit else { continue };
        let already: std::collections::BTreeSet<u32> = cluster.unavailable_hosts().filter_map(&key).collect();
        let mut sizes: std::collections::BTreeMap<Option<u32>, usize> = std::collections::BTreeMap::new();
        for &h in &ready {
            // Hosts outside any site, or in a domain already down, never count against the limit.
            let domain = key(h).filter(|d| !already.contains(d));
            *sizes.entry(domain).or_default() += 1;
        }
        let free = sizes.remove(&None).unwrap_or(0);
        let mut counts: Vec<usize> = sizes.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let slots = (limit as usize).saturating_sub(already.len());
        most = most.min(free + counts.iter().take(slots).sum::<usize>());
    }
    most.max(1)
}

fn rule_name(cluster: &Cluster, rule: Rule) -> String {
    match rule {
        Rule::Items => "items".to_string(),
        Rule::ExclusiveComponents => "exclusive components".to_string(),
        Rule::MaxHostsPerWave => "max_hosts_per_wave".to_string(),
        Rule::FaultDomains => "max_fault_domains_down".to_string(),
        Rule::Sites => "max_sites_down".to_string(),
        Rule::Quorum(g) => format!("quorum group {}", cluster.quorum_groups[g.index()].name),
        Rule::Budget(b) => format!("disruption budget {}", cluster.budgets[b.index()].name),
        Rule::Capacity(r) => format!("{r} capacity"),
        Rule::OrderChain => "order".to_string(),
        Rule::Evacuation => "evacuation".to_string(),
    }
}

fn problem_rule(cluster: &Cluster, problem: &WaveProblem) -> String {
    match problem {
        WaveProblem::Exclusive(_) => "exclusive components".to_string(),
        WaveProblem::MaxHosts { .. } => "max_hosts_per_wave".to_string(),
        WaveProblem::FaultDomains { .. } => "max_fault_domains_down".to_string(),
        WaveProblem::Sites { .. } => "max_sites_down".to_string(),
        WaveProblem::Quorum { group, .. } => {
            format!("quorum group {}", cluster.quorum_groups[group.index()].name)
        }
        WaveProblem::Budget { budget, .. } => {
            format!("disruption budget {}", cluster.budgets[budget.index()].name)
        }
        WaveProblem::Placement(_) | WaveProblem::PlacementUnknown => "evacuation capacity".to_string(),
    }
}

/// A wave problem in operator terms.
pub fn describe(cluster: &Cluster, problem: &WaveProblem, items: &[ItemId]) -> String {
    let names = items
        .iter()
        .map(|&i| cluster.item_name(i))
        .collect::<Vec<_>>()
        .join(", ");
    let hosts: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            ItemId::Host(h) => Some(*h),
            ItemId::Component(_) => None,
        })
        .collect();
    match problem {
        WaveProblem::Exclusive(c) => format!(
            "component {} is exclusive and cannot share a wave with {names}",
            cluster.component(*c).name
        ),
        WaveProblem::MaxHosts { hosts, limit } => {
            format!("{hosts} hosts in one wave, but max_hosts_per_wave is {limit}")
        }
        WaveProblem::FaultDomains { down, limit } => format!(
            "taking down {names} puts {} fault domains down ({}), but at most {limit} may be down",
            down.len(),
            down.iter()
                .map(|d| cluster.fault_domain(*d).name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        WaveProblem::Sites { down, limit } => format!(
            "taking down {names} puts {} sites down ({}), but at most {limit} may be down",
            down.len(),
            down.iter()
                .map(|s| cluster.sites[s.index()].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        WaveProblem::Quorum { group, down, allowed } => {
            let g = &cluster.quorum_groups[group.index()];
            format!(
                "quorum group {}: {} member{}, {} votes, quorum {}, so at most {} vote{} may be down; upgrading {names} takes down {down}",
                g.name,
                g.members.len(),
                if g.members.len() == 1 { "" } else { "s" },
                g.total_votes(),
                g.quorum,
                (*allowed).max(0),
                if *allowed == 1 { "" } else { "s" }
            )
        }
        WaveProblem::Budget {
            budget,
            down,
            allowed,
        } => {
            let b = &cluster.budgets[budget.index()];
            format!(
                "disruption budget {}: at most {} of its {} workloads may be down; upgrading {names} takes down {down}",
                b.name,
                (*allowed).max(0),
                b.workloads.len()
            )
        }
        WaveProblem::Placement(shortfall) => shortfall.describe(cluster, &hosts),
        WaveProblem::PlacementUnknown => format!(
            "no placement for the workloads of {names} was found within the search budget (none was proven impossible either)"
        ),
    }
}

/// Conflicts with the same rule and reason are one conflict over several items.
fn merge_conflicts(conflicts: Vec<Conflict>) -> Vec<Conflict> {
    let mut merged: Vec<Conflict> = Vec::new();
    for c in conflicts {
        match merged
            .iter_mut()
            .find(|m| m.rule == c.rule && m.reason == c.reason)
        {
            Some(m) => m.items.extend(c.items),
            None => merged.push(c),
        }
    }
    merged
}
