//! The runbook of every example: one wave of each pinned by a snapshot, and properties of every
//! wave checked against numbers computed here, independently of `quorate::runbook`: each quorum
//! group and budget the wave touches has its check with the votes that stay up, the capacity
//! check states what moves plus the reserve, and the steps come in a safe order.
//!
//! The quoting of names into commands is tested in [`quoting`].

use std::collections::HashSet;
use std::path::PathBuf;

use quorate::Cluster;
use quorate::document::{PlanDocument, WaveDocument};
use quorate::model::resources::show;
use quorate::model::{BudgetLimit, HostId, ItemId, MemberId, Migration, Resource};
use quorate::plan::{Plan, Wave};
use quorate::runbook::{Action, CheckKind, build};
use quorate::solve::{Backend, NoClock, SolveOptions, solve};

use crate::support;

pub(crate) mod asserts;
mod chains;
mod operator;
mod quoting;

fn examples() -> Vec<(String, Cluster, Plan)> {
    let dir = support::root().join("examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_stem().expect("a name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("readable");
            let (cluster, plan) = planned(&name, &text);
            (name, cluster, plan)
        })
        .collect()
}

/// The cluster of description `text` and its plan, with the solve time fixed at zero.
pub(crate) fn planned(name: &str, text: &str) -> (Cluster, Plan) {
    let cluster = support::load_ok(name, text).cluster;
    let options = SolveOptions {
        backend: Backend::default_backend().expect("a backend"),
        time_limit: 5.0,
        clock: &NoClock,
    };
    let mut plan = solve(&cluster, &options).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    plan.quality.solve_seconds = 0.0;
    (cluster, plan)
}

/// The wave a snapshot shows: the first that moves workloads, else the first with hosts.
fn shown_wave(plan: &Plan) -> usize {
    plan.waves
        .iter()
        .position(|w| !w.moves.is_empty())
        .or_else(|| plan.waves.iter().position(|w| w.hosts().next().is_some()))
        .unwrap_or(0)
}

#[test]
fn one_wave_of_each_example_matches_its_snapshot() {
    for (name, cluster, plan) in examples() {
        let doc = PlanDocument::new(&cluster, &plan);
        let wave: &WaveDocument = &doc.waves[shown_wave(&plan)];
        let json = serde_json::to_string_pretty(wave).expect("serialises");
        insta::assert_snapshot!(format!("runbook_{name}"), json);
    }
}

#[test]
fn every_document_wave_carries_its_runbook() {
    for (name, cluster, plan) in examples() {
        let doc = PlanDocument::new(&cluster, &plan);
        for wave in &doc.waves {
            assert!(!wave.pre_checks.is_empty(), "{name} wave {}", wave.index);
            assert!(!wave.steps.is_empty(), "{name} wave {}", wave.index);
            assert!(!wave.post_checks.is_empty(), "{name} wave {}", wave.index);
            assert!(wave.rollback.is_some(), "{name} wave {}", wave.index);
        }
        let plain = PlanDocument::without_runbook(&cluster, &plan);
        assert!(
            plain
                .waves
                .iter()
                .all(|w| w.steps.is_empty() && w.rollback.is_none())
        );
    }
}

/// Whether a member goes down or moves in a wave of `hosts` and `items`, by the contract's
/// rules, written out again here.
fn touched(cluster: &Cluster, wave: &Wave, member: MemberId) -> bool {
    let hosts: HashSet<HostId> = wave.hosts().collect();
    match member {
        MemberId::Host(h) => hosts.contains(&h),
        MemberId::Component(c) => wave.items.contains(&ItemId::Component(c)),
        MemberId::Workload(w) => hosts.contains(&cluster.workload(w).host),
    }
}

fn down(cluster: &Cluster, wave: &Wave, member: MemberId) -> bool {
    let host_down = |h: HostId| !cluster.host(h).is_ready() || wave.hosts().any(|x| x == h);
    match member {
        MemberId::Host(h) => host_down(h),
        MemberId::Component(c) => wave.items.contains(&ItemId::Component(c)),
        MemberId::Workload(w) => {
            let workload = cluster.workload(w);
            !cluster.host(workload.host).is_ready()
                || (host_down(workload.host) && workload.migration != Migration::Live)
        }
    }
}

