//! Integration tests: one test binary, one module per topic.

mod support;

mod cli;
mod examples;
mod input_errors;
mod no_safe_plan;
mod planner;
mod planner_props;
mod render;
mod roundtrip;
mod runbook;
mod runbook_rules;
mod validate;
