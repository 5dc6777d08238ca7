//! The time-indexed integer program, in good_lp.
//!
//! Binary `x[i][t]` puts item `i` in wave `t`. Per wave, the counted rules are linear: hosts
//! per wave, fault domains and sites down (through indicator variables), quorum and budget
//! down-counts, and the aggregate evacuation capacity with reserve. Order rules compare wave
//! positions through one separator variable per rule, so a rule costs `|before| + |after|` rows.
//! Exact placement is not in the model: the caller checks each wave of a solution and, when a
//! set of hosts is proven impossible to evacuate, adds a cut forbidding it and solves again.
//!
//! Without order rules waves are interchangeable, so item `k` (in a fixed order) may only use
//! waves `0..=k`, the classic symmetry breaking for bin packing.

use std::collections::HashMap;

use good_lp::solvers::{ResolutionError, Solution, SolutionStatus, SolverModel, WithTimeLimit};
use good_lp::{Constraint, Expression, ProblemVariables, Variable, variable};

use crate::model::{Cluster, HostId, ItemId};
use crate::rules::{self, Rule, levels::Level};
use crate::solve::precedence::Precedence;
use crate::solve::wave::WaveRules;

/// A MILP backend compiled into this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// microlp: pure Rust, the default.
    Microlp,
    /// HiGHS, with the `highs` feature.
    Highs,
}

impl Backend {
    /// Every backend compiled in, the default first.
    pub fn available() -> Vec<Backend> {
        let mut list = Vec::new();
        if cfg!(feature = "microlp") {
            list.push(Backend::Microlp);
        }
        if cfg!(feature = "highs") {
            list.push(Backend::Highs);
        }
        list
    }

    /// The backend used when none is chosen.
    pub fn default_backend() -> Option<Backend> {
        Self::available().first().copied()
    }

    /// The backend's name, as `--solver` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Microlp => "microlp",
            Backend::Highs => "highs",
        }
    }

    /// Parses a `--solver` value among the compiled-in backends.
    pub fn from_name(name: &str) -> Option<Backend> {
        Self::available().into_iter().find(|b| b.name() == name)
    }
}

/// A set of hosts that cannot be one wave's hosts because their workloads cannot be evacuated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// The hosts, sorted.
    pub hosts: Vec<HostId>,
    /// Hosts whose joining the wave could make it evacuable again (they carry members of a
    /// fault-domain anti-affinity group, whose leaving can free a domain): the cut forbids every
    /// wave containing all of `hosts` and none of these. `None`: every other host (forbid
    /// exactly this set, for a set not proven impossible).
    pub exceptions: Option<Vec<HostId>>,
}

/// What to solve.
pub struct Request<'a> {
    /// Number of waves available.
    pub waves: usize,
    /// Only assignments of at most this many minutes in all.
    pub max_minutes: Option<u64>,
    /// Placement cuts.
    pub cuts: &'a [Cut],
    /// Items fixed to a wave.
    pub fixed: &'a [(ItemId, usize)],
    /// Items kept out of a wave.
    pub forbidden: &'a [(ItemId, usize)],
    /// Items left out of the problem: in no wave, their order rules dropped. A plan of the other
    /// items is asked for, to bound what a subset of the items needs on its own.
    pub absent: &'a [ItemId],
    /// Caps on how many waves may hold an item of at least so many minutes (exclusive components
    /// aside): the wave counts of the `duration` search.
    pub level_caps: &'a [LevelCap],
    /// Seconds the backend may take.
    pub time_limit: f64,
}

/// At most `waves` waves may hold a shared item (not an exclusive component) of at least
/// `minutes` minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelCap {
    /// The threshold, in minutes.
    pub minutes: u32,
    /// The waves allowed at or above it.
    pub waves: usize,
}

/// The answer of one solve.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// An assignment: the items of each wave (some waves may be empty); `proven` when the
    /// backend proved it optimal for the objective.
    Solved {
        /// Items per wave.
        waves: Vec<Vec<ItemId>>,
        /// Whether the objective value is proven optimal.
        proven: bool,
    },
    /// No assignment exists.
    Infeasible,
    /// The time limit passed without an answer.
    OutOfTime,
    /// The backend failed.
    Failed(String),
}

/// The parts of the model that do not depend on the number of waves.
pub struct IlpModel<'c> {
    cluster: &'c Cluster,
    items: Vec<ItemId>,
    index: HashMap<ItemId, usize>,
    /// Per rule type: (capacity per wave, amount per item index).
    packings: Vec<(f64, Vec<(usize, f64)>)>,
    /// Fault domains (and sites) of items, with how many may be down beyond the always-down.
    domain_limits: Vec<(u32, Vec<(usize, u32)>)>,
    exclusive: Vec<usize>,
    hosts: Vec<usize>,
    orders: Vec<(Vec<usize>, Vec<usize>)>,
}

