//! Tests: the planner on hand-built clusters whose optimum is known by reasoning.

use quorate::model::Cluster;
use quorate::plan::Plan;
use quorate::solve::{Backend, NoClock, NoSafePlan, SolveOptions, solve};

use crate::support;

/// Solves with the default backend, and checks that every other compiled-in backend gives the
/// very same answer.
fn plan(text: &str) -> (Cluster, Result<Plan, NoSafePlan>) {
    let cluster = support::load_ok("t.toml", text).cluster;
    let solve_with = |backend| {
        let options = SolveOptions {
            backend,
            time_limit: 60.0,
            clock: &NoClock,
        };
        solve(&cluster, &options)
    };
    let result = solve_with(Backend::default_backend().expect("a backend is compiled in"));
    for backend in Backend::available() {
        let mut other = solve_with(backend);
        if let (Ok(other), Ok(first)) = (&mut other, &result) {
            other.quality.solver = first.quality.solver;
        }
        assert_eq!(other, result, "{} gives another answer", backend.name());
    }
    (cluster, result)
}

fn planned(text: &str) -> (Cluster, Plan) {
    let (cluster, result) = plan(text);
    match result {
        Ok(plan) => (cluster, plan),
        Err(e) => panic!("expected a plan, got {e:#?}"),
    }
}

/// The item names of each wave.
fn waves(cluster: &Cluster, plan: &Plan) -> Vec<Vec<String>> {
    plan.waves
        .iter()
        .map(|w| {
            w.items
                .iter()
                .map(|&i| cluster.item_name(i).to_string())
                .collect()
        })
        .collect()
}

/// `n` hosts named h01.. in `domains` fault domains (host i in domain i % domains, or in blocks),
/// each with `cpu` cores and `vms` workloads of `vm_cpu` cores.
fn racks(n: usize, domains: usize, cpu: u32, vms: usize, vm_cpu: f64, policy: &str) -> String {
    let mut text = format!("[cluster]\nname = \"t\"\n[policy]\n{policy}\n");
    for d in 0..domains {
        text += &format!("[[fault_domain]]\nname = \"fd{d}\"\n");
    }
    for h in 0..n {
        text += &format!(
            "[[host]]\nname = \"h{:02}\"\nfault_domain = \"fd{}\"\ncpu = {cpu}\nmemory_gib = 1000\n",
            h + 1,
            h * domains / n
        );
    }
    for h in 0..n {
        for v in 0..vms {
            text += &format!(
                "[[workload]]\nname = \"vm-{:02}-{v}\"\nhost = \"h{:02}\"\ncpu = {vm_cpu}\nmemory_gib = 1\n",
                h + 1,
                h + 1
            );
        }
    }
    text
}

#[test]
fn sixteen_hosts_four_domains_with_room_for_a_domain_take_four_waves() {
    // 60 of 100 cores used per host: a whole domain (4 x 60) fits on the other 12 hosts (480 free).
    let (cluster, plan) = planned(&racks(16, 4, 100, 4, 15.0, "max_fault_domains_down = 1"));
    assert_eq!(plan.waves.len(), 4);
    assert!(plan.quality.optimal);
    assert_eq!(plan.quality.lower_bound_waves, 4);
    for wave in waves(&cluster, &plan) {
        assert_eq!(wave.len(), 4, "a whole fault domain per wave: {wave:?}");
    }
}

#[test]
fn sixteen_hosts_four_domains_with_room_for_two_hosts_take_eight_waves() {
    // 85 of 100 cores used (17 VMs of 5): 2 hosts move 34 VMs onto 14 hosts with 3 slots each;
    // 3 hosts would move 51 VMs onto 13 hosts with 39 slots.
    let (_, plan) = planned(&racks(16, 4, 100, 17, 5.0, "max_fault_domains_down = 1"));
    assert_eq!(plan.waves.len(), 8);
    assert!(plan.quality.optimal, "{:?}", plan.quality);
    for wave in &plan.waves {
        assert_eq!(wave.items.len(), 2);
        assert_eq!(wave.moves.len(), 34, "every VM of both hosts moves");
    }
}

