//! Baselines: what today's rolling-upgrade tools would do on the same cluster, and whether it
//! would be safe.
//!
//! Every plan document carries them (`summary.baselines`), so an operator sees what quorate
//! saves against the tool they would otherwise run. Each baseline is the tool's documented
//! behaviour, cut into waves by [`sequence`], and judged by [`crate::validate`], the
//! validator written apart from the solver: the planner's rules never decide whether a
//! baseline is safe. The tools and their documented behaviour:
//!
//! - **One host at a time**: vSphere Lifecycle Manager remediates the hosts of a vSAN cluster
//!   sequentially, one host in maintenance mode at a time
//!   (<https://docs.vmware.com/en/VMware-vSphere/8.0/vsphere-lifecycle-manager/GUID-C2BB3DC5-D0E4-44D6-BA43-EB67F005CF8F.html>);
//!   Nutanix allows one node in maintenance mode per cluster
//!   (<https://next.nutanix.com/how-it-works-22/cvm-maintenance-and-host-maintenance-37089>);
//!   Cluster-Aware Updating drains, updates and restarts one node, then "moves to update the
//!   next node" (<https://learn.microsoft.com/en-us/windows-server/failover-clustering/cluster-aware-updating>);
//!   kured holds a lock in the API server so that only one node reboots at a time
//!   (<https://github.com/kubereboot/kured>). This is also `maxUnavailable` = 1.
//! - **A fixed `maxUnavailable` k, in name order**: OpenShift's MachineConfigPool
//!   `spec.maxUnavailable`
//!   (<https://docs.redhat.com/en/documentation/openshift_container_platform/4.19/html/machine_apis/machineconfigpool-machineconfiguration-openshift-io-v1>),
//!   system-upgrade-controller's Plan `spec.concurrency`
//!   (<https://github.com/rancher/system-upgrade-controller>, `pkg/apis/upgrade.cattle.io/v1/types.go`),
//!   EKS managed node groups' `updateConfig.maxUnavailable`, "the maximum number of nodes
//!   unavailable at once during a version update"
//!   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-eks-nodegroup-updateconfig.html>).
//!   None of them looks at quorum, budgets across nodes, or capacity when it picks the next k
//!   nodes, so the baseline takes hosts in name order. The largest safe k is searched with the
//!   validator, galloping up from 2 and then bisecting (safety is close to monotone in k, not
//!   exactly: the search reports a k it checked, which may not be the very largest).
//! - **One fault domain at a time**: vLCM with fault domains remediates every host of one
//!   fault domain, then the next, the domain with the fewest non-compliant hosts first
//!   (<https://docs.vmware.com/en/VMware-vSphere/7.0/com.vmware.vsphere-lifecycle-manager.doc/GUID-5D8864D1-0BEA-47E9-B6B9-BA4A05B8B0D5.html>).
//!   Only shown when the description declares fault domains.
//!
//! The cost is bounded: at most [`MAX_K_PROBES`] + 2 validations, and none at all above
//! [`CHECKED_HOSTS_LIMIT`] ready hosts, where the waves and minutes are still given and the
//! safety is reported as not checked. The limit counts hosts, not seconds, so the same input
//! always gives the same document.

mod sequence;

use serde::{Deserialize, Serialize};

use crate::model::{Cluster, ItemId};
use crate::validate::{Named, PlanInput, WaveInput, validate};
use sequence::Cut;

/// Above this many ready hosts the baselines are not validated: each validation places every
/// wave's workloads and, for an unsafe baseline, searches for help lines; on 1,022 hosts and
/// 9,000 workloads three validations took 4 s, as long as the plan itself (docs/performance.md,
/// "Baselines").
pub const CHECKED_HOSTS_LIMIT: usize = 300;

/// What a tool does, as a strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// One host per wave, in name order (`maxUnavailable` = 1).
    OneHostAtATime,
    /// `k` hosts per wave, in name order.
    MaxUnavailable(usize),
    /// Every host of one fault domain per wave.
    FaultDomainAtATime,
}

