//! The live state of a cluster, read from the platform's own exports.
//!
//! Importers (`quorate import`) and the drift check (`quorate drift`) both start here: each
//! platform module recognises its files by their content, walks them with the path-keeping
//! [`json`] reader and builds one [`LiveCluster`], a typed picture of hosts, workloads, quorum
//! groups, budgets and health. Nothing past this module sees raw JSON. Every value that was
//! inferred rather than read carries a note saying why ([`Fact::inferred`]), which the
//! importer writes as a `# inferred:` comment.
//!
//! Limits relied on: files are whole exports held in memory (the CLI reads them); names are
//! taken as the platform prints them; numbers beyond `f64` precision are not expected in
//! capacities. No input makes these parsers panic: every unexpected shape is a [`LiveError`].

pub mod ceph;
pub mod csv;
pub mod json;
pub mod kubernetes;
mod limits;
pub mod openstack;
pub mod proxmox;
pub mod rvtools;
pub mod vsphere;

use miette::Diagnostic;

use crate::model::{HostState, Migration, Platform, Scope};
use crate::source::Source;

/// A malformed or unrecognised export: the file, where in it, and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Diagnostic)]
#[error("{file}: {at}: {message}")]
#[diagnostic(code(quorate::live_input))]
pub struct LiveError {
    /// The file, as the user named it.
    pub file: String,
    /// A JSON path (`$.items[3].status.allocatable.cpu`) or `line L, column C`.
    pub at: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[help]
    pub help: String,
}

/// A value and, when it was inferred rather than read, why.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact<T> {
    /// The value.
    pub value: T,
    /// `Some(reason)` when the value is a guess or a default.
    pub inferred: Option<String>,
}

impl<T> Fact<T> {
    /// A value read from the export.
    pub fn read(value: T) -> Self {
        Fact {
            value,
            inferred: None,
        }
    }

    /// A value inferred for `reason`.
    pub fn inferred(value: T, reason: impl Into<String>) -> Self {
        Fact {
            value,
            inferred: Some(reason.into()),
        }
    }
}

/// A host as the platform reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveHost {
    /// Its name.
    pub name: String,
    /// The software version it runs, when the export says.
    pub version: Option<String>,
    /// Ready, down or in maintenance.
    pub state: HostState,
    /// The platform's own word for a state that is not ready (`NotReady`, `cordoned`).
    pub state_reason: Option<String>,
    /// Cores.
    pub cpu: Fact<f64>,
    /// GiB of memory.
    pub memory_gib: Fact<f64>,
    /// GiB of storage, when the export has it.
    pub storage_gib: Option<Fact<f64>>,
    /// The fault domain (zone, rack) it is in, if any.
    pub fault_domain: Option<String>,
}

/// A fault domain and the site it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveFaultDomain {
    /// Its name.
    pub name: String,
    /// Its site (region, data centre), if any.
    pub site: Option<String>,
}

/// A workload (pod, VM, container) and where it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveWorkload {
    /// Its name, unique in the cluster (`namespace/pod` for Kubernetes).
    pub name: String,
    /// The host it runs on.
    pub host: String,
    /// Cores it reserves.
    pub cpu: f64,
    /// GiB of memory it reserves.
    pub memory_gib: f64,
    /// GiB of storage it reserves, when stated.
    pub storage_gib: Option<f64>,
    /// How it leaves its host.
    pub migration: Fact<Migration>,
    /// The hosts a must-run rule lets it run on; empty means any host.
    pub allowed_hosts: Vec<String>,
}

/// A member of a quorum group and whether it is up now.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveMember {
    /// A host, component or workload name.
    pub name: String,
    /// Whether it currently takes part (in the monitor quorum, on a Ready node).
    pub up: bool,
    /// Its votes (1 unless the export says otherwise, as corosync's `quorum_votes` does).
    pub votes: u64,
}

/// A quorum group: etcd members, Ceph monitors, corosync nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveQuorum {
    /// Its name.
    pub name: String,
    /// Its members.
    pub members: Vec<LiveMember>,
    /// Why the group exists, when it was inferred.
    pub inferred: Option<String>,
}

/// A disruption budget's limit, already turned into a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveLimit {
    /// Members that may be down at once.
    MaxUnavailable(u64),
    /// Members that must stay up.
    MinAvailable(u64),
}

/// A disruption budget (a PodDisruptionBudget).
#[derive(Debug, Clone, PartialEq)]
pub struct LiveBudget {
    /// Its name.
    pub name: String,
    /// The workloads it selects.
    pub workloads: Vec<String>,
    /// Its limit, as a count; inferred when it was a percentage.
    pub limit: Fact<LiveLimit>,
    /// Disruptions the platform allows right now (`status.disruptionsAllowed`).
    pub disruptions_allowed: Option<i64>,
    /// Members the platform counts as healthy right now (`status.currentHealthy`): unlike
    /// names, this survives pods being replaced under new names.
    pub current_healthy: Option<i64>,
}

/// An anti-affinity group.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveAntiAffinity {
    /// Its name.
    pub name: String,
    /// Its members.
    pub workloads: Vec<String>,
    /// Host or fault domain.
    pub scope: Scope,
    /// Whether the rule is a "must".
    pub mandatory: Fact<bool>,
}

/// An order rule: `before` are upgraded in earlier waves than `after`.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveOrder {
    /// Upgraded first.
    pub before: Vec<String>,
    /// Upgraded later.
    pub after: Vec<String>,
    /// Why the rule was inferred.
    pub reason: String,
}

