//! Binary snapshots: a graph's arrays written out as the store holds them, so that opening a
//! graph of a million nodes is one read and a few linear passes, not a parse.
//!
//! Layout, little-endian: the magic line and a format version; then a flags byte (the schema in
//! bit 0, `allow_unsourced` in bit 1, an extended vocabulary in bit 2, exchange rates in bit 3,
//! uniqueness constraints in bit 4, which format 2 added), the names
//! (labels, types, keys), the label sets, the string pool as it is, the nodes (a label set
//! each), the relationships (from, to, type), the node and relationship property tables (each
//! its columns, then its boxed values), the sources, the vocabulary's added definitions as
//! JSON text when bit 2 is set, the exchange rates (currency, date, rate, source) when bit 3
//! is set, the constraints (name, label, keys) when bit 4 is set; last, a CRC-32 of everything
//! before it. A snapshot is written in the oldest format that holds it: format 1 when it has no
//! constraints, so that older builds still read it, format 2 when it has, and format 3 when a
//! property cell holds a list of one string, so that older builds say it is newer instead of
//! misreading it.
//! Elements are numbered afresh, without the gaps deletions leave. A property cell is written
//! as the store holds it (NaN-boxed, a string as its place in the pool).
//!
//! Opening is what large graphs wait for, so reading does no more than it must: a large file
//! is mapped, not read (`datafile::read_bytes`); the checksum is computed on a thread of its
//! own while the rest is read, and judged first; petgraph's lists are rebuilt on another; the
//! id and name indexes wait for their first use, and a database's fingerprint of the file is
//! the checksum it ends with (`file_checksum`). The format is the same as before mapping.
//!
//! **Invariant:** reading checks everything it is given (the checksum, every count, every
//! reference and every cell against what it refers to), so a damaged or foreign file is an
//! error naming the byte where reading stopped, never a panic or a graph that fails later; a
//! checksum that does not match is the error, whatever else reading found.

use petgraph::stable_graph::StableDiGraph;

use super::properties::Properties;
use super::strings::StringPool;
use super::symbols::{LabelSets, Sym, Symbols};
use super::{EdgeData, Graph, NodeData, NodeId};
use crate::model::{Date, Schema, Source, Value};

/// How every snapshot starts: a line that says what the file is, should someone open it.
pub const MAGIC: &[u8] = b"alliances snapshot\n";
/// The newest format version this build writes; it reads this one and older ones.
pub const VERSION: u32 = 3;
/// The format that added uniqueness constraints (flag bit 4).
const CONSTRAINTS_SINCE: u32 = 2;
/// The format that added property cells holding a list of one string.
const ONE_STRING_LISTS_SINCE: u32 = 3;

/// A source's date when it has none: no date packs to it (`Date::from_packed` refuses it).
const UNDATED: u64 = u64::MAX;

/// Why a snapshot could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset}: {reason}")]
pub struct SnapshotError {
    pub offset: usize,
    pub reason: String,
}

