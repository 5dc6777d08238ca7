//! `quorate completions SHELL` and `quorate man`: generated from the clap definitions, so they
//! list exactly the commands and options the binary accepts.

use clap::CommandFactory;

use super::args::Args;
use super::{CliError, Exit, output};

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<Exit, CliError> {
    let mut command = Args::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "quorate", &mut out);
    output::print(&String::from_utf8_lossy(&out))?;
    Ok(Exit::Ok)
}

/// Prints the man page: quorate's own, then one section per command.
pub fn man() -> Result<Exit, CliError> {
    let command = Args::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut out)
        .map_err(|e| CliError::Internal(format!("the man page cannot be written: {e}")))?;
    for sub in command.get_subcommands() {
        let page = sub
            .clone()
            .display_name(format!("quorate-{}", sub.get_name()))
            .version(env!("CARGO_PKG_VERSION"));
        clap_mangen::Man::new(page)
            .render(&mut out)
            .map_err(|e| CliError::Internal(format!("the man page cannot be written: {e}")))?;
    }
    output::print(&String::from_utf8_lossy(&out))?;
    Ok(Exit::Ok)
}
