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
use super::report::Style;
use super::{Exit, input, output};

/// Runs `quorate drift`.
pub fn run(args: &DriftArgs, style: &Style) -> Exit {
    if args.cluster == "-" && args.files.iter().any(|f| f == "-") {
        eprintln!("error: the description and an export cannot both be read from standard input");
        return Exit::Input;
    }
    let source = match input::read(&args.cluster) {
        Ok(source) => source,
        Err(e) => {
            style.eprint(&e);
            return Exit::Input;
        }
    };
    let loaded = match quorate::load(&source) {
        Ok(loaded) => loaded,
        Err(errors) => {
            style.eprint(&errors);
            return Exit::Input;
        }
    };
    let platform = loaded.cluster.platform;
    if !PLATFORMS.contains(&platform) {
        eprintln!(
            "error: {} describes a {} cluster, and quorate reads live exports of: {}",
            source.name(),
            platform.name(),
            PLATFORMS.map(|p| p.name()).join(", ")
        );
        return Exit::Input;
    }
    let Some(files) = read_all(&args.files, style) else {
        return Exit::Input;
    };
    let live = match live::parse(platform, &files) {
        Ok(live) => live,
        Err(e) => {
            style.eprint(&e);
            return Exit::Input;
        }
    };
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
            output::emit(&text, None, verdict)
        }
        ValidateFormat::Text if differences.is_empty() => output::emit(
            &format!(
                "{} agrees with the live cluster ({} hosts, {} workloads compared)\n",
                source.name(),
                live.hosts.len(),
                live.workloads.len()
            ),
            None,
            verdict,
        ),
        ValidateFormat::Text => {
            for report in DriftReport::all(&differences, &source) {
                style.eprint(&report);
            }
            eprintln!(
                "{} difference(s) between {} and the live cluster",
                differences.len(),
                source.name()
            );
            verdict
        }
    }
}
