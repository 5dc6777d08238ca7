//! Hyper-V: PowerShell is not on the test machine (nor in a package registry this project
//! installs from), so the PowerShell asserts are checked for their structure only: each one
//! reads a value, compares it, and `throw`s a message with the expected and the observed
//! value, every name inside a single-quoted string. The cmdlets and properties they read are
//! from Microsoft Learn: FailoverClusters `Get-ClusterNode` (State Up/Down/Paused/Joining),
//! `Get-ClusterGroup` (State Online/Offline/Failed), `Get-ClusterSharedVolume` (State Online),
//! `Get-ClusterSharedVolumeState` (StateInfo Direct), `Get-Cluster` (ClusterFunctionalLevel),
//! `Update-ClusterFunctionalLevel` (-WhatIf; "cannot be undone"); CIM `Win32_OperatingSystem`
//! (Version).

use quorate::document::PlanDocument;
use quorate::runbook::CheckKind;

use super::{assert_of, book_in_racks, book_of, every_command_has_an_assert, plan_of};

const LEVEL: &str = r#"
[[component]]
name = "cluster-functional-level"
version = "11"
target_version = "12"
"#;

const WAVES: &[&[&str]] = &[&["h1"], &["h2"], &["h3"], &["cluster-functional-level"]];

/// The parts of a PowerShell assert: `$o = READ; if (CONDITION) { ok } else { throw … }`.
pub(super) fn structure(assert: &str) {
    assert!(assert.contains("$o = "), "{assert}");
    assert!(
        assert.contains("throw ('expected {0}: {1}, observed: {2}' -f "),
        "{assert}"
    );
    // Braces and parentheses balance, counting only those outside single-quoted strings.
    let mut depth = (0i32, 0i32);
    let mut quoted = false;
    for c in assert.chars() {
        match c {
            '\'' => quoted = !quoted,
            '{' if !quoted => depth.0 += 1,
            '}' if !quoted => depth.0 -= 1,
            '(' if !quoted => depth.1 += 1,
            ')' if !quoted => depth.1 -= 1,
            _ => {}
        }
        assert!(depth.0 >= 0 && depth.1 >= 0, "{assert}");
    }
    assert_eq!(depth, (0, 0), "{assert}");
    assert!(!quoted, "{assert}");
}

#[test]
fn hyperv_asserts_throw_with_the_expected_and_the_observed_value() {
    let (_, book) = book_of("hyperv", "10.0.20348", "10.0.26100", LEVEL, WAVES);
    every_command_has_an_assert(&book, &[]);
    let version = assert_of(&book, 1, true, CheckKind::Version, "h1, h2, h3");
    structure(&version);
    assert!(version.starts_with("foreach ($n in @('h1','h2','h3')) { $o = (Get-CimInstance -ClassName Win32_OperatingSystem -ComputerName $n).Version; if (\"$o\" -eq '10.0.20348')"), "{version}");
    let back = assert_of(&book, 1, false, CheckKind::Rejoined, "h1");
    structure(&back);
    assert!(
        back.contains("(Get-ClusterNode -Name 'h1').State; if (\"$o\" -eq 'Up')"),
        "{back}"
    );
    let quorum = assert_of(&book, 1, true, CheckKind::Quorum, "etcd");
    structure(&quorum);
    assert!(quorum.contains("-ge 3"), "{quorum}");
    for subject in ["cluster shared volumes", "CSV access"] {
        structure(&assert_of(&book, 1, true, CheckKind::Storage, subject));
    }
    let level = assert_of(&book, 4, false, CheckKind::Version, "cluster-functional-level");
    structure(&level);
    assert!(
        level.contains("(Get-Cluster).ClusterFunctionalLevel; if (\"$o\" -eq '12')"),
        "{level}"
    );
}

/// Raising the functional level is one-way: -WhatIf first, and a rollback note that says so,
/// not "restore from backup"; the Markdown fences PowerShell as `powershell`.
#[test]
fn hyperv_functional_level_is_previewed_and_never_rolled_back_from_backup() {
    let (cluster, book) = book_of("hyperv", "10.0.20348", "10.0.26100", LEVEL, WAVES);
    let wave = &book.waves[3];
    assert_eq!(
        wave.steps[0].command.as_deref(),
        Some("Update-ClusterFunctionalLevel -WhatIf; Update-ClusterFunctionalLevel")
    );
    assert!(wave.rollback.contains("irreversible"), "{}", wave.rollback);
    assert!(!wave.rollback.contains("backup or snapshot"), "{}", wave.rollback);

    let plan = plan_of(&cluster, WAVES);
    let markdown = quorate::render::markdown::render(&PlanDocument::new(&cluster, &plan));
    assert!(markdown.contains("```powershell\n"), "no powershell fence");
    assert!(!markdown.contains("```sh\n"), "a PowerShell command fenced as sh");
}

#[test]
fn hyperv_anti_affinity_assert_reads_each_groups_class_name() {
    let apart = r#"
[[anti_affinity]]
name = "web-apart"
workloads = ["web-7d9f8-abcde", "web-7d9f8-fghij"]
"#;
    let (_, book) = super::book("hyperv", "10.0.20348", "10.0.26100", apart);
    let rules = assert_of(&book, 1, false, CheckKind::Policy, "anti-affinity");
    structure(&rules);
    assert!(
        rules.contains("Get-ClusterGroup -Name 'web-7d9f8-abcde','web-7d9f8-fghij' | Where-Object { $_.AntiAffinityClassNames -notcontains 'web-apart' }"),
        "{rules}"
    );
}

/// The fault domains a wave's nodes sit in (`Get-ClusterFaultDomain` `ParentName`), and the
/// virtual switches of each node of the wave, compared with those of a node that stayed up.
#[test]
fn hyperv_policy_asserts_read_fault_domains_and_compare_switches_with_a_node_that_stayed_up() {
    let (_, book) = book_in_racks("hyperv", "10.0.20348", "10.0.26100", LEVEL, WAVES);
    every_command_has_an_assert(&book, &[]);
    let domains = assert_of(&book, 1, false, CheckKind::Policy, "fault domains");
    structure(&domains);
    assert!(
        domains.starts_with("$o = (Get-ClusterFaultDomain -Name 'h1').ParentName; if (\"$o\" -eq 'rack-a')"),
        "{domains}"
    );
    let switches = assert_of(&book, 1, false, CheckKind::Policy, "virtual switches");
    structure(&switches);
    assert!(
        switches.starts_with("$r = ((Get-VMSwitch -ComputerName 'h2' | Sort-Object Name).Name -join ','); $o = ((Get-VMSwitch -ComputerName 'h1' | Sort-Object Name).Name -join ',');"),
        "{switches}"
    );
    assert!(
        switches.contains("if (\"$r\" -ne '' -and \"$o\" -ceq \"$r\")"),
        "{switches}"
    );
}
