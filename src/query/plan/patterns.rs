//! Planning patterns: node and relationship steps, where each pattern starts (a bound node,
//! an `id` or `name` index lookup taken from the pattern or from `WHERE`, a label, or every
//! node, whichever is cheapest), pattern predicates, and the labels, types and keys checked
//! against the graph for warnings.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn pattern(
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
    pub(super) fn start_cost(
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
        if index_entry(node, first_new).is_some() || self.identifier_entry(node).is_some() {
            return 2;
        }
        node.labels
            .iter()
            .map(|l| self.graph.nodes_with_label(l).len())
            .min()
            .unwrap_or_else(|| self.graph.node_count())
            .saturating_add(3)
    }

    pub(super) fn node_step(
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
        self.no_parameter_map(node.properties.as_ref())?;
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
            } else if let Some((scheme, expr)) = self.identifier_entry(node) {
                let value = self.expr(scope, expr, &mut ExprContext::plain("a pattern"))?;
                lookup = Lookup::Identifier(scheme.to_owned(), value);
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

    pub(super) fn rel_step(
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
        self.no_parameter_map(rel.properties.as_ref())?;
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
                    Some(max) => Some(max),
                    // shortestPath searches breadth first and stops by itself.
                    None if shortest => Some(u64::MAX),
                    // The run's hop limit, known only when it runs.
                    None => None,
                };
                (l.min.unwrap_or(1), max)
            }),
            default_max: rel.length.is_some_and(|l| l.max.is_none()) && !shortest,
            reach_only: false,
            count_reached: None,
            props,
            props_map,
        })
    }

    /// A pattern to match (MATCH, MERGE, a pattern predicate) takes its properties written
    /// out: `(n $map)` is for CREATE only.
    fn no_parameter_map(&self, properties: Option<&Expr>) -> Result<(), QueryError> {
        match properties {
            Some(Expr {
                kind: ExprKind::Parameter(name),
                span,
            }) => Err(self.error(
                ErrorCode::InvalidParameterUse,
                span.start,
                format!("a pattern to match cannot take its properties from ${name}"),
                Some(format!(
                    "write them out, as (n {{key: ${name}.key}}), or filter with WHERE all(k IN keys(${name}) WHERE n[k] = ${name}[k])"
                )),
            )),
            _ => Ok(()),
        }
    }

    pub(super) fn properties(
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

    pub(super) fn check_label(&mut self, label: &str, offset: usize) {
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
            known.extend(self.graph.vocabulary().labels().iter().cloned());
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
    pub(super) fn resolve_type(&mut self, written: &str, offset: usize) -> String {
        if self.graph.type_count(written) > 0 {
            return written.to_owned();
        }
        let vocabulary = self.graph.vocabulary();
        if let Some(i) = vocabulary.relationship_index(written) {
            let canonical = vocabulary.edge_type_at(i);
            if self.graph.type_count(canonical) > 0 || self.graph.schema() == Schema::Alliance {
                return canonical.to_owned();
            }
        }
        let mut known: Vec<&str> = self.graph.type_counts().keys().copied().collect();
        if self.graph.schema() == Schema::Alliance {
            known.extend(vocabulary.edge_types().iter().map(String::as_str));
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

    pub(super) fn check_key(&mut self, key: &str, offset: usize, _on_node: bool) {
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

    pub(super) fn pattern_predicate(
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

/// `{id: ...}` or `{name: ...}` in a node pattern, when its value needs no variable of the
/// clause being matched (so it can be computed before the search).
pub(super) fn index_entry(node: &NodePattern, first_new: Slot) -> Option<(&'static str, &Expr)> {
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

impl Planner<'_> {
    /// `{lei: ...}` in a node pattern, for a key that is an identifier scheme of the graph's
    /// vocabulary, with a value of literals and parameters: found through its index.
    fn identifier_entry<'n>(&self, node: &'n NodePattern) -> Option<(&'n str, &'n Expr)> {
        let Some(Expr {
            kind: ExprKind::Map(entries),
            ..
        }) = &node.properties
        else {
            return None;
        };
        entries
            .iter()
            .find(|(k, v)| self.graph.is_identifier(k) && is_self_contained(v))
            .map(|(k, v)| (k.as_str(), v))
    }
}

/// Literals and parameters only.
pub(super) fn is_self_contained(expr: &Expr) -> bool {
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
pub(super) struct LookupHint {
    pub(super) slot: Slot,
    pub(super) key: &'static str,
    pub(super) is_list: bool,
    pub(super) value: PExpr,
}

pub(super) fn lookup_hints(filter: &PExpr, first_new: Slot) -> Vec<LookupHint> {
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

pub(super) fn collect_conjuncts<'e>(expr: &'e PExpr, out: &mut Vec<&'e PExpr>) {
    if let PKind::Binary(BinaryOp::And, lhs, rhs) = &expr.kind {
        collect_conjuncts(lhs, out);
        collect_conjuncts(rhs, out);
    } else {
        out.push(expr);
    }
}

/// Whether `expr` is computable before the clause: constants, parameters, and variables
/// bound by earlier clauses (slots below `first_new`).
pub(super) fn uses_only_slots_below(expr: &PExpr, first_new: Slot) -> bool {
    match &expr.kind {
        PKind::Const(_) | PKind::Param(_) => true,
        PKind::Slot(s) => *s < first_new,
        PKind::List(items) => items.iter().all(|e| uses_only_slots_below(e, first_new)),
        PKind::Property(base, _) => uses_only_slots_below(base, first_new),
        _ => false,
    }
}

/// A copy of the simple expressions lookups use.
pub(super) fn clone_pexpr(expr: &PExpr) -> PExpr {
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
