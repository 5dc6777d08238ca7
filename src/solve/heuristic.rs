//! A fast constructive heuristic: a safe plan first, which is the solver's upper bound.
//!
//! Waves are filled one at a time with the items whose predecessors are all in earlier waves,
//! in a priority order, keeping an item only if the wave stays safe (counts first, then an exact
//! placement). Exclusive components go alone as soon as they are free to. Several priority
//! orders are tried and the best plan kept; then a local search empties waves by moving their
//! items into others. Everything is deterministic: ties break on ids.
//!
//! On large clusters (see [`crate::solve::wave::LARGE`]) the same orders build waves on greedy
//! placements instead ([`crate::solve::large`]), which needs no exact search and no clock.

use std::collections::{HashMap, HashSet};

use crate::model::{Cluster, ItemId, Objective, Resource};
use crate::plan::{Wave, total_minutes};
use crate::solve::large;
use crate::solve::precedence::Precedence;
use crate::solve::wave::WaveRules;

/// Builds the best plan the heuristic finds, as waves of items in order. `None` only if some
/// item cannot go down even alone (the caller checks that first). For the `waves` objective the
/// search stops as soon as a plan reaches `lower_bound` waves: nothing can do better.
///
/// `expired` says when the time is up. From then on the heuristic finishes the plan it is
/// building with few placements per wave (see [`construct`]) and tries nothing more, so that a
/// plan always comes back soon after the time limit. On a large cluster the first plan is built
/// whatever the time (it is the quickest safe plan there is), and nothing more once expired.
pub fn best_plan(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    lower_bound: u32,
    expired: &dyn Fn() -> bool,
) -> Option<Vec<Vec<ItemId>>> {
    let cluster = rules.cluster();
    let items = cluster.items();
    let tail = |i: ItemId| std::cmp::Reverse(precedence.tail(i));
    let domain = |i: ItemId| match i {
        ItemId::Host(h) => (cluster.host(h).fault_domain.0, h.0),
        ItemId::Component(c) => (u32::MAX, c.0),
    };
    let totals = Resource::ALL.map(|r| total_weight(cluster, rules, r));
    let weight = |i: ItemId| match i {
        ItemId::Host(h) => Resource::ALL
            .iter()
            .zip(&totals)
            .map(|(&r, &total)| rules.host_weight(h, r) as f64 / total)
            .fold(0.0, f64::max),
        ItemId::Component(_) => 0.0,
    };
    let votes = |i: ItemId| groups_touched(cluster, i);
    let minutes = |i: ItemId| std::cmp::Reverse(cluster.item_minutes(i));

    let mut orders: Vec<Vec<ItemId>> = Vec::new();
    let mut by = |key: &dyn Fn(ItemId) -> (std::cmp::Reverse<u32>, u64, u64, (u32, u32))| {
        let mut order = items.clone();
        order.sort_by_cached_key(|&i| key(i));
        orders.push(order);
    };
    by(&|i| (tail(i), 0, 0, domain(i)));
    by(&|i| (tail(i), u64::MAX - (weight(i) * 1e9) as u64, 0, domain(i)));
    by(&|i| (tail(i), u64::MAX - votes(i), 0, domain(i)));
    by(&|i| (tail(i), u64::from(u32::MAX - minutes(i).0), 0, domain(i)));

    let objective = cluster.policy.objective;
    let score = |waves: &Vec<Vec<ItemId>>| {
        let minutes = total_minutes(
            cluster,
            &waves.iter().map(|w| Wave::new(w.clone())).collect::<Vec<_>>(),
        );
        match objective {
            Objective::Waves => (waves.len() as u64, minutes),
            Objective::Duration => (minutes, waves.len() as u64),
        }
    };
    let mut best: Option<Vec<Vec<ItemId>>> = None;
    let reached =
        |waves: &Vec<Vec<ItemId>>| objective == Objective::Waves && waves.len() as u32 <= lower_bound;
    let target = (objective == Objective::Waves).then_some(lower_bound as usize);
    if rules.is_large() {
        // Waves grown on greedy placements: a whole plan costs about one placement per
        // workload and wave, so every order is tried while time is left, and the first plan
        // is built even when none is (it is the quickest safe plan there is).
        let limited = cluster.policy.max_fault_domains_down.is_some();
        let tries = orders
            .iter()
            .flat_map(|order| [(order, limited), (order, !limited)]);
        for (order, whole_domains) in tries {
            if best.is_some() && expired() {
                break;
            }
            let Some(mut waves) = large::construct(rules, precedence, order, whole_domains) else {
                continue;
            };
            if !reached(&waves) {
                large::improve(rules, precedence, &mut waves, target, expired);
                // The duration objective's moves between waves, as below.
                let now = waves.len();
                improve(rules, precedence, &mut waves, Some(now), expired);
            }
            if best.as_ref().is_none_or(|b| score(&waves) < score(b)) {
                best = Some(waves);
            }
            if best.as_ref().is_some_and(reached) {
                break;
            }
        }
        return best;
    }
    for order in &orders {
        if best.is_some() && expired() {
            break;
        }
        let Some(mut waves) = construct(rules, precedence, order, expired) else {
            continue;
        };
        if !reached(&waves) {
            improve(rules, precedence, &mut waves, target, expired);
        }
        if best.as_ref().is_none_or(|b| score(&waves) < score(b)) {
            best = Some(waves);
        }
        if best.as_ref().is_some_and(reached) {
            break;
        }
    }
    best
}

