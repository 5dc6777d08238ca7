//! Pass 7: turning a plan document into text for people and files for tools.
//!
//! Every renderer takes a [`PlanDocument`] and nothing else, so whatever the document holds
//! (checks, steps, rollback, filled in by the runbook pass or not) is shown, and the JSON, TOML,
//! text and Markdown forms of one plan always agree.
//!
//! - [`text`]: the runbook for the terminal, coloured only when the caller asks;
//! - [`markdown`]: the runbook for a change ticket, with a Mermaid Gantt chart of the waves;
//! - [`toml`]: the plan file of `docs/plan-files.md`, which `quorate validate` reads back;
//! - [`script`]: the runbook as a bash (PowerShell for Hyper-V) script that runs it;
//! - [`ansible`]: an Ansible playbook, one play per wave;
//! - [`change`]: a change request, fields named as ServiceNow's `change_request` table, as
//!   JSON (schema `schema/change.schema.json`) or Markdown;
//! - JSON is [`PlanDocument::to_json`]; its schema ships as `schema/plan.schema.json`.
//!
//! Names come from the operator's description and may hold any printable character; each
//! renderer quotes or escapes them for its own syntax, and never lets a character that a
//! terminal or a parser would interpret through unchanged.

pub mod ansible;
mod baselines;
pub mod change;
pub mod markdown;
mod markdown_inline;
mod mermaid;
pub mod script;
pub mod text;
pub mod toml;

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::document::{CheckDocument, PlanDocument, StepDocument, SummaryDocument, WaveDocument};

/// `1 wave`, `2 waves`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `395 min (6 h 35 min)`; under an hour just `45 min`.
fn duration(minutes: u64) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    if hours == 0 {
        format!("{minutes} min")
    } else if rest == 0 {
        format!("{minutes} min ({hours} h)")
    } else {
        format!("{minutes} min ({hours} h {rest} min)")
    }
}

/// `+1:50`: a wave's start as an offset from the start of the window.
fn offset(minutes: u64) -> String {
    format!("+{}:{:02}", minutes / 60, minutes % 60)
}

/// Whether the plan is optimal, or how far from the bound it may be, in words.
fn quality(s: &SummaryDocument) -> String {
    if s.optimal {
        format!("optimal for {}, proven by {}", s.objective, s.proof)
    } else if s.objective == "waves" {
        let gap = u64::try_from(s.waves)
            .unwrap_or(u64::MAX)
            .saturating_sub(u64::from(s.lower_bound));
        format!(
            "not proven optimal: at least {} needed (gap {gap})",
            count(s.lower_bound as usize, "wave", "waves")
        )
    } else {
        format!(
            "not proven optimal: at least {} min needed (gap {} min)",
            s.lower_bound_minutes,
            s.total_minutes.saturating_sub(s.lower_bound_minutes)
        )
    }
}

/// The start of each wave in minutes from the start of the window, waves back to back.
fn starts(doc: &PlanDocument) -> Vec<u64> {
    let mut at = 0u64;
    doc.waves
        .iter()
        .map(|w| {
            let start = at;
            at = at.saturating_add(w.minutes);
            start
        })
        .collect()
}

/// The first comment line of a file written for a tool: `# Runbook of cluster prod: 5 waves,
/// 365 min in all, written by quorate.`, the name on one line whatever it holds.
fn title_comment(what: &str, doc: &PlanDocument) -> String {
    format!(
        "# {what} of cluster {}: {}, {} min in all, written by quorate.\n",
        printable(&doc.cluster),
        count(doc.waves.len(), "wave", "waves"),
        doc.summary.total_minutes
    )
}

/// One thing a wave's runbook has an operator (or a program) do.
#[derive(Debug, Clone, Copy)]
enum Item<'a> {
    /// A pre- or post-check.
    Check(&'a CheckDocument),
    /// A step.
    Step(&'a StepDocument),
}

/// A wave's runbook in the order it runs: pre-checks, steps, post-checks. The runnable formats
/// (script, Ansible) all walk it, so they cannot disagree on the order.
fn items(wave: &WaveDocument) -> impl Iterator<Item = Item<'_>> {
    wave.pre_checks
        .iter()
        .map(Item::Check)
        .chain(wave.steps.iter().map(Item::Step))
        .chain(wave.post_checks.iter().map(Item::Check))
}

/// `s` with every control character but tab (newline, escape, ...) written out as `\u{1b}`,
/// so that no name can move the cursor, colour the terminal or start a new line of a table.
pub(crate) fn printable(s: &str) -> Cow<'_, str> {
    let control = |c: char| c.is_control() && c != '\t';
    if !s.chars().any(control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if control(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The workloads of `wave` that cannot move, each as `WORKLOAD (on HOST)` with its names written
/// by `name`; `None` when there are none, so that a format can leave the line out.
fn down_with_host(wave: &WaveDocument, name: impl Fn(&str) -> String) -> Option<Vec<String>> {
    (!wave.down_with_host.is_empty()).then(|| {
        wave.down_with_host
            .iter()
            .map(|p| format!("{} (on {})", name(&p.workload), name(&p.host)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_hours_and_minutes() {
        assert_eq!(duration(45), "45 min");
        assert_eq!(duration(120), "120 min (2 h)");
        assert_eq!(duration(395), "395 min (6 h 35 min)");
        assert_eq!(offset(0), "+0:00");
        assert_eq!(offset(605), "+10:05");
    }

    #[test]
    fn control_characters_are_written_out() {
        assert_eq!(printable("esx-01"), "esx-01");
        assert_eq!(printable("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\\u{a}c");
    }
}
