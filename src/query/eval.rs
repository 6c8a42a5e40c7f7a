//! Evaluates compiled expressions over a row: operators with Cypher's null semantics, property
//! access; the scalar functions' bodies are entries of `functions.rs`.
//!
//! **Invariant:** evaluation never panics on any value: every operator and function either
//! returns a value or a `QueryError` that names the value it could not use and where.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::ast::{BinaryOp, Quantifier, Span, SubqueryKind, UnaryOp};
use super::error::{ErrorCode, ErrorKind, QueryError};
use super::plan::{MapPart, PExpr, PKind};
use super::value::{Path, QueryValue, compare, equals};
use crate::store::Graph;

/// Parameter values by name.
pub type Params = BTreeMap<String, QueryValue>;

/// A list's items, and a row with room for the variable that walks them.
type ListScope = (Vec<QueryValue>, Vec<QueryValue>);

/// What evaluation reads besides the row.
pub(crate) struct Context<'g> {
    pub graph: &'g Graph,
    pub params: &'g Params,
    /// The whole query text, for error positions.
    pub text: &'g str,
    /// The bounds this run keeps to, and the flag that stops it.
    pub limits: &'g super::limits::Limits,
    /// What the statement has to tell about bounds it met.
    pub notes: &'g super::limits::Notes,
    /// What the statement holds, against the memory budget of `limits`.
    pub memory: &'g super::limits::Memory,
    /// The statement's clock: the instant `datetime()` and the other clocks read, taken at
    /// its first reading, so that one statement sees one "now".
    pub clock: &'g std::cell::OnceCell<i128>,
    /// The counters of a profiled run (`PROFILE`); `None` when not profiling.
    pub profile: Option<&'g super::profile::Profiler>,
}

impl<'g> Context<'g> {
    /// While profiling, makes `part` the operator at work until the guard is dropped.
    #[inline]
    pub(crate) fn enter<T>(
        &self,
        part: &T,
        kind: super::profile::PartKind,
    ) -> Option<super::profile::Entered<'g>> {
        self.profile
            .map(|p| p.enter(super::profile::Part::of(part, kind)))
    }

    /// While profiling, counts a row that `part` handed on.
    #[inline]
    pub(crate) fn count<T>(&self, part: &T, kind: super::profile::PartKind) {
        if let Some(p) = self.profile {
            p.rows(super::profile::Part::of(part, kind), 1);
        }
    }
}

pub(crate) type EvalResult = Result<QueryValue, QueryError>;

/// How a value reads in a message: its type, and the value itself when short.
pub(crate) fn describe(graph: &Graph, value: &QueryValue) -> String {
    match value {
        QueryValue::Null => "null".to_owned(),
        QueryValue::Node(n) => format!("the node ({})", graph.display_name(*n)),
        QueryValue::Relationship(r) => format!("a relationship of type {}", graph.edge_type(*r)),
        QueryValue::DeletedNode(n) => format!("node #{} (deleted by this statement)", n.index()),
        QueryValue::DeletedRelationship(r) => format!(
            "a relationship of type {} (deleted by this statement)",
            r.rel_type
        ),
        QueryValue::Path(_) | QueryValue::Map(_) => value.type_name().to_owned(),
        QueryValue::List(items) if items.len() > 5 => "a list".to_owned(),
        other => {
            let text = super::result::literal(graph, other);
            let text: String = if text.chars().count() > 40 {
                text.chars().take(37).collect::<String>() + "..."
            } else {
                text
            };
            format!("{} {text}", other.type_name())
        }
    }
}

