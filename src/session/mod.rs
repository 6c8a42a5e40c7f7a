//! An open graph and the one way statements run on it, for every front end: the command line,
//! the shell, scripts and the benchmark.
//!
//! Opening lives here (the built-in dataset, data files, a CSV import, a database, with a
//! schema and an as-of date), as does running one statement on what was opened: the read-only
//! refusal, the journal write before commit, and the checkpoint after it.
//!
//! **Invariant:** nothing here prints, reads standard input or names a command-line flag;
//! what a front end should tell its user comes back as notes.

use std::path::{Path, PathBuf};

use crate::datafile::{self, ImportProgress, LoadError};
use crate::db::{Database, DbError, DbOptions};
use crate::model::{Date, Schema};
use crate::query::{self, Limits, Params, Prepared, QueryError, QueryResult};
use crate::store::Graph;

mod import;
pub mod report;

pub use import::{ImportRefused, ImportReport, ImportRequest};

/// Where an open graph came from, for banners and messages.
#[derive(Debug, Clone)]
pub enum Origin {
    /// The dataset compiled into the binary: an in-memory copy.
    Default,
    /// Data files.
    Files(Vec<PathBuf>),
    /// A CSV bulk import.
    Csv { nodes: PathBuf, edges: PathBuf },
    /// A database: changes are journalled and kept as they are made.
    Database(PathBuf),
}

/// How query results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
}

/// What to open: with none of `data`, `csv` and `db`, the built-in dataset.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Data files (TOML, JSON, or one snapshot), loaded together.
    pub data: Vec<PathBuf>,
    /// A nodes and an edges CSV file for a bulk import.
    pub csv: Option<(PathBuf, PathBuf)>,
    /// A database.
    pub db: Option<PathBuf>,
    /// Open the database for reading only.
    pub read_only: bool,
    /// A new database starts from the built-in dataset.
    pub from_default: bool,
    /// Do not sync the database's journal after each statement.
    pub no_sync: bool,
    /// The journal size at which a database folds; the default when none.
    pub fold_bytes: Option<u64>,
    /// The rules the graph is read and written under.
    pub schema: Schema,
    /// Show the graph as it stood on this date.
    pub as_of: Option<Date>,
}

/// Why a graph could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// A data file or CSV file has problems.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A database could not be opened.
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Why a session refused to change its view, its graph, or to save.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// A dated view is shown: it may not be saved or replaced, since it hides relationships.
    #[error("the graph is shown as of {date}; show the whole graph first (as-of off)")]
    DatedView { date: Date },
    /// A database is open: its journal is this session's, so another graph is not opened in it.
    #[error("a database is open; open another graph in another session")]
    DatabaseOpen,
    /// Saving needs a file name: the graph did not come from one data file.
    #[error("saving needs a file name: the graph did not come from one data file")]
    NoFile,
    /// The file given is the open database's own data file, which only a fold writes.
    #[error("{} is this database's own file; save without a file name to fold the journal into it", path.display())]
    OwnFile { path: PathBuf },
    /// The database refused (another database's file, a fold that failed).
    #[error(transparent)]
    Database(#[from] DbError),
    /// The file could not be written.
    #[error(transparent)]
    Save(#[from] datafile::SaveError),
}

/// Where a save went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The database's journal was folded into its data file.
    Folded(PathBuf),
    /// The graph was written to this data file or snapshot.
    Written(PathBuf),
}

/// What opening a database found that its user should hear of.
fn recovery_notes(path: &Path, recovery: &crate::db::Recovery) -> Vec<String> {
    let mut notes = Vec::new();
    if recovery.created {
        notes.push(format!("created the database {}", path.display()));
    }
    if recovery.torn {
        notes.push(format!(
            "note: the last record of {}.journal was cut short (a crash while it was written); that statement had not been acknowledged and is dropped",
            path.display()
        ));
    }
    if recovery.stale {
        notes.push(format!(
            "note: an old journal was already saved into {}; it was set aside",
            path.display()
        ));
    }
    notes
}

