//! The plan as something to run or file: `-o script` (run under bash with stub CLIs), `-o
//! ansible`, the change request (`-o change`, `-o change-md`, validated against its schema),
//! `quorate export`, shell completions and the man page.
//!
//! The runnable formats are run for real against `tests/fixtures/outputs/stub-plan.json`, a plan
//! whose checks carry asserts, and `stub-cli.sh` installed under each CLI's name: every call is
//! logged, so a test sees the order of calls, and a chosen call fails, so a test sees the stop.

use std::path::{Path, PathBuf};

use quorate::document::PlanDocument;

use crate::support;

mod ansible;
mod change;
mod completions;
mod script;

/// The fixture plan with asserts.
fn stub_plan_path() -> PathBuf {
    support::root().join("tests/fixtures/outputs/stub-plan.json")
}

/// The fixture plan with asserts, as a document.
fn stub_plan() -> PlanDocument {
    let text = std::fs::read_to_string(stub_plan_path()).expect("the stub plan is readable");
    serde_json::from_str(&text).expect("the stub plan is a plan document")
}

/// Every call of the stub plan, in plan order (`tests/fixtures/outputs/stub-plan.calls`, which
/// `tests/ansible/run.sh` checks the playbook against too): per wave, the pre-check asserts, the
/// step commands, the post-check asserts. Checks without an assert and steps without a command
/// make no call.
fn stub_plan_calls() -> Vec<String> {
    let path = support::root().join("tests/fixtures/outputs/stub-plan.calls");
    let text = std::fs::read_to_string(path).expect("the expected calls are readable");
    text.lines().map(str::to_string).collect()
}

/// Runs the `quorate` binary with `args`.
fn run_quorate(args: &[&dyn AsRef<std::ffi::OsStr>]) -> std::process::Output {
    support::quorate()
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .expect("quorate runs")
}

/// An empty folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("outputs").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// A `bin` folder in `dir` holding the stub under each of `names`.
fn stub_bin(dir: &Path, names: &[&str]) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("a bin folder");
    let stub = support::root().join("tests/fixtures/outputs/stub-cli.sh");
    for name in names {
        std::fs::copy(&stub, bin.join(name)).expect("the stub is copied");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755))
                .expect("the stub is executable");
        }
    }
    bin
}

/// `PATH` with `bin` first.
fn path_with(bin: &Path) -> std::ffi::OsString {
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("a PATH")
}

/// The calls the stubs logged, one per line.
fn calls(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}
