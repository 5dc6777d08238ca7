//! Unit tests of the validator: small clusters written as TOML, minimal plans that break one
//! rule each, and plans that must pass.

mod api;
mod evacuation;
mod items;
mod moves;
mod rules;

use crate::model::Cluster;
use crate::source::Source;
use crate::validate::{MoveInput, Named, PlanInput, Validation, WaveInput, validate};

/// Loads a description that must be free of input errors.
fn cluster(text: &str) -> Cluster {
    match crate::load(&Source::new("t.toml", text)) {
        Ok(loaded) => loaded.cluster,
        Err(errors) => panic!("test cluster has input errors: {errors:?}"),
    }
}

/// A wave without moves (the validator searches for a placement).
fn wave(items: &[&str]) -> WaveInput {
    WaveInput {
        span: None,
        items: items.iter().map(|&i| Named::new(i)).collect(),
        moves: None,
    }
}

/// A wave with explicit moves `(workload, to)`.
fn wave_moving(items: &[&str], moves: &[(&str, &str)]) -> WaveInput {
    WaveInput {
        moves: Some(
            moves
                .iter()
                .map(|&(w, to)| MoveInput {
                    span: None,
                    workload: Named::new(w),
                    from: None,
                    to: Named::new(to),
                })
                .collect(),
        ),
        ..wave(items)
    }
}

/// A plan of waves without moves.
fn plan(waves: &[&[&str]]) -> PlanInput {
    PlanInput {
        cluster: None,
        waves: waves.iter().map(|w| wave(w)).collect(),
    }
}

/// A plan of the given waves.
fn plan_of(waves: Vec<WaveInput>) -> PlanInput {
    PlanInput { cluster: None, waves }
}

/// (code, 1-based wave, subject) of every violation, in order.
fn found(validation: &Validation) -> Vec<(&'static str, Option<usize>, String)> {
    validation
        .violations
        .iter()
        .map(|v| (v.code.as_str(), v.wave, v.subject.clone()))
        .collect()
}

/// Validates and compares (code, wave, subject) with `expected`, printing every violation in
/// full on a mismatch; returns the validation for further checks.
#[track_caller]
fn expect(cluster: &Cluster, plan: &PlanInput, expected: &[(&str, Option<usize>, &str)]) -> Validation {
    let validation = validate(cluster, plan);
    let got = found(&validation);
    let want: Vec<(&'static str, Option<usize>, String)> = expected
        .iter()
        .map(|&(code, wave, subject)| {
            let code = crate::validate::ViolationCode::ALL
                .iter()
                .find(|c| c.as_str() == code)
                .unwrap_or_else(|| panic!("no violation code {code}"))
                .as_str();
            (code, wave, subject.to_string())
        })
        .collect();
    if got != want {
        let mut text = String::new();
        for v in &validation.violations {
            text.push_str(&format!(
                "  {} wave {:?} `{}`\n    {}\n    help: {}\n",
                v.code, v.wave, v.subject, v.message, v.help
            ));
        }
        panic!("expected {want:#?}\ngot {got:#?}\nin full:\n{text}");
    }
    validation
}

/// Validates and requires a safe plan.
#[track_caller]
fn expect_valid(cluster: &Cluster, plan: &PlanInput) {
    expect(cluster, plan, &[]);
}

/// The single violation's message and help, joined, for checking their words.
fn text_of(validation: &Validation, index: usize) -> String {
    let v = &validation.violations[index];
    format!("{} | {}", v.message, v.help)
}

/// Four equal hosts (10 cores, 100 GiB), each its own fault domain, no workloads.
const FOUR_HOSTS: &str = r#"
[cluster]
name = "t"

[[host]]
name = "h1"
cpu = 10
memory_gib = 100

[[host]]
name = "h2"
cpu = 10
memory_gib = 100

[[host]]
name = "h3"
cpu = 10
memory_gib = 100

[[host]]
name = "h4"
cpu = 10
memory_gib = 100
"#;

/// `FOUR_HOSTS` with more TOML after it.
fn four_hosts(extra: &str) -> Cluster {
    cluster(&format!("{FOUR_HOSTS}\n{extra}"))
}
