//! What an operator trial found (issue 13): mistakes made on purpose in realistic files, and the
//! diagnostics they must give. Each test failed before its fix.

use super::{errors_of, labels, positions};

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
