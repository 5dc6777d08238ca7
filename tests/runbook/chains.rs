//! No emitted command masks a failure with `;`: in `a; b` the status is `b`'s whatever `a` did,
//! so `ceph orch host ls; ceph osd tree` "passed" on a cluster without cephadm. Every command,
//! assert and step of every example (and of a Ceph cluster with and without cephadm) is
//! scanned: a `;` that separates two commands is allowed only where the first cannot fail or
//! its failure is judged by what follows (bash(1), "Lists": commands separated by `;` run
//! sequentially and the status is that of the last command).
//!
//! PowerShell (Hyper-V) is not scanned here: its asserts `throw`, which ends the whole command.

use quorate::model::Platform;
use quorate::runbook::{Runbook, build};

use super::asserts::book_of;
use super::examples;

/// The words after which `;` is grammar, not a list separator.
const GRAMMAR: &[&str] = &["then", "do", "done", "fi", "esac", "else", "elif", "}", ")"];

/// The `;`-chains of `cmd` (and of the command substitutions inside it) that mask a failure,
/// each as the text around it.
fn masked(cmd: &str) -> Vec<String> {
    let mut found = Vec::new();
    let skeleton = skeleton(cmd, &mut found);
    let tokens = tokens(&skeleton);
    for (i, t) in tokens.iter().enumerate() {
        if t != ";" {
            continue;
        }
        let next = tokens.get(i + 1).map(String::as_str).unwrap_or("");
        if next.is_empty() || GRAMMAR.contains(&next) || next == "false" {
            continue;
        }
        // The simple command before the `;`.
        let start = tokens[..i]
            .iter()
            .rposition(|t| {
                matches!(
                    t.as_str(),
                    ";" | ";;" | "&&" | "||" | "|" | "then" | "do" | "else" | "{" | "("
                )
            })
            .map_or(0, |p| p + 1);
        let before = &tokens[start..i];
        let assignment = before.len() == 1 && before[0].split_once('=').is_some_and(|(n, _)| is_name(n));
        // `o=$(…); if [ "$o" = … ]`: the value is judged, and an empty one fails.
        let judged = assignment && (!before[0].contains('$') || next == "if" || next == "[");
        // `n=0; for …; do [ … ] && n=$((n + 1)); done; echo "$n"`: a count, which a failing
        // tool only makes smaller, for an assert that wants at least so many.
        let count = before == ["done"] && next == "echo" && tokens.get(i + 2).is_some_and(|t| t == "Q");
        let harmless = judged || count;
        if !harmless {
            found.push(format!("`{}` ; `{next}` in: {cmd}", before.join(" ")));
        }
    }
    found
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `cmd` with quoted text replaced by `Q` and command substitutions by `$S` (each scanned on
/// its own, its findings added to `found`).
fn skeleton(cmd: &str, found: &mut Vec<String>) -> String {
    let chars: Vec<char> = cmd.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                out.push('E');
                i += 2;
            }
            '\'' => {
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push('Q');
            }
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 2;
                    } else if chars[i] == '$' && chars.get(i + 1) == Some(&'(') {
                        i = substitution(&chars, i, found);
                    } else {
                        i += 1;
                    }
                }
                i += 1;
                out.push('Q');
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                i = substitution(&chars, i, found);
                out.push_str("$S");
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Scans the `$( … )` that starts at `at`; the index after its `)`.
fn substitution(chars: &[char], at: usize, found: &mut Vec<String>) -> usize {
    let mut depth = 0;
    let mut i = at + 1;
    let mut quote = None;
    while i < chars.len() {
        match (quote, chars[i]) {
            (None, '\'' | '"') => quote = Some(chars[i]),
            (Some(q), c) if c == q => quote = None,
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    let inner: String = chars[at + 2..i].iter().collect();
                    found.extend(masked(&inner));
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The words and operators of a skeleton.
fn tokens(skeleton: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = skeleton.chars().collect();
    let mut i = 0;
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            out.push(std::mem::take(word));
        }
    };
    while i < chars.len() {
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if matches!(two.as_str(), ";;" | "&&" | "||") {
            flush(&mut word, &mut out);
            out.push(two);
            i += 2;
            continue;
        }
        match chars[i] {
            ';' | '|' | '(' | ')' | '\n' => {
                flush(&mut word, &mut out);
                out.push(if chars[i] == '\n' {
                    ";".into()
                } else {
                    chars[i].to_string()
                });
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
        i += 1;
    }
    flush(&mut word, &mut out);
    out
}

/// Every command, assert and step command of `book`.
pub(crate) fn commands(book: &Runbook) -> Vec<String> {
    let mut out = Vec::new();
    for wave in &book.waves {
        for check in wave.pre_checks.iter().chain(&wave.post_checks) {
            out.extend(check.command.clone());
            out.extend(check.assert.clone());
        }
        out.extend(wave.steps.iter().filter_map(|s| s.command.clone()));
    }
    out
}

#[test]
fn the_scanner_finds_a_masked_chain_and_accepts_what_cannot_mask() {
    // What the real run found, and its fix.
    assert_eq!(masked("ceph orch host ls; ceph osd tree").len(), 1);
    assert!(masked("ceph orch host ls && ceph osd tree").is_empty());
    // A masked chain inside a loop body and inside a command substitution.
    assert_eq!(
        masked("for n in 'a' 'b'; do ceph osd ls-tree \"$n\"; echo; done").len(),
        1
    );
    assert_eq!(masked("o=$(ceph health; true); [ \"$o\" = x ]").len(), 1);
    assert_eq!(
        masked("ceph -s; o=$(ceph health && true); [ \"$o\" = x ]").len(),
        1
    );
    // Grammar, quoted text, an assignment that cannot fail, an assignment the `if` judges.
    assert!(masked("rc=0; for n in 'a' 'b'; do x \"$n\" || rc=1; done && [ \"$rc\" = 0 ]").is_empty());
    assert!(masked("o=$(ceph health -f json | jq -r '.a; .b'); if [ \"$o\" = 'x;y' ]; then printf 'ok\\n'; else printf 'no\\n'; false; fi").is_empty());
    assert!(masked("case \"$a\" in 'h1'|'h1'.*) ceph mgr fail \"$a\";; esac && ceph osd tree").is_empty());
    assert!(masked("{ [ -z \"$ids\" ] || ceph osd ok-to-stop $ids; }").is_empty());
}

#[test]
fn no_emitted_command_of_any_example_masks_a_failure_with_a_semicolon() {
    let mut books: Vec<(String, Runbook)> = examples()
        .into_iter()
        .filter(|(_, cluster, _)| cluster.platform != Platform::Hyperv)
        .map(|(name, cluster, plan)| (name, build(&cluster, &plan)))
        .collect();
    assert!(books.len() >= 6, "{}", books.len());
    // Ceph has no example file: one cluster with cephadm, one without.
    for component in ["cephadm", "ceph"] {
        let extra = format!("[[component]]\nname = \"{component}\"\ntarget_version = \"18.2.4\"\n");
        let (_, book) = book_of(
            "ceph",
            "18.2.2",
            "18.2.4",
            &extra,
            &[&["h1", "h2"], &["h3"], &[component]],
        );
        books.push((format!("ceph with component {component}"), book));
    }
    let mut bad = Vec::new();
    let mut scanned = 0;
    for (name, book) in &books {
        for cmd in commands(book) {
            scanned += 1;
            bad.extend(masked(&cmd).into_iter().map(|m| format!("{name}: {m}")));
        }
    }
    assert!(scanned > 200, "{scanned}");
    assert!(
        bad.is_empty(),
        "{} masked chains:\n{}",
        bad.len(),
        bad.join("\n\n")
    );
}

/// A command run for several hosts runs for every one and fails when one of them failed: a
/// plain `for` loop exits with the last host's status, so a failure on any other was lost.
#[test]
fn a_loop_over_hosts_fails_when_any_host_failed_and_still_runs_them_all() {
    let (_, book) = super::asserts::book("proxmox", "8.1", "8.2", "");
    let command = book.waves[0]
        .pre_checks
        .iter()
        .find_map(|c| c.command.clone().filter(|c| c.contains("/version")))
        .expect("a version check");
    assert!(
        command.starts_with("(rc=0; for n in 'h1' 'h2' 'h3'; do"),
        "{command}"
    );
    let stubs = super::asserts::Stubs::new("chains-loop");
    // `/nodes/NODE/version`: `release`, `version`, `repoid` (pve-manager PVE/API2/Nodes.pm,
    // PVE::API2::Version).
    let answer = r#"{"release":"8.1","version":"8.1.4","repoid":"ec5affc9e41f1d79"}"#;
    stubs.tool(
        "pvesh",
        &[
            super::asserts::ok("get /nodes/h1/version", answer),
            super::asserts::fails("get /nodes/h2/version", "hostname lookup 'h2' failed\n", 255),
            super::asserts::ok("get /nodes/h3/version", answer),
        ],
    );
    let (ran, out) = stubs.run(&command);
    assert!(!ran, "{out}");
    assert_eq!(stubs.calls().len(), 3, "{:?}", stubs.calls());
    stubs.tool("pvesh", &[super::asserts::ok("get /nodes/", answer)]);
    let (ran, out) = stubs.run(&command);
    assert!(ran, "{out}");
}
