//! Text → AST: the pest grammar in `grammar/query.pest`, then lowering of the parse tree.
//!
//! **Invariant:** produces an AST only, never looks at a graph or schema. Every pest error is
//! converted in one place (`syntax_error`), which names what was expected in user words.

use std::sync::LazyLock;

use pest::Parser;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest_derive::Parser;

use super::ast::*;
use super::error::{ParseError, QueryError};

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

/// Scans the text before pest does: refuses bracket nesting deeper than `MAX_NESTING` (pest
/// would recurse into it) and names an unclosed string where it starts, which a grammar error
/// at the end of the text would not.
fn check_nesting(text: &str) -> Result<(), ParseError> {
    // Open brackets, innermost last, with where they open.
    let mut open: Vec<(char, usize)> = Vec::new();
    // `CASE … END` nests as deep as brackets do, without any bracket.
    let mut cases = 0usize;
    let mut previous = ' ';
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let before = std::mem::replace(&mut previous, c);
        match c {
            c if c.is_alphabetic() || c == '_' => {
                let mut end = offset + c.len_utf8();
                while let Some((at, n)) = chars.next_if(|(_, n)| n.is_alphanumeric() || *n == '_') {
                    end = at + n.len_utf8();
                    previous = n;
                }
                // A property key, a parameter or a label may be called `case`.
                if matches!(before, '.' | '$' | ':') || before.is_alphanumeric() {
                    continue;
                }
                let word = &text[offset..end];
                if word.eq_ignore_ascii_case("case") {
                    cases += 1;
                    if open.len() + cases > MAX_NESTING {
                        return Err(nesting_error(text, offset));
                    }
                } else if word.eq_ignore_ascii_case("end") {
                    cases = cases.saturating_sub(1);
                }
            }
            '/' if chars.peek().is_some_and(|(_, n)| *n == '/') => {
                while chars.next_if(|(_, n)| *n != '\n').is_some() {}
            }
            '/' if chars.peek().is_some_and(|(_, n)| *n == '*') => {
                chars.next();
                let mut previous = ' ';
                for (_, n) in chars.by_ref() {
                    if previous == '*' && n == '/' {
                        break;
                    }
                    previous = n;
                }
            }
            '\'' | '"' | '`' => {
                let mut closed = false;
                while let Some((_, n)) = chars.next() {
                    if n == '\\' && c != '`' {
                        chars.next();
                    } else if n == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    let what = if c == '`' { "name" } else { "string" };
                    return Err(ParseError::new(
                        text,
                        offset,
                        format!("this {what} is never closed"),
                        Some(format!("end it with {c}")),
                    ));
                }
            }
            '(' | '[' | '{' => {
                open.push((c, offset));
                if open.len() + cases > MAX_NESTING {
                    return Err(nesting_error(text, offset));
                }
            }
            ')' | ']' | '}' => {
                let wanted = match open.pop() {
                    Some(('(', _)) => ')',
                    Some(('[', _)) => ']',
                    Some(_) => '}',
                    None => {
                        return Err(ParseError::new(
                            text,
                            offset,
                            format!("this `{c}` closes nothing"),
                            Some("remove it, or open its bracket earlier".to_owned()),
                        ));
                    }
                };
                if c != wanted {
                    return Err(ParseError::new(
                        text,
                        offset,
                        format!("expected `{wanted}`, found `{c}`"),
                        Some("brackets close in the reverse order they open".to_owned()),
                    ));
                }
            }
            _ => {}
        }
    }
    if let Some((c, offset)) = open.pop() {
        let close = match c {
            '(' => ')',
            '[' => ']',
            _ => '}',
        };
        return Err(ParseError::new(
            text,
            offset,
            format!("this `{c}` is never closed"),
            Some(format!("close it with `{close}`")),
        ));
    }
    Ok(())
}

/// Brackets and `CASE` nested deeper than `MAX_NESTING`, refused at `offset`.
fn nesting_error(text: &str, offset: usize) -> ParseError {
    QueryError::at(
        super::error::ErrorKind::Syntax,
        super::error::ErrorCode::NestingTooDeep,
        text,
        offset,
        format!("the query nests brackets and CASE expressions more than {MAX_NESTING} deep"),
        Some("split the expression with WITH or simplify it".to_owned()),
    )
}

