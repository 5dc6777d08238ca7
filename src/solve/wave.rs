//! The rules of one wave, checked incrementally as items are added.
//!
//! Everything except order and placement is a count: hosts in the wave, fault domains and sites
//! down, votes of each quorum group and members of each budget down. [`WaveCounts`] keeps those
//! counts so that the heuristic can try an item, look, and take it back in constant time per
//! rule it touches. Placement is checked separately, once the counts allow the wave.
//!
//! On clusters of more than [`LARGE`] items a wave's placement is first tried greedily
//! ([`crate::placement::greedy`]), and the exact search runs only when that fails; every
//! placement found is kept, so that the plan's final waves are not placed again.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::model::AntiAffinityId;
use crate::model::{BudgetId, Cluster, ComponentId, FaultDomainId, HostId, ItemId, QuorumGroupId, SiteId};
use crate::placement::greedy::Evacuator;
use crate::placement::{self, Placement, Shortfall};
use crate::plan::Move;
use crate::rules::{self, Rule, levels::Level};
use crate::solve::{Clock, Work};

/// Why a set of items cannot be one wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaveProblem {
    /// An exclusive component shares the wave.
    Exclusive(ComponentId),
    /// Too many hosts.
    MaxHosts {
        /// Hosts in the wave.
        hosts: usize,
        /// The limit.
        limit: u32,
    },
    /// Too many fault domains down.
    FaultDomains {
        /// Domains down in the wave (including those of unavailable hosts).
        down: Vec<FaultDomainId>,
        /// The limit.
        limit: u32,
    },
    /// Too many sites down.
    Sites {
        /// Sites down in the wave.
        down: Vec<SiteId>,
        /// The limit.
        limit: u32,
    },
    /// A quorum group would lose quorum.
    Quorum {
        /// The group.
        group: QuorumGroupId,
        /// Votes down in the wave.
        down: u64,
        /// Votes that may be down.
        allowed: i64,
    },
    /// A disruption budget would be exceeded.
    Budget {
        /// The budget.
        budget: BudgetId,
        /// Members down in the wave.
        down: u64,
        /// Members that may be down.
        allowed: i64,
    },
    /// Another counted rule of [`rules::rows`] would be exceeded: one added to the format
    /// after quorum groups and budgets, enforced here with no code of its own.
    Counted {
        /// The rule.
        rule: Rule,
        /// What the wave takes down, in the row's unit.
        down: u64,
        /// What one wave may take down.
        allowed: i64,
    },
    /// The workloads cannot be evacuated.
    Placement(Shortfall),
    /// The placement search ran out of budget.
    PlacementUnknown,
}

impl WaveProblem {
    /// The rule the wave breaks.
    pub fn rule(&self) -> Rule {
        match self {
            WaveProblem::Exclusive(_) => Rule::ExclusiveComponents,
            WaveProblem::MaxHosts { .. } => Rule::MaxHostsPerWave,
            WaveProblem::FaultDomains { .. } => Rule::FaultDomains,
            WaveProblem::Sites { .. } => Rule::Sites,
            WaveProblem::Quorum { group, .. } => Rule::Quorum(*group),
            WaveProblem::Budget { budget, .. } => Rule::Budget(*budget),
            WaveProblem::Counted { rule, .. } => *rule,
            WaveProblem::Placement(
                Shortfall::Capacity { resource, .. } | Shortfall::Reserve { resource, .. },
            ) => Rule::Capacity(*resource),
            WaveProblem::Placement(_) | WaveProblem::PlacementUnknown => Rule::Evacuation,
        }
    }
}

/// What one item takes down when it is upgraded.
#[derive(Debug, Clone, Default)]
struct Footprint {
    fault_domain: Option<FaultDomainId>,
    site: Option<SiteId>,
    /// What it takes down of each counted row (index into `WaveRules::rows`), when not zero.
    rows: Vec<(usize, u64)>,
}

/// Items above which a cluster is large: its waves are placed greedily first, the placements
/// found are kept, and the heuristic grows waves host by host on them. Below, every wave gets
/// the exact search, and plans stay as they were before large clusters were planned this way.
pub const LARGE: usize = 200;

/// A wave's placement: its moves and the "should" groups it breaks.
pub type Placed = (Vec<Move>, Vec<AntiAffinityId>);

/// Placements kept at most (see [`WaveRules::check`]); past that the store starts again.
const KEPT_PLACEMENTS: usize = 20_000;

