//! The plan validator: checks a plan against every rule of the contract, independently of the
//! solver.
//!
//! `quorate plan` runs it on its own output and treats a rejection as an internal error;
//! `quorate validate` runs it on plans written by hand. So it shares nothing with the solver
//! (`solve`, `bounds`) nor with [`crate::rules`], the one home of each rule's arithmetic for
//! everything else: every rule is derived again from the contract's Semantics section, here, on
//! purpose. This is the one intended twin of each rule (docs/architecture.md has the table), so
//! that a bug in the solver's reasoning cannot hide behind the same bug in the check. It
//! reuses only the model (the resolved cluster, exact fixed-point resources) and, for waves
//! that give no moves, the exact evacuation search in [`crate::placement`] (through `without_moves`) to decide whether a
//! placement exists; any placement, given or found, is then checked move by move here.
//!
//! The passes, in order: `items` resolves the plan's names and checks that every item is
//! upgraded exactly once; `rules` checks each wave's counting rules (quorum, budgets, fault
//! domains, sites, host cap, exclusive components); `evacuation` checks each wave's moves
//! (`moves`), capacity, reserve and anti-affinity; `order` checks the order rules. Every
//! violation carries the numbers behind it and a help line; `help` finds a wave an item could
//! move to without breaking a rule, so the suggestion is real rather than generic. `help` judges
//! a hypothetical wave through the `view::Judge` that `validate` builds from the rule passes,
//! so help depends on no rule pass and no two files of the validator import each other.

mod evacuation;
mod help;
mod input;
mod items;
mod moves;
mod order;
mod rules;
#[cfg(test)]
mod tests;
mod view;
mod without_moves;

use serde::Serialize;

use crate::diagnostic::{ErrorKind, InputError};
use crate::model::Cluster;
use crate::source::Span;

pub use input::{MoveInput, Named, PlanInput, WaveInput};

/// The stable violation codes of the contract (`validate -o json`).
///
/// The order of the variants is the order violations of one wave are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationCode {
    /// A quorum group has fewer votes up than its quorum.
    QuorumLost,
    /// A disruption budget has more workloads down than it allows.
    BudgetExceeded,
    /// More fault domains are down than `max_fault_domains_down`.
    FaultDomainLimit,
    /// More sites are down than `max_sites_down`.
    SiteLimit,
    /// A host would hold more than its usable capacity, or the workloads cannot be placed.
    CapacityExceeded,
    /// The free room left after evacuation is less than the HA reserve.
    ReserveExceeded,
    /// Two members of a mandatory anti-affinity group share a host or fault domain.
    AntiAffinityViolated,
    /// An `order` rule is broken.
    OrderViolated,
    /// A wave upgrades more hosts than `max_hosts_per_wave`.
    MaxHostsExceeded,
    /// An exclusive component shares its wave.
    ComponentNotExclusive,
    /// A ready host or a component is in no wave.
    HostNotUpgraded,
    /// A host or component is upgraded more than once.
    HostUpgradedTwice,
    /// A name that is neither a host nor a component (or a cluster name that does not match).
    UnknownItem,
    /// A host that is already down or in maintenance is listed in a wave.
    UnavailableHostInPlan,
    /// An evacuation move is missing, unknown, or not allowed.
    MoveInvalid,
    /// A host or component that already runs its target version is listed in a wave.
    AlreadyDone,
}

impl ViolationCode {
    /// Every code, in listing order.
    pub const ALL: [ViolationCode; 16] = [
        ViolationCode::QuorumLost,
        ViolationCode::BudgetExceeded,
        ViolationCode::FaultDomainLimit,
        ViolationCode::SiteLimit,
        ViolationCode::CapacityExceeded,
        ViolationCode::ReserveExceeded,
        ViolationCode::AntiAffinityViolated,
        ViolationCode::OrderViolated,
        ViolationCode::MaxHostsExceeded,
        ViolationCode::ComponentNotExclusive,
        ViolationCode::HostNotUpgraded,
        ViolationCode::HostUpgradedTwice,
        ViolationCode::UnknownItem,
        ViolationCode::UnavailableHostInPlan,
        ViolationCode::MoveInvalid,
        ViolationCode::AlreadyDone,
    ];

    /// The stable code, as in the validation JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationCode::QuorumLost => "quorum_lost",
            ViolationCode::BudgetExceeded => "budget_exceeded",
            ViolationCode::FaultDomainLimit => "fault_domain_limit",
            ViolationCode::SiteLimit => "site_limit",
            ViolationCode::CapacityExceeded => "capacity_exceeded",
            ViolationCode::ReserveExceeded => "reserve_exceeded",
            ViolationCode::AntiAffinityViolated => "anti_affinity_violated",
            ViolationCode::OrderViolated => "order_violated",
            ViolationCode::MaxHostsExceeded => "max_hosts_exceeded",
            ViolationCode::ComponentNotExclusive => "component_not_exclusive",
            ViolationCode::HostNotUpgraded => "host_not_upgraded",
            ViolationCode::HostUpgradedTwice => "host_upgraded_twice",
            ViolationCode::UnknownItem => "unknown_item",
            ViolationCode::UnavailableHostInPlan => "unavailable_host_in_plan",
            ViolationCode::AlreadyDone => "already_done",
            ViolationCode::MoveInvalid => "move_invalid",
        }
    }
}

