//! Benchmarks of loading and checking large cluster descriptions.
//!
//! The target (docs/performance.md): parsing and checking a description of 5,000 hosts and
//! 50,000 workloads takes under a second and under 500 MiB. The descriptions come from the
//! seeded generator the tests use, with sizes from the Alibaba trace, so every run measures
//! the same text. The 5,000-host description is also written to `target/bench-data/`, so the
//! whole binary can be measured with `/usr/bin/time -v quorate check <file>`. Writing the
//! cluster back (`to_toml`) is measured too.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use quorate::Source;
use quorate::description::to_toml;
use quorate::summary::Summary;

#[allow(dead_code)]
#[path = "../tests/support/generate.rs"]
mod generate;

use generate::RealisticCluster;

/// (hosts, workloads) of each benchmarked size.
const SIZES: [(usize, usize); 2] = [(500, 5_000), (5_000, 50_000)];

fn bench_data_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-data")
}

/// Generates the description of one size, writing it to `target/bench-data/` as well.
fn description(hosts: usize, workloads: usize) -> (String, Source) {
    let text = RealisticCluster::large(hosts, workloads).description();
    let name = format!("hosts-{hosts}-workloads-{workloads}.toml");
    let dir = bench_data_dir();
    if let Err(error) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(&name), &text)) {
        eprintln!("could not write {}: {error}", dir.join(&name).display());
    }
    (name.clone(), Source::new(name, text))
}

fn load_and_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("model");
    group.sample_size(10);
    for (hosts, workloads) in SIZES {
        group.measurement_time(Duration::from_secs(if hosts > 1_000 { 20 } else { 5 }));
        let (name, source) = description(hosts, workloads);
        let loaded = match quorate::load(&source) {
            Ok(loaded) => loaded,
            Err(errors) => panic!(
                "the generated {name} does not load: {:?}",
                errors
                    .errors()
                    .iter()
                    .map(|e| e.message())
                    .take(5)
                    .collect::<Vec<_>>()
            ),
        };
        let size = format!("{hosts}h-{workloads}w");
        group.bench_with_input(BenchmarkId::new("load", &size), &source, |b, source| {
            b.iter(|| quorate::load(black_box(source)).is_ok())
        });
        group.bench_with_input(
            BenchmarkId::new("summary", &size),
            &loaded.cluster,
            |b, cluster| b.iter(|| Summary::new(black_box(cluster))),
        );
        group.bench_with_input(BenchmarkId::new("load+summary", &size), &source, |b, source| {
            b.iter(|| {
                let loaded = quorate::load(black_box(source)).expect("loads");
                Summary::new(&loaded.cluster)
            })
        });
        group.bench_with_input(BenchmarkId::new("write", &size), &loaded.cluster, |b, cluster| {
            b.iter(|| to_toml(black_box(cluster)))
        });
    }
    group.finish();
}

criterion_group!(benches, load_and_check);
criterion_main!(benches);
