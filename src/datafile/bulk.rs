//! Bulk import from CSV: `nodes.csv` (`id,name,kind`, and optionally `country`, `sector`,
//! `aliases`, `note`, `sources`, identifier schemes and any other column) and `edges.csv`
//! (`from,to,type`, and optionally `amount_usd`, `date`, `stake_pct`, `sources`, any property
//! of the vocabulary such as `amount`, `currency`, `end_date`, `status`, and any other column),
//! in any order.
//!
//! This is how large graphs come in, so rows go straight into the graph without an
//! intermediate record, and the checks are the data-file checks with row numbers. Unlike a data
//! file, a bulk row may lack a source; `stats` counts those relationships. A column beyond the
//! fixed ones costs nothing to a file without it: each row carries its other values in one
//! optional box.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;

use super::problem::{LoadError, Location, Problem, ProblemKind};
use super::scan::{Rows, Scan};
use crate::model::vocabulary::{PropType, PropertyDef, RelDef};
use crate::model::{
    Date, Schema, Source, Value, Vocabulary, did_you_mean, fold_name_into, is_slug, slugify,
    suggest,
};
use crate::rules::{self, Broken};
use crate::store::{EdgeColumn, EdgeRows, EdgeSink, Graph, NewEdge, NodeId, RowValue, Scalar};

const NODE_COLUMNS: &[&str] = &["id", "name", "kind", "country", "sector"];
const NODE_REQUIRED: &[&str] = &["id", "name", "kind"];
const EDGE_COLUMNS: &[&str] = &["from", "to", "type", "amount_usd", "date", "stake_pct"];
const EDGE_REQUIRED: &[&str] = &["from", "to", "type"];

/// Suggestions scan every id, which is slow on millions of nodes; only the first few unknown
/// ids get them.
const SUGGESTED_ENDPOINTS: usize = 20;

/// Rows between two progress reports.
const PROGRESS_ROWS: u64 = 1 << 16;

/// Reads a nodes CSV and an edges CSV into a new graph.
///
/// # Errors
/// `LoadError::Invalid` with every problem found (up to a cap per file), and no graph.
pub fn import_csv(
    nodes_name: &str,
    nodes: impl Read,
    edges_name: &str,
    edges: impl Read,
    schema: Schema,
) -> Result<Graph, LoadError> {
    import_csv_with_progress(nodes_name, nodes, edges_name, edges, schema, &|_| {})
}

/// How far a bulk import has come, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportProgress {
    /// Both files are in memory: this many bytes of rows are to be checked.
    Started { bytes: u64 },
    /// This many more bytes of rows have been checked.
    Checked { bytes: u64 },
    /// Every row is checked; the relationships are being added.
    Building,
}

/// `import_csv`, telling `progress` how far it has come (from several threads).
///
/// # Errors
/// As `import_csv`.
pub fn import_csv_with_progress(
    nodes_name: &str,
    nodes: impl Read,
    edges_name: &str,
    edges: impl Read,
    schema: Schema,
    progress: &(dyn Fn(ImportProgress) + Sync),
) -> Result<Graph, LoadError> {
    let read_all = |name: &str, mut input: Box<dyn Read + '_>| {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map(|_| bytes)
            .map_err(|e| LoadError::Invalid {
                problems: vec![Problem::new(
                    ProblemKind::Syntax,
                    Location::line_of(Arc::from(name), 0),
                    format!("cannot read the file: {e}"),
                )],
            })
    };
    let nodes = read_all(nodes_name, Box::new(nodes))?;
    let edges = read_all(edges_name, Box::new(edges))?;
    import_csv_bytes(nodes_name, &nodes, edges_name, &edges, schema, progress)
}

/// `import_csv_with_progress` on files already in memory (read, or mapped).
///
/// # Errors
/// As `import_csv`.
pub fn import_csv_bytes(
    nodes_name: &str,
    nodes: &[u8],
    edges_name: &str,
    edges: &[u8],
    schema: Schema,
    progress: &(dyn Fn(ImportProgress) + Sync),
) -> Result<Graph, LoadError> {
    map_large_blocks();
    // Room for every row up front: no table grows, and columns are allocated once.
    progress(ImportProgress::Started {
        bytes: (nodes.len() + edges.len()) as u64,
    });
    let (nodes, edges) = (Scan::of(nodes), Scan::of(edges));
    let node_rows = nodes.lines();
    let id_slots = IdMap::room(node_rows);
    let mut graph = Graph::with_capacity(schema, node_rows, edges.lines());
    // Bulk rows carry no sources; the graph says so, and a save keeps saying so.
    graph.set_allow_unsourced(true);
    let mut importer = Importer::new(progress, graph, id_slots, None);
    importer.nodes(Arc::from(nodes_name), &nodes);
    importer.edges(Arc::from(edges_name), &edges);
    importer.add_read_nodes();
    let Importer {
        graph, problems, ..
    } = importer;
    release_freed_memory();
    if problems.is_empty() {
        Ok(graph)
    } else {
        Err(LoadError::Invalid { problems })
    }
}

/// Has the allocator give each large block its own mapping while the load runs, returned
/// whole when freed: left to itself, glibc raises that threshold as large blocks come and
/// go, and the load's temporaries (the files, the id map, the batches of rows) end up in its
/// heap, where what is freed stays resident beside the graph (1.6 B a relationship at 1M).
fn map_large_blocks() {
    set_mmap_threshold(1 << 20);
}

/// Hands the memory the load's temporaries held back to the system, and lets the blocks of
/// later work (a PageRank's score arrays) up to glibc's own ceiling come from the heap again,
/// reused from one run to the next instead of mapped and faulted in each time.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free pages of glibc's own heap; it touches no memory
    // in use and may be called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
    set_mmap_threshold(32 << 20);
}

/// The size from which glibc maps a block on its own. Set by hand, it no longer moves the
/// size of free heap top glibc keeps rather than trims (128 KiB), so that is set beside it,
/// to at most 4 MiB: enough that a query's rows freed and made again reuse the heap's pages
/// instead of faulting them in anew, little enough beside the graph (measured: 64 MiB kept
/// 1.6 B a relationship more at 1M).
fn set_mmap_threshold(bytes: i32) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes tuning parameters of glibc's allocator; blocks already
    // handed out are not affected.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, bytes);
        libc::mallopt(libc::M_TRIM_THRESHOLD, bytes.min(4 << 20));
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = bytes;
}

struct Importer<'p> {
    progress: &'p (dyn Fn(ImportProgress) + Sync),
    graph: Graph,
    problems: Vec<Problem>,
    /// How many unknown endpoints were given suggestions.
    suggested: usize,
    /// Ids of node rows that had problems. Edges naming them stay quiet, so one bad row is
    /// reported once, not again for every edge that touches it.
    rejected_ids: HashSet<String>,
    /// False when the nodes file could not be read at all; then no endpoint can be checked.
    nodes_readable: bool,
    /// Each node's kind, as its place in the vocabulary, by node number: a relationship row
    /// checks the kinds its type joins without reading labels.
    node_kinds: Vec<u16>,
    /// The sources `sources` cells made, by what the cell said (an id or a URL): each URL is a
    /// source of its own, made once.
    cited: HashMap<String, String>,
    /// Room for the map of nodes by id the relationships' ends are found through.
    id_slots: Vec<IdSlot>,
    /// The nodes file's rows, checked and numbered but not yet in the graph.
    read_nodes: Option<ReadNodes>,
    /// How a file read for the `csv` importer differs from a bulk file, when it is one.
    mapped: Option<Mapped>,
}

impl<'p> Importer<'p> {
    fn new(
        progress: &'p (dyn Fn(ImportProgress) + Sync),
        graph: Graph,
        id_slots: Vec<IdSlot>,
        mapped: Option<Mapped>,
    ) -> Importer<'p> {
        Importer {
            progress,
            graph,
            problems: Vec::new(),
            suggested: 0,
            rejected_ids: HashSet::new(),
            nodes_readable: true,
            node_kinds: Vec::new(),
            cited: HashMap::new(),
            id_slots,
            read_nodes: None,
            mapped,
        }
    }
}

/// A file read for the `csv` importer (`append_mapped`): its header renamed, its cells
/// trimmed, each relationship citing the file's source, and the same tie twice added once.
struct Mapped {
    header: Vec<String>,
    cites: Option<String>,
    /// How many relationship rows were the same tie as an earlier row, and not added.
    same_ties: usize,
}

/// A node number's kind when it has none the import knows of.
const NO_KIND: u16 = u16::MAX;

/// The help for a row with the wrong number of fields.
const QUOTE_HELP: &str = "quote fields that contain commas";

/// Where each known column sits in the header, and what the others hold.
struct Columns {
    file: Arc<str>,
    names: Vec<String>,
    index: Vec<Option<usize>>,
    /// The columns beyond the fixed ones, in header order.
    more: Vec<MoreColumn>,
    /// Whether the fixed columns' cells are read trimmed, as the `csv` importer reads every
    /// cell (the other columns' cells always are).
    trim: bool,
}

/// A column beyond a file's fixed ones.
struct MoreColumn {
    /// Its place in the header.
    index: usize,
    name: String,
    holds: Holds,
}

/// What a column beyond the fixed ones holds, and so how its cells are read.
#[derive(Clone)]
enum Holds {
    /// A property of ties the vocabulary defines (`amount`, `currency`, `end_date`, `status`,
    /// `role`…): read as its type says and checked by its definition.
    Property(PropertyDef),
    /// Text as written: a note.
    Text,
    /// An identifier of the vocabulary's scheme of this name (`lei`), checked by its format.
    Identifier,
    /// `;`-separated texts: aliases.
    List,
    /// `;`-separated source ids or URLs.
    Sources,
    /// Anything else: a free property, typed by `cell_value`.
    Free,
}

impl Columns {
    fn get<'r>(&self, record: &'r csv::ByteRecord, column: usize) -> &'r [u8] {
        self.index[column]
            .and_then(|i| record.get(i))
            .unwrap_or_default()
    }

    /// A whole row, when no one column is at fault.
    fn row_at(&self, line: u64) -> Location {
        Location {
            field: None,
            ..self.at(line, "")
        }
    }

    /// What is wrong with a row of `fields` fields at `line`, when the header has another
    /// number: where, and the message. Its help is `QUOTE_HELP`.
    fn width_problem(&self, fields: usize, line: u64) -> Option<(Location, String)> {
        let expected = self.names.len();
        let what = match fields.cmp(&expected) {
            std::cmp::Ordering::Equal => return None,
            std::cmp::Ordering::Less => "missing",
            std::cmp::Ordering::Greater => "extra",
        };
        Some((
            self.row_at(line),
            format!("this row has {fields} fields but the header has {expected} ({what} columns)"),
        ))
    }

    fn at(&self, line: u64, column: &str) -> Location {
        Location {
            file: self.file.clone(),
            line: line as usize,
            column: None,
            field: Some(column.to_owned()),
            span: None,
            record: None,
        }
    }
}

