//! Kubernetes (`kubectl get nodes,pods,poddisruptionbudgets -A -o json`): every kind of check
//! verify decides, passing and failing; the text report; what stays manual; input errors.

use serde_json::Value;

use super::{Planned, changed, checks, failing, fixtures, flat, passes, planned, run, write};

fn kubernetes() -> Planned {
    planned("kubernetes", fixtures("kubernetes", &["small.json"]), "v1.30.1")
}

fn node(value: &mut Value, name: &str) -> Value {
    let items = value["items"].as_array_mut().unwrap();
    let node = items
        .iter_mut()
        .find(|i| i["kind"] == "Node" && i["metadata"]["name"] == name)
        .unwrap();
    std::mem::take(node)
}

/// Changes node `name` in a kubectl List.
fn with_node(exports: &[(String, String)], name: &str, change: impl Fn(&mut Value)) -> Vec<(String, String)> {
    changed(exports, "small.json", |list| {
        let mut n = node(list, name);
        change(&mut n);
        list["items"].as_array_mut().unwrap().push(n);
    })
}

/// The hosts of the waves before wave `wave` (one-based) of a plan document's waves.
fn hosts_before(waves: &[Value], wave: usize) -> Vec<String> {
    waves[..wave - 1]
        .iter()
        .flat_map(|w| w["hosts"].as_array().unwrap().iter())
        .map(|h| h.as_str().unwrap().to_string())
        .collect()
}

/// The kubectl export with the nodes `done` on the target kubelet.
fn kubelets_upgraded(done: &[String], exports: &[(String, String)]) -> Vec<(String, String)> {
    changed(exports, "small.json", |list| {
        for item in list["items"].as_array_mut().unwrap() {
            if item["kind"] == "Node" && done.iter().any(|d| item["metadata"]["name"] == d.as_str()) {
                item["status"]["nodeInfo"]["kubeletVersion"] = Value::from("v1.30.1");
            }
        }
    })
}

#[test]
fn kubernetes_checks_pass_on_the_exports_the_plan_was_made_from() {
    let k8s = kubernetes();
    let seen = k8s.all_pass(&kubelets_upgraded);
    for kind in [
        "version",
        "host_state",
        "unavailable",
        "members",
        "quorum",
        "budget",
        "previous_wave",
        "fault_domains",
        "capacity",
    ] {
        assert!(passes(&seen, kind), "no {kind} check passed: {seen:?}");
    }
    // PVCs and VolumeAttachments are not in the export: those checks are for a person.
    assert!(seen.iter().any(|(k, r)| k == "storage" && r == "manual"));
}

#[test]
fn kubernetes_a_node_on_another_kubelet_fails_the_version_check() {
    let k8s = kubernetes();
    let live = with_node(&k8s.exports, "cp-2", |n| {
        n["status"]["nodeInfo"]["kubeletVersion"] = Value::from("v1.28.0");
    });
    let (code, report) = k8s.verify(1, false, &live);
    let (_, expected, observed) = failing(code, &report, "version");
    assert!(expected.starts_with("v1.29.4 on "), "{expected}");
    assert_eq!(observed, "cp-2: v1.28.0");
}

#[test]
fn kubernetes_an_uncordoned_node_fails_its_unavailable_check() {
    let k8s = kubernetes();
    let live = with_node(&k8s.exports, "worker-4", |n| {
        n["spec"].as_object_mut().unwrap().remove("unschedulable");
    });
    let (code, report) = k8s.verify(1, false, &live);
    let (subject, expected, observed) = failing(code, &report, "unavailable");
    assert_eq!(subject, "worker-4");
    assert_eq!(expected, "worker-4 down or in maintenance");
    assert_eq!(observed, "worker-4: up");
}

