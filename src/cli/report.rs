//! Rendering diagnostics for the terminal.
//!
//! Colour only on a terminal and never with `NO_COLOR`; off a terminal the width is fixed so that
//! logs and snapshot tests see the same text on every machine.

use std::io::IsTerminal;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use super::args::ColorChoice;
use quorate::InputWarnings;

/// Width used when standard error is not a terminal.
const PIPE_WIDTH: usize = 100;

/// How diagnostics look.
pub struct Style {
    color: bool,
    width: usize,
}

impl Style {
    /// Decides colour and width from `--color`, `NO_COLOR` and whether stderr is a terminal.
    pub fn detect(choice: ColorChoice) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        let width = if terminal {
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(PIPE_WIDTH)
        } else {
            PIPE_WIDTH
        };
        Style { color, width }
    }

    /// Renders one diagnostic (with its related ones) to text.
    pub fn render(&self, diagnostic: &dyn Diagnostic) -> String {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            // Names like `esx-01` must never be split at their hyphen.
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
        let mut out = String::new();
        if handler.render_report(&mut out, diagnostic).is_err() {
            out = format!("{diagnostic}\n");
        }
        out
    }

    /// Prints one diagnostic to standard error.
    pub fn eprint(&self, diagnostic: &dyn Diagnostic) {
        eprint!("{}", self.render(diagnostic));
    }
}

/// Prints the platform-aware warnings ([`quorate::warnings`]) about a description and its plan.
/// They never change the exit code.
pub fn platform_warnings(warnings: &quorate::warnings::report::Warnings, style: &Style) {
    for warning in warnings.reports() {
        style.eprint(&warning);
    }
}

/// Prints the warnings about a description.
pub fn warnings(warnings: &InputWarnings, style: &Style) {
    for warning in warnings.reports() {
        style.eprint(&warning);
    }
}
