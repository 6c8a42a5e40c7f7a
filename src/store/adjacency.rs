//! A read-only index of who neighbours whom, for searches that ignore direction and type.
//!
//! petgraph keeps each node's relationships as a linked list threaded through the edge array,
//! which suits changes but makes a search jump around memory at every step. Breadth-first
//! searches over millions of relationships (`hop2`, shortest paths) read this index instead:
//! every node's neighbours side by side (compressed sparse rows), 8 bytes per relationship
//! and 4 per node.
//!
//! **Invariant:** built from the graph as it is; the graph drops it at any change of its
//! topology and builds it again on the next request.

use std::ops::Range;

use super::threads::{cores, on_threads};
use super::{Graph, NodeId};

/// Below this many relationships the index is built on one thread: starting more costs more
/// than it saves.
const PARALLEL_FROM: usize = 1 << 16;

/// The most threads that build the index.
const MAX_THREADS: usize = 4;

#[derive(Clone, Debug, Default)]
pub struct Adjacency {
    /// Where each node's neighbours start in `neighbors`; one more entry than nodes.
    offsets: Offsets,
    neighbors: Vec<NodeId>,
}

/// Offsets of 4 bytes while the lists hold fewer than 2^32 entries (two thousand million
/// relationships), which keeps a search's reads of them in half the cache; of 8 beyond.
#[derive(Clone, Debug)]
enum Offsets {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl Default for Offsets {
    fn default() -> Self {
        Offsets::Narrow(Vec::new())
    }
}

/// What an offset is stored as.
trait Offset: Copy + Default + Send + Sync + std::ops::AddAssign {
    const ONE: Self;
    fn at(self) -> usize;
}

impl Offset for u32 {
    const ONE: u32 = 1;
    fn at(self) -> usize {
        self as usize
    }
}

impl Offset for u64 {
    const ONE: u64 = 1;
    fn at(self) -> usize {
        self as usize
    }
}

impl Adjacency {
    pub(super) fn build(graph: &Graph) -> Adjacency {
        let entries = graph.edge_count().saturating_mul(2);
        if u32::try_from(entries).is_ok() {
            let (offsets, neighbors) = build_lists::<u32>(graph);
            Adjacency {
                offsets: Offsets::Narrow(offsets),
                neighbors,
            }
        } else {
            let (offsets, neighbors) = build_lists::<u64>(graph);
            Adjacency {
                offsets: Offsets::Wide(offsets),
                neighbors,
            }
        }
    }

    /// The nodes joined to `node` by a relationship either way, once per relationship.
    pub fn neighbors(&self, node: NodeId) -> &[NodeId] {
        let range = match &self.offsets {
            Offsets::Narrow(offsets) => list_range(offsets, node),
            Offsets::Wide(offsets) => list_range(offsets, node),
        };
        range.map_or(&[], |range| &self.neighbors[range])
    }

    pub fn heap_bytes(&self) -> usize {
        let offsets = match &self.offsets {
            Offsets::Narrow(offsets) => offsets.capacity() * 4,
            Offsets::Wide(offsets) => offsets.capacity() * 8,
        };
        offsets + self.neighbors.capacity() * 4
    }
}

/// Where `node`'s list lies among the neighbours.
fn list_range<O: Offset>(offsets: &[O], node: NodeId) -> Option<Range<usize>> {
    Some(offsets.get(node.index())?.at()..offsets.get(node.index() + 1)?.at())
}

/// Every node's offset and list, with offsets of type `O`, which must hold twice the number
/// of relationships.
fn build_lists<O: Offset>(graph: &Graph) -> (Vec<O>, Vec<NodeId>) {
    let bound = graph.node_index_bound();
    // Each thread takes a range of node numbers and reads every relationship, writing only
    // its own nodes' counts and lists: the lists come out as one thread makes them, in
    // relationship order, with no lock.
    let threads = if graph.edge_count() < PARALLEL_FROM {
        1
    } else {
        cores(MAX_THREADS)
    };
    let ranges: Vec<Range<usize>> = (0..threads)
        .map(|t| bound * t / threads..bound * (t + 1) / threads)
        .collect();
    // `offsets[i + 1]` counts node i's relationship ends, then sums those before it.
    let mut offsets = vec![O::default(); bound + 1];
    let counts = split_by(&mut offsets[1..], ranges.iter().map(|r| r.start));
    on_threads(ranges.iter().cloned().zip(counts), |(nodes, counts)| {
        count_ends(graph, nodes, counts);
    });
    for i in 1..offsets.len() {
        let before = offsets[i - 1];
        offsets[i] += before;
    }
    let mut neighbors = vec![NodeId(0); offsets[bound].at()];
    let lists = split_by(&mut neighbors, ranges.iter().map(|r| offsets[r.start].at()));
    on_threads(ranges.iter().cloned().zip(lists), |(nodes, list)| {
        fill_lists(graph, nodes, &offsets, list);
    });
    (offsets, neighbors)
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

/// Counts each relationship end at a node of `nodes`, by the node's place in the range.
fn count_ends<O: Offset>(graph: &Graph, nodes: Range<usize>, counts: &mut [O]) {
    for (from, to) in graph.edge_pairs() {
        for end in [from, to] {
            if let Some(count) = end
                .index()
                .checked_sub(nodes.start)
                .and_then(|i| counts.get_mut(i))
            {
                *count += O::ONE;
            }
        }
    }
}

/// Writes the lists of the nodes of `nodes` into `lists`, which starts at the first one's.
fn fill_lists<O: Offset>(graph: &Graph, nodes: Range<usize>, offsets: &[O], lists: &mut [NodeId]) {
    let base = offsets[nodes.start].at();
    let mut cursor: Vec<usize> = offsets[nodes.clone()]
        .iter()
        .map(|offset| offset.at() - base)
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

    #[test]
    fn wide_offsets_give_the_lists_narrow_ones_give() {
        let mut g = Graph::new(Schema::Open);
        let nodes: Vec<_> = (0..50).map(|_| g.add_node(["X"], [])).collect();
        for i in 0..400 {
            g.add_edge(nodes[i % 50], nodes[(i * 7 + 3) % 50], "T", []);
        }
        let (narrow, lists) = super::build_lists::<u32>(&g);
        let (wide, wide_lists) = super::build_lists::<u64>(&g);
        assert_eq!(lists, wide_lists);
        assert_eq!(
            narrow.iter().map(|o| u64::from(*o)).collect::<Vec<_>>(),
            wide
        );
    }
}
