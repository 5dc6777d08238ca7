//! Violations as diagnostics that point into the plan file, and the lines around them.
//!
//! The validator's [`Violation`] is data: a code, the wave, a message with the numbers, a help
//! line and a span. [`ViolationReport`] attaches the plan's text so that miette draws the
//! offending wave, host entry or move with a short label saying what is wrong there;
//! [`summary`] and [`confirmation`] are the one line that closes a report.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceSpan};

use crate::model::Cluster;
use crate::source::{Source, drawable};
use crate::validate::{PlanInput, Validation, Violation, ViolationCode};

use super::PlanFormat;

/// One violation with the plan file it points into, ready to render.
#[derive(Debug)]
pub struct ViolationReport<'a> {
    violation: &'a Violation,
    source: NamedSource<Arc<str>>,
    /// `file:line:column` when the span is on a line too long to draw (a minified JSON plan):
    /// the report then names the place instead of drawing it.
    located: Option<String>,
}

impl<'a> ViolationReport<'a> {
    /// `violation`, found in the plan read from `source`.
    pub fn new(violation: &'a Violation, source: &Source) -> Self {
        let located = violation
            .span
            .as_ref()
            .filter(|span| !drawable(source.text(), span))
            .map(|span| {
                let (line, column) = source.line_col(span.start);
                format!("{}:{line}:{column}", source.name())
            });
        ViolationReport {
            violation,
            source: source.named_source(),
            located,
        }
    }

    /// Every violation of `validation`, in its order.
    pub fn all(validation: &'a Validation, source: &Source) -> Vec<Self> {
        validation
            .violations
            .iter()
            .map(|v| ViolationReport::new(v, source))
            .collect()
    }

    /// The label drawn under the span: what is wrong at this place, in a few words.
    pub fn label(&self) -> String {
        label(self.violation)
    }
}

impl fmt::Display for ViolationReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.violation.message)?;
        match &self.located {
            Some(at) => write!(f, "\n  at {at}: {}", self.label()),
            None => Ok(()),
        }
    }
}

impl std::error::Error for ViolationReport<'_> {}

impl Diagnostic for ViolationReport<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("quorate::{}", self.violation.code)))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Error)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.violation.help))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.located.is_some() {
            return None;
        }
        let span = self.violation.span.as_ref()?;
        let at = SourceSpan::new(span.start.into(), span.end.saturating_sub(span.start));
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            Some(self.label()),
            at,
        ))))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
}

/// What is wrong at the violation's span, in a few words; the message has the numbers.
fn label(v: &Violation) -> String {
    let s = &v.subject;
    let what = match v.code {
        ViolationCode::QuorumLost => format!("`{s}` loses quorum"),
        ViolationCode::BudgetExceeded => format!("over the disruption budget `{s}`"),
        ViolationCode::FaultDomainLimit => "too many fault domains down".to_string(),
        ViolationCode::SiteLimit => "too many sites down".to_string(),
        ViolationCode::CapacityExceeded => "not enough room for the evacuated workloads".to_string(),
        ViolationCode::ReserveExceeded => format!("too little {s} left for the HA reserve"),
        ViolationCode::AntiAffinityViolated => format!("members of `{s}` end up together"),
        ViolationCode::OrderViolated => format!("`{s}` is upgraded too early"),
        ViolationCode::MaxHostsExceeded => "too many hosts".to_string(),
        ViolationCode::ComponentNotExclusive => format!("`{s}` needs a wave of its own"),
        ViolationCode::HostNotUpgraded => format!("no wave upgrades `{s}`; this one could"),
        ViolationCode::HostUpgradedTwice => format!("`{s}` again"),
        ViolationCode::UnknownItem if v.wave.is_none() => "not this description's cluster".to_string(),
        ViolationCode::UnknownItem => "not a host or component".to_string(),
        ViolationCode::UnavailableHostInPlan => "already unavailable".to_string(),
        ViolationCode::AlreadyDone => "already done".to_string(),
        ViolationCode::MoveInvalid => format!("no valid move for `{s}`"),
    };
    match v.wave {
        Some(w) if v.code != ViolationCode::HostNotUpgraded => format!("wave {w}: {what}"),
        _ => what,
    }
}

/// The closing line of a plan with violations, e.g. `error: plan.toml is not safe for
/// cluster `prod`: 3 violations (fault_domain_limit, move_invalid ×2)`.
pub fn summary(validation: &Validation, source: &Source, cluster: &Cluster) -> String {
    let mut by_code: BTreeMap<ViolationCode, usize> = BTreeMap::new();
    for v in &validation.violations {
        *by_code.entry(v.code).or_default() += 1;
    }
    let codes: Vec<String> = by_code
        .iter()
        .map(|(code, &n)| match n {
            1 => code.to_string(),
            n => format!("{code} ×{n}"),
        })
        .collect();
    format!(
        "error: {} is not safe for cluster `{}`: {} ({})",
        source.name(),
        cluster.name,
        count(validation.violations.len(), "violation"),
        codes.join(", ")
    )
}

/// The line that confirms a safe plan, with what was checked, e.g. `safe: plan.toml (TOML)
/// upgrades 16 hosts and 1 component of cluster `prod` in 5 waves; 12 moves checked; a
/// placement found for each of the 3 waves without moves`.
pub fn confirmation(cluster: &Cluster, plan: &PlanInput, source: &Source) -> String {
    let items = plan.waves.iter().flat_map(|w| &w.items);
    let hosts = items
        .clone()
        .filter(|n| cluster.find_host(&n.name).is_some())
        .count();
    let components = items.count() - hosts;
    let moves: usize = plan
        .waves
        .iter()
        .filter_map(|w| w.moves.as_ref())
        .map(Vec::len)
        .sum();
    let searched = plan.waves.iter().filter(|w| w.moves.is_none()).count();
    let mut upgraded = vec![count(hosts, "host")];
    if components > 0 {
        upgraded.push(count(components, "component"));
    }
    let mut line = format!(
        "safe: {} ({}) upgrades {} of cluster `{}` in {}",
        source.name(),
        PlanFormat::detect(source.text()).name(),
        upgraded.join(" and "),
        cluster.name,
        count(plan.waves.len(), "wave")
    );
    if searched < plan.waves.len() {
        line.push_str(&format!("; {} checked", count(moves, "given move")));
    }
    match searched {
        0 => {}
        1 => line.push_str("; a placement found for the wave without moves"),
        n => line.push_str(&format!(
            "; a placement found for each of the {n} waves without moves"
        )),
    }
    line
}

/// `n thing` or `n things`.
fn count(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}
