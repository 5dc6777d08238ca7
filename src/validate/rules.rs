//! The counting rules of one wave: quorum groups, disruption budgets, fault domains, sites, the
//! host cap and exclusive components (contract rules 1, 2, 6 and 7).
//!
//! Each rule depends only on which items a wave upgrades, so [`breaches`] takes a set of items
//! rather than a wave of the plan: the same code reports the plan's violations and tells
//! [`super::help`] whether a hypothetical wave (an item moved elsewhere) would keep every rule.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    BudgetLimit, Cluster, FaultDomainId, HostId, ItemId, MemberId, Migration, SiteId, WorkloadId,
};

use super::view::{PlanView, hosts_of, item_list};
use super::{Violation, ViolationCode, help, list};

/// A broken counting rule, before it becomes a [`Violation`].
pub(super) struct Breach {
    /// Which rule.
    pub code: ViolationCode,
    /// The group, component or policy key it is about.
    pub subject: String,
    /// What is wrong, with the numbers.
    pub message: String,
    /// Sets of this wave's items, each of which, moved out of the wave together, relieves the
    /// rule; most promising first. Empty when the wave's own items are not the cause.
    pub culprits: Vec<Vec<ItemId>>,
    /// The help when there are no culprits: the wave's own items are not the cause.
    pub stuck: String,
}

/// Which hosts are down in a wave that upgrades `items`: those upgraded plus the unavailable.
struct Down<'c> {
    cluster: &'c Cluster,
    upgraded: Vec<bool>,
}

impl<'c> Down<'c> {
    fn new(cluster: &'c Cluster, items: &[ItemId]) -> Self {
        let mut upgraded = vec![false; cluster.hosts.len()];
        for h in hosts_of(items) {
            upgraded[h.index()] = true;
        }
        Down { cluster, upgraded }
    }

    fn host(&self, h: HostId) -> bool {
        self.upgraded[h.index()] || !self.cluster.host(h).is_ready()
    }

    /// A workload is down when its host is unavailable (whatever its migration: it cannot run
    /// on a host that is down), or when its host is upgraded and it does not live-migrate.
    fn workload(&self, w: WorkloadId) -> bool {
        let workload = self.cluster.workload(w);
        let host = workload.host;
        !self.cluster.host(host).is_ready()
            || (self.upgraded[host.index()] && workload.migration != Migration::Live)
    }
}

/// Every counting rule that a wave upgrading `items` (at 0-based position `t`, for messages)
/// breaks.
pub(super) fn breaches(cluster: &Cluster, items: &[ItemId], t: usize) -> Vec<Breach> {
    let down = Down::new(cluster, items);
    let mut found = Vec::new();
    quorum(&down, items, t, &mut found);
    budgets(&down, t, &mut found);
    domains(&down, t, &mut found);
    limits(cluster, items, t, &mut found);
    found
}

/// Reports the counting rules wave `t` of the plan breaks.
pub(super) fn check_wave(view: &PlanView<'_>, t: usize, out: &mut Vec<Violation>) {
    let cluster = view.cluster;
    let items = &view.waves[t];
    for breach in breaches(cluster, items, t) {
        let (code, subject) = (breach.code, breach.subject.clone());
        let still_broken = |rest: &[ItemId]| {
            breaches(cluster, rest, t)
                .iter()
                .any(|b| b.code == code && b.subject == subject)
        };
        let help = match breach.culprits.first() {
            None => breach.stuck,
            Some(first) => help::relocate(view, t, &breach.culprits, |rest| !still_broken(rest))
                .unwrap_or_else(|| help::stuck(view, t, first)),
        };
        let span = match (code, breach.culprits.first().map(Vec::as_slice)) {
            (ViolationCode::ComponentNotExclusive, Some(&[item])) => view.item_span(t, item),
            _ => view.wave_span(t),
        };
        out.push(Violation::new(code, Some(t), subject, breach.message, help, span));
    }
}