/// Whether `bytes` start like a snapshot.
pub fn is_snapshot(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

// ----- writing -----------------------------------------------------------------------------

pub(super) struct Out(Vec<u8>);

impl Out {
    pub fn u8(&mut self, value: u8) {
        self.0.push(value);
    }

    pub fn u32(&mut self, value: u32) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    pub fn u64(&mut self, value: u64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.u64(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
    }

    fn str(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn optional_str(&mut self, text: Option<&str>) {
        match text {
            None => self.u8(0),
            Some(text) => {
                self.u8(1);
                self.str(text);
            }
        }
    }

    fn value(&mut self, value: &Value) {
        match value {
            Value::Null => self.u8(0),
            Value::Bool(b) => {
                self.u8(1);
                self.u8(u8::from(*b));
            }
            Value::Int(i) => {
                self.u8(2);
                self.u64(*i as u64);
            }
            Value::Float(f) => {
                self.u8(3);
                self.u64(f.to_bits());
            }
            Value::String(s) => {
                self.u8(4);
                self.str(s);
            }
            Value::Date(d) => {
                self.u8(5);
                self.u64(d.pack());
            }
            Value::List(items) => {
                self.u8(6);
                self.u64(items.len() as u64);
                items.iter().for_each(|item| self.value(item));
            }
            // Since version TEMPORAL_SINCE: the kind's name and the value's ISO text.
            Value::Temporal(t) => {
                self.u8(8);
                self.str(t.type_name());
                self.str(&t.to_string());
            }
            Value::Map(map) => {
                self.u8(7);
                self.u64(map.len() as u64);
                for (key, item) in map {
                    self.str(key);
                    self.value(item);
                }
            }
        }
    }
}

/// The graph as a snapshot.
pub fn write(graph: &Graph) -> Vec<u8> {
    let live_nodes: Vec<u32> = graph.nodes().map(|n| n.index() as u32).collect();
    let live_edges: Vec<u32> = graph.edges().map(|e| e.index() as u32).collect();
    let mut out = Out(Vec::with_capacity(
        64 + graph.strings.as_bytes().len() + live_nodes.len() * 48 + live_edges.len() * 40,
    ));
    out.0.extend_from_slice(MAGIC);
    let constraints = graph.constraints();
    // The version is known once the property cells are written.
    let version_at = out.0.len();
    out.u32(0);
    // The schema in the low bit; `allow_unsourced` in the next; then whether the vocabulary
    // extends the built-in one (its definitions follow the sources).
    let added = graph.vocabulary().added();
    out.u8(match graph.schema {
        Schema::Alliance => 0,
        Schema::Open => 1,
    } | if graph.allow_unsourced { 2 } else { 0 }
        | if added.is_empty() { 0 } else { 4 }
        | if graph.fx_rates.is_empty() { 0 } else { 8 }
        | if constraints.is_empty() { 0 } else { 16 });
    out.u32(graph.symbols.len() as u32);
    for i in 0..graph.symbols.len() {
        out.str(graph.symbols.name_at(i));
    }
    out.u32(graph.label_sets.len() as u32);
    for set in graph.label_sets.all() {
        out.u32(set.len() as u32);
        set.iter().for_each(|sym| out.u32(sym.index() as u32));
    }
    out.bytes(graph.strings.as_bytes());

    let mut one_string_lists = false;
    // Old node number → new, for relationship ends.
    let mut renumbered = vec![u32::MAX; graph.node_index_bound()];
    out.u32(live_nodes.len() as u32);
    for (new, old) in live_nodes.iter().enumerate() {
        renumbered[*old as usize] = new as u32;
        let data = graph.graph[super::nx(NodeId(*old))];
        out.u32(data.labels.number());
    }
    out.u32(live_edges.len() as u32);
    for old in &live_edges {
        let edge = super::EdgeId(*old);
        let (from, to) = graph
            .edge_endpoints(edge)
            .expect("live_edges lists relationships that exist");
        out.u32(renumbered[from.index()]);
        out.u32(renumbered[to.index()]);
        out.u32(graph.graph[super::ex(edge)].rel_type.index() as u32);
    }
    for (table, live) in [
        (&graph.node_props, &live_nodes),
        (&graph.edge_props, &live_edges),
    ] {
        let mut boxed = Vec::new();
        one_string_lists |= table.write_snapshot(live, &mut out, &mut boxed);
        out.u64(boxed.len() as u64);
        boxed.iter().for_each(|value| out.value(value));
    }
    out.u32(graph.sources.len() as u32);
    for source in graph.sources.values() {
        out.str(&source.id);
        out.str(&source.title);
        out.str(&source.publisher);
        // An undated source's date is all ones, which no date packs to.
        out.u64(source.date.map_or(UNDATED, Date::pack));
        out.optional_str(source.url.as_deref());
        out.optional_str(source.language.as_deref());
    }
    if !added.is_empty() {
        let definitions =
            serde_json::to_string(added).expect("definitions are plain data and always serialize");
        out.str(&definitions);
    }
    if !graph.fx_rates.is_empty() {
        out.u32(graph.fx_rates.len() as u32);
        for rate in &graph.fx_rates {
            out.str(&rate.currency);
            out.u64(rate.date.pack());
            out.u64(rate.rate.to_bits());
            out.str(&rate.source);
        }
    }
    if !constraints.is_empty() {
        out.u32(constraints.len() as u32);
        for constraint in constraints {
            out.str(&constraint.name);
            out.str(&constraint.label);
            out.u32(constraint.keys.len() as u32);
            constraint.keys.iter().for_each(|key| out.str(key));
        }
    }
    let version = if one_string_lists {
        ONE_STRING_LISTS_SINCE
    } else if constraints.is_empty() {
        1
    } else {
        CONSTRAINTS_SINCE
    };
    out.0[version_at..version_at + 4].copy_from_slice(&version.to_le_bytes());
    let checksum = crc32fast::hash(&out.0);
    out.u32(checksum);
    out.0
}

// ----- reading -----------------------------------------------------------------------------

pub(super) struct In<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> In<'a> {
    pub fn offset(&self) -> usize {
        self.at
    }

    pub fn error_at(&self, offset: usize, reason: String) -> SnapshotError {
        SnapshotError { offset, reason }
    }

    pub fn take(&mut self, len: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len());
        let Some(end) = end else {
            return Err(self.error_at(self.at, format!("the file ends {len} bytes too soon")));
        };
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    pub fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    pub fn u64(&mut self) -> Result<u64, SnapshotError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn bytes(&mut self) -> Result<&'a [u8], SnapshotError> {
        let at = self.at;
        let len = usize::try_from(self.u64()?)
            .map_err(|_| self.error_at(at, "a length is too large".to_owned()))?;
        self.take(len)
    }

    fn str(&mut self) -> Result<&'a str, SnapshotError> {
        let at = self.at;
        std::str::from_utf8(self.bytes()?)
            .map_err(|_| self.error_at(at, "a text is not UTF-8".to_owned()))
    }

    fn optional_str(&mut self) -> Result<Option<String>, SnapshotError> {
        let at = self.at;
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.str()?.to_owned())),
            _ => Err(self.error_at(
                at,
                "an optional text is neither there nor absent".to_owned(),
            )),
        }
    }

    /// A date, or `UNDATED` for none.
    fn optional_date(&mut self) -> Result<Option<Date>, SnapshotError> {
        let at = self.at;
        match self.u64()? {
            UNDATED => Ok(None),
            bits => Date::from_packed(bits)
                .map(Some)
                .ok_or_else(|| self.error_at(at, "a date is not a calendar date".to_owned())),
        }
    }

    fn date(&mut self) -> Result<Date, SnapshotError> {
        let at = self.at;
        Date::from_packed(self.u64()?)
            .ok_or_else(|| self.error_at(at, "a date is not a calendar date".to_owned()))
    }

    /// A count of things at least `each` bytes long: no larger than the rest of the file
    /// could hold, so a damaged count cannot make reading reserve terabytes.
    pub fn count(&mut self, each: usize) -> Result<usize, SnapshotError> {
        let at = self.at;
        let count = self.u32()? as usize;
        if count.saturating_mul(each) > self.bytes.len() - self.at {
            return Err(self.error_at(
                at,
                format!("a count of {count} is more than the file holds"),
            ));
        }
        Ok(count)
    }

    fn value(&mut self, depth: usize) -> Result<Value, SnapshotError> {
        let at = self.at;
        if depth > 64 {
            return Err(self.error_at(at, "a value is nested too deeply".to_owned()));
        }
        Ok(match self.u8()? {
            0 => Value::Null,
            1 => Value::Bool(self.u8()? != 0),
            2 => Value::Int(self.u64()? as i64),
            3 => Value::Float(f64::from_bits(self.u64()?)),
            4 => Value::String(self.str()?.to_owned()),
            5 => Value::Date(self.date()?),
            6 => {
                let len = self.u64()?;
                let mut items = Vec::new();
                for _ in 0..len {
                    items.push(self.value(depth + 1)?);
                }
                Value::List(items)
            }
            7 => {
                let len = self.u64()?;
                let mut map = std::collections::BTreeMap::new();
                for _ in 0..len {
                    let key = self.str()?.to_owned();
                    map.insert(key, self.value(depth + 1)?);
                }
                Value::Map(map)
            }
            8 => {
                let kind = self.str()?.to_owned();
                let text = self.str()?.to_owned();
                match crate::model::Temporal::parse(&kind, &text) {
                    Ok(t) => Value::Temporal(Box::new(t)),
                    Err(e) => return Err(self.error_at(at, format!("a {kind} value: {e}"))),
                }
            }
            other => return Err(self.error_at(at, format!("value kind {other} is unknown"))),
        })
    }
}

