//! `quorate import`: each platform's exports in, a description `check` accepts out.
//!
//! Fixtures live in `tests/fixtures/import/<platform>/`, each folder with a SOURCES.md that
//! cites where the format is defined. Snapshots pin the generated TOML; every generated
//! description is loaded again with `quorate::load`, and the large ones are planned.

use std::path::{Path, PathBuf};

use quorate::Source;
use quorate::import::{ImportOptions, render};
use quorate::model::Platform;

use crate::support;

mod ceph;
mod done;
mod kubernetes;
mod openstack;
mod proxmox;
mod robustness;
mod vsphere;

/// Runs `quorate ARGS` in the repository root; returns (exit code, stdout, stderr).
pub(crate) fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let output = support::quorate()
        .current_dir(support::root())
        .args(args)
        .output()
        .expect("quorate runs");
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

pub(crate) fn fixture(platform: &str, name: &str) -> PathBuf {
    support::root()
        .join("tests/fixtures/import")
        .join(platform)
        .join(name)
}

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Imports `files` (name, text) through the library, as the CLI does, and loads the result.
fn import(platform: Platform, files: &[(&str, String)], options: &ImportOptions) -> String {
    let sources: Vec<Source> = files
        .iter()
        .map(|(name, text)| Source::new(*name, text.as_str()))
        .collect();
    let live = quorate::live::parse(platform, &sources)
        .unwrap_or_else(|e| panic!("the exports should import, but: {e}"));
    let text = render(&live, options);
    support::load_ok("imported.toml", &text);
    text
}

/// Diagnostics wrapped at the terminal width, joined back into one line per paragraph.
pub(crate) fn flat(text: &str) -> String {
    text.split_whitespace()
        .filter(|word| *word != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes `text` as `name` in a fresh temporary folder and returns the folder and the path.
fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("the temporary file is written");
    let path = path.to_str().expect("UTF-8 path").to_string();
    (dir, path)
}

/// The exports `PREFIX-PART.json` of `tests/fixtures/import/FOLDER`, as (file name, text).
fn fixture_set(folder: &str, prefix: &str, parts: &[&str]) -> Vec<(String, String)> {
    parts
        .iter()
        .map(|part| {
            let name = format!("{prefix}-{part}.json");
            let text = read(&fixture(folder, &name));
            (name, text)
        })
        .collect()
}

/// The paths of the same exports, for the binary.
fn fixture_paths(folder: &str, prefix: &str, parts: &[&str]) -> Vec<String> {
    parts
        .iter()
        .map(|part| {
            let path = fixture(folder, &format!("{prefix}-{part}.json"));
            path.to_str().expect("UTF-8 path").to_string()
        })
        .collect()
}

/// Imports a set of (file name, text) through the library, with default options.
fn import_set(platform: Platform, set: &[(String, String)]) -> String {
    let files: Vec<(&str, String)> = set.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    import(platform, &files, &ImportOptions::default())
}

/// Writes `set` to a temporary folder, export `index` changed by `change`, runs
/// `quorate import PLATFORM` on all of them, and returns its diagnostic (exit 2), flattened.
fn import_broken(
    platform: &str,
    set: &[(String, String)],
    index: usize,
    change: &dyn Fn(&mut serde_json::Value),
) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut args = vec!["import".to_string(), platform.to_string()];
    for (i, (name, text)) in set.iter().enumerate() {
        let mut value: serde_json::Value = serde_json::from_str(text).expect("fixture JSON");
        if i == index {
            change(&mut value);
        }
        let path = dir.path().join(name);
        std::fs::write(&path, value.to_string()).expect("the temporary file is written");
        args.push(path.to_str().expect("UTF-8 path").to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stdout, "", "nothing is written on an input error");
    flat(&stderr)
}

/// `import` then `check` then `plan` through the binary: all succeed.
fn import_check_plan(platform: &str, files: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("cluster.toml");
    let out = out.to_str().unwrap();
    let mut args = vec!["import", platform];
    args.extend_from_slice(files);
    args.extend_from_slice(&["--target-version", "99.0", "--out", out]);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, Some(0), "import failed:\n{stderr}");
    assert_eq!(stdout, "", "--out writes the file, not standard output");
    let (code, summary, stderr) = run(&["check", out]);
    assert_eq!(code, Some(0), "check failed:\n{stderr}");
    let (code, plan, stderr) = run(&["plan", out, "-o", "json", "--time-limit", "5"]);
    assert_eq!(code, Some(0), "plan failed:\n{stderr}");
    let plan: serde_json::Value = serde_json::from_str(&plan).expect("plan JSON");
    assert!(plan["summary"]["waves"].as_u64().unwrap() >= 1);
    summary
}

#[test]
fn an_unknown_platform_or_a_missing_file_is_an_input_error() {
    let (code, _, stderr) = run(&["import", "vmware-fusion", "x.json"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("no importer for platform `vmware-fusion`"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["import", "kubernetes", "no/such/file.json"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot read no/such/file.json"), "{stderr}");
}

#[test]
fn a_file_that_is_not_json_is_named_with_its_line_and_column() {
    let (_dir, path) = temp_file("nodes.json", "{\n  \"kind\": \"List\",\n  \"items\": [,]\n}\n");
    let (code, stdout, stderr) = run(&["import", "kubernetes", &path]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("nodes.json: line 3, column 13: not valid JSON"),
        "{stderr}"
    );
}

/// An export that lists no host (an empty `List`: the wrong context or namespace, an export
/// cut short) would give a description with nothing to upgrade, which does not load: it is an
/// error about the export. Found by the robustness property on an emptied govc host list.
#[test]
fn an_export_with_no_host_is_an_input_error() {
    let (_dir, path) = temp_file(
        "all.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}\n",
    );
    let (code, stdout, stderr) = run(&["import", "kubernetes", &path]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("the kubernetes exports list no host"), "{stderr}");
}

#[test]
fn a_cluster_name_a_description_cannot_hold_is_refused() {
    let path = fixture("kubernetes", "small.json");
    let (code, stdout, stderr) = run(&["import", "kubernetes", path.to_str().unwrap(), "--name", ""]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(stderr.contains("--name must be non-empty"), "{stderr}");
}
