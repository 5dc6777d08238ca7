//! Pre-checks of the quorum groups and disruption budgets a wave touches: each keeps the votes
//! the plan counted on, with its members healthy before anything goes down.

use super::*;

/// Members healthy now (every group in wave 1, the touched ones later), then what each
/// touched group and budget keeps during the wave.
pub(super) fn groups(facts: &WaveFacts<'_>, commands: &dyn Commands, out: &mut Vec<CheckSpec>) {
    let cluster = facts.cluster;
    let mut during = Vec::new();
    for group in &cluster.quorum_groups {
        let state = facts.quorum(group);
        if !(state.touched() || facts.index == 1) {
            continue;
        }
        let (mut hosts, mut workloads, mut components) = (Vec::new(), Vec::new(), Vec::new());
        for m in &group.members {
            let name = cluster.member_name(m.id);
            match m.id {
                MemberId::Host(_) => hosts.push(name),
                MemberId::Workload(_) => workloads.push(name),
                MemberId::Component(_) => components.push(name),
            }
        }
        let command = commands.members(&hosts, &workloads, &components);
        let votes = votes(group, &hosts, &workloads, &state);
        out.push(CheckSpec {
            expectation: Some(votes.clone()),
            assert: None,
            kind: CheckKind::Members,
            subject: group.name.clone(),
            expect: members_healthy(&state, "votes", group.members.len()),
            command: command.clone(),
        });
        if state.touched() {
            during.push(CheckSpec {
                expectation: Some(votes),
                assert: None,
                kind: CheckKind::Quorum,
                subject: group.name.clone(),
                expect: format!(
                    "{} of {} votes stay up during this wave (quorum {}{}): {}",
                    state.up,
                    state.total,
                    state.needed,
                    if group.default_quorum {
                        ", a strict majority"
                    } else {
                        ""
                    },
                    going(&state)
                ),
                command,
            });
        }
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
        let limit = match budget.limit {
            crate::model::BudgetLimit::MaxUnavailable(n) => format!("max_unavailable {n}"),
            crate::model::BudgetLimit::MinAvailable(n) => format!("min_available {n}"),
        };
        during.push(CheckSpec {
            expectation: Some(Expectation::Budget {
                name: budget.name.clone(),
                workloads: names.iter().map(|n| n.to_string()).collect(),
                healthy: state.up_at_rest,
                // A drain evicts one pod at a time and waits for its replacement, so one
                // disruption allowed now is what lets the wave start.
                disruptions: u64::from(!(state.going_down.is_empty() && state.moving.is_empty())),
            }),
            assert: None,
            kind: CheckKind::Budget,
            subject: budget.name.clone(),
            expect: format!(
                "{} of {} members stay up during this wave ({limit}: at least {} up); every \
                 member outside this wave healthy now; {}",
                state.up,
                state.total,
                state.needed,
                going(&state)
            ),
            command: commands.budget(&budget.name, &names),
        });
    }
    out.extend(during);
}
/// The votes of `group` that must be up now: those of every member but the ones declared
/// down (a member's `votes`, so a corosync node with two votes counts two).
pub(in crate::runbook) fn votes(
    group: &crate::model::QuorumGroup,
    hosts: &[&str],
    workloads: &[&str],
    state: &GroupState,
) -> Expectation {
    Expectation::Votes {
        group: group.name.clone(),
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        workloads: workloads.iter().map(|w| w.to_string()).collect(),
        needed: state.up_at_rest,
    }
}

fn members_healthy(state: &GroupState, unit: &str, members: usize) -> String {
    let mut text = format!(
        "every member up and healthy now: {} of {} {unit} ({members} members)",
        state.up_at_rest, state.total
    );
    if !state.already_down.is_empty() {
        text.push_str(&format!(
            "; already down, as declared: {}",
            and_list(&state.already_down)
        ));
    }
    text
}

fn going(state: &GroupState) -> String {
    let mut parts = Vec::new();
    if !state.going_down.is_empty() {
        parts.push(format!("goes down: {}", and_list(&state.going_down)));
    }
    if !state.moving.is_empty() {
        parts.push(format!("live-migrates and stays up: {}", and_list(&state.moving)));
    }
    if !state.already_down.is_empty() {
        parts.push(format!("already down: {}", and_list(&state.already_down)));
    }
    if parts.is_empty() {
        "nothing goes down".into()
    } else {
        parts.join("; ")
    }
}
