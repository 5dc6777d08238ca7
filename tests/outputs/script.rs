//! `-o script` under bash, with stub CLIs: the order of calls, the stop on a failing assert
//! (naming the check, before any step of its wave), resuming with `--from`, one wave with
//! `--wave`, `--dry-run`, and bad options.

use std::path::PathBuf;
use std::process::Output;

use quorate::render::script;
use quorate::runbook::platform::Shell;

use super::{calls, path_with, run_quorate, scratch, stub_bin, stub_plan, stub_plan_calls};

struct Run {
    output: Output,
    log: PathBuf,
}

impl Run {
    fn calls(&self) -> Vec<String> {
        calls(&self.log)
    }
    fn code(&self) -> Option<i32> {
        self.output.status.code()
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

/// Writes the bash runbook of the stub plan and runs it with `args`, the stub failing on calls
/// that contain `fail`.
fn run(test: &str, args: &[&str], fail: Option<&str>) -> Run {
    let dir = scratch(&format!("script-{test}"));
    let bin = stub_bin(&dir, &["govc", "probe"]);
    let script_path = dir.join("runbook.sh");
    std::fs::write(&script_path, script::render(&stub_plan(), Shell::Posix)).expect("the script is written");
    let log = dir.join("calls.log");
    let mut command = std::process::Command::new("bash");
    command
        .arg(&script_path)
        .args(args)
        .env("PATH", path_with(&bin))
        .env("STUB_LOG", &log)
        .stdin(std::process::Stdio::null());
    match fail {
        Some(fail) => command.env("STUB_FAIL", fail),
        None => command.env_remove("STUB_FAIL"),
    };
    let output = command.output().expect("bash runs");
    Run { output, log }
}

/// The plan's calls in `range`.
fn expected(range: std::ops::Range<usize>) -> Vec<String> {
    stub_plan_calls()[range].to_vec()
}

#[test]
fn the_script_runs_checks_steps_and_post_checks_in_plan_order() {
    let run = run("order", &[], None);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.calls(), stub_plan_calls());
    let stdout = run.stdout();
    assert!(
        stdout.contains("manual check W1.PRE.2 capacity cpu: room for db-01 on esx-02"),
        "a check without an assert is shown as manual:\n{stdout}"
    );
    assert!(
        stdout.contains("manual step W1.S3 reboot esx-01")
            && stdout.contains("reboot esx-01 from its console"),
        "a step without a command is shown as manual:\n{stdout}"
    );
    assert!(stdout.ends_with("done: waves 1 to 2\n"), "{stdout}");
}

#[test]
fn a_failing_pre_check_stops_before_any_step_of_its_wave() {
    // `probe quorum etcd` is wave 1's first pre-check.
    let run = run("pre-fails", &[], Some("quorum"));
    assert_eq!(run.code(), Some(1));
    assert_eq!(
        run.calls(),
        expected(0..1),
        "nothing runs after the failed assert"
    );
    let stderr = run.stderr();
    assert!(
        stderr.contains("check W1.PRE.1 failed"),
        "the check's id is printed:\n{stderr}"
    );
    assert!(
        stderr.contains("rollback: put esx-01 back on the old image"),
        "the wave's rollback note is printed:\n{stderr}"
    );
    assert!(
        run.stdout().contains("expected: ok, observed: failing"),
        "the assert's own message is shown"
    );
}

#[test]
fn a_failing_post_check_keeps_the_next_wave_from_starting() {
    let run = run("post-fails", &[], Some("version esx-01"));
    assert_eq!(run.code(), Some(1));
    assert_eq!(run.calls(), expected(0..5), "wave 2 never starts");
    assert!(
        run.stderr().contains("check W1.POST.1 failed"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_failing_step_stops_the_wave_at_that_step() {
    let run = run("step-fails", &[], Some("maintenance.enter esx-01"));
    assert_eq!(run.code(), Some(1));
    assert_eq!(run.calls(), expected(0..3));
    assert!(run.stderr().contains("step W1.S2 failed"), "{}", run.stderr());
}

#[test]
fn from_resumes_at_the_given_wave() {
    let run = run("from", &["--from", "2"], None);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.calls(), expected(5..9));
}

#[test]
fn wave_runs_that_wave_only() {
    let run = run("wave", &["--wave", "1"], None);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.calls(), expected(0..5));
    assert!(run.stdout().ends_with("done: waves 1 to 1\n"));
}

#[test]
fn dry_run_lists_everything_and_runs_nothing() {
    let run = run("dry-run", &["--dry-run"], None);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.calls(), Vec::<String>::new(), "no stub was called");
    let stdout = run.stdout();
    for needle in [
        "assert: probe quorum etcd",
        "manual check W1.PRE.2",
        "verify with: govc host.info esx-02",
        "run: govc host.maintenance.enter 'esx $(id) {{ x }}'",
        "manual step W1.S3",
        "dry run: nothing was run",
    ] {
        assert!(stdout.contains(needle), "{needle:?} is missing from:\n{stdout}");
    }
}

#[test]
fn bad_options_exit_2_and_run_nothing() {
    for args in [
        &["--wave", "3"][..],
        &["--wave", "0"],
        &["--from", "x"],
        &["--wave"],
        &["--wave", "1", "--from", "2"],
        &["--force"],
    ] {
        let run = run("bad-options", args, None);
        assert_eq!(run.code(), Some(2), "{args:?}: {}", run.stderr());
        assert!(run.stderr().contains("error: "), "{args:?}: {}", run.stderr());
        assert_eq!(run.calls(), Vec::<String>::new(), "{args:?}");
    }
}

#[test]
fn the_stub_runbooks_are_pinned() {
    // The whole text of both languages, for review; the bash one is run by the tests above.
    insta::assert_snapshot!(
        "script_bash_stub_plan",
        script::render(&stub_plan(), Shell::Posix)
    );
    insta::assert_snapshot!(
        "script_powershell_stub_plan",
        script::render(&stub_plan(), Shell::PowerShell)
    );
}

#[test]
fn export_writes_the_script_of_a_plan_file_in_the_shell_it_is_told() {
    for (args, shell) in [
        (&[][..], Shell::Posix),
        (&["--shell", "bash"][..], Shell::Posix),
        (&["--shell", "powershell"][..], Shell::PowerShell),
    ] {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"export", &"script"];
        let plan = super::stub_plan_path();
        all.push(&plan);
        all.extend(args.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        let output = run_quorate(&all);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            script::render(&stub_plan(), shell),
            "{args:?}"
        );
    }
}

