//! OpenStack with KVM, with the openstack CLI (admin credentials loaded).
//!
//! Hosts are the hypervisor host names nova knows; workloads are servers. A host that offers
//! no capacity in the description is not a compute host (a controller): it has no
//! nova-compute service to disable, and its maintenance is in words. Compute hosts stop
//! taking new instances (the compute service is disabled) before anything moves; the moves
//! pin the target host, which needs compute API microversion 2.30 for live migration and 2.56
//! for cold migration.

use std::collections::HashSet;

use crate::model::{Cluster, Migration, Resource, Workload};

use super::assert::{Test, all, compare, cpu_or_memory, each, free_room, strs};
use super::{
    CheckSpec, Commands, Instruction, Phase, StepSpec, anti_affinity_policy, end_of_options, sh_each,
    target_words,
};
use crate::runbook::expect::Expectation;
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::{sh, sh_operands, sh_words};
use crate::runbook::{Action, CheckKind, and_list};

/// An OpenStack region.
pub struct OpenStack {
    computes: HashSet<String>,
}

impl OpenStack {
    /// The commands for `cluster`.
    pub fn new(cluster: &Cluster) -> Self {
        OpenStack {
            computes: cluster
                .hosts
                .iter()
                .filter(|h| h.capacity[Resource::Cpu] > 0 || h.capacity[Resource::Memory] > 0)
                .map(|h| h.name.clone())
                .collect(),
        }
    }

    fn compute(&self, host: &str) -> bool {
        self.computes.contains(host)
    }
}

/// jq over `openstack compute service list -f json`: the services that are not up and
/// enabled, as `Host/Binary`, or `none`. The columns are `Binary`, `Host`, `Status`
/// (enabled/disabled) and `State` (up/down) (python-openstackclient
/// openstackclient/compute/v2/service.py `ListService`).
const SERVICES_DOWN: &str = "[.[] | select(.State != \"up\" or .Status != \"enabled\") | \
                             \"\\(.Host)/\\(.Binary)\"] | if length == 0 then \"none\" else join(\" \") end";

/// How many of the servers `names` are ACTIVE (`openstack server show -f value -c status`).
fn active(names: &[&str]) -> String {
    format!(
        "n=0; for s in {}; do [ \"$(openstack server show -f value -c status {}\"$s\")\" = ACTIVE ] \
         && n=$((n + 1)); done; echo \"$n\"",
        sh_words(names.iter().copied()),
        end_of_options(names)
    )
}

/// The migrations of `host` still in flight: nova's in-progress statuses (nova
/// nova/objects/migration.py, `IN_PROGRESS_MIGRATION_STATUSES`), read from `openstack server
/// migration list --host H -f json` (python-openstackclient compute/v2/server_migration.py,
/// column `Status`).
fn migrations_in_flight(h: &str) -> String {
    format!(
        "openstack server migration list --host {h} -f json | jq '[.[] | select(.Status as $s | \
         [\"queued\", \"preparing\", \"running\", \"post-migrating\", \"accepted\", \"pre-migrating\", \
         \"migrating\", \"confirming\"] | index($s))] | length'"
    )
}

/// The capacity and load of the listed hypervisors that are up, as [`free_room`] reads them:
/// `openstack hypervisor list --long -f json` has `vCPUs`, `vCPUs Used`, `Memory MB` and
/// `Memory MB Used` only below compute API microversion 2.88, so the command asks for 2.87
/// (python-openstackclient compute/v2/hypervisor.py `ListHypervisor`), and `State` `up`. The
/// capacity is the one the importer ([`crate::live::openstack`]) reads; nova's used amounts
/// are its instances' flavors, plus, for memory, the host's `reserved_host_memory_mb`, so the
/// memory assert is stricter than the description by that reserve. Storage: `None`.
fn rooms(resource: Resource, hosts: &[String]) -> Option<String> {
    let (cap, load) = cpu_or_memory(
        resource,
        ("(.\"vCPUs\")", "(.\"vCPUs Used\")"),
        ("(.\"Memory MB\" / 1024)", "(.\"Memory MB Used\" / 1024)"),
    )?;
    Some(format!(
        "openstack --os-compute-api-version 2.87 hypervisor list --long -f json | jq '[.[] | \
         select(.State == \"up\" and (.\"Hypervisor Hostname\" | IN($ARGS.positional[]))) | {{cap: \
         {cap}, load: {load}}}]' --args {}",
        sh_words(strs(hosts))
    ))
}

