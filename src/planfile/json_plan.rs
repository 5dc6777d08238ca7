//! The plan document (`quorate plan -o json`), read with spans.
//!
//! Only what validation needs is read: `cluster`, and each wave's `hosts` and `moves`
//! (`schema_version`, when present, must be one this reader knows). The contract lets the
//! document grow, so other keys are ignored rather than rejected; a key that is required and
//! absent is reported with the closest key that is there, which catches `"host"` for
//! `"hosts"`. A duplicate key is an error: serde_json would keep the last silently.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use toml::Spanned;

use crate::diagnostic::{ErrorKind, InputError};
use crate::document::SCHEMA_VERSION;
use crate::limits::{Limit, Limits};
use crate::parse::fields::check_name;
use crate::source::Span;
use crate::suggest::closest;
use crate::validate::{MoveInput, Named, PlanInput, WaveInput};

use super::json::{Member, Node, Value};

/// Reads the plan document in `text`, pushing every problem to `errors`.
pub(super) fn read(text: &str, limits: &Limits, errors: &mut Vec<InputError>) -> PlanInput {
    let root = match super::json::parse(text, limits) {
        Ok(root) => root,
        Err(e) => {
            errors.push(e);
            return PlanInput::default();
        }
    };
    let Some(top) = Object::of(&root, "the plan", errors) else {
        return PlanInput::default();
    };
    if let Some(version) = top.get("schema_version") {
        schema_version(version, errors);
    }
    let cluster = top
        .get("cluster")
        .filter(|m| m.value.value != Value::Null)
        .and_then(|m| name(m, errors));
    let waves = match top.get("waves") {
        None => {
            top.missing("waves", "[{\"hosts\": [\"esx-01\"]}]", errors);
            Vec::new()
        }
        Some(member) => match &member.value.value {
            Value::Array(waves) if waves.len() > limits.waves => {
                errors.push(limits.exceeded(Limit::Waves, waves.len(), member.key_span.clone()));
                Vec::new()
            }
            Value::Array(waves) => waves.iter().filter_map(|w| wave(w, errors)).collect(),
            other => {
                errors.push(wrong_type(
                    "waves",
                    "an array of wave objects",
                    other,
                    member.value.span.clone(),
                    "write `\"waves\": [{\"hosts\": [\"esx-01\"]}]`",
                ));
                Vec::new()
            }
        },
    };
    PlanInput { cluster, waves }
}

fn wave(node: &Node, errors: &mut Vec<InputError>) -> Option<WaveInput> {
    let wave = Object::of(node, "a wave", errors)?;
    let Some(hosts) = wave.get("hosts") else {
        wave.missing("hosts", "[\"esx-01\"]", errors);
        return None;
    };
    let items = names(hosts, errors)?;
    let moves = match wave.get("moves") {
        None => None,
        Some(m) => match &m.value.value {
            Value::Null => None,
            Value::Array(moves) => Some(moves.iter().filter_map(|mv| move_input(mv, errors)).collect()),
            other => {
                errors.push(wrong_type(
                    "moves",
                    "an array of move objects",
                    other,
                    m.value.span.clone(),
                    "write `\"moves\": [{\"workload\": \"db-01\", \"to\": \"esx-02\"}]`",
                ));
                return None;
            }
        },
    };
    Some(WaveInput {
        span: Some(hosts.span()),
        items,
        moves,
    })
}

fn move_input(node: &Node, errors: &mut Vec<InputError>) -> Option<MoveInput> {
    let object = Object::of(node, "a move", errors)?;
    let required = |key: &'static str, example: &str, errors: &mut Vec<InputError>| match object.get(key) {
        Some(m) => name(m, errors),
        None => {
            object.missing(key, example, errors);
            None
        }
    };
    let workload = required("workload", "\"db-01\"", errors);
    let to = required("to", "\"esx-02\"", errors);
    let from = match object.get("from") {
        Some(m) if m.value.value != Value::Null => Some(name(m, errors)?),
        _ => None,
    };
    Some(MoveInput {
        span: Some(node.span.clone()),
        workload: workload?,
        from,
        to: to?,
    })
}

fn schema_version(member: &Member, errors: &mut Vec<InputError>) {
    let span = member.value.span.clone();
    match &member.value.value {
        Value::Number(n) if n.parse::<u32>() == Ok(SCHEMA_VERSION) => {}
        Value::Number(n) => errors.push(
            InputError::new(
                ErrorKind::InvalidValue,
                span,
                format!("this quorate reads plan documents of schema_version {SCHEMA_VERSION}, not {n}"),
                "unknown schema version",
            )
            .with_help("validate the plan with the quorate that wrote it, or write it again with this one"),
        ),
        other => errors.push(wrong_type(
            "schema_version",
            "a number",
            other,
            span,
            &format!("write `\"schema_version\": {SCHEMA_VERSION}`"),
        )),
    }
}

