//! The string pool: every string property value, stored once.
//!
//! A million companies share a few countries, sectors and kinds, and each has an id and a name
//! of a dozen bytes. Keeping each distinct string once, length-prefixed in one buffer, costs
//! its bytes plus about 8 bytes of bookkeeping and alignment, where a `String` per value would cost 24 bytes
//! of header and an allocation. A `StrId` is the string's offset in the buffer, so reading a
//! string touches the buffer alone.
//!
//! **Invariant:** a `StrId` stays valid for the pool's life: strings are never removed, so a
//! value overwritten in a session leaves its string behind until the graph is reloaded.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// A string in the pool: where its length prefix starts in the buffer, in 4-byte words.
/// Strings start on a word boundary so that 32 bits reach 16 GiB of strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrId(u32);

impl StrId {
    pub fn offset(self) -> u64 {
        u64::from(self.0)
    }

    pub fn from_offset(offset: u64) -> StrId {
        StrId(offset as u32)
    }
}

#[derive(Clone, Default)]
pub struct StringPool {
    /// Each string as a LEB128 length and its UTF-8 bytes, back to back.
    bytes: Vec<u8>,
    index: HashTable<StrId>,
    hasher: foldhash::fast::FixedState,
    /// How many bytes of `bytes` the index covers: a pool read from a snapshot is indexed on
    /// its first `intern`, not when opened, since most sessions only read.
    indexed: usize,
}

impl std::fmt::Debug for StringPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StringPool({} strings)", self.index.len())
    }
}

impl StringPool {
    pub fn reserve(&mut self, strings: usize, bytes: usize) {
        self.bytes.reserve_exact(bytes);
        self.index.reserve(strings, |_| 0);
    }

    pub fn get(&self, id: StrId) -> &str {
        read(&self.bytes, id)
    }

    /// The id of `text`, if the pool holds it.
    #[cfg(test)]
    pub fn find(&self, text: &str) -> Option<StrId> {
        let hash = self.hasher.hash_one(text);
        self.index
            .find(hash, |id| read(&self.bytes, *id) == text)
            .copied()
    }

    /// The id of `text`, adding it when new.
    pub fn intern(&mut self, text: &str) -> StrId {
        if self.indexed < self.bytes.len() {
            self.index_the_rest();
        }
        let hash = self.hasher.hash_one(text);
        if let Some(found) = self.index.find(hash, |id| read(&self.bytes, *id) == text) {
            return *found;
        }
        let bytes = &mut self.bytes;
        bytes.resize(bytes.len().next_multiple_of(4), 0);
        let id = StrId(u32::try_from(bytes.len() / 4).expect("less than 16 GiB of strings"));
        let mut len = text.len();
        loop {
            let low = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                bytes.push(low);
                break;
            }
            bytes.push(low | 0x80);
        }
        bytes.extend_from_slice(text.as_bytes());
        self.indexed = bytes.len();
        self.index_one(hash, id);
        id
    }

    fn index_the_rest(&mut self) {
        let mut at = self.indexed;
        while at < self.bytes.len() {
            let id = StrId((at / 4) as u32);
            let text = read(&self.bytes, id);
            let (hash, len) = (self.hasher.hash_one(text), text.len());
            self.index_one(hash, id);
            at = (at + prefix_len(len) + len).next_multiple_of(4);
        }
        self.indexed = self.bytes.len();
    }

    /// Adds the string at `id`, whose hash is `hash`, to the index.
    fn index_one(&mut self, hash: u64, id: StrId) {
        let StringPool {
            bytes,
            index,
            hasher,
            ..
        } = self;
        index.insert_unique(hash, id, |id| hasher.hash_one(read(bytes, *id)));
    }

    /// The buffer, for a snapshot.
    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// A pool over `bytes` as `as_bytes` gave them, checked string by string. Returns it with
    /// the offset (in words) where each string starts, as a bit set, so that references into
    /// it can be checked.
    pub(super) fn from_bytes(bytes: Vec<u8>) -> Result<(StringPool, Vec<u64>), String> {
        let words = bytes.len().div_ceil(4);
        let mut starts = vec![0u64; words.div_ceil(64)];
        let mut at = 0;
        while at < bytes.len() {
            let mut len = 0usize;
            let mut shift = 0;
            let mut end = at;
            loop {
                let Some(&byte) = bytes.get(end) else {
                    return Err(format!("the string at pool byte {at} is cut off"));
                };
                end += 1;
                if shift > 35 {
                    return Err(format!("the string at pool byte {at} has a bad length"));
                }
                len |= usize::from(byte & 0x7f) << shift;
                if byte & 0x80 == 0 {
                    break;
                }
                shift += 7;
            }
            let Some(text) = bytes.get(end..end + len) else {
                return Err(format!("the string at pool byte {at} is cut off"));
            };
            if std::str::from_utf8(text).is_err() {
                return Err(format!("the string at pool byte {at} is not UTF-8"));
            }
            let word = at / 4;
            starts[word / 64] |= 1 << (word % 64);
            at = (end + len).next_multiple_of(4);
        }
        if u32::try_from(words).is_err() {
            return Err("the string pool is larger than 16 GiB".to_owned());
        }
        let pool = StringPool {
            bytes,
            ..StringPool::default()
        };
        Ok((pool, starts))
    }

    /// Hashes a string the way `hash` would hash the pooled copy; for indexes keyed by pooled
    /// strings.
    pub fn hash(&self, text: &str) -> u64 {
        self.hasher.hash_one(text)
    }

    /// Bytes held, bookkeeping included.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.index.capacity() * 5
    }
}

/// Bytes of the LEB128 length before a string of `len` bytes.
fn prefix_len(len: usize) -> usize {
    (usize::BITS - len.leading_zeros()).max(1).div_ceil(7) as usize
}

fn read(bytes: &[u8], id: StrId) -> &str {
    let mut at = id.0 as usize * 4;
    let mut len = 0usize;
    let mut shift = 0;
    loop {
        let byte = bytes[at];
        at += 1;
        len |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    // Only `intern` writes the buffer, and it writes whole UTF-8 strings.
    std::str::from_utf8(&bytes[at..at + len]).unwrap_or_default()
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
        let long = "x".repeat(300);
        let c = pool.intern(&long);
        assert_eq!(pool.intern("FR"), a);
        assert_ne!(a, b);
        assert_eq!(pool.get(a), "FR");
        assert_eq!(pool.get(b), "Nvidia");
        assert_eq!(pool.get(empty), "");
        assert_eq!(pool.get(c), long);
        assert_eq!(pool.find("Nvidia"), Some(b));
        assert_eq!(pool.find("nvidia"), None);
        assert_eq!(pool.index.len(), 4);
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
