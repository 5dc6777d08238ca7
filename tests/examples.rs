//! The shipped examples in `examples/`: each one is what a new user runs first, so each must be
//! valid, plannable as far as `check` can tell, and print exactly what its snapshot says.
//!
//! The files are discovered with `read_dir`, so a new example is covered without touching this
//! module. Facts stated in the examples' comments (16 hosts in 4 racks, RF2 allows one CVM down,
//! ...) are asserted against the loaded model, so a comment and its file cannot drift apart.

use std::path::PathBuf;

use quorate::bounds::{Rule, bounds};
use quorate::model::{BudgetLimit, Cluster, HostId, MemberId, Migration, Resource, Scope};
use quorate::solve::{Backend, NoClock, SolveOptions, solve};
use quorate::{Loaded, Source};

use crate::support;

/// Every `examples/*.toml`, sorted by name.
fn example_files() -> Vec<PathBuf> {
    let dir = support::root().join("examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

fn stem(path: &std::path::Path) -> String {
    path.file_stem()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

fn text(name: &str) -> String {
    let path = support::root().join("examples").join(format!("{name}.toml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Loads `examples/{name}.toml`, which must be valid and give no warnings.
fn load(name: &str) -> Cluster {
    let Loaded { cluster, warnings } = support::load_ok(name, &text(name));
    assert_eq!(
        warnings.reports().count(),
        0,
        "{name} should load without warnings"
    );
    cluster
}

/// `quorate check` on `examples/{name}.toml`: its standard output, after asserting exit 0, no
/// diagnostics, and no "no safe plan".
fn check(name: &str) -> String {
    let path = support::root().join("examples").join(format!("{name}.toml"));
    let output = support::quorate()
        .arg("check")
        .arg(&path)
        .output()
        .expect("quorate runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 output");
    assert_eq!(
        output.status.code(),
        Some(0),
        "quorate check {name}: exit status\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stderr.is_empty(),
        "quorate check {name} printed diagnostics:\n{stderr}"
    );
    assert!(
        !stdout.contains("no safe plan"),
        "{name} must be plannable, but check says:\n{stdout}"
    );
    stdout
}

fn lower_bound_line(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|line| line.starts_with("lower bound"))
        .expect("check prints a lower bound")
}

fn host_id(cluster: &Cluster, name: &str) -> HostId {
    let index = cluster
        .hosts
        .iter()
        .position(|h| h.name == name)
        .unwrap_or_else(|| panic!("no host {name}"));
    HostId::from_index(index)
}

fn quorum_group<'c>(cluster: &'c Cluster, name: &str) -> &'c quorate::model::QuorumGroup {
    cluster
        .quorum_groups
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no quorum group {name}"))
}

fn fault_domain_sizes(cluster: &Cluster) -> Vec<(String, usize)> {
    cluster
        .fault_domains
        .iter()
        .filter(|f| !f.implicit)
        .map(|f| (f.name.clone(), f.hosts.len()))
        .collect()
}

fn best_bound(cluster: &Cluster) -> (Rule, u32) {
    let all = bounds(cluster);
    assert!(all.impossible.is_empty(), "{:?}", all.impossible);
    let best = all.best().expect("something to upgrade");
    (best.rule, best.waves)
}

#[test]
fn there_is_an_example_per_platform_family() {
    let names: Vec<String> = example_files().iter().map(|p| stem(p)).collect();
    for expected in [
        "vsan-16-hosts",
        "vsan-stretched",
        "nutanix-ahv",
        "proxmox-ceph",
        "hyperv-failover",
        "openstack-kvm",
        "kubernetes",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "examples/{expected}.toml is missing"
        );
    }
}

#[test]
fn every_example_checks_clean_and_matches_its_snapshot() {
    for path in example_files() {
        let name = stem(&path);
        let stdout = check(&name);
        insta::assert_snapshot!(format!("check_{name}"), stdout);
    }
}

#[test]
fn every_example_loads_without_warnings_and_names_are_unique_across_kinds() {
    for path in example_files() {
        let name = stem(&path);
        let cluster = load(&name);
        let mut names: Vec<&str> = cluster
            .hosts
            .iter()
            .map(|h| h.name.as_str())
            .chain(cluster.workloads.iter().map(|w| w.name.as_str()))
            .chain(cluster.components.iter().map(|c| c.name.as_str()))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            count,
            "{name}: a host, workload or component name repeats"
        );
        // Runbooks need versions: every host and component says what it runs and what it gets.
        for host in &cluster.hosts {
            assert!(
                host.version.is_some(),
                "{name}: host {} has no version",
                host.name
            );
            assert!(
                host.target_version.is_some(),
                "{name}: host {} has no target",
                host.name
            );
        }
        for component in &cluster.components {
            assert!(
                component.version.is_some(),
                "{name}: {} has no version",
                component.name
            );
            assert!(
                component.target_version.is_some(),
                "{name}: {} has no target",
                component.name
            );
        }
    }
}

#[test]
fn the_readme_lists_every_example() {
    let readme = std::fs::read_to_string(support::root().join("README.md")).expect("README.md");
    for path in example_files() {
        let file = format!("examples/{}.toml", stem(&path));
        assert!(readme.contains(&file), "README.md does not mention {file}");
    }
}

#[test]
fn the_readme_small_description_checks_as_the_readme_says() {
    let readme = std::fs::read_to_string(support::root().join("README.md")).expect("README.md");
    let section = readme
        .split_once("### A complete small description")
        .expect("the README has a complete small description")
        .1;
    let toml = section
        .split_once("```toml\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a toml block")
        .0;
    let cluster = support::load_ok("lab", toml).cluster;
    let best = bounds(&cluster).best().cloned().expect("a bound");
    let line = format!("lower bound      {} waves ({})", best.waves, best.reason);
    assert!(
        section.contains(&format!("`{line}`")),
        "the README should quote `{line}`"
    );
}

#[test]
fn vsan_16_hosts_has_four_racks_of_four_and_vcenter_first() {
    let cluster = load("vsan-16-hosts");
    assert_eq!(cluster.platform.name(), "vsan");
    assert_eq!(cluster.hosts.len(), 16);
    assert_eq!(
        fault_domain_sizes(&cluster),
        [("rack-a", 4), ("rack-b", 4), ("rack-c", 4), ("rack-d", 4)].map(|(n, s)| (n.to_string(), s))
    );
    assert_eq!(cluster.policy.max_fault_domains_down, Some(1));
    assert_eq!(cluster.policy.reserve_host_failures, 1);
    assert!(cluster.components.iter().all(|c| c.exclusive));
    // The order rule puts vCenter before all 16 hosts.
    assert_eq!(cluster.orders.len(), 1);
    assert_eq!(cluster.orders[0].after.len(), 16);
    assert!(
        cluster
            .anti_affinity
            .iter()
            .any(|a| a.name == "sql-ag" && a.mandatory)
    );
    assert!(cluster.anti_affinity.iter().any(|a| !a.mandatory));
    assert_eq!(best_bound(&cluster), (Rule::FaultDomains, 5));

    let stdout = check("vsan-16-hosts");
    assert!(stdout.contains("hosts            16 (16 ready)"), "{stdout}");
    assert!(stdout.contains("fault domains    4\n"), "{stdout}");
    assert_eq!(
        lower_bound_line(&stdout),
        "lower bound      5 waves (fault domains: 4 fault domains, at most 1 down at a time; \
         plus 1 exclusive component wave)"
    );
}

#[test]
fn vsan_stretched_makes_the_witness_a_third_site_without_room() {
    let cluster = load("vsan-stretched");
    assert_eq!(cluster.sites.len(), 3);
    assert_eq!(cluster.policy.max_sites_down, Some(1));
    let witness = cluster.host(host_id(&cluster, "vsan-witness01"));
    let site = cluster
        .site_of(host_id(&cluster, "vsan-witness01"))
        .expect("a site");
    assert_eq!(cluster.sites[site.index()].name, "site-w");
    assert_eq!(cluster.fault_domain(witness.fault_domain).hosts.len(), 1);
    // Nothing can ever be evacuated onto the witness appliance.
    assert_eq!(witness.capacity[Resource::Cpu], 0);
    assert_eq!(witness.capacity[Resource::Memory], 0);
    assert!(witness.workloads.is_empty());
    assert_eq!(
        fault_domain_sizes(&cluster),
        [("preferred", 6), ("secondary", 6), ("witness", 1)].map(|(n, s)| (n.to_string(), s))
    );
    assert_eq!(best_bound(&cluster), (Rule::MaxHostsPerWave, 6));
    let stdout = check("vsan-stretched");
    assert!(stdout.contains("sites            3\n"), "{stdout}");
}

#[test]
fn nutanix_allows_one_pinned_cvm_down_at_a_time() {
    let cluster = load("nutanix-ahv");
    assert_eq!(cluster.platform.name(), "nutanix");
    let cvms: Vec<_> = cluster
        .workloads
        .iter()
        .filter(|w| w.name.starts_with("cvm-"))
        .collect();
    assert_eq!(cvms.len(), 8);
    for cvm in &cvms {
        assert_eq!(cvm.migration, Migration::None, "{}", cvm.name);
        assert_eq!(
            cvm.allowed_hosts.as_deref(),
            Some(&[cvm.host][..]),
            "{}",
            cvm.name
        );
    }
    let rf2 = quorum_group(&cluster, "cvm-rf2");
    assert_eq!((rf2.total_votes(), rf2.quorum), (8, 7));
    assert!(
        cluster
            .components
            .iter()
            .any(|c| c.name == "prism-central" && c.exclusive)
    );
    assert!(matches!(best_bound(&cluster), (Rule::Quorum(_), 10)));
    let stdout = check("nutanix-ahv");
    assert!(
        lower_bound_line(&stdout).contains("quorum group cvm-rf2: 8 members, 8 votes, quorum 7"),
        "{stdout}"
    );
}

#[test]
fn proxmox_guards_corosync_mons_and_racks() {
    let cluster = load("proxmox-ceph");
    let corosync = quorum_group(&cluster, "corosync");
    assert_eq!((corosync.total_votes(), corosync.quorum), (9, 5));
    assert!(corosync.default_quorum);
    assert!(corosync.members.iter().all(|m| matches!(m.id, MemberId::Host(_))));
    let mons = quorum_group(&cluster, "ceph-mon");
    assert_eq!((mons.total_votes(), mons.quorum), (3, 2));
    for member in &mons.members {
        let MemberId::Workload(w) = member.id else {
            panic!("the mons are workloads")
        };
        assert_eq!(cluster.workload(w).migration, Migration::None);
    }
    assert_eq!(
        fault_domain_sizes(&cluster),
        [("rack-a", 3), ("rack-b", 3), ("rack-c", 3)].map(|(n, s)| (n.to_string(), s))
    );
    assert_eq!(cluster.policy.max_fault_domains_down, Some(1));
    // Three mon nodes go one at a time before the rest: order sets the bound, 3 + 3.
    assert_eq!(best_bound(&cluster), (Rule::OrderChain, 6));
}

#[test]
fn hyperv_counts_the_file_share_witness_vote() {
    let cluster = load("hyperv-failover");
    let quorum = quorum_group(&cluster, "cluster-quorum");
    assert_eq!((quorum.total_votes(), quorum.quorum), (7, 4));
    let witness = cluster
        .components
        .iter()
        .position(|c| c.name == "fsw-fs01")
        .expect("the witness component");
    assert!(!cluster.components[witness].exclusive);
    assert!(
        quorum
            .members
            .iter()
            .any(|m| matches!(m.id, MemberId::Component(c) if c.index() == witness))
    );
    assert_eq!(cluster.policy.objective.name(), "duration");
    assert_eq!(best_bound(&cluster), (Rule::FaultDomains, 6));
}

#[test]
fn openstack_keeps_galera_and_rabbitmq_quorate_and_controllers_first() {
    let cluster = load("openstack-kvm");
    for name in ["galera", "rabbitmq", "ovn-raft"] {
        let group = quorum_group(&cluster, name);
        assert_eq!((group.total_votes(), group.quorum), (3, 2), "{name}");
        for member in &group.members {
            let MemberId::Workload(w) = member.id else {
                panic!("{name}: members are workloads")
            };
            let workload = cluster.workload(w);
            assert_eq!(workload.migration, Migration::None, "{}", workload.name);
            assert!(
                cluster.host(workload.host).name.starts_with("ctl"),
                "{}",
                workload.name
            );
        }
    }
    assert_eq!(cluster.orders.len(), 1);
    assert_eq!(
        (cluster.orders[0].before.len(), cluster.orders[0].after.len()),
        (3, 12)
    );
    let cassandra = cluster
        .budgets
        .iter()
        .find(|b| b.name == "cassandra")
        .expect("budget");
    assert_eq!(cassandra.limit, BudgetLimit::MaxUnavailable(1));
    // Controllers one at a time (3), then computes one cassandra node at a time (6).
    assert_eq!(best_bound(&cluster), (Rule::OrderChain, 9));
}

#[test]
fn kubernetes_uses_trace_sizes_zones_and_the_zookeeper_pdb() {
    let cluster = load("kubernetes");
    let workers: Vec<_> = cluster
        .hosts
        .iter()
        .filter(|h| h.name.starts_with("openb-node-"))
        .collect();
    assert_eq!(workers.len(), 30);
    assert_eq!(
        fault_domain_sizes(&cluster),
        [("zone-a", 11), ("zone-b", 11), ("zone-c", 11)].map(|(n, s)| (n.to_string(), s))
    );
    // openb-node-0081 in the trace: cpu_milli 96000, memory_mib 524288.
    let node = cluster.host(host_id(&cluster, "openb-node-0081"));
    assert_eq!(node.capacity[Resource::Cpu], 96_000);
    assert_eq!(node.capacity[Resource::Memory], 512_000);
    let pods = cluster.workloads.len();
    assert!((100..=300).contains(&pods), "{pods} pods");
    let restart = cluster
        .workloads
        .iter()
        .filter(|w| w.migration == Migration::Restart)
        .count();
    assert!(restart >= 100, "{restart} restart pods");

    let etcd = quorum_group(&cluster, "etcd");
    assert_eq!((etcd.total_votes(), etcd.quorum), (3, 2));
    // zookeeper-pod-disruption-budget-maxunavailable.yaml: maxUnavailable: 1.
    let zk = cluster
        .budgets
        .iter()
        .find(|b| b.name == "zk-pdb")
        .expect("zk-pdb");
    assert_eq!(zk.limit, BudgetLimit::MaxUnavailable(1));
    assert_eq!(zk.workloads.len(), 3);
    assert!(
        cluster
            .anti_affinity
            .iter()
            .any(|a| a.scope == Scope::FaultDomain && a.mandatory)
    );
    assert_eq!(best_bound(&cluster), (Rule::FaultDomains, 9));
}

/// The README's table of examples: name, objective, waves, lower bound, optimal, minutes.
fn readme_plan_table() -> Vec<(String, String, usize, u32, bool, u64)> {
    let readme = std::fs::read_to_string(support::root().join("README.md")).expect("README.md");
    readme
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains(".toml` |"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cells[1].trim_matches('`').trim_end_matches(".toml").to_string();
            (
                name,
                cells[2].to_string(),
                cells[3].parse().expect("waves"),
                cells[4].parse().expect("lower bound"),
                cells[5].starts_with("yes"),
                cells[6].parse().expect("minutes"),
            )
        })
        .collect()
}

