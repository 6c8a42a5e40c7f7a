//! A durable database: a data file (TOML, JSON or a binary snapshot) and a journal beside it
//! (`FILE.journal`).
//!
//! Every statement that changes the graph is appended to the journal and synced before it is
//! acknowledged. Opening replays the journal. A checkpoint folds the journal into the data file
//! on `:save`, on a clean exit and when the journal grows past `DbOptions::fold_bytes`, in an
//! order that leaves the files readable whenever it stops (the model is SQLite's write-ahead
//! log):
//!
//! 1. the new data file is written to memory and loaded back, so that what is written opens;
//! 2. a checkpoint record naming the new file's size and checksum is appended and synced;
//! 3. the data file is replaced atomically (a temporary file, synced, renamed);
//! 4. the journal is emptied in place and given a header naming the new data file;
//! 5. the live graph is replaced by the one loaded in step 1, so that the element numbers of
//!    the statements journalled next are those a reopening will have.
//!
//! **Invariant:** a statement acknowledged is never lost, and none is ever applied twice, by
//! half, or to another element: each record names the elements it touched as they were before
//! it (`Witness`), and a replay checks them first.
//! **Invariant:** a journal is set aside only when its data file provably holds it (its header
//! names the data file, or its last record is the checkpoint that wrote it). A damaged record,
//! a record that does not fit, or a data file changed by hand stops the opening, changes
//! nothing on disk and names `alliances recover`.
//! **Invariant:** only one process writes a database, whatever name it is opened by (see
//! `lock`); readers take no lock and see every statement acknowledged before they opened.

pub mod journal;
mod lock;
mod recover;

use std::fs::{self, File};
use std::io::{Seek, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use journal::Fingerprint;
pub use recover::{Salvage, recover};

use crate::datafile::{self, LoadError, SaveError};
use crate::model::Schema;
use crate::store::{Change, Graph, Witness};
use journal::Record;

/// The journal is folded into the data file once it is this large, unless told otherwise.
pub const FOLD_BYTES: u64 = 8 << 20;

/// How to open a database.
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// Share the database with other readers; refuse statements that write.
    pub read_only: bool,
    /// When the file does not exist, start from the built-in dataset instead of an empty graph.
    pub from_default: bool,
    /// Do not sync the journal after each statement: faster, but a crash of the machine (not
    /// only of the program) may lose the last statements.
    pub no_sync: bool,
    /// The rules the data file and every write are checked against.
    pub schema: Schema,
    /// The journal's size past which `wants_fold` says a checkpoint is due.
    pub fold_bytes: u64,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            read_only: false,
            from_default: false,
            no_sync: false,
            schema: Schema::Alliance,
            fold_bytes: FOLD_BYTES,
        }
    }
}

/// Why a database could not be opened, written or folded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// Another process has the database open for writing.
    #[error(
        "{path} is open for writing in another process{holder}; open it for reading only (read-only) to read it meanwhile",
        path = .path.display(),
        holder = .holder.as_ref().map(|h| format!(" ({h})")).unwrap_or_default()
    )]
    Locked {
        path: PathBuf,
        holder: Option<String>,
    },
    /// The data file has problems.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The data file could not be rewritten.
    #[error(transparent)]
    Save(#[from] SaveError),
    /// What a checkpoint would write does not open again; nothing was written.
    #[error("the journal was not folded into {path}: what would be written does not open again: {reason}; every statement stays in the journal", path = .path.display())]
    Unreadable { path: PathBuf, reason: String },
    /// The journal was written by a newer version of alliances.
    #[error("{path} was written by a newer version of alliances (journal format {version}); open it with that version", path = .path.display())]
    NewerJournal { path: PathBuf, version: u32 },
    /// A complete record of the journal is damaged.
    #[error("{path} is damaged at byte {offset}: {reason}; nothing was changed on disk. Run `alliances recover {data}` to keep every intact record in a new file (the damaged files are kept)", path = .path.display(), data = .data.display())]
    Damaged {
        path: PathBuf,
        data: PathBuf,
        offset: u64,
        reason: String,
    },
    /// A journal record does not fit the data file.
    #[error("{path} does not fit its data file at byte {offset}: {reason}; nothing was changed on disk. Run `alliances recover {data}` to keep every record that fits in a new file", path = .path.display(), data = .data.display())]
    Misfit {
        path: PathBuf,
        data: PathBuf,
        offset: u64,
        reason: String,
    },
    /// The data file is not the one the journal was started on, and the journal was not
    /// folded into it: it was edited or replaced by hand.
    #[error("{data} was changed outside alliances since its journal was started, so the {statements} statement(s) in {path} no longer apply to it; nothing was changed on disk. Run `alliances recover {data}` to apply what still fits to the file as it is now, in a new file", path = .path.display(), data = .data.display())]
    DataChanged {
        path: PathBuf,
        data: PathBuf,
        statements: usize,
    },
    /// The journal was removed or replaced while the database was open.
    #[error("{path} was removed or replaced while the database was open; this statement was not kept. Close this shell: the database's last statements are in the journal that was replaced", path = .path.display())]
    JournalReplaced { path: PathBuf },
    /// A file that is part of a database cannot be written as a plain data file.
    #[error("{path} is a database ({journal} is beside it): {what}", path = .path.display(), journal = .journal.display())]
    IsDatabase {
        path: PathBuf,
        journal: PathBuf,
        what: String,
    },
    #[error("{path}: {source}", path = .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What opening found, for the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Statements replayed from the journal.
    pub replayed: usize,
    /// A torn last record was cut off (a crash while it was being written).
    pub torn: bool,
    /// An old journal, already folded into the data file, was set aside.
    pub stale: bool,
    /// The file did not exist and was created.
    pub created: bool,
}

