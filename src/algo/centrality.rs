//! Who sits at the centre of the web of deals: PageRank, degree and betweenness.
//!
//! PageRank follows networkx's formulation (damping 0.85, dangling nodes spread evenly) over the
//! directed multigraph, iterated until the scores move by less than 1e-10 in all (networkx
//! stops at N × 1e-6, which on a million nodes is after a round or two), at most 200 rounds. Betweenness is Brandes' algorithm on the
//! undirected simple graph, normalised as networkx normalises it.
//!
//! **Invariant:** scores are computed on dense arrays indexed by `NodeId::index`, built once
//! per call; nothing here changes the graph.

use std::collections::VecDeque;

use crate::store::threads::{cores, on_threads};
use crate::store::{Adjacency, Direction, Graph, NodeId, out_degrees};

/// The graph as adjacency arrays: for each node index, its neighbours.
struct Dense {
    /// Node indices in use, in id order.
    nodes: Vec<NodeId>,
    bound: usize,
}

impl Dense {
    fn new(graph: &Graph) -> Dense {
        Dense {
            nodes: graph.nodes().collect(),
            bound: graph.node_index_bound(),
        }
    }
}

/// PageRank stops when the scores, which sum to 1, move by less than this in all (L1).
pub const PAGERANK_TOLERANCE: f64 = 1e-10;
/// PageRank stops after this many rounds whatever the change.
pub const PAGERANK_MAX_ROUNDS: usize = 200;

/// PageRank of every node, highest first; `None` when interrupted (scores that have not
/// converged are no answer).
pub fn pagerank(graph: &Graph, interrupted: &dyn Fn() -> bool) -> Option<Vec<(NodeId, f64)>> {
    let dense = Dense::new(graph);
    let n = dense.nodes.len();
    if n == 0 {
        return Some(Vec::new());
    }
    let alpha = 0.85;
    // Each node's sources side by side, in relationship order, so a round reads them in
    // order and writes each score once: no scattered writes, and the nodes can be split
    // between threads.
    let sources = Adjacency::incoming(graph);
    let out_degree = out_degrees(graph);
    let live: Vec<bool> = {
        let mut live = vec![false; dense.bound];
        for node in &dense.nodes {
            live[node.index()] = true;
        }
        live
    };
    let mut x = vec![0.0f64; dense.bound];
    for node in &dense.nodes {
        x[node.index()] = 1.0 / n as f64;
    }
    let mut share = vec![0.0f64; dense.bound];
    let mut next = vec![0.0f64; dense.bound];
    let dangling_nodes: Vec<usize> = (0..dense.bound)
        .filter(|&i| out_degree[i] == 0 && live[i])
        .collect();
    let chunk = dense.bound.div_ceil(cores(8)).max(1 << 14);
    for _ in 0..PAGERANK_MAX_ROUNDS {
        if interrupted() {
            return None;
        }
        // Summed in node order on one thread, so the scores do not depend on the cores.
        let dangling: f64 = dangling_nodes.iter().map(|&i| x[i]).sum();
        on_threads(share.chunks_mut(chunk).enumerate(), |(part, shares)| {
            let first = part * chunk;
            for (offset, slot) in shares.iter_mut().enumerate() {
                let i = first + offset;
                *slot = match out_degree[i] {
                    0 => 0.0,
                    degree => alpha * x[i] / f64::from(degree),
                };
            }
        });
        let base = (1.0 - alpha) / n as f64 + alpha * dangling / n as f64;
        let change: f64 = on_threads(next.chunks_mut(chunk).enumerate(), |(part, out)| {
            let first = part * chunk;
            let mut change = 0.0;
            for (offset, slot) in out.iter_mut().enumerate() {
                let v = first + offset;
                if !live[v] {
                    continue;
                }
                let incoming: f64 = NodeId::from_index(v)
                    .map_or(&[][..], |node| sources.neighbors(node))
                    .iter()
                    .map(|a| share[a.index()])
                    .sum();
                *slot = base + incoming;
                change += (*slot - x[v]).abs();
            }
            change
        })
        .into_iter()
        .sum();
        std::mem::swap(&mut x, &mut next);
        if change < PAGERANK_TOLERANCE {
            break;
        }
    }
    Some(ranked(
        dense.nodes.iter().map(|v| (*v, x[v.index()])).collect(),
    ))
}

/// How many relationships touch each node, highest first.
pub fn degree(graph: &Graph) -> Vec<(NodeId, f64)> {
    // One pass over the relationships reads memory in order; walking each node's adjacency
    // list would jump around it.
    let mut counts = vec![0u32; graph.node_index_bound()];
    for (_, a, b) in graph.edges_with_ends() {
        counts[a.index()] += 1;
        counts[b.index()] += 1;
    }
    ranked(
        graph
            .nodes()
            .map(|v| (v, f64::from(counts[v.index()])))
            .collect(),
    )
}

