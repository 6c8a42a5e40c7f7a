//! Importers: other people's data turned into alliance records. Each standard (Open
//! Ownership's BODS, GLEIF's LEI records, FollowTheMoney entities, any CSV with a mapping, the
//! JSON lines `export jsonl` writes) has a file of its own that reads its inputs into an
//! `Imported`: a `DataSet` plus a `Losses` report of what had no home in the model.
//!
//! **Invariants:** an importer never drops data silently: whatever it cannot map is counted in
//! `Losses` with an example. It never writes to a graph: the caller merges the records
//! (`merge`) and loads them through the data-file rules, so an import is checked exactly as a
//! data file is. Problems in the inputs are collected, every one with its file and place (a
//! JSON pointer, a line, or a CSV row and column), before giving up.

pub(crate) mod adding;
mod bods;
mod ftm;
mod gleif;
mod jsonl;
mod losses;
mod mapped_csv;
pub mod merge;
mod origin;

use std::fmt;
use std::path::{Path, PathBuf};

pub use losses::{Loss, Losses};
pub use merge::{MergeReport, merge, merge_traced};
pub use origin::{Origin, Origins, Reference, Side, Target, place_problems};

use crate::datafile::{self, LoadError};
use crate::model::Schema;
use crate::model::{Entity, Relationship, Source, did_you_mean};
use crate::store::{DataSet, Graph};

/// One input file, read whole.
pub struct InputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl InputFile {
    /// The file's text, or a problem naming the first byte that is not UTF-8.
    ///
    /// # Errors
    /// When the bytes are not UTF-8.
    pub fn text(&self) -> Result<&str, RecordProblem> {
        std::str::from_utf8(&self.bytes).map_err(|e| {
            RecordProblem::new(
                &self.path,
                Place::Byte(e.valid_up_to()),
                "the file is not UTF-8 text",
            )
            .help("convert it to UTF-8 (iconv -t UTF-8) and import it again")
        })
    }
}

/// Where in an input file a record or field sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The whole file.
    File,
    /// A byte offset (for text that is not UTF-8, or cannot be parsed).
    Byte(usize),
    /// A 1-based line and column, as a JSON parser reports them.
    LineColumn { line: usize, column: usize },
    /// A JSON pointer (RFC 6901) into a JSON document, such as `/3/interests/0/share`.
    Pointer(String),
    /// A JSON pointer into the record on one line of a JSON-lines file.
    LinePointer { line: usize, pointer: String },
    /// A CSV row (1-based, the header being row 1) and column name.
    Cell { row: usize, column: String },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File => Ok(()),
            Place::Byte(offset) => write!(f, "byte {offset}"),
            Place::LineColumn { line, column } => write!(f, "{line}:{column}"),
            Place::Pointer(pointer) => write!(f, "{}", pointer_text(pointer)),
            Place::LinePointer { line, pointer } => {
                write!(f, "{line} {}", pointer_text(pointer))
            }
            Place::Cell { row, column } => write!(f, "row {row}, column \"{column}\""),
        }
    }
}

fn pointer_text(pointer: &str) -> String {
    if pointer.is_empty() {
        "(the whole document)".to_owned()
    } else {
        pointer.to_owned()
    }
}

/// One problem in an input: where, what, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordProblem {
    pub file: PathBuf,
    pub place: Place,
    pub message: String,
    pub help: Option<String>,
}

