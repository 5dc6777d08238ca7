//! The one-screen summary `quorate check` prints.

use std::fmt;

use crate::bounds::{Bounds, bounds};
use crate::model::resources::show;
use crate::model::{Cluster, HostState, ItemId, Migration, Resource, Resources};

/// Counts, capacity and the lower bound of a cluster.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Cluster name.
    pub name: String,
    /// Platform name.
    pub platform: &'static str,
    /// Hosts in all.
    pub hosts: usize,
    /// Hosts with state `ready`, those already done included.
    pub ready: usize,
    /// Hosts and components already at their target version, by version: not planned.
    /// Each entry: the version, `host`, `component` or `item` when mixed, and the names.
    pub done: Vec<(String, &'static str, Vec<String>)>,
    /// Names and states of hosts already unavailable.
    pub unavailable: Vec<(String, HostState)>,
    /// Declared fault domains.
    pub fault_domains: usize,
    /// Hosts that form a fault domain of their own.
    pub implicit_fault_domains: usize,
    /// Sites.
    pub sites: usize,
    /// Components, exclusive ones.
    pub components: (usize, usize),
    /// Quorum groups.
    pub quorum_groups: usize,
    /// Disruption budgets.
    pub budgets: usize,
    /// Anti-affinity groups.
    pub anti_affinity: usize,
    /// Order rules.
    pub orders: usize,
    /// Workloads by migration: live, restart, none.
    pub workloads: (usize, usize, usize),
    /// Capacity of ready hosts.
    pub capacity: Resources,
    /// Usable capacity (less headroom) of ready hosts.
    pub usable: Resources,
    /// Load on ready hosts.
    pub load: Resources,
    /// Free room on ready hosts (usable less load, never negative per host).
    pub free: Resources,
    /// Whether storage is tracked.
    pub storage: bool,
    /// The HA reserve.
    pub reserve: Resources,
    /// Lower bounds and impossibilities.
    pub bounds: Bounds,
}

