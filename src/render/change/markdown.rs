//! `-o change-md`: the change request as a Markdown document, the same fields and the same text
//! as the JSON ([`super::build`]), each field a section under its ServiceNow label.

use std::fmt::Write as _;

use crate::document::PlanDocument;
use crate::render::markdown_inline::{code, line, text};

use super::{Section, Timestamp, build};

/// The change request of `doc`, starting at `start`, in Markdown.
pub fn render(doc: &PlanDocument, start: Timestamp) -> String {
    let request = build(doc, start);
    let fields = super::text(doc, start);
    let mut out = String::new();
    let _ = writeln!(out, "# Change request: {}\n", text(&request.short_description));
    out.push_str("| Field | Value |\n| --- | --- |\n");
    let _ = writeln!(
        out,
        "| Planned start date (`start_date`) | {} UTC |",
        request.start_date
    );
    let _ = writeln!(
        out,
        "| Planned end date (`end_date`) | {} UTC |",
        request.end_date
    );
    let _ = writeln!(
        out,
        "| Cluster | {} |",
        code(&request.cluster).replace('|', "\\|")
    );
    for (label, field, sections) in [
        ("Description", "description", &fields.description),
        ("Justification", "justification", &fields.justification),
        (
            "Implementation plan",
            "implementation_plan",
            &fields.implementation_plan,
        ),
        ("Test plan", "test_plan", &fields.test_plan),
        ("Backout plan", "backout_plan", &fields.backout_plan),
        (
            "Risk and impact analysis",
            "risk_impact_analysis",
            &fields.risk_impact_analysis,
        ),
    ] {
        let _ = writeln!(out, "\n## {label} (`{field}`)");
        for section in sections {
            write_section(&mut out, section);
        }
    }
    out.push_str("\n## Configuration items (`cmdb_ci`)\n\n");
    let items: Vec<String> = request.cmdb_ci.iter().map(|c| code(c)).collect();
    let _ = writeln!(out, "{}", items.join(", "));
    out
}

fn write_section(out: &mut String, section: &Section) {
    let _ = writeln!(out, "\n### {}\n", text(&section.heading));
    for item in &section.lines {
        match &item.command {
            Some(command) => {
                let _ = writeln!(out, "- {}: {}", line(&item.text), code(command));
            }
            None => {
                let _ = writeln!(out, "- {}", line(&item.text));
            }
        }
    }
}
