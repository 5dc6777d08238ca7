//! Kubernetes: `kubectl get nodes,pods,poddisruptionbudgets -A -o json`.
//!
//! `small.json` and `large.json` are written by `make_fixtures.py` in the shape kubectl prints
//! (fields from kubernetes/api `core/v1/types.go` and `policy/v1/types.go`; see SOURCES.md).

use quorate::import::ImportOptions;
use quorate::model::{HostState, Migration, Platform};
use serde_json::Value;

use super::{fixture, flat, import, import_check_plan, read, run, temp_file};

fn small() -> String {
    read(&fixture("kubernetes", "small.json"))
}

fn options() -> ImportOptions {
    ImportOptions {
        name: Some("shop-prod".to_string()),
        target_version: Some("v1.30.1".to_string()),
        upgrade_minutes: Some(20),
        files: vec!["small.json".to_string()],
    }
}

#[test]
fn the_small_cluster_imports_as_the_mapping_says() {
    let text = import(Platform::Kubernetes, &[("small.json", small())], &options());
    insta::assert_snapshot!("kubernetes_small", text);
    let cluster = crate::support::load_ok("imported.toml", &text).cluster;
    let host = |name: &str| cluster.hosts.iter().find(|h| h.name == name).unwrap();
    assert_eq!(host("worker-4").state, HostState::Maintenance, "cordoned");
    assert_eq!(host("worker-5").state, HostState::Down, "NotReady");
    assert_eq!(host("worker-5").version.as_deref(), Some("v1.28.9"));
    let names: Vec<&str> = cluster.workloads.iter().map(|w| w.name.as_str()).collect();
    // DaemonSet, mirror, finished and unscheduled pods are not workloads.
    for skipped in ["kube-proxy", "etcd-", "report-", "pending"] {
        assert!(
            !names.iter().any(|n| n.contains(skipped)),
            "{skipped} in {names:?}"
        );
    }
    let workload = |name: &str| cluster.workloads.iter().find(|w| w.name == name).unwrap();
    assert_eq!(workload("shop/debug").migration, Migration::None, "bare pod");
    assert_eq!(workload("shop/cache-local").migration, Migration::None, "pinned");
    assert_eq!(workload("shop/zk-0").migration, Migration::Restart);
    // zk's init container (2 cores) is larger than its container (0.5 cores).
    assert!(text.contains("name = \"shop/zk-0\"\nhost = \"worker-1\"\ncpu = 2.0\n"));
    // web sums two containers: 250m + 50m.
    assert!(text.contains("name = \"shop/web-5d9c-0\"\nhost = \"worker-1\"\ncpu = 0.3\n"));
    assert!(text.contains("min_available = 2  # inferred: minAvailable 50% of 3 pods"));
    assert_eq!(cluster.quorum_groups.len(), 1, "etcd");
}

/// The same objects as a `NodeList`, `PodList` and `PodDisruptionBudgetList`, as the API
/// serves them (items without `kind`), give the same description.
#[test]
fn separate_lists_in_any_order_import_like_one_list() {
    let list: Value = serde_json::from_str(&small()).unwrap();
    let files = [
        ("pdbs.json", kind_list(&list, "PodDisruptionBudget")),
        ("pods.json", kind_list(&list, "Pod")),
        ("nodes.json", kind_list(&list, "Node")),
    ];
    let split = import(Platform::Kubernetes, &files, &options());
    let whole = import(Platform::Kubernetes, &[("small.json", small())], &options());
    assert_eq!(split, whole);
}

/// The objects of `kind` in `list`, as the API serves a `{kind}List`: items without `kind`.
fn kind_list(list: &Value, kind: &str) -> String {
    let items: Vec<Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == kind)
        .map(|i| {
            let mut item = i.clone();
            item.as_object_mut().unwrap().remove("kind");
            item
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "apiVersion": "v1", "kind": format!("{kind}List"), "items": items,
        "metadata": {"resourceVersion": "1"}
    }))
    .unwrap()
}

#[test]
fn the_large_cluster_imports_checks_and_plans() {
    let path = fixture("kubernetes", "large.json");
    let summary = import_check_plan("kubernetes", &[path.to_str().unwrap()]);
    assert!(summary.contains("hosts            64 (64 ready)"), "{summary}");
    assert!(
        summary.contains("16 disruption budget, 6 anti-affinity"),
        "{summary}"
    );
}

