//! The text of the change request's fields, as sections, from the plan document and the
//! schedule. One home for what each field says; [`super::plain`] and [`super::markdown`] only
//! lay it out.

use crate::document::{CheckDocument, PlanDocument};
use crate::render::{count, duration, quality};

use super::{ChangeText, Line, Section, Timestamp};

fn line(text: impl Into<String>) -> Line {
    Line {
        text: text.into(),
        command: None,
    }
}

fn with_command(text: impl Into<String>, command: Option<&String>) -> Line {
    Line {
        text: text.into(),
        command: command.cloned(),
    }
}

fn or_none(list: &[String]) -> String {
    if list.is_empty() {
        "none".to_string()
    } else {
        list.join(", ")
    }
}

/// `Wave 2 of 9, 2026-12-05 23:45 UTC to 2026-12-06 01:30 UTC (105 min)`.
fn wave_heading(
    doc: &PlanDocument,
    index: usize,
    minutes: u64,
    (start, end): (Timestamp, Timestamp),
) -> String {
    format!(
        "Wave {index} of {}, {} to {}, {}",
        doc.waves.len(),
        start.display(),
        end.display(),
        duration(minutes)
    )
}

/// Every field's sections; `times` holds each wave's start and end.
pub(super) fn build(doc: &PlanDocument, times: &[(Timestamp, Timestamp)]) -> ChangeText {
    let heading = |i: usize| {
        let wave = &doc.waves[i];
        wave_heading(doc, wave.index, wave.minutes, times[i])
    };
    let moves: usize = doc.waves.iter().map(|w| w.moves.len()).sum();
    let items: usize = doc.waves.iter().map(|w| w.hosts.len()).sum();

    let mut overview = vec![line(format!(
        "Rolling upgrade of cluster {}: {} in {}, {} in all; {} before the hosts go down.",
        doc.cluster,
        count(items, "host or component", "hosts and components"),
        count(doc.waves.len(), "wave", "waves"),
        duration(doc.summary.total_minutes),
        count(moves, "workload is moved", "workloads are moved"),
    ))];
    overview.extend(
        doc.waves
            .iter()
            .enumerate()
            .map(|(i, w)| line(format!("{}: {}", heading(i), w.hosts.join(", ")))),
    );
    let description = vec![Section {
        heading: "Summary".to_string(),
        lines: overview,
    }];

    let mut reasons = vec![
        line(
            "The upgrade goes in waves so that no wave loses a quorum, breaks a disruption budget, takes down more \
             fault domains or sites than allowed, or leaves too little capacity for the workloads moved off.",
        ),
        line(
            "quorate's validator, written apart from its planner, checked every wave of this plan against every rule \
             of the cluster description.",
        ),
        line(format!(
            "Plan quality: {} (lower bound {}).",
            quality(&doc.summary),
            count(doc.summary.lower_bound as usize, "wave", "waves")
        )),
    ];
    reasons.extend(
        doc.warnings
            .iter()
            .map(|w| line(format!("Accepted knowingly: {w}"))),
    );
    let justification = vec![Section {
        heading: "Why this plan".to_string(),
        lines: reasons,
    }];

    let implementation_plan = doc
        .waves
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut lines = vec![line(format!("Upgrade {}.", w.hosts.join(", ")))];
            lines.extend(w.steps.iter().map(|s| {
                let mut text = format!("{} {} {}", s.id, s.action, s.target);
                if let (None, Some(detail)) = (&s.command, &s.detail) {
                    text = format!("{text} (manual): {detail}");
                }
                with_command(text, s.command.as_ref())
            }));
            Section {
                heading: heading(i),
                lines,
            }
        })
        .collect();

    let check_line = |c: &CheckDocument| {
        let text = format!("{} {} {}: {}", c.id, c.kind, c.subject, c.expect);
        match (&c.assert, &c.command) {
            (Some(assert), _) => with_command(format!("{text}; assert"), Some(assert)),
            (None, command) => with_command(text, command.as_ref()),
        }
    };
    let mut test_plan = Vec::new();
    for (i, w) in doc.waves.iter().enumerate() {
        for (when, checks) in [("before", &w.pre_checks), ("after", &w.post_checks)] {
            let mut lines: Vec<Line> = checks.iter().map(check_line).collect();
            if lines.is_empty() {
                lines.push(line("no checks in the plan"));
            }
            test_plan.push(Section {
                heading: format!("{}, {when}", heading(i)),
                lines,
            });
        }
    }
    let backout_plan = doc
        .waves
        .iter()
        .enumerate()
        .map(|(i, w)| Section {
            heading: heading(i),
            lines: vec![line(
                w.rollback
                    .clone()
                    .unwrap_or_else(|| "no rollback note in the plan: stop, and bring the hosts of this wave back on their old version".to_string()),
            )],
        })
        .collect();

    let mut risk: Vec<Section> = doc
        .waves
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let moved: Vec<String> = w
                .moves
                .iter()
                .map(|m| format!("{} ({} to {})", m.workload, m.from, m.to))
                .collect();
            let pinned: Vec<String> = w
                .down_with_host
                .iter()
                .map(|p| format!("{} (on {}, shut down and started again)", p.workload, p.host))
                .collect();
            Section {
                heading: heading(i),
                lines: vec![
                    line(format!("Down: {}", or_none(&w.hosts))),
                    line(format!("Fault domains down: {}", or_none(&w.fault_domains_down))),
                    line(format!("Sites down: {}", or_none(&w.sites_down))),
                    line(format!("Workloads moved: {}", or_none(&moved))),
                    line(format!("Workloads down with their host: {}", or_none(&pinned))),
                ],
            }
        })
        .collect();
    risk.push(Section {
        heading: "Plan".to_string(),
        lines: vec![
            line(format!(
                "Proven optimal: {}",
                if doc.summary.optimal { "yes" } else { "no" }
            )),
            line(format!("Quality: {}", quality(&doc.summary))),
        ],
    });

    ChangeText {
        description,
        justification,
        implementation_plan,
        test_plan,
        backout_plan,
        risk_impact_analysis: risk,
    }
}
