//! `quorate validate`: load the cluster, read the plan, check it, report.
//!
//! Text output puts each violation on standard error as a diagnostic drawn on the plan file,
//! then one summary line; a safe plan gets one confirmation line on standard output. JSON
//! output is the contract's validation document on standard output and nothing else. Either
//! way the exit code says it: 0 safe, 1 violations, 2 input error (cluster or plan).

use quorate::planfile::{self, ViolationReport};
use quorate::validate::validate;

use super::args::{ValidateArgs, ValidateFormat};
use super::report::Style;
use super::{Exit, input, output};

/// Runs `quorate validate`.
pub fn run(args: &ValidateArgs, style: &Style) -> Exit {
    if args.cluster == "-" && args.plan == "-" {
        eprintln!(
            "error: the cluster and the plan cannot both be read from standard input (-)\n\
             help: give one of them as a file, e.g. `quorate validate cluster.toml -`"
        );
        return Exit::Input;
    }
    let Some(loaded) = input::load_cluster(&args.cluster, style) else {
        return Exit::Input;
    };
    super::report::warnings(&loaded.warnings, style);
    let cluster = &loaded.cluster;
    let source = match input::read(&args.plan) {
        Ok(source) => source,
        Err(e) => {
            style.eprint(&e);
            return Exit::Input;
        }
    };
    let plan = match planfile::read(&source) {
        Ok(plan) => plan,
        Err(errors) => {
            style.eprint(&errors);
            return Exit::Input;
        }
    };
    let validation = validate(cluster, &plan);
    let verdict = if validation.is_valid() {
        Exit::Ok
    } else {
        Exit::Unsafe
    };
    match args.format {
        ValidateFormat::Json => {
            let mut text = serde_json::to_string_pretty(&validation.to_json())
                .expect("the validation document is plain JSON");
            text.push('\n');
            output::emit(&text, None, verdict)
        }
        ValidateFormat::Text if validation.is_valid() => output::emit(
            &format!("{}\n", planfile::confirmation(cluster, &plan, &source)),
            None,
            verdict,
        ),
        ValidateFormat::Text => {
            for report in ViolationReport::all(&validation, &source) {
                style.eprint(&report);
            }
            eprintln!("{}", planfile::summary(&validation, &source, cluster));
            verdict
        }
    }
}
