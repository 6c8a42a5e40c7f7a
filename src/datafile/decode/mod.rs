//! Turns a spanned document tree into alliance records, collecting every problem on the way.
//!
//! This checks what one record can tell alone: keys, types, closed words, dates, ranges.
//! Rules across records (unique ids, known entities and sources) live in `assemble`.
//!
//! This file owns the records, the entry point `decode` and the alliance tables (sources,
//! entities, relationships); `reading.rs` reads and checks one table's fields, `open.rs` the
//! generic form of an open-schema file.

use std::collections::HashMap;
use std::ops::Range;

use super::problem::{LineIndex, Location, Problem, ProblemKind};
use super::tree::{Entry, Node, NodeKind};
use crate::model::{Entity, RelType, Relationship, Source, Value, Vocabulary, fields};
use crate::rules::{self};

mod constraint;
mod fx_rate;
mod open;
mod reading;
mod typed;
pub(crate) mod vocabulary;

pub(crate) use typed::decode_records;

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

    /// As `field`, for a problem's place: a record that came typed (not from a file's text)
    /// has no place per field, so the problem names the field within its record.
    pub fn field_at(&self, key: &str) -> Location {
        match self.fields.get(key) {
            Some(at) => at.clone(),
            None if self.at.record.is_some() => self.at.at_field(key),
            None => self.at.clone(),
        }
    }

    /// Where the value of the property `key` was written, if it was: a field of its own, an
    /// identifier (`ids.KEY`), a free property (`extra.KEY`) or an open node's property
    /// (`properties.KEY`).
    pub fn property(&self, key: &str) -> Option<&Location> {
        self.fields.get(key).or_else(|| {
            ["ids", "extra", "properties"]
                .iter()
                .find_map(|table| self.fields.get(&format!("{table}.{key}")))
        })
    }
}

/// The records of one file.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub sources: Vec<Located<Source>>,
    pub fx_rates: Vec<Located<crate::model::FxRate>>,
    pub constraints: Vec<Located<crate::store::UniqueConstraint>>,
    pub entities: Vec<Located<Entity>>,
    pub relationships: Vec<Located<Relationship>>,
    /// Ids of entities and sources whose tables had problems and were left out. Cross-record
    /// checks treat them as known, so one mistake is not reported again wherever the id is used.
    pub incomplete_ids: Vec<String>,
    /// The file says `allow_unsourced = true`.
    pub allow_unsourced: bool,
    /// What is worth a look but loads (an identifier scheme near a known one).
    pub warnings: Vec<Problem>,
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
    "vocabulary",
    "source",
    "fx_rate",
    "constraint",
    "entity",
    "relationship",
];
const OPEN_TOP_LEVEL: &[&str] = &[
    "schema",
    "allow_unsourced",
    "source",
    "constraint",
    "node",
    "relationship",
];
const OPEN_NODE: &[&str] = &["ref", "labels", "properties"];
const OPEN_RELATIONSHIP: &[&str] = &["type", "from", "to", "properties"];

pub(crate) fn decode(
    root: &Node,
    text: &str,
    lines: &LineIndex,
    vocabulary: &Vocabulary,
    problems: &mut Vec<Problem>,
) -> Decoded {
    let mut decoder = Decoder {
        vocabulary,
        text,
        lines,
        problems,
        warnings: Vec::new(),
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
            // Read before any file's records (see `vocabulary.rs`).
            "allow_unsourced" | "schema" | "vocabulary" => continue,
            "source" | "fx_rate" | "constraint" | "entity" | "relationship" => {
                decoder.tables(entry)
            }
            _ => {
                decoder.unknown_key(entry, TOP_LEVEL, "at the top of a data file");
                continue;
            }
        };
        for table in tables {
            match entry.key.as_str() {
                "source" => match decoder.source(table) {
                    Ok(source) => decoded.sources.push(source),
                    Err(id) => decoded.incomplete_ids.extend(id),
                },
                "fx_rate" => decoded.fx_rates.extend(decoder.fx_rate(table)),
                "constraint" => decoded.constraints.extend(decoder.constraint(table)),
                "entity" => match decoder.entity(table) {
                    Ok(entity) => decoded.entities.push(entity),
                    Err(id) => decoded.incomplete_ids.extend(id),
                },
                _ => decoded
                    .relationships
                    .extend(decoder.relationship(table, allow_unsourced)),
            }
        }
    }
    decoded.warnings = decoder.warnings;
    decoded
}

struct Decoder<'a> {
    vocabulary: &'a Vocabulary,
    text: &'a str,
    lines: &'a LineIndex,
    problems: &'a mut Vec<Problem>,
    warnings: Vec<Problem>,
}

/// The keys of one table, with which of them have been read.
struct Fields<'n> {
    entries: &'n [Entry],
    used: Vec<bool>,
    span: Range<usize>,
    seen: HashMap<String, Location>,
}

impl<'n> Fields<'n> {
    pub(super) fn new(entries: &'n [Entry], span: Range<usize>) -> Self {
        Fields {
            entries,
            used: vec![false; entries.len()],
            span,
            seen: HashMap::new(),
        }
    }
}

