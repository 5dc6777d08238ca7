//! The cluster as the planner sees it: pure domain values, every name resolved to a typed id.
//!
//! A [`Cluster`] is built only by the resolve pass, from a description without input errors, so
//! everything here may assume its invariants: references point at existing items, every host
//! has a fault domain (an implicit one of its own when the description gives none), quorums are
//! within their groups' votes, and the current placement honours mandatory anti-affinity.

mod choices;
mod ids;
pub mod resources;

use std::collections::HashMap;

pub use choices::{HostState, Migration, Objective, Platform, Policy, Scope};
pub use ids::{
    AntiAffinityId, BudgetId, ComponentId, FaultDomainId, HostId, ItemId, MemberId, QuorumGroupId, SiteId,
    WorkloadId,
};
pub use resources::{Resource, Resources};

/// A site (data centre, region).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Its name.
    pub name: String,
}

/// A fault domain (rack, zone, vSAN fault domain).
#[derive(Debug, Clone, PartialEq)]
pub struct FaultDomain {
    /// Its name; for an implicit domain, the name of its one host.
    pub name: String,
    /// The site it belongs to, if any.
    pub site: Option<SiteId>,
    /// True when the description gave the host no fault domain and it forms its own.
    pub implicit: bool,
    /// Its hosts, in declaration order.
    pub hosts: Vec<HostId>,
}

/// A host.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    /// Its name.
    pub name: String,
    /// Its fault domain (implicit when none was declared).
    pub fault_domain: FaultDomainId,
    /// Raw capacity per resource.
    pub capacity: Resources,
    /// Capacity that may be used: capacity (CPU times `cpu_overcommit`) less the policy's
    /// headroom, as [`crate::rules::capacity::usable`] computes it.
    pub usable: Resources,
    /// Whether storage is limited on this host; without `storage_gib` it is not tracked.
    pub storage_limited: bool,
    /// The version it runs now, if known.
    pub version: Option<String>,
    /// The version the upgrade brings it to, if known.
    pub target_version: Option<String>,
    /// How long its upgrade takes, in minutes.
    pub upgrade_minutes: u32,
    /// Whether it takes part.
    pub state: HostState,
    /// The workloads placed on it, in declaration order.
    pub workloads: Vec<WorkloadId>,
    /// The sum of its workloads' demands.
    pub load: Resources,
}

impl Host {
    /// Whether the host is up at rest (state `ready`): the plan upgrades it, unless it is
    /// already [done](Host::is_done), and it takes workloads in every wave it is not upgraded.
    pub fn is_ready(&self) -> bool {
        self.state == HostState::Ready
    }

    /// Whether the host already runs its target version: it needs no wave.
    pub fn is_done(&self) -> bool {
        already_done(self.version.as_deref(), self.target_version.as_deref())
    }

    /// Whether the plan upgrades this host: ready and not already done.
    pub fn is_upgraded(&self) -> bool {
        self.is_ready() && !self.is_done()
    }

    /// Usable capacity of `resource`, or `None` when it is not tracked on this host.
    pub fn usable(&self, resource: Resource) -> Option<u64> {
        (resource != Resource::Storage || self.storage_limited).then_some(self.usable[resource])
    }

    /// Free room of `resource` before anything moves: usable capacity less load, at least zero.
    /// `None` when the resource is not tracked here (unlimited).
    pub fn room(&self, resource: Resource) -> Option<u64> {
        self.usable(resource)
            .map(|u| u.saturating_sub(self.load[resource]))
    }
}

/// A control-plane item that is not a host.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// Its name.
    pub name: String,
    /// How long its upgrade takes, in minutes.
    pub upgrade_minutes: u32,
    /// Whether it needs a wave of its own.
    pub exclusive: bool,
    /// The version it runs now, if known.
    pub version: Option<String>,
    /// The version the upgrade brings it to, if known.
    pub target_version: Option<String>,
}

impl Component {
    /// Whether the component already runs its target version: it needs no wave.
    pub fn is_done(&self) -> bool {
        already_done(self.version.as_deref(), self.target_version.as_deref())
    }
}

/// The contract's "already done": a declared version equal to the target version (the item's
/// own `target_version`, else `[defaults] target_version`). The one home of that rule.
fn already_done(version: Option<&str>, target: Option<&str>) -> bool {
    version.is_some() && version == target
}

/// A workload on a host.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Its name.
    pub name: String,
    /// The host it runs on now.
    pub host: HostId,
    /// What it needs of each resource.
    pub demand: Resources,
    /// How it behaves when its host goes down.
    pub migration: Migration,
    /// Hosts it may run on, sorted; `None` means any.
    pub allowed_hosts: Option<Vec<HostId>>,
}

impl Workload {
    /// Whether the workload may be placed on `host`.
    pub fn allows(&self, host: HostId) -> bool {
        self.allowed_hosts
            .as_ref()
            .is_none_or(|allowed| allowed.binary_search(&host).is_ok())
    }
}

