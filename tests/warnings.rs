//! Platform-aware warnings (`quorate::warn::*`): each one as `check` or `plan` renders it on
//! standard error, pinned by a snapshot; warnings never change the exit code; the plan document
//! carries them in `diagnostics`; and no example produces any.
//!
//! vSAN's rule for the two-fault-domain case: "number of fault domains = 2 * PFTT + 1" and "a
//! minimum of three fault domains are required" (VMware vSphere 6.5 vSAN documentation,
//! docs.vmware.com/en/VMware-vSphere/6.5/com.vmware.vsphere.virtualsan.doc/
//! GUID-8491C4B0-6F94-4023-8C7A-FD7B40D0368D.html and GUID-FE7DBC6F-C204-4137-827F-7E04FE88D968);
//! a stretched or two-node cluster is two fault domains plus a witness host (vSAN Management
//! API, `VimClusterVsanFaultDomainsConfigSpec`: a witness goes with exactly two fault domains,
//! developer.broadcom.com/xapis/vsan-management-api/latest/vim.cluster.VsanFaultDomainsConfigSpec.html).

use quorate::solve::{Backend, NoClock, SolveOptions, solve};
use quorate::warnings::{self, WarningKind};

use crate::support;

/// Runs `quorate ARGS` with `text` on standard input; returns (exit code, stdout, stderr).
fn run(args: &[&str], text: &str) -> (Option<i32>, String, String) {
    let output = support::quorate()
        .args(args)
        .write_stdin(text.to_string())
        .output()
        .expect("quorate runs");
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

/// `n` hosts of 16 cores and 64 GiB, `name-1` to `name-n`, with optional fault domains.
fn hosts(prefix: &str, n: usize, domains: &[&str]) -> String {
    (1..=n)
        .map(|i| {
            let domain = if domains.is_empty() {
                String::new()
            } else {
                format!("fault_domain = \"{}\"\n", domains[(i - 1) % domains.len()])
            };
            format!("[[host]]\nname = \"{prefix}{i}\"\n{domain}cpu = 16\nmemory_gib = 64\n\n")
        })
        .collect()
}

const PROXMOX: &str = "[cluster]\nname = \"pve-lab\"\nplatform = \"proxmox\"\n\n";

fn codes(text: &str) -> Vec<WarningKind> {
    let loaded = support::load_ok("warn", text);
    warnings::check(&loaded.cluster, None)
        .iter()
        .map(|w| w.kind)
        .collect()
}

#[test]
fn proxmox_without_a_quorum_group_warns_and_check_still_succeeds() {
    let text = format!("{PROXMOX}{}", hosts("pve", 5, &[]));
    let (code, stdout, stderr) = run(&["check", "-"], &text);
    assert_eq!(code, Some(0), "a warning never changes the exit code");
    assert!(stdout.starts_with("cluster pve-lab (proxmox)"), "{stdout}");
    insta::assert_snapshot!("warn_no_quorum_group_proxmox", stderr);
    // The fix the help line shows, applied, silences it.
    let fixed = format!(
        "{text}[[quorum_group]]\nname = \"corosync\"\nmembers = [\"pve1\", \"pve2\", \"pve3\", \"pve4\", \"pve5\"]\n"
    );
    assert_eq!(codes(&fixed), vec![]);
}

#[test]
fn hyperv_without_a_quorum_group_warns() {
    let text = format!(
        "[cluster]\nname = \"hv\"\nplatform = \"hyperv\"\n\n{}",
        hosts("hv0", 3, &[])
    );
    let (code, _, stderr) = run(&["check", "-"], &text);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("warn_no_quorum_group_hyperv", stderr);
}

#[test]
fn a_quorum_group_of_workloads_only_is_not_the_nodes_quorum() {
    // Ceph monitors as workloads are a quorum, but not corosync's.
    let text = format!(
        "{PROXMOX}{}[[workload]]\nname = \"mon.pve1\"\nhost = \"pve1\"\ncpu = 1\nmemory_gib = 1\nmigration = \"none\"\n\n\
         [[workload]]\nname = \"mon.pve2\"\nhost = \"pve2\"\ncpu = 1\nmemory_gib = 1\nmigration = \"none\"\n\n\
         [[workload]]\nname = \"mon.pve3\"\nhost = \"pve3\"\ncpu = 1\nmemory_gib = 1\nmigration = \"none\"\n\n\
         [[quorum_group]]\nname = \"ceph-mon\"\nmembers = [\"mon.pve1\", \"mon.pve2\", \"mon.pve3\"]\n",
        hosts("pve", 3, &[])
    );
    assert_eq!(codes(&text), vec![WarningKind::NoQuorumGroup]);
}

#[test]
fn kubernetes_control_plane_without_etcd_warns() {
    let text = format!(
        "[cluster]\nname = \"k8s\"\nplatform = \"kubernetes\"\n\n{}{}",
        hosts("cp-", 3, &[]),
        hosts("worker-", 3, &[])
    );
    let (code, _, stderr) = run(&["check", "-"], &text);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("warn_no_etcd_group", stderr);
    // Workers alone have no etcd to protect.
    let workers = format!(
        "[cluster]\nname = \"k8s\"\nplatform = \"kubernetes\"\n\n{}",
        hosts("worker-", 3, &[])
    );
    assert_eq!(codes(&workers), vec![]);
}

#[test]
fn vsan_with_two_fault_domains_and_no_witness_warns() {
    let text = format!(
        "[cluster]\nname = \"metro\"\nplatform = \"vsan\"\n\n[[fault_domain]]\nname = \"preferred\"\n\n\
         [[fault_domain]]\nname = \"secondary\"\n\n{}",
        hosts("esx-", 4, &["preferred", "secondary"])
    );
    let (code, _, stderr) = run(&["check", "-"], &text);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("warn_no_witness", stderr);
    // With the witness the help line shows, it is a supported stretched cluster.
    let with_witness = format!(
        "{text}[[fault_domain]]\nname = \"witness\"\n\n[[host]]\nname = \"vsan-witness01\"\n\
         fault_domain = \"witness\"\ncpu = 0\nmemory_gib = 0\n"
    );
    assert_eq!(codes(&with_witness), vec![]);
}

#[test]
fn a_host_loaded_beyond_its_capacity_warns() {
    let text = "[cluster]\nname = \"lab\"\n\n[[host]]\nname = \"small\"\ncpu = 8\nmemory_gib = 64\n\n\
                [[host]]\nname = \"big\"\ncpu = 32\nmemory_gib = 256\n\n\
                [[workload]]\nname = \"db\"\nhost = \"small\"\ncpu = 16\nmemory_gib = 32\n";
    let (code, _, stderr) = run(&["check", "-"], text);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("warn_host_overloaded", stderr);
    // With 2:1 CPU overcommit the 8-core host may carry 16 vCPU: no warning. At 1.5:1 it is
    // still overloaded, and the message says by what measure.
    let overcommitted = |ratio: &str| {
        text.replacen(
            "\n\n[[host]]",
            &format!("\n\n[policy]\ncpu_overcommit = {ratio}\n\n[[host]]"),
            1,
        )
    };
    assert_eq!(codes(&overcommitted("2.0")), vec![]);
    let (_, _, stderr) = run(&["check", "-"], &overcommitted("1.5"));
    assert!(
        stderr.contains("more than its capacity of 12 cores (8 cores at")
            && stderr.contains("cpu_overcommit = 1.5)"),
        "{stderr}"
    );
}

#[test]
fn a_wave_that_takes_every_host_down_warns_in_plan_and_its_json() {
    let text = format!("{PROXMOX}{}", hosts("pve", 3, &[]));
    let (code, stdout, stderr) = run(&["plan", "-", "-o", "json"], &text);
    assert_eq!(code, Some(0), "the plan is safe for the rules written: {stderr}");
    insta::assert_snapshot!("warn_every_host_down", stderr);
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("a plan document");
    let diagnostics = doc["diagnostics"].as_array().expect("diagnostics");
    let codes: Vec<&str> = diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        ["quorate::warn::no_quorum_group", "quorate::warn::every_host_down"]
    );
    assert_eq!(diagnostics[1]["wave"], 1);
    assert!(
        diagnostics[0]["help"]
            .as_str()
            .unwrap()
            .contains("[[quorum_group]]\nname = \"corosync\"\nmembers = [\"pve1\", \"pve2\", \"pve3\"]")
    );
    let schema_text =
        std::fs::read_to_string(support::root().join("schema/plan.schema.json")).expect("the schema");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("JSON");
    crate::render::schema::assert_matches(&schema, "a plan with warnings", &doc);
}

