//! Kubernetes, with kubectl.
//!
//! Hosts are nodes, workloads are pods, found by their owning controller (a pod evicted by a
//! drain comes back under a new name), disruption budgets are PodDisruptionBudgets of the same
//! name, checked by their own status (`disruptionsAllowed` before a drain), a quorum group
//! named after etcd is checked through the etcd static pods' readiness, and fault domains are
//! the values of the `topology.kubernetes.io/zone` label. Nodes are cordoned first, all of them, so that nothing
//! evicted from one node of the wave lands on another; the drain then evicts through the
//! eviction API, which enforces the budgets. Pods cannot be sent to a chosen node: the planned
//! moves become checks that each pod is running again on a node that stays up. Node upgrades
//! (kubeadm, packages, OS) run on the node itself and have no kubectl command.

use crate::model::{Resource, Workload};

use super::assert::{Test, all, compare, cpu_or_memory, each, free_room, strs};
use super::{CheckSpec, Commands, Instruction, NEW_RELEASE, Phase, StepSpec, end_of_options, join, sh_each};
use crate::runbook::expect::Expectation;
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::{sh, sh_operands, sh_words};
use crate::runbook::{Action, CheckKind, and_list};

const ZONE: &str = "topology.kubernetes.io/zone";

/// A Kubernetes cluster.
pub struct Kubernetes;

/// jq: `ready,schedulable` of a Node object, e.g. `True,true`.
const NODE_STATE: &str = "[(.status.conditions[] | select(.type == \"Ready\") | .status), (.spec.unschedulable != true | tostring)] | join(\",\")";

/// The controller that owns a pod named `pod`: the name up to its last `-`. ReplicaSets,
/// DaemonSets and Jobs name their pods `OWNER-` plus a random suffix, StatefulSets
/// `OWNER-ORDINAL` (kubernetes/kubernetes pkg/controller/controller_utils.go `getPodsPrefix`,
/// pkg/controller/statefulset/stateful_set_utils.go `getPodName`), so a replacement pod has a
/// new name but the same owner.
fn owner(pod: &str) -> &str {
    pod.rsplit_once('-').map_or(pod, |(owner, _)| owner)
}

/// The pods owned by the owner of `pod`, wherever they run, with their node, each line
/// headed by `pod`: replacement pods come back under new names.
fn owned(pod: &str) -> String {
    format!(
        "kubectl get pods --all-namespaces -o json | jq -r --arg pod {} --arg owner {} '.items[] | select(any(.metadata.ownerReferences[]?; .name == $owner)) | \"\\($pod): \\(.metadata.namespace)/\\(.metadata.name) \\(.spec.nodeName) \\(.status.phase)\"'",
        sh(pod),
        sh(owner(pod))
    )
}

/// The number of Ready pods owned by the owners of `pods`, of which there must be one per
/// named pod.
fn ready_owned(pods: &[&str]) -> String {
    let owners: Vec<&str> = pods.iter().map(|p| owner(p)).collect();
    format!(
        "kubectl get pods --all-namespaces -o json | jq '[.items[] | select(any(.metadata.\
         ownerReferences[]?; .name as $o | $ARGS.positional | index($o))) | select(any(.status.\
         conditions[]?; .type == \"Ready\" and .status == \"True\"))] | length' --args {}",
        sh_words(owners)
    )
}

/// The PodDisruptionBudget `name`'s status field `field`, from any namespace.
fn pdb(name: &str, field: &str) -> String {
    format!(
        "kubectl get pdb --all-namespaces --field-selector metadata.name={} -o json | jq -r '.items[0].status.{field}'",
        sh(name)
    )
}

/// The pods of the controllers that own `names`, by owner: a pod evicted by a drain comes
/// back under a new name, so a lookup by name would miss it.
fn pods(names: &[&str]) -> String {
    let mut firsts: Vec<&str> = names.to_vec();
    firsts.dedup_by_key(|p| owner(p));
    firsts.iter().map(|p| owned(p)).collect::<Vec<_>>().join(" && ")
}

