//! `-o change`, `-o change-md` and `export change`: every example's change request against
//! `schema/change.schema.json` (as shipped, and strict), times computed from the waves'
//! durations, the same text in JSON and Markdown, and `--start` required and checked.

use serde_json::Value;

use quorate::render::change::{self, Timestamp};

use super::{run_quorate, stub_plan, stub_plan_path};
use crate::render::schema::assert_matches;
use crate::render::{document, examples};
use crate::support;

const START: &str = "2026-12-31T22:00:00Z";

fn start() -> Timestamp {
    START.parse().expect("a time")
}

fn schema() -> Value {
    let text = std::fs::read_to_string(support::root().join("schema/change.schema.json"))
        .expect("the schema is readable");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// Panics with every error when `instance` does not match the change-request schema (which
/// must itself be a valid schema) or its strict copy.
fn assert_valid(what: &str, instance: &Value) {
    let schema = schema();
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("schema/change.schema.json is not a valid schema: {e}");
    }
    assert_matches(&schema, what, instance);
}

#[test]
fn every_examples_change_request_matches_the_schema() {
    for name in examples() {
        let text = change::render(&document(&name), start());
        let value: Value = serde_json::from_str(&text).expect("the change request is JSON");
        assert_valid(&name, &value);
    }
    let value: Value = serde_json::from_str(&change::render(&stub_plan(), start())).unwrap();
    assert_valid("the stub plan", &value);
}

#[test]
fn times_run_back_to_back_from_the_start() {
    for name in examples() {
        let doc = document(&name);
        let request = change::build(&doc, start());
        assert_eq!(request.start_date, "2026-12-31 22:00:00", "{name}");
        let mut at = start();
        for (wave, planned) in doc.waves.iter().zip(&request.waves) {
            assert_eq!(planned.start, at.rfc3339(), "{name} wave {}", wave.index);
            at = at.plus_minutes(wave.minutes);
            assert_eq!(planned.end, at.rfc3339(), "{name} wave {}", wave.index);
        }
        assert_eq!(
            request.end_date,
            start().plus_minutes(doc.summary.total_minutes).servicenow(),
            "{name}"
        );
        assert_eq!(
            request.end_date,
            at.servicenow(),
            "{name}: the waves fill the window"
        );
    }
    // The stub plan: 60 and 90 minutes from 22:00 on New Year's Eve.
    let request = change::build(&stub_plan(), start());
    assert_eq!(request.waves[1].start, "2026-12-31T23:00:00Z");
    assert_eq!(request.end_date, "2027-01-01 00:30:00");
}

#[test]
fn the_fields_carry_the_plan() {
    let doc = stub_plan();
    let request = change::build(&doc, start());
    assert_eq!(request.cmdb_ci, ["esx-01", "esx $(id) {{ x }}"]);
    assert!(
        request
            .short_description
            .starts_with("Rolling upgrade of stub-lab: 2 hosts and components in 2 waves")
    );
    for (field, text, needles) in [
        (
            "implementation_plan",
            &request.implementation_plan,
            &[
                "Wave 1 of 2, 2026-12-31 22:00 UTC to 2026-12-31 23:00 UTC",
                "W1.S2 enter_maintenance esx-01: govc host.maintenance.enter esx-01",
                "W1.S3 reboot esx-01 (manual): reboot esx-01 from its console",
            ][..],
        ),
        (
            "test_plan",
            &request.test_plan,
            &[
                "W1.PRE.1 quorum etcd: at least 2 of 3 members up; assert: probe quorum etcd",
                "W1.PRE.2 capacity cpu: room for db-01 on esx-02: govc host.info esx-02",
                "W2.POST.1",
            ],
        ),
        (
            "backout_plan",
            &request.backout_plan,
            &["put esx-01 back on the old image and exit maintenance"],
        ),
        (
            "risk_impact_analysis",
            &request.risk_impact_analysis,
            &[
                "Fault domains down: rack-a",
                "Workloads moved: db-01 (esx-01 to esx-02)",
                "Proven optimal: yes",
            ],
        ),
        (
            "justification",
            &request.justification,
            &["optimal for waves, proven by bounds"],
        ),
    ] {
        for needle in needles {
            assert!(text.contains(needle), "{field} lacks {needle:?}:\n{text}");
        }
    }
}

#[test]
fn the_markdown_says_what_the_json_says() {
    let doc = stub_plan();
    let markdown = change::markdown::render(&doc, start());
    let request = change::build(&doc, start());
    // Every heading and every line of every JSON text field is in the Markdown (which puts
    // commands in code spans).
    for field in [
        &request.description,
        &request.justification,
        &request.implementation_plan,
        &request.test_plan,
        &request.backout_plan,
        &request.risk_impact_analysis,
    ] {
        for line in field.lines().filter(|l| !l.is_empty()) {
            let shown = match line.strip_prefix("  ") {
                None => format!("### {line}"),
                Some(item) => match item.split_once(": govc ").or_else(|| item.split_once("assert: ")) {
                    Some(_) => item.split(": ").next().unwrap_or_default().to_string(),
                    None => format!("- {item}"),
                },
            };
            assert!(
                markdown.contains(&shown),
                "{shown:?} is not in the Markdown:\n{markdown}"
            );
        }
    }
    assert!(markdown.contains("| Planned start date (`start_date`) | 2026-12-31 22:00:00 UTC |"));
    insta::assert_snapshot!("change_md_stub_plan", markdown);
}

#[test]
fn plan_and_export_need_a_start_and_check_it() {
    let example = support::root().join("examples/kubernetes.toml");
    let output = run_quorate(&[&"plan", &"-o", &"change", &example]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--start"));
    for bad in ["2026-12-05T22:00:00", "2026-02-30T22:00:00Z", "soon"] {
        let output = run_quorate(&[&"export", &"change-md", &stub_plan_path(), &"--start", &bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("RFC 3339") && stderr.contains(bad),
            "{bad}: {stderr}"
        );
    }
    let output = run_quorate(&[
        &"export",
        &"change",
        &stub_plan_path(),
        &"--start",
        &"2026-12-31T23:00:00+01:00",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        change::render(&stub_plan(), start()),
        "an offset is read as the same moment in UTC"
    );
}

#[test]
fn plan_writes_the_change_request_of_its_plan() {
    let example = support::root().join("examples/proxmox-ceph.toml");
    let output = run_quorate(&[&"plan", &"-o", &"change", &"--start", &START, &example]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let value: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_valid("plan -o change", &value);
    assert_eq!(value["start_date"], "2026-12-31 22:00:00");
}
