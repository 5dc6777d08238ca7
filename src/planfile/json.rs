//! JSON with the byte range of every value and key.
//!
//! serde_json's `Value` forgets where things were written, and a violation in a JSON plan should
//! point at the wave, the host entry or the move it is about. So serde_json first decides
//! whether the text is JSON at all (its errors carry a position and a clear message), and this
//! scanner then walks the text, now known to be valid, once more and records spans. Strings are
//! decoded by serde_json too, so escapes follow the standard exactly; numbers are kept as
//! written. serde_json skips an ignored value without a nesting limit, so the scanner keeps its
//! own: [`MAX_DEPTH`] levels (a plan needs four), and no array longer than the `list` limit.

use serde::de::IgnoredAny;

use crate::diagnostic::{ErrorKind, InputError};
use crate::limits::{Limit, Limits};
use crate::source::Span;

/// How deep arrays and objects may nest. serde_json's own limit for values it builds is 128.
pub(crate) const MAX_DEPTH: usize = 128;

/// A JSON value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// From the first to the last byte of the value.
    pub span: Span,
    /// The value.
    pub value: Value,
}

/// A JSON value, with spanned members and elements.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Object(Vec<Member>),
    Array(Vec<Node>),
    String(String),
    /// The number as written.
    Number(String),
    Bool(bool),
    Null,
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub key: String,
    /// The key with its quotes.
    pub key_span: Span,
    pub value: Node,
}

impl Member {
    /// From the key to the end of the value.
    pub fn span(&self) -> Span {
        self.key_span.start..self.value.span.end
    }
}

impl Value {
    /// The JSON type, for messages: "an object", "a string".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Object(_) => "an object",
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
        }
    }
}

/// Parses `text` as one JSON value, or says where and why it is not JSON.
pub(crate) fn parse(text: &str, limits: &Limits) -> Result<Node, InputError> {
    if let Err(e) = serde_json::from_str::<IgnoredAny>(text) {
        return Err(syntax_error(text, &e));
    }
    let mut scanner = Scanner {
        text,
        pos: 0,
        depth: 0,
        limits,
        stopped: None,
    };
    let root = scanner.value();
    if let Some(error) = scanner.stopped {
        return Err(error);
    }
    root.ok_or_else(|| {
        // serde_json accepted the text, so this is a bug in the scanner; still an error with a
        // position rather than a panic.
        let at = scanner.pos.min(text.len());
        InputError::new(
            ErrorKind::Syntax,
            at..at,
            "JSON this reader cannot follow",
            "here",
        )
        .with_help("please report this plan file to the quorate project")
    })
}

fn too_deep(at: usize) -> InputError {
    InputError::new(
        ErrorKind::Limit,
        at..at + 1,
        format!("JSON nested more than {MAX_DEPTH} levels deep"),
        "too deep",
    )
    .with_help("a plan document nests four levels deep: the plan, `waves`, a wave, its `hosts`")
}

fn syntax_error(text: &str, error: &serde_json::Error) -> InputError {
    let offset = offset_of(text, error.line(), error.column());
    // One character at the offset, or the last one when the text ended early.
    let span = match text[offset..].chars().next() {
        Some(c) => offset..offset + c.len_utf8(),
        None => match text.trim_end().char_indices().last() {
            Some((i, c)) => i..i + c.len_utf8(),
            None => 0..0,
        },
    };
    let full = error.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m)
        .to_string();
    InputError::new(
        ErrorKind::Syntax,
        span,
        format!("JSON syntax error: {message}"),
        message,
    )
    .with_help(
        "the plan starts with `{`, so it is read as JSON: check the commas, quotes and brackets \
         here (JSON has no comments and no trailing commas)",
    )
}

