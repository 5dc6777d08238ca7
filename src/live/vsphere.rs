//! vSphere through govc: `govc host.info -json`, `govc vm.info -json -r`,
//! `govc cluster.rule.info -json` and `govc cluster.group.ls -l -json`.
//!
//! govc encodes the managed objects it retrieved with Go's `encoding/json` and govmomi's
//! field tags (vmware/govmomi: `cli/host/info.go` prints `{"hostSystems": [mo.HostSystem]}`
//! with the `summary` property, `cli/vm/info.go` `{"virtualMachines": [mo.VirtualMachine]}`
//! with `summary`; the field names are those of `vim25/types/types.go`: `summary.config.name`,
//! `summary.hardware.numCpuCores` and `memorySize` (bytes), `summary.runtime.connectionState`
//! and `inMaintenanceMode`, `summary.config.product.version`; for VMs `summary.config.name`,
//! `numCpu`, `memorySizeMB`, `template`, `summary.runtime.host` (a reference to the host's
//! `self`) and `powerState`). `cluster.rule.info` prints its text lines as a JSON array of
//! strings: `Rule: NAME`, `  Type: ClusterAntiAffinityRuleSpec`, `  VM: NAME`, ..., and for
//! a VM-Host rule `  vmGroupName: G`, `  affineHostGroupName H`, `  antiAffineHostGroupName H`
//! (`cli/cluster/rule/info.go`); `cluster.rule.ls -l` names rules without their members, so
//! it is not enough. `cluster.group.ls -l -json` encodes the cluster's `ClusterVmGroup` and
//! `ClusterHostGroup` objects (`cli/cluster/group/ls.go`): `name`, and `vm` or `host`, lists
//! of references to the VMs' and hosts' `self`.
//!
//! The mapping: hosts by `summary.config.name`, down unless connected, in maintenance when
//! in maintenance mode; powered-on VMs are workloads that migrate live (powered-off and
//! suspended VMs reserve nothing and are skipped, templates too); VM-VM anti-affinity rules
//! are anti-affinity groups of scope host. A VM-Host rule gives the VMs of its VM group
//! `allowed_hosts`: the hosts of its affine host group, or all hosts but those of its
//! anti-affine one. govc prints neither a rule's `enabled` nor its `mandatory` flag, so every
//! VM-Host rule is taken as a "must" and a note at the top of the description says so (an
//! operator deletes the `allowed_hosts` of "should" rules, which are preferences, not
//! constraints); a VM already running outside its rule's hosts shows the rule is not a
//! "must", and gets no `allowed_hosts`. Without the group export, VM-Host rules are named in
//! a note and not read.

mod drs;

use serde_json::Value;

use crate::live::json::Node;
use crate::live::{Fact, LiveCluster, LiveError, LiveHost, LiveWorkload, unrecognised};
use crate::model::{HostState, Migration, Platform};

use drs::{Group, Rule, anti_affinity, groups, rules, vm_host_rules};

const EXPECTED: &str = "the JSON of `govc host.info -json`, `govc vm.info -json -r`, \
    `govc cluster.rule.info -json` or `govc cluster.group.ls -l -json`";
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
    /// The names of the hosts a VM-Host rule lets it run on; `None` when no rule does.
    pub(crate) allowed_hosts: Option<Vec<String>>,
}

#[derive(Default)]
struct Exports {
    hosts: Option<Vec<(String, LiveHost)>>,
    vms: Vec<Vm>,
    rules: Vec<Rule>,
    /// The group export's file name and its groups.
    groups: Option<(String, Vec<Group>)>,
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
        } else if value
            .as_array()
            .and_then(|items| items.first())
            .is_some_and(|first| first.get("name").is_some())
        {
            exports.groups = Some((file.to_string(), groups(&root)?));
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
        allowed_hosts: None,
    })
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
    let mut vms = exports.vms;
    let applied = vm_host_rules(&exports.rules, exports.groups.as_ref(), &hosts, &mut vms)?;
    let mut live = place(hosts, &vms);
    let unread: Vec<&str> = exports
        .rules
        .iter()
        .filter(|r| r.kind == "ClusterVmHostRuleInfo" && exports.groups.is_none())
        .map(|r| r.name.as_str())
        .collect();
    if !unread.is_empty() {
        live.notes.push(format!(
            "VM-Host rule(s) {} not read: give `govc cluster.group.ls -cluster CLUSTER -l -json` \
             with the exports to turn them into allowed_hosts",
            unread.join(", ")
        ));
    }
    if !applied.is_empty() {
        live.notes.push(format!(
            "allowed_hosts come from the VM-Host rule(s) {}, each taken as a \"must\" rule: \
             govc does not print whether a rule is mandatory; delete allowed_hosts from the \
             VMs of a \"should\" rule",
            applied.join(", ")
        ));
    }
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
    let mut outside = Vec::new();
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
        // DRS never runs a VM outside a mandatory rule's hosts, so a VM that does is under a
        // "should" rule (or a rule just changed): the description must not pin it there.
        let allowed_hosts = match &vm.allowed_hosts {
            Some(allowed) if !allowed.contains(&host.name) => {
                outside.push(name.clone());
                Vec::new()
            }
            Some(allowed) => allowed.clone(),
            None => Vec::new(),
        };
        live.workloads.push(LiveWorkload {
            name,
            host: host.name.clone(),
            cpu: vm.cpu,
            memory_gib: vm.memory_mib / 1024.0,
            storage_gib: None,
            migration: Fact::read(Migration::Live),
            allowed_hosts,
        });
    }
    if !outside.is_empty() {
        live.notes.push(format!(
            "VM(s) {} run outside the hosts of their VM-Host rule, so the rule is not a \
             \"must\" and gives them no allowed_hosts",
            outside.join(", ")
        ));
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
