//! The element rules: a node's or a relationship's stored properties checked against the
//! graph's vocabulary, sources and indexes, with the value rules and the rules across elements
//! (unique ids, names and identifiers, the kinds a relationship type joins), as a statement is
//! checked before it commits and as a replayed statement is checked again.

use std::borrow::Cow;
use std::fmt;

use crate::store::threads::{cores, on_threads};

use super::*;

/// A graph element a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Element {
    Node(NodeId),
    Edge(EdgeId),
}

/// A rule a graph element breaks: which element, which property (none for its labels, type or
/// ends), and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleViolation {
    pub element: Element,
    pub key: Option<String>,
    pub broken: Broken,
}

impl RuleViolation {
    pub fn kind(&self) -> ProblemKind {
        self.broken.kind
    }
}

impl fmt::Display for RuleViolation {
    /// `error[code]: message`, then the help line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error[{}]: {}",
            self.broken.kind.code(),
            self.broken.message
        )?;
        if let Some(help) = &self.broken.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Checks what the running statement created or changed (`graph.changes()`), as a statement
/// is checked before it commits and as a replayed statement can be checked again.
///
/// # Errors
/// Every rule broken, in element order.
pub fn check_changes(graph: &Graph) -> Result<(), Vec<RuleViolation>> {
    let changes = graph.changes();
    // Constraints hold under either schema; the element rules under the alliance schema only.
    let mut out = super::constraints::check_unique(graph, &changes.nodes);
    if let Err(more) = check_elements(graph, &changes.nodes, &changes.edges) {
        out.extend(more);
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// Checks the given nodes and relationships (each list sorted, as `Graph::changes` gives
/// them) against the graph's schema. The cost follows the number of elements and their
/// degree, not the size of the graph.
///
/// # Errors
/// Every rule broken, in element order.
pub fn check_elements(
    graph: &Graph,
    nodes: &[NodeId],
    edges: &[EdgeId],
) -> Result<(), Vec<RuleViolation>> {
    if graph.schema() != Schema::Alliance {
        return Ok(());
    }
    let kinds = (edges.len() >= KINDS_TABLE_FROM).then(|| node_kinds(graph));
    let checker = || Checker {
        graph,
        nodes,
        edges,
        out: Vec::new(),
        kinds: kinds.as_deref(),
        met: Met::default(),
    };
    // Each element's rules read the graph and nothing else checked, so parts of a long list
    // are checked on every core and their reports joined in the list's order.
    let mut out = on_cores(nodes, |part| {
        let mut checker = checker();
        for &node in part {
            if graph.contains_node(node) {
                checker.node(node);
            }
        }
        checker.out
    });
    out.extend(on_cores(edges, |part| {
        let mut checker = checker();
        for &edge in part {
            if graph.contains_edge(edge) {
                checker.edge(edge);
            }
        }
        checker.out
    }));
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// Elements checked at once from which their checks are cut between the cores.
const ELEMENTS_PER_CORE_FROM: usize = 20_000;

/// The reports of `check` over parts of `elements`, one part a core when they are many, in
/// the elements' order.
fn on_cores<T: Sync>(
    elements: &[T],
    check: impl Fn(&[T]) -> Vec<RuleViolation> + Sync,
) -> Vec<RuleViolation> {
    if elements.len() < ELEMENTS_PER_CORE_FROM {
        return check(elements);
    }
    let part_len = elements.len().div_ceil(cores(8));
    on_threads(elements.chunks(part_len), check)
        .into_iter()
        .flatten()
        .collect()
}

struct Checker<'g> {
    graph: &'g Graph,
    nodes: &'g [NodeId],
    edges: &'g [EdgeId],
    out: Vec<RuleViolation>,
    /// Each node's kind (its place in the vocabulary, `NO_KIND` for none) by node number,
    /// when enough relationships are checked that reading every node's labels once beats
    /// reading two nodes' labels, far apart in memory, for each relationship.
    kinds: Option<&'g [u16]>,
    met: Met<'g>,
}

/// What the checker found of the names it met: a batch of relationships has a few types and
/// keys, and a look along a short list beats the vocabulary's searches by name, as a list of
/// sources found good beats looking each up again for the next relationship citing it.
#[derive(Default)]
struct Met<'g> {
    types: Vec<(&'g str, Option<&'g RelDef>)>,
    keys: Vec<(Option<&'g RelDef>, &'g str, KeyRule<'g>)>,
    good_sources: Option<Value>,
    /// The properties of the relationship being checked, kept to save an allocation each.
    props: Vec<(&'g str, Value)>,
}

/// Names the checker keeps at most, of each kind: past them a look along the list would cost
/// more than the vocabulary's search it saves.
const MET_AT_MOST: usize = 32;

/// What the vocabulary says of a relationship property.
#[derive(Clone, Copy)]
enum KeyRule<'g> {
    /// Not a vocabulary property: any finite value.
    Free,
    /// A vocabulary property the relationship's type does not carry.
    NotOn,
    /// A vocabulary property, of these words when it takes words.
    Value(&'g PropertyDef, &'g [String]),
}

/// The same name: the same symbol (one address) or, failing that, the same text.
fn same_name(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

fn same_rel(a: Option<&RelDef>, b: Option<&RelDef>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => std::ptr::eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

impl<'g> Met<'g> {
    fn relationship(&mut self, vocabulary: &'g Vocabulary, name: &'g str) -> Option<&'g RelDef> {
        if let Some((_, rel)) = self.types.iter().find(|(n, _)| same_name(n, name)) {
            return *rel;
        }
        let rel = vocabulary.relationship(name);
        if self.types.len() < MET_AT_MOST {
            self.types.push((name, rel));
        }
        rel
    }

    fn key(
        &mut self,
        vocabulary: &'g Vocabulary,
        rel: Option<&'g RelDef>,
        key: &'g str,
    ) -> KeyRule<'g> {
        if let Some((_, _, rule)) = self
            .keys
            .iter()
            .find(|(r, k, _)| same_rel(*r, rel) && same_name(k, key))
        {
            return *rule;
        }
        let rule = match vocabulary.property(key) {
            None => KeyRule::Free,
            Some(_) if rel.is_some_and(|rel| !vocabulary.allows(rel, key)) => KeyRule::NotOn,
            Some(def) => KeyRule::Value(def, vocabulary.words(rel, def)),
        };
        if self.keys.len() < MET_AT_MOST {
            self.keys.push((rel, key, rule));
        }
        rule
    }
}

/// Relationships checked at once from which the checker reads every node's kind first.
const KINDS_TABLE_FROM: usize = 1 << 14;
const NO_KIND: u16 = u16::MAX;

/// Each node's kind, as `Checker::kinds` holds them.
fn node_kinds(graph: &Graph) -> Vec<u16> {
    let vocabulary = graph.vocabulary();
    let (labels, known) = (vocabulary.labels(), vocabulary.kinds().len());
    let mut kinds = vec![NO_KIND; graph.node_index_bound()];
    for node in graph.nodes() {
        // As `Vocabulary::kind_by_label` finds a kind: the label's place among the labels.
        let kind = graph.node_labels(node).find_map(|label| {
            let at = labels.iter().position(|l| l == label)?;
            (at < known).then_some(at)
        });
        if let Some(kind) = kind.and_then(|k| u16::try_from(k).ok()) {
            kinds[node.index()] = kind;
        }
    }
    kinds
}

impl Checker<'_> {
    fn push(&mut self, element: Element, key: Option<&str>, broken: Broken) {
        self.out.push(RuleViolation {
            element,
            key: key.map(str::to_owned),
            broken,
        });
    }

    /// Whether a clash between `node` and `other` is reported at `node`: always when `other`
    /// was not checked too, else at the later of the two, so that it is reported once.
    fn reports_clash(&self, node: NodeId, other: NodeId) -> bool {
        self.nodes.binary_search(&other).is_err() || other < node
    }

    fn node(&mut self, node: NodeId) {
        let graph = self.graph;
        let at = Element::Node(node);
        let vocabulary = graph.vocabulary();
        let labels: Vec<&str> = graph.node_labels(node).collect();
        let kinds: Vec<&str> = labels
            .iter()
            .filter_map(|l| vocabulary.kind_by_label(l))
            .map(|k| k.name.as_str())
            .collect();
        if labels.is_empty() {
            let mut broken = missing("kind", "entity");
            broken.help = Some(format!(
                "give the node one of the labels {}",
                vocabulary.labels().join(", ")
            ));
            self.push(at, None, broken);
        }
        for label in labels
            .iter()
            .filter(|l| vocabulary.kind_by_label(l).is_none())
        {
            self.push(at, None, not_a_kind(vocabulary, label));
        }
        if kinds.len() > 1 {
            let names: Vec<String> = kinds.iter().map(|k| crate::model::label_of(k)).collect();
            self.push(
                at,
                None,
                Broken::new(
                    ProblemKind::UnknownValue,
                    format!(
                        "an entity has one kind only, not {}",
                        names.join(" and ")
                    ),
                    Some("REMOVE the old kind in the same statement, e.g. REMOVE n:Company SET n:Fund".to_owned()),
                ),
            );
        }
        self.finite(at, graph.node_non_text_props(node));
        self.node_identifiers(node);
        let name_clashes = self.node_names(node);
        self.node_id(node, &name_clashes);
        for key in ["country", "sector", "note"] {
            if graph.node_str(node, key).is_none()
                && let Some(value) = graph.node_prop(node, key)
            {
                self.push(at, Some(key), wrong_type(key, "text", found_type(&value)));
            }
        }
        if let Some(value) = graph.node_prop(node, "sources") {
            self.sources(at, &value);
        }
        for key in ["kind", "extra"] {
            if graph.node_has_prop(node, key) {
                let mut broken = model_field_as_property(key);
                broken.help = Some(format!(
                    "an entity's kind is its label; name the property otherwise than `{key}`"
                ));
                self.push(at, Some(key), broken);
            }
        }
        // A node whose kind changed may no longer fit the ties it had: one message per type
        // and end, however many ties there are.
        if let [kind] = kinds.as_slice() {
            self.ties_still_fit(node, kind);
        }
    }

    /// The ties of `node` (now of `kind`) that this statement did not touch, each type at each
    /// end checked once against the kinds it joins.
    fn ties_still_fit(&mut self, node: NodeId, kind: &str) {
        let graph = self.graph;
        let vocabulary = graph.vocabulary();
        let mut counted: Vec<(String, bool, usize)> = Vec::new();
        for (direction, at_from) in [(Direction::Outgoing, true), (Direction::Incoming, false)] {
            for (edge, _) in graph.edges_of(node, direction) {
                if self.edges.binary_search(&edge).is_ok() {
                    continue;
                }
                let Some(rel) = vocabulary.relationship(graph.edge_type(edge)) else {
                    continue;
                };
                if Vocabulary::may_join(rel, kind, at_from) {
                    continue;
                }
                match counted
                    .iter_mut()
                    .find(|(n, f, _)| *n == rel.name && *f == at_from)
                {
                    Some((_, _, count)) => *count += 1,
                    None => counted.push((rel.name.clone(), at_from, 1)),
                }
            }
        }
        for (name, at_from, count) in counted {
            let Some(rel) = vocabulary.relationship(&name) else {
                continue;
            };
            let mut broken = wrong_endpoint(rel, at_from, &graph.display_id(node), kind);
            let kind_word = if rel.name == "member-of" {
                "a consortium"
            } else {
                "its kind"
            };
            broken.help = Some(format!(
                "{count} {name} relationship{} {} here; keep {kind_word}, or delete them first",
                if count == 1 { "" } else { "s" },
                if at_from { "start" } else { "end" },
            ));
            self.push(Element::Node(node), None, broken);
        }
    }

    /// The node's id: text, a slug, unused. A statement derives an absent id from the name,
    /// so a missing name is not reported again as a missing id, nor a name taken by `other`
    /// again as the id derived from it (`name_clashes`).
    fn node_id(&mut self, node: NodeId, name_clashes: &[NodeId]) {
        let graph = self.graph;
        let at = Element::Node(node);
        if let Some(id) = graph.node_str(node, ID_KEY) {
            if id.trim().is_empty() {
                self.push(at, Some(ID_KEY), empty(ID_KEY));
                return;
            }
            if let Some(broken) = slug(id) {
                self.push(at, Some(ID_KEY), broken);
                return;
            }
            let other = graph
                .other_nodes_with_id(id, node)
                .into_iter()
                .find(|o| self.reports_clash(node, *o));
            // Slugifying the name costs a string: only an id that clashes needs it.
            if let Some(other) = other {
                let derived = graph
                    .node_str(node, NAME_KEY)
                    .is_some_and(|name| slugify(name) == id);
                if !(derived && name_clashes.contains(&other)) {
                    let first = graph.display_name(other);
                    self.push(at, Some(ID_KEY), duplicate_entity_id(id, &first));
                }
            }
            return;
        }
        match graph.node_prop(node, ID_KEY) {
            None if !graph.node_has_prop(node, NAME_KEY) => {}
            None => self.push(at, Some(ID_KEY), missing(ID_KEY, "entity")),
            Some(other) => self.push(
                at,
                Some(ID_KEY),
                wrong_type(ID_KEY, "text", found_type(&other)),
            ),
        }
    }

    /// The node's identifiers (its properties named after a scheme of the vocabulary): text,
    /// of the scheme's format, each carried by no other entity.
    fn node_identifiers(&mut self, node: NodeId) {
        let graph = self.graph;
        let at = Element::Node(node);
        for def in graph.vocabulary().identifiers() {
            let scheme = def.name.as_str();
            match graph.node_prop(node, scheme) {
                None => {}
                Some(Value::String(value)) => {
                    if let Some(broken) = identifier(scheme, Some(def), &value) {
                        self.push(at, Some(scheme), broken);
                        continue;
                    }
                    let other = graph
                        .nodes_by_identifier(scheme, &value)
                        .into_iter()
                        .find(|o| *o != node && self.reports_clash(node, *o));
                    if let Some(other) = other {
                        let owner = graph.display_id(other);
                        self.push(
                            at,
                            Some(scheme),
                            duplicate_identifier(scheme, &value, &owner, ""),
                        );
                    }
                }
                Some(other) => self.push(
                    at,
                    Some(scheme),
                    wrong_type(scheme, "text (an identifier)", found_type(&other)),
                ),
            }
        }
    }

    /// The node's name and aliases: text, each unused by another entity. Returns the nodes
    /// they clash with.
    fn node_names(&mut self, node: NodeId) -> Vec<NodeId> {
        let graph = self.graph;
        let at = Element::Node(node);
        let mut names: Vec<(&str, Cow<str>)> = Vec::new();
        match graph.node_str(node, NAME_KEY) {
            Some(name) if name.trim().is_empty() => self.push(at, Some(NAME_KEY), empty(NAME_KEY)),
            Some(name) => names.push((NAME_KEY, Cow::Borrowed(name))),
            None => match graph.node_prop(node, NAME_KEY) {
                None => self.push(at, Some(NAME_KEY), missing(NAME_KEY, "entity")),
                Some(other) => self.push(
                    at,
                    Some(NAME_KEY),
                    wrong_type(NAME_KEY, "text", found_type(&other)),
                ),
            },
        }
        match graph.node_prop(node, ALIASES_KEY) {
            None => {}
            Some(value) => match value.string_list() {
                Some(aliases) => {
                    names.extend(aliases.into_iter().map(|a| (ALIASES_KEY, Cow::Owned(a))));
                }
                None => self.push(
                    at,
                    Some(ALIASES_KEY),
                    wrong_type(ALIASES_KEY, TEXT_LIST, found_type(&value)),
                ),
            },
        }
        let mut clashes = Vec::new();
        for (key, name) in names {
            let other = graph
                .other_nodes_by_name(&name, node)
                .into_iter()
                .find(|o| self.reports_clash(node, *o));
            if let Some(other) = other {
                let owner = graph.display_id(other);
                self.push(at, Some(key), name_clash(&name, &owner, ""));
                clashes.push(other);
            }
        }
        clashes
    }

    /// Every number is finite: JSON cannot hold NaN or infinity, so a graph with one could not
    /// be saved in both formats.
    fn finite<'p>(&mut self, at: Element, props: impl Iterator<Item = (&'p str, Value)>) {
        fn finite(value: &Value) -> bool {
            match value {
                Value::Float(x) => x.is_finite(),
                Value::List(items) => items.iter().all(finite),
                _ => true,
            }
        }
        for (key, value) in props {
            if !finite(&value) {
                self.push(
                    at,
                    Some(key),
                    wrong_type(key, FINITE_NUMBER, "NaN or infinity"),
                );
            }
        }
    }

    /// A `sources` list: text, each a defined source.
    fn sources(&mut self, at: Element, value: &Value) {
        let graph = self.graph;
        match value.as_str_list() {
            Some(ids) => {
                for id in ids {
                    if graph.source(id).is_none() {
                        let known = graph.sources().map(|s| s.id.as_str());
                        self.push(at, Some("sources"), unknown_source(id, known));
                    }
                }
            }
            None => self.push(
                at,
                Some("sources"),
                wrong_type("sources", TEXT_LIST, found_type(value)),
            ),
        }
    }

    fn edge(&mut self, edge: EdgeId) {
        let graph = self.graph;
        let vocabulary = graph.vocabulary();
        let at = Element::Edge(edge);
        let Some((from, to)) = graph.edge_endpoints(edge) else {
            return;
        };
        let rel = self.met.relationship(vocabulary, graph.edge_type(edge));
        match rel {
            None => self.push(
                at,
                None,
                not_a_relationship_type(vocabulary, graph.edge_type(edge)),
            ),
            Some(rel) => {
                for (node, at_from) in [(from, true), (to, false)] {
                    let kind = match &self.kinds {
                        Some(kinds) => kinds
                            .get(node.index())
                            .and_then(|&k| vocabulary.kinds().get(usize::from(k))),
                        None => graph
                            .node_labels(node)
                            .find_map(|l| vocabulary.kind_by_label(l)),
                    }
                    .map(|k| k.name.as_str());
                    if let Some(kind) = kind
                        && !Vocabulary::may_join(rel, kind, at_from)
                    {
                        let entity = graph.display_id(node);
                        self.push(at, None, wrong_endpoint(rel, at_from, &entity, kind));
                    } else if kind.is_none() && !at_from && rel.name == "member-of" {
                        let entity = graph.display_id(node);
                        self.push(at, None, member_of_non_consortium(&entity, "unlabelled"));
                    }
                }
            }
        }
        // The properties decoded once: every rule below reads them, and a relationship has a
        // few, so a look along the list beats a lookup by key.
        let mut props = std::mem::take(&mut self.met.props);
        props.clear();
        // A `sources` list the checker has found good already is left out rather than copied
        // (a list and a string for each of millions of ties), where no rule of its key could
        // judge it otherwise on this type.
        let sources_known = graph.edge_one_text(edge, "sources").is_some_and(|source| {
            self.met.good_sources.as_ref().and_then(one_text) == Some(source)
        }) && matches!(self.met.key(vocabulary, rel, "sources"), KeyRule::Free);
        if sources_known {
            props.extend(graph.edge_props_except(edge, "sources"));
        } else {
            props.extend(graph.edge_props(edge));
        }
        let prop = |key: &str| props.iter().find(|(k, _)| *k == key).map(|(_, v)| v);
        let mut free = Vec::new();
        for (key, value) in &props {
            match self.met.key(vocabulary, rel, key) {
                KeyRule::Free => {
                    if !matches!(*key, "sources") {
                        free.push((*key, value));
                    }
                }
                KeyRule::NotOn => {
                    if let Some(rel) = rel {
                        self.push(at, Some(key), property_not_on(key, rel));
                    }
                }
                KeyRule::Value(def, words) => {
                    if let Some(broken) = property_value(def, words, value) {
                        self.push(at, Some(key), broken);
                    }
                }
            }
        }
        if !free.is_empty() {
            self.finite(at, free.iter().map(|(k, v)| (*k, (*v).clone())));
        }
        for (key, broken) in tie_properties(&|key| prop(key).cloned()) {
            self.push(at, Some(key), broken);
        }
        if let Some(amount) = prop("amount").and_then(Value::as_f64) {
            use crate::model::money;
            let currency = prop("currency")
                .and_then(Value::as_str)
                .unwrap_or(money::DEFAULT_CURRENCY);
            let date = prop("date").and_then(Value::as_date);
            let derived =
                money::usd_value(amount, currency, date, graph.fx_rates()).map(|(usd, _)| usd);
            if money::is_currency(currency)
                && let Some(broken) = usd_consistent(
                    prop("amount_usd").and_then(Value::as_f64),
                    derived,
                    amount,
                    currency,
                )
            {
                self.push(at, Some("amount_usd"), broken);
            }
        }
        match prop("sources") {
            None if sources_known => {}
            Some(value) if self.met.good_sources.as_ref() == Some(value) => {}
            Some(value) => {
                let before = self.out.len();
                if value.as_str_list().is_some_and(|l| l.is_empty()) && !graph.allow_unsourced() {
                    self.push(at, Some("sources"), unsourced());
                }
                self.sources(at, value);
                if self.out.len() == before {
                    self.met.good_sources = Some(value.clone());
                }
            }
            None if !graph.allow_unsourced() => self.push(at, None, unsourced()),
            None => {}
        }
        for key in ["type", "from", "to", "extra"] {
            if prop(key).is_some() {
                let mut broken = model_field_as_property(key);
                broken.help = Some(format!(
                    "a relationship's type and ends are not properties; name the property otherwise than `{key}`"
                ));
                self.push(at, Some(key), broken);
            }
        }
        self.met.props = props;
    }
}

