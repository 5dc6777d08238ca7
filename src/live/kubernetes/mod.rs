//! Kubernetes: `kubectl get nodes,pods,poddisruptionbudgets,pv,pvc -A -o json`.
//!
//! One `List` holding all five kinds, or separate files (`NodeList`, `PodList`,
//! `PodDisruptionBudgetList`, `PersistentVolumeList`, `PersistentVolumeClaimList`, single
//! objects), in any order; PersistentVolumes and their claims are optional. The mapping:
//!
//! - a node is a host: `status.allocatable` is its capacity, the kubelet version its version,
//!   `spec.unschedulable` puts it in maintenance and a `Ready` condition other than `True`
//!   makes it down; `topology.kubernetes.io/zone` is its fault domain and
//!   `topology.kubernetes.io/region` that domain's site;
//! - a pod is a workload named `namespace/name`, sized by its requests (the sum over its
//!   containers, at least its largest init container), migration `restart`. Pods `kubectl
//!   drain` leaves alone are skipped: DaemonSet pods and mirror pods, and so are finished pods
//!   (`Succeeded`, `Failed`) and pods not yet on a node. A pod pinned to its node is `none`: a
//!   bare pod (no controller recreates it), one whose required node affinity allows only
//!   its own node, or one whose claim is bound to a PersistentVolume on its node (`local`,
//!   or with a node affinity that allows only that node; see [`volumes`]);
//! - a PodDisruptionBudget is a disruption budget over the pods its selector matches in its
//!   namespace, percentages rounded up as the disruption controller does;
//! - a required pod anti-affinity term with topology key hostname or zone is an anti-affinity
//!   group of scope `host` or `fault_domain` over the pods it matches;
//! - nodes running the static `component=etcd` pods of `kube-system` form the `etcd` quorum
//!   group, and control-plane nodes are upgraded before the others.
//!
//! Not read (named limits): preferred (soft) affinities, topology spread constraints, and
//! controllers' replica counts (a budget's percentage is taken of the pods the export holds).
//! A claim the export cannot follow to a volume (not bound, or missing) leaves its pod
//! `restart`, with a note.

mod objects;
pub mod quantity;
pub mod selector;
pub mod volumes;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::live::json::Node;
use crate::live::{
    Fact, LiveAntiAffinity, LiveBudget, LiveCluster, LiveError, LiveFaultDomain, LiveHost, LiveLimit,
    LiveMember, LiveOrder, LiveQuorum, LiveWorkload, unrecognised,
};
use crate::model::{HostState, Migration, Platform, Scope};

use objects::{K8sBudget, K8sNode, K8sPod, label, only_node};
use volumes::{K8sClaim, K8sVolume, Storage};

/// The zone label (`LabelTopologyZone`, kubernetes/api `core/v1/well_known_labels.go`).
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// The region label (`LabelTopologyRegion`).
pub const REGION_LABEL: &str = "topology.kubernetes.io/region";
/// The hostname label (`LabelHostname`).
pub const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";
const CONTROL_PLANE_LABELS: [&str; 2] = [
    "node-role.kubernetes.io/control-plane",
    "node-role.kubernetes.io/master",
];
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const EXPECTED: &str = "the JSON of `kubectl get nodes,pods,poddisruptionbudgets,pv,pvc -A -o \
    json` (a List), or a NodeList, PodList, PodDisruptionBudgetList, PersistentVolumeList or \
    PersistentVolumeClaimList";

/// The objects of all files, by kind.
#[derive(Default)]
struct Objects {
    nodes: Vec<K8sNode>,
    pods: Vec<K8sPod>,
    budgets: Vec<K8sBudget>,
    volumes: Vec<K8sVolume>,
    claims: Vec<K8sClaim>,
}

