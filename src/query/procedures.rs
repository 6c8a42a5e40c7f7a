//! Procedures a query can `CALL`: the graph algorithms, yielding rows.
//!
//! **Invariant:** a procedure reads the graph only; its rows come out in a defined order (the
//! algorithm's ranking, then node ids).

use super::error::{ErrorCode, ErrorKind, QueryError};
use super::eval::{Context, describe};
use super::value::{Path, QueryValue};
use crate::algo;
use crate::store::NodeId;

/// What an output column holds, for the planner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    Node,
    Path,
    Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Procedure {
    PageRank,
    Degree,
    Betweenness,
    Components,
    KShortestPaths,
    CircularDeals,
    Ownership,
}

/// How a procedure is called and what it yields.
pub(crate) struct Signature {
    pub name: &'static str,
    pub procedure: Procedure,
    /// Argument names, for messages.
    pub args: &'static [&'static str],
    /// Output columns, in order.
    pub outputs: &'static [(&'static str, Output)],
}

const NODE_SCORE: &[(&str, Output)] = &[("node", Output::Node), ("score", Output::Value)];

const PROCEDURES: &[Signature] = &[
    Signature {
        name: "algo.pageRank",
        procedure: Procedure::PageRank,
        args: &[],
        outputs: NODE_SCORE,
    },
    Signature {
        name: "algo.degree",
        procedure: Procedure::Degree,
        args: &[],
        outputs: NODE_SCORE,
    },
    Signature {
        name: "algo.betweenness",
        procedure: Procedure::Betweenness,
        args: &[],
        outputs: NODE_SCORE,
    },
    Signature {
        name: "algo.components",
        procedure: Procedure::Components,
        args: &[],
        outputs: &[("node", Output::Node), ("component", Output::Value)],
    },
    Signature {
        name: "algo.kShortestPaths",
        procedure: Procedure::KShortestPaths,
        args: &["from", "to", "k"],
        outputs: &[("path", Output::Path), ("hops", Output::Value)],
    },
    Signature {
        name: "algo.circularDeals",
        procedure: Procedure::CircularDeals,
        args: &["maxLength"],
        outputs: &[("path", Output::Path), ("legs", Output::Value)],
    },
    Signature {
        name: "algo.ownership",
        procedure: Procedure::Ownership,
        args: &["entity"],
        outputs: &[("holder", Output::Node), ("stake", Output::Value)],
    },
];

/// The procedure named `name` (any case).
pub(crate) fn resolve(name: &str) -> Option<&'static Signature> {
    PROCEDURES
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
}

/// Every procedure name, for suggestions and help.
pub fn names() -> impl Iterator<Item = &'static str> {
    PROCEDURES.iter().map(|s| s.name)
}

/// Runs a procedure; each row holds its output columns in order.
pub(crate) fn call(
    cx: &Context<'_>,
    procedure: Procedure,
    args: &[QueryValue],
    at: usize,
) -> Result<Vec<Vec<QueryValue>>, QueryError> {
    let graph = cx.graph;
    let stop = || cx.check_interrupt().is_err();
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
    let node_arg = |value: &QueryValue, what: &str| -> Result<NodeId, QueryError> {
        match value {
            QueryValue::Node(n) => Ok(*n),
            QueryValue::String(name) => {
                algo::find_entity(graph, name).map_err(|e| bad(e.to_string()))
            }
            other => Err(bad(format!(
                "{what} must be a node or a name, not {}",
                describe(graph, other)
            ))),
        }
    };
    let int_arg = |value: &QueryValue, what: &str| -> Result<usize, QueryError> {
        match value {
            QueryValue::Int(i) if *i >= 1 => Ok(usize::try_from(*i).unwrap_or(usize::MAX)),
            other => Err(bad(format!(
                "{what} must be a whole number of at least 1, not {}",
                describe(graph, other)
            ))),
        }
    };
    // An algorithm that was stopped gives no answer: the statement fails as interrupted.
    let scores = |list: Vec<(NodeId, f64)>| {
        list.into_iter()
            .map(|(n, s)| vec![QueryValue::Node(n), QueryValue::Float(s)])
            .collect()
    };
    fn finished<T>(cx: &Context<'_>, answer: Option<T>) -> Result<T, QueryError> {
        answer.ok_or_else(|| cx.interrupted())
    }
    let rows = match procedure {
        Procedure::PageRank => scores(finished(cx, algo::centrality::pagerank(graph, &stop))?),
        Procedure::Degree => algo::centrality::degree(graph)
            .into_iter()
            .map(|(n, s)| vec![QueryValue::Node(n), QueryValue::Int(s as i64)])
            .collect(),
        Procedure::Betweenness => scores(finished(
            cx,
            algo::centrality::betweenness(graph, None, &stop),
        )?),
        Procedure::Components => finished(cx, algo::centrality::components(graph, &stop))?
            .into_iter()
            .map(|(n, c)| vec![QueryValue::Node(n), QueryValue::Int(c as i64)])
            .collect(),
        Procedure::KShortestPaths => {
            let (from, to, k) = (
                node_arg(&args[0], "from")?,
                node_arg(&args[1], "to")?,
                int_arg(&args[2], "k")?,
            );
            let options = algo::PathOptions {
                k,
                max_hops: Some(algo::DEFAULT_MAX_HOPS),
                ..algo::PathOptions::default()
            };
            let paths = algo::k_shortest_paths(graph, from, to, &options, &stop);
            if paths.interrupted {
                return Err(cx.interrupted());
            }
            paths
                .routes
                .into_iter()
                .map(|r| {
                    let hops = r.hops() as i64;
                    vec![
                        QueryValue::Path(Path {
                            nodes: r.nodes,
                            relationships: r.edges,
                        }),
                        QueryValue::Int(hops),
                    ]
                })
                .collect()
        }
        Procedure::CircularDeals => {
            let max_len = int_arg(&args[0], "maxLength")?;
            let found = algo::money_loops(graph, max_len, algo::MAX_LOOPS, &stop);
            if found.interrupted {
                return Err(cx.interrupted());
            }
            if let Some(note) = found.cut_note() {
                cx.notes.add(note);
            }
            found
                .loops
                .into_iter()
                .map(|l| {
                    let legs = l.legs.len() as i64;
                    let mut nodes = l.nodes.clone();
                    nodes.push(l.nodes[0]);
                    vec![
                        QueryValue::Path(Path {
                            nodes,
                            relationships: l.legs,
                        }),
                        QueryValue::Int(legs),
                    ]
                })
                .collect()
        }
        Procedure::Ownership => {
            let entity = node_arg(&args[0], "entity")?;
            algo::ownership::look_through(graph, entity, true)
                .entries
                .into_iter()
                .map(|(n, share, _)| vec![QueryValue::Node(n), QueryValue::Float(share * 100.0)])
                .collect()
        }
    };
    cx.check_interrupt()?;
    Ok(rows)
}
