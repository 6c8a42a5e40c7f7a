//! AST → plan: resolves every variable to a row slot, checks the query's meaning, picks where
//! each pattern starts (an index, a label, or a bound node), and compiles expressions.
//!
//! A query is cut into segments at each `WITH` and `RETURN`. Within a segment, rows are
//! vectors of values indexed by slot; a projection ends the segment and starts the next one
//! with a fresh slot layout holding only what it projected, which is how Cypher scopes work.
//!
//! **Invariant:** a plan refers to the graph only for estimates and warnings; it stays valid
//! (if less apt) when the graph changes, and executing it never needs the AST.
//!
//! This file holds the plan's types and the entry point, `plan`; the planner's work is split by
//! concern: `scope.rs` (variables and slots), `clauses.rs` (the clause walk and the reading
//! clauses), `projection.rs` (`WITH`/`RETURN`, aggregation, `ORDER BY`), `patterns.rs`
//! (pattern steps and index choice), `expr.rs` (expressions), `write.rs` (writing clauses),
//! `explain.rs` (`EXPLAIN`), and the rewrites `counts.rs` and `reach.rs`.

mod clauses;
mod counts;
mod explain;
mod expr;
mod patterns;
mod projection;
mod reach;
mod scope;
pub(crate) mod write;

use std::collections::HashSet;

use regex::Regex;

use super::ast::*;
use super::error::{ErrorCode, ErrorKind, QueryError, Warning};
use super::functions::{self, AggFunction, Callee, Function};
use super::procedures::Procedures;
use super::value::QueryValue;
use crate::model::{Schema, did_you_mean, suggest};
use crate::store::{Graph, ID_KEY, NAME_KEY};

use projection::is_money;
use scope::{ExprContext, Scope};

pub(crate) type Slot = usize;

/// The `{key: value}` pairs of a pattern, or a `$map` parameter.
type PropertyFilter = (Vec<(String, PExpr)>, Option<PExpr>);

/// Where a query being planned sits, which decides how it may end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Nesting {
    /// A statement's query: a reading one ends with RETURN.
    Top,
    /// Inside `CALL { ... }`: it ends with RETURN, or writes and returns nothing.
    Call,
    /// Inside `EXISTS`, `COUNT` or `COLLECT`: it only reads, and RETURN is optional.
    Expression,
}

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
    /// A command on the graph's constraints, run in place of any query.
    pub schema: Option<SchemaCommand>,
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
    /// `LOAD CSV`: one row per record of the file `url` names, read as it goes.
    LoadCsv(Box<LoadCsvPlan>),
    Create(Vec<CreatePattern>),
    Merge(Box<MergePlan>),
    Set(Vec<SetPlan>),
    Remove(Vec<RemovePlan>),
    Delete {
        detach: bool,
        targets: Vec<PExpr>,
    },
    /// `CALL { ... }`: for each row, the subquery's rows, each bound to `outputs` (its
    /// columns in order); a subquery that returns nothing passes the row on once.
    CallSubquery {
        body: Box<SubqueryPlan>,
        outputs: Vec<Slot>,
        writes: bool,
    },
    Call {
        procedure: super::procedures::Procedure,
        /// It declares no outputs: each row passes on once, as it came.
        void: bool,
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
        if let Op::CallSubquery { writes, .. } = self {
            return *writes;
        }
        !matches!(
            self,
            Op::Match(_)
                | Op::Unwind { .. }
                | Op::LoadCsv(_)
                | Op::Filter(_)
                | Op::Call { .. }
                | Op::TypeCounts { .. }
        )
    }
}

/// A subquery: queries joined by UNION, run from a row of the enclosing query.
#[derive(Debug)]
pub(crate) struct SubqueryPlan {
    pub queries: Vec<QueryPlan>,
    pub union_all: bool,
    /// The enclosing row's first `seed` slots start the subquery's first row: the variables
    /// it sees keep their slots.
    pub seed: usize,
}

pub(crate) use write::{CreatePattern, MergePlan, RemovePlan, SetPlan};

/// What `LOAD CSV` reads and where its rows go.
#[derive(Debug)]
pub(crate) struct LoadCsvPlan {
    /// The file: a `file:///` URL or a path, evaluated once per incoming row.
    pub url: PExpr,
    /// The first record names the fields: rows are maps, not lists.
    pub headers: bool,
    pub delimiter: u8,
    /// The record, the line it starts on (`linenumber()`) and the file's URL (`file()`).
    pub slot: Slot,
    pub line_slot: Slot,
    pub file_slot: Slot,
    /// Where the clause starts, for messages about the file.
    pub at: usize,
}

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
    /// Through the identifier index of a scheme (`{lei: ...}`).
    Identifier(String, PExpr),
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
    /// `(min, max)` of a variable-length relationship; no maximum for `*` written without
    /// one, which goes as far as the run's hop limit.
    pub length: Option<(u64, Option<u64>)>,
    /// The maximum is the run's hop limit, for `*` written without one.
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
    /// RETURN's columns that are one relationship's amount, with what the table shows beside
    /// it; their values follow the items in each output row (`AmountNotePlan`).
    pub amount_notes: Vec<AmountNotePlan>,
}

