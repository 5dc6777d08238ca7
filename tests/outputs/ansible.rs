//! `-o ansible` and `export ansible`, by structure: one play per wave with `any_errors_fatal`,
//! tasks in plan order, asserts as `failed_when` tasks, every plan value marked `!unsafe`. The
//! playbook is run for real by Ansible in `tests/ansible/run.sh` (syntax check of every example,
//! and a run against stub CLIs); ansible-core is not a dependency of `cargo test`.

use quorate::planfile;
use quorate::render::ansible;
use quorate::runbook::platform::Shell;
use quorate::source::Source;

use super::{run_quorate, scratch, stub_plan, stub_plan_path};
use crate::render::{document, examples};
use crate::support;

/// The value of each `- name: !unsafe "…"` line at `indent`, unescaped enough for the
/// fixture's names (no quotes or backslashes in them).
fn names(playbook: &str, indent: &str) -> Vec<String> {
    let prefix = format!("{indent}- name: !unsafe \"");
    playbook
        .lines()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .map(|rest| rest.trim_end_matches('"').to_string())
        .collect()
}

#[test]
fn one_play_per_wave_each_fatal_on_any_error_and_run_on_the_controller() {
    let doc = stub_plan();
    let playbook = ansible::render(&doc, Shell::Posix);
    let plays = names(&playbook, "");
    assert_eq!(
        plays,
        [
            "Wave 1 of 2: esx-01 (60 min)",
            "Wave 2 of 2: esx $(id) {{ x }} (90 min)"
        ]
    );
    for key in [
        "  any_errors_fatal: true\n",
        "  hosts: localhost\n",
        "  connection: local\n",
        "  gather_facts: false\n",
    ] {
        assert_eq!(
            playbook.matches(key).count(),
            doc.waves.len(),
            "{key:?} in every play"
        );
    }
}

#[test]
fn the_stub_playbook_is_pinned() {
    // The whole text, for review; what it must hold is asserted by the other tests and by
    // tests/ansible/run.sh, which runs it.
    insta::assert_snapshot!("ansible_stub_plan", ansible::render(&stub_plan(), Shell::Posix));
}

#[test]
fn tasks_follow_the_plan_pre_checks_steps_post_checks() {
    let doc = stub_plan();
    let playbook = ansible::render(&doc, Shell::Posix);
    let ids: Vec<String> = names(&playbook, "    ")
        .iter()
        .map(|n| n.split(' ').next().unwrap_or_default().to_string())
        .collect();
    let expected: Vec<String> = doc
        .waves
        .iter()
        .flat_map(|w| {
            w.pre_checks
                .iter()
                .map(|c| c.id.clone())
                .chain(w.steps.iter().map(|s| s.id.clone()))
                .chain(w.post_checks.iter().map(|c| c.id.clone()))
        })
        .collect();
    assert_eq!(ids, expected);
    // Each assert is a shell task failing on its exit code; each manual item a pause.
    let asserts = doc
        .waves
        .iter()
        .flat_map(|w| w.pre_checks.iter().chain(&w.post_checks))
        .filter(|c| c.assert.is_some())
        .count();
    assert_eq!(
        playbook
            .matches("      failed_when: quorate_check.rc != 0\n")
            .count(),
        asserts
    );
    assert!(playbook.contains(
        "    - name: !unsafe \"W1.PRE.1 quorum etcd: at least 2 of 3 members up\"\n      ansible.builtin.shell:\n        cmd: !unsafe \"set -o pipefail\\nprobe quorum etcd\"\n"
    ));
    assert!(playbook.contains(
        "      ansible.builtin.pause:\n        prompt: !unsafe \"manual step W1.S3: reboot esx-01 from its console (Enter when done)\"\n"
    ));
}

#[test]
fn no_plan_value_is_ever_templated() {
    // The only Jinja in the playbook is quorate's own variable; every `{{` of a name sits in an
    // `!unsafe` string, which Ansible never templates.
    let playbook = ansible::render(&stub_plan(), Shell::Posix);
    for line in playbook.lines().filter(|l| l.contains("{{")) {
        let unsafe_value = line
            .trim_start()
            .split_once(": ")
            .is_some_and(|(_, v)| v.starts_with("!unsafe \""));
        assert!(
            unsafe_value || line == "        executable: \"{{ quorate_shell }}\"",
            "templated: {line}"
        );
    }
}

