//! The query language: a Cypher subset with openCypher semantics, money literals (`2.4B`) and
//! calendar dates.
//!
//! text ─ `parser` ─▶ AST (`ast`) ─ `plan` ─▶ plan ─ `exec` (with `eval`) ─▶ `QueryResult`
//!
//! ```
//! use alliances::query::{self, Params};
//! let graph = alliances::default_graph();
//! let results = query::execute(
//!     &graph,
//!     "MATCH (c:Company {name: 'Intel'}) RETURN c.id AS id",
//!     &Params::new(),
//! )?;
//! assert_eq!(results[0].rows[0][0].to_string(), "\"intel\"");
//! # Ok::<(), alliances::query::QueryError>(())
//! ```

pub mod ast;
mod error;
mod eval;
mod exec;
pub mod functions;
pub mod limits;
mod parser;
mod plan;
pub mod procedures;
mod profile;
mod result;
mod rules;
mod temporal;
pub mod text;
mod value;

pub use crate::model::{human_duration, human_money};
pub use crate::store::ChangeCounts;
pub use error::{ErrorCode, ErrorKind, ParseError, QueryError, Warning};
pub use eval::Params;
pub use limits::Limits;
pub use parser::{MAX_NESTING, parse, parse_expr};
pub use procedures::{Column, ProcedureDef, ProcedureDefError, Procedures, ValueType};
pub use profile::{OperatorProfile, PlanDescription, PlannedOperator, Profile};
pub use result::{
    AmountColumn, AmountNote, NodeValue, PathValue, QueryResult, RelationshipValue, ResultValue,
    TableStyle,
};
pub use value::QueryValue;

use crate::store::Graph;

/// What a statement calls before it commits: a database's journal write. A failure undoes the
/// statement.
pub type BeforeCommit<'a> = dyn FnMut(
        &[crate::store::Witness],
        &[crate::store::Change],
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
    + 'a;

/// A statement planned against a graph, ready to run. Its warnings are known before it runs,
/// so they can be shown even when running fails. A plan stays valid when the graph changes.
#[derive(Debug)]
pub struct Prepared<'t> {
    text: &'t str,
    plan: plan::Plan,
    limits: Limits,
    mode: ast::Mode,
}

/// Plans one parsed statement. `text` is the whole text it was parsed from, for positions.
///
/// # Errors
/// A semantic error: an undefined variable, a misplaced aggregate, an unknown function, or a
/// label or relationship type the alliance schema does not allow in a write.
pub fn prepare<'t>(
    graph: &Graph,
    text: &'t str,
    statement: &ast::Statement,
) -> Result<Prepared<'t>, QueryError> {
    prepare_with(graph, text, statement, &Procedures::new())
}

/// As `prepare`, with `CALL` finding procedures in `procedures`: the built-in ones and those
/// the program added.
///
/// # Errors
/// As `prepare`; also a call to a procedure `procedures` does not hold, or with arguments
/// its signature refuses.
pub fn prepare_with<'t>(
    graph: &Graph,
    text: &'t str,
    statement: &ast::Statement,
    procedures: &Procedures,
) -> Result<Prepared<'t>, QueryError> {
    Ok(Prepared {
        text,
        plan: parser::with_stack(|| plan::plan(text, graph, procedures, statement))?,
        limits: Limits::default(),
        mode: statement.mode,
    })
}

