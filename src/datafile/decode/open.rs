//! Decoding the generic form of an open-schema file: `[[node]]` with `ref`, `labels` and
//! `properties`, `[[relationship]]` joining refs, and property values of any type (dates and
//! non-finite floats as one-key tables).

use super::{
    Decoded, Decoder, Fields, Located, OPEN_NODE, OPEN_RELATIONSHIP, OPEN_TOP_LEVEL, OpenEdge,
    OpenNode,
};
use crate::datafile::problem::ProblemKind;
use crate::datafile::tree::{Entry, Node, NodeKind};
use crate::model::{Date, Value};

impl Decoder<'_> {
    /// The tables of an open-schema file: sources as in an alliance file, then nodes and
    /// relationships in the generic form.
    pub(super) fn open_graph(&mut self, entries: &[Entry], decoded: &mut Decoded) {
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
            for table in self.tables(entry) {
                match key {
                    "source" => match self.source(table) {
                        Ok(source) => decoded.sources.push(source),
                        Err(id) => decoded.incomplete_ids.extend(id),
                    },
                    "constraint" => decoded.constraints.extend(self.constraint(table)),
                    "node" => decoded.nodes.extend(self.open_node(table)),
                    _ => decoded.edges.extend(self.open_edge(table)),
                }
            }
        }
    }

    pub(super) fn open_node(&mut self, mut f: Fields<'_>) -> Option<Located<OpenNode>> {
        let reference = self
            .required(&mut f, "ref", "node", |me, f| me.integer(f, "ref"))
            .map(|(n, _)| n);
        let labels = self.texts(&mut f, "labels");
        let properties = self.open_properties(&mut f);
        let record = reference.map(|reference| OpenNode {
            reference,
            labels,
            properties,
        });
        self.finish(f, OPEN_NODE, "a node", record)
    }

    pub(super) fn open_edge(&mut self, mut f: Fields<'_>) -> Option<Located<OpenEdge>> {
        let what = "relationship";
        let rel_type = self.required_text(&mut f, "type", what);
        let end = |me: &mut Self, f: &mut Fields<'_>, key: &str| {
            me.required(f, key, what, |me, f| me.integer(f, key))
                .map(|(n, _)| n)
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
    pub(super) fn open_properties(&mut self, f: &mut Fields<'_>) -> Vec<(String, Value)> {
        let Some(node) = self.take(f, "properties") else {
            return Vec::new();
        };
        let NodeKind::Table(entries) = &node.kind else {
            self.wrong_type("properties", node, "a table of properties");
            return Vec::new();
        };
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            if let Some(value) = self.open_value(&e.key, &e.value, true) {
                f.seen.insert(
                    format!("properties.{}", e.key),
                    self.locate(e.value.span.clone()),
                );
                out.push((e.key.clone(), value));
            }
        }
        out
    }

    /// A property value of an open-schema file: text, an integer, a float, a boolean, a list
    /// of those, or a one-key table for what the formats lack: `{ date = "2025-08" }`,
    /// `{ float = "nan" }` (also `"inf"`, `"-inf"`).
    pub(super) fn open_value(
        &mut self,
        key: &str,
        node: &Node,
        list_allowed: bool,
    ) -> Option<Value> {
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
                    (
                        kind @ ("localtime" | "time" | "localdatetime" | "datetime" | "duration"),
                        NodeKind::Str(text),
                    ) => match crate::model::Temporal::parse(kind, text) {
                        Ok(t) => Value::Temporal(Box::new(t)),
                        Err(e) => {
                            self.report(
                                ProblemKind::BadDate,
                                tag.value.span.clone(),
                                format!("`{key}`: {e}"),
                                Some(format!(
                                    "write the {kind} in ISO 8601, as toString() gives it"
                                )),
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
}
