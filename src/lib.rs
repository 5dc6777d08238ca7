//! quorate plans rolling upgrades of infrastructure clusters so that no maintenance window
//! becomes an outage.
//!
//! The library works in passes, each with its own error type, like a compiler:
//!
//! 1. [`parse`]: TOML text to spanned raw structs (syntax, keys, types, ranges);
//! 2. [`resolve`]: names to typed ids, every reference checked, then the [`model::Cluster`];
//! 3. [`graph`]: the dependency graph of items, fault domains, sites, groups and order rules;
//! 4. [`bounds`]: combinatorial lower bounds on the number of waves;
//! 5. [`solve`]: the optimal wave planner, with exact evacuation [`placement`], giving a
//!    [`plan::Plan`] or the rules that make every plan unsafe.
//!
//! [`validate`] checks any plan against every rule, independently of the solver; [`planfile`]
//! reads plans written by hand or by quorate (TOML or JSON) for it, with spans.
//!
//! The core never touches files, the terminal or the clock: it takes a [`Source`] and returns
//! values, so tests, benchmarks and fuzzers can call it directly. [`load`] runs the passes.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bounds;
pub mod description;
pub mod diagnostic;
pub mod document;
pub mod drift;
pub mod generate;
pub mod graph;
pub mod import;
pub mod limits;
pub mod live;
pub mod model;
pub mod parse;
pub mod placement;
pub mod plan;
pub mod planfile;
pub mod render;
pub mod resolve;
pub mod rules;
pub mod runbook;
pub mod solve;
pub mod source;
pub mod suggest;
pub mod summary;
pub mod validate;
pub mod verify;
pub mod warnings;

/// The old name of [`description`], kept so that code written against it (importers) still
/// builds; use `description`.
#[doc(hidden)]
pub use description as write;
pub use diagnostic::{ErrorKind, InputError, InputErrors, InputWarnings};
pub use limits::{Limit, Limits};
pub use model::Cluster;
pub use source::Source;

/// A cluster description that parsed and resolved without errors.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The resolved cluster.
    pub cluster: Cluster,
    /// Warnings about the description, with its source.
    pub warnings: InputWarnings,
}

/// Parses and resolves a cluster description, within the default [`Limits`].
///
/// Returns every input error at once when there is any.
pub fn load(source: &Source) -> Result<Loaded, InputErrors> {
    load_limited(source, &Limits::default())
}

/// Parses and resolves a cluster description within `limits`.
///
/// A description with neither hosts nor components is an input error: nothing can be planned
/// from it, and it is almost always a failed export or a wrong path.
pub fn load_limited(source: &Source, limits: &Limits) -> Result<Loaded, InputErrors> {
    let parse::Parsed {
        raw,
        mut errors,
        more,
    } = parse::parse_limited(source.text(), limits);
    if more > 0
        || errors
            .iter()
            .any(|e| matches!(e.kind(), ErrorKind::Syntax | ErrorKind::Limit))
    {
        return Err(InputErrors::limited(source, errors, more, limits.diagnostics));
    }
    let resolved = resolve::resolve(&raw, source.stem());
    errors.extend(resolved.errors);
    resolve::fold_misnamed(&raw, &mut errors);
    // Only for an otherwise valid file: with other errors it would be an echo of them (a
    // `[host]` written for `[[host]]` leaves no hosts).
    if errors.is_empty() && raw.hosts.is_empty() && raw.components.is_empty() {
        errors.push(nothing_to_upgrade(source));
    }
    match resolved.cluster {
        Some(cluster) if errors.is_empty() => Ok(Loaded {
            cluster,
            warnings: InputWarnings::new(source, resolved.warnings),
        }),
        _ => Err(InputErrors::limited(source, errors, 0, limits.diagnostics)),
    }
}

fn nothing_to_upgrade(source: &Source) -> InputError {
    let blank = source.text().trim().is_empty();
    // The end of the text: after everything written, where the missing tables belong.
    let end = source.text().len();
    InputError::new(
        ErrorKind::NothingToUpgrade,
        end..end,
        if blank {
            "the description is empty"
        } else {
            "the description has no `[[host]]` and no `[[component]]`, so there is nothing to upgrade"
        },
        "nothing to upgrade",
    )
    .with_help(
        "check the path and that the export finished; a description needs at least one \
         `[[host]]` (name, cpu, memory_gib) or `[[component]]` (name)",
    )
}
