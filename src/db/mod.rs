//! A durable database: a data file (TOML, JSON or a binary snapshot), a journal beside it (`FILE.journal`) and a
//! lock (`FILE.lock`).
//!
//! Every statement that changes the graph is appended to the journal and synced before it is
//! acknowledged. Opening replays the journal. The journal is folded into the data file (an
//! atomic rewrite) on `:save`, on a clean exit and when it grows past `FOLD_BYTES`.
//!
//! **Invariant:** a statement acknowledged is never lost, and none is ever applied twice or by
//! half. The journal's header names the data file it applies to (size and checksum), so after
//! a crash between rewriting the data file and starting a new journal, the old journal is seen
//! to be already folded in.
//! **Invariant:** a damaged journal stops the opening with its place and changes nothing on
//! disk, except a torn last record (a crash mid-append), which is cut off and reported.

pub mod journal;

use std::fs::{self, File, OpenOptions};
use std::io::{Read as _, Seek, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use crate::datafile::{self, LoadError, SaveError};
use crate::model::Schema;
use crate::store::{Change, Graph};

/// The journal is folded into the data file once it is this large.
pub const FOLD_BYTES: u64 = 8 << 20;

/// How to open a database.
#[derive(Clone, Debug, Default)]
pub struct DbOptions {
    /// Share the database with other readers; refuse statements that write.
    pub read_only: bool,
    /// When the file does not exist, start from the built-in dataset instead of an empty graph.
    pub from_default: bool,
    /// Do not sync the journal after each statement: faster, but a crash of the machine (not
    /// only of the program) may lose the last statements.
    pub no_sync: bool,
}

/// Why a database could not be opened, written or folded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// Another process has the database open for writing.
    #[error(
        "{path} is open for writing in another process{holder}; open it with --read-only to read it meanwhile",
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
    /// The journal was written by a newer version of alliances.
    #[error("{path} was written by a newer version of alliances (journal format {version}); open it with that version", path = .path.display())]
    NewerJournal { path: PathBuf, version: u32 },
    /// A record in the middle of the journal is damaged: data after it cannot be trusted.
    #[error("{path} is damaged at byte {offset}: {reason}; nothing was changed on disk. Move the journal aside to open the data file as it was last saved", path = .path.display())]
    Damaged {
        path: PathBuf,
        offset: u64,
        reason: String,
    },
    /// A journal record does not fit the data file.
    #[error("{path} does not fit its data file at byte {offset}: {reason}; nothing was changed on disk", path = .path.display())]
    Misfit {
        path: PathBuf,
        offset: u64,
        reason: String,
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
    journal: Option<File>,
    journal_bytes: u64,
    options: DbOptions,
    /// Held for as long as the database is open.
    _lock: File,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> DbError + '_ {
    move |source| DbError::Io {
        path: path.to_owned(),
        source,
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Size and checksum of the data file's bytes: what a journal header names.
fn fingerprint(bytes: &[u8]) -> (u64, u32) {
    (bytes.len() as u64, crc32fast::hash(bytes))
}

impl Database {
    /// Opens (or creates) the database at `path` and returns it with its graph.
    ///
    /// # Errors
    /// When another writer holds it, its data file has problems, or its journal is damaged.
    pub fn open(path: &Path, options: DbOptions) -> Result<(Database, Graph, Recovery), DbError> {
        let lock_path = sidecar(path, ".lock");
        let mut lock = if options.read_only {
            File::open(path).map_err(io_error(path))?
        } else {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&lock_path)
                .map_err(io_error(&lock_path))?
        };
        // A reader takes no lock: it reads a snapshot and never stands in a writer's way.
        if !options.read_only && lock.try_lock().is_err() {
            let mut holder = String::new();
            let _ = lock.read_to_string(&mut holder);
            return Err(DbError::Locked {
                path: path.to_owned(),
                holder: (!holder.trim().is_empty()).then(|| holder.trim().to_owned()),
            });
        }
        if !options.read_only {
            let _ = lock.set_len(0);
            let _ = write!(lock, "process {}", std::process::id());
        }
        let mut recovery = Recovery::default();
        if !path.exists() {
            if options.read_only {
                return Err(DbError::Io {
                    path: path.to_owned(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such database"),
                });
            }
            let graph = if options.from_default {
                datafile::default_graph()
            } else {
                Graph::new(Schema::Alliance)
            };
            datafile::save(&graph, path)?;
            recovery.created = true;
        }
        let bytes = fs::read(path).map_err(io_error(path))?;
        let mut graph = datafile::load_read_files(&[(path, &bytes)], Schema::Alliance)?;
        let base = fingerprint(&bytes);
        let journal_path = sidecar(path, ".journal");
        let mut db = Database {
            path: path.to_owned(),
            journal_path: journal_path.clone(),
            journal: None,
            journal_bytes: 0,
            options,
            _lock: lock,
        };
        match fs::read(&journal_path) {
            Ok(text) => db.recover(&text, base, &mut graph, &mut recovery)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&journal_path)(e)),
        }
        if !db.options.read_only && db.journal.is_none() {
            db.start_journal(base)?;
        }
        Ok((db, graph, recovery))
    }

    /// Replays the journal `text` onto `graph`, checking its header and every record.
    fn recover(
        &mut self,
        text: &[u8],
        base: (u64, u32),
        graph: &mut Graph,
        recovery: &mut Recovery,
    ) -> Result<(), DbError> {
        let path = self.journal_path.clone();
        let damaged = |offset: usize, reason: String| DbError::Damaged {
            path: path.clone(),
            offset: offset as u64,
            reason,
        };
        let Ok(text) = std::str::from_utf8(text) else {
            return Err(damaged(0, "the journal is not text".to_owned()));
        };
        let header_end = text.find('\n').unwrap_or(text.len());
        let Some((version, size, crc)) = journal::parse_header(&text[..header_end]) else {
            if text.len() == header_end {
                // Cut off while its header was written: nothing was ever acknowledged in it.
                recovery.torn = !text.is_empty();
                return Ok(());
            }
            return Err(damaged(
                0,
                "its first line is not a journal header".to_owned(),
            ));
        };
        if version > journal::VERSION {
            return Err(DbError::NewerJournal { path, version });
        }
        if (size, crc) != base {
            // The data file was rewritten after this journal was folded into it.
            recovery.stale = true;
            return Ok(());
        }
        let mut offset = header_end + 1;
        let mut good_end = offset;
        let mut records = Vec::new();
        while offset < text.len() {
            let line_end = text[offset..].find('\n').map(|i| offset + i);
            let line = &text[offset..line_end.unwrap_or(text.len())];
            match journal::read_record(line) {
                journal::Read::Record(changes) if line_end.is_some() => {
                    records.push((offset, changes));
                    offset = line_end.expect("checked") + 1;
                    good_end = offset;
                }
                journal::Read::Record(_) | journal::Read::Damaged(_)
                    if line_end.is_none_or(|e| e + 1 == text.len()) =>
                {
                    // The last record is incomplete: a crash while it was appended. It was
                    // never acknowledged, so it is dropped.
                    recovery.torn = true;
                    break;
                }
                journal::Read::Damaged(reason) => return Err(damaged(offset, reason)),
                journal::Read::Record(_) => unreachable!("handled above"),
            }
        }
        for (offset, changes) in &records {
            graph.replay(changes).map_err(|e| DbError::Misfit {
                path: path.clone(),
                offset: *offset as u64,
                reason: e.to_string(),
            })?;
        }
        recovery.replayed = records.len();
        if !self.options.read_only {
            let mut file = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(io_error(&path))?;
            if recovery.torn {
                file.set_len(good_end as u64).map_err(io_error(&path))?;
                file.sync_all().map_err(io_error(&path))?;
            }
            file.seek(SeekFrom::Start(good_end as u64))
                .map_err(io_error(&path))?;
            self.journal = Some(file);
            self.journal_bytes = good_end as u64;
        }
        Ok(())
    }

    /// Starts an empty journal for the data file whose fingerprint is `base`, replacing any
    /// old one atomically.
    fn start_journal(&mut self, base: (u64, u32)) -> Result<(), DbError> {
        let header = journal::header(base.0, base.1);
        datafile::write_atomically(&self.journal_path, header.as_bytes())
            .map_err(io_error(&self.journal_path))?;
        let mut file = OpenOptions::new()
            .write(true)
            .open(&self.journal_path)
            .map_err(io_error(&self.journal_path))?;
        file.seek(SeekFrom::End(0))
            .map_err(io_error(&self.journal_path))?;
        self.journal_bytes = header.len() as u64;
        self.journal = Some(file);
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn read_only(&self) -> bool {
        self.options.read_only
    }

    /// Makes a statement's changes durable: appends them and syncs, before the statement is
    /// acknowledged.
    ///
    /// # Errors
    /// When the journal cannot be written (a full disk, say); the caller undoes the statement.
    pub fn append(&mut self, statement: &str, changes: &[Change]) -> std::io::Result<()> {
        let Some(file) = &mut self.journal else {
            return Err(std::io::Error::other("the database is open read-only"));
        };
        let record = journal::record(statement, changes);
        let result = file.write_all(record.as_bytes()).and_then(|()| {
            if self.options.no_sync {
                Ok(())
            } else {
                file.sync_data()
            }
        });
        if let Err(e) = result {
            // Cut off what may have been written, so the journal ends with the last good record.
            let _ = file.set_len(self.journal_bytes);
            let _ = file.seek(SeekFrom::Start(self.journal_bytes));
            return Err(e);
        }
        self.journal_bytes += record.len() as u64;
        Ok(())
    }

    /// Whether the journal has grown past `FOLD_BYTES`.
    pub fn wants_fold(&self) -> bool {
        self.journal_bytes > FOLD_BYTES
    }

    /// Writes the whole graph into the data file (atomically) and starts a new journal.
    ///
    /// # Errors
    /// When the data file or the journal cannot be written; the previous files stay valid.
    pub fn fold(&mut self, graph: &Graph) -> Result<(), DbError> {
        if self.options.read_only {
            return Ok(());
        }
        datafile::save(graph, &self.path)?;
        let bytes = fs::read(&self.path).map_err(io_error(&self.path))?;
        self.start_journal(fingerprint(&bytes))
    }
}
