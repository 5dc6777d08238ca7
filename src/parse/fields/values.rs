//! Reading one TOML value: whole numbers and quantities with their ranges, the type names
//! and the errors about a value of the wrong type, and the rules for names.

use toml::Spanned;
use toml::de::DeValue;

use crate::diagnostic::{ErrorKind, InputError};
use crate::source::Span;

/// The largest whole number (count, votes, quorum) one key may hold.
pub const MAX_WHOLE: u64 = u32::MAX as u64;

pub(super) fn integer_value(
    key: &str,
    value: &Spanned<DeValue<'_>>,
    errors: &mut Vec<InputError>,
) -> Option<Spanned<u64>> {
    let span = value.span();
    match value.get_ref() {
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if n < 0 => {
                errors.push(invalid_number(key, "is negative", span));
                None
            }
            Ok(n) if n as u64 > MAX_WHOLE => {
                errors.push(too_large(key, &MAX_WHOLE.to_string(), WHOLE_HELP, span));
                None
            }
            Ok(n) => Some(Spanned::new(span, n as u64)),
            Err(_) if i.as_str().starts_with('-') => {
                errors.push(invalid_number(key, "is negative", span));
                None
            }
            Err(_) => {
                errors.push(too_large(key, &MAX_WHOLE.to_string(), WHOLE_HELP, span));
                None
            }
        },
        DeValue::Float(f) => {
            let help = match parse_float(f.as_str()) {
                Some(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= MAX_WHOLE as f64 => {
                    format!("write it without the fraction: `{key} = {x}`")
                }
                _ => format!("`{key}` counts whole things, like `{key} = 2`"),
            };
            errors.push(
                InputError::new(
                    ErrorKind::WrongType,
                    span,
                    format!("`{key}` must be a whole number, not a float"),
                    "expected a whole number",
                )
                .with_help(help),
            );
            None
        }
        other => {
            errors.push(wrong_type(key, "a whole number", other, span));
            None
        }
    }
}

pub(super) fn parse_float(text: &str) -> Option<f64> {
    // TOML spells special floats `inf`, `+inf`, `-inf`, `nan`, `+nan`, `-nan`.
    match text.trim_start_matches(['+', '-']) {
        "nan" => Some(f64::NAN),
        "inf" if text.starts_with('-') => Some(f64::NEG_INFINITY),
        "inf" => Some(f64::INFINITY),
        _ => text.parse().ok(),
    }
}

pub(super) fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

pub(super) fn wrong_type(key: &str, expected: &str, found: &DeValue<'_>, span: Span) -> InputError {
    InputError::new(
        ErrorKind::WrongType,
        span,
        format!("`{key}` must be {expected}, not {}", type_name(found)),
        format!("expected {expected}"),
    )
    .with_help(wrong_type_help(key, expected, found))
}

/// How to write the value so that it has the type `key` needs.
pub(super) fn wrong_type_help(key: &str, expected: &str, found: &DeValue<'_>) -> String {
    let number_text = |found: &DeValue<'_>| match found {
        DeValue::Integer(i) => Some(i.as_str().to_string()),
        DeValue::Float(f) => Some(f.as_str().to_string()),
        _ => None,
    };
    match (expected, found) {
        ("a number" | "a whole number", DeValue::String(s)) if looks_numeric(s) => {
            format!("write the number without quotes: `{key} = {s}`")
        }
        ("a number", _) => format!("write a number without quotes, like `{key} = 8`"),
        ("a whole number", _) => format!("write a whole number without quotes, like `{key} = 1`"),
        ("a string" | "a name (string)", _) if number_text(found).is_some() => format!(
            "put the value in double quotes: `\"{}\"`",
            number_text(found).unwrap_or_default()
        ),
        ("a string" | "a name (string)", _) => {
            "write the value in double quotes, like `\"esx-01\"`".to_string()
        }
        ("an array of names", DeValue::String(s)) => format!("write a list: `{key} = [\"{s}\"]`"),
        ("an array of names", _) => format!("write a list of quoted names: `{key} = [\"a\", \"b\"]`"),
        ("true or false", DeValue::String(s)) if s == "true" || s == "false" => {
            format!("write it without quotes: `{key} = {s}`")
        }
        ("true or false", _) => format!("write `{key} = true` or `{key} = false`"),
        ("a table", DeValue::Array(_)) => {
            format!("there is one `[{key}]` table: write its header with single brackets")
        }
        ("a table of name = integer", _) => format!("write an inline table: `{key} = {{ \"cp-3\" = 2 }}`"),
        _ => format!("`{key}` must be {expected}"),
    }
}

pub(super) fn looks_numeric(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && text.parse::<f64>().is_ok()
}

const WHOLE_HELP: &str = "counts, votes and minutes are whole numbers that fit in 32 bits";

pub(super) fn too_large(key: &str, limit: &str, help: &str, span: Span) -> InputError {
    InputError::new(
        ErrorKind::InvalidNumber,
        span,
        format!("`{key}` is too large"),
        format!("at most {limit}"),
    )
    .with_help(help)
}

pub(super) fn invalid_number(key: &str, problem: &str, span: Span) -> InputError {
    let (label, help) = if problem == "is negative" {
        ("negative", format!("`{key}` must be zero or more"))
    } else {
        (
            "not a finite number",
            format!("`{key}` must be a finite number, zero or more: write the amount itself"),
        )
    };
    InputError::new(
        ErrorKind::InvalidNumber,
        span,
        format!("`{key}` {problem}"),
        label,
    )
    .with_help(help)
}

/// Names are non-empty and printable; anything else is almost certainly a typo or an import bug.
pub(crate) fn check_name(name: &Spanned<String>, errors: &mut Vec<InputError>) -> bool {
    let text = name.get_ref();
    let problem = if text.is_empty() {
        Some((
            "a name must not be empty",
            "empty name",
            "write the name between the quotes",
        ))
    } else if text.chars().any(char::is_control) {
        Some((
            "a name must contain only printable characters",
            "contains a control character",
            "remove the tab, newline or other control character; names may contain any printable \
             character, spaces included",
        ))
    } else if text.chars().any(is_invisible_control) {
        Some((
            "a name must not contain bidirectional controls or invisible characters",
            "contains an invisible or text-direction character",
            "names are pasted into shell commands, where a right-to-left override (U+202A-U+202E, \
             U+2066-U+2069), a zero-width character (U+200B-U+200F, U+2060) or a byte order mark \
             (U+FEFF) makes the command read differently from what runs: retype the name",
        ))
    } else {
        None
    };
    if let Some((problem, label, help)) = problem {
        errors.push(InputError::new(ErrorKind::InvalidValue, name.span(), problem, label).with_help(help));
    }
    problem.is_none()
}

/// Characters that are not control characters to Unicode but change how text is displayed
/// without being seen: the bidirectional embeddings, overrides and isolates of the "Trojan
/// Source" attack (CVE-2021-42574), the zero-width characters and marks, and the byte order mark.
fn is_invisible_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}
