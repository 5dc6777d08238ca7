//! Ceph: `ceph osd tree -f json`, `ceph mon dump -f json`, and optionally
//! `ceph osd pool ls detail -f json`, `ceph osd crush rule dump -f json`,
//! `ceph health -f json` (or `ceph status -f json`) and `ceph osd metadata -f json`.
//!
//! The shapes are those the Ceph sources print: the CRUSH tree (`nodes[]` with `id`, `name`,
//! `type`, `children`, and for OSDs `status` and `crush_weight`; `stray[]`) from
//! `src/crush/CrushTreeDumper.h`; the monitor map (`mons[]` with `name` and `rank`, and the
//! `quorum` ranks) from `MonMap::dump` and `src/mon/MonmapMonitor.cc`; pools (`pool_name`,
//! `size`, `min_size`, `crush_rule`) from `pg_pool_t::dump` in `src/osd/osd_types.cc`; rules
//! (`rule_id`, `steps[]` with `op` and `type`) from `CrushWrapper::dump_rule`.
//!
//! The mapping: CRUSH buckets of type `host` are hosts (down when every OSD under them is
//! down), their storage the sum of their OSDs' CRUSH weights (TiB by convention). The bucket
//! type the pools' rules choose last (`chooseleaf_firstn 0 type rack`) is the fault domain;
//! `max_fault_domains_down` is the smallest `size - min_size` over the pools. Monitors form a
//! majority quorum group. The exports hold no CPU or memory, and no workload moves between
//! Ceph hosts, so host CPU and memory are placeholders, marked inferred. With the OSD
//! metadata, a host's version is the one its OSDs run, when they agree ([`versions`]).

mod versions;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::live::json::Node;
use crate::live::{
    Fact, LiveCluster, LiveError, LiveFaultDomain, LiveHealth, LiveHost, LiveMember, LiveQuorum, unrecognised,
};
use crate::model::{HostState, Platform};

const EXPECTED: &str = "the JSON of `ceph osd tree -f json`, `ceph mon dump -f json`, \
    `ceph osd pool ls detail -f json`, `ceph osd crush rule dump -f json`, \
    `ceph health -f json` or `ceph osd metadata -f json`";
const PLACEHOLDER: &str = "placeholder: Ceph's exports hold no CPU or memory, and no workload \
    moves onto a Ceph host";

/// A CRUSH bucket or OSD of the tree.
#[derive(Debug, Clone)]
struct Bucket {
    name: String,
    kind: String,
    children: Vec<i64>,
    up: bool,
    crush_weight: f64,
}

#[derive(Debug, Clone)]
struct Monitor {
    name: String,
    rank: i64,
}

#[derive(Debug, Clone)]
struct Pool {
    name: String,
    size: u64,
    min_size: u64,
    rule: i64,
}

/// The CRUSH tree: buckets by id, and the ids in the order the export lists them.
type Tree = (BTreeMap<i64, Bucket>, Vec<i64>);

#[derive(Default)]
struct Exports {
    tree: Option<Tree>,
    monitors: Option<(Vec<Monitor>, Option<Vec<i64>>)>,
    pools: Option<Vec<Pool>>,
    rules: Option<BTreeMap<i64, String>>,
    health: Option<LiveHealth>,
    versions: Option<versions::OsdVersions>,
}

/// Reads parsed Ceph exports.
pub fn read(files: &[(&str, Value)]) -> Result<LiveCluster, LiveError> {
    let mut exports = Exports::default();
    for (file, value) in files {
        let root = Node::root(file, value);
        let first = value.as_array().and_then(|a| a.first());
        if value.get("nodes").is_some() && value.get("stray").is_some() {
            exports.tree = Some(read_tree(&root)?);
        } else if value.get("mons").is_some() {
            exports.monitors = Some(read_monitors(&root)?);
        } else if first.is_some_and(|p| p.get("pool_name").is_some()) {
            exports.pools = Some(read_pools(&root)?);
        } else if first.is_some_and(|r| r.get("steps").is_some()) {
            exports.rules = Some(read_rules(&root)?);
        } else if versions::is_osd_metadata(value) {
            exports.versions = Some(versions::read(&root)?);
        } else if let Some(health) = health_node(&root) {
            exports.health = Some(read_health(&health)?);
        } else {
            return Err(unrecognised(file, Platform::Ceph, EXPECTED));
        }
    }
    build(exports, files)
}

