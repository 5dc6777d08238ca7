//! Capacity asserts: the free room of the hosts that stay up, read with each platform's tool
//! and compared with what the evacuation and the HA reserve need, as the validator counts it.
//!
//! The cluster of [`super::book`] with `cpu_overcommit = 2`, `headroom_percent = 10` and
//! `reserve_host_failures = 1`: each host of 16 cores and 64 GiB may hold 16 × 2 × 0.9 = 28.8
//! cores and 64 × 0.9 = 57.6 GiB. Wave 1 takes h1 down and moves its workload (1 core, 1 GiB);
//! the reserve is one host's usable capacity. So the hosts that stay up (h2, h3) need
//! 1 + 28.8 = 29.8 cores and 1 + 57.6 = 58.6 GiB free, and, as declared (h2 holds 1 core and
//! 1 GiB), have 27.8 + 28.8 = 56.6 cores and 56.6 + 57.6 = 114.2 GiB.
//!
//! Formats: Proxmox `pvesh get /cluster/resources --output-format json` (pve-manager
//! PVE/API2/Cluster.pm `resources`: `type`, `node`, `status`, `maxcpu`, `maxmem` in bytes,
//! `template`, `hastate`); govc `host.info -json` and `vm.info -json` (govmomi
//! cli/host/info.go and cli/vm/info.go load every property with `-json`; vim25 types.go
//! HostListSummary `hardware.numCpuCores`, `hardware.memorySize`, `runtime.connectionState`,
//! `runtime.inMaintenanceMode`; VirtualMachineSummary `config.numCpu`, `config.memorySizeMB`,
//! `runtime.host`), `govc find -i` printing `Type:value` morefs (govc/USAGE.md `find`);
//! `openstack hypervisor list --long -f json` below microversion 2.88 (python-openstackclient
//! openstackclient/compute/v2/hypervisor.py `ListHypervisor`: `Hypervisor Hostname`, `State`,
//! `vCPUs Used`, `vCPUs`, `Memory MB Used`, `Memory MB`); Kubernetes nodes and pods as
//! `kubectl get -o json` prints them (kubernetes/api core/v1/types.go: `status.allocatable`,
//! `spec.unschedulable`, `status.conditions`, `spec.nodeName`, container
//! `resources.requests`, `status.phase`; quantities per apimachinery
//! pkg/api/resource/quantity.go).

use quorate::runbook::{CheckKind, Runbook};

use super::{Stubs, assert_of, book, ok};

const POLICY: &str = "\n[policy]\ncpu_overcommit = 2.0\nheadroom_percent = 10\nreserve_host_failures = 1\n";

fn lab(platform: &str) -> Runbook {
    book(platform, "1.0", "1.1", POLICY).1
}

/// The cpu and memory asserts of wave 1.
fn asserts(book: &Runbook) -> (String, String) {
    (
        assert_of(book, 1, true, CheckKind::Capacity, "cpu"),
        assert_of(book, 1, true, CheckKind::Capacity, "memory"),
    )
}

const GIB: u64 = 1 << 30;

/// `/cluster/resources`: three nodes of 16 cores and 64 GiB, h3 `h3_status`; guests
/// `(vmid, node, cores, GiB, status)`, and a template on h3 that counts for nothing.
fn pve(h3_status: &str, guests: &[(u32, &str, u64, u64, &str)]) -> String {
    let mut items: Vec<String> = ["h1", "h2", "h3"]
        .iter()
        .map(|n| {
            let status = if *n == "h3" { h3_status } else { "online" };
            format!(
                r#"{{"id":"node/{n}","type":"node","node":"{n}","status":"{status}","maxcpu":16,"maxmem":{},"cpu":0.05,"mem":4294967296,"uptime":86400,"level":""}}"#,
                64 * GIB
            )
        })
        .collect();
    for (vmid, node, cores, gib, status) in guests {
        items.push(format!(
            r#"{{"id":"qemu/{vmid}","type":"qemu","vmid":{vmid},"name":"vm{vmid}","node":"{node}","status":"{status}","maxcpu":{cores},"maxmem":{},"template":0}}"#,
            gib * GIB
        ));
    }
    items.push(format!(
        r#"{{"id":"qemu/9000","type":"qemu","vmid":9000,"name":"tmpl","node":"h3","status":"stopped","maxcpu":64,"maxmem":{},"template":1}}"#,
        512 * GIB
    ));
    format!("[{}]", items.join(","))
}

