//! The registry of the functions a query can call: one entry per function, with its name, its
//! arguments, a help line and what it does. The planner resolves names here (unknown names and
//! "did you mean"), the evaluator runs the bodies, and the shell's `:help` and Tab completion
//! list the entries; adding a function is adding one entry to `FUNCTIONS`.
//!
//! Why one file: the table is the documentation. Each entry's body is a closure of a few lines
//! beside its name, arity and help, so the whole language's function set reads in one place
//! and an entry cannot drift from its help; split by family, an entry's name and its body would
//! sit in two files. The few longer bodies (ranges, splitting, dates) follow the table.
//!
//! **Invariant:** names are matched without case, as in Cypher (`toLower`, `TOLOWER`).
//! **Invariant:** no body panics on any value; a value of the wrong type is a `QueryError` that
//! names it and the argument it came from.

use std::fmt;

use super::ast::Span;
use super::error::QueryError;
use super::eval::{Context, EvalResult, as_f64, describe};
use super::plan::{PExpr, PKind};
use super::temporal::{self, Kind as T};
use super::value::{Path, QueryValue as V};
use crate::model::Value;

/// What a scalar function does with its evaluated arguments (as many as its arity allows).
pub(crate) type Body = fn(&Call<'_, '_>, Vec<V>) -> EvalResult;

/// What a name in call position does.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// One value per row. With `null_in`, a null first argument gives null and the body does
    /// not run.
    Scalar { body: Body, null_in: bool },
    /// One value per group, computed by the executor.
    Aggregate(AggFunction),
}

/// One function of the registry.
pub struct Entry {
    /// The name as documentation writes it.
    pub name: &'static str,
    /// The arguments as help shows them, with what each must be: `(text, start [, length])`.
    pub args: &'static str,
    /// Fewest and most arguments (`usize::MAX`: any number).
    pub min_args: usize,
    pub max_args: usize,
    /// What it gives, in one line.
    pub help: &'static str,
    pub(crate) kind: Kind,
}

impl Entry {
    /// Whether it aggregates a group rather than computing a value per row.
    pub fn is_aggregate(&self) -> bool {
        matches!(self.kind, Kind::Aggregate(_))
    }
}

/// A scalar function as a plan holds it: a handle on its registry entry.
#[derive(Clone, Copy)]
pub(crate) struct Function(&'static Entry);

impl Function {
    pub(crate) fn name(self) -> &'static str {
        self.0.name
    }

    /// Runs the function on evaluated arguments; `call` says where it was written.
    pub(crate) fn run(self, call: &Call<'_, '_>, args: Vec<V>) -> EvalResult {
        match self.0.kind {
            Kind::Scalar { null_in: true, .. } if args.first().is_some_and(V::is_null) => {
                Ok(V::Null)
            }
            Kind::Scalar { body, .. } => body(call, args),
            // The planner never makes a scalar call of an aggregate.
            Kind::Aggregate(_) => Ok(V::Null),
        }
    }
}

impl PartialEq for Function {
    fn eq(&self, other: &Function) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Function {}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

/// An aggregating function: one value per group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AggFunction {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Collect,
    UsdTotal,
    PercentileDisc,
    PercentileCont,
    StDev,
    StDevP,
}

impl AggFunction {
    /// How many arguments it takes: the percentiles take the fraction after the value.
    pub(crate) fn arity(self) -> usize {
        match self {
            AggFunction::PercentileDisc | AggFunction::PercentileCont => 2,
            _ => 1,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find(|e| matches!(e.kind, Kind::Aggregate(f) if f == self))
            .map_or("?", |e| e.name)
    }
}

/// What a name in call position refers to.
pub(crate) enum Callee {
    Scalar {
        function: Function,
        min_args: usize,
        max_args: usize,
    },
    Aggregate(AggFunction),
}

/// The entry named `name` (any case).
pub fn lookup(name: &str) -> Option<&'static Entry> {
    FUNCTIONS.iter().find(|e| e.name.eq_ignore_ascii_case(name))
}

pub(crate) fn resolve(name: &str) -> Option<Callee> {
    let entry = lookup(name)?;
    Some(match entry.kind {
        Kind::Aggregate(f) => Callee::Aggregate(f),
        Kind::Scalar { .. } => Callee::Scalar {
            function: Function(entry),
            min_args: entry.min_args,
            max_args: entry.max_args,
        },
    })
}

/// Every function name, as written in documentation, for suggestions and completion.
pub fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|e| e.name)
}

/// Every entry, aggregates first, in the order help lists them.
pub fn entries() -> &'static [Entry] {
    FUNCTIONS
}

/// A call being evaluated: what a body reads besides its arguments' values.
pub(crate) struct Call<'a, 'g> {
    pub cx: &'a Context<'g>,
    pub name: &'static str,
    /// The argument expressions, for the place of an error.
    pub args: &'a [PExpr],
    /// The whole call.
    pub span: &'a Span,
}

impl Call<'_, '_> {
    fn graph(&self) -> &crate::store::Graph {
        self.cx.graph
    }

    /// Where argument `i` was written (the call when it has no such argument).
    fn at(&self, i: usize) -> &Span {
        self.args.get(i).map_or(self.span, |e| &e.span)
    }

    /// Argument `i` is `value`, not the `wanted` kind of value.
    fn wrong(&self, i: usize, value: &V, wanted: &str) -> QueryError {
        self.cx.type_error(
            self.at(i),
            format!(
                "{}() expects {wanted}, not {}",
                self.name,
                describe(self.cx.graph, value)
            ),
        )
    }

    /// Argument `i` is `value`, of a type the function converts nothing from: openCypher
    /// names this an invalid argument value of a type error (`toInteger([])`, `labels(1)`).
    fn wrong_value(&self, i: usize, value: &V, wanted: &str) -> QueryError {
        QueryError {
            code: super::error::ErrorCode::InvalidArgumentValue,
            ..self.wrong(i, value, wanted)
        }
    }

