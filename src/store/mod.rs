//! The graph store: a labelled property multigraph over petgraph, with its indexes.
//!
//! This is the only module that names petgraph. Nodes carry labels and properties,
//! relationships carry one type and properties, and any number of relationships may join the
//! same pair of nodes. Node and relationship ids stay valid when other elements are removed.
//!
//! **Invariant:** no method panics on the id of an element that is gone (deleted, or never
//! there): readers answer `None` or nothing, writers change nothing.
//!
//! **Invariant:** the indexes (by `id`, by folded name and alias, by label, by relationship
//! type) always describe the current elements. Every mutation goes through a method here that
//! keeps them in step; nothing outside can reach the petgraph graph.
//!
//! This file owns the id types, the `Graph` itself and every method that changes it;
//! `indexes.rs` keeps and answers the indexes, `elements.rs` reads elements and their
//! properties.

mod adjacency;
mod append;
mod constraints;
mod derived;
mod elements;
mod indexes;
mod linking;
mod names;
mod properties;
mod records;
pub mod snapshot;
mod stats;
mod strings;
mod symbols;
pub(crate) mod threads;
mod undo;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};

use crate::model::{Date, FxRate, Schema, Source, Standing, Value, Vocabulary};
pub use adjacency::{Adjacency, out_degrees};
pub use append::{
    ColumnValues, EdgeColumn, EdgeRows, EdgeSink, NewEdge, NodeSink, PropRow, RowValue,
};
pub use constraints::UniqueConstraint;
use indexes::{insert_sorted, remove_sorted};
use names::NameIndex;
use properties::Properties;
pub use properties::Scalar;
pub use records::{DataSet, RecordError};
pub use stats::Stats;
use strings::StringPool;
use symbols::{LabelSet, LabelSets, Sym, Symbols};
pub use undo::{Change, ChangeCounts, Changes, Renumbering, ReplayError, Witness};

/// Which way a relationship points, seen from a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Relationships that start at the node.
    Outgoing,
    /// Relationships that end at the node.
    Incoming,
}

/// Identifies a node for as long as the node exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

/// Identifies a relationship for as long as it exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeId(u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The node numbered `index` (see `index`), which may be gone: a front end that named a
    /// node by its number reads it back this way, and the readers answer nothing for a gone one.
    pub fn from_index(index: usize) -> Option<NodeId> {
        u32::try_from(index).ok().map(NodeId)
    }
}

impl EdgeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The relationship numbered `index`, which may be gone, as `NodeId::from_index`.
    pub fn from_index(index: usize) -> Option<EdgeId> {
        u32::try_from(index).ok().map(EdgeId)
    }
}

fn nx(id: NodeId) -> NodeIndex {
    NodeIndex::new(id.0 as usize)
}

fn ex(id: EdgeId) -> EdgeIndex {
    EdgeIndex::new(id.0 as usize)
}

fn node_id(ix: NodeIndex) -> NodeId {
    NodeId(ix.index() as u32)
}

fn edge_id(ix: EdgeIndex) -> EdgeId {
    EdgeId(ix.index() as u32)
}

/// Puts `item` in a slot of `slots` that `free` lists, or else in a new one; returns the slot.
fn put_in_slot<T>(slots: &mut Vec<T>, free: &mut Vec<u32>, item: T) -> u32 {
    match free.pop() {
        Some(slot) => {
            slots[slot as usize] = item;
            slot
        }
        None => {
            slots.push(item);
            (slots.len() - 1) as u32
        }
    }
}

/// The property key that names a node's unique id.
pub const ID_KEY: &str = "id";
/// The property key of a node's display name.
pub const NAME_KEY: &str = "name";
/// The property key of a node's other names.
pub const ALIASES_KEY: &str = "aliases";

// Elements in the petgraph graph hold only what identifies their kind; properties live in
// columns beside it (`properties`), indexed by element number.
#[derive(Clone, Copy, Debug)]
struct NodeData {
    labels: LabelSet,
}

#[derive(Clone, Copy, Debug)]
struct EdgeData {
    rel_type: Sym,
}

/// Bytes held by each part of a graph, as `Graph::memory_use` estimates them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUse {
    pub topology: usize,
    pub node_properties: usize,
    pub edge_properties: usize,
    pub strings: usize,
    pub indexes: usize,
}

