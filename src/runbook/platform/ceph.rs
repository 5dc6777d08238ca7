//! Ceph, with the ceph CLI (cephadm's orchestrator for hosts), and the Ceph checks and steps
//! that Proxmox VE with hyper-converged Ceph shares.
//!
//! Hosts are CRUSH host buckets of the same name, so `ceph osd ls-tree HOST` lists a host's
//! OSDs and `ceph osd ok-to-stop` can be asked about all of a wave's OSDs at once. `noout` is
//! set for the wave and unset after it: OSDs that go down with their host are not marked out,
//! so no backfill starts for a reboot, and a plan stopped half-way does not leave the flag on
//! for days.

use super::{CheckSpec, Commands, Phase, StepSpec, sh_each, target_words};
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::sh;
use crate::runbook::{Action, CheckKind, and_list};

/// A Ceph cluster managed by cephadm.
pub struct Ceph;

/// `ceph osd set noout` for the wave.
pub(super) fn set_noout(facts: &WaveFacts<'_>) -> StepSpec {
    StepSpec::new(
        Action::SetNoout,
        &facts.cluster.name,
        Some("ceph osd set noout".into()),
        "keep the OSDs of this wave's hosts from being marked out while they are down, so no \
         backfill starts",
    )
}

/// `ceph osd unset noout` after the wave.
pub(super) fn unset_noout(facts: &WaveFacts<'_>) -> StepSpec {
    StepSpec::new(
        Action::UnsetNoout,
        &facts.cluster.name,
        Some("ceph osd unset noout".into()),
        "once every OSD of this wave is up and in again",
    )
}

/// Ceph health, and before the wave whether its OSDs may stop.
pub(super) fn health(facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
    let hosts = facts.host_names();
    match phase {
        Phase::Before => vec![
            CheckSpec {
                kind: CheckKind::Storage,
                subject: "ceph health".into(),
                expect: "HEALTH_OK: every PG active+clean, no flag set, no recovery or backfill running"
                    .into(),
                command: Some("ceph health detail".into()),
            },
            CheckSpec {
                kind: CheckKind::Storage,
                subject: "ceph osd ok-to-stop".into(),
                expect: format!(
                    "ceph answers that the OSDs of {} can stop together and every PG stays \
                     available",
                    and_list(&hosts)
                ),
                command: Some(format!(
                    "ceph osd ok-to-stop $({})",
                    sh_each(&hosts, |h| format!("ceph osd ls-tree {h}"))
                )),
            },
        ],
        Phase::After => vec![CheckSpec {
            kind: CheckKind::Storage,
            subject: "ceph health".into(),
            expect: format!(
                "HEALTH_OK again: noout unset, the OSDs of {} up and in, every PG active+clean",
                and_list(&hosts)
            ),
            command: Some("ceph -s".into()),
        }],
    }
}

/// The Ceph policies an upgrade must not change.
pub(super) fn policies() -> CheckSpec {
    CheckSpec {
        kind: CheckKind::Policy,
        subject: "ceph pools and CRUSH".into(),
        expect: "pool size, min_size and CRUSH rules as before; no OSD flag left set".into(),
        command: Some("ceph osd pool ls detail; ceph osd crush rule ls; ceph osd dump".into()),
    }
}

impl Commands for Ceph {
    fn cluster_state(&self) -> Option<String> {
        Some("ceph orch host ls; ceph osd tree".into())
    }

    fn versions(&self, hosts: &[&str]) -> Option<String> {
        Some(sh_each(hosts, |h| format!("ceph orch ps {h}")))
    }

    fn members(&self, hosts: &[&str], workloads: &[&str], _components: &[&str]) -> Option<String> {
        let _ = (hosts, workloads);
        Some("ceph -s; ceph mon stat".into())
    }

    fn capacity(&self, _up_hosts: &[&str]) -> Option<String> {
        Some("ceph osd df tree".into())
    }

    fn storage(&self, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        health(facts, phase)
    }

    fn policies(&self, _facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        vec![policies()]
    }

    fn before(&self, facts: &WaveFacts<'_>) -> Vec<StepSpec> {
        vec![set_noout(facts)]
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(StepSpec::new(
            Action::EnterMaintenance,
            host,
            Some(format!("ceph orch host maintenance enter {}", sh(host))),
            format!("stop every Ceph daemon of {host} through cephadm"),
        ))
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> super::Instruction {
        super::Instruction::prose(format!(
            "upgrade {host} to {} (its OS packages; the Ceph daemons follow `ceph orch upgrade`, \
             started once for the whole cluster)",
            target_words(target)
        ))
    }

    fn reboot(&self, host: &str) -> super::Instruction {
        super::Instruction::prose(format!("reboot {host} and wait until it answers again"))
    }

    fn exit(&self, host: &str) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(format!("ceph orch host maintenance exit {}", sh(host))),
            format!("start the Ceph daemons of {host} again; wait until its OSDs are up and in"),
        )
    }

    fn after(&self, facts: &WaveFacts<'_>) -> Vec<StepSpec> {
        vec![unset_noout(facts)]
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let hosts = facts.host_names();
        format!(
            "Keep noout set while an OSD of this wave is down. Bring every host back ({}) and \
             unset noout only when its OSDs are up and in. Never take another failure domain \
             down while a PG is degraded or undersized.",
            sh_each(&hosts, |h| format!("ceph orch host maintenance exit {h}"))
        )
    }
}
