//! The plan document: the serialisable form of a plan that scripts and change-management tools
//! consume (`-o json`), as the CLI contract fixes it.
//!
//! Field names are a contract: they may be added to, never renamed or removed. Each wave
//! carries its runbook ([`crate::runbook`]): pre-checks, steps, post-checks and a rollback note.

use serde::{Deserialize, Serialize};

use crate::model::{Cluster, ItemId};
use crate::plan::Plan;
use crate::plan::baselines::{self, BaselineDocument};
use crate::runbook::{self, Check, Step};
use crate::warnings::{Subject, Warning};

/// The version of this document's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDocument {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The cluster's name.
    pub cluster: String,
    /// Totals and optimality.
    pub summary: SummaryDocument,
    /// The waves, in order.
    pub waves: Vec<WaveDocument>,
    /// Rules the plan breaks knowingly ("should" anti-affinity).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Platform-aware warnings about the description and the plan ([`crate::warnings`]): a
    /// rule the platform always has that the description lacks, a wave that takes every host
    /// down (an addition to the contract; absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<DiagnosticDocument>,
}

/// One platform-aware warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticDocument {
    /// Always `warning`.
    pub severity: String,
    /// The stable code, e.g. `quorate::warn::no_quorum_group`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, with the missing TOML table where there is one.
    pub help: String,
    /// The wave it is about, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave: Option<usize>,
}

impl From<&Warning> for DiagnosticDocument {
    fn from(warning: &Warning) -> Self {
        DiagnosticDocument {
            severity: "warning".to_string(),
            code: warning.kind.code().to_string(),
            message: warning.message.clone(),
            help: warning.help.clone(),
            wave: match warning.subject {
                Subject::Wave(n) => Some(n),
                _ => None,
            },
        }
    }
}

/// Totals and optimality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryDocument {
    /// Number of waves.
    pub waves: usize,
    /// Lower bound on the number of waves of any safe plan.
    pub lower_bound: u32,
    /// Whether the plan is proven optimal for the objective.
    pub optimal: bool,
    /// The objective: `waves` or `duration`.
    pub objective: String,
    /// Total minutes.
    pub total_minutes: u64,
    /// Lower bound on the total minutes of any safe plan.
    pub lower_bound_minutes: u64,
    /// What proved the bound: `bounds`, `ilp` or `none`.
    pub proof: String,
    /// The MILP backend.
    pub solver: String,
    /// Wall-clock seconds of the solve.
    pub solve_seconds: f64,
    /// What today's tools would do on the same cluster, each checked by the validator
    /// ([`crate::plan::baselines`]); empty in a document without runbook.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baselines: Vec<BaselineDocument>,
    /// Hosts and components already at their target version, which the plan leaves out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub already_done: Vec<DoneDocument>,
}

/// A host or component already at its target version: not planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoneDocument {
    /// Its name.
    pub name: String,
    /// `host` or `component`.
    pub kind: String,
    /// The version it runs, which is its target.
    pub version: String,
}

/// One wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaveDocument {
    /// One-based position.
    pub index: usize,
    /// Hosts and components upgraded in the wave.
    pub hosts: Vec<String>,
    /// Fault domains down during the wave, including those of unavailable hosts.
    pub fault_domains_down: Vec<String>,
    /// Sites down during the wave.
    #[serde(default)]
    pub sites_down: Vec<String>,
    /// How long the wave takes.
    pub minutes: u64,
    /// Evacuation moves.
    pub moves: Vec<MoveDocument>,
    /// Workloads that cannot move (`migration = "none"`) and are down with their host during
    /// the wave (an addition to the contract; absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub down_with_host: Vec<PinnedDocument>,
    /// Assertions to verify before the wave starts.
    #[serde(default)]
    pub pre_checks: Vec<CheckDocument>,
    /// What to do, in order.
    #[serde(default)]
    pub steps: Vec<StepDocument>,
    /// Assertions to verify after the wave.
    #[serde(default)]
    pub post_checks: Vec<CheckDocument>,
    /// How to back out of the wave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<String>,
}

/// One evacuation move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveDocument {
    /// The workload.
    pub workload: String,
    /// The host it leaves.
    pub from: String,
    /// The host it goes to.
    pub to: String,
}

/// A workload down with its host: it cannot move (`migration = "none"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedDocument {
    /// The workload.
    pub workload: String,
    /// The host it stays on, down during the wave.
    pub host: String,
}

/// A pre- or post-check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDocument {
    /// Stable id, e.g. `W1.PRE.3`.
    pub id: String,
    /// What kind of assertion, e.g. `quorum`, `capacity`, `version`.
    pub kind: String,
    /// What it is about: a group, host, resource.
    pub subject: String,
    /// The expected state, with numbers.
    pub expect: String,
    /// A shell command that verifies it, where the platform has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// A command that exits 0 exactly when the expectation holds and otherwise prints the
    /// expected and the observed value, where the platform has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assert: Option<String>,
}