fn reader(input: impl Read) -> csv::Reader<impl Read> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(input)
}

/// What collects an import's problems: the importer, and each thread's relationship checker.
trait Report {
    fn problems(&mut self) -> &mut Vec<Problem>;

    fn report(&mut self, kind: ProblemKind, at: Location, message: String, help: Option<String>) {
        self.problems()
            .push(Problem::new(kind, at, message).help(help));
    }

    fn broken(&mut self, broken: Broken, at: Location) {
        self.report(broken.kind, at, broken.message, broken.help);
    }

    /// A row of the wrong width was reported; `first` is its first cell.
    fn misshapen(&mut self, _first: &[u8]) {}

    /// Whether every row read is known to be ASCII, so that no cell needs checking as UTF-8.
    fn ascii(&self) -> bool {
        false
    }

    /// A cell as text, or `None` after reporting it is not UTF-8; `names` are the file's
    /// columns.
    fn text<'r>(
        &mut self,
        columns: &Columns,
        record: &'r csv::ByteRecord,
        line: u64,
        column: usize,
        names: &[&str],
    ) -> Option<&'r str> {
        let bytes = columns.get(record, column);
        let trimmed = |text: &'r str| if columns.trim { text.trim() } else { text };
        if let Some(text) = cell_text(bytes, self.ascii()) {
            return Some(trimmed(text));
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Some(trimmed(text)),
            Err(e) => {
                self.report(
                    ProblemKind::Syntax,
                    columns.at(line, names[column]),
                    format!("not UTF-8 text (bad byte at offset {})", e.valid_up_to()),
                    Some("save the file as UTF-8".to_owned()),
                );
                None
            }
        }
    }
}

/// `bytes` as text, unchecked when they are known to be ASCII (a part of rows that are);
/// `None` when they are not UTF-8.
fn cell_text(bytes: &[u8], ascii: bool) -> Option<&str> {
    if ascii {
        debug_assert!(bytes.is_ascii());
        // SAFETY: ASCII is UTF-8, and the caller knows these bytes to be ASCII.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes).ok()
    }
}

/// Rows read ahead of checking them, so that `warm` can start fetching what they need.
const BATCH_ROWS: usize = 64;

/// How many rows ahead of the one being checked its ends' slots are fetched.
const WARM_AHEAD: usize = 8;

/// Reads every record left in `reader`, telling `progress` how many bytes were checked, and
/// reporting to `out` unreadable records and rows of the wrong width; every other row goes to
/// `each` with its line in the file, which is `line_offset` more than its line in `reader`.
/// Rows are read `BATCH_ROWS` at a time, and `warm` sees each row `WARM_AHEAD` rows before
/// `each` does: a lookup's memory is fetched while the rows before it are checked, not
/// waited for row by row, and only a few rows' fetches are under way at once (a processor
/// holds only so many; a whole batch's at once took more time).
fn read_rows<Out: Report>(
    reader: &mut impl RowSource,
    columns: &Columns,
    line_offset: u64,
    progress: &(dyn Fn(ImportProgress) + Sync),
    out: &mut Out,
    warm: &dyn Fn(&csv::ByteRecord),
    mut each: impl FnMut(&mut Out, &csv::ByteRecord, u64),
) {
    let mut batch: Vec<csv::ByteRecord> = vec![csv::ByteRecord::new(); BATCH_ROWS];
    let mut filled = 0;
    let mut flush = |out: &mut Out, rows: &[csv::ByteRecord]| {
        for record in rows.iter().take(WARM_AHEAD) {
            warm(record);
        }
        for (at, record) in rows.iter().enumerate() {
            if let Some(ahead) = rows.get(at + WARM_AHEAD) {
                warm(ahead);
            }
            let line = record.position().map_or(0, |p| p.line()) + line_offset;
            if let Some((at, message)) = columns.width_problem(record.len(), line) {
                if let Some(first) = record.get(0) {
                    out.misshapen(first);
                }
                out.report(
                    ProblemKind::Syntax,
                    at,
                    message,
                    Some(QUOTE_HELP.to_owned()),
                );
                continue;
            }
            each(out, record, line);
        }
    };
    let mut told = reader.position().byte();
    loop {
        if reader.position().line().is_multiple_of(PROGRESS_ROWS) {
            let at = reader.position().byte();
            progress(ImportProgress::Checked { bytes: at - told });
            told = at;
        }
        match reader.read_byte_record(&mut batch[filled]) {
            Ok(false) => break,
            Ok(true) => {
                filled += 1;
                if filled == BATCH_ROWS {
                    flush(out, &batch);
                    filled = 0;
                }
            }
            Err(e) => {
                flush(out, &batch[..filled]);
                filled = 0;
                let line = e.position().map_or(0, |p| p.line()) + line_offset;
                out.report(
                    ProblemKind::Syntax,
                    columns.row_at(line),
                    format!("unreadable row: {e}"),
                    None,
                );
            }
        }
    }
    flush(out, &batch[..filled]);
    progress(ImportProgress::Checked {
        bytes: reader.position().byte() - told,
    });
}

/// Where rows come from: the CSV reader, or `PlainRows` for CSV that needs no more than
/// splitting.
trait RowSource {
    /// Reads the next row into `record`, with its position; false at the end.
    fn read_byte_record(&mut self, record: &mut csv::ByteRecord) -> csv::Result<bool>;
    /// Where the next row starts.
    fn position(&self) -> &csv::Position;
}

impl<R: Read> RowSource for csv::Reader<R> {
    fn read_byte_record(&mut self, record: &mut csv::ByteRecord) -> csv::Result<bool> {
        csv::Reader::read_byte_record(self, record)
    }

    fn position(&self) -> &csv::Position {
        csv::Reader::position(self)
    }
}

/// The rows of CSV text with no quote and no carriage return, read by splitting at commas
/// and line ends, which is all such text needs and several times faster than the general
/// reader. Rows come out as the CSV reader gives them: blank lines skipped, each with the
/// line the reader gives it.
struct PlainRows<'b> {
    rest: &'b [u8],
    next: csv::Position,
}

impl<'b> PlainRows<'b> {
    /// The rows of `bytes`, whose first line is line `first_line` of its file; `None` when
    /// the text has a quote or a carriage return, which only the CSV reader reads right.
    fn of(bytes: &'b [u8], first_line: u64) -> Option<PlainRows<'b>> {
        if memchr::memchr2(b'"', b'\r', bytes).is_some() {
            return None;
        }
        let mut next = csv::Position::new();
        next.set_line(first_line);
        Some(PlainRows { rest: bytes, next })
    }
}

impl RowSource for PlainRows<'_> {
    fn read_byte_record(&mut self, record: &mut csv::ByteRecord) -> csv::Result<bool> {
        // The CSV reader gives a row after blank lines the line after the row before; so do
        // these rows, so that a problem is reported at the same line whichever reads it.
        let start = self.next.clone();
        loop {
            let Some(&first) = self.rest.first() else {
                return Ok(false);
            };
            let end = memchr::memchr(b'\n', self.rest).unwrap_or(self.rest.len());
            let line = &self.rest[..end];
            let taken = (end + 1).min(self.rest.len());
            let at = self.next.clone();
            self.rest = &self.rest[taken..];
            self.next.set_byte(at.byte() + taken as u64);
            self.next.set_line(at.line() + 1);
            self.next
                .set_record(at.record() + u64::from(first != b'\n'));
            if line.is_empty() {
                continue;
            }
            record.clear();
            for field in line.split(|b| *b == b',') {
                record.push_field(field);
            }
            let mut position = at;
            position.set_line(start.line());
            record.set_position(Some(position));
            return Ok(true);
        }
    }

    fn position(&self) -> &csv::Position {
        &self.next
    }
}

impl Report for Importer<'_> {
    fn problems(&mut self) -> &mut Vec<Problem> {
        &mut self.problems
    }

    /// A node row's first cell is its id: edges naming it stay quiet.
    fn misshapen(&mut self, first: &[u8]) {
        self.rejected_ids
            .insert(String::from_utf8_lossy(first).into_owned());
    }
}

impl Report for EdgeChecker {
    fn problems(&mut self) -> &mut Vec<Problem> {
        &mut self.problems
    }

    fn ascii(&self) -> bool {
        self.ascii
    }
}

