//! The graph's indexes: keeping the `id`, name and alias indexes in step with a node, building
//! them for a whole graph at once (on first use, after a snapshot is read), and the lookups
//! they answer, by id, by name, by label and by relationship type, with the counts kept beside
//! them.
//!
//! **Invariant:** only the `Graph` methods that change elements call the maintenance here, so
//! the indexes always describe the current elements. An id or name index not yet built is
//! built before the first change to a node, so it is built from the graph as read and kept in
//! step after, exactly as if it had been built when the graph was read.

use std::collections::BTreeMap;

use super::properties::Properties;
use super::strings::StringPool;
use super::symbols::Sym;
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use super::names::NameIndex;
use super::threads::{cores, on_threads};
use super::{ALIASES_KEY, EdgeId, Graph, ID_KEY, NAME_KEY, NodeId, edge_id};
use crate::model::{Value, fold_name, fold_name_into};

/// The fewest nodes a thread folds the names of when the name index is built whole.
const NAME_PART_LEAST: usize = 1 << 14;

impl Graph {
    /// The folded names a node is found by: its name and its aliases.
    pub(super) fn lookup_names(&self, node: NodeId) -> Vec<String> {
        folded_names(
            self.node_str(node, NAME_KEY),
            self.node_prop(node, ALIASES_KEY).as_ref(),
        )
    }

    pub(super) fn index_node(&mut self, node: NodeId) {
        let names = self.lookup_names(node);
        let (mut by_id, mut by_name) = self.built_indexes();
        let Graph {
            node_props,
            strings,
            symbols,
            ..
        } = &*self;
        if let Some(id_key) = symbols.get(ID_KEY) {
            index_id(&mut by_id, node_props, strings, id_key, node);
        }
        for name in names {
            by_name.insert(&name, node);
        }
        self.by_id = by_id.into();
        self.by_name = by_name.into();
        self.index_identifiers(node);
    }

    /// The id and name indexes, taken out to be changed (and put back by the caller), built
    /// first if they were not: a change to a node keeps them in step from then on.
    fn built_indexes(&mut self) -> (hashbrown::HashTable<NodeId>, NameIndex) {
        let by_id = match self.by_id.take() {
            Some(by_id) => by_id,
            None => self.id_index(),
        };
        let by_name = match self.by_name.take() {
            Some(by_name) => by_name,
            None => self.name_index(),
        };
        (by_id, by_name)
    }

    /// The `id` index of every node, for a graph whose index was not built.
    fn id_index(&self) -> hashbrown::HashTable<NodeId> {
        let mut by_id = hashbrown::HashTable::with_capacity(self.node_count());
        if let Some(id_key) = self.symbols.get(ID_KEY) {
            let (node_props, strings) = (&self.node_props, &self.strings);
            let id_of = |n: NodeId| node_props.get_str(n.index(), id_key, strings);
            // Each node comes once: none is listed yet, so none is looked for first.
            for node in self.nodes() {
                if let Some(id) = id_of(node) {
                    by_id.insert_unique(strings.hash(id), node, |n| {
                        strings.hash(id_of(*n).unwrap_or(""))
                    });
                }
            }
        }
        by_id
    }

    /// The name index of every node, for a graph whose index was not built: each key is
    /// looked up once, not once a node, and one buffer a thread serves every folded name.
    /// Folding and hashing the names, most of the work, is done on every core; the hashes are
    /// then listed in node order, so the index is the one listing them one by one makes.
    fn name_index(&self) -> NameIndex {
        let mut by_name = NameIndex::with_capacity(self.node_count());
        let name_key = self.symbols.get(NAME_KEY);
        let aliases_key = self
            .symbols
            .get(ALIASES_KEY)
            .filter(|k| self.node_props.keys().contains(k));
        let (node_props, strings) = (&self.node_props, &self.strings);
        let nodes: Vec<NodeId> = self.nodes().collect();
        let part = nodes.len().div_ceil(cores(8)).max(NAME_PART_LEAST);
        let index = &by_name;
        let hashed = on_threads(nodes.chunks(part), |part| {
            let mut hashes = Vec::with_capacity(part.len());
            let mut folded = String::new();
            for &node in part {
                let name = name_key.and_then(|k| node_props.get_str(node.index(), k, strings));
                let aliases = aliases_key.and_then(|k| node_props.get(node.index(), k, strings));
                match (name, aliases) {
                    // Nearly every node: one name, folded into the one buffer.
                    (Some(name), None) => {
                        fold_name_into(name, &mut folded);
                        hashes.push((index.hash(&folded), node));
                    }
                    (name, aliases) => {
                        for folded in folded_names(name, aliases.as_ref()) {
                            hashes.push((index.hash(&folded), node));
                        }
                    }
                }
            }
            hashes
        });
        for (hash, node) in hashed.into_iter().flatten() {
            by_name.insert_hashed(hash, node);
        }
        by_name
    }

