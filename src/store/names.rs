//! The name index: which nodes are named or aliased a given folded name.
//!
//! Keyed by a 32-bit hash of the folded name rather than the name itself, so a million names
//! cost about 8 bytes each instead of a copy of every name; `Graph::nodes_by_name` checks each node
//! it finds, so two names that share a hash never mix.
//!
//! **Invariant:** a node is listed under the hash of each of its folded names exactly once.

use std::collections::HashMap;
use std::hash::BuildHasher;

use super::NodeId;

/// A value with this bit set is an index into `shared`; otherwise it is the only node.
const SHARED: u32 = 1 << 31;

#[derive(Clone, Debug, Default)]
pub struct NameIndex {
    by_hash: HashMap<u32, u32, foldhash::fast::RandomState>,
    /// Nodes that share a name hash (several firms called "Mistral", say).
    shared: Vec<Vec<NodeId>>,
    free_shared: Vec<u32>,
    hasher: foldhash::fast::FixedState,
}

impl NameIndex {
    pub fn with_capacity(names: usize) -> NameIndex {
        NameIndex {
            by_hash: HashMap::with_capacity_and_hasher(names, Default::default()),
            ..NameIndex::default()
        }
    }

    /// 32 bits of hash: a shared hash costs a check, never a wrong answer.
    pub fn hash(&self, folded: &str) -> u32 {
        (self.hasher.hash_one(folded) >> 32) as u32
    }

    pub fn insert(&mut self, folded: &str, node: NodeId) {
        self.insert_hashed(self.hash(folded), node);
    }

    /// Lists `node` under `hash`, the hash of one of its folded names.
    pub fn insert_hashed(&mut self, hash: u32, node: NodeId) {
        let single = node_number(node);
        match self.by_hash.get(&hash).copied() {
            None => {
                self.by_hash.insert(hash, single);
            }
            Some(value) if value & SHARED != 0 => {
                let list = &mut self.shared[(value & !SHARED) as usize];
                if !list.contains(&node) {
                    list.push(node);
                }
            }
            Some(value) if value == single => {}
            Some(value) => {
                let list = vec![NodeId(value), node];
                let slot = super::put_in_slot(&mut self.shared, &mut self.free_shared, list);
                self.by_hash.insert(hash, slot | SHARED);
            }
        }
    }

    pub fn remove(&mut self, folded: &str, node: NodeId) {
        let hash = self.hash(folded);
        match self.by_hash.get(&hash).copied() {
            Some(value) if value & SHARED != 0 => {
                let slot = (value & !SHARED) as usize;
                let list = &mut self.shared[slot];
                list.retain(|n| *n != node);
                match list.as_slice() {
                    [] => {
                        self.by_hash.remove(&hash);
                        self.free_shared.push(slot as u32);
                    }
                    [only] => {
                        let only = node_number(*only);
                        self.shared[slot] = Vec::new();
                        self.free_shared.push(slot as u32);
                        self.by_hash.insert(hash, only);
                    }
                    _ => {}
                }
            }
            Some(value) if value == node_number(node) => {
                self.by_hash.remove(&hash);
            }
            _ => {}
        }
    }

    /// Each hash with the nodes listed under it, in order: what two indexes are compared by.
    #[cfg(test)]
    pub fn entries(&self) -> Vec<(u32, Vec<NodeId>)> {
        let mut entries: Vec<(u32, Vec<NodeId>)> = self
            .by_hash
            .iter()
            .map(|(hash, value)| match value {
                v if v & SHARED != 0 => (*hash, self.shared[(v & !SHARED) as usize].clone()),
                v => (*hash, vec![NodeId(*v)]),
            })
            .collect();
        entries.sort();
        entries
    }

    pub fn heap_bytes(&self) -> usize {
        self.by_hash.capacity() * 9
            + self
                .shared
                .iter()
                .map(|l| l.capacity() * 4 + 24)
                .sum::<usize>()
    }

    /// The nodes listed under the hash of `folded`: every node with that name, and perhaps a
    /// few others; but `except`, so that nothing is allocated when a name is listed under its
    /// own node alone, as every name a check of new nodes looks up is.
    pub fn candidates(&self, folded: &str, except: Option<NodeId>) -> Vec<NodeId> {
        match self.by_hash.get(&self.hash(folded)) {
            None => Vec::new(),
            Some(value) if value & SHARED != 0 => {
                let shared = &self.shared[(value & !SHARED) as usize];
                shared
                    .iter()
                    .copied()
                    .filter(|n| Some(*n) != except)
                    .collect()
            }
            Some(value) if Some(NodeId(*value)) == except => Vec::new(),
            Some(value) => vec![NodeId(*value)],
        }
    }
}

fn node_number(node: NodeId) -> u32 {
    assert!(node.0 & SHARED == 0, "fewer than 2^31 nodes");
    node.0
}
