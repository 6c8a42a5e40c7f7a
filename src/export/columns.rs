//! What the graph exports share: the elements in a stable order, a key for every node, and
//! the type each property takes as a column, so that every format declares a property once.
//!
//! A property's column type is the one type all its values fit: booleans, integers, floats
//! (integers and floats together are floats), text, full dates, lists of text, and, for
//! anything else (partial dates mixed with other values, lists of other values, maps, a key
//! that holds values of several types), `Json`: each value written as JSON text. Partial dates
//! (`2024-05`, `2024`) are text, as written; a column of full dates is a date column. A
//! column whose values are all temporal values of one kind (`datetime`, `duration`, …) is a
//! column of that kind; temporal values of several kinds make a `Json` column.
//!
//! As JSON (in JSON lines, and in the JSON text of `Json` columns) a temporal value is the
//! one-entry object the data files write, `{"datetime":"2015-07-21T21:40+02:00[Europe/Stockholm]"}`:
//! JSON has no temporal type, and a bare text would read back as text.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::model::{Date, Temporal, Value};
use crate::store::{EdgeId, Graph, NodeId};

use super::Selection;

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// How a property is written by a format with typed columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Bool,
    Int,
    Float,
    /// Text, partial dates included.
    Text,
    /// Full dates (`2024-05-01`) only.
    Date,
    /// Lists whose every item is text.
    Texts,
    /// Temporal values of one kind.
    Temporal(TemporalKind),
    /// Anything else, as JSON text.
    Json,
}

/// The kind of a temporal value, as a column holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemporalKind {
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
    Duration,
}

impl TemporalKind {
    pub fn of(value: &Temporal) -> TemporalKind {
        match value {
            Temporal::LocalTime(_) => TemporalKind::LocalTime,
            Temporal::Time(_) => TemporalKind::Time,
            Temporal::LocalDateTime(_) => TemporalKind::LocalDateTime,
            Temporal::DateTime(_) => TemporalKind::DateTime,
            Temporal::Duration(_) => TemporalKind::Duration,
        }
    }

    /// The Cypher type name (`localtime`, `time`, `localdatetime`, `datetime`, `duration`),
    /// which is also Neo4j's import header type.
    pub fn name(self) -> &'static str {
        match self {
            TemporalKind::LocalTime => "localtime",
            TemporalKind::Time => "time",
            TemporalKind::LocalDateTime => "localdatetime",
            TemporalKind::DateTime => "datetime",
            TemporalKind::Duration => "duration",
        }
    }
}

impl ColumnType {
    /// The column type of one value; `None` for null.
    pub fn of(value: &Value) -> Option<ColumnType> {
        Some(match value {
            Value::Null => return None,
            Value::Bool(_) => ColumnType::Bool,
            Value::Int(_) => ColumnType::Int,
            Value::Float(_) => ColumnType::Float,
            Value::String(_) => ColumnType::Text,
            Value::Date(d) if is_full(*d) => ColumnType::Date,
            Value::Date(_) => ColumnType::Text,
            Value::Temporal(t) => ColumnType::Temporal(TemporalKind::of(t)),
            Value::List(items) if items.iter().all(|i| matches!(i, Value::String(_))) => {
                ColumnType::Texts
            }
            Value::List(_) | Value::Map(_) => ColumnType::Json,
        })
    }

    /// The type both fit.
    fn merge(self, other: ColumnType) -> ColumnType {
        use ColumnType::{Date, Float, Int, Json, Text};
        match (self, other) {
            (a, b) if a == b => a,
            (Int, Float) | (Float, Int) => Float,
            (Date, Text) | (Text, Date) => Text,
            _ => Json,
        }
    }
}

/// Whether a date is a day (not a month or a year).
pub fn is_full(date: Date) -> bool {
    date.day_part().is_some()
}

/// A value as the text of a column of type `ty` (the type it was found to fit).
pub fn text(value: &Value, ty: ColumnType) -> String {
    match (value, ty) {
        (Value::Bool(b), ColumnType::Bool) => b.to_string(),
        (Value::Int(i), ColumnType::Int | ColumnType::Float) => i.to_string(),
        (Value::Float(f), ColumnType::Float) => float_text(*f),
        (Value::String(s), ColumnType::Text) => s.clone(),
        (Value::Date(d), ColumnType::Text | ColumnType::Date) => d.to_string(),
        (Value::Temporal(t), ColumnType::Temporal(_)) => t.to_string(),
        _ => json_text(value),
    }
}

/// A float as text readers of every format parse back to the same float: Rust's shortest
/// round-trip form, `NaN`, `INF` and `-INF`.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { "INF" } else { "-INF" }.to_owned()
    } else if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

