//! Quoting: commands built from hostile names are run for real by `sh`, with every tool
//! replaced by a stub that records its arguments, and each name must arrive as one argument,
//! with nothing else run. PowerShell, which the test machine lacks, is read back with a
//! tokenizer of its single-quoted strings.

use std::path::{Path, PathBuf};

use quorate::Cluster;
use quorate::document::{PlanDocument, StepDocument};
use quorate::model::{HostId, ItemId};
use quorate::placement::{DEFAULT_NODE_BUDGET, Placement, place};
use quorate::plan::{Plan, Quality, Wave};
use quorate::runbook::{Action, build};

use crate::support;

/// Hostile names. `rm`, `touch` and `id` are stubs too, so even a quoting bug would run
/// nothing; the stubs' record shows it.
const HOSTS: [&str; 3] = [
    "esx-01; rm -rf /",
    "it's \"two\" ‘x’",
    "$(touch pwned) `id` 日本 🦀",
];
const WORKLOADS: [&str; 3] = ["db 1\nline 2", "--help", "a'b$c\\d"];

fn hostile(platform: &str) -> (Cluster, Plan) {
    let text = format!(
        r#"
[cluster]
name = "lab; id"
platform = "{platform}"

[[host]]
name = "h1"
cpu = 16
memory_gib = 64

[[host]]
name = "h2"
cpu = 16
memory_gib = 64

[[host]]
name = "h3"
cpu = 16
memory_gib = 64

[[workload]]
name = "w1"
host = "h1"
cpu = 1
memory_gib = 1

[[workload]]
name = "w2"
host = "h1"
cpu = 1
memory_gib = 1
migration = "restart"

[[workload]]
name = "w3"
host = "h2"
cpu = 1
memory_gib = 1

[[quorum_group]]
name = "q"
members = ["h1", "h2", "h3", "w3"]

[[disruption_budget]]
name = "b"
workloads = ["w1", "w3"]
max_unavailable = 1
"#
    );
    let mut cluster = support::load_ok("hostile", &text).cluster;
    // The loader refuses control characters in names; the runbook must not rely on that.
    for (host, name) in cluster.hosts.iter_mut().zip(HOSTS) {
        host.name = name.to_string();
    }
    for (workload, name) in cluster.workloads.iter_mut().zip(WORKLOADS) {
        workload.name = name.to_string();
    }
    let waves = [0, 1]
        .into_iter()
        .map(|h| {
            let mut wave = Wave::new(vec![ItemId::Host(HostId(h))]);
            match place(&cluster, &[HostId(h)], DEFAULT_NODE_BUDGET) {
                Placement::Found { moves, .. } => wave.moves = moves,
                other => panic!("{other:?}"),
            }
            wave
        })
        .collect();
    let plan = Plan {
        waves,
        quality: Quality {
            lower_bound_waves: 2,
            lower_bound_minutes: 0,
            optimal: true,
            proof: "bounds",
            solver: "none",
            solve_seconds: 0.0,
        },
        warnings: Vec::new(),
    };
    (cluster, plan)
}

const TOOLS: &[&str] = &[
    "govc",
    "kubectl",
    "ceph",
    "acli",
    "ncli",
    "cluster",
    "manage_ovs",
    "pvecm",
    "pvesh",
    "pvesm",
    "ha-manager",
    "jq",
    "curl",
    "ssh",
    "openstack",
    "grep",
    "sleep",
    "rm",
    "touch",
    "id",
];

/// A folder of stub tools that append their name and arguments to `log`, separated by US and
/// terminated by RS (names are printable, so neither occurs in one).
fn stubs(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("stub folder");
    for tool in TOOLS {
        let path = bin.join(tool);
        std::fs::write(
            &path,
            "#!/bin/sh\nprintf '%s\\037' \"${0##*/}\" \"$@\" >> \"$STUB_LOG\"\nprintf '\\036' >> \"$STUB_LOG\"\n",
        )
        .expect("stub");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    bin
}

/// Runs `command` with `sh`, only the stubs on PATH; returns every invocation as [tool, args...].
fn run(dir: &Path, bin: &Path, command: &str) -> Vec<Vec<String>> {
    let log = dir.join("log");
    let _ = std::fs::remove_file(&log);
    let mut child = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .env_clear()
        .env("PATH", bin)
        .env("STUB_LOG", &log)
        .spawn()
        .expect("sh runs");
    // A command that loops on a tool (waiting for a state) must not hang the test suite.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("sh is waited for") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command}: still running after 20 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    // The stubs print nothing, so a command that reads a tool's answer (a lookup, a wait) may
    // fail; a shell syntax error (status 2) or a signal may not.
    assert!(status.code().is_some_and(|c| c != 2), "{command}: {status}");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    text.split('\u{1e}')
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.trim_end_matches('\u{1f}')
                .split('\u{1f}')
                .map(str::to_string)
                .collect()
        })
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quorate-runbook-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