    /// Fails when the first argument is an element this statement deleted; `doing` says
    /// what the function would read of it.
    fn not_deleted(&self, value: &V, doing: &str) -> Result<(), QueryError> {
        if self.cx.gone(value) {
            Err(self.cx.deleted_error(self.at(0), value, doing))
        } else {
            Ok(())
        }
    }

    fn argument_error(&self, message: String, help: Option<String>) -> QueryError {
        self.cx.argument_error(self.span, message, help)
    }
}

/// The first argument, taken out of the list.
fn first(args: &mut [V]) -> V {
    args.first_mut()
        .map_or(V::Null, |v| std::mem::replace(v, V::Null))
}

fn keys<'k>(keys: impl Iterator<Item = &'k str>) -> V {
    V::List(keys.map(|k| V::String(k.to_owned())).collect())
}

/// A function of one string.
fn text(c: &Call<'_, '_>, mut args: Vec<V>, f: fn(&str) -> String) -> EvalResult {
    match first(&mut args) {
        V::String(s) => Ok(V::String(f(&s))),
        other => Err(c.wrong(0, &other, "a string")),
    }
}

/// A function of one number, computed in floating point.
fn float(c: &Call<'_, '_>, mut args: Vec<V>, f: fn(f64) -> f64) -> EvalResult {
    match first(&mut args) {
        v @ (V::Int(_) | V::Float(_)) => Ok(V::Float(f(as_f64(&v)))),
        other => Err(c.wrong(0, &other, "a number")),
    }
}

/// A function of one list.
fn of_list(c: &Call<'_, '_>, mut args: Vec<V>, f: fn(Vec<V>) -> V) -> EvalResult {
    match first(&mut args) {
        V::List(l) => Ok(f(l)),
        other => Err(c.wrong(0, &other, "a list")),
    }
}

/// A function of one path.
fn of_path(c: &Call<'_, '_>, mut args: Vec<V>, f: fn(Path) -> V) -> EvalResult {
    match first(&mut args) {
        V::Path(p) => Ok(f(p)),
        other => Err(c.wrong(0, &other, "a path")),
    }
}

/// Aggregates take one argument (count also takes `*`).
const fn aggregate(name: &'static str, help: &'static str, f: AggFunction) -> Entry {
    Entry {
        name,
        args: "(expression)",
        min_args: 1,
        max_args: 1,
        help,
        kind: Kind::Aggregate(f),
    }
}

/// A scalar function that gives null for a null first argument.
const fn scalar(
    name: &'static str,
    args: &'static str,
    (min_args, max_args): (usize, usize),
    help: &'static str,
    body: Body,
) -> Entry {
    Entry {
        name,
        args,
        min_args,
        max_args,
        help,
        kind: Kind::Scalar {
            body,
            null_in: true,
        },
    }
}

/// A scalar function that reads nulls itself: `entry`, with its body run on a null first
/// argument too.
const fn own_nulls(entry: Entry) -> Entry {
    match entry.kind {
        Kind::Scalar { body, .. } => Entry {
            kind: Kind::Scalar {
                body,
                null_in: false,
            },
            ..entry
        },
        Kind::Aggregate(_) => entry,
    }
}

