//! Post-checks and the rollback note: what must hold after a wave, and what to do when
//! something fails half-way.

use super::expect::Expectation;
use super::facts::{WaveFacts, receives_workloads};
use super::platform::{CheckSpec, Commands, Phase};
use super::{CheckKind, and_list};

/// The post-checks of a wave: versions, hosts back, quorum restored, storage healthy and the
/// policies an upgrade may reset still in place.
pub(super) fn checks(facts: &WaveFacts<'_>, commands: &dyn Commands) -> Vec<CheckSpec> {
    let cluster = facts.cluster;
    let mut out = Vec::new();
    for h in facts.hosts() {
        let host = cluster.host(h);
        let after = commands.version_after_upgrade(host.version.as_deref(), host.target_version.as_deref());
        out.push(CheckSpec {
            expectation: super::pre::version(&[&host.name], after),
            assert: None,
            kind: CheckKind::Version,
            subject: host.name.clone(),
            expect: match (after, &host.target_version) {
                (Some(v), Some(t)) if v != t => format!(
                    "{} still runs {v}: its wave upgrades the OS and firmware only, and {t} comes \
                     with the platform's own upgrade, in a wave of its own",
                    host.name
                ),
                (Some(v), _) => format!("{} runs {v}", host.name),
                (None, _) => format!("{} runs the new release (no target version declared)", host.name),
            },
            command: commands.versions(&[&host.name]),
        });
    }
    for h in facts.hosts() {
        let host = cluster.host(h);
        out.push(CheckSpec {
            expectation: Some(Expectation::HostsUp {
                hosts: vec![host.name.clone()],
            }),
            assert: None,
            kind: CheckKind::Rejoined,
            subject: host.name.clone(),
            expect: if receives_workloads(cluster, h) {
                format!(
                    "{} rejoined the cluster: up, healthy, out of maintenance and taking workloads",
                    host.name
                )
            } else {
                format!(
                    "{} rejoined the cluster: up, healthy and out of maintenance (no capacity: it \
                     takes no workloads)",
                    host.name
                )
            },
            command: commands.host_states(&[&host.name]),
        });
    }
    for c in facts.components() {
        let component = cluster.component(c);
        out.push(CheckSpec {
            expectation: super::pre::component_version(&component.name, component.target_version.as_deref()),
            assert: None,
            kind: CheckKind::Version,
            subject: component.name.clone(),
            expect: match &component.target_version {
                Some(v) => format!("{} is up and runs {v}", component.name),
                None => format!("{} is up and runs the new release", component.name),
            },
            command: commands.component_version(&component.name),
        });
    }
    for group in &cluster.quorum_groups {
        let state = facts.quorum(group);
        if !state.touched() {
            continue;
        }
        let hosts = members_of(facts, group, Kind::Host);
        let workloads = members_of(facts, group, Kind::Workload);
        out.push(CheckSpec {
            expectation: Some(super::pre::votes(group, &hosts, &workloads, &state)),
            assert: None,
            kind: CheckKind::Quorum,
            subject: group.name.clone(),
            expect: format!(
                "quorum restored: every member up again, {} of {} votes (quorum {}){}",
                state.up_at_rest,
                state.total,
                state.needed,
                already_down(&state.already_down)
            ),
            command: commands.members(&hosts, &workloads, &members_of(facts, group, Kind::Component)),
        });
    }
    for budget in &cluster.budgets {
        let state = facts.budget(budget);
        if !state.touched() {
            continue;
        }
        let names: Vec<&str> = budget
            .workloads
            .iter()
            .map(|&w| cluster.workload(w).name.as_str())
            .collect();
        out.push(CheckSpec {
            expectation: Some(Expectation::Budget {
                name: budget.name.clone(),
                workloads: names.iter().map(|n| n.to_string()).collect(),
                healthy: state.up_at_rest,
                disruptions: 0,
            }),
            assert: None,
            kind: CheckKind::Budget,
            subject: budget.name.clone(),
            expect: format!(
                "every member up and ready again: {} of {}{}",
                state.up_at_rest,
                state.total,
                already_down(&state.already_down)
            ),
            command: commands.budget(&budget.name, &names),
        });
    }
    if !facts.hosts().is_empty() {
        out.extend(commands.storage(facts, Phase::After));
        out.extend(commands.policies(facts));
    }
    out
}

fn already_down(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("; still down, as declared: {}", and_list(names))
    }
}

enum Kind {
    Host,
    Workload,
    Component,
}

fn members_of<'c>(facts: &WaveFacts<'c>, group: &'c crate::model::QuorumGroup, kind: Kind) -> Vec<&'c str> {
    use crate::model::MemberId;
    group
        .members
        .iter()
        .filter(|m| {
            matches!(
                (&kind, m.id),
                (Kind::Host, MemberId::Host(_))
                    | (Kind::Workload, MemberId::Workload(_))
                    | (Kind::Component, MemberId::Component(_))
            )
        })
        .map(|m| facts.cluster.member_name(m.id))
        .collect()
}

/// What to do when a check fails or a step errs during the wave.
pub(super) fn rollback(facts: &WaveFacts<'_>, commands: &dyn Commands) -> String {
    let hosts = facts.host_names();
    let mut text = format!(
        "If a pre-check fails, do not start wave {}: fix the cause or re-plan from the real \
         state. If a step or post-check fails: stop; start nothing new, neither another host \
         of this wave nor the next wave. ",
        facts.index
    );
    if hosts.is_empty() {
        let components: Vec<&crate::model::Component> = facts
            .components()
            .iter()
            .map(|&c| facts.cluster.component(c))
            .collect();
        let mut restorable = Vec::new();
        let mut own = Vec::new();
        for component in components {
            match commands.component_rollback(component) {
                Some(note) => own.push(note),
                None => restorable.push(component.name.as_str()),
            }
        }
        if !restorable.is_empty() {
            text.push_str(&format!(
                "Restore {} from the backup or snapshot taken before the upgrade, or finish the \
                 upgrade; no host is down in this wave, so no workload has to move back.",
                and_list(&restorable)
            ));
        }
        for note in own {
            if !text.ends_with(' ') {
                text.push(' ');
            }
            text.push_str(&note);
        }
        return text;
    }
    text.push_str(&commands.rollback(facts));
    if !facts.moves().is_empty() && !commands.evacuates_on_enter() {
        text.push_str(
            " Once the hosts are back, run this wave's migrate_back steps: the next wave \
             assumes every workload on its declared host.",
        );
    }
    text
}
