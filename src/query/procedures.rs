//! Procedures a query can `CALL`: the graph algorithms, yielding rows.
//!
//! **Invariant:** a procedure reads the graph only; its rows come out in a defined order (the
//! algorithm's ranking, then node ids).

use super::error::{ErrorCode, ErrorKind, QueryError};
use super::eval::{Context, describe};
use super::value::{Path, QueryValue};
use crate::algo;
use crate::store::{EdgeId, NodeId};

/// What an output column holds, for the planner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    Node,
    Path,
    Value,
}

/// The rows a procedure yields, each holding its output columns in order.
pub(crate) type Rows = Vec<Vec<QueryValue>>;

/// What a procedure does with its checked arguments.
pub(crate) type Body = fn(&Context<'_>, &Given) -> Result<Rows, QueryError>;

/// A procedure as a plan holds it: its name (for explanations) and its body.
#[derive(Clone, Copy)]
pub(crate) struct Procedure {
    name: &'static str,
    body: Body,
}

impl std::fmt::Debug for Procedure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// What an argument must be; `call` checks and converts it before the body runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgKind {
    /// A node, or a name that finds one.
    Entity,
    /// A whole number of at least 1.
    Count,
}

impl ArgKind {
    /// As help writes it.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn describe(self) -> &'static str {
        match self {
            ArgKind::Entity => "node or name",
            ArgKind::Count => "integer >= 1",
        }
    }
}

/// One argument of a procedure.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Param {
    pub name: &'static str,
    pub kind: ArgKind,
}

/// Messages list arguments by name (`args.join(", ")`).
impl std::borrow::Borrow<str> for Param {
    fn borrow(&self) -> &str {
        self.name
    }
}

/// The arguments of a call, checked against their kinds, in order.
pub(crate) struct Given {
    values: Vec<GivenValue>,
    at: usize,
}

enum GivenValue {
    Node(NodeId),
    Count(usize),
}

impl Given {
    fn node(&self, cx: &Context<'_>, i: usize) -> Result<NodeId, QueryError> {
        match self.values.get(i) {
            Some(GivenValue::Node(n)) => Ok(*n),
            _ => Err(self.mismatch(cx, i)),
        }
    }

    fn count(&self, cx: &Context<'_>, i: usize) -> Result<usize, QueryError> {
        match self.values.get(i) {
            Some(GivenValue::Count(n)) => Ok(*n),
            _ => Err(self.mismatch(cx, i)),
        }
    }

    /// A body read an argument its entry does not declare: a mistake in the registry, which
    /// the registry's tests rule out; reported rather than panicking.
    fn mismatch(&self, cx: &Context<'_>, i: usize) -> QueryError {
        QueryError::at(
            ErrorKind::Argument,
            ErrorCode::InvalidArgumentValue,
            cx.text,
            self.at,
            format!("argument {} of this procedure is missing", i + 1),
            None,
        )
    }
}

/// One procedure of the registry: how it is called, what it yields, and what it does.
// Read by the shell's help and completion, which the engine alone does not build.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) struct Signature {
    pub name: &'static str,
    pub procedure: Procedure,
    /// Its arguments, in order.
    pub args: &'static [Param],
    /// Output columns, in order.
    pub outputs: &'static [(&'static str, Output)],
    /// What it yields, in one line, with the type of each value column.
    pub help: &'static str,
    /// A statement that calls it and finds rows in the default dataset.
    pub example: &'static str,
}

impl Signature {
    /// `algo.kShortestPaths(from :: node or name, ...) YIELD path :: path, hops :: value`.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn usage(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|p| format!("{} :: {}", p.name, p.kind.describe()))
            .collect();
        let outputs: Vec<String> = self
            .outputs
            .iter()
            .map(|(n, o)| {
                let kind = match o {
                    Output::Node => "node",
                    Output::Path => "path",
                    Output::Value => "value",
                };
                format!("{n} :: {kind}")
            })
            .collect();
        format!(
            "{}({}) YIELD {}",
            self.name,
            args.join(", "),
            outputs.join(", ")
        )
    }
}

/// Keeps an entry's name and its plan handle's name the same.
const fn entry(
    name: &'static str,
    args: &'static [Param],
    outputs: &'static [(&'static str, Output)],
    help: &'static str,
    example: &'static str,
    body: Body,
) -> Signature {
    Signature {
        name,
        procedure: Procedure { name, body },
        args,
        outputs,
        help,
        example,
    }
}

const NODE_SCORE: &[(&str, Output)] = &[("node", Output::Node), ("score", Output::Value)];

const fn param(name: &'static str, kind: ArgKind) -> Param {
    Param { name, kind }
}

