//! The engine's errors as Python exceptions, each carrying what a program needs to act on it:
//! a statement's message, line and column; a file's problems with their places; a database's
//! lock.
//!
//! ```text
//! alliances.Error
//! ├── QueryError        message, line, column, code, kind, help, source_line
//! ├── LoadError         message, file, line, column, problems
//! ├── DatabaseError
//! │   └── DatabaseLocked
//! ├── SessionError      (a save or change the open graph refuses)
//! └── RenderError       (Graphviz missing or failing)
//! ```

use alliances::datafile::LoadError as EngineLoadError;
use alliances::db::DbError;
use alliances::query::QueryError as EngineQueryError;
use alliances::session::{OpenError, SessionError as EngineSessionError};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

pyo3::create_exception!(
    alliances,
    Error,
    PyException,
    "The base of every error alliances raises."
);
pyo3::create_exception!(
    alliances,
    QueryError,
    Error,
    "A statement that failed: `message`, `line` and `column` (1-based, in the statement's text), `code` (openCypher's name, `UndefinedVariable`), `kind` (`syntax`, `semantic`, `type`, …), `help` (a fix, or None) and `source_line`."
);
pyo3::create_exception!(
    alliances,
    LoadError,
    Error,
    "Files that could not be loaded: `problems` lists each (message, file, line, column, help); `message`, `file`, `line` and `column` are the first's."
);
pyo3::create_exception!(
    alliances,
    DatabaseError,
    Error,
    "A database that could not be opened, written or folded."
);
pyo3::create_exception!(
    alliances,
    DatabaseLocked,
    DatabaseError,
    "The database is open for writing elsewhere; open it with read_only=True to read it meanwhile."
);
pyo3::create_exception!(
    alliances,
    SessionError,
    Error,
    "A save or change that the open graph refuses (a dated view, no file to save to, a database's own file)."
);
pyo3::create_exception!(
    alliances,
    RenderError,
    Error,
    "A diagram that could not be drawn (Graphviz missing or failing)."
);

/// Builds an exception of type `T` with `str()` the engine's full message, and sets `attrs`.
fn raise<T: pyo3::PyTypeInfo>(
    py: Python<'_>,
    text: String,
    attrs: &[(&str, Bound<'_, PyAny>)],
) -> PyErr {
    let made = py.get_type::<T>().call1((text,)).and_then(|exc| {
        for (name, value) in attrs {
            exc.setattr(*name, value)?;
        }
        Ok(exc)
    });
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

fn kind_name(error: &EngineQueryError) -> String {
    format!("{:?}", error.kind).to_lowercase()
}

/// A statement's error as `QueryError`.
pub fn query_error(py: Python<'_>, error: &EngineQueryError) -> PyErr {
    let attrs = || -> PyResult<Vec<(&str, Bound<'_, PyAny>)>> {
        Ok(vec![
            (
                "message",
                error.message.clone().into_pyobject(py)?.into_any(),
            ),
            ("line", error.line.into_pyobject(py)?.into_any()),
            ("column", error.column.into_pyobject(py)?.into_any()),
            (
                "code",
                format!("{:?}", error.code).into_pyobject(py)?.into_any(),
            ),
            ("kind", kind_name(error).into_pyobject(py)?.into_any()),
            ("help", error.help.clone().into_pyobject(py)?.into_any()),
            (
                "source_line",
                error.source_line.clone().into_pyobject(py)?.into_any(),
            ),
        ])
    };
    match attrs() {
        Ok(attrs) => raise::<QueryError>(py, error.to_string(), &attrs),
        Err(e) => e,
    }
}

/// A load's error as `LoadError`, with every problem and the first one's place.
pub fn load_error(py: Python<'_>, error: &EngineLoadError) -> PyErr {
    let attrs = || -> PyResult<Vec<(&str, Bound<'_, PyAny>)>> {
        let problems = PyList::empty(py);
        for problem in error.problems() {
            let p = PyDict::new(py);
            p.set_item("message", &problem.message)?;
            p.set_item("file", problem.location.file.to_string())?;
            p.set_item("line", problem.location.line)?;
            p.set_item("column", problem.location.column)?;
            p.set_item("help", problem.help.clone())?;
            p.set_item("code", problem.kind.code())?;
            problems.append(p)?;
        }
        let first = error.problems().first();
        let file: Option<String> = match error {
            EngineLoadError::Io { path, .. }
            | EngineLoadError::Snapshot { path, .. }
            | EngineLoadError::SnapshotRefused { path, .. }
            | EngineLoadError::OpenSchema { path } => Some(path.display().to_string()),
            _ => first.map(|p| p.location.file.to_string()),
        };
        let message = first.map_or_else(|| error.to_string(), |p| p.message.clone());
        Ok(vec![
            ("message", message.into_pyobject(py)?.into_any()),
            ("file", file.into_pyobject(py)?.into_any()),
            (
                "line",
                first.map(|p| p.location.line).into_pyobject(py)?.into_any(),
            ),
            (
                "column",
                first
                    .and_then(|p| p.location.column)
                    .into_pyobject(py)?
                    .into_any(),
            ),
            ("problems", problems.into_any()),
        ])
    };
    match attrs() {
        Ok(attrs) => raise::<LoadError>(py, error.to_string(), &attrs),
        Err(e) => e,
    }
}

/// A database's error: `DatabaseLocked` for a lock another writer holds, `LoadError` for a
/// data file with problems, `DatabaseError` otherwise.
pub fn db_error(py: Python<'_>, error: &DbError) -> PyErr {
    match error {
        DbError::Load(load) => load_error(py, load),
        DbError::Locked { path, .. } => {
            let path = PyString::new(py, &path.display().to_string()).into_any();
            raise::<DatabaseLocked>(py, error.to_string(), &[("path", path)])
        }
        other => raise::<DatabaseError>(py, other.to_string(), &[]),
    }
}

pub fn open_error(py: Python<'_>, error: &OpenError) -> PyErr {
    match error {
        OpenError::Load(load) => load_error(py, load),
        OpenError::Database(db) => db_error(py, db),
        other => raise::<Error>(py, other.to_string(), &[]),
    }
}

pub fn session_error(py: Python<'_>, error: &EngineSessionError) -> PyErr {
    match error {
        EngineSessionError::Database(db) => db_error(py, db),
        other => raise::<SessionError>(py, other.to_string(), &[]),
    }
}

pub fn render_error(text: String) -> PyErr {
    RenderError::new_err(text)
}
