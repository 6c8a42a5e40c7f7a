//! `alliances` for Python: a thin front end over the engine's one session type.
//!
//! A `Graph` holds a `session::Session` opened with a `session::Request`, and every statement
//! (the ones people write and the ones behind `paths`, `owners`, `cycles` and `pagerank`) runs
//! through `Session::execute`, so the read-only refusal, the journal and the database lock are
//! the command line's and the shell's. A statement runs on a thread of its own while the calling
//! thread waits without the GIL, looking for signals every few milliseconds: Ctrl-C (or any
//! `KeyboardInterrupt`) sets the session's interrupt flag, the statement stops and changes
//! nothing, and the `KeyboardInterrupt` is raised.
//!
//! **Invariant:** no engine logic here: opening, running, saving and drawing are the library's;
//! this crate converts values and errors, and nothing else.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use alliances::export::{self, DotOptions, Scope, Selection};
use alliances::query::{Params, QueryError as EngineQueryError, QueryResult};
use alliances::session::{Origin, Request, Saved, Session};
use alliances::{Date, Schema};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDict, PyList, PyString, PyTuple};

mod errors;
mod result;
mod values;

use result::Answer;
use values::{Node, PartialDate, Path, PyDuration, Relationship, Shape, py_to_param, value_to_py};

/// How often a waiting call looks for signals (Ctrl-C).
const SIGNAL_POLL: Duration = Duration::from_millis(20);

/// Runs `work` on a thread of its own while this thread waits without the GIL, checking for
/// signals. On a signal the interrupt flag is set, `work` is waited for (it stops at its next
/// check), and the signal's exception (`KeyboardInterrupt`) is raised.
fn interruptible<T: Send>(
    py: Python<'_>,
    stop: &AtomicBool,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    stop.store(false, Ordering::Relaxed);
    std::thread::scope(|scope| {
        let (tx, mut rx) = std::sync::mpsc::channel();
        let worker = scope.spawn(move || {
            let _ = tx.send(work());
        });
        let mut signal: Option<PyErr> = None;
        loop {
            let (got, back) = py.detach(move || (rx.recv_timeout(SIGNAL_POLL), rx));
            rx = back;
            match got {
                Ok(value) => {
                    let _ = worker.join();
                    return match signal {
                        Some(e) => Err(e),
                        None => Ok(value),
                    };
                }
                Err(RecvTimeoutError::Timeout) => {
                    if signal.is_none()
                        && let Err(e) = py.check_signals()
                    {
                        stop.store(true, Ordering::Relaxed);
                        signal = Some(e);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let _ = worker.join();
                    return Err(signal.unwrap_or_else(|| {
                        PyRuntimeError::new_err("the engine stopped without an answer")
                    }));
                }
            }
        }
    })
}

/// Why a call on a graph failed, before it becomes a Python exception.
enum Failure {
    Closed,
    NoStatement,
    Query(EngineQueryError),
    Render(String),
    Session(alliances::session::SessionError),
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Closed => errors::SessionError::new_err(
                "the graph is closed; open it again (alliances.open(...)) to go on",
            ),
            Failure::NoStatement => PyValueError::new_err(
                "the text holds no statement; write one such as MATCH (n) RETURN count(n)",
            ),
            Failure::Query(e) => errors::query_error(py, &e),
            Failure::Render(e) => errors::render_error(e),
            Failure::Session(e) => errors::session_error(py, &e),
        }
    }
}

/// An open graph: the built-in dataset, data files, a CSV import or a database. Use it as a
/// context manager (`with alliances.open(db=...) as g:`) so a database's lock is let go when
/// the block ends; `close()` does the same.
#[pyclass(module = "alliances", name = "Graph", frozen)]
struct Graph {
    session: Mutex<Option<Session>>,
    /// The session's interrupt flag, set on Ctrl-C.
    stop: Arc<AtomicBool>,
    notes: Vec<String>,
    read_only: bool,
}

