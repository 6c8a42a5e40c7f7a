//! Statement atomicity: while a statement runs, every change to the graph is logged with
//! what undoes it, so a failed statement can be rolled back exactly.
//!
//! **Invariant:** undoing in reverse order restores the graph, ids included. petgraph's stable
//! graph reuses freed slots last-in first-out, so re-adding removed elements in reverse order of
//! removal gives them back their old ids; `rollback` checks this as it goes.

use std::collections::{HashMap, HashSet};

use super::symbols::Sym;
use super::{EdgeData, EdgeId, Graph, ID_KEY, NodeData, NodeId, nx};
use crate::model::Value;

/// One change, with what undoing it and redoing it need to know.
#[derive(Clone, Debug)]
pub(super) enum Undo {
    NodeAdded {
        id: NodeId,
        labels: Vec<Sym>,
        props: Vec<(Sym, Value)>,
    },
    EdgeAdded {
        id: EdgeId,
        from: NodeId,
        to: NodeId,
        rel_type: Sym,
        props: Vec<(Sym, Value)>,
    },
    NodeRemoved {
        id: NodeId,
        labels: Vec<Sym>,
        props: Vec<(Sym, Value)>,
    },
    EdgeRemoved {
        id: EdgeId,
        from: NodeId,
        to: NodeId,
        rel_type: Sym,
        props: Vec<(Sym, Value)>,
    },
    /// The value a property had before (none when it was absent), and the one it got.
    NodeProp {
        node: NodeId,
        key: Sym,
        old: Option<Value>,
        new: Value,
    },
    EdgeProp {
        edge: EdgeId,
        key: Sym,
        old: Option<Value>,
        new: Value,
    },
    LabelAdded(NodeId, Sym),
    LabelRemoved(NodeId, Sym),
    /// A uniqueness constraint was added.
    ConstraintAdded(super::UniqueConstraint),
    /// The constraint at this place in the list was dropped.
    ConstraintDropped(usize, super::UniqueConstraint),
}

/// What a statement changed, for rules checked before it commits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Nodes created, or whose properties or labels changed, that still exist.
    pub nodes: Vec<NodeId>,
    /// Relationships created, or whose properties changed, that still exist.
    pub edges: Vec<EdgeId>,
}

/// How many elements, properties and labels a statement changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChangeCounts {
    pub nodes_created: usize,
    pub nodes_deleted: usize,
    pub relationships_created: usize,
    pub relationships_deleted: usize,
    pub properties_set: usize,
    pub labels_added: usize,
    pub labels_removed: usize,
    pub constraints_added: usize,
    pub constraints_removed: usize,
}

impl ChangeCounts {
    pub fn is_empty(&self) -> bool {
        *self == ChangeCounts::default()
    }
}

impl std::fmt::Display for ChangeCounts {
    /// "created 1 node, 1 relationship; set 3 properties", or "no changes".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A count with the noun for one and for many.
        type Count<'a> = (usize, &'a str, &'a str);
        let groups: [(&str, &[Count<'_>]); 7] = [
            (
                "created",
                &[
                    (self.nodes_created, "node", "nodes"),
                    (self.relationships_created, "relationship", "relationships"),
                ],
            ),
            (
                "deleted",
                &[
                    (self.nodes_deleted, "node", "nodes"),
                    (self.relationships_deleted, "relationship", "relationships"),
                ],
            ),
            ("set", &[(self.properties_set, "property", "properties")]),
            ("added", &[(self.labels_added, "label", "labels")]),
            ("removed", &[(self.labels_removed, "label", "labels")]),
            (
                "added",
                &[(self.constraints_added, "constraint", "constraints")],
            ),
            (
                "removed",
                &[(self.constraints_removed, "constraint", "constraints")],
            ),
        ];
        let parts: Vec<String> = groups
            .iter()
            .filter_map(|(verb, counts)| {
                let items: Vec<String> = counts
                    .iter()
                    .filter(|(n, _, _)| *n > 0)
                    .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
                    .collect();
                (!items.is_empty()).then(|| format!("{verb} {}", items.join(", ")))
            })
            .collect();
        if parts.is_empty() {
            f.write_str("no changes")
        } else {
            f.write_str(&parts.join("; "))
        }
    }
}

impl Graph {
    /// What the running statement has changed so far.
    pub fn change_counts(&self) -> ChangeCounts {
        let mut counts = ChangeCounts::default();
        for undo in self.undo.iter().flatten() {
            match undo {
                Undo::NodeAdded { .. } => counts.nodes_created += 1,
                Undo::EdgeAdded { .. } => counts.relationships_created += 1,
                Undo::NodeRemoved { .. } => counts.nodes_deleted += 1,
                Undo::EdgeRemoved { .. } => counts.relationships_deleted += 1,
                Undo::NodeProp { .. } | Undo::EdgeProp { .. } => counts.properties_set += 1,
                Undo::LabelAdded(..) => counts.labels_added += 1,
                Undo::LabelRemoved(..) => counts.labels_removed += 1,
                Undo::ConstraintAdded(_) => counts.constraints_added += 1,
                Undo::ConstraintDropped(..) => counts.constraints_removed += 1,
            }
        }
        counts
    }

