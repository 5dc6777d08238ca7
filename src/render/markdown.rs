//! The plan as a Markdown runbook, to paste into a change ticket.
//!
//! A title, a summary table, a table of the waves with their start offsets, a Mermaid Gantt
//! chart of the schedule, then one section per wave: what goes down, the pre-checks as a
//! checklist, the evacuation moves as a table, the steps as a numbered checklist with their
//! commands in fenced code blocks, the post-checks and the rollback. Sections the document has
//! nothing for are left out, so the runbook holds exactly what the plan document holds.
//!
//! Names are shown in code spans and prose is escaped (`markdown_inline.rs`), so the
//! Markdown renders the names as the operator wrote them, whatever punctuation they hold.

use std::fmt::Write as _;

use super::markdown_inline::{cell_code, code, fenced, line, text};
use super::{count, duration, mermaid, offset, quality, starts};
use crate::document::{CheckDocument, PlanDocument, StepDocument, WaveDocument};

/// Names shown per cell of the waves table; each wave's own section lists them all.
const OVERVIEW_NAMES: usize = 8;

/// Renders a plan document as a Markdown runbook (GitHub-flavoured: tables, task lists).
pub fn render(doc: &PlanDocument) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Upgrade runbook: {}\n", text(&doc.cluster));
    summary(&mut out, doc);
    baselines(&mut out, doc);
    overview(&mut out, doc);
    let _ = writeln!(out, "## Schedule\n");
    out.push_str("Times are offsets from the start of the maintenance window; waves run back to back.\n\n");
    let _ = writeln!(out, "```mermaid\n{}```\n", mermaid::gantt(doc));
    if !doc.warnings.is_empty() {
        let _ = writeln!(out, "## Warnings\n");
        for warning in &doc.warnings {
            let _ = writeln!(out, "- {}", line(warning));
        }
        out.push('\n');
    }
    diagnostics(&mut out, doc);
    let starts = starts(doc);
    for (wave, start) in doc.waves.iter().zip(starts) {
        render_wave(&mut out, wave, doc.waves.len(), start);
    }
    // One newline at the end of the file, whatever the last section was.
    let end = out.trim_end().len();
    out.truncate(end);
    out.push('\n');
    out
}

/// The platform-aware warnings (`quorate::warn::…`), before the waves: each with its code and
/// its help, whose lines after the first are the TOML table to add, as a code block.
fn diagnostics(out: &mut String, doc: &PlanDocument) {
    if doc.diagnostics.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Platform warnings\n");
    for d in &doc.diagnostics {
        let (help, table) = d.help.split_once('\n').unwrap_or((&d.help, ""));
        let _ = writeln!(
            out,
            // A hard break (a backslash at the end of the line) between the message and its help.
            "- **{}**: {}\\\n  {}\n",
            text(&d.code),
            text(&d.message),
            text(help)
        );
        if !table.is_empty() {
            out.push_str(&fenced("  ", "toml", table));
            out.push('\n');
        }
    }
}

/// The summary table; [`text`] escapes `|`, so prose is safe in a cell as it is.
fn summary(out: &mut String, doc: &PlanDocument) {
    let s = &doc.summary;
    out.push_str("| Summary | |\n| --- | --- |\n");
    let rows = [
        ("Cluster", cell_code(&doc.cluster)),
        ("Waves", s.waves.to_string()),
        ("Total time", duration(s.total_minutes)),
        ("Objective", text(&s.objective)),
        ("Optimality", text(&quality(s))),
        (
            "Lower bound",
            format!(
                "{}, {} min",
                count(s.lower_bound as usize, "wave", "waves"),
                s.lower_bound_minutes
            ),
        ),
    ];
    for (name, value) in rows {
        let _ = writeln!(out, "| {name} | {value} |");
    }
    out.push('\n');
}