/// The text of a list of one string.
fn one_text(value: &Value) -> Option<&str> {
    match value {
        Value::List(items) => match items.as_slice() {
            [Value::String(text)] => Some(text),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;

    /// A relationship whose `sources` differ from the good list the one before it had is
    /// checked in full, though the checker skips a list it has found good.
    #[test]
    fn a_source_after_a_good_one_is_checked_again() {
        let mut graph = Graph::new(Schema::Alliance);
        graph.add_source(crate::model::Source {
            id: "s-filing".to_owned(),
            title: "A filing".to_owned(),
            publisher: "A registry".to_owned(),
            date: None,
            url: None,
            language: None,
        });
        let fund = graph.add_node(
            ["Fund"],
            [("id", Value::from("f1")), ("name", Value::from("F"))],
        );
        let firm = graph.add_node(
            ["Company"],
            [("id", Value::from("c1")), ("name", Value::from("C"))],
        );
        let sources = ["s-filing", "s-filing", "s-made-up", "s-filing", "s-made-up"];
        let edges: Vec<EdgeId> = sources
            .iter()
            .map(|source| {
                let list = Value::List(vec![Value::from(*source)]);
                graph.add_edge(fund, firm, "INVESTS_IN", [("sources", list)])
            })
            .collect::<Option<_>>()
            .expect("both ends exist");
        let mut checker = Checker {
            graph: &graph,
            nodes: &[],
            edges: &edges,
            out: Vec::new(),
            kinds: None,
            met: Met::default(),
        };
        for &edge in &edges {
            checker.edge(edge);
        }
        let unknown: Vec<String> = checker
            .out
            .iter()
            .map(|v| format!("{v:?}"))
            .filter(|v| v.contains("UnknownSource"))
            .collect();
        assert_eq!(unknown.len(), 2, "{unknown:?}");
        assert!(
            unknown.iter().all(|v| v.contains("s-made-up")),
            "{unknown:?}"
        );
    }

    /// The kinds read once for many relationships judge every end as reading each end's labels
    /// does: the same violations, in the same order.
    #[test]
    fn a_table_of_kinds_judges_ends_as_their_labels_do() {
        let mut graph = Graph::new(Schema::Alliance);
        let labels: Vec<String> = graph.vocabulary().labels().to_vec();
        let nodes: Vec<NodeId> = (0..40)
            .map(|i| {
                let id = Value::from(format!("n{i}"));
                graph.add_node([labels[i % labels.len()].as_str()], [("id", id)])
            })
            .collect();
        let sourced = || [("sources", Value::List(vec![Value::from("s-nvidia-10k")]))];
        // Every type between many pairs of ends: most join kinds their type does not.
        for (k, pair) in nodes.windows(2).enumerate().take(60) {
            let rel_type = ["MEMBER_OF", "HOLDS_POSITION", "INVESTS_IN", "FOUNDED"][k % 4];
            graph.add_edge(pair[0], pair[1], rel_type, sourced());
        }
        let unlabelled = graph.add_node(std::iter::empty::<&str>(), []);
        graph.add_edge(nodes[0], unlabelled, "MEMBER_OF", sourced());
        let edges: Vec<EdgeId> = graph.edges().collect();
        let check = |kinds: Option<&[u16]>| {
            let mut checker = Checker {
                graph: &graph,
                nodes: &[],
                edges: &edges,
                out: Vec::new(),
                kinds,
                met: Met::default(),
            };
            for &edge in &edges {
                checker.edge(edge);
            }
            format!("{:?}", checker.out)
        };
        let by_labels = check(None);
        assert!(by_labels.contains("WrongEndpoint"), "{by_labels}");
        assert!(by_labels.contains("unlabelled"), "{by_labels}");
        assert_eq!(check(Some(&node_kinds(&graph))), by_labels);
    }

    /// A list long enough to be cut between the cores gives the violations one checker going
    /// along it gives, in the same order, whatever each relationship breaks.
    #[test]
    fn relationships_checked_on_every_core_report_as_one_checker_does() {
        let mut graph = Graph::new(Schema::Alliance);
        let labels: Vec<String> = graph.vocabulary().labels().to_vec();
        let nodes: Vec<NodeId> = (0..200)
            .map(|i| {
                let id = Value::from(format!("n{i}"));
                graph.add_node([labels[i % labels.len()].as_str()], [("id", id)])
            })
            .collect();
        let count = ELEMENTS_PER_CORE_FROM + 5_000;
        for k in 0..count {
            let (from, to) = (nodes[k % 200], nodes[(k * 7 + 3) % 200]);
            let rel_type = [
                "MEMBER_OF",
                "INVESTS_IN",
                "SUPPLIES",
                "INVESTS_IN",
                "NO_SUCH",
            ][k % 5];
            let sources = match k % 3 {
                0 => Value::List(vec![Value::from("s-nvidia-10k")]),
                1 => Value::List(vec![Value::from(format!("s-missing-{}", k % 4))]),
                _ => Value::List(vec![]),
            };
            let stake = Value::Float(if k % 11 == 0 { 140.0 } else { 10.0 });
            graph.add_edge(
                from,
                to,
                rel_type,
                [("sources", sources), ("stake_pct", stake)],
            );
        }
        let edges: Vec<EdgeId> = graph.edges().collect();
        let kinds = node_kinds(&graph);
        let mut one = Checker {
            graph: &graph,
            nodes: &[],
            edges: &edges,
            out: Vec::new(),
            kinds: Some(&kinds),
            met: Met::default(),
        };
        for &edge in &edges {
            one.edge(edge);
        }
        assert!(one.out.len() > count / 2, "{} violations", one.out.len());
        let all = check_elements(&graph, &[], &edges).unwrap_err();
        assert_eq!(format!("{all:?}"), format!("{:?}", one.out));
    }
}