/// The fixed part of the wave rules for a cluster.
pub struct WaveRules<'c> {
    cluster: &'c Cluster,
    footprints: HashMap<ItemId, Footprint>,
    /// Fault domains and sites down in every wave (unavailable hosts).
    base_domains: Vec<FaultDomainId>,
    base_sites: Vec<SiteId>,
    /// The counted rows of [`rules::rows`] checked by counting (quorum groups, budgets and any
    /// rule added since), each with what one wave may take down. The host cap is counted
    /// apart, and the capacity rows are left to the exact placement.
    rows: Vec<(Rule, i64)>,
    /// Node budget of each placement search.
    pub placement_budget: u64,
    /// On a large cluster: the cluster at rest for greedy placements.
    greedy: Option<Evacuator<'c>>,
    /// On a large cluster: the placement of every wave found safe, by its sorted items.
    placed: RefCell<HashMap<Vec<ItemId>, Placed>>,
    /// The caller's clock and time limit: exact placement searches give up at the limit
    /// (large clusters only), and every placement is reported to the clock.
    clock: Option<(&'c dyn Clock, f64)>,
}

impl<'c> WaveRules<'c> {
    /// Precomputes the footprint of every item.
    pub fn new(cluster: &'c Cluster) -> Self {
        let mut footprints: HashMap<ItemId, Footprint> = HashMap::new();
        for item in cluster.items() {
            let mut fp = Footprint::default();
            if let ItemId::Host(h) = item {
                fp.fault_domain = Some(cluster.host(h).fault_domain);
                fp.site = cluster.site_of(h);
            }
            footprints.insert(item, fp);
        }
        let mut rows = Vec::new();
        for row in rules::rows(cluster) {
            if matches!(row.rule, Rule::MaxHostsPerWave | Rule::Capacity(_)) {
                continue;
            }
            let index = rows.len();
            for (item, amount) in row.amounts {
                if amount > 0 {
                    footprints.entry(item).or_default().rows.push((index, amount));
                }
            }
            rows.push((row.rule, row.per_wave));
        }
        let base_domains: Vec<FaultDomainId> = Level::FaultDomain
            .down_at_rest(cluster)
            .into_iter()
            .map(|d| FaultDomainId::from_index(d as usize))
            .collect();
        let base_sites: Vec<SiteId> = Level::Site
            .down_at_rest(cluster)
            .into_iter()
            .map(|s| SiteId::from_index(s as usize))
            .collect();
        WaveRules {
            cluster,
            footprints,
            base_domains,
            base_sites,
            rows,
            placement_budget: placement::DEFAULT_NODE_BUDGET,
            greedy: (cluster.items().len() > LARGE).then(|| Evacuator::new(cluster)),
            placed: RefCell::new(HashMap::new()),
            clock: None,
        }
    }

    /// The same rules, which report each placement to `clock` and, on a large cluster, give up
    /// exact placement searches once `clock` passes `limit` (they answer "unknown", which is
    /// never taken for a proof). A small cluster's searches are short, and its plan must not
    /// depend on the clock.
    pub fn with_clock(mut self, clock: &'c dyn Clock, limit: f64) -> Self {
        self.clock = Some((clock, limit));
        self
    }

    /// Tells the caller's clock about a placement.
    pub fn report(&self, work: Work) {
        if let Some((clock, _)) = self.clock {
            clock.work(work);
        }
    }

    /// Whether the cluster is large (see [`LARGE`]).
    pub fn is_large(&self) -> bool {
        self.greedy.is_some()
    }

