//! The safety gate at volume: every plan quorate makes passes its validator, on at least 10,000
//! generated clusters of each family. Ignored by default (it runs for many minutes); run it with
//!
//! ```text
//! cargo test --release --test tests -- --ignored planner_at_volume --nocapture
//! ```
//!
//! `QUORATE_VOLUME_CASES=N` sets the number of clusters per family, and `PROPTEST_RNG_SEED`
//! repeats a run. The families are the two generators of the property tests: small clusters
//! under pressure (at most seven items, often no safe plan) and varied descriptions (up to 20
//! hosts, every kind of table, awkward names). A second test, `planner_at_volume_shapes`, runs
//! the six shapes of the benchmark generator (`quorate::generate`: vsan, stretched, nutanix,
//! proxmox-ceph, kubernetes, fleet), seeds 1 to N each, at 4 to 24 hosts, planned with the
//! CLI's default time limit on a real clock. The counts of each run are recorded in
//! docs/robustness.md.

use std::cell::Cell;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use quorate::generate::{Recipe, Shape, generate};
use quorate::solve::{Backend, Clock, NoClock, SolveOptions, solve};
use quorate::validate::{PlanInput, validate};

use crate::support;

/// Plans every cluster the strategy draws, and fails on the first plan the validator rejects
/// or refusal without a reason. Returns (planned, refused).
fn family(name: &str, strategy: impl Strategy<Value = String>, cases: u32) -> (u64, u64) {
    let planned = Cell::new(0u64);
    let refused = Cell::new(0u64);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let backend = Backend::default_backend().expect("a backend is compiled in");
    let result = runner.run(&strategy, |text| {
        let cluster = support::load_ok("volume.toml", &text).cluster;
        let options = SolveOptions {
            backend,
            time_limit: 20.0,
            clock: &NoClock,
        };
        match solve(&cluster, &options) {
            Ok(plan) => {
                let validation = validate(&cluster, &PlanInput::from_plan(&cluster, &plan));
                prop_assert!(
                    validation.is_valid(),
                    "the validator rejects the plan: {:#?}\n{text}",
                    validation.violations
                );
                planned.set(planned.get() + 1);
            }
            Err(no_plan) => {
                prop_assert!(
                    !no_plan.conflicts.is_empty(),
                    "a refusal without a reason:\n{text}"
                );
                refused.set(refused.get() + 1);
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    eprintln!(
        "{name}: {} clusters, {} planned and validated, {} with no safe plan",
        planned.get() + refused.get(),
        planned.get(),
        refused.get()
    );
    (planned.get(), refused.get())
}

#[test]
#[ignore = "minutes long: run with --ignored planner_at_volume (see the module doc)"]
fn planner_at_volume() {
    let cases: u32 = std::env::var("QUORATE_VOLUME_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    for (name, total) in [
        (
            "small clusters",
            family("small clusters", support::small::small_cluster(), cases),
        ),
        (
            "varied descriptions",
            family("varied descriptions", support::generate::description(), cases),
        ),
    ] {
        assert_eq!(total.0 + total.1, u64::from(cases), "{name}: every case ran");
        assert!(total.0 > 0, "{name}: some clusters have a plan");
    }
}

/// A wall clock, as the CLI's: the solve gets the default ten seconds.
struct Wall(Instant);

impl Clock for Wall {
    fn elapsed(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

#[test]
#[ignore = "long: run with --ignored planner_at_volume_shapes (see the module doc)"]
fn planner_at_volume_shapes() {
    let cases: u64 = std::env::var("QUORATE_VOLUME_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let trace = crate::planner_generate::trace();
    let backend = Backend::default_backend().expect("a backend is compiled in");
    for shape in Shape::ALL {
        let (mut planned, mut refused, mut optimal) = (0u64, 0u64, 0u64);
        for seed in 1..=cases {
            let recipe = Recipe {
                shape,
                hosts: 4 + (seed % 21) as usize,
                seed,
            };
            let text = generate(&recipe, &trace);
            let cluster = support::load_ok("volume.toml", &text).cluster;
            let clock = Wall(Instant::now());
            let options = SolveOptions {
                backend,
                time_limit: 10.0,
                clock: &clock,
            };
            match solve(&cluster, &options) {
                Ok(plan) => {
                    let validation = validate(&cluster, &PlanInput::from_plan(&cluster, &plan));
                    assert!(
                        validation.is_valid(),
                        "{shape} seed {seed}: the validator rejects the plan: {:#?}\n{text}",
                        validation.violations
                    );
                    planned += 1;
                    optimal += u64::from(plan.quality.optimal);
                }
                Err(no_plan) => {
                    assert!(
                        !no_plan.conflicts.is_empty(),
                        "{shape} seed {seed}: a refusal without a reason:\n{text}"
                    );
                    refused += 1;
                }
            }
        }
        eprintln!(
            "{shape}: {cases} clusters, {planned} planned and validated ({optimal} proven optimal), \
             {refused} with no safe plan"
        );
        assert_eq!(planned + refused, cases, "{shape}: every case ran");
        assert!(planned > 0, "{shape}: some clusters have a plan");
    }
}
