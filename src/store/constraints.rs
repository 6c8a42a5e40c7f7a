//! Uniqueness constraints: a label and the keys no two of its nodes may share values of. The
//! graph keeps them (snapshots, data files and journals carry them), and every change of the
//! list is logged so that a statement that adds or drops one rolls back whole.
//!
//! Judging data against them is `rules/`'s work; this file holds the list and the lookups the
//! rule needs: the nodes that share a constraint's values with a given node.

use std::collections::HashMap;

use super::undo::Undo;
use super::{Graph, ID_KEY, NodeId};
use crate::model::Value;

/// `FOR (n:Label) REQUIRE n.key IS UNIQUE`, or over several keys together.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UniqueConstraint {
    pub name: String,
    pub label: String,
    /// One key, or several whose values together must be unique.
    pub keys: Vec<String>,
}

impl UniqueConstraint {
    /// The default name Neo4j-style scripts read well: `company_id`, `fund_lei_isin`.
    pub fn default_name(label: &str, keys: &[String]) -> String {
        let mut name = label.to_lowercase();
        for key in keys {
            name.push('_');
            name.push_str(&key.to_lowercase());
        }
        name
    }

    /// Whether `other` asks for the same thing (the same label and keys), under any name.
    pub fn same_rule(&self, other: &UniqueConstraint) -> bool {
        self.label == other.label && self.keys == other.keys
    }

    /// `(:Company {id})` or `(:Company {lei, isin})`, as messages write it.
    pub fn describe(&self) -> String {
        format!("(:{} {{{}}})", self.label, self.keys.join(", "))
    }
}

/// A value as a key for comparing: equal values give equal keys.
fn key_of(value: &Value) -> String {
    format!("{value:?}")
}

impl Graph {
    /// The uniqueness constraints, in the order they were made.
    pub fn constraints(&self) -> &[UniqueConstraint] {
        &self.constraints
    }

    /// Adds a constraint (the caller has checked the data against it and its name); logged
    /// in a running statement.
    pub fn add_constraint(&mut self, constraint: UniqueConstraint) {
        self.log(Undo::ConstraintAdded(constraint.clone()));
        self.constraints.push(constraint);
    }

    /// Removes the constraint named `name`, returning it; logged in a running statement.
    pub fn drop_constraint(&mut self, name: &str) -> Option<UniqueConstraint> {
        let at = self.constraints.iter().position(|c| c.name == name)?;
        let removed = self.constraints.remove(at);
        self.log(Undo::ConstraintDropped(at, removed.clone()));
        Some(removed)
    }

    pub(super) fn undo_constraint_added(&mut self, name: &str) {
        self.constraints.retain(|c| c.name != name);
    }

    pub(super) fn undo_constraint_dropped(&mut self, at: usize, constraint: UniqueConstraint) {
        let at = at.min(self.constraints.len());
        self.constraints.insert(at, constraint);
    }

    /// The values `node` has for the constraint's keys, when it has the label and every key
    /// (a node lacking one is not held to the constraint, as in Neo4j).
    pub fn constraint_values(&self, c: &UniqueConstraint, node: NodeId) -> Option<Vec<Value>> {
        if !self.node_has_label(node, &c.label) {
            return None;
        }
        c.keys
            .iter()
            .map(|k| {
                self.node_prop(node, k)
                    .filter(|v| !matches!(v, Value::Null))
            })
            .collect()
    }

    /// The other nodes of the constraint's label that have the same values as `node`, in id
    /// order; through the id index when the constraint is on `id` alone.
    pub fn constraint_clashes(&self, c: &UniqueConstraint, node: NodeId) -> Vec<NodeId> {
        let Some(values) = self.constraint_values(c, node) else {
            return Vec::new();
        };
        let same = |other: NodeId| {
            other != node && self.constraint_values(c, other).as_ref() == Some(&values)
        };
        if let ([key], [Value::String(id)]) = (c.keys.as_slice(), values.as_slice())
            && key == ID_KEY
        {
            return self
                .nodes_with_id(id)
                .into_iter()
                .filter(|n| same(*n))
                .collect();
        }
        self.nodes_with_label(&c.label)
            .iter()
            .copied()
            .filter(|n| same(*n))
            .collect()
    }

    /// Every group of two or more nodes sharing a constraint's values, each sorted, in the
    /// order of their first node: what stops the constraint from being made.
    pub fn constraint_duplicates(&self, c: &UniqueConstraint) -> Vec<(Vec<Value>, Vec<NodeId>)> {
        let mut groups: HashMap<Vec<String>, usize> = HashMap::new();
        let mut out: Vec<(Vec<Value>, Vec<NodeId>)> = Vec::new();
        for &node in self.nodes_with_label(&c.label) {
            let Some(values) = self.constraint_values(c, node) else {
                continue;
            };
            let key: Vec<String> = values.iter().map(key_of).collect();
            match groups.get(&key) {
                Some(&i) => out[i].1.push(node),
                None => {
                    groups.insert(key, out.len());
                    out.push((values, vec![node]));
                }
            }
        }
        out.retain(|(_, nodes)| nodes.len() > 1);
        out
    }
}
