//! Pre-checks: what must hold before a wave touches anything.
//!
//! In order: the previous wave finished; the declared state matches reality (the whole
//! cluster in wave 1, this wave's hosts afterwards); every quorum group and disruption budget
//! the wave touches keeps the votes the plan counted on; only the expected fault domains and
//! sites go down; the hosts that stay up have room for the evacuation and the HA reserve;
//! storage is healthy. The quorum group and budget checks are in [`groups`].

mod groups;

use crate::model::resources::show;
use crate::model::{HostId, HostState, ItemId, MemberId, Resource};
use crate::rules::capacity::Scale;

use groups::groups;
pub(super) use groups::votes;

use super::expect::Expectation;
use super::facts::{GroupState, WaveFacts, receives_workloads};
use super::platform::{CheckSpec, Commands, Phase, join};
use super::{CheckKind, and_list, subject_of};

/// The pre-checks of a wave, in the order to run them.
pub(super) fn checks(facts: &WaveFacts<'_>, commands: &dyn Commands) -> Vec<CheckSpec> {
    let mut out = Vec::new();
    previous_wave(facts, commands, &mut out);
    declared_state(facts, commands, &mut out);
    groups(facts, commands, &mut out);
    domains(facts, commands, &mut out);
    capacity(facts, commands, &mut out);
    if !facts.hosts().is_empty() {
        out.extend(commands.storage(facts, Phase::Before));
    }
    out
}

fn previous_wave(facts: &WaveFacts<'_>, commands: &dyn Commands, out: &mut Vec<CheckSpec>) {
    let Some(previous) = facts.previous else {
        return;
    };
    let cluster = facts.cluster;
    for &item in &previous.items {
        let (expect, command, expectation) = match item {
            ItemId::Host(h) => {
                let host = cluster.host(h);
                let name = host.name.as_str();
                (
                    format!(
                        "{name} (wave {}) is back: up, out of maintenance, {}and runs {}",
                        facts.index - 1,
                        if receives_workloads(cluster, h) {
                            "taking workloads, "
                        } else {
                            ""
                        },
                        version_words(
                            commands.version_after_upgrade(
                                host.version.as_deref(),
                                host.target_version.as_deref()
                            )
                        )
                    ),
                    join([commands.host_states(&[name]), commands.versions(&[name])]),
                    Some(back(
                        name,
                        commands
                            .version_after_upgrade(host.version.as_deref(), host.target_version.as_deref()),
                    )),
                )
            }
            ItemId::Component(c) => {
                let component = cluster.component(c);
                (
                    format!(
                        "{} (wave {}) is up and runs {}",
                        component.name,
                        facts.index - 1,
                        version_words(component.target_version.as_deref())
                    ),
                    commands.component_version(&component.name),
                    component_version(&component.name, component.target_version.as_deref()),
                )
            }
        };
        out.push(CheckSpec {
            expectation,
            assert: None,
            kind: CheckKind::PreviousWave,
            subject: cluster.item_name(item).to_string(),
            expect,
            command,
        });
    }
}

/// `name` is up, out of maintenance, and runs `version` when one is declared.
pub(super) fn back(name: &str, version: Option<&str>) -> Expectation {
    let up = Expectation::HostsUp {
        hosts: vec![name.to_string()],
    };
    match version {
        Some(v) => Expectation::All(vec![up, self::version(&[name], Some(v)).expect("a version")]),
        None => up,
    }
}

/// Each of `hosts` runs `version`, when one is declared.
pub(super) fn version(hosts: &[&str], version: Option<&str>) -> Option<Expectation> {
    version.map(|v| Expectation::Version {
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        version: v.to_string(),
    })
}

/// Component `name` runs `version`, when one is declared.
pub(super) fn component_version(name: &str, version: Option<&str>) -> Option<Expectation> {
    version.map(|v| Expectation::ComponentVersion {
        component: name.to_string(),
        version: v.to_string(),
    })
}

fn version_words(version: Option<&str>) -> String {
    super::platform::target_words(version)
}

