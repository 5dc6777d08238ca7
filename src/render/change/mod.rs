//! `-o change` and `-o change-md`: the plan as a change request.
//!
//! The JSON names its fields as ServiceNow's `change_request` table does, so that it can be
//! posted to the Table API (`POST /api/now/table/change_request`) or mapped to another change
//! system: `short_description`, `description`, `justification`, `implementation_plan`,
//! `test_plan`, `backout_plan`, `risk_impact_analysis`, `start_date`, `end_date` and `cmdb_ci`.
//! The form labels of these fields (Justification, Implementation plan, Risk and impact
//! analysis, Backout plan, Test plan, Planned start date, Planned end date, Configuration item)
//! are listed in ServiceNow's documentation, "Create change request forms"
//! (ServiceNow/ServiceNowDocs, markdown/it-operations-management/service-reliability-management/
//! sr-create-change-request-form.md). Dates are in the Table API's form, `YYYY-MM-DD HH:MM:SS`,
//! in UTC. `cmdb_ci` is a single reference in ServiceNow; here it lists every affected host and
//! component, for the change's affected-CI list. `waves` is not a ServiceNow field: it carries
//! the same schedule as data, with RFC 3339 times, for tools.
//!
//! The text fields are built once, as [`Section`]s, and written as plain text into the JSON and
//! as Markdown by [`markdown`], so the two forms always say the same thing. Times come from
//! `--start` and the waves' durations, waves back to back. The schema is
//! `schema/change.schema.json`.

pub mod markdown;
mod sections;
mod time;

use serde::Serialize;

use crate::document::{MoveDocument, PinnedDocument, PlanDocument};

pub use time::{TimeError, Timestamp};

/// The version of the change request's shape.
pub const CHANGE_SCHEMA_VERSION: u32 = 1;

/// ServiceNow limits `short_description` to 160 characters.
const SHORT_DESCRIPTION_MAX: usize = 160;

/// A change request, fields named as ServiceNow's `change_request` table names them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeRequest {
    /// Always [`CHANGE_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The cluster's name.
    pub cluster: String,
    /// One line: the cluster, the number of waves, the duration.
    pub short_description: String,
    /// What is done, and the waves in brief.
    pub description: String,
    /// Why the plan is safe, and how good it is.
    pub justification: String,
    /// Per wave, its planned start and end, then its steps in order.
    pub implementation_plan: String,
    /// Per wave, the pre-checks and the post-checks.
    pub test_plan: String,
    /// Per wave, the rollback note.
    pub backout_plan: String,
    /// What is down when, workloads moved, fault domains and sites down, optimality.
    pub risk_impact_analysis: String,
    /// Planned start, `YYYY-MM-DD HH:MM:SS` in UTC.
    pub start_date: String,
    /// Planned end, `YYYY-MM-DD HH:MM:SS` in UTC.
    pub end_date: String,
    /// The affected hosts and components, in plan order.
    pub cmdb_ci: Vec<String>,
    /// The schedule as data (not a ServiceNow field).
    pub waves: Vec<ChangeWave>,
}

/// One wave's schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeWave {
    /// One-based position.
    pub index: usize,
    /// Planned start, RFC 3339 in UTC.
    pub start: String,
    /// Planned end, RFC 3339 in UTC.
    pub end: String,
    /// How long the wave takes.
    pub minutes: u64,
    /// Hosts and components upgraded (down) in the wave.
    pub hosts: Vec<String>,
    /// Fault domains down during the wave.
    pub fault_domains_down: Vec<String>,
    /// Sites down during the wave.
    pub sites_down: Vec<String>,
    /// Workloads moved before the wave.
    pub moves: Vec<MoveDocument>,
    /// Workloads that cannot move, down with their host during the wave (absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub down_with_host: Vec<PinnedDocument>,
}

/// A part of a text field: a heading and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// What the lines are about: `Wave 1: 2026-12-05 22:00 UTC to 23:45 UTC`.
    pub heading: String,
    /// The lines, in order.
    pub lines: Vec<Line>,
}

/// One line of a section: prose, and a command where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line in words.
    pub text: String,
    /// A command that goes with it.
    pub command: Option<String>,
}

