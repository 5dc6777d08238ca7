//! The way back: a [`Cluster`] written as a cluster description.
//!
//! Importers build a [`Cluster`] from another system's inventory and need a file an operator
//! can read, review and keep in version control; tests and benchmarks need descriptions that
//! are known to mean exactly a given model. [`to_toml`] serves both: [`crate::load`] reads its
//! output back to a `Cluster` equal to the one written, and writing that again gives the same
//! text byte for byte.
//!
//! The text follows the contract's layout: `[cluster]`, `[policy]`, `[defaults]`, then one
//! `[[...]]` table per site, fault domain, host, component, workload, quorum group, disruption
//! budget, anti-affinity group and order rule, in the cluster's order. Keys at their default
//! are left out, so what is written is what matters. Strings go through the toml crate's own
//! encoder, which picks a quoting that round-trips whatever printable characters a name holds.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{
    BudgetLimit, Cluster, HostState, ItemId, Migration, Objective, Resource, Scope, resources::SCALE,
};

/// Writes `cluster` as a cluster description that [`crate::load`] reads back to an equal
/// `Cluster`.
///
/// The output is deterministic: it depends on the cluster only, so writing a reloaded cluster
/// gives the same text. Implicit fault domains are not written (their hosts have no
/// `fault_domain`); `[defaults]` holds the most common upgrade time and, when every item has
/// one, the most common target version, and items state only what differs.
///
/// Quantities are exact for values below 2^51 thousandths (about 2.2 × 10^12 cores or GiB),
/// far beyond any real host.
pub fn to_toml(cluster: &Cluster) -> String {
    let mut w = Writer::default();
    let defaults = Defaults::of(cluster);

    w.table("cluster");
    if !cluster.name.is_empty() {
        // The empty name is not a valid name; leaving it out lets the reader fall back to the
        // file name, which is the closest a description can come.
        w.string("name", &cluster.name);
    }
    w.raw("platform", cluster.platform.name());

    write_policy(&mut w, cluster);

    if defaults.upgrade_minutes.is_some() || defaults.target_version.is_some() {
        w.table("defaults");
        if let Some(minutes) = defaults.upgrade_minutes {
            w.integer("upgrade_minutes", u64::from(minutes));
        }
        if let Some(target) = defaults.target_version {
            w.string("target_version", target);
        }
    }

    for site in &cluster.sites {
        w.array_table("site");
        w.string("name", &site.name);
    }
    for domain in cluster.fault_domains.iter().filter(|f| !f.implicit) {
        w.array_table("fault_domain");
        w.string("name", &domain.name);
        if let Some(site) = domain.site {
            w.string("site", &cluster.sites[site.index()].name);
        }
    }
    for host in &cluster.hosts {
        w.array_table("host");
        w.string("name", &host.name);
        let domain = cluster.fault_domain(host.fault_domain);
        if !domain.implicit {
            w.string("fault_domain", &domain.name);
        }
        w.quantity("cpu", host.capacity[Resource::Cpu]);
        w.quantity("memory_gib", host.capacity[Resource::Memory]);
        if host.storage_limited {
            w.quantity("storage_gib", host.capacity[Resource::Storage]);
        }
        w.optional_string("version", host.version.as_deref());
        write_item_defaults(
            &mut w,
            &defaults,
            host.target_version.as_deref(),
            host.upgrade_minutes,
        );
        if host.state != HostState::Ready {
            w.raw("state", host.state.name());
        }
    }
    for component in &cluster.components {
        w.array_table("component");
        w.string("name", &component.name);
        if !component.exclusive {
            w.boolean("exclusive", false);
        }
        w.optional_string("version", component.version.as_deref());
        write_item_defaults(
            &mut w,
            &defaults,
            component.target_version.as_deref(),
            component.upgrade_minutes,
        );
    }
    for workload in &cluster.workloads {
        w.array_table("workload");
        w.string("name", &workload.name);
        w.string("host", &cluster.host(workload.host).name);
        w.quantity("cpu", workload.demand[Resource::Cpu]);
        w.quantity("memory_gib", workload.demand[Resource::Memory]);
        if workload.demand[Resource::Storage] > 0 {
            w.quantity("storage_gib", workload.demand[Resource::Storage]);
        }
        if workload.migration != Migration::Live {
            w.raw("migration", workload.migration.name());
        }
        if let Some(allowed) = &workload.allowed_hosts {
            w.names(
                "allowed_hosts",
                allowed.iter().map(|&h| cluster.host(h).name.as_str()),
            );
        }
    }
    for group in &cluster.quorum_groups {
        w.array_table("quorum_group");
        w.string("name", &group.name);
        w.names("members", group.members.iter().map(|m| cluster.member_name(m.id)));
        let votes: toml::Table = group
            .members
            .iter()
            .filter(|m| m.votes != 1)
            .map(|m| {
                let votes = i64::try_from(m.votes).unwrap_or(i64::MAX);
                (cluster.member_name(m.id).to_string(), toml::Value::Integer(votes))
            })
            .collect();
        if !votes.is_empty() {
            w.value("votes", &votes);
        }
        if !group.default_quorum {
            w.integer("quorum", group.quorum);
        }
    }
    for budget in &cluster.budgets {
        w.array_table("disruption_budget");
        w.string("name", &budget.name);
        w.names(
            "workloads",
            budget
                .workloads
                .iter()
                .map(|&id| cluster.workload(id).name.as_str()),
        );
        match budget.limit {
            BudgetLimit::MaxUnavailable(n) => w.integer("max_unavailable", n),
            BudgetLimit::MinAvailable(n) => w.integer("min_available", n),
        }
    }
    for group in &cluster.anti_affinity {
        w.array_table("anti_affinity");
        w.string("name", &group.name);
        w.names(
            "workloads",
            group
                .workloads
                .iter()
                .map(|&id| cluster.workload(id).name.as_str()),
        );
        if group.scope != Scope::Host {
            w.raw("scope", group.scope.name());
        }
        if !group.mandatory {
            w.boolean("mandatory", false);
        }
    }
    for rule in &cluster.orders {
        w.array_table("order");
        let names = |items: &[ItemId]| -> Vec<&str> { items.iter().map(|&i| cluster.item_name(i)).collect() };
        w.names("before", names(&rule.before).into_iter());
        w.names("after", names(&rule.after).into_iter());
    }
    w.out
}

