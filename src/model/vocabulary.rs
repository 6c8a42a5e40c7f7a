//! The alliance vocabulary as data: the kinds of entity, the kinds of tie (which kinds each may
//! join, which way money flows along it, whether it carries ownership or control) and the
//! properties ties carry, with their types, units and ranges.
//!
//! The built-in vocabulary is `data/vocabulary.toml`, compiled in. A data file extends it with
//! sections of the same form; a graph keeps the vocabulary it was loaded with, and every check
//! of its data (loading, writes, replay) reads that one.
//!
//! **Invariant:** a vocabulary is consistent: every kind a tie names and every property it
//! lists is defined, names are unique, and a number's range has `min <= max`. `extend` refuses
//! a section that would break this, and changes nothing then.
//!
//! Why one file of some 730 lines and its tests: the definitions' types are the format of
//! `data/vocabulary.toml` and of a data file's `[vocabulary]` table, and `extend` is the one
//! place that checks them; split, the format and its checks would drift apart.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::Value;

/// How diagrams draw a kind's nodes or a type's lines, in Graphviz's terms; what is absent is
/// drawn plainly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drawing {
    /// A node's shape (`box`, `ellipse`, `hexagon`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
    /// Graphviz's `style`: `filled`, `rounded,filled` for nodes; `dashed`, `bold` for lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    /// A node's fill colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<String>,
    /// A line's colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// The colour of a line's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// A line's width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<String>,
    /// A line's arrowhead (`diamond`, `odot`, `empty`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrowhead: Option<String>,
    /// `both` for a line with an arrow at each end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
}

/// A kind of entity. Its label in queries is [`label_of`] its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<Drawing>,
}

/// Which way money flows along a tie.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MoneyFlow {
    /// From the tie's `from` to its `to` (an investment, a payment).
    Forward,
    /// From the tie's `to` to its `from` (a customer pays its supplier).
    Backward,
}

/// A kind of tie. Its type in queries is [`edge_type_of`] its name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// The kinds the tie may start at; every kind when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<String>,
    /// The kinds the tie may end at; every kind when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// The properties the tie may carry besides the common ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money: Option<MoneyFlow>,
    /// Its stakes count in look-through ownership.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ownership: bool,
    /// Its `from` controls its `to`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub control: bool,
    /// What the two ends are called (`investor`, `investee`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<[String; 2]>,
    /// Closed sets of values a property takes on this tie only (`role` of `holds-position`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<Drawing>,
}

/// What a property holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PropType {
    Text,
    Number,
    Integer,
    Date,
    Boolean,
    /// One of the property's `values`.
    Word,
    /// An ISO 4217 currency code.
    Currency,
}

impl PropType {
    /// How a message names what the property should hold.
    pub fn expected(self) -> &'static str {
        match self {
            PropType::Text => "text",
            PropType::Number => "a finite number",
            PropType::Integer => "an integer",
            PropType::Date => "a date such as \"2025-08-22\"",
            PropType::Boolean => "true or false",
            PropType::Word => "one of its words",
            PropType::Currency => "an ISO 4217 currency code such as \"EUR\"",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PropType::Text => "text",
            PropType::Number => "number",
            PropType::Integer => "integer",
            PropType::Date => "date",
            PropType::Boolean => "boolean",
            PropType::Word => "word",
            PropType::Currency => "currency",
        }
    }
}

/// A property ties may carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: PropType,
    /// The words a `word` property takes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// What a number counts: `USD`, `%`, `shares`, or `currency` (the tie's own currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The word an absent property means; written, it is not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
}

impl PropertyDef {
    /// A value as the graph keeps it, however it was written: a number of money as
    /// `Value::money` keeps it, any other number as a float, so that an amount set from a query
    /// and the same amount read from a file are one value.
    pub fn canonical(&self, value: Value) -> Value {
        match (self.ty, value.as_f64()) {
            (PropType::Number, Some(x)) => match self.unit.as_deref() {
                Some("USD" | "currency") => Value::money(x),
                _ => Value::Float(x),
            },
            _ => value,
        }
    }
}

/// How an identifier scheme's values are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdFormat {
    /// An ISO 17442 Legal Entity Identifier: 18 letters or digits and two check digits (mod 97).
    Lei,
    /// A Wikidata item: `Q` and digits.
    Wikidata,
    /// An ISO 6166 security number: a country code, nine letters or digits, a Luhn check digit.
    Isin,
}

/// A scheme of identifiers an entity may carry (`lei`, `wikidata`). In the graph each is a
/// node property named after its scheme, unique among entities and indexed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentifierDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// The check its values pass; any non-empty text when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<IdFormat>,
}