/// Betweenness of every node on the undirected simple graph, normalised by (n-1)(n-2), highest
/// first. With `sources`, only those start nodes are used and the result is scaled up: an
/// estimate for graphs too large for the exact computation. `None` when interrupted: sums over
/// some of the start nodes are no answer.
pub fn betweenness(
    graph: &Graph,
    sources: Option<&[NodeId]>,
    interrupted: &dyn Fn() -> bool,
) -> Option<Vec<(NodeId, f64)>> {
    let dense = Dense::new(graph);
    let n = dense.nodes.len();
    let mut neighbours: Vec<Vec<u32>> = vec![Vec::new(); dense.bound];
    for (i, node) in dense.nodes.iter().enumerate() {
        if i % 65_536 == 65_535 && interrupted() {
            return None;
        }
        let list = &mut neighbours[node.index()];
        for direction in [Direction::Outgoing, Direction::Incoming] {
            for (_, other) in graph.edges_of(*node, direction) {
                if other != *node {
                    list.push(other.index() as u32);
                }
            }
        }
        list.sort_unstable();
        list.dedup();
    }
    let mut centrality = vec![0.0f64; dense.bound];
    let mut sigma = vec![0.0f64; dense.bound];
    let mut distance = vec![-1i64; dense.bound];
    let mut delta = vec![0.0f64; dense.bound];
    let mut predecessors: Vec<Vec<u32>> = vec![Vec::new(); dense.bound];
    let starts: Vec<NodeId> = sources.map_or_else(|| dense.nodes.clone(), <[NodeId]>::to_vec);
    for &s in &starts {
        if interrupted() {
            return None;
        }
        let s = s.index();
        let mut order: Vec<u32> = Vec::new();
        let mut queue = VecDeque::from([s as u32]);
        sigma[s] = 1.0;
        distance[s] = 0;
        while let Some(v) = queue.pop_front() {
            if order.len() % 65_536 == 65_535 && interrupted() {
                return None;
            }
            order.push(v);
            let v = v as usize;
            for &w in &neighbours[v] {
                let w = w as usize;
                if distance[w] < 0 {
                    distance[w] = distance[v] + 1;
                    queue.push_back(w as u32);
                }
                if distance[w] == distance[v] + 1 {
                    sigma[w] += sigma[v];
                    predecessors[w].push(v as u32);
                }
            }
        }
        for &w in order.iter().rev() {
            let w = w as usize;
            for &v in &predecessors[w] {
                let v = v as usize;
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                centrality[w] += delta[w];
            }
        }
        for &w in &order {
            let w = w as usize;
            sigma[w] = 0.0;
            distance[w] = -1;
            delta[w] = 0.0;
            predecessors[w].clear();
        }
    }
    let mut scale = if n > 2 {
        1.0 / ((n - 1) as f64 * (n - 2) as f64)
    } else {
        1.0
    };
    if let Some(sample) = sources
        && !sample.is_empty()
    {
        scale *= n as f64 / sample.len() as f64;
    }
    Some(ranked(
        dense
            .nodes
            .iter()
            .map(|v| (*v, centrality[v.index()] * scale))
            .collect(),
    ))
}

/// Weakly connected components: for each node, the number of its component. Components are
/// numbered from 0 in the order of their smallest node; `None` when interrupted.
pub fn components(graph: &Graph, interrupted: &dyn Fn() -> bool) -> Option<Vec<(NodeId, usize)>> {
    let bound = graph.node_index_bound();
    let mut parent: Vec<u32> = (0..bound as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            parent[x as usize] = parent[parent[x as usize] as usize];
            x = parent[x as usize];
        }
        x
    }
    for (i, (_, a, b)) in graph.edges_with_ends().enumerate() {
        if i % 65_536 == 65_535 && interrupted() {
            return None;
        }
        let (ra, rb) = (
            root(&mut parent, a.index() as u32),
            root(&mut parent, b.index() as u32),
        );
        if ra != rb {
            let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent[high as usize] = low;
        }
    }
    let mut number: Vec<Option<usize>> = vec![None; bound];
    let mut next = 0;
    let mut nodes: Vec<NodeId> = graph.nodes().collect();
    nodes.sort_unstable();
    Some(
        nodes
            .into_iter()
            .map(|n| {
                let r = root(&mut parent, n.index() as u32) as usize;
                let c = *number[r].get_or_insert_with(|| {
                    next += 1;
                    next - 1
                });
                (n, c)
            })
            .collect(),
    )
}

