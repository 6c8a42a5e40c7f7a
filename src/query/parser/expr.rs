//! Lowering of expressions: the depth check, operator precedence through the `PrattParser`,
//! and the primaries (literals, money and dates, lists, maps, `CASE`, calls, comprehensions and
//! pattern predicates), with the literals' own decoding.

use pest::iterators::Pair;

use super::{Lower, MAX_EXPR_DEPTH, PRATT, Rule, guard_stack, name, nesting_too_deep, span};
use crate::query::ast::*;
use crate::query::error::{ErrorCode, ErrorKind, ParseError, QueryError};

/// An expression nested deeper than `MAX_EXPR_DEPTH`, refused at `offset`.
pub(super) fn too_deep(text: &str, offset: usize) -> ParseError {
    nesting_too_deep(
        text,
        offset,
        format!(
            "the expression nests more than {MAX_EXPR_DEPTH} operators and sub-expressions deep"
        ),
        "compute part of it in a WITH clause before, or pass it as a parameter",
    )
}

/// Whether a child of an `expr` pair is an operator rather than an operand.
pub(super) fn is_operator(rule: Rule) -> bool {
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

impl Lower<'_> {
    pub(super) fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
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
        let mark = self.unsigned_min.borrow().len();
        let lowered = guard_stack(|| self.expr_tree(pair));
        self.depth.set(outer);
        // A 2^63 of this expression that no minus sign claimed does not fit.
        let unclaimed = {
            let mut pending = self.unsigned_min.borrow_mut();
            let first = pending.get(mark).copied();
            pending.truncate(mark);
            first
        };
        match unclaimed {
            Some(at) if lowered.is_ok() => Err(self.integer_overflow(at)),
            _ => lowered,
        }
    }

    /// The integer literal at `at` does not fit in 64 bits.
    fn integer_overflow(&self, at: usize) -> ParseError {
        let text: String = self.text[at..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        QueryError::at(
            ErrorKind::Syntax,
            ErrorCode::IntegerOverflow,
            self.text,
            at,
            format!("the integer {text} is too large"),
            Some(
                "integers are 64-bit: from -9223372036854775808 to 9223372036854775807".to_owned(),
            ),
        )
    }

    pub(super) fn expr_tree(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        PRATT
            .map_primary(|p| self.primary(p))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let op_span = span(&op);
                if op.as_rule() == Rule::op_neg && rhs.kind == ExprKind::Int(i64::MIN) {
                    let mut pending = self.unsigned_min.borrow_mut();
                    if let Some(i) = pending.iter().position(|at| *at == rhs.span.start) {
                        pending.remove(i);
                        return Ok(Expr {
                            span: op_span.start..rhs.span.end,
                            kind: ExprKind::Int(i64::MIN),
                        });
                    }
                }
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
                let op_start = op.as_span().start();
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
                let span = lhs.span.start..rhs.span.end;
                // `a < b < c` is `a < b AND b < c`; `(a < b) < c` compares a boolean.
                let adjacent = self
                    .text
                    .get(lhs.span.end..op_start)
                    .is_some_and(|between| between.trim().is_empty());
                if is_comparison(op)
                    && adjacent
                    && let Some(middle) = chained_operand(&lhs)
                {
                    let middle = middle.clone();
                    let next = Expr {
                        span: middle.span.start..rhs.span.end,
                        kind: ExprKind::Binary(op, Box::new(middle), Box::new(rhs)),
                    };
                    return Ok(Expr {
                        span,
                        kind: ExprKind::Binary(BinaryOp::And, Box::new(lhs), Box::new(next)),
                    });
                }
                Ok(Expr {
                    span,
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                })
            })
            .parse(pair.into_inner())
    }

    pub(super) fn primary(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        let span = span(&pair);
        let at = span.start;
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::kw_null => ExprKind::Null,
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::integer => match parse_integer(text) {
                Some(i) => ExprKind::Int(i),
                None if parse_unsigned(text) == Some(1 << 63) => {
                    self.unsigned_min.borrow_mut().push(at);
                    ExprKind::Int(i64::MIN)
                }
                None => return Err(self.integer_overflow(at)),
            },
            Rule::float => match text.parse::<f64>() {
                Ok(f) if f.is_finite() => ExprKind::Float(f),
                Ok(_) => {
                    return Err(QueryError::at(
                        ErrorKind::Syntax,
                        ErrorCode::FloatingPointOverflow,
                        self.text,
                        at,
                        format!("the float {text} is too large"),
                        Some("floats are 64-bit: up to about 1.797e308".to_owned()),
                    ));
                }
                Err(_) => {
                    return Err(ParseError::new(
                        self.text,
                        at,
                        format!("cannot read the number {text}"),
                        None,
                    ));
                }
            },
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
            Rule::map_projection => {
                let mut inner = pair.into_inner();
                let base = inner.next().expect("grammar: map projection base");
                let base = Expr {
                    span: super::span(&base),
                    kind: ExprKind::Variable(name(base)),
                };
                let items = inner
                    .map(|item| {
                        Ok(match item.as_rule() {
                            Rule::all_properties_selector => MapProjectionItem::AllProperties,
                            Rule::property_selector => MapProjectionItem::Property(name(
                                item.into_inner().next().expect("grammar: selector key"),
                            )),
                            Rule::variable => {
                                MapProjectionItem::Variable(name(item.clone()), super::span(&item))
                            }
                            _ => {
                                let mut entry = item.into_inner();
                                let key = name(entry.next().expect("grammar: key"));
                                let value = self.expr(entry.next().expect("grammar: value"))?;
                                MapProjectionItem::Entry(key, value)
                            }
                        })
                    })
                    .collect::<Result<_, ParseError>>()?;
                ExprKind::MapProjection(Box::new(base), items)
            }
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
            Rule::subquery_expr => {
                let mut inner = pair.into_inner();
                let kind = match inner.next().expect("grammar: subquery keyword").as_rule() {
                    Rule::kw_exists => SubqueryKind::Exists,
                    Rule::kw_count => SubqueryKind::Count,
                    _ => SubqueryKind::Collect,
                };
                let body = inner.next().expect("grammar: subquery body");
                let subquery = if body.as_rule() == Rule::subquery {
                    self.subquery(body, span.clone())?
                } else {
                    self.subquery_patterns(body, span.clone())?
                };
                ExprKind::Subquery(kind, Box::new(subquery))
            }
            Rule::pattern_comprehension => {
                let (mut pattern, mut filter, mut map) = (None, None, None);
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::pattern => pattern = Some(Box::new(self.pattern(part)?)),
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
                ExprKind::PatternComprehension {
                    pattern: pattern.expect("grammar: pattern"),
                    filter,
                    map: map.expect("grammar: map"),
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

fn is_comparison(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(op, Eq | Ne | Lt | Le | Gt | Ge)
}

/// The right operand of the last comparison of `lhs` when `lhs` is a comparison, or a chain of
/// them (`a < b`, `a < b AND b < c`), written just before another comparison operator: the
/// operand that the next comparison compares again.
fn chained_operand(lhs: &Expr) -> Option<&Expr> {
    match &lhs.kind {
        ExprKind::Binary(op, _, right) if is_comparison(*op) => Some(right),
        ExprKind::Binary(BinaryOp::And, _, last) => match &last.kind {
            ExprKind::Binary(op, _, right) if is_comparison(*op) => Some(right),
            _ => None,
        },
        _ => None,
    }
}

/// A money amount is an integer when it is whole, as `2.4B` is.
pub(super) fn money(amount: f64) -> ExprKind {
    if amount.fract() == 0.0 && amount.abs() < 9.0e18 {
        ExprKind::Int(amount as i64)
    } else {
        ExprKind::Float(amount)
    }
}

/// An integer literal's magnitude, up to 2^64 - 1.
fn parse_unsigned(text: &str) -> Option<u64> {
    if let Some(hex) = text.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = text.strip_prefix("0o") {
        u64::from_str_radix(octal, 8).ok()
    } else {
        text.parse().ok()
    }
}

pub(super) fn parse_integer(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = text.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()
    } else {
        text.parse().ok()
    }
}

/// Resolves backslash escapes; an unknown escape keeps its character.
pub(super) fn unescape(raw: &str) -> String {
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
