//! Common ties: the investors, investees, consortia, suppliers and customers that two or more
//! given entities share, ranked by how many of them share each and the money involved.
//!
//! **Invariant:** the given entities themselves are never listed as a shared tie.

use std::collections::BTreeMap;

use crate::store::{Direction, EdgeId, Graph, NodeId};

/// How a given entity is tied to a shared one, in words: "investor in", "member of", ...
#[derive(Clone, Debug, PartialEq)]
pub struct Tie {
    pub entity: NodeId,
    /// The shared node's role for the entity: investor, investee, consortium, supplier, customer.
    pub role: String,
    pub edge: EdgeId,
}

/// A node shared by several of the given entities.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    pub node: NodeId,
    pub ties: Vec<Tie>,
    /// How many of the given entities it is tied to.
    pub entities: usize,
    pub amount: f64,
}

pub fn common_ties(graph: &Graph, entities: &[NodeId]) -> Vec<Shared> {
    let mut by_node: BTreeMap<NodeId, Vec<Tie>> = BTreeMap::new();
    for &entity in entities {
        for direction in [Direction::Outgoing, Direction::Incoming] {
            for (edge, other) in graph.edges_of(entity, direction) {
                if entities.contains(&other) {
                    continue;
                }
                // The other end's role: the tie's `to` role when the entity is its `from`.
                let roles = graph
                    .vocabulary()
                    .relationship(graph.edge_type(edge))
                    .and_then(|r| r.roles.as_ref());
                let role = match (roles, direction) {
                    (Some([_, to]), Direction::Outgoing) => to.clone(),
                    (Some([from, _]), Direction::Incoming) => from.clone(),
                    (None, _) => "linked".to_owned(),
                };
                by_node
                    .entry(other)
                    .or_default()
                    .push(Tie { entity, role, edge });
            }
        }
    }
    let mut shared: Vec<Shared> = by_node
        .into_iter()
        .filter_map(|(node, mut ties)| {
            ties.sort_by_key(|t| (t.entity, t.edge));
            let mut who: Vec<NodeId> = ties.iter().map(|t| t.entity).collect();
            who.dedup();
            (who.len() >= 2).then(|| Shared {
                node,
                entities: who.len(),
                amount: ties
                    .iter()
                    .filter_map(|t| graph.edge_f64(t.edge, "amount_usd"))
                    .sum(),
                ties,
            })
        })
        .collect();
    shared.sort_by(|a, b| {
        b.entities
            .cmp(&a.entities)
            .then_with(|| b.amount.total_cmp(&a.amount))
            .then_with(|| a.node.cmp(&b.node))
    });
    shared
}
