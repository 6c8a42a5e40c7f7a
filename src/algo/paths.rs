//! The K shortest simple paths between two nodes (Yen's algorithm), counted in hops.
//!
//! Each search is a breadth-first search from both ends at once (`search::meet`), which visits a
//! few thousand nodes where a one-sided search would visit the whole graph. Parallel relationships are
//! distinct hops, so two investments between one pair give two paths.
//!
//! **Invariant:** results are deterministic: relationships are tried in id order, and among
//! paths of equal length the one whose relationship ids come first in order wins.

use std::collections::HashSet;

use super::search::{self, Marks};
use crate::store::{Direction, EdgeId, Graph, NodeId};

/// What paths may use.
#[derive(Clone, Debug, Default)]
pub struct PathOptions {
    /// Relationship types allowed (stored names such as `INVESTS_IN`); empty for all.
    pub via: Vec<String>,
    /// Follow relationships only the way they point.
    pub directed: bool,
    /// The most hops a path may have.
    pub max_hops: Option<usize>,
    /// How many paths to find.
    pub k: usize,
}

/// A path: nodes, and the relationship between each and the next.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Route {
    pub nodes: Vec<NodeId>,
    pub edges: Vec<EdgeId>,
}

impl Route {
    pub fn hops(&self) -> usize {
        self.edges.len()
    }
}

/// The paths found, shortest first, and whether a bound stopped the search early.
#[derive(Clone, Debug, Default)]
pub struct Paths {
    pub routes: Vec<Route>,
    /// True when fewer than K paths were found because of `max_hops`.
    pub cut_by_hops: bool,
    /// The search was interrupted: `routes` may miss shorter paths, and is empty when the
    /// first search did not finish.
    pub interrupted: bool,
}

/// Neighbours of `node` along allowed relationships, in relationship-id order.
fn neighbours(
    graph: &Graph,
    node: NodeId,
    options: &PathOptions,
    forward: bool,
) -> Vec<(EdgeId, NodeId)> {
    let mut out: Vec<(EdgeId, NodeId)> = Vec::new();
    let directions: &[Direction] = match (options.directed, forward) {
        (false, _) => &[Direction::Outgoing, Direction::Incoming],
        (true, true) => &[Direction::Outgoing],
        (true, false) => &[Direction::Incoming],
    };
    for &direction in directions {
        for (edge, other) in graph.edges_of(node, direction) {
            if direction == Direction::Incoming && !options.directed && other == node {
                continue; // a self-loop is listed once
            }
            if options.via.is_empty() || options.via.iter().any(|t| t == graph.edge_type(edge)) {
                out.push((edge, other));
            }
        }
    }
    out.sort_unstable();
    out
}

/// What a spur search of Yen's algorithm must not use.
#[derive(Default)]
struct Avoid {
    nodes: HashSet<NodeId>,
    edges: HashSet<EdgeId>,
}

