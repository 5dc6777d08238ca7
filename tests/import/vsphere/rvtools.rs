//! vSphere through RVTools: the vHost and vInfo sheets saved as CSV.
//!
//! `rvtools-*.csv` are written by `make_rvtools.py` with the sheets' own headers, in RVTools'
//! column order (SOURCES.md cites where they are documented). The small pair is Excel's
//! "CSV UTF-8" (byte order mark, CRLF, a name with a comma, an annotation with a line break).

use quorate::model::{HostState, Platform};

use super::super::{fixture, flat, import_check_plan, import_set, read, run};

fn set(name: &str) -> Vec<(String, String)> {
    ["vhost", "vinfo"]
        .iter()
        .map(|part| {
            let file = format!("rvtools-{name}-{part}.csv");
            let text = read(&fixture("vsphere", &file));
            (file, text)
        })
        .collect()
}

/// Runs `quorate import vsphere` on `files` (name, text) written to a temporary folder;
/// returns the exit code and the flattened diagnostic.
fn import_files(files: &[(String, String)]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut args = vec!["import".to_string(), "vsphere".to_string()];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("the temporary file is written");
        args.push(path.to_str().expect("UTF-8 path").to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = run(&args);
    (code, stdout, flat(&stderr))
}

/// The diagnostic for the small set with `part` (0 vHost, 1 vInfo) changed by `change`.
fn broken(part: usize, change: &Edit) -> String {
    let mut files = set("small");
    files[part].1 = change(&files[part].1);
    let (code, stdout, stderr) = import_files(&files);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stdout, "", "nothing is written on an input error");
    stderr
}

#[test]
fn the_small_export_imports_as_the_mapping_says() {
    let text = import_set(Platform::Vsphere, &set("small"));
    insta::assert_snapshot!("vsphere_rvtools_small", text);
    let cluster = crate::support::load_ok("imported.toml", &text).cluster;
    assert_eq!(cluster.name, "prod-01", "the Cluster column names the cluster");
    let host = |name: &str| cluster.hosts.iter().find(|h| h.name == name).unwrap();
    assert_eq!(host("esx-04.lab.example").state, HostState::Maintenance);
    assert_eq!(host("esx-03.lab.example").version.as_deref(), Some("8.0.1"));
    assert_eq!(host("esx-01.lab.example").version.as_deref(), Some("8.0.2"));
    let names: Vec<&str> = cluster.workloads.iter().map(|w| w.name.as_str()).collect();
    for skipped in ["old-app", "batch-01", "ubuntu-template"] {
        assert!(!names.contains(&skipped), "{skipped} does not run: {names:?}");
    }
    assert!(names.contains(&"web, frontend"), "a quoted comma: {names:?}");
    assert!(
        names.contains(&"test-vm-2008") && names.contains(&"test-vm-2009"),
        "{names:?}"
    );
    assert!(
        text.contains("# note: 2 powered-off or suspended VM(s)"),
        "{text}"
    );
    let vsan = import_set(Platform::Vsan, &set("small"));
    assert!(vsan.contains("platform = \"vsan\""), "{vsan}");
}

/// The same cluster read through govc (`small-*.json`) and through RVTools gives the same
/// hosts: the two paths agree on units (bytes and MiB), versions and maintenance mode.
#[test]
fn rvtools_and_govc_agree_on_the_hosts() {
    let load = |text: &str| crate::support::load_ok("imported.toml", text).cluster;
    let govc = super::set("small");
    let govc = load(&import_set(Platform::Vsphere, &govc));
    let rvtools = load(&import_set(Platform::Vsphere, &set("small")));
    assert_eq!(govc.hosts.len(), rvtools.hosts.len());
    for (g, r) in govc.hosts.iter().zip(&rvtools.hosts) {
        assert_eq!(
            (&g.name, g.capacity, &g.version, g.state),
            (&r.name, r.capacity, &r.version, r.state)
        );
    }
    let size =
        |c: &quorate::model::Cluster, name: &str| c.workloads.iter().find(|w| w.name == name).unwrap().demand;
    assert_eq!(size(&govc, "db-01"), size(&rvtools, "db-01"));
}

