//! Reading input files (or standard input) within the `bytes` limit, and loading them.
//!
//! A file is never read past the limit: its size is checked first, and the read itself stops one
//! byte after it, so standard input and a file that grows while it is read are bounded too.
//! Standard input may be a terminal (a hint says how to end it), a pipe, or empty.

use std::fmt;
use std::io::{IsTerminal, Read};

use miette::Diagnostic;
use quorate::{ErrorKind, Limits, Loaded, Source};

use super::CliError;

/// A file that could not be read, is not UTF-8, or is larger than the `bytes` limit.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {reason}")]
pub struct ReadError {
    kind: ErrorKind,
    path: String,
    reason: String,
    help: String,
}

impl Diagnostic for ReadError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
}

/// Reads `path`, or standard input for `-`, refusing more than `limits.bytes`.
pub fn read(path: &str, limits: &Limits) -> Result<Source, ReadError> {
    let io_error = |e: std::io::Error| ReadError {
        kind: ErrorKind::Io,
        path: display_path(path),
        reason: e.to_string(),
        help: "check the path and the file's permissions".to_string(),
    };
    let too_large = |size: String| ReadError {
        kind: ErrorKind::Limit,
        path: display_path(path),
        reason: format!(
            "it is larger than the `bytes` limit ({size}; the limit is {} bytes)",
            limits.bytes
        ),
        help: format!(
            "if this is the right file, raise the limit: `--limit bytes={}`",
            limits.bytes.saturating_mul(2)
        ),
    };
    let mut buffer = Vec::new();
    if path == "-" {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprintln!("reading from the terminal: paste the text, then press Ctrl-D on a line of its own");
        }
        stdin
            .lock()
            .take(limits.bytes.saturating_add(1))
            .read_to_end(&mut buffer)
            .map_err(io_error)?;
    } else {
        let file = std::fs::File::open(path).map_err(io_error)?;
        let size = file.metadata().map_err(io_error)?.len();
        if size > limits.bytes {
            return Err(too_large(format!("{size} bytes")));
        }
        file.take(limits.bytes.saturating_add(1))
            .read_to_end(&mut buffer)
            .map_err(io_error)?;
    }
    if buffer.len() as u64 > limits.bytes {
        return Err(too_large("more".to_string()));
    }
    let text = String::from_utf8(buffer).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, column) = quorate::source::line_col(before, valid);
        ReadError {
            kind: ErrorKind::Io,
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

/// Reads and loads a cluster description within `limits`, keeping its source for the
/// platform-aware warnings about it.
pub fn load_cluster_source(path: &str, limits: &Limits) -> Result<(Source, Loaded), CliError> {
    let source = read(path, limits)?;
    let loaded = quorate::load_limited(&source, limits)?;
    Ok((source, loaded))
}

/// Reads and loads a cluster description within `limits`.
pub fn load_cluster(path: &str, limits: &Limits) -> Result<Loaded, CliError> {
    let source = read(path, limits)?;
    Ok(quorate::load_limited(&source, limits)?)
}