impl Importer<'_> {
    /// Checks the header: every required column present, each column once, and no column
    /// that looks like a misspelt fixed one; `classify` says what each other column holds.
    fn header(
        &mut self,
        file: Arc<str>,
        reader: &mut csv::Reader<impl Read>,
        known: &[&str],
        required: &[&str],
        classify: &dyn Fn(&str) -> Holds,
    ) -> Option<Columns> {
        let header = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                let at = Location::line_of(file, 1);
                self.report(
                    ProblemKind::Syntax,
                    at,
                    format!("cannot read the header: {e}"),
                    None,
                );
                return None;
            }
        };
        let mut names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        if let Some(first) = names.first_mut()
            && let Some(rest) = first.strip_prefix('\u{feff}')
        {
            *first = rest.to_owned();
        }
        if let Some(mapped) = &self.mapped {
            if mapped.header.len() != names.len() {
                let at = Location::line_of(file, 1);
                let message = "the mapping's header has another width than the file's";
                self.report(ProblemKind::Syntax, at, message.to_owned(), None);
                return None;
            }
            names.clone_from(&mapped.header);
        }
        let mut columns = Columns {
            trim: self.mapped.is_some(),
            file: file.clone(),
            index: known
                .iter()
                .map(|k| names.iter().position(|n| n == k))
                .collect(),
            names: names.clone(),
            more: Vec::new(),
        };
        let mut ok = true;
        for (index, name) in names.iter().enumerate() {
            if names[..index].contains(name) {
                ok = false;
                self.report(
                    ProblemKind::Syntax,
                    columns.at(1, name),
                    format!("the header has two \"{name}\" columns"),
                    Some("rename or remove one of them".to_owned()),
                );
                continue;
            }
            if known.contains(&name.as_str()) {
                continue;
            }
            let holds = classify(name);
            let near = suggest(name, known.iter().copied());
            // A mapped file's other columns were named by the importer, not misspelt.
            let misspelt =
                self.mapped.is_none() && matches!(holds, Holds::Free) && !near.is_empty();
            if name.is_empty() || misspelt {
                ok = false;
                let help = did_you_mean(&near).map_or_else(
                    || {
                        format!(
                            "the columns are {}, and any other named column",
                            known.join(",")
                        )
                    },
                    |d| format!("{d} A column of another name is kept as a property."),
                );
                self.report(
                    ProblemKind::UnknownKey,
                    columns.at(1, name),
                    format!("unknown column \"{name}\""),
                    Some(help),
                );
                continue;
            }
            columns.more.push(MoreColumn {
                index,
                name: name.clone(),
                holds,
            });
        }
        for column in required {
            if !names.iter().any(|n| n == column) {
                ok = false;
                self.report(
                    ProblemKind::MissingField,
                    columns.at(1, column),
                    format!("the header has no \"{column}\" column"),
                    Some(format!("the header needs {}", required.join(","))),
                );
            }
        }
        ok.then_some(columns)
    }

    /// The source a `sources` cell's item names: an id as it is, a URL a source of its own
    /// (made on first sight, its id derived from the URL).
    fn cite(&mut self, file: &str, item: &str) -> String {
        if let Some(id) = self.cited.get(item) {
            return id.clone();
        }
        let source = match url_source(item) {
            Some(mut source) => {
                let stem = source.id.clone();
                let mut n = 1;
                while self.graph.source(&source.id).is_some() {
                    n += 1;
                    source.id = format!("{stem}-{n}");
                }
                source
            }
            None => Source {
                id: item.to_owned(),
                title: format!("{item}, as cited in {file}"),
                publisher: file.to_owned(),
                date: None,
                url: None,
                language: None,
            },
        };
        let id = source.id.clone();
        if self.graph.source(&id).is_none() {
            self.graph.add_source(source);
        }
        self.cited.insert(item.to_owned(), id.clone());
        id
    }

    /// A node or relationship's `sources` value from a checked cell.
    fn sources_value(&mut self, file: &str, cell: &Value) -> Value {
        let items: Vec<String> = cell
            .as_str()
            .map(|text| split_list(text).map(|s| s.to_owned()).collect())
            .unwrap_or_default();
        Value::List(
            items
                .iter()
                .map(|item| Value::from(self.cite(file, item).as_str()))
                .collect(),
        )
    }

    fn nodes(&mut self, file: Arc<str>, scan: &Scan<'_>) {
        let input = scan.bytes();
        let mut reader = reader(input);
        let vocabulary = self.graph.shared_vocabulary();
        let classify = |name: &str| match name {
            "sources" => Holds::Sources,
            "aliases" => Holds::List,
            "note" => Holds::Text,
            _ if vocabulary.identifier(name).is_some() => Holds::Identifier,
            _ => Holds::Free,
        };
        let Some(columns) = self.header(
            file.clone(),
            &mut reader,
            NODE_COLUMNS,
            NODE_REQUIRED,
            &classify,
        ) else {
            self.nodes_readable = false;
            return;
        };
        let kinds: Vec<&str> = vocabulary.kinds().iter().map(|k| k.name.as_str()).collect();
        let body = (reader.position().byte() as usize).min(input.len())..input.len();
        if !scan.quoted_from(body.start) {
            let pieces = scan.split_rows(body, 1, 2);
            if self.all_nodes(&file, &pieces, &columns, &kinds, &vocabulary) {
                return;
            }
        }
        read_rows(
            &mut reader,
            &columns,
            0,
            self.progress,
            self,
            &|_| {},
            |me, record, line| {
                let field =
                    |me: &mut Self, c: usize| me.text(&columns, record, line, c, NODE_COLUMNS);
                let (Some(id), Some(name), Some(kind), Some(country), Some(sector)) = (
                    field(me, 0),
                    field(me, 1),
                    field(me, 2),
                    field(me, 3),
                    field(me, 4),
                ) else {
                    return;
                };
                let mut ok = true;
                if id.is_empty() {
                    ok = false;
                    me.report(
                        ProblemKind::MissingField,
                        columns.at(line, "id"),
                        "the id is empty".to_owned(),
                        Some(format!(
                            "ids use only a-z, 0-9 and '-', for example \"{}\"",
                            slugify(name)
                        )),
                    );
                } else if let Some(broken) = rules::slug(id) {
                    ok = false;
                    me.broken(broken, columns.at(line, "id"));
                } else if me.graph.node_by_id(id).is_some() {
                    ok = false;
                    me.broken(
                        rules::duplicate_entity_id(id, "on an earlier row"),
                        columns.at(line, "id"),
                    );
                }
                if name.trim().is_empty() {
                    ok = false;
                    me.report(
                        ProblemKind::MissingField,
                        columns.at(line, "name"),
                        "the name is empty".to_owned(),
                        None,
                    );
                } else if let Some(owner) = me.graph.nodes_by_name(name).first() {
                    ok = false;
                    let owner = me.graph.display_id(*owner);
                    me.broken(
                        rules::name_clash(name, &owner, ""),
                        columns.at(line, "name"),
                    );
                }
                let place = |k: &str| kinds.iter().position(|name| *name == k);
                let kind = match rules::word("kind", kind, place, &kinds) {
                    Ok(kind) => Some(kind),
                    Err(broken) => {
                        me.broken(broken, columns.at(line, "kind"));
                        None
                    }
                };
                let more = more_values(me, &columns, record, line, None, &vocabulary);
                let Some((kind, more)) = kind.zip(more).filter(|_| ok) else {
                    me.rejected_ids.insert(id.to_owned());
                    return;
                };
                let mut props = vec![("id", Value::from(id)), ("name", Value::from(name))];
                for (column, value) in &more {
                    let column = &columns.more[*column];
                    if let (Holds::Identifier, Some(text)) = (&column.holds, value.as_str())
                        && let Some(owner) =
                            me.graph.nodes_by_identifier(&column.name, text).first()
                    {
                        let owner = me.graph.display_id(*owner);
                        me.broken(
                            rules::duplicate_identifier(
                                &column.name,
                                text,
                                &owner,
                                " on an earlier row",
                            ),
                            columns.at(line, &column.name),
                        );
                        me.rejected_ids.insert(id.to_owned());
                        return;
                    }
                }
                for (column, value) in more {
                    let column = &columns.more[column];
                    let value = match column.holds {
                        Holds::Sources => me.sources_value(&file, &value),
                        _ => value,
                    };
                    props.push((column.name.as_str(), value));
                }
                if !country.is_empty() {
                    props.push(("country", Value::from(country)));
                }
                if !sector.is_empty() {
                    props.push(("sector", Value::from(sector)));
                }
                let node = me
                    .graph
                    .add_node([vocabulary.labels()[kind].as_str()], props);
                if me.node_kinds.len() <= node.index() {
                    me.node_kinds.resize(node.index() + 1, NO_KIND);
                }
                me.node_kinds[node.index()] = u16::try_from(kind).unwrap_or(NO_KIND);
            },
        );
    }

    /// Reads the node rows (no field quoted) on two threads and numbers them all at once,
    /// when every row passes every check: into an empty graph they are added while the
    /// relationships are checked (`add_read_nodes` adds them when there are none). Returns false, having changed nothing, when some row has
    /// a problem or may clash with an earlier one (the same id, name or identifier): the rows
    /// are then read one by one, which reports each problem at its row.
    fn all_nodes(
        &mut self,
        file: &str,
        cut: &[Rows<'_>],
        columns: &Columns,
        kinds: &[&str],
        vocabulary: &Vocabulary,
    ) -> bool {
        let read: Vec<Option<NodePiece>> = std::thread::scope(|scope| {
            let handles: Vec<_> = cut
                .iter()
                .map(|rows| scope.spawn(move || read_nodes(rows, columns, kinds, vocabulary)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        });
        let Some(mut pieces) = read.into_iter().collect::<Option<Vec<NodePiece>>>() else {
            return false;
        };
        let kinds: Vec<u16> = pieces
            .iter()
            .flat_map(|p| p.rows.iter().map(|r| r.kind))
            .collect();
        // The ids are told apart by the map the relationships' ends will be found through,
        // built while the names and identifiers are compared on another thread.
        let slots = std::mem::take(&mut self.id_slots);
        let (names_distinct, ids) = std::thread::scope(|scope| {
            let names = scope.spawn(|| distinct_names(&pieces, columns));
            let ids = IdMap::of_distinct_ids(|| node_ids(&pieces), &kinds, slots);
            let names = names
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (names, ids.map(IdMap::into_slots))
        });
        let id_slots = match ids {
            Ok(slots) if names_distinct => slots,
            Ok(slots) | Err(slots) => {
                self.id_slots = slots;
                return false;
            }
        };
        // Cited sources are made in row order, as each row would make them.
        for piece in &mut pieces {
            for row in &mut piece.rows {
                for (column, value) in row.more.iter_mut().flat_map(|m| m.iter_mut()) {
                    if matches!(columns.more[*column].holds, Holds::Sources) {
                        *value = self.sources_value(file, value);
                    }
                }
            }
        }
        let read = ReadNodes {
            labels: vocabulary.labels().to_vec(),
            keys: ["id", "name"]
                .into_iter()
                .chain(columns.more.iter().map(|c| c.name.as_str()))
                .chain(["country", "sector"])
                .map(str::to_owned)
                .collect(),
            more: columns.more.len(),
            pieces,
            id_slots,
        };
        self.node_kinds = kinds;
        // Into an empty graph the nodes are added while the relationships are checked.
        let before = self.graph.node_index_bound();
        if before == 0 {
            self.read_nodes = Some(read);
        } else {
            read.append_to(&mut self.graph);
            self.id_slots = read.id_slots;
            // Kinds go by node number: the rows' nodes come after those already there.
            self.node_kinds
                .splice(0..0, std::iter::repeat_n(NO_KIND, before));
        }
        (self.progress)(ImportProgress::Checked {
            bytes: cut.iter().map(|rows| rows.bytes.len() as u64).sum(),
        });
        true
    }

    /// Adds the nodes read but not yet added.
    fn add_read_nodes(&mut self) {
        if let Some(read) = self.read_nodes.take()
            && self.problems.is_empty()
        {
            read.append_to(&mut self.graph);
        }
    }

    /// Reads the relationships: rows are checked and their endpoints found on two threads
    /// when the file can be cut between rows (no quoted field, so no newline inside one), then
    /// added in file order, so relationship numbers do not depend on the cut.
    fn edges(&mut self, file: Arc<str>, scan: &Scan<'_>) {
        let input = scan.bytes();
        let mut reader = reader(input);
        let vocabulary = self.graph.shared_vocabulary();
        let classify = |name: &str| match name {
            "sources" => Holds::Sources,
            _ => vocabulary
                .property(name)
                .map_or(Holds::Free, |def| Holds::Property(def.clone())),
        };
        let Some(columns) = self.header(
            file.clone(),
            &mut reader,
            EDGE_COLUMNS,
            EDGE_REQUIRED,
            &classify,
        ) else {
            return;
        };
        let body = (reader.position().byte() as usize).min(input.len())..input.len();
        let first_line = reader.position().line();
        let parts = if scan.quoted_from(body.start) { 1 } else { 2 };
        let pieces = scan.split_rows(body, first_line, parts);
        let slots = std::mem::take(&mut self.id_slots);
        let mut read_nodes = self.read_nodes.take();
        let filled = read_nodes
            .as_mut()
            .map(|read| std::mem::take(&mut read.id_slots));
        let mut checked: Vec<EdgeChecker> = {
            let vocabulary = self.graph.shared_vocabulary();
            let rates = self.graph.fx_rates().to_vec();
            let Importer {
                graph,
                rejected_ids,
                node_kinds,
                progress,
                nodes_readable,
                ..
            } = self;
            // Nodes waiting to be added go in on a thread of their own while the rows are
            // checked against the map of their ids.
            let (graph_read, graph_filled): (Option<&Graph>, Option<&mut Graph>) = match &read_nodes
            {
                Some(_) => (None, Some(graph)),
                None => (Some(graph), None),
            };
            let ids = match (&read_nodes, graph_read) {
                (Some(read), _) => Some(IdMap::filled(|| read.ids(), filled.unwrap_or(slots))),
                (None, Some(graph)) => IdMap::of(graph, node_kinds, slots),
                (None, None) => None,
            };
            let context = EdgeContext {
                progress: *progress,
                vocabulary: &vocabulary,
                graph: graph_read,
                ids: ids.as_ref(),
                rejected_ids,
                nodes_readable: *nodes_readable,
                suggested: self.suggested,
                columns: &columns,
                node_kinds,
                amount_def: vocabulary.property("amount_usd"),
                stake_def: vocabulary.property("stake_pct"),
                on_type_only: self.mapped.is_some(),
                rates: &rates,
                spellings: vocabulary
                    .relationships()
                    .iter()
                    .map(|r| r.name.as_str())
                    .chain(vocabulary.edge_types().iter().map(String::as_str))
                    .collect(),
                joins: vocabulary
                    .relationships()
                    .iter()
                    .map(|r| {
                        let bits = |allowed: &[String]| {
                            vocabulary
                                .kinds()
                                .iter()
                                .enumerate()
                                .fold(0u64, |bits, (i, k)| {
                                    if i < 64 && (allowed.is_empty() || allowed.contains(&k.name)) {
                                        bits | 1 << i
                                    } else {
                                        bits
                                    }
                                })
                        };
                        [bits(&r.from), bits(&r.to)]
                    })
                    .collect(),
            };
            std::thread::scope(|scope| {
                let adding = graph_filled
                    .zip(read_nodes.as_ref())
                    .map(|(graph, read)| scope.spawn(move || read.append_to(graph)));
                let handles: Vec<_> = pieces
                    .iter()
                    .map(|rows| {
                        let context = &context;
                        scope.spawn(move || context.check(rows))
                    })
                    .collect();
                let checked = handles
                    .into_iter()
                    .map(|h| h.join().expect("a checker thread does not panic"))
                    .collect();
                if let Some(adding) = adding {
                    adding
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                }
                checked
            })
        };
        for piece in &mut checked {
            piece.keep_first_suggestions(self.suggested);
            self.suggested += piece.unknown_ends;
            self.problems.append(&mut piece.problems);
        }
        if !self.problems.is_empty() {
            // The graph will be discarded; skip the work of building it.
            return;
        }
        if self.mapped.is_some() {
            let Some(repeated) = self.repeated_ties(&file, &checked) else {
                return;
            };
            // Left out before building, so that building is the same for every file.
            for (piece, gone) in checked.iter_mut().zip(&repeated) {
                piece.drop_rows(gone);
            }
        }
        (self.progress)(ImportProgress::Building);
        // Cited sources are made in row order, as each row would make them.
        for piece in &mut checked {
            for (_, more) in &mut piece.more {
                for (column, value) in more.iter_mut() {
                    if matches!(columns.more[*column].holds, Holds::Sources) {
                        *value = self.sources_value(&file, value);
                    }
                }
            }
        }
        let vocabulary = self.graph.shared_vocabulary();
        let types: Vec<&str> = (0..vocabulary.relationships().len())
            .map(|rel| vocabulary.edge_type_at(rel))
            .collect();
        // Each row's properties: the other columns', then the fixed ones, in this order, then
        // the source a mapped file's rows cite.
        let fixed = columns.more.len();
        let cites = self.mapped.as_ref().and_then(|m| m.cites.clone());
        let keys: Vec<&str> = columns
            .more
            .iter()
            .map(|c| c.name.as_str())
            .chain(["amount_usd", "date", "stake_pct"])
            .chain(cites.as_ref().map(|_| "sources"))
            .collect();
        let ends = || {
            checked.iter().flat_map(|piece| {
                piece.edges.iter().map(|edge| NewEdge {
                    from: edge.from,
                    to: edge.to,
                    rel: usize::from(edge.rel),
                })
            })
        };
        let checked_edges = || checked.iter().flat_map(|piece| piece.edges.iter());
        let amounts = || -> Box<dyn Iterator<Item = Option<Scalar>> + '_> {
            Box::new(checked_edges().map(|e| {
                (!e.amount.is_nan())
                    .then(|| Scalar::of(&Value::money(e.amount)))
                    .flatten()
            }))
        };
        let dates = || -> Box<dyn Iterator<Item = Option<Scalar>> + '_> {
            Box::new(checked_edges().map(|e| e.date.map(Scalar::Date)))
        };
        let stakes = || -> Box<dyn Iterator<Item = Option<Scalar>> + '_> {
            Box::new(checked_edges().map(|e| (!e.stake.is_nan()).then_some(Scalar::Float(e.stake))))
        };
        let fixed_columns = [
            EdgeColumn {
                key: fixed,
                values: &amounts,
            },
            EdgeColumn {
                key: fixed + 1,
                values: &dates,
            },
            EdgeColumn {
                key: fixed + 2,
                values: &stakes,
            },
        ];
        // The other columns' values and the cited source, row by row.
        let mut others = |row: &mut EdgeSink<'_>| {
            // One list for every row's values: a chain of a row's optional values costs a
            // step through each link for every value read.
            let mut values: Vec<(usize, RowValue<'_>)> = Vec::with_capacity(fixed + 1);
            for piece in &checked {
                let mut others = piece.more.iter().peekable();
                for place in 0..piece.edges.len() {
                    let more = others
                        .next_if(|(at, _)| *at == place)
                        .map_or(&[][..], |(_, more)| &more[..]);
                    values.clear();
                    values.extend(
                        more.iter()
                            .map(|(column, value)| (*column, row_value(value))),
                    );
                    if let Some(id) = &cites {
                        values.push((fixed + 3, RowValue::OneTextList(id.as_str())));
                    }
                    row(&mut values.drain(..));
                }
            }
        };
        let others: Option<&mut EdgeRows<'_>> = if fixed > 0 || cites.is_some() {
            Some(&mut others)
        } else {
            None
        };
        self.graph
            .append_edges(&types, &keys, &ends, &fixed_columns, others);
    }
}