fn quorum(down: &Down<'_>, items: &[ItemId], t: usize, found: &mut Vec<Breach>) {
    let cluster = down.cluster;
    for group in &cluster.quorum_groups {
        let mut down_votes = 0;
        let mut down_names = Vec::new();
        let mut culprits: BTreeSet<ItemId> = BTreeSet::new();
        for member in &group.members {
            let (is_down, culprit) = match member.id {
                MemberId::Host(h) => (down.host(h), ItemId::Host(h)),
                MemberId::Component(c) => {
                    let item = ItemId::Component(c);
                    (items.binary_search(&item).is_ok(), item)
                }
                MemberId::Workload(w) => (down.workload(w), ItemId::Host(cluster.workload(w).host)),
            };
            if is_down {
                down_votes += member.votes;
                down_names.push(cluster.member_name(member.id));
                if items.binary_search(&culprit).is_ok() && member.votes > 0 {
                    culprits.insert(culprit);
                }
            }
        }
        let total = group.total_votes();
        let up = total - down_votes;
        if up < group.quorum {
            found.push(Breach {
                code: ViolationCode::QuorumLost,
                subject: group.name.clone(),
                message: format!(
                    "quorum group `{}`: {up} of {total} votes up in wave {}, quorum is {} (down: {})",
                    group.name,
                    t + 1,
                    group.quorum,
                    list(down_names)
                ),
                culprits: culprits.into_iter().map(|i| vec![i]).collect(),
                stuck: format!(
                    "members of `{}` on hosts that are already unavailable leave fewer than {} votes: no wave keeps this quorum until those hosts are back (state `ready`)",
                    group.name, group.quorum
                ),
            });
        }
    }
}

fn budgets(down: &Down<'_>, t: usize, found: &mut Vec<Breach>) {
    let cluster = down.cluster;
    for budget in &cluster.budgets {
        let down_members: Vec<WorkloadId> = budget
            .workloads
            .iter()
            .copied()
            .filter(|&w| down.workload(w))
            .collect();
        let n = budget.workloads.len() as u64;
        let count = down_members.len() as u64;
        if count <= budget.max_down() {
            continue;
        }
        let names = list(down_members.iter().map(|&w| cluster.workload(w).name.as_str()));
        let limit = match budget.limit {
            BudgetLimit::MaxUnavailable(m) => {
                format!("{count} of {n} workloads down, max_unavailable is {m}")
            }
            BudgetLimit::MinAvailable(m) => {
                format!("{} of {n} workloads up, min_available is {m}", n - count)
            }
        };
        let culprits: BTreeSet<ItemId> = down_members
            .iter()
            .map(|&w| cluster.workload(w).host)
            .filter(|&h| down.upgraded[h.index()])
            .map(ItemId::Host)
            .collect();
        found.push(Breach {
            code: ViolationCode::BudgetExceeded,
            subject: budget.name.clone(),
            message: format!(
                "disruption budget `{}`: {limit} in wave {} (down: {names})",
                budget.name,
                t + 1
            ),
            culprits: culprits.into_iter().map(|i| vec![i]).collect(),
            stuck: format!(
                "workloads of `{}` on hosts that are already unavailable use up the budget: no wave keeps it until those hosts are back (state `ready`)",
                budget.name
            ),
        });
    }
}

