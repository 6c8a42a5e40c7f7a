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

use crate::store::{Graph, NodeId};

/// Per-node marks for breadth-first searches over nodes numbered below a bound, and the
/// frontiers' buffers, kept with them so that a search allocates nothing once they have grown.
#[derive(Default)]
pub struct Marks {
    /// The last search's number: it marks the nodes it reached with this number, and in a
    /// search from both ends the target's side marks its own with the next one.
    search: u32,
    /// The number of the last search that reached each node (and which side).
    seen: Vec<u32>,
    /// In a search from both ends: the node each was reached from.
    parent: Vec<NodeId>,
    frontiers: [Vec<NodeId>; 3],
}

thread_local! {
    static POOL: RefCell<Vec<Marks>> = const { RefCell::new(Vec::new()) };
}

impl Marks {
    /// Marks kept per thread: nested searches (pattern predicates) each hold their own.
    const POOLED: usize = 4;

    /// Marks sized for nodes numbered below `bound`, not taken from the pool.
    pub fn new(bound: usize) -> Marks {
        Marks {
            seen: vec![0; bound],
            ..Marks::default()
        }
    }

    /// Marks sized for any search over `graph` as it is, not taken from the pool: searching
    /// with them fills no array, not even the first time.
    pub fn for_graph(graph: &Graph) -> Marks {
        let bound = graph.node_index_bound();
        let mut marks = Marks::new(bound);
        if let Some(any) = graph.nodes().next() {
            marks.parent = vec![any; bound];
        }
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

    /// Starts a search over nodes numbered below `bound`; returns the search's number, `n`:
    /// neither `n` nor `n + 1` marks any node yet.
    fn start(&mut self, bound: usize) -> u32 {
        if self.seen.len() < bound {
            self.seen.resize(bound, 0);
        }
        match self.search.checked_add(2) {
            Some(next) if next < u32::MAX => self.search = next,
            _ => {
                self.seen.fill(0);
                self.search = 2;
            }
        }
        self.search
    }

    /// As `start`, for a search from both ends (`filler` is any node: parents are only read
    /// where this search has written them).
    fn start_both_ways(&mut self, bound: usize, filler: NodeId) -> u32 {
        if self.parent.len() < bound {
            self.parent.resize(bound, filler);
        }
        self.start(bound)
    }

    /// The frontiers' buffers, emptied, lent out for one search (`put_back` returns them).
    fn lend_frontiers(&mut self) -> [Vec<NodeId>; 3] {
        let mut frontiers = std::mem::take(&mut self.frontiers);
        frontiers.iter_mut().for_each(Vec::clear);
        frontiers
    }

    fn put_back(&mut self, frontiers: [Vec<NodeId>; 3]) {
        self.frontiers = frontiers;
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
    #[inline]
    pub fn is_new(&self, node: NodeId) -> bool {
        self.seen[node.index()] != self.search
    }

    /// Reaches `node` from the node being widened; a node reached before is ignored.
    #[inline]
    pub fn add(&mut self, node: NodeId) {
        let mark = &mut self.seen[node.index()];
        if *mark != self.search {
            *mark = self.search;
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
    let [mut frontier, mut next, spare] = marks.lend_frontiers();
    frontier.push(start);
    let mut searched = Ok(());
    for depth in 1..=levels {
        if frontier.is_empty() {
            break;
        }
        if let Err(e) = level() {
            searched = Err(e);
            break;
        }
        let mut reach = Reach {
            seen: &mut marks.seen,
            search,
            next: &mut next,
            last: depth == levels,
            visit: &mut visit,
        };
        if let Err(e) = frontier
            .iter()
            .try_for_each(|&node| expand(node, &mut reach))
        {
            searched = Err(e);
            break;
        }
        std::mem::swap(&mut frontier, &mut next);
        next.clear();
    }
    marks.put_back([frontier, next, spare]);
    searched
}

/// What `meet` lends its caller while one node is widened.
pub struct Meet<'s> {
    seen: &'s mut [u32],
    parent: &'s mut [NodeId],
    /// The mark of the side being widened, and the other side's.
    own: u32,
    other: u32,
    node: NodeId,
    next: &'s mut Vec<NodeId>,
    meeting: &'s mut Option<(NodeId, NodeId)>,
}

impl Meet<'_> {
    /// Whether the node being widened is on the source's side (follow relationships forward)
    /// or the target's (follow them backward).
    #[inline]
    pub fn forward(&self) -> bool {
        self.own < self.other
    }

    /// Reaches `neighbour` from the node being widened; true when the two sides have met,
    /// after which the caller offers no more.
    #[inline]
    pub fn add(&mut self, neighbour: NodeId) -> bool {
        if self.meeting.is_some() {
            return true;
        }
        let i = neighbour.index();
        let mark = self.seen[i];
        if mark == self.own {
            return false;
        }
        if mark == self.other {
            *self.meeting = Some((self.node, neighbour));
            return true;
        }
        self.seen[i] = self.own;
        self.parent[i] = self.node;
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
    // The source's side marks its nodes with `search`, the target's with `search + 1`.
    let search = marks.start_both_ways(bound, source);
    marks.seen[source.index()] = search;
    marks.seen[target.index()] = search + 1;
    let [mut forward_frontier, mut backward_frontier, mut next] = marks.lend_frontiers();
    forward_frontier.push(source);
    backward_frontier.push(target);
    let mut length = 0u64;
    // The meeting: the node widened and its neighbour on the other side; which side made it
    // is `from_source`.
    let mut meeting: Option<(NodeId, NodeId)> = None;
    let mut from_source = true;
    let mut searched = Ok(());
    while meeting.is_none()
        && !forward_frontier.is_empty()
        && !backward_frontier.is_empty()
        && max.is_none_or(|m| length < m)
    {
        length += 1;
        from_source = forward_frontier.len() <= backward_frontier.len();
        let (frontier, own) = if from_source {
            (&mut forward_frontier, search)
        } else {
            (&mut backward_frontier, search + 1)
        };
        next.clear();
        for &node in frontier.iter() {
            let mut meet = Meet {
                seen: &mut marks.seen,
                parent: &mut marks.parent,
                own,
                other: own ^ 1,
                node,
                next: &mut next,
                meeting: &mut meeting,
            };
            if let Err(e) = expand(node, &mut meet) {
                searched = Err(e);
                break;
            }
            if meeting.is_some() {
                break;
            }
        }
        if searched.is_err() {
            break;
        }
        std::mem::swap(frontier, &mut next);
    }
    marks.put_back([forward_frontier, backward_frontier, next]);
    searched?;
    let Some((widened, reached)) = meeting else {
        return Ok(None);
    };
    let (near, far) = if from_source {
        (widened, reached)
    } else {
        (reached, widened)
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
