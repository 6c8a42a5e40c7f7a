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
    /// The string `intern` gave last: a column of one value (every tie citing one source)
    /// interns the same text row after row, and a look at it beats a search of the table.
    last: Option<StrId>,
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
        let hash = self.hasher.hash_one(text.as_bytes());
        self.index
            .find(hash, |id| read_bytes(&self.bytes, *id) == text.as_bytes())
            .copied()
    }

    /// The id of `text`, adding it when new.
    pub fn intern(&mut self, text: &str) -> StrId {
        if let Some(last) = self.last
            && read_bytes(&self.bytes, last) == text.as_bytes()
        {
            return last;
        }
        if self.indexed < self.bytes.len() {
            self.index_the_rest();
        }
        let hash = self.hasher.hash_one(text.as_bytes());
        let found = self
            .index
            .find(hash, |id| read_bytes(&self.bytes, *id) == text.as_bytes());
        let id = match found {
            Some(found) => *found,
            None => {
                let id = self.push(text);
                self.indexed = self.bytes.len();
                self.index_one(hash, id);
                id
            }
        };
        self.last = Some(id);
        id
    }

    /// The ids `intern` would give `texts` one after another, found faster for many strings
    /// going into an empty pool.
    ///
    /// One by one, each new string is a search of a table too large for the caches. Here the
    /// texts are first grouped by hash into parts small enough to stay in them, each part
    /// finds which of its texts repeat an earlier one (the parts on two threads), and the
    /// strings are then added in order. The pool's own table is left to be built on the next
    /// `intern`, as a pool read from a snapshot is.
    pub fn intern_all(&mut self, texts: &[&str]) -> Vec<StrId> {
        const FEWEST: usize = 4096;
        const FLAG: u32 = 1 << 31;
        if !self.bytes.is_empty() || texts.len() < FEWEST || texts.len() >= FLAG as usize {
            return texts.iter().map(|text| self.intern(text)).collect();
        }
        let hasher = self.hasher.clone();
        let mut hashes = vec![0u64; texts.len()];
        let half = texts.len() / 2;
        let (low, high) = hashes.split_at_mut(half);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                for (hash, text) in high.iter_mut().zip(&texts[half..]) {
                    *hash = hasher.hash_one(text.as_bytes());
                }
            });
            for (hash, text) in low.iter_mut().zip(texts) {
                *hash = hasher.hash_one(text.as_bytes());
            }
        });
        // Each part holds about a thousand texts, by the top bits of their hash, in order.
        let bits = (texts.len() / 1024)
            .next_power_of_two()
            .trailing_zeros()
            .max(1);
        let part = |hash: u64| (hash >> (64 - bits)) as usize;
        let mut starts = vec![0usize; (1 << bits) + 1];
        for hash in &hashes {
            starts[part(*hash) + 1] += 1;
        }
        for at in 1..starts.len() {
            starts[at] += starts[at - 1];
        }
        let mut grouped = vec![(0u64, 0u32); texts.len()];
        let mut next = starts.clone();
        for (at, hash) in hashes.iter().enumerate() {
            let p = part(*hash);
            grouped[next[p]] = (*hash, at as u32);
            next[p] += 1;
        }
        // Which texts repeat an earlier one, and which are repeated later, told by their hash
        // alone, which keeps the texts out of the caches; two texts of one hash are told
        // apart below.
        let find_repeats = |parts: std::ops::Range<usize>| {
            let (mut repeats, mut repeated) = (Vec::new(), Vec::new());
            let mut seen: HashTable<(u64, u32)> = HashTable::new();
            for p in parts {
                seen.clear();
                for &(hash, at) in &grouped[starts[p]..starts[p + 1]] {
                    match seen.find_mut(hash, |(seen, _)| *seen == hash) {
                        Some((_, first)) => {
                            repeats.push(at);
                            // Marked once: the first repeat sets the top bit.
                            if *first & FLAG == 0 {
                                repeated.push(*first);
                                *first |= FLAG;
                            }
                        }
                        None => {
                            seen.insert_unique(hash, (hash, at), |(hash, _)| *hash);
                        }
                    }
                }
            }
            (repeats, repeated)
        };
        let parts = 1usize << bits;
        let (one, two) = std::thread::scope(|scope| {
            let two = scope.spawn(|| find_repeats(parts / 2..parts));
            let one = find_repeats(0..parts / 2);
            (one, two.join())
        });
        let two = two.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let mut repeats = vec![0u64; texts.len().div_ceil(64)];
        let mut repeated = vec![0u64; texts.len().div_ceil(64)];
        for (set, ats) in [
            (&mut repeats, [&one.0, &two.0]),
            (&mut repeated, [&one.1, &two.1]),
        ] {
            for at in ats.into_iter().flatten() {
                let at = (at & !FLAG) as usize;
                set[at / 64] |= 1 << (at % 64);
            }
        }
        drop((grouped, one, two));
        let has = |set: &[u64], at: usize| set[at / 64] & (1 << (at % 64)) != 0;
        // The strings that repeat, by hash: usually few (countries, sectors).
        let mut firsts: HashTable<StrId> = HashTable::new();
        let mut ids = Vec::with_capacity(texts.len());
        for (at, text) in texts.iter().enumerate() {
            let hash = hashes[at];
            let id = if has(&repeats, at) {
                let bytes = &self.bytes;
                match firsts.find(hash, |id| read_bytes(bytes, *id) == text.as_bytes()) {
                    Some(id) => *id,
                    None => {
                        // Another text of the same hash came first: start again one by one.
                        self.bytes.clear();
                        self.last = None;
                        return texts.iter().map(|text| self.intern(text)).collect();
                    }
                }
            } else {
                let id = self.push(text);
                if has(&repeated, at) {
                    let bytes = &self.bytes;
                    firsts.insert_unique(hash, id, |id| hasher.hash_one(read_bytes(bytes, *id)));
                }
                id
            };
            ids.push(id);
        }
        // The pool's table is built on the next `intern`.
        self.index = HashTable::new();
        self.indexed = 0;
        ids
    }

    /// Adds `text` at the end of the buffer, not indexed.
    fn push(&mut self, text: &str) -> StrId {
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
        id
    }

    fn index_the_rest(&mut self) {
        let StringPool {
            bytes,
            index,
            hasher,
            indexed,
            ..
        } = self;
        // Counted first, so that the table grows once: each growth hashes every string again.
        index.reserve(unindexed(bytes, *indexed).count(), |_| 0);
        for (id, text) in unindexed(bytes, *indexed) {
            index.insert_unique(hasher.hash_one(text), id, |id| {
                hasher.hash_one(read_bytes(bytes, *id))
            });
        }
        *indexed = bytes.len();
    }

    /// Adds the string at `id`, whose hash is `hash`, to the index.
    fn index_one(&mut self, hash: u64, id: StrId) {
        let StringPool {
            bytes,
            index,
            hasher,
            ..
        } = self;
        index.insert_unique(hash, id, |id| hasher.hash_one(read_bytes(bytes, *id)));
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
        self.hasher.hash_one(text.as_bytes())
    }

    /// Bytes held, bookkeeping included.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.index.capacity() * 5
    }
}

