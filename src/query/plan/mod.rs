//! AST → plan: resolves every variable to a row slot, checks the query's meaning, picks where
//! each pattern starts (an index, a label, or a bound node), and compiles expressions.
//!
//! A query is cut into segments at each `WITH` and `RETURN`. Within a segment, rows are
//! vectors of values indexed by slot; a projection ends the segment and starts the next one
//! with a fresh slot layout holding only what it projected, which is how Cypher scopes work.
//!
//! **Invariant:** a plan refers to the graph only for estimates and warnings; it stays valid
//! (if less apt) when the graph changes, and executing it never needs the AST.

mod counts;
mod reach;
pub(crate) mod write;

use std::collections::HashSet;

use regex::Regex;

use super::ast::*;
use super::error::{ErrorCode, ErrorKind, QueryError, Warning};
use super::functions::{self, AggFunction, Callee, Function};
use super::value::QueryValue;
use crate::model::{Kind, RelType, Schema, did_you_mean, suggest};
use crate::store::{Graph, ID_KEY, NAME_KEY};

pub(crate) type Slot = usize;

/// The `{key: value}` pairs of a pattern, or a `$map` parameter.
type PropertyFilter = (Vec<(String, PExpr)>, Option<PExpr>);

/// What a variable holds, as far as the planner can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VarKind {
    Node,
    Relationship,
    /// The relationships of a variable-length pattern.
    RelationshipList,
    Path,
    /// Computed by an expression: may hold anything, nodes included.
    Value,
    /// A literal or arithmetic: never a node, relationship or path.
    Scalar,
}

impl VarKind {
    fn noun(self) -> &'static str {
        match self {
            VarKind::Node => "a node",
            VarKind::Relationship => "a relationship",
            VarKind::RelationshipList => "a list of relationships",
            VarKind::Path => "a path",
            VarKind::Value | VarKind::Scalar => "a value",
        }
    }
}

/// A statement ready to run: queries joined by UNION.
#[derive(Debug)]
pub(crate) struct Plan {
    pub queries: Vec<QueryPlan>,
    /// Whether any clause changes the graph.
    pub writes: bool,
    /// Whether duplicates are kept across the union (`UNION ALL`).
    pub union_all: bool,
    pub columns: Vec<String>,
    /// Which columns hold amounts of money.
    pub money_columns: Vec<bool>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug)]
pub(crate) struct QueryPlan {
    pub segments: Vec<Segment>,
}

/// Clauses up to and including one projection.
#[derive(Debug)]
pub(crate) struct Segment {
    /// Slots in a row of this segment.
    pub width: usize,
    pub ops: Vec<Op>,
    pub projection: ProjectionPlan,
}

#[derive(Debug)]
pub(crate) enum Op {
    Match(MatchPlan),
    Unwind {
        list: PExpr,
        slot: Slot,
    },
    Filter(PExpr),
    Create(Vec<CreatePattern>),
    Merge(Box<MergePlan>),
    Set(Vec<SetPlan>),
    Remove(Vec<RemovePlan>),
    Delete {
        detach: bool,
        targets: Vec<PExpr>,
    },
    Call {
        procedure: super::procedures::Procedure,
        args: Vec<PExpr>,
        /// (output column, slot it is bound to).
        outputs: Vec<(usize, Slot)>,
        at: usize,
    },
    /// One row per relationship type (among `types`, or all), with the type and how many
    /// relationships have it, read from the store's counts.
    TypeCounts {
        types: Vec<String>,
        type_slot: Slot,
        count_slot: Slot,
    },
}

impl Op {
    pub(crate) fn writes(&self) -> bool {
        !matches!(
            self,
            Op::Match(_)
                | Op::Unwind { .. }
                | Op::Filter(_)
                | Op::Call { .. }
                | Op::TypeCounts { .. }
        )
    }
}

pub(crate) use write::{CreatePattern, MergePlan, RemovePlan, SetPlan};

#[derive(Debug)]
pub(crate) struct MatchPlan {
    pub optional: bool,
    pub patterns: Vec<PatternPlan>,
    pub filter: Option<PExpr>,
    /// Slots this clause binds: set to null when an OPTIONAL MATCH finds nothing.
    pub new_slots: Vec<Slot>,
}

/// A pattern in the order it is searched, which may be the reverse of the written order.
#[derive(Debug)]
pub(crate) struct PatternPlan {
    pub path_slot: Option<Slot>,
    pub search: PathSearch,
    pub start: NodeStep,
    pub hops: Vec<Hop>,
    /// The search runs right to left; paths and relationship lists are turned back.
    pub reversed: bool,
}

#[derive(Debug)]
pub(crate) struct Hop {
    pub rel: RelStep,
    pub node: NodeStep,
}

#[derive(Debug)]
pub(crate) struct NodeStep {
    /// The step as written, for explanations.
    pub text: String,
    pub slot: Option<Slot>,
    /// Already holds a node when the search reaches this step: compare instead of bind.
    pub bound: bool,
    pub labels: Vec<String>,
    pub props: Vec<(String, PExpr)>,
    /// A `$map` of properties.
    pub props_map: Option<PExpr>,
    /// How to find candidates when this step starts a search.
    pub lookup: Lookup,
}

#[derive(Debug)]
pub(crate) enum Lookup {
    Scan,
    Label(String),
    Id(PExpr),
    Name(PExpr),
    IdIn(PExpr),
    NameIn(PExpr),
}

#[derive(Debug)]
pub(crate) struct RelStep {
    /// The step as written, for explanations.
    pub text: String,
    pub slot: Option<Slot>,
    pub bound: bool,
    /// Resolved type names; empty for any type.
    pub types: Vec<String>,
    /// In search order.
    pub arrow: Arrow,
    /// `(min, max)` of a variable-length relationship.
    pub length: Option<(u64, Option<u64>)>,
    /// The maximum is the default for `*` written without one.
    pub default_max: bool,
    /// Only which nodes the hop reaches matters, not by which paths: search it breadth first,
    /// each node once (`reach.rs` decides).
    pub reach_only: bool,
    /// The reached nodes are only counted, each once over the whole match: a start yields one
    /// row holding, in this slot, how many nodes it reached that no earlier start did
    /// (`reach.rs` decides).
    pub count_reached: Option<Slot>,
    pub props: Vec<(String, PExpr)>,
    pub props_map: Option<PExpr>,
}

#[derive(Debug)]
pub(crate) struct ProjectionPlan {
    /// One expression per output column, over the input row.
    pub items: Vec<PExpr>,
    /// Output values are stored from this slot on before ORDER BY keys are computed, so that
    /// sort keys can name the projected columns.
    pub out_base: Slot,
    pub aggregates: Vec<Aggregate>,
    /// Items that are grouping keys (every item without an aggregate), when aggregating.
    pub key_items: Vec<usize>,
    pub distinct: bool,
    pub order_by: Vec<(PExpr, bool)>,
    pub skip: Option<PExpr>,
    pub limit: Option<PExpr>,
    /// WITH's WHERE, when it is evaluated with the input's variables in view.
    pub filter: Option<PExpr>,
}

impl ProjectionPlan {
    pub fn aggregating(&self) -> bool {
        !self.aggregates.is_empty()
    }
}

#[derive(Debug)]
pub(crate) struct Aggregate {
    pub function: AggFunction,
    pub distinct: bool,
    /// `None` for `count(*)`.
    pub arg: Option<PExpr>,
}

/// A compiled expression.
#[derive(Debug)]
pub(crate) struct PExpr {
    pub kind: PKind,
    pub span: Span,
}

#[derive(Debug)]
pub(crate) enum PKind {
    Const(QueryValue),
    Param(String),
    Slot(Slot),
    List(Vec<PExpr>),
    Map(Vec<(String, PExpr)>),
    Property(Box<PExpr>, String),
    Index(Box<PExpr>, Box<PExpr>),
    Slice(Box<PExpr>, Option<Box<PExpr>>, Option<Box<PExpr>>),
    HasLabels(Box<PExpr>, Vec<String>),
    Unary(UnaryOp, Box<PExpr>),
    Binary(BinaryOp, Box<PExpr>, Box<PExpr>),
    /// `=~` with a pattern known when planning.
    RegexConst(Box<PExpr>, Regex),
    IsNull(Box<PExpr>, bool),
    Case {
        subject: Option<Box<PExpr>>,
        branches: Vec<(PExpr, PExpr)>,
        otherwise: Option<Box<PExpr>>,
    },
    Call(Function, Vec<PExpr>),
    /// The result of the projection's aggregate number n.
    Aggregate(usize),
    Comprehension {
        slot: Slot,
        list: Box<PExpr>,
        filter: Option<Box<PExpr>>,
        map: Option<Box<PExpr>>,
    },
    /// True when the pattern has a match.
    Pattern(Box<PatternPlan>),
    ListPredicate {
        quantifier: Quantifier,
        slot: Slot,
        list: Box<PExpr>,
        predicate: Box<PExpr>,
    },
}

