//! The description as written: spanned values, names not yet resolved.
//!
//! Every field that a later pass may complain about keeps its span, so that resolution errors
//! (an unknown host, a duplicate name, a cycle) point at the exact key in the file.

use crate::model::{HostState, Migration, Objective, Platform, Scope};
use crate::parse::fields::SpannedCounts;
use crate::source::Span;
use toml::Spanned;

/// `[cluster]`.
#[derive(Debug, Default)]
pub struct RawClusterInfo {
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `platform`.
    pub platform: Option<Spanned<Platform>>,
}

/// `[policy]`.
#[derive(Debug, Default)]
pub struct RawPolicy {
    /// `max_hosts_per_wave`.
    pub max_hosts_per_wave: Option<Spanned<u64>>,
    /// `max_fault_domains_down`.
    pub max_fault_domains_down: Option<Spanned<u64>>,
    /// `max_sites_down`.
    pub max_sites_down: Option<Spanned<u64>>,
    /// `headroom_percent`.
    pub headroom_percent: Option<Spanned<f64>>,
    /// `cpu_overcommit` (an addition to the contract): vCPUs per physical core.
    pub cpu_overcommit: Option<Spanned<f64>>,
    /// `reserve_host_failures`.
    pub reserve_host_failures: Option<Spanned<u64>>,
    /// `objective`.
    pub objective: Option<Spanned<Objective>>,
    /// `wave_overhead_minutes`.
    pub wave_overhead_minutes: Option<Spanned<u64>>,
}

/// `[defaults]`.
#[derive(Debug, Default)]
pub struct RawDefaults {
    /// `upgrade_minutes`.
    pub upgrade_minutes: Option<Spanned<u64>>,
    /// `target_version`.
    pub target_version: Option<Spanned<String>>,
}

/// `[[site]]`.
#[derive(Debug)]
pub struct RawSite {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Spanned<String>>,
}

/// `[[fault_domain]]`.
#[derive(Debug)]
pub struct RawFaultDomain {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `site`.
    pub site: Option<Spanned<String>>,
}

/// `[[host]]`.
#[derive(Debug)]
pub struct RawHost {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `fault_domain`.
    pub fault_domain: Option<Spanned<String>>,
    /// `cpu`.
    pub cpu: Option<Spanned<f64>>,
    /// `memory_gib`.
    pub memory_gib: Option<Spanned<f64>>,
    /// `storage_gib`.
    pub storage_gib: Option<Spanned<f64>>,
    /// `version`.
    pub version: Option<Spanned<String>>,
    /// `target_version` (an addition to the contract: overrides `[defaults]`).
    pub target_version: Option<Spanned<String>>,
    /// `upgrade_minutes`.
    pub upgrade_minutes: Option<Spanned<u64>>,
    /// `state`.
    pub state: Option<Spanned<HostState>>,
}

/// `[[component]]`.
#[derive(Debug)]
pub struct RawComponent {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `upgrade_minutes`.
    pub upgrade_minutes: Option<Spanned<u64>>,
    /// `exclusive`.
    pub exclusive: Option<Spanned<bool>>,
    /// `version` (an addition to the contract).
    pub version: Option<Spanned<String>>,
    /// `target_version` (an addition to the contract).
    pub target_version: Option<Spanned<String>>,
}

/// `[[workload]]`.
#[derive(Debug)]
pub struct RawWorkload {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `host`.
    pub host: Option<Spanned<String>>,
    /// `cpu`.
    pub cpu: Option<Spanned<f64>>,
    /// `memory_gib`.
    pub memory_gib: Option<Spanned<f64>>,
    /// `storage_gib`.
    pub storage_gib: Option<Spanned<f64>>,
    /// `migration`.
    pub migration: Option<Spanned<Migration>>,
    /// `allowed_hosts`.
    pub allowed_hosts: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `[[quorum_group]]`.
#[derive(Debug)]
pub struct RawQuorumGroup {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `members`.
    pub members: Option<Spanned<Vec<Spanned<String>>>>,
    /// `votes`.
    pub votes: Option<SpannedCounts>,
    /// `quorum`.
    pub quorum: Option<Spanned<u64>>,
}

/// `[[disruption_budget]]`.
#[derive(Debug)]
pub struct RawBudget {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `workloads`.
    pub workloads: Option<Spanned<Vec<Spanned<String>>>>,
    /// `max_unavailable`.
    pub max_unavailable: Option<Spanned<u64>>,
    /// `min_available`.
    pub min_available: Option<Spanned<u64>>,
}

/// `[[anti_affinity]]`.
#[derive(Debug)]
pub struct RawAntiAffinity {
    /// The table header.
    pub header: Span,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `workloads`.
    pub workloads: Option<Spanned<Vec<Spanned<String>>>>,
    /// `scope`.
    pub scope: Option<Spanned<Scope>>,
    /// `mandatory`.
    pub mandatory: Option<Spanned<bool>>,
}

/// `[[order]]`.
#[derive(Debug)]
pub struct RawOrder {
    /// The table header.
    pub header: Span,
    /// `before`.
    pub before: Option<Spanned<Vec<Spanned<String>>>>,
    /// `after`.
    pub after: Option<Spanned<Vec<Spanned<String>>>>,
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
