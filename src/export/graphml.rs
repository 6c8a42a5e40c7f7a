//! GraphML, as Gephi, yEd and networkx read it: one `<key>` per node and relationship
//! property, typed (`boolean`, `long`, `double`, `string`), then the nodes and the
//! relationships in graph order.
//!
//! A node's labels are its `labels` attribute (`Company`, or `Company:Listed` for several) and
//! its kind its `kind` attribute when the vocabulary knows the label; a relationship's type is
//! its `type` attribute. Dates are ISO text (`2024-05-01`, and partial dates as written,
//! `2024-05`); lists and maps are JSON text. A column of temporal values of one kind is a
//! `string` key that declares the kind in an extra attribute, as APOC declares list items with
//! `attr.list`: `<key … attr.type="string" attr.temporal="datetime"/>`, each value its ISO 8601
//! text as Cypher's `toString` writes it (`2015-07-21T21:40+02:00[Europe/Stockholm]`, `P1M2DT3S`),
//! which the named Cypher function (`datetime(…)`) reads back. **Invariant:** the same graph
//! and selection give byte-identical text.

use std::io::{self, Write};

use super::Selection;
use super::columns::{ColumnType, Elements, text, write_float_text, write_int};
use crate::model::Value;
use crate::store::Graph;

/// The GraphML type of a column.
fn graphml_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Bool => "boolean",
        ColumnType::Int => "long",
        ColumnType::Float => "double",
        ColumnType::Text
        | ColumnType::Date
        | ColumnType::Texts
        | ColumnType::Temporal(_)
        | ColumnType::Json => "string",
    }
}

