//! Warnings as diagnostics: each [`Warning`] with the span of its subject in the description,
//! ready for miette to render with `file:line:column`.
//!
//! The model keeps no spans, so the description is read once more here, by the parse pass, to
//! find them; the text already loaded without errors, so this cannot fail, and a warning whose
//! subject has no key to point at (a wave) is rendered without a snippet.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceSpan};

use super::{Subject, Warning};
use crate::model::Resource;
use crate::parse::raw::RawCluster;
use crate::source::{Source, Span, drawable};

/// The warnings about one description, with its source.
#[derive(Debug, Clone)]
pub struct Warnings {
    source: Source,
    warnings: Vec<Warning>,
}

impl Warnings {
    /// Collects `warnings` about the description in `source`.
    pub fn new(source: &Source, warnings: Vec<Warning>) -> Self {
        Warnings {
            source: source.clone(),
            warnings,
        }
    }

    /// The warnings.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Each warning as a diagnostic pointing into the source.
    pub fn reports(&self) -> Vec<Located> {
        // Finding the spans parses the description again: on 5,000 hosts that is a second,
        // which a plan without warnings (most of them) must not spend inside its time limit.
        if self.warnings.is_empty() {
            return Vec::new();
        }
        let (raw, _) = crate::parse::parse(self.source.text());
        let named = self.source.named_source();
        self.warnings
            .iter()
            .map(|w| {
                let span = span_of(&raw, w.subject).filter(|s| drawable(self.source.text(), s));
                Located {
                    source: named.clone(),
                    warning: w.clone(),
                    span,
                }
            })
            .collect()
    }
}

/// Where `subject` is written in the description, if anywhere.
fn span_of(raw: &RawCluster, subject: Subject) -> Option<Span> {
    match subject {
        Subject::Platform => raw.cluster.platform.as_ref().map(|p| p.span()),
        Subject::Host(h, resource) => {
            let host = raw.hosts.get(h.index())?;
            let key = match resource {
                Some(Resource::Cpu) => host.cpu.as_ref().map(|v| v.span()),
                Some(Resource::Memory) => host.memory_gib.as_ref().map(|v| v.span()),
                Some(Resource::Storage) => host.storage_gib.as_ref().map(|v| v.span()),
                None => None,
            };
            key.or_else(|| host.name.as_ref().map(|n| n.span()))
                .or(Some(host.header.clone()))
        }
        Subject::Wave(_) => None,
    }
}

/// One warning with the source it points into.
#[derive(Debug)]
pub struct Located {
    source: NamedSource<Arc<str>>,
    warning: Warning,
    span: Option<Span>,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.warning.message)
    }
}

impl std::error::Error for Located {}

impl Diagnostic for Located {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.warning.kind.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.warning.help))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.as_ref()?;
        let at = SourceSpan::new(span.start.into(), span.end.saturating_sub(span.start));
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            Some(self.warning.label.clone()),
            at,
        ))))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.span
            .as_ref()
            .map(|_| &self.source as &dyn miette::SourceCode)
    }
}
