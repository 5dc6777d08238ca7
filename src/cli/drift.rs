//! `quorate drift`: load the description, read the exports, compare, report.
//!
//! Text output puts each difference on standard error as a diagnostic drawn on the
//! description, then one summary line; agreement is one line on standard output. JSON output is
//! `{"drift": bool, "differences": [...]}` on standard output and nothing else. Exit 0 when
//! they agree, 1 on drift, 2 when the description or an export cannot be read.

use quorate::drift::{DriftReport, compare, to_json};
use quorate::live::{self, PLATFORMS};

use super::args::{DriftArgs, ValidateFormat};
use super::import::read_all;
use quorate::Limits;

use super::report::Style;
use super::{CliError, Exit, input, output};

/// Runs `quorate drift`.
pub fn run(args: &DriftArgs, limits: &Limits, style: &Style) -> Result<Exit, CliError> {
    if args.cluster == "-" && args.files.iter().any(|f| f == "-") {
        return Err(CliError::Usage {
            message: "the description and an export cannot both be read from standard input".to_string(),
            help: "give the description as a file".to_string(),
        });
    }
    let source = input::read(&args.cluster, limits)?;
    let loaded = quorate::load_limited(&source, limits)?;
    let platform = loaded.cluster.platform;
    if !PLATFORMS.contains(&platform) {
        return Err(CliError::Usage {
            message: format!(
                "{} describes a {} cluster, and quorate reads live exports of: {}",
                source.name(),
                platform.name(),
                PLATFORMS.map(|p| p.name()).join(", ")
            ),
            help: "drift compares a description with its own platform's exports".to_string(),
        });
    }
    let files = read_all(&args.files, limits)?;
    let live = live::parse(platform, &files).map_err(CliError::Live)?;
    let (raw, _) = quorate::parse::parse(source.text());
    let differences = compare(&raw, &live);
    let verdict = if differences.is_empty() {
        Exit::Ok
    } else {
        Exit::Unsafe
    };
    match args.format {
        ValidateFormat::Json => {
            let mut text = serde_json::to_string_pretty(&to_json(&differences, &source))
                .expect("the drift document is plain JSON");
            text.push('\n');
            output::print(&text)?;
        }
        ValidateFormat::Text if differences.is_empty() => output::print(&format!(
            "{} agrees with the live cluster ({} hosts, {} workloads compared)\n",
            source.name(),
            live.hosts.len(),
            live.workloads.len()
        ))?,
        ValidateFormat::Text => {
            for report in DriftReport::all(&differences, &source) {
                style.eprint(&report);
            }
            eprintln!(
                "{} difference(s) between {} and the live cluster",
                differences.len(),
                source.name()
            );
        }
    }
    Ok(verdict)
}
