//! Putting operator-given text into Markdown so that it shows as written.
//!
//! Names and prose come from cluster descriptions and may hold any printable character:
//! `*`, `_`, `|`, backticks, `<`. CommonMark lets any ASCII punctuation be escaped with a
//! backslash, so prose escapes every character that could start emphasis, a link, HTML, an
//! entity or a table cell; names go into code spans, whose only special character is the
//! backtick (handled by choosing a longer fence). Inside a GFM table a `|` ends the cell even in
//! a code span, so cells escape it once more.

use super::printable;

/// `s` as a code span: the fence is one backtick longer than the longest run of backticks
/// inside, and a space pads content that starts or ends with a backtick or is wrapped in
/// spaces, which CommonMark would otherwise strip.
pub(super) fn code(s: &str) -> String {
    let s = printable(s);
    let fence = "`".repeat(longest_backtick_run(&s) + 1);
    let pad = if s.starts_with('`')
        || s.ends_with('`')
        || (s.starts_with(' ') && s.ends_with(' ') && !s.trim().is_empty())
        || s.is_empty()
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// A fenced code block of `body`, every line indented by `indent` (to sit inside a list item),
/// fenced with more backticks than any run inside it.
pub(super) fn fenced(indent: &str, language: &str, body: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(body) + 1).max(3));
    let mut out = format!("{indent}{fence}{language}\n");
    for line in body.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(indent);
            out.push_str(&printable(line));
            out.push('\n');
        }
    }
    out.push_str(indent);
    out.push_str(&fence);
    out.push('\n');
    out
}

/// Prose in the middle of a line, escaped so that it shows as written.
///
/// Escapes the characters that act anywhere in a line (emphasis, links, code, HTML, entities,
/// strikethrough, table pipes, a heading's closing `#`), and `_` only where it could start
/// emphasis, not inside a word such as `enter_maintenance`.
pub(super) fn text(s: &str) -> String {
    let s = printable(s);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' => true,
            '_' => !(before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric)),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Prose that starts a line (or a list item): [`text`], and a first character that would make
/// the line a heading, a list item or a setext underline escaped too.
pub(super) fn line(s: &str) -> String {
    let escaped = text(s);
    let digits = escaped.chars().take_while(char::is_ascii_digit).count();
    match escaped[digits..].chars().next() {
        // `1.` or `1)` is an ordered list item.
        Some('.' | ')') if digits > 0 => format!("{}\\{}", &escaped[..digits], &escaped[digits..]),
        Some('-' | '+' | '=') if digits == 0 => format!("\\{escaped}"),
        _ => escaped,
    }
}

/// A name as a code span in a GFM table cell, its `|` escaped so the cell does not end.
pub(super) fn cell_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

fn longest_backtick_run(s: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks_and_spaces() {
        assert_eq!(code("esx-01"), "`esx-01`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("a\nb"), "`a\\u{a}b`");
    }

    #[test]
    fn cells_escape_pipes_even_in_code() {
        assert_eq!(cell_code("a|b"), "`a\\|b`");
        assert_eq!(text("a|b"), "a\\|b");
    }

    #[test]
    fn prose_escapes_what_markdown_would_interpret() {
        assert_eq!(text("enter_maintenance"), "enter_maintenance");
        assert_eq!(
            text("_x_ *y* [z](u) <b> a|b ~c~ &amp;"),
            "\\_x\\_ \\*y\\* \\[z\\](u) \\<b\\> a\\|b \\~c\\~ \\&amp;"
        );
        assert_eq!(text("8.0.3, -1, = x"), "8.0.3, -1, = x");
        assert_eq!(line("# not a heading"), "\\# not a heading");
        assert_eq!(line("- not a list"), "\\- not a list");
        assert_eq!(line("12. not a list"), "12\\. not a list");
        assert_eq!(line("12 is a number"), "12 is a number");
        assert_eq!(line("esx-01 at 8.0.3"), "esx-01 at 8.0.3");
        assert_eq!(text("C:\\path"), "C:\\\\path");
    }

    #[test]
    fn fences_are_longer_than_any_backtick_run_inside() {
        assert_eq!(fenced("  ", "sh", "echo ok"), "  ```sh\n  echo ok\n  ```\n");
        assert_eq!(fenced("", "", "a ```` b"), "`````\na ```` b\n`````\n");
    }
}
