//! Nodes, pods and PodDisruptionBudgets, read from `kubectl get ... -o json` into typed values.
//!
//! Field names are those of the API types (kubernetes/api, `core/v1/types.go` and
//! `policy/v1/types.go`); only the fields quorate uses are read, and each is checked for its
//! type where it is read, so an error names its JSON path.

use crate::live::LiveError;
use crate::live::json::Node;

use super::HOSTNAME_LABEL;
use super::quantity;
use super::selector::Selector;

/// The annotation the kubelet puts on the API's mirror of a static pod
/// (`MirrorPodAnnotationKey` in kubernetes/api `core/v1/annotation_key_constants.go`).
pub const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// Resource requests or allocatable capacity, in cores and bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Amounts {
    /// Cores.
    pub cpu: f64,
    /// Bytes of memory.
    pub memory: f64,
    /// Bytes of ephemeral storage.
    pub storage: f64,
}

impl Amounts {
    fn read(node: Option<&Node<'_>>) -> Result<Self, LiveError> {
        let Some(node) = node else {
            return Ok(Amounts::default());
        };
        let amount = |key: &str| -> Result<f64, LiveError> {
            match node.get(key) {
                None => Ok(0.0),
                Some(q) => read_quantity(&q),
            }
        };
        Ok(Amounts {
            cpu: amount("cpu")?,
            memory: amount("memory")?,
            storage: amount("ephemeral-storage")?,
        })
    }

    fn add(self, other: Amounts) -> Amounts {
        Amounts {
            cpu: self.cpu + other.cpu,
            memory: self.memory + other.memory,
            storage: self.storage + other.storage,
        }
    }

    fn max(self, other: Amounts) -> Amounts {
        Amounts {
            cpu: self.cpu.max(other.cpu),
            memory: self.memory.max(other.memory),
            storage: self.storage.max(other.storage),
        }
    }
}

fn read_quantity(node: &Node<'_>) -> Result<f64, LiveError> {
    let value = match node.value() {
        serde_json::Value::Number(_) => node.f64().ok(),
        serde_json::Value::String(s) => quantity::parse(s),
        _ => None,
    };
    value
        .filter(|v| *v >= 0.0)
        .ok_or_else(|| node.error("a quantity"))
}

/// A node.
#[derive(Debug, Clone)]
pub struct K8sNode {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: Vec<(String, String)>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// The `Ready` condition's status: `Some(true)` only for `"True"`.
    pub ready: Option<bool>,
    /// `status.allocatable`.
    pub allocatable: Amounts,
    /// `status.nodeInfo.kubeletVersion`.
    pub kubelet_version: Option<String>,
}

impl K8sNode {
    /// Reads a `Node` object.
    pub fn read(item: &Node<'_>) -> Result<Self, LiveError> {
        let metadata = item.req("metadata", "the object's metadata")?;
        let spec = item.get("spec");
        let status = item.req("status", "the node's status")?;
        let allocatable = status.req("allocatable", "the node's allocatable resources")?;
        allocatable.req("cpu", "allocatable cores")?;
        allocatable.req("memory", "allocatable memory")?;
        let mut ready = None;
        for condition in status.items_of("conditions")? {
            if condition.req_str("type", "the condition type")? == "Ready" {
                ready = Some(condition.req_str("status", "True, False or Unknown")? == "True");
            }
        }
        Ok(K8sNode {
            name: metadata.req_str("name", "the node name")?.to_string(),
            labels: metadata.string_map("labels")?,
            unschedulable: match spec.as_ref().and_then(|s| s.get("unschedulable")) {
                Some(u) => u.bool()?,
                None => false,
            },
            ready,
            allocatable: Amounts::read(Some(&allocatable))?,
            kubelet_version: match status.get("nodeInfo") {
                Some(info) => info.opt_str("kubeletVersion")?.map(str::to_string),
                None => None,
            },
        })
    }

    /// The value of label `key`.
    pub fn label(&self, key: &str) -> Option<&str> {
        label(&self.labels, key)
    }
}

/// The value of label `key` in `labels`.
pub fn label<'l>(labels: &'l [(String, String)], key: &str) -> Option<&'l str> {
    labels.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// A required pod anti-affinity term.
#[derive(Debug, Clone)]
pub struct AntiAffinityTerm {
    /// `topologyKey`.
    pub topology_key: String,
    /// `labelSelector`; `None` matches no pod.
    pub selector: Option<Selector>,
    /// `namespaces`; empty means the pod's own.
    pub namespaces: Vec<String>,
}

/// One `nodeSelectorTerms` entry reduced to the node names it allows, when it names them.
pub type NodeTerm = Option<Vec<String>>;

