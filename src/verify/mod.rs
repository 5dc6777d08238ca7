//! `quorate verify`: one wave's pre-checks (or post-checks) evaluated against the live cluster.
//!
//! The runbook states each check twice: as prose for the operator, and, where it can, as an
//! [`Expectation`](crate::runbook::expect::Expectation) — the same list the platforms turn into
//! their `assert` commands. This module evaluates those expectations against a
//! [`LiveCluster`] read from the platform's exports ([`crate::live`]), so the asserts and
//! `verify` can never disagree about what a check expects. Each check passes, fails (with the
//! expected and the observed value), or is manual: it has no expectation (storage health,
//! policies), or the exports do not carry what it needs (component versions, host
//! versions on some platforms).
//!
//! The plan is checked by name ([`plan_of`]) and must be one the validator accepts: a check of
//! an unsafe plan would vouch for a wave that should not run.

mod evaluate;
mod report;

use crate::live::LiveCluster;
use crate::model::{Cluster, ItemId};
use crate::plan::{Move, Plan, Quality, Wave};
use crate::runbook::{self, Check};
use crate::validate::PlanInput;

pub use evaluate::evaluate;
pub use report::{text, to_json};

/// The verdict on one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The exports show the expected state.
    Pass,
    /// The exports show something else.
    Fail,
    /// The exports cannot decide it: run the check by hand.
    Manual,
}

impl Verdict {
    /// The word used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Manual => "manual",
        }
    }
}

/// An evaluated expectation: the verdict with the expected and the observed value, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Pass, fail or manual.
    pub verdict: Verdict,
    /// What the check expects.
    pub expected: String,
    /// What the exports show; for a manual check, why they cannot decide it.
    pub observed: String,
}

impl Outcome {
    pub(crate) fn new(verdict: Verdict, expected: impl Into<String>, observed: impl Into<String>) -> Self {
        Outcome {
            verdict,
            expected: expected.into(),
            observed: observed.into(),
        }
    }
}

/// One check of the wave and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The check as the runbook states it.
    pub check: Check,
    /// Its outcome against the exports.
    pub outcome: Outcome,
}

/// The checks of one wave against the exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// One-based wave number.
    pub wave: usize,
    /// Post-checks (true) or pre-checks.
    pub post: bool,
    /// Every check of that phase, in runbook order.
    pub checks: Vec<CheckResult>,
}

impl Verification {
    /// How many checks got `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.checks
            .iter()
            .filter(|c| c.outcome.verdict == verdict)
            .count()
    }

    /// Whether every check the exports can decide passed.
    pub fn passed(&self) -> bool {
        self.count(Verdict::Fail) == 0
    }

    /// `pre-checks` or `post-checks`.
    pub fn phase(&self) -> &'static str {
        if self.post { "post-checks" } else { "pre-checks" }
    }
}

/// Evaluates the pre-checks (or, with `post`, the post-checks) of wave `wave` (one-based, in
/// range) of `plan` against `live`.
pub fn verify(cluster: &Cluster, plan: &Plan, wave: usize, post: bool, live: &LiveCluster) -> Verification {
    let book = runbook::build(cluster, plan);
    let runbook = &book.waves[wave - 1];
    let checks = if post {
        &runbook.post_checks
    } else {
        &runbook.pre_checks
    };
    let checks = checks
        .iter()
        .map(|check| CheckResult {
            outcome: match &check.expectation {
                Some(expectation) => evaluate(expectation, live),
                None => Outcome::new(
                    Verdict::Manual,
                    check.expect.clone(),
                    "no machine-readable expectation: run the check by hand",
                ),
            },
            check: check.clone(),
        })
        .collect();
    Verification { wave, post, checks }
}

/// The typed plan of a plan file the validator accepted for `cluster`: its items by name, and
/// its moves when it gives them. `None` when a name is not an item (the validator reports it).
pub fn plan_of(cluster: &Cluster, input: &PlanInput) -> Option<Plan> {
    let mut waves = Vec::with_capacity(input.waves.len());
    for wave in &input.waves {
        let items: Option<Vec<ItemId>> = wave.items.iter().map(|n| cluster.find_item(&n.name)).collect();
        let mut typed = Wave::new(items?);
        for m in wave.moves.iter().flatten() {
            let workload = cluster.find_workload(&m.workload.name)?;
            typed.moves.push(Move {
                workload,
                from: cluster.workload(workload).host,
                to: cluster.find_host(&m.to.name)?,
            });
        }
        waves.push(typed);
    }
    Some(Plan {
        waves,
        quality: Quality::unclaimed(),
        warnings: Vec::new(),
    })
}