/// The procedures; help and completion list them in this order.
static PROCEDURES: &[Signature] = &[
    entry(
        "algo.pageRank",
        &[],
        NODE_SCORE,
        "every entity with its PageRank score (a float), highest first",
        "CALL algo.pageRank() YIELD node, score RETURN node.name, score ORDER BY score DESC LIMIT 3",
        |cx, _| {
            let stop = || cx.check_interrupt().is_err();
            Ok(scores(finished(
                cx,
                algo::centrality::pagerank(cx.graph, &stop),
            )?))
        },
    ),
    entry(
        "algo.degree",
        &[],
        NODE_SCORE,
        "every entity with how many relationships it has (an integer), most first",
        "CALL algo.degree() YIELD node, score RETURN node.name, score LIMIT 3",
        |cx, _| {
            Ok(algo::centrality::degree(cx.graph)
                .into_iter()
                .map(|(n, s)| vec![QueryValue::Node(n), QueryValue::Int(s as i64)])
                .collect())
        },
    ),
    entry(
        "algo.betweenness",
        &[],
        NODE_SCORE,
        "every entity with its betweenness centrality (a float), highest first",
        "CALL algo.betweenness() YIELD node, score RETURN node.name, score LIMIT 3",
        |cx, _| {
            let stop = || cx.check_interrupt().is_err();
            Ok(scores(finished(
                cx,
                algo::centrality::betweenness(cx.graph, None, &stop),
            )?))
        },
    ),
    entry(
        "algo.components",
        &[],
        &[("node", Output::Node), ("component", Output::Value)],
        "every entity with the number (an integer) of the connected component it is in",
        "CALL algo.components() YIELD node, component RETURN component, count(*) AS size",
        |cx, _| {
            let stop = || cx.check_interrupt().is_err();
            Ok(finished(cx, algo::centrality::components(cx.graph, &stop))?
                .into_iter()
                .map(|(n, c)| vec![QueryValue::Node(n), QueryValue::Int(c as i64)])
                .collect())
        },
    ),
    entry(
        "algo.kShortestPaths",
        &[
            param("from", ArgKind::Entity),
            param("to", ArgKind::Entity),
            param("k", ArgKind::Count),
        ],
        &[("path", Output::Path), ("hops", Output::Value)],
        "the k shortest simple paths between two entities, with their hops (an integer)",
        "CALL algo.kShortestPaths('BlackRock', 'Intel', 2) YIELD path, hops RETURN hops",
        |cx, given| {
            let (from, to, k) = (given.node(cx, 0)?, given.node(cx, 1)?, given.count(cx, 2)?);
            let stop = || cx.check_interrupt().is_err();
            let options = algo::PathOptions {
                k,
                max_hops: Some(algo::DEFAULT_MAX_HOPS),
                ..algo::PathOptions::default()
            };
            let paths = algo::k_shortest_paths(cx.graph, from, to, &options, &stop);
            let routes = paths.routes.into_iter().map(|r| (r.nodes, r.edges));
            path_rows(cx, paths.interrupted, routes)
        },
    ),
    entry(
        "algo.circularDeals",
        &[param("maxLength", ArgKind::Count)],
        &[("path", Output::Path), ("legs", Output::Value)],
        "loops of money through investments and purchases, with their legs (an integer)",
        "CALL algo.circularDeals(4) YIELD path, legs RETURN legs",
        |cx, given| {
            let max_len = given.count(cx, 0)?;
            let stop = || cx.check_interrupt().is_err();
            let found = algo::money_loops(cx.graph, max_len, algo::MAX_LOOPS, &stop);
            let note = found.cut_note();
            // A loop's path comes back to where it started.
            let loops = found.loops.into_iter().map(|l| {
                let mut nodes = l.nodes.clone();
                nodes.push(l.nodes[0]);
                (nodes, l.legs)
            });
            let rows = path_rows(cx, found.interrupted, loops)?;
            if let Some(note) = note {
                cx.notes.add(note);
            }
            Ok(rows)
        },
    ),
    entry(
        "algo.ownership",
        &[param("entity", ArgKind::Entity)],
        &[
            ("holder", Output::Node),
            ("stake", Output::Value),
            ("stake_min", Output::Value),
            ("stake_max", Output::Value),
            ("control", Output::Value),
            ("over_100", Output::Value),
        ],
        "who holds the entity, directly or through others, through the stakes and control that hold today (or on the `:asof` date): the stake in percent (a float; null unless exact), its least and most (floats; null when linked by control alone), whether a chain of control links them (a boolean), and whether the total passes 100% (a boolean: the data disagree)",
        "CALL algo.ownership('OpenAI') YIELD holder, stake RETURN holder.name, stake",
        |cx, given| {
            let entity = given.node(cx, 0)?;
            let found = algo::ownership::look_through(cx.graph, entity, true, cx.graph.judged_on());
            let subject = cx.graph.display_name(entity);
            for entry in found.over_whole() {
                if let Some(share) = entry.share {
                    cx.notes.add(format!(
                        "{}'s stakes in {subject} add up to {share}, more than 100%: the recorded stakes disagree",
                        cx.graph.display_name(entry.node)
                    ));
                }
            }
            if !found.declared.is_empty() {
                let one = found.declared.len() == 1;
                cx.notes.add(format!(
                    "{} declared indirect stake{} in {subject}'s chains not added: direct stakes already reach {}",
                    found.declared.len(),
                    if one { "" } else { "s" },
                    if one { "its holder" } else { "their holders" }
                ));
            }
            let percent = |v: Option<f64>| v.map_or(QueryValue::Null, QueryValue::Float);
            Ok(found
                .entries
                .iter()
                .map(|e| {
                    let exact = e.share.filter(|s| s.is_exact()).map(|s| s.min);
                    vec![
                        QueryValue::Node(e.node),
                        percent(exact),
                        percent(e.share.map(|s| s.min)),
                        percent(e.share.map(|s| s.max)),
                        QueryValue::Bool(!e.control.is_empty()),
                        QueryValue::Bool(e.over_whole()),
                    ]
                })
                .collect())
        },
    ),
];