#[test]
fn the_command_writes_what_the_library_writes() {
    let path = fixture("kubernetes", "small.json");
    let path = path.to_str().unwrap();
    let (code, stdout, stderr) = run(&[
        "import",
        "kubernetes",
        path,
        "--name",
        "shop-prod",
        "--target-version",
        "v1.30.1",
        "--upgrade-minutes",
        "20",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let mut options = options();
    options.files = vec![path.to_string()];
    let library = import(Platform::Kubernetes, &[(path, small())], &options);
    assert_eq!(stdout, library);
}

/// Breaks one value of `small.json` and returns what `quorate import` says about it.
fn broken(pointer: &str, value: Value) -> String {
    let mut list: Value = serde_json::from_str(&small()).unwrap();
    *list.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = value;
    let (_dir, path) = temp_file("nodes.json", &serde_json::to_string(&list).unwrap());
    let (code, stdout, stderr) = run(&["import", "kubernetes", &path]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stdout, "");
    flat(&stderr)
}

#[test]
fn malformed_values_are_named_by_file_and_json_path() {
    let cases = [
        (
            "/items/3/status/allocatable/cpu",
            Value::from("abc"),
            "nodes.json: $.items[3].status.allocatable.cpu: expected a quantity, found \"abc\"",
        ),
        (
            "/items/0/status/allocatable/memory",
            Value::from("-1Gi"),
            "nodes.json: $.items[0].status.allocatable.memory: expected a quantity, found \"-1Gi\"",
        ),
        (
            "/items/0/metadata/name",
            Value::from(7),
            "nodes.json: $.items[0].metadata.name: expected a string, found 7",
        ),
        (
            "/items/6/spec/unschedulable",
            Value::from("yes"),
            "nodes.json: $.items[6].spec.unschedulable: expected true or false, found \"yes\"",
        ),
        (
            "/items/0/metadata/labels",
            Value::from(vec![1]),
            "nodes.json: $.items[0].metadata.labels: expected an object, found an array",
        ),
        (
            "/items/0/status/allocatable",
            serde_json::json!({"cpu": "4"}),
            "nodes.json: $.items[0].status.allocatable: missing key \"memory\"",
        ),
    ];
    for (pointer, value, expected) in cases {
        let stderr = broken(pointer, value);
        assert!(stderr.contains(expected), "{pointer}: {stderr}");
    }
}

#[test]
fn malformed_pods_and_budgets_are_named_by_json_path() {
    let list: Value = serde_json::from_str(&small()).unwrap();
    let items = list["items"].as_array().unwrap();
    let index = |kind: &str, name: &str| {
        items
            .iter()
            .position(|i| i["kind"] == kind && i["metadata"]["name"] == name)
            .unwrap()
    };
    let zk = index("Pod", "zk-0");
    let stderr = broken(
        &format!("/items/{zk}/spec/containers/0/resources/requests/memory"),
        Value::from("1GB"),
    );
    assert!(
        stderr.contains(&format!(
            "$.items[{zk}].spec.containers[0].resources.requests.memory: expected a quantity, \
             found \"1GB\""
        )),
        "{stderr}"
    );
    let pdb = index("PodDisruptionBudget", "zk-pdb");
    let stderr = broken(&format!("/items/{pdb}/spec/minAvailable"), Value::from("half"));
    assert!(
        stderr.contains(&format!(
            "$.items[{pdb}].spec.minAvailable: expected a non-negative integer or a percentage"
        )),
        "{stderr}"
    );
    let stderr = broken(
        &format!("/items/{pdb}/spec/selector"),
        serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Near"}]}),
    );
    assert!(
        stderr.contains(&format!(
            "$.items[{pdb}].spec.selector.matchExpressions[0].operator: expected In, NotIn, \
             Exists or DoesNotExist, found \"Near\""
        )),
        "{stderr}"
    );
}

#[test]
fn a_json_file_of_another_kind_is_not_guessed_at() {
    let (_dir, path) = temp_file("tree.json", "{\"nodes\": [], \"stray\": []}");
    let (code, _, stderr) = run(&["import", "kubernetes", &path]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("tree.json: $: not an export quorate knows for kubernetes"),
        "{stderr}"
    );
}

#[test]
fn budgets_round_percentages_up_and_clamp_impossible_minimums() {
    let mut list: Value = serde_json::from_str(&small()).unwrap();
    let items = list["items"].as_array_mut().unwrap();
    let pdb = items
        .iter_mut()
        .find(|i| i["metadata"]["name"] == "web-pdb")
        .unwrap();
    pdb["spec"] = serde_json::json!({
        "selector": {"matchLabels": {"app": "web"}}, "maxUnavailable": "34%"
    });
    let zk = items
        .iter_mut()
        .find(|i| i["metadata"]["name"] == "zk-pdb")
        .unwrap();
    zk["spec"]["minAvailable"] = Value::from(5);
    let text = import(
        Platform::Kubernetes,
        &[("l.json", list.to_string())],
        &ImportOptions::default(),
    );
    // 34% of 3 pods is 1.02, rounded up to 2.
    assert!(
        text.contains("max_unavailable = 2  # inferred: maxUnavailable 34% of 3 pods"),
        "{text}"
    );
    assert!(
        text.contains("min_available = 3  # inferred: minAvailable is 5 but only 3 pods"),
        "{text}"
    );
}

#[test]
fn anti_affinity_already_broken_becomes_a_should_rule() {
    // Move web-5d9c-1 onto worker-1, next to web-5d9c-0: the hostname rule is broken now.
    let mut list: Value = serde_json::from_str(&small()).unwrap();
    let items = list["items"].as_array_mut().unwrap();
    let pod = items
        .iter_mut()
        .find(|i| i["metadata"]["name"] == "web-5d9c-1")
        .unwrap();
    pod["spec"]["nodeName"] = Value::from("worker-1");
    let text = import(
        Platform::Kubernetes,
        &[("l.json", list.to_string())],
        &ImportOptions::default(),
    );
    assert!(
        text.contains("scope = \"host\"\nmandatory = false  # inferred: the pods already break it"),
        "{text}"
    );
    assert!(text.contains("name = \"kubernetes\"  # inferred: the exports do not name the cluster"));
}

/// `volumes.json`: pods that mount claims, with the PersistentVolumes and claims of
/// `kubectl get pods,pv,pvc -A -o json` (fields from kubernetes/api `core/v1/types.go`:
/// `PersistentVolumeSpec.local`, `.nodeAffinity.required`, `PersistentVolumeClaimSpec
/// .volumeName`, `PersistentVolumeClaimStatus.phase`; see SOURCES.md).
fn volumes() -> Value {
    serde_json::from_str(&read(&fixture("kubernetes", "volumes.json"))).unwrap()
}

fn import_with_volumes(volumes: &Value) -> String {
    import(
        Platform::Kubernetes,
        &[("small.json", small()), ("volumes.json", volumes.to_string())],
        &options(),
    )
}

/// The `[[workload]]` block of `name` in a description.
fn workload_block<'t>(text: &'t str, name: &str) -> &'t str {
    let start = text
        .find(&format!("name = \"{name}\"\n"))
        .unwrap_or_else(|| panic!("{name} in:\n{text}"));
    let end = text[start..].find("\n\n").map_or(text.len(), |e| start + e);
    &text[start..end]
}

