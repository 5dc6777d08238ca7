//! `quorate import`: a [`LiveCluster`] written as a cluster description (TOML).
//!
//! The text is meant for an operator to review, so it is written by hand rather than
//! serialised: tables in the order of the format's documentation, one key per line, and a
//! `# inferred: ...` comment after every value that was guessed or defaulted rather than read
//! from the exports. Strings are quoted by the toml crate's own encoder; numbers are rounded
//! to three decimals, down for host capacity and up for workload demand, so that rounding
//! never makes a cluster look roomier than it is.

use std::fmt::Write as _;

use crate::live::{Fact, LiveCluster, LiveLimit};

/// What the command line adds to the exports.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `--name`: the cluster's name.
    pub name: Option<String>,
    /// `--target-version`.
    pub target_version: Option<String>,
    /// `--upgrade-minutes`.
    pub upgrade_minutes: Option<u64>,
    /// The files read, for the header comment.
    pub files: Vec<String>,
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A number with at most three decimals, rounded `down` or up.
fn number(value: f64, down: bool) -> String {
    // Float noise (0.25 + 0.05 = 0.30000000000000004) must not round a whole step up.
    let scaled = (value * 1000.0 * 1e6).round() / 1e6;
    let rounded = if down { scaled.floor() } else { scaled.ceil() } / 1000.0;
    let text = format!("{rounded:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.contains('.') {
        text.to_string()
    } else {
        format!("{text}.0")
    }
}

/// Text fit for a TOML comment: control characters (a newline in a name from an export would
/// end the comment and break the file) become spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn comment(inferred: &Option<String>) -> String {
    match inferred {
        Some(reason) => format!("  # inferred: {}", clean(reason)),
        None => String::new(),
    }
}

fn fact_number(out: &mut String, key: &str, fact: &Fact<f64>, down: bool) {
    let _ = writeln!(
        out,
        "{key} = {}{}",
        number(fact.value, down),
        comment(&fact.inferred)
    );
}

/// Writes `live` as a cluster description.
pub fn render(live: &LiveCluster, options: &ImportOptions) -> String {
    let mut out = String::new();
    let platform = live.platform.name();
    let _ = writeln!(
        out,
        "# Written by `quorate import {platform}` from {}.",
        if options.files.is_empty() {
            "its exports".to_string()
        } else {
            clean(&options.files.join(", "))
        }
    );
    out.push_str("# Review every value marked `# inferred:` before planning with it.\n");
    for note in &live.notes {
        let _ = writeln!(out, "# note: {}", clean(note));
    }
    out.push_str("\n[cluster]\n");
    match (&options.name, &live.name) {
        (Some(name), _) | (None, Some(name)) => {
            let _ = writeln!(out, "name = {}", quote(name));
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "name = {}  # inferred: the exports do not name the cluster; use --name",
                quote(platform)
            );
        }
    }
    let _ = writeln!(out, "platform = {}", quote(platform));
    if let Some(max) = &live.max_fault_domains_down {
        let _ = writeln!(
            out,
            "\n[policy]\nmax_fault_domains_down = {}{}",
            max.value,
            comment(&max.inferred)
        );
    }
    if options.upgrade_minutes.is_some() || options.target_version.is_some() {
        out.push_str("\n[defaults]\n");
        if let Some(minutes) = options.upgrade_minutes {
            let _ = writeln!(out, "upgrade_minutes = {minutes}");
        }
        if let Some(version) = &options.target_version {
            let _ = writeln!(out, "target_version = {}", quote(version));
        }
    }
    for site in &live.sites {
        let _ = writeln!(out, "\n[[site]]\nname = {}", quote(site));
    }
    for domain in &live.fault_domains {
        let _ = writeln!(out, "\n[[fault_domain]]\nname = {}", quote(&domain.name));
        if let Some(site) = &domain.site {
            let _ = writeln!(out, "site = {}", quote(site));
        }
    }
    render_hosts(&mut out, live);
    render_groups(&mut out, live);
    out
}

