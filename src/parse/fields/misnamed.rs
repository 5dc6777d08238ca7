//! Tables under a name quorate does not know but close to one that declares names.
//!
//! `[[hosts]]` for `[[host]]` is one mistake, yet it leaves every host unknown, and each
//! reference to one would be an error of its own: sixty of them for a small cluster, with
//! suggestions that point elsewhere (`did you mean the workload mon.pve01?`). Remembering what
//! such a table declares lets the loader fold those references into the one unknown-table error.

use toml::de::DeValue;

use super::Fields;
use crate::parse::raw::MisnamedTable;
use crate::suggest::closest;

impl Fields<'_, '_> {
    /// The keys no getter asked for that hold tables and whose closest known key is one of
    /// `declaring` (the tables that declare names), each with the names its tables declare.
    /// Call it after every getter, before [`Fields::finish`], which reports the same keys as
    /// unknown tables.
    pub(crate) fn misnamed_tables(&self, declaring: &[&'static str]) -> Vec<MisnamedTable> {
        let mut found = Vec::new();
        for (key, value) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.known.contains(&name) {
                continue;
            }
            let Some(meant) = closest(name, self.known.iter().copied()).filter(|k| declaring.contains(k))
            else {
                continue;
            };
            let (written, tables) = match value.get_ref() {
                DeValue::Table(table) => (format!("[{name}]"), vec![table]),
                DeValue::Array(array) => {
                    let tables: Vec<_> = array
                        .iter()
                        .filter_map(|item| match item.get_ref() {
                            DeValue::Table(table) => Some(table),
                            _ => None,
                        })
                        .collect();
                    if tables.len() != array.len() {
                        continue;
                    }
                    (format!("[[{name}]]"), tables)
                }
                _ => continue,
            };
            let names = tables
                .iter()
                .filter_map(|table| {
                    let (_, value) = table.iter().find(|(k, _)| k.get_ref().as_ref() == "name")?;
                    match value.get_ref() {
                        DeValue::String(s) => Some(s.to_string()),
                        _ => None,
                    }
                })
                .collect();
            found.push(MisnamedTable {
                key: key.span(),
                written,
                meant,
                names,
            });
        }
        found
    }
}
