//! Each shape's layout: hosts, fault domains and sites, the platform's own items (control
//! plane, monitors, controller VMs), then replicated applications and single workloads.

use super::draft::{Amounts, Draft, Group, Host, quote};
use super::trace::{SplitMix64 as Rng, Trace};
use super::{Recipe, Shape};

/// Workloads per worker host, on average.
const WORKLOADS_PER_HOST: usize = 10;

/// What differs between shapes, besides their platform's own items.
struct Profile {
    platform: &'static str,
    /// Hosts per fault domain (0: none, every host its own).
    domain_size: usize,
    /// Sites the fault domains are spread over (0: none).
    sites: usize,
    /// Host sizes drawn per host (a fleet) or once for the whole cluster.
    mixed: bool,
    storage: bool,
    /// Share of the worker hosts' capacity the workloads use.
    fill: f64,
    /// Relative weights of live, restart and none migration for single workloads.
    migration: [usize; 3],
    minutes: u32,
    target: &'static str,
}

fn profile(shape: Shape, hosts: usize) -> Profile {
    let base = Profile {
        platform: "vsan",
        domain_size: hosts.div_ceil(hosts.div_ceil(8).clamp(3, 16)),
        sites: 0,
        mixed: false,
        storage: true,
        fill: 0.5,
        migration: [85, 10, 5],
        minutes: 45,
        target: "8.0.3",
    };
    match shape {
        Shape::Vsan => base,
        Shape::Stretched => Profile {
            domain_size: hosts.div_ceil(2),
            sites: 2,
            fill: 0.35,
            ..base
        },
        Shape::Nutanix => Profile {
            platform: "nutanix",
            domain_size: 4,
            minutes: 40,
            target: "6.8",
            ..base
        },
        Shape::ProxmoxCeph => Profile {
            platform: "proxmox",
            domain_size: hosts.div_ceil(hosts.div_ceil(6).clamp(3, 64)),
            storage: false,
            minutes: 20,
            target: "8.3",
            ..base
        },
        Shape::Kubernetes => Profile {
            platform: "kubernetes",
            domain_size: hosts.div_ceil(3),
            storage: false,
            fill: 0.45,
            migration: [0, 95, 5],
            minutes: 15,
            target: "v1.31.2",
            ..base
        },
        Shape::Fleet => Profile {
            platform: "vsphere",
            domain_size: 20,
            sites: 4,
            mixed: true,
            fill: 0.55,
            migration: [80, 15, 5],
            ..base
        },
    }
}

/// Draws the whole cluster of `recipe`.
pub(super) fn draw(recipe: &Recipe, trace: &Trace) -> Draft {
    let shape = recipe.shape;
    let hosts = recipe.hosts.max(if shape == Shape::Kubernetes { 4 } else { 3 });
    let p = profile(shape, hosts);
    let mut rng = Rng::new(recipe.seed ^ (shape as u64) << 56);
    let mut d = Draft {
        storage: p.storage,
        ..Draft::default()
    };

    let domains = if p.domain_size == 0 {
        0
    } else {
        hosts.div_ceil(p.domain_size)
    };
    let sites = p.sites.min(domains);
    d.sites = match shape {
        Shape::Stretched => vec!["preferred".to_string(), "secondary".to_string()],
        _ => (0..sites).map(|s| format!("site-{s}")).collect(),
    };
    let domain_word = match shape {
        Shape::Nutanix => "block",
        Shape::Kubernetes => "zone",
        _ => "rack",
    };
    d.domains = (0..domains)
        .map(|k| {
            (
                format!("{domain_word}-{k:03}"),
                (sites > 0).then(|| k * sites / domains),
            )
        })
        .collect();

    let prefix = match p.platform {
        "kubernetes" => "node",
        "nutanix" => "ahv",
        "proxmox" => "pve",
        _ => "esx",
    };
    let one_size = trace.nodes[rng.below(trace.nodes.len())];
    for h in 0..hosts {
        let (cpu, memory_mib) = if p.mixed {
            trace.nodes[rng.below(trace.nodes.len())]
        } else {
            one_size
        };
        let storage = [7_680_000, 15_360_000, 30_720_000][if p.mixed { rng.below(3) } else { 1 }];
        d.hosts.push(Host {
            name: format!("{prefix}-{h:05}"),
            // Round robin for zones (nodes are spread over them), contiguous blocks otherwise.
            domain: (domains > 0).then(|| {
                if shape == Shape::Kubernetes {
                    h % domains
                } else {
                    h / p.domain_size
                }
            }),
            capacity: [cpu, gib(memory_mib), if p.storage { storage } else { 0 }],
            load: [0; 3],
            tainted: false,
            minutes: (h % 10 == 0).then_some(p.minutes + 15),
        });
    }

    d.header = header(shape, &p, hosts);
    platform_items(shape, &mut d);
    workloads(&p, &mut d, &mut rng, trace);
    d
}

