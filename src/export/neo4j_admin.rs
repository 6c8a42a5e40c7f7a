//! The header-typed CSV files `neo4j-admin database import full` reads, into a folder: one
//! nodes file per label set (`nodes_Company.csv`) and one relationships file per type
//! (`relationships_INVESTS_IN.csv`), with `import.sh` holding the command that loads them.
//!
//! Headers name each column's type: `id:ID` (the node's key, kept as its `id` property),
//! `:LABEL`, `name:string`, `amount_usd:long`, `stake_pct:double`, `public:boolean`,
//! `date:date`, `aliases:string[]` (items split on `;`), then `:START_ID`, `:END_ID`, `:TYPE`.
//! Temporal values of one kind are typed `localtime`, `time`, `localdatetime`, `datetime` or
//! `duration`, each cell in the Cypher syntax neo4j-admin reads (`2015-07-21T21:40+02:00`,
//! with the zone id in brackets when it has one: `…+02:00[Europe/Stockholm]`; `P1M2DT3.5S`).
//! Partial dates are text as written; lists that are not all text, lists of text holding a `;`,
//! and maps are JSON text. **Invariant:** the same graph and selection give byte-identical files.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::columns::{ColumnType, Elements, json_text, text};
use super::{AtomicFile, Selection};
use crate::model::Value;
use crate::store::Graph;

/// The separator of list items in a cell, as `--array-delimiter` gives it.
pub const ARRAY_DELIMITER: char = ';';

/// The files written and the command that imports them.
#[derive(Debug)]
pub struct AdminFiles {
    pub nodes: Vec<PathBuf>,
    pub relationships: Vec<PathBuf>,
    /// `neo4j-admin database import full …`, run from the folder.
    pub command: String,
}

/// The header type of a column.
fn header_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Bool => "boolean",
        ColumnType::Int => "long",
        ColumnType::Float => "double",
        ColumnType::Date => "date",
        ColumnType::Texts => "string[]",
        ColumnType::Temporal(kind) => kind.name(),
        ColumnType::Text | ColumnType::Json => "string",
    }
}

/// A file name part made of a label or type: letters, digits, `_` and `-` kept.
fn file_part(text: &str) -> String {
    let part: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if part.is_empty() {
        "unlabelled".to_owned()
    } else {
        part
    }
}

/// Lists of text hold no delimiter, so that they split back into the same items.
fn refine(columns: &mut [(String, ColumnType)], values: impl Iterator<Item = (String, Value)>) {
    for (key, value) in values {
        if let Value::List(items) = &value
            && items
                .iter()
                .any(|i| i.as_str().is_some_and(|s| s.contains(ARRAY_DELIMITER)))
            && let Some(col) = columns.iter_mut().find(|(k, _)| *k == key)
        {
            col.1 = ColumnType::Json;
        }
    }
}

fn cell(value: &Value, ty: ColumnType) -> String {
    match (value, ty) {
        (Value::List(items), ColumnType::Texts) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(&ARRAY_DELIMITER.to_string()),
        (_, ColumnType::Json) => json_text(value),
        _ => text(value, ty),
    }
}

fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        kind => io::Error::other(format!("{kind:?}")),
    }
}

/// Writes the files into `dir` (created when missing), and `import.sh` with the command.
///
/// # Errors
/// When a file cannot be written.
pub fn write_neo4j_admin(
    graph: &Graph,
    selection: &Selection,
    dir: &Path,
) -> io::Result<AdminFiles> {
    write_neo4j_admin_until(graph, selection, dir, &Arc::default())
}

