//! One error for a misnamed table instead of one per reference it leaves unknown.
//!
//! The parse pass reports `[[hosts]]` as an unknown table and remembers the names it declares
//! ([`MisnamedTable`](crate::parse::raw::MisnamedTable)); resolution then finds every
//! reference to those names unknown. Those references are echoes of the one mistake, so they
//! are folded into the unknown-table error, whose help says how many there were and what to
//! write instead.

use std::collections::HashMap;

use crate::diagnostic::{ErrorKind, InputError};
use crate::parse::raw::RawCluster;
use toml::Spanned;

/// Removes from `errors` the unknown references to names that a misnamed table of `raw`
/// declares, and says on that table's error how many there were. References to names declared
/// nowhere stay.
pub fn fold_misnamed(raw: &RawCluster, errors: &mut Vec<InputError>) {
    if raw.misnamed.is_empty() {
        return;
    }
    // An unknown-reference error points at the reference itself: its span says which name.
    let named: HashMap<(usize, usize), &str> = references(raw)
        .map(|r| ((r.span().start, r.span().end), r.get_ref().as_str()))
        .collect();
    for table in &raw.misnamed {
        let before = errors.len();
        errors.retain(|e| {
            let span = e.span();
            e.kind() != ErrorKind::UnknownReference
                || !named
                    .get(&(span.start, span.end))
                    .is_some_and(|name| table.names.iter().any(|n| n == name))
        });
        let folded = before - errors.len();
        if folded == 0 {
            continue;
        }
        let kind = format!("{}s", table.meant.replace('_', " "));
        let help = format!(
            "{folded} reference{s} to {kind} {are} unknown because `{}` is not a table quorate knows; \
             did you mean `[[{}]]`?",
            table.written,
            table.meant,
            s = if folded == 1 { "" } else { "s" },
            are = if folded == 1 { "is" } else { "are" },
        );
        match errors
            .iter_mut()
            .find(|e| e.kind() == ErrorKind::UnknownKey && e.span() == table.key)
        {
            Some(error) => *error = error.clone().with_help(help),
            None => errors.push(
                InputError::new(
                    ErrorKind::UnknownKey,
                    table.key.clone(),
                    format!("unknown table `{}`", table.written),
                    "unknown table",
                )
                .with_help(help),
            ),
        }
    }
}

/// Every name of `raw` that refers to something declared elsewhere.
fn references(raw: &RawCluster) -> impl Iterator<Item = &Spanned<String>> {
    fn list(list: &Option<Spanned<Vec<Spanned<String>>>>) -> impl Iterator<Item = &Spanned<String>> {
        list.iter().flat_map(|l| l.get_ref().iter())
    }
    let single = raw
        .fault_domains
        .iter()
        .filter_map(|f| f.site.as_ref())
        .chain(raw.hosts.iter().filter_map(|h| h.fault_domain.as_ref()))
        .chain(raw.workloads.iter().filter_map(|w| w.host.as_ref()));
    let lists = raw
        .workloads
        .iter()
        .flat_map(|w| list(&w.allowed_hosts))
        .chain(raw.quorum_groups.iter().flat_map(|g| list(&g.members)))
        .chain(raw.budgets.iter().flat_map(|b| list(&b.workloads)))
        .chain(raw.anti_affinity.iter().flat_map(|a| list(&a.workloads)))
        .chain(
            raw.orders
                .iter()
                .flat_map(|o| list(&o.before).chain(list(&o.after))),
        );
    single.chain(lists)
}
