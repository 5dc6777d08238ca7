//! Evacuation (contract rules 3 and 4): where the workloads of a wave's hosts go, whether the
//! receiving hosts have room, whether the HA reserve survives, and whether mandatory
//! anti-affinity holds after the moves.
//!
//! The placement is the plan's moves when it gives them ([`super::moves`]); otherwise the exact
//! search decides whether one exists ([`super::search`]), as the contract asks, and the
//! placement it finds is then checked here like a given one, so a bug in the search cannot
//! pass a wave. Capacity, reserve and anti-affinity are computed from the placement alone, by
//! this module's own arithmetic on the model's fixed-point resources.

use std::collections::BTreeMap;

use crate::model::resources::show;
use crate::model::{Cluster, FaultDomainId, HostId, ItemId, Resource, Resources, Scope, WorkloadId};

use super::moves::{self, Placed};
use super::view::PlanView;
use super::without_moves::{self, SEARCH_BUDGET};
use super::{Violation, ViolationCode, help, list};
use crate::placement::{Blocker, Shortfall};

/// The state of the cluster during one wave, after the placement.
pub(super) struct PlacedWave<'c> {
    cluster: &'c Cluster,
    /// Hosts upgraded in the wave.
    in_wave: Vec<bool>,
    /// Final host of each moved workload.
    placed: Placed,
    /// Per host: own load plus what was moved in.
    load: Vec<Resources>,
}

impl<'c> PlacedWave<'c> {
    pub(super) fn new(cluster: &'c Cluster, hosts: &[HostId], placed: Placed) -> Self {
        let mut in_wave = vec![false; cluster.hosts.len()];
        for &h in hosts {
            in_wave[h.index()] = true;
        }
        let mut load: Vec<Resources> = cluster.hosts.iter().map(|h| h.load).collect();
        for (&w, target) in &placed {
            load[target.host.index()] += cluster.workload(w).demand;
        }
        PlacedWave {
            cluster,
            in_wave,
            placed,
            load,
        }
    }

    /// Whether `h` is up in the wave: ready and not upgraded in it.
    pub(super) fn up(&self, h: HostId) -> bool {
        self.cluster.host(h).is_ready() && !self.in_wave[h.index()]
    }

    /// Where `w` is during the wave.
    fn host_of(&self, w: WorkloadId) -> HostId {
        self.placed
            .get(&w)
            .map_or(self.cluster.workload(w).host, |t| t.host)
    }

    /// Room left on `h` for `r` after the placement; `None` when `r` is not tracked there.
    pub(super) fn room(&self, h: HostId, r: Resource) -> Option<i128> {
        let host = self.cluster.host(h);
        host.usable(r)
            .map(|u| u as i128 - self.load[h.index()][r] as i128)
    }

    /// Whether `w` could go to `to` instead: up, allowed, room for it in every tracked resource,
    /// and no other member of its mandatory anti-affinity groups there.
    fn could_take(&self, w: WorkloadId, to: HostId) -> bool {
        let cluster = self.cluster;
        let workload = cluster.workload(w);
        self.up(to)
            && workload.allows(to)
            && self.host_of(w) != to
            && Resource::ALL.iter().all(|&r| {
                !checked(r, workload.demand)
                    || self
                        .room(to, r)
                        .is_none_or(|room| room >= workload.demand[r] as i128)
            })
            && cluster
                .anti_affinity
                .iter()
                .filter(|g| g.mandatory && g.workloads.contains(&w))
                .all(|g| {
                    let spot = spot_of(cluster, g.scope, to);
                    g.workloads
                        .iter()
                        .all(|&o| o == w || spot_of(cluster, g.scope, self.host_of(o)) != spot)
                })
    }

    /// Another host that could take `w`, in host order.
    fn alternative(&self, w: WorkloadId) -> Option<HostId> {
        self.cluster.ready_hosts().find(|&h| self.could_take(w, h))
    }
}

