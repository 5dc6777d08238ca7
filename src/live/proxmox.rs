//! Proxmox VE: `pvesh get /cluster/resources --output-format json` and
//! `pvesh get /cluster/status --output-format json`, optionally
//! `pvesh get /cluster/ha/resources --output-format json` and the HA placement rules:
//! `pvesh get /cluster/ha/groups --output-format json` (PVE 8 and earlier) or
//! `pvesh get /cluster/ha/rules --output-format json` (PVE 9, which replaced groups by rules).
//!
//! The fields are those the API declares (pve-manager `PVE/API2/Cluster.pm`, methods
//! `resources` and `get_status`): resources have `id`, `type` (`node`, `qemu`, `lxc`,
//! `storage`, ...), `node`, `name`, `status`, `maxcpu`, `maxmem` (bytes), `vmid`, `template`,
//! and `hastate` (the HA service state of a managed guest, or the HA node status: `online`,
//! `maintenance`, ...); the status has one `cluster` entry (`name`, `quorate`) and one `node`
//! entry per member (`name`, `nodeid`, `online`). The HA resources (pve-ha-manager
//! `PVE/API2/HA/Resources.pm`) have `sid` (`vm:100`, `ct:101`) and, before PVE 9 migrated
//! groups to rules, `group`; groups and rules are read by the `ha` submodule, which cites
//! their sources. Each file is recognised by its content: `quorum_votes` (the corosync node
//! list), `nodeid` or a `cluster` entry
//! (status), `sid` (HA resources), `rule` (HA rules), `group` (HA groups), resource types
//! (resources).
//!
//! The mapping: nodes are hosts (`maxcpu`, `maxmem`); a node the HA manager has in
//! `maintenance` is in maintenance, an offline one is down; the nodes form the `corosync`
//! majority quorum group, each with its corosync `quorum_votes` from
//! `pvesh get /cluster/config/nodes --output-format json` (pve-cluster
//! `PVE/API2/ClusterConfig.pm`, method `nodes`: corosync.conf's node blocks, values as
//! strings; recognised by `quorum_votes`), one vote each without that export. Guests are workloads sized by `maxcpu` and `maxmem`:
//! `qemu` guests migrate `live`, `lxc` containers `restart`; templates are skipped, and so are
//! guests that are neither running nor HA-managed (a guest an HA rule names is HA-managed).
//! Restricted HA groups and strict node-affinity rules give their guests `allowed_hosts`;
//! negative resource-affinity rules are anti-affinity groups of scope host (see the `ha`
//! submodule).

mod ha;

use serde_json::Value;

use crate::live::json::Node;
use crate::live::{
    Fact, LiveCluster, LiveError, LiveHost, LiveMember, LiveQuorum, LiveWorkload, unrecognised,
};
use crate::model::{HostState, Migration, Platform};

const EXPECTED: &str = "the JSON of `pvesh get /cluster/resources --output-format json`, \
    `pvesh get /cluster/status --output-format json`, \
    `pvesh get /cluster/ha/resources --output-format json`, \
    `pvesh get /cluster/ha/groups --output-format json` (PVE 8) or \
    `pvesh get /cluster/ha/rules --output-format json` (PVE 9)";
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

struct Guest {
    vmid: u64,
    name: String,
    node: String,
    kind: String,
    running: bool,
    ha: bool,
    cpu: f64,
    memory: f64,
}

struct PveNode {
    name: String,
    online: bool,
    maintenance: bool,
    cpu: Option<f64>,
    memory: Option<f64>,
}

#[derive(Default)]
struct Exports {
    nodes: Option<Vec<PveNode>>,
    guests: Vec<Guest>,
    members: Option<Vec<(String, bool)>>,
    cluster_name: Option<String>,
    ha_vmids: Vec<u64>,
    ha: ha::HaConfig,
    /// Each node's corosync votes, from `/cluster/config/nodes`.
    votes: Option<Vec<(String, u64)>>,
}

fn kind_of(value: &Value) -> Option<&'static str> {
    let items = value.as_array()?;
    let has = |key: &str| items.iter().any(|i| i.get(key).is_some());
    let typed = |t: &str| {
        items
            .iter()
            .any(|i| i.get("type").and_then(Value::as_str) == Some(t))
    };
    if has("quorum_votes") {
        Some("corosync")
    } else if typed("cluster") || has("nodeid") {
        Some("status")
    } else if has("sid") {
        Some("ha")
    } else if has("rule") {
        Some("rules")
    } else if has("group") || typed("group") {
        Some("groups")
    } else if typed("node") || typed("qemu") || typed("lxc") || typed("storage") {
        Some("resources")
    } else {
        None
    }
}