impl MemoryUse {
    pub fn total(&self) -> usize {
        self.topology + self.node_properties + self.edge_properties + self.strings + self.indexes
    }
}

/// A graph's vocabulary, shared between the graph and its copies; the built-in one by default.
#[derive(Clone, Debug)]
struct SharedVocabulary(Arc<Vocabulary>);

impl Default for SharedVocabulary {
    fn default() -> Self {
        SharedVocabulary(Vocabulary::built_in())
    }
}

/// A labelled property multigraph with the indexes alliance work needs.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    graph: StableDiGraph<NodeData, EdgeData, u32>,
    symbols: Symbols,
    label_sets: LabelSets,
    strings: StringPool,
    node_props: Properties,
    edge_props: Properties,
    schema: Schema,
    /// The kinds, ties and properties the alliance schema checks against: the built-in
    /// vocabulary, or one a data file extended.
    vocabulary: SharedVocabulary,
    // Node numbers hashed by their id string and checked against it: 4 bytes a node, and a
    // lookup reads the table, the node's id cell and the string. Both this and the name
    // index are built on first use for a graph read whole (a snapshot), and before the first
    // change to its nodes, so that opening a graph only to follow its ties costs neither.
    by_id: std::sync::OnceLock<hashbrown::HashTable<NodeId>>,
    by_name: std::sync::OnceLock<NameIndex>,
    // Identifiers (`lei`, `wikidata`: properties named after a scheme of the vocabulary), by
    // scheme and value, each list sorted; few nodes carry one, so a map costs little.
    by_identifier: HashMap<(Sym, String), Vec<NodeId>>,
    // The symbols of the vocabulary's schemes that are interned, so that indexing a node
    // costs nothing when no scheme is in use.
    identifier_keys: Vec<Sym>,
    // Sorted lists: a few bytes per element, and removal is rare.
    by_label: HashMap<Sym, Vec<NodeId>>,
    // Counts, not lists: a list of every relationship by type would cost 4 bytes each, and
    // only the counts are read often.
    type_counts: HashMap<Sym, usize>,
    // Which symbols have been used as a property key, by symbol index: a flag per symbol
    // costs nothing on bulk imports, where a set insert per property would.
    key_symbols: Vec<bool>,
    sources: BTreeMap<String, Source>,
    /// The exchange rates the data gives, in the order given (`model::money::pick_rate`).
    fx_rates: Vec<FxRate>,
    /// Relationships may cite no source: the graph came from a data file that says
    /// `allow_unsourced = true`, or from a CSV import. Writes never set it.
    allow_unsourced: bool,
    /// Built on first request, dropped at every change of topology.
    adjacency: std::sync::OnceLock<Adjacency>,
    /// While a statement runs: how to undo each change it made, oldest first.
    undo: Option<Vec<undo::Undo>>,
    /// The date of a dated view (`as_of`); none for the whole graph.
    view_date: Option<Date>,
    /// Uniqueness constraints (`CREATE CONSTRAINT`), in the order they were made.
    constraints: Vec<UniqueConstraint>,
}

/// What `Graph::as_of` hid and kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AsOfCounts {
    /// Hidden: dated later than the date.
    pub later: usize,
    /// Hidden: ended on or before the date.
    pub ended: usize,
    /// Hidden: cancelled deals, which never held.
    pub cancelled: usize,
    /// Kept: relationships without a date (which have always begun).
    pub undated: usize,
    /// Kept: ending in a month or a year that includes the date, so they may have ended.
    pub may_have_ended: usize,
}

impl AsOfCounts {
    /// How many relationships the view hides.
    pub fn hidden(&self) -> usize {
        self.later + self.ended + self.cancelled
    }
}

impl Graph {
    /// An empty graph checked against `schema`.
    pub fn new(schema: Schema) -> Graph {
        Graph {
            schema,
            ..Graph::default()
        }
    }

    /// An empty graph with room for `nodes` nodes and `edges` relationships.
    pub fn with_capacity(schema: Schema, nodes: usize, edges: usize) -> Graph {
        let mut graph = Graph {
            graph: StableDiGraph::with_capacity(nodes, edges),
            by_id: hashbrown::HashTable::with_capacity(nodes).into(),
            by_name: NameIndex::with_capacity(nodes).into(),
            ..Graph::new(schema)
        };
        graph.node_props.reserve(nodes);
        graph.edge_props.reserve(edges);
        // Ids and names are mostly distinct; other strings mostly repeat.
        graph.strings.reserve(2 * nodes, 24 * nodes);
        graph
    }

