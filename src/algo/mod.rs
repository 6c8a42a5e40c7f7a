//! Graph algorithms over the store, one file per algorithm: paths between firms, circular
//! deals, look-through ownership, centrality. They read the graph through `Graph`'s API only.
//!
//! This file holds what they share: finding an entity by name, and writing a path as a chain
//! people read (`Amazon -[invests-in $8B, 2024-11-22]-> Anthropic`). The reports the front
//! ends print are in `session::report`; algorithms return data.

pub mod centrality;
pub mod common;
pub mod cycles;
pub mod diff;
pub mod ownership;
pub mod paths;
pub mod search;

use crate::model::{Standing, Value, did_you_mean, suggest_each};
use crate::store::{EdgeId, Graph, ID_KEY, NodeId};

pub use cycles::{Loops, MoneyLoop, money_loops};
pub use paths::{PathOptions, Paths, Route, k_shortest_paths};

/// The hop bound of a path search when none is given.
pub const DEFAULT_MAX_HOPS: usize = 8;

/// Why a name found no single entity.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FindError {
    /// No entity has this id, name or alias.
    #[error("no entity is called \"{name}\"{}", .help.as_ref().map(|h| format!("; {h}")).unwrap_or_default())]
    Unknown { name: String, help: Option<String> },
    /// Several entities share this name or alias.
    #[error("\"{name}\" names several entities: {}; use an id", .candidates.join(", "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
}

/// The entity with this id, name or alias (case, accents and spacing ignored).
///
/// # Errors
/// When none or several fit; an unknown name comes with "did you mean" suggestions.
pub fn find_entity(graph: &Graph, name: &str) -> Result<NodeId, FindError> {
    if let Some(node) = graph.node_by_id(name) {
        return Ok(node);
    }
    match graph.nodes_by_name(name).as_slice() {
        [one] => Ok(*one),
        [] => {
            // Each entity is suggested once, by its name, whichever of its names is close.
            let mut known: Vec<(String, NodeId)> = Vec::new();
            for node in graph.nodes() {
                if let Some(n) = graph.node_str(node, "name") {
                    known.push((n.to_owned(), node));
                }
                if let Some(aliases) = graph
                    .node_prop(node, "aliases")
                    .as_ref()
                    .and_then(Value::string_list)
                {
                    known.extend(aliases.into_iter().map(|a| (a, node)));
                }
            }
            let close = suggest_each(
                name,
                known.iter().map(|(text, node)| (text.as_str(), *node)),
            );
            let names: Vec<String> = close.iter().map(|n| graph.display_name(*n)).collect();
            let help = did_you_mean(&names.iter().map(String::as_str).collect::<Vec<_>>());
            Err(FindError::Unknown {
                name: name.to_owned(),
                help,
            })
        }
        several => Err(FindError::Ambiguous {
            name: name.to_owned(),
            candidates: several
                .iter()
                .map(|n| {
                    let id = graph
                        .node_prop(*n, ID_KEY)
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    format!("{} ({id})", graph.display_name(*n))
                })
                .collect(),
        }),
    }
}

/// What a relationship says, briefly: `invests-in ≤ $10B, 9.9%, 2025-11`.
pub fn describe_relationship(graph: &Graph, edge: EdgeId) -> String {
    let rel_type = graph.edge_type(edge);
    let mut parts = vec![
        graph
            .vocabulary()
            .relationship(rel_type)
            .map_or(rel_type.to_owned(), |t| t.name.clone()),
    ];
    if let Some(amount) = crate::model::money::tie_amount(&|key| graph.edge_prop(edge, key)) {
        parts[0] = format!("{} {amount}", parts[0]);
    }
    if let Some(stake) = graph.edge_f64(edge, "stake_pct") {
        parts.push(format!("{stake}%"));
    }
    for key in ["role", "product"] {
        if let Some(Value::String(text)) = graph.edge_prop(edge, key) {
            parts.push(text.clone());
        }
    }
    if let Some(Value::Date(date)) = graph.edge_prop(edge, "date") {
        parts.push(date.to_string());
    }
    parts.join(", ")
}

/// A path as one line: each hop shows which way its relationship points.
pub fn describe_route(graph: &Graph, route: &Route) -> String {
    let mut out = graph.display_name(route.nodes[0]);
    for (i, edge) in route.edges.iter().enumerate() {
        let label = describe_relationship(graph, *edge);
        if graph
            .edge_endpoints(*edge)
            .is_none_or(|(from, _)| from == route.nodes[i])
        {
            out.push_str(&format!(" -[{label}]-> "));
        } else {
            out.push_str(&format!(" <-[{label}]- "));
        }
        out.push_str(&graph.display_name(route.nodes[i + 1]));
    }
    out
}

/// Each hop of a path with the sources that back it, one hop a line, each source under its
/// hop with its publisher, date and URL when it has one, and a mark under a hop whose tie has
/// ended or was cancelled (on the view's date, or today).
pub fn explain_route(graph: &Graph, route: &Route) -> String {
    explain_edges(graph, &route.edges)
}

/// Each relationship, one a line as it points, with the sources it cites under it and a mark
/// when it no longer holds.
pub fn explain_edges(graph: &Graph, edges: &[EdgeId]) -> String {
    let on = graph.judged_on();
    let mut out = String::new();
    for edge in edges {
        let Some((from, to)) = graph.edge_endpoints(*edge) else {
            continue;
        };
        out.push_str(&format!(
            "  {} -[{}]-> {}\n",
            graph.display_name(from),
            describe_relationship(graph, *edge),
            graph.display_name(to)
        ));
        match graph.edge_standing(*edge, on) {
            Standing::Ended => out.push_str(&match graph.edge_prop(*edge, "end_date") {
                Some(Value::Date(end)) => {
                    format!("      ended {end}: this tie no longer holds on {on}\n")
                }
                _ => format!("      ended: this tie no longer holds on {on}\n"),
            }),
            Standing::Cancelled => out.push_str("      cancelled: this deal never held\n"),
            Standing::MayHold => {
                if let Some(Value::Date(end)) = graph.edge_prop(*edge, "end_date") {
                    out.push_str(&format!(
                        "      ending in {end}: it may no longer hold on {on}\n"
                    ));
                }
            }
            Standing::NotBegun | Standing::Holds => {}
        }
        let sources = graph
            .edge_prop(*edge, "sources")
            .as_ref()
            .and_then(Value::string_list)
            .unwrap_or_default();
        if sources.is_empty() {
            out.push_str("      source: none given\n");
        }
        for id in sources {
            out.push_str(&format!("      source: {}\n", describe_source(graph, &id)));
        }
    }
    out
}

/// A cited source in one line: `title, publisher (date) url`, the URL when it has one; an id
/// the graph defines no source for (the open schema allows one) says so.
pub fn describe_source(graph: &Graph, id: &str) -> String {
    match graph.source(id) {
        Some(s) => format!(
            "{}, {} ({}){}",
            s.title,
            s.publisher,
            s.date
                .map_or_else(|| "undated".to_owned(), |d| d.to_string()),
            s.url.as_ref().map(|u| format!(" {u}")).unwrap_or_default()
        ),
        None => format!("{id} (not a source this graph defines)"),
    }
}

/// The most loops a money-loop search lists before it stops and says so.
pub const MAX_LOOPS: usize = 10_000;

/// Above this many nodes, betweenness is estimated from a sample of start nodes.
pub const EXACT_BETWEENNESS_NODES: usize = 20_000;