impl Request {
    /// Opens the database of the request for writing (or reading, with `read_only`), with the
    /// notes its opening left.
    ///
    /// # Errors
    /// As `Database::open`, or when the file holds a graph under another schema.
    pub fn open_database(&self) -> Result<Option<(Database, Graph, Vec<String>)>, DbError> {
        let Some(path) = &self.db else {
            return Ok(None);
        };
        let options = DbOptions {
            read_only: self.read_only,
            from_default: self.from_default,
            no_sync: self.no_sync,
            schema: self.schema,
            fold_bytes: self.fold_bytes.unwrap_or(crate::db::FOLD_BYTES),
        };
        let (db, mut graph, recovery) = Database::open(path, options)?;
        datafile::check_schema(&graph, self.schema, path)?;
        graph.set_schema(self.schema);
        let notes = recovery_notes(path, &recovery);
        Ok(Some((db, graph, notes)))
    }

    /// Loads the graph to read: a database is opened as a reader and let go. `progress` hears
    /// of a CSV import's progress.
    ///
    /// # Errors
    /// When a file has problems or a database cannot be read.
    pub fn load(
        &self,
        progress: &(dyn Fn(ImportProgress) + Sync),
    ) -> Result<(Graph, Origin, Vec<String>), OpenError> {
        if self.db.is_some() {
            let reader = Request {
                read_only: true,
                ..self.clone()
            };
            if let Some((db, graph, notes)) = reader.open_database()? {
                return Ok((graph, Origin::Files(vec![db.path().to_owned()]), notes));
            }
        }
        let (mut graph, origin) = match &self.csv {
            Some((nodes, edges)) => (
                load_csv(nodes, edges, progress)?,
                Origin::Csv {
                    nodes: nodes.clone(),
                    edges: edges.clone(),
                },
            ),
            None if !self.data.is_empty() => (
                datafile::load_files(&self.data, Schema::Alliance)?,
                Origin::Files(self.data.clone()),
            ),
            None => (datafile::default_graph(), Origin::Default),
        };
        if let Origin::Files(paths) = &origin
            && let Some(path) = paths.first()
        {
            datafile::check_schema(&graph, self.schema, path)?;
        }
        graph.set_schema(self.schema);
        let mut notes = Vec::new();
        if let Some(date) = self.as_of {
            let (view, counts) = graph.as_of(date);
            notes.push(as_of_note(date, &counts));
            graph = view;
        }
        Ok((graph, origin, notes))
    }
}

/// Imports a pair of CSV files, telling `progress` how far it got.
///
/// # Errors
/// When either file cannot be opened or has problems.
pub fn load_csv(
    nodes: &Path,
    edges: &Path,
    progress: &(dyn Fn(ImportProgress) + Sync),
) -> Result<Graph, LoadError> {
    // Mapped, not copied: the importer reads the files in place.
    let read = |path: &Path| {
        datafile::read_bytes(path).map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })
    };
    let (node_bytes, edge_bytes) = (read(nodes)?, read(edges)?);
    datafile::import_csv_bytes(
        &nodes.display().to_string(),
        &node_bytes,
        &edges.display().to_string(),
        &edge_bytes,
        Schema::Alliance,
        progress,
    )
}

/// What `--as-of` and `:asof` hid and kept: "as of 2024-12-31: 30 relationships hidden (29
/// dated later, 1 ended, 0 cancelled); 2 relationships without a date kept".
pub fn as_of_note(date: Date, counts: &crate::store::AsOfCounts) -> String {
    let mut note = format!(
        "as of {date}: {} hidden ({} dated later, {} ended, {} cancelled); {} without a date kept",
        counted(counts.hidden(), "relationship", "relationships"),
        counts.later,
        counts.ended,
        counts.cancelled,
        counted(counts.undated, "relationship", "relationships")
    );
    if counts.may_have_ended > 0 {
        note.push_str(&format!(
            "; {} ending in a month or year that includes the date kept, as it may still have held",
            counted(counts.may_have_ended, "relationship", "relationships")
        ));
    }
    note
}

/// "1 entity", "2 entities".
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A statement that ran, with what its user should hear besides its result.
#[derive(Debug)]
pub struct Ran {
    pub result: QueryResult,
    /// Warnings after the statement committed (a checkpoint that failed, to be tried again).
    pub warnings: Vec<String>,
}

