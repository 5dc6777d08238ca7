//! The cluster parser and resolver on arbitrary text, with every error rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quorate::Source;

#[path = "render.rs"]
mod render;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match quorate::load(&Source::new("fuzz.toml", text)) {
        Ok(loaded) => {
            for warning in loaded.warnings.reports() {
                render::render(&warning);
            }
        }
        Err(errors) => {
            render::render(&errors);
        }
    }
});
