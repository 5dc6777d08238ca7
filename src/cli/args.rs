//! Command-line arguments, close to what was typed: clap validates, commands build the rest.

use clap::{Parser, Subcommand, ValueEnum};

/// Plans rolling upgrades of infrastructure clusters so that no maintenance window becomes an
/// outage.
#[derive(Debug, Parser)]
#[command(name = "quorate", version, about, long_about = None)]
pub struct Args {
    /// When to colour diagnostics: auto colours on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check a cluster description; print a summary and a lower bound on waves.
    Check {
        /// The cluster description (TOML), or - for standard input.
        cluster: String,
    },
    /// Print the dependency graph of a cluster in Graphviz DOT.
    Graph {
        /// The cluster description (TOML), or - for standard input.
        cluster: String,
    },
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