#[test]
fn the_large_export_imports_checks_and_plans() {
    let paths: Vec<String> = ["vhost", "vinfo"]
        .iter()
        .map(|p| {
            let path = fixture("vsphere", &format!("rvtools-large-{p}.csv"));
            path.to_str().unwrap().to_string()
        })
        .collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let summary = import_check_plan("vsphere", &paths);
    assert!(summary.contains("hosts            64 (64 ready)"), "{summary}");
    assert!(summary.contains("workloads        512 (512 live"), "{summary}");
}

#[test]
fn a_host_whose_status_vcenter_does_not_know_is_down() {
    let mut files = set("small");
    files[0].1 = files[0].1.replacen(
        "esx-02.lab.example,DC1,prod-01,green",
        "esx-02.lab.example,DC1,prod-01,gray",
        1,
    );
    let (code, text, stderr) = import_files(&files);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        text.contains("state = \"down\"  # config status gray: vCenter does not know its state"),
        "{text}"
    );
}

/// A change to a sheet's text.
type Edit = dyn Fn(&str) -> String;

#[test]
fn malformed_sheets_are_named_by_file_line_and_column() {
    let cases: [(usize, &Edit, &str); 6] = [
        (
            0,
            &|t| t.replacen(",# Cores,", ",Cores,", 1),
            "rvtools-small-vhost.csv: line 1: the header has no column \"# Cores\"",
        ),
        (
            0,
            &|t| t.replacen(",2,16,32,", ",2,16,32 cores,", 1),
            "rvtools-small-vhost.csv: line 2, column \"# Cores\": expected a non-negative \
             number, found \"32 cores\"",
        ),
        (
            1,
            &|t| t.replacen("poweredOff", "off", 1),
            "rvtools-small-vinfo.csv: line 8, column \"Powerstate\": expected poweredOn, \
             poweredOff or suspended, found \"off\"",
        ),
        (
            1,
            &|t| t.replacen("\"web, frontend\"", "\"web, frontend", 1),
            "rvtools-small-vinfo.csv: line 6: a quoted field is never closed",
        ),
        (
            0,
            &|t| t.replacen(",prod-01,", ",prod-02,", 1),
            "rvtools-small-vhost.csv: column \"Cluster\": the sheet holds 2 clusters \
             (prod-02, prod-01)",
        ),
        (
            1,
            &|t| t.replacen("VM,Powerstate", "Name,Powerstate", 1),
            "rvtools-small-vinfo.csv: line 1: not an RVTools vHost or vInfo sheet",
        ),
    ];
    for (part, change, expected) in cases {
        let stderr = broken(part, change);
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
}

#[test]
fn rvtools_sheets_and_govc_exports_are_not_mixed() {
    let mut files = set("small");
    files.push(super::set("small").remove(1));
    let (code, _, stderr) = import_files(&files);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("small-vms.json: $: a govc JSON export given with RVTools sheets"),
        "{stderr}"
    );
    let (code, _, stderr) = import_files(&set("small")[1..]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("no RVTools vHost sheet among the files"),
        "{stderr}"
    );
}

/// The README's RVTools workflow through the binary: import at a target version (the hosts
/// already on it are done), drift against the same sheets (none) and against a vHost where
/// esx-03 was upgraded since (a version difference, exit 1), plan, and verify wave 1.
#[test]
fn import_drift_plan_and_verify_read_the_sheets() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let mut sheets = Vec::new();
    for (name, text) in set("small") {
        std::fs::write(path(&name), &text).unwrap();
        sheets.push(path(&name));
    }
    let (cluster, plan) = (path("cluster.toml"), path("plan.json"));
    let with = |args: &[&str], files: &[String]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(files.iter().map(String::as_str));
        run(&all)
    };
    let (code, _, stderr) = with(
        &[
            "import",
            "vsphere",
            "--target-version",
            "8.0.2",
            "--out",
            &cluster,
        ],
        &sheets,
    );
    assert_eq!(code, Some(0), "{stderr}");
    let (code, summary, stderr) = run(&["check", &cluster]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        summary.contains(
            "already done     2 hosts at 8.0.2, not planned: esx-01.lab.example, esx-02.lab.example"
        ),
        "{summary}"
    );
    let (code, stdout, stderr) = with(&["drift", &cluster], &sheets);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let upgraded = read(&fixture("vsphere", "rvtools-small-vhost.csv"))
        .replace("8.0.1 build-21495797", "8.0.2 build-22380479");
    std::fs::write(path("vHost-now.csv"), upgraded).unwrap();
    let now = [path("vHost-now.csv"), sheets[1].clone()];
    let (code, _, stderr) = with(&["drift", &cluster], &now);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        flat(&stderr).contains("host esx-03.lab.example runs version 8.0.2, not 8.0.1 as declared"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["plan", &cluster, "-o", "json", "--out", &plan]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, stderr) = with(&["verify", &cluster, &plan, "--wave", "1"], &sheets);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("0 fail"), "{stdout}");
}

