//! The syntax tree of a query. Produced by `parser`; carries source spans for messages.
//!
//! **Invariant:** names here are as written. Nothing is resolved against a graph or schema;
//! that is the planner's work.

use std::ops::Range;

/// Byte range of a construct in the query text.
pub type Span = Range<usize>;

/// Queries joined by UNION.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub queries: Vec<SingleQuery>,
    /// `unions[i]` joins `queries[i]` and `queries[i + 1]`; true for `UNION ALL`.
    pub union_all: Vec<bool>,
    /// A command on the graph's constraints, which stands alone (then `queries` is empty).
    pub schema: Option<SchemaCommand>,
    /// Whether it runs, is only explained (`EXPLAIN`), or runs profiled (`PROFILE`).
    pub mode: Mode,
    pub span: Span,
}

/// What a statement's prefix asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// No prefix: the statement runs.
    #[default]
    Run,
    /// `EXPLAIN`: the plan is shown and nothing runs, so nothing is written.
    Explain,
    /// `PROFILE`: the statement runs (and writes), and each operator's rows and time are
    /// counted.
    Profile,
}

/// A statement about the graph's uniqueness constraints, as Neo4j 5 writes them.
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaCommand {
    /// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (n:Label) REQUIRE n.key IS UNIQUE`,
    /// or `REQUIRE (n.a, n.b) IS UNIQUE`.
    CreateUnique {
        name: Option<String>,
        if_not_exists: bool,
        variable: String,
        label: String,
        /// (variable the key is read from, key, where it was written).
        keys: Vec<(String, String, Span)>,
        span: Span,
    },
    /// `DROP CONSTRAINT name [IF EXISTS]`.
    Drop {
        name: String,
        if_exists: bool,
        span: Span,
    },
    /// `SHOW CONSTRAINTS`.
    Show,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    Match {
        optional: bool,
        patterns: Vec<Pattern>,
        filter: Option<Expr>,
    },
    Unwind {
        list: Expr,
        variable: String,
    },
    /// `LOAD CSV [WITH HEADERS] FROM url AS variable [FIELDTERMINATOR text]`.
    LoadCsv {
        headers: bool,
        url: Expr,
        variable: String,
        /// The field terminator as written, with where it was written.
        terminator: Option<(String, Span)>,
        span: Span,
    },
    With {
        projection: Projection,
        filter: Option<Expr>,
    },
    Return(Projection),
    /// `CALL name(args) [YIELD out [AS name], ...]`.
    Call {
        procedure: String,
        /// `None` for `CALL name` without parentheses: the arguments are the parameters
        /// named as the procedure's arguments.
        args: Option<Vec<Expr>>,
        /// (output column, name to bind it to); `None` when there is no YIELD.
        yields: Option<Vec<(String, String)>>,
        /// `YIELD *`: every output column under its own name.
        yield_star: bool,
        /// `YIELD ... WHERE condition`.
        filter: Option<Expr>,
        span: Span,
    },
    /// `CALL { ... }`: the subquery runs once per incoming row.
    CallSubquery(Subquery),
    Create {
        patterns: Vec<Pattern>,
    },
    Merge {
        pattern: Pattern,
        on_create: Vec<SetItem>,
        on_match: Vec<SetItem>,
    },
    Set(Vec<SetItem>),
    Remove(Vec<RemoveItem>),
    Delete {
        detach: bool,
        targets: Vec<Expr>,
    },
}

/// The body of `CALL { ... }`, `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }`:
/// queries joined by UNION.
#[derive(Clone, Debug, PartialEq)]
pub struct Subquery {
    pub queries: Vec<SingleQuery>,
    /// As `Statement::union_all`.
    pub union_all: Vec<bool>,
    /// The short form `EXISTS { (a)-->(b) WHERE ... }`, which `queries` holds as one MATCH.
    pub short: bool,
    /// From the opening keyword to the closing brace.
    pub span: Span,
}

/// What an expression subquery gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubqueryKind {
    /// `EXISTS { ... }`: whether it has a row.
    Exists,
    /// `COUNT { ... }`: how many rows it has.
    Count,
    /// `COLLECT { ... }`: the values of its one column, as a list.
    Collect,
}

