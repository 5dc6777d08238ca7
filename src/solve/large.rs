//! The constructive heuristic on large clusters (more than [`LARGE`](super::wave::LARGE)
//! items): waves grown host by host on greedy placements (issue 10).
//!
//! [`super::heuristic::construct`] places a wave again from scratch for every host it adds,
//! which on thousands of hosts takes minutes. Here a wave keeps its placement
//! ([`GreedyWave`]): adding a host places only what that host changes, checking the counted
//! rules only for what the host touches, so a whole plan costs about one placement of every
//! workload per wave it is tried for, and needs no clock. Every wave built is kept with its
//! placement ([`WaveRules::keep`]), so the plan's waves are not placed again at the end.
//!
//! The local search works the same way: it empties the smallest wave by adding its items to the
//! others, each a greedy addition that is taken back if the wave cannot be emptied.

use std::collections::{HashMap, HashSet};

use crate::model::ItemId;
use crate::placement::greedy::GreedyWave;
use crate::solve::precedence::Precedence;
use crate::solve::wave::{WaveCounts, WaveRules};
use crate::solve::{Work, heuristic};

/// A wave under construction: its counted rules and its placement.
#[derive(Clone)]
struct Open<'r, 'c> {
    counts: WaveCounts<'r, 'c>,
    placement: GreedyWave<'r, 'c>,
}

impl<'r, 'c> Open<'r, 'c> {
    fn new(rules: &'r WaveRules<'c>) -> Option<Self> {
        Some(Open {
            counts: rules.empty(),
            placement: rules.evacuator()?.wave(),
        })
    }

    /// Adds `item` if the wave stays safe; false, with the wave unchanged, otherwise.
    fn try_add(&mut self, rules: &WaveRules<'_>, item: ItemId) -> bool {
        self.counts.add(item);
        let ok = self.counts.admits_last()
            && match item {
                ItemId::Host(h) => {
                    rules.report(Work::Greedy);
                    self.placement.try_add(h)
                }
                ItemId::Component(_) => true,
            };
        if !ok {
            self.counts.pop();
        }
        ok
    }

    /// Takes the most recently added item out again.
    fn pop(&mut self) {
        if let Some(&ItemId::Host(_)) = self.counts.items().last() {
            self.placement.pop();
        }
        self.counts.pop();
    }

    fn keep(&self, rules: &WaveRules<'_>) {
        rules.keep(
            self.counts.items(),
            (self.placement.moves(), self.placement.broken_should()),
        );
    }
}

/// Fills waves greedily in `order`, each host placed on top of the wave's placement. `None`
/// when the cluster is not large, or when some item cannot go even alone.
///
/// With `whole_domains`, each wave first takes whole fault domains (all their free hosts, or
/// none), and only then single hosts: where a limited number of domains may be down at once,
/// a domain split over two waves takes a domain's place in both, and a host that could not
/// join its domain's wave is such a split.
pub fn construct(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    order: &[ItemId],
    whole_domains: bool,
) -> Option<Vec<Vec<ItemId>>> {
    let evacuator = rules.evacuator()?;
    heuristic::in_order(rules, precedence, order, |free| {
        let mut open = Open {
            counts: rules.empty(),
            placement: evacuator.wave(),
        };
        let mut taken: HashSet<ItemId> = HashSet::new();
        if whole_domains {
            for domain in by_domain(rules, free) {
                let added = domain.iter().take_while(|&&i| open.try_add(rules, i)).count();
                if added == domain.len() {
                    taken.extend(domain);
                } else {
                    (0..added).for_each(|_| open.pop());
                }
            }
        }
        for &item in free {
            if !taken.contains(&item) {
                open.try_add(rules, item);
            }
        }
        if open.counts.is_empty() {
            // Greedy placed nothing: the first item the exact search lets go alone.
            return free
                .iter()
                .copied()
                .find(|&i| rules.check(&[i]).is_ok())
                .into_iter()
                .collect();
        }
        open.keep(rules);
        open.counts.items().to_vec()
    })
}

/// The free items grouped by fault domain, in the order of each domain's first item; an item
/// without a domain (a component) is a group of its own.
fn by_domain(rules: &WaveRules<'_>, free: &[ItemId]) -> Vec<Vec<ItemId>> {
    let cluster = rules.cluster();
    let mut groups: Vec<Vec<ItemId>> = Vec::new();
    let mut index: HashMap<u32, usize> = HashMap::new();
    for &item in free {
        match item {
            ItemId::Host(h) => {
                let d = cluster.host(h).fault_domain.0;
                let g = *index.entry(d).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[g].push(item);
            }
            ItemId::Component(_) => groups.push(vec![item]),
        }
    }
    groups
}

/// Local search: empties the smallest waves by adding their items to the others, until
/// `expired`, until the plan has `target` waves, or until no wave can be emptied. Every step
/// keeps the plan safe, and the placements of the waves it changes are kept.
pub fn improve(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    waves: &mut Vec<Vec<ItemId>>,
    target: Option<usize>,
    expired: &dyn Fn() -> bool,
) {
    let Some(mut open) = waves
        .iter()
        .map(|wave| {
            let mut o = Open::new(rules)?;
            wave.iter().all(|&i| o.try_add(rules, i)).then_some(o)
        })
        .collect::<Option<Vec<Open<'_, '_>>>>()
    else {
        // A wave the greedy placement cannot rebuild (it needed the exact search): left as it is.
        return;
    };
    while target.is_none_or(|t| waves.len() > t) && !expired() {
        if !empty_one(rules, precedence, waves, &mut open) {
            break;
        }
    }
    for o in &open {
        o.keep(rules);
    }
}

/// Empties one wave, smallest first, by moving each of its items into the earliest other wave
/// that takes it; true if one was emptied (and removed).
fn empty_one(
    rules: &WaveRules<'_>,
    precedence: &Precedence,
    waves: &mut Vec<Vec<ItemId>>,
    open: &mut Vec<Open<'_, '_>>,
) -> bool {
    let mut by_size: Vec<usize> = (0..waves.len()).collect();
    by_size.sort_by_key(|&t| (waves[t].len(), t));
    for victim in by_size {
        let mut wave_of: HashMap<ItemId, usize> = waves
            .iter()
            .enumerate()
            .filter(|&(t, _)| t != victim)
            .flat_map(|(t, w)| w.iter().map(move |&i| (i, t)))
            .collect();
        // Where each item went, to take them back if one finds no wave.
        let mut moved: Vec<usize> = Vec::new();
        for &item in &waves[victim] {
            let found = (0..waves.len()).find(|&t| {
                t != victim && precedence.allows(item, t, &wave_of) && open[t].try_add(rules, item)
            });
            match found {
                Some(t) => {
                    moved.push(t);
                    wave_of.insert(item, t);
                }
                None => break,
            }
        }
        if moved.len() < waves[victim].len() {
            for &t in moved.iter().rev() {
                open[t].pop();
            }
            continue;
        }
        for (&item, &t) in waves[victim].clone().iter().zip(&moved) {
            waves[t].push(item);
        }
        waves.remove(victim);
        open.remove(victim);
        return true;
    }
    false
}