mod robustness {
    //! No sheet makes the RVTools importer panic, and whatever it accepts, `check` accepts:
    //! a cell of the small sheets is replaced with an odd value (written back quoted, as a
    //! spreadsheet would), or the raw text is cut or has a character put in.

    use proptest::prelude::*;
    use quorate::Source;
    use quorate::import::{ImportOptions, render};
    use quorate::model::Platform;

    fn odd_cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("-1".to_string()),
            Just("1e400".to_string()),
            Just("NaN".to_string()),
            Just("inf".to_string()),
            Just("1e300".to_string()),
            Just("True".to_string()),
            Just("gray".to_string()),
            Just("esx-01.lab.example".to_string()),
            Just("db-01".to_string()),
            Just("a \"quoted\", \r\n value".to_string()),
            Just("tab\there\u{7}".to_string()),
            Just("VMware ESXi".to_string()),
            "[ -~]{0,12}",
        ]
    }

    fn quoted(fields: &[String]) -> String {
        let cells: Vec<String> = fields
            .iter()
            .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
            .collect();
        cells.join(",")
    }

    /// `text` with the cell (`row`, `column`) (both taken modulo the sheet's size) set to `cell`.
    fn with_cell(text: &str, row: usize, column: usize, cell: &str) -> String {
        let records = quorate::live::csv::parse("sheet.csv", text).expect("a fixture parses");
        let row = row % records.len();
        let lines: Vec<String> = records
            .iter()
            .enumerate()
            .map(|(i, record)| {
                let mut fields = record.fields.clone();
                if i == row {
                    let column = column % fields.len();
                    fields[column] = cell.to_string();
                }
                quoted(&fields)
            })
            .collect();
        lines.join("\r\n")
    }

    fn import_holds(files: &[(String, String)]) -> Result<(), TestCaseError> {
        let sources: Vec<Source> = files
            .iter()
            .map(|(name, text)| Source::new(name.as_str(), text.as_str()))
            .collect();
        match quorate::live::parse(Platform::Vsphere, &sources) {
            Ok(live) => {
                let text = render(&live, &ImportOptions::default());
                let loaded = quorate::load(&Source::new("imported.toml", text.as_str()));
                prop_assert!(loaded.is_ok(), "accepted but check refuses:\n{text}");
            }
            Err(e) => prop_assert!(files.iter().any(|(name, _)| *name == e.file), "{e}"),
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn an_odd_cell_is_an_error_or_a_description_that_loads(
            sheet in 0usize..2, row in 0usize..64, column in 0usize..128, cell in odd_cell()
        ) {
            let mut files = super::set("small");
            files[sheet].1 = with_cell(&files[sheet].1, row, column, &cell);
            import_holds(&files)?;
        }

        #[test]
        fn cut_or_spliced_text_never_panics(
            sheet in 0usize..2, at in 0usize..4000, put in prop::option::of("[\"\r\n,;a]")
        ) {
            let mut files = super::set("small");
            let text = &files[sheet].1;
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            files[sheet].1 = match put {
                Some(c) => format!("{}{c}{}", &text[..at], &text[at..]),
                None => text[..at].to_string(),
            };
            import_holds(&files)?;
        }
    }
}
