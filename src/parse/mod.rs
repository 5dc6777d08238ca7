//! Pass 1: TOML text to a spanned [`RawCluster`].
//!
//! The text is parsed into toml's spanned document tree with error recovery, then read table by
//! table through `fields::Fields`. This pass checks what a single key can tell on its own:
//! syntax, unknown keys, types, required keys, number ranges and enum values. Names are left
//! unresolved for the next pass.

pub(crate) mod fields;
pub mod raw;
pub(crate) mod size;
mod syntax;

pub(crate) use syntax::syntax_error;

use toml::de::DeTable;

use crate::diagnostic::{ErrorKind, InputError};
use crate::limits::{Limit, Limits};
use crate::model::{HostState, Migration, Objective, Platform, Scope};
use fields::Fields;
use raw::*;
use toml::Spanned;

/// Parses `text`, returning what could be read and every error found.
///
/// With TOML syntax errors the document tree is incomplete, so only the syntax errors are
/// reported, and only up to the first that leaves the parser guessing: later errors would be
/// echoes of it.
pub fn parse(text: &str) -> (RawCluster, Vec<InputError>) {
    let parsed = parse_limited(text, &Limits::default());
    (parsed.raw, parsed.errors)
}

/// What [`parse_limited`] read.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The description as written, as far as it could be read.
    pub raw: RawCluster,
    /// The errors kept: every one, except that syntax errors stop at the first that is not a
    /// duplicate key, and at most `limits.diagnostics` of them are turned into input errors.
    pub errors: Vec<InputError>,
    /// Syntax errors found beyond those kept.
    pub more: usize,
}

/// Parses `text` within `limits`: the size of the text, the number of hosts and workloads and
/// the length of every list are checked before any key is read, and an input error names the
/// limit crossed.
pub fn parse_limited(text: &str, limits: &Limits) -> Parsed {
    if let Some(error) = size::check_bytes(text, limits) {
        return Parsed {
            errors: vec![error],
            ..Parsed::default()
        };
    }
    let (document, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        let (errors, more) = syntax::reported(text, syntax, limits);
        return Parsed {
            errors,
            more,
            ..Parsed::default()
        };
    }
    let counted = [
        ("host", Limit::Hosts, limits.hosts),
        ("workload", Limit::Workloads, limits.workloads),
    ];
    let errors = size::check_tree(document.get_ref(), &counted, limits);
    if !errors.is_empty() {
        return Parsed {
            errors,
            ..Parsed::default()
        };
    }
    let mut errors = Vec::new();
    let mut top = Fields::new(document.get_ref(), 0..0, "the top level");
    let mut raw = read_cluster(&mut top, &mut errors);
    raw.misnamed = top.misnamed_tables(&["site", "fault_domain", "host", "component", "workload"]);
    top.finish(&mut errors);
    Parsed { raw, errors, more: 0 }
}

/// Words operators use for a platform that are not its name in the format: vendors, products,
/// distributions. A value that is one of these gets the platform as its suggestion.
const PLATFORM_ALIASES: [(&str, &str); 19] = [
    ("vmware", "vsphere"),
    ("esx", "vsphere"),
    ("esxi", "vsphere"),
    ("vcenter", "vsphere"),
    ("vcf", "vsphere"),
    ("ahv", "nutanix"),
    ("acropolis", "nutanix"),
    ("prism", "nutanix"),
    ("pve", "proxmox"),
    ("hyper-v", "hyperv"),
    ("s2d", "hyperv"),
    ("azure-stack-hci", "hyperv"),
    ("k8s", "kubernetes"),
    ("k3s", "kubernetes"),
    ("openshift", "kubernetes"),
    ("rke2", "kubernetes"),
    ("nova", "openstack"),
    ("rook", "ceph"),
    ("cephadm", "ceph"),
];

