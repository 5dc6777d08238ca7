//! Kubernetes asserts against a stub `kubectl` answering in `-o json` and `-o jsonpath`.
//!
//! Formats: a Node as `kubectl get node NAME -o json` prints it, and a list as `kubectl get
//! nodes -o json` does (`kind: List`, `items`): kubernetes/api core/v1/types.go (`Node`,
//! `NodeStatus.conditions` of type `Ready` with status `"True"`/`"False"`,
//! `NodeSpec.unschedulable` absent unless cordoned, `NodeSystemInfo.kubeletVersion`); a Pod's
//! `metadata.ownerReferences` and `status.conditions` from the same file; a
//! PodDisruptionBudget's `status.currentHealthy` and `status.disruptionsAllowed` from
//! kubernetes/api policy/v1/types.go. kubectl `-o jsonpath` prints the bare value without a
//! newline (kubectl reference, "JSONPath Support").

use quorate::runbook::CheckKind;

use super::{Stubs, assert_of, book, every_command_has_an_assert, ok};

fn node(name: &str, ready: bool, cordoned: bool, version: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Node","metadata":{{"name":"{name}","labels":{{"kubernetes.io/hostname":"{name}"}}}},"spec":{{{}"podCIDR":"10.244.1.0/24"}},"status":{{"conditions":[{{"type":"MemoryPressure","status":"False"}},{{"type":"Ready","status":"{}","reason":"KubeletReady"}}],"nodeInfo":{{"kubeletVersion":"{version}","containerRuntimeVersion":"containerd://1.7.22"}}}}}}"#,
        if cordoned { r#""unschedulable":true,"# } else { "" },
        if ready { "True" } else { "False" }
    )
}

fn list(items: &[String]) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}],"metadata":{{"resourceVersion":""}}}}"#,
        items.join(",")
    )
}

fn pod(name: &str, owner: &str, node: &str, ready: bool) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{name}","namespace":"default","ownerReferences":[{{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"{owner}","controller":true}}]}},"spec":{{"nodeName":"{node}"}},"status":{{"phase":"Running","conditions":[{{"type":"Ready","status":"{}"}}]}}}}"#,
        if ready { "True" } else { "False" }
    )
}

fn pdb(healthy: u64, allowed: u64) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{{"name":"web","namespace":"default"}},"spec":{{"maxUnavailable":1,"selector":{{"matchLabels":{{"app":"web"}}}}}},"status":{{"currentHealthy":{healthy},"desiredHealthy":1,"disruptionsAllowed":{allowed},"expectedPods":2,"observedGeneration":1}}}}]}}"#
    )
}

