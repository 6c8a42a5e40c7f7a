//! Planning `WITH` and `RETURN`: projected columns and their kinds, `*`, `DISTINCT`, grouping
//! keys and aggregates, `ORDER BY`, `SKIP` and `LIMIT`, and which columns hold money.

use super::*;

impl<'a> Planner<'a> {
    /// Plans WITH or RETURN over `scope`; returns the plan, the scope after it, and the
    /// column names.
    pub(super) fn projection(
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
        // What the rest of an aggregating item may read: grouping keys that are variables, and
        // property reads that are grouping keys as written.
        let mut key_names: HashSet<String> = HashSet::new();
        let mut key_texts: HashSet<String> = HashSet::new();
        for &i in &key_items {
            match &columns[i].1.kind {
                ExprKind::Variable(v) => {
                    key_names.insert(v.clone());
                }
                ExprKind::Property(base, _) if matches!(base.kind, ExprKind::Variable(_)) => {
                    key_texts.insert(squeeze(&self.text[columns[i].1.span.clone()]));
                }
                _ => {}
            }
        }
        if aggregating {
            for (i, (_, expr)) in columns.iter().enumerate() {
                if !key_items.contains(&i) {
                    self.check_unambiguous(expr, &key_names, &key_texts)?;
                }
            }
        }

        // Output columns get slots after the input's, for ORDER BY.
        let out_base = scope.next;
        let mut order_scope = if aggregating || projection.distinct {
            Scope {
                vars: Vec::new(),
                next: scope.next,
                literals: Vec::new(),
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
        let mut sort_names = key_names.clone();
        sort_names.extend(columns.iter().map(|(name, _)| name.clone()));
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
            if aggregating && has_aggregate(&sort.expr) {
                self.check_unambiguous(&sort.expr, &sort_names, &key_texts)?;
            }
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
                // After DISTINCT only the columns are in scope; an expression written as a
                // column (`a.name2` of `WITH DISTINCT a.name2 AS name`) reads that column.
                let replaced: &[(String, Slot)] = if projection.distinct {
                    &replacements
                } else {
                    &[]
                };
                Some(self.expr(
                    &order_scope,
                    f,
                    &mut ExprContext {
                        replacements: replaced,
                        ..ExprContext::plain("WHERE")
                    },
                )?)
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

        let amount_notes = if is_return && !aggregating && !projection.distinct {
            self.amount_notes(scope, &columns)?
        } else {
            // A row that merges several input rows stands for no one relationship.
            Vec::new()
        };

        let mut next = Scope::default();
        for ((name, expr), item) in columns.iter().zip(&items) {
            let kind = self.kind_of(scope, expr);
            let slot = next.bind(name, kind);
            if let PKind::Const(v) = &item.kind
                && !matches!(v, QueryValue::Null | QueryValue::Map(_))
            {
                next.literals.push((slot, v.type_name()));
            }
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
                amount_notes,
            },
            next,
            names,
        ))
    }

    /// The columns that are one relationship's amount (`r.amount_usd`, `r.amount`), with the
    /// properties a table shows beside them: its qualifier, and the currency of `amount`.
    fn amount_notes(
        &mut self,
        scope: &Scope,
        columns: &[(String, Expr)],
    ) -> Result<Vec<AmountNotePlan>, QueryError> {
        let mut notes = Vec::new();
        for (column, (_, expr)) in columns.iter().enumerate() {
            let ExprKind::Property(base, key) = &expr.kind else {
                continue;
            };
            let ExprKind::Variable(v) = &base.kind else {
                continue;
            };
            if !matches!(scope.get(v), Some((_, VarKind::Relationship)))
                || !matches!(key.as_str(), "amount_usd" | "amount")
            {
                continue;
            }
            // Built from the compiled variable, not planned as written properties, so that a
            // graph without qualifiers is not warned about a key the query never names.
            let mut property = |key: &str| -> Result<PExpr, QueryError> {
                Ok(PExpr {
                    kind: PKind::Property(
                        Box::new(self.expr(scope, base, &mut ExprContext::plain("RETURN"))?),
                        key.to_owned(),
                    ),
                    span: expr.span.clone(),
                })
            };
            notes.push(AmountNotePlan {
                column,
                qualifier: property("amount_qualifier")?,
                currency: (key == "amount")
                    .then(|| property("currency"))
                    .transpose()?,
            });
        }
        Ok(notes)
    }

    pub(super) fn kind_of(&self, scope: &Scope, expr: &Expr) -> VarKind {
        match &expr.kind {
            ExprKind::Variable(v) => scope.get(v).map_or(VarKind::Value, |(_, k)| k),
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::String(_)
            | ExprKind::Bool(_)
            | ExprKind::List(_)
            | ExprKind::Map(_)
            | ExprKind::MapProjection(..)
            | ExprKind::Binary(..)
            | ExprKind::Unary(..)
            | ExprKind::IsNull { .. }
            | ExprKind::CountStar
            | ExprKind::ListComprehension { .. }
            | ExprKind::ListPredicate { .. } => VarKind::Scalar,
            _ => VarKind::Value,
        }
    }

