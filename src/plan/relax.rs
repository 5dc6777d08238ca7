//! "What would make it possible?": when no safe plan exists, re-plan with each single rule
//! relaxed by the smallest step, and report the changes that give a plan.
//!
//! The candidates come from the conflicts: a capacity conflict tries the HA reserve one host
//! failure smaller (down to none) and no headroom; a fault-domain or site conflict one more
//! domain or site down at a time; a quorum group one vote less of quorum; a disruption budget
//! one more member down; a counted rule also tries each already unavailable host back in
//! service; an evacuation conflict tries each mandatory anti-affinity group as a "should" rule.
//! Each candidate is planned by the solver on a copy of the cluster, with a share of the time
//! that is left, so the whole answer stays within `--time-limit`. Only the copy changes: the
//! description, and the answer's conflicts, are the operator's.

use crate::model::{BudgetLimit, Cluster, HostState};
use crate::rules::Rule;
use crate::solve::{Clock, NoSafePlan, SolveOptions, solve};

/// Candidates tried at most, so a cluster with many conflicting groups still answers quickly.
pub const MAX_CANDIDATES: usize = 12;

/// One change that makes a safe plan possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relaxation {
    /// The rule relaxed, as the conflicts name it: `reserve_host_failures`, `quorum group etcd`.
    pub rule: String,
    /// The change, as the operator would write it: `reserve_host_failures = 0`.
    pub change: String,
    /// Waves of the plan found with the change.
    pub waves: usize,
    /// Its total minutes.
    pub total_minutes: u64,
    /// Whether that plan is proven optimal.
    pub optimal: bool,
}

/// What was tried, and what worked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Relaxations {
    /// The changes that give a safe plan, each alone, in the order tried.
    pub found: Vec<Relaxation>,
    /// How many single changes were tried.
    pub tried: usize,
    /// Whether the time ran out before every candidate was tried.
    pub out_of_time: bool,
}

/// A candidate: the rule, the change in words, and the relaxed copy of the cluster.
struct Candidate {
    rule: String,
    change: String,
    cluster: Cluster,
}

/// The smallest single relaxations that make a plan possible for `cluster`, found by
/// re-planning within what is left of `options.time_limit`.
pub fn relaxations(cluster: &Cluster, no_plan: &NoSafePlan, options: &SolveOptions<'_>) -> Relaxations {
    let ladders = candidates(cluster, no_plan);
    let mut out = Relaxations::default();
    let total: usize = ladders.len();
    for (n, ladder) in ladders.into_iter().enumerate() {
        // A ladder is one rule relaxed step by step; its first step that works is reported.
        for candidate in ladder {
            let left = options.time_limit - options.clock.elapsed();
            if left <= 0.0 {
                out.out_of_time = true;
                return out;
            }
            out.tried += 1;
            let since = Since {
                clock: options.clock,
                start: options.clock.elapsed(),
            };
            let share = SolveOptions {
                backend: options.backend,
                time_limit: left / (total - n) as f64,
                clock: &since,
            };
            if let Ok(plan) = solve(&candidate.cluster, &share) {
                out.found.push(Relaxation {
                    rule: candidate.rule,
                    change: candidate.change,
                    waves: plan.waves.len(),
                    total_minutes: plan.total_minutes(&candidate.cluster),
                    optimal: plan.quality.optimal,
                });
                break;
            }
        }
    }
    out
}

/// The caller's clock, restarted: each re-plan gets its own share from zero.
struct Since<'a> {
    clock: &'a dyn Clock,
    start: f64,
}

impl Clock for Since<'_> {
    fn elapsed(&self) -> f64 {
        self.clock.elapsed() - self.start
    }
}

