//! Procedures a query can `CALL`: the graph algorithms, yielding rows, and those a program
//! embedding the engine adds to a `Procedures` registry (a table of rows, or a closure), each
//! declared with a typed signature.
//!
//! **Invariant:** a procedure reads the graph only; its rows come out in a defined order (the
//! algorithm's ranking, then node ids; a table's order).

use std::sync::Arc;

use super::error::{ErrorCode, ErrorKind, QueryError};
use super::eval::{Context, describe};
use super::value::{Path, QueryValue, equals};
use crate::algo;
use crate::store::{EdgeId, Graph, NodeId};

/// What an output column holds, for the planner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    Node,
    Path,
    Value,
}

/// The rows a procedure yields, each holding its output columns in order, made as the
/// statement reads them: a ranking of every node read to its tenth row makes ten rows, not
/// one for each node.
pub(crate) struct Rows(Box<dyn Iterator<Item = Vec<QueryValue>>>);

impl Rows {
    fn lazy(rows: impl Iterator<Item = Vec<QueryValue>> + 'static) -> Rows {
        Rows(Box::new(rows))
    }
}

impl FromIterator<Vec<QueryValue>> for Rows {
    fn from_iter<I: IntoIterator<Item = Vec<QueryValue>>>(rows: I) -> Rows {
        Rows::lazy(rows.into_iter().collect::<Vec<_>>().into_iter())
    }
}

impl Iterator for Rows {
    type Item = Vec<QueryValue>;

    fn next(&mut self) -> Option<Vec<QueryValue>> {
        self.0.next()
    }
}

/// What a procedure does with its checked arguments.
pub(crate) type Body = fn(&Context<'_>, &Given) -> Result<Rows, QueryError>;

/// A procedure as a plan holds it: a built-in entry, or one the program added.
#[derive(Clone)]
pub(crate) enum Procedure {
    Builtin(&'static Signature),
    Added(Arc<ProcedureDef>),
}

impl std::fmt::Debug for Procedure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Procedure {
    pub(crate) fn name(&self) -> &str {
        match self {
            Procedure::Builtin(s) => s.name,
            Procedure::Added(d) => &d.name,
        }
    }

    /// Its arguments' names, in order.
    pub(crate) fn arg_names(&self) -> Vec<&str> {
        match self {
            Procedure::Builtin(s) => s.args.iter().map(|p| p.name).collect(),
            Procedure::Added(d) => d.args.iter().map(|c| c.name.as_str()).collect(),
        }
    }

    /// The type an added procedure declares for argument `i`.
    pub(crate) fn arg_column(&self, i: usize) -> Option<&Column> {
        match self {
            Procedure::Builtin(_) => None,
            Procedure::Added(d) => d.args.get(i),
        }
    }

    /// Its output columns, in order, with what each holds.
    pub(crate) fn outputs(&self) -> Vec<(&str, Output)> {
        match self {
            Procedure::Builtin(s) => s.outputs.iter().map(|(n, o)| (*n, *o)).collect(),
            Procedure::Added(d) => d
                .outputs
                .iter()
                .map(|c| (c.name.as_str(), c.kind.output()))
                .collect(),
        }
    }
}

/// The type of a procedure's argument or output column, as Cypher signatures write it
/// (`INTEGER?`: an integer or null).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueType {
    Any,
    Boolean,
    Integer,
    Float,
    /// An integer or a float.
    Number,
    String,
    Node,
    Relationship,
    Path,
    List,
    Map,
}

impl ValueType {
    /// The type a signature names (`INTEGER`, `STRING`, `LIST OF ANY`…, any case).
    pub fn from_name(name: &str) -> Option<ValueType> {
        let upper = name.trim().to_ascii_uppercase();
        if upper.starts_with("LIST") {
            return Some(ValueType::List);
        }
        Some(match upper.as_str() {
            "ANY" => ValueType::Any,
            "BOOLEAN" => ValueType::Boolean,
            "INTEGER" | "INT" => ValueType::Integer,
            "FLOAT" => ValueType::Float,
            "NUMBER" => ValueType::Number,
            "STRING" => ValueType::String,
            "NODE" => ValueType::Node,
            "RELATIONSHIP" => ValueType::Relationship,
            "PATH" => ValueType::Path,
            "MAP" => ValueType::Map,
            _ => return None,
        })
    }

    /// As a signature writes it.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Any => "ANY",
            ValueType::Boolean => "BOOLEAN",
            ValueType::Integer => "INTEGER",
            ValueType::Float => "FLOAT",
            ValueType::Number => "NUMBER",
            ValueType::String => "STRING",
            ValueType::Node => "NODE",
            ValueType::Relationship => "RELATIONSHIP",
            ValueType::Path => "PATH",
            ValueType::List => "LIST",
            ValueType::Map => "MAP",
        }
    }

    /// `value` as an argument of this type (an integer where a float is wanted becomes a
    /// float), or `None` when it is not one; null is checked by the caller.
    pub(crate) fn accept(self, value: &QueryValue) -> Option<QueryValue> {
        let fits = match (self, value) {
            (ValueType::Any, _) => true,
            (ValueType::Float, QueryValue::Int(i)) => return Some(QueryValue::Float(*i as f64)),
            (ValueType::Boolean, QueryValue::Bool(_))
            | (ValueType::Integer, QueryValue::Int(_))
            | (ValueType::Float, QueryValue::Float(_))
            | (ValueType::Number, QueryValue::Int(_) | QueryValue::Float(_))
            | (ValueType::String, QueryValue::String(_))
            | (ValueType::Node, QueryValue::Node(_))
            | (ValueType::Relationship, QueryValue::Relationship(_))
            | (ValueType::Path, QueryValue::Path(_))
            | (ValueType::List, QueryValue::List(_))
            | (ValueType::Map, QueryValue::Map(_)) => true,
            _ => false,
        };
        fits.then(|| value.clone())
    }

    fn output(self) -> Output {
        match self {
            ValueType::Node => Output::Node,
            ValueType::Path => Output::Path,
            _ => Output::Value,
        }
    }
}

