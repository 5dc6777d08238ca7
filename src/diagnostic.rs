//! Input errors and warnings about a cluster description.
//!
//! Every problem with the input becomes one [`InputError`] with a stable code, a primary span, a
//! label and usually a help line. The passes collect them instead of stopping at the first, and
//! hand them back together as [`InputErrors`], which carries the source once so that miette can
//! render each error with `file:line:column`.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceSpan};

use crate::source::{Source, Span};

/// What went wrong, as a stable code that tests and scripts may rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The file cannot be read, or is not UTF-8.
    Io,
    /// The text is not valid TOML.
    Syntax,
    /// A key or table the format does not define.
    UnknownKey,
    /// A value of the wrong TOML type (a string where a number belongs).
    WrongType,
    /// A required key is absent.
    MissingKey,
    /// Two items of one kind share a name, or a list names something twice.
    DuplicateName,
    /// A name that does not refer to anything of the kind required.
    UnknownReference,
    /// A name that refers to items of more than one kind.
    AmbiguousName,
    /// A quorum that is not positive or exceeds the group's votes.
    InvalidQuorum,
    /// A disruption budget with both or neither limit, or a limit it can never meet.
    InvalidBudget,
    /// A number that is negative, NaN, infinite or outside its range.
    InvalidNumber,
    /// A string that is not one of the values a key accepts.
    InvalidValue,
    /// `order` rules that form a cycle.
    OrderCycle,
    /// A workload whose `allowed_hosts` does not include the host it runs on.
    AllowedHostsExcludeHost,
    /// A mandatory anti-affinity group that the current placement already breaks.
    AntiAffinityBroken,
    /// An entry that is valid but has no effect, so it is ignored (a warning).
    IgnoredEntry,
}

impl ErrorKind {
    /// The diagnostic code, e.g. `quorate::unknown_key`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Io => "quorate::io",
            ErrorKind::Syntax => "quorate::syntax",
            ErrorKind::UnknownKey => "quorate::unknown_key",
            ErrorKind::WrongType => "quorate::wrong_type",
            ErrorKind::MissingKey => "quorate::missing_key",
            ErrorKind::DuplicateName => "quorate::duplicate_name",
            ErrorKind::UnknownReference => "quorate::unknown_reference",
            ErrorKind::AmbiguousName => "quorate::ambiguous_name",
            ErrorKind::InvalidQuorum => "quorate::invalid_quorum",
            ErrorKind::InvalidBudget => "quorate::invalid_budget",
            ErrorKind::InvalidNumber => "quorate::invalid_number",
            ErrorKind::InvalidValue => "quorate::invalid_value",
            ErrorKind::OrderCycle => "quorate::order_cycle",
            ErrorKind::AllowedHostsExcludeHost => "quorate::allowed_hosts_exclude_host",
            ErrorKind::AntiAffinityBroken => "quorate::anti_affinity_broken",
            ErrorKind::IgnoredEntry => "quorate::ignored_entry",
        }
    }
}

/// One problem in the input, with where it is and how to fix it.
#[derive(Debug, Clone)]
pub struct InputError {
    kind: ErrorKind,
    severity: Severity,
    message: String,
    span: Span,
    label: String,
    help: Option<String>,
    secondary: Vec<(Span, String)>,
}

impl InputError {
    /// An error of `kind` at `span`, labelled with `label`.
    pub fn new(kind: ErrorKind, span: Span, message: impl Into<String>, label: impl Into<String>) -> Self {
        InputError {
            kind,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: label.into(),
            help: None,
            secondary: Vec::new(),
        }
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Adds a further labelled span (the first definition of a duplicate, the other entries of
    /// a cycle).
    pub fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    /// Turns the error into a warning: reported, but it does not stop planning.
    pub fn into_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// The stable kind of the error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The main message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The primary span in the source text.
    pub fn span(&self) -> Span {
        self.span.clone()
    }

    /// The help line, if any.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Whether this is only a warning.
    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

impl Diagnostic for InputError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary =
            LabeledSpan::new_primary_with_span(Some(self.label.clone()), to_source_span(&self.span));
        let secondary = self
            .secondary
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), to_source_span(span)));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// miette's `SourceSpan` is (offset, length), not (start, end).
fn to_source_span(span: &Span) -> SourceSpan {
    SourceSpan::new(span.start.into(), span.end.saturating_sub(span.start))
}

/// All the problems found in one source, reported together.
#[derive(Debug, Clone)]
pub struct InputErrors(Box<ErrorsInner>);

#[derive(Debug, Clone)]
struct ErrorsInner {
    source: Source,
    named: NamedSource<Arc<str>>,
    errors: Vec<InputError>,
}

impl InputErrors {
    /// Collects `errors` found in `source`. Errors are sorted by position so that a report reads
    /// top to bottom through the file.
    pub fn new(source: &Source, mut errors: Vec<InputError>) -> Self {
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        InputErrors(Box::new(ErrorsInner {
            source: source.clone(),
            named: source.named_source(),
            errors,
        }))
    }

    /// The individual errors, in file order.
    pub fn errors(&self) -> &[InputError] {
        &self.0.errors
    }

    /// The source the errors point into.
    pub fn source(&self) -> &Source {
        &self.0.source
    }

    /// Consumes the collection, giving the errors.
    pub fn into_errors(self) -> Vec<InputError> {
        self.0.errors
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.errors.len();
        write!(
            f,
            "{}: {} input error{}",
            self.0.source.name(),
            n,
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for InputErrors {}

impl Diagnostic for InputErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("quorate::input"))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.0.named)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.0.errors.iter().map(|e| e as &dyn Diagnostic)))
    }
}

/// Warnings about one source: things that do not stop planning but that an operator should see.
#[derive(Debug, Clone)]
pub struct InputWarnings {
    source: Source,
    warnings: Vec<InputError>,
}

impl InputWarnings {
    /// Collects `warnings` found in `source`.
    pub fn new(source: &Source, mut warnings: Vec<InputError>) -> Self {
        warnings.sort_by_key(|e| (e.span.start, e.span.end));
        InputWarnings {
            source: source.clone(),
            warnings,
        }
    }

    /// The warnings, each renderable with the source through [`InputWarnings::reports`].
    pub fn warnings(&self) -> &[InputError] {
        &self.warnings
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.warnings.is_empty()
    }

    /// Each warning as a diagnostic with its source attached.
    pub fn reports(&self) -> impl Iterator<Item = WithSource<'_>> {
        self.warnings.iter().map(|w| WithSource {
            source: self.source.named_source(),
            inner: w,
        })
    }
}

/// One diagnostic with the source it points into, ready to render on its own.
#[derive(Debug)]
pub struct WithSource<'a> {
    source: NamedSource<Arc<str>>,
    inner: &'a InputError,
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
}
