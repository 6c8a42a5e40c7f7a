//! Appending many nodes or relationships at once, for a bulk import: the same graph as adding
//! them one by one, built in less time.
//!
//! Adding a relationship alone looks up its type's and each key's symbol by name, makes a list
//! of its properties and links it into petgraph's lists; for millions of rows that is most of
//! an import. Here the names are looked up once, the properties go straight into their columns
//! on the calling thread, and the topology is linked on a thread of its own meanwhile. A
//! property given as a column (a bulk file's amounts, dates and stakes) has its cells encoded
//! on a thread of its own too, and put in place whole: only the first row with a value makes
//! the column, where one by one would.
//!
//! **Invariant:** the result is the graph `add_edge` would have made, relationship by
//! relationship: the same numbers, symbols interned in the same order, the same columns in
//! the same order, the same strings in the same order in the pool.

use super::properties::{NewCells, Scalar};
use super::symbols::Sym;
use super::{EdgeData, Graph, NodeId, linking};
use crate::model::Value;

/// A relationship for `Graph::append_edges`: its ends and its type, as a place in the list
/// of type names.
#[derive(Clone, Copy, Debug)]
pub struct NewEdge {
    pub from: NodeId,
    pub to: NodeId,
    pub rel: usize,
}

/// A property value in a bulk row: text still in the file it was read from, a list of that
/// one text (a tie's `sources`), or a value. Text is interned straight from the file, not
/// copied into a `Value` first.
#[derive(Clone, Debug)]
pub enum RowValue<'r> {
    Text(&'r str),
    OneTextList(&'r str),
    Value(Value),
}

impl RowValue<'_> {
    fn into_value(self) -> Value {
        match self {
            RowValue::Text(text) => Value::from(text),
            RowValue::OneTextList(text) => Value::List(vec![Value::from(text)]),
            RowValue::Value(value) => value,
        }
    }
}

/// One element's properties, each a place in the list of keys and a value, in the order
/// they are set.
pub type PropRow<'r> = dyn Iterator<Item = (usize, RowValue<'r>)> + 'r;

/// A node's properties, as `PropRow`, with texts that outlive the append.
pub type NodeProps<'i, 'r> = dyn Iterator<Item = (usize, RowValue<'r>)> + 'i;

/// What takes a node's label (a place in the list of labels) and its properties.
pub type NodeSink<'s, 'r> = dyn FnMut(usize, &mut NodeProps<'_, 'r>) + 's;

/// What takes a relationship's properties.
pub type EdgeSink<'s> = dyn FnMut(&mut PropRow<'_>) + 's;

/// What calls its `EdgeSink` once per relationship, with that relationship's properties.
pub type EdgeRows<'s> = dyn FnMut(&mut EdgeSink<'_>) + 's;

/// Each new relationship's value of one property, in order (`None` for none).
pub type ColumnValues<'c> = dyn Fn() -> Box<dyn Iterator<Item = Option<Scalar>> + 'c> + Sync + 'c;

/// A property of the relationships `Graph::append_edges` adds, given as a column: its key (a
/// place in the list of keys) and each relationship's value. Its cells are encoded on a thread
/// of their own while the other properties are set; a column holding an integer too large for
/// a cell is set one value at a time among them.
pub struct EdgeColumn<'a, 'c> {
    pub key: usize,
    pub values: &'a ColumnValues<'c>,
}