/// Declared state against reality: versions and states of the hosts in scope (all in wave 1,
/// this wave's afterwards), declared-unavailable hosts (wave 1), the components of the wave.
fn declared_state(facts: &WaveFacts<'_>, commands: &dyn Commands, out: &mut Vec<CheckSpec>) {
    let cluster = facts.cluster;
    let first = facts.index == 1;
    let scope: Vec<HostId> = if first {
        cluster.ready_hosts().collect()
    } else {
        facts.hosts()
    };
    // Hosts grouped by declared version, in the order of their first host.
    let mut by_version: Vec<(Option<&str>, Vec<&str>)> = Vec::new();
    for &h in &scope {
        let host = cluster.host(h);
        let version = host.version.as_deref();
        match by_version.iter_mut().find(|(v, _)| *v == version) {
            Some((_, names)) => names.push(&host.name),
            None => by_version.push((version, vec![&host.name])),
        }
    }
    for (version, names) in &by_version {
        let expect = match version {
            Some(v) if names.len() == 1 => format!("{} runs {v}, as declared", names[0]),
            Some(v) => format!("run {v}, as declared: {}", and_list(names)),
            None => format!(
                "no version declared for {}: record what {} before the upgrade",
                and_list(names),
                if names.len() == 1 { "it runs" } else { "they run" }
            ),
        };
        out.push(CheckSpec {
            expectation: self::version(names, *version),
            assert: None,
            kind: CheckKind::Version,
            subject: subject_of(names, "hosts"),
            expect,
            command: commands.versions(names),
        });
    }
    if !scope.is_empty() {
        let names: Vec<&str> = scope.iter().map(|&h| cluster.host(h).name.as_str()).collect();
        let in_maintenance: Vec<&str> = cluster
            .unavailable_hosts()
            .filter(|&h| cluster.host(h).state == HostState::Maintenance)
            .map(|h| cluster.host(h).name.as_str())
            .collect();
        let elsewhere = if in_maintenance.is_empty() {
            "no host of the cluster is in maintenance".to_string()
        } else {
            format!(
                "the only hosts in maintenance are the declared {}",
                and_list(&in_maintenance)
            )
        };
        out.push(CheckSpec {
            expectation: Some(if first {
                Expectation::ClusterUp {
                    except: unavailable(facts),
                }
            } else {
                Expectation::HostsUp {
                    hosts: names.iter().map(|n| n.to_string()).collect(),
                }
            }),
            assert: None,
            kind: CheckKind::HostState,
            subject: subject_of(&names, "hosts"),
            expect: format!(
                "{} up, healthy and out of maintenance, as declared; {elsewhere}",
                and_list(&names)
            ),
            command: if first {
                commands.cluster_state()
            } else {
                commands.host_states(&names)
            },
        });
    }
    if first {
        for h in cluster.unavailable_hosts() {
            let host = cluster.host(h);
            let state = match host.state {
                HostState::Maintenance => "in maintenance",
                _ => "down",
            };
            out.push(CheckSpec {
                expectation: Some(Expectation::Unavailable {
                    host: host.name.clone(),
                }),
                assert: None,
                kind: CheckKind::Unavailable,
                subject: host.name.clone(),
                expect: format!(
                    "{state}, as declared, and stays so for the whole plan: the plan counts it \
                     as unavailable in every wave and never upgrades it"
                ),
                command: commands.host_states(&[&host.name]),
            });
        }
    }
    for c in facts.components() {
        let component = cluster.component(c);
        out.push(CheckSpec {
            expectation: component_version(&component.name, component.version.as_deref()),
            assert: None,
            kind: CheckKind::Version,
            subject: component.name.clone(),
            expect: match &component.version {
                Some(v) => format!("{} is up and runs {v}, as declared", component.name),
                None => format!(
                    "{} is up; no version declared: record what it runs before the upgrade",
                    component.name
                ),
            },
            command: commands.component_version(&component.name),
        });
    }
}