/// Writes `float_text(f)`, without building the text for the usual numbers.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_float_text<W: Write + ?Sized>(out: &mut W, f: f64) -> io::Result<()> {
    if !f.is_finite() {
        return out.write_all(float_text(f).as_bytes());
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        if f.is_sign_negative() {
            out.write_all(b"-")?;
        }
        let mut digits = itoa::Buffer::new();
        out.write_all(digits.format(f.abs() as i64).as_bytes())?;
        return out.write_all(b".0");
    }
    // Rust's own shortest text (Ryu's shortest digits differ from it on some halfway cases).
    write!(out, "{f}")
}

/// Writes an integer.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_int<W: Write + ?Sized>(out: &mut W, i: i64) -> io::Result<()> {
    out.write_all(itoa::Buffer::new().format(i).as_bytes())
}

/// Writes text as a JSON string, escaped as `serde_json` escapes it.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_json_str<W: Write + ?Sized>(out: &mut W, text: &str) -> io::Result<()> {
    serde_json::to_writer(out, text).map_err(io::Error::from)
}

/// Writes `json(value)` as text, byte for byte as `json_text` gives it.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_json<W: Write + ?Sized>(out: &mut W, value: &Value) -> io::Result<()> {
    match value {
        Value::Null => out.write_all(b"null"),
        Value::Bool(true) => out.write_all(b"true"),
        Value::Bool(false) => out.write_all(b"false"),
        Value::Int(i) => write_int(out, *i),
        Value::Float(f) if f.is_finite() => serde_json::to_writer(out, f).map_err(io::Error::from),
        Value::Float(f) => write_json_str(out, &float_text(*f)),
        Value::String(s) => write_json_str(out, s),
        Value::Date(d) => write!(out, "\"{d}\""),
        Value::Temporal(t) => {
            out.write_all(b"{\"")?;
            out.write_all(t.type_name().as_bytes())?;
            out.write_all(b"\":\"")?;
            write!(out, "{t}")?;
            out.write_all(b"\"}")
        }
        Value::List(items) => {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                write_json(out, item)?;
            }
            out.write_all(b"]")
        }
        Value::Map(map) => {
            out.write_all(b"{")?;
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                write_json_str(out, key)?;
                out.write_all(b":")?;
                write_json(out, item)?;
            }
            out.write_all(b"}")
        }
    }
}

/// A value as JSON: dates as their ISO text, temporal values as `{"kind":"ISO text"}`, maps
/// with their keys in order.
pub fn json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or_else(|| serde_json::Value::String(float_text(*f)), Into::into),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Date(d) => serde_json::Value::String(d.to_string()),
        Value::Temporal(t) => serde_json::json!({ t.type_name(): t.to_string() }),
        Value::List(items) => serde_json::Value::Array(items.iter().map(json).collect()),
        Value::Map(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), json(v))).collect())
        }
    }
}

/// A value as JSON text.
pub fn json_text(value: &Value) -> String {
    json(value).to_string()
}