impl Summary {
    /// Summarises `cluster`.
    pub fn new(cluster: &Cluster) -> Self {
        let ready: Vec<_> = cluster.ready_hosts().collect();
        let sum = |f: &dyn Fn(&crate::model::Host) -> Resources| {
            ready.iter().map(|&h| f(cluster.host(h))).sum::<Resources>()
        };
        let mut free = Resources::ZERO;
        for &h in &ready {
            for r in Resource::ALL {
                free[r] += cluster.host(h).room(r).unwrap_or(0);
            }
        }
        let count = |m: Migration| cluster.workloads.iter().filter(|w| w.migration == m).count();
        Summary {
            name: cluster.name.clone(),
            platform: cluster.platform.name(),
            hosts: cluster.hosts.len(),
            ready: ready.len(),
            done: cluster
                .already_done()
                .into_iter()
                .map(|(v, items)| {
                    let kind = if items.iter().all(|i| matches!(i, ItemId::Host(_))) {
                        "host"
                    } else if items.iter().all(|i| matches!(i, ItemId::Component(_))) {
                        "component"
                    } else {
                        "item"
                    };
                    let names = items.iter().map(|&i| cluster.item_name(i).to_string());
                    (v.to_string(), kind, names.collect())
                })
                .collect(),
            unavailable: cluster
                .unavailable_hosts()
                .map(|h| (cluster.host(h).name.clone(), cluster.host(h).state))
                .collect(),
            fault_domains: cluster.fault_domains.iter().filter(|f| !f.implicit).count(),
            implicit_fault_domains: cluster.fault_domains.iter().filter(|f| f.implicit).count(),
            sites: cluster.sites.len(),
            components: (
                cluster.components.len(),
                cluster.components.iter().filter(|c| c.exclusive).count(),
            ),
            quorum_groups: cluster.quorum_groups.len(),
            budgets: cluster.budgets.len(),
            anti_affinity: cluster.anti_affinity.len(),
            orders: cluster.orders.len(),
            workloads: (
                count(Migration::Live),
                count(Migration::Restart),
                count(Migration::None),
            ),
            capacity: sum(&|h| h.capacity),
            usable: sum(&|h| h.usable),
            load: sum(&|h| h.load),
            free,
            storage: cluster.tracks_storage(),
            reserve: cluster.reserve(),
            bounds: bounds(cluster),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "cluster {} ({})", self.name, self.platform)?;
        write!(f, "  hosts            {} ({} ready", self.hosts, self.ready)?;
        if !self.unavailable.is_empty() {
            const LISTED: usize = 8;
            let mut list: Vec<String> = self
                .unavailable
                .iter()
                .take(LISTED)
                .map(|(n, s)| format!("{n} {}", s.name()))
                .collect();
            if self.unavailable.len() > LISTED {
                list.push(format!("and {} more", self.unavailable.len() - LISTED));
            }
            write!(f, ", {} unavailable: {}", self.unavailable.len(), list.join(", "))?;
        }
        writeln!(f, ")")?;
        for (version, kind, names) in &self.done {
            const LISTED: usize = 8;
            let mut list: Vec<&str> = names.iter().take(LISTED).map(String::as_str).collect();
            let more = format!("and {} more", names.len().saturating_sub(LISTED));
            if names.len() > LISTED {
                list.push(&more);
            }
            let plural = if names.len() == 1 { "" } else { "s" };
            writeln!(
                f,
                "  already done     {} {kind}{plural} at {version}, not planned: {}",
                names.len(),
                list.join(", ")
            )?;
        }
        write!(f, "  fault domains    {}", self.fault_domains)?;
        if self.implicit_fault_domains > 0 {
            write!(f, " (+{} hosts that are their own)", self.implicit_fault_domains)?;
        }
        writeln!(f)?;
        writeln!(f, "  sites            {}", self.sites)?;
        writeln!(
            f,
            "  components       {} ({} exclusive)",
            self.components.0, self.components.1
        )?;
        writeln!(
            f,
            "  groups           {} quorum, {} disruption budget, {} anti-affinity",
            self.quorum_groups, self.budgets, self.anti_affinity
        )?;
        writeln!(f, "  order rules      {}", self.orders)?;
        let (live, restart, none) = self.workloads;
        writeln!(
            f,
            "  workloads        {} ({live} live, {restart} restart, {none} none)",
            live + restart + none
        )?;
        writeln!(f, "  capacity of ready hosts:")?;
        let resources: Vec<Resource> = Resource::ALL
            .into_iter()
            .filter(|&r| r != Resource::Storage || self.storage)
            .collect();
        let rows: Vec<[String; 5]> = resources
            .iter()
            .map(|&r| {
                [
                    r.to_string(),
                    show(self.capacity[r], r),
                    show(self.usable[r], r),
                    show(self.load[r], r),
                    show(self.free[r], r),
                ]
            })
            .collect();
        // Columns as wide as their widest value, so large clusters never run together.
        let width = rows
            .iter()
            .flat_map(|row| row[1..].iter().map(|cell| cell.chars().count()))
            .max()
            .unwrap_or(0)
            .max(12)
            + 2;
        writeln!(
            f,
            "    {:<9}{:>width$}{:>width$}{:>width$}{:>width$}",
            "resource", "total", "usable", "used", "free"
        )?;
        for row in &rows {
            writeln!(
                f,
                "    {:<9}{:>width$}{:>width$}{:>width$}{:>width$}",
                row[0], row[1], row[2], row[3], row[4]
            )?;
        }
        if !self.reserve.is_zero() {
            let parts: Vec<String> = Resource::ALL
                .iter()
                .filter(|&&r| self.reserve[r] > 0)
                .map(|&r| show(self.reserve[r], r))
                .collect();
            writeln!(f, "  HA reserve       {}", parts.join(", "))?;
        }
        if !self.bounds.impossible.is_empty() {
            writeln!(f, "no safe plan can exist:")?;
            for i in &self.bounds.impossible {
                writeln!(f, "  - {}", i.reason)?;
            }
        } else if let Some(best) = self.bounds.best() {
            writeln!(
                f,
                "lower bound      {} wave{} ({})",
                best.waves,
                if best.waves == 1 { "" } else { "s" },
                best.reason
            )?;
        } else {
            writeln!(f, "lower bound      0 waves (nothing to upgrade)")?;
        }
        Ok(())
    }
}
