//! Planning of the clauses that change the graph: CREATE, MERGE, SET, REMOVE, DELETE.
//!
//! Under the alliance schema, labels and relationship types are checked here, before anything
//! runs; the rules that depend on data (value ranges, unique ids and names, known sources,
//! `member-of` aimed at a consortium) are checked over the statement's changes before it
//! commits (`crate::rules`).

use std::collections::HashSet;

use super::*;

/// A pattern to create: nodes, and the relationship between each and the next.
#[derive(Debug)]
pub(crate) struct CreatePattern {
    pub path_slot: Option<Slot>,
    pub nodes: Vec<CreateNode>,
    /// `rels[i]` joins `nodes[i]` and `nodes[i + 1]`.
    pub rels: Vec<CreateRel>,
}

#[derive(Debug)]
pub(crate) struct CreateNode {
    pub slot: Option<Slot>,
    /// Holds an existing node: nothing to create.
    pub bound: bool,
    pub labels: Vec<String>,
    pub props: Vec<(String, PExpr)>,
    pub props_map: Option<PExpr>,
    pub span: Span,
}

#[derive(Debug)]
pub(crate) struct CreateRel {
    pub slot: Option<Slot>,
    pub rel_type: String,
    /// `Right` or `Left`: a relationship is created with a direction.
    pub arrow: Arrow,
    pub props: Vec<(String, PExpr)>,
    pub props_map: Option<PExpr>,
    pub span: Span,
}

#[derive(Debug)]
pub(crate) struct MergePlan {
    /// How to look for the pattern.
    pub find: PatternPlan,
    /// What to create when it is not there.
    pub create: CreatePattern,
    pub on_create: Vec<SetPlan>,
    pub on_match: Vec<SetPlan>,
}

#[derive(Debug)]
pub(crate) enum SetPlan {
    Property {
        base: PExpr,
        key: String,
        value: PExpr,
    },
    /// `n = map`.
    Replace {
        target: PExpr,
        value: PExpr,
    },
    /// `n += map`.
    Merge {
        target: PExpr,
        value: PExpr,
    },
    Labels {
        target: PExpr,
        labels: Vec<String>,
    },
}

#[derive(Debug)]
pub(crate) enum RemovePlan {
    Property { base: PExpr, key: String },
    Labels { target: PExpr, labels: Vec<String> },
}

pub(super) fn set_item_start(item: &SetItem) -> usize {
    match item {
        SetItem::Property { target, .. } => target.span.start,
        SetItem::Replace { span, .. }
        | SetItem::Merge { span, .. }
        | SetItem::Labels { span, .. } => span.start,
    }
}

pub(super) fn remove_item_start(item: &RemoveItem) -> usize {
    match item {
        RemoveItem::Property(target) => target.span.start,
        RemoveItem::Labels { span, .. } => span.start,
    }
}