/// What today's tools would do on the same cluster, each checked by the validator, and what
/// the plan saves against each.
fn baselines(out: &mut String, doc: &PlanDocument) {
    let rows = &doc.summary.baselines;
    let Some(headline) = super::baselines::headline(rows) else {
        return;
    };
    let _ = writeln!(out, "## Compared with today's tools\n");
    out.push_str("Each is run through quorate's validator, which is written apart from the planner.\n\n");
    out.push_str("| Strategy | Tools | Waves | Minutes | Safe | Saved by this plan |\n");
    out.push_str("| --- | --- | ---: | ---: | --- | --- |\n");
    for b in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} waves, {} min |",
            text(&super::baselines::name(b)),
            text(&b.tools.join(", ")),
            b.waves,
            b.total_minutes,
            text(&super::baselines::verdict(b)),
            b.waves_saved,
            b.minutes_saved
        );
    }
    let _ = writeln!(out, "\n{}.\n", text(&headline));
}

fn overview(out: &mut String, doc: &PlanDocument) {
    if doc.waves.is_empty() {
        out.push_str("Nothing to upgrade: every host and component is at its target version.\n\n");
        return;
    }
    let _ = writeln!(out, "## Waves\n");
    out.push_str("| Wave | Start | Minutes | Hosts | Fault domains down | Sites down |\n");
    out.push_str("| ---: | ---: | ---: | --- | --- | --- |\n");
    for (wave, start) in doc.waves.iter().zip(starts(doc)) {
        let _ = writeln!(
            out,
            "| [{n}](#wave-{n}) | {} | {} | {} | {} | {} |",
            offset(start),
            wave.minutes,
            cell_names(&wave.hosts, OVERVIEW_NAMES),
            cell_names(&wave.fault_domains_down, OVERVIEW_NAMES),
            cell_names(&wave.sites_down, OVERVIEW_NAMES),
            n = wave.index,
        );
    }
    out.push('\n');
}

fn render_wave(out: &mut String, wave: &WaveDocument, waves: usize, start: u64) {
    let _ = writeln!(out, "## Wave {}\n", wave.index);
    let _ = writeln!(
        out,
        "Wave {} of {waves}: starts at {}, takes {}.\n",
        wave.index,
        offset(start),
        duration(wave.minutes)
    );
    let _ = writeln!(out, "- **Hosts:** {}", names(&wave.hosts));
    let _ = writeln!(
        out,
        "- **Fault domains down:** {}",
        names(&wave.fault_domains_down)
    );
    let _ = writeln!(out, "- **Sites down:** {}", names(&wave.sites_down));
    down_with_host(out, wave);
    out.push('\n');
    checks(out, "Pre-checks", &wave.pre_checks);
    if !wave.moves.is_empty() {
        let _ = writeln!(out, "### Moves\n");
        out.push_str("| Workload | From | To |\n| --- | --- | --- |\n");
        for m in &wave.moves {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell_code(&m.workload),
                cell_code(&m.from),
                cell_code(&m.to)
            );
        }
        out.push('\n');
    }
    steps(out, &wave.steps);
    checks(out, "Post-checks", &wave.post_checks);
    if let Some(rollback) = &wave.rollback {
        let _ = writeln!(out, "### Rollback\n");
        // Each line of the text is its own line of the paragraph (a hard break between them).
        let lines: Vec<String> = rollback.lines().map(line).collect();
        let _ = writeln!(out, "{}\n", lines.join("\\\n"));
    }
}

/// The workloads that cannot move (`migration = "none"`), each with its host: down with it
/// during the wave, shut down before and started after. Nothing when there are none.
fn down_with_host(out: &mut String, wave: &WaveDocument) {
    if let Some(pinned) = super::down_with_host(wave, code) {
        let _ = writeln!(out, "- **Down with their host:** {}", pinned.join(", "));
    }
}

/// The checks as a task list: id, kind, subject and expectation, then the command.
fn checks(out: &mut String, title: &str, checks: &[CheckDocument]) {
    if checks.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title}\n");
    for check in checks {
        let _ = writeln!(
            out,
            "- [ ] **{}** ({}, {}): {}",
            text(&check.id),
            text(&check.kind),
            code(&check.subject),
            text(&check.expect)
        );
        match check.command.as_deref() {
            // A hard line break puts the command under the expectation, in the same item.
            Some(command) if !command.contains('\n') => {
                out.pop();
                let _ = writeln!(out, "\\\n  {}", code(command));
            }
            Some(command) => {
                out.push('\n');
                out.push_str(&fenced("  ", language(command), command));
            }
            None => {}
        }
        if let Some(assert) = &check.assert {
            // An assert is long: always a block, under a line that says what it is.
            if check.command.as_deref().is_some_and(|c| !c.contains('\n')) {
                out.push('\n');
            }
            let _ = writeln!(out, "  Assert (exits 0 only when this holds):\n");
            out.push_str(&fenced("  ", language(assert), assert));
        }
    }
    out.push('\n');
}