/// The functions, aggregates first; help and completion list them in this order.
static FUNCTIONS: &[Entry] = &[
    aggregate(
        "count",
        "how many rows have a value (count(*): how many rows)",
        AggFunction::Count,
    ),
    aggregate(
        "sum",
        "the sum of the numbers (0 when there are none)",
        AggFunction::Sum,
    ),
    aggregate(
        "avg",
        "the mean of the numbers (null when there are none)",
        AggFunction::Avg,
    ),
    aggregate("min", "the least value", AggFunction::Min),
    aggregate("max", "the greatest value", AggFunction::Max),
    aggregate(
        "collect",
        "the values as a list, nulls left out",
        AggFunction::Collect,
    ),
    Entry {
        name: "usdTotal",
        args: "(relationship)",
        min_args: 1,
        max_args: 1,
        help: "the ties' amounts in US dollars, added; a note says what it left out (no rate, no amount) and what it counted at a bound (up to, at least)",
        kind: Kind::Aggregate(AggFunction::UsdTotal),
    },
    Entry {
        name: "percentileDisc",
        args: "(number, percentile: 0.0 to 1.0)",
        min_args: 2,
        max_args: 2,
        help: "the number at the percentile (0.5: the median), one of the values",
        kind: Kind::Aggregate(AggFunction::PercentileDisc),
    },
    Entry {
        name: "percentileCont",
        args: "(number, percentile: 0.0 to 1.0)",
        min_args: 2,
        max_args: 2,
        help: "the number at the percentile (0.5: the median), interpolated between the two values around it, as a float",
        kind: Kind::Aggregate(AggFunction::PercentileCont),
    },
    aggregate(
        "stDev",
        "the standard deviation of the numbers as a sample (n - 1), as a float; 0.0 for fewer than two",
        AggFunction::StDev,
    ),
    aggregate(
        "stDevP",
        "the standard deviation of the numbers as the whole population, as a float; 0.0 for none",
        AggFunction::StDevP,
    ),
    scalar(
        "id",
        "(node or relationship)",
        (1, 1),
        "the element's number",
        |c, mut a| {
            Ok(match first(&mut a) {
                V::Node(n) | V::DeletedNode(n) => V::Int(n.index() as i64),
                V::Relationship(r) => V::Int(r.index() as i64),
                V::DeletedRelationship(r) => V::Int(r.id.index() as i64),
                other => return Err(c.wrong(0, &other, "a node or a relationship")),
            })
        },
    ),
    scalar(
        "type",
        "(relationship)",
        (1, 1),
        "the relationship's type",
        |c, mut a| {
            Ok(match first(&mut a) {
                V::Relationship(r) => V::String(c.graph().edge_type(r).to_owned()),
                V::DeletedRelationship(r) => V::String(r.rel_type),
                other => return Err(c.wrong_value(0, &other, "a relationship")),
            })
        },
    ),
    scalar(
        "labels",
        "(node)",
        (1, 1),
        "the node's labels, as a list",
        |c, mut a| {
            let arg = first(&mut a);
            c.not_deleted(&arg, "read the labels of")?;
            Ok(match arg {
                V::Node(n) => V::List(
                    c.graph()
                        .node_labels(n)
                        .map(|l| V::String(l.to_owned()))
                        .collect(),
                ),
                other => return Err(c.wrong_value(0, &other, "a node")),
            })
        },
    ),
    scalar(
        "keys",
        "(node, relationship or map)",
        (1, 1),
        "the property keys, as a list",
        |c, mut a| {
            let arg = first(&mut a);
            c.not_deleted(&arg, "read the properties of")?;
            Ok(match arg {
                V::Node(n) => keys(c.graph().node_props(n).map(|(k, _)| k)),
                V::Relationship(r) => keys(c.graph().edge_props(r).map(|(k, _)| k)),
                V::Map(m) => V::List(m.into_keys().map(V::String).collect()),
                other => return Err(c.wrong(0, &other, "a node, a relationship or a map")),
            })
        },
    ),
    scalar(
        "properties",
        "(node, relationship or map)",
        (1, 1),
        "the properties, as a map",
        |c, mut a| {
            let arg = first(&mut a);
            c.not_deleted(&arg, "read the properties of")?;
            let graph = c.graph();
            Ok(match arg {
                V::Node(n) => V::Map(
                    graph
                        .node_props(n)
                        .map(|(k, v)| (k.to_owned(), V::from(v)))
                        .collect(),
                ),
                V::Relationship(r) => V::Map(
                    graph
                        .edge_props(r)
                        .map(|(k, v)| (k.to_owned(), V::from(v)))
                        .collect(),
                ),
                m @ V::Map(_) => m,
                other => return Err(c.wrong(0, &other, "a node, a relationship or a map")),
            })
        },
    ),
    scalar(
        "sources",
        "(node or relationship)",
        (1, 1),
        "the sources it cites, in order, as maps: id, title, publisher, date (url, language when given)",
        sources,
    ),
    scalar(
        "amountText",
        "(relationship)",
        (1, 1),
        "the tie's amount as tables show it, with its qualifier and currency: \"≤ $100B\", \"≈ €1.3B\" (null without one)",
        |c, mut a| match first(&mut a) {
            V::Relationship(r) => {
                let graph = c.graph();
                Ok(
                    crate::model::money::tie_amount(&|key| graph.edge_prop(r, key))
                        .map_or(V::Null, V::String),
                )
            }
            other => Err(c.wrong(0, &other, "a relationship")),
        },
    ),
    scalar(
        "length",
        "(path)",
        (1, 1),
        "how many relationships the path has",
        |c, mut a| {
            Ok(match first(&mut a) {
                V::Path(p) => V::Int(p.relationships.len() as i64),
                V::String(s) => V::Int(s.chars().count() as i64),
                V::List(l) => V::Int(l.len() as i64),
                other => return Err(c.wrong(0, &other, "a path")),
            })
        },
    ),
    scalar(
        "nodes",
        "(path)",
        (1, 1),
        "the path's nodes, in order",
        |c, a| {
            of_path(c, a, |p| {
                V::List(p.nodes.into_iter().map(V::Node).collect())
            })
        },
    ),
    scalar(
        "relationships",
        "(path)",
        (1, 1),
        "the path's relationships, in order",
        |c, a| {
            of_path(c, a, |p| {
                V::List(p.relationships.into_iter().map(V::Relationship).collect())
            })
        },
    ),
    scalar(
        "startNode",
        "(relationship)",
        (1, 1),
        "the node the relationship starts at",
        |c, a| end_node(c, a, true),
    ),
    scalar(
        "endNode",
        "(relationship)",
        (1, 1),
        "the node the relationship ends at",
        |c, a| end_node(c, a, false),
    ),
    scalar(
        "size",
        "(list, string or map)",
        (1, 1),
        "how many items, characters or entries",
        |c, mut a| {
            Ok(match first(&mut a) {
                V::List(l) => V::Int(l.len() as i64),
                V::String(s) => V::Int(s.chars().count() as i64),
                V::Map(m) => V::Int(m.len() as i64),
                other => return Err(c.wrong(0, &other, "a list or a string")),
            })
        },
    ),
    scalar(
        "head",
        "(list)",
        (1, 1),
        "the first item (null for an empty list)",
        |c, a| of_list(c, a, |l| l.into_iter().next().unwrap_or(V::Null)),
    ),
    scalar(
        "last",
        "(list)",
        (1, 1),
        "the last item (null for an empty list)",
        |c, a| of_list(c, a, |mut l| l.pop().unwrap_or(V::Null)),
    ),
    scalar(
        "tail",
        "(list)",
        (1, 1),
        "every item but the first",
        |c, a| of_list(c, a, |l| V::List(l.into_iter().skip(1).collect())),
    ),
    scalar(
        "reverse",
        "(list or string)",
        (1, 1),
        "the items or characters in reverse order",
        |c, mut a| {
            Ok(match first(&mut a) {
                V::List(mut l) => {
                    l.reverse();
                    V::List(l)
                }
                V::String(s) => V::String(s.chars().rev().collect()),
                other => return Err(c.wrong(0, &other, "a list or a string")),
            })
        },
    ),
    scalar(
        "range",
        "(start, end [, step]: integers)",
        (2, 3),
        "the integers from start to end, both included",
        range,
    ),
    own_nulls(scalar(
        "coalesce",
        "(value, ...)",
        (1, usize::MAX),
        "the first argument that is not null",
        |_, a| Ok(a.into_iter().find(|v| !v.is_null()).unwrap_or(V::Null)),
    )),
    scalar(
        "toLower",
        "(string)",
        (1, 1),
        "the string in lower case",
        |c, a| text(c, a, str::to_lowercase),
    ),
    scalar(
        "toUpper",
        "(string)",
        (1, 1),
        "the string in upper case",
        |c, a| text(c, a, str::to_uppercase),
    ),
    scalar(
        "toString",
        "(number, boolean, string or temporal value)",
        (1, 1),
        "the value as a string (floats as 1.5, Infinity, -Infinity, NaN; a temporal value in ISO 8601)",
        |c, a| convert(c, a, to_string, true),
    ),
    scalar(
        "toStringOrNull",
        "(value)",
        (1, 1),
        "the value as a string, as toString gives it; null for a value it cannot convert",
        |c, a| convert(c, a, to_string, false),
    ),
    scalar(
        "toInteger",
        "(number, boolean or string)",
        (1, 1),
        "the value as an integer (null when a string is not a number)",
        |c, a| convert(c, a, to_integer, true),
    ),
    scalar(
        "toIntegerOrNull",
        "(value)",
        (1, 1),
        "the value as an integer, as toInteger gives it; null for a value it cannot convert",
        |c, a| convert(c, a, to_integer, false),
    ),
    scalar(
        "toFloat",
        "(number or string)",
        (1, 1),
        "the value as a float (null when a string is not a number)",
        |c, a| convert(c, a, to_float, true),
    ),
    scalar(
        "toFloatOrNull",
        "(value)",
        (1, 1),
        "the value as a float, as toFloat gives it; null for a value it cannot convert",
        |c, a| convert(c, a, to_float, false),
    ),
    scalar(
        "toBoolean",
        "(boolean, string or integer)",
        (1, 1),
        "the value as a boolean (null for other strings than true and false)",
        |c, a| convert(c, a, to_boolean, true),
    ),
    scalar(
        "toBooleanOrNull",
        "(value)",
        (1, 1),
        "the value as a boolean, as toBoolean gives it; null for a value it cannot convert",
        |c, a| convert(c, a, to_boolean, false),
    ),
    own_nulls(scalar(
        "rand",
        "()",
        (0, 0),
        "a random float from 0.0 (included) to 1.0 (excluded), another on each call",
        |_, _| Ok(V::Float(random_fraction())),
    )),
    scalar(
        "trim",
        "(string)",
        (1, 1),
        "the string without spaces at either end",
        |c, a| text(c, a, |s| s.trim().to_owned()),
    ),
    scalar(
        "lTrim",
        "(string)",
        (1, 1),
        "the string without spaces at its start",
        |c, a| text(c, a, |s| s.trim_start().to_owned()),
    ),
    scalar(
        "rTrim",
        "(string)",
        (1, 1),
        "the string without spaces at its end",
        |c, a| text(c, a, |s| s.trim_end().to_owned()),
    ),
    scalar(
        "split",
        "(string, separator: string)",
        (2, 2),
        "the pieces of the string between separators, as a list",
        split,
    ),
    scalar(
        "substring",
        "(string, start [, length]: non-negative integers)",
        (2, 3),
        "the characters from start (0 is the first), at most length of them",
        |c, mut a| {
            let arg = first(&mut a);
            let V::String(s) = arg else {
                return Err(c.wrong(0, &arg, "a string"));
            };
            let start = match &a[1] {
                V::Int(i) if *i >= 0 => *i as usize,
                V::Null => return Ok(V::Null),
                other => return Err(c.wrong(1, other, "a non-negative integer start")),
            };
            let length = match a.get(2) {
                None => usize::MAX,
                Some(V::Int(i)) if *i >= 0 => *i as usize,
                Some(V::Null) => return Ok(V::Null),
                Some(other) => return Err(c.wrong(2, other, "a non-negative integer length")),
            };
            Ok(V::String(s.chars().skip(start).take(length).collect()))
        },
    ),
    scalar(
        "replace",
        "(string, search: string, replacement: string)",
        (3, 3),
        "the string with every search replaced",
        replace,
    ),
    scalar(
        "left",
        "(string, n: non-negative integer)",
        (2, 2),
        "the first n characters",
        |c, a| ends(c, a, true),
    ),
    scalar(
        "right",
        "(string, n: non-negative integer)",
        (2, 2),
        "the last n characters",
        |c, a| ends(c, a, false),
    ),
    scalar(
        "abs",
        "(number)",
        (1, 1),
        "the number without its sign",
        |c, mut a| {
            Ok(match first(&mut a) {
                V::Int(i) => V::Int(i.checked_abs().ok_or_else(|| {
                    c.cx.arithmetic_error(c.span, format!("abs({i}) overflows a 64-bit integer"))
                })?),
                V::Float(f) => V::Float(f.abs()),
                other => return Err(c.wrong(0, &other, "a number")),
            })
        },
    ),
    scalar(
        "round",
        "(number)",
        (1, 1),
        "the nearest whole number, as a float (halves round up)",
        // Cypher rounds halves up, towards positive infinity.
        |c, a| float(c, a, |x| (x + 0.5).floor()),
    ),
    scalar(
        "floor",
        "(number)",
        (1, 1),
        "the greatest whole number not above it, as a float",
        |c, a| float(c, a, f64::floor),
    ),
    scalar(
        "ceil",
        "(number)",
        (1, 1),
        "the least whole number not below it, as a float",
        |c, a| float(c, a, f64::ceil),
    ),
    scalar(
        "sqrt",
        "(number)",
        (1, 1),
        "the square root, as a float",
        |c, a| float(c, a, f64::sqrt),
    ),
    scalar(
        "sign",
        "(number)",
        (1, 1),
        "-1, 0 or 1, as the number's sign",
        |c, mut a| {
            Ok(match first(&mut a) {
                V::Int(i) => V::Int(i.signum()),
                V::Float(f) => V::Int(if f > 0.0 {
                    1
                } else if f < 0.0 {
                    -1
                } else {
                    0
                }),
                other => return Err(c.wrong(0, &other, "a number")),
            })
        },
    ),
    own_nulls(scalar(
        "exists",
        "(property or pattern)",
        (1, 1),
        "whether the value is not null, or the pattern has a match",
        |c, a| {
            Ok(match &a[0] {
                V::Bool(b) if matches!(c.args[0].kind, PKind::Pattern(_)) => V::Bool(*b),
                v => V::Bool(!v.is_null()),
            })
        },
    )),
    // Temporal values (openCypher): constructors, now in three flavours, truncation, and
    // durations. The bodies are in `query/temporal.rs`.
    own_nulls(scalar(
        "date",
        "([string, map or temporal])",
        (0, 1),
        "today, or the day written ('2025-08-22', '2015-W30-2', {year: 2025, month: 8}); a month or year is its first day",
        |c, mut a| make(c, T::Date, a.pop()),
    )),
    scalar(
        "period",
        "(string or map)",
        (1, 1),
        "a calendar period of the model: a year ('2025'), a month ('2025-08') or a day; compares at its start, coarser first",
        |c, mut a| period(c, first(&mut a)),
    ),
    own_nulls(scalar(
        "localtime",
        "([string, map or temporal])",
        (0, 1),
        "now, or the time of day written ('21:40:32.142', {hour: 21, minute: 40})",
        |c, mut a| make(c, T::LocalTime, a.pop()),
    )),
    own_nulls(scalar(
        "time",
        "([string, map or temporal])",
        (0, 1),
        "now, or the time of day at an offset ('21:40+01:00', {hour: 21, timezone: '+01:00'})",
        |c, mut a| make(c, T::Time, a.pop()),
    )),
    own_nulls(scalar(
        "localdatetime",
        "([string, map or temporal])",
        (0, 1),
        "now, or the day and time written ('2015-07-21T21:40:32')",
        |c, mut a| make(c, T::LocalDateTime, a.pop()),
    )),
    own_nulls(scalar(
        "datetime",
        "([string, map or temporal])",
        (0, 1),
        "now, or the day and time in a zone ('2015-07-21T21:40+02:00[Europe/Stockholm]')",
        |c, mut a| make(c, T::DateTime, a.pop()),
    )),
    own_nulls(scalar(
        "date.transaction",
        "([timezone])",
        (0, 1),
        "today (in the zone given, UTC otherwise)",
        |c, mut a| now_in(c, T::Date, a.pop()),
    )),
    own_nulls(scalar(
        "date.statement",
        "([timezone])",
        (0, 1),
        "today (in the zone given, UTC otherwise)",
        |c, mut a| now_in(c, T::Date, a.pop()),
    )),
    own_nulls(scalar(
        "date.realtime",
        "([timezone])",
        (0, 1),
        "today (in the zone given, UTC otherwise)",
        |c, mut a| now_in(c, T::Date, a.pop()),
    )),
    own_nulls(scalar(
        "localtime.transaction",
        "([timezone])",
        (0, 1),
        "the time now (in the zone given, UTC otherwise)",
        |c, mut a| now_in(c, T::LocalTime, a.pop()),
    )),
    own_nulls(scalar(
        "localtime.statement",
        "([timezone])",
        (0, 1),
        "the time now (in the zone given, UTC otherwise)",
        |c, mut a| now_in(c, T::LocalTime, a.pop()),
    )),
    own_nulls(scalar(
        "localtime.realtime",
        "([timezone])",
        (0, 1),
        "the time now (in the zone given, UTC otherwise)",
        |c, mut a| now_in(c, T::LocalTime, a.pop()),
    )),
    own_nulls(scalar(
        "time.transaction",
        "([timezone])",
        (0, 1),
        "the time now with its offset",
        |c, mut a| now_in(c, T::Time, a.pop()),
    )),
    own_nulls(scalar(
        "time.statement",
        "([timezone])",
        (0, 1),
        "the time now with its offset",
        |c, mut a| now_in(c, T::Time, a.pop()),
    )),
    own_nulls(scalar(
        "time.realtime",
        "([timezone])",
        (0, 1),
        "the time now with its offset",
        |c, mut a| now_in(c, T::Time, a.pop()),
    )),
    own_nulls(scalar(
        "localdatetime.transaction",
        "([timezone])",
        (0, 1),
        "the day and time now",
        |c, mut a| now_in(c, T::LocalDateTime, a.pop()),
    )),
    own_nulls(scalar(
        "localdatetime.statement",
        "([timezone])",
        (0, 1),
        "the day and time now",
        |c, mut a| now_in(c, T::LocalDateTime, a.pop()),
    )),
    own_nulls(scalar(
        "localdatetime.realtime",
        "([timezone])",
        (0, 1),
        "the day and time now",
        |c, mut a| now_in(c, T::LocalDateTime, a.pop()),
    )),
    own_nulls(scalar(
        "datetime.transaction",
        "([timezone])",
        (0, 1),
        "the day and time now, in the zone given (UTC otherwise)",
        |c, mut a| now_in(c, T::DateTime, a.pop()),
    )),
    own_nulls(scalar(
        "datetime.statement",
        "([timezone])",
        (0, 1),
        "the day and time now, in the zone given (UTC otherwise)",
        |c, mut a| now_in(c, T::DateTime, a.pop()),
    )),
    own_nulls(scalar(
        "datetime.realtime",
        "([timezone])",
        (0, 1),
        "the day and time now, in the zone given (UTC otherwise)",
        |c, mut a| now_in(c, T::DateTime, a.pop()),
    )),
    own_nulls(scalar(
        "date.truncate",
        "(unit, temporal [, map])",
        (2, 3),
        "the date at the start of its unit ('year', 'quarter', 'month', 'week', …), then the map's components set",
        |c, a| cut(c, T::Date, a),
    )),
    own_nulls(scalar(
        "localtime.truncate",
        "(unit, temporal [, map])",
        (2, 3),
        "the time at the start of its unit ('hour', 'minute', 'second', …)",
        |c, a| cut(c, T::LocalTime, a),
    )),
    own_nulls(scalar(
        "time.truncate",
        "(unit, temporal [, map])",
        (2, 3),
        "the time at the start of its unit, with its offset",
        |c, a| cut(c, T::Time, a),
    )),
    own_nulls(scalar(
        "localdatetime.truncate",
        "(unit, temporal [, map])",
        (2, 3),
        "the day and time at the start of its unit",
        |c, a| cut(c, T::LocalDateTime, a),
    )),
    own_nulls(scalar(
        "datetime.truncate",
        "(unit, temporal [, map])",
        (2, 3),
        "the day and time at the start of its unit, in its zone (or the map's timezone)",
        |c, a| cut(c, T::DateTime, a),
    )),
    own_nulls(scalar(
        "datetime.fromepoch",
        "(seconds, nanoseconds)",
        (2, 2),
        "the UTC date time that many seconds and nanoseconds after 1970-01-01",
        |c, a| match (&a[0], &a[1]) {
            (V::Null, _) | (_, V::Null) => Ok(V::Null),
            (V::Int(s), V::Int(n)) => in_time(
                c,
                temporal::from_epoch(i128::from(*s) * 1_000_000_000 + i128::from(*n)),
            ),
            (V::Int(_), other) => Err(c.wrong(1, other, "an integer")),
            (other, _) => Err(c.wrong(0, other, "an integer")),
        },
    )),
    own_nulls(scalar(
        "datetime.fromepochmillis",
        "(milliseconds)",
        (1, 1),
        "the UTC date time that many milliseconds after 1970-01-01",
        |c, a| match &a[0] {
            V::Null => Ok(V::Null),
            V::Int(ms) => in_time(c, temporal::from_epoch(i128::from(*ms) * 1_000_000)),
            other => Err(c.wrong(0, other, "an integer")),
        },
    )),
    own_nulls(scalar(
        "duration",
        "(string or map)",
        (1, 1),
        "a duration: 'P1Y2M3DT4H', {days: 14, hours: 16} (fractions carry down)",
        |c, mut a| in_time(c, temporal::duration(first(&mut a))),
    )),
    own_nulls(scalar(
        "duration.between",
        "(from, to)",
        (2, 2),
        "the duration from one temporal value to another: whole months, days, then the time",
        |c, a| in_time(c, temporal::between(temporal::Between::All, &a[0], &a[1])),
    )),
    own_nulls(scalar(
        "duration.inMonths",
        "(from, to)",
        (2, 2),
        "the whole months from one temporal value to another",
        |c, a| {
            in_time(
                c,
                temporal::between(temporal::Between::Months, &a[0], &a[1]),
            )
        },
    )),
    own_nulls(scalar(
        "duration.inDays",
        "(from, to)",
        (2, 2),
        "the whole days from one temporal value to another",
        |c, a| in_time(c, temporal::between(temporal::Between::Days, &a[0], &a[1])),
    )),
    own_nulls(scalar(
        "duration.inSeconds",
        "(from, to)",
        (2, 2),
        "the time from one temporal value to another, in seconds and nanoseconds",
        |c, a| {
            in_time(
                c,
                temporal::between(temporal::Between::Seconds, &a[0], &a[1]),
            )
        },
    )),
    own_nulls(scalar(
        "linenumber",
        "()",
        (0, 0),
        "within LOAD CSV, the line of the file the record starts on (from 1); null elsewhere",
        |_, _| Ok(V::Null),
    )),
    own_nulls(scalar(
        "file",
        "()",
        (0, 0),
        "within LOAD CSV, the path of the file being read; null elsewhere",
        |_, _| Ok(V::Null),
    )),
];

