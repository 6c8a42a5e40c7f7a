//! The alliance vocabulary: entity kinds, relationship types, and the records of a data file.
//!
//! These are plain data. The store keeps them as labelled nodes and typed edges with
//! properties; `store::records` converts between the two.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::model::{Date, Value};

/// Declares a closed set of names with their data-file spelling, so that parsing, printing and
/// "did you mean" all read from one list.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The data-file spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the data-file spelling exactly.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// Every data-file spelling, for messages and suggestions.
            pub fn spellings() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What an entity is. In the graph it is the node's label.
    Kind { Company => "company", Fund => "fund", Government => "government", Consortium => "consortium" }
}

vocabulary! {
    /// What a relationship says. In the graph it is the edge's type.
    RelType { InvestsIn => "invests-in", MemberOf => "member-of", Supplies => "supplies" }
}

vocabulary! {
    /// How exact `amount_usd` is.
    Qualifier { Exact => "exact", UpTo => "up-to", AtLeast => "at-least", About => "about" }
}

vocabulary! {
    /// How far a deal has gone.
    Status { Planned => "planned", Announced => "announced", Agreed => "agreed", Completed => "completed", Ended => "ended" }
}

impl Kind {
    /// The node label for this kind, as queries write it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Company => "Company",
            Kind::Fund => "Fund",
            Kind::Government => "Government",
            Kind::Consortium => "Consortium",
        }
    }

    pub fn from_label(label: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.label() == label)
    }
}

impl RelType {
    /// The edge type for this relationship, as queries write it.
    pub fn edge_type(self) -> &'static str {
        match self {
            RelType::InvestsIn => "INVESTS_IN",
            RelType::MemberOf => "MEMBER_OF",
            RelType::Supplies => "SUPPLIES",
        }
    }

    pub fn from_edge_type(name: &str) -> Option<RelType> {
        RelType::ALL.iter().copied().find(|t| t.edge_type() == name)
    }

    /// Accepts either spelling: `invests-in` (data files) or `INVESTS_IN` (queries, CSV).
    pub fn parse_any(text: &str) -> Option<RelType> {
        RelType::parse(text).or_else(|| RelType::from_edge_type(text))
    }
}

/// Where a fact comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub date: Date,
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
    /// Free properties beyond the model's own fields.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Value>,
}

/// A typed, sourced fact joining two entities.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Relationship {
    #[serde(rename = "type")]
    pub rel_type: RelType,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_usd: Option<f64>,
    #[serde(skip_serializing_if = "is_exact")]
    pub amount_qualifier: Qualifier,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stake_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shares: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Source ids. Data files need at least one; bulk CSV rows may have none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Value>,
}

fn is_exact(q: &Qualifier) -> bool {
    *q == Qualifier::Exact
}

impl Relationship {
    /// A relationship with only its required fields set.
    pub fn new(rel_type: RelType, from: impl Into<String>, to: impl Into<String>) -> Relationship {
        Relationship {
            rel_type,
            from: from.into(),
            to: to.into(),
            amount_usd: None,
            amount_qualifier: Qualifier::Exact,
            stake_pct: None,
            shares: None,
            instrument: None,
            product: None,
            role: None,
            date: None,
            end_date: None,
            status: None,
            sources: Vec::new(),
            note: None,
            extra: BTreeMap::new(),
        }
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
            extra: BTreeMap::new(),
        }
    }
}

/// The field names a data file may use in each table, besides `extra`.
pub mod fields {
    pub const SOURCE: &[&str] = &["id", "title", "publisher", "date", "url", "language"];
    pub const ENTITY: &[&str] = &[
        "id", "name", "kind", "aliases", "country", "sector", "note", "sources", "extra",
    ];
    pub const RELATIONSHIP: &[&str] = &[
        "type",
        "from",
        "to",
        "amount_usd",
        "amount_qualifier",
        "stake_pct",
        "shares",
        "instrument",
        "product",
        "role",
        "date",
        "end_date",
        "status",
        "sources",
        "note",
        "extra",
    ];
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
