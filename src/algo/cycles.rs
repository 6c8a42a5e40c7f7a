//! Circular deals: cycles of money flow. Money goes from investor to investee along
//! `INVESTS_IN`, and from customer to supplier along `SUPPLIES` (whose relationship points from
//! the supplier to the customer). Nvidia investing in OpenAI while OpenAI buys Nvidia systems is
//! a loop of two legs.
//!
//! **Invariant:** each loop is reported once, starting at its smallest node, with its legs in
//! money order; parallel relationships make distinct loops. The search is bounded by the loop
//! length and by a count of loops, and says when the count cut it.

use crate::model::RelType;
use crate::store::{Direction, EdgeId, Graph, NodeId};

/// One loop: `legs[i]` carries money from `nodes[i]` to `nodes[i + 1]` (the last back to
/// `nodes[0]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoneyLoop {
    pub nodes: Vec<NodeId>,
    pub legs: Vec<EdgeId>,
}

/// The loops found, shortest first, and whether `max_loops` or an interruption stopped the
/// search.
#[derive(Clone, Debug, Default)]
pub struct Loops {
    pub loops: Vec<MoneyLoop>,
    pub cut: bool,
    /// The search was interrupted: `loops` are real loops but not all of them.
    pub interrupted: bool,
}

/// How many search steps go between two looks at the interrupt flag.
const STEPS_PER_CHECK: u32 = 1024;

/// Where money goes from `node`: (relationship, receiving node), in relationship-id order.
fn money_out(graph: &Graph, node: NodeId) -> Vec<(EdgeId, NodeId)> {
    let invests = RelType::InvestsIn.edge_type();
    let supplies = RelType::Supplies.edge_type();
    let mut out: Vec<(EdgeId, NodeId)> = graph
        .edges_of(node, Direction::Outgoing)
        .filter(|(e, _)| graph.edge_type(*e) == invests)
        .chain(
            graph
                .edges_of(node, Direction::Incoming)
                .filter(|(e, _)| graph.edge_type(*e) == supplies),
        )
        .collect();
    out.sort_unstable();
    out
}

/// Every money loop of at most `max_len` legs, up to `max_loops` of them.
pub fn money_loops(
    graph: &Graph,
    max_len: usize,
    max_loops: usize,
    interrupted: &dyn Fn() -> bool,
) -> Loops {
    let mut found = Loops::default();
    let mut starts: Vec<NodeId> = graph.nodes().collect();
    starts.sort_unstable();
    let mut steps = 0u32;
    'starts: for &start in &starts {
        if interrupted() {
            found.interrupted = true;
            break;
        }
        // Depth-first from `start`, through nodes greater than it only, so each loop is found
        // once, from its smallest node.
        let mut nodes = vec![start];
        let mut legs: Vec<EdgeId> = Vec::new();
        let mut first = money_out(graph, start);
        first.reverse();
        let mut stack: Vec<Vec<(EdgeId, NodeId)>> = vec![first];
        while let Some(options) = stack.last_mut() {
            // One start can have more paths to walk than a whole graph has nodes.
            steps += 1;
            if steps == STEPS_PER_CHECK {
                steps = 0;
                if interrupted() {
                    found.interrupted = true;
                    break 'starts;
                }
            }
            let Some((edge, next)) = options.pop() else {
                stack.pop();
                nodes.pop();
                legs.pop();
                continue;
            };
            if next == start {
                let mut loop_legs = legs.clone();
                loop_legs.push(edge);
                found.loops.push(MoneyLoop {
                    nodes: nodes.clone(),
                    legs: loop_legs,
                });
                if found.loops.len() >= max_loops {
                    found.cut = true;
                    break 'starts;
                }
                continue;
            }
            if next < start || nodes.contains(&next) || legs.len() + 1 >= max_len {
                continue;
            }
            nodes.push(next);
            legs.push(edge);
            let mut more = money_out(graph, next);
            more.reverse();
            stack.push(more);
        }
    }
    found.loops.sort_by(|a, b| {
        a.legs
            .len()
            .cmp(&b.legs.len())
            .then_with(|| a.legs.cmp(&b.legs))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;

    #[test]
    fn finds_investment_and_purchase_loops_once() {
        let mut g = Graph::new(Schema::Alliance);
        let n: Vec<NodeId> = (0..4)
            .map(|i| {
                g.add_node(
                    ["Company"],
                    [("id", crate::model::Value::from(format!("n{i}")))],
                )
            })
            .collect();
        g.add_edge(n[0], n[1], "INVESTS_IN", []); // money 0 → 1
        g.add_edge(n[0], n[1], "SUPPLIES", []); // 0 sells to 1: money 1 → 0
        g.add_edge(n[1], n[2], "INVESTS_IN", []); // 1 → 2
        g.add_edge(n[2], n[0], "INVESTS_IN", []); // 2 → 0
        g.add_edge(n[3], n[0], "MEMBER_OF", []); // not money
        let loops = money_loops(&g, 4, 100, &|| false);
        let lengths: Vec<usize> = loops.loops.iter().map(|l| l.legs.len()).collect();
        assert_eq!(lengths, vec![2, 3]);
        assert!(!loops.cut);
        assert_eq!(
            money_loops(&g, 2, 100, &|| false).loops.len(),
            1,
            "bounded by length"
        );
        assert!(money_loops(&g, 4, 1, &|| false).cut, "bounded by count");
        let stopped = money_loops(&g, 4, 100, &|| true);
        assert!(stopped.interrupted && stopped.loops.is_empty());
    }
}
