//! Large, realistic cluster descriptions, generated deterministically from a seed.
//!
//! Host capacities and workload sizes are drawn from the Alibaba GPU cluster trace (2023) in
//! `../shared/data` (see its `SOURCES.md`), with a self-contained PRNG so that the same recipe
//! gives the same text on every machine and with every dependency version.

use std::collections::HashSet;

use quorate::generate::SplitMix64;

use super::{Text, distinct};

/// A recipe for a large, realistic cluster description.
///
/// Workload sizes keep the trace's shape but are scaled down, per resource, when the drawn
/// workloads would use more than `fill` of the ready hosts' capacity; they are then placed
/// first-fit from a random ready host, so hosts end up near `fill`, and above
/// `fill + (1 - fill) / 2` only when nothing else fits.
///
/// The policy takes `fault_domains_at_once` racks down at a time (besides those unavailable
/// hosts already hold down), keeps 10% headroom and room for one host failure.
///
/// The groups are built to leave a safe plan possible: quorum-group and budget members, and
/// members of mandatory anti-affinity groups, sit on distinct hosts (or fault domains), no
/// workload runs on an unavailable host, and every host waits for the first component (the
/// vCenter or control plane), the way an operator upgrades the manager first.
#[derive(Debug, Clone)]
pub struct RealisticCluster {
    /// The cluster's name.
    pub name: String,
    /// The platform, as written in the description.
    pub platform: &'static str,
    /// The seed of the generator: the same recipe always gives the same text.
    pub seed: u64,
    /// Hosts in all (at least 1).
    pub hosts: usize,
    /// Fault domains (racks), hosts spread evenly in contiguous blocks; 0 gives every host its
    /// own, implicit one.
    pub fault_domains: usize,
    /// Sites, fault domains spread evenly over them (unused without fault domains).
    pub sites: usize,
    /// Fault domains the plan may take down at once; `max_fault_domains_down` is this plus
    /// the fault domains that unavailable hosts already hold down.
    pub fault_domains_at_once: usize,
    /// Hosts already down or in maintenance, spread over the cluster.
    pub unavailable_hosts: usize,
    /// Components; the first is exclusive and goes before every host, the others share waves.
    pub components: usize,
    /// Workloads in all.
    pub workloads: usize,
    /// Quorum groups of 3 or 5 workloads, each with a mandatory host anti-affinity rule (plus
    /// a group of 3 control-plane hosts in different racks when there are 3 racks or more).
    pub quorum_groups: usize,
    /// Disruption budgets over 2–8 workloads.
    pub budgets: usize,
    /// Further anti-affinity groups of 2–4 workloads, fault-domain scoped (host scoped without
    /// fault domains); every other one is a "should" rule.
    pub anti_affinity: usize,
    /// Share of the ready hosts' cpu and memory the workloads use at most, in (0, 1].
    pub fill: f64,
    /// Relative weights of `live`, `restart` and `none` migration.
    pub migration: [u32; 3],
    /// Whether hosts track storage (vSAN-like) and workloads need some.
    pub storage: bool,
}

impl RealisticCluster {
    /// A vSAN cluster of 16 hosts in 4 fault domains (racks), a vCenter and 200 VMs.
    pub fn vsan_16() -> Self {
        RealisticCluster {
            name: "vsan-16".to_string(),
            platform: "vsan",
            seed: 16,
            hosts: 16,
            fault_domains: 4,
            sites: 1,
            fault_domains_at_once: 1,
            unavailable_hosts: 0,
            components: 1,
            workloads: 200,
            quorum_groups: 2,
            budgets: 2,
            anti_affinity: 4,
            fill: 0.5,
            migration: [90, 5, 5],
            storage: true,
        }
    }

    /// A vSAN-like cluster of 96 hosts in 8 racks, one rack down at a time, 2,000 VMs.
    pub fn vsan_96() -> Self {
        RealisticCluster {
            name: "vsan-96".to_string(),
            platform: "vsan",
            seed: 9_600,
            hosts: 96,
            fault_domains: 8,
            sites: 1,
            fault_domains_at_once: 1,
            unavailable_hosts: 0,
            components: 1,
            workloads: 2_000,
            quorum_groups: 8,
            budgets: 8,
            anti_affinity: 20,
            fill: 0.6,
            migration: [90, 5, 5],
            storage: true,
        }
    }