    fn by_id(&self) -> &hashbrown::HashTable<NodeId> {
        self.by_id.get_or_init(|| self.id_index())
    }

    fn by_name(&self) -> &NameIndex {
        self.by_name.get_or_init(|| self.name_index())
    }

    /// Adds the node's identifiers to their index.
    fn index_identifiers(&mut self, node: NodeId) {
        for &key in &self.identifier_keys {
            if let Some(value) = self.node_props.get_str(node.index(), key, &self.strings) {
                let list = self
                    .by_identifier
                    .entry((key, value.to_owned()))
                    .or_default();
                super::insert_sorted(list, node);
            }
        }
    }

    /// Takes the node's identifiers out of their index.
    fn unindex_identifiers(&mut self, node: NodeId) {
        for &key in &self.identifier_keys {
            if let Some(value) = self.node_props.get_str(node.index(), key, &self.strings) {
                let entry = (key, value.to_owned());
                if let Some(list) = self.by_identifier.get_mut(&entry) {
                    list.retain(|n| *n != node);
                    if list.is_empty() {
                        self.by_identifier.remove(&entry);
                    }
                }
            }
        }
    }

    /// Rebuilds the identifier index from the vocabulary's schemes: after the vocabulary
    /// changes, or a graph is read whole.
    pub(super) fn reindex_identifiers(&mut self) {
        let nodes: Vec<NodeId> = if self.by_identifier.is_empty() && !self.uses_identifiers() {
            Vec::new()
        } else {
            self.nodes().collect()
        };
        self.reindex_identifiers_of(nodes);
    }

    /// Whether any identifier scheme of the vocabulary is a property key of the graph.
    fn uses_identifiers(&self) -> bool {
        self.vocabulary()
            .identifiers()
            .iter()
            .any(|d| self.has_property_key(&d.name))
    }

    fn reindex_identifiers_of(&mut self, nodes: impl IntoIterator<Item = NodeId>) {
        self.by_identifier.clear();
        self.identifier_keys = self
            .vocabulary()
            .identifiers()
            .iter()
            .filter_map(|d| self.symbols.get(&d.name))
            .collect();
        if self.identifier_keys.is_empty() {
            return;
        }
        for node in nodes {
            self.index_identifiers(node);
        }
    }

