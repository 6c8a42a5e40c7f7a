//! Any bytes as writing statements on a small graph, under the alliance schema and the open
//! one: an error is fine, a panic is a bug, and a statement that fails leaves the graph as it
//! was.
#![no_main]

use alliances::query::{Params, execute_mut};
use alliances::{Graph, Schema};
use libfuzzer_sys::fuzz_target;

fn dump(graph: &Graph) -> Vec<String> {
    let mut lines: Vec<String> = graph
        .nodes()
        .map(|n| {
            let labels: Vec<&str> = graph.node_labels(n).collect();
            let props: Vec<String> = graph.node_props(n).map(|(k, v)| format!("{k}={v:?}")).collect();
            format!("node {} {labels:?} {props:?}", n.index())
        })
        .collect();
    lines.extend(graph.edges_with_ends().map(|(e, a, b)| {
        let props: Vec<String> = graph.edge_props(e).map(|(k, v)| format!("{k}={v:?}")).collect();
        format!("edge {} {}->{} {} {props:?}", e.index(), a.index(), b.index(), graph.edge_type(e))
    }));
    lines
}

fn small_graph(schema: Schema) -> Graph {
    let mut graph = Graph::new(schema);
    let setup = "CREATE (a:Company {id: 'a', name: 'A'})-[:INVESTS_IN {amount_usd: 1}]->(b:Fund {id: 'b', name: 'B'}), \
                 (b)-[:SUPPLIES]->(a), (c:Consortium {id: 'c', name: 'C'}), (a)-[:MEMBER_OF]->(c)";
    execute_mut(&mut graph, setup, &Params::new()).expect("the small graph builds");
    graph
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for schema in [Schema::Alliance, Schema::Open] {
        let mut graph = small_graph(schema);
        let before = dump(&graph);
        if execute_mut(&mut graph, &text, &Params::new()).is_err() {
            assert_eq!(dump(&graph), before, "a failed statement changed the graph");
        }
    }
});
