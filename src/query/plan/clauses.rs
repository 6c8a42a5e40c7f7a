//! Planning a query clause by clause: the walk over a single query's clauses (cutting segments
//! at `WITH` and `RETURN`), and the reading clauses `MATCH`, `OPTIONAL MATCH`, `UNWIND` and
//! `CALL`. Writing clauses are planned in `write.rs`, projections in `projection.rs`.

use super::patterns::lookup_hints;
use super::*;

impl<'a> Planner<'a> {
    /// Plans one query of a union; returns it with its column names.
    pub(super) fn query(
        &mut self,
        query: &SingleQuery,
        statement_start: usize,
        scope: Scope,
        nesting: Nesting,
    ) -> Result<(QueryPlan, Vec<String>), QueryError> {
        let mut scope = scope;
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
            if nesting == Nesting::Expression && clause_writes(clause) {
                return Err(self.error(
                    ErrorCode::InvalidClauseComposition,
                    clause_start(clause),
                    "a subquery in an expression (EXISTS, COUNT, COLLECT) only reads; it cannot change the graph".to_owned(),
                    Some("move the change out of the subquery, or into CALL { ... }".to_owned()),
                ));
            }
            match clause {
                Clause::CallSubquery(body) => {
                    let op = self.call_subquery(&mut scope, body)?;
                    ops.push(op);
                }
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
                    let slot = self.bind_new(
                        &mut scope,
                        variable,
                        VarKind::Value,
                        list.span.end,
                        Some("choose another name after AS".to_owned()),
                    )?;
                    ops.push(Op::Unwind { list, slot });
                }
                Clause::LoadCsv {
                    headers,
                    url,
                    variable,
                    terminator,
                    span,
                } => {
                    let plan = self
                        .load_csv_clause(&mut scope, *headers, url, variable, terminator, span)?;
                    ops.push(Op::LoadCsv(Box::new(plan)));
                }
                Clause::With { projection, filter } => {
                    // A plain WITH sees the variables it drops in its WHERE, as Cypher's does;
                    // after DISTINCT, it sees the columns and the expressions they are written
                    // as, and filtering before removing duplicates keeps the same rows.
                    let plain = projection.skip.is_none() && projection.limit.is_none();
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
                    yield_star,
                    filter,
                    span,
                } => {
                    let standalone = nesting == Nesting::Top && query.clauses.len() == 1;
                    let (op, bound) = self.call_clause(
                        &mut scope,
                        procedure,
                        args.as_deref(),
                        (yields.as_deref(), *yield_star),
                        standalone,
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
                    for target in targets {
                        self.check_delete_target(target)?;
                    }
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
            segments.push(self.closing_segment(&scope, std::mem::take(&mut ops), Vec::new()));
            return Ok((QueryPlan { segments }, Vec::new()));
        }
        if columns.is_none() && nesting == Nesting::Expression {
            // `EXISTS { MATCH ... }` needs only the rows, not their columns.
            segments.push(self.closing_segment(&scope, std::mem::take(&mut ops), Vec::new()));
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
            segments.push(self.closing_segment(&scope, std::mem::take(&mut ops), items));
            return Ok((
                QueryPlan { segments },
                bound.into_iter().map(|(n, _)| n).collect(),
            ));
        }
        let Some(columns) = columns else {
            let end = query.clauses.last().map_or(statement_start, clause_start);
            if nesting == Nesting::Call {
                return Err(self.error(
                    ErrorCode::InvalidClauseComposition,
                    end,
                    "a subquery in CALL { ... } that only reads must end with RETURN".to_owned(),
                    Some(
                        "return what the rest of the query needs, or make the subquery write"
                            .to_owned(),
                    ),
                ));
            }
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

    /// Plans `LOAD CSV`: the URL, the field terminator (one byte), the record's variable, and
    /// two unnamed slots for `linenumber()` and `file()`.
    fn load_csv_clause(
        &mut self,
        scope: &mut Scope,
        headers: bool,
        url: &Expr,
        variable: &str,
        terminator: &Option<(String, Span)>,
        span: &Span,
    ) -> Result<LoadCsvPlan, QueryError> {
        let url = self.expr(scope, url, &mut ExprContext::plain("LOAD CSV"))?;
        let delimiter = match terminator {
            None => b',',
            Some((text, _)) if text == "\\t" => b'\t',
            Some((text, _)) if text.len() == 1 && text.is_ascii() => text.as_bytes()[0],
            Some((text, at)) => {
                return Err(self.error(
                    ErrorCode::InvalidArgumentValue,
                    at.start,
                    format!("a field terminator is one ASCII character, not {text:?}"),
                    Some("write FIELDTERMINATOR ';' or FIELDTERMINATOR '\\t'".to_owned()),
                ));
            }
        };
        let slot = self.bind_new(
            scope,
            variable,
            VarKind::Value,
            url.span.end,
            Some("choose another name after AS".to_owned()),
        )?;
        let line_slot = scope.allocate();
        let file_slot = scope.allocate();
        self.load_csv = Some((line_slot, file_slot));
        Ok(LoadCsvPlan {
            url,
            headers,
            delimiter,
            slot,
            line_slot,
            file_slot,
            at: span.start,
        })
    }

    /// The last segment of a query without RETURN: it runs `ops`, then passes `items` (none,
    /// or what a lone CALL yields) on as they are.
    fn closing_segment(&mut self, scope: &Scope, ops: Vec<Op>, items: Vec<PExpr>) -> Segment {
        Segment {
            width: self.close_segment(scope),
            ops,
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
                amount_notes: Vec::new(),
            },
        }
    }

    pub(super) fn match_clause(
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
                self.bind_new(
                    scope,
                    path,
                    VarKind::Path,
                    pattern.span.start,
                    Some("name the path differently".to_owned()),
                )?;
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

    pub(super) fn call_clause(
        &mut self,
        scope: &mut Scope,
        name: &str,
        args: Option<&[Expr]>,
        (yields, yield_star): (Option<&[(String, String)]>, bool),
        standalone: bool,
        at: usize,
    ) -> Result<(Op, Vec<(String, Slot)>), QueryError> {
        use crate::query::procedures::Output;
        let Some(procedure) = self.procedures.find(name) else {
            let names: Vec<&str> = self.procedures.names().collect();
            return Err(self.error(
                ErrorCode::ProcedureNotFound,
                at,
                format!("unknown procedure `{name}`"),
                did_you_mean(&suggest(name, names.iter().copied()))
                    .or_else(|| Some(format!("procedures: {}", names.join(", ")))),
            ));
        };
        let arg_names = procedure.arg_names();
        let outputs = procedure.outputs();
        let args: Vec<PExpr> = match args {
            Some(args) => {
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
                args.iter()
                    .map(|a| self.expr(scope, a, &mut ExprContext::plain("CALL")))
                    .collect::<Result<_, _>>()?
            }
            // `CALL name` alone reads its arguments from the parameters of their names.
            None if standalone || arg_names.is_empty() => arg_names
                .iter()
                .map(|n| PExpr {
                    kind: PKind::Param((*n).to_owned()),
                    span: at..at,
                })
                .collect(),
            None => {
                return Err(self.error(
                    ErrorCode::InvalidArgumentPassingMode,
                    at,
                    format!("`{name}` takes arguments, which only a CALL standing alone may leave to the parameters"),
                    Some(format!("pass them: CALL {name}({})", arg_names.join(", "))),
                ));
            }
        };
        for (i, arg) in args.iter().enumerate() {
            if let (PKind::Const(value), Some(column)) = (&arg.kind, procedure.arg_column(i))
                && !matches!(value, QueryValue::Null)
                && column.kind.accept(value).is_none()
            {
                return Err(self.error(
                    ErrorCode::InvalidArgumentType,
                    arg.span.start,
                    format!(
                        "argument `{}` of `{name}` must be {}, not {}",
                        column.name,
                        column.kind.name(),
                        value.type_name()
                    ),
                    None,
                ));
            }
        }
        if yield_star && !standalone {
            return Err(QueryError::new(
                self.text,
                at,
                "YIELD * is allowed only in a CALL that stands alone".to_owned(),
                Some("name the columns: YIELD a, b".to_owned()),
            ));
        }
        let wanted: Vec<(String, String)> = match yields {
            Some(list) if !yield_star => list.to_vec(),
            // Inside a query, a call without YIELD binds nothing.
            None if !standalone => Vec::new(),
            _ => outputs
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
                    Some(if names.is_empty() {
                        "it yields nothing".to_owned()
                    } else {
                        format!("it yields {}", names.join(", "))
                    }),
                ));
            };
            let kind = match outputs[index].1 {
                Output::Node => VarKind::Node,
                Output::Path => VarKind::Path,
                Output::Value => VarKind::Value,
            };
            let help = format!("rename it: YIELD {column} AS another_name");
            let slot = self.bind_new(scope, &alias, kind, at, Some(help))?;
            columns.push((index, slot));
            bound.push((alias, slot));
        }
        Ok((
            Op::Call {
                void: outputs.is_empty(),
                procedure,
                args,
                outputs: columns,
                at,
            },
            bound,
        ))
    }

