//! The alliance vocabulary: entity kinds, relationship types, and the records of a data file.
//!
//! These are plain data. The store keeps them as labelled nodes and typed edges with
//! properties; `store::records` converts between the two.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::model::{Date, Value, edge_type_of, label_of};

/// Declares a name the vocabulary defines, kept as its data-file spelling; which names exist
/// is the graph's vocabulary's to say.
macro_rules! vocabulary_name {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn new(name: impl Into<String>) -> $name {
                $name(name.into())
            }

            /// The data-file spelling.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}

vocabulary_name! {
    /// A kind of entity (`company`). In the graph it is the node's label.
    Kind
}

vocabulary_name! {
    /// A kind of tie (`invests-in`). In the graph it is the edge's type.
    RelType
}

impl Kind {
    /// The node label for this kind, as queries write it.
    pub fn label(&self) -> String {
        label_of(&self.0)
    }
}

impl RelType {
    /// The edge type for this relationship, as queries write it.
    pub fn edge_type(&self) -> String {
        edge_type_of(&self.0)
    }
}

/// Where a fact comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: String,
    /// When it was published; absent for an undated page, such as a corporate history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A firm, fund, government or consortium.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entity {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Sources for what the entity's own fields say (its note, say). Optional, unlike a
    /// relationship's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Identifiers by scheme (`lei`, `wikidata`, or any other name): a data file's `ids`
    /// table. In the graph each is a property named after its scheme.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ids: BTreeMap<String, String>,
    /// Free properties beyond the model's own fields.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Value>,
}

/// A typed, sourced fact joining two entities.
#[derive(Clone, Debug, PartialEq)]
pub struct Relationship {
    pub rel_type: RelType,
    pub from: String,
    pub to: String,
    /// The vocabulary's properties it carries (`amount_usd`, `stake_pct`, `date`, `status`,
    /// `note`…), as the graph stores them.
    pub properties: BTreeMap<String, Value>,
    /// Source ids. Data files need at least one; bulk CSV rows may have none.
    pub sources: Vec<String>,
    /// Free properties beyond the vocabulary's.
    pub extra: BTreeMap<String, Value>,
}

impl Relationship {
    /// A relationship with only its required fields set.
    pub fn new(rel_type: RelType, from: impl Into<String>, to: impl Into<String>) -> Relationship {
        Relationship {
            rel_type,
            from: from.into(),
            to: to.into(),
            properties: BTreeMap::new(),
            sources: Vec::new(),
            extra: BTreeMap::new(),
        }
    }
}

impl Serialize for Relationship {
    /// As a data file writes it: `type`, `from`, `to`, the properties in the vocabulary's
    /// order, `sources`, `note`, then `extra`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let built_in = super::Vocabulary::built_in();
        let position = |key: &str| {
            built_in
                .properties()
                .iter()
                .position(|p| p.name == key)
                .unwrap_or(usize::MAX)
        };
        let mut properties: Vec<(&String, &Value)> = self
            .properties
            .iter()
            .filter(|(k, _)| *k != "note")
            .collect();
        properties.sort_by(|a, b| position(a.0).cmp(&position(b.0)).then(a.0.cmp(b.0)));
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("type", &self.rel_type)?;
        map.serialize_entry("from", &self.from)?;
        map.serialize_entry("to", &self.to)?;
        for (key, value) in properties {
            map.serialize_entry(key, value)?;
        }
        if !self.sources.is_empty() {
            map.serialize_entry("sources", &self.sources)?;
        }
        if let Some(note) = self.properties.get("note") {
            map.serialize_entry("note", note)?;
        }
        if !self.extra.is_empty() {
            map.serialize_entry("extra", &self.extra)?;
        }
        map.end()
    }
}

impl Entity {
    /// An entity with only its required fields set.
    pub fn new(id: impl Into<String>, name: impl Into<String>, kind: Kind) -> Entity {
        Entity {
            id: id.into(),
            name: name.into(),
            kind,
            aliases: Vec::new(),
            country: None,
            sector: None,
            note: None,
            sources: Vec::new(),
            ids: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }
}

/// The field names a data file may use in each table, besides `extra`.
pub mod fields {
    pub const SOURCE: &[&str] = &["id", "title", "publisher", "date", "url", "language"];
    pub const ENTITY: &[&str] = &[
        "id", "name", "kind", "aliases", "country", "sector", "note", "sources", "ids", "extra",
    ];
    /// A relationship's own fields; its other keys are the vocabulary's properties.
    pub const RELATIONSHIP: &[&str] = &["type", "from", "to", "sources", "extra"];
}

/// True when `id` is a slug: lowercase ASCII letters, digits and `-`, not empty.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Derives a slug from a name: `"Société Générale"` → `societe-generale`.
pub fn slugify(name: &str) -> String {
    let folded = super::names::fold_words(name);
    let mut slug = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}
