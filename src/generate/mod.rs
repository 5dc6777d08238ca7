//! Benchmark clusters, generated deterministically from a shape, a size and a seed.
//!
//! Issue 10 asks for clusters of the shapes operators run, at 16 to 5,000 hosts, to measure the
//! planner on: [`Shape`] names them, [`generate`] writes one as a cluster description (TOML
//! text, so what is measured is the whole path an operator's file takes). Sizes come from a
//! [`Trace`] the caller reads (the CLI's hidden `quorate generate` reads the Alibaba trace from
//! `../shared/data`): node capacities for hosts, pod sizes for workloads, scaled so that the
//! hosts are about as full as the shape says. About ten workloads run per host, so 1,000 hosts
//! carry about 10,000 workloads and 5,000 hosts about 50,000.
//!
//! The same recipe gives the same text on every machine: the generator has its own PRNG and
//! iterates over vectors only. Every generated cluster has a safe plan by construction (group
//! members sit apart, hosts keep room), which the tests check by planning and validating.

mod draft;
mod shapes;
mod trace;

use std::fmt;
use std::str::FromStr;

pub use trace::{SplitMix64, Trace, TraceError};

/// The shapes of cluster the generator draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// vSAN with fault domains (racks), one down at a time, storage tracked, vCenter first.
    Vsan,
    /// A vSAN stretched cluster: two sites as fault domains, a witness whose votes keep
    /// quorum while one site is down.
    Stretched,
    /// Nutanix AHV with block awareness (blocks of 4 nodes), a pinned CVM on every node,
    /// Prism Central first.
    Nutanix,
    /// Proxmox VE with Ceph: racks as the CRUSH failure domain, corosync quorum over the nodes,
    /// 3 or 5 pinned Ceph monitors.
    ProxmoxCeph,
    /// Kubernetes: 3 zones, 3 or 5 control-plane nodes with etcd, upgraded first; pods that
    /// restart, PodDisruptionBudgets, zone anti-affinity, quorum-based stateful sets.
    Kubernetes,
    /// A fleet of many racks of 20 hosts over 4 sites, host sizes mixed as in the trace.
    Fleet,
}

impl Shape {
    /// Every shape, in the order of the documentation.
    pub const ALL: [Shape; 6] = [
        Shape::Vsan,
        Shape::Stretched,
        Shape::Nutanix,
        Shape::ProxmoxCeph,
        Shape::Kubernetes,
        Shape::Fleet,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Vsan => "vsan",
            Shape::Stretched => "stretched",
            Shape::Nutanix => "nutanix",
            Shape::ProxmoxCeph => "proxmox-ceph",
            Shape::Kubernetes => "kubernetes",
            Shape::Fleet => "fleet",
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Shape {
    type Err = String;

    fn from_str(s: &str) -> Result<Shape, String> {
        Shape::ALL
            .into_iter()
            .find(|shape| shape.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Shape::ALL.iter().map(|s| s.name()).collect();
                format!("no shape `{s}`; the shapes are {}", names.join(", "))
            })
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipe {
    /// The shape.
    pub shape: Shape,
    /// Hosts in all, control-plane nodes included; raised to the shape's minimum (3 or 4).
    pub hosts: usize,
    /// The seed: the same recipe always gives the same text.
    pub seed: u64,
}

/// Writes the cluster of `recipe` as a cluster description, sizes drawn from `trace`.
pub fn generate(recipe: &Recipe, trace: &Trace) -> String {
    shapes::draw(recipe, trace).to_toml()
}
