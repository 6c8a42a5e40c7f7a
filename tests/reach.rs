//! The breadth-first search for variable-length patterns whose paths do not matter must give
//! the answers the path-by-path search gives. `AND true` in the filter keeps the planner from
//! using it, so each query runs both ways on random multigraphs with parallel relationships,
//! relationships both ways and self-loops.

mod common;

use alliances::query::ResultValue;
use common::{multigraph as graph, rows};
use proptest::prelude::*;

const PATTERNS: &[&str] = &[
    "-[*1..2]-",
    "-[*1..3]->",
    "<-[*0..2]-",
    "-[:INVESTS_IN*1..3]-",
    "-[:SUPPLIES|INVESTS_IN*0..4]->",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn reach_gives_the_answers_paths_give(
        nodes in 1usize..10,
        edges in proptest::collection::vec((0usize..10, 0usize..10, any::<bool>()), 0..25),
    ) {
        let g = graph(nodes, &edges);
        for i in 0..nodes {
            for pattern in PATTERNS {
                for end in ["(x)", "(x:Company)"] {
                    let base = format!("MATCH (s {{id: 'n{i}'}}){pattern}{end}");
                    for (fast, slow) in [
                        (
                            format!("{base} WHERE x <> s RETURN count(DISTINCT x) AS n, collect(DISTINCT x.id) AS ids"),
                            format!("{base} WHERE x <> s AND true RETURN count(DISTINCT x) AS n, collect(DISTINCT x.id) AS ids"),
                        ),
                        (
                            format!("{base} WHERE x <> s RETURN DISTINCT x.id AS id ORDER BY id"),
                            format!("{base} WHERE x <> s AND true RETURN DISTINCT x.id AS id ORDER BY id"),
                        ),
                        // Only the count: no rows are made for the reached nodes.
                        (
                            format!("{base} WHERE x <> s RETURN count(DISTINCT x) AS n"),
                            format!("{base} WHERE x <> s AND true RETURN count(DISTINCT x) AS n"),
                        ),
                        // Many starts: the nodes any of them reach, each counted once.
                        (
                            format!("MATCH (s:Fund){pattern}{end} WHERE x <> s RETURN count(DISTINCT x) AS n"),
                            format!("MATCH (s:Fund){pattern}{end} WHERE x <> s AND true RETURN count(DISTINCT x) AS n"),
                        ),
                        (
                            format!("MATCH (s:Fund){pattern}{end} RETURN count(DISTINCT x) AS n"),
                            format!("MATCH (s:Fund){pattern}{end} WHERE true RETURN count(DISTINCT x) AS n"),
                        ),
                    ] {
                        let mut got = rows(&g, &fast);
                        let mut want = rows(&g, &slow);
                        // collect(DISTINCT ...) keeps the order rows came in, which differs.
                        for rows in [&mut got, &mut want] {
                            for row in rows.iter_mut() {
                                for value in row.iter_mut() {
                                    if let ResultValue::List(items) = value {
                                        items.sort_by_key(|v| format!("{v:?}"));
                                    }
                                }
                            }
                        }
                        prop_assert_eq!(got, want, "{}", fast);
                    }
                }
            }
        }
    }
}

#[test]
fn the_planner_uses_the_breadth_first_search_only_where_paths_do_not_matter() {
    let g = graph(3, &[(0, 1, true), (1, 2, false)]);
    let explain = |query: &str| {
        let statements = alliances::query::parse(query).unwrap();
        alliances::query::prepare(&g, query, &statements[0])
            .unwrap()
            .explain()
    };
    let pruned = "breadth first, each node once";
    let counted = "breadth first, counting each node once";
    assert!(
        explain("MATCH (s {id: 'n0'})-[*1..2]-(x) WHERE x <> s RETURN count(DISTINCT x)")
            .contains(counted)
    );
    assert!(explain("MATCH (s {id: 'n0'})-[*0..2]-(x) RETURN DISTINCT x").contains(pruned));
    for rows_needed in [
        "MATCH (s {id: 'n0'})-[*1..2]-(x) WHERE x <> s RETURN count(DISTINCT x), collect(DISTINCT x.id)",
        "MATCH (s {id: 'n0'})-[*1..2]-(x) WHERE x <> s RETURN s.id, count(DISTINCT x)",
        "MATCH (s {id: 'n0'})-[*0..2]-(x) WHERE x.id <> 'n1' RETURN count(DISTINCT x)",
        "MATCH (a {id: 'n1'}) WITH a MATCH (a)-[*0..2]-(x) RETURN count(DISTINCT x)",
    ] {
        let plan = explain(rows_needed);
        assert!(!plan.contains(counted), "{rows_needed}");
    }
    for paths_matter in [
        // The start can end a closed path of two relationships.
        "MATCH (s {id: 'n0'})-[*1..2]-(x) RETURN count(DISTINCT x)",
        "MATCH (s {id: 'n0'})-[*1..2]-(x) WHERE x <> s RETURN count(x)",
        "MATCH (s {id: 'n0'})-[r*1..2]-(x) WHERE x <> s RETURN count(DISTINCT x)",
        "MATCH p = (s {id: 'n0'})-[*1..2]-(x) WHERE x <> s RETURN count(DISTINCT x)",
        "MATCH (s {id: 'n0'})-[*2..3]-(x) WHERE x <> s RETURN count(DISTINCT x)",
        "MATCH (s {id: 'n0'})-[*]-(x) WHERE x <> s RETURN count(DISTINCT x)",
        "MATCH (s {id: 'n0'})-[*1..2]-(x) WHERE x <> s RETURN x",
    ] {
        assert!(!explain(paths_matter).contains(pruned), "{paths_matter}");
    }
}
