//! A Cypher script that rebuilds the graph in Neo4j or Memgraph (or in alliances): uniqueness
//! constraints first, then the nodes of each label set and the relationships of each type and
//! pair of end labels, `BATCH` rows to an `UNWIND` statement, so that a large graph loads in a
//! few thousand statements rather than one per element.
//!
//! Values are Cypher literals: full dates as `date('2024-05-01')`. What a Neo4j property cannot
//! hold is written losslessly as text: partial dates (`2024-05`) as their text, maps and lists
//! of mixed or nested values as JSON text. With the `alliances` dialect every value is its
//! exact literal (`period('2024-05')`, maps, any list), since alliances holds them all.
//! **Invariant:** the same graph and selection give byte-identical text.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use super::Selection;
use super::columns::{ColumnType, Elements, is_full, json_text, write_float_text, write_int};
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
    name_cow(text).into_owned()
}

fn name_cow(text: &str) -> Cow<'_, str> {
    let plain = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("`{}`", text.replace('`', "``")))
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
    let mut out = Vec::with_capacity(text.len() + 2);
    let _ = write_string(&mut out, text);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes text as a single-quoted Cypher string.
fn write_string<W: Write + ?Sized>(out: &mut W, text: &str) -> io::Result<()> {
    out.write_all(b"'")?;
    let bytes = text.as_bytes();
    let mut plain = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'\'' => b"\\'",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            b if b < 0x20 => b"",
            _ => continue,
        };
        out.write_all(&bytes[plain..i])?;
        if escaped.is_empty() {
            write!(out, "\\u{:04x}", b)?;
        } else {
            out.write_all(escaped)?;
        }
        plain = i + 1;
    }
    out.write_all(&bytes[plain..])?;
    out.write_all(b"'")
}

/// A value as a Cypher literal in `dialect`.
pub fn literal(value: &Value, dialect: Dialect) -> String {
    let mut out = Vec::new();
    let _ = write_literal(&mut out, value, dialect);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes a value as a Cypher literal in `dialect`.
fn write_literal<W: Write + ?Sized>(
    out: &mut W,
    value: &Value,
    dialect: Dialect,
) -> io::Result<()> {
    match value {
        Value::Null => out.write_all(b"null"),
        Value::Bool(true) => out.write_all(b"true"),
        Value::Bool(false) => out.write_all(b"false"),
        Value::Int(i) => write_int(out, *i),
        Value::Float(f) if f.is_finite() => write_float_text(out, *f),
        Value::Float(f) => write!(
            out,
            "toFloat('{}')",
            if f.is_nan() {
                "NaN"
            } else if *f > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            }
        ),
        Value::String(s) => write_string(out, s),
        Value::Date(d) if is_full(*d) || dialect == Dialect::Alliances => {
            write!(out, "{}('{d}')", d.function())
        }
        Value::Date(d) => write_string(out, &d.to_string()),
        Value::Temporal(t) => write!(out, "{}('{t}')", t.type_name()),
        Value::List(items) if dialect == Dialect::Alliances || storable_list(items) => {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b", ")?;
                }
                write_literal(out, item, dialect)?;
            }
            out.write_all(b"]")
        }
        Value::Map(map) if dialect == Dialect::Alliances => {
            out.write_all(b"{")?;
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.write_all(b", ")?;
                }
                out.write_all(name_cow(k).as_bytes())?;
                out.write_all(b": ")?;
                write_literal(out, v, dialect)?;
            }
            out.write_all(b"}")
        }
        Value::List(_) | Value::Map(_) => write_string(out, &json_text(value)),
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

/// Writes an element's properties (and `extra`) as a map literal, sorted by name.
fn write_props<'g, W: Write + ?Sized>(
    out: &mut W,
    entries: &mut Vec<(Cow<'g, str>, Value)>,
    props: impl Iterator<Item = (&'g str, Value)>,
    extra: Option<(&'g str, &str)>,
    dialect: Dialect,
) -> io::Result<()> {
    entries.clear();
    entries.extend(
        props
            .filter(|(_, v)| !matches!(v, Value::Null))
            .map(|(k, v)| (name_cow(k), v)),
    );
    if let Some((k, v)) = extra {
        entries.push((name_cow(k), Value::String(v.to_owned())));
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out.write_all(b"{")?;
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            out.write_all(b", ")?;
        }
        out.write_all(k.as_bytes())?;
        out.write_all(b": ")?;
        write_literal(out, v, dialect)?;
    }
    out.write_all(b"}")
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
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let out = &mut out;
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
    let mut entries = Vec::new();
    for (set, members) in &nodes {
        for batch in members.chunks(BATCH) {
            out.write_all(b"UNWIND [")?;
            for (i, &n) in batch.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",\n  ")?;
                }
                let extra = elements
                    .made_up_keys
                    .then(|| (KEY_PROPERTY, elements.key(n)));
                write_props(out, &mut entries, graph.node_props(n), extra, dialect)?;
            }
            writeln!(out, "] AS row\nCREATE (n{}) SET n = row;", labels(set))?;
        }
    }
    let mut groups: BTreeMap<(&str, &str, &str), Vec<EdgeId>> = BTreeMap::new();
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
            out.write_all(b"UNWIND [")?;
            for (i, &e) in batch.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",\n  ")?;
                }
                let (from, to): (NodeId, NodeId) = elements.ends(e);
                out.write_all(b"{s: ")?;
                write_string(out, elements.key(from))?;
                out.write_all(b", e: ")?;
                write_string(out, elements.key(to))?;
                out.write_all(b", p: ")?;
                write_props(out, &mut entries, graph.edge_props(e), None, dialect)?;
                out.write_all(b"}")?;
            }
            writeln!(
                out,
                "] AS row\nMATCH (a{} {{{k}: row.s}}), (b{} {{{k}: row.e}})\nCREATE (a)-[r:{}]->(b) SET r = row.p;",
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
    out.flush()
}