/// Plans one parsed statement against `graph`.
///
/// # Errors
/// A semantic error: undefined variable, misplaced aggregate, unknown function, and so on.
pub(crate) fn plan(text: &str, graph: &Graph, statement: &Statement) -> Result<Plan, QueryError> {
    let mut planner = Planner {
        text,
        graph,
        warnings: Vec::new(),
        warned: HashSet::new(),
        widest: 0,
        clause_first_slot: usize::MAX,
    };
    if statement.union_all.iter().any(|a| *a) && statement.union_all.iter().any(|a| !*a) {
        return Err(planner.error(
            ErrorCode::InvalidClauseComposition,
            statement.span.start,
            "a statement cannot mix UNION and UNION ALL".to_owned(),
            Some("use UNION ALL throughout to keep duplicates, UNION to drop them".to_owned()),
        ));
    }
    let mut queries = Vec::new();
    let mut columns: Option<Vec<String>> = None;
    let money_columns = statement
        .queries
        .first()
        .and_then(|q| q.clauses.last())
        .map(|c| match c {
            Clause::Return(p) => p.items.iter().map(|i| is_money(&i.expr)).collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    for query in &statement.queries {
        let (mut plan, query_columns) = planner.query(query, statement.span.start)?;
        if let Some(first) = plan.segments.first_mut() {
            counts::use_type_counts(first);
        }
        for segment in &mut plan.segments {
            reach::prune_paths(segment);
        }
        if let Some(first) = plan.segments.first_mut() {
            reach::count_reached(first);
        }
        if let Some(first) = &columns
            && *first != query_columns
        {
            return Err(planner.error(
                ErrorCode::DifferentColumnsInUnion,
                statement.span.start,
                format!(
                    "every part of a UNION must return the same columns: {} and {}",
                    first.join(", "),
                    query_columns.join(", ")
                ),
                Some("rename columns with AS so that they match".to_owned()),
            ));
        }
        columns.get_or_insert(query_columns);
        queries.push(plan);
    }
    let writes = queries
        .iter()
        .flat_map(|q| &q.segments)
        .flat_map(|s| &s.ops)
        .any(Op::writes);
    Ok(Plan {
        queries,
        writes,
        union_all: statement.union_all.first().copied().unwrap_or(false),
        money_columns: {
            let columns = columns.as_ref().map_or(0, Vec::len);
            let mut money = money_columns;
            // RETURN * columns come first and are whole values, not amounts.
            let star = columns.saturating_sub(money.len());
            let mut all = vec![false; star];
            all.append(&mut money);
            all
        },
        columns: columns.unwrap_or_default(),
        warnings: planner.warnings,
    })
}

#[derive(Clone, Debug, Default)]
struct Scope {
    vars: Vec<(String, Slot, VarKind)>,
    next: Slot,
}

impl Scope {
    fn get(&self, name: &str) -> Option<(Slot, VarKind)> {
        self.vars
            .iter()
            .rev()
            .find(|(n, ..)| n == name)
            .map(|(_, s, k)| (*s, *k))
    }

    fn bind(&mut self, name: &str, kind: VarKind) -> Slot {
        let slot = self.allocate();
        self.vars.push((name.to_owned(), slot, kind));
        slot
    }

    fn allocate(&mut self) -> Slot {
        self.next += 1;
        self.next - 1
    }

    fn names(&self) -> Vec<&str> {
        self.vars.iter().map(|(n, ..)| n.as_str()).collect()
    }
}

/// What an expression may contain where it is being compiled.
struct ExprContext<'c> {
    /// Where aggregates go, when they are allowed here.
    aggregates: Option<&'c mut Vec<Aggregate>>,
    inside_aggregate: bool,
    /// Source texts (white space removed) that stand for a projected column.
    replacements: &'c [(String, Slot)],
    /// Names the place for "not allowed in ..." messages.
    place: &'static str,
}

impl ExprContext<'_> {
    fn plain(place: &'static str) -> ExprContext<'static> {
        ExprContext {
            aggregates: None,
            inside_aggregate: false,
            replacements: &[],
            place,
        }
    }

    /// For the expressions inside a list comprehension or predicate, called `place`: they may
    /// hold no aggregate of their own, but may sit inside one.
    fn inner(&self, place: &'static str) -> ExprContext<'static> {
        ExprContext {
            inside_aggregate: self.inside_aggregate,
            ..ExprContext::plain(place)
        }
    }
}

struct Planner<'a> {
    text: &'a str,
    graph: &'a Graph,
    warnings: Vec<Warning>,
    /// (offset, message) pairs already warned about: a repeated name warns once.
    warned: HashSet<(usize, String)>,
    /// The highest slot a comprehension in the current segment uses, plus one.
    widest: Slot,
    /// The first slot the clause being planned binds.
    clause_first_slot: Slot,
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

impl<'a> Planner<'a> {
    fn error(
        &self,
        code: ErrorCode,
        offset: usize,
        message: String,
        help: Option<String>,
    ) -> QueryError {
        QueryError::at(ErrorKind::Semantic, code, self.text, offset, message, help)
    }

    fn warn(&mut self, offset: usize, message: String, help: Option<String>) {
        if self.warned.insert((offset, message.clone())) {
            self.warnings
                .push(Warning::new(self.text, offset, message, help));
        }
    }

    /// Plans one query of a union; returns it with its column names.
    fn query(
        &mut self,
        query: &SingleQuery,
        statement_start: usize,
    ) -> Result<(QueryPlan, Vec<String>), QueryError> {
        let mut scope = Scope::default();
        let mut ops = Vec::new();
        let mut segments = Vec::new();
        let mut columns = None;
        // The names a trailing CALL bound: returned as they are when nothing follows it.
        let mut last_call: Option<Vec<(String, Slot)>> = None;
        for (i, clause) in query.clauses.iter().enumerate() {
            if !matches!(clause, Clause::Call { .. }) {
                last_call = None;
            }
            if columns.is_some() {
                return Err(self.error(
                    ErrorCode::InvalidClauseComposition,
                    clause_start(clause),
                    "nothing can follow RETURN in a query".to_owned(),
                    Some("use WITH to pass results on to further clauses".to_owned()),
                ));
            }
            match clause {
                Clause::Match {
                    optional,
                    patterns,
                    filter,
                } => {
                    let plan =
                        self.match_clause(&mut scope, *optional, patterns, filter.as_ref())?;
                    ops.push(Op::Match(plan));
                }
                Clause::Unwind { list, variable } => {
                    let list = self.expr(&scope, list, &mut ExprContext::plain("UNWIND"))?;
                    if scope.get(variable).is_some() {
                        return Err(self.error(
                            ErrorCode::VariableAlreadyBound,
                            list.span.end,
                            format!("the variable `{variable}` is already defined"),
                            Some("choose another name after AS".to_owned()),
                        ));
                    }
                    let slot = scope.bind(variable, VarKind::Value);
                    ops.push(Op::Unwind { list, slot });
                }
                Clause::With { projection, filter } => {
                    // A plain WITH sees the variables it drops in its WHERE, as Cypher's does.
                    let plain = !projection.distinct
                        && projection.skip.is_none()
                        && projection.limit.is_none();
                    let inner_filter = filter.as_ref().filter(|_| plain);
                    let (plan, next_scope, _) =
                        self.projection(&mut scope, projection, false, inner_filter)?;
                    // Otherwise the WHERE filters the projected rows, in the next scope.
                    let filter = if plan.filter.is_some() {
                        None
                    } else {
                        filter.as_ref()
                    };
                    segments.push(Segment {
                        width: self.close_segment(&scope),
                        ops: std::mem::take(&mut ops),
                        projection: plan,
                    });
                    scope = next_scope;
                    if let Some(filter) = filter {
                        let filter = self.expr(&scope, filter, &mut ExprContext::plain("WHERE"))?;
                        ops.push(Op::Filter(filter));
                    }
                }
                Clause::Call {
                    procedure,
                    args,
                    yields,
                    filter,
                    span,
                } => {
                    let (op, bound) = self.call_clause(
                        &mut scope,
                        procedure,
                        args,
                        yields.as_deref(),
                        span.start,
                    )?;
                    ops.push(op);
                    if let Some(filter) = filter {
                        let filter = self.expr(&scope, filter, &mut ExprContext::plain("WHERE"))?;
                        ops.push(Op::Filter(filter));
                    }
                    last_call = Some(bound);
                }
                Clause::Create { patterns } => {
                    let plan = self.create_clause(&mut scope, patterns)?;
                    ops.push(Op::Create(plan));
                }
                Clause::Merge {
                    pattern,
                    on_create,
                    on_match,
                } => {
                    let plan = self.merge_clause(&mut scope, pattern, on_create, on_match)?;
                    ops.push(Op::Merge(Box::new(plan)));
                }
                Clause::Set(items) => {
                    let items = self.set_items(&scope, items)?;
                    ops.push(Op::Set(items));
                }
                Clause::Remove(items) => {
                    let items = self.remove_items(&scope, items)?;
                    ops.push(Op::Remove(items));
                }
                Clause::Delete { detach, targets } => {
                    let targets = targets
                        .iter()
                        .map(|t| self.expr(&scope, t, &mut ExprContext::plain("DELETE")))
                        .collect::<Result<_, _>>()?;
                    ops.push(Op::Delete {
                        detach: *detach,
                        targets,
                    });
                }
                Clause::Return(projection) => {
                    let (plan, next_scope, names) =
                        self.projection(&mut scope, projection, true, None)?;
                    segments.push(Segment {
                        width: self.close_segment(&scope),
                        ops: std::mem::take(&mut ops),
                        projection: plan,
                    });
                    scope = next_scope;
                    columns = Some(names);
                }
            }
            let _ = i;
        }
        let writes = segments
            .iter()
            .flat_map(|s: &Segment| &s.ops)
            .chain(&ops)
            .any(Op::writes);
        if columns.is_none() && writes {
            // A writing query may end without RETURN: it returns no columns.
            segments.push(Segment {
                width: self.close_segment(&scope),
                ops: std::mem::take(&mut ops),
                projection: ProjectionPlan {
                    items: Vec::new(),
                    out_base: scope.next,
                    aggregates: Vec::new(),
                    key_items: Vec::new(),
                    distinct: false,
                    order_by: Vec::new(),
                    skip: None,
                    limit: None,
                    filter: None,
                },
            });
            return Ok((QueryPlan { segments }, Vec::new()));
        }
        if columns.is_none()
            && let Some(bound) = last_call
        {
            // `CALL algo.pageRank()` alone returns what it yields.
            let items = bound
                .iter()
                .map(|(_, slot)| PExpr {
                    kind: PKind::Slot(*slot),
                    span: 0..0,
                })
                .collect();
            segments.push(Segment {
                width: self.close_segment(&scope),
                ops: std::mem::take(&mut ops),
                projection: ProjectionPlan {
                    items,
                    out_base: scope.next,
                    aggregates: Vec::new(),
                    key_items: Vec::new(),
                    distinct: false,
                    order_by: Vec::new(),
                    skip: None,
                    limit: None,
                    filter: None,
                },
            });
            return Ok((
                QueryPlan { segments },
                bound.into_iter().map(|(n, _)| n).collect(),
            ));
        }
        let Some(columns) = columns else {
            let end = query.clauses.last().map_or(statement_start, clause_start);
            return Err(self.error(
                ErrorCode::InvalidClauseComposition,
                end,
                "a query that only reads must end with RETURN".to_owned(),
                Some("add RETURN with what you want to see, for example RETURN *".to_owned()),
            ));
        };
        // A final segment with no clauses would be empty; the RETURN segment is the last.
        Ok((QueryPlan { segments }, columns))
    }

    // ----- projections ---------------------------------------------------------------------

    /// Plans WITH or RETURN over `scope`; returns the plan, the scope after it, and the
    /// column names.
    fn projection(
        &mut self,
        scope: &mut Scope,
        projection: &Projection,
        is_return: bool,
        filter: Option<&Expr>,
    ) -> Result<(ProjectionPlan, Scope, Vec<String>), QueryError> {
        let clause = if is_return { "RETURN" } else { "WITH" };
        // (column name, expression, where it is written)
        let mut columns: Vec<(String, Expr)> = Vec::new();
        if projection.star {
            let mut names: Vec<(String, Slot)> = Vec::new();
            for (name, slot, _) in &scope.vars {
                if !names.iter().any(|(n, _)| n == name) {
                    names.push((name.clone(), *slot));
                }
            }
            names.sort();
            if names.is_empty() && projection.items.is_empty() && is_return {
                return Err(self.error(
                    ErrorCode::NoVariablesInScope,
                    projection.items.first().map_or(0, |i| i.expr.span.start),
                    format!("{clause} * needs at least one variable in scope"),
                    Some("name something in a pattern, for example MATCH (n) RETURN *".to_owned()),
                ));
            }
            for (name, _) in names {
                columns.push((
                    name.clone(),
                    Expr {
                        kind: ExprKind::Variable(name),
                        span: 0..0,
                    },
                ));
            }
        }
        for item in &projection.items {
            let name = match (&item.alias, &item.expr.kind) {
                (Some(alias), _) => alias.clone(),
                (None, ExprKind::Variable(v)) => v.clone(),
                (None, _) if !is_return => {
                    return Err(self.error(
                        ErrorCode::NoExpressionAlias,
                        item.expr.span.start,
                        format!("WITH needs a name for `{}`", item.text),
                        Some(format!("write `{} AS name`", item.text)),
                    ));
                }
                (None, _) => item.text.clone(),
            };
            if columns.iter().any(|(n, _)| *n == name) {
                return Err(self.error(
                    ErrorCode::ColumnNameConflict,
                    item.expr.span.start,
                    format!("the column name `{name}` is used twice"),
                    Some("give one of them another name with AS".to_owned()),
                ));
            }
            columns.push((name, item.expr.clone()));
        }

        let mut aggregates = Vec::new();
        let mut items = Vec::new();
        let mut key_items = Vec::new();
        for (i, (_, expr)) in columns.iter().enumerate() {
            let before = aggregates.len();
            let compiled = self.expr(
                scope,
                expr,
                &mut ExprContext {
                    aggregates: Some(&mut aggregates),
                    inside_aggregate: false,
                    replacements: &[],
                    place: clause,
                },
            )?;
            if aggregates.len() == before {
                key_items.push(i);
            }
            items.push(compiled);
        }
        let aggregating = !aggregates.is_empty();

        // Output columns get slots after the input's, for ORDER BY.
        let out_base = scope.next;
        let mut order_scope = if aggregating || projection.distinct {
            Scope {
                vars: Vec::new(),
                next: scope.next,
            }
        } else {
            scope.clone()
        };
        let mut replacements = Vec::new();
        for (i, (name, expr)) in columns.iter().enumerate() {
            let slot = out_base + i;
            order_scope
                .vars
                .push((name.clone(), slot, self.kind_of(scope, expr)));
            if expr.span.end > expr.span.start {
                replacements.push((squeeze(&self.text[expr.span.clone()]), slot));
            }
        }
        order_scope.next = out_base + columns.len();
        let mut order_by = Vec::new();
        for sort in &projection.order_by {
            let mut sort_aggregates = Vec::new();
            let compiled = self.expr(
                &order_scope,
                &sort.expr,
                &mut ExprContext {
                    aggregates: Some(&mut sort_aggregates),
                    inside_aggregate: false,
                    replacements: &replacements,
                    place: "ORDER BY",
                },
            );
            let compiled = match compiled {
                Err(e)
                    if e.code == ErrorCode::UndefinedVariable
                        && (aggregating || projection.distinct) =>
                {
                    let (_, kind) = (
                        0,
                        if aggregating {
                            "aggregation"
                        } else {
                            "DISTINCT"
                        },
                    );
                    return Err(QueryError {
                        help: Some(format!(
                            "after {kind}, ORDER BY can only use the columns of {clause}; add the expression to {clause}"
                        )),
                        ..e
                    });
                }
                other => other?,
            };
            if !sort_aggregates.is_empty() {
                return Err(self.error(
                    ErrorCode::InvalidAggregation,
                    sort.expr.span.start,
                    "ORDER BY can only sort by an aggregate that is also returned".to_owned(),
                    Some(format!(
                        "add it to {clause} with a name, then ORDER BY that name"
                    )),
                ));
            }
            order_by.push((compiled, sort.descending));
        }
        // WITH's WHERE over the input and the projected names, when not aggregating.
        let filter = match filter {
            Some(f) if !aggregating => {
                Some(self.expr(&order_scope, f, &mut ExprContext::plain("WHERE"))?)
            }
            _ => None,
        };
        // Comprehension slots in sort keys were allocated in order_scope.
        scope.next = scope.next.max(order_scope.next);

        let skip = projection
            .skip
            .as_ref()
            .map(|e| self.constant_expr(e, "SKIP"))
            .transpose()?;
        let limit = projection
            .limit
            .as_ref()
            .map(|e| self.constant_expr(e, "LIMIT"))
            .transpose()?;

        let mut next = Scope::default();
        for (name, expr) in &columns {
            let kind = self.kind_of(scope, expr);
            next.bind(name, kind);
        }
        let names = columns.into_iter().map(|(n, _)| n).collect();
        Ok((
            ProjectionPlan {
                items,
                out_base,
                aggregates,
                key_items: if aggregating { key_items } else { Vec::new() },
                distinct: projection.distinct,
                order_by,
                skip,
                limit,
                filter,
            },
            next,
            names,
        ))
    }

    fn kind_of(&self, scope: &Scope, expr: &Expr) -> VarKind {
        match &expr.kind {
            ExprKind::Variable(v) => scope.get(v).map_or(VarKind::Value, |(_, k)| k),
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::String(_)
            | ExprKind::Bool(_)
            | ExprKind::List(_)
            | ExprKind::Map(_)
            | ExprKind::Binary(..)
            | ExprKind::Unary(..)
            | ExprKind::IsNull { .. }
            | ExprKind::CountStar
            | ExprKind::ListComprehension { .. }
            | ExprKind::ListPredicate { .. } => VarKind::Scalar,
            _ => VarKind::Value,
        }
    }

    /// SKIP and LIMIT: no variables allowed.
    fn constant_expr(&mut self, expr: &Expr, place: &'static str) -> Result<PExpr, QueryError> {
        let compiled = self.expr(&Scope::default(), expr, &mut ExprContext::plain(place));
        match compiled {
            Err(e) if e.code == ErrorCode::UndefinedVariable => Err(QueryError {
                message: format!("{place} takes a number, not an expression over variables"),
                code: ErrorCode::InvalidArgumentLimit,
                help: Some(format!("write {place} 10, or {place} $n with a parameter")),
                ..e
            }),
            other => other,
        }
    }

    // ----- MATCH ---------------------------------------------------------------------------

    fn match_clause(
        &mut self,
        scope: &mut Scope,
        optional: bool,
        patterns: &[Pattern],
        filter: Option<&Expr>,
    ) -> Result<MatchPlan, QueryError> {
        let bound_before: HashSet<String> = scope.vars.iter().map(|(n, ..)| n.clone()).collect();
        let first_new = scope.next;
        self.clause_first_slot = first_new;
        let mut clause_rels: HashSet<&str> = HashSet::new();
        for pattern in patterns {
            if let Some(path) = &pattern.variable {
                let chain = &pattern.chain;
                let inside = std::iter::once(&chain.start)
                    .chain(chain.hops.iter().map(|(_, n)| n))
                    .filter_map(|n| n.variable.as_ref())
                    .chain(chain.hops.iter().filter_map(|(r, _)| r.variable.as_ref()))
                    .any(|v| v == path);
                if inside {
                    return Err(self.error(
                        ErrorCode::VariableAlreadyBound,
                        pattern.span.start,
                        format!("`{path}` names the path and a part of it"),
                        Some("use another name for the part".to_owned()),
                    ));
                }
                if scope.get(path).is_some() {
                    return Err(self.error(
                        ErrorCode::VariableAlreadyBound,
                        pattern.span.start,
                        format!("the variable `{path}` is already defined"),
                        Some("name the path differently".to_owned()),
                    ));
                }
                scope.bind(path, VarKind::Path);
            }
            let chain = &pattern.chain;
            for node in std::iter::once(&chain.start).chain(chain.hops.iter().map(|(_, n)| n)) {
                self.declare(
                    scope,
                    node.variable.as_deref(),
                    VarKind::Node,
                    node.span.start,
                )?;
            }
            for (rel, _) in &chain.hops {
                let Some(name) = rel.variable.as_deref() else {
                    continue;
                };
                if !clause_rels.insert(name) {
                    return Err(self.error(
                        ErrorCode::VariableAlreadyBound,
                        rel.span.start,
                        format!("the relationship variable `{name}` is used twice in one MATCH"),
                        Some("a relationship matches once per pattern; use two names".to_owned()),
                    ));
                }
                let kind = if rel.length.is_some() {
                    VarKind::RelationshipList
                } else {
                    VarKind::Relationship
                };
                if kind == VarKind::RelationshipList && bound_before.contains(name) {
                    return Err(self.error(
                        ErrorCode::UnsupportedPattern,
                        rel.span.start,
                        format!("`{name}` is already bound and cannot name a variable-length relationship"),
                        Some("use a new name, then compare lists in WHERE".to_owned()),
                    ));
                }
                self.declare(scope, Some(name), kind, rel.span.start)?;
            }
        }
        let new_slots: Vec<Slot> = (first_new..scope.next).collect();
        self.clause_first_slot = usize::MAX;

        let filter = filter
            .map(|f| self.expr(scope, f, &mut ExprContext::plain("WHERE")))
            .transpose()?;
        let hints = filter
            .as_ref()
            .map(|f| lookup_hints(f, first_new))
            .unwrap_or_default();

        let mut bound_now = bound_before.clone();
        let mut plans = Vec::new();
        for pattern in patterns {
            let plan = self.pattern(scope, pattern, &mut bound_now, &hints, first_new)?;
            plans.push(plan);
        }
        let _ = optional;
        Ok(MatchPlan {
            optional,
            patterns: plans,
            filter,
            new_slots,
        })
    }

    fn call_clause(
        &mut self,
        scope: &mut Scope,
        name: &str,
        args: &[Expr],
        yields: Option<&[(String, String)]>,
        at: usize,
    ) -> Result<(Op, Vec<(String, Slot)>), QueryError> {
        use super::procedures::{self, Output};
        let Some(procedures::Signature {
            procedure,
            args: arg_names,
            outputs,
            ..
        }) = procedures::resolve(name)
        else {
            return Err(self.error(
                ErrorCode::UnknownFunction,
                at,
                format!("unknown procedure `{name}`"),
                did_you_mean(&suggest(name, procedures::names())).or_else(|| {
                    Some(format!(
                        "procedures: {}",
                        procedures::names().collect::<Vec<_>>().join(", ")
                    ))
                }),
            ));
        };
        if args.len() != arg_names.len() {
            return Err(self.error(
                ErrorCode::InvalidNumberOfArguments,
                at,
                format!(
                    "`{name}` takes {} argument{} ({}), not {}",
                    arg_names.len(),
                    if arg_names.len() == 1 { "" } else { "s" },
                    arg_names.join(", "),
                    args.len()
                ),
                None,
            ));
        }
        let args = args
            .iter()
            .map(|a| self.expr(scope, a, &mut ExprContext::plain("CALL")))
            .collect::<Result<Vec<_>, _>>()?;
        let wanted: Vec<(String, String)> = match yields {
            Some(list) => list.to_vec(),
            None => outputs
                .iter()
                .map(|(n, _)| ((*n).to_owned(), (*n).to_owned()))
                .collect(),
        };
        let mut bound = Vec::new();
        let mut columns = Vec::new();
        for (column, alias) in wanted {
            let Some(index) = outputs.iter().position(|(n, _)| *n == column) else {
                let names: Vec<&str> = outputs.iter().map(|(n, _)| *n).collect();
                return Err(self.error(
                    ErrorCode::UndefinedVariable,
                    at,
                    format!("`{name}` yields no column `{column}`"),
                    Some(format!("it yields {}", names.join(", "))),
                ));
            };
            if scope.get(&alias).is_some() {
                return Err(self.error(
                    ErrorCode::VariableAlreadyBound,
                    at,
                    format!("the variable `{alias}` is already defined"),
                    Some(format!("rename it: YIELD {column} AS another_name")),
                ));
            }
            let kind = match outputs[index].1 {
                Output::Node => VarKind::Node,
                Output::Path => VarKind::Path,
                Output::Value => VarKind::Value,
            };
            let slot = scope.bind(&alias, kind);
            columns.push((index, slot));
            bound.push((alias, slot));
        }
        Ok((
            Op::Call {
                procedure: *procedure,
                args,
                outputs: columns,
                at,
            },
            bound,
        ))
    }

    /// Makes `name` a variable of `kind`, or checks that it already is one.
    fn declare(
        &mut self,
        scope: &mut Scope,
        name: Option<&str>,
        kind: VarKind,
        offset: usize,
    ) -> Result<(), QueryError> {
        let Some(name) = name else { return Ok(()) };
        match scope.get(name) {
            None => {
                scope.bind(name, kind);
                Ok(())
            }
            Some((_, existing)) if existing == kind => Ok(()),
            // A value computed by an expression may hold a node; the search checks at run time.
            Some((_, VarKind::Value)) if kind == VarKind::Node => Ok(()),
            Some((_, existing)) => Err(self.error(
                ErrorCode::VariableTypeConflict,
                offset,
                format!(
                    "`{name}` is {} and cannot be used as {}",
                    existing.noun(),
                    kind.noun()
                ),
                Some("use another name".to_owned()),
            )),
        }
    }

    fn pattern(
        &mut self,
        scope: &Scope,
        pattern: &Pattern,
        bound_now: &mut HashSet<String>,
        hints: &[LookupHint],
        first_new: Slot,
    ) -> Result<PatternPlan, QueryError> {
        let chain = &pattern.chain;
        if pattern.search != PathSearch::All {
            let name = if pattern.search == PathSearch::Shortest {
                "shortestPath"
            } else {
                "allShortestPaths"
            };
            if chain.hops.len() != 1 {
                return Err(self.error(
                    ErrorCode::UnsupportedPattern,
                    pattern.span.start,
                    format!("{name} takes a pattern of one relationship, such as (a)-[*]-(b)"),
                    Some("match the other parts of the path in a separate pattern".to_owned()),
                ));
            }
            let rel = &chain.hops[0].0;
            if rel.length.and_then(|l| l.min).is_some_and(|m| m > 1) {
                return Err(self.error(
                    ErrorCode::UnsupportedPattern,
                    rel.span.start,
                    format!("{name} needs a minimum length of 0 or 1"),
                    Some(
                        "write [*] or [*..N]; filter longer paths with WHERE length(p) >= N"
                            .to_owned(),
                    ),
                ));
            }
        }
        let mut nodes: Vec<&NodePattern> = vec![&chain.start];
        nodes.extend(chain.hops.iter().map(|(_, n)| n));
        let rels: Vec<&RelPattern> = chain.hops.iter().map(|(r, _)| r).collect();

        let start_cost = self.start_cost(scope, nodes[0], bound_now, hints, first_new);
        let end_cost = self.start_cost(scope, nodes[nodes.len() - 1], bound_now, hints, first_new);
        let reversed = pattern.search == PathSearch::All && end_cost < start_cost;
        let order: Vec<usize> = if reversed {
            (0..nodes.len()).rev().collect()
        } else {
            (0..nodes.len()).collect()
        };

        let mut steps = Vec::new();
        for &i in &order {
            steps.push(self.node_step(scope, nodes[i], bound_now, hints, first_new)?);
        }
        let mut hops = Vec::new();
        let mut steps = steps.into_iter();
        let start = steps.next().expect("a pattern has a node");
        for (k, node) in steps.enumerate() {
            // Relationship between order[k] and order[k + 1].
            let rel_index = if reversed { order[k] - 1 } else { order[k] };
            let shortest = pattern.search != PathSearch::All;
            let rel = self.rel_step(scope, rels[rel_index], (reversed, shortest), bound_now)?;
            hops.push(Hop { rel, node });
        }
        // The path variable is bound once the whole pattern matched.
        let path_slot = pattern
            .variable
            .as_deref()
            .map(|p| scope.get(p).expect("declared").0);
        if let Some(p) = &pattern.variable {
            bound_now.insert(p.clone());
        }
        Ok(PatternPlan {
            path_slot,
            search: pattern.search,
            start,
            hops,
            reversed,
        })
    }

    /// Roughly how many nodes a search starting at `node` would begin from.
    fn start_cost(
        &self,
        scope: &Scope,
        node: &NodePattern,
        bound_now: &HashSet<String>,
        hints: &[LookupHint],
        first_new: Slot,
    ) -> usize {
        if let Some(v) = &node.variable {
            if bound_now.contains(v) {
                return 1;
            }
            if let Some((slot, _)) = scope.get(v)
                && hints.iter().any(|h| h.slot == slot)
            {
                return 2;
            }
        }
        if index_entry(node, first_new).is_some() {
            return 2;
        }
        node.labels
            .iter()
            .map(|l| self.graph.nodes_with_label(l).len())
            .min()
            .unwrap_or_else(|| self.graph.node_count())
            .saturating_add(3)
    }

    fn node_step(
        &mut self,
        scope: &Scope,
        node: &NodePattern,
        bound_now: &mut HashSet<String>,
        hints: &[LookupHint],
        first_new: Slot,
    ) -> Result<NodeStep, QueryError> {
        let slot = node
            .variable
            .as_deref()
            .map(|v| scope.get(v).expect("declared").0);
        let bound = node
            .variable
            .as_ref()
            .is_some_and(|v| bound_now.contains(v));
        for label in &node.labels {
            self.check_label(label, node.span.start);
        }
        let (props, props_map) = self.properties(scope, node.properties.as_ref(), true)?;
        let mut lookup = Lookup::Scan;
        if !bound {
            if let Some((key, expr)) = index_entry(node, first_new) {
                let value = self.expr(scope, expr, &mut ExprContext::plain("a pattern"))?;
                lookup = if key == ID_KEY {
                    Lookup::Id(value)
                } else {
                    Lookup::Name(value)
                };
            } else if let Some(hint) = slot.and_then(|s| hints.iter().find(|h| h.slot == s)) {
                let value = clone_pexpr(&hint.value);
                lookup = match (hint.key == ID_KEY, hint.is_list) {
                    (true, false) => Lookup::Id(value),
                    (true, true) => Lookup::IdIn(value),
                    (false, false) => Lookup::Name(value),
                    (false, true) => Lookup::NameIn(value),
                };
            } else if let Some(label) = node
                .labels
                .iter()
                .min_by_key(|l| self.graph.nodes_with_label(l).len())
            {
                lookup = Lookup::Label(label.clone());
            }
        }
        if let Some(v) = &node.variable {
            bound_now.insert(v.clone());
        }
        Ok(NodeStep {
            text: self.text[node.span.clone()].trim().to_owned(),
            slot,
            bound,
            labels: node.labels.clone(),
            props,
            props_map,
            lookup,
        })
    }

    fn rel_step(
        &mut self,
        scope: &Scope,
        rel: &RelPattern,
        (reversed, shortest): (bool, bool),
        bound_now: &mut HashSet<String>,
    ) -> Result<RelStep, QueryError> {
        let slot = rel
            .variable
            .as_deref()
            .map(|v| scope.get(v).expect("declared").0);
        let bound = rel.variable.as_ref().is_some_and(|v| bound_now.contains(v));
        let types = rel
            .types
            .iter()
            .map(|t| self.resolve_type(t, rel.span.start))
            .collect();
        let (props, props_map) = self.properties(scope, rel.properties.as_ref(), false)?;
        let arrow = match (rel.arrow, reversed) {
            (Arrow::Right, true) => Arrow::Left,
            (Arrow::Left, true) => Arrow::Right,
            (arrow, _) => arrow,
        };
        if let Some(v) = &rel.variable {
            bound_now.insert(v.clone());
        }
        Ok(RelStep {
            text: self.text[rel.span.clone()].trim().to_owned(),
            slot,
            bound,
            types,
            arrow,
            length: rel.length.map(|l| {
                let max = match l.max {
                    Some(max) => max,
                    // shortestPath searches breadth first and stops by itself.
                    None if shortest => u64::MAX,
                    None => super::limits::max_var_length(),
                };
                (l.min.unwrap_or(1), Some(max))
            }),
            default_max: rel.length.is_some_and(|l| l.max.is_none()) && !shortest,
            reach_only: false,
            count_reached: None,
            props,
            props_map,
        })
    }

    fn properties(
        &mut self,
        scope: &Scope,
        properties: Option<&Expr>,
        on_node: bool,
    ) -> Result<PropertyFilter, QueryError> {
        match properties {
            None => Ok((Vec::new(), None)),
            Some(Expr {
                kind: ExprKind::Map(entries),
                ..
            }) => {
                let mut out = Vec::new();
                for (key, value) in entries {
                    self.check_key(key, value.span.start, on_node);
                    out.push((
                        key.clone(),
                        self.expr(scope, value, &mut ExprContext::plain("a pattern"))?,
                    ));
                }
                Ok((out, None))
            }
            Some(other) => Ok((
                Vec::new(),
                Some(self.expr(scope, other, &mut ExprContext::plain("a pattern"))?),
            )),
        }
    }

    // ----- names checked against the graph -------------------------------------------------

    fn check_label(&mut self, label: &str, offset: usize) {
        if !self.graph.nodes_with_label(label).is_empty() {
            return;
        }
        let mut known: Vec<String> = self
            .graph
            .label_counts()
            .keys()
            .map(|s| (*s).to_owned())
            .collect();
        if self.graph.schema() == Schema::Alliance {
            for kind in [
                Kind::Company,
                Kind::Fund,
                Kind::Government,
                Kind::Consortium,
            ] {
                known.push(kind.label().to_owned());
            }
        }
        known.sort();
        known.dedup();
        let help = did_you_mean(&suggest(label, known.iter().map(String::as_str))).or_else(|| {
            (!known.is_empty()).then(|| format!("labels in this graph: {}", known.join(", ")))
        });
        self.warn(offset, format!("no node has the label `{label}`"), help);
    }

    /// The stored name of a relationship type: as written, or the canonical spelling of a
    /// data-file name such as `invests-in`.
    fn resolve_type(&mut self, written: &str, offset: usize) -> String {
        if self.graph.type_count(written) > 0 {
            return written.to_owned();
        }
        if let Some(rel_type) = RelType::parse_any(written) {
            let canonical = rel_type.edge_type();
            if self.graph.type_count(canonical) > 0 || self.graph.schema() == Schema::Alliance {
                return canonical.to_owned();
            }
        }
        let mut known: Vec<&str> = self.graph.type_counts().keys().copied().collect();
        if self.graph.schema() == Schema::Alliance {
            known.extend(["INVESTS_IN", "MEMBER_OF", "SUPPLIES"]);
        }
        known.sort_unstable();
        known.dedup();
        let help = did_you_mean(&suggest(written, known.iter().copied())).or_else(|| {
            (!known.is_empty())
                .then(|| format!("relationship types in this graph: {}", known.join(", ")))
        });
        self.warn(
            offset,
            format!("no relationship has the type `{written}`"),
            help,
        );
        written.to_owned()
    }

    fn check_key(&mut self, key: &str, offset: usize, _on_node: bool) {
        if self.graph.has_property_key(key) || self.graph.node_count() == 0 {
            return;
        }
        let keys = self.graph.property_keys();
        let help = did_you_mean(&suggest(key, keys.iter().copied()));
        self.warn(
            offset,
            format!("no node or relationship has the property `{key}`"),
            help,
        );
    }

    // ----- expressions ---------------------------------------------------------------------

    fn expr(
        &mut self,
        scope: &Scope,
        expr: &Expr,
        cx: &mut ExprContext<'_>,
    ) -> Result<PExpr, QueryError> {
        // The parser bounds how deep expressions nest; this keeps a thread with a small stack
        // safe at that depth.
        crate::query::parser::guard_stack(|| self.expr_unguarded(scope, expr, cx))
    }

    fn expr_unguarded(
        &mut self,
        scope: &Scope,
        expr: &Expr,
        cx: &mut ExprContext<'_>,
    ) -> Result<PExpr, QueryError> {
        let span = expr.span.clone();
        if !cx.replacements.is_empty() && span.end > span.start {
            let text = squeeze(&self.text[span.clone()]);
            if let Some((_, slot)) = cx.replacements.iter().find(|(t, _)| *t == text) {
                return Ok(PExpr {
                    kind: PKind::Slot(*slot),
                    span,
                });
            }
        }
        let mut sub = |planner: &mut Self, e: &Expr| -> Result<Box<PExpr>, QueryError> {
            planner.expr(scope, e, cx).map(Box::new)
        };
        let kind = match &expr.kind {
            ExprKind::Null => PKind::Const(QueryValue::Null),
            ExprKind::Bool(b) => PKind::Const(QueryValue::Bool(*b)),
            ExprKind::Int(i) => PKind::Const(QueryValue::Int(*i)),
            ExprKind::Float(f) => PKind::Const(QueryValue::Float(*f)),
            ExprKind::String(s) => PKind::Const(QueryValue::String(s.clone())),
            ExprKind::Parameter(p) => PKind::Param(p.clone()),
            ExprKind::Variable(name) => match scope.get(name) {
                Some((slot, _)) => PKind::Slot(slot),
                None => {
                    let names = scope.names();
                    let help = did_you_mean(&suggest(name, names.iter().copied()));
                    return Err(self.error(
                        ErrorCode::UndefinedVariable,
                        span.start,
                        format!("the variable `{name}` is not defined"),
                        help.or_else(|| {
                            Some(if names.is_empty() {
                                "no variable is defined here; bind one with MATCH, UNWIND or WITH"
                                    .to_owned()
                            } else {
                                format!("variables here: {}", names.join(", "))
                            })
                        }),
                    ));
                }
            },
            ExprKind::List(items) => {
                let items = items
                    .iter()
                    .map(|e| self.expr(scope, e, cx))
                    .collect::<Result<Vec<_>, _>>()?;
                fold_list(items)
            }
            ExprKind::Map(entries) => PKind::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.expr(scope, v, cx)?)))
                    .collect::<Result<_, QueryError>>()?,
            ),
            ExprKind::Property(base, key) => {
                if let ExprKind::Variable(v) = &base.kind
                    && let Some((_, VarKind::Node | VarKind::Relationship)) = scope.get(v)
                {
                    let offset = base.span.end + 1;
                    self.check_key(key, offset, true);
                }
                PKind::Property(sub(self, base)?, key.clone())
            }
            ExprKind::Index(base, index) => PKind::Index(sub(self, base)?, sub(self, index)?),
            ExprKind::Slice(base, from, to) => PKind::Slice(
                sub(self, base)?,
                from.as_deref().map(|e| sub(self, e)).transpose()?,
                to.as_deref().map(|e| sub(self, e)).transpose()?,
            ),
            ExprKind::HasLabels(base, labels) => {
                for label in labels {
                    self.check_label(label, base.span.end);
                }
                PKind::HasLabels(sub(self, base)?, labels.clone())
            }
            ExprKind::Unary(op, operand) => PKind::Unary(*op, sub(self, operand)?),
            ExprKind::Binary(BinaryOp::Regex, lhs, rhs) => {
                let lhs = sub(self, lhs)?;
                match &rhs.kind {
                    ExprKind::String(pattern) => {
                        PKind::RegexConst(lhs, self.regex(pattern, rhs.span.start)?)
                    }
                    _ => PKind::Binary(BinaryOp::Regex, lhs, sub(self, rhs)?),
                }
            }
            ExprKind::Binary(op, lhs, rhs) => PKind::Binary(*op, sub(self, lhs)?, sub(self, rhs)?),
            ExprKind::IsNull { expr, negated } => PKind::IsNull(sub(self, expr)?, *negated),
            ExprKind::Case {
                subject,
                branches,
                otherwise,
            } => PKind::Case {
                subject: subject.as_deref().map(|e| sub(self, e)).transpose()?,
                branches: branches
                    .iter()
                    .map(|(w, t)| Ok((*sub(self, w)?, *sub(self, t)?)))
                    .collect::<Result<_, QueryError>>()?,
                otherwise: otherwise.as_deref().map(|e| sub(self, e)).transpose()?,
            },
            ExprKind::CountStar => self.aggregate(AggFunction::Count, false, None, &span, cx)?,
            ExprKind::Call {
                name,
                distinct,
                args,
            } => self.call(scope, name, *distinct, args, &span, cx)?,
            ExprKind::ListComprehension {
                variable,
                list,
                filter,
                map,
            } => {
                let list = self.expr(scope, list, cx)?;
                let mut inner = scope.clone();
                let slot = inner.bind(variable, VarKind::Value);
                let mut inner_cx = cx.inner("a list comprehension");
                let filter = filter
                    .as_deref()
                    .map(|f| self.expr(&inner, f, &mut inner_cx).map(Box::new))
                    .transpose()?;
                let map = map
                    .as_deref()
                    .map(|m| self.expr(&inner, m, &mut inner_cx).map(Box::new))
                    .transpose()?;
                self.reserve(inner.next);
                PKind::Comprehension {
                    slot,
                    list: Box::new(list),
                    filter,
                    map,
                }
            }
            ExprKind::PatternPredicate(chain) => {
                PKind::Pattern(Box::new(self.pattern_predicate(scope, chain, &span)?))
            }
            ExprKind::ListPredicate {
                quantifier,
                variable,
                list,
                predicate,
            } => {
                let list = self.expr(scope, list, cx)?;
                let mut inner = scope.clone();
                let slot = inner.bind(variable, VarKind::Value);
                let mut inner_cx = cx.inner("a list predicate");
                let predicate = self.expr(&inner, predicate, &mut inner_cx)?;
                self.reserve(inner.next);
                PKind::ListPredicate {
                    quantifier: *quantifier,
                    slot,
                    list: Box::new(list),
                    predicate: Box::new(predicate),
                }
            }
        };
        self.check_static_types(&kind, &span)?;
        Ok(PExpr { kind, span })
    }

    /// Operators given a literal of a type they can never take fail before the query runs.
    fn check_static_types(&self, kind: &PKind, span: &Span) -> Result<(), QueryError> {
        let literal_type = |e: &PExpr| -> Option<&'static str> {
            match &e.kind {
                PKind::Const(QueryValue::Null) => None,
                PKind::Const(v) => Some(v.type_name()),
                PKind::List(_) => Some("a list"),
                PKind::Map(_) => Some("a map"),
                _ => None,
            }
        };
        let bad = |e: &PExpr, what: &str| {
            QueryError::at(
                ErrorKind::Semantic,
                ErrorCode::InvalidArgumentType,
                self.text,
                e.span.start,
                format!("{what}, not {}", literal_type(e).unwrap_or("this")),
                None,
            )
        };
        let boolean = |e: &PExpr| literal_type(e).is_none_or(|t| t == "a boolean");
        match kind {
            PKind::Binary(BinaryOp::And | BinaryOp::Or | BinaryOp::Xor, l, r) => {
                for side in [l, r] {
                    if !boolean(side) {
                        return Err(bad(side, "AND, OR and XOR take booleans"));
                    }
                }
            }
            PKind::Unary(UnaryOp::Not, operand) if !boolean(operand) => {
                return Err(bad(operand, "NOT takes a boolean"));
            }
            PKind::Binary(BinaryOp::In, _, r) if literal_type(r).is_some_and(|t| t != "a list") => {
                return Err(bad(r, "IN takes a list on its right"));
            }
            _ => {}
        }
        let _ = span;
        Ok(())
    }

    /// Comprehension variables take slots beyond their scope's; rows are sized to the widest.
    fn reserve(&mut self, next: Slot) {
        self.widest = self.widest.max(next);
    }

    /// The width of a segment's rows, once its last expression is compiled.
    fn close_segment(&mut self, scope: &Scope) -> usize {
        std::mem::take(&mut self.widest).max(scope.next)
    }

    fn regex(&self, pattern: &str, offset: usize) -> Result<Regex, QueryError> {
        Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
            QueryError::at(
                ErrorKind::Argument,
                ErrorCode::InvalidArgumentValue,
                self.text,
                offset,
                format!("invalid regular expression: {}", first_line(&e.to_string())),
                Some("=~ takes a regular expression that must match the whole string".to_owned()),
            )
        })
    }

    fn aggregate(
        &mut self,
        function: AggFunction,
        distinct: bool,
        arg: Option<PExpr>,
        span: &Span,
        cx: &mut ExprContext<'_>,
    ) -> Result<PKind, QueryError> {
        if cx.inside_aggregate {
            return Err(self.error(
                ErrorCode::NestedAggregation,
                span.start,
                format!("`{}` is inside another aggregate", function.name()),
                Some("aggregate in two steps: WITH ... AS x, then aggregate x".to_owned()),
            ));
        }
        let Some(aggregates) = cx.aggregates.as_deref_mut() else {
            return Err(self.error(
                ErrorCode::InvalidAggregation,
                span.start,
                format!(
                    "aggregate functions such as `{}` are not allowed in {}",
                    function.name(),
                    cx.place
                ),
                Some(
                    "aggregate in WITH, then filter: WITH n, count(*) AS c WHERE c > 1".to_owned(),
                ),
            ));
        };
        aggregates.push(Aggregate {
            function,
            distinct,
            arg,
        });
        Ok(PKind::Aggregate(aggregates.len() - 1))
    }

    fn call(
        &mut self,
        scope: &Scope,
        name: &str,
        distinct: bool,
        args: &[Expr],
        span: &Span,
        cx: &mut ExprContext<'_>,
    ) -> Result<PKind, QueryError> {
        let Some(callee) = functions::resolve(name) else {
            let help = did_you_mean(&suggest(name, functions::names()));
            return Err(self.error(
                ErrorCode::UnknownFunction,
                span.start,
                format!("unknown function `{name}`"),
                help.or_else(|| Some("`:help functions` lists them".to_owned())),
            ));
        };
        match callee {
            Callee::Aggregate(function) => {
                if args.len() != 1 {
                    return Err(self.arity_error(name, 1, 1, args.len(), span));
                }
                let was_inside = cx.inside_aggregate;
                if was_inside {
                    return self.aggregate(function, distinct, None, span, cx);
                }
                cx.inside_aggregate = true;
                let arg = self.expr(scope, &args[0], cx);
                cx.inside_aggregate = false;
                let arg = arg?;
                self.aggregate(function, distinct, Some(arg), span, cx)
            }
            Callee::Scalar {
                function,
                min_args,
                max_args,
            } => {
                if distinct {
                    return Err(self.error(
                        ErrorCode::InvalidArgumentType,
                        span.start,
                        format!("DISTINCT only applies to aggregate functions, not `{name}`"),
                        None,
                    ));
                }
                if args.len() < min_args || args.len() > max_args {
                    return Err(self.arity_error(name, min_args, max_args, args.len(), span));
                }
                let args = args
                    .iter()
                    .map(|a| self.expr(scope, a, cx))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(PKind::Call(function, args))
            }
        }
    }

    fn arity_error(
        &self,
        name: &str,
        min: usize,
        max: usize,
        got: usize,
        span: &Span,
    ) -> QueryError {
        let wanted = match (min, max) {
            (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
            (a, usize::MAX) => format!("at least {a} argument{}", if a == 1 { "" } else { "s" }),
            (a, b) => format!("{a} to {b} arguments"),
        };
        self.error(
            ErrorCode::InvalidNumberOfArguments,
            span.start,
            format!("`{name}` takes {wanted}, not {got}"),
            None,
        )
    }

    fn pattern_predicate(
        &mut self,
        scope: &Scope,
        chain: &Chain,
        span: &Span,
    ) -> Result<PatternPlan, QueryError> {
        let mut names: Vec<(&str, usize)> = Vec::new();
        for node in std::iter::once(&chain.start).chain(chain.hops.iter().map(|(_, n)| n)) {
            if let Some(v) = &node.variable {
                names.push((v, node.span.start));
            }
        }
        for (rel, _) in &chain.hops {
            if let Some(v) = &rel.variable {
                names.push((v, rel.span.start));
            }
        }
        for (name, offset) in names {
            if scope.get(name).is_none() {
                return Err(self.error(
                    ErrorCode::UndefinedVariable,
                    offset,
                    format!("the variable `{name}` is not defined; a pattern in an expression cannot introduce new variables"),
                    Some("bind it in MATCH first, or leave it anonymous".to_owned()),
                ));
            }
        }
        let mut bound_now: HashSet<String> = scope.vars.iter().map(|(n, ..)| n.clone()).collect();
        let pattern = Pattern {
            variable: None,
            search: PathSearch::All,
            chain: chain.clone(),
            span: span.clone(),
        };
        self.pattern(scope, &pattern, &mut bound_now, &[], usize::MAX)
    }
}

