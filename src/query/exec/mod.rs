//! Runs a plan over the graph: rows flow one at a time from MATCH and UNWIND through filters
//! into each segment's projection, which passes them on at once (plain projections) or when
//! its input ends (aggregation, ORDER BY).
//!
//! **Invariant:** reading never changes the graph. A relationship is bound at most once per
//! MATCH clause (Cypher's relationship uniqueness). A LIMIT that is reached stops the work
//! upstream of it.

mod write;

use std::cmp::Ordering;

// Keys here are the query's own values; a seeded fast hash keeps grouping and DISTINCT cheap.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

pub(crate) use write::{Places, run_writing};

use super::ast::{Arrow, PathSearch};
use super::error::{ErrorCode, ErrorKind, QueryError};
use super::eval::{Context, describe, path};
use super::functions::AggFunction;
use super::plan::{
    Aggregate, Lookup, NodeStep, Op, PExpr, PatternPlan, Plan, ProjectionPlan, QueryPlan, RelStep,
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
    let mut rows = Vec::new();
    for query in &plan.queries {
        rows.extend(run_query(cx, query)?);
    }
    if plan.queries.len() > 1 && !plan.union_all {
        let mut seen = HashSet::default();
        rows.retain(|row| seen.insert(row.iter().cloned().map(Key).collect::<Vec<_>>()));
    }
    Ok(rows)
}

fn run_query(cx: &Context<'_>, query: &QueryPlan) -> Result<Vec<Row>, QueryError> {
    // A query with no clause before RETURN still produces its one row.
    let mut projectors = query
        .segments
        .iter()
        .map(|s| Projector::new(cx, &s.projection))
        .collect::<Result<Vec<_>, _>>()?;
    let mut results = Vec::new();
    let runner = Runner { cx, query };
    let first = vec![QueryValue::Null; query.segments[0].width];
    runner.push(0, first, &mut projectors, &mut results)?;
    for i in 0..projectors.len() {
        let (head, tail) = projectors[i..].split_first_mut().expect("segment exists");
        head.finish(&mut |out| runner.emit(i, out, tail, &mut results))?;
    }
    Ok(results)
}

struct Runner<'r, 'g> {
    cx: &'r Context<'g>,
    query: &'r QueryPlan,
}