/// A conversion: the value it gives, or `Err(what it converts from)` for a value it cannot.
type Conversion = fn(&Call<'_, '_>, V) -> Result<V, (V, &'static str)>;

/// Runs `conversion` on the first argument; a value it cannot convert is an error when
/// `strict` (`toInteger`), null otherwise (`toIntegerOrNull`).
fn convert(c: &Call<'_, '_>, mut a: Vec<V>, conversion: Conversion, strict: bool) -> EvalResult {
    match conversion(c, first(&mut a)) {
        Ok(v) => Ok(v),
        Err((other, wanted)) if strict => Err(c.wrong_value(0, &other, wanted)),
        Err(_) => Ok(V::Null),
    }
}

fn to_string(c: &Call<'_, '_>, v: V) -> Result<V, (V, &'static str)> {
    match v {
        v @ (V::Int(_) | V::Float(_) | V::Bool(_) | V::String(_) | V::Date(_) | V::Temporal(_)) => {
            Ok(V::String(super::result::plain_text(c.graph(), &v)))
        }
        other => Err((other, "a number, boolean, string or temporal value")),
    }
}

fn to_integer(_: &Call<'_, '_>, v: V) -> Result<V, (V, &'static str)> {
    let whole = |f: f64| (f.is_finite() && f.abs() < 9.2e18).then(|| f.trunc() as i64);
    Ok(match v {
        V::Int(i) => V::Int(i),
        V::Float(f) => whole(f).map_or(V::Null, V::Int),
        V::Bool(b) => V::Int(i64::from(b)),
        V::String(s) => {
            let t = s.trim();
            t.parse::<i64>()
                .ok()
                .or_else(|| t.parse::<f64>().ok().and_then(whole))
                .map_or(V::Null, V::Int)
        }
        other => return Err((other, "a number, boolean or string")),
    })
}

fn to_float(_: &Call<'_, '_>, v: V) -> Result<V, (V, &'static str)> {
    Ok(match v {
        V::Int(i) => V::Float(i as f64),
        V::Float(f) => V::Float(f),
        V::String(s) => s.trim().parse::<f64>().map_or(V::Null, V::Float),
        other => return Err((other, "a number or a string")),
    })
}

fn to_boolean(_: &Call<'_, '_>, v: V) -> Result<V, (V, &'static str)> {
    Ok(match v {
        V::Bool(b) => V::Bool(b),
        V::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => V::Bool(true),
            "false" => V::Bool(false),
            _ => V::Null,
        },
        V::Int(i) => V::Bool(i != 0),
        other => return Err((other, "a boolean, string or integer")),
    })
}

