//! A wave's given moves: each one correct, and together complete.
//!
//! A move is correct when it names a known workload on a host of this wave that migrates (live or
//! restart), states the right `from` if any, and goes to a known, ready host that stays up in
//! this wave and is in the workload's `allowed_hosts`. The list is complete when every live or
//! restart workload of the wave's hosts is moved exactly once. Whatever is wrong is reported as
//! `move_invalid`; the moves that name a real up target are still applied as written, so the
//! capacity and anti-affinity checks see exactly the placement the plan describes.

use std::collections::{BTreeMap, HashSet};

use crate::model::{Cluster, HostId, Migration, Resource, WorkloadId};
use crate::source::Span;
use crate::suggest::closest;

use super::input::{MoveInput, Named};
use super::view::PlanView;
use super::{Violation, ViolationCode, list};

/// Where a moved workload goes, and the move that says so.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// The receiving host.
    pub host: HostId,
    /// The move's span.
    pub span: Option<Span>,
}

/// The evacuation placement of one wave: moved workloads and their targets.
pub(super) type Placed = BTreeMap<WorkloadId, Target>;

/// Checks the `moves` given for wave `t` and returns the placement they describe.
pub(super) fn given(view: &PlanView<'_>, t: usize, moves: &[MoveInput], out: &mut Vec<Violation>) -> Placed {
    let cluster = view.cluster;
    let wave_hosts = view.hosts(t);
    let mut in_wave = vec![false; cluster.hosts.len()];
    for &h in &wave_hosts {
        in_wave[h.index()] = true;
    }
    let mut placed = Placed::new();
    let mut named: HashSet<WorkloadId> = HashSet::new();
    for m in moves {
        let span = |field: &Named| {
            field
                .span
                .clone()
                .or_else(|| m.span.clone())
                .or_else(|| view.wave_span(t))
        };
        let mut bad = |subject: &str, message: String, help: String, at: Option<Span>| {
            out.push(Violation::new(
                ViolationCode::MoveInvalid,
                Some(t),
                subject,
                message,
                help,
                at,
            ));
        };
        let name = &m.workload.name;
        let Some(w) = cluster.find_workload(name) else {
            let moving = wave_hosts
                .iter()
                .flat_map(|&h| cluster.host(h).workloads.iter())
                .map(|&w| cluster.workload(w).name.as_str());
            let help = match closest(name, moving) {
                Some(c) => format!("did you mean `{c}`?"),
                None => "move only workloads of the description".to_string(),
            };
            bad(
                name,
                format!("wave {} moves `{name}`, which is not a workload", t + 1),
                help,
                span(&m.workload),
            );
            continue;
        };
        let workload = cluster.workload(w);
        let home = cluster.host(workload.host);
        if !named.insert(w) {
            bad(
                name,
                format!("workload `{name}` is moved more than once in wave {}", t + 1),
                "keep one move per workload".to_string(),
                span(&m.workload),
            );
            continue;
        }
        if !in_wave[workload.host.index()] {
            let (why, help) = if !home.is_ready() {
                (
                    format!(
                        "which is already {}: its workloads are down and do not move",
                        home.state.name()
                    ),
                    format!("remove this move, or upgrade `{}` in wave {}", home.name, t + 1),
                )
            } else if home.is_done() {
                (
                    "which already runs its target version and is not upgraded again".to_string(),
                    "remove this move: its host stays up".to_string(),
                )
            } else {
                (
                    format!("which is not upgraded in wave {}", t + 1),
                    format!("remove this move, or upgrade `{}` in wave {}", home.name, t + 1),
                )
            };
            bad(
                name,
                format!("workload `{name}` runs on host `{}`, {why}", home.name),
                help,
                span(&m.workload),
            );
            continue;
        }
        if workload.migration == Migration::None {
            bad(
                name,
                format!(
                    "workload `{name}` has migration `none`: it stays on `{}` and is down for the wave",
                    home.name
                ),
                "remove this move, or set the workload's migration to `live` or `restart`".to_string(),
                span(&m.workload),
            );
            continue;
        }
        if let Some(from) = &m.from
            && from.name != home.name
        {
            bad(
                name,
                format!(
                    "the move of `{name}` says it leaves `{}`, but it runs on `{}`",
                    from.name, home.name
                ),
                format!("set `from = \"{}\"` or leave `from` out", home.name),
                span(from),
            );
        }
        let Some(to) = cluster.find_host(&m.to.name) else {
            let hosts = cluster.hosts.iter().map(|h| h.name.as_str());
            let help = match (closest(&m.to.name, hosts), suggest_target(view, &in_wave, w)) {
                (Some(c), _) => format!("did you mean `{c}`?"),
                (None, Some(h)) => format!("move it to an up host such as `{}`", cluster.host(h).name),
                (None, None) => "move it to a host of the description that stays up".to_string(),
            };
            bad(
                name,
                format!(
                    "workload `{name}` is moved to `{}`, which is not a host",
                    m.to.name
                ),
                help,
                span(&m.to),
            );
            continue;
        };
        let target = cluster.host(to);
        let down_why = if in_wave[to.index()] {
            Some(format!("which is upgraded in wave {} as well", t + 1))
        } else if !target.is_ready() {
            Some(format!("which is {}", target.state.name()))
        } else {
            None
        };
        if let Some(why) = down_why {
            bad(
                name,
                format!("workload `{name}` is moved to host `{}`, {why}", target.name),
                target_help(cluster, view, &in_wave, w),
                span(&m.to),
            );
            continue;
        }
        if !workload.allows(to) {
            let allowed = workload.allowed_hosts.as_deref().unwrap_or_default();
            bad(
                name,
                format!(
                    "workload `{name}` may run only on {}, not on `{}`",
                    list(allowed.iter().map(|&h| cluster.host(h).name.as_str())),
                    target.name
                ),
                target_help(cluster, view, &in_wave, w),
                span(&m.to),
            );
        }
        placed.insert(
            w,
            Target {
                host: to,
                span: m.span.clone().or_else(|| m.to.span.clone()),
            },
        );
    }

    for &h in &wave_hosts {
        for &w in &cluster.host(h).workloads {
            let workload = cluster.workload(w);
            if workload.migration.moves() && !named.contains(&w) {
                let help = match suggest_target(view, &in_wave, w) {
                    Some(to) => format!(
                        "add a move of `{}` to an up host, e.g. `{}`, or leave out every move of wave {} to let the validator search for a placement",
                        workload.name,
                        cluster.host(to).name,
                        t + 1
                    ),
                    None => format!("add a move of `{}` to a host that stays up", workload.name),
                };
                out.push(Violation::new(
                    ViolationCode::MoveInvalid,
                    Some(t),
                    &workload.name,
                    format!(
                        "workload `{}` (migration `{}`) on `{}` has no move in wave {}, and the wave's moves must be complete",
                        workload.name,
                        workload.migration.name(),
                        cluster.host(h).name,
                        t + 1
                    ),
                    help,
                    view.item_span(t, crate::model::ItemId::Host(h)),
                ));
            }
        }
    }
    placed
}

fn target_help(cluster: &Cluster, view: &PlanView<'_>, in_wave: &[bool], w: WorkloadId) -> String {
    match suggest_target(view, in_wave, w) {
        Some(h) => format!(
            "move it to an allowed host that stays up, e.g. `{}`",
            cluster.host(h).name
        ),
        None => "move it to an allowed host that stays up in this wave, or upgrade its host in another wave"
            .to_string(),
    }
}

/// An up, ready host allowed for `w` with room for it on its own (ignoring other moves): the
/// one with the most room left on its tightest resource.
fn suggest_target(view: &PlanView<'_>, in_wave: &[bool], w: WorkloadId) -> Option<HostId> {
    let cluster = view.cluster;
    let workload = cluster.workload(w);
    cluster
        .ready_hosts()
        .filter(|&h| !in_wave[h.index()] && workload.allows(h))
        .filter_map(|h| {
            let host = cluster.host(h);
            Resource::ALL
                .iter()
                .filter_map(|&r| host.room(r).map(|room| room as i128 - workload.demand[r] as i128))
                .min()
                .map_or(Some((i128::MAX, h)), |left| (left >= 0).then_some((left, h)))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
        .map(|(_, h)| h)
}
