//! vSphere and vSAN asserts and the fixes of the review, against a stub `govc`.
//!
//! Formats, from govmomi: `govc host.info -json` is `{"hostSystems": [HostSystem]}` with
//! `runtime.connectionState` and `runtime.inMaintenanceMode` (cli/host/info.go, vim25
//! HostRuntimeInfo); `govc vm.info -json` is `{"virtualMachines": [VirtualMachine]}` with every
//! property, among them `resourcePool` as `{"type", "value"}` and `runtime.powerState`
//! (cli/vm/info.go, vim25/mo VirtualMachine); `govc host.esxcli` prints `Key:  value` lines,
//! keys sorted, a blank line between rows (cli/host/esxcli/esxcli.go `formatSimple`); `govc
//! host.option.ls` prints `Key:  value` (cli/option/ls.go); `govc datastore.info -json` is
//! `{"datastores": [Datastore]}` with `summary.accessible` (cli/datastore/info.go); `govc
//! find` prints inventory paths; `govc about -json` has `about.version` (cli/about).
//! `govc vm.migrate -host H` without `-pool` moves the VM into the host's root resource pool
//! (cli/vm/migrate.go: `host.ResourcePool` when no pool is given).

use quorate::runbook::{Action, CheckKind};

use super::{Stubs, assert_of, book, every_command_has_an_assert, ok};

fn host(name: &str, state: &str, maintenance: bool) -> String {
    format!(
        r#"{{"hostSystems":[{{"self":{{"type":"HostSystem","value":"host-1{}"}},"name":"{name}","runtime":{{"connectionState":"{state}","powerState":"poweredOn","inMaintenanceMode":{maintenance}}}}}]}}"#,
        name.len()
    )
}

fn version(v: &str) -> String {
    format!(
        "Build:    Releasebuild-24022510\nPatch:    0\nProduct:  VMware ESXi\nUpdate:   3\nVersion:  {v}\n"
    )
}

fn vms(first: &str) -> String {
    format!(
        r#"{{"virtualMachines":[{{"self":{{"type":"VirtualMachine","value":"vm-42"}},"name":"web-7d9f8-abcde","resourcePool":{{"type":"ResourcePool","value":"resgroup-8"}},"runtime":{{"powerState":"{first}"}}}},{{"self":{{"type":"VirtualMachine","value":"vm-43"}},"name":"web-7d9f8-fghij","resourcePool":{{"type":"VirtualApp","value":"resgroup-v12"}},"runtime":{{"powerState":"poweredOn"}}}}]}}"#
    )
}

const OBJECTS_HEALTHY: &str = "HealthStatus:     reduced-availability-with-no-rebuild\nNumberOfObjects:  0\n\nHealthStatus:     healthy\nNumberOfObjects:  42\n\nHealthStatus:     inaccessible\nNumberOfObjects:  0\n";
const OBJECTS_REDUCED: &str = "HealthStatus:     reduced-availability-with-no-rebuild\nNumberOfObjects:  3\n\nHealthStatus:     healthy\nNumberOfObjects:  39\n";

fn resync(bytes: u64) -> String {
    format!(
        "TotalBytesLefttoResync:         {bytes}\nTotalGBLefttoResync:            0.00\nTotalNumberOfResyncingObjects:  {}\n",
        u64::from(bytes > 0)
    )
}

