//! The `duration` objective: a branch-and-bound over how many waves reach each duration.
//!
//! A wave lasts the overhead plus its longest item, so the minutes of a plan depend only on how
//! many of its waves reach each duration. Take the distinct upgrade times of the shared items
//! (every item but the exclusive components), longest first: `d_1 > d_2 > … > d_k`, and let
//! `w_j` be the number of waves holding an item of at least `d_j` minutes (so
//! `w_1 <= w_2 <= … <= w_k`, and `w_k` is the number of shared waves). Then the shared waves
//! last `overhead * w_k + Σ_j w_j (d_j - d_{j+1})` minutes (`d_{k+1} = 0`), and the exclusive
//! components' own waves add a fixed amount. Minimising minutes is choosing the cheapest
//! vector `w` that a safe plan can keep to.
//!
//! 1. **Bound each count.** The waves holding an item of at least `d_j` minutes hold every such
//!    item, so `w_j` is at least the fewest waves those items need on their own: bounded
//!    cheaply (hosts per wave, the wave bound for `w_k`) and, when leaving the other items out
//!    keeps a wave safe (none of them is a liberating host, see [`super::liberating_hosts`]),
//!    computed exactly by the integer program on those items alone, from the cheap bound up to
//!    what the heuristic's plan uses. These bounds alone (the *level bound*) often meet the heuristic's
//!    plan.
//! 2. **Search the vectors, cheapest first** (a priority queue; each step raises one count).
//!    For each, the integer program asks whether a safe plan keeps to it. Without order rules
//!    waves are interchangeable, so they are sorted by duration: an item of level `j` may only
//!    use the first `w_j` waves, and the exclusive components the waves after the shared ones.
//!    With order rules the counts are rows of the program instead. The first vector with a plan
//!    is optimal, since every cheaper one was proven to have none; each vector proven to have
//!    none raises the lower bound. The heuristic's plan is the incumbent: the search stops at
//!    its minutes. When the time runs out, the cheapest vector not yet decided is the bound.
//!
//! Before this, the integer program minimised minutes directly with one length variable per
//! wave, whose linear relaxation spreads each item thinly over the waves and so bounds almost
//! nothing; seven hosts could take a minute (issue 10).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::model::{Cluster, ItemId};
use crate::plan::{Quality, Wave};
use crate::rules::is_exclusive;
use crate::solve::exact::{Found, Restriction, Search};
use crate::solve::ilp::LevelCap;

/// The duration levels of a cluster's shared items.
struct Levels {
    /// Distinct upgrade minutes of the shared items, longest first.
    minutes: Vec<u32>,
    /// Each shared item's level (index into `minutes`).
    level: HashMap<ItemId, usize>,
    /// The exclusive components, in id order.
    exclusive: Vec<ItemId>,
    overhead: u64,
    /// Minutes of the exclusive components' own waves.
    exclusive_minutes: u64,
}

impl Levels {
    fn new(cluster: &Cluster) -> Self {
        let items = cluster.items();
        let (exclusive, shared): (Vec<ItemId>, Vec<ItemId>) =
            items.iter().partition(|&&i| is_exclusive(cluster, i));
        let mut minutes: Vec<u32> = shared.iter().map(|&i| cluster.item_minutes(i)).collect();
        minutes.sort_unstable_by(|a, b| b.cmp(a));
        minutes.dedup();
        let level = shared
            .iter()
            .map(|&i| {
                let m = cluster.item_minutes(i);
                (
                    i,
                    minutes
                        .iter()
                        .position(|&d| d == m)
                        .expect("a level per duration"),
                )
            })
            .collect();
        Levels {
            minutes,
            level,
            exclusive,
            overhead: u64::from(cluster.policy.wave_overhead_minutes),
            exclusive_minutes: super::duration::exclusive_minutes(cluster),
        }
    }

    /// The minutes of a plan whose waves reach each level `w[j]` times.
    fn cost(&self, w: &[usize]) -> u64 {
        let steps = self.minutes.iter().enumerate().map(|(j, &d)| {
            let next = self.minutes.get(j + 1).copied().unwrap_or(0);
            w[j] as u64 * u64::from(d - next)
        });
        let shared = w.last().map_or(0, |&n| n as u64 * self.overhead);
        self.exclusive_minutes + shared + steps.sum::<u64>()
    }

