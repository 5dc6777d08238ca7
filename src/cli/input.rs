//! Reading input files (or standard input) and loading them, reporting failures.

use std::io::Read;

use miette::Diagnostic;
use quorate::{Loaded, Source};

use super::report::Style;

/// A file that could not be read.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot read {path}: {reason}")]
#[diagnostic(code(quorate::io), help("check the path and the file's permissions"))]
pub struct ReadError {
    path: String,
    reason: String,
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
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ReadError {
        path: display_path(path),
        reason: format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    Ok(Source::new(path, text))
}

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