fn render_hosts(out: &mut String, live: &LiveCluster) {
    for host in &live.hosts {
        let _ = writeln!(out, "\n[[host]]\nname = {}", quote(&host.name));
        if let Some(domain) = &host.fault_domain {
            let _ = writeln!(out, "fault_domain = {}", quote(domain));
        }
        fact_number(out, "cpu", &host.cpu, true);
        fact_number(out, "memory_gib", &host.memory_gib, true);
        if let Some(storage) = &host.storage_gib {
            fact_number(out, "storage_gib", storage, true);
        }
        if let Some(version) = &host.version {
            let _ = writeln!(out, "version = {}", quote(version));
        }
        if host.state != crate::model::HostState::Ready {
            let reason = host
                .state_reason
                .as_ref()
                .map(|r| format!("  # {}", clean(r)))
                .unwrap_or_default();
            let _ = writeln!(out, "state = {}{reason}", quote(host.state.name()));
        }
    }
    for workload in &live.workloads {
        let _ = writeln!(
            out,
            "\n[[workload]]\nname = {}\nhost = {}\ncpu = {}\nmemory_gib = {}",
            quote(&workload.name),
            quote(&workload.host),
            number(workload.cpu, false),
            number(workload.memory_gib, false)
        );
        if let Some(storage) = workload.storage_gib {
            let _ = writeln!(out, "storage_gib = {}", number(storage, false));
        }
        let _ = writeln!(
            out,
            "migration = {}{}",
            quote(workload.migration.value.name()),
            comment(&workload.migration.inferred)
        );
        if !workload.allowed_hosts.is_empty() {
            let _ = writeln!(out, "allowed_hosts = {}", list(&workload.allowed_hosts));
        }
    }
}

fn render_groups(out: &mut String, live: &LiveCluster) {
    for group in &live.quorum_groups {
        let members: Vec<String> = group.members.iter().map(|m| m.name.clone()).collect();
        let _ = writeln!(
            out,
            "\n[[quorum_group]]{}\nname = {}\nmembers = {}",
            comment(&group.inferred),
            quote(&group.name),
            list(&members)
        );
        let weighted: Vec<String> = group
            .members
            .iter()
            .filter(|m| m.votes != 1)
            .map(|m| format!("{} = {}", quote(&m.name), m.votes))
            .collect();
        if !weighted.is_empty() {
            let _ = writeln!(out, "votes = {{ {} }}", weighted.join(", "));
        }
    }
    for budget in &live.budgets {
        let _ = writeln!(
            out,
            "\n[[disruption_budget]]\nname = {}\nworkloads = {}",
            quote(&budget.name),
            list(&budget.workloads)
        );
        let (key, value) = match budget.limit.value {
            LiveLimit::MaxUnavailable(n) => ("max_unavailable", n),
            LiveLimit::MinAvailable(n) => ("min_available", n),
        };
        let _ = writeln!(out, "{key} = {value}{}", comment(&budget.limit.inferred));
    }
    for group in &live.anti_affinity {
        let _ = writeln!(
            out,
            "\n[[anti_affinity]]\nname = {}\nworkloads = {}\nscope = {}\nmandatory = {}{}",
            quote(&group.name),
            list(&group.workloads),
            quote(group.scope.name()),
            group.mandatory.value,
            comment(&group.mandatory.inferred)
        );
    }
    for order in &live.orders {
        let _ = writeln!(
            out,
            "\n[[order]]  # inferred: {}\nbefore = {}\nafter = {}",
            order.reason,
            list(&order.before),
            list(&order.after)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_round_towards_safety() {
        assert_eq!(number(15.634_567, true), "15.634");
        assert_eq!(number(15.634_567, false), "15.635");
        assert_eq!(number(4.0, true), "4.0");
        assert_eq!(number(0.0, false), "0.0");
        assert_eq!(number(0.25 + 0.05, false), "0.3");
        assert_eq!(number(0.1 + 0.2, true), "0.3");
    }
}
