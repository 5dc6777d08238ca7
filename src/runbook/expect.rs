//! What a check expects, as data.
//!
//! A check's `expect` is prose for the operator; an [`Expectation`] is the same promise in a
//! form a program can test. Each platform turns an expectation into its `assert` command
//! ([`super::platform::Commands::assert`]), and a reader of live state can evaluate the same
//! list without parsing prose. Only the checks whose expectation can be stated in these
//! terms carry one; platform-specific checks (storage health, policies) build their asserts
//! themselves.

use crate::model::Resource;
use crate::rules::capacity::Scale;

/// What a check expects, with the names and numbers from the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// Each of `hosts` runs `version`.
    Version {
        /// The hosts, by name.
        hosts: Vec<String>,
        /// The version each must report.
        version: String,
    },
    /// Each of `hosts` is up, healthy and out of maintenance (and takes workloads).
    HostsUp {
        /// The hosts, by name.
        hosts: Vec<String>,
    },
    /// Every host of the cluster but `except` is up and out of maintenance.
    ClusterUp {
        /// The hosts declared down or in maintenance.
        except: Vec<String>,
    },
    /// `host` is down or in maintenance, as declared.
    Unavailable {
        /// The host, by name.
        host: String,
    },
    /// Component `component` runs `version`.
    ComponentVersion {
        /// The component, by name.
        component: String,
        /// The version it must report.
        version: String,
    },
    /// At least `needed` votes of quorum group `group` are present now.
    Votes {
        /// The group, by name.
        group: String,
        /// Its host members.
        hosts: Vec<String>,
        /// Its workload members.
        workloads: Vec<String>,
        /// The votes that must be present.
        needed: u64,
    },
    /// Disruption budget `name` counts at least `healthy` healthy members and allows at least
    /// `disruptions` more to go.
    Budget {
        /// The budget, by name.
        name: String,
        /// Its workloads.
        workloads: Vec<String>,
        /// Members that must be healthy.
        healthy: u64,
        /// Disruptions it must allow now: 1 before a wave that stops or moves a member (an
        /// eviction waits for the replacement before the next), 0 after.
        disruptions: u64,
    },
    /// The hosts that stay up have at least `needed` of `resource` free: the sum over `hosts`
    /// of each host's room, its raw capacity times `scale` less the demand of the workloads on
    /// it (at least zero). This is the free room the capacity rule
    /// ([`crate::rules::capacity::evacuation`]) compares with the evacuation plus the HA
    /// reserve, the condition the validator checked.
    Capacity {
        /// The resource.
        resource: Resource,
        /// The hosts that stay up, can take workloads and track the resource, by name.
        hosts: Vec<String>,
        /// The free room they must have, in fixed point (thousandths of a core or GiB).
        needed: u64,
        /// From raw capacity to usable capacity (overcommit and headroom).
        scale: Scale,
    },
    /// Every one of these holds.
    All(Vec<Expectation>),
}
