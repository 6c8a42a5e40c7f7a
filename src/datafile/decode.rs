//! Turns a spanned document tree into alliance records, collecting every problem on the way.
//!
//! This checks what one record can tell alone: keys, types, closed words, dates, ranges.
//! Rules across records (unique ids, known entities and sources) live in `assemble`.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::problem::{LineIndex, Location, Problem, ProblemKind};
use super::tree::{Entry, Node, NodeKind};
use crate::model::{
    Date, Entity, Kind, Qualifier, RelType, Relationship, Source, Status, Value, did_you_mean,
    fields, suggest,
};
use crate::rules::{self, Broken};

/// A record with the places its table and fields came from.
#[derive(Debug)]
pub(crate) struct Located<T> {
    pub record: T,
    pub at: Location,
    fields: HashMap<String, Location>,
}

impl<T> Located<T> {
    /// Where a field (`"from"`, `"aliases.1"`) was written; the table itself when absent.
    pub fn field(&self, key: &str) -> &Location {
        self.fields.get(key).unwrap_or(&self.at)
    }
}

/// The records of one file.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub sources: Vec<Located<Source>>,
    pub entities: Vec<Located<Entity>>,
    pub relationships: Vec<Located<Relationship>>,
    /// Ids of entities and sources whose tables had problems and were left out. Cross-record
    /// checks treat them as known, so one mistake is not reported again wherever the id is used.
    pub incomplete_ids: Vec<String>,
    /// The file says `allow_unsourced = true`.
    pub allow_unsourced: bool,
    /// The file says `schema = "open"`: its graph is in `nodes` and `edges`.
    pub open: Option<Location>,
    pub nodes: Vec<Located<OpenNode>>,
    pub edges: Vec<Located<OpenEdge>>,
}

/// A node of an open-schema data file: its `ref` (what relationships name it by), labels and
/// properties.
#[derive(Debug)]
pub(crate) struct OpenNode {
    pub reference: i64,
    pub labels: Vec<String>,
    pub properties: Vec<(String, Value)>,
}

/// A relationship of an open-schema data file, joining two nodes by their `ref`.
#[derive(Debug)]
pub(crate) struct OpenEdge {
    pub rel_type: String,
    pub from: i64,
    pub to: i64,
    pub properties: Vec<(String, Value)>,
}

const TOP_LEVEL: &[&str] = &[
    "schema",
    "allow_unsourced",
    "source",
    "entity",
    "relationship",
];
const OPEN_TOP_LEVEL: &[&str] = &[
    "schema",
    "allow_unsourced",
    "source",
    "node",
    "relationship",
];
const OPEN_NODE: &[&str] = &["ref", "labels", "properties"];
const OPEN_RELATIONSHIP: &[&str] = &["type", "from", "to", "properties"];

pub(crate) fn decode(
    root: &Node,
    text: &str,
    lines: &LineIndex,
    problems: &mut Vec<Problem>,
) -> Decoded {
    let mut decoder = Decoder {
        text,
        lines,
        problems,
    };
    let mut decoded = Decoded::default();
    let NodeKind::Table(entries) = &root.kind else {
        decoder.report(
            ProblemKind::WrongType,
            root.span.clone(),
            format!(
                "a data file holds a table with `source`, `entity` and `relationship` lists, found {}",
                root.kind.type_name()
            ),
            None,
        );
        return decoded;
    };
    decoder.check_duplicate_keys(entries);
    // Read first: it decides whether relationships must cite sources, whatever the key order.
    let mut allow_unsourced = false;
    if let Some(entry) = entries.iter().find(|e| e.key == "allow_unsourced") {
        match entry.value.kind {
            NodeKind::Bool(b) => allow_unsourced = b,
            _ => decoder.wrong_type("allow_unsourced", &entry.value, "true or false"),
        }
    }
    decoded.allow_unsourced = allow_unsourced;
    if let Some(entry) = entries.iter().find(|e| e.key == "schema") {
        match &entry.value.kind {
            NodeKind::Str(s) if s == "alliance" => {}
            NodeKind::Str(s) if s == "open" => {
                decoded.open = Some(decoder.locate(entry.key_span.clone()));
                decoder.open_graph(entries, &mut decoded);
                return decoded;
            }
            NodeKind::Str(s) => {
                let broken = rules::word("schema", s, |_| None::<()>, &["alliance", "open"]);
                if let Err(broken) = broken {
                    decoder.broken(broken, entry.value.span.clone());
                }
            }
            _ => decoder.wrong_type("schema", &entry.value, "\"alliance\" or \"open\""),
        }
    }
    for entry in entries {
        let tables = match entry.key.as_str() {
            "allow_unsourced" | "schema" => continue,
            "source" | "entity" | "relationship" => decoder.tables(entry),
            _ => {
                decoder.unknown_key(entry, TOP_LEVEL, "at the top of a data file");
                continue;
            }
        };
        for (table, span) in tables {
            match entry.key.as_str() {
                "source" => match decoder.source(table, span) {
                    Ok(source) => decoded.sources.push(source),
                    Err(id) => decoded.incomplete_ids.extend(id),
                },
                "entity" => match decoder.entity(table, span) {
                    Ok(entity) => decoded.entities.push(entity),
                    Err(id) => decoded.incomplete_ids.extend(id),
                },
                _ => {
                    decoded
                        .relationships
                        .extend(decoder.relationship(table, span, allow_unsourced))
                }
            }
        }
    }
    decoded
}

