//! `alliances recover`: salvages a database whose journal will not open (damaged records,
//! records that do not fit, a data file changed by hand) into a new data file.
//!
//! **Invariant:** recovery reads the old files and never changes them; every record that is
//! intact and fits is kept, applied whole or not at all, and every other one is reported with
//! its byte offset and its statement's text, so that it can be typed again.

use std::path::{Path, PathBuf};

use super::journal::{self, Record};
use super::{DbError, DbOptions, io_error, journal_path, lock};
use crate::datafile;
use crate::store::Renumbering;

/// What `recover` kept and what it could not.
#[derive(Debug)]
pub struct Salvage {
    /// The new data file.
    pub output: PathBuf,
    /// Statements applied.
    pub kept: usize,
    /// Records left out: byte offset, the statement's text when it could be read, and why.
    pub skipped: Vec<(u64, Option<String>, String)>,
    /// The journal ended in a record cut short (never acknowledged).
    pub torn: bool,
    /// The data file already held the journal: nothing needed applying.
    pub folded: bool,
}

/// The name `recover` writes to by default: `research.recovered.toml` for `research.toml`.
pub fn default_output(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}.recovered.{}", ext.to_string_lossy()),
        None => format!("{stem}.recovered"),
    };
    path.with_file_name(name)
}

/// Applies every intact record of the journal of the database at `path` that fits to its data
/// file, and writes the result to `output` (by default `default_output(path)`), leaving the
/// database's own files as they are.
///
/// # Errors
/// When a process has the database open for writing, the data file does not load, or the
/// output exists already or cannot be written.
pub fn recover(
    path: &Path,
    output: Option<&Path>,
    options: &DbOptions,
) -> Result<Salvage, DbError> {
    let path = lock::canonical(path).map_err(io_error(path))?;
    let journal_path = journal_path(&path);
    if lock::is_held(&journal_path) || lock::is_held(&path) {
        return Err(super::Database::locked(&path));
    }
    let output = output.map_or_else(|| default_output(&path), Path::to_owned);
    if output.exists() {
        return Err(io_error(&output)(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "the file exists already; recovery writes a new file and never replaces one: give another with -o",
        )));
    }
    let bytes = crate::datafile::read_bytes(&path).map_err(io_error(&path))?;
    let base = journal::fingerprint(&bytes);
    let mut graph = datafile::load_file_bytes(&path, &bytes, options.schema)?;
    let text = super::read_optional(&journal_path)?;
    let scan = journal::scan(&text);
    let mut salvage = Salvage {
        output: output.clone(),
        kept: 0,
        skipped: Vec::new(),
        torn: scan.cut_record(),
        folded: false,
    };
    let folded = scan.header.is_some_and(|(_, b)| b != base)
        && matches!(scan.records.last(), Some((_, Record::Checkpoint(fp))) if *fp == base);
    if folded {
        salvage.folded = true;
    } else {
        // Damaged lines and sound records, in the journal's order.
        let mut damaged = scan.damaged.iter().peekable();
        // Once a record is left out, the numbers of the elements later records create drift.
        let mut renumber = Renumbering::default();
        for (offset, record) in &scan.records {
            while let Some((at, reason)) = damaged.next_if(|(at, _)| at < offset) {
                salvage
                    .skipped
                    .push((*at as u64, statement_text(&text, *at), reason.clone()));
            }
            let Record::Statement {
                text,
                witnesses,
                changes,
            } = record
            else {
                continue;
            };
            graph.begin();
            let mut trial = renumber.clone();
            let fits = graph
                .check_witnesses(&trial.witnesses(witnesses))
                .and_then(|()| graph.replay_renumbered(changes, &mut trial))
                .map_err(|e| e.to_string())
                .and_then(|()| super::breaks_no_rule(&graph));
            match fits {
                Ok(()) => {
                    graph.commit();
                    renumber = trial;
                    salvage.kept += 1;
                }
                Err(e) => {
                    graph.rollback();
                    salvage
                        .skipped
                        .push((*offset as u64, Some(text.clone()), e));
                }
            }
        }
        for (at, reason) in damaged {
            salvage
                .skipped
                .push((*at as u64, statement_text(&text, *at), reason.clone()));
        }
    }
    datafile::save(&graph, &output)?;
    Ok(salvage)
}

/// The statement text of the damaged line at `offset`, when its JSON still reads.
fn statement_text(journal: &[u8], offset: usize) -> Option<String> {
    let line = journal.get(offset..)?;
    let line = &line[..line.iter().position(|b| *b == b'\n').unwrap_or(line.len())];
    let body = line.splitn(3, |b| *b == b' ').nth(2)?;
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    json.get("statement")?.as_str().map(str::to_owned)
}