/// An open database. The graph lives beside it; statements are run on the graph and their
/// changes handed to `append`.
#[derive(Debug)]
pub struct Database {
    path: PathBuf,
    journal_path: PathBuf,
    /// The journal, locked, for a writer; none for a reader.
    journal: Option<File>,
    /// Which file the journal is, to tell when its path stops naming it.
    journal_identity: Option<lock::Identity>,
    /// The data file last written, locked, for a writer.
    data_lock: Option<File>,
    journal_bytes: u64,
    /// Where the journal's records start: the length of its header.
    header_bytes: u64,
    /// A checkpoint replaced the data file with this one but could not restart the journal:
    /// the journal must be restarted before anything more is appended to it.
    restart: Option<Fingerprint>,
    options: DbOptions,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> DbError + '_ {
    move |source| DbError::Io {
        path: path.to_owned(),
        source,
    }
}

/// `FILE.journal` beside `FILE`.
pub fn journal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// What a journal's bytes say about the data file beside it.
enum Verdict {
    /// Replay these statement records (offset, witnesses, changes) onto the data file.
    Replay(Vec<(usize, Vec<Witness>, Vec<Change>)>),
    /// The data file already holds everything in the journal.
    Folded,
}

/// Reads what the journal `bytes` say about a data file whose fingerprint is `base`.
fn judge(
    bytes: &[u8],
    base: Fingerprint,
    journal: &Path,
    data: &Path,
) -> Result<(Verdict, journal::Scan), DbError> {
    let scan = journal::scan(bytes);
    if let Some((offset, reason)) = scan.damaged.first() {
        return Err(DbError::Damaged {
            path: journal.to_owned(),
            data: data.to_owned(),
            offset: *offset as u64,
            reason: reason.clone(),
        });
    }
    let Some((version, journal_base)) = scan.header else {
        // Empty, or cut off while its header was written: nothing was ever acknowledged in it.
        return Ok((Verdict::Folded, scan));
    };
    if version > journal::VERSION {
        return Err(DbError::NewerJournal {
            path: journal.to_owned(),
            version,
        });
    }
    if journal_base != base {
        let folded =
            matches!(scan.records.last(), Some((_, Record::Checkpoint(fp))) if *fp == base);
        if folded {
            return Ok((Verdict::Folded, scan));
        }
        let statements = scan
            .records
            .iter()
            .filter(|(_, r)| matches!(r, Record::Statement { .. }))
            .count();
        if statements == 0 {
            // Nothing would be lost: the journal only names another file.
            return Ok((Verdict::Folded, scan));
        }
        return Err(DbError::DataChanged {
            path: journal.to_owned(),
            data: data.to_owned(),
            statements,
        });
    }
    let records = scan
        .records
        .iter()
        .filter_map(|(offset, record)| match record {
            Record::Statement {
                witnesses, changes, ..
            } => Some((*offset, witnesses.clone(), changes.clone())),
            Record::Checkpoint(_) => None,
        })
        .collect();
    Ok((Verdict::Replay(records), scan))
}