#[test]
fn max_hosts_per_wave_rounds_up() {
    let (_, plan) = planned(&racks(10, 10, 100, 1, 1.0, "max_hosts_per_wave = 3"));
    assert_eq!(plan.waves.len(), 4);
    assert!(plan.quality.optimal);
    assert!(plan.waves.iter().all(|w| w.items.len() <= 3));
}

const ETCD: &str = r#"
[cluster]
name = "k8s"
platform = "kubernetes"

[[host]]
name = "cp-1"
cpu = 8
memory_gib = 32
[[host]]
name = "cp-2"
cpu = 8
memory_gib = 32
[[host]]
name = "cp-3"
cpu = 8
memory_gib = 32
[[host]]
name = "w-1"
cpu = 8
memory_gib = 32
[[host]]
name = "w-2"
cpu = 8
memory_gib = 32

[[quorum_group]]
name = "etcd"
members = ["cp-1", "cp-2", "cp-3"]
"#;

#[test]
fn a_three_member_quorum_takes_one_member_per_wave() {
    let (cluster, plan) = planned(ETCD);
    assert_eq!(plan.waves.len(), 3);
    assert!(plan.quality.optimal);
    for wave in waves(&cluster, &plan) {
        let members = wave.iter().filter(|n| n.starts_with("cp-")).count();
        assert_eq!(members, 1, "one etcd member per wave: {wave:?}");
    }
}

#[test]
fn a_quorum_that_allows_no_member_down_is_no_safe_plan_with_numbers() {
    let text = format!("{ETCD}quorum = 3\n");
    let (_, result) = plan(&text);
    let conflicts = result.expect_err("no plan").conflicts;
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].rule, "quorum group etcd");
    assert_eq!(
        conflicts[0].reason,
        "quorum group etcd: 3 members, 3 votes, quorum 3, so no member can ever go down"
    );
}

#[test]
fn an_exclusive_component_gets_a_wave_of_its_own_and_order_puts_it_first() {
    let text = format!(
        "{}\n[[component]]\nname = \"vcenter\"\n[[order]]\nbefore = [\"vcenter\"]\nafter = [\"h01\", \"h02\"]\n",
        racks(4, 1, 100, 1, 1.0, "")
    );
    // The four hosts each carry a VM, so they need two waves of two: three waves in all.
    let (cluster, plan) = planned(&text);
    let waves = waves(&cluster, &plan);
    assert_eq!(waves.len(), 3, "{waves:?}");
    assert_eq!(waves[0], vec!["vcenter".to_string()]);
    assert!(plan.quality.optimal);
}

#[test]
fn a_chain_of_order_rules_sets_the_number_of_waves() {
    let text = format!(
        "{}\n[[order]]\nbefore = [\"h01\"]\nafter = [\"h02\"]\n[[order]]\nbefore = [\"h02\"]\nafter = [\"h03\"]\n",
        racks(4, 1, 100, 0, 0.0, "")
    );
    let (cluster, plan) = planned(&text);
    let waves = waves(&cluster, &plan);
    assert_eq!(waves.len(), 3);
    let position = |name: &str| waves.iter().position(|w| w.iter().any(|n| n == name)).unwrap();
    assert!(position("h01") < position("h02"));
    assert!(position("h02") < position("h03"));
}

#[test]
fn a_disruption_budget_spreads_restarting_pods() {
    let mut text = racks(3, 3, 100, 0, 0.0, "");
    for (i, host) in ["h01", "h02", "h03"].iter().enumerate() {
        text += &format!(
            "[[workload]]\nname = \"zk-{i}\"\nhost = \"{host}\"\ncpu = 1\nmemory_gib = 1\nmigration = \"restart\"\n"
        );
    }
    text += "[[disruption_budget]]\nname = \"zookeeper\"\nworkloads = [\"zk-0\", \"zk-1\", \"zk-2\"]\nmax_unavailable = 1\n";
    let (_, plan) = planned(&text);
    assert_eq!(plan.waves.len(), 3);
    assert!(plan.quality.optimal);
}