fn read_tree(root: &Node<'_>) -> Result<Tree, LiveError> {
    let mut tree = BTreeMap::new();
    let mut order = Vec::new();
    for node in root.req("nodes", "the CRUSH tree")?.items()? {
        let kind = node.req_str("type", "the bucket type")?.to_string();
        let children = node
            .items_of("children")?
            .iter()
            .map(Node::i64)
            .collect::<Result<_, _>>()?;
        let up = match node.get("status") {
            Some(status) => status.str()? == "up",
            None => true,
        };
        let crush_weight = match node.get("crush_weight") {
            Some(w) => w.f64()?.max(0.0),
            None => 0.0,
        };
        let id_node = node.req("id", "the bucket or OSD id")?;
        let id = id_node.i64()?;
        if tree.contains_key(&id) {
            return Err(id_node.invalid(
                format!("id {id} appears twice in the tree"),
                "give the output of `ceph osd tree -f json` unmodified",
            ));
        }
        order.push(id);
        tree.insert(
            id,
            Bucket {
                name: node.req_str("name", "the bucket name")?.to_string(),
                kind,
                children,
                up,
                crush_weight,
            },
        );
    }
    Ok((tree, order))
}

type Monitors = (Vec<Monitor>, Option<Vec<i64>>);

fn read_monitors(root: &Node<'_>) -> Result<Monitors, LiveError> {
    let monitors = root
        .req("mons", "the monitors")?
        .items()?
        .iter()
        .map(|m| {
            Ok(Monitor {
                name: m.req_str("name", "the monitor name")?.to_string(),
                rank: m.req("rank", "the monitor rank")?.i64()?,
            })
        })
        .collect::<Result<_, LiveError>>()?;
    let quorum = root
        .get("quorum")
        .map(|q| q.items()?.iter().map(Node::i64).collect::<Result<_, _>>())
        .transpose()?;
    Ok((monitors, quorum))
}

fn read_pools(root: &Node<'_>) -> Result<Vec<Pool>, LiveError> {
    root.items()?
        .iter()
        .map(|p| {
            let size = p.req("size", "the replica count")?.u64()?;
            let min = p.req("min_size", "the replicas needed for I/O")?;
            let min_size = min.u64()?;
            if min_size > size {
                return Err(min.invalid(
                    format!("min_size {min_size} is larger than size {size}"),
                    "check the pool with `ceph osd pool get POOL min_size`",
                ));
            }
            if min_size == size {
                // No copy to spare: one failure domain down makes the pool's PGs inactive, and
                // the format has no `max_fault_domains_down = 0` (found by fuzzing).
                return Err(min.invalid(
                    format!(
                        "min_size {min_size} equals size {size}: any failure domain down stops I/O \
                         on this pool, so no rolling upgrade is safe"
                    ),
                    "raise the pool's size (`ceph osd pool set POOL size N`) or lower its \
                     min_size before the upgrade, then export again",
                ));
            }
            Ok(Pool {
                name: p.req_str("pool_name", "the pool name")?.to_string(),
                size,
                min_size,
                rule: p.req("crush_rule", "the pool's CRUSH rule id")?.i64()?,
            })
        })
        .collect()
}

/// Each rule's failure domain: the bucket type of its last `choose*` step.
fn read_rules(root: &Node<'_>) -> Result<BTreeMap<i64, String>, LiveError> {
    let mut rules = BTreeMap::new();
    for rule in root.items()? {
        let id = rule.req("rule_id", "the rule id")?.i64()?;
        let mut domain = None;
        for step in rule.req("steps", "the rule's steps")?.items()? {
            if step.req_str("op", "the step's operation")?.starts_with("choose") {
                domain = Some(step.req_str("type", "the bucket type chosen")?.to_string());
            }
        }
        if let Some(domain) = domain {
            rules.insert(id, domain);
        }
    }
    Ok(rules)
}

