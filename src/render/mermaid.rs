//! The waves as a Mermaid Gantt chart, for the Markdown runbook.
//!
//! One section per wave, one task per section, each task starting when the previous one ends
//! and lasting the wave's minutes. Times are offsets from the start of the window (the chart
//! starts at 00:00), since the plan does not know when the window opens.
//!
//! Mermaid's Gantt grammar has no escapes: `#` and `%%` start comments, `:` ends a task's name,
//! `;` ends a statement, and a line that starts with a keyword (`title`, `section`, `click`,
//! ...) is that statement. So labels are sanitised to a safe alphabet rather than escaped, and
//! every task name starts with its wave number (`W2 ...`), never with a name from the cluster.

use std::fmt::Write as _;

use crate::document::PlanDocument;

/// Task names longer than this many characters are cut, with the number of hosts left out.
const LABEL_LENGTH: usize = 48;

/// The chart, without the Markdown fence.
pub(super) fn gantt(doc: &PlanDocument) -> String {
    let mut out = String::from("gantt\n");
    let _ = writeln!(
        out,
        "    title {} upgrade, {}, {} min",
        label(&doc.cluster),
        super::count(doc.waves.len(), "wave", "waves"),
        doc.summary.total_minutes
    );
    out.push_str("    dateFormat HH:mm\n");
    out.push_str("    axisFormat %H:%M\n");
    for wave in &doc.waves {
        let n = wave.index;
        let _ = writeln!(out, "    section Wave {n}");
        let start = if n <= 1 {
            "00:00".to_string()
        } else {
            format!("after w{}", n - 1)
        };
        // A wave of no minutes (nothing to wait for) still shows, as a milestone.
        let milestone = if wave.minutes == 0 { "milestone, " } else { "" };
        let _ = writeln!(
            out,
            "    W{n} {} : {milestone}w{n}, {start}, {}m",
            hosts_label(&wave.hosts),
            wave.minutes
        );
    }
    out
}

/// `esx01, esx02, esx03 (+5 more)`, cut to about [`LABEL_LENGTH`] characters.
fn hosts_label(hosts: &[String]) -> String {
    let mut out = String::new();
    for (shown, host) in hosts.iter().enumerate() {
        let name = label(host);
        let separator = if shown == 0 { "" } else { ", " };
        if shown > 0 && out.chars().count() + separator.len() + name.chars().count() > LABEL_LENGTH {
            let _ = write!(out, " (+{} more)", hosts.len() - shown);
            return out;
        }
        out.push_str(separator);
        out.push_str(&name);
    }
    out
}

/// `s` with every character that Mermaid's Gantt syntax or its HTML labels could interpret
/// replaced by `_`: letters and digits of any script stay, and so do space and `-_.,/+()@`.
fn label(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.,/+()@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "_".to_string()
    } else {
        cleaned.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_keep_only_characters_mermaid_leaves_alone() {
        assert_eq!(label("esx-01"), "esx-01");
        assert_eq!(label("a:b;c#d%%e"), "a_b_c_d__e");
        assert_eq!(label("<b>&\"'`{}[]\n"), "_b__________");
        assert_eq!(label("日本 🦀"), "日本 _");
        assert_eq!(label("  "), "_");
    }

    #[test]
    fn long_host_lists_are_cut_with_a_count() {
        let hosts: Vec<String> = (1..=20).map(|i| format!("esx{i:02}")).collect();
        let text = hosts_label(&hosts);
        assert!(text.starts_with("esx01, esx02"), "{text}");
        assert!(text.ends_with("more)"), "{text}");
        assert!(text.chars().count() <= LABEL_LENGTH + 12, "{text}");
        assert_eq!(hosts_label(&hosts[..2]), "esx01, esx02");
    }
}
