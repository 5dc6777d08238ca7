//! Benchmarks of the hostile inputs of issue 11, which were quadratic or unbounded before:
//!
//! - a description repeating one key n times: loading it and rendering its report, as
//!   `quorate check` does (was quadratic: every one of the n errors was rendered, each in time
//!   proportional to the file; now the first 50 are);
//! - a plan repeating one host in n waves, validated (was quadratic: each violation listed
//!   every wave);
//! - a plan of 200,000 waves, refused by the `waves` limit before it is parsed (grew to 24 GB).
//!
//! Linear cost shows as time growing with n, not n². The numbers are in docs/performance.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use miette::{GraphicalReportHandler, GraphicalTheme};
use quorate::Source;
use quorate::planfile;
use quorate::validate::validate;

fn render(diagnostic: &dyn miette::Diagnostic) -> usize {
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    handler.render_report(&mut out, diagnostic).expect("renders");
    out.len()
}

fn duplicate_keys(c: &mut Criterion) {
    let mut group = c.benchmark_group("duplicate_keys");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for n in [20_000usize, 40_000, 80_000] {
        let text = format!("[cluster]\nname = \"x\"\n{}", "platform = \"vsan\"\n".repeat(n));
        let source = Source::new("dup.toml", text);
        group.bench_with_input(BenchmarkId::from_parameter(n), &source, |b, source| {
            b.iter(|| match quorate::load(black_box(source)) {
                Ok(_) => unreachable!("duplicate keys are an error"),
                Err(errors) => render(&errors),
            })
        });
    }
    group.finish();
}

fn repeated_host(c: &mut Criterion) {
    let cluster_text = include_str!("../examples/vsan-16-hosts.toml");
    let cluster = quorate::load(&Source::new("vsan-16-hosts.toml", cluster_text))
        .expect("the example loads")
        .cluster;
    let mut group = c.benchmark_group("repeated_host_waves");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for n in [2_000usize, 4_000, 8_000] {
        let source = Source::new("plan.toml", "[[wave]]\nhosts = [\"esx01\"]\n".repeat(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &source, |b, source| {
            b.iter(|| {
                let plan = planfile::read(black_box(source)).expect("a readable plan");
                validate(&cluster, &plan).violations.len()
            })
        });
    }
    group.finish();
}

fn too_many_waves(c: &mut Criterion) {
    let source = Source::new("plan.toml", "[[wave]]\nhosts = [\"esx01\"]\n".repeat(200_000));
    c.bench_function("plan_of_200000_waves_refused", |b| {
        b.iter(|| planfile::read(black_box(&source)).expect_err("beyond the waves limit"))
    });
}

criterion_group!(benches, duplicate_keys, repeated_host, too_many_waves);
criterion_main!(benches);
