//! The alliance rules, written once: what a data file is checked against when it loads, what a
//! CSV import is checked against, and what every writing statement is checked against before
//! it commits.
//!
//! Two layers. The value rules (`amount_usd`, `stake_pct`, `slug`, `word`, …) judge one value
//! and say what is wrong in the loader's words, with a `ProblemKind`, a message and a help
//! line; the loader and the CSV import place them in their files. The element rules
//! (`check_elements`, `check_changes`) read a node's or a relationship's stored properties
//! and the graph's sources and indexes, and apply the same value rules plus the rules across
//! elements (unique ids and names, known sources, `member-of` aimed at a consortium).
//!
//! **Invariant:** this module reads the model and the store only; datafile and query both call
//! it, and it calls neither. Under the open schema the element rules allow anything.

use std::fmt;

use crate::model::{
    Date, Kind, Qualifier, RelType, Schema, Status, Value, did_you_mean, is_slug, slugify, suggest,
};
use crate::store::{ALIASES_KEY, Direction, EdgeId, Graph, ID_KEY, NAME_KEY, NodeId};

/// The kinds of problem a data file or a write can have. Each says when it occurs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file is not well-formed TOML, JSON or CSV, or not UTF-8 text.
    Syntax,
    /// A key that no table of the format has (often a typo), or a model field used as a free
    /// property.
    UnknownKey,
    /// A required field is absent.
    MissingField,
    /// A value has the wrong type, e.g. a number where text belongs.
    WrongType,
    /// A word outside its closed set, e.g. `kind = "startup"`, or a label that is not a kind.
    UnknownValue,
    /// An entity id that is not a slug (`[a-z0-9-]+`).
    BadId,
    /// A date that is malformed or does not exist.
    BadDate,
    /// An `end_date` before the `date`.
    DatesOutOfOrder,
    /// A negative `amount_usd` (or `shares`).
    NegativeAmount,
    /// A `stake_pct` outside 0–100.
    StakeOutOfRange,
    /// Two entities (or two sources) share an id.
    DuplicateId,
    /// Two entities share a name or alias, compared without case or accents.
    NameClash,
    /// `from` or `to` names no entity.
    UnknownEntity,
    /// A `member-of` relationship whose `to` is not a consortium.
    MemberOfNonConsortium,
    /// A relationship that cites no source.
    NoSource,
    /// A cited source id that no `[[source]]` defines.
    UnknownSource,
}

impl ProblemKind {
    /// A stable short code, shown in brackets after "error".
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Syntax => "syntax",
            ProblemKind::UnknownKey => "unknown-key",
            ProblemKind::MissingField => "missing-field",
            ProblemKind::WrongType => "wrong-type",
            ProblemKind::UnknownValue => "unknown-value",
            ProblemKind::BadId => "bad-id",
            ProblemKind::BadDate => "bad-date",
            ProblemKind::DatesOutOfOrder => "dates-out-of-order",
            ProblemKind::NegativeAmount => "negative-amount",
            ProblemKind::StakeOutOfRange => "stake-out-of-range",
            ProblemKind::DuplicateId => "duplicate-id",
            ProblemKind::NameClash => "name-clash",
            ProblemKind::UnknownEntity => "unknown-entity",
            ProblemKind::MemberOfNonConsortium => "member-of-non-consortium",
            ProblemKind::NoSource => "no-source",
            ProblemKind::UnknownSource => "unknown-source",
        }
    }
}

/// A broken rule, before it is placed in a file or a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub kind: ProblemKind,
    pub message: String,
    pub help: Option<String>,
}

impl Broken {
    fn new(kind: ProblemKind, message: String, help: Option<String>) -> Broken {
        Broken {
            kind,
            message,
            help,
        }
    }
}

// ----- value rules -------------------------------------------------------------------------

/// `amount_usd` is what changed hands: not negative.
pub fn amount_usd(x: f64) -> Option<Broken> {
    (x < 0.0).then(|| {
        Broken::new(
            ProblemKind::NegativeAmount,
            format!("`amount_usd` is negative ({x})"),
            Some("amounts are what changed hands, in US dollars, and cannot be negative; reverse `from` and `to` if the money went the other way".to_owned()),
        )
    })
}

