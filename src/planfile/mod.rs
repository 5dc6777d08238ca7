//! Plan files: a plan as text (TOML or JSON) to the validator's [`PlanInput`], with spans.
//!
//! `quorate validate` checks plans written by hand and plans quorate wrote, in either format
//! (docs/plan-files.md). This module reads them, like [`crate::parse`] reads descriptions: every
//! input error at once, each with a span, as [`InputErrors`]; and every wave, host entry and
//! move keeps its byte range, so that [`report`] can point each violation at the line that
//! caused it. The format is told from the content, not the file name, so standard input and
//! misnamed files work: a JSON plan document starts with `{`, which no TOML file can.

mod document;
mod json;
mod json_plan;
pub mod report;
mod toml_plan;

use crate::diagnostic::InputErrors;
use crate::limits::Limits;
use crate::source::Source;
use crate::validate::PlanInput;

pub use document::read_document;
pub use report::{ViolationReport, confirmation, summary};

/// The two ways a plan is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    /// The hand-written form, or `quorate plan -o toml`.
    Toml,
    /// The plan document of `quorate plan -o json`.
    Json,
}

impl PlanFormat {
    /// The format of `text`: JSON when its first character other than white space (or a byte
    /// order mark) is `{`, TOML otherwise.
    pub fn detect(text: &str) -> Self {
        let first = text
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .chars()
            .next();
        if first == Some('{') {
            PlanFormat::Json
        } else {
            PlanFormat::Toml
        }
    }

    /// The format's name for messages.
    pub fn name(self) -> &'static str {
        match self {
            PlanFormat::Toml => "TOML",
            PlanFormat::Json => "JSON",
        }
    }
}

/// Reads the plan in `source`, in the format its text is written in.
///
/// Returns every input error at once when there is any: syntax, unknown keys (TOML), wrong
/// types, missing `hosts`, names that are empty or hold control characters. Names are not
/// looked up here: an unknown host is a violation ([`crate::validate`]), not an input error.
pub fn read(source: &Source) -> Result<PlanInput, InputErrors> {
    read_limited(source, &Limits::default())
}

/// Like [`read`], within `limits`: the plan's size in bytes, its number of waves and the length
/// of each list are checked before the plan is read.
pub fn read_limited(source: &Source, limits: &Limits) -> Result<PlanInput, InputErrors> {
    let text = source.text();
    let mut errors = Vec::new();
    let plan = if let Some(error) = crate::parse::size::check_bytes(text, limits) {
        errors.push(error);
        PlanInput::default()
    } else {
        match PlanFormat::detect(text) {
            PlanFormat::Toml => toml_plan::read(text, limits, &mut errors),
            PlanFormat::Json => json_plan::read(text, limits, &mut errors),
        }
    };
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(InputErrors::limited(source, errors, 0, limits.diagnostics))
    }
}

#[cfg(test)]
mod tests;
