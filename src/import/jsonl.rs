//! `import jsonl`: the JSON lines `export jsonl` writes, in the layout of Neo4j's APOC export,
//! read back into alliance records.
//!
//! A `node` line's labels give its kind (`Company` → company); its properties give the
//! entity's fields (`id`, `name`, `aliases`, `country`, `sector`, `note`, `sources`), its
//! identifiers (a property named after a scheme, `lei`) and, for every other key, a free
//! property. A node labelled `Source` is a source (`id`, `title`, `publisher`, `date`, `url`,
//! `language`). A `relationship` line's `label` is the relationship type (`INVESTS_IN`), its
//! `start` and `end` name nodes by their line's `id`; its properties split into the
//! vocabulary's, its `sources` and free ones. A one-entry object naming a temporal kind
//! (`{"duration":"P1M"}`) is a temporal value. A node with no `id` property takes its line's
//! `id`. Nothing is dropped, so no loss is counted; what cannot be read is a problem with its
//! line and JSON pointer.

use std::collections::HashMap;

use serde_json::Value as Json;

use super::{Builder, ImportFormat, ImportOptions, InputFile, Origin, Place, RecordProblem};
use crate::model::vocabulary::Vocabulary;
use crate::model::{Date, FxRate, Schema, Source, Value};
use crate::store::{EdgeId, Graph, NodeId};

pub(super) static FORMAT: ImportFormat = ImportFormat {
    name: "jsonl",
    describes: "a JSON lines export (Neo4j APOC's layout, as `alliances export jsonl` writes)",
    extensions: &["jsonl", "ndjson"],
    recognise,
    read,
    read_in_batches: None,
    add_in_bulk: None,
};

/// The label of nodes that are sources.
const SOURCE_LABEL: &str = "Source";

fn recognise(file: &InputFile) -> Option<String> {
    let text = std::str::from_utf8(&file.bytes).ok()?;
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    let record: Json = serde_json::from_str(first).ok()?;
    let kind = record.get("type")?.as_str()?;
    let shaped = match kind {
        "node" => record.get("labels").is_some_and(Json::is_array),
        "relationship" => record.get("label").is_some() && record.get("start").is_some(),
        _ => false,
    };
    shaped.then(|| "a JSON lines graph export (APOC layout)".to_owned())
}

/// A JSON value as a property value: numbers as integers when they are, objects as maps, and
/// a one-entry object naming a temporal kind (`{"datetime":"2015-07-21T21:40Z"}`, as `export
/// jsonl` writes temporal values) as that temporal value.
fn value(json: &Json) -> Value {
    match json {
        Json::Object(map)
            if map.len() == 1
                && let Some((kind, Json::String(text))) = map.iter().next()
                && let Ok(t) = crate::model::Temporal::parse(kind, text) =>
        {
            Value::Temporal(Box::new(t))
        }
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(value).collect()),
        Json::Object(map) => Value::Map(map.iter().map(|(k, v)| (k.clone(), value(v))).collect()),
    }
}

/// What one file's lines hold, with every problem found.
struct Reader<'f> {
    file: &'f InputFile,
    graph: Graph,
    nodes: HashMap<String, NodeId>,
    /// Where each node and relationship was read, its properties at their pointers.
    node_origins: HashMap<NodeId, Origin>,
    edge_origins: HashMap<EdgeId, Origin>,
    sources: Vec<Source>,
    problems: Vec<RecordProblem>,
}