#[test]
fn live_migrating_members_stay_up_so_the_budget_does_not_bind() {
    let mut text = racks(3, 3, 100, 0, 0.0, "");
    for (i, host) in ["h01", "h02", "h03"].iter().enumerate() {
        text += &format!("[[workload]]\nname = \"zk-{i}\"\nhost = \"{host}\"\ncpu = 1\nmemory_gib = 1\n");
    }
    text += "[[disruption_budget]]\nname = \"zookeeper\"\nworkloads = [\"zk-0\", \"zk-1\", \"zk-2\"]\nmax_unavailable = 1\n";
    // All three hosts down at once would leave nowhere to move to, so two waves.
    let (_, plan) = planned(&text);
    assert_eq!(plan.waves.len(), 2);
    assert!(plan.quality.optimal);
}

#[test]
fn host_anti_affinity_keeps_members_apart_during_evacuation() {
    // db-1 on h01 and db-2 on h02 must never share a host. With three hosts every pair of hosts
    // down forces the two onto one host or next to each other, so each host goes alone.
    let mut text = racks(3, 3, 100, 0, 0.0, "");
    text += "[[workload]]\nname = \"db-1\"\nhost = \"h01\"\ncpu = 10\nmemory_gib = 1\n";
    text += "[[workload]]\nname = \"db-2\"\nhost = \"h02\"\ncpu = 10\nmemory_gib = 1\n";
    text += "[[anti_affinity]]\nname = \"db\"\nworkloads = [\"db-1\", \"db-2\"]\n";
    let (cluster, plan) = planned(&text);
    assert_eq!(plan.waves.len(), 3, "{:?}", waves(&cluster, &plan));
    assert!(plan.quality.optimal);

    // With a fourth host, h01 and h02 can go together: db-1 and db-2 to different empty hosts.
    let mut text = racks(4, 4, 100, 0, 0.0, "");
    text += "[[workload]]\nname = \"db-1\"\nhost = \"h01\"\ncpu = 10\nmemory_gib = 1\n";
    text += "[[workload]]\nname = \"db-2\"\nhost = \"h02\"\ncpu = 10\nmemory_gib = 1\n";
    text += "[[anti_affinity]]\nname = \"db\"\nworkloads = [\"db-1\", \"db-2\"]\n";
    let (cluster, plan) = planned(&text);
    assert_eq!(plan.waves.len(), 2, "{:?}", waves(&cluster, &plan));
    for wave in &plan.waves {
        let mut targets: Vec<_> = wave.moves.iter().map(|m| m.to).collect();
        let n = targets.len();
        targets.dedup();
        assert_eq!(targets.len(), n, "members of db never share a target host");
    }
}

#[test]
fn a_host_whose_workloads_fit_nowhere_is_explained_with_numbers() {
    let mut text = racks(3, 3, 100, 0, 0.0, "");
    text += "[[workload]]\nname = \"big\"\nhost = \"h01\"\ncpu = 90\nmemory_gib = 1\n";
    text += "[[workload]]\nname = \"fill-2\"\nhost = \"h02\"\ncpu = 50\nmemory_gib = 1\n";
    text += "[[workload]]\nname = \"fill-3\"\nhost = \"h03\"\ncpu = 50\nmemory_gib = 1\n";
    let (_, result) = plan(&text);
    let conflicts = result.expect_err("no plan").conflicts;
    let reasons: Vec<&str> = conflicts.iter().map(|c| c.reason.as_str()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("big") && r.contains("90 cores") && r.contains("50 cores")),
        "{reasons:?}"
    );
}

#[test]
fn the_reserve_limits_how_much_may_go_down() {
    // 4 hosts of 100 cores, 50 used each: one host down moves 50 onto 150 free, leaving 100 =
    // the reserve for one host failure. Two down would leave 0. So one host per wave.
    let (_, plan) = planned(&racks(4, 4, 100, 1, 50.0, "reserve_host_failures = 1"));
    assert_eq!(plan.waves.len(), 4);
    assert!(plan.quality.optimal);
}