    /// How many waves of `plan` reach each level.
    fn counts(&self, plan: &[Vec<ItemId>]) -> Vec<usize> {
        let mut w = vec![0; self.minutes.len()];
        for wave in plan {
            if let Some(top) = wave.iter().filter_map(|i| self.level.get(i)).min() {
                for count in &mut w[*top..] {
                    *count += 1;
                }
            }
        }
        w
    }

    /// Makes `w` non-decreasing by raising later counts.
    fn monotone(mut w: Vec<usize>) -> Vec<usize> {
        for j in 1..w.len() {
            w[j] = w[j].max(w[j - 1]);
        }
        w
    }

    /// The items of a level's prefix are those of level `j` or longer: the rest, left out.
    fn absent_below(&self, cluster: &Cluster, j: usize) -> Vec<ItemId> {
        cluster
            .items()
            .into_iter()
            .filter(|i| self.level.get(i).is_none_or(|&l| l > j))
            .collect()
    }

    /// The restriction that keeps a plan to the counts `w`, in `w[last] + exclusive` waves.
    fn restriction(&self, w: &[usize], interchangeable: bool) -> Restriction {
        let shared = *w.last().expect("at least one level");
        if !interchangeable {
            return Restriction {
                level_caps: self
                    .minutes
                    .iter()
                    .zip(w)
                    .map(|(&minutes, &waves)| LevelCap { minutes, waves })
                    .collect(),
                ..Restriction::default()
            };
        }
        // Waves sorted by duration, the exclusive components' waves last.
        let mut forbidden: Vec<(ItemId, usize)> = self
            .level
            .iter()
            .flat_map(|(&item, &l)| (w[l]..shared).map(move |t| (item, t)))
            .collect();
        forbidden.sort_unstable();
        let fixed = self
            .exclusive
            .iter()
            .enumerate()
            .map(|(k, &item)| (item, shared + k))
            .collect();
        Restriction {
            forbidden,
            fixed,
            ..Restriction::default()
        }
    }
}

/// How the search ended.
enum Ending {
    /// A plan the program found, optimal unless a placement search ran out of budget.
    Found(Vec<Vec<ItemId>>),
    /// No plan is cheaper than the incumbent; proven by the bounds alone, or with the program.
    Incumbent(&'static str),
    /// Out of time: the lower bound in minutes.
    Unproven(u64),
}

impl Search<'_, '_> {
    /// The plan with the least total minutes, starting from `best` (a safe plan; `from_ilp` when
    /// a backend found it, so it must be made canonical) and the lower bounds.
    pub(super) fn least_minutes(
        &mut self,
        best: Vec<Vec<ItemId>>,
        from_ilp: bool,
        lower_waves: u32,
        lower_minutes: u64,
    ) -> (Vec<Vec<ItemId>>, Quality) {
        let cluster = self.cluster;
        let minutes = |waves: &[Vec<ItemId>]| {
            crate::plan::total_minutes(
                cluster,
                &waves.iter().map(|w| Wave::new(w.clone())).collect::<Vec<_>>(),
            )
        };
        let upper = minutes(&best);
        let levels = Levels::new(cluster);
        let mut lower_waves = lower_waves;
        let ending = if upper <= lower_minutes || levels.minutes.is_empty() {
            Ending::Incumbent("bounds")
        } else {
            let (floor, probed) = self.level_floor(&levels, &best, lower_waves, lower_minutes, upper);
            let shared_waves = floor.last().copied().unwrap_or(0) + levels.exclusive.len();
            lower_waves = lower_waves.max(shared_waves as u32);
            if levels.cost(&floor).max(lower_minutes) >= upper {
                Ending::Incumbent(if probed { "ilp" } else { "bounds" })
            } else {
                self.cheapest_vector(&levels, floor, lower_minutes, upper)
            }
        };
        let sound = !self.exact_cuts_unproven;
        match ending {
            Ending::Found(waves) if sound => {
                let value = minutes(&waves);
                (waves, self.quality(lower_waves, value, true, "ilp"))
            }
            Ending::Incumbent(proof) if sound || proof == "bounds" => {
                let best = self.canonical_if(best, from_ilp, upper);
                (best, self.quality(lower_waves, upper, true, proof))
            }
            Ending::Unproven(lower) if sound => {
                let best = self.canonical_if(best, from_ilp, upper);
                let lower = lower.max(lower_minutes).min(upper);
                (best, self.quality(lower_waves, lower, false, "none"))
            }
            Ending::Found(..) | Ending::Incumbent(_) | Ending::Unproven(_) => {
                let best = self.canonical_if(best, from_ilp, upper);
                (best, self.quality(lower_waves, lower_minutes, false, "none"))
            }
        }
    }

