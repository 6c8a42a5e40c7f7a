//! Compiling expressions: variables to slots, projected texts to their columns, function
//! calls and their arities, aggregates handed to the projection, constants folded, regular
//! expressions compiled once, and operand types that can never work refused before running.

use super::*;

impl<'a> Planner<'a> {
    /// SKIP and LIMIT: no variables allowed, and a literal must be a whole number, 0 or more
    /// (a parameter or a computed value is checked when the statement runs).
    pub(super) fn constant_expr(
        &mut self,
        expr: &Expr,
        place: &'static str,
    ) -> Result<PExpr, QueryError> {
        let compiled = self.expr(&Scope::default(), expr, &mut ExprContext::plain(place));
        let compiled = match compiled {
            Err(e) if e.code == ErrorCode::UndefinedVariable => {
                return Err(QueryError {
                    message: format!("{place} takes a number, not an expression over variables"),
                    code: ErrorCode::NonConstantExpression,
                    help: Some(format!("write {place} 10, or {place} $n with a parameter")),
                    ..e
                });
            }
            other => other?,
        };
        let literal = match &compiled.kind {
            PKind::Const(v) => Some(v.clone()),
            PKind::Unary(UnaryOp::Negate, operand) => match &operand.kind {
                PKind::Const(QueryValue::Int(n)) => Some(QueryValue::Int(n.wrapping_neg())),
                PKind::Const(QueryValue::Float(f)) => Some(QueryValue::Float(-f)),
                _ => None,
            },
            _ => None,
        };
        match literal {
            Some(QueryValue::Int(n)) if n < 0 => Err(self.error(
                ErrorCode::NegativeIntegerArgument,
                compiled.span.start,
                format!("{place} takes a whole number of rows, 0 or more, not {n}"),
                None,
            )),
            Some(QueryValue::Int(_)) | None => Ok(compiled),
            Some(other) => Err(self.error(
                ErrorCode::InvalidArgumentType,
                compiled.span.start,
                match other {
                    QueryValue::Null => {
                        format!("{place} takes a whole number of rows, 0 or more, not null")
                    }
                    other => format!(
                        "{place} takes a whole number of rows, 0 or more, not {} {}",
                        other.type_name(),
                        super::super::result::literal(self.graph, &other)
                    ),
                },
                Some(format!("write {place} 10, or {place} toInteger(...)")),
            )),
        }
    }

    pub(super) fn expr(
        &mut self,
        scope: &Scope,
        expr: &Expr,
        cx: &mut ExprContext<'_>,
    ) -> Result<PExpr, QueryError> {
        // The parser bounds how deep expressions nest; this keeps a thread with a small stack
        // safe at that depth.
        crate::query::parser::guard_stack(|| self.expr_unguarded(scope, expr, cx))
    }

