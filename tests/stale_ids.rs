//! Ids of deleted elements: every store reader answers them harmlessly, and a statement that
//! deleted an element reads it as openCypher says (its identity and a relationship's type
//! stay; its labels and properties are an error).

mod common;

use alliances::query::{ErrorCode, Params, ResultValue, execute_mut};
use alliances::store::{Direction, EdgeId, NodeId};
use alliances::{Graph, Schema, Value};
use proptest::prelude::*;

/// Every reader that takes an id, on `node` and `edge`, which no longer exist.
fn read_everything(g: &Graph, node: NodeId, edge: EdgeId) {
    assert!(!g.contains_node(node));
    assert_eq!(g.node_labels(node).count(), 0);
    assert!(!g.node_has_label(node, "Company"));
    for key in ["id", "name", "aliases", "amount_usd", "missing"] {
        assert_eq!(g.node_prop(node, key), None);
        assert_eq!(g.node_str(node, key), None);
        assert_eq!(g.node_f64(node, key), None);
        assert!(!g.node_has_prop(node, key));
    }
    assert_eq!(g.node_props(node).count(), 0);
    assert_eq!(g.edges_of(node, Direction::Outgoing).count(), 0);
    assert_eq!(g.edges_of(node, Direction::Incoming).count(), 0);
    assert!(g.adjacency().neighbors(node).is_empty());
    assert_eq!(g.display_name(node), format!("#{}", node.index()));
    assert!(g.entity(node).is_err());

    assert!(!g.contains_edge(edge));
    assert_eq!(g.edge_endpoints(edge), None);
    assert_eq!(g.edge_type(edge), "");
    for key in ["amount_usd", "date", "missing"] {
        assert_eq!(g.edge_prop(edge, key), None);
        assert_eq!(g.edge_str(edge, key), None);
        assert_eq!(g.edge_f64(edge, key), None);
        assert!(!g.edge_has_prop(edge, key));
    }
    assert_eq!(g.edge_props(edge).count(), 0);
    assert!(g.relationship(edge).is_err());
}

