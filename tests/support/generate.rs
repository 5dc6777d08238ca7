//! Generators of valid cluster descriptions for tests and benchmarks.
