//! `EXPLAIN` and `PROFILE`: a plan as a list of operators (what `EXPLAIN` shows), and the rows
//! and time each produced in one run (what `PROFILE` shows), as typed values every front end
//! renders, with their text table and JSON.
//!
//! While a statement runs profiled, a `Profiler` counts each operator's rows and the time spent
//! while it was the innermost operator at work (its own time, not its inputs'). Operators are
//! named by their place in the plan, so counting needs no change to the plan.
//!
//! **Invariant:** a run that is not profiled pays one test of an empty `Option` per operator
//! and row, and nothing else.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use crate::model::human_duration;

/// One operator of a plan, as `EXPLAIN` shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PlannedOperator {
    /// The operator, in Neo4j's words where it has one (`NodeByLabelScan`, `Expand(All)`,
    /// `Filter`, `EagerAggregation`, `Sort`, `Limit`...).
    pub name: String,
    /// What it does here: where a search starts, a hop's direction and type, an expression
    /// as written.
    pub detail: String,
    /// How deep it sits: an operator of a subquery is one deeper than the call that runs it.
    pub depth: usize,
}

/// A statement's plan: its operators in the order rows flow through them, first to last.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PlanDescription {
    pub operators: Vec<PlannedOperator>,
}

/// One operator of a profiled run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorProfile {
    pub name: String,
    pub detail: String,
    pub depth: usize,
    /// The rows it handed on, over the whole run (every run of a subquery included).
    pub rows: u64,
    /// The time spent in it, not counting the operators it handed rows to; `None` for a step
    /// timed with the operator above it (`Distinct`, `Skip`, `Limit`, a `WITH`'s `WHERE`).
    pub time: Option<Duration>,
}

/// What `PROFILE` found: each operator's rows and time, the rows returned and the time the
/// whole run took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// In the order rows flow through them, as `PlanDescription::operators`.
    pub operators: Vec<OperatorProfile>,
    /// Rows the statement returned.
    pub rows: u64,
    /// The run's time, from its first row to its last.
    pub time: Duration,
}

/// A text table with a `+--+` frame; the first column's cells are indented by depth.
fn frame(header: &[&str], rows: &[Vec<String>], right: &[bool]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let rule = {
        let mut line = String::from("+");
        for w in &widths {
            line.push_str(&"-".repeat(w + 2));
            line.push('+');
        }
        line
    };
    let line = |cells: &[String]| {
        let mut out = String::from("|");
        for (i, (w, cell)) in widths.iter().zip(cells).enumerate() {
            let pad = " ".repeat(w - cell.chars().count());
            if right.get(i).copied().unwrap_or(false) {
                out.push_str(&format!(" {pad}{cell} |"));
            } else {
                out.push_str(&format!(" {cell}{pad} |"));
            }
        }
        out
    };
    let mut out = String::new();
    out.push_str(&rule);
    out.push('\n');
    out.push_str(&line(
        &header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>(),
    ));
    out.push('\n');
    out.push_str(&rule);
    out.push('\n');
    for row in rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out.push_str(&rule);
    out
}

fn indented(name: &str, depth: usize) -> String {
    format!("{}{name}", "  ".repeat(depth))
}

/// A time for the table: milliseconds with three decimals, so that columns line up.
fn millis(time: Duration) -> String {
    format!("{:.3} ms", time.as_secs_f64() * 1e3)
}

impl fmt::Display for PlanDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<Vec<String>> = self
            .operators
            .iter()
            .map(|o| vec![indented(&o.name, o.depth), o.detail.clone()])
            .collect();
        f.write_str(&frame(&["Operator", "Details"], &rows, &[]))
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<Vec<String>> = self
            .operators
            .iter()
            .map(|o| {
                vec![
                    indented(&o.name, o.depth),
                    o.detail.clone(),
                    o.rows.to_string(),
                    o.time.map_or_else(String::new, millis),
                ]
            })
            .collect();
        f.write_str(&frame(
            &["Operator", "Details", "Rows", "Time"],
            &rows,
            &[false, false, true, true],
        ))?;
        write!(
            f,
            "\n{} row{} in {}",
            self.rows,
            if self.rows == 1 { "" } else { "s" },
            human_duration(self.time)
        )
    }
}