/// Every text field, as sections, in the order of the change request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeText {
    /// `description`.
    pub description: Vec<Section>,
    /// `justification`.
    pub justification: Vec<Section>,
    /// `implementation_plan`.
    pub implementation_plan: Vec<Section>,
    /// `test_plan`.
    pub test_plan: Vec<Section>,
    /// `backout_plan`.
    pub backout_plan: Vec<Section>,
    /// `risk_impact_analysis`.
    pub risk_impact_analysis: Vec<Section>,
}

/// The start of each wave, and the end of the last, from `start`.
fn schedule(doc: &PlanDocument, start: Timestamp) -> (Vec<(Timestamp, Timestamp)>, Timestamp) {
    let offsets = super::starts(doc);
    let waves = doc
        .waves
        .iter()
        .zip(offsets)
        .map(|(w, at)| {
            let begin = start.plus_minutes(at);
            (begin, begin.plus_minutes(w.minutes))
        })
        .collect();
    (waves, start.plus_minutes(doc.summary.total_minutes))
}

/// The text fields of the change request of `doc`, starting at `start`, as sections.
pub fn text(doc: &PlanDocument, start: Timestamp) -> ChangeText {
    sections::build(doc, &schedule(doc, start).0)
}

/// The change request of `doc`, starting at `start`.
pub fn build(doc: &PlanDocument, start: Timestamp) -> ChangeRequest {
    let (times, end) = schedule(doc, start);
    let text = sections::build(doc, &times);
    let mut cmdb_ci: Vec<String> = Vec::new();
    for host in doc.waves.iter().flat_map(|w| &w.hosts) {
        if !cmdb_ci.contains(host) {
            cmdb_ci.push(host.clone());
        }
    }
    ChangeRequest {
        schema_version: CHANGE_SCHEMA_VERSION,
        cluster: doc.cluster.clone(),
        short_description: short_description(doc),
        description: plain(&text.description),
        justification: plain(&text.justification),
        implementation_plan: plain(&text.implementation_plan),
        test_plan: plain(&text.test_plan),
        backout_plan: plain(&text.backout_plan),
        risk_impact_analysis: plain(&text.risk_impact_analysis),
        start_date: start.servicenow(),
        end_date: end.servicenow(),
        cmdb_ci,
        waves: doc
            .waves
            .iter()
            .zip(&times)
            .map(|(w, (begin, finish))| ChangeWave {
                index: w.index,
                start: begin.rfc3339(),
                end: finish.rfc3339(),
                minutes: w.minutes,
                hosts: w.hosts.clone(),
                fault_domains_down: w.fault_domains_down.clone(),
                sites_down: w.sites_down.clone(),
                moves: w.moves.clone(),
                down_with_host: w.down_with_host.clone(),
            })
            .collect(),
    }
}

/// The change request of `doc` as pretty JSON, ending with a newline.
pub fn render(doc: &PlanDocument, start: Timestamp) -> String {
    let mut text =
        serde_json::to_string_pretty(&build(doc, start)).expect("a change request always serialises");
    text.push('\n');
    text
}

/// `Rolling upgrade of prod-vsan-01: 16 hosts and components in 9 waves, 395 min (6 h 35 min)`,
/// cut to ServiceNow's 160 characters.
fn short_description(doc: &PlanDocument) -> String {
    let items: usize = doc.waves.iter().map(|w| w.hosts.len()).sum();
    let full = format!(
        "Rolling upgrade of {}: {} in {}, {}",
        super::printable(&doc.cluster),
        super::count(items, "host or component", "hosts and components"),
        super::count(doc.waves.len(), "wave", "waves"),
        super::duration(doc.summary.total_minutes)
    );
    if full.chars().count() <= SHORT_DESCRIPTION_MAX {
        return full;
    }
    let mut cut: String = full.chars().take(SHORT_DESCRIPTION_MAX - 1).collect();
    cut.push('…');
    cut
}

/// Sections as plain text: a heading line, then each line indented, `text: command`.
fn plain(sections: &[Section]) -> String {
    let mut out = String::new();
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&section.heading);
        out.push('\n');
        for line in &section.lines {
            out.push_str("  ");
            out.push_str(&line.text);
            if let Some(command) = &line.command {
                out.push_str(": ");
                out.push_str(command);
            }
            out.push('\n');
        }
    }
    out
}