/// Runs one prepared statement on `graph`, through the database's journal when there is one:
/// refused when the database is read-only and the statement writes, journalled and synced
/// before it commits, and followed by a checkpoint when the journal has grown past its size.
/// A failed checkpoint does not fail the committed statement: it is a warning.
///
/// # Errors
/// As `Prepared::run_mut_with`, or the read-only refusal.
pub fn run_statement(
    graph: &mut Graph,
    db: Option<&mut Database>,
    params: &Params,
    text: &str,
    prepared: &Prepared,
) -> Result<Ran, QueryError> {
    let Some(db) = db else {
        return prepared.run_mut(graph, params).map(|result| Ran {
            result,
            warnings: Vec::new(),
        });
    };
    if db.read_only() && prepared.writes() {
        return Err(QueryError::read_only(text));
    }
    let result = prepared.run_mut_with(graph, params, &mut |witnesses, changes| {
        Ok(db.append(text, witnesses, changes)?)
    })?;
    let mut warnings = Vec::new();
    if db.wants_fold()
        && let Err(e) = db.fold(graph)
    {
        warnings.push(format!(
            "warning: the statement is kept in the journal, but the journal could not be folded into the data file: {e}; it will be tried again"
        ));
    }
    Ok(Ran { result, warnings })
}

/// An open graph and what goes with it between statements: where it came from, its database
/// (journal, lock), the parameters statements see, the limits they keep to, how their results
/// are shown, and the whole graph while a dated view is shown. Every front end drives one: the
/// command line's `query`, the shell, scripts and the benchmark.
///
/// ```
/// use alliances::session::{Request, Session};
///
/// let (mut session, _notes) = Session::open(&Request::default(), &|_| {})?;
/// let text = "MATCH (c:Consortium) RETURN c.name AS name ORDER BY name";
/// for statement in &alliances::query::parse(text)? {
///     let prepared = session.prepare(text, statement)?;
///     let ran = session.run(text, &prepared)?;
///     assert_eq!(ran.result.to_json(), r#"{"columns":["name"],"rows":[["AIP"],["Stargate"]]}"#);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Session {
    pub graph: Graph,
    pub origin: Origin,
    /// The open database, whose journal keeps every change.
    pub db: Option<Database>,
    /// `$NAME` values for statements.
    pub params: Params,
    /// The bounds every statement prepared from now on keeps to (rows, hops, memory, time,
    /// and the flag that interrupts it).
    pub limits: Limits,
    /// How the front end prints results.
    pub format: OutputFormat,
    /// While a dated view is shown: the date, and the whole graph `graph` is a view of.
    pub as_of: Option<(Date, Graph)>,
    /// The procedures `CALL` finds: the built-in ones, and those the program added
    /// (`Procedures::add`).
    pub procedures: query::Procedures,
}

impl Session {
    /// A session on a graph already in hand.
    pub fn new(graph: Graph, origin: Origin, db: Option<Database>) -> Session {
        Session {
            graph,
            origin,
            db,
            params: Params::new(),
            limits: Limits::default(),
            format: OutputFormat::Table,
            as_of: None,
            procedures: query::Procedures::new(),
        }
    }

    /// Opens what `request` names: its database for writing (or reading, when the request is
    /// read-only), or the graph to read. The notes say what opening found.
    ///
    /// # Errors
    /// As `Request::open_database` and `Request::load`.
    pub fn open(
        request: &Request,
        progress: &(dyn Fn(ImportProgress) + Sync),
    ) -> Result<(Session, Vec<String>), OpenError> {
        if let Some((db, graph, notes)) = request.open_database()? {
            let origin = Origin::Database(db.path().to_owned());
            return Ok((Session::new(graph, origin, Some(db)), notes));
        }
        let (graph, origin, notes) = request.load(progress)?;
        Ok((Session::new(graph, origin, None), notes))
    }

