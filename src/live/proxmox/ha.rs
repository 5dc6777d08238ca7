//! Proxmox VE HA groups (PVE 8 and earlier) and HA rules (PVE 9), as `pvesh` prints them,
//! turned into the description's rules.
//!
//! The shapes are those of proxmox/pve-ha-manager (`src/PVE/API2/HA/Groups.pm` and
//! `Rules.pm`, method `index`; the properties in `src/PVE/HA/Groups.pm`, `src/PVE/HA/Rules.pm`,
//! `Rules/NodeAffinity.pm` and `Rules/ResourceAffinity.pm`): a group is
//! `{"group", "type": "group", "nodes": "pve1:2,pve2", "restricted", "nofailback", ...}`,
//! and names its members from the other side, through the `group` key of each HA resource in
//! `/cluster/ha/resources`. A rule is `{"rule", "type", "resources": "vm:100,ct:101", ...}`
//! with `nodes` and `strict` for `node-affinity`, `affinity` (`positive` or `negative`) for
//! `resource-affinity`, `disable` when disabled and `errors` when the HA manager found it
//! infeasible (it then drops the rule: `PVE::HA::Rules::transform`). Node lists give each node
//! an optional priority (`node:prio`, `PVE::HA::Tools::parse_node_priority`), stripped here.
//!
//! The mapping, following the HA manager (and pve-docs `ha-manager.adoc`, "Groups" and
//! "Rules"): a group is the node-affinity rule PVE 9 migrates it to
//! (`PVE::HA::Groups::migrate_groups_to_rules`), strict when the group is restricted. A strict
//! node-affinity rule gives its guests `allowed_hosts`; a non-strict one (an unrestricted group)
//! is a preference, named in a note. A positive resource-affinity rule lends its node-affinity
//! rule to all its guests, as the HA manager's transform does, but keeping guests together has
//! no key in a description, so the rule itself is named in a note. A negative one is an
//! anti-affinity group of scope host. As for vSphere VM-Host rules, a guest already running
//! outside its rule's nodes gets no `allowed_hosts`, and anti-affinity members that already
//! share a node make a "should" rule; nodes and guests a rule names but the exports do not
//! list are left out with a note. Disabled and infeasible rules are ignored, with a note.

use crate::live::json::Node;
use crate::live::{Fact, LiveAntiAffinity, LiveCluster, LiveError};
use crate::model::Scope;

/// An HA group of `pvesh get /cluster/ha/groups`.
pub(super) struct HaGroup {
    name: String,
    nodes: Vec<String>,
    restricted: bool,
}

/// What an HA rule asks for.
enum Kind {
    /// `node-affinity`: run on these nodes; `strict` means only on them.
    Nodes { nodes: Vec<String>, strict: bool },
    /// `resource-affinity` with affinity `positive`.
    Together,
    /// `resource-affinity` with affinity `negative`.
    Apart,
}

/// An HA rule of `pvesh get /cluster/ha/rules`, or a group in the rule PVE 9 makes of it.
pub(super) struct HaRule {
    /// `HA rule "id"` or `HA group "name"`, for notes.
    label: String,
    id: String,
    /// The service ids (`vm:100`) and their vmids.
    services: Vec<(String, u64)>,
    kind: Kind,
    /// Why the HA manager does not apply it, if it does not.
    ignored: Option<&'static str>,
}

/// The vmid of an HA service id such as `vm:100` or `ct:101`.
pub(super) fn vmid(node: &Node<'_>, text: &str) -> Result<u64, LiveError> {
    text.split_once(':')
        .filter(|(kind, _)| !kind.is_empty() && kind.chars().all(|c| c.is_ascii_lowercase()))
        .and_then(|(_, id)| id.parse().ok())
        .ok_or_else(|| node.error("a service id such as \"vm:100\""))
}

/// PVE's `split_list`: entries separated by commas, semicolons or white space.
fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|entry| !entry.is_empty())
}