impl Runner<'_, '_> {
    /// Feeds one row into segment `seg`; `projectors[0]` is that segment's projector.
    fn push(
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
                head.accept(row, &mut |out| self.emit(seg, out, tail, results))
            })
        })
    }

    /// Passes a projected row of segment `seg` to the next segment, or to the results.
    fn emit(
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
                let cap = super::limits::max_rows();
                if results.len() >= cap {
                    self.cx.notes.add(format!(
                        "the answer stopped at {cap} rows; add LIMIT, narrow the query, or raise --max-rows"
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

fn run_ops(
    cx: &Context<'_>,
    ops: &[Op],
    i: usize,
    row: &mut Row,
    sink: Sink<'_>,
) -> Result<Flow, QueryError> {
    let Some(op) = ops.get(i) else {
        return sink(row);
    };
    let segment = ops;
    match op {
        Op::Call {
            procedure,
            args,
            outputs,
            at,
        } => {
            let values = args
                .iter()
                .map(|a| cx.eval(a, row, &[]))
                .collect::<Result<Vec<_>, _>>()?;
            for out in super::procedures::call(cx, *procedure, &values, *at)? {
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
                if let Some(filter) = &plan.filter
                    && cx.truth(cx.eval(filter, row, &[])?, &filter.span)? != Some(true)
                {
                    return Ok(Flow::Continue);
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

/// Whether a search may take any relationship either way, and so walk the store's traversal
/// index, which lists each node's neighbours side by side.
fn any_relationship(rel: &RelStep) -> bool {
    rel.arrow == Arrow::Both
        && rel.types.is_empty()
        && rel.props.is_empty()
        && rel.props_map.is_none()
}

/// Sets `node`'s bit; whether it was clear.
fn mark_new(bits: &mut [u64], node: NodeId) -> bool {
    let (word, bit) = (node.index() / 64, 1u64 << (node.index() % 64));
    let new = bits[word] & bit == 0;
    bits[word] |= bit;
    new
}

fn is_marked(bits: &[u64], node: NodeId) -> bool {
    bits[node.index() / 64] & (1u64 << (node.index() % 64)) != 0
}

/// Whether a pattern used as a predicate has at least one match in `row`'s bindings.
pub(crate) fn pattern_exists(
    cx: &Context<'_>,
    pattern: &PatternPlan,
    row: &[QueryValue],
) -> Result<bool, QueryError> {
    let mut row = row.to_vec();
    let mut matcher = Matcher::new(cx);
    let flow = matcher.match_pattern(pattern, &mut row, &mut |_, _| Ok(Flow::Stop))?;
    Ok(flow == Flow::Stop)
}

// ----- pattern matching ------------------------------------------------------------------

type Continuation<'k, 'c, 'g> =
    &'k mut dyn FnMut(&mut Matcher<'c, 'g>, &mut Row) -> Result<Flow, QueryError>;

struct Matcher<'c, 'g> {
    cx: &'c Context<'g>,
    graph: &'g Graph,
    /// Relationships bound so far in this clause.
    used: Vec<EdgeId>,
    marks: Marks,
    /// Nodes already counted by a search that only counts (one bit each).
    counted: Vec<u64>,
}

impl Drop for Matcher<'_, '_> {
    fn drop(&mut self) {
        std::mem::take(&mut self.marks).give_back();
    }
}

/// Per-node marks for breadth-first searches. Each search takes a new number, so starting one
/// clears nothing, and the marks outlive the query in a small pool per thread: allocating and
/// zeroing megabytes for every query would cost more than the search itself.
#[derive(Default)]
struct Marks {
    search: u32,
    /// The number of the last search that reached each node.
    seen: Vec<u32>,
    /// In a search from both ends: whether the source's side reached the node.
    from_source: Vec<bool>,
    /// In a search from both ends: the node each was reached from.
    parent: Vec<NodeId>,
}

thread_local! {
    static MARKS: std::cell::RefCell<Vec<Marks>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Marks {
    /// Nested matches (pattern predicates) each hold their own marks.
    const POOLED: usize = 4;

    fn take() -> Marks {
        MARKS
            .with(|pool| pool.borrow_mut().pop())
            .unwrap_or_default()
    }

    fn give_back(self) {
        MARKS.with(|pool| {
            let mut pool = pool.borrow_mut();
            if pool.len() < Self::POOLED && !self.seen.is_empty() {
                pool.push(self);
            }
        });
    }

    /// Starts a search over nodes numbered below `bound`; returns the search's number.
    fn start(&mut self, bound: usize) -> u32 {
        if self.seen.len() < bound {
            self.seen.resize(bound, 0);
        }
        self.search = self.search.wrapping_add(1);
        if self.search == 0 {
            self.seen.fill(0);
            self.search = 1;
        }
        self.search
    }

    /// As `start`, for a search from both ends (`filler` is any node: parents are only read
    /// where this search has written them).
    fn start_both_ways(&mut self, bound: usize, filler: NodeId) -> u32 {
        if self.parent.len() < bound {
            self.from_source.resize(bound, false);
            self.parent.resize(bound, filler);
        }
        self.start(bound)
    }
}

/// Where a search starts.
enum Candidates<'g> {
    Listed(Vec<NodeId>),
    Indexed(&'g [NodeId]),
    All,
}

impl<'c, 'g> Matcher<'c, 'g> {
    fn new(cx: &'c Context<'g>) -> Self {
        Matcher {
            cx,
            graph: cx.graph,
            used: Vec::new(),
            marks: Marks::take(),
            counted: Vec::new(),
        }
    }

    fn match_from(
        &mut self,
        patterns: &[PatternPlan],
        i: usize,
        row: &mut Row,
        emit: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        let Some(pattern) = patterns.get(i) else {
            return emit(self, row);
        };
        self.match_pattern(pattern, row, &mut |m, row| {
            m.match_from(patterns, i + 1, row, emit)
        })
    }

    fn match_pattern(
        &mut self,
        pattern: &PatternPlan,
        row: &mut Row,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        let candidates = self.candidates(&pattern.start, row)?;
        let mut visit = |m: &mut Self, node: NodeId, row: &mut Row| -> Result<Flow, QueryError> {
            m.cx.check_interrupt()?;
            if !m.node_fits(node, &pattern.start, row)? {
                return Ok(Flow::Continue);
            }
            bind_node(row, &pattern.start, node);
            match pattern.search {
                PathSearch::All => {
                    let mut nodes = vec![node];
                    let mut rels = Vec::new();
                    m.hops(pattern, 0, node, row, &mut nodes, &mut rels, k)
                }
                PathSearch::Shortest | PathSearch::AllShortest => m.shortest(pattern, node, row, k),
            }
        };
        match candidates {
            Candidates::Listed(nodes) => {
                for node in nodes {
                    if visit(self, node, row)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
            Candidates::Indexed(nodes) => {
                for &node in nodes {
                    if visit(self, node, row)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
            Candidates::All => {
                for node in self.graph.nodes() {
                    if visit(self, node, row)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
        }
        Ok(Flow::Continue)
    }

    fn candidates(&self, step: &NodeStep, row: &Row) -> Result<Candidates<'g>, QueryError> {
        let graph = self.graph;
        if step.bound {
            let slot = step.slot.expect("a bound step has a variable");
            return Ok(Candidates::Listed(match &row[slot] {
                QueryValue::Node(n) => vec![*n],
                _ => Vec::new(),
            }));
        }
        let by_text = |value: QueryValue, by_id: bool| -> Option<Vec<NodeId>> {
            match value {
                QueryValue::String(s) if by_id => Some(graph.nodes_by_id(&s)),
                QueryValue::String(s) => Some(graph.nodes_by_name(&s).to_vec()),
                QueryValue::Null => Some(Vec::new()),
                // Only text is indexed; anything else is found by scanning.
                _ => None,
            }
        };
        let listed = match &step.lookup {
            Lookup::Scan => None,
            Lookup::Label(label) => return Ok(Candidates::Indexed(graph.nodes_with_label(label))),
            Lookup::Id(e) | Lookup::Name(e) => by_text(
                self.cx.eval(e, row, &[])?,
                matches!(step.lookup, Lookup::Id(_)),
            ),
            Lookup::IdIn(e) | Lookup::NameIn(e) => match self.cx.eval(e, row, &[])? {
                QueryValue::List(items) => {
                    let by_id = matches!(step.lookup, Lookup::IdIn(_));
                    let mut nodes = Vec::new();
                    let mut all_text = true;
                    for item in items {
                        match by_text(item, by_id) {
                            Some(found) => nodes.extend(found),
                            None => all_text = false,
                        }
                    }
                    nodes.sort_unstable();
                    nodes.dedup();
                    all_text.then_some(nodes)
                }
                QueryValue::Null => Some(Vec::new()),
                _ => None,
            },
        };
        Ok(match listed {
            Some(nodes) => Candidates::Listed(nodes),
            None => Candidates::All,
        })
    }

    fn node_fits(&self, node: NodeId, step: &NodeStep, row: &Row) -> Result<bool, QueryError> {
        if step.bound {
            let slot = step.slot.expect("a bound step has a variable");
            if row[slot] != QueryValue::Node(node) {
                return Ok(false);
            }
        }
        if !step
            .labels
            .iter()
            .all(|l| self.graph.node_has_label(node, l))
        {
            return Ok(false);
        }
        for (key, expected) in &step.props {
            let wanted = self.cx.eval(expected, row, &[])?;
            let actual = self.graph.node_prop(node, key);
            if !prop_matches(actual, &wanted) {
                return Ok(false);
            }
        }
        if let Some(map) = &step.props_map {
            for (key, wanted) in self.props_map(map, row)? {
                if !prop_matches(self.graph.node_prop(node, &key), &wanted) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn rel_fits(&self, edge: EdgeId, step: &RelStep, row: &Row) -> Result<bool, QueryError> {
        if !step.types.is_empty() {
            let t = self.graph.edge_type(edge);
            if !step.types.iter().any(|w| w == t) {
                return Ok(false);
            }
        }
        if step.bound && step.length.is_none() {
            let slot = step.slot.expect("a bound step has a variable");
            if row[slot] != QueryValue::Relationship(edge) {
                return Ok(false);
            }
        }
        for (key, expected) in &step.props {
            let wanted = self.cx.eval(expected, row, &[])?;
            if !prop_matches(self.graph.edge_prop(edge, key), &wanted) {
                return Ok(false);
            }
        }
        if let Some(map) = &step.props_map {
            for (key, wanted) in self.props_map(map, row)? {
                if !prop_matches(self.graph.edge_prop(edge, &key), &wanted) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn props_map(
        &self,
        map: &PExpr,
        row: &Row,
    ) -> Result<std::collections::BTreeMap<String, QueryValue>, QueryError> {
        match self.cx.eval(map, row, &[])? {
            QueryValue::Map(m) => Ok(m),
            other => Err(self.cx.type_error(
                &map.span,
                format!(
                    "pattern properties must be a map, not {}",
                    describe(self.graph, &other)
                ),
            )),
        }
    }

    /// Relationships leaving `node` the way `arrow` points, each with its other end.
    fn expand(&self, node: NodeId, arrow: Arrow) -> impl Iterator<Item = (EdgeId, NodeId)> + 'g {
        let graph = self.graph;
        let (first, second) = match arrow {
            Arrow::Right => (Some(Direction::Outgoing), None),
            Arrow::Left => (Some(Direction::Incoming), None),
            Arrow::Both => (Some(Direction::Outgoing), Some(Direction::Incoming)),
        };
        let outgoing = first.into_iter().flat_map(move |d| graph.edges_of(node, d));
        // Undirected: a self-loop is listed once, from its outgoing side.
        let incoming = second
            .into_iter()
            .flat_map(move |d| graph.edges_of(node, d))
            .filter(move |(_, other)| *other != node);
        outgoing.chain(incoming)
    }

    #[allow(clippy::too_many_arguments)]
    fn hops(
        &mut self,
        pattern: &PatternPlan,
        h: usize,
        current: NodeId,
        row: &mut Row,
        nodes: &mut Vec<NodeId>,
        rels: &mut Vec<EdgeId>,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        let Some(hop) = pattern.hops.get(h) else {
            if let Some(slot) = pattern.path_slot {
                row[slot] = QueryValue::Path(path(nodes, rels, pattern.reversed));
            }
            return k(self, row);
        };
        if let Some((min, max)) = hop.rel.length {
            if hop.rel.reach_only {
                return self.reach_hops(pattern, h, current, (min, max), row, nodes, rels, k);
            }
            return self.var_hops(pattern, h, current, (min, max), row, nodes, rels, k);
        }
        for (edge, other) in self.expand(current, hop.rel.arrow) {
            self.cx.check_interrupt()?;
            if self.used.contains(&edge)
                || !self.rel_fits(edge, &hop.rel, row)?
                || !self.node_fits(other, &hop.node, row)?
            {
                continue;
            }
            if let Some(slot) = hop.rel.slot {
                row[slot] = QueryValue::Relationship(edge);
            }
            bind_node(row, &hop.node, other);
            self.used.push(edge);
            nodes.push(other);
            rels.push(edge);
            let flow = self.hops(pattern, h + 1, other, row, nodes, rels, k);
            self.used.pop();
            nodes.pop();
            rels.pop();
            if flow? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// Breadth first from `start` along `rel`, up to `max` relationships away: calls `visit` once
    /// for each node reached, the start aside.
    fn reach(
        &mut self,
        start: NodeId,
        rel: &RelStep,
        max: Option<u64>,
        row: &Row,
        visit: &mut dyn FnMut(NodeId),
    ) -> Result<(), QueryError> {
        self.with_marks(|matcher, marks| matcher.reach_with(marks, start, rel, max, row, visit))
    }

    /// Runs `search` with the matcher's marks lent out, so that it can read the matcher too.
    fn with_marks<T>(&mut self, search: impl FnOnce(&Self, &mut Marks) -> T) -> T {
        let mut marks = std::mem::take(&mut self.marks);
        let found = search(self, &mut marks);
        self.marks = marks;
        found
    }

    fn reach_with(
        &self,
        marks: &mut Marks,
        start: NodeId,
        rel: &RelStep,
        max: Option<u64>,
        row: &Row,
        visit: &mut dyn FnMut(NodeId),
    ) -> Result<(), QueryError> {
        let search = marks.start(self.graph.node_index_bound());
        marks.seen[start.index()] = search;
        let adjacency = any_relationship(rel).then(|| self.graph.adjacency());
        let levels = max.unwrap_or(u64::MAX);
        let mut frontier = vec![start];
        let mut next = Vec::new();
        for level in 1..=levels {
            if frontier.is_empty() {
                break;
            }
            self.cx.check_interrupt()?;
            // Nodes found on the last level are not searched from.
            let last = level == levels;
            let mut reach = |seen: &mut [u32], other: NodeId| {
                if seen[other.index()] != search {
                    seen[other.index()] = search;
                    visit(other);
                    if !last {
                        next.push(other);
                    }
                }
            };
            for &node in &frontier {
                if let Some(adjacency) = adjacency {
                    for &other in adjacency.neighbors(node) {
                        reach(&mut marks.seen, other);
                    }
                } else {
                    for (edge, other) in self.expand(node, rel.arrow) {
                        if marks.seen[other.index()] != search && self.rel_fits(edge, rel, row)? {
                            reach(&mut marks.seen, other);
                        }
                    }
                }
            }
            std::mem::swap(&mut frontier, &mut next);
            next.clear();
        }
        Ok(())
    }

    /// A variable-length hop whose paths do not matter: every node within `max` hops that
    /// fits the end step, each once, breadth first (see `plan/reach.rs` for when).
    #[allow(clippy::too_many_arguments)]
    fn reach_hops(
        &mut self,
        pattern: &PatternPlan,
        h: usize,
        start: NodeId,
        (min, max): (u64, Option<u64>),
        row: &mut Row,
        nodes: &mut Vec<NodeId>,
        rels: &mut Vec<EdgeId>,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        let hop = &pattern.hops[h];
        let mut reached = Vec::new();
        if min == 0 {
            reached.push(start);
        }
        let unconstrained = !hop.node.bound
            && hop.node.labels.is_empty()
            && hop.node.props.is_empty()
            && hop.node.props_map.is_none();
        if let Some(slot) = hop.rel.count_reached {
            let words = self.graph.node_index_bound().div_ceil(64);
            if self.counted.len() < words {
                self.counted.resize(words, 0);
            }
            let mut fresh = 0i64;
            if unconstrained {
                let mut counted = std::mem::take(&mut self.counted);
                let mut count = |node| fresh += i64::from(mark_new(&mut counted, node));
                reached.iter().for_each(|n| count(*n));
                let searched = self.reach(start, &hop.rel, max, row, &mut count);
                self.counted = counted;
                searched?;
            } else {
                self.reach(start, &hop.rel, max, row, &mut |n| reached.push(n))?;
                for &node in &reached {
                    if !is_marked(&self.counted, node) && self.node_fits(node, &hop.node, row)? {
                        mark_new(&mut self.counted, node);
                        fresh += 1;
                    }
                }
            }
            row[slot] = QueryValue::Int(fresh);
            return self.hops(pattern, h + 1, start, row, nodes, rels, k);
        }
        self.reach(start, &hop.rel, max, row, &mut |n| reached.push(n))?;
        for node in reached {
            if !self.node_fits(node, &hop.node, row)? {
                continue;
            }
            bind_node(row, &hop.node, node);
            nodes.push(node);
            let flow = self.hops(pattern, h + 1, node, row, nodes, rels, k);
            nodes.pop();
            if flow? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// A variable-length hop as a depth-first walk that never reuses a relationship.
    #[allow(clippy::too_many_arguments)]
    fn var_hops(
        &mut self,
        pattern: &PatternPlan,
        h: usize,
        start: NodeId,
        (min, max): (u64, Option<u64>),
        row: &mut Row,
        nodes: &mut Vec<NodeId>,
        rels: &mut Vec<EdgeId>,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        let hop = &pattern.hops[h];
        let first = rels.len();
        // For each depth on the current route: the relationships still to try from there.
        let mut stack: Vec<(u64, Vec<(EdgeId, NodeId)>)> = Vec::new();
        let mut at = start;
        let mut depth = 0u64;
        loop {
            self.cx.check_interrupt()?;
            // Arrived at `at` with `depth` relationships: emit if it may end here.
            if depth >= min && self.node_fits(at, &hop.node, row)? {
                if let Some(slot) = hop.rel.slot {
                    let mut list: Vec<QueryValue> = rels[first..]
                        .iter()
                        .map(|e| QueryValue::Relationship(*e))
                        .collect();
                    if pattern.reversed {
                        list.reverse();
                    }
                    row[slot] = QueryValue::List(list);
                }
                bind_node(row, &hop.node, at);
                let flow = self.hops(pattern, h + 1, at, row, nodes, rels, k);
                if flow? == Flow::Stop {
                    self.unwind_to(first, nodes, rels);
                    return Ok(Flow::Stop);
                }
            }
            if hop.rel.default_max
                && max == Some(depth)
                && self.expand(at, hop.rel.arrow).next().is_some()
            {
                self.cx.notes.add(format!(
                    "a variable-length pattern stopped at {depth} hops, the default for * without a maximum; write *..N to go further (or --max-var-length N)"
                ));
            }
            let next: Vec<(EdgeId, NodeId)> = if max.is_none_or(|m| depth < m) {
                let mut next = Vec::new();
                for (edge, other) in self.expand(at, hop.rel.arrow) {
                    if !self.used.contains(&edge) && self.rel_fits(edge, &hop.rel, row)? {
                        next.push((edge, other));
                    }
                }
                next.reverse();
                next
            } else {
                Vec::new()
            };
            stack.push((depth, next));
            // Take the next untried relationship, backing up as branches run out.
            loop {
                let Some((d, options)) = stack.last_mut() else {
                    return Ok(Flow::Continue);
                };
                let d = *d;
                if let Some((edge, other)) = options.pop() {
                    // Drop what the previous sibling branch left at this depth.
                    self.unwind_to(first + d as usize, nodes, rels);
                    self.used.push(edge);
                    nodes.push(other);
                    rels.push(edge);
                    at = other;
                    depth = d + 1;
                    break;
                }
                stack.pop();
                self.unwind_to(first + d as usize, nodes, rels);
                if stack.is_empty() {
                    return Ok(Flow::Continue);
                }
            }
        }
    }

    /// Pops relationships (and their nodes) until `len` relationships remain.
    fn unwind_to(&mut self, len: usize, nodes: &mut Vec<NodeId>, rels: &mut Vec<EdgeId>) {
        while rels.len() > len {
            rels.pop();
            nodes.pop();
            self.used.pop();
        }
    }

    /// shortestPath / allShortestPaths: breadth-first from `source`, level by level.
    fn shortest(
        &mut self,
        pattern: &PatternPlan,
        source: NodeId,
        row: &mut Row,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        let hop = &pattern.hops[0];
        let all = pattern.search == PathSearch::AllShortest;
        let (min, max) = hop.rel.length.unwrap_or((1, Some(1)));
        // A single known target lets the search stop as soon as it is reached.
        let single_target = match self.candidates(&hop.node, row)? {
            Candidates::Listed(nodes) if nodes.len() == 1 => Some(nodes[0]),
            Candidates::Listed(_) => None,
            _ => None,
        };
        let target_known_absent =
            matches!(self.candidates(&hop.node, row)?, Candidates::Listed(ref n) if n.is_empty());
        if target_known_absent {
            return Ok(Flow::Continue);
        }

        if !all
            && let Some(target) = single_target
            && target != source
        {
            if !self.node_fits(target, &hop.node, row)? {
                return Ok(Flow::Continue);
            }
            return match self.bidirectional(source, target, &hop.rel, max, row)? {
                Some((nodes, rels)) => self.emit_path(pattern, &nodes, &rels, row, k),
                None => Ok(Flow::Continue),
            };
        }
        if min == 0 && self.node_fits(source, &hop.node, row)? {
            let flow = self.emit_path(pattern, &[source], &[], row, k)?;
            if flow == Flow::Stop || single_target == Some(source) {
                return Ok(flow);
            }
        }
        let mut parents: HashMap<NodeId, Vec<(EdgeId, NodeId)>> = HashMap::default();
        let mut seen: HashSet<NodeId> = HashSet::from_iter([source]);
        let mut frontier = vec![source];
        let mut depth = 0u64;
        while !frontier.is_empty() && max.is_none_or(|m| depth < m) {
            depth += 1;
            let mut next = Vec::new();
            for &node in &frontier {
                self.cx.check_interrupt()?;
                for (edge, other) in self.expand(node, hop.rel.arrow) {
                    if !self.rel_fits(edge, &hop.rel, row)? {
                        continue;
                    }
                    if seen.insert(other) {
                        next.push(other);
                        parents.insert(other, vec![(edge, node)]);
                    } else if all
                        && let Some(list) = parents.get_mut(&other)
                        && next.contains(&other)
                    {
                        list.push((edge, node));
                    }
                }
            }
            for &reached in &next {
                if single_target.is_some_and(|t| t != reached)
                    || !self.node_fits(reached, &hop.node, row)?
                {
                    continue;
                }
                let flow = self.emit_paths(pattern, source, reached, &parents, all, row, k)?;
                if flow == Flow::Stop {
                    return Ok(Flow::Stop);
                }
                if single_target.is_some() {
                    return Ok(Flow::Continue);
                }
            }
            frontier = next;
        }
        Ok(Flow::Continue)
    }

    /// One shortest path between two known nodes, searching from both ends at once and always
    /// widening the smaller frontier: it visits a few thousand nodes where a one-sided search
    /// would visit the whole graph.
    fn bidirectional(
        &mut self,
        source: NodeId,
        target: NodeId,
        rel: &RelStep,
        max: Option<u64>,
        row: &Row,
    ) -> Result<Option<Route>, QueryError> {
        self.with_marks(|matcher, marks| {
            matcher.bidirectional_with(marks, source, target, rel, max, row)
        })
    }

    fn bidirectional_with(
        &self,
        marks: &mut Marks,
        source: NodeId,
        target: NodeId,
        rel: &RelStep,
        max: Option<u64>,
        row: &Row,
    ) -> Result<Option<Route>, QueryError> {
        let backward_arrow = match rel.arrow {
            Arrow::Right => Arrow::Left,
            Arrow::Left => Arrow::Right,
            Arrow::Both => Arrow::Both,
        };
        // Over the traversal index, the relationships of the one path are found at the end.
        let adjacency = any_relationship(rel).then(|| self.graph.adjacency());
        let search = marks.start_both_ways(self.graph.node_index_bound(), source);
        for (end, from_source) in [(source, true), (target, false)] {
            marks.seen[end.index()] = search;
            marks.from_source[end.index()] = from_source;
        }
        let mut forward_frontier = vec![source];
        let mut backward_frontier = vec![target];
        let mut next = Vec::new();
        let mut length = 0u64;
        // The meeting: the node on the source's side, the node on the target's, and whether
        // the source's side found it.
        let mut meeting: Option<(NodeId, NodeId, bool)> = None;
        while meeting.is_none()
            && !forward_frontier.is_empty()
            && !backward_frontier.is_empty()
            && max.is_none_or(|m| length < m)
        {
            length += 1;
            let from_source = forward_frontier.len() <= backward_frontier.len();
            let (frontier, arrow) = if from_source {
                (&mut forward_frontier, rel.arrow)
            } else {
                (&mut backward_frontier, backward_arrow)
            };
            next.clear();
            let mut reach = |node: NodeId, neighbour: NodeId| {
                let i = neighbour.index();
                if marks.seen[i] == search {
                    if marks.from_source[i] != from_source {
                        meeting = Some(if from_source {
                            (node, neighbour, true)
                        } else {
                            (neighbour, node, false)
                        });
                        return true;
                    }
                    return false;
                }
                marks.seen[i] = search;
                marks.from_source[i] = from_source;
                marks.parent[i] = node;
                next.push(neighbour);
                false
            };
            'level: for &node in frontier.iter() {
                self.cx.check_interrupt()?;
                if let Some(adjacency) = adjacency {
                    for &neighbour in adjacency.neighbors(node) {
                        if reach(node, neighbour) {
                            break 'level;
                        }
                    }
                } else {
                    for (edge, neighbour) in self.expand(node, arrow) {
                        if self.rel_fits(edge, rel, row)? && reach(node, neighbour) {
                            break 'level;
                        }
                    }
                }
            }
            std::mem::swap(frontier, &mut next);
        }
        let Some((near, far, found_from_source)) = meeting else {
            return Ok(None);
        };
        // Both frontiers are one level apart at most, so the first meeting is a shortest path.
        let mut nodes = vec![near];
        let mut at = near;
        while at != source {
            at = marks.parent[at.index()];
            nodes.push(at);
        }
        nodes.reverse();
        let meeting_at = nodes.len() - 1;
        nodes.push(far);
        let mut at = far;
        while at != target {
            at = marks.parent[at.index()];
            nodes.push(at);
        }
        // Each relationship is the first that fits from the node the search went from, as the
        // search met them; over the traversal index, any one, looked for from the end with
        // fewer relationships (the other may be a hub with thousands).
        let mut rels = Vec::with_capacity(nodes.len() - 1);
        for (i, pair) in nodes.windows(2).enumerate() {
            let (a, b) = (pair[0], pair[1]);
            let toward_target = i < meeting_at || (i == meeting_at && found_from_source);
            let edge = if let Some(adjacency) = adjacency {
                let degree = |n: NodeId| adjacency.neighbors(n).len();
                let (from, to) = if degree(a) <= degree(b) {
                    (a, b)
                } else {
                    (b, a)
                };
                self.edge_between(from, to, Arrow::Both, rel, row)?
            } else if toward_target {
                self.edge_between(a, b, rel.arrow, rel, row)?
            } else {
                self.edge_between(b, a, backward_arrow, rel, row)?
            };
            let Some(edge) = edge else {
                unreachable!("the search went along a relationship between the two");
            };
            rels.push(edge);
        }
        Ok(Some((nodes, rels)))
    }

    /// The first relationship from `from` to `to` the way `arrow` points that fits `rel`.
    fn edge_between(
        &self,
        from: NodeId,
        to: NodeId,
        arrow: Arrow,
        rel: &RelStep,
        row: &Row,
    ) -> Result<Option<EdgeId>, QueryError> {
        for (edge, other) in self.expand(from, arrow) {
            if other == to && self.rel_fits(edge, rel, row)? {
                return Ok(Some(edge));
            }
        }
        Ok(None)
    }

    /// Every shortest path (or the first) from `source` to `target` through `parents`.
    #[allow(clippy::too_many_arguments)]
    fn emit_paths(
        &mut self,
        pattern: &PatternPlan,
        source: NodeId,
        target: NodeId,
        parents: &HashMap<NodeId, Vec<(EdgeId, NodeId)>>,
        all: bool,
        row: &mut Row,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        // Depth-first over parent choices, building paths backwards from the target.
        let mut paths: Vec<Route> = Vec::new();
        let mut stack = vec![(target, vec![target], Vec::<EdgeId>::new())];
        while let Some((node, nodes, rels)) = stack.pop() {
            if node == source {
                let mut nodes = nodes;
                let mut rels = rels;
                nodes.reverse();
                rels.reverse();
                paths.push((nodes, rels));
                if !all {
                    break;
                }
                continue;
            }
            let choices = parents.get(&node).map_or(&[][..], Vec::as_slice);
            let choices: &[(EdgeId, NodeId)] = if all {
                choices
            } else {
                &choices[..choices.len().min(1)]
            };
            for (edge, prev) in choices.iter().rev() {
                let mut nodes = nodes.clone();
                let mut rels = rels.clone();
                nodes.push(*prev);
                rels.push(*edge);
                stack.push((*prev, nodes, rels));
            }
        }
        for (nodes, rels) in paths {
            if self.emit_path(pattern, &nodes, &rels, row, k)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    fn emit_path(
        &mut self,
        pattern: &PatternPlan,
        nodes: &[NodeId],
        rels: &[EdgeId],
        row: &mut Row,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        let hop = &pattern.hops[0];
        if let Some(slot) = hop.rel.slot {
            row[slot] = if hop.rel.length.is_some() {
                QueryValue::List(rels.iter().map(|e| QueryValue::Relationship(*e)).collect())
            } else {
                rels.first()
                    .map_or(QueryValue::Null, |e| QueryValue::Relationship(*e))
            };
        }
        bind_node(row, &hop.node, *nodes.last().expect("a path has a node"));
        if let Some(slot) = pattern.path_slot {
            row[slot] = QueryValue::Path(path(nodes, rels, false));
        }
        k(self, row)
    }
}

fn bind_node(row: &mut Row, step: &NodeStep, node: NodeId) {
    if let Some(slot) = step.slot
        && !step.bound
    {
        row[slot] = QueryValue::Node(node);
    }
}

/// `{key: wanted}` in a pattern: equality in Cypher's sense, so null never matches.
fn prop_matches(actual: Option<crate::model::Value>, wanted: &QueryValue) -> bool {
    match actual {
        None => false,
        Some(value) => equals(&QueryValue::from(value), wanted) == Some(true),
    }
}

// ----- projections -----------------------------------------------------------------------

/// One segment's projection: computes output rows, groups, sorts, and cuts with SKIP/LIMIT.
struct Projector<'p, 'c, 'g> {
    cx: &'c Context<'g>,
    plan: &'p ProjectionPlan,
    skip: usize,
    limit: Option<usize>,
    /// The LIMIT was reached: nothing more is wanted.
    done: bool,
    emitted: usize,
    skipped: usize,
    seen: HashSet<Vec<Key>>,
    /// ORDER BY without aggregation: (sort keys, output row).
    sorted: Vec<(Vec<QueryValue>, Row)>,
    groups: HashMap<Vec<Key>, usize>,
    group_list: Vec<Group>,
    /// Bytes charged to the memory budget for what this projection holds.
    held: usize,
}

struct Group {
    /// The first input row of the group: grouping keys and what they determine.
    first: Row,
    keys: Vec<QueryValue>,
    states: Vec<AggState>,
}

impl<'p, 'c, 'g> Projector<'p, 'c, 'g> {
    fn new(cx: &'c Context<'g>, plan: &'p ProjectionPlan) -> Result<Self, QueryError> {
        let count = |e: &Option<PExpr>, what: &str| -> Result<Option<usize>, QueryError> {
            let Some(e) = e else { return Ok(None) };
            match cx.eval(e, &[], &[])? {
                QueryValue::Int(n) if n >= 0 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
                other => Err(QueryError::at(
                    ErrorKind::Argument,
                    ErrorCode::InvalidArgumentLimit,
                    cx.text,
                    e.span.start,
                    format!(
                        "{what} takes a whole number of rows, 0 or more, not {}",
                        describe(cx.graph, &other)
                    ),
                    None,
                )),
            }
        };
        Ok(Projector {
            cx,
            plan,
            skip: count(&plan.skip, "SKIP")?.unwrap_or(0),
            limit: count(&plan.limit, "LIMIT")?,
            done: false,
            emitted: 0,
            skipped: 0,
            seen: HashSet::default(),
            sorted: Vec::new(),
            groups: HashMap::default(),
            group_list: Vec::new(),
            held: 0,
        })
    }

    /// Where a memory error of this projection points: its first item.
    fn at(&self) -> usize {
        self.plan.items.first().map_or(0, |e| e.span.start)
    }

    /// Counts `bytes` more as held until the projection's input ends.
    fn hold(&mut self, bytes: usize) -> Result<(), QueryError> {
        self.cx.charge(bytes, self.at())?;
        self.held += bytes;
        Ok(())
    }

    fn outputs(&self, row: &Row, aggregates: &[QueryValue]) -> Result<Row, QueryError> {
        self.plan
            .items
            .iter()
            .map(|item| self.cx.eval(item, row, aggregates))
            .collect()
    }

    /// Stores the output values beside the input's, where sort keys and WITH's WHERE read them.
    fn place_outputs(&self, row: &mut Row, outputs: &Row) {
        let base = self.plan.out_base;
        if row.len() < base + outputs.len() {
            row.resize(base + outputs.len(), QueryValue::Null);
        }
        row[base..base + outputs.len()].clone_from_slice(outputs);
    }

    fn sort_keys(&self, row: &mut Row, outputs: &Row) -> Result<Vec<QueryValue>, QueryError> {
        self.place_outputs(row, outputs);
        self.plan
            .order_by
            .iter()
            .map(|(e, _)| self.cx.eval(e, row, &[]))
            .collect()
    }

    /// Takes one input row.
    fn accept(
        &mut self,
        row: &mut Row,
        out: &mut dyn FnMut(Row) -> Result<Flow, QueryError>,
    ) -> Result<Flow, QueryError> {
        if self.done || self.limit == Some(0) {
            self.done = true;
            return Ok(Flow::Stop);
        }
        if self.plan.aggregating() {
            self.group(row)?;
            return Ok(Flow::Continue);
        }
        let outputs = self.outputs(row, &[])?;
        if let Some(filter) = &self.plan.filter {
            self.place_outputs(row, &outputs);
            if self
                .cx
                .truth(self.cx.eval(filter, row, &[])?, &filter.span)?
                != Some(true)
            {
                return Ok(Flow::Continue);
            }
        }
        if !self.plan.order_by.is_empty() {
            let keys = self.sort_keys(row, &outputs)?;
            self.hold(row_bytes(&keys) + row_bytes(&outputs))?;
            self.sorted.push((keys, outputs));
            self.trim_sorted();
            return Ok(Flow::Continue);
        }
        self.pass(outputs, out)
    }

    /// Hands an output row on, after DISTINCT, SKIP and LIMIT.
    fn pass(
        &mut self,
        outputs: Row,
        out: &mut dyn FnMut(Row) -> Result<Flow, QueryError>,
    ) -> Result<Flow, QueryError> {
        if self.done {
            return Ok(Flow::Stop);
        }
        if self.plan.distinct {
            if !self.seen.insert(outputs.iter().cloned().map(Key).collect()) {
                return Ok(Flow::Continue);
            }
            self.hold(row_bytes(&outputs))?;
        }
        if self.skipped < self.skip {
            self.skipped += 1;
            return Ok(Flow::Continue);
        }
        self.emitted += 1;
        let flow = out(outputs)?;
        if self.limit.is_some_and(|l| self.emitted >= l) {
            self.done = true;
            return Ok(Flow::Stop);
        }
        Ok(flow)
    }

    /// With ORDER BY and LIMIT, only the first SKIP + LIMIT rows can ever be output: keep the
    /// buffer near that size instead of holding every row.
    fn trim_sorted(&mut self) {
        let Some(limit) = self.limit else { return };
        if self.plan.distinct {
            return;
        }
        let keep = self.skip.saturating_add(limit);
        if self.sorted.len() > keep.saturating_mul(2).max(1024) {
            self.sort_buffer();
            let dropped: usize = self.sorted[keep..]
                .iter()
                .map(|(k, o)| row_bytes(k) + row_bytes(o))
                .sum();
            self.sorted.truncate(keep);
            self.cx.release(dropped);
            self.held -= dropped.min(self.held);
        }
    }

    fn sort_buffer(&mut self) {
        let directions: Vec<bool> = self.plan.order_by.iter().map(|(_, d)| *d).collect();
        self.sorted
            .sort_by(|(a, _), (b, _)| compare_keys(a, b, &directions));
    }

    fn group(&mut self, row: &Row) -> Result<(), QueryError> {
        // Without grouping keys there is one group: no key to build or hash per row.
        if self.plan.key_items.is_empty() && !self.group_list.is_empty() {
            return self.update(0, row);
        }
        let keys: Vec<QueryValue> = self
            .plan
            .key_items
            .iter()
            .map(|&i| self.cx.eval(&self.plan.items[i], row, &[]))
            .collect::<Result<_, _>>()?;
        let lookup: Vec<Key> = keys.iter().cloned().map(Key).collect();
        let index = match self.groups.get(&lookup) {
            Some(i) => *i,
            None => {
                // The first row, the keys and their hashed copy.
                self.hold(
                    row_bytes(row)
                        + 2 * row_bytes(&keys)
                        + self.plan.aggregates.len() * std::mem::size_of::<AggState>(),
                )?;
                self.group_list.push(Group {
                    first: row.clone(),
                    keys,
                    states: self.plan.aggregates.iter().map(AggState::new).collect(),
                });
                self.groups.insert(lookup, self.group_list.len() - 1);
                self.group_list.len() - 1
            }
        };
        self.update(index, row)
    }

    fn update(&mut self, index: usize, row: &Row) -> Result<(), QueryError> {
        for (state, aggregate) in self.group_list[index]
            .states
            .iter_mut()
            .zip(&self.plan.aggregates)
        {
            let value = match &aggregate.arg {
                None => None,
                Some(arg) => Some((self.cx.eval(arg, row, &[])?, arg)),
            };
            state.add(self.cx, aggregate, value)?;
        }
        Ok(())
    }

    /// The input has ended: output what was held back.
    fn finish(
        &mut self,
        out: &mut dyn FnMut(Row) -> Result<Flow, QueryError>,
    ) -> Result<(), QueryError> {
        if self.plan.aggregating() {
            // With no grouping keys, an empty input still makes one group: count(*) is 0.
            if self.group_list.is_empty() && self.plan.key_items.is_empty() {
                self.group_list.push(Group {
                    first: Vec::new(),
                    keys: Vec::new(),
                    states: self.plan.aggregates.iter().map(AggState::new).collect(),
                });
            }
            let groups = std::mem::take(&mut self.group_list);
            for mut group in groups {
                let results: Vec<QueryValue> = group
                    .states
                    .into_iter()
                    .map(|s| s.finish(self.cx))
                    .collect::<Result<_, _>>()?;
                let mut keys = group.keys.into_iter();
                let mut outputs = Vec::with_capacity(self.plan.items.len());
                for (i, item) in self.plan.items.iter().enumerate() {
                    if self.plan.key_items.contains(&i) {
                        outputs.push(keys.next().unwrap_or(QueryValue::Null));
                    } else {
                        outputs.push(self.cx.eval(item, &group.first, &results)?);
                    }
                }
                if self.plan.order_by.is_empty() {
                    if self.pass(outputs, out)? == Flow::Stop {
                        return Ok(());
                    }
                } else {
                    let sort = self.sort_keys(&mut group.first, &outputs)?;
                    self.hold(row_bytes(&sort) + row_bytes(&outputs))?;
                    self.sorted.push((sort, outputs));
                }
            }
        }
        if self.plan.order_by.is_empty() {
            return Ok(());
        }
        self.sort_buffer();
        for (_, outputs) in std::mem::take(&mut self.sorted) {
            if self.pass(outputs, out)? == Flow::Stop {
                break;
            }
        }
        // What was held has been handed on (and is counted where it is kept next).
        self.cx.release(self.held);
        self.held = 0;
        Ok(())
    }
}

/// About how many bytes a row holds, for the memory budget.
pub(crate) fn row_bytes(row: &[QueryValue]) -> usize {
    std::mem::size_of::<Row>() + row.iter().map(QueryValue::estimated_bytes).sum::<usize>()
}

fn compare_keys(a: &[QueryValue], b: &[QueryValue], descending: &[bool]) -> Ordering {
    for ((x, y), desc) in a.iter().zip(b).zip(descending) {
        let o = order(x, y);
        if o != Ordering::Equal {
            return if *desc { o.reverse() } else { o };
        }
    }
    Ordering::Equal
}

/// The running state of one aggregate in one group.
struct AggState {
    function: AggFunction,
    distinct: Option<HashSet<Key>>,
    count: i64,
    int_sum: i64,
    float_sum: f64,
    floats: bool,
    best: Option<QueryValue>,
    items: Vec<QueryValue>,
}

impl AggState {
    fn new(aggregate: &Aggregate) -> AggState {
        AggState {
            function: aggregate.function,
            distinct: aggregate.distinct.then(HashSet::default),
            count: 0,
            int_sum: 0,
            float_sum: 0.0,
            floats: false,
            best: None,
            items: Vec::new(),
        }
    }

    fn add(
        &mut self,
        cx: &Context<'_>,
        aggregate: &Aggregate,
        value: Option<(QueryValue, &PExpr)>,
    ) -> Result<(), QueryError> {
        let Some((value, expr)) = value else {
            // count(*)
            self.count += 1;
            return Ok(());
        };
        if value.is_null() {
            return Ok(());
        }
        if let Some(seen) = &mut self.distinct {
            if !seen.insert(Key(value.clone())) {
                return Ok(());
            }
            cx.charge(value.estimated_bytes(), expr.span.start)?;
        }
        self.count += 1;
        match aggregate.function {
            AggFunction::Count => {}
            AggFunction::Sum | AggFunction::Avg => match value {
                QueryValue::Int(i) if !self.floats && aggregate.function == AggFunction::Sum => {
                    match self.int_sum.checked_add(i) {
                        Some(s) => self.int_sum = s,
                        None => {
                            self.floats = true;
                            self.float_sum = self.int_sum as f64 + i as f64;
                        }
                    }
                }
                QueryValue::Int(i) => {
                    self.float_sum += i as f64;
                    if aggregate.function == AggFunction::Avg {
                        self.floats = true;
                    }
                }
                QueryValue::Float(f) => {
                    if !self.floats {
                        self.floats = true;
                        self.float_sum = self.int_sum as f64;
                    }
                    self.float_sum += f;
                }
                other => {
                    return Err(cx.type_error(
                        &expr.span,
                        format!(
                            "{}() adds numbers, not {}",
                            aggregate.function.name(),
                            describe(cx.graph, &other)
                        ),
                    ));
                }
            },
            AggFunction::Min | AggFunction::Max => {
                let replace = match &self.best {
                    None => true,
                    Some(best) => {
                        let o = order(&value, best);
                        if aggregate.function == AggFunction::Min {
                            o == Ordering::Less
                        } else {
                            o == Ordering::Greater
                        }
                    }
                };
                if replace {
                    self.best = Some(value);
                }
            }
            AggFunction::Collect => {
                cx.charge(value.estimated_bytes(), expr.span.start)?;
                self.items.push(value);
            }
        }
        Ok(())
    }

    fn finish(self, _cx: &Context<'_>) -> Result<QueryValue, QueryError> {
        Ok(match self.function {
            AggFunction::Count => QueryValue::Int(self.count),
            AggFunction::Sum if self.floats => QueryValue::Float(self.float_sum),
            AggFunction::Sum => QueryValue::Int(self.int_sum),
            AggFunction::Avg if self.count == 0 => QueryValue::Null,
            AggFunction::Avg => QueryValue::Float(self.float_sum / self.count as f64),
            AggFunction::Min | AggFunction::Max => self.best.unwrap_or(QueryValue::Null),
            AggFunction::Collect => QueryValue::List(self.items),
        })
    }
}