impl Graph {
    /// Adds nodes to an empty graph: `rows` calls its callback once per node, in order, with
    /// the node's label (a place in `labels`) and its properties (each a place in `keys` and a
    /// value) in the order they are set. The same as calling `add_node` for each in turn,
    /// which is what happens when the graph is not empty or a statement is being logged; the
    /// indexes are built once at the end.
    ///
    /// Into an empty graph `rows` is called twice and must give the same rows both times:
    /// first for the texts, which are pooled all at once, then for the nodes.
    pub fn append_nodes<'r>(
        &mut self,
        labels: &[&str],
        keys: &[&str],
        rows: &mut dyn FnMut(&mut NodeSink<'_, 'r>),
    ) {
        use petgraph::visit::NodeIndexable;
        if self.undo.is_some() || self.graph.node_bound() > 0 {
            rows(&mut |label, row| {
                let row: Vec<(&str, Value)> = row.map(|(k, v)| (keys[k], v.into_value())).collect();
                self.add_node(labels.get(label).copied(), row);
            });
            return;
        }
        self.adjacency.take();
        // Texts pooled in the order the nodes set them, as one by one; a string given as a
        // value (not a text) would be pooled among them, so then they are pooled one by one.
        let mut texts: Vec<&'r str> = Vec::new();
        let mut only_texts = true;
        rows(&mut |_, row| {
            for (_, value) in row {
                match value {
                    RowValue::Text(text) => texts.push(text),
                    RowValue::Value(Value::String(_)) | RowValue::OneTextList(_) => {
                        only_texts = false;
                    }
                    RowValue::Value(_) => {}
                }
            }
        });
        let pooled = if only_texts {
            self.strings.intern_all(&texts)
        } else {
            Vec::new()
        };
        drop(texts);
        let mut pooled = pooled.into_iter();
        let mut sets = vec![None; labels.len()];
        let mut key_syms: Vec<Option<Sym>> = vec![None; keys.len()];
        let mut count = 0usize;
        rows(&mut |label, row| {
            let set = labels.get(label).map(|name| {
                *sets[label].get_or_insert_with(|| {
                    let sym = self.symbols.intern(name);
                    (sym, self.label_sets.intern(&[sym]))
                })
            });
            let labels = match set {
                Some((_, set)) => set,
                None => self.label_sets.intern(&[]),
            };
            let id = super::node_id(self.graph.add_node(super::NodeData { labels }));
            for (key, value) in row {
                let sym = match key_syms[key] {
                    Some(sym) => sym,
                    None => *key_syms[key].insert(self.intern_key(keys[key])),
                };
                if let RowValue::Text(_) = value
                    && let Some(pooled) = pooled.next()
                {
                    self.node_props.set_string(id.index(), sym, pooled);
                } else {
                    set_fresh(
                        &mut self.node_props,
                        id.index(),
                        sym,
                        value,
                        &mut self.strings,
                    );
                }
            }
            if let Some((sym, _)) = set {
                // Nodes come in number order, so each label's list stays sorted.
                self.by_label.entry(sym).or_default().push(id);
            }
            count += 1;
        });
        debug_assert!(
            pooled.next().is_none(),
            "the rows gave fewer texts the second time"
        );
        self.index_all_nodes(count);
    }

    /// Appends relationships: `ends` yields each one's ends and type (a place in `types`);
    /// `columns` give properties as columns, each relationship's value in order; and `props`,
    /// when given, calls its callback once per relationship, in the same order, with that
    /// relationship's other properties. A key is a place in `keys`, and each relationship's
    /// properties are set in the order of their keys' places, a row's own in the order it
    /// gives them. The same as calling `add_edge` for each in turn, which is what happens
    /// while a statement is logged, or when some end is not a node.
    pub fn append_edges<I>(
        &mut self,
        types: &[&str],
        keys: &[&str],
        ends: &(dyn Fn() -> I + Sync),
        columns: &[EdgeColumn<'_, '_>],
        mut props: Option<&mut EdgeRows<'_>>,
    ) where
        I: Iterator<Item = NewEdge>,
    {
        use petgraph::visit::{EdgeIndexable, NodeIndexable};
        let mut columns: Vec<&EdgeColumn<'_, '_>> = columns.iter().collect();
        columns.sort_by_key(|column| column.key);
        // Without gaps in the numbering, a node exists when its number is in range, and the
        // new relationships take the numbers after the last.
        let nodes = self.graph.node_bound();
        // The relationships counted as their ends are checked: one walk along them for both.
        let adding = ends().try_fold(0usize, |counted, e| {
            (e.rel < types.len() && e.from.index() < nodes && e.to.index() < nodes)
                .then_some(counted + 1)
        });
        let sound =
            self.graph.node_count() == nodes && self.graph.edge_count() == self.graph.edge_bound();
        let Some(adding) = adding.filter(|_| sound && self.undo.is_none()) else {
            let mut edges = ends();
            let mut values: Vec<_> = columns.iter().map(|c| (c.key, (c.values)())).collect();
            let mut add = |row: &mut PropRow<'_>| {
                let Some(edge) = edges.next() else {
                    return;
                };
                let mut row: Vec<(usize, Value)> = row.map(|(k, v)| (k, v.into_value())).collect();
                for (key, column) in &mut values {
                    if let Some(Some(value)) = column.next() {
                        insert_by_key(&mut row, *key, Value::from(value));
                    }
                }
                if let Some(rel_type) = types.get(edge.rel) {
                    let row: Vec<(&str, Value)> =
                        row.into_iter().map(|(k, v)| (keys[k], v)).collect();
                    self.add_edge(edge.from, edge.to, rel_type, row);
                }
            };
            match props {
                Some(props) => props(&mut add),
                None => (0..ends().count()).for_each(|_| add(&mut std::iter::empty())),
            }
            return;
        };
        self.adjacency.take();
        let first = self.graph.edge_count();
        // Room made once: a graph read from a file has none to spare, and growing its lists
        // and columns by doubling copies each several times and leaves up to half unused.
        self.graph.reserve_exact_edges(adding);
        self.edge_props.reserve(first + adding);
        let Graph {
            graph,
            symbols,
            edge_props,
            strings,
            key_symbols,
            identifier_keys,
            vocabulary,
            type_counts,
            ..
        } = self;
        // Each type's number stands in for its symbol until every symbol is interned.
        let counts = std::thread::scope(|scope| {
            let linking = scope.spawn(|| {
                let mut counts = vec![0usize; types.len()];
                let all = ends().map(|edge| {
                    counts[edge.rel] += 1;
                    let data = EdgeData {
                        rel_type: Sym::from_index(edge.rel),
                    };
                    (edge.from, edge.to, data)
                });
                let ahead = ends().skip(linking::AHEAD).map(|e| (e.from, e.to));
                linking::link_all(graph, all, ahead);
                counts
            });
            // Each column's cells are encoded on a thread of its own while the rows are set.
            let encoding: Vec<_> = columns
                .iter()
                .map(|column| {
                    let sparse = symbols
                        .get(keys[column.key])
                        .map_or(Some(0), |sym| edge_props.sparse_cells(sym));
                    scope
                        .spawn(move || NewCells::encode((column.values)(), (first, adding), sparse))
                })
                .collect();
            let mut encoded = Vec::new();
            let mut one_by_one = Vec::new();
            for (column, encoding) in columns.iter().zip(encoding) {
                match encoding
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                {
                    Some(cells) => encoded.push((column.key, cells)),
                    None => one_by_one.push((column.key, (column.values)())),
                }
            }
            // Where each encoded column is made: at its first value, as one by one.
            let mut made: Vec<(usize, usize)> = encoded
                .iter()
                .filter_map(|(key, cells)| Some((cells.first_present()?, *key)))
                .collect();
            made.sort_unstable();
            let mut made = made.into_iter().peekable();
            let mut type_syms: Vec<Option<Sym>> = vec![None; types.len()];
            let mut key_syms: Vec<Option<Sym>> = vec![None; keys.len()];
            let mut key_sym = |key: usize, symbols: &mut super::symbols::Symbols| {
                *key_syms[key].get_or_insert_with(|| {
                    super::intern_property_key(
                        symbols,
                        &vocabulary.0,
                        identifier_keys,
                        key_symbols,
                        keys[key],
                    )
                })
            };
            let mut ends = ends();
            let mut place = 0;
            let mut set_row = |row: &mut PropRow<'_>| {
                if let Some(edge) = ends.next()
                    && type_syms[edge.rel].is_none()
                {
                    type_syms[edge.rel] = Some(symbols.intern(types[edge.rel]));
                }
                let index = first + place;
                if one_by_one.is_empty() && made.peek().is_none_or(|(at, _)| *at != place) {
                    for (key, value) in row {
                        let sym = key_sym(key, symbols);
                        set_fresh(edge_props, index, sym, value, strings);
                    }
                } else {
                    // A column made on this row, or a value set one by one, among the row's.
                    let mut all: Vec<(usize, Option<RowValue<'_>>)> =
                        row.map(|(key, value)| (key, Some(value))).collect();
                    for (key, values) in &mut one_by_one {
                        if let Some(Some(value)) = values.next() {
                            insert_by_key(&mut all, *key, Some(RowValue::Value(value.into())));
                        }
                    }
                    while let Some((_, key)) = made.next_if(|(at, _)| *at == place) {
                        insert_by_key(&mut all, key, None);
                    }
                    for (key, value) in all {
                        let sym = key_sym(key, symbols);
                        match value {
                            Some(value) => set_fresh(edge_props, index, sym, value, strings),
                            None => edge_props.make_column(sym),
                        }
                    }
                }
                place += 1;
            };
            match props.as_mut() {
                Some(props) => props(&mut set_row),
                None => (0..adding).for_each(|_| set_row(&mut std::iter::empty())),
            }
            for (key, cells) in encoded {
                if let Some(sym) = key_syms[key] {
                    edge_props.put_cells(first, sym, cells);
                }
            }
            let counts = linking
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            // A type no relationship has was never interned.
            for (rel, count) in counts.iter().enumerate() {
                if *count > 0 && type_syms[rel].is_none() {
                    type_syms[rel] = Some(symbols.intern(types[rel]));
                }
            }
            (counts, type_syms)
        });
        let (counts, type_syms) = counts;
        for weight in graph.edge_weights_mut().skip(first) {
            if let Some(Some(sym)) = type_syms.get(weight.rel_type.index()) {
                weight.rel_type = *sym;
            }
        }
        for (rel, count) in counts.into_iter().enumerate() {
            if count > 0
                && let Some(sym) = type_syms[rel]
            {
                *type_counts.entry(sym).or_default() += count;
            }
        }
    }
}

