//! Data files in and out: TOML (for people) and JSON (for programs), one schema with the
//! top-level lists `source`, `entity` and `relationship`; and bulk CSV import.
//!
//! **Invariant:** a load either returns a whole, valid graph or an error listing every problem
//! found; it never returns a partial graph. A save either replaces the file whole or leaves it
//! as it was.

mod assemble;
mod bulk;
mod decode;
mod open;
mod problem;
mod scan;
mod tree;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

pub use bulk::{
    Appended, ImportProgress, append_mapped, cell_value, import_csv, import_csv_bytes,
    import_csv_with_progress, property_cell, url_source,
};
use problem::LineIndex;
pub use problem::{AsWarning, LoadError, Location, Problem, ProblemKind, Record};

use crate::model::{Schema, Value, Vocabulary};
use crate::store::{DataSet, Graph, RecordError, snapshot};

/// The default dataset, compiled into the binary so the program works with no files beside it.
pub const DEFAULT_DATASET: &str = include_str!("../../data/ai-infrastructure.toml");
/// The name the default dataset is reported under.
pub const DEFAULT_DATASET_NAME: &str = "data/ai-infrastructure.toml";

/// The two data-file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    /// The format a file name's extension names, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// Guesses from the content when the name says nothing: JSON starts with `{`.
    fn sniff(text: &str) -> Format {
        if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Toml
        }
    }
}

/// One data file's text, with the name its problems are reported under.
pub struct TextInput<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub format: Format,
}

/// Loads one or more data files into one graph; relationships in one file may name entities of
/// another. The graph is under `schema`, unless a file says `schema = "open"` or is a snapshot
/// saved under the open schema: then it is under the open schema (see `check_schema`).
///
/// # Errors
/// `LoadError::Io` when a file cannot be read, `LoadError::Invalid` listing every problem.
pub fn load_files(paths: &[PathBuf], schema: Schema) -> Result<Graph, LoadError> {
    let files = read_all(paths)?;
    if let [(path, bytes)] = &files[..] {
        return load_file_bytes(path, bytes, schema);
    }
    let files: Vec<(&Path, &[u8])> = files.iter().map(|(p, b)| (*p, &b[..])).collect();
    load_read_files(&files, schema)
}

/// As `load_read_files` for one file `read_bytes` read: a snapshot's dense property columns
/// are left where they lie in `bytes` instead of being copied (`snapshot::read_shared`).
///
/// # Errors
/// As `load_read_files`.
pub fn load_file_bytes(path: &Path, bytes: &Bytes, schema: Schema) -> Result<Graph, LoadError> {
    if snapshot::is_snapshot(bytes) || is_snapshot_path(path) {
        return snapshot::read_shared(bytes).map_err(|source| LoadError::Snapshot {
            path: path.to_owned(),
            source,
        });
    }
    load_read_files(&[(path, bytes)], schema)
}

/// Files at least this large are mapped rather than read: below it a read costs less than
/// setting up a mapping.
const MAP_FROM: u64 = 1 << 20;