/// An argument or output column of an added procedure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ValueType,
    /// Written `TYPE?`: null is allowed.
    pub nullable: bool,
}

/// What an added procedure does: yields the rows of a table whose arguments equal the call's,
/// or runs a closure on the graph and the checked arguments.
#[derive(Clone)]
enum AddedBody {
    /// Each row holds the arguments, then the outputs.
    Table(Vec<Vec<QueryValue>>),
    Closure(Arc<Closure>),
}

/// The body of a closure-backed procedure: the graph and the checked arguments in, rows of
/// output columns (in order) out, or a message saying why it could not answer.
pub type Closure =
    dyn Fn(&Graph, &[QueryValue]) -> Result<Vec<Vec<QueryValue>>, String> + Send + Sync;

/// A procedure a program adds to a `Procedures` registry: a name, typed arguments and
/// outputs, and a body.
///
/// ```
/// use alliances::query::{self, ProcedureDef, Procedures, QueryValue};
/// let mut procedures = Procedures::new();
/// procedures.add(
///     ProcedureDef::parse("demo.square(x :: INTEGER) :: (square :: INTEGER)")?.with_body(
///         |_, args| match args {
///             [QueryValue::Int(x)] => Ok(vec![vec![QueryValue::Int(x * x)]]),
///             _ => Err("x must be an integer".to_owned()),
///         },
///     ),
/// )?;
/// let graph = alliances::default_graph();
/// let text = "CALL demo.square(7) YIELD square RETURN square";
/// let statement = &query::parse(text)?[0];
/// let result = query::prepare_with(&graph, text, statement, &procedures)?
///     .run(&graph, &query::Params::new())?;
/// assert_eq!(result.rows[0][0].to_string(), "49");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ProcedureDef {
    name: String,
    args: Vec<Column>,
    outputs: Vec<Column>,
    help: String,
    body: AddedBody,
}

impl std::fmt::Debug for ProcedureDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcedureDef")
            .field("name", &self.name)
            .field("args", &self.args)
            .field("outputs", &self.outputs)
            .finish_non_exhaustive()
    }
}