/// Puts `value` among a row's values before the first of a later key.
fn insert_by_key<V>(row: &mut Vec<(usize, V)>, key: usize, value: V) {
    let at = row.iter().position(|(k, _)| *k > key).unwrap_or(row.len());
    row.insert(at, (key, value));
}

/// Sets a property of an element that has none of that key yet.
fn set_fresh(
    props: &mut super::properties::Properties,
    index: usize,
    key: Sym,
    value: RowValue<'_>,
    strings: &mut super::strings::StringPool,
) {
    match value {
        RowValue::Text(text) => props.set_text(index, key, text, strings),
        RowValue::OneTextList(text) => props.set_one_text_list(index, key, text, strings),
        RowValue::Value(value) => props.set_new(index, key, value, strings),
    }
}

#[cfg(test)]
mod tests {
    use super::{ColumnValues, EdgeColumn, EdgeRows, EdgeSink, NewEdge, RowValue, Scalar};
    use crate::model::{Schema, Value};
    use crate::store::{Graph, snapshot};
    use proptest::prelude::*;

    fn nodes(g: &mut Graph) {
        let keys = ["id", "name", "aliases", "country"];
        let names: Vec<String> = (0..40).map(|i| format!("Node {i}")).collect();
        g.append_nodes(&["Company", "Fund"], &keys, &mut |node| {
            for (i, name) in names.iter().enumerate() {
                let mut props = [
                    (0, RowValue::Value(Value::from(format!("n{i}").as_str()))),
                    (1, RowValue::Text(name)),
                ]
                .into_iter()
                .chain(
                    (i.is_multiple_of(3))
                        .then(|| (2, RowValue::Value(Value::List(vec![Value::from("x")])))),
                )
                .chain((i > 5).then_some((3, RowValue::Text("FR"))));
                node(i % 2, &mut props);
            }
        });
    }