    pub fn schema(&self) -> Schema {
        self.schema
    }

    /// The graph as it stood on `date`, by the rule of `model::standing`: relationships
    /// that had not begun (dated later; a month or a year counts from its first day, so
    /// `2025-09` is kept on 2025-09-15), had ended, or were cancelled are left out. Returns
    /// the copy, which knows its date (`view_date`), and what was hidden and kept.
    pub fn as_of(&self, date: Date) -> (Graph, AsOfCounts) {
        let mut view = self.clone();
        view.undo = None;
        view.view_date = Some(date);
        let mut counts = AsOfCounts::default();
        let mut hidden = Vec::new();
        for edge in self.edges() {
            let standing = self.edge_standing(edge, date);
            if standing.holds() && !matches!(self.edge_prop(edge, "date"), Some(Value::Date(_))) {
                counts.undated += 1;
            }
            match standing {
                Standing::Holds => {}
                Standing::MayHold => counts.may_have_ended += 1,
                Standing::NotBegun => {
                    counts.later += 1;
                    hidden.push(edge);
                }
                Standing::Ended => {
                    counts.ended += 1;
                    hidden.push(edge);
                }
                Standing::Cancelled => {
                    counts.cancelled += 1;
                    hidden.push(edge);
                }
            }
        }
        for edge in hidden {
            view.remove_edge(edge);
        }
        (view, counts)
    }

    /// How relationship `edge` stands on `date` (see `model::standing`), from its `date`,
    /// `end_date` and `status`; a missing relationship has not begun.
    pub fn edge_standing(&self, edge: EdgeId, date: Date) -> Standing {
        if self.edge_endpoints(edge).is_none() {
            return Standing::NotBegun;
        }
        let day = |key| match self.edge_prop(edge, key) {
            Some(Value::Date(d)) => Some(d),
            _ => None,
        };
        crate::model::standing(
            day("date"),
            day("end_date"),
            self.edge_str(edge, "status"),
            date,
        )
    }

    /// The date this graph is a dated view of (`as_of`), if it is one.
    pub fn view_date(&self) -> Option<Date> {
        self.view_date
    }

    /// The day ties are judged on: the view's date, or today for the whole graph.
    pub fn judged_on(&self) -> Date {
        self.view_date.unwrap_or_else(crate::model::today)
    }