/// Why a procedure definition was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProcedureDefError {
    /// The signature text does not read as `name(arg :: TYPE, ...) :: (out :: TYPE, ...)`.
    #[error("procedure signature {signature:?}: expected {expected} at character {at}")]
    Malformed {
        signature: String,
        at: usize,
        expected: &'static str,
    },
    /// A signature names a type the engine does not know.
    #[error(
        "procedure signature: unknown type {0:?} (use ANY, BOOLEAN, INTEGER, FLOAT, NUMBER, STRING, NODE, RELATIONSHIP, PATH, LIST or MAP)"
    )]
    UnknownType(String),
    /// A table row does not hold one value per argument and output.
    #[error(
        "procedure {name}: row {row} has {found} values, not {expected} (the arguments, then the outputs)"
    )]
    RowWidth {
        name: String,
        row: usize,
        found: usize,
        expected: usize,
    },
    /// The name is a built-in procedure's.
    #[error("procedure {0} is built in and cannot be replaced")]
    BuiltIn(String),
}

impl ProcedureDef {
    /// A procedure with `name`, `args` and `outputs` that yields nothing until given rows
    /// (`with_rows`) or a body (`with_body`).
    pub fn new(name: &str, args: Vec<Column>, outputs: Vec<Column>) -> ProcedureDef {
        ProcedureDef {
            name: name.to_owned(),
            args,
            outputs,
            help: String::new(),
            body: AddedBody::Table(Vec::new()),
        }
    }

    /// Reads a signature as Cypher writes one: `test.my.proc(in :: INTEGER?) :: (out ::
    /// STRING?)`; `:: ()` declares no outputs (a procedure called for nothing but its call).
    ///
    /// # Errors
    /// When the text is not such a signature, or names an unknown type.
    pub fn parse(signature: &str) -> Result<ProcedureDef, ProcedureDefError> {
        let malformed = |at: usize, expected: &'static str| ProcedureDefError::Malformed {
            signature: signature.to_owned(),
            at,
            expected,
        };
        let open = signature
            .find('(')
            .ok_or_else(|| malformed(signature.len(), "`(`"))?;
        let name = signature[..open].trim();
        if name.is_empty() {
            return Err(malformed(0, "a procedure name"));
        }
        let close = signature[open..]
            .find(')')
            .map(|i| open + i)
            .ok_or_else(|| malformed(signature.len(), "`)`"))?;
        let args = columns(&signature[open + 1..close])?;
        let rest = signature[close + 1..].trim();
        let rest = rest
            .strip_prefix("::")
            .ok_or_else(|| malformed(close + 1, "`::` and the outputs"))?
            .trim();
        let inner = rest
            .strip_prefix('(')
            .and_then(|r| {
                r.trim_end()
                    .trim_end_matches(':')
                    .trim_end()
                    .strip_suffix(')')
            })
            .ok_or_else(|| malformed(close + 1, "the outputs in parentheses"))?;
        let outputs = columns(inner)?;
        Ok(ProcedureDef::new(name, args, outputs))
    }

    /// The same procedure yielding `rows`: each holds the arguments, then the outputs; a call
    /// yields the outputs of every row whose arguments equal the call's (null equal to null).
    ///
    /// # Errors
    /// When a row does not hold one value per argument and output.
    pub fn with_rows(mut self, rows: Vec<Vec<QueryValue>>) -> Result<Self, ProcedureDefError> {
        let expected = self.args.len() + self.outputs.len();
        if let Some((row, found)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != expected)
            .map(|(i, r)| (i + 1, r.len()))
        {
            return Err(ProcedureDefError::RowWidth {
                name: self.name,
                row,
                found,
                expected,
            });
        }
        self.body = AddedBody::Table(rows);
        Ok(self)
    }

    /// The same procedure answering through `body`.
    pub fn with_body(
        mut self,
        body: impl Fn(&Graph, &[QueryValue]) -> Result<Vec<Vec<QueryValue>>, String>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.body = AddedBody::Closure(Arc::new(body));
        self
    }

    /// The same procedure with a help line.
    pub fn with_help(mut self, help: &str) -> Self {
        self.help = help.to_owned();
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn args(&self) -> &[Column] {
        &self.args
    }

    pub fn outputs(&self) -> &[Column] {
        &self.outputs
    }

    pub fn help(&self) -> &str {
        &self.help
    }
}