fn first_line(text: &str) -> &str {
    text.lines().last().unwrap_or(text)
}

fn clause_start(clause: &Clause) -> usize {
    match clause {
        Clause::Match { patterns, .. } => patterns.first().map_or(0, |p| p.span.start),
        Clause::Unwind { list, .. } => list.span.start,
        Clause::With { projection, .. } | Clause::Return(projection) => {
            projection.items.first().map_or(0, |i| i.expr.span.start)
        }
        Clause::Create { patterns } => patterns.first().map_or(0, |p| p.span.start),
        Clause::Merge { pattern, .. } => pattern.span.start,
        Clause::Set(items) => items.first().map_or(0, write::set_item_start),
        Clause::Remove(items) => items.first().map_or(0, write::remove_item_start),
        Clause::Delete { targets, .. } => targets.first().map_or(0, |t| t.span.start),
        Clause::Call { span, .. } => span.start,
    }
}

/// An expression that yields an amount of money: a `…_usd` property, or an aggregate, sum or
/// difference of such.
fn is_money(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Property(_, key) => key == "amount_usd" || key.ends_with("_usd"),
        ExprKind::Call { name, args, .. } => {
            ["sum", "min", "max", "avg", "collect", "coalesce"]
                .iter()
                .any(|f| f.eq_ignore_ascii_case(name))
                && args.first().is_some_and(is_money)
        }
        ExprKind::Binary(BinaryOp::Add | BinaryOp::Sub, l, r) => is_money(l) && is_money(r),
        _ => false,
    }
}