fn servers(names: &[&str]) -> String {
    sh_each(names, |s| {
        format!(
            "openstack server show -c name -c status -c OS-EXT-SRV-ATTR:host {}{s}",
            end_of_options(names)
        )
    })
}

impl Commands for OpenStack {
    fn assert(&self, expectation: &Expectation) -> Option<String> {
        Some(match expectation {
            Expectation::HostsUp { hosts } => each(&strs(hosts), |h| {
                compare(
                    h,
                    &format!("openstack compute service list --host {h} -f json | jq -r '{SERVICES_DOWN}'"),
                    Test::Equals("none"),
                )
            }),
            Expectation::ClusterUp { except } => compare(
                "'services not up and enabled'",
                &format!(
                    "openstack compute service list -f json | jq -r '[.[] | select(.Host as $h | \
                     $ARGS.positional | index($h) | not)] | {SERVICES_DOWN}' --args {}",
                    sh_words(strs(except))
                ),
                Test::Equals("none"),
            ),
            Expectation::Unavailable { host } => compare(
                &sh(host),
                &format!(
                    "openstack compute service list --host {} -f json | jq -r '[.[] | select(.State == \
                     \"up\" and .Status == \"enabled\")] | if length == 0 then \"unavailable\" else \
                     \"up\" end'",
                    sh(host)
                ),
                Test::Equals("unavailable"),
            ),
            Expectation::Votes {
                group, hosts, needed, ..
            } if !hosts.is_empty() => compare(
                &format!("{}' hosts with services up'", sh(group)),
                &format!(
                    "openstack compute service list -f json | jq '[.[] | select(.State == \"up\") | \
                     .Host] | unique | map(select(. as $h | $ARGS.positional | index($h))) | length' \
                     --args {}",
                    sh_words(strs(hosts))
                ),
                Test::AtLeast(*needed),
            ),
            Expectation::Budget {
                name,
                workloads,
                healthy,
                ..
            } => compare(
                &format!("{}' servers ACTIVE'", sh(name)),
                &active(&strs(workloads)),
                Test::AtLeast(*healthy),
            ),
            Expectation::Capacity { .. } => free_room(expectation, rooms)?,
            Expectation::All(parts) => all(parts.iter().filter_map(|p| self.assert(p)))?,
            _ => return None,
        })
    }

    fn cluster_state(&self) -> Option<String> {
        Some("openstack compute service list && openstack network agent list".into())
    }

    fn host_states(&self, hosts: &[&str]) -> Option<String> {
        Some(sh_each(hosts, |h| {
            format!("openstack compute service list --host {h}")
        }))
    }

    fn members(&self, hosts: &[&str], _workloads: &[&str], _components: &[&str]) -> Option<String> {
        (!hosts.is_empty()).then(|| "openstack compute service list".to_string())
    }

    fn budget(&self, _name: &str, workloads: &[&str]) -> Option<String> {
        Some(servers(workloads))
    }

    fn capacity(&self, _up_hosts: &[&str]) -> Option<String> {
        Some("openstack hypervisor list --long".into())
    }