    /// A Kubernetes cluster of 96 nodes in 12 racks over 2 zones, with 2,000 pods, one node
    /// already in maintenance.
    pub fn kubernetes_96() -> Self {
        RealisticCluster {
            name: "k8s-96".to_string(),
            platform: "kubernetes",
            seed: 96,
            hosts: 96,
            fault_domains: 12,
            sites: 2,
            fault_domains_at_once: 1,
            unavailable_hosts: 1,
            components: 2,
            workloads: 2_000,
            quorum_groups: 10,
            budgets: 40,
            anti_affinity: 20,
            fill: 0.6,
            migration: [0, 95, 5],
            storage: false,
        }
    }

    /// A large vSphere cluster for benchmarks: racks of 20 hosts over 4 sites, a tenth of the
    /// racks down at once, 1% of the hosts unavailable, and a quorum group, a budget and an
    /// anti-affinity group per 100 workloads.
    pub fn large(hosts: usize, workloads: usize) -> Self {
        RealisticCluster {
            name: format!("large-{hosts}"),
            platform: "vsphere",
            seed: hosts as u64,
            hosts,
            fault_domains: hosts.div_ceil(20),
            sites: 4,
            fault_domains_at_once: (hosts.div_ceil(20) / 10).max(1),
            unavailable_hosts: hosts / 100,
            components: 2,
            workloads,
            quorum_groups: workloads / 100,
            budgets: workloads / 100,
            anti_affinity: workloads / 100,
            fill: 0.55,
            migration: [80, 15, 5],
            storage: true,
        }
    }

    /// The description as TOML text.
    pub fn description(&self) -> String {
        let layout = Layout::draw(self);
        let mut t = Text::default();
        self.write_header(&mut t, &layout);
        self.write_hosts(&mut t, &layout);
        self.write_workloads(&mut t, &layout);
        self.write_groups(&mut t, &layout);
        t.out
    }

    fn hosts(&self) -> usize {
        self.hosts.max(1)
    }

    fn domain_of(&self, host: usize) -> Option<usize> {
        (self.fault_domains > 0).then(|| host * self.fault_domains / self.hosts())
    }

    fn host_name(&self, host: usize) -> String {
        let prefix = match self.platform {
            "kubernetes" => "node",
            "vsphere" | "vsan" => "esx",
            _ => "host",
        };
        format!("{prefix}-{host:05}")
    }

    fn workload_name(&self, workload: usize) -> String {
        let prefix = if self.platform == "kubernetes" {
            "pod"
        } else {
            "vm"
        };
        format!("{prefix}-{workload:06}")
    }

    fn component_name(&self, component: usize) -> String {
        match (self.platform, component) {
            ("kubernetes", 0) => "control-plane".to_string(),
            (_, 0) => "vcenter".to_string(),
            (_, c) => format!("appliance-{c}"),
        }
    }

    fn write_header(&self, t: &mut Text, layout: &Layout) {
        t.table("[cluster]");
        t.string("name", &self.name);
        t.string("platform", self.platform);
        t.table("[policy]");
        if self.fault_domains > 0 {
            let down: HashSet<Option<usize>> = (0..self.hosts())
                .filter(|&h| layout.unavailable[h].is_some())
                .map(|h| self.domain_of(h))
                .collect();
            let limit = self.fault_domains_at_once.max(1) + down.len();
            t.raw("max_fault_domains_down", &limit.to_string());
        }
        t.raw("headroom_percent", "10");
        t.raw("reserve_host_failures", "1");
        t.raw("wave_overhead_minutes", "15");
        t.table("[defaults]");
        t.raw("upgrade_minutes", "45");
        t.string("target_version", "8.0.3");
    }

    fn write_hosts(&self, t: &mut Text, layout: &Layout) {
        let site_name = |s: usize| format!("site-{s}");
        let domain_name = |d: usize| format!("rack-{d:04}");
        if self.fault_domains > 0 {
            for s in 0..self.sites {
                t.table("[[site]]");
                t.string("name", &site_name(s));
            }
            for d in 0..self.fault_domains {
                t.table("[[fault_domain]]");
                t.string("name", &domain_name(d));
                if self.sites > 0 {
                    t.string("site", &site_name(d * self.sites / self.fault_domains));
                }
            }
        }
        for (h, capacity) in layout.capacity.iter().enumerate() {
            t.table("[[host]]");
            t.string("name", &self.host_name(h));
            if let Some(d) = self.domain_of(h) {
                t.string("fault_domain", &domain_name(d));
            }
            t.raw("cpu", &milli(capacity[0]));
            t.raw("memory_gib", &milli(capacity[1]));
            if self.storage {
                t.raw("storage_gib", &milli(capacity[2]));
            }
            t.string("version", if h % 7 == 0 { "8.0.1" } else { "8.0.2" });
            if h % 10 == 0 {
                t.raw("upgrade_minutes", "60");
            }
            if let Some(state) = layout.unavailable[h] {
                t.string("state", state);
            }
        }
        for c in 0..self.components {
            t.table("[[component]]");
            t.string("name", &self.component_name(c));
            t.raw("upgrade_minutes", "60");
            if c > 0 {
                t.raw("exclusive", "false");
            }
        }
    }