/// The candidates, as ladders: each rule's relaxations from the smallest step up, at most
/// [`MAX_CANDIDATES`] in all, each rule once.
fn candidates(cluster: &Cluster, no_plan: &NoSafePlan) -> Vec<Vec<Candidate>> {
    let mut rules: Vec<Rule> = Vec::new();
    for conflict in &no_plan.conflicts {
        if !rules.contains(&conflict.rule_id) {
            rules.push(conflict.rule_id);
        }
    }
    let mut ladders: Vec<Vec<Candidate>> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut push = |ladder: Vec<Candidate>| {
        if let Some(first) = ladder.first()
            && !seen.contains(&first.rule)
        {
            seen.push(first.rule.clone());
            ladders.push(ladder);
        }
    };
    let policy = &cluster.policy;
    let counted = |rule: Rule| {
        matches!(
            rule,
            Rule::Quorum(_) | Rule::Budget(_) | Rule::FaultDomains | Rule::Sites
        )
    };
    for &rule in &rules {
        match rule {
            Rule::Capacity(_) => {
                let reserve = policy.reserve_host_failures;
                push(
                    (0..reserve)
                        .rev()
                        .map(|k| {
                            relaxed(
                                cluster,
                                "reserve_host_failures",
                                format!("reserve_host_failures = {k}"),
                                |c| {
                                    c.policy.reserve_host_failures = k;
                                },
                            )
                        })
                        .collect(),
                );
                if policy.headroom_percent > 0.0 {
                    push(vec![relaxed(
                        cluster,
                        "headroom_percent",
                        "headroom_percent = 0".to_string(),
                        |c| {
                            c.policy.headroom_percent = 0.0;
                            let policy = c.policy.clone();
                            for host in &mut c.hosts {
                                // Usable capacity again, as the model computes it (CPU
                                // overcommit kept), with no headroom.
                                for r in crate::model::Resource::ALL {
                                    host.usable[r] =
                                        crate::rules::capacity::usable(host.capacity[r], r, &policy);
                                }
                            }
                        },
                    )]);
                }
            }
            Rule::FaultDomains => {
                if let Some(d) = policy.max_fault_domains_down {
                    push(vec![relaxed(
                        cluster,
                        "max_fault_domains_down",
                        format!("max_fault_domains_down = {}", d + 1),
                        |c| c.policy.max_fault_domains_down = Some(d + 1),
                    )]);
                }
            }
            Rule::Sites => {
                if let Some(s) = policy.max_sites_down {
                    push(vec![relaxed(
                        cluster,
                        "max_sites_down",
                        format!("max_sites_down = {}", s + 1),
                        |c| c.policy.max_sites_down = Some(s + 1),
                    )]);
                }
            }
            Rule::Quorum(g) => {
                let group = &cluster.quorum_groups[g.index()];
                if group.quorum > 1 {
                    let quorum = group.quorum - 1;
                    push(vec![relaxed(
                        cluster,
                        &format!("quorum group {}", group.name),
                        format!("quorum = {quorum} in quorum group {}", group.name),
                        |c| {
                            c.quorum_groups[g.index()].quorum = quorum;
                            c.quorum_groups[g.index()].default_quorum = false;
                        },
                    )]);
                }
            }
            Rule::Budget(b) => {
                let budget = &cluster.budgets[b.index()];
                let (limit, change) = match budget.limit {
                    BudgetLimit::MaxUnavailable(n) => (
                        BudgetLimit::MaxUnavailable(n + 1),
                        format!("max_unavailable = {}", n + 1),
                    ),
                    BudgetLimit::MinAvailable(n) if n > 0 => (
                        BudgetLimit::MinAvailable(n - 1),
                        format!("min_available = {}", n - 1),
                    ),
                    BudgetLimit::MinAvailable(_) => continue,
                };
                push(vec![relaxed(
                    cluster,
                    &format!("disruption budget {}", budget.name),
                    format!("{change} in disruption budget {}", budget.name),
                    |c| c.budgets[b.index()].limit = limit,
                )]);
            }
            Rule::Evacuation => {
                for (a, group) in cluster
                    .anti_affinity
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| g.mandatory)
                {
                    push(vec![relaxed(
                        cluster,
                        &format!("anti-affinity group {}", group.name),
                        format!("mandatory = false in anti-affinity group {}", group.name),
                        |c| c.anti_affinity[a].mandatory = false,
                    )]);
                }
            }
            _ => {}
        }
    }
    if rules.iter().any(|&r| counted(r)) {
        for h in cluster.unavailable_hosts() {
            let name = &cluster.host(h).name;
            push(vec![relaxed(
                cluster,
                &format!("host {name}"),
                format!("host {name} back in service (state = \"ready\")"),
                |c| c.hosts[h.index()].state = HostState::Ready,
            )]);
        }
    }
    // Bound the work: the first ladders are the rules of the first conflicts.
    let mut left = MAX_CANDIDATES;
    ladders
        .into_iter()
        .map_while(|mut ladder| {
            if left == 0 {
                return None;
            }
            ladder.truncate(left);
            left -= ladder.len();
            Some(ladder)
        })
        .collect()
}

fn relaxed(cluster: &Cluster, rule: &str, change: String, edit: impl FnOnce(&mut Cluster)) -> Candidate {
    let mut copy = cluster.clone();
    edit(&mut copy);
    Candidate {
        rule: rule.to_string(),
        change,
        cluster: copy,
    }
}