/// The profile as JSON: times in milliseconds.
#[derive(serde::Serialize)]
pub(crate) struct JsonProfile<'a> {
    operators: Vec<JsonOperator<'a>>,
    rows: u64,
    time_ms: f64,
}

#[derive(serde::Serialize)]
struct JsonOperator<'a> {
    name: &'a str,
    detail: &'a str,
    depth: usize,
    rows: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_ms: Option<f64>,
}

impl Profile {
    pub(crate) fn json(&self) -> JsonProfile<'_> {
        JsonProfile {
            operators: self
                .operators
                .iter()
                .map(|o| JsonOperator {
                    name: &o.name,
                    detail: &o.detail,
                    depth: o.depth,
                    rows: o.rows,
                    time_ms: o.time.map(|t| t.as_secs_f64() * 1e3),
                })
                .collect(),
            rows: self.rows,
            time_ms: self.time.as_secs_f64() * 1e3,
        }
    }
}

/// What a counter of the profiler belongs to: a part of the plan, named by its address (stable
/// while the plan runs) and which of its parts it is, since a part may share its address with
/// the first field inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Part(usize, PartKind);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PartKind {
    /// An operation of a segment (`plan::Op`).
    Op,
    /// Where a pattern's search starts (`plan::PatternPlan`).
    Start,
    /// One hop of a pattern (`plan::Hop`).
    Hop,
    /// A MATCH's WHERE (`plan::MatchPlan`).
    MatchFilter,
    /// A projection's items or groups (`plan::ProjectionPlan`), and its later steps.
    Projection,
    Where,
    Sort,
    Distinct,
    Skip,
    Limit,
}

impl Part {
    pub(crate) fn of<T>(part: &T, kind: PartKind) -> Part {
        Part(std::ptr::from_ref(part) as usize, kind)
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counts {
    pub rows: u64,
    pub time: Duration,
}

/// The counters of one profiled run.
#[derive(Debug)]
pub(crate) struct Profiler {
    state: RefCell<State>,
}

#[derive(Debug)]
struct State {
    counts: HashMap<Part, Counts>,
    /// The operator at work now, and since when; the ones it was called from beneath it.
    current: Option<Part>,
    since: Instant,
    stack: Vec<Option<Part>>,
}

impl State {
    fn charge(&mut self, now: Instant) {
        if let Some(part) = self.current {
            self.counts.entry(part).or_default().time += now - self.since;
        }
        self.since = now;
    }
}

impl Default for Profiler {
    fn default() -> Self {
        Profiler {
            state: RefCell::new(State {
                counts: HashMap::new(),
                current: None,
                since: Instant::now(),
                stack: Vec::new(),
            }),
        }
    }
}

impl Profiler {
    /// `part` handed on `n` more rows.
    pub(crate) fn rows(&self, part: Part, n: u64) {
        self.state.borrow_mut().counts.entry(part).or_default().rows += n;
    }

    /// `part` is at work until the returned guard is dropped.
    pub(crate) fn enter(&self, part: Part) -> Entered<'_> {
        let mut state = self.state.borrow_mut();
        state.charge(Instant::now());
        let previous = state.current.replace(part);
        state.stack.push(previous);
        Entered(self)
    }

    pub(crate) fn counts(&self, part: Part) -> Counts {
        self.state
            .borrow()
            .counts
            .get(&part)
            .copied()
            .unwrap_or_default()
    }
}

/// While it lives, its operator is the one at work.
pub(crate) struct Entered<'p>(&'p Profiler);

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.borrow_mut();
        state.charge(Instant::now());
        state.current = state.stack.pop().flatten();
    }
}