/// What `append_mapped` added.
pub struct Appended {
    pub graph: Graph,
    /// Relationship rows that were the same tie as an earlier row, and added once.
    pub same_ties: usize,
}

/// A file of the `csv` importer added to `graph` by this reader, on every core:
/// entities, or relationships when `ties`. `header` names each of the file's columns as this
/// reader knows them; every cell is read trimmed; each relationship cites the source `cites`
/// (which the graph must hold); and a row that is the same tie as an earlier one is added
/// once. The checks are this reader's, each property checked against its tie's type as well.
/// The importer checks the new elements by the element rules too.
///
/// # Errors
/// `LoadError::Invalid` with the problems found; the importer then reads the file its own
/// way, which reports them as it does.
pub fn append_mapped(
    graph: Graph,
    file: &str,
    bytes: &[u8],
    header: Vec<String>,
    ties: bool,
    cites: Option<String>,
) -> Result<Appended, LoadError> {
    let scan = Scan::of(bytes);
    let kinds = if ties { node_kinds(&graph) } else { Vec::new() };
    let slots = if ties {
        Vec::new()
    } else {
        IdMap::room(scan.lines())
    };
    let mapped = Mapped {
        header,
        cites,
        same_ties: 0,
    };
    let mut importer = Importer::new(&|_| {}, graph, slots, Some(mapped));
    if ties {
        importer.node_kinds = kinds;
        importer.edges(Arc::from(file), &scan);
    } else {
        importer.nodes(Arc::from(file), &scan);
        importer.add_read_nodes();
    }
    if importer.problems.is_empty() {
        Ok(Appended {
            same_ties: importer.mapped.map_or(0, |m| m.same_ties),
            graph: importer.graph,
        })
    } else {
        Err(LoadError::Invalid {
            problems: importer.problems,
        })
    }
}

/// Each node's kind, as its place in the vocabulary (`NO_KIND` for none), by node number.
fn node_kinds(graph: &Graph) -> Vec<u16> {
    let vocabulary = graph.vocabulary();
    let labels = vocabulary.labels();
    let mut kinds = vec![NO_KIND; graph.node_index_bound()];
    for node in graph.nodes() {
        if let Some(kind) = graph
            .node_labels(node)
            .find_map(|label| labels.iter().position(|l| l == label))
        {
            kinds[node.index()] = u16::try_from(kind).unwrap_or(NO_KIND);
        }
    }
    kinds
}

