//! Pass 0: the size of the input, checked against [`Limits`] before any work that grows with it.
//!
//! Two checks run before the TOML parser: the text's length in bytes, and a count of the table
//! headers of the one kind a file may hold very many of (`[[wave]]` in a plan), so that a
//! 200,000-wave plan fails at once without a document tree being built. After parsing, one walk
//! over the tree checks the counted tables and the length of every list, before the reading
//! pass looks at a single key.

use toml::de::{DeTable, DeValue};

use crate::diagnostic::InputError;
use crate::limits::{Limit, Limits};
use crate::source::Span;

/// The `bytes` limit: an error at the first byte past it, or `None`.
pub(crate) fn check_bytes(text: &str, limits: &Limits) -> Option<InputError> {
    let len = text.len() as u64;
    if len <= limits.bytes {
        return None;
    }
    let mut at = usize::try_from(limits.bytes)
        .unwrap_or(usize::MAX)
        .min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    Some(limits.exceeded(Limit::Bytes, format!("{len} bytes"), at..end))
}

/// Counts the lines that open a `[[header]]` table, without parsing, and gives an error at the
/// first one past `max`. Spaces inside the brackets are allowed, as TOML allows them.
pub(crate) fn check_headers(
    text: &str,
    header: &str,
    limit: Limit,
    max: usize,
    limits: &Limits,
) -> Option<InputError> {
    let mut count = 0usize;
    let mut first_over: Option<Span> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(inner) = trimmed.strip_prefix("[[")
            && let Some((name, _)) = inner.split_once("]]")
            && name.trim() == header
        {
            count += 1;
            if count > max && first_over.is_none() {
                let start = offset + (line.len() - trimmed.len());
                first_over = Some(start..start + 4 + name.len());
            }
        }
        offset += line.len();
    }
    first_over.map(|span| limits.exceeded(limit, count, span))
}

/// Checks a parsed document: the array under each key of `counted` against its limit, and every
/// other array or inline table, at any depth, against the `list` limit. Returns the errors.
pub(crate) fn check_tree(
    document: &DeTable<'_>,
    counted: &[(&str, Limit, usize)],
    limits: &Limits,
) -> Vec<InputError> {
    let mut errors = Vec::new();
    for (key, value) in document.iter() {
        let counted = counted.iter().find(|(name, ..)| *name == key.get_ref().as_ref());
        match (value.get_ref(), counted) {
            (DeValue::Array(array), Some(&(_, limit, max))) => {
                if array.len() > max {
                    errors.push(limits.exceeded(limit, array.len(), over(key.span(), value.span())));
                }
                for element in array.iter() {
                    walk(element.get_ref(), element.span(), limits, &mut errors);
                }
            }
            _ => walk(value.get_ref(), value.span(), limits, &mut errors),
        }
    }
    errors
}

/// Where an error about a whole array points: its key, unless that is empty (an array of tables
/// spread through the file has its header's span).
fn over(key: Span, value: Span) -> Span {
    if key.is_empty() { value } else { key }
}

fn walk(value: &DeValue<'_>, span: Span, limits: &Limits, errors: &mut Vec<InputError>) {
    // One error per file is enough to act on, and stops a tree of huge lists from filling
    // memory with errors.
    if !errors.is_empty() {
        return;
    }
    match value {
        DeValue::Array(array) => {
            if array.len() > limits.list {
                errors.push(limits.exceeded(Limit::List, array.len(), span));
                return;
            }
            for element in array.iter() {
                walk(element.get_ref(), element.span(), limits, errors);
            }
        }
        DeValue::Table(table) => {
            if table.len() > limits.list {
                errors.push(limits.exceeded(Limit::List, table.len(), span));
                return;
            }
            for (_, v) in table.iter() {
                walk(v.get_ref(), v.span(), limits, errors);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::ErrorKind;

    #[test]
    fn bytes_beyond_the_limit_are_an_error_at_the_first_one_over() {
        let limits = Limits {
            bytes: 4,
            ..Limits::default()
        };
        assert!(check_bytes("abcd", &limits).is_none());
        let e = check_bytes("abcdé", &limits).unwrap();
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert_eq!(e.span(), 4..6);
    }

    #[test]
    fn headers_are_counted_without_parsing() {
        let limits = Limits::default();
        let text = "[[wave]]\nhosts = []\n  [[ wave ]]\n[[wave.move]]\n[[waves]]\n[[wave]]\n";
        assert!(check_headers(text, "wave", Limit::Waves, 3, &limits).is_none());
        let e = check_headers(text, "wave", Limit::Waves, 2, &limits).unwrap();
        assert_eq!(&text[e.span()], "[[wave]]");
        assert!(e.message().contains("(3;"), "{}", e.message());
    }

    #[test]
    fn long_lists_anywhere_are_an_error() {
        let limits = Limits {
            list: 2,
            hosts: 1,
            ..Limits::default()
        };
        let parse = |text| DeTable::parse(text).unwrap();
        let ok = parse("a = [1, 2]\n[[host]]\nx = { y = [1] }\n");
        assert!(check_tree(ok.get_ref(), &[("host", Limit::Hosts, 1)], &limits).is_empty());
        let deep = parse("[[host]]\nx = { y = [1, 2, 3] }\n");
        let errors = check_tree(deep.get_ref(), &[("host", Limit::Hosts, 1)], &limits);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message().contains("`list` limit"));
        let hosts = parse("[[host]]\n[[host]]\n");
        let errors = check_tree(hosts.get_ref(), &[("host", Limit::Hosts, 1)], &limits);
        assert!(
            errors[0].message().contains("`hosts` limit"),
            "{}",
            errors[0].message()
        );
    }
}