/// A list of constants is itself a constant.
fn fold_list(items: Vec<PExpr>) -> PKind {
    if items.iter().all(|e| matches!(e.kind, PKind::Const(_))) {
        PKind::Const(QueryValue::List(
            items
                .into_iter()
                .map(|e| match e.kind {
                    PKind::Const(v) => v,
                    _ => unreachable!("checked above"),
                })
                .collect(),
        ))
    } else {
        PKind::List(items)
    }
}

/// `{id: ...}` or `{name: ...}` in a node pattern, when its value needs no variable of the
/// clause being matched (so it can be computed before the search).
fn index_entry(node: &NodePattern, first_new: Slot) -> Option<(&'static str, &Expr)> {
    let _ = first_new;
    let Some(Expr {
        kind: ExprKind::Map(entries),
        ..
    }) = &node.properties
    else {
        return None;
    };
    for key in [ID_KEY, NAME_KEY] {
        if let Some((_, value)) = entries.iter().find(|(k, _)| k == key)
            && is_self_contained(value)
        {
            return Some((key, value));
        }
    }
    None
}

/// Literals and parameters only.
fn is_self_contained(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::String(_)
        | ExprKind::Parameter(_) => true,
        ExprKind::List(items) => items.iter().all(is_self_contained),
        _ => false,
    }
}

