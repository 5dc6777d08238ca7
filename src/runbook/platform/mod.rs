//! Platform knowledge: which command shows or does what, one file per platform.
//!
//! The runbook's structure (which checks, which steps, in which order, with which numbers) is
//! the same everywhere and lives in the parent module. What differs is here, behind one trait,
//! [`Commands`]: every method has a default that states the step in words without a command,
//! which is the whole of the `generic` platform; a platform overrides what its CLI can do.
//! Adding a platform is one file with one `impl Commands`, and one line in [`for_cluster`].
//!
//! Names reach commands only through [`super::quote`]. Tools that honour `--` get it before
//! operands that start with `-`.

pub mod assert;
mod ceph;
mod generic;
mod hyperv;
mod kubernetes;
mod nutanix;
mod openstack;
mod proxmox;
mod vsphere;

use crate::model::{Cluster, Component, Platform, Workload};

use super::expect::Expectation;
use super::facts::WaveFacts;
use super::quote::sh;
use super::{Action, CheckKind, and_list};

/// How a platform's commands quote names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// A POSIX shell (sh, bash): single quotes.
    Posix,
    /// PowerShell: single quotes with `'` doubled.
    PowerShell,
}

/// Before the wave's steps or after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Pre-checks.
    Before,
    /// Post-checks.
    After,
}

/// A check before it gets its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSpec {
    /// What it asserts.
    pub kind: CheckKind,
    /// What it is about.
    pub subject: String,
    /// The expected state.
    pub expect: String,
    /// A command that shows it.
    pub command: Option<String>,
    /// What it expects, as data, where the expectation is one [`Expectation`] states; the
    /// platform's [`Commands::assert`] turns it into the `assert` command.
    pub expectation: Option<Expectation>,
    /// A command that exits 0 exactly when the expectation holds, when the platform builds it
    /// directly rather than from [`CheckSpec::expectation`].
    pub assert: Option<String>,
}

/// A step before it gets its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepSpec {
    /// What to do.
    pub action: Action,
    /// What it acts on.
    pub target: String,
    /// A command that does it.
    pub command: Option<String>,
    /// The step in words.
    pub detail: String,
}

impl StepSpec {
    /// A step on `target`.
    pub fn new(action: Action, target: &str, command: Option<String>, detail: impl Into<String>) -> Self {
        StepSpec {
            action,
            target: target.to_string(),
            command,
            detail: detail.into(),
        }
    }
}

/// A command for a step, with the step in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The command, where the platform has one.
    pub command: Option<String>,
    /// What it does and what to watch for.
    pub detail: String,
}

impl Instruction {
    /// An instruction with a command.
    pub fn run(command: String, detail: impl Into<String>) -> Self {
        Instruction {
            command: Some(command),
            detail: detail.into(),
        }
    }

    /// An instruction in words only.
    pub fn prose(detail: impl Into<String>) -> Self {
        Instruction {
            command: None,
            detail: detail.into(),
        }
    }
}

/// What one platform's tools can show and do. Every method has a prose-only default.
pub trait Commands {
    /// How this platform's commands quote names.
    fn shell(&self) -> Shell {
        Shell::Posix
    }

    /// A command that exits 0 exactly when `expectation` holds, and otherwise prints the
    /// expected and the observed value; `None` where the platform's tools cannot tell.
    fn assert(&self, expectation: &Expectation) -> Option<String> {
        let _ = expectation;
        None
    }

    /// Shows the state of every host of the cluster (up, maintenance, down).
    fn cluster_state(&self) -> Option<String> {
        None
    }

    /// Shows the state of `hosts`.
    fn host_states(&self, hosts: &[&str]) -> Option<String> {
        let _ = hosts;
        self.cluster_state()
    }

    /// Shows the version `hosts` run.
    fn versions(&self, hosts: &[&str]) -> Option<String> {
        let _ = hosts;
        None
    }

    /// Shows the health of a quorum group's members.
    fn members(&self, hosts: &[&str], workloads: &[&str], components: &[&str]) -> Option<String> {
        let _ = (hosts, workloads, components);
        None
    }

    /// Shows a disruption budget and its workloads.
    fn budget(&self, name: &str, workloads: &[&str]) -> Option<String> {
        let _ = name;
        self.members(&[], workloads, &[])
    }

    /// Shows free room on `up_hosts`.
    fn capacity(&self, up_hosts: &[&str]) -> Option<String> {
        let _ = up_hosts;
        None
    }

    /// Storage checks for the wave.
    fn storage(&self, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        let _ = facts;
        vec![CheckSpec {
            expectation: None,
            assert: None,
            kind: CheckKind::Storage,
            subject: "storage".into(),
            expect: match phase {
                Phase::Before => "shared storage healthy: no degraded volume, no rebuild or resync running",
                Phase::After => {
                    "shared storage healthy again: every volume online, no rebuild or resync running"
                }
            }
            .into(),
            command: None,
        }]
    }