impl Context<'_> {
    /// Fails when the statement was asked to stop; long loops call this as they go.
    pub(crate) fn check_interrupt(&self) -> Result<(), QueryError> {
        if self.limits.interrupted() {
            Err(self.interrupted())
        } else {
            Ok(())
        }
    }

    /// The error of a statement that was stopped.
    pub(crate) fn interrupted(&self) -> QueryError {
        QueryError::at(
            ErrorKind::Interrupted,
            ErrorCode::Interrupted,
            self.text,
            0,
            "the statement was interrupted; it changed nothing".to_owned(),
            None,
        )
    }

    /// Counts `bytes` more as held by the statement, or fails with the budget's message at
    /// `at` (a byte offset of the query text).
    pub(crate) fn charge(&self, bytes: usize, at: usize) -> Result<(), QueryError> {
        if self.memory.charge(bytes) {
            Ok(())
        } else {
            Err(self.memory_error(at))
        }
    }

    /// Fails when a value of `bytes` would not fit in what is left of the budget; for values
    /// about to be built, before they are.
    pub(crate) fn check_fits(&self, bytes: usize, at: usize) -> Result<(), QueryError> {
        if self.memory.fits(bytes) {
            Ok(())
        } else {
            Err(self.memory_error(at))
        }
    }

    pub(crate) fn release(&self, bytes: usize) {
        self.memory.release(bytes);
    }

    fn memory_error(&self, at: usize) -> QueryError {
        QueryError::at(
            ErrorKind::Limit,
            ErrorCode::MemoryLimit,
            self.text,
            at,
            format!(
                "the statement needs more than {} MB of memory here; it was stopped and changed nothing",
                self.limits.max_memory_mb()
            ),
            Some(
                "narrow it (a WHERE, a LIMIT, fewer items), or raise the memory budget (max-memory)"
                    .to_owned(),
            ),
        )
    }

    /// The items a list comprehension or predicate walks (`value`, what `list` gave), with a
    /// copy of `row` that has room for its variable at `slot`; `None` for a null list.
    fn list_scope(
        &self,
        list: &PExpr,
        value: QueryValue,
        row: &[QueryValue],
        slot: usize,
    ) -> Result<Option<ListScope>, QueryError> {
        let items = match value {
            QueryValue::Null => return Ok(None),
            QueryValue::List(items) => items,
            other => {
                return Err(self.type_error(
                    &list.span,
                    format!("IN expects a list, not {}", describe(self.graph, &other)),
                ));
            }
        };
        let mut inner = row.to_vec();
        if inner.len() <= slot {
            inner.resize(slot + 1, QueryValue::Null);
        }
        Ok(Some((items, inner)))
    }

    pub(crate) fn type_error(&self, span: &Span, message: String) -> QueryError {
        QueryError::at(
            ErrorKind::Type,
            ErrorCode::InvalidArgumentType,
            self.text,
            span.start,
            message,
            None,
        )
    }

    /// Reading or changing what a deleted element no longer has: its labels or properties.
    /// `doing` says what, as in "read the properties of".
    pub(crate) fn deleted_error(&self, span: &Span, value: &QueryValue, doing: &str) -> QueryError {
        // Within its DELETE clause an element is gone from the graph before its value says so.
        let what = match value {
            QueryValue::Node(n) => describe(self.graph, &QueryValue::DeletedNode(*n)),
            QueryValue::Relationship(r) => {
                format!("relationship #{} (deleted by this statement)", r.index())
            }
            other => describe(self.graph, other),
        };
        QueryError::at(
            ErrorKind::Semantic,
            ErrorCode::DeletedEntityAccess,
            self.text,
            span.start,
            format!("cannot {doing} {what}"),
            Some(
                "use labels and properties before the DELETE: WITH n, n.name AS name DELETE n RETURN name"
                    .to_owned(),
            ),
        )
    }

    /// A node or relationship gone from the graph, as the deleted value it now is: an element
    /// is deleted at once within its `DELETE` clause, and becomes a deleted value at its end.
    pub(crate) fn gone(&self, value: &QueryValue) -> bool {
        match value {
            QueryValue::Node(n) => !self.graph.contains_node(*n),
            QueryValue::Relationship(r) => !self.graph.contains_edge(*r),
            QueryValue::DeletedNode(_) | QueryValue::DeletedRelationship(_) => true,
            _ => false,
        }
    }

    pub(crate) fn argument_error(
        &self,
        span: &Span,
        message: String,
        help: Option<String>,
    ) -> QueryError {
        QueryError::at(
            ErrorKind::Argument,
            ErrorCode::InvalidArgumentValue,
            self.text,
            span.start,
            message,
            help,
        )
    }

    pub(crate) fn arithmetic_error(&self, span: &Span, message: String) -> QueryError {
        QueryError::at(
            ErrorKind::Argument,
            ErrorCode::ArithmeticError,
            self.text,
            span.start,
            message,
            None,
        )
    }

    /// Evaluates `expr` over `row`; `aggregates` holds the group's aggregate results when a
    /// projection aggregates.
    pub(crate) fn eval(
        &self,
        expr: &PExpr,
        row: &[QueryValue],
        aggregates: &[QueryValue],
    ) -> EvalResult {
        // The parser bounds how deep expressions nest; this keeps a thread with a small stack
        // safe at that depth. Leaves recurse no further, so they skip the check.
        match &expr.kind {
            PKind::Const(_) | PKind::Param(_) | PKind::Slot(_) => {
                self.eval_unguarded(expr, row, aggregates)
            }
            _ => super::parser::guard_stack(|| self.eval_unguarded(expr, row, aggregates)),
        }
    }

    fn eval_unguarded(
        &self,
        expr: &PExpr,
        row: &[QueryValue],
        aggregates: &[QueryValue],
    ) -> EvalResult {
        let ev = |e: &PExpr| self.eval(e, row, aggregates);
        Ok(match &expr.kind {
            PKind::Const(v) => v.clone(),
            PKind::Param(name) => match self.params.get(name) {
                Some(v) => v.clone(),
                None => {
                    let help = crate::model::did_you_mean(&crate::model::suggest(
                        name,
                        self.params.keys().map(String::as_str),
                    ))
                    .unwrap_or_else(|| format!("give the parameter a value (param {name}=VALUE)"));
                    return Err(QueryError::at(
                        ErrorKind::ParameterMissing,
                        ErrorCode::MissingParameter,
                        self.text,
                        expr.span.start,
                        format!("the parameter ${name} has no value"),
                        Some(help),
                    ));
                }
            },
            PKind::Slot(slot) => row.get(*slot).cloned().unwrap_or(QueryValue::Null),
            PKind::Aggregate(i) => aggregates.get(*i).cloned().unwrap_or(QueryValue::Null),
            PKind::List(items) => QueryValue::List(items.iter().map(ev).collect::<Result<_, _>>()?),
            PKind::Map(entries) => QueryValue::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), ev(v)?)))
                    .collect::<Result<_, QueryError>>()?,
            ),
            PKind::Property(base, key) => {
                let base_value = ev(base)?;
                self.property(&base_value, key, &expr.span)?
            }
            PKind::Index(base, index) => self.index(ev(base)?, ev(index)?, &expr.span)?,
            PKind::Slice(base, from, to) => {
                let from = from.as_deref().map(ev).transpose()?;
                let to = to.as_deref().map(ev).transpose()?;
                self.slice(ev(base)?, from, to, &expr.span)?
            }
            PKind::HasLabels(base, labels) => match ev(base)? {
                QueryValue::Null => QueryValue::Null,
                gone if self.gone(&gone) => {
                    return Err(self.deleted_error(&expr.span, &gone, "read the labels of"));
                }
                QueryValue::Node(n) => {
                    QueryValue::Bool(labels.iter().all(|l| self.graph.node_has_label(n, l)))
                }
                other => {
                    return Err(self.type_error(
                        &expr.span,
                        format!(
                            "only nodes have labels, not {}",
                            describe(self.graph, &other)
                        ),
                    ));
                }
            },
            PKind::Unary(op, operand) => self.unary(*op, ev(operand)?, &expr.span)?,
            // `false AND x` is false and `true OR x` is true whatever `x` is, even an error:
            // the right side is evaluated only when the left does not settle the answer.
            PKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), lhs, rhs) => {
                let settles = *op == BinaryOp::Or;
                let l = self.truth(ev(lhs)?, &lhs.span)?;
                if l == Some(settles) {
                    return Ok(QueryValue::Bool(settles));
                }
                match (l, self.truth(ev(rhs)?, &rhs.span)?) {
                    (_, Some(r)) if r == settles => QueryValue::Bool(settles),
                    (Some(_), Some(_)) => QueryValue::Bool(!settles),
                    _ => QueryValue::Null,
                }
            }
            PKind::Binary(op, lhs, rhs) => self.binary(*op, ev(lhs)?, ev(rhs)?, &expr.span)?,
            PKind::RegexConst(lhs, regex) => match ev(lhs)? {
                QueryValue::String(s) => QueryValue::Bool(regex.is_match(&s)),
                _ => QueryValue::Null,
            },
            PKind::IsNull(operand, negated) => QueryValue::Bool(ev(operand)?.is_null() != *negated),
            PKind::Case {
                subject,
                branches,
                otherwise,
            } => {
                let subject = subject.as_deref().map(ev).transpose()?;
                for (when, then) in branches {
                    let when_value = ev(when)?;
                    let hit = match &subject {
                        Some(s) => equals(s, &when_value) == Some(true),
                        None => when_value == QueryValue::Bool(true),
                    };
                    if hit {
                        return ev(then);
                    }
                }
                match otherwise {
                    Some(e) => ev(e)?,
                    None => QueryValue::Null,
                }
            }
            PKind::Call(function, args) => {
                let values = args.iter().map(ev).collect::<Result<Vec<_>, _>>()?;
                let call = super::functions::Call {
                    cx: self,
                    name: function.name(),
                    args,
                    span: &expr.span,
                };
                function.run(&call, values)?
            }
            PKind::Comprehension {
                slot,
                list,
                filter,
                map,
            } => {
                let Some((items, mut inner)) = self.list_scope(list, ev(list)?, row, *slot)? else {
                    return Ok(QueryValue::Null);
                };
                let mut out = Vec::with_capacity(items.len());
                let mut bytes = 0usize;
                for (i, item) in items.into_iter().enumerate() {
                    if i % 4096 == 4095 {
                        self.check_interrupt()?;
                    }
                    inner[*slot] = item;
                    if let Some(f) = filter
                        && self.eval(f, &inner, aggregates)? != QueryValue::Bool(true)
                    {
                        continue;
                    }
                    let value = match map {
                        Some(m) => self.eval(m, &inner, aggregates)?,
                        None => inner[*slot].clone(),
                    };
                    bytes = bytes.saturating_add(value.estimated_bytes());
                    self.check_fits(bytes, expr.span.start)?;
                    out.push(value);
                }
                QueryValue::List(out)
            }
            PKind::ListPredicate {
                quantifier,
                slot,
                list,
                predicate,
            } => {
                let Some((items, mut inner)) = self.list_scope(list, ev(list)?, row, *slot)? else {
                    return Ok(QueryValue::Null);
                };
                let (mut trues, mut unknowns, mut falses) = (0usize, 0usize, 0usize);
                for item in items {
                    inner[*slot] = item;
                    match self.truth(self.eval(predicate, &inner, aggregates)?, &predicate.span)? {
                        Some(true) => trues += 1,
                        Some(false) => falses += 1,
                        None => unknowns += 1,
                    }
                }
                let _ = falses;
                let known = |b: bool| QueryValue::Bool(b);
                match quantifier {
                    Quantifier::All if falses > 0 => known(false),
                    Quantifier::All if unknowns > 0 => QueryValue::Null,
                    Quantifier::All => known(true),
                    Quantifier::Any if trues > 0 => known(true),
                    Quantifier::Any if unknowns > 0 => QueryValue::Null,
                    Quantifier::Any => known(false),
                    Quantifier::None if trues > 0 => known(false),
                    Quantifier::None if unknowns > 0 => QueryValue::Null,
                    Quantifier::None => known(true),
                    Quantifier::Single if trues > 1 => known(false),
                    Quantifier::Single if unknowns > 0 => QueryValue::Null,
                    Quantifier::Single => known(trues == 1),
                }
            }
            PKind::MapProjection(base, parts) => {
                let base_value = ev(base)?;
                if base_value.is_null() {
                    return Ok(QueryValue::Null);
                }
                let mut map = BTreeMap::new();
                for (key, part) in parts {
                    match (key, part) {
                        (Some(key), MapPart::Property) => {
                            let value = self.property(&base_value, key, &base.span)?;
                            map.insert(key.clone(), value);
                        }
                        (Some(key), MapPart::Value(e)) => {
                            map.insert(key.clone(), ev(e)?);
                        }
                        _ => map.extend(self.all_properties(&base_value, &base.span)?),
                    }
                }
                QueryValue::Map(map)
            }
            PKind::Pattern(pattern) => {
                QueryValue::Bool(super::exec::pattern_exists(self, pattern, row)?)
            }
            PKind::Subquery(kind, plan) => {
                let cap = (*kind == SubqueryKind::Exists).then_some(1);
                let rows = super::exec::run_subquery(self, plan, row, cap)?;
                let bytes: usize = rows.iter().map(|r| super::exec::row_bytes(r)).sum();
                self.release(bytes);
                match kind {
                    SubqueryKind::Exists => QueryValue::Bool(!rows.is_empty()),
                    SubqueryKind::Count => QueryValue::Int(rows.len() as i64),
                    SubqueryKind::Collect => {
                        self.check_fits(bytes, expr.span.start)?;
                        QueryValue::List(
                            rows.into_iter()
                                .map(|r| r.into_iter().next().unwrap_or(QueryValue::Null))
                                .collect(),
                        )
                    }
                }
            }
        })
    }

    /// Every property of a node, relationship or map, for a map projection's `.*`.
    fn all_properties(
        &self,
        value: &QueryValue,
        span: &Span,
    ) -> Result<BTreeMap<String, QueryValue>, QueryError> {
        if self.gone(value) {
            return Err(self.deleted_error(span, value, "read the properties of"));
        }
        Ok(match value {
            QueryValue::Node(n) => self
                .graph
                .node_props(*n)
                .map(|(k, v)| (k.to_owned(), QueryValue::from(v)))
                .collect(),
            QueryValue::Relationship(r) => self
                .graph
                .edge_props(*r)
                .map(|(k, v)| (k.to_owned(), QueryValue::from(v)))
                .collect(),
            QueryValue::Map(m) => m.clone(),
            other => {
                return Err(self.type_error(
                    span,
                    format!(
                        "a map projection reads a node, a relationship or a map, not {}",
                        describe(self.graph, other)
                    ),
                ));
            }
        })
    }

    /// A condition's truth: `None` for null; anything but a boolean is a type error.
    pub(crate) fn truth(&self, value: QueryValue, span: &Span) -> Result<Option<bool>, QueryError> {
        match value {
            QueryValue::Bool(b) => Ok(Some(b)),
            QueryValue::Null => Ok(None),
            other => Err(self.type_error(
                span,
                format!(
                    "expected true, false or null, found {}",
                    describe(self.graph, &other)
                ),
            )),
        }
    }

    pub(crate) fn property(&self, base: &QueryValue, key: &str, span: &Span) -> EvalResult {
        Ok(match base {
            QueryValue::Null => QueryValue::Null,
            gone if self.gone(gone) => {
                return Err(self.deleted_error(span, gone, "read the properties of"));
            }
            QueryValue::Node(n) => self
                .graph
                .node_prop(*n, key)
                .map_or(QueryValue::Null, QueryValue::from),
            QueryValue::Relationship(r) => self
                .graph
                .edge_prop(*r, key)
                .map_or(QueryValue::Null, QueryValue::from),
            QueryValue::Map(map) => map.get(key).cloned().unwrap_or(QueryValue::Null),
            temporal @ (QueryValue::Date(_) | QueryValue::Temporal(_)) => {
                match super::temporal::component(temporal, key) {
                    Some(value) => value,
                    None => {
                        return Err(self.type_error(
                            span,
                            format!(
                                "{} has no component `{key}`",
                                describe(self.graph, temporal)
                            ),
                        ));
                    }
                }
            }
            other => {
                return Err(self.type_error(
                    span,
                    format!("cannot read `.{key}` of {}", describe(self.graph, other)),
                ));
            }
        })
    }

    fn index(&self, base: QueryValue, index: QueryValue, span: &Span) -> EvalResult {
        Ok(match (base, index) {
            (QueryValue::Null, _) | (_, QueryValue::Null) => QueryValue::Null,
            (QueryValue::List(items), QueryValue::Int(i)) => {
                let len = items.len() as i64;
                let i = if i < 0 { len + i } else { i };
                if (0..len).contains(&i) {
                    items[i as usize].clone()
                } else {
                    QueryValue::Null
                }
            }
            (
                base @ (QueryValue::Map(_)
                | QueryValue::Node(_)
                | QueryValue::Relationship(_)
                | QueryValue::DeletedNode(_)
                | QueryValue::DeletedRelationship(_)),
                QueryValue::String(key),
            ) => self.property(&base, &key, span)?,
            (base @ QueryValue::Map(_), index) => {
                return Err(QueryError {
                    code: ErrorCode::MapElementAccessByNonString,
                    help: Some("index a map with a string key: m['name']".to_owned()),
                    ..self.type_error(
                        span,
                        format!(
                            "cannot index {} with {}",
                            describe(self.graph, &base),
                            describe(self.graph, &index)
                        ),
                    )
                });
            }
            (base, index) => {
                return Err(self.type_error(
                    span,
                    format!(
                        "cannot index {} with {}",
                        describe(self.graph, &base),
                        describe(self.graph, &index)
                    ),
                ));
            }
        })
    }

    fn slice(
        &self,
        base: QueryValue,
        from: Option<QueryValue>,
        to: Option<QueryValue>,
        span: &Span,
    ) -> EvalResult {
        let items = match base {
            QueryValue::Null => return Ok(QueryValue::Null),
            QueryValue::List(items) => items,
            other => {
                return Err(self.type_error(
                    span,
                    format!(
                        "only lists can be sliced, not {}",
                        describe(self.graph, &other)
                    ),
                ));
            }
        };
        let len = items.len() as i64;
        let bound = |v: Option<QueryValue>, default: i64| -> Result<Option<i64>, QueryError> {
            match v {
                None => Ok(Some(default)),
                Some(QueryValue::Null) => Ok(None),
                Some(QueryValue::Int(i)) => {
                    Ok(Some(if i < 0 { (len + i).max(0) } else { i.min(len) }))
                }
                Some(other) => Err(self.type_error(
                    span,
                    format!(
                        "a slice bound must be an integer, not {}",
                        describe(self.graph, &other)
                    ),
                )),
            }
        };
        let (Some(from), Some(to)) = (bound(from, 0)?, bound(to, len)?) else {
            return Ok(QueryValue::Null);
        };
        Ok(QueryValue::List(if from < to {
            items[from as usize..to as usize].to_vec()
        } else {
            Vec::new()
        }))
    }

    fn unary(&self, op: UnaryOp, value: QueryValue, span: &Span) -> EvalResult {
        Ok(match (op, value) {
            (_, QueryValue::Null) => QueryValue::Null,
            (UnaryOp::Not, QueryValue::Bool(b)) => QueryValue::Bool(!b),
            (UnaryOp::Negate, QueryValue::Int(i)) => {
                QueryValue::Int(i.checked_neg().ok_or_else(|| {
                    self.arithmetic_error(span, format!("-({i}) overflows a 64-bit integer"))
                })?)
            }
            (UnaryOp::Negate, QueryValue::Float(f)) => QueryValue::Float(-f),
            (UnaryOp::Plus, v @ (QueryValue::Int(_) | QueryValue::Float(_))) => v,
            (op, other) => {
                let what = match op {
                    UnaryOp::Not => "NOT expects a boolean",
                    _ => "a sign applies to numbers",
                };
                return Err(self.type_error(
                    span,
                    format!("{what}, not {}", describe(self.graph, &other)),
                ));
            }
        })
    }

    fn binary(&self, op: BinaryOp, l: QueryValue, r: QueryValue, span: &Span) -> EvalResult {
        use QueryValue::*;
        let cmp = |want: fn(Ordering) -> bool| match compare(&l, &r) {
            None => Null,
            Some(None) => Bool(false),
            Some(Some(o)) => Bool(want(o)),
        };
        Ok(match op {
            BinaryOp::Eq => equals(&l, &r).map_or(Null, Bool),
            BinaryOp::Ne => equals(&l, &r).map_or(Null, |b| Bool(!b)),
            BinaryOp::Lt => cmp(Ordering::is_lt),
            BinaryOp::Le => cmp(Ordering::is_le),
            BinaryOp::Gt => cmp(Ordering::is_gt),
            BinaryOp::Ge => cmp(Ordering::is_ge),
            BinaryOp::Xor => match (self.truth(l, span)?, self.truth(r, span)?) {
                (Some(a), Some(b)) => Bool(a != b),
                _ => Null,
            },
            BinaryOp::And | BinaryOp::Or => unreachable!("short-circuited in eval"),
            BinaryOp::StartsWith | BinaryOp::EndsWith | BinaryOp::Contains => match (&l, &r) {
                (String(a), String(b)) => Bool(match op {
                    BinaryOp::StartsWith => a.starts_with(b.as_str()),
                    BinaryOp::EndsWith => a.ends_with(b.as_str()),
                    _ => a.contains(b.as_str()),
                }),
                _ => Null,
            },
            BinaryOp::Regex => match (&l, &r) {
                (String(text), String(pattern)) => {
                    let regex = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                        self.argument_error(
                            span,
                            format!(
                                "invalid regular expression: {}",
                                e.to_string().lines().last().unwrap_or("")
                            ),
                            None,
                        )
                    })?;
                    Bool(regex.is_match(text))
                }
                _ => Null,
            },
            BinaryOp::In => match r {
                Null => Null,
                List(items) => {
                    let mut unknown = false;
                    for item in &items {
                        match equals(&l, item) {
                            Some(true) => return Ok(Bool(true)),
                            None => unknown = true,
                            Some(false) => {}
                        }
                    }
                    if unknown { Null } else { Bool(false) }
                }
                other => {
                    return Err(self.type_error(
                        span,
                        format!(
                            "IN expects a list on its right, not {}",
                            describe(self.graph, &other)
                        ),
                    ));
                }
            },
            BinaryOp::Add => self.add(l, r, span)?,
            BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::Pow => {
                self.arithmetic(op, l, r, span)?
            }
        })
    }

    fn add(&self, l: QueryValue, r: QueryValue, span: &Span) -> EvalResult {
        use QueryValue::*;
        // Concatenation is how a statement can double a value again and again.
        match (&l, &r) {
            (String(a), String(b)) => {
                self.check_fits(a.len().saturating_add(b.len()), span.start)?
            }
            (List(_), _) | (_, List(_)) => self.check_fits(
                l.estimated_bytes().saturating_add(r.estimated_bytes()),
                span.start,
            )?,
            _ => {}
        }
        Ok(match (l, r) {
            // A list and null is null, as every operator of null is: `[1] + null` is null,
            // while `[1] + [null]` is `[1, null]`.
            (Null, _) | (_, Null) => Null,
            (List(mut a), List(b)) => {
                a.extend(b);
                List(a)
            }
            (List(mut a), b) => {
                a.push(b);
                List(a)
            }
            (a, List(b)) => {
                let mut out = vec![a];
                out.extend(b);
                List(out)
            }
            (String(a), String(b)) => String(a + &b),
            (String(a), b @ (Int(_) | Float(_) | Bool(_))) => {
                String(a + &super::result::plain_text(self.graph, &b))
            }
            (a @ (Int(_) | Float(_) | Bool(_)), String(b)) => {
                String(super::result::plain_text(self.graph, &a) + &b)
            }
            (l, r) => self.arithmetic(BinaryOp::Add, l, r, span)?,
        })
    }

    fn arithmetic(&self, op: BinaryOp, l: QueryValue, r: QueryValue, span: &Span) -> EvalResult {
        use QueryValue::*;
        let symbol = match op {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            _ => "^",
        };
        if matches!(l, Temporal(_) | Date(_)) || matches!(r, Temporal(_) | Date(_)) {
            let op = symbol.chars().next().unwrap_or('^');
            if let Some(answer) = super::temporal::arithmetic(op, &l, &r) {
                return answer.map_err(|message| self.arithmetic_error(span, message));
            }
        }
        Ok(match (&l, &r) {
            (Null, _) | (_, Null) => Null,
            (Int(a), Int(b)) if op != BinaryOp::Pow => {
                let (a, b) = (*a, *b);
                if b == 0 && matches!(op, BinaryOp::Div | BinaryOp::Mod) {
                    return Err(self.arithmetic_error(
                        span,
                        format!("integer division by zero in {a} {symbol} 0"),
                    ));
                }
                let result = match op {
                    BinaryOp::Add => a.checked_add(b),
                    BinaryOp::Sub => a.checked_sub(b),
                    BinaryOp::Mul => a.checked_mul(b),
                    BinaryOp::Div => a.checked_div(b),
                    // The remainder always fits: -9223372036854775808 % -1 is 0, as in Java.
                    _ => Some(a.wrapping_rem(b)),
                };
                Int(result.ok_or_else(|| {
                    self.arithmetic_error(
                        span,
                        format!("{a} {symbol} {b} overflows a 64-bit integer"),
                    )
                })?)
            }
            (Int(_) | Float(_), Int(_) | Float(_)) => {
                let (a, b) = (as_f64(&l), as_f64(&r));
                Float(match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    BinaryOp::Div => a / b,
                    BinaryOp::Mod => a % b,
                    _ => a.powf(b),
                })
            }
            _ => {
                return Err(self.type_error(
                    span,
                    format!(
                        "cannot compute {} {symbol} {}",
                        describe(self.graph, &l),
                        describe(self.graph, &r)
                    ),
                ));
            }
        })
    }
}

pub(crate) fn as_f64(v: &QueryValue) -> f64 {
    match v {
        QueryValue::Int(i) => *i as f64,
        QueryValue::Float(f) => *f,
        _ => f64::NAN,
    }
}

/// A path value from nodes and relationships in search order.
pub(crate) fn path(
    nodes: &[crate::store::NodeId],
    rels: &[crate::store::EdgeId],
    reversed: bool,
) -> Path {
    let mut nodes = nodes.to_vec();
    let mut relationships = rels.to_vec();
    if reversed {
        nodes.reverse();
        relationships.reverse();
    }
    Path {
        nodes,
        relationships,
    }
}
