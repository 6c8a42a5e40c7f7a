//! Breadth-first search, written once for every caller: the query matcher (variable-length
//! hops searched each node once, `shortestPath`), K shortest paths (`paths.rs`) and the
//! benchmark (`crate::bench`).
//!
//! Searches mark nodes in arrays indexed by node number, and each search takes a new number,
//! so starting one clears nothing; `Marks::take` and `Marks::give_back` keep a few of them in a
//! per-thread pool across searches and queries, since allocating and zeroing megabytes for
//! every query would cost more than the search itself.
//! The caller says how a node's neighbours are found (an index, a relationship filter, nodes
//! to avoid) and may fail or stop from there; the search only walks and marks.

use std::cell::RefCell;

use crate::store::NodeId;

/// Per-node marks for breadth-first searches over nodes numbered below a bound.
#[derive(Default)]
pub struct Marks {
    search: u32,
    /// The number of the last search that reached each node.
    seen: Vec<u32>,
    /// In a search from both ends: whether the source's side reached the node.
    from_source: Vec<bool>,
    /// In a search from both ends: the node each was reached from.
    parent: Vec<NodeId>,
}

thread_local! {
    static POOL: RefCell<Vec<Marks>> = const { RefCell::new(Vec::new()) };
}

impl Marks {
    /// Marks kept per thread: nested searches (pattern predicates) each hold their own.
    const POOLED: usize = 4;

    /// Marks sized for nodes numbered below `bound`, not taken from the pool.
    pub fn new(bound: usize) -> Marks {
        let mut marks = Marks::default();
        marks.start(bound);
        marks
    }

    /// Marks from this thread's pool, or new ones when it is empty.
    pub fn take() -> Marks {
        POOL.with(|pool| pool.borrow_mut().pop())
            .unwrap_or_default()
    }

    /// Returns marks to this thread's pool for the next search.
    pub fn give_back(self) {
        POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            if pool.len() < Self::POOLED && !self.seen.is_empty() {
                pool.push(self);
            }
        });
    }

    /// Runs `search` with marks from the pool, and gives them back.
    pub fn with_pooled<T>(search: impl FnOnce(&mut Marks) -> T) -> T {
        let mut marks = Marks::take();
        let found = search(&mut marks);
        marks.give_back();
        found
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

/// What `reach` lends its caller while one node is widened.
pub struct Reach<'s, V: FnMut(NodeId)> {
    seen: &'s mut [u32],
    search: u32,
    next: &'s mut Vec<NodeId>,
    /// Nodes found on the last level are not searched from.
    last: bool,
    visit: &'s mut V,
}

impl<V: FnMut(NodeId)> Reach<'_, V> {
    /// Whether this search has not reached `node` yet (to skip costly checks).
    pub fn is_new(&self, node: NodeId) -> bool {
        self.seen[node.index()] != self.search
    }

    /// Reaches `node` from the node being widened; a node reached before is ignored.
    pub fn add(&mut self, node: NodeId) {
        if self.seen[node.index()] != self.search {
            self.seen[node.index()] = self.search;
            (self.visit)(node);
            if !self.last {
                self.next.push(node);
            }
        }
    }
}

/// Breadth first from `start`, at most `levels` levels deep, over nodes numbered below
/// `bound`: `level` runs before each level, `expand(node, reach)` offers `node`'s neighbours
/// to `reach.add`, and `visit` sees each node reached once, the start aside.
///
/// # Errors
/// The first error of `level` or `expand`, which ends the search.
pub fn reach<E, V: FnMut(NodeId)>(
    marks: &mut Marks,
    bound: usize,
    start: NodeId,
    levels: u64,
    mut level: impl FnMut() -> Result<(), E>,
    mut expand: impl FnMut(NodeId, &mut Reach<'_, V>) -> Result<(), E>,
    mut visit: V,
) -> Result<(), E> {
    let search = marks.start(bound);
    marks.seen[start.index()] = search;
    let mut frontier = vec![start];
    let mut next = Vec::new();
    for depth in 1..=levels {
        if frontier.is_empty() {
            break;
        }
        level()?;
        let mut reach = Reach {
            seen: &mut marks.seen,
            search,
            next: &mut next,
            last: depth == levels,
            visit: &mut visit,
        };
        for &node in &frontier {
            expand(node, &mut reach)?;
        }
        std::mem::swap(&mut frontier, &mut next);
        next.clear();
    }
    Ok(())
}

/// What `meet` lends its caller while one node is widened.
pub struct Meet<'s> {
    marks: &'s mut Marks,
    search: u32,
    node: NodeId,
    from_source: bool,
    next: &'s mut Vec<NodeId>,
    meeting: &'s mut Option<(NodeId, NodeId, bool)>,
}

