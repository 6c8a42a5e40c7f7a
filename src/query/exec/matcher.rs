//! The pattern matcher: where a pattern starts (listed, indexed or every node), whether a node
//! or relationship fits its step, and the depth-first walk over hops, with a per-clause set of
//! used relationships (Cypher's relationship uniqueness) and variable-length paths enumerated
//! without recursion. Breadth-first searches are in `search.rs`.

use super::*;
use crate::query::profile::PartKind;

/// Whether a search may take any relationship either way, and so walk the store's traversal
/// index, which lists each node's neighbours side by side.
pub(super) fn any_relationship(rel: &RelStep) -> bool {
    rel.arrow == Arrow::Both
        && rel.types.is_empty()
        && rel.props.is_empty()
        && rel.props_map.is_none()
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

pub(super) type Continuation<'k, 'c, 'g> =
    &'k mut dyn FnMut(&mut Matcher<'c, 'g>, &mut Row) -> Result<Flow, QueryError>;

/// A variable-length hop to walk: hop `h` of `pattern` from `start`, `min` to `max`
/// relationships long, with the row and route so far and what to call at each end.
pub(super) struct HopWalk<'w, 'c, 'g> {
    pub(super) pattern: &'w PatternPlan,
    pub(super) h: usize,
    pub(super) start: NodeId,
    pub(super) min: u64,
    pub(super) max: Option<u64>,
    pub(super) row: &'w mut Row,
    pub(super) nodes: &'w mut Vec<NodeId>,
    pub(super) rels: &'w mut Vec<EdgeId>,
    pub(super) k: Continuation<'w, 'c, 'g>,
}

pub(super) struct Matcher<'c, 'g> {
    pub(super) cx: &'c Context<'g>,
    pub(super) graph: &'g Graph,
    /// Relationships bound so far in this clause.
    pub(super) used: Vec<EdgeId>,
    pub(super) marks: Marks,
    /// Nodes already counted by a search that only counts (one bit each).
    pub(super) counted: Vec<u64>,
}

impl Drop for Matcher<'_, '_> {
    fn drop(&mut self) {
        std::mem::take(&mut self.marks).give_back();
    }
}

/// Where a search starts.
pub(super) enum Candidates<'g> {
    Listed(Vec<NodeId>),
    Indexed(&'g [NodeId]),
    All,
}

impl<'c, 'g> Matcher<'c, 'g> {
    pub(super) fn new(cx: &'c Context<'g>) -> Self {
        Matcher {
            cx,
            graph: cx.graph,
            used: Vec::new(),
            marks: Marks::take(),
            counted: Vec::new(),
        }
    }