/// The health object: the root of `ceph health`, or `health` in `ceph status`.
fn health_node<'a>(root: &Node<'a>) -> Option<Node<'a>> {
    let is_health = |n: &Node<'_>| {
        n.value()
            .get("status")
            .and_then(Value::as_str)
            .is_some_and(|s| s.starts_with("HEALTH_"))
    };
    if is_health(root) {
        return Some(root.clone());
    }
    root.get("health").filter(is_health)
}

fn read_health(health: &Node<'_>) -> Result<LiveHealth, LiveError> {
    let status = health.req_str("status", "HEALTH_OK, HEALTH_WARN or HEALTH_ERR")?;
    let mut checks = Vec::new();
    if let Some(all) = health.get("checks") {
        for (code, check) in all.entries()? {
            let message = match check.get("summary") {
                Some(summary) => summary.opt_str("message")?.unwrap_or_default(),
                None => "",
            };
            checks.push(if message.is_empty() {
                code.to_string()
            } else {
                format!("{code}: {message}")
            });
        }
    }
    Ok(LiveHealth {
        status: status.to_string(),
        ok: status == "HEALTH_OK",
        checks,
    })
}

fn build(exports: Exports, files: &[(&str, Value)]) -> Result<LiveCluster, LiveError> {
    let Some((tree, order)) = exports.tree else {
        return Err(LiveError {
            file: files.first().map_or("(no file)", |f| f.0).to_string(),
            at: "arguments".to_string(),
            message: "no `ceph osd tree -f json` export among the files".to_string(),
            help: "the OSD tree names the hosts; give it with the other exports".to_string(),
        });
    };
    let mut live = LiveCluster::new(Platform::Ceph);
    if let Some(health) = exports.health.as_ref().filter(|h| !h.ok) {
        let checks = if health.checks.is_empty() {
            String::new()
        } else {
            format!(": {}", health.checks.join("; "))
        };
        live.notes
            .push(format!("Ceph health at export time: {}{checks}", health.status));
    }
    live.health = exports.health;
    let mut parent = BTreeMap::new();
    for (id, bucket) in &tree {
        for child in &bucket.children {
            parent.insert(*child, *id);
        }
    }
    let ancestor = |mut id: i64, kind: &str| -> Option<String> {
        let mut steps = 0;
        while let Some(p) = parent.get(&id) {
            steps += 1;
            if steps > tree.len() {
                return None; // a cycle: no real tree has one
            }
            id = *p;
            match tree.get(&id) {
                Some(b) if b.kind == kind => return Some(b.name.clone()),
                _ => {}
            }
        }
        None
    };
    let (domain, max_down) = failure_domain(&exports.pools, &exports.rules, &mut live.notes);
    live.max_fault_domains_down = Some(max_down);
    let hosts = order
        .iter()
        .filter_map(|id| tree.get(id).map(|b| (id, b)))
        .filter(|(_, b)| b.kind == "host");
    for (id, bucket) in hosts {
        let osds: Vec<&Bucket> = bucket
            .children
            .iter()
            .filter_map(|c| tree.get(c))
            .filter(|c| c.kind == "osd")
            .collect();
        let all_down = !osds.is_empty() && osds.iter().all(|o| !o.up);
        let osd_ids: Vec<i64> = bucket
            .children
            .iter()
            .filter(|c| tree.get(c).is_some_and(|o| o.kind == "osd"))
            .copied()
            .collect();
        let version = exports
            .versions
            .as_ref()
            .and_then(|v| versions::host_version(&bucket.name, &osd_ids, v, &mut live.notes));
        let fault_domain = match domain.as_str() {
            "host" | "osd" => None,
            kind => ancestor(*id, kind),
        };
        if let Some(name) = &fault_domain
            && !live.fault_domains.iter().any(|f| &f.name == name)
        {
            let site = ancestor(*id, "datacenter").filter(|_| domain != "datacenter");
            if let Some(site) = &site
                && !live.sites.contains(site)
            {
                live.sites.push(site.clone());
            }
            live.fault_domains.push(LiveFaultDomain {
                name: name.clone(),
                site,
            });
        }
        let weight: f64 = osds.iter().map(|o| o.crush_weight).sum();
        live.hosts.push(LiveHost {
            name: bucket.name.clone(),
            version,
            state: if all_down {
                HostState::Down
            } else {
                HostState::Ready
            },
            state_reason: all_down.then(|| "every OSD on it is down".to_string()),
            cpu: Fact::inferred(1.0, PLACEHOLDER),
            memory_gib: Fact::inferred(1.0, PLACEHOLDER),
            storage_gib: (weight > 0.0).then(|| {
                Fact::inferred(
                    weight * 1024.0,
                    "the sum of its OSDs' CRUSH weights, in TiB by convention",
                )
            }),
            fault_domain,
        });
    }
    if let Some((monitors, quorum)) = exports.monitors {
        add_monitors(&mut live, &monitors, quorum.as_deref());
    }
    Ok(live)
}

