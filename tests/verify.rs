//! `quorate verify`: a wave's checks against live exports, per platform, passing and failing.
//!
//! Each platform's exports are the import fixtures (`tests/fixtures/import/<platform>/`, whose
//! SOURCES.md cites the tools' formats) and, for Ceph, the outputs of the real cluster
//! (`tests/fixtures/ceph-real/`). A description is imported from them and planned; `verify` on
//! the same exports must pass every check it can decide, and on exports changed in one place
//! (a node cordoned, a monitor out of quorum, a budget with no disruption left) the check about
//! that thing must fail with the expected and the observed value, and exit 1.

mod kubernetes;
mod platforms;

use serde_json::Value;

use crate::import::{fixture, flat, read, run};

/// An export: file name and text.
type Export = (String, String);

/// The exports after the given hosts were upgraded.
type Upgrade = dyn Fn(&[String], &[Export]) -> Vec<Export>;

/// A planned cluster in a temporary folder: exports, description and plan.
struct Planned {
    dir: tempfile::TempDir,
    description: String,
    plan: String,
    exports: Vec<(String, String)>,
}

/// Imports `exports` of `platform` with `--target-version target`, then plans.
fn planned(platform: &str, exports: Vec<(String, String)>, target: &str) -> Planned {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let description = dir.path().join("cluster.toml").to_str().unwrap().to_string();
    let plan = dir.path().join("plan.json").to_str().unwrap().to_string();
    let paths = write(&dir, "exports", &exports);
    let mut args = vec![
        "import",
        platform,
        "--target-version",
        target,
        "--out",
        &description,
    ];
    args.extend(paths.iter().map(String::as_str));
    let (code, _, stderr) = run(&args);
    assert_eq!(code, Some(0), "import failed:\n{stderr}");
    let (code, _, stderr) = run(&[
        "plan",
        &description,
        "-o",
        "json",
        "--time-limit",
        "5",
        "--out",
        &plan,
    ]);
    assert_eq!(code, Some(0), "plan failed:\n{stderr}");
    Planned {
        dir,
        description,
        plan,
        exports,
    }
}

/// Writes `files` into `dir/sub` and returns their paths.
fn write(dir: &tempfile::TempDir, sub: &str, files: &[(String, String)]) -> Vec<String> {
    let folder = dir.path().join(sub);
    std::fs::create_dir_all(&folder).unwrap();
    files
        .iter()
        .map(|(name, text)| {
            let path = folder.join(name);
            std::fs::write(&path, text).unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect()
}

/// The import fixtures `PREFIX-PART.json` of a platform, as (file name, text).
fn fixtures(platform: &str, names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.to_string(), read(&fixture(platform, n))))
        .collect()
}

/// The exports with file `name` changed by `change`.
fn changed(exports: &[(String, String)], name: &str, change: impl Fn(&mut Value)) -> Vec<(String, String)> {
    exports
        .iter()
        .map(|(n, text)| {
            if n != name {
                return (n.clone(), text.clone());
            }
            let mut value: Value = serde_json::from_str(text).unwrap();
            change(&mut value);
            (n.clone(), value.to_string())
        })
        .collect()
}

impl Planned {
    /// `quorate verify -o json` of wave `wave` (post-checks with `post`) against `exports`.
    fn verify(&self, wave: usize, post: bool, exports: &[(String, String)]) -> (Option<i32>, Value) {
        let sub = format!("live-{wave}-{post}-{}", rand_suffix(exports));
        let paths = write(&self.dir, &sub, exports);
        let wave = wave.to_string();
        let mut args = vec![
            "verify",
            &self.description,
            &self.plan,
            "--wave",
            &wave,
            "-o",
            "json",
        ];
        if post {
            args.push("--post");
        }
        args.extend(paths.iter().map(String::as_str));
        let (code, stdout, stderr) = run(&args);
        let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
        (code, report)
    }

    /// Every pre-check of every wave against the exports the plan was made from, with the hosts
    /// of the earlier waves upgraded by `upgrade` (the hosts, the exports): none fails.
    /// Returns every (kind, result) seen.
    fn all_pass(&self, upgrade: &Upgrade) -> Vec<(String, String)> {
        let plan: Value = serde_json::from_str(&std::fs::read_to_string(&self.plan).unwrap()).unwrap();
        let mut done: Vec<String> = Vec::new();
        let mut seen = Vec::new();
        for (index, wave) in plan["waves"].as_array().unwrap().iter().enumerate() {
            let live = upgrade(&done, &self.exports);
            let (code, report) = self.verify(index + 1, false, &live);
            assert_eq!(code, Some(0), "wave {}: {report:#}", index + 1);
            assert_eq!(report["passed"], true);
            assert_eq!(report["counts"]["fail"], 0, "{report:#}");
            for check in report["checks"].as_array().unwrap() {
                seen.push((
                    check["kind"].as_str().unwrap().to_string(),
                    check["result"].as_str().unwrap().to_string(),
                ));
            }
            done.extend(
                wave["hosts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap().to_string()),
            );
        }
        seen
    }
}

/// For platforms whose exports carry no version: upgrading changes nothing they show.
fn unchanged(_: &[String], exports: &[(String, String)]) -> Vec<(String, String)> {
    exports.to_vec()
}

/// A folder name that differs between two sets of exports.
fn rand_suffix(exports: &[(String, String)]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    exports.hash(&mut hasher);
    hasher.finish()
}

/// The checks of `kind` in a report, as (subject, result, expected, observed).
fn checks<'a>(report: &'a Value, kind: &str) -> Vec<(&'a str, &'a str, &'a str, &'a str)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .map(|c| {
            (
                c["subject"].as_str().unwrap(),
                c["result"].as_str().unwrap(),
                c["expected"].as_str().unwrap(),
                c["observed"].as_str().unwrap(),
            )
        })
        .collect()
}

fn passes(seen: &[(String, String)], kind: &str) -> bool {
    seen.iter().any(|(k, r)| k == kind && r == "pass")
}

/// The one failing check of `kind`, asserting that the run failed (exit 1).
fn failing<'a>(code: Option<i32>, report: &'a Value, kind: &str) -> (&'a str, &'a str, &'a str) {
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["passed"], false);
    let failed: Vec<_> = checks(report, kind)
        .into_iter()
        .filter(|c| c.1 == "fail")
        .collect();
    assert!(!failed.is_empty(), "no failing {kind} check: {report:#}");
    let (subject, _, expected, observed) = failed[0];
    (subject, expected, observed)
}
