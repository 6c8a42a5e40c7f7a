//! JSON lines in the layout of Neo4j's APOC export (`apoc.export.json.all`): one node or
//! relationship per line, nodes first, then relationships, each in graph order.
//!
//! ```text
//! {"type":"node","id":"nvidia","labels":["Company"],"properties":{"id":"nvidia","name":"Nvidia"}}
//! {"type":"relationship","id":"0","label":"INVESTS_IN","properties":{…},"start":{"id":"microsoft","labels":["Company"]},"end":{"id":"openai","labels":["Company"]}}
//! ```
//!
//! A node's `id` is its export key (its own `id` when it has a unique one). Values are JSON's
//! own; dates are ISO text (`2024-05-01`, `2024-05`, `2024`), as APOC writes temporal values.
//! The sources the relationships cite come first, as nodes labelled `Source`, so that `import
//! jsonl` gives the graph back with its sources. **Invariant:** the same graph and selection
//! give byte-identical lines.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde_json::{Map, Value as Json, json};

use super::Selection;
use super::columns::{Elements, json as value_json};
use crate::model::Source;
use crate::store::{Graph, NodeId};

/// The label of the nodes that carry sources.
pub const SOURCE_LABEL: &str = "Source";

/// The properties of a source node: `id`, `title`, `publisher`, and `date`, `url`,
/// `language` when known.
pub fn source_properties(source: &Source) -> Map<String, Json> {
    let mut props = Map::new();
    props.insert("id".into(), Json::from(source.id.as_str()));
    props.insert("title".into(), Json::from(source.title.as_str()));
    props.insert("publisher".into(), Json::from(source.publisher.as_str()));
    if let Some(date) = source.date {
        props.insert("date".into(), Json::from(date.to_string()));
    }
    if let Some(url) = &source.url {
        props.insert("url".into(), Json::from(url.as_str()));
    }
    if let Some(language) = &source.language {
        props.insert("language".into(), Json::from(language.as_str()));
    }
    props
}

/// Writes the selection as JSON lines.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_jsonl(graph: &Graph, selection: &Selection, out: &mut dyn Write) -> io::Result<()> {
    let elements = Elements::new(graph, selection);
    let whole = selection.nodes.len() == graph.node_count();
    let cited: BTreeSet<String> = elements
        .edges
        .iter()
        .filter_map(|&e| graph.edge_prop(e, "sources")?.string_list())
        .flatten()
        .chain(
            elements
                .nodes
                .iter()
                .filter_map(|&n| graph.node_prop(n, "sources")?.string_list())
                .flatten(),
        )
        .collect();
    for source in graph.sources() {
        if whole || cited.contains(&source.id) {
            let line = json!({
                "type": "node",
                "id": format!("source:{}", source.id),
                "labels": [SOURCE_LABEL],
                "properties": source_properties(source),
            });
            writeln!(out, "{line}")?;
        }
    }
    let labels = |node: NodeId| -> Vec<&str> {
        let mut labels: Vec<&str> = graph.node_labels(node).collect();
        labels.sort_unstable();
        labels
    };
    for &node in &elements.nodes {
        let properties: Map<String, Json> = graph
            .node_props(node)
            .map(|(k, v)| (k.to_owned(), value_json(&v)))
            .collect();
        let line = json!({
            "type": "node",
            "id": elements.key(node),
            "labels": labels(node),
            "properties": properties,
        });
        writeln!(out, "{line}")?;
    }
    for &edge in &elements.edges {
        let (from, to) = elements.ends(edge);
        let properties: Map<String, Json> = graph
            .edge_props(edge)
            .map(|(k, v)| (k.to_owned(), value_json(&v)))
            .collect();
        let line = json!({
            "type": "relationship",
            "id": edge.index().to_string(),
            "label": graph.edge_type(edge),
            "properties": properties,
            "start": {"id": elements.key(from), "labels": labels(from)},
            "end": {"id": elements.key(to), "labels": labels(to)},
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}
