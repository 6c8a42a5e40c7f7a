//! A read-only index of who neighbours whom, for searches that ignore direction and type.
//!
//! petgraph keeps each node's relationships as a linked list threaded through the edge array,
//! which suits changes but makes a search jump around memory at every step. Breadth-first
//! searches over millions of relationships (`hop2`, shortest paths) read this index instead:
//! every node's neighbours side by side (compressed sparse rows), 8 bytes per relationship.
//!
//! **Invariant:** built from the graph as it is; the graph drops it at any change of its
//! topology and builds it again on the next request.

use std::ops::Range;

use super::{Graph, NodeId};

/// Below this many relationships the index is built on one thread: starting more costs more
/// than it saves.
const PARALLEL_FROM: usize = 1 << 16;

/// The most threads that build the index.
const MAX_THREADS: usize = 4;

#[derive(Clone, Debug, Default)]
pub struct Adjacency {
    /// Where each node's neighbours start in `neighbors`; one more entry than nodes.
    offsets: Vec<u64>,
    neighbors: Vec<NodeId>,
}

impl Adjacency {
    pub(super) fn build(graph: &Graph) -> Adjacency {
        let bound = graph.node_index_bound();
        // Each thread takes a range of node numbers and reads every relationship, writing only
        // its own nodes' counts and lists: the lists come out as one thread makes them, in
        // relationship order, with no lock.
        let threads = if graph.edge_count() < PARALLEL_FROM {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |t| t.get().min(MAX_THREADS))
        };
        let ranges: Vec<Range<usize>> = (0..threads)
            .map(|t| bound * t / threads..bound * (t + 1) / threads)
            .collect();
        // `offsets[i + 1]` counts node i's relationship ends, then sums those before it.
        let mut offsets = vec![0u64; bound + 1];
        let counts = split_by(&mut offsets[1..], ranges.iter().map(|r| r.start));
        on_threads(ranges.iter().cloned().zip(counts), |(nodes, counts)| {
            count_ends(graph, nodes, counts);
        });
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut neighbors = vec![NodeId(0); offsets[bound] as usize];
        let lists = split_by(
            &mut neighbors,
            ranges.iter().map(|r| offsets[r.start] as usize),
        );
        on_threads(ranges.iter().cloned().zip(lists), |(nodes, list)| {
            fill_lists(graph, nodes, &offsets, list);
        });
        Adjacency { offsets, neighbors }
    }

    /// The nodes joined to `node` by a relationship either way, once per relationship.
    pub fn neighbors(&self, node: NodeId) -> &[NodeId] {
        match (
            self.offsets.get(node.index()),
            self.offsets.get(node.index() + 1),
        ) {
            (Some(start), Some(end)) => &self.neighbors[*start as usize..*end as usize],
            _ => &[],
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * 8 + self.neighbors.capacity() * 4
    }
}

/// `items` cut at each of the ascending `starts` (the first is 0): one part per start.
fn split_by<T>(items: &mut [T], starts: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let starts: Vec<usize> = starts.collect();
    let mut parts = Vec::with_capacity(starts.len());
    let mut rest = items;
    for (i, start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(rest.len() + start, |next| *next);
        let (part, tail) = rest.split_at_mut(end - start);
        parts.push(part);
        rest = tail;
    }
    parts
}

/// Runs `work` on each item, the first on this thread and the others on threads of their own.
fn on_threads<T: Send>(items: impl Iterator<Item = T>, work: impl Fn(T) + Sync) {
    let mut items = items;
    let first = items.next();
    std::thread::scope(|scope| {
        for item in items {
            let work = &work;
            scope.spawn(move || work(item));
        }
        if let Some(item) = first {
            work(item);
        }
    });
}

/// Counts each relationship end at a node of `nodes`, by the node's place in the range.
fn count_ends(graph: &Graph, nodes: Range<usize>, counts: &mut [u64]) {
    for (from, to) in graph.edge_pairs() {
        for end in [from, to] {
            if let Some(count) = end
                .index()
                .checked_sub(nodes.start)
                .and_then(|i| counts.get_mut(i))
            {
                *count += 1;
            }
        }
    }
}

/// Writes the lists of the nodes of `nodes` into `lists`, which starts at the first one's.
fn fill_lists(graph: &Graph, nodes: Range<usize>, offsets: &[u64], lists: &mut [NodeId]) {
    let base = offsets[nodes.start];
    let mut cursor: Vec<usize> = offsets[nodes.clone()]
        .iter()
        .map(|offset| (offset - base) as usize)
        .collect();
    for (from, to) in graph.edge_pairs() {
        for (end, other) in [(from, to), (to, from)] {
            if let Some(at) = end
                .index()
                .checked_sub(nodes.start)
                .and_then(|i| cursor.get_mut(i))
            {
                lists[*at] = other;
                *at += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Schema;
    use crate::store::Graph;

    #[test]
    fn lists_each_relationship_at_both_ends_and_follows_changes() {
        let mut g = Graph::new(Schema::Open);
        let [a, b, c] = ["a", "b", "c"].map(|id| g.add_node(["X"], [("id", id.into())]));
        g.add_edge(a, b, "T", []);
        let parallel = g.add_edge(a, b, "U", []).unwrap();
        g.add_edge(c, a, "T", []);
        let mut of_a = g.adjacency().neighbors(a).to_vec();
        of_a.sort();
        assert_eq!(of_a, vec![b, b, c]);
        assert_eq!(g.adjacency().neighbors(b), &[a, a]);
        g.remove_edge(parallel);
        assert_eq!(g.adjacency().neighbors(b), &[a], "rebuilt after a change");
        let d = g.add_node(["X"], []);
        assert!(g.adjacency().neighbors(d).is_empty());
    }

    #[test]
    fn built_on_threads_the_lists_are_in_relationship_order() {
        let mut g = Graph::new(Schema::Open);
        let nodes: Vec<_> = (0..1000)
            .map(|i| g.add_node(["X"], [("id", format!("n{i}").into())]))
            .collect();
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % nodes.len()
        };
        let mut expected = vec![Vec::new(); nodes.len()];
        for _ in 0..super::PARALLEL_FROM + 100 {
            let (from, to) = (next(), next());
            g.add_edge(nodes[from], nodes[to], "T", []);
            expected[from].push(nodes[to]);
            expected[to].push(nodes[from]);
        }
        let adjacency = g.adjacency();
        for (node, list) in nodes.iter().zip(&expected) {
            assert_eq!(adjacency.neighbors(*node), &list[..]);
        }
    }
}
