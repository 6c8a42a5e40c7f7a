//! A read-only index of who neighbours whom, for searches that ignore direction and type.
//!
//! petgraph keeps each node's relationships as a linked list threaded through the edge array,
//! which suits changes but makes a search jump around memory at every step. Breadth-first
//! searches over millions of relationships (`hop2`, shortest paths) read this index instead:
//! every node's neighbours side by side (compressed sparse rows), 8 bytes per relationship.
//!
//! **Invariant:** built from the graph as it is; the graph drops it at any change of its
//! topology and builds it again on the next request.

use super::{Graph, NodeId};

#[derive(Clone, Debug, Default)]
pub struct Adjacency {
    /// Where each node's neighbours start in `neighbors`; one more entry than nodes.
    offsets: Vec<u64>,
    neighbors: Vec<NodeId>,
}

impl Adjacency {
    pub(super) fn build(graph: &Graph) -> Adjacency {
        let bound = graph.node_index_bound();
        let mut offsets = vec![0u64; bound + 1];
        for (from, to) in graph.edge_pairs() {
            offsets[from.index() + 1] += 1;
            offsets[to.index() + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut cursor: Vec<u64> = offsets[..bound].to_vec();
        let mut neighbors = vec![NodeId(0); offsets[bound] as usize];
        for (from, to) in graph.edge_pairs() {
            neighbors[cursor[from.index()] as usize] = to;
            cursor[from.index()] += 1;
            neighbors[cursor[to.index()] as usize] = from;
            cursor[to.index()] += 1;
        }
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
}
