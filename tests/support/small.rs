//! Small clusters under pressure, for checking the planner against brute force.
//!
//! At most seven items (ready hosts and components), so every ordered partition can be
//! enumerated, but with every rule in play and tight capacity, so that the interesting cases
//! (waves that do not fit, quorums that bind, order that forces waves apart, impossible
//! clusters) come up often. Valid by construction: anti-affinity groups start satisfied,
//! `allowed_hosts` include the own host, quorums and budgets are within range, order rules only
//! point forward in a fixed item order.

use proptest::prelude::*;
use proptest::sample::subsequence;

/// One small cluster, before rendering.
#[derive(Debug, Clone)]
pub struct Small {
    hosts: Vec<SmallHost>,
    components: Vec<(bool, u32)>,
    fault_domains: Vec<Option<usize>>,
    sites: usize,
    policy: [Option<u32>; 3],
    headroom: u32,
    reserve: u32,
    duration: bool,
    overhead: u32,
    workloads: Vec<SmallWorkload>,
    quorum: Option<(Vec<usize>, Vec<u64>, u64)>,
    budget: Option<(Vec<usize>, bool, u64)>,
    anti_affinity: Option<(Vec<usize>, bool)>,
    orders: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
struct SmallHost {
    fault_domain: Option<usize>,
    cpu: u32,
    memory: u32,
    minutes: u32,
    state: u8,
}

#[derive(Debug, Clone)]
struct SmallWorkload {
    host: usize,
    cpu: u32,
    memory: u32,
    migration: u8,
    allowed: Option<Vec<usize>>,
}

fn host() -> impl Strategy<Value = SmallHost> {
    (
        prop::option::of(0usize..3),
        8u32..=32,
        32u32..=128,
        prop::sample::select(vec![10u32, 20, 30, 45, 60]),
        prop::sample::select(vec![0u8, 0, 0, 0, 0, 0, 0, 0, 1, 2]),
    )
        .prop_map(|(fault_domain, cpu, memory, minutes, state)| SmallHost {
            fault_domain,
            cpu,
            memory,
            minutes,
            state,
        })
}

/// A strategy for small cluster descriptions (TOML text) with at most seven items.
pub fn small_cluster() -> impl Strategy<Value = String> {
    (1usize..=6, 0usize..=2)
        .prop_flat_map(|(n_hosts, n_components)| {
            let n_components = n_components.min(7 - n_hosts);
            (
                prop::collection::vec(host(), n_hosts),
                prop::collection::vec(
                    (
                        prop::bool::weighted(0.7),
                        prop::sample::select(vec![15u32, 30, 60]),
                    ),
                    n_components,
                ),
                prop::collection::vec(prop::option::of(0usize..2), 3),
                0usize..=2,
                [
                    prop::option::weighted(0.3, 1u32..=3),
                    prop::option::weighted(0.4, 1u32..=2),
                    prop::option::weighted(0.2, 1u32..=1),
                ],
                prop::sample::select(vec![0u32, 0, 10, 25]),
                prop::sample::select(vec![0u32, 0, 0, 1]),
                prop::bool::weighted(0.3),
                prop::sample::select(vec![0u32, 5, 15]),
                prop::collection::vec(workload(n_hosts), 0..=(2 * n_hosts + 1)),
                any::<u64>(),
            )
        })
        .prop_map(
            |(
                hosts,
                components,
                fault_domains,
                sites,
                policy,
                headroom,
                reserve,
                duration,
                overhead,
                workloads,
                seed,
            )| {
                let mut small = Small {
                    hosts,
                    components,
                    fault_domains,
                    sites,
                    policy,
                    headroom,
                    reserve,
                    duration,
                    overhead,
                    workloads,
                    quorum: None,
                    budget: None,
                    anti_affinity: None,
                    orders: Vec::new(),
                };
                small.add_groups(seed);
                small.render()
            },
        )
}

fn workload(n_hosts: usize) -> impl Strategy<Value = SmallWorkload> {
    (
        0..n_hosts,
        1u32..=12,
        4u32..=48,
        prop::sample::select(vec![0u8, 0, 0, 1, 1, 2]),
        prop::option::weighted(0.2, subsequence((0..n_hosts).collect::<Vec<_>>(), 0..=n_hosts)),
    )
        .prop_map(|(host, cpu, memory, migration, allowed)| SmallWorkload {
            host,
            cpu,
            memory,
            migration,
            allowed: allowed.map(|mut a| {
                if !a.contains(&host) {
                    a.push(host);
                    a.sort_unstable();
                }
                a
            }),
        })
}

/// A tiny deterministic generator, so one proptest seed decides the groups too.
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

impl Small {
    fn add_groups(&mut self, seed: u64) {
        let mut dice = Dice(seed);
        let n_hosts = self.hosts.len();
        let n_items = n_hosts + self.components.len();
        // Members: hosts 0..n, components n.., workloads after (indices into one list).
        let n_members = n_items + self.workloads.len();
        if dice.next(3) > 0 && n_members >= 2 {
            let mut members: Vec<usize> = (0..n_members).filter(|_| dice.next(2) == 0).take(4).collect();
            if members.len() < 2 {
                members = vec![0, n_members - 1];
            }
            members.dedup();
            let votes: Vec<u64> = members
                .iter()
                .map(|_| 1 + dice.next(3).saturating_sub(1) as u64)
                .collect();
            let total: u64 = votes.iter().sum();
            let quorum = 1 + dice.next(total as usize) as u64;
            self.quorum = Some((members, votes, quorum));
        }
        if !self.workloads.is_empty() && dice.next(2) == 0 {
            let members: Vec<usize> = (0..self.workloads.len()).filter(|_| dice.next(2) == 0).collect();
            if !members.is_empty() {
                let max_form = dice.next(2) == 0;
                let n = members.len() as u64;
                let limit = dice.next(n as usize + 1) as u64;
                self.budget = Some((members, max_form, limit));
            }
        }
        if self.workloads.len() >= 2 && dice.next(2) == 0 {
            let fault_domain_scope = dice.next(3) == 0;
            // Members on distinct hosts (or fault domains), so the placement starts valid.
            let mut used = std::collections::HashSet::new();
            let mut members = Vec::new();
            for (i, w) in self.workloads.iter().enumerate() {
                let spot = if fault_domain_scope {
                    self.hosts[w.host].fault_domain.map_or(100 + w.host, |d| d)
                } else {
                    w.host
                };
                if dice.next(3) > 0 && used.insert(spot) {
                    members.push(i);
                }
            }
            if members.len() >= 2 {
                self.anti_affinity = Some((members, fault_domain_scope));
            }
        }
        for _ in 0..dice.next(3) {
            let (a, b) = (dice.next(n_items), dice.next(n_items));
            let (a, b) = (a.min(b), a.max(b));
            let unavailable = |i: usize| i < n_hosts && self.hosts[i].state != 0;
            if a != b && !unavailable(a) && !unavailable(b) {
                self.orders.push((a, b));
            }
        }
    }