/// Definitions in the form of a data file's `[vocabulary]` table: new kinds, ties, properties
/// and identifier schemes, or more of an existing tie's kinds, properties and values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definitions {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kind: Vec<KindDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationship: Vec<RelDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub property: Vec<PropertyDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<IdentifierDef>,
}

impl Definitions {
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
            && self.relationship.is_empty()
            && self.property.is_empty()
            && self.identifier.is_empty()
    }
}

/// Properties every tie may carry, besides `sources`.
pub const COMMON_PROPERTIES: &[&str] = &["date", "end_date", "status", "note"];

/// A vocabulary: the built-in one, perhaps extended.
#[derive(Clone, Debug, PartialEq)]
pub struct Vocabulary {
    kinds: Vec<KindDef>,
    relationships: Vec<RelDef>,
    properties: Vec<PropertyDef>,
    identifiers: Vec<IdentifierDef>,
    /// What was added to the built-in vocabulary, in the order it was added: what saving a
    /// graph writes back.
    added: Definitions,
    /// Each kind's label and each tie's type, in definition order: lookups by the query
    /// spelling run per imported row, and must not build strings.
    labels: Vec<String>,
    edge_types: Vec<String>,
}

/// What kind of mistake a refused definition makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefinitionFault {
    /// A name that is not of the required form, or a word property without words.
    Malformed,
    /// A kind or property defined again.
    Duplicate,
    /// A kind or property named but not defined.
    Undefined,
    /// A range whose `min` is above its `max`.
    Inconsistent,
}

/// Why a vocabulary section was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionError {
    pub fault: DefinitionFault,
    /// `kind`, `relationship` or `property`, and the position in its list.
    pub section: &'static str,
    pub index: usize,
    /// The field at fault, when one is.
    pub field: Option<&'static str>,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

const BUILT_IN: &str = include_str!("../../data/vocabulary.toml");

/// The built-in file's one table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BuiltIn {
    vocabulary: Definitions,
}

impl Vocabulary {
    /// The built-in vocabulary, shared.
    pub fn built_in() -> Arc<Vocabulary> {
        static BUILT: OnceLock<Arc<Vocabulary>> = OnceLock::new();
        Arc::clone(BUILT.get_or_init(|| {
            // The file is part of the program and a test reads it; it cannot fail at run time
            // unless the build itself is broken.
            let file: BuiltIn = toml::from_str(BUILT_IN)
                .unwrap_or_else(|e| unreachable!("data/vocabulary.toml does not parse: {e}"));
            let mut vocabulary = Vocabulary {
                kinds: Vec::new(),
                relationships: Vec::new(),
                properties: Vec::new(),
                identifiers: Vec::new(),
                added: Definitions::default(),
                labels: Vec::new(),
                edge_types: Vec::new(),
            };
            if let Err(errors) = vocabulary.extend(&file.vocabulary) {
                unreachable!("data/vocabulary.toml is inconsistent: {errors:?}");
            }
            vocabulary.added = Definitions::default();
            Arc::new(vocabulary)
        }))
    }

    pub fn kinds(&self) -> &[KindDef] {
        &self.kinds
    }

    pub fn relationships(&self) -> &[RelDef] {
        &self.relationships
    }

    pub fn properties(&self) -> &[PropertyDef] {
        &self.properties
    }

    /// What extends the built-in vocabulary, as a data file writes it.
    pub fn added(&self) -> &Definitions {
        &self.added
    }

    /// A kind by its data-file name (`company`).
    pub fn kind(&self, name: &str) -> Option<&KindDef> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// A kind by its label in queries (`Company`).
    pub fn kind_by_label(&self, label: &str) -> Option<&KindDef> {
        let i = self.labels.iter().position(|l| l == label)?;
        self.kinds.get(i)
    }

    /// A tie by either spelling: `invests-in` (data files) or `INVESTS_IN` (queries, CSV).
    pub fn relationship(&self, name: &str) -> Option<&RelDef> {
        self.relationship_index(name)
            .and_then(|i| self.relationships.get(i))
    }

    /// The position of a tie, by either spelling, in `relationships()`.
    pub fn relationship_index(&self, name: &str) -> Option<usize> {
        self.edge_types
            .iter()
            .position(|t| t == name)
            .or_else(|| self.relationships.iter().position(|r| r.name == name))
    }

    /// The query spelling of the tie at `index` of `relationships()`.
    pub fn edge_type_at(&self, index: usize) -> &str {
        &self.edge_types[index]
    }

