//! Adding many relationships to petgraph's lists at once, as a bulk import and a snapshot do.
//!
//! Each `add_edge` updates the list heads of both its ends, two places in the node table that
//! are nowhere near each other or the previous relationship's: on a million nodes that table
//! is larger than the caches, and every relationship waited on two reads from memory. The
//! ends of a relationship some way ahead are fetched while the current one is linked, so the
//! reads overlap.
//!
//! **Invariant:** the graph is the one `add_edge` called in the same order makes; fetching
//! ahead changes only how long it takes.

use petgraph::stable_graph::{NodeIndex, StableDiGraph};

use super::{EdgeData, NodeData, NodeId, nx};

type Petgraph = StableDiGraph<NodeData, EdgeData, u32>;

/// How many relationships ahead the ends are fetched: enough to cover a read from memory at
/// the pace of linking, few enough that what is fetched is still cached when it is used.
pub(super) const AHEAD: usize = 16;

/// Where a node's entry lies in petgraph's node table, for fetching it ahead.
///
/// petgraph keeps its nodes in one vector, so entry `n` lies `n` strides after entry 0; the
/// address is worked out from two nodes' weights rather than read from petgraph's private
/// fields. Were the layout ever other than that, the fetches would go to the wrong places and
/// linking would only be as slow as without them.
pub(super) struct NodeTable {
    first: *const u8,
    stride: usize,
}

impl NodeTable {
    /// The table of `graph`, when it has at least two nodes.
    pub fn of(graph: &Petgraph) -> Option<NodeTable> {
        let address = |n: u32| {
            graph
                .node_weight(NodeIndex::new(n as usize))
                .map(|w| std::ptr::from_ref(w).cast::<u8>())
        };
        let (first, second) = (address(0)?, address(1)?);
        let stride = (second as usize).checked_sub(first as usize)?;
        (stride > 0 && stride <= 64).then_some(NodeTable { first, stride })
    }

    /// Starts fetching the entry of `node`.
    #[inline]
    pub fn fetch(&self, node: u32) {
        let entry = self.first.wrapping_add(node as usize * self.stride);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch reads nothing the program sees and cannot fault, whatever the
        // address, and SSE, which has it, is part of every x86-64 processor.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(entry.cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = entry;
    }
}

/// Adds the relationships `ends` yields to `graph`, in order; `ahead` yields the same ones
/// from `AHEAD` on (whatever it yields is only fetched, never linked).
pub(super) fn link_all(
    graph: &mut Petgraph,
    ends: impl Iterator<Item = (NodeId, NodeId, EdgeData)>,
    ahead: impl Iterator<Item = (NodeId, NodeId)>,
) {
    let table = NodeTable::of(graph);
    let mut ahead = ahead.fuse();
    for (from, to, data) in ends {
        if let (Some(table), Some((a, b))) = (&table, ahead.next()) {
            table.fetch(a.0);
            table.fetch(b.0);
        }
        graph.add_edge(nx(from), nx(to), data);
    }
}
