//! Every way a command can fail, and the one place each is given its exit code.
//!
//! Commands return `Result<Exit, CliError>`: `Ok` carries the verdict (0 safe, 1 unsafe) and
//! `Err` a failure, which [`CliError::report`] prints and [`CliError::exit`] maps to a
//! documented code. A failed write is the same failure whether it was `--out FILE` or standard
//! output, so it exits the same way.

use std::process::ExitCode;

use quorate::InputErrors;
use quorate::live::LiveError;

use super::input::ReadError;
use super::report::Style;

/// Exit codes, as documented in the README and the CLI contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// No safe plan, or violations found.
    Unsafe = 1,
    /// Input error: the input, the arguments, or a file that cannot be read or written.
    Input = 2,
    /// A bug in quorate.
    Internal = 3,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// A failed command.
#[derive(Debug)]
pub enum CliError {
    /// A file (or standard input) that cannot be read, is not UTF-8 or is too large.
    Read(ReadError),
    /// Input errors in a description or a plan, each pointing into it.
    Input(InputErrors),
    /// A platform export (`import`, `drift`) that cannot be read, with its file and JSON path.
    Live(LiveError),
    /// Arguments that clap accepts but that do not go together.
    Usage {
        /// What is wrong.
        message: String,
        /// How to put it right.
        help: String,
    },
    /// The result cannot be written: `--out FILE`, or standard output (other than a closed
    /// pipe, which is not a failure).
    Write {
        /// The file, or "standard output".
        target: String,
        /// Why.
        error: std::io::Error,
    },
    /// A bug in quorate, detected before it could do harm (a plan its own validator rejects).
    Internal(String),
}

impl CliError {
    /// The exit code of this failure.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Read(_)
            | CliError::Input(_)
            | CliError::Live(_)
            | CliError::Usage { .. }
            | CliError::Write { .. } => Exit::Input,
            CliError::Internal(_) => Exit::Internal,
        }
    }

    /// Prints the failure to standard error.
    pub fn report(&self, style: &Style) {
        match self {
            CliError::Read(e) => style.eprint(e),
            CliError::Input(e) => style.eprint(e),
            CliError::Live(e) => style.eprint(e),
            CliError::Usage { message, help } => eprintln!("error: {message}\nhelp: {help}"),
            CliError::Write { target, error } => eprintln!(
                "error: cannot write {target}: {error}\nhelp: check the folder exists, is writable and has space"
            ),
            CliError::Internal(message) => eprintln!(
                "internal error: {message}\nThis is a bug in quorate {}, not a problem with your input: please report \
                 it with the input and the command line.",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }
}

impl From<ReadError> for CliError {
    fn from(e: ReadError) -> Self {
        CliError::Read(e)
    }
}

impl From<InputErrors> for CliError {
    fn from(e: InputErrors) -> Self {
        CliError::Input(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_of_failed_write_exit_alike_and_only_bugs_exit_3() {
        let write = |target: &str| CliError::Write {
            target: target.to_string(),
            error: std::io::Error::other("disk full"),
        };
        assert_eq!(write("plan.json").exit(), write("standard output").exit());
        assert_eq!(write("plan.json").exit(), Exit::Input);
        let usage = CliError::Usage {
            message: String::new(),
            help: String::new(),
        };
        assert_eq!(usage.exit(), Exit::Input);
        assert_eq!(CliError::Internal(String::new()).exit(), Exit::Internal);
    }
}
