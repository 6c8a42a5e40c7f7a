//! Conversion between alliance records (`Entity`, `Relationship`) and graph elements.
//!
//! An entity is a node labelled with its kind; its fields are properties under the same names,
//! and its free `extra` properties sit beside them. Its identifiers (`ids`) are properties
//! named after their schemes (`lei`); a node property whose key is one of the vocabulary's
//! identifier schemes is read back into `ids`, never into `extra`. A relationship is an edge whose type is the
//! query spelling of its relationship type (`INVESTS_IN`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{EdgeId, Graph, NodeId};
use crate::model::vocabulary::Definitions;
use crate::model::{Entity, Kind, RelType, Relationship, Source, Value, fields};

/// A whole graph as the three tables of a data file.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DataSet {
    /// Relationships may cite no source: the graph's own flag, saved as it was loaded (a data
    /// file that said so, or a CSV import). A data file that says so loads without requiring
    /// sources.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_unsourced: bool,
    /// What the graph's vocabulary adds to the built-in one.
    #[serde(skip_serializing_if = "Definitions::is_empty")]
    pub vocabulary: Definitions,
    pub source: Vec<Source>,
    /// The exchange rates (`[[fx_rate]]`), as given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fx_rate: Vec<crate::model::FxRate>,
    /// The uniqueness constraints (`[[constraint]]`), in the order they were made.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraint: Vec<super::UniqueConstraint>,
    pub entity: Vec<Entity>,
    pub relationship: Vec<Relationship>,
}

/// Why a graph element cannot be written as an alliance record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// A node carries none of the vocabulary's kind labels (`Company`, `Person`…).
    #[error("node {node} has no kind label (Company, Fund, Person…)")]
    NoKind { node: String },
    /// The relationship does not exist (any more).
    #[error("relationship #{edge} does not exist")]
    NoSuchRelationship { edge: usize },
    /// A node lacks the `id` or `name` every entity needs.
    #[error("node {node} has no `{key}` property")]
    MissingKey { node: String, key: &'static str },
    /// A model field holds a value of the wrong type, e.g. a numeric `country`.
    #[error("{element}: property `{key}` should be {expected}, found {found}")]
    WrongType {
        element: String,
        key: String,
        expected: &'static str,
        found: &'static str,
    },
    /// An edge's type is none of the vocabulary's relationship types.
    #[error(
        "relationship {edge} has type {rel_type}, which is not a relationship type of the vocabulary"
    )]
    NotAllianceType { edge: String, rel_type: String },
}

fn text(value: &Option<String>) -> Option<Value> {
    value.as_ref().map(|s| Value::String(s.clone()))
}

fn strings(list: &[String]) -> Option<Value> {
    (!list.is_empty()).then(|| Value::List(list.iter().map(|s| Value::from(s.as_str())).collect()))
}

