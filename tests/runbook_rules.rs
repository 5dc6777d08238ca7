//! Property: the runbook's checks state exactly what the validator checks, with the same
//! numbers.
//!
//! The runbook takes its numbers from `quorate::rules` (the one home of each rule's
//! arithmetic); the validator derives every rule again on its own. On generated clusters (up to
//! 20 hosts, storage tracked on some hosts and not on others, every kind of table) and on plans
//! that are often unsafe (hosts grouped into waves blindly, moves from the exact placement
//! search), each wave's pre-check condition must hold exactly when the validator finds no
//! violation of that rule in that wave:
//!
//! - quorum groups and disruption budgets: votes (members) up against those needed;
//! - `max_fault_domains_down` and `max_sites_down`: domains down against the limit;
//! - capacity and reserve: free room on the hosts that stay up against what moves onto hosts
//!   that track the resource, plus the reserve. Where the reserve is positive, the load of a
//!   host that receives nothing is then raised to the exact margin, and one unit past it: the
//!   check and the validator must flip together, so they count the same numbers.

use proptest::prelude::*;
use quorate::model::{Cluster, HostId, ItemId, Resource};
use quorate::placement::{Placement, place};
use quorate::plan::{Plan, Quality, Wave};
use quorate::runbook::facts::WaveFacts;
use quorate::validate::{PlanInput, Validation, ViolationCode, validate};

use crate::support;

/// One GiB in the model's fixed-point units.
const GIB: u64 = quorate::model::resources::SCALE as u64;

/// A plan that is often unsafe: the hosts to upgrade in waves of `chunk`, each with the moves the
/// exact placement search finds (waves it cannot place are left out), then one wave per
/// component to upgrade. Items already done are left out, as every plan leaves them out.
fn blind_plan(cluster: &Cluster, chunk: usize) -> Vec<Wave> {
    let ready: Vec<HostId> = cluster.upgraded_hosts().collect();
    let mut waves = Vec::new();
    for hosts in ready.chunks(chunk) {
        if let Placement::Found { moves, .. } = place(cluster, hosts, 20_000) {
            let mut wave = Wave::new(hosts.iter().map(|&h| ItemId::Host(h)).collect());
            wave.moves = moves;
            waves.push(wave);
        }
    }
    for c in cluster.upgraded_components() {
        waves.push(Wave::new(vec![ItemId::Component(c)]));
    }
    waves
}

/// A plan of `waves`, with no claim about its quality.
fn plan_of(waves: Vec<Wave>) -> Plan {
    Plan {
        waves,
        quality: Quality::unclaimed(),
        warnings: Vec::new(),
    }
}

fn validate_waves(cluster: &Cluster, waves: &[Wave]) -> Validation {
    validate(cluster, &PlanInput::from_plan(cluster, &plan_of(waves.to_vec())))
}

/// Whether the validator reports `code` about `subject` in wave `t` (0-based).
fn reported(validation: &Validation, t: usize, code: ViolationCode, subject: &str) -> bool {
    validation
        .violations
        .iter()
        .any(|v| v.wave == Some(t + 1) && v.code == code && v.subject == subject)
}

fn capacity_broken(validation: &Validation, t: usize) -> bool {
    validation
        .violations
        .iter()
        .any(|v| v.wave == Some(t + 1) && v.code == ViolationCode::CapacityExceeded)
}

/// The counted rules of wave `t`: quorum, budgets, fault domains and sites.
fn counted_rules_agree(
    cluster: &Cluster,
    waves: &[Wave],
    validation: &Validation,
    t: usize,
) -> Result<(), TestCaseError> {
    let facts = WaveFacts::new(cluster, waves, t);
    for group in &cluster.quorum_groups {
        let state = facts.quorum(group);
        prop_assert_eq!(
            state.up >= state.needed,
            !reported(validation, t, ViolationCode::QuorumLost, &group.name),
            "wave {} quorum group {}: runbook says {} of {} votes up",
            t + 1,
            &group.name,
            state.up,
            state.needed
        );
    }
    for budget in &cluster.budgets {
        let state = facts.budget(budget);
        prop_assert_eq!(
            state.up >= state.needed,
            !reported(validation, t, ViolationCode::BudgetExceeded, &budget.name),
            "wave {} budget {}: runbook says {} up, {} needed",
            t + 1,
            &budget.name,
            state.up,
            state.needed
        );
    }
    if let Some(limit) = cluster.policy.max_fault_domains_down {
        prop_assert_eq!(
            facts.fault_domains_down().len() <= limit as usize,
            !reported(
                validation,
                t,
                ViolationCode::FaultDomainLimit,
                "max_fault_domains_down"
            ),
            "wave {} fault domains",
            t + 1
        );
    }
    if let Some(limit) = cluster.policy.max_sites_down {
        prop_assert_eq!(
            facts.sites_down().len() <= limit as usize,
            !reported(validation, t, ViolationCode::SiteLimit, "max_sites_down"),
            "wave {} sites",
            t + 1
        );
    }
    Ok(())
}

/// The capacity check of wave `t` and resource `r` holds.
fn check_holds(cluster: &Cluster, waves: &[Wave], t: usize, r: Resource) -> bool {
    let evacuation = WaveFacts::new(cluster, waves, t).room(r).evacuation;
    evacuation.free >= evacuation.needed()
}

