//! Lowering of statements, clauses and patterns: `UNION`, `MATCH`, `WITH`, `RETURN`, the
//! writing clauses, projections, node and relationship patterns and variable lengths.
//! Expressions inside them are lowered by `expr.rs`.

use pest::iterators::{Pair, Pairs};

use super::{Lower, MAX_CLAUSES, Rule, name, nesting_too_deep, span};
use crate::query::ast::*;
use crate::query::error::ParseError;

impl Lower<'_> {
    pub(super) fn statement(&self, pair: Pair<'_, Rule>) -> Result<Statement, ParseError> {
        let span = span(&pair);
        let mut queries = Vec::new();
        let mut union_all = Vec::new();
        let mut schema = None;
        let mut mode = Mode::Run;
        let mut clauses = 0;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::single_query => {
                    for clause in part.clone().into_inner() {
                        clauses += 1;
                        if clauses > MAX_CLAUSES {
                            return Err(nesting_too_deep(
                                self.text,
                                clause.as_span().start(),
                                format!("the statement has more than {MAX_CLAUSES} clauses"),
                                "split it into several statements, or pass values between them as parameters",
                            ));
                        }
                    }
                    queries.push(self.single_query(part)?);
                }
                Rule::union => union_all.push(part.into_inner().len() > 1),
                Rule::statement_mode => {
                    mode = match part.into_inner().next().map(|k| k.as_rule()) {
                        Some(Rule::kw_profile) => Mode::Profile,
                        _ => Mode::Explain,
                    };
                }
                Rule::create_constraint | Rule::drop_constraint | Rule::show_constraints => {
                    schema = Some(self.schema_command(part));
                }
                _ => unreachable!("grammar: statement"),
            }
        }
        Ok(Statement {
            queries,
            union_all,
            schema,
            mode,
            span,
        })
    }

    /// Lowers `CREATE CONSTRAINT`, `DROP CONSTRAINT` or `SHOW CONSTRAINTS`.
    fn schema_command(&self, pair: Pair<'_, Rule>) -> SchemaCommand {
        let span = span(&pair);
        match pair.as_rule() {
            Rule::create_constraint => {
                let mut name_given = None;
                let mut if_not_exists = false;
                let mut variable = String::new();
                let mut label = String::new();
                let mut keys = Vec::new();
                let mut after_for = false;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::symbolic_name if !after_for => name_given = Some(name(part)),
                        Rule::symbolic_name => label = name(part),
                        Rule::if_not_exists => if_not_exists = true,
                        Rule::kw_for | Rule::kw_on => after_for = true,
                        Rule::variable => variable = name(part),
                        Rule::constraint_keys => {
                            for key in part.into_inner() {
                                let at = super::span(&key);
                                let mut names = key.into_inner();
                                let var = name(names.next().expect("grammar: key variable"));
                                let prop = name(names.next().expect("grammar: key name"));
                                keys.push((var, prop, at));
                            }
                        }
                        _ => {}
                    }
                }
                SchemaCommand::CreateUnique {
                    name: name_given,
                    if_not_exists,
                    variable,
                    label,
                    keys,
                    span,
                }
            }
            Rule::drop_constraint => {
                let mut parts = pair.into_inner().skip(2);
                let constraint = name(parts.next().expect("grammar: constraint name"));
                SchemaCommand::Drop {
                    name: constraint,
                    if_exists: parts.next().is_some(),
                    span,
                }
            }
            _ => SchemaCommand::Show,
        }
    }

    /// Lowers the queries of a subquery, written at `span` (keyword to closing brace).
    pub(super) fn subquery(
        &self,
        pair: Pair<'_, Rule>,
        span: Span,
    ) -> Result<Subquery, ParseError> {
        let mut queries = Vec::new();
        let mut union_all = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::single_query => queries.push(self.single_query(part)?),
                Rule::union => union_all.push(part.into_inner().len() > 1),
                _ => unreachable!("grammar: subquery"),
            }
        }
        Ok(Subquery {
            queries,
            union_all,
            short: false,
            span,
        })
    }

    /// Lowers the short form `(a)-->(b), ... WHERE ...` as one MATCH with nothing after it.
    pub(super) fn subquery_patterns(
        &self,
        pair: Pair<'_, Rule>,
        span: Span,
    ) -> Result<Subquery, ParseError> {
        let mut patterns = Vec::new();
        let mut filter = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::pattern => patterns.push(self.pattern(part)?),
                Rule::where_clause => filter = Some(self.where_clause(part)?),
                _ => unreachable!("grammar: subquery_patterns"),
            }
        }
        Ok(Subquery {
            queries: vec![SingleQuery {
                clauses: vec![Clause::Match {
                    optional: false,
                    patterns,
                    filter,
                }],
            }],
            union_all: Vec::new(),
            short: true,
            span,
        })
    }

    pub(super) fn single_query(&self, pair: Pair<'_, Rule>) -> Result<SingleQuery, ParseError> {
        let clauses = pair
            .into_inner()
            .map(|c| self.clause(c))
            .collect::<Result<_, _>>()?;
        Ok(SingleQuery { clauses })
    }

    pub(super) fn clause(&self, pair: Pair<'_, Rule>) -> Result<Clause, ParseError> {
        let rule = pair.as_rule();
        let start_of_clause = span(&pair);
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
            Rule::load_csv_clause => {
                let at = parts.next().expect("grammar: LOAD").as_span().start();
                parts.next(); // CSV
                let headers = parts
                    .next_if(|p| p.as_rule() == Rule::with_headers)
                    .is_some();
                parts.next(); // FROM
                let url = self.expr(parts.next().expect("grammar: csv url"))?;
                parts.next(); // AS
                let variable = name(parts.next().expect("grammar: csv variable"));
                parts.next(); // FIELDTERMINATOR
                let terminator = parts.next().map(|p| {
                    let at = span(&p);
                    let text =
                        super::expr::unescape(p.into_inner().next().map_or("", |p| p.as_str()));
                    (text, at)
                });
                Clause::LoadCsv {
                    headers,
                    url,
                    variable,
                    terminator,
                    span: at..at,
                }
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
                let mut args = None;
                let mut yields = None;
                let mut yield_star = false;
                let mut filter = None;
                for part in parts {
                    match part.as_rule() {
                        Rule::call_args => {
                            args = Some(part.into_inner().map(|a| self.expr(a)).collect::<Result<
                                Vec<_>,
                                _,
                            >>(
                            )?);
                        }
                        Rule::where_clause => filter = Some(self.where_clause(part)?),
                        Rule::kw_yield => yields = Some(Vec::new()),
                        Rule::star => yield_star = true,
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
                    yield_star,
                    filter,
                    span: start..start,
                }
            }
            Rule::call_subquery => {
                let body = parts.nth(1).expect("grammar: subquery");
                Clause::CallSubquery(self.subquery(body, start_of_clause)?)
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

    pub(super) fn set_item(&self, pair: Pair<'_, Rule>) -> Result<SetItem, ParseError> {
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
    pub(super) fn labels_item(&self, pair: Pair<'_, Rule>) -> (String, Vec<String>, Span) {
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
    pub(super) fn set_base(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        let inner = pair.into_inner().next().expect("grammar: set base");
        self.primary(inner)
    }

    /// `n.key` (or `n.a.b`) in REMOVE.
    pub(super) fn property_target(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
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

    pub(super) fn where_clause(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        let expr = pair.into_inner().nth(1).expect("grammar: WHERE expr");
        self.expr(expr)
    }

    pub(super) fn projection(&self, pair: Pair<'_, Rule>) -> Result<Projection, ParseError> {
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

    pub(super) fn projection_item(
        &self,
        pair: Pair<'_, Rule>,
    ) -> Result<ProjectionItem, ParseError> {
        let mut inner = pair.into_inner();
        let expr_pair = inner.next().expect("grammar: projection expr");
        let text = expr_pair.as_str().trim_end().to_owned();
        let expr = self.expr(expr_pair)?;
        let alias = inner.nth(1).map(name);
        Ok(ProjectionItem { expr, alias, text })
    }

    pub(super) fn pattern(&self, pair: Pair<'_, Rule>) -> Result<Pattern, ParseError> {
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

    pub(super) fn chain(&self, mut parts: Pairs<'_, Rule>) -> Result<Chain, ParseError> {
        let start = self.node_pattern(parts.next().expect("grammar: first node"))?;
        let mut hops = Vec::new();
        while let Some(rel) = parts.next() {
            let node = parts.next().expect("grammar: node after relationship");
            hops.push((self.rel_pattern(rel)?, self.node_pattern(node)?));
        }
        Ok(Chain { start, hops })
    }

    pub(super) fn node_pattern(&self, pair: Pair<'_, Rule>) -> Result<NodePattern, ParseError> {
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

    pub(super) fn properties(&self, pair: Pair<'_, Rule>) -> Result<Expr, ParseError> {
        self.primary(pair.into_inner().next().expect("grammar: properties"))
    }

    pub(super) fn rel_pattern(&self, pair: Pair<'_, Rule>) -> Result<RelPattern, ParseError> {
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

    pub(super) fn length(&self, pair: Pair<'_, Rule>) -> Result<Length, ParseError> {
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
}