/// Reads a snapshot `write` made.
///
/// # Errors
/// When `bytes` are not a snapshot, come from a newer version, or are damaged: the error says
/// at which byte.
pub fn read(bytes: &[u8]) -> Result<Graph, SnapshotError> {
    read_from(bytes, None)
}

/// As `read`, leaving the dense property columns where they lie in `bytes` (a mapped file,
/// typically) rather than copying them: the graph holds a share of `bytes` until it writes to
/// them. Every cell is checked all the same.
///
/// # Errors
/// As `read`.
pub fn read_shared(bytes: &bytes::Bytes) -> Result<Graph, SnapshotError> {
    read_from(bytes, Some(bytes))
}

fn read_from(bytes: &[u8], backing: Option<&bytes::Bytes>) -> Result<Graph, SnapshotError> {
    if bytes.is_empty() {
        return Err(SnapshotError {
            offset: 0,
            reason: "the file is empty, which no snapshot is: it was cut short or never written; open a copy saved earlier".to_owned(),
        });
    }
    if MAGIC.starts_with(bytes) {
        return Err(SnapshotError {
            offset: bytes.len(),
            reason: "the file ends too soon".to_owned(),
        });
    }
    if !is_snapshot(bytes) {
        return Err(SnapshotError {
            offset: 0,
            reason: "this is not an alliances snapshot".to_owned(),
        });
    }
    let Some(body_end) = bytes.len().checked_sub(4).filter(|end| *end >= MAGIC.len()) else {
        return Err(SnapshotError {
            offset: bytes.len(),
            reason: "the file ends too soon".to_owned(),
        });
    };
    let mut input = In {
        bytes: &bytes[..body_end],
        at: MAGIC.len(),
    };
    let version = input.u32()?;
    if version > VERSION {
        return Err(input.error_at(
            MAGIC.len(),
            format!(
                "the snapshot is in format {version}, from a newer version of alliances (this one reads up to {VERSION})"
            ),
        ));
    }
    let stored = u32::from_le_bytes(bytes[body_end..].try_into().expect("4 bytes"));
    // The checksum is judged first: a damaged file is reported as damaged, whatever else
    // reading found. The readers of the large parts hash them as they read them; when reading
    // stops early, the whole file is hashed.
    let hashed = Hashed::default();
    let read = read_body(input, version, &hashed, backing);
    let checksum = match &read {
        Ok(_) => hashed.checksum(&bytes[..body_end]),
        Err(_) => crc32fast::hash(&bytes[..body_end]),
    };
    if checksum != stored {
        return Err(SnapshotError {
            offset: body_end,
            reason: "the checksum does not match: the file is damaged; open a copy saved earlier, or load the data it was made from again".to_owned(),
        });
    }
    read
}

