//! Name tables for one kind of item, with duplicate detection and "did you mean" lookups.

use std::collections::HashMap;

use crate::diagnostic::{ErrorKind, InputError};
use crate::suggest::closest;
use toml::Spanned;

/// The names of one kind (hosts, sites, …), each mapped to its position.
pub(crate) struct NameTable<'r> {
    kind: &'static str,
    by_name: HashMap<&'r str, usize>,
    /// Names in declaration order, for suggestions.
    order: Vec<&'r str>,
}

impl<'r> NameTable<'r> {
    /// Builds the table for `kind` (e.g. "host") from the entries' names, reporting every
    /// repeated name at its second and later occurrences.
    pub(crate) fn build(
        kind: &'static str,
        names: impl Iterator<Item = Option<&'r Spanned<String>>>,
        errors: &mut Vec<InputError>,
    ) -> Self {
        let mut by_name = HashMap::new();
        let mut first_span = HashMap::new();
        let mut order = Vec::new();
        for (index, name) in names.enumerate() {
            let Some(name) = name else { continue };
            let text = name.get_ref().as_str();
            if let Some(first) = first_span.get(text) {
                errors.push(
                    InputError::new(
                        ErrorKind::DuplicateName,
                        name.span(),
                        format!("{kind} `{text}` is declared twice"),
                        "declared again here",
                    )
                    .with_label(Span::clone(first), "first declared here")
                    .with_help(format!(
                        "{kind} names must be unique; rename or remove one of them"
                    )),
                );
                continue;
            }
            first_span.insert(text, name.span());
            by_name.insert(text, index);
            order.push(text);
        }
        NameTable { kind, by_name, order }
    }

    /// The position of `name`, if declared.
    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The kind of item, as used in messages.
    pub(crate) fn kind(&self) -> &'static str {
        self.kind
    }

    /// The declared name closest to `name`, leaving out the names in `listed` (the other entries
    /// of the list `name` is in: they are never the one that was meant).
    pub(crate) fn closest(&self, name: &str, listed: &[Spanned<String>]) -> Option<&'r str> {
        closest(
            name,
            self.order
                .iter()
                .copied()
                .filter(|c| !listed.iter().any(|l| l.get_ref() == c)),
        )
    }

    /// Resolves a reference, reporting an unknown name with the closest declared one.
    pub(crate) fn resolve(&self, name: &Spanned<String>, errors: &mut Vec<InputError>) -> Option<usize> {
        self.resolve_listed(name, &[], errors)
    }

    /// Resolves an entry of the list `listed`, whose other entries are not suggested for it.
    pub(crate) fn resolve_listed(
        &self,
        name: &Spanned<String>,
        listed: &[Spanned<String>],
        errors: &mut Vec<InputError>,
    ) -> Option<usize> {
        let found = self.get(name.get_ref());
        if found.is_none() {
            errors.push(self.unknown(name, listed));
        }
        found
    }

    /// The error for a name this table does not know.
    fn unknown(&self, name: &Spanned<String>, listed: &[Spanned<String>]) -> InputError {
        let text = name.get_ref();
        let kind = self.kind;
        // The table that declares this kind: "fault domain" is declared in [[fault_domain]].
        let table = kind.replace(' ', "_");
        let help = match self.closest(text, listed) {
            Some(best) => format!("did you mean `{best}`?"),
            None if self.order.is_empty() => format!("no {kind} is declared; add a [[{table}]] table"),
            None => format!("no {kind} has a similar name; {kind}s are declared in [[{table}]] tables"),
        };
        InputError::new(
            ErrorKind::UnknownReference,
            name.span(),
            format!("unknown {kind} `{text}`"),
            format!("no {kind} has this name"),
        )
        .with_help(help)
    }
}

type Span = crate::source::Span;

/// Reports names listed twice in one list (`members`, `workloads`, `allowed_hosts`).
pub(crate) fn report_repeats(list: &[Spanned<String>], what: &str, errors: &mut Vec<InputError>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for name in list {
        match seen.get(name.get_ref().as_str()) {
            Some(first) => errors.push(
                InputError::new(
                    ErrorKind::DuplicateName,
                    name.span(),
                    format!("`{}` is listed twice in {what}", name.get_ref()),
                    "listed again here",
                )
                .with_label(first.clone(), "first listed here")
                .with_help("remove the repeated entry"),
            ),
            None => {
                seen.insert(name.get_ref(), name.span());
            }
        }
    }
}