    /// Prepares one parsed statement of `text` against the graph as it is now, within the
    /// session's limits.
    ///
    /// # Errors
    /// The planner's errors.
    pub fn prepare<'t>(
        &self,
        text: &'t str,
        statement: &query::ast::Statement,
    ) -> Result<Prepared<'t>, QueryError> {
        Ok(
            query::prepare_with(&self.graph, text, statement, &self.procedures)?
                .within(&self.limits),
        )
    }

    /// Parses, prepares and runs each statement of `text` in turn, stopping at the first that
    /// fails (which changes nothing; those before it stay done).
    ///
    /// # Errors
    /// The first statement's error, from the parser, the planner or the run.
    pub fn execute(&mut self, text: &str) -> Result<Vec<Ran>, QueryError> {
        let mut done = Vec::new();
        for statement in &query::parse(text)? {
            let prepared = self.prepare(text, statement)?;
            done.push(self.run(text, &prepared)?);
        }
        Ok(done)
    }

    /// Runs a prepared statement: refused while a dated view is shown and it writes, and
    /// otherwise as `run_statement`.
    ///
    /// # Errors
    /// As `run_statement`, or the dated view's refusal.
    pub fn run(&mut self, text: &str, prepared: &Prepared) -> Result<Ran, QueryError> {
        if let Some((date, _)) = &self.as_of
            && prepared.writes()
        {
            return Err(QueryError::dated_view(text, *date));
        }
        run_statement(
            &mut self.graph,
            self.db.as_mut(),
            &self.params,
            text,
            prepared,
        )
    }

    /// Shows the graph as it stood on `date` (`:asof DATE`), from the whole graph whatever view
    /// was shown; the note says what the view hides and keeps.
    pub fn show_as_of(&mut self, date: Date) -> String {
        let full = match self.as_of.take() {
            Some((_, full)) => full,
            None => std::mem::take(&mut self.graph),
        };
        let (view, counts) = full.as_of(date);
        self.graph = view;
        self.as_of = Some((date, full));
        as_of_note(date, &counts)
    }

    /// Shows the whole graph again (`:asof off`); whether a dated view was shown.
    pub fn show_whole(&mut self) -> bool {
        match self.as_of.take() {
            Some((_, full)) => {
                self.graph = full;
                true
            }
            None => false,
        }
    }

    /// Replaces the open graph with another (`:load`, `:import`), under this session's schema.
    ///
    /// # Errors
    /// While a dated view is shown, or a database is open.
    pub fn replace(&mut self, mut graph: Graph, origin: Origin) -> Result<(), SessionError> {
        self.may_replace()?;
        graph.set_schema(self.graph.schema());
        self.graph = graph;
        self.origin = origin;
        Ok(())
    }

    /// Whether `replace` would be refused, and why.
    ///
    /// # Errors
    /// As `replace`.
    pub fn may_replace(&self) -> Result<(), SessionError> {
        if let Some((date, _)) = &self.as_of {
            return Err(SessionError::DatedView { date: *date });
        }
        if self.db.is_some() {
            return Err(SessionError::DatabaseOpen);
        }
        Ok(())
    }

    /// Saves the graph (`:save [FILE]`): without a file, a database folds its journal and a
    /// graph read from one data file is written back to it; with one, the graph is written
    /// there, unless that is a database's file.
    ///
    /// # Errors
    /// A dated view (it hides relationships), no file to save to, a database's own or another
    /// database's file, or a failed write.
    pub fn save(&mut self, to: Option<&Path>) -> Result<Saved, SessionError> {
        if let Some((date, _)) = &self.as_of {
            return Err(SessionError::DatedView { date: *date });
        }
        if to.is_none()
            && let Some(path) = self.db.as_ref().map(|db| db.path().to_owned())
        {
            self.fold()?;
            return Ok(Saved::Folded(path));
        }
        let path = match (to, &self.origin) {
            (Some(path), _) => path.to_owned(),
            (None, Origin::Files(files)) if files.len() == 1 => files[0].clone(),
            (None, _) => return Err(SessionError::NoFile),
        };
        if let Some(db) = &self.db
            && db.owns(&path)
        {
            return Err(SessionError::OwnFile { path });
        }
        crate::db::refuse_database(
            &path,
            "saving over it would bypass its journal; open it as a database to change it",
        )?;
        datafile::save(&self.graph, &path)?;
        Ok(Saved::Written(path))
    }

    /// Folds the journal into the data file now (`:save` on a database).
    ///
    /// # Errors
    /// As `Database::fold`; without a database, nothing happens.
    pub fn fold(&mut self) -> Result<(), DbError> {
        match &mut self.db {
            Some(db) => db.fold(&mut self.graph),
            None => Ok(()),
        }
    }

    /// Ends the session: a database folds what its journal holds (a failure is the warning
    /// returned, every statement staying in the journal). A dated view folds nothing.
    pub fn close(&mut self) -> Option<String> {
        if self.as_of.is_some() {
            return None;
        }
        let db = self.db.as_mut()?;
        if !db.has_unfolded() {
            return None;
        }
        db.fold(&mut self.graph).err().map(|e| {
            format!(
                "warning: every statement is kept in the journal, which will be replayed, but it could not be folded into the data file: {e}"
            )
        })
    }
}
