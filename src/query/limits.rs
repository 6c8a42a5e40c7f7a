//! Bounds that keep the engine responsive, and what a statement reports when one cut its answer.
//!
//! **Invariant:** a bound never cuts an answer silently: the result carries a note saying
//! which bound and how to lift it.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

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

static MAX_MEMORY_MB: AtomicU64 = AtomicU64::new(DEFAULT_MAX_MEMORY_MB);
static MAX_VAR_LENGTH: AtomicU64 = AtomicU64::new(DEFAULT_MAX_VAR_LENGTH);
static MAX_ROWS: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_ROWS);

/// Sets the most hops `*` goes without a maximum (`--max-var-length`).
pub fn set_max_var_length(hops: u64) {
    MAX_VAR_LENGTH.store(hops.max(1), Ordering::Relaxed);
}

pub fn max_var_length() -> u64 {
    MAX_VAR_LENGTH.load(Ordering::Relaxed)
}

/// Sets the most rows a statement returns (`--max-rows`).
pub fn set_max_rows(rows: usize) {
    MAX_ROWS.store(rows.max(1), Ordering::Relaxed);
}

pub fn max_rows() -> usize {
    MAX_ROWS.load(Ordering::Relaxed)
}

/// Sets the most memory a statement may hold, in megabytes (`--max-memory`).
pub fn set_max_memory_mb(megabytes: u64) {
    MAX_MEMORY_MB.store(megabytes.max(1), Ordering::Relaxed);
}

pub fn max_memory_mb() -> u64 {
    MAX_MEMORY_MB.load(Ordering::Relaxed)
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

impl Default for Memory {
    fn default() -> Self {
        let megabytes = usize::try_from(max_memory_mb()).unwrap_or(usize::MAX);
        Memory {
            held: Cell::new(0),
            limit: megabytes.saturating_mul(1 << 20),
        }
    }
}

impl Memory {
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
