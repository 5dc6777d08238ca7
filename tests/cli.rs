//! The binary's contract: commands, standard input, exit codes, colour, and the DOT output.
//!
//! Fixtures live in `tests/fixtures/cli/`: `graph.toml` is a small cluster with every kind of
//! table, `odd_names.toml` names things with quotes, backslashes and spaces, `not_utf8.toml`
//! is Latin-1.

use crate::support;

const GRAPH: &str = "tests/fixtures/cli/graph.toml";
const ODD_NAMES: &str = "tests/fixtures/cli/odd_names.toml";
const NOT_UTF8: &str = "tests/fixtures/cli/not_utf8.toml";
const BAD: &str = "tests/fixtures/errors/unknown_host.toml";

/// Runs `quorate ARGS` in the repository root; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (Option<i32>, String, String) {
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

fn read(path: &str) -> String {
    std::fs::read_to_string(support::root().join(path)).expect("fixture is readable")
}

#[test]
fn check_accepts_a_valid_description_and_prints_the_summary() {
    let (code, stdout, stderr) = run(&["check", GRAPH]);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    // A valid description has no input diagnostics; this one is a two-rack vSAN lab without a
    // witness, which vSAN does not support at FTT=1, so it gets that platform warning (and
    // still exit 0: warnings never change the exit code).
    assert!(stderr.starts_with("quorate::warn::no_witness\n"), "{stderr}");
    assert_eq!(stderr.matches("quorate::").count(), 1, "{stderr}");
    assert!(stdout.starts_with("cluster lab-01 (vsan)\n"), "{stdout}");
    insta::assert_snapshot!("check_summary", stdout);
}