fn read_cluster(top: &mut Fields<'_, '_>, errors: &mut Vec<InputError>) -> RawCluster {
    let mut raw = RawCluster::default();
    if let Some(mut t) = top.table("cluster", errors) {
        raw.cluster.name = t.name("name", errors);
        raw.cluster.platform = t.choice("platform", &Platform::NAMES, &PLATFORM_ALIASES, errors);
        t.finish(errors);
    }
    if let Some(mut t) = top.table("policy", errors) {
        raw.policy = read_policy(&mut t, errors);
        t.finish(errors);
    }
    if let Some(mut t) = top.table("defaults", errors) {
        raw.defaults.upgrade_minutes = minutes(&mut t, "upgrade_minutes", errors);
        raw.defaults.target_version = t.string("target_version", errors);
        t.finish(errors);
    }
    for mut t in top.array_of_tables("site", errors) {
        raw.sites.push(RawSite {
            header: t.header(),
            name: t.required_name("name", "\"dc1\"", errors),
        });
        t.finish(errors);
    }
    for mut t in top.array_of_tables("fault_domain", errors) {
        raw.fault_domains.push(RawFaultDomain {
            header: t.header(),
            name: t.required_name("name", "\"rack-a\"", errors),
            site: t.name("site", errors),
        });
        t.finish(errors);
    }
    for mut t in top.array_of_tables("host", errors) {
        raw.hosts.push(read_host(&mut t, errors));
        t.finish(errors);
    }
    for mut t in top.array_of_tables("component", errors) {
        raw.components.push(RawComponent {
            header: t.header(),
            name: t.required_name("name", "\"vcenter\"", errors),
            upgrade_minutes: minutes(&mut t, "upgrade_minutes", errors),
            exclusive: t.boolean("exclusive", errors),
            version: t.string("version", errors),
            target_version: t.string("target_version", errors),
        });
        t.finish(errors);
    }
    for mut t in top.array_of_tables("workload", errors) {
        raw.workloads.push(RawWorkload {
            header: t.header(),
            name: t.required_name("name", "\"db-01\"", errors),
            host: t.required_name("host", "\"esx-01\"", errors),
            cpu: t.number("cpu", errors),
            memory_gib: t.number("memory_gib", errors),
            storage_gib: t.number("storage_gib", errors),
            migration: t.choice("migration", &Migration::NAMES, &[], errors),
            allowed_hosts: t.names("allowed_hosts", errors),
        });
        t.finish(errors);
    }
    for mut t in top.array_of_tables("quorum_group", errors) {
        raw.quorum_groups.push(RawQuorumGroup {
            header: t.header(),
            name: t.required_name("name", "\"etcd\"", errors),
            members: t.required_names("members", "[\"cp-1\", \"cp-2\", \"cp-3\"]", errors),
            votes: t.integer_map("votes", errors),
            quorum: t.integer("quorum", errors),
        });
        t.finish(errors);
    }
    for mut t in top.array_of_tables("disruption_budget", errors) {
        let budget = RawBudget {
            header: t.header(),
            name: t.required_name("name", "\"zookeeper\"", errors),
            workloads: t.required_names("workloads", "[\"zk-0\", \"zk-1\", \"zk-2\"]", errors),
            max_unavailable: t.integer("max_unavailable", errors),
            min_available: t.integer("min_available", errors),
        };
        check_budget_limits(&t, &budget, errors);
        raw.budgets.push(budget);
        t.finish(errors);
    }
    for mut t in top.array_of_tables("anti_affinity", errors) {
        raw.anti_affinity.push(RawAntiAffinity {
            header: t.header(),
            name: t.required_name("name", "\"db-cluster\"", errors),
            workloads: t.required_names("workloads", "[\"db-01\", \"db-02\"]", errors),
            scope: t.choice("scope", &Scope::NAMES, &[], errors),
            mandatory: t.boolean("mandatory", errors),
        });
        t.finish(errors);
    }
    for mut t in top.array_of_tables("order", errors) {
        raw.orders.push(RawOrder {
            header: t.header(),
            before: t.required_names("before", "[\"vcenter\"]", errors),
            after: t.required_names("after", "[\"esx-01\"]", errors),
        });
        t.finish(errors);
    }
    raw
}

/// A budget states exactly one of its two limits. This looks at which keys are written, not at
/// their values, so a limit with a bad value is not also reported as absent.
fn check_budget_limits(t: &Fields<'_, '_>, budget: &RawBudget, errors: &mut Vec<InputError>) {
    let name = budget
        .name
        .as_ref()
        .map_or("this budget", |n| n.get_ref().as_str());
    match (t.key_span("max_unavailable"), t.key_span("min_available")) {
        (Some(max), Some(min)) => {
            // "First" and "second" as written in the file: either key may come first.
            let (first, second) = if max.start <= min.start {
                (max, min)
            } else {
                (min, max)
            };
            errors.push(
                InputError::new(
                    ErrorKind::InvalidBudget,
                    second,
                    format!("disruption budget `{name}` sets both `max_unavailable` and `min_available`"),
                    "second limit",
                )
                .with_label(first, "first limit")
                .with_help("keep exactly one of `max_unavailable` and `min_available`"),
            )
        }
        (None, None) => {
            let members = budget.workloads.as_ref().map_or(0, |w| w.get_ref().len());
            errors.push(
                InputError::new(
                    ErrorKind::InvalidBudget,
                    budget.header.clone(),
                    format!("disruption budget `{name}` sets neither `max_unavailable` nor `min_available`"),
                    "no limit",
                )
                .with_help(format!(
                    "add `max_unavailable = 1` (workloads that may be down at once) or `min_available = {}` \
                     (workloads that must stay up)",
                    members.saturating_sub(1)
                )),
            )
        }
        _ => {}
    }
}

