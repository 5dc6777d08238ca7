//! Nutanix AHV, with acli and ncli on a CVM, and Prism Element's REST API.
//!
//! Hosts are AHV hosts as acli names them (acli also takes the hypervisor IP), workloads are
//! VMs. A quorum group of workloads on Nutanix is in practice the CVMs, whose services
//! `cluster status` shows. Data resiliency is ncli's fault-tolerance status. AHV upgrades run
//! through LCM (Prism), which has no acli command; LCM also shuts the CVM down and brings it
//! back.
//!
//! acli prints VMs, hosts, HA, networks and VM groups in no documented form, so no assert
//! parses acli's output. What VMs run where, the hosts' capacity and the HA setting are read
//! from Prism Element's REST API instead (see [`prism`]).

use crate::model::{Migration, Resource, Workload};

use super::assert::{Test, all, compare, cpu_or_memory, each, free_room, strs, sum};
use super::{
    CheckSpec, Commands, Instruction, Phase, StepSpec, anti_affinity_policy, join, sh_each, target_words,
};
use crate::runbook::expect::Expectation;
use crate::runbook::facts::WaveFacts;
use crate::runbook::quote::{sh, sh_words};
use crate::runbook::{Action, CheckKind, and_list};

/// A Nutanix AHV cluster.
pub struct Nutanix;

/// awk over `ncli host list`, which prints one block per node of `Key : value` lines, `Name`
/// before `Hypervisor Version` (`Nutanix 20190916.253`), `Host Status` (`NORMAL`) and `Under
/// Maintenance Mode` (`false (life_cycle_management)`) (Nutanix AOS Command Reference, `ncli
/// host list`; the output as shown at https://systemsengineer.cloud/cvm-maintenance-mode/ and
/// https://masteringnutanix.com/2020/09/15/how-to-put-cvms-and-hosts-in-maintenance-mode/).
/// `on_node` runs on a node's maintenance line, which comes last of those, with `n` (its
/// name), `v` (its AHV version), `s` (its status) and `m` (the first word of its maintenance
/// flag) set. `names` (shell words, or empty) become the set `listed` in awk.
fn ncli_hosts(on_node: &str, end: &str, names: &str) -> String {
    let (begin, operands) = if names.is_empty() {
        (String::new(), String::new())
    } else {
        (
            "BEGIN {for (i = 1; i < ARGC; i++) listed[ARGV[i]] = 1; ARGC = 1} ".to_string(),
            format!(" {names}"),
        )
    };
    let end = if end.is_empty() {
        String::new()
    } else {
        format!(" END {{{end}}}")
    };
    format!(
        "ncli host list | awk -F' *: ' '{begin}$1 ~ /^ *Name$/ {{n = $2}} $1 ~ /^ *Host Status$/ {{s = \
         $2}} $1 ~ /^ *Hypervisor Version$/ {{v = $2; sub(/^Nutanix /, \"\", v)}} $1 ~ /^ *Under \
         Maintenance Mode$/ {{split($2, a, \" \"); m = a[1]; {on_node}}}{end}'{operands}"
    )
}

/// `s,m` of node `h` (a shell word): `NORMAL,false` when it is up and out of maintenance.
fn node_state(h: &str) -> String {
    ncli_hosts("if (n in listed) print s \",\" m", "", h)
}

/// A GET of Prism Element's REST API at `path`, from a CVM: the cluster at `$PRISM` (this
/// CVM, `localhost`, when unset), port 9440, the credentials in `~/.netrc` (`machine HOST
/// login USER password PASSWORD`), so that no password shows on a command line; Prism's
/// certificate must be trusted (`CURL_CA_BUNDLE`). `--fail` makes an HTTP error fail the
/// command, and its assert with it.
///
/// The shapes read are those of Nutanix's own client of this API, nutanix/curie (X-Ray), at
/// commit e25691f (`curie/nutanix_rest_api_client.py`, `curie/acropolis_cluster.py`,
/// `curie/vm.py`, `curie/nutanix_node_util.py`): [`VMS`], [`HOSTS`] and [`HA`].
fn prism(path: &str) -> String {
    format!("curl -sS --fail --netrc \"https://${{PRISM:-localhost}}:9440{path}\"")
}

/// Prism v1 `GET /vms/` with the projection curie asks for: `{"entities": [...]}`, one per VM
/// (CVMs too, `controllerVm`), with `vmName`, `uuid`, `powerState` (`on` when running),
/// `hostUuid` (null when off), `numVCpus` and `memoryCapacityInBytes`.
const VMS: &str = "/PrismGateway/services/rest/v1/vms/?projection=BASIC_INFO";