impl Graph {
    fn new(mut session: Session, notes: Vec<String>, read_only: bool) -> Graph {
        let stop = Arc::new(AtomicBool::new(false));
        session.limits = session.limits.clone().with_interrupt(Arc::clone(&stop));
        Graph {
            session: Mutex::new(Some(session)),
            stop,
            notes,
            read_only,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Session>> {
        // A panic while the lock was held leaves a session whose statement was rolled back.
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `text` with `params` on its own thread (see `interruptible`): the last
    /// statement's result.
    fn run(&self, py: Python<'_>, text: &str, params: Params) -> PyResult<Answer> {
        let outcome = interruptible(py, &self.stop, || -> Result<QueryResult, Failure> {
            let mut guard = self.lock();
            let session = guard.as_mut().ok_or(Failure::Closed)?;
            let kept = std::mem::replace(&mut session.params, params);
            let ran = session.execute(text);
            session.params = kept;
            let mut ran = ran.map_err(Failure::Query)?;
            let last = ran.pop().ok_or(Failure::NoStatement)?;
            let mut result = last.result;
            result.notes.extend(last.warnings);
            Ok(result)
        })?;
        outcome
            .map(|result| Answer {
                result: Arc::new(result),
            })
            .map_err(|f| f.into_py(py))
    }

    /// What `f` reads from the open session, under the lock.
    fn with_session<T>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Session) -> PyResult<T>,
    ) -> PyResult<T> {
        let guard = self.lock();
        match guard.as_ref() {
            Some(session) => f(session),
            None => Err(Failure::Closed.into_py(py)),
        }
    }

    /// The DOT text of the whole graph or of what `query` returns.
    fn dot(
        &self,
        py: Python<'_>,
        query: Option<&str>,
        title: Option<String>,
        legend: bool,
    ) -> PyResult<String> {
        let made = interruptible(py, &self.stop, || -> Result<String, Failure> {
            let guard = self.lock();
            let session = guard.as_ref().ok_or(Failure::Closed)?;
            let (selection, default_title) = match query {
                None => (Selection::whole(&session.graph), "Alliances".to_owned()),
                Some(text) => export::select_until(
                    &session.graph,
                    &Scope::Query(text.to_owned()),
                    &session.params,
                    &self.stop,
                )
                .map_err(Failure::Render)?,
            };
            let options = DotOptions {
                title: Some(title.unwrap_or(default_title)),
                as_of: session.as_of.as_ref().map(|(date, _)| *date),
                legend,
            };
            Ok(export::to_dot(&session.graph, &selection, &options))
        })?;
        made.map_err(|f| f.into_py(py))
    }
}

fn params_of(params: Option<&Bound<'_, PyDict>>) -> PyResult<Params> {
    let mut out = Params::new();
    if let Some(params) = params {
        for (k, v) in params.iter() {
            let name: String = k
                .extract()
                .map_err(|_| PyTypeError::new_err("parameter names are str"))?;
            let value = py_to_param(&v, &name)?;
            out.insert(name, value);
        }
    }
    Ok(out)
}

#[pymethods]
impl Graph {
    /// Runs one statement or several separated by `;` and returns the last one's `Result`.
    /// `params` gives `$name` values (None, bool, int, float, str, `datetime.date`,
    /// `PartialDate`, lists and dicts of them). Raises `QueryError` with the message, line and
    /// column; Ctrl-C stops the statement, which then changes nothing.
    #[pyo3(signature = (text, params = None))]
    fn query(
        &self,
        py: Python<'_>,
        text: &str,
        params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Answer> {
        let params = params_of(params)?;
        self.run(py, text, params)
    }

    /// The `k` shortest chains of ties between two entities (by name, alias or id), shortest
    /// first: columns `route` (names), `hops` and `path`.
    #[pyo3(signature = (a, b, k = 3))]
    fn paths(&self, py: Python<'_>, a: &str, b: &str, k: i64) -> PyResult<Answer> {
        let params = Params::from([
            (
                "a".to_owned(),
                alliances::query::QueryValue::String(a.to_owned()),
            ),
            (
                "b".to_owned(),
                alliances::query::QueryValue::String(b.to_owned()),
            ),
            ("k".to_owned(), alliances::query::QueryValue::Int(k)),
        ]);
        self.run(
            py,
            "CALL algo.kShortestPaths($a, $b, $k) YIELD path, hops RETURN [n IN nodes(path) | n.name] AS route, hops, path",
            params,
        )
    }

    /// Who holds the entity `name`, directly or through others (look-through stakes and
    /// control chains): columns `holder`, `id`, `stake` (percent, None unless exact),
    /// `stake_min`, `stake_max`, `control`, `over_100`.
    fn owners(&self, py: Python<'_>, name: &str) -> PyResult<Answer> {
        let params = Params::from([(
            "name".to_owned(),
            alliances::query::QueryValue::String(name.to_owned()),
        )]);
        self.run(
            py,
            "CALL algo.ownership($name) YIELD holder, stake, stake_min, stake_max, control, over_100 RETURN holder.name AS holder, holder.id AS id, stake, stake_min, stake_max, control, over_100",
            params,
        )
    }

    /// Circular deals: loops of money through investments and purchases of at most
    /// `max_length` legs, shortest first: columns `loop` (names, back to the first), `legs` and
    /// `path`.
    #[pyo3(signature = (max_length = 4))]
    fn cycles(&self, py: Python<'_>, max_length: i64) -> PyResult<Answer> {
        let params = Params::from([(
            "n".to_owned(),
            alliances::query::QueryValue::Int(max_length),
        )]);
        self.run(
            py,
            "CALL algo.circularDeals($n) YIELD path, legs RETURN [n IN nodes(path) | n.name] AS loop, legs, path",
            params,
        )
    }

    /// PageRank of every entity, highest first: columns `id`, `name`, `score`.
    fn pagerank(&self, py: Python<'_>) -> PyResult<Answer> {
        self.run(
            py,
            "CALL algo.pageRank() YIELD node, score RETURN node.id AS id, node.name AS name, score",
            Params::new(),
        )
    }

    /// The graph as a `networkx.MultiDiGraph` (networkx must be installed): nodes keyed by
    /// their `id`, with `labels` and their properties; edges with `type` and their properties.
    fn to_networkx<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let (nodes, edges) = self.with_session(py, |session| {
            let graph = &session.graph;
            let key = |node| {
                graph
                    .node_prop(node, alliances::store::ID_KEY)
                    .unwrap_or(alliances::Value::Int(node.index() as i64))
            };
            let nodes = PyList::empty(py);
            for node in graph.nodes() {
                let attrs = PyDict::new(py);
                let labels: Vec<&str> = graph.node_labels(node).collect();
                attrs.set_item("labels", labels)?;
                for (k, v) in graph.node_props(node) {
                    attrs.set_item(k, value_to_py(py, &v, Shape::Objects)?)?;
                }
                nodes.append((value_to_py(py, &key(node), Shape::Objects)?, attrs))?;
            }
            let edges = PyList::empty(py);
            for (edge, a, b) in graph.edges_with_ends() {
                let attrs = PyDict::new(py);
                attrs.set_item("type", graph.edge_type(edge))?;
                for (k, v) in graph.edge_props(edge) {
                    attrs.set_item(k, value_to_py(py, &v, Shape::Objects)?)?;
                }
                edges.append((
                    value_to_py(py, &key(a), Shape::Objects)?,
                    value_to_py(py, &key(b), Shape::Objects)?,
                    attrs,
                ))?;
            }
            Ok((nodes, edges))
        })?;
        py.import("alliances._frames")?
            .call_method1("to_networkx", (nodes, edges))
    }