/// Raises the load of up hosts of wave `t` that receive nothing and track `r` by `amount` in
/// all, within their free room; `None` when they have less room than that.
fn load_spare_hosts(
    cluster: &Cluster,
    waves: &[Wave],
    t: usize,
    r: Resource,
    amount: u64,
) -> Option<Cluster> {
    let facts = WaveFacts::new(cluster, waves, t);
    let mut out = cluster.clone();
    let mut left = amount;
    for h in facts.up_hosts() {
        if left == 0 {
            break;
        }
        if waves[t].moves.iter().any(|m| m.to == h) {
            continue;
        }
        let Some(room) = cluster.host(h).room(r) else {
            continue;
        };
        let add = room.min(left);
        out.hosts[h.index()].load[r] += add;
        left -= add;
    }
    (left == 0).then_some(out)
}

/// Capacity and reserve of wave `t`; where the reserve is positive, also at the margin.
fn capacity_agrees(
    cluster: &Cluster,
    waves: &[Wave],
    validation: &Validation,
    t: usize,
) -> Result<(), TestCaseError> {
    if capacity_broken(validation, t) {
        return Ok(());
    }
    for r in Resource::ALL {
        let holds = check_holds(cluster, waves, t, r);
        if cluster.reserve()[r] == 0 {
            // The validator checks each receiving host; their sum is the runbook's check.
            prop_assert!(
                holds,
                "wave {} {r}: the validator accepts, the runbook check fails",
                t + 1
            );
            continue;
        }
        let reserve_broken = reported(validation, t, ViolationCode::ReserveExceeded, r.key());
        prop_assert_eq!(
            holds,
            !reserve_broken,
            "wave {} {}: runbook and validator disagree",
            t + 1,
            r
        );
        if !holds {
            continue;
        }
        let evacuation = WaveFacts::new(cluster, waves, t).room(r).evacuation;
        let margin = evacuation.free - evacuation.needed();
        for (extra, safe) in [(margin, true), (margin + 1, false)] {
            let Some(loaded) = load_spare_hosts(cluster, waves, t, r, extra) else {
                continue;
            };
            prop_assert_eq!(
                check_holds(&loaded, waves, t, r),
                safe,
                "wave {} {}: {} more load",
                t + 1,
                r,
                extra
            );
            let validation = validate_waves(&loaded, waves);
            prop_assert_eq!(
                reported(&validation, t, ViolationCode::ReserveExceeded, r.key()),
                !safe,
                "wave {} {}: the validator disagrees at the margin ({} more load)",
                t + 1,
                r,
                extra
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Every pre-check of every wave states the validator's condition, on thousands of clusters.
    #[test]
    fn runbook_matches_validator(text in support::generate::description(), chunk in 1usize..=3) {
        let cluster = support::load_ok("generated.toml", &text).cluster;
        let waves = blind_plan(&cluster, chunk);
        let validation = validate_waves(&cluster, &waves);
        for t in 0..waves.len() {
            counted_rules_agree(&cluster, &waves, &validation, t)?;
            capacity_agrees(&cluster, &waves, &validation, t)?;
        }
    }
}

/// The case of issue 12: a workload evacuated onto a host without `storage_gib` takes nothing
/// from the free storage of the hosts that track it. The validator accepts the wave, so the
/// runbook's capacity pre-check must not ask for more than is free.
#[test]
fn evacuation_onto_untracked_storage_is_not_counted() {
    let text = r#"
[cluster]
name = "untracked"

[[host]]
name = "a"
cpu = 32
memory_gib = 256
storage_gib = 500

[[host]]
name = "b"
cpu = 32
memory_gib = 256
storage_gib = 500

[[host]]
name = "c"
cpu = 32
memory_gib = 256

[[workload]]
name = "big"
host = "a"
cpu = 2
memory_gib = 8
storage_gib = 400
migration = "restart"

[[workload]]
name = "small"
host = "a"
cpu = 2
memory_gib = 8
storage_gib = 40
migration = "restart"

[[workload]]
name = "resident"
host = "b"
cpu = 2
memory_gib = 8
storage_gib = 150
migration = "none"
"#;
    let cluster = support::load_ok("untracked.toml", text).cluster;
    let host = |name: &str| cluster.find_host(name).expect("declared host");
    let workload = |name: &str| cluster.find_workload(name).expect("declared workload");
    let mut first = Wave::new(vec![ItemId::Host(host("a"))]);
    first.moves = vec![
        quorate::plan::Move {
            workload: workload("big"),
            from: host("a"),
            to: host("c"),
        },
        quorate::plan::Move {
            workload: workload("small"),
            from: host("a"),
            to: host("b"),
        },
    ];
    let waves = vec![first];
    let validation = validate_waves(&cluster, &waves);
    assert!(
        !validation.violations.iter().any(|v| v.wave == Some(1)),
        "the validator accepts the wave: {:?}",
        validation.violations
    );
    let evacuation = WaveFacts::new(&cluster, &waves, 0)
        .room(Resource::Storage)
        .evacuation;
    // 440 GiB leave host a; 400 of it lands on c, which does not track storage. Host b has
    // 500 - 150 = 350 GiB free and receives 40.
    assert_eq!(
        (
            evacuation.onto_tracked,
            evacuation.onto_untracked,
            evacuation.free
        ),
        (40 * GIB, 400 * GIB, 350 * GIB)
    );
    let runbook = quorate::runbook::build(&cluster, &plan_of(waves));
    let check = runbook.waves[0]
        .pre_checks
        .iter()
        .find(|c| c.kind == quorate::runbook::CheckKind::Capacity && c.subject == "storage")
        .expect("a storage capacity pre-check");
    assert_eq!(
        check.expect,
        "at least 40 GiB of storage free on the 2 hosts that stay up: 40 GiB to evacuate + 0 GiB HA \
         reserve; declared free: 350 GiB; 400 GiB more moves to hosts without storage_gib, which \
         take any amount and are not counted"
    );
}