/// One member of a quorum group, with its votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// The host, component or workload.
    pub id: MemberId,
    /// Its votes.
    pub votes: u64,
}

/// A quorum group (etcd, corosync, Ceph monitors, CVMs).
#[derive(Debug, Clone, PartialEq)]
pub struct QuorumGroup {
    /// Its name.
    pub name: String,
    /// Its members in declaration order.
    pub members: Vec<Member>,
    /// Votes that must stay up.
    pub quorum: u64,
    /// True when the description gave no quorum and the strict majority applies.
    pub default_quorum: bool,
}

impl QuorumGroup {
    /// The votes of all members.
    pub fn total_votes(&self) -> u64 {
        self.members.iter().map(|m| m.votes).sum()
    }
}

/// The limit of a disruption budget, as the description states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetLimit {
    /// At most this many members down at once.
    MaxUnavailable(u64),
    /// At least this many members up at all times.
    MinAvailable(u64),
}

/// A PodDisruptionBudget-style rule over workloads.
#[derive(Debug, Clone, PartialEq)]
pub struct DisruptionBudget {
    /// Its name.
    pub name: String,
    /// Its workloads.
    pub workloads: Vec<WorkloadId>,
    /// Its limit.
    pub limit: BudgetLimit,
}

impl DisruptionBudget {
    /// Members that may be down at once.
    pub fn max_down(&self) -> u64 {
        match self.limit {
            BudgetLimit::MaxUnavailable(n) => n,
            BudgetLimit::MinAvailable(n) => (self.workloads.len() as u64).saturating_sub(n),
        }
    }
}

/// Workloads kept apart.
#[derive(Debug, Clone, PartialEq)]
pub struct AntiAffinityGroup {
    /// Its name.
    pub name: String,
    /// Its workloads.
    pub workloads: Vec<WorkloadId>,
    /// What they are kept apart across.
    pub scope: Scope,
    /// Whether the rule must hold (a "should" rule may be broken, with a warning).
    pub mandatory: bool,
}

/// Every item of `before` goes in an earlier wave than every item of `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRule {
    /// Items upgraded first.
    pub before: Vec<ItemId>,
    /// Items upgraded later.
    pub after: Vec<ItemId>,
}

/// A whole cluster description, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The cluster's name.
    pub name: String,
    /// Its platform.
    pub platform: Platform,
    /// Its policy.
    pub policy: Policy,
    /// Sites.
    pub sites: Vec<Site>,
    /// Fault domains: the declared ones first, then one implicit domain per host without one.
    pub fault_domains: Vec<FaultDomain>,
    /// Hosts.
    pub hosts: Vec<Host>,
    /// Components.
    pub components: Vec<Component>,
    /// Workloads.
    pub workloads: Vec<Workload>,
    /// Quorum groups.
    pub quorum_groups: Vec<QuorumGroup>,
    /// Disruption budgets.
    pub budgets: Vec<DisruptionBudget>,
    /// Anti-affinity groups.
    pub anti_affinity: Vec<AntiAffinityGroup>,
    /// Order rules.
    pub orders: Vec<OrderRule>,
    pub(crate) names: Names,
}

/// Name lookups, built once by the resolve pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Names {
    pub(crate) hosts: HashMap<String, HostId>,
    pub(crate) components: HashMap<String, ComponentId>,
    pub(crate) workloads: HashMap<String, WorkloadId>,
}

impl Cluster {
    /// The host with `id`.
    pub fn host(&self, id: HostId) -> &Host {
        &self.hosts[id.index()]
    }

    /// The workload with `id`.
    pub fn workload(&self, id: WorkloadId) -> &Workload {
        &self.workloads[id.index()]
    }

    /// The component with `id`.
    pub fn component(&self, id: ComponentId) -> &Component {
        &self.components[id.index()]
    }

    /// The fault domain with `id`.
    pub fn fault_domain(&self, id: FaultDomainId) -> &FaultDomain {
        &self.fault_domains[id.index()]
    }

    /// The site of a host, through its fault domain.
    pub fn site_of(&self, host: HostId) -> Option<SiteId> {
        self.fault_domain(self.host(host).fault_domain).site
    }

