//! Look-through ownership: who ultimately holds a firm, and what a holder ultimately holds.
//!
//! A tie counts when its type's vocabulary entry says so, not by its name, so a type a data file
//! adds with `ownership = true` or `control = true` counts as the built-in ones do:
//! - an **ownership** tie with a stake is a share step. Its share is an interval: `stake_pct`
//!   is exact (`[x, x]`); otherwise `stake_min` and `stake_max` bound it, and a missing bound is
//!   the widest it can be (`stake_min` alone is `[min, 100]`, `stake_max` alone `[0, max]`).
//!   A chain's share multiplies the intervals of its steps (`[a·c, b·d]`, as every bound is
//!   at least 0); an entity's total adds its chains' intervals, with the upper bound cut at
//!   100% (no one holds more than the whole) unless the lower bound already passes it, which
//!   no consistent data gives: `Entry::over_whole` says so, and the reports warn.
//! - a **control** tie that is not a share step (a `controls` tie, an `acquires` without a
//!   stake) is a control step. A chain with a control step is a control chain: it carries no
//!   share and is reported as control, apart from the shares.
//! - an ownership tie without a stake and without `control` carries nothing: it is left out
//!   and counted.
//!
//! **Indirect statements.** A stake with `holding = "indirect"` is a declared look-through
//! result (a filing's "holds 12% indirectly"). When a chain of direct share steps already leads
//! from its holder to its held entity on the day, the statement repeats what the chain carries:
//! it is not followed (adding it would count the same stake twice) and is listed in
//! `Ownership::declared` with that chain. When no such chain exists, it is the only account of
//! the stake, and it is a share step like any other. A direct tie whose stake is unknown does
//! not count as such a chain, since it adds nothing to the total.
//!
//! **Invariant:** chains are simple (no entity twice) and at most `MAX_DEPTH` long, so circular
//! holdings cannot loop forever. Ties that do not hold on the day asked about (ended, cancelled
//! or not yet begun, by `model::standing`) are left out and counted: an ended stake is not an
//! owner.

use std::collections::{BTreeMap, HashMap, VecDeque};

use crate::model::{Date, Standing};
use crate::store::{Direction, EdgeId, Graph, NodeId};

/// The longest chain followed.
pub const MAX_DEPTH: usize = 10;
/// The most chains followed before the search stops and says so.
pub const MAX_CHAINS: usize = 100_000;

/// A share as an interval, in percent (9.9 for 9.9%); `min == max` when it is exact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share {
    pub min: f64,
    pub max: f64,
}

impl Share {
    /// An exact share, in percent.
    pub fn exact(pct: f64) -> Share {
        Share { min: pct, max: pct }
    }

    /// Known to one value.
    pub fn is_exact(&self) -> bool {
        self.min == self.max
    }

    /// Both bounds multiplied: a share of a share.
    fn times(self, other: Share) -> Share {
        Share {
            min: self.min * other.min / 100.0,
            max: self.max * other.max / 100.0,
        }
    }

    /// Both bounds added: two chains to the same entity.
    fn plus(self, other: Share) -> Share {
        Share {
            min: self.min + other.min,
            max: self.max + other.max,
        }
    }

    /// The share a tie states, in percent on the tie: `stake_pct`, else `stake_min` and
    /// `stake_max`, a missing bound being 0 or 100; none when the tie states no stake.
    pub fn of_tie(graph: &Graph, edge: EdgeId) -> Option<Share> {
        if let Some(pct) = graph.edge_f64(edge, "stake_pct") {
            return Some(Share::exact(pct));
        }
        let (min, max) = (
            graph.edge_f64(edge, "stake_min"),
            graph.edge_f64(edge, "stake_max"),
        );
        if min.is_none() && max.is_none() {
            return None;
        }
        Some(Share {
            min: min.unwrap_or(0.0),
            max: max.unwrap_or(100.0),
        })
    }
}

/// A percent with at most three decimals: `9.9`, `30`, `0.125`.
fn percent(pct: f64) -> String {
    let text = format!("{pct:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// `9.9%` when exact, `25–50%` for a range.
impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (min, max) = (percent(self.min), percent(self.max));
        if min == max {
            write!(f, "{min}%")
        } else {
            write!(f, "{min}\u{2013}{max}%")
        }
    }
}

/// Whether a share, in percent, is above the whole (with room for rounding).
fn above_whole(pct: f64) -> bool {
    pct > 100.0 + 1e-7
}

