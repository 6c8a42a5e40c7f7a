//! Bounds that keep the engine responsive, and what a statement reports when one cut its answer.
//!
//! **Invariant:** a bound never cuts an answer silently: the result carries a note saying
//! which bound and how to lift it.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The most hops `*` goes when written without a maximum.
pub const DEFAULT_MAX_VAR_LENGTH: u64 = 15;
/// The most rows a statement returns.
pub const DEFAULT_MAX_ROWS: usize = 1_000_000;

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
