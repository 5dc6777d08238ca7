//! Benchmarks of planning generated clusters of every shape at 16, 96, 1,000 and 5,000 hosts
//! (issue 10, point 4; results in docs/performance.md).
//!
//! The clusters come from `quorate::generate` with sizes from the Alibaba GPU trace (2023) in
//! `../shared/data` beside the crate; the benchmark stops with the path when it is absent. Each
//! cluster is also written to `target/bench-data/SHAPE-HOSTS.toml`, so the release CLI can be
//! timed (and its peak memory read with `/usr/bin/time -v`) on the same bytes.
//!
//! 16 and 96 hosts run for every shape. 1,000 and 5,000 hosts take seconds to minutes per
//! solve, so they run only with `QUORATE_BENCH_LARGE=1`; docs/performance.md times them
//! through the CLI instead. The solver gets a wall clock and a 10 s limit, like the CLI's
//! default, so that large clusters measure the anytime behaviour rather than run unbounded.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use quorate::Source;
use quorate::generate::{Recipe, Shape, Trace, generate};
use quorate::model::Cluster;
use quorate::solve::{Backend, Clock, SolveOptions, solve};

const TRACE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/alibaba-cluster-trace-gpu-v2023"
);

fn trace() -> Trace {
    let read = |file: &str| {
        std::fs::read_to_string(format!("{TRACE}/{file}")).unwrap_or_else(|e| {
            panic!("the benchmark needs the Alibaba trace at {TRACE}: {e} (see ../shared/data/SOURCES.md)")
        })
    };
    Trace::parse(&read(Trace::FILES[0]), &read(Trace::FILES[1])).expect("the trace parses")
}

struct Wall(Instant);

impl Clock for Wall {
    fn elapsed(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

fn load(shape: Shape, hosts: usize, trace: &Trace) -> Cluster {
    let text = generate(
        &Recipe {
            shape,
            hosts,
            seed: 1,
        },
        trace,
    );
    let name = format!("{shape}-{hosts}");
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let _ =
        std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(format!("{name}.toml")), &text));
    quorate::load(&Source::new(format!("{name}.toml"), text))
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
        .cluster
}

fn plan(cluster: &Cluster) -> quorate::plan::Plan {
    let clock = Wall(Instant::now());
    let options = SolveOptions {
        backend: Backend::default_backend().expect("a backend is compiled in"),
        time_limit: 10.0,
        clock: &clock,
    };
    solve(cluster, &options).expect("generated clusters have a safe plan")
}

fn scale_benchmarks(c: &mut Criterion) {
    let trace = trace();
    let large = std::env::var_os("QUORATE_BENCH_LARGE").is_some();
    let mut group = c.benchmark_group("scale");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for hosts in [16, 96, 1_000, 5_000] {
        let shapes: &[Shape] = if hosts <= 96 {
            &Shape::ALL
        } else if large {
            &[Shape::Kubernetes, Shape::Fleet]
        } else {
            continue;
        };
        for &shape in shapes {
            let cluster = load(shape, hosts, &trace);
            let first = plan(&cluster);
            println!(
                "{shape}-{hosts}: {} hosts, {} workloads: {} waves, lower bound {}, optimal {}, backend {}",
                cluster.hosts.len(),
                cluster.workloads.len(),
                first.waves.len(),
                first.quality.lower_bound_waves,
                first.quality.optimal,
                first.quality.solver
            );
            group.bench_function(format!("{shape}-{hosts}"), |b| {
                b.iter(|| plan(black_box(&cluster)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, scale_benchmarks);
criterion_main!(benches);
