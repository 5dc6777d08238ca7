//! OpenStack: `openstack hypervisor list --long -f json`,
//! `openstack server list --all-projects --long -f json`, `openstack flavor list --all -f json`,
//! `openstack server group list --all-projects --long -f json`, and optionally
//! `openstack compute service list -f json`.
//!
//! The client prints each command's columns as the keys of one object per row; the column
//! names are those of python-openstackclient (`openstackclient/compute/v2/hypervisor.py`,
//! `server.py`, `flavor.py`, `server_group.py`, `service.py`). Two of them depend on the
//! compute API microversion: the hypervisor list has `vCPUs` and `Memory MB` only below 2.88,
//! and the server list has `Flavor` (a name) from 2.47 on, `Flavor Name` and `Flavor ID`
//! before; server groups have `Policy` from 2.64 on, `Policies` (a list) before.
//!
//! The mapping: hypervisors are hosts (`State` `down` is down; a `nova-compute` service with
//! `Status` `disabled` puts its host in maintenance, and its `Zone` is the fault domain);
//! servers with a `Host` are workloads sized by their flavor (`VCPUs`, `RAM` in MiB), `ACTIVE`
//! ones migrate live and the others (shut off, paused, in error) restart elsewhere;
//! `anti-affinity` server groups are anti-affinity groups of scope host, `soft-anti-affinity`
//! ones "should" rules.

use serde_json::Value;

use crate::live::json::Node;
use crate::live::{
    Fact, LiveAntiAffinity, LiveCluster, LiveError, LiveFaultDomain, LiveHost, LiveWorkload, unrecognised,
};
use crate::model::{HostState, Migration, Platform, Scope};

const EXPECTED: &str = "the JSON of `openstack hypervisor list --long -f json`, \
    `openstack server list --all-projects --long -f json`, `openstack flavor list --all -f json`, \
    `openstack server group list --all-projects --long -f json` or \
    `openstack compute service list -f json`";

struct Hypervisor {
    name: String,
    up: bool,
    cpu: Option<f64>,
    memory_mib: Option<f64>,
}

struct Server {
    id: String,
    name: String,
    status: String,
    host: Option<String>,
    flavor: Option<String>,
}

struct Flavor {
    id: String,
    name: String,
    vcpus: f64,
    ram_mib: f64,
}

struct ServerGroup {
    name: String,
    policy: String,
    members: Vec<String>,
}

struct Service {
    host: String,
    zone: Option<String>,
    disabled: bool,
}

#[derive(Default)]
struct Exports {
    hypervisors: Option<Vec<Hypervisor>>,
    servers: Vec<Server>,
    flavors: Vec<Flavor>,
    groups: Vec<ServerGroup>,
    services: Vec<Service>,
}

/// Reads parsed OpenStack exports.
pub fn read(files: &[(&str, Value)]) -> Result<LiveCluster, LiveError> {
    let mut exports = Exports::default();
    for (file, value) in files {
        let root = Node::root(file, value);
        let Some(rows) = value.as_array() else {
            return Err(unrecognised(file, Platform::Openstack, EXPECTED));
        };
        let has = |key: &str| rows.iter().any(|r| r.get(key).is_some());
        if rows.is_empty() {
            continue;
        } else if has("Hypervisor Hostname") {
            let list = root.items()?.iter().map(hypervisor).collect::<Result<_, _>>()?;
            exports.hypervisors = Some(list);
        } else if has("Networks") || has("Power State") {
            for row in root.items()? {
                exports.servers.push(server(&row)?);
            }
        } else if has("VCPUs") && has("RAM") {
            for row in root.items()? {
                exports.flavors.push(flavor(&row)?);
            }
        } else if has("Members") || has("Policy") || has("Policies") {
            for row in root.items()? {
                exports.groups.push(server_group(&row)?);
            }
        } else if has("Binary") {
            for row in root.items()? {
                if row.req_str("Binary", "the service binary")? == "nova-compute" {
                    exports.services.push(Service {
                        host: row.req_str("Host", "the service host")?.to_string(),
                        zone: row.opt_str("Zone")?.map(str::to_string),
                        disabled: row.opt_str("Status")? == Some("disabled"),
                    });
                }
            }
        } else {
            return Err(unrecognised(file, Platform::Openstack, EXPECTED));
        }
    }
    build(exports, files)
}