    const KEYS: [&str; 8] = [
        "amount", "note", "big", "signed", "listed", "late", "count", "blank",
    ];

    /// The keys whose values are all scalars, which may come as a column.
    fn scalar_key(key: usize) -> bool {
        matches!(key, 0 | 2 | 3 | 4 | 6)
    }

    /// Where the key's values start, and how often an edge has one (1 in `every`).
    #[derive(Clone, Copy, Debug)]
    struct Presence {
        from: usize,
        every: usize,
    }

    /// Edge `i`'s value of key `key`, of the kind each key holds: floats, text, integers too
    /// large for a cell, dates, booleans, lists, integers, and integers mixed with nulls.
    fn value(key: usize, i: usize) -> Value {
        match key {
            0 => Value::Float(i as f64 + 0.5),
            1 => Value::from(format!("note {}", i % 7).as_str()),
            2 => Value::Int((1 << 50) + i as i64),
            3 => Value::Date(
                crate::model::Date::day(2000 + (i % 30) as i32, 1 + (i % 12) as u8, 1).unwrap(),
            ),
            4 => Value::Bool(i.is_multiple_of(2)),
            5 => Value::List(vec![Value::from("x")]),
            7 if i.is_multiple_of(5) => Value::Null,
            _ => Value::Int(i as i64),
        }
    }