    pub(super) fn log(&mut self, undo: Undo) {
        if let Some(log) = &mut self.undo {
            log.push(undo);
        }
    }

    /// Starts logging changes so that they can be rolled back. A statement in progress is
    /// committed first.
    pub fn begin(&mut self) {
        self.undo = Some(Vec::new());
    }

    /// Whether changes are being logged.
    pub fn in_statement(&self) -> bool {
        self.undo.is_some()
    }

    /// The elements the running statement created or changed and that still exist.
    pub fn changes(&self) -> Changes {
        let mut changes = Changes::default();
        for undo in self.undo.iter().flatten() {
            match undo {
                Undo::NodeAdded { id: n, .. }
                | Undo::NodeProp { node: n, .. }
                | Undo::LabelAdded(n, _)
                | Undo::LabelRemoved(n, _) => {
                    changes.nodes.push(*n);
                }
                Undo::EdgeAdded { id: e, .. } | Undo::EdgeProp { edge: e, .. } => {
                    changes.edges.push(*e)
                }
                Undo::NodeRemoved { .. }
                | Undo::EdgeRemoved { .. }
                | Undo::ConstraintAdded(_)
                | Undo::ConstraintDropped(..) => {}
            }
        }
        changes.nodes.sort_unstable();
        changes.nodes.dedup();
        changes.nodes.retain(|n| self.contains_node(*n));
        changes.edges.sort_unstable();
        changes.edges.dedup();
        changes.edges.retain(|e| self.contains_edge(*e));
        changes
    }

    /// Keeps the running statement's changes.
    pub fn commit(&mut self) {
        self.undo = None;
    }

    /// Undoes every change since `begin`.
    pub fn rollback(&mut self) {
        let Some(log) = self.undo.take() else {
            return;
        };
        self.adjacency.take();
        for undo in log.into_iter().rev() {
            match undo {
                Undo::NodeAdded { id, .. } => {
                    self.remove_node(id);
                }
                Undo::EdgeAdded { id, .. } => {
                    self.remove_edge(id);
                }
                Undo::NodeRemoved { id, labels, props } => {
                    let set = self.label_sets.intern(&labels);
                    let restored = super::node_id(self.graph.add_node(NodeData { labels: set }));
                    assert_eq!(
                        restored, id,
                        "freed node slots are reused last-in first-out"
                    );
                    self.restore_props(true, id.index(), props);
                    for label in labels {
                        super::insert_sorted(self.by_label.entry(label).or_default(), id);
                    }
                    self.index_node(id);
                }
                Undo::EdgeRemoved {
                    id,
                    from,
                    to,
                    rel_type,
                    props,
                } => {
                    let restored = super::edge_id(self.graph.add_edge(
                        nx(from),
                        nx(to),
                        EdgeData { rel_type },
                    ));
                    assert_eq!(
                        restored, id,
                        "freed edge slots are reused last-in first-out"
                    );
                    self.restore_props(false, id.index(), props);
                    *self.type_counts.entry(rel_type).or_default() += 1;
                }
                Undo::NodeProp { node, key, old, .. } => {
                    if self.contains_node(node) {
                        self.unindex_node(node);
                        self.restore_props(true, node.index(), [(key, old.unwrap_or(Value::Null))]);
                        self.index_node(node);
                    }
                }
                Undo::EdgeProp { edge, key, old, .. } => {
                    if self.contains_edge(edge) {
                        self.restore_props(
                            false,
                            edge.index(),
                            [(key, old.unwrap_or(Value::Null))],
                        );
                    }
                }
                Undo::LabelAdded(node, label) => {
                    self.change_label(node, label, false);
                }
                Undo::LabelRemoved(node, label) => {
                    self.change_label(node, label, true);
                }
                Undo::ConstraintAdded(added) => self.undo_constraint_added(&added.name),
                Undo::ConstraintDropped(at, constraint) => {
                    self.undo_constraint_dropped(at, constraint);
                }
            }
        }
    }