fn number(row: &Node<'_>, key: &str) -> Result<Option<f64>, LiveError> {
    row.get(key)
        .map(|n| {
            n.f64()
                .ok()
                .filter(|v| *v >= 0.0)
                .ok_or_else(|| n.error("a non-negative number"))
        })
        .transpose()
}

fn hypervisor(row: &Node<'_>) -> Result<Hypervisor, LiveError> {
    Ok(Hypervisor {
        name: row
            .req_str("Hypervisor Hostname", "the hypervisor's host name")?
            .to_string(),
        up: row.opt_str("State")? != Some("down"),
        cpu: number(row, "vCPUs")?,
        memory_mib: number(row, "Memory MB")?,
    })
}

fn server(row: &Node<'_>) -> Result<Server, LiveError> {
    let flavor = match row.get("Flavor ID") {
        Some(id) => Some(id.str()?.to_string()),
        None => match row.get("Flavor").or_else(|| row.get("Flavor Name")) {
            Some(name) => Some(name.str()?.to_string()),
            None => None,
        },
    };
    Ok(Server {
        id: row.req_str("ID", "the server id")?.to_string(),
        name: row.req_str("Name", "the server name")?.to_string(),
        status: row.opt_str("Status")?.unwrap_or("ACTIVE").to_string(),
        host: row.opt_str("Host")?.filter(|h| !h.is_empty()).map(str::to_string),
        flavor,
    })
}

fn flavor(row: &Node<'_>) -> Result<Flavor, LiveError> {
    let required = |key: &str, what: &str| -> Result<f64, LiveError> {
        let node = row.req(key, what)?;
        node.f64()
            .ok()
            .filter(|v| *v >= 0.0)
            .ok_or_else(|| node.error("a non-negative number"))
    };
    Ok(Flavor {
        id: row.req_str("ID", "the flavor id")?.to_string(),
        name: row.req_str("Name", "the flavor name")?.to_string(),
        vcpus: required("VCPUs", "the flavor's vCPUs")?,
        ram_mib: required("RAM", "the flavor's memory in MiB")?,
    })
}

/// A list column: a JSON array (`-f json`), or the comma-separated text of the table form.
fn list(node: &Node<'_>) -> Result<Vec<String>, LiveError> {
    match node.value() {
        Value::String(s) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()),
        _ => node
            .items()?
            .iter()
            .map(|i| i.str().map(str::to_string))
            .collect(),
    }
}

fn server_group(row: &Node<'_>) -> Result<ServerGroup, LiveError> {
    let policy = match row.get("Policy") {
        Some(p) => p.str()?.to_string(),
        None => match row.get("Policies") {
            Some(p) => list(&p)?.into_iter().next().unwrap_or_default(),
            None => String::new(),
        },
    };
    Ok(ServerGroup {
        name: row.req_str("Name", "the group name")?.to_string(),
        policy,
        members: match row.get("Members") {
            Some(m) => list(&m)?,
            None => Vec::new(),
        },
    })
}

