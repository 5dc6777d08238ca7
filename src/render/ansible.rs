//! `-o ansible`: the plan as an Ansible playbook, one play per wave.
//!
//! Each play has `any_errors_fatal: true`, and its tasks are, in plan order: the pre-checks, the
//! steps, the post-checks. A check with an `assert` is a task that runs it and fails (by
//! `failed_when` on its exit code) when the check does not hold; a step with a `command` is a task
//! that runs it. A check without an assert and a step without a command are `pause` tasks that
//! show what to do: on a terminal they wait for Enter, elsewhere Ansible goes on. A failed task
//! ends the play, and so the playbook: later plays (waves) never start.
//!
//! The platform CLI runs on the controller: every play targets `localhost` with the `local`
//! connection, and runs commands with the shell in the variable `quorate_shell`: `/bin/bash`,
//! or `/usr/bin/pwsh` for a PowerShell platform (Hyper-V), whose commands are cmdlets; the
//! shell module runs `EXECUTABLE -c COMMAND`, which pwsh reads as `-Command` (about_Pwsh,
//! <https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_pwsh>).
//! `-e quorate_shell=…` overrides it. Every POSIX command runs after `set -o pipefail`, so that
//! a pipeline such as `cmd | jq …` fails when `cmd` fails rather than taking `jq`'s exit status
//! (ansible-lint's `risky-shell-pipe` rule and its fix, `set -o pipefail` with
//! `executable: /bin/bash`, <https://docs.ansible.com/projects/lint/rules/risky-shell-pipe/>;
//! an overriding `quorate_shell` must know `set -o pipefail`, as bash, ksh and zsh do).
//! PowerShell commands run as they are: pipefail is a POSIX shell option (the rule does not
//! apply to `pwsh` either).
//!
//! Every value from the plan is written as `!unsafe "…"`: a YAML double-quoted string, in which
//! every character a YAML reader would not take literally is escaped, tagged so that Ansible
//! never templates it (a name holding `{{ … }}` stays that text). References: "Unsafe or raw
//! strings", <https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_advanced_syntax.html>;
//! `any_errors_fatal` and `failed_when`,
//! <https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_error_handling.html>;
//! `ansible.builtin.shell` (`cmd`, `executable`) and `ansible.builtin.pause` (`prompt`), their
//! module documentation (`ansible-doc ansible.builtin.shell`).

use std::fmt::Write as _;

use crate::document::{CheckDocument, PlanDocument, StepDocument, WaveDocument};

use super::Item;
use crate::runbook::platform::Shell;

/// The playbook of `doc`, whose commands are written for `shell`.
pub fn render(doc: &PlanDocument, shell: Shell) -> String {
    let mut out = String::new();
    out.push_str(&super::title_comment("Playbook", doc));
    out.push_str(
        "# One play per wave; a failed check or step ends the run before the next wave.\n\
         # The platform CLI runs on the controller; quorate_shell is the shell that runs the\n\
         # commands (override with -e quorate_shell=PATH). Check mode (--check) runs nothing.\n---\n",
    );
    if doc.waves.is_empty() {
        out.push_str("[]\n");
    }
    for wave in &doc.waves {
        play(&mut out, doc, wave, shell);
    }
    out
}

/// The shell that runs the commands, and what every command is preceded by.
fn runner(shell: Shell) -> (&'static str, &'static str) {
    match shell {
        Shell::Posix => ("/bin/bash", "set -o pipefail\n"),
        Shell::PowerShell => ("/usr/bin/pwsh", ""),
    }
}