impl Reader<'_> {
    fn problem(&mut self, line: usize, pointer: &str, message: String, help: Option<&str>) {
        let mut problem = RecordProblem::new(
            &self.file.path,
            Place::LinePointer {
                line,
                pointer: pointer.to_owned(),
            },
            message,
        );
        if let Some(help) = help {
            problem = problem.help(help);
        }
        self.problems.push(problem);
    }

    fn place(&self, line: usize, pointer: &str) -> Place {
        Place::LinePointer {
            line,
            pointer: pointer.to_owned(),
        }
    }

    /// A line's origin, each of its `properties` at its pointer.
    fn origin<'k>(&self, line: usize, properties: impl Iterator<Item = &'k String>) -> Origin {
        properties.fold(
            Origin::new(&self.file.path, self.place(line, "")),
            |origin, key| {
                let pointer = format!("/properties/{}", key.replace('~', "~0").replace('/', "~1"));
                origin.field(key.clone(), self.place(line, &pointer))
            },
        )
    }

    fn text<'j>(&mut self, line: usize, record: &'j Json, pointer: &str) -> Option<&'j str> {
        match record.pointer(pointer) {
            Some(Json::String(s)) => Some(s),
            Some(other) => {
                self.problem(
                    line,
                    pointer,
                    format!("expected text, found {}", json_type(other)),
                    None,
                );
                None
            }
            None => {
                self.problem(line, pointer, "this field is missing".to_owned(), None);
                None
            }
        }
    }

    /// The line's `id`, as text (APOC writes numbers as text; a number is taken too).
    fn line_id(&mut self, line: usize, record: &Json, pointer: &str) -> Option<String> {
        match record.pointer(pointer) {
            Some(Json::Number(n)) => Some(n.to_string()),
            _ => self.text(line, record, pointer).map(str::to_owned),
        }
    }

    fn node(&mut self, line: usize, record: &Json) {
        let Some(id) = self.line_id(line, record, "/id") else {
            return;
        };
        let labels: Vec<&str> = match record.get("labels") {
            Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
            _ => {
                self.problem(
                    line,
                    "/labels",
                    "a node needs a list of labels".to_owned(),
                    None,
                );
                return;
            }
        };
        let properties = match record.get("properties") {
            Some(Json::Object(map)) => map.clone(),
            None => serde_json::Map::new(),
            Some(other) => {
                let message = format!("expected an object, found {}", json_type(other));
                self.problem(line, "/properties", message, None);
                return;
            }
        };
        if labels.contains(&SOURCE_LABEL) {
            self.source(line, &properties);
            return;
        }
        let mut props: Vec<(String, Value)> = properties
            .iter()
            .map(|(k, v)| (k.clone(), value(v)))
            .collect();
        if !properties.contains_key("id") {
            props.push(("id".to_owned(), Value::String(id.clone())));
        }
        let node = self
            .graph
            .add_node(labels, props.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let origin = self
            .origin(line, properties.keys())
            .field("kind", self.place(line, "/labels"));
        self.node_origins.insert(node, origin);
        if self.nodes.insert(id.clone(), node).is_some() {
            self.problem(
                line,
                "/id",
                format!("a node with id \"{id}\" is already on an earlier line"),
                Some("give every node line an id of its own"),
            );
        }
    }

    fn source(&mut self, line: usize, props: &serde_json::Map<String, Json>) {
        let record = Json::Object(props.clone());
        let (Some(id), Some(title), Some(publisher)) = (
            self.text(line, &record, "/id").map(str::to_owned),
            self.text(line, &record, "/title").map(str::to_owned),
            self.text(line, &record, "/publisher").map(str::to_owned),
        ) else {
            return;
        };
        let optional = |key: &str| props.get(key).and_then(Json::as_str).map(str::to_owned);
        let date = match optional("date").map(|d| d.parse::<Date>()) {
            None => None,
            Some(Ok(date)) => Some(date),
            Some(Err(e)) => {
                self.problem(
                    line,
                    "/properties/date",
                    format!("{e}"),
                    Some("write YYYY-MM-DD, YYYY-MM or YYYY"),
                );
                None
            }
        };
        self.sources.push(Source {
            id,
            title,
            publisher,
            date,
            url: optional("url"),
            language: optional("language"),
        });
    }

    fn relationship(&mut self, line: usize, record: &Json) {
        let Some(rel_type) = self.text(line, record, "/label").map(str::to_owned) else {
            return;
        };
        let end = |reader: &mut Self, pointer: &str| {
            let id = reader.line_id(line, record, pointer)?;
            let node = reader.nodes.get(&id).copied();
            if node.is_none() {
                reader.problem(
                    line,
                    pointer,
                    format!("no node line before this one has id \"{id}\""),
                    Some("write every node's line before the relationships that join it"),
                );
            }
            node
        };
        let (start, finish) = (end(self, "/start/id"), end(self, "/end/id"));
        let props: Vec<(String, Value)> = match record.get("properties") {
            Some(Json::Object(map)) => map.iter().map(|(k, v)| (k.clone(), value(v))).collect(),
            None => Vec::new(),
            Some(other) => {
                let message = format!("expected an object, found {}", json_type(other));
                self.problem(line, "/properties", message, None);
                return;
            }
        };
        if let (Some(a), Some(b)) = (start, finish) {
            let edge = self.graph.add_edge(
                a,
                b,
                &rel_type,
                props.iter().map(|(k, v)| (k.as_str(), v.clone())),
            );
            if let Some(edge) = edge {
                let origin = self
                    .origin(line, props.iter().map(|(k, _)| k))
                    .field("from", self.place(line, "/start/id"))
                    .field("to", self.place(line, "/end/id"))
                    .field("type", self.place(line, "/label"));
                self.edge_origins.insert(edge, origin);
            } else {
                self.problem(
                    line,
                    "",
                    "the relationship cannot be added".to_owned(),
                    None,
                );
            }
        }
    }
}

