//! Generators of valid cluster descriptions, for property tests and benchmarks.
//!
//! Two generators, for two needs:
//!
//! - [`description`] is a proptest strategy for small descriptions of varied shape (1–20
//!   hosts, every kind of table, every optional key, names full of quotes, backslashes and
//!   unicode). They are valid by construction, so a property that fails points at quorate,
//!   not at the input.
//! - [`RealisticCluster`] builds large descriptions deterministically from a seed, with host
//!   capacities and workload sizes drawn from the Alibaba GPU cluster trace (2023), for
//!   benchmarks of loading, checking and planning.
//!
//! Both write TOML text, as an operator or an importer would, rather than a model: what they
//! exercise is the whole path from text to `Cluster`. Strings are quoted by the toml crate's
//! own encoder.

use std::collections::HashSet;
use std::fmt::Write as _;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

// The file is shared with the benchmarks through `#[path]`; a `#[path]` relative to this file
// resolves the same way from both.
#[path = "generate/realistic.rs"]
mod realistic;

pub use realistic::RealisticCluster;

/// A strategy for valid cluster descriptions of varied shape, as TOML text.
pub fn description() -> impl Strategy<Value = String> {
    shape().prop_map(|shape| shape.render())
}

/// Decorations around the core of a name. None holds an ASCII letter or digit, so the ASCII
/// letters and digits of a name are exactly its kind and number (`esx3`, `vm12`): names of
/// different things never collide, and references are never ambiguous.
const DECORATIONS: &[&str] = &[
    "", " ", "\"", "'", "\\", ";", "#", " = ", "[[", "]]", ".", ", ", "{ }", "'''", "\"\"\"", "\\\"", "\\'",
    "é", "日本", "🦀", "\u{a0}", "\u{2007}", "$(", "*?", "%s", "<>", "|", "  ", "ﬁ", "\u{301}",
];

/// Versions are plain strings, not names: they may even hold a tab.
const VERSIONS: &[&str] = &[
    "8.0.2",
    "8.0.3",
    "7.0 U3",
    "v1.29.3+k3s1",
    "6.5\t(\"old\")",
    "ünï 'v'",
];

const PLATFORMS: &[&str] = &[
    "vsphere",
    "vsan",
    "nutanix",
    "proxmox",
    "hyperv",
    "openstack",
    "kubernetes",
    "ceph",
    "generic",
];

#[derive(Debug, Clone)]
struct Shape {
    /// Prefix and suffix decorations; the n-th name uses entry `n % len`.
    decorations: Vec<(usize, usize)>,
    cluster_name: bool,
    platform: Option<usize>,
    policy: PolicyShape,
    default_minutes: Option<u64>,
    default_target: Option<usize>,
    sites: usize,
    /// Per fault domain: a site seed (used when there are sites).
    fault_domains: Vec<Option<usize>>,
    hosts: Vec<HostShape>,
    components: Vec<ComponentShape>,
    workloads: Vec<WorkloadShape>,
    quorum_groups: Vec<GroupShape>,
    budgets: Vec<BudgetShape>,
    anti_affinity: Vec<AntiAffinityShape>,
    orders: Vec<OrderShape>,
}

#[derive(Debug, Clone)]
struct PolicyShape {
    max_hosts_per_wave: Option<u64>,
    max_fault_domains_down: Option<u64>,
    max_sites_down: Option<u64>,
    headroom_percent: Option<String>,
    reserve_host_failures: Option<u64>,
    objective: Option<bool>,
    wave_overhead_minutes: Option<u64>,
}

#[derive(Debug, Clone)]
struct HostShape {
    cpu: String,
    memory: String,
    storage: Option<String>,
    fault_domain: Option<usize>,
    state: Option<&'static str>,
    version: Option<usize>,
    target: Option<usize>,
    minutes: Option<u64>,
}

#[derive(Debug, Clone)]
struct ComponentShape {
    exclusive: Option<bool>,
    minutes: Option<u64>,
    version: Option<usize>,
    target: Option<usize>,
}

#[derive(Debug, Clone)]
struct WorkloadShape {
    host: usize,
    cpu: Option<String>,
    memory: Option<String>,
    storage: Option<String>,
    migration: Option<&'static str>,
    allowed: Option<Vec<usize>>,
}