#[test]
fn vsan_asserts_pass_on_good_output_and_fail_on_bad() {
    let (_, book) = book("vsan", "8.0.2", "8.0.3", "");
    every_command_has_an_assert(&book, &[]);
    let stubs = Stubs::new("vsan");

    let versions = assert_of(&book, 1, true, CheckKind::Version, "h1, h2, h3");
    stubs.tool("govc", &[ok("host.esxcli -host", &version("8.0.2"))]);
    stubs.passes(&versions);
    stubs.tool(
        "govc",
        &[
            ok("host.esxcli -host h3", &version("8.0.1")),
            ok("host.esxcli", &version("8.0.2")),
        ],
    );
    stubs.fails_with(&versions, "h3: 8.0.2", "8.0.1");

    let back = assert_of(&book, 1, false, CheckKind::Rejoined, "h1");
    stubs.tool(
        "govc",
        &[ok("host.info -json h1", &host("h1", "connected", false))],
    );
    stubs.passes(&back);
    stubs.tool(
        "govc",
        &[ok("host.info -json h1", &host("h1", "connected", true))],
    );
    stubs.fails_with(&back, "connected,false", "connected,true");
    stubs.tool(
        "govc",
        &[ok("host.info -json h1", &host("h1", "notResponding", false))],
    );
    stubs.fails_with(&back, "connected,false", "notResponding,false");

    let cluster = assert_of(&book, 1, true, CheckKind::HostState, "h1, h2, h3");
    stubs.tool("govc", &[ok("find", "")]);
    stubs.passes(&cluster);
    stubs.tool(
        "govc",
        &[
            ok(
                "find / -type h -runtime.inMaintenanceMode true",
                "/dc1/host/lab/h2\n",
            ),
            ok("find", ""),
        ],
    );
    stubs.fails_with(&cluster, "none", "h2");

    let budget = assert_of(&book, 1, true, CheckKind::Budget, "web");
    stubs.tool("govc", &[ok("vm.info -json", &vms("poweredOn"))]);
    stubs.passes(&budget);
    stubs.tool("govc", &[ok("vm.info -json", &vms("poweredOff"))]);
    stubs.fails_with(&budget, "at least 2", "1");

    let objects = assert_of(&book, 1, true, CheckKind::Storage, "vSAN objects");
    stubs.tool(
        "govc",
        &[ok(
            "host.esxcli -host h2 vsan debug object health summary get",
            OBJECTS_HEALTHY,
        )],
    );
    stubs.passes(&objects);
    stubs.tool(
        "govc",
        &[ok(
            "host.esxcli -host h2 vsan debug object health summary get",
            OBJECTS_REDUCED,
        )],
    );
    stubs.fails_with(&objects, "0", "3");

    let resyncing = assert_of(&book, 1, true, CheckKind::Storage, "vSAN resync");
    stubs.tool(
        "govc",
        &[ok(
            "host.esxcli -host h2 vsan debug resync summary get",
            &resync(0),
        )],
    );
    stubs.passes(&resyncing);
    stubs.tool(
        "govc",
        &[ok(
            "host.esxcli -host h2 vsan debug resync summary get",
            &resync(1_073_741_824),
        )],
    );
    stubs.fails_with(&resyncing, "0", "1073741824");
}

/// A wave that keeps hosts down longer than the object repair timer has vSAN rebuild their
/// components: a pre-check reads the timer on every host that stays up.
#[test]
fn vsan_checks_the_repair_timer_against_the_wave() {
    let (cluster, book) = book("vsan", "8.0.2", "8.0.3", "");
    let minutes = quorate::plan::Wave::new(vec![cluster.find_item("h1").expect("h1")]).minutes(&cluster);
    let check = book.waves[0]
        .pre_checks
        .iter()
        .find(|c| c.subject == "vSAN repair timer")
        .expect("the repair timer pre-check");
    assert!(
        check.expect.contains(&format!("at least {minutes} minutes")),
        "{}",
        check.expect
    );
    let assert = check.assert.clone().expect("an assert");
    let stubs = Stubs::new("vsan-timer");
    stubs.tool(
        "govc",
        &[ok(
            "host.option.ls",
            &format!("VSAN.ClomRepairDelay:  {}\n", minutes + 60),
        )],
    );
    stubs.passes(&assert);
    let calls = stubs.calls();
    assert!(
        calls.contains(&"govc host.option.ls -host h2 VSAN.ClomRepairDelay".to_string()),
        "{calls:?}"
    );
    assert!(
        !calls.iter().any(|c| c.contains("-host h1 ")),
        "h1 is down: {calls:?}"
    );
    stubs.tool(
        "govc",
        &[ok(
            "host.option.ls",
            &format!("VSAN.ClomRepairDelay:  {}\n", minutes - 1),
        )],
    );
    stubs.fails_with(
        &assert,
        &format!("at least {minutes}"),
        &format!("{}", minutes - 1),
    );
}