fn build(exports: Exports, files: &[(&str, Value)]) -> Result<LiveCluster, LiveError> {
    let Some(hypervisors) = exports.hypervisors else {
        return Err(LiveError {
            file: files.first().map_or("(no file)", |f| f.0).to_string(),
            at: "arguments".to_string(),
            message: "no `openstack hypervisor list --long -f json` export among the files".to_string(),
            help: "the hypervisors are the hosts; give them with the other exports".to_string(),
        });
    };
    let mut live = LiveCluster::new(Platform::Openstack);
    let unknown = "the hypervisor list has no capacity from compute API 2.88 on; run it with \
                   --os-compute-api-version 2.87, or fill this in";
    for hv in &hypervisors {
        let service = exports
            .services
            .iter()
            .find(|s| hv.name == s.host || hv.name.strip_prefix(&s.host).is_some_and(|r| r.starts_with('.')));
        let zone = service.and_then(|s| s.zone.clone());
        if let Some(zone) = &zone
            && !live.fault_domains.iter().any(|f| &f.name == zone)
        {
            live.fault_domains.push(LiveFaultDomain {
                name: zone.clone(),
                site: None,
            });
        }
        let (state, reason) = if !hv.up {
            (HostState::Down, Some("hypervisor state down".to_string()))
        } else if service.is_some_and(|s| s.disabled) {
            (HostState::Maintenance, Some("nova-compute disabled".to_string()))
        } else {
            (HostState::Ready, None)
        };
        live.hosts.push(LiveHost {
            name: hv.name.clone(),
            version: None,
            state,
            state_reason: reason,
            cpu: hv.cpu.map_or_else(|| Fact::inferred(1.0, unknown), Fact::read),
            memory_gib: hv
                .memory_mib
                .map_or_else(|| Fact::inferred(1.0, unknown), |m| Fact::read(m / 1024.0)),
            storage_gib: None,
            fault_domain: zone,
        });
    }
    let mut unsized_servers = Vec::new();
    let mut ids = Vec::new();
    for server in &exports.servers {
        let Some(host) = &server.host else {
            continue;
        };
        if !live.hosts.iter().any(|h| &h.name == host) {
            continue;
        }
        let flavor = server.flavor.as_ref().and_then(|f| {
            exports
                .flavors
                .iter()
                .find(|fl| &fl.id == f)
                .or_else(|| exports.flavors.iter().find(|fl| &fl.name == f))
        });
        if flavor.is_none() {
            unsized_servers.push(server.name.clone());
        }
        let duplicate = exports.servers.iter().filter(|s| s.name == server.name).count() > 1;
        let name = if duplicate {
            format!(
                "{}-{}",
                server.name,
                server.id.chars().take(8).collect::<String>()
            )
        } else {
            server.name.clone()
        };
        ids.push((server.id.clone(), name.clone()));
        live.workloads.push(LiveWorkload {
            name,
            host: host.clone(),
            cpu: flavor.map_or(0.0, |f| f.vcpus),
            memory_gib: flavor.map_or(0.0, |f| f.ram_mib / 1024.0),
            storage_gib: None,
            migration: if server.status == "ACTIVE" {
                Fact::read(Migration::Live)
            } else {
                Fact::inferred(
                    Migration::Restart,
                    format!("{}: moved by a cold migration", server.status),
                )
            },
            allowed_hosts: Vec::new(),
        });
    }
    if !unsized_servers.is_empty() {
        live.notes.push(format!(
            "no flavor export sizes these servers, so they count as 0 vCPUs and 0 GiB: {}",
            unsized_servers.join(", ")
        ));
    }
    for group in &exports.groups {
        let mandatory = match group.policy.as_str() {
            "anti-affinity" => Fact::read(true),
            "soft-anti-affinity" => Fact::read(false),
            _ => continue,
        };
        let mut members: Vec<String> = Vec::new();
        for id in &group.members {
            if let Some((_, name)) = ids.iter().find(|(i, _)| i == id)
                && !members.contains(name)
            {
                members.push(name.clone());
            }
        }
        if members.len() < 2 {
            continue;
        }
        let mandatory = if mandatory.value && live.placement_breaks(&members, Scope::Host) {
            Fact::inferred(
                false,
                "two members already share a hypervisor; kept as a \"should\" rule",
            )
        } else {
            mandatory
        };
        live.anti_affinity.push(LiveAntiAffinity {
            name: group.name.clone(),
            workloads: members,
            scope: Scope::Host,
            mandatory,
        });
    }
    Ok(live)
}