    /// Every node whose identifier of `scheme` (a property named after it: `lei`) is `value`,
    /// in id order: one at most in a valid alliance graph. Nothing when `scheme` is not one of
    /// the vocabulary's identifier schemes.
    pub fn nodes_by_identifier(&self, scheme: &str, value: &str) -> Vec<NodeId> {
        let Some(key) = self.symbols.get(scheme) else {
            return Vec::new();
        };
        self.by_identifier
            .get(&(key, value.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    /// Whether `key` is an identifier scheme of the graph's vocabulary, so that a node
    /// property of that name is indexed (`nodes_by_identifier`).
    pub fn is_identifier(&self, key: &str) -> bool {
        self.vocabulary().identifier(key).is_some()
    }

    /// Indexes nodes `0..count`, the whole of a graph appended in bulk: the id index, which
    /// finding nodes by id needs at once, and the identifiers. The name index waits for its
    /// first use, as a snapshot's does: most bulk sessions find nodes by id alone.
    pub(super) fn index_all_nodes(&mut self, count: usize) {
        self.by_id = self.id_index().into();
        self.by_name = std::sync::OnceLock::new();
        self.index_read_nodes(count);
    }

    /// Indexes the identifiers of nodes `0..count`, for a graph read whole (a snapshot); its
    /// id and name indexes wait for their first use.
    pub(super) fn index_read_nodes(&mut self, count: usize) {
        // The topology may still be being rebuilt (a snapshot read): index by number.
        self.reindex_identifiers_of((0..count).map(|i| NodeId(i as u32)));
    }

    pub(super) fn unindex_node(&mut self, node: NodeId) {
        self.unindex_identifiers(node);
        let (mut by_id, mut by_name) = self.built_indexes();
        if let Some(id) = self.node_str(node, ID_KEY) {
            let hash = self.strings.hash(id);
            if let Ok(entry) = by_id.find_entry(hash, |n| *n == node) {
                entry.remove();
            }
        }
        for name in self.lookup_names(node) {
            by_name.remove(&name, node);
        }
        self.by_id = by_id.into();
        self.by_name = by_name.into();
    }

    /// The nodes that carry `label`, in id order.
    pub fn nodes_with_label(&self, label: &str) -> &[NodeId] {
        self.symbols
            .get(label)
            .and_then(|sym| self.by_label.get(&sym))
            .map_or(&[], Vec::as_slice)
    }

    /// The relationships of type `rel_type`, in id order. Reads every relationship.
    pub fn edges_of_type(&self, rel_type: &str) -> Vec<EdgeId> {
        let Some(sym) = self.symbols.get(rel_type) else {
            return Vec::new();
        };
        self.graph
            .edge_references()
            .filter(|e| e.weight().rel_type == sym)
            .map(|e| edge_id(e.id()))
            .collect()
    }

    /// How many relationships have type `rel_type`.
    pub fn type_count(&self, rel_type: &str) -> usize {
        self.symbols
            .get(rel_type)
            .and_then(|sym| self.type_counts.get(&sym))
            .copied()
            .unwrap_or(0)
    }

    /// Every label in use, with how many nodes carry it, by name.
    pub fn label_counts(&self) -> BTreeMap<&str, usize> {
        self.by_label
            .iter()
            .filter(|(_, nodes)| !nodes.is_empty())
            .map(|(sym, nodes)| (self.symbols.name(*sym), nodes.len()))
            .collect()
    }

    /// Every relationship type in use, with how many relationships have it, by name.
    pub fn type_counts(&self) -> BTreeMap<&str, usize> {
        self.type_counts
            .iter()
            .filter(|(_, count)| **count > 0)
            .map(|(sym, count)| (self.symbols.name(*sym), *count))
            .collect()
    }

    /// Every property key ever set on a node or relationship, sorted.
    pub fn property_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = (0..self.symbols.len())
            .filter(|i| self.key_symbols.get(*i).copied().unwrap_or(false))
            .map(|i| self.symbols.name_at(i))
            .collect();
        keys.sort_unstable();
        keys
    }

    /// Whether any node or relationship was ever given the property `key`.
    pub fn has_property_key(&self, key: &str) -> bool {
        self.symbols
            .get(key)
            .is_some_and(|sym| self.key_symbols.get(sym.index()).copied().unwrap_or(false))
    }

    /// One more than the largest node index in use: the size of a table indexed by
    /// `NodeId::index`.
    pub fn node_index_bound(&self) -> usize {
        petgraph::visit::NodeIndexable::node_bound(&self.graph)
    }

    /// The node whose `id` property is `id`; the first by number when several have it (as the
    /// open schema allows).
    pub fn node_by_id(&self, id: &str) -> Option<NodeId> {
        // Looked up once per relationship end on loading: no list is built for the one node.
        let id_key = self.symbols.get(ID_KEY)?;
        self.by_id()
            .iter_hash(self.strings.hash(id))
            .filter(|n| self.node_props.get_str(n.index(), id_key, &self.strings) == Some(id))
            .min()
            .copied()
    }

    /// Every node whose `id` property is `id`, in id order: one at most under the alliance
    /// schema.
    pub fn nodes_by_id(&self, id: &str) -> Vec<NodeId> {
        self.nodes_by_id_except(id, None)
    }

    /// Every node whose `id` is `id`: one in a valid graph, more while a statement that breaks
    /// the rule is being checked.
    pub fn nodes_with_id(&self, id: &str) -> Vec<NodeId> {
        self.nodes_by_id(id)
    }

    /// The nodes other than `node` whose `id` is `id`, in order: what a check that the id is
    /// unused needs, without reading `node`'s own id back.
    pub fn other_nodes_with_id(&self, id: &str, node: NodeId) -> Vec<NodeId> {
        self.nodes_by_id_except(id, Some(node))
    }

    fn nodes_by_id_except(&self, id: &str, except: Option<NodeId>) -> Vec<NodeId> {
        let Some(id_key) = self.symbols.get(ID_KEY) else {
            return Vec::new();
        };
        let hash = self.strings.hash(id);
        let mut nodes: Vec<NodeId> = self
            .by_id()
            .iter_hash(hash)
            .filter(|n| Some(**n) != except)
            .filter(|n| self.node_props.get_str(n.index(), id_key, &self.strings) == Some(id))
            .copied()
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// The nodes named or aliased `name`, compared without case, accents or extra spaces, in
    /// the order they were indexed.
    pub fn nodes_by_name(&self, name: &str) -> Vec<NodeId> {
        self.nodes_by_name_except(name, None)
    }

    /// The nodes other than `node` named or aliased `name`, in the order they were indexed:
    /// what a check that the name is unused needs, without folding `node`'s own names again.
    pub fn other_nodes_by_name(&self, name: &str, node: NodeId) -> Vec<NodeId> {
        self.nodes_by_name_except(name, Some(node))
    }

    fn nodes_by_name_except(&self, name: &str, except: Option<NodeId>) -> Vec<NodeId> {
        let folded = fold_name(name);
        // The index is keyed by a hash of the name: a node found under it is checked.
        self.by_name()
            .candidates(&folded, except)
            .into_iter()
            .filter(|n| self.lookup_names(*n).contains(&folded))
            .collect()
    }

    /// Every `id` in the graph, for suggestions.
    pub fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.by_id()
            .iter()
            .filter_map(|n| self.node_str(*n, ID_KEY))
    }
}

/// The folded names a node is found by, from its name and its aliases (a list of strings;
/// anything else is not an alias), each once.
pub(super) fn folded_names(name: Option<&str>, aliases: Option<&Value>) -> Vec<String> {
    let aliases = aliases.and_then(Value::as_str_list).unwrap_or_default();
    let mut names: Vec<String> = name.into_iter().chain(aliases).map(fold_name).collect();
    names.sort();
    names.dedup();
    names
}

/// Lists `node` under its id, if it has one. Ids are unique under the alliance schema;
/// elsewhere, and while a statement that breaks the rule is checked, several nodes may be
/// listed under one id, so that removing one (or undoing its creation) leaves the others found.
pub(super) fn index_id(
    by_id: &mut hashbrown::HashTable<NodeId>,
    node_props: &Properties,
    strings: &StringPool,
    id_key: Sym,
    node: NodeId,
) {
    let id_of = |n: NodeId| node_props.get_str(n.index(), id_key, strings);
    let Some(id) = id_of(node) else { return };
    let hash = strings.hash(id);
    if by_id.find(hash, |n| *n == node).is_none() {
        by_id.insert_unique(hash, node, |n| strings.hash(id_of(*n).unwrap_or("")));
    }
}

pub(super) fn insert_sorted<T: Ord + Copy>(list: &mut Vec<T>, item: T) {
    // Ids mostly arrive in increasing order, so appending is the common case.
    if list.last().is_none_or(|last| *last < item) {
        list.push(item);
    } else if let Err(pos) = list.binary_search(&item) {
        list.insert(pos, item);
    }
}

pub(super) fn remove_sorted<T: Ord + Copy>(list: Option<&mut Vec<T>>, item: T) {
    if let Some(list) = list
        && let Ok(pos) = list.binary_search(&item)
    {
        list.remove(pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;

    /// The index built whole, its names folded on every core, lists each hash's nodes in the
    /// order listing the nodes one by one does, shared names and aliases included.
    #[test]
    fn the_name_index_built_whole_is_the_one_built_node_by_node() {
        let mut graph = Graph::new(Schema::Open);
        for i in 0..3 * NAME_PART_LEAST + 7 {
            // A name in seven is another node's too; a node in five has aliases, some shared.
            let name = Value::from(format!("Firm {}", if i % 7 == 0 { i % 70 } else { i }));
            let mut props = vec![("name", name)];
            if i % 5 == 0 {
                let aliases = vec![Value::from(format!("F{}", i % 11)), Value::from("FIRM 0")];
                props.push(("aliases", Value::List(aliases)));
            }
            graph.add_node(["Company"], props);
        }
        let mut one_by_one = NameIndex::with_capacity(graph.node_count());
        for node in graph.nodes() {
            for folded in graph.lookup_names(node) {
                one_by_one.insert(&folded, node);
            }
        }
        let whole = graph.name_index();
        assert!(whole.entries().iter().any(|(_, nodes)| nodes.len() > 2));
        assert_eq!(whole.entries(), one_by_one.entries());
    }
}