/// A name: a string, non-empty and printable.
fn name(member: &Member, errors: &mut Vec<InputError>) -> Option<Named> {
    let Value::String(s) = &member.value.value else {
        errors.push(wrong_type(
            &member.key,
            "a name (string)",
            &member.value.value,
            member.value.span.clone(),
            "write the name in double quotes, like `\"esx-01\"`",
        ));
        return None;
    };
    let span = member.value.span.clone();
    check_name(&Spanned::new(span.clone(), s.clone()), errors).then(|| Named::spanned(s, span))
}

/// An array of names; `None` when it is not an array. Entries that are not names are reported
/// and left out.
fn names(member: &Member, errors: &mut Vec<InputError>) -> Option<Vec<Named>> {
    let Value::Array(items) = &member.value.value else {
        let help = match &member.value.value {
            Value::String(s) => format!("write a list: `\"{}\": [\"{s}\"]`", member.key),
            _ => format!(
                "write a list of quoted names: `\"{}\": [\"a\", \"b\"]`",
                member.key
            ),
        };
        errors.push(wrong_type(
            &member.key,
            "an array of names",
            &member.value.value,
            member.value.span.clone(),
            &help,
        ));
        return None;
    };
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        match &item.value {
            Value::String(s) => {
                if check_name(&Spanned::new(item.span.clone(), s.clone()), errors) {
                    names.push(Named::spanned(s, item.span.clone()));
                }
            }
            other => errors.push(wrong_type(
                &member.key,
                "a name (string)",
                other,
                item.span.clone(),
                "write the name in double quotes, like `\"esx-01\"`",
            )),
        }
    }
    Some(names)
}

/// The members of one JSON object, with where to report what it lacks.
struct Object<'n> {
    members: &'n [Member],
    /// The opening brace.
    brace: Span,
    /// The object in messages: "the plan", "a wave".
    what: &'static str,
}

impl<'n> Object<'n> {
    /// `node` as an object, reporting it when it is something else or repeats a key.
    fn of(node: &'n Node, what: &'static str, errors: &mut Vec<InputError>) -> Option<Self> {
        let Value::Object(members) = &node.value else {
            errors.push(
                InputError::new(
                    ErrorKind::WrongType,
                    node.span.clone(),
                    format!("{what} must be a JSON object, not {}", node.value.kind()),
                    "expected an object",
                )
                .with_help(format!(
                    "write {what} as an object in braces, like {}",
                    example(what)
                )),
            );
            return None;
        };
        let mut first_of: HashMap<&str, &Member> = HashMap::with_capacity(members.len());
        for member in members {
            let first = match first_of.entry(&member.key) {
                Entry::Vacant(entry) => {
                    entry.insert(member);
                    continue;
                }
                Entry::Occupied(entry) => *entry.get(),
            };
            errors.push(
                InputError::new(
                    ErrorKind::DuplicateName,
                    member.key_span.clone(),
                    format!("`{}` appears twice in {what}", member.key),
                    "defined again here",
                )
                .with_label(first.key_span.clone(), "first defined here")
                .with_help("keep one of the two: a JSON reader would silently use only one of them"),
            );
        }
        Some(Object {
            members,
            brace: node.span.start..node.span.start + 1,
            what,
        })
    }

    fn get(&self, key: &str) -> Option<&'n Member> {
        self.members.iter().find(|m| m.key == key)
    }

    /// Reports that required `key` is absent, suggesting a present key that looks like it.
    fn missing(&self, key: &'static str, example: &str, errors: &mut Vec<InputError>) {
        let typo = closest(key, self.members.iter().map(|m| m.key.as_str()));
        let (span, help) = match typo.and_then(|t| self.get(t)) {
            Some(m) => (
                m.key_span.clone(),
                format!("did you mean `{key}`? {} requires it", self.what),
            ),
            None => (
                self.brace.clone(),
                format!("add `\"{key}\": {example}` to {}", self.what),
            ),
        };
        errors.push(
            InputError::new(
                ErrorKind::MissingKey,
                span,
                format!("{} is missing the required key `{key}`", self.what),
                format!("`{key}` is required here"),
            )
            .with_help(help),
        );
    }
}

fn example(what: &str) -> &'static str {
    match what {
        "a wave" => "`{\"hosts\": [\"esx-01\"]}`",
        "a move" => "`{\"workload\": \"db-01\", \"to\": \"esx-02\"}`",
        _ => "`{\"waves\": [{\"hosts\": [\"esx-01\"]}]}`",
    }
}

fn wrong_type(key: &str, expected: &str, found: &Value, span: Span, help: &str) -> InputError {
    InputError::new(
        ErrorKind::WrongType,
        span,
        format!("`{key}` must be {expected}, not {}", found.kind()),
        format!("expected {expected}"),
    )
    .with_help(help)
}
