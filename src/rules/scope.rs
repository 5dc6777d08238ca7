//! Anti-affinity scope: the spot a host stands for in a group that keeps its members apart,
//! the host itself or its fault domain.

use crate::model::{Cluster, HostId, Scope};

/// The index of the spot host `h` occupies for `scope`: the host's own index, or its fault
/// domain's.
pub fn spot(cluster: &Cluster, scope: Scope, h: HostId) -> usize {
    match scope {
        Scope::Host => h.index(),
        Scope::FaultDomain => cluster.host(h).fault_domain.index(),
    }
}

/// How many spots `scope` has in `cluster`: one per host, or one per fault domain.
pub fn spots(cluster: &Cluster, scope: Scope) -> usize {
    match scope {
        Scope::Host => cluster.hosts.len(),
        Scope::FaultDomain => cluster.fault_domains.len(),
    }
}
