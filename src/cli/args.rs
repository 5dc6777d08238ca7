//! Command-line arguments, close to what was typed: clap validates, commands build the rest.

use clap::{Parser, Subcommand, ValueEnum};
use quorate::limits::{LimitSetting, Limits};
use quorate::solve::Backend;

/// Plans rolling upgrades of infrastructure clusters so that no maintenance window becomes an
/// outage.
#[derive(Debug, Parser)]
#[command(name = "quorate", version, about, long_about = None)]
pub struct Args {
    /// When to colour diagnostics: auto colours on a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Raise (or lower) a limit on input size, as NAME=VALUE; repeatable. Names: bytes (64 MiB
    /// per file), hosts (20000), workloads (1000000), list (200000 entries), waves (50000 in a
    /// plan), diagnostics (50 shown).
    #[arg(long = "limit", value_name = "NAME=VALUE", global = true)]
    pub limits: Vec<LimitSetting>,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

impl Args {
    /// The limits of this run: the defaults, with each `--limit` applied in order.
    pub fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        for setting in &self.limits {
            limits.set(setting.limit, setting.value);
        }
        limits
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check a cluster description; print a summary and a lower bound on waves.
    Check {
        /// The cluster description (TOML), or - for standard input.
        cluster: String,
    },
    /// Compute a safe upgrade plan: waves, evacuation moves, and a proof of optimality or its gap.
    Plan(PlanArgs),
    /// Check a plan (hand-written TOML, or a plan quorate wrote as TOML or JSON) against every
    /// rule; exit 0 when safe, 1 with violations, 2 on an input error.
    Validate(ValidateArgs),
    /// Print the dependency graph of a cluster in Graphviz DOT.
    Graph {
        /// The cluster description (TOML), or - for standard input.
        cluster: String,
    },
    /// Render a plan quorate wrote (`plan -o json`) as a runbook script, a playbook or a change
    /// request, without planning again.
    Export(super::export::ExportArgs),
    /// Print shell completions for bash, zsh, fish or powershell.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of quorate and its commands.
    Man,
    /// Write a cluster description from the platform's own exports (kubectl, ceph, govc JSON;
    /// RVTools sheets as CSV).
    Import(ImportArgs),
    /// Compare a cluster description with the live exports; exit 0 same, 1 drift, 2 input error.
    Drift(DriftArgs),
    /// Evaluate a wave's pre-checks (or post-checks) against the live exports; exit 0 when every
    /// check the exports decide passes, 1 otherwise, 2 input error.
    Verify(super::verify::VerifyArgs),
    /// Write a benchmark cluster of a given shape and size (for measuring the planner).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// `quorate generate` (hidden): a benchmark cluster, deterministic from the seed.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// The shape: vsan, stretched, nutanix, proxmox-ceph, kubernetes or fleet.
    pub shape: quorate::generate::Shape,

    /// Hosts in all.
    #[arg(long, default_value_t = 16)]
    pub hosts: usize,

    /// The seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// The folder of the Alibaba GPU trace (2023) with the node and pod lists.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "../shared/data/alibaba-cluster-trace-gpu-v2023"
    )]
    pub trace: String,

    /// Write the description to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<String>,
}

/// `quorate import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The platform: kubernetes, ceph, proxmox, openstack, vsphere or vsan.
    pub platform: String,

    /// The exports (JSON as the platform's CLI prints it; for vsphere also RVTools' vHost and
    /// vInfo sheets saved as CSV), in any order; - for standard input.
    #[arg(required = true)]
    pub files: Vec<String>,

    /// `[defaults] target_version` of the description.
    #[arg(long, value_name = "V")]
    pub target_version: Option<String>,

    /// `[defaults] upgrade_minutes` of the description.
    #[arg(long, value_name = "M")]
    pub upgrade_minutes: Option<u64>,

    /// The cluster's name.
    #[arg(long, value_name = "N")]
    pub name: Option<String>,

    /// Write the description to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

/// `quorate drift`.
#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    /// The cluster description (TOML).
    pub cluster: String,

    /// The live exports, in any order; - for standard input.
    #[arg(required = true)]
    pub files: Vec<String>,

    /// Output: text (diagnostics pointing into the description) or json.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
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

/// `quorate plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The cluster description (TOML), or - for standard input.
    pub cluster: String,

    /// Output format: text (default on a terminal), markdown, json (default otherwise), toml,
    /// script, ansible, change, change-md.
    #[arg(short = 'o', long = "output", value_enum)]
    pub format: Option<Format>,

    /// Write the plan to FILE (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,

    /// Stop searching after SECONDS and return the best safe plan found, marked not optimal.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = positive_seconds)]
    pub time_limit: f64,

    /// Show the progress line on standard error even when it is not a terminal (for tests).
    #[arg(long, hide = true)]
    pub progress: bool,

    /// The MILP backend: microlp (pure Rust, default) or highs (built with --features highs).
    #[arg(long, value_name = "NAME", value_parser = solver)]
    pub solver: Option<Backend>,

    /// When the change starts (RFC 3339, e.g. 2026-12-05T22:00:00Z), for -o change and change-md.
    #[arg(long, value_name = "TIME")]
    pub start: Option<quorate::render::change::Timestamp>,
}

/// `--time-limit`: a positive, finite number of seconds.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 => Ok(seconds),
        _ => Err("expected a positive number of seconds, like 10 or 2.5".to_string()),
    }
}

/// `--solver`: a backend compiled into this build.
fn solver(name: &str) -> Result<Backend, String> {
    Backend::from_name(name).ok_or_else(|| {
        let available: Vec<&str> = Backend::available().iter().map(|b| b.name()).collect();
        format!(
            "unknown or unavailable solver; this build has: {}",
            if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            }
        )
    })
}

/// Plan output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For the terminal.
    Text,
    /// A runbook for a change ticket.
    Markdown,
    /// The plan document of the CLI contract.
    Json,
    /// A hand-written-style plan that `validate` accepts.
    Toml,
    /// A runbook that runs: bash, or PowerShell for Hyper-V.
    Script,
    /// An Ansible playbook, one play per wave.
    Ansible,
    /// A change request (JSON, ServiceNow `change_request` field names); needs --start.
    Change,
    /// The change request as Markdown; needs --start.
    ChangeMd,
}

/// `quorate validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The cluster description (TOML), or - for standard input.
    pub cluster: String,

    /// The plan (TOML or JSON, told apart by its content), or - for standard input.
    pub plan: String,

    /// Output: text (diagnostics pointing into the plan) or json (the validation document).
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
}

/// Validation output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    /// Each violation as a diagnostic on standard error, then a one-line summary.
    Text,
    /// `{"valid": bool, "violations": [...]}` on standard output.
    Json,
}