#[derive(Debug, Clone)]
struct GroupShape {
    /// Kind (0 host, 1 component, 2 workload), index seed, explicit votes.
    members: Vec<(u8, usize, Option<u64>)>,
    quorum: Option<u64>,
}

#[derive(Debug, Clone)]
struct BudgetShape {
    workloads: Vec<usize>,
    max_unavailable: bool,
    limit: u64,
}

#[derive(Debug, Clone)]
struct AntiAffinityShape {
    workloads: Vec<usize>,
    /// `None`: default scope; `Some(true)`: fault domain; `Some(false)`: host, written out.
    fault_domain_scope: Option<bool>,
    mandatory: Option<bool>,
}

#[derive(Debug, Clone)]
struct OrderShape {
    split: usize,
    before: Vec<usize>,
    after: Vec<usize>,
}

/// A quantity as an operator might write it: integers, decimals, exponents, underscores, and
/// more decimals than the thousandths quorate keeps.
fn quantity() -> BoxedStrategy<String> {
    prop_oneof![
        4 => (0u32..=1024).prop_map(|n| n.to_string()),
        4 => (0u32..=1_024_000).prop_map(|m| format!("{}.{:03}", m / 1000, m % 1000)),
        1 => (1u32..=99, 0i32..=3).prop_map(|(m, e)| format!("{}.{}e{e}", m / 10, m % 10)),
        1 => (1u32..=99).prop_map(|n| format!("{n}_000")),
        1 => (0u32..=999_999).prop_map(|m| format!("0.{m:06}")),
    ]
    .boxed()
}

fn minutes() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), 1u64..=240, Just(525_600u64)]
}

fn policy() -> impl Strategy<Value = PolicyShape> {
    let headroom = prop_oneof![
        (0u32..100).prop_map(|n| n.to_string()),
        (0u32..9_999).prop_map(|n| format!("{}.{:02}", n / 100, n % 100)),
        Just("12.3456789".to_string()),
        Just("99.999".to_string()),
    ];
    (
        option::of(1u64..=8),
        option::of(1u64..=3),
        option::of(1u64..=2),
        option::of(headroom),
        option::of(0u64..=3),
        option::of(any::<bool>()),
        option::of(minutes()),
    )
        .prop_map(
            |(
                max_hosts_per_wave,
                max_fault_domains_down,
                max_sites_down,
                headroom_percent,
                reserve,
                objective,
                overhead,
            )| {
                PolicyShape {
                    max_hosts_per_wave,
                    max_fault_domains_down,
                    max_sites_down,
                    headroom_percent,
                    reserve_host_failures: reserve,
                    objective,
                    wave_overhead_minutes: overhead,
                }
            },
        )
}

fn host() -> impl Strategy<Value = HostShape> {
    let state = prop_oneof![
        12 => Just(None),
        3 => Just(Some("ready")),
        1 => Just(Some("down")),
        1 => Just(Some("maintenance")),
    ];
    (
        quantity(),
        quantity(),
        option::weighted(0.3, quantity()),
        option::weighted(0.7, any::<usize>()),
        state,
        option::of(0..VERSIONS.len()),
        option::weighted(0.3, 0..VERSIONS.len()),
        option::weighted(0.3, minutes()),
    )
        .prop_map(
            |(cpu, memory, storage, fault_domain, state, version, target, minutes)| HostShape {
                cpu,
                memory,
                storage,
                fault_domain,
                state,
                version,
                target,
                minutes,
            },
        )
}

fn component() -> impl Strategy<Value = ComponentShape> {
    (
        option::of(any::<bool>()),
        option::of(minutes()),
        option::of(0..VERSIONS.len()),
        option::of(0..VERSIONS.len()),
    )
        .prop_map(|(exclusive, minutes, version, target)| ComponentShape {
            exclusive,
            minutes,
            version,
            target,
        })
}

fn workload() -> impl Strategy<Value = WorkloadShape> {
    let migration = prop_oneof![
        4 => Just(None),
        1 => Just(Some("live")),
        2 => Just(Some("restart")),
        1 => Just(Some("none")),
    ];
    (
        any::<usize>(),
        option::weighted(0.9, quantity()),
        option::weighted(0.9, quantity()),
        option::weighted(0.2, quantity()),
        migration,
        option::weighted(0.3, vec(any::<usize>(), 0..4)),
    )
        .prop_map(|(host, cpu, memory, storage, migration, allowed)| WorkloadShape {
            host,
            cpu,
            memory,
            storage,
            migration,
            allowed,
        })
}