impl std::fmt::Display for ViolationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Which rule.
    pub code: ViolationCode,
    /// The wave it happens in, 1-based; `None` for plan-wide violations.
    pub wave: Option<usize>,
    /// What it is about: a group, host, component, workload, resource key or policy key.
    pub subject: String,
    /// What is wrong, with the numbers.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// Where in the plan file, when the plan came from one.
    pub span: Option<Span>,
}

impl Violation {
    /// A violation in the wave at 0-based position `wave` (or plan-wide for `None`).
    fn new(
        code: ViolationCode,
        wave: Option<usize>,
        subject: impl Into<String>,
        message: String,
        help: String,
        span: Option<Span>,
    ) -> Self {
        Violation {
            code,
            wave: wave.map(|t| t + 1),
            subject: subject.into(),
            message,
            help,
            span,
        }
    }

    fn sort_key(&self) -> impl Ord + '_ {
        (
            self.wave,
            self.code,
            &self.subject,
            &self.message,
            self.span.as_ref().map(|s| (s.start, s.end)),
            &self.help,
        )
    }
}

/// The outcome of validating a plan: every violation, in a deterministic order (wave, with
/// plan-wide ones first; then code; then subject).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Validation {
    /// The violations; empty when the plan is safe.
    pub violations: Vec<Violation>,
}

#[derive(Serialize)]
struct ValidationJson<'a> {
    valid: bool,
    violations: Vec<ViolationJson<'a>>,
}

#[derive(Serialize)]
struct ViolationJson<'a> {
    code: ViolationCode,
    wave: Option<usize>,
    subject: &'a str,
    message: &'a str,
    help: &'a str,
}

impl Validation {
    /// Whether the plan breaks no rule.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The contract's validation JSON:
    /// `{"valid": bool, "violations": [{"code", "wave", "subject", "message", "help"}]}`, with
    /// `wave` null for plan-wide violations.
    pub fn to_json(&self) -> serde_json::Value {
        let doc = ValidationJson {
            valid: self.is_valid(),
            violations: self
                .violations
                .iter()
                .map(|v| ViolationJson {
                    code: v.code,
                    wave: v.wave,
                    subject: &v.subject,
                    message: &v.message,
                    help: &v.help,
                })
                .collect(),
        };
        serde_json::to_value(doc).expect("validation JSON has only strings, numbers and booleans")
    }
}

/// Checks `plan` against every rule for `cluster`.
///
/// A plan that names another cluster gets that one violation and no other: compared with the
/// wrong cluster, every other finding would be noise. [`other_cluster`] gives the same finding
/// as an input error, which is how `quorate validate` reports it.
pub fn validate(cluster: &Cluster, plan: &PlanInput) -> Validation {
    if let Some(violation) = items::other_cluster(cluster, plan) {
        return Validation {
            violations: vec![violation],
        };
    }
    let mut violations = Vec::new();
    let judge = view::Judge {
        accepts: |cluster, items, t| {
            rules::breaches(cluster, items, t).is_empty() && without_moves::fits_in_total(cluster, items)
        },
        order_allows: order::allows,
    };
    let view = items::resolve(cluster, plan, judge, &mut violations);
    items::check_coverage(&view, &mut violations);
    for t in 0..plan.waves.len() {
        rules::check_wave(&view, t, &mut violations);
        evacuation::check_wave(&view, t, &mut violations);
    }
    order::check(&view, &mut violations);
    violations.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    violations.dedup();
    Validation { violations }
}

/// The input error for a plan that names a cluster other than `cluster`: the plan goes with
/// another description. `None` when the plan names no cluster or this one.
pub fn other_cluster(cluster: &Cluster, plan: &PlanInput) -> Option<InputError> {
    let violation = items::other_cluster(cluster, plan)?;
    Some(
        InputError::new(
            ErrorKind::OtherCluster,
            violation.span.unwrap_or(0..0),
            violation.message,
            format!("a plan for cluster `{}`", violation.subject),
        )
        .with_help(violation.help),
    )
}

/// Names for a message: each in backticks, at most `MAX_LISTED`, then how many more.
fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    const MAX_LISTED: usize = 6;
    let names: Vec<&str> = names.into_iter().collect();
    let mut shown: Vec<String> = names.iter().take(MAX_LISTED).map(|n| format!("`{n}`")).collect();
    if names.len() > MAX_LISTED {
        shown.push(format!("{} more", names.len() - MAX_LISTED));
    }
    match shown.len() {
        0 => String::new(),
        1 => shown.remove(0),
        n => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
    }
}