/// `vm.migrate -host` alone puts the VM into the host's root pool: the move passes the VM's
/// own pool (or vApp) by moref.
#[test]
fn vsphere_moves_keep_each_vm_in_its_resource_pool() {
    let (_, book) = book("vsphere", "8.0.2", "8.0.3", "");
    let migrate = book.waves[0]
        .steps
        .iter()
        .find(|s| s.action == Action::Migrate)
        .and_then(|s| s.command.clone())
        .expect("a migrate step");
    let stubs = Stubs::new("vsphere-pool");
    stubs.tool(
        "govc",
        &[ok("vm.info -json", &vms("poweredOn")), ok("vm.migrate", "")],
    );
    let (ran, out) = stubs.run(&migrate);
    assert!(ran, "{out}");
    let calls = stubs.calls();
    let moved = calls
        .iter()
        .find(|c| c.starts_with("govc vm.migrate"))
        .expect("a migration");
    assert!(moved.contains("-pool ResourcePool:resgroup-8 "), "{moved}");
    assert!(moved.contains("-host h"), "{moved}");

    let datastores = assert_of(&book, 1, true, CheckKind::Storage, "datastores");
    let info = |accessible: bool| {
        format!(
            r#"{{"datastores":[{{"name":"vsanDatastore","summary":{{"name":"vsanDatastore","accessible":true}}}},{{"name":"nfs-01","summary":{{"name":"nfs-01","accessible":{accessible}}}}}]}}"#
        )
    };
    stubs.tool("govc", &[ok("datastore.info -json", &info(true))]);
    stubs.passes(&datastores);
    stubs.tool("govc", &[ok("datastore.info -json", &info(false))]);
    stubs.fails_with(&datastores, "none", "nfs-01");
}

/// DRS rules read back with `govc collect`: the anti-affinity rules of the description exist
/// and are enabled; without any, DRS and HA are still on.
#[test]
fn vsphere_drs_rules_are_present_and_enabled_after_the_wave() {
    let apart = r#"
[[anti_affinity]]
name = "web-apart"
workloads = ["web-7d9f8-abcde", "web-7d9f8-fghij"]
"#;
    let (_, with_rules) = book("vsphere", "8.0.2", "8.0.3", apart);
    let rules = assert_of(&with_rules, 1, false, CheckKind::Policy, "anti-affinity");
    let stubs = Stubs::new("vsphere-rules");
    let collected = |enabled: bool| {
        format!(
            r#"[{{"_typeName":"ClusterAntiAffinityRuleSpec","key":1,"status":"green","enabled":{enabled},"name":"web-apart","mandatory":true,"userCreated":true,"vm":[{{"type":"VirtualMachine","value":"vm-42"}},{{"type":"VirtualMachine","value":"vm-43"}}]}},{{"_typeName":"ClusterVmHostRuleInfo","key":2,"enabled":true,"name":"pin-db","vmGroupName":"db"}}]"#
        )
    };
    let answers = |out: &str| {
        stubs.tool(
            "govc",
            &[
                ok("find / -type c -name lab", "/dc1/host/lab\n"),
                ok("collect -json -s /dc1/host/lab configurationEx.rule", out),
            ],
        );
    };
    answers(&collected(true));
    stubs.passes(&rules);
    answers(&collected(false));
    stubs.fails_with(&rules, "none", "web-apart");
    answers("[]");
    stubs.fails_with(&rules, "none", "web-apart");

    let (_, without) = book("vsphere", "8.0.2", "8.0.3", "");
    let drs = assert_of(&without, 1, false, CheckKind::Policy, "DRS rules");
    let config = |das: bool| {
        format!(
            r#"{{"_typeName":"ClusterConfigInfoEx","dasConfig":{{"enabled":{das},"vmMonitoring":"vmMonitoringDisabled"}},"drsConfig":{{"enabled":true,"defaultVmBehavior":"fullyAutomated"}},"rule":[]}}"#
        )
    };
    stubs.tool(
        "govc",
        &[
            ok("find / -type c -name lab", "/dc1/host/lab\n"),
            ok("collect -json -s /dc1/host/lab configurationEx", &config(true)),
        ],
    );
    stubs.passes(&drs);
    stubs.tool(
        "govc",
        &[
            ok("find / -type c -name lab", "/dc1/host/lab\n"),
            ok("collect -json -s /dc1/host/lab configurationEx", &config(false)),
        ],
    );
    stubs.fails_with(&drs, "true,true", "true,false");
}

