//! `quorate verify`: a wave's checks against live exports, per platform, passing and failing.
//!
//! Each platform's exports are the import fixtures (`tests/fixtures/import/<platform>/`, whose
//! SOURCES.md cites the tools' formats) and, for Ceph, the outputs of the real cluster
//! (`tests/fixtures/ceph-real/`). A description is imported from them and planned; `verify` on
//! the same exports must pass every check it can decide, and on exports changed in one place
//! (a node cordoned, a monitor out of quorum, a budget with no disruption left) the check about
//! that thing must fail with the expected and the observed value, and exit 1.

use serde_json::Value;

use crate::import::{fixture, flat, read, run};

/// An export: file name and text.
type Export = (String, String);

/// The exports after the given hosts were upgraded.
type Upgrade = dyn Fn(&[String], &[Export]) -> Vec<Export>;

/// A planned cluster in a temporary folder: exports, description and plan.
struct Planned {
    dir: tempfile::TempDir,
    description: String,
    plan: String,
    exports: Vec<(String, String)>,
}

/// Imports `exports` of `platform` with `--target-version target`, then plans.
fn planned(platform: &str, exports: Vec<(String, String)>, target: &str) -> Planned {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let description = dir.path().join("cluster.toml").to_str().unwrap().to_string();
    let plan = dir.path().join("plan.json").to_str().unwrap().to_string();
    let paths = write(&dir, "exports", &exports);
    let mut args = vec![
        "import",
        platform,
        "--target-version",
        target,
        "--out",
        &description,
    ];
    args.extend(paths.iter().map(String::as_str));
    let (code, _, stderr) = run(&args);
    assert_eq!(code, Some(0), "import failed:\n{stderr}");
    let (code, _, stderr) = run(&[
        "plan",
        &description,
        "-o",
        "json",
        "--time-limit",
        "5",
        "--out",
        &plan,
    ]);
    assert_eq!(code, Some(0), "plan failed:\n{stderr}");
    Planned {
        dir,
        description,
        plan,
        exports,
    }
}

/// Writes `files` into `dir/sub` and returns their paths.
fn write(dir: &tempfile::TempDir, sub: &str, files: &[(String, String)]) -> Vec<String> {
    let folder = dir.path().join(sub);
    std::fs::create_dir_all(&folder).unwrap();
    files
        .iter()
        .map(|(name, text)| {
            let path = folder.join(name);
            std::fs::write(&path, text).unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect()
}

/// The import fixtures `PREFIX-PART.json` of a platform, as (file name, text).
fn fixtures(platform: &str, names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.to_string(), read(&fixture(platform, n))))
        .collect()
}

/// The exports with file `name` changed by `change`.
fn changed(exports: &[(String, String)], name: &str, change: impl Fn(&mut Value)) -> Vec<(String, String)> {
    exports
        .iter()
        .map(|(n, text)| {
            if n != name {
                return (n.clone(), text.clone());
            }
            let mut value: Value = serde_json::from_str(text).unwrap();
            change(&mut value);
            (n.clone(), value.to_string())
        })
        .collect()
}

impl Planned {
    /// `quorate verify -o json` of wave `wave` (post-checks with `post`) against `exports`.
    fn verify(&self, wave: usize, post: bool, exports: &[(String, String)]) -> (Option<i32>, Value) {
        let sub = format!("live-{wave}-{post}-{}", rand_suffix(exports));
        let paths = write(&self.dir, &sub, exports);
        let wave = wave.to_string();
        let mut args = vec![
            "verify",
            &self.description,
            &self.plan,
            "--wave",
            &wave,
            "-o",
            "json",
        ];
        if post {
            args.push("--post");
        }
        args.extend(paths.iter().map(String::as_str));
        let (code, stdout, stderr) = run(&args);
        let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
        (code, report)
    }

