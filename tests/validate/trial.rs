//! What an operator trial found (issue 13), for `validate` and the capacity rule: a plan for
//! another cluster, a host pasted into a second wave, and CPU overcommit. Each test failed
//! before its fix.

use quorate::Source;
use quorate::validate::{ViolationCode, validate};

use super::{read, run};
use crate::support;

const KUBERNETES: &str = "examples/kubernetes.toml";
const K8S_PLAN: &str = "plans/kubernetes.valid.toml";

/// Item 5: a Proxmox plan validated against a Kubernetes description gave 54 violations, the
/// real cause 13th, with help to set `cluster = "k8s-prod"`. Now it is the one error, exit 2, in
/// text and JSON alike, and the help says to use the plan's own description.
#[test]
fn a_plan_for_another_cluster_is_the_one_input_error() {
    let plan = "plans/proxmox-ceph.valid.toml";
    for format in ["text", "json"] {
        let (code, stdout, stderr) = run(&["validate", KUBERNETES, plan, "-o", format], None);
        assert_eq!(code, Some(2), "{format}: {stderr}");
        assert_eq!(stdout, "", "{format}: no validation document, no verdict");
        assert_eq!(stderr.matches("Error: ").count(), 1, "{format}: {stderr}");
        assert!(stderr.contains("quorate::other_cluster"), "{stderr}");
        assert!(
            stderr.contains("[plans/proxmox-ceph.valid.toml:9:11]"),
            "{stderr}"
        );
        assert!(
            stderr.contains("validate the plan against the description of cluster `pve-prod`"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("cluster = \"k8s"),
            "no help to edit `cluster`: {stderr}"
        );
        for code in ViolationCode::ALL {
            assert!(
                !stderr.contains(&format!("quorate::{code}")),
                "{format}: {code} listed"
            );
        }
        if format == "text" {
            insta::assert_snapshot!(stderr);
        }
    }

    // Through the library: the one finding, not a rule violation of the wrong cluster.
    let cluster = support::load_ok(KUBERNETES, &read(KUBERNETES)).cluster;
    let source = Source::new(plan, read(plan));
    let plan = quorate::planfile::read(&source).expect("a readable plan");
    let validation = validate(&cluster, &plan);
    let codes: Vec<ViolationCode> = validation.violations.iter().map(|v| v.code).collect();
    assert_eq!(codes, [ViolationCode::UnknownItem]);
    assert!(quorate::validate::other_cluster(&cluster, &plan).is_some());
}

/// The Kubernetes plan with `host` pasted into wave `into` (1-based) as well.
fn pasted(host: &str, into: usize) -> String {
    let text = read(K8S_PLAN);
    let mut seen = 0;
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("hosts = [") {
            seen += 1;
            if seen == into {
                out.push_str(&line.replacen("hosts = [", &format!("hosts = [\"{host}\", "), 1));
                out.push('\n');
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(seen >= into, "the plan has {seen} waves");
    out
}

/// The help lines of the violations of `code` in `stderr`.
fn helps_after(stderr: &str, code: &str) -> Vec<String> {
    stderr
        .split(&format!("quorate::{code}"))
        .skip(1)
        .filter_map(|part| part.split("help: ").nth(1))
        .map(|help| {
            let help = help.split("\nquorate::").next().unwrap_or(help);
            help.split("\nerror: ")
                .next()
                .unwrap_or(help)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Item 9: with a host pasted into a second, full wave, the help said to remove it from the wave
/// where it belonged. Every help line must now name the pasted entry, whether it is above or
/// below the original, and none may send it to a new wave (it would still be there twice).
#[test]
fn a_host_pasted_into_a_second_wave_is_removed_from_that_wave() {
    // openb-node-0117 belongs in wave 8; openb-node-0081 in wave 4. Every worker wave is full
    // (max_hosts_per_wave = 5), so the pasted entry breaks a rule wherever it lands.
    for (host, home, into) in [("openb-node-0117", 8, 4), ("openb-node-0081", 4, 8)] {
        let plan = pasted(host, into);
        let (code, _, stderr) = run(&["validate", KUBERNETES, "-"], Some(&plan));
        assert_eq!(code, Some(1), "{stderr}");
        let twice = helps_after(&stderr, "host_upgraded_twice");
        assert_eq!(
            twice,
            [format!(
                "remove `{host}` from wave {into}: wave {into} breaks a rule with it and keeps every rule without it; it is upgraded in wave {home} already"
            )],
            "{stderr}"
        );
        for code in ["max_hosts_exceeded", "fault_domain_limit"] {
            for help in helps_after(&stderr, code) {
                assert_eq!(
                    help,
                    format!("remove `{host}` from wave {into}: it is upgraded in wave {home} as well"),
                    "{code}: {stderr}"
                );
            }
        }
        assert!(!stderr.contains(&format!("from wave {home}")), "{stderr}");
    }
}

/// A cluster of four 16-core hypervisors, each running three 8-vCPU VMs: 24 vCPUs on 16 cores,
/// which only CPU overcommit makes room for.
fn overcommitted(ratio: Option<&str>) -> String {
    let mut text = String::from("[cluster]\nname = \"lab\"\nplatform = \"openstack\"\n");
    if let Some(ratio) = ratio {
        text.push_str(&format!("\n[policy]\ncpu_overcommit = {ratio}\n"));
    }
    for h in 1..=4 {
        text.push_str(&format!(
            "\n[[host]]\nname = \"hv-{h}\"\ncpu = 16\nmemory_gib = 256\n"
        ));
    }
    for h in 1..=4 {
        for v in 1..=3 {
            text.push_str(&format!(
                "\n[[workload]]\nname = \"vm-{h}{v}\"\nhost = \"hv-{h}\"\ncpu = 8\nmemory_gib = 16\n"
            ));
        }
    }
    text
}

/// Item 11: `cpu_overcommit` multiplies every host's `cpu` before headroom, and every consumer
/// sees the same number: without it no plan exists (24 vCPUs on 16 cores leave no room); at 2:1
/// each host offers 32, so one host goes at a time (4 waves); at 4:1, 64, so two at a time (2
/// waves). `check`'s bound, the planner and the validator agree on each.
#[test]
fn cpu_overcommit_makes_room_that_planner_bounds_and_validator_agree_on() {
    let (code, _, stderr) = run(&["plan", "-o", "json", "-"], Some(&overcommitted(None)));
    assert_eq!(code, Some(1), "no room without overcommit: {stderr}");
    for (ratio, waves) in [("2", 4), ("4.0", 2)] {
        let text = overcommitted(Some(ratio));
        let loaded = support::load_ok("lab.toml", &text);
        let usable = loaded.cluster.hosts[0].usable(quorate::model::Resource::Cpu);
        let ratio_f: f64 = ratio.parse().unwrap();
        assert_eq!(
            usable,
            Some((16.0 * ratio_f * 1000.0) as u64),
            "{ratio}: usable cpu in thousandths"
        );

        let (code, stdout, stderr) = run(&["check", "-"], Some(&text));
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            stdout.contains(&format!("lower bound      {waves} waves")),
            "{ratio}: {stdout}"
        );

        let (code, plan, stderr) = run(&["plan", "-o", "json", "-"], Some(&text));
        assert_eq!(code, Some(0), "{ratio}: {stderr}");
        let doc: serde_json::Value = serde_json::from_str(&plan).expect("plan JSON");
        assert_eq!(doc["waves"].as_array().map(Vec::len), Some(waves), "{ratio}");

        // The validator reads the same capacity: the plan is safe for it.
        let dir = tempfile::tempdir().expect("a temporary folder");
        let cluster = dir.path().join("lab.toml");
        std::fs::write(&cluster, &text).expect("written");
        let cluster = cluster.to_string_lossy().into_owned();
        let (code, _, stderr) = run(&["validate", &cluster, "-", "-o", "json"], Some(&plan));
        assert_eq!(code, Some(0), "{ratio}: {stderr}");
    }
}