impl Prepared<'_> {
    /// Runs the statement within `limits` (its row, hop and memory bounds, and the flag that
    /// stops it) rather than the defaults. The plan does not depend on them.
    #[must_use]
    pub fn within(mut self, limits: &Limits) -> Self {
        self.limits = limits.clone();
        self
    }

    /// Things that are legal but look like mistakes, such as a label no node carries.
    pub fn warnings(&self) -> &[Warning] {
        &self.plan.warnings
    }

    /// Whether running the statement may change the graph: never for `EXPLAIN`, which runs
    /// nothing.
    pub fn writes(&self) -> bool {
        self.plan.writes && self.mode != ast::Mode::Explain
    }

    /// Whether the statement runs, is only explained, or runs profiled: its prefix, unless
    /// `with_mode` changed it.
    pub fn mode(&self) -> ast::Mode {
        self.mode
    }

    /// The statement as if it had the prefix `mode` asks for (`alliances query --explain`
    /// explains every statement).
    #[must_use]
    pub fn with_mode(mut self, mode: ast::Mode) -> Self {
        self.mode = mode;
        self
    }

    /// How the statement will run: where each pattern search starts and which way it goes, as
    /// a table of operators.
    pub fn explain(&self) -> String {
        self.plan.explain(self.text)
    }

    /// The plan's operators, in the order rows flow through them.
    pub fn describe(&self) -> PlanDescription {
        self.plan.describe(self.text)
    }

    /// An `EXPLAIN`: no rows, and the plan.
    fn explained(&self, graph: &Graph) -> QueryResult {
        let mut result = self.result(graph, Vec::new(), ChangeCounts::default());
        result.plan = Some(self.describe());
        result
    }

    /// Runs a statement that only reads.
    ///
    /// # Errors
    /// A runtime error (a type error, a missing parameter, an overflow), or a statement that
    /// writes (use `run_mut`).
    pub fn run(&self, graph: &Graph, params: &Params) -> Result<QueryResult, QueryError> {
        if self.mode == ast::Mode::Explain {
            return Ok(self.explained(graph));
        }
        if self.plan.writes {
            return Err(QueryError::at(
                ErrorKind::Semantic,
                ErrorCode::ReadOnly,
                self.text,
                0,
                "this statement changes the graph, which is open for reading only".to_owned(),
                None,
            ));
        }
        let notes = limits::Notes::default();
        let memory = limits::Memory::new(&self.limits);
        let profiler = (self.mode == ast::Mode::Profile).then(profile::Profiler::default);
        let cx = eval::Context {
            graph,
            params,
            text: self.text,
            limits: &self.limits,
            notes: &notes,
            memory: &memory,
            clock: &std::cell::OnceCell::new(),
            profile: profiler.as_ref(),
        };
        let started = std::time::Instant::now();
        let rows = parser::with_stack(|| exec::run(&cx, &self.plan))?;
        let time = started.elapsed();
        let mut result = self.result(graph, rows, ChangeCounts::default());
        result.notes = notes.take();
        result.profile =
            profiler.map(|p| self.plan.profile(self.text, &p, result.rows.len(), time));
        Ok(result)
    }

    /// Runs the statement, applying its changes whole or not at all: on any error the graph
    /// is left exactly as it was.
    ///
    /// # Errors
    /// A runtime error, or a change that breaks a rule of the graph's schema.
    pub fn run_mut(&self, graph: &mut Graph, params: &Params) -> Result<QueryResult, QueryError> {
        self.run_mut_with(graph, params, &mut |_, _| Ok(()))
    }

    /// As `run_mut`, calling `before_commit` with the statement's changes, and the elements they
    /// touched as they were before (`Witness`), once they have passed every check and before
    /// they are kept: a database writes its journal there. When it
    /// fails, the statement is undone and fails too.
    ///
    /// # Errors
    /// As `run_mut`, or when `before_commit` fails.
    pub fn run_mut_with(
        &self,
        graph: &mut Graph,
        params: &Params,
        before_commit: &mut BeforeCommit<'_>,
    ) -> Result<QueryResult, QueryError> {
        if !self.writes() {
            return self.run(graph, params);
        }
        graph.begin();
        let notes = limits::Notes::default();
        let memory = limits::Memory::new(&self.limits);
        let profiler = (self.mode == ast::Mode::Profile).then(profile::Profiler::default);
        let started = std::time::Instant::now();
        let mut places = exec::Places::default();
        let outcome =
            parser::with_stack(|| {
                exec::run_writing(
                    graph,
                    params,
                    self.text,
                    &self.plan,
                    (&self.limits, &notes, &memory, profiler.as_ref()),
                    &mut places,
                )
            })
            .and_then(|rows| {
                graph.derive_amounts_usd();
                rules::check_changes(graph, self.text, &places).map(|()| rows)
            })
            .and_then(|rows| {
                let changes = graph.statement_changes();
                if changes.is_empty() {
                    return Ok(rows);
                }
                let witnesses = graph.statement_witnesses();
                before_commit(&witnesses, &changes).map(|()| rows).map_err(|e| {
                QueryError::at(
                    ErrorKind::Storage,
                    ErrorCode::JournalWrite,
                    self.text,
                    0,
                    format!(
                        "the change could not be written to the journal, so it was undone: {e}"
                    ),
                    Some("check the disk has room and the database folder is writable".to_owned()),
                )
            })
            });
        match outcome {
            Ok(rows) => {
                let time = started.elapsed();
                let counts = graph.change_counts();
                let mut result = self.result(graph, rows, counts);
                result.notes = notes.take();
                result.profile =
                    profiler.map(|p| self.plan.profile(self.text, &p, result.rows.len(), time));
                graph.commit();
                Ok(result)
            }
            Err(error) => {
                graph.rollback();
                Err(error)
            }
        }
    }

    fn result(
        &self,
        graph: &Graph,
        rows: Vec<Vec<QueryValue>>,
        changes: ChangeCounts,
    ) -> QueryResult {
        let width = self.plan.columns.len();
        let amount_columns = self
            .plan
            .queries
            .first()
            .and_then(|q| q.segments.last())
            .map(|s| &s.projection.amount_notes[..])
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, note)| result::AmountColumn::from_rows(note.column, i, width, &rows))
            .collect();
        QueryResult {
            columns: self.plan.columns.clone(),
            rows: rows
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .take(width)
                        .map(|v| ResultValue::from_query(graph, v))
                        .collect()
                })
                .collect(),
            warnings: self.plan.warnings.clone(),
            changes,
            money_columns: self.plan.money_columns.clone(),
            amount_columns,
            notes: Vec::new(),
            plan: None,
            profile: None,
        }
    }
}

