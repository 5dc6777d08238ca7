//! `quorate validate`: the plans in `plans/`, plan files with input errors, and plans quorate
//! wrote itself.
//!
//! [`SAFE`] and [`UNSAFE`] list every plan in `plans/` with the cluster it is for; an unsafe
//! plan also lists every violation it must produce, as `(code, line)` of the span it points
//! at, in report order. The same plans are checked through the library (codes and lines),
//! through the binary (exit codes, `-o json`) and as rendered text (one insta snapshot per
//! violation plan). Plan files with input errors are fed on standard input and must exit 2
//! with a position. Finally every example is planned as JSON and validated again.

use std::collections::BTreeSet;
use std::fmt::Write;

use quorate::Source;
use quorate::validate::{ViolationCode, validate};

use crate::support;

mod robustness;
mod trial;

/// Safe plans: `(plan, cluster)`.
const SAFE: &[(&str, &str)] = &[
    ("plans/vsan-16-hosts.valid.toml", "examples/vsan-16-hosts.toml"),
    ("plans/vsan-stretched.valid.toml", "examples/vsan-stretched.toml"),
    ("plans/kubernetes.valid.toml", "examples/kubernetes.toml"),
    ("plans/proxmox-ceph.valid.toml", "examples/proxmox-ceph.toml"),
    (
        "plans/hyperv-failover.valid.toml",
        "examples/hyperv-failover.toml",
    ),
    ("plans/openstack-kvm.valid.toml", "examples/openstack-kvm.toml"),
    ("plans/nutanix-ahv.runbook.toml", "examples/nutanix-ahv.toml"),
    ("plans/hyperv-failover.plan.json", "examples/hyperv-failover.toml"),
];

/// A plan with violations, and each violation it must report: `(code, line of its span)`.
struct Unsafe {
    plan: &'static str,
    cluster: &'static str,
    violations: &'static [(&'static str, usize)],
}

const fn unsafe_plan(
    plan: &'static str,
    cluster: &'static str,
    violations: &'static [(&'static str, usize)],
) -> Unsafe {
    Unsafe {
        plan,
        cluster,
        violations,
    }
}

const VSAN: &str = "examples/vsan-16-hosts.toml";
const NUTANIX: &str = "examples/nutanix-ahv.toml";
const OPENSTACK: &str = "examples/openstack-kvm.toml";
const HYPERV: &str = "examples/hyperv-failover.toml";
const STRETCHED: &str = "examples/vsan-stretched.toml";

/// Every plan in `plans/violations/`.
const UNSAFE: &[Unsafe] = &[
    unsafe_plan(
        "plans/violations/quorum_lost.toml",
        NUTANIX,
        &[("quorum_lost", 17)],
    ),
    unsafe_plan(
        "plans/violations/budget_exceeded.toml",
        OPENSTACK,
        &[("budget_exceeded", 22)],
    ),
    unsafe_plan(
        "plans/violations/fault_domain_limit.toml",
        VSAN,
        &[("fault_domain_limit", 24)],
    ),
    // Two sites in one wave cannot keep "site A before site B" either.
    unsafe_plan(
        "plans/violations/site_limit.toml",
        STRETCHED,
        &[("site_limit", 24), ("order_violated", 24), ("order_violated", 24)],
    ),
    // Capacity and anti-affinity point at the move (its header starts the span).
    unsafe_plan(
        "plans/violations/capacity_exceeded.toml",
        VSAN,
        &[("capacity_exceeded", 16)],
    ),
    unsafe_plan(
        "plans/violations/reserve_exceeded.toml",
        "plans/clusters/metro-vsan-01.ha-50.toml",
        &[("reserve_exceeded", 31)],
    ),
    unsafe_plan(
        "plans/violations/anti_affinity_violated.toml",
        VSAN,
        &[("anti_affinity_violated", 17)],
    ),
    unsafe_plan(
        "plans/violations/anti_affinity_violated.json",
        "examples/proxmox-ceph.toml",
        &[("anti_affinity_violated", 68)],
    ),
    unsafe_plan(
        "plans/violations/order_violated.toml",
        NUTANIX,
        &[("order_violated", 10)],
    ),
    unsafe_plan(
        "plans/violations/max_hosts_exceeded.toml",
        OPENSTACK,
        &[("max_hosts_exceeded", 20)],
    ),
    unsafe_plan(
        "plans/violations/component_not_exclusive.toml",
        HYPERV,
        &[("component_not_exclusive", 10)],
    ),
    // Nothing in the plan is wrong, something is absent: the span is the wave the help suggests.
    unsafe_plan(
        "plans/violations/host_not_upgraded.toml",
        VSAN,
        &[("host_not_upgraded", 22)],
    ),
    // No existing wave can take ntnx-n4 (one CVM down at a time), so that one has no span (0).
    unsafe_plan(
        "plans/violations/host_upgraded_twice.toml",
        NUTANIX,
        &[("host_not_upgraded", 0), ("host_upgraded_twice", 25)],
    ),
    unsafe_plan(
        "plans/violations/unknown_item.toml",
        HYPERV,
        &[("host_not_upgraded", 20), ("unknown_item", 20)],
    ),
    unsafe_plan(
        "plans/violations/unavailable_host_in_plan.toml",
        "plans/clusters/cloud-fra1.cmp12-maintenance.toml",
        &[("unavailable_host_in_plan", 35)],
    ),
    unsafe_plan(
        "plans/violations/already_done.toml",
        "plans/clusters/cloud-fra1.cmp01-done.toml",
        &[("already_done", 20)],
    ),
    unsafe_plan(
        "plans/violations/move_invalid.toml",
        VSAN,
        &[("move_invalid", 18)],
    ),
];