impl<'c> IlpModel<'c> {
    /// Precomputes the rows of every counted rule.
    pub fn new(wave_rules: &WaveRules<'c>, precedence: &Precedence) -> Self {
        let cluster = wave_rules.cluster();
        let items = cluster.items();
        let index: HashMap<ItemId, usize> = items.iter().enumerate().map(|(i, &item)| (item, i)).collect();
        // The rows the bounds use, in the order quorum groups, budgets, capacity, host cap.
        let rank = |rule: &Rule| match rule {
            Rule::Quorum(_) => 0,
            Rule::Budget(_) => 1,
            Rule::Capacity(_) => 2,
            _ => 3,
        };
        let mut rows = rules::rows(cluster);
        rows.sort_by_key(|row| rank(&row.rule));
        let mut packings: Vec<(f64, Vec<(usize, f64)>)> = rows
            .iter()
            .map(|row| {
                let amounts = row
                    .amounts
                    .iter()
                    // A member without votes takes nothing down.
                    .filter(|&&(_, a)| a > 0 || !matches!(row.rule, Rule::Quorum(_)))
                    .map(|&(item, a)| (index[&item], a as f64))
                    .collect();
                let per_wave = match row.rule {
                    // Quorum and budget rows may be negative (broken at rest: infeasible);
                    // the capacity pool never goes below zero.
                    Rule::Capacity(_) => row.per_wave.max(0),
                    _ => row.per_wave,
                };
                (per_wave as f64, amounts)
            })
            .collect();
        // Drop rows that can never bind.
        packings.retain(|(cap, amounts)| amounts.iter().map(|(_, a)| a).sum::<f64>() > *cap);

        let ready: Vec<HostId> = cluster.upgraded_hosts().collect();
        let mut domain_limits = Vec::new();
        for level in Level::ALL {
            let Some(limit) = level.limit(cluster) else {
                continue;
            };
            let always = level.down_at_rest(cluster);
            let members: Vec<(usize, u32)> = ready
                .iter()
                .filter_map(|&h| {
                    level
                        .of(cluster, h)
                        .filter(|d| !always.contains(d))
                        .map(|d| (index[&ItemId::Host(h)], d))
                })
                .collect();
            let distinct: std::collections::BTreeSet<u32> = members.iter().map(|(_, d)| *d).collect();
            let free = limit.saturating_sub(always.len() as u32);
            if distinct.len() as u32 > free {
                domain_limits.push((free, members));
            }
        }
        let exclusive = items
            .iter()
            .enumerate()
            .filter(|&(_, &item)| rules::is_exclusive(cluster, item))
            .map(|(i, _)| i)
            .collect();
        let hosts = items
            .iter()
            .enumerate()
            .filter(|(_, item)| matches!(item, ItemId::Host(_)))
            .map(|(i, _)| i)
            .collect();
        let orders = precedence
            .rules()
            .map(|(b, a)| {
                (
                    b.iter().map(|i| index[i]).collect(),
                    a.iter().map(|i| index[i]).collect(),
                )
            })
            .collect();
        IlpModel {
            cluster,
            items,
            index,
            packings,
            domain_limits,
            exclusive,
            hosts,
            orders,
        }
    }

    /// Whether order rules tie waves to positions (without them, waves are interchangeable).
    pub fn has_order_rules(&self) -> bool {
        !self.orders.is_empty()
    }

