//! GraphML, as Gephi, yEd and networkx read it: one `<key>` per node and relationship
//! property, typed (`boolean`, `long`, `double`, `string`), then the nodes and the
//! relationships in graph order.
//!
//! A node's labels are its `labels` attribute (`Company`, or `Company:Listed` for several) and
//! its kind its `kind` attribute when the vocabulary knows the label; a relationship's type is
//! its `type` attribute. Dates are ISO text (`2024-05-01`, and partial dates as written,
//! `2024-05`); lists and maps are JSON text. **Invariant:** the same graph and selection give
//! byte-identical text.

use std::io::{self, Write};

use super::Selection;
use super::columns::{ColumnType, Elements, text};
use crate::store::Graph;

/// The GraphML type of a column.
fn graphml_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Bool => "boolean",
        ColumnType::Int => "long",
        ColumnType::Float => "double",
        ColumnType::Text | ColumnType::Date | ColumnType::Texts | ColumnType::Json => "string",
    }
}

/// Text made safe inside an XML attribute or element.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Tabs, newlines and carriage returns are kept as references, so that attribute
            // values survive normalisation; other control characters cannot appear in XML 1.0.
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    out
}

/// Writes the selection as a GraphML document.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_graphml(graph: &Graph, selection: &Selection, out: &mut dyn Write) -> io::Result<()> {
    let elements = Elements::new(graph, selection);
    let node_columns = elements.node_columns(&elements.nodes);
    let edge_columns = elements.edge_columns(&elements.edges);
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
            r#"  <key id="n{i}" for="node" attr.name="{}" attr.type="{}"/>"#,
            escape(name),
            graphml_type(*ty)
        )?;
    }
    writeln!(
        out,
        r#"  <key id="type" for="edge" attr.name="type" attr.type="string"/>"#
    )?;
    for (i, (name, ty)) in edge_columns.iter().enumerate() {
        writeln!(
            out,
            r#"  <key id="e{i}" for="edge" attr.name="{}" attr.type="{}"/>"#,
            escape(name),
            graphml_type(*ty)
        )?;
    }
    writeln!(out, r#"  <graph id="alliances" edgedefault="directed">"#)?;
    let node_index: std::collections::HashMap<&str, usize> = node_columns
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    let edge_index: std::collections::HashMap<&str, usize> = edge_columns
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    for &node in &elements.nodes {
        writeln!(out, r#"    <node id="{}">"#, escape(elements.key(node)))?;
        writeln!(
            out,
            r#"      <data key="labels">{}</data>"#,
            escape(&elements.label_set(node))
        )?;
        if let Some(kind) = graph
            .node_labels(node)
            .find_map(|l| graph.vocabulary().kind_by_label(l))
        {
            writeln!(
                out,
                r#"      <data key="kind">{}</data>"#,
                escape(&kind.name)
            )?;
        }
        let mut props: Vec<(usize, String)> = graph
            .node_props(node)
            .filter_map(|(k, v)| {
                let i = *node_index.get(k)?;
                ColumnType::of(&v).map(|_| (i, text(&v, node_columns[i].1)))
            })
            .collect();
        props.sort_unstable_by_key(|(i, _)| *i);
        for (i, value) in props {
            writeln!(out, r#"      <data key="n{i}">{}</data>"#, escape(&value))?;
        }
        writeln!(out, "    </node>")?;
    }
    for &edge in &elements.edges {
        let (from, to) = elements.ends(edge);
        writeln!(
            out,
            r#"    <edge id="e{}" source="{}" target="{}">"#,
            edge.index(),
            escape(elements.key(from)),
            escape(elements.key(to))
        )?;
        writeln!(
            out,
            r#"      <data key="type">{}</data>"#,
            escape(graph.edge_type(edge))
        )?;
        let mut props: Vec<(usize, String)> = graph
            .edge_props(edge)
            .filter_map(|(k, v)| {
                let i = *edge_index.get(k)?;
                ColumnType::of(&v).map(|_| (i, text(&v, edge_columns[i].1)))
            })
            .collect();
        props.sort_unstable_by_key(|(i, _)| *i);
        for (i, value) in props {
            writeln!(out, r#"      <data key="e{i}">{}</data>"#, escape(&value))?;
        }
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")
}
