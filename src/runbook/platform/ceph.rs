//! Ceph, with the ceph CLI, and the Ceph checks and steps that Proxmox VE with hyper-converged
//! Ceph shares.
//!
//! Two kinds of Ceph cluster: one deployed by cephadm, whose hosts and daemons are managed
//! through `ceph orch` (maintenance, `ceph orch ps`, `ceph orch upgrade`), and one installed
//! from packages (Proxmox VE's pveceph, ceph-ansible, hand-built), where `ceph orch` fails with
//! ENOENT "No orchestrator configured" and the daemons are systemd units on each host (`systemctl
//! stop ceph-osd.target`, ceph/ceph doc/rados/operations/operating.rst). The description says
//! which: a cluster is cephadm's when it has a `[[component]]` whose name contains `cephadm`
//! (the one whose wave runs `ceph orch upgrade`); any other Ceph cluster gets only commands
//! that work without an orchestrator: the host's state is that of its OSDs in `ceph osd tree`,
//! its version the `ceph_version` of its OSDs in `ceph osd metadata`.
//!
//! Hosts are CRUSH host buckets of the same name, so `ceph osd ls-tree HOST` lists a host's
//! OSDs and `ceph osd ok-to-stop` can be asked about all of a wave's OSDs at once; a name
//! `ls-tree` does not know fails the check rather than shrinking the set asked about. `noout`
//! is set on the wave's hosts only (`ceph osd set-group noout HOST…`, a CRUSH-node flag),
//! never cluster-wide, and unset after the wave: their OSDs are not marked out while down, so
//! no backfill starts for a reboot, and the rest of the cluster still heals as usual.
//!
//! Host waves upgrade the OS and firmware only. The Ceph daemons change version with
//! `ceph orch upgrade`, which cephadm refuses while a host is in maintenance, just as it
//! refuses maintenance while an upgrade runs or is paused (ceph/ceph
//! src/pybind/mgr/cephadm/module.py `enter_host_maintenance`, upgrade.py `upgrade_start`): it
//! is a component of the description (`[[component]]` named `ceph`), in a wave of its own.
//! A host's version is therefore the Ceph version its daemons run, unchanged by its wave.
//!
//! Formats (ceph/ceph): `ceph health -f json` is `{"status": "HEALTH_OK", "checks": {…}}`
//! (src/mon/health_check.h `health_check_map_t::dump`); `ceph orch upgrade status` prints JSON
//! with `in_progress` (src/pybind/mgr/cephadm/upgrade.py `UpgradeStatusSpec`); `ceph orch ps
//! HOST --format json` lists daemons with `version` (src/python-common/ceph/deployment
//! `DaemonDescription.to_json`); `ceph mgr stat` prints `active_name`, which cephadm makes
//! `HOST.suffix` (src/mon/MgrMonitor.cc); `ceph versions` has `overall` keyed by
//! `ceph version X (sha) name (stable)`.

use super::assert::{Test, compare, each, strs, succeeds};
use super::{CheckSpec, Commands, Instruction, Phase, StepSpec, sh_each};
use crate::model::{Cluster, Component};
use crate::runbook::expect::Expectation;
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::{sh, sh_words};
use crate::runbook::{Action, CheckKind, and_list};

/// A Ceph cluster, managed by cephadm or not.
pub struct Ceph {
    cephadm: bool,
}

impl Ceph {
    /// The commands for `cluster`: cephadm's when a component's name says `cephadm`.
    pub fn new(cluster: &Cluster) -> Self {
        Ceph {
            cephadm: cluster
                .components
                .iter()
                .any(|c| c.name.to_lowercase().contains("cephadm")),
        }
    }
}

/// `ceph osd set-group noout` on the wave's hosts.
pub(super) fn set_noout(facts: &WaveFacts<'_>) -> StepSpec {
    StepSpec::new(
        Action::SetNoout,
        &facts.cluster.name,
        Some(format!(
            "ceph osd set-group noout {}",
            sh_words(facts.host_names())
        )),
        "keep the OSDs of this wave's hosts, and only those, from being marked out while they \
         are down, so no backfill starts",
    )
}

/// `ceph osd unset-group noout` after the wave.
pub(super) fn unset_noout(facts: &WaveFacts<'_>) -> StepSpec {
    StepSpec::new(
        Action::UnsetNoout,
        &facts.cluster.name,
        Some(format!(
            "ceph osd unset-group noout {}",
            sh_words(facts.host_names())
        )),
        "once every OSD of this wave is up and in again",
    )
}

/// The OSD ids of `hosts`, failing when one of them is not a CRUSH bucket.
fn osds_of(hosts: &[&str]) -> String {
    format!(
        "ids=$(for n in {}; do ceph osd ls-tree \"$n\" || exit 1; done)",
        sh_words(hosts.iter().copied())
    )
}