fn total_weight(cluster: &Cluster, rules: &WaveRules<'_>, r: Resource) -> f64 {
    cluster
        .upgraded_hosts()
        .map(|h| rules.host_weight(h, r) as f64)
        .sum::<f64>()
        .max(1.0)
}

fn groups_touched(cluster: &Cluster, item: ItemId) -> u64 {
    let member = |m: crate::model::MemberId| match (m, item) {
        (crate::model::MemberId::Host(a), ItemId::Host(b)) => a == b,
        (crate::model::MemberId::Component(a), ItemId::Component(b)) => a == b,
        (crate::model::MemberId::Workload(w), ItemId::Host(b)) => cluster.workload(w).host == b,
        _ => false,
    };
    cluster
        .quorum_groups
        .iter()
        .filter(|g| g.members.iter().any(|m| member(m.id)))
        .count() as u64
}

/// Fills waves greedily in `order`, placing the wave again for every host it adds; once
/// `expired`, the rest are hurried: the items the counted rules allow together, halved until
/// the wave has a placement.
pub fn construct(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    order: &[ItemId],
    expired: &dyn Fn() -> bool,
) -> Option<Vec<Vec<ItemId>>> {
    in_order(rules, precedence, order, |free| {
        if expired() {
            return hurried_wave(rules, free);
        }
        let mut state = rules.empty();
        for &item in free {
            if !state.is_empty() && expired() {
                break;
            }
            state.add(item);
            let ok = state.problem().is_none() && (!matches!(item, ItemId::Host(_)) || state.place().is_ok());
            if !ok {
                state.pop();
            }
        }
        state.items().to_vec()
    })
}

/// Builds a plan one wave at a time: an exclusive component alone as soon as one is free (its
/// predecessors all in earlier waves), else the wave `fill` makes of the free items, in
/// `order`. `None` when `fill` makes an empty wave.
pub fn in_order(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    order: &[ItemId],
    mut fill: impl FnMut(&[ItemId]) -> Vec<ItemId>,
) -> Option<Vec<Vec<ItemId>>> {
    let cluster = rules.cluster();
    let mut done: HashSet<ItemId> = HashSet::new();
    let mut waves: Vec<Vec<ItemId>> = Vec::new();
    while done.len() < order.len() {
        let free: Vec<ItemId> = order
            .iter()
            .copied()
            .filter(|i| !done.contains(i))
            .filter(|&i| precedence.predecessors(i).all(|p| done.contains(&p)))
            .collect();
        let exclusive = free.iter().copied().find(|&i| match i {
            ItemId::Component(c) => cluster.component(c).exclusive,
            ItemId::Host(_) => false,
        });
        let wave = match exclusive {
            Some(component) => vec![component],
            None => fill(&free),
        };
        if wave.is_empty() {
            return None;
        }
        done.extend(wave.iter().copied());
        waves.push(wave);
    }
    Some(waves)
}