/// Whether a receiving host's `r` is checked for workloads that bring `incoming`: cpu and memory
/// always, storage only when they state some ("storage_gib when the workload states it"), so
/// a host already over its usable storage may still take workloads without storage.
fn checked(r: Resource, incoming: Resources) -> bool {
    r != Resource::Storage || incoming[r] > 0
}

/// What an anti-affinity group keeps apart: hosts, or fault domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Spot {
    Host(HostId),
    Domain(FaultDomainId),
}

/// Where a host sits for an anti-affinity scope: itself, or its fault domain.
fn spot_of(cluster: &Cluster, scope: Scope, h: HostId) -> Spot {
    match scope {
        Scope::Host => Spot::Host(h),
        Scope::FaultDomain => Spot::Domain(cluster.host(h).fault_domain),
    }
}

/// Checks the evacuation of wave `t`.
pub(super) fn check_wave(view: &PlanView<'_>, t: usize, out: &mut Vec<Violation>) {
    let cluster = view.cluster;
    let hosts = view.hosts(t);
    let placed = match &view.plan.waves[t].moves {
        Some(given) => moves::given(view, t, given, out),
        None => match without_moves::search(cluster, &hosts) {
            Ok(placed) => placed,
            Err(shortfall) => {
                out.push(no_placement(view, t, &hosts, shortfall));
                return;
            }
        },
    };
    let state = PlacedWave::new(cluster, &hosts, placed);
    let mut found = Vec::new();
    capacity(view, t, &state, &mut found);
    reserve(view, t, &state, &mut found);
    anti_affinity(view, t, &state, &mut found);
    if view.plan.waves[t].moves.is_none() {
        // The placement is the search's, not the plan's: another one might keep the rule, and
        // explicit moves are checked exactly as given.
        for v in &mut found {
            v.message
                .push_str(" (with the placement the validator found, as the wave gives no moves)");
            v.help = format!("give the wave explicit moves that avoid this, or {}", v.help);
        }
    }
    out.append(&mut found);
}

/// Help for an evacuation problem: take a host that carries moving workloads out of the wave.
pub(super) fn evacuation_help(view: &PlanView<'_>, t: usize, hosts: &[HostId]) -> String {
    let cluster = view.cluster;
    // Hosts carrying the most that must move first.
    let mut carriers: Vec<(u64, HostId)> = hosts
        .iter()
        .map(|&h| {
            let moving: Resources = cluster
                .host(h)
                .workloads
                .iter()
                .map(|&w| cluster.workload(w))
                .filter(|w| w.migration.moves())
                .map(|w| w.demand)
                .sum();
            (Resource::ALL.iter().map(|&r| moving[r]).sum(), h)
        })
        .filter(|&(m, _)| m > 0)
        .collect();
    carriers.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let culprits: Vec<Vec<ItemId>> = carriers.iter().map(|&(_, h)| vec![ItemId::Host(h)]).collect();
    help::relocate(view, t, &culprits, |rest| {
        without_moves::fits_in_total(cluster, rest)
    })
    .unwrap_or_else(|| {
        "take fewer hosts down in this wave, or free capacity on the hosts that stay up".to_string()
    })
}