/// `ceph osd ok-to-stop` over `$ids`, unless the wave's hosts hold no OSD at all: without ids
/// ceph refuses the command (EINVAL), and there is then nothing to stop.
const OK_TO_STOP: &str = "{ [ -z \"$ids\" ] || ceph osd ok-to-stop $ids; }";

/// `ceph health` is HEALTH_OK.
fn health_ok() -> String {
    compare(
        "'ceph health'",
        "ceph health -f json | jq -r .status",
        Test::Equals("HEALTH_OK"),
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
                expectation: None,
                assert: Some(health_ok()),
            },
            CheckSpec {
                kind: CheckKind::Storage,
                subject: "ceph osd ok-to-stop".into(),
                expect: format!(
                    "every one of {} is a CRUSH host, and ceph answers that their OSDs can stop \
                     together and every PG stays available",
                    and_list(&hosts)
                ),
                command: Some(format!("{} && {OK_TO_STOP}", osds_of(&hosts))),
                expectation: None,
                // ok-to-stop exits EBUSY when a PG would become inactive (ceph/ceph
                // src/mon/OSDMonitor.cc, "osd ok-to-stop").
                assert: Some(succeeds(
                    "'OSDs of this wave ok to stop'",
                    &format!("{{ {} && {OK_TO_STOP}; }}", osds_of(&hosts)),
                    "ok-to-stop",
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
            expectation: None,
            assert: Some(health_ok()),
        }],
    }
}

/// The Ceph policies an upgrade must not change.
pub(super) fn policies() -> CheckSpec {
    CheckSpec {
        kind: CheckKind::Policy,
        subject: "ceph pools and CRUSH".into(),
        expect: "pool size, min_size and CRUSH rules as before; no OSD flag left set".into(),
        command: Some("ceph osd pool ls detail && ceph osd crush rule ls && ceph osd dump".into()),
        expectation: None,
        assert: Some(compare(
            "'OSD flags'",
            "ceph osd dump -f json | jq -r '[.flags_set[]? | select(. == \"noout\" or . == \
             \"noin\" or . == \"nodown\" or . == \"noup\" or . == \"norebalance\" or . == \
             \"nobackfill\" or . == \"norecover\")] + [.crush_node_flags // {} | to_entries[] \
             | select(.value | length > 0) | .key] | if length == 0 then \"none\" else join(\" \") \
             end'",
            Test::Equals("none"),
        )),
    }
}

/// The daemon types that run the Ceph image, and so the Ceph version, as a jq array; the
/// monitoring stack cephadm also deploys (node-exporter, prometheus, grafana, alertmanager)
/// has versions of its own (ceph/ceph src/python-common/ceph/deployment/service_spec.py).
const CEPH_DAEMONS: &str = "[\"mon\", \"mgr\", \"osd\", \"mds\", \"rgw\", \"crash\", \"rbd-mirror\", \
                            \"cephfs-mirror\", \"nfs\", \"iscsi\", \"nvmeof\"]";

/// The status of host `h` (a shell word) as cephadm keeps it: `online` (an empty status),
/// `maintenance` or `offline`; empty when cephadm does not know the host.
fn host_status(h: &str) -> String {
    format!(
        "ceph orch host ls --format json | jq -r --arg h {h} '.[] | select(.hostname == $h) | if \
         .status == \"\" then \"online\" else .status end'"
    )
}

/// Without cephadm, the state of CRUSH host `h` (a shell word) from its OSDs in `ceph osd tree -f
/// json` (`nodes` with `type`, `name`, `children`; an OSD's `status` is `up` or `down` and its
/// `reweight` 0 when it is out, src/osd/OSDMap.cc `print_tree`): `online` when every OSD is up
/// and in, `down` otherwise, `unknown` when `h` is not a CRUSH host.
fn tree_status(h: &str) -> String {
    format!(
        "ceph osd tree -f json | jq -r --arg h {h} '(first(.nodes[] | select(.type == \"host\" and \
         .name == $h) | .children) // null) as $c | if $c == null then \"unknown\" elif [.nodes[] | \
         select(.id as $i | $c | index($i)) | select(.status != \"up\" or .reweight == 0)] | length \
         == 0 then \"online\" else \"down\" end'"
    )
}

/// Without cephadm, the Ceph versions the OSDs of CRUSH host `h` (a shell word) run, from the
/// `ceph_version` (`ceph version X (sha) name (stable)`) of `ceph osd metadata` (src/common/
/// util.cc `collect_sys_info`), for the OSD ids `ceph osd ls-tree -f json` gives (`[0,1]`).
fn osd_versions(h: &str) -> String {
    format!(
        "ids=$(ceph osd ls-tree -f json {h}) && ceph osd metadata -f json | jq -r --argjson ids \
         \"$ids\" '[.[] | select(.id as $i | $ids | index($i)) | ((.ceph_version // \"\") | capture(\"ceph \
         version (?<v>[^ ]+)\").v) // \"unknown\"] | unique | join(\",\")'"
    )
}