    pub fn property(&self, name: &str) -> Option<&PropertyDef> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// Every identifier scheme, in definition order.
    pub fn identifiers(&self) -> &[IdentifierDef] {
        &self.identifiers
    }

    /// An identifier scheme by name (`lei`): a node property of that name is an identifier.
    pub fn identifier(&self, name: &str) -> Option<&IdentifierDef> {
        self.identifiers.iter().find(|d| d.name == name)
    }

    /// Whether `property` may sit on a tie of `rel`.
    pub fn allows(&self, rel: &RelDef, property: &str) -> bool {
        COMMON_PROPERTIES.contains(&property) || rel.properties.iter().any(|p| p == property)
    }

    /// The words `property` takes on a tie of `rel`: the tie's own set, else the property's.
    pub fn words<'v>(&'v self, rel: Option<&'v RelDef>, property: &'v PropertyDef) -> &'v [String] {
        rel.and_then(|r| r.values.get(&property.name))
            .map_or(&property.values, |v| v)
    }

    /// Whether a `kind` may be at the `from` (or `to`) end of a tie of `rel`.
    pub fn may_join(rel: &RelDef, kind: &str, at_from: bool) -> bool {
        let allowed = if at_from { &rel.from } else { &rel.to };
        allowed.is_empty() || allowed.iter().any(|k| k == kind)
    }

    /// Every label of a kind, in definition order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Every relationship type, in definition order.
    pub fn edge_types(&self) -> &[String] {
        &self.edge_types
    }

    /// The types along which money flows, with the way it flows.
    pub fn money_flows(&self) -> Vec<(String, MoneyFlow)> {
        self.relationships
            .iter()
            .filter_map(|r| r.money.map(|m| (edge_type_of(&r.name), m)))
            .collect()
    }

    /// Adds `definitions`: new kinds, ties and properties, and for a tie or property already
    /// defined, more of its kinds, properties and values. Nothing is added when any definition
    /// is refused.
    ///
    /// # Errors
    /// Every definition that is malformed or contradicts what is defined.
    pub fn extend(&mut self, definitions: &Definitions) -> Result<(), Vec<DefinitionError>> {
        let mut next = self.clone();
        let mut errors = Vec::new();
        let error =
            |fault, section, index, field, message: String, help: Option<String>| DefinitionError {
                fault,
                section,
                index,
                field,
                message,
                help,
            };
        for (i, kind) in definitions.kind.iter().enumerate() {
            if !is_name(&kind.name) {
                errors.push(error(
                    DefinitionFault::Malformed,
                    "kind",
                    i,
                    Some("name"),
                    format!("the kind name \"{}\" is not a lowercase word", kind.name),
                    Some("kind names use a-z and '-', for example \"research-lab\"".to_owned()),
                ));
            } else if next.kind(&kind.name).is_some() {
                errors.push(error(
                    DefinitionFault::Duplicate,
                    "kind",
                    i,
                    Some("name"),
                    format!("the kind \"{}\" is already defined", kind.name),
                    None,
                ));
            } else {
                next.kinds.push(kind.clone());
            }
        }
        for (i, property) in definitions.property.iter().enumerate() {
            if !is_property_name(&property.name) {
                errors.push(error(
                    DefinitionFault::Malformed,
                    "property",
                    i,
                    Some("name"),
                    format!(
                        "the property name \"{}\" is not a lowercase name",
                        property.name
                    ),
                    Some(
                        "property names use a-z, 0-9 and '_', for example \"deal_value\""
                            .to_owned(),
                    ),
                ));
                continue;
            }
            if let (Some(min), Some(max)) = (property.min, property.max)
                && min > max
            {
                errors.push(error(
                    DefinitionFault::Inconsistent,
                    "property",
                    i,
                    Some("min"),
                    format!("`min` {min} is above `max` {max}"),
                    None,
                ));
                continue;
            }
            if property.ty == PropType::Word && property.values.is_empty() {
                errors.push(error(
                    DefinitionFault::Malformed,
                    "property",
                    i,
                    Some("values"),
                    format!("the word property \"{}\" lists no values", property.name),
                    Some("add `values = [\"...\"]`".to_owned()),
                ));
                continue;
            }
            match next.properties.iter_mut().find(|p| p.name == property.name) {
                // An existing word property may take more words; nothing else may change.
                Some(existing)
                    if existing.ty == PropType::Word
                        && property.ty == PropType::Word
                        && property.min.is_none()
                        && property.max.is_none() =>
                {
                    for value in &property.values {
                        if !existing.values.contains(value) {
                            existing.values.push(value.clone());
                        }
                    }
                }
                Some(existing) => errors.push(error(
                    DefinitionFault::Duplicate,
                    "property",
                    i,
                    Some("name"),
                    format!(
                        "the property \"{}\" is already defined, as a {}",
                        property.name,
                        existing.ty.as_str()
                    ),
                    Some(
                        "only a word property may be extended, with more values; give the new one another name"
                            .to_owned(),
                    ),
                )),
                None => next.properties.push(property.clone()),
            }
        }
        for (i, rel) in definitions.relationship.iter().enumerate() {
            if !is_name(&rel.name) {
                errors.push(error(
                    DefinitionFault::Malformed,
                    "relationship",
                    i,
                    Some("name"),
                    format!(
                        "the relationship name \"{}\" is not a lowercase word",
                        rel.name
                    ),
                    Some(
                        "relationship names use a-z and '-', for example \"licenses-to\""
                            .to_owned(),
                    ),
                ));
                continue;
            }
            let mut broken = false;
            for (field, kinds) in [("from", &rel.from), ("to", &rel.to)] {
                for kind in kinds {
                    if next.kind(kind).is_none() {
                        broken = true;
                        let names: Vec<&str> = next.kinds.iter().map(|k| k.name.as_str()).collect();
                        errors.push(error(
                            DefinitionFault::Undefined,
                            "relationship",
                            i,
                            Some(field),
                            format!("`{field}` names the kind \"{kind}\", which is not defined"),
                            Some(
                                super::did_you_mean(&super::suggest(kind, names.iter().copied()))
                                    .unwrap_or_else(|| format!("kinds are {}", names.join(", "))),
                            ),
                        ));
                    }
                }
            }
            for property in rel.properties.iter().chain(rel.values.keys()) {
                if next.property(property).is_none() {
                    broken = true;
                    let names: Vec<&str> =
                        next.properties.iter().map(|p| p.name.as_str()).collect();
                    errors.push(error(
                        DefinitionFault::Undefined,
                        "relationship",
                        i,
                        Some("properties"),
                        format!("the property \"{property}\" is not defined"),
                        Some(
                            super::did_you_mean(&super::suggest(property, names.iter().copied()))
                                .unwrap_or_else(|| {
                                    "define it in a [[vocabulary.property]] table".to_owned()
                                }),
                        ),
                    ));
                }
            }
            if broken {
                continue;
            }
            match next.relationships.iter_mut().find(|r| r.name == rel.name) {
                Some(existing) => {
                    // More of an existing tie: its kinds, properties and values grow; what it
                    // means (money, ownership, control, roles) stays as defined.
                    let grow = |list: &mut Vec<String>, more: &[String]| {
                        for item in more {
                            if !list.contains(item) {
                                list.push(item.clone());
                            }
                        }
                    };
                    if !existing.from.is_empty() {
                        grow(&mut existing.from, &rel.from);
                    }
                    if !existing.to.is_empty() {
                        grow(&mut existing.to, &rel.to);
                    }
                    grow(&mut existing.properties, &rel.properties);
                    for (property, values) in &rel.values {
                        grow(existing.values.entry(property.clone()).or_default(), values);
                    }
                }
                None => next.relationships.push(rel.clone()),
            }
        }
        // Bulk imports keep a row's type in 16 bits.
        if next.relationships.len() > usize::from(u16::MAX) {
            errors.push(error(
                DefinitionFault::Malformed,
                "relationship",
                0,
                None,
                format!("a vocabulary holds at most {} relationship types", u16::MAX),
                None,
            ));
        }
        for (i, scheme) in definitions.identifier.iter().enumerate() {
            if !scheme_name_allowed(&scheme.name) {
                errors.push(error(
                    DefinitionFault::Malformed,
                    "identifier",
                    i,
                    Some("name"),
                    format!(
                        "the identifier scheme \"{}\" is not a lowercase name free for identifiers",
                        scheme.name
                    ),
                    Some(
                        "scheme names use a-z, 0-9 and '_', for example \"companies_house\", and are not an entity field such as `name`"
                            .to_owned(),
                    ),
                ));
            } else if next.identifier(&scheme.name).is_some() {
                errors.push(error(
                    DefinitionFault::Duplicate,
                    "identifier",
                    i,
                    Some("name"),
                    format!(
                        "the identifier scheme \"{}\" is already defined",
                        scheme.name
                    ),
                    None,
                ));
            } else {
                next.identifiers.push(scheme.clone());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        next.added
            .identifier
            .extend(definitions.identifier.iter().cloned());
        next.added.kind.extend(definitions.kind.iter().cloned());
        next.added
            .property
            .extend(definitions.property.iter().cloned());
        next.added
            .relationship
            .extend(definitions.relationship.iter().cloned());
        next.labels = next.kinds.iter().map(|k| label_of(&k.name)).collect();
        next.edge_types = next
            .relationships
            .iter()
            .map(|r| edge_type_of(&r.name))
            .collect();
        *self = next;
        Ok(())
    }
}

/// A kind's or a tie's name: lowercase ASCII letters and `-`, starting with a letter.
fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        && !name.ends_with('-')
}