/// Prism v1 `GET /hosts`: `{"entities": [...]}`, one per node, with `name` (the host's name
/// in Prism), `uuid`, `state` (`NORMAL` when healthy), `numCpuCores` and
/// `memoryCapacityInBytes`.
const HOSTS: &str = "/PrismGateway/services/rest/v1/hosts";

/// Acropolis v0.8 `GET /ha/`: the cluster's HA configuration, `failoverEnabled` true when HA
/// restarts the VMs of a failed host.
const HA: &str = "/api/nutanix/v0.8/ha/";

/// jq over a VM list ([`VMS`]): its powered-on VMs, as an array.
const POWERED_ON: &str = "(.entities | map(select((.powerState // \"\" | ascii_downcase) == \"on\")))";

/// What the capacity assert reads ([`free_room`]): for each listed node that is `NORMAL`, its
/// cores or GiB, and the vCPUs or GiB of the powered-on VMs on it (CVMs included: they hold
/// that memory). Whether a node is in maintenance is the host-state pre-checks' (`ncli host
/// list`): Prism's `state` is the node's health.
fn rooms(resource: Resource, hosts: &[String]) -> Option<String> {
    let (cap, load) = cpu_or_memory(
        resource,
        ("(.numCpuCores // 0)", "(.numVCpus // 0)"),
        (
            "((.memoryCapacityInBytes // 0) / 1073741824)",
            "((.memoryCapacityInBytes // 0) / 1073741824)",
        ),
    )?;
    Some(format!(
        "{{ {} && {}; }} | jq -s '(.[1] | {POWERED_ON}) as $on | [.[0].entities[] | select(.state \
         == \"NORMAL\" and (.name | IN($ARGS.positional[]))) | .uuid as $h | {{cap: {cap}, load: \
         ([$on[] | select(.hostUuid == $h) | {load}] | add // 0)}}]' --args {}",
        prism(HOSTS),
        prism(VMS),
        sh_words(strs(hosts))
    ))
}

impl Commands for Nutanix {
    fn assert(&self, expectation: &Expectation) -> Option<String> {
        Some(match expectation {
            Expectation::Version { hosts, version } => each(&strs(hosts), |h| {
                compare(
                    h,
                    &ncli_hosts("if (n in listed) print v", "", h),
                    Test::Equals(version),
                )
            }),
            Expectation::HostsUp { hosts } => each(&strs(hosts), |h| {
                compare(h, &node_state(h), Test::Equals("NORMAL,false"))
            }),
            Expectation::Unavailable { host } => {
                let h = sh(host);
                compare(&h, &node_state(&h), Test::Not("NORMAL,false"))
            }
            // Every node but the declared ones, which are `listed`.
            Expectation::ClusterUp { except } => compare(
                "'nodes not NORMAL or in maintenance'",
                &ncli_hosts(
                    "if ((s != \"NORMAL\" || m != \"false\") && !(n in listed)) l = l (l == \"\" ? \
                     \"\" : \" \") n",
                    "print (l == \"\" ? \"none\" : l)",
                    &sh_words(strs(except)),
                ),
                Test::Equals("none"),
            ),
            // `cluster status` prints `CVM: IP Up` (or `Down`) for each CVM (Nutanix AOS Command
            // Reference, `cluster status`): the CVMs up are the votes of a group of CVMs.
            Expectation::Votes {
                group,
                hosts,
                workloads,
                needed,
            } => compare(
                &format!("{}' members up'", sh(group)),
                &sum([
                    (!hosts.is_empty()).then(|| {
                        ncli_hosts(
                            "if (s == \"NORMAL\" && m == \"false\" && (n in listed)) c++",
                            "print c + 0",
                            &sh_words(strs(hosts)),
                        )
                    }),
                    (!workloads.is_empty()).then(|| {
                        "cluster status 2>&1 | awk '$1 == \"CVM:\" && $3 ~ /^Up/ {c++} END {print c + 0}'"
                            .to_string()
                    }),
                ])?,
                Test::AtLeast(*needed),
            ),
            Expectation::Budget {
                name,
                workloads,
                healthy,
                ..
            } => compare(
                &format!("{}' VMs powered on'", sh(name)),
                &format!(
                    "{} | jq '{POWERED_ON} | map(select(.vmName | IN($ARGS.positional[]))) | length' \
                     --args {}",
                    prism(VMS),
                    sh_words(strs(workloads))
                ),
                Test::AtLeast(*healthy),
            ),
            Expectation::Capacity { .. } => free_room(expectation, rooms)?,
            Expectation::ComponentVersion { .. } => return None,
            Expectation::All(parts) => all(parts.iter().filter_map(|p| self.assert(p)))?,
        })
    }

