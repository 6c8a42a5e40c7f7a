//! Text → AST: the pest grammar in `grammar/query.pest`, then lowering of the parse tree.
//!
//! **Invariant:** produces an AST only, never looks at a graph or schema. Every pest error is
//! converted in one place (`syntax::syntax_error`), which names what was expected in user words.
//!
//! This file owns the entry points, the grammar and its operator precedence, and the stack
//! each statement runs on; `scan.rs` bounds nesting before pest runs, `syntax.rs` converts pest
//! errors, `clauses.rs` lowers statements, clauses and patterns, and `expr.rs` expressions.

mod clauses;
mod expr;
mod scan;
mod syntax;

use std::sync::LazyLock;

use pest::Parser;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest_derive::Parser;

use super::ast::*;
use super::error::{ErrorCode, ErrorKind, ParseError, QueryError};
use scan::check_nesting;
use syntax::syntax_error;

#[derive(Parser)]
#[grammar = "grammar/query.pest"]
struct QueryGrammar;

/// Deeper nesting of brackets and `CASE` is refused with an error instead of risking the stack.
pub const MAX_NESTING: usize = 200;
pub use super::limits::{MAX_CLAUSES, MAX_EXPR_DEPTH};

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    use Assoc::Left;
    // Lowest precedence first, as in openCypher's expression grammar.
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Left))
        .op(Op::infix(Rule::op_xor, Left))
        .op(Op::infix(Rule::op_and, Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Left)
            | Op::infix(Rule::op_ne, Left)
            | Op::infix(Rule::op_lt, Left)
            | Op::infix(Rule::op_gt, Left)
            | Op::infix(Rule::op_le, Left)
            | Op::infix(Rule::op_ge, Left)
            | Op::infix(Rule::op_regex, Left))
        .op(Op::infix(Rule::op_starts_with, Left)
            | Op::infix(Rule::op_ends_with, Left)
            | Op::infix(Rule::op_contains, Left)
            | Op::infix(Rule::op_in, Left)
            | Op::postfix(Rule::op_is_null)
            | Op::postfix(Rule::op_is_not_null))
        .op(Op::infix(Rule::op_add, Left) | Op::infix(Rule::op_sub, Left))
        .op(Op::infix(Rule::op_mul, Left)
            | Op::infix(Rule::op_div, Left)
            | Op::infix(Rule::op_mod, Left))
        .op(Op::infix(Rule::op_pow, Left))
        .op(Op::prefix(Rule::op_neg) | Op::prefix(Rule::op_pos))
        .op(Op::postfix(Rule::property_lookup)
            | Op::postfix(Rule::index)
            | Op::postfix(Rule::slice)
            | Op::postfix(Rule::label_check))
});

/// Parses one or more statements separated by `;`.
///
/// # Errors
/// A `ParseError` with the line, column and what was expected.
pub fn parse(text: &str) -> Result<Vec<Statement>, ParseError> {
    with_stack(|| parse_statements(text))
}

fn parse_statements(text: &str) -> Result<Vec<Statement>, ParseError> {
    check_nesting(text)?;
    let mut pairs = grammar(Rule::statements, text)?;
    let root = pairs.next().expect("grammar: statements");
    let lower = Lower::new(text);
    root.into_inner()
        .filter(|p| p.as_rule() == Rule::statement)
        .map(|p| lower.statement(p))
        .collect()
}

/// Runs pest on a text whose nesting `check_nesting` has bounded (pest recurses once or more
/// per bracket).
fn grammar(rule: Rule, text: &str) -> Result<Pairs<'_, Rule>, ParseError> {
    QueryGrammar::parse(rule, text).map_err(|e| syntax_error(text, e))
}

/// The stack a statement starts with at least: parsing, planning or running it runs on a
/// fresh segment of `ENTRY_SEGMENT` bytes when the thread has less left. Within it, the depth
/// limits keep every recursion well inside this (debug builds included).
const ENTRY_STACK: usize = 2 << 20;
const ENTRY_SEGMENT: usize = 8 << 20;

/// Stack a recursive step of lowering, planning or evaluation keeps in reserve for what it
/// calls: with less left, it continues on a fresh segment of `STACK_SEGMENT` bytes.
const STACK_RED_ZONE: usize = 1 << 20;
const STACK_SEGMENT: usize = 4 << 20;

/// Runs a statement's parse, plan or run, first moving to a fresh stack segment when the
/// thread has less than `ENTRY_STACK` left (an embedding program's small thread).
pub(crate) fn with_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(ENTRY_STACK, ENTRY_SEGMENT, f)
}

/// Runs one step of a recursion, first moving to a fresh stack segment when little is left.
pub(crate) fn guard_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, f)
}

/// Parses a single expression.
///
/// # Errors
/// A `ParseError` with the line, column and what was expected.
pub fn parse_expr(text: &str) -> Result<Expr, ParseError> {
    with_stack(|| parse_expression(text))
}

fn parse_expression(text: &str) -> Result<Expr, ParseError> {
    check_nesting(text)?;
    let mut pairs = grammar(Rule::expr_only, text)?;
    let root = pairs.next().expect("grammar: expr_only");
    let expr = root.into_inner().next().expect("grammar: expr");
    Lower::new(text).expr(expr)
}

struct Lower<'t> {
    text: &'t str,
    /// How deep the expression being lowered already nests: the operators of every
    /// expression it sits in, and one per enclosing expression.
    depth: std::cell::Cell<usize>,
    /// Offsets of the literals `9223372036854775808` (2^63, as written in any base) read as
    /// `i64::MIN` until a minus sign in front of them makes them `-9223372036854775808`; one
    /// that no minus claims is an integer overflow.
    unsigned_min: std::cell::RefCell<Vec<usize>>,
}

/// Nesting past one of the depth limits, refused at `offset` with `message` and `help`.
fn nesting_too_deep(text: &str, offset: usize, message: String, help: &str) -> ParseError {
    QueryError::at(
        ErrorKind::Syntax,
        ErrorCode::NestingTooDeep,
        text,
        offset,
        message,
        Some(help.to_owned()),
    )
}

fn span(pair: &Pair<'_, Rule>) -> Span {
    pair.as_span().start()..pair.as_span().end()
}

/// A name as written, with backquotes removed.
fn name(pair: Pair<'_, Rule>) -> String {
    let text = pair.as_str();
    match text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        Some(inner) => inner.replace("``", "`"),
        None => text.to_owned(),
    }
}

impl<'t> Lower<'t> {
    fn new(text: &'t str) -> Self {
        Lower {
            text,
            depth: std::cell::Cell::new(0),
            unsigned_min: std::cell::RefCell::new(Vec::new()),
        }
    }
}