/// What the path procedures yield: a row for each path (its nodes and relationships), with
/// its length in relationships (a route's hops, a loop's legs); or, when the search was
/// stopped, the statement interrupted.
fn path_rows(
    cx: &Context<'_>,
    interrupted: bool,
    paths: impl Iterator<Item = (Vec<NodeId>, Vec<EdgeId>)>,
) -> Result<Rows, QueryError> {
    if interrupted {
        return Err(cx.interrupted());
    }
    Ok(paths
        .map(|(nodes, relationships)| {
            let length = relationships.len() as i64;
            vec![
                QueryValue::Path(Path {
                    nodes,
                    relationships,
                }),
                QueryValue::Int(length),
            ]
        })
        .collect())
}

/// The procedure named `name` (any case).
pub(crate) fn resolve(name: &str) -> Option<&'static Signature> {
    PROCEDURES
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
}

/// Every procedure name, for suggestions, help and completion.
pub fn names() -> impl Iterator<Item = &'static str> {
    PROCEDURES.iter().map(|s| s.name)
}

/// Every entry, in the order help lists them.
// Read by the shell's help and completion, which the engine alone does not build.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) fn entries() -> &'static [Signature] {
    PROCEDURES
}

/// Node scores as rows.
fn scores(list: Vec<(NodeId, f64)>) -> Rows {
    list.into_iter()
        .map(|(n, s)| vec![QueryValue::Node(n), QueryValue::Float(s)])
        .collect()
}

/// An algorithm that was stopped gives no answer: the statement fails as interrupted.
fn finished<T>(cx: &Context<'_>, answer: Option<T>) -> Result<T, QueryError> {
    answer.ok_or_else(|| cx.interrupted())
}

/// Runs a procedure on its evaluated arguments, checked against the kinds its entry declares;
/// each row holds its output columns in order.
pub(crate) fn call(
    cx: &Context<'_>,
    procedure: Procedure,
    args: &[QueryValue],
    at: usize,
) -> Result<Rows, QueryError> {
    let graph = cx.graph;
    let bad = |message: String| {
        QueryError::at(
            ErrorKind::Argument,
            ErrorCode::InvalidArgumentValue,
            cx.text,
            at,
            message,
            None,
        )
    };
    let params = resolve(procedure.name).map_or(&[][..], |s| s.args);
    let mut values = Vec::with_capacity(params.len());
    for (param, value) in params.iter().zip(args) {
        let what = param.name;
        values.push(match param.kind {
            ArgKind::Entity => GivenValue::Node(match value {
                QueryValue::Node(n) => *n,
                QueryValue::String(name) => {
                    algo::find_entity(graph, name).map_err(|e| bad(e.to_string()))?
                }
                other => {
                    return Err(bad(format!(
                        "{what} must be a node or a name, not {}",
                        describe(graph, other)
                    )));
                }
            }),
            ArgKind::Count => GivenValue::Count(match value {
                QueryValue::Int(i) if *i >= 1 => usize::try_from(*i).unwrap_or(usize::MAX),
                other => {
                    return Err(bad(format!(
                        "{what} must be a whole number of at least 1, not {}",
                        describe(graph, other)
                    )));
                }
            }),
        });
    }
    let rows = (procedure.body)(cx, &Given { values, at })?;
    cx.check_interrupt()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_a_unique_name_a_help_line_and_columns() {
        let mut seen = std::collections::BTreeSet::new();
        for entry in PROCEDURES {
            assert!(
                seen.insert(entry.name.to_ascii_lowercase()),
                "{}",
                entry.name
            );
            assert!(!entry.help.trim().is_empty(), "{} has no help", entry.name);
            assert!(!entry.outputs.is_empty(), "{} yields nothing", entry.name);
            assert_eq!(entry.procedure.name, entry.name);
            assert!(
                entry.example.contains(entry.name),
                "{}'s example does not call it",
                entry.name
            );
        }
    }

    #[test]
    fn every_example_finds_rows_in_the_default_dataset() {
        for entry in PROCEDURES {
            let mut graph = crate::default_graph();
            let results =
                crate::query::execute_mut(&mut graph, entry.example, &crate::query::Params::new())
                    .unwrap_or_else(|e| panic!("{}: {}\n{e}", entry.name, entry.example));
            assert!(
                results.last().is_some_and(|r| !r.rows.is_empty()),
                "{}'s example finds nothing: {}",
                entry.name,
                entry.example
            );
        }
    }
}