/// Runs `quorate ARGS` in the repository root; returns (exit code, stdout, stderr).
fn run(args: &[&str], stdin: Option<&str>) -> (Option<i32>, String, String) {
    let mut cmd = support::quorate();
    cmd.current_dir(support::root()).args(args);
    if let Some(text) = stdin {
        cmd.write_stdin(text);
    }
    let output = cmd.output().expect("quorate runs");
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

fn read(path: &str) -> String {
    std::fs::read_to_string(support::root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `fault_domain_limit` for `plans/violations/fault_domain_limit.toml`, `…_json` for JSON.
fn snapshot_name(plan: &str) -> String {
    let file = plan.rsplit('/').next().unwrap();
    match file.strip_suffix(".toml") {
        Some(stem) => stem.to_string(),
        None => file.replace('.', "_"),
    }
}

#[test]
fn every_plan_file_has_a_case_and_every_code_a_plan() {
    let mut on_disk = BTreeSet::new();
    for folder in ["plans", "plans/violations"] {
        for entry in std::fs::read_dir(support::root().join(folder)).expect("the folder exists") {
            let path = entry.expect("a readable folder").path();
            if path.extension().is_some_and(|e| e == "toml" || e == "json") {
                on_disk.insert(format!(
                    "{folder}/{}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    let cased: BTreeSet<String> = SAFE
        .iter()
        .map(|(plan, _)| *plan)
        .chain(UNSAFE.iter().map(|c| c.plan))
        .map(String::from)
        .collect();
    assert_eq!(on_disk, cased, "plan files on disk vs SAFE and UNSAFE");
    for code in ViolationCode::ALL {
        let plan = format!("plans/violations/{code}.toml");
        let case = UNSAFE.iter().find(|c| c.plan == plan);
        assert!(
            case.is_some_and(|c| c.violations.iter().any(|(c, _)| *c == code.as_str())),
            "{plan} must exist and report {code}"
        );
    }
}

#[test]
fn every_toml_plan_says_how_to_check_it() {
    let cases = SAFE
        .iter()
        .copied()
        .chain(UNSAFE.iter().map(|c| (c.plan, c.cluster)));
    for (plan, cluster) in cases.filter(|(plan, _)| plan.ends_with(".toml")) {
        let command = format!("quorate validate {cluster} {plan}");
        assert!(read(plan).contains(&command), "{plan} should name `{command}`");
    }
}

#[test]
fn cluster_variants_differ_from_their_example_only_in_marked_lines() {
    for (variant, example) in [
        ("plans/clusters/cloud-fra1.cmp12-maintenance.toml", OPENSTACK),
        ("plans/clusters/cloud-fra1.cmp01-done.toml", OPENSTACK),
        ("plans/clusters/metro-vsan-01.ha-50.toml", STRETCHED),
    ] {
        let (variant_text, example_text) = (read(variant), read(example));
        let original: Vec<&str> = example_text.lines().collect();
        let unmarked: Vec<&str> = variant_text.lines().filter(|l| !l.contains("VARIANT")).collect();
        // The variant's own header comes first; its body starts where the example does.
        let start = unmarked
            .iter()
            .position(|l| *l == original[0])
            .unwrap_or_else(|| panic!("{variant} does not contain {example}"));
        let body = &unmarked[start..];
        // Without its marked lines, the body is the example, or the example less the one line
        // that a marked line replaces.
        let same = body == original.as_slice()
            || (body.len() + 1 == original.len()
                && (0..original.len()).any(|i| {
                    let mut less = original.clone();
                    less.remove(i);
                    body == less.as_slice()
                }));
        assert!(
            same,
            "{variant} differs from {example} in more than its VARIANT lines"
        );
    }
}

#[test]
fn safe_plans_exit_0_with_a_confirmation() {
    for (plan, cluster) in SAFE {
        let (code, stdout, stderr) = run(&["validate", cluster, plan], None);
        assert_eq!(code, Some(0), "{plan}: stdout:\n{stdout}\nstderr:\n{stderr}");
        assert_eq!(stderr, "", "{plan}: a safe plan has no diagnostics");
        assert!(stdout.starts_with(&format!("safe: {plan} (")), "{plan}: {stdout}");
    }
    let (_, stdout, _) = run(&["validate", VSAN, "plans/vsan-16-hosts.valid.toml"], None);
    assert_eq!(
        stdout,
        "safe: plans/vsan-16-hosts.valid.toml (TOML) upgrades 16 hosts and 1 component of cluster \
         `prod-vsan-01` in 5 waves; a placement found for each of the 5 waves without moves\n"
    );
}

#[test]
fn the_library_reports_each_violation_at_its_line() {
    let mut report = String::new();
    for case in UNSAFE {
        let loaded = quorate::load(&Source::new(case.cluster, read(case.cluster))).expect("a valid cluster");
        let source = Source::new(case.plan, read(case.plan));
        let plan = quorate::planfile::read(&source).expect("a readable plan");
        let validation = validate(&loaded.cluster, &plan);
        let actual: Vec<(&str, usize)> = validation
            .violations
            .iter()
            .map(|v| {
                let line = v.span.as_ref().map_or(0, |s| source.line_col(s.start).0);
                (v.code.as_str(), line)
            })
            .collect();
        if actual != case.violations {
            let _ = writeln!(
                report,
                "{}:\n  expected {:?}\n  actual   {actual:?}",
                case.plan, case.violations
            );
        }
    }
    assert!(report.is_empty(), "violations differ:\n{report}");
}

#[test]
fn violation_plans_exit_1_and_draw_each_violation_on_the_plan() {
    for case in UNSAFE {
        let (code, stdout, stderr) = run(&["validate", case.cluster, case.plan], None);
        assert_eq!(code, Some(1), "{}: stderr:\n{stderr}", case.plan);
        assert_eq!(stdout, "", "{}: the text report is on stderr", case.plan);
        for (code, line) in case.violations {
            assert!(
                stderr.contains(&format!("quorate::{code}\n")),
                "{}: no {code}:\n{stderr}",
                case.plan
            );
            if *line > 0 {
                let at = format!("[{}:{line}:", case.plan);
                assert!(
                    stderr.contains(&at),
                    "{}: no snippet at {at}\n{stderr}",
                    case.plan
                );
            }
        }
        let summary = format!("error: {} is not safe for cluster `", case.plan);
        assert!(
            stderr.lines().last().is_some_and(|l| l.starts_with(&summary)),
            "{stderr}"
        );
        insta::assert_snapshot!(snapshot_name(case.plan), stderr);
    }
}

#[test]
fn json_output_is_the_validation_document() {
    let cases = UNSAFE
        .iter()
        .map(|c| (c.plan, c.cluster, c.violations))
        .chain(SAFE.iter().map(|&(plan, cluster)| (plan, cluster, &[][..])));
    for (plan, cluster, expected) in cases {
        let (code, stdout, stderr) = run(&["validate", cluster, plan, "-o", "json"], None);
        let valid = expected.is_empty();
        assert_eq!(code, Some(if valid { 0 } else { 1 }), "{plan}: {stderr}");
        let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
        assert_eq!(doc["valid"], valid, "{plan}");
        let violations = doc["violations"].as_array().expect("an array");
        let codes: Vec<&str> = violations.iter().map(|v| v["code"].as_str().unwrap()).collect();
        let wanted: Vec<&str> = expected.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes, wanted, "{plan}");
        for v in violations {
            let keys: BTreeSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["code", "wave", "subject", "message", "help"])
            );
        }
    }
}

#[test]
fn every_example_planned_as_json_and_as_toml_validates_from_standard_input() {
    let mut examples: Vec<String> = std::fs::read_dir(support::root().join("examples"))
        .expect("the examples folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| format!("examples/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    examples.sort();
    assert!(examples.len() >= 7, "{examples:?}");
    for example in &examples {
        for (format, label) in [("json", "JSON"), ("toml", "TOML")] {
            let (code, plan, stderr) = run(&["plan", "-o", format, example], None);
            assert_eq!(code, Some(0), "{example}: {stderr}");
            let (code, stdout, stderr) = run(&["validate", example, "-"], Some(&plan));
            assert_eq!(code, Some(0), "{example} as {format}: {stdout}{stderr}");
            assert!(
                stdout.starts_with(&format!("safe: <stdin> ({label})")),
                "{example}: {stdout}"
            );
        }
    }
}

/// Plan files with input errors, read from standard input: `(name, plan, position)`.
const INPUT_ERRORS: &[(&str, &str, &str)] = &[
    (
        "input_unknown_key",
        "cluster = \"prod-vsan-01\"\n\n[[wave]]\nhots = [\"esx01\"]\n",
        "[<stdin>:4:1]",
    ),
    (
        "input_unknown_table",
        "[[wave]]\nhosts = [\"esx01\"]\n\n[[wave.moves]]\nworkload = \"vcsa01\"\nto = \"esx05\"\n",
        "[<stdin>:4:8]",
    ),
    (
        "input_missing_hosts",
        "[[wave]]\nhosts = [\"vcenter\"]\n\n[[wave]]\nindex = 2\n",
        "[<stdin>:4:1]",
    ),
    (
        "input_wrong_type",
        "[[wave]]\nhosts = \"esx01\"\nminutes = \"45\"\n",
        "[<stdin>:2:9]",
    ),
    (
        "input_toml_syntax",
        "[[wave]]\nhosts = [\"esx01\", \"esx02\"\n\n[[wave]]\nhosts = [\"esx03\"]\n",
        "[<stdin>:",
    ),
    (
        "input_json_syntax",
        "{\n  \"waves\": [\n    {\"hosts\": [\"esx01\"]},\n  ]\n}\n",
        "[<stdin>:4:3]",
    ),
    (
        "input_json_wrong_type",
        "{\n  \"waves\": [\n    {\"hosts\": \"esx01\", \"moves\": []}\n  ]\n}\n",
        "[<stdin>:3:15]",
    ),
];

#[test]
fn input_errors_in_a_plan_exit_2_with_positions() {
    for (name, plan, position) in INPUT_ERRORS {
        let (code, stdout, stderr) = run(&["validate", VSAN, "-"], Some(plan));
        assert_eq!(code, Some(2), "{name}: {stderr}");
        assert_eq!(stdout, "", "{name}");
        assert!(stderr.contains(position), "{name}: no {position} in\n{stderr}");
        insta::assert_snapshot!(*name, stderr);
    }
}

#[test]
fn other_input_errors_exit_2() {
    // The cluster is invalid: its errors, and the plan is not read.
    let bad_cluster = "tests/fixtures/errors/unknown_host.toml";
    let (code, _, stderr) = run(&["validate", bad_cluster, "plans/vsan-16-hosts.valid.toml"], None);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("quorate::unknown_reference"), "{stderr}");

    let (code, _, stderr) = run(&["validate", VSAN, "plans/no-such-plan.toml"], None);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot read plans/no-such-plan.toml"), "{stderr}");

    // Both from standard input cannot work: a usage error.
    let (code, stdout, stderr) = run(&["validate", "-", "-"], Some(""));
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    assert!(
        stderr.contains("cannot both be read from standard input"),
        "{stderr}"
    );
}

#[test]
fn a_plan_for_another_cluster_is_reported_at_its_cluster_key() {
    let plan = read("plans/vsan-16-hosts.valid.toml").replace("\"prod-vsan-01\"", "\"prod-vsan-02\"");
    let (code, _, stderr) = run(&["validate", VSAN, "-"], Some(&plan));
    // An input error since issue 13: the plan goes with another description.
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("quorate::other_cluster"), "{stderr}");
    assert!(stderr.contains("[<stdin>:8:11]"), "{stderr}");
}