#[test]
fn the_powershell_runbook_has_the_same_shape() {
    // pwsh is not installable on the test machine (no Debian package, none on PyPI or npm), so the
    // PowerShell form is checked by structure: parameters, one function per wave, the items in
    // plan order, every value single-quoted with quotes doubled.
    let text = script::render(&stub_plan(), Shell::PowerShell);
    assert!(text.contains("[CmdletBinding()]\nparam("), "{text}");
    for parameter in ["[int]$Wave = 0", "[int]$From = 0", "[switch]$DryRun"] {
        assert!(text.contains(parameter), "{parameter} missing");
    }
    let order: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            [
                "Test-Check ",
                "Invoke-Step ",
                "Show-Manual",
                "function Invoke-Wave",
            ]
            .iter()
            .any(|p| l.starts_with(p))
        })
        .collect();
    let ids: Vec<String> = order
        .iter()
        .map(|l| match l.strip_prefix("function ") {
            Some(f) => f.trim_end_matches(" {").to_string(),
            None => l
                .split('\'')
                .nth(1)
                .unwrap_or_default()
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string(),
        })
        .collect();
    assert_eq!(
        ids,
        [
            "Invoke-Wave1",
            "W1.PRE.1",
            "W1.PRE.2",
            "W1.S1",
            "W1.S2",
            "W1.S3",
            "W1.S4",
            "W1.POST.1",
            "Invoke-Wave2",
            "W2.PRE.1",
            "W2.S1",
            "W2.S2",
            "W2.POST.1"
        ]
    );
    assert!(
        text.contains("Invoke-Step 'W2.S1' 'W2.S1 enter_maintenance esx $(id) {{ x }}' 'govc host.maintenance.enter ''esx $(id) {{ x }}'''"),
        "{text}"
    );
}

#[test]
fn plan_writes_a_script_for_the_platform() {
    let root = crate::support::root();
    let script_of = |example: &str| {
        let output = run_quorate(&[&"plan", &"-o", &"script", &root.join("examples").join(example)]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    assert!(script_of("kubernetes.toml").starts_with("#!/usr/bin/env bash\n"));
    assert!(script_of("hyperv-failover.toml").contains("[CmdletBinding()]"));
    // Without -o, a .sh file gets the script.
    let dir = scratch("script-by-extension");
    let out = dir.join("runbook.sh");
    let output = run_quorate(&[&"plan", &root.join("examples/kubernetes.toml"), &"--out", &out]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(&out).expect("the script is written");
    assert_eq!(written, script_of("kubernetes.toml"));
}
