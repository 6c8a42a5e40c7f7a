//! The JSON the API writes besides a statement's result (which is `QueryResult::to_json`, as
//! `alliances query --format json` prints it): the map's nodes and relationships, the sources
//! they cite, errors with their place, and statement parameters read from JSON.
//!
//! A node is named by its number as `n12` and a relationship as `e7`: numbers hold across
//! dated views (which only leave relationships out), where an `id` property may be missing.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use serde_json::{Value as Json_, json};

use crate::model::{Value, fold_name};
use crate::query::{QueryError, QueryValue, ResultValue};
use crate::store::{EdgeId, Graph, NodeId};

/// One name or alias of a node, folded for completion.
pub(crate) struct Name {
    pub(super) folded: String,
    pub(super) text: String,
    pub(super) node: NodeId,
}

/// Every name and alias of the graph, folded as look-ups fold them, in node order.
pub(super) fn names(graph: &Graph) -> Vec<Name> {
    let mut names = Vec::with_capacity(graph.node_count());
    for node in graph.nodes() {
        if let Some(name) = graph.node_str(node, "name") {
            names.push(Name {
                folded: fold_name(name),
                text: name.to_owned(),
                node,
            });
        }
        if let Some(aliases) = graph
            .node_prop(node, "aliases")
            .as_ref()
            .and_then(Value::string_list)
        {
            for alias in aliases {
                names.push(Name {
                    folded: fold_name(&alias),
                    text: alias,
                    node,
                });
            }
        }
    }
    names
}

pub(super) fn node_key(node: NodeId) -> String {
    format!("n{}", node.index())
}

pub(super) fn edge_key(edge: EdgeId) -> String {
    format!("e{}", edge.index())
}

/// `n12` back to a node that is in `graph`.
pub(super) fn parse_node(graph: &Graph, key: &str) -> Option<NodeId> {
    let node = NodeId::from_index(key.strip_prefix('n')?.parse().ok()?)?;
    graph.contains_node(node).then_some(node)
}

/// `e7` back to a relationship that is in `graph`.
pub(super) fn parse_edge(graph: &Graph, key: &str) -> Option<EdgeId> {
    let edge = EdgeId::from_index(key.strip_prefix('e')?.parse().ok()?)?;
    graph.contains_edge(edge).then_some(edge)
}

fn value(v: &Value) -> Json_ {
    serde_json::to_value(v).unwrap_or(Json_::Null)
}

/// The sources a node's or relationship's `sources` property cites, each with what the graph
/// says of it (title, publisher, date, URL when it has one).
fn sources(graph: &Graph, cited: Option<Value>) -> Json_ {
    let ids = cited
        .as_ref()
        .and_then(Value::string_list)
        .unwrap_or_default();
    Json_::Array(
        ids.into_iter()
            .map(|id| match graph.source(&id) {
                Some(s) => serde_json::to_value(s).unwrap_or(Json_::Null),
                None => json!({ "id": id, "unknown": true }),
            })
            .collect(),
    )
}

/// A node for the map: `{"id": "n3", "key": "nvidia", "name": "Nvidia", "labels": [...],
/// "properties": {...}}`, and with `detail` the sources it cites.
pub(super) fn node(graph: &Graph, node: NodeId, detail: bool) -> Json_ {
    let properties: serde_json::Map<String, Json_> = graph
        .node_props(node)
        .map(|(k, v)| (k.to_owned(), value(&v)))
        .collect();
    let mut out = json!({
        "id": node_key(node),
        "key": graph.display_id(node),
        "name": graph.display_name(node),
        "labels": graph.node_labels(node).collect::<Vec<_>>(),
        "properties": properties,
    });
    if detail {
        out["sources"] = sources(graph, graph.node_prop(node, "sources"));
    }
    out
}

/// A relationship for the map: its ends, type, a label with its amount and qualifiers
/// (`describe_relationship`), its properties, whether it holds on the view's date, and with
/// `detail` the sources it cites.
pub(super) fn edge(graph: &Graph, edge: EdgeId, detail: bool) -> Option<Json_> {
    let (from, to) = graph.edge_endpoints(edge)?;
    let properties: serde_json::Map<String, Json_> = graph
        .edge_props(edge)
        .map(|(k, v)| (k.to_owned(), value(&v)))
        .collect();
    let rel_type = graph.edge_type(edge);
    let name = graph
        .vocabulary()
        .relationship(rel_type)
        .map_or(rel_type.to_owned(), |t| t.name.clone());
    let label = crate::algo::describe_relationship(graph, edge);
    let standing = match graph.edge_standing(edge, graph.judged_on()) {
        crate::model::Standing::NotBegun => "not-begun",
        crate::model::Standing::Holds => "holds",
        crate::model::Standing::MayHold => "may-hold",
        crate::model::Standing::Ended => "ended",
        crate::model::Standing::Cancelled => "cancelled",
    };
    let mut out = json!({
        "id": edge_key(edge),
        "source": node_key(from),
        "target": node_key(to),
        "type": rel_type,
        "name": name,
        "label": label,
        "standing": standing,
        "properties": properties,
    });
    if detail {
        out["sources"] = sources(graph, graph.edge_prop(edge, "sources"));
        out["from_name"] = json!(graph.display_name(from));
        out["to_name"] = json!(graph.display_name(to));
    }
    Some(out)
}

