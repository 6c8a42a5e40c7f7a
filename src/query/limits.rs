//! Bounds that keep the engine responsive, and what a statement reports when one cut its answer.
//!
//! **Invariant:** a bound never cuts an answer silently: the result carries a note saying
//! which bound and how to lift it.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The most hops `*` goes when written without a maximum.
pub const DEFAULT_MAX_VAR_LENGTH: u64 = 15;
/// The most rows a statement returns.
pub const DEFAULT_MAX_ROWS: usize = 1_000_000;

/// The deepest an expression may nest, counting each operator and each expression inside
/// another (a function's argument, a `CASE` branch, a list item) as one level.
pub const MAX_EXPR_DEPTH: usize = 500;
/// The most clauses a statement may have, all its `UNION` parts together.
pub const MAX_CLAUSES: usize = 1000;
/// The most memory a statement may hold, in megabytes (2 GiB).
pub const DEFAULT_MAX_MEMORY_MB: u64 = 2048;

/// The bounds one run of a statement keeps to, and the flag that stops it. Each caller keeps
/// its own (the command line from its flags, the shell per session, `:set` changing it) and
/// passes it to the statements it runs, so two runs never share a bound by accident.
///
/// ```
/// use alliances::query::{self, Limits, Params};
/// let graph = alliances::default_graph();
/// let limits = Limits::default().with_max_rows(2);
/// let results = query::execute_within(
///     &graph,
///     "UNWIND range(1, 10) AS x RETURN x",
///     &Params::new(),
///     &limits,
/// )?;
/// assert_eq!(results[0].rows.len(), 2);
/// assert!(results[0].notes[0].contains("stopped at 2 rows"));
/// # Ok::<(), alliances::query::QueryError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Limits {
    max_rows: usize,
    max_var_length: u64,
    max_memory_mb: u64,
    interrupt: Option<Arc<AtomicBool>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: DEFAULT_MAX_ROWS,
            max_var_length: DEFAULT_MAX_VAR_LENGTH,
            max_memory_mb: DEFAULT_MAX_MEMORY_MB,
            interrupt: None,
        }
    }
}

impl Limits {
    /// With at most `rows` rows a statement returns (at least one).
    #[must_use]
    pub fn with_max_rows(mut self, rows: usize) -> Self {
        self.set_max_rows(rows);
        self
    }

    /// With at most `hops` hops for `*` written without a maximum (at least one).
    #[must_use]
    pub fn with_max_var_length(mut self, hops: u64) -> Self {
        self.set_max_var_length(hops);
        self
    }

    /// With at most `megabytes` of memory a statement may hold (at least one).
    #[must_use]
    pub fn with_max_memory_mb(mut self, megabytes: u64) -> Self {
        self.set_max_memory_mb(megabytes);
        self
    }

    /// With `flag` stopping the statement when set: it then fails with an `Interrupted` error
    /// and, if it writes, changes nothing.
    #[must_use]
    pub fn with_interrupt(mut self, flag: Arc<AtomicBool>) -> Self {
        self.interrupt = Some(flag);
        self
    }

    /// Sets the most rows a statement returns (the row limit, `max-rows`).
    pub fn set_max_rows(&mut self, rows: usize) {
        self.max_rows = rows.max(1);
    }

    /// Sets the most hops `*` goes without a maximum (the hop limit, `max-var-length`).
    pub fn set_max_var_length(&mut self, hops: u64) {
        self.max_var_length = hops.max(1);
    }

    /// Sets the most memory a statement may hold, in megabytes (the memory budget,
    /// `max-memory`).
    pub fn set_max_memory_mb(&mut self, megabytes: u64) {
        self.max_memory_mb = megabytes.max(1);
    }

    pub fn max_rows(&self) -> usize {
        self.max_rows
    }

    pub fn max_var_length(&self) -> u64 {
        self.max_var_length
    }

    pub fn max_memory_mb(&self) -> u64 {
        self.max_memory_mb
    }

    /// Whether the statement was asked to stop.
    pub fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }
}

/// An estimate of the memory a running statement holds: rows kept for `ORDER BY`, groups,
/// `DISTINCT` and the rows between clauses, collected lists, and the values it builds. Each
/// place that keeps something charges its estimate and releases it when it lets go; a value
/// being built is checked against what is left before it is allocated.
#[derive(Debug)]
pub(crate) struct Memory {
    held: Cell<usize>,
    limit: usize,
}

impl Memory {
    /// Nothing held yet, against the budget of `limits`.
    pub fn new(limits: &Limits) -> Self {
        let megabytes = usize::try_from(limits.max_memory_mb).unwrap_or(usize::MAX);
        Memory {
            held: Cell::new(0),
            limit: megabytes.saturating_mul(1 << 20),
        }
    }

    /// Counts `bytes` as held; false (and nothing counted) when that would pass the budget.
    pub fn charge(&self, bytes: usize) -> bool {
        let held = self.held.get().saturating_add(bytes);
        if held > self.limit {
            return false;
        }
        self.held.set(held);
        true
    }

    /// Whether `bytes` more would still fit, without counting them.
    pub fn fits(&self, bytes: usize) -> bool {
        self.held.get().saturating_add(bytes) <= self.limit
    }

    pub fn release(&self, bytes: usize) {
        self.held.set(self.held.get().saturating_sub(bytes));
    }
}

/// Notes a running statement collects, each at most once.
#[derive(Debug, Default)]
pub(crate) struct Notes(RefCell<Vec<String>>);

impl Notes {
    pub fn add(&self, note: String) {
        let mut notes = self.0.borrow_mut();
        if !notes.contains(&note) {
            notes.push(note);
        }
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.borrow_mut())
    }
}