fn write_policy(w: &mut Writer, cluster: &Cluster) {
    let policy = &cluster.policy;
    let mut keys: Vec<(&str, String)> = Vec::new();
    let limits = [
        ("max_hosts_per_wave", policy.max_hosts_per_wave),
        ("max_fault_domains_down", policy.max_fault_domains_down),
        ("max_sites_down", policy.max_sites_down),
    ];
    for (key, limit) in limits {
        if let Some(limit) = limit {
            keys.push((key, limit.to_string()));
        }
    }
    if policy.headroom_percent != 0.0 {
        // `Display` for f64 prints the shortest decimal that parses back to the same value,
        // without an exponent, and whole numbers without a fraction.
        keys.push(("headroom_percent", policy.headroom_percent.to_string()));
    }
    if policy.cpu_overcommit != 1.0 {
        keys.push(("cpu_overcommit", policy.cpu_overcommit.to_string()));
    }
    if policy.reserve_host_failures != 0 {
        keys.push(("reserve_host_failures", policy.reserve_host_failures.to_string()));
    }
    if policy.objective != Objective::Waves {
        keys.push(("objective", format!("\"{}\"", policy.objective.name())));
    }
    if policy.wave_overhead_minutes != 0 {
        keys.push(("wave_overhead_minutes", policy.wave_overhead_minutes.to_string()));
    }
    if !keys.is_empty() {
        w.table("policy");
        for (key, value) in keys {
            w.line(key, &value);
        }
    }
}

