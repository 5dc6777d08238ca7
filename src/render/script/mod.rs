//! `-o script`: the runbook as a program that runs it.
//!
//! One function per wave; each runs its pre-check asserts, stops at the first that fails (printing
//! the check's id), then the steps in order, then the post-check asserts. The waves run one after
//! the other and a failure ends the script, so wave N+1 never starts unless wave N's post-checks
//! passed. Options choose what runs: one wave, the waves from N on, or a dry run that lists every
//! check and step without running anything.
//!
//! A check without an `assert` and a step without a `command` cannot be run by a program; the
//! script prints them as manual items (and, on a terminal, waits for Enter) rather than skipping
//! them silently.
//!
//! The platform decides the language: PowerShell for Hyper-V, whose commands are PowerShell
//! cmdlets ([`crate::runbook::platform::Shell`]), bash for every other platform.

mod bash;
mod powershell;

use crate::document::{CheckDocument, PlanDocument, StepDocument, WaveDocument};
use crate::runbook::platform::Shell;

/// The runbook of `doc` as a script for `shell`: bash for [`Shell::Posix`], PowerShell for
/// [`Shell::PowerShell`].
pub fn render(doc: &PlanDocument, shell: Shell) -> String {
    match shell {
        Shell::Posix => bash::render(doc),
        Shell::PowerShell => powershell::render(doc),
    }
}

/// One line that says what a wave does, for the script's comments and progress messages.
fn wave_title(doc: &PlanDocument, wave: &WaveDocument) -> String {
    format!(
        "wave {} of {}: {} ({} min)",
        wave.index,
        doc.waves.len(),
        wave.hosts.join(", "),
        wave.minutes
    )
}

/// A check in words: `W1.PRE.1 quorum etcd: at least 2 of 3 members up`.
fn check_title(check: &CheckDocument) -> String {
    format!("{} {} {}: {}", check.id, check.kind, check.subject, check.expect)
}

/// A step in words: `W1.S1 enter_maintenance esx-01`.
fn step_title(step: &StepDocument) -> String {
    format!("{} {} {}", step.id, step.action, step.target)
}

/// What a manual item asks the operator to do, with the command to look with, if any.
fn manual_note(detail: Option<&str>, command: Option<&str>) -> String {
    match (detail, command) {
        (Some(d), Some(c)) => format!("{d} (with: {c})"),
        (Some(d), None) => d.to_string(),
        (None, Some(c)) => format!("verify with: {c}"),
        (None, None) => String::new(),
    }
}
