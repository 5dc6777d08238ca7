//! The plan as the validator reads it: names, not ids, each with an optional span.
//!
//! A hand-written plan may name things that do not exist, list a host twice or leave one out;
//! checking it by name is what lets the validator report those mistakes instead of failing to
//! build a typed [`Plan`]. The spans, when the plan came from a file, let every violation point
//! at the entry that caused it. A plan the solver made is converted with
//! [`PlanInput::from_plan`] and checked by exactly the same code.

use crate::model::Cluster;
use crate::plan::Plan;
use crate::source::Span;

/// A name as written in the plan, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The name.
    pub name: String,
    /// Its byte range in the plan file, when the plan came from one.
    pub span: Option<Span>,
}

impl Named {
    /// A name without a span (a plan built in memory).
    pub fn new(name: impl Into<String>) -> Self {
        Named {
            name: name.into(),
            span: None,
        }
    }

    /// A name found at `span` in the plan file.
    pub fn spanned(name: impl Into<String>, span: Span) -> Self {
        Named {
            name: name.into(),
            span: Some(span),
        }
    }
}

/// One evacuation move as written: `workload` leaves `from` (if stated) for `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveInput {
    /// The whole move: the `[[wave.move]]` table, or the move's JSON object.
    pub span: Option<Span>,
    /// The workload that moves.
    pub workload: Named,
    /// The host it leaves, when the plan states it; it must be the workload's host.
    pub from: Option<Named>,
    /// The host it goes to.
    pub to: Named,
}

/// One wave as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveInput {
    /// Where the wave is written: in a plan file, its `hosts` entry (key and list), which is
    /// what a violation of the wave as a whole points at.
    pub span: Option<Span>,
    /// Hosts and components upgraded in this wave.
    pub items: Vec<Named>,
    /// Evacuation moves: `None` when the plan gives none (the validator searches for a
    /// placement), `Some` when it gives a list, which must then be complete and correct
    /// (`Some(vec![])` says that nothing moves).
    pub moves: Option<Vec<MoveInput>>,
}

/// A plan as written, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanInput {
    /// The cluster the plan says it is for; it must match `[cluster] name` when present.
    pub cluster: Option<Named>,
    /// The waves, in the order they run.
    pub waves: Vec<WaveInput>,
}

impl PlanInput {
    /// The solver's plan for `cluster`, by name, with its moves (so the validator checks those
    /// exact moves rather than searching for its own).
    pub fn from_plan(cluster: &Cluster, plan: &Plan) -> Self {
        let waves = plan
            .waves
            .iter()
            .map(|wave| WaveInput {
                span: None,
                items: wave
                    .items
                    .iter()
                    .map(|&item| Named::new(cluster.item_name(item)))
                    .collect(),
                moves: Some(
                    wave.moves
                        .iter()
                        .map(|m| MoveInput {
                            span: None,
                            workload: Named::new(&cluster.workload(m.workload).name),
                            from: Some(Named::new(&cluster.host(m.from).name)),
                            to: Named::new(&cluster.host(m.to).name),
                        })
                        .collect(),
                ),
            })
            .collect();
        PlanInput {
            cluster: Some(Named::new(&cluster.name)),
            waves,
        }
    }
}
