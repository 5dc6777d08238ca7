//! The `quorate` binary: parses arguments, runs one command, returns its exit code.

#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