    pub(super) fn expr_unguarded(
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
                None if self.outside.iter().any(|o| o.iter().any(|n| n == name)) => {
                    return Err(self.error(
                        ErrorCode::UndefinedVariable,
                        span.start,
                        format!("the variable `{name}` belongs to the query around this CALL {{ ... }}, which does not see it"),
                        Some(format!("import it: start the subquery with WITH {name}")),
                    ));
                }
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
                    && let Some((slot, _)) = scope.get(v)
                    && let Some(t) = scope.literal_type(slot)
                {
                    return Err(QueryError::at(
                        ErrorKind::Type,
                        ErrorCode::InvalidArgumentType,
                        self.text,
                        span.start,
                        format!("cannot read `.{key}` of `{v}`, which holds {t}"),
                        Some("only nodes, relationships and maps have properties".to_owned()),
                    ));
                }
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
                let place = "a list comprehension";
                let (list, slot, (filter, map)) =
                    self.over_elements(scope, variable, list, cx, place, |planner, inner, cx| {
                        let mut plan = |e: &Expr| planner.expr(inner, e, cx).map(Box::new);
                        let filter = filter.as_deref().map(&mut plan).transpose()?;
                        let map = map.as_deref().map(&mut plan).transpose()?;
                        Ok((filter, map))
                    })?;
                PKind::Comprehension {
                    slot,
                    list: Box::new(list),
                    filter,
                    map,
                }
            }
            ExprKind::Subquery(kind, body) => {
                let plan = self.expression_subquery(scope, *kind, body)?;
                PKind::Subquery(*kind, Box::new(plan))
            }
            ExprKind::PatternComprehension {
                pattern,
                filter,
                map,
            } => {
                // A COLLECT of one MATCH: the pattern's new variables live inside it.
                let map_text = self.text[map.span.clone()].to_owned();
                let body = Subquery {
                    queries: vec![SingleQuery {
                        clauses: vec![
                            Clause::Match {
                                optional: false,
                                patterns: vec![(**pattern).clone()],
                                filter: filter.as_deref().cloned(),
                            },
                            Clause::Return(Projection {
                                distinct: false,
                                star: false,
                                items: vec![ProjectionItem {
                                    expr: (**map).clone(),
                                    alias: Some("value".to_owned()),
                                    text: map_text,
                                }],
                                order_by: Vec::new(),
                                skip: None,
                                limit: None,
                            }),
                        ],
                    }],
                    union_all: Vec::new(),
                    short: false,
                    span: span.clone(),
                };
                let plan = self.expression_subquery(scope, SubqueryKind::Collect, &body)?;
                PKind::Subquery(SubqueryKind::Collect, Box::new(plan))
            }
            ExprKind::PatternPredicate(chain) => {
                PKind::Pattern(Box::new(self.pattern_predicate(scope, chain, &span)?))
            }
            ExprKind::MapProjection(base, items) => {
                let base = sub(self, base)?;
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    parts.push(match item {
                        MapProjectionItem::Property(key) => (Some(key.clone()), MapPart::Property),
                        MapProjectionItem::AllProperties => (None, MapPart::AllProperties),
                        MapProjectionItem::Entry(key, value) => {
                            (Some(key.clone()), MapPart::Value(*sub(self, value)?))
                        }
                        MapProjectionItem::Variable(name, at) => {
                            let variable = Expr {
                                kind: ExprKind::Variable(name.clone()),
                                span: at.clone(),
                            };
                            (Some(name.clone()), MapPart::Value(*sub(self, &variable)?))
                        }
                    });
                }
                PKind::MapProjection(base, parts)
            }
            ExprKind::ListPredicate {
                quantifier,
                variable,
                list,
                predicate,
            } => {
                let place = "a list predicate";
                let (list, slot, predicate) =
                    self.over_elements(scope, variable, list, cx, place, |planner, inner, cx| {
                        planner.expr(inner, predicate, cx)
                    })?;
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

    /// Plans `list`, then (through `plan`) the expressions of a comprehension or list
    /// predicate, called `place`, that read each of its elements as `variable`. Returns the
    /// list, the element's slot, and what `plan` gave.
    fn over_elements<T>(
        &mut self,
        scope: &Scope,
        variable: &str,
        list: &Expr,
        cx: &mut ExprContext<'_>,
        place: &'static str,
        plan: impl FnOnce(&mut Self, &Scope, &mut ExprContext<'_>) -> Result<T, QueryError>,
    ) -> Result<(PExpr, Slot, T), QueryError> {
        let list = self.expr(scope, list, cx)?;
        let mut inner = scope.clone();
        let slot = inner.bind(variable, VarKind::Value);
        let planned = plan(self, &inner, &mut cx.inner(place))?;
        self.reserve(inner.next);
        Ok((list, slot, planned))
    }

    /// Plans the body of `EXISTS`, `COUNT` or `COLLECT`: its queries see every variable of
    /// `scope`, in the same slots; a `COLLECT` returns one column.
    fn expression_subquery(
        &mut self,
        scope: &Scope,
        kind: SubqueryKind,
        body: &Subquery,
    ) -> Result<SubqueryPlan, QueryError> {
        let mut queries = Vec::new();
        let mut columns: Option<Vec<String>> = None;
        for query in &body.queries {
            let (plan, query_columns) = self.nested(|planner| {
                planner.query(query, body.span.start, scope.clone(), Nesting::Expression)
            })?;
            self.union_columns(&mut columns, query_columns, body.span.start)?;
            queries.push(plan);
        }
        let columns = columns.unwrap_or_default();
        if kind == SubqueryKind::Collect && columns.len() != 1 {
            return Err(self.error(
                ErrorCode::InvalidClauseComposition,
                body.span.start,
                format!(
                    "COLLECT {{ ... }} collects one column, and this one returns {}",
                    if columns.is_empty() {
                        "none".to_owned()
                    } else {
                        columns.join(", ")
                    }
                ),
                Some("end it with RETURN and one expression".to_owned()),
            ));
        }
        if body.union_all.iter().any(|a| *a) && body.union_all.iter().any(|a| !*a) {
            return Err(self.error(
                ErrorCode::InvalidClauseComposition,
                body.span.start,
                "a subquery cannot mix UNION and UNION ALL".to_owned(),
                Some("use UNION ALL throughout to keep duplicates, UNION to drop them".to_owned()),
            ));
        }
        Ok(SubqueryPlan {
            queries,
            union_all: body.union_all.first().copied().unwrap_or(false),
            seed: scope.next,
        })
    }

    /// Operators given a literal of a type they can never take fail before the query runs.
    pub(super) fn check_static_types(&self, kind: &PKind, span: &Span) -> Result<(), QueryError> {
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

    pub(super) fn regex(&self, pattern: &str, offset: usize) -> Result<Regex, QueryError> {
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

    pub(super) fn call(
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
                let arity = function.arity();
                if args.len() != arity {
                    return Err(self.arity_error(name, arity, arity, args.len(), span));
                }
                let was_inside = cx.inside_aggregate;
                if was_inside {
                    return self.aggregate(function, distinct, None, span, cx);
                }
                cx.inside_aggregate = true;
                let arg = self.expr(scope, &args[0], cx);
                let percentile = args.get(1).map(|p| self.expr(scope, p, cx)).transpose();
                cx.inside_aggregate = false;
                let (arg, percentile) = (arg?, percentile?);
                self.aggregate_of(function, distinct, (Some(arg), percentile), span, cx)
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
                if cx.inside_aggregate && function.name() == "rand" {
                    return Err(self.error(
                        ErrorCode::NonConstantExpression,
                        span.start,
                        "an aggregate cannot take rand(): its value changes on every call"
                            .to_owned(),
                        Some("bind it first: WITH rand() AS r, then aggregate r".to_owned()),
                    ));
                }
                // Within a LOAD CSV they read the record's line and file; elsewhere null.
                if let Some((line, file)) = self.load_csv {
                    match function.name() {
                        "linenumber" => return Ok(PKind::Slot(line)),
                        "file" => return Ok(PKind::Slot(file)),
                        _ => {}
                    }
                }
                let args = args
                    .iter()
                    .map(|a| self.expr(scope, a, cx))
                    .collect::<Result<Vec<_>, _>>()?;
                self.check_argument_types(scope, function.name(), &args)?;
                Ok(PKind::Call(function, args))
            }
        }
    }

    /// A function given an argument whose type is known when planning (a literal, or a
    /// variable bound to a node, relationship or path) that it can never take fails before
    /// the query runs; a pattern predicate is no argument of `size`.
    fn check_argument_types(
        &self,
        scope: &Scope,
        name: &str,
        args: &[PExpr],
    ) -> Result<(), QueryError> {
        let Some(arg) = args.first() else {
            return Ok(());
        };
        if name == "size" && matches!(arg.kind, PKind::Pattern(_)) {
            return Err(QueryError::at(
                ErrorKind::Syntax,
                ErrorCode::UnexpectedSyntax,
                self.text,
                arg.span.start,
                "size() takes a list or a string, not a pattern".to_owned(),
                Some(
                    "count the matches with COUNT { pattern } or size([p = pattern | p])"
                        .to_owned(),
                ),
            ));
        }
        let takes: &[&str] = match name {
            "labels" => &["a node"],
            "type" => &["a relationship"],
            "properties" => &["a node", "a relationship", "a map"],
            "length" => &["a path"],
            "size" => &["a list", "a string"],
            _ => return Ok(()),
        };
        let known = match &arg.kind {
            PKind::Const(QueryValue::Null) => None,
            PKind::Const(v) => Some(v.type_name()),
            PKind::List(_) => Some("a list"),
            PKind::Map(_) => Some("a map"),
            PKind::Slot(slot) => scope
                .vars
                .iter()
                .rev()
                .find(|(_, s, _)| s == slot)
                .and_then(|(.., kind)| match kind {
                    VarKind::Node => Some("a node"),
                    VarKind::Relationship => Some("a relationship"),
                    VarKind::Path => Some("a path"),
                    VarKind::RelationshipList => Some("a list"),
                    VarKind::Value | VarKind::Scalar => None,
                }),
            _ => None,
        };
        match known {
            Some(t) if !takes.contains(&t) => Err(self.error(
                ErrorCode::InvalidArgumentType,
                arg.span.start,
                format!("{name}() takes {}, not {t}", takes.join(" or ")),
                None,
            )),
            _ => Ok(()),
        }
    }

    pub(super) fn arity_error(
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
}

pub(super) fn first_line(text: &str) -> &str {
    text.lines().last().unwrap_or(text)
}

/// A list of constants is itself a constant.
pub(super) fn fold_list(items: Vec<PExpr>) -> PKind {
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