/// Highest score first; equal scores in id order, so the ranking is stable.
fn ranked(mut scores: Vec<(NodeId, f64)>) -> Vec<(NodeId, f64)> {
    scores.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Schema, Value};

    fn star() -> (Graph, Vec<NodeId>) {
        // A hub with three spokes pointing at it, and one spoke's own follower.
        let mut g = Graph::new(Schema::Open);
        let n: Vec<NodeId> = (0..5)
            .map(|i| g.add_node(["N"], [("id", Value::from(format!("n{i}")))]))
            .collect();
        for (a, b) in [(1, 0), (2, 0), (3, 0), (4, 1)] {
            g.add_edge(n[a], n[b], "T", []);
        }
        (g, n)
    }

    #[test]
    fn pagerank_sums_to_one_and_ranks_the_hub_first() {
        let (g, n) = star();
        let ranks = pagerank(&g, &|| false).expect("not interrupted");
        assert!(pagerank(&g, &|| true).is_none(), "no partial scores");
        let total: f64 = ranks.iter().map(|(_, r)| r).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert_eq!(ranks[0].0, n[0]);
    }

    /// PageRank as its formulation reads, on one thread, with no lists.
    fn plain_pagerank(graph: &Graph) -> Vec<(NodeId, f64)> {
        let nodes: Vec<NodeId> = graph.nodes().collect();
        let bound = graph.node_index_bound();
        let n = nodes.len() as f64;
        let mut out = vec![0u32; bound];
        let mut into = vec![Vec::new(); bound];
        for (_, a, b) in graph.edges_with_ends() {
            out[a.index()] += 1;
            into[b.index()].push(a.index());
        }
        let mut x = vec![0.0; bound];
        for v in &nodes {
            x[v.index()] = 1.0 / n;
        }
        for _ in 0..PAGERANK_MAX_ROUNDS {
            let dangling: f64 = nodes
                .iter()
                .filter(|v| out[v.index()] == 0)
                .map(|v| x[v.index()])
                .sum();
            let base = (1.0 - 0.85) / n + 0.85 * dangling / n;
            let mut next = vec![0.0; bound];
            let mut change = 0.0;
            for v in &nodes {
                let v = v.index();
                let incoming: f64 = into[v]
                    .iter()
                    .map(|&a| 0.85 * x[a] / f64::from(out[a]))
                    .sum();
                next[v] = base + incoming;
                change += (next[v] - x[v]).abs();
            }
            x = next;
            if change < PAGERANK_TOLERANCE {
                break;
            }
        }
        ranked(nodes.iter().map(|v| (*v, x[v.index()])).collect())
    }

    #[test]
    fn pagerank_on_threads_gives_the_plain_formulas_scores() {
        // Enough nodes and relationships for the work to be cut between threads, some nodes
        // gone, parallel relationships and nodes with none going out.
        let mut g = Graph::new(Schema::Open);
        let nodes: Vec<_> = (0..40_000).map(|_| g.add_node(["X"], [])).collect();
        let mut state = 5u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for _ in 0..90_000 {
            let from = next() % (nodes.len() / 2);
            let to = next() % nodes.len();
            g.add_edge(nodes[from], nodes[to], "T", []);
        }
        for node in nodes.iter().step_by(97) {
            g.remove_node(*node);
        }
        let ranks = pagerank(&g, &|| false).expect("not interrupted");
        let plain = plain_pagerank(&g);
        assert_eq!(ranks.len(), plain.len());
        for ((node, score), (plain_node, plain_score)) in ranks.iter().zip(&plain) {
            // The same sums in the same order: the same bits, and ties ranked alike.
            assert_eq!((node, score.to_bits()), (plain_node, plain_score.to_bits()));
        }
    }

    #[test]
    fn betweenness_of_a_path_middle() {
        // a - b - c: b lies on the one path between a and c. Normalised: 1 / ((3-1)(3-2)) × 2.
        let mut g = Graph::new(Schema::Open);
        let n: Vec<NodeId> = (0..3).map(|_| g.add_node(["N"], [])).collect();
        g.add_edge(n[0], n[1], "T", []);
        g.add_edge(n[1], n[2], "T", []);
        g.add_edge(n[1], n[2], "T", []); // a parallel relationship does not count twice
        let scores = betweenness(&g, None, &|| false).expect("not interrupted");
        assert!(
            betweenness(&g, None, &|| true).is_none(),
            "no partial scores"
        );
        assert_eq!(scores[0].0, n[1]);
        assert!((scores[0].1 - 1.0).abs() < 1e-12, "{}", scores[0].1);
        assert_eq!(scores[1].1, 0.0);
    }

    #[test]
    fn degree_counts_parallel_relationships() {
        let (g, n) = star();
        let d = degree(&g);
        assert_eq!(d[0], (n[0], 3.0));
    }
}