/// A random fraction in [0, 1): the standard library's randomly keyed hasher over a counter,
/// so that no two calls of a run repeat.
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The `sources` property an element cites sources by.
const SOURCES_KEY: &str = "sources";

/// `sources(x)`: one map per source id in `x.sources`, in citation order. A source the graph
/// defines gives its fields (url and language only when it has them); an id it does not
/// define (the open schema allows one) gives a map of the id alone. A single id written as a
/// string counts as a list of one.
fn sources(c: &Call<'_, '_>, mut a: Vec<V>) -> EvalResult {
    let arg = first(&mut a);
    c.not_deleted(&arg, "read the sources of")?;
    let graph = c.graph();
    let cited = match &arg {
        V::Node(n) => graph.node_prop(*n, SOURCES_KEY),
        V::Relationship(r) => graph.edge_prop(*r, SOURCES_KEY),
        other => return Err(c.wrong(0, other, "a node or a relationship")),
    };
    let ids = match cited {
        None => Vec::new(),
        Some(Value::String(id)) => vec![id],
        Some(value) => value.string_list().ok_or_else(|| {
            c.cx.type_error(
                c.at(0),
                format!(
                    "sources() reads the {SOURCES_KEY} property as a list of source ids, but {} has {}",
                    describe(graph, &arg),
                    describe(graph, &V::from(value))
                ),
            )
        })?,
    };
    let text = |s: &str| V::String(s.to_owned());
    let mut bytes = 0usize;
    let mut maps = Vec::with_capacity(ids.len());
    for id in ids {
        let mut map = std::collections::BTreeMap::new();
        if let Some(source) = graph.source(&id) {
            map.insert("title".to_owned(), text(&source.title));
            map.insert("publisher".to_owned(), text(&source.publisher));
            if let Some(date) = source.date {
                map.insert("date".to_owned(), V::Date(date));
            }
            if let Some(url) = &source.url {
                map.insert("url".to_owned(), text(url));
            }
            if let Some(language) = &source.language {
                map.insert("language".to_owned(), text(language));
            }
        }
        map.insert("id".to_owned(), V::String(id));
        bytes = bytes.saturating_add(
            map.iter()
                .map(|(k, v)| {
                    k.len()
                        + 2 * std::mem::size_of::<V>()
                        + match v {
                            V::String(s) => s.len(),
                            _ => 0,
                        }
                })
                .sum(),
        );
        c.cx.check_fits(bytes, c.span.start)?;
        maps.push(V::Map(map));
    }
    Ok(V::List(maps))
}