    /// On a large cluster, the cluster at rest for greedy placements.
    pub fn evacuator(&self) -> Option<&Evacuator<'c>> {
        self.greedy.as_ref()
    }

    /// Keeps the placement of a wave found safe (large clusters only).
    pub fn keep(&self, items: &[ItemId], placed: Placed) {
        if self.greedy.is_none() {
            return;
        }
        let mut store = self.placed.borrow_mut();
        if store.len() >= KEPT_PLACEMENTS {
            store.clear();
        }
        store.insert(sorted(items), placed);
    }

    /// The cluster.
    pub fn cluster(&self) -> &'c Cluster {
        self.cluster
    }

    /// An empty wave.
    pub fn empty(&self) -> WaveCounts<'_, 'c> {
        let mut domains = HashMap::new();
        for &d in &self.base_domains {
            domains.insert(d, 1u32);
        }
        let mut sites = HashMap::new();
        for &s in &self.base_sites {
            sites.insert(s, 1u32);
        }
        WaveCounts {
            rules: self,
            items: Vec::new(),
            hosts: 0,
            exclusive: None,
            domains,
            sites,
            row_down: vec![0; self.rows.len()],
        }
    }

    /// Checks a whole wave, placement included; on success, the moves and broken "should"
    /// groups. On a large cluster a kept placement is reused, a greedy one tried next, and the
    /// exact search runs last, until the deadline given to [`WaveRules::with_stop`].
    pub fn check(&self, items: &[ItemId]) -> Result<Placed, WaveProblem> {
        match self.clock {
            Some((clock, limit)) if self.greedy.is_some() => {
                self.check_with(items, Some(&|| clock.elapsed() >= limit))
            }
            _ => self.check_with(items, None),
        }
    }

    /// [`WaveRules::check`] without the deadline: for a wave already found safe, whose
    /// placement must be found again if it was not kept.
    pub fn check_patiently(&self, items: &[ItemId]) -> Result<Placed, WaveProblem> {
        self.check_with(items, None)
    }

    fn check_with(&self, items: &[ItemId], stop: Option<&dyn Fn() -> bool>) -> Result<Placed, WaveProblem> {
        let mut state = self.empty();
        for &item in items {
            state.add(item);
        }
        state.problem().map_or(Ok(()), Err)?;
        let Some(evacuator) = &self.greedy else {
            return state.place();
        };
        let key = sorted(items);
        if let Some(placed) = self.placed.borrow().get(&key) {
            return Ok(placed.clone());
        }
        let mut wave = evacuator.wave();
        let placed = if items.iter().all(|&i| match i {
            ItemId::Host(h) => {
                self.report(Work::Greedy);
                wave.try_add(h)
            }
            ItemId::Component(_) => true,
        }) {
            (wave.moves(), wave.broken_should())
        } else {
            state.place_until(stop.unwrap_or(&|| false))?
        };
        self.keep(items, placed.clone());
        Ok(placed)
    }

    /// The aggregate evacuation weight of a host: what it moves plus the room it takes away.
    pub fn host_weight(&self, host: HostId, resource: crate::model::Resource) -> u64 {
        rules::capacity::host_weight(self.cluster, host, resource)
    }
}

/// The counts of a wave under construction.
#[derive(Clone)]
pub struct WaveCounts<'r, 'c> {
    rules: &'r WaveRules<'c>,
    items: Vec<ItemId>,
    hosts: usize,
    exclusive: Option<ComponentId>,
    domains: HashMap<FaultDomainId, u32>,
    sites: HashMap<SiteId, u32>,
    /// What the wave takes down of each counted row.
    row_down: Vec<u64>,
}

impl WaveCounts<'_, '_> {
    /// The items in the wave, in the order added.
    pub fn items(&self) -> &[ItemId] {
        &self.items
    }

    /// Whether the wave has no item.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds an item (no check).
    pub fn add(&mut self, item: ItemId) {
        let rules = self.rules;
        self.items.push(item);
        match item {
            ItemId::Host(_) => self.hosts += 1,
            ItemId::Component(c) => {
                if rules::is_exclusive(self.rules.cluster, item) {
                    self.exclusive.get_or_insert(c);
                }
            }
        }
        let fp = &rules.footprints[&item];
        if let Some(d) = fp.fault_domain {
            *self.domains.entry(d).or_default() += 1;
        }
        if let Some(s) = fp.site {
            *self.sites.entry(s).or_default() += 1;
        }
        for &(r, amount) in &fp.rows {
            self.row_down[r] += amount;
        }
    }

    /// Removes the most recently added item.
    pub fn pop(&mut self) {
        let Some(item) = self.items.pop() else { return };
        let rules = self.rules;
        match item {
            ItemId::Host(_) => self.hosts -= 1,
            ItemId::Component(c) => {
                if self.exclusive == Some(c) {
                    let cluster = self.rules.cluster;
                    self.exclusive = self.items.iter().find_map(|&i| match i {
                        ItemId::Component(c) if rules::is_exclusive(cluster, i) => Some(c),
                        _ => None,
                    });
                }
            }
        }
        let fp = &rules.footprints[&item];
        if let Some(d) = fp.fault_domain {
            release(&mut self.domains, d);
        }
        if let Some(s) = fp.site {
            release(&mut self.sites, s);
        }
        for &(r, amount) in &fp.rows {
            self.row_down[r] -= amount;
        }
    }

