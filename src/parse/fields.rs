//! Typed, spanned access to the keys of one TOML table.
//!
//! Serde's derive stops at the first error and cannot say which keys a table did not use, so the
//! parse pass reads the spanned document tree itself through [`Fields`]. Each getter records the
//! key as known; [`Fields::finish`] then reports every other key as unknown, with the closest
//! known key as a suggestion. Type and range errors are pushed to the shared error list and the
//! getter returns `None`, so one file yields all of its errors in one run.

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use crate::diagnostic::{ErrorKind, InputError};
use crate::source::Span;
use crate::suggest::closest;

/// A spanned value from the input.
pub type Sp<T> = Spanned<T>;

/// A spanned table of name = integer, like `votes = { "cp-3" = 2 }`.
pub type SpannedCounts = Sp<Vec<(Sp<String>, Sp<u64>)>>;

/// The keys of one table, read one by one.
pub(crate) struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    header: Span,
    context: String,
    known: Vec<&'static str>,
}

impl<'a, 'i> Fields<'a, 'i> {
    /// Reads `table`, whose header (or inline braces) is at `header`. `context` names the table
    /// in messages, such as `[[host]]` or `[policy]`.
    pub(crate) fn new(table: &'a DeTable<'i>, header: Span, context: impl Into<String>) -> Self {
        Fields {
            table,
            header,
            context: context.into(),
            known: Vec::new(),
        }
    }