#[test]
fn proxmox_capacity_asserts_read_the_free_room_of_the_nodes_that_stay_up() {
    let (cpu, memory) = asserts(&lab("proxmox"));
    let stubs = Stubs::new("capacity-proxmox");
    let declared = [(100, "h1", 1, 1, "running"), (101, "h2", 1, 1, "running")];
    stubs.tool(
        "pvesh",
        &[ok("get /cluster/resources", &pve("online", &declared))],
    );
    stubs.passes(&cpu);
    stubs.passes(&memory);
    let (_, out) = stubs.run(&cpu);
    assert!(out.contains("56.6"), "{out}");

    // h2 and h3 fuller than declared: 28.8 - 11 + 28.8 - 20 = 26.6 cores; memory:
    // 57.6 - 21 + 57.6 - 40 = 54.2 GiB. A stopped guest without HA reserves nothing.
    let full = [
        (100, "h1", 1, 1, "running"),
        (101, "h2", 11, 21, "running"),
        (102, "h3", 20, 40, "running"),
        (103, "h2", 64, 256, "stopped"),
    ];
    stubs.tool("pvesh", &[ok("get /cluster/resources", &pve("online", &full))]);
    stubs.fails_with(&cpu, "at least 29.8", "26.6");
    stubs.fails_with(&memory, "at least 58.6", "54.2");

    // h3 offline adds no room: 27.8 cores.
    stubs.tool(
        "pvesh",
        &[ok("get /cluster/resources", &pve("offline", &declared))],
    );
    stubs.fails_with(&cpu, "at least 29.8", "27.8");
}

/// `govc host.info -json` of h2 and h3 (`h3_state` its connection state), and `govc vm.info
/// -json` of the powered-on VMs `(moref, host moref, cores, MiB)`.
fn govc_hosts(h3_state: &str) -> String {
    let host = |n: &str, state: &str| {
        format!(
            r#"{{"self":{{"type":"HostSystem","value":"host-{n}"}},"name":"{n}","summary":{{"host":{{"type":"HostSystem","value":"host-{n}"}},"hardware":{{"vendor":"Dell Inc.","model":"PowerEdge R650","numCpuPkgs":2,"numCpuCores":16,"numCpuThreads":32,"memorySize":{}}},"runtime":{{"connectionState":"{state}","powerState":"poweredOn","inMaintenanceMode":false}},"config":{{"name":"{n}","product":{{"version":"8.0.3"}}}}}}}}"#,
            64 * GIB
        )
    };
    format!(
        r#"{{"hostSystems":[{},{}]}}"#,
        host("h2", "connected"),
        host("h3", h3_state)
    )
}

