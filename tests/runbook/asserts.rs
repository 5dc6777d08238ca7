//! Asserts: every assert command runs for real with `sh`, against stub tools that answer with
//! canned output in the real tool's format (each module cites where that format is defined),
//! and must pass on good output and fail, printing the expected and the observed value, on bad
//! output. `jq`, `printf` and `[` are the machine's own.
//!
//! PowerShell is not on the test machine: the Hyper-V asserts are checked for their structure
//! (a `throw` with the expected and the observed value) in [`hyperv`].

use std::path::PathBuf;

use quorate::Cluster;
use quorate::model::HostId;
use quorate::placement::{DEFAULT_NODE_BUDGET, Placement, place};
use quorate::plan::{Plan, Quality, Wave};
use quorate::runbook::{Check, CheckKind, Runbook, build};

use crate::support;

mod capacity;
mod ceph;
mod ceph_plain;
mod hyperv;
mod kubernetes;
mod nutanix;
mod openstack;
mod proxmox;
mod vsphere;

/// A folder of stub tools, each answering the first rule whose prefix starts its arguments.
pub struct Stubs {
    dir: PathBuf,
    bin: PathBuf,
}

/// What a stub prints for arguments that start with `prefix`, and its exit status.
pub struct Answer<'a> {
    /// The start of the arguments, joined with spaces.
    pub prefix: &'a str,
    /// Its standard output.
    pub out: &'a str,
    /// Its exit status.
    pub status: i32,
}

/// An answer with exit status 0.
pub fn ok<'a>(prefix: &'a str, out: &'a str) -> Answer<'a> {
    Answer {
        prefix,
        out,
        status: 0,
    }
}

/// An answer with a non-zero exit status, on standard error.
pub fn fails<'a>(prefix: &'a str, out: &'a str, status: i32) -> Answer<'a> {
    Answer { prefix, out, status }
}

