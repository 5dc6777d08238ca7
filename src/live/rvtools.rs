//! vSphere through RVTools: the vHost and vInfo sheets of an RVTools export, saved as CSV.
//!
//! RVTools is the inventory most vSphere administrators already have: one workbook per
//! vCenter with a sheet per kind of object. quorate reads two sheets, each saved as CSV from
//! the spreadsheet program (File > Save As > CSV), in any order; a file is recognised by its
//! header row, whatever its name. The column names are the sheets' own headers (RVTools 4.x;
//! see `tests/fixtures/import/vsphere/SOURCES.md` for where they are documented):
//!
//! - **vHost**, one row per ESXi host: `Host` (its name), `Cluster`, `# Cores` (physical
//!   cores), `# Memory` (MiB), `in Maintenance Mode` (`True`/`False`), `ESX Version` (the
//!   product's full name, `VMware ESXi 8.0.2 build-22380479`, of which the version number is
//!   kept, so that a re-import after a partial upgrade finds the hosts already done) and
//!   `Config status` (`green`, `yellow`, `red` or `gray`).
//! - **vInfo**, one row per VM: `VM`, `Powerstate` (`poweredOn`, `poweredOff`, `suspended`),
//!   `Template` (`True`/`False`), `CPUs`, `Memory` (MiB), `Host` (its host's name) and, when
//!   present, `VM ID` (to tell apart VMs of one name) and `SRM Placeholder`.
//!
//! The mapping is the govc path's ([`super::vsphere`]): hosts with their version, in
//! maintenance when in maintenance mode; a host whose configuration status is `gray` (vCenter
//! does not know its state: disconnected or not responding) is down; powered-on VMs are
//! workloads that migrate live, sized and placed on their host; powered-off and suspended
//! VMs, templates and SRM placeholders are left out. A description is one cluster, so an
//! export of several clusters is refused with their names.
//!
//! Not read: DRS rules (the vInfo columns `Cluster rule(s)` name rules without their type).
//! RVTools sheets are not mixed with govc exports: the two name VMs and hosts differently,
//! so a set of files is either all CSV (RVTools) or all JSON (govc).

use crate::live::csv::{self, Record};
use crate::live::vsphere::{self, Vm};
use crate::live::{Fact, LiveCluster, LiveError, LiveHost};
use crate::model::HostState;
use crate::source::Source;

const MIB_PER_GIB: f64 = 1024.0;

/// Whether `text` is CSV rather than JSON: its first character is not `{` or `[`.
pub fn is_csv(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    !text.is_empty() && !text.starts_with(['{', '['])
}

/// A sheet with its header, for reading cells by column name.
struct Sheet<'a> {
    file: &'a str,
    header: Vec<String>,
    rows: Vec<Record>,
}

impl<'a> Sheet<'a> {
    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.trim() == name)
    }

    fn required(&self, name: &str) -> Result<usize, LiveError> {
        self.column(name).ok_or_else(|| LiveError {
            file: self.file.to_string(),
            at: "line 1".to_string(),
            message: format!("the header has no column \"{name}\""),
            help: "save the whole sheet as RVTools wrote it, with its header row; quorate \
                   needs the columns the README lists"
                .to_string(),
        })
    }

    fn error(&self, row: &Record, column: usize, expected: &str) -> LiveError {
        let found = row.fields.get(column).map_or("", String::as_str);
        LiveError {
            file: self.file.to_string(),
            at: format!("line {}, column \"{}\"", row.line, self.header[column].trim()),
            message: format!("expected {expected}, found {found:?}"),
            help: "check that the sheet is RVTools' export, saved as CSV unchanged".to_string(),
        }
    }

    fn text(&self, row: &'a Record, column: usize) -> &'a str {
        row.fields.get(column).map_or("", |f| f.trim())
    }

    fn name(&self, row: &'a Record, column: usize) -> Result<&'a str, LiveError> {
        let text = self.text(row, column);
        if text.is_empty() {
            return Err(self.error(row, column, "a name"));
        }
        Ok(text)
    }

    fn number(&self, row: &Record, column: usize) -> Result<f64, LiveError> {
        self.text(row, column)
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| self.error(row, column, "a non-negative number"))
    }

    fn flag(&self, row: &Record, column: Option<usize>) -> Result<bool, LiveError> {
        let Some(column) = column else {
            return Ok(false);
        };
        match self.text(row, column).to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" | "" => Ok(false),
            _ => Err(self.error(row, column, "True or False")),
        }
    }
}

