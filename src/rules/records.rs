//! The rules one record is checked by, whatever it arrives as: a table of a data file
//! (`datafile::decode` reads it from the file's tree) or a typed record an importer made
//! (`datafile::decode::typed`). Each rule judges one field of one record and says what is
//! wrong; the caller places it (at a line and column, or at the importer's input).

use super::{Broken, ProblemKind, identifier, property_not_on, property_value, unknown_scheme};
use crate::model::vocabulary::{PropType, PropertyDef, RelDef, scheme_name_allowed};
use crate::model::{Date, Kind, Value, Vocabulary, did_you_mean, fields, suggest};

/// Which part of a field a broken rule is about: its key (a property the type does not carry)
/// or its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spot {
    Key,
    Value,
}

/// An entity's `kind`, one of the vocabulary's.
///
/// # Errors
/// When it is none of them, with the nearest.
pub fn kind(vocabulary: &Vocabulary, text: &str) -> Result<Kind, Broken> {
    if let Some(def) = vocabulary.kind(text) {
        return Ok(Kind::new(def.name.as_str()));
    }
    let kinds: Vec<&str> = vocabulary.kinds().iter().map(|k| k.name.as_str()).collect();
    super::word("kind", text, |_| None::<Kind>, &kinds)
}

/// A relationship's `type`, one of the vocabulary's.
///
/// # Errors
/// When it is none of them, with the nearest.
pub fn rel_type<'v>(vocabulary: &'v Vocabulary, text: &str) -> Result<&'v RelDef, Broken> {
    if let Some(def) = vocabulary.relationship(text) {
        return Ok(def);
    }
    let names: Vec<&str> = vocabulary
        .relationships()
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    super::word("type", text, |_| None::<&RelDef>, &names)
}

/// A text a record must have (an id, a name, a title) is not blank.
pub fn required_text(key: &str, text: &str) -> Option<Broken> {
    text.trim().is_empty().then(|| super::empty(key))
}

/// A tie property `def` with `value` as written, on a tie of type `rel` (when known): the
/// value as the graph stores it (a date written as text parsed, an amount as money), `None`
/// when it is the property's default and so not stored.
///
/// # Errors
/// The broken rule, and whether it is about the key (a property `rel` does not carry) or the
/// value (its type, range, words, a malformed date).
pub fn tie_property(
    vocabulary: &Vocabulary,
    rel: Option<&RelDef>,
    def: &PropertyDef,
    value: Value,
) -> Result<Option<Value>, (Spot, Broken)> {
    if let Some(rel) = rel
        && !vocabulary.allows(rel, &def.name)
    {
        return Err((Spot::Key, property_not_on(&def.name, rel)));
    }
    let value = match (def.ty, value) {
        (PropType::Date, Value::String(text)) => match text.parse::<Date>() {
            Ok(date) => Value::Date(date),
            Err(e) => {
                let broken =
                    Broken::new(ProblemKind::BadDate, format!("`{}`: {e}", def.name), None);
                return Err((Spot::Value, broken));
            }
        },
        // Anything else is left to the rule, which says what a date should look like.
        (PropType::Date, value) => value,
        (PropType::Number, Value::Float(x)) if !x.is_finite() => Value::Float(x),
        (_, value) => def.canonical(value),
    };
    if let Some(broken) = property_value(def, vocabulary.words(rel, def), &value) {
        return Err((Spot::Value, broken));
    }
    if def
        .default
        .as_deref()
        .is_some_and(|d| value.as_str() == Some(d))
    {
        return Ok(None);
    }
    Ok(Some(value))
}

/// What an entity's identifier `value` of `scheme` makes: a warning when the scheme is not the
/// vocabulary's but near one of its schemes, and the rule it breaks, if any.
#[derive(Debug, Default)]
pub struct IdentifierCheck {
    pub warning: Option<Broken>,
    pub broken: Option<(Spot, Broken)>,
}

/// An identifier of an entity: a scheme the vocabulary lacks must be a name a scheme may have
/// (and is worth a warning near one it has); the value must be of the scheme's format.
pub fn identifier_entry(vocabulary: &Vocabulary, scheme: &str, value: &str) -> IdentifierCheck {
    let mut check = IdentifierCheck::default();
    let def = vocabulary.identifier(scheme);
    if def.is_none() {
        if !scheme_name_allowed(scheme) {
            check.broken = Some((
                Spot::Key,
                Broken::new(
                    ProblemKind::UnknownKey,
                    format!("`{scheme}` cannot name an identifier scheme"),
                    Some("scheme names use a-z, 0-9 and '_' (\"companies_house\"), and are not an entity field such as `name`".to_owned()),
                ),
            ));
            return check;
        }
        check.warning = unknown_scheme(scheme, vocabulary);
    }
    check.broken = identifier(scheme, def, value).map(|b| (Spot::Value, b));
    check
}

/// A free property of an entity is not a field of the model, nor an identifier scheme (it
/// would be read back into `ids`).
pub fn entity_free_property(vocabulary: &Vocabulary, key: &str) -> Option<Broken> {
    let model =
        key == "kind" || fields::ENTITY.contains(&key) || vocabulary.identifier(key).is_some();
    model.then(|| super::model_field_as_property(key))
}

/// A free property of a relationship is not a field of the model, nor a property of the
/// vocabulary, whatever the type.
pub fn relationship_free_property(vocabulary: &Vocabulary, key: &str) -> Option<Broken> {
    let model =
        key == "kind" || fields::RELATIONSHIP.contains(&key) || vocabulary.property(key).is_some();
    model.then(|| super::model_field_as_property(key))
}

/// A key that no field of the table has, written `place` ("in an entity").
pub fn unknown_key(key: &str, known: &[&str], place: &str) -> Broken {
    let help = did_you_mean(&suggest(key, known.iter().copied())).unwrap_or_else(|| {
        format!(
            "the keys allowed {place} are {}{}",
            known.join(", "),
            if known.contains(&"extra") {
                "; put other properties in `extra`"
            } else {
                ""
            }
        )
    });
    Broken::new(
        ProblemKind::UnknownKey,
        format!("unknown key `{key}` {place}"),
        Some(help),
    )
}

/// The keys a relationship of type `rel` may have: its fields, the properties it carries and
/// the common ones; every property of the vocabulary when the type is not known.
pub fn relationship_keys<'v>(vocabulary: &'v Vocabulary, rel: Option<&'v RelDef>) -> Vec<&'v str> {
    let mut known: Vec<&str> = fields::RELATIONSHIP.to_vec();
    match rel {
        Some(rel) => {
            known.extend(rel.properties.iter().map(String::as_str));
            known.extend(crate::model::vocabulary::COMMON_PROPERTIES);
        }
        None => known.extend(vocabulary.properties().iter().map(|p| p.name.as_str())),
    }
    known
}

/// A uniqueness constraint's `keys`: at least one, none empty, none twice.
pub fn constraint_keys(keys: &[String]) -> Option<Broken> {
    let repeated = keys
        .iter()
        .enumerate()
        .find(|(i, k)| keys[..*i].contains(k));
    let message = if keys.is_empty() || keys.iter().any(|k| k.trim().is_empty()) {
        "`keys` names the properties that must be unique: at least one, none empty".to_owned()
    } else {
        format!("`keys` names `{}` twice", repeated?.1)
    };
    Some(Broken::new(
        ProblemKind::WrongType,
        message,
        Some("write keys = [\"ticker\"], or several for values unique together: keys = [\"lei\", \"isin\"]".to_owned()),
    ))
}