    fn item_name(&self, i: usize) -> String {
        if i < self.hosts.len() {
            format!("h{i}")
        } else {
            format!("c{}", i - self.hosts.len())
        }
    }

    fn member_name(&self, i: usize) -> String {
        let items = self.hosts.len() + self.components.len();
        if i < items {
            self.item_name(i)
        } else {
            format!("w{}", i - items)
        }
    }

    fn render(&self) -> String {
        let mut t = String::from("[cluster]\nname = \"small\"\n\n[policy]\n");
        let [hosts, domains, sites] = self.policy;
        if let Some(m) = hosts {
            t += &format!("max_hosts_per_wave = {m}\n");
        }
        if let Some(m) = domains {
            t += &format!("max_fault_domains_down = {m}\n");
        }
        if let Some(m) = sites {
            t += &format!("max_sites_down = {m}\n");
        }
        t += &format!(
            "headroom_percent = {}\nreserve_host_failures = {}\nobjective = \"{}\"\nwave_overhead_minutes = {}\n\n",
            self.headroom,
            self.reserve,
            if self.duration { "duration" } else { "waves" },
            self.overhead
        );
        for s in 0..self.sites {
            t += &format!("[[site]]\nname = \"s{s}\"\n\n");
        }
        for (d, site) in self.fault_domains.iter().enumerate() {
            t += &format!("[[fault_domain]]\nname = \"f{d}\"\n");
            if let Some(s) = site.filter(|&s| s < self.sites) {
                t += &format!("site = \"s{s}\"\n");
            }
            t += "\n";
        }
        for (i, h) in self.hosts.iter().enumerate() {
            t += &format!(
                "[[host]]\nname = \"h{i}\"\ncpu = {}\nmemory_gib = {}\nupgrade_minutes = {}\n",
                h.cpu, h.memory, h.minutes
            );
            if let Some(d) = h.fault_domain {
                t += &format!("fault_domain = \"f{d}\"\n");
            }
            match h.state {
                1 => t += "state = \"down\"\n",
                2 => t += "state = \"maintenance\"\n",
                _ => {}
            }
            t += "\n";
        }
        for (i, (exclusive, minutes)) in self.components.iter().enumerate() {
            t += &format!(
                "[[component]]\nname = \"c{i}\"\nexclusive = {exclusive}\nupgrade_minutes = {minutes}\n\n"
            );
        }
        for (i, w) in self.workloads.iter().enumerate() {
            t += &format!(
                "[[workload]]\nname = \"w{i}\"\nhost = \"h{}\"\ncpu = {}\nmemory_gib = {}\nmigration = \"{}\"\n",
                w.host,
                w.cpu,
                w.memory,
                ["live", "restart", "none"][w.migration as usize]
            );
            if let Some(allowed) = &w.allowed {
                let list: Vec<String> = allowed.iter().map(|h| format!("\"h{h}\"")).collect();
                t += &format!("allowed_hosts = [{}]\n", list.join(", "));
            }
            t += "\n";
        }
        if let Some((members, votes, quorum)) = &self.quorum {
            let names: Vec<String> = members
                .iter()
                .map(|&m| format!("\"{}\"", self.member_name(m)))
                .collect();
            let votes: Vec<String> = members
                .iter()
                .zip(votes)
                .map(|(&m, v)| format!("\"{}\" = {v}", self.member_name(m)))
                .collect();
            t += &format!(
                "[[quorum_group]]\nname = \"q\"\nmembers = [{}]\nvotes = {{ {} }}\nquorum = {quorum}\n\n",
                names.join(", "),
                votes.join(", ")
            );
        }
        if let Some((members, max_form, limit)) = &self.budget {
            let names: Vec<String> = members.iter().map(|m| format!("\"w{m}\"")).collect();
            let key = if *max_form {
                "max_unavailable"
            } else {
                "min_available"
            };
            t += &format!(
                "[[disruption_budget]]\nname = \"b\"\nworkloads = [{}]\n{key} = {limit}\n\n",
                names.join(", ")
            );
        }
        if let Some((members, fault_domain_scope)) = &self.anti_affinity {
            let names: Vec<String> = members.iter().map(|m| format!("\"w{m}\"")).collect();
            t += &format!(
                "[[anti_affinity]]\nname = \"a\"\nworkloads = [{}]\nscope = \"{}\"\n\n",
                names.join(", "),
                if *fault_domain_scope {
                    "fault_domain"
                } else {
                    "host"
                }
            );
        }
        for (a, b) in &self.orders {
            t += &format!(
                "[[order]]\nbefore = [\"{}\"]\nafter = [\"{}\"]\n\n",
                self.item_name(*a),
                self.item_name(*b)
            );
        }
        t
    }
}
