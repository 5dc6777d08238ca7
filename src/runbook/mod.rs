//! The runbook: what an operator verifies and executes in each wave of a plan.
//!
//! A plan says which hosts go down together; a runbook says how to do it safely. For every
//! wave, in order, [`build`] gives:
//!
//! - **pre-checks** (`W{n}.PRE.{k}`): the previous wave finished; the declared state matches
//!   reality before anything is touched (lifecycle tooling that trusts a stale inventory is a
//!   known cause of outages, so this comes first in wave 1, for the whole cluster, and again in
//!   every wave for the hosts it touches); each quorum group and disruption budget the wave
//!   touches keeps the votes the plan counted on; only the expected fault domains and sites go
//!   down; the hosts that stay up have the room the evacuation needs; storage is healthy;
//! - **steps** (`W{n}.S{k}`): platform preliminaries, the planned moves, a clean shutdown of
//!   the workloads that cannot move (`migration = "none"`, down with their host), then per host
//!   maintenance, upgrade, reboot and back, and those workloads started again; a control-plane
//!   component is one `upgrade` step;
//! - **post-checks** (`W{n}.POST.{k}`): versions, hosts back, quorum restored, and the policies
//!   an upgrade is known to reset still in place;
//! - a **rollback** note: what to do when a check fails half-way.
//!
//! Every number in an `expect` is computed from the model ([`facts`]), with the rule it
//! protects. Platform knowledge (which CLI, which flags) lives in one file per platform behind
//! the [`platform::Commands`] trait; names reach commands only through [`quote`].

pub mod expect;
pub mod facts;
pub mod platform;
mod post;
mod pre;
pub mod quote;
mod steps;

use crate::model::Cluster;
use crate::plan::Plan;
use expect::Expectation;
use facts::WaveFacts;

/// What a check asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckKind {
    /// The previous wave's items are back, at their target version.
    PreviousWave,
    /// A host or component runs the expected version.
    Version,
    /// Hosts are up and out of maintenance, as declared.
    HostState,
    /// A host declared `down` or `maintenance` really is unavailable.
    Unavailable,
    /// Every member of a quorum group is healthy before the wave.
    Members,
    /// A quorum group keeps its quorum during the wave.
    Quorum,
    /// A disruption budget holds during the wave.
    Budget,
    /// Only the expected fault domains are down.
    FaultDomains,
    /// Only the expected sites are down.
    Sites,
    /// The hosts that stay up have room for the evacuation and the HA reserve.
    Capacity,
    /// Storage is healthy (vSAN objects, Ceph, Nutanix data resiliency, shared volumes).
    Storage,
    /// A host is back in the cluster and takes workloads.
    Rejoined,
    /// A policy an upgrade may reset is still in place.
    Policy,
}

impl CheckKind {
    /// The name in plan documents.
    pub fn name(self) -> &'static str {
        match self {
            CheckKind::PreviousWave => "previous_wave",
            CheckKind::Version => "version",
            CheckKind::HostState => "host_state",
            CheckKind::Unavailable => "unavailable",
            CheckKind::Members => "members",
            CheckKind::Quorum => "quorum",
            CheckKind::Budget => "budget",
            CheckKind::FaultDomains => "fault_domains",
            CheckKind::Sites => "sites",
            CheckKind::Capacity => "capacity",
            CheckKind::Storage => "storage",
            CheckKind::Rejoined => "rejoined",
            CheckKind::Policy => "policy",
        }
    }
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `ceph osd set noout`: OSDs that go down are not marked out, so no rebalancing starts.
    SetNoout,
    /// Stop scheduling onto a host (Kubernetes cordon).
    Cordon,
    /// Stop scheduling onto a host (OpenStack: disable its compute service).
    DisableScheduling,
    /// Move a workload to the host the plan chose.
    Migrate,
    /// Shut down cleanly a workload that cannot move (`migration = "none"`): it is down with
    /// its host.
    Shutdown,
    /// Put a host into maintenance.
    EnterMaintenance,
    /// Evict what is left on a host (Kubernetes drain).
    Drain,
    /// Upgrade a host or component.
    Upgrade,
    /// Reboot a host.
    Reboot,
    /// Take a host out of maintenance.
    ExitMaintenance,
    /// Allow scheduling onto a host again (Kubernetes uncordon).
    Uncordon,
    /// Start again a workload that was shut down with its host.
    Start,
    /// Move a workload back to its declared host, so that the next wave starts from the
    /// placement the plan assumes.
    MigrateBack,
    /// `ceph osd unset noout`.
    UnsetNoout,
}