/// `n.id = v`, `n.name = v`, `n.id IN list`, `n.name IN list` in a WHERE, for a node bound by
/// this clause, where `v` needs no variable of the clause.
struct LookupHint {
    slot: Slot,
    key: &'static str,
    is_list: bool,
    value: PExpr,
}

fn lookup_hints(filter: &PExpr, first_new: Slot) -> Vec<LookupHint> {
    let mut conjuncts = Vec::new();
    collect_conjuncts(filter, &mut conjuncts);
    let mut hints = Vec::new();
    for conjunct in conjuncts {
        let PKind::Binary(op, lhs, rhs) = &conjunct.kind else {
            continue;
        };
        let sides: &[(&PExpr, &PExpr)] = match op {
            BinaryOp::Eq => &[(lhs, rhs), (rhs, lhs)],
            BinaryOp::In => &[(lhs, rhs)],
            _ => continue,
        };
        for (property, value) in sides {
            let PKind::Property(base, key) = &property.kind else {
                continue;
            };
            let PKind::Slot(slot) = base.kind else {
                continue;
            };
            let key = match key.as_str() {
                ID_KEY => ID_KEY,
                NAME_KEY => NAME_KEY,
                _ => continue,
            };
            if slot < first_new || !uses_only_slots_below(value, first_new) {
                continue;
            }
            hints.push(LookupHint {
                slot,
                key,
                is_list: *op == BinaryOp::In,
                value: clone_pexpr(value),
            });
            break;
        }
    }
    hints
}