fn header(shape: Shape, p: &Profile, hosts: usize) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let racks = hosts.div_ceil(p.domain_size.max(1));
    let mut policy = vec![
        ("headroom_percent", "10".to_string()),
        ("reserve_host_failures", "1".to_string()),
        ("wave_overhead_minutes", "15".to_string()),
    ];
    let at_once = if shape == Shape::Fleet {
        (racks / 10).max(1)
    } else {
        1
    };
    if p.domain_size > 0 {
        policy.insert(0, ("max_fault_domains_down", at_once.to_string()));
    }
    vec![
        (
            "cluster",
            vec![
                ("name", quote(&format!("{}-{hosts}", shape.name()))),
                ("platform", quote(p.platform)),
            ],
        ),
        ("policy", policy),
        (
            "defaults",
            vec![
                ("upgrade_minutes", p.minutes.to_string()),
                ("target_version", quote(p.target)),
            ],
        ),
    ]
}

/// The platform's own items: managers upgraded first, control planes, monitors, controller VMs.
fn platform_items(shape: Shape, d: &mut Draft) {
    let names = |d: &Draft, hosts: &[usize]| -> Vec<String> {
        hosts.iter().map(|&h| d.hosts[h].name.clone()).collect()
    };
    let all: Vec<usize> = (0..d.hosts.len()).collect();
    match shape {
        Shape::Vsan | Shape::Fleet | Shape::Stretched | Shape::Nutanix => {
            let manager = if shape == Shape::Nutanix {
                "prism-central"
            } else {
                "vcenter"
            };
            d.components.push((manager.to_string(), 60, true));
            d.orders.push((vec![manager.to_string()], names(d, &all)));
        }
        Shape::ProxmoxCeph | Shape::Kubernetes => {}
    }
    match shape {
        Shape::Stretched => {
            // The witness holds as many votes as a site, so one site down keeps quorum and a
            // site plus the witness does not.
            let per_site = d.hosts.len().div_ceil(2);
            d.components.push(("witness".to_string(), 30, false));
            let mut members = names(d, &all);
            members.push("witness".to_string());
            d.groups.push(Group {
                table: "quorum_group",
                name: "site-quorum".to_string(),
                key: "members",
                members,
                extra: vec![("votes", format!("{{ witness = {per_site} }}"))],
            });
        }
        Shape::Nutanix => {
            for h in all {
                // A controller VM of 4 cores and 16 GiB, or a tenth of a small node.
                let name = format!("cvm-{}", d.hosts[h].name);
                let capacity = d.hosts[h].capacity;
                d.put(
                    name,
                    h,
                    [(capacity[0] / 10).min(4_000), (capacity[1] / 10).min(16_000), 0],
                    "none",
                );
            }
        }
        Shape::ProxmoxCeph => {
            d.groups.push(Group {
                table: "quorum_group",
                name: "corosync".to_string(),
                key: "members",
                members: names(d, &all),
                extra: Vec::new(),
            });
            let count = if d.hosts.len() >= 50 { 5 } else { 3 };
            let hosts = apart_hosts(d, count);
            let mons: Vec<String> = hosts
                .iter()
                .map(|&h| format!("mon.{}", d.hosts[h].name))
                .collect();
            for (name, &h) in mons.iter().zip(&hosts) {
                d.put(name.clone(), h, [2_000, 4_000, 0], "none");
            }
            d.groups.push(Group {
                table: "quorum_group",
                name: "ceph-mon".to_string(),
                key: "members",
                members: mons,
                extra: Vec::new(),
            });
        }
        Shape::Kubernetes => {
            // Control-plane nodes, one per zone in turn (nodes are spread round robin), hold
            // etcd, take no pods, and are upgraded before the workers, as kubeadm does.
            let count = if d.hosts.len() >= 50 { 5 } else { 3 };
            let control: Vec<usize> = (0..count.min(d.hosts.len() - 1)).collect();
            for &h in &control {
                d.hosts[h].name = format!("cp-{}", h + 1);
                d.hosts[h].tainted = true;
            }
            let workers: Vec<usize> = (control.len()..d.hosts.len()).collect();
            d.groups.push(Group {
                table: "quorum_group",
                name: "etcd".to_string(),
                key: "members",
                members: names(d, &control),
                extra: Vec::new(),
            });
            d.orders.push((names(d, &control), names(d, &workers)));
        }
        Shape::Vsan | Shape::Fleet => {}
    }
}