/// The byte offset of serde_json's one-based line and column (columns count bytes).
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut offset = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Walks text that serde_json has accepted; `None` only if the two disagree, or if a limit
/// stopped it (then `stopped` says which).
struct Scanner<'t> {
    text: &'t str,
    pos: usize,
    depth: usize,
    limits: &'t Limits,
    stopped: Option<InputError>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skips spaces, then `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn value(&mut self) -> Option<Node> {
        self.skip_space();
        let start = self.pos;
        if matches!(self.peek(), Some(b'{' | b'[')) {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                self.stopped = Some(too_deep(start));
                return None;
            }
        }
        let value = self.compound_or_scalar(start)?;
        if matches!(value, Value::Object(_) | Value::Array(_)) {
            self.depth -= 1;
        }
        Some(Node {
            span: start..self.pos,
            value,
        })
    }

    fn compound_or_scalar(&mut self, start: usize) -> Option<Value> {
        let value = match self.peek()? {
            b'{' => {
                self.pos += 1;
                let mut members = Vec::new();
                while !self.eat(b'}') {
                    self.eat(b',');
                    self.skip_space();
                    let key_start = self.pos;
                    let key = self.string()?;
                    let key_span = key_start..self.pos;
                    if !self.eat(b':') {
                        return None;
                    }
                    let value = self.value()?;
                    members.push(Member { key, key_span, value });
                }
                Value::Object(members)
            }
            b'[' => {
                self.pos += 1;
                let mut elements = Vec::new();
                while !self.eat(b']') {
                    self.eat(b',');
                    if elements.len() == self.limits.list {
                        self.stopped = Some(self.limits.exceeded(Limit::List, "more", start..start + 1));
                        return None;
                    }
                    elements.push(self.value()?);
                }
                Value::Array(elements)
            }
            b'"' => Value::String(self.string()?),
            b't' => self.literal("true", Value::Bool(true))?,
            b'f' => self.literal("false", Value::Bool(false))?,
            b'n' => self.literal("null", Value::Null)?,
            _ => {
                while matches!(self.peek(), Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
                    self.pos += 1;
                }
                if self.pos == start {
                    return None;
                }
                Value::Number(self.text[start..self.pos].to_string())
            }
        };
        Some(value)
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        self.text[self.pos..].starts_with(word).then(|| {
            self.pos += word.len();
            value
        })
    }

    /// A string at the current position, decoded.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => break,
                _ => self.pos += 1,
            }
        }
        self.pos += 1;
        serde_json::from_str(self.text.get(start..self.pos)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of<'t>(text: &'t str, span: &Span) -> &'t str {
        &text[span.clone()]
    }

    #[test]
    fn records_the_span_of_every_value_and_key() {
        let text = "{\n  \"waves\": [ {\"hosts\": [\"esx-01\", \"n\\u00e4me\"]}, 1.5e3, true, null ]\n}";
        let root = parse(text, &Limits::default()).expect("valid JSON");
        assert_eq!(root.span, 0..text.len());
        let Value::Object(members) = &root.value else {
            panic!("an object")
        };
        assert_eq!(members[0].key, "waves");
        assert_eq!(text_of(text, &members[0].key_span), "\"waves\"");
        let Value::Array(waves) = &members[0].value.value else {
            panic!("an array")
        };
        assert_eq!(waves.len(), 4);
        assert_eq!(
            text_of(text, &waves[0].span),
            "{\"hosts\": [\"esx-01\", \"n\\u00e4me\"]}"
        );
        assert_eq!(waves[1].value, Value::Number("1.5e3".into()));
        assert_eq!(waves[2].value, Value::Bool(true));
        assert_eq!(waves[3].value, Value::Null);
        let Value::Object(wave) = &waves[0].value else {
            panic!("an object")
        };
        let Value::Array(hosts) = &wave[0].value.value else {
            panic!("an array")
        };
        assert_eq!(hosts[1].value, Value::String("näme".into()));
        assert_eq!(text_of(text, &hosts[1].span), "\"n\\u00e4me\"");
        assert_eq!(
            text_of(text, &wave[0].span()),
            "\"hosts\": [\"esx-01\", \"n\\u00e4me\"]"
        );
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let text = r#"["a \"quoted\" \\", "b"]"#;
        let Value::Array(items) = parse(text, &Limits::default()).unwrap().value else {
            panic!("an array")
        };
        assert_eq!(items[0].value, Value::String("a \"quoted\" \\".into()));
        assert_eq!(text_of(text, &items[1].span), "\"b\"");
    }

    #[test]
    fn syntax_errors_point_at_the_offending_character() {
        let text = "{\n  \"waves\": [\n    {\"hosts\": [\"a\",]}\n  ]\n}\n";
        let error = parse(text, &Limits::default()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Syntax);
        assert!(
            error.message().starts_with("JSON syntax error: "),
            "{}",
            error.message()
        );
        assert!(!error.message().contains("line"), "{}", error.message());
        assert_eq!(&text[error.span()], "]");

        let truncated = "{\"waves\": [";
        let error = parse(truncated, &Limits::default()).unwrap_err();
        assert_eq!(&truncated[error.span()], "[");
    }

    #[test]
    fn deep_nesting_and_long_arrays_stop_at_a_limit_not_the_stack() {
        // serde_json skips ignored values without a depth limit, and this scanner recursed on
        // each level: 100,000 brackets overflowed the stack and aborted the process.
        let deep = format!("{{\"waves\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let error = parse(&deep, &Limits::default()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Limit);
        assert!(error.message().contains("128 levels"), "{}", error.message());
        let limits = Limits {
            list: 3,
            ..Limits::default()
        };
        assert!(parse("[1, 2, 3]", &limits).is_ok());
        let error = parse("[1, 2, 3, 4]", &limits).unwrap_err();
        assert!(error.message().contains("`list` limit"), "{}", error.message());
    }
}