impl Meet<'_> {
    /// Whether the node being widened is on the source's side (follow relationships forward)
    /// or the target's (follow them backward).
    pub fn forward(&self) -> bool {
        self.from_source
    }

    /// Reaches `neighbour` from the node being widened; true when the two sides have met,
    /// after which the caller offers no more.
    pub fn add(&mut self, neighbour: NodeId) -> bool {
        if self.meeting.is_some() {
            return true;
        }
        let (node, from_source, i) = (self.node, self.from_source, neighbour.index());
        let marks = &mut *self.marks;
        if marks.seen[i] == self.search {
            if marks.from_source[i] != from_source {
                *self.meeting = Some(if from_source {
                    (node, neighbour, true)
                } else {
                    (neighbour, node, false)
                });
                return true;
            }
            return false;
        }
        marks.seen[i] = self.search;
        marks.from_source[i] = from_source;
        marks.parent[i] = node;
        self.next.push(neighbour);
        false
    }
}

/// A shortest path found from both ends.
#[derive(Debug)]
pub struct Meeting {
    /// The path's nodes, from the source to the target.
    pub nodes: Vec<NodeId>,
    /// Where the sides met: `nodes[at]` was reached from the source's side, `nodes[at + 1]`
    /// from the target's.
    pub at: usize,
    /// Whether the source's side made the meeting (went along the step from `nodes[at]` to
    /// `nodes[at + 1]`), rather than the target's (from `nodes[at + 1]` back to `nodes[at]`).
    pub from_source: bool,
}

/// One shortest path from `source` to `target`, searching from both ends at once and always
/// widening the smaller frontier, at most `max` steps long: it visits a few thousand nodes
/// where a one-sided search would visit the whole graph. `expand(node, meet)` offers `node`'s
/// neighbours to `meet.add`, forward or backward as `meet.forward()` says, in the order the
/// caller wants ties broken: the first meeting found is the answer.
///
/// # Errors
/// The first error of `expand`, which ends the search.
pub fn meet<E>(
    marks: &mut Marks,
    bound: usize,
    (source, target): (NodeId, NodeId),
    max: Option<u64>,
    mut expand: impl FnMut(NodeId, &mut Meet<'_>) -> Result<(), E>,
) -> Result<Option<Meeting>, E> {
    if source == target {
        return Ok(Some(Meeting {
            nodes: vec![source],
            at: 0,
            from_source: true,
        }));
    }
    let search = marks.start_both_ways(bound, source);
    for (end, from_source) in [(source, true), (target, false)] {
        marks.seen[end.index()] = search;
        marks.from_source[end.index()] = from_source;
    }
    let mut forward_frontier = vec![source];
    let mut backward_frontier = vec![target];
    let mut next = Vec::new();
    let mut length = 0u64;
    // The meeting: the node on the source's side, the node on the target's, and whether the
    // source's side found it.
    let mut meeting: Option<(NodeId, NodeId, bool)> = None;
    while meeting.is_none()
        && !forward_frontier.is_empty()
        && !backward_frontier.is_empty()
        && max.is_none_or(|m| length < m)
    {
        length += 1;
        let from_source = forward_frontier.len() <= backward_frontier.len();
        let frontier = if from_source {
            &mut forward_frontier
        } else {
            &mut backward_frontier
        };
        next.clear();
        for &node in frontier.iter() {
            let mut meet = Meet {
                marks: &mut *marks,
                search,
                node,
                from_source,
                next: &mut next,
                meeting: &mut meeting,
            };
            expand(node, &mut meet)?;
            if meeting.is_some() {
                break;
            }
        }
        std::mem::swap(frontier, &mut next);
    }
    let Some((near, far, from_source)) = meeting else {
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
    Ok(Some(Meeting {
        nodes,
        at: meeting_at,
        from_source,
    }))
}
