//! What the model says about one wave: which hosts are down, which quorum members go down,
//! what must move and how much room is left.
//!
//! Every number comes from [`crate::rules`], the one home of each rule's arithmetic, so a
//! pre-check states the very condition the validator checks and the margin the planner relied
//! on (the property test `runbook_matches_validator` holds them to it).

use crate::model::{
    Cluster, ComponentId, DisruptionBudget, FaultDomainId, HostId, ItemId, MemberId, Migration, QuorumGroup,
    Resource, SiteId, WorkloadId,
};
use crate::plan::{Move, Wave};
use crate::rules::capacity::{self, Evacuation};
use crate::rules::levels::Level;
use crate::rules::members::{self, DownWith};

/// One wave of a plan, seen against its cluster.
pub struct WaveFacts<'c> {
    /// The cluster.
    pub cluster: &'c Cluster,
    /// One-based position of the wave.
    pub index: usize,
    /// The wave itself.
    pub wave: &'c Wave,
    /// The wave before it, if any.
    pub previous: Option<&'c Wave>,
    upgraded: Vec<bool>,
}

/// How a quorum group or disruption budget fares in a wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupState {
    /// Votes (members, for a budget) of the whole group.
    pub total: u64,
    /// Votes that must stay up.
    pub needed: u64,
    /// Votes up during the wave.
    pub up: u64,
    /// Votes up when nothing is being upgraded: all but the members on unavailable hosts.
    pub up_at_rest: u64,
    /// Members this wave takes down, by name.
    pub going_down: Vec<String>,
    /// Members that stay up but move (live migration), by name.
    pub moving: Vec<String>,
    /// Members down already, before and after the wave (on unavailable hosts), by name.
    pub already_down: Vec<String>,
}

impl GroupState {
    /// Whether this wave takes a member down or moves one.
    pub fn touched(&self) -> bool {
        !self.going_down.is_empty() || !self.moving.is_empty()
    }
}

/// Free room against what a wave's evacuation needs, for one resource: the rule's
/// [`Evacuation`] and the number of hosts that stay up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room {
    /// The evacuation of the resource, as the capacity rule counts it.
    pub evacuation: Evacuation,
    /// Hosts that stay up.
    pub up_hosts: usize,
}

impl<'c> WaveFacts<'c> {
    /// The facts of wave `t` (0-based) of `waves`.
    pub fn new(cluster: &'c Cluster, waves: &'c [Wave], t: usize) -> Self {
        let wave = &waves[t];
        let mut upgraded = vec![false; cluster.hosts.len()];
        for h in wave.hosts() {
            upgraded[h.index()] = true;
        }
        WaveFacts {
            cluster,
            index: t + 1,
            wave,
            previous: t.checked_sub(1).map(|p| &waves[p]),
            upgraded,
        }
    }

    /// The hosts this wave upgrades.
    pub fn hosts(&self) -> Vec<HostId> {
        self.wave.hosts().collect()
    }

    /// The components this wave upgrades.
    pub fn components(&self) -> Vec<ComponentId> {
        self.wave
            .items
            .iter()
            .filter_map(|i| match i {
                ItemId::Component(c) => Some(*c),
                ItemId::Host(_) => None,
            })
            .collect()
    }