/// A step of the runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDocument {
    /// Stable id, e.g. `W1.S4`.
    pub id: String,
    /// What to do: `migrate`, `enter_maintenance`, `upgrade`, `reboot`, `exit_maintenance`, …
    pub action: String,
    /// The host, component or workload it acts on.
    pub target: String,
    /// A shell command for it, where the platform has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The step in words, with what to watch for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl From<&Check> for CheckDocument {
    fn from(check: &Check) -> Self {
        CheckDocument {
            id: check.id.clone(),
            kind: check.kind.name().to_string(),
            subject: check.subject.clone(),
            expect: check.expect.clone(),
            command: check.command.clone(),
            assert: check.assert.clone(),
        }
    }
}

impl From<&Step> for StepDocument {
    fn from(step: &Step) -> Self {
        StepDocument {
            id: step.id.clone(),
            action: step.action.name().to_string(),
            target: step.target.clone(),
            command: step.command.clone(),
            detail: Some(step.detail.clone()),
        }
    }
}

impl PlanDocument {
    /// The document of `plan` for `cluster`, with the runbook of every wave and the baselines.
    pub fn new(cluster: &Cluster, plan: &Plan) -> Self {
        let mut doc = Self::without_runbook(cluster, plan);
        let runbook = runbook::build(cluster, plan);
        for (wave, book) in doc.waves.iter_mut().zip(&runbook.waves) {
            wave.pre_checks = book.pre_checks.iter().map(CheckDocument::from).collect();
            wave.steps = book.steps.iter().map(StepDocument::from).collect();
            wave.post_checks = book.post_checks.iter().map(CheckDocument::from).collect();
            wave.rollback = Some(book.rollback.clone());
        }
        let (waves, minutes) = (doc.summary.waves, doc.summary.total_minutes);
        doc.summary.baselines = baselines::baselines(cluster)
            .iter()
            .map(|b| b.document(waves, minutes))
            .collect();
        doc
    }

    /// The document of `plan` for `cluster`, without runbook content (checks and steps empty,
    /// no rollback) and without baselines: the plan alone.
    pub fn without_runbook(cluster: &Cluster, plan: &Plan) -> Self {
        let waves = plan
            .waves
            .iter()
            .enumerate()
            .map(|(t, wave)| {
                let mut domains: Vec<_> = wave
                    .hosts()
                    .chain(cluster.unavailable_hosts())
                    .map(|h| cluster.host(h).fault_domain)
                    .collect();
                domains.sort_unstable();
                domains.dedup();
                let mut sites: Vec<_> = wave
                    .hosts()
                    .chain(cluster.unavailable_hosts())
                    .filter_map(|h| cluster.site_of(h))
                    .collect();
                sites.sort_unstable();
                sites.dedup();
                WaveDocument {
                    index: t + 1,
                    hosts: wave.items.iter().map(|&i| item_name(cluster, i)).collect(),
                    fault_domains_down: domains
                        .iter()
                        .map(|&d| cluster.fault_domain(d).name.clone())
                        .collect(),
                    sites_down: sites
                        .iter()
                        .map(|s| cluster.sites[s.index()].name.clone())
                        .collect(),
                    minutes: wave.minutes(cluster),
                    moves: wave
                        .moves
                        .iter()
                        .map(|m| MoveDocument {
                            workload: cluster.workload(m.workload).name.clone(),
                            from: cluster.host(m.from).name.clone(),
                            to: cluster.host(m.to).name.clone(),
                        })
                        .collect(),
                    down_with_host: runbook::facts::pinned(cluster, wave)
                        .into_iter()
                        .map(|(w, h)| PinnedDocument {
                            workload: cluster.workload(w).name.clone(),
                            host: cluster.host(h).name.clone(),
                        })
                        .collect(),
                    pre_checks: Vec::new(),
                    steps: Vec::new(),
                    post_checks: Vec::new(),
                    rollback: None,
                }
            })
            .collect();
        PlanDocument {
            schema_version: SCHEMA_VERSION,
            cluster: cluster.name.clone(),
            summary: SummaryDocument {
                waves: plan.waves.len(),
                lower_bound: plan.quality.lower_bound_waves,
                optimal: plan.quality.optimal,
                objective: cluster.policy.objective.name().to_string(),
                total_minutes: plan.total_minutes(cluster),
                lower_bound_minutes: plan.quality.lower_bound_minutes,
                proof: plan.quality.proof.to_string(),
                solver: plan.quality.solver.to_string(),
                solve_seconds: plan.quality.solve_seconds,
                baselines: Vec::new(),
                already_done: already_done(cluster),
            },
            waves,
            warnings: plan.warnings.clone(),
            diagnostics: crate::warnings::check(cluster, Some(plan))
                .iter()
                .map(DiagnosticDocument::from)
                .collect(),
        }
    }

    /// The document as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a plan document always serialises");
        text.push('\n');
        text
    }
}

fn already_done(cluster: &Cluster) -> Vec<DoneDocument> {
    let mut out = Vec::new();
    for (version, items) in cluster.already_done() {
        for item in items {
            out.push(DoneDocument {
                name: item_name(cluster, item),
                kind: match item {
                    ItemId::Host(_) => "host",
                    ItemId::Component(_) => "component",
                }
                .to_string(),
                version: version.to_string(),
            });
        }
    }
    out
}

fn item_name(cluster: &Cluster, item: ItemId) -> String {
    cluster.item_name(item).to_string()
}