fn govc_vms(vms: &[(&str, &str, u64, u64)]) -> String {
    let vms: Vec<String> = vms
        .iter()
        .map(|(moref, host, cores, mib)| {
            format!(
                r#"{{"self":{{"type":"VirtualMachine","value":"{moref}"}},"name":"{moref}","summary":{{"vm":{{"type":"VirtualMachine","value":"{moref}"}},"runtime":{{"host":{{"type":"HostSystem","value":"host-{host}"}},"powerState":"poweredOn"}},"config":{{"name":"{moref}","template":false,"numCpu":{cores},"memorySizeMB":{mib}}}}}}}"#
            )
        })
        .collect();
    format!(r#"{{"virtualMachines":[{}]}}"#, vms.join(","))
}

#[test]
fn vsphere_capacity_asserts_read_hosts_and_powered_on_vms() {
    let (cpu, memory) = asserts(&lab("vsphere"));
    let stubs = Stubs::new("capacity-vsphere");
    let answer = |h3: &str, vms: &[(&str, &str, u64, u64)]| {
        let morefs: Vec<String> = vms.iter().map(|v| format!("VirtualMachine:{}\n", v.0)).collect();
        stubs.tool(
            "govc",
            &[
                ok("host.info -json h2 h3", &govc_hosts(h3)),
                ok(
                    "find -i / -type m -runtime.powerState poweredOn",
                    &morefs.concat(),
                ),
                ok("vm.info -json", &govc_vms(vms)),
            ],
        );
    };
    answer("connected", &[("vm-1", "h1", 1, 1024), ("vm-2", "h2", 1, 1024)]);
    stubs.passes(&cpu);
    stubs.passes(&memory);
    let calls = stubs.calls();
    assert!(
        calls.contains(&"govc vm.info -json VirtualMachine:vm-1 VirtualMachine:vm-2".to_string()),
        "{calls:?}"
    );
    answer(
        "connected",
        &[
            ("vm-1", "h1", 1, 1024),
            ("vm-2", "h2", 11, 21 * 1024),
            ("vm-3", "h3", 20, 40 * 1024),
        ],
    );
    stubs.fails_with(&cpu, "at least 29.8", "26.6");
    stubs.fails_with(&memory, "at least 58.6", "54.2");
    answer(
        "notResponding",
        &[("vm-1", "h1", 1, 1024), ("vm-2", "h2", 1, 1024)],
    );
    stubs.fails_with(&cpu, "at least 29.8", "27.8");
}

fn hypervisors(h3_state: &str, used: [(u64, u64); 3]) -> String {
    let rows: Vec<String> = ["h1", "h2", "h3"]
        .iter()
        .zip(used)
        .enumerate()
        .map(|(k, (n, (cores, mib)))| {
            let state = if *n == "h3" { h3_state } else { "up" };
            format!(
                r#"{{"ID":"{k}","Hypervisor Hostname":"{n}","Hypervisor Type":"QEMU","Host IP":"192.0.2.{k}","State":"{state}","vCPUs Used":{cores},"vCPUs":16,"Memory MB Used":{mib},"Memory MB":65536}}"#
            )
        })
        .collect();
    format!("[{}]", rows.join(","))
}

#[test]
fn openstack_capacity_asserts_read_the_hypervisors_below_microversion_2_88() {
    let (cpu, memory) = asserts(&lab("openstack"));
    let stubs = Stubs::new("capacity-openstack");
    let list = "--os-compute-api-version 2.87 hypervisor list --long -f json";
    stubs.tool(
        "openstack",
        &[ok(list, &hypervisors("up", [(1, 1024), (1, 1024), (0, 0)]))],
    );
    stubs.passes(&cpu);
    stubs.passes(&memory);
    stubs.tool(
        "openstack",
        &[ok(
            list,
            &hypervisors("up", [(1, 1024), (11, 21 * 1024), (20, 40 * 1024)]),
        )],
    );
    stubs.fails_with(&cpu, "at least 29.8", "26.6");
    stubs.fails_with(&memory, "at least 58.6", "54.2");
    stubs.tool(
        "openstack",
        &[ok(list, &hypervisors("down", [(1, 1024), (1, 1024), (0, 0)]))],
    );
    stubs.fails_with(&cpu, "at least 29.8", "27.8");
}

fn k8s_node(name: &str, ready: bool) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Node","metadata":{{"name":"{name}"}},"spec":{{"podCIDR":"10.244.1.0/24"}},"status":{{"capacity":{{"cpu":"16","memory":"67108864Ki","pods":"110"}},"allocatable":{{"cpu":"16","memory":"64Gi","pods":"110"}},"conditions":[{{"type":"Ready","status":"{}"}}]}}}}"#,
        if ready { "True" } else { "False" }
    )
}

/// A pod on `node` requesting `cpu` and `memory` over two containers (the second asks half
/// of each), owned by `owner` (`ReplicaSet` or `DaemonSet`), in `phase`.
fn k8s_pod(name: &str, node: &str, cpu: &str, memory: &str, owner: &str, phase: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"default","ownerReferences":[{{"apiVersion":"apps/v1","kind":"{owner}","name":"x","controller":true}}]}},"spec":{{"nodeName":"{node}","containers":[{{"name":"a","resources":{{"requests":{{"cpu":"{cpu}","memory":"{memory}"}}}}}},{{"name":"b","resources":{{"requests":{{"cpu":"{cpu}","memory":"{memory}"}}}}}}],"initContainers":[{{"name":"init","resources":{{"requests":{{"cpu":"100m"}}}}}}]}},"status":{{"phase":"{phase}"}}}}"#
    )
}