/// The fence language of a command: `powershell` for cmdlets (`Verb-Noun …`) and PowerShell
/// asserts (`$o = …`, `foreach (…)`), `sh` for everything else. A POSIX command never starts
/// with either: a capitalised hyphenated word is no POSIX tool the runbooks call, and `$o = x`
/// would run the value of `$o`.
fn language(command: &str) -> &'static str {
    let first = command.split_whitespace().next().unwrap_or("");
    let cmdlet = first.split_once('-').is_some_and(|(verb, noun)| {
        verb.starts_with(|c: char| c.is_ascii_uppercase())
            && noun.starts_with(|c: char| c.is_ascii_uppercase())
    });
    let variable = first.starts_with('$') && command.split_whitespace().nth(1) == Some("=");
    if cmdlet || variable || first == "foreach" {
        "powershell"
    } else {
        "sh"
    }
}

/// The steps as a numbered task list, each command in a fenced block under its step.
fn steps(out: &mut String, steps: &[StepDocument]) {
    if steps.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Steps\n");
    for (n, step) in steps.iter().enumerate() {
        let number = format!("{}. ", n + 1);
        let _ = write!(
            out,
            "{number}[ ] **{}** {} {}",
            text(&step.id),
            text(&step.action),
            code(&step.target)
        );
        match &step.detail {
            Some(detail) => {
                let _ = writeln!(out, ": {}", text(detail));
            }
            None => out.push('\n'),
        }
        if let Some(command) = &step.command {
            // The block belongs to the list item when indented to its content's column.
            out.push('\n');
            out.push_str(&fenced(&" ".repeat(number.len()), language(command), command));
            out.push('\n');
        }
    }
    out.push('\n');
}

/// Names as code spans separated by commas, or `none`.
fn names(list: &[String]) -> String {
    if list.is_empty() {
        return "none".to_string();
    }
    list.iter().map(|n| code(n)).collect::<Vec<_>>().join(", ")
}

/// [`names`] for a table cell, at most `shown` of them and a count of the rest.
fn cell_names(list: &[String], shown: usize) -> String {
    if list.is_empty() {
        return "none".to_string();
    }
    let mut cell = list
        .iter()
        .take(shown)
        .map(|n| cell_code(n))
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > shown {
        cell.push_str(&format!(" and {} more", list.len() - shown));
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powershell_is_fenced_as_powershell_and_the_rest_as_sh() {
        assert_eq!(
            language("Suspend-ClusterNode -Name 'hv01' -Drain -Wait"),
            "powershell"
        );
        assert_eq!(
            language("$o = (Get-ClusterNode -Name 'hv01').State; if (…)"),
            "powershell"
        );
        assert_eq!(language("foreach ($n in @('a','b')) { … }"), "powershell");
        assert_eq!(language("govc host.maintenance.enter 'esx-01'"), "sh");
        assert_eq!(language("o=$(ceph health -f json | jq -r .status); if …"), "sh");
        assert_eq!(language("ha-manager status"), "sh");
        assert_eq!(language("rc=0; for n in 'a'; do …; done"), "sh");
    }

    #[test]
    fn control_characters_never_reach_the_markdown() {
        assert_eq!(names(&["a\nb".to_string()]), "`a\\u{a}b`");
    }

    #[test]
    fn table_cells_show_the_first_names_and_count_the_rest() {
        let hosts: Vec<String> = (1..=10).map(|i| format!("h{i}")).collect();
        assert_eq!(cell_names(&hosts[..2], 8), "`h1`, `h2`");
        assert_eq!(cell_names(&hosts, 3), "`h1`, `h2`, `h3` and 7 more");
        assert_eq!(cell_names(&[], 3), "none");
    }
}