/// Names an identifier scheme cannot take: an entity's own fields, and `ids`, which holds them.
const RESERVED_SCHEMES: &[&str] = &[
    "id", "ids", "name", "kind", "aliases", "country", "sector", "note", "sources", "extra",
];

/// Whether `name` may name an identifier scheme: a property name that is not an entity field.
pub fn scheme_name_allowed(name: &str) -> bool {
    is_property_name(name) && !RESERVED_SCHEMES.contains(&name)
}

/// A property's name: lowercase ASCII letters, digits and `_`, starting with a letter.
fn is_property_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The label of a kind in queries: `company` → `Company`, `research-lab` → `ResearchLab`.
pub fn label_of(kind: &str) -> String {
    kind.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The type of a tie in queries: `invests-in` → `INVESTS_IN`.
pub fn edge_type_of(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_vocabulary_holds_the_kinds_and_ties_of_the_model() {
        let v = Vocabulary::built_in();
        let kinds: Vec<&str> = v.kinds().iter().map(|k| k.name.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "company",
                "fund",
                "government",
                "consortium",
                "person",
                "organization"
            ]
        );
        assert_eq!(
            v.edge_types(),
            [
                "INVESTS_IN",
                "ACQUIRES",
                "CONTROLS",
                "MEMBER_OF",
                "SUPPLIES",
                "HOLDS_POSITION",
                "FOUNDED",
                "PARTNERS_WITH",
                "LENDS_TO",
                "PAYS"
            ]
        );
        let holds = v.relationship("HOLDS_POSITION").unwrap();
        assert!(Vocabulary::may_join(holds, "person", true));
        assert!(!Vocabulary::may_join(holds, "company", true));
        let role = v.property("role").unwrap();
        assert!(
            v.words(Some(holds), role)
                .contains(&"chief-executive".to_owned())
        );
        assert!(v.words(v.relationship("member-of"), role).is_empty());
        assert_eq!(
            v.kind_by_label("Organization").unwrap().name,
            "organization"
        );
        assert!(v.added().is_empty());
    }

    #[test]
    fn labels_and_types_follow_from_names() {
        assert_eq!(label_of("research-lab"), "ResearchLab");
        assert_eq!(edge_type_of("holds-position"), "HOLDS_POSITION");
    }

    #[test]
    fn an_extension_adds_kinds_ties_and_words_or_nothing() {
        let mut v = (*Vocabulary::built_in()).clone();
        let added: Definitions = toml::from_str(
            r#"
            [[kind]]
            name = "research-lab"
            [[property]]
            name = "compute_gw"
            type = "number"
            min = 0
            [[property]]
            name = "agreement"
            type = "word"
            values = ["offtake"]
            [[relationship]]
            name = "licenses-to"
            from = ["research-lab", "company"]
            properties = ["compute_gw"]
            [[relationship]]
            name = "member-of"
            from = ["research-lab"]
            "#,
        )
        .unwrap();
        v.extend(&added).unwrap();
        assert!(v.kind_by_label("ResearchLab").is_some());
        let licenses = v.relationship("LICENSES_TO").unwrap();
        assert!(v.allows(licenses, "compute_gw") && v.allows(licenses, "date"));
        assert!(Vocabulary::may_join(licenses, "company", true));
        assert!(Vocabulary::may_join(licenses, "person", false), "any kind");
        let member = v.relationship("member-of").unwrap();
        assert!(Vocabulary::may_join(member, "research-lab", true));
        let agreement = v.property("agreement").unwrap();
        assert!(agreement.values.contains(&"offtake".to_owned()));
        assert_eq!(v.added(), &added);

        let before = v.clone();
        let refused: Definitions = toml::from_str(
            r#"
            [[kind]]
            name = "lab2"
            [[relationship]]
            name = "sponsors"
            from = ["compnay"]
            properties = ["amout"]
            [[property]]
            name = "amount"
            type = "text"
            "#,
        )
        .unwrap();
        let errors = v.extend(&refused).unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors[2].help.as_deref().unwrap().contains("company"),
            "{errors:?}"
        );
        assert!(
            errors[3].help.as_deref().unwrap().contains("amount"),
            "{errors:?}"
        );
        assert_eq!(v, before, "nothing is added");
    }
}