/// Every up host that receives workloads stays within its usable capacity, per resource.
fn capacity(view: &PlanView<'_>, t: usize, state: &PlacedWave<'_>, out: &mut Vec<Violation>) {
    let cluster = view.cluster;
    let mut received: BTreeMap<HostId, Vec<WorkloadId>> = BTreeMap::new();
    for (&w, target) in &state.placed {
        received.entry(target.host).or_default().push(w);
    }
    let headroom = cluster.policy.headroom_percent;
    let ratio = cluster.policy.cpu_overcommit;
    let overcommit = |r: Resource| {
        if r == Resource::Cpu && ratio != 1.0 {
            format!(" × {ratio} CPU overcommit,")
        } else {
            String::new()
        }
    };
    for (&h, incoming) in &received {
        let host = cluster.host(h);
        let moved_in: Resources = incoming.iter().map(|&w| cluster.workload(w).demand).sum();
        let over: Vec<String> = Resource::ALL
            .iter()
            .filter(|&&r| checked(r, moved_in))
            .filter_map(|&r| {
                let usable = host.usable(r)?;
                let total = state.load[h.index()][r];
                (total > usable).then(|| {
                    format!(
                        "{} of {r} ({} of its own plus {} moved in), over its usable {} ({}{} less {headroom}% headroom)",
                        show(total, r),
                        show(host.load[r], r),
                        show(moved_in[r], r),
                        show(usable, r),
                        show(host.capacity[r], r),
                        overcommit(r),
                    )
                })
            })
            .collect();
        if over.is_empty() {
            continue;
        }
        let names = list(incoming.iter().map(|&w| cluster.workload(w).name.as_str()));
        // Largest first: moving it relieves the host most.
        let mut by_size = incoming.clone();
        by_size.sort_by_key(|&w| std::cmp::Reverse(Resource::ALL.map(|r| cluster.workload(w).demand[r])));
        let help = by_size
            .iter()
            .find_map(|&w| state.alternative(w).map(|to| (w, to)))
            .map(|(w, to)| {
                format!(
                    "move `{}` to `{}` instead, which has room for it",
                    cluster.workload(w).name,
                    cluster.host(to).name
                )
            })
            .unwrap_or_else(|| evacuation_help(view, t, &view.hosts(t)));
        let span = incoming
            .iter()
            .find_map(|w| state.placed[w].span.clone())
            .or_else(|| view.wave_span(t));
        out.push(Violation::new(
            ViolationCode::CapacityExceeded,
            Some(t),
            &host.name,
            format!(
                "in wave {}, host `{}` receives {names} and would carry {}",
                t + 1,
                host.name,
                over.join("; and "),
            ),
            help,
            span,
        ));
    }
}

/// The free room on up hosts after the placement covers the reserve, per resource.
fn reserve(view: &PlanView<'_>, t: usize, state: &PlacedWave<'_>, out: &mut Vec<Violation>) {
    let cluster = view.cluster;
    let reserve = cluster.reserve();
    for r in Resource::ALL {
        if reserve[r] == 0 {
            continue;
        }
        let left: u64 = cluster
            .ready_hosts()
            .filter(|&h| state.up(h))
            .filter_map(|h| state.room(h, r))
            .map(|room| room.max(0) as u64)
            .sum();
        if left < reserve[r] {
            out.push(reserve_violation(view, t, r, left));
        }
    }
}

/// Wave `t` leaves only `left` of `r` free on its up hosts, less than the reserve.
pub(super) fn reserve_violation(view: &PlanView<'_>, t: usize, r: Resource, left: u64) -> Violation {
    let cluster = view.cluster;
    let reserve = cluster.reserve()[r];
    let k = cluster.policy.reserve_host_failures;
    let message = format!(
        "wave {} leaves {} of {r} free on the up hosts after evacuation, less than the HA reserve of {} (reserve_host_failures = {k}: the usable {r} of the {})",
        t + 1,
        show(left, r),
        show(reserve, r),
        if k == 1 {
            "largest ready host".to_string()
        } else {
            format!("{k} largest ready hosts")
        }
    );
    let before_anything: u64 = cluster
        .ready_hosts()
        .filter_map(|h| cluster.host(h).room(r))
        .sum();
    let help = if before_anything < reserve {
        format!(
            "even with no host down the ready hosts have only {} of {r} free; lower `reserve_host_failures` or free capacity",
            show(before_anything, r)
        )
    } else {
        evacuation_help(view, t, &view.hosts(t))
    };
    Violation::new(
        ViolationCode::ReserveExceeded,
        Some(t),
        r.key(),
        message,
        help,
        view.wave_span(t),
    )
}