/// `count` hosts in distinct fault domains where there are enough, else distinct hosts.
fn apart_hosts(d: &Draft, count: usize) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::new();
    for h in 0..d.hosts.len() {
        if chosen
            .iter()
            .all(|&c| d.hosts[c].domain != d.hosts[h].domain || d.hosts[h].domain.is_none())
        {
            chosen.push(h);
        }
    }
    let rest: Vec<usize> = (0..d.hosts.len()).filter(|h| !chosen.contains(h)).collect();
    chosen.extend(rest);
    chosen.truncate(count);
    chosen
}

/// Replicated applications (quorum groups, budgets, anti-affinity) first, as they need room
/// apart, then single workloads up to about [`WORKLOADS_PER_HOST`] per worker.
fn workloads(p: &Profile, d: &mut Draft, rng: &mut Rng, trace: &Trace) {
    let workers = d.hosts.iter().filter(|h| !h.tainted).count();
    let total = workers * WORKLOADS_PER_HOST;
    // On a few hosts, one host down and the reserve of one more leave (n - 2) hosts' usable
    // capacity: keep the fill below that, with room for the platform's own items.
    let fill = p
        .fill
        .min(0.9 * workers.saturating_sub(2) as f64 / workers as f64 - 0.15)
        .max(0.05);
    // Pod sizes are scaled per resource so that `total` average pods fill `fill` of the
    // workers: the trace's pods are sized for GPU nodes and would overfill most hosts.
    let mean = |r: usize| {
        trace
            .pods
            .iter()
            .map(|s| if r == 0 { s.0 } else { gib(s.1) } as f64)
            .sum::<f64>()
            / trace.pods.len() as f64
    };
    // What the platform's own items (controller VMs, monitors) already use counts against the fill.
    let capacity = |r: usize| {
        d.hosts
            .iter()
            .filter(|h| !h.tainted)
            .map(|h| h.capacity[r] as f64 - h.load[r] as f64 / fill)
            .sum::<f64>()
            .max(0.0)
    };
    let scale: [f64; 3] = [
        (fill * capacity(0) / (total as f64 * mean(0))).min(1.0),
        (fill * capacity(1) / (total as f64 * mean(1))).min(1.0),
        (fill * capacity(2) / (total as f64 * mean(1) * 2.5)).min(1.0),
    ];
    // No workload larger than a tenth of the median worker, so that every host's workloads
    // have somewhere to go (the trace holds pods of hundreds of GiB).
    let cap: [u64; 3] = std::array::from_fn(|r| {
        let mut sizes: Vec<u64> = d
            .hosts
            .iter()
            .filter(|h| !h.tainted)
            .map(|h| h.capacity[r])
            .collect();
        sizes.sort_unstable();
        sizes[sizes.len() / 2] / 10
    });
    let draw = |rng: &mut Rng| -> Amounts {
        let (cpu, mib) = trace.pods[rng.below(trace.pods.len())];
        let memory = gib(mib) as f64;
        let storage = if p.storage {
            memory * (1 + rng.below(4)) as f64
        } else {
            0.0
        };
        // At least a thousandth of a core and of a GiB (the trace has a pod with no memory).
        let [cpu, memory, storage] =
            [cpu as f64 * scale[0], memory * scale[1], storage * scale[2]].map(|v| v.round() as u64);
        [
            cpu.clamp(1, cap[0].max(1)),
            memory.clamp(1, cap[1].max(1)),
            storage.min(cap[2]),
        ]
    };
    let restart = if p.platform == "kubernetes" {
        "restart"
    } else {
        "live"
    };
    let word = if p.platform == "kubernetes" { "pod" } else { "vm" };
    let mut placed = d.workloads.len();
    let start = placed;
    let by_domain = !d.domains.is_empty();
    for app in 0..total / 100 {
        // A quorum-based application (etcd, ZooKeeper, a database cluster) of 3 or 5 members
        // that restart elsewhere, one per host.
        let size = if app % 2 == 0 { 3 } else { 5 };
        let names: Vec<String> = (0..size).map(|k| format!("quorum-{app:04}-{k}")).collect();
        let demand = draw(rng);
        if let Some(members) = d.place_apart(rng, names, demand, "restart", false) {
            d.groups.push(group(
                "quorum_group",
                format!("quorum-{app:04}"),
                "members",
                members.clone(),
                vec![],
            ));
            d.groups.push(group(
                "anti_affinity",
                format!("quorum-{app:04}-apart"),
                "workloads",
                members,
                vec![],
            ));
        }
        // A replicated service behind a disruption budget.
        let size = 2 + rng.below(5);
        let names: Vec<String> = (0..size).map(|k| format!("service-{app:04}-{k}")).collect();
        let demand = draw(rng);
        if let Some(members) = d.place_apart(rng, names, demand, restart, false) {
            let limit = if app % 2 == 0 {
                ("max_unavailable", "1".to_string())
            } else {
                ("min_available", (members.len() - 1).to_string())
            };
            d.groups.push(group(
                "disruption_budget",
                format!("service-{app:04}"),
                "workloads",
                members,
                vec![limit],
            ));
        }
        // A pair kept in different fault domains (zones, racks); every other one a "should".
        let names: Vec<String> = (0..2).map(|k| format!("pair-{app:04}-{k}")).collect();
        let demand = draw(rng);
        if let Some(members) = d.place_apart(rng, names, demand, restart, by_domain) {
            let mut extra = Vec::new();
            if by_domain {
                extra.push(("scope", quote("fault_domain")));
            }
            if app % 2 == 1 {
                extra.push(("mandatory", "false".to_string()));
            }
            d.groups.push(group(
                "anti_affinity",
                format!("pair-{app:04}"),
                "workloads",
                members,
                extra,
            ));
        }
    }
    let weights: usize = p.migration.iter().sum();
    while placed - start < total {
        let demand = draw(rng);
        let mut pick = rng.below(weights);
        let mut kind = 0;
        while kind < 2 && pick >= p.migration[kind] {
            pick -= p.migration[kind];
            kind += 1;
        }
        let migration = ["live", "restart", "none"][kind];
        let name = format!("{word}-{:06}", placed - start);
        // A workload with no room in the hosts tried is left out: the hosts are full enough.
        let _ = d.place(rng, name, demand, migration);
        placed += 1;
    }
}

fn group(
    table: &'static str,
    name: String,
    key: &'static str,
    members: Vec<String>,
    extra: Vec<(&'static str, String)>,
) -> Group {
    Group {
        table,
        name,
        key,
        members,
        extra,
    }
}

/// MiB to thousandths of a GiB, rounded.
fn gib(mib: u64) -> u64 {
    (mib * 1000 + 512) / 1024
}