/// The extra attribute of a key whose values are temporal: ` attr.temporal="datetime"`.
fn temporal_attribute(ty: ColumnType) -> String {
    match ty {
        ColumnType::Temporal(kind) => format!(r#" attr.temporal="{}""#, kind.name()),
        _ => String::new(),
    }
}

/// Text made safe inside an XML attribute or element.
pub fn escape(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let _ = write_escaped(&mut out, text);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes text made safe inside an XML attribute or element.
fn write_escaped<W: Write + ?Sized>(out: &mut W, text: &str) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (escaped, width): (&[u8], usize) = match b {
            b'&' => (b"&amp;", 1),
            b'<' => (b"&lt;", 1),
            b'>' => (b"&gt;", 1),
            b'"' => (b"&quot;", 1),
            b'\'' => (b"&apos;", 1),
            // Tabs, newlines and carriage returns are kept as references, so that attribute
            // values survive normalisation; other control characters cannot appear in XML 1.0.
            b'\t' => (b"&#9;", 1),
            b'\n' => (b"&#10;", 1),
            b'\r' => (b"&#13;", 1),
            b if b < 0x20 => ("\u{FFFD}".as_bytes(), 1),
            // U+FFFE and U+FFFF, the only characters encoded as EF BF BE and EF BF BF.
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                ("\u{FFFD}".as_bytes(), 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.write_all(&bytes[plain..i])?;
        out.write_all(escaped)?;
        i += width;
        plain = i;
    }
    out.write_all(&bytes[plain..])
}

/// Writes a value as the text of a column of type `ty`, escaped (`escape(&text(value, ty))`).
fn write_value<W: Write + ?Sized>(out: &mut W, value: &Value, ty: ColumnType) -> io::Result<()> {
    match (value, ty) {
        (Value::Bool(true), ColumnType::Bool) => out.write_all(b"true"),
        (Value::Bool(false), ColumnType::Bool) => out.write_all(b"false"),
        (Value::Int(i), ColumnType::Int | ColumnType::Float) => write_int(out, *i),
        (Value::Float(f), ColumnType::Float) => write_float_text(out, *f),
        (Value::String(s), ColumnType::Text) => write_escaped(out, s),
        (Value::Date(d), ColumnType::Text | ColumnType::Date) => write!(out, "{d}"),
        (Value::Temporal(t), ColumnType::Temporal(_)) => write_escaped(out, &t.to_string()),
        _ => write_escaped(out, &text(value, ty)),
    }
}

/// Writes the selection as a GraphML document.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_graphml(graph: &Graph, selection: &Selection, out: &mut dyn Write) -> io::Result<()> {
    let elements = Elements::new(graph, selection);
    let node_columns = elements.node_columns(&elements.nodes);
    let edge_columns = elements.edge_columns(&elements.edges);
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let out = &mut out;
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    writeln!(
        out,
        r#"  <key id="labels" for="node" attr.name="labels" attr.type="string"/>"#
    )?;
    writeln!(
        out,
        r#"  <key id="kind" for="node" attr.name="kind" attr.type="string"/>"#
    )?;
    for (i, (name, ty)) in node_columns.iter().enumerate() {
        writeln!(
            out,
            r#"  <key id="n{i}" for="node" attr.name="{}" attr.type="{}"{}/>"#,
            escape(name),
            graphml_type(*ty),
            temporal_attribute(*ty)
        )?;
    }
    writeln!(
        out,
        r#"  <key id="type" for="edge" attr.name="type" attr.type="string"/>"#
    )?;
    for (i, (name, ty)) in edge_columns.iter().enumerate() {
        writeln!(
            out,
            r#"  <key id="e{i}" for="edge" attr.name="{}" attr.type="{}"{}/>"#,
            escape(name),
            graphml_type(*ty),
            temporal_attribute(*ty)
        )?;
    }
    writeln!(out, r#"  <graph id="alliances" edgedefault="directed">"#)?;
    type Index<'k> = std::collections::HashMap<&'k str, usize, foldhash::fast::RandomState>;
    let node_index: Index<'_> = node_columns
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    let edge_index: Index<'_> = edge_columns
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    let mut props: Vec<(usize, Value)> = Vec::new();
    let write_props = |out: &mut io::BufWriter<&mut dyn Write>,
                       props: &mut Vec<(usize, Value)>,
                       prefix: &[u8],
                       columns: &[(String, ColumnType)]|
     -> io::Result<()> {
        props.sort_unstable_by_key(|(i, _)| *i);
        for (i, value) in props.iter() {
            out.write_all(b"      <data key=\"")?;
            out.write_all(prefix)?;
            write_int(out, *i as i64)?;
            out.write_all(b"\">")?;
            write_value(out, value, columns[*i].1)?;
            out.write_all(b"</data>\n")?;
        }
        Ok(())
    };
    for &node in &elements.nodes {
        out.write_all(b"    <node id=\"")?;
        write_escaped(out, elements.key(node))?;
        out.write_all(b"\">\n      <data key=\"labels\">")?;
        write_escaped(out, elements.label_set(node))?;
        out.write_all(b"</data>\n")?;
        if let Some(kind) = graph
            .node_labels(node)
            .find_map(|l| graph.vocabulary().kind_by_label(l))
        {
            out.write_all(b"      <data key=\"kind\">")?;
            write_escaped(out, &kind.name)?;
            out.write_all(b"</data>\n")?;
        }
        props.clear();
        props.extend(graph.node_props(node).filter_map(|(k, v)| {
            let i = *node_index.get(k)?;
            ColumnType::of(&v).map(|_| (i, v))
        }));
        write_props(out, &mut props, b"n", &node_columns)?;
        out.write_all(b"    </node>\n")?;
    }
    for &edge in &elements.edges {
        let (from, to) = elements.ends(edge);
        out.write_all(b"    <edge id=\"e")?;
        write_int(out, edge.index() as i64)?;
        out.write_all(b"\" source=\"")?;
        write_escaped(out, elements.key(from))?;
        out.write_all(b"\" target=\"")?;
        write_escaped(out, elements.key(to))?;
        out.write_all(b"\">\n      <data key=\"type\">")?;
        write_escaped(out, graph.edge_type(edge))?;
        out.write_all(b"</data>\n")?;
        props.clear();
        props.extend(graph.edge_props(edge).filter_map(|(k, v)| {
            let i = *edge_index.get(k)?;
            ColumnType::of(&v).map(|_| (i, v))
        }));
        write_props(out, &mut props, b"e", &edge_columns)?;
        out.write_all(b"    </edge>\n")?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")?;
    out.flush()
}
