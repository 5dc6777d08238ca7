//! No export makes an importer (or the drift check, or verify) panic, and whatever an importer
//! accepts, `check` accepts.
//!
//! Each case takes a real fixture set, replaces a few values anywhere in it (by JSON pointer)
//! with values of other types, edge-case strings and numbers, or removes them, then imports
//! it through the library. The import either fails with an error naming one of the files, or
//! writes a description that loads without errors.

use proptest::prelude::*;
use quorate::Source;
use quorate::import::{ImportOptions, render};
use quorate::model::Platform;
use quorate::plan::{Plan, Quality, Wave};
use serde_json::Value;

use super::{fixture, read};

/// Every JSON pointer in `value`, parents before children.
fn pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{prefix}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{prefix}/{i}");
                out.push(p.clone());
                pointers(v, p, out);
            }
        }
        _ => {}
    }
}

fn odd_value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        Just(Some(Value::from(true))),
        Just(Some(Value::from(0))),
        Just(Some(Value::from(-1))),
        Just(Some(Value::from(1e300))),
        Just(Some(Value::from(u64::MAX))),
        Just(Some(Value::from(""))),
        Just(Some(Value::from("abc"))),
        Just(Some(Value::from("1e99999"))),
        Just(Some(Value::from("150%"))),
        Just(Some(Value::from("9999999999Ei"))),
        Just(Some(Value::from("down"))),
        Just(Some(Value::from("a\tb"))),
        Just(Some(Value::from("line\nbreak\r"))),
        Just(Some(Value::from("cp-1"))),
        Just(Some(serde_json::json!([]))),
        Just(Some(serde_json::json!({}))),
        Just(Some(serde_json::json!([1, "x", null]))),
        Just(Some(serde_json::json!({"kind": "List"}))),
    ]
}

const SETS: [(Platform, &str, &[&str]); 7] = [
    (
        Platform::Kubernetes,
        "kubernetes",
        &["small.json", "volumes.json"],
    ),
    (
        Platform::Ceph,
        "ceph",
        &[
            "small-osd-tree.json",
            "small-mon-dump.json",
            "small-pools.json",
            "small-rules.json",
            "small-health.json",
            "small-osd-metadata.json",
        ],
    ),
    (
        Platform::Proxmox,
        "proxmox",
        &["small-resources.json", "small-status.json", "small-ha.json"],
    ),
    (
        Platform::Proxmox,
        "proxmox",
        &[
            "affinity-resources.json",
            "affinity-status.json",
            "affinity-ha-pve8.json",
            "affinity-groups.json",
        ],
    ),
    (
        Platform::Proxmox,
        "proxmox",
        &[
            "affinity-resources.json",
            "affinity-status.json",
            "affinity-ha-pve9.json",
            "affinity-rules.json",
        ],
    ),
    (
        Platform::Openstack,
        "openstack",
        &[
            "small-hypervisors.json",
            "small-servers.json",
            "small-flavors.json",
            "small-server-groups.json",
            "small-services.json",
        ],
    ),
    (
        Platform::Vsphere,
        "vsphere",
        &[
            "small-hosts.json",
            "small-vms.json",
            "small-rules.json",
            "small-groups.json",
        ],
    ),
];

fn mutated(set: usize, edits: &[(usize, usize, Option<Value>)]) -> Vec<(String, String)> {
    let (_, folder, files) = SETS[set];
    let mut values: Vec<Value> = files
        .iter()
        .map(|f| serde_json::from_str(&read(&fixture(folder, f))).unwrap())
        .collect();
    for (file, pick, replacement) in edits {
        let value = &mut values[file % files.len()];
        let mut all = Vec::new();
        pointers(value, String::new(), &mut all);
        if all.is_empty() {
            continue;
        }
        let pointer = &all[pick % all.len()];
        let (parent, last) = pointer.rsplit_once('/').unwrap();
        let Some(parent) = value.pointer_mut(parent) else {
            continue;
        };
        match (parent, replacement) {
            (Value::Object(map), None) => {
                map.remove(&last.replace("~1", "/").replace("~0", "~"));
            }
            (Value::Array(items), None) => {
                let index: usize = last.parse().unwrap();
                if index < items.len() {
                    items.remove(index);
                }
            }
            (parent, Some(new)) => {
                if let Some(slot) = parent.pointer_mut(&format!("/{last}")) {
                    *slot = new.clone();
                }
            }
            _ => {}
        }
    }
    files
        .iter()
        .zip(values)
        .map(|(f, v)| (f.to_string(), v.to_string()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn importers_never_panic_and_what_they_accept_loads(
        set in 0..SETS.len(),
        edits in prop::collection::vec((0usize..8, any::<usize>(), odd_value()), 1..4),
    ) {
        let files = mutated(set, &edits);
        let sources: Vec<Source> = files.iter().map(|(n, t)| Source::new(n.as_str(), t.as_str())).collect();
        match quorate::live::parse(SETS[set].0, &sources) {
            Ok(live) => {
                // Drift of the unmodified set's description against the changed exports: any
                // answer, never a panic, and every difference points inside the description.
                let original = mutated(set, &[]);
                let originals: Vec<Source> = original.iter().map(|(n, t)| Source::new(n.as_str(), t.as_str())).collect();
                let described = render(
                    &quorate::live::parse(SETS[set].0, &originals).expect("the fixture imports"),
                    &ImportOptions::default(),
                );
                let (raw, _) = quorate::parse::parse(&described);
                for difference in quorate::drift::compare(&raw, &live) {
                    prop_assert!(difference.span.end <= described.len(), "{difference:?}");
                }
                // verify of the first and the last wave of a one-item-per-wave plan against the
                // changed exports: any verdict, never a panic, and every check says what it
                // expected.
                let cluster = quorate::load(&Source::new("described.toml", described.as_str()))
                    .expect("the fixture's description loads")
                    .cluster;
                let plan = Plan {
                    waves: cluster.items().into_iter().map(|i| Wave::new(vec![i])).collect(),
                    quality: Quality::unclaimed(),
                    warnings: Vec::new(),
                };
                for wave in [1, plan.waves.len()].into_iter().filter(|&w| w >= 1) {
                    for post in [false, true] {
                        let verification = quorate::verify::verify(&cluster, &plan, wave, post, &live);
                        for result in &verification.checks {
                            prop_assert!(!result.outcome.expected.is_empty(), "{result:?}");
                        }
                    }
                }
                let text = render(&live, &ImportOptions::default());
                if let Err(errors) = quorate::load(&Source::new("imported.toml", text.as_str())) {
                    let messages: Vec<String> = errors.errors().iter().map(|e| e.message().to_string()).collect();
                    prop_assert!(false, "accepted, but the description does not load: {messages:?}\n{text}");
                }
            }
            Err(e) => {
                prop_assert!(files.iter().any(|(n, _)| *n == e.file), "{e}");
                prop_assert!(!e.message.is_empty());
            }
        }
    }
}
