//! The plan for the terminal: a runbook to read top to bottom.
//!
//! The summary first (waves, minutes, optimal or the gap to the bound), then each wave with
//! everything the document holds for it: hosts, fault domains and sites down, minutes,
//! pre-checks, moves, steps, post-checks and rollback. Prose and lists wrap at [`WIDTH`]
//! columns; commands never wrap, so they can be copied whole.
//!
//! Colour is the caller's decision (the CLI colours only a terminal, and never with
//! `NO_COLOR`); without it the output holds no escape sequence at all, and names with control
//! characters are written out, so a name can never colour or move the terminal either.

use std::fmt::Write as _;

use super::{count, duration, offset, printable, quality, starts};
use crate::document::{CheckDocument, PlanDocument, WaveDocument};

/// Lines are wrapped to this many columns (commands excepted).
pub const WIDTH: usize = 100;

/// Renders a plan document as a terminal runbook; `colour` adds ANSI colours and bold.
pub fn render(doc: &PlanDocument, colour: bool) -> String {
    let paint = Paint(colour);
    let mut out = String::new();
    summary(&mut out, doc, paint);
    baselines(&mut out, doc, paint);
    let starts = starts(doc);
    for (wave, start) in doc.waves.iter().zip(starts) {
        out.push('\n');
        render_wave(&mut out, wave, doc.waves.len(), start, paint);
    }
    diagnostics(&mut out, doc, paint);
    if !doc.warnings.is_empty() {
        let _ = writeln!(out, "\n{}", paint.yellow("Warnings"));
        for warning in &doc.warnings {
            wrapped(&mut out, "  - ", 4, &words(warning));
        }
    }
    out
}

/// The platform-aware warnings (`quorate::warn::…`), after the waves with the other warnings:
/// code and message wrapped, the help (the TOML table to add) line by line, unwrapped.
fn diagnostics(out: &mut String, doc: &PlanDocument, paint: Paint) {
    if doc.diagnostics.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", paint.yellow("Platform warnings"));
    for d in &doc.diagnostics {
        wrapped(out, "  - ", 4, &words(&format!("{}: {}", d.code, d.message)));
        // The help's first line is prose; the lines after it are the TOML table to add,
        // written as they are so that they can be copied.
        let (help, table) = d.help.split_once('\n').unwrap_or((&d.help, ""));
        wrapped(out, "    ", 4, &words(help));
        for line in table.lines() {
            let _ = writeln!(out, "    {}", printable(line));
        }
    }
}

fn summary(out: &mut String, doc: &PlanDocument, paint: Paint) {
    let s = &doc.summary;
    let _ = writeln!(
        out,
        "{}",
        paint.bold(&format!("Upgrade plan for {}", printable(&doc.cluster)))
    );
    let _ = writeln!(
        out,
        "  {}, {}",
        count(s.waves, "wave", "waves"),
        duration(s.total_minutes)
    );
    let verdict = quality(s);
    let _ = writeln!(
        out,
        "  {}",
        if s.optimal {
            paint.green(&verdict)
        } else {
            paint.yellow(&verdict)
        }
    );
    // No backend name or solve time here: the text runbook is the same on every run and
    // backend (the JSON and TOML plans carry both).
    let _ = writeln!(
        out,
        "  lower bound {}, {} min",
        count(s.lower_bound as usize, "wave", "waves"),
        s.lower_bound_minutes
    );
    // Grouped as `Cluster::already_done` lists them: by version, in first-item order.
    let mut groups: Vec<(&str, Vec<&crate::document::DoneDocument>)> = Vec::new();
    for d in &s.already_done {
        match groups.iter_mut().find(|(v, _)| *v == d.version) {
            Some((_, items)) => items.push(d),
            None => groups.push((&d.version, vec![d])),
        }
    }
    for (version, items) in groups {
        let (one, many) = if items.iter().all(|d| d.kind == "host") {
            ("host", "hosts")
        } else if items.iter().all(|d| d.kind == "component") {
            ("component", "components")
        } else {
            ("item", "items")
        };
        let lead = format!(
            "  {} already at {}, not planned: ",
            count(items.len(), one, many),
            printable(version)
        );
        let names: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let comma = if i + 1 < items.len() { "," } else { "" };
                format!("{}{comma}", printable(&d.name))
            })
            .collect();
        wrapped(out, &lead, 4, &names);
    }
}