    /// Gives a node (`on_node`) or a relationship back the properties it had, a null value
    /// removing one.
    fn restore_props(
        &mut self,
        on_node: bool,
        index: usize,
        props: impl IntoIterator<Item = (Sym, Value)>,
    ) {
        let table = if on_node {
            &mut self.node_props
        } else {
            &mut self.edge_props
        };
        for (key, value) in props {
            table.set(index, key, value, &mut self.strings);
        }
    }
}

/// A committed change in the words a journal stores: names instead of symbols, element numbers
/// as the store gave them. Replaying a statement's changes, in order, on the graph they were
/// made on reproduces them exactly, ids included.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    AddNode {
        id: u32,
        labels: Vec<String>,
        props: Vec<(String, Value)>,
    },
    AddEdge {
        id: u32,
        from: u32,
        to: u32,
        rel_type: String,
        props: Vec<(String, Value)>,
    },
    RemoveNode {
        id: u32,
    },
    RemoveEdge {
        id: u32,
    },
    /// Null removes the property.
    SetNodeProp {
        node: u32,
        key: String,
        value: Value,
    },
    SetEdgeProp {
        edge: u32,
        key: String,
        value: Value,
    },
    AddLabel {
        node: u32,
        label: String,
    },
    RemoveLabel {
        node: u32,
        label: String,
    },
    /// A uniqueness constraint was made.
    AddConstraint(super::UniqueConstraint),
    /// The uniqueness constraint of this name was dropped.
    DropConstraint {
        name: String,
    },
}

/// Why a replay does not fit the graph it is applied to.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("change {index} does not fit the graph: {reason}")]
pub struct ReplayError {
    /// Which change, from 0.
    pub index: usize,
    pub reason: String,
}

impl Graph {
    /// The running statement's changes so far, in order, for a journal.
    pub fn statement_changes(&self) -> Vec<Change> {
        let name = |sym: Sym| self.symbols.name(sym).to_owned();
        let props =
            |props: &[(Sym, Value)]| props.iter().map(|(k, v)| (name(*k), v.clone())).collect();
        self.undo
            .iter()
            .flatten()
            .map(|undo| match undo {
                Undo::NodeAdded {
                    id,
                    labels,
                    props: p,
                } => Change::AddNode {
                    id: id.0,
                    labels: labels.iter().map(|l| name(*l)).collect(),
                    props: props(p),
                },
                Undo::EdgeAdded {
                    id,
                    from,
                    to,
                    rel_type,
                    props: p,
                } => Change::AddEdge {
                    id: id.0,
                    from: from.0,
                    to: to.0,
                    rel_type: name(*rel_type),
                    props: props(p),
                },
                Undo::NodeRemoved { id, .. } => Change::RemoveNode { id: id.0 },
                Undo::EdgeRemoved { id, .. } => Change::RemoveEdge { id: id.0 },
                Undo::NodeProp { node, key, new, .. } => Change::SetNodeProp {
                    node: node.0,
                    key: name(*key),
                    value: new.clone(),
                },
                Undo::EdgeProp { edge, key, new, .. } => Change::SetEdgeProp {
                    edge: edge.0,
                    key: name(*key),
                    value: new.clone(),
                },
                Undo::LabelAdded(node, label) => Change::AddLabel {
                    node: node.0,
                    label: name(*label),
                },
                Undo::LabelRemoved(node, label) => Change::RemoveLabel {
                    node: node.0,
                    label: name(*label),
                },
                Undo::ConstraintAdded(added) => Change::AddConstraint(added.clone()),
                Undo::ConstraintDropped(_, dropped) => Change::DropConstraint {
                    name: dropped.name.clone(),
                },
            })
            .collect()
    }

