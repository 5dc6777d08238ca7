//! vSphere through govc: `govc host.info -json`, `govc vm.info -json -r` and
//! `govc cluster.rule.info -json`.
//!
//! govc encodes the managed objects it retrieved with Go's `encoding/json` and govmomi's
//! field tags (vmware/govmomi: `cli/host/info.go` prints `{"hostSystems": [mo.HostSystem]}`
//! with the `summary` property, `cli/vm/info.go` `{"virtualMachines": [mo.VirtualMachine]}`
//! with `summary`; the field names are those of `vim25/types/types.go`: `summary.config.name`,
//! `summary.hardware.numCpuCores` and `memorySize` (bytes), `summary.runtime.connectionState`
//! and `inMaintenanceMode`, `summary.config.product.version`; for VMs `summary.config.name`,
//! `numCpu`, `memorySizeMB`, `template`, `summary.runtime.host` (a reference to the host's
//! `self`) and `powerState`). `cluster.rule.info` prints its text lines as a JSON array of
//! strings: `Rule: NAME`, `  Type: ClusterAntiAffinityRuleSpec`, `  VM: NAME`, ...
//! (`cli/cluster/rule/info.go`); `cluster.rule.ls -l` names rules without their members, so
//! it is not enough.
//!
//! The mapping: hosts by `summary.config.name`, down unless connected, in maintenance when
//! in maintenance mode; powered-on VMs are workloads that migrate live (powered-off and
//! suspended VMs reserve nothing and are skipped, templates too); VM-VM anti-affinity rules
//! are anti-affinity groups of scope host. Not read: VM-Host rules (their groups need
//! `cluster.group.ls`), and the rules' enabled and mandatory flags, which govc does not print.

use serde_json::Value;

use crate::live::json::Node;
use crate::live::{Fact, LiveAntiAffinity, LiveCluster, LiveError, LiveHost, LiveWorkload, unrecognised};
use crate::model::{HostState, Migration, Platform, Scope};

const EXPECTED: &str = "the JSON of `govc host.info -json`, `govc vm.info -json -r` or \
    `govc cluster.rule.info -json`";
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A VM as either export describes it; RVTools names its host where govc gives an id.
pub(crate) struct Vm {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) host_ref: Option<String>,
    pub(crate) powered_on: bool,
    pub(crate) template: bool,
    pub(crate) cpu: f64,
    pub(crate) memory_mib: f64,
}

#[derive(Default)]
struct Exports {
    hosts: Option<Vec<(String, LiveHost)>>,
    vms: Vec<Vm>,
    rules: Vec<(String, String, Vec<String>)>,
}

/// Reads parsed govc exports.
pub fn read(files: &[(&str, Value)]) -> Result<LiveCluster, LiveError> {
    let mut exports = Exports::default();
    for (file, value) in files {
        let root = Node::root(file, value);
        if value.get("hostSystems").is_some() {
            let hosts = root.req("hostSystems", "the hosts")?.items()?;
            exports.hosts = Some(hosts.iter().map(host).collect::<Result<_, _>>()?);
        } else if value.get("virtualMachines").is_some() {
            for vm in root.req("virtualMachines", "the VMs")?.items()? {
                exports.vms.push(virtual_machine(&vm)?);
            }
        } else if value.as_array().is_some_and(|lines| {
            lines
                .iter()
                .any(|l| l.as_str().is_some_and(|s| s.starts_with("Rule: ")))
        }) {
            exports.rules = rules(&root)?;
        } else if !value.as_array().is_some_and(Vec::is_empty) {
            return Err(unrecognised(file, Platform::Vsphere, EXPECTED));
        }
    }
    build(exports, files)
}

fn number(node: &Node<'_>, key: &str, what: &str) -> Result<f64, LiveError> {
    let n = node.req(key, what)?;
    n.f64()
        .ok()
        .filter(|v| *v >= 0.0)
        .ok_or_else(|| n.error("a non-negative number"))
}

fn host(item: &Node<'_>) -> Result<(String, LiveHost), LiveError> {
    let self_ref = item
        .req("self", "the host's reference")?
        .req_str("value", "its id")?;
    let summary = item.req("summary", "the host summary (govc host.info -json)")?;
    let config = summary.req("config", "the host's configuration summary")?;
    let hardware = summary.req("hardware", "the host's hardware summary")?;
    let runtime = summary.req("runtime", "the host's runtime state")?;
    let connection = runtime.req_str("connectionState", "connected, disconnected or notResponding")?;
    let maintenance = match runtime.get("inMaintenanceMode") {
        Some(m) => m.bool()?,
        None => false,
    };
    let (state, reason) = if connection != "connected" {
        (HostState::Down, Some(connection.to_string()))
    } else if maintenance {
        (HostState::Maintenance, Some("in maintenance mode".to_string()))
    } else {
        (HostState::Ready, None)
    };
    let version = match config.get("product") {
        Some(product) => product.opt_str("version")?.map(str::to_string),
        None => None,
    };
    Ok((
        self_ref.to_string(),
        LiveHost {
            name: config.req_str("name", "the host name")?.to_string(),
            version,
            state,
            state_reason: reason,
            cpu: Fact::read(number(&hardware, "numCpuCores", "physical cores")?),
            memory_gib: Fact::read(number(&hardware, "memorySize", "memory in bytes")? / GIB),
            storage_gib: None,
            fault_domain: None,
        },
    ))
}

