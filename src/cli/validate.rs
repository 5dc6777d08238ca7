//! `quorate validate`: load the cluster, read the plan, check it, report.
//!
//! Text output puts each violation on standard error as a diagnostic drawn on the plan file,
//! then one summary line; a safe plan gets one confirmation line on standard output. JSON
//! output is the contract's validation document on standard output and nothing else. Either
//! way the exit code says it: 0 safe, 1 violations, 2 input error (cluster or plan).

use quorate::diagnostic::Omitted;
use quorate::planfile::{self, ViolationReport};
use quorate::validate::validate;
use quorate::{InputErrors, Limits};

use super::args::{ValidateArgs, ValidateFormat};
use super::report::Style;
use super::{CliError, Exit, input, output};

/// Runs `quorate validate`.
pub fn run(args: &ValidateArgs, limits: &Limits, style: &Style) -> Result<Exit, CliError> {
    if args.cluster == "-" && args.plan == "-" {
        return Err(CliError::Usage {
            message: "the cluster and the plan cannot both be read from standard input (-)".to_string(),
            help: "give one of them as a file, e.g. `quorate validate cluster.toml -`".to_string(),
        });
    }
    let loaded = input::load_cluster(&args.cluster, limits)?;
    super::report::warnings(&loaded.warnings, style);
    let cluster = &loaded.cluster;
    let source = input::read(&args.plan, limits)?;
    let plan = planfile::read_limited(&source, limits)?;
    // A plan for another cluster is one input error, not a list of rule violations.
    if let Some(error) = quorate::validate::other_cluster(cluster, &plan) {
        return Err(InputErrors::new(&source, vec![error]).into());
    }
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
            output::print(&text)?;
        }
        ValidateFormat::Text if validation.is_valid() => {
            output::print(&format!("{}\n", planfile::confirmation(cluster, &plan, &source)))?;
        }
        ValidateFormat::Text => {
            // Only the first violations are drawn: each drawing costs time in proportion to the
            // plan, and the one-line summary counts them all.
            let shown = limits.diagnostics.max(1);
            for violation in validation.violations.iter().take(shown) {
                style.eprint(&ViolationReport::new(violation, &source));
            }
            let hidden = validation.violations.len().saturating_sub(shown);
            if hidden > 0 {
                style.eprint(&Omitted::new(hidden, "violation", shown));
            }
            eprintln!("{}", planfile::summary(&validation, &source, cluster));
        }
    }
    Ok(verdict)
}