impl Importer<'_> {
    /// Which of a mapped file's checked rows repeat the tie of an earlier row, by piece and
    /// place: the same type, ends and values, the derived `amount_usd` aside (as the
    /// importer's merge tells ties apart). `None` after reporting a row whose tie the graph
    /// holds already, which only the importer's general merge settles.
    fn repeated_ties(
        &mut self,
        file: &Arc<str>,
        checked: &[EdgeChecker],
    ) -> Option<Vec<Vec<bool>>> {
        type Key = (u32, u32, u16);
        type Row = (usize, usize);
        let key = |edge: &CheckedEdge| (edge.from.index() as u32, edge.to.index() as u32, edge.rel);
        let hash = |edge: &CheckedEdge| {
            use std::hash::BuildHasher;
            row_hasher().hash_one(key(edge))
        };
        // Most rows are a tie of their own: a map of every row's ends would be a random probe
        // into hundreds of megabytes a row. The rows' hashes are sorted instead, on a thread
        // a piece, and only rows whose hash comes back are compared.
        let sorted: Vec<Vec<u64>> = std::thread::scope(|scope| {
            let handles: Vec<_> = checked
                .iter()
                .map(|piece| {
                    scope.spawn(move || {
                        let mut hashes: Vec<u64> = piece.edges.iter().map(hash).collect();
                        hashes.sort_unstable();
                        hashes
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let again = hashes_seen_twice(&sorted);
        drop(sorted);
        let more_of = |(p, place): Row| -> &[(usize, Value)] {
            let more = &checked[p].more;
            more.binary_search_by_key(&place, |(at, _)| *at)
                .map_or(&[][..], |i| &more[i].1[..])
        };
        let same = |a: Row, b: Row| {
            let (x, y) = (&checked[a.0].edges[a.1], &checked[b.0].edges[b.1]);
            let (more_x, more_y) = (more_of(a), more_of(b));
            (x.stake == y.stake || (x.stake.is_nan() && y.stake.is_nan()))
                && x.date == y.date
                && more_x.len() == more_y.len()
                && more_x
                    .iter()
                    .zip(more_y)
                    .all(|((i, v), (j, w))| i == j && v.same_as(w))
        };
        let mut repeated: Vec<Vec<bool>> = checked
            .iter()
            .map(|piece| vec![false; piece.edges.len()])
            .collect();
        // The rows of each pair of ends whose hash comes back: the first, and those not the
        // same tie as an earlier one.
        let mut rows: HashMap<Key, Vec<Row>> = HashMap::new();
        let graph = &self.graph;
        let vocabulary = graph.vocabulary();
        let had_ties = graph.edge_count() > 0;
        for (p, piece) in checked.iter().enumerate() {
            for (place, edge) in piece.edges.iter().enumerate() {
                let edge_type = vocabulary.edge_type_at(usize::from(edge.rel));
                if had_ties
                    && graph
                        .edges_of(edge.from, crate::store::Direction::Outgoing)
                        .any(|(e, other)| other == edge.to && graph.edge_type(e) == edge_type)
                {
                    let message = "a relationship of this type between these ends is there already";
                    self.report(
                        ProblemKind::MergeConflict,
                        Location::line_of(file.clone(), 0),
                        message.to_owned(),
                        None,
                    );
                    return None;
                }
                if !again.contains(&hash(edge)) {
                    continue;
                }
                let list = rows.entry(key(edge)).or_default();
                // The first row stands, as the merge keeps the first of one tie.
                if list.iter().any(|earlier| same(*earlier, (p, place))) {
                    repeated[p][place] = true;
                } else {
                    list.push((p, place));
                }
            }
        }
        if let Some(mapped) = &mut self.mapped {
            mapped.same_ties = repeated.iter().flatten().filter(|r| **r).count();
        }
        Some(repeated)
    }
}

/// The values found more than once across `lists`, each sorted.
fn hashes_seen_twice(lists: &[Vec<u64>]) -> HashSet<u64, foldhash::fast::FixedState> {
    let mut again = HashSet::with_hasher(row_hasher());
    let mut at = vec![0; lists.len()];
    let mut last = None;
    // A merge of the sorted lists: the smallest value next, each time.
    while let Some((k, &value)) = lists
        .iter()
        .zip(&at)
        .enumerate()
        .filter_map(|(k, (list, &i))| list.get(i).map(|v| (k, v)))
        .min_by_key(|(_, v)| **v)
    {
        if last == Some(value) {
            again.insert(value);
        }
        last = Some(value);
        at[k] += 1;
    }
    again
}

/// A read value as a bulk row passes it on: text by reference, so it is not copied again.
fn row_value(value: &Value) -> RowValue<'_> {
    match value {
        Value::String(text) => RowValue::Text(text),
        other => RowValue::Value(other.clone()),
    }
}

/// Every node row of a file, checked, waiting to be added to the graph.
struct ReadNodes {
    pieces: Vec<NodePiece>,
    labels: Vec<String>,
    /// The property keys, by their place: id, name, the other columns', country, sector.
    keys: Vec<String>,
    /// How many other columns the file has.
    more: usize,
    /// The map of the rows' ids (`IdMap::of_distinct_ids`), given up.
    id_slots: Vec<IdSlot>,
}

impl ReadNodes {
    /// Every row's id, in row order: node numbers when they go into an empty graph.
    fn ids(&self) -> impl Iterator<Item = &str> {
        node_ids(&self.pieces)
    }

    fn append_to(&self, graph: &mut Graph) {
        let labels: Vec<&str> = self.labels.iter().map(String::as_str).collect();
        let keys: Vec<&str> = self.keys.iter().map(String::as_str).collect();
        let more = self.more;
        graph.append_nodes(&labels, &keys, &mut |node| {
            for piece in &self.pieces {
                for row in &piece.rows {
                    let [id, name, country, sector] = piece.cells(row);
                    let mut values = [(0, id), (1, name)]
                        .into_iter()
                        .map(|(k, text)| (k, RowValue::Text(text)))
                        .chain(
                            row.more
                                .iter()
                                .flat_map(|m| m.iter())
                                .map(|(column, value)| (column + 2, row_value(value))),
                        )
                        .chain(
                            [(more + 2, country), (more + 3, sector)]
                                .into_iter()
                                .filter(|(_, text)| !text.is_empty())
                                .map(|(k, text)| (k, RowValue::Text(text))),
                        );
                    node(usize::from(row.kind), &mut values);
                }
            }
        });
    }
}

/// Every row's id, in row order.
fn node_ids(pieces: &[NodePiece]) -> impl Iterator<Item = &str> {
    pieces
        .iter()
        .flat_map(|piece| piece.rows.iter().map(|row| piece.cells(row)[0]))
}

/// Node rows that passed every check of their own, read on one thread: their texts side by
/// side, and what the graph needs of each row.
struct NodePiece {
    text: String,
    rows: Vec<NodeRow>,
    /// The hashes of the rows' folded aliases, by the row's place in `rows`: apart from the
    /// rows, so that a row costs no allocation of its own.
    aliases: Vec<(usize, u64)>,
}

/// A checked node row: where its id, name, country and sector sit in its piece's text, its
/// kind, the hash of its folded name, and its other values.
struct NodeRow {
    start: usize,
    lens: [u32; 4],
    kind: u16,
    name_hash: u64,
    more: Option<MoreValues>,
}

impl NodePiece {
    fn cells(&self, row: &NodeRow) -> [&str; 4] {
        let mut at = row.start;
        row.lens.map(|len| {
            let cell = &self.text[at..at + len as usize];
            at += len as usize;
            cell
        })
    }
}

/// A report that keeps what it is told, for rows whose problems are reported again later.
struct Quiet(Vec<Problem>);

impl Report for Quiet {
    fn problems(&mut self) -> &mut Vec<Problem> {
        &mut self.0
    }
}

/// The hasher of ids and folded names while node rows are compared.
fn row_hasher() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(0x5eed)
}

/// Reads node rows (no field quoted) that each pass every check of their own; `None` at the
/// first row that does not, or that cannot be kept in a piece.
fn read_nodes(
    rows: &Rows<'_>,
    columns: &Columns,
    kinds: &[&str],
    vocabulary: &Vocabulary,
) -> Option<NodePiece> {
    use std::hash::BuildHasher;
    let bytes = rows.bytes;
    let ascii = rows.ascii;
    let mut plain = PlainRows::of(bytes, 1);
    let mut general = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    let reader: &mut dyn RowSource = match &mut plain {
        Some(plain) => plain,
        None => &mut general,
    };
    let mut record = csv::ByteRecord::new();
    let mut piece = NodePiece {
        text: String::with_capacity(bytes.len()),
        rows: Vec::with_capacity(rows.lines + 1),
        aliases: Vec::new(),
    };
    let hasher = row_hasher();
    let mut folded = String::new();
    let mut quiet = Quiet(Vec::new());
    while reader.read_byte_record(&mut record).ok()? {
        if columns.width_problem(record.len(), 0).is_some() {
            return None;
        }
        let cell = |c: usize| {
            cell_text(columns.get(&record, c), ascii)
                .map(|text| if columns.trim { text.trim() } else { text })
        };
        let cells = [cell(0)?, cell(1)?, cell(3)?, cell(4)?];
        let [id, name, ..] = cells;
        if id.is_empty() || !is_slug(id) || name.trim().is_empty() {
            return None;
        }
        let kind = cell(2)?;
        let kind = u16::try_from(kinds.iter().position(|k| *k == kind)?).ok()?;
        let more = if columns.more.is_empty() {
            None
        } else {
            let more = more_values(&mut quiet, columns, &record, 0, None, vocabulary)?;
            if !quiet.0.is_empty() {
                return None;
            }
            (!more.is_empty()).then(|| more.into_boxed_slice())
        };
        fold_name_into(name, &mut folded);
        let name_hash = hasher.hash_one(folded.as_str());
        let aliases = more
            .iter()
            .flat_map(|m| m.iter())
            .filter(|(column, _)| matches!(columns.more[*column].holds, Holds::List));
        for (_, value) in aliases {
            for alias in value.as_str_list().unwrap_or_default() {
                fold_name_into(alias, &mut folded);
                piece
                    .aliases
                    .push((piece.rows.len(), hasher.hash_one(folded.as_str())));
            }
        }
        let start = piece.text.len();
        let mut lens = [0u32; 4];
        for (len, text) in lens.iter_mut().zip(cells) {
            *len = u32::try_from(text.len()).ok()?;
            piece.text.push_str(text);
        }
        piece.rows.push(NodeRow {
            start,
            lens,
            kind,
            name_hash,
            more,
        });
    }
    Some(piece)
}

/// Whether no node row of `pieces` may clash with an earlier one by name or identifier: a
/// name that folds as an earlier name or alias does, or the same identifier. They are compared
/// by hash, so two that differ may look alike, and then the rows are read one by one, which
/// tells them apart. (Ids are told apart by `IdMap::of_distinct_ids`.)
fn distinct_names(pieces: &[NodePiece], columns: &Columns) -> bool {
    use std::hash::BuildHasher;
    let count = pieces.iter().map(|p| p.rows.len()).sum();
    let mut names: hashbrown::HashSet<u64> = hashbrown::HashSet::with_capacity(count);
    let mut identifiers: HashSet<(usize, u64)> = HashSet::new();
    let hasher = row_hasher();
    for piece in pieces {
        let mut aliases = piece.aliases.iter().peekable();
        for (r, row) in piece.rows.iter().enumerate() {
            if !names.insert(row.name_hash) {
                return false;
            }
            while let Some((_, alias)) = aliases.next_if(|(at, _)| *at == r) {
                names.insert(*alias);
            }
            for (column, value) in row.more.iter().flat_map(|m| m.iter()) {
                if let (Holds::Identifier, Some(text)) =
                    (&columns.more[*column].holds, value.as_str())
                    && !identifiers.insert((*column, hasher.hash_one(text)))
                {
                    return false;
                }
            }
        }
    }
    true
}

/// What checking a relationship row reads: the vocabulary, and the nodes through the map of
/// their ids, or through the graph when they are in it already.
struct EdgeContext<'a> {
    progress: &'a (dyn Fn(ImportProgress) + Sync),
    vocabulary: &'a Vocabulary,
    /// The graph the nodes are in, when they are in it already.
    graph: Option<&'a Graph>,
    /// The nodes by id, when the graph is small enough for the map.
    ids: Option<&'a IdMap<'a>>,
    rejected_ids: &'a HashSet<String>,
    nodes_readable: bool,
    /// How many unknown ends the import met before this file.
    suggested: usize,
    columns: &'a Columns,
    node_kinds: &'a [u16],
    /// Every spelling of a relationship type, for a "did you mean".
    spellings: Vec<&'a str>,
    /// Per relationship type, the kinds (as bits by their place in the vocabulary) it may
    /// start and end at.
    joins: Vec<[u64; 2]>,
    /// The definitions the amount and stake columns are checked against.
    amount_def: Option<&'a PropertyDef>,
    stake_def: Option<&'a PropertyDef>,
    /// Whether the amount, date and stake columns are checked to be properties the row's type
    /// carries, as the `csv` importer checks every property (a bulk file's may be on any tie).
    on_type_only: bool,
    /// The graph's exchange rates, which convert an amount in another currency to dollars.
    rates: &'a [crate::model::FxRate],
}

/// A relationship row that passed every check; NaN stands for an empty number.
struct CheckedEdge {
    from: NodeId,
    to: NodeId,
    /// The tie's position in the vocabulary, which holds at most 65,535 types: small, so
    /// that millions of checked rows stay small.
    rel: u16,
    amount: f64,
    stake: f64,
    date: Option<Date>,
}

/// The values of a row's columns beyond the fixed ones, by their place in `Columns::more`.
/// They sit beside the checked rows, not in them, so a file without such columns pays nothing
/// per row.
type MoreValues = Box<[(usize, Value)]>;

/// A row's other columns' values as they are read.
type RowValues = Vec<(usize, Value)>;

/// One piece of the relationships file, checked.
struct EdgeChecker {
    edges: Vec<CheckedEdge>,
    /// The other columns' values of the rows that have any, by the row's place in `edges`.
    more: Vec<(usize, MoreValues)>,
    problems: Vec<Problem>,
    /// How many ends of this piece's rows name no node.
    unknown_ends: usize,
    /// The problems of this piece given a "did you mean", each with its unknown end's place
    /// among the piece's: only the first few of the file keep it (`keep_first_suggestions`).
    suggestions: Vec<(usize, usize)>,
    /// Whether the piece's rows are all ASCII (every cell then is text).
    ascii: bool,
}

impl EdgeChecker {
    /// Leaves out the rows `gone` marks, the others keeping their values and their order.
    fn drop_rows(&mut self, gone: &[bool]) {
        let mut kept_before = Vec::with_capacity(gone.len());
        let mut kept = 0;
        for &dropped in gone {
            kept_before.push(kept);
            kept += usize::from(!dropped);
        }
        let mut place = 0;
        self.edges.retain(|_| {
            let keep = !gone[place];
            place += 1;
            keep
        });
        self.more.retain(|(at, _)| !gone[*at]);
        for (at, _) in &mut self.more {
            *at = kept_before[*at];
        }
    }
}

impl EdgeContext<'_> {
    fn check(&self, rows: &Rows<'_>) -> EdgeChecker {
        let (bytes, first_line) = (rows.bytes, rows.first_line);
        let mut out = EdgeChecker {
            edges: Vec::with_capacity(rows.lines + 1),
            more: Vec::new(),
            problems: Vec::new(),
            unknown_ends: 0,
            suggestions: Vec::new(),
            ascii: rows.ascii,
        };
        let warm = |record: &csv::ByteRecord| {
            if let Some(ids) = self.ids {
                for column in [0, 1] {
                    ids.warm(self.columns.get(record, column));
                }
            }
        };
        let each = |out: &mut EdgeChecker, record: &csv::ByteRecord, line| {
            if let Some((edge, more)) = self.row(out, record, line) {
                if let Some(more) = more.filter(|m| !m.is_empty()) {
                    out.more.push((out.edges.len(), more.into_boxed_slice()));
                }
                out.edges.push(edge);
            }
        };
        if let Some(mut rows) = PlainRows::of(bytes, first_line) {
            read_rows(
                &mut rows,
                self.columns,
                0,
                self.progress,
                &mut out,
                &warm,
                each,
            );
            return out;
        }
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(bytes);
        read_rows(
            &mut reader,
            self.columns,
            first_line - 1,
            self.progress,
            &mut out,
            &warm,
            each,
        );
        out
    }

    fn row(
        &self,
        out: &mut EdgeChecker,
        record: &csv::ByteRecord,
        line: u64,
    ) -> Option<(CheckedEdge, Option<RowValues>)> {
        let columns = self.columns;
        let field =
            |out: &mut EdgeChecker, c: usize| out.text(columns, record, line, c, EDGE_COLUMNS);
        let (Some(from), Some(to), Some(rel_type), Some(amount), Some(date), Some(stake)) = (
            field(out, 0),
            field(out, 1),
            field(out, 2),
            field(out, 3),
            field(out, 4),
            field(out, 5),
        ) else {
            return None;
        };
        let from_id = from;
        let from = self.endpoint(out, line, "from", from);
        let to_node = self.endpoint(out, line, "to", to);
        let vocabulary = self.vocabulary;
        let rel_type = match rules::word(
            "type",
            rel_type,
            |t| vocabulary.relationship_index(t),
            &self.spellings,
        ) {
            Ok(t) => Some(t),
            Err(broken) => {
                out.broken(broken, columns.at(line, "type"));
                None
            }
        };
        let mut number = |key: &str, text: &str, def: Option<&PropertyDef>| {
            let x = out.number(columns, line, key, text);
            if let Some(def) = def
                && let Some(broken) = x.flatten().and_then(|x| rules::number_in_range(def, x))
            {
                out.broken(broken, columns.at(line, key));
            }
            x
        };
        let amount = number("amount_usd", amount, self.amount_def);
        let stake = number("stake_pct", stake, self.stake_def);
        let date = if date.is_empty() {
            Some(None)
        } else {
            match date.parse::<Date>() {
                Ok(d) => Some(Some(d)),
                Err(e) => {
                    out.report(
                        ProblemKind::BadDate,
                        columns.at(line, "date"),
                        e.to_string(),
                        None,
                    );
                    None
                }
            }
        };
        let more = if columns.more.is_empty() {
            Some(None)
        } else {
            let rel = rel_type.and_then(|t| vocabulary.relationships().get(t));
            more_values(out, columns, record, line, rel, vocabulary).map(Some)
        };
        let (
            Some(from),
            Some(to_node),
            Some(rel_type),
            Some(mut amount),
            Some(stake),
            Some(date),
            Some(more),
        ) = (from, to_node, rel_type, amount, stake, date, more)
        else {
            return None;
        };
        if self.on_type_only {
            let def = &vocabulary.relationships()[rel_type];
            let written = [
                ("amount_usd", amount.is_some()),
                ("date", date.is_some()),
                ("stake_pct", stake.is_some()),
            ];
            for (key, _) in written.iter().filter(|(_, written)| *written) {
                if !vocabulary.allows(def, key) {
                    out.broken(rules::property_not_on(key, def), columns.at(line, key));
                    return None;
                }
            }
        }
        if let Some(more) = &more {
            amount = tie_rules(out, columns, line, more, (date, self.rates), amount)?;
        }
        let joins = self.joins[rel_type];
        for ((_, kind), end, id, column) in [(from, 0, from_id, "from"), (to_node, 1, to, "to")] {
            if kind < 64 && joins[end] & 1 << kind != 0 {
                continue;
            }
            let def = &vocabulary.relationships()[rel_type];
            let at_from = end == 0;
            let kind = match kind {
                NO_KIND => "unlabelled",
                kind => vocabulary
                    .kinds()
                    .get(usize::from(kind))
                    .map_or("unlabelled", |k| k.name.as_str()),
            };
            if !Vocabulary::may_join(def, kind, at_from) {
                out.broken(
                    rules::wrong_endpoint(def, at_from, id, kind),
                    columns.at(line, column),
                );
                return None;
            }
        }
        Some((
            CheckedEdge {
                from: from.0,
                to: to_node.0,
                rel: u16::try_from(rel_type).unwrap_or(u16::MAX),
                amount: amount.unwrap_or(f64::NAN),
                stake: stake.unwrap_or(f64::NAN),
                date,
            },
            more,
        ))
    }

    /// The node of id `id` and its kind (`NO_KIND` for a node this import did not read), or
    /// `None` after reporting that no node has the id.
    fn endpoint(
        &self,
        out: &mut EdgeChecker,
        line: u64,
        column: &str,
        id: &str,
    ) -> Option<(NodeId, u16)> {
        let found = match (self.ids, self.graph) {
            (Some(ids), _) => ids.get(id),
            (None, Some(graph)) => graph.node_by_id(id).map(|node| (node, None)),
            (None, None) => None,
        };
        if let Some((node, kind)) = found {
            let kind = kind.or_else(|| self.node_kinds.get(node.index()).copied());
            return Some((node, kind.unwrap_or(NO_KIND)));
        }
        if !self.nodes_readable || self.rejected_ids.contains(id) {
            return None;
        }
        // A piece cannot know how many unknown ends the pieces before it have: each suggests
        // for its first few, and those beyond the file's first few lose theirs afterwards.
        let place = out.unknown_ends;
        out.unknown_ends += 1;
        let help = if self.suggested + place < SUGGESTED_ENDPOINTS {
            match (self.ids, self.graph) {
                (Some(ids), _) => did_you_mean(&suggest(id, ids.ids())),
                (None, Some(graph)) => did_you_mean(&suggest(id, graph.ids())),
                (None, None) => None,
            }
        } else {
            None
        };
        if help.is_some() {
            out.suggestions.push((place, out.problems.len()));
        }
        out.report(
            ProblemKind::UnknownEntity,
            self.columns.at(line, column),
            format!("no node has the id \"{id}\""),
            help,
        );
        None
    }
}

impl EdgeChecker {
    /// Drops the "did you mean" of the unknown ends beyond the import's first
    /// `SUGGESTED_ENDPOINTS`, `before` of which came before this piece.
    fn keep_first_suggestions(&mut self, before: usize) {
        for (place, problem) in &self.suggestions {
            if before + place >= SUGGESTED_ENDPOINTS {
                self.problems[*problem].help = None;
            }
        }
    }

    /// An optional number: `Some(None)` for an empty cell, `None` after reporting a bad one.
    fn number(
        &mut self,
        columns: &Columns,
        line: u64,
        column: &str,
        text: &str,
    ) -> Option<Option<f64>> {
        if text.is_empty() {
            return Some(None);
        }
        match plain_decimal(text).map_or_else(|| text.parse::<f64>(), Ok) {
            Ok(x) if x.is_finite() => Some(Some(x)),
            _ => {
                self.report(
                    ProblemKind::WrongType,
                    columns.at(line, column),
                    format!("\"{text}\" is not a number"),
                    Some("write plain digits, such as 8900000000 or 8.9e9".to_owned()),
                );
                None
            }
        }
    }
}

/// The number a text of at most 15 digits with at most one point among them stands for,
/// read without the general parser: the digits make an integer below 2^53 and the point a
/// division by a power of ten below 10^16, both exact in a float, so the one rounding of the
/// division gives the float nearest the text, as the general parser does. `None` for any
/// other text (a sign, an exponent, more digits), which the general parser reads.
fn plain_decimal(text: &str) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let bytes = text.as_bytes();
    if bytes.len() > 16 {
        return None;
    }
    let (mut digits, mut point) = (0u64, None);
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            b'0'..=b'9' => digits = digits * 10 + u64::from(byte - b'0'),
            b'.' if point.is_none() && at > 0 && at + 1 < bytes.len() => point = Some(at),
            _ => return None,
        }
    }
    let count = bytes.len() - usize::from(point.is_some());
    if count == 0 || count > 15 {
        return None;
    }
    let decimals = point.map_or(0, |at| bytes.len() - at - 1);
    Some(digits as f64 / POWERS[decimals])
}

