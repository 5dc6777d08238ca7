//! The integer-program search: solves with placement cuts, proves bounds, canonicalises.

use crate::model::{Cluster, ItemId};
use crate::plan::Quality;
use crate::solve::SolveOptions;
use crate::solve::ilp::{Cut, IlpModel, LevelCap, Outcome, Request};
use crate::solve::wave::{WaveProblem, WaveRules};

pub(super) struct Search<'s, 'c> {
    pub(super) cluster: &'c Cluster,
    pub(super) rules: &'s WaveRules<'c>,
    pub(super) model: IlpModel<'c>,
    pub(super) options: &'s SolveOptions<'s>,
    pub(super) cuts: Vec<Cut>,
    /// Hosts that carry live or restart members of mandatory fault-domain anti-affinity groups:
    /// taking one down may free its domain for another member, so a wave that cannot be
    /// evacuated may become evacuable when such a host joins it. Every other host only makes a
    /// wave harder to evacuate.
    pub(super) liberating: Vec<crate::model::HostId>,
    /// A wave was cut because its placement search ran out of budget, not because it was proven
    /// impossible: a bound proven with such cuts is not a proof.
    pub(super) exact_cuts_unproven: bool,
}

/// Limits on a solve beyond the number of waves: items left out, waves kept from items, and
/// caps on the waves of long items (see [`Request`]). The default restricts nothing.
#[derive(Debug, Clone, Default)]
pub(super) struct Restriction {
    pub(super) absent: Vec<ItemId>,
    /// Sorted.
    pub(super) forbidden: Vec<(ItemId, usize)>,
    pub(super) fixed: Vec<(ItemId, usize)>,
    pub(super) level_caps: Vec<LevelCap>,
}

impl Restriction {
    fn is_empty(&self) -> bool {
        self.absent.is_empty()
            && self.forbidden.is_empty()
            && self.fixed.is_empty()
            && self.level_caps.is_empty()
    }
}

/// What a solve with cuts found.
pub(super) enum Found {
    Plan(Vec<Vec<ItemId>>),
    Infeasible,
    OutOfTime,
}

impl Search<'_, '_> {
    /// Seconds left of the time limit (zero or less when it is up).
    pub(super) fn remaining(&self) -> f64 {
        self.options.time_limit - self.options.clock.elapsed()
    }

    pub(super) fn quality(
        &self,
        lower_waves: u32,
        lower_minutes: u64,
        optimal: bool,
        proof: &'static str,
    ) -> Quality {
        Quality {
            lower_bound_waves: lower_waves,
            // The wave bound may have been raised by the integer program since.
            lower_bound_minutes: lower_minutes
                .max(super::duration::minutes_for_waves(self.cluster, lower_waves)),
            optimal,
            proof,
            solver: self.options.backend.name(),
            solve_seconds: 0.0,
        }
    }

    /// Solves `request` repeatedly, adding a cut for every wave that cannot be evacuated, until
    /// every wave of the solution has a placement.
    pub(super) fn solve_with_cuts(
        &mut self,
        waves: usize,
        max_minutes: Option<u64>,
        fixed: &[(ItemId, usize)],
        restriction: &Restriction,
    ) -> Found {
        // On a large cluster microlp overruns its time limit, by more the larger the model
        // (issue 10: a 6.6 s limit took 10 s on 1,000 hosts, setting up and relaxing 11,000
        // binaries), so the greedy heuristic is the whole search there. HiGHS (not measured here)
        // keeps the integer program, within its own time limit.
        if self.rules.is_large() && self.options.backend == super::Backend::Microlp {
            return Found::OutOfTime;
        }
        self.cut_pairs();
        let fixed: Vec<(ItemId, usize)> = restriction.fixed.iter().chain(fixed).copied().collect();
        loop {
            let remaining = self.remaining();
            if remaining <= 0.0 {
                return Found::OutOfTime;
            }
            let request = Request {
                waves,
                max_minutes,
                cuts: &self.cuts,
                fixed: &fixed,
                forbidden: &restriction.forbidden,
                absent: &restriction.absent,
                level_caps: &restriction.level_caps,
                time_limit: remaining,
            };
            let outcome = self.model.solve(&request, self.options.backend);
            match outcome {
                Outcome::Solved {
                    waves: solution,
                    proven: _,
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
                        return Found::Plan(solution);
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
        let hosts: Vec<_> = self.cluster.upgraded_hosts().collect();
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

    /// The plan with the fewest waves, starting from `best` (a safe plan; `from_ilp` when a
    /// backend found it, so it must be made canonical) and the lower bound `lower`.
    pub(super) fn fewest_waves(
        &mut self,
        best: Vec<Vec<ItemId>>,
        from_ilp: bool,
        lower: u32,
        lower_minutes: u64,
    ) -> (Vec<Vec<ItemId>>, Quality) {
        let mut best = best;
        let bound = lower as usize;
        let mut lower = lower as usize;
        if best.len() <= lower {
            if from_ilp {
                best = self.canonical(best, None, &Restriction::default());
            }
            let quality = self.quality(best.len() as u32, lower_minutes, true, "bounds");
            return (best, quality);
        }
        let mut from_ilp = from_ilp;
        let mut out_of_time = false;
        let (first, last) = (lower, best.len());
        for t in first..last {
            self.options.clock.progress(best.len(), t as u32);
            match self.solve_with_cuts(t, None, &[], &Restriction::default()) {
                Found::Infeasible => lower = t + 1,
                Found::Plan(solution) => {
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
            best = self.canonical(best, None, &Restriction::default());
        }
        // What proves the plan optimal, whichever way it was found: the combinatorial bound
        // alone, or the integer program that raised it.
        let proof = match proven {
            true if bound >= best.len() => "bounds",
            true => "ilp",
            false => "none",
        };
        let quality = self.quality(lower.min(best.len()) as u32, lower_minutes, proven, proof);
        (best, quality)
    }

    /// The lexicographically smallest assignment (earliest wave for each item in id order) with
    /// as many waves as `waves`, within `restriction` and, for `duration`, no more than
    /// `max_minutes`. Found by fixing items one at a time, so it does not depend on which
    /// solution a backend happened to return. Waves may stay empty only for `duration`.
    pub(super) fn canonical(
        &mut self,
        waves: Vec<Vec<ItemId>>,
        max_minutes: Option<u64>,
        restriction: &Restriction,
    ) -> Vec<Vec<ItemId>> {
        let empty_allowed = max_minutes.is_some() || !restriction.is_empty();
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
            let pinned = restriction.fixed.iter().any(|&(i, _)| i == item);
            for t in (0..now).filter(|&t| !pinned && restriction.forbidden.binary_search(&(item, t)).is_err())
            {
                let mut trial_fixed = fixed.clone();
                trial_fixed.push((item, t));
                match self.solve_with_cuts(t_max, max_minutes, &trial_fixed, restriction) {
                    Found::Plan(solution) if empty_allowed || solution.iter().all(|w| !w.is_empty()) => {
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
