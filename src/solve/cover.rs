//! The fewest safe waves one fault domain's hosts need, for domains too large for the search
//! over all subsets of [`super::domains`] (issue 10).
//!
//! A branch-and-bound that asks whether the hosts fit in `k` waves, for `k` from the bound
//! already known up to the waves a safe plan gives the domain. Hosts are put in waves one at a
//! time, the heaviest first (by what they take down of the packing rules: quorum votes, budget
//! members, evacuation weight, hosts per wave), each in a wave already opened or in the first
//! empty one, so that no two orders of the same waves are both searched. Two things prune:
//!
//! - a wave that became unsafe stays unsafe, since adding a host to an unsafe wave keeps it
//!   unsafe unless the host is *liberating* (see [`super::domains`]); liberating hosts are put
//!   first, and a wave is judged only once none is left to put;
//! - for each packing rule, what the hosts left take down must fit in the room the `k` waves
//!   have left under it.
//!
//! The answer is a lower bound only when the search is complete: a placement search that ran
//! out of budget counts as safe (it was not proven unsafe), and when the search itself runs
//! out of checks, nodes or time, the last count proven too small, plus one, is returned.

use std::collections::HashMap;

use crate::model::{HostId, ItemId};
use crate::solve::wave::{WaveProblem, WaveRules};

/// Domains of more hosts than this are not searched.
pub(super) const MAX_HOSTS: usize = 32;

/// Wave checks (placements) one domain's search may make.
const MAX_CHECKS: usize = 60_000;

/// Search nodes one domain's search may visit.
const MAX_NODES: usize = 2_000_000;

/// The search over one domain's hosts.
pub(super) struct Cover<'a, 'c> {
    rules: &'a WaveRules<'c>,
    /// The domain's hosts: liberating ones first, then the heaviest first.
    hosts: Vec<HostId>,
    /// How many of `hosts` are liberating (they come first).
    liberating: usize,
    /// For each packing rule: what one wave may take down, and what each host takes down (in
    /// the order of `hosts`).
    packings: Vec<(u64, Vec<u64>)>,
    expired: &'a dyn Fn() -> bool,
    safe: HashMap<u32, bool>,
    checks: usize,
    nodes: usize,
    aborted: bool,
    /// The waves of the last search that succeeded.
    found: Option<Vec<u32>>,
    /// Each host's upgrade minutes (in the order of `hosts`).
    minutes: Vec<u32>,
    /// Limits on how many waves may last at least so many minutes (a host of at least that
    /// long in them), for [`Cover::least_minutes`]; none for [`Cover::fewest`].
    caps: Vec<(u32, usize)>,
}

impl<'a, 'c> Cover<'a, 'c> {
    /// The packing rules come from `bounds`.
    pub(super) fn new(
        rules: &'a WaveRules<'c>,
        hosts: &[HostId],
        liberating: &[HostId],
        bounds: &crate::bounds::Bounds,
        expired: &'a dyn Fn() -> bool,
    ) -> Self {
        assert!(
            hosts.len() <= MAX_HOSTS,
            "a domain searched has at most {MAX_HOSTS} hosts"
        );
        let given = bounds.host_amounts(hosts);
        // A host's weight: the largest share of a wave it takes under any packing rule.
        let weight = |i: usize| {
            given
                .iter()
                .filter(|(per_wave, _)| *per_wave > 0)
                .map(|(per_wave, a)| a[i] as f64 / *per_wave as f64)
                .fold(0.0f64, f64::max)
        };
        let mut order: Vec<usize> = (0..hosts.len()).collect();
        order.sort_by(|&a, &b| {
            let (la, lb) = (liberating.contains(&hosts[a]), liberating.contains(&hosts[b]));
            lb.cmp(&la).then(weight(b).total_cmp(&weight(a))).then(a.cmp(&b))
        });
        let ordered: Vec<HostId> = order.iter().map(|&i| hosts[i]).collect();
        let packings = given
            .iter()
            .map(|(per_wave, a)| (*per_wave, order.iter().map(|&i| a[i]).collect()))
            .collect();
        let minutes = ordered
            .iter()
            .map(|&h| rules.cluster().host(h).upgrade_minutes)
            .collect();
        Cover {
            rules,
            liberating: ordered.iter().filter(|h| liberating.contains(h)).count(),
            hosts: ordered,
            packings,
            expired,
            safe: HashMap::new(),
            checks: 0,
            nodes: 0,
            aborted: false,
            found: None,
            minutes,
            caps: Vec::new(),
        }
    }