    /// Solves one request with `backend`.
    #[allow(clippy::needless_range_loop)] // x[item][wave] reads best indexed
    pub fn solve(&self, request: &Request<'_>, backend: Backend) -> Outcome {
        let n = self.items.len();
        let t_max = request.waves;
        if n == 0 {
            return Outcome::Solved {
                waves: Vec::new(),
                proven: true,
            };
        }
        if t_max == 0 {
            return Outcome::Infeasible;
        }
        let mut vars = ProblemVariables::new();
        let mut present = vec![true; n];
        for item in request.absent {
            if let Some(&i) = self.index.get(item) {
                present[i] = false;
            }
        }
        // An absent item's variables are fixed at zero.
        let x: Vec<Vec<Variable>> = (0..n)
            .map(|i| {
                (0..t_max)
                    .map(|_| match present[i] {
                        true => vars.add(variable().binary()),
                        false => vars.add(variable().min(0.0).max(0.0)),
                    })
                    .collect()
            })
            .collect();
        let mut rows: Vec<Constraint> = Vec::new();
        let symmetric = self.orders.is_empty();
        // Waves kept apart by forbidden waves or level caps are no longer interchangeable.
        let interchangeable = symmetric && request.forbidden.is_empty() && request.level_caps.is_empty();
        for i in (0..n).filter(|&i| present[i]) {
            let mut once = Expression::with_capacity(t_max);
            for t in 0..t_max {
                once.add_mul(1.0, x[i][t]);
            }
            rows.push(once.eq(1.0));
            if interchangeable {
                for t in (i + 1)..t_max {
                    rows.push(Expression::from(x[i][t]).eq(0.0));
                }
            }
        }
        for &(item, t) in request.fixed {
            if let (Some(&i), true) = (self.index.get(&item), t < t_max) {
                rows.push(Expression::from(x[i][t]).eq(1.0));
            }
        }
        for &(item, t) in request.forbidden {
            if let (Some(&i), true) = (self.index.get(&item), t < t_max) {
                rows.push(Expression::from(x[i][t]).eq(0.0));
            }
        }
        for t in 0..t_max {
            for &e in &self.exclusive {
                // x[e][t] = 1 empties the rest of the wave.
                let mut others = Expression::with_capacity(n);
                for j in (0..n).filter(|&j| j != e) {
                    others.add_mul(1.0, x[j][t]);
                }
                others.add_mul((n - 1) as f64, x[e][t]);
                rows.push(others.leq((n - 1) as f64));
            }
            for (cap, amounts) in &self.packings {
                let mut sum = Expression::with_capacity(amounts.len());
                for &(i, a) in amounts {
                    sum.add_mul(a, x[i][t]);
                }
                rows.push(sum.leq(*cap));
            }
            for (free, members) in &self.domain_limits {
                let mut indicator: HashMap<u32, Variable> = HashMap::new();
                for &(i, d) in members {
                    let y = *indicator
                        .entry(d)
                        .or_insert_with(|| vars.add(variable().binary()));
                    rows.push(Expression::from(x[i][t]).leq(y));
                }
                let mut sum = Expression::with_capacity(indicator.len());
                let mut keys: Vec<u32> = indicator.keys().copied().collect();
                keys.sort_unstable();
                for d in keys {
                    sum.add_mul(1.0, indicator[&d]);
                }
                rows.push(sum.leq(f64::from(*free)));
            }
            for cut in request.cuts {
                let mut sum = Expression::with_capacity(self.hosts.len());
                for h in &cut.hosts {
                    sum.add_mul(1.0, x[self.index[&ItemId::Host(*h)]][t]);
                }
                match &cut.exceptions {
                    Some(exceptions) => {
                        for h in exceptions {
                            sum.add_mul(-1.0, x[self.index[&ItemId::Host(*h)]][t]);
                        }
                    }
                    None => {
                        for &i in &self.hosts {
                            let ItemId::Host(h) = self.items[i] else { continue };
                            if cut.hosts.binary_search(&h).is_err() {
                                sum.add_mul(-1.0, x[i][t]);
                            }
                        }
                    }
                }
                rows.push(sum.leq((cut.hosts.len() - 1) as f64));
            }
        }
        let position = |i: usize| {
            let mut p = Expression::with_capacity(t_max);
            for t in 0..t_max {
                p.add_mul(t as f64, x[i][t]);
            }
            p
        };
        for (before, after) in &self.orders {
            let before: Vec<usize> = before.iter().copied().filter(|&b| present[b]).collect();
            let after: Vec<usize> = after.iter().copied().filter(|&a| present[a]).collect();
            if before.is_empty() || after.is_empty() {
                continue;
            }
            let s = vars.add(variable().min(0.0).max(t_max as f64));
            for &b in &before {
                rows.push(position(b).leq(s));
            }
            for &a in &after {
                rows.push(position(a).geq(Expression::from(s) + 1.0));
            }
        }
        for cap in request.level_caps {
            let members: Vec<usize> = (0..n)
                .filter(|&i| {
                    present[i]
                        && !self.exclusive.contains(&i)
                        && self.cluster.item_minutes(self.items[i]) >= cap.minutes
                })
                .collect();
            let mut waves = Expression::with_capacity(t_max);
            for t in 0..t_max {
                // `reached` is 1 when wave t holds an item at or above the threshold.
                let reached = vars.add(variable().binary());
                for &i in &members {
                    rows.push(Expression::from(x[i][t]).leq(reached));
                }
                waves.add_mul(1.0, reached);
            }
            rows.push(waves.leq(cap.waves as f64));
        }
        if let Some(max) = request.max_minutes {
            let overhead = f64::from(self.cluster.policy.wave_overhead_minutes);
            let mut total = Expression::with_capacity(2 * t_max);
            let mut previous: Option<(Variable, Variable)> = None;
            for t in 0..t_max {
                let used = vars.add(variable().binary());
                let length = vars.add(variable().min(0.0));
                // Without order rules waves are interchangeable: take them longest first.
                if let Some((used_before, length_before)) = previous
                    && symmetric
                    && request.fixed.is_empty()
                {
                    rows.push(Expression::from(used).leq(used_before));
                    rows.push(Expression::from(length).leq(length_before));
                }
                previous = Some((used, length));
                for i in 0..n {
                    let minutes = f64::from(self.cluster.item_minutes(self.items[i]));
                    rows.push(Expression::from(x[i][t]).leq(used));
                    rows.push((minutes * x[i][t]).leq(length));
                }
                total.add_mul(overhead, used);
                total.add_mul(1.0, length);
            }
            rows.push(total.leq(max as f64 + 0.5));
        }
        // Every question is one of feasibility: the objective is constant.
        let problem = vars.minimise(Expression::from(0.0));
        let limit = request.time_limit.max(0.01);
        let result = match backend {
            Backend::Microlp => run_microlp(problem, rows, limit, &x),
            Backend::Highs => run_highs(problem, rows, limit, &x),
        };
        match result {
            Ok((values, proven)) => {
                let mut waves = vec![Vec::new(); t_max];
                for (i, row) in values.iter().enumerate() {
                    if let Some(t) = row.iter().position(|&v| v > 0.5) {
                        waves[t].push(self.items[i]);
                    }
                }
                Outcome::Solved { waves, proven }
            }
            Err(outcome) => outcome,
        }
    }
}