/// One shortest path avoiding some nodes and relationships, by a search from both ends.
fn shortest(
    graph: &Graph,
    (from, to): (NodeId, NodeId),
    options: &PathOptions,
    max_hops: Option<usize>,
    avoid: &Avoid,
    interrupted: &dyn Fn() -> bool,
) -> Option<Route> {
    if from == to {
        return Some(Route {
            nodes: vec![from],
            edges: Vec::new(),
        });
    }
    struct Stopped;
    // Neighbours are offered in relationship-id order, so among the meetings of a level the
    // first in order is kept.
    let allowed = |node: NodeId, forward: bool| {
        neighbours(graph, node, options, forward)
            .into_iter()
            .filter(|(edge, other)| !avoid.edges.contains(edge) && !avoid.nodes.contains(other))
    };
    let mut widened = 0usize;
    let found = Marks::with_pooled(|marks| {
        search::meet(
            marks,
            graph.node_index_bound(),
            (from, to),
            max_hops.map(|m| m as u64),
            |node, meet| {
                // A level of a large graph can hold most of its nodes.
                if widened.is_multiple_of(4096) && interrupted() {
                    return Err(Stopped);
                }
                widened += 1;
                for (_, neighbour) in allowed(node, meet.forward()) {
                    if meet.add(neighbour) {
                        break;
                    }
                }
                Ok(())
            },
        )
    });
    let meeting = found.ok()??;
    // Between two nodes of the route, a relationship that still holds (on the view's date, or
    // today) before one that ended or was cancelled; else the first in id order from the node
    // the search went from, as the search met them.
    let on = graph.judged_on();
    let over = |edge: EdgeId| {
        matches!(
            graph.edge_standing(edge, on),
            crate::model::Standing::Ended | crate::model::Standing::Cancelled
        )
    };
    let mut edges = Vec::with_capacity(meeting.nodes.len() - 1);
    for (i, pair) in meeting.nodes.windows(2).enumerate() {
        let toward_target = i < meeting.at || (i == meeting.at && meeting.from_source);
        let (node, next) = if toward_target {
            (pair[0], pair[1])
        } else {
            (pair[1], pair[0])
        };
        let (edge, _) = allowed(node, toward_target)
            .filter(|(_, other)| *other == next)
            .min_by_key(|(edge, _)| (over(*edge), *edge))?;
        edges.push(edge);
    }
    Some(Route {
        nodes: meeting.nodes,
        edges,
    })
}