/// A node list such as `pve1:2,pve2`, without the priorities.
fn node_list(node: &Node<'_>) -> Result<Vec<String>, LiveError> {
    const EXPECTED: &str = "a node list such as \"pve1:2,pve2\"";
    let text = node.str().map_err(|_| node.error(EXPECTED))?;
    let mut nodes = Vec::new();
    for entry in split_list(text) {
        let (name, priority) = entry.split_once(':').unwrap_or((entry, "0"));
        let name_ok = !name.is_empty()
            && !name.starts_with('-')
            && !name.ends_with('-')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !name_ok || priority.is_empty() || !priority.chars().all(|c| c.is_ascii_digit()) {
            return Err(node.error(EXPECTED));
        }
        if !nodes.iter().any(|n| n == name) {
            nodes.push(name.to_string());
        }
    }
    if nodes.is_empty() {
        return Err(node.error(EXPECTED));
    }
    Ok(nodes)
}

/// The groups of `pvesh get /cluster/ha/groups --output-format json`.
pub(super) fn groups(root: &Node<'_>) -> Result<Vec<HaGroup>, LiveError> {
    root.items()?
        .iter()
        .map(|item| {
            Ok(HaGroup {
                name: item.req_str("group", "the group's name")?.to_string(),
                nodes: node_list(&item.req("nodes", "the group's nodes")?)?,
                restricted: super::flag(item.get("restricted"))?,
            })
        })
        .collect()
}

/// The rules of `pvesh get /cluster/ha/rules --output-format json`.
pub(super) fn rules(root: &Node<'_>) -> Result<Vec<HaRule>, LiveError> {
    let mut rules = Vec::new();
    for item in root.items()? {
        let id = item.req_str("rule", "the rule's id")?.to_string();
        let list = item.req("resources", "the rule's HA resources")?;
        let text = list
            .str()
            .map_err(|_| list.error("a list of service ids such as \"vm:100,ct:101\""))?;
        let services = split_list(text)
            .map(|sid| Ok((sid.to_string(), vmid(&list, sid)?)))
            .collect::<Result<Vec<_>, LiveError>>()?;
        let kind = match item.req_str("type", "the rule type")? {
            "node-affinity" => Kind::Nodes {
                nodes: node_list(&item.req("nodes", "the rule's nodes")?)?,
                strict: super::flag(item.get("strict"))?,
            },
            "resource-affinity" => {
                let affinity = item.req("affinity", "positive or negative")?;
                match affinity.str() {
                    Ok("positive") => Kind::Together,
                    Ok("negative") => Kind::Apart,
                    _ => return Err(affinity.error("\"positive\" or \"negative\"")),
                }
            }
            // A rule type newer than this importer: named in a note, never silently dropped.
            other => {
                rules.push(HaRule {
                    label: format!("HA rule \"{id}\""),
                    id,
                    services,
                    kind: Kind::Together,
                    ignored: Some(if other.is_empty() {
                        "it has no type"
                    } else {
                        "its type is not one quorate knows"
                    }),
                });
                continue;
            }
        };
        let ignored = if super::flag(item.get("disable"))? {
            Some("it is disabled")
        } else if item.get("errors").is_some() {
            Some("the HA manager reports errors in it and does not apply it")
        } else {
            None
        };
        rules.push(HaRule {
            label: format!("HA rule \"{id}\""),
            id,
            services,
            kind,
            ignored,
        });
    }
    Ok(rules)
}

/// The HA groups and rules the exports hold, with the HA resources' `group` keys.
#[derive(Default)]
pub(super) struct HaConfig {
    /// The group export, when given.
    pub(super) groups: Option<Vec<HaGroup>>,
    /// `(service id, vmid, group)` for each HA resource with a `group` key.
    pub(super) members: Vec<(String, u64, String)>,
    pub(super) rules: Vec<HaRule>,
}