/// A column of RETURN that is one relationship's `amount_usd` or `amount`: each output row
/// carries, after its items, that relationship's `amount_qualifier` and (for `amount`) its
/// `currency`, so that a table can show `≤ $100B` or `€1.3B` while the column stays a number.
#[derive(Debug)]
pub(crate) struct AmountNotePlan {
    /// The column's index among the items.
    pub column: usize,
    pub qualifier: PExpr,
    /// The amount's currency; `None` for `amount_usd`, which is in US dollars.
    pub currency: Option<PExpr>,
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
    /// `percentileDisc` and `percentileCont`'s second argument, between 0 and 1.
    pub percentile: Option<PExpr>,
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
    /// `EXISTS { ... }`, `COUNT { ... }`, `COLLECT { ... }`, and pattern comprehensions (a
    /// `COLLECT` of a MATCH).
    Subquery(SubqueryKind, Box<SubqueryPlan>),
    ListPredicate {
        quantifier: Quantifier,
        slot: Slot,
        list: Box<PExpr>,
        predicate: Box<PExpr>,
    },
    /// `n {.name, .*, key: expr}`: the base, and the entries in order (`None` for `.*`).
    MapProjection(Box<PExpr>, Vec<(Option<String>, MapPart)>),
}

/// What a map projection's entry takes: one property of the base, all of them, or a value.
#[derive(Debug)]
pub(crate) enum MapPart {
    Property,
    AllProperties,
    Value(PExpr),
}

/// Plans one parsed statement against `graph`.
///
/// # Errors
/// A semantic error: undefined variable, misplaced aggregate, unknown function, and so on.
pub(crate) fn plan(
    text: &str,
    graph: &Graph,
    procedures: &Procedures,
    statement: &Statement,
) -> Result<Plan, QueryError> {
    let mut planner = Planner {
        text,
        graph,
        procedures,
        outside: Vec::new(),
        warnings: Vec::new(),
        warned: HashSet::new(),
        widest: 0,
        clause_first_slot: usize::MAX,
        load_csv: None,
    };
    if let Some(command) = &statement.schema {
        return planner.schema_command(command);
    }
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
        let (mut plan, query_columns) =
            planner.query(query, statement.span.start, Scope::default(), Nesting::Top)?;
        if let Some(first) = plan.segments.first_mut() {
            counts::use_type_counts(first);
        }
        for segment in &mut plan.segments {
            reach::prune_paths(segment);
        }
        if let Some(first) = plan.segments.first_mut() {
            reach::count_reached(first);
        }
        planner.union_columns(&mut columns, query_columns, statement.span.start)?;
        queries.push(plan);
    }
    if queries.len() > 1 {
        // The parts of a UNION may project their columns differently: only numbers are shown.
        for query in &mut queries {
            if let Some(last) = query.segments.last_mut() {
                last.projection.amount_notes.clear();
            }
        }
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
        schema: None,
    })
}

struct Planner<'a> {
    text: &'a str,
    graph: &'a Graph,
    /// The procedures `CALL` may name: the built-in ones and those the program added.
    procedures: &'a Procedures,
    /// The variables of the queries around each `CALL { ... }` being planned, which it does
    /// not see unless its first WITH imports them (for the message when one is used).
    outside: Vec<Vec<String>>,
    warnings: Vec<Warning>,
    /// (offset, message) pairs already warned about: a repeated name warns once.
    warned: HashSet<(usize, String)>,
    /// The highest slot a comprehension in the current segment uses, plus one.
    widest: Slot,
    /// The first slot the clause being planned binds.
    clause_first_slot: Slot,
    /// The line and file slots of the segment's latest `LOAD CSV`, which `linenumber()` and
    /// `file()` read.
    load_csv: Option<(Slot, Slot)>,
}

impl Planner<'_> {
    /// Plans `CREATE CONSTRAINT`, `DROP CONSTRAINT` or `SHOW CONSTRAINTS`: checks that the keys
    /// are properties of the pattern's variable; the graph is consulted when it runs.
    fn schema_command(self, command: &SchemaCommand) -> Result<Plan, QueryError> {
        let (writes, columns) = match command {
            SchemaCommand::CreateUnique { variable, keys, .. } => {
                if let Some((other, _, at)) = keys.iter().find(|(v, ..)| v != variable) {
                    return Err(self.error(
                        ErrorCode::UndefinedVariable,
                        at.start,
                        format!("`{other}` is not the constraint's variable `{variable}`"),
                        Some(format!("write the keys as {variable}.key")),
                    ));
                }
                (true, Vec::new())
            }
            SchemaCommand::Drop { .. } => (true, Vec::new()),
            SchemaCommand::Show => (
                false,
                ["name", "type", "entityType", "labelsOrTypes", "properties"]
                    .map(str::to_owned)
                    .to_vec(),
            ),
        };
        Ok(Plan {
            queries: Vec::new(),
            writes,
            union_all: false,
            money_columns: vec![false; columns.len()],
            columns,
            warnings: self.warnings,
            schema: Some(command.clone()),
        })
    }
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

    /// Records the columns of one part of a UNION, refusing a part whose columns differ from
    /// the first part's.
    fn union_columns(
        &self,
        columns: &mut Option<Vec<String>>,
        part: Vec<String>,
        offset: usize,
    ) -> Result<(), QueryError> {
        if let Some(first) = columns.as_ref()
            && *first != part
        {
            return Err(self.error(
                ErrorCode::DifferentColumnsInUnion,
                offset,
                format!(
                    "every part of a UNION must return the same columns: {} and {}",
                    first.join(", "),
                    part.join(", ")
                ),
                Some("rename columns with AS so that they match".to_owned()),
            ));
        }
        columns.get_or_insert(part);
        Ok(())
    }

    fn warn(&mut self, offset: usize, message: String, help: Option<String>) {
        if self.warned.insert((offset, message.clone())) {
            self.warnings
                .push(Warning::new(self.text, offset, message, help));
        }
    }
}
