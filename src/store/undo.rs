//! Statement atomicity: while a statement runs, every change to the graph is logged with
//! what undoes it, so a failed statement can be rolled back exactly.
//!
//! **Invariant:** undoing in reverse order restores the graph, ids included. petgraph's stable
//! graph reuses freed slots last-in first-out, so re-adding removed elements in reverse order of
//! removal gives them back their old ids; `rollback` checks this as it goes.

use super::symbols::Sym;
use super::{EdgeData, EdgeId, Graph, NodeData, NodeId, nx};
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
}

impl ChangeCounts {
    pub fn is_empty(&self) -> bool {
        *self == ChangeCounts::default()
    }
}

impl std::fmt::Display for ChangeCounts {
    /// "created 1 node, 1 relationship; set 3 properties", or "no changes".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = Vec::new();
        let mut group = |verb: &str, items: Vec<String>| {
            if !items.is_empty() {
                parts.push(format!("{verb} {}", items.join(", ")));
            }
        };
        let nonzero = |n: usize, one: &str, many: &str| (n > 0).then(|| plural(n, one, many));
        group(
            "created",
            [
                nonzero(self.nodes_created, "node", "nodes"),
                nonzero(self.relationships_created, "relationship", "relationships"),
            ]
            .into_iter()
            .flatten()
            .collect(),
        );
        group(
            "deleted",
            [
                nonzero(self.nodes_deleted, "node", "nodes"),
                nonzero(self.relationships_deleted, "relationship", "relationships"),
            ]
            .into_iter()
            .flatten()
            .collect(),
        );
        group(
            "set",
            nonzero(self.properties_set, "property", "properties")
                .into_iter()
                .collect(),
        );
        group(
            "added",
            nonzero(self.labels_added, "label", "labels")
                .into_iter()
                .collect(),
        );
        group(
            "removed",
            nonzero(self.labels_removed, "label", "labels")
                .into_iter()
                .collect(),
        );
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
                Undo::NodeRemoved { .. } | Undo::EdgeRemoved { .. } => {}
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
                    for (key, value) in props {
                        self.node_props
                            .set(id.index(), key, value, &mut self.strings);
                    }
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
                    for (key, value) in props {
                        self.edge_props
                            .set(id.index(), key, value, &mut self.strings);
                    }
                    *self.type_counts.entry(rel_type).or_default() += 1;
                }
                Undo::NodeProp { node, key, old, .. } => {
                    if self.contains_node(node) {
                        self.unindex_node(node);
                        self.node_props.set(
                            node.index(),
                            key,
                            old.unwrap_or(Value::Null),
                            &mut self.strings,
                        );
                        self.index_node(node);
                    }
                }
                Undo::EdgeProp { edge, key, old, .. } => {
                    if self.contains_edge(edge) {
                        self.edge_props.set(
                            edge.index(),
                            key,
                            old.unwrap_or(Value::Null),
                            &mut self.strings,
                        );
                    }
                }
                Undo::LabelAdded(node, label) => {
                    if self.change_label(node, label, false) {
                        super::remove_sorted(self.by_label.get_mut(&label), node);
                    }
                }
                Undo::LabelRemoved(node, label) => {
                    if self.change_label(node, label, true) {
                        super::insert_sorted(self.by_label.entry(label).or_default(), node);
                    }
                }
            }
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
            })
            .collect()
    }

    /// Applies committed changes again, checking that every element gets the number it had.
    ///
    /// # Errors
    /// When a change does not fit: the graph is not the one the changes were made on. The
    /// changes before it have been applied.
    pub fn replay(&mut self, changes: &[Change]) -> Result<(), ReplayError> {
        for (index, change) in changes.iter().enumerate() {
            let misfit = |reason: String| ReplayError { index, reason };
            let node = |g: &Graph, n: u32| {
                let id = NodeId(n);
                if g.contains_node(id) {
                    Ok(id)
                } else {
                    Err(misfit(format!("node {n} does not exist")))
                }
            };
            let edge = |g: &Graph, e: u32| {
                let id = EdgeId(e);
                if g.contains_edge(id) {
                    Ok(id)
                } else {
                    Err(misfit(format!("relationship {e} does not exist")))
                }
            };
            match change {
                Change::AddNode { id, labels, props } => {
                    let got = self.add_node(
                        labels.iter().map(String::as_str),
                        props.iter().map(|(k, v)| (k.as_str(), v.clone())),
                    );
                    if got.0 != *id {
                        return Err(misfit(format!("node {id} came back as {}", got.0)));
                    }
                }
                Change::AddEdge {
                    id,
                    from,
                    to,
                    rel_type,
                    props,
                } => {
                    let (from, to) = (node(self, *from)?, node(self, *to)?);
                    let got = self.add_edge(
                        from,
                        to,
                        rel_type,
                        props.iter().map(|(k, v)| (k.as_str(), v.clone())),
                    );
                    match got {
                        Some(got) if got.0 == *id => {}
                        Some(got) => {
                            return Err(misfit(format!(
                                "relationship {id} came back as {}",
                                got.0
                            )));
                        }
                        None => return Err(misfit(format!("relationship {id} lost an end"))),
                    }
                }
                Change::RemoveNode { id } => {
                    let n = node(self, *id)?;
                    self.remove_node(n);
                }
                Change::RemoveEdge { id } => {
                    let e = edge(self, *id)?;
                    self.remove_edge(e);
                }
                Change::SetNodeProp {
                    node: n,
                    key,
                    value,
                } => {
                    let n = node(self, *n)?;
                    self.set_node_prop(n, key, value.clone());
                }
                Change::SetEdgeProp {
                    edge: e,
                    key,
                    value,
                } => {
                    let e = edge(self, *e)?;
                    self.set_edge_prop(e, key, value.clone());
                }
                Change::AddLabel { node: n, label } => {
                    let n = node(self, *n)?;
                    self.add_labels(n, [label.as_str()]);
                }
                Change::RemoveLabel { node: n, label } => {
                    let n = node(self, *n)?;
                    self.remove_labels(n, [label.as_str()]);
                }
            }
        }
        Ok(())
    }
}