/// A wave built with few placements, for when the time is up: the free items the counted rules
/// allow together (those rules only get harder as a wave grows, so every prefix of them passes
/// too), cut to the longest prefix that halving finds a placement for; failing that, the first
/// item that can go alone.
fn hurried_wave(rules: &WaveRules<'_>, free: &[ItemId]) -> Vec<ItemId> {
    let mut state = rules.empty();
    for &item in free {
        state.add(item);
        if state.problem().is_some() {
            state.pop();
        }
    }
    let allowed = state.items().to_vec();
    let mut k = allowed.len();
    while k > 1 {
        if rules.check(&allowed[..k]).is_ok() {
            return allowed[..k].to_vec();
        }
        k /= 2;
    }
    free.iter()
        .copied()
        .find(|&i| rules.check(&[i]).is_ok())
        .map_or_else(Vec::new, |i| vec![i])
}

/// Local search: empty the smallest waves by moving their items elsewhere; for the duration
/// objective, also move each wave's longest item to a wave that already runs as long. Stops
/// when `expired`, and as soon as the plan has `target` waves (the lower bound: nothing can do
/// better, so the time left is not spent); every step keeps the plan safe.
pub fn improve(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    waves: &mut Vec<Vec<ItemId>>,
    target: Option<usize>,
    expired: &dyn Fn() -> bool,
) {
    while !expired()
        && target.is_none_or(|t| waves.len() > t)
        && eliminate_one(rules, precedence, waves, expired)
    {}
    if rules.cluster().policy.objective == Objective::Duration {
        while !expired() && shorten_one(rules, precedence, waves) {}
    }
}

fn wave_index(waves: &[Vec<ItemId>]) -> HashMap<ItemId, usize> {
    waves
        .iter()
        .enumerate()
        .flat_map(|(t, w)| w.iter().map(move |&i| (i, t)))
        .collect()
}

fn fits(rules: &WaveRules<'_>, wave: &[ItemId], item: ItemId) -> bool {
    let mut state = rules.empty();
    for &i in wave {
        state.add(i);
    }
    state.add(item);
    state.problem().is_none() && (!matches!(item, ItemId::Host(_)) || state.place().is_ok())
}

/// Moves each of `items` (already taken out of wave `source`) into another wave that accepts it
/// (`accepts`), keeps order and stays safe; false if one finds no such wave.
fn relocate(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    trial: &mut [Vec<ItemId>],
    items: &[ItemId],
    source: usize,
    accepts: impl Fn(&[ItemId]) -> bool,
) -> bool {
    let mut wave_of = wave_index(trial);
    for &item in items {
        let target = (0..trial.len()).find(|&t| {
            t != source
                && accepts(&trial[t])
                && precedence.allows(item, t, &wave_of)
                && fits(rules, &trial[t], item)
        });
        let Some(t) = target else { return false };
        trial[t].push(item);
        wave_of.insert(item, t);
    }
    true
}

fn eliminate_one(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    waves: &mut Vec<Vec<ItemId>>,
    expired: &dyn Fn() -> bool,
) -> bool {
    let mut by_size: Vec<usize> = (0..waves.len()).collect();
    by_size.sort_by_key(|&t| (waves[t].len(), t));
    for victim in by_size {
        if expired() {
            return false;
        }
        let mut trial = waves.clone();
        let moving = std::mem::take(&mut trial[victim]);
        let all = relocate(rules, precedence, &mut trial, &moving, victim, |_| true);
        if all {
            trial.remove(victim);
            *waves = trial;
            return true;
        }
    }
    false
}

fn shorten_one(rules: &WaveRules<'_>, precedence: &Precedence, waves: &mut [Vec<ItemId>]) -> bool {
    let cluster = rules.cluster();
    let longest = |w: &[ItemId]| w.iter().map(|&i| cluster.item_minutes(i)).max().unwrap_or(0);
    for source in 0..waves.len() {
        let top = longest(&waves[source]);
        let tops: Vec<ItemId> = waves[source]
            .iter()
            .copied()
            .filter(|&i| cluster.item_minutes(i) == top)
            .collect();
        if tops.len() == waves[source].len() {
            continue;
        }
        // Move every item that sets this wave's length, if each finds a wave as long.
        let mut trial = waves.to_vec();
        trial[source].retain(|i| !tops.contains(i));
        let all = relocate(rules, precedence, &mut trial, &tops, source, |wave| {
            longest(wave) >= top
        });
        if all {
            waves.clone_from_slice(&trial);
            return true;
        }
    }
    false
}
