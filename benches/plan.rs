//! Benchmarks of planning: from a loaded cluster to a plan proven optimal.
//!
//! The targets (issue: optimal wave planner, recorded in docs/performance.md): a 16-host vSAN
//! cluster plans in under 100 ms, and a 96-host cluster with 2,000 workloads is proven optimal in
//! under 5 s, with the default build (microlp) on one core. The clusters come from the seeded
//! generator the tests use, with host and workload sizes from the Alibaba trace. Before timing,
//! each plan is checked: it must pass the validator and be proven optimal, and the numbers are
//! printed so that a run records what it measured.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use quorate::Source;
use quorate::model::Cluster;
use quorate::solve::{Backend, NoClock, SolveOptions, solve};
use quorate::validate::{PlanInput, validate};

#[allow(dead_code)]
#[path = "../tests/support/generate.rs"]
mod generate;

use generate::RealisticCluster;

fn load(generator: &RealisticCluster) -> Cluster {
    let text = generator.description();
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let _ = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{}.toml", generator.name)), &text));
    quorate::load(&Source::new(format!("{}.toml", generator.name), text))
        .unwrap_or_else(|e| panic!("{}: {e:?}", generator.name))
        .cluster
}

fn options() -> SolveOptions<'static> {
    SolveOptions {
        backend: Backend::default_backend().expect("a backend is compiled in"),
        time_limit: 60.0,
        clock: &NoClock,
    }
}

fn plan_benchmarks(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for generator in [
        RealisticCluster::vsan_16(),
        RealisticCluster::vsan_96(),
        RealisticCluster::kubernetes_96(),
    ] {
        let cluster = load(&generator);
        let plan = solve(&cluster, &options()).unwrap_or_else(|e| panic!("{}: {e:?}", generator.name));
        let validation = validate(&cluster, &PlanInput::from_plan(&cluster, &plan));
        assert!(
            validation.is_valid(),
            "{}: {:?}",
            generator.name,
            validation.violations
        );
        println!(
            "{}: {} hosts, {} workloads: {} waves, lower bound {}, optimal {} (proof: {}), backend {}",
            generator.name,
            cluster.hosts.len(),
            cluster.workloads.len(),
            plan.waves.len(),
            plan.quality.lower_bound_waves,
            plan.quality.optimal,
            plan.quality.proof,
            plan.quality.solver
        );
        group.bench_function(generator.name.clone(), |b| {
            b.iter(|| solve(black_box(&cluster), &options()).expect("plans"))
        });
    }
    group.finish();
}

criterion_group!(benches, plan_benchmarks);
criterion_main!(benches);
