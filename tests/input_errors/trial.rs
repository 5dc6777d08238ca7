//! What an operator trial found (issue 13): mistakes made on purpose in realistic files, and the
//! diagnostics they must give. Each test failed before its fix.

use super::{errors_of, labels, positions};
use crate::support;

/// Item 6: "first limit" and "second limit" follow the file, whichever key is written first.
#[test]
fn a_budget_with_both_limits_labels_them_in_file_order() {
    for (name, first, second) in [
        ("budget_both_limits", "max_unavailable", "min_available"),
        ("budget_both_limits_min_first", "min_available", "max_unavailable"),
    ] {
        let errors = errors_of(name);
        let [error] = errors.errors() else {
            panic!("{name}: expected one error, got {:#?}", positions(&errors));
        };
        let text = errors.source().text();
        let key_at = |line: usize| {
            text.lines()
                .nth(line - 1)
                .and_then(|l| l.split('=').next())
                .map(str::trim)
                .unwrap_or_default()
                .to_string()
        };
        let labelled: Vec<(String, String)> = labels(&errors, error)
            .into_iter()
            .map(|(line, label)| (label, key_at(line)))
            .collect();
        assert_eq!(
            labelled,
            [
                ("second limit".to_string(), second.to_string()),
                ("first limit".to_string(), first.to_string()),
            ],
            "{name}"
        );
    }
}

/// Runs `quorate check -` on `text`: exit code and standard error.
fn check(text: &str) -> (Option<i32>, String) {
    let output = support::quorate()
        .args(["check", "-"])
        .write_stdin(text)
        .output()
        .expect("quorate runs");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 diagnostics");
    (output.status.code(), stderr)
}

/// The Proxmox example, a realistic 9-node file with comments between the tables.
fn proxmox() -> String {
    std::fs::read_to_string(support::root().join("examples/proxmox-ceph.toml")).expect("the example")
}

/// Diagnostics drawn in a report (errors and warnings, not the summary line).
fn drawn(stderr: &str) -> usize {
    stderr.lines().filter(|l| l.starts_with("Error: ")).count()
}

/// Item 4: one missing `]` in a `members` array gave 889 errors, the last blaming a line far
/// below. Now it is one error, at the bracket that is never closed, with its last entry marked.
#[test]
fn a_missing_bracket_in_members_is_one_error_at_the_bracket() {
    let text = proxmox();
    let line = "members = [\"pve01\", \"pve02\", \"pve03\", \"pve04\", \"pve05\", \"pve06\", \"pve07\", \"pve08\", \"pve09\"]";
    assert_eq!(text.matches(line).count(), 1, "the example changed");
    let broken = text.replace(line, line.trim_end_matches(']'));
    let (code, stderr) = check(&broken);
    assert_eq!(code, Some(2));
    assert_eq!(drawn(&stderr), 1, "{stderr}");
    assert!(stderr.contains("<stdin>: 1 input error"), "{stderr}");
    assert!(stderr.contains("[<stdin>:123:11]"), "{stderr}");
    assert!(stderr.contains("the array `members` is never closed"), "{stderr}");
    insta::assert_snapshot!(stderr);
}

/// Item 4: the same at the end of the file, where toml says "unclosed array" at the end of the
/// text; and an inline table.
#[test]
fn an_unclosed_array_or_inline_table_is_reported_where_it_opens() {
    let (code, stderr) = check(
        "[[host]]\nname = \"a\"\ncpu = 1\nmemory_gib = 1\n\n[[quorum_group]]\nname = \"g\"\nmembers = [\"a\", \"b\"\n",
    );
    assert_eq!(code, Some(2));
    assert_eq!(drawn(&stderr), 1, "{stderr}");
    assert!(stderr.contains("[<stdin>:8:11]"), "{stderr}");
    let (code, stderr) = check(
        "[[host]]\nname = \"a\"\ncpu = 1\nmemory_gib = 1\n\n[[quorum_group]]\nname = \"g\"\nmembers = [\"a\"]\nvotes = { a = 2\n\n[[host]]\nname = \"b\"\n",
    );
    assert_eq!(code, Some(2));
    assert_eq!(drawn(&stderr), 1, "{stderr}");
    assert!(stderr.contains("[<stdin>:9:9]"), "{stderr}");
    assert!(
        stderr.contains("the inline table `votes` is never closed"),
        "{stderr}"
    );
}

/// Item 4: an error inside an array that is closed later, or a string left open, keeps toml's
/// own message at toml's position: the brackets are not to blame.
#[test]
fn an_array_that_closes_later_is_not_blamed() {
    let (_, stderr) = check("[[quorum_group]]\nname = \"g\"\nmembers = [\n  \"a\"\n  \"b\",\n]\n");
    assert!(
        stderr.contains("missing comma between array elements"),
        "{stderr}"
    );
    assert!(stderr.contains("[<stdin>:5:3]"), "{stderr}");
    let (_, stderr) =
        check("[[quorum_group]]\nname = \"g\"\nmembers = [\"a\", \"b]\n\n[[host]]\nname = \"c\"\n");
    assert!(stderr.contains("invalid basic string"), "{stderr}");
    assert_eq!(drawn(&stderr), 1, "{stderr}");
}

/// Item 4: duplicate keys are each a mistake the parser reads past cleanly, so they are all
/// reported, up to the first other syntax error, which ends the report.
#[test]
fn duplicate_keys_are_reported_up_to_the_first_other_syntax_error() {
    let text = "[[host]]\nname = \"a\"\nname = \"b\"\ncpu = 1\ncpu = 2\nmemory_gib = oops\nname = \"c\"\n\n[[host]]\nname = \"d\"\nname = \"e\"\n";
    let (code, stderr) = check(text);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr.matches("TOML syntax error: duplicate key").count(),
        2,
        "{stderr}"
    );
    assert_eq!(drawn(&stderr), 3, "{stderr}");
    assert!(stderr.contains("[<stdin>:6:14]"), "{stderr}");
}

/// Item 4: `[[hosts]]` for `[[host]]` gave the right first error and 60 more, one per reference
/// to a host, some with a suggestion that pointed elsewhere (`did you mean the workload
/// mon.pve01?`). Now it is the one error, saying how many references it leaves unknown.
#[test]
fn a_misnamed_host_table_is_one_error_that_counts_the_references() {
    let text = proxmox();
    let hosts = text.matches("\n[[host]]\n").count();
    assert_eq!(hosts, 9, "the example changed");
    let broken = text.replace("\n[[host]]\n", "\n[[hosts]]\n");
    let (code, stderr) = check(&broken);
    assert_eq!(code, Some(2));
    assert_eq!(drawn(&stderr), 1, "{stderr}");
    assert!(
        stderr
            .contains("60 references to hosts are unknown because `[[hosts]]` is not a table quorate knows"),
        "{stderr}"
    );
    assert!(!stderr.contains("did you mean the workload"), "{stderr}");
    insta::assert_snapshot!(stderr);

    // A reference to a name no table declares is still its own error.
    let typo = broken.replacen("host = \"pve01\"", "host = \"pve10\"", 1);
    assert_ne!(typo, broken, "the example changed");
    let (code, stderr) = check(&typo);
    assert_eq!(code, Some(2));
    assert_eq!(drawn(&stderr), 2, "{stderr}");
    assert!(stderr.contains("unknown host `pve10`"), "{stderr}");
    assert!(stderr.contains("59 references to hosts"), "{stderr}");
}