/// A pod.
#[derive(Debug, Clone)]
pub struct K8sPod {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: Vec<(String, String)>,
    /// Whether it is the mirror of a static pod.
    pub mirror: bool,
    /// The kind and name of its controller (`ownerReferences` with `controller: true`).
    pub controller: Option<(String, String)>,
    /// `spec.nodeName`.
    pub node: Option<String>,
    /// `status.phase`.
    pub phase: Option<String>,
    /// Requests: the sum over containers, at least the largest init container.
    pub requests: Amounts,
    /// Required node affinity: per term, the node names (or hostname labels) it allows.
    pub node_terms: Vec<NodeTerm>,
    /// Required pod anti-affinity terms.
    pub anti_affinity: Vec<AntiAffinityTerm>,
    /// The PersistentVolumeClaims it mounts (`spec.volumes[].persistentVolumeClaim.claimName`).
    pub claims: Vec<String>,
}

impl K8sPod {
    /// Reads a `Pod` object.
    pub fn read(item: &Node<'_>) -> Result<Self, LiveError> {
        let metadata = item.req("metadata", "the object's metadata")?;
        let spec = item.req("spec", "the pod's spec")?;
        let mut controller = None;
        for owner in metadata.items_of("ownerReferences")? {
            let is_controller = match owner.get("controller") {
                Some(c) => c.bool()?,
                None => false,
            };
            if is_controller {
                controller = Some((
                    owner.req_str("kind", "the owner's kind")?.to_string(),
                    owner.req_str("name", "the owner's name")?.to_string(),
                ));
            }
        }
        let requests = |key: &str| -> Result<Vec<Amounts>, LiveError> {
            spec.items_of(key)?
                .iter()
                .map(|c| {
                    let resources = c.get("resources");
                    Amounts::read(resources.and_then(|r| r.get("requests")).as_ref())
                })
                .collect()
        };
        let containers = requests("containers")?
            .into_iter()
            .fold(Amounts::default(), Amounts::add);
        let init = requests("initContainers")?
            .into_iter()
            .fold(Amounts::default(), Amounts::max);
        let affinity = spec.get("affinity");
        Ok(K8sPod {
            namespace: metadata.opt_str("namespace")?.unwrap_or("default").to_string(),
            name: metadata.req_str("name", "the pod name")?.to_string(),
            labels: metadata.string_map("labels")?,
            mirror: metadata
                .string_map("annotations")?
                .iter()
                .any(|(k, _)| k == MIRROR_ANNOTATION),
            controller,
            node: spec.opt_str("nodeName")?.map(str::to_string),
            phase: match item.get("status") {
                Some(status) => status.opt_str("phase")?.map(str::to_string),
                None => None,
            },
            requests: containers.max(init),
            node_terms: match affinity.as_ref().and_then(|a| a.get("nodeAffinity")) {
                Some(node_affinity) => read_node_terms(&node_affinity)?,
                None => Vec::new(),
            },
            anti_affinity: match affinity.as_ref().and_then(|a| a.get("podAntiAffinity")) {
                Some(anti) => read_anti_affinity(&anti)?,
                None => Vec::new(),
            },
            claims: spec
                .items_of("volumes")?
                .iter()
                .filter_map(|v| v.get("persistentVolumeClaim"))
                .map(|c| c.req_str("claimName", "the claim name").map(str::to_string))
                .collect::<Result<_, _>>()?,
        })
    }

    /// `namespace/name`: the workload name quorate uses.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

fn read_node_terms(node_affinity: &Node<'_>) -> Result<Vec<NodeTerm>, LiveError> {
    match node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution") {
        Some(required) => read_node_selector(&required),
        None => Ok(Vec::new()),
    }
}

/// The terms of a `NodeSelector` (`nodeSelectorTerms`), each reduced to the node names it
/// allows when it names them (by `metadata.name` field or hostname label, operator `In`).
pub fn read_node_selector(selector: &Node<'_>) -> Result<Vec<NodeTerm>, LiveError> {
    let mut terms = Vec::new();
    for term in selector.items_of("nodeSelectorTerms")? {
        let mut names: NodeTerm = None;
        for (list, key) in [
            ("matchFields", "metadata.name"),
            ("matchExpressions", HOSTNAME_LABEL),
        ] {
            for requirement in term.items_of(list)? {
                let is_name = requirement.req_str("key", "the key")? == key
                    && requirement.req_str("operator", "the operator")? == "In";
                if is_name {
                    let values = requirement
                        .items_of("values")?
                        .iter()
                        .map(|v| v.str().map(str::to_string))
                        .collect::<Result<Vec<_>, _>>()?;
                    names = Some(values);
                }
            }
        }
        terms.push(names);
    }
    Ok(terms)
}