/// Every example plans; its plan passes the validator; and the README's table of waves, lower
/// bounds, optimality and minutes is what the planner really finds. The examples' comments
/// explain the numbers: vCenter and one rack per wave (5), vCenter, the witness and half a site
/// per wave (6), Prism Central, AOS and one CVM per wave (10), the three mon nodes one by one
/// before the rest (6), SCVMM, two chassis of three nodes at two per wave and the functional
/// level (6), one controller per wave and then one Cassandra node per wave (9), one
/// control-plane node per wave and then 30 workers at five per wave (9).
#[test]
fn every_example_plans_as_the_readme_says() {
    let table = readme_plan_table();
    assert_eq!(table.len(), example_files().len(), "one README row per example");
    for path in example_files() {
        let name = stem(&path);
        let cluster = load(&name);
        let options = SolveOptions {
            backend: Backend::default_backend().expect("a backend is compiled in"),
            time_limit: 5.0,
            clock: &NoClock,
        };
        let plan = match solve(&cluster, &options) {
            Ok(plan) => plan,
            Err(no_plan) => panic!("{name}: no safe plan: {no_plan:#?}"),
        };
        let validation = quorate::validate::validate(
            &cluster,
            &quorate::validate::PlanInput::from_plan(&cluster, &plan),
        );
        assert!(validation.is_valid(), "{name}: {:?}", validation.violations);
        let row = table
            .iter()
            .find(|row| row.0 == name)
            .unwrap_or_else(|| panic!("add {name} to the README's table"));
        assert_eq!(row.1, cluster.policy.objective.name(), "{name}: objective");
        assert_eq!(row.2, plan.waves.len(), "{name}: waves");
        assert_eq!(row.3, plan.quality.lower_bound_waves, "{name}: lower bound");
        assert_eq!(row.4, plan.quality.optimal, "{name}: optimal");
        assert_eq!(row.5, plan.total_minutes(&cluster), "{name}: minutes");
    }
}

#[test]
fn the_examples_parse_from_text_too() {
    // The library entry point sees the same descriptions as the binary.
    for path in example_files() {
        let name = stem(&path);
        let text = text(&name);
        assert!(
            quorate::load(&Source::new(path.to_string_lossy(), text)).is_ok(),
            "{name}"
        );
    }
}
