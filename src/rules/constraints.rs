//! The rule of uniqueness constraints (`CREATE CONSTRAINT ... IS UNIQUE`): no two nodes of the
//! constraint's label share its keys' values. It holds under both schemas, for every write and
//! replayed statement, and is what a new constraint is checked against.

use super::{Broken, Element, ProblemKind, RuleViolation};
use crate::model::Value;
use crate::store::{Graph, NAME_KEY, NodeId, UniqueConstraint};

/// How a message names a node: its number, and its name or id when it has one.
pub fn node_words(graph: &Graph, node: NodeId) -> String {
    match graph
        .node_str(node, NAME_KEY)
        .or_else(|| graph.node_str(node, crate::store::ID_KEY))
    {
        Some(name) => format!("node {} ({name:?})", node.index()),
        None => format!("node {}", node.index()),
    }
}

/// `id "nvidia"` or `lei "…", isin "…"`.
pub fn values_words(constraint: &UniqueConstraint, values: &[Value]) -> String {
    constraint
        .keys
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What breaks `constraint` when `nodes` share `values`.
pub fn duplicate(
    graph: &Graph,
    constraint: &UniqueConstraint,
    values: &[Value],
    nodes: &[NodeId],
) -> Broken {
    let named: Vec<String> = nodes.iter().map(|n| node_words(graph, *n)).collect();
    Broken::new(
        ProblemKind::UniqueConstraint,
        format!(
            "constraint {} requires {} to be unique, and {} share {}",
            constraint.name,
            constraint.describe(),
            named.join(" and "),
            values_words(constraint, values)
        ),
        Some(format!(
            "give one of them another value, or drop the constraint (DROP CONSTRAINT {})",
            constraint.name
        )),
    )
}

/// The constraints the nodes a statement changed (sorted) break, each clash once: at the
/// later node when both were changed.
pub(super) fn check_unique(graph: &Graph, nodes: &[NodeId]) -> Vec<RuleViolation> {
    let mut out = Vec::new();
    if graph.constraints().is_empty() {
        return out;
    }
    for &node in nodes {
        if !graph.contains_node(node) {
            continue;
        }
        for constraint in graph.constraints() {
            let clashes: Vec<NodeId> = graph
                .constraint_clashes(constraint, node)
                .into_iter()
                .filter(|other| nodes.binary_search(other).is_err() || *other < node)
                .collect();
            let Some(&first) = clashes.first() else {
                continue;
            };
            let values = graph
                .constraint_values(constraint, node)
                .unwrap_or_default();
            out.push(RuleViolation {
                element: Element::Node(node),
                key: constraint.keys.first().cloned(),
                broken: duplicate(graph, constraint, &values, &[first, node]),
            });
        }
    }
    out
}
