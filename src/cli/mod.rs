//! The command line: arguments, commands, exit codes.
//!
//! Only this module touches files, standard streams, the environment and the terminal. Every
//! failure maps to a documented exit code:
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success (a valid description, a plan found, a safe plan) |
//! | 1 | no safe plan exists, or the plan has violations |
//! | 2 | input error: unreadable file, bad TOML, invalid description, bad arguments |
//! | 3 | internal error: a bug in quorate (for example a plan its own validator rejects) |

mod args;
mod drift;
mod import;
mod input;
mod output;
mod plan;
mod report;
mod validate;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use args::{Args, Command};
use quorate::graph::{ClusterGraph, dot};
use quorate::summary::Summary;

/// Exit codes, as documented in the README and the CLI contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// No safe plan, or violations found.
    Unsafe = 1,
    /// Input error.
    Input = 2,
    /// A bug in quorate.
    Internal = 3,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let args = Args::parse();
    let style = report::Style::detect(args.color);
    let exit = match &args.command {
        Command::Check { cluster } => check(cluster, &style),
        Command::Graph { cluster } => graph(cluster, &style),
        Command::Plan(plan_args) => plan::run(plan_args, args.color, &style),
        Command::Validate(validate_args) => validate::run(validate_args, &style),
        Command::Import(import_args) => import::run(import_args, &style),
        Command::Drift(drift_args) => drift::run(drift_args, &style),
    };
    exit.into()
}

fn check(path: &str, style: &report::Style) -> Exit {
    let Some(loaded) = input::load_cluster(path, style) else {
        return Exit::Input;
    };
    report::warnings(&loaded.warnings, style);
    let summary = Summary::new(&loaded.cluster);
    print(&summary.to_string())
}

fn graph(path: &str, style: &report::Style) -> Exit {
    let Some(loaded) = input::load_cluster(path, style) else {
        return Exit::Input;
    };
    report::warnings(&loaded.warnings, style);
    let graph = ClusterGraph::new(&loaded.cluster);
    print(&dot::render(&loaded.cluster, &graph))
}

/// Writes to standard output; a closed pipe (`quorate graph x | head`) is not an error.
fn print(text: &str) -> Exit {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Exit::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            Exit::Internal
        }
    }
}
