//! A whole plan document read back from JSON, for `quorate export`, which renders a plan file
//! (Ansible, change request) without planning again.
//!
//! Unlike [`super::read`], which takes only what validation needs and tolerates the rest, this
//! reads every field the renderers show, so a field of the wrong type or a required field that is
//! missing is an error, pointing at the line and column where serde_json noticed it.

use crate::diagnostic::{ErrorKind, InputError, InputErrors};
use crate::document::{PlanDocument, SCHEMA_VERSION};
use crate::limits::Limits;
use crate::source::Source;

use super::PlanFormat;

/// The plan document in `source` (the JSON that `quorate plan -o json` writes), within `limits`.
pub fn read_document(source: &Source, limits: &Limits) -> Result<PlanDocument, InputErrors> {
    let text = source.text();
    let fail = |error: InputError| Err(InputErrors::new(source, vec![error]));
    if PlanFormat::detect(text) == PlanFormat::Toml {
        let end = text.char_indices().nth(1).map_or(text.len(), |(i, _)| i);
        return fail(
            InputError::new(
                ErrorKind::Syntax,
                0..end,
                "not a JSON plan document",
                "a JSON plan starts with `{`",
            )
            .with_help("export reads the plan that `quorate plan -o json` writes; write one with `quorate plan CLUSTER.toml -o json --out plan.json`"),
        );
    }
    if let Err(e) = super::json::parse(text, limits) {
        return fail(e);
    }
    let doc: PlanDocument = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            let offset = super::json::offset_of(text, e.line(), e.column());
            let at = offset.saturating_sub(1).min(offset);
            let full = e.to_string();
            let message = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(m, _)| m)
                .to_string();
            let kind = if message.starts_with("missing field") {
                ErrorKind::MissingKey
            } else {
                ErrorKind::WrongType
            };
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            return fail(
                InputError::new(kind, at..end, format!("not a plan document: {message}"), message)
                    .with_help("the plan document's fields are described in schema/plan.schema.json"),
            );
        }
    };
    if doc.schema_version != SCHEMA_VERSION {
        let at = text.find("\"schema_version\"").unwrap_or(0);
        return fail(
            InputError::new(
                ErrorKind::InvalidValue,
                at..at + "\"schema_version\"".len(),
                format!(
                    "plan document version {} is not one this quorate reads",
                    doc.schema_version
                ),
                format!("this quorate reads version {SCHEMA_VERSION}"),
            )
            .with_help("export the plan with the quorate that wrote it, or plan again"),
        );
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_is_an_error_at_its_object() {
        let text = "{\"schema_version\": 1, \"cluster\": \"c\",\n \"waves\": []}";
        let errors = read_document(&Source::new("plan.json", text), &Limits::default()).unwrap_err();
        let error = &errors.errors()[0];
        assert_eq!(error.kind(), ErrorKind::MissingKey);
        assert!(
            error.message().contains("missing field `summary`"),
            "{}",
            error.message()
        );
    }

    #[test]
    fn toml_is_refused_with_a_way_out() {
        let errors = read_document(
            &Source::new("plan.toml", "[[wave]]\nhosts = [\"a\"]\n"),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(errors.errors()[0].help_text().unwrap().contains("-o json"));
    }
}
