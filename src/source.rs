//! Input text with the name it came from.
//!
//! The core never reads files: the CLI (or a test) hands it a [`Source`], and every diagnostic
//! about that text points back into it. Keeping the name and text together means a diagnostic
//! can always be rendered with `file:line:column`, whoever produced it.

use std::ops::Range;
use std::sync::Arc;

use miette::NamedSource;

/// A byte range in a [`Source`]'s text.
pub type Span = Range<usize>;

/// A named piece of input text: a cluster description or a plan.
#[derive(Debug, Clone)]
pub struct Source {
    name: String,
    text: Arc<str>,
}

impl Source {
    /// Wraps `text` read from `name` (a path as the user typed it, or `-` for standard input).
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The name diagnostics show for this source.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The file name without folders and extension, used as a fallback cluster name.
    pub fn stem(&self) -> &str {
        if self.name == "-" || self.name == "<stdin>" {
            return "stdin";
        }
        let file = self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name);
        match file.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem,
            _ => file,
        }
    }

    /// The source in the form miette attaches to a report.
    pub fn named_source(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(self.name.clone(), self.text.clone()).with_language("toml")
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }
}

/// The most text, in bytes, that a diagnostic draws as a snippet: the lines its span covers,
/// whole. A longer stretch (a minified JSON plan, a group of 10,000 members on one line) is
/// named by line and column instead: drawn, it would flood the terminal, and a column past
/// 65,535 makes miette's renderer panic.
pub const MAX_DRAWN: usize = 2_000;

/// Whether `span` can be drawn as a snippet: the lines it covers hold at most [`MAX_DRAWN`]
/// bytes, and nothing a terminal would act on rather than show (control characters such as
/// escape sequences, and bidirectional controls that reorder what is displayed). Looks at no
/// more than [`MAX_DRAWN`] bytes, however long the text.
pub fn drawable(text: &str, span: &Span) -> bool {
    let bytes = text.as_bytes();
    let (start, end) = (span.start.min(bytes.len()), span.end.min(bytes.len()));
    if end < start || end - start > MAX_DRAWN {
        return false;
    }
    let budget = MAX_DRAWN - (end - start);
    let before = &bytes[start.saturating_sub(budget)..start];
    let Some(line_start) = before.iter().rposition(|&b| b == b'\n').map(|i| i + 1).or(
        // The window reaches the start of the text: the first line begins there.
        (start <= budget).then_some(0),
    ) else {
        return false;
    };
    let used = before.len() - line_start;
    let after = &bytes[end..(end + (budget - used)).min(bytes.len())];
    let line_end = match after.iter().position(|&b| b == b'\n') {
        Some(i) => end + i,
        None if end + after.len() == bytes.len() => bytes.len(),
        None => return false,
    };
    let first = start.saturating_sub(budget) + line_start;
    !has_terminal_controls(&bytes[first..line_end])
}

/// Control characters other than tab and line ends (C0, DEL, C1), and the bidirectional
/// embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), in UTF-8.
fn has_terminal_controls(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| match b {
        b'\t' | b'\n' | b'\r' => false,
        0..0x20 | 0x7f => true,
        0xc2 => matches!(bytes.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => matches!(
            (bytes.get(i + 1), bytes.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    })
}

/// One-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let text = "a = 1\nnäme = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        let eq = text.find('=').unwrap();
        assert_eq!(line_col(text, eq), (1, 3));
        let second_eq = text.rfind('=').unwrap();
        assert_eq!(line_col(text, second_eq), (2, 6));
    }

    #[test]
    fn only_short_lines_are_drawn() {
        let short = "a = 1\nb = [\"x\"]\n";
        assert!(drawable(short, &(6..7)));
        assert!(drawable(short, &(short.len()..short.len())));
        let long = format!("a = 1\nm = [{}\"x\"]\nc = 2\n", "\"y\", ".repeat(1_000));
        let x = long.find("\"x\"").unwrap();
        assert!(!drawable(&long, &(x..x + 3)), "the end of a 5,000-byte line");
        assert!(!drawable(&long, &(6..7)), "the start of a 5,000-byte line");
        let c = long.rfind('c').unwrap();
        assert!(drawable(&long, &(c..c + 1)), "a short line after a long one");
        assert!(!drawable("a = \"\x1b[31m\"\n", &(0..1)), "an escape sequence");
        assert!(
            !drawable("a = \"x\u{202e}y\"\n", &(0..1)),
            "a right-to-left override"
        );
        assert!(!drawable("a = \"\u{85}\"\n", &(0..1)), "a C1 control");
        assert!(
            drawable("a = \"\tä\u{2028}\"\r\n", &(0..1)),
            "tab, CR and other characters"
        );
        let last = "x".repeat(MAX_DRAWN + 1);
        assert!(!drawable(&last, &(0..1)), "a long last line with no newline");
    }

    #[test]
    fn stem_drops_folders_and_extension() {
        assert_eq!(Source::new("examples/vsan.toml", "").stem(), "vsan");
        assert_eq!(Source::new("-", "").stem(), "stdin");
        assert_eq!(Source::new("cluster", "").stem(), "cluster");
    }
}
