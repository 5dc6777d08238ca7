//! The shapes of assert commands, shared by the platforms.
//!
//! An assert reads one value with the platform's tool (often through `jq`), compares it with
//! what the model expects, prints `ok: …` and exits 0 when it holds, and otherwise prints
//! `expected WHAT: EXPECTED, observed: OBSERVED` and exits non-zero. POSIX asserts never call
//! `exit`, so that pasting one into an interactive shell does not close it; their status is
//! that of their last command. PowerShell asserts `throw`, which stops a script and sets `$?`.
//!
//! Every literal goes in through [`sh`] or [`ps`]; `what` is already a shell word (a quoted
//! name, or `"$n"` inside a loop).

use crate::model::Resource;
use crate::model::resources::decimal;
use crate::runbook::expect::Expectation;
use crate::runbook::quote::{ps, sh, sh_words};

/// Names as `&str`, for [`each`].
pub fn strs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

/// How the observed value is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Test<'a> {
    /// Equal to this text.
    Equals(&'a str),
    /// A whole number at least this large.
    AtLeast(u64),
    /// Anything but this text.
    Not(&'a str),
    /// A decimal number (`57.6`, `1e+03`) at least this large, itself a decimal.
    AtLeastAmount(&'a str),
}

impl Test<'_> {
    fn words(self) -> String {
        match self {
            Test::Equals(text) => text.to_string(),
            Test::AtLeast(n) => format!("at least {n}"),
            Test::AtLeastAmount(n) => format!("at least {n}"),
            Test::Not(text) => format!("not {text}"),
        }
    }
}

/// A POSIX assert: `observe` prints the value (its standard output, trailing newlines
/// dropped), `what` (a shell word) names what it is.
pub fn compare(what: &str, observe: &str, test: Test<'_>) -> String {
    let condition = match test {
        Test::Equals(text) => format!("[ \"$o\" = {} ]", sh(text)),
        // `[` fails (status 2) on an empty or non-numeric value: the assert fails too.
        Test::AtLeast(n) => format!("[ \"$o\" -ge {n} ] 2>/dev/null"),
        // awk compares numbers; anything but a number (nothing, `null`) fails the match.
        Test::AtLeastAmount(n) => format!(
            "awk -v o=\"$o\" -v n={} 'BEGIN {{ exit !(o ~ /^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$/ && o + 0 >= n + 0) }}'",
            sh(n)
        ),
        // Nothing observed (the tool failed, its output lost in a pipe) is not "anything but".
        Test::Not(text) => format!("[ -n \"$o\" ] && [ \"$o\" != {} ]", sh(text)),
    };
    let expected = sh(&test.words());
    format!(
        "o=$({observe}); if {condition}; then printf 'ok: %s: %s\\n' {what} \"$o\"; else printf \
         'expected %s: %s, observed: %s\\n' {what} {expected} \"$o\"; false; fi"
    )
}

/// A POSIX assert that `run` exits 0; its output is the observed value when it does not.
pub fn succeeds(what: &str, run: &str, expected: &str) -> String {
    format!(
        "if o=$({run} 2>&1); then printf 'ok: %s\\n' {what}; else printf 'expected %s: %s, \
         observed: %s\\n' {what} {} \"$o\"; false; fi",
        sh(expected)
    )
}

/// `body` (an assert, given the shell word of a name) for every one of `names`; fails when
/// any of them fails, after trying them all.
pub fn each(names: &[&str], body: impl Fn(&str) -> String) -> String {
    match names {
        [one] => body(&sh(one)),
        _ => format!(
            "rc=0; for n in {}; do {} || rc=1; done && [ \"$rc\" = 0 ]",
            sh_words(names.iter().copied()),
            body("\"$n\"")
        ),
    }
}

/// A command printing the sum of what `counts` print (each prints one whole number), or the
/// one of them there is; `None` when there is none.
pub fn sum(counts: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let counts: Vec<String> = counts.into_iter().flatten().collect();
    match counts.len() {
        0 => None,
        1 => counts.into_iter().next(),
        _ => Some(format!(
            "echo $(( {} ))",
            counts
                .iter()
                .map(|c| format!("$({c})"))
                .collect::<Vec<_>>()
                .join(" + ")
        )),
    }
}

/// Asserts one after the other, stopping at the first that fails.
pub fn all(asserts: impl IntoIterator<Item = String>) -> Option<String> {
    let parts: Vec<String> = asserts.into_iter().map(|a| format!("{{ {a}; }}")).collect();
    match parts.len() {
        0 => None,
        1 => Some(parts[0][2..parts[0].len() - 3].to_string()),
        _ => Some(parts.join(" && ")),
    }
}

/// `cpu` or `memory`, as `resource` is; `None` for storage, which no platform's tool places
/// on a host (disks sit on shared datastores, volumes or pools): a storage capacity check
/// stays in words.
pub fn cpu_or_memory<T>(resource: Resource, cpu: T, memory: T) -> Option<T> {
    match resource {
        Resource::Cpu => Some(cpu),
        Resource::Memory => Some(memory),
        Resource::Storage => None,
    }
}

/// What a capacity assert names: `'free cpu (cores)'`.
fn free_what(resource: Resource) -> String {
    sh(&format!("free {resource} ({})", resource.unit()))
}

/// What a capacity assert needs from `expectation`, an `Expectation::Capacity`: its
/// resource, the command `rooms` gives for its hosts, the scale factor and what must be free,
/// as decimals. `None` for another kind, or where `rooms` has no command for the resource.
fn capacity_parts(
    expectation: &Expectation,
    rooms: impl Fn(Resource, &[String]) -> Option<String>,
) -> Option<(Resource, String, String, String)> {
    match expectation {
        Expectation::Capacity {
            resource,
            hosts,
            needed,
            scale,
        } => Some((
            *resource,
            rooms(*resource, hosts)?,
            scale.decimal(),
            decimal(*needed),
        )),
        _ => None,
    }
}

/// The assert of `expectation`, an `Expectation::Capacity`, or `None` for another kind or
/// where `rooms` has no command for its resource. `rooms` gives a command printing a JSON array
/// with one `{"cap": C, "load": L}` per listed host that is up, in the resource's unit (cores,
/// GiB): its raw capacity and the demand of the workloads on it. The assert scales each
/// capacity as the model does ([`crate::rules::capacity::Scale`], to thousandths, rounded
/// down), keeps each host's room at least zero, and compares the sum with what the
/// expectation needs.
pub fn free_room(
    expectation: &Expectation,
    rooms: impl Fn(Resource, &[String]) -> Option<String>,
) -> Option<String> {
    let (resource, rooms, factor, needed) = capacity_parts(expectation, rooms)?;
    Some(compare(
        &free_what(resource),
        &format!(
            "{rooms} | jq 'map([0, ((.cap * {factor} * 1000 | floor) / 1000) - .load] | max) | add // 0 | \
             (. * 1000 | floor) / 1000'"
        ),
        Test::AtLeastAmount(&needed),
    ))
}

/// [`free_room`] in PowerShell: `rooms` gives an expression with one object with `Cap` and
/// `Load` per listed host that is up.
pub fn ps_free_room(
    expectation: &Expectation,
    rooms: impl Fn(Resource, &[String]) -> Option<String>,
) -> Option<String> {
    let (resource, rooms, factor, needed) = capacity_parts(expectation, rooms)?;
    Some(ps_compare(
        &ps(&format!("free {resource} ({})", resource.unit())),
        &format!(
            "[math]::Floor(((@({rooms}) | ForEach-Object {{ [math]::Max(0, [math]::Floor($_.Cap * {factor} * \
             1000) / 1000 - $_.Load) }} | Measure-Object -Sum).Sum) * 1000) / 1000"
        ),
        Test::AtLeastAmount(&needed),
    ))
}

/// A PowerShell assert: `observe` is an expression whose value is compared; `what` is a
/// PowerShell expression naming what it is (a quoted name, or `$n` inside a loop). It throws
/// on failure, so a script stops there and `$?` is false.
pub fn ps_compare(what: &str, observe: &str, test: Test<'_>) -> String {
    let condition = match test {
        Test::Equals(text) => format!("\"$o\" -eq {}", ps(text)),
        Test::AtLeast(n) => format!("[int64]\"$o\" -ge {n}"),
        Test::AtLeastAmount(n) => format!("\"$o\" -ne '' -and [double]\"$o\" -ge {n}"),
        Test::Not(text) => format!("\"$o\" -ne {}", ps(text)),
    };
    format!(
        "$o = {observe}; if ({condition}) {{ 'ok: {{0}}: {{1}}' -f {what}, \"$o\" }} else {{ throw \
         ('expected {{0}}: {{1}}, observed: {{2}}' -f {what}, {}, \"$o\") }}",
        ps(&test.words())
    )
}

/// [`ps_compare`]s for every one of `names`: `body` gets `$n`, or the quoted name when there
/// is one.
pub fn ps_each(names: &[&str], body: impl Fn(&str) -> String) -> String {
    match names {
        [one] => body(&ps(one)),
        _ => format!(
            "foreach ($n in @({})) {{ {} }}",
            crate::runbook::quote::ps_list(names.iter().copied()),
            body("$n")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh_ok(command: &str) -> bool {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .output()
            .expect("sh runs")
            .status
            .success()
    }

    #[test]
    fn nothing_observed_fails_every_test() {
        for test in [
            Test::Equals("online"),
            Test::AtLeast(1),
            Test::Not("online"),
            Test::AtLeastAmount("0"),
        ] {
            assert!(!sh_ok(&compare("x", "false | cat", test)), "{test:?}");
        }
        assert!(sh_ok(&compare("x", "echo maintenance", Test::Not("online"))));
        assert!(!sh_ok(&compare("x", "echo online", Test::Not("online"))));
    }

    #[test]
    fn amounts_compare_as_decimal_numbers() {
        let at_least = |o: &str, n: &str| sh_ok(&compare("x", &format!("echo {o}"), Test::AtLeastAmount(n)));
        assert!(at_least("57.6", "57.6"));
        assert!(at_least("100", "57.6"));
        assert!(at_least("1e+03", "999.5"));
        assert!(!at_least("57.599", "57.6"));
        assert!(!at_least("9", "10"));
        assert!(!at_least("-1", "0"));
        assert!(!at_least("null", "0"));
    }

    #[test]
    fn all_of_one_assert_is_that_assert() {
        assert_eq!(all(["a".to_string()]).as_deref(), Some("a"));
        assert_eq!(
            all(["a".to_string(), "b".to_string()]).as_deref(),
            Some("{ a; } && { b; }")
        );
        assert_eq!(all(Vec::new()), None);
    }
}