impl RecordProblem {
    pub fn new(file: &Path, place: Place, message: impl Into<String>) -> RecordProblem {
        RecordProblem {
            file: file.to_owned(),
            place,
            message: message.into(),
            help: None,
        }
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> RecordProblem {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        match &self.place {
            Place::File => {}
            Place::LineColumn { .. } | Place::LinePointer { .. } => write!(f, ":{}", self.place)?,
            place => write!(f, " at {place}")?,
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Why an import gave nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// No importer has this name.
    #[error("there is no importer \"{name}\"; the formats are {}{}", format_names(), .suggestion.as_ref().map(|s| format!("; {s}")).unwrap_or_default())]
    UnknownFormat {
        name: String,
        /// "did you mean …?", when a name is close.
        suggestion: Option<String>,
    },
    /// A path could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A path is a folder with no file the format reads.
    #[error("{path} holds no file to import{}", .expected.map(|e| format!(" (looked for {e})")).unwrap_or_default())]
    NothingToImport {
        path: PathBuf,
        expected: Option<&'static str>,
    },
    /// A file is of another format than the one asked for.
    #[error("{path} is not {expected}: this looks like {found}{}", .hint.as_ref().map(|h| format!("\n  help: to read it, run {h}")).unwrap_or_default(), path = .path.display())]
    WrongFormat {
        path: PathBuf,
        expected: &'static str,
        found: String,
        /// The command that would read it, when the found format has an importer.
        hint: Option<String>,
    },
    /// Records that cannot be read, every one of them.
    #[error("{} problem{} in the input:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, problems_text(.0))]
    Invalid(Vec<RecordProblem>),
    /// The records read break the model's rules (a relationship type between kinds it does
    /// not join, say).
    #[error("the imported records break the model's rules:\n{0}")]
    Rules(#[source] LoadError),
    /// As `Rules`, each problem placed at the input its record came from.
    #[error("the imported records break the model's rules:\n{}", problems_text(.0))]
    RulesAt(Vec<RecordProblem>),
    /// A value read cannot be written as a record (a NaN).
    #[error("the imported records cannot be written: {0}")]
    Unwritable(String),
}

fn problems_text(problems: &[RecordProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the command line and the shell pass to an importer beyond its files.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// `FIELD=COLUMN` pairs from the command line, for the `csv` importer's mapping.
    pub mapping: Vec<(String, String)>,
    /// A mapping file (TOML) for the `csv` importer.
    pub mapping_file: Option<PathBuf>,
    /// Input rows added to the graph at a time, by an importer that reads in batches: None for
    /// its own choice, `Some(0)` to read the whole input before adding anything. Either way
    /// the import gives the same graph and the same report.
    pub batch_rows: Option<usize>,
}

/// What an importer made of its inputs.
#[derive(Debug, Default)]
pub struct Imported {
    pub dataset: DataSet,
    pub losses: Losses,
    /// Where each record came from, aligned with the data set.
    pub origins: Origins,
}

impl Imported {
    /// The records as a graph, checked by every rule a data file is: `name` is what problems
    /// are reported under.
    ///
    /// # Errors
    /// `Rules` listing every rule the records break.
    pub fn to_graph(&self, name: &str, schema: Schema) -> Result<Graph, ImportError> {
        records_graph(self.dataset.clone(), &self.origins, name, schema)
    }
}

/// `dataset`'s records as a graph, checked by every rule a data file is, each problem placed
/// at the input `origins` says its record came from (`name` is what the others are reported
/// under). The records go into the graph as they are, never through a file's text.
///
/// # Errors
/// `RulesAt` listing every rule the records break.
pub fn records_graph(
    dataset: DataSet,
    origins: &Origins,
    name: &str,
    schema: Schema,
) -> Result<Graph, ImportError> {
    match datafile::load_records(dataset, name, schema) {
        Ok((graph, _warnings)) => Ok(graph),
        Err(e @ LoadError::Invalid { .. }) => {
            Err(ImportError::RulesAt(place_problems(&e, origins)))
        }
        Err(e) => Err(ImportError::Rules(e)),
    }
}

/// The records an importer gathers, with what it could not map.
#[derive(Debug, Default)]
pub struct Builder {
    imported: Imported,
    source_ids: std::collections::HashSet<String>,
}

impl Builder {
    /// Adds a source unless one with its id is already there.
    pub fn source(&mut self, source: Source) {
        if self.source_ids.insert(source.id.clone()) {
            self.imported.dataset.source.push(source);
        }
    }

    /// Whether a source with this id was added.
    pub fn has_source(&self, id: &str) -> bool {
        self.source_ids.contains(id)
    }

    pub fn entity(&mut self, entity: Entity) {
        self.imported.dataset.entity.push(entity);
    }

    /// Adds an entity read at `place` in `file`, where problems with it will be reported.
    pub fn entity_from(&mut self, entity: Entity, file: &Path, place: Place) {
        let origins = &mut self.imported.origins.entity;
        origins.resize(self.imported.dataset.entity.len(), None);
        origins.push(Some(Origin::new(file, place)));
        self.entity(entity);
    }

    pub fn relationship(&mut self, relationship: Relationship) {
        self.imported.dataset.relationship.push(relationship);
    }

    /// Adds a relationship read at `place` in `file`, where problems with it will be reported.
    pub fn relationship_from(&mut self, relationship: Relationship, file: &Path, place: Place) {
        let origins = &mut self.imported.origins.relationship;
        origins.resize(self.imported.dataset.relationship.len(), None);
        origins.push(Some(Origin::new(file, place)));
        self.relationship(relationship);
    }

    /// Counts one loss of `kind`, keeping the first example.
    pub fn lose(&mut self, kind: impl Into<String>, example: impl FnOnce() -> String) {
        self.imported.losses.add(kind, example);
    }

    pub fn dataset(&self) -> &DataSet {
        &self.imported.dataset
    }

    pub fn dataset_mut(&mut self) -> &mut DataSet {
        &mut self.imported.dataset
    }

    pub fn finish(self) -> Imported {
        self.imported
    }
}

/// An importer's reading step: every file into the builder, or every problem found.
pub type ReadFn = fn(&[InputFile], &ImportOptions, &mut Builder) -> Result<(), Vec<RecordProblem>>;

/// An importer's reading step for inputs too large to hold as records all at once: the files'
/// records handed to `take` a batch of about `rows` input rows at a time, in input order, each
/// batch's records what `ReadFn` would have made of those rows. True when every batch was
/// taken; false when `take` refused one or the input has a problem, and the caller then reads
/// the whole input again with `ReadFn`, which reports the problems.
pub type BatchReadFn =
    fn(&[InputFile], &ImportOptions, usize, &mut dyn FnMut(Imported) -> bool) -> bool;

/// One importer: its name on the command line, what it reads, how to recognise its files, and
/// how to read them.
pub struct ImportFormat {
    pub name: &'static str,
    /// What the format is, as a sentence fragment: "a BODS 0.4 file".
    pub describes: &'static str,
    /// The file names a folder is searched for (`*.json`, `*.csv`…), by extension.
    pub extensions: &'static [&'static str],
    /// What a file of this format looks like, when it is one: "a BODS 0.2 file". Used to name
    /// the format of a file given to the wrong importer.
    pub recognise: fn(&InputFile) -> Option<String>,
    /// Reads every file into the builder, or returns every problem found.
    pub read: ReadFn,
    /// Reads the files in batches, for an importer whose records can be added a batch at a
    /// time (one row, one record).
    pub read_in_batches: Option<BatchReadFn>,
    /// Adds the files to a copy of the graph on every core, for an importer with a faster way
    /// for some inputs: what reading them and merging the records would give, or None to take
    /// that way.
    pub add_in_bulk: Option<BulkAddFn>,
}

/// An importer's faster way (`ImportFormat::add_in_bulk`): the graph with the files added and
/// what the import did, exactly as reading and merging them gives, or None when it cannot
/// take the files or they have a problem.
pub type BulkAddFn = fn(&Graph, &[InputFile], &ImportOptions) -> Option<adding::Batched>;

/// Every importer, in the order `alliances import --help` lists them.
pub static FORMATS: &[&ImportFormat] = &[
    &bods::FORMAT,
    &gleif::FORMAT,
    &ftm::FORMAT,
    &mapped_csv::FORMAT,
    &jsonl::FORMAT,
];

/// The importer called `name`.
///
/// # Errors
/// `UnknownFormat`, with the nearest name.
pub fn format(name: &str) -> Result<&'static ImportFormat, ImportError> {
    FORMATS
        .iter()
        .copied()
        .find(|f| f.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| ImportError::UnknownFormat {
            name: name.to_owned(),
            suggestion: did_you_mean(&crate::model::suggest(name, FORMATS.iter().map(|f| f.name))),
        })
}

fn format_names() -> String {
    FORMATS
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the files `paths` name for `format`: a file as it is, a folder's files with one of
/// the format's extensions (not its subfolders), sorted by name so that an import is the same
/// on every machine.
///
/// # Errors
/// `Io` for a path that cannot be read, `NothingToImport` for a folder with no such file.
pub fn read_inputs(
    format: &ImportFormat,
    paths: &[PathBuf],
) -> Result<Vec<InputFile>, ImportError> {
    let mut files = Vec::new();
    for path in paths {
        let io = |source| ImportError::Io {
            path: path.clone(),
            source,
        };
        if path.is_dir() {
            let mut names: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && has_extension(p, format.extensions))
                .collect();
            names.sort();
            if names.is_empty() {
                return Err(ImportError::NothingToImport {
                    path: path.clone(),
                    expected: Some(format.describes),
                });
            }
            for name in names {
                let bytes = std::fs::read(&name).map_err(|source| ImportError::Io {
                    path: name.clone(),
                    source,
                })?;
                files.push(InputFile { path: name, bytes });
            }
        } else {
            let bytes = std::fs::read(path).map_err(io)?;
            files.push(InputFile {
                path: path.clone(),
                bytes,
            });
        }
    }
    Ok(files)
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Runs `format`'s importer over `files`. A file that another importer recognises and this one
/// does not is refused with its format's name, before anything is read.
///
/// # Errors
/// `WrongFormat`, or `Invalid` with every problem found.
pub fn import(
    format: &ImportFormat,
    files: &[InputFile],
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    check_format(format, files)?;
    read(format, files, options)
}

/// Runs `format`'s importer over `files`, which `check_format` accepted.
///
/// # Errors
/// `Invalid` with every problem found.
pub fn read(
    format: &ImportFormat,
    files: &[InputFile],
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let mut builder = Builder::default();
    (format.read)(files, options, &mut builder).map_err(ImportError::Invalid)?;
    Ok(builder.finish())
}

/// Refuses a file that another importer recognises and `format` does not, naming its format.
///
/// # Errors
/// `WrongFormat`.
pub fn check_format(format: &ImportFormat, files: &[InputFile]) -> Result<(), ImportError> {
    for file in files {
        if (format.recognise)(file).is_some() {
            continue;
        }
        if let Some((other, found)) = FORMATS
            .iter()
            .filter(|f| f.name != format.name)
            .find_map(|f| (f.recognise)(file).map(|found| (f, found)))
        {
            return Err(ImportError::WrongFormat {
                path: file.path.clone(),
                expected: format.describes,
                found,
                hint: Some(format!(
                    "alliances import {} {}",
                    other.name,
                    file.path.display()
                )),
            });
        }
    }
    Ok(())
}
