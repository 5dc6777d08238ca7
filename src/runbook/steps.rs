//! Steps: what to do in a wave, in order.
//!
//! A wave that takes hosts down runs in phases, so that whatever the platform, every workload
//! has left before any host is upgraded, and no host takes workloads while it is being worked
//! on:
//!
//! 1. wave preliminaries (`ceph osd set noout`);
//! 2. stop scheduling onto every host of the wave (cordon, disable the compute service), so
//!    that nothing evacuated lands on another host of the same wave;
//! 3. the planned moves, one per workload (on Kubernetes, where the drain is what evicts,
//!    they come after step 4 and check where each pod went);
//! 4. a clean shutdown of every workload that cannot move (`migration = "none"`): it is down
//!    with its host, and a guest shutdown beats the power-off a host going down would give it;
//! 5. every host into maintenance;
//! 6. per host: upgrade, reboot, out of maintenance, then its unmovable workloads started;
//! 7. the moved workloads back to their declared hosts: the plan computes every wave from the
//!    declared placement, so the next wave must start from it (not on Kubernetes, whose
//!    scheduler does not move running pods);
//! 8. wave closings (`ceph osd unset noout`).
//!
//! A wave of components is one `upgrade` step per component.

use crate::model::{Cluster, HostId, MemberId, WorkloadId};

use super::Action;
use super::facts::{WaveFacts, receives_workloads};
use super::platform::{Commands, StepSpec};

/// The steps of a wave, in order.
pub(super) fn steps(facts: &WaveFacts<'_>, commands: &dyn Commands) -> Vec<StepSpec> {
    let cluster = facts.cluster;
    let mut out = Vec::new();
    for c in facts.components() {
        let component = cluster.component(c);
        let how = commands.upgrade_component(component);
        out.push(StepSpec::new(
            Action::Upgrade,
            &component.name,
            how.command,
            how.detail,
        ));
    }
    let hosts: Vec<HostId> = facts.hosts();
    if hosts.is_empty() {
        return out;
    }
    let names = facts.host_names();
    out.extend(commands.before(facts));
    out.extend(names.iter().filter_map(|h| commands.prepare(h)));
    let moves: Vec<StepSpec> = facts
        .moves()
        .iter()
        .map(|m| {
            let workload = cluster.workload(m.workload);
            let (from, to) = (&cluster.host(m.from).name, &cluster.host(m.to).name);
            let how = commands.migrate(workload, from, to);
            StepSpec::new(Action::Migrate, &workload.name, how.command, how.detail)
        })
        .collect();
    let on_enter = commands.evacuates_on_enter();
    if !on_enter {
        out.extend(moves.iter().cloned());
    }
    // A quorum member that cannot move (a Nutanix CVM, a Ceph monitor), or another daemon of
    // the platform (Ceph OSDs), is stopped and started by the platform's own steps, and the
    // quorum and storage checks watch it. The others (a VM with a USB dongle) are the
    // operator's to shut down and start.
    let pinned: Vec<_> = facts
        .pinned()
        .into_iter()
        .filter(|&(w, _)| !quorum_member(cluster, w) && !commands.platform_daemon(cluster.workload(w)))
        .collect();
    for &(w, h) in &pinned {
        let workload = cluster.workload(w);
        let how = commands.shutdown(workload, &cluster.host(h).name);
        out.push(StepSpec::new(
            Action::Shutdown,
            &workload.name,
            how.command,
            how.detail,
        ));
    }
    out.extend(names.iter().filter_map(|h| commands.enter(h)));
    if on_enter {
        out.extend(moves);
    }
    for &h in &hosts {
        let host = cluster.host(h);
        let upgrade = commands.upgrade(&host.name, host.target_version.as_deref());
        out.push(StepSpec::new(
            Action::Upgrade,
            &host.name,
            upgrade.command,
            upgrade.detail,
        ));
        let reboot = commands.reboot(&host.name);
        out.push(StepSpec::new(
            Action::Reboot,
            &host.name,
            reboot.command,
            reboot.detail,
        ));
        out.push(commands.exit(&host.name, receives_workloads(cluster, h)));
        for &(w, _) in pinned.iter().filter(|(_, on)| *on == h) {
            let workload = cluster.workload(w);
            let how = commands.start(workload, &host.name);
            out.push(StepSpec::new(
                Action::Start,
                &workload.name,
                how.command,
                how.detail,
            ));
        }
    }
    if !on_enter {
        for m in facts.moves() {
            let workload = cluster.workload(m.workload);
            let (from, home) = (&cluster.host(m.to).name, &cluster.host(m.from).name);
            let how = commands.migrate(workload, from, home);
            out.push(StepSpec::new(
                Action::MigrateBack,
                &workload.name,
                how.command,
                format!(
                    "{}; skip if it is there already (the platform may bring it back when {home} \
                     leaves maintenance): the next wave starts from the declared placement",
                    how.detail
                ),
            ));
        }
    }
    out.extend(commands.after(facts));
    out
}

/// Whether workload `w` is a member of a quorum group.
fn quorum_member(cluster: &Cluster, w: WorkloadId) -> bool {
    cluster
        .quorum_groups
        .iter()
        .any(|g| g.members.iter().any(|m| m.id == MemberId::Workload(w)))
}
