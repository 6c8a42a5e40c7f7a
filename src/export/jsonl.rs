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
//! jsonl` gives the graph back with its sources. A data file's additions to the vocabulary and
//! its exchange rates, when it has them, follow on lines of their own types, `vocabulary` and
//! `fx_rate`, before the nodes. **Invariant:** the same graph and selection
//! give byte-identical lines.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde_json::{Map, Value as Json, json};

use super::Selection;
use super::columns::{Elements, write_int, write_json, write_json_str};
use crate::model::{Source, Value};
use crate::store::{Graph, NodeId};

/// The type of the line that holds the vocabulary's additions (`{"type":"vocabulary",
/// "definitions":{…}}`, the data file's `[vocabulary]` table as JSON).
pub const VOCABULARY_TYPE: &str = "vocabulary";

/// The type of a line that holds an exchange rate (`{"type":"fx_rate","currency":"EUR",
/// "date":"2024-01-01","rate":1.1,"source":"ecb"}`, a data file's `[[fx_rate]]`).
pub const FX_RATE_TYPE: &str = "fx_rate";

/// What the JSON lines of `graph` cannot bring back through `import jsonl`, to be said when
/// exporting: an open-schema graph's nodes and relationships outside the vocabulary.
pub fn not_carried(graph: &Graph) -> Option<String> {
    (graph.schema() == crate::model::Schema::Open).then(|| {
        "note: this graph has the open schema; graph tools read its JSON lines whole, but `alliances import jsonl` reads back only alliance records (nodes with a kind label, an id and a name, and the vocabulary's relationships); export it as cypher --dialect alliances to replay it whole".to_owned()
    })
}

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

/// Writes the selection as JSON lines, a line at a time.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_jsonl(graph: &Graph, selection: &Selection, out: &mut dyn Write) -> io::Result<()> {
    let elements = Elements::new(graph, selection);
    let whole = selection.nodes.len() == graph.node_count();
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let out = &mut out;
    let cited: BTreeSet<String> = if whole {
        BTreeSet::new()
    } else {
        elements
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
            .collect()
    };
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
    // What a data file adds to the vocabulary, and its exchange rates: lines of their own type,
    // which a reader of nodes and relationships alone passes over.
    let added = graph.vocabulary().added();
    if !added.is_empty() {
        let definitions = serde_json::to_value(added).map_err(io::Error::from)?;
        let line = json!({"type": VOCABULARY_TYPE, "definitions": definitions});
        writeln!(out, "{line}")?;
    }
    for rate in graph.fx_rates() {
        let line = json!({
            "type": FX_RATE_TYPE,
            "currency": rate.currency,
            "date": rate.date.to_string(),
            "rate": rate.rate,
            "source": rate.source,
        });
        writeln!(out, "{line}")?;
    }
    // Each label set's JSON array, written once.
    let label_arrays: Vec<Vec<u8>> = elements
        .label_sets()
        .iter()
        .map(|(_, labels)| serde_json::to_vec(labels).unwrap_or_default())
        .collect();
    let labels = |node: NodeId| -> &[u8] {
        label_arrays
            .get(elements.set_of(node))
            .map_or(b"[]", Vec::as_slice)
    };
    let mut props: Vec<(&str, Value)> = Vec::new();
    for &node in &elements.nodes {
        out.write_all(b"{\"id\":")?;
        write_json_str(out, elements.key(node))?;
        out.write_all(b",\"labels\":")?;
        out.write_all(labels(node))?;
        out.write_all(b",\"properties\":")?;
        write_props(out, &mut props, graph.node_props(node))?;
        out.write_all(b",\"type\":\"node\"}\n")?;
    }
    for &edge in &elements.edges {
        let (from, to) = elements.ends(edge);
        out.write_all(b"{\"end\":{\"id\":")?;
        write_json_str(out, elements.key(to))?;
        out.write_all(b",\"labels\":")?;
        out.write_all(labels(to))?;
        out.write_all(b"},\"id\":\"")?;
        write_int(out, edge.index() as i64)?;
        out.write_all(b"\",\"label\":")?;
        write_json_str(out, graph.edge_type(edge))?;
        out.write_all(b",\"properties\":")?;
        write_props(out, &mut props, graph.edge_props(edge))?;
        out.write_all(b",\"start\":{\"id\":")?;
        write_json_str(out, elements.key(from))?;
        out.write_all(b",\"labels\":")?;
        out.write_all(labels(from))?;
        out.write_all(b"},\"type\":\"relationship\"}\n")?;
    }
    out.flush()
}

/// Writes an element's properties as a JSON object, sorted by key as `serde_json` sorts them.
fn write_props<'g, W: Write>(
    out: &mut W,
    props: &mut Vec<(&'g str, Value)>,
    iter: impl Iterator<Item = (&'g str, Value)>,
) -> io::Result<()> {
    props.clear();
    props.extend(iter);
    props.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.write_all(b"{")?;
    for (i, (key, value)) in props.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_json_str(out, key)?;
        out.write_all(b":")?;
        write_json(out, value)?;
    }
    out.write_all(b"}")
}