    pub(super) fn aggregate(
        &mut self,
        function: AggFunction,
        distinct: bool,
        arg: Option<PExpr>,
        span: &Span,
        cx: &mut ExprContext<'_>,
    ) -> Result<PKind, QueryError> {
        self.aggregate_of(function, distinct, (arg, None), span, cx)
    }

    /// An aggregate of `arg`, with `percentileDisc` and `percentileCont`'s `percentile`.
    pub(super) fn aggregate_of(
        &mut self,
        function: AggFunction,
        distinct: bool,
        (arg, percentile): (Option<PExpr>, Option<PExpr>),
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
            percentile,
        });
        Ok(PKind::Aggregate(aggregates.len() - 1))
    }
}

impl Planner<'_> {
    /// An item that aggregates reads, outside its aggregates, only the grouping keys `names`
    /// (variables and column names) and the property reads `texts` (as written, without
    /// white space): `me.age + count(*)` next to a key `me.age + you.age` means nothing.
    fn check_unambiguous(
        &self,
        expr: &Expr,
        names: &HashSet<String>,
        texts: &HashSet<String>,
    ) -> Result<(), QueryError> {
        let mut reads = Vec::new();
        if !reads_outside_aggregates(expr, &mut reads) {
            return Ok(());
        }
        for read in reads {
            let allowed = match &read.kind {
                ExprKind::Variable(v) => names.contains(v),
                ExprKind::Property(base, _) => {
                    matches!(&base.kind, ExprKind::Variable(v) if names.contains(v))
                        || texts.contains(&squeeze(&self.text[read.span.clone()]))
                }
                _ => true,
            };
            if !allowed {
                let text = &self.text[read.span.clone()];
                return Err(self.error(
                    ErrorCode::AmbiguousAggregationExpression,
                    read.span.start,
                    format!(
                        "`{text}` is neither aggregated nor a grouping key of this aggregating expression"
                    ),
                    Some(format!(
                        "project `{text}` as a column of its own (WITH {text} AS x, ...) and use x"
                    )),
                ));
            }
        }
        Ok(())
    }
}

/// Whether `expr` calls an aggregate (in the forms `children` looks into).
fn has_aggregate(expr: &Expr) -> bool {
    has_aggregate_here(expr) || children(expr).is_some_and(|c| c.into_iter().any(has_aggregate))
}

/// The direct sub-expressions of the forms the ambiguity check reads; `None` for the forms
/// it does not look into (comprehensions, patterns, map projections).
fn children(expr: &Expr) -> Option<Vec<&Expr>> {
    Some(match &expr.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::String(_)
        | ExprKind::Parameter(_)
        | ExprKind::Variable(_)
        | ExprKind::CountStar => Vec::new(),
        ExprKind::List(items) => items.iter().collect(),
        ExprKind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
        ExprKind::Property(base, _) | ExprKind::HasLabels(base, _) => vec![base],
        ExprKind::Index(a, b) => vec![a, b],
        ExprKind::Slice(base, from, to) => std::iter::once(&**base)
            .chain(from.as_deref())
            .chain(to.as_deref())
            .collect(),
        ExprKind::Unary(_, e) | ExprKind::IsNull { expr: e, .. } => vec![e],
        ExprKind::Binary(_, l, r) => vec![l, r],
        ExprKind::Case {
            subject,
            branches,
            otherwise,
        } => subject
            .as_deref()
            .into_iter()
            .chain(branches.iter().flat_map(|(w, t)| [w, t]))
            .chain(otherwise.as_deref())
            .collect(),
        ExprKind::Call { args, .. } => args.iter().collect(),
        _ => return None,
    })
}

/// Collects the variables and property reads of variables that `expr` makes outside its
/// aggregates; false when it holds a form the check does not look into.
fn reads_outside_aggregates<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) -> bool {
    match &expr.kind {
        ExprKind::Variable(_) => {
            out.push(expr);
            true
        }
        ExprKind::Property(base, _) if matches!(base.kind, ExprKind::Variable(_)) => {
            out.push(expr);
            true
        }
        _ if has_aggregate_here(expr) => true,
        _ => match children(expr) {
            Some(c) => c.into_iter().all(|e| reads_outside_aggregates(e, out)),
            None => false,
        },
    }
}

/// Whether `expr` is itself an aggregate call.
fn has_aggregate_here(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::CountStar => true,
        ExprKind::Call { name, .. } => {
            functions::lookup(name).is_some_and(functions::Entry::is_aggregate)
        }
        _ => false,
    }
}

/// An expression that yields an amount of money: a `…_usd` property, or an aggregate, sum or
/// difference of such.
pub(super) fn is_money(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Property(_, key) => key == "amount_usd" || key.ends_with("_usd"),
        ExprKind::Call { name, .. } if name.eq_ignore_ascii_case("usdTotal") => true,
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
