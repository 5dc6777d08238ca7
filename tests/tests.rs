//! Integration tests: one test binary, one module per topic.

mod support;

mod bad_input;
mod baselines;
mod cli;
mod drift;
mod examples;
mod hostile;
mod import;
mod input_errors;
mod no_safe_plan;
mod outputs;
mod planner;
mod planner_anytime;
mod planner_bounds;
mod planner_duration;
mod planner_generate;
mod planner_props;
mod planner_volume;
mod render;
mod roundtrip;
mod runbook;
mod runbook_rules;
mod validate;
mod verify;
mod warnings;