/// One assignment of SET (or of MERGE's ON CREATE / ON MATCH).
#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    /// `n.key = value` (the target is the whole `n.key` expression).
    Property { target: Expr, value: Expr },
    /// `n = {map}`: replaces every property.
    Replace {
        variable: String,
        value: Expr,
        span: Span,
    },
    /// `n += {map}`: adds and overwrites properties.
    Merge {
        variable: String,
        value: Expr,
        span: Span,
    },
    /// `n:Label:Other`.
    Labels {
        variable: String,
        labels: Vec<String>,
        span: Span,
    },
}

/// One item of REMOVE.
#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    /// `n.key`.
    Property(Expr),
    /// `n:Label`.
    Labels {
        variable: String,
        labels: Vec<String>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    /// `RETURN *` / `WITH *`: every variable in scope, before the listed items.
    pub star: bool,
    pub items: Vec<ProjectionItem>,
    pub order_by: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionItem {
    pub expr: Expr,
    pub alias: Option<String>,
    /// The expression's source text: the column name when there is no alias.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathSearch {
    /// Every match of the pattern.
    All,
    /// `shortestPath(...)`.
    Shortest,
    /// `allShortestPaths(...)`.
    AllShortest,
}

/// `[p =] (a)-[r]->(b)...`
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub variable: Option<String>,
    pub search: PathSearch,
    pub chain: Chain,
    pub span: Span,
}

/// A node, then hops of relationship and node.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub start: NodePattern,
    pub hops: Vec<(RelPattern, NodePattern)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    pub variable: Option<String>,
    pub labels: Vec<String>,
    pub properties: Option<Expr>,
    pub span: Span,
}

/// Which way a relationship pattern points, read left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrow {
    /// `-->`
    Right,
    /// `<--`
    Left,
    /// `--`: either way.
    Both,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelPattern {
    pub variable: Option<String>,
    /// Alternatives, as written (`INVESTS_IN` or `invests-in`).
    pub types: Vec<String>,
    pub arrow: Arrow,
    /// `*min..max`; `None` for a single hop.
    pub length: Option<Length>,
    pub properties: Option<Expr>,
    pub span: Span,
}

/// Bounds of a variable-length relationship; a missing bound is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Length {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Parameter(String),
    Variable(String),
    List(Vec<Expr>),
    Map(Vec<(String, Expr)>),
    Property(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    HasLabels(Box<Expr>, Vec<String>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    Case {
        subject: Option<Box<Expr>>,
        branches: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    CountStar,
    Call {
        name: String,
        distinct: bool,
        args: Vec<Expr>,
    },
    ListComprehension {
        variable: String,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
        map: Option<Box<Expr>>,
    },
    /// A pattern used as a predicate: true when it has a match.
    PatternPredicate(Box<Chain>),
    /// `EXISTS { ... }`, `COUNT { ... }` or `COLLECT { ... }`.
    Subquery(SubqueryKind, Box<Subquery>),
    /// `[p = (a)-->(b) WHERE filter | map]`: `map` for each match of the pattern.
    PatternComprehension {
        pattern: Box<Pattern>,
        filter: Option<Box<Expr>>,
        map: Box<Expr>,
    },
    /// `all(x IN list WHERE pred)` and its siblings.
    ListPredicate {
        quantifier: Quantifier,
        variable: String,
        list: Box<Expr>,
        predicate: Box<Expr>,
    },
    /// `n {.name, .*, key: expr, other}`.
    MapProjection(Box<Expr>, Vec<MapProjectionItem>),
}

/// An entry of a map projection, in the order written: a later one replaces an earlier
/// entry of the same key.
#[derive(Clone, Debug, PartialEq)]
pub enum MapProjectionItem {
    /// `.name`: the base's property.
    Property(String),
    /// `.*`: every property of the base.
    AllProperties,
    /// `key: expr`.
    Entry(String, Expr),
    /// `other`: the variable's value under its name.
    Variable(String, Span),
}

/// How many elements of a list must satisfy a predicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    All,
    Any,
    None,
    Single,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Negate,
    Plus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Regex,
    StartsWith,
    EndsWith,
    Contains,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}
