//! The reporter of "no safe plan": turns the solver's conflicts ([`NoSafePlan`], data) into
//! prose for a terminal and into the JSON document of `plan -o json`.
//!
//! The solver only says which rules conflict and which items they stop; how that reads is
//! decided here, once, for every front end (pubgrub's split between a derivation tree and its
//! `Reporter`).

use serde::Serialize;

use crate::document::SCHEMA_VERSION;
use crate::solve::NoSafePlan;

/// Conflicts shown in prose; the rest are counted.
const SHOWN: usize = 8;

/// Why no plan exists for cluster `cluster`, as lines for standard error.
pub fn prose(cluster: &str, no_plan: &NoSafePlan) -> String {
    let mut out = format!("error: no safe plan exists for cluster {cluster}\n");
    for conflict in no_plan.conflicts.iter().take(SHOWN) {
        match conflict.items.as_slice() {
            [] => out.push_str(&format!("  - {}\n", conflict.reason)),
            [one] => out.push_str(&format!(
                "  - {one} cannot go down even alone: {}\n",
                conflict.reason
            )),
            [first, rest @ ..] => out.push_str(&format!(
                "  - {first} (and {}) cannot go down even alone: {}\n",
                rest.join(", "),
                conflict.reason
            )),
        }
    }
    if no_plan.conflicts.len() > SHOWN {
        out.push_str(&format!(
            "  … and {} more like these\n",
            no_plan.conflicts.len() - SHOWN
        ));
    }
    out.push_str(
        "help: relax one of these rules, add capacity, or bring unavailable hosts back, then plan again\n",
    );
    out
}

/// The no-safe-plan document of `-o json` (the `no_safe_plan` branch of
/// `schema/plan.schema.json`), fields in this order.
#[derive(Serialize)]
struct NoPlanDocument<'a> {
    schema_version: u32,
    cluster: &'a str,
    feasible: bool,
    conflicts: Vec<ConflictDocument<'a>>,
}

#[derive(Serialize)]
struct ConflictDocument<'a> {
    rule: &'a str,
    items: &'a [String],
    reason: &'a str,
}

/// The JSON document saying that no plan exists for cluster `cluster`, and why.
pub fn json(cluster: &str, no_plan: &NoSafePlan) -> String {
    let doc = NoPlanDocument {
        schema_version: SCHEMA_VERSION,
        cluster,
        feasible: false,
        conflicts: no_plan
            .conflicts
            .iter()
            .map(|c| ConflictDocument {
                rule: &c.rule,
                items: &c.items,
                reason: &c.reason,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("the document serialises");
    text.push('\n');
    text
}