/// The bytes of the file at `path`: mapped when it is a large regular file, so that opening a
/// snapshot of a million nodes copies none of its hundreds of megabytes; read otherwise.
///
/// A graph read from a snapshot keeps a share of the mapping for the columns it leaves in
/// place. alliances never changes a data file in place (`write_atomically` renames a new file
/// over it, and a mapping keeps the old one), so the bytes stay as they were while mapped.
///
/// # Errors
/// When the file cannot be opened or read.
pub fn read_bytes(path: &Path) -> std::io::Result<Bytes> {
    let mut file = fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() >= MAP_FROM {
        // SAFETY: the map is only ever read, and alliances replaces data files by renaming
        // (see above) rather than writing into them; another program that shortened the file
        // in place while it is mapped could stop the process (SIGBUS), which the documentation
        // of snapshots states.
        if let Ok(map) = unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
            return Ok(Bytes::from_owner(map));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(Bytes::from(bytes))
}

/// Reads every file in `paths`, each with its path.
///
/// # Errors
/// `LoadError::Io` for the first file that cannot be read.
fn read_all(paths: &[PathBuf]) -> Result<Vec<(&Path, Bytes)>, LoadError> {
    paths
        .iter()
        .map(|path| {
            let bytes = read_bytes(path).map_err(|source| LoadError::Io {
                path: path.clone(),
                source,
            })?;
            Ok((path.as_path(), bytes))
        })
        .collect()
}

/// As `load_files`, for files already read: each path with its bytes.
///
/// # Errors
/// `LoadError::Invalid` listing every problem, or a snapshot's error.
pub fn load_read_files(files: &[(&Path, &[u8])], schema: Schema) -> Result<Graph, LoadError> {
    read_files(files, schema, &mut Vec::new())
}

fn read_files(
    files: &[(&Path, &[u8])],
    schema: Schema,
    warnings: &mut Vec<Problem>,
) -> Result<Graph, LoadError> {
    let mut texts = Vec::with_capacity(files.len());
    let mut problems = Vec::new();
    for &(path, bytes) in files {
        // A file named as a snapshot is read as one even when it is empty or cut short, so
        // that it is an error and never an empty graph.
        if snapshot::is_snapshot(bytes) || is_snapshot_path(path) {
            if files.len() > 1 {
                return Err(LoadError::SnapshotRefused {
                    path: path.to_owned(),
                    reason: "a snapshot holds a whole graph and opens alone; give it without other data files".to_owned(),
                });
            }
            return load_snapshot(path, bytes);
        }
        let name = path.display().to_string();
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                let format = Format::from_path(path).unwrap_or_else(|| Format::sniff(text));
                texts.push((name, text, format));
            }
            Err(e) => {
                let prefix = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
                let lines = LineIndex::new(Arc::from(name.as_str()), &prefix);
                let offset = prefix.len();
                problems.push(
                    Problem::new(
                        ProblemKind::Syntax,
                        lines.locate(&prefix, offset..offset),
                        format!("the file is not UTF-8 text (bad byte at offset {offset})"),
                    )
                    .help(Some(
                        "data files are UTF-8 TOML or JSON; save the file as UTF-8",
                    )),
                );
            }
        }
    }
    let inputs: Vec<TextInput> = texts
        .iter()
        .map(|(name, text, format)| TextInput {
            name,
            text,
            format: *format,
        })
        .collect();
    load_texts_with(&inputs, schema, problems, warnings)
}

/// The name of a snapshot file ends in this: `graph.alliances`.
pub const SNAPSHOT_EXTENSION: &str = "alliances";

/// Whether `path` names a snapshot (a binary image of a graph) rather than a data file.
pub fn is_snapshot_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(SNAPSHOT_EXTENSION))
}

/// Reads the snapshot `bytes` read from `path`. The graph keeps the schema it was saved under.
///
/// # Errors
/// `LoadError::Snapshot` when it is damaged or from a newer version.
fn load_snapshot(path: &Path, bytes: &[u8]) -> Result<Graph, LoadError> {
    snapshot::read(bytes).map_err(|source| LoadError::Snapshot {
        path: path.to_owned(),
        source,
    })
}