impl<'a> Decoder<'a> {
    /// Reports every key not read, then packages the record (when it could be read) with its
    /// field locations.
    pub(super) fn finish<T>(
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

    pub(super) fn id(&mut self, f: &mut Fields<'_>, what: &str) -> Option<String> {
        let id = self.required_text(f, "id", what)?;
        if let Some(broken) = rules::slug(&id) {
            let span = self.take(f, "id").expect("read above").span.clone();
            self.broken(broken, span);
            return None;
        }
        Some(id)
    }

    /// A source, or the id of one that could not be read whole.
    pub(super) fn source(&mut self, mut f: Fields<'_>) -> Result<Located<Source>, Option<String>> {
        let what = "source";
        let id = self.id(&mut f, what);
        let title = self.required_text(&mut f, "title", what);
        let publisher = self.required_text(&mut f, "publisher", what);
        // An undated source (a corporate history page) is kept without a date, never given one.
        let dated = f.entries.iter().any(|e| e.key == "date");
        let date = self.date(&mut f, "date").map(|(d, _)| d);
        let url = self.text(&mut f, "url");
        let language = self.text(&mut f, "language");
        let record = match (id.clone(), title, publisher, date.is_some() || !dated) {
            (Some(id), Some(title), Some(publisher), true) => Some(Source {
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
    pub(super) fn entity(&mut self, mut f: Fields<'_>) -> Result<Located<Entity>, Option<String>> {
        let what = "entity";
        let id = self.id(&mut f, what);
        let name = self.required_text(&mut f, "name", what);
        let vocabulary = self.vocabulary;
        let kind = self.required(&mut f, "kind", what, |me, f| {
            me.checked_word(f, "kind", |k| rules::kind(vocabulary, k))
        });
        let aliases = self.texts(&mut f, "aliases");
        let country = self.text(&mut f, "country");
        let sector = self.text(&mut f, "sector");
        let note = self.text(&mut f, "note");
        let sources = self.texts(&mut f, "sources");
        let ids = self.ids(&mut f);
        let extra = self.extra(&mut f, |key| rules::entity_free_property(vocabulary, key));
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
                ids,
                extra,
            }),
            _ => None,
        };
        self.finish(f, fields::ENTITY, "an entity", record)
            .ok_or(id)
    }

    pub(super) fn relationship(
        &mut self,
        mut f: Fields<'_>,
        allow_unsourced: bool,
    ) -> Option<Located<Relationship>> {
        let vocabulary = self.vocabulary;
        let what = "relationship";
        let rel = self.required(&mut f, "type", what, |me, f| {
            me.checked_word(f, "type", |t| rules::rel_type(vocabulary, t))
        });
        let from = self.required_text(&mut f, "from", what);
        let to = self.required_text(&mut f, "to", what);

        let mut properties = std::collections::BTreeMap::new();
        let mut spans = HashMap::new();
        for i in 0..f.entries.len() {
            let entry = &f.entries[i];
            let Some(def) = vocabulary.property(&entry.key) else {
                continue;
            };
            f.used[i] = true;
            f.seen
                .insert(entry.key.clone(), self.locate(entry.value.span.clone()));
            if let Some(rel) = rel
                && !vocabulary.allows(rel, &def.name)
            {
                self.broken(
                    rules::property_not_on(&def.name, rel),
                    entry.key_span.clone(),
                );
                continue;
            }
            let Some(value) = self.value(&entry.value) else {
                continue;
            };
            let value = match rules::tie_property(vocabulary, rel, def, value) {
                Ok(Some(value)) => value,
                Ok(None) => continue,
                Err((spot, broken)) => {
                    let span = match spot {
                        rules::Spot::Key => entry.key_span.clone(),
                        rules::Spot::Value => entry.value.span.clone(),
                    };
                    self.broken(broken, span);
                    continue;
                }
            };
            spans.insert(def.name.clone(), entry.value.span.clone());
            properties.insert(def.name.clone(), value);
        }
        for (key, broken) in rules::tie_properties(&|key| properties.get(key).cloned()) {
            self.broken(broken, spans[key].clone());
        }
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
        let extra = self.extra(&mut f, |key| {
            rules::relationship_free_property(vocabulary, key)
        });
        let known = rules::relationship_keys(vocabulary, rel);

        let record = match (rel, from, to) {
            (Some(rel), Some(from), Some(to)) => {
                let mut record = Relationship::new(RelType::new(rel.name.as_str()), from, to);
                record.properties = properties;
                record.sources = sources;
                record.extra = extra;
                Some(record)
            }
            _ => None,
        };
        self.finish(f, &known, "a relationship", record)
    }

    /// An entity's `ids` table: text identifiers by scheme, each checked against its scheme's
    /// format; a scheme the vocabulary lacks is allowed, with a warning when it is near one it
    /// has. Each identifier's place is kept as the field `ids.SCHEME`.
    fn ids(&mut self, f: &mut Fields<'_>) -> std::collections::BTreeMap<String, String> {
        let mut ids = std::collections::BTreeMap::new();
        let Some(node) = self.take(f, "ids") else {
            return ids;
        };
        let NodeKind::Table(entries) = &node.kind else {
            self.wrong_type(
                "ids",
                node,
                "a table of identifiers by scheme, e.g. ids = { lei = \"…\" }",
            );
            return ids;
        };
        for entry in entries {
            let scheme = entry.key.as_str();
            let NodeKind::Str(value) = &entry.value.kind else {
                self.wrong_type(&format!("ids.{scheme}"), &entry.value, "text");
                continue;
            };
            let check = rules::identifier_entry(self.vocabulary, scheme, value);
            if let Some(warning) = check.warning {
                let at = self.locate(entry.key_span.clone());
                self.warnings
                    .push(Problem::new(warning.kind, at, warning.message).help(warning.help));
            }
            if let Some((spot, broken)) = check.broken {
                let span = match spot {
                    rules::Spot::Key => entry.key_span.clone(),
                    rules::Spot::Value => entry.value.span.clone(),
                };
                self.broken(broken, span);
                continue;
            }
            f.seen.insert(
                format!("ids.{scheme}"),
                self.locate(entry.value.span.clone()),
            );
            ids.insert(scheme.to_owned(), value.clone());
        }
        ids
    }
}