struct Decoder<'a> {
    text: &'a str,
    lines: &'a LineIndex,
    problems: &'a mut Vec<Problem>,
}

/// The keys of one table, with which of them have been read.
struct Fields<'n> {
    entries: &'n [Entry],
    used: Vec<bool>,
    span: Range<usize>,
    seen: HashMap<String, Location>,
}

impl<'n> Fields<'n> {
    fn new(entries: &'n [Entry], span: Range<usize>) -> Self {
        Fields {
            entries,
            used: vec![false; entries.len()],
            span,
            seen: HashMap::new(),
        }
    }
}

impl<'a> Decoder<'a> {
    /// The tables of an open-schema file: sources as in an alliance file, then nodes and
    /// relationships in the generic form.
    fn open_graph(&mut self, entries: &[Entry], decoded: &mut Decoded) {
        for entry in entries {
            let key = entry.key.as_str();
            if matches!(key, "schema" | "allow_unsourced") {
                continue;
            }
            if !OPEN_TOP_LEVEL.contains(&key) {
                self.unknown_key(
                    entry,
                    OPEN_TOP_LEVEL,
                    "at the top of an open-schema data file",
                );
                continue;
            }
            for (table, span) in self.tables(entry) {
                match key {
                    "source" => match self.source(table, span) {
                        Ok(source) => decoded.sources.push(source),
                        Err(id) => decoded.incomplete_ids.extend(id),
                    },
                    "node" => decoded.nodes.extend(self.open_node(table, span)),
                    _ => decoded.edges.extend(self.open_edge(table, span)),
                }
            }
        }
    }

    fn open_node(&mut self, entries: &[Entry], span: Range<usize>) -> Option<Located<OpenNode>> {
        let mut f = Fields::new(entries, span);
        let present = f.entries.iter().any(|e| e.key == "ref");
        let reference = self.integer(&mut f, "ref").map(|(n, _)| n);
        if !present {
            self.missing(&f, "ref", "node");
        }
        let labels = self.texts(&mut f, "labels");
        let properties = self.open_properties(&mut f);
        let record = reference.map(|reference| OpenNode {
            reference,
            labels,
            properties,
        });
        self.finish(f, OPEN_NODE, "a node", record)
    }

