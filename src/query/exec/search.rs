//! Breadth-first searches of the matcher: variable-length hops whose paths do not matter
//! (each node reached once, or only counted), and `shortestPath` / `allShortestPaths`, from
//! both ends when both are known; over any relationship either way they walk the store's
//! traversal index and find the path's relationships at the end.

use super::*;
use crate::algo::search::{self, Meeting};

/// Sets `node`'s bit; whether it was clear.
pub(super) fn mark_new(bits: &mut [u64], node: NodeId) -> bool {
    let (word, bit) = (node.index() / 64, 1u64 << (node.index() % 64));
    let new = bits[word] & bit == 0;
    bits[word] |= bit;
    new
}

pub(super) fn is_marked(bits: &[u64], node: NodeId) -> bool {
    bits[node.index() / 64] & (1u64 << (node.index() % 64)) != 0
}

impl<'c, 'g> Matcher<'c, 'g> {
    /// Breadth first from `start` along `rel`, up to `max` relationships away: calls `visit` once
    /// for each node reached, the start aside.
    pub(super) fn reach(
        &mut self,
        start: NodeId,
        rel: &RelStep,
        max: Option<u64>,
        row: &Row,
        visit: impl FnMut(NodeId),
    ) -> Result<(), QueryError> {
        self.with_marks(|matcher, marks| {
            let adjacency = any_relationship(rel).then(|| matcher.graph.adjacency());
            search::reach(
                marks,
                matcher.graph.node_index_bound(),
                start,
                max.unwrap_or(u64::MAX),
                || matcher.cx.check_interrupt(),
                |node, reach| {
                    if let Some(adjacency) = adjacency {
                        for &other in adjacency.neighbors(node) {
                            reach.add(other);
                        }
                    } else {
                        for (edge, other) in matcher.expand(node, rel.arrow) {
                            if reach.is_new(other) && matcher.rel_fits(edge, rel, row)? {
                                reach.add(other);
                            }
                        }
                    }
                    Ok(())
                },
                visit,
            )
        })
    }

    /// Runs `search` with the matcher's marks lent out, so that it can read the matcher too.
    pub(super) fn with_marks<T>(&mut self, search: impl FnOnce(&Self, &mut Marks) -> T) -> T {
        let mut marks = std::mem::take(&mut self.marks);
        let found = search(self, &mut marks);
        self.marks = marks;
        found
    }

    /// A variable-length hop whose paths do not matter: every node within `max` hops that
    /// fits the end step, each once, breadth first (see `plan/reach.rs` for when).
    pub(super) fn reach_hops(&mut self, mut walk: HopWalk<'_, 'c, 'g>) -> Result<Flow, QueryError> {
        let (start, max) = (walk.start, walk.max);
        let hop = &walk.pattern.hops[walk.h];
        let mut reached = Vec::new();
        if walk.min == 0 {
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
                let searched = self.reach(start, &hop.rel, max, walk.row, &mut count);
                self.counted = counted;
                searched?;
            } else {
                self.reach(start, &hop.rel, max, walk.row, |n| reached.push(n))?;
                for &node in &reached {
                    if !is_marked(&self.counted, node)
                        && self.node_fits(node, &hop.node, walk.row)?
                    {
                        mark_new(&mut self.counted, node);
                        fresh += 1;
                    }
                }
            }
            walk.row[slot] = QueryValue::Int(fresh);
            return self.walk_on(&mut walk, start);
        }
        self.reach(start, &hop.rel, max, walk.row, |n| reached.push(n))?;
        for node in reached {
            if !self.node_fits(node, &hop.node, walk.row)? {
                continue;
            }
            bind_node(walk.row, &hop.node, node);
            walk.nodes.push(node);
            let flow = self.walk_on(&mut walk, node);
            walk.nodes.pop();
            if flow? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// shortestPath / allShortestPaths: breadth-first from `source`, level by level.
    pub(super) fn shortest(
        &mut self,
        pattern: &PatternPlan,
        source: NodeId,
        row: &mut Row,
        k: Continuation<'_, 'c, 'g>,
    ) -> Result<Flow, QueryError> {
        let hop = &pattern.hops[0];
        let _entered = self.cx.enter(hop, crate::query::profile::PartKind::Hop);
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
            let found = self.with_marks(|matcher, marks| {
                matcher.bidirectional(marks, source, target, &hop.rel, max, row)
            })?;
            return match found {
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
        let found = search::meet(
            marks,
            self.graph.node_index_bound(),
            (source, target),
            max,
            |node, meet| {
                self.cx.check_interrupt()?;
                if let Some(adjacency) = adjacency {
                    for &neighbour in adjacency.neighbors(node) {
                        if meet.add(neighbour) {
                            break;
                        }
                    }
                } else {
                    let arrow = if meet.forward() {
                        rel.arrow
                    } else {
                        backward_arrow
                    };
                    for (edge, neighbour) in self.expand(node, arrow) {
                        if self.rel_fits(edge, rel, row)? && meet.add(neighbour) {
                            break;
                        }
                    }
                }
                Ok(())
            },
        )?;
        let Some(Meeting {
            nodes,
            at: meeting_at,
            from_source: found_from_source,
        }) = found
        else {
            return Ok(None);
        };
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
    pub(super) fn edge_between(
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
    pub(super) fn emit_paths(
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

    pub(super) fn emit_path(
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
        self.cx.count(hop, crate::query::profile::PartKind::Hop);
        k(self, row)
    }
}