/// jq: a `resource.Quantity` (`3800m`, `16393388Ki`, `129e6`) as a number; anything else
/// stops jq (kubernetes/apimachinery pkg/api/resource/quantity.go, as
/// [`crate::live::kubernetes::quantity`] reads it).
const QUANTITY: &str = "def qty: tostring | capture(\"^(?<n>[+-]?[0-9.]+)(?<s>[A-Za-z]*|[eE][-+]?[0-9]+)$\") | \
    (.n | tonumber) * (if .s | test(\"^[eE]\") then pow(10; .s[1:] | tonumber) else {\"\": 1, \"n\": 1e-9, \
    \"u\": 1e-6, \"m\": 0.001, \"k\": 1e3, \"M\": 1e6, \"G\": 1e9, \"T\": 1e12, \"P\": 1e15, \"E\": 1e18, \
    \"Ki\": 1024, \"Mi\": 1048576, \"Gi\": 1073741824, \"Ti\": 1099511627776, \"Pi\": 1125899906842624, \
    \"Ei\": 1152921504606846976}[.s] end);";

/// The capacity and load of the listed nodes that are up, as [`free_room`] reads them, the way
/// the importer ([`crate::live::kubernetes`]) reads `kubectl get nodes,pods -o json`: a node's
/// `status.allocatable`, up when its `Ready` condition is `True` and it is not
/// `spec.unschedulable`; its load the requests of the pods bound to it (`spec.nodeName`), each
/// the sum over its containers and at least its largest init container, leaving out finished
/// pods (`Succeeded`, `Failed`), DaemonSet pods and mirror pods, which a drain leaves alone.
/// Memory in GiB. Storage: `None` (ephemeral storage is not what the description tracks).
fn rooms(resource: Resource, hosts: &[String]) -> Option<String> {
    let (key, unit) = cpu_or_memory(resource, ("cpu", "1"), ("memory", "1073741824"))?;
    Some(format!(
        "{{ kubectl get nodes -o json && kubectl get pods --all-namespaces -o json; }} | jq -s '{QUANTITY} \
         def req: ([.spec.containers[]?.resources.requests.{key} // 0 | qty] | add // 0) as $sum | \
         ([.spec.initContainers[]?.resources.requests.{key} // 0 | qty] | max // 0) as $init | [$sum, \
         $init] | max; ([.[1].items[] | select(.spec.nodeName != null and (.status.phase | IN(\"Succeeded\", \
         \"Failed\") | not) and ([.metadata.ownerReferences[]? | select(.controller == true) | .kind] | \
         index(\"DaemonSet\") | not) and (.metadata.annotations[\"kubernetes.io/config.mirror\"] == null))] \
         | group_by(.spec.nodeName) | map({{key: .[0].spec.nodeName, value: (map(req) | add)}}) | \
         from_entries) as $load | [.[0].items[] | select((.metadata.name | IN($ARGS.positional[])) and \
         (.spec.unschedulable != true) and ([.status.conditions[]? | select(.type == \"Ready\") | .status] \
         == [\"True\"])) | {{cap: (.status.allocatable.{key} | qty / {unit}), load: (($load[.metadata.name] \
         // 0) / {unit})}}]' --args {}",
        sh_words(strs(hosts))
    ))
}