/// A number the API may print as a JSON number or as a string of digits.
fn number(node: &Node<'_>) -> Result<f64, LiveError> {
    match node.value() {
        Value::String(s) => s
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| node.error("a number")),
        _ => node.f64().and_then(|v| {
            if v >= 0.0 {
                Ok(v)
            } else {
                Err(node.error("a non-negative number"))
            }
        }),
    }
}

/// A boolean the API prints as `0`/`1` or `true`/`false`.
fn flag(node: Option<Node<'_>>) -> Result<bool, LiveError> {
    match node {
        None => Ok(false),
        Some(n) => match n.value() {
            Value::Bool(b) => Ok(*b),
            Value::Number(_) => Ok(n.u64()? != 0),
            _ => Err(n.error("0, 1, true or false")),
        },
    }
}

/// Reads parsed Proxmox VE exports.
pub fn read(files: &[(&str, Value)]) -> Result<LiveCluster, LiveError> {
    let mut exports = Exports::default();
    for (file, value) in files {
        let root = Node::root(file, value);
        match kind_of(value) {
            Some("status") => read_status(&root, &mut exports)?,
            Some("corosync") => exports.votes = Some(read_votes(&root)?),
            Some("ha") => {
                for item in root.items()? {
                    let sid = item.req("sid", "the HA service id")?;
                    let text = sid.str()?;
                    let vmid = ha::vmid(&sid, text)?;
                    exports.ha_vmids.push(vmid);
                    if let Some(group) = item.opt_str("group")? {
                        exports
                            .ha
                            .members
                            .push((text.to_string(), vmid, group.to_string()));
                    }
                }
            }
            Some("groups") => exports.ha.groups = Some(ha::groups(&root)?),
            Some("rules") => exports.ha.rules.extend(ha::rules(&root)?),
            Some("resources") => read_resources(&root, &mut exports)?,
            _ if value.as_array().is_some_and(Vec::is_empty) => {}
            _ => return Err(unrecognised(file, Platform::Proxmox, EXPECTED)),
        }
    }
    build(exports, files)
}

fn read_status(root: &Node<'_>, exports: &mut Exports) -> Result<(), LiveError> {
    let mut members = Vec::new();
    for item in root.items()? {
        match item.req_str("type", "cluster or node")? {
            // A name a description cannot hold is no name: the importer then says so.
            "cluster" => {
                exports.cluster_name = item
                    .opt_str("name")?
                    .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
                    .map(str::to_string);
            }
            "node" => members.push((
                item.req_str("name", "the node name")?.to_string(),
                flag(item.get("online"))?,
            )),
            _ => {}
        }
    }
    exports.members = Some(members);
    Ok(())
}

/// The corosync node list: `node` (or `name`) and `quorum_votes`, which corosync.conf stores
/// as text, so `pvesh` prints it as a string of digits.
fn read_votes(root: &Node<'_>) -> Result<Vec<(String, u64)>, LiveError> {
    let mut votes = Vec::new();
    for item in root.items()? {
        let name = match item.opt_str("node")? {
            Some(name) => name,
            None => item.req_str("name", "the node name")?,
        };
        let count = item.req("quorum_votes", "the node's corosync votes")?;
        let value = number(&count)?;
        if value.fract() != 0.0 || value > f64::from(u32::MAX) {
            return Err(count.error("a whole number of votes"));
        }
        votes.push((name.to_string(), value as u64));
    }
    Ok(votes)
}

fn read_resources(root: &Node<'_>, exports: &mut Exports) -> Result<(), LiveError> {
    let mut nodes = Vec::new();
    for item in root.items()? {
        let kind = item.req_str("type", "the resource type")?;
        match kind {
            "node" => nodes.push(PveNode {
                name: item.req_str("node", "the node name")?.to_string(),
                online: item.opt_str("status")? == Some("online"),
                maintenance: item.opt_str("hastate")? == Some("maintenance"),
                cpu: item.get("maxcpu").map(|n| number(&n)).transpose()?,
                memory: item.get("maxmem").map(|n| number(&n)).transpose()?,
            }),
            "qemu" | "lxc" => {
                if flag(item.get("template"))? {
                    continue;
                }
                let vmid = item.req("vmid", "the guest id")?.u64()?;
                exports.guests.push(Guest {
                    vmid,
                    name: item
                        .opt_str("name")?
                        .map_or_else(|| vmid.to_string(), str::to_string),
                    node: item.req_str("node", "the node it runs on")?.to_string(),
                    kind: kind.to_string(),
                    running: item.opt_str("status")? == Some("running"),
                    ha: item.get("hastate").is_some(),
                    cpu: item.get("maxcpu").map_or(Ok(0.0), |n| number(&n))?,
                    memory: item.get("maxmem").map_or(Ok(0.0), |n| number(&n))?,
                });
            }
            _ => {}
        }
    }
    exports.nodes = Some(nodes);
    Ok(())
}

