//! `quorate verify`: load the description and the plan, read the exports, evaluate one wave's
//! checks, report.
//!
//! The plan must pass the validator first (its violations are drawn as `validate` draws them,
//! and the run is an input error): checking the live state for a wave that should not run
//! would vouch for it. The report goes to standard output, text or JSON; exit 0 when every
//! check the exports decide passes (manual ones do not count against it), 1 when one fails,
//! 2 on unreadable or mismatched input.

use quorate::Limits;
use quorate::live::{self, PLATFORMS};
use quorate::planfile::{self, ViolationReport};
use quorate::validate::validate;
use quorate::verify::{plan_of, text, to_json, verify};

use super::args::ValidateFormat;
use super::import::read_all;
use super::report::Style;
use super::{CliError, Exit, input, output};

/// `quorate verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The cluster description (TOML).
    pub cluster: String,

    /// The plan (TOML or JSON, as `validate` reads it).
    pub plan: String,

    /// The wave whose checks to evaluate, from 1.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub wave: u32,

    /// Evaluate the wave's post-checks instead of its pre-checks.
    #[arg(long)]
    pub post: bool,

    /// The live exports, in any order (the files `import` and `drift` read); - for standard
    /// input.
    #[arg(required = true)]
    pub files: Vec<String>,

    /// Output: text or json.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
}

/// Runs `quorate verify`.
pub fn run(args: &VerifyArgs, limits: &Limits, style: &Style) -> Result<Exit, CliError> {
    let stdin = [&args.cluster, &args.plan]
        .into_iter()
        .chain(&args.files)
        .filter(|f| *f == "-")
        .count();
    if stdin > 1 {
        return Err(CliError::Usage {
            message: "only one of the description, the plan and the exports can be read from standard input"
                .to_string(),
            help: "give the others as files".to_string(),
        });
    }
    let loaded = input::load_cluster(&args.cluster, limits)?;
    super::report::warnings(&loaded.warnings, style);
    let cluster = &loaded.cluster;
    if !PLATFORMS.contains(&cluster.platform) {
        return Err(CliError::Usage {
            message: format!(
                "{} describes a {} cluster, and quorate reads live exports of: {}",
                args.cluster,
                cluster.platform.name(),
                PLATFORMS.map(|p| p.name()).join(", ")
            ),
            help: "verify reads the description's own platform's exports".to_string(),
        });
    }
    let source = input::read(&args.plan, limits)?;
    let input_plan = planfile::read_limited(&source, limits)?;
    let validation = validate(cluster, &input_plan);
    let plan = match plan_of(cluster, &input_plan) {
        Some(plan) if validation.is_valid() => plan,
        _ => {
            for violation in validation.violations.iter().take(limits.diagnostics.max(1)) {
                style.eprint(&ViolationReport::new(violation, &source));
            }
            return Err(CliError::Usage {
                message: format!(
                    "{} is not a safe plan for {}: {}",
                    source.name(),
                    args.cluster,
                    planfile::summary(&validation, &source, cluster)
                ),
                help: "verify checks the waves of a plan that `quorate validate` accepts".to_string(),
            });
        }
    };
    let wave = args.wave as usize;
    if wave > plan.waves.len() {
        return Err(CliError::Usage {
            message: format!(
                "--wave {wave}: {} has {} wave(s)",
                source.name(),
                plan.waves.len()
            ),
            help: format!("give a wave from 1 to {}", plan.waves.len()),
        });
    }
    let files = read_all(&args.files, limits)?;
    let live = live::parse(cluster.platform, &files).map_err(CliError::Live)?;
    let verification = verify(cluster, &plan, wave, args.post, &live);
    match args.format {
        ValidateFormat::Json => {
            let mut text = serde_json::to_string_pretty(&to_json(&verification))
                .expect("the verify document is plain JSON");
            text.push('\n');
            output::print(&text)?;
        }
        ValidateFormat::Text => output::print(&text(&verification))?,
    }
    Ok(if verification.passed() {
        Exit::Ok
    } else {
        Exit::Unsafe
    })
}