    fn cluster_state(&self) -> Option<String> {
        Some("acli host.list && ncli host list".into())
    }

    fn versions(&self, _hosts: &[&str]) -> Option<String> {
        Some("ncli host list".into())
    }

    fn members(&self, hosts: &[&str], workloads: &[&str], _components: &[&str]) -> Option<String> {
        join([
            (!hosts.is_empty()).then(|| "acli host.list".to_string()),
            (!workloads.is_empty()).then(|| "cluster status".to_string()),
        ])
    }

    fn budget(&self, _name: &str, workloads: &[&str]) -> Option<String> {
        Some(format!(
            "{} | jq -r '.entities[] | select(.vmName | IN($ARGS.positional[])) | \"\\(.vmName) \
             \\(.powerState)\"' --args {}",
            prism(VMS),
            sh_words(workloads.iter().copied())
        ))
    }

    fn capacity(&self, up_hosts: &[&str]) -> Option<String> {
        Some(format!(
            "{{ {} && {}; }} | jq -rs '(.[1] | {POWERED_ON}) as $on | .[0].entities[] | select(.name | \
             IN($ARGS.positional[])) | .uuid as $h | [$on[] | select(.hostUuid == $h)] as $vms | \
             \"\\(.name) \\(.state): \\(.numCpuCores) cores, \\([$vms[].numVCpus // 0] | add // 0) vCPUs \
             on; \\(.memoryCapacityInBytes / 1073741824) GiB, \\([$vms[].memoryCapacityInBytes // 0] | \
             add // 0 | . / 1073741824) GiB of VMs on\"' --args {}",
            prism(HOSTS),
            prism(VMS),
            sh_words(up_hosts.iter().copied())
        ))
    }

    fn storage(&self, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
        let mut out = vec![CheckSpec {
            expectation: None,
            kind: CheckKind::Storage,
            subject: "data resiliency".into(),
            expect: match phase {
                Phase::Before => {
                    "Data Resiliency OK: node fault tolerance 1 for every component, no rebuild running"
                }
                Phase::After => {
                    "Data Resiliency OK again (the CVMs of this wave caught up) before the next wave starts"
                }
            }
            .into(),
            command: Some("ncli cluster get-domain-fault-tolerance-status type=node".into()),
            // ncli prints one block per component with `Current Fault Tolerance : N` (Nutanix
            // Prism Web Console Guide, "Checking the cluster fault tolerance status"); the
            // smallest must be at least 1.
            assert: Some(compare(
                "'node fault tolerance'",
                "ncli cluster get-domain-fault-tolerance-status type=node | awk -F': *' \
                 '$1 ~ /Current Fault Tolerance/ {if (m == \"\" || $2 + 0 < m) m = $2 + 0} END {print m}'",
                Test::AtLeast(1),
            )),
        }];
        if phase == Phase::Before {
            for host in facts.host_names() {
                out.push(CheckSpec {
            expectation: None,
                    kind: CheckKind::HostState,
                    subject: host.to_string(),
                    expect: format!("acli answers \"Ok to enter maintenance mode.\" for {host}"),
                    command: Some(format!("acli host.enter_maintenance_mode_check {}", sh(host))),
                    assert: Some(compare(
                        &sh(host),
                        &format!(
                            "acli host.enter_maintenance_mode_check {} | grep -cxF 'Ok to enter maintenance mode.'",
                            sh(host)
                        ),
                        Test::Equals("1"),
                    )),
                });
            }
        } else {
            out.push(CheckSpec {
                expectation: None,
                kind: CheckKind::Storage,
                subject: "CVM services".into(),
                expect: "every CVM and every service on it UP".into(),
                command: Some("cluster status".into()),
                // `cluster status` lists each CVM and service with `UP` or `DOWN` (Nutanix AOS
                // Command Reference, `cluster status`).
                assert: Some(compare(
                    "'CVM services DOWN'",
                    "cluster status 2>&1 | grep -cw DOWN",
                    Test::Equals("0"),
                )),
            });
        }
        out
    }

