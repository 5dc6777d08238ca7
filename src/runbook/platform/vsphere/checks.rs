//! vSphere's storage and policy checks: datastores or vSAN objects and resync before and after a
//! wave, DRS rules, HA admission control and the hosts' network configuration.

use super::*;

pub(super) fn storage(v: &Vsphere, facts: &WaveFacts<'_>, phase: Phase) -> Vec<CheckSpec> {
    if !v.vsan {
        return vec![CheckSpec {
            expectation: None,
            // govc datastore.info -json lists `datastores` with `summary.accessible`
            // (govmomi cli/datastore/info.go; vim25 DatastoreSummary).
            assert: Some(compare(
                "'datastores not accessible'",
                "govc datastore.info -json | jq -r '[.datastores[] | select(.summary.accessible \
                 | not) | .name] | if length == 0 then \"none\" else join(\" \") end'",
                Test::Equals("none"),
            )),
            kind: CheckKind::Storage,
            subject: "datastores".into(),
            expect: format!(
                "every shared datastore accessible from {}",
                crate::runbook::platform::every_up(facts, "host")
            ),
            command: Some("govc datastore.info".into()),
        }];
    }
    let probe = Vsphere::probe(facts, phase);
    let esxcli = |what: &str| probe.map(|h| format!("govc host.esxcli -host {} {what}", sh(h)));
    let (health, resync) = match phase {
        Phase::Before => (
            "every vSAN object healthy: none inaccessible, reduced-availability or non-compliant",
            "no resync running: 0 objects and 0 bytes left to resync",
        ),
        Phase::After => (
            "every vSAN object healthy again once the hosts are back",
            "the resync of what changed while the hosts were away has finished (0 bytes \
             left) before the next wave starts",
        ),
    };
    // `govc host.esxcli` prints one `Key:  value` block per row (formatSimple); esxcli
    // names the fields of `vsan debug object health summary get` HealthStatus and
    // NumberOfObjects, and those of `vsan debug resync summary get`
    // TotalBytesLefttoResync and TotalNumberOfResyncingObjects (esxcli vsan debug
    // reference, VMware vSAN 7.0 U1+).
    let unhealthy = probe.map(|h| {
        compare(
            "'vSAN objects not healthy'",
            &format!(
                "govc host.esxcli -host {} vsan debug object health summary get | awk '$1 == \
                 \"HealthStatus:\" {{s = $2}} $1 == \"NumberOfObjects:\" && s != \"healthy\" \
                 {{n += $2}} END {{print n + 0}}'",
                sh(h)
            ),
            Test::Equals("0"),
        )
    });
    let resyncing = probe.map(|h| {
        compare(
            "'bytes left to resync'",
            &format!(
                "govc host.esxcli -host {} vsan debug resync summary get | awk 'tolower($1) == \
                 \"totalbyteslefttoresync:\" {{print $2}}'",
                sh(h)
            ),
            Test::Equals("0"),
        )
    });
    let mut out = vec![
        CheckSpec {
            expectation: None,
            assert: unhealthy,
            kind: CheckKind::Storage,
            subject: "vSAN objects".into(),
            expect: health.into(),
            command: esxcli("vsan debug object health summary get"),
        },
        CheckSpec {
            expectation: None,
            assert: resyncing,
            kind: CheckKind::Storage,
            subject: "vSAN resync".into(),
            expect: resync.into(),
            command: esxcli("vsan debug resync summary get"),
        },
    ];
    if phase == Phase::Before {
        out.push(repair_timer(facts));
    }
    out
}

pub(super) fn policies(v: &Vsphere, facts: &WaveFacts<'_>) -> Vec<CheckSpec> {
    let mut out = anti_affinity_policy(
        facts,
        Some(format!("govc cluster.rule.ls -cluster {} -l", sh(&v.cluster))),
    );
    let groups: Vec<&str> = facts
        .cluster
        .anti_affinity
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    if let Some(rules) = out.first_mut() {
        rules.assert = Some(compare(
            "'DRS rules missing or disabled'",
            &format!(
                "{} configurationEx.rule | jq -r '. as $r | [$ARGS.positional[] | select(. as $n | \
                 $r | any(.[]?; .name == $n and .enabled == true) | not)] | if length == 0 then \
                 \"none\" else join(\" \") end' --args {}",
                v.collect(),
                quote::sh_words(groups.iter().copied())
            ),
            Test::Equals("none"),
        ));
    } else {
        out.push(CheckSpec {
            expectation: None,
            assert: Some(compare(
                "'DRS,HA enabled'",
                &format!(
                    "{} configurationEx | jq -r '\"\\(.drsConfig.enabled),\\(.dasConfig.enabled)\"'",
                    v.collect()
                ),
                Test::Equals("true,true"),
            )),
            kind: CheckKind::Policy,
            subject: "DRS rules".into(),
            expect: "DRS and HA still enabled with the cluster's rules, none reset".into(),
            command: Some(format!("govc cluster.rule.ls -cluster {} -l", sh(&v.cluster))),
        });
    }
    if v.vsan {
        out.push(storage_policies(facts));
    }
    out.push(distributed_switch(v, facts));
    out
}