fn k8s_list(items: &[String]) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}],"metadata":{{"resourceVersion":""}}}}"#,
        items.join(",")
    )
}

#[test]
fn kubernetes_capacity_asserts_read_allocatable_and_the_requests_a_drain_moves() {
    let (cpu, memory) = asserts(&lab("kubernetes"));
    let stubs = Stubs::new("capacity-kubernetes");
    let answer = |h3_ready: bool, pods: &[String]| {
        stubs.tool(
            "kubectl",
            &[
                ok(
                    "get nodes -o json",
                    &k8s_list(&[
                        k8s_node("h1", true),
                        k8s_node("h2", true),
                        k8s_node("h3", h3_ready),
                    ]),
                ),
                ok("get pods --all-namespaces -o json", &k8s_list(pods)),
            ],
        );
    };
    // Two containers of 500m and 512Mi each: 1 core and 1 GiB; a DaemonSet pod and a finished
    // pod on h3 count for nothing.
    let ignored = [
        k8s_pod("fluentd-x", "h3", "8", "32Gi", "DaemonSet", "Running"),
        k8s_pod("job-x", "h3", "8", "32Gi", "Job", "Succeeded"),
    ];
    let declared = [
        k8s_pod("web-a", "h1", "500m", "512Mi", "ReplicaSet", "Running"),
        k8s_pod("web-b", "h2", "500m", "512Mi", "ReplicaSet", "Running"),
    ];
    answer(true, &[&declared[..], &ignored[..]].concat());
    stubs.passes(&cpu);
    stubs.passes(&memory);
    // 5.5 + 5.5 cores and 10.5Gi + 10.5Gi on h2 (28.8 - 11, 57.6 - 21), 10 + 10 and 20Gi +
    // 20Gi on h3 (28.8 - 20, 57.6 - 40), written as 10000m and 20480Mi.
    let full = [
        k8s_pod("web-a", "h1", "500m", "512Mi", "ReplicaSet", "Running"),
        k8s_pod("web-b", "h2", "5.5", "10752Mi", "ReplicaSet", "Running"),
        k8s_pod("db-0", "h3", "10000m", "20480Mi", "StatefulSet", "Running"),
    ];
    answer(true, &[&full[..], &ignored[..]].concat());
    stubs.fails_with(&cpu, "at least 29.8", "26.6");
    stubs.fails_with(&memory, "at least 58.6", "54.2");
    answer(false, &declared);
    stubs.fails_with(&cpu, "at least 29.8", "27.8");
}

/// No PowerShell on the test machine: the structure of the assert, and what it reads.
#[test]
fn hyperv_capacity_asserts_sum_the_running_vms_of_the_nodes_that_are_up() {
    let (cpu, memory) = asserts(&lab("hyperv"));
    for assert in [&cpu, &memory] {
        super::hyperv::structure(assert);
        assert!(
            assert.contains("Get-ClusterNode -Name 'h2','h3' | Where-Object State -eq 'Up'"),
            "{assert}"
        );
        assert!(assert.contains("Where-Object State -eq 'Running'"), "{assert}");
    }
    // The usable factors: 2 × 0.9 for cores, 0.9 for memory.
    assert!(cpu.contains("$_.Cap * 1.8 * 1000"), "{cpu}");
    assert!(memory.contains("$_.Cap * 0.9 * 1000"), "{memory}");
    assert!(cpu.contains("[double]\"$o\" -ge 29.8"), "{cpu}");
    assert!(
        cpu.contains("LogicalProcessorCount") && cpu.contains("ProcessorCount -Sum"),
        "{cpu}"
    );
    assert!(memory.contains("[double]\"$o\" -ge 58.6"), "{memory}");
    assert!(
        memory.contains("MemoryCapacity / 1GB") && memory.contains("MemoryStartup -Sum"),
        "{memory}"
    );
}