    /// Every pre-check of every wave against the exports the plan was made from, with the hosts
    /// of the earlier waves upgraded by `upgrade` (the hosts, the exports): none fails.
    /// Returns every (kind, result) seen.
    fn all_pass(&self, upgrade: &Upgrade) -> Vec<(String, String)> {
        let plan: Value = serde_json::from_str(&std::fs::read_to_string(&self.plan).unwrap()).unwrap();
        let mut done: Vec<String> = Vec::new();
        let mut seen = Vec::new();
        for (index, wave) in plan["waves"].as_array().unwrap().iter().enumerate() {
            let live = upgrade(&done, &self.exports);
            let (code, report) = self.verify(index + 1, false, &live);
            assert_eq!(code, Some(0), "wave {}: {report:#}", index + 1);
            assert_eq!(report["passed"], true);
            assert_eq!(report["counts"]["fail"], 0, "{report:#}");
            for check in report["checks"].as_array().unwrap() {
                seen.push((
                    check["kind"].as_str().unwrap().to_string(),
                    check["result"].as_str().unwrap().to_string(),
                ));
            }
            done.extend(
                wave["hosts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap().to_string()),
            );
        }
        seen
    }
}

/// For platforms whose exports carry no version: upgrading changes nothing they show.
fn unchanged(_: &[String], exports: &[(String, String)]) -> Vec<(String, String)> {
    exports.to_vec()
}

/// A folder name that differs between two sets of exports.
fn rand_suffix(exports: &[(String, String)]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    exports.hash(&mut hasher);
    hasher.finish()
}

/// The checks of `kind` in a report, as (subject, result, expected, observed).
fn checks<'a>(report: &'a Value, kind: &str) -> Vec<(&'a str, &'a str, &'a str, &'a str)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .map(|c| {
            (
                c["subject"].as_str().unwrap(),
                c["result"].as_str().unwrap(),
                c["expected"].as_str().unwrap(),
                c["observed"].as_str().unwrap(),
            )
        })
        .collect()
}

fn passes(seen: &[(String, String)], kind: &str) -> bool {
    seen.iter().any(|(k, r)| k == kind && r == "pass")
}

/// The one failing check of `kind`, asserting that the run failed (exit 1).
fn failing<'a>(code: Option<i32>, report: &'a Value, kind: &str) -> (&'a str, &'a str, &'a str) {
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["passed"], false);
    let failed: Vec<_> = checks(report, kind)
        .into_iter()
        .filter(|c| c.1 == "fail")
        .collect();
    assert!(!failed.is_empty(), "no failing {kind} check: {report:#}");
    let (subject, _, expected, observed) = failed[0];
    (subject, expected, observed)
}

// --- Kubernetes: kubectl get nodes,pods,poddisruptionbudgets -A -o json -----------------------

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
    assert_eq!(expected, "at least 3 of 3 members of etcd up");
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

// --- Ceph: the real cluster's ceph osd tree / mon dump / pool ls detail / crush rule dump -----

fn ceph_real(name: &str) -> (String, String) {
    let path = crate::support::root().join("tests/fixtures/ceph-real").join(name);
    (name.to_string(), read(&path))
}

fn ceph() -> Planned {
    let exports = [
        "osd-tree.json",
        "mon-dump.json",
        "osd-pool-ls-detail.json",
        "osd-crush-rule-dump.json",
    ]
    .map(ceph_real)
    .to_vec();
    planned("ceph", exports, "17.2.7")
}

#[test]
fn ceph_checks_pass_on_the_real_cluster_and_versions_are_manual() {
    let ceph = ceph();
    let seen = ceph.all_pass(&unchanged);
    for kind in [
        "host_state",
        "members",
        "quorum",
        "fault_domains",
        "previous_wave",
    ] {
        assert!(passes(&seen, kind), "no {kind} check passed: {seen:?}");
    }
    // `ceph osd tree` carries no versions: the version checks are for a person.
    assert!(
        seen.iter().all(|(k, r)| k != "version" || r == "manual"),
        "{seen:?}"
    );
}

/// The real cluster with ceph-a's OSDs stopped (captured by the e2e test): the next wave must
/// not start.
#[test]
fn ceph_a_host_whose_osds_are_down_fails_the_next_wave() {
    let ceph = ceph();
    let mut live = ceph.exports.clone();
    live[0] = (
        "osd-tree.json".to_string(),
        ceph_real("host-down-osd-tree.json").1,
    );
    let (code, report) = ceph.verify(2, false, &live);
    let (subject, expected, observed) = failing(code, &report, "previous_wave");
    assert_eq!(
        (subject, expected),
        ("ceph-a", "ceph-a up and out of maintenance")
    );
    assert!(observed.starts_with("ceph-a: down"), "{observed}");
    let (_, _, observed) = failing(code, &report, "fault_domains");
    assert!(observed.starts_with("ceph-a: down"), "{observed}");
}

#[test]
fn ceph_a_monitor_out_of_quorum_fails_the_quorum_check() {
    let ceph = ceph();
    let live = changed(&ceph.exports, "mon-dump.json", |dump| {
        dump["quorum"] = serde_json::json!([0, 1]);
    });
    let (code, report) = ceph.verify(1, false, &live);
    let (subject, expected, observed) = failing(code, &report, "quorum");
    assert_eq!(subject, "ceph-mon");
    assert_eq!(expected, "at least 3 of 3 members of ceph-mon up");
    assert_eq!(observed, "2 of 3 up (not up: ceph-c)");
}