/// The baselines as a small table: what today's tools would do, and what the plan saves.
fn baselines(out: &mut String, doc: &PlanDocument, paint: Paint) {
    let rows = &doc.summary.baselines;
    let Some(headline) = super::baselines::headline(rows) else {
        return;
    };
    let _ = writeln!(
        out,
        "\n{}",
        paint.bold("Compared with today's tools (each checked by quorate's validator)")
    );
    let names: Vec<String> = rows.iter().map(super::baselines::name).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let waves_width = rows.iter().map(|b| b.waves.to_string().len()).max().unwrap_or(0);
    let minutes_width = rows
        .iter()
        .map(|b| b.total_minutes.to_string().len())
        .max()
        .unwrap_or(0);
    for (b, name) in rows.iter().zip(&names) {
        let verdict = super::baselines::verdict(b);
        let verdict = match b.safe {
            Some(true) => paint.green(&verdict),
            _ => paint.yellow(&printable(&verdict)),
        };
        let _ = writeln!(
            out,
            "  {name:<width$}  {:>waves_width$} {}  {:>minutes_width$} min  {verdict}",
            b.waves,
            if b.waves == 1 { "wave " } else { "waves" },
            b.total_minutes,
        );
    }
    wrapped(out, "  ", 2, &words(&headline));
}

fn render_wave(out: &mut String, wave: &WaveDocument, waves: usize, start: u64, paint: Paint) {
    let _ = writeln!(
        out,
        "{}, starts at {}, takes {}",
        paint.bold(&format!("Wave {} of {waves}", wave.index)),
        offset(start),
        duration(wave.minutes)
    );
    list(out, "hosts:", &wave.hosts);
    list(out, "fault domains down:", &wave.fault_domains_down);
    list(out, "sites down:", &wave.sites_down);
    down_with_host(out, wave);
    checks(out, "pre-checks:", &wave.pre_checks, paint);
    if !wave.moves.is_empty() {
        let _ = writeln!(out, "  moves:");
        let names = |f: fn(&crate::document::MoveDocument) -> &str| {
            wave.moves
                .iter()
                .map(move |m| printable(f(m)).chars().count())
                .max()
        };
        let workload_width = names(|m| &m.workload).unwrap_or(0);
        let from_width = names(|m| &m.from).unwrap_or(0);
        for m in &wave.moves {
            let line = format!(
                "    {:<workload_width$}  {:<from_width$} -> {}",
                printable(&m.workload),
                printable(&m.from),
                printable(&m.to)
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    if !wave.steps.is_empty() {
        let _ = writeln!(out, "  steps:");
        let number_width = wave.steps.len().to_string().len();
        for (n, step) in wave.steps.iter().enumerate() {
            let lead = format!(
                "    {:>number_width$}. {} ",
                n + 1,
                paint.cyan(&printable(&step.id))
            );
            let mut pieces = vec![printable(&step.action).into_owned()];
            pieces.push(printable(&step.target).into_owned());
            if let Some(detail) = &step.detail {
                pieces.push(format!("— {}", printable(detail)));
            }
            wrapped(out, &lead, 6 + number_width, &pieces);
            if let Some(command) = &step.command {
                command_lines(out, 6 + number_width, command, paint);
            }
        }
    }
    checks(out, "post-checks:", &wave.post_checks, paint);
    if let Some(rollback) = &wave.rollback {
        let _ = writeln!(out, "  rollback:");
        for line in rollback.lines() {
            wrapped(out, "    ", 4, &words(line));
        }
    }
}

/// The workloads that cannot move, each with its host: down with it during the wave. Nothing
/// when there are none.
fn down_with_host(out: &mut String, wave: &WaveDocument) {
    if let Some(pinned) = super::down_with_host(wave, str::to_string) {
        list(out, "down with host:", &pinned);
    }
}

/// `  label: a, b, c`, wrapped; `none` for an empty list.
fn list(out: &mut String, label: &str, names: &[String]) {
    let lead = format!("  {label:<19} ");
    if names.is_empty() {
        let _ = writeln!(out, "{lead}none");
        return;
    }
    let last = names.len() - 1;
    let pieces: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let name = printable(n);
            if i == last {
                name.into_owned()
            } else {
                format!("{name},")
            }
        })
        .collect();
    wrapped(out, &lead, lead.len(), &pieces);
}

fn checks(out: &mut String, label: &str, checks: &[CheckDocument], paint: Paint) {
    if checks.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {label}");
    for check in checks {
        let lead = format!("    [ ] {} ", paint.cyan(&printable(&check.id)));
        let mut pieces = vec![
            format!("({})", printable(&check.kind)),
            format!("{}:", printable(&check.subject)),
        ];
        pieces.extend(words(&check.expect));
        wrapped(out, &lead, 8, &pieces);
        if let Some(command) = &check.command {
            command_lines(out, 8, command, paint);
        }
        if let Some(assert) = &check.assert {
            let _ = writeln!(
                out,
                "{:8}{}",
                "",
                paint.dim("assert (exits 0 only when this holds):")
            );
            command_lines(out, 8, assert, paint);
        }
    }
}

/// A command, `$ ` before its first line, never wrapped.
fn command_lines(out: &mut String, indent: usize, command: &str, paint: Paint) {
    for (i, line) in command.lines().enumerate() {
        let prompt = if i == 0 { "$ " } else { "  " };
        let _ = writeln!(out, "{:indent$}{}{}", "", paint.dim(prompt), printable(line));
    }
}

/// The words of prose, control characters written out.
fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| printable(w).into_owned())
        .collect()
}

