//! Builds the [`Cluster`] from a description that resolved without errors, applying defaults.

use std::collections::HashMap;

use crate::model::resources::to_fixed;
use crate::model::{
    AntiAffinityGroup, BudgetLimit, Cluster, Component, DisruptionBudget, FaultDomain, FaultDomainId, Host,
    HostState, ItemId, Member, Migration, Names, OrderRule, Platform, Policy, QuorumGroup, Resource,
    Resources, Scope, Site, Workload, WorkloadId,
};
use crate::parse::raw::RawCluster;
use crate::resolve::References;
use toml::Spanned;

/// Minutes a host or component takes when neither it nor `[defaults]` says.
pub const DEFAULT_UPGRADE_MINUTES: u32 = 30;

fn name(value: &Option<Spanned<String>>) -> String {
    value.as_ref().map(|n| n.get_ref().clone()).unwrap_or_default()
}

fn fixed(value: &Option<Spanned<f64>>) -> u64 {
    value.as_ref().map_or(0, |v| to_fixed(*v.get_ref()))
}

fn small(value: &Option<Spanned<u64>>) -> Option<u32> {
    value
        .as_ref()
        .map(|v| u32::try_from(*v.get_ref()).unwrap_or(u32::MAX))
}

/// The model of a description. `None` when the description lacks something the model needs (a
/// workload without a host, a budget without a limit): such a description always has an input
/// error from the parse pass, which the caller reports. Building never panics.
pub(crate) fn cluster(raw: &RawCluster, refs: &References, fallback_name: &str) -> Option<Cluster> {
    let policy = Policy {
        max_hosts_per_wave: small(&raw.policy.max_hosts_per_wave),
        max_fault_domains_down: small(&raw.policy.max_fault_domains_down),
        max_sites_down: small(&raw.policy.max_sites_down),
        headroom_percent: raw.policy.headroom_percent.as_ref().map_or(0.0, |v| *v.get_ref()),
        cpu_overcommit: raw.policy.cpu_overcommit.as_ref().map_or(1.0, |v| *v.get_ref()),
        reserve_host_failures: small(&raw.policy.reserve_host_failures).unwrap_or(0),
        objective: raw
            .policy
            .objective
            .as_ref()
            .map_or(crate::model::Objective::Waves, |o| *o.get_ref()),
        wave_overhead_minutes: small(&raw.policy.wave_overhead_minutes).unwrap_or(0),
    };
    let default_minutes = small(&raw.defaults.upgrade_minutes).unwrap_or(DEFAULT_UPGRADE_MINUTES);
    let default_target = raw.defaults.target_version.as_ref().map(|v| v.get_ref().clone());

    let sites = raw.sites.iter().map(|s| Site { name: name(&s.name) }).collect();
    let mut fault_domains: Vec<FaultDomain> = raw
        .fault_domains
        .iter()
        .zip(&refs.fault_domain_site)
        .map(|(f, site)| FaultDomain {
            name: name(&f.name),
            site: *site,
            implicit: false,
            hosts: Vec::new(),
        })
        .collect();

    let mut hosts: Vec<Host> = Vec::with_capacity(raw.hosts.len());
    for (index, (h, fd)) in raw.hosts.iter().zip(&refs.host_fault_domain).enumerate() {
        let fault_domain = fd.unwrap_or_else(|| {
            fault_domains.push(FaultDomain {
                name: name(&h.name),
                site: None,
                implicit: true,
                hosts: Vec::new(),
            });
            FaultDomainId::from_index(fault_domains.len() - 1)
        });
        fault_domains[fault_domain.index()]
            .hosts
            .push(crate::model::HostId::from_index(index));
        let capacity = Resources::new(fixed(&h.cpu), fixed(&h.memory_gib), fixed(&h.storage_gib));
        let mut usable_capacity = Resources::ZERO;
        for r in Resource::ALL {
            usable_capacity[r] = crate::rules::capacity::usable(capacity[r], r, &policy);
        }
        hosts.push(Host {
            name: name(&h.name),
            fault_domain,
            capacity,
            usable: usable_capacity,
            storage_limited: h.storage_gib.is_some(),
            version: h.version.as_ref().map(|v| v.get_ref().clone()),
            target_version: h
                .target_version
                .as_ref()
                .map(|v| v.get_ref().clone())
                .or_else(|| default_target.clone()),
            upgrade_minutes: small(&h.upgrade_minutes).unwrap_or(default_minutes),
            state: h.state.as_ref().map_or(HostState::Ready, |s| *s.get_ref()),
            workloads: Vec::new(),
            load: Resources::ZERO,
        });
    }

    let components: Vec<Component> = raw
        .components
        .iter()
        .map(|c| Component {
            name: name(&c.name),
            upgrade_minutes: small(&c.upgrade_minutes).unwrap_or(default_minutes),
            exclusive: c.exclusive.as_ref().is_none_or(|e| *e.get_ref()),
            version: c.version.as_ref().map(|v| v.get_ref().clone()),
            target_version: c
                .target_version
                .as_ref()
                .map(|v| v.get_ref().clone())
                .or_else(|| default_target.clone()),
        })
        .collect();

    let mut workloads = Vec::with_capacity(raw.workloads.len());
    for (index, w) in raw.workloads.iter().enumerate() {
        let host = refs.workload_host[index]?;
        let demand = Resources::new(fixed(&w.cpu), fixed(&w.memory_gib), fixed(&w.storage_gib));
        let target = &mut hosts[host.index()];
        target.workloads.push(WorkloadId::from_index(index));
        target.load += demand;
        workloads.push(Workload {
            name: name(&w.name),
            host,
            demand,
            migration: w.migration.as_ref().map_or(Migration::Live, |m| *m.get_ref()),
            allowed_hosts: refs.workload_allowed[index].clone(),
        });
    }

    let quorum_groups = raw
        .quorum_groups
        .iter()
        .zip(&refs.group_members)
        .map(|(g, members)| {
            let votes: HashMap<&str, u64> = g
                .votes
                .as_ref()
                .map(|v| {
                    v.get_ref()
                        .iter()
                        .map(|(k, n)| (k.get_ref().as_str(), *n.get_ref()))
                        .collect()
                })
                .unwrap_or_default();
            let members: Vec<Member> = members
                .iter()
                .map(|(id, listed)| Member {
                    id: *id,
                    votes: votes.get(listed.get_ref().as_str()).copied().unwrap_or(1),
                })
                .collect();
            let total: u64 = members.iter().map(|m| m.votes).sum();
            QuorumGroup {
                name: name(&g.name),
                members,
                quorum: g.quorum.as_ref().map_or(total / 2 + 1, |q| *q.get_ref()),
                default_quorum: g.quorum.is_none(),
            }
        })
        .collect();

    let ids = |list: &Vec<(WorkloadId, Spanned<String>)>| list.iter().map(|(w, _)| *w).collect::<Vec<_>>();
    let budgets = raw
        .budgets
        .iter()
        .zip(&refs.budget_workloads)
        .map(|(b, list)| {
            Some(DisruptionBudget {
                name: name(&b.name),
                workloads: ids(list),
                limit: match (&b.max_unavailable, &b.min_available) {
                    (Some(max), _) => BudgetLimit::MaxUnavailable(*max.get_ref()),
                    (None, Some(min)) => BudgetLimit::MinAvailable(*min.get_ref()),
                    (None, None) => return None,
                },
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let anti_affinity = raw
        .anti_affinity
        .iter()
        .zip(&refs.anti_affinity_workloads)
        .map(|(a, list)| AntiAffinityGroup {
            name: name(&a.name),
            workloads: ids(list),
            scope: a.scope.as_ref().map_or(Scope::Host, |s| *s.get_ref()),
            mandatory: a.mandatory.as_ref().is_none_or(|m| *m.get_ref()),
        })
        .collect();
    let orders = refs
        .order_before
        .iter()
        .zip(&refs.order_after)
        .map(|(before, after)| OrderRule {
            before: pending_items(before, &hosts, &components),
            after: pending_items(after, &hosts, &components),
        })
        .collect();

    let names = Names {
        hosts: hosts
            .iter()
            .enumerate()
            .map(|(i, h)| (h.name.clone(), crate::model::HostId::from_index(i)))
            .collect(),
        components: raw
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (name(&c.name), crate::model::ComponentId::from_index(i)))
            .collect(),
        workloads: workloads
            .iter()
            .enumerate()
            .map(|(i, w)| (w.name.clone(), WorkloadId::from_index(i)))
            .collect(),
    };

    Some(Cluster {
        name: raw
            .cluster
            .name
            .as_ref()
            .map_or_else(|| fallback_name.to_string(), |n| n.get_ref().clone()),
        platform: raw
            .cluster
            .platform
            .as_ref()
            .map_or(Platform::Generic, |p| *p.get_ref()),
        policy,
        sites,
        fault_domains,
        hosts,
        components,
        workloads,
        quorum_groups,
        budgets,
        anti_affinity,
        orders,
        names,
    })
}

/// The items of an order rule that the plan upgrades: an item already at its target version has
/// no wave, so it neither waits for nor holds back anything.
fn pending_items<S>(items: &[(ItemId, S)], hosts: &[Host], components: &[Component]) -> Vec<ItemId> {
    items
        .iter()
        .map(|(i, _)| *i)
        .filter(|i| match i {
            ItemId::Host(h) => !hosts[h.index()].is_done(),
            ItemId::Component(c) => !components[c.index()].is_done(),
        })
        .collect()
}
