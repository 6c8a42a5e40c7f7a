//! Variable-length patterns whose paths do not matter, only which nodes they reach.
//!
//! `MATCH (s {id: $id})-[*1..2]-(x) WHERE x <> s RETURN count(DISTINCT x)` asks for a
//! neighbourhood, but enumerating its paths costs one row per path: around a hub with
//! thousands of neighbours, millions of rows to find thousands of nodes. When nothing after
//! the match can tell paths apart (no path or relationship variable, and every aggregate
//! DISTINCT, or a DISTINCT projection), the hop is searched breadth first instead, each node
//! reached once. Neo4j's planner does the same (its pruning variable-length expand).
//!
//! Why the answers agree: with a minimum of 0 or 1, a node other than the start lies at the
//! end of some path of 1..max relationships without a repeated relationship exactly when its
//! distance is at most max (a shortest path repeats nothing). The start itself can end a longer
//! closed path, which a breadth-first search does not see, so with a minimum of 1 the rule
//! needs the filter `x <> s`, and then drops it, since the search never returns to its start;
//! with 0 the start is reached by the empty path anyway.
//!
//! When the segment only counts the reached nodes (`count(DISTINCT x)` and nothing else, no
//! grouping, no filter left), rows are not made at all: each start yields one row with the
//! number of nodes it reached that no earlier start reached, and the count becomes a sum of
//! those numbers, which is the size of the union. Only the first segment qualifies: it runs
//! once, so one match sees every start.

use super::{Aggregate, BinaryOp, Op, PExpr, PKind, PathSearch, Segment};
use crate::query::functions::AggFunction;

/// Marks the hop of a single-hop variable-length pattern to be searched breadth first, when
/// the segment cannot tell its paths apart.
pub(super) fn prune_paths(segment: &mut Segment) {
    let p = &segment.projection;
    let only_distinct = if p.aggregating() {
        p.aggregates.iter().all(|a| a.distinct)
    } else {
        p.distinct
    };
    if !only_distinct {
        return;
    }
    let [Op::Match(m)] = segment.ops.as_mut_slice() else {
        return;
    };
    if m.optional || m.patterns.len() != 1 {
        return;
    }
    let filter_excludes_start = |start: Option<usize>, end: Option<usize>| {
        m.filter.as_ref().is_some_and(|f| differs(f, start, end))
    };
    let pattern = &mut m.patterns[0];
    let start_slot = pattern.start.slot;
    let [hop] = pattern.hops.as_mut_slice() else {
        return;
    };
    let Some((min, Some(_))) = hop.rel.length else {
        return;
    };
    let excluded = filter_excludes_start(start_slot, hop.node.slot);
    if pattern.path_slot.is_some()
        || pattern.search != PathSearch::All
        || hop.rel.slot.is_some()
        || hop.rel.bound
        || hop.rel.default_max
        || !hop.rel.props.is_empty()
        || hop.rel.props_map.is_some()
        || hop.node.bound
        || !(min == 0 || (min == 1 && excluded))
    {
        return;
    }
    hop.rel.reach_only = true;
    if min == 1 {
        // The search never comes back to its start, so `x <> s` holds for every row.
        m.filter = None;
    }
}

/// Whether `filter` is `a <> b` (either way round) for the two slots.
fn differs(filter: &PExpr, a: Option<usize>, b: Option<usize>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    let PKind::Binary(BinaryOp::Ne, left, right) = &filter.kind else {
        return false;
    };
    match (&left.kind, &right.kind) {
        (PKind::Slot(l), PKind::Slot(r)) => (*l, *r) == (a, b) || (*l, *r) == (b, a),
        _ => false,
    }
}

/// Counts the reached nodes inside the search, when a first segment already searched breadth
/// first does nothing else with them.
pub(super) fn count_reached(segment: &mut Segment) {
    let p = &segment.projection;
    let [Op::Match(m)] = segment.ops.as_mut_slice() else {
        return;
    };
    let [pattern] = m.patterns.as_mut_slice() else {
        return;
    };
    let [hop] = pattern.hops.as_mut_slice() else {
        return;
    };
    let Some(end) = hop.node.slot else {
        return;
    };
    let counts_end = match p.aggregates.as_slice() {
        [
            Aggregate {
                function: AggFunction::Count,
                distinct: true,
                arg: Some(arg),
                percentile: None,
            },
        ] => matches!(arg.kind, PKind::Slot(s) if s == end),
        _ => false,
    };
    if !hop.rel.reach_only
        || m.filter.is_some()
        || !counts_end
        || !p.key_items.is_empty()
        || p.filter.is_some()
    {
        return;
    }
    // The end's slot is read by nothing else now: it carries the count.
    hop.rel.count_reached = Some(end);
    let aggregate = &mut segment.projection.aggregates[0];
    aggregate.function = AggFunction::Sum;
    aggregate.distinct = false;
}