fn collect_conjuncts<'e>(expr: &'e PExpr, out: &mut Vec<&'e PExpr>) {
    if let PKind::Binary(BinaryOp::And, lhs, rhs) = &expr.kind {
        collect_conjuncts(lhs, out);
        collect_conjuncts(rhs, out);
    } else {
        out.push(expr);
    }
}

/// Whether `expr` is computable before the clause: constants, parameters, and variables
/// bound by earlier clauses (slots below `first_new`).
fn uses_only_slots_below(expr: &PExpr, first_new: Slot) -> bool {
    match &expr.kind {
        PKind::Const(_) | PKind::Param(_) => true,
        PKind::Slot(s) => *s < first_new,
        PKind::List(items) => items.iter().all(|e| uses_only_slots_below(e, first_new)),
        PKind::Property(base, _) => uses_only_slots_below(base, first_new),
        _ => false,
    }
}

/// A copy of the simple expressions lookups use.
fn clone_pexpr(expr: &PExpr) -> PExpr {
    let kind = match &expr.kind {
        PKind::Const(v) => PKind::Const(v.clone()),
        PKind::Param(p) => PKind::Param(p.clone()),
        PKind::Slot(s) => PKind::Slot(*s),
        PKind::List(items) => PKind::List(items.iter().map(clone_pexpr).collect()),
        PKind::Property(base, key) => PKind::Property(Box::new(clone_pexpr(base)), key.clone()),
        // Only the forms accepted by `uses_only_slots_below` reach here.
        _ => PKind::Const(QueryValue::Null),
    };
    PExpr {
        kind,
        span: expr.span.clone(),
    }
}