#[test]
fn kubernetes_a_control_plane_node_not_ready_fails_state_and_quorum() {
    let k8s = kubernetes();
    let live = with_node(&k8s.exports, "cp-3", |n| {
        for c in n["status"]["conditions"].as_array_mut().unwrap() {
            if c["type"] == "Ready" {
                c["status"] = Value::from("False");
            }
        }
    });
    let (code, report) = k8s.verify(1, false, &live);
    let (_, expected, observed) = failing(code, &report, "host_state");
    assert_eq!(
        expected,
        "every host up and out of maintenance but worker-4, worker-5"
    );
    assert!(observed.starts_with("cp-3: down"), "{observed}");
    let (subject, expected, observed) = failing(code, &report, "quorum");
    assert_eq!(subject, "etcd");
    assert_eq!(expected, "at least 3 of 3 votes of etcd up");
    assert_eq!(observed, "2 of 3 up (not up: cp-3)");
}

/// The wave that drains worker-1 needs one disruption of each budget; a budget with none left
/// (`status.disruptionsAllowed: 0`) or fewer healthy pods (`currentHealthy`) fails.
#[test]
fn kubernetes_a_budget_with_no_disruption_left_fails() {
    let k8s = kubernetes();
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&k8s.plan).unwrap()).unwrap();
    let wave = plan["waves"]
        .as_array()
        .unwrap()
        .iter()
        .position(|w| w["hosts"][0] == "worker-1")
        .unwrap()
        + 1;
    let budget = |field: &'static str, value: i64| {
        changed(&k8s.exports, "small.json", move |list| {
            for item in list["items"].as_array_mut().unwrap() {
                if item["kind"] == "PodDisruptionBudget" && item["metadata"]["name"] == "zk-pdb" {
                    item["status"][field] = Value::from(value);
                }
            }
        })
    };
    let (code, report) = k8s.verify(wave, false, &budget("disruptionsAllowed", 0));
    let (subject, expected, observed) = failing(code, &report, "budget");
    assert_eq!(subject, "shop/zk-pdb");
    assert_eq!(
        expected,
        "shop/zk-pdb: at least 3 healthy, at least 1 disruption allowed"
    );
    assert_eq!(observed, "3 healthy (currentHealthy), 0 disruption(s) allowed");
    let (code, report) = k8s.verify(wave, false, &budget("currentHealthy", 2));
    let (_, _, observed) = failing(code, &report, "budget");
    assert_eq!(observed, "2 healthy (currentHealthy), 1 disruption(s) allowed");
}

/// After the wave its node must run the target kubelet: the exports of before the wave fail
/// the post-check, those with the node upgraded pass it.
#[test]
fn kubernetes_post_checks_want_the_target_version() {
    let k8s = kubernetes();
    let (code, report) = k8s.verify(1, true, &k8s.exports);
    let (subject, expected, observed) = failing(code, &report, "version");
    assert_eq!((subject, expected), ("cp-1", "v1.30.1 on cp-1"));
    assert_eq!(observed, "cp-1: v1.29.4");
    let upgraded = with_node(&k8s.exports, "cp-1", |n| {
        n["status"]["nodeInfo"]["kubeletVersion"] = Value::from("v1.30.1");
    });
    let (code, report) = k8s.verify(1, true, &upgraded);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["phase"], "post");
    assert!(checks(&report, "version").iter().all(|c| c.1 == "pass"));
    assert!(checks(&report, "rejoined").iter().all(|c| c.1 == "pass"));
}

#[test]
fn the_text_report_has_one_line_per_check_and_a_summary() {
    let k8s = kubernetes();
    let paths = write(&k8s.dir, "text", &k8s.exports);
    let (code, stdout, stderr) = run(&["verify", &k8s.description, &k8s.plan, "--wave", "1", &paths[0]]);
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("W1.PRE.1  pass    (version) "), "{stdout}");
    assert!(
        lines.iter().any(|l| l.contains("  manual  (storage) ")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim_start().starts_with("by hand: kubectl get pvc")),
        "{stdout}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("wave 1 pre-checks against the exports: "),
        "{stdout}"
    );
}

// --- input errors ----------------------------------------------------------------------------

