//! A statement applies whole or not at all: after any failing statement the graph is exactly
//! as it was (same elements, ids, labels and properties), and a later statement still works.

use std::path::PathBuf;

use alliances::query::{self, Params};
use alliances::{Graph, Schema};
use proptest::prelude::*;

fn fixture() -> Graph {
    alliances::load_files(
        &[PathBuf::from("tests/queries/data/fixture.toml")],
        Schema::Alliance,
    )
    .expect("fixture loads")
}

/// Everything observable about the graph, in a stable order.
fn dump(graph: &Graph) -> Vec<String> {
    let mut lines = Vec::new();
    for node in graph.nodes() {
        let labels: Vec<&str> = graph.node_labels(node).collect();
        let mut props: Vec<String> = graph
            .node_props(node)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        props.sort();
        lines.push(format!("node {} {labels:?} {props:?}", node.index()));
    }
    for (edge, a, b) in graph.edges_with_ends() {
        let mut props: Vec<String> = graph
            .edge_props(edge)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        props.sort();
        lines.push(format!(
            "edge {} {}->{} {} {props:?}",
            edge.index(),
            a.index(),
            b.index(),
            graph.edge_type(edge)
        ));
    }
    for (name, ids) in [("alpha", "Alpha"), ("beta", "Beta")] {
        lines.push(format!(
            "lookup {name} {:?} {:?}",
            graph.node_by_id(name),
            graph.nodes_by_name(ids)
        ));
    }
    lines
}

/// Writes that succeed on the fixture, in any order.
const WRITES: &[&str] = &[
    "CREATE (:Company {name: 'Extra ' + toString($n)})",
    "MATCH (n {id: 'beta'}) SET n.note = 'changed', n.sector = null",
    "MATCH (n {id: 'gamma'}) SET n.name = 'Gamma Renamed'",
    "MATCH (n {id: 'alpha'}) DETACH DELETE n",
    "MATCH ()-[r:INVESTS_IN]->() DELETE r",
    "MATCH (n {id: 'delta-fund'}) REMOVE n:Fund SET n:Company",
    "MATCH (a {id: 'lonely'}), (b {id: 'club'}) CREATE (a)-[:MEMBER_OF {role: 'new'}]->(b)",
    "MATCH (n {id: 'omega'}) SET n += {x: 1, y: 'two'}",
    "MERGE (n:Fund {name: 'Merged ' + toString($n)}) ON CREATE SET n.created = true",
    "MATCH ()-[r:SUPPLIES]->() SET r = {product: 'other'}",
];

/// Ways to make the statement fail after its writes have run.
const FAILURES: &[&str] = &[
    "WITH 1 AS x RETURN 1 / 0",
    "MATCH (b {id: 'beta'}) DELETE b RETURN 1",
    "CREATE (:Company {name: 'Beta'}) RETURN 1",
    "MATCH (a {id: 'club'}) CREATE (a)-[:MEMBER_OF]->(:Company {name: 'Not A Consortium'}) RETURN 1",
    "WITH 1 AS x RETURN $missing",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_failing_statement_changes_nothing(
        writes in prop::sample::subsequence(WRITES, 1..5).prop_shuffle(),
        failure in prop::sample::select(FAILURES),
        n in 0..1000i64,
    ) {
        let mut graph = fixture();
        let mut params = Params::new();
        params.insert("n".to_owned(), query::QueryValue::Int(n));
        // Some writes first, committed, so that ids have been freed and reused.
        let _ = query::execute_mut(&mut graph, "CREATE (:Company {name: 'Before'}) WITH 1 AS x MATCH (n {name: 'Before'}) DETACH DELETE n", &params);
        let before = dump(&graph);
        let statement = writes
            .iter()
            .map(|w| format!("{w} WITH count(*) AS x"))
            .collect::<Vec<_>>()
            .join(" ")
            + " "
            + failure;
        // Every failure starts with a clause that may follow a projection.
        let outcome = query::execute_mut(&mut graph, &statement, &params);
        prop_assert!(outcome.is_err(), "the statement was meant to fail: {}", statement);
        prop_assert_eq!(dump(&graph), before, "after: {}", statement);
        // The graph still works: the same writes without the failure succeed.
        let succeeding = writes.iter().map(|w| format!("{w} WITH count(*) AS x")).collect::<Vec<_>>().join(" ") + " RETURN 1";
        let outcome = query::execute_mut(&mut graph, &succeeding, &params);
        prop_assert!(outcome.is_ok(), "{}: {:?}", succeeding, outcome.err());
    }
}
