//! What went wrong in a data file, and where.
//!
//! Loading collects every problem it finds before giving up, so a user fixes a file in one
//! pass instead of one error per run. Each problem has a kind a program can match on, a place
//! (file, line, column), a message saying what is wrong, and a help line saying how to fix it.

use crate::model::printable_width;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// Where in an input a problem sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: Arc<str>,
    /// 1-based line (for CSV: the line of the row).
    pub line: usize,
    /// 1-based column in characters; `None` for CSV rows.
    pub column: Option<usize>,
    /// The CSV column name, for problems in a bulk import.
    pub field: Option<String>,
    /// Byte range in the file, when known, to underline in the snippet.
    pub span: Option<Range<usize>>,
    /// The record, for records given as records rather than as text (an import): `file` is
    /// then what they are reported under, `line` 0, and `field` the record's field.
    pub record: Option<Record>,
}

/// A record of a data set given as records (`datafile::load_records`), by its list and its
/// place in the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Record {
    Source(usize),
    FxRate(usize),
    Constraint(usize),
    Entity(usize),
    Relationship(usize),
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (list, i) = match self {
            Record::Source(i) => ("source", i),
            Record::FxRate(i) => ("fx_rate", i),
            Record::Constraint(i) => ("constraint", i),
            Record::Entity(i) => ("entity", i),
            Record::Relationship(i) => ("relationship", i),
        };
        write!(f, "{list} {}", i + 1)
    }
}

impl Location {
    /// A whole line of `file` (line 0 for the whole file), with no column.
    pub fn line_of(file: Arc<str>, line: usize) -> Location {
        Location {
            file,
            line,
            column: None,
            field: None,
            span: None,
            record: None,
        }
    }

    /// Where a record given as a record is: `name` is what its set is reported under.
    pub(crate) fn of_record(name: &std::sync::Arc<str>, record: Record) -> Location {
        Location {
            file: name.clone(),
            line: 0,
            column: None,
            field: None,
            span: None,
            record: Some(record),
        }
    }

    /// The same place, at the field `field` of its record.
    pub(crate) fn at_field(&self, field: &str) -> Location {
        Location {
            field: Some(field.to_owned()),
            ..self.clone()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(record) = self.record {
            write!(f, "{}, {record}", self.file)?;
            if let Some(field) = &self.field {
                write!(f, " (its `{field}`)")?;
            }
            return Ok(());
        }
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " (column \"{field}\")")?;
        }
        Ok(())
    }
}

/// Maps byte offsets of one text to lines and columns.
pub(crate) struct LineIndex {
    file: Arc<str>,
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(file: Arc<str>, text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { file, starts }
    }

    pub(crate) fn file(&self) -> &Arc<str> {
        &self.file
    }

    pub(crate) fn locate(&self, text: &str, span: Range<usize>) -> Location {
        let offset = span.start.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let line_start = self.starts[line - 1];
        let column = text
            .get(line_start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        Location {
            file: self.file.clone(),
            line,
            column: Some(column),
            field: None,
            span: Some(span),
            record: None,
        }
    }
}

pub use crate::rules::ProblemKind;

/// One located problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub location: Location,
    pub message: String,
    pub help: Option<String>,
    /// The line of the file the problem is on, for display.
    pub snippet: Option<String>,
}

impl Problem {
    pub(crate) fn new(kind: ProblemKind, location: Location, message: impl Into<String>) -> Self {
        Problem {
            kind,
            location,
            message: message.into(),
            help: None,
            snippet: None,
        }
    }

    pub(crate) fn help(mut self, help: Option<impl Into<String>>) -> Self {
        self.help = help.map(Into::into);
        self
    }
}

/// A problem shown as a warning: what loads but is worth a look (see `Problem::as_warning`).
pub struct AsWarning<'p>(&'p Problem);

impl Problem {
    /// The problem rendered as a warning: `warning[code]: …`, then as an error renders.
    pub fn as_warning(&self) -> AsWarning<'_> {
        AsWarning(self)
    }

    fn render(&self, f: &mut fmt::Formatter<'_>, severity: &str) -> fmt::Result {
        writeln!(f, "{severity}[{}]: {}", self.kind.code(), self.message)?;
        write!(f, "  --> {}", self.location)?;
        if let (Some(line), Some(column)) = (&self.snippet, self.location.column) {
            let number = self.location.line.to_string();
            let pad = " ".repeat(number.len());
            let width = self
                .location
                .span
                .as_ref()
                .map_or(1, |span| {
                    let start = span.start;
                    // Underline within the line only.
                    let on_line = line.chars().skip(column - 1).map(char::len_utf8);
                    let mut bytes = 0;
                    on_line
                        .take_while(|len| {
                            bytes += len;
                            bytes <= span.end.saturating_sub(start)
                        })
                        .count()
                })
                .max(1);
            // The line is shown printable (`model::printable`); the caret counts what it shows.
            let before: String = line.chars().take(column - 1).collect();
            let under: String = line.chars().skip(column - 1).take(width).collect();
            write!(
                f,
                "\n {pad} |\n {number} | {}\n {pad} | {}{}",
                crate::model::printable(line),
                " ".repeat(printable_width(&before)),
                "^".repeat(printable_width(&under).max(1))
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Problem {
    /// Compiler style: the message, the place, the line with a caret, then the help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.render(f, "error")
    }
}

impl fmt::Display for AsWarning<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.render(f, "warning")
    }
}

/// Why a load failed. A failed load changes nothing: no graph is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The input has problems; every one found is listed.
    #[error("{}", render_problems(problems))]
    Invalid { problems: Vec<Problem> },
    /// A snapshot is damaged, foreign, from a newer version, or cannot be opened this way.
    #[error("{path}: {source}", path = .path.display())]
    Snapshot {
        path: PathBuf,
        #[source]
        source: crate::store::snapshot::SnapshotError,
    },
    /// A sound snapshot that cannot be opened the way it was asked for.
    #[error("{path}: {reason}", path = .path.display())]
    SnapshotRefused { path: PathBuf, reason: String },
    /// A graph saved under the open schema (a snapshot, or a data file that says
    /// `schema = "open"`), asked for under the alliance rules, which it need not keep.
    #[error(
        "{path} holds a graph under the open schema (any label, type and property), which the alliance rules do not apply to; open it under the open schema (schema open)",
        path = .path.display()
    )]
    OpenSchema { path: PathBuf },
}

impl LoadError {
    /// The problems found, or none for an I/O failure.
    pub fn problems(&self) -> &[Problem] {
        match self {
            LoadError::Invalid { problems } => problems,
            LoadError::Io { .. }
            | LoadError::Snapshot { .. }
            | LoadError::SnapshotRefused { .. }
            | LoadError::OpenSchema { .. } => &[],
        }
    }
}

/// How many problems are shown in full; a file with thousands of bad rows would otherwise
/// bury the first, most useful ones.
const SHOWN_PROBLEMS: usize = 50;

fn render_problems(problems: &[Problem]) -> String {
    let mut out = String::new();
    for problem in problems.iter().take(SHOWN_PROBLEMS) {
        out.push_str(&problem.to_string());
        out.push_str("\n\n");
    }
    if problems.len() > SHOWN_PROBLEMS {
        out.push_str(&format!(
            "... and {} more problems not shown\n",
            problems.len() - SHOWN_PROBLEMS
        ));
    }
    let noun = if problems.len() == 1 {
        "problem"
    } else {
        "problems"
    };
    out.push_str(&format!(
        "{} {noun} found; nothing was loaded",
        problems.len()
    ));
    out
}
