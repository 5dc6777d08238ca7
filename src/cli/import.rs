//! `quorate import`: read the exports, write the description, and check it before handing it
//! over.
//!
//! The description is loaded again (`quorate::load`) before it is written: an importer that
//! writes a file `check` rejects is a bug in quorate (exit 3), never the operator's problem.

use quorate::Source;
use quorate::import::{ImportOptions, render};
use quorate::live::{self, PLATFORMS};
use quorate::model::Platform;

use super::args::ImportArgs;
use quorate::Limits;

use super::{CliError, Exit, input, output};

/// Runs `quorate import`.
pub fn run(args: &ImportArgs, limits: &Limits) -> Result<Exit, CliError> {
    let platform = platform(&args.platform)?;
    if args
        .name
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.chars().any(char::is_control))
    {
        return Err(CliError::Usage {
            message: "--name must be non-empty and free of control characters".to_string(),
            help: "give the cluster's name as the platform shows it, e.g. --name prod-k8s".to_string(),
        });
    }
    let sources = read_all(&args.files, limits)?;
    let live = live::parse(platform, &sources).map_err(CliError::Live)?;
    let options = ImportOptions {
        name: args.name.clone(),
        target_version: args.target_version.clone(),
        upgrade_minutes: args.upgrade_minutes,
        files: sources.iter().map(|s| s.name().to_string()).collect(),
    };
    let text = render(&live, &options);
    if let Err(errors) = quorate::load(&Source::new("<imported description>", text.as_str())) {
        return Err(CliError::Internal(format!(
            "quorate wrote a description it cannot read back: {errors}"
        )));
    }
    output::emit(&text, args.out.as_deref())?;
    Ok(Exit::Ok)
}

/// The platform named on the command line, if it has an importer.
pub fn platform(name: &str) -> Result<Platform, CliError> {
    PLATFORMS
        .iter()
        .find(|p| p.name() == name)
        .copied()
        .ok_or_else(|| CliError::Usage {
            message: format!("no importer for platform `{name}`"),
            help: format!(
                "importers exist for: {}",
                PLATFORMS.map(Platform::name).join(", ")
            ),
        })
}

/// Reads every file (standard input for `-`, at most once).
pub fn read_all(files: &[String], limits: &Limits) -> Result<Vec<Source>, CliError> {
    if files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(CliError::Usage {
            message: "standard input (-) can be given only once".to_string(),
            help: "save all but one export to files".to_string(),
        });
    }
    files
        .iter()
        .map(|file| input::read(file, limits).map_err(CliError::from))
        .collect()
}