/// Whether required node-selector `terms` allow `node` alone: every term (they are ORed) names
/// nodes, and each name is that node's (its name or its hostname label).
pub fn only_node(terms: &[NodeTerm], node: &K8sNode) -> bool {
    let own_names = [Some(node.name.as_str()), node.label(HOSTNAME_LABEL)];
    !terms.is_empty()
        && terms.iter().all(|term| {
            term.as_ref().is_some_and(|names| {
                !names.is_empty() && names.iter().all(|n| own_names.contains(&Some(n.as_str())))
            })
        })
}

fn read_anti_affinity(anti: &Node<'_>) -> Result<Vec<AntiAffinityTerm>, LiveError> {
    anti.items_of("requiredDuringSchedulingIgnoredDuringExecution")?
        .iter()
        .map(|term| {
            Ok(AntiAffinityTerm {
                topology_key: term.req_str("topologyKey", "the topology key")?.to_string(),
                selector: term
                    .get("labelSelector")
                    .map(|s| Selector::read(&s))
                    .transpose()?,
                namespaces: term
                    .items_of("namespaces")?
                    .iter()
                    .map(|n| n.str().map(str::to_string))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// `minAvailable` or `maxUnavailable`: an integer or a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOrPercent {
    /// A count of pods.
    Int(u64),
    /// A percentage of the pods.
    Percent(u64),
}

impl IntOrPercent {
    fn read(node: &Node<'_>) -> Result<Self, LiveError> {
        if let Some(n) = node.value().as_u64() {
            return Ok(IntOrPercent::Int(n));
        }
        node.value()
            .as_str()
            .and_then(|s| s.strip_suffix('%'))
            .and_then(|p| p.parse().ok())
            .map(IntOrPercent::Percent)
            .ok_or_else(|| node.error("a non-negative integer or a percentage such as \"50%\""))
    }

    /// The count for `pods` pods, rounded up as the disruption controller does
    /// (`GetScaledValueFromIntOrPercent(..., true)` in kubernetes/kubernetes,
    /// `pkg/controller/disruption/disruption.go`, for both fields).
    pub fn count(self, pods: u64) -> u64 {
        match self {
            IntOrPercent::Int(n) => n,
            IntOrPercent::Percent(p) => (p.saturating_mul(pods)).div_ceil(100),
        }
    }
}

/// A PodDisruptionBudget.
#[derive(Debug, Clone)]
pub struct K8sBudget {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.selector`; `None` (absent) selects no pod.
    pub selector: Option<Selector>,
    /// `spec.minAvailable`.
    pub min_available: Option<IntOrPercent>,
    /// `spec.maxUnavailable`.
    pub max_unavailable: Option<IntOrPercent>,
    /// `status.disruptionsAllowed`.
    pub disruptions_allowed: Option<i64>,
    /// `status.currentHealthy`.
    pub current_healthy: Option<i64>,
}

impl K8sBudget {
    /// Reads a `PodDisruptionBudget` object.
    pub fn read(item: &Node<'_>) -> Result<Self, LiveError> {
        let metadata = item.req("metadata", "the object's metadata")?;
        let spec = item.req("spec", "the budget's spec")?;
        Ok(K8sBudget {
            namespace: metadata.opt_str("namespace")?.unwrap_or("default").to_string(),
            name: metadata.req_str("name", "the budget name")?.to_string(),
            selector: spec.get("selector").map(|s| Selector::read(&s)).transpose()?,
            min_available: spec
                .get("minAvailable")
                .map(|n| IntOrPercent::read(&n))
                .transpose()?,
            max_unavailable: spec
                .get("maxUnavailable")
                .map(|n| IntOrPercent::read(&n))
                .transpose()?,
            disruptions_allowed: match item.get("status") {
                Some(status) => status.get("disruptionsAllowed").map(|d| d.i64()).transpose()?,
                None => None,
            },
            current_healthy: match item.get("status") {
                Some(status) => status.get("currentHealthy").map(|d| d.i64()).transpose()?,
                None => None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::IntOrPercent;

    #[test]
    fn percentages_round_up_like_the_disruption_controller() {
        // The Kubernetes documentation's own example: 50% of 7 pods is 4.
        assert_eq!(IntOrPercent::Percent(50).count(7), 4);
        assert_eq!(IntOrPercent::Percent(25).count(3), 1);
        assert_eq!(IntOrPercent::Percent(0).count(3), 0);
        assert_eq!(IntOrPercent::Percent(100).count(3), 3);
        assert_eq!(IntOrPercent::Int(2).count(7), 2);
    }
}
