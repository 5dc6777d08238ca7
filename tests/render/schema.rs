//! `schema/plan.schema.json` against real `quorate plan -o json` output: every example's plan,
//! the no-safe-plan document, and a document with every optional field.
//!
//! Each instance is validated twice: against the schema as shipped (open to added fields, as
//! the contract promises consumers), and against a strict copy that forbids properties the
//! schema does not describe, so a field added to the output without the schema fails here.

use serde_json::Value;

use super::{STUCK, examples, full_document};
use crate::support;

fn schema() -> Value {
    let path = support::root().join("schema/plan.schema.json");
    let text = std::fs::read_to_string(&path).expect("the schema is readable");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// `schema` with `additionalProperties: false` on every object that lists its properties.
fn strict(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut map: serde_json::Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), strict(v))).collect();
            if map.contains_key("properties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            Value::Object(map)
        }
        Value::Array(items) => Value::Array(items.iter().map(strict).collect()),
        other => other.clone(),
    }
}

/// Panics with every error when `instance` does not match the schema or its strict copy.
fn assert_valid(what: &str, instance: &Value) {
    assert_matches(&schema(), what, instance);
}

/// Panics with every error when `instance` does not match `schema` or its strict copy.
pub(crate) fn assert_matches(schema: &Value, what: &str, instance: &Value) {
    for (name, schema) in [("schema", schema.clone()), ("strict schema", strict(schema))] {
        let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} does not match the {name}:\n{}",
            errors.join("\n")
        );
    }
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("schema/plan.schema.json is not a valid schema: {e}");
    }
}

#[test]
fn every_example_plan_matches_the_schema() {
    for name in examples() {
        let output = support::quorate()
            .args(["plan", "-o", "json", "--time-limit", "10"])
            .arg(super::example_path(&name))
            .output()
            .expect("quorate runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: Value = serde_json::from_slice(&output.stdout).expect("the plan is JSON");
        assert_valid(&format!("the plan of {name}"), &json);
    }
}

#[test]
fn the_no_safe_plan_document_matches_the_schema() {
    let output = support::quorate()
        .args(["plan", "-", "-o", "json"])
        .write_stdin(STUCK)
        .output()
        .expect("quorate runs");
    assert_eq!(output.status.code(), Some(1), "no safe plan exists");
    let json: Value = serde_json::from_slice(&output.stdout).expect("the answer is JSON");
    assert_eq!(json["feasible"], false);
    assert_valid("the no-safe-plan document", &json);
}

#[test]
fn a_document_with_every_field_matches_the_schema() {
    let json: Value = serde_json::from_str(&full_document().to_json()).expect("JSON");
    assert_valid("the full document", &json);
}

#[test]
fn the_schema_rejects_what_is_not_a_plan() {
    let validator = jsonschema::draft202012::new(&schema()).expect("the schema compiles");
    let mut plan: Value = serde_json::from_str(&full_document().to_json()).expect("JSON");
    assert!(validator.is_valid(&plan));
    plan["waves"][0]["moves"][0]
        .as_object_mut()
        .expect("a move")
        .remove("to");
    assert!(!validator.is_valid(&plan), "a move without `to`");
    assert!(!validator.is_valid(&serde_json::json!({"schema_version": 1, "cluster": "x"})));
    assert!(!validator.is_valid(&serde_json::json!({
        "schema_version": 1, "cluster": "x", "feasible": true, "conflicts": []
    })));
}