    fn write_workloads(&self, t: &mut Text, layout: &Layout) {
        for (w, demand) in layout.demand.iter().enumerate() {
            t.table("[[workload]]");
            t.string("name", &self.workload_name(w));
            let own = layout.placed[w];
            t.string("host", &self.host_name(own));
            t.raw("cpu", &milli(demand[0]));
            t.raw("memory_gib", &milli(demand[1]));
            if self.storage {
                t.raw("storage_gib", &milli(demand[2]));
            }
            if layout.migration[w] != "live" {
                t.string("migration", layout.migration[w]);
            }
            if w % 31 == 0 {
                // Pinned to its own rack (or a few hosts around it): a must-run rule.
                let around: Vec<usize> = match self.domain_of(own) {
                    Some(d) => (0..self.hosts())
                        .filter(|&h| self.domain_of(h) == Some(d))
                        .collect(),
                    None => (0..4).map(|k| (own + k) % self.hosts()).collect(),
                };
                let allowed = distinct(
                    around
                        .into_iter()
                        .filter(|&h| h == own || layout.unavailable[h].is_none()),
                );
                t.names("allowed_hosts", allowed.into_iter().map(|h| self.host_name(h)));
            }
        }
    }

    fn write_groups(&self, t: &mut Text, layout: &Layout) {
        let names =
            |members: &[usize]| -> Vec<String> { members.iter().map(|&w| self.workload_name(w)).collect() };
        if self.fault_domains >= 3 {
            let mut racks = HashSet::new();
            let control_plane: Vec<usize> = layout
                .ready
                .iter()
                .copied()
                .filter(|&h| racks.insert(self.domain_of(h)))
                .take(3)
                .collect();
            if control_plane.len() == 3 {
                t.table("[[quorum_group]]");
                t.string("name", "control-plane-hosts");
                t.names("members", control_plane.into_iter().map(|h| self.host_name(h)));
            }
        }
        for (g, members) in layout.quorum_groups.iter().enumerate() {
            t.table("[[quorum_group]]");
            t.string("name", &format!("replicas-{g:04}"));
            t.names("members", names(members).into_iter());
            if members.len() == 5 {
                // Extra weight for the primary; the quorum stays the strict majority.
                let votes: toml::Table = [(self.workload_name(members[0]), toml::Value::Integer(2))]
                    .into_iter()
                    .collect();
                t.raw("votes", &toml::Value::Table(votes).to_string());
            }
            t.table("[[anti_affinity]]");
            t.string("name", &format!("replicas-{g:04}-apart"));
            t.names("workloads", names(members).into_iter());
        }
        for (b, members) in layout.budgets.iter().enumerate() {
            t.table("[[disruption_budget]]");
            t.string("name", &format!("pdb-{b:04}"));
            t.names("workloads", names(members).into_iter());
            if b % 2 == 0 {
                t.raw("max_unavailable", "1");
            } else {
                t.raw("min_available", &(members.len() - 1).to_string());
            }
        }
        for (a, members) in layout.anti_affinity.iter().enumerate() {
            t.table("[[anti_affinity]]");
            t.string("name", &format!("spread-{a:04}"));
            t.names("workloads", names(members).into_iter());
            if self.fault_domains > 0 {
                t.string("scope", "fault_domain");
            }
            if a % 2 == 1 {
                t.raw("mandatory", "false");
            }
        }
        if self.components > 0 && !layout.ready.is_empty() {
            t.table("[[order]]");
            t.names("before", std::iter::once(self.component_name(0)));
            t.names("after", layout.ready.iter().map(|&h| self.host_name(h)));
        }
    }
}

/// What the generator drew for a recipe, before it is written out.
struct Layout {
    /// Per host: cpu, memory and storage, in thousandths.
    capacity: Vec<[u64; 3]>,
    /// Per host: `Some(state)` when it is already unavailable.
    unavailable: Vec<Option<&'static str>>,
    /// The ready hosts.
    ready: Vec<usize>,
    /// Per workload: cpu, memory and storage, in thousandths.
    demand: Vec<[u64; 3]>,
    /// Per workload: its host.
    placed: Vec<usize>,
    /// Per workload: its migration.
    migration: Vec<&'static str>,
    /// Members (workloads) of each quorum group, budget and anti-affinity group.
    quorum_groups: Vec<Vec<usize>>,
    budgets: Vec<Vec<usize>>,
    anti_affinity: Vec<Vec<usize>>,
}