/// The largest `cpu_overcommit`: far above any real ratio (nova's default was 16), and small
/// enough that every sum of usable capacities stays far from overflowing (see
/// [`fields::MAX_QUANTITY`]).
const MAX_CPU_OVERCOMMIT: f64 = 100.0;

fn read_policy(t: &mut Fields<'_, '_>, errors: &mut Vec<InputError>) -> RawPolicy {
    let at_least_one = |value: Option<Spanned<u64>>, key: &str, errors: &mut Vec<InputError>| {
        value.filter(|v| {
            let ok = *v.get_ref() >= 1;
            if !ok {
                errors.push(out_of_range(
                    v.span(),
                    key,
                    "must be at least 1",
                    "leave the key out for no limit",
                ));
            }
            ok
        })
    };
    let max_hosts_per_wave = t.integer("max_hosts_per_wave", errors);
    let max_fault_domains_down = t.integer("max_fault_domains_down", errors);
    let max_sites_down = t.integer("max_sites_down", errors);
    let headroom_percent = t.number("headroom_percent", errors).filter(|v| {
        let ok = *v.get_ref() < 100.0;
        if !ok {
            errors.push(out_of_range(
                v.span(),
                "headroom_percent",
                "must be less than 100",
                "headroom is the share of each host kept free, from 0 up to (not including) 100",
            ));
        }
        ok
    });
    let cpu_overcommit = t.number("cpu_overcommit", errors).filter(|v| {
        let ratio = *v.get_ref();
        let problem = if crate::model::resources::to_fixed(ratio) == 0 {
            Some("must be at least 0.001")
        } else if ratio > MAX_CPU_OVERCOMMIT {
            Some("must be at most 100")
        } else {
            None
        };
        if let Some(problem) = problem {
            errors.push(out_of_range(
                v.span(),
                "cpu_overcommit",
                problem,
                "the ratio of virtual CPUs to physical cores the hosts are sized for: 1 for none \
                 (the default), 2 for 2:1, 4 for 4:1; leave the key out for 1",
            ));
        }
        problem.is_none()
    });
    let reserve_host_failures = t.integer("reserve_host_failures", errors);
    RawPolicy {
        max_hosts_per_wave: at_least_one(max_hosts_per_wave, "max_hosts_per_wave", errors),
        max_fault_domains_down: at_least_one(max_fault_domains_down, "max_fault_domains_down", errors),
        max_sites_down: at_least_one(max_sites_down, "max_sites_down", errors),
        headroom_percent,
        cpu_overcommit,
        reserve_host_failures,
        objective: t.choice("objective", &Objective::NAMES, &[], errors),
        wave_overhead_minutes: minutes(t, "wave_overhead_minutes", errors),
    }
}

fn read_host(t: &mut Fields<'_, '_>, errors: &mut Vec<InputError>) -> RawHost {
    RawHost {
        header: t.header(),
        name: t.required_name("name", "\"esx-01\"", errors),
        fault_domain: t.name("fault_domain", errors),
        cpu: t.required_number("cpu", "64", errors),
        memory_gib: t.required_number("memory_gib", "768", errors),
        storage_gib: t.number("storage_gib", errors),
        version: t.string("version", errors),
        target_version: t.string("target_version", errors),
        upgrade_minutes: minutes(t, "upgrade_minutes", errors),
        state: t.choice("state", &HostState::NAMES, &[], errors),
    }
}

/// Durations are whole minutes, at most a year's worth per item.
fn minutes(t: &mut Fields<'_, '_>, key: &'static str, errors: &mut Vec<InputError>) -> Option<Spanned<u64>> {
    const LIMIT: u64 = 525_600;
    t.integer(key, errors).filter(|v| {
        let ok = *v.get_ref() <= LIMIT;
        if !ok {
            errors.push(out_of_range(
                v.span(),
                key,
                "is more than a year",
                "durations are in minutes",
            ));
        }
        ok
    })
}

fn out_of_range(span: crate::source::Span, key: &str, problem: &str, help: &str) -> InputError {
    InputError::new(
        ErrorKind::InvalidNumber,
        span,
        format!("`{key}` {problem}"),
        "out of range",
    )
    .with_help(help)
}