/// What one tie of a chain carries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// A stake; `indirect` when the tie declares an indirect holding that no direct chain
    /// repeats.
    Stake { share: Share, indirect: bool },
    /// Control without a share.
    Control,
}

/// One chain: ties from the subject outwards (towards the holders when looking upwards).
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub nodes: Vec<NodeId>,
    pub edges: Vec<EdgeId>,
    /// What each tie carries, beside `edges`.
    pub steps: Vec<Step>,
    /// The product of the stakes; none for a control chain.
    pub share: Option<Share>,
}

/// Another entity linked to the subject, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub node: NodeId,
    /// The total through share chains; none when only control links them.
    pub share: Option<Share>,
    /// The share chains.
    pub chains: Vec<Chain>,
    /// The chains with a control step.
    pub control: Vec<Chain>,
}

impl Entry {
    /// The total's lower bound passes 100%: the recorded stakes contradict each other.
    pub fn over_whole(&self) -> bool {
        self.share.is_some_and(|s| above_whole(s.min))
    }
}

/// An indirect statement not followed, because direct ties already reach its holder.
#[derive(Clone, Debug, PartialEq)]
pub struct Declared {
    /// The indirect tie.
    pub edge: EdgeId,
    /// The share it states.
    pub share: Share,
    /// A chain of direct share ties from its holder to its held entity.
    pub through: Vec<NodeId>,
}

/// Everyone linked to the subject through stakes or control.
#[derive(Clone, Debug, Default)]
pub struct Ownership {
    /// Entities with a share, largest lower bound first (then largest upper bound), then those
    /// linked only by control, shortest chain first; then in node order.
    pub entries: Vec<Entry>,
    /// Indirect statements left out as already counted, in tie order.
    pub declared: Vec<Declared>,
    /// Ownership ties met without a stake or control, which no share can pass through.
    pub unknown_stakes: usize,
    /// Ties met that had ended or were cancelled on the day, left out.
    pub ended: usize,
    /// Ties met that had not begun on the day, left out.
    pub later: usize,
    /// The search stopped at `MAX_CHAINS`.
    pub cut: bool,
}

impl Ownership {
    /// The entries whose total passes 100%.
    pub fn over_whole(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.over_whole())
    }
}

/// What a tie of this type can carry, from the vocabulary: (ownership, control).
fn flags(graph: &Graph, edge: EdgeId) -> (bool, bool) {
    graph
        .vocabulary()
        .relationship(graph.edge_type(edge))
        .map_or((false, false), |r| (r.ownership, r.control))
}

/// The tie holds on the day (or may: a partial date).
fn holds(graph: &Graph, edge: EdgeId, on: Date) -> bool {
    matches!(
        graph.edge_standing(edge, on),
        Standing::Holds | Standing::MayHold
    )
}

/// The tie declares an indirect holding.
fn is_indirect(graph: &Graph, edge: EdgeId) -> bool {
    graph.edge_str(edge, "holding") == Some("indirect")
}

/// A shortest chain of direct share ties holding on `on` from `holder` to `held`, at most
/// `MAX_DEPTH` long: its nodes from `holder` to `held`.
fn direct_route(graph: &Graph, holder: NodeId, held: NodeId, on: Date) -> Option<Vec<NodeId>> {
    let mut parent: HashMap<NodeId, NodeId> = HashMap::new();
    let mut queue = VecDeque::from([(holder, 0usize)]);
    while let Some((node, depth)) = queue.pop_front() {
        if depth >= MAX_DEPTH {
            continue;
        }
        let mut next: Vec<(EdgeId, NodeId)> = graph.edges_of(node, Direction::Outgoing).collect();
        next.sort_unstable();
        for (edge, other) in next {
            if other == holder
                || parent.contains_key(&other)
                || !flags(graph, edge).0
                || is_indirect(graph, edge)
                || Share::of_tie(graph, edge).is_none()
                || !holds(graph, edge, on)
            {
                continue;
            }
            parent.insert(other, node);
            if other == held {
                let mut route = vec![held];
                let mut at = held;
                while let Some(&up) = parent.get(&at) {
                    route.push(up);
                    at = up;
                }
                route.reverse();
                return Some(route);
            }
            queue.push_back((other, depth + 1));
        }
    }
    None
}

/// A chain being extended: its nodes, ties, steps and share so far.
type Partial = (Vec<NodeId>, Vec<EdgeId>, Vec<Step>, Option<Share>);

