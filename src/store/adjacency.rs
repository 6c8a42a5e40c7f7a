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
        Adjacency::of(graph, Ends::Both)
    }

    /// Each node's list holds the start of every relationship that ends at it, in
    /// relationship order: what PageRank sums a node's score from.
    pub fn incoming(graph: &Graph) -> Adjacency {
        Adjacency::of(graph, Ends::Incoming)
    }

    fn of(graph: &Graph, ends: Ends) -> Adjacency {
        let entries = graph.edge_count().saturating_mul(ends.per_relationship());
        if u32::try_from(entries).is_ok() {
            let (offsets, neighbors) = build_lists::<u32>(graph, ends);
            Adjacency {
                offsets: Offsets::Narrow(offsets),
                neighbors,
            }
        } else {
            let (offsets, neighbors) = build_lists::<u64>(graph, ends);
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

/// Which ends of a relationship list it, and whom.
#[derive(Clone, Copy)]
enum Ends {
    /// Each end lists the other.
    Both,
    /// The end lists the start.
    Incoming,
}

impl Ends {
    fn per_relationship(self) -> usize {
        match self {
            Ends::Both => 2,
            Ends::Incoming => 1,
        }
    }
}

/// Where `node`'s list lies among the neighbours.
fn list_range<O: Offset>(offsets: &[O], node: NodeId) -> Option<Range<usize>> {
    Some(offsets.get(node.index())?.at()..offsets.get(node.index() + 1)?.at())
}

/// Every node's offset and list, with offsets of type `O`, which must hold the number of
/// entries `ends` makes.
fn build_lists<O: Offset>(graph: &Graph, ends: Ends) -> (Vec<O>, Vec<NodeId>) {
    match ends {
        Ends::Both => sorted_lists(graph, |from, to| [(from, to), (to, from)]),
        Ends::Incoming => sorted_lists(graph, |from, to| [(to, from)]),
    }
}

/// The (node, entry of its list) pairs of a relationship, from its start and its end.
type Entries<const K: usize> = fn(NodeId, NodeId) -> [(NodeId, NodeId); K];

/// The entries of every relationship sorted by node, stably. Each thread takes a range of
/// relationships and counts its entries at each node; it then writes them from where the
/// entries of the ranges before it end, so each list comes out in relationship order, as one
/// thread makes it, and each thread reads only its own relationships.
fn sorted_lists<O: Offset, const K: usize>(
    graph: &Graph,
    entries: Entries<K>,
) -> (Vec<O>, Vec<NodeId>) {
    let bound = graph.node_index_bound();
    let parts = edge_ranges(graph);
    // Allocated before the counts, which are freed once the lists are made: after them, the
    // blocks a search makes later came where they slowed it (shortest paths at 100k nodes
    // measured 8-14% slower).
    let mut offsets = vec![O::default(); bound + 1];
    let mut cursors: Vec<Vec<O>> = on_threads(parts.iter().cloned(), |edges| {
        let mut counts = vec![O::default(); bound];
        for (from, to) in graph.edge_pairs_in(edges) {
            for (end, _) in entries(from, to) {
                counts[end.index()] += O::ONE;
            }
        }
        counts
    });
    // Each range's count at a node becomes where its entries there start.
    let mut at = O::default();
    for (node, offset) in offsets[..bound].iter_mut().enumerate() {
        *offset = at;
        for cursor in &mut cursors {
            let count = cursor[node];
            cursor[node] = at;
            at += count;
        }
    }
    offsets[bound] = at;
    let mut neighbors = vec![NodeId(0); at.at()];
    let slots = Slots(neighbors.as_mut_ptr(), neighbors.len());
    on_threads(parts.into_iter().zip(cursors), |(edges, mut cursor)| {
        let slots = &slots;
        for (from, to) in graph.edge_pairs_in(edges) {
            for (end, other) in entries(from, to) {
                let slot = &mut cursor[end.index()];
                // SAFETY: a range's cursor at a node starts where the entries of the ranges
                // before it end and moves once for each entry it counted there, over the same
                // relationships of the same unchanged graph: no two (range, node) pairs write
                // the same slot, and every slot lies in `neighbors`, which `write` checks too.
                unsafe { slots.write(slot.at(), other) };
                *slot += O::ONE;
            }
        }
    });
    (offsets, neighbors)
}

/// The slots of the lists, written by several threads at once, each at places of its own.
struct Slots(*mut NodeId, usize);

// SAFETY: the threads write disjoint slots (see `sorted_lists`), and the lists are read only
// after every thread has finished.
unsafe impl Sync for Slots {}

impl Slots {
    /// # Safety
    /// No other thread writes or reads slot `at` meanwhile.
    unsafe fn write(&self, at: usize, node: NodeId) {
        assert!(at < self.1, "a list entry past the lists");
        // SAFETY: `at` is in the allocation, and no one else touches it (the caller's word).
        unsafe { self.0.add(at).write(node) };
    }
}

/// The relationship numbers cut into one range per thread.
fn edge_ranges(graph: &Graph) -> Vec<Range<usize>> {
    let bound = graph.edge_index_bound();
    let threads = if graph.edge_count() < PARALLEL_FROM {
        1
    } else {
        cores(MAX_THREADS)
    };
    (0..threads)
        .map(|t| bound * t / threads..bound * (t + 1) / threads)
        .collect()
}

/// How many relationships start at each node, by node number.
pub fn out_degrees(graph: &Graph) -> Vec<u32> {
    let bound = graph.node_index_bound();
    let counts = on_threads(edge_ranges(graph), |edges| {
        let mut counts = vec![0u32; bound];
        for (from, _) in graph.edge_pairs_in(edges) {
            counts[from.index()] += 1;
        }
        counts
    });
    let mut counts = counts.into_iter();
    let mut degrees = counts.next().unwrap_or_else(|| vec![0; bound]);
    for part in counts {
        for (degree, count) in degrees.iter_mut().zip(part) {
            *degree += count;
        }
    }
    degrees
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
    fn incoming_lists_and_out_degrees_follow_the_relationships_left() {
        let mut g = Graph::new(Schema::Open);
        let nodes: Vec<_> = (0..3000).map(|_| g.add_node(["X"], [])).collect();
        let mut state = 11u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % nodes.len()
        };
        let mut edges = Vec::new();
        for _ in 0..super::PARALLEL_FROM + 5000 {
            let (from, to) = (next(), next());
            edges.push((
                g.add_edge(nodes[from], nodes[to], "T", []).unwrap(),
                from,
                to,
            ));
        }
        // Holes among the relationship numbers, the last ones included.
        let gone: Vec<bool> = (0..edges.len())
            .map(|k| k % 7 == 3 || k + 3 > edges.len())
            .collect();
        for (k, (edge, _, _)) in edges.iter().enumerate() {
            if gone[k] {
                g.remove_edge(*edge);
            }
        }
        let mut incoming = vec![Vec::new(); nodes.len()];
        let mut out = vec![0u32; nodes.len()];
        for (k, (_, from, to)) in edges.iter().enumerate() {
            if !gone[k] {
                incoming[*to].push(nodes[*from]);
                out[*from] += 1;
            }
        }
        let lists = super::Adjacency::incoming(&g);
        for (node, list) in nodes.iter().zip(&incoming) {
            assert_eq!(lists.neighbors(*node), &list[..]);
        }
        assert_eq!(super::out_degrees(&g), out);
    }

    #[test]
    fn wide_offsets_give_the_lists_narrow_ones_give() {
        let mut g = Graph::new(Schema::Open);
        let nodes: Vec<_> = (0..50).map(|_| g.add_node(["X"], [])).collect();
        for i in 0..400 {
            g.add_edge(nodes[i % 50], nodes[(i * 7 + 3) % 50], "T", []);
        }
        let (narrow, lists) = super::build_lists::<u32>(&g, super::Ends::Both);
        let (wide, wide_lists) = super::build_lists::<u64>(&g, super::Ends::Both);
        assert_eq!(lists, wide_lists);
        assert_eq!(
            narrow.iter().map(|o| u64::from(*o)).collect::<Vec<_>>(),
            wide
        );
    }
}