    /// The vocabulary the graph's data is checked against.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary.0
    }

    /// The vocabulary, shared, for work that changes the graph while it reads it.
    pub fn shared_vocabulary(&self) -> Arc<Vocabulary> {
        Arc::clone(&self.vocabulary.0)
    }

    /// Sets the vocabulary later checks read (a data file's extension of the built-in one).
    pub fn set_vocabulary(&mut self, vocabulary: Arc<Vocabulary>) {
        self.vocabulary = SharedVocabulary(vocabulary);
        self.reindex_identifiers();
    }

    /// Changes the rules later writes are checked against.
    pub fn set_schema(&mut self, schema: Schema) {
        self.schema = schema;
    }

    /// Whether relationships may cite no source (see `set_allow_unsourced`).
    pub fn allow_unsourced(&self) -> bool {
        self.allow_unsourced
    }

    /// Lets relationships cite no source, as a data file with `allow_unsourced = true` and a
    /// CSV import do. It is saved with the graph, as it was loaded.
    pub fn set_allow_unsourced(&mut self, allow: bool) {
        self.allow_unsourced = allow;
    }

    /// Roughly how many bytes each part of the store holds, for reports.
    pub fn memory_use(&self) -> MemoryUse {
        use std::mem::size_of;
        let (nodes, edges) = (self.graph.node_count(), self.graph.edge_count());
        MemoryUse {
            // A petgraph node is its weight and two list heads; an edge adds its two ends.
            topology: self.node_index_bound() * (size_of::<Option<NodeData>>() + 8)
                + edges * (size_of::<Option<EdgeData>>() + 16),
            node_properties: self.node_props.heap_bytes(),
            edge_properties: self.edge_props.heap_bytes(),
            strings: self.strings.heap_bytes(),
            indexes: self.adjacency.get().map_or(0, Adjacency::heap_bytes)
                + self.by_id.get().map_or(0, |by_id| by_id.capacity() * 5)
                + self.by_name.get().map_or(0, NameIndex::heap_bytes)
                + nodes * 4,
        }
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    // ----- writing -------------------------------------------------------------------------

    /// Adds a node. Labels and keys are interned; the indexes learn its id and names.
    pub fn add_node<'a>(
        &mut self,
        labels: impl IntoIterator<Item = &'a str>,
        props: impl IntoIterator<Item = (&'a str, Value)>,
    ) -> NodeId {
        let mut label_syms: Vec<Sym> = labels.into_iter().map(|l| self.symbols.intern(l)).collect();
        label_syms.sort_unstable();
        label_syms.dedup();
        let labels = self.label_sets.intern(&label_syms);
        self.adjacency.take();
        let id = node_id(self.graph.add_node(NodeData { labels }));
        let logged = self.set_all_props(id.index(), props, true);
        for label in &label_syms {
            insert_sorted(self.by_label.entry(*label).or_default(), id);
        }
        self.index_node(id);
        if let Some(props) = logged {
            self.log(undo::Undo::NodeAdded {
                id,
                labels: label_syms,
                props,
            });
        }
        id
    }

    /// Adds a relationship of type `rel_type` from `from` to `to`; `None`, changing nothing,
    /// when either node does not exist (any more).
    pub fn add_edge<'a>(
        &mut self,
        from: NodeId,
        to: NodeId,
        rel_type: &str,
        props: impl IntoIterator<Item = (&'a str, Value)>,
    ) -> Option<EdgeId> {
        if !self.contains_node(from) || !self.contains_node(to) {
            return None;
        }
        let rel_type = self.symbols.intern(rel_type);
        self.adjacency.take();
        let id = edge_id(self.graph.add_edge(nx(from), nx(to), EdgeData { rel_type }));
        let logged = self.set_all_props(id.index(), props, false);
        *self.type_counts.entry(rel_type).or_default() += 1;
        if let Some(props) = logged {
            self.log(undo::Undo::EdgeAdded {
                id,
                from,
                to,
                rel_type,
                props,
            });
        }
        Some(id)
    }

    /// Removes a relationship; returns false when it did not exist.
    pub fn remove_edge(&mut self, edge: EdgeId) -> bool {
        let Some((from, to)) = self.graph.edge_endpoints(ex(edge)) else {
            return false;
        };
        let Some(data) = self.graph.remove_edge(ex(edge)) else {
            return false;
        };
        self.adjacency.take();
        if let Some(count) = self.type_counts.get_mut(&data.rel_type) {
            *count -= 1;
        }
        let props = self.edge_props.take_all(edge.index(), &self.strings);
        self.log(undo::Undo::EdgeRemoved {
            id: edge,
            from: node_id(from),
            to: node_id(to),
            rel_type: data.rel_type,
            props,
        });
        true
    }

    /// Removes a node and every relationship that touches it; returns false when it did not
    /// exist.
    pub fn remove_node(&mut self, node: NodeId) -> bool {
        if !self.contains_node(node) {
            return false;
        }
        let touching: Vec<EdgeId> = self
            .edges_of(node, Direction::Outgoing)
            .chain(self.edges_of(node, Direction::Incoming))
            .map(|(e, _)| e)
            .collect();
        for edge in touching {
            self.remove_edge(edge);
        }
        self.unindex_node(node);
        let data = self.graph.remove_node(nx(node)).expect("checked above");
        self.adjacency.take();
        let labels = self.label_sets.labels(data.labels).to_vec();
        for label in &labels {
            remove_sorted(self.by_label.get_mut(label), node);
        }
        let props = self.node_props.take_all(node.index(), &self.strings);
        self.log(undo::Undo::NodeRemoved {
            id: node,
            labels,
            props,
        });
        true
    }

    /// Adds labels to a node; returns how many it did not have.
    pub fn add_labels<'a>(
        &mut self,
        node: NodeId,
        labels: impl IntoIterator<Item = &'a str>,
    ) -> usize {
        self.change_labels(node, labels, true)
    }

    /// Removes labels from a node; returns how many it had.
    pub fn remove_labels<'a>(
        &mut self,
        node: NodeId,
        labels: impl IntoIterator<Item = &'a str>,
    ) -> usize {
        self.change_labels(node, labels, false)
    }

    /// Adds (`add`) or removes labels; returns how many changed. A label no node has ever had
    /// is not learnt by a removal.
    fn change_labels<'a>(
        &mut self,
        node: NodeId,
        labels: impl IntoIterator<Item = &'a str>,
        add: bool,
    ) -> usize {
        let mut changed = 0;
        for label in labels {
            let sym = if add {
                self.symbols.intern(label)
            } else if let Some(sym) = self.symbols.get(label) {
                sym
            } else {
                continue;
            };
            if !self.contains_node(node) {
                return changed;
            }
            if self.change_label(node, sym, add) {
                changed += 1;
            }
        }
        changed
    }

    /// Sets (or, with `Value::Null`, removes) a node property, keeping the indexes in step.
    ///
    /// Does nothing when the node does not exist.
    pub fn set_node_prop(&mut self, node: NodeId, key: &str, value: Value) {
        if !self.contains_node(node) {
            return;
        }
        self.unindex_node(node);
        let key = self.intern_key(key);
        let new = self.undo.is_some().then(|| value.clone());
        let old = self
            .node_props
            .set(node.index(), key, value, &mut self.strings);
        self.index_node(node);
        if let Some(new) = new {
            self.log(undo::Undo::NodeProp {
                node,
                key,
                old,
                new,
            });
        }
    }

    /// Sets (or, with `Value::Null`, removes) a relationship property.
    ///
    /// Does nothing when the relationship does not exist.
    pub fn set_edge_prop(&mut self, edge: EdgeId, key: &str, value: Value) {
        if !self.contains_edge(edge) {
            return;
        }
        let key = self.intern_key(key);
        let new = self.undo.is_some().then(|| value.clone());
        let old = self
            .edge_props
            .set(edge.index(), key, value, &mut self.strings);
        if let Some(new) = new {
            self.log(undo::Undo::EdgeProp {
                edge,
                key,
                old,
                new,
            });
        }
    }

    /// Records a source; a later source with the same id replaces it.
    pub fn add_source(&mut self, source: Source) {
        self.sources.insert(source.id.clone(), source);
    }

    /// Records an exchange rate (`[[fx_rate]]`), after those already held.
    pub fn add_fx_rate(&mut self, rate: FxRate) {
        self.fx_rates.push(rate);
    }

    /// Gives a new element its properties (a later duplicate key wins, null sets nothing);
    /// returns them as set when a statement is being logged.
    fn set_all_props<'a>(
        &mut self,
        index: usize,
        props: impl IntoIterator<Item = (&'a str, Value)>,
        on_node: bool,
    ) -> Option<Vec<(Sym, Value)>> {
        for (key, value) in props {
            let key = self.intern_key(key);
            let table = if on_node {
                &mut self.node_props
            } else {
                &mut self.edge_props
            };
            table.set(index, key, value, &mut self.strings);
        }
        // What a replay needs, copied only while a statement is logged.
        self.undo.is_some().then(|| {
            let table = if on_node {
                &self.node_props
            } else {
                &self.edge_props
            };
            table.iter(index, &self.strings).collect()
        })
    }

    /// Puts a node in the label set with `label` added or taken away, keeping the label index
    /// in step and logging the change; false when that changes nothing.
    fn change_label(&mut self, node: NodeId, label: Sym, add: bool) -> bool {
        let Some(data) = self.graph.node_weight(nx(node)).copied() else {
            return false;
        };
        let mut labels = self.label_sets.labels(data.labels).to_vec();
        match (labels.binary_search(&label), add) {
            (Err(at), true) => labels.insert(at, label),
            (Ok(at), false) => {
                labels.remove(at);
            }
            _ => return false,
        }
        let set = self.label_sets.intern(&labels);
        if let Some(data) = self.graph.node_weight_mut(nx(node)) {
            data.labels = set;
        }
        if add {
            insert_sorted(self.by_label.entry(label).or_default(), node);
            self.log(undo::Undo::LabelAdded(node, label));
        } else {
            remove_sorted(self.by_label.get_mut(&label), node);
            self.log(undo::Undo::LabelRemoved(node, label));
        }
        true
    }

    fn intern_key(&mut self, key: &str) -> Sym {
        intern_property_key(
            &mut self.symbols,
            &self.vocabulary.0,
            &mut self.identifier_keys,
            &mut self.key_symbols,
            key,
        )
    }

    /// Notes that `sym` names a property key.
    fn mark_key(&mut self, sym: Sym) {
        mark_property_key(&mut self.key_symbols, sym);
    }
}