/// The pre-check that no cephadm upgrade is running or paused.
fn no_upgrade() -> CheckSpec {
    CheckSpec {
        kind: CheckKind::Storage,
        subject: "ceph orch upgrade".into(),
        expect: "no `ceph orch upgrade` running or paused: cephadm refuses maintenance during one".into(),
        command: Some("ceph orch upgrade status".into()),
        expectation: None,
        assert: Some(compare(
            "'ceph orch upgrade in progress'",
            "ceph orch upgrade status | jq -r .in_progress",
            Test::Equals("false"),
        )),
    }
}

/// `command` run on `host` as root, over ssh.
fn on_host(host: &str, command: &str) -> String {
    format!("ssh {} {command}", sh(&format!("root@{host}")))
}

impl Ceph {
    /// The command that starts the Ceph daemons of `host` again.
    fn start_again(&self, host: &str) -> String {
        if self.cephadm {
            format!("ceph orch host maintenance exit {}", sh(host))
        } else {
            on_host(host, "systemctl start ceph-osd.target")
        }
    }
}

impl Commands for Ceph {
    fn assert(&self, expectation: &Expectation) -> Option<String> {
        Some(match expectation {
            Expectation::Version { hosts, version } if !self.cephadm => each(&strs(hosts), |h| {
                compare(h, &osd_versions(h), Test::Equals(version))
            }),
            Expectation::HostsUp { hosts } if !self.cephadm => each(&strs(hosts), |h| {
                compare(h, &tree_status(h), Test::Equals("online"))
            }),
            Expectation::Unavailable { host } if !self.cephadm => {
                let h = sh(host);
                compare(&h, &tree_status(&h), Test::Not("online"))
            }
            Expectation::ClusterUp { except } if !self.cephadm => compare(
                "'CRUSH hosts with an OSD down or out'",
                &format!(
                    "ceph osd tree -f json | jq -r '[.nodes | INDEX(.id | tostring) as $by | .[] | \
                     select(.type == \"host\") | select(any(.children[]?; $by[tostring] | .status != \
                     \"up\" or .reweight == 0)) | .name] - $ARGS.positional | if length == 0 then \
                     \"none\" else join(\" \") end' --args {}",
                    sh_words(strs(except))
                ),
                Test::Equals("none"),
            ),
            Expectation::Version { hosts, version } => each(&strs(hosts), |h| {
                compare(
                    h,
                    &format!(
                        "ceph orch ps {h} --format json | jq -r '[.[] | select(.daemon_type as $t | \
                         {CEPH_DAEMONS} | index($t)) | .version // \"unknown\"] | unique | join(\",\")'"
                    ),
                    Test::Equals(version),
                )
            }),
            Expectation::HostsUp { hosts } => each(&strs(hosts), |h| {
                compare(h, &host_status(h), Test::Equals("online"))
            }),
            Expectation::Unavailable { host } => {
                let h = sh(host);
                compare(&h, &host_status(&h), Test::Not("online"))
            }
            Expectation::ClusterUp { except } => compare(
                "'hosts offline or in maintenance'",
                &format!(
                    "ceph orch host ls --format json | jq -r '[.[] | select(.status != \"\") | .hostname] \
                     - $ARGS.positional | if length == 0 then \"none\" else join(\" \") end' --args {}",
                    sh_words(strs(except))
                ),
                Test::Equals("none"),
            ),
            // `ceph osd df tree` shows OSD utilisation, not what the check is about: no ceph
            // command tells the CPU and memory a host's daemons reserve, so the capacity check
            // of a Ceph cluster stays in words and has no command.
            Expectation::Capacity { .. } => return None,
            Expectation::All(parts) => super::assert::all(parts.iter().filter_map(|p| self.assert(p)))?,
            Expectation::ComponentVersion { version, .. } => compare(
                "'ceph daemons'",
                "ceph versions | jq -r '[.overall | keys[] | capture(\"ceph version (?<v>[^ ]+)\").v] \
                 | unique | join(\",\")'",
                Test::Equals(version),
            ),
            Expectation::Votes { needed, .. } => compare(
                "'monitors in quorum'",
                "ceph quorum_status | jq '.quorum_names | length'",
                Test::AtLeast(*needed),
            ),
            _ => return None,
        })
    }

