//! Tests: the benchmark generator (`quorate::generate`) gives valid, deterministic clusters of
//! every shape, each with a safe plan the validator accepts.
//!
//! The sizes come from the Alibaba GPU trace (2023) in `../shared/data` beside the crate (see
//! `../shared/data/SOURCES.md`); the tests fail, saying so, when it is absent.

use quorate::Source;
use quorate::generate::{Recipe, Shape, Trace, generate};
use quorate::solve::{Backend, NoClock, SolveOptions, solve};
use quorate::validate::{PlanInput, validate};

use crate::support;

/// The trace's folder, relative to the crate root.
const TRACE: &str = "../shared/data/alibaba-cluster-trace-gpu-v2023";

/// The shared trace; panics with the path and the reason when it cannot be read.
pub fn trace() -> Trace {
    let folder = support::root().join(TRACE);
    let read = |file: &str| {
        std::fs::read_to_string(folder.join(file)).unwrap_or_else(|e| {
            panic!(
                "the generator's tests need the Alibaba trace at {}: {e} (see ../shared/data/SOURCES.md)",
                folder.display()
            )
        })
    };
    Trace::parse(&read(Trace::FILES[0]), &read(Trace::FILES[1])).expect("the shared trace parses")
}

#[test]
fn every_shape_loads_and_plans_safely() {
    let trace = trace();
    for shape in Shape::ALL {
        for hosts in [6, 16, 40] {
            let recipe = Recipe {
                shape,
                hosts,
                seed: 7,
            };
            let text = generate(&recipe, &trace);
            let name = format!("{shape}-{hosts}.toml");
            let cluster = support::load_ok(&name, &text).cluster;
            assert!(
                cluster.hosts.len() >= hosts.min(16),
                "{name}: {} hosts",
                cluster.hosts.len()
            );
            assert!(
                cluster.workloads.len() >= 3 * hosts,
                "{name}: only {} workloads",
                cluster.workloads.len()
            );
            let options = SolveOptions {
                backend: Backend::default_backend().expect("a backend is compiled in"),
                time_limit: 60.0,
                clock: &NoClock,
            };
            let plan = solve(&cluster, &options).unwrap_or_else(|e| panic!("{name}: no plan: {e:#?}"));
            let verdict = validate(&cluster, &PlanInput::from_plan(&cluster, &plan));
            assert!(verdict.is_valid(), "{name}: {:?}", verdict.violations);
        }
    }
}

#[test]
fn shapes_carry_their_platform_rules() {
    let trace = trace();
    let load = |shape, hosts| {
        let text = generate(
            &Recipe {
                shape,
                hosts,
                seed: 1,
            },
            &trace,
        );
        quorate::load(&Source::new("g.toml", text))
            .expect("loads")
            .cluster
    };
    let group = |c: &quorate::Cluster, name: &str| {
        c.quorum_groups
            .iter()
            .find(|g| g.name == name)
            .map(|g| g.members.len())
    };
    // Kubernetes: 3 etcd members below 50 nodes, 5 from 50, three zones, pods restart.
    let small = load(Shape::Kubernetes, 20);
    assert_eq!(group(&small, "etcd"), Some(3));
    assert_eq!(small.fault_domains.len(), 3);
    assert_eq!(group(&load(Shape::Kubernetes, 60), "etcd"), Some(5));
    assert!(!small.budgets.is_empty());
    // Proxmox with Ceph: corosync over every node, 3 monitors.
    let pve = load(Shape::ProxmoxCeph, 12);
    assert_eq!(group(&pve, "corosync"), Some(12));
    assert_eq!(group(&pve, "ceph-mon"), Some(3));
    // Stretched: two sites and a witness.
    let stretched = load(Shape::Stretched, 8);
    assert_eq!(stretched.sites.len(), 2);
    assert!(stretched.components.iter().any(|c| c.name == "witness"));
    // A fleet mixes host sizes.
    let fleet = load(Shape::Fleet, 100);
    let mut sizes: Vec<_> = fleet.hosts.iter().map(|h| format!("{:?}", h.capacity)).collect();
    sizes.sort();
    sizes.dedup();
    assert!(sizes.len() > 1, "one host size in a fleet");
}

