//! The algorithms against an outside reference: networkx's answers for a generated graph,
//! computed by `tests/reference/networkx_reference.py` and committed as
//! `tests/reference/gen-1k/expected.json`, so that no Python is needed here.

use std::collections::HashSet;
use std::path::Path;

use alliances::algo::{self, PathOptions};
use alliances::{Graph, Value};

fn graph() -> Graph {
    let dir = Path::new("tests/reference/gen-1k");
    alliances::session::load_csv(&dir.join("nodes.csv"), &dir.join("edges.csv"), &|_| {})
        .expect("the generated graph loads")
}

fn expected() -> serde_json::Value {
    let text =
        std::fs::read_to_string("tests/reference/gen-1k/expected.json").expect("expected answers");
    serde_json::from_str(&text).expect("JSON")
}

fn id(graph: &Graph, node: alliances::store::NodeId) -> String {
    match graph.node_prop(node, "id") {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

#[test]
fn shortest_path_lengths_match_networkx() {
    let graph = graph();
    let expected = expected();
    let queries = std::fs::read_to_string("tests/reference/gen-1k/queries.txt").unwrap();
    let options = PathOptions {
        k: 1,
        ..PathOptions::default()
    };
    let mut compared = 0;
    for (line, want) in queries
        .lines()
        .zip(expected["shortest"].as_array().unwrap())
    {
        let mut parts = line.split_whitespace();
        let (a, b) = (parts.next().unwrap(), parts.next().unwrap());
        let (a, b) = (graph.node_by_id(a).unwrap(), graph.node_by_id(b).unwrap());
        let paths = algo::k_shortest_paths(&graph, a, b, &options, &|| false);
        let got = paths.routes.first().map_or(-1, |r| r.hops() as i64);
        assert_eq!(got, want.as_i64().unwrap(), "{line}");
        compared += 1;
    }
    assert_eq!(compared, 100);
}

#[test]
fn pagerank_top_20_matches_networkx() {
    let graph = graph();
    let expected = expected();
    let ours = algo::centrality::pagerank(&graph, &|| false).expect("not interrupted");
    let want = expected["pagerank_top20"].as_array().unwrap();
    for (rank, (entry, (node, score))) in want.iter().zip(&ours).enumerate() {
        assert_eq!(
            id(&graph, *node),
            entry[0].as_str().unwrap(),
            "rank {}",
            rank + 1
        );
        let theirs = entry[1].as_f64().unwrap();
        assert!(
            (score - theirs).abs() < 1e-6 * theirs.max(1e-9),
            "rank {}: {score} vs {theirs}",
            rank + 1
        );
    }
}

#[test]
fn betweenness_top_20_matches_networkx() {
    let graph = graph();
    let expected = expected();
    let ours = algo::centrality::betweenness(&graph, None, &|| false).expect("not interrupted");
    let want = expected["betweenness_top20"].as_array().unwrap();
    for (rank, (entry, (node, score))) in want.iter().zip(&ours).enumerate() {
        assert_eq!(
            id(&graph, *node),
            entry[0].as_str().unwrap(),
            "rank {}",
            rank + 1
        );
        let theirs = entry[1].as_f64().unwrap();
        assert!(
            (score - theirs).abs() < 1e-9,
            "rank {}: {score} vs {theirs}",
            rank + 1
        );
    }
}

#[test]
fn money_cycles_up_to_4_match_networkx() {
    let graph = graph();
    let expected = expected();
    let found = algo::money_loops(&graph, 4, usize::MAX, &|| false);
    assert!(!found.cut);
    // networkx counts node cycles; parallel relationships make several of ours per cycle.
    let distinct: HashSet<Vec<_>> = found.loops.iter().map(|l| l.nodes.clone()).collect();
    assert_eq!(
        distinct.len() as u64,
        expected["money_cycles_up_to_4"].as_u64().unwrap()
    );
}