/// The rules across a relationship row's values, once each is read: an `amount` gives its
/// `amount_usd` in USD or at one of `rates` (a written one must agree; an amount no rate
/// converts gets none, and a bulk file's graph holds no rate), `end_date` is not before `date`, each range's minimum
/// not above its maximum. Returns the row's `amount_usd`, or `None` after reporting.
fn tie_rules(
    out: &mut EdgeChecker,
    columns: &Columns,
    line: u64,
    more: &[(usize, Value)],
    (date, rates): (Option<Date>, &[crate::model::FxRate]),
    amount_usd: Option<f64>,
) -> Option<Option<f64>> {
    use crate::model::money;
    let get = |key: &str| match key {
        "date" => date.map(Value::Date),
        "amount_usd" => amount_usd.map(Value::money),
        _ => more
            .iter()
            .find(|(i, _)| columns.more[*i].name == key)
            .map(|(_, v)| v.clone()),
    };
    let mut ok = true;
    let mut usd = amount_usd;
    if let Some(amount) = get("amount").and_then(|v| v.as_f64()) {
        let currency = get("currency")
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| money::DEFAULT_CURRENCY.to_owned());
        let derived = money::usd_value(amount, &currency, date, rates).map(|(usd, _)| usd);
        if amount_usd.is_some() {
            if let Some(broken) = rules::usd_consistent(amount_usd, derived, amount, &currency) {
                ok = false;
                out.broken(broken, columns.at(line, "amount_usd"));
            }
        } else {
            usd = derived;
        }
    }
    for (key, broken) in rules::tie_properties(&get) {
        ok = false;
        out.broken(broken, columns.at(line, key));
    }
    ok.then_some(usd)
}

