//! An open graph and the one way statements run on it, for every front end: the command line,
//! the shell, scripts and the benchmark.
//!
//! Opening lives here (the built-in dataset, data files, a CSV import, a database, with a
//! schema and an as-of date), as does running one statement on what was opened: the read-only
//! refusal, the journal write before commit, and the checkpoint after it.
//!
//! **Invariant:** nothing here prints, reads standard input or names a command-line flag;
//! what a front end should tell its user comes back as notes.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::datafile::{self, ImportProgress, LoadError};
use crate::db::{Database, DbError, DbOptions};
use crate::model::{Date, Schema};
use crate::query::{self, Limits, Params, Prepared, QueryError, QueryResult};
use crate::store::Graph;

pub mod report;

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
    let open = |path: &Path| {
        File::open(path)
            .map(|f| BufReader::with_capacity(1 << 20, f))
            .map_err(|source| LoadError::Io {
                path: path.to_owned(),
                source,
            })
    };
    datafile::import_csv_with_progress(
        &nodes.display().to_string(),
        open(nodes)?,
        &edges.display().to_string(),
        open(edges)?,
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
        Ok(query::prepare(&self.graph, text, statement)?.within(&self.limits))
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