/// The strings of `bytes` from byte `from` on, with their ids.
fn unindexed(bytes: &[u8], from: usize) -> impl Iterator<Item = (StrId, &[u8])> {
    let mut at = from;
    std::iter::from_fn(move || {
        (at < bytes.len()).then(|| {
            let id = StrId((at / 4) as u32);
            let text = read_bytes(bytes, id);
            at = (at + prefix_len(text.len()) + text.len()).next_multiple_of(4);
            (id, text)
        })
    })
}

/// Bytes of the LEB128 length before a string of `len` bytes.
fn prefix_len(len: usize) -> usize {
    (usize::BITS - len.leading_zeros()).max(1).div_ceil(7) as usize
}

fn read(bytes: &[u8], id: StrId) -> &str {
    // Only `intern` writes the buffer, and it writes whole UTF-8 strings.
    std::str::from_utf8(read_bytes(bytes, id)).unwrap_or_default()
}

/// The bytes of the string at `id`: what the pool's table hashes and compares, which need
/// no UTF-8 check.
fn read_bytes(bytes: &[u8], id: StrId) -> &[u8] {
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
    &bytes[at..at + len]
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

    /// Interning many strings at once gives what interning them one by one gives, and the
    /// pool goes on as before afterwards.
    #[test]
    fn interning_all_at_once_is_interning_one_by_one() {
        for count in [10usize, 5_000, 40_000] {
            let texts: Vec<String> = (0..count)
                .map(|i| match i % 7 {
                    0 => format!("c{i:06}"),
                    1 => format!("Company {i}"),
                    2 => ["FR", "US", "", "fintech"][i % 4].to_owned(),
                    3 => format!("c{:06}", i / 2),
                    4 => "é".repeat(i % 200),
                    5 => format!("r{}", i % 1_000),
                    _ => format!("Company {}", i * 3),
                })
                .collect();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let mut one_by_one = StringPool::default();
            let expected: Vec<StrId> = texts.iter().map(|t| one_by_one.intern(t)).collect();
            let mut at_once = StringPool::default();
            assert_eq!(at_once.intern_all(&texts), expected, "{count} texts");
            assert_eq!(at_once.bytes, one_by_one.bytes, "{count} texts");
            assert_eq!(at_once.intern("FR"), one_by_one.intern("FR"));
            assert_eq!(at_once.intern("new"), one_by_one.intern("new"));
            assert_eq!(at_once.find("Company 1"), one_by_one.find("Company 1"));
        }
    }

    /// A pool read back from its bytes indexes them on its first `intern`, and finds every
    /// string it held, the one interned just before included, wherever the repeat comes.
    #[test]
    fn a_pool_read_back_finds_what_it_held() {
        let mut written = StringPool::default();
        let texts: Vec<String> = (0..3_000).map(|i| format!("s{}", i % 1_000)).collect();
        let ids: Vec<StrId> = texts.iter().map(|t| written.intern(t)).collect();
        let (mut read, _) = StringPool::from_bytes(written.as_bytes().to_vec()).unwrap();
        assert_eq!(read.indexed, 0);
        for (text, id) in texts.iter().zip(&ids).rev() {
            assert_eq!(read.intern(text), *id, "{text}");
            assert_eq!(read.intern(text), *id, "{text} again");
        }
        assert_eq!(read.bytes, written.bytes, "nothing was added");
        assert_eq!(read.index.len(), 1_000);
        let new = read.intern("s1000");
        assert_eq!(read.intern("s999"), ids[999]);
        assert_eq!(read.intern("s1000"), new);
        assert_eq!(read.get(new), "s1000");
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
