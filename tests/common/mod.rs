//! What several test files build on.

use alliances::query::{Params, ResultValue, execute};
use alliances::{Graph, Schema, Value};

/// A multigraph under the open schema from generated numbers: nodes `n0`, `n1`, … (every
/// third a `Fund`, the rest `Company`), and for each `(from, to, invests)` a relationship,
/// `INVESTS_IN` or `SUPPLIES`, between the nodes those numbers fall on. Parallel
/// relationships, relationships both ways and self-loops all occur.
pub fn multigraph(nodes: usize, edges: &[(usize, usize, bool)]) -> Graph {
    let mut g = Graph::new(Schema::Open);
    let ids: Vec<_> = (0..nodes)
        .map(|i| {
            let label = if i % 3 == 0 { "Fund" } else { "Company" };
            g.add_node([label], [("id", Value::from(format!("n{i}")))])
        })
        .collect();
    for (from, to, invests) in edges {
        let rel_type = if *invests { "INVESTS_IN" } else { "SUPPLIES" };
        g.add_edge(ids[from % nodes], ids[to % nodes], rel_type, []);
    }
    g
}

/// The rows of a statement that must run.
pub fn rows(g: &Graph, query: &str) -> Vec<Vec<ResultValue>> {
    let mut results = execute(g, query, &Params::new()).expect("the query runs");
    results.pop().expect("one result").rows
}