/// `stake_pct` is a percentage: 0 to 100.
pub fn stake_pct(x: f64) -> Option<Broken> {
    (!(0.0..=100.0).contains(&x)).then(|| {
        Broken::new(
            ProblemKind::StakeOutOfRange,
            format!("`stake_pct` is {x}, outside 0–100"),
            Some("a stake is a percentage: write 9.9 for 9.9%".to_owned()),
        )
    })
}

/// `shares` counts shares: not negative.
pub fn shares(n: i64) -> Option<Broken> {
    (n < 0).then(|| {
        Broken::new(
            ProblemKind::NegativeAmount,
            format!("`shares` is negative ({n})"),
            None,
        )
    })
}

/// `end_date` is not before `date`.
pub fn dates_in_order(start: Date, end: Date) -> Option<Broken> {
    (end < start).then(|| {
        Broken::new(
            ProblemKind::DatesOutOfOrder,
            format!("`end_date` {end} is before `date` {start}"),
            None,
        )
    })
}

/// An id is a slug.
pub fn slug(id: &str) -> Option<Broken> {
    (!is_slug(id)).then(|| {
        Broken::new(
            ProblemKind::BadId,
            format!("the id \"{id}\" is not a slug"),
            Some(format!(
                "ids use only a-z, 0-9 and '-', for example \"{}\"",
                slugify(id)
            )),
        )
    })
}

/// A closed word (`kind`, `type`, `amount_qualifier`, `status`) read from its spelling.
///
/// # Errors
/// When `text` is none of `spellings`, with the nearest as a suggestion.
pub fn word<T>(
    key: &str,
    text: &str,
    parse: impl Fn(&str) -> Option<T>,
    spellings: &[&str],
) -> Result<T, Broken> {
    parse(text).ok_or_else(|| {
        let help = did_you_mean(&suggest(text, spellings.iter().copied()))
            .unwrap_or_else(|| format!("write one of {}", spellings.join(", ")));
        Broken::new(
            ProblemKind::UnknownValue,
            format!("`{key}` cannot be \"{text}\""),
            Some(help),
        )
    })
}

/// A required field that is absent from a `what` (`entity`, `relationship`).
pub fn missing(key: &str, what: &str) -> Broken {
    Broken::new(
        ProblemKind::MissingField,
        format!("this {what} has no `{key}`"),
        Some(format!("add `{key} = ...` to it")),
    )
}

/// A required text that is empty.
pub fn empty(key: &str) -> Broken {
    Broken::new(ProblemKind::MissingField, format!("`{key}` is empty"), None)
}

/// A value of the wrong type; `found` as `found_type` names it.
pub fn wrong_type(key: &str, expected: &str, found: &str) -> Broken {
    Broken::new(
        ProblemKind::WrongType,
        format!("`{key}` should be {expected}, found {found}"),
        None,
    )
}

/// What a wrong value is, in the words the loader uses for what it found.
pub fn found_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a float",
        Value::String(_) => "text",
        Value::Date(_) => "a date",
        Value::List(_) => "a list",
        Value::Map(_) => "a table",
    }
}

/// A model field used as a free property, which would not survive a save.
pub fn model_field_as_property(key: &str) -> Broken {
    Broken::new(
        ProblemKind::UnknownKey,
        format!("`{key}` is a field of the model, not a free property"),
        Some(format!("move `{key}` out of `extra`")),
    )
}

/// A relationship without a source, where sources are required.
pub fn unsourced() -> Broken {
    Broken::new(
        ProblemKind::NoSource,
        "this relationship cites no source".to_owned(),
        Some(
            "every fact must be traceable: add `sources = [\"<source id>\"]` naming a [[source]]"
                .to_owned(),
        ),
    )
}

/// A cited source id that no source defines; `known` are the defined ids.
pub fn unknown_source<'k>(source: &str, known: impl IntoIterator<Item = &'k str>) -> Broken {
    let help = did_you_mean(&suggest(source, known))
        .or_else(|| Some("define it in a [[source]] table".to_owned()));
    Broken::new(
        ProblemKind::UnknownSource,
        format!("the source \"{source}\" is not defined"),
        help,
    )
}

