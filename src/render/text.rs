//! The plan for the terminal.

use std::fmt::Write;

use crate::document::PlanDocument;

/// Renders a plan document as plain text.
pub fn render(doc: &PlanDocument) -> String {
    let mut out = String::new();
    let s = &doc.summary;
    let _ = writeln!(
        out,
        "plan for {}: {} wave{}, {} minutes ({})",
        doc.cluster,
        s.waves,
        if s.waves == 1 { "" } else { "s" },
        s.total_minutes,
        if s.optimal {
            format!("optimal for {}, proven by {}", s.objective, s.proof)
        } else if s.objective == "waves" {
            format!("not proven optimal: at least {} waves", s.lower_bound)
        } else {
            format!("not proven optimal: at least {} minutes", s.lower_bound_minutes)
        }
    );
    for wave in &doc.waves {
        let _ = writeln!(
            out,
            "\nwave {} ({} min): {}",
            wave.index,
            wave.minutes,
            wave.hosts.join(", ")
        );
        if !wave.fault_domains_down.is_empty() {
            let _ = writeln!(
                out,
                "  fault domains down: {}",
                wave.fault_domains_down.join(", ")
            );
        }
        for m in &wave.moves {
            let _ = writeln!(out, "  move {} {} -> {}", m.workload, m.from, m.to);
        }
    }
    for warning in &doc.warnings {
        let _ = writeln!(out, "\nwarning: {warning}");
    }
    out
}