    /// Names of this wave's hosts.
    pub fn host_names(&self) -> Vec<&'c str> {
        self.wave
            .hosts()
            .map(|h| self.cluster.host(h).name.as_str())
            .collect()
    }

    /// Hosts that take part in the plan and stay up in this wave.
    pub fn up_hosts(&self) -> Vec<HostId> {
        self.cluster
            .ready_hosts()
            .filter(|h| !self.upgraded[h.index()])
            .collect()
    }

    /// Hosts that stay up in this wave and can receive workloads: [`up_hosts`] less those
    /// with no capacity at all (a vSAN witness), which no evacuation can use.
    ///
    /// [`up_hosts`]: WaveFacts::up_hosts
    pub fn receiving_hosts(&self) -> Vec<HostId> {
        self.up_hosts()
            .into_iter()
            .filter(|&h| receives_workloads(self.cluster, h))
            .collect()
    }

    /// Whether `item` is upgraded in this wave.
    fn upgraded(&self, item: ItemId) -> bool {
        match item {
            ItemId::Host(h) => self.upgraded[h.index()],
            ItemId::Component(c) => self.wave.items.contains(&ItemId::Component(c)),
        }
    }

    /// Whether host `h` is down in this wave (upgraded now, or unavailable throughout).
    pub fn host_down(&self, h: HostId) -> bool {
        self.member_down(MemberId::Host(h))
    }

    /// Whether workload `w` is down in this wave.
    pub fn workload_down(&self, w: WorkloadId) -> bool {
        self.member_down(MemberId::Workload(w))
    }

    /// Whether a member is down in this wave.
    pub fn member_down(&self, member: MemberId) -> bool {
        members::down_in_wave(self.cluster, member, |item| self.upgraded(item))
    }

    /// Whether a member is down whatever the wave: on or being an unavailable host.
    fn member_down_at_rest(&self, member: MemberId) -> bool {
        members::down_with(self.cluster, member) == DownWith::Always
    }

    /// Whether a member stays up but is moved off one of this wave's hosts.
    fn member_moves(&self, member: MemberId) -> bool {
        members::moves_live(self.cluster, member, |item| self.upgraded(item))
    }

    fn state(&self, members: &[(MemberId, u64)], needed: u64) -> GroupState {
        let mut state = GroupState {
            total: members.iter().map(|m| m.1).sum(),
            needed,
            up: 0,
            up_at_rest: 0,
            going_down: Vec::new(),
            moving: Vec::new(),
            already_down: Vec::new(),
        };
        for &(member, votes) in members {
            let name = self.cluster.member_name(member).to_string();
            if self.member_down_at_rest(member) {
                state.already_down.push(name);
                continue;
            }
            state.up_at_rest += votes;
            if self.member_down(member) {
                state.going_down.push(name);
            } else {
                state.up += votes;
                if self.member_moves(member) {
                    state.moving.push(name);
                }
            }
        }
        state
    }

    /// How quorum group `group` fares in this wave.
    pub fn quorum(&self, group: &QuorumGroup) -> GroupState {
        let members: Vec<_> = group.members.iter().map(|m| (m.id, m.votes)).collect();
        self.state(&members, group.quorum)
    }

    /// How disruption budget `budget` fares in this wave (one vote per workload; `needed` is
    /// the members that must stay up).
    pub fn budget(&self, budget: &DisruptionBudget) -> GroupState {
        let members: Vec<_> = budget
            .workloads
            .iter()
            .map(|&w| (MemberId::Workload(w), 1))
            .collect();
        self.state(&members, members::budget_min_up(budget))
    }

    /// Fault domains down in this wave, those of unavailable hosts included.
    pub fn fault_domains_down(&self) -> Vec<FaultDomainId> {
        Level::FaultDomain
            .down(self.cluster, |h| self.host_down(h))
            .into_iter()
            .map(|d| FaultDomainId::from_index(d as usize))
            .collect()
    }

    /// Sites down in this wave, those of unavailable hosts included.
    pub fn sites_down(&self) -> Vec<SiteId> {
        Level::Site
            .down(self.cluster, |h| self.host_down(h))
            .into_iter()
            .map(|s| SiteId::from_index(s as usize))
            .collect()
    }

    /// The workloads that leave this wave's hosts (live and restart), in host then declaration
    /// order.
    pub fn moving(&self) -> Vec<WorkloadId> {
        self.wave
            .hosts()
            .flat_map(|h| capacity::movable(self.cluster, h))
            .collect()
    }

    /// The workloads that cannot move (`migration = "none"`) and go down with this wave's
    /// hosts, with their host, in host then declaration order.
    pub fn pinned(&self) -> Vec<(WorkloadId, HostId)> {
        pinned(self.cluster, self.wave)
    }

    /// The planned moves, in the plan's order.
    pub fn moves(&self) -> &'c [Move] {
        &self.wave.moves
    }

    /// Free room against the evacuation's needs, for `resource`. The rule counts every host
    /// that stays up; `up_hosts` counts only those that can receive workloads (a host with no
    /// capacity adds no room either way).
    pub fn room(&self, resource: Resource) -> Room {
        let up = self.up_hosts();
        Room {
            evacuation: capacity::evacuation(self.cluster, &self.hosts(), &up, &self.wave.moves, resource),
            up_hosts: self.receiving_hosts().len(),
        }
    }
}

/// Whether host `h` can receive workloads: it has some CPU or memory. A host declared with
/// neither (a vSAN witness appliance, a tainted Kubernetes control-plane node) holds no
/// workload, so the runbook never describes it as taking any.
pub fn receives_workloads(cluster: &Cluster, h: HostId) -> bool {
    let capacity = &cluster.host(h).capacity;
    capacity[Resource::Cpu] > 0 || capacity[Resource::Memory] > 0
}

/// The workloads of `wave`'s hosts that cannot move (`migration = "none"`): they are down with
/// their host for the whole of its upgrade, so they are shut down cleanly before it and started
/// after. In host then declaration order, with their host.
pub fn pinned(cluster: &Cluster, wave: &Wave) -> Vec<(WorkloadId, HostId)> {
    wave.hosts()
        .flat_map(|h| {
            cluster
                .host(h)
                .workloads
                .iter()
                .filter(|&&w| cluster.workload(w).migration == Migration::None)
                .map(move |&w| (w, h))
        })
        .collect()
}
