//! Tests: input_errors.