    fn storage(&self, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        let computes: Vec<&str> = facts
            .host_names()
            .into_iter()
            .filter(|h| self.compute(h))
            .collect();
        let mut out = Vec::new();
        if phase == Phase::Before && !computes.is_empty() {
            out.push(CheckSpec {
                kind: CheckKind::HostState,
                subject: "migrations".into(),
                expect: format!(
                    "no migration in flight from or to {}: a move still running would land on a \
                     host about to go down",
                    and_list(&computes)
                ),
                command: Some(sh_each(&computes, |h| {
                    format!("openstack server migration list --host {h}")
                })),
                expectation: None,
                assert: Some(each(&computes, |h| {
                    compare(h, &migrations_in_flight(h), Test::Equals("0"))
                })),
            });
        }
        out.push(CheckSpec {
            // `openstack volume service list -f json`: `Binary`, `Host`, `Status`, `State`
            // (python-openstackclient volume/v2/service.py `ListService`).
            expectation: None,
            assert: Some(compare(
                "'volume services not up and enabled'",
                &format!("openstack volume service list -f json | jq -r '{SERVICES_DOWN}'"),
                Test::Equals("none"),
            )),
            kind: CheckKind::Storage,
            subject: "block storage".into(),
            expect: match phase {
                Phase::Before => "every cinder-volume service up and enabled; the instances' disk backend healthy",
                Phase::After => "every cinder-volume service still up; instances on the hosts of this wave reach their volumes",
            }
            .into(),
            command: Some("openstack volume service list".into()),
        });
        out
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        let mut out = anti_affinity_policy(
            facts,
            Some("openstack server group list --all-projects --long".into()),
        );
        // Server groups of the same names, with an anti-affinity policy: the column is
        // `Policy` from compute API 2.64, `Policies` before (python-openstackclient
        // compute/v2/server_group.py `ListServerGroup`).
        if let Some(rules) = out.first_mut() {
            let names: Vec<&str> = facts
                .cluster
                .anti_affinity
                .iter()
                .map(|g| g.name.as_str())
                .collect();
            rules.assert = Some(compare(
                "'anti-affinity server groups missing'",
                &format!(
                    "openstack server group list --all-projects --long -f json | jq -r '$ARGS.positional \
                     - [.[] | select(.Policy // .Policies | tostring | test(\"anti-affinity\")) | .Name] | \
                     if length == 0 then \"none\" else join(\" \") end' --args {}",
                    sh_words(names.iter().copied())
                ),
                Test::Equals("none"),
            ));
        }
        // A compute service's `Zone` is the availability zone of its host's aggregates
        // (python-openstackclient compute/v2/service.py, `--service` filters by binary), and a
        // host's declared fault domain is its zone (the importer reads `Zone` as one). The
        // aggregates themselves are not in the description: a wave whose hosts declare no
        // zone has nothing to compare with, and that check stays in words.
        let cluster = facts.cluster;
        let zoned: Vec<(&str, &str)> = facts
            .hosts()
            .into_iter()
            .map(|h| cluster.host(h))
            .filter(|h| self.compute(&h.name))
            .filter_map(|h| {
                let domain = cluster.fault_domain(h.fault_domain);
                (!domain.implicit).then_some((h.name.as_str(), domain.name.as_str()))
            })
            .collect();
        let assert = all(zoned.iter().map(|(host, zone)| {
            compare(
                &sh(host),
                &format!(
                    "openstack compute service list --host {} --service nova-compute -f json | jq -r \
                     '.[0].Zone'",
                    sh(host)
                ),
                Test::Equals(zone),
            )
        }));
        out.push(CheckSpec {
            expectation: None,
            kind: CheckKind::Policy,
            subject: "aggregates".into(),
            expect: if zoned.is_empty() {
                format!(
                    "{} still in their host aggregates and availability zones, as `openstack \
                     aggregate list --long` listed them before the wave (the description declares \
                     no zone to compare with)",
                    and_list(&facts.host_names())
                )
            } else {
                format!(
                    "{} still in their availability zones: {}",
                    and_list(&facts.host_names()),
                    and_list(
                        &zoned
                            .iter()
                            .map(|(h, z)| format!("{h} in {z}"))
                            .collect::<Vec<_>>()
                    )
                )
            },
            command: assert
                .as_ref()
                .map(|_| "openstack aggregate list --long".to_string()),
            assert,
        });
        out
    }