/// The platform's own health verdict (Ceph's `HEALTH_OK`).
#[derive(Debug, Clone, PartialEq)]
pub struct LiveHealth {
    /// The status word, e.g. `HEALTH_WARN`.
    pub status: String,
    /// Whether the platform calls it healthy.
    pub ok: bool,
    /// The checks that fail, in the platform's words.
    pub checks: Vec<String>,
}

/// Everything the exports say about a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveCluster {
    /// The platform.
    pub platform: Platform,
    /// The cluster's name, when the export has one.
    pub name: Option<String>,
    /// `[policy] max_fault_domains_down`, when it follows from the exports.
    pub max_fault_domains_down: Option<Fact<u64>>,
    /// Sites, in order of first appearance.
    pub sites: Vec<String>,
    /// Fault domains, in order of first appearance.
    pub fault_domains: Vec<LiveFaultDomain>,
    /// Hosts.
    pub hosts: Vec<LiveHost>,
    /// Workloads.
    pub workloads: Vec<LiveWorkload>,
    /// Quorum groups.
    pub quorum_groups: Vec<LiveQuorum>,
    /// Disruption budgets.
    pub budgets: Vec<LiveBudget>,
    /// Anti-affinity groups.
    pub anti_affinity: Vec<LiveAntiAffinity>,
    /// Order rules.
    pub orders: Vec<LiveOrder>,
    /// The platform's health, when an export gives it.
    pub health: Option<LiveHealth>,
    /// Things the importer noticed but could not express as keys; written as comments.
    pub notes: Vec<String>,
}

impl LiveCluster {
    /// An empty cluster of `platform`.
    pub fn new(platform: Platform) -> Self {
        LiveCluster {
            platform,
            name: None,
            max_fault_domains_down: None,
            sites: Vec::new(),
            fault_domains: Vec::new(),
            hosts: Vec::new(),
            workloads: Vec::new(),
            quorum_groups: Vec::new(),
            budgets: Vec::new(),
            anti_affinity: Vec::new(),
            orders: Vec::new(),
            health: None,
            notes: Vec::new(),
        }
    }

    /// Whether two members already share a host (or fault domain), which a description may not
    /// say of a mandatory group.
    pub fn placement_breaks(&self, members: &[String], scope: Scope) -> bool {
        let mut places = Vec::new();
        for member in members {
            let Some(workload) = self.workloads.iter().find(|w| &w.name == member) else {
                continue;
            };
            let place = match scope {
                Scope::Host => Some(workload.host.clone()),
                Scope::FaultDomain => self
                    .hosts
                    .iter()
                    .find(|h| h.name == workload.host)
                    .map(|h| h.fault_domain.clone().unwrap_or_else(|| h.name.clone())),
            };
            if places.contains(&place) {
                return true;
            }
            places.push(place);
        }
        false
    }
}

/// The platforms with an importer.
pub const PLATFORMS: [Platform; 6] = [
    Platform::Kubernetes,
    Platform::Ceph,
    Platform::Proxmox,
    Platform::Openstack,
    Platform::Vsphere,
    Platform::Vsan,
];

/// Reads the exports `files` of `platform` (text, in any order) into a [`LiveCluster`].
///
/// Each file is recognised by its content; a file that is not an export of that platform, or
/// that is malformed, is an error naming the file and the JSON path.
pub fn parse(platform: Platform, files: &[Source]) -> Result<LiveCluster, LiveError> {
    if files.is_empty() {
        return Err(LiveError {
            file: "(no file)".to_string(),
            at: "arguments".to_string(),
            message: format!("no export of {} given", platform.name()),
            help: "give the files the README lists for this platform".to_string(),
        });
    }
    // RVTools sheets are CSV; every other export is JSON.
    if matches!(platform, Platform::Vsphere | Platform::Vsan)
        && files.iter().any(|f| rvtools::is_csv(f.text()))
    {
        let mut live = rvtools::read(files)?;
        live.platform = platform;
        limits::check(&live, files[0].name())?;
        return Ok(live);
    }
    let values = files
        .iter()
        .map(|f| Ok((f.name(), json::parse(f.name(), f.text())?)))
        .collect::<Result<Vec<_>, LiveError>>()?;
    let live = match platform {
        Platform::Kubernetes => kubernetes::read(&values),
        Platform::Ceph => ceph::read(&values),
        Platform::Proxmox => proxmox::read(&values),
        Platform::Openstack => openstack::read(&values),
        Platform::Vsphere | Platform::Vsan => vsphere::read(&values).map(|mut live| {
            live.platform = platform;
            live
        }),
        other => Err(LiveError {
            file: files[0].name().to_string(),
            at: "arguments".to_string(),
            message: format!("no importer for {} yet", other.name()),
            help: format!(
                "importers exist for: {}",
                PLATFORMS.map(Platform::name).join(", ")
            ),
        }),
    }?;
    limits::check(&live, files[0].name())?;
    Ok(live)
}

/// An error for a file that is not any export this platform's importer knows.
pub(crate) fn unrecognised(file: &str, platform: Platform, expected: &str) -> LiveError {
    LiveError {
        file: file.to_string(),
        at: "$".to_string(),
        message: format!("not an export quorate knows for {}", platform.name()),
        help: format!("expected one of: {expected}"),
    }
}