    fn edge(i: usize, presence: &[Presence]) -> (NewEdge, Vec<(usize, Value)>) {
        let from = crate::store::NodeId::from_index(i % 40).unwrap();
        let to = crate::store::NodeId::from_index((i * 7 + 1) % 40).unwrap();
        let props = presence
            .iter()
            .enumerate()
            .filter(|(_, p)| i >= p.from && (i - p.from).is_multiple_of(p.every))
            .map(|(key, _)| (key, value(key, i)))
            .collect();
        let edge = NewEdge {
            from,
            to,
            rel: usize::from(i >= 10) + usize::from(i.is_multiple_of(3)),
        };
        (edge, props)
    }

    fn presence() -> impl Strategy<Value = Presence> {
        (
            0usize..400,
            prop_oneof![Just(1usize), Just(2), Just(3), Just(40), Just(1000)],
        )
            .prop_map(|(from, every)| Presence { from, every })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Appending makes what adding one by one makes: the same numbers, names, columns
        /// (dense or sparse alike) and strings, in the same order, whichever properties come
        /// as columns and whichever row by row, appended at once or in two goes.
        #[test]
        fn appending_makes_the_graph_adding_one_by_one_makes(
            presence in proptest::collection::vec(presence(), KEYS.len()),
            as_columns in proptest::collection::vec(any::<bool>(), KEYS.len())
                .prop_map(|c| (0..KEYS.len()).map(|key| c[key] && scalar_key(key)).collect::<Vec<_>>()),
            (edges, split) in (0usize..600).prop_flat_map(|n| (Just(n), 0..=n)),
        ) {
            let types = ["SUPPLIES", "INVESTS_IN", "MEMBER_OF"];
            let mut one_by_one = Graph::new(Schema::Open);
            for i in 0..40usize {
                let mut props = vec![
                    ("id", Value::from(format!("n{i}").as_str())),
                    ("name", Value::from(format!("Node {i}").as_str())),
                ];
                if i.is_multiple_of(3) {
                    props.push(("aliases", Value::List(vec![Value::from("x")])));
                }
                if i > 5 {
                    props.push(("country", Value::from("FR")));
                }
                one_by_one.add_node([["Company", "Fund"][i % 2]], props);
            }
            for i in 0..edges {
                let (e, props) = edge(i, &presence);
                let props: Vec<(&str, Value)> =
                    props.into_iter().map(|(k, v)| (KEYS[k], v)).collect();
                one_by_one.add_edge(e.from, e.to, types[e.rel], props);
            }
            let mut appended = Graph::new(Schema::Open);
            nodes(&mut appended);
            for range in [0..split, split..edges] {
                let ends = || range.clone().map(|i| edge(i, &presence).0);
                let values: Vec<Box<ColumnValues<'_>>> = (0..KEYS.len())
                    .map(|key| {
                        let (range, presence) = (range.clone(), &presence);
                        Box::new(move || -> Box<dyn Iterator<Item = Option<Scalar>> + '_> {
                            Box::new(range.clone().map(move |i| {
                                let props = edge(i, presence).1;
                                props.iter().find(|(k, _)| *k == key).and_then(|(_, v)| Scalar::of(v))
                            }))
                        }) as Box<ColumnValues<'_>>
                    })
                    .collect();
                let columns: Vec<EdgeColumn<'_, '_>> = (0..KEYS.len())
                    .filter(|key| as_columns[*key])
                    .rev()
                    .map(|key| EdgeColumn { key, values: &*values[key] })
                    .collect();
                let mut rows = |row: &mut EdgeSink<'_>| {
                    for i in range.clone() {
                        let props = edge(i, &presence).1;
                        row(&mut props
                            .into_iter()
                            .filter(|(k, _)| !as_columns[*k])
                            .map(|(k, v)| (k, RowValue::Value(v))));
                    }
                };
                let by_rows = as_columns.iter().any(|c| !c);
                appended.append_edges(
                    &types,
                    &KEYS,
                    &ends,
                    &columns,
                    by_rows.then_some(&mut rows as &mut EdgeRows<'_>),
                );
            }
            prop_assert!(snapshot::write(&one_by_one) == snapshot::write(&appended));
            prop_assert_eq!(appended.edge_props.shapes(), one_by_one.edge_props.shapes());
            prop_assert_eq!(appended.nodes_by_name("node 7").len(), 1);
            prop_assert_eq!(appended.type_counts(), one_by_one.type_counts());
        }
    }
}