#[test]
fn duration_groups_long_upgrades_together() {
    let mut text = racks(
        4,
        4,
        100,
        0,
        0.0,
        "objective = \"duration\"\nmax_hosts_per_wave = 2",
    );
    text = text.replace("name = \"h01\"\n", "name = \"h01\"\nupgrade_minutes = 60\n");
    text = text.replace("name = \"h02\"\n", "name = \"h02\"\nupgrade_minutes = 10\n");
    text = text.replace("name = \"h03\"\n", "name = \"h03\"\nupgrade_minutes = 60\n");
    text = text.replace("name = \"h04\"\n", "name = \"h04\"\nupgrade_minutes = 10\n");
    let (cluster, plan) = planned(&text);
    assert_eq!(plan.total_minutes(&cluster), 70, "{:?}", waves(&cluster, &plan));
    assert!(plan.quality.optimal);
}

#[test]
fn the_same_input_gives_the_same_plan() {
    let text = racks(16, 4, 100, 17, 5.0, "max_fault_domains_down = 1");
    let (_, first) = planned(&text);
    for _ in 0..3 {
        let (_, again) = planned(&text);
        assert_eq!(first, again);
    }
}

#[test]
fn a_host_that_cannot_go_alone_may_go_with_another_under_fault_domain_anti_affinity() {
    // db-a may only run on h0 or h3; db-b on h1 shares h3's fault domain, so h0 alone cannot be
    // evacuated. Taken down together with h1, db-b moves to h2 and frees f1 for db-a.
    let text = r#"
[[fault_domain]]
name = "f0"
[[fault_domain]]
name = "f1"
[[fault_domain]]
name = "f2"

[[host]]
name = "h0"
fault_domain = "f0"
cpu = 16
memory_gib = 64
[[host]]
name = "h1"
fault_domain = "f1"
cpu = 16
memory_gib = 64
[[host]]
name = "h2"
fault_domain = "f2"
cpu = 16
memory_gib = 64
[[host]]
name = "h3"
fault_domain = "f1"
cpu = 16
memory_gib = 64

[[workload]]
name = "db-a"
host = "h0"
cpu = 4
memory_gib = 8
allowed_hosts = ["h0", "h3"]
[[workload]]
name = "db-b"
host = "h1"
cpu = 4
memory_gib = 8

[[anti_affinity]]
name = "db"
workloads = ["db-a", "db-b"]
scope = "fault_domain"
"#;
    let (cluster, plan) = planned(text);
    let waves = waves(&cluster, &plan);
    assert_eq!(waves.len(), 2, "{waves:?}");
    assert!(
        waves
            .iter()
            .any(|w| w.contains(&"h0".to_string()) && w.contains(&"h1".to_string()))
    );
    let validation = quorate::validate::validate(
        &cluster,
        &quorate::validate::PlanInput::from_plan(&cluster, &plan),
    );
    assert!(validation.is_valid(), "{:?}", validation.violations);
}

#[test]
fn a_stretched_cluster_takes_one_site_at_a_time() {
    // Two sites of two hosts each and a witness site; one site down at a time. Each site's
    // hosts can go together (the other site has room), so three waves: site A, site B, witness.
    let mut text = String::from("[policy]\nmax_sites_down = 1\n");
    for site in ["a", "b", "w"] {
        text += &format!(
            "[[site]]\nname = \"{site}\"\n[[fault_domain]]\nname = \"fd-{site}\"\nsite = \"{site}\"\n"
        );
    }
    for (host, site) in [("a1", "a"), ("a2", "a"), ("b1", "b"), ("b2", "b"), ("w1", "w")] {
        text += &format!(
            "[[host]]\nname = \"{host}\"\nfault_domain = \"fd-{site}\"\ncpu = 100\nmemory_gib = 100\n"
        );
    }
    for host in ["a1", "a2", "b1", "b2"] {
        text +=
            &format!("[[workload]]\nname = \"vm-{host}\"\nhost = \"{host}\"\ncpu = 20\nmemory_gib = 20\n");
    }
    let (cluster, plan) = planned(&text);
    let waves = waves(&cluster, &plan);
    assert_eq!(waves.len(), 3, "{waves:?}");
    assert!(plan.quality.optimal);
    for wave in &waves {
        let sites: std::collections::BTreeSet<char> =
            wave.iter().map(|h| h.chars().next().unwrap()).collect();
        assert_eq!(sites.len(), 1, "one site per wave: {wave:?}");
    }
}