/// What a grammar rule is called in a message.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "end of input",
        statement | single_query => "a clause such as MATCH or RETURN",
        match_clause | kw_match => "MATCH",
        kw_optional => "OPTIONAL MATCH",
        kw_return => "RETURN",
        kw_with => "WITH",
        kw_unwind => "UNWIND",
        unwind_clause => "UNWIND",
        with_clause => "WITH",
        return_clause => "RETURN",
        kw_order => "ORDER BY",
        kw_skip => "SKIP",
        kw_limit => "LIMIT",
        where_clause | kw_where => "WHERE",
        kw_as => "AS",
        pattern | pattern_chain | node_pattern => "a node pattern such as (n)",
        rel_pattern => "a relationship such as -[r]->",
        rel_detail => "`[`",
        rel_types | rel_type_name => "a relationship type",
        label_list => "a label",
        symbolic_name => "a name",
        variable => "a variable",
        var_length => "`*`",
        properties | map_literal => "a map such as {name: 'Nvidia'}",
        map_entry => "a key such as name:",
        expr | expr_only | parenthesized => "an expression",
        projection | projection_items | projection_item => "what to return",
        order_by => "ORDER BY",
        skip => "SKIP",
        limit => "LIMIT",
        sort_direction => "ASC or DESC",
        union | kw_union => "UNION",
        infix_op | op_or | op_xor | op_and | op_eq | op_ne | op_le | op_ge | op_lt | op_gt
        | op_regex | op_starts_with | op_ends_with | op_contains | op_in | op_add | op_sub
        | op_mul | op_div | op_mod | op_pow => "an operator",
        string | single_quoted | double_quoted => "a string",
        integer | decimal_integer | range_min | range_max | range_exact => "a whole number",
        kw_then => "THEN",
        kw_end => "END",
        kw_when | case_branch => "WHEN",
        kw_in => "IN",
        kw_by => "BY",
        create_clause | kw_create => "CREATE",
        call_clause | kw_call => "CALL",
        kw_yield => "YIELD",
        procedure_name => "a procedure such as algo.pageRank",
        merge_clause | kw_merge => "MERGE",
        set_clause | kw_set => "SET",
        remove_clause | kw_remove => "REMOVE",
        delete_clause | kw_delete => "DELETE",
        kw_detach => "DETACH DELETE",
        kw_on => "ON CREATE or ON MATCH",
        set_item | set_property | set_replace | set_merge | set_labels => {
            "what to set, such as n.name = 'x'"
        }
        remove_item | remove_property => "what to remove, such as n.note",
        _ => return None,
    })
}

fn syntax_error(text: &str, error: pest::error::Error<Rule>) -> ParseError {
    let offset = match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let word: String = text[offset..]
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let help = keyword_suggestion(&word);
    let message = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut wanted: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            wanted.sort_unstable();
            wanted.dedup();
            // "an operator" is noise when something more specific is expected too.
            if wanted.len() > 1 {
                wanted.retain(|w| *w != "an operator" && *w != "end of input");
            }
            // The ways an expression can start are all "an expression".
            if wanted.contains(&"an expression") {
                wanted.retain(|w| !EXPRESSION_STARTS.contains(w));
            }
            let found = text[offset..]
                .split_whitespace()
                .next()
                .map_or("the end of the query".to_owned(), |w| {
                    format!("`{}`", w.chars().take(20).collect::<String>())
                });
            match wanted.as_slice() {
                [] => format!("unexpected {found}"),
                [one] => format!("expected {one}, found {found}"),
                [init @ .., last] => {
                    format!("expected {} or {last}, found {found}", init.join(", "))
                }
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    ParseError::new(text, offset, message, help)
}

/// Descriptions of rules that begin an expression.
const EXPRESSION_STARTS: &[&str] = &[
    "a map such as {name: 'Nvidia'}",
    "a node pattern such as (n)",
    "a string",
    "a variable",
    "a whole number",
    "a name",
];

/// Clause words a typo most often hits.
const KEYWORDS: &[&str] = &[
    "MATCH", "OPTIONAL", "WHERE", "WITH", "RETURN", "UNWIND", "UNION", "ORDER", "SKIP", "LIMIT",
    "DISTINCT", "CONTAINS", "STARTS", "ENDS", "CREATE", "MERGE", "DELETE", "DETACH", "REMOVE",
];

/// "did you mean RETURN?" for a misspelled keyword such as `RETUN`.
fn keyword_suggestion(word: &str) -> Option<String> {
    if word.len() < 4 || KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
        return None;
    }
    let upper = word.to_ascii_uppercase();
    crate::model::did_you_mean(&crate::model::suggest(&upper, KEYWORDS.iter().copied()))
}