    /// Plans `CALL { ... }`: each query of its union sees only what its first `WITH` imports
    /// (plain variables of the enclosing query, which keep their slots); the columns it
    /// returns become new variables of the enclosing query.
    fn call_subquery(&mut self, scope: &mut Scope, body: &Subquery) -> Result<Op, QueryError> {
        let mut planned = Vec::new();
        let mut columns: Option<Vec<String>> = None;
        for query in &body.queries {
            let mut inner = Scope {
                vars: Vec::new(),
                next: scope.next,
                // Imported variables keep their slots, and what is known of them.
                literals: scope.literals.clone(),
            };
            if let Some(Clause::With { projection, filter }) = query.clauses.first() {
                let simple = |item: &ProjectionItem| {
                    matches!(&item.expr.kind, ExprKind::Variable(v)
                        if item.alias.as_ref().is_none_or(|a| a == v))
                };
                let imports = projection.star
                    || projection.items.iter().any(
                        |i| matches!(&i.expr.kind, ExprKind::Variable(v) if scope.get(v).is_some()),
                    );
                if imports {
                    if let Some(bad) = projection.items.iter().find(|i| !simple(i)) {
                        return Err(self.error(
                            ErrorCode::InvalidClauseComposition,
                            bad.expr.span.start,
                            "the WITH that starts CALL { ... } imports variables: it lists them as they are, without AS or expressions".to_owned(),
                            Some("import with WITH a, b, then compute or rename in a second WITH".to_owned()),
                        ));
                    }
                    if filter.is_some()
                        || projection.distinct
                        || !projection.order_by.is_empty()
                        || projection.skip.is_some()
                        || projection.limit.is_some()
                    {
                        return Err(self.error(
                            ErrorCode::InvalidClauseComposition,
                            projection.items.first().map_or(body.span.start, |i| i.expr.span.start),
                            "the WITH that imports variables into CALL { ... } takes no WHERE, DISTINCT, ORDER BY, SKIP or LIMIT".to_owned(),
                            Some("import with WITH a, b, then filter in a second WITH".to_owned()),
                        ));
                    }
                    for (name, slot, kind) in &scope.vars {
                        let wanted = projection.star
                            || projection.items.iter().any(
                                |i| matches!(&i.expr.kind, ExprKind::Variable(v) if v == name),
                            );
                        if wanted && inner.get(name).is_none() {
                            inner.vars.push((name.clone(), *slot, *kind));
                        }
                    }
                }
            }
            self.outside
                .push(scope.names().iter().map(|n| (*n).to_owned()).collect());
            let outcome =
                self.nested(|planner| planner.query(query, body.span.start, inner, Nesting::Call));
            self.outside.pop();
            let (plan, query_columns) = outcome?;
            self.union_columns(&mut columns, query_columns, body.span.start)?;
            planned.push(plan);
        }
        if body.union_all.iter().any(|a| *a) && body.union_all.iter().any(|a| !*a) {
            return Err(self.error(
                ErrorCode::InvalidClauseComposition,
                body.span.start,
                "a subquery cannot mix UNION and UNION ALL".to_owned(),
                Some("use UNION ALL throughout to keep duplicates, UNION to drop them".to_owned()),
            ));
        }
        let seed = scope.next;
        let mut outputs = Vec::new();
        for name in columns.unwrap_or_default() {
            let help = format!("return it under another name: RETURN ... AS other_{name}");
            outputs.push(self.bind_new(
                scope,
                &name,
                VarKind::Value,
                body.span.start,
                Some(help),
            )?);
        }
        let writes = planned
            .iter()
            .flat_map(|q| &q.segments)
            .flat_map(|s| &s.ops)
            .any(Op::writes);
        Ok(Op::CallSubquery {
            body: Box::new(SubqueryPlan {
                queries: planned,
                union_all: body.union_all.first().copied().unwrap_or(false),
                seed,
            }),
            outputs,
            writes,
        })
    }

