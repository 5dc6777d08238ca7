//! A JSON reader that knows where it is.
//!
//! Platform exports are read with `serde_json` into a [`Value`] and then walked through
//! [`Node`], which carries the JSON path of the value it holds (`$.items[3].status`). Every
//! accessor that can fail returns a [`LiveError`] naming the file, that path, what was expected
//! and what was found, so a malformed export is reported as precisely as a TOML error, and
//! never with a panic.

use serde_json::Value;

use super::LiveError;

/// A value in a parsed export, with the file it came from and its JSON path.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    file: &'a str,
    value: &'a Value,
    path: String,
}

/// Parses `text` as JSON, reporting a syntax error with its line and column.
pub fn parse(file: &str, text: &str) -> Result<Value, LiveError> {
    serde_json::from_str(text).map_err(|e| LiveError {
        file: file.to_string(),
        at: format!("line {}, column {}", e.line(), e.column()),
        message: format!("not valid JSON: {e}"),
        help: "give the file exactly as the platform's CLI printed it (with -o json or -f json)".to_string(),
    })
}

/// What a JSON value is, in words, for "expected X, found Y".
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let shown: String = s.chars().take(60).collect();
            let more = if shown.len() < s.len() { "…" } else { "" };
            format!("{}{more}", Value::from(shown))
        }
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

const HELP: &str = "check that the file is the unmodified output of the command the README names";

impl<'a> Node<'a> {
    /// The root (`$`) of a parsed file.
    pub fn root(file: &'a str, value: &'a Value) -> Self {
        Node {
            file,
            value,
            path: "$".to_string(),
        }
    }

    /// The raw value, for recognising a file by its shape.
    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// The JSON path of this value.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// An error about this value: "expected `expected`, found ...".
    pub fn error(&self, expected: &str) -> LiveError {
        LiveError {
            file: self.file.to_string(),
            at: self.path.clone(),
            message: format!("expected {expected}, found {}", describe(self.value)),
            help: HELP.to_string(),
        }
    }

    /// An error about this value with a message of its own.
    pub fn invalid(&self, message: String, help: &str) -> LiveError {
        LiveError {
            file: self.file.to_string(),
            at: self.path.clone(),
            message,
            help: help.to_string(),
        }
    }

    /// The child `key`, or `None` when it is absent or null.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        match self.value.get(key) {
            Some(Value::Null) | None => None,
            Some(value) => Some(Node {
                file: self.file,
                value,
                path: child_path(&self.path, key),
            }),
        }
    }

    /// The child `key`, which must be present; `what` says what it holds.
    pub fn req(&self, key: &str, what: &str) -> Result<Node<'a>, LiveError> {
        self.get(key).ok_or_else(|| LiveError {
            file: self.file.to_string(),
            at: self.path.clone(),
            message: format!("missing key \"{key}\" ({what})"),
            help: HELP.to_string(),
        })
    }

    /// The elements of this array, in order.
    pub fn items(&self) -> Result<Vec<Node<'a>>, LiveError> {
        let items = self.value.as_array().ok_or_else(|| self.error("an array"))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(index, value)| Node {
                file: self.file,
                value,
                path: format!("{}[{index}]", self.path),
            })
            .collect())
    }

    /// The elements of the array `key`, or none when it is absent.
    pub fn items_of(&self, key: &str) -> Result<Vec<Node<'a>>, LiveError> {
        self.get(key).map_or(Ok(Vec::new()), |n| n.items())
    }

    /// The entries of this object, in file order.
    pub fn entries(&self) -> Result<Vec<(&'a str, Node<'a>)>, LiveError> {
        let entries = self.value.as_object().ok_or_else(|| self.error("an object"))?;
        Ok(entries
            .iter()
            .map(|(key, value)| {
                let node = Node {
                    file: self.file,
                    value,
                    path: child_path(&self.path, key),
                };
                (key.as_str(), node)
            })
            .collect())
    }

    /// This value as a string.
    pub fn str(&self) -> Result<&'a str, LiveError> {
        self.value.as_str().ok_or_else(|| self.error("a string"))
    }

    /// This value as a boolean.
    pub fn bool(&self) -> Result<bool, LiveError> {
        self.value.as_bool().ok_or_else(|| self.error("true or false"))
    }

    /// This value as a non-negative integer.
    pub fn u64(&self) -> Result<u64, LiveError> {
        self.value
            .as_u64()
            .ok_or_else(|| self.error("a non-negative integer"))
    }

    /// This value as an integer.
    pub fn i64(&self) -> Result<i64, LiveError> {
        self.value.as_i64().ok_or_else(|| self.error("an integer"))
    }

    /// This value as a finite number.
    pub fn f64(&self) -> Result<f64, LiveError> {
        self.value
            .as_f64()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.error("a number"))
    }

    /// The string child `key`, if present.
    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>, LiveError> {
        self.get(key).map(|n| n.str()).transpose()
    }

    /// The string child `key`, which must be present.
    pub fn req_str(&self, key: &str, what: &str) -> Result<&'a str, LiveError> {
        self.req(key, what)?.str()
    }

    /// The map of strings `key` (Kubernetes labels), empty when absent.
    pub fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, LiveError> {
        let Some(node) = self.get(key) else {
            return Ok(Vec::new());
        };
        node.entries()?
            .into_iter()
            .map(|(k, v)| Ok((k.to_string(), v.str()?.to_string())))
            .collect()
    }
}

fn child_path(parent: &str, key: &str) -> String {
    let simple = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if simple {
        format!("{parent}.{key}")
    } else {
        format!("{parent}[{}]", Value::from(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_keys_and_indexes() {
        let value: Value = serde_json::json!({"items": [{}, {"a.b": {"cpu": "x"}}]});
        let root = Node::root("f.json", &value);
        let items = root.req("items", "the list").unwrap().items().unwrap();
        let cpu = items[1].req("a.b", "x").unwrap().req("cpu", "cpu").unwrap();
        let err = cpu.u64().unwrap_err();
        assert_eq!(err.at, "$.items[1][\"a.b\"].cpu");
        assert_eq!(err.message, "expected a non-negative integer, found \"x\"");
        let missing = items[0].req("name", "its name").unwrap_err();
        assert_eq!(missing.at, "$.items[0]");
        assert_eq!(missing.message, "missing key \"name\" (its name)");
    }

    #[test]
    fn syntax_errors_have_a_line_and_column() {
        let err = parse("x.json", "{\n  \"a\": ,\n}").unwrap_err();
        assert_eq!(err.at, "line 2, column 8");
    }
}