/// Applies journal records to `graph`, checking each one's witnesses first.
fn replay(
    graph: &mut Graph,
    records: &[(usize, Vec<Witness>, Vec<Change>)],
    journal: &Path,
    data: &Path,
) -> Result<(), DbError> {
    for (offset, witnesses, changes) in records {
        let misfit = |reason: String| DbError::Misfit {
            path: journal.to_owned(),
            data: data.to_owned(),
            offset: *offset as u64,
            reason,
        };
        graph
            .check_witnesses(witnesses)
            .map_err(|e| misfit(e.to_string()))?;
        graph.begin();
        let applied = graph
            .replay(changes)
            .map_err(|e| e.to_string())
            .and_then(|()| breaks_no_rule(graph));
        match applied {
            Ok(()) => graph.commit(),
            Err(reason) => {
                graph.rollback();
                return Err(misfit(reason));
            }
        }
    }
    Ok(())
}

/// Checks a replayed statement against the rules every write keeps, as it was checked when it
/// ran: a journal edited or written by another program cannot bring in what a statement could
/// not.
fn breaks_no_rule(graph: &Graph) -> Result<(), String> {
    crate::rules::check_changes(graph).map_err(|broken| {
        let first = broken.first().map(ToString::to_string).unwrap_or_default();
        match broken.len() {
            1 => format!("the statement breaks a rule: {first}"),
            n => format!("the statement breaks {n} rules, first: {first}"),
        }
    })
}

fn read_optional(path: &Path) -> Result<Vec<u8>, DbError> {
    match fs::read(path) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(io_error(path)(e)),
    }
}

fn regular(path: &Path) -> Result<(), DbError> {
    datafile::regular_target(path)
        .map(drop)
        .map_err(io_error(path))
}

impl Database {
    /// Opens (or creates) the database at `path` and returns it with its graph.
    ///
    /// # Errors
    /// When another writer holds it, its data file has problems, or its journal is damaged,
    /// does not fit, or belongs to another version of the data file.
    pub fn open(path: &Path, options: DbOptions) -> Result<(Database, Graph, Recovery), DbError> {
        regular(path)?;
        let path = lock::canonical(path).map_err(io_error(path))?;
        let journal_path = journal_path(&path);
        regular(&journal_path)?;
        if options.read_only {
            Self::open_reader(path, journal_path, options)
        } else {
            Self::open_writer(path, journal_path, options)
        }
    }

