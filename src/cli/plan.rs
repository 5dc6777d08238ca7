//! `quorate plan`: solve, validate our own output, render in the chosen format, write.

use std::io::IsTerminal;
use std::time::Instant;

use quorate::document::PlanDocument;
use quorate::render;
use quorate::solve::{self, Backend, Clock, SolveOptions};
use quorate::validate::{PlanInput, validate};

use super::args::{ColorChoice, Format, PlanArgs};
use super::report::Style;
use super::{Exit, input, output};

struct WallClock(Instant);

impl Clock for WallClock {
    fn elapsed(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// Runs `quorate plan`; `color` is `--color`, which decides whether text on standard output is
/// coloured.
pub fn run(args: &PlanArgs, color: ColorChoice, style: &Style) -> Exit {
    let backend = match &args.solver {
        None => Backend::default_backend(),
        Some(name) => Backend::from_name(name),
    };
    let Some(backend) = backend else {
        let available: Vec<&str> = Backend::available().iter().map(|b| b.name()).collect();
        eprintln!(
            "error: unknown or unavailable solver {:?}; this build has: {}",
            args.solver.as_deref().unwrap_or(""),
            if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            }
        );
        return Exit::Input;
    };
    if !(args.time_limit.is_finite() && args.time_limit > 0.0) {
        eprintln!("error: --time-limit must be a positive number of seconds");
        return Exit::Input;
    }
    let format = args.format.unwrap_or_else(|| default_format(args.out.as_deref()));
    let Some(loaded) = input::load_cluster(&args.cluster, style) else {
        return Exit::Input;
    };
    super::report::warnings(&loaded.warnings, style);
    let cluster = &loaded.cluster;
    let clock = WallClock(Instant::now());
    let options = SolveOptions {
        backend,
        time_limit: args.time_limit,
        clock: &clock,
    };
    let mut plan = match solve::solve(cluster, &options) {
        Ok(plan) => plan,
        Err(no_plan) => {
            eprint!("{}", quorate::plan::no_safe_plan::prose(&cluster.name, &no_plan));
            if format == Format::Json {
                return output::emit(
                    &quorate::plan::no_safe_plan::json(&cluster.name, &no_plan),
                    args.out.as_deref(),
                    Exit::Unsafe,
                );
            }
            return Exit::Unsafe;
        }
    };
    plan.quality.solve_seconds = (clock.elapsed() * 1000.0).round() / 1000.0;
    // No plan leaves quorate unless its own validator, written apart from the solver, accepts it.
    let validation = validate(cluster, &PlanInput::from_plan(cluster, &plan));
    if !validation.is_valid() {
        eprintln!(
            "internal error: the plan quorate computed fails its own validator; please report this with the input."
        );
        for v in &validation.violations {
            eprintln!(
                "  - {} (wave {:?}, {}): {}",
                v.code.as_str(),
                v.wave,
                v.subject,
                v.message
            );
        }
        return Exit::Internal;
    }
    let doc = PlanDocument::new(cluster, &plan);
    let text = match format {
        Format::Json => doc.to_json(),
        Format::Text => render::text::render(&doc, colour(color, args.out.as_deref())),
        Format::Markdown => render::markdown::render(&doc),
        Format::Toml => match render::toml::render(&doc) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("internal error: the plan cannot be written as TOML: {e}");
                return Exit::Internal;
            }
        },
    };
    output::emit(&text, args.out.as_deref(), Exit::Ok)
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
        Some(_) => Format::Json,
        None if out.is_none() && std::io::stdout().is_terminal() => Format::Text,
        None => Format::Json,
    }
}