/// `startNode` (`start`) and `endNode`.
fn end_node(c: &Call<'_, '_>, mut a: Vec<V>, start: bool) -> EvalResult {
    let graph = c.graph();
    Ok(match first(&mut a) {
        V::Relationship(r) => match graph.edge_endpoints(r) {
            Some((from, to)) => V::Node(if start { from } else { to }),
            None => {
                return Err(c
                    .cx
                    .deleted_error(c.at(0), &V::Relationship(r), "read the ends of"));
            }
        },
        // The ends of a deleted relationship are deleted too when they are gone.
        V::DeletedRelationship(r) => {
            let n = if start { r.start } else { r.end };
            if graph.contains_node(n) {
                V::Node(n)
            } else {
                V::DeletedNode(n)
            }
        }
        other => return Err(c.wrong(0, &other, "a relationship")),
    })
}

fn range(c: &Call<'_, '_>, a: Vec<V>) -> EvalResult {
    let int = |i: usize| -> Result<i64, QueryError> {
        match a.get(i) {
            Some(V::Int(v)) => Ok(*v),
            Some(other) => Err(c.wrong(i, other, "integers")),
            None => Ok(1),
        }
    };
    let (start, end, step) = (int(0)?, int(1)?, int(2)?);
    if step == 0 {
        return Err(QueryError {
            code: super::error::ErrorCode::NumberOutOfRange,
            ..c.argument_error(
                "range() cannot step by 0".to_owned(),
                Some("use a positive step to count up, a negative one to count down".to_owned()),
            )
        });
    }
    let count = if (step > 0 && start > end) || (step < 0 && start < end) {
        0
    } else {
        ((i128::from(end) - i128::from(start)) / i128::from(step) + 1) as u128
    };
    if count > 10_000_000 {
        return Err(c.argument_error(
            format!("range() would make {count} numbers; the most is 10000000"),
            None,
        ));
    }
    c.cx.check_fits(
        (count as usize).saturating_mul(std::mem::size_of::<V>()),
        c.span.start,
    )?;
    // Every element lies between start and end, so only the arithmetic needs i128.
    Ok(V::List(
        (0..count as i128)
            .map(|k| V::Int((i128::from(start) + k * i128::from(step)) as i64))
            .collect(),
    ))
}