#[test]
fn every_wave_checks_each_group_and_budget_it_touches_with_the_votes_that_stay_up() {
    for (name, cluster, plan) in examples() {
        let book = build(&cluster, &plan);
        for (wave, runbook) in plan.waves.iter().zip(&book.waves) {
            for group in &cluster.quorum_groups {
                if !group.members.iter().any(|m| touched(&cluster, wave, m.id)) {
                    continue;
                }
                let up: u64 = group
                    .members
                    .iter()
                    .filter(|m| !down(&cluster, wave, m.id))
                    .map(|m| m.votes)
                    .sum();
                let check = runbook
                    .pre_checks
                    .iter()
                    .find(|c| c.kind == CheckKind::Quorum && c.subject == group.name)
                    .unwrap_or_else(|| {
                        panic!("{name} wave {}: no quorum check of {}", runbook.index, group.name)
                    });
                let expected = format!(
                    "{up} of {} votes stay up during this wave (quorum {}",
                    group.total_votes(),
                    group.quorum
                );
                assert!(check.expect.starts_with(&expected), "{name}: {}", check.expect);
                assert!(up >= group.quorum, "{name}: the plan keeps quorum");
                assert!(
                    runbook
                        .post_checks
                        .iter()
                        .any(|c| c.kind == CheckKind::Quorum && c.subject == group.name),
                    "{name} wave {}: quorum of {} not re-checked",
                    runbook.index,
                    group.name
                );
            }
            for budget in &cluster.budgets {
                let members: Vec<MemberId> =
                    budget.workloads.iter().map(|&w| MemberId::Workload(w)).collect();
                if !members.iter().any(|&m| touched(&cluster, wave, m)) {
                    continue;
                }
                let up = members.iter().filter(|&&m| !down(&cluster, wave, m)).count();
                let n = budget.workloads.len();
                let at_least = match budget.limit {
                    BudgetLimit::MaxUnavailable(k) => n.saturating_sub(k as usize),
                    BudgetLimit::MinAvailable(k) => k as usize,
                };
                let check = runbook
                    .pre_checks
                    .iter()
                    .find(|c| c.kind == CheckKind::Budget && c.subject == budget.name)
                    .unwrap_or_else(|| {
                        panic!(
                            "{name} wave {}: no budget check of {}",
                            runbook.index, budget.name
                        )
                    });
                assert!(
                    check
                        .expect
                        .starts_with(&format!("{up} of {n} members stay up during this wave (")),
                    "{name}: {}",
                    check.expect
                );
                assert!(
                    check.expect.contains(&format!("at least {at_least} up")),
                    "{}",
                    check.expect
                );
            }
        }
    }
}

#[test]
fn every_wave_that_moves_or_keeps_a_reserve_checks_capacity_with_both_numbers() {
    for (name, cluster, plan) in examples() {
        let book = build(&cluster, &plan);
        let reserve = cluster.reserve();
        for (wave, runbook) in plan.waves.iter().zip(&book.waves) {
            let hosts: HashSet<HostId> = wave.hosts().collect();
            let up: Vec<HostId> = cluster.ready_hosts().filter(|h| !hosts.contains(h)).collect();
            for r in [Resource::Cpu, Resource::Memory] {
                let moving: u64 = cluster
                    .workloads
                    .iter()
                    .filter(|w| hosts.contains(&w.host) && w.migration != Migration::None)
                    .map(|w| w.demand[r])
                    .sum();
                let free: u64 = up
                    .iter()
                    .map(|&h| cluster.host(h).usable[r].saturating_sub(cluster.host(h).load[r]))
                    .sum();
                let capacity = runbook
                    .pre_checks
                    .iter()
                    .find(|c| c.kind == CheckKind::Capacity && c.subject == r.to_string());
                if moving + reserve[r] == 0 {
                    assert!(capacity.is_none(), "{name} wave {}", runbook.index);
                    continue;
                }
                let capacity = capacity
                    .unwrap_or_else(|| panic!("{name} wave {}: no {r} capacity check", runbook.index));
                let expected = format!(
                    "at least {} of {r} free on the {} hosts that stay up: {} to evacuate + {} HA reserve; declared free: {}",
                    show(moving + reserve[r], r),
                    // A host with no capacity (a witness, a tainted control-plane node) is not
                    // counted among the hosts that can take the evacuation.
                    up.iter()
                        .filter(|&&h| {
                            let c = &cluster.host(h).capacity;
                            c[Resource::Cpu] > 0 || c[Resource::Memory] > 0
                        })
                        .count(),
                    show(moving, r),
                    show(reserve[r], r),
                    show(free, r)
                );
                assert!(
                    capacity.expect.starts_with(&expected),
                    "{name}:\n{}\n{expected}",
                    capacity.expect
                );
                assert!(free >= moving + reserve[r], "{name}: the plan fits");
            }
        }
    }
}