#[test]
fn a_pod_on_a_local_volume_is_pinned_and_one_on_a_network_volume_moves() {
    let text = import_with_volumes(&volumes());
    assert!(
        workload_block(&text, "shop/db-0").ends_with(
            "migration = \"none\"  # inferred: its claim data-db-0 is bound to local \
             PersistentVolume local-pv-9f1c2e"
        ),
        "{text}"
    );
    // A hostPath volume that local-path-provisioner pins by node affinity to one node.
    assert!(
        workload_block(&text, "shop/metrics-0").ends_with(
            "migration = \"none\"  # inferred: its claim data-metrics-0 is bound to \
             PersistentVolume pvc-3b6e0d1a-0000-4000-8000-000000000001, whose node affinity \
             allows only node worker-3"
        ),
        "{text}"
    );
    // Network (CSI RBD) volumes, one limited to a zone of several nodes: the pods move.
    for queue in ["shop/queue-0", "shop/queue-1", "shop/queue-2"] {
        assert!(
            workload_block(&text, queue).ends_with("migration = \"restart\""),
            "{queue}: {text}"
        );
    }
    assert!(!text.contains("does not follow to a volume"), "{text}");
    let cluster = crate::support::load_ok("imported.toml", &text).cluster;
    let pinned = cluster
        .workloads
        .iter()
        .filter(|w| w.migration == Migration::None)
        .count();
    // debug (bare), cache-local (node affinity), db-0 and metrics-0 (volumes).
    assert_eq!(pinned, 4);
}