/// A `member-of` ending at `to`, which is a `kind` (lower case), not a consortium.
pub fn member_of_non_consortium(to: &str, kind: &str) -> Broken {
    Broken::new(
        ProblemKind::MemberOfNonConsortium,
        format!("a member-of relationship must end at a consortium, but \"{to}\" is a {kind}"),
        Some(
            "use invests-in or supplies for ties between firms, or make the target a consortium"
                .to_owned(),
        ),
    )
}

/// An entity id used twice; `first` says where the first is ("at data.toml:3:1", "Beta").
pub fn duplicate_entity_id(id: &str, first: &str) -> Broken {
    Broken::new(
        ProblemKind::DuplicateId,
        format!("the entity id \"{id}\" is used twice"),
        Some(format!(
            "the first entity with this id is {first}; give this one another id"
        )),
    )
}

/// A name or alias that already belongs to the entity `owner` (its id); `first` says where, if
/// known (" at data.toml:3:1").
pub fn name_clash(name: &str, owner: &str, first: &str) -> Broken {
    Broken::new(
        ProblemKind::NameClash,
        format!("the name \"{name}\" already belongs to entity \"{owner}\""),
        Some(format!(
            "names and aliases must be unique, ignoring case and accents; \"{owner}\" uses it{first}"
        )),
    )
}

/// A node label that is not a kind of entity.
pub fn not_a_kind(label: &str) -> Broken {
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.label()).collect();
    let message = format!("`{label}` is not a kind of entity");
    not_in_schema(label, &kinds, message, "entities", "labels")
}

/// A relationship type that is not one of the alliance's three.
pub fn not_a_relationship_type(written: &str) -> Broken {
    let types: Vec<&str> = RelType::ALL.iter().map(|t| t.edge_type()).collect();
    let message = format!("`{written}` is not a relationship type of this graph");
    not_in_schema(written, &types, message, "relationships", "types")
}

/// A label or type `written` that the alliance schema does not have: the nearest of `known` as
/// a suggestion, or else what `known_are` (the elements) may be and the schema that frees
/// them (for `free` labels or types).
fn not_in_schema(
    written: &str,
    known: &[&str],
    message: String,
    known_are: &str,
    free: &str,
) -> Broken {
    let help = did_you_mean(&suggest(written, known.iter().copied())).or_else(|| {
        Some(format!(
            "{known_are} are {}; use the open schema for free {free} (schema open)",
            known.join(", ")
        ))
    });
    Broken::new(ProblemKind::UnknownValue, message, help)
}

/// What a number field must hold, as the loader says it.
pub const FINITE_NUMBER: &str = "a finite number";
/// What a date field must hold.
pub const DATE: &str = "a date such as \"2025-08-22\"";
/// What a list of ids or names must hold.
pub const TEXT_LIST: &str = "a list of text";

// ----- element rules -----------------------------------------------------------------------

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
    check_elements(graph, &changes.nodes, &changes.edges)
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
    let mut checker = Checker {
        graph,
        nodes,
        edges,
        out: Vec::new(),
    };
    for &node in nodes {
        if graph.contains_node(node) {
            checker.node(node);
        }
    }
    for &edge in edges {
        if graph.contains_edge(edge) {
            checker.edge(edge);
        }
    }
    if checker.out.is_empty() {
        Ok(())
    } else {
        Err(checker.out)
    }
}

