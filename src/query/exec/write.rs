//! Statements that change the graph run clause by clause: the rows a clause produces are
//! collected before the next clause runs, so a clause that writes never changes the graph under
//! a search that is still reading it, and each clause sees every change made before it.
//!
//! **Invariant:** this module changes the graph only through `Graph` methods, inside the
//! statement the caller began, so a failure can be rolled back whole.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use super::{Flow, Matcher, Projector, Row, run_ops};
use crate::model::{Schema, Value, slugify};
use crate::query::ast::Arrow;
use crate::query::error::{ErrorCode, ErrorKind, QueryError};
use crate::query::eval::{Context, Params, describe, path};
use crate::query::plan::write::{CreateNode, CreateRel};
use crate::query::plan::{
    CreatePattern, MergePlan, Op, PExpr, Plan, QueryPlan, RemovePlan, SetPlan,
};
use crate::query::profile::{Part, PartKind, Profiler};
use crate::query::value::{DeletedRelationship, Key, QueryValue};
use crate::rules::Element;
use crate::store::{Direction, EdgeId, Graph, ID_KEY, NAME_KEY, NodeId};

/// Where in the statement each element, and each of its properties, was last written: the
/// places a broken rule is reported at.
#[derive(Debug, Default)]
pub(crate) struct Places {
    elements: HashMap<Element, usize>,
    properties: HashMap<(Element, String), usize>,
}

impl Places {
    /// The offset a rule about `element` (and its `key`, if any) is reported at: where the
    /// property was written, else where the element was, else the statement's start.
    pub(crate) fn of(&self, element: Element, key: Option<&str>) -> usize {
        key.and_then(|k| self.properties.get(&(element, k.to_owned())))
            .or_else(|| self.elements.get(&element))
            .copied()
            .unwrap_or(0)
    }
}

/// Runs a statement that writes. The caller began a statement on `graph` and commits or rolls
/// back according to the result, after checking the changes against the schema's rules; the
/// `Places` say where in the statement each change was written.
pub(crate) fn run_writing(
    graph: &mut Graph,
    params: &Params,
    text: &str,
    plan: &Plan,
    (limits, notes, memory, profile): (
        &crate::query::limits::Limits,
        &crate::query::limits::Notes,
        &crate::query::limits::Memory,
        Option<&Profiler>,
    ),
    places: &mut Places,
) -> Result<Vec<Row>, QueryError> {
    let writer = Writer {
        params,
        text,
        limits,
        notes,
        memory,
        clock: std::cell::OnceCell::new(),
        profile,
        places: RefCell::new(Places::default()),
    };
    if let Some(command) = &plan.schema {
        return super::constraints::run_command(graph, text, command).map(|()| Vec::new());
    }
    let mut rows = Vec::new();
    for query in &plan.queries {
        rows.extend(writer.query(graph, query)?);
    }
    if plan.queries.len() > 1 && !plan.union_all {
        let mut seen = std::collections::HashSet::new();
        rows.retain(|row| seen.insert(row.iter().cloned().map(Key).collect::<Vec<_>>()));
    }
    *places = writer.places.into_inner();
    Ok(rows)
}

struct Writer<'a> {
    params: &'a Params,
    text: &'a str,
    limits: &'a crate::query::limits::Limits,
    notes: &'a crate::query::limits::Notes,
    memory: &'a crate::query::limits::Memory,
    /// The statement's clock, shared by every clause.
    clock: std::cell::OnceCell<i128>,
    profile: Option<&'a Profiler>,
    places: RefCell<Places>,
}