#[test]
fn the_same_recipe_gives_the_same_text_and_another_seed_another() {
    let trace = trace();
    let recipe = Recipe {
        shape: Shape::Fleet,
        hosts: 60,
        seed: 3,
    };
    assert_eq!(generate(&recipe, &trace), generate(&recipe, &trace));
    assert_ne!(
        generate(&recipe, &trace),
        generate(&Recipe { seed: 4, ..recipe }, &trace)
    );
}

#[test]
fn the_hidden_command_writes_a_description_and_names_a_missing_trace() {
    let out = support::quorate()
        .current_dir(support::root())
        .args(["generate", "kubernetes", "--hosts", "12", "--seed", "2"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).expect("utf-8");
    support::load_ok("k.toml", &text);
    let out = support::quorate()
        .args(["generate", "vsan", "--trace", "/nonexistent-trace"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("/nonexistent-trace") && stderr.contains("--trace"),
        "{stderr}"
    );
}

/// Small fleets (one or two racks of up to 20 hosts, one rack down at a time) whose racks need
/// more waves than the packing rules show: the integer program (microlp) could not prove them
/// optimal in 60 s, one wave above the bound (issue 10; HiGHS proves the same optima). The
/// search over each rack's waves proves them, and its waves make the plan when the heuristic
/// misses it (`fleet-19` seed 20: 5 waves from the heuristic, 4 from the racks' waves).
#[test]
fn small_fleets_are_proven_by_each_racks_fewest_waves() {
    let trace = trace();
    for (hosts, seed, waves) in [(19, 15, 5), (19, 20, 4), (22, 15, 7), (23, 20, 6)] {
        let recipe = Recipe {
            shape: Shape::Fleet,
            hosts,
            seed,
        };
        let name = format!("fleet-{hosts} seed {seed}");
        let cluster = support::load_ok("fleet.toml", &generate(&recipe, &trace)).cluster;
        let options = SolveOptions {
            backend: Backend::Microlp,
            time_limit: 60.0,
            clock: &NoClock,
        };
        let plan = solve(&cluster, &options).unwrap_or_else(|e| panic!("{name}: no plan: {e:#?}"));
        assert_eq!(plan.waves.len(), waves, "{name}: waves");
        assert!(plan.quality.optimal, "{name}: not proven: {:?}", plan.quality);
        assert_eq!(plan.quality.lower_bound_waves as usize, waves, "{name}: bound");
        let verdict = validate(&cluster, &PlanInput::from_plan(&cluster, &plan));
        assert!(verdict.is_valid(), "{name}: {:?}", verdict.violations);
    }
}

/// With `objective = "duration"`, the same small fleets: the quickest waves of each rack make
/// the plan at the bound (`fleet-23` seed 5: 420 minutes, not proven in 10 s, before; 405 now,
/// proven), or prove it (`fleet-23` seed 3: 405 minutes, proven only after 9 s before).
#[test]
fn small_fleets_get_their_quickest_plan_from_each_racks_quickest_waves() {
    let trace = trace();
    for (hosts, seed, minutes) in [(23, 5, 405), (23, 3, 405)] {
        let recipe = Recipe {
            shape: Shape::Fleet,
            hosts,
            seed,
        };
        let name = format!("fleet-{hosts} seed {seed}");
        let mut cluster = support::load_ok("fleet.toml", &generate(&recipe, &trace)).cluster;
        cluster.policy.objective = quorate::model::Objective::Duration;
        let options = SolveOptions {
            backend: Backend::Microlp,
            time_limit: 60.0,
            clock: &NoClock,
        };
        let plan = solve(&cluster, &options).unwrap_or_else(|e| panic!("{name}: no plan: {e:#?}"));
        assert_eq!(
            quorate::plan::total_minutes(&cluster, &plan.waves),
            minutes,
            "{name}: minutes"
        );
        assert!(plan.quality.optimal, "{name}: not proven: {:?}", plan.quality);
        let verdict = validate(&cluster, &PlanInput::from_plan(&cluster, &plan));
        assert!(verdict.is_valid(), "{name}: {:?}", verdict.violations);
    }
}
