//! `quorate completions SHELL` and `quorate man`, generated from the clap definitions: every
//! command is in them, and an unknown shell is a usage error.

use super::run_quorate;

const COMMANDS: [&str; 7] = [
    "check",
    "plan",
    "validate",
    "graph",
    "export",
    "completions",
    "man",
];

#[test]
fn completions_list_every_command_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = run_quorate(&[&"completions", &shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(output.stdout).expect("UTF-8");
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: {command} missing");
        }
        // The formats added to `plan -o` are completed too.
        assert!(script.contains("change-md"), "{shell}: the -o values");
    }
}

#[test]
fn bash_completions_are_valid_bash() {
    let output = run_quorate(&[&"completions", &"bash"]);
    let check = std::process::Command::new("bash")
        .args(["-n", "-c"])
        .arg(String::from_utf8(output.stdout).expect("UTF-8"))
        .output()
        .expect("bash runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let output = run_quorate(&[&"completions", &"tcsh"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("possible values"));
}

#[test]
fn the_man_page_has_a_section_per_command() {
    let output = run_quorate(&[&"man"]);
    assert_eq!(output.status.code(), Some(0));
    let page = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(page.contains(".TH quorate 1"), "the main page");
    for command in COMMANDS {
        assert!(
            page.contains(&format!(".TH quorate-{command} 1")),
            "{command} has no page"
        );
    }
    assert!(page.contains("\\-\\-start"), "options are documented");
}