impl Planner<'_> {
    fn schema_error(&self, offset: usize, message: String, help: Option<String>) -> QueryError {
        QueryError::at(
            ErrorKind::Constraint,
            ErrorCode::SchemaViolation,
            self.text,
            offset,
            message,
            help,
        )
    }

    /// A broken rule found while planning, where the statement wrote it.
    fn broken(&self, offset: usize, broken: crate::rules::Broken) -> QueryError {
        let mut error = self.schema_error(offset, broken.message, broken.help);
        error.problem = Some(broken.kind);
        error
    }

    /// A label a write gives a node: any label under the open schema, a kind under the
    /// alliance schema.
    fn write_label(&self, label: &str, offset: usize) -> Result<(), QueryError> {
        let vocabulary = self.graph.vocabulary();
        if self.graph.schema() == Schema::Open || vocabulary.kind_by_label(label).is_some() {
            return Ok(());
        }
        Err(self.broken(offset, crate::rules::not_a_kind(vocabulary, label)))
    }

    /// The stored type of a relationship a write creates.
    fn write_type(&self, written: &str, offset: usize) -> Result<String, QueryError> {
        if self.graph.schema() == Schema::Open {
            return Ok(written.to_owned());
        }
        let vocabulary = self.graph.vocabulary();
        match vocabulary.relationship_index(written) {
            Some(i) => Ok(vocabulary.edge_type_at(i).to_owned()),
            None => Err(self.broken(
                offset,
                crate::rules::not_a_relationship_type(vocabulary, written),
            )),
        }
    }

    pub(super) fn create_clause(
        &mut self,
        scope: &mut Scope,
        patterns: &[Pattern],
    ) -> Result<Vec<CreatePattern>, QueryError> {
        let bound_before: HashSet<String> = scope.vars.iter().map(|(n, ..)| n.clone()).collect();
        let mut plans = Vec::new();
        for pattern in patterns {
            if pattern.search != PathSearch::All {
                return Err(self.error(
                    ErrorCode::UnsupportedPattern,
                    pattern.span.start,
                    "CREATE cannot create a shortest path".to_owned(),
                    Some("write the path to create, node by node".to_owned()),
                ));
            }
            plans.push(self.create_pattern(scope, pattern, &bound_before, "CREATE")?);
        }
        Ok(plans)
    }

    fn create_pattern(
        &mut self,
        scope: &mut Scope,
        pattern: &Pattern,
        bound_before: &HashSet<String>,
        clause: &str,
    ) -> Result<CreatePattern, QueryError> {
        let chain = &pattern.chain;
        let path_slot = match &pattern.variable {
            Some(p) if scope.get(p).is_some() && !bound_before.contains(p) => {
                scope.get(p).map(|(s, _)| s)
            }
            Some(p) => Some(self.bind_new(
                scope,
                p,
                VarKind::Path,
                pattern.span.start,
                Some("name the path differently".to_owned()),
            )?),
            None => None,
        };
        let mut nodes = Vec::new();
        for node in std::iter::once(&chain.start).chain(chain.hops.iter().map(|(_, n)| n)) {
            let bound = node
                .variable
                .as_ref()
                .is_some_and(|v| scope.get(v).is_some());
            if bound && chain.hops.is_empty() {
                let v = node.variable.as_deref().unwrap_or("");
                return Err(self.error(
                    ErrorCode::VariableAlreadyBound,
                    node.span.start,
                    format!("`{v}` is already bound; {clause} ({v}) would make no new node"),
                    Some(format!(
                        "use a new name to create a node, or SET {v}:Label to change it"
                    )),
                ));
            }
            if bound && (!node.labels.is_empty() || node.properties.is_some()) {
                let v = node.variable.as_deref().unwrap_or("");
                return Err(self.error(
                    ErrorCode::VariableAlreadyBound,
                    node.span.start,
                    format!("`{v}` is already bound; labels and properties cannot be added to it in {clause}"),
                    Some(format!("write ({v}) here, and SET {v}:Label or SET {v}.key = value")),
                ));
            }
            if bound {
                let v = node.variable.as_deref().unwrap_or("");
                if let Some((_, kind)) = scope.get(v)
                    && kind != VarKind::Node
                {
                    return Err(self.error(
                        ErrorCode::VariableTypeConflict,
                        node.span.start,
                        format!("`{v}` is {} and cannot be used as a node", kind.noun()),
                        None,
                    ));
                }
            }
            for label in &node.labels {
                self.write_label(label, node.span.start)?;
            }
            let (props, props_map) = self.properties(scope, node.properties.as_ref(), true)?;
            let slot = node.variable.as_ref().map(|v| match scope.get(v) {
                Some((s, _)) => s,
                None => scope.bind(v, VarKind::Node),
            });
            nodes.push(CreateNode {
                slot,
                bound,
                labels: node.labels.clone(),
                props,
                props_map,
                span: node.span.clone(),
            });
        }
        let mut rels = Vec::new();
        for (rel, _) in &chain.hops {
            if let Some(v) = &rel.variable
                && scope.get(v).is_some()
            {
                return Err(self.error(
                    ErrorCode::VariableAlreadyBound,
                    rel.span.start,
                    format!("`{v}` is already bound; {clause} makes a new relationship"),
                    Some("use a new name".to_owned()),
                ));
            }
            self.check_created_rel(rel, clause, true)?;
            let slot = match &rel.variable {
                Some(v) if scope.get(v).is_some() => {
                    return Err(self.error(
                        ErrorCode::VariableAlreadyBound,
                        rel.span.start,
                        format!("`{v}` is already bound; {clause} makes a new relationship"),
                        Some("use a new name".to_owned()),
                    ));
                }
                Some(v) => Some(scope.bind(v, VarKind::Relationship)),
                None => None,
            };
            rels.push(self.created_rel(scope, rel, slot)?);
        }
        Ok(CreatePattern {
            path_slot,
            nodes,
            rels,
        })
    }

    pub(super) fn merge_clause(
        &mut self,
        scope: &mut Scope,
        pattern: &Pattern,
        on_create: &[SetItem],
        on_match: &[SetItem],
    ) -> Result<MergePlan, QueryError> {
        let bound_before: HashSet<String> = scope.vars.iter().map(|(n, ..)| n.clone()).collect();
        let first_new = scope.next;
        // The search: variables are declared as MATCH would.
        let mut search_scope = scope.clone();
        if let Some(p) = &pattern.variable {
            self.bind_new(
                &mut search_scope,
                p,
                VarKind::Path,
                pattern.span.start,
                None,
            )?;
        }
        let chain = &pattern.chain;
        for node in std::iter::once(&chain.start).chain(chain.hops.iter().map(|(_, n)| n)) {
            // A bound node may end a relationship to merge, but takes no new labels or
            // properties, and is not merged alone.
            if let Some(v) = &node.variable
                && bound_before.contains(v)
                && (!node.labels.is_empty() || node.properties.is_some() || chain.hops.is_empty())
            {
                return Err(self.error(
                    ErrorCode::VariableAlreadyBound,
                    node.span.start,
                    format!("`{v}` is already bound; MERGE cannot look for it again"),
                    Some(format!(
                        "write ({v}) without labels or properties, and SET {v}:Label or SET {v}.key = value"
                    )),
                ));
            }
            self.declare(
                &mut search_scope,
                node.variable.as_deref(),
                VarKind::Node,
                node.span.start,
            )?;
        }
        for (rel, _) in &chain.hops {
            if rel
                .variable
                .as_ref()
                .is_some_and(|v| bound_before.contains(v))
            {
                return Err(self.error(
                    ErrorCode::VariableAlreadyBound,
                    rel.span.start,
                    "MERGE makes or finds a new relationship; its variable must be new".to_owned(),
                    None,
                ));
            }
            self.declare(
                &mut search_scope,
                rel.variable.as_deref(),
                VarKind::Relationship,
                rel.span.start,
            )?;
        }
        // Types written in the data-file spelling are found under their stored name.
        let mut resolved = pattern.clone();
        for (rel, _) in &mut resolved.chain.hops {
            if rel.types.len() == 1 {
                rel.types[0] = self.write_type(&rel.types[0], rel.span.start)?;
            }
        }
        let mut bound_now = bound_before.clone();
        let find = self.pattern(&search_scope, &resolved, &mut bound_now, &[], first_new)?;
        // The creation binds the same slots: declare in the real scope in the same order.
        *scope = search_scope;
        let create_scope_names: HashSet<String> = bound_before;
        let mut create_scope = scope.clone();
        // Slots are already bound in `scope`; create_pattern looks them up there.
        let create = self.create_pattern_in(&mut create_scope, pattern, &create_scope_names)?;
        let on_create = self.set_items(scope, on_create)?;
        let on_match = self.set_items(scope, on_match)?;
        scope.next = scope.next.max(create_scope.next);
        Ok(MergePlan {
            find,
            create,
            on_create,
            on_match,
        })
    }

    /// A create pattern whose variables are already declared (by MERGE's search).
    fn create_pattern_in(
        &mut self,
        scope: &mut Scope,
        pattern: &Pattern,
        bound_before: &HashSet<String>,
    ) -> Result<CreatePattern, QueryError> {
        let chain = &pattern.chain;
        let mut nodes = Vec::new();
        for node in std::iter::once(&chain.start).chain(chain.hops.iter().map(|(_, n)| n)) {
            for label in &node.labels {
                self.write_label(label, node.span.start)?;
            }
            let bound = node
                .variable
                .as_ref()
                .is_some_and(|v| bound_before.contains(v));
            let (props, props_map) = if bound {
                (Vec::new(), None)
            } else {
                self.properties(scope, node.properties.as_ref(), true)?
            };
            nodes.push(CreateNode {
                slot: node
                    .variable
                    .as_deref()
                    .and_then(|v| scope.get(v))
                    .map(|(s, _)| s),
                bound,
                labels: if bound {
                    Vec::new()
                } else {
                    node.labels.clone()
                },
                props,
                props_map,
                span: node.span.clone(),
            });
        }
        // A node named twice in the pattern is created once, at its first place.
        let mut seen = HashSet::new();
        for node in &mut nodes {
            if let Some(slot) = node.slot
                && !seen.insert(slot)
            {
                node.bound = true;
            }
        }
        let mut rels = Vec::new();
        for (rel, _) in &chain.hops {
            self.check_created_rel(rel, "MERGE", false)?;
            let slot = rel
                .variable
                .as_deref()
                .and_then(|v| scope.get(v))
                .map(|(s, _)| s);
            rels.push(self.created_rel(scope, rel, slot)?);
        }
        Ok(CreatePattern {
            path_slot: pattern
                .variable
                .as_deref()
                .and_then(|p| scope.get(p))
                .map(|(s, _)| s),
            nodes,
            rels,
        })
    }

    /// Checks that `clause` can create `rel`: it has one type, a single hop, and a direction
    /// when `directed` (MERGE may leave the direction out).
    fn check_created_rel(
        &self,
        rel: &RelPattern,
        clause: &str,
        directed: bool,
    ) -> Result<(), QueryError> {
        if rel.types.len() != 1 {
            return Err(self.error(
                ErrorCode::NoSingleRelationshipType,
                rel.span.start,
                format!("a relationship to {clause} needs exactly one type"),
                Some("write it as -[:INVESTS_IN]->".to_owned()),
            ));
        }
        if directed && rel.arrow == Arrow::Both {
            return Err(self.error(
                ErrorCode::RequiresDirectedRelationship,
                rel.span.start,
                format!("a relationship to {clause} needs a direction"),
                Some("write -[...]-> or <-[...]-".to_owned()),
            ));
        }
        if rel.length.is_some() {
            return Err(self.error(
                ErrorCode::CreatingVarLength,
                rel.span.start,
                format!("{clause} cannot create a variable-length relationship"),
                None,
            ));
        }
        Ok(())
    }

    /// The plan to create `rel` in `slot`, once `check_created_rel` passed it.
    fn created_rel(
        &mut self,
        scope: &Scope,
        rel: &RelPattern,
        slot: Option<Slot>,
    ) -> Result<CreateRel, QueryError> {
        let rel_type = self.write_type(&rel.types[0], rel.span.start)?;
        let (props, props_map) = self.properties(scope, rel.properties.as_ref(), false)?;
        Ok(CreateRel {
            slot,
            rel_type,
            // An undirected MERGE creates its relationship left to right.
            arrow: if rel.arrow == Arrow::Left {
                Arrow::Left
            } else {
                Arrow::Right
            },
            props,
            props_map,
            span: rel.span.clone(),
        })
    }

    pub(super) fn set_items(
        &mut self,
        scope: &Scope,
        items: &[SetItem],
    ) -> Result<Vec<SetPlan>, QueryError> {
        let mut plans = Vec::new();
        for item in items {
            let mut cx = ExprContext::plain("SET");
            plans.push(match item {
                SetItem::Property { target, value } => {
                    let ExprKind::Property(base, key) = &target.kind else {
                        unreachable!("grammar: SET target is a property");
                    };
                    SetPlan::Property {
                        base: self.expr(scope, base, &mut cx)?,
                        key: key.clone(),
                        value: self.expr(scope, value, &mut cx)?,
                    }
                }
                SetItem::Replace {
                    variable,
                    value,
                    span,
                }
                | SetItem::Merge {
                    variable,
                    value,
                    span,
                } => {
                    let target = self.variable_expr(scope, variable, span)?;
                    let value = self.expr(scope, value, &mut cx)?;
                    if matches!(item, SetItem::Replace { .. }) {
                        SetPlan::Replace { target, value }
                    } else {
                        SetPlan::Merge { target, value }
                    }
                }
                SetItem::Labels {
                    variable,
                    labels,
                    span,
                } => {
                    for label in labels {
                        self.write_label(label, span.start)?;
                    }
                    SetPlan::Labels {
                        target: self.variable_expr(scope, variable, span)?,
                        labels: labels.clone(),
                    }
                }
            });
        }
        Ok(plans)
    }

    pub(super) fn remove_items(
        &mut self,
        scope: &Scope,
        items: &[RemoveItem],
    ) -> Result<Vec<RemovePlan>, QueryError> {
        let mut plans = Vec::new();
        for item in items {
            plans.push(match item {
                RemoveItem::Property(target) => {
                    let ExprKind::Property(base, key) = &target.kind else {
                        unreachable!("grammar: REMOVE target is a property");
                    };
                    RemovePlan::Property {
                        base: self.expr(scope, base, &mut ExprContext::plain("REMOVE"))?,
                        key: key.clone(),
                    }
                }
                RemoveItem::Labels {
                    variable,
                    labels,
                    span,
                } => RemovePlan::Labels {
                    target: self.variable_expr(scope, variable, span)?,
                    labels: labels.clone(),
                },
            });
        }
        Ok(plans)
    }

    fn variable_expr(
        &mut self,
        scope: &Scope,
        variable: &str,
        span: &Span,
    ) -> Result<PExpr, QueryError> {
        let expr = Expr {
            kind: ExprKind::Variable(variable.to_owned()),
            span: span.start..span.start + variable.len(),
        };
        self.expr(scope, &expr, &mut ExprContext::plain("SET"))
    }
}