/// `a :: INTEGER?, b :: STRING` as columns; empty text is none.
fn columns(text: &str) -> Result<Vec<Column>, ProcedureDefError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|part| {
            let (name, kind) =
                part.split_once("::")
                    .ok_or_else(|| ProcedureDefError::Malformed {
                        signature: text.to_owned(),
                        at: 0,
                        expected: "`name :: TYPE`",
                    })?;
            let kind = kind.trim();
            let (kind, nullable) = match kind.strip_suffix('?') {
                Some(k) => (k, true),
                None => (kind, false),
            };
            Ok(Column {
                name: name.trim().to_owned(),
                kind: ValueType::from_name(kind)
                    .ok_or_else(|| ProcedureDefError::UnknownType(kind.to_owned()))?,
                nullable,
            })
        })
        .collect()
}

/// The procedures a statement may call: the built-in ones, and those a program added. A
/// `session::Session` keeps one; `query::prepare_with` plans against one.
#[derive(Clone, Debug, Default)]
pub struct Procedures {
    added: Vec<Arc<ProcedureDef>>,
}

impl Procedures {
    /// The built-in procedures only.
    pub fn new() -> Procedures {
        Procedures::default()
    }

    /// Adds `procedure`, replacing an added one of the same name (any case).
    ///
    /// # Errors
    /// When the name is a built-in procedure's.
    pub fn add(&mut self, procedure: ProcedureDef) -> Result<(), ProcedureDefError> {
        if resolve(&procedure.name).is_some() {
            return Err(ProcedureDefError::BuiltIn(procedure.name));
        }
        self.added
            .retain(|p| !p.name.eq_ignore_ascii_case(&procedure.name));
        self.added.push(Arc::new(procedure));
        Ok(())
    }

    /// Every procedure's name: the built-in ones, then the added ones.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        let builtin = PROCEDURES.iter().map(|s| -> &str { s.name });
        builtin.chain(self.added.iter().map(|p| p.name.as_str()))
    }

    /// The procedures the program added, in the order it added them.
    pub fn added(&self) -> impl Iterator<Item = &ProcedureDef> {
        self.added.iter().map(|p| &**p)
    }

    /// The procedure named `name` (any case).
    pub(crate) fn find(&self, name: &str) -> Option<Procedure> {
        if let Some(builtin) = resolve(name) {
            return Some(Procedure::Builtin(builtin));
        }
        self.added
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| Procedure::Added(Arc::clone(p)))
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
    body: Body,
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
        body,
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
            Ok(Rows::lazy(
                algo::centrality::degree(cx.graph)
                    .into_iter()
                    .map(|(n, s)| vec![QueryValue::Node(n), QueryValue::Int(s as i64)]),
            ))
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

/// The built-in procedure named `name` (any case).
pub(crate) fn resolve(name: &str) -> Option<&'static Signature> {
    PROCEDURES
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
}

/// Every built-in procedure's name, for suggestions, help and completion.
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
    Rows::lazy(
        list.into_iter()
            .map(|(n, s)| vec![QueryValue::Node(n), QueryValue::Float(s)]),
    )
}

/// An algorithm that was stopped gives no answer: the statement fails as interrupted.
fn finished<T>(cx: &Context<'_>, answer: Option<T>) -> Result<T, QueryError> {
    answer.ok_or_else(|| cx.interrupted())
}

/// Runs a procedure on its evaluated arguments, checked against the kinds its entry declares;
/// each row holds its output columns in order.
pub(crate) fn call(
    cx: &Context<'_>,
    procedure: &Procedure,
    args: &[QueryValue],
    at: usize,
) -> Result<Rows, QueryError> {
    let signature = match procedure {
        Procedure::Builtin(signature) => signature,
        Procedure::Added(def) => return call_added(cx, def, args, at),
    };
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
    let params = signature.args;
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
    let rows = (signature.body)(cx, &Given { values, at })?;
    cx.check_interrupt()?;
    Ok(rows)
}