/// An error answer: `{"error": {"message": ..., "line": ..., "column": ..., ...}}`.
pub(super) fn error_response(
    status: StatusCode,
    message: &str,
    help: Option<&str>,
) -> (StatusCode, Json<Json_>) {
    let mut error = json!({ "message": message });
    if let Some(help) = help {
        error["help"] = json!(help);
    }
    (status, Json(json!({ "error": error })))
}

/// A statement's error with its place: the status says whose fault it is (400 for a statement
/// that cannot run, 403 for a write the server does not allow, 408 past the time limit, 422
/// for a statement that failed as it ran).
pub(super) fn query_error(e: &QueryError) -> (StatusCode, Json<Json_>) {
    use crate::query::{ErrorCode, ErrorKind};
    let status = match (e.kind, e.code) {
        (_, ErrorCode::ReadOnly) => StatusCode::FORBIDDEN,
        (ErrorKind::Interrupted, _) => StatusCode::REQUEST_TIMEOUT,
        (ErrorKind::Syntax | ErrorKind::Semantic, _) => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut error = json!({
        "message": e.message,
        "line": e.line,
        "column": e.column,
        "source_line": e.source_line,
        "kind": format!("{:?}", e.kind),
        "code": format!("{:?}", e.code),
        "text": e.to_string(),
    });
    if let Some(help) = &e.help {
        error["help"] = json!(help);
    }
    (status, Json(json!({ "error": error })))
}

/// A statement's parameters from JSON: numbers that are whole stay integers, objects become
/// maps; a string stays a string (`date($d)` makes a date of one).
pub(super) fn param(v: &Json_) -> QueryValue {
    match v {
        Json_::Null => QueryValue::Null,
        Json_::Bool(b) => QueryValue::Bool(*b),
        Json_::Number(n) => match n.as_i64() {
            Some(i) => QueryValue::Int(i),
            None => QueryValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json_::String(s) => QueryValue::String(s.clone()),
        Json_::Array(items) => QueryValue::List(items.iter().map(param).collect()),
        Json_::Object(map) => QueryValue::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), param(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// The nodes and relationships a statement's rows hold, for drawing them: each row's values
/// walked (lists, maps and paths included), at most `max` elements.
pub(super) fn result_graph(graph: &Graph, rows: &[Vec<ResultValue>], max: usize) -> Json_ {
    let mut selection = crate::export::Selection::default();
    for row in rows {
        for v in row {
            collect(graph, v, &mut selection);
        }
    }
    elements(graph, &selection.nodes, &selection.edges, max)
}

fn collect(graph: &Graph, v: &ResultValue, selection: &mut crate::export::Selection) {
    match v {
        ResultValue::Node(n) if graph.contains_node(n.id) => {
            selection.nodes.insert(n.id);
        }
        ResultValue::Relationship(r) => selection.add_edge(graph, r.id),
        ResultValue::Path(p) => {
            for n in &p.nodes {
                if graph.contains_node(n.id) {
                    selection.nodes.insert(n.id);
                }
            }
            for r in &p.relationships {
                selection.add_edge(graph, r.id);
            }
        }
        ResultValue::List(items) => items.iter().for_each(|i| collect(graph, i, selection)),
        ResultValue::Map(map) => map.values().for_each(|i| collect(graph, i, selection)),
        _ => {}
    }
}

/// Nodes and relationships as `{"nodes": [...], "edges": [...], "left_out": {"nodes": N,
/// "edges": M}}`, at most `max` together: nodes first (at most half of `max` when there are
/// relationships, so that a hub's answer still shows ties), then the relationships whose ends
/// are both listed, one reaching each listed node first.
pub(super) fn elements<'a>(
    graph: &Graph,
    nodes: impl IntoIterator<Item = &'a NodeId>,
    edges: impl IntoIterator<Item = &'a EdgeId>,
    max: usize,
) -> Json_ {
    let edges: Vec<&EdgeId> = edges.into_iter().collect();
    let node_max = if edges.is_empty() {
        max
    } else {
        max.div_ceil(2)
    };
    let mut listed = std::collections::HashSet::new();
    let mut out_nodes = Vec::new();
    let mut left_nodes = 0usize;
    for &n in nodes {
        if out_nodes.len() < node_max {
            listed.insert(n);
            out_nodes.push(node(graph, n, false));
        } else {
            left_nodes += 1;
        }
    }
    // First a relationship for each listed node that none yet reaches, so that no node is
    // listed without a tie when the bound cuts the relationships short; then the others.
    let mut reached = std::collections::HashSet::new();
    let mut taken = vec![false; edges.len()];
    let mut out_edges = Vec::new();
    for first in [true, false] {
        for (i, &e) in edges.iter().enumerate() {
            let Some((a, b)) = graph.edge_endpoints(*e) else {
                continue;
            };
            let both = listed.contains(&a) && listed.contains(&b);
            let new = !reached.contains(&a) || !reached.contains(&b);
            if taken[i] || !both || (first && !new) || out_nodes.len() + out_edges.len() >= max {
                continue;
            }
            taken[i] = true;
            reached.extend([a, b]);
            out_edges.extend(edge(graph, *e, false));
        }
    }
    let left_edges = taken.iter().filter(|t| !**t).count();
    json!({
        "nodes": out_nodes,
        "edges": out_edges,
        "left_out": { "nodes": left_nodes, "edges": left_edges },
    })
}