    fn canonical_if(&mut self, best: Vec<Vec<ItemId>>, from_ilp: bool, upper: u64) -> Vec<Vec<ItemId>> {
        match from_ilp {
            true => self.canonical(best, Some(upper), &Restriction::default()),
            false => best,
        }
    }

    /// Lower bounds on the counts of every plan (step 1 of the module doc), non-decreasing.
    fn level_floor(
        &mut self,
        levels: &Levels,
        best: &[Vec<ItemId>],
        lower_waves: u32,
        lower_minutes: u64,
        upper: u64,
    ) -> (Vec<usize>, bool) {
        let cluster = self.cluster;
        let k = levels.minutes.len();
        let mut floor: Vec<usize> = (0..k)
            .map(|j| {
                let hosts: Vec<_> = levels
                    .level
                    .iter()
                    .filter(|&(_, &l)| l <= j)
                    .filter_map(|(i, _)| match i {
                        ItemId::Host(h) => Some(*h),
                        ItemId::Component(_) => None,
                    })
                    .collect();
                super::duration::fewest_waves_for(cluster, &hosts).max(1)
            })
            .collect();
        floor[k - 1] = floor[k - 1].max(lower_waves.saturating_sub(levels.exclusive.len() as u32) as usize);
        let mut floor = Levels::monotone(floor);
        let used = levels.counts(best);
        let mut probed = false;
        for j in 0..k {
            if levels.cost(&floor).max(lower_minutes) >= upper {
                break;
            }
            let absent = levels.absent_below(cluster, j);
            // Leaving hosts out of a safe wave keeps it safe unless one of them liberates
            // another: then the items of this level alone prove nothing.
            let liberating_absent = absent
                .iter()
                .any(|i| matches!(i, ItemId::Host(h) if self.liberating.binary_search(h).is_ok()));
            if liberating_absent {
                continue;
            }
            let restriction = Restriction {
                absent,
                ..Restriction::default()
            };
            let mut t = floor[j];
            while t < used[j] {
                probed = true;
                match self.solve_with_cuts(t, None, &[], &restriction) {
                    Found::Infeasible => t += 1,
                    Found::Plan(..) => break,
                    Found::OutOfTime => return (floor, true),
                }
            }
            floor[j] = t;
            floor = Levels::monotone(floor);
        }
        (floor, probed)
    }

    /// Step 2 of the module doc: the cheapest count vector, from `floor` up, that a safe plan
    /// keeps to, below `upper` (the incumbent's minutes). A vector cheaper than `lower_minutes`
    /// (a bound every plan meets) has no plan: it is passed over without asking.
    fn cheapest_vector(
        &mut self,
        levels: &Levels,
        floor: Vec<usize>,
        lower_minutes: u64,
        upper: u64,
    ) -> Ending {
        let interchangeable = !self.model.has_order_rules();
        let most = self.cluster.items().len();
        let mut queue = BinaryHeap::new();
        let mut seen = HashSet::new();
        queue.push(Reverse((levels.cost(&floor), floor.clone())));
        seen.insert(floor);
        while let Some(Reverse((cost, w))) = queue.pop() {
            if cost >= upper {
                return Ending::Incumbent("ilp");
            }
            let restriction = levels.restriction(&w, interchangeable);
            let waves = w[w.len() - 1] + levels.exclusive.len();
            let found = match cost < lower_minutes {
                true => Found::Infeasible,
                false => self.solve_with_cuts(waves, None, &[], &restriction),
            };
            match found {
                Found::Plan(solution) => {
                    let solution = self.canonical(solution, None, &restriction);
                    let plan = solution.into_iter().filter(|w| !w.is_empty()).collect();
                    return Ending::Found(plan);
                }
                Found::Infeasible => {
                    for j in 0..w.len() {
                        let mut next = w.clone();
                        next[j] += 1;
                        let next = Levels::monotone(next);
                        if next[next.len() - 1] <= most && seen.insert(next.clone()) {
                            queue.push(Reverse((levels.cost(&next), next)));
                        }
                    }
                }
                Found::OutOfTime => return Ending::Unproven(cost),
            }
        }
        // No vector has a plan below the incumbent: it is optimal.
        Ending::Incumbent("ilp")
    }
}
