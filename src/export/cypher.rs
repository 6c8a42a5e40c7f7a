//! A Cypher script that rebuilds the graph in Neo4j or Memgraph (or in alliances): uniqueness
//! constraints first, then the nodes of each label set and the relationships of each type and
//! pair of end labels, `BATCH` rows to an `UNWIND` statement, so that a large graph loads in a
//! few thousand statements rather than one per element.
//!
//! Values are Cypher literals: full dates as `date('2024-05-01')`. What a Neo4j property cannot
//! hold is written losslessly as text: partial dates (`2024-05`) as their text, maps and lists
//! of mixed or nested values as JSON text. With the `alliances` dialect every value is its
//! exact literal (`date('2024-05')`, maps, any list), since alliances holds them all.
//! **Invariant:** the same graph and selection give byte-identical text.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::Selection;
use super::columns::{ColumnType, Elements, float_text, is_full, json_text};
use crate::model::Value;
use crate::store::{EdgeId, Graph, NodeId};

/// Rows per `UNWIND` statement.
pub const BATCH: usize = 1000;

/// The property that names a node while the script runs, when some node has no unique id.
pub const KEY_PROPERTY: &str = "_export_key";

/// Which database the script is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Neo4j and Memgraph: only what their properties hold.
    #[default]
    Neo4j,
    /// alliances itself: every value exactly.
    Alliances,
}

/// How the script is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct CypherOptions {
    pub dialect: Dialect,
    /// Leave out the `CREATE CONSTRAINT` statements.
    pub no_constraints: bool,
}

/// A name as Cypher writes it: bare when it is a plain identifier, else in backticks.
pub fn name(text: &str) -> String {
    let plain = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        text.to_owned()
    } else {
        format!("`{}`", text.replace('`', "``"))
    }
}

/// A label set (`Company:Listed`) as a pattern's labels (`:Company:Listed`).
fn labels(set: &str) -> String {
    if set.is_empty() {
        return String::new();
    }
    set.split(':').map(|l| format!(":{}", name(l))).collect()
}

/// Text as a single-quoted Cypher string.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A value as a Cypher literal in `dialect`.
pub fn literal(value: &Value, dialect: Dialect) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_finite() => float_text(*f),
        Value::Float(f) => format!(
            "toFloat('{}')",
            if f.is_nan() {
                "NaN"
            } else if *f > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            }
        ),
        Value::String(s) => string(s),
        Value::Date(d) if is_full(*d) || dialect == Dialect::Alliances => {
            format!("date('{d}')")
        }
        Value::Date(d) => string(&d.to_string()),
        Value::List(items) if dialect == Dialect::Alliances || storable_list(items) => {
            let items: Vec<String> = items.iter().map(|i| literal(i, dialect)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(map) if dialect == Dialect::Alliances => map_literal(map, dialect),
        Value::List(_) | Value::Map(_) => string(&json_text(value)),
    }
}

/// Whether Neo4j can hold a list as it is: items all of one scalar type, no nulls.
fn storable_list(items: &[Value]) -> bool {
    let mut types = items.iter().map(|i| match i {
        Value::Int(_) | Value::Float(_) => Some(ColumnType::Float),
        Value::Date(d) if !is_full(*d) => Some(ColumnType::Text),
        Value::Null | Value::List(_) | Value::Map(_) => None,
        other => ColumnType::of(other),
    });
    let Some(first) = types.next() else {
        return true;
    };
    first.is_some() && types.all(|t| t == first)
}

fn map_literal(map: &BTreeMap<String, Value>, dialect: Dialect) -> String {
    let entries: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}: {}", name(k), literal(v, dialect)))
        .collect();
    format!("{{{}}}", entries.join(", "))
}

fn props_literal<'a>(
    props: impl Iterator<Item = (&'a str, Value)>,
    extra: Option<(&str, &str)>,
    dialect: Dialect,
) -> String {
    let mut entries: Vec<(String, String)> = props
        .filter(|(_, v)| !matches!(v, Value::Null))
        .map(|(k, v)| (name(k), literal(&v, dialect)))
        .collect();
    if let Some((k, v)) = extra {
        entries.push((name(k), string(v)));
    }
    entries.sort();
    let entries: Vec<String> = entries
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    format!("{{{}}}", entries.join(", "))
}

/// Writes the selection as a Cypher script.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_cypher(
    graph: &Graph,
    selection: &Selection,
    options: &CypherOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let elements = Elements::new(graph, selection);
    let dialect = options.dialect;
    let key = if elements.made_up_keys {
        KEY_PROPERTY
    } else {
        "id"
    };
    let nodes = elements.nodes_by_labels();
    writeln!(
        out,
        "// {} nodes and {} relationships, written by alliances.",
        elements.nodes.len(),
        elements.edges.len()
    )?;
    if !options.no_constraints {
        let single: std::collections::BTreeSet<&str> = nodes
            .keys()
            .flat_map(|set| set.split(':'))
            .filter(|l| !l.is_empty())
            .collect();
        for label in single {
            let constraint = format!("{}_{}", label, key.trim_start_matches('_')).to_lowercase();
            writeln!(
                out,
                "CREATE CONSTRAINT {} IF NOT EXISTS FOR (n:{}) REQUIRE n.{} IS UNIQUE;",
                name(&constraint),
                name(label),
                name(key)
            )?;
        }
    }
    for (set, members) in &nodes {
        for batch in members.chunks(BATCH) {
            let rows: Vec<String> = batch
                .iter()
                .map(|&n| {
                    let extra = elements
                        .made_up_keys
                        .then(|| (KEY_PROPERTY, elements.key(n)));
                    props_literal(graph.node_props(n), extra, dialect)
                })
                .collect();
            writeln!(
                out,
                "UNWIND [{}] AS row\nCREATE (n{}) SET n = row;",
                rows.join(",\n  "),
                labels(set)
            )?;
        }
    }
    let mut groups: BTreeMap<(&str, String, String), Vec<EdgeId>> = BTreeMap::new();
    for &edge in &elements.edges {
        let (from, to) = elements.ends(edge);
        groups
            .entry((
                graph.edge_type(edge),
                elements.label_set(from),
                elements.label_set(to),
            ))
            .or_default()
            .push(edge);
    }
    for ((rel_type, from_set, to_set), members) in &groups {
        for batch in members.chunks(BATCH) {
            let rows: Vec<String> = batch
                .iter()
                .map(|&e| {
                    let (from, to): (NodeId, NodeId) = elements.ends(e);
                    format!(
                        "{{s: {}, e: {}, p: {}}}",
                        string(elements.key(from)),
                        string(elements.key(to)),
                        props_literal(graph.edge_props(e), None, dialect)
                    )
                })
                .collect();
            writeln!(
                out,
                "UNWIND [{}] AS row\nMATCH (a{} {{{k}: row.s}}), (b{} {{{k}: row.e}})\nCREATE (a)-[r:{}]->(b) SET r = row.p;",
                rows.join(",\n  "),
                labels(from_set),
                labels(to_set),
                name(rel_type),
                k = name(key),
            )?;
        }
    }
    if elements.made_up_keys {
        writeln!(
            out,
            "MATCH (n) WHERE n.{k} IS NOT NULL REMOVE n.{k};",
            k = name(key)
        )?;
    }
    Ok(())
}