/// Refuses a graph its file put under the open schema when the alliance rules are asked for:
/// it need not keep them, and later writes would be checked against rules its data breaks.
///
/// # Errors
/// `LoadError::OpenSchema` naming `path`.
pub fn check_schema(graph: &Graph, asked: Schema, path: &Path) -> Result<(), LoadError> {
    if graph.schema() == Schema::Open && asked == Schema::Alliance {
        return Err(LoadError::OpenSchema {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Loads data-file texts into one graph.
///
/// # Errors
/// `LoadError::Invalid` listing every problem found.
pub fn load_texts(inputs: &[TextInput], schema: Schema) -> Result<Graph, LoadError> {
    load_texts_with(inputs, schema, Vec::new(), &mut Vec::new())
}

/// As `load_texts`, with the warnings of a valid load: what loads but is worth a look (an
/// identifier scheme near a known one, entities whose names differ only by a legal suffix),
/// each placed, with its line attached.
///
/// # Errors
/// `LoadError::Invalid` listing every problem found.
pub fn load_texts_with_warnings(
    inputs: &[TextInput],
    schema: Schema,
) -> Result<(Graph, Vec<Problem>), LoadError> {
    let mut warnings = Vec::new();
    let graph = load_texts_with(inputs, schema, Vec::new(), &mut warnings)?;
    Ok((graph, warnings))
}

/// As `load_files`, with the warnings of a valid load (see `load_texts_with_warnings`); a
/// snapshot has none.
///
/// # Errors
/// As `load_files`.
pub fn load_files_with_warnings(
    paths: &[PathBuf],
    schema: Schema,
) -> Result<(Graph, Vec<Problem>), LoadError> {
    let files = read_all(paths)?;
    let files: Vec<(&Path, &[u8])> = files.iter().map(|(p, b)| (*p, &b[..])).collect();
    let mut warnings = Vec::new();
    let graph = read_files(&files, schema, &mut warnings)?;
    Ok((graph, warnings))
}

fn load_texts_with(
    inputs: &[TextInput],
    schema: Schema,
    mut problems: Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> Result<Graph, LoadError> {
    // Problems passed in are files that could not even be read as text.
    let all_readable = problems.is_empty();
    let mut trees = Vec::with_capacity(inputs.len());
    let mut indexes = Vec::with_capacity(inputs.len());
    for input in inputs {
        let lines = LineIndex::new(Arc::from(input.name), input.text);
        let tree = match input.format {
            Format::Toml => tree::parse_toml(input.text),
            Format::Json => tree::parse_json(input.text),
        };
        match tree {
            Ok(root) => trees.push((root, input, indexes.len())),
            Err(errors) => problems.extend(errors.into_iter().map(|e| {
                Problem::new(
                    ProblemKind::Syntax,
                    lines.locate(input.text, e.span),
                    e.message,
                )
            })),
        }
        indexes.push(lines);
    }
    // Every file's definitions first, so that each file's records meet all of them.
    let mut vocabulary = (*Vocabulary::built_in()).clone();
    for (root, input, i) in &trees {
        let lines = &indexes[*i];
        let read = decode::vocabulary::read(root, input.text, lines, &mut problems);
        if let Err(errors) = vocabulary.extend(&read.definitions) {
            for error in &errors {
                let at = read.locate(error, input.text, lines);
                problems.push(decode::vocabulary::problem(error, at));
            }
        }
    }
    let decoded: Vec<_> = trees
        .iter()
        .map(|(root, input, i)| {
            decode::decode(root, input.text, &indexes[*i], &vocabulary, &mut problems)
        })
        .collect();
    warnings.extend(decoded.iter().flat_map(|d| d.warnings.iter().cloned()));
    // Cross-record rules need every file's records; a file that is not even well-formed
    // contributes none, so checking the others against it would report phantom problems.
    let well_formed = all_readable && decoded.len() == inputs.len();
    let graph = well_formed
        .then(|| assemble_decoded(&decoded, schema, vocabulary, &mut problems, warnings));
    match graph {
        Some(graph) if problems.is_empty() => {
            attach_snippets(warnings, inputs, &indexes);
            Ok(graph)
        }
        _ => {
            attach_snippets(&mut problems, inputs, &indexes);
            Err(LoadError::Invalid { problems })
        }
    }
}

/// The graph of every file's decoded records, checked by the rules across records.
fn assemble_decoded(
    decoded: &[decode::Decoded],
    schema: Schema,
    mut vocabulary: Vocabulary,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Problem>,
) -> Graph {
    // A scheme an `ids` table uses that the vocabulary lacks becomes one of its schemes, so
    // that it is indexed, unique, and saved back under `ids` (declared in the saved file).
    let mut schemes = crate::model::vocabulary::Definitions::default();
    let mut named = std::collections::HashSet::new();
    for entity in decoded.iter().flat_map(|d| &d.entities) {
        for scheme in entity.record.ids.keys() {
            if vocabulary.identifier(scheme).is_none() && named.insert(scheme.as_str()) {
                schemes
                    .identifier
                    .push(crate::model::vocabulary::IdentifierDef {
                        name: scheme.clone(),
                        help: String::new(),
                        format: None,
                    });
            }
        }
    }
    // Every name was checked by `decode`, so this cannot be refused.
    let _ = vocabulary.extend(&schemes);
    let mut graph = assemble::assemble(decoded, schema, &vocabulary, problems, warnings);
    if !vocabulary.added().is_empty() {
        graph.set_vocabulary(Arc::new(vocabulary));
    }
    graph
}

/// Loads records that arrive as records (an import's, merged with the graph's own) into a
/// graph, checked by every rule a data file is: each record by the per-record rules its table
/// would be, then all of them by the rules across records. Problems are placed at their
/// records (`Location::record`), reported under `name`. Nothing is serialized or copied on
/// the way: the records are moved into the checks and then into the graph.
///
/// # Errors
/// `LoadError::Invalid` listing every problem found.
pub fn load_records(
    dataset: DataSet,
    name: &str,
    schema: Schema,
) -> Result<(Graph, Vec<Problem>), LoadError> {
    let name: Arc<str> = Arc::from(name);
    let mut problems = Vec::new();
    let mut vocabulary = (*Vocabulary::built_in()).clone();
    if let Err(errors) = vocabulary.extend(&dataset.vocabulary) {
        let at = Location {
            file: name.clone(),
            line: 0,
            column: None,
            field: Some("vocabulary".to_owned()),
            span: None,
            record: None,
        };
        problems.extend(
            errors
                .iter()
                .map(|e| decode::vocabulary::problem(e, at.clone())),
        );
    }
    let decoded = decode::decode_records(dataset, &name, &vocabulary, &mut problems);
    let mut warnings = decoded.warnings.clone();
    let graph = assemble_decoded(
        std::slice::from_ref(&decoded),
        schema,
        vocabulary,
        &mut problems,
        &mut warnings,
    );
    if problems.is_empty() {
        Ok((graph, warnings))
    } else {
        Err(LoadError::Invalid { problems })
    }
}

/// Adds `dataset`'s records to `graph` through the same rules `load_records` applies, checked
/// against what the graph holds: for records that only add (see `assemble::assemble_into`),
/// so that the graph is not rebuilt. Problems are placed by record, as `load_records` places
/// them; when there are any, `graph` is half changed and must be discarded.
///
/// # Errors
/// `LoadError::Invalid` listing every problem found.
pub fn add_records(graph: &mut Graph, dataset: DataSet, name: &str) -> Result<(), LoadError> {
    let name: Arc<str> = Arc::from(name);
    let mut problems = Vec::new();
    // A scheme the graph's vocabulary lacks becomes one of its schemes, as on loading.
    let mut schemes = crate::model::vocabulary::Definitions::default();
    let mut named = std::collections::HashSet::new();
    for entity in &dataset.entity {
        for scheme in entity.ids.keys() {
            if graph.vocabulary().identifier(scheme).is_none() && named.insert(scheme.as_str()) {
                schemes
                    .identifier
                    .push(crate::model::vocabulary::IdentifierDef {
                        name: scheme.clone(),
                        help: String::new(),
                        format: None,
                    });
            }
        }
    }
    if !schemes.identifier.is_empty() {
        let mut vocabulary = graph.vocabulary().clone();
        // The records' schemes are checked by `decode` below; one that is not a name is
        // reported there.
        if vocabulary.extend(&schemes).is_ok() {
            graph.set_vocabulary(Arc::new(vocabulary));
        }
    }
    let vocabulary = graph.shared_vocabulary();
    let decoded = decode::decode_records(dataset, &name, &vocabulary, &mut problems);
    assemble::assemble_into(&decoded, graph, &vocabulary, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(LoadError::Invalid { problems })
    }
}

/// Sorts problems by place and attaches the offending line of each for display.
fn attach_snippets(problems: &mut [Problem], inputs: &[TextInput], indexes: &[LineIndex]) {
    let order = |file: &str| indexes.iter().position(|ix| &**ix.file() == file);
    problems.sort_by_key(|p| (order(&p.location.file), p.location.line, p.location.column));
    for problem in problems.iter_mut() {
        let Some(i) = order(&problem.location.file) else {
            continue;
        };
        problem.snippet = inputs[i]
            .text
            .lines()
            .nth(problem.location.line - 1)
            .map(|line| line.trim_end_matches('\r').to_owned());
    }
}

/// The default dataset as a graph.
///
/// # Panics
/// Never in a released build: the dataset is checked by the test suite.
pub fn default_graph() -> Graph {
    let input = TextInput {
        name: DEFAULT_DATASET_NAME,
        text: DEFAULT_DATASET,
        format: Format::Toml,
    };
    load_texts(&[input], Schema::Alliance).expect("the built-in dataset is valid")
}

/// Why a save failed. The file on disk is then exactly as it was before.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveError {
    /// The file name does not say TOML or JSON.
    #[error(
        "cannot tell the format of {path}: name the file *.toml or *.json (data files) or *.alliances (a binary snapshot)"
    )]
    UnknownFormat { path: PathBuf },
    /// Some element of the graph cannot be written as an alliance record.
    #[error("the graph cannot be written as a data file: {0}")]
    Record(#[from] RecordError),
    /// The serializer refused a value (for example a NaN in JSON).
    #[error("the graph cannot be written as {format}: {message}")]
    Serialize {
        format: &'static str,
        message: String,
    },
    /// Writing, syncing or renaming failed.
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The graph as data-file text.
///
/// # Errors
/// When an element is not shaped like an alliance record, or a value cannot be serialized.
pub fn to_text(graph: &Graph, format: Format) -> Result<String, SaveError> {
    if graph.schema() == Schema::Open {
        return open_text(graph, format);
    }
    let dataset = graph.to_dataset()?;
    if format == Format::Json
        && let Some(place) = non_finite_number(&dataset)
    {
        return Err(SaveError::Serialize {
            format: "JSON",
            message: format!(
                "{place} is not a finite number, which JSON cannot hold; save as TOML or change the value"
            ),
        });
    }
    serialize(&dataset, format)
}

/// A data set as data-file text, as `save` would write a graph holding it.
///
/// # Errors
/// When the serializer refuses a value (a NaN in JSON).
pub fn dataset_text(dataset: &DataSet, format: Format) -> Result<String, SaveError> {
    serialize(dataset, format)
}

/// An open-schema graph in the generic form (see `open`).
fn open_text(graph: &Graph, format: Format) -> Result<String, SaveError> {
    serialize(&open::dataset(graph), format)
}

/// Tables as TOML, or as pretty JSON ending in a newline.
fn serialize(tables: &impl serde::Serialize, format: Format) -> Result<String, SaveError> {
    match format {
        Format::Toml => toml::to_string(tables).map_err(|e| SaveError::Serialize {
            format: "TOML",
            message: e.to_string(),
        }),
        Format::Json => serde_json::to_string_pretty(tables)
            .map(|mut text| {
                text.push('\n');
                text
            })
            .map_err(|e| SaveError::Serialize {
                format: "JSON",
                message: e.to_string(),
            }),
    }
}

/// Where the first NaN or infinity sits, if any. serde_json would write it as `null`, silently
/// changing the data, so the JSON writer refuses instead.
fn non_finite_number(dataset: &DataSet) -> Option<String> {
    fn bad(value: &Value) -> bool {
        match value {
            Value::Float(x) => !x.is_finite(),
            Value::List(items) => items.iter().any(bad),
            Value::Map(map) => map.values().any(bad),
            _ => false,
        }
    }
    let bad_extra = |extra: &std::collections::BTreeMap<String, Value>| {
        extra.iter().find(|(_, v)| bad(v)).map(|(k, _)| k.clone())
    };
    for entity in &dataset.entity {
        if let Some(key) = bad_extra(&entity.extra) {
            return Some(format!("property `{key}` of entity \"{}\"", entity.id));
        }
    }
    for rel in &dataset.relationship {
        let key = bad_extra(&rel.properties).or_else(|| bad_extra(&rel.extra));
        if let Some(key) = key {
            return Some(format!(
                "property `{key}` of the {} relationship from \"{}\" to \"{}\"",
                rel.rel_type, rel.from, rel.to
            ));
        }
    }
    None
}

/// Saves the graph to `path` (TOML, JSON or a snapshot, by extension) atomically: the text goes to a
/// temporary file beside it, is flushed to disk, then renamed over the target, so a crash or a
/// full disk never leaves a half-written file.
///
/// # Errors
/// See `SaveError`; on any error the existing file is untouched.
pub fn save(graph: &Graph, path: &Path) -> Result<(), SaveError> {
    let bytes = to_bytes(graph, path)?;
    write_atomically(path, &bytes).map_err(|source| SaveError::Io {
        path: path.to_owned(),
        source,
    })
}

/// The bytes `save` would write to `path`: a snapshot or a data file, by its extension.
///
/// # Errors
/// As `to_text`, and `SaveError::UnknownFormat` for an extension that names no format.
pub fn to_bytes(graph: &Graph, path: &Path) -> Result<Vec<u8>, SaveError> {
    if is_snapshot_path(path) {
        return Ok(snapshot::write(graph));
    }
    let format = Format::from_path(path).ok_or_else(|| SaveError::UnknownFormat {
        path: path.to_owned(),
    })?;
    Ok(to_text(graph, format)?.into_bytes())
}

/// The same error without the path `tempfile` attaches to its errors ("… at path
/// \"/dir/.alliances-save-XXXX\""): what failed, as the operating system said it. `tempfile`
/// keeps the error it wraps private, so the path is cut from its text.
fn without_path(error: std::io::Error) -> std::io::Error {
    if error.get_ref().is_none() {
        return error;
    }
    let kind = error.kind();
    let text = error.to_string();
    let Some(at) = text.rfind(" at path \"") else {
        return error;
    };
    let what = &text[..at];
    // "File too large (os error 27)": the operating system's error itself.
    let code = what
        .strip_suffix(')')
        .and_then(|w| w.rsplit_once("(os error "))
        .and_then(|(_, n)| n.parse::<i32>().ok());
    match code {
        Some(code) => std::io::Error::from_raw_os_error(code),
        None => std::io::Error::new(kind, what.to_owned()),
    }
}

/// The permissions a new file gets: read-write for its owner, readable by others.
#[cfg(unix)]
fn default_permissions(_temp: &fs::File) -> std::io::Result<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(fs::Permissions::from_mode(0o644))
}

/// The permissions a new file gets: writable.
#[cfg(not(unix))]
fn default_permissions(temp: &fs::File) -> std::io::Result<fs::Permissions> {
    let mut permissions = temp.metadata()?.permissions();
    permissions.set_readonly(false);
    Ok(permissions)
}

/// The file a save to `path` replaces: `path` itself, or the file a symbolic link at `path`
/// names, so that a save writes through a link instead of replacing it.
///
/// # Errors
/// When `path` names a folder, a device, a pipe or anything else that is not a regular file (a
/// save replaces its target whole, which must never happen to `/dev/null` or a folder), or a
/// link that names nothing.
pub fn regular_target(path: &Path) -> std::io::Result<PathBuf> {
    use std::io::{Error, ErrorKind};
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                fs::canonicalize(path)
            } else {
                Ok(path.to_owned())
            }
        }
        Ok(meta) => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "it is {}, not a regular file; give the name of a file to write",
                file_kind(&meta.file_type())
            ),
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if fs::symlink_metadata(path).is_ok() {
                return Err(Error::new(
                    ErrorKind::NotFound,
                    "it is a symbolic link to a file that does not exist".to_owned(),
                ));
            }
            Ok(path.to_owned())
        }
        Err(e) => Err(e),
    }
}