/// Found by the brute-force property on the HiGHS build: the integer program proves 150
/// minutes optimal, but HiGHS stopped at a gap a hair above zero (and by default it would accept
/// a relative gap of 1e-4). Every backend must prove it.
#[test]
fn a_duration_optimum_the_integer_program_proves_is_proven_on_every_backend() {
    let mut text = String::from(
        "[cluster]\nname = \"small\"\n\n[policy]\nobjective = \"duration\"\n\n\
         [[fault_domain]]\nname = \"f0\"\n",
    );
    for (name, cpu, memory, minutes) in [
        ("h0", 22, 65, 30),
        ("h1", 27, 65, 30),
        ("h2", 30, 111, 45),
        ("h3", 22, 32, 45),
    ] {
        text += &format!(
            "\n[[host]]\nname = \"{name}\"\ncpu = {cpu}\nmemory_gib = {memory}\nupgrade_minutes = {minutes}\n"
        );
    }
    for (name, host, cpu, memory, migration) in [
        ("w0", "h0", 2, 20, "live"),
        ("w1", "h2", 9, 8, "live"),
        ("w2", "h0", 12, 32, "live"),
        ("w3", "h2", 2, 4, "none"),
        ("w4", "h3", 11, 14, "live"),
    ] {
        text += &format!(
            "\n[[workload]]\nname = \"{name}\"\nhost = \"{host}\"\ncpu = {cpu}\nmemory_gib = {memory}\nmigration = \"{migration}\"\n"
        );
    }
    text += "\n[[disruption_budget]]\nname = \"b\"\nworkloads = [\"w1\", \"w2\", \"w3\"]\nmin_available = 1\n\
             \n[[anti_affinity]]\nname = \"a\"\nworkloads = [\"w0\", \"w1\", \"w4\"]\nscope = \"fault_domain\"\n";
    let (cluster, plan) = planned(&text);
    assert_eq!(plan.total_minutes(&cluster), 150, "{:?}", waves(&cluster, &plan));
    assert!(plan.quality.optimal, "{:?}", plan.quality);
    assert_eq!(plan.quality.lower_bound_minutes, 150);
}

/// A clock whose time is always up.
struct TimeIsUp;

impl quorate::solve::Clock for TimeIsUp {
    fn elapsed(&self) -> f64 {
        f64::INFINITY
    }
}

/// When the time limit has passed before the heuristic even starts, a plan still comes back:
/// safe (the validator accepts it), every host in it, waves of several hosts, and no claim of
/// optimality it cannot prove.
#[test]
fn with_no_time_left_the_plan_is_still_safe_and_makes_no_false_claim() {
    use quorate::validate::{PlanInput, validate};
    // 32 hosts in 8 racks of 4, at most two racks down, eight 10-core VMs on each 100-core host,
    // 5% headroom: an up host has room for one more VM, so k hosts can go down together only if
    // 8k <= 32 - k, that is k <= 3, and any plan needs at least ceil(32 / 3) = 11 waves. Halving
    // from two racks finds waves of two or three hosts.
    let text = racks(
        32,
        8,
        100,
        8,
        10.0,
        "max_fault_domains_down = 2\nheadroom_percent = 5",
    );
    let cluster = support::load_ok("t.toml", &text).cluster;
    let options = SolveOptions {
        backend: Backend::default_backend().expect("a backend"),
        time_limit: 10.0,
        clock: &TimeIsUp,
    };
    let plan = solve(&cluster, &options).expect("a plan");
    let validation = validate(&cluster, &PlanInput::from_plan(&cluster, &plan));
    assert!(validation.is_valid(), "{:#?}", validation.violations);
    let hosts: usize = plan.waves.iter().map(|w| w.items.len()).sum();
    assert_eq!(hosts, 32);
    assert!(plan.waves.len() < 32, "{:?}", waves(&cluster, &plan));
    assert_eq!(plan.waves.len(), 12, "{:?}", waves(&cluster, &plan));
    assert!(!plan.quality.optimal, "{:?}", plan.quality);
    assert_eq!(plan.quality.proof, "none");
    assert!(plan.quality.lower_bound_waves <= 11, "{:?}", plan.quality);
}