/// Runs an added procedure: checks each argument against its declared type (an integer
/// where a float is wanted becomes one), then yields its table's matching rows or its
/// closure's.
fn call_added(
    cx: &Context<'_>,
    def: &ProcedureDef,
    args: &[QueryValue],
    at: usize,
) -> Result<Rows, QueryError> {
    let mut given = Vec::with_capacity(args.len());
    for (column, value) in def.args.iter().zip(args) {
        let checked = match value {
            QueryValue::Null if column.nullable || column.kind == ValueType::Any => {
                Some(QueryValue::Null)
            }
            QueryValue::Null => None,
            other => column.kind.accept(other),
        };
        let Some(checked) = checked else {
            return Err(QueryError::at(
                ErrorKind::Type,
                ErrorCode::InvalidArgumentType,
                cx.text,
                at,
                format!(
                    "argument `{}` of {} must be {}{}, not {}",
                    column.name,
                    def.name,
                    column.kind.name(),
                    if column.nullable { " or null" } else { "" },
                    describe(cx.graph, value)
                ),
                Some(format!("its signature: {}", def.usage())),
            ));
        };
        given.push(checked);
    }
    let width = def.args.len();
    let rows: Vec<Vec<QueryValue>> = match &def.body {
        AddedBody::Table(rows) => rows
            .iter()
            .filter(|row| {
                row.iter().zip(&given).all(|(have, want)| {
                    matches!((have, want), (QueryValue::Null, QueryValue::Null))
                        || equals(have, want) == Some(true)
                })
            })
            .map(|row| row[width..].to_vec())
            .collect(),
        AddedBody::Closure(body) => body(cx.graph, &given).map_err(|message| {
            QueryError::at(
                ErrorKind::Argument,
                ErrorCode::InvalidArgumentValue,
                cx.text,
                at,
                format!("{} failed: {message}", def.name),
                None,
            )
        })?,
    };
    if let Some(bad) = rows.iter().find(|r| r.len() != def.outputs.len()) {
        return Err(QueryError::at(
            ErrorKind::Argument,
            ErrorCode::InvalidArgumentValue,
            cx.text,
            at,
            format!(
                "{} yielded a row of {} values for its {} outputs",
                def.name,
                bad.len(),
                def.outputs.len()
            ),
            None,
        ));
    }
    cx.check_interrupt()?;
    Ok(Rows::lazy(rows.into_iter()))
}

impl ProcedureDef {
    /// `name(in :: INTEGER?) :: (out :: STRING?)`, as help and messages write it.
    pub fn usage(&self) -> String {
        let list = |columns: &[Column]| {
            columns
                .iter()
                .map(|c| {
                    format!(
                        "{} :: {}{}",
                        c.name,
                        c.kind.name(),
                        if c.nullable { "?" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{}({}) :: ({})",
            self.name,
            list(&self.args),
            list(&self.outputs)
        )
    }
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
            assert!(
                entry.example.contains(entry.name),
                "{}'s example does not call it",
                entry.name
            );
        }
    }

    #[test]
    fn signatures_read_as_cypher_writes_them() {
        let def = ProcedureDef::parse(
            "test.my.proc(name :: STRING?, in :: INTEGER) :: (out :: LIST OF ANY?)",
        )
        .expect("a signature");
        assert_eq!(def.name(), "test.my.proc");
        assert_eq!(def.args().len(), 2);
        assert!(def.args()[0].nullable && !def.args()[1].nullable);
        assert_eq!(def.args()[1].kind, ValueType::Integer);
        assert_eq!(def.outputs()[0].kind, ValueType::List);
        let none = ProcedureDef::parse("test.doNothing() :: ()").expect("no outputs");
        assert!(none.args().is_empty() && none.outputs().is_empty());
        assert!(matches!(
            ProcedureDef::parse("test.x(a :: WHOLE) :: ()"),
            Err(ProcedureDefError::UnknownType(t)) if t == "WHOLE"
        ));
        assert!(ProcedureDef::parse("test.x(a :: INTEGER)").is_err());
        assert!(matches!(
            none.with_rows(vec![vec![QueryValue::Int(1)]]),
            Err(ProcedureDefError::RowWidth {
                found: 1,
                expected: 0,
                ..
            })
        ));
    }

    #[test]
    fn a_builtin_name_cannot_be_taken() {
        let mut procedures = Procedures::new();
        let def = ProcedureDef::parse("algo.pageRank() :: (x :: ANY)").expect("a signature");
        assert!(matches!(
            procedures.add(def),
            Err(ProcedureDefError::BuiltIn(_))
        ));
        let mine = ProcedureDef::parse("my.one() :: (x :: ANY)").expect("a signature");
        procedures.add(mine.clone()).expect("a new name");
        procedures.add(mine).expect("replaced");
        assert_eq!(procedures.added().count(), 1);
        assert!(procedures.find("MY.ONE").is_some());
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