/// Plans and runs one parsed statement that only reads.
///
/// # Errors
/// A semantic error found while planning, or a runtime error.
pub fn run_statement(
    graph: &Graph,
    text: &str,
    statement: &ast::Statement,
    params: &Params,
) -> Result<QueryResult, QueryError> {
    prepare(graph, text, statement)?.run(graph, params)
}

/// How a parsed statement would run: where each pattern search starts (the id or name index,
/// a label, or every node) and in which direction it goes. Nothing is executed.
///
/// # Errors
/// A semantic error found while planning.
pub fn explain(
    graph: &Graph,
    text: &str,
    statement: &ast::Statement,
) -> Result<String, QueryError> {
    Ok(
        parser::with_stack(|| plan::plan(text, graph, &Procedures::new(), statement))?
            .explain(text),
    )
}

/// Parses and runs every statement of `text` (separated by `;`), in order, on a graph that
/// is only read.
///
/// Nothing runs when any statement has a syntax error.
///
/// # Errors
/// The first error met; the statements before it have run.
pub fn execute(graph: &Graph, text: &str, params: &Params) -> Result<Vec<QueryResult>, QueryError> {
    execute_within(graph, text, params, &Limits::default())
}

/// As `execute`, each statement running within `limits`.
///
/// # Errors
/// As `execute`; a statement that passes a bound of `limits` fails or is cut with a note.
pub fn execute_within(
    graph: &Graph,
    text: &str,
    params: &Params,
    limits: &Limits,
) -> Result<Vec<QueryResult>, QueryError> {
    run_each(text, |s| {
        prepare(graph, text, s)?.within(limits).run(graph, params)
    })
}

/// Parses and runs every statement of `text`, in order, applying their changes. Each
/// statement applies whole or not at all.
///
/// # Errors
/// The first error met; the statements before it have run and their changes are kept.
pub fn execute_mut(
    graph: &mut Graph,
    text: &str,
    params: &Params,
) -> Result<Vec<QueryResult>, QueryError> {
    execute_mut_within(graph, text, params, &Limits::default())
}

/// As `execute_mut`, each statement running within `limits`.
///
/// # Errors
/// As `execute_mut`; a statement that passes a bound of `limits` fails, changing nothing, or
/// is cut with a note.
pub fn execute_mut_within(
    graph: &mut Graph,
    text: &str,
    params: &Params,
    limits: &Limits,
) -> Result<Vec<QueryResult>, QueryError> {
    run_each(text, |s| {
        prepare(graph, text, s)?
            .within(limits)
            .run_mut(graph, params)
    })
}

/// Parses `text`, then gives `run` each statement in order, up to the first error.
fn run_each(
    text: &str,
    run: impl FnMut(&ast::Statement) -> Result<QueryResult, QueryError>,
) -> Result<Vec<QueryResult>, QueryError> {
    // The syntax trees are dropped on the statement's stack too.
    parser::with_stack(|| parse(text)?.iter().map(run).collect())
}

/// Reads a parameter value written in Cypher literal syntax (`42`, `'Intel'`, `[1, 2]`,
/// `{name: 'Intel'}`, `2.4B`, `period('2025-08')`).
///
/// # Errors
/// When the text is not a literal.
pub fn parse_value(graph: &Graph, text: &str) -> Result<QueryValue, QueryError> {
    let statement = format!("RETURN {text} AS value");
    let statements = parse(&statement).map_err(|e| shift_error(e, text))?;
    let [statement_ast] = statements.as_slice() else {
        return Err(QueryError::new(
            text,
            0,
            "expected one value".to_owned(),
            None,
        ));
    };
    let plan = plan::plan(&statement, graph, &Procedures::new(), statement_ast)
        .map_err(|e| shift_error(e, text))?;
    let params = Params::new();
    let bounds = Limits::default();
    let cx = eval::Context {
        graph,
        params: &params,
        text: &statement,
        limits: &bounds,
        notes: &limits::Notes::default(),
        memory: &limits::Memory::new(&bounds),
        clock: &std::cell::OnceCell::new(),
        profile: None,
    };
    let mut rows = exec::run(&cx, &plan).map_err(|e| shift_error(e, text))?;
    Ok(rows
        .pop()
        .and_then(|mut r| (!r.is_empty()).then(|| r.swap_remove(0)))
        .unwrap_or(QueryValue::Null))
}

/// Moves an error found in `RETURN <text> AS value` back onto `text`.
fn shift_error(error: QueryError, text: &str) -> QueryError {
    let column = error.column.saturating_sub("RETURN ".len()).max(1);
    QueryError {
        column,
        source_line: text.lines().next().unwrap_or("").to_owned(),
        ..error
    }
}