/// `Graph::intern_key` on the parts of a graph it changes, for a bulk append that links
/// petgraph's lists on another thread meanwhile: a new identifier scheme's symbol joins the
/// identifier keys, and the symbol is marked as naming a property key.
fn intern_property_key(
    symbols: &mut Symbols,
    vocabulary: &Vocabulary,
    identifier_keys: &mut Vec<Sym>,
    key_symbols: &mut Vec<bool>,
    key: &str,
) -> Sym {
    let known = symbols.len();
    let sym = symbols.intern(key);
    if symbols.len() > known && vocabulary.identifier(key).is_some() {
        identifier_keys.push(sym);
    }
    mark_property_key(key_symbols, sym);
    sym
}

fn mark_property_key(key_symbols: &mut Vec<bool>, sym: Sym) {
    if key_symbols.len() <= sym.index() {
        key_symbols.resize(sym.index() + 1, false);
    }
    key_symbols[sym.index()] = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(g: &mut Graph, id: &str, name: &str, aliases: &[&str]) -> NodeId {
        let aliases = Value::List(aliases.iter().map(|a| Value::from(*a)).collect());
        g.add_node(
            ["Company"],
            [
                ("id", Value::from(id)),
                ("name", Value::from(name)),
                ("aliases", aliases),
            ],
        )
    }

    #[test]
    fn parallel_edges_of_different_types_join_one_pair() {
        let mut g = Graph::new(Schema::Open);
        let a = company(&mut g, "a", "A", &[]);
        let b = company(&mut g, "b", "B", &[]);
        let e1 = g.add_edge(a, b, "INVESTS_IN", []).unwrap();
        let e2 = g.add_edge(a, b, "SUPPLIES", []).unwrap();
        let e3 = g.add_edge(a, b, "INVESTS_IN", []).unwrap();
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.edges_of_type("INVESTS_IN"), vec![e1, e3]);
        assert_eq!(g.edges_of_type("SUPPLIES"), vec![e2]);
        let out: Vec<_> = g.edges_of(a, Direction::Outgoing).map(|(e, _)| e).collect();
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn removal_keeps_other_ids_and_indexes_valid() {
        let mut g = Graph::new(Schema::Open);
        let a = company(&mut g, "a", "Alpha", &["Alpha Corp"]);
        let b = company(&mut g, "b", "Beta", &[]);
        let c = company(&mut g, "c", "Gamma", &[]);
        let keep = g.add_edge(b, c, "SUPPLIES", []).unwrap();
        g.add_edge(a, b, "INVESTS_IN", []);
        assert!(g.remove_node(a));
        assert!(!g.remove_node(a));
        assert_eq!(g.node_by_id("a"), None);
        assert!(g.nodes_by_name("alpha corp").is_empty());
        assert_eq!(g.node_by_id("c"), Some(c));
        assert_eq!(g.edges_of_type("INVESTS_IN"), Vec::<EdgeId>::new());
        assert_eq!(g.edges_of_type("SUPPLIES"), vec![keep]);
        assert_eq!(g.edge_endpoints(keep), Some((b, c)));
        assert_eq!(g.nodes_with_label("Company"), &[b, c]);
    }

    #[test]
    fn name_index_ignores_case_accents_and_spaces_and_follows_updates() {
        let mut g = Graph::new(Schema::Open);
        let n = company(&mut g, "sg", "Société Générale", &["SocGen"]);
        assert_eq!(g.nodes_by_name("societe  GENERALE"), &[n]);
        assert_eq!(g.nodes_by_name("socgen"), &[n]);
        g.set_node_prop(n, "name", Value::from("SG"));
        assert!(g.nodes_by_name("societe generale").is_empty());
        assert_eq!(g.nodes_by_name("sg"), &[n]);
        g.set_node_prop(n, "id", Value::from("sg2"));
        assert_eq!(g.node_by_id("sg"), None);
        assert_eq!(g.node_by_id("sg2"), Some(n));
    }

    #[test]
    fn null_removes_a_property() {
        let mut g = Graph::new(Schema::Open);
        let n = company(&mut g, "x", "X", &[]);
        g.set_node_prop(n, "country", Value::from("FR"));
        assert_eq!(g.node_prop(n, "country"), Some(Value::from("FR")));
        g.set_node_prop(n, "country", Value::Null);
        assert_eq!(g.node_prop(n, "country"), None);
    }
}
