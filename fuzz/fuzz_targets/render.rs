//! Shared by the targets: render a diagnostic the way the binary does, so that a panic in
//! miette's renderer (issue 11: a label past column 65,535) is a crash here too.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

pub fn render(diagnostic: &dyn Diagnostic) -> String {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    let _ = handler.render_report(&mut out, diagnostic);
    out
}