    /// The graph's diagram as Graphviz DOT text, the same as `alliances export dot`: the whole
    /// graph, or the nodes, relationships and paths `query` returns.
    #[pyo3(signature = (query = None, title = None, legend = true))]
    fn to_dot(
        &self,
        py: Python<'_>,
        query: Option<&str>,
        title: Option<String>,
        legend: bool,
    ) -> PyResult<String> {
        self.dot(py, query, title, legend)
    }

    /// Draws the diagram with Graphviz into `path` (svg, png or pdf, from its extension unless
    /// `format` says), as `alliances render` does; returns the path. Raises `RenderError` when
    /// Graphviz is missing or fails.
    #[pyo3(signature = (path, format = None, query = None, title = None, legend = true))]
    fn render(
        &self,
        py: Python<'_>,
        path: PathBuf,
        format: Option<String>,
        query: Option<&str>,
        title: Option<String>,
        legend: bool,
    ) -> PyResult<String> {
        let format = match format {
            Some(f) => f,
            None => path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_lowercase)
                .filter(|e| matches!(e.as_str(), "svg" | "png" | "pdf"))
                .ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "cannot tell the format of {} from its extension; name it .svg, .png or .pdf, or pass format=\"svg\"",
                        path.display()
                    ))
                })?,
        };
        let dot = self.dot(py, query, title, legend)?;
        let drawn = interruptible(py, &self.stop, || {
            export::render_until(&dot, &format, &|| self.stop.load(Ordering::Relaxed))
                .map_err(|e| e.to_string())
                .and_then(|bytes| {
                    alliances::datafile::write_atomically(&path, &bytes)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))
                })
        })?;
        drawn.map_err(errors::render_error)?;
        Ok(path.display().to_string())
    }

    /// Saves the graph: without `path`, a database folds its journal into its data file and a
    /// graph read from one data file is written back to it; with one, the graph is written
    /// there (TOML, JSON, or a `.alliances` snapshot). Returns the path written.
    #[pyo3(signature = (path = None))]
    fn save(&self, py: Python<'_>, path: Option<PathBuf>) -> PyResult<String> {
        let saved = py.detach(|| -> Result<Saved, Failure> {
            let mut guard = self.lock();
            let session = guard.as_mut().ok_or(Failure::Closed)?;
            session.save(path.as_deref()).map_err(Failure::Session)
        });
        match saved.map_err(|f| f.into_py(py))? {
            Saved::Folded(p) | Saved::Written(p) => Ok(p.display().to_string()),
        }
    }

    /// Ends the session: a database folds its journal and lets go of its lock. Closing twice
    /// does nothing; any other call on a closed graph raises `SessionError`.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let warning = py.detach(|| {
            let mut guard = self.lock();
            let warning = guard.as_mut().and_then(Session::close);
            *guard = None;
            warning
        });
        if let Some(warning) = warning {
            let category = py.get_type::<pyo3::exceptions::PyRuntimeWarning>();
            PyErr::warn(
                py,
                &category,
                &std::ffi::CString::new(warning).unwrap_or_default(),
                1,
            )?;
        }
        Ok(())
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    /// Whether `close()` has ended the session.
    #[getter]
    fn closed(&self) -> bool {
        self.lock().is_none()
    }

    /// Whether the database was opened for reading only (writing statements are refused).
    #[getter]
    fn read_only(&self) -> bool {
        self.read_only
    }

    /// What opening found that its user should hear of (a database created, a torn journal
    /// record dropped, what a dated view hides).
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    /// How many entities (nodes) the graph holds.
    #[getter]
    fn node_count(&self, py: Python<'_>) -> PyResult<usize> {
        self.with_session(py, |s| Ok(s.graph.node_count()))
    }

    /// How many relationships the graph holds.
    #[getter]
    fn edge_count(&self, py: Python<'_>) -> PyResult<usize> {
        self.with_session(py, |s| Ok(s.graph.edge_count()))
    }

    fn __repr__(&self) -> String {
        let guard = self.lock();
        let Some(session) = guard.as_ref() else {
            return "<alliances.Graph (closed)>".to_owned();
        };
        let origin = match &session.origin {
            Origin::Default => "the built-in dataset".to_owned(),
            Origin::Files(files) => files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Origin::Csv { nodes, edges } => format!("{} and {}", nodes.display(), edges.display()),
            Origin::Database(path) => format!(
                "the database {}{}",
                path.display(),
                if self.read_only { ", read-only" } else { "" }
            ),
        };
        format!(
            "<alliances.Graph: {} entities, {} relationships from {origin}>",
            session.graph.node_count(),
            session.graph.edge_count()
        )
    }
}

