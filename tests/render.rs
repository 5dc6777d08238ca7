//! The output formats of `quorate plan`: text, Markdown, JSON (against its schema), TOML (against
//! the documented keys), the checked-in sample runbook, and `--out`.
//!
//! Plans of the examples are made through the library with `solve_seconds = 0.0`, so snapshots
//! do not depend on the machine. The examples leave checks, steps and rollback empty until the
//! runbook pass fills them, so [`full_document`] is a hand-made document with every field and
//! names full of Markdown, Mermaid and TOML syntax, to pin how each format shows them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use quorate::document::{
    CheckDocument, DiagnosticDocument, MoveDocument, PinnedDocument, PlanDocument, SCHEMA_VERSION,
    StepDocument, SummaryDocument, WaveDocument,
};
use quorate::plan::baselines::{BaselineDocument, FirstViolation};
use quorate::render;
use quorate::solve::{Backend, NoClock, SolveOptions, solve};

use crate::support;

mod out;
pub(crate) mod schema;

/// A safe plan cannot be made: two hosts, a quorum of both.
pub const STUCK: &str = r#"
[cluster]
name = "stuck"

[[host]]
name = "a"
cpu = 8
memory_gib = 64

[[host]]
name = "b"
cpu = 8
memory_gib = 64

[[quorum_group]]
name = "etcd"
members = ["a", "b"]
quorum = 2
"#;

/// The runbook checked in as a sample of the Markdown format.
const SAMPLE: &str = "plans/vsan-16-hosts.runbook.md";