struct Checker<'g> {
    graph: &'g Graph,
    nodes: &'g [NodeId],
    edges: &'g [EdgeId],
    out: Vec<RuleViolation>,
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
        let labels: Vec<&str> = graph.node_labels(node).collect();
        let kinds: Vec<Kind> = labels.iter().filter_map(|l| Kind::from_label(l)).collect();
        if labels.is_empty() {
            let mut broken = missing("kind", "entity");
            broken.help = Some(
                "give the node one of the labels Company, Fund, Government or Consortium"
                    .to_owned(),
            );
            self.push(at, None, broken);
        }
        for label in labels.iter().filter(|l| Kind::from_label(l).is_none()) {
            self.push(at, None, not_a_kind(label));
        }
        if kinds.len() > 1 {
            let names: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
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
        self.finite(at, graph.node_props(node));
        let name_clashes = self.node_names(node);
        self.node_id(node, &name_clashes);
        for key in ["country", "sector", "note"] {
            if let Some(value) = graph.node_prop(node, key)
                && !matches!(value, Value::String(_))
            {
                self.push(at, Some(key), wrong_type(key, "text", found_type(&value)));
            }
        }
        if let Some(value) = graph.node_prop(node, "sources") {
            self.sources(at, &value);
        }
        for key in ["kind", "extra"] {
            if graph.node_prop(node, key).is_some() {
                let mut broken = model_field_as_property(key);
                broken.help = Some(format!(
                    "an entity's kind is its label; name the property otherwise than `{key}`"
                ));
                self.push(at, Some(key), broken);
            }
        }
        // A node that stopped being a consortium leaves its members pointing at a non-consortium.
        if !kinds.contains(&Kind::Consortium) {
            let kind = kinds.first().map_or("unlabelled", |k| k.as_str());
            let to = graph.display_id(node);
            let members = graph
                .edges_of(node, Direction::Incoming)
                .map(|(e, _)| e)
                .filter(|e| graph.edge_type(*e) == RelType::MemberOf.edge_type())
                .filter(|e| self.edges.binary_search(e).is_err())
                .count();
            // One message for the node, however many members it had.
            if members > 0 {
                let mut broken = member_of_non_consortium(&to, kind);
                broken.help = Some(format!(
                    "{members} member-of relationship{} end here; keep it a consortium, or delete them first",
                    if members == 1 { "" } else { "s" }
                ));
                self.push(at, None, broken);
            }
        }
    }

    /// The node's id: text, a slug, unused. A statement derives an absent id from the name,
    /// so a missing name is not reported again as a missing id, nor a name taken by `other`
    /// again as the id derived from it (`name_clashes`).
    fn node_id(&mut self, node: NodeId, name_clashes: &[NodeId]) {
        let graph = self.graph;
        let at = Element::Node(node);
        match graph.node_prop(node, ID_KEY) {
            None if graph.node_prop(node, NAME_KEY).is_none() => {}
            None => self.push(at, Some(ID_KEY), missing(ID_KEY, "entity")),
            Some(Value::String(id)) if id.trim().is_empty() => {
                self.push(at, Some(ID_KEY), empty(ID_KEY));
            }
            Some(Value::String(id)) => {
                if let Some(broken) = slug(&id) {
                    self.push(at, Some(ID_KEY), broken);
                    return;
                }
                let other = graph
                    .nodes_with_id(&id)
                    .into_iter()
                    .find(|o| *o != node && self.reports_clash(node, *o));
                let derived = graph
                    .node_str(node, NAME_KEY)
                    .is_some_and(|name| slugify(name) == id);
                if let Some(other) = other
                    && !(derived && name_clashes.contains(&other))
                {
                    let first = graph.display_name(other);
                    self.push(at, Some(ID_KEY), duplicate_entity_id(&id, &first));
                }
            }
            Some(other) => self.push(
                at,
                Some(ID_KEY),
                wrong_type(ID_KEY, "text", found_type(&other)),
            ),
        }
    }

    /// The node's name and aliases: text, each unused by another entity. Returns the nodes
    /// they clash with.
    fn node_names(&mut self, node: NodeId) -> Vec<NodeId> {
        let graph = self.graph;
        let at = Element::Node(node);
        let mut names: Vec<(&str, String)> = Vec::new();
        match graph.node_prop(node, NAME_KEY) {
            None => self.push(at, Some(NAME_KEY), missing(NAME_KEY, "entity")),
            Some(Value::String(name)) if name.trim().is_empty() => {
                self.push(at, Some(NAME_KEY), empty(NAME_KEY));
            }
            Some(Value::String(name)) => names.push((NAME_KEY, name)),
            Some(other) => self.push(
                at,
                Some(NAME_KEY),
                wrong_type(NAME_KEY, "text", found_type(&other)),
            ),
        }
        match graph.node_prop(node, ALIASES_KEY) {
            None => {}
            Some(value) => match value.string_list() {
                Some(aliases) => names.extend(aliases.into_iter().map(|a| (ALIASES_KEY, a))),
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
                .nodes_by_name(&name)
                .into_iter()
                .find(|o| *o != node && self.reports_clash(node, *o));
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
        let at = Element::Edge(edge);
        let Some((_, to)) = graph.edge_endpoints(edge) else {
            return;
        };
        match RelType::from_edge_type(graph.edge_type(edge)) {
            None => self.push(at, None, not_a_relationship_type(graph.edge_type(edge))),
            Some(RelType::MemberOf) if !graph.node_has_label(to, Kind::Consortium.label()) => {
                let kind = graph
                    .node_labels(to)
                    .find_map(Kind::from_label)
                    .map_or("unlabelled", |k| k.as_str());
                let broken = member_of_non_consortium(&graph.display_id(to), kind);
                self.push(at, None, broken);
            }
            Some(_) => {}
        }
        let free = graph
            .edge_props(edge)
            .filter(|(k, _)| !matches!(*k, "amount_usd" | "stake_pct"));
        self.finite(at, free);
        let number = |key: &str| -> Option<Result<f64, Broken>> {
            let value = graph.edge_prop(edge, key)?;
            Some(match value.as_f64() {
                Some(x) if x.is_finite() => Ok(x),
                _ => Err(wrong_type(key, FINITE_NUMBER, found_type(&value))),
            })
        };
        for (key, rule) in [
            ("amount_usd", amount_usd as fn(f64) -> Option<Broken>),
            ("stake_pct", stake_pct),
        ] {
            match number(key) {
                Some(Ok(x)) => {
                    if let Some(broken) = rule(x) {
                        self.push(at, Some(key), broken);
                    }
                }
                Some(Err(broken)) => self.push(at, Some(key), broken),
                None => {}
            }
        }
        match graph.edge_prop(edge, "shares") {
            Some(Value::Int(n)) => {
                if let Some(broken) = shares(n) {
                    self.push(at, Some("shares"), broken);
                }
            }
            Some(other) => self.push(
                at,
                Some("shares"),
                wrong_type("shares", "an integer", found_type(&other)),
            ),
            None => {}
        }
        self.closed_word(
            edge,
            "amount_qualifier",
            Qualifier::parse,
            &Qualifier::spellings(),
        );
        self.closed_word(edge, "status", Status::parse, &Status::spellings());
        for key in ["instrument", "product", "role", "note"] {
            if let Some(value) = graph.edge_prop(edge, key)
                && !matches!(value, Value::String(_))
            {
                self.push(at, Some(key), wrong_type(key, "text", found_type(&value)));
            }
        }
        let mut date = |key: &str| match graph.edge_prop(edge, key) {
            Some(Value::Date(d)) => Some(d),
            Some(other) => {
                let mut broken = wrong_type(key, DATE, found_type(&other));
                broken.help = Some(format!("write {key}: date('2025-08-22')"));
                self.push(at, Some(key), broken);
                None
            }
            None => None,
        };
        let (start, end) = (date("date"), date("end_date"));
        if let (Some(start), Some(end)) = (start, end)
            && let Some(broken) = dates_in_order(start, end)
        {
            self.push(at, Some("end_date"), broken);
        }
        match graph.edge_prop(edge, "sources") {
            Some(value) => {
                if value.as_str_list().is_some_and(|l| l.is_empty()) && !graph.allow_unsourced() {
                    self.push(at, Some("sources"), unsourced());
                }
                self.sources(at, &value);
            }
            None if !graph.allow_unsourced() => self.push(at, None, unsourced()),
            None => {}
        }
        for key in ["type", "from", "to", "extra"] {
            if graph.edge_prop(edge, key).is_some() {
                let mut broken = model_field_as_property(key);
                broken.help = Some(format!(
                    "a relationship's type and ends are not properties; name the property otherwise than `{key}`"
                ));
                self.push(at, Some(key), broken);
            }
        }
    }

    fn closed_word<T>(
        &mut self,
        edge: EdgeId,
        key: &str,
        parse: fn(&str) -> Option<T>,
        spellings: &[&'static str],
    ) {
        let at = Element::Edge(edge);
        match self.graph.edge_prop(edge, key) {
            Some(Value::String(text)) => {
                if let Err(broken) = word(key, &text, parse, spellings) {
                    self.push(at, Some(key), broken);
                }
            }
            Some(other) => self.push(
                at,
                Some(key),
                wrong_type(
                    key,
                    &format!("one of {}", spellings.join(", ")),
                    found_type(&other),
                ),
            ),
            None => {}
        }
    }
}
