//! Label selectors (`matchLabels` and `matchExpressions`), as PodDisruptionBudgets and pod
//! anti-affinity terms use them.
//!
//! The semantics are those of `metav1.LabelSelectorAsSelector` (kubernetes/apimachinery,
//! `pkg/apis/meta/v1/helpers.go`): every `matchLabels` pair and every expression must hold;
//! `In`/`NotIn` test the value, `Exists`/`DoesNotExist` the key; an empty selector matches
//! everything.

use crate::live::LiveError;
use crate::live::json::Node;

/// A parsed label selector.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Selector {
    /// Reads a `LabelSelector` object.
    pub fn read(node: &Node<'_>) -> Result<Self, LiveError> {
        let mut requirements: Vec<Requirement> = node
            .string_map("matchLabels")?
            .into_iter()
            .map(|(k, v)| Requirement::In(k, vec![v]))
            .collect();
        for expression in node.items_of("matchExpressions")? {
            let key = expression.req_str("key", "the label key")?.to_string();
            let values = expression
                .items_of("values")?
                .iter()
                .map(|v| v.str().map(str::to_string))
                .collect::<Result<Vec<_>, _>>()?;
            let operator = expression.req("operator", "In, NotIn, Exists or DoesNotExist")?;
            requirements.push(match operator.str()? {
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                _ => return Err(operator.error("In, NotIn, Exists or DoesNotExist")),
            });
        }
        Ok(Selector { requirements })
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let value = |key: &str| labels.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        self.requirements.iter().all(|r| match r {
            Requirement::In(k, vs) => value(k).is_some_and(|v| vs.contains(v)),
            Requirement::NotIn(k, vs) => value(k).is_none_or(|v| !vs.contains(v)),
            Requirement::Exists(k) => value(k).is_some(),
            Requirement::DoesNotExist(k) => value(k).is_none(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn labels_and_expressions_must_all_hold() {
        let value = serde_json::json!({
            "matchLabels": {"app": "zk"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["db", "cache"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "NotIn", "values": ["z9"]}
            ]
        });
        let selector = Selector::read(&Node::root("x", &value)).unwrap();
        assert!(selector.matches(&labels(&[("app", "zk"), ("tier", "db")])));
        assert!(!selector.matches(&labels(&[("app", "zk"), ("tier", "web")])));
        assert!(!selector.matches(&labels(&[("app", "zk"), ("tier", "db"), ("canary", "1")])));
        assert!(!selector.matches(&labels(&[("app", "zk"), ("tier", "db"), ("zone", "z9")])));
        assert!(!selector.matches(&labels(&[("tier", "db")])));
    }

    #[test]
    fn an_unknown_operator_is_an_error_at_its_path() {
        let value = serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Equals"}]});
        let err = Selector::read(&Node::root("x", &value)).unwrap_err();
        assert_eq!(err.at, "$.matchExpressions[0].operator");
    }
}
