//! The string pool: every string property value, stored once.
//!
//! A million companies share a few countries, sectors and kinds, and each has an id and a name
//! of a dozen bytes. Keeping each distinct string once, back to back in one buffer, costs its
//! bytes plus about 14 bytes of bookkeeping, where a `String` per value would cost 24 bytes of
//! header and an allocation.
//!
//! **Invariant:** a `StrId` stays valid for the pool's life: strings are never removed, so a
//! value overwritten in a session leaves its string behind until the graph is reloaded.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// A string in the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrId(u32);

impl StrId {
    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub fn from_index(index: usize) -> StrId {
        StrId(u32::try_from(index).expect("fewer than 2^32 distinct strings"))
    }
}

#[derive(Clone, Default)]
pub struct StringPool {
    bytes: String,
    /// Where each string ends in `bytes`; it starts where the one before ends.
    ends: Vec<u64>,
    index: HashTable<StrId>,
    hasher: foldhash::fast::FixedState,
}

impl std::fmt::Debug for StringPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StringPool({} strings)", self.ends.len())
    }
}

impl StringPool {
    pub fn reserve(&mut self, strings: usize, bytes: usize) {
        self.ends.reserve_exact(strings);
        self.bytes.reserve_exact(bytes);
        self.index.reserve(strings, |_| 0);
    }

    pub fn get(&self, id: StrId) -> &str {
        span(&self.bytes, &self.ends, id)
    }

    /// The id of `text`, if the pool holds it.
    pub fn find(&self, text: &str) -> Option<StrId> {
        let hash = self.hasher.hash_one(text);
        self.index.find(hash, |id| self.get(*id) == text).copied()
    }

    /// The id of `text`, adding it when new.
    pub fn intern(&mut self, text: &str) -> StrId {
        let hash = self.hasher.hash_one(text);
        let StringPool {
            bytes,
            ends,
            index,
            hasher,
        } = self;
        if let Some(found) = index.find(hash, |id| span(bytes, ends, *id) == text) {
            return *found;
        }
        let id = StrId::from_index(ends.len());
        bytes.push_str(text);
        ends.push(bytes.len() as u64);
        let (bytes, ends) = (&*bytes, &*ends);
        index.insert_unique(hash, id, |id| hasher.hash_one(span(bytes, ends, *id)));
        id
    }

    /// Bytes held, bookkeeping included.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 8 + self.index.capacity() * 5
    }
}

fn span<'a>(bytes: &'a str, ends: &[u64], id: StrId) -> &'a str {
    let end = ends[id.index()] as usize;
    let start = match id.index() {
        0 => 0,
        i => ends[i - 1] as usize,
    };
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_kept_once_and_read_back() {
        let mut pool = StringPool::default();
        let a = pool.intern("FR");
        let b = pool.intern("Nvidia");
        let empty = pool.intern("");
        assert_eq!(pool.intern("FR"), a);
        assert_ne!(a, b);
        assert_eq!(pool.get(a), "FR");
        assert_eq!(pool.get(b), "Nvidia");
        assert_eq!(pool.get(empty), "");
        assert_eq!(pool.find("Nvidia"), Some(b));
        assert_eq!(pool.find("nvidia"), None);
        assert_eq!(pool.ends.len(), 3);
    }

    #[test]
    fn many_strings_survive_the_table_growing() {
        let mut pool = StringPool::default();
        let ids: Vec<StrId> = (0..10_000)
            .map(|i| pool.intern(&format!("c{i:06}")))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(pool.get(*id), format!("c{i:06}"));
            assert_eq!(pool.find(&format!("c{i:06}")), Some(*id));
        }
    }
}
