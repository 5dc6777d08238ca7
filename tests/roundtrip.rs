//! Tests: roundtrip.