    pub(super) fn locked(path: &Path) -> DbError {
        let holder = fs::read_to_string(lock_note(path))
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty());
        DbError::Locked {
            path: path.to_owned(),
            holder,
        }
    }

    fn open_writer(
        path: PathBuf,
        journal_path: PathBuf,
        options: DbOptions,
    ) -> Result<(Database, Graph, Recovery), DbError> {
        let journal = match lock::take(&journal_path, true).map_err(io_error(&journal_path))? {
            lock::Taken::Locked(file) => file,
            lock::Taken::Held => return Err(Self::locked(&path)),
        };
        let mut recovery = Recovery::default();
        if !path.exists() {
            let graph = if options.from_default {
                datafile::default_graph()
            } else {
                Graph::new(options.schema)
            };
            datafile::save(&graph, &path)?;
            recovery.created = true;
        }
        // A hard link to the data file under another name has another journal: the data file's
        // own lock keeps it out.
        let data_lock = match lock::take(&path, false).map_err(io_error(&path))? {
            lock::Taken::Locked(file) => file,
            lock::Taken::Held => return Err(Self::locked(&path)),
        };
        let _ = fs::write(
            lock_note(&path),
            format!("process {}\n", std::process::id()),
        );
        let bytes = datafile::read_bytes(&path).map_err(io_error(&path))?;
        let base = journal::fingerprint(&bytes);
        let mut graph = datafile::load_file_bytes(&path, &bytes, options.schema)?;
        drop(bytes);
        let text = read_optional(&journal_path)?;
        let (verdict, scan) = judge(&text, base, &journal_path, &path)?;
        let identity = lock::Identity::of(&journal).map_err(io_error(&journal_path))?;
        let mut db = Database {
            path,
            journal_path,
            journal_identity: Some(identity),
            journal: Some(journal),
            data_lock: Some(data_lock),
            journal_bytes: 0,
            header_bytes: 0,
            restart: None,
            options,
        };
        match verdict {
            Verdict::Replay(records) => {
                replay(&mut graph, &records, &db.journal_path, &db.path)?;
                recovery.replayed = records.len();
                let end = scan.good_end(text.len());
                recovery.torn = scan.cut_record();
                let file = db.journal.as_mut().expect("a writer has its journal");
                let path = &db.journal_path;
                if recovery.torn {
                    file.set_len(end as u64).map_err(io_error(path))?;
                    file.sync_all().map_err(io_error(path))?;
                }
                file.seek(SeekFrom::Start(end as u64))
                    .map_err(io_error(path))?;
                db.journal_bytes = end as u64;
                db.header_bytes = scan.body_start as u64;
            }
            Verdict::Folded => {
                recovery.stale = !scan.records.is_empty();
                recovery.torn = scan.cut_record();
                db.restart_journal(base)?;
            }
        }
        Ok((db, graph, recovery))
    }

    /// A reader reads the journal, then the data file. A checkpoint replaces the data file
    /// before it empties the journal, so the data file read is at least as new as the journal;
    /// when they do not agree, a checkpoint ran in between, and both are read again.
    fn open_reader(
        path: PathBuf,
        journal_path: PathBuf,
        options: DbOptions,
    ) -> Result<(Database, Graph, Recovery), DbError> {
        let mut last: Option<(Vec<u8>, Vec<u8>)> = None;
        let mut wait = Duration::from_millis(1);
        loop {
            let text = read_optional(&journal_path)?;
            let bytes = match datafile::read_bytes(&path) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(DbError::Io {
                        path,
                        source: std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            "no such database",
                        ),
                    });
                }
                Err(e) => return Err(io_error(&path)(e)),
            };
            let base = journal::fingerprint(&bytes);
            let judged = judge(&text, base, &journal_path, &path).and_then(|(verdict, scan)| {
                let mut graph = datafile::load_file_bytes(&path, &bytes, options.schema)?;
                let mut recovery = Recovery {
                    torn: scan.cut_record(),
                    ..Recovery::default()
                };
                if let Verdict::Replay(records) = verdict {
                    replay(&mut graph, &records, &journal_path, &path)?;
                    recovery.replayed = records.len();
                } else {
                    recovery.stale = !scan.records.is_empty();
                }
                Ok((graph, recovery))
            });
            let settled = last
                .as_ref()
                .is_some_and(|(t, b)| *t == text && b[..] == bytes[..]);
            match judged {
                Ok((graph, recovery)) => {
                    let db = Database {
                        path,
                        journal_path,
                        journal: None,
                        journal_identity: None,
                        data_lock: None,
                        journal_bytes: 0,
                        header_bytes: 0,
                        restart: None,
                        options,
                    };
                    return Ok((db, graph, recovery));
                }
                // The same bytes twice, a moment apart: what they say is so.
                Err(e) if settled || wait > Duration::from_millis(500) => return Err(e),
                Err(_) => {
                    last = Some((text, bytes.to_vec()));
                    std::thread::sleep(wait);
                    wait *= 2;
                }
            }
        }
    }

    /// Empties the journal in place and gives it a header naming the data file `base`.
    fn restart_journal(&mut self, base: Fingerprint) -> Result<(), DbError> {
        let path = &self.journal_path;
        let Some(file) = &mut self.journal else {
            return Ok(());
        };
        self.restart = Some(base);
        let header = journal::header(base);
        file.set_len(0).map_err(io_error(path))?;
        file.seek(SeekFrom::Start(0)).map_err(io_error(path))?;
        file.write_all(header.as_bytes()).map_err(io_error(path))?;
        file.sync_all().map_err(io_error(path))?;
        self.journal_bytes = header.len() as u64;
        self.header_bytes = self.journal_bytes;
        self.restart = None;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn read_only(&self) -> bool {
        self.options.read_only
    }

    /// Whether `path` names this database's data file or journal, by any name.
    pub fn owns(&self, path: &Path) -> bool {
        let Ok(target) = fs::metadata(path) else {
            return false;
        };
        [&self.path, &self.journal_path]
            .iter()
            .any(|own| fs::metadata(own).is_ok_and(|meta| lock::same_file(&meta, &target)))
    }

    /// Makes a statement's changes durable: appends them and syncs, before the statement is
    /// acknowledged. `witnesses` are the elements it touched as they were before it.
    ///
    /// # Errors
    /// When the journal cannot be written (a full disk, say) or was replaced; the caller undoes
    /// the statement.
    pub fn append(
        &mut self,
        statement: &str,
        witnesses: &[Witness],
        changes: &[Change],
    ) -> Result<(), DbError> {
        if self.journal.is_none() {
            return Err(io_error(&self.path)(std::io::Error::other(
                "the database is open read-only",
            )));
        }
        if let Some(base) = self.restart {
            self.restart_journal(base)?;
        }
        let record = journal::record(statement, witnesses, changes);
        self.append_record(&record, !self.options.no_sync)
    }

    /// Appends one record to the journal, synced when `sync`, after checking the journal is
    /// still the file its path names; on failure the journal is cut back to where it was.
    fn append_record(&mut self, record: &str, sync: bool) -> Result<(), DbError> {
        let path = &self.journal_path;
        let file = self.journal.as_mut().expect("only a writer appends");
        let identity = self
            .journal_identity
            .as_ref()
            .expect("a writer knows its journal");
        if !identity.still_at(path).map_err(io_error(path))? {
            return Err(DbError::JournalReplaced { path: path.clone() });
        }
        let result = file
            .write_all(record.as_bytes())
            .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
        if let Err(e) = result {
            // Cut off what may have been written, so the journal ends with the last good record.
            let _ = file.set_len(self.journal_bytes);
            let _ = file.seek(SeekFrom::Start(self.journal_bytes));
            return Err(io_error(path)(e));
        }
        self.journal_bytes += record.len() as u64;
        Ok(())
    }

    /// Whether the journal holds anything the data file does not.
    pub fn has_unfolded(&self) -> bool {
        self.journal.is_some() && (self.restart.is_some() || self.journal_bytes > self.header_bytes)
    }

    /// Whether the journal has grown past its fold size.
    pub fn wants_fold(&self) -> bool {
        self.journal_bytes > self.options.fold_bytes || self.restart.is_some()
    }

    /// Folds the journal into the data file (see the module's steps) and rebases `graph` onto
    /// the numbering of the file written.
    ///
    /// # Errors
    /// When the data file or the journal cannot be written, or what would be written does not
    /// open again. Every acknowledged statement is still kept: either the old data file and
    /// the journal, or the new data file, say everything.
    pub fn fold(&mut self, graph: &mut Graph) -> Result<(), DbError> {
        if self.journal.is_none() {
            return Ok(());
        }
        let bytes = datafile::to_bytes(graph, &self.path)?;
        let reloaded = datafile::load_read_files(&[(&self.path, &bytes)], self.options.schema)
            .map_err(|e| DbError::Unreadable {
                path: self.path.clone(),
                reason: e.to_string(),
            })?;
        let target = journal::fingerprint(&bytes);
        if let Some(base) = self.restart {
            // The data file was written by a checkpoint whose journal never restarted.
            self.restart_journal(base)?;
        }
        self.append_record(&journal::checkpoint(target), true)?;
        datafile::write_atomically(&self.path, &bytes).map_err(|source| SaveError::Io {
            path: self.path.clone(),
            source,
        })?;
        // From here the data file holds every statement: the graph follows its numbering.
        *graph = reloaded;
        self.data_lock = None;
        self.data_lock = Some(lock::relock(&self.path).map_err(io_error(&self.path))?);
        self.restart_journal(target)
    }
}

/// `FILE.lock` beside `FILE`: which process writes the database, for the message a second
/// writer gets. It is a note, not the lock.
fn lock_note(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Refuses to treat a database's data file as a plain data file that is saved whole: that
/// would bypass its journal and its writer.
///
/// # Errors
/// `IsDatabase` when `path` has a journal beside it, or is being written as a database.
pub fn refuse_database(path: &Path, what: &str) -> Result<(), DbError> {
    let Ok(canonical) = lock::canonical(path) else {
        return Ok(());
    };
    let journal = journal_path(&canonical);
    let held = lock::is_held(&journal) || lock::is_held(&canonical);
    if held || journal.exists() {
        return Err(DbError::IsDatabase {
            path: path.to_owned(),
            journal,
            what: format!(
                "{what}{}",
                if held {
                    "; another process has it open for writing"
                } else {
                    ""
                }
            ),
        });
    }
    Ok(())
}

impl Drop for Database {
    fn drop(&mut self) {
        if self.journal.is_some() {
            let _ = fs::remove_file(lock_note(&self.path));
        }
    }
}