/// Fault domains and sites: a domain (site) is down when any of its hosts is.
fn domains(down: &Down<'_>, t: usize, found: &mut Vec<Breach>) {
    let cluster = down.cluster;
    let policy = &cluster.policy;
    let mut fds: BTreeMap<FaultDomainId, Vec<ItemId>> = BTreeMap::new();
    let mut sites: BTreeMap<SiteId, Vec<ItemId>> = BTreeMap::new();
    let mut fds_held: BTreeSet<FaultDomainId> = BTreeSet::new();
    let mut sites_held: BTreeSet<SiteId> = BTreeSet::new();
    for h in cluster.host_ids().filter(|&h| down.host(h)) {
        let fd = cluster.host(h).fault_domain;
        let site = cluster.site_of(h);
        let entry = fds.entry(fd).or_default();
        let site_entry = site.map(|s| sites.entry(s).or_default());
        if cluster.host(h).is_ready() {
            entry.push(ItemId::Host(h));
            if let Some(e) = site_entry {
                e.push(ItemId::Host(h));
            }
        } else {
            fds_held.insert(fd);
            sites_held.extend(site);
        }
    }
    if let Some(max) = policy.max_fault_domains_down
        && fds.len() > max as usize
    {
        let names = list(fds.keys().map(|&fd| cluster.fault_domain(fd).name.as_str()));
        let held = list(fds_held.iter().map(|&fd| cluster.fault_domain(fd).name.as_str()));
        found.push(limit_breach(
            ViolationCode::FaultDomainLimit,
            "max_fault_domains_down",
            format!(
                "wave {} takes down {} fault domains ({names}), max_fault_domains_down is {max}{}",
                t + 1,
                fds.len(),
                already(&held)
            ),
            fds.iter()
                .filter(|(fd, _)| !fds_held.contains(fd))
                .map(|(_, hosts)| hosts.clone()),
            (fds_held.len(), max),
            "fault domain",
        ));
    }
    if let Some(max) = policy.max_sites_down
        && sites.len() > max as usize
    {
        let names = list(sites.keys().map(|&s| cluster.sites[s.index()].name.as_str()));
        let held = list(sites_held.iter().map(|&s| cluster.sites[s.index()].name.as_str()));
        found.push(limit_breach(
            ViolationCode::SiteLimit,
            "max_sites_down",
            format!(
                "wave {} takes down {} sites ({names}), max_sites_down is {max}{}",
                t + 1,
                sites.len(),
                already(&held)
            ),
            sites
                .iter()
                .filter(|(s, _)| !sites_held.contains(s))
                .map(|(_, hosts)| hosts.clone()),
            (sites_held.len(), max),
            "site",
        ));
    }
}

/// The tail of a limit message naming what unavailable hosts hold down already.
fn already(held: &str) -> String {
    if held.is_empty() {
        String::new()
    } else {
        format!("; {held} already down with unavailable hosts")
    }
}

/// A fault-domain or site limit breach; `held` is how many are down with unavailable hosts
/// against the limit.
fn limit_breach(
    code: ViolationCode,
    key: &str,
    message: String,
    groups: impl Iterator<Item = Vec<ItemId>>,
    (held, max): (usize, u32),
    what: &str,
) -> Breach {
    // When unavailable hosts use up the limit, moving this wave's hosts elsewhere cannot help.
    let mut culprits: Vec<Vec<ItemId>> = if held >= max as usize {
        Vec::new()
    } else {
        groups.filter(|g| !g.is_empty()).collect()
    };
    // Fewest hosts to move first; ties in domain order.
    culprits.sort_by_key(Vec::len);
    Breach {
        code,
        subject: key.to_string(),
        message,
        culprits,
        stuck: format!(
            "hosts that are already unavailable keep {held} {what}{} down, and `{key}` is {max}: no wave can take down another until they are back (state `ready`), unless `{key}` is raised",
            if held == 1 { "" } else { "s" }
        ),
    }
}

/// The host cap and exclusive components.
fn limits(cluster: &Cluster, items: &[ItemId], t: usize, found: &mut Vec<Breach>) {
    let hosts = hosts_of(items);
    if let Some(cap) = cluster.policy.max_hosts_per_wave
        && hosts.len() > cap as usize
    {
        found.push(Breach {
            code: ViolationCode::MaxHostsExceeded,
            subject: "max_hosts_per_wave".to_string(),
            message: format!(
                "wave {} upgrades {} hosts, max_hosts_per_wave is {cap}",
                t + 1,
                hosts.len()
            ),
            // The last hosts first: moving them keeps the wave's beginning as written.
            culprits: hosts.iter().rev().map(|&h| vec![ItemId::Host(h)]).collect(),
            stuck: "upgrade fewer hosts in this wave".to_string(),
        });
    }
    for &item in items {
        let ItemId::Component(c) = item else { continue };
        let component = cluster.component(c);
        if !component.exclusive || items.len() == 1 {
            continue;
        }
        let others: Vec<ItemId> = items.iter().copied().filter(|&i| i != item).collect();
        found.push(Breach {
            code: ViolationCode::ComponentNotExclusive,
            subject: component.name.clone(),
            message: format!(
                "component `{}` is exclusive, but wave {} also upgrades {}",
                component.name,
                t + 1,
                item_list(cluster, &others)
            ),
            culprits: vec![vec![item]],
            stuck: format!("give `{}` a wave of its own", component.name),
        });
    }
}