/// Writers on stale ids change nothing.
fn write_everything(g: &mut Graph, node: NodeId, edge: EdgeId, live: NodeId) {
    let (nodes, edges) = (g.node_count(), g.edge_count());
    g.set_node_prop(node, "name", Value::from("ghost"));
    g.set_edge_prop(edge, "amount_usd", Value::Int(1));
    assert_eq!(g.add_labels(node, ["Fund"]), 0);
    assert_eq!(g.remove_labels(node, ["Company"]), 0);
    assert_eq!(g.add_edge(node, live, "SUPPLIES", []), None);
    assert_eq!(g.add_edge(live, node, "SUPPLIES", []), None);
    assert!(!g.remove_node(node));
    assert!(!g.remove_edge(edge));
    assert_eq!((g.node_count(), g.edge_count()), (nodes, edges));
    assert!(g.nodes_by_name("ghost").is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn readers_and_writers_answer_deleted_ids_harmlessly(
        nodes in 2usize..12,
        edges in prop::collection::vec((0usize..12, 0usize..12, any::<bool>()), 0..30),
        doomed in prop::collection::vec(0usize..40, 1..8),
    ) {
        let mut g = common::multigraph(nodes, &edges);
        let node_ids: Vec<NodeId> = g.nodes().collect();
        let edge_ids: Vec<EdgeId> = g.edges().collect();
        let mut gone_nodes = Vec::new();
        let mut gone_edges = Vec::new();
        for d in doomed {
            // Even numbers delete a relationship (when any is left), odd ones a node.
            if d % 2 == 0 && !edge_ids.is_empty() {
                let e = edge_ids[d % edge_ids.len()];
                g.remove_edge(e);
            } else {
                let n = node_ids[d % node_ids.len()];
                g.remove_node(n);
            }
        }
        gone_nodes.extend(node_ids.iter().copied().filter(|n| !g.contains_node(*n)));
        gone_edges.extend(edge_ids.iter().copied().filter(|e| !g.contains_edge(*e)));
        prop_assume!(!gone_nodes.is_empty() && !gone_edges.is_empty());
        for (n, e) in gone_nodes.iter().zip(gone_edges.iter().cycle()) {
            read_everything(&g, *n, *e);
        }
        let first = g.nodes().next();
        if let Some(live) = first {
            for (n, e) in gone_nodes.iter().zip(gone_edges.iter().cycle()) {
                write_everything(&mut g, *n, *e, live);
            }
        }
        // The graph is still whole: stats, the id index and every live element read back.
        let stats = g.stats();
        prop_assert_eq!(stats.nodes, g.node_count());
        for n in g.nodes() {
            prop_assert!(g.node_str(n, "id").and_then(|id| g.node_by_id(id)) == Some(n));
        }
        for (e, a, b) in g.edges_with_ends() {
            prop_assert_eq!(g.edge_endpoints(e), Some((a, b)));
        }
    }
}

fn graph() -> Graph {
    let mut g = Graph::new(Schema::Open);
    execute_mut(
        &mut g,
        "CREATE (a:A {num: 0, name: 'a'})-[:T {num: 1}]->(b:B {name: 'b'})",
        &Params::new(),
    )
    .expect("the graph builds");
    g
}

fn run(g: &mut Graph, query: &str) -> Result<Vec<Vec<ResultValue>>, alliances::query::QueryError> {
    execute_mut(g, query, &Params::new()).map(|mut r| r.pop().expect("one result").rows)
}

#[test]
fn a_deleted_relationship_keeps_its_type_and_can_be_returned() {
    let mut g = graph();
    let rows = run(
        &mut g,
        "MATCH ()-[r]->() WITH r LIMIT 1 DELETE r RETURN r, type(r), startNode(r).name",
    )
    .expect("returning a deleted relationship is allowed");
    let ResultValue::Relationship(r) = &rows[0][0] else {
        panic!("a relationship comes back: {rows:?}");
    };
    assert_eq!(r.rel_type, "T");
    assert!(r.properties.is_empty(), "its properties are gone");
    assert_eq!(rows[0][1], ResultValue::String("T".into()));
    assert_eq!(
        rows[0][2],
        ResultValue::String("a".into()),
        "its start node is not deleted"
    );
    assert_eq!(
        common::rows(&g, "MATCH ()-[r]->() RETURN count(r)"),
        vec![vec![ResultValue::Int(0)]]
    );
}

#[test]
fn labels_and_properties_of_deleted_elements_are_an_error() {
    for query in [
        "MATCH (n:A) DETACH DELETE n RETURN n.num",
        "MATCH (n:A) DETACH DELETE n RETURN labels(n)",
        "MATCH (n:A) DETACH DELETE n RETURN n:A",
        "MATCH (n:A) DETACH DELETE n RETURN keys(n)",
        "MATCH (n:A) DETACH DELETE n RETURN properties(n)",
        "MATCH ()-[r]->() DELETE r RETURN r.num",
        "MATCH ()-[r]->() DELETE r RETURN r['num']",
        "MATCH (n:A) DETACH DELETE n SET n.num = 2",
        "MATCH (n:A) DETACH DELETE n SET n:C",
        "MATCH (n:A) DETACH DELETE n REMOVE n:A",
        "MATCH (n:A) DETACH DELETE n CREATE (n)-[:T]->(:C)",
        "MATCH (n:A)-[r]->() DETACH DELETE n SET r.num = 3",
        "MATCH (n:A)-[r]->() DELETE r, startNode(r)",
    ] {
        let mut g = graph();
        let error = run(&mut g, query).expect_err(query);
        assert_eq!(
            error.code,
            ErrorCode::DeletedEntityAccess,
            "{query}: {error}"
        );
        assert!(
            error.message.contains("deleted"),
            "{query}: {}",
            error.message
        );
        assert_eq!(
            (g.node_count(), g.edge_count()),
            (2, 1),
            "{query}: rolled back"
        );
    }
}

#[test]
fn a_reused_id_does_not_make_a_deleted_node_read_as_the_new_one() {
    let mut g = graph();
    let rows = run(
        &mut g,
        "MATCH (n:A) DETACH DELETE n CREATE (m:C {name: 'c'}) RETURN n, m, n = m, m.name",
    )
    .expect("runs");
    let (ResultValue::Node(n), ResultValue::Node(m)) = (&rows[0][0], &rows[0][1]) else {
        panic!("two nodes come back: {rows:?}");
    };
    assert!(n.labels.is_empty() && n.properties.is_empty(), "{n:?}");
    assert_eq!(m.labels, ["C"]);
    assert_eq!(rows[0][2], ResultValue::Bool(false));
    assert_eq!(rows[0][3], ResultValue::String("c".into()));
    let again = run(
        &mut g,
        "MATCH (n:C) DELETE n CREATE (m:D) WITH n, m RETURN labels(n)",
    );
    assert_eq!(
        again.expect_err("labels of the deleted node").code,
        ErrorCode::DeletedEntityAccess
    );
}

#[test]
fn matching_from_a_deleted_node_finds_nothing() {
    let mut g = graph();
    let rows = run(
        &mut g,
        "MATCH (n:A) DETACH DELETE n WITH n MATCH (n)--(m) RETURN m",
    )
    .expect("runs");
    assert!(rows.is_empty());
    let rows = run(&mut g, "MATCH (n:B) DELETE n DELETE n RETURN count(*)").expect("runs");
    assert_eq!(
        rows,
        vec![vec![ResultValue::Int(1)]],
        "deleting twice is deleting once"
    );
}