fn virtual_machine(item: &Node<'_>) -> Result<Vm, LiveError> {
    let summary = item.req("summary", "the VM summary (govc vm.info -json)")?;
    let config = summary.req("config", "the VM's configuration summary")?;
    let runtime = summary.req("runtime", "the VM's runtime state")?;
    let host_ref = match runtime.get("host") {
        Some(host) => Some(host.req_str("value", "the host's id")?.to_string()),
        None => None,
    };
    let optional = |key: &str| -> Result<f64, LiveError> {
        match config.get(key) {
            Some(n) => n
                .f64()
                .ok()
                .filter(|v| *v >= 0.0)
                .ok_or_else(|| n.error("a non-negative number")),
            None => Ok(0.0),
        }
    };
    let id = match item.get("self") {
        Some(r) => r.opt_str("value")?.map(str::to_string),
        None => None,
    };
    Ok(Vm {
        id,
        name: config.req_str("name", "the VM name")?.to_string(),
        host_ref,
        powered_on: runtime.opt_str("powerState")? == Some("poweredOn"),
        template: match config.get("template") {
            Some(t) => t.bool()?,
            None => false,
        },
        cpu: optional("numCpu")?,
        memory_mib: optional("memorySizeMB")?,
    })
}

/// `(name, type, members)` of each rule in `cluster.rule.info`'s lines.
fn rules(root: &Node<'_>) -> Result<Vec<(String, String, Vec<String>)>, LiveError> {
    let mut rules: Vec<(String, String, Vec<String>)> = Vec::new();
    for line in root.items()? {
        let text = line.str()?;
        if let Some(name) = text.strip_prefix("Rule: ") {
            rules.push((name.to_string(), String::new(), Vec::new()));
            continue;
        }
        let Some(rule) = rules.last_mut() else {
            return Err(line.error("a line \"Rule: NAME\" first"));
        };
        if let Some(kind) = text.strip_prefix("  Type: ") {
            rule.1 = kind.to_string();
        } else if let Some(vm) = text.strip_prefix("  VM: ") {
            rule.2.push(vm.to_string());
        }
    }
    Ok(rules)
}

fn build(exports: Exports, files: &[(&str, Value)]) -> Result<LiveCluster, LiveError> {
    let Some(hosts) = exports.hosts else {
        return Err(LiveError {
            file: files.first().map_or("(no file)", |f| f.0).to_string(),
            at: "arguments".to_string(),
            message: "no `govc host.info -json` export among the files".to_string(),
            help: "run `govc host.info -json '/DC/host/CLUSTER/*'` and give it with the others".to_string(),
        });
    };
    let mut live = place(hosts, &exports.vms);
    anti_affinity(&mut live, exports.rules);
    Ok(live)
}

/// The hosts (keyed by the reference VMs name them with) and the VMs running on them:
/// powered-off and suspended VMs and templates are left out, VMs of one name told apart by
/// their ids.
pub(crate) fn place(hosts: Vec<(String, LiveHost)>, vms: &[Vm]) -> LiveCluster {
    let mut live = LiveCluster::new(Platform::Vsphere);
    let mut skipped = 0;
    let mut elsewhere = 0;
    for vm in vms {
        let host = vm
            .host_ref
            .as_ref()
            .and_then(|r| hosts.iter().find(|(id, _)| id == r));
        let Some((_, host)) = host else {
            elsewhere += 1;
            continue;
        };
        if vm.template || !vm.powered_on {
            skipped += usize::from(!vm.template);
            continue;
        }
        // VMs in different folders may share a name; their ids tell them apart.
        let duplicate = vms.iter().filter(|v| v.name == vm.name).count() > 1;
        let name = match (&vm.id, duplicate) {
            (Some(id), true) => format!("{}-{id}", vm.name),
            _ => vm.name.clone(),
        };
        live.workloads.push(LiveWorkload {
            name,
            host: host.name.clone(),
            cpu: vm.cpu,
            memory_gib: vm.memory_mib / 1024.0,
            storage_gib: None,
            migration: Fact::read(Migration::Live),
        });
    }
    if skipped > 0 {
        live.notes.push(format!(
            "{skipped} powered-off or suspended VM(s) reserve nothing and are left out"
        ));
    }
    if elsewhere > 0 {
        live.notes.push(format!(
            "{elsewhere} VM(s) run on hosts the host export does not list and are left out"
        ));
    }
    live.hosts = hosts.into_iter().map(|(_, h)| h).collect();
    live
}

fn anti_affinity(live: &mut LiveCluster, rules: Vec<(String, String, Vec<String>)>) {
    for (name, kind, members) in rules {
        if kind != "ClusterAntiAffinityRuleSpec" {
            continue;
        }
        let mut present: Vec<String> = Vec::new();
        for member in members {
            if live.workloads.iter().any(|w| w.name == member) && !present.contains(&member) {
                present.push(member);
            }
        }
        if present.len() < 2 {
            continue;
        }
        let mandatory = if live.placement_breaks(&present, Scope::Host) {
            Fact::inferred(
                false,
                "two members already share a host; kept as a \"should\" rule",
            )
        } else {
            Fact::inferred(
                true,
                "DRS keeps VM-VM anti-affinity when it evacuates a host; govc does not print \
                 whether the rule is enabled",
            )
        };
        live.anti_affinity.push(LiveAntiAffinity {
            name,
            workloads: present,
            scope: Scope::Host,
            mandatory,
        });
    }
}