impl Strategy {
    /// The stable key of the plan document.
    pub fn key(self) -> &'static str {
        match self {
            Strategy::OneHostAtATime => "one_host_at_a_time",
            Strategy::MaxUnavailable(_) => "max_unavailable",
            Strategy::FaultDomainAtATime => "fault_domain_at_a_time",
        }
    }

    /// The tools that behave this way.
    pub fn tools(self) -> &'static [&'static str] {
        match self {
            Strategy::OneHostAtATime => &[
                "vSphere Lifecycle Manager (vSAN)",
                "Nutanix LCM",
                "Cluster-Aware Updating",
                "kured",
            ],
            Strategy::MaxUnavailable(_) => &[
                "OpenShift MachineConfigPool",
                "system-upgrade-controller",
                "EKS managed node groups",
            ],
            Strategy::FaultDomainAtATime => &["vSphere Lifecycle Manager with fault domains"],
        }
    }

    /// Hosts per wave, when the strategy fixes it.
    pub fn hosts_per_wave(self) -> Option<usize> {
        match self {
            Strategy::OneHostAtATime => Some(1),
            Strategy::MaxUnavailable(k) => Some(k),
            Strategy::FaultDomainAtATime => None,
        }
    }

    fn cut(self) -> Cut {
        match self {
            Strategy::OneHostAtATime => Cut::Hosts(1),
            Strategy::MaxUnavailable(k) => Cut::Hosts(k),
            Strategy::FaultDomainAtATime => Cut::FaultDomains,
        }
    }
}

/// The first rule a baseline breaks, as the validator reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstViolation {
    /// The validator's stable code, e.g. `quorum_lost`.
    pub code: String,
    /// The wave, 1-based; absent for plan-wide violations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave: Option<usize>,
    /// The group, host or resource it is about.
    pub subject: String,
    /// What is wrong, with the numbers.
    pub message: String,
}

/// One baseline in the plan document (`summary.baselines[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineDocument {
    /// `one_host_at_a_time`, `max_unavailable` or `fault_domain_at_a_time`.
    pub strategy: String,
    /// Hosts per wave, when the strategy fixes it (1, or the `maxUnavailable` k).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosts_per_wave: Option<usize>,
    /// The tools that behave this way.
    pub tools: Vec<String>,
    /// Waves, components included (each in a wave of its own).
    pub waves: usize,
    /// Minutes of all waves, back to back.
    pub total_minutes: u64,
    /// Whether quorate's validator accepts it; `null` when it was not checked.
    pub safe: Option<bool>,
    /// Rules broken, counted, when unsafe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violations: Option<usize>,
    /// The first rule broken, when unsafe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_violation: Option<FirstViolation>,
    /// Why it was not checked, when `safe` is `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_checked: Option<String>,
    /// Waves the plan saves against it (negative when the plan has more).
    pub waves_saved: i64,
    /// Minutes the plan saves against it (negative when the plan takes longer).
    pub minutes_saved: i64,
}

/// Whether a baseline is safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Safety {
    /// The validator accepts it.
    Safe,
    /// The validator rejects it: how many violations, and the first.
    Unsafe(usize, FirstViolation),
    /// Not validated, and why.
    NotChecked(String),
}

/// One baseline: a strategy's waves, minutes and safety.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The strategy.
    pub strategy: Strategy,
    /// Its waves, as items.
    pub waves: Vec<Vec<ItemId>>,
    /// Total minutes.
    pub total_minutes: u64,
    /// Whether it is safe.
    pub safety: Safety,
}

impl Baseline {
    /// Its entry in the plan document, with what a plan of `waves` waves and `minutes`
    /// minutes saves against it.
    pub fn document(&self, plan_waves: usize, plan_minutes: u64) -> BaselineDocument {
        let (safe, violations, first, not_checked) = match &self.safety {
            Safety::Safe => (Some(true), None, None, None),
            Safety::Unsafe(n, first) => (Some(false), Some(*n), Some(first.clone()), None),
            Safety::NotChecked(why) => (None, None, None, Some(why.clone())),
        };
        BaselineDocument {
            strategy: self.strategy.key().to_string(),
            hosts_per_wave: self.strategy.hosts_per_wave(),
            tools: self.strategy.tools().iter().map(|t| t.to_string()).collect(),
            waves: self.waves.len(),
            total_minutes: self.total_minutes,
            safe,
            violations,
            first_violation: first,
            not_checked,
            waves_saved: self.waves.len() as i64 - plan_waves as i64,
            minutes_saved: self.total_minutes as i64 - plan_minutes as i64,
        }
    }
}