    /// Ids of every host.
    pub fn host_ids(&self) -> impl Iterator<Item = HostId> + '_ {
        (0..self.hosts.len()).map(HostId::from_index)
    }

    /// Ids of the hosts that are up at rest (state `ready`), including those already done: the
    /// hosts that take workloads.
    pub fn ready_hosts(&self) -> impl Iterator<Item = HostId> + '_ {
        self.host_ids().filter(|&h| self.host(h).is_ready())
    }

    /// Ids of the hosts the plan upgrades: ready and not already at their target version.
    pub fn upgraded_hosts(&self) -> impl Iterator<Item = HostId> + '_ {
        self.host_ids().filter(|&h| self.host(h).is_upgraded())
    }

    /// Ids of the ready hosts that already run their target version, and need no wave.
    pub fn done_hosts(&self) -> impl Iterator<Item = HostId> + '_ {
        self.host_ids()
            .filter(|&h| self.host(h).is_ready() && self.host(h).is_done())
    }

    /// Ids of the components the plan upgrades: those not already at their target version.
    pub fn upgraded_components(&self) -> impl Iterator<Item = ComponentId> + '_ {
        self.component_ids().filter(|&c| !self.component(c).is_done())
    }

    /// Ids of the hosts that are already unavailable (down or in maintenance).
    pub fn unavailable_hosts(&self) -> impl Iterator<Item = HostId> + '_ {
        self.host_ids().filter(|&h| !self.host(h).is_ready())
    }

    /// Ids of every component.
    pub fn component_ids(&self) -> impl Iterator<Item = ComponentId> + '_ {
        (0..self.components.len()).map(ComponentId::from_index)
    }

    /// Everything the plan upgrades: ready hosts, then components, less those already done.
    pub fn items(&self) -> Vec<ItemId> {
        self.upgraded_hosts()
            .map(ItemId::Host)
            .chain(self.upgraded_components().map(ItemId::Component))
            .collect()
    }

    /// Whether the plan upgrades `item` (it is one of [`Cluster::items`]).
    pub fn is_upgraded(&self, item: ItemId) -> bool {
        match item {
            ItemId::Host(h) => self.host(h).is_upgraded(),
            ItemId::Component(c) => !self.component(c).is_done(),
        }
    }

    /// The hosts and components already at their target version, grouped by that version in
    /// the order of their first item: `(version, names)`, hosts before components.
    pub fn already_done(&self) -> Vec<(&str, Vec<ItemId>)> {
        let done = self.done_hosts().map(ItemId::Host).chain(
            self.component_ids()
                .filter(|&c| self.component(c).is_done())
                .map(ItemId::Component),
        );
        let mut out: Vec<(&str, Vec<ItemId>)> = Vec::new();
        for item in done {
            let version = match item {
                ItemId::Host(h) => self.host(h).version.as_deref(),
                ItemId::Component(c) => self.component(c).version.as_deref(),
            }
            .unwrap_or_default();
            match out.iter_mut().find(|(v, _)| *v == version) {
                Some((_, items)) => items.push(item),
                None => out.push((version, vec![item])),
            }
        }
        out
    }

    /// The name of an item.
    pub fn item_name(&self, item: ItemId) -> &str {
        match item {
            ItemId::Host(h) => &self.host(h).name,
            ItemId::Component(c) => &self.component(c).name,
        }
    }

    /// The upgrade time of an item, in minutes.
    pub fn item_minutes(&self, item: ItemId) -> u32 {
        match item {
            ItemId::Host(h) => self.host(h).upgrade_minutes,
            ItemId::Component(c) => self.component(c).upgrade_minutes,
        }
    }

    /// The name of a quorum-group member.
    pub fn member_name(&self, member: MemberId) -> &str {
        match member {
            MemberId::Host(h) => &self.host(h).name,
            MemberId::Component(c) => &self.component(c).name,
            MemberId::Workload(w) => &self.workload(w).name,
        }
    }

    /// Finds a host by name.
    pub fn find_host(&self, name: &str) -> Option<HostId> {
        self.names.hosts.get(name).copied()
    }

    /// Finds a component by name.
    pub fn find_component(&self, name: &str) -> Option<ComponentId> {
        self.names.components.get(name).copied()
    }

    /// Finds a workload by name.
    pub fn find_workload(&self, name: &str) -> Option<WorkloadId> {
        self.names.workloads.get(name).copied()
    }

    /// Finds an upgradeable item (host or component) by name; hosts win if both exist.
    pub fn find_item(&self, name: &str) -> Option<ItemId> {
        self.find_host(name)
            .map(ItemId::Host)
            .or_else(|| self.find_component(name).map(ItemId::Component))
    }

    /// The HA admission-control reserve per resource: the usable capacity of the
    /// `reserve_host_failures` largest ready hosts, per resource. Storage counts only hosts that
    /// track storage.
    pub fn reserve(&self) -> Resources {
        let k = self.policy.reserve_host_failures as usize;
        let mut reserve = Resources::ZERO;
        if k == 0 {
            return reserve;
        }
        for r in Resource::ALL {
            let mut usable: Vec<u64> = self
                .ready_hosts()
                .filter_map(|h| self.host(h).usable(r))
                .collect();
            usable.sort_unstable_by(|a, b| b.cmp(a));
            reserve[r] = usable.iter().take(k).sum();
        }
        reserve
    }

    /// Whether any host tracks storage.
    pub fn tracks_storage(&self) -> bool {
        self.hosts.iter().any(|h| h.storage_limited)
    }
}