/// Paths from a str, an `os.PathLike`, or a list of them.
fn paths_of(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PathBuf>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    if value.is_instance_of::<PyString>() || value.hasattr("__fspath__")? {
        return Ok(vec![value.extract()?]);
    }
    value
        .try_iter()
        .map_err(|_| PyTypeError::new_err("data is a path or a list of paths"))?
        .map(|item| item?.extract::<PathBuf>())
        .collect()
}

fn schema_of(text: &str) -> PyResult<Schema> {
    Schema::parse(text).ok_or_else(|| {
        PyValueError::new_err(format!(
            "schema is \"alliance\" (the alliance rules) or \"open\" (any label, type and property), not {text:?}"
        ))
    })
}

fn date_of(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Date>> {
    let Some(value) = value else {
        return Ok(None);
    };
    if let Ok(d) = value.cast::<PartialDate>() {
        return Ok(Some(d.get().0));
    }
    let text: String = if value.is_instance_of::<PyDate>() {
        value.call_method0("isoformat")?.extract()?
    } else {
        value.extract().map_err(|_| {
            PyTypeError::new_err("as_of is a date, a PartialDate or ISO text (\"2024-12-31\")")
        })?
    };
    text.parse::<Date>()
        .map(Some)
        .map_err(|e| PyValueError::new_err(format!("as_of: {e}")))
}

fn open_request(py: Python<'_>, request: Request) -> PyResult<Graph> {
    let opened = py.detach(|| Session::open(&request, &|_| {}));
    let (session, notes) = opened.map_err(|e| errors::open_error(py, &e))?;
    Ok(Graph::new(session, notes, request.read_only))
}

/// Opens a graph: the built-in dataset when neither `data` nor `db` is given; data files
/// (`data`: a path or a list, TOML, JSON or one `.alliances` snapshot); or a database (`db`),
/// whose changes are journalled as they are made and whose lock a second writer is refused
/// (`read_only=True` reads it meanwhile; `from_default=True` starts a new one from the built-in
/// dataset). `schema` is `"alliance"` or `"open"`; `as_of` shows the graph as it stood on a
/// date.
#[pyfunction]
#[pyo3(signature = (data = None, db = None, read_only = false, schema = "alliance", from_default = false, as_of = None))]
fn open(
    py: Python<'_>,
    data: Option<&Bound<'_, PyAny>>,
    db: Option<PathBuf>,
    read_only: bool,
    schema: &str,
    from_default: bool,
    as_of: Option<&Bound<'_, PyAny>>,
) -> PyResult<Graph> {
    if read_only && db.is_none() {
        return Err(PyValueError::new_err(
            "read_only applies to a database: pass db=PATH (a graph from data files is changed in memory only)",
        ));
    }
    let request = Request {
        data: paths_of(data)?,
        db,
        read_only,
        from_default,
        schema: schema_of(schema)?,
        as_of: date_of(as_of)?,
        ..Request::default()
    };
    open_request(py, request)
}

/// Imports a nodes CSV (`id,name,kind,country,sector`) and an edges CSV
/// (`from,to,type,amount_usd,date,stake_pct`), as `--nodes` and `--edges` do, with the same
/// rules and row locations.
#[pyfunction]
#[pyo3(signature = (nodes, edges, schema = "alliance"))]
fn from_csv(py: Python<'_>, nodes: PathBuf, edges: PathBuf, schema: &str) -> PyResult<Graph> {
    let request = Request {
        csv: Some((nodes, edges)),
        schema: schema_of(schema)?,
        ..Request::default()
    };
    open_request(py, request)
}

#[pymodule]
fn _alliances(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(open, m)?)?;
    m.add_function(wrap_pyfunction!(from_csv, m)?)?;
    m.add_class::<Graph>()?;
    m.add_class::<Answer>()?;
    m.add_class::<Node>()?;
    m.add_class::<Relationship>()?;
    m.add_class::<Path>()?;
    m.add_class::<PartialDate>()?;
    m.add_class::<PyDuration>()?;
    m.add("Error", py.get_type::<errors::Error>())?;
    m.add("QueryError", py.get_type::<errors::QueryError>())?;
    m.add("LoadError", py.get_type::<errors::LoadError>())?;
    m.add("DatabaseError", py.get_type::<errors::DatabaseError>())?;
    m.add("DatabaseLocked", py.get_type::<errors::DatabaseLocked>())?;
    m.add("SessionError", py.get_type::<errors::SessionError>())?;
    m.add("RenderError", py.get_type::<errors::RenderError>())?;
    Ok(())
}
