//! Every input error of the format contract, one small fixture each.
//!
//! `tests/fixtures/errors/NAME.toml` is a realistic description with one mistake (or, for
//! `several_errors`, several). [`CASES`] says which diagnostics it must produce, as
//! `(code, line, column)` of each primary span in file order. The same fixtures are checked
//! through the library (codes, positions, messages, labels, help lines), through the binary
//! (`quorate check` exits 2) and as rendered text (one insta snapshot per fixture). A property
//! test then throws arbitrary and mutated text at the loader: it must never panic, and every
//! error it reports must point inside the text and say what to do.

use std::collections::BTreeSet;
use std::fmt::Write;

use miette::Diagnostic;
use quorate::{InputError, InputErrors, Source};

use crate::support;

mod trial;

/// One fixture and the diagnostics it must produce.
struct Case {
    name: &'static str,
    /// `(code without the quorate:: prefix, line, column)` of each error, in file order.
    errors: &'static [(&'static str, usize, usize)],
}

const fn case(name: &'static str, errors: &'static [(&'static str, usize, usize)]) -> Case {
    Case { name, errors }
}

/// Every fixture in `tests/fixtures/errors/`, and what it must report.
const CASES: &[Case] = &[
    // TOML syntax: the document is not read further, so only the syntax error is reported.
    case("syntax_unclosed_string", &[("syntax", 3, 20)]),
    case("syntax_bare_value", &[("syntax", 6, 8)]),
    case("syntax_duplicate_key", &[("syntax", 7, 1)]),
    // Unknown keys.
    case("unknown_key_typo", &[("unknown_key", 8, 1)]),
    case("unknown_table_hosts", &[("unknown_key", 5, 3)]),
    // Wrong types.
    case("wrong_type_string_for_number", &[("wrong_type", 6, 7)]),
    case("wrong_type_number_for_name", &[("wrong_type", 11, 8)]),
    case("wrong_type_single_host_table", &[("wrong_type", 4, 1)]),
    // Missing required keys: reported at the header of the table that lacks them.
    case("missing_host_name", &[("missing_key", 6, 1)]),
    case("missing_host_cpu", &[("missing_key", 6, 1)]),
    case("missing_host_memory_gib", &[("missing_key", 6, 1)]),
    case("missing_workload_name", &[("missing_key", 6, 1)]),
    case("missing_workload_host", &[("missing_key", 6, 1)]),
    // Duplicate names: reported at the second declaration.
    case("duplicate_host", &[("duplicate_name", 12, 8)]),
    case("duplicate_workload", &[("duplicate_name", 18, 8)]),
    case("duplicate_fault_domain", &[("duplicate_name", 5, 8)]),
    case("duplicate_member", &[("duplicate_name", 18, 28)]),
    // References to things that do not exist.
    case("unknown_host", &[("unknown_reference", 13, 8)]),
    case("unknown_fault_domain", &[("unknown_reference", 15, 16)]),
    case("unknown_site", &[("unknown_reference", 13, 8)]),
    case("unknown_workload", &[("unknown_reference", 23, 30)]),
    case("unknown_component", &[("unknown_reference", 11, 11)]),
    // Quorums and budgets.
    case("quorum_too_large", &[("invalid_quorum", 20, 10)]),
    case("quorum_zero", &[("invalid_quorum", 19, 10)]),
    case("budget_both_limits", &[("invalid_budget", 18, 1)]),
    // The same with `min_available` written first: the error is still at the second key.
    case("budget_both_limits_min_first", &[("invalid_budget", 18, 1)]),
    case("budget_no_limit", &[("invalid_budget", 14, 1)]),
    // A limit with a bad value is that one error, not also "no limit".
    case("budget_negative_limit", &[("invalid_number", 17, 19)]),
    // Numbers.
    case("negative_number", &[("invalid_number", 4, 14)]),
    case("nan_number", &[("invalid_number", 3, 7)]),
    case("infinite_number", &[("invalid_number", 10, 14)]),
    case("cpu_overcommit_zero", &[("invalid_number", 6, 18)]),
    case("cpu_overcommit_too_large", &[("invalid_number", 7, 18)]),
    case(
        "huge_numbers",
        &[
            ("invalid_number", 4, 7),
            ("invalid_number", 10, 14),
            ("invalid_number", 15, 20),
            ("invalid_number", 15, 50),
        ],
    ),
    // Order cycles: one error per cycle, at the first rule's `before` entry.
    case("order_cycle_two", &[("order_cycle", 10, 11)]),
    case("order_cycle_three", &[("order_cycle", 13, 11)]),
    // Placement rules the description already breaks.
    case(
        "allowed_hosts_exclude_host",
        &[("allowed_hosts_exclude_host", 21, 17)],
    ),
    case("anti_affinity_broken_host", &[("anti_affinity_broken", 25, 32)]),
    case(
        "anti_affinity_broken_fault_domain",
        &[("anti_affinity_broken", 35, 23)],
    ),
    // quorate's own (docs/semantics.md).
    case("invalid_platform", &[("invalid_value", 3, 12)]),
    case("ambiguous_name", &[("ambiguous_name", 22, 12)]),
    case("empty_name", &[("invalid_value", 2, 8)]),
    case(
        "fractional_count",
        &[("wrong_type", 2, 22), ("wrong_type", 8, 19)],
    ),
    case("empty_members", &[("invalid_quorum", 8, 11)]),
    case("votes_for_non_member", &[("unknown_reference", 19, 11)]),
    case("budget_min_available_too_large", &[("invalid_budget", 17, 17)]),
    // Errors of both passes in one file, all reported in one run.
    case(
        "several_errors",
        &[
            ("invalid_number", 6, 22),
            ("unknown_key", 11, 1),
            ("wrong_type", 15, 7),
            ("unknown_reference", 20, 8),
            ("invalid_number", 21, 7),
            ("invalid_quorum", 27, 10),
        ],
    ),
];

/// Help lines an operator needs to fix the mistake: `(fixture, text the help must contain)`.
const HELPS: &[(&str, &str)] = &[
    ("unknown_key_typo", "did you mean `memory_gib`?"),
    ("unknown_table_hosts", "did you mean `[[host]]`?"),
    ("unknown_host", "did you mean `esx-02`?"),
    ("unknown_fault_domain", "did you mean `rack-a`?"),
    ("unknown_site", "did you mean `dc1`?"),
    ("unknown_component", "did you mean the component `vcenter`?"),
    // `zk-0` and `zk-1` are already in the list: suggesting them would be wrong.
    ("unknown_workload", "no workload has a similar name"),
    ("invalid_platform", "did you mean \"vsphere\"?"),
    ("wrong_type_string_for_number", "`cpu = 64`"),
    ("wrong_type_single_host_table", "`[[host]]`"),
    ("missing_host_cpu", "add `cpu = "),
    ("missing_workload_host", "add `host = "),
    ("quorum_too_large", "4 votes"),
    ("budget_both_limits", "exactly one"),
    ("budget_no_limit", "min_available = 1"),
    ("allowed_hosts_exclude_host", "add \"esx-01\" to `allowed_hosts`"),
    ("anti_affinity_broken_host", "mandatory = false"),
    ("syntax_bare_value", "`\"esx-01\"`"),
    ("syntax_duplicate_key", "only once"),
    ("order_cycle_three", "`vcenter`, `nsx-manager`, `esx-01`"),
    // `cp-3` is a host left out of `members`, not a typo of `cp-1`.
    ("votes_for_non_member", "add \"cp-3\" to `members`"),
    ("fractional_count", "`upgrade_minutes = 45`"),
    ("empty_name", "between the quotes"),
    ("cpu_overcommit_zero", "2 for 2:1"),
    ("cpu_overcommit_too_large", "leave the key out for 1"),
];

fn fixture_path(name: &str) -> String {
    format!("tests/fixtures/errors/{name}.toml")
}

fn read_fixture(name: &str) -> Source {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(support::root().join(&path))
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    Source::new(path, text)
}

/// Loads a fixture that must be rejected.
fn errors_of(name: &str) -> InputErrors {
    match quorate::load(&read_fixture(name)) {
        Ok(_) => panic!("{name} loaded, but it has an input error"),
        Err(errors) => errors,
    }
}

fn positions(errors: &InputErrors) -> Vec<(String, usize, usize)> {
    errors
        .errors()
        .iter()
        .map(|e| {
            let (line, column) = errors.source().line_col(e.span().start);
            let code = e.kind().code().trim_start_matches("quorate::").to_string();
            (code, line, column)
        })
        .collect()
}

/// The labels of one error: `(line of the span's start, label text)`.
fn labels(errors: &InputErrors, error: &InputError) -> Vec<(usize, String)> {
    error
        .labels()
        .into_iter()
        .flatten()
        .map(|l| {
            let (line, _) = errors.source().line_col(l.offset());
            (line, l.label().unwrap_or_default().to_string())
        })
        .collect()
}

#[test]
fn every_fixture_has_a_case_and_every_case_a_fixture() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(support::root().join("tests/fixtures/errors"))
        .expect("the fixtures folder exists")
        .map(|entry| entry.expect("a readable folder").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let cased: BTreeSet<String> = CASES.iter().map(|c| c.name.to_string()).collect();
    assert_eq!(on_disk, cased, "fixtures on disk vs CASES");
    assert_eq!(cased.len(), CASES.len(), "a fixture is listed twice in CASES");
}

#[test]
fn the_library_reports_each_error_at_its_line_and_column() {
    let mut report = String::new();
    for case in CASES {
        let actual = positions(&errors_of(case.name));
        let expected: Vec<(String, usize, usize)> = case
            .errors
            .iter()
            .map(|(code, line, column)| (code.to_string(), *line, *column))
            .collect();
        if actual != expected {
            let _ = writeln!(
                report,
                "{}:\n  expected {expected:?}\n  actual   {actual:?}",
                case.name
            );
        }
    }
    assert!(report.is_empty(), "diagnostics differ:\n{report}");
}

#[test]
fn every_error_has_a_message_a_label_and_a_help_line() {
    for case in CASES {
        let errors = errors_of(case.name);
        for error in errors.errors() {
            let context = format!("{}: {}", case.name, error.message());
            assert!(!error.message().trim().is_empty(), "{context}: empty message");
            assert!(!error.is_warning(), "{context}: reported as a warning");
            assert!(
                error.help_text().is_some_and(|h| !h.trim().is_empty()),
                "{context}: no help line"
            );
            let primary = error
                .labels()
                .into_iter()
                .flatten()
                .find(|l| l.primary())
                .unwrap_or_else(|| panic!("{context}: no primary label"));
            assert!(
                primary.label().is_some_and(|l| !l.trim().is_empty()),
                "{context}: the primary label has no text"
            );
            assert_eq!(
                primary.offset(),
                error.span().start,
                "{context}: label and span differ"
            );
        }
    }
}

#[test]
fn help_lines_say_how_to_fix_the_mistake() {
    for (name, wanted) in HELPS {
        let errors = errors_of(name);
        let helps: Vec<&str> = errors.errors().iter().filter_map(|e| e.help_text()).collect();
        assert!(
            helps.iter().any(|h| h.contains(wanted)),
            "{name}: no help line contains {wanted:?}; the help lines are {helps:#?}"
        );
    }
}

#[test]
fn a_misspelt_required_key_is_one_error_at_the_misspelling() {
    // `memory_gb` is both an unknown key and a missing `memory_gib`: one mistake, one error.
    let errors = errors_of("unknown_key_typo");
    let [error] = errors.errors() else {
        panic!("expected one error, got {:#?}", positions(&errors));
    };
    assert_eq!(error.message(), "unknown key `memory_gb` in [[host]]");
    assert_eq!(
        error.help_text(),
        Some("did you mean `memory_gib`? [[host]] requires it")
    );
}

#[test]
fn a_missing_key_that_is_not_misspelt_is_still_reported() {
    // `colour` is not close to `memory_gib`, so both mistakes are reported.
    let text = "[[host]]\nname = \"esx-01\"\ncpu = 64\ncolour = \"red\"\n";
    let errors = support::load("host.toml", text).expect_err("two mistakes");
    let codes: Vec<_> = errors.errors().iter().map(|e| e.kind().code()).collect();
    assert_eq!(codes, ["quorate::missing_key", "quorate::unknown_key"]);
}

#[test]
fn an_order_cycle_names_every_item_and_points_at_every_entry() {
    for (name, items, lines) in [
        (
            "order_cycle_two",
            &["vcenter", "esx-01"][..],
            &[10, 11, 14, 15][..],
        ),
        (
            "order_cycle_three",
            &["vcenter", "nsx-manager", "esx-01"][..],
            &[13, 14, 17, 18, 21, 22][..],
        ),
    ] {
        let errors = errors_of(name);
        let [cycle] = errors.errors() else {
            panic!("{name}: expected one error, got {:#?}", positions(&errors));
        };
        let path = items
            .iter()
            .chain(&items[..1])
            .copied()
            .collect::<Vec<_>>()
            .join(" → ");
        assert_eq!(
            cycle.message(),
            format!("order rules form a cycle: {path}"),
            "{name}"
        );
        let labelled: BTreeSet<usize> = labels(&errors, cycle).into_iter().map(|(l, _)| l).collect();
        let expected: BTreeSet<usize> = lines.iter().copied().collect();
        assert_eq!(labelled, expected, "{name}: lines of the labelled order entries");
    }
}

#[test]
fn duplicates_point_at_both_declarations() {
    for (name, first_line) in [
        ("duplicate_host", 2),
        ("duplicate_workload", 12),
        ("duplicate_fault_domain", 2),
        ("duplicate_member", 18),
    ] {
        let errors = errors_of(name);
        let labels = labels(&errors, &errors.errors()[0]);
        assert!(
            labels
                .iter()
                .any(|(line, text)| *line == first_line && text.starts_with("first")),
            "{name}: no label at the first declaration (line {first_line}): {labels:?}"
        );
    }
}

#[test]
fn a_broken_anti_affinity_group_points_at_both_members_and_the_placement() {
    let errors = errors_of("anti_affinity_broken_host");
    let [error] = errors.errors() else {
        panic!("expected one error, got {:#?}", positions(&errors));
    };
    assert_eq!(
        error.message(),
        "anti-affinity group `db-cluster` is already broken on host `esx-01`"
    );
    let labels = labels(&errors, error);
    assert_eq!(
        labels,
        [
            (25, "`db-03` is also on host `esx-01`".to_string()),
            (25, "`db-01` is on host `esx-01`".to_string()),
            (21, "`db-03` is placed here".to_string()),
        ]
    );
}

#[test]
fn a_should_rule_that_is_already_broken_is_only_a_warning() {
    let fixture = read_fixture("anti_affinity_broken_host");
    let text = format!("{}mandatory = false\n", fixture.text());
    let loaded = support::load_ok("should.toml", &text);
    let [warning] = loaded.warnings.warnings() else {
        panic!("expected one warning");
    };
    assert!(warning.is_warning());
    assert_eq!(warning.kind().code(), "quorate::anti_affinity_broken");
}

#[test]
fn an_unknown_fault_domain_with_none_declared_says_which_table_to_add() {
    let text = "[[host]]\nname = \"esx-01\"\nfault_domain = \"rack-a\"\ncpu = 64\nmemory_gib = 768\n";
    let errors = support::load("host.toml", text).expect_err("rack-a is not declared");
    let [error] = errors.errors() else {
        panic!("expected one error, got {:#?}", positions(&errors));
    };
    assert_eq!(
        error.help_text(),
        Some("no fault domain is declared; add a [[fault_domain]] table")
    );
}

#[test]
fn quantities_and_counts_have_an_upper_bound() {
    // Sums of quantities and votes must not overflow, so the parse pass bounds each value.
    let ok = "[[host]]\nname = \"a\"\ncpu = 1000000000\nmemory_gib = 1e9\n";
    support::load_ok("max.toml", ok);
    let too_large = "[[host]]\nname = \"a\"\ncpu = 1000000000.5\nmemory_gib = 1\n";
    let errors = support::load("big.toml", too_large).expect_err("over the bound");
    assert_eq!(errors.errors()[0].message(), "`cpu` is too large");
    let votes = "[[host]]\nname = \"a\"\ncpu = 1\nmemory_gib = 1\n\
                 [[quorum_group]]\nname = \"g\"\nmembers = [\"a\"]\nvotes = { a = 4294967296 }\n";
    let errors = support::load("votes.toml", votes).expect_err("over the bound");
    assert_eq!(errors.errors()[0].message(), "`votes` is too large");
}

#[test]
fn the_binary_exits_2_and_renders_every_error_with_its_position() {
    for case in CASES {
        let path = fixture_path(case.name);
        let output = support::quorate()
            .current_dir(support::root())
            .args(["check", &path])
            .output()
            .expect("quorate runs");
        let stderr = String::from_utf8(output.stderr).expect("UTF-8 diagnostics");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: exit status; stderr:\n{stderr}",
            case.name
        );
        assert!(output.stdout.is_empty(), "{}: printed a summary", case.name);
        for (code, line, column) in case.errors {
            let at = format!("[{path}:{line}:{column}]");
            assert!(stderr.contains(&at), "{}: {at} is not in:\n{stderr}", case.name);
            assert!(
                stderr.contains(&format!("quorate::{code}")),
                "{}: no {code}",
                case.name
            );
        }
        assert!(
            !stderr.contains('\u{1b}'),
            "{}: colour escapes with NO_COLOR",
            case.name
        );
        insta::assert_snapshot!(case.name, stderr);
    }
}

/// Robustness: arbitrary and mutated text never panics the loader, and every error it reports
/// points inside the text and says what to do.
mod robustness {
    use proptest::prelude::*;
    use quorate::Source;
    use quorate::graph::{ClusterGraph, dot};
    use quorate::summary::Summary;

    /// A valid description that uses every kind of table, for mutation.
    const VALID: &str = include_str!("fixtures/cli/graph.toml");

    /// Values that are wrong somewhere: wrong types, bad numbers, odd names.
    const VALUES: &[&str] = &[
        "-1",
        "0",
        "nan",
        "-inf",
        "inf",
        "1e300",
        "99999999999999999999",
        "1.5",
        "\"\"",
        "\"x\"",
        "\"esx-01\"",
        "\"a\\u0007b\"",
        "[]",
        "[\"esx-01\", \"esx-01\"]",
        "{}",
        "{ \"esx-01\" = 4294967296 }",
        "true",
        "1979-05-27",
    ];

    fn mutate(text: &str, edits: &[(u8, usize, usize)]) -> String {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for &(op, i, j) in edits {
            if lines.is_empty() {
                break;
            }
            let i = i % lines.len();
            let j = j % lines.len();
            match op % 5 {
                0 => {
                    lines.remove(i);
                }
                1 => {
                    let line = lines[i].clone();
                    lines.insert(j, line);
                }
                2 => lines[i] = lines[j].clone(),
                3 => {
                    // Flip a value: keep the key, put in a value from the list.
                    if let Some((key, _)) = lines[i].split_once('=') {
                        lines[i] = format!("{key}= {}", VALUES[j % VALUES.len()]);
                    }
                }
                _ => {
                    // Rename a key to another line's key.
                    if let (Some((_, value)), Some((key, _))) =
                        (lines[i].split_once('='), lines[j].split_once('='))
                    {
                        lines[i] = format!("{key}={value}");
                    }
                }
            }
        }
        lines.join("\n")
    }

    /// Loads `text` and checks everything an operator relies on; panics are failures too.
    fn check(text: &str) {
        let source = Source::new("fuzz.toml", text);
        match quorate::load(&source) {
            Ok(loaded) => {
                // What `check` and `graph` do with a valid description must not panic either.
                let _ = Summary::new(&loaded.cluster).to_string();
                let _ = dot::render(&loaded.cluster, &ClusterGraph::new(&loaded.cluster));
            }
            Err(errors) => {
                assert!(!errors.errors().is_empty(), "an Err with no errors");
                for error in errors.errors() {
                    let span = error.span();
                    assert!(!error.message().trim().is_empty(), "empty message");
                    assert!(
                        error.help_text().is_some_and(|h| !h.trim().is_empty()),
                        "no help line for {:?}",
                        error.message()
                    );
                    assert!(
                        span.start <= span.end && span.end <= text.len(),
                        "span {span:?} outside the text ({} bytes) for {:?}",
                        text.len(),
                        error.message()
                    );
                    assert!(
                        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                        "span {span:?} splits a character for {:?}",
                        error.message()
                    );
                }
                // Rendering, as the binary does, must not panic on any span.
                let handler =
                    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                        .with_width(100);
                let mut out = String::new();
                handler.render_report(&mut out, &errors).expect("renders");
            }
        }
    }

    #[test]
    fn the_valid_base_loads() {
        crate::support::load_ok("graph.toml", VALID);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn mutated_descriptions_never_panic(
            edits in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..8)
        ) {
            check(&mutate(VALID, &edits));
        }

        #[test]
        fn toml_like_text_never_panics(text in "[\\[\\]{}=\"',.#a-z0-9_ \\-\n\t]{0,300}") {
            check(&text);
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            check(&text);
        }
    }
}
