//! Runs a plan over the graph: rows flow one at a time from MATCH and UNWIND through filters
//! into each segment's projection, which passes them on at once (plain projections) or when
//! its input ends (aggregation, ORDER BY).
//!
//! **Invariant:** reading never changes the graph. A relationship is bound at most once per
//! MATCH clause (Cypher's relationship uniqueness). A LIMIT that is reached stops the work
//! upstream of it.
//!
//! This file holds the entry point, `run`, and the types the parts share; `pipeline.rs` runs
//! segments and their operations, `matcher.rs` walks patterns, `search.rs` holds the
//! breadth-first searches (reach, shortest paths), `load_csv.rs` reads `LOAD CSV`'s file,
//! `constraints.rs` runs the commands on uniqueness constraints,
//! `projection.rs` projects, groups, aggregates
//! and sorts, and `write.rs` runs the statements that write.

mod constraints;
mod load_csv;
mod matcher;
mod pipeline;
mod projection;
mod search;
mod write;

use std::cmp::Ordering;

// Keys here are the query's own values; a seeded fast hash keeps grouping and DISTINCT cheap.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

use crate::algo::search::Marks;
pub(crate) use matcher::pattern_exists;
use matcher::{Candidates, Continuation, HopWalk, Matcher, any_relationship, bind_node};
use pipeline::{run_ops, run_query, run_query_from};
use projection::Projector;
pub(crate) use write::{Places, run_writing};

use super::ast::{Arrow, PathSearch};
use super::error::{ErrorCode, ErrorKind, QueryError};
use super::eval::{Context, as_f64, describe, path};
use super::functions::AggFunction;
use super::plan::{
    Aggregate, Lookup, NodeStep, Op, PExpr, PatternPlan, Plan, ProjectionPlan, QueryPlan, RelStep,
    SubqueryPlan,
};
use super::value::{Key, QueryValue, equals, order};
use crate::store::{Direction, EdgeId, Graph, NodeId};

pub(crate) type Row = Vec<QueryValue>;

/// A path under construction: its nodes, and the relationships between them.
type Route = (Vec<NodeId>, Vec<EdgeId>);

/// Whether a producer should keep producing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Stop,
}

type Sink<'s> = &'s mut dyn FnMut(&mut Row) -> Result<Flow, QueryError>;

/// Runs every query of a plan and joins them as its UNION says.
pub(crate) fn run(cx: &Context<'_>, plan: &Plan) -> Result<Vec<Row>, QueryError> {
    if plan.schema.is_some() {
        return Ok(constraints::show(cx.graph));
    }
    let mut rows = Vec::new();
    for query in &plan.queries {
        rows.extend(run_query(cx, query)?);
    }
    if plan.queries.len() > 1 && !plan.union_all {
        let mut seen = HashSet::default();
        rows.retain(|row| seen.insert(row.iter().cloned().map(Key).collect::<Vec<_>>()));
    }
    if plan.columns.is_empty() {
        // A statement without columns (a lone call of a procedure that yields nothing) shows
        // no rows.
        rows.clear();
    }
    Ok(rows)
}

/// The rows of a subquery run from `row` of the enclosing query (at most `cap` of them),
/// joined as its UNION says. The caller releases their bytes from the memory budget once it
/// has used them.
pub(crate) fn run_subquery(
    cx: &Context<'_>,
    plan: &SubqueryPlan,
    row: &[QueryValue],
    cap: Option<usize>,
) -> Result<Vec<Row>, QueryError> {
    let seed = &row[..plan.seed.min(row.len())];
    let mut rows = Vec::new();
    for query in &plan.queries {
        let left = cap.map(|c| c.saturating_sub(rows.len()));
        if left == Some(0) {
            break;
        }
        rows.extend(run_query_from(cx, query, seed, left)?);
    }
    if plan.queries.len() > 1 && !plan.union_all {
        let mut seen = HashSet::default();
        rows.retain(|row| seen.insert(row.iter().cloned().map(Key).collect::<Vec<_>>()));
    }
    Ok(rows)
}

/// About how many bytes a row holds, for the memory budget.
pub(crate) fn row_bytes(row: &[QueryValue]) -> usize {
    std::mem::size_of::<Row>() + row.iter().map(QueryValue::estimated_bytes).sum::<usize>()
}
