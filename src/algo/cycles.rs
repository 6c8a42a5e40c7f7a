//! Circular deals: cycles of money flow. Money goes from investor to investee along
//! `INVESTS_IN`, and from customer to supplier along `SUPPLIES` (whose relationship points from
//! the supplier to the customer). Nvidia investing in OpenAI while OpenAI buys Nvidia systems is
//! a loop of two legs.
//!
//! **Invariant:** each loop is reported once, starting at its smallest node, with its legs in
//! money order; parallel relationships make distinct loops. The search is bounded by the loop
//! length and by a count of loops, and says when the count cut it. It goes length by length,
//! so a cut list holds the shortest loops, and says up to which length it is whole.

use crate::model::vocabulary::MoneyFlow;
use crate::store::{Direction, EdgeId, Graph, NodeId};

/// One loop: `legs[i]` carries money from `nodes[i]` to `nodes[i + 1]` (the last back to
/// `nodes[0]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoneyLoop {
    pub nodes: Vec<NodeId>,
    pub legs: Vec<EdgeId>,
}

/// The loops found, shortest first, and whether `max_loops` or an interruption stopped the
/// search.
#[derive(Clone, Debug, Default)]
pub struct Loops {
    pub loops: Vec<MoneyLoop>,
    /// `max_loops` stopped the search: `loops` holds the shortest loops, every loop of at most
    /// `complete_up_to` legs and some of one leg more.
    pub cut: bool,
    /// Every loop of at most this many legs is in `loops`.
    pub complete_up_to: usize,
    /// The search was interrupted: `loops` are real loops but not all of them.
    pub interrupted: bool,
}

impl Loops {
    /// When the list was cut at `max_loops`, what it holds, for a note beside it.
    pub fn cut_note(&self) -> Option<String> {
        self.cut.then(|| {
            let whole = match self.complete_up_to {
                0 => "no length of loop is listed whole".to_owned(),
                1 => "every loop of 1 leg is listed".to_owned(),
                n => format!("every loop of at most {n} legs is listed"),
            };
            format!(
                "the list was cut to the first {} loops, shortest first: {whole}, and some of {} legs",
                self.loops.len(),
                self.complete_up_to + 1
            )
        })
    }
}

/// How many search steps go between two looks at the interrupt flag.
const STEPS_PER_CHECK: u32 = 1024;

/// A graph with the relationship types money flows along, each way, read from its vocabulary
/// once for the whole search rather than at every step.
struct MoneyGraph<'g> {
    graph: &'g Graph,
    forward: Vec<String>,
    backward: Vec<String>,
}

impl<'g> MoneyGraph<'g> {
    fn new(graph: &'g Graph) -> Self {
        let flows = graph.vocabulary().money_flows();
        let of = |way: MoneyFlow| {
            flows
                .iter()
                .filter(|(_, w)| *w == way)
                .map(|(t, _)| t.clone())
                .collect()
        };
        MoneyGraph {
            graph,
            forward: of(MoneyFlow::Forward),
            backward: of(MoneyFlow::Backward),
        }
    }

    /// Where money goes from `node`: (relationship, receiving node), in relationship-id order.
    fn money_out(&self, node: NodeId) -> Vec<(EdgeId, NodeId)> {
        let graph = self.graph;
        let along =
            |edge: EdgeId, types: &[String]| types.iter().any(|t| t == graph.edge_type(edge));
        let mut out: Vec<(EdgeId, NodeId)> = graph
            .edges_of(node, Direction::Outgoing)
            .filter(|(e, _)| along(*e, &self.forward))
            .chain(
                graph
                    .edges_of(node, Direction::Incoming)
                    .filter(|(e, _)| along(*e, &self.backward)),
            )
            .collect();
        out.sort_unstable();
        out
    }
}

/// Every money loop of at most `max_len` legs, up to `max_loops` of them, shortest first.
///
/// Loops are searched length by length, so a list cut at `max_loops` holds the shortest
/// loops: all of those up to `complete_up_to` legs, and some of one leg more.
pub fn money_loops(
    graph: &Graph,
    max_len: usize,
    max_loops: usize,
    interrupted: &dyn Fn() -> bool,
) -> Loops {
    let mut found = Loops::default();
    let money = MoneyGraph::new(graph);
    let mut starts: Vec<NodeId> = graph.nodes().collect();
    starts.sort_unstable();
    let mut steps = 0u32;
    for len in 1..=max_len {
        let before = found.loops.len();
        for &start in &starts {
            if interrupted() {
                found.interrupted = true;
            } else {
                loops_from(
                    &money,
                    start,
                    len,
                    max_loops,
                    &mut found,
                    &mut steps,
                    interrupted,
                );
            }
            if found.cut || found.interrupted {
                break;
            }
        }
        found.loops[before..].sort_by(|a, b| a.legs.cmp(&b.legs));
        if found.cut || found.interrupted {
            break;
        }
        found.complete_up_to = len;
    }
    found
}