impl Writer<'_> {
    /// Notes that `element` was written at `offset`, and its properties `props` (as
    /// `properties` gives them) at theirs.
    fn wrote(&self, element: Element, offset: usize, props: &[(String, Value, usize)]) {
        let mut places = self.places.borrow_mut();
        places.elements.insert(element, offset);
        for (key, _, at) in props {
            places.properties.insert((element, key.clone()), *at);
        }
    }

    fn cx<'g>(&'g self, graph: &'g Graph) -> Context<'g> {
        Context {
            graph,
            params: self.params,
            text: self.text,
            limits: self.limits,
            notes: self.notes,
            memory: self.memory,
            clock: &self.clock,
            profile: self.profile,
        }
    }

    /// Notes that `key` of `element` was written at `offset`; the element too, when nothing
    /// earlier in the statement wrote it.
    fn wrote_property(&self, element: Element, key: &str, offset: usize) {
        let mut places = self.places.borrow_mut();
        places.elements.entry(element).or_insert(offset);
        places.properties.insert((element, key.to_owned()), offset);
    }

    fn eval(&self, graph: &Graph, expr: &PExpr, row: &Row) -> Result<QueryValue, QueryError> {
        self.cx(graph).eval(expr, row, &[])
    }

    fn query(&self, graph: &mut Graph, query: &QueryPlan) -> Result<Vec<Row>, QueryError> {
        self.query_from(graph, query, &[])
    }

    /// Runs `query` clause by clause from one first row that starts with `seed` (the
    /// variables a subquery sees, in their slots).
    fn query_from(
        &self,
        graph: &mut Graph,
        query: &QueryPlan,
        seed: &[QueryValue],
    ) -> Result<Vec<Row>, QueryError> {
        let width = query.segments[0].width;
        let mut first: Row = seed.iter().take(width).cloned().collect();
        first.resize(width, QueryValue::Null);
        let mut rows = vec![first];
        // Bytes of `rows` charged to the memory budget.
        let mut held = 0;
        for (i, segment) in query.segments.iter().enumerate() {
            for op in &segment.ops {
                rows = if op.writes() {
                    let part = Part::of(op, PartKind::Op);
                    let entered = self.profile.map(|p| p.enter(part));
                    let rows = self.write(graph, op, rows)?;
                    drop(entered);
                    if let Some(p) = self.profile {
                        p.rows(part, rows.len() as u64);
                    }
                    rows
                } else {
                    let cx = self.cx(graph);
                    let mut out = Vec::new();
                    let mut bytes = 0;
                    for mut row in rows {
                        run_ops(&cx, std::slice::from_ref(op), 0, &mut row, &mut |r| {
                            // The rows between clauses are all held at once.
                            let row_size = super::row_bytes(r);
                            cx.charge(row_size, 0)?;
                            bytes += row_size;
                            out.push(r.clone());
                            Ok(Flow::Continue)
                        })?;
                    }
                    cx.release(held);
                    held = bytes;
                    out
                };
            }
            let cx = self.cx(graph);
            let entered = cx.enter(&segment.projection, PartKind::Projection);
            let mut projector = Projector::new(&cx, &segment.projection)?;
            let mut outputs = Vec::new();
            let mut bytes = 0;
            let mut keep = |o: Row| {
                let row_size = super::row_bytes(&o);
                cx.charge(row_size, 0)?;
                bytes += row_size;
                outputs.push(o);
                Ok(Flow::Continue)
            };
            for mut row in rows {
                row.resize(row.len().max(segment.width), QueryValue::Null);
                let flow = projector.accept(&mut row, &mut keep)?;
                if flow == Flow::Stop {
                    break;
                }
            }
            projector.finish(&mut keep)?;
            drop(entered);
            cx.release(held);
            held = bytes;
            rows = match query.segments.get(i + 1) {
                Some(next) => outputs
                    .into_iter()
                    .map(|mut o| {
                        o.resize(next.width, QueryValue::Null);
                        o
                    })
                    .collect(),
                // A query without RETURN has no rows to show.
                None if segment.projection.items.is_empty() => Vec::new(),
                None => outputs,
            };
        }
        Ok(rows)
    }

    fn write(&self, graph: &mut Graph, op: &Op, rows: Vec<Row>) -> Result<Vec<Row>, QueryError> {
        match op {
            Op::Create(patterns) => {
                let mut out = Vec::with_capacity(rows.len());
                for mut row in rows {
                    self.cx(graph).check_interrupt()?;
                    for pattern in patterns {
                        self.create(graph, pattern, &mut row)?;
                    }
                    out.push(row);
                }
                Ok(out)
            }
            Op::Merge(plan) => {
                let mut out = Vec::new();
                for row in rows {
                    self.merge(graph, plan, row, &mut out)?;
                }
                Ok(out)
            }
            Op::Set(items) => {
                for row in &rows {
                    for item in items {
                        self.set(graph, item, row)?;
                    }
                }
                Ok(rows)
            }
            Op::Remove(items) => {
                for row in &rows {
                    for item in items {
                        self.remove(graph, item, row)?;
                    }
                }
                Ok(rows)
            }
            Op::Delete { detach, targets } => {
                let mut rows = rows;
                let removed = self.delete(graph, *detach, targets, &rows)?;
                // From here on the rows name what they deleted as deleted values, so that a
                // later CREATE reusing an id cannot make them name the new element.
                for row in &mut rows {
                    for value in row {
                        mark_deleted(graph, &removed, value);
                    }
                }
                Ok(rows)
            }
            Op::CallSubquery { body, outputs, .. } => {
                // Row by row, each run seeing what the runs before it changed.
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    self.cx(graph).check_interrupt()?;
                    let seed = &row[..body.seed.min(row.len())];
                    let mut found = Vec::new();
                    for query in &body.queries {
                        found.extend(self.query_from(graph, query, seed)?);
                    }
                    if body.queries.len() > 1 && !body.union_all {
                        let mut seen = std::collections::HashSet::new();
                        found.retain(|r| {
                            seen.insert(r.iter().cloned().map(Key).collect::<Vec<_>>())
                        });
                    }
                    if outputs.is_empty() {
                        out.push(row);
                        continue;
                    }
                    for values in found {
                        let mut joined = row.clone();
                        for (slot, value) in outputs.iter().zip(values) {
                            joined[*slot] = value;
                        }
                        out.push(joined);
                    }
                }
                Ok(out)
            }
            Op::Match(_)
            | Op::Unwind { .. }
            | Op::LoadCsv(_)
            | Op::Filter(_)
            | Op::Call { .. }
            | Op::TypeCounts { .. } => {
                unreachable!("reads run in query()")
            }
        }
    }

    // ----- CREATE and MERGE ----------------------------------------------------------------

    fn create(
        &self,
        graph: &mut Graph,
        pattern: &CreatePattern,
        row: &mut Row,
    ) -> Result<(), QueryError> {
        let mut nodes = Vec::with_capacity(pattern.nodes.len());
        for node in &pattern.nodes {
            let id = match node.slot.filter(|_| node.bound).map(|s| &row[s]) {
                Some(QueryValue::Node(n)) => *n,
                Some(gone @ QueryValue::DeletedNode(_)) => {
                    return Err(self.cx(graph).deleted_error(
                        &node.span,
                        gone,
                        "create a relationship to",
                    ));
                }
                Some(other) => {
                    return Err(self.cx(graph).type_error(
                        &node.span,
                        format!("cannot create a relationship to {}", describe(graph, other)),
                    ));
                }
                None => {
                    let id = self.create_node(graph, node, row)?;
                    if let Some(slot) = node.slot {
                        row[slot] = QueryValue::Node(id);
                    }
                    id
                }
            };
            nodes.push(id);
        }
        let mut rels = Vec::with_capacity(pattern.rels.len());
        for (i, rel) in pattern.rels.iter().enumerate() {
            let (from, to) = if rel.arrow == Arrow::Left {
                (nodes[i + 1], nodes[i])
            } else {
                (nodes[i], nodes[i + 1])
            };
            let edge = self.create_rel(graph, rel, from, to, row)?;
            if let Some(slot) = rel.slot {
                row[slot] = QueryValue::Relationship(edge);
            }
            rels.push(edge);
        }
        if let Some(slot) = pattern.path_slot {
            row[slot] = QueryValue::Path(path(&nodes, &rels, false));
        }
        Ok(())
    }

    /// The properties a pattern gives, ready to store, with where each was written; null
    /// values are left out.
    fn properties(
        &self,
        graph: &Graph,
        props: &[(String, PExpr)],
        map: Option<&PExpr>,
        row: &Row,
    ) -> Result<Vec<(String, Value, usize)>, QueryError> {
        let mut out: Vec<(String, Value, usize)> = Vec::new();
        let mut put = |key: String, value: QueryValue, at: &PExpr| -> Result<(), QueryError> {
            let value = self.storable(graph, value, at)?;
            out.retain(|(k, ..)| *k != key);
            if value != Value::Null {
                out.push((key, value, at.span.start));
            }
            Ok(())
        };
        for (key, expr) in props {
            put(key.clone(), self.eval(graph, expr, row)?, expr)?;
        }
        if let Some(map) = map {
            match self.eval(graph, map, row)? {
                QueryValue::Map(entries) => {
                    for (key, value) in entries {
                        put(key, value, map)?;
                    }
                }
                QueryValue::Null => {}
                other => {
                    return Err(self.cx(graph).type_error(
                        &map.span,
                        format!("properties must be a map, not {}", describe(graph, &other)),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// A value that can be stored as a property: not a graph element and not a map; a list of
    /// plain values without nulls (which no data file could hold).
    fn storable(&self, graph: &Graph, value: QueryValue, at: &PExpr) -> Result<Value, QueryError> {
        let bad = match &value {
            QueryValue::Map(_) => true,
            QueryValue::List(items) => items.iter().any(|i| {
                matches!(
                    i,
                    QueryValue::Map(_) | QueryValue::List(_) | QueryValue::Null
                )
            }),
            _ => false,
        };
        match value.to_property() {
            Some(v) if !bad => Ok(v),
            _ => Err(QueryError::at(
                ErrorKind::Type,
                ErrorCode::InvalidPropertyType,
                self.text,
                at.span.start,
                format!("{} cannot be stored as a property", describe(graph, &value)),
                Some(
                    "store numbers, text, booleans, dates, or lists of them without nulls"
                        .to_owned(),
                ),
            )),
        }
    }

    fn create_node(
        &self,
        graph: &mut Graph,
        node: &CreateNode,
        row: &Row,
    ) -> Result<NodeId, QueryError> {
        let mut props = self.properties(graph, &node.props, node.props_map.as_ref(), row)?;
        if graph.schema() == Schema::Alliance && !props.iter().any(|(k, ..)| k == ID_KEY) {
            // An entity's id defaults to its name as a slug; the rules check both later.
            let name = props
                .iter()
                .find(|(k, ..)| k == NAME_KEY)
                .and_then(|(_, v, at)| Some((v.as_str()?, *at)));
            if let Some((name, at)) = name {
                props.push((ID_KEY.to_owned(), Value::String(slugify(name)), at));
            }
        }
        let labels: Vec<&str> = node.labels.iter().map(String::as_str).collect();
        let id = graph.add_node(
            labels,
            props.iter().map(|(k, v, _)| (k.as_str(), v.clone())),
        );
        self.wrote(Element::Node(id), node.span.start, &props);
        Ok(id)
    }

    fn create_rel(
        &self,
        graph: &mut Graph,
        rel: &CreateRel,
        from: NodeId,
        to: NodeId,
        row: &Row,
    ) -> Result<EdgeId, QueryError> {
        let props = self.properties(graph, &rel.props, rel.props_map.as_ref(), row)?;
        let edge = graph
            .add_edge(
                from,
                to,
                &rel.rel_type,
                props.iter().map(|(k, v, _)| (k.as_str(), v.clone())),
            )
            .ok_or_else(|| {
                QueryError::at(
                    ErrorKind::Semantic,
                    ErrorCode::InvalidArgumentValue,
                    self.text,
                    rel.span.start,
                    "cannot create a relationship to a deleted node".to_owned(),
                    None,
                )
            })?;
        self.wrote(Element::Edge(edge), rel.span.start, &props);
        graph.derive_amount_usd(edge);
        Ok(edge)
    }

    fn merge(
        &self,
        graph: &mut Graph,
        plan: &MergePlan,
        row: Row,
        out: &mut Vec<Row>,
    ) -> Result<(), QueryError> {
        let mut found = Vec::new();
        {
            let cx = self.cx(graph);
            // A property MERGE looks for as null could never be found again once created.
            let props = plan.create.nodes.iter().flat_map(|n| &n.props);
            for (key, value) in props.chain(plan.create.rels.iter().flat_map(|r| &r.props)) {
                if cx.eval(value, &row, &[])?.is_null() {
                    return Err(QueryError::at(
                        ErrorKind::Semantic,
                        ErrorCode::MergeReadOwnWrites,
                        self.text,
                        value.span.start,
                        format!("MERGE cannot look for `{key}` with a null value"),
                        Some(format!(
                            "leave `{key}` out of the pattern, or MERGE on a value: coalesce(x, 'unknown')"
                        )),
                    ));
                }
            }
            let mut matcher = Matcher::new(&cx);
            let mut search_row = row.clone();
            matcher.match_pattern(&plan.find, &mut search_row, &mut |_, r| {
                found.push(r.clone());
                Ok(Flow::Continue)
            })?;
        }
        if found.is_empty() {
            let mut row = row;
            self.create(graph, &plan.create, &mut row)?;
            for item in &plan.on_create {
                self.set(graph, item, &row)?;
            }
            out.push(row);
        } else {
            for row in found {
                for item in &plan.on_match {
                    self.set(graph, item, &row)?;
                }
                out.push(row);
            }
        }
        Ok(())
    }

    // ----- SET, REMOVE, DELETE -------------------------------------------------------------

    fn set(&self, graph: &mut Graph, item: &SetPlan, row: &Row) -> Result<(), QueryError> {
        match item {
            SetPlan::Property { base, key, value } => {
                let target = self.eval(graph, base, row)?;
                let value = self.eval(graph, value, row)?;
                let value = self.storable(graph, value, base)?;
                self.set_property(graph, &target, key, value, base)
            }
            SetPlan::Replace { target, value } | SetPlan::Merge { target, value } => {
                let element = self.eval(graph, target, row)?;
                let entries = match self.eval(graph, value, row)? {
                    QueryValue::Map(m) => m,
                    QueryValue::Node(n) => graph
                        .node_props(n)
                        .map(|(k, v)| (k.to_owned(), QueryValue::from(v)))
                        .collect(),
                    QueryValue::Relationship(r) => graph
                        .edge_props(r)
                        .map(|(k, v)| (k.to_owned(), QueryValue::from(v)))
                        .collect(),
                    QueryValue::Null if matches!(item, SetPlan::Merge { .. }) => BTreeMap::new(),
                    gone @ (QueryValue::DeletedNode(_) | QueryValue::DeletedRelationship(_)) => {
                        return Err(self.cx(graph).deleted_error(
                            &value.span,
                            &gone,
                            "read the properties of",
                        ));
                    }
                    other => {
                        return Err(self.cx(graph).type_error(
                            &value.span,
                            format!(
                                "SET {} expects a map, not {}",
                                if matches!(item, SetPlan::Replace { .. }) {
                                    "="
                                } else {
                                    "+="
                                },
                                describe(graph, &other)
                            ),
                        ));
                    }
                };
                if element.is_null() {
                    return Ok(());
                }
                if matches!(item, SetPlan::Replace { .. }) {
                    let old: Vec<String> = match &element {
                        QueryValue::Node(n) => {
                            graph.node_props(*n).map(|(k, _)| k.to_owned()).collect()
                        }
                        QueryValue::Relationship(r) => {
                            graph.edge_props(*r).map(|(k, _)| k.to_owned()).collect()
                        }
                        _ => Vec::new(),
                    };
                    for key in old.iter().filter(|k| !entries.contains_key(*k)) {
                        self.set_property(graph, &element, key, Value::Null, target)?;
                    }
                }
                for (key, v) in entries {
                    let v = self.storable(graph, v, value)?;
                    self.set_property(graph, &element, &key, v, target)?;
                }
                Ok(())
            }
            SetPlan::Labels { target, labels } => {
                self.change_labels(graph, target, labels, true, row)
            }
        }
    }

    fn set_property(
        &self,
        graph: &mut Graph,
        target: &QueryValue,
        key: &str,
        value: Value,
        at: &PExpr,
    ) -> Result<(), QueryError> {
        match target {
            QueryValue::Null => Ok(()),
            QueryValue::Node(n) => {
                graph.set_node_prop(*n, key, value);
                let element = Element::Node(*n);
                self.wrote_property(element, key, at.span.start);
                Ok(())
            }
            QueryValue::Relationship(r) => {
                graph.set_edge_prop(*r, key, value);
                self.wrote_property(Element::Edge(*r), key, at.span.start);
                if matches!(key, "amount" | "currency" | "date") {
                    graph.derive_amount_usd(*r);
                }
                Ok(())
            }
            QueryValue::DeletedNode(_) | QueryValue::DeletedRelationship(_) => Err(self
                .cx(graph)
                .deleted_error(&at.span, target, "change the properties of")),
            other => Err(self.cx(graph).type_error(
                &at.span,
                format!(
                    "only nodes and relationships have properties to set, not {}",
                    describe(graph, other)
                ),
            )),
        }
    }

    /// Adds `labels` to the node `target` names (or removes them, when `add` is false); a
    /// null target changes nothing.
    fn change_labels(
        &self,
        graph: &mut Graph,
        target: &PExpr,
        labels: &[String],
        add: bool,
        row: &Row,
    ) -> Result<(), QueryError> {
        match self.eval(graph, target, row)? {
            QueryValue::Node(n) => {
                let labels = labels.iter().map(String::as_str);
                if add {
                    graph.add_labels(n, labels);
                } else {
                    graph.remove_labels(n, labels);
                }
                self.wrote(Element::Node(n), target.span.start, &[]);
                Ok(())
            }
            QueryValue::Null => Ok(()),
            gone @ QueryValue::DeletedNode(_) => {
                let doing = if add {
                    "add labels to"
                } else {
                    "remove labels from"
                };
                Err(self.cx(graph).deleted_error(&target.span, &gone, doing))
            }
            other => Err(self.cx(graph).type_error(
                &target.span,
                format!("only nodes have labels, not {}", describe(graph, &other)),
            )),
        }
    }

    fn remove(&self, graph: &mut Graph, item: &RemovePlan, row: &Row) -> Result<(), QueryError> {
        match item {
            RemovePlan::Property { base, key } => {
                let target = self.eval(graph, base, row)?;
                self.set_property(graph, &target, key, Value::Null, base)
            }
            RemovePlan::Labels { target, labels } => {
                self.change_labels(graph, target, labels, false, row)
            }
        }
    }

    /// Deletes what `targets` name in every row; returns what is left of each relationship
    /// it deleted.
    fn delete(
        &self,
        graph: &mut Graph,
        detach: bool,
        targets: &[PExpr],
        rows: &[Row],
    ) -> Result<HashMap<EdgeId, DeletedRelationship>, QueryError> {
        // Relationships go at once; nodes at the end of the clause, so that
        // `DELETE n, r` works whatever the order of its items.
        let mut nodes: Vec<(NodeId, &PExpr)> = Vec::new();
        let mut removed = HashMap::new();
        for row in rows {
            for target in targets {
                let value = self.eval(graph, target, row)?;
                self.collect_deletion(graph, value, target, &mut nodes, &mut removed)?;
            }
        }
        for (node, at) in nodes {
            if !graph.contains_node(node) {
                continue;
            }
            // A loop stands in both lists, as it counts twice in the node's degree.
            let touching: Vec<EdgeId> = graph
                .edges_of(node, Direction::Outgoing)
                .chain(graph.edges_of(node, Direction::Incoming))
                .map(|(e, _)| e)
                .collect();
            if !detach {
                let count = touching.len();
                if count > 0 {
                    return Err(QueryError::at(
                        ErrorKind::Constraint,
                        ErrorCode::DeleteConnectedNode,
                        self.text,
                        at.span.start,
                        format!(
                            "cannot delete {}: it still has {count} relationship{}",
                            graph.display_name(node),
                            if count == 1 { "" } else { "s" }
                        ),
                        Some("DETACH DELETE removes a node with its relationships".to_owned()),
                    ));
                }
            }
            for edge in touching {
                remove_edge(graph, edge, &mut removed);
            }
            graph.remove_node(node);
        }
        Ok(removed)
    }

    fn collect_deletion<'p>(
        &self,
        graph: &mut Graph,
        value: QueryValue,
        at: &'p PExpr,
        nodes: &mut Vec<(NodeId, &'p PExpr)>,
        removed: &mut HashMap<EdgeId, DeletedRelationship>,
    ) -> Result<(), QueryError> {
        match value {
            // Deleting what is already deleted changes nothing.
            QueryValue::Null | QueryValue::DeletedNode(_) | QueryValue::DeletedRelationship(_) => {}
            QueryValue::Node(n) => nodes.push((n, at)),
            QueryValue::Relationship(r) => remove_edge(graph, r, removed),
            QueryValue::Path(p) => {
                for r in p.relationships {
                    remove_edge(graph, r, removed);
                }
                nodes.extend(p.nodes.into_iter().map(|n| (n, at)));
            }
            QueryValue::List(items) => {
                for item in items {
                    self.collect_deletion(graph, item, at, nodes, removed)?;
                }
            }
            other => {
                return Err(self.cx(graph).type_error(
                    &at.span,
                    format!(
                        "DELETE removes nodes, relationships and paths, not {}",
                        describe(graph, &other)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Removes a relationship, keeping what is left of it to read: its type and ends.
fn remove_edge(
    graph: &mut Graph,
    edge: EdgeId,
    removed: &mut HashMap<EdgeId, DeletedRelationship>,
) {
    let Some((start, end)) = graph.edge_endpoints(edge) else {
        return;
    };
    removed.insert(
        edge,
        DeletedRelationship {
            id: edge,
            rel_type: graph.edge_type(edge).to_owned(),
            start,
            end,
        },
    );
    graph.remove_edge(edge);
}

/// Turns a node or relationship that is gone from the graph, anywhere in `value`, into the
/// deleted value it now is (`removed` holds the relationships the clause deleted).
fn mark_deleted(
    graph: &Graph,
    removed: &HashMap<EdgeId, DeletedRelationship>,
    value: &mut QueryValue,
) {
    match value {
        QueryValue::Node(n) if !graph.contains_node(*n) => *value = QueryValue::DeletedNode(*n),
        QueryValue::Relationship(r) if !graph.contains_edge(*r) => {
            if let Some(gone) = removed.get(r) {
                *value = QueryValue::DeletedRelationship(gone.clone());
            }
        }
        QueryValue::List(items) => {
            for item in items {
                mark_deleted(graph, removed, item);
            }
        }
        QueryValue::Map(map) => {
            for item in map.values_mut() {
                mark_deleted(graph, removed, item);
            }
        }
        _ => {}
    }
}