    /// Runs `plan` on a planner whose per-segment state (the widest slot, the clause being
    /// matched, `LOAD CSV`'s slots) is that of a fresh query, and restores it after.
    pub(super) fn nested<T>(&mut self, plan: impl FnOnce(&mut Self) -> T) -> T {
        let saved = (
            std::mem::take(&mut self.widest),
            self.clause_first_slot,
            self.load_csv.take(),
        );
        self.clause_first_slot = usize::MAX;
        let result = plan(self);
        self.widest = saved.0;
        self.clause_first_slot = saved.1;
        self.load_csv = saved.2;
        result
    }
}

pub(super) fn clause_start(clause: &Clause) -> usize {
    match clause {
        Clause::Match { patterns, .. } => patterns.first().map_or(0, |p| p.span.start),
        Clause::Unwind { list, .. } => list.span.start,
        Clause::LoadCsv { span, .. } => span.start,
        Clause::With { projection, .. } | Clause::Return(projection) => {
            projection.items.first().map_or(0, |i| i.expr.span.start)
        }
        Clause::Create { patterns } => patterns.first().map_or(0, |p| p.span.start),
        Clause::Merge { pattern, .. } => pattern.span.start,
        Clause::Set(items) => items.first().map_or(0, write::set_item_start),
        Clause::Remove(items) => items.first().map_or(0, write::remove_item_start),
        Clause::Delete { targets, .. } => targets.first().map_or(0, |t| t.span.start),
        Clause::Call { span, .. } => span.start,
        Clause::CallSubquery(body) => body.span.start,
    }
}