type Values = (Vec<Vec<f64>>, bool);

/// Solves `model` with `rows` and reads the assignment `x` back. `gap_proves`: the backend was
/// told to stop only once the gap between its solution and its bound is below one minute, so
/// that a solution it returns at that gap is optimal too (see [`run_highs`]).
fn collect<M>(
    model: M,
    rows: Vec<Constraint>,
    x: &[Vec<Variable>],
    gap_proves: bool,
) -> Result<Values, Outcome>
where
    M: SolverModel<Error = ResolutionError>,
{
    let model = model.with_all(rows);
    match model.solve() {
        Ok(solution) => {
            let proven = match solution.status() {
                SolutionStatus::Optimal => true,
                SolutionStatus::GapLimit => gap_proves,
                SolutionStatus::TimeLimit => false,
            };
            let values = x
                .iter()
                .map(|row| row.iter().map(|&v| solution.value(v)).collect())
                .collect();
            Ok((values, proven))
        }
        Err(ResolutionError::Infeasible) => Err(Outcome::Infeasible),
        Err(ResolutionError::Other(message)) if message.to_lowercase().contains("time limit") => {
            Err(Outcome::OutOfTime)
        }
        Err(e) => Err(Outcome::Failed(e.to_string())),
    }
}

#[cfg(feature = "microlp")]
fn run_microlp(
    problem: good_lp::variable::UnsolvedProblem,
    rows: Vec<Constraint>,
    limit: f64,
    x: &[Vec<Variable>],
) -> Result<Values, Outcome> {
    collect(
        problem
            .using(good_lp::solvers::microlp::microlp)
            .with_time_limit(limit),
        rows,
        x,
        false,
    )
}

#[cfg(not(feature = "microlp"))]
fn run_microlp(
    _: good_lp::variable::UnsolvedProblem,
    _: Vec<Constraint>,
    _: f64,
    _: &[Vec<Variable>],
) -> Result<Values, Outcome> {
    Err(Outcome::Failed("this build has no microlp backend".to_string()))
}

#[cfg(feature = "highs")]
fn run_highs(
    problem: good_lp::variable::UnsolvedProblem,
    rows: Vec<Constraint>,
    limit: f64,
    x: &[Vec<Variable>],
) -> Result<Values, Outcome> {
    // HiGHS stops by default at a relative gap of 1e-4, which on a plan of a few thousand
    // minutes could leave a minute on the table, and it reports any positive gap, however
    // small, as a gap limit rather than optimal. Every objective here is a whole number of
    // minutes at its optimum (overheads and upgrade times are whole minutes, the waves objective
    // is 0), so a solution less than one minute from the bound is optimal: ask for exactly that.
    let model = problem
        .using(good_lp::solvers::highs::highs)
        .set_threads(1)
        .set_option("mip_rel_gap", 0.0)
        .set_option("mip_abs_gap", 0.99)
        .with_time_limit(limit);
    collect(model, rows, x, true)
}

#[cfg(not(feature = "highs"))]
fn run_highs(
    _: good_lp::variable::UnsolvedProblem,
    _: Vec<Constraint>,
    _: f64,
    _: &[Vec<Variable>],
) -> Result<Values, Outcome> {
    Err(Outcome::Failed(
        "this build has no HiGHS backend; build with --features highs".to_string(),
    ))
}