#[test]
fn a_dash_reads_standard_input() {
    let output = support::quorate()
        .args(["check", "-"])
        .write_stdin(read(GRAPH))
        .output()
        .expect("quorate runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let (_, from_file, _) = run(&["check", GRAPH]);
    assert_eq!(stdout, from_file, "the same description gives the same summary");

    // Without [cluster] name, a description read from stdin is called "stdin".
    let output = support::quorate()
        .args(["check", "-"])
        .write_stdin("[[host]]\nname = \"esx-01\"\ncpu = 8\nmemory_gib = 64\n")
        .output()
        .expect("quorate runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .starts_with("cluster stdin (generic)\n")
    );
}

#[test]
fn errors_in_standard_input_exit_2_with_positions() {
    let output = support::quorate()
        .args(["check", "-"])
        .write_stdin(read(BAD))
        .output()
        .expect("quorate runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("quorate::unknown_reference"), "{stderr}");
    assert!(
        stderr.contains("[<stdin>:13:8]"),
        "the position of the error: {stderr}"
    );
}

#[test]
fn a_missing_file_exits_2_naming_the_path() {
    let path = "tests/fixtures/cli/no-such-cluster.toml";
    let (code, stdout, stderr) = run(&["check", path]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(stderr.contains("quorate::io"), "{stderr}");
    assert!(stderr.contains(path), "{stderr}");
    let (code, _, stderr) = run(&["graph", path]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("quorate::io") && stderr.contains(path),
        "{stderr}"
    );
}

#[test]
fn a_folder_is_not_a_description() {
    let (code, _, stderr) = run(&["check", "tests/fixtures"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("quorate::io") && stderr.contains("tests/fixtures"),
        "{stderr}"
    );
}

#[test]
fn a_file_that_is_not_utf8_exits_2() {
    let (code, stdout, stderr) = run(&["check", NOT_UTF8]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(stderr.contains("quorate::io"), "{stderr}");
    assert!(stderr.contains(NOT_UTF8), "{stderr}");
    assert!(stderr.contains("not UTF-8"), "{stderr}");
}

#[test]
fn graph_prints_dot() {
    let (code, stdout, stderr) = run(&["graph", GRAPH]);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    assert_eq!(stderr, "");
    assert!(
        stdout.starts_with("digraph \"lab-01\" {\n") && stdout.ends_with("}\n"),
        "{stdout}"
    );
    for wanted in [
        "subgraph cluster_s0 {",
        "label=\"site dc1\"",
        "label=\"fault domain rack-a\"",
        "label=\"fault domain rack-b\"",
        "label=\"quorum db\\n2 of 3 votes\"",
        "label=\"budget zookeeper\\nat most 1 of 3 down\"",
        "label=\"anti-affinity db-spread\\napart by fault_domain\"",
        "xlabel=\"order #1\"",
    ] {
        assert!(stdout.contains(wanted), "{wanted} is not in:\n{stdout}");
    }
    assert_balanced_quotes(&stdout);
    insta::assert_snapshot!("graph_dot", stdout);
}

#[test]
fn graph_escapes_quotes_backslashes_and_spaces_in_names() {
    let (code, stdout, stderr) = run(&["graph", ODD_NAMES]);
    assert_eq!(code, Some(0), "stderr:\n{stderr}");
    for wanted in [
        r#"digraph "lab \"odd\" \\ 02" {"#,
        r#"label="site main site""#,
        r#"label="fault domain rack\\a""#,
        r#"label="esx 01 \"primary\"\n16 cores, 64 GiB""#,
        r#"label="esx\\02\n16 cores, 64 GiB""#,
        r#"label="vCenter \"prod\"\nexclusive""#,
        r#"label="quorum etcd \"main\"\n2 of 3 votes""#,
        r#"label="budget db \\ budget\nat most 1 of 2 down""#,
        r#"label="anti-affinity apart \"please\"\napart by host""#,
        r#"label="db \"one\"""#,
        r#"label="db\\two""#,
    ] {
        assert!(stdout.contains(wanted), "{wanted} is not in:\n{stdout}");
    }
    assert_balanced_quotes(&stdout);
}

/// Every line of DOT has an even number of unescaped double quotes: no name ends a string early.
fn assert_balanced_quotes(dot: &str) {
    for line in dot.lines() {
        let mut quotes = 0;
        let mut escaped = false;
        for c in line.chars() {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => quotes += 1,
                _ => escaped = false,
            }
        }
        assert_eq!(quotes % 2, 0, "unbalanced quotes in DOT line: {line}");
    }
}

#[test]
fn no_colour_with_no_color_or_color_never() {
    // NO_COLOR is set by support::quorate().
    let (code, _, stderr) = run(&["check", BAD]);
    assert_eq!(code, Some(2));
    assert!(
        !stderr.contains('\u{1b}'),
        "ANSI escapes with NO_COLOR:\n{stderr}"
    );

    let never = support::quorate()
        .env_remove("NO_COLOR")
        .current_dir(support::root())
        .args(["--color", "never", "check", BAD])
        .output()
        .unwrap();
    assert_eq!(never.status.code(), Some(2));
    assert!(!never.stderr.contains(&0x1b), "ANSI escapes with --color never");

    // The control: the same error does have colour when asked for, so the checks above can fail.
    let always = support::quorate()
        .env_remove("NO_COLOR")
        .current_dir(support::root())
        .args(["check", BAD, "--color", "always"])
        .output()
        .unwrap();
    assert_eq!(always.status.code(), Some(2));
    assert!(
        always.stderr.contains(&0x1b),
        "no ANSI escapes with --color always"
    );
}

#[test]
fn help_lists_the_commands() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("Usage: quorate"), "{stdout}");
    assert!(stdout.contains("check") && stdout.contains("graph"), "{stdout}");
    assert!(stdout.contains("--color"), "{stdout}");
    let (code, stdout, _) = run(&["check", "--help"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("standard input"), "{stdout}");
}

#[test]
fn bad_arguments_exit_2() {
    let (code, stdout, stderr) = run(&["frobnicate", GRAPH]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(stderr.contains("frobnicate"), "{stderr}");
    let (code, _, _) = run(&["check"]);
    assert_eq!(code, Some(2), "a missing argument");
    let (code, _, _) = run(&[]);
    assert_eq!(code, Some(2), "no command");
    let (code, _, _) = run(&["--color", "sometimes", "check", GRAPH]);
    assert_eq!(code, Some(2), "a bad --color value");
}

#[test]
fn warnings_go_to_stderr_and_do_not_fail_check() {
    let text = format!(
        "{}\n[[host]]\nname = \"esx-05\"\nfault_domain = \"rack-b\"\ncpu = 32\nmemory_gib = 256\n\
         state = \"down\"\n\n[[order]]\nbefore = [\"esx-05\"]\nafter = [\"vcenter\"]\n",
        read(GRAPH)
    );
    let output = support::quorate()
        .args(["check", "-"])
        .write_stdin(text)
        .output()
        .expect("quorate runs");
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("quorate::ignored_entry"), "{stderr}");
    assert!(
        stderr.contains("⚠ order entry `esx-05` is a host in state \"down\""),
        "{stderr}"
    );
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .starts_with("cluster lab-01")
    );
}

const ETCD_NO_SLACK: &str = r#"
[cluster]
name = "k8s"
[[host]]
name = "cp-1"
cpu = 8
memory_gib = 32
[[host]]
name = "cp-2"
cpu = 8
memory_gib = 32
[[host]]
name = "cp-3"
cpu = 8
memory_gib = 32
[[quorum_group]]
name = "etcd"
members = ["cp-1", "cp-2", "cp-3"]
quorum = 3
"#;

#[test]
fn plan_without_a_safe_plan_exits_1_and_explains_with_numbers() {
    let output = support::quorate()
        .args(["plan", "-o", "text", "-"])
        .write_stdin(ETCD_NO_SLACK)
        .output()
        .expect("quorate runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no plan on stdout");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("no safe plan exists for cluster k8s"), "{stderr}");
    assert!(
        stderr.contains("quorum group etcd: 3 members, 3 votes, quorum 3, so no member can ever go down"),
        "{stderr}"
    );
}

#[test]
fn plan_without_a_safe_plan_in_json_says_so_for_scripts() {
    let output = support::quorate()
        .args(["plan", "-o", "json", "-"])
        .write_stdin(ETCD_NO_SLACK)
        .output()
        .expect("quorate runs");
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(doc["feasible"], serde_json::Value::Bool(false));
    assert_eq!(doc["conflicts"][0]["rule"], "quorum group etcd");
}

#[test]
fn the_same_input_gives_the_same_plan_byte_for_byte() {
    let masked = |bytes: Vec<u8>| {
        let mut doc: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
        // The only fields that may differ: wall-clock time and the backend's name.
        doc["summary"]["solve_seconds"] = serde_json::Value::Null;
        doc["summary"]["solver"] = serde_json::Value::Null;
        doc
    };
    for example in ["examples/vsan-16-hosts.toml", "examples/openstack-kvm.toml"] {
        let run = |solver: &str| {
            let output = support::quorate()
                .args(["plan", "-o", "json", "--solver", solver, example])
                .output()
                .expect("quorate runs");
            assert_eq!(output.status.code(), Some(0), "{example}");
            output.stdout
        };
        let first = run("microlp");
        let second = run("microlp");
        assert_eq!(
            masked(first.clone()),
            masked(second),
            "{example}: two runs differ"
        );
        for backend in quorate::solve::Backend::available() {
            assert_eq!(
                masked(first.clone()),
                masked(run(backend.name())),
                "{example}: {}",
                backend.name()
            );
        }
    }
}

#[test]
fn an_unknown_solver_or_time_limit_is_a_usage_error() {
    let (code, _, stderr) = run(&["plan", "--solver", "cplex", GRAPH]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cplex") && stderr.contains("microlp"), "{stderr}");
    let (code, _, _) = run(&["plan", "--time-limit", "0", GRAPH]);
    assert_eq!(code, Some(2));
}

#[test]
fn the_text_and_markdown_runbooks_are_identical_byte_for_byte() {
    for format in ["text", "markdown"] {
        let run = |solver: &str| {
            let output = support::quorate()
                .args([
                    "plan",
                    "-o",
                    format,
                    "--solver",
                    solver,
                    "examples/kubernetes.toml",
                ])
                .output()
                .expect("quorate runs");
            assert_eq!(output.status.code(), Some(0));
            output.stdout
        };
        let first = run("microlp");
        assert_eq!(first, run("microlp"), "{format}: two runs differ");
        for backend in quorate::solve::Backend::available() {
            assert_eq!(first, run(backend.name()), "{format}: {}", backend.name());
        }
    }
}
