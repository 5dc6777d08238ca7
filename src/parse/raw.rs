//! The description as written: spanned values, names not yet resolved.
//!
//! Every field that a later pass may complain about keeps its span, so that resolution errors
//! (an unknown host, a duplicate name, a cycle) point at the exact key in the file.

use crate::model::{HostState, Migration, Objective, Platform, Scope};
use crate::parse::fields::{Sp, SpannedCounts};
use crate::source::Span;

/// `[cluster]`.
#[derive(Debug, Default)]
pub struct RawClusterInfo {
    /// `name`.
    pub name: Option<Sp<String>>,
    /// `platform`.
    pub platform: Option<Sp<Platform>>,
}

/// `[policy]`.
#[derive(Debug, Default)]
pub struct RawPolicy {
    /// `max_hosts_per_wave`.
    pub max_hosts_per_wave: Option<Sp<u64>>,
    /// `max_fault_domains_down`.
    pub max_fault_domains_down: Option<Sp<u64>>,
    /// `max_sites_down`.
    pub max_sites_down: Option<Sp<u64>>,
    /// `headroom_percent`.
    pub headroom_percent: Option<Sp<f64>>,
    /// `cpu_overcommit` (an addition to the contract): vCPUs per physical core.
    pub cpu_overcommit: Option<Sp<f64>>,
    /// `reserve_host_failures`.
    pub reserve_host_failures: Option<Sp<u64>>,
    /// `objective`.
    pub objective: Option<Sp<Objective>>,
    /// `wave_overhead_minutes`.
    pub wave_overhead_minutes: Option<Sp<u64>>,
}

/// `[defaults]`.
#[derive(Debug, Default)]
pub struct RawDefaults {
    /// `upgrade_minutes`.
    pub upgrade_minutes: Option<Sp<u64>>,
    /// `target_version`.
    pub target_version: Option<Sp<String>>,
}

/// `[[site]]`.
#[derive(Debug)]
pub struct RawSite {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Sp<String>>,
}

/// `[[fault_domain]]`.
#[derive(Debug)]
pub struct RawFaultDomain {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Sp<String>>,
    /// `site`.
    pub site: Option<Sp<String>>,
}

/// `[[host]]`.
#[derive(Debug)]
pub struct RawHost {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Sp<String>>,
    /// `fault_domain`.
    pub fault_domain: Option<Sp<String>>,
    /// `cpu`.
    pub cpu: Option<Sp<f64>>,
    /// `memory_gib`.
    pub memory_gib: Option<Sp<f64>>,
    /// `storage_gib`.
    pub storage_gib: Option<Sp<f64>>,
    /// `version`.
    pub version: Option<Sp<String>>,
    /// `target_version` (an addition to the contract: overrides `[defaults]`).
    pub target_version: Option<Sp<String>>,
    /// `upgrade_minutes`.
    pub upgrade_minutes: Option<Sp<u64>>,
    /// `state`.
    pub state: Option<Sp<HostState>>,
}

/// `[[component]]`.
#[derive(Debug)]
pub struct RawComponent {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Sp<String>>,
    /// `upgrade_minutes`.
    pub upgrade_minutes: Option<Sp<u64>>,
    /// `exclusive`.
    pub exclusive: Option<Sp<bool>>,
    /// `version` (an addition to the contract).
    pub version: Option<Sp<String>>,
    /// `target_version` (an addition to the contract).
    pub target_version: Option<Sp<String>>,
}

/// `[[workload]]`.
#[derive(Debug)]
pub struct RawWorkload {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Sp<String>>,
    /// `host`.
    pub host: Option<Sp<String>>,
    /// `cpu`.
    pub cpu: Option<Sp<f64>>,
    /// `memory_gib`.
    pub memory_gib: Option<Sp<f64>>,
    /// `storage_gib`.
    pub storage_gib: Option<Sp<f64>>,
    /// `migration`.
    pub migration: Option<Sp<Migration>>,
    /// `allowed_hosts`.
    pub allowed_hosts: Option<Sp<Vec<Sp<String>>>>,
}

/// `[[quorum_group]]`.
#[derive(Debug)]
pub struct RawQuorumGroup {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Sp<String>>,
    /// `members`.
    pub members: Option<Sp<Vec<Sp<String>>>>,
    /// `votes`.
    pub votes: Option<SpannedCounts>,
    /// `quorum`.
    pub quorum: Option<Sp<u64>>,
}

/// `[[disruption_budget]]`.
#[derive(Debug)]
pub struct RawBudget {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Sp<String>>,
    /// `workloads`.
    pub workloads: Option<Sp<Vec<Sp<String>>>>,
    /// `max_unavailable`.
    pub max_unavailable: Option<Sp<u64>>,
    /// `min_available`.
    pub min_available: Option<Sp<u64>>,
}

/// `[[anti_affinity]]`.
#[derive(Debug)]
pub struct RawAntiAffinity {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Sp<String>>,
    /// `workloads`.
    pub workloads: Option<Sp<Vec<Sp<String>>>>,
    /// `scope`.
    pub scope: Option<Sp<Scope>>,
    /// `mandatory`.
    pub mandatory: Option<Sp<bool>>,
}

/// `[[order]]`.
#[derive(Debug)]
pub struct RawOrder {
    /// The table header.
    pub header: Span,
    /// `before`.
    pub before: Option<Sp<Vec<Sp<String>>>>,
    /// `after`.
    pub after: Option<Sp<Vec<Sp<String>>>>,
}

/// A whole description as written.
#[derive(Debug, Default)]
pub struct RawCluster {
    /// `[cluster]`.
    pub cluster: RawClusterInfo,
    /// `[policy]`.
    pub policy: RawPolicy,
    /// `[defaults]`.
    pub defaults: RawDefaults,
    /// `[[site]]`.
    pub sites: Vec<RawSite>,
    /// `[[fault_domain]]`.
    pub fault_domains: Vec<RawFaultDomain>,
    /// `[[host]]`.
    pub hosts: Vec<RawHost>,
    /// `[[component]]`.
    pub components: Vec<RawComponent>,
    /// `[[workload]]`.
    pub workloads: Vec<RawWorkload>,
    /// `[[quorum_group]]`.
    pub quorum_groups: Vec<RawQuorumGroup>,
    /// `[[disruption_budget]]`.
    pub budgets: Vec<RawBudget>,
    /// `[[anti_affinity]]`.
    pub anti_affinity: Vec<RawAntiAffinity>,
    /// `[[order]]`.
    pub orders: Vec<RawOrder>,
    /// Tables written under a name quorate does not know but close to one that declares names
    /// (`[[hosts]]` for `[[host]]`): reported as unknown, and remembered so that the references
    /// to the names they declare are explained by that one mistake.
    pub misnamed: Vec<MisnamedTable>,
}

/// A table under an unknown name close to a table that declares names: `[[hosts]]`.
#[derive(Debug, Clone)]
pub struct MisnamedTable {
    /// The unknown key, where the unknown-table error points.
    pub key: Span,
    /// The table as written: `[[hosts]]`.
    pub written: String,
    /// The table meant: `host`.
    pub meant: &'static str,
    /// The `name` of each of its tables.
    pub names: Vec<String>,
}