impl Graph {
    /// Adds an entity as a node labelled with its kind.
    pub fn insert_entity(&mut self, entity: &Entity) -> NodeId {
        let mut props: Vec<(&str, Value)> = vec![
            ("id", Value::from(entity.id.as_str())),
            ("name", Value::from(entity.name.as_str())),
        ];
        let optional = [
            ("aliases", strings(&entity.aliases)),
            ("country", text(&entity.country)),
            ("sector", text(&entity.sector)),
            ("note", text(&entity.note)),
            ("sources", strings(&entity.sources)),
        ];
        props.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
        props.extend(
            entity
                .ids
                .iter()
                .map(|(scheme, id)| (scheme.as_str(), Value::from(id.as_str()))),
        );
        props.extend(entity.extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let label = entity.kind.label();
        self.add_node([label.as_str()], props)
    }

    /// Adds a relationship between two nodes in the graph; `None` when either is not.
    pub fn insert_relationship(
        &mut self,
        rel: &Relationship,
        from: NodeId,
        to: NodeId,
    ) -> Option<EdgeId> {
        self.insert_relationship_with(rel, from, to, None)
    }

    /// Adds `rel` as `insert_relationship` does, with the property `also` set (in place of
    /// the record's own value of it), so that a derived value costs no copy of the record.
    pub fn insert_relationship_with(
        &mut self,
        rel: &Relationship,
        from: NodeId,
        to: NodeId,
        also: Option<(&str, Value)>,
    ) -> Option<EdgeId> {
        // In key order, as the record's own properties, so that both ways store the same.
        let mut also = also;
        let mut props: Vec<(&str, Value)> = Vec::with_capacity(rel.properties.len() + 2);
        for (k, v) in &rel.properties {
            if also.as_ref().is_some_and(|(key, _)| *key <= k.as_str()) {
                props.extend(also.take());
            }
            if props.last().is_none_or(|(last, _)| *last != k.as_str()) {
                props.push((k.as_str(), v.clone()));
            }
        }
        props.extend(also);
        let props: Vec<(&str, Value)> = props
            .into_iter()
            .chain(strings(&rel.sources).map(|v| ("sources", v)))
            .chain(rel.extra.iter().map(|(k, v)| (k.as_str(), v.clone())))
            .collect();
        self.add_edge(from, to, &rel.rel_type.edge_type(), props)
    }

    /// Reads a node back as an entity.
    ///
    /// # Errors
    /// When the node is not shaped like an alliance entity (see `RecordError`).
    pub fn entity(&self, node: NodeId) -> Result<Entity, RecordError> {
        let label = || self.display_name(node);
        let kind = self
            .node_labels(node)
            .find_map(|l| self.vocabulary().kind_by_label(l))
            .map(|k| Kind::new(k.name.as_str()))
            .ok_or_else(|| RecordError::NoKind { node: label() })?;
        let mut reader = PropReader::new(label(), self.node_props(node));
        let mut ids = BTreeMap::new();
        for def in self.vocabulary().identifiers() {
            if let Some(id) = reader.string(&def.name)? {
                ids.insert(def.name.clone(), id);
            }
        }
        Ok(Entity {
            id: reader.required_string("id")?,
            name: reader.required_string("name")?,
            kind,
            aliases: reader.strings("aliases")?,
            country: reader.string("country")?,
            sector: reader.string("sector")?,
            note: reader.string("note")?,
            sources: reader.strings("sources")?,
            ids,
            extra: reader.rest(fields::ENTITY),
        })
    }

    /// Reads an edge back as a relationship; `from` and `to` are the endpoints' ids.
    ///
    /// # Errors
    /// When the edge or its endpoints are not shaped like alliance records.
    pub fn relationship(&self, edge: EdgeId) -> Result<Relationship, RecordError> {
        let (from, to) = self
            .edge_endpoints(edge)
            .ok_or(RecordError::NoSuchRelationship { edge: edge.index() })?;
        let endpoint_id = |node: NodeId| match self.node_prop(node, "id") {
            Some(Value::String(id)) => Ok(id.clone()),
            _ => Err(RecordError::MissingKey {
                node: self.display_name(node),
                key: "id",
            }),
        };
        let label = format!(
            "relationship {} -[{}]-> {}",
            self.display_name(from),
            self.edge_type(edge),
            self.display_name(to)
        );
        let vocabulary = self.vocabulary();
        let rel_type = vocabulary
            .relationship(self.edge_type(edge))
            .map(|r| RelType::new(r.name.as_str()))
            .ok_or_else(|| RecordError::NotAllianceType {
                edge: label.clone(),
                rel_type: self.edge_type(edge).to_owned(),
            })?;
        let mut reader = PropReader::new(label, self.edge_props(edge));
        let mut rel = Relationship::new(rel_type, endpoint_id(from)?, endpoint_id(to)?);
        rel.sources = reader.strings("sources")?;
        for (key, value) in reader.props {
            if let Some(def) = vocabulary.property(key) {
                rel.properties.insert(key.to_owned(), def.canonical(value));
            } else if !fields::RELATIONSHIP.contains(&key) {
                rel.extra.insert(key.to_owned(), value);
            }
        }
        Ok(rel)
    }

    /// The whole graph as data-file tables, in a stable order: sources by id, entities by node
    /// order, relationships by edge order.
    ///
    /// # Errors
    /// When some element is not shaped like an alliance record.
    pub fn to_dataset(&self) -> Result<DataSet, RecordError> {
        let relationship: Vec<Relationship> = self
            .edges()
            .map(|e| self.relationship(e))
            .collect::<Result<_, _>>()?;
        Ok(DataSet {
            allow_unsourced: self.allow_unsourced,
            vocabulary: self.vocabulary().added().clone(),
            source: self.sources().cloned().collect(),
            fx_rate: self.fx_rates().to_vec(),
            constraint: self.constraints().to_vec(),
            entity: self
                .nodes()
                .map(|n| self.entity(n))
                .collect::<Result<_, _>>()?,
            relationship,
        })
    }
}

/// Reads model fields out of a property list, leaving the rest as free properties.
struct PropReader<'a> {
    element: String,
    props: BTreeMap<&'a str, Value>,
}

impl<'a> PropReader<'a> {
    fn new(element: String, props: impl Iterator<Item = (&'a str, Value)>) -> Self {
        PropReader {
            element,
            props: props.collect(),
        }
    }

    fn wrong(&self, key: &str, expected: &'static str, found: &Value) -> RecordError {
        RecordError::WrongType {
            element: self.element.clone(),
            key: key.to_owned(),
            expected,
            found: found.type_name(),
        }
    }

    /// Takes the property `key` out: `None` when it is absent, what `read` makes of it, or an
    /// error saying it should be `expected` when `read` gives it back.
    fn take<T>(
        &mut self,
        key: &str,
        expected: &'static str,
        read: impl FnOnce(Value) -> Result<T, Value>,
    ) -> Result<Option<T>, RecordError> {
        match self.props.remove(key) {
            None => Ok(None),
            Some(value) => read(value)
                .map(Some)
                .map_err(|value| self.wrong(key, expected, &value)),
        }
    }

    fn string(&mut self, key: &str) -> Result<Option<String>, RecordError> {
        self.take(key, "a string", |value| match value {
            Value::String(s) => Ok(s),
            other => Err(other),
        })
    }

    /// A string the element must have, such as a node's `id`.
    fn required_string(&mut self, key: &'static str) -> Result<String, RecordError> {
        self.string(key)?.ok_or_else(|| RecordError::MissingKey {
            node: self.element.clone(),
            key,
        })
    }

    fn strings(&mut self, key: &str) -> Result<Vec<String>, RecordError> {
        let list = self.take(key, "a list of strings", |value| {
            value.string_list().ok_or(value)
        })?;
        Ok(list.unwrap_or_default())
    }

    /// Whatever the model does not name becomes a free property. Keys that the model names but
    /// the reader did not take (such as `kind`, which is a label) are left out.
    fn rest(self, model_fields: &[&str]) -> BTreeMap<String, Value> {
        self.props
            .into_iter()
            .filter(|(k, _)| !model_fields.contains(k) && *k != "kind")
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }
}