impl Plan {
    /// How the statement will run, one line per step: where each pattern search starts (an
    /// index, a label, a bound variable, or every node) and in which direction it goes.
    pub(crate) fn explain(&self) -> String {
        let mut out = String::new();
        for (q, query) in self.queries.iter().enumerate() {
            if self.queries.len() > 1 {
                let join = if self.union_all { "UNION ALL" } else { "UNION" };
                out.push_str(&format!("part {} of a {join}:\n", q + 1));
            }
            for segment in &query.segments {
                for op in &segment.ops {
                    match op {
                        Op::Match(m) => {
                            let clause = if m.optional {
                                "OPTIONAL MATCH"
                            } else {
                                "MATCH"
                            };
                            for pattern in &m.patterns {
                                out.push_str(&format!("{clause} {}\n", explain_pattern(pattern)));
                            }
                            if m.filter.is_some() {
                                out.push_str("  then filter with WHERE\n");
                            }
                        }
                        Op::Unwind { .. } => out.push_str("UNWIND a list into rows\n"),
                        Op::TypeCounts { types, .. } => out.push_str(&format!(
                            "count relationships of {} from the store's counts, no scan\n",
                            if types.is_empty() {
                                "each type".to_owned()
                            } else {
                                types.join(", ")
                            }
                        )),
                        Op::Call { procedure, .. } => {
                            out.push_str(&format!("CALL {procedure:?} and bind what it yields\n"));
                        }
                        Op::Filter(_) => out.push_str("filter with WHERE\n"),
                        Op::Create(patterns) => {
                            out.push_str(&format!("CREATE {} pattern(s) per row\n", patterns.len()))
                        }
                        Op::Merge(m) => out.push_str(&format!(
                            "MERGE: {}, or create it\n",
                            explain_pattern(&m.find)
                        )),
                        Op::Set(items) => out.push_str(&format!("SET {} item(s)\n", items.len())),
                        Op::Remove(items) => {
                            out.push_str(&format!("REMOVE {} item(s)\n", items.len()));
                        }
                        Op::Delete { detach, targets } => out.push_str(&format!(
                            "{}DELETE {} item(s)\n",
                            if *detach { "DETACH " } else { "" },
                            targets.len()
                        )),
                    }
                }
                let p = &segment.projection;
                let mut steps = vec![format!("project {} column(s)", p.items.len())];
                if p.aggregating() {
                    steps.push(format!(
                        "aggregate {} function(s) grouped by {} key(s)",
                        p.aggregates.len(),
                        p.key_items.len()
                    ));
                }
                if p.distinct {
                    steps.push("drop duplicates".to_owned());
                }
                if !p.order_by.is_empty() {
                    steps.push(format!("sort by {} key(s)", p.order_by.len()));
                }
                if p.skip.is_some() {
                    steps.push("skip".to_owned());
                }
                if p.limit.is_some() {
                    steps.push("limit".to_owned());
                }
                out.push_str(&format!("{}\n", steps.join(", then ")));
            }
        }
        out
    }
}

