//! The JSON plan reader on arbitrary text (made to start with `{`, so it is read as JSON), with
//! every error rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quorate::Source;
use quorate::planfile;

#[path = "render.rs"]
mod render;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = if text.trim_start().starts_with('{') {
        text.to_string()
    } else {
        format!("{{{text}")
    };
    if let Err(errors) = planfile::read(&Source::new("plan.json", text)) {
        render::render(&errors);
    }
});