/// No host (or fault domain) holds two members of a mandatory anti-affinity group.
fn anti_affinity(view: &PlanView<'_>, t: usize, state: &PlacedWave<'_>, out: &mut Vec<Violation>) {
    let cluster = view.cluster;
    for group in cluster.anti_affinity.iter().filter(|g| g.mandatory) {
        let mut at: BTreeMap<Spot, Vec<WorkloadId>> = BTreeMap::new();
        for &w in &group.workloads {
            at.entry(spot_of(cluster, group.scope, state.host_of(w)))
                .or_default()
                .push(w);
        }
        for members in at.values().filter(|m| m.len() > 1) {
            let names = list(members.iter().map(|&w| cluster.workload(w).name.as_str()));
            let host = state.host_of(members[0]);
            let place = match group.scope {
                Scope::Host => format!("host `{}`", cluster.host(host).name),
                Scope::FaultDomain => {
                    let hosts: Vec<HostId> = members.iter().map(|&w| state.host_of(w)).collect();
                    format!(
                        "fault domain `{}` (on {})",
                        cluster.fault_domain(cluster.host(host).fault_domain).name,
                        list(hosts.iter().map(|&h| cluster.host(h).name.as_str()))
                    )
                }
            };
            let moved: Vec<WorkloadId> = members
                .iter()
                .copied()
                .filter(|w| state.placed.contains_key(w))
                .collect();
            let help = moved
                .iter()
                .find_map(|&w| state.alternative(w).map(|to| (w, to)))
                .map(|(w, to)| {
                    format!(
                        "move `{}` to `{}` instead, which keeps the group apart and has room for it",
                        cluster.workload(w).name,
                        cluster.host(to).name
                    )
                })
                .unwrap_or_else(|| evacuation_help(view, t, &view.hosts(t)));
            let span = moved
                .iter()
                .find_map(|w| state.placed[w].span.clone())
                .or_else(|| view.wave_span(t));
            out.push(Violation::new(
                ViolationCode::AntiAffinityViolated,
                Some(t),
                &group.name,
                format!(
                    "anti-affinity group `{}`: {names} share {place} in wave {}",
                    group.name,
                    t + 1
                ),
                help,
                span,
            ));
        }
    }
}

/// The violation for a wave without moves whose placement does not exist (or was not found).
fn no_placement(view: &PlanView<'_>, t: usize, hosts: &[HostId], shortfall: Option<Shortfall>) -> Violation {
    let cluster = view.cluster;
    let Some(shortfall) = shortfall else {
        return Violation::new(
            ViolationCode::CapacityExceeded,
            Some(t),
            "evacuation",
            format!(
                "the validator could not decide within {SEARCH_BUDGET} search steps whether the workloads of wave {} fit on the up hosts",
                t + 1
            ),
            format!(
                "give the wave explicit moves, or {}",
                evacuation_help(view, t, hosts)
            ),
            view.wave_span(t),
        );
    };
    let (code, subject) = match &shortfall {
        // The same violation as for a given placement: the room left does not depend on where
        // the workloads go, once they fit.
        Shortfall::Reserve { resource, left, .. } => return reserve_violation(view, t, *resource, *left),
        Shortfall::Capacity { resource, .. } => (ViolationCode::CapacityExceeded, resource.key().to_string()),
        Shortfall::Unplaceable {
            workload, blocker, ..
        } => match blocker {
            Blocker::AntiAffinity(group) => (
                ViolationCode::AntiAffinityViolated,
                cluster.anti_affinity[group.index()].name.clone(),
            ),
            Blocker::AllowedHosts | Blocker::Resource(_) => (
                ViolationCode::CapacityExceeded,
                cluster.workload(*workload).name.clone(),
            ),
        },
        Shortfall::Packing { .. } => (ViolationCode::CapacityExceeded, "evacuation".to_string()),
    };
    Violation::new(
        code,
        Some(t),
        subject,
        format!(
            "wave {} has no evacuation placement: {}",
            t + 1,
            shortfall.describe(cluster, hosts)
        ),
        evacuation_help(view, t, hosts),
        view.wave_span(t),
    )
}