/// The checksums of parts of a snapshot, each computed by the part's reader while its bytes
/// are in the cache (a separate pass over a file of hundreds of megabytes costs as much as
/// reading it), put together with the parts no reader hashed by `checksum`.
#[derive(Default)]
pub(super) struct Hashed(std::sync::Mutex<Vec<(usize, usize, crc32fast::Hasher)>>);

impl Hashed {
    /// How many bytes `each` part of the bytes of `hash` holds.
    const BLOCK: usize = 96 * 1024;

    /// Hashes `bytes`, which start at byte `at` of the file, a block at a time, handing each
    /// block to `each` with its place in `bytes` once it is hashed. A block's length is a
    /// multiple of `unit`.
    pub fn hash<E>(
        &self,
        at: usize,
        bytes: &[u8],
        unit: usize,
        mut each: impl FnMut(usize, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let block = (Self::BLOCK / unit).max(1) * unit;
        let mut hasher = crc32fast::Hasher::new();
        for (i, part) in bytes.chunks(block).enumerate() {
            hasher.update(part);
            each(i * block, part)?;
        }
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((at, bytes.len(), hasher));
        Ok(())
    }

    /// The checksum of the whole of `file`: the parts hashed, with the bytes between them.
    fn checksum(self, file: &[u8]) -> u32 {
        let mut parts = self
            .0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        parts.sort_by_key(|(at, _, _)| *at);
        let mut total = crc32fast::Hasher::new();
        let mut at = 0;
        for (start, len, hasher) in parts {
            let Some(between) = file.get(at..start) else {
                // Parts that overlap are not the file's: hash it whole.
                return crc32fast::hash(file);
            };
            total.update(between);
            total.combine(&hasher);
            at = start + len;
        }
        total.update(file.get(at..).unwrap_or_default());
        total.finalize()
    }
}

/// The CRC-32 of the whole of `bytes`, as `crc32fast::hash` gives it. For a snapshot that is
/// the checksum it ends with carried over those last four bytes, which costs nothing: if the
/// rest does not match it, reading the snapshot says so.
pub fn file_checksum(bytes: &[u8]) -> u32 {
    let Some(body_end) = bytes
        .len()
        .checked_sub(4)
        .filter(|end| *end >= MAGIC.len() && is_snapshot(bytes))
    else {
        return crc32fast::hash(bytes);
    };
    let trailer = &bytes[body_end..];
    let stored = u32::from_le_bytes(trailer.try_into().expect("4 bytes"));
    let mut hasher = crc32fast::Hasher::new_with_initial(stored);
    hasher.update(trailer);
    hasher.finalize()
}

/// Everything after the version, up to the checksum.
fn read_body(
    mut input: In<'_>,
    version: u32,
    hashed: &Hashed,
    backing: Option<&bytes::Bytes>,
) -> Result<Graph, SnapshotError> {
    let at = input.offset();
    let flags = input.u8()?;
    let extended = flags & 4 != 0;
    let rates = flags & 8 != 0;
    let constraints = flags & 16 != 0 && version >= CONSTRAINTS_SINCE;
    let schema = match flags & !if constraints { 30 } else { 14 } {
        0 => Schema::Alliance,
        1 => Schema::Open,
        other => return Err(input.error_at(at, format!("schema {other} is unknown"))),
    };
    let allow_unsourced = flags & 2 != 0;
    let mut symbols = Symbols::default();
    for i in 0..input.count(8)? {
        let at = input.offset();
        let name = input.str()?;
        if symbols.intern(name).index() != i {
            return Err(input.error_at(at, format!("the name {name:?} is listed twice")));
        }
    }
    let mut label_sets = LabelSets::default();
    for i in 0..input.count(4)? {
        let at = input.offset();
        let mut set = Vec::new();
        for _ in 0..input.count(4)? {
            let sym = input.u32()? as usize;
            if sym >= symbols.len() {
                return Err(input.error_at(at, format!("label {sym} is not a name")));
            }
            set.push(Sym::from_index(sym));
        }
        if !set.windows(2).all(|w| w[0] < w[1]) {
            return Err(input.error_at(at, "a label set is not sorted".to_owned()));
        }
        if label_sets.intern(&set).number() as usize != i + 1 {
            return Err(input.error_at(at, "a label set is listed twice".to_owned()));
        }
    }
    let pool_at = input.offset();
    let pool_bytes = input.bytes()?;
    let pool_start = input.offset() - pool_bytes.len();
    let check_pool = |bytes: &[u8]| {
        let mut copy = Vec::with_capacity(bytes.len());
        let Ok(()) = hashed.hash(pool_start, bytes, 1, |_, block| {
            copy.extend_from_slice(block);
            Ok::<_, std::convert::Infallible>(())
        });
        StringPool::from_bytes(copy).map_err(|reason| SnapshotError {
            offset: pool_at,
            reason,
        })
    };
    let sections = (|| {
        let node_count = input.count(4)?;
        let nodes_at = input.offset();
        let node_bytes = input.take(4 * node_count)?;
        let edge_count = input.count(12)?;
        let edges_at = input.offset();
        let edge_bytes = input.take(12 * edge_count)?;
        Ok((
            node_count, nodes_at, node_bytes, edge_count, edges_at, edge_bytes,
        ))
    })();
    let (node_count, nodes_at, node_bytes, edge_count, edges_at, edge_bytes) = match sections {
        Ok(sections) => sections,
        Err(problem) => {
            check_pool(pool_bytes)?;
            return Err(problem);
        }
    };
    let mut graph = Graph {
        schema,
        allow_unsourced,
        ..Graph::default()
    };
    let symbol_count = symbols.len();
    graph.symbols = symbols;
    let labels = read_labels(&input, &mut graph, &label_sets, node_bytes, nodes_at);
    graph.label_sets = label_sets;
    // The pool's strings are checked and the topology built while the rest is read: the
    // topology needs nothing else, and nothing else needs it. The pool comes first in the
    // file, so its problem is reported before the nodes' labels'.
    std::thread::scope(|scope| {
        let pool = scope.spawn(|| check_pool(pool_bytes));
        let node_labels = labels.as_deref().unwrap_or_default();
        let topology =
            scope.spawn(move || topology(node_labels, edge_bytes, edges_at, symbol_count, hashed));
        let pool = pool
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let (strings, string_starts) = pool?;
        if let Err(problem) = &labels {
            return Err(problem.clone());
        }
        graph.strings = strings;
        let rest = read_the_rest(
            &mut input,
            &mut graph,
            (node_count, edge_count),
            (&string_starts, hashed, backing),
            (extended, rates, constraints),
            version >= ONE_STRING_LISTS_SINCE,
        );
        let built = topology.join().unwrap_or_else(|_| {
            Err(SnapshotError {
                offset: edges_at,
                reason: "building the relationships failed".to_owned(),
            })
        });
        rest?;
        (graph.graph, graph.type_counts) = built?;
        // Written from a graph that kept them, so they hold; a file that says otherwise was
        // made some other way.
        for constraint in &graph.constraints {
            if let Some((_, nodes)) = graph.constraint_duplicates(constraint).first() {
                return Err(SnapshotError {
                    offset: edges_at,
                    reason: format!(
                        "constraint {} does not hold: nodes {} and {} share its values",
                        constraint.name,
                        nodes[0].index(),
                        nodes[1].index()
                    ),
                });
            }
        }
        Ok(graph)
    })
}

/// Each node's label set, as `nodes` (4 bytes each, starting at byte `at` of the file) numbers
/// them; each node is listed under its labels in `graph`.
fn read_labels(
    input: &In<'_>,
    graph: &mut Graph,
    label_sets: &LabelSets,
    nodes: &[u8],
    at: usize,
) -> Result<Vec<super::symbols::LabelSet>, SnapshotError> {
    let mut labels = Vec::with_capacity(nodes.len() / 4);
    for (i, number) in nodes.chunks_exact(4).enumerate() {
        let number = u32::from_le_bytes(number.try_into().expect("4 bytes"));
        let Some(set) = label_sets.numbered(number) else {
            return Err(input.error_at(at + 4 * i, format!("label set {number} does not exist")));
        };
        // Nodes come in number order, so each label's list stays sorted.
        for label in label_sets.labels(set) {
            graph
                .by_label
                .entry(*label)
                .or_default()
                .push(NodeId(i as u32));
        }
        labels.push(set);
    }
    Ok(labels)
}

/// The nodes with their label sets, and the relationships `edges` lists (12 bytes each,
/// starting at byte `at` of the file), with the count of each type.
type Topology = (
    StableDiGraph<NodeData, EdgeData, u32>,
    std::collections::HashMap<Sym, usize>,
);

fn topology(
    labels: &[super::symbols::LabelSet],
    edges: &[u8],
    at: usize,
    symbols: usize,
    hashed: &Hashed,
) -> Result<Topology, SnapshotError> {
    let mut graph = StableDiGraph::with_capacity(labels.len(), edges.len() / 12);
    for labels in labels {
        graph.add_node(NodeData { labels: *labels });
    }
    let mut counts = vec![0usize; symbols];
    let table = super::linking::NodeTable::of(&graph);
    let word = |edge: &[u8], k: usize| {
        u32::from_le_bytes(edge[4 * k..4 * k + 4].try_into().expect("4 bytes"))
    };
    hashed.hash(at, edges, 12, |start, block| {
        let ahead = block.chunks_exact(12).skip(super::linking::AHEAD);
        let mut ahead = ahead.map(|edge| (word(edge, 0), word(edge, 1)));
        for (i, edge) in block.chunks_exact(12).enumerate() {
            if let (Some(table), Some((a, b))) = (&table, ahead.next()) {
                table.fetch(a);
                table.fetch(b);
            }
            let (from, to, rel_type) = (word(edge, 0), word(edge, 1), word(edge, 2) as usize);
            let error = |reason: String| SnapshotError {
                offset: at + start + 12 * i,
                reason,
            };
            if from as usize >= labels.len() || to as usize >= labels.len() {
                return Err(error("a relationship ends at no node".to_owned()));
            }
            if rel_type >= symbols {
                return Err(error(format!("relationship type {rel_type} is not a name")));
            }
            graph.add_edge(
                super::nx(NodeId(from)),
                super::nx(NodeId(to)),
                EdgeData {
                    rel_type: Sym::from_index(rel_type),
                },
            );
            counts[rel_type] += 1;
        }
        Ok(())
    })?;
    let counts = counts
        .into_iter()
        .enumerate()
        .filter(|(_, n)| *n > 0)
        .map(|(i, n)| (Sym::from_index(i), n))
        .collect();
    Ok((graph, counts))
}

/// Everything after the relationships, into `graph` (whose names and strings are read): the
/// property tables and the sources; then the indexes.
fn read_the_rest(
    input: &mut In<'_>,
    graph: &mut Graph,
    (node_count, edge_count): (usize, usize),
    (string_starts, hashed, backing): (&[u64], &Hashed, Option<&bytes::Bytes>),
    (extended, rates, constraints): (bool, bool, bool),
    one_string_lists: bool,
) -> Result<(), SnapshotError> {
    let symbols = graph.symbols.len();
    let tables = (string_starts, hashed, backing, one_string_lists);
    graph.node_props = read_table(input, node_count, symbols, tables)?;
    graph.edge_props = read_table(input, edge_count, symbols, tables)?;
    for _ in 0..input.count(4)? {
        let source = Source {
            id: input.str()?.to_owned(),
            title: input.str()?.to_owned(),
            publisher: input.str()?.to_owned(),
            date: input.optional_date()?,
            url: input.optional_str()?,
            language: input.optional_str()?,
        };
        graph.sources.insert(source.id.clone(), source);
    }
    if extended {
        let at = input.offset();
        let definitions: crate::model::vocabulary::Definitions = serde_json::from_str(input.str()?)
            .map_err(|e| input.error_at(at, format!("the vocabulary cannot be read: {e}")))?;
        let mut vocabulary = (*crate::model::Vocabulary::built_in()).clone();
        vocabulary.extend(&definitions).map_err(|errors| {
            let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
            input.error_at(
                at,
                format!("the vocabulary is inconsistent: {}", reasons.join("; ")),
            )
        })?;
        graph.set_vocabulary(std::sync::Arc::new(vocabulary));
    }
    if rates {
        for _ in 0..input.count(24)? {
            let at = input.offset();
            let currency = input.str()?.to_owned();
            let date = input.date()?;
            let rate = f64::from_bits(input.u64()?);
            let source = input.str()?.to_owned();
            if !(crate::model::money::is_currency(&currency) && rate.is_finite() && rate > 0.0) {
                return Err(input.error_at(
                    at,
                    format!("the exchange rate for \"{currency}\" is not a rate"),
                ));
            }
            graph.fx_rates.push(crate::model::FxRate {
                currency,
                date,
                rate,
                source,
            });
        }
    }
    if constraints {
        read_constraints(input, graph)?;
    }
    if input.offset() != input.bytes.len() {
        return Err(input.error_at(
            input.offset(),
            "there are bytes after the last section".to_owned(),
        ));
    }
    let keys: Vec<Sym> = [&graph.node_props, &graph.edge_props]
        .iter()
        .flat_map(|table| table.keys().iter().copied())
        .collect();
    keys.into_iter().for_each(|key| graph.mark_key(key));
    graph.index_read_nodes(node_count);
    Ok(())
}

/// The uniqueness constraints: each a name, a label and its keys, the names all different and
/// the keys of one never repeated or none.
fn read_constraints(input: &mut In<'_>, graph: &mut Graph) -> Result<(), SnapshotError> {
    for _ in 0..input.count(20)? {
        let at = input.offset();
        let name = input.str()?.to_owned();
        let label = input.str()?.to_owned();
        let mut keys: Vec<String> = Vec::new();
        for _ in 0..input.count(8)? {
            keys.push(input.str()?.to_owned());
        }
        let repeated = keys.iter().enumerate().any(|(i, k)| keys[..i].contains(k));
        if name.is_empty() || label.is_empty() || keys.is_empty() || repeated {
            return Err(input.error_at(
                at,
                format!("constraint {name:?} lacks a name, a label or keys, or repeats a key"),
            ));
        }
        if graph.constraints.iter().any(|c| c.name == name) {
            return Err(input.error_at(at, format!("constraint {name:?} is listed twice")));
        }
        graph
            .constraints
            .push(super::UniqueConstraint { name, label, keys });
    }
    Ok(())
}

/// A property table of `count` elements: its columns, then the boxed values they point to.
fn read_table(
    input: &mut In<'_>,
    count: usize,
    symbols: usize,
    (string_starts, hashed, backing, one_string_lists): (
        &[u64],
        &Hashed,
        Option<&bytes::Bytes>,
        bool,
    ),
) -> Result<Properties, SnapshotError> {
    let cells = super::properties::CellChecks {
        string_starts,
        one_string_lists,
    };
    let (mut table, largest_boxed) =
        Properties::read_snapshot(input, count, symbols, &cells, hashed, backing)?;
    let at = input.offset();
    let boxed_count = input.u64()?;
    if largest_boxed.is_some_and(|b| u64::from(b) >= boxed_count) {
        return Err(input.error_at(
            at,
            "a property points to a boxed value that is not there".to_owned(),
        ));
    }
    let mut boxed = Vec::new();
    for _ in 0..boxed_count {
        let at = input.offset();
        let value = input.value(0)?;
        if matches!(value, Value::Null) {
            return Err(input.error_at(at, "a boxed value is null".to_owned()));
        }
        boxed.push(value);
    }
    table.set_boxed(boxed);
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::Hashed;

    #[test]
    fn parts_hashed_apart_give_the_files_checksum() {
        let file: Vec<u8> = (0..1_000_003u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let whole = crc32fast::hash(&file);
        let layouts: [&[(usize, usize)]; 5] = [
            &[],
            &[(0, file.len())],
            &[(700_000, 300_003), (10, 5), (100, 250_000)],
            &[(5, 0), (999_999, 4)],
            // Overlapping parts are no file's: the whole is hashed instead.
            &[(100, 200), (150, 10)],
        ];
        for parts in layouts {
            let hashed = Hashed::default();
            for (at, len) in parts {
                let mut seen = 0;
                hashed
                    .hash(*at, &file[*at..at + len], 12, |start, block| {
                        assert_eq!(start, seen);
                        seen += block.len();
                        Ok::<_, ()>(())
                    })
                    .unwrap();
                assert_eq!(seen, *len);
            }
            assert_eq!(hashed.checksum(&file), whole, "{parts:?}");
        }
    }
}