impl Reader<'_> {
    /// A `vocabulary` line: the data file's additions, which hold for the nodes and
    /// relationships after it.
    fn vocabulary(&mut self, line: usize, record: &Json, builder: &mut Builder) {
        let definitions = match record
            .get("definitions")
            .cloned()
            .map(serde_json::from_value)
        {
            Some(Ok(definitions)) => definitions,
            Some(Err(e)) => {
                self.problem(line, "/definitions", format!("not a vocabulary: {e}"), Some(
                    "write the data file's [vocabulary] table as JSON (kind, relationship, property, identifier)",
                ));
                return;
            }
            None => {
                self.problem(
                    line,
                    "/definitions",
                    "this field is missing".to_owned(),
                    None,
                );
                return;
            }
        };
        if !builder.dataset().vocabulary.is_empty() {
            self.problem(
                line,
                "",
                "a vocabulary line is already on an earlier line or file".to_owned(),
                Some("give the vocabulary's additions once, on one line"),
            );
            return;
        }
        let mut vocabulary = (*Vocabulary::built_in()).clone();
        if let Err(errors) = vocabulary.extend(&definitions) {
            for error in errors {
                self.problem(line, "/definitions", error.to_string(), None);
            }
            return;
        }
        self.graph.set_vocabulary(std::sync::Arc::new(vocabulary));
        builder.dataset_mut().vocabulary = definitions;
    }

    /// An `fx_rate` line: one exchange rate.
    fn fx_rate(&mut self, line: usize, record: &Json, builder: &mut Builder) {
        let currency = self.text(line, record, "/currency").map(str::to_owned);
        let source = self.text(line, record, "/source").map(str::to_owned);
        let date = self
            .text(line, record, "/date")
            .and_then(|d| match d.parse::<Date>() {
                Ok(date) => Some(date),
                Err(e) => {
                    self.problem(line, "/date", format!("{e}"), Some("write YYYY-MM-DD"));
                    None
                }
            });
        let rate = match record.get("rate") {
            Some(Json::Number(n)) => n.as_f64(),
            Some(other) => {
                let message = format!("expected a number, found {}", json_type(other));
                self.problem(line, "/rate", message, None);
                None
            }
            None => {
                self.problem(line, "/rate", "this field is missing".to_owned(), None);
                None
            }
        };
        if let (Some(currency), Some(date), Some(rate), Some(source)) =
            (currency, date, rate, source)
        {
            builder.dataset_mut().fx_rate.push(FxRate {
                currency,
                date,
                rate,
                source,
            });
        }
    }
}

fn json_type(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "true or false",
        Json::Number(_) => "a number",
        Json::String(_) => "text",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

fn read(
    files: &[InputFile],
    _options: &ImportOptions,
    builder: &mut Builder,
) -> Result<(), Vec<RecordProblem>> {
    let mut problems = Vec::new();
    for file in files {
        let text = match file.text() {
            Ok(text) => text,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let mut reader = Reader {
            file,
            graph: Graph::new(Schema::Open),
            nodes: HashMap::new(),
            node_origins: HashMap::new(),
            edge_origins: HashMap::new(),
            sources: Vec::new(),
            problems: Vec::new(),
        };
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let record: Json = match serde_json::from_str(raw) {
                Ok(record) => record,
                Err(e) => {
                    reader.problems.push(RecordProblem::new(
                        &file.path,
                        Place::LineColumn {
                            line,
                            column: e.column(),
                        },
                        format!("not JSON: {e}"),
                    ));
                    continue;
                }
            };
            match record.get("type").and_then(Json::as_str) {
                Some("node") => reader.node(line, &record),
                Some("relationship") => reader.relationship(line, &record),
                Some("vocabulary") => reader.vocabulary(line, &record, builder),
                Some("fx_rate") => reader.fx_rate(line, &record, builder),
                Some(other) => {
                    let message = format!(
                        "a record's type is \"node\", \"relationship\", \"vocabulary\" or \"fx_rate\", not \"{other}\""
                    );
                    reader.problem(line, "/type", message, None);
                }
                None => reader.problem(
                    line,
                    "/type",
                    "the record has no type (\"node\" or \"relationship\")".to_owned(),
                    None,
                ),
            }
        }
        let graph = &reader.graph;
        for source in reader.sources.drain(..) {
            builder.source(source);
        }
        for node in graph.nodes().collect::<Vec<_>>() {
            let origin = reader.node_origins.remove(&node);
            let place = origin.as_ref().map_or(Place::File, |o| o.place.clone());
            match graph.entity(node) {
                Ok(entity) => match origin {
                    Some(origin) => builder.entity_at(entity, origin),
                    None => builder.entity(entity),
                },
                Err(e) => reader.problems.push(
                    RecordProblem::new(&file.path, place, e.to_string()).help(
                        "every node needs a kind label (Company, Fund, Government, Consortium, Person, Organization), an id and a name",
                    ),
                ),
            }
        }
        for edge in graph.edges().collect::<Vec<_>>() {
            let origin = reader.edge_origins.remove(&edge);
            let place = origin.as_ref().map_or(Place::File, |o| o.place.clone());
            let relationship = graph.relationship(edge);
            // Under the alliance rules only a graph that allows it (a bulk CSV import's) holds
            // a relationship citing no source; its export is read back as one.
            if matches!(&relationship, Ok(rel) if rel.sources.is_empty()) {
                builder.dataset_mut().allow_unsourced = true;
            }
            match relationship {
                Ok(rel) => match origin {
                    Some(origin) => builder.relationship_at(rel, origin),
                    None => builder.relationship(rel),
                },
                Err(e) => reader.problems.push(
                    RecordProblem::new(&file.path, place, e.to_string()).help(
                        "the relationship types are the vocabulary's, written as queries do (INVESTS_IN, MEMBER_OF, SUPPLIES…)",
                    ),
                ),
            }
        }
        problems.append(&mut reader.problems);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}
