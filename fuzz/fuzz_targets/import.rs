//! The importers (`quorate import PLATFORM FILE...`) on arbitrary exports: the first byte picks
//! the platform, the rest is split at NUL bytes into up to six files. An export the importer
//! refuses is an error naming one of the files, rendered as the binary does; one it accepts
//! becomes a description that must load without errors (what `quorate check` would then read),
//! as `tests/import/robustness.rs` holds for mutated real fixtures.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quorate::Source;
use quorate::import::{ImportOptions, render};
use quorate::live::{PLATFORMS, parse};

#[path = "render.rs"]
mod diagnostic;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let platform = PLATFORMS[pick as usize % PLATFORMS.len()];
    let files: Vec<Source> = text
        .split('\0')
        .take(6)
        .enumerate()
        .map(|(i, part)| Source::new(format!("export-{i}.json"), part.to_string()))
        .collect();
    match parse(platform, &files) {
        Err(error) => {
            assert!(
                files.iter().any(|f| f.name() == error.file) || error.file == "(no file)",
                "the error names no file given: {error}"
            );
            diagnostic::render(&error);
        }
        Ok(live) => {
            let description = render(&live, &ImportOptions::default());
            if let Err(errors) = quorate::load(&Source::new("imported.toml", description.clone())) {
                panic!(
                    "accepted, but the description does not load:\n{description}\n{}",
                    diagnostic::render(&errors)
                );
            }
        }
    }
});