impl Commands for Kubernetes {
    fn assert(&self, expectation: &Expectation) -> Option<String> {
        Some(match expectation {
            // kubelet reports its version as the Node's status.nodeInfo.kubeletVersion, e.g.
            // `v1.31.4` (kubernetes/api core/v1 types.go NodeSystemInfo).
            Expectation::Version { hosts, version } => each(&strs(hosts), |n| {
                compare(
                    n,
                    &format!("kubectl get node {n} -o jsonpath='{{.status.nodeInfo.kubeletVersion}}'"),
                    Test::Equals(version),
                )
            }),
            Expectation::HostsUp { hosts } => each(&strs(hosts), |n| {
                compare(
                    n,
                    &format!("kubectl get node {n} -o json | jq -r '{NODE_STATE}'"),
                    Test::Equals("True,true"),
                )
            }),
            Expectation::ClusterUp { except } => compare(
                "'nodes not Ready or cordoned'",
                &format!(
                    "kubectl get nodes -o json | jq -r '[.items[] | select(.metadata.name as $n \
                     | $ARGS.positional | index($n) | not) | select(({NODE_STATE}) != \"True,true\") \
                     | .metadata.name] | if length == 0 then \"none\" else join(\" \") end' --args {}",
                    sh_words(strs(except))
                ),
                Test::Equals("none"),
            ),
            Expectation::Unavailable { host } => compare(
                &sh(host),
                &format!(
                    "kubectl get nodes -o json | jq -r --arg n {} '[.items[] | select(.metadata.name \
                     == $n) | {NODE_STATE}] | if . == [\"True,true\"] then \"Ready and schedulable\" \
                     else \"unavailable\" end'",
                    sh(host)
                ),
                Test::Equals("unavailable"),
            ),
            // etcd on kubeadm clusters runs as static pods labelled component=etcd whose
            // readiness probe is etcd's own /health endpoint (kubernetes/kubernetes
            // cmd/kubeadm/app/phases/etcd/local.go, cmd/kubeadm/app/util/staticpod/utils.go):
            // a Ready etcd pod is a healthy member.
            Expectation::Votes {
                group, hosts, needed, ..
            } if group.to_lowercase().contains("etcd") && !hosts.is_empty() => compare(
                &format!("{}' healthy etcd members'", sh(group)),
                &format!(
                    "kubectl get pods -n kube-system -l component=etcd -o json | jq '[.items[] | \
                     select(.spec.nodeName as $n | $ARGS.positional | index($n)) | select(any(.status.\
                     conditions[]?; .type == \"Ready\" and .status == \"True\"))] | length' --args {}",
                    sh_words(strs(hosts))
                ),
                Test::AtLeast(*needed),
            ),
            Expectation::Votes {
                group,
                hosts,
                workloads,
                needed,
            } => {
                let nodes = (!hosts.is_empty()).then(|| {
                    format!(
                        "kubectl get nodes -o json | jq '[.items[] | select(.metadata.name as $n | \
                         $ARGS.positional | index($n)) | select(any(.status.conditions[]; .type == \
                         \"Ready\" and .status == \"True\"))] | length' --args {}",
                        sh_words(strs(hosts))
                    )
                });
                let pods = (!workloads.is_empty()).then(|| ready_owned(&strs(workloads)));
                let observe = super::assert::sum([nodes, pods])?;
                compare(
                    &format!("{}' members Ready'", sh(group)),
                    &observe,
                    Test::AtLeast(*needed),
                )
            }
            // A PodDisruptionBudget counts the pods its selector matches, whatever their names:
            // status.currentHealthy and status.disruptionsAllowed (kubernetes/api policy/v1
            // types.go PodDisruptionBudgetStatus).
            Expectation::Budget {
                name,
                healthy,
                disruptions,
                ..
            } => all([
                compare(
                    &format!("{}' currentHealthy'", sh(name)),
                    &pdb(name, "currentHealthy"),
                    Test::AtLeast(*healthy),
                ),
                compare(
                    &format!("{}' disruptionsAllowed'", sh(name)),
                    &pdb(name, "disruptionsAllowed"),
                    Test::AtLeast(*disruptions),
                ),
            ])?,
            Expectation::ComponentVersion { .. } => return None,
            Expectation::Capacity { .. } => free_room(expectation, rooms)?,
            Expectation::All(parts) => all(parts.iter().filter_map(|p| self.assert(p)))?,
        })
    }

    fn cluster_state(&self) -> Option<String> {
        Some(format!("kubectl get nodes -L {ZONE}"))
    }

    fn host_states(&self, hosts: &[&str]) -> Option<String> {
        Some(format!(
            "kubectl get nodes -L {ZONE} {}",
            sh_operands(hosts.iter().copied())
        ))
    }