impl Action {
    /// The name in plan documents.
    pub fn name(self) -> &'static str {
        match self {
            Action::SetNoout => "set_noout",
            Action::Cordon => "cordon",
            Action::DisableScheduling => "disable_scheduling",
            Action::Migrate => "migrate",
            Action::Shutdown => "shutdown",
            Action::EnterMaintenance => "enter_maintenance",
            Action::Drain => "drain",
            Action::Upgrade => "upgrade",
            Action::Reboot => "reboot",
            Action::ExitMaintenance => "exit_maintenance",
            Action::Uncordon => "uncordon",
            Action::Start => "start",
            Action::MigrateBack => "migrate_back",
            Action::UnsetNoout => "unset_noout",
        }
    }
}

/// An assertion to verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable id: `W{n}.PRE.{k}` or `W{n}.POST.{k}`.
    pub id: String,
    /// What it asserts.
    pub kind: CheckKind,
    /// What it is about: a group, hosts, a resource.
    pub subject: String,
    /// The expected state, with the numbers from the model.
    pub expect: String,
    /// A command that shows it, where the platform has one.
    pub command: Option<String>,
    /// A command that exits 0 exactly when the expectation holds, and otherwise prints the
    /// expected and the observed value; where the platform has one.
    pub assert: Option<String>,
    /// What it expects, as data, where an [`Expectation`] states it.
    pub expectation: Option<Expectation>,
}

/// Something to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Stable id: `W{n}.S{k}`.
    pub id: String,
    /// What to do.
    pub action: Action,
    /// The host, component, workload or cluster it acts on.
    pub target: String,
    /// A command that does it, where the platform has one.
    pub command: Option<String>,
    /// The step in words, with what to watch for.
    pub detail: String,
}

/// The runbook of one wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveRunbook {
    /// One-based position of the wave.
    pub index: usize,
    /// To verify before anything is touched.
    pub pre_checks: Vec<Check>,
    /// To do, in order.
    pub steps: Vec<Step>,
    /// To verify after the wave.
    pub post_checks: Vec<Check>,
    /// What to do when a check fails or a step errs half-way.
    pub rollback: String,
}

/// The runbook of a whole plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runbook {
    /// One entry per wave, in order.
    pub waves: Vec<WaveRunbook>,
}

/// The runbook of `plan` for `cluster`.
pub fn build(cluster: &Cluster, plan: &Plan) -> Runbook {
    let commands = platform::for_cluster(cluster);
    let waves = (0..plan.waves.len())
        .map(|t| {
            let facts = WaveFacts::new(cluster, &plan.waves, t);
            WaveRunbook {
                index: facts.index,
                pre_checks: number(
                    &facts,
                    "PRE",
                    commands.as_ref(),
                    pre::checks(&facts, commands.as_ref()),
                ),
                steps: steps::steps(&facts, commands.as_ref())
                    .into_iter()
                    .enumerate()
                    .map(|(k, s)| Step {
                        id: format!("W{}.S{}", facts.index, k + 1),
                        action: s.action,
                        target: s.target,
                        command: s.command,
                        detail: s.detail,
                    })
                    .collect(),
                post_checks: number(
                    &facts,
                    "POST",
                    commands.as_ref(),
                    post::checks(&facts, commands.as_ref()),
                ),
                rollback: post::rollback(&facts, commands.as_ref()),
            }
        })
        .collect();
    Runbook { waves }
}

/// Ids for the checks, and each check's assert: the platform's own, or the one it builds from
/// the expectation.
fn number(
    facts: &WaveFacts<'_>,
    phase: &str,
    commands: &dyn platform::Commands,
    specs: Vec<platform::CheckSpec>,
) -> Vec<Check> {
    specs
        .into_iter()
        .enumerate()
        .map(|(k, c)| Check {
            id: format!("W{}.{phase}.{}", facts.index, k + 1),
            kind: c.kind,
            subject: c.subject,
            expect: c.expect,
            assert: c
                .assert
                .or_else(|| c.expectation.as_ref().and_then(|e| commands.assert(e))),
            command: c.command,
            expectation: c.expectation,
        })
        .collect()
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", "),
            last.as_ref()
        ),
    }
}

/// A list of names as a subject: the names themselves when few, a count when many (the
/// `expect` then names them all).
pub(crate) fn subject_of<S: AsRef<str>>(names: &[S], what: &str) -> String {
    const NAMED: usize = 5;
    if names.len() <= NAMED {
        names.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", ")
    } else {
        format!("{} {what}", names.len())
    }
}

#[cfg(test)]
mod tests;
