//! `quorate plan`: solve, validate our own output, render in the chosen format, write.

use std::io::IsTerminal;

use quorate::document::PlanDocument;
use quorate::solve::{self, Backend, Clock, SolveOptions};

use super::progress::{CommandClock, solver_limit};
use quorate::validate::{PlanInput, validate};
use quorate::{render, runbook};

use super::args::{ColorChoice, Format, PlanArgs};
use super::report::Style;
use super::{CliError, Exit, input, output};
use quorate::Limits;

/// Runs `quorate plan`; `color` is `--color`, which decides whether text on standard output is
/// coloured.
pub fn run(args: &PlanArgs, color: ColorChoice, limits: &Limits, style: &Style) -> Result<Exit, CliError> {
    // Before anything else: the time limit covers the whole command.
    let clock = CommandClock::start();
    let backend = match args.solver {
        Some(backend) => backend,
        None => Backend::default_backend().ok_or_else(|| CliError::Usage {
            message: "this build has no solver".to_string(),
            help: "build quorate with the `microlp` or `highs` feature".to_string(),
        })?,
    };
    let format = args.format.unwrap_or_else(|| default_format(args.out.as_deref()));
    // Known before planning: a change request without its start time is an input error.
    if matches!(format, Format::Change | Format::ChangeMd) && args.start.is_none() {
        return Err(super::export::missing_start());
    }
    let (source, loaded) = input::load_cluster_source(&args.cluster, limits)?;
    super::report::warnings(&loaded.warnings, style);
    let cluster = &loaded.cluster;
    // Platform-aware warnings: the plan will be safe for the rules written down, and these say
    // which rule the platform has that was not. Printed whatever the format, before planning
    // (they explain a plan as much as a failure to find one); never changing the exit code.
    let described = quorate::warnings::check(cluster, None);
    super::report::platform_warnings(
        &quorate::warnings::report::Warnings::new(&source, described),
        style,
    );
    let options = SolveOptions {
        backend,
        time_limit: solver_limit(args.time_limit, clock.elapsed()),
        clock: &clock,
    };
    let solved = clock.with_progress(args.progress, || solve::solve(cluster, &options));
    let mut plan = match solved {
        Ok(plan) => plan,
        Err(no_plan) => {
            // What would make a plan possible, within what is left of the time limit.
            let relaxations = quorate::plan::relax::relaxations(cluster, &no_plan, &options);
            eprint!(
                "{}",
                quorate::plan::no_safe_plan::prose(cluster, &no_plan, &relaxations)
            );
            if format == Format::Json {
                output::emit(
                    &quorate::plan::no_safe_plan::json(cluster, &no_plan, &relaxations),
                    args.out.as_deref(),
                )?;
            }
            return Ok(Exit::Unsafe);
        }
    };
    plan.quality.solve_seconds = (clock.elapsed() * 1000.0).round() / 1000.0;
    interrupted(&clock, &mut plan);
    // No plan leaves quorate unless its own validator, written apart from the solver, accepts it.
    let validation = validate(cluster, &PlanInput::from_plan(cluster, &plan));
    if !validation.is_valid() {
        let mut message = "the plan quorate computed fails its own validator".to_string();
        for v in &validation.violations {
            message.push_str(&format!(
                "\n  - {} (wave {:?}, {}): {}",
                v.code.as_str(),
                v.wave,
                v.subject,
                v.message
            ));
        }
        return Err(CliError::Internal(message));
    }
    let planned = quorate::warnings::check_plan(cluster, &plan);
    super::report::platform_warnings(&quorate::warnings::report::Warnings::new(&source, planned), style);
    let doc = PlanDocument::new(cluster, &plan);
    let text = match format {
        Format::Json => doc.to_json(),
        Format::Text => render::text::render(&doc, colour(color, args.out.as_deref())),
        Format::Markdown => render::markdown::render(&doc),
        Format::Script => render::script::render(&doc, runbook::platform::for_cluster(cluster).shell()),
        Format::Ansible => render::ansible::render(&doc, runbook::platform::for_cluster(cluster).shell()),
        Format::Change | Format::ChangeMd => match args.start {
            Some(start) if format == Format::Change => render::change::render(&doc, start),
            Some(start) => render::change::markdown::render(&doc, start),
            None => return Err(super::export::missing_start()),
        },
        Format::Toml => render::toml::render(&doc)
            .map_err(|e| CliError::Internal(format!("the plan cannot be written as TOML: {e}")))?,
    };
    output::emit(&text, args.out.as_deref())?;
    Ok(Exit::Ok)
}

/// Whether the text runbook is coloured: never in a file; on standard output with `--color
/// always`, or by default when it is a terminal and `NO_COLOR` is not set.
fn colour(choice: ColorChoice, out: Option<&std::path::Path>) -> bool {
    if out.is_some() {
        return false;
    }
    match choice {
        ColorChoice::Never => false,
        ColorChoice::Always => true,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn default_format(out: Option<&std::path::Path>) -> Format {
    match out.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
        Some("md" | "markdown") => Format::Markdown,
        Some("toml") => Format::Toml,
        Some("txt") => Format::Text,
        Some("sh" | "bash" | "ps1") => Format::Script,
        Some("yml" | "yaml") => Format::Ansible,
        Some(_) => Format::Json,
        None if out.is_none() && std::io::stdout().is_terminal() => Format::Text,
        None => Format::Json,
    }
}

/// After Ctrl-C the plan is the best found so far: say so, in the plan's own warnings.
fn interrupted(clock: &CommandClock, plan: &mut quorate::plan::Plan) {
    if clock.interrupted() {
        plan.quality.solve_seconds = 0.0;
        plan.warnings.push(
            "interrupted (Ctrl-C): this is the best safe plan found so far; it is proven optimal only if \
             it meets its lower bound"
                .to_string(),
        );
    }
}