    /// Applies committed changes again, checking that every element gets the number it had.
    ///
    /// # Errors
    /// When a change does not fit: the graph is not the one the changes were made on. The
    /// changes before it have been applied.
    pub fn replay(&mut self, changes: &[Change]) -> Result<(), ReplayError> {
        self.replay_with(changes, None)
    }

    /// As `replay`, onto a graph whose numbering has drifted from the journal's (a record
    /// before was left out): created elements take whatever number they get, and `renumber`
    /// records it for the records after. Check the record's witnesses with
    /// `renumber.witnesses` first.
    ///
    /// # Errors
    /// As `replay`.
    pub fn replay_renumbered(
        &mut self,
        changes: &[Change],
        renumber: &mut Renumbering,
    ) -> Result<(), ReplayError> {
        self.replay_with(changes, Some(renumber))
    }

    fn replay_with(
        &mut self,
        changes: &[Change],
        mut renumber: Option<&mut Renumbering>,
    ) -> Result<(), ReplayError> {
        for (index, change) in changes.iter().enumerate() {
            let misfit = |reason: String| ReplayError { index, reason };
            let node = |g: &Graph, r: &Option<&mut Renumbering>, n: u32| {
                let id = NodeId(r.as_ref().map_or(n, |r| r.node(n)));
                g.contains_node(id)
                    .then_some(id)
                    .ok_or_else(|| misfit(format!("node {n} does not exist")))
            };
            let edge = |g: &Graph, r: &Option<&mut Renumbering>, e: u32| {
                let id = EdgeId(r.as_ref().map_or(e, |r| r.edge(e)));
                g.contains_edge(id)
                    .then_some(id)
                    .ok_or_else(|| misfit(format!("relationship {e} does not exist")))
            };
            match change {
                Change::AddNode { id, labels, props } => {
                    let got = self.add_node(
                        labels.iter().map(String::as_str),
                        props.iter().map(|(k, v)| (k.as_str(), v.clone())),
                    );
                    let renumbered = renumber.as_deref_mut().map(|r| &mut r.nodes);
                    came_back(renumbered, "node", *id, got.0).map_err(misfit)?;
                }
                Change::AddEdge {
                    id,
                    from,
                    to,
                    rel_type,
                    props,
                } => {
                    let (from, to) = (node(self, &renumber, *from)?, node(self, &renumber, *to)?);
                    let got = self.add_edge(
                        from,
                        to,
                        rel_type,
                        props.iter().map(|(k, v)| (k.as_str(), v.clone())),
                    );
                    let Some(got) = got else {
                        return Err(misfit(format!("relationship {id} lost an end")));
                    };
                    let renumbered = renumber.as_deref_mut().map(|r| &mut r.edges);
                    came_back(renumbered, "relationship", *id, got.0).map_err(misfit)?;
                }
                Change::RemoveNode { id } => {
                    let n = node(self, &renumber, *id)?;
                    self.remove_node(n);
                }
                Change::RemoveEdge { id } => {
                    let e = edge(self, &renumber, *id)?;
                    self.remove_edge(e);
                }
                Change::SetNodeProp {
                    node: n,
                    key,
                    value,
                } => {
                    let n = node(self, &renumber, *n)?;
                    self.set_node_prop(n, key, value.clone());
                }
                Change::SetEdgeProp {
                    edge: e,
                    key,
                    value,
                } => {
                    let e = edge(self, &renumber, *e)?;
                    self.set_edge_prop(e, key, value.clone());
                }
                Change::AddLabel { node: n, label } => {
                    let n = node(self, &renumber, *n)?;
                    self.add_labels(n, [label.as_str()]);
                }
                Change::RemoveLabel { node: n, label } => {
                    let n = node(self, &renumber, *n)?;
                    self.remove_labels(n, [label.as_str()]);
                }
                Change::AddConstraint(constraint) => {
                    if self.constraints.iter().any(|c| c.name == constraint.name) {
                        return Err(misfit(format!(
                            "constraint {} exists already",
                            constraint.name
                        )));
                    }
                    self.add_constraint(constraint.clone());
                }
                Change::DropConstraint { name } => {
                    if self.drop_constraint(name).is_none() {
                        return Err(misfit(format!("there is no constraint {name}")));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Notes that the element a journal numbers `id` was created again as `got`: in `renumbered`,
/// a renumbering's map for its kind of element; without one, the two must be the same.
fn came_back(
    renumbered: Option<&mut HashMap<u32, u32>>,
    what: &str,
    id: u32,
    got: u32,
) -> Result<(), String> {
    match renumbered {
        Some(map) => {
            map.insert(id, got);
            Ok(())
        }
        None if got != id => Err(format!("{what} {id} came back as {got}")),
        None => Ok(()),
    }
}

/// How a journal's element numbers map onto a graph whose numbering drifted from it. Numbers
/// it has not seen stand for themselves; witnesses then say whether they are the same element.
#[derive(Clone, Debug, Default)]
pub struct Renumbering {
    nodes: HashMap<u32, u32>,
    edges: HashMap<u32, u32>,
}

impl Renumbering {
    fn node(&self, n: u32) -> u32 {
        self.nodes.get(&n).copied().unwrap_or(n)
    }

    fn edge(&self, e: u32) -> u32 {
        self.edges.get(&e).copied().unwrap_or(e)
    }

    /// The witnesses of a record in the graph's numbering.
    pub fn witnesses(&self, witnesses: &[Witness]) -> Vec<Witness> {
        witnesses
            .iter()
            .map(|w| match w {
                Witness::Node { node, id } => Witness::Node {
                    node: self.node(*node),
                    id: id.clone(),
                },
                Witness::Edge {
                    edge,
                    from,
                    to,
                    rel_type,
                } => Witness::Edge {
                    edge: self.edge(*edge),
                    from: self.node(*from),
                    to: self.node(*to),
                    rel_type: rel_type.clone(),
                },
            })
            .collect()
    }
}

/// What an element a statement touched looked like before the statement, so that a replay can
/// check that the element it is about to change is the one the statement changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Witness {
    /// A node that existed before the statement, with the `id` property it had then.
    Node { node: u32, id: Option<String> },
    /// A relationship that existed before the statement: its endpoints and type.
    Edge {
        edge: u32,
        from: u32,
        to: u32,
        rel_type: String,
    },
}

impl Graph {
    /// The elements the running statement touched that existed before it began, as they were
    /// then (see `Witness`), in the order the statement first touched them.
    pub fn statement_witnesses(&self) -> Vec<Witness> {
        let Some(log) = &self.undo else {
            return Vec::new();
        };
        let id_key = self.symbols.get(ID_KEY);
        let mut created_nodes = HashSet::new();
        let mut created_edges = HashSet::new();
        // The first `id` the statement overwrote, per node: the value before the statement.
        let mut first_id: HashMap<NodeId, Option<Value>> = HashMap::new();
        let mut removed_node: HashMap<NodeId, Option<Value>> = HashMap::new();
        let mut removed_edge: HashMap<EdgeId, (NodeId, NodeId, Sym)> = HashMap::new();
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        let mut seen_nodes = HashSet::new();
        let mut seen_edges = HashSet::new();
        let mut touch_node = |n: NodeId, created: &HashSet<NodeId>| {
            if !created.contains(&n) && seen_nodes.insert(n) {
                nodes.push(n);
            }
        };
        for undo in log {
            match undo {
                Undo::NodeAdded { id, .. } => {
                    created_nodes.insert(*id);
                }
                Undo::EdgeAdded { id, from, to, .. } => {
                    created_edges.insert(*id);
                    touch_node(*from, &created_nodes);
                    touch_node(*to, &created_nodes);
                }
                Undo::NodeRemoved { id, props, .. } => {
                    touch_node(*id, &created_nodes);
                    let id_value = props
                        .iter()
                        .find(|(k, _)| Some(*k) == id_key)
                        .map(|(_, v)| v.clone());
                    removed_node.entry(*id).or_insert(id_value);
                    // A slot freed here may be taken by a node the statement creates later.
                    created_nodes.remove(id);
                }
                Undo::EdgeRemoved {
                    id,
                    from,
                    to,
                    rel_type,
                    ..
                } => {
                    if !created_edges.contains(id) {
                        if seen_edges.insert(*id) {
                            edges.push(*id);
                        }
                        removed_edge.entry(*id).or_insert((*from, *to, *rel_type));
                    }
                    created_edges.remove(id);
                }
                Undo::NodeProp { node, key, old, .. } => {
                    touch_node(*node, &created_nodes);
                    if Some(*key) == id_key && !created_nodes.contains(node) {
                        first_id.entry(*node).or_insert_with(|| old.clone());
                    }
                }
                Undo::EdgeProp { edge, .. } => {
                    if !created_edges.contains(edge) && seen_edges.insert(*edge) {
                        edges.push(*edge);
                    }
                }
                Undo::LabelAdded(node, _) | Undo::LabelRemoved(node, _) => {
                    touch_node(*node, &created_nodes);
                }
                Undo::ConstraintAdded(_) | Undo::ConstraintDropped(..) => {}
            }
        }
        let mut witnesses = Vec::with_capacity(nodes.len() + edges.len());
        for n in nodes {
            let id = if let Some(v) = first_id.get(&n) {
                v.clone()
            } else if let Some(v) = removed_node.get(&n) {
                v.clone()
            } else {
                self.node_prop(n, ID_KEY)
            };
            witnesses.push(Witness::Node {
                node: n.0,
                id: witness_id(id),
            });
        }
        for e in edges {
            let (from, to, rel_type) = match removed_edge.get(&e) {
                Some(&(from, to, t)) => (from, to, self.symbols.name(t).to_owned()),
                None => match self.edge_endpoints(e) {
                    Some((from, to)) => (from, to, self.edge_type(e).to_owned()),
                    None => continue,
                },
            };
            witnesses.push(Witness::Edge {
                edge: e.0,
                from: from.0,
                to: to.0,
                rel_type,
            });
        }
        witnesses
    }

    /// Checks, before a replay, that each element a statement touched is still what it was.
    ///
    /// # Errors
    /// Names the first element that is missing or is another one.
    pub fn check_witnesses(&self, witnesses: &[Witness]) -> Result<(), ReplayError> {
        for (index, witness) in witnesses.iter().enumerate() {
            let misfit = |reason: String| ReplayError { index, reason };
            match witness {
                Witness::Node { node, id } => {
                    let n = NodeId(*node);
                    if !self.contains_node(n) {
                        return Err(misfit(format!("node {node} does not exist")));
                    }
                    let actual = witness_id(self.node_prop(n, ID_KEY));
                    if actual != *id {
                        return Err(misfit(format!(
                            "node {node} has the id {}, not {}",
                            describe(actual.as_deref()),
                            describe(id.as_deref())
                        )));
                    }
                }
                Witness::Edge {
                    edge,
                    from,
                    to,
                    rel_type,
                } => {
                    let e = EdgeId(*edge);
                    let Some((f, t)) = self.edge_endpoints(e) else {
                        return Err(misfit(format!("relationship {edge} does not exist")));
                    };
                    if (f.0, t.0) != (*from, *to) || self.edge_type(e) != rel_type {
                        return Err(misfit(format!(
                            "relationship {edge} is a {} from node {} to node {}, not a {rel_type} from node {from} to node {to}",
                            self.edge_type(e),
                            f.0,
                            t.0
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A node's `id` property as a witness holds it: as text, whatever its type.
fn witness_id(id: Option<Value>) -> Option<String> {
    match id {
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
        None => None,
    }
}

fn describe(id: Option<&str>) -> String {
    id.map_or_else(|| "(none)".to_owned(), |s| format!("{s:?}"))
}

#[cfg(test)]
mod tests {
    use super::ChangeCounts;

    #[test]
    fn change_counts_read_as_groups_of_nonzero_counts() {
        assert_eq!(ChangeCounts::default().to_string(), "no changes");
        let counts = ChangeCounts {
            nodes_created: 1,
            relationships_created: 2,
            relationships_deleted: 1,
            properties_set: 3,
            labels_removed: 1,
            ..ChangeCounts::default()
        };
        assert_eq!(
            counts.to_string(),
            "created 1 node, 2 relationships; deleted 1 relationship; set 3 properties; removed 1 label"
        );
    }
}
