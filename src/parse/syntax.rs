//! TOML syntax errors as input errors, and which of them to report.
//!
//! toml's recovering parser reads on after a syntax error and reports what it finds, but after
//! most errors it is guessing: one missing `]` in a `members` array made it report 889 errors,
//! the last one 250 lines further down. Duplicate keys are the exception: the parser reads past
//! each cleanly, and each is a mistake of its own. So the report holds the duplicate keys up to
//! the first other syntax error, that error, and nothing after it.
//!
//! An array or inline table that is never closed is reported where it opens, not where the
//! parser noticed: the parser notices only at the next line that cannot be part of it, which
//! may be many lines and comments later.

use crate::diagnostic::{ErrorKind, InputError};
use crate::limits::Limits;
use crate::source::Span;

/// The syntax errors to report, in file order, and how many more duplicate keys there are
/// beyond `limits.diagnostics`.
pub(super) fn reported(
    text: &str,
    mut syntax: Vec<toml::de::Error>,
    limits: &Limits,
) -> (Vec<InputError>, usize) {
    syntax.sort_by_key(|e| e.span().map_or(0, |s| s.start));
    let stop = syntax.iter().position(|e| !is_duplicate_key(e));
    let (duplicates, stop) = match stop {
        Some(at) => {
            let stop = syntax.swap_remove(at);
            syntax.truncate(at);
            (syntax, Some(stop))
        }
        None => (syntax, None),
    };
    // A file of a million duplicate keys has a million syntax errors: keep the first few.
    let keep = limits.diagnostics.max(1);
    let total = duplicates.len() + usize::from(stop.is_some());
    let more = total.saturating_sub(keep);
    let mut errors: Vec<InputError> = duplicates
        .into_iter()
        .take(keep.saturating_sub(usize::from(stop.is_some())))
        .map(|e| syntax_error(text, e))
        .collect();
    if let Some(stop) = stop {
        let at = stop.span().map_or(0, |s| s.start);
        let unclosed = stop.message().trim().starts_with("unclosed");
        errors.push(match never_closed(text, at, unclosed) {
            Some(error) => error,
            None => syntax_error(text, stop),
        });
    }
    (errors, more)
}

fn is_duplicate_key(error: &toml::de::Error) -> bool {
    error.message().trim().starts_with("duplicate key")
}

/// A TOML syntax error as an input error, with a label and help an operator can act on.
pub(crate) fn syntax_error(text: &str, error: toml::de::Error) -> InputError {
    let span = error.span().unwrap_or(0..0);
    // An empty span at the end of a line renders better on the character before it.
    let span = if span.is_empty() && span.start > 0 && text[..span.start].ends_with('\n') {
        let start = text[..span.start - 1].char_indices().last().map_or(0, |(i, _)| i);
        start..span.start - 1
    } else {
        span
    };
    let message = error.message().trim().to_string();
    let (headline, label) = match message.split_once(", expected ") {
        Some((what, expected)) => (what.to_string(), format!("expected {expected}")),
        None => (message.clone(), message.clone()),
    };
    let at = text.get(span.clone()).unwrap_or("").trim();
    // The text is repeated in the help only when it is plain: never a control character that a
    // terminal would act on.
    let at = if at.chars().any(char::is_control) {
        "…"
    } else {
        at
    };
    let (label, help) = match headline.as_str() {
        "string values must be quoted" if at.is_empty() => (
            "expected a value".to_string(),
            "write a value after `=`: a number, `true` or `false`, or text in double quotes".to_string(),
        ),
        // toml says "expected literal string", but a TOML literal string is the single-quoted
        // kind; what the operator needs is quotes of either kind.
        "string values must be quoted" => (
            "not quoted".to_string(),
            format!("put text in double quotes: `\"{at}\"`"),
        ),
        "duplicate key" => (
            "defined again here".to_string(),
            "a key or `[table]` may appear only once; for a list of tables write `[[name]]` each time"
                .to_string(),
        ),
        "invalid basic string" | "invalid literal string" => (
            label,
            "close the string on the same line, or use `\"\"\"` for text over several lines".to_string(),
        ),
        "unexpected key or value" => (label, "put each `key = value` on a line of its own".to_string()),
        _ => (label, "see https://toml.io for the TOML syntax".to_string()),
    };
    InputError::new(
        ErrorKind::Syntax,
        span,
        format!("TOML syntax error: {headline}"),
        label,
    )
    .with_help(help)
}

/// A bracket that opens a value: an array or an inline table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opened {
    Array,
    InlineTable,
    /// A table header's `[` or `[[`, which closes on its own line.
    Header,
}

/// The error for an array or inline table that opens before `at` (the first syntax error) and
/// is never closed: at its opening bracket, with its last entry marked. Only when the parser
/// noticed on a later line, or said "unclosed" itself: on the same line, its own message is at
/// the right place already (an unclosed string inside the array, say).
fn never_closed(text: &str, at: usize, said_unclosed: bool) -> Option<InputError> {
    let scan = scan(text, at);
    let &(open, kind) = scan
        .open
        .iter()
        .rev()
        .find(|(pos, kind)| *kind != Opened::Header && *pos < at)?;
    let later_line = text[open..at.min(text.len())].contains('\n');
    if !later_line && !said_unclosed {
        return None;
    }
    let key = key_before(text, open);
    let (what, close) = match kind {
        Opened::InlineTable => ("inline table", '}'),
        _ => ("array", ']'),
    };
    let named = key.map_or(String::new(), |k| format!(" `{k}`"));
    let mut error = InputError::new(
        ErrorKind::Syntax,
        open..open + 1,
        format!("TOML syntax error: the {what}{named} is never closed"),
        format!("this `{}` has no closing `{close}`", &text[open..open + 1]),
    );
    let help = match scan.last_before {
        Some(last) if last.start > open => {
            error = error.with_label(last.clone(), format!("add `{close}` after this"));
            format!("close the {what} with `{close}` after its last entry")
        }
        _ => format!("close the {what} with `{close}`"),
    };
    Some(error.with_help(help))
}