/// Reads the RVTools sheets among `files`; every file must be one.
pub fn read(files: &[Source]) -> Result<LiveCluster, LiveError> {
    let mut hosts: Option<Vec<(String, LiveHost)>> = None;
    let mut clusters: Vec<String> = Vec::new();
    let mut vms = Vec::new();
    for file in files {
        if !is_csv(file.text()) {
            return Err(LiveError {
                file: file.name().to_string(),
                at: "$".to_string(),
                message: "a govc JSON export given with RVTools sheets".to_string(),
                help: "import either the RVTools vHost and vInfo sheets (CSV) or the govc \
                       exports (JSON), not both: they name hosts and VMs differently"
                    .to_string(),
            });
        }
        let mut records = csv::parse(file.name(), file.text())?.into_iter();
        let header = records.next().map(|r| r.fields).unwrap_or_default();
        let sheet = Sheet {
            file: file.name(),
            header,
            rows: records.collect(),
        };
        if sheet.column("VM").is_some() && sheet.column("Powerstate").is_some() {
            vms.extend(virtual_machines(&sheet)?);
        } else if sheet.column("Host").is_some() && sheet.column("# Memory").is_some() {
            hosts = Some(host_rows(&sheet, &mut clusters)?);
        } else {
            return Err(LiveError {
                file: file.name().to_string(),
                at: "line 1".to_string(),
                message: "not an RVTools vHost or vInfo sheet: its header has neither \
                          \"VM\" and \"Powerstate\" nor \"Host\" and \"# Memory\""
                    .to_string(),
                help: "save the vHost and vInfo sheets of the RVTools export as CSV".to_string(),
            });
        }
    }
    let Some(hosts) = hosts else {
        return Err(LiveError {
            file: files.first().map_or("(no file)", Source::name).to_string(),
            at: "arguments".to_string(),
            message: "no RVTools vHost sheet among the files".to_string(),
            help: "save the vHost sheet of the RVTools export as CSV and give it with vInfo".to_string(),
        });
    };
    let mut live = vsphere::place(hosts, &vms);
    if let [cluster] = clusters.as_slice() {
        live.name = Some(cluster.clone());
    }
    Ok(live)
}

fn host_rows(sheet: &Sheet<'_>, clusters: &mut Vec<String>) -> Result<Vec<(String, LiveHost)>, LiveError> {
    let name = sheet.required("Host")?;
    let cores = sheet.required("# Cores")?;
    let memory = sheet.required("# Memory")?;
    let maintenance = sheet.required("in Maintenance Mode")?;
    let version = sheet.column("ESX Version");
    let status = sheet.column("Config status");
    let cluster = sheet.column("Cluster");
    let mut hosts = Vec::new();
    for row in &sheet.rows {
        let host_name = sheet.name(row, name)?;
        let cluster = cluster.map_or("", |c| sheet.text(row, c));
        if !cluster.is_empty() && !clusters.iter().any(|c| c == cluster) {
            clusters.push(cluster.to_string());
        }
        let gray = status.is_some_and(|s| sheet.text(row, s).eq_ignore_ascii_case("gray"));
        let (state, reason) = if sheet.flag(row, Some(maintenance))? {
            (HostState::Maintenance, Some("in maintenance mode".to_string()))
        } else if gray {
            (
                HostState::Down,
                Some("config status gray: vCenter does not know its state".to_string()),
            )
        } else {
            (HostState::Ready, None)
        };
        hosts.push((
            host_name.to_string(),
            LiveHost {
                name: host_name.to_string(),
                version: version.and_then(|v| esx_version(sheet.text(row, v))),
                state,
                state_reason: reason,
                cpu: Fact::read(sheet.number(row, cores)?),
                memory_gib: Fact::read(sheet.number(row, memory)? / MIB_PER_GIB),
                storage_gib: None,
                fault_domain: None,
            },
        ));
    }
    if clusters.len() > 1 {
        return Err(LiveError {
            file: sheet.file.to_string(),
            at: "column \"Cluster\"".to_string(),
            message: format!(
                "the sheet holds {} clusters ({}); a description is one cluster",
                clusters.len(),
                clusters.join(", ")
            ),
            help: "keep the rows of one cluster in both sheets (filter on the Cluster column) \
                   and import each cluster on its own"
                .to_string(),
        });
    }
    Ok(hosts)
}

/// `8.0.2` from `VMware ESXi 8.0.2 build-22380479`: the first word that starts with a digit.
fn esx_version(full: &str) -> Option<String> {
    full.split_whitespace()
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
}

fn virtual_machines(sheet: &Sheet<'_>) -> Result<Vec<Vm>, LiveError> {
    let name = sheet.required("VM")?;
    let power = sheet.required("Powerstate")?;
    let cpus = sheet.required("CPUs")?;
    let memory = sheet.required("Memory")?;
    let host = sheet.required("Host")?;
    let template = sheet.column("Template");
    let placeholder = sheet.column("SRM Placeholder");
    let id = sheet.column("VM ID");
    let mut vms = Vec::new();
    for row in &sheet.rows {
        let powered_on = match sheet.text(row, power) {
            "poweredOn" => true,
            "poweredOff" | "suspended" => false,
            _ => return Err(sheet.error(row, power, "poweredOn, poweredOff or suspended")),
        };
        let host_name = sheet.text(row, host);
        vms.push(Vm {
            id: id
                .map(|c| sheet.text(row, c).to_string())
                .filter(|i| !i.is_empty()),
            name: sheet.name(row, name)?.to_string(),
            host_ref: (!host_name.is_empty()).then(|| host_name.to_string()),
            powered_on,
            template: sheet.flag(row, template)? || sheet.flag(row, placeholder)?,
            cpu: sheet.number(row, cpus)?,
            memory_mib: sheet.number(row, memory)?,
            allowed_hosts: None,
        });
    }
    Ok(vms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_numbered_word_of_the_full_name() {
        assert_eq!(
            esx_version("VMware ESXi 8.0.2 build-22380479").as_deref(),
            Some("8.0.2")
        );
        assert_eq!(esx_version("").as_deref(), None);
    }

    #[test]
    fn json_is_not_csv() {
        assert!(!is_csv("\u{feff}  {\"hostSystems\": []}"));
        assert!(!is_csv("[\"Rule: a\"]"));
        assert!(is_csv("\u{feff}Host,Cluster\n"));
    }
}