/// Every `examples/*.toml` by stem, sorted.
pub(crate) fn examples() -> Vec<String> {
    let dir = support::root().join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/ is listable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn example_path(name: &str) -> PathBuf {
    support::root().join("examples").join(format!("{name}.toml"))
}

/// The plan document of `examples/{name}.toml`, as `quorate plan` makes it, with the solve time
/// fixed at zero. The backend is fixed too: its name is part of the document.
pub(crate) fn document(name: &str) -> PlanDocument {
    let text = std::fs::read_to_string(example_path(name)).expect("the example is readable");
    let loaded = support::load_ok(name, &text);
    let options = SolveOptions {
        backend: Backend::Microlp,
        time_limit: 10.0,
        clock: &NoClock,
    };
    let mut plan = solve(&loaded.cluster, &options).unwrap_or_else(|e| panic!("{name}: no plan: {e:?}"));
    plan.quality.solve_seconds = 0.0;
    PlanDocument::new(&loaded.cluster, &plan)
}

/// A document with every field filled, and names that mean something in Markdown (`|`, `*`,
/// backticks, `<`), Mermaid (`:`, `;`, `#`, `%%`) and TOML (quotes, backslashes, newlines).
fn full_document() -> PlanDocument {
    let s = |text: &str| text.to_string();
    PlanDocument {
        schema_version: SCHEMA_VERSION,
        cluster: s(r#"lab "odd" | 02"#),
        summary: SummaryDocument {
            waves: 2,
            lower_bound: 1,
            optimal: false,
            objective: s("waves"),
            total_minutes: 130,
            lower_bound_minutes: 100,
            proof: s("none"),
            solver: s("microlp"),
            solve_seconds: 0.0,
            baselines: vec![
                BaselineDocument {
                    strategy: s("one_host_at_a_time"),
                    hosts_per_wave: Some(1),
                    tools: vec![s("vSphere Lifecycle Manager (vSAN)")],
                    waves: 4,
                    total_minutes: 250,
                    safe: Some(true),
                    violations: None,
                    first_violation: None,
                    not_checked: None,
                    waves_saved: 2,
                    minutes_saved: 120,
                },
                BaselineDocument {
                    strategy: s("max_unavailable"),
                    hosts_per_wave: Some(2),
                    tools: vec![s("system-upgrade-controller")],
                    waves: 2,
                    total_minutes: 130,
                    safe: Some(false),
                    violations: Some(3),
                    first_violation: Some(FirstViolation {
                        code: s("quorum_lost"),
                        wave: Some(1),
                        subject: s("etcd |main|"),
                        message: s("2 of 3 votes down, quorum 2"),
                    }),
                    not_checked: None,
                    waves_saved: 0,
                    minutes_saved: 0,
                },
                BaselineDocument {
                    strategy: s("fault_domain_at_a_time"),
                    hosts_per_wave: None,
                    tools: vec![s("vSphere Lifecycle Manager with fault domains")],
                    waves: 2,
                    total_minutes: 140,
                    safe: None,
                    violations: None,
                    first_violation: None,
                    not_checked: Some(s("more than 300 hosts to upgrade")),
                    waves_saved: 0,
                    minutes_saved: 10,
                },
            ],
            already_done: Vec::new(),
        },
        waves: vec![
            WaveDocument {
                index: 1,
                hosts: vec![s("esx|01"), s("esx `02`"), s(r"esx\03 *new*")],
                fault_domains_down: vec![s("rack:a;#1 %%")],
                sites_down: vec![s("dc <one>")],
                minutes: 70,
                moves: vec![
                    MoveDocument {
                        workload: s("db_one|primary"),
                        from: s("esx|01"),
                        to: s("esx-04"),
                    },
                    MoveDocument {
                        workload: s("web `1`"),
                        from: s("esx `02`"),
                        to: s("esx-04"),
                    },
                ],
                down_with_host: vec![PinnedDocument {
                    workload: s("usb|dongle `vm`"),
                    host: s("esx `02`"),
                }],
                pre_checks: vec![CheckDocument {
                    id: s("W1.PRE.1"),
                    kind: s("quorum"),
                    subject: s(r#"etcd "main""#),
                    expect: s("at least 2 of 3 members up (3 now); *no* member <degraded>"),
                    command: Some(s("etcdctl --endpoints 'https://esx|01:2379' endpoint health")),
                    assert: None,
                }],
                steps: vec![
                    StepDocument {
                        id: s("W1.S1"),
                        action: s("enter_maintenance"),
                        target: s("esx|01"),
                        detail: Some(s("vSAN mode \"ensure accessibility\" | *default*")),
                        command: Some(s("govc host.maintenance.enter 'esx|01'")),
                    },
                    StepDocument {
                        id: s("W1.S2"),
                        action: s("upgrade"),
                        target: s("esx `02`"),
                        detail: None,
                        command: Some(s(
                            "esxcli software profile update \\\n  -d /vmfs/depot.zip -p 'esx `02`' # ``` ok",
                        )),
                    },
                    StepDocument {
                        id: s("W1.S3"),
                        action: s("reboot"),
                        target: s(r"esx\03 *new*"),
                        detail: None,
                        command: None,
                    },
                ],
                post_checks: vec![CheckDocument {
                    id: s("W1.POST.1"),
                    kind: s("version"),
                    subject: s("esx|01"),
                    expect: s("8.0.3"),
                    command: None,
                    assert: None,
                }],
                rollback: Some(s(
                    "Exit maintenance on every host of the wave:\n- esx|01 first\n# then the rest, see [KB 1234]",
                )),
            },
            WaveDocument {
                index: 2,
                hosts: vec![s(r#"vCenter "prod""#)],
                fault_domains_down: vec![],
                sites_down: vec![],
                minutes: 60,
                moves: vec![],
                down_with_host: vec![],
                pre_checks: vec![],
                steps: vec![],
                post_checks: vec![],
                rollback: None,
            },
        ],
        warnings: vec![s(
            "anti-affinity domain-controllers (should) is broken in wave 1: dc01 and dc02 on esx-04",
        )],
        diagnostics: vec![DiagnosticDocument {
            severity: s("warning"),
            code: s("quorate::warn::every_host_down"),
            message: s("wave 1 takes every host down (3 of 3)"),
            help: s("cap the wave:\n[policy]\nmax_hosts_per_wave = 1"),
            wave: Some(1),
        }],
    }
}

#[test]
fn text_of_the_examples() {
    for name in ["vsan-16-hosts", "vsan-stretched"] {
        let text = render::text::render(&document(name), false);
        assert!(!text.contains('\u{1b}'), "{name}: no colour asked, no escape");
        insta::assert_snapshot!(format!("text_{name}"), text);
    }
}

#[test]
fn markdown_of_the_examples() {
    for name in ["kubernetes", "vsan-stretched"] {
        insta::assert_snapshot!(
            format!("markdown_{name}"),
            render::markdown::render(&document(name))
        );
    }
}

#[test]
fn text_of_every_field_wraps_and_writes_names_as_given() {
    let text = render::text::render(&full_document(), false);
    for line in text.lines().filter(|l| !l.trim_start().starts_with('$')) {
        assert!(line.chars().count() <= render::text::WIDTH, "too wide: {line:?}");
    }
    insta::assert_snapshot!("text_full_document", text);
}

#[test]
fn text_in_colour_only_when_asked() {
    let doc = full_document();
    assert!(!render::text::render(&doc, false).contains('\u{1b}'));
    let coloured = render::text::render(&doc, true);
    assert!(coloured.contains("\u{1b}[1m"), "{coloured}");
    // Without its escape sequences, the coloured text is the plain text.
    let stripped = coloured.replace("\u{1b}[0m", "");
    let stripped = ["1", "2", "32", "33", "36"]
        .iter()
        .fold(stripped, |t, code| t.replace(&format!("\u{1b}[{code}m"), ""));
    assert_eq!(stripped, render::text::render(&doc, false));
}

#[test]
fn markdown_of_every_field_escapes_names() {
    let markdown = render::markdown::render(&full_document());
    // Every row of a table has as many cells as its header: no `|` in a name splits a cell.
    let mut columns = None;
    for line in markdown.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let cells = unescaped_pipes(line) - 1;
        assert_eq!(*columns.get_or_insert(cells), cells, "a cell split in {line:?}");
    }
    insta::assert_snapshot!("markdown_full_document", markdown);
}

#[test]
fn mermaid_labels_hold_no_syntax() {
    let markdown = render::markdown::render(&full_document());
    let chart = mermaid_block(&markdown).expect("a mermaid block");
    assert!(chart.starts_with("gantt\n"), "{chart}");
    // `axisFormat %H:%M` is ours; every other line holds names.
    for line in chart.lines().filter(|l| !l.contains("axisFormat")) {
        assert!(
            !line.contains('#') && !line.contains(';') && !line.contains('%'),
            "{line:?}"
        );
        let line = line.trim_start();
        if line.starts_with('W') {
            let (name, _) = line.split_once(" : ").expect("a task name, then its data");
            assert!(
                !name.contains(':'),
                "a ':' would end the task name early: {line:?}"
            );
        }
    }
    assert!(
        chart.contains("    W1 esx_01, esx _02_, esx_03 _new_ : w1, 00:00, 70m\n"),
        "{chart}"
    );
    assert!(
        chart.contains("    W2 vCenter _prod_ : w2, after w1, 60m\n"),
        "{chart}"
    );
}

#[test]
fn the_sample_runbook_is_up_to_date() {
    let path = support::root().join(SAMPLE);
    let fresh = render::markdown::render(&document("vsan-16-hosts"));
    if std::env::var_os("UPDATE_SAMPLES").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).expect("the sample is writable");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "{SAMPLE} is out of date with the Markdown renderer or the planner.\n\
         Regenerate it with:\n\n    UPDATE_SAMPLES=1 cargo test --test tests render::the_sample_runbook_is_up_to_date\n\n\
         and commit it.\n--- checked in\n{checked_in}\n--- now\n{fresh}"
    );
}

#[test]
fn toml_of_every_example_has_the_documented_keys_and_content() {
    let documented = documented_keys();
    for name in examples() {
        let doc = document(&name);
        let text = render::toml::render(&doc).expect("the plan is TOML");
        let table: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        let keys = keys(&toml::Value::Table(table.clone()), "");
        let unknown: Vec<_> = keys.difference(&documented).collect();
        assert!(
            unknown.is_empty(),
            "{name}: keys not in docs/plan-files.md: {unknown:?}"
        );
        let summary: BTreeSet<_> = documented.iter().filter(|k| k.starts_with("summary.")).collect();
        assert_eq!(
            keys.iter()
                .filter(|k| k.starts_with("summary."))
                .collect::<BTreeSet<_>>(),
            summary,
            "{name}: every summary key"
        );
        assert_eq!(table["schema_version"].as_integer(), Some(1));
        assert_eq!(table["cluster"].as_str(), Some(doc.cluster.as_str()));
        let waves = table
            .get("wave")
            .and_then(|w| w.as_array())
            .map_or(&[][..], |w| w.as_slice());
        assert_eq!(waves.len(), doc.waves.len(), "{name}: one [[wave]] per wave");
        for (wave, expected) in waves.iter().zip(&doc.waves) {
            for key in ["index", "hosts", "fault_domains_down", "sites_down", "minutes"] {
                assert!(
                    wave.get(key).is_some(),
                    "{name}: wave {} has no {key}",
                    expected.index
                );
            }
            assert_eq!(strings(&wave["hosts"]), expected.hosts, "{name}");
            let moves = wave.get("move").and_then(|m| m.as_array()).map_or(0, |m| m.len());
            assert_eq!(
                moves,
                expected.moves.len(),
                "{name}: wave {} moves",
                expected.index
            );
        }
    }
}

#[test]
fn toml_of_every_field_round_trips_every_string() {
    let doc = full_document();
    let text = render::toml::render(&doc).expect("the plan is TOML");
    let keys = keys(&toml::Value::Table(toml::from_str(&text).expect("TOML")), "");
    let documented = documented_keys();
    let unknown: Vec<_> = keys.difference(&documented).collect();
    assert!(unknown.is_empty(), "keys not in docs/plan-files.md: {unknown:?}");
    // The same content read back as the plan document's types.
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct File {
        cluster: String,
        summary: SummaryDocument,
        wave: Vec<Wave>,
    }
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Wave {
        hosts: Vec<String>,
        rollback: Option<String>,
        r#move: Vec<MoveDocument>,
        pre_check: Vec<CheckDocument>,
        step: Vec<StepDocument>,
    }
    let back: File = toml::from_str(&text).expect("the plan file reads back");
    assert_eq!(back.cluster, doc.cluster);
    // The plan file carries no baselines: JSON, text and Markdown do.
    let mut summary = doc.summary.clone();
    summary.baselines.clear();
    assert_eq!(back.summary, summary);
    let (wave, expected) = (&back.wave[0], &doc.waves[0]);
    assert_eq!(wave.hosts, expected.hosts);
    assert_eq!(wave.rollback, expected.rollback);
    assert_eq!(wave.r#move, expected.moves);
    assert_eq!(wave.pre_check, expected.pre_checks);
    assert_eq!(wave.step, expected.steps);
    insta::assert_snapshot!("toml_full_document", text);
}

/// The keys of the plan file in `docs/plan-files.md`'s TOML block, as dotted paths
/// (`wave.move.workload`).
fn documented_keys() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(support::root().join("docs/plan-files.md")).expect("the doc");
    let block = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/plan-files.md has a TOML block");
    let table: toml::Table = toml::from_str(block).expect("the documented plan is TOML");
    keys(&toml::Value::Table(table), "")
}

/// Every key under `value` as a dotted path; arrays of tables count as one table.
fn keys(value: &toml::Value, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match value {
        toml::Value::Table(table) => {
            for (key, inner) in table {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                out.extend(keys(inner, &path));
            }
        }
        toml::Value::Array(items) => {
            for item in items.iter().filter(|i| i.is_table()) {
                out.extend(keys(item, prefix));
            }
        }
        _ => {}
    }
    out
}

fn strings(value: &toml::Value) -> Vec<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

/// `|` that end a cell: not escaped, and not inside a code span's backslash escape.
fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in line.chars() {
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, '|') => count += 1,
            _ => escaped = false,
        }
    }
    count
}

/// The body of the first ```` ```mermaid ```` block.
fn mermaid_block(markdown: &str) -> Option<&str> {
    let start = markdown.find("```mermaid\n")? + "```mermaid\n".len();
    let len = markdown[start..].find("```")?;
    Some(&markdown[start..start + len])
}

/// A folder of its own for one test, empty, under the target folder.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("render").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}