    /// Policies an upgrade may reset, to verify after the wave.
    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        anti_affinity_policy(facts, None)
    }

    /// Steps before anything else in a wave that takes hosts down.
    fn before(&self, facts: &WaveFacts<'_>) -> Vec<StepSpec> {
        let _ = facts;
        Vec::new()
    }

    /// A step that stops scheduling onto `host` before workloads move.
    fn prepare(&self, host: &str) -> Option<StepSpec> {
        let _ = host;
        None
    }

    /// Moving `workload` from `from` to `to`.
    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        Instruction::prose(migrate_words(workload, from, to))
    }

    /// Whether `workload`, which cannot move, is a daemon of the platform that its own steps
    /// stop and start (Ceph OSDs on a Proxmox node): it gets no shutdown or start step.
    fn platform_daemon(&self, workload: &Workload) -> bool {
        let _ = workload;
        false
    }

    /// Shutting down cleanly `workload`, which cannot move and is down with `host`.
    fn shutdown(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::prose(pinned_words(workload, host, true))
    }

    /// Starting `workload` again on `host` once the host is back.
    fn start(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::prose(pinned_words(workload, host, false))
    }

    /// True when entering maintenance is what evicts the workloads (Kubernetes drain): the
    /// migrate steps then follow it and verify where the workloads went.
    fn evacuates_on_enter(&self) -> bool {
        false
    }

    /// Putting `host` into maintenance once its workloads are gone.
    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(StepSpec::new(
            Action::EnterMaintenance,
            host,
            None,
            format!("put {host} into maintenance; it must hold no running workload any more"),
        ))
    }

    /// The version a host runs after its wave, given the one it runs now and its target: the
    /// target, except where a host wave leaves the version the checks read unchanged (Ceph,
    /// whose daemons change version with `ceph orch upgrade`, a wave of its own).
    fn version_after_upgrade<'h>(
        &self,
        current: Option<&'h str>,
        target: Option<&'h str>,
    ) -> Option<&'h str> {
        let _ = current;
        target
    }

    /// Upgrading `host` to `target`.
    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        Instruction::prose(format!("upgrade {host} to {}", target_words(target)))
    }

    /// Rebooting `host`.
    fn reboot(&self, host: &str) -> Instruction {
        Instruction::prose(format!(
            "reboot {host} (skip if the upgrade rebooted it) and wait until it is back"
        ))
    }

    /// Taking `host` out of maintenance; `receives` is false for a host with no capacity (a
    /// witness), which takes no workloads whatever its state.
    fn exit(&self, host: &str, receives: bool) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            None,
            if receives {
                format!("take {host} out of maintenance so that it takes workloads again")
            } else {
                format!("take {host} out of maintenance; it has no capacity and takes no workloads")
            },
        )
    }

    /// Steps after everything else in a wave that takes hosts down.
    fn after(&self, facts: &WaveFacts<'_>) -> Vec<StepSpec> {
        let _ = facts;
        Vec::new()
    }

    /// Upgrading control-plane component `component`.
    fn upgrade_component(&self, component: &Component) -> Instruction {
        default_upgrade_component(component)
    }

    /// What to do when the upgrade of `component` fails, where the general note (restore it
    /// from the backup taken before) does not hold.
    fn component_rollback(&self, component: &Component) -> Option<String> {
        let _ = component;
        None
    }

    /// Shows the version component `name` runs.
    fn component_version(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// What to do on this platform when a wave has to be backed out.
    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let _ = facts;
        "Take every host of this wave out of maintenance once it runs (old or new version); \
         move the workloads back to where the description places them; re-run this wave's \
         pre-checks before trying again."
            .into()
    }
}

/// The commands of `cluster`'s platform.
pub fn for_cluster(cluster: &Cluster) -> Box<dyn Commands> {
    match cluster.platform {
        Platform::Vsphere => Box::new(vsphere::Vsphere::new(cluster, false)),
        Platform::Vsan => Box::new(vsphere::Vsphere::new(cluster, true)),
        Platform::Nutanix => Box::new(nutanix::Nutanix),
        Platform::Proxmox => Box::new(proxmox::Proxmox::new(cluster)),
        Platform::Hyperv => Box::new(hyperv::HyperV),
        Platform::Openstack => Box::new(openstack::OpenStack::new(cluster)),
        Platform::Kubernetes => Box::new(kubernetes::Kubernetes),
        Platform::Ceph => Box::new(ceph::Ceph::new(cluster)),
        Platform::Generic => Box::new(generic::Generic),
    }
}