/// `upward`: who holds `subject` (walking ownership and control ties backwards); else what
/// `subject` holds; through the ties that hold `on` that day (`Graph::judged_on`: a view's
/// date, or today).
pub fn look_through(graph: &Graph, subject: NodeId, upward: bool, on: Date) -> Ownership {
    let direction = if upward {
        Direction::Incoming
    } else {
        Direction::Outgoing
    };
    let mut result = Ownership::default();
    // Per entity: its share chains and its control chains.
    let mut found: BTreeMap<NodeId, (Vec<Chain>, Vec<Chain>)> = BTreeMap::new();
    // Per indirect tie met: the direct chain that repeats it, if any.
    let mut repeated: HashMap<EdgeId, Option<Vec<NodeId>>> = HashMap::new();
    let mut declared: BTreeMap<EdgeId, Declared> = BTreeMap::new();
    let mut chains = 0usize;
    // Depth-first from the subject.
    let mut stack: Vec<Partial> = vec![(
        vec![subject],
        Vec::new(),
        Vec::new(),
        Some(Share::exact(100.0)),
    )];
    'search: while let Some((nodes, edges, steps, share)) = stack.pop() {
        if edges.len() >= MAX_DEPTH {
            continue;
        }
        let node = *nodes.last().expect("a chain has nodes");
        let mut next: Vec<(EdgeId, NodeId)> = graph
            .edges_of(node, direction)
            .filter(|(e, _)| {
                let (ownership, control) = flags(graph, *e);
                ownership || control
            })
            .collect();
        next.sort_unstable();
        for (edge, other) in next.into_iter().rev() {
            if nodes.contains(&other) {
                continue;
            }
            match graph.edge_standing(edge, on) {
                Standing::Holds | Standing::MayHold => {}
                Standing::NotBegun => {
                    result.later += 1;
                    continue;
                }
                Standing::Ended | Standing::Cancelled => {
                    result.ended += 1;
                    continue;
                }
            }
            let (ownership, control) = flags(graph, edge);
            let stake = if ownership {
                Share::of_tie(graph, edge)
            } else {
                None
            };
            let step = match stake {
                Some(stated) => {
                    let indirect = is_indirect(graph, edge);
                    if indirect {
                        let (holder, held) = if upward { (other, node) } else { (node, other) };
                        let route = repeated
                            .entry(edge)
                            .or_insert_with(|| direct_route(graph, holder, held, on));
                        if let Some(route) = route {
                            declared.entry(edge).or_insert_with(|| Declared {
                                edge,
                                share: stated,
                                through: route.clone(),
                            });
                            continue;
                        }
                    }
                    Step::Stake {
                        share: stated,
                        indirect,
                    }
                }
                None if control => Step::Control,
                None => {
                    result.unknown_stakes += 1;
                    continue;
                }
            };
            chains += 1;
            if chains > MAX_CHAINS {
                result.cut = true;
                break 'search;
            }
            let share = match (share, step) {
                (Some(so_far), Step::Stake { share, .. }) => Some(so_far.times(share)),
                _ => None,
            };
            let mut nodes = nodes.clone();
            nodes.push(other);
            let mut edges = edges.clone();
            edges.push(edge);
            let mut steps = steps.clone();
            steps.push(step);
            let chain = Chain {
                nodes: nodes.clone(),
                edges: edges.clone(),
                steps: steps.clone(),
                share,
            };
            let entry = found.entry(other).or_default();
            if share.is_some() {
                entry.0.push(chain);
            } else {
                entry.1.push(chain);
            }
            stack.push((nodes, edges, steps, share));
        }
    }
    result.entries = found
        .into_iter()
        .map(|(node, (chains, control))| {
            let share = chains
                .iter()
                .filter_map(|c| c.share)
                .reduce(Share::plus)
                .map(|s| Share {
                    min: s.min,
                    // No one holds more than the whole, unless the data says so.
                    max: s.max.min(100f64.max(s.min)),
                });
            Entry {
                node,
                share,
                chains,
                control,
            }
        })
        .collect();
    result.entries.sort_by(|a, b| {
        let key = |e: &Entry| e.share.map(|s| (s.min, s.max));
        match (key(a), key(b)) {
            (Some(x), Some(y)) => y.0.total_cmp(&x.0).then(y.1.total_cmp(&x.1)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            // Control alone: the shortest chain first.
            (None, None) => {
                let shortest = |e: &Entry| e.control.iter().map(|c| c.edges.len()).min();
                shortest(a).cmp(&shortest(b))
            }
        }
        .then_with(|| a.node.cmp(&b.node))
    });
    result.declared = declared.into_values().collect();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;
    use crate::model::Schema;

    fn graph(n: usize) -> (Graph, Vec<NodeId>) {
        let mut g = Graph::new(Schema::Alliance);
        let nodes = (0..n)
            .map(|i| g.add_node(["Company"], [("id", Value::from(format!("n{i}")))]))
            .collect();
        (g, nodes)
    }

    fn pct(p: f64) -> [(&'static str, Value); 1] {
        [("stake_pct", Value::Float(p))]
    }

    fn entry(found: &Ownership, node: NodeId) -> &Entry {
        found
            .entries
            .iter()
            .find(|e| e.node == node)
            .unwrap_or_else(|| panic!("{node:?} is not in {found:#?}"))
    }

    fn share(found: &Ownership, node: NodeId) -> (f64, f64) {
        let s = entry(found, node).share.expect("a share");
        (s.min, s.max)
    }

    fn close(actual: (f64, f64), expected: (f64, f64)) -> bool {
        (actual.0 - expected.0).abs() < 1e-9 && (actual.1 - expected.1).abs() < 1e-9
    }

    #[test]
    fn stakes_multiply_along_chains_and_add_across_them() {
        let (mut g, n) = graph(4);
        g.add_edge(n[0], n[1], "INVESTS_IN", pct(50.0)); // 0 holds 50% of 1
        g.add_edge(n[1], n[3], "INVESTS_IN", pct(40.0)); // 1 holds 40% of 3
        g.add_edge(n[0], n[3], "INVESTS_IN", pct(10.0)); // 0 also holds 10% of 3 directly
        g.add_edge(n[3], n[0], "INVESTS_IN", pct(5.0)); // a circle back, which must not loop
        g.add_edge(n[2], n[3], "INVESTS_IN", []); // no stake given
        let on = Date::year(2025);
        let owners = look_through(&g, n[3], true, on);
        assert!(close(share(&owners, n[0]), (30.0, 30.0)), "10% + 50% × 40%");
        assert!(entry(&owners, n[0]).share.unwrap().is_exact());
        assert_eq!(entry(&owners, n[0]).chains.len(), 2);
        assert!(close(share(&owners, n[1]), (40.0, 40.0)));
        assert_eq!(owners.unknown_stakes, 1);
        let holdings = look_through(&g, n[0], false, on);
        assert!(close(share(&holdings, n[3]), (30.0, 30.0)));
    }

    #[test]
    fn shares_print_as_percent_or_range() {
        assert_eq!(Share::exact(9.9).to_string(), "9.9%");
        assert_eq!(Share::exact(30.0).to_string(), "30%");
        assert_eq!(Share::exact(0.125).to_string(), "0.125%");
        assert_eq!(Share::exact(0.0).to_string(), "0%");
        let range = |min, max| Share { min, max }.to_string();
        assert_eq!(range(25.0, 50.0), "25\u{2013}50%");
        // A range narrower than the printed precision prints as one figure.
        assert_eq!(range(20.0, 20.0 + 1e-9), "20%");
    }

    #[test]
    fn ranges_multiply_and_add_as_intervals() {
        let (mut g, n) = graph(7);
        let range = |min: Option<f64>, max: Option<f64>| {
            let mut p = Vec::new();
            if let Some(min) = min {
                p.push(("stake_min", Value::Float(min)));
            }
            if let Some(max) = max {
                p.push(("stake_max", Value::Float(max)));
            }
            p
        };
        let c = n[0];
        g.add_edge(n[1], c, "INVESTS_IN", pct(40.0)); // 1 holds 40% of c
        g.add_edge(n[2], n[1], "INVESTS_IN", range(Some(25.0), Some(50.0))); // 2 holds 25–50% of 1
        g.add_edge(n[3], c, "INVESTS_IN", range(Some(20.0), None)); // at least 20%
        g.add_edge(n[4], c, "INVESTS_IN", range(None, Some(10.0))); // at most 10%
        // 5 holds 30–70% of c directly and 50% of 6, which holds 40–80% of c: 50–110%, which
        // the whole caps at 100%.
        g.add_edge(n[5], c, "INVESTS_IN", range(Some(30.0), Some(70.0)));
        g.add_edge(n[5], n[6], "INVESTS_IN", pct(50.0));
        g.add_edge(n[6], c, "INVESTS_IN", range(Some(40.0), Some(80.0)));
        let owners = look_through(&g, c, true, Date::year(2025));
        assert!(close(share(&owners, n[1]), (40.0, 40.0)));
        assert!(close(share(&owners, n[2]), (10.0, 20.0)), "25–50% × 40%");
        assert!(close(share(&owners, n[3]), (20.0, 100.0)));
        assert!(close(share(&owners, n[4]), (0.0, 10.0)));
        assert!(close(share(&owners, n[5]), (50.0, 100.0)));
        assert!(!entry(&owners, n[2]).share.unwrap().is_exact());
        assert_eq!(owners.over_whole().count(), 0);
        // The largest lower bound first.
        let order: Vec<NodeId> = owners.entries.iter().map(|e| e.node).collect();
        assert_eq!(order, vec![n[5], n[6], n[1], n[3], n[2], n[4]]);
    }

    #[test]
    fn an_indirect_statement_repeated_by_direct_ties_is_not_added() {
        let (mut g, n) = graph(4);
        let c = n[2];
        g.add_edge(n[0], n[1], "INVESTS_IN", pct(50.0));
        let direct = g.add_edge(n[1], c, "INVESTS_IN", pct(40.0)).unwrap();
        // A filing's look-through figure for what the two ties above already carry.
        let repeated = g
            .add_edge(
                n[0],
                c,
                "INVESTS_IN",
                [
                    ("stake_pct", Value::Float(20.0)),
                    ("holding", Value::from("indirect")),
                ],
            )
            .unwrap();
        // An indirect stake no direct tie accounts for.
        let alone = g
            .add_edge(
                n[3],
                c,
                "INVESTS_IN",
                [
                    ("stake_min", Value::Float(10.0)),
                    ("stake_max", Value::Float(15.0)),
                    ("holding", Value::from("indirect")),
                ],
            )
            .unwrap();
        let on = Date::year(2025);
        let owners = look_through(&g, c, true, on);
        assert!(close(share(&owners, n[0]), (20.0, 20.0)), "not 40%");
        assert_eq!(entry(&owners, n[0]).chains.len(), 1);
        assert_eq!(
            owners.declared,
            vec![Declared {
                edge: repeated,
                share: Share::exact(20.0),
                through: vec![n[0], n[1], c],
            }]
        );
        assert!(close(share(&owners, n[3]), (10.0, 15.0)));
        let used = &entry(&owners, n[3]).chains[0];
        assert_eq!(used.edges, vec![alone]);
        assert!(matches!(used.steps[0], Step::Stake { indirect: true, .. }));
        // The same rule downwards.
        let holdings = look_through(&g, n[0], false, on);
        assert!(close(share(&holdings, c), (20.0, 20.0)));
        assert_eq!(holdings.declared.len(), 1);
        // Once the direct chain has ended, the declared figure is the only account.
        g.set_edge_prop(
            direct,
            "end_date",
            Value::Date("2024-01-01".parse().unwrap()),
        );
        let later = look_through(&g, c, true, on);
        assert!(close(share(&later, n[0]), (20.0, 20.0)));
        assert!(later.declared.is_empty());
        assert_eq!(entry(&later, n[0]).chains[0].edges, vec![repeated]);
    }

    #[test]
    fn a_total_above_the_whole_is_flagged() {
        let (mut g, n) = graph(3);
        let c = n[2];
        g.add_edge(n[0], c, "INVESTS_IN", pct(70.0));
        g.add_edge(n[0], n[1], "INVESTS_IN", pct(100.0));
        g.add_edge(n[1], c, "INVESTS_IN", pct(40.0));
        let owners = look_through(&g, c, true, Date::year(2025));
        assert!(
            close(share(&owners, n[0]), (110.0, 110.0)),
            "not cut to 100%"
        );
        assert!(entry(&owners, n[0]).over_whole());
        assert!(!entry(&owners, n[1]).over_whole());
        let over: Vec<NodeId> = owners.over_whole().map(|e| e.node).collect();
        assert_eq!(over, vec![n[0]]);
    }

    #[test]
    fn control_ties_form_chains_apart_from_shares() {
        let (mut g, n) = graph(6);
        let r = n[0];
        let (p, q, s) = (n[1], n[2], n[3]);
        g.add_edge(p, q, "CONTROLS", []); // p controls q
        g.add_edge(q, r, "INVESTS_IN", pct(40.0)); // q holds 40% of r
        g.add_edge(p, s, "ACQUIRES", []); // p bought s, no stake stated
        g.add_edge(
            s,
            r,
            "CONTROLS",
            [("interest", Value::from("voting-rights"))],
        );
        g.add_edge(n[4], r, "INVESTS_IN", []); // no stake: left out and counted
        g.add_edge(n[5], r, "SUPPLIES", []); // neither ownership nor control
        let owners = look_through(&g, r, true, Date::year(2025));
        assert!(close(share(&owners, q), (40.0, 40.0)));
        assert!(entry(&owners, q).control.is_empty());
        let controller = entry(&owners, p);
        assert_eq!(controller.share, None, "control is not a share");
        assert!(controller.chains.is_empty());
        let routes: Vec<&[NodeId]> = controller.control.iter().map(|c| &c.nodes[..]).collect();
        assert_eq!(routes.len(), 2);
        assert!(
            routes.contains(&&[r, q, p][..]),
            "control over a 40% holder"
        );
        assert!(routes.contains(&&[r, s, p][..]), "control of a controller");
        assert!(controller.control.iter().all(|c| c.share.is_none()));
        assert_eq!(entry(&owners, s).control[0].steps, vec![Step::Control]);
        assert_eq!(owners.unknown_stakes, 1);
        assert!(owners.entries.iter().all(|e| e.node != n[5]));
        // Shares first, then control alone.
        assert_eq!(owners.entries[0].node, q);
        // Downwards: p controls r through both.
        let holdings = look_through(&g, p, false, Date::year(2025));
        assert_eq!(entry(&holdings, r).control.len(), 2);
    }

    #[test]
    fn a_type_the_data_adds_counts_by_its_flags() {
        let (mut g, n) = graph(3);
        let mut vocabulary = g.vocabulary().clone();
        let definitions: crate::model::vocabulary::Definitions = toml::from_str(
            r#"
            [[relationship]]
            name = "holds-units-in"
            properties = ["stake_pct"]
            ownership = true

            [[relationship]]
            name = "appoints-board-of"
            control = true
            "#,
        )
        .unwrap();
        vocabulary.extend(&definitions).unwrap();
        g.set_vocabulary(std::sync::Arc::new(vocabulary));
        g.add_edge(n[1], n[0], "HOLDS_UNITS_IN", pct(60.0));
        g.add_edge(n[2], n[1], "APPOINTS_BOARD_OF", []);
        let owners = look_through(&g, n[0], true, Date::year(2025));
        assert!(close(share(&owners, n[1]), (60.0, 60.0)));
        assert_eq!(
            entry(&owners, n[2]).control[0].nodes,
            vec![n[0], n[1], n[2]]
        );
    }

    #[test]
    fn ended_cancelled_and_later_stakes_are_left_out_and_counted() {
        let (mut g, n) = graph(4);
        let d = |s: &str| Value::Date(s.parse().unwrap());
        let pct = Value::Float(30.0);
        g.add_edge(
            n[0],
            n[3],
            "INVESTS_IN",
            [
                ("stake_pct", pct.clone()),
                ("date", d("2018")),
                ("end_date", d("2021-06-30")),
            ],
        );
        g.add_edge(
            n[1],
            n[3],
            "INVESTS_IN",
            [
                ("stake_pct", pct.clone()),
                ("status", Value::from("cancelled")),
            ],
        );
        g.add_edge(
            n[2],
            n[3],
            "INVESTS_IN",
            [("stake_pct", pct), ("date", d("2020"))],
        );
        let owners = |on: &str| look_through(&g, n[3], true, on.parse().unwrap());
        let held = |o: &Ownership| o.entries.iter().map(|e| e.node).collect::<Vec<_>>();
        let before = owners("2021-01-01");
        assert_eq!(held(&before), vec![n[0], n[2]]);
        assert_eq!((before.ended, before.later), (1, 0));
        let after = owners("2022");
        assert_eq!(held(&after), vec![n[2]]);
        assert_eq!((after.ended, after.later), (2, 0));
        let early = owners("2019");
        assert_eq!(held(&early), vec![n[0]]);
        assert_eq!((early.ended, early.later), (1, 1));
    }
}
