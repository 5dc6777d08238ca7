//! The TOML plan file, hand-written or written by `quorate plan -o toml`, read with spans.
//!
//! It is read like a cluster description, through [`Fields`]: every key the format defines is
//! type-checked, and any other key is an unknown key with the closest known one as a
//! suggestion. Only `cluster`, each wave's `hosts` and its `[[wave.move]]` entries reach the
//! validator; `schema_version`, `[summary]`, and a wave's `index`, `fault_domains_down`,
//! `sites_down`, `minutes`, `rollback`, `[[wave.pre_check]]`, `[[wave.step]]` and
//! `[[wave.post_check]]` are the runbook quorate writes around them (docs/plan-files.md).

use toml::de::DeTable;

use crate::diagnostic::{ErrorKind, InputError};
use crate::document::SCHEMA_VERSION;
use crate::limits::{Limit, Limits};
use crate::parse::fields::Fields;
use crate::parse::size;
use crate::validate::{MoveInput, Named, PlanInput, WaveInput};
use toml::Spanned;

/// Reads the plan in `text`, pushing every problem to `errors`.
///
/// With a syntax error only the first one is reported: the document tree is incomplete, and
/// what the parser finds after it (an unclosed array swallows the next `[[wave]]`) is mostly
/// echoes of it.
pub(super) fn read(text: &str, limits: &Limits, errors: &mut Vec<InputError>) -> PlanInput {
    // Counted on the text first, so that a plan of a million waves fails before it is parsed.
    if let Some(error) = size::check_headers(text, "wave", Limit::Waves, limits.waves, limits) {
        errors.push(error);
        return PlanInput::default();
    }
    let (document, syntax) = DeTable::parse_recoverable(text);
    if let Some(first) = syntax.into_iter().next() {
        let error = crate::parse::syntax_error(text, first);
        let help = error.help_text().unwrap_or_default().to_string();
        errors.push(error.with_help(format!(
            "{help} (the plan does not start with `{{`, so it is read as TOML)"
        )));
        return PlanInput::default();
    }
    let too_big = size::check_tree(
        document.get_ref(),
        &[("wave", Limit::Waves, limits.waves)],
        limits,
    );
    if !too_big.is_empty() {
        errors.extend(too_big);
        return PlanInput::default();
    }
    let mut top = Fields::new(document.get_ref(), 0..0, "the plan");
    schema_version(&mut top, errors);
    let cluster = top.name("cluster", errors).map(named);
    if let Some(mut summary) = top.table("summary", errors) {
        for key in ["waves", "lower_bound", "total_minutes", "lower_bound_minutes"] {
            summary.integer(key, errors);
        }
        summary.boolean("optimal", errors);
        for key in ["objective", "proof", "solver"] {
            summary.string(key, errors);
        }
        summary.number("solve_seconds", errors);
        summary.finish(errors);
    }
    let waves = top
        .array_of_tables("wave", errors)
        .into_iter()
        .filter_map(|w| wave(w, errors))
        .collect();
    top.finish(errors);
    PlanInput { cluster, waves }
}

fn named(name: Spanned<String>) -> Named {
    let span = name.span();
    Named::spanned(name.into_inner(), span)
}

fn schema_version(top: &mut Fields<'_, '_>, errors: &mut Vec<InputError>) {
    let Some(version) = top.integer("schema_version", errors) else {
        return;
    };
    if *version.get_ref() != u64::from(SCHEMA_VERSION) {
        errors.push(
            InputError::new(
                ErrorKind::InvalidValue,
                version.span(),
                format!(
                    "this quorate reads plan files of schema_version {SCHEMA_VERSION}, not {}",
                    version.get_ref()
                ),
                "unknown schema version",
            )
            .with_help("validate the plan with the quorate that wrote it, or write it again with this one"),
        );
    }
}

fn wave(mut t: Fields<'_, '_>, errors: &mut Vec<InputError>) -> Option<WaveInput> {
    let hosts_key = t.key_span("hosts");
    let hosts = t.required_names("hosts", "[\"esx-01\", \"esx-02\"]", errors);
    // Informational: written by `quorate plan`, checked for type only.
    t.integer("index", errors);
    t.names("fault_domains_down", errors);
    t.names("sites_down", errors);
    t.integer("minutes", errors);
    t.string("rollback", errors);
    let has_moves = t.key_span("move").is_some();
    let moves: Vec<MoveInput> = t
        .array_of_tables("move", errors)
        .into_iter()
        .filter_map(|m| move_input(m, errors))
        .collect();
    for key in ["pre_check", "post_check"] {
        for check in t.array_of_tables(key, errors) {
            runbook_entry(
                check,
                &["id", "kind", "subject", "expect", "command", "assert"],
                errors,
            );
        }
    }
    for step in t.array_of_tables("step", errors) {
        runbook_entry(step, &["id", "action", "target", "detail", "command"], errors);
    }
    let header = t.header();
    t.finish(errors);
    let hosts = hosts?;
    // The wave is its list of hosts: that is where a violation of the wave points.
    let span = hosts_key.map_or(header, |key| key.start..hosts.span().end);
    Some(WaveInput {
        span: Some(span),
        items: hosts.into_inner().into_iter().map(named).collect(),
        moves: has_moves.then_some(moves),
    })
}

fn move_input(mut t: Fields<'_, '_>, errors: &mut Vec<InputError>) -> Option<MoveInput> {
    let workload = t.required_name("workload", "\"db-01\"", errors);
    let from = t.name("from", errors);
    let to = t.required_name("to", "\"esx-02\"", errors);
    let span = t.extent();
    t.finish(errors);
    Some(MoveInput {
        span: Some(span),
        workload: named(workload?),
        from: from.map(named),
        to: named(to?),
    })
}

/// A pre-check, step or post-check: strings only, none required.
fn runbook_entry(mut t: Fields<'_, '_>, keys: &[&'static str], errors: &mut Vec<InputError>) {
    for &key in keys {
        t.string(key, errors);
    }
    t.finish(errors);
}