impl Stubs {
    /// An empty folder of stubs for the test `name`.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("quorate-asserts-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).expect("stub folder");
        Stubs { dir, bin }
    }

    /// Installs `tool`, answering with `answers` (first matching prefix wins); anything else
    /// makes it fail loudly.
    pub fn tool(&self, tool: &str, answers: &[Answer<'_>]) -> &Self {
        use std::os::unix::fs::PermissionsExt;
        let mut script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"{tool} $*\" >> '{}'\ncase \"$*\" in\n",
            self.dir.join("calls").display()
        );
        for (k, a) in answers.iter().enumerate() {
            let file = self.dir.join(format!("{tool}.{k}"));
            std::fs::write(&file, a.out).expect("canned output");
            // A failing tool writes its error to standard error, as ceph, kubectl and govc do.
            script.push_str(&format!(
                "  '{}'*) cat '{}'{}; exit {};;\n",
                a.prefix.replace('\'', r"'\''"),
                file.display(),
                if a.status == 0 { "" } else { " >&2" },
                a.status
            ));
        }
        script.push_str(&format!(
            "  *) echo \"stub {tool}: no answer for: $*\" >&2; exit 99;;\nesac\n"
        ));
        let path = self.bin.join(tool);
        std::fs::write(&path, script).expect("stub");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        self
    }

    /// The folder the stubs are in.
    pub fn bin(&self) -> &std::path::Path {
        &self.bin
    }

    /// The calls made to the stubs since the last [`Stubs::run`], one `tool args…` a line.
    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Runs `command` with `sh -c`, the stubs first on PATH; its success and its output.
    pub fn run(&self, command: &str) -> (bool, String) {
        let _ = std::fs::remove_file(self.dir.join("calls"));
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(command)
            .current_dir(&self.dir)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", self.bin.display()))
            .output()
            .expect("sh runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    /// `command` passes: exit 0 and `ok:`.
    pub fn passes(&self, command: &str) {
        let (ok, out) = self.run(command);
        assert!(ok && out.contains("ok:"), "should pass: {command}\n{out}");
        assert!(!out.contains("stub "), "a stub had no answer: {command}\n{out}");
    }

    /// `command` fails, saying what it expected and what it observed.
    pub fn fails_with(&self, command: &str, expected: &str, observed: &str) {
        let (ok, out) = self.run(command);
        assert!(!ok, "should fail: {command}\n{out}");
        assert!(
            out.contains(&format!("expected {expected}"))
                || out.contains(expected) && out.contains("expected"),
            "no expected {expected:?}: {command}\n{out}"
        );
        assert!(
            out.contains(&format!("observed: {observed}")),
            "no observed {observed:?}: {command}\n{out}"
        );
    }
}

impl Drop for Stubs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Three hosts h1..h3 (the third without workloads) running `old`, target `new`, an etcd-like
/// group of the three hosts and a budget of two workloads; `extra` adds TOML. The plan takes
/// one host per wave, in order.
pub fn book(platform: &str, old: &str, new: &str, extra: &str) -> (Cluster, Runbook) {
    book_of(platform, old, new, extra, &[&["h1"], &["h2"], &["h3"]])
}

/// [`book`] with the waves named.
pub fn book_of(platform: &str, old: &str, new: &str, extra: &str, waves: &[&[&str]]) -> (Cluster, Runbook) {
    let text = description(platform, old, new, extra);
    book_of_text(platform, &text, waves)
}

/// The description of [`book`].
fn description(platform: &str, old: &str, new: &str, extra: &str) -> String {
    format!(
        r#"
[cluster]
name = "lab"
platform = "{platform}"

[defaults]
target_version = "{new}"

[[host]]
name = "h1"
cpu = 16
memory_gib = 64
version = "{old}"

[[host]]
name = "h2"
cpu = 16
memory_gib = 64
version = "{old}"

[[host]]
name = "h3"
cpu = 16
memory_gib = 64
version = "{old}"

[[workload]]
name = "web-7d9f8-abcde"
host = "h1"
cpu = 1
memory_gib = 1

[[workload]]
name = "web-7d9f8-fghij"
host = "h2"
cpu = 1
memory_gib = 1

[[quorum_group]]
name = "etcd"
members = ["h1", "h2", "h3"]

[[disruption_budget]]
name = "web"
workloads = ["web-7d9f8-abcde", "web-7d9f8-fghij"]
max_unavailable = 1
{extra}
"#
    )
}

/// [`book`] with h1 and h2 in fault domain `rack-a` and h3 in `rack-b`.
pub fn book_in_racks(
    platform: &str,
    old: &str,
    new: &str,
    extra: &str,
    waves: &[&[&str]],
) -> (Cluster, Runbook) {
    let racks =
        format!("{extra}\n[[fault_domain]]\nname = \"rack-a\"\n\n[[fault_domain]]\nname = \"rack-b\"\n");
    let text = description(platform, old, new, &racks)
        .replace("name = \"h1\"\n", "name = \"h1\"\nfault_domain = \"rack-a\"\n")
        .replace("name = \"h2\"\n", "name = \"h2\"\nfault_domain = \"rack-a\"\n")
        .replace("name = \"h3\"\n", "name = \"h3\"\nfault_domain = \"rack-b\"\n");
    book_of_text(platform, &text, waves)
}

fn book_of_text(platform: &str, text: &str, waves: &[&[&str]]) -> (Cluster, Runbook) {
    let cluster = support::load_ok(platform, text).cluster;
    let plan = plan_of(&cluster, waves);
    let book = build(&cluster, &plan);
    (cluster, book)
}

/// The plan of the named waves, each placed with the exact placement search.
pub fn plan_of(cluster: &Cluster, waves: &[&[&str]]) -> Plan {
    let waves = waves
        .iter()
        .map(|names| {
            let mut wave = Wave::new(
                names
                    .iter()
                    .map(|n| cluster.find_item(n).expect("an item"))
                    .collect(),
            );
            let down: Vec<HostId> = wave.hosts().collect();
            match place(cluster, &down, DEFAULT_NODE_BUDGET) {
                Placement::Found { moves, .. } => wave.moves = moves,
                other => panic!("{other:?}"),
            }
            wave
        })
        .collect();
    Plan {
        waves,
        quality: Quality {
            lower_bound_waves: 0,
            lower_bound_minutes: 0,
            optimal: true,
            proof: "bounds",
            solver: "none",
            solve_seconds: 0.0,
        },
        warnings: Vec::new(),
    }
}

/// The assert of the first check of wave `wave` (one-based) of `kind` about `subject`, before
/// the steps when `pre`.
pub fn assert_of(book: &Runbook, wave: usize, pre: bool, kind: CheckKind, subject: &str) -> String {
    let w = &book.waves[wave - 1];
    let checks: &[Check] = if pre { &w.pre_checks } else { &w.post_checks };
    let check = checks
        .iter()
        .find(|c| c.kind == kind && c.subject == subject)
        .unwrap_or_else(|| panic!("no {kind:?} check of {subject} in wave {wave}: {checks:#?}"));
    check
        .assert
        .clone()
        .unwrap_or_else(|| panic!("{} has no assert", check.id))
}

/// Every check of `book` that has a command has an assert, but those named in `except` (kind
/// and subject), each of which must exist with a command and no assert: an exception that no
/// longer applies fails too, so that the list only shrinks.
pub fn every_command_has_an_assert(book: &Runbook, except: &[(CheckKind, &str)]) {
    let mut seen = vec![false; except.len()];
    for wave in &book.waves {
        for check in wave.pre_checks.iter().chain(&wave.post_checks) {
            if check.command.is_none() {
                continue;
            }
            match except
                .iter()
                .position(|&(kind, subject)| kind == check.kind && subject == check.subject)
            {
                Some(k) => {
                    assert!(
                        check.assert.is_none(),
                        "{} has an assert now: drop the exception",
                        check.id
                    );
                    seen[k] = true;
                }
                None => assert!(
                    check.assert.is_some(),
                    "{} ({:?} {}) has no assert",
                    check.id,
                    check.kind,
                    check.subject
                ),
            }
        }
    }
    for (k, (kind, subject)) in except.iter().enumerate() {
        assert!(
            seen[k],
            "no {kind:?} check of {subject} with a command: drop the exception"
        );
    }
}
