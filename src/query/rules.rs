//! The alliance rules a statement's changes must keep before it commits. Rules that one value
//! can break (a taken id or name) are checked as the value is written; these need the whole
//! statement's result: every changed entity has one kind, a name and an id, and every
//! `member-of` ends at a consortium.
//!
//! **Invariant:** only elements the statement created or changed are checked, so the cost
//! follows the size of the change, not of the graph.

use super::error::{ErrorCode, ErrorKind, QueryError};
use crate::model::{Kind, RelType, Schema, Value};
use crate::store::{Graph, ID_KEY, NAME_KEY};

pub(crate) fn check_changes(graph: &Graph, text: &str) -> Result<(), QueryError> {
    if graph.schema() != Schema::Alliance {
        return Ok(());
    }
    let broken = |message: String, help: &str| {
        QueryError::at(
            ErrorKind::Constraint,
            ErrorCode::SchemaViolation,
            text,
            0,
            message,
            Some(help.to_owned()),
        )
    };
    let changes = graph.changes();
    for node in changes.nodes {
        let name = graph.display_name(node);
        let kinds = graph
            .node_labels(node)
            .filter(|l| Kind::from_label(l).is_some())
            .count();
        if kinds != 1 || graph.node_labels(node).count() != 1 {
            return Err(broken(
                format!(
                    "{name} would have {} labels; an entity has exactly one kind",
                    graph.node_labels(node).count()
                ),
                "entities are :Company, :Fund, :Government or :Consortium",
            ));
        }
        for key in [ID_KEY, NAME_KEY] {
            if !matches!(graph.node_prop(node, key), Some(Value::String(_))) {
                return Err(broken(
                    format!("{name} would have no {key}"),
                    "every entity has a text id and name",
                ));
            }
        }
    }
    for edge in changes.edges {
        let Some((from, to)) = graph.edge_endpoints(edge) else {
            continue;
        };
        if RelType::from_edge_type(graph.edge_type(edge)) == Some(RelType::MemberOf)
            && !graph.node_has_label(to, Kind::Consortium.label())
        {
            return Err(broken(
                format!(
                    "{} would be a member of {}, which is not a consortium",
                    graph.display_name(from),
                    graph.display_name(to)
                ),
                "member-of ends at a :Consortium",
            ));
        }
    }
    Ok(())
}