/// What [`scan`] found.
struct Scan {
    /// Brackets still open at the end of the text, outermost first: position and kind.
    open: Vec<(usize, Opened)>,
    /// The last character of a value or key before `at`, outside comments.
    last_before: Option<Span>,
}

/// Reads `text` for its brackets, skipping strings and comments, as far as TOML's lexical
/// rules need: a `[` opens an array after `=`, `,` or another array's `[`, and a table header
/// anywhere else. Strings without their closing quote end at the line's end, as in TOML.
fn scan(text: &str, at: usize) -> Scan {
    let bytes = text.as_bytes();
    let mut open: Vec<(usize, Opened)> = Vec::new();
    let mut previous: Option<u8> = None;
    let mut last_before: Option<Span> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'#' => {
                i = line_end(bytes, i);
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'"' | b'\'' => i = string_end(bytes, i),
            b'[' | b'{' => {
                let in_value = matches!(previous, Some(b'=' | b','))
                    || (previous == Some(b'[') && open.last().is_some_and(|(_, k)| *k == Opened::Array));
                let kind = match (b, in_value) {
                    (b'{', _) => Opened::InlineTable,
                    (_, true) => Opened::Array,
                    (_, false) => Opened::Header,
                };
                open.push((i, kind));
                i += 1;
            }
            b']' | b'}' => {
                open.pop();
                i += 1;
            }
            _ => i += 1,
        }
        previous = Some(b);
        if i <= at {
            last_before = Some(i - 1..i);
        }
    }
    Scan { open, last_before }
}

/// The index of the newline ending the line at `i`, or the end of the text.
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| i + n)
}

/// The index just after the string that starts at `i` (a quote): basic or literal, on one line
/// or, tripled, over several.
fn string_end(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let escapes = quote == b'"';
    if bytes[i..].starts_with(&[quote; 3]) {
        let mut j = i + 3;
        while j < bytes.len() {
            if escapes && bytes[j] == b'\\' {
                j += 2;
                continue;
            }
            if bytes[j..].starts_with(&[quote; 3]) {
                // Up to two more quotes may end the content (`""""`), as in TOML.
                let mut end = j + 3;
                while end < bytes.len() && end < j + 5 && bytes[end] == quote {
                    end += 1;
                }
                return end;
            }
            j += 1;
        }
        return bytes.len();
    }
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' if escapes => j += 2,
            b'\n' => return j,
            b if b == quote => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// The key of `key = [`, when the bracket at `open` follows one: a bare key, or a quoted key as
/// written.
fn key_before(text: &str, open: usize) -> Option<&str> {
    let before = text[..open].trim_end_matches([' ', '\t']);
    let before = before.strip_suffix('=')?.trim_end_matches([' ', '\t']);
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let key = &before[start..];
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn still_open(text: &str) -> Vec<(usize, Opened)> {
        scan(text, text.len()).open
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = "a = [\"]\", '[', \"\"\"\n]\"\"\", '''[''', # ]\n  \"\\\"]\"]\n[[host]]\n";
        assert_eq!(still_open(text), []);
        assert_eq!(
            still_open("a = [\"x\", \"y\"\n[[host]]\nb = [1]\n"),
            [(4, Opened::Array)]
        );
        // A string without its closing quote ends at the line's end, as in TOML.
        assert_eq!(still_open("a = [\"x\n]\n"), []);
    }

    #[test]
    fn headers_and_inline_tables_are_told_apart_from_arrays() {
        assert_eq!(still_open("[[host]\nname = \"a\"\n"), [(0, Opened::Header)]);
        assert_eq!(still_open("v = { a = [1, [2]]\n"), [(4, Opened::InlineTable)]);
        assert_eq!(
            still_open("m = [[1, 2], [3\n"),
            [(4, Opened::Array), (13, Opened::Array)]
        );
    }

    #[test]
    fn the_last_entry_before_the_error_is_found_across_comments() {
        let text = "m = [\"a\", \"b\"\n# a comment ]\n\n[[host]]\n";
        let at = text.find("[[host]]").unwrap();
        let scan = scan(text, at);
        assert_eq!(scan.last_before, Some(12..13));
    }

    #[test]
    fn the_key_of_an_array_is_named_when_it_is_bare() {
        assert_eq!(key_before("members = [", 10), Some("members"));
        assert_eq!(key_before("a.b=[", 4), Some("a.b"));
        assert_eq!(key_before("\"x y\" = [", 8), None);
        assert_eq!(key_before("m = [1, [", 8), None);
    }

    #[test]
    fn an_unclosed_array_is_blamed_only_when_noticed_on_a_later_line() {
        let text = "m = [\"a\", \"b]\n";
        assert!(never_closed(text, 10, false).is_none());
        let text = "m = [\"a\", \"b\"\n\n[[host]]\n";
        let error = never_closed(text, text.find("[[").unwrap(), false).expect("blamed");
        assert_eq!(error.span(), 4..5);
        assert_eq!(
            error.message(),
            "TOML syntax error: the array `m` is never closed"
        );
    }
}