/// The columns of a set of elements' properties, by key, in key order.
pub fn columns<'g, I, P>(elements: I) -> Vec<(String, ColumnType)>
where
    I: IntoIterator<Item = P>,
    P: IntoIterator<Item = (&'g str, Value)>,
{
    let mut found: BTreeMap<String, ColumnType> = BTreeMap::new();
    for props in elements {
        for (key, value) in props {
            let Some(ty) = ColumnType::of(&value) else {
                continue;
            };
            match found.get_mut(key) {
                Some(known) => *known = known.merge(ty),
                None => {
                    found.insert(key.to_owned(), ty);
                }
            }
        }
    }
    found.into_iter().collect()
}

/// The elements of a selection in a stable order, each node with the key that names it in
/// the export: its `id` when it has a text id no other selected node shares, else `n` and its
/// number in the graph; and each node's label set, counted once for all the nodes that share it.
pub struct Elements<'g> {
    pub graph: &'g Graph,
    pub nodes: Vec<NodeId>,
    pub edges: Vec<EdgeId>,
    /// By node number: the node's own id, when it is its key.
    own_keys: Vec<Option<&'g str>>,
    made_up: HashMap<NodeId, String>,
    /// By node number: the index of its label set in `sets`.
    node_set: Vec<u32>,
    /// The label sets: joined by `:`, and as their labels in order.
    sets: Vec<(String, Vec<&'g str>)>,
    /// Whether some node has no id of its own (so a key had to be made up).
    pub made_up_keys: bool,
}

impl<'g> Elements<'g> {
    pub fn new(graph: &'g Graph, selection: &Selection) -> Elements<'g> {
        let nodes: Vec<NodeId> = selection.nodes.iter().copied().collect();
        let edges: Vec<EdgeId> = selection.edges.iter().copied().collect();
        let mut seen: HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(nodes.len(), Default::default());
        for &node in &nodes {
            if let Some(id) = graph.node_str(node, "id") {
                *seen.entry(id).or_default() += 1;
            }
        }
        let bound = nodes.last().map_or(0, |n| n.index() + 1);
        let mut own_keys = vec![None; bound];
        let mut made_up = HashMap::default();
        let mut node_set = vec![0u32; bound];
        let mut sets: Vec<(String, Vec<&'g str>)> = Vec::new();
        let mut set_index: HashMap<Vec<&'g str>, u32> = HashMap::default();
        let mut labels: Vec<&'g str> = Vec::new();
        for &node in &nodes {
            match graph.node_str(node, "id") {
                Some(id) if seen.get(id) == Some(&1) && !id.is_empty() => {
                    own_keys[node.index()] = Some(id);
                }
                _ => {
                    made_up.insert(node, format!("n{}", node.index()));
                }
            }
            labels.clear();
            labels.extend(graph.node_labels(node));
            labels.sort_unstable();
            node_set[node.index()] = match set_index.get(labels.as_slice()) {
                Some(&i) => i,
                None => {
                    let i = sets.len() as u32;
                    sets.push((labels.join(":"), labels.clone()));
                    set_index.insert(labels.clone(), i);
                    i
                }
            };
        }
        Elements {
            graph,
            nodes,
            edges,
            own_keys,
            made_up_keys: !made_up.is_empty(),
            made_up,
            node_set,
            sets,
        }
    }

    /// The key naming a node in the export.
    pub fn key(&self, node: NodeId) -> &str {
        match self.own_keys.get(node.index()) {
            Some(Some(id)) => id,
            _ => self.made_up.get(&node).map_or("", String::as_str),
        }
    }

    /// The index of a node's label set, among `label_sets`.
    pub fn set_of(&self, node: NodeId) -> usize {
        self.node_set.get(node.index()).map_or(0, |&i| i as usize)
    }

    /// Every label set: joined by `:`, and its labels in order.
    pub fn label_sets(&self) -> &[(String, Vec<&'g str>)] {
        &self.sets
    }

    /// A node's labels in order, joined by `:` (`Company`, `Company:Listed`).
    pub fn label_set(&self, node: NodeId) -> &str {
        self.sets
            .get(self.set_of(node))
            .map_or("", |(joined, _)| joined.as_str())
    }

    /// A node's labels in order.
    pub fn labels(&self, node: NodeId) -> &[&'g str] {
        self.sets
            .get(self.set_of(node))
            .map_or(&[], |(_, labels)| labels.as_slice())
    }

    /// The node columns and the relationship columns.
    pub fn node_columns(&self, nodes: &[NodeId]) -> Vec<(String, ColumnType)> {
        columns(nodes.iter().map(|&n| self.graph.node_props(n)))
    }

    pub fn edge_columns(&self, edges: &[EdgeId]) -> Vec<(String, ColumnType)> {
        columns(edges.iter().map(|&e| self.graph.edge_props(e)))
    }

    /// The nodes grouped by label set, the groups in label order.
    pub fn nodes_by_labels(&self) -> BTreeMap<&str, Vec<NodeId>> {
        let mut groups: BTreeMap<&str, Vec<NodeId>> = BTreeMap::new();
        for &node in &self.nodes {
            groups.entry(self.label_set(node)).or_default().push(node);
        }
        groups
    }

    /// The relationships grouped by type, the groups in type order.
    pub fn edges_by_type(&self) -> BTreeMap<String, Vec<EdgeId>> {
        let mut groups: BTreeMap<String, Vec<EdgeId>> = BTreeMap::new();
        for &edge in &self.edges {
            groups
                .entry(self.graph.edge_type(edge).to_owned())
                .or_default()
                .push(edge);
        }
        groups
    }

    /// A relationship's two ends.
    pub fn ends(&self, edge: EdgeId) -> (NodeId, NodeId) {
        self.graph
            .edge_endpoints(edge)
            .expect("a selected relationship exists")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written(value: &Value) -> String {
        let mut out = Vec::new();
        write_json(&mut out, value).expect("written");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn floats_are_written_as_float_text_gives_them() {
        for f in [
            0.0,
            -0.0,
            1.0,
            -3.0,
            0.1,
            2.437,
            4_729_511.37,
            1e15,
            1e16,
            1.5e300,
            1e-7,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
        ] {
            let mut out = Vec::new();
            write_float_text(&mut out, f).expect("written");
            assert_eq!(
                String::from_utf8(out).expect("UTF-8"),
                float_text(f),
                "{f:e}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_float_is_written_as_float_text_gives_it(bits in any::<u64>()) {
            let f = f64::from_bits(bits);
            let mut out = Vec::new();
            write_float_text(&mut out, f).expect("written");
            prop_assert_eq!(String::from_utf8(out).expect("UTF-8"), float_text(f));
            prop_assert_eq!(written(&Value::Float(f)), json_text(&Value::Float(f)));
        }

        #[test]
        fn text_and_lists_are_written_as_serde_json_writes_them(
            s in "\\PC*|[\\x00-\\x1f\"\\\\]*",
            i in any::<i64>(),
        ) {
            let value = Value::List(vec![
                Value::String(s.clone()),
                Value::Int(i),
                Value::Map([(s, Value::Bool(true))].into_iter().collect()),
            ]);
            prop_assert_eq!(written(&value), json_text(&value));
        }
    }
}
