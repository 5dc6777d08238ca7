//! The TOML plan reader on arbitrary text, with every error rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quorate::Source;
use quorate::planfile::{self, PlanFormat};

#[path = "render.rs"]
mod render;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if PlanFormat::detect(text) != PlanFormat::Toml {
        return;
    }
    if let Err(errors) = planfile::read(&Source::new("plan.toml", text)) {
        render::render(&errors);
    }
});