#[test]
fn the_examples_produce_no_warning() {
    for name in crate::render::examples() {
        let path = support::root().join("examples").join(format!("{name}.toml"));
        let text = std::fs::read_to_string(path).expect("readable");
        let cluster = support::load_ok(&name, &text).cluster;
        let options = SolveOptions {
            backend: Backend::default_backend().expect("a backend"),
            time_limit: 5.0,
            clock: &NoClock,
        };
        let plan = solve(&cluster, &options).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let found = warnings::check(&cluster, Some(&plan));
        assert!(found.is_empty(), "{name}: {found:#?}");
    }
}

#[test]
fn the_text_and_markdown_runbooks_list_the_warnings_with_the_missing_table() {
    let text = format!("{PROXMOX}{}", hosts("pve", 2, &[]));
    let loaded = support::load_ok("pve", &text);
    let options = SolveOptions {
        backend: Backend::default_backend().expect("a backend"),
        time_limit: 5.0,
        clock: &NoClock,
    };
    let plan = solve(&loaded.cluster, &options).expect("a plan");
    let doc = quorate::document::PlanDocument::new(&loaded.cluster, &plan);
    let table = "[[quorum_group]]\nname = \"corosync\"\nmembers = [\"pve1\", \"pve2\"]";
    let runbook = quorate::render::text::render(&doc, false);
    assert!(runbook.contains("quorate::warn::no_quorum_group"), "{runbook}");
    assert!(runbook.contains("quorate::warn::every_host_down"), "{runbook}");
    assert!(runbook.contains(&table.replace('\n', "\n    ")), "{runbook}");
    let markdown = quorate::render::markdown::render(&doc);
    assert!(
        markdown.contains("- **quorate::warn::no_quorum_group**"),
        "{markdown}"
    );
    assert!(
        markdown.contains(&format!("```toml\n  {}\n  ```", table.replace('\n', "\n  "))),
        "{markdown}"
    );
}
