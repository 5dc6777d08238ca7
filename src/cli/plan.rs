//! `quorate plan`: solve, validate our own output, render, write.

use std::io::IsTerminal;
use std::time::Instant;

use quorate::document::PlanDocument;
use quorate::solve::{self, Backend, Clock, NoSafePlan, SolveOptions};
use quorate::validate::{PlanInput, validate};

use super::args::{Format, PlanArgs};
use super::report::Style;
use super::{Exit, input, output};

struct WallClock(Instant);

impl Clock for WallClock {
    fn elapsed(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// Runs `quorate plan`.
pub fn run(args: &PlanArgs, style: &Style) -> Exit {
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
            eprint!("{}", explain(&cluster.name, &no_plan));
            if format == Format::Json {
                return output::emit(
                    &no_plan_json(&cluster.name, &no_plan),
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
        Format::Text | Format::Markdown | Format::Toml => quorate::render::text::render(&doc),
    };
    output::emit(&text, args.out.as_deref(), Exit::Ok)
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

/// The explanation of why no plan exists, for standard error.
fn explain(cluster: &str, no_plan: &NoSafePlan) -> String {
    const SHOWN: usize = 8;
    let mut out = format!("error: no safe plan exists for cluster {cluster}\n");
    for conflict in no_plan.conflicts.iter().take(SHOWN) {
        match conflict.items.as_slice() {
            [] => out.push_str(&format!("  - {}\n", conflict.reason)),
            [one] => out.push_str(&format!(
                "  - {one} cannot go down even alone: {}\n",
                conflict.reason
            )),
            [first, rest @ ..] => out.push_str(&format!(
                "  - {first} (and {}) cannot go down even alone: {}\n",
                rest.join(", "),
                conflict.reason
            )),
        }
    }
    if no_plan.conflicts.len() > SHOWN {
        out.push_str(&format!(
            "  … and {} more like these\n",
            no_plan.conflicts.len() - SHOWN
        ));
    }
    out.push_str(
        "help: relax one of these rules, add capacity, or bring unavailable hosts back, then plan again\n",
    );
    out
}

fn no_plan_json(cluster: &str, no_plan: &NoSafePlan) -> String {
    let conflicts: Vec<serde_json::Value> = no_plan
        .conflicts
        .iter()
        .map(|c| serde_json::json!({"rule": c.rule, "items": c.items, "reason": c.reason}))
        .collect();
    let doc = serde_json::json!({
        "schema_version": quorate::document::SCHEMA_VERSION,
        "cluster": cluster,
        "feasible": false,
        "conflicts": conflicts,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
    text.push('\n');
    text
}