    /// The fewest waves the domain needs, at least `lower` (a bound already known) and at most
    /// `upper` (the waves a safe plan gives it, or its hosts), and waves that many when the
    /// search found them.
    pub(super) fn fewest(&mut self, lower: u32, upper: u32) -> (u32, Option<Vec<Vec<HostId>>>) {
        self.caps.clear();
        let mut k = lower.max(1);
        while k <= upper {
            let mut waves = vec![0u32; k as usize];
            if self.fits(0, &mut waves, &mut vec![0; k as usize], 0) {
                let waves = self.found.take().unwrap_or_default();
                return (
                    k,
                    Some(
                        waves
                            .into_iter()
                            .filter(|&w| w != 0)
                            .map(|w| self.members(w))
                            .collect(),
                    ),
                );
            }
            if self.aborted {
                return (k, None);
            }
            k += 1;
        }
        (upper.max(lower), None)
    }

    /// The fewest minutes the domain's waves last in all, each the `overhead` and its longest
    /// host, given that they are at least `fewest` (from [`Cover::fewest`]): a bound, exact when
    /// the search completes. The minutes of a partition depend only on how many of its waves
    /// reach each host duration, so those counts are searched, cheapest first, as the
    /// `duration` objective's own search does for the whole plan (`by_duration.rs`). With the
    /// minutes, waves that last them, when the search found them.
    pub(super) fn least_minutes(&mut self, overhead: u64, fewest: u32) -> (u64, Option<Vec<Vec<HostId>>>) {
        let mut levels: Vec<u32> = self.minutes.clone();
        levels.sort_unstable_by(|a, b| b.cmp(a));
        levels.dedup();
        let last = levels.len() - 1;
        let cost = |w: &[usize]| {
            let steps: u64 = (0..=last)
                .map(|j| {
                    let below = levels.get(j + 1).copied().unwrap_or(0);
                    w[j] as u64 * u64::from(levels[j] - below)
                })
                .sum();
            steps + overhead * w[last] as u64
        };
        let monotone = |mut w: Vec<usize>| {
            for j in 1..w.len() {
                w[j] = w[j].max(w[j - 1]);
            }
            w
        };
        let mut floor = vec![1; levels.len()];
        floor[last] = fewest.max(1) as usize;
        let floor = monotone(floor);
        let mut queue = std::collections::BinaryHeap::new();
        let mut seen = std::collections::HashSet::new();
        queue.push(std::cmp::Reverse((cost(&floor), floor.clone())));
        seen.insert(floor);
        while let Some(std::cmp::Reverse((minutes, w))) = queue.pop() {
            self.caps = levels.iter().copied().zip(w.iter().copied()).collect();
            let k = w[last];
            let fits = self.fits(0, &mut vec![0; k], &mut vec![0; k], 0);
            if fits || self.aborted {
                self.caps.clear();
                let waves = self.found.take().filter(|_| fits).map(|waves| {
                    waves
                        .into_iter()
                        .filter(|&w| w != 0)
                        .map(|w| self.members(w))
                        .collect()
                });
                return (minutes, waves);
            }
            for j in 0..=last {
                let mut next = w.clone();
                next[j] += 1;
                let next = monotone(next);
                if next[last] <= self.hosts.len() && seen.insert(next.clone()) {
                    queue.push(std::cmp::Reverse((cost(&next), next)));
                }
            }
        }
        self.caps.clear();
        // Every count vector was tried (none is left below each host alone): only when a host
        // cannot go even alone, which a plan rules out.
        (0, None)
    }

    fn members(&self, set: u32) -> Vec<HostId> {
        (0..self.hosts.len())
            .filter(|&i| set & (1 << i) != 0)
            .map(|i| self.hosts[i])
            .collect()
    }

    /// Whether `set` is a safe wave; a placement search that ran out of budget counts as safe.
    fn is_safe(&mut self, set: u32) -> bool {
        if let Some(&safe) = self.safe.get(&set) {
            return safe;
        }
        self.checks += 1;
        if self.checks > MAX_CHECKS || (self.checks.is_multiple_of(64) && (self.expired)()) {
            self.aborted = true;
        }
        let items: Vec<ItemId> = self.members(set).into_iter().map(ItemId::Host).collect();
        let safe = !matches!(self.rules.check(&items), Err(p) if !matches!(p, WaveProblem::PlacementUnknown));
        self.safe.insert(set, safe);
        safe
    }

