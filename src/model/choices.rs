//! The choices and the policy of a description: platform, objective, host state, migration,
//! anti-affinity scope, and the cluster-wide `[policy]`. Each choice lists its names in the
//! input format, so parsing and writing a description use the same table.

/// The platform family, which decides the commands a runbook shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// VMware vSphere.
    Vsphere,
    /// VMware vSAN (vSphere with vSAN storage).
    Vsan,
    /// Nutanix AHV.
    Nutanix,
    /// Proxmox VE.
    Proxmox,
    /// Microsoft Hyper-V failover clustering.
    Hyperv,
    /// OpenStack with KVM.
    Openstack,
    /// Kubernetes.
    Kubernetes,
    /// Ceph.
    Ceph,
    /// Anything else: prose steps only.
    Generic,
}

impl Platform {
    /// Every platform with its name in the input format.
    pub const NAMES: [(&'static str, Platform); 9] = [
        ("vsphere", Platform::Vsphere),
        ("vsan", Platform::Vsan),
        ("nutanix", Platform::Nutanix),
        ("proxmox", Platform::Proxmox),
        ("hyperv", Platform::Hyperv),
        ("openstack", Platform::Openstack),
        ("kubernetes", Platform::Kubernetes),
        ("ceph", Platform::Ceph),
        ("generic", Platform::Generic),
    ];

    /// The name used in the input format.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("generic", |(n, _)| n)
    }
}

/// What the planner minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Objective {
    /// The fewest waves.
    Waves,
    /// The least total time: per wave, the overhead plus its longest item.
    Duration,
}

impl Objective {
    /// Every objective with its name in the input format.
    pub const NAMES: [(&'static str, Objective); 2] =
        [("waves", Objective::Waves), ("duration", Objective::Duration)];

    /// The name used in the input format.
    pub fn name(self) -> &'static str {
        match self {
            Objective::Waves => "waves",
            Objective::Duration => "duration",
        }
    }
}

/// Whether a host takes part in the upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostState {
    /// Up and to be upgraded.
    Ready,
    /// Already down: not upgraded, unavailable in every wave.
    Down,
    /// Already in maintenance: not upgraded, unavailable in every wave.
    Maintenance,
}

impl HostState {
    /// Every state with its name in the input format.
    pub const NAMES: [(&'static str, HostState); 3] = [
        ("ready", HostState::Ready),
        ("down", HostState::Down),
        ("maintenance", HostState::Maintenance),
    ];

    /// The name used in the input format.
    pub fn name(self) -> &'static str {
        match self {
            HostState::Ready => "ready",
            HostState::Down => "down",
            HostState::Maintenance => "maintenance",
        }
    }
}

/// How a workload behaves when its host goes into maintenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Migration {
    /// Moves while running: stays up, needs room elsewhere.
    Live,
    /// Evicted and restarted elsewhere: down during the wave, needs room elsewhere.
    Restart,
    /// Stays on its host and is down with it: needs no room.
    None,
}

impl Migration {
    /// Every migration behaviour with its name in the input format.
    pub const NAMES: [(&'static str, Migration); 3] = [
        ("live", Migration::Live),
        ("restart", Migration::Restart),
        ("none", Migration::None),
    ];

    /// The name used in the input format.
    pub fn name(self) -> &'static str {
        match self {
            Migration::Live => "live",
            Migration::Restart => "restart",
            Migration::None => "none",
        }
    }

    /// Whether the workload leaves its host (and so needs room on another).
    pub fn moves(self) -> bool {
        matches!(self, Migration::Live | Migration::Restart)
    }
}

/// Where an anti-affinity rule keeps its members apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// No two members on one host.
    Host,
    /// No two members in one fault domain.
    FaultDomain,
}

impl Scope {
    /// Every scope with its name in the input format.
    pub const NAMES: [(&'static str, Scope); 2] =
        [("host", Scope::Host), ("fault_domain", Scope::FaultDomain)];

    /// The name used in the input format.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Host => "host",
            Scope::FaultDomain => "fault_domain",
        }
    }
}

/// The cluster-wide rules of `[policy]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Hosts in maintenance at once, at most.
    pub max_hosts_per_wave: Option<u32>,
    /// Fault domains with a host down at once, at most.
    pub max_fault_domains_down: Option<u32>,
    /// Sites with a host down at once, at most.
    pub max_sites_down: Option<u32>,
    /// Per-host capacity that must stay free, in percent.
    pub headroom_percent: f64,
    /// Virtual CPUs per physical core: every host's `cpu` is multiplied by it before headroom
    /// (nova's `cpu_allocation_ratio`, "virtual CPU to physical CPU allocation ratio" in nova's
    /// configuration reference; vSphere's vCPU:pCPU ratio). 1 means no overcommit.
    pub cpu_overcommit: f64,
    /// Room kept to restart the k largest hosts' worth of workloads.
    pub reserve_host_failures: u32,
    /// What to minimise.
    pub objective: Objective,
    /// Fixed cost of every wave, in minutes.
    pub wave_overhead_minutes: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_hosts_per_wave: None,
            max_fault_domains_down: None,
            max_sites_down: None,
            headroom_percent: 0.0,
            cpu_overcommit: 1.0,
            reserve_host_failures: 0,
            objective: Objective::Waves,
            wave_overhead_minutes: 0,
        }
    }
}