#[test]
fn kubernetes_asserts_pass_on_good_output_and_fail_on_bad() {
    let (_, book) = book("kubernetes", "v1.30.8", "v1.31.4", "");
    every_command_has_an_assert(&book, &[]);
    let stubs = Stubs::new("kubernetes");

    // The declared version, read with jsonpath.
    let version = assert_of(&book, 1, true, CheckKind::Version, "h1, h2, h3");
    stubs.tool("kubectl", &[ok("get node", "v1.30.8")]);
    stubs.passes(&version);
    stubs.tool(
        "kubectl",
        &[ok("get node h1", "v1.30.8"), ok("get node", "v1.29.9")],
    );
    stubs.fails_with(&version, "h2: v1.30.8", "v1.29.9");

    // The node is back: Ready and not cordoned.
    let back = assert_of(&book, 1, false, CheckKind::Rejoined, "h1");
    stubs.tool(
        "kubectl",
        &[ok("get node h1 -o json", &node("h1", true, false, "v1.31.4"))],
    );
    stubs.passes(&back);
    stubs.tool(
        "kubectl",
        &[ok("get node h1 -o json", &node("h1", true, true, "v1.31.4"))],
    );
    stubs.fails_with(&back, "h1: True,true", "True,false");
    stubs.tool(
        "kubectl",
        &[ok("get node h1 -o json", &node("h1", false, false, "v1.31.4"))],
    );
    stubs.fails_with(&back, "h1: True,true", "False,true");

    // Wave 1: every node of the cluster Ready and schedulable.
    let cluster = assert_of(&book, 1, true, CheckKind::HostState, "h1, h2, h3");
    let all_up: Vec<String> = ["h1", "h2", "h3"]
        .iter()
        .map(|n| node(n, true, false, "v1.30.8"))
        .collect();
    stubs.tool("kubectl", &[ok("get nodes -o json", &list(&all_up))]);
    stubs.passes(&cluster);
    let mut one_down = all_up.clone();
    one_down[2] = node("h3", false, false, "v1.30.8");
    stubs.tool("kubectl", &[ok("get nodes -o json", &list(&one_down))]);
    stubs.fails_with(&cluster, "none", "h3");

    // etcd: as many Ready etcd pods on the group's nodes as members.
    let etcd = assert_of(&book, 1, true, CheckKind::Members, "etcd");
    let etcd_pods = |ready3: bool| {
        list(&[
            pod("etcd-h1", "h1", "h1", true),
            pod("etcd-h2", "h2", "h2", true),
            pod("etcd-h3", "h3", "h3", ready3),
        ])
    };
    stubs.tool(
        "kubectl",
        &[ok(
            "get pods -n kube-system -l component=etcd -o json",
            &etcd_pods(true),
        )],
    );
    stubs.passes(&etcd);
    stubs.tool(
        "kubectl",
        &[ok(
            "get pods -n kube-system -l component=etcd -o json",
            &etcd_pods(false),
        )],
    );
    stubs.fails_with(&etcd, "at least 3", "2");

    // The budget, by its own status: healthy members and disruptions allowed before the drain.
    let budget = assert_of(&book, 1, true, CheckKind::Budget, "web");
    stubs.tool("kubectl", &[ok("get pdb", &pdb(2, 1))]);
    stubs.passes(&budget);
    stubs.tool("kubectl", &[ok("get pdb", &pdb(2, 0))]);
    stubs.fails_with(&budget, "at least 1", "0");
    stubs.tool("kubectl", &[ok("get pdb", &pdb(1, 0))]);
    stubs.fails_with(&budget, "at least 2", "1");

    // PersistentVolumeClaims Bound.
    let volumes = assert_of(&book, 1, true, CheckKind::Storage, "volumes");
    let pvcs = |phase: &str| {
        list(&[format!(
            r#"{{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{{"name":"data-zk-0","namespace":"zk"}},"spec":{{"accessModes":["ReadWriteOnce"]}},"status":{{"phase":"{phase}"}}}}"#
        )])
    };
    stubs.tool("kubectl", &[ok("get pvc", &pvcs("Bound"))]);
    stubs.passes(&volumes);
    stubs.tool("kubectl", &[ok("get pvc", &pvcs("Pending"))]);
    stubs.fails_with(&volumes, "none", "zk/data-zk-0");

    // The budgets still exist after the wave; the node keeps its zone label.
    let budgets = assert_of(&book, 1, false, CheckKind::Policy, "PodDisruptionBudgets");
    stubs.tool("kubectl", &[ok("get pdb --all-namespaces -o json", &pdb(2, 1))]);
    stubs.passes(&budgets);
    stubs.tool("kubectl", &[ok("get pdb --all-namespaces -o json", &list(&[]))]);
    stubs.fails_with(&budgets, "none", "web");
    let labels = assert_of(&book, 1, false, CheckKind::Policy, "node labels and taints");
    stubs.tool("kubectl", &[ok("get node h1 -o jsonpath", "zone-a")]);
    stubs.passes(&labels);
    stubs.tool("kubectl", &[ok("get node h1 -o jsonpath", "")]);
    stubs.fails_with(&labels, "not ", "");
}

/// A ReplicaSet's evicted pod comes back under a new name: the check after the drain finds it
/// by its owner, not by the old name.
#[test]
fn kubernetes_finds_replacement_pods_by_owner() {
    let (_, book) = book("kubernetes", "v1.30.8", "v1.31.4", "");
    let step = book.waves[0]
        .steps
        .iter()
        .find(|s| s.target == "web-7d9f8-abcde")
        .expect("the check of the evicted pod");
    let command = step.command.as_deref().expect("a command");
    assert!(!command.contains("metadata.name=web-7d9f8-abcde"), "{command}");
    let stubs = Stubs::new("kubernetes-owner");
    let pods = list(&[
        pod("web-7d9f8-zzzzz", "web-7d9f8", "h3", true),
        pod("web-7d9f8-fghij", "web-7d9f8", "h2", true),
        pod("other-1", "other", "h2", true),
    ]);
    stubs.tool("kubectl", &[ok("get pods --all-namespaces -o json", &pods)]);
    let (ran, out) = stubs.run(command);
    assert!(ran, "{out}");
    assert!(
        out.contains("web-7d9f8-abcde: default/web-7d9f8-zzzzz h3 Running"),
        "{out}"
    );
    assert!(!out.contains("other-1"), "{out}");
}
