//! `quorate verify` output: one line per check for the terminal, or a JSON document.
//!
//! Text: `W2.PRE.3  fail    (quorum) etcd: expected ...; observed ...`, a manual check with the
//! command to run by hand, then one summary line. JSON: `{"wave", "phase", "passed",
//! "counts": {"pass", "fail", "manual"}, "checks": [{"id", "kind", "subject", "result",
//! "expected", "observed", "expect", "command"}]}`; `expect` is the runbook's prose and
//! `command` the check's command, when it has one. Names are printed with control characters
//! written out, as everywhere else.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::render::printable;

use super::{Verdict, Verification};

/// The report for the terminal.
pub fn text(v: &Verification) -> String {
    let mut out = String::new();
    let width = v.checks.iter().map(|c| c.check.id.len()).max().unwrap_or(0);
    for result in &v.checks {
        let (check, outcome) = (&result.check, &result.outcome);
        let _ = write!(
            out,
            "{:<width$}  {:<6}  ({}) {}: ",
            printable(&check.id),
            outcome.verdict.name(),
            check.kind.name(),
            printable(&check.subject)
        );
        match outcome.verdict {
            Verdict::Manual => {
                let _ = writeln!(
                    out,
                    "{}; {}",
                    printable(&check.expect),
                    printable(&outcome.observed)
                );
                if let Some(command) = &check.command {
                    let _ = writeln!(out, "{:width$}  by hand: {command}", "");
                }
            }
            Verdict::Pass | Verdict::Fail => {
                let _ = writeln!(
                    out,
                    "expected {}; observed {}",
                    printable(&outcome.expected),
                    printable(&outcome.observed)
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "wave {} {} against the exports: {} pass, {} fail, {} manual",
        v.wave,
        v.phase(),
        v.count(Verdict::Pass),
        v.count(Verdict::Fail),
        v.count(Verdict::Manual)
    );
    out
}

/// The report as JSON.
pub fn to_json(v: &Verification) -> Value {
    let checks: Vec<Value> = v
        .checks
        .iter()
        .map(|r| {
            json!({
                "id": r.check.id,
                "kind": r.check.kind.name(),
                "subject": r.check.subject,
                "result": r.outcome.verdict,
                "expected": r.outcome.expected,
                "observed": r.outcome.observed,
                "expect": r.check.expect,
                "command": r.check.command,
            })
        })
        .collect();
    json!({
        "wave": v.wave,
        "phase": if v.post { "post" } else { "pre" },
        "passed": v.passed(),
        "counts": {
            "pass": v.count(Verdict::Pass),
            "fail": v.count(Verdict::Fail),
            "manual": v.count(Verdict::Manual),
        },
        "checks": checks,
    })
}
