//! A query's pipeline: each segment's operations (MATCH, OPTIONAL MATCH, UNWIND, filters,
//! CALL, counts from the store) run in order, pushing rows one at a time into the segment's
//! projection, whose output feeds the next segment.

use super::*;
use crate::query::profile::PartKind;

pub(super) fn run_query(cx: &Context<'_>, query: &QueryPlan) -> Result<Vec<Row>, QueryError> {
    run_query_from(cx, query, &[], None)
}

/// Runs `query` from a first row that starts with `seed` (the variables a subquery sees, in
/// their slots), stopping after `cap` results when given.
pub(super) fn run_query_from(
    cx: &Context<'_>,
    query: &QueryPlan,
    seed: &[QueryValue],
    cap: Option<usize>,
) -> Result<Vec<Row>, QueryError> {
    // A query with no clause before RETURN still produces its one row.
    let mut projectors = query
        .segments
        .iter()
        .map(|s| Projector::new(cx, &s.projection))
        .collect::<Result<Vec<_>, _>>()?;
    let mut results = Vec::new();
    let runner = Runner { cx, query, cap };
    let width = query.segments[0].width;
    let mut first = Vec::with_capacity(width);
    first.extend(seed.iter().take(width).cloned());
    first.resize(width, QueryValue::Null);
    runner.push(0, first, &mut projectors, &mut results)?;
    for i in 0..projectors.len() {
        let (head, tail) = projectors[i..].split_first_mut().expect("segment exists");
        let _entered = cx.enter(&query.segments[i].projection, PartKind::Projection);
        head.finish(&mut |out| runner.emit(i, out, tail, &mut results))?;
    }
    Ok(results)
}

pub(super) struct Runner<'r, 'g> {
    pub(super) cx: &'r Context<'g>,
    pub(super) query: &'r QueryPlan,
    /// Stop, without a note, after this many results (`EXISTS` needs one).
    pub(super) cap: Option<usize>,
}