    /// The span of the table header, for errors about the table as a whole.
    pub(crate) fn header(&self) -> Span {
        self.header.clone()
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.known.push(key);
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    /// The span of `key` itself, if present.
    pub(crate) fn key_span(&self, key: &str) -> Option<Span> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(k, _)| k.span())
    }

    fn missing(&self, key: &str, example: &str, errors: &mut Vec<InputError>) {
        errors.push(
            InputError::new(
                ErrorKind::MissingKey,
                self.header.clone(),
                format!("{} is missing the required key `{key}`", self.context),
                format!("`{key}` is required here"),
            )
            .with_help(format!("add `{key} = {example}` to this table")),
        );
    }

    /// An optional string.
    pub(crate) fn string(&mut self, key: &'static str, errors: &mut Vec<InputError>) -> Option<Sp<String>> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some(Spanned::new(value.span(), s.to_string())),
            other => {
                errors.push(wrong_type(key, "a string", other, value.span()));
                None
            }
        }
    }

    /// A required string; `example` shows what to add when it is missing.
    pub(crate) fn required_string(
        &mut self,
        key: &'static str,
        example: &str,
        errors: &mut Vec<InputError>,
    ) -> Option<Sp<String>> {
        let present = self.key_span(key).is_some();
        let value = self.string(key, errors);
        if !present {
            self.missing(key, example, errors);
        }
        value
    }

    /// An optional name: a non-empty string of printable characters.
    pub(crate) fn name(&mut self, key: &'static str, errors: &mut Vec<InputError>) -> Option<Sp<String>> {
        let value = self.string(key, errors)?;
        check_name(&value, errors).then_some(value)
    }

    /// A required name.
    pub(crate) fn required_name(
        &mut self,
        key: &'static str,
        example: &str,
        errors: &mut Vec<InputError>,
    ) -> Option<Sp<String>> {
        let value = self.required_string(key, example, errors)?;
        check_name(&value, errors).then_some(value)
    }

    /// An optional non-negative, finite number (integer or float).
    pub(crate) fn number(&mut self, key: &'static str, errors: &mut Vec<InputError>) -> Option<Sp<f64>> {
        let value = self.get(key)?;
        let span = value.span();
        let number = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|n| n as f64),
            DeValue::Float(f) => parse_float(f.as_str()),
            other => {
                errors.push(wrong_type(key, "a number", other, span));
                return None;
            }
        };
        let Some(number) = number else {
            errors.push(invalid_number(key, "is out of range", span));
            return None;
        };
        if number.is_nan() {
            errors.push(invalid_number(key, "is NaN", span));
            return None;
        }
        if number.is_infinite() {
            errors.push(invalid_number(key, "is infinite", span));
            return None;
        }
        if number < 0.0 {
            errors.push(invalid_number(key, "is negative", span));
            return None;
        }
        Some(Spanned::new(span, number))
    }

    /// A required number.
    pub(crate) fn required_number(
        &mut self,
        key: &'static str,
        example: &str,
        errors: &mut Vec<InputError>,
    ) -> Option<Sp<f64>> {
        let present = self.key_span(key).is_some();
        let value = self.number(key, errors);
        if !present {
            self.missing(key, example, errors);
        }
        value
    }

    /// An optional non-negative integer.
    pub(crate) fn integer(&mut self, key: &'static str, errors: &mut Vec<InputError>) -> Option<Sp<u64>> {
        let value = self.get(key)?;
        integer_value(key, value, errors)
    }

    /// An optional boolean.
    pub(crate) fn boolean(&mut self, key: &'static str, errors: &mut Vec<InputError>) -> Option<Sp<bool>> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(Spanned::new(value.span(), *b)),
            other => {
                errors.push(wrong_type(key, "true or false", other, value.span()));
                None
            }
        }
    }

    /// An optional string that must be one of `choices`.
    pub(crate) fn choice<T: Copy>(
        &mut self,
        key: &'static str,
        choices: &[(&'static str, T)],
        errors: &mut Vec<InputError>,
    ) -> Option<Sp<T>> {
        let value = self.string(key, errors)?;
        if let Some((_, choice)) = choices.iter().find(|(name, _)| *name == value.get_ref()) {
            return Some(Spanned::new(value.span(), *choice));
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        let help = match closest(value.get_ref(), names.iter().copied()) {
            Some(best) => format!(
                "did you mean \"{best}\"? `{key}` takes one of: {}",
                names.join(", ")
            ),
            None => format!("`{key}` takes one of: {}", names.join(", ")),
        };
        errors.push(
            InputError::new(
                ErrorKind::InvalidValue,
                value.span(),
                format!("\"{}\" is not a valid `{key}`", value.get_ref()),
                "not one of the accepted values",
            )
            .with_help(help),
        );
        None
    }

    /// An optional array of names.
    pub(crate) fn names(
        &mut self,
        key: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Option<Sp<Vec<Sp<String>>>> {
        let value = self.get(key)?;
        let DeValue::Array(array) = value.get_ref() else {
            errors.push(wrong_type(
                key,
                "an array of names",
                value.get_ref(),
                value.span(),
            ));
            return None;
        };
        let mut names = Vec::with_capacity(array.len());
        for item in array.iter() {
            match item.get_ref() {
                DeValue::String(s) => {
                    let name = Spanned::new(item.span(), s.to_string());
                    if check_name(&name, errors) {
                        names.push(name);
                    }
                }
                other => errors.push(wrong_type(key, "a name (string)", other, item.span())),
            }
        }
        Some(Spanned::new(value.span(), names))
    }

    /// A required array of names.
    pub(crate) fn required_names(
        &mut self,
        key: &'static str,
        example: &str,
        errors: &mut Vec<InputError>,
    ) -> Option<Sp<Vec<Sp<String>>>> {
        let present = self.key_span(key).is_some();
        let value = self.names(key, errors);
        if !present {
            self.missing(key, example, errors);
        }
        value
    }

    /// An optional table of name to non-negative integer, like `votes = { "cp-3" = 2 }`.
    pub(crate) fn integer_map(
        &mut self,
        key: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Option<SpannedCounts> {
        let value = self.get(key)?;
        let DeValue::Table(table) = value.get_ref() else {
            errors.push(wrong_type(
                key,
                "a table of name = integer",
                value.get_ref(),
                value.span(),
            ));
            return None;
        };
        let entries = table
            .iter()
            .filter_map(|(k, v)| {
                let n = integer_value(key, v, errors)?;
                Some((Spanned::new(k.span(), k.get_ref().to_string()), n))
            })
            .collect();
        Some(Spanned::new(value.span(), entries))
    }

    /// An optional sub-table, read through its own [`Fields`].
    pub(crate) fn table(
        &mut self,
        key: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Option<Fields<'a, 'i>> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::Table(table) => Some(Fields::new(table, value.span(), format!("[{key}]"))),
            other => {
                errors.push(wrong_type(key, "a table", other, value.span()));
                None
            }
        }
    }

    /// An optional array of tables (`[[key]]`), each read through its own [`Fields`].
    pub(crate) fn array_of_tables(
        &mut self,
        key: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Vec<Fields<'a, 'i>> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(array) = value.get_ref() else {
            errors.push(
                wrong_type(key, "an array of tables", value.get_ref(), value.span())
                    .with_help(format!("write each entry as its own `[[{key}]]` table")),
            );
            return Vec::new();
        };
        tables_of(key, array, errors)
    }

    /// Reports every key that no getter asked for, suggesting the closest known key.
    pub(crate) fn finish(self, errors: &mut Vec<InputError>) {
        for (key, _) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.known.contains(&name) {
                continue;
            }
            let help = match closest(name, self.known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("{} accepts: {}", self.context, self.known.join(", ")),
            };
            errors.push(
                InputError::new(
                    ErrorKind::UnknownKey,
                    key.span(),
                    format!("unknown key `{name}` in {}", self.context),
                    "unknown key",
                )
                .with_help(help),
            );
        }
    }
}

fn tables_of<'a, 'i>(
    key: &'static str,
    array: &'a DeArray<'i>,
    errors: &mut Vec<InputError>,
) -> Vec<Fields<'a, 'i>> {
    let mut tables = Vec::with_capacity(array.len());
    for item in array.iter() {
        match item.get_ref() {
            DeValue::Table(table) => tables.push(Fields::new(table, item.span(), format!("[[{key}]]"))),
            other => errors.push(wrong_type(key, "a table", other, item.span())),
        }
    }
    tables
}

fn integer_value(key: &str, value: &Spanned<DeValue<'_>>, errors: &mut Vec<InputError>) -> Option<Sp<u64>> {
    let span = value.span();
    match value.get_ref() {
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if n < 0 => {
                errors.push(invalid_number(key, "is negative", span));
                None
            }
            Ok(n) => Some(Spanned::new(span, n as u64)),
            Err(_) => {
                errors.push(invalid_number(key, "is out of range", span));
                None
            }
        },
        other => {
            errors.push(wrong_type(key, "a whole number", other, span));
            None
        }
    }
}

fn parse_float(text: &str) -> Option<f64> {
    // TOML spells special floats `inf`, `+inf`, `-inf`, `nan`, `+nan`, `-nan`.
    match text.trim_start_matches(['+', '-']) {
        "nan" => Some(f64::NAN),
        "inf" if text.starts_with('-') => Some(f64::NEG_INFINITY),
        "inf" => Some(f64::INFINITY),
        _ => text.parse().ok(),
    }
}

fn type_name(value: &DeValue<'_>) -> &'static str {
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

fn wrong_type(key: &str, expected: &str, found: &DeValue<'_>, span: Span) -> InputError {
    InputError::new(
        ErrorKind::WrongType,
        span,
        format!("`{key}` must be {expected}, not {}", type_name(found)),
        format!("expected {expected}"),
    )
    .with_optional_help(match (expected, found) {
        ("a number" | "a whole number", DeValue::String(s)) => {
            Some(format!("write the number without quotes: `{key} = {s}`"))
        }
        ("a string" | "a name (string)", DeValue::Integer(_) | DeValue::Float(_)) => {
            Some("put the value in double quotes".to_string())
        }
        ("an array of names", DeValue::String(s)) => Some(format!("write a list: `{key} = [\"{s}\"]`")),
        _ => None,
    })
}

fn invalid_number(key: &str, problem: &str, span: Span) -> InputError {
    InputError::new(
        ErrorKind::InvalidNumber,
        span,
        format!("`{key}` {problem}"),
        format!("`{key}` must be a finite number, zero or more"),
    )
    .with_help("quantities, counts and durations are finite and not negative")
}

/// Names are non-empty and printable; anything else is almost certainly a typo or an import bug.
fn check_name(name: &Sp<String>, errors: &mut Vec<InputError>) -> bool {
    let text = name.get_ref();
    let problem = if text.is_empty() {
        Some("a name must not be empty")
    } else if text.chars().any(char::is_control) {
        Some("a name must contain only printable characters")
    } else {
        None
    };
    if let Some(problem) = problem {
        errors.push(
            InputError::new(ErrorKind::InvalidValue, name.span(), problem, "invalid name")
                .with_help("names may contain any printable character, spaces included"),
        );
    }
    problem.is_none()
}