impl HaConfig {
    /// The vmids the rules name: every one is HA-managed, since the API refuses rules over
    /// unmanaged resources (`PVE/API2/HA/Rules.pm`, `assert_valid_resources_param`).
    pub(super) fn managed(&self) -> impl Iterator<Item = u64> + '_ {
        self.rules
            .iter()
            .flat_map(|r| r.services.iter().map(|(_, vmid)| *vmid))
    }

    /// Groups as the node-affinity rules PVE 9 makes of them, then the rules.
    fn all_rules(self, notes: &mut Vec<String>) -> Vec<HaRule> {
        let mut all = Vec::new();
        let mut unknown: Vec<&str> = Vec::new();
        match &self.groups {
            None => {
                for (_, _, group) in &self.members {
                    if !unknown.contains(&group.as_str()) {
                        unknown.push(group);
                    }
                }
                if !unknown.is_empty() {
                    notes.push(format!(
                        "the HA resources name the HA group(s) {}, not read: give \
                         `pvesh get /cluster/ha/groups --output-format json` with the exports \
                         to turn restricted groups into allowed_hosts",
                        unknown.join(", ")
                    ));
                }
            }
            Some(groups) => {
                for group in groups {
                    let services: Vec<(String, u64)> = self
                        .members
                        .iter()
                        .filter(|(_, _, g)| g == &group.name)
                        .map(|(sid, vmid, _)| (sid.clone(), *vmid))
                        .collect();
                    all.push(HaRule {
                        label: format!("HA group \"{}\"", group.name),
                        id: group.name.clone(),
                        services,
                        kind: Kind::Nodes {
                            nodes: group.nodes.clone(),
                            strict: group.restricted,
                        },
                        ignored: None,
                    });
                }
                for (_, _, group) in &self.members {
                    if !groups.iter().any(|g| &g.name == group) && !unknown.contains(&group.as_str()) {
                        unknown.push(group);
                    }
                }
                if !unknown.is_empty() {
                    notes.push(format!(
                        "the HA resources name the HA group(s) {}, which the group export does \
                         not hold; the HA manager ignores them",
                        unknown.join(", ")
                    ));
                }
            }
        }
        all.extend(self.rules);
        all
    }
}

/// Applies the groups and rules of `config` to `live`, whose workloads include the guests
/// `guests` (vmid, index into `live.workloads`).
pub(super) fn apply(live: &mut LiveCluster, guests: &[(u64, usize)], config: HaConfig) {
    let mut notes = Vec::new();
    let mut rules = config.all_rules(&mut notes);
    let ignored: Vec<String> = rules
        .iter()
        .filter_map(|r| r.ignored.map(|why| format!("{} ({why})", r.label)))
        .collect();
    if !ignored.is_empty() {
        notes.push(format!("ignored: {}", ignored.join("; ")));
    }
    rules.retain(|r| r.ignored.is_none());
    lend_node_affinity(&mut rules);
    let workload = |vmid: u64| guests.iter().find(|(v, _)| *v == vmid).map(|(_, i)| *i);
    // Guests and nodes a rule names that the exports do not list.
    let mut missing = Vec::new();
    for rule in &rules {
        let guests: Vec<&str> = rule
            .services
            .iter()
            .filter(|(_, vmid)| workload(*vmid).is_none())
            .map(|(sid, _)| sid.as_str())
            .collect();
        let nodes: Vec<&str> = match &rule.kind {
            Kind::Nodes { nodes, .. } => nodes
                .iter()
                .filter(|n| !live.hosts.iter().any(|h| &h.name == *n))
                .map(String::as_str)
                .collect(),
            _ => Vec::new(),
        };
        if !guests.is_empty() || !nodes.is_empty() {
            let named: Vec<&str> = guests.into_iter().chain(nodes).collect();
            missing.push(format!("{} names {}", rule.label, named.join(", ")));
        }
    }
    if !missing.is_empty() {
        notes.push(format!(
            "left out, as the resources export does not list them among the imported guests \
             and nodes: {}",
            missing.join("; ")
        ));
    }
    allowed_hosts(live, &rules, &workload, &mut notes);
    let mut together = Vec::new();
    for rule in &rules {
        let members: Vec<String> = rule
            .services
            .iter()
            .filter_map(|(_, vmid)| workload(*vmid))
            .map(|i| live.workloads[i].name.clone())
            .fold(Vec::new(), |mut acc, name| {
                if !acc.contains(&name) {
                    acc.push(name);
                }
                acc
            });
        match rule.kind {
            Kind::Apart if members.len() >= 2 => {
                let mandatory = if live.placement_breaks(&members, Scope::Host) {
                    Fact::inferred(
                        false,
                        "two members already share a node; kept as a \"should\" rule",
                    )
                } else {
                    Fact::read(true)
                };
                live.anti_affinity.push(LiveAntiAffinity {
                    name: rule.id.clone(),
                    workloads: members,
                    scope: Scope::Host,
                    mandatory,
                });
            }
            Kind::Together if members.len() >= 2 => {
                together.push(format!("{} ({})", rule.label, members.join(", ")));
            }
            _ => {}
        }
    }
    if !together.is_empty() {
        notes.push(format!(
            "not imported: {}, positive resource affinity, which keeps its guests together on \
             one node; a description has no key for that, so a plan may place them apart when \
             it evacuates a node (the HA manager then moves them back together). Their guests \
             share the node affinity of any of them, as in the HA manager",
            together.join("; ")
        ));
    }
    live.notes.extend(notes);
}