/// The VMs of this wave's hosts are compliant with their storage policies: `govc
/// storage.policy.info -c -json` lists, per policy, the names of its compliant VMs
/// (`policies[].compliantVM`, govmomi cli/storage/policy/info.go); a VM missing from every
/// list is not compliant (on vSAN every VM has a policy, the datastore default at least).
fn storage_policies(facts: &WaveFacts<'_>) -> CheckSpec {
    let cluster = facts.cluster;
    let vms: Vec<&str> = facts
        .hosts()
        .iter()
        .flat_map(|&h| cluster.host(h).workloads.iter())
        .map(|&w| cluster.workload(w).name.as_str())
        .collect();
    let (expect, assert) = if vms.is_empty() {
        (
            "the VM storage policies still exist unchanged and every VM is compliant".to_string(),
            None,
        )
    } else {
        (
            format!(
                "every VM of this wave's hosts compliant with its storage policy: {}",
                and_list(&vms)
            ),
            Some(compare(
                "'VMs not compliant'",
                &format!(
                    "govc storage.policy.info -c -json | jq -r '[.policies[].compliantVM[]?] as $ok | \
                     [$ARGS.positional[] | select(. as $n | $ok | index($n) | not)] | if length == 0 \
                     then \"none\" else join(\" \") end' --args {}",
                    quote::sh_words(vms.iter().copied())
                ),
                Test::Equals("none"),
            )),
        )
    };
    CheckSpec {
        expectation: None,
        command: assert.as_ref().map(|_| "govc storage.policy.ls".to_string()),
        assert,
        kind: CheckKind::Policy,
        subject: "storage policies".into(),
        expect,
    }
}

/// Each host of the wave has the VMkernel adapters of a host of the same kind (a witness, or a
/// host that takes workloads) that stayed up: the same devices on the same port groups and
/// switches with the same services. `govc host.vnic.info -json` gives `info[]` with `device`,
/// `network`, `switch` and `services` (govmomi cli/host/vnic/info.go). A host with no such
/// peer up has nothing to be compared with and is checked by eye.
fn distributed_switch(v: &Vsphere, facts: &WaveFacts<'_>) -> CheckSpec {
    let cluster = facts.cluster;
    let up = facts.up_hosts();
    let pairs: Vec<(&str, &str)> = facts
        .hosts()
        .iter()
        .filter_map(|&h| {
            let kind = crate::runbook::facts::receives_workloads(cluster, h);
            up.iter()
                .find(|&&u| crate::runbook::facts::receives_workloads(cluster, u) == kind)
                .map(|&u| (cluster.host(h).name.as_str(), cluster.host(u).name.as_str()))
        })
        .collect();
    let layout = |host: &str| {
        format!(
            "govc host.vnic.info -json -host {host} | jq -r '[.info[] | \"\\(.device) \\(.network) \
             \\(.switch) \\(.services | sort | join(\",\"))\"] | sort | join(\"; \")'"
        )
    };
    let assert = all(pairs.iter().map(|(host, peer)| {
        let (host, peer) = (sh(&inventory(host)), sh(&inventory(peer)));
        format!(
            "r=$({}) && {}",
            layout(&peer),
            compare(&host, &layout(&host), Test::Equals("$r")).replacen("'$r'", "\"$r\"", 2)
        )
    }));
    let hosts = facts.host_names();
    CheckSpec {
        expectation: None,
        kind: CheckKind::Policy,
        subject: "distributed switch".into(),
        expect: if pairs.is_empty() {
            format!(
                "{} still on the distributed switch, with the same VMkernel adapters and services \
                 (management, vMotion{}) on the same port groups as before",
                and_list(&hosts),
                if v.vsan { ", vSAN" } else { "" },
            )
        } else {
            format!(
                "the VMkernel adapters of {} (devices, port groups, switches and services: \
                 management, vMotion{}) the same as those of {}, which stayed up",
                and_list(&pairs.iter().map(|p| p.0).collect::<Vec<_>>()),
                if v.vsan { ", vSAN" } else { "" },
                and_list(&{
                    let mut peers: Vec<&str> = pairs.iter().map(|p| p.1).collect();
                    peers.dedup();
                    peers
                }),
            )
        },
        command: assert
            .as_ref()
            .map(|_| sh_each(&hosts, |h| format!("govc host.vnic.info -host {h}"))),
        assert,
    }
}

/// The capacity and load of the listed hosts that are up, as [`free_room`] reads them, the way
/// the importer ([`crate::live::vsphere`]) reads govc: `govc host.info -json` (every property
/// with `-json`, govmomi cli/host/info.go) gives each host's `summary.hardware.numCpuCores` and
/// `memorySize` (bytes), up when `summary.runtime.connectionState` is `connected` and it is
/// not in maintenance mode; the load is the powered-on VMs' `summary.config.numCpu` and
/// `memorySizeMB` whose `summary.runtime.host` is the host's `self` (`govc find -i` prints
/// morefs, which `vm.info` reads back; cli/find, cli/vm/info.go). `xargs -r` (GNU and BSD)
/// skips `vm.info` when no VM is powered on. Storage: `None`, as VMs' disks sit on shared
/// datastores, not on a host.
pub(super) fn rooms(resource: Resource, hosts: &[String]) -> Option<String> {
    let (cap, load) = cpu_or_memory(
        resource,
        (".summary.hardware.numCpuCores", "(.summary.config.numCpu // 0)"),
        (
            "(.summary.hardware.memorySize / 1073741824)",
            "((.summary.config.memorySizeMB // 0) / 1024)",
        ),
    )?;
    Some(format!(
        "{{ govc host.info -json {} && govc find -i / -type m -runtime.powerState poweredOn | xargs -r \
         govc vm.info -json; }} | jq -s '[.[1:][].virtualMachines[]] as $vms | [.[0].hostSystems[] | \
         select(.summary.runtime.connectionState == \"connected\" and (.summary.runtime.inMaintenanceMode \
         | not)) | .self.value as $h | {{cap: {cap}, load: ([$vms[] | select(.summary.runtime.host.value \
         == $h) | {load}] | add // 0)}}]'",
        sh_operands(strs(hosts))
    ))
}