fn split(c: &Call<'_, '_>, mut a: Vec<V>) -> EvalResult {
    Ok(match (first(&mut a), &a[1]) {
        (V::String(s), V::String(sep)) => {
            // At most one piece per character, each a value of its own.
            c.cx.check_fits(
                s.len().saturating_mul(std::mem::size_of::<V>() + 4) / sep.len().max(1),
                c.span.start,
            )?;
            if sep.is_empty() {
                V::List(s.chars().map(|ch| V::String(ch.to_string())).collect())
            } else {
                V::List(
                    s.split(sep.as_str())
                        .map(|p| V::String(p.to_owned()))
                        .collect(),
                )
            }
        }
        (_, V::Null) => V::Null,
        (V::String(_), other) => return Err(c.wrong(1, other, "a string separator")),
        (other, _) => return Err(c.wrong(0, &other, "a string")),
    })
}

fn replace(c: &Call<'_, '_>, mut a: Vec<V>) -> EvalResult {
    Ok(match (first(&mut a), &a[1], &a[2]) {
        (V::String(s), V::String(from), V::String(to)) => {
            c.cx.check_fits(
                (s.len() / from.len().max(1))
                    .saturating_mul(to.len())
                    .saturating_add(s.len()),
                c.span.start,
            )?;
            if from.is_empty() {
                V::String(s)
            } else {
                V::String(s.replace(from.as_str(), to))
            }
        }
        (_, V::Null, _) | (_, _, V::Null) => V::Null,
        (V::String(_), from, to) => {
            let (i, bad) = if matches!(from, V::String(_)) {
                (2, to)
            } else {
                (1, from)
            };
            return Err(c.wrong(i, bad, "a string"));
        }
        (other, ..) => return Err(c.wrong(0, &other, "a string")),
    })
}