/// Whether a clause changes the graph (a CALL { ... } when anything in it does).
pub(super) fn clause_writes(clause: &Clause) -> bool {
    match clause {
        Clause::Create { .. }
        | Clause::Merge { .. }
        | Clause::Set(_)
        | Clause::Remove(_)
        | Clause::Delete { .. } => true,
        Clause::CallSubquery(body) => body
            .queries
            .iter()
            .flat_map(|q| &q.clauses)
            .any(clause_writes),
        _ => false,
    }
}

impl Planner<'_> {
    /// DELETE takes nodes, relationships and paths: a label test (`DELETE n:Label`) is no
    /// target, and neither is a literal or arithmetic.
    fn check_delete_target(&self, target: &Expr) -> Result<(), QueryError> {
        match &target.kind {
            ExprKind::HasLabels(base, _) => {
                let base = &self.text[base.span.clone()];
                Err(self.error(
                    ErrorCode::InvalidDelete,
                    target.span.start,
                    "DELETE removes nodes and relationships, not labels or types".to_owned(),
                    Some(format!(
                        "to take a label off, write REMOVE {}",
                        &self.text[target.span.clone()]
                    ))
                    .filter(|_| !base.is_empty()),
                ))
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::String(_)
            | ExprKind::Bool(_)
            | ExprKind::List(_)
            | ExprKind::Map(_)
            | ExprKind::Binary(..)
            | ExprKind::Unary(..) => Err(self.error(
                ErrorCode::InvalidArgumentType,
                target.span.start,
                format!(
                    "DELETE removes nodes, relationships and paths, not `{}`",
                    &self.text[target.span.clone()]
                ),
                None,
            )),
            _ => Ok(()),
        }
    }
}