fn position(
    steps: &[quorate::runbook::Step],
    pred: impl Fn(&quorate::runbook::Step) -> bool,
) -> Option<usize> {
    steps.iter().position(pred)
}

#[test]
fn every_wave_moves_first_then_takes_each_host_down_upgrades_reboots_and_brings_it_back() {
    for (name, cluster, plan) in examples() {
        let book = build(&cluster, &plan);
        for (wave, runbook) in plan.waves.iter().zip(&book.waves) {
            let steps = &runbook.steps;
            let at = format!("{name} wave {}", runbook.index);
            for (k, s) in steps.iter().enumerate() {
                assert_eq!(s.id, format!("W{}.S{}", runbook.index, k + 1), "{at}");
            }
            for &item in &wave.items {
                let target = cluster.item_name(item);
                let upgrade = position(steps, |s| s.action == Action::Upgrade && s.target == target)
                    .unwrap_or_else(|| panic!("{at}: {target} is not upgraded"));
                if let ItemId::Host(_) = item {
                    let enter = position(steps, |s| {
                        matches!(s.action, Action::EnterMaintenance | Action::Drain) && s.target == target
                    })
                    .unwrap_or_else(|| panic!("{at}: {target} never goes into maintenance"));
                    let reboot = position(steps, |s| s.action == Action::Reboot && s.target == target)
                        .unwrap_or_else(|| panic!("{at}: {target} is not rebooted"));
                    let exit = position(steps, |s| {
                        matches!(s.action, Action::ExitMaintenance | Action::Uncordon) && s.target == target
                    })
                    .unwrap_or_else(|| panic!("{at}: {target} never comes back"));
                    assert!(
                        enter < upgrade && upgrade < reboot && reboot < exit,
                        "{at}: {target}"
                    );
                    if let Some(cordon) = position(steps, |s| {
                        matches!(s.action, Action::Cordon | Action::DisableScheduling) && s.target == target
                    }) {
                        assert!(cordon < enter, "{at}: {target}");
                    }
                }
            }
            let hosts: HashSet<&str> = wave.hosts().map(|h| cluster.host(h).name.as_str()).collect();
            let first_upgrade = position(steps, |s| {
                s.action == Action::Upgrade && hosts.contains(s.target.as_str())
            })
            .unwrap_or(steps.len());
            let moved: Vec<&str> = steps
                .iter()
                .enumerate()
                .filter(|(_, s)| s.action == Action::Migrate)
                .map(|(k, s)| {
                    assert!(k < first_upgrade, "{at}: {} moves after an upgrade", s.target);
                    s.target.as_str()
                })
                .collect();
            let planned: Vec<&str> = wave
                .moves
                .iter()
                .map(|m| cluster.workload(m.workload).name.as_str())
                .collect();
            assert_eq!(moved, planned, "{at}: one migrate step per planned move");
            let last_exit = steps
                .iter()
                .rposition(|s| matches!(s.action, Action::ExitMaintenance | Action::Uncordon));
            for (k, s) in steps
                .iter()
                .enumerate()
                .filter(|(_, s)| s.action == Action::MigrateBack)
            {
                assert!(
                    Some(k) > last_exit,
                    "{at}: {} moves back before its host is back",
                    s.target
                );
            }
            if let Some(set) = position(steps, |s| s.action == Action::SetNoout) {
                let unset = position(steps, |s| s.action == Action::UnsetNoout).expect("noout unset");
                assert!(
                    steps[..set].iter().all(|s| s.action != Action::EnterMaintenance),
                    "{at}"
                );
                assert_eq!(unset, steps.len() - 1, "{at}");
            }
        }
    }
}