    fn versions(&self, hosts: &[&str]) -> Option<String> {
        Some(format!(
            "kubectl get nodes -o wide {}",
            sh_operands(hosts.iter().copied())
        ))
    }

    fn members(&self, hosts: &[&str], workloads: &[&str], _components: &[&str]) -> Option<String> {
        join([
            (!hosts.is_empty()).then(|| self.host_states(hosts)).flatten(),
            (!workloads.is_empty()).then(|| pods(workloads)),
        ])
    }

    fn budget(&self, name: &str, workloads: &[&str]) -> Option<String> {
        Some(format!(
            "kubectl get pdb --all-namespaces --field-selector metadata.name={} && {}",
            crate::runbook::quote::sh(name),
            pods(workloads)
        ))
    }

    fn capacity(&self, up_hosts: &[&str]) -> Option<String> {
        Some(format!(
            "kubectl describe nodes {}",
            sh_operands(up_hosts.iter().copied())
        ))
    }

    fn storage(&self, _facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        vec![CheckSpec {
            expectation: None,
            // A PersistentVolumeClaim's status.phase is Pending, Bound or Lost (kubernetes/api
            // core/v1 types.go PersistentVolumeClaimPhase).
            assert: Some(compare(
                "'PersistentVolumeClaims not Bound'",
                "kubectl get pvc --all-namespaces -o json | jq -r '[.items[] | select(.status.phase != \
                 \"Bound\") | \"\\(.metadata.namespace)/\\(.metadata.name)\"] | if length == 0 then \
                 \"none\" else join(\" \") end'",
                Test::Equals("none"),
            )),
            kind: CheckKind::Storage,
            subject: "volumes".into(),
            expect: match phase {
                Phase::Before => "every PersistentVolumeClaim Bound; no VolumeAttachment stuck detaching",
                Phase::After => {
                    "every PersistentVolumeClaim Bound and every pod with a volume Running again; \
                     no VolumeAttachment left on a node of this wave for a pod that moved"
                }
            }
            .into(),
            command: Some("kubectl get pvc --all-namespaces && kubectl get volumeattachments".into()),
        }]
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        let cluster = facts.cluster;
        let hosts = facts.host_names();
        let mut out = Vec::new();
        if !cluster.budgets.is_empty() {
            let names: Vec<&str> = cluster.budgets.iter().map(|b| b.name.as_str()).collect();
            out.push(CheckSpec {
                expectation: None,
                assert: Some(compare(
                    "'PodDisruptionBudgets missing'",
                    &format!(
                        "kubectl get pdb --all-namespaces -o json | jq -r '$ARGS.positional - \
                         [.items[].metadata.name] | if length == 0 then \"none\" else join(\" \") end' \
                         --args {}",
                        sh_words(names.iter().copied())
                    ),
                    Test::Equals("none"),
                )),
                kind: CheckKind::Policy,
                subject: "PodDisruptionBudgets".into(),
                expect: format!("still present, unchanged: {}", and_list(&names)),
                command: Some("kubectl get pdb --all-namespaces".into()),
            });
        }
        let zones: Vec<String> = facts
            .hosts()
            .iter()
            .map(|&h| {
                let host = cluster.host(h);
                let domain = cluster.fault_domain(host.fault_domain);
                if domain.implicit {
                    format!("{} its zone label", host.name)
                } else {
                    format!("{} {ZONE}={}", host.name, domain.name)
                }
            })
            .collect();
        let labels: Vec<String> = facts
            .hosts()
            .iter()
            .map(|&h| {
                let host = cluster.host(h);
                let domain = cluster.fault_domain(host.fault_domain);
                let read = format!(
                    "kubectl get node {} -o jsonpath='{{.metadata.labels.topology\\.kubernetes\\.io/zone}}'",
                    sh(&host.name)
                );
                let what = format!("{}' zone'", sh(&host.name));
                if domain.implicit {
                    compare(&what, &read, Test::Not(""))
                } else {
                    compare(&what, &read, Test::Equals(&domain.name))
                }
            })
            .collect();
        out.push(CheckSpec {
            expectation: None,
            assert: all(labels),
            kind: CheckKind::Policy,
            subject: "node labels and taints".into(),
            expect: format!(
                "labels and taints as before the upgrade (zone-scoped anti-affinity and spread \
                 rely on them): {}",
                and_list(&zones)
            ),
            command: Some(format!(
                "kubectl get nodes -o 'custom-columns=NAME:.metadata.name,ZONE:.metadata.labels.topology\\.kubernetes\\.io/zone,TAINTS:.spec.taints' {}",
                sh_operands(hosts.iter().copied())
            )),
        });
        out
    }

