//! Host versions from `ceph osd metadata -f json`.
//!
//! The export is an array with one object per OSD of the map: `id` (a number), then the
//! metadata the OSD reported when it booted, every value a string (`OSDMonitor` in ceph/ceph
//! `src/mon/OSDMonitor.cc`, the `osd metadata` command and `dump_osd_metadata`). The version
//! keys come from `collect_sys_info` in `src/common/util.cc`: `ceph_version` is the pretty
//! string (`ceph version 16.2.15 (618f4408...) pacific (stable)`), `ceph_version_short` the
//! bare number, which older releases lack. An OSD that never booted has only its `id`.
//!
//! A host's version is its OSDs' version when they all report one and agree; otherwise it has
//! none (so it is planned) and a note says why. OSDs are placed on hosts by the CRUSH tree,
//! not by the metadata's `hostname`, which is the machine's own name (`uname`) and need not
//! be the CRUSH bucket's.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::live::LiveError;
use crate::live::json::Node;

/// Each OSD's version, by OSD id; `None` when its metadata has no version.
pub(super) type OsdVersions = BTreeMap<i64, Option<String>>;

/// Whether `value` looks like `ceph osd metadata -f json`: an array of objects with `id`,
/// at least one of which carries a version.
pub(super) fn is_osd_metadata(value: &Value) -> bool {
    value.as_array().is_some_and(|osds| {
        osds.first().is_some_and(|o| o.get("id").is_some())
            && osds.iter().any(|o| o.get("ceph_version").is_some())
    })
}

/// Reads `ceph osd metadata -f json`.
pub(super) fn read(root: &Node<'_>) -> Result<OsdVersions, LiveError> {
    let mut versions = BTreeMap::new();
    for osd in root.items()? {
        let id_node = osd.req("id", "the OSD id")?;
        let id = id_node.i64()?;
        let version = match osd.get("ceph_version_short") {
            Some(short) => Some(short.str()?.to_string()),
            None => match osd.get("ceph_version") {
                Some(pretty) => Some(short_version(&pretty)?),
                None => None,
            },
        };
        if versions.insert(id, version).is_some() {
            return Err(id_node.invalid(
                format!("osd.{id} appears twice"),
                "give the output of `ceph osd metadata -f json` unmodified",
            ));
        }
    }
    Ok(versions)
}

/// `16.2.15` out of `ceph version 16.2.15 (618f4408...) pacific (stable)`.
fn short_version(pretty: &Node<'_>) -> Result<String, LiveError> {
    let text = pretty.str()?;
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("ceph"), Some("version"), Some(version)) => Ok(version.to_string()),
        _ => Err(pretty.error("\"ceph version X.Y.Z (...)\"")),
    }
}

/// The version of host `host` whose OSDs are `osds`, or `None` with a note saying why.
pub(super) fn host_version(
    host: &str,
    osds: &[i64],
    versions: &OsdVersions,
    notes: &mut Vec<String>,
) -> Option<String> {
    let mut by_version: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for id in osds {
        match versions.get(id) {
            Some(Some(version)) => by_version
                .entry(version.as_str())
                .or_default()
                .push(format!("osd.{id}")),
            _ => unknown.push(format!("osd.{id}")),
        }
    }
    if !unknown.is_empty() {
        notes.push(format!(
            "host {host}: no version written, {} report(s) none in the OSD metadata (never \
             booted?)",
            unknown.join(", ")
        ));
        return None;
    }
    match by_version.len() {
        0 => None,
        1 => by_version.into_keys().next().map(str::to_string),
        _ => {
            let runs: Vec<String> = by_version
                .iter()
                .map(|(version, osds)| format!("{version} on {}", osds.join(", ")))
                .collect();
            notes.push(format!(
                "host {host}: no version written, its OSDs run different versions ({}), so it \
                 is planned",
                runs.join("; ")
            ));
            None
        }
    }
}