/// The values of a row's columns beyond the fixed ones, each with its place in
/// `columns.more`, or `None` after reporting every bad one. `rel` is a relationship row's
/// type, which says which of the vocabulary's properties it may carry.
fn more_values<R: Report>(
    out: &mut R,
    columns: &Columns,
    record: &csv::ByteRecord,
    line: u64,
    rel: Option<&RelDef>,
    vocabulary: &Vocabulary,
) -> Option<Vec<(usize, Value)>> {
    let mut values = Vec::new();
    let mut ok = true;
    for (place, column) in columns.more.iter().enumerate() {
        let at = || columns.at(line, &column.name);
        let bytes = record.get(column.index).unwrap_or_default();
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text.trim(),
            Err(e) => {
                ok = false;
                out.report(
                    ProblemKind::Syntax,
                    at(),
                    format!("not UTF-8 text (bad byte at offset {})", e.valid_up_to()),
                    Some("save the file as UTF-8".to_owned()),
                );
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        let value = match &column.holds {
            Holds::Text => Value::from(text),
            Holds::Identifier => {
                if let Some(broken) =
                    rules::identifier(&column.name, vocabulary.identifier(&column.name), text)
                {
                    ok = false;
                    out.broken(broken, at());
                    continue;
                }
                Value::from(text)
            }
            Holds::Free => cell_value(text),
            Holds::List => Value::List(split_list(text).map(Value::from).collect()),
            Holds::Sources => {
                for item in split_list(text) {
                    if url_host(item).is_none() && !is_slug(item) {
                        ok = false;
                        out.report(
                            ProblemKind::BadId,
                            at(),
                            format!("\"{item}\" is neither a source id nor a URL"),
                            Some(format!(
                                "separate sources with ';'; an id uses only a-z, 0-9 and '-' (\"{}\"), a URL starts with https://",
                                slugify(item)
                            )),
                        );
                    }
                }
                Value::from(text)
            }
            Holds::Property(def) => {
                if let Some(rel) = rel
                    && !vocabulary.allows(rel, &def.name)
                {
                    ok = false;
                    out.broken(rules::property_not_on(&def.name, rel), at());
                    continue;
                }
                let value = match property_cell(def, text) {
                    Ok(value) => value,
                    Err((kind, message, help)) => {
                        ok = false;
                        out.report(kind, at(), message, help);
                        continue;
                    }
                };
                if let Some(broken) = rules::property_value(def, vocabulary.words(rel, def), &value)
                {
                    ok = false;
                    out.broken(broken, at());
                    continue;
                }
                def.canonical(value)
            }
        };
        values.push((place, value));
    }
    ok.then_some(values)
}

/// A cell of a vocabulary property, read as its type says; the problem's kind, message and
/// help when it is not of that type.
///
/// # Errors
/// When the text is not of the property's type (a number, an integer, a date, a boolean).
pub fn property_cell(
    def: &PropertyDef,
    text: &str,
) -> Result<Value, (ProblemKind, String, Option<String>)> {
    let wrong = |expected: &str| {
        (
            ProblemKind::WrongType,
            format!("\"{text}\" is not {expected}"),
            Some(format!("`{}` holds {expected}", def.name)),
        )
    };
    Ok(match def.ty {
        PropType::Number => match text.parse::<f64>() {
            Ok(x) if x.is_finite() && starts_numeric(text) => Value::Float(x),
            _ => {
                return Err((
                    ProblemKind::WrongType,
                    format!("\"{text}\" is not a number"),
                    Some("write plain digits, such as 8900000000 or 8.9e9".to_owned()),
                ));
            }
        },
        PropType::Integer => Value::Int(text.parse().map_err(|_| wrong("an integer"))?),
        PropType::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(wrong("true or false")),
        },
        PropType::Date => Value::Date(
            text.parse::<Date>()
                .map_err(|e| (ProblemKind::BadDate, e.to_string(), None))?,
        ),
        PropType::Text | PropType::Word | PropType::Currency => Value::from(text),
    })
}

/// The items of a `;`-separated cell, trimmed, without empty ones.
fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// A source of its own for a cited URL (`http://` or `https://`): titled with the URL, its
/// host the publisher, its id a slug of the URL (which may clash with another's: the caller
/// tells them apart). `None` when `text` is not a URL.
pub fn url_source(text: &str) -> Option<Source> {
    let host = url_host(text)?;
    let stem = slugify(text.split_once("://").map_or(text, |(_, rest)| rest));
    let stem: String = stem.chars().take(60).collect();
    let stem = stem.trim_end_matches('-');
    Some(Source {
        id: if stem.is_empty() {
            "source".to_owned()
        } else {
            stem.to_owned()
        },
        title: text.to_owned(),
        publisher: host.to_owned(),
        date: None,
        url: Some(text.to_owned()),
        language: None,
    })
}

/// The host of an `http://` or `https://` URL, when `text` is one.
fn url_host(text: &str) -> Option<&str> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (!host.is_empty() && !host.contains(char::is_whitespace)).then_some(host)
}

/// Whether `text` starts as a written number does: a digit, or a sign or point before one.
/// Rust's float parser also takes `inf` and `NaN`, which a cell does not mean as numbers.
fn starts_numeric(text: &str) -> bool {
    let digits = text.trim_start_matches(['-', '+']).trim_start_matches('.');
    digits.starts_with(|c: char| c.is_ascii_digit())
}

/// A CSV cell as a typed value, for a column the model does not name: `true` and `false` (in
/// any case) as booleans; a whole number without a leading zero as an integer; any other
/// number as a float; a date (`2024-05-01`, `2024-05`) as a date; anything else, a number with
/// a leading zero (`007`, a postcode) among them, as the text it is, trimmed.
pub fn cell_value(text: &str) -> Value {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if starts_numeric(text) && !text.contains(char::is_whitespace) {
        let digits = text.trim_start_matches(['-', '+']);
        let leading_zero = digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.");
        if !leading_zero {
            if let Ok(n) = text.parse::<i64>() {
                return Value::Int(n);
            }
            if let Ok(x) = text.parse::<f64>()
                && x.is_finite()
            {
                return Value::Float(x);
            }
        }
        if text.contains('-')
            && let Ok(date) = text.parse::<Date>()
        {
            return Value::Date(date);
        }
    }
    Value::from(text)
}

/// Node numbers by id, built once from the node rows (or the graph), for finding the
/// relationships' ends.
///
/// The graph's own index keeps 4 bytes a node and checks a candidate through its id cell and
/// the string pool, which is three or four cache misses a lookup; ten million ends make that
/// most of an import. Here each slot holds a short id itself (11 bytes or fewer), so a lookup
/// usually reads one slot; a longer id is checked against the node's id as the graph holds it.
struct IdMap<'g> {
    slots: Vec<IdSlot>,
    /// Every node's id by number, kept only when some id is too long for a slot.
    long: Vec<&'g str>,
    hasher: foldhash::fast::FixedState,
}

