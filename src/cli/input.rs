//! Reading input files (or standard input) and loading them, reporting failures.

use std::io::Read;

use miette::Diagnostic;
use quorate::{Loaded, Source};

use super::report::Style;

/// A file that could not be read.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot read {path}: {reason}")]
#[diagnostic(code(quorate::io))]
pub struct ReadError {
    path: String,
    reason: String,
    #[help]
    help: String,
}

/// Reads `path`, or standard input for `-`.
pub fn read(path: &str) -> Result<Source, ReadError> {
    let bytes = if path == "-" {
        let mut buffer = Vec::new();
        std::io::stdin().read_to_end(&mut buffer).map(|_| buffer)
    } else {
        std::fs::read(path)
    };
    let bytes = bytes.map_err(|e| ReadError {
        path: display_path(path),
        reason: e.to_string(),
        help: "check the path and the file's permissions".to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, column) = quorate::source::line_col(before, valid);
        ReadError {
            path: display_path(path),
            reason: format!("not UTF-8 text: invalid byte at line {line}, column {column}"),
            help: "save the file as UTF-8 (TOML files are UTF-8 by definition)".to_string(),
        }
    })?;
    Ok(Source::new(if path == "-" { STDIN_NAME } else { path }, text))
}

/// How diagnostics name standard input.
pub const STDIN_NAME: &str = "<stdin>";

fn display_path(path: &str) -> String {
    if path == "-" {
        "standard input".to_string()
    } else {
        path.to_string()
    }
}

/// Reads and loads a cluster description, printing any errors. `None` means exit 2.
pub fn load_cluster(path: &str, style: &Style) -> Option<Loaded> {
    let source = match read(path) {
        Ok(source) => source,
        Err(e) => {
            style.eprint(&e);
            return None;
        }
    };
    match quorate::load(&source) {
        Ok(loaded) => Some(loaded),
        Err(errors) => {
            style.eprint(&errors);
            None
        }
    }
}