/// The upgrade of a component in words: with its own installer.
pub(crate) fn default_upgrade_component(component: &Component) -> Instruction {
    let name = &component.name;
    Instruction::prose(format!(
        "upgrade {name} to {} with its own installer; {}",
        target_words(component.target_version.as_deref()),
        if component.exclusive {
            "nothing else changes during this wave"
        } else {
            "it shares this wave with hosts, and is counted down in this wave's quorum checks"
        }
    ))
}

/// What a host or component is upgraded to, as an operator writes it: `8.0.3`, or `the new
/// release` when no target is declared.
pub(crate) fn target_words(target: Option<&str>) -> String {
    product_target(None, target)
}

/// The target with the product's name: `Proxmox VE 8.3`, or `the new Proxmox VE release` when
/// no target is declared (never `Proxmox VE its new version`).
pub(crate) fn product_target(product: Option<&str>, target: Option<&str>) -> String {
    match (product, target) {
        (Some(p), Some(t)) => format!("{p} {t}"),
        (None, Some(t)) => t.to_string(),
        (Some(p), None) => format!("the new {p} release"),
        (None, None) => NEW_RELEASE.to_string(),
    }
}

/// What the runbook says when no target version is declared.
pub(crate) const NEW_RELEASE: &str = "the new release";

/// `every node that stays up`, or, for a wave that takes every host down (a
/// `quorate::warn::every_host_down` plan), `every node before the wave: none stays up during
/// it`: never a check about hosts that do not exist.
pub(crate) fn every_up(facts: &WaveFacts<'_>, noun: &str) -> String {
    if facts.up_hosts().is_empty() {
        format!("every {noun} before the wave: no {noun} stays up during it")
    } else {
        format!("every {noun} that stays up")
    }
}

/// The shutdown (`stop`) or start of a workload that cannot move, in words.
pub(crate) fn pinned_words(workload: &Workload, host: &str, stop: bool) -> String {
    let name = &workload.name;
    if stop {
        format!(
            "shut down {name} cleanly (guest shutdown, not power off): it cannot move \
             (migration = \"none\") and is down with {host} until {host} is back"
        )
    } else {
        format!("start {name} on {host} again and check that it runs: it was down with {host}")
    }
}

/// The move in words.
pub(crate) fn migrate_words(workload: &Workload, from: &str, to: &str) -> String {
    let how = match workload.migration {
        crate::model::Migration::Restart => "stop, move and restart",
        _ => "live-migrate",
    };
    format!("{how} {} from {from} to {to}", workload.name)
}

/// A command run once per name, as a POSIX loop when there are several: `body` gets the word
/// to put where the name goes. The loop runs for every name, in a subshell that then fails
/// when the command failed for any of them (a plain loop exits with the last name's status).
pub(crate) fn sh_each(names: &[&str], body: impl Fn(&str) -> String) -> String {
    match names {
        [one] => body(&sh(one)),
        _ => format!(
            "(rc=0; for n in {}; do {} || rc=1; done && exit \"$rc\")",
            super::quote::sh_words(names.iter().copied()),
            body("\"$n\"")
        ),
    }
}

/// `-- ` when one of `names` starts with `-`, for a loop over names as operands of a tool that
/// honours `--`.
pub(crate) fn end_of_options(names: &[&str]) -> &'static str {
    if names.iter().any(|n| n.starts_with('-')) {
        "-- "
    } else {
        ""
    }
}

/// POSIX commands that show something, run one after the other; the first that fails fails
/// them all.
pub(crate) fn join(commands: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    join_with(" && ", commands)
}

/// PowerShell commands run one after the other: `;`, as Windows PowerShell 5.1 has no `&&`;
/// the runbook script (`-o script`) runs them with `$ErrorActionPreference = 'Stop'`, so the
/// first error stops them.
pub(crate) fn ps_join(commands: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    join_with("; ", commands)
}

fn join_with(separator: &str, commands: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let parts: Vec<String> = commands.into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join(separator))
}

/// The post-check that mandatory and "should" anti-affinity rules are still in place, with
/// the platform's command for it.
pub(crate) fn anti_affinity_policy(facts: &WaveFacts<'_>, command: Option<String>) -> Vec<CheckSpec> {
    let groups: Vec<&str> = facts
        .cluster
        .anti_affinity
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    if groups.is_empty() {
        return Vec::new();
    }
    vec![CheckSpec {
        expectation: None,
        assert: None,
        kind: CheckKind::Policy,
        subject: "anti-affinity".into(),
        expect: format!(
            "anti-affinity rules present and enabled, none reset by the upgrade: {}",
            and_list(&groups)
        ),
        command,
    }]
}