impl Layout {
    fn draw(recipe: &RealisticCluster) -> Layout {
        let trace = Trace::load();
        let mut rng = SplitMix64::new(recipe.seed);
        let hosts = recipe.hosts();

        let capacity: Vec<[u64; 3]> = (0..hosts)
            .map(|_| {
                let (cpu_milli, memory_mib) = trace.nodes[rng.below(trace.nodes.len())];
                let storage = [7_680_000, 15_360_000, 30_720_000][rng.below(3)];
                [cpu_milli, mib_to_milli_gib(memory_mib), storage]
            })
            .collect();
        let mut unavailable = vec![None; hosts];
        let down = recipe.unavailable_hosts.min(hosts);
        for k in 0..down {
            let h = (k * hosts / down + hosts / 2) % hosts;
            unavailable[h] = Some(if k % 2 == 0 { "maintenance" } else { "down" });
        }
        let ready: Vec<usize> = (0..hosts).filter(|&h| unavailable[h].is_none()).collect();

        let mut demand: Vec<[u64; 3]> = (0..recipe.workloads)
            .map(|_| {
                let (cpu_milli, memory_mib) = trace.pods[rng.below(trace.pods.len())];
                let memory = mib_to_milli_gib(memory_mib);
                // Disks of one to four times the memory, as VMs tend to have.
                let storage = if recipe.storage {
                    memory * (1 + rng.below(4) as u64)
                } else {
                    0
                };
                [cpu_milli, memory, storage]
            })
            .collect();
        for r in 0..3 {
            let room = ready.iter().map(|&h| capacity[h][r] as f64).sum::<f64>() * recipe.fill;
            let used: f64 = demand.iter().map(|d| d[r] as f64).sum();
            if used > room {
                let factor = room / used;
                for d in &mut demand {
                    d[r] = (d[r] as f64 * factor).round() as u64;
                }
            }
        }
        let placed = place(&capacity, &ready, &demand, recipe.fill, &mut rng);

        let total: u32 = recipe.migration.iter().sum();
        let mut migration: Vec<&'static str> = (0..recipe.workloads)
            .map(|_| {
                let mut pick = rng.below(total.max(1) as usize) as u32;
                let mut kind = 0;
                while kind < 2 && pick >= recipe.migration[kind] {
                    pick -= recipe.migration[kind];
                    kind += 1;
                }
                ["live", "restart", "none"][kind]
            })
            .collect();

        // Disjoint sets of workloads, each on distinct hosts (or fault domains).
        let mut pool: Vec<usize> = (0..recipe.workloads).collect();
        rng.shuffle(&mut pool);
        let mut pool = pool.into_iter();
        let mut take = |size: usize, apart: &dyn Fn(usize) -> usize| -> Vec<usize> {
            let mut places = HashSet::new();
            let mut chosen = Vec::new();
            for w in pool.by_ref().take(size * 8) {
                if places.insert(apart(placed[w])) {
                    chosen.push(w);
                    if chosen.len() == size {
                        break;
                    }
                }
            }
            chosen
        };
        let by_host = |h: usize| h;
        let by_domain = |h: usize| recipe.domain_of(h).unwrap_or(hosts + h);
        let mut quorum_groups: Vec<Vec<usize>> = (0..recipe.quorum_groups)
            .map(|g| take(if g % 2 == 0 { 3 } else { 5 }, &by_host))
            .collect();
        let mut budgets: Vec<Vec<usize>> = (0..recipe.budgets)
            .map(|_| {
                let size = 2 + rng.below(7);
                take(size, &by_host)
            })
            .collect();
        let mut anti_affinity: Vec<Vec<usize>> = (0..recipe.anti_affinity)
            .map(|_| {
                let size = 2 + rng.below(3);
                take(size, &by_domain)
            })
            .collect();
        // When the workloads run out, a group of one or two could never lose a member.
        quorum_groups.retain(|g| g.len() >= 3);
        budgets.retain(|g| !g.is_empty());
        anti_affinity.retain(|g| !g.is_empty());
        for &w in quorum_groups.iter().flatten() {
            // Quorum members are replicas that restart elsewhere, like etcd pods or database
            // nodes.
            migration[w] = "restart";
        }

        Layout {
            capacity,
            unavailable,
            ready,
            demand,
            placed,
            migration,
            quorum_groups,
            budgets,
            anti_affinity,
        }
    }
}

