//! Tests: the bounds a plan reports agree with each other (issue 13, item 8).

use quorate::solve::{Backend, Clock, SolveOptions, solve};

use crate::support;

/// A clock whose time is always up, so the plan is the heuristic's and its bounds are what the
/// solver knows without search.
struct TimeIsUp;

impl Clock for TimeIsUp {
    fn elapsed(&self) -> f64 {
        f64::INFINITY
    }
}

/// Order rules force three waves (a, then b, then c) of at least 5 + 20 minutes each, so no plan
/// takes less than 75 minutes; with d (60 minutes) in one of them, at least 115. The minutes
/// bound used to ignore the waves the order rules force and said 65 (one wave of d).
#[test]
fn the_minutes_bound_is_at_least_the_wave_bound_times_the_shortest_wave() {
    let host = |name: &str, minutes: u32| {
        format!("[[host]]\nname = \"{name}\"\ncpu = 8\nmemory_gib = 32\nupgrade_minutes = {minutes}\n")
    };
    let text = format!(
        "[cluster]\nname = \"chain\"\n[policy]\nobjective = \"duration\"\nwave_overhead_minutes = 5\n{}{}{}{}\
         [[order]]\nbefore = [\"a\"]\nafter = [\"b\"]\n[[order]]\nbefore = [\"b\"]\nafter = [\"c\"]\n",
        host("a", 20),
        host("b", 20),
        host("c", 20),
        host("d", 60)
    );
    let cluster = support::load_ok("chain.toml", &text).cluster;
    let options = SolveOptions {
        backend: Backend::default_backend().expect("a backend"),
        time_limit: 10.0,
        clock: &TimeIsUp,
    };
    let plan = solve(&cluster, &options).expect("a plan");
    let q = &plan.quality;
    assert_eq!(q.lower_bound_waves, 3, "{q:?}");
    assert!(q.lower_bound_minutes >= 3 * 25, "{q:?}");
    // The longest host's wave lasts 65 minutes and the two others at least 25 each.
    assert_eq!(q.lower_bound_minutes, 115, "{q:?}");
    assert_eq!(plan.total_minutes(&cluster), 115);
    assert!(q.optimal, "a plan at the bound is proven by it: {q:?}");
}