/// `PersistentVolumeList` and `PersistentVolumeClaimList` files (`kubectl get pv -o json`,
/// `kubectl get pvc -A -o json`) pin the same pods as one `List`.
#[test]
fn volumes_and_claims_as_separate_lists_import_like_one_list() {
    let small: Value = serde_json::from_str(&small()).unwrap();
    let volumes = volumes();
    let files = [
        ("pvc.json", kind_list(&volumes, "PersistentVolumeClaim")),
        ("nodes.json", kind_list(&small, "Node")),
        ("pv.json", kind_list(&volumes, "PersistentVolume")),
        ("pods.json", kind_list(&small, "Pod")),
        ("more-pods.json", kind_list(&volumes, "Pod")),
        ("pdbs.json", kind_list(&small, "PodDisruptionBudget")),
    ];
    let split = import(Platform::Kubernetes, &files, &options());
    let whole = import_with_volumes(&volumes);
    assert!(
        whole.contains("local PersistentVolume local-pv-9f1c2e"),
        "{whole}"
    );
    assert_eq!(split, whole);
}

#[test]
fn the_volume_export_imports_checks_and_plans() {
    let small = fixture("kubernetes", "small.json");
    let volumes = fixture("kubernetes", "volumes.json");
    let summary = import_check_plan(
        "kubernetes",
        &[volumes.to_str().unwrap(), small.to_str().unwrap()],
    );
    assert!(summary.contains("hosts            8"), "{summary}");
}

#[test]
fn a_claim_that_is_not_bound_leaves_its_pod_restart_with_a_note() {
    let mut list = volumes();
    // A claim still Pending has no volume yet; a Lost one's volume is gone.
    let claim = crate::drift::item(&mut list, "PersistentVolumeClaim", "data-db-0");
    claim["status"] = serde_json::json!({"phase": "Lost"});
    let claim = crate::drift::item(&mut list, "PersistentVolumeClaim", "data-metrics-0");
    claim["spec"].as_object_mut().unwrap().remove("volumeName");
    claim["status"] = serde_json::json!({"phase": "Pending"});
    let text = import_with_volumes(&list);
    for pod in ["shop/db-0", "shop/metrics-0"] {
        assert!(
            workload_block(&text, pod).ends_with("migration = \"restart\""),
            "{pod}: {text}"
        );
    }
    assert!(
        flat(&text).contains(
            "2 pod(s) mount a claim the export does not follow to a volume, so they are not \
             checked for local storage and stay `restart`: shop/db-0 (its claim data-db-0 is \
             not bound (phase Lost)), shop/metrics-0 (its claim data-metrics-0 is not bound \
             (phase Pending))"
        ),
        "{text}"
    );
}

#[test]
fn pods_with_claims_but_no_volume_export_say_what_to_add() {
    let mut list = volumes();
    list["items"]
        .as_array_mut()
        .unwrap()
        .retain(|i| i["kind"] == "Pod");
    let text = import_with_volumes(&list);
    assert!(
        workload_block(&text, "shop/db-0").ends_with("migration = \"restart\""),
        "{text}"
    );
    assert!(
        flat(&text).contains("stay `restart`; add `pv,pvc` to the kubectl command: shop/db-0"),
        "{text}"
    );
}

#[test]
fn malformed_volumes_and_claims_are_named_by_json_path() {
    let cases: [(&str, &str, &str, Value, &str); 4] = [
        (
            "PersistentVolume",
            "local-pv-9f1c2e",
            "/spec/local/path",
            Value::from(7),
            "$.items[5].spec.local.path: expected a string, found 7",
        ),
        (
            "PersistentVolume",
            "pvc-3b6e0d1a-0000-4000-8000-000000000001",
            "/spec/nodeAffinity/required/nodeSelectorTerms",
            Value::from("worker-3"),
            "$.items[6].spec.nodeAffinity.required.nodeSelectorTerms: expected an array, found \
             \"worker-3\"",
        ),
        (
            "PersistentVolumeClaim",
            "data-queue-0",
            "/spec/volumeName",
            Value::from(false),
            "$.items[12].spec.volumeName: expected a string, found false",
        ),
        (
            "Pod",
            "queue-1",
            "/spec/volumes/0/persistentVolumeClaim",
            serde_json::json!({"readOnly": true}),
            "$.items[3].spec.volumes[0].persistentVolumeClaim: missing key \"claimName\"",
        ),
    ];
    for (kind, name, pointer, value, expected) in cases {
        let mut list = volumes();
        *crate::drift::item(&mut list, kind, name)
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer}")) = value;
        let (_dir, path) = temp_file("volumes.json", &list.to_string());
        let small = fixture("kubernetes", "small.json");
        let (code, stdout, stderr) = run(&["import", "kubernetes", small.to_str().unwrap(), &path]);
        assert_eq!(code, Some(2), "{kind} {name}: {stderr}");
        assert_eq!(stdout, "");
        let stderr = flat(&stderr);
        assert!(
            stderr.contains(&format!("volumes.json: {expected}")),
            "{kind} {name}: {stderr}"
        );
    }
}
