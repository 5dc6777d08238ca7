//! PersistentVolumes and PersistentVolumeClaims: which pods their storage ties to one node.
//!
//! `kubectl drain` evicts a pod whose data is on one node's own disk like any other, but the
//! pod cannot start anywhere else: its claim stays bound to a volume only that node reaches.
//! Such a pod is pinned (`migration = "none"`). The fields are those of kubernetes/api
//! `core/v1/types.go`: a pod's `spec.volumes[].persistentVolumeClaim.claimName` names a claim
//! in its namespace; the claim's `spec.volumeName` is "the authoritative bind" to a volume,
//! once its `status.phase` is `Bound`; the volume is node-local when it has `spec.local`
//! (`LocalVolumeSource`), or when its `spec.nodeAffinity.required` (a `NodeSelector`) allows
//! only one node. Generic ephemeral volumes are not followed: their claim is deleted with the
//! pod, so the pod's replacement gets a new one wherever it is scheduled.

use crate::live::LiveError;
use crate::live::json::Node;

use super::objects::{K8sNode, NodeTerm, only_node, read_node_selector};

/// A PersistentVolume.
#[derive(Debug, Clone)]
pub struct K8sVolume {
    /// `metadata.name` (volumes are not namespaced).
    pub name: String,
    /// Whether it is a `local` volume: a disk or directory of one node.
    pub local: bool,
    /// `spec.nodeAffinity.required.nodeSelectorTerms`, reduced to the node names each allows.
    pub node_terms: Vec<NodeTerm>,
}

impl K8sVolume {
    /// Reads a `PersistentVolume` object.
    pub fn read(item: &Node<'_>) -> Result<Self, LiveError> {
        let metadata = item.req("metadata", "the object's metadata")?;
        let spec = item.req("spec", "the volume's spec")?;
        let local = match spec.get("local") {
            Some(local) => {
                local.req_str("path", "the local volume's path")?;
                true
            }
            None => false,
        };
        let required = spec
            .get("nodeAffinity")
            .and_then(|affinity| affinity.get("required"));
        Ok(K8sVolume {
            name: metadata.req_str("name", "the volume name")?.to_string(),
            local,
            node_terms: match required {
                Some(selector) => read_node_selector(&selector)?,
                None => Vec::new(),
            },
        })
    }
}

/// A PersistentVolumeClaim.
#[derive(Debug, Clone)]
pub struct K8sClaim {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.volumeName`: the volume it is bound to.
    pub volume: Option<String>,
    /// `status.phase`: `Pending`, `Bound` or `Lost`.
    pub phase: Option<String>,
}

impl K8sClaim {
    /// Reads a `PersistentVolumeClaim` object.
    pub fn read(item: &Node<'_>) -> Result<Self, LiveError> {
        let metadata = item.req("metadata", "the object's metadata")?;
        let spec = item.req("spec", "the claim's spec")?;
        Ok(K8sClaim {
            namespace: metadata.opt_str("namespace")?.unwrap_or("default").to_string(),
            name: metadata.req_str("name", "the claim name")?.to_string(),
            volume: spec
                .opt_str("volumeName")?
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            phase: match item.get("status") {
                Some(status) => status.opt_str("phase")?.map(str::to_string),
                None => None,
            },
        })
    }
}

/// What a pod's claims say about where it can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// No claim ties it to a node (or it has no claim).
    Free,
    /// A bound claim's volume lives on its node; the reason, for the `# inferred:` comment.
    Pinned(String),
    /// A claim the exports cannot follow to a volume; the reason, for a note.
    Unknown(String),
}

/// Where the PersistentVolumes of the export leave the pod `pod` (in `namespace`, on `node`,
/// mounting `claims`).
pub fn storage(
    namespace: &str,
    claims: &[String],
    node: &K8sNode,
    known_claims: &[K8sClaim],
    volumes: &[K8sVolume],
) -> Storage {
    let mut unknown = None;
    for claim_name in claims {
        let Some(claim) = known_claims
            .iter()
            .find(|c| c.namespace == namespace && &c.name == claim_name)
        else {
            unknown.get_or_insert(format!("its claim {claim_name} is not in the export"));
            continue;
        };
        let bound = claim.phase.as_deref() == Some("Bound");
        let Some(volume_name) = claim.volume.as_ref().filter(|_| bound) else {
            unknown.get_or_insert(format!(
                "its claim {claim_name} is not bound (phase {})",
                claim.phase.as_deref().unwrap_or("unknown")
            ));
            continue;
        };
        let Some(volume) = volumes.iter().find(|v| &v.name == volume_name) else {
            unknown.get_or_insert(format!(
                "its claim {claim_name} is bound to PersistentVolume {volume_name}, which is \
                 not in the export"
            ));
            continue;
        };
        if volume.local {
            return Storage::Pinned(format!(
                "its claim {claim_name} is bound to local PersistentVolume {volume_name}"
            ));
        }
        if only_node(&volume.node_terms, node) {
            return Storage::Pinned(format!(
                "its claim {claim_name} is bound to PersistentVolume {volume_name}, whose node \
                 affinity allows only node {}",
                node.name
            ));
        }
    }
    unknown.map_or(Storage::Free, Storage::Unknown)
}
