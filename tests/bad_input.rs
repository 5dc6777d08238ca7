//! The bad-input corpus: files a hostile or hurried user might feed quorate, each with the exit
//! code and the diagnostic code it must give, and its full diagnostic pinned by a snapshot.
//!
//! The files live in `tests/bad_input/` (`cluster/` for `check`, `plan/` for `validate` against
//! `examples/vsan-16-hosts.toml`); `cases.txt` lists each file with its expectations and any
//! extra arguments, and `generate.py` wrote both. The corpus covers the input errors of the
//! spec, empty, truncated, binary and badly encoded files, extreme numbers, huge and deeply
//! nested inputs, and names with control, shell, bidirectional and invisible characters.

use crate::support;

const CLUSTER: &str = "examples/vsan-16-hosts.toml";

struct Case {
    file: String,
    exit: i32,
    code: String,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let list = std::fs::read_to_string(support::root().join("tests/bad_input/cases.txt")).expect("cases.txt");
    list.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let mut words = line.split_whitespace().map(str::to_string);
            let mut next = || words.next().unwrap_or_else(|| panic!("incomplete case: {line}"));
            let (file, exit, code) = (next(), next(), next());
            Case {
                file,
                exit: exit.parse().expect("an exit code"),
                code,
                args: words.collect(),
            }
        })
        .collect()
}

#[test]
fn every_bad_input_gives_its_exit_code_and_diagnostic() {
    let cases = cases();
    assert!(cases.len() >= 60, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let path = format!("tests/bad_input/{}", case.file);
        let mut cmd = support::quorate();
        cmd.current_dir(support::root()).args(&case.args);
        if case.file.starts_with("plan/") {
            cmd.args(["validate", CLUSTER, &path]);
        } else {
            cmd.args(["check", &path]);
        }
        let output = cmd.output().expect("quorate runs");
        let stderr = String::from_utf8(output.stderr).expect("UTF-8 diagnostics");
        let code = output.status.code();
        let has_code = if case.code == "none" {
            stderr.is_empty()
        } else {
            stderr.contains(&format!("{}\n", case.code)) || stderr.contains(&format!("{} ", case.code))
        };
        if code != Some(case.exit) || !has_code {
            failures.push(format!(
                "{}: expected exit {} with {}, got {code:?}:\n{stderr}",
                case.file, case.exit, case.code
            ));
            continue;
        }
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.file);
        let name = case.file.replace(['/', '.'], "_");
        insta::assert_snapshot!(name, stderr);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
