//! DRS rules and groups, as govc prints them, turned into the description's rules.
//!
//! `cluster.rule.info` lines become [`Rule`]s, `cluster.group.ls -l -json` objects
//! [`Group`]s; VM-VM anti-affinity rules become anti-affinity groups and VM-Host rules
//! `allowed_hosts` (see the parent module's doc for the mapping and its limits).

use crate::live::json::Node;
use crate::live::{Fact, LiveAntiAffinity, LiveCluster, LiveError, LiveHost};
use crate::model::Scope;

use super::Vm;

/// A DRS rule as `cluster.rule.info` prints it.
#[derive(Default)]
pub(super) struct Rule {
    pub(super) name: String,
    pub(super) kind: String,
    /// The members of a VM-VM rule.
    pub(super) vms: Vec<String>,
    /// The VM group and host groups of a VM-Host rule.
    pub(super) vm_group: String,
    pub(super) affine_hosts: String,
    pub(super) anti_affine_hosts: String,
}

/// A DRS group as `cluster.group.ls -l -json` prints it: members by reference.
pub(super) struct Group {
    pub(super) name: String,
    pub(super) vms: Vec<String>,
    pub(super) hosts: Vec<String>,
}

/// The rules in `cluster.rule.info`'s lines: `Rule: NAME`, `  Type: TYPE`, then `  VM: NAME`
/// per member of a VM-VM rule, or `  vmGroupName: G`, `  affineHostGroupName H` and
/// `  antiAffineHostGroupName H` (no colon; the value may be empty) for a VM-Host rule.
pub(super) fn rules(root: &Node<'_>) -> Result<Vec<Rule>, LiveError> {
    let mut rules: Vec<Rule> = Vec::new();
    for line in root.items()? {
        let text = line.str()?;
        if let Some(name) = text.strip_prefix("Rule: ") {
            rules.push(Rule {
                name: name.to_string(),
                ..Rule::default()
            });
            continue;
        }
        let Some(rule) = rules.last_mut() else {
            return Err(line.error("a line \"Rule: NAME\" first"));
        };
        let value = |prefix: &str| {
            text.strip_prefix(prefix)
                .map(|v| v.trim_start_matches(':').trim().to_string())
        };
        if let Some(kind) = value("  Type:") {
            rule.kind = kind;
        } else if let Some(vm) = text.strip_prefix("  VM: ") {
            rule.vms.push(vm.to_string());
        } else if let Some(group) = value("  vmGroupName") {
            rule.vm_group = group;
        } else if let Some(group) = value("  affineHostGroupName") {
            rule.affine_hosts = group;
        } else if let Some(group) = value("  antiAffineHostGroupName") {
            rule.anti_affine_hosts = group;
        }
    }
    Ok(rules)
}

/// The groups of `cluster.group.ls -l -json`: `ClusterVmGroup` and `ClusterHostGroup`
/// encoded without their type name, told apart by their `vm` or `host` references.
pub(super) fn groups(root: &Node<'_>) -> Result<Vec<Group>, LiveError> {
    let refs = |item: &Node<'_>, key: &str| -> Result<Vec<String>, LiveError> {
        item.items_of(key)?
            .iter()
            .map(|r| Ok(r.req_str("value", "the member's id")?.to_string()))
            .collect()
    };
    root.items()?
        .iter()
        .map(|item| {
            Ok(Group {
                name: item.req_str("name", "the group's name")?.to_string(),
                vms: refs(item, "vm")?,
                hosts: refs(item, "host")?,
            })
        })
        .collect()
}

/// Gives the VMs of each VM-Host rule's VM group the hosts the rule allows: those of its
/// affine host group, or all but those of its anti-affine host group. Returns the names of the
/// rules applied; without a group export, the rules are named in a note instead.
pub(super) fn vm_host_rules(
    rules: &[Rule],
    groups: Option<&(String, Vec<Group>)>,
    hosts: &[(String, LiveHost)],
    vms: &mut [Vm],
) -> Result<Vec<String>, LiveError> {
    let vm_host: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.kind == "ClusterVmHostRuleInfo")
        .collect();
    let Some((file, groups)) = groups else {
        return Ok(Vec::new());
    };
    if vm_host.is_empty() {
        return Ok(Vec::new());
    }
    let group = |name: &str, rule: &str| {
        groups.iter().find(|g| g.name == name).ok_or_else(|| LiveError {
            file: file.clone(),
            at: "$".to_string(),
            message: format!("no group \"{name}\", which VM-Host rule \"{rule}\" names"),
            help: "export the groups and the rules of the same cluster at the same time".to_string(),
        })
    };
    let mut applied = Vec::new();
    for rule in vm_host {
        let members = &group(&rule.vm_group, &rule.name)?.vms;
        let allowed: Vec<String> = if !rule.affine_hosts.is_empty() {
            let affine = &group(&rule.affine_hosts, &rule.name)?.hosts;
            hosts
                .iter()
                .filter(|(id, _)| affine.contains(id))
                .map(|(_, h)| h.name.clone())
                .collect()
        } else if !rule.anti_affine_hosts.is_empty() {
            let anti = &group(&rule.anti_affine_hosts, &rule.name)?.hosts;
            hosts
                .iter()
                .filter(|(id, _)| !anti.contains(id))
                .map(|(_, h)| h.name.clone())
                .collect()
        } else {
            continue;
        };
        for vm in vms.iter_mut() {
            if vm.id.as_ref().is_some_and(|id| members.contains(id)) {
                let both = match vm.allowed_hosts.take() {
                    Some(earlier) => earlier.into_iter().filter(|h| allowed.contains(h)).collect(),
                    None => allowed.clone(),
                };
                vm.allowed_hosts = Some(both);
            }
        }
        applied.push(rule.name.clone());
    }
    Ok(applied)
}

pub(super) fn anti_affinity(live: &mut LiveCluster, rules: Vec<Rule>) {
    for Rule {
        name,
        kind,
        vms: members,
        ..
    } in rules
    {
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