/// Writes an item's target version and upgrade time where they differ from `[defaults]`.
fn write_item_defaults(w: &mut Writer, defaults: &Defaults<'_>, target: Option<&str>, minutes: u32) {
    if target != defaults.target_version {
        w.optional_string("target_version", target);
    }
    if Some(minutes) != defaults.upgrade_minutes {
        w.integer("upgrade_minutes", u64::from(minutes));
    }
}

/// What `[defaults]` says: the values most items share.
///
/// The model keeps only each item's own values, so the defaults are chosen back from them: the
/// most common upgrade time (ties to the shortest), and the most common target version (ties
/// to the first in byte order) when every item has one, since an item cannot opt out of a
/// default target version.
struct Defaults<'c> {
    upgrade_minutes: Option<u32>,
    target_version: Option<&'c str>,
}

impl<'c> Defaults<'c> {
    fn of(cluster: &'c Cluster) -> Self {
        let minutes = cluster
            .hosts
            .iter()
            .map(|h| h.upgrade_minutes)
            .chain(cluster.components.iter().map(|c| c.upgrade_minutes));
        let targets: Option<Vec<&str>> = cluster
            .hosts
            .iter()
            .map(|h| h.target_version.as_deref())
            .chain(cluster.components.iter().map(|c| c.target_version.as_deref()))
            .collect();
        Defaults {
            upgrade_minutes: most_common(minutes),
            target_version: targets.and_then(|t| most_common(t.into_iter())),
        }
    }
}

/// The most common value, ties going to the smallest; `None` for no values.
fn most_common<T: Ord + Copy>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    // `max_by_key` keeps the last of equal maxima, so walk from the largest value down.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, count)| *count)
        .map(|(value, _)| value)
}

/// Formats a fixed-point quantity in its input unit: an integer when whole, else the shortest
/// decimal (at most three places, since quantities are kept in thousandths).
fn quantity(value: u64) -> String {
    const PER_UNIT: u64 = SCALE as u64;
    let (whole, frac) = (value / PER_UNIT, value % PER_UNIT);
    if frac == 0 {
        whole.to_string()
    } else {
        let digits = format!("{frac:03}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// The text being written, one `key = value` line at a time.
#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    fn header(&mut self, header: std::fmt::Arguments<'_>) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        let _ = writeln!(self.out, "{header}");
    }

    fn table(&mut self, name: &str) {
        self.header(format_args!("[{name}]"));
    }

    fn array_table(&mut self, name: &str) {
        self.header(format_args!("[[{name}]]"));
    }

    /// A line whose value is already TOML.
    fn line(&mut self, key: &str, value: &str) {
        let _ = writeln!(self.out, "{key} = {value}");
    }

    /// Any serialisable value, through the toml crate's encoder.
    fn value<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.out.push_str(key);
        self.out.push_str(" = ");
        value
            .serialize(toml::ser::ValueSerializer::new(&mut self.out))
            .expect("strings, integers and tables of them always serialise");
        self.out.push('\n');
    }

    fn string(&mut self, key: &str, value: &str) {
        self.value(key, value);
    }

    fn optional_string(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.string(key, value);
        }
    }

    /// A keyword from a fixed set (`"live"`, `"vsan"`): plain ASCII, no escaping needed.
    fn raw(&mut self, key: &str, keyword: &str) {
        let _ = writeln!(self.out, "{key} = \"{keyword}\"");
    }

    fn names<'n>(&mut self, key: &str, names: impl Iterator<Item = &'n str>) {
        let names: Vec<&str> = names.collect();
        self.value(key, &names);
    }

    fn integer(&mut self, key: &str, value: u64) {
        let _ = writeln!(self.out, "{key} = {value}");
    }

    fn quantity(&mut self, key: &str, value: u64) {
        let _ = writeln!(self.out, "{key} = {}", quantity(value));
    }

    fn boolean(&mut self, key: &str, value: bool) {
        let _ = writeln!(self.out, "{key} = {value}");
    }
}

#[cfg(test)]
mod tests;