/// A node's corosync votes: as the node list says, 1 when it has no entry (corosync's
/// default) or when no node list was given.
fn votes_of(votes: Option<&[(String, u64)]>, node: &str) -> u64 {
    votes
        .and_then(|v| v.iter().find(|(n, _)| n == node))
        .map_or(1, |(_, count)| *count)
}

fn build(exports: Exports, files: &[(&str, Value)]) -> Result<LiveCluster, LiveError> {
    let Some(nodes) = exports.nodes else {
        return Err(LiveError {
            file: files.first().map_or("(no file)", |f| f.0).to_string(),
            at: "arguments".to_string(),
            message: "no `pvesh get /cluster/resources` export among the files".to_string(),
            help: "the resources name the nodes and guests; give them with the other exports".to_string(),
        });
    };
    let mut live = LiveCluster::new(Platform::Proxmox);
    live.name = exports.cluster_name;
    let managed: Vec<u64> = exports.ha.managed().collect();
    for node in &nodes {
        let online = exports
            .members
            .as_ref()
            .and_then(|m| m.iter().find(|(n, _)| n == &node.name))
            .map_or(node.online, |(_, online)| *online);
        let (state, reason) = if !online {
            (HostState::Down, Some("offline".to_string()))
        } else if node.maintenance {
            (HostState::Maintenance, Some("HA maintenance mode".to_string()))
        } else {
            (HostState::Ready, None)
        };
        let unknown = "the export has no size for an offline node; fill it in";
        live.hosts.push(LiveHost {
            name: node.name.clone(),
            version: None,
            state,
            state_reason: reason,
            cpu: node.cpu.map_or_else(|| Fact::inferred(1.0, unknown), Fact::read),
            memory_gib: node
                .memory
                .map_or_else(|| Fact::inferred(1.0, unknown), |m| Fact::read(m / GIB)),
            storage_gib: None,
            fault_domain: None,
        });
    }
    let mut imported = Vec::new();
    for guest in &exports.guests {
        let ha = guest.ha || exports.ha_vmids.contains(&guest.vmid) || managed.contains(&guest.vmid);
        if !(guest.running || ha) || !live.hosts.iter().any(|h| h.name == guest.node) {
            continue;
        }
        let duplicate = exports.guests.iter().filter(|g| g.name == guest.name).count() > 1;
        imported.push((guest.vmid, live.workloads.len()));
        live.workloads.push(LiveWorkload {
            name: if duplicate {
                format!("{}-{}", guest.name, guest.vmid)
            } else {
                guest.name.clone()
            },
            host: guest.node.clone(),
            cpu: guest.cpu,
            memory_gib: guest.memory / GIB,
            storage_gib: None,
            migration: Fact::read(if guest.kind == "qemu" {
                Migration::Live
            } else {
                Migration::Restart
            }),
            allowed_hosts: Vec::new(),
        });
    }
    ha::apply(&mut live, &imported, exports.ha);
    let members: Vec<LiveMember> = live
        .hosts
        .iter()
        .map(|h| LiveMember {
            name: h.name.clone(),
            up: h.state != HostState::Down,
            votes: votes_of(exports.votes.as_deref(), &h.name),
        })
        .collect();
    let total: u64 = members.iter().map(|m| m.votes).sum();
    if members.len() >= 3 && total >= 3 {
        live.quorum_groups.push(LiveQuorum {
            name: "corosync".to_string(),
            members,
            inferred: Some(if exports.votes.is_some() {
                "the cluster's nodes with their corosync votes (`/cluster/config/nodes`); majority"
                    .to_string()
            } else {
                "the cluster's nodes, one vote each (no `/cluster/config/nodes` export gave their \
                 votes); majority"
                    .to_string()
            }),
        });
    } else if members.len() >= 3 {
        live.notes.push(format!(
            "the nodes have {total} corosync vote(s) in all: too few for a quorum group, so none \
             is written"
        ));
    } else {
        live.notes.push(format!(
            "{} node(s): with no spare vote, a corosync quorum group would make every plan \
             unsafe, so none is written (a QDevice adds the vote a two-node cluster needs)",
            members.len()
        ));
    }
    Ok(live)
}