fn group() -> impl Strategy<Value = GroupShape> {
    (
        vec((0u8..3, any::<usize>(), option::weighted(0.3, 0u64..=3)), 1..6),
        option::of(any::<u64>()),
    )
        .prop_map(|(members, quorum)| GroupShape { members, quorum })
}

fn budget() -> impl Strategy<Value = BudgetShape> {
    (vec(any::<usize>(), 1..6), any::<bool>(), any::<u64>()).prop_map(
        |(workloads, max_unavailable, limit)| BudgetShape {
            workloads,
            max_unavailable,
            limit,
        },
    )
}

fn anti_affinity() -> impl Strategy<Value = AntiAffinityShape> {
    (
        vec(any::<usize>(), 1..5),
        option::of(any::<bool>()),
        option::of(any::<bool>()),
    )
        .prop_map(|(workloads, fault_domain_scope, mandatory)| AntiAffinityShape {
            workloads,
            fault_domain_scope,
            mandatory,
        })
}

fn order() -> impl Strategy<Value = OrderShape> {
    (
        any::<usize>(),
        vec(any::<usize>(), 1..4),
        vec(any::<usize>(), 1..4),
    )
        .prop_map(|(split, before, after)| OrderShape { split, before, after })
}

fn shape() -> impl Strategy<Value = Shape> {
    let decorations = vec((0..DECORATIONS.len(), 0..DECORATIONS.len()), 1..8);
    let head = (
        decorations,
        any::<bool>(),
        option::of(0..PLATFORMS.len()),
        policy(),
        option::of(minutes()),
        option::weighted(0.3, 0..VERSIONS.len()),
        0usize..=3,
        vec(option::of(any::<usize>()), 0..5),
    );
    let body = (
        vec(host(), 1..=20),
        vec(component(), 0..=3),
        vec(workload(), 0..=30),
        vec(group(), 0..=3),
        vec(budget(), 0..=3),
        vec(anti_affinity(), 0..=3),
        vec(order(), 0..=4),
    );
    (head, body).prop_map(
        |(
            (
                decorations,
                cluster_name,
                platform,
                policy,
                default_minutes,
                default_target,
                sites,
                fault_domains,
            ),
            (hosts, components, workloads, quorum_groups, budgets, anti_affinity, orders),
        )| Shape {
            decorations,
            cluster_name,
            platform,
            policy,
            default_minutes,
            default_target,
            sites,
            fault_domains,
            hosts,
            components,
            workloads,
            quorum_groups,
            budgets,
            anti_affinity,
            orders,
        },
    )
}

/// Where a workload sits, for anti-affinity: a host, or a fault domain (declared, or the
/// implicit one of a host without).
#[derive(PartialEq, Eq, Hash)]
enum Place {
    Host(usize),
    Domain(usize),
}

impl Shape {
    fn name(&self, kind: &str, index: usize, salt: usize) -> String {
        let (prefix, suffix) = self.decorations[(index + salt) % self.decorations.len()];
        format!("{}{kind}{index}{}", DECORATIONS[prefix], DECORATIONS[suffix])
    }