    fn open_edge(&mut self, entries: &[Entry], span: Range<usize>) -> Option<Located<OpenEdge>> {
        let mut f = Fields::new(entries, span);
        let what = "relationship";
        let rel_type = self.required_text(&mut f, "type", what);
        let end = |me: &mut Self, f: &mut Fields<'_>, key: &str| {
            let present = f.entries.iter().any(|e| e.key == key);
            let value = me.integer(f, key).map(|(n, _)| n);
            if !present {
                me.missing(f, key, what);
            }
            value
        };
        let from = end(self, &mut f, "from");
        let to = end(self, &mut f, "to");
        let properties = self.open_properties(&mut f);
        let record = match (rel_type, from, to) {
            (Some(rel_type), Some(from), Some(to)) => Some(OpenEdge {
                rel_type,
                from,
                to,
                properties,
            }),
            _ => None,
        };
        self.finish(f, OPEN_RELATIONSHIP, "a relationship", record)
    }

    /// The `properties` table of a node or relationship, each value as `open_value` reads it.
    fn open_properties(&mut self, f: &mut Fields<'_>) -> Vec<(String, Value)> {
        let Some(node) = self.take(f, "properties") else {
            return Vec::new();
        };
        let NodeKind::Table(entries) = &node.kind else {
            self.wrong_type("properties", node, "a table of properties");
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|e| Some((e.key.clone(), self.open_value(&e.key, &e.value, true)?)))
            .collect()
    }

    /// A property value of an open-schema file: text, an integer, a float, a boolean, a list
    /// of those, or a one-key table for what the formats lack: `{ date = "2025-08" }`,
    /// `{ float = "nan" }` (also `"inf"`, `"-inf"`).
    fn open_value(&mut self, key: &str, node: &Node, list_allowed: bool) -> Option<Value> {
        const EXPECTED: &str =
            "text, a number, a boolean, a list of those, { date = \"...\" } or { float = \"nan\" }";
        Some(match &node.kind {
            NodeKind::Str(s) => Value::String(s.clone()),
            NodeKind::Int(i) => Value::Int(*i),
            NodeKind::Float(x) => Value::Float(*x),
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Date(d) => Value::Date(*d),
            NodeKind::Array(items) if list_allowed => {
                let values: Vec<Value> = items
                    .iter()
                    .filter_map(|i| self.open_value(key, i, false))
                    .collect();
                if values.len() != items.len() {
                    return None;
                }
                Value::List(values)
            }
            NodeKind::Table(entries) => match entries.as_slice() {
                [tag] => match (tag.key.as_str(), &tag.value.kind) {
                    ("date", NodeKind::Str(text)) => match text.parse::<Date>() {
                        Ok(d) => Value::Date(d),
                        Err(e) => {
                            self.report(
                                ProblemKind::BadDate,
                                tag.value.span.clone(),
                                format!("`{key}`: {e}"),
                                None,
                            );
                            return None;
                        }
                    },
                    ("float", NodeKind::Str(text)) => match text.as_str() {
                        "nan" => Value::Float(f64::NAN),
                        "inf" => Value::Float(f64::INFINITY),
                        "-inf" => Value::Float(f64::NEG_INFINITY),
                        _ => {
                            self.wrong_type(key, &tag.value, "\"nan\", \"inf\" or \"-inf\"");
                            return None;
                        }
                    },
                    _ => {
                        self.wrong_type(key, node, EXPECTED);
                        return None;
                    }
                },
                _ => {
                    self.wrong_type(key, node, EXPECTED);
                    return None;
                }
            },
            _ => {
                self.wrong_type(key, node, EXPECTED);
                return None;
            }
        })
    }

    fn locate(&self, span: Range<usize>) -> Location {
        self.lines.locate(self.text, span)
    }

    fn report(
        &mut self,
        kind: ProblemKind,
        span: Range<usize>,
        message: String,
        help: Option<String>,
    ) {
        let location = self.locate(span);
        self.problems
            .push(Problem::new(kind, location, message).help(help));
    }

    /// Reports a broken rule at `span`.
    fn broken(&mut self, broken: Broken, span: Range<usize>) {
        self.report(broken.kind, span, broken.message, broken.help);
    }

    fn check_duplicate_keys(&mut self, entries: &[Entry]) {
        // TOML forbids these already; JSON objects may repeat a key, and the second would
        // silently win.
        let mut first: HashMap<&str, Range<usize>> = HashMap::new();
        for entry in entries {
            if let Some(earlier) = first.get(entry.key.as_str()) {
                let at = self.locate(earlier.clone());
                self.report(
                    ProblemKind::Syntax,
                    entry.key_span.clone(),
                    format!("the key `{}` is written twice in one table", entry.key),
                    Some(format!("keep one of the two; the first is at {at}")),
                );
            } else {
                first.insert(&entry.key, entry.key_span.clone());
            }
        }
    }

    fn unknown_key(&mut self, entry: &Entry, known: &[&str], place: &str) {
        let suggestions = suggest(&entry.key, known.iter().copied());
        let help = did_you_mean(&suggestions).or_else(|| {
            Some(format!(
                "the keys allowed {place} are {}; put other properties in `extra`",
                known.join(", ")
            ))
        });
        self.report(
            ProblemKind::UnknownKey,
            entry.key_span.clone(),
            format!("unknown key `{}` {place}", entry.key),
            help,
        );
    }

    /// The tables of a top-level list such as `[[entity]]`.
    fn tables<'n>(&mut self, entry: &'n Entry) -> Vec<(&'n [Entry], Range<usize>)> {
        let NodeKind::Array(items) = &entry.value.kind else {
            self.report(
                ProblemKind::WrongType,
                entry.value.span.clone(),
                format!(
                    "`{}` should be a list of tables ([[{}]] in TOML), found {}",
                    entry.key,
                    entry.key,
                    entry.value.kind.type_name()
                ),
                None,
            );
            return Vec::new();
        };
        let mut tables = Vec::new();
        for item in items {
            match &item.kind {
                NodeKind::Table(entries) => {
                    self.check_duplicate_keys(entries);
                    tables.push((entries.as_slice(), item.span.clone()));
                }
                other => self.report(
                    ProblemKind::WrongType,
                    item.span.clone(),
                    format!(
                        "each `{}` should be a table, found {}",
                        entry.key,
                        other.type_name()
                    ),
                    None,
                ),
            }
        }
        tables
    }

    fn take<'n>(&mut self, f: &mut Fields<'n>, key: &str) -> Option<&'n Node> {
        let i = f.entries.iter().position(|e| e.key == key)?;
        f.used[i] = true;
        let node = &f.entries[i].value;
        f.seen
            .insert(key.to_owned(), self.locate(node.span.clone()));
        Some(node)
    }

    fn wrong_type(&mut self, key: &str, node: &Node, expected: &str) {
        self.broken(
            rules::wrong_type(key, expected, node.kind.type_name()),
            node.span.clone(),
        );
    }

    fn missing(&mut self, f: &Fields<'_>, key: &str, what: &str) {
        self.broken(rules::missing(key, what), f.span.start..f.span.start);
    }

    fn text(&mut self, f: &mut Fields<'_>, key: &str) -> Option<String> {
        let node = self.take(f, key)?;
        match &node.kind {
            NodeKind::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(key, node, "text");
                None
            }
        }
    }

    fn required_text(&mut self, f: &mut Fields<'_>, key: &str, what: &str) -> Option<String> {
        let present = f.entries.iter().any(|e| e.key == key);
        let value = self.text(f, key);
        if !present {
            self.missing(f, key, what);
        } else if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            let node = self.take(f, key).expect("present");
            self.broken(rules::empty(key), node.span.clone());
            return None;
        }
        value
    }

    fn number(&mut self, f: &mut Fields<'_>, key: &str) -> Option<(f64, Range<usize>)> {
        let node = self.take(f, key)?;
        match node.kind {
            NodeKind::Int(i) => Some((i as f64, node.span.clone())),
            NodeKind::Float(x) if x.is_finite() => Some((x, node.span.clone())),
            _ => {
                self.wrong_type(key, node, rules::FINITE_NUMBER);
                None
            }
        }
    }

    fn integer(&mut self, f: &mut Fields<'_>, key: &str) -> Option<(i64, Range<usize>)> {
        let node = self.take(f, key)?;
        match node.kind {
            NodeKind::Int(i) => Some((i, node.span.clone())),
            _ => {
                self.wrong_type(key, node, "an integer");
                None
            }
        }
    }

    fn date(&mut self, f: &mut Fields<'_>, key: &str) -> Option<(Date, Range<usize>)> {
        let node = self.take(f, key)?;
        match &node.kind {
            NodeKind::Date(d) => Some((*d, node.span.clone())),
            NodeKind::Str(s) => match s.parse::<Date>() {
                Ok(d) => Some((d, node.span.clone())),
                Err(e) => {
                    self.report(
                        ProblemKind::BadDate,
                        node.span.clone(),
                        format!("`{key}`: {e}"),
                        None,
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(key, node, rules::DATE);
                None
            }
        }
    }

    fn texts(&mut self, f: &mut Fields<'_>, key: &str) -> Vec<String> {
        let Some(node) = self.take(f, key) else {
            return Vec::new();
        };
        let NodeKind::Array(items) = &node.kind else {
            self.wrong_type(key, node, rules::TEXT_LIST);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match &item.kind {
                NodeKind::Str(s) => {
                    f.seen
                        .insert(format!("{key}.{i}"), self.locate(item.span.clone()));
                    out.push(s.clone());
                }
                _ => self.wrong_type(&format!("{key}[{i}]"), item, "text"),
            }
        }
        out
    }

    fn word<T>(
        &mut self,
        f: &mut Fields<'_>,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        spellings: &[&'static str],
    ) -> Option<T> {
        let node = self.take(f, key)?;
        let NodeKind::Str(text) = &node.kind else {
            self.wrong_type(key, node, &format!("one of {}", spellings.join(", ")));
            return None;
        };
        match rules::word(key, text, parse, spellings) {
            Ok(value) => Some(value),
            Err(broken) => {
                self.broken(broken, node.span.clone());
                None
            }
        }
    }

    fn extra(&mut self, f: &mut Fields<'_>, model_fields: &[&str]) -> BTreeMap<String, Value> {
        let Some(node) = self.take(f, "extra") else {
            return BTreeMap::new();
        };
        let NodeKind::Table(entries) = &node.kind else {
            self.wrong_type("extra", node, "a table of free properties");
            return BTreeMap::new();
        };
        let mut out = BTreeMap::new();
        for entry in entries {
            if model_fields.contains(&entry.key.as_str()) || entry.key == "kind" {
                self.broken(
                    rules::model_field_as_property(&entry.key),
                    entry.key_span.clone(),
                );
                continue;
            }
            if let Some(value) = self.value(&entry.value) {
                out.insert(entry.key.clone(), value);
            }
        }
        out
    }

    fn value(&mut self, node: &Node) -> Option<Value> {
        Some(match &node.kind {
            NodeKind::Str(s) => Value::String(s.clone()),
            NodeKind::Int(i) => Value::Int(*i),
            NodeKind::Float(x) => Value::Float(*x),
            NodeKind::Bool(b) => Value::Bool(*b),
            // Free properties keep dates as text: that is how they are written back, so a
            // save and a load give the same value.
            NodeKind::Date(d) => Value::String(d.to_string()),
            NodeKind::Null => Value::Null,
            NodeKind::Array(items) => {
                Value::List(items.iter().filter_map(|i| self.value(i)).collect())
            }
            NodeKind::Table(entries) => Value::Map(
                entries
                    .iter()
                    .filter_map(|e| Some((e.key.clone(), self.value(&e.value)?)))
                    .collect(),
            ),
            NodeKind::Unsupported(what) => {
                self.report(
                    ProblemKind::WrongType,
                    node.span.clone(),
                    format!("a property cannot hold {what}"),
                    None,
                );
                return None;
            }
        })
    }

    /// Reports every key not read, then packages the record (when it could be read) with its
    /// field locations.
    fn finish<T>(
        &mut self,
        f: Fields<'_>,
        known: &[&str],
        what: &str,
        record: Option<T>,
    ) -> Option<Located<T>> {
        for (entry, used) in f.entries.iter().zip(&f.used) {
            if !used {
                self.unknown_key(entry, known, &format!("in {what}"));
            }
        }
        Some(Located {
            record: record?,
            at: self.locate(f.span.start..f.span.start),
            fields: f.seen,
        })
    }

    fn id(&mut self, f: &mut Fields<'_>, what: &str) -> Option<String> {
        let id = self.required_text(f, "id", what)?;
        if let Some(broken) = rules::slug(&id) {
            let span = self.take(f, "id").expect("read above").span.clone();
            self.broken(broken, span);
            return None;
        }
        Some(id)
    }

    /// A source, or the id of one that could not be read whole.
    fn source(
        &mut self,
        entries: &[Entry],
        span: Range<usize>,
    ) -> Result<Located<Source>, Option<String>> {
        let mut f = Fields::new(entries, span);
        let what = "source";
        let id = self.id(&mut f, what);
        let title = self.required_text(&mut f, "title", what);
        let publisher = self.required_text(&mut f, "publisher", what);
        let present = f.entries.iter().any(|e| e.key == "date");
        let date = self.date(&mut f, "date").map(|(d, _)| d);
        if !present {
            self.missing(&f, "date", what);
        }
        let url = self.text(&mut f, "url");
        let language = self.text(&mut f, "language");
        let record = match (id.clone(), title, publisher, date) {
            (Some(id), Some(title), Some(publisher), Some(date)) => Some(Source {
                id,
                title,
                publisher,
                date,
                url,
                language,
            }),
            _ => None,
        };
        self.finish(f, fields::SOURCE, "a source", record).ok_or(id)
    }

    /// An entity, or the id of one that could not be read whole.
    fn entity(
        &mut self,
        entries: &[Entry],
        span: Range<usize>,
    ) -> Result<Located<Entity>, Option<String>> {
        let mut f = Fields::new(entries, span);
        let what = "entity";
        let id = self.id(&mut f, what);
        let name = self.required_text(&mut f, "name", what);
        let kind_present = f.entries.iter().any(|e| e.key == "kind");
        let kind = self.word(&mut f, "kind", Kind::parse, &Kind::spellings());
        if !kind_present {
            self.missing(&f, "kind", what);
        }
        let aliases = self.texts(&mut f, "aliases");
        let country = self.text(&mut f, "country");
        let sector = self.text(&mut f, "sector");
        let note = self.text(&mut f, "note");
        let sources = self.texts(&mut f, "sources");
        let extra = self.extra(&mut f, fields::ENTITY);
        let record = match (id.clone(), name, kind) {
            (Some(id), Some(name), Some(kind)) => Some(Entity {
                id,
                name,
                kind,
                aliases,
                country,
                sector,
                note,
                sources,
                extra,
            }),
            _ => None,
        };
        self.finish(f, fields::ENTITY, "an entity", record)
            .ok_or(id)
    }

    fn relationship(
        &mut self,
        entries: &[Entry],
        span: Range<usize>,
        allow_unsourced: bool,
    ) -> Option<Located<Relationship>> {
        let mut f = Fields::new(entries, span);
        let what = "relationship";
        let type_present = f.entries.iter().any(|e| e.key == "type");
        let rel_type = self.word(&mut f, "type", RelType::parse_any, &RelType::spellings());
        if !type_present {
            self.missing(&f, "type", what);
        }
        let from = self.required_text(&mut f, "from", what);
        let to = self.required_text(&mut f, "to", what);

        let amount = self.number(&mut f, "amount_usd");
        if let Some((x, span)) = &amount
            && let Some(broken) = rules::amount_usd(*x)
        {
            self.broken(broken, span.clone());
        }
        let qualifier = self.word(
            &mut f,
            "amount_qualifier",
            Qualifier::parse,
            &Qualifier::spellings(),
        );
        let stake = self.number(&mut f, "stake_pct");
        if let Some((x, span)) = &stake
            && let Some(broken) = rules::stake_pct(*x)
        {
            self.broken(broken, span.clone());
        }
        let shares = self.integer(&mut f, "shares");
        if let Some((n, span)) = &shares
            && let Some(broken) = rules::shares(*n)
        {
            self.broken(broken, span.clone());
        }
        let instrument = self.text(&mut f, "instrument");
        let product = self.text(&mut f, "product");
        let role = self.text(&mut f, "role");
        let date = self.date(&mut f, "date");
        let end_date = self.date(&mut f, "end_date");
        if let (Some((start, _)), Some((end, span))) = (&date, &end_date)
            && let Some(broken) = rules::dates_in_order(*start, *end)
        {
            self.broken(broken, span.clone());
        }
        let status = self.word(&mut f, "status", Status::parse, &Status::spellings());
        let sources_node = f
            .entries
            .iter()
            .find(|e| e.key == "sources")
            .map(|e| e.value.span.clone());
        let sources = self.texts(&mut f, "sources");
        if sources.is_empty() && !allow_unsourced {
            let span = sources_node.unwrap_or(f.span.start..f.span.start);
            self.broken(rules::unsourced(), span);
        }
        let note = self.text(&mut f, "note");
        let extra = self.extra(&mut f, fields::RELATIONSHIP);

        let record = match (rel_type, from, to) {
            (Some(rel_type), Some(from), Some(to)) => {
                let mut rel = Relationship::new(rel_type, from, to);
                rel.amount_usd = amount.map(|(x, _)| x);
                rel.amount_qualifier = qualifier.unwrap_or(Qualifier::Exact);
                rel.stake_pct = stake.map(|(x, _)| x);
                rel.shares = shares.map(|(n, _)| n);
                rel.instrument = instrument;
                rel.product = product;
                rel.role = role;
                rel.date = date.map(|(d, _)| d);
                rel.end_date = end_date.map(|(d, _)| d);
                rel.status = status;
                rel.sources = sources;
                rel.note = note;
                rel.extra = extra;
                Some(rel)
            }
            _ => None,
        };
        self.finish(f, fields::RELATIONSHIP, "a relationship", record)
    }
}