/// The loops of exactly `len` legs whose smallest node is `start`, added to `found` until it
/// holds `max_loops`.
fn loops_from(
    money: &MoneyGraph,
    start: NodeId,
    len: usize,
    max_loops: usize,
    found: &mut Loops,
    steps: &mut u32,
    interrupted: &dyn Fn() -> bool,
) {
    // Depth-first from `start`, through nodes greater than it only, so each loop is found
    // once, from its smallest node.
    let mut nodes = vec![start];
    let mut legs: Vec<EdgeId> = Vec::new();
    let mut first = money.money_out(start);
    first.reverse();
    let mut stack: Vec<Vec<(EdgeId, NodeId)>> = vec![first];
    while let Some(options) = stack.last_mut() {
        // One start can have more paths to walk than a whole graph has nodes.
        *steps += 1;
        if *steps == STEPS_PER_CHECK {
            *steps = 0;
            if interrupted() {
                found.interrupted = true;
                return;
            }
        }
        let Some((edge, next)) = options.pop() else {
            stack.pop();
            nodes.pop();
            legs.pop();
            continue;
        };
        if next == start {
            if legs.len() + 1 == len {
                let mut loop_legs = legs.clone();
                loop_legs.push(edge);
                found.loops.push(MoneyLoop {
                    nodes: nodes.clone(),
                    legs: loop_legs,
                });
                if found.loops.len() >= max_loops {
                    found.cut = true;
                    return;
                }
            }
            continue;
        }
        if next < start || nodes.contains(&next) || legs.len() + 1 >= len {
            continue;
        }
        nodes.push(next);
        legs.push(edge);
        let mut more = money.money_out(next);
        more.reverse();
        stack.push(more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;

    /// A graph of `count` companies, `n0`, `n1`…, and their node ids in that order.
    fn companies(count: usize) -> (Graph, Vec<NodeId>) {
        let mut g = Graph::new(Schema::Alliance);
        let n = (0..count)
            .map(|i| {
                g.add_node(
                    ["Company"],
                    [("id", crate::model::Value::from(format!("n{i}")))],
                )
            })
            .collect();
        (g, n)
    }

    #[test]
    fn finds_investment_and_purchase_loops_once() {
        let (mut g, n) = companies(4);
        g.add_edge(n[0], n[1], "INVESTS_IN", []); // money 0 → 1
        g.add_edge(n[0], n[1], "SUPPLIES", []); // 0 sells to 1: money 1 → 0
        g.add_edge(n[1], n[2], "INVESTS_IN", []); // 1 → 2
        g.add_edge(n[2], n[0], "INVESTS_IN", []); // 2 → 0
        g.add_edge(n[3], n[0], "MEMBER_OF", []); // not money
        let loops = money_loops(&g, 4, 100, &|| false);
        let lengths: Vec<usize> = loops.loops.iter().map(|l| l.legs.len()).collect();
        assert_eq!(lengths, vec![2, 3]);
        assert!(!loops.cut);
        assert_eq!(
            money_loops(&g, 2, 100, &|| false).loops.len(),
            1,
            "bounded by length"
        );
        assert!(money_loops(&g, 4, 1, &|| false).cut, "bounded by count");
        let stopped = money_loops(&g, 4, 100, &|| true);
        assert!(stopped.interrupted && stopped.loops.is_empty());
    }

    #[test]
    fn a_cut_list_keeps_the_shortest_loops_and_says_how_far_it_is_whole() {
        let (mut g, n) = companies(7);
        // Three loops of three legs through the first node, found first by a search from it.
        for middle in [1, 2, 3] {
            g.add_edge(n[0], n[middle], "INVESTS_IN", []);
            g.add_edge(n[middle], n[4], "INVESTS_IN", []);
        }
        g.add_edge(n[4], n[0], "INVESTS_IN", []);
        // One loop of two legs between the last two.
        g.add_edge(n[5], n[6], "INVESTS_IN", []);
        g.add_edge(n[6], n[5], "INVESTS_IN", []);
        let all = money_loops(&g, 4, 100, &|| false);
        let lengths: Vec<usize> = all.loops.iter().map(|l| l.legs.len()).collect();
        assert_eq!(lengths, vec![2, 3, 3, 3]);
        assert!(!all.cut);
        assert_eq!(all.cut_note(), None);

        let cut = money_loops(&g, 4, 2, &|| false);
        let lengths: Vec<usize> = cut.loops.iter().map(|l| l.legs.len()).collect();
        assert_eq!(lengths, vec![2, 3], "the shortest loops, shortest first");
        assert_eq!(cut.loops[0].nodes, vec![n[5], n[6]]);
        assert!(cut.cut);
        assert_eq!(cut.complete_up_to, 2);
        let note = cut.cut_note().expect("a cut list says so");
        assert!(note.contains("first 2 loops"), "{note}");
        assert!(note.contains("every loop of at most 2 legs"), "{note}");
    }
}