/// Nutanix: Prism's v1 hosts and powered-on VMs (`tests/fixtures/nutanix-prism`). Each node
/// also runs its CVM, 4 vCPUs and 8 GiB, which the description does not declare: the room is
/// 28.8 - 1 - 4 + 28.8 - 4 = 48.6 cores and 57.6 - 1 - 8 + 57.6 - 8 = 98.2 GiB.
#[test]
fn nutanix_capacity_asserts_read_prism_hosts_and_powered_on_vms() {
    use super::nutanix::{HOSTS, VMS, entity, prism_fixture, prism_get};
    let (cpu, memory) = asserts(&lab("nutanix"));
    let stubs = Stubs::new("capacity-nutanix");
    let answer = |hosts: &serde_json::Value, vms: &serde_json::Value| {
        stubs.tool(
            "curl",
            &[
                ok(&prism_get(HOSTS), &hosts.to_string()),
                ok(&prism_get(VMS), &vms.to_string()),
            ],
        );
    };
    let (hosts, vms) = (prism_fixture("hosts.json"), prism_fixture("vms.json"));
    answer(&hosts, &vms);
    stubs.passes(&cpu);
    stubs.passes(&memory);
    let (_, out) = stubs.run(&cpu);
    assert!(out.contains("48.6"), "{out}");
    let (_, out) = stubs.run(&memory);
    assert!(out.contains("98.2"), "{out}");

    // h2 and h3 fuller than declared: web-7d9f8-fghij at 11 vCPUs and 21 GiB, h3's CVM at 20
    // vCPUs and 40 GiB: 28.8 - 4 - 11 + 28.8 - 20 = 22.6 cores, 57.6 - 8 - 21 + 57.6 - 40 =
    // 46.2 GiB.
    let mut full = vms.clone();
    let web = entity(&mut full, "vmName", "web-7d9f8-fghij");
    web["numVCpus"] = 11.into();
    web["memoryCapacityInBytes"] = (21 * GIB).into();
    let cvm = entity(&mut full, "vmName", "NTNX-OM1XXXXXXXX3-A-CVM");
    cvm["numVCpus"] = 20.into();
    cvm["memoryCapacityInBytes"] = (40 * GIB).into();
    answer(&hosts, &full);
    stubs.fails_with(&cpu, "at least 29.8", "22.6");
    stubs.fails_with(&memory, "at least 58.6", "46.2");

    // A powered-off VM counts for nothing, even where Prism still names its host: 32 vCPUs
    // on h2 would leave 24.8 cores.
    let mut off = vms.clone();
    let uuid = entity(&mut off.clone(), "vmName", "NTNX-OM1XXXXXXXX2-A-CVM")["hostUuid"].clone();
    let archive = entity(&mut off, "vmName", "archive-01");
    archive["hostUuid"] = uuid;
    archive["numVCpus"] = 32.into();
    answer(&hosts, &off);
    let (passed, out) = stubs.run(&cpu);
    assert!(passed && out.contains("48.6"), "{out}");

    // h3 not NORMAL adds no room: 23.8 cores.
    let mut sick = hosts.clone();
    entity(&mut sick, "name", "h3")["state"] = "OFFLINE".into();
    answer(&sick, &vms);
    stubs.fails_with(&cpu, "at least 29.8", "23.8");
}

/// The Nutanix capacity check's command (what the operator reads, next to the assert) runs on
/// the same two Prism answers and prints a line per node that stays up: it reads them as one
/// array (`jq -s`), as the assert does.
#[test]
fn nutanix_capacity_command_prints_each_up_node() {
    use super::nutanix::{HOSTS, VMS, prism_fixture, prism_get};
    let book = lab("nutanix");
    let check = book.waves[0]
        .pre_checks
        .iter()
        .find(|c| c.kind == CheckKind::Capacity && c.subject == "cpu")
        .expect("a cpu capacity check");
    let command = check.command.clone().expect("a command");
    let stubs = Stubs::new("capacity-nutanix-command");
    stubs.tool(
        "curl",
        &[
            ok(&prism_get(HOSTS), &prism_fixture("hosts.json").to_string()),
            ok(&prism_get(VMS), &prism_fixture("vms.json").to_string()),
        ],
    );
    let (passed, out) = stubs.run(&command);
    assert!(passed, "{command}\n{out}");
    assert!(out.contains("h2 NORMAL:") && out.contains("h3 NORMAL:"), "{out}");
    assert!(!out.contains("error"), "{out}");
}