    fn render(&self) -> String {
        let site = |i| self.name("dc", i, 1);
        let domain = |i| self.name("rack", i, 2);
        let host = |i| self.name("esx", i, 3);
        let component = |i| self.name("vc", i, 4);
        let workload = |i| self.name("vm", i, 5);
        let member = |(kind, i): (u8, usize)| match kind {
            0 => host(i),
            1 => component(i),
            _ => workload(i),
        };
        let hosts = self.hosts.len();
        let host_domain: Vec<Option<usize>> = self
            .hosts
            .iter()
            .map(|h| {
                h.fault_domain
                    .filter(|_| !self.fault_domains.is_empty())
                    .map(|d| d % self.fault_domains.len())
            })
            .collect();
        let workload_host: Vec<usize> = self.workloads.iter().map(|w| w.host % hosts).collect();

        let mut t = Text::default();
        if self.cluster_name || self.platform.is_some() {
            t.table("[cluster]");
            if self.cluster_name {
                t.string("name", &self.name("cluster", 0, 0));
            }
            if let Some(p) = self.platform {
                t.string("platform", PLATFORMS[p]);
            }
        }
        let p = &self.policy;
        let policy = [
            ("max_hosts_per_wave", p.max_hosts_per_wave.map(|n| n.to_string())),
            (
                "max_fault_domains_down",
                p.max_fault_domains_down.map(|n| n.to_string()),
            ),
            ("max_sites_down", p.max_sites_down.map(|n| n.to_string())),
            ("headroom_percent", p.headroom_percent.clone()),
            (
                "reserve_host_failures",
                p.reserve_host_failures.map(|n| n.to_string()),
            ),
            (
                "objective",
                p.objective
                    .map(|d| if d { "\"duration\"" } else { "\"waves\"" }.to_string()),
            ),
            (
                "wave_overhead_minutes",
                p.wave_overhead_minutes.map(|n| n.to_string()),
            ),
        ];
        if policy.iter().any(|(_, v)| v.is_some()) {
            t.table("[policy]");
            for (key, value) in policy {
                if let Some(value) = value {
                    t.raw(key, &value);
                }
            }
        }
        if self.default_minutes.is_some() || self.default_target.is_some() {
            t.table("[defaults]");
            if let Some(m) = self.default_minutes {
                t.raw("upgrade_minutes", &m.to_string());
            }
            if let Some(v) = self.default_target {
                t.string("target_version", VERSIONS[v]);
            }
        }
        for i in 0..self.sites {
            t.table("[[site]]");
            t.string("name", &site(i));
        }
        for (i, s) in self.fault_domains.iter().enumerate() {
            t.table("[[fault_domain]]");
            t.string("name", &domain(i));
            if let Some(s) = s.filter(|_| self.sites > 0) {
                t.string("site", &site(s % self.sites));
            }
        }
        for (i, h) in self.hosts.iter().enumerate() {
            t.table("[[host]]");
            t.string("name", &host(i));
            if let Some(d) = host_domain[i] {
                t.string("fault_domain", &domain(d));
            }
            t.raw("cpu", &h.cpu);
            t.raw("memory_gib", &h.memory);
            t.optional_raw("storage_gib", h.storage.as_deref());
            t.optional_string("version", h.version.map(|v| VERSIONS[v]));
            t.optional_string("target_version", h.target.map(|v| VERSIONS[v]));
            t.optional_raw("upgrade_minutes", h.minutes.map(|m| m.to_string()).as_deref());
            if let Some(state) = h.state {
                t.string("state", state);
            }
        }
        for (i, c) in self.components.iter().enumerate() {
            t.table("[[component]]");
            t.string("name", &component(i));
            t.optional_raw("upgrade_minutes", c.minutes.map(|m| m.to_string()).as_deref());
            t.optional_raw("exclusive", c.exclusive.map(|e| e.to_string()).as_deref());
            t.optional_string("version", c.version.map(|v| VERSIONS[v]));
            t.optional_string("target_version", c.target.map(|v| VERSIONS[v]));
        }
        for (i, w) in self.workloads.iter().enumerate() {
            t.table("[[workload]]");
            t.string("name", &workload(i));
            t.string("host", &host(workload_host[i]));
            t.optional_raw("cpu", w.cpu.as_deref());
            t.optional_raw("memory_gib", w.memory.as_deref());
            t.optional_raw("storage_gib", w.storage.as_deref());
            t.optional_string("migration", w.migration);
            if let Some(others) = &w.allowed {
                // The own host must be allowed; put it somewhere in the list.
                let own = workload_host[i];
                let mut allowed = distinct(others.iter().map(|o| o % hosts).filter(|&o| o != own));
                allowed.insert(own % (allowed.len() + 1), own);
                t.names("allowed_hosts", allowed.into_iter().map(host));
            }
        }
        for (i, g) in self.quorum_groups.iter().enumerate() {
            let counts = [hosts, self.components.len(), self.workloads.len()];
            let mut seen = HashSet::new();
            let mut members: Vec<((u8, usize), Option<u64>)> = Vec::new();
            for &(kind, seed, votes) in &g.members {
                let kind = if counts[usize::from(kind)] == 0 { 0 } else { kind };
                let id = (kind, seed % counts[usize::from(kind)]);
                if seen.insert(id) {
                    members.push((id, votes));
                }
            }
            if members.iter().all(|(_, v)| *v == Some(0)) {
                members[0].1 = Some(1);
            }
            let total: u64 = members.iter().map(|(_, v)| v.unwrap_or(1)).sum();
            t.table("[[quorum_group]]");
            t.string("name", &self.name("etcd", i, 6));
            t.names("members", members.iter().map(|(id, _)| member(*id)));
            let votes: toml::Table = members
                .iter()
                .filter_map(|(id, v)| v.map(|v| (member(*id), toml::Value::Integer(v as i64))))
                .collect();
            if !votes.is_empty() {
                t.raw("votes", &toml::Value::Table(votes).to_string());
            }
            if let Some(q) = g.quorum {
                t.raw("quorum", &(1 + q % total).to_string());
            }
        }
        let workloads = self.workloads.len();
        if workloads > 0 {
            for (i, b) in self.budgets.iter().enumerate() {
                let members = distinct(b.workloads.iter().map(|w| w % workloads));
                let n = members.len() as u64;
                t.table("[[disruption_budget]]");
                t.string("name", &self.name("pdb", i, 7));
                t.names("workloads", members.into_iter().map(workload));
                if b.max_unavailable {
                    t.raw("max_unavailable", &(b.limit % (n + 2)).to_string());
                } else {
                    t.raw("min_available", &(b.limit % (n + 1)).to_string());
                }
            }
            for (i, a) in self.anti_affinity.iter().enumerate() {
                let fault_domain = a.fault_domain_scope == Some(true);
                let mut members = distinct(a.workloads.iter().map(|w| w % workloads));
                if a.mandatory.unwrap_or(true) {
                    // A mandatory rule must hold already: keep one member per place.
                    let mut taken = HashSet::new();
                    members.retain(|&w| {
                        let h = workload_host[w];
                        taken.insert(match host_domain[h] {
                            Some(d) if fault_domain => Place::Domain(d),
                            _ => Place::Host(h),
                        })
                    });
                }
                t.table("[[anti_affinity]]");
                t.string("name", &self.name("aa", i, 8));
                t.names("workloads", members.into_iter().map(workload));
                if let Some(fd) = a.fault_domain_scope {
                    t.string("scope", if fd { "fault_domain" } else { "host" });
                }
                t.optional_raw("mandatory", a.mandatory.map(|m| m.to_string()).as_deref());
            }
        }
        // Items in a fixed order; rules only point from lower to higher positions, so they can
        // never form a cycle. Unavailable hosts are not upgraded and so never ordered.
        let items: Vec<String> = self
            .hosts
            .iter()
            .enumerate()
            .filter(|(_, h)| matches!(h.state, None | Some("ready")))
            .map(|(i, _)| host(i))
            .chain((0..self.components.len()).map(component))
            .collect();
        if items.len() >= 2 {
            for o in &self.orders {
                let split = 1 + o.split % (items.len() - 1);
                let before = distinct(o.before.iter().map(|b| b % split));
                let after = distinct(o.after.iter().map(|a| split + a % (items.len() - split)));
                t.table("[[order]]");
                t.names("before", before.into_iter().map(|i| items[i].clone()));
                t.names("after", after.into_iter().map(|i| items[i].clone()));
            }
        }
        t.out
    }
}

/// The values in first-seen order, without repeats.
fn distinct(values: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(*v)).collect()
}

/// TOML text under construction, strings quoted by the toml crate's encoder.
#[derive(Default)]
struct Text {
    out: String,
}

impl Text {
    fn table(&mut self, header: &str) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(header);
        self.out.push('\n');
    }

    fn raw(&mut self, key: &str, value: &str) {
        let _ = writeln!(self.out, "{key} = {value}");
    }

    fn optional_raw(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.raw(key, value);
        }
    }

    fn string(&mut self, key: &str, value: &str) {
        self.raw(key, &quote(value));
    }

    fn optional_string(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.string(key, value);
        }
    }

    fn names(&mut self, key: &str, names: impl Iterator<Item = String>) {
        let quoted: Vec<String> = names.map(|n| quote(&n)).collect();
        self.raw(key, &format!("[{}]", quoted.join(", ")));
    }
}

/// `value` as a TOML string.
pub fn quote(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}