    fn version_after_upgrade<'h>(
        &self,
        current: Option<&'h str>,
        _target: Option<&'h str>,
    ) -> Option<&'h str> {
        current
    }

    fn cluster_state(&self) -> Option<String> {
        Some(if self.cephadm {
            "ceph orch host ls && ceph osd tree".into()
        } else {
            "ceph osd tree && ceph -s".into()
        })
    }

    fn versions(&self, hosts: &[&str]) -> Option<String> {
        Some(if self.cephadm {
            sh_each(hosts, |h| format!("ceph orch ps {h}"))
        } else {
            "ceph versions && ceph osd metadata".into()
        })
    }

    fn members(&self, hosts: &[&str], workloads: &[&str], _components: &[&str]) -> Option<String> {
        let _ = (hosts, workloads);
        Some("ceph -s && ceph mon stat".into())
    }

    fn budget(&self, _name: &str, _workloads: &[&str]) -> Option<String> {
        None
    }

    fn storage(&self, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        let mut out = health(facts, phase);
        if phase == Phase::Before && self.cephadm {
            out.push(no_upgrade());
        }
        out
    }

    fn policies(&self, _facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        vec![policies()]
    }

    fn before(&self, facts: &WaveFacts<'_>) -> Vec<StepSpec> {
        vec![set_noout(facts)]
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        // cephadm names a manager `HOST.suffix`; a package-installed one is usually named after
        // its host (`ceph-mgr@HOST`). `ceph mgr stat` runs on its own, so that its failure
        // stops the step rather than vanishing in a pipe.
        let fail_mgr = format!(
            "s=$(ceph mgr stat) && a=$(printf '%s\\n' \"$s\" | jq -r .active_name) && case \"$a\" in {0}|{0}.*) ceph mgr fail \
             \"$a\";; esac",
            sh(host)
        );
        Some(if self.cephadm {
            StepSpec::new(
                Action::EnterMaintenance,
                host,
                Some(format!(
                    "{fail_mgr} && ceph orch host maintenance enter {}",
                    sh(host)
                )),
                format!(
                    "stop every Ceph daemon of {host} through cephadm, after failing the active \
                     manager over to a standby when {host} runs it (cephadm will not stop the \
                     active manager)"
                ),
            )
        } else {
            StepSpec::new(
                Action::EnterMaintenance,
                host,
                Some(format!(
                    "{fail_mgr} && {}",
                    on_host(host, "systemctl stop ceph-osd.target")
                )),
                format!(
                    "stop the OSDs of {host} (their systemd target; noout keeps them in), after \
                     failing the active manager over to a standby when {host} runs it"
                ),
            )
        })
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        let _ = target;
        Instruction::prose(format!(
            "upgrade the OS packages and firmware of {host}; its Ceph daemons keep their version \
             (`ceph orch upgrade` is its own wave, never during one with hosts in maintenance)"
        ))
    }

    fn upgrade_component(&self, component: &Component) -> Instruction {
        if !self.cephadm {
            return Instruction::prose(format!(
                "upgrade {} from packages, host by host, in Ceph's order: monitors, then \
                 managers, then OSDs, then the rest, restarting each daemon type's systemd \
                 target; wait for HEALTH_OK between hosts and until `ceph versions` shows only {}",
                component.name,
                component.target_version.as_deref().unwrap_or("the new release")
            ));
        }
        match &component.target_version {
            Some(v) => Instruction::run(
                format!("ceph orch upgrade start --ceph-version {}", sh(v)),
                format!(
                    "upgrade every Ceph daemon to {v}; no host may be in maintenance; wait until \
                     `ceph orch upgrade status` shows in_progress false and `ceph versions` only {v}"
                ),
            ),
            None => Instruction::prose(format!(
                "upgrade {} with `ceph orch upgrade start --image IMAGE`; no host may be in \
                 maintenance",
                component.name
            )),
        }
    }

    fn component_version(&self, _name: &str) -> Option<String> {
        Some("ceph versions".into())
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::prose(format!("reboot {host} and wait until it answers again"))
    }

    fn exit(&self, host: &str, _receives: bool) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(self.start_again(host)),
            format!("start the Ceph daemons of {host} again; wait until its OSDs are up and in"),
        )
    }

    fn after(&self, facts: &WaveFacts<'_>) -> Vec<StepSpec> {
        vec![unset_noout(facts)]
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let hosts = facts.host_names();
        format!(
            "Keep the hosts' noout set while an OSD of this wave is down. Bring every host back \
             ({}) and unset noout ({}) only when its OSDs are up and in. Never take another \
             failure domain down while a PG is degraded or undersized.",
            hosts
                .iter()
                .map(|h| self.start_again(h))
                .collect::<Vec<_>>()
                .join(" && "),
            unset_noout(facts).command.expect("a command")
        )
    }
}