    pub(super) fn match_from(
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

    pub(super) fn match_pattern(
        &mut self,
        pattern: &PatternPlan,
        row: &mut Row,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        let _entered = self.cx.enter(pattern, PartKind::Start);
        let candidates = self.candidates(&pattern.start, row)?;
        let mut visit = |m: &mut Self, node: NodeId, row: &mut Row| -> Result<Flow, QueryError> {
            m.cx.check_interrupt()?;
            if !m.node_fits(node, &pattern.start, row)? {
                return Ok(Flow::Continue);
            }
            m.cx.count(pattern, PartKind::Start);
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

    pub(super) fn candidates(
        &self,
        step: &NodeStep,
        row: &Row,
    ) -> Result<Candidates<'g>, QueryError> {
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
            // A plan made for a graph where the key is a scheme, run on one where it is not,
            // scans.
            Lookup::Identifier(scheme, e) if graph.is_identifier(scheme) => {
                match self.cx.eval(e, row, &[])? {
                    QueryValue::String(s) => Some(graph.nodes_by_identifier(scheme, &s)),
                    QueryValue::Null => Some(Vec::new()),
                    _ => None,
                }
            }
            Lookup::Identifier(..) => None,
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

    pub(super) fn node_fits(
        &self,
        node: NodeId,
        step: &NodeStep,
        row: &Row,
    ) -> Result<bool, QueryError> {
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
        self.props_fit(&step.props, step.props_map.as_ref(), row, |key| {
            self.graph.node_prop(node, key)
        })
    }

    pub(super) fn rel_fits(
        &self,
        edge: EdgeId,
        step: &RelStep,
        row: &Row,
    ) -> Result<bool, QueryError> {
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
        self.props_fit(&step.props, step.props_map.as_ref(), row, |key| {
            self.graph.edge_prop(edge, key)
        })
    }

    /// Whether the properties that `actual` reads have the values a step's `props` and
    /// `props_map` ask for.
    fn props_fit(
        &self,
        props: &[(String, PExpr)],
        props_map: Option<&PExpr>,
        row: &Row,
        actual: impl Fn(&str) -> Option<crate::model::Value>,
    ) -> Result<bool, QueryError> {
        for (key, expected) in props {
            let wanted = self.cx.eval(expected, row, &[])?;
            if !prop_matches(actual(key), &wanted) {
                return Ok(false);
            }
        }
        if let Some(map) = props_map {
            for (key, wanted) in self.props_map(map, row)? {
                if !prop_matches(actual(&key), &wanted) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    pub(super) fn props_map(
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
    pub(super) fn expand(
        &self,
        node: NodeId,
        arrow: Arrow,
    ) -> impl Iterator<Item = (EdgeId, NodeId)> + 'g {
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
    pub(super) fn hops(
        &mut self,
        pattern: &PatternPlan,
        h: usize,
        current: NodeId,
        row: &mut Row,
        nodes: &mut Vec<NodeId>,
        rels: &mut Vec<EdgeId>,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        if h > 0 {
            self.cx.count(&pattern.hops[h - 1], PartKind::Hop);
        }
        let Some(hop) = pattern.hops.get(h) else {
            if let Some(slot) = pattern.path_slot {
                row[slot] = QueryValue::Path(path(nodes, rels, pattern.reversed));
            }
            return k(self, row);
        };
        let _entered = self.cx.enter(hop, PartKind::Hop);
        if let Some((min, max)) = hop.rel.length {
            // `*` without a maximum goes as far as the run's hop limit.
            let max = Some(max.unwrap_or_else(|| self.cx.limits.max_var_length()));
            let walk = HopWalk {
                pattern,
                h,
                start: current,
                min,
                max,
                row,
                nodes,
                rels,
                k,
            };
            if hop.rel.reach_only {
                return self.reach_hops(walk);
            }
            return self.var_hops(walk);
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

    /// A variable-length hop as a depth-first walk that never reuses a relationship.
    pub(super) fn var_hops(&mut self, walk: HopWalk<'_, 'c, 'g>) -> Result<Flow, QueryError> {
        let HopWalk {
            pattern,
            h,
            start,
            min,
            max,
            row,
            nodes,
            rels,
            k,
        } = walk;
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
                    "a variable-length pattern stopped at {depth} hops, the default for * without a maximum; write *..N to go further, or raise the hop limit (max-var-length)"
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

    /// Goes on from `at` to the hop after `walk`'s.
    pub(super) fn walk_on(
        &mut self,
        walk: &mut HopWalk<'_, 'c, 'g>,
        at: NodeId,
    ) -> Result<Flow, QueryError> {
        let (pattern, h) = (walk.pattern, walk.h);
        self.hops(pattern, h + 1, at, walk.row, walk.nodes, walk.rels, walk.k)
    }

    /// Pops relationships (and their nodes) until `len` relationships remain.
    pub(super) fn unwind_to(
        &mut self,
        len: usize,
        nodes: &mut Vec<NodeId>,
        rels: &mut Vec<EdgeId>,
    ) {
        while rels.len() > len {
            rels.pop();
            nodes.pop();
            self.used.pop();
        }
    }
}

pub(super) fn bind_node(row: &mut Row, step: &NodeStep, node: NodeId) {
    if let Some(slot) = step.slot
        && !step.bound
    {
        row[slot] = QueryValue::Node(node);
    }
}

/// `{key: wanted}` in a pattern: equality in Cypher's sense, so null never matches.
pub(super) fn prop_matches(actual: Option<crate::model::Value>, wanted: &QueryValue) -> bool {
    match actual {
        None => false,
        Some(value) => equals(&QueryValue::from(value), wanted) == Some(true),
    }
}
