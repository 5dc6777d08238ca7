//! The binary's side of the formats: `--out FILE` is atomic (a whole new file or the old one,
//! never a partial file or a leftover temporary), `-o` picks the renderer, and text on a pipe
//! has no escape codes unless `--color always` asks for them.

use std::path::Path;

use super::{STUCK, example_path, scratch};
use crate::support;

const EXAMPLE: &str = "vsan-16-hosts";

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the folder is listable")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn plan_to(out: &Path, format: &str) -> std::process::Output {
    support::quorate()
        .args(["plan", "-o", format, "--out"])
        .arg(out)
        .arg(example_path(EXAMPLE))
        .output()
        .expect("quorate runs")
}

#[test]
fn out_writes_the_whole_plan_and_nothing_else() {
    let dir = scratch("out_writes");
    let file = dir.join("plan.json");
    let output = plan_to(&file, "json");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stdout.is_empty(),
        "the plan goes to the file, not to standard output"
    );
    assert_eq!(listing(&dir), ["plan.json"], "no temporary file is left behind");
    let text = std::fs::read_to_string(&file).expect("the plan was written");
    let json: serde_json::Value = serde_json::from_str(&text).expect("a whole JSON document");
    assert_eq!(json["cluster"], "prod-vsan-01");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_ne!(
            mode & 0o044,
            0,
            "a new plan file is readable like any file, not 0600: {mode:o}"
        );
    }
}

#[test]
fn out_replaces_an_existing_file_whole() {
    let dir = scratch("out_replaces");
    let file = dir.join("runbook.md");
    let old = "stale line that must disappear\n".repeat(10_000);
    std::fs::write(&file, &old).unwrap();
    let output = plan_to(&file, "markdown");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# Upgrade runbook: prod-vsan-01\n"), "{text}");
    assert!(!text.contains("stale"), "nothing of the old file is left");
    assert!(text.len() < old.len());
    assert_eq!(listing(&dir), ["runbook.md"]);
}

#[test]
fn a_failed_run_leaves_no_file_and_no_temporary() {
    let dir = scratch("out_failed");
    // An input error: no plan is computed.
    let output = support::quorate()
        .args(["plan", "-o", "json", "--out"])
        .arg(dir.join("plan.json"))
        .arg(support::root().join("tests/fixtures/errors/unknown_host.toml"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // No safe plan: the text format has nothing to write.
    let output = support::quorate()
        .args(["plan", "-", "-o", "text", "--out"])
        .arg(dir.join("plan.txt"))
        .write_stdin(STUCK)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(listing(&dir), Vec::<String>::new(), "no file, no temporary");
}

#[test]
fn a_failed_write_leaves_the_destination_and_no_temporary() {
    let dir = scratch("out_unwritable");
    // The temporary file is written, but cannot be renamed over a folder.
    let folder = dir.join("plan.toml");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("keep"), "kept").unwrap();
    let output = plan_to(&folder, "toml");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert_eq!(listing(&dir), ["plan.toml"], "no temporary file is left behind");
    assert_eq!(std::fs::read_to_string(folder.join("keep")).unwrap(), "kept");
    // A folder that does not exist.
    let output = plan_to(&dir.join("missing/plan.toml"), "toml");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(listing(&dir), ["plan.toml"]);
}

#[test]
fn each_format_reaches_standard_output() {
    let run = |format: &str| {
        let output = support::quorate()
            .args(["plan", "-o", format])
            .arg(example_path(EXAMPLE))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{format}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(run("text").starts_with("Upgrade plan for prod-vsan-01\n"));
    assert!(run("markdown").contains("```mermaid\ngantt\n"));
    assert!(run("json").starts_with("{\n  \"schema_version\": 1,"));
    let toml: toml::Table = toml::from_str(&run("toml")).expect("the TOML plan parses");
    assert_eq!(toml["wave"].as_array().map(Vec::len), Some(5));
}

#[test]
fn text_on_a_pipe_has_no_escape_codes() {
    let run = |args: &[&str], no_color: Option<&str>| {
        let mut cmd = support::quorate();
        cmd.env_remove("NO_COLOR");
        if let Some(value) = no_color {
            cmd.env("NO_COLOR", value);
        }
        let output = cmd.args(args).arg(example_path(EXAMPLE)).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    let plain = run(&["plan", "-o", "text"], None);
    assert!(
        !plain.contains('\u{1b}'),
        "standard output is a pipe here: no colour"
    );
    assert!(!run(&["--color", "never", "plan", "-o", "text"], None).contains('\u{1b}'));
    assert!(!run(&["plan", "-o", "text"], Some("1")).contains('\u{1b}'));
    // Asked for explicitly, colour reaches a pipe (for `less -R`), but never a file.
    assert!(run(&["--color", "always", "plan", "-o", "text"], None).contains("\u{1b}[1m"));
    let dir = scratch("text_colour_file");
    let file = dir.join("plan.txt");
    let output = support::quorate()
        .args(["--color", "always", "plan", "-o", "text", "--out"])
        .arg(&file)
        .arg(example_path(EXAMPLE))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(!std::fs::read_to_string(&file).unwrap().contains('\u{1b}'));
}
