//! Fault-domain and site levels: each host's domain at a level, the level's limit, and the
//! domains down before any upgrade (those of unavailable hosts).

use std::collections::BTreeSet;

use super::Rule;
use crate::model::{Cluster, HostId};

/// A level at which the policy limits how much is down at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Fault domains, limited by `max_fault_domains_down`.
    FaultDomain,
    /// Sites, limited by `max_sites_down`.
    Site,
}

impl Level {
    /// Both levels, fault domains first.
    pub const ALL: [Level; 2] = [Level::FaultDomain, Level::Site];

    /// The policy's limit at this level, if any.
    pub fn limit(self, cluster: &Cluster) -> Option<u32> {
        match self {
            Level::FaultDomain => cluster.policy.max_fault_domains_down,
            Level::Site => cluster.policy.max_sites_down,
        }
    }

    /// The domain of host `h` at this level (the index of its fault domain or site); `None`
    /// for a host in no site.
    pub fn of(self, cluster: &Cluster, h: HostId) -> Option<u32> {
        match self {
            Level::FaultDomain => Some(cluster.host(h).fault_domain.0),
            Level::Site => cluster.site_of(h).map(|s| s.0),
        }
    }

    /// Domains at this level that are down in every wave: those of unavailable hosts.
    pub fn down_at_rest(self, cluster: &Cluster) -> BTreeSet<u32> {
        cluster
            .unavailable_hosts()
            .filter_map(|h| self.of(cluster, h))
            .collect()
    }

    /// Domains at this level of the hosts for which `down` is true, sorted.
    pub fn down(self, cluster: &Cluster, down: impl Fn(HostId) -> bool) -> BTreeSet<u32> {
        cluster
            .host_ids()
            .filter(|&h| down(h))
            .filter_map(|h| self.of(cluster, h))
            .collect()
    }

    /// The rule this level's limit is.
    pub fn rule(self) -> Rule {
        match self {
            Level::FaultDomain => Rule::FaultDomains,
            Level::Site => Rule::Sites,
        }
    }

    /// The level's name in operator terms, singular.
    pub fn noun(self) -> &'static str {
        match self {
            Level::FaultDomain => "fault domain",
            Level::Site => "site",
        }
    }
}

/// The domain of a host at one level: its fault domain or its site.
pub(crate) type DomainOf<'a> = Box<dyn Fn(HostId) -> Option<u32> + 'a>;

/// The fault-domain and site levels: their limit and each host's domain.
pub(crate) fn levels(cluster: &Cluster) -> [(Option<u32>, DomainOf<'_>); 2] {
    Level::ALL.map(|level| {
        (
            level.limit(cluster),
            Box::new(move |h| level.of(cluster, h)) as DomainOf<'_>,
        )
    })
}