    /// The first counted rule the wave breaks, if any (placement is not checked here).
    pub fn problem(&self) -> Option<WaveProblem> {
        let rules = self.rules;
        let policy = &rules.cluster.policy;
        if let Some(c) = self.exclusive
            && self.items.len() > 1
        {
            return Some(WaveProblem::Exclusive(c));
        }
        if let Some(limit) = policy.max_hosts_per_wave
            && self.hosts > limit as usize
        {
            return Some(WaveProblem::MaxHosts {
                hosts: self.hosts,
                limit,
            });
        }
        if let Some(limit) = policy.max_fault_domains_down
            && self.domains.len() > limit as usize
        {
            let mut down: Vec<FaultDomainId> = self.domains.keys().copied().collect();
            down.sort_unstable();
            return Some(WaveProblem::FaultDomains { down, limit });
        }
        if let Some(limit) = policy.max_sites_down
            && self.sites.len() > limit as usize
        {
            let mut down: Vec<SiteId> = self.sites.keys().copied().collect();
            down.sort_unstable();
            return Some(WaveProblem::Sites { down, limit });
        }
        // In the order of `rules::rows`: quorum groups, then budgets, then any other.
        for (&(rule, allowed), &down) in rules.rows.iter().zip(&self.row_down) {
            if down as i64 > allowed || allowed < 0 {
                return Some(match rule {
                    Rule::Quorum(group) => WaveProblem::Quorum { group, down, allowed },
                    Rule::Budget(budget) => WaveProblem::Budget {
                        budget,
                        down,
                        allowed,
                    },
                    rule => WaveProblem::Counted { rule, down, allowed },
                });
            }
        }
        None
    }

    /// Whether the wave, which kept every counted rule before its last item, still does: only
    /// what that item touches is looked at.
    pub fn admits_last(&self) -> bool {
        let Some(&item) = self.items.last() else {
            return true;
        };
        let rules = self.rules;
        let policy = &rules.cluster.policy;
        let fp = &rules.footprints[&item];
        let exclusive = self.exclusive.is_some() && self.items.len() > 1;
        let hosts = policy.max_hosts_per_wave.is_some_and(|l| self.hosts > l as usize);
        let domains = fp.fault_domain.is_some()
            && policy
                .max_fault_domains_down
                .is_some_and(|l| self.domains.len() > l as usize);
        let sites = fp.site.is_some()
            && policy
                .max_sites_down
                .is_some_and(|l| self.sites.len() > l as usize);
        let rows = fp.rows.iter().any(|&(r, _)| {
            let allowed = rules.rows[r].1;
            self.row_down[r] as i64 > allowed || allowed < 0
        });
        !(exclusive || hosts || domains || sites || rows)
    }

    /// Searches a placement for the wave's hosts.
    pub fn place(&self) -> Result<Placed, WaveProblem> {
        self.place_until(&|| false)
    }

    /// [`WaveCounts::place`], giving up ("unknown") once `stop` says so.
    fn place_until(&self, stop: &dyn Fn() -> bool) -> Result<Placed, WaveProblem> {
        let hosts: Vec<HostId> = self
            .items
            .iter()
            .filter_map(|i| match i {
                ItemId::Host(h) => Some(*h),
                ItemId::Component(_) => None,
            })
            .collect();
        self.rules.report(Work::Search { hosts: hosts.len() });
        match placement::place_until(self.rules.cluster, &hosts, self.rules.placement_budget, stop) {
            Placement::Found { moves, broken_should } => Ok((moves, broken_should)),
            Placement::Impossible(shortfall) => Err(WaveProblem::Placement(shortfall)),
            Placement::Unknown => Err(WaveProblem::PlacementUnknown),
        }
    }
}

/// A wave's items in id order: the key of a kept placement.
fn sorted(items: &[ItemId]) -> Vec<ItemId> {
    let mut key = items.to_vec();
    key.sort_unstable();
    key
}

fn release<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u32>, key: K) {
    if let Some(n) = map.get_mut(&key) {
        *n -= 1;
        if *n == 0 {
            map.remove(&key);
        }
    }
}