/// `govc host.vnic.info -json` of a host: vmk0 management, vmk1 vMotion, vmk2 vSAN (`vsan`
/// names vmk2's port group).
fn vnics(vsan: &str) -> String {
    format!(
        r#"{{"info":[{{"device":"vmk0","network":"Management Network","switch":"vSwitch0","address":"192.0.2.11","stack":"defaultTcpipStack","services":["management"]}},{{"device":"vmk1","network":"dvpg-vmotion","switch":"dvs-prod","address":"198.51.100.11","stack":"defaultTcpipStack","services":["vmotion"]}},{{"device":"vmk2","network":"{vsan}","switch":"dvs-prod","address":"203.0.113.11","stack":"defaultTcpipStack","services":["vsan","vsanWitness"]}}]}}"#
    )
}

/// After the wave, each host's VMkernel adapters are those of a host that stayed up, and the
/// VMs of its hosts are compliant with their storage policies.
#[test]
fn vsan_post_checks_compare_vmkernel_adapters_and_read_policy_compliance() {
    let (_, book) = book("vsan", "8.0.2", "8.0.3", "");
    let stubs = Stubs::new("vsan-post");
    let dvs = assert_of(&book, 1, false, CheckKind::Policy, "distributed switch");
    stubs.tool("govc", &[ok("host.vnic.info -json -host", &vnics("dvpg-vsan"))]);
    stubs.passes(&dvs);
    let calls = stubs.calls();
    assert!(
        calls.contains(&"govc host.vnic.info -json -host h2".to_string()),
        "{calls:?}"
    );
    assert!(
        calls.contains(&"govc host.vnic.info -json -host h1".to_string()),
        "{calls:?}"
    );
    stubs.tool(
        "govc",
        &[
            ok("host.vnic.info -json -host h1", &vnics("VM Network")),
            ok("host.vnic.info -json -host", &vnics("dvpg-vsan")),
        ],
    );
    stubs.fails_with(
        &dvs,
        "dvpg-vsan",
        "vmk0 Management Network vSwitch0 management; vmk1 dvpg-vmotion dvs-prod vmotion; vmk2 VM Network dvs-prod",
    );

    let policies = assert_of(&book, 1, false, CheckKind::Policy, "storage policies");
    let info = |compliant: &str| {
        format!(
            r#"{{"policies":[{{"profile":{{"profileId":{{"uniqueId":"aa6d5a82-1c88-45da-85d3-3d74b91a5bad"}},"name":"vSAN Default Storage Policy"}},"compliantVM":[{compliant}],"compatibleDatastores":null}}]}}"#
        )
    };
    stubs.tool(
        "govc",
        &[ok(
            "storage.policy.info -c -json",
            &info(r#""web-7d9f8-abcde","web-7d9f8-fghij""#),
        )],
    );
    stubs.passes(&policies);
    stubs.tool(
        "govc",
        &[ok("storage.policy.info -c -json", &info(r#""web-7d9f8-fghij""#))],
    );
    stubs.fails_with(&policies, "none", "web-7d9f8-abcde");
}

#[test]
fn vsphere_checks_all_have_asserts() {
    let (_, book) = book("vsphere", "8.0.2", "8.0.3", "");
    every_command_has_an_assert(&book, &[]);
}
