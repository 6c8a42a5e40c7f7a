//! Reading elements: whether they exist, iterating them, a node's labels, a relationship's
//! type and ends, the properties of either, neighbours, sources and display names.
//!
//! **Invariant:** every reader answers nothing (`None`, no labels, no properties, an empty
//! type) for an element that is gone, and never panics.

use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use super::symbols::Sym;
use super::{
    Adjacency, Direction, EdgeId, Graph, ID_KEY, NAME_KEY, NodeId, edge_id, ex, node_id, nx,
};
use crate::model::{Source, Value};

impl Graph {
    pub fn contains_node(&self, node: NodeId) -> bool {
        self.graph.contains_node(nx(node))
    }

    pub fn contains_edge(&self, edge: EdgeId) -> bool {
        self.graph.edge_weight(ex(edge)).is_some()
    }

    /// Every node, in id order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.graph.node_indices().map(node_id)
    }

    /// Every relationship, in id order.
    pub fn edges(&self) -> impl Iterator<Item = EdgeId> + '_ {
        self.graph.edge_indices().map(edge_id)
    }

    pub(super) fn label_syms(&self, node: NodeId) -> &[Sym] {
        self.graph
            .node_weight(nx(node))
            .map_or(&[][..], |d| self.label_sets.labels(d.labels))
    }

    /// A node's labels; none when the node does not exist (any more).
    pub fn node_labels(&self, node: NodeId) -> impl Iterator<Item = &str> + '_ {
        self.label_syms(node)
            .iter()
            .map(|sym| self.symbols.name(*sym))
    }

    pub fn node_has_label(&self, node: NodeId, label: &str) -> bool {
        self.symbols
            .get(label)
            .is_some_and(|sym| self.label_syms(node).contains(&sym))
    }

    pub fn node_prop(&self, node: NodeId, key: &str) -> Option<Value> {
        let key = self.symbols.get(key)?;
        self.node_props.get(node.index(), key, &self.strings)
    }

    /// A node's string property, without copying it; `None` for other kinds of value.
    pub fn node_str(&self, node: NodeId, key: &str) -> Option<&str> {
        let key = self.symbols.get(key)?;
        self.node_props.get_str(node.index(), key, &self.strings)
    }

    /// A node's number property as a float, without building a value.
    pub fn node_f64(&self, node: NodeId, key: &str) -> Option<f64> {
        let key = self.symbols.get(key)?;
        self.node_props.get_f64(node.index(), key)
    }

    /// Whether a node has the property `key`.
    pub fn node_has_prop(&self, node: NodeId, key: &str) -> bool {
        self.symbols
            .get(key)
            .is_some_and(|key| self.node_props.has(node.index(), key))
    }

    /// A node's properties, keys in the order they were first used in the graph.
    pub fn node_props(&self, node: NodeId) -> impl Iterator<Item = (&str, Value)> + '_ {
        self.node_props
            .iter(node.index(), &self.strings)
            .map(|(k, v)| (self.symbols.name(k), v))
    }

    /// A node's properties but its texts (a string, a list of one string), without copying
    /// any text: what a check of its numbers needs.
    pub fn node_non_text_props(&self, node: NodeId) -> impl Iterator<Item = (&str, Value)> + '_ {
        self.node_props
            .iter_non_text(node.index(), &self.strings)
            .map(|(k, v)| (self.symbols.name(k), v))
    }

    /// A relationship's type; empty when it does not exist (any more).
    pub fn edge_type(&self, edge: EdgeId) -> &str {
        self.graph
            .edge_weight(ex(edge))
            .map_or("", |d| self.symbols.name(d.rel_type))
    }

    /// The start and end node of a relationship, or `None` when it does not exist (any more).
    pub fn edge_endpoints(&self, edge: EdgeId) -> Option<(NodeId, NodeId)> {
        let (a, b) = self.graph.edge_endpoints(ex(edge))?;
        Some((node_id(a), node_id(b)))
    }

    pub fn edge_prop(&self, edge: EdgeId, key: &str) -> Option<Value> {
        let key = self.symbols.get(key)?;
        self.edge_props.get(edge.index(), key, &self.strings)
    }

    /// A relationship's number property as a float, without building a value.
    pub fn edge_f64(&self, edge: EdgeId, key: &str) -> Option<f64> {
        let key = self.symbols.get(key)?;
        self.edge_props.get_f64(edge.index(), key)
    }

    /// A relationship's string property, without copying it; `None` for other kinds of value.
    pub fn edge_str(&self, edge: EdgeId, key: &str) -> Option<&str> {
        let key = self.symbols.get(key)?;
        self.edge_props.get_str(edge.index(), key, &self.strings)
    }

    /// A relationship's property that is a list of one string, as that string, without
    /// copying it (`None` for any other value, a list of one string boxed among them).
    pub fn edge_one_text(&self, edge: EdgeId, key: &str) -> Option<&str> {
        let key = self.symbols.get(key)?;
        self.edge_props
            .get_one_text(edge.index(), key, &self.strings)
    }

    /// A relationship's properties but `key`, without decoding that one.
    pub fn edge_props_except(
        &self,
        edge: EdgeId,
        key: &str,
    ) -> impl Iterator<Item = (&str, Value)> + '_ {
        self.edge_props
            .iter_except(edge.index(), self.symbols.get(key), &self.strings)
            .map(|(k, v)| (self.symbols.name(k), v))
    }

    /// Whether a relationship has the property `key`.
    pub fn edge_has_prop(&self, edge: EdgeId, key: &str) -> bool {
        self.symbols
            .get(key)
            .is_some_and(|key| self.edge_props.has(edge.index(), key))
    }

    /// A relationship's properties, keys in the order they were first used in the graph.
    pub fn edge_props(&self, edge: EdgeId) -> impl Iterator<Item = (&str, Value)> + '_ {
        self.edge_props
            .iter(edge.index(), &self.strings)
            .map(|(k, v)| (self.symbols.name(k), v))
    }

    /// Every node's neighbours either way, side by side in memory: for searches that ignore
    /// direction and type. Built on the first call after a change (8 bytes a relationship).
    pub fn adjacency(&self) -> &Adjacency {
        self.adjacency.get_or_init(|| Adjacency::build(self))
    }

    /// Every relationship with its start and end node, in id order.
    pub fn edges_with_ends(&self) -> impl Iterator<Item = (EdgeId, NodeId, NodeId)> + '_ {
        self.graph
            .edge_references()
            .map(|e| (edge_id(e.id()), node_id(e.source()), node_id(e.target())))
    }

    /// One more than the highest relationship number in use.
    pub(super) fn edge_index_bound(&self) -> usize {
        petgraph::visit::EdgeIndexable::edge_bound(&self.graph)
    }

    /// The two ends of each relationship numbered in `numbers`, in relationship order.
    pub(super) fn edge_pairs_in(
        &self,
        numbers: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        numbers.filter_map(|i| {
            let (from, to) = self
                .graph
                .edge_endpoints(petgraph::stable_graph::EdgeIndex::new(i))?;
            Some((node_id(from), node_id(to)))
        })
    }

    /// The relationships leaving (`Outgoing`) or entering (`Incoming`) a node, each with the
    /// node at its other end.
    pub fn edges_of(
        &self,
        node: NodeId,
        direction: Direction,
    ) -> impl Iterator<Item = (EdgeId, NodeId)> + '_ {
        let petgraph_direction = match direction {
            Direction::Outgoing => petgraph::Direction::Outgoing,
            Direction::Incoming => petgraph::Direction::Incoming,
        };
        self.graph
            .edges_directed(nx(node), petgraph_direction)
            .map(move |e| {
                let other = if direction == Direction::Outgoing {
                    e.target()
                } else {
                    e.source()
                };
                (edge_id(e.id()), node_id(other))
            })
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.get(id)
    }

    /// Every source, by id.
    pub fn sources(&self) -> impl Iterator<Item = &Source> + '_ {
        self.sources.values()
    }

    /// The exchange rates the data gives, in the order given.
    pub fn fx_rates(&self) -> &[crate::model::FxRate] {
        &self.fx_rates
    }

    /// A relationship's amount in US dollars, as the rules derive it from `amount`, `currency`
    /// (USD when absent), `date` and the graph's rates: `Some(None)` when the graph has no
    /// rate for its currency, `None` when it has no `amount` (or an unreadable one).
    pub fn derived_usd(&self, edge: EdgeId) -> Option<Option<f64>> {
        let amount = self.edge_f64(edge, "amount")?;
        let currency = self
            .edge_str(edge, "currency")
            .unwrap_or(crate::model::money::DEFAULT_CURRENCY);
        let date = self.edge_prop(edge, "date").and_then(|d| d.as_date());
        Some(
            crate::model::money::usd_value(amount, currency, date, &self.fx_rates)
                .map(|(usd, _)| usd),
        )
    }

    pub fn source_count(&self) -> usize {
        self.sources.len()
    }

    /// A short human label for a node: its name, else its id, else its internal number.
    /// A node's id, or what `display_name` shows when it has none.
    pub fn display_id(&self, node: NodeId) -> String {
        match self.node_str(node, ID_KEY) {
            Some(id) => id.to_owned(),
            None => self.display_name(node),
        }
    }

    pub fn display_name(&self, node: NodeId) -> String {
        match (self.node_str(node, NAME_KEY), self.node_str(node, ID_KEY)) {
            (Some(name), _) => name.to_owned(),
            (_, Some(id)) => id.to_owned(),
            _ => format!("#{}", node.0),
        }
    }
}