#[test]
fn posix_commands_pass_every_hostile_name_as_one_argument() {
    for platform in [
        "vsphere",
        "vsan",
        "nutanix",
        "proxmox",
        "openstack",
        "kubernetes",
        "ceph",
    ] {
        let dir = scratch(platform);
        let bin = stubs(&dir);
        let (cluster, plan) = hostile(platform);
        let doc = PlanDocument::new(&cluster, &plan);
        let mut commands = 0;
        let names: Vec<&str> = HOSTS.iter().chain(&WORKLOADS).copied().collect();
        for wave in &doc.waves {
            let checks = wave.pre_checks.iter().chain(&wave.post_checks);
            let targets = checks
                .map(|c| (c.command.as_deref(), c.subject.as_str(), false))
                .chain(
                    wave.steps
                        .iter()
                        .map(|s: &StepDocument| (s.command.as_deref(), s.target.as_str(), true)),
                );
            for (command, target, is_step) in targets {
                let Some(command) = command else { continue };
                commands += 1;
                let calls = run(&dir, &bin, command);
                assert!(!calls.is_empty(), "{platform}: {command} ran no tool");
                for call in &calls {
                    assert!(
                        !["rm", "touch", "id"].contains(&call[0].as_str()),
                        "{platform}: {command:?} ran {call:?}"
                    );
                }
                // govc's finder reads its names as glob paths, so they arrive escaped; compare
                // what govc makes of them.
                let args: Vec<String> = calls
                    .iter()
                    .flat_map(|c| {
                        let govc = c[0] == "govc";
                        c[1..]
                            .iter()
                            .map(move |a| if govc { govc_reads(a) } else { a.clone() })
                    })
                    .collect();
                // A step's command names what it acts on whole, inside one argument (alone, or
                // as host=NAME, root@NAME, /nodes/NAME/status, metadata.name=NAME).
                if is_step && names.contains(&target) {
                    assert!(
                        args.iter().any(|a| a.contains(target)),
                        "{platform}: {command:?} does not pass {target:?} whole: {args:?}"
                    );
                }
                // No argument holds a piece of a name without the whole of it.
                for name in &names {
                    for piece in name.split([' ', ';', '\n']).filter(|p| p.len() > 2) {
                        for arg in &args {
                            assert!(
                                !arg.contains(piece) || arg.contains(name),
                                "{platform}: {command:?} split {name:?}: {args:?}"
                            );
                        }
                    }
                }
            }
        }
        assert!(commands > 10, "{platform}: only {commands} commands");
        assert!(!dir.join("pwned").exists(), "{platform}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn the_headline_host_name_is_exactly_one_argument_of_govc() {
    let dir = scratch("headline");
    let bin = stubs(&dir);
    let (cluster, plan) = hostile("vsan");
    let book = build(&cluster, &plan);
    let enter = book.waves[0]
        .steps
        .iter()
        .find(|s| s.action == Action::EnterMaintenance)
        .expect("maintenance");
    assert_eq!(enter.target, "esx-01; rm -rf /");
    let command = enter.command.as_deref().expect("a govc command");
    // vSphere keeps the slash of a name as %2f, and govc looks the name up in that form.
    assert_eq!(command, "govc host.maintenance.enter 'esx-01; rm -rf %2f'");
    let calls = run(&dir, &bin, command);
    assert_eq!(calls, [["govc", "host.maintenance.enter", "esx-01; rm -rf %2f"]]);
    assert_eq!(govc_reads(&calls[0][2]), "esx-01; rm -rf /");
    // An operand that looks like an option follows `--`.
    let migrate = book.waves[0]
        .steps
        .iter()
        .find(|s| s.action == Action::Migrate && s.target == "--help");
    if let Some(step) = migrate {
        let calls = run(&dir, &bin, step.command.as_deref().expect("a command"));
        assert!(
            calls
                .iter()
                .any(|c| c.ends_with(&["--".to_string(), "--help".to_string()])),
            "{calls:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads the single-quoted strings of a PowerShell command: `''` (or a doubled typographic
/// quote) inside one is a literal quote.
fn powershell_strings(command: &str) -> Vec<String> {
    const QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
    let mut out = Vec::new();
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        if !QUOTES.contains(&c) {
            continue;
        }
        let mut s = String::new();
        loop {
            match chars.next() {
                Some(q) if QUOTES.contains(&q) => {
                    if chars.peek().is_some_and(|n| QUOTES.contains(n)) {
                        s.push(chars.next().expect("peeked"));
                    } else {
                        break;
                    }
                }
                Some(other) => s.push(other),
                None => panic!("unterminated string in {command:?}"),
            }
        }
        out.push(s);
    }
    out
}

#[test]
fn powershell_commands_pass_every_hostile_name_as_one_string() {
    let (cluster, plan) = hostile("hyperv");
    let doc = PlanDocument::new(&cluster, &plan);
    let names: Vec<&str> = HOSTS.iter().chain(&WORKLOADS).copied().collect();
    let mut seen = 0;
    for wave in &doc.waves {
        for step in &wave.steps {
            let Some(command) = &step.command else { continue };
            if names.contains(&step.target.as_str()) {
                let strings = powershell_strings(command);
                assert!(
                    strings.iter().any(|s| s == &step.target),
                    "{command:?}: {strings:?}"
                );
                seen += 1;
            }
        }
    }
    assert!(seen >= 8, "{seen}");
    assert_eq!(
        powershell_strings("Suspend-ClusterNode -Name 'it''s ‘‘x’’' -Drain"),
        ["it's ‘x’"]
    );
}

/// The name vSphere displays for a govc operand quorate wrote: `\c` is the character c (Go's
/// `path.Match`), and `%2f`, `%5c`, `%25` are the escapes vSphere keeps in names for `/`, `\`
/// and `%`.
fn govc_reads(arg: &str) -> String {
    let mut out = String::new();
    let mut chars = arg.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            _ => out.push(c),
        }
    }
    out.replace("%2f", "/").replace("%5c", "\\").replace("%25", "%")
}

/// Go's `path.Match` (the finder's matcher), for one path element: `*` any run of characters
/// but `/`, `?` one such character, `[…]` a class (`^` negates, `a-z` ranges), `\c` the
/// character c.
fn go_match(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != '/')
            .any(|i| go_match(rest, &name[i..])),
        Some(('?', rest)) => matches!(name.first(), Some(&c) if c != '/') && go_match(rest, &name[1..]),
        Some(('[', rest)) => {
            let Some((&c, tail)) = name.split_first() else {
                return false;
            };
            let (negated, mut rest) = match rest.split_first() {
                Some(('^', r)) => (true, r),
                _ => (false, rest),
            };
            let mut hit = false;
            let mut first = true;
            loop {
                let Some((&lo, r)) = rest.split_first() else {
                    return false;
                };
                if lo == ']' && !first {
                    rest = r;
                    break;
                }
                first = false;
                let (lo, r) = if lo == '\\' { (r[0], &r[1..]) } else { (lo, r) };
                let (hi, r) = match r {
                    ['-', '\\', h, r @ ..] => (*h, r),
                    ['-', h, r @ ..] if *h != ']' => (*h, r),
                    _ => (lo, r),
                };
                hit |= lo <= c && c <= hi;
                rest = r;
            }
            hit != negated && go_match(rest, tail)
        }
        Some(('\\', rest)) => match rest.split_first() {
            Some((&e, rest)) => name.first() == Some(&e) && go_match(rest, &name[1..]),
            None => false,
        },
        Some((&p, rest)) => name.first() == Some(&p) && go_match(rest, &name[1..]),
    }
}