/// `left` (`from_start`) and `right`.
fn ends(c: &Call<'_, '_>, mut a: Vec<V>, from_start: bool) -> EvalResult {
    let arg = first(&mut a);
    let V::String(s) = arg else {
        return Err(c.wrong(0, &arg, "a string"));
    };
    let n = match &a[1] {
        V::Int(i) if *i >= 0 => *i as usize,
        V::Null => return Ok(V::Null),
        other => return Err(c.wrong(1, other, "a non-negative integer")),
    };
    let count = s.chars().count();
    Ok(V::String(if from_start {
        s.chars().take(n).collect()
    } else {
        s.chars().skip(count.saturating_sub(n)).collect()
    }))
}

/// `period("2025-08")`: the model's own dates, which keep the precision written.
fn period(c: &Call<'_, '_>, arg: V) -> EvalResult {
    let text = match arg {
        V::Date(d) => return Ok(V::Date(d)),
        V::String(s) => s,
        V::Map(m) => {
            let part = |k: &str| match m.get(k) {
                None | Some(V::Null) => Ok(None),
                Some(V::Int(i)) => Ok(Some(*i)),
                Some(other) => Err(c.wrong(0, other, &format!("an integer {k}"))),
            };
            let (year, month, day) = (part("year")?, part("month")?, part("day")?);
            match (year, month, day) {
                (Some(y), None, None) => format!("{y:04}"),
                (Some(y), Some(m), None) => format!("{y:04}-{m:02}"),
                (Some(y), Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
                _ => {
                    return Err(c.argument_error(
                        "period() needs a year, then a month, then a day".to_owned(),
                        Some("write period({year: 2025, month: 8})".to_owned()),
                    ));
                }
            }
        }
        other => return Err(c.wrong(0, &other, "text such as \"2025-08\" or a map")),
    };
    text.parse::<crate::model::Date>()
        .map(V::Date)
        .map_err(|e| {
            c.argument_error(
                e.to_string(),
                Some("write a day (2025-08-22), a month (2025-08) or a year (2025)".to_owned()),
            )
        })
}

/// A temporal body's answer, its refusal placed at the call.
fn in_time(c: &Call<'_, '_>, answer: Result<V, String>) -> EvalResult {
    answer.map_err(|message| c.argument_error(message, None))
}

/// The statement's "now", read once per statement.
fn clock(c: &Call<'_, '_>) -> i128 {
    *c.cx.clock.get_or_init(temporal::now_nanos)
}

/// `date(x)`, `datetime(x)` and the other constructors.
fn make(c: &Call<'_, '_>, kind: T, arg: Option<V>) -> EvalResult {
    match &arg {
        Some(v @ (V::Int(_) | V::Float(_) | V::Bool(_) | V::List(_))) => {
            Err(c.wrong(0, v, "text, a map or a temporal value"))
        }
        _ => in_time(c, temporal::construct(kind, arg, clock(c))),
    }
}

/// `date.transaction([timezone])` and the other clocks.
fn now_in(c: &Call<'_, '_>, kind: T, zone: Option<V>) -> EvalResult {
    match zone {
        None => in_time(c, temporal::construct(kind, None, clock(c))),
        Some(V::Null) => Ok(V::Null),
        Some(V::String(zone)) => {
            let map = std::iter::once(("timezone".to_owned(), V::String(zone))).collect();
            in_time(c, temporal::construct(kind, Some(V::Map(map)), clock(c)))
        }
        Some(other) => Err(c.wrong(0, &other, "a time zone")),
    }
}

/// `date.truncate(unit, value [, map])` and the others.
fn cut(c: &Call<'_, '_>, kind: T, mut args: Vec<V>) -> EvalResult {
    let map = match args.get(2) {
        None | Some(V::Null) => None,
        Some(V::Map(m)) => Some(m.clone()),
        Some(other) => return Err(c.wrong(2, other, "a map")),
    };
    let value = args
        .get_mut(1)
        .map_or(V::Null, |v| std::mem::replace(v, V::Null));
    match &args[0] {
        V::String(unit) => in_time(
            c,
            temporal::truncate(kind, unit, &value, map.as_ref(), clock(c)),
        ),
        V::Null => Ok(V::Null),
        other => Err(c.wrong(0, other, "a unit such as 'month'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_a_unique_name_a_help_line_and_a_sound_arity() {
        let mut seen = std::collections::BTreeSet::new();
        for entry in FUNCTIONS {
            assert!(
                seen.insert(entry.name.to_ascii_lowercase()),
                "{} is registered twice",
                entry.name
            );
            assert!(!entry.help.trim().is_empty(), "{} has no help", entry.name);
            assert!(
                entry.args.starts_with('(') && entry.args.ends_with(')'),
                "{}: {}",
                entry.name,
                entry.args
            );
            assert!(entry.min_args <= entry.max_args, "{}", entry.name);
            assert!(
                lookup(&entry.name.to_ascii_uppercase()).is_some_and(|e| std::ptr::eq(e, entry))
            );
        }
    }

    #[test]
    fn every_aggregate_resolves_as_one_and_names_itself() {
        for entry in FUNCTIONS {
            match (resolve(entry.name), entry.kind) {
                (Some(Callee::Aggregate(f)), Kind::Aggregate(g)) => {
                    assert_eq!(f, g);
                    assert_eq!(f.name(), entry.name);
                }
                (Some(Callee::Scalar { function, .. }), Kind::Scalar { .. }) => {
                    assert_eq!(function.name(), entry.name);
                }
                _ => panic!("{} resolves to another kind", entry.name),
            }
        }
        assert!(resolve("noSuchFunction").is_none());
    }
}