    /// Whether hosts `next..` can join `waves` (the first `open` of them not empty) so that
    /// every wave is safe.
    fn fits(&mut self, next: usize, waves: &mut [u32], tops: &mut [u32], open: usize) -> bool {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.aborted = true;
        }
        if self.aborted {
            return false;
        }
        if next == self.liberating && next > 0 {
            // Waves not judged while liberating hosts were left to put are judged now.
            let all_safe = waves.iter().all(|&w| w == 0 || self.is_safe(w));
            if !all_safe {
                return false;
            }
        }
        if next == self.hosts.len() {
            self.found = Some(waves.to_vec());
            return true;
        }
        if !self.room_left(next, waves) {
            return false;
        }
        let bit = 1u32 << next;
        for j in 0..waves.len().min(open + 1) {
            let wave = waves[j] | bit;
            if next + 1 >= self.liberating && !self.is_safe(wave) {
                continue;
            }
            let top = tops[j];
            tops[j] = top.max(self.minutes[next]);
            if !self.within_caps(tops) {
                tops[j] = top;
                continue;
            }
            waves[j] = wave;
            let found = self.fits(next + 1, waves, tops, open.max(j + 1));
            waves[j] &= !bit;
            tops[j] = top;
            if found {
                return true;
            }
            if self.aborted {
                return false;
            }
        }
        false
    }

    /// Whether no more waves reach each duration than [`Cover::caps`] allows.
    fn within_caps(&self, tops: &[u32]) -> bool {
        self.caps
            .iter()
            .all(|&(minutes, most)| tops.iter().filter(|&&t| t >= minutes).count() <= most)
    }

    /// Whether, under every packing rule, what hosts `next..` take down fits in the room left
    /// in `waves`.
    fn room_left(&self, next: usize, waves: &[u32]) -> bool {
        self.packings.iter().all(|(per_wave, amounts)| {
            let left: u64 = amounts[next..].iter().sum();
            let room: u64 = waves
                .iter()
                .map(|&w| {
                    let load: u64 = (0..next).filter(|&i| w & (1 << i) != 0).map(|i| amounts[i]).sum();
                    per_wave.saturating_sub(load)
                })
                .sum();
            left <= room
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Recipe, Shape, Trace, generate};
    use crate::model::Cluster;

    fn cluster(shape: Shape, hosts: usize, seed: u64) -> Cluster {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/alibaba-cluster-trace-gpu-v2023");
        let read = |file: &str| std::fs::read_to_string(folder.join(file)).expect("the shared trace");
        let trace = Trace::parse(&read(Trace::FILES[0]), &read(Trace::FILES[1])).expect("trace parses");
        let text = generate(&Recipe { shape, hosts, seed }, &trace);
        crate::load(&crate::Source::new("g.toml", text))
            .expect("loads")
            .cluster
    }

    /// On every fault domain small enough for the search over all its subsets, the
    /// branch-and-bound finds the same fewest waves, and waves that many, each safe, that hold
    /// every host of the domain once.
    #[test]
    fn agrees_with_the_search_over_all_subsets() {
        let mut domains = 0;
        for (shape, hosts) in [
            (Shape::Vsan, 24),
            (Shape::Vsan, 40),
            (Shape::Nutanix, 16),
            (Shape::ProxmoxCeph, 24),
        ] {
            for seed in 1..=3 {
                let cluster = cluster(shape, hosts, seed);
                let rules = WaveRules::new(&cluster);
                let bounds = crate::bounds::bounds(&cluster);
                let liberating = super::super::liberating_hosts(&cluster);
                let mut by_domain: std::collections::BTreeMap<_, Vec<HostId>> = Default::default();
                for h in cluster.upgraded_hosts() {
                    by_domain.entry(cluster.host(h).fault_domain).or_default().push(h);
                }
                for hosts in by_domain.values().filter(|h| (2..=12).contains(&h.len())) {
                    let exact = super::super::domains::fewest_waves(&rules, hosts, &liberating);
                    let (waves, found) = Cover::new(&rules, hosts, &liberating, &bounds, &|| false)
                        .fewest(1, hosts.len() as u32);
                    assert_eq!(waves, exact, "{shape}-{seed}: {hosts:?}");
                    let found = found.expect("a complete search gives its waves");
                    assert_eq!(found.len() as u32, waves);
                    let mut covered: Vec<HostId> = found.iter().flatten().copied().collect();
                    covered.sort_unstable();
                    let mut expected = hosts.clone();
                    expected.sort_unstable();
                    assert_eq!(covered, expected, "each host once");
                    for wave in &found {
                        let items: Vec<ItemId> = wave.iter().map(|&h| ItemId::Host(h)).collect();
                        assert!(
                            rules.check(&items).is_ok(),
                            "{shape}-{seed}: wave {wave:?} is safe"
                        );
                    }
                    domains += 1;
                }
            }
        }
        assert!(domains >= 20, "only {domains} domains compared");
    }

    /// The fewest minutes of a domain's waves, by brute force over its subsets: each set's
    /// cheapest partition is its lowest host's wave and the cheapest partition of the rest.
    fn least_minutes_by_brute_force(rules: &WaveRules<'_>, hosts: &[HostId], overhead: u64) -> u64 {
        let n = hosts.len();
        let full = (1usize << n) - 1;
        let safe: Vec<bool> = (0..=full)
            .map(|set| {
                let items: Vec<ItemId> = (0..n)
                    .filter(|&i| set & (1 << i) != 0)
                    .map(|i| ItemId::Host(hosts[i]))
                    .collect();
                set != 0 && rules.check(&items).is_ok()
            })
            .collect();
        let minutes = |set: usize| {
            (0..n)
                .filter(|&i| set & (1 << i) != 0)
                .map(|i| u64::from(rules.cluster().host(hosts[i]).upgrade_minutes))
                .max()
                .unwrap_or(0)
        };
        let mut best = vec![u64::MAX; full + 1];
        best[0] = 0;
        for set in 1..=full {
            let low = set & set.wrapping_neg();
            let rest = set & !low;
            let mut sub = rest;
            loop {
                let wave = sub | low;
                if safe[wave] && best[set & !wave] != u64::MAX {
                    best[set] = best[set].min(best[set & !wave] + overhead + minutes(wave));
                }
                if sub == 0 {
                    break;
                }
                sub = (sub - 1) & rest;
            }
        }
        best[full]
    }

    /// On every fault domain of up to 8 hosts of generated clusters (with hosts of two upgrade
    /// times), the count-vector search gives the least minutes brute force gives, and its
    /// waves last exactly that long.
    #[test]
    fn least_minutes_agree_with_brute_force() {
        let mut domains = 0;
        for (shape, hosts) in [
            (Shape::Nutanix, 16),
            (Shape::Nutanix, 32),
            (Shape::ProxmoxCeph, 16),
            (Shape::Vsan, 24),
            (Shape::Fleet, 22),
        ] {
            for seed in 1..=3 {
                let cluster = cluster(shape, hosts, seed);
                let rules = WaveRules::new(&cluster);
                let bounds = crate::bounds::bounds(&cluster);
                let liberating = super::super::liberating_hosts(&cluster);
                let overhead = u64::from(cluster.policy.wave_overhead_minutes);
                let mut by_domain: std::collections::BTreeMap<_, Vec<HostId>> = Default::default();
                for h in cluster.upgraded_hosts() {
                    by_domain.entry(cluster.host(h).fault_domain).or_default().push(h);
                }
                for hosts in by_domain.values().filter(|h| (2..=8).contains(&h.len())) {
                    if hosts.iter().any(|h| liberating.contains(h)) {
                        continue;
                    }
                    let expected = least_minutes_by_brute_force(&rules, hosts, overhead);
                    let mut cover = Cover::new(&rules, hosts, &liberating, &bounds, &|| false);
                    let (fewest, _) = cover.fewest(1, hosts.len() as u32);
                    let (least, waves) = cover.least_minutes(overhead, fewest);
                    assert_eq!(least, expected, "{shape}-{seed}: {hosts:?}");
                    let waves = waves.expect("a complete search gives its waves");
                    let lasting: u64 = waves
                        .iter()
                        .map(|w| {
                            overhead
                                + w.iter()
                                    .map(|&h| u64::from(cluster.host(h).upgrade_minutes))
                                    .max()
                                    .unwrap_or(0)
                        })
                        .sum();
                    assert_eq!(lasting, least, "{shape}-{seed}: the waves found last the minutes");
                    domains += 1;
                }
            }
        }
        assert!(domains >= 10, "only {domains} domains compared");
    }
}