/// The HA manager's transform: the guests of a positive resource-affinity rule share the first
/// node-affinity rule any of them is in (`create_implicit_positive_resource_affinity_node_
/// affinity_rules` in `PVE/HA/Rules.pm`; pve-docs: "inherit the node affinity rule").
fn lend_node_affinity(rules: &mut [HaRule]) {
    let together: Vec<Vec<(String, u64)>> = rules
        .iter()
        .filter(|r| matches!(r.kind, Kind::Together))
        .map(|r| r.services.clone())
        .collect();
    for services in together {
        let shared = rules.iter_mut().find(|r| {
            matches!(r.kind, Kind::Nodes { .. })
                && r.services
                    .iter()
                    .any(|(_, v)| services.iter().any(|(_, s)| s == v))
        });
        if let Some(rule) = shared {
            for service in services {
                if !rule.services.iter().any(|(_, v)| *v == service.1) {
                    rule.services.push(service);
                }
            }
        }
    }
}

/// Gives each guest of a strict node-affinity rule the rule's nodes as `allowed_hosts` (the
/// nodes of all its strict rules, when several apply), unless it already runs elsewhere.
fn allowed_hosts(
    live: &mut LiveCluster,
    rules: &[HaRule],
    workload: &dyn Fn(u64) -> Option<usize>,
    notes: &mut Vec<String>,
) {
    // Per guest: the nodes all its strict rules allow, and the indexes of those rules.
    let mut allowed: Vec<(usize, Vec<String>, Vec<usize>)> = Vec::new();
    let mut preferred = Vec::new();
    for (number, rule) in rules.iter().enumerate() {
        let Kind::Nodes { nodes, strict: true } = &rule.kind else {
            if matches!(rule.kind, Kind::Nodes { .. }) && !rule.services.is_empty() {
                preferred.push(rule.label.clone());
            }
            continue;
        };
        let known: Vec<String> = live
            .hosts
            .iter()
            .filter(|h| nodes.contains(&h.name))
            .map(|h| h.name.clone())
            .collect();
        for index in rule.services.iter().filter_map(|(_, vmid)| workload(*vmid)) {
            match allowed.iter_mut().find(|(i, _, _)| *i == index) {
                Some((_, earlier, from)) => {
                    earlier.retain(|h| known.contains(h));
                    from.push(number);
                }
                None => allowed.push((index, known.clone(), vec![number])),
            }
        }
    }
    let mut outside = Vec::new();
    let mut applied = Vec::new();
    for (index, hosts, from) in allowed {
        let workload = &mut live.workloads[index];
        if hosts.contains(&workload.host) {
            workload.allowed_hosts = hosts;
            applied.extend(from);
        } else {
            outside.push(workload.name.clone());
        }
    }
    applied.sort_unstable();
    applied.dedup();
    let strict: Vec<&str> = applied.iter().map(|&r| rules[r].label.as_str()).collect();
    if !strict.is_empty() {
        notes.push(format!(
            "allowed_hosts come from {}: strict node affinity (a restricted group), so the HA \
             manager runs their guests on no other node",
            strict.join(", ")
        ));
    }
    if !preferred.is_empty() {
        notes.push(format!(
            "{}: a preference only (a node-affinity rule that is not strict, or an unrestricted \
             group), so no allowed_hosts are written",
            preferred.join(", ")
        ));
    }
    if !outside.is_empty() {
        notes.push(format!(
            "guest(s) {} run outside the nodes of their strict HA rule or restricted group (a \
             rule just changed, or a node the rule names is unknown), so they get no \
             allowed_hosts",
            outside.join(", ")
        ));
    }
}
