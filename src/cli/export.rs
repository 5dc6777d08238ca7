//! `quorate export FORMAT PLAN.json`: a plan quorate wrote, rendered as a runbook script, a
//! playbook or a change request without planning again.

use std::path::PathBuf;

use clap::ValueEnum;
use quorate::planfile;
use quorate::render::{self, change::Timestamp};
use quorate::runbook::platform::Shell;

use quorate::Limits;

use super::{CliError, Exit, input, output};

/// `quorate export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// What to write.
    #[arg(value_enum)]
    pub format: ExportFormat,

    /// The plan document (`quorate plan -o json`), or - for standard input.
    pub plan: String,

    /// When the change starts (RFC 3339, e.g. 2026-12-05T22:00:00Z), for change and change-md.
    #[arg(long, value_name = "TIME")]
    pub start: Option<Timestamp>,

    /// The language of the plan's commands, for script and ansible: bash (every platform but
    /// Hyper-V) or powershell (Hyper-V).
    #[arg(long, value_enum, default_value_t = CommandShell::Bash)]
    pub shell: CommandShell,

    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A runbook that runs: bash, or PowerShell with --shell powershell.
    Script,
    /// An Ansible playbook, one play per wave.
    Ansible,
    /// A change request (JSON, ServiceNow `change_request` field names); needs --start.
    Change,
    /// The change request as Markdown; needs --start.
    ChangeMd,
}

/// `--shell`: the language a plan's commands are written in. A plan document does not say which
/// platform it is for, so export is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CommandShell {
    /// POSIX shell commands (govc, kubectl, ceph, …).
    Bash,
    /// PowerShell cmdlets (Hyper-V).
    Powershell,
}

impl From<CommandShell> for Shell {
    fn from(shell: CommandShell) -> Shell {
        match shell {
            CommandShell::Bash => Shell::Posix,
            CommandShell::Powershell => Shell::PowerShell,
        }
    }
}

/// Runs `quorate export`.
pub fn run(args: &ExportArgs, limits: &Limits) -> Result<Exit, CliError> {
    // Known before reading: a change request without its start time is a usage error.
    if matches!(args.format, ExportFormat::Change | ExportFormat::ChangeMd) && args.start.is_none() {
        return Err(missing_start());
    }
    let source = input::read(&args.plan, limits)?;
    let doc = planfile::read_document(&source, limits)?;
    let text = match (args.format, args.start) {
        (ExportFormat::Script, _) => render::script::render(&doc, args.shell.into()),
        (ExportFormat::Ansible, _) => render::ansible::render(&doc, args.shell.into()),
        (ExportFormat::Change, Some(start)) => render::change::render(&doc, start),
        (ExportFormat::ChangeMd, Some(start)) => render::change::markdown::render(&doc, start),
        (_, None) => return Err(missing_start()),
    };
    output::emit(&text, args.out.as_deref())?;
    Ok(Exit::Ok)
}

/// A change request needs `--start`: a usage error (exit 2).
pub fn missing_start() -> CliError {
    CliError::Usage {
        message: "a change request needs its start time".to_string(),
        help: "add --start TIME, e.g. --start 2026-12-05T22:00:00Z".to_string(),
    }
}