/// Writes `lead` then `pieces` separated by spaces, starting a new line indented by `hang`
/// columns whenever the next piece would pass [`WIDTH`]. A piece longer than a line gets a line
/// of its own rather than being cut.
fn wrapped(out: &mut String, lead: &str, hang: usize, pieces: &[String]) {
    out.push_str(lead);
    let mut column = visible_width(lead);
    let mut first = true;
    for piece in pieces {
        let width = piece.chars().count();
        if !first && column + 1 + width > WIDTH {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', hang));
            column = hang;
        } else if !first {
            out.push(' ');
            column += 1;
        }
        out.push_str(piece);
        column += width;
        first = false;
    }
    // `lead` may end with a space that no piece followed.
    let trimmed = out.trim_end_matches(' ').len();
    out.truncate(trimmed);
    out.push('\n');
}

/// Columns taken by `s` on the screen: characters, without our own colour sequences.
fn visible_width(s: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (false, _) => width += 1,
            (true, 'm') => in_escape = false,
            (true, _) => {}
        }
    }
    width
}

/// ANSI styling, or none.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\u{1b}[{code}m{s}\u{1b}[0m")
        } else {
            s.to_string()
        }
    }

    fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }

    fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }

    fn green(self, s: &str) -> String {
        self.wrap("32", s)
    }

    fn yellow(self, s: &str) -> String {
        self.wrap("33", s)
    }

    fn cyan(self, s: &str) -> String {
        self.wrap("36", s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_wrap_under_the_width_with_a_hanging_indent() {
        let names: Vec<String> = (0..60).map(|i| format!("esx-{i:03}")).collect();
        let mut out = String::new();
        list(&mut out, "hosts:", &names);
        assert!(out.lines().count() > 1, "{out}");
        for line in out.lines() {
            assert!(line.chars().count() <= WIDTH, "{line:?}");
        }
        assert!(out.lines().nth(1).unwrap().starts_with(&" ".repeat(22)));
        assert!(out.contains("esx-059\n"));
    }

    #[test]
    fn colour_sequences_take_no_columns() {
        let paint = Paint(true);
        assert_eq!(visible_width(&paint.cyan("W1.S1")), 5);
        assert_eq!(visible_width("    [ ] "), 8);
    }
}
