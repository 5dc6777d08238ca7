//! Differences as diagnostics drawn on the description, and as JSON for scripts.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};
use serde_json::{Value, json};

use super::Difference;
use crate::source::Source;

/// One difference with the description it points into, ready for miette.
#[derive(Debug)]
pub struct DriftReport {
    difference: Difference,
    source: NamedSource<Arc<str>>,
}

impl DriftReport {
    /// Every difference, each attached to `source`.
    pub fn all(differences: &[Difference], source: &Source) -> Vec<DriftReport> {
        differences
            .iter()
            .map(|d| DriftReport {
                difference: d.clone(),
                source: source.named_source(),
            })
            .collect()
    }
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.difference.message)
    }
}

impl std::error::Error for DriftReport {}

impl Diagnostic for DriftReport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "quorate::drift::{}",
            self.difference.kind.code()
        )))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(
            "update the description (or `quorate import` it again), or bring the cluster back \
             to what it declares, before planning",
        ))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = &self.difference.span;
        let label = match &self.difference.declared {
            Some(_) => format!("live: {}", self.difference.live),
            None => format!("live: {} (not declared)", self.difference.live),
        };
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(label),
            span.start,
            span.end - span.start,
        ))))
    }
}

/// `{"drift": bool, "differences": [...]}`, each with its code, subject, message, declared and
/// live values, and the line and column of the key in the description.
pub fn to_json(differences: &[Difference], source: &Source) -> Value {
    let items: Vec<Value> = differences
        .iter()
        .map(|d| {
            let (line, column) = source.line_col(d.span.start);
            json!({
                "code": d.kind.code(),
                "subject": d.subject,
                "message": d.message,
                "declared": d.declared,
                "live": d.live,
                "line": line,
                "column": column,
            })
        })
        .collect();
    json!({"drift": !differences.is_empty(), "differences": items})
}