/// The baselines of `cluster`: one host at a time; the largest safe `maxUnavailable` k found
/// (or k = 2, unsafe, when even two hosts at a time break a rule); one fault domain at a time
/// when fault domains are declared. Empty when there is no host to upgrade.
pub fn baselines(cluster: &Cluster) -> Vec<Baseline> {
    let hosts = cluster.upgraded_hosts().count();
    if hosts == 0 {
        return Vec::new();
    }
    let check = hosts <= CHECKED_HOSTS_LIMIT;
    let run = |strategy: Strategy| evaluate(cluster, strategy, check);
    let mut out = vec![run(Strategy::OneHostAtATime)];
    if hosts >= 2 {
        out.push(largest_safe_k(cluster, hosts, check));
    }
    if cluster.fault_domains.iter().any(|d| !d.implicit) {
        out.push(run(Strategy::FaultDomainAtATime));
    }
    out
}

/// Validations spent looking for the largest safe `maxUnavailable` k, at most.
pub const MAX_K_PROBES: usize = 6;

/// `maxUnavailable` k: the largest k found whose name-order waves the validator accepts, or
/// k = 2 when it rejects those. Safe values of k are small on most clusters, so the search
/// gallops up from 2 (4, 8, ...) to the first rejected k and then bisects, within
/// [`MAX_K_PROBES`] validations; `max_hosts_per_wave` caps k.
fn largest_safe_k(cluster: &Cluster, hosts: usize, check: bool) -> Baseline {
    let two = evaluate(cluster, Strategy::MaxUnavailable(2), check);
    if two.safety != Safety::Safe {
        return two;
    }
    let cap = cluster
        .policy
        .max_hosts_per_wave
        .map_or(hosts, |m| (m as usize).min(hosts));
    let (mut best, mut low, mut high, mut probes) = (two, 2, None::<usize>, 1);
    let probe = |k: usize, best: &mut Baseline| {
        let candidate = evaluate(cluster, Strategy::MaxUnavailable(k), check);
        let safe = candidate.safety == Safety::Safe;
        if safe {
            *best = candidate;
        }
        safe
    };
    while high.is_none() && probes < MAX_K_PROBES && low < cap {
        let k = (low * 2).min(cap);
        probes += 1;
        if probe(k, &mut best) {
            low = k;
        } else {
            high = Some(k);
        }
    }
    if let Some(unsafe_k) = high {
        let mut top = unsafe_k - 1;
        while low < top && probes < MAX_K_PROBES {
            let mid = (low + top).div_ceil(2);
            probes += 1;
            if probe(mid, &mut best) {
                low = mid;
            } else {
                top = mid - 1;
            }
        }
    }
    best
}

fn evaluate(cluster: &Cluster, strategy: Strategy, check: bool) -> Baseline {
    let waves = sequence::waves(cluster, strategy.cut());
    let total_minutes = waves.iter().map(|w| minutes(cluster, w)).sum();
    let safety = if check {
        judge(cluster, &waves)
    } else {
        Safety::NotChecked(format!(
            "more than {CHECKED_HOSTS_LIMIT} hosts to upgrade: not validated, to keep planning fast"
        ))
    };
    Baseline {
        strategy,
        waves,
        total_minutes,
        safety,
    }
}

/// A wave's minutes by the contract: the overhead plus its longest item.
fn minutes(cluster: &Cluster, wave: &[ItemId]) -> u64 {
    let longest = wave
        .iter()
        .map(|&i| u64::from(cluster.item_minutes(i)))
        .max()
        .unwrap_or(0);
    u64::from(cluster.policy.wave_overhead_minutes) + longest
}

/// The validator's verdict on `waves`, with no moves given: it searches for a placement of
/// each wave itself, as it does for a hand-written plan.
fn judge(cluster: &Cluster, waves: &[Vec<ItemId>]) -> Safety {
    let plan = PlanInput {
        cluster: None,
        waves: waves
            .iter()
            .map(|w| WaveInput {
                span: None,
                items: w.iter().map(|&i| Named::new(cluster.item_name(i))).collect(),
                moves: None,
            })
            .collect(),
    };
    let validation = validate(cluster, &plan);
    match validation.violations.first() {
        None => Safety::Safe,
        Some(first) => Safety::Unsafe(
            validation.violations.len(),
            FirstViolation {
                code: first.code.as_str().to_string(),
                wave: first.wave,
                subject: first.subject.clone(),
                message: first.message.clone(),
            },
        ),
    }
}
