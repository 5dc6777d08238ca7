//! Input errors and warnings about a cluster description.
//!
//! Every problem with the input becomes one [`InputError`] with a stable code, a primary span, a
//! label and usually a help line. The passes collect them instead of stopping at the first, and
//! hand them back together as [`InputErrors`], which carries the source once so that miette can
//! render each error with `file:line:column`.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceSpan};

use crate::source::{Source, Span, drawable};

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
    /// The input is larger than a limit of [`crate::limits::Limits`] allows.
    Limit,
    /// A description with no hosts and no components: nothing can be planned from it.
    NothingToUpgrade,
    /// A plan that names another cluster than the description it is validated against.
    OtherCluster,
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
            ErrorKind::Limit => "quorate::limit",
            ErrorKind::NothingToUpgrade => "quorate::nothing_to_upgrade",
            ErrorKind::OtherCluster => "quorate::other_cluster",
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
    /// Set when the span is on a line too long to draw: the label then starts with the place,
    /// `file:line:column`, and is written under the message instead of drawn (see
    /// [`crate::source::drawable`]).
    undrawn: bool,
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
            undrawn: false,
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

    /// Ready to render against `source`: when a span lies on a line too long to draw, the
    /// labels give way to the place written out, `file:line:column`.
    fn fitted(&self, source: &Source) -> Self {
        let text = source.text();
        let mut fitted = self.clone();
        let spans = std::iter::once(&self.span).chain(self.secondary.iter().map(|(s, _)| s));
        if spans.into_iter().any(|s| !drawable(text, s)) {
            let (line, column) = source.line_col(self.span.start);
            fitted.label = format!("at {}:{line}:{column}: {}", source.name(), self.label);
            fitted.undrawn = true;
        }
        fitted
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if self.undrawn {
            write!(f, "\n  {}", self.label)?;
        }
        Ok(())
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
        if self.undrawn {
            return None;
        }
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
///
/// Every error is kept, but a report shows only the first [`Limits::diagnostics`] of them, in
/// file order, and then says how many more there are: rendering each one costs time in
/// proportion to the file, so showing all of 20,000 duplicate keys would take minutes.
#[derive(Debug, Clone)]
pub struct InputErrors(Box<ErrorsInner>);

#[derive(Debug, Clone)]
struct ErrorsInner {
    source: Source,
    named: NamedSource<Arc<str>>,
    errors: Vec<InputError>,
    /// The first errors, fitted to the source, as the report shows them.
    shown: Vec<InputError>,
    /// What the report says about the errors it does not show.
    omitted: Option<Omitted>,
    /// Errors found but not kept.
    more: usize,
}

/// How many errors one report shows unless `--limit diagnostics=N` says otherwise.
pub const SHOWN_BY_DEFAULT: usize = 50;

impl InputErrors {
    /// Collects `errors` found in `source`. Errors are sorted by position so that a report reads
    /// top to bottom through the file. The report shows the default number of them.
    pub fn new(source: &Source, errors: Vec<InputError>) -> Self {
        InputErrors::limited(source, errors, 0, SHOWN_BY_DEFAULT)
    }

    /// Like [`InputErrors::new`], showing at most `shown` errors (the `diagnostics` limit of
    /// [`crate::limits::Limits`]); `more` counts errors found but not kept (the parser keeps
    /// only the first syntax errors).
    pub fn limited(source: &Source, mut errors: Vec<InputError>, more: usize, shown: usize) -> Self {
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        let cap = shown.max(1);
        let shown = errors.iter().take(cap).map(|e| e.fitted(source)).collect();
        let hidden = errors.len().saturating_sub(cap) + more;
        let omitted = (hidden > 0).then(|| Omitted::new(hidden, "input error", cap));
        InputErrors(Box::new(ErrorsInner {
            source: source.clone(),
            named: source.named_source(),
            errors,
            shown,
            omitted,
            more,
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
        let n = self.0.errors.len() + self.0.more;
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
        let shown = self.0.shown.iter().map(|e| e as &dyn Diagnostic);
        let omitted = self.0.omitted.iter().map(|o| o as &dyn Diagnostic);
        Some(Box::new(shown.chain(omitted)))
    }
}

/// The line that closes a capped report: how many diagnostics were not shown and how to see
/// them.
#[derive(Debug, Clone)]
pub struct Omitted {
    count: usize,
    what: &'static str,
    cap: usize,
}

impl Omitted {
    /// `count` more of `what` (an "input error", a "violation") beyond the `cap` shown.
    pub fn new(count: usize, what: &'static str, cap: usize) -> Self {
        Omitted { count, what, cap }
    }
}

impl fmt::Display for Omitted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "… and {} more {}{} not shown",
            self.count,
            self.what,
            if self.count == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Omitted {}

impl Diagnostic for Omitted {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("quorate::omitted"))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Advice)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "the first {} are shown; fix those and run again, or see more with `--limit diagnostics={}`",
            self.cap,
            self.cap.saturating_add(self.count)
        )))
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

    /// Each warning as a diagnostic with its source attached: the first
    /// [`Limits::diagnostics`] of them (the default), fitted to the source.
    pub fn reports(&self) -> impl Iterator<Item = WithSource> + '_ {
        self.warnings.iter().take(SHOWN_BY_DEFAULT).map(|w| WithSource {
            source: self.source.named_source(),
            inner: w.fitted(&self.source),
        })
    }
}

/// One diagnostic with the source it points into, ready to render on its own.
#[derive(Debug)]
pub struct WithSource {
    source: NamedSource<Arc<str>>,
    inner: InputError,
}

impl fmt::Display for WithSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for WithSource {}

impl Diagnostic for WithSource {
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
