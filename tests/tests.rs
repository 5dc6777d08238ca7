//! Integration tests: one test binary, one module per topic.

mod support;

mod bad_input;
mod cli;
mod examples;
mod hostile;
mod input_errors;
mod planner;
mod planner_props;
mod planner_volume;
mod render;
mod roundtrip;
mod runbook;
mod validate;