/// The fault-domain bucket type and `max_fault_domains_down`.
fn failure_domain(
    pools: &Option<Vec<Pool>>,
    rules: &Option<BTreeMap<i64, String>>,
    notes: &mut Vec<String>,
) -> (String, Fact<u64>) {
    let (Some(pools), Some(rules)) = (pools, rules) else {
        return (
            "host".to_string(),
            Fact::inferred(
                1,
                "no pool and rule exports: Ceph's default pool (size 3, min_size 2, one copy \
                 per host)",
            ),
        );
    };
    let mut domains: Vec<&str> = Vec::new();
    let mut margin: Option<(u64, &str)> = None;
    for pool in pools {
        let Some(domain) = rules.get(&pool.rule) else {
            notes.push(format!(
                "pool {} uses CRUSH rule {} that the rule export lacks",
                pool.name, pool.rule
            ));
            continue;
        };
        if !domains.contains(&domain.as_str()) {
            domains.push(domain);
        }
        let spare = pool.size - pool.min_size;
        if margin.is_none_or(|(m, _)| spare < m) {
            margin = Some((spare, &pool.name));
        }
    }
    let Some((spare, pool)) = margin else {
        return (
            "host".to_string(),
            Fact::inferred(1, "no pool has a known rule; Ceph's default pool"),
        );
    };
    let reason = format!("the smallest size - min_size over the pools (pool {pool})");
    match domains.as_slice() {
        [one] => (one.to_string(), Fact::inferred(spare, reason)),
        _ => (
            "host".to_string(),
            Fact::inferred(
                spare,
                format!(
                    "{reason}; the pools' rules differ ({}), so each host counts on its own",
                    domains.join(", ")
                ),
            ),
        ),
    }
}

fn add_monitors(live: &mut LiveCluster, monitors: &[Monitor], quorum: Option<&[i64]>) {
    let mut members = Vec::new();
    for monitor in monitors {
        if !live.hosts.iter().any(|h| h.name == monitor.name) {
            live.hosts.push(LiveHost {
                name: monitor.name.clone(),
                version: None,
                state: HostState::Ready,
                state_reason: None,
                cpu: Fact::inferred(1.0, PLACEHOLDER),
                memory_gib: Fact::inferred(1.0, PLACEHOLDER),
                storage_gib: None,
                fault_domain: None,
            });
            live.notes.push(format!(
                "monitor {} runs on no OSD host of the tree; it is a host of its own (rename \
                 it if the monitor is named differently from its host)",
                monitor.name
            ));
        }
        members.push(LiveMember {
            name: monitor.name.clone(),
            up: quorum.is_none_or(|q| q.contains(&monitor.rank)),
            votes: 1,
        });
    }
    if (1..3).contains(&members.len()) {
        live.notes.push(format!(
            "{} monitor(s): with no spare vote, a quorum group would make every plan unsafe, \
             so none is written; upgrading a monitor host stops the cluster",
            members.len()
        ));
    } else if !members.is_empty() {
        live.quorum_groups.push(LiveQuorum {
            name: "ceph-mon".to_string(),
            members,
            inferred: Some(
                "the monitors of the monmap, on the hosts of the same name; majority quorum".to_string(),
            ),
        });
    }
}
