//! The plan as a TOML plan file (`docs/plan-files.md`), which `quorate validate` reads back.
//!
//! The file is the hand-written plan form plus the runbook content: `schema_version`,
//! `cluster`, `[summary]`, then one `[[wave]]` per wave with `index`, `hosts`,
//! `fault_domains_down`, `sites_down`, `minutes`, `rollback`, and the arrays of tables
//! `[[wave.move]]`, `[[wave.pre_check]]`, `[[wave.step]]`, `[[wave.post_check]]`.
//!
//! The tables below mirror those keys one by one rather than serialising the plan document,
//! so a field added to the JSON document never becomes a key the plan reader rejects as
//! unknown. Warnings have no key in the plan file and go into comments at the top. Strings are
//! quoted by the toml crate, so any name survives the round trip.

use serde::Serialize;

use crate::document::{CheckDocument, MoveDocument, PlanDocument, StepDocument};

/// Renders a plan document as a TOML plan file.
///
/// Fails only for a number TOML cannot hold (an integer above `i64::MAX`), which the limits on
/// descriptions keep from happening.
pub fn render(doc: &PlanDocument) -> Result<String, ::toml::ser::Error> {
    let file = PlanFile {
        schema_version: doc.schema_version,
        cluster: &doc.cluster,
        summary: Summary {
            waves: doc.summary.waves,
            lower_bound: doc.summary.lower_bound,
            optimal: doc.summary.optimal,
            objective: &doc.summary.objective,
            total_minutes: doc.summary.total_minutes,
            lower_bound_minutes: doc.summary.lower_bound_minutes,
            proof: &doc.summary.proof,
            solver: &doc.summary.solver,
            solve_seconds: doc.summary.solve_seconds,
        },
        wave: doc
            .waves
            .iter()
            .map(|w| Wave {
                index: w.index,
                hosts: &w.hosts,
                fault_domains_down: &w.fault_domains_down,
                sites_down: &w.sites_down,
                minutes: w.minutes,
                rollback: w.rollback.as_deref(),
                moves: w.moves.iter().map(Move::from).collect(),
                pre_check: w.pre_checks.iter().map(Check::from).collect(),
                step: w.steps.iter().map(Step::from).collect(),
                post_check: w.post_checks.iter().map(Check::from).collect(),
            })
            .collect(),
    };
    let mut out = String::from("# Upgrade plan written by quorate. Check it against the cluster with\n");
    out.push_str("#   quorate validate CLUSTER.toml THIS-FILE.toml\n");
    out.push_str("# Only the hosts of each [[wave]] and its [[wave.move]] entries are checked; the rest\n");
    out.push_str("# (summary, checks, steps, rollback) is the runbook, for people.\n");
    for warning in &doc.warnings {
        out.push_str(&comment(&format!("warning: {warning}")));
    }
    out.push('\n');
    out.push_str(&::toml::to_string(&file)?);
    Ok(out)
}

/// `text` as comment lines: TOML comments may hold no control character but tab.
fn comment(text: &str) -> String {
    text.lines()
        .map(|line| format!("# {}\n", super::printable(line)))
        .collect()
}

#[derive(Serialize)]
struct PlanFile<'a> {
    schema_version: u32,
    cluster: &'a str,
    summary: Summary<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    wave: Vec<Wave<'a>>,
}

#[derive(Serialize)]
struct Summary<'a> {
    waves: usize,
    lower_bound: u32,
    optimal: bool,
    objective: &'a str,
    total_minutes: u64,
    lower_bound_minutes: u64,
    proof: &'a str,
    solver: &'a str,
    solve_seconds: f64,
}

#[derive(Serialize)]
struct Wave<'a> {
    index: usize,
    hosts: &'a [String],
    fault_domains_down: &'a [String],
    sites_down: &'a [String],
    minutes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    rollback: Option<&'a str>,
    #[serde(rename = "move", skip_serializing_if = "Vec::is_empty")]
    moves: Vec<Move<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pre_check: Vec<Check<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    step: Vec<Step<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    post_check: Vec<Check<'a>>,
}

#[derive(Serialize)]
struct Move<'a> {
    workload: &'a str,
    from: &'a str,
    to: &'a str,
}

impl<'a> From<&'a MoveDocument> for Move<'a> {
    fn from(m: &'a MoveDocument) -> Self {
        Move {
            workload: &m.workload,
            from: &m.from,
            to: &m.to,
        }
    }
}

#[derive(Serialize)]
struct Check<'a> {
    id: &'a str,
    kind: &'a str,
    subject: &'a str,
    expect: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assert: Option<&'a str>,
}

impl<'a> From<&'a CheckDocument> for Check<'a> {
    fn from(c: &'a CheckDocument) -> Self {
        Check {
            id: &c.id,
            kind: &c.kind,
            subject: &c.subject,
            expect: &c.expect,
            command: c.command.as_deref(),
            assert: c.assert.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct Step<'a> {
    id: &'a str,
    action: &'a str,
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<&'a str>,
}

impl<'a> From<&'a StepDocument> for Step<'a> {
    fn from(s: &'a StepDocument) -> Self {
        Step {
            id: &s.id,
            action: &s.action,
            target: &s.target,
            detail: s.detail.as_deref(),
            command: s.command.as_deref(),
        }
    }
}
