//! `quorate completions SHELL` and `quorate man`: generated from the clap definitions, so they
//! list exactly the commands and options the binary accepts.

use clap::CommandFactory;

use super::Exit;
use super::args::Args;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Exit {
    let mut command = Args::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "quorate", &mut out);
    super::print(&String::from_utf8_lossy(&out))
}

/// Prints the man page: quorate's own, then one section per command.
pub fn man() -> Exit {
    let command = Args::command();
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(command.clone()).render(&mut out) {
        eprintln!("internal error: the man page cannot be written: {e}");
        return Exit::Internal;
    }
    for sub in command.get_subcommands() {
        let page = sub
            .clone()
            .display_name(format!("quorate-{}", sub.get_name()))
            .version(env!("CARGO_PKG_VERSION"));
        if let Err(e) = clap_mangen::Man::new(page).render(&mut out) {
            eprintln!("internal error: the man page cannot be written: {e}");
            return Exit::Internal;
        }
    }
    super::print(&String::from_utf8_lossy(&out))
}