#[test]
fn the_go_matcher_of_this_test_reads_globs_as_go_does() {
    let m = |p: &str, n: &str| go_match(&p.chars().collect::<Vec<_>>(), &n.chars().collect::<Vec<_>>());
    assert!(m("esx-*", "esx-01") && m("esx-*", "esx-") && !m("esx-*", "esx/01"));
    assert!(m("esx-0?", "esx-01") && !m("esx-0?", "esx-1"));
    assert!(m("h[0-9]", "h7") && !m("h[^0-9]", "h7") && m("h[ab]", "hb"));
    assert!(m(r"esx-\*", "esx-*") && !m(r"esx-\*", "esx-01"));
}

/// govc's inventory finder matches each name as a glob: a host named `esx-*` must put that one
/// host into maintenance, not every host of the datacenter.
#[test]
fn govc_names_are_literal_for_its_inventory_finder() {
    let dir = scratch("globs");
    let bin = stubs(&dir);
    let (mut cluster, plan) = hostile("vsan");
    let names = ["esx-*", r"rack/1 [a]?\b", "esx-01"];
    for (host, name) in cluster.hosts.iter_mut().zip(names) {
        host.name = name.to_string();
    }
    let book = build(&cluster, &plan);
    let entered: Vec<&str> = book
        .waves
        .iter()
        .flat_map(|w| &w.steps)
        .filter(|s| s.action == Action::EnterMaintenance)
        .map(|s| s.command.as_deref().expect("a govc command"))
        .collect();
    assert_eq!(
        entered,
        [
            r"govc host.maintenance.enter 'esx-\*'",
            r"govc host.maintenance.enter 'rack%2f1 \[a]\?%5cb'",
        ]
    );
    // The names as the finder sees them in the inventory, escaped the way vSphere keeps them.
    let inventory: Vec<Vec<char>> = names
        .iter()
        .map(|n| n.replace('\\', "%5c").replace('/', "%2f").chars().collect())
        .collect();
    for (command, name) in entered.iter().zip(names) {
        let calls = run(&dir, &bin, command);
        let pattern: Vec<char> = calls[0].last().expect("an operand").chars().collect();
        let matched: Vec<&str> = names
            .iter()
            .zip(&inventory)
            .filter(|(_, seen)| go_match(&pattern, seen))
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(matched, [name], "{command}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