// --- Proxmox VE: pvesh get /cluster/resources and /cluster/status ----------------------------

fn proxmox() -> Planned {
    let exports = fixtures("proxmox", &["large-resources.json", "large-status.json"]);
    planned("proxmox", exports, "9.0")
}

#[test]
fn proxmox_checks_pass_and_an_offline_node_fails_state_and_corosync() {
    let pve = proxmox();
    let seen = pve.all_pass(&unchanged);
    for kind in ["host_state", "members", "quorum"] {
        assert!(passes(&seen, kind), "no {kind} check passed: {seen:?}");
    }
    let live = changed(&pve.exports, "large-status.json", |status| {
        for entry in status.as_array_mut().unwrap() {
            if entry["name"] == "pve40" {
                entry["online"] = Value::from(0);
            }
        }
    });
    let (code, report) = pve.verify(1, false, &live);
    let (_, _, observed) = failing(code, &report, "host_state");
    assert!(observed.starts_with("pve40: down"), "{observed}");
    let (subject, _, observed) = failing(code, &report, "quorum");
    assert_eq!(subject, "corosync");
    assert!(observed.ends_with("(not up: pve40)"), "{observed}");
}

// --- OpenStack: openstack hypervisor / server / flavor / server group / service list ---------

fn openstack() -> Planned {
    let exports = fixtures(
        "openstack",
        &[
            "large-hypervisors.json",
            "large-servers.json",
            "large-flavors.json",
            "large-server-groups.json",
            "large-services.json",
        ],
    );
    planned("openstack", exports, "2025.1")
}

#[test]
fn openstack_checks_pass_and_a_compute_gone_down_fails_the_state_check() {
    let os = openstack();
    let seen = os.all_pass(&unchanged);
    for kind in ["host_state", "fault_domains"] {
        assert!(passes(&seen, kind), "no {kind} check passed: {seen:?}");
    }
    let live = changed(&os.exports, "large-hypervisors.json", |list| {
        list[3]["State"] = Value::from("down");
    });
    let name = {
        let list: Value = serde_json::from_str(&os.exports[0].1).unwrap();
        list[3]["Hypervisor Hostname"].as_str().unwrap().to_string()
    };
    let (code, report) = os.verify(1, false, &live);
    let (_, _, observed) = failing(code, &report, "host_state");
    assert!(observed.starts_with(&format!("{name}: down")), "{observed}");
}

// --- vSphere: govc host.info -json, vm.info -json -r, cluster.rule.info -json ---------------

fn vsphere() -> Planned {
    let exports = fixtures(
        "vsphere",
        &["large-hosts.json", "large-vms.json", "large-rules.json"],
    );
    planned("vsphere", exports, "8.0.3")
}

fn with_esx(
    exports: &[(String, String)],
    index: usize,
    change: impl Fn(&mut Value),
) -> Vec<(String, String)> {
    changed(exports, "large-hosts.json", |hosts| {
        change(&mut hosts["hostSystems"][index]);
    })
}

#[test]
fn vsphere_checks_pass_and_a_host_on_another_build_or_in_maintenance_fails() {
    let vs = vsphere();
    let seen = vs.all_pass(&|done, exports| {
        changed(exports, "large-hosts.json", |hosts| {
            for host in hosts["hostSystems"].as_array_mut().unwrap() {
                if done
                    .iter()
                    .any(|d| host["summary"]["config"]["name"] == d.as_str())
                {
                    host["summary"]["config"]["product"]["version"] = Value::from("8.0.3");
                }
            }
        })
    });
    for kind in ["version", "host_state", "previous_wave"] {
        assert!(passes(&seen, kind), "no {kind} check passed: {seen:?}");
    }
    let hosts: Value = serde_json::from_str(&vs.exports[0].1).unwrap();
    let name = hosts["hostSystems"][5]["summary"]["config"]["name"]
        .as_str()
        .unwrap();

    let live = with_esx(&vs.exports, 5, |h| {
        h["summary"]["config"]["product"]["version"] = Value::from("8.0.1");
    });
    let (code, report) = vs.verify(1, false, &live);
    let (_, _, observed) = failing(code, &report, "version");
    assert_eq!(observed, format!("{name}: 8.0.1"));

    let live = with_esx(&vs.exports, 5, |h| {
        h["summary"]["runtime"]["inMaintenanceMode"] = Value::from(true);
    });
    let (code, report) = vs.verify(1, false, &live);
    let (_, _, observed) = failing(code, &report, "host_state");
    assert!(
        observed.starts_with(&format!("{name}: maintenance")),
        "{observed}"
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
