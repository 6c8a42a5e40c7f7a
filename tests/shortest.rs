//! shortestPath between two known nodes searches from both ends; over any relationship either
//! way it walks the traversal index and finds the path's relationships afterwards. On random
//! multigraphs its length must be the one-sided search's (`allShortestPaths`), and the path it
//! returns must be a real one: each relationship joins the nodes on either side of it, the
//! way and with the type the pattern asks.

mod common;

use alliances::Value;
use alliances::query::ResultValue;
use common::{multigraph as graph, rows};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn both_ends_find_a_real_shortest_path(
        nodes in 2usize..12,
        edges in proptest::collection::vec((0usize..12, 0usize..12, any::<bool>()), 0..30),
        a in 0usize..12,
        b in 0usize..12,
    ) {
        let g = graph(nodes, &edges);
        let (a, b) = (a % nodes, b % nodes);
        prop_assume!(a != b);
        for (rel, directed, only) in [
            ("-[*]-", false, None),
            ("-[*]->", true, None),
            ("<-[:INVESTS_IN*]-", true, Some("INVESTS_IN")),
            ("-[:SUPPLIES*..3]-", false, Some("SUPPLIES")),
        ] {
            let pattern = format!("(a {{id: 'n{a}'}}){rel}(b {{id: 'n{b}'}})");
            let one = rows(&g, &format!("MATCH p = shortestPath({pattern}) RETURN p"));
            let all = rows(&g, &format!("MATCH p = allShortestPaths({pattern}) RETURN length(p) LIMIT 1"));
            prop_assert_eq!(one.len(), all.len(), "{}", pattern);
            let Some(row) = one.first() else { continue };
            let ResultValue::Path(path) = &row[0] else {
                panic!("a path, not {:?}", row[0]);
            };
            prop_assert_eq!(&all[0][0], &ResultValue::Int(path.relationships.len() as i64));
            prop_assert_eq!(path.nodes.len(), path.relationships.len() + 1);
            prop_assert_eq!(&path.nodes[0].properties["id"], &Value::from(format!("n{a}")));
            prop_assert_eq!(&path.nodes.last().unwrap().properties["id"], &Value::from(format!("n{b}")));
            let left = rel.starts_with('<');
            for (pair, r) in path.nodes.windows(2).zip(&path.relationships) {
                let (here, there) = (pair[0].id, pair[1].id);
                let forward = (r.start, r.end) == (here, there);
                let backward = (r.start, r.end) == (there, here);
                prop_assert!(forward || backward, "{} does not join {:?} and {:?}", r.id.index(), here, there);
                if directed {
                    prop_assert!(if left { backward } else { forward }, "{} goes the wrong way", pattern);
                }
                if let Some(t) = only {
                    prop_assert_eq!(&r.rel_type, t);
                }
            }
        }
    }
}
