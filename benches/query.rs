//! Query benchmarks, so that regressions show: the parser, the planner, a one-hop match and
//! shortest paths, on a synthetic graph of 20,000 nodes and about 100,000 relationships.
//!
//! Run with `cargo bench --bench query`. Whole-workload figures against other systems come from
//! `alliances bench DIR` (see docs/performance.md).

mod common;

use alliances::bench::{Marks, hop_distance};
use alliances::query::{Params, execute, parse, prepare};
use alliances::store::{Graph, NodeId};
use criterion::{Criterion, criterion_group, criterion_main};

const NODES: usize = 20_000;

/// A query with most of the grammar in it: patterns, a filter, aggregation, ordering.
const QUERY: &str = "MATCH (f:Fund)-[i:INVESTS_IN]->(c:Company)-[:SUPPLIES*1..2]->(d) \
                     WHERE i.amount_usd > 1M AND c.country IN ['US', 'FR'] \
                     WITH f, count(DISTINCT d) AS reach, sum(i.amount_usd) AS total \
                     RETURN f.name AS fund, reach, total ORDER BY reach DESC LIMIT 10";

fn graph() -> Graph {
    let (nodes, edges) = common::synthetic_csv(NODES);
    common::import(&nodes, &edges)
}

/// Node pairs spread over the graph, the same on every run.
fn pairs(graph: &Graph, count: usize) -> Vec<(NodeId, NodeId)> {
    let id = |i: usize| format!("n{:07}", (i * 7_919) % NODES);
    (0..count)
        .map(|i| {
            let from = graph.node_by_id(&id(2 * i)).expect("a generated id");
            let to = graph.node_by_id(&id(2 * i + 1)).expect("a generated id");
            (from, to)
        })
        .collect()
}

fn queries(c: &mut Criterion) {
    let graph = graph();
    let params = Params::new();

    c.bench_function("parse a five-clause query", |b| {
        b.iter(|| parse(QUERY).expect("the query parses"))
    });

    let statements = parse(QUERY).expect("the query parses");
    c.bench_function("plan a five-clause query", |b| {
        b.iter(|| prepare(&graph, QUERY, &statements[0]).expect("the query plans"))
    });

    let one_hop = "MATCH (a {id: 'n0000100'})-[r]-(b) RETURN type(r), b.id";
    c.bench_function("1-hop match from an id", |b| {
        b.iter(|| execute(&graph, one_hop, &params).expect("the query runs"))
    });

    let one_hop_all = "MATCH (a:Company)-[:INVESTS_IN]->(b) RETURN count(*)";
    let mut group = c.benchmark_group("scans");
    group.sample_size(10);
    group.bench_function("1-hop match over every company", |b| {
        b.iter(|| execute(&graph, one_hop_all, &params).expect("the query runs"))
    });
    group.finish();

    let pairs = pairs(&graph, 100);
    let mut marks = Marks::new(graph.node_index_bound());
    c.bench_function("100 shortest paths (direct)", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|(a, z)| hop_distance(&graph, *a, *z, &mut marks).map_or(0, |d| d))
                .sum::<u32>()
        })
    });

    let shortest = "MATCH (a {id: 'n0000001'}), (z {id: 'n0017777'}) \
                    MATCH p = shortestPath((a)-[*..15]-(z)) RETURN length(p)";
    c.bench_function("shortestPath through the query language", |b| {
        b.iter(|| execute(&graph, shortest, &params).expect("the query runs"))
    });
}

criterion_group!(benches, queries);
criterion_main!(benches);
