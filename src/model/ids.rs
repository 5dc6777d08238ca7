//! Typed indices into a [`Cluster`](super::Cluster)'s tables.
//!
//! A `HostId` can never be used where a `WorkloadId` is meant; the numbers are positions in the
//! cluster's vectors, in the order the description declares them.

use std::fmt;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The position in the cluster's table.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of the item at `index`.
            pub fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).expect("more than u32::MAX items"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}#{}", stringify!($name), self.0)
            }
        }
    };
}

typed_id!(
    /// A host (hypervisor, node) of the cluster.
    HostId
);
typed_id!(
    /// A fault domain, declared or implicit (a host without one is its own).
    FaultDomainId
);
typed_id!(
    /// A site.
    SiteId
);
typed_id!(
    /// A control-plane component that is not a host.
    ComponentId
);
typed_id!(
    /// A workload (VM, pod, CVM) running on a host.
    WorkloadId
);
typed_id!(
    /// A quorum group.
    QuorumGroupId
);
typed_id!(
    /// A disruption budget.
    BudgetId
);
typed_id!(
    /// An anti-affinity group.
    AntiAffinityId
);

/// Something the plan upgrades: a host or a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemId {
    /// A host.
    Host(HostId),
    /// A component.
    Component(ComponentId),
}

/// A member of a quorum group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemberId {
    /// A host: down while it is upgraded or unavailable.
    Host(HostId),
    /// A component: down while it is upgraded.
    Component(ComponentId),
    /// A workload: down while its host is down, unless it live-migrates.
    Workload(WorkloadId),
}