/// A slot of `IdMap`: the id's length (or `LONG_ID`) and bytes, and one more than the node's
/// number (zero when the slot is empty). The first byte's high half holds one more than the
/// node's kind when that is below 15 (zero otherwise), so that finding an end also tells its
/// kind without reading another table.
#[derive(Clone, Copy, Default)]
struct IdSlot {
    key: [u8; 12],
    node: u32,
}

/// The length of a slot whose id does not fit; its first 11 bytes follow.
const LONG_ID: u8 = 0x0F;

/// The part of a slot's first byte that holds the length.
const LENGTH: u8 = 0x0F;

impl IdSlot {
    /// Whether the slot holds the id whose `slot_key` is `key` (for a long id, its start).
    fn holds(&self, key: &[u8; 12]) -> bool {
        self.key[0] & LENGTH == key[0] && self.key[1..] == key[1..]
    }

    /// The node's kind, when the slot holds it.
    fn kind(&self) -> Option<u16> {
        (self.key[0] >> 4).checked_sub(1).map(u16::from)
    }
}

impl<'g> IdMap<'g> {
    /// Room for the map of `nodes` nodes, made before the import frees anything: the
    /// allocator then maps it on its own and hands it back whole when it is dropped, where a
    /// table of this size made later may stay in the process's memory after the import.
    fn room(nodes: usize) -> Vec<IdSlot> {
        vec![IdSlot::default(); (nodes + nodes / 2).max(16)]
    }

    /// The map of `graph`'s nodes by id, in `slots` (from `room`, grown if too small); `None`
    /// when the graph is too large to number in a slot, and then the graph's own index answers.
    fn of(graph: &'g Graph, kinds: &[u16], slots: Vec<IdSlot>) -> Option<IdMap<'g>> {
        let bound = graph.node_index_bound();
        u32::try_from(bound).ok()?.checked_add(1)?;
        let ids = || {
            graph
                .nodes()
                .filter_map(|n| Some((n.index(), graph.node_str(n, crate::store::ID_KEY)?)))
        };
        let (map, _) = IdMap::of_numbered(ids, graph.node_count(), bound, kinds, slots);
        Some(map)
    }

    /// The map of nodes numbered from 0 in the order of `ids`, in `slots`; the slots back
    /// when two nodes have the same id, or they are too many to number in a slot.
    fn of_distinct_ids<I: Iterator<Item = &'g str>>(
        ids: impl Fn() -> I,
        kinds: &[u16],
        slots: Vec<IdSlot>,
    ) -> Result<IdMap<'g>, Vec<IdSlot>> {
        let count = ids().count();
        if u32::try_from(count)
            .ok()
            .and_then(|n| n.checked_add(1))
            .is_none()
        {
            return Err(slots);
        }
        match IdMap::of_numbered(|| ids().enumerate(), count, count, kinds, slots) {
            (map, true) => Ok(map),
            (map, false) => Err(map.slots),
        }
    }

    /// The slots, to be made a map again by `filled` for the same ids.
    fn into_slots(self) -> Vec<IdSlot> {
        self.slots
    }

    /// The map `of_distinct_ids` made of `ids` and `into_slots` gave up.
    fn filled<I: Iterator<Item = &'g str>>(ids: impl Fn() -> I, slots: Vec<IdSlot>) -> IdMap<'g> {
        let mut map = IdMap {
            slots,
            long: Vec::new(),
            hasher: id_hasher(),
        };
        map.keep_long_ids(|| ids().enumerate(), ids().count());
        map
    }

    /// Keeps every node's id by number when some id is too long for a slot.
    fn keep_long_ids<I: Iterator<Item = (usize, &'g str)>>(
        &mut self,
        ids: impl Fn() -> I,
        bound: usize,
    ) {
        if ids().any(|(_, id)| id.len() > 11) {
            self.long = vec![""; bound];
            for (node, id) in ids() {
                self.long[node] = id;
            }
        }
    }

    /// The map of `count` nodes, numbered below `bound`, from each one's number and id, and
    /// whether no two have the same id.
    fn of_numbered<I: Iterator<Item = (usize, &'g str)>>(
        ids: impl Fn() -> I,
        count: usize,
        bound: usize,
        kinds: &[u16],
        mut slots: Vec<IdSlot>,
    ) -> (IdMap<'g>, bool) {
        slots.fill(IdSlot::default());
        slots.resize(
            (count + count / 2).max(16).max(slots.len()),
            IdSlot::default(),
        );
        let mut map = IdMap {
            slots,
            long: Vec::new(),
            hasher: id_hasher(),
        };
        map.keep_long_ids(&ids, bound);
        let mut distinct = true;
        for (node, id) in ids() {
            let key = slot_key(id.as_bytes());
            let mut at = map.home(id.as_bytes());
            loop {
                let slot = &mut map.slots[at];
                if slot.node == 0 {
                    let kind = kinds
                        .get(node)
                        .filter(|k| **k < 15)
                        .map_or(0, |k| *k as u8 + 1);
                    let mut key = key;
                    key[0] |= kind << 4;
                    *slot = IdSlot {
                        key,
                        node: node as u32 + 1,
                    };
                    break;
                }
                if slot.holds(&key) && (key[0] != LONG_ID || map.long[slot.node as usize - 1] == id)
                {
                    // A second node of the same id: the first by number is the one found.
                    distinct = false;
                    break;
                }
                at = if at + 1 == map.slots.len() { 0 } else { at + 1 };
            }
        }
        (map, distinct)
    }

    /// Every id in the map, in no particular order.
    fn ids(&self) -> impl Iterator<Item = &str> {
        self.slots
            .iter()
            .filter(|slot| slot.node != 0)
            .filter_map(|slot| {
                if slot.key[0] & LENGTH == LONG_ID {
                    self.long.get(slot.node as usize - 1).copied()
                } else {
                    let len = usize::from(slot.key[0] & LENGTH);
                    std::str::from_utf8(&slot.key[1..1 + len]).ok()
                }
            })
    }

    /// Where the search for `id` starts.
    fn home(&self, id: &[u8]) -> usize {
        use std::hash::BuildHasher;
        let hash = self.hasher.hash_one(id);
        ((u128::from(hash) * self.slots.len() as u128) >> 64) as usize
    }

    /// Starts fetching the slot where the search for `id` starts, for a `get` soon after.
    fn warm(&self, id: &[u8]) {
        let slot = &self.slots[self.home(id)];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch reads nothing the program sees and cannot fault, and SSE, which
        // has it, is part of every x86-64 processor.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(slot).cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        std::hint::black_box(slot.node);
    }

    /// The node of id `id`, and its kind when the map holds it.
    fn get(&self, id: &str) -> Option<(NodeId, Option<u16>)> {
        let key = slot_key(id.as_bytes());
        let mut at = self.home(id.as_bytes());
        loop {
            let slot = self.slots[at];
            if slot.node == 0 {
                return None;
            }
            if slot.holds(&key) && (key[0] != LONG_ID || self.long[slot.node as usize - 1] == id) {
                return Some((NodeId::from_index(slot.node as usize - 1)?, slot.kind()));
            }
            at = if at + 1 == self.slots.len() {
                0
            } else {
                at + 1
            };
        }
    }
}

/// How `IdMap` places ids.
fn id_hasher() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(0x5eed)
}

/// What a slot of `IdMap` holds of an id: its length and bytes, or `LONG_ID` and its first
/// 11 bytes.
fn slot_key(id: &[u8]) -> [u8; 12] {
    let mut key = [0u8; 12];
    let inline = id.len().min(11);
    key[0] = if id.len() <= 11 {
        id.len() as u8
    } else {
        LONG_ID
    };
    key[1..=inline].copy_from_slice(&id[..inline]);
    key
}

#[cfg(test)]
mod tests {
    use super::{PlainRows, RowSource, plain_decimal};
    use proptest::prelude::*;

    proptest! {
        /// The fast reading of plain decimals gives the general parser's float, bit for bit,
        /// and leaves every other text to it.
        #[test]
        fn plain_decimals_read_as_the_general_parser_reads_them(
            text in "[0-9]{0,17}(\\.[0-9]{0,17})?|[0-9.+e-]{0,8}"
        ) {
            if let Some(x) = plain_decimal(&text) {
                prop_assert_eq!(Ok(x.to_bits()), text.parse::<f64>().map(f64::to_bits), "{}", text);
            }
        }
    }

    #[test]
    fn plain_decimals_are_the_ones_read_fast() {
        for (text, read) in [
            ("4729511.37", true),
            ("2.437", true),
            ("007", true),
            ("0.1", true),
        ] {
            assert_eq!(plain_decimal(text).is_some(), read, "{text}");
        }
        for text in [
            "",
            ".",
            ".5",
            "5.",
            "-1",
            "+1",
            "1e9",
            "1.2.3",
            "1234567890123456",
        ] {
            assert_eq!(plain_decimal(text), None, "{text}");
        }
    }

    /// Rows as `source` gives them: each one's fields and line.
    fn rows(source: &mut dyn RowSource) -> Vec<(Vec<Vec<u8>>, u64)> {
        let mut record = csv::ByteRecord::new();
        let mut rows = Vec::new();
        while source.read_byte_record(&mut record).unwrap() {
            let line = record.position().map_or(0, |p| p.line());
            rows.push((record.iter().map(<[u8]>::to_vec).collect(), line));
        }
        rows
    }

    /// Splitting unquoted CSV gives the rows, fields and lines the CSV reader gives.
    #[test]
    fn plain_rows_are_the_csv_readers_rows() {
        for text in [
            "a,b,c\nd,e,f\n",
            "a,b,c\nd,e,f",
            "a,,c\n,e,\n,\nx\n\n",
            "a,,c\n\n\n,e,\n,\nx\n",
            "\n\na,b\n",
            "é,ü ,  x\n1,2,3,4\n1\n",
            "",
            "\n",
        ] {
            let mut general = csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(false)
                .from_reader(text.as_bytes());
            let mut plain = PlainRows::of(text.as_bytes(), 1).unwrap();
            assert_eq!(rows(&mut plain), rows(&mut general), "{text:?}");
        }
        // After blank lines, a row is given the line after the row before, as the CSV
        // reader gives it.
        let mut plain = PlainRows::of(b"a\n\n\nb\n", 7).unwrap();
        assert_eq!(
            rows(&mut plain),
            [(vec![b"a".to_vec()], 7), (vec![b"b".to_vec()], 8)]
        );
        assert!(PlainRows::of(b"a,\"b\"\n", 1).is_none());
        assert!(PlainRows::of(b"a,b\r\nc,d\r\n", 1).is_none());
    }
}