impl Runner<'_, '_> {
    /// Feeds one row into segment `seg`; `projectors[0]` is that segment's projector.
    pub(super) fn push(
        &self,
        seg: usize,
        mut row: Row,
        projectors: &mut [Projector<'_, '_, '_>],
        results: &mut Vec<Row>,
    ) -> Result<Flow, QueryError> {
        let (head, tail) = projectors.split_first_mut().expect("segment exists");
        let segment = &self.query.segments[seg];
        // Each segment calls the next one's push: with many clauses, deep.
        crate::query::parser::guard_stack(|| {
            run_ops(self.cx, &segment.ops, 0, &mut row, &mut |row| {
                let _entered = self.cx.enter(&segment.projection, PartKind::Projection);
                head.accept(row, &mut |out| self.emit(seg, out, tail, results))
            })
        })
    }

    /// Passes a projected row of segment `seg` to the next segment, or to the results.
    pub(super) fn emit(
        &self,
        seg: usize,
        mut out: Row,
        tail: &mut [Projector<'_, '_, '_>],
        results: &mut Vec<Row>,
    ) -> Result<Flow, QueryError> {
        match self.query.segments.get(seg + 1) {
            None => {
                let at = self.query.segments[seg]
                    .projection
                    .items
                    .first()
                    .map_or(0, |e| e.span.start);
                self.cx.charge(row_bytes(&out), at)?;
                results.push(out);
                if self.cap.is_some_and(|cap| results.len() >= cap) {
                    return Ok(Flow::Stop);
                }
                let cap = self.cx.limits.max_rows();
                if results.len() >= cap {
                    self.cx.notes.add(format!(
                        "the answer stopped at {cap} rows; add LIMIT, narrow the query, or raise the row limit (max-rows)"
                    ));
                    return Ok(Flow::Stop);
                }
                Ok(Flow::Continue)
            }
            Some(next) => {
                out.resize(next.width, QueryValue::Null);
                self.push(seg + 1, out, tail, results)
            }
        }
    }
}

pub(super) fn run_ops(
    cx: &Context<'_>,
    ops: &[Op],
    i: usize,
    row: &mut Row,
    sink: Sink<'_>,
) -> Result<Flow, QueryError> {
    if i > 0 {
        cx.count(&ops[i - 1], PartKind::Op);
    }
    let Some(op) = ops.get(i) else {
        return sink(row);
    };
    let _entered = cx.enter(op, PartKind::Op);
    let segment = ops;
    match op {
        Op::CallSubquery { body, outputs, .. } => {
            let found = super::run_subquery(cx, body, row, None)?;
            let bytes: usize = found.iter().map(|r| row_bytes(r)).sum();
            let flow = if outputs.is_empty() {
                run_ops(cx, segment, i + 1, row, sink)?
            } else {
                let mut flow = Flow::Continue;
                for out in found {
                    for (slot, value) in outputs.iter().zip(out) {
                        row[*slot] = value;
                    }
                    if run_ops(cx, segment, i + 1, row, sink)? == Flow::Stop {
                        flow = Flow::Stop;
                        break;
                    }
                }
                flow
            };
            cx.release(bytes);
            Ok(flow)
        }
        Op::Call {
            procedure,
            void,
            args,
            outputs,
            at,
        } => {
            let values = args
                .iter()
                .map(|a| cx.eval(a, row, &[]))
                .collect::<Result<Vec<_>, _>>()?;
            let rows = crate::query::procedures::call(cx, procedure, &values, *at)?;
            if *void {
                // A procedure that yields nothing leaves the rows as they are.
                return run_ops(cx, segment, i + 1, row, sink);
            }
            for out in rows {
                for (column, slot) in outputs {
                    row[*slot] = out[*column].clone();
                }
                if run_ops(cx, segment, i + 1, row, sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        }
        Op::TypeCounts {
            types,
            type_slot,
            count_slot,
        } => {
            for (rel_type, count) in cx.graph.type_counts() {
                if !types.is_empty() && !types.iter().any(|t| t == rel_type) {
                    continue;
                }
                row[*type_slot] = QueryValue::String(rel_type.to_owned());
                row[*count_slot] = QueryValue::Int(count as i64);
                if run_ops(cx, segment, i + 1, row, sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        }
        Op::Create(_) | Op::Merge(_) | Op::Set(_) | Op::Remove(_) | Op::Delete { .. } => {
            unreachable!("statements that write run clause by clause in exec/write.rs")
        }
        Op::Filter(filter) => {
            if cx.truth(cx.eval(filter, row, &[])?, &filter.span)? == Some(true) {
                run_ops(cx, segment, i + 1, row, sink)
            } else {
                Ok(Flow::Continue)
            }
        }
        Op::LoadCsv(plan) => super::load_csv::run(cx, plan, row, &mut |row| {
            run_ops(cx, segment, i + 1, row, sink)
        }),
        Op::Unwind { list, slot } => match cx.eval(list, row, &[])? {
            QueryValue::Null => Ok(Flow::Continue),
            QueryValue::List(items) => {
                for item in items {
                    cx.check_interrupt()?;
                    row[*slot] = item;
                    if run_ops(cx, segment, i + 1, row, sink)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
                Ok(Flow::Continue)
            }
            single => {
                row[*slot] = single;
                run_ops(cx, segment, i + 1, row, sink)
            }
        },
        Op::Match(plan) => {
            let mut matcher = Matcher::new(cx);
            let mut found = false;
            let flow = matcher.match_from(&plan.patterns, 0, row, &mut |_, row| {
                if let Some(filter) = &plan.filter {
                    let entered = cx.enter(plan, PartKind::MatchFilter);
                    if cx.truth(cx.eval(filter, row, &[])?, &filter.span)? != Some(true) {
                        return Ok(Flow::Continue);
                    }
                    cx.count(plan, PartKind::MatchFilter);
                    drop(entered);
                }
                found = true;
                run_ops(cx, segment, i + 1, row, sink)
            })?;
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
            if plan.optional && !found {
                for slot in &plan.new_slots {
                    row[*slot] = QueryValue::Null;
                }
                return run_ops(cx, segment, i + 1, row, sink);
            }
            Ok(Flow::Continue)
        }
    }
}