    fn prepare(&self, host: &str) -> Option<StepSpec> {
        Some(StepSpec::new(
            Action::Cordon,
            host,
            Some(format!("kubectl cordon {}", sh_operands([host]))),
            format!("mark {host} unschedulable, before any node of this wave is drained"),
        ))
    }

    fn evacuates_on_enter(&self) -> bool {
        true
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(StepSpec::new(
            Action::Drain,
            host,
            Some(format!(
                "kubectl drain --ignore-daemonsets --delete-emptydir-data --timeout=15m {}",
                sh_operands([host])
            )),
            format!(
                "evict every pod of {host} through the eviction API, which enforces the \
                 PodDisruptionBudgets; a drain that keeps retrying an eviction means a budget \
                 would break: stop and find out why"
            ),
        ))
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        Instruction::run(
            pods(&[workload.name.as_str()]),
            format!(
                "{} was evicted by the drain of {from}; check that it is Running again on a node \
                 that stays up (the plan found room for it on {to}; the scheduler may choose \
                 another)",
                workload.name
            ),
        )
    }

    // A pod that cannot move (local PersistentVolume) is evicted by the drain like any other;
    // its replacement stays Pending until its node is back.
    fn shutdown(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::prose(format!(
            "{} cannot move (migration = \"none\"): the drain of {host} evicts it, and its \
             replacement stays Pending until {host} is back; it is down meanwhile",
            workload.name
        ))
    }

    fn start(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::prose(format!(
            "check that {} is Running and Ready again on {host}",
            workload.name
        ))
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        // `kubeadm upgrade apply` takes the version as its argument: without a declared
        // target the operator fills it in, so it is named, not written into the command.
        let (apply, to) = match target {
            Some(v) => (format!("`kubeadm upgrade apply {v}`"), v.to_string()),
            None => (
                format!("`kubeadm upgrade apply` with the version of {NEW_RELEASE}"),
                NEW_RELEASE.to_string(),
            ),
        };
        Instruction::prose(format!(
            "on {host}: upgrade kubeadm, then `kubeadm upgrade node` ({apply} on the first \
             control-plane node), then kubelet and kubectl to {to}, and restart kubelet (or the \
             equivalent with the cluster's own tooling)"
        ))
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::prose(format!(
            "reboot {host} for its OS updates and wait until the node is Ready again"
        ))
    }

    fn exit(&self, host: &str, _receives: bool) -> StepSpec {
        StepSpec::new(
            Action::Uncordon,
            host,
            Some(format!("kubectl uncordon {}", sh_operands([host]))),
            format!("mark {host} schedulable again"),
        )
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let hosts = facts.host_names();
        format!(
            "Leave a node that failed its upgrade cordoned: its pods already run elsewhere. \
             Uncordon the nodes that are back and Ready ({}). A kubelet may be one minor version \
             older than the API server, never newer: do not bring up a node at a version the \
             control plane does not run yet. If a control-plane node broke, restore its static \
             pod manifests from the backup kubeadm keeps under /etc/kubernetes/tmp before \
             touching etcd.",
            sh_each(&hosts, |h| format!(
                "kubectl uncordon {}{h}",
                end_of_options(&hosts)
            ))
        )
    }
}
