//! The clock `plan` gives the solver: wall time since the command started, Ctrl-C, and the
//! progress line.
//!
//! - The time limit covers the whole command: the clock starts before the description is read,
//!   and the solver gets 90% of the limit, less what checking and writing the plan will take
//!   ([`solver_limit`]), so that the plan is out within the limit.
//! - Ctrl-C sets a flag (signal-hook's `flag::register`); from then on the clock reads as past
//!   any limit, so the solver stops searching and returns the best safe plan it has, which is
//!   printed with a warning. A second Ctrl-C exits at once with 130, the shell's code for
//!   SIGINT (`flag::register_conditional_shutdown`, registered first, as signal-hook's
//!   documentation of `signal_hook::flag::register_conditional_shutdown` shows:
//!   <https://docs.rs/signal-hook/latest/signal_hook/flag/fn.register_conditional_shutdown.html>).
//! - On a terminal, for solves longer than a second, one line on standard error shows the
//!   elapsed time, the best plan so far and the lower bound, redrawn in place and cleared at
//!   the end. Never on a pipe or a file, unless forced (hidden `--progress`, for tests).

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use quorate::solve::Clock;

/// The share of `--time-limit` the solver may use at most; the rest is for validating and
/// writing.
pub const SOLVER_SHARE: f64 = 0.9;

/// Time to check, document and write a plan, per second the description took to read: both
/// grow with the cluster. Measured with `perf` on a generated fleet of 5,000 hosts (issue 10,
/// docs/performance.md): reading took 0.5 s of CPU; validating, the runbook and the JSON plan
/// 1.2 s.
const FINISH_PER_LOAD: f64 = 2.5;

/// The time limit the solver gets, counted from the command's start, when `--time-limit` is
/// `limit` and the description took `loaded` seconds to read: at most [`SOLVER_SHARE`] of the
/// limit, and no more than leaves the time the plan will take to finish. Zero or less means
/// the solver returns the first safe plan it builds.
pub fn solver_limit(limit: f64, loaded: f64) -> f64 {
    (limit * SOLVER_SHARE).min(limit - FINISH_PER_LOAD * loaded)
}

/// Wall time since the command started, read as infinite after Ctrl-C.
pub struct CommandClock {
    start: Instant,
    interrupted: Arc<AtomicBool>,
    best: AtomicUsize,
    bound: AtomicU32,
}

impl CommandClock {
    /// Starts the clock and catches Ctrl-C.
    pub fn start() -> CommandClock {
        let interrupted = Arc::new(AtomicBool::new(false));
        #[cfg(unix)]
        {
            use signal_hook::consts::SIGINT;
            // Without the handler Ctrl-C still ends the command, as before: nothing to report.
            let _ = signal_hook::flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(&interrupted));
            let _ = signal_hook::flag::register(SIGINT, Arc::clone(&interrupted));
        }
        CommandClock {
            start: Instant::now(),
            interrupted,
            best: AtomicUsize::new(0),
            bound: AtomicU32::new(0),
        }
    }

    /// Whether Ctrl-C was pressed.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// Runs `solve` with the progress line on standard error when it is a terminal (or when
    /// `forced`).
    pub fn with_progress<T>(&self, forced: bool, solve: impl FnOnce() -> T) -> T {
        if !forced && !std::io::stderr().is_terminal() {
            return solve();
        }
        let done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| self.draw_until(&done));
            let result = solve();
            done.store(true, Ordering::SeqCst);
            result
        })
    }

    fn draw_until(&self, done: &AtomicBool) {
        let mut drawn = false;
        while !done.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(100));
            let elapsed = self.start.elapsed().as_secs_f64();
            if elapsed < 1.0 || done.load(Ordering::SeqCst) {
                continue;
            }
            let best = self.best.load(Ordering::SeqCst);
            let bound = self.bound.load(Ordering::SeqCst);
            let best = if best == 0 {
                "no plan yet".to_string()
            } else {
                format!("best plan {best} waves, lower bound {bound}")
            };
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2Kplanning: {elapsed:.1} s, {best}");
            let _ = err.flush();
            drawn = true;
        }
        if drawn {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}

impl Clock for CommandClock {
    fn elapsed(&self) -> f64 {
        if self.interrupted() {
            f64::INFINITY
        } else {
            self.start.elapsed().as_secs_f64()
        }
    }

    fn progress(&self, best_waves: usize, lower_bound: u32) {
        self.best.store(best_waves, Ordering::SeqCst);
        self.bound.store(lower_bound, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::solver_limit;

    #[test]
    fn the_solver_leaves_time_to_finish_the_plan() {
        // A small description: 90% of the limit.
        assert!((solver_limit(10.0, 0.01) - 9.0).abs() < 1e-9);
        // 5,000 hosts read in 0.6 s: 3 s less 1.5 s to check and write.
        assert!((solver_limit(3.0, 0.6) - 1.5).abs() < 1e-9);
        // Reading took longer than the limit allows for: no time to search at all.
        assert!(solver_limit(3.0, 2.0) <= 0.0);
    }
}