#[test]
fn a_wave_out_of_range_an_unsafe_plan_or_a_bad_export_is_an_input_error() {
    let k8s = kubernetes();
    let paths = write(&k8s.dir, "errors", &k8s.exports);
    let export = paths[0].as_str();

    let (code, _, stderr) = run(&["verify", &k8s.description, &k8s.plan, "--wave", "99", export]);
    assert_eq!(code, Some(2));
    assert!(flat(&stderr).contains("--wave 99: "), "{stderr}");
    let (code, _, _) = run(&["verify", &k8s.description, &k8s.plan, "--wave", "0", export]);
    assert_eq!(code, Some(2));

    let unsafe_plan = k8s.dir.path().join("unsafe.toml");
    std::fs::write(
        &unsafe_plan,
        "[[wave]]\nhosts = [\"cp-1\", \"cp-2\"]\n\n[[wave]]\nhosts = [\"cp-3\", \"worker-1\", \"worker-2\", \"worker-3\"]\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&[
        "verify",
        &k8s.description,
        unsafe_plan.to_str().unwrap(),
        "--wave",
        "1",
        export,
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stdout, "");
    let stderr = flat(&stderr);
    assert!(stderr.contains("quorate::quorum_lost"), "{stderr}");
    assert!(stderr.contains("is not a safe plan for"), "{stderr}");

    let broken = write(
        &k8s.dir,
        "broken",
        &[(
            "nodes.json".to_string(),
            "{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\"}]}".to_string(),
        )],
    );
    let (code, stdout, stderr) = run(&["verify", &k8s.description, &k8s.plan, "--wave", "1", &broken[0]]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(flat(&stderr).contains("nodes.json: $.items[0]"), "{stderr}");
}

// --- what the exports cannot decide ------------------------------------------------------------

/// A component's version is in no export, and a budget without `status.disruptionsAllowed`
/// cannot say whether the drain may start: both are manual, and manual checks do not fail the
/// run.
#[test]
fn component_versions_and_budgets_without_status_are_manual() {
    let k8s = kubernetes();
    let mut description = std::fs::read_to_string(&k8s.description).unwrap();
    description.push_str(
        "\n[[component]]\nname = \"cluster-addons\"\nversion = \"1.0\"\ntarget_version = \"2.0\"\n",
    );
    std::fs::write(&k8s.description, &description).unwrap();
    let (code, _, stderr) = run(&[
        "plan",
        &k8s.description,
        "-o",
        "json",
        "--time-limit",
        "5",
        "--out",
        &k8s.plan,
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&k8s.plan).unwrap()).unwrap();
    let waves = plan["waves"].as_array().unwrap();
    let component = waves
        .iter()
        .position(|w| w["hosts"][0] == "cluster-addons")
        .unwrap()
        + 1;
    let before = hosts_before(waves, component);
    let (code, report) = k8s.verify(component, false, &kubelets_upgraded(&before, &k8s.exports));
    assert_eq!(code, Some(0), "{report:#}");
    let versions = checks(&report, "version");
    let addons: Vec<_> = versions.iter().filter(|c| c.0 == "cluster-addons").collect();
    assert_eq!(addons.len(), 1, "{report:#}");
    assert_eq!(addons[0].1, "manual");
    assert_eq!(addons[0].3, "the exports do not carry component versions");

    let drains = waves.iter().position(|w| w["hosts"][0] == "worker-1").unwrap() + 1;
    let before = hosts_before(waves, drains);
    let no_status = changed(&kubelets_upgraded(&before, &k8s.exports), "small.json", |list| {
        for item in list["items"].as_array_mut().unwrap() {
            if item["kind"] == "PodDisruptionBudget" {
                item.as_object_mut().unwrap().remove("status");
            }
        }
    });
    let (code, report) = k8s.verify(drains, false, &no_status);
    assert_eq!(code, Some(0), "{report:#}");
    let budgets = checks(&report, "budget");
    assert!(!budgets.is_empty());
    for (subject, result, _, observed) in budgets {
        assert_eq!(result, "manual", "{subject}");
        assert!(
            observed.ends_with("disruptions allowed: not in the exports"),
            "{observed}"
        );
    }
}
