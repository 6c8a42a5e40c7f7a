//! Look-through ownership: who ultimately holds a firm, and what a holder ultimately holds.
//! An effective stake is the product of `stake_pct` along a chain of `INVESTS_IN`
//! relationships, summed over the chains between the same two entities.
//!
//! **Invariant:** chains are simple (no entity twice) and at most `MAX_DEPTH` long, so circular
//! holdings cannot loop forever. Investments without a stake are left out and counted, and so
//! are investments that do not hold on the day asked about (ended, cancelled or not yet begun,
//! by `model::standing`): an ended stake is not an owner.

use std::collections::BTreeMap;

use crate::model::{Date, Standing};
use crate::store::{Direction, EdgeId, Graph, NodeId};

/// The longest chain followed.
pub const MAX_DEPTH: usize = 10;
/// The most chains followed before the search stops and says so.
pub const MAX_CHAINS: usize = 100_000;

/// One chain: relationships from the holder down to the held.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub nodes: Vec<NodeId>,
    pub edges: Vec<EdgeId>,
    /// Product of the stakes, as a fraction (0.099 for 9.9%).
    pub share: f64,
}

/// Everyone linked to the subject through stakes, with their effective share.
#[derive(Clone, Debug, Default)]
pub struct Ownership {
    /// (other entity, total share, its chains), largest share first.
    pub entries: Vec<(NodeId, f64, Vec<Chain>)>,
    /// Investments met without a stake, which no share can pass through.
    pub unknown_stakes: usize,
    /// Investments met that had ended or were cancelled on the day, left out.
    pub ended: usize,
    /// Investments met that had not begun on the day, left out.
    pub later: usize,
    /// The search stopped at `MAX_CHAINS`.
    pub cut: bool,
}

/// `upward`: who holds `subject` (walking ownership ties backwards); else what `subject`
/// holds; through the ties that hold `on` that day (`Graph::judged_on`: a view's date, or
/// today).
pub fn look_through(graph: &Graph, subject: NodeId, upward: bool, on: Date) -> Ownership {
    let vocabulary = graph.vocabulary();
    let holds_stakes = |edge: EdgeId| {
        vocabulary
            .relationship(graph.edge_type(edge))
            .is_some_and(|r| r.ownership)
    };
    let direction = if upward {
        Direction::Incoming
    } else {
        Direction::Outgoing
    };
    let mut result = Ownership::default();
    let mut totals: BTreeMap<NodeId, (f64, Vec<Chain>)> = BTreeMap::new();
    let mut chains = 0usize;
    // Depth-first: (node, nodes so far, edges so far, share so far).
    let mut stack: Vec<(NodeId, Vec<NodeId>, Vec<EdgeId>, f64)> =
        vec![(subject, vec![subject], Vec::new(), 1.0)];
    while let Some((node, nodes, edges, share)) = stack.pop() {
        if edges.len() >= MAX_DEPTH {
            continue;
        }
        let mut next: Vec<(EdgeId, NodeId)> = graph
            .edges_of(node, direction)
            .filter(|(e, _)| holds_stakes(*e))
            .collect();
        next.sort_unstable();
        for (edge, other) in next.into_iter().rev() {
            if nodes.contains(&other) {
                continue;
            }
            match graph.edge_standing(edge, on) {
                Standing::Holds | Standing::MayHold => {}
                Standing::NotBegun => {
                    result.later += 1;
                    continue;
                }
                Standing::Ended | Standing::Cancelled => {
                    result.ended += 1;
                    continue;
                }
            }
            let Some(stake) = graph.edge_f64(edge, "stake_pct") else {
                result.unknown_stakes += 1;
                continue;
            };
            chains += 1;
            if chains > MAX_CHAINS {
                result.cut = true;
                break;
            }
            let share = share * stake / 100.0;
            let mut nodes = nodes.clone();
            nodes.push(other);
            let mut edges = edges.clone();
            edges.push(edge);
            let entry = totals.entry(other).or_default();
            entry.0 += share;
            entry.1.push(Chain {
                nodes: nodes.clone(),
                edges: edges.clone(),
                share,
            });
            stack.push((other, nodes, edges, share));
        }
    }
    result.entries = totals
        .into_iter()
        .map(|(n, (share, chains))| (n, share, chains))
        .collect();
    result
        .entries
        .sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;

    #[test]
    fn stakes_multiply_along_chains_and_add_across_them() {
        let mut g = Graph::new(Schema::Alliance);
        let n: Vec<NodeId> = (0..4)
            .map(|i| g.add_node(["Company"], [("id", crate::Value::from(format!("n{i}")))]))
            .collect();
        let stake = |p: f64| [("stake_pct", crate::Value::Float(p))];
        g.add_edge(n[0], n[1], "INVESTS_IN", stake(50.0)); // 0 holds 50% of 1
        g.add_edge(n[1], n[3], "INVESTS_IN", stake(40.0)); // 1 holds 40% of 3
        g.add_edge(n[0], n[3], "INVESTS_IN", stake(10.0)); // 0 also holds 10% of 3 directly
        g.add_edge(n[3], n[0], "INVESTS_IN", stake(5.0)); // a circle back, which must not loop
        g.add_edge(n[2], n[3], "INVESTS_IN", []); // no stake given
        let on = Date::year(2025);
        let owners = look_through(&g, n[3], true, on);
        let of = |node: NodeId| owners.entries.iter().find(|e| e.0 == node).map(|e| e.1);
        assert!((of(n[0]).unwrap() - 0.30).abs() < 1e-12, "10% + 50% × 40%");
        assert!((of(n[1]).unwrap() - 0.40).abs() < 1e-12);
        assert_eq!(owners.unknown_stakes, 1);
        let holdings = look_through(&g, n[0], false, on);
        assert!(holdings.entries.iter().any(|e| e.0 == n[3]));
    }

    #[test]
    fn ended_cancelled_and_later_stakes_are_left_out_and_counted() {
        let mut g = Graph::new(Schema::Alliance);
        let n: Vec<NodeId> = (0..4)
            .map(|i| g.add_node(["Company"], [("id", crate::Value::from(format!("n{i}")))]))
            .collect();
        let d = |s: &str| crate::Value::Date(s.parse().unwrap());
        let pct = crate::Value::Float(30.0);
        g.add_edge(
            n[0],
            n[3],
            "INVESTS_IN",
            [
                ("stake_pct", pct.clone()),
                ("date", d("2018")),
                ("end_date", d("2021-06-30")),
            ],
        );
        g.add_edge(
            n[1],
            n[3],
            "INVESTS_IN",
            [
                ("stake_pct", pct.clone()),
                ("status", crate::Value::from("cancelled")),
            ],
        );
        g.add_edge(
            n[2],
            n[3],
            "INVESTS_IN",
            [("stake_pct", pct), ("date", d("2020"))],
        );
        let owners = |on: &str| look_through(&g, n[3], true, on.parse().unwrap());
        let before = owners("2021-01-01");
        let held: Vec<NodeId> = before.entries.iter().map(|e| e.0).collect();
        assert_eq!(held, vec![n[0], n[2]]);
        assert_eq!((before.ended, before.later), (1, 0));
        let after = owners("2022");
        assert_eq!(
            after.entries.iter().map(|e| e.0).collect::<Vec<_>>(),
            vec![n[2]]
        );
        assert_eq!((after.ended, after.later), (2, 0));
        let early = owners("2019");
        assert_eq!(
            early.entries.iter().map(|e| e.0).collect::<Vec<_>>(),
            vec![n[0]]
        );
        assert_eq!((early.ended, early.later), (1, 1));
    }
}
