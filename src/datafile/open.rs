//! The open-schema form of a data file: `schema = "open"`, then `[[source]]` tables as in an
//! alliance file, `[[constraint]]` tables as in an alliance file, `[[node]]` tables (`ref`, `labels`, `properties`) and `[[relationship]]`
//! tables (`type`, `from` and `to` as node refs, `properties`).
//!
//! A graph under the open schema has any labels, types and properties, so it cannot be
//! written as alliance records; this form holds anything the store does, and reads back the
//! same. Values the formats lack are one-key tables: `{ date = "2025-08" }` for a date and
//! `{ float = "nan" }` (or `"inf"`, `"-inf"`) for a number JSON cannot write. A property
//! never holds a table (a query cannot store a map), so a one-key table is never ambiguous.
//! Reading is in `decode` and `assemble`, beside the alliance form.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::model::{Source, Value};
use crate::store::{Graph, NodeId, UniqueConstraint};

/// A whole open-schema graph, ready to serialize.
#[derive(Serialize)]
pub(crate) struct OpenDataSet<'g> {
    schema: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    allow_unsourced: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    source: Vec<&'g Source>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    constraint: &'g [UniqueConstraint],
    node: Vec<OpenNode>,
    relationship: Vec<OpenRelationship>,
}

#[derive(Serialize)]
struct OpenNode {
    #[serde(rename = "ref")]
    reference: usize,
    labels: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<String, Tagged>,
}

#[derive(Serialize)]
struct OpenRelationship {
    #[serde(rename = "type")]
    rel_type: String,
    from: usize,
    to: usize,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<String, Tagged>,
}

/// A property value as the open form writes it.
struct Tagged(Value);

impl Serialize for Tagged {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let tag = |serializer: S, key: &str, text: &str| {
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(key, text)?;
            map.end()
        };
        match &self.0 {
            Value::Date(d) => tag(serializer, "date", &d.to_string()),
            Value::Temporal(t) => tag(serializer, t.type_name(), &t.to_string()),
            Value::Float(x) if x.is_nan() => tag(serializer, "float", "nan"),
            Value::Float(x) if x.is_infinite() => {
                tag(serializer, "float", if *x > 0.0 { "inf" } else { "-inf" })
            }
            Value::List(items) => {
                serializer.collect_seq(items.iter().map(|item| Tagged(item.clone())))
            }
            other => other.serialize(serializer),
        }
    }
}

/// The graph in the open form: nodes numbered from 1 in node order, relationships in
/// relationship order.
pub(crate) fn dataset(graph: &Graph) -> OpenDataSet<'_> {
    let mut refs: Vec<usize> = vec![0; graph.node_index_bound()];
    let mut node = Vec::with_capacity(graph.node_count());
    for (i, id) in graph.nodes().enumerate() {
        refs[id.index()] = i + 1;
        node.push(OpenNode {
            reference: i + 1,
            labels: graph.node_labels(id).map(str::to_owned).collect(),
            properties: properties(graph.node_props(id)),
        });
    }
    let reference = |n: NodeId| refs[n.index()];
    let relationship = graph
        .edges_with_ends()
        .map(|(e, from, to)| OpenRelationship {
            rel_type: graph.edge_type(e).to_owned(),
            from: reference(from),
            to: reference(to),
            properties: properties(graph.edge_props(e)),
        })
        .collect();
    OpenDataSet {
        schema: "open",
        allow_unsourced: graph.allow_unsourced(),
        source: graph.sources().collect(),
        constraint: graph.constraints(),
        node,
        relationship,
    }
}

fn properties<'a>(props: impl Iterator<Item = (&'a str, Value)>) -> BTreeMap<String, Tagged> {
    props.map(|(k, v)| (k.to_owned(), Tagged(v))).collect()
}
