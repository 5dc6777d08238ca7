//! Hostile input, as issue 11 found it: each case here crashed, hung or ate memory before its
//! fix. Also the promises that no data is lost (`--out`, closed pipes, standard input).
//!
//! Inputs are generated here rather than stored: a 200,000-wave plan is 5 MB.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::support;

const VSAN: &str = "examples/vsan-16-hosts.toml";

fn head() -> String {
    "[cluster]\nname = \"lab\"\n\n[[host]]\nname = \"h1\"\ncpu = 4\nmemory_gib = 8\n\n".to_string()
}

fn scratch(test: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Runs `quorate ARGS` with `stdin`; returns (exit code, stdout, stderr).
fn run(args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let output = support::quorate()
        .current_dir(support::root())
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("quorate runs");
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

#[test]
fn a_panic_exits_3_with_a_short_report_naming_the_version() {
    let output = support::quorate()
        .env("QUORATE_TEST_PANIC", "1")
        .args(["check", VSAN])
        .current_dir(support::root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let version = format!("internal error: quorate {} stopped", env!("CARGO_PKG_VERSION"));
    assert!(stderr.contains(&version), "{stderr}");
    assert!(
        stderr.contains("please report") || stderr.contains("Please report"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("RUST_BACKTRACE") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

/// Found: miette panicked ("Formatting argument out of range") drawing a label past column
/// 65,535, and the binary exited 101.
#[test]
fn ten_thousand_unknown_members_on_one_line_are_named_not_drawn() {
    let members: Vec<String> = (0..10_000).map(|i| format!("\"m{i}\"")).collect();
    let text = format!(
        "{}[[quorum_group]]\nname = \"g\"\nmembers = [{}]\n",
        head(),
        members.join(", ")
    );
    let (code, stdout, stderr) = run(&["check", "-"], &text);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("10000 input errors"), "{stderr}");
    // The last member shown is the 50th, far along a 90,000-character line.
    assert!(stderr.contains("at <stdin>:11:12: no host"), "{stderr}");
    assert!(stderr.contains("`m49`") && !stderr.contains("`m50`"), "{stderr}");
    assert!(
        stderr.contains("… and 9950 more input errors not shown"),
        "{stderr}"
    );
    assert!(stderr.contains("diagnostics=10000`"), "{stderr}");
    assert!(
        stderr.lines().all(|l| l.chars().count() <= 200),
        "no line is drawn in full"
    );
}

/// Found: 20,000 duplicate keys took 8 s, 40,000 took 35 s: every error was rendered, each
/// costing time in proportion to the file.
#[test]
fn twenty_thousand_duplicate_keys_render_fifty_errors() {
    let text = format!("{}{}", head(), "cpu = 4\n".repeat(20_000));
    let (code, _, stderr) = run(&["check", "-"], &text);
    assert_eq!(code, Some(2));
    assert_eq!(stderr.matches("TOML syntax error: duplicate key").count(), 50);
    assert!(stderr.contains("20000 input errors"), "{stderr}");
    assert!(
        stderr.contains("… and 19950 more input errors not shown"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["--limit", "diagnostics=3", "check", "-"], &text);
    assert_eq!(code, Some(2));
    assert_eq!(stderr.matches("TOML syntax error: duplicate key").count(), 3);
}

/// Runs `sh -c` with the address space capped at `megabytes`, so that a run that grows its
/// memory fails instead of swapping the machine.
fn capped(megabytes: u64, args: &[&str], stdin_file: &std::path::Path) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("quorate");
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", megabytes * 1024))
        .arg(bin)
        .args(args)
        .current_dir(support::root())
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open(stdin_file).unwrap())
        .output()
        .unwrap()
}

/// Found: a plan of 200,000 waves grew `validate` to 24 GB before the kernel killed it.
#[test]
fn a_plan_of_200000_waves_stops_at_the_waves_limit_in_bounded_memory() {
    let dir = scratch("hostile_waves");
    let toml = dir.join("plan.toml");
    std::fs::write(&toml, "[[wave]]\nhosts = [\"esx01\"]\n".repeat(200_000)).unwrap();
    let json = dir.join("plan.json");
    let waves = vec!["{\"hosts\": [\"esx01\"]}"; 200_000];
    std::fs::write(&json, format!("{{\"waves\": [{}]}}", waves.join(","))).unwrap();
    for plan in [&toml, &json] {
        let output = capped(1024, &["validate", VSAN, "-"], plan);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{}: {stderr}", plan.display());
        assert!(stderr.contains("quorate::limit"), "{stderr}");
        assert!(
            stderr.contains("the `waves` limit allows (200000; the limit is 50000)"),
            "{stderr}"
        );
        assert!(stderr.contains("--limit waves=100000"), "{stderr}");
    }
}

#[test]
fn every_limit_names_the_flag_that_raises_it() {
    let vsan = std::fs::read_to_string(support::root().join(VSAN)).unwrap();
    for (flag, wanted) in [
        ("bytes=100", "--limit bytes=200"),
        ("hosts=15", "--limit hosts=30"),
        ("list=3", "--limit list=6"),
    ] {
        let (code, _, stderr) = run(&["--limit", flag, "check", "-"], &vsan);
        assert_eq!(code, Some(2), "{flag}: {stderr}");
        assert!(
            stderr.contains("quorate::limit") && stderr.contains(wanted),
            "{flag}: {stderr}"
        );
    }
    let (code, _, stderr) = run(&["--limit", "hosts=16", "check", "-"], &vsan);
    assert_eq!(code, Some(0), "exactly at the limit passes: {stderr}");
    let (code, _, stderr) = run(&["--limit", "host=3", "check", VSAN], "");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("unknown limit `host`"), "{stderr}");
}

#[test]
fn an_empty_description_is_an_input_error_whatever_the_stream() {
    for text in ["", "\n\n", "# nothing\n", "[cluster]\nname = \"x\"\n"] {
        let (code, _, stderr) = run(&["check", "-"], text);
        assert_eq!(code, Some(2), "{text:?}: {stderr}");
        assert!(
            stderr.contains("quorate::nothing_to_upgrade"),
            "{text:?}: {stderr}"
        );
    }
}

#[test]
fn a_failed_run_leaves_the_previous_out_file_untouched() {
    let dir = scratch("hostile_out_kept");
    let out = dir.join("plan.json");
    std::fs::write(&out, "previous plan\n").unwrap();
    let stuck = "[cluster]\nname = \"stuck\"\n\n[[host]]\nname = \"a\"\ncpu = 1\nmemory_gib = 1\n\n\
                 [[quorum_group]]\nname = \"g\"\nmembers = [\"a\"]\nquorum = 1\n";
    for (args, stdin, exit) in [
        (vec!["plan", "-", "-o", "text"], "[[host]]\nname = 3\n", 2),
        (vec!["plan", "-", "-o", "text"], stuck, 1),
        (vec!["--limit", "bytes=10", "plan", "-", "-o", "json"], stuck, 2),
    ] {
        let output = support::quorate()
            .args(&args)
            .arg("--out")
            .arg(&out)
            .write_stdin(stdin)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(exit), "{args:?}");
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "previous plan\n",
            "{args:?}"
        );
    }
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left");
}

#[test]
fn a_failed_write_exits_the_same_on_standard_output_and_with_out() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let output = Command::new(assert_cmd::cargo::cargo_bin("quorate"))
        .current_dir(support::root())
        .args(["plan", VSAN, "-o", "json"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot write standard output"), "{stderr}");
    let to_stdout = output.status.code();
    let output = support::quorate()
        .current_dir(support::root())
        .args([
            "plan",
            VSAN,
            "-o",
            "json",
            "--out",
            "/nonexistent/folder/plan.json",
        ])
        .output()
        .unwrap();
    assert_eq!(to_stdout, Some(2));
    assert_eq!(output.status.code(), to_stdout);
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    for args in [
        ["plan", VSAN, "-o", "markdown"],
        ["graph", VSAN, "--color", "never"],
    ] {
        let bin = assert_cmd::cargo::cargo_bin("quorate");
        let mut child = Command::new(bin)
            .current_dir(support::root())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -1`: read a little, then close the pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        let _ = stdout.read(&mut first);
        drop(stdout);
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

/// Standard input as a terminal: `script` (util-linux) gives the command a pseudo-terminal, and
/// Ctrl-D (0x04) at the start of a line ends the input, as a person would type it.
#[test]
fn standard_input_may_be_a_terminal() {
    let bin = assert_cmd::cargo::cargo_bin("quorate");
    let output = Command::new("script")
        .args([
            "-q",
            "-e",
            "-c",
            &format!("{} check -", bin.display()),
            "/dev/null",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(head().as_bytes())?;
            stdin.write_all(b"\x04")?;
            drop(stdin);
            child.wait_with_output()
        })
        .expect("`script` from util-linux runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("press Ctrl-D"), "{stdout}");
    assert!(stdout.contains("cluster lab"), "{stdout}");
}

/// The limits are generous: a cluster of 5,000 hosts and 100,000 workloads loads with the
/// defaults.
#[test]
fn five_thousand_hosts_and_a_hundred_thousand_workloads_are_within_the_limits() {
    let text = support::generate::RealisticCluster::large(5_000, 100_000).description();
    let limits = quorate::Limits::default();
    assert!((text.len() as u64) < limits.bytes / 2, "{} bytes", text.len());
    let loaded = support::load_ok("large.toml", &text);
    assert_eq!(loaded.cluster.hosts.len(), 5_000);
    assert_eq!(loaded.cluster.workloads.len(), 100_000);
}
