//! The command line: arguments, commands, exit codes.
//!
//! Only this module touches files, standard streams, the environment and the terminal. Each
//! command is one function returning `Result<Exit, CliError>`; every failure maps to a
//! documented exit code in one place, [`CliError::exit`]:
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success (a valid description, a plan found, a safe plan) |
//! | 1 | no safe plan exists, or the plan has violations |
//! | 2 | input error: unreadable file, bad TOML, invalid description, a limit crossed, bad arguments, a result that cannot be written |
//! | 3 | internal error: a bug in quorate (for example a plan its own validator rejects) |

mod args;
mod completions;
mod drift;
mod error;
mod export;
mod generate;
mod import;
mod input;
mod output;
mod plan;
mod progress;
mod report;
mod validate;
mod verify;

use std::process::ExitCode;

use clap::Parser;

use args::{Args, Command};
pub use error::{CliError, Exit};
use quorate::Limits;
use quorate::graph::{ClusterGraph, dot};
use quorate::summary::Summary;

/// Parses the command line, runs the command, reports a failure and gives the exit code.
pub fn run() -> ExitCode {
    let args = Args::parse();
    let style = report::Style::detect(args.color);
    let limits = args.limits();
    let result = match &args.command {
        Command::Check { cluster } => check(cluster, &limits, &style),
        Command::Graph { cluster } => graph(cluster, &limits, &style),
        Command::Plan(plan_args) => plan::run(plan_args, args.color, &limits, &style),
        Command::Validate(validate_args) => validate::run(validate_args, &limits, &style),
        Command::Import(import_args) => import::run(import_args, &limits),
        Command::Drift(drift_args) => drift::run(drift_args, &limits, &style),
        Command::Verify(verify_args) => verify::run(verify_args, &limits, &style),
        Command::Export(export_args) => export::run(export_args, &limits),
        Command::Generate(generate_args) => generate::run(generate_args),
        Command::Completions { shell } => completions::completions(*shell),
        Command::Man => completions::man(),
    };
    match result {
        Ok(verdict) => verdict.into(),
        Err(error) => {
            error.report(&style);
            error.exit().into()
        }
    }
}

fn check(path: &str, limits: &Limits, style: &report::Style) -> Result<Exit, CliError> {
    let (source, loaded) = input::load_cluster_source(path, limits)?;
    report::warnings(&loaded.warnings, style);
    let platform = quorate::warnings::check(&loaded.cluster, None);
    report::platform_warnings(
        &quorate::warnings::report::Warnings::new(&source, platform),
        style,
    );
    let summary = Summary::new(&loaded.cluster);
    output::print(&summary.to_string())?;
    Ok(Exit::Ok)
}

fn graph(path: &str, limits: &Limits, style: &report::Style) -> Result<Exit, CliError> {
    let loaded = input::load_cluster(path, limits)?;
    report::warnings(&loaded.warnings, style);
    let graph = ClusterGraph::new(&loaded.cluster);
    output::print(&dot::render(&loaded.cluster, &graph))?;
    Ok(Exit::Ok)
}
