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
use super::report::Style;
use super::{Exit, input, output};

/// Runs `quorate import`.
pub fn run(args: &ImportArgs, style: &Style) -> Exit {
    let Some(platform) = platform(&args.platform) else {
        return Exit::Input;
    };
    if args
        .name
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.chars().any(char::is_control))
    {
        eprintln!("error: --name must be non-empty and free of control characters");
        return Exit::Input;
    }
    let Some(sources) = read_all(&args.files, style) else {
        return Exit::Input;
    };
    let live = match live::parse(platform, &sources) {
        Ok(live) => live,
        Err(e) => {
            style.eprint(&e);
            return Exit::Input;
        }
    };
    let options = ImportOptions {
        name: args.name.clone(),
        target_version: args.target_version.clone(),
        upgrade_minutes: args.upgrade_minutes,
        files: sources.iter().map(|s| s.name().to_string()).collect(),
    };
    let text = render(&live, &options);
    if let Err(errors) = quorate::load(&Source::new("<imported description>", text.as_str())) {
        eprintln!("error: quorate wrote a description it cannot read back; this is a bug");
        style.eprint(&errors);
        return Exit::Internal;
    }
    output::emit(&text, args.out.as_deref(), Exit::Ok)
}

/// The platform named on the command line, if it has an importer.
pub fn platform(name: &str) -> Option<Platform> {
    let known = PLATFORMS.iter().find(|p| p.name() == name).copied();
    if known.is_none() {
        eprintln!(
            "error: no importer for platform `{name}`\nhelp: importers exist for: {}",
            PLATFORMS.map(Platform::name).join(", ")
        );
    }
    known
}

/// Reads every file (standard input for `-`, at most once), printing what cannot be read.
pub fn read_all(files: &[String], style: &Style) -> Option<Vec<Source>> {
    if files.iter().filter(|f| *f == "-").count() > 1 {
        eprintln!("error: standard input (-) can be given only once");
        return None;
    }
    let mut sources = Vec::new();
    for file in files {
        match input::read(file) {
            Ok(source) => sources.push(source),
            Err(e) => {
                style.eprint(&e);
                return None;
            }
        }
    }
    Some(sources)
}