fn domains(facts: &WaveFacts<'_>, commands: &dyn Commands, out: &mut Vec<CheckSpec>) {
    let cluster = facts.cluster;
    let policy = &cluster.policy;
    let declared = cluster.fault_domains.iter().any(|d| !d.implicit);
    if declared || policy.max_fault_domains_down.is_some() {
        let down: Vec<&str> = facts
            .fault_domains_down()
            .iter()
            .map(|&d| cluster.fault_domain(d).name.as_str())
            .collect();
        let limit = policy
            .max_fault_domains_down
            .map_or_else(|| "no limit".to_string(), |n| format!("at most {n}"));
        out.push(CheckSpec {
            expectation: Some(Expectation::ClusterUp {
                except: unavailable(facts),
            }),
            assert: None,
            kind: CheckKind::FaultDomains,
            subject: "fault domains".into(),
            expect: format!(
                "down during this wave: {} ({} of {}, {limit}); every host of every other \
                 fault domain up",
                if down.is_empty() {
                    "none".to_string()
                } else {
                    and_list(&down)
                },
                down.len(),
                cluster.fault_domains.len()
            ),
            command: commands.cluster_state(),
        });
    }
    if cluster.sites.len() > 1 || policy.max_sites_down.is_some() {
        let down: Vec<&str> = facts
            .sites_down()
            .iter()
            .map(|s| cluster.sites[s.index()].name.as_str())
            .collect();
        let limit = policy
            .max_sites_down
            .map_or_else(|| "no limit".to_string(), |n| format!("at most {n}"));
        out.push(CheckSpec {
            expectation: Some(Expectation::ClusterUp {
                except: unavailable(facts),
            }),
            assert: None,
            kind: CheckKind::Sites,
            subject: "sites".into(),
            expect: format!(
                "down during this wave: {} ({} of {}, {limit}); every host of every other site up",
                if down.is_empty() {
                    "none".to_string()
                } else {
                    and_list(&down)
                },
                down.len(),
                cluster.sites.len()
            ),
            command: commands.cluster_state(),
        });
    }
}

/// How the declared free room was derived from the hosts' capacity, as the model did it
/// ([`crate::rules::capacity::usable`]): ", at cpu_overcommit = 2 and after 10% headroom".
fn usable_basis(cluster: &crate::model::Cluster, resource: Resource) -> String {
    let policy = &cluster.policy;
    let mut parts = Vec::new();
    if resource == Resource::Cpu && policy.cpu_overcommit != 1.0 {
        parts.push(format!("at cpu_overcommit = {}", policy.cpu_overcommit));
    }
    if policy.headroom_percent > 0.0 {
        parts.push(format!("after {}% headroom", policy.headroom_percent));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(", {}", parts.join(" and "))
    }
}

fn capacity(facts: &WaveFacts<'_>, commands: &dyn Commands, out: &mut Vec<CheckSpec>) {
    let cluster = facts.cluster;
    // Only hosts that can receive workloads: a witness adds no room and is not described as
    // taking any.
    let up: Vec<&str> = facts
        .receiving_hosts()
        .iter()
        .map(|&h| cluster.host(h).name.as_str())
        .collect();
    for resource in Resource::ALL {
        let tracking: Vec<String> = facts
            .receiving_hosts()
            .into_iter()
            .filter(|&h| cluster.host(h).usable(resource).is_some())
            .map(|h| cluster.host(h).name.clone())
            .collect();
        let basis = usable_basis(cluster, resource);
        let room = facts.room(resource);
        let evacuation = room.evacuation;
        if evacuation.needed() == 0 {
            continue;
        }
        let mut expect = format!(
            "at least {} of {resource} free on the {} hosts that stay up: {} to evacuate + {} \
             HA reserve; declared free: {}{basis}",
            show(evacuation.needed(), resource),
            room.up_hosts,
            show(evacuation.onto_tracked, resource),
            show(evacuation.reserve, resource),
            show(evacuation.free, resource),
        );
        if evacuation.onto_untracked > 0 {
            expect.push_str(&format!(
                "; {} more moves to hosts without storage_gib, which take any amount and are not counted",
                show(evacuation.onto_untracked, resource)
            ));
        } else if !evacuation.all_tracked {
            expect.push_str("; hosts without storage_gib take any amount and are not counted");
        }
        let expectation = Expectation::Capacity {
            resource,
            hosts: tracking,
            needed: evacuation.needed(),
            scale: Scale::usable(resource, &cluster.policy),
        };
        // A command that only shows numbers the operator then adds up by hand is what the
        // asserts replace: where the platform's tools cannot tell the free room (storage on
        // shared datastores, Ceph daemons' CPU and memory), the check stays in words.
        let assert = commands.assert(&expectation);
        out.push(CheckSpec {
            command: assert.as_ref().and(commands.capacity(&up)),
            assert,
            expectation: Some(expectation),
            kind: CheckKind::Capacity,
            subject: resource.to_string(),
            expect,
        });
    }
}

/// The hosts declared down or in maintenance.
fn unavailable(facts: &WaveFacts<'_>) -> Vec<String> {
    let cluster = facts.cluster;
    cluster
        .unavailable_hosts()
        .map(|h| cluster.host(h).name.clone())
        .collect()
}
