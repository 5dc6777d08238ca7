//! Plan files never make quorate panic: arbitrary text and mutations of real plans (TOML and
//! JSON) are read, and whatever reads is validated; every error has a span inside the text.

use proptest::prelude::*;
use quorate::Source;
use quorate::planfile;
use quorate::validate::validate;

use crate::support;

const CLUSTER: &str = "examples/vsan-16-hosts.toml";

fn cluster() -> quorate::model::Cluster {
    let text = std::fs::read_to_string(support::root().join(CLUSTER)).expect("the example");
    support::load_ok(CLUSTER, &text).cluster
}

fn plan_text(format: &str) -> String {
    let output = support::quorate()
        .args(["plan", "-o", format, CLUSTER])
        .output()
        .expect("quorate runs");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Deletes, duplicates, swaps or cuts lines and characters of `text`.
fn mutate(text: &str, edits: &[(u8, usize, usize)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for &(op, i, j) in edits {
        if lines.is_empty() {
            break;
        }
        let (i, j) = (i % lines.len(), j % lines.len());
        match op % 4 {
            0 => {
                lines.remove(i);
            }
            1 => {
                let line = lines[i].clone();
                lines.insert(j, line);
            }
            2 => lines.swap(i, j),
            _ => {
                let cut = j % (lines[i].len() + 1);
                if lines[i].is_char_boundary(cut) {
                    lines[i].truncate(cut);
                }
            }
        }
    }
    lines.join("\n")
}

fn check(cluster: &quorate::model::Cluster, text: &str) {
    let source = Source::new("plan", text);
    match planfile::read(&source) {
        Ok(plan) => {
            let validation = validate(cluster, &plan);
            for v in &validation.violations {
                assert!(!v.message.is_empty());
                if let Some(span) = &v.span {
                    assert!(span.end <= text.len(), "a span past the end: {span:?}");
                }
            }
        }
        Err(errors) => {
            for e in errors.errors() {
                assert!(!e.message().is_empty());
                assert!(e.span().end <= text.len(), "a span past the end: {:?}", e.span());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn mutated_plans_never_panic(
        json in any::<bool>(),
        edits in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..6),
    ) {
        thread_local! {
            static PLANS: (String, String) = (plan_text("toml"), plan_text("json"));
        }
        let base = PLANS.with(|(toml, json_text)| if json { json_text.clone() } else { toml.clone() });
        check(&cluster(), &mutate(&base, &edits));
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&cluster(), &text);
    }

    #[test]
    fn plan_like_text_never_panics(text in "[\\[\\]{}=\":,.#a-z0-9_ \\-\n]{0,200}") {
        check(&cluster(), &text);
    }
}