/// The `options.k` shortest simple paths from `from` to `to`, shortest first.
pub fn k_shortest_paths(
    graph: &Graph,
    from: NodeId,
    to: NodeId,
    options: &PathOptions,
    interrupted: &dyn Fn() -> bool,
) -> Paths {
    let k = options.k.max(1);
    let nothing = Avoid::default();
    let Some(first) = shortest(
        graph,
        (from, to),
        options,
        options.max_hops,
        &nothing,
        interrupted,
    ) else {
        let unbounded = options.max_hops.is_some()
            && !interrupted()
            && shortest(graph, (from, to), options, None, &nothing, interrupted).is_some();
        return Paths {
            routes: Vec::new(),
            cut_by_hops: unbounded,
            interrupted: interrupted(),
        };
    };
    let mut found = vec![first];
    let mut candidates: Vec<Route> = Vec::new();
    let mut seen: HashSet<Route> = found.iter().cloned().collect();
    while found.len() < k {
        if interrupted() {
            break;
        }
        let last = found.last().expect("at least one path").clone();
        for spur_index in 0..last.nodes.len() - 1 {
            if interrupted() {
                break;
            }
            let spur = last.nodes[spur_index];
            let root_nodes = &last.nodes[..=spur_index];
            let root_edges = &last.edges[..spur_index];
            let mut banned_edges = HashSet::new();
            for path in &found {
                if path.nodes.len() > spur_index
                    && path.nodes[..=spur_index] == *root_nodes
                    && path.edges[..spur_index] == *root_edges
                {
                    banned_edges.insert(path.edges[spur_index]);
                }
            }
            let avoid = Avoid {
                nodes: root_nodes[..spur_index].iter().copied().collect(),
                edges: banned_edges,
            };
            let budget = options.max_hops.map(|m| m.saturating_sub(spur_index));
            if budget == Some(0) {
                continue;
            }
            if let Some(spur_path) =
                shortest(graph, (spur, to), options, budget, &avoid, interrupted)
            {
                let mut nodes = root_nodes.to_vec();
                nodes.extend_from_slice(&spur_path.nodes[1..]);
                let mut edges = root_edges.to_vec();
                edges.extend(spur_path.edges);
                let route = Route { nodes, edges };
                if seen.insert(route.clone()) {
                    candidates.push(route);
                }
            }
        }
        if candidates.is_empty() {
            break;
        }
        // The shortest candidate; among equals, the one whose relationships come first.
        let best = candidates
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| a.hops().cmp(&b.hops()).then_with(|| a.edges.cmp(&b.edges)))
            .map(|(i, _)| i)
            .expect("candidates is not empty");
        found.push(candidates.swap_remove(best));
    }
    let stopped = interrupted();
    let cut_by_hops = options.max_hops.is_some() && found.len() < k && !stopped;
    Paths {
        routes: found,
        cut_by_hops,
        interrupted: stopped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;

    /// a → b → d, a → c → d, a → d twice (parallel), d → e.
    fn diamond() -> (Graph, Vec<NodeId>) {
        let mut g = Graph::new(Schema::Open);
        let n: Vec<NodeId> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|id| g.add_node(["N"], [("id", crate::model::Value::from(*id))]))
            .collect();
        for (x, y) in [(0, 1), (1, 3), (0, 2), (2, 3), (0, 3), (0, 3), (3, 4)] {
            g.add_edge(n[x], n[y], "T", []);
        }
        (g, n)
    }

    /// Options for the `k` shortest paths, only the way relationships point when `directed`.
    fn first(k: usize, directed: bool) -> PathOptions {
        PathOptions {
            k,
            directed,
            ..PathOptions::default()
        }
    }

    #[test]
    fn between_two_nodes_a_tie_that_holds_comes_before_one_that_ended() {
        let mut g = Graph::new(Schema::Open);
        let a = g.add_node(["N"], [("id", crate::model::Value::from("a"))]);
        let b = g.add_node(["N"], [("id", crate::model::Value::from("b"))]);
        let ended = g.add_edge(
            a,
            b,
            "T",
            [(
                "end_date",
                crate::model::Value::Date("2020-01-01".parse().unwrap()),
            )],
        );
        let holds = g.add_edge(a, b, "T", []);
        let options = PathOptions {
            k: 2,
            ..PathOptions::default()
        };
        let paths = k_shortest_paths(&g, a, b, &options, &|| false);
        let edges: Vec<EdgeId> = paths.routes.iter().map(|r| r.edges[0]).collect();
        assert_eq!(edges, vec![holds.unwrap(), ended.unwrap()]);
    }

    #[test]
    fn parallel_relationships_are_distinct_paths() {
        let (g, n) = diamond();
        let options = first(10, true);
        let paths = k_shortest_paths(&g, n[0], n[3], &options, &|| false);
        let hops: Vec<usize> = paths.routes.iter().map(Route::hops).collect();
        assert_eq!(hops, vec![1, 1, 2, 2]);
        assert_ne!(paths.routes[0].edges, paths.routes[1].edges);
        assert!(!paths.cut_by_hops);
    }

    #[test]
    fn paths_are_simple_connected_and_sorted() {
        let (g, n) = diamond();
        let options = first(10, false);
        let paths = k_shortest_paths(&g, n[0], n[4], &options, &|| false);
        let mut previous = 0;
        for route in &paths.routes {
            assert!(route.hops() >= previous);
            previous = route.hops();
            let unique: HashSet<_> = route.nodes.iter().collect();
            assert_eq!(unique.len(), route.nodes.len(), "no node twice");
            for (i, e) in route.edges.iter().enumerate() {
                let (a, b) = g.edge_endpoints(*e).expect("a route's relationships exist");
                assert!(
                    (a, b) == (route.nodes[i], route.nodes[i + 1])
                        || (b, a) == (route.nodes[i], route.nodes[i + 1])
                );
            }
        }
        assert_eq!(paths.routes.len(), 4);
    }

    #[test]
    fn a_hop_bound_cuts_and_says_so() {
        let (g, n) = diamond();
        let options = PathOptions {
            max_hops: Some(1),
            ..first(3, true)
        };
        let paths = k_shortest_paths(&g, n[0], n[4], &options, &|| false);
        assert!(paths.routes.is_empty());
        assert!(paths.cut_by_hops);
    }

    #[test]
    fn direction_and_types_are_honoured() {
        let (g, n) = diamond();
        let directed = first(1, true);
        assert!(
            k_shortest_paths(&g, n[4], n[0], &directed, &|| false)
                .routes
                .is_empty()
        );
        let other_type = PathOptions {
            via: vec!["U".to_owned()],
            ..first(1, false)
        };
        assert!(
            k_shortest_paths(&g, n[0], n[4], &other_type, &|| false)
                .routes
                .is_empty()
        );
    }
}