/// Reads parsed Kubernetes exports.
pub fn read(files: &[(&str, Value)]) -> Result<LiveCluster, LiveError> {
    let mut objects = Objects::default();
    for (file, value) in files {
        let root = Node::root(file, value);
        let kind = match value.get("kind").and_then(Value::as_str) {
            Some(kind) => kind,
            None => return Err(unrecognised(file, Platform::Kubernetes, EXPECTED)),
        };
        if let Some(item_kind) = kind.strip_suffix("List") {
            for item in root.req("items", "the list's objects")?.items()? {
                let kind = item.opt_str("kind")?.unwrap_or(item_kind);
                objects.add(kind, &item)?;
            }
        } else if !objects.add(kind, &root)? {
            return Err(unrecognised(file, Platform::Kubernetes, EXPECTED));
        }
    }
    Ok(build(&objects))
}

impl Objects {
    /// Adds an object of `kind`; other kinds (a Service in a `get all`) are skipped.
    fn add(&mut self, kind: &str, item: &Node<'_>) -> Result<bool, LiveError> {
        match kind {
            "Node" => self.nodes.push(K8sNode::read(item)?),
            "Pod" => self.pods.push(K8sPod::read(item)?),
            "PodDisruptionBudget" => self.budgets.push(K8sBudget::read(item)?),
            "PersistentVolume" => self.volumes.push(K8sVolume::read(item)?),
            "PersistentVolumeClaim" => self.claims.push(K8sClaim::read(item)?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn build(objects: &Objects) -> LiveCluster {
    let mut live = LiveCluster::new(Platform::Kubernetes);
    add_hosts(&mut live, &objects.nodes);
    let pods = add_workloads(&mut live, objects);
    add_budgets(&mut live, &objects.budgets, &pods);
    add_anti_affinity(&mut live, &pods);
    add_control_plane(&mut live, objects);
    live
}

fn add_hosts(live: &mut LiveCluster, nodes: &[K8sNode]) {
    for node in nodes {
        let zone = node.label(ZONE_LABEL);
        if let Some(zone) = zone
            && !live.fault_domains.iter().any(|f| f.name == zone)
        {
            let site = node.label(REGION_LABEL).map(str::to_string);
            if let Some(site) = &site
                && !live.sites.contains(site)
            {
                live.sites.push(site.clone());
            }
            live.fault_domains.push(LiveFaultDomain {
                name: zone.to_string(),
                site,
            });
        }
        let (state, reason) = if node.ready != Some(true) {
            (HostState::Down, Some("NotReady".to_string()))
        } else if node.unschedulable {
            (
                HostState::Maintenance,
                Some("SchedulingDisabled (cordoned)".to_string()),
            )
        } else {
            (HostState::Ready, None)
        };
        let storage = node.allocatable.storage;
        live.hosts.push(LiveHost {
            name: node.name.clone(),
            version: node.kubelet_version.clone(),
            state,
            state_reason: reason,
            cpu: Fact::read(node.allocatable.cpu),
            memory_gib: Fact::read(node.allocatable.memory / GIB),
            storage_gib: (storage > 0.0).then(|| Fact::read(storage / GIB)),
            fault_domain: zone.map(str::to_string),
        });
    }
}

/// Adds the pods that are workloads; returns those pods, in the order of the workloads.
fn add_workloads<'o>(live: &mut LiveCluster, objects: &'o Objects) -> Vec<&'o K8sPod> {
    let mut kept = Vec::new();
    let mut skipped = 0;
    let mut unknown_storage = Vec::new();
    for pod in &objects.pods {
        let Some(node_name) = &pod.node else {
            continue;
        };
        let daemon = pod
            .controller
            .as_ref()
            .is_some_and(|(kind, _)| kind == "DaemonSet");
        let finished = matches!(pod.phase.as_deref(), Some("Succeeded" | "Failed"));
        if daemon || pod.mirror || finished {
            continue;
        }
        let Some(node) = objects.nodes.iter().find(|n| &n.name == node_name) else {
            skipped += 1;
            continue;
        };
        let storage = volumes::storage(
            &pod.namespace,
            &pod.claims,
            node,
            &objects.claims,
            &objects.volumes,
        );
        let migration = match storage {
            Storage::Pinned(reason) if pod.controller.is_some() => Fact::inferred(Migration::None, reason),
            Storage::Unknown(reason) => {
                unknown_storage.push(format!("{} ({reason})", pod.full_name()));
                migration(pod, node)
            }
            Storage::Pinned(_) | Storage::Free => migration(pod, node),
        };
        live.workloads.push(LiveWorkload {
            name: pod.full_name(),
            host: node_name.clone(),
            cpu: pod.requests.cpu,
            memory_gib: pod.requests.memory / GIB,
            storage_gib: (pod.requests.storage > 0.0).then_some(pod.requests.storage / GIB),
            migration,
            allowed_hosts: Vec::new(),
        });
        kept.push(pod);
    }
    if !unknown_storage.is_empty() {
        let hint = if objects.claims.is_empty() {
            "; add `pv,pvc` to the kubectl command"
        } else {
            ""
        };
        live.notes.push(format!(
            "{} pod(s) mount a claim the export does not follow to a volume, so they are not \
             checked for local storage and stay `restart`{hint}: {}",
            unknown_storage.len(),
            unknown_storage.join(", ")
        ));
    }
    if skipped > 0 {
        live.notes.push(format!(
            "{skipped} pod(s) run on nodes the export does not list; they are left out"
        ));
    }
    kept
}

fn migration(pod: &K8sPod, node: &K8sNode) -> Fact<Migration> {
    if pod.controller.is_none() {
        return Fact::inferred(
            Migration::None,
            "a bare pod: no controller recreates it after `kubectl drain --force` deletes it",
        );
    }
    if only_node(&pod.node_terms, node) {
        return Fact::inferred(
            Migration::None,
            format!("its required node affinity allows only node {}", node.name),
        );
    }
    Fact::read(Migration::Restart)
}

fn add_budgets(live: &mut LiveCluster, budgets: &[K8sBudget], pods: &[&K8sPod]) {
    for budget in budgets {
        let name = format!("{}/{}", budget.namespace, budget.name);
        let members: Vec<String> = match &budget.selector {
            Some(selector) => pods
                .iter()
                .filter(|p| p.namespace == budget.namespace && selector.matches(&p.labels))
                .map(|p| p.full_name())
                .collect(),
            None => Vec::new(),
        };
        if members.is_empty() {
            live.notes.push(format!(
                "PodDisruptionBudget {name} selects no pod of this export; left out"
            ));
            continue;
        }
        let pods = members.len() as u64;
        let limit = match (budget.max_unavailable, budget.min_available) {
            (Some(max), _) => {
                // More than every pod unavailable means the same as every pod.
                let count = max.count(pods).min(pods);
                let limit = LiveLimit::MaxUnavailable(count);
                match max {
                    objects::IntOrPercent::Percent(p) => {
                        Fact::inferred(limit, format!("maxUnavailable {p}% of {pods} pods, rounded up"))
                    }
                    objects::IntOrPercent::Int(_) => Fact::read(limit),
                }
            }
            (None, Some(min)) => {
                let count = min.count(pods);
                let limit = LiveLimit::MinAvailable(count.min(pods));
                match min {
                    objects::IntOrPercent::Percent(p) => {
                        Fact::inferred(limit, format!("minAvailable {p}% of {pods} pods, rounded up"))
                    }
                    objects::IntOrPercent::Int(n) if n > pods => Fact::inferred(
                        limit,
                        format!("minAvailable is {n} but only {pods} pods match: none may go"),
                    ),
                    objects::IntOrPercent::Int(_) => Fact::read(limit),
                }
            }
            (None, None) => {
                live.notes.push(format!(
                    "PodDisruptionBudget {name} has neither minAvailable nor maxUnavailable; \
                     left out"
                ));
                continue;
            }
        };
        live.budgets.push(LiveBudget {
            name,
            workloads: members,
            limit,
            disruptions_allowed: budget.disruptions_allowed,
            current_healthy: budget.current_healthy,
        });
    }
}

fn add_anti_affinity(live: &mut LiveCluster, pods: &[&K8sPod]) {
    let mut seen: BTreeMap<(Vec<String>, &'static str), ()> = BTreeMap::new();
    for pod in pods {
        for term in &pod.anti_affinity {
            let scope = match term.topology_key.as_str() {
                HOSTNAME_LABEL => Scope::Host,
                ZONE_LABEL | "failure-domain.beta.kubernetes.io/zone" => Scope::FaultDomain,
                _ => continue,
            };
            let Some(selector) = &term.selector else {
                continue;
            };
            let namespaces: Vec<&str> = if term.namespaces.is_empty() {
                vec![pod.namespace.as_str()]
            } else {
                term.namespaces.iter().map(String::as_str).collect()
            };
            let mut members: Vec<String> = pods
                .iter()
                .filter(|p| namespaces.contains(&p.namespace.as_str()) && selector.matches(&p.labels))
                .map(|p| p.full_name())
                .collect();
            if !members.contains(&pod.full_name()) {
                members.push(pod.full_name());
            }
            members.sort();
            if members.len() < 2 || seen.insert((members.clone(), scope.name()), ()).is_some() {
                continue;
            }
            let base = match &pod.controller {
                Some((_, owner)) => format!("{}/{owner}", pod.namespace),
                None => pod.full_name(),
            };
            let mut name = base.clone();
            let mut n = 2;
            while live.anti_affinity.iter().any(|a| a.name == name) {
                name = format!("{base} ({n})");
                n += 1;
            }
            let mandatory = if live.placement_breaks(&members, scope) {
                Fact::inferred(
                    false,
                    "the pods already break it (a topology label the nodes lack?); kept as \
                     a \"should\" rule",
                )
            } else {
                Fact::read(true)
            };
            live.anti_affinity.push(LiveAntiAffinity {
                name,
                workloads: members,
                scope,
                mandatory,
            });
        }
    }
}

fn add_control_plane(live: &mut LiveCluster, objects: &Objects) {
    let mut etcd_nodes: Vec<&str> = Vec::new();
    for pod in &objects.pods {
        let etcd = pod.namespace == "kube-system" && label(&pod.labels, "component") == Some("etcd");
        if let Some(node) = &pod.node
            && etcd
            && !etcd_nodes.contains(&node.as_str())
            && live.hosts.iter().any(|h| &h.name == node)
        {
            etcd_nodes.push(node);
        }
    }
    match etcd_nodes.len() {
        0 => {}
        1 | 2 => live.notes.push(format!(
            "etcd runs on {} node(s) ({}): with no spare vote, a quorum group would make every \
             plan unsafe, so none is written; upgrading one of them stops the API",
            etcd_nodes.len(),
            etcd_nodes.join(", ")
        )),
        _ => live.quorum_groups.push(LiveQuorum {
            name: "etcd".to_string(),
            members: etcd_nodes
                .iter()
                .map(|n| LiveMember {
                    name: n.to_string(),
                    up: live
                        .hosts
                        .iter()
                        .any(|h| h.name == *n && h.state == HostState::Ready),
                    votes: 1,
                })
                .collect(),
            inferred: Some(
                "the nodes running static etcd pods (component=etcd in kube-system); \
                 majority quorum"
                    .to_string(),
            ),
        }),
    }
    let ready = |cp: bool| -> Vec<String> {
        objects
            .nodes
            .iter()
            .filter(|n| CONTROL_PLANE_LABELS.iter().any(|l| n.label(l).is_some()) == cp)
            .filter(|n| {
                live.hosts
                    .iter()
                    .any(|h| h.name == n.name && h.state == HostState::Ready)
            })
            .map(|n| n.name.clone())
            .collect()
    };
    let (before, after) = (ready(true), ready(false));
    if !before.is_empty() && !after.is_empty() {
        live.orders.push(LiveOrder {
            before,
            after,
            reason: "control-plane nodes first: kubelets may not be newer than the API server".to_string(),
        });
    }
}