struct Lower<'t> {
    text: &'t str,
    /// How deep the expression being lowered already nests: the operators of every
    /// expression it sits in, and one per enclosing expression.
    depth: std::cell::Cell<usize>,
}

/// An expression nested deeper than `MAX_EXPR_DEPTH`, refused at `offset`.
fn too_deep(text: &str, offset: usize) -> ParseError {
    QueryError::at(
        super::error::ErrorKind::Syntax,
        super::error::ErrorCode::NestingTooDeep,
        text,
        offset,
        format!(
            "the expression nests more than {MAX_EXPR_DEPTH} operators and sub-expressions deep"
        ),
        Some("compute part of it in a WITH clause before, or pass it as a parameter".to_owned()),
    )
}

/// Whether a child of an `expr` pair is an operator rather than an operand.
fn is_operator(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        op_or
            | op_xor
            | op_and
            | op_not
            | op_eq
            | op_ne
            | op_le
            | op_ge
            | op_lt
            | op_gt
            | op_regex
            | op_starts_with
            | op_ends_with
            | op_contains
            | op_in
            | op_add
            | op_sub
            | op_mul
            | op_div
            | op_mod
            | op_pow
            | op_neg
            | op_pos
            | op_is_null
            | op_is_not_null
            | property_lookup
            | index
            | slice
            | label_check
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
        }
    }

    fn statement(&self, pair: Pair<'_, Rule>) -> Result<Statement, ParseError> {
        let span = span(&pair);
        let mut queries = Vec::new();
        let mut union_all = Vec::new();
        let mut clauses = 0;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::single_query => {
                    for clause in part.clone().into_inner() {
                        clauses += 1;
                        if clauses > MAX_CLAUSES {
                            return Err(QueryError::at(
                                super::error::ErrorKind::Syntax,
                                super::error::ErrorCode::NestingTooDeep,
                                self.text,
                                clause.as_span().start(),
                                format!("the statement has more than {MAX_CLAUSES} clauses"),
                                Some(
                                    "split it into several statements, or pass values between them as parameters"
                                        .to_owned(),
                                ),
                            ));
                        }
                    }
                    queries.push(self.single_query(part)?);
                }
                Rule::union => union_all.push(part.into_inner().len() > 1),
                _ => unreachable!("grammar: statement"),
            }
        }
        Ok(Statement {
            queries,
            union_all,
            span,
        })
    }

    fn single_query(&self, pair: Pair<'_, Rule>) -> Result<SingleQuery, ParseError> {
        let clauses = pair
            .into_inner()
            .map(|c| self.clause(c))
            .collect::<Result<_, _>>()?;
        Ok(SingleQuery { clauses })
    }

    fn clause(&self, pair: Pair<'_, Rule>) -> Result<Clause, ParseError> {
        let rule = pair.as_rule();
        let mut parts = pair.into_inner().peekable();
        Ok(match rule {
            Rule::match_clause => {
                let optional = parts
                    .next_if(|p| p.as_rule() == Rule::kw_optional)
                    .is_some();
                parts.next(); // MATCH
                let mut patterns = Vec::new();
                let mut filter = None;
                for part in parts {
                    match part.as_rule() {
                        Rule::pattern => patterns.push(self.pattern(part)?),
                        Rule::where_clause => filter = Some(self.where_clause(part)?),
                        _ => unreachable!("grammar: match_clause"),
                    }
                }
                Clause::Match {
                    optional,
                    patterns,
                    filter,
                }
            }
            Rule::unwind_clause => {
                parts.next(); // UNWIND
                let list = self.expr(parts.next().expect("grammar: unwind expr"))?;
                parts.next(); // AS
                let variable = name(parts.next().expect("grammar: unwind variable"));
                Clause::Unwind { list, variable }
            }
            Rule::with_clause => {
                parts.next(); // WITH
                let projection = self.projection(parts.next().expect("grammar: projection"))?;
                let filter = parts.next().map(|w| self.where_clause(w)).transpose()?;
                Clause::With { projection, filter }
            }
            Rule::return_clause => {
                parts.next(); // RETURN
                Clause::Return(self.projection(parts.next().expect("grammar: projection"))?)
            }
            Rule::call_clause => {
                let start = parts.next().expect("grammar: CALL").as_span().start();
                let procedure = parts
                    .next()
                    .expect("grammar: procedure")
                    .as_str()
                    .to_owned();
                let mut args = Vec::new();
                let mut yields = None;
                let mut filter = None;
                for part in parts {
                    match part.as_rule() {
                        Rule::expr => args.push(self.expr(part)?),
                        Rule::where_clause => filter = Some(self.where_clause(part)?),
                        Rule::kw_yield => yields = Some(Vec::new()),
                        Rule::yield_item => {
                            let mut names = part
                                .into_inner()
                                .filter(|p| p.as_rule() == Rule::variable)
                                .map(name);
                            let column = names.next().expect("grammar: yield column");
                            let alias = names.next().unwrap_or_else(|| column.clone());
                            yields.get_or_insert_with(Vec::new).push((column, alias));
                        }
                        _ => unreachable!("grammar: call clause"),
                    }
                }
                Clause::Call {
                    procedure,
                    args,
                    yields,
                    filter,
                    span: start..start,
                }
            }
            Rule::create_clause => {
                parts.next(); // CREATE
                Clause::Create {
                    patterns: parts.map(|p| self.pattern(p)).collect::<Result<_, _>>()?,
                }
            }
            Rule::merge_clause => {
                parts.next(); // MERGE
                let pattern = self.pattern(parts.next().expect("grammar: merge pattern"))?;
                let (mut on_create, mut on_match) = (Vec::new(), Vec::new());
                for action in parts {
                    let mut inner = action.into_inner();
                    inner.next(); // ON
                    let when = inner.next().expect("grammar: CREATE or MATCH");
                    inner.next(); // SET
                    let items = inner
                        .map(|i| self.set_item(i))
                        .collect::<Result<Vec<_>, _>>()?;
                    if when.as_rule() == Rule::kw_create {
                        on_create.extend(items);
                    } else {
                        on_match.extend(items);
                    }
                }
                Clause::Merge {
                    pattern,
                    on_create,
                    on_match,
                }
            }
            Rule::set_clause => {
                parts.next(); // SET
                Clause::Set(parts.map(|i| self.set_item(i)).collect::<Result<_, _>>()?)
            }
            Rule::remove_clause => {
                parts.next(); // REMOVE
                Clause::Remove(
                    parts
                        .map(|item| {
                            let item = item.into_inner().next().expect("grammar: remove item");
                            Ok(match item.as_rule() {
                                Rule::remove_property => {
                                    RemoveItem::Property(self.property_target(item)?)
                                }
                                _ => {
                                    let (variable, labels, span) = self.labels_item(item);
                                    RemoveItem::Labels {
                                        variable,
                                        labels,
                                        span,
                                    }
                                }
                            })
                        })
                        .collect::<Result<_, ParseError>>()?,
                )
            }
            Rule::delete_clause => {
                let detach = parts.next_if(|p| p.as_rule() == Rule::kw_detach).is_some();
                parts.next(); // DELETE
                Clause::Delete {
                    detach,
                    targets: parts.map(|e| self.expr(e)).collect::<Result<_, _>>()?,
                }
            }
            _ => unreachable!("grammar: clause"),
        })
    }

    fn set_item(&self, pair: Pair<'_, Rule>) -> Result<SetItem, ParseError> {
        let item = pair.into_inner().next().expect("grammar: set item");
        let span = span(&item);
        Ok(match item.as_rule() {
            Rule::set_property => {
                let mut inner = item.into_inner();
                let base = inner.next().expect("grammar: set base");
                let mut target = self.set_base(base)?;
                let mut value = None;
                for part in inner {
                    if part.as_rule() == Rule::property_lookup {
                        let key = name(part.into_inner().next().expect("grammar: key"));
                        target = Expr {
                            span: target.span.start..span.end,
                            kind: ExprKind::Property(Box::new(target), key),
                        };
                    } else {
                        value = Some(self.expr(part)?);
                    }
                }
                SetItem::Property {
                    target,
                    value: value.expect("grammar: set value"),
                }
            }
            Rule::set_replace | Rule::set_merge => {
                let rule = item.as_rule();
                let mut inner = item.into_inner();
                let variable = name(inner.next().expect("grammar: set variable"));
                let value = self.expr(inner.next().expect("grammar: set value"))?;
                if rule == Rule::set_replace {
                    SetItem::Replace {
                        variable,
                        value,
                        span,
                    }
                } else {
                    SetItem::Merge {
                        variable,
                        value,
                        span,
                    }
                }
            }
            _ => {
                let (variable, labels, span) = self.labels_item(item);
                SetItem::Labels {
                    variable,
                    labels,
                    span,
                }
            }
        })
    }

    /// `n:A:B` in SET or REMOVE.
    fn labels_item(&self, pair: Pair<'_, Rule>) -> (String, Vec<String>, Span) {
        let span = span(&pair);
        let mut inner = pair.into_inner();
        let variable = name(inner.next().expect("grammar: label variable"));
        let labels = inner
            .next()
            .expect("grammar: labels")
            .into_inner()
            .map(name)
            .collect();
        (variable, labels, span)
    }

    /// The variable or parenthesized expression a property is set on.
    fn set_base(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        let inner = pair.into_inner().next().expect("grammar: set base");
        self.primary(inner)
    }

    /// `n.key` (or `n.a.b`) in REMOVE.
    fn property_target(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        let end = pair.as_span().end();
        let mut inner = pair.into_inner();
        let mut target = self.set_base(inner.next().expect("grammar: remove base"))?;
        for lookup in inner {
            let key = name(lookup.into_inner().next().expect("grammar: key"));
            target = Expr {
                span: target.span.start..end,
                kind: ExprKind::Property(Box::new(target), key),
            };
        }
        Ok(target)
    }

    fn where_clause(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        let expr = pair.into_inner().nth(1).expect("grammar: WHERE expr");
        self.expr(expr)
    }

    fn projection(&self, pair: Pair<'_, Rule>) -> Result<Projection, ParseError> {
        let mut projection = Projection {
            distinct: false,
            star: false,
            items: Vec::new(),
            order_by: Vec::new(),
            skip: None,
            limit: None,
        };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::kw_distinct => projection.distinct = true,
                Rule::projection_items => {
                    for item in part.into_inner() {
                        match item.as_rule() {
                            Rule::star => projection.star = true,
                            _ => projection.items.push(self.projection_item(item)?),
                        }
                    }
                }
                Rule::order_by => {
                    for item in part.into_inner().filter(|p| p.as_rule() == Rule::sort_item) {
                        let mut inner = item.into_inner();
                        let expr = self.expr(inner.next().expect("grammar: sort expr"))?;
                        let descending = inner.next().is_some_and(|d| {
                            let d = d.as_str().to_ascii_lowercase();
                            d.starts_with("desc")
                        });
                        projection.order_by.push(SortItem { expr, descending });
                    }
                }
                Rule::skip => {
                    projection.skip =
                        Some(self.expr(part.into_inner().nth(1).expect("grammar: SKIP"))?)
                }
                Rule::limit => {
                    projection.limit =
                        Some(self.expr(part.into_inner().nth(1).expect("grammar: LIMIT"))?)
                }
                _ => unreachable!("grammar: projection"),
            }
        }
        Ok(projection)
    }

    fn projection_item(&self, pair: Pair<'_, Rule>) -> Result<ProjectionItem, ParseError> {
        let mut inner = pair.into_inner();
        let expr_pair = inner.next().expect("grammar: projection expr");
        let text = expr_pair.as_str().trim_end().to_owned();
        let expr = self.expr(expr_pair)?;
        let alias = inner.nth(1).map(name);
        Ok(ProjectionItem { expr, alias, text })
    }

    fn pattern(&self, pair: Pair<'_, Rule>) -> Result<Pattern, ParseError> {
        let span = span(&pair);
        let mut variable = None;
        let mut search = PathSearch::All;
        let mut chain = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::variable => variable = Some(name(part)),
                Rule::pattern_chain => chain = Some(self.chain(part.into_inner())?),
                Rule::shortest_path => {
                    let mut inner = part.into_inner();
                    let kind = inner.next().expect("grammar: shortest kind");
                    search = if kind.as_rule() == Rule::kw_all_shortest_paths {
                        PathSearch::AllShortest
                    } else {
                        PathSearch::Shortest
                    };
                    let body = inner.next().expect("grammar: shortest chain");
                    chain = Some(self.chain(body.into_inner())?);
                }
                _ => unreachable!("grammar: pattern"),
            }
        }
        Ok(Pattern {
            variable,
            search,
            chain: chain.expect("grammar: pattern has a chain"),
            span,
        })
    }

    fn chain(&self, mut parts: Pairs<'_, Rule>) -> Result<Chain, ParseError> {
        let start = self.node_pattern(parts.next().expect("grammar: first node"))?;
        let mut hops = Vec::new();
        while let Some(rel) = parts.next() {
            let node = parts.next().expect("grammar: node after relationship");
            hops.push((self.rel_pattern(rel)?, self.node_pattern(node)?));
        }
        Ok(Chain { start, hops })
    }

    fn node_pattern(&self, pair: Pair<'_, Rule>) -> Result<NodePattern, ParseError> {
        let mut node = NodePattern {
            variable: None,
            labels: Vec::new(),
            properties: None,
            span: span(&pair),
        };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::variable => node.variable = Some(name(part)),
                Rule::label_list => node.labels = part.into_inner().map(name).collect(),
                Rule::properties => node.properties = Some(self.properties(part)?),
                _ => unreachable!("grammar: node_pattern"),
            }
        }
        Ok(node)
    }

    fn properties(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        self.primary(pair.into_inner().next().expect("grammar: properties"))
    }

    fn rel_pattern(&self, pair: Pair<'_, Rule>) -> Result<RelPattern, ParseError> {
        let mut rel = RelPattern {
            variable: None,
            types: Vec::new(),
            arrow: Arrow::Both,
            length: None,
            properties: None,
            span: span(&pair),
        };
        let (mut left, mut right) = (false, false);
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::left_arrow => left = true,
                Rule::right_arrow => right = true,
                Rule::rel_detail => {
                    for detail in part.into_inner() {
                        match detail.as_rule() {
                            Rule::variable => rel.variable = Some(name(detail)),
                            Rule::rel_types => rel.types = detail.into_inner().map(name).collect(),
                            Rule::var_length => rel.length = Some(self.length(detail)?),
                            Rule::properties => rel.properties = Some(self.properties(detail)?),
                            _ => unreachable!("grammar: rel_detail"),
                        }
                    }
                }
                _ => unreachable!("grammar: rel_pattern"),
            }
        }
        rel.arrow = match (left, right) {
            (true, false) => Arrow::Left,
            (false, true) => Arrow::Right,
            // `<-->` matches either way, as in Cypher.
            _ => Arrow::Both,
        };
        Ok(rel)
    }

    fn length(&self, pair: Pair<'_, Rule>) -> Result<Length, ParseError> {
        let mut length = Length {
            min: None,
            max: None,
        };
        for part in pair.into_inner() {
            let bound = || -> Result<u64, ParseError> {
                part.as_str().parse().map_err(|_| {
                    ParseError::new(
                        self.text,
                        part.as_span().start(),
                        "the length bound is too large".to_owned(),
                        None,
                    )
                })
            };
            match part.as_rule() {
                Rule::range_exact => {
                    let n = bound()?;
                    length = Length {
                        min: Some(n),
                        max: Some(n),
                    };
                }
                Rule::range_min => length.min = Some(bound()?),
                Rule::range_max => length.max = Some(bound()?),
                // `*2..` versus `*2`: the rule taken (min or exact) already tells them apart.
                Rule::range_dots => {}
                _ => unreachable!("grammar: var_length"),
            }
        }
        Ok(length)
    }

    fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        debug_assert_eq!(pair.as_rule(), Rule::expr);
        // The operators of this expression nest at most one inside another, and each operand
        // nests inside all of them; counting them before the Pratt parser (which recurses on
        // prefix operators) runs bounds the depth of the tree and of everything that walks it.
        let outer = self.depth.get();
        let mut depth = outer + 1;
        for child in pair.clone().into_inner() {
            if is_operator(child.as_rule()) {
                depth += 1;
                if depth > MAX_EXPR_DEPTH {
                    return Err(too_deep(self.text, child.as_span().start()));
                }
            }
        }
        if depth > MAX_EXPR_DEPTH {
            return Err(too_deep(self.text, pair.as_span().start()));
        }
        self.depth.set(depth);
        let lowered = guard_stack(|| self.expr_tree(pair));
        self.depth.set(outer);
        lowered
    }

    fn expr_tree(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let op_span = span(&op);
                let kind = match op.as_rule() {
                    Rule::op_not => UnaryOp::Not,
                    Rule::op_neg => UnaryOp::Negate,
                    Rule::op_pos => UnaryOp::Plus,
                    _ => unreachable!("grammar: prefix"),
                };
                Ok(Expr {
                    span: op_span.start..rhs.span.end,
                    kind: ExprKind::Unary(kind, Box::new(rhs)),
                })
            })
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let end = op.as_span().end();
                let start = lhs.span.start;
                let kind = match op.as_rule() {
                    Rule::op_is_null => ExprKind::IsNull {
                        expr: Box::new(lhs),
                        negated: false,
                    },
                    Rule::op_is_not_null => ExprKind::IsNull {
                        expr: Box::new(lhs),
                        negated: true,
                    },
                    Rule::property_lookup => ExprKind::Property(
                        Box::new(lhs),
                        name(op.into_inner().next().expect("grammar: key")),
                    ),
                    Rule::index => {
                        let index = self.expr(op.into_inner().next().expect("grammar: index"))?;
                        ExprKind::Index(Box::new(lhs), Box::new(index))
                    }
                    Rule::slice => {
                        let (mut from, mut to) = (None, None);
                        for bound in op.into_inner() {
                            let rule = bound.as_rule();
                            let value =
                                self.expr(bound.into_inner().next().expect("grammar: bound"))?;
                            if rule == Rule::slice_from {
                                from = Some(Box::new(value));
                            } else {
                                to = Some(Box::new(value));
                            }
                        }
                        ExprKind::Slice(Box::new(lhs), from, to)
                    }
                    Rule::label_check => {
                        ExprKind::HasLabels(Box::new(lhs), op.into_inner().map(name).collect())
                    }
                    _ => unreachable!("grammar: postfix"),
                };
                Ok(Expr {
                    kind,
                    span: start..end,
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let op = match op.as_rule() {
                    Rule::op_or => BinaryOp::Or,
                    Rule::op_xor => BinaryOp::Xor,
                    Rule::op_and => BinaryOp::And,
                    Rule::op_eq => BinaryOp::Eq,
                    Rule::op_ne => BinaryOp::Ne,
                    Rule::op_lt => BinaryOp::Lt,
                    Rule::op_le => BinaryOp::Le,
                    Rule::op_gt => BinaryOp::Gt,
                    Rule::op_ge => BinaryOp::Ge,
                    Rule::op_regex => BinaryOp::Regex,
                    Rule::op_starts_with => BinaryOp::StartsWith,
                    Rule::op_ends_with => BinaryOp::EndsWith,
                    Rule::op_contains => BinaryOp::Contains,
                    Rule::op_in => BinaryOp::In,
                    Rule::op_add => BinaryOp::Add,
                    Rule::op_sub => BinaryOp::Sub,
                    Rule::op_mul => BinaryOp::Mul,
                    Rule::op_div => BinaryOp::Div,
                    Rule::op_mod => BinaryOp::Mod,
                    Rule::op_pow => BinaryOp::Pow,
                    _ => unreachable!("grammar: infix"),
                };
                Ok(Expr {
                    span: lhs.span.start..rhs.span.end,
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                })
            })
            .parse(pair.into_inner())
    }

    fn primary(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        let span = span(&pair);
        let at = span.start;
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::kw_null => ExprKind::Null,
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::integer => ExprKind::Int(parse_integer(text).ok_or_else(|| {
                ParseError::new(
                    self.text,
                    at,
                    format!("the integer {text} is too large"),
                    Some("integers are 64-bit: up to 9223372036854775807".to_owned()),
                )
            })?),
            Rule::float => ExprKind::Float(text.parse().map_err(|_| {
                ParseError::new(
                    self.text,
                    at,
                    format!("cannot read the number {text}"),
                    None,
                )
            })?),
            Rule::money => {
                let mut inner = pair.into_inner();
                let number: f64 = inner
                    .next()
                    .expect("grammar: money number")
                    .as_str()
                    .parse()
                    .unwrap_or(f64::NAN);
                let scale = match inner.next().expect("grammar: money scale").as_str() {
                    "K" => 1e3,
                    "M" => 1e6,
                    "B" => 1e9,
                    _ => 1e12,
                };
                money(number * scale)
            }
            Rule::string => ExprKind::String(unescape(
                pair.into_inner().next().map_or("", |p| p.as_str()),
            )),
            Rule::parameter => ExprKind::Parameter(name(
                pair.into_inner().next().expect("grammar: parameter name"),
            )),
            Rule::variable => ExprKind::Variable(name(pair)),
            Rule::count_star => ExprKind::CountStar,
            Rule::parenthesized => {
                return self.expr(pair.into_inner().next().expect("grammar: inner expr"));
            }
            Rule::list_literal => ExprKind::List(
                pair.into_inner()
                    .map(|e| self.expr(e))
                    .collect::<Result<_, _>>()?,
            ),
            Rule::map_literal => ExprKind::Map(
                pair.into_inner()
                    .map(|entry| {
                        let mut inner = entry.into_inner();
                        let key = name(inner.next().expect("grammar: key"));
                        Ok((key, self.expr(inner.next().expect("grammar: value"))?))
                    })
                    .collect::<Result<_, ParseError>>()?,
            ),
            Rule::function_call => {
                let mut inner = pair.into_inner().peekable();
                let name = inner
                    .next()
                    .expect("grammar: function name")
                    .as_str()
                    .to_owned();
                let distinct = inner
                    .next_if(|p| p.as_rule() == Rule::kw_distinct)
                    .is_some();
                let args = inner.map(|a| self.expr(a)).collect::<Result<_, _>>()?;
                ExprKind::Call {
                    name,
                    distinct,
                    args,
                }
            }
            Rule::case_expr => {
                let (mut subject, mut branches, mut otherwise) = (None, Vec::new(), None);
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::case_subject => {
                            subject = Some(Box::new(
                                self.expr(part.into_inner().next().expect("grammar: subject"))?,
                            ))
                        }
                        Rule::case_branch => {
                            let mut inner = part.into_inner().filter(|p| p.as_rule() == Rule::expr);
                            let when = self.expr(inner.next().expect("grammar: WHEN"))?;
                            let then = self.expr(inner.next().expect("grammar: THEN"))?;
                            branches.push((when, then));
                        }
                        Rule::case_else => {
                            otherwise = Some(Box::new(
                                self.expr(part.into_inner().nth(1).expect("grammar: ELSE"))?,
                            ))
                        }
                        _ => {}
                    }
                }
                ExprKind::Case {
                    subject,
                    branches,
                    otherwise,
                }
            }
            Rule::list_comprehension => {
                let (mut variable, mut list, mut filter, mut map) =
                    (String::new(), None, None, None);
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::variable => variable = name(part),
                        Rule::expr => list = Some(Box::new(self.expr(part)?)),
                        Rule::comprehension_filter => {
                            filter = Some(Box::new(
                                self.expr(part.into_inner().next().expect("grammar: filter"))?,
                            ))
                        }
                        Rule::comprehension_map => {
                            map = Some(Box::new(
                                self.expr(part.into_inner().next().expect("grammar: map"))?,
                            ))
                        }
                        _ => {}
                    }
                }
                ExprKind::ListComprehension {
                    variable,
                    list: list.expect("grammar: list"),
                    filter,
                    map,
                }
            }
            Rule::list_predicate => {
                let mut inner = pair.into_inner();
                let quantifier = match inner.next().expect("grammar: quantifier").as_rule() {
                    Rule::kw_all => Quantifier::All,
                    Rule::kw_any => Quantifier::Any,
                    Rule::kw_none => Quantifier::None,
                    _ => Quantifier::Single,
                };
                let variable = name(inner.next().expect("grammar: variable"));
                let mut exprs = inner.filter(|p| p.as_rule() == Rule::expr);
                let list = self.expr(exprs.next().expect("grammar: list"))?;
                let predicate = self.expr(exprs.next().expect("grammar: predicate"))?;
                ExprKind::ListPredicate {
                    quantifier,
                    variable,
                    list: Box::new(list),
                    predicate: Box::new(predicate),
                }
            }
            Rule::pattern_predicate => {
                ExprKind::PatternPredicate(Box::new(self.chain(pair.into_inner())?))
            }
            other => unreachable!("grammar: primary {other:?}"),
        };
        Ok(Expr { kind, span })
    }
}

/// A money amount is an integer when it is whole, as `2.4B` is.
fn money(amount: f64) -> ExprKind {
    if amount.fract() == 0.0 && amount.abs() < 9.0e18 {
        ExprKind::Int(amount as i64)
    } else {
        ExprKind::Float(amount)
    }
}

fn parse_integer(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = text.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()
    } else {
        text.parse().ok()
    }
}

/// Resolves backslash escapes; an unknown escape keeps its character.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some(u @ ('u' | 'U')) => {
                let digits: String = chars.by_ref().take(if u == 'u' { 4 } else { 8 }).collect();
                match u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(c) => out.push(c),
                    None => out.push(char::REPLACEMENT_CHARACTER),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
