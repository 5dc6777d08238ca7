//! The `quorate` binary: parses arguments, runs one command, returns its exit code.
//!
//! A panic is a bug in quorate, never the input's fault: the hook installed here replaces Rust's
//! message (and backtrace) with a short one that names the version and asks for a report, and
//! the process exits 3, the documented code for an internal error, instead of 101.

#![forbid(unsafe_code)]

mod cli;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
            .unwrap_or("a panic");
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // Not eprintln!: it panics when standard error is closed, and a panic in the hook aborts.
        let _ = writeln!(
            std::io::stderr(),
            "internal error: quorate {} stopped: {what}{at}\n\
             This is a bug in quorate, not a problem with your input. Please report it with the \
             input files and the command line.",
            env!("CARGO_PKG_VERSION"),
        );
    }));
    match std::panic::catch_unwind(|| {
        test_panic();
        cli::run()
    }) {
        Ok(code) => code,
        Err(_) => cli::Exit::Internal.into(),
    }
}

/// In debug builds only, `QUORATE_TEST_PANIC=1` panics, so that tests can check the hook and the
/// exit code; release builds have no such switch.
fn test_panic() {
    if cfg!(debug_assertions) && std::env::var_os("QUORATE_TEST_PANIC").is_some_and(|v| v == "1") {
        panic!("QUORATE_TEST_PANIC is set");
    }
}