#[test]
fn export_reads_back_every_example_plan_and_writes_the_same_playbook() {
    for name in examples() {
        let doc = document(&name);
        let read = planfile::read_document(
            &Source::new("plan.json", doc.to_json()),
            &quorate::Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {:?}", e.errors()));
        assert_eq!(read, doc, "{name}: the plan document reads back whole");
        assert_eq!(
            ansible::render(&read, Shell::Posix),
            ansible::render(&doc, Shell::Posix),
            "{name}"
        );
    }
}

#[test]
fn export_ansible_writes_the_playbook_of_a_plan_file() {
    let dir = scratch("export-ansible");
    let out = dir.join("site.yml");
    let output = run_quorate(&[&"export", &"ansible", &stub_plan_path(), &"--out", &out]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(&out).expect("the playbook is written");
    assert_eq!(written, ansible::render(&stub_plan(), Shell::Posix));
}

#[test]
fn commands_run_in_the_platforms_shell() {
    let shell_of = |example: &str| {
        let path = support::root().join("examples").join(example);
        let output = run_quorate(&[&"plan", &"-o", &"ansible", &path]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let playbook = String::from_utf8(output.stdout).expect("UTF-8");
        let shells: std::collections::BTreeSet<&str> = playbook
            .lines()
            .filter_map(|l| l.strip_prefix("    quorate_shell: "))
            .collect();
        shells.into_iter().collect::<Vec<_>>().join(",")
    };
    assert_eq!(
        shell_of("hyperv-failover.toml"),
        "/usr/bin/pwsh",
        "Hyper-V's commands are cmdlets"
    );
    assert_eq!(shell_of("kubernetes.toml"), "/bin/bash");
    // A plan file does not say its platform: export is told, bash by default.
    let output = run_quorate(&[
        &"export",
        &"ansible",
        &stub_plan_path(),
        &"--shell",
        &"powershell",
    ]);
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        ansible::render(&stub_plan(), Shell::PowerShell)
    );
}

/// The `cmd` value of every shell task, as written (YAML escapes and all).
fn commands(playbook: &str) -> Vec<&str> {
    playbook
        .lines()
        .filter_map(|l| l.strip_prefix("        cmd: !unsafe \""))
        .map(|rest| rest.trim_end_matches('"'))
        .collect()
}

/// A pipeline returns its last command's status: `cmd | jq …` would hide a failing `cmd`.
/// Every POSIX task therefore starts with `set -o pipefail` and runs in bash (ansible-lint's
/// `risky-shell-pipe`, <https://docs.ansible.com/projects/lint/rules/risky-shell-pipe/>);
/// PowerShell tasks are left as they are. `tests/ansible/run.sh` runs a piped playbook for real.
#[test]
fn posix_tasks_run_with_pipefail_and_powershell_tasks_as_they_are() {
    let doc = stub_plan();
    let posix = ansible::render(&doc, Shell::Posix);
    let tasks = commands(&posix);
    let with_command = doc
        .waves
        .iter()
        .map(|w| {
            let checks = w.pre_checks.iter().chain(&w.post_checks);
            let asserts = checks.filter(|c| c.assert.is_some()).count();
            asserts + w.steps.iter().filter(|s| s.command.is_some()).count()
        })
        .sum::<usize>();
    assert_eq!(tasks.len(), with_command, "one shell task per assert and command");
    for cmd in &tasks {
        assert!(cmd.starts_with("set -o pipefail\\n"), "{cmd}");
    }
    assert_eq!(
        posix
            .matches("        executable: \"{{ quorate_shell }}\"\n")
            .count(),
        tasks.len()
    );
    assert_eq!(
        posix.matches("    quorate_shell: /bin/bash\n").count(),
        doc.waves.len()
    );
    let powershell = ansible::render(&doc, Shell::PowerShell);
    let tasks = commands(&powershell);
    assert_eq!(tasks.len(), with_command);
    assert!(tasks.iter().all(|cmd| !cmd.contains("pipefail")), "{tasks:?}");
    assert_eq!(tasks[0], "probe quorum etcd");
}

#[test]
fn export_refuses_what_is_not_a_json_plan_with_a_located_error() {
    let dir = scratch("export-bad");
    let missing = dir.join("missing.json");
    std::fs::write(
        &missing,
        "{\"schema_version\": 1, \"cluster\": \"c\",\n\"waves\": []}\n",
    )
    .unwrap();
    let output = run_quorate(&[&"export", &"ansible", &missing]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing field `summary`"), "{stderr}");
    assert!(stderr.contains("missing.json:2:"), "the line is shown: {stderr}");

    let toml_plan = support::root().join("plans/kubernetes.valid.toml");
    let output = run_quorate(&[&"export", &"ansible", &toml_plan]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a JSON plan document"), "{stderr}");
    assert!(stderr.contains("-o json"), "{stderr}");
}
