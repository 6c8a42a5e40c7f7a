//! A synthetic graph shared by the benchmarks, shaped like the benchmark generator's output:
//! five edges per node, three types, parallel edges, a consortium every hundred nodes.

use std::fmt::Write;

use alliances::datafile::import_csv;
use alliances::{Graph, Schema};

/// A deterministic synthetic graph: `nodes` nodes and five edges per node.
pub fn synthetic_csv(nodes: usize) -> (String, String) {
    let mut node_text = String::from("id,name,kind,country,sector\n");
    for i in 0..nodes {
        let kind = match i % 100 {
            0 => "consortium",
            1..=4 => "fund",
            _ => "company",
        };
        writeln!(node_text, "n{i:07},Node {i},{kind},US,cloud").unwrap();
    }
    let mut edge_text = String::from("from,to,type,amount_usd,date,stake_pct\n");
    // A multiplicative walk spreads endpoints without a random number crate.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..nodes * 5 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let from = (x >> 33) as usize % nodes;
        let to = (x >> 13) as usize % nodes;
        if from == to {
            continue;
        }
        let (rel_type, to) = match x % 10 {
            0 => ("MEMBER_OF", to - to % 100),
            1..=4 => ("INVESTS_IN", to),
            _ => ("SUPPLIES", to),
        };
        if from == to {
            continue;
        }
        writeln!(
            edge_text,
            "n{from:07},n{to:07},{rel_type},1500000.5,2021-06-10,"
        )
        .unwrap();
    }
    (node_text, edge_text)
}

/// The graph the CSV files of `synthetic_csv` describe.
pub fn import(nodes: &str, edges: &str) -> Graph {
    import_csv(
        "nodes.csv",
        nodes.as_bytes(),
        "edges.csv",
        edges.as_bytes(),
        Schema::Alliance,
    )
    .expect("the synthetic graph is valid")
}