fn play(out: &mut String, doc: &PlanDocument, wave: &WaveDocument, shell: Shell) {
    let (executable, _) = runner(shell);
    let _ = writeln!(
        out,
        "- name: {}",
        unsafe_str(&format!(
            "Wave {} of {}: {} ({} min)",
            wave.index,
            doc.waves.len(),
            wave.hosts.join(", "),
            wave.minutes
        ))
    );
    out.push_str(
        "  hosts: localhost\n  connection: local\n  gather_facts: false\n  any_errors_fatal: true\n",
    );
    let _ = writeln!(out, "  vars:\n    quorate_shell: {executable}");
    out.push_str("  tasks:\n");
    if super::items(wave).next().is_none() {
        let _ = writeln!(
            out,
            "    - name: {}\n      ansible.builtin.debug:\n        msg: nothing to run in this wave",
            unsafe_str(&format!("W{} has no checks or steps", wave.index))
        );
    }
    for item in super::items(wave) {
        match item {
            Item::Check(check) => check_task(out, check, shell),
            Item::Step(step) => step_task(out, step, shell),
        }
    }
}

fn check_task(out: &mut String, check: &CheckDocument, shell: Shell) {
    let name = format!("{} {} {}: {}", check.id, check.kind, check.subject, check.expect);
    match &check.assert {
        Some(assert) => {
            shell_task(out, &name, assert, shell);
            out.push_str(
                "      register: quorate_check\n      changed_when: false\n      failed_when: quorate_check.rc != 0\n",
            );
        }
        None => {
            let prompt = match &check.command {
                Some(command) => format!("manual check {}: verify with: {command}", check.id),
                None => format!("manual check {}", check.id),
            };
            pause_task(out, &name, &prompt);
        }
    }
}

fn step_task(out: &mut String, step: &StepDocument, shell: Shell) {
    let name = format!("{} {} {}", step.id, step.action, step.target);
    match &step.command {
        Some(command) => shell_task(out, &name, command, shell),
        None => {
            let prompt = match &step.detail {
                Some(detail) => format!("manual step {}: {detail}", step.id),
                None => format!("manual step {}", step.id),
            };
            pause_task(out, &name, &prompt);
        }
    }
}

fn shell_task(out: &mut String, name: &str, command: &str, shell: Shell) {
    let (_, preamble) = runner(shell);
    let _ = writeln!(
        out,
        "    - name: {}\n      ansible.builtin.shell:\n        cmd: {}\n        executable: \"{{{{ quorate_shell }}}}\"",
        unsafe_str(name),
        unsafe_str(&format!("{preamble}{command}"))
    );
}

fn pause_task(out: &mut String, name: &str, prompt: &str) {
    let _ = writeln!(
        out,
        "    - name: {}\n      ansible.builtin.pause:\n        prompt: {}",
        unsafe_str(name),
        unsafe_str(&format!("{prompt} (Enter when done)"))
    );
}

/// `text` as `!unsafe "…"`: never templated by Ansible, and read back by a YAML parser exactly.
fn unsafe_str(text: &str) -> String {
    format!("!unsafe {}", yaml_double_quoted(text))
}

/// `text` as a YAML double-quoted scalar. Printable characters are written as they are;
/// everything else (control characters, DEL, the C1 range, the line and paragraph separators,
/// the byte order mark, non-characters) is an escape, so the reader neither rejects nor folds it.
/// YAML 1.1 and 1.2 both define these escapes (<https://yaml.org/spec/1.2.2/#57-escaped-characters>).
fn yaml_double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            '\u{a0}'..='\u{2027}'
            | '\u{202a}'..='\u{d7ff}'
            | '\u{e000}'..='\u{fefe}'
            | '\u{ff00}'..='\u{fffd}' => {
                out.push(c);
            }
            c if u32::from(c) >= 0x1_0000 => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_what_yaml_would_not_read_literally() {
        assert_eq!(yaml_double_quoted("esx-01"), "\"esx-01\"");
        assert_eq!(yaml_double_quoted("a \"b\" \\c"), r#""a \"b\" \\c""#);
        assert_eq!(
            yaml_double_quoted("l1\nl2\t\u{1b}\u{7f}\u{85}\u{2028}\u{feff}é✓"),
            r#""l1\nl2\t\u001B\u007F\u0085\u2028\uFEFFé✓""#
        );
        assert_eq!(unsafe_str("{{ x }}"), "!unsafe \"{{ x }}\"");
    }
}
