//! Reading plan files: both formats, their spans, and their input errors.

use super::*;
use crate::diagnostic::ErrorKind;

fn ok(text: &str) -> PlanInput {
    match read(&Source::new("plan", text)) {
        Ok(plan) => plan,
        Err(errors) => panic!(
            "the plan should read, but: {:#?}",
            errors.errors().iter().map(|e| e.message()).collect::<Vec<_>>()
        ),
    }
}

/// `(kind, message, text at the span, help)` of each error, in file order.
fn errors(text: &str) -> Vec<(ErrorKind, String, String, String)> {
    let errors = read(&Source::new("plan", text)).expect_err("the plan has an input error");
    errors
        .errors()
        .iter()
        .map(|e| {
            (
                e.kind(),
                e.message().to_string(),
                text[e.span()].to_string(),
                e.help_text().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn at<'t>(text: &'t str, span: &Option<crate::source::Span>) -> &'t str {
    &text[span.clone().expect("a span")]
}

#[test]
fn the_format_is_told_from_the_first_character() {
    assert_eq!(PlanFormat::detect("{\"waves\": []}"), PlanFormat::Json);
    assert_eq!(PlanFormat::detect("\u{feff}\n  {}"), PlanFormat::Json);
    assert_eq!(PlanFormat::detect("# a plan\n[[wave]]\n"), PlanFormat::Toml);
    assert_eq!(PlanFormat::detect(""), PlanFormat::Toml);
}

const HAND_WRITTEN: &str = r#"cluster = "prod"

[[wave]]
hosts = ["esx-01", "esx-02"]

[[wave]]
hosts = ["esx-03"]

[[wave.move]]
workload = "db-01"
from = "esx-03"
to = "esx-01"
"#;

#[test]
fn a_hand_written_plan_keeps_the_span_of_every_wave_entry_and_move() {
    let plan = ok(HAND_WRITTEN);
    let text = HAND_WRITTEN;
    let cluster = plan.cluster.as_ref().expect("a cluster name");
    assert_eq!(
        (cluster.name.as_str(), at(text, &cluster.span)),
        ("prod", "\"prod\"")
    );
    assert_eq!(plan.waves.len(), 2);
    let [first, second] = &plan.waves[..] else {
        unreachable!()
    };
    assert_eq!(at(text, &first.span), r#"hosts = ["esx-01", "esx-02"]"#);
    assert_eq!(first.items[1].name, "esx-02");
    assert_eq!(at(text, &first.items[1].span), "\"esx-02\"");
    assert_eq!(first.moves, None, "no [[wave.move]]: the validator searches");
    let moves = second.moves.as_ref().expect("explicit moves");
    let [m] = &moves[..] else { panic!("one move") };
    assert_eq!(
        at(text, &m.span),
        "[[wave.move]]\nworkload = \"db-01\"\nfrom = \"esx-03\"\nto = \"esx-01\""
    );
    assert_eq!(m.workload.name, "db-01");
    assert_eq!(m.from.as_ref().map(|f| f.name.as_str()), Some("esx-03"));
    assert_eq!(at(text, &m.to.span), "\"esx-01\"");
}

#[test]
fn an_empty_move_list_says_that_nothing_moves() {
    let plan = ok("[[wave]]\nhosts = [\"esx-01\"]\nmove = []\n");
    assert_eq!(plan.waves[0].moves, Some(Vec::new()));
}

#[test]
fn what_quorate_writes_around_the_waves_is_read_and_ignored() {
    let text = r#"# written by quorate
schema_version = 1
cluster = "prod"

[summary]
waves = 1
lower_bound = 1
optimal = true
objective = "waves"
total_minutes = 75
lower_bound_minutes = 75
proof = "bounds"
solver = "microlp"
solve_seconds = 0.08

[[wave]]
index = 1
hosts = ["esx-01"]
fault_domains_down = ["rack-a"]
sites_down = []
minutes = 75
rollback = "exit maintenance mode"

[[wave.move]]
workload = "db-01"
from = "esx-01"
to = "esx-02"

[[wave.pre_check]]
id = "W1.PRE.1"
kind = "quorum"
subject = "etcd"
expect = "3 of 3 members healthy"
command = "etcdctl endpoint health"

[[wave.step]]
id = "W1.S1"
action = "enter_maintenance"
target = "esx-01"

[[wave.post_check]]
id = "W1.POST.1"
kind = "version"
subject = "esx-01"
expect = "8.0.3"
"#;
    let plan = ok(text);
    assert_eq!(plan.waves.len(), 1);
    assert_eq!(plan.waves[0].items.len(), 1);
    assert_eq!(plan.waves[0].moves.as_ref().map(Vec::len), Some(1));
}

#[test]
fn unknown_keys_and_tables_get_the_closest_known_one() {
    let found = errors("[[wave]]\nhost = [\"esx-01\"]\n");
    assert_eq!(found.len(), 1, "one mistake, one error: {found:#?}");
    assert_eq!(found[0].0, ErrorKind::UnknownKey);
    assert_eq!(found[0].2, "host");
    assert_eq!(found[0].3, "did you mean `hosts`? [[wave]] requires it");

    let found = errors("[[wave]]\nhosts = [\"esx-01\"]\n\n[[wave.moves]]\nworkload = \"a\"\nto = \"b\"\n");
    assert_eq!(found[0].1, "unknown table `[[wave.moves]]`");
    assert_eq!(found[0].3, "did you mean `[[wave.move]]`?");

    let found = errors("[[waves]]\nhosts = [\"esx-01\"]\n");
    assert_eq!(found[0].3, "did you mean `[[wave]]`?");

    let found = errors("[[wave]]\nhosts = [\"esx-01\"]\n\n[[wave.move]]\nworkload = \"a\"\ntoo = \"b\"\n");
    assert_eq!(found[0].1, "unknown key `too` in [[wave.move]]");
    assert_eq!(found[0].3, "did you mean `to`? [[wave.move]] requires it");
}

#[test]
fn wrong_types_and_missing_hosts_point_at_the_value_or_the_table() {
    let found = errors("[[wave]]\nhosts = \"esx-01\"\nminutes = \"75\"\n");
    let kinds: Vec<_> = found.iter().map(|f| (f.0, f.2.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (ErrorKind::WrongType, "\"esx-01\""),
            (ErrorKind::WrongType, "\"75\"")
        ]
    );
    assert_eq!(found[0].3, "write a list: `hosts = [\"esx-01\"]`");

    let found = errors("[[wave]]\nindex = 1\n");
    assert_eq!(found[0].0, ErrorKind::MissingKey);
    assert_eq!(found[0].2, "[[wave]]");

    let found = errors("[[wave]]\nhosts = [\"esx-01\"]\n[wave.move]\nworkload = \"a\"\nto = \"b\"\n");
    assert_eq!(found[0].0, ErrorKind::WrongType);
    assert!(found[0].3.contains("`[[wave.move]]`"), "{:?}", found[0].3);
}

#[test]
fn a_newer_schema_version_is_refused() {
    let found = errors("schema_version = 2\n[[wave]]\nhosts = [\"esx-01\"]\n");
    assert_eq!(found[0].0, ErrorKind::InvalidValue);
    assert_eq!(found[0].2, "2");
}

#[test]
fn toml_syntax_errors_say_the_plan_was_read_as_toml() {
    let found = errors("[[wave]]\nhosts = [\"esx-01\"\n");
    assert_eq!(found[0].0, ErrorKind::Syntax);
    assert!(found[0].1.starts_with("TOML syntax error"), "{}", found[0].1);
    assert!(found[0].3.contains("read as TOML"), "{}", found[0].3);
}

const DOCUMENT: &str = r#"{
  "schema_version": 1,
  "cluster": "prod",
  "summary": {"waves": 2},
  "waves": [
    {
      "index": 1,
      "hosts": ["esx-01", "esx-02"],
      "moves": [{"workload": "db-01", "from": "esx-01", "to": "esx-03"}],
      "pre_checks": []
    },
    {"index": 2, "hosts": ["vcenter"], "moves": []},
    {"hosts": ["esx-03"]}
  ]
}
"#;

#[test]
fn a_plan_document_keeps_the_span_of_every_wave_entry_and_move() {
    let plan = ok(DOCUMENT);
    let text = DOCUMENT;
    assert_eq!(at(text, &plan.cluster.as_ref().unwrap().span), "\"prod\"");
    let [first, second, third] = &plan.waves[..] else {
        panic!("three waves")
    };
    assert_eq!(at(text, &first.span), r#""hosts": ["esx-01", "esx-02"]"#);
    assert_eq!(at(text, &first.items[0].span), "\"esx-01\"");
    let m = &first.moves.as_ref().unwrap()[0];
    assert_eq!(
        at(text, &m.span),
        r#"{"workload": "db-01", "from": "esx-01", "to": "esx-03"}"#
    );
    assert_eq!(at(text, &m.to.span), "\"esx-03\"");
    assert_eq!(second.moves, Some(Vec::new()), "an empty list: nothing moves");
    assert_eq!(third.moves, None, "no list: the validator searches");
}

#[test]
fn plan_documents_report_missing_keys_wrong_types_and_duplicates() {
    let found = errors(r#"{"waves": [{"host": ["esx-01"]}]}"#);
    assert_eq!(found[0].0, ErrorKind::MissingKey);
    assert_eq!(found[0].2, "\"host\"");
    assert_eq!(found[0].3, "did you mean `hosts`? a wave requires it");

    let found = errors(r#"{"waves": [{"hosts": "esx-01", "moves": {}}]}"#);
    assert_eq!(found[0].0, ErrorKind::WrongType);
    assert_eq!(found[0].1, "`hosts` must be an array of names, not a string");
    assert_eq!(found[0].3, "write a list: `\"hosts\": [\"esx-01\"]`");

    let found = errors(r#"{"waves": [{"hosts": ["a", 2, ""], "moves": [{"workload": "w"}]}]}"#);
    let kinds: Vec<_> = found.iter().map(|f| (f.0, f.2.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (ErrorKind::WrongType, "2"),
            (ErrorKind::InvalidValue, "\"\""),
            (ErrorKind::MissingKey, "{"),
        ]
    );

    let found = errors(r#"{"waves": [], "waves": []}"#);
    assert_eq!(found[0].0, ErrorKind::DuplicateName);

    let found = errors(r#"{"cluster": "prod"}"#);
    assert_eq!(found[0].1, "the plan is missing the required key `waves`");

    let found = errors("{\"schema_version\": 3, \"waves\": []}");
    assert_eq!((found[0].0, found[0].2.as_str()), (ErrorKind::InvalidValue, "3"));
}

#[test]
fn json_syntax_errors_point_into_the_text() {
    let text = "{\n  \"waves\": [\n    {\"hosts\": [\"esx-01\"]},\n  ]\n}\n";
    let found = errors(text);
    assert_eq!(found[0].0, ErrorKind::Syntax);
    assert!(found[0].1.starts_with("JSON syntax error"), "{}", found[0].1);
    assert_eq!(found[0].2, "]");
    assert!(found[0].3.contains("read as JSON"), "{}", found[0].3);
}