/// As `write_neo4j_admin`, stopping when `stop` is set. Each file is written beside its name
/// and every file is put in place only when all are complete, so that a failed or stopped
/// export leaves the folder as it was.
///
/// # Errors
/// When a file cannot be written, or `super::Stopped` (inside the `io::Error`).
pub fn write_neo4j_admin_until(
    graph: &Graph,
    selection: &Selection,
    dir: &Path,
    stop: &Arc<AtomicBool>,
) -> io::Result<AdminFiles> {
    std::fs::create_dir_all(dir)?;
    let mut written: Vec<AtomicFile> = Vec::new();
    let elements = Elements::new(graph, selection);
    let mut files = AdminFiles {
        nodes: Vec::new(),
        relationships: Vec::new(),
        command: String::new(),
    };
    for (set, members) in elements.nodes_by_labels() {
        let mut columns = elements.node_columns(&members);
        refine(
            &mut columns,
            members
                .iter()
                .flat_map(|&n| graph.node_props(n).map(|(k, v)| (k.to_owned(), v))),
        );
        // The key column is `id:ID`, stored as the node's `id`, when every node's own id is its
        // key; otherwise `:ID` (not stored) and the `id` property as a column of its own.
        if !elements.made_up_keys {
            columns.retain(|(k, _)| k != "id");
        }
        let path = dir.join(format!("nodes_{}.csv", file_part(set)));
        let file = AtomicFile::create(&path)?;
        let mut writer = csv::Writer::from_writer(file.writer(stop)?);
        let key_header = if elements.made_up_keys {
            ":ID"
        } else {
            "id:ID"
        };
        let mut header = vec![key_header.to_owned(), ":LABEL".to_owned()];
        header.extend(
            columns
                .iter()
                .map(|(k, t)| format!("{k}:{}", header_type(*t))),
        );
        writer.write_record(&header).map_err(csv_error)?;
        let label_cell = set.replace(':', ";");
        for &node in &members {
            let mut record = vec![elements.key(node).to_owned(), label_cell.clone()];
            for (key, ty) in &columns {
                record.push(
                    graph
                        .node_prop(node, key)
                        .filter(|v| !matches!(v, Value::Null))
                        .map_or_else(String::new, |v| cell(&v, *ty)),
                );
            }
            writer.write_record(&record).map_err(csv_error)?;
        }
        writer.flush()?;
        drop(writer);
        written.push(file);
        files.nodes.push(path);
    }
    for (rel_type, members) in elements.edges_by_type() {
        let mut columns = elements.edge_columns(&members);
        refine(
            &mut columns,
            members
                .iter()
                .flat_map(|&e| graph.edge_props(e).map(|(k, v)| (k.to_owned(), v))),
        );
        let path = dir.join(format!("relationships_{}.csv", file_part(&rel_type)));
        let file = AtomicFile::create(&path)?;
        let mut writer = csv::Writer::from_writer(file.writer(stop)?);
        let mut header = vec![
            ":START_ID".to_owned(),
            ":END_ID".to_owned(),
            ":TYPE".to_owned(),
        ];
        header.extend(
            columns
                .iter()
                .map(|(k, t)| format!("{k}:{}", header_type(*t))),
        );
        writer.write_record(&header).map_err(csv_error)?;
        for &edge in &members {
            let (from, to) = elements.ends(edge);
            let mut record = vec![
                elements.key(from).to_owned(),
                elements.key(to).to_owned(),
                rel_type.clone(),
            ];
            for (key, ty) in &columns {
                record.push(
                    graph
                        .edge_prop(edge, key)
                        .filter(|v| !matches!(v, Value::Null))
                        .map_or_else(String::new, |v| cell(&v, *ty)),
                );
            }
            writer.write_record(&record).map_err(csv_error)?;
        }
        writer.flush()?;
        drop(writer);
        written.push(file);
        files.relationships.push(path);
    }
    let name = |p: &PathBuf| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut command = "neo4j-admin database import full".to_owned();
    for path in &files.nodes {
        command.push_str(&format!(" \\\n  --nodes={}", name(path)));
    }
    for path in &files.relationships {
        command.push_str(&format!(" \\\n  --relationships={}", name(path)));
    }
    command.push_str(" \\\n  --array-delimiter=';' --multiline-fields=true --overwrite-destination=true \\\n  neo4j");
    let file = AtomicFile::create(&dir.join("import.sh"))?;
    let mut script = file.writer(stop)?;
    writeln!(
        script,
        "#!/bin/sh\n# Loads these files into a stopped Neo4j's database `neo4j` (replacing it); run it from\n# this folder, with neo4j-admin on the PATH (Neo4j 5 or later).\nset -e\ncd \"$(dirname \"$0\")\"\n{command}"
    )?;
    script.flush()?;
    drop(script);
    written.push(file);
    for file in written {
        file.commit()?;
    }
    files.command = command;
    Ok(files)
}
