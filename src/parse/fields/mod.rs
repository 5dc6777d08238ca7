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

mod misnamed;
mod values;

pub(crate) use values::check_name;
use values::{integer_value, invalid_number, parse_float, too_large, wrong_type};

/// A spanned table of name = integer, like `votes = { "cp-3" = 2 }`.
pub type SpannedCounts = Spanned<Vec<(Spanned<String>, Spanned<u64>)>>;

/// The largest quantity (cores, GiB) one key may hold: a billion, about an exbibyte of storage.
/// The bound keeps every sum of quantities in fixed point far from overflowing `u64`.
pub const MAX_QUANTITY: f64 = 1e9;

/// The keys of one table, read one by one.
pub(crate) struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    header: Span,
    context: String,
    known: Vec<&'static str>,
    /// Required keys found absent, with an example value; reported by [`Fields::finish`],
    /// which folds each into the unknown key that is its typo, if there is one.
    missing: Vec<(&'static str, String)>,
    /// Keys read as sub-tables, as they are written: `[cluster]`, `[[host]]`.
    tables: Vec<(&'static str, String)>,
    /// The dotted path of this table, ending in `.` (empty at the top level), so that nested
    /// tables are named as they are written: `[[wave.move]]`, not `[[move]]`.
    path: String,
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
            missing: Vec::new(),
            tables: Vec::new(),
            path: String::new(),
        }
    }

    /// This table's sub-tables are named under `path` (`wave` for the tables of `[[wave]]`).
    fn under(mut self, path: &str) -> Self {
        self.path = format!("{path}.");
        self
    }

    /// The span of the table header, for errors about the table as a whole.
    pub(crate) fn header(&self) -> Span {
        self.header.clone()
    }

    /// From the header to the end of the last value: the whole table as written.
    pub(crate) fn extent(&self) -> Span {
        let end = self
            .table
            .iter()
            .map(|(k, v)| k.span().end.max(v.span().end))
            .fold(self.header.end, usize::max);
        self.header.start..end
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

    fn missing(&mut self, key: &'static str, example: &str) {
        self.missing.push((key, example.to_string()));
    }

    /// An optional string.
    pub(crate) fn string(
        &mut self,
        key: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Option<Spanned<String>> {
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
    ) -> Option<Spanned<String>> {
        let present = self.key_span(key).is_some();
        let value = self.string(key, errors);
        if !present {
            self.missing(key, example);
        }
        value
    }

    /// An optional name: a non-empty string of printable characters.
    pub(crate) fn name(
        &mut self,
        key: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Option<Spanned<String>> {
        let value = self.string(key, errors)?;
        check_name(&value, errors).then_some(value)
    }

    /// A required name.
    pub(crate) fn required_name(
        &mut self,
        key: &'static str,
        example: &str,
        errors: &mut Vec<InputError>,
    ) -> Option<Spanned<String>> {
        let value = self.required_string(key, example, errors)?;
        check_name(&value, errors).then_some(value)
    }

    /// An optional non-negative, finite number (integer or float).
    pub(crate) fn number(&mut self, key: &'static str, errors: &mut Vec<InputError>) -> Option<Spanned<f64>> {
        let value = self.get(key)?;
        let span = value.span();
        let number = match value.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(n as f64),
                // Too many digits for a 64-bit integer: too large, or too negative.
                Err(_) if i.as_str().starts_with('-') => Some(f64::NEG_INFINITY),
                Err(_) => Some(f64::INFINITY),
            },
            DeValue::Float(f) => parse_float(f.as_str()),
            other => {
                errors.push(wrong_type(key, "a number", other, span));
                return None;
            }
        };
        let Some(number) = number else {
            errors.push(invalid_number(key, "is not a number TOML can represent", span));
            return None;
        };
        if number.is_nan() {
            errors.push(invalid_number(key, "is NaN", span));
            return None;
        }
        if number.is_infinite() && !matches!(value.get_ref(), DeValue::Integer(_)) {
            errors.push(invalid_number(key, "is infinite", span));
            return None;
        }
        if number < 0.0 {
            errors.push(invalid_number(key, "is negative", span));
            return None;
        }
        if number > MAX_QUANTITY {
            errors.push(too_large(
                key,
                "1000000000",
                "quantities are in cores or GiB: check the unit and the number of digits",
                span,
            ));
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
    ) -> Option<Spanned<f64>> {
        let present = self.key_span(key).is_some();
        let value = self.number(key, errors);
        if !present {
            self.missing(key, example);
        }
        value
    }

    /// An optional non-negative integer.
    pub(crate) fn integer(
        &mut self,
        key: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Option<Spanned<u64>> {
        let value = self.get(key)?;
        integer_value(key, value, errors)
    }

    /// An optional boolean.
    pub(crate) fn boolean(
        &mut self,
        key: &'static str,
        errors: &mut Vec<InputError>,
    ) -> Option<Spanned<bool>> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(Spanned::new(value.span(), *b)),
            other => {
                errors.push(wrong_type(key, "true or false", other, value.span()));
                None
            }
        }
    }

    /// An optional string that must be one of `choices`. `aliases` maps words operators use for
    /// a value (a vendor or product name) to the value, for the suggestion.
    pub(crate) fn choice<T: Copy>(
        &mut self,
        key: &'static str,
        choices: &[(&'static str, T)],
        aliases: &[(&'static str, &'static str)],
        errors: &mut Vec<InputError>,
    ) -> Option<Spanned<T>> {
        let value = self.string(key, errors)?;
        let typed = value.get_ref().as_str();
        if let Some((_, choice)) = choices.iter().find(|(name, _)| *name == typed) {
            return Some(Spanned::new(value.span(), *choice));
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        let alias = aliases
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(typed.trim()))
            .map(|(_, name)| *name);
        let help = match alias.or_else(|| closest(typed, names.iter().copied())) {
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
                format!("\"{typed}\" is not a valid `{key}`"),
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
    ) -> Option<Spanned<Vec<Spanned<String>>>> {
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
    ) -> Option<Spanned<Vec<Spanned<String>>>> {
        let present = self.key_span(key).is_some();
        let value = self.names(key, errors);
        if !present {
            self.missing(key, example);
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
        let path = format!("{}{key}", self.path);
        self.tables.push((key, format!("[{path}]")));
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::Table(table) => Some(Fields::new(table, value.span(), format!("[{path}]")).under(&path)),
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
        let path = format!("{}{key}", self.path);
        self.tables.push((key, format!("[[{path}]]")));
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(array) = value.get_ref() else {
            errors.push(
                wrong_type(key, "an array of tables", value.get_ref(), value.span())
                    .with_help(format!("write each entry as its own `[[{path}]]` table")),
            );
            return Vec::new();
        };
        tables_of(key, &path, array, errors)
    }

    /// Reports every key that no getter asked for, suggesting the closest known key, and every
    /// required key that is absent.
    ///
    /// A misspelt required key (`memory_gb` for `memory_gib`) is one mistake, so it is one error:
    /// at the misspelt key, saying that the key it stands for is required; the table header is
    /// not flagged a second time.
    pub(crate) fn finish(mut self, errors: &mut Vec<InputError>) {
        for (key, value) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.known.contains(&name) {
                continue;
            }
            // Where the known keys are tables (the top level), speak of tables as written.
            let as_table = |key: &str| {
                self.tables
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, t)| t.clone())
            };
            let path = &self.path;
            let written = match value.get_ref() {
                DeValue::Table(_) if !self.tables.is_empty() => Some(format!("[{path}{name}]")),
                DeValue::Array(a) if !self.tables.is_empty() && a.iter().all(|v| v.get_ref().is_table()) => {
                    Some(format!("[[{path}{name}]]"))
                }
                _ => None,
            };
            let best = closest(name, self.known.iter().copied());
            let help = match best {
                Some(best) if self.missing.iter().any(|(k, _)| *k == best) => {
                    self.missing.retain(|(k, _)| *k != best);
                    format!("did you mean `{best}`? {} requires it", self.context)
                }
                Some(best) => format!(
                    "did you mean `{}`?",
                    as_table(best).unwrap_or_else(|| best.to_string())
                ),
                None if !self.tables.is_empty() => format!(
                    "the tables are: {}",
                    self.tables
                        .iter()
                        .map(|(_, t)| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => format!("{} accepts: {}", self.context, self.known.join(", ")),
            };
            let (message, label) = match &written {
                Some(table) => (format!("unknown table `{table}`"), "unknown table"),
                None => (format!("unknown key `{name}` in {}", self.context), "unknown key"),
            };
            errors.push(InputError::new(ErrorKind::UnknownKey, key.span(), message, label).with_help(help));
        }
        for (key, example) in &self.missing {
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
    }
}

fn tables_of<'a, 'i>(
    key: &'static str,
    path: &str,
    array: &'a DeArray<'i>,
    errors: &mut Vec<InputError>,
) -> Vec<Fields<'a, 'i>> {
    let mut tables = Vec::with_capacity(array.len());
    for item in array.iter() {
        match item.get_ref() {
            DeValue::Table(table) => {
                tables.push(Fields::new(table, item.span(), format!("[[{path}]]")).under(path))
            }
            other => errors.push(wrong_type(key, "a table", other, item.span())),
        }
    }
    tables
}