    fn prepare(&self, host: &str) -> Option<StepSpec> {
        self.compute(host).then(|| {
            StepSpec::new(
                Action::DisableScheduling,
                host,
                Some(format!(
                    "openstack compute service set --disable --disable-reason 'rolling upgrade' {} nova-compute",
                    sh_operands([host])
                )),
                format!("disable the nova-compute service of {host}: the scheduler places nothing new there"),
            )
        })
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        let server = sh_operands([workload.name.as_str()]);
        let detail = super::migrate_words(workload, from, to);
        // `server migrate --wait` reports success when a live migration failed and the server
        // went back to ACTIVE on its source, so the host is read back afterwards.
        let landed = format!(
            "{{ h=$(openstack server show -f value -c OS-EXT-SRV-ATTR:host {server}); [ \"$h\" = {0} ] \
             || {{ printf 'expected host %s, observed: %s\\n' {0} \"$h\"; false; }}; }}",
            sh(to)
        );
        match workload.migration {
            Migration::Restart => Instruction::run(
                format!(
                    "openstack --os-compute-api-version 2.56 server migrate --host {} --wait {server} \
                     && openstack server resize confirm {server} && {landed}",
                    sh(to)
                ),
                format!("{detail} (cold migration, confirmed once it is ACTIVE on {to})"),
            ),
            _ => Instruction::run(
                format!(
                    "openstack --os-compute-api-version 2.30 server migrate --live-migration --host {} --wait {server} && {landed}",
                    sh(to)
                ),
                format!(
                    "{detail}; the server's host is read back, since --wait also returns when the live migration failed"
                ),
            ),
        }
    }

    // `openstack server stop` / `server start` (python-openstackclient, the Compute API's
    // os-stop / os-start actions, which shut the guest down cleanly); stop returns before
    // the server is SHUTOFF, so the step waits for it.
    fn shutdown(&self, workload: &Workload, host: &str) -> Instruction {
        let server = sh_operands([workload.name.as_str()]);
        Instruction::run(
            format!(
                "openstack server stop {server} && until [ \"$(openstack server show -f value -c status {server})\" = SHUTOFF ]; do sleep 5; done"
            ),
            super::pinned_words(workload, host, true),
        )
    }

    fn start(&self, workload: &Workload, host: &str) -> Instruction {
        let server = sh_operands([workload.name.as_str()]);
        Instruction::run(
            format!("openstack server start {server}"),
            super::pinned_words(workload, host, false),
        )
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(if self.compute(host) {
            StepSpec::new(
                Action::EnterMaintenance,
                host,
                Some(format!(
                    "openstack server list --all-projects --host {}",
                    sh(host)
                )),
                format!("{host} is empty: the list must show no instance left on it"),
            )
        } else {
            StepSpec::new(
                Action::EnterMaintenance,
                host,
                None,
                format!(
                    "take {host} out of service: move the API VIP off it (keepalived) and stop \
                     its containers cleanly; its clustered services lose one member, as the \
                     quorum pre-checks allow"
                ),
            )
        })
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        Instruction::prose(format!(
            "upgrade {host} to {}: the OS packages, then the OpenStack services with the \
             deployment tool (kolla-ansible upgrade --limit {host}, or its equivalent)",
            target_words(target)
        ))
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::prose(format!(
            "reboot {host} and wait until its services report up in openstack compute service \
             list"
        ))
    }

    fn exit(&self, host: &str, _receives: bool) -> StepSpec {
        if self.compute(host) {
            StepSpec::new(
                Action::ExitMaintenance,
                host,
                Some(format!(
                    "openstack compute service set --enable {} nova-compute",
                    sh_operands([host])
                )),
                format!("enable the nova-compute service of {host} again"),
            )
        } else {
            StepSpec::new(
                Action::ExitMaintenance,
                host,
                None,
                format!("put {host} back in service: its clustered services rejoined and in sync"),
            )
        }
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let computes: Vec<&str> = facts
            .host_names()
            .into_iter()
            .filter(|h| self.compute(h))
            .collect();
        let enable = if computes.is_empty() {
            String::new()
        } else {
            format!(
                " Enable the compute services of the hosts that are back ({}).",
                sh_each(&computes, |h| format!(
                    "openstack compute service set --enable {}{h} nova-compute",
                    end_of_options(&computes)
                ))
            )
        };
        format!(
            "A host whose upgrade failed keeps its compute service disabled: nothing is \
             scheduled there. nova-compute may run one release older than the control plane \
             (with upgrade_levels pinned), never newer.{enable}"
        )
    }
}
