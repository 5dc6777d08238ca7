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
//! cmdlets ([`crate::runbook::platform::Shell`]), bash for every other platform. Each language
//! ([`bash`], [`powershell`]) holds its prelude (options, helpers) and its [`Dialect`]; the wave
//! functions are written here, once, for both.

mod bash;
mod powershell;

use std::fmt::Write as _;

use crate::document::{PlanDocument, WaveDocument};
use crate::runbook::platform::Shell;

use super::{Item, items};

/// The runbook of `doc` as a script for `shell`: bash for [`Shell::Posix`], PowerShell for
/// [`Shell::PowerShell`].
pub fn render(doc: &PlanDocument, shell: Shell) -> String {
    let dialect = match shell {
        Shell::Posix => &bash::DIALECT,
        Shell::PowerShell => &powershell::DIALECT,
    };
    let mut out = String::new();
    out.push_str(dialect.shebang);
    out.push_str(&super::title_comment("Runbook", doc));
    out.push_str(dialect.usage_comment);
    out.push_str(&dialect.prelude.replace("@WAVES@", &doc.waves.len().to_string()));
    for wave in &doc.waves {
        out.push('\n');
        wave_function(&mut out, doc, wave, dialect);
    }
    out.push_str(dialect.main);
    out
}

/// How one language writes the parts of a runbook script.
struct Dialect {
    /// The first line, if the language has one.
    shebang: &'static str,
    /// Comment lines on how to run the script.
    usage_comment: &'static str,
    /// Options and helpers; `@WAVES@` stands for the number of waves.
    prelude: &'static str,
    /// The loop over the chosen waves.
    main: &'static str,
    /// A value as one literal string of the language.
    quote: fn(&str) -> String,
    /// The start of wave N's function, with its `{`.
    function: fn(usize) -> String,
    /// Indentation inside a function.
    indent: &'static str,
    /// The helper that prints a line.
    say: &'static str,
    /// The assignment of the wave's rollback note, up to the value.
    set_rollback: &'static str,
    /// The helpers `(ID, TITLE, COMMAND)` for a check with an assert and a step with a
    /// command, and `(TITLE, NOTE)` for a manual check and a manual step.
    check: &'static str,
    step: &'static str,
    manual_check: &'static str,
    manual_step: &'static str,
}

fn wave_function(out: &mut String, doc: &PlanDocument, wave: &WaveDocument, d: &Dialect) {
    let (q, indent) = (d.quote, d.indent);
    let _ = writeln!(out, "{}", (d.function)(wave.index));
    let _ = writeln!(
        out,
        "{indent}{} {}",
        d.say,
        q(&format!("== {}", wave_title(doc, wave)))
    );
    let _ = writeln!(
        out,
        "{indent}{}{}",
        d.set_rollback,
        q(wave.rollback.as_deref().unwrap_or(""))
    );
    for item in items(wave) {
        let _ = match item {
            Item::Check(c) => {
                let title = q(&format!("{} {} {}: {}", c.id, c.kind, c.subject, c.expect));
                match &c.assert {
                    Some(assert) => writeln!(out, "{indent}{} {} {title} {}", d.check, q(&c.id), q(assert)),
                    None => writeln!(
                        out,
                        "{indent}{} {title} {}",
                        d.manual_check,
                        q(&manual_note(None, c.command.as_deref()))
                    ),
                }
            }
            Item::Step(s) => {
                let title = q(&format!("{} {} {}", s.id, s.action, s.target));
                match &s.command {
                    Some(command) => writeln!(out, "{indent}{} {} {title} {}", d.step, q(&s.id), q(command)),
                    None => writeln!(
                        out,
                        "{indent}{} {title} {}",
                        d.manual_step,
                        q(&manual_note(s.detail.as_deref(), None))
                    ),
                }
            }
        };
    }
    let _ = writeln!(
        out,
        "{indent}{} {}",
        d.say,
        q(&format!("== wave {} done", wave.index))
    );
    out.push_str("}\n");
}

/// One line that says what a wave does, for progress messages.
fn wave_title(doc: &PlanDocument, wave: &WaveDocument) -> String {
    format!(
        "wave {} of {}: {} ({} min)",
        wave.index,
        doc.waves.len(),
        wave.hosts.join(", "),
        wave.minutes
    )
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
