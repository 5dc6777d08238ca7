//! Members down: when a quorum-group or budget member is down, and what a group or budget may
//! lose in one wave.
//!
//! A host member is down when it is upgraded or already unavailable; a component when it is
//! upgraded; a workload when its host is unavailable, or when its host is upgraded and it does
//! not live-migrate (a live-migrated workload stays up while it moves). An item already at its
//! target version is never upgraded, so it and what runs on it stay up.

use std::collections::BTreeMap;

use crate::model::{Cluster, DisruptionBudget, ItemId, MemberId, Migration, QuorumGroup};

/// When a quorum or budget member goes down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownWith {
    /// In every wave: it is, or runs on, a host that is already unavailable.
    Always,
    /// In the wave that upgrades this item.
    Item(ItemId),
    /// Never: it live-migrates away from its host, or it is (or runs on) an item already done.
    Never,
}

/// When `member` is down. A workload on an already-unavailable host is down in every wave,
/// whatever its migration: it cannot be running on a host that is down.
pub fn down_with(cluster: &Cluster, member: MemberId) -> DownWith {
    match member {
        MemberId::Host(h) if !cluster.host(h).is_ready() => DownWith::Always,
        MemberId::Host(h) if cluster.host(h).is_done() => DownWith::Never,
        MemberId::Host(h) => DownWith::Item(ItemId::Host(h)),
        MemberId::Component(c) if cluster.component(c).is_done() => DownWith::Never,
        MemberId::Component(c) => DownWith::Item(ItemId::Component(c)),
        MemberId::Workload(w) => {
            let workload = cluster.workload(w);
            if !cluster.host(workload.host).is_ready() {
                DownWith::Always
            } else if workload.migration == Migration::Live || cluster.host(workload.host).is_done() {
                DownWith::Never
            } else {
                DownWith::Item(ItemId::Host(workload.host))
            }
        }
    }
}

/// Whether `member` is down in a wave that upgrades the items for which `upgraded` is true.
pub fn down_in_wave(cluster: &Cluster, member: MemberId, upgraded: impl Fn(ItemId) -> bool) -> bool {
    match down_with(cluster, member) {
        DownWith::Always => true,
        DownWith::Item(item) => upgraded(item),
        DownWith::Never => false,
    }
}

/// Whether `member` stays up but live-migrates off a host the wave upgrades.
pub fn moves_live(cluster: &Cluster, member: MemberId, upgraded: impl Fn(ItemId) -> bool) -> bool {
    match member {
        MemberId::Workload(w) => {
            let workload = cluster.workload(w);
            down_with(cluster, member) == DownWith::Never && upgraded(ItemId::Host(workload.host))
        }
        MemberId::Host(_) | MemberId::Component(_) => false,
    }
}

/// What a quorum group or budget loses: votes (members) down in every wave, and the votes each
/// item takes down when it is upgraded, by item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Losses {
    /// Down in every wave (on unavailable hosts).
    pub always: u64,
    /// Taken down by each item's upgrade, in item order.
    pub per_item: BTreeMap<ItemId, u64>,
}

fn losses(cluster: &Cluster, members: impl Iterator<Item = (MemberId, u64)>) -> Losses {
    let mut out = Losses::default();
    for (member, votes) in members {
        match down_with(cluster, member) {
            DownWith::Always => out.always += votes,
            DownWith::Item(item) => *out.per_item.entry(item).or_default() += votes,
            DownWith::Never => {}
        }
    }
    out
}

/// The votes `group` loses.
pub fn quorum_losses(cluster: &Cluster, group: &QuorumGroup) -> Losses {
    losses(cluster, group.members.iter().map(|m| (m.id, m.votes)))
}

/// The members `budget` loses (one vote per workload).
pub fn budget_losses(cluster: &Cluster, budget: &DisruptionBudget) -> Losses {
    losses(
        cluster,
        budget.workloads.iter().map(|&w| (MemberId::Workload(w), 1)),
    )
}

/// Votes of `group` that may be down in one wave besides those always down; negative when
/// quorum is lost before any upgrade.
pub fn quorum_slack(group: &QuorumGroup, losses: &Losses) -> i64 {
    group.total_votes() as i64 - losses.always as i64 - group.quorum as i64
}

/// Members of `budget` that may be down in one wave besides those always down; negative when
/// the budget is exceeded before any upgrade.
pub fn budget_slack(budget: &DisruptionBudget, losses: &Losses) -> i64 {
    budget.max_down() as i64 - losses.always as i64
}

/// Members of `budget` that must stay up: all of them less [`DisruptionBudget::max_down`].
pub fn budget_min_up(budget: &DisruptionBudget) -> u64 {
    (budget.workloads.len() as u64).saturating_sub(budget.max_down())
}