    fn policies(&self, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
        // AHV's VM-VM anti-affinity rules are acli VM groups, which `acli vm_group.list` lists
        // in no documented form, and Nutanix's published API clients read no VM group: the
        // check stays in words, with the listing to compare by eye.
        let mut out = anti_affinity_policy(facts, None);
        if let Some(rules) = out.first_mut() {
            rules.expect.push_str(
                " (AHV VM groups with anti-affinity: compare `acli vm_group.list` with what it \
                 listed before the wave)",
            );
        }
        out.push(CheckSpec {
            expectation: None,
            kind: CheckKind::Policy,
            subject: "HA reservation".into(),
            expect: "HA still enabled (`failoverEnabled` true), and its reservation as before the \
                     upgrade, not reset by it (Prism Element's settings, Manage VM High \
                     Availability)"
                .into(),
            command: Some(format!("{} | jq .", prism(HA))),
            // The reservation's fields are not in Nutanix's published clients: the assert
            // checks that HA is on, the reservation is read in Prism.
            assert: Some(compare(
                "'HA failover enabled'",
                &format!("{} | jq -r .failoverEnabled", prism(HA)),
                Test::Equals("true"),
            )),
        });
        out.push(CheckSpec {
            expectation: None,
            assert: None,
            kind: CheckKind::Policy,
            subject: "networks".into(),
            expect: format!(
                "every VM network as before the upgrade (Prism Element's settings, Network \
                 Configuration), and the uplink bonds of {} (Prism, Network > Uplink \
                 configuration)",
                and_list(&facts.host_names())
            ),
            // What to compare with is the state before the wave, which the description does
            // not hold, and acli's `net.list` has no documented output: the check is in words.
            // `manage_ovs show_uplinks` shows only the host of the CVM it runs on, which is not
            // one of this wave's hosts in general: the bonds are checked in Prism too.
            command: None,
        });
        out
    }

    fn migrate(&self, workload: &Workload, from: &str, to: &str) -> Instruction {
        let vm = sh(&workload.name);
        let detail = super::migrate_words(workload, from, to);
        match workload.migration {
            Migration::Restart => Instruction::run(
                format!("acli vm.shutdown {vm} && acli vm.on {vm} host={}", sh(to)),
                detail,
            ),
            _ => Instruction::run(format!("acli vm.migrate {vm} host={} live=true", sh(to)), detail),
        }
    }

    // The same acli verbs as the restart move above: `vm.shutdown` is the ACPI guest shutdown,
    // `vm.on` powers on.
    fn shutdown(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::run(
            format!("acli vm.shutdown {}", sh(&workload.name)),
            super::pinned_words(workload, host, true),
        )
    }

    fn start(&self, workload: &Workload, host: &str) -> Instruction {
        Instruction::run(
            format!("acli vm.on {}", sh(&workload.name)),
            super::pinned_words(workload, host, false),
        )
    }

    fn enter(&self, host: &str) -> Option<StepSpec> {
        Some(StepSpec::new(
            Action::EnterMaintenance,
            host,
            Some(format!("acli host.enter_maintenance_mode {} wait=true", sh(host))),
            format!(
                "put {host} into maintenance mode: AHV live-migrates whatever is left; its CVM \
                 stays up until the upgrade stops it"
            ),
        ))
    }

    fn upgrade(&self, host: &str, target: Option<&str>) -> Instruction {
        Instruction::prose(format!(
            "upgrade AHV on {host} to {} with LCM; LCM stops the CVM, upgrades, reboots the host \
             and waits for the CVM to rejoin",
            target_words(target)
        ))
    }

    fn reboot(&self, host: &str) -> Instruction {
        Instruction::prose(format!(
            "LCM rebooted {host}; a manual reboot needs the CVM shut down first (cvm_shutdown \
             -P now on it); wait until the CVM is back in `cluster status`"
        ))
    }

    fn exit(&self, host: &str, receives: bool) -> StepSpec {
        StepSpec::new(
            Action::ExitMaintenance,
            host,
            Some(format!("acli host.exit_maintenance_mode {}", sh(host))),
            if receives {
                format!("take {host} out of maintenance mode; AHV brings its VMs back")
            } else {
                format!("take {host} out of maintenance mode; it has no capacity and runs no VMs")
            },
        )
    }

    fn rollback(&self, facts: &WaveFacts<'_>) -> String {
        let hosts = facts.host_names();
        format!(
            "Do not start another node while Data Resiliency is not OK: a second CVM down can \
             make data unavailable. A node whose upgrade failed stays in maintenance \
             mode; LCM can retry it. Take the nodes that are back out of maintenance mode ({}).",
            sh_each(&hosts, |h| format!("acli host.exit_maintenance_mode {h}"))
        )
    }
}