/// "a folder", "a device"…: what a path that is not a regular file is, in words.
fn file_kind(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_fifo() {
            return "a pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// Writes `bytes` to `path` through a synced temporary file and a rename. Only a regular file
/// (or the file a link names) is ever replaced.
///
/// # Errors
/// Any I/O error, or a target that is not a regular file; the temporary file is removed and
/// `path` is left as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = regular_target(path)?;
    let path = target.as_path();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // The temporary file is the save's own business: its errors name no file, so that the
    // caller names the target.
    let mut temp = tempfile::Builder::new()
        .prefix(".alliances-save-")
        .tempfile_in(dir)
        .map_err(without_path)?;
    temp.write_all(bytes).map_err(without_path)?;
    // A temporary file is private; the file it becomes keeps the old file's permissions, or
    // gets the usual ones for a new file.
    let permissions = match fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => default_permissions(temp.as_file()).map_err(without_path)?,
    };
    temp.as_file()
        .set_permissions(permissions)
        .map_err(without_path)?;
    temp.as_file().sync_all().map_err(without_path)?;
    temp.persist(path).map_err(|e| without_path(e.error))?;
    // The rename itself must reach the disk too.
    if let Ok(dir) = fs::File::open(dir) {
        dir.sync_all()?;
    }
    Ok(())
}