/// Places each workload first-fit from a random ready host, within `fill + (1 - fill) / 2` of
/// every capacity; a workload that fits nowhere among 64 hosts stays on the first it tried.
fn place(
    capacity: &[[u64; 3]],
    ready: &[usize],
    demand: &[[u64; 3]],
    fill: f64,
    rng: &mut SplitMix64,
) -> Vec<usize> {
    let limit = fill + (1.0 - fill) / 2.0;
    let mut load = vec![[0u64; 3]; capacity.len()];
    let mut placed = Vec::with_capacity(demand.len());
    for d in demand {
        let fits = |h: usize, load: &[[u64; 3]]| {
            (0..3).all(|r| (load[h][r] + d[r]) as f64 <= capacity[h][r] as f64 * limit)
        };
        let start = rng.below(ready.len());
        let host = (0..ready.len().min(64))
            .map(|k| ready[(start + k) % ready.len()])
            .find(|&h| fits(h, &load))
            .unwrap_or_else(|| ready.get(start).copied().unwrap_or(0));
        for r in 0..3 {
            load[host][r] += d[r];
        }
        placed.push(host);
    }
    placed
}

/// A fixed-point amount in thousandths, written as an exact decimal.
fn milli(value: u64) -> String {
    let (whole, frac) = (value / 1000, value % 1000);
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:03}").trim_end_matches('0'))
    }
}

/// MiB to thousandths of a GiB, rounded.
fn mib_to_milli_gib(mib: u64) -> u64 {
    (mib * 1000 + 512) / 1024
}

/// Node capacities and pod sizes, as (cpu in thousandths of a core, memory in MiB).
struct Trace {
    nodes: Vec<(u64, u64)>,
    pods: Vec<(u64, u64)>,
}

const TRACE_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/alibaba-cluster-trace-gpu-v2023"
);

/// The trace's most common node shapes with their counts: 1,507 of the 1,523 nodes of
/// `openb_node_list_all_node.csv`. A stand-in for a checkout without the shared data, so the
/// generator still works, with the same distribution minus the rarest shapes.
const FALLBACK_NODES: &[(u64, u64, usize)] = &[
    (96_000, 393_216, 596),
    (104_000, 524_288, 407),
    (32_000, 262_144, 129),
    (16_000, 122_880, 107),
    (96_000, 524_288, 59),
    (32_000, 131_072, 51),
    (128_000, 786_432, 39),
    (64_000, 262_144, 37),
    (96_000, 786_432, 22),
    (64_000, 524_288, 22),
    (8_000, 32_768, 19),
    (32_000, 65_536, 10),
    (48_000, 376_832, 9),
];

/// The trace's most common pod shapes with their counts: 7,363 of the 8,152 pods of
/// `openb_pod_list_default.csv`; the stand-in for a checkout without the shared data.
const FALLBACK_PODS: &[(u64, u64, usize)] = &[
    (3_152, 5_600, 1_592),
    (11_300, 49_152, 857),
    (11_908, 47_104, 778),
    (8_000, 30_517, 649),
    (11_400, 48_128, 534),
    (12_500, 57_344, 364),
    (32_000, 49_152, 284),
    (18_708, 64_512, 255),
    (9_810, 41_560, 195),
    (4_000, 22_888, 189),
    (4_000, 15_258, 182),
    (12_000, 24_576, 162),
    (15_700, 58_368, 158),
    (4_152, 10_600, 152),
    (4_000, 30_517, 136),
    (15_400, 51_200, 120),
    (16_000, 32_768, 110),
    (8_000, 16_384, 106),
    (4_000, 24_576, 104),
    (12_000, 16_384, 99),
    (16_500, 51_200, 95),
    (14_200, 58_368, 93),
    (24_200, 93_184, 84),
    (11_400, 77_824, 65),
];

impl Trace {
    /// Reads the trace, or falls back to the built-in tables of its most common shapes.
    fn load() -> Trace {
        let read = |file: &str| {
            let text = std::fs::read_to_string(format!("{TRACE_DIR}/{file}")).ok()?;
            let rows: Vec<(u64, u64)> = text
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let mut fields = line.split(',').skip(1);
                    Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
                })
                .collect();
            (!rows.is_empty()).then_some(rows)
        };
        let expand = |table: &[(u64, u64, usize)]| {
            table
                .iter()
                .flat_map(|&(cpu, memory, count)| std::iter::repeat_n((cpu, memory), count))
                .collect()
        };
        Trace {
            nodes: read("openb_node_list_all_node.csv").unwrap_or_else(|| expand(FALLBACK_NODES)),
            pods: read("openb_pod_list_default.csv").unwrap_or_else(|| expand(FALLBACK_PODS)),
        }
    }
}