fn explain_pattern(pattern: &PatternPlan) -> String {
    let start = &pattern.start;
    let how = if start.bound {
        "already bound".to_owned()
    } else {
        match &start.lookup {
            Lookup::Scan => "scanning every node".to_owned(),
            Lookup::Label(label) => format!("scanning the nodes labelled {label}"),
            Lookup::Id(_) => "through the id index".to_owned(),
            Lookup::Name(_) => "through the name index".to_owned(),
            Lookup::IdIn(_) => "through the id index, once per listed value".to_owned(),
            Lookup::NameIn(_) => "through the name index, once per listed value".to_owned(),
        }
    };
    let mut text = format!("start at {} {how}", start.text);
    match pattern.search {
        PathSearch::All => {
            for hop in &pattern.hops {
                let arrow = match hop.rel.arrow {
                    Arrow::Right => "out along",
                    Arrow::Left => "in along",
                    Arrow::Both => "either way along",
                };
                text.push_str(&format!(
                    ", go {arrow} {} to {}",
                    hop.rel.text, hop.node.text
                ));
                if hop.rel.count_reached.is_some() {
                    text.push_str(
                        " (breadth first, counting each node once: only the count matters)",
                    );
                } else if hop.rel.reach_only {
                    text.push_str(" (breadth first, each node once: the paths do not matter)");
                }
            }
            if pattern.reversed {
                text.push_str(" (searched right to left)");
            }
        }
        search => {
            let hop = &pattern.hops[0];
            let kind = if search == PathSearch::Shortest {
                "shortest path"
            } else {
                "all shortest paths"
            };
            text.push_str(&format!(
                ", breadth-first {kind} along {} to {}",
                hop.rel.text, hop.node.text
            ));
        }
    }
    text
}
