//! Shared helpers for the integration tests.

#![allow(dead_code)]

pub mod generate;
pub mod small;

use assert_cmd::Command;
use quorate::{InputErrors, Loaded, Source};

/// The `quorate` binary, with colour off and a fixed environment.
pub fn quorate() -> Command {
    let mut cmd = Command::cargo_bin("quorate").expect("the quorate binary is built");
    cmd.env("NO_COLOR", "1").env_remove("COLUMNS");
    cmd
}

/// Loads a description from text, named `name`.
pub fn load(name: &str, text: &str) -> Result<Loaded, InputErrors> {
    quorate::load(&Source::new(name, text))
}

/// Loads a description that must be valid.
pub fn load_ok(name: &str, text: &str) -> Loaded {
    match load(name, text) {
        Ok(loaded) => loaded,
        Err(errors) => panic!(
            "{name} should load, but: {:#?}",
            errors.errors().iter().map(|e| e.message()).collect::<Vec<_>>()
        ),
    }
}

/// The repository root, for paths to examples and fixtures.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
