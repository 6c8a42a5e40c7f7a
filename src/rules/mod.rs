//! The alliance rules, written once: what a data file is checked against when it loads, what a
//! CSV import is checked against, and what every writing statement is checked against before
//! it commits.
//!
//! Two layers. The value rules (`property_value` from a property's definition in the
//! vocabulary, `tie_properties`, `wrong_endpoint`, `slug`, `word`, the identifier rules in
//! `identifiers.rs`, …) judge one value and say what is wrong in the loader's words, with a
//! `ProblemKind`, a message and a help line; the loader and the CSV import place them in their
//! files. The element rules (`elements.rs`: `check_elements`, `check_changes`) read a node's or
//! a relationship's stored properties and the graph's vocabulary, sources and indexes, and
//! apply the same value rules plus the rules across elements (unique ids, names and
//! identifiers, the kinds each relationship type joins, known sources).
//!
//! **Invariant:** this module reads the model and the store only; datafile and query both call
//! it, and it calls neither. Under the open schema the element rules allow anything.

mod constraints;
mod elements;
mod identifiers;
mod records;

pub use constraints::{duplicate as constraint_duplicate, node_words, values_words};
pub use elements::{Element, RuleViolation, check_changes, check_elements};
pub use identifiers::{
    LEGAL_SUFFIXES, duplicate_identifier, duplicate_key, identifier, likely_duplicate,
    merge_conflict, unknown_scheme,
};
pub use records::{
    IdentifierCheck, Spot, constraint_keys, entity_free_property, identifier_entry, kind, rel_type,
    relationship_free_property, relationship_keys, required_text, tie_property, unknown_key,
};

use crate::model::vocabulary::{
    COMMON_PROPERTIES, IdFormat, IdentifierDef, PropType, PropertyDef, RelDef,
};
use crate::model::{Date, Schema, Value, Vocabulary, did_you_mean, is_slug, slugify, suggest};
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
    /// A relationship whose `from` or `to` is a kind its type does not join (a
    /// `holds-position` from a company).
    WrongEndpoint,
    /// A number outside its property's range (other than a negative amount or a stake).
    OutOfRange,
    /// A range whose minimum is above its maximum (`amount_min` over `amount_max`).
    RangeOutOfOrder,
    /// A relationship that cites no source.
    NoSource,
    /// A cited source id that no `[[source]]` defines.
    UnknownSource,
    /// An `amount_usd` that is not the tie's `amount` in US dollars: the amount itself in USD,
    /// or converted at the graph's `[[fx_rate]]`; or one beside an amount no rate converts.
    UsdMismatch,
    /// An identifier that its scheme's format refuses (a LEI whose check digits are wrong),
    /// or an empty one.
    BadIdentifier,
    /// Two entities carry the same identifier of one scheme (the same LEI).
    DuplicateIdentifier,
    /// Two files' records of one entity (sharing an identifier) disagree on a field.
    MergeConflict,
    /// A warning: an identifier scheme that is not in the vocabulary but near one that is
    /// (`wikidta`).
    UnknownScheme,
    /// A warning: two entities whose names differ only by a legal suffix ("Inc.", "AG"), and
    /// so may be one.
    LikelyDuplicate,
    /// Two nodes of a label share the values a uniqueness constraint says must be unique.
    UniqueConstraint,
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
            ProblemKind::WrongEndpoint => "wrong-endpoint",
            ProblemKind::OutOfRange => "out-of-range",
            ProblemKind::RangeOutOfOrder => "range-out-of-order",
            ProblemKind::NoSource => "no-source",
            ProblemKind::UnknownSource => "unknown-source",
            ProblemKind::UsdMismatch => "usd-mismatch",
            ProblemKind::BadIdentifier => "bad-identifier",
            ProblemKind::DuplicateIdentifier => "duplicate-identifier",
            ProblemKind::MergeConflict => "merge-conflict",
            ProblemKind::UnknownScheme => "unknown-scheme",
            ProblemKind::LikelyDuplicate => "likely-duplicate",
            ProblemKind::UniqueConstraint => "unique-constraint",
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

/// A number of a property against the range its definition gives, in the words that fit its
/// unit: a negative amount, a stake outside 0–100, or any other number outside its range.
pub fn number_in_range(def: &PropertyDef, x: f64) -> Option<Broken> {
    let key = def.name.as_str();
    let below = def.min.is_some_and(|min| x < min);
    let above = def.max.is_some_and(|max| x > max);
    if !below && !above {
        return None;
    }
    let unit = def.unit.as_deref();
    Some(match (unit, def.min, def.max) {
        (Some("%"), Some(min), Some(max)) => Broken::new(
            ProblemKind::StakeOutOfRange,
            format!("`{key}` is {x}, outside {min}–{max}"),
            Some("a stake is a percentage: write 9.9 for 9.9%".to_owned()),
        ),
        (_, Some(min), _) if below && min == 0.0 => Broken::new(
            ProblemKind::NegativeAmount,
            format!("`{key}` is negative ({x})"),
            match unit {
                Some("USD") => Some("amounts are what changed hands, in US dollars, and cannot be negative; reverse `from` and `to` if the money went the other way".to_owned()),
                Some("currency") => Some("amounts are what changed hands and cannot be negative; reverse `from` and `to` if the money went the other way".to_owned()),
                _ => None,
            },
        ),
        (_, Some(min), _) if below => Broken::new(
            ProblemKind::OutOfRange,
            format!("`{key}` is {x}, below its least value {min}"),
            None,
        ),
        (_, _, max) => Broken::new(
            ProblemKind::OutOfRange,
            format!(
                "`{key}` is {x}, above its greatest value {}",
                max.unwrap_or(f64::INFINITY)
            ),
            None,
        ),
    })
}

/// A property's value against its definition: its type, its range, its words (`words`, the
/// tie's own set or the property's). Dates must already be dates.
pub fn property_value(def: &PropertyDef, words: &[String], value: &Value) -> Option<Broken> {
    let key = def.name.as_str();
    let wrong = |expected: &str| Some(wrong_type(key, expected, found_type(value)));
    match def.ty {
        // A text a type closes to a set of words (`role` of `holds-position`) is one of them.
        PropType::Text if !words.is_empty() => {
            let as_word = PropertyDef {
                ty: PropType::Word,
                ..def.clone()
            };
            property_value(&as_word, words, value)
        }
        PropType::Text => {
            (!matches!(value, Value::String(_))).then(|| wrong_type(key, "text", found_type(value)))
        }
        PropType::Boolean => (!matches!(value, Value::Bool(_)))
            .then(|| wrong_type(key, "true or false", found_type(value))),
        PropType::Number => match value.as_f64() {
            Some(x) if x.is_finite() => number_in_range(def, x),
            _ => wrong(FINITE_NUMBER),
        },
        PropType::Integer => match value {
            Value::Int(n) => number_in_range(def, *n as f64),
            _ => wrong("an integer"),
        },
        PropType::Date => match value {
            Value::Date(_) => None,
            _ => {
                let mut broken = wrong_type(key, DATE, found_type(value));
                broken.help = Some(format!("write {key}: date('2025-08-22')"));
                Some(broken)
            }
        },
        PropType::Word => {
            let spellings: Vec<&str> = words.iter().map(String::as_str).collect();
            match value {
                Value::String(text) => word(
                    key,
                    text,
                    |t| spellings.contains(&t).then_some(()),
                    &spellings,
                )
                .err(),
                _ => wrong(&format!("one of {}", spellings.join(", "))),
            }
        }
        PropType::Currency => match value {
            Value::String(code) => currency(key, code),
            _ => wrong(PropType::Currency.expected()),
        },
    }
}

/// A currency is written as its ISO 4217 alphabetic code, in capitals (`EUR`); a near miss
/// (`eur`, `EUD`) is answered with the codes it may mean.
pub fn currency(key: &str, code: &str) -> Option<Broken> {
    if crate::model::money::is_currency(code) {
        return None;
    }
    let upper = code.trim().to_ascii_uppercase();
    let codes = crate::model::money::currency_codes();
    let help = if crate::model::money::is_currency(&upper) {
        format!("did you mean \"{upper}\"? currencies are ISO 4217 codes in capitals")
    } else {
        // Three letters are too short for the name matcher: one slip (a letter changed,
        // two swapped) away, the likeliest first.
        let mut near: Vec<&str> = codes
            .iter()
            .copied()
            .filter(|c| strsim::damerau_levenshtein(&upper, c) == 1)
            .collect();
        let letters = |c: &str| {
            let mut l: Vec<char> = c.chars().collect();
            l.sort_unstable();
            l
        };
        let swapped = |c: &str| letters(c) == letters(&upper);
        near.sort_by(|a, b| {
            swapped(b)
                .cmp(&swapped(a))
                .then_with(|| {
                    strsim::jaro_winkler(&upper, b).total_cmp(&strsim::jaro_winkler(&upper, a))
                })
                .then_with(|| a.cmp(b))
        });
        near.truncate(3);
        did_you_mean(&near)
            .map(|d| format!("{d} currencies are ISO 4217 codes"))
            .unwrap_or_else(|| "write the ISO 4217 code, for example \"USD\" or \"EUR\"".to_owned())
    };
    Some(Broken::new(
        ProblemKind::UnknownValue,
        format!("`{key}` cannot be \"{code}\": it is not an ISO 4217 currency code"),
        Some(help),
    ))
}

/// The currency of an `[[fx_rate]]`: an ISO 4217 code other than USD, which needs no rate.
pub fn fx_rate_currency(code: &str) -> Option<Broken> {
    if code == crate::model::money::DEFAULT_CURRENCY {
        return Some(Broken::new(
            ProblemKind::UnknownValue,
            "an exchange rate for USD says nothing: rates are US dollars per unit".to_owned(),
            Some("remove this [[fx_rate]]; US-dollar amounts need no rate".to_owned()),
        ));
    }
    currency("currency", code)
}

/// The rate of an `[[fx_rate]]`: US dollars per unit, a finite number above zero.
pub fn fx_rate_value(rate: f64) -> Option<Broken> {
    (!(rate.is_finite() && rate > 0.0)).then(|| {
        Broken::new(
            ProblemKind::OutOfRange,
            format!("`rate` is {rate}, but a rate is US dollars per unit, above zero"),
            Some("write how many US dollars one unit bought, e.g. rate = 1.08 for EUR".to_owned()),
        )
    })
}

/// Two `[[fx_rate]]` tables for one currency on one date; `first` says where the first is.
pub fn duplicate_fx_rate(currency: &str, date: Date, first: &str) -> Broken {
    Broken::new(
        ProblemKind::DuplicateId,
        format!("there are two exchange rates for {currency} on {date}"),
        Some(format!("the first is {first}; keep one of them")),
    )
}

/// A tie's `amount_usd` against what its `amount`, `currency` and the graph's rates give:
/// `written` is the `amount_usd` it holds, `derived` the conversion (`None`: no rate). A tie
/// without an `amount` is not judged (its `amount_usd` is the amount, in the form files had
/// before currencies).
pub fn usd_consistent(
    written: Option<f64>,
    derived: Option<f64>,
    amount: f64,
    currency: &str,
) -> Option<Broken> {
    let same = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    match (written, derived) {
        (Some(w), Some(d)) if !same(w, d) => Some(Broken::new(
            ProblemKind::UsdMismatch,
            format!("`amount_usd` is {w}, but `amount` {amount} {currency} is {d} US dollars"),
            Some(if currency == crate::model::money::DEFAULT_CURRENCY {
                "in USD, `amount_usd` is the amount itself: remove `amount_usd`, or make it equal `amount`".to_owned()
            } else {
                "`amount_usd` is derived from `amount` at the graph's [[fx_rate]]: remove it".to_owned()
            }),
        )),
        (Some(w), None) => Some(Broken::new(
            ProblemKind::UsdMismatch,
            format!("`amount_usd` is {w}, but no exchange rate converts {currency} to US dollars"),
            Some(format!(
                "add an [[fx_rate]] with currency = \"{currency}\", a date, a rate and its source, or remove `amount_usd`"
            )),
        )),
        (None, Some(d)) => Some(Broken::new(
            ProblemKind::UsdMismatch,
            format!("`amount_usd` is absent, but `amount` {amount} {currency} is {d} US dollars"),
            Some("`amount_usd` follows `amount`: remove `amount` as well to leave the tie without an amount".to_owned()),
        )),
        _ => None,
    }
}

/// The rules between a tie's properties: `end_date` not before `date`, each range's minimum
/// not above its maximum. `get` reads a property; the broken rules come with the property
/// each is reported at.
pub fn tie_properties(get: &dyn Fn(&str) -> Option<Value>) -> Vec<(&'static str, Broken)> {
    let mut out = Vec::new();
    // The rarer key of each pair is read first, so that a tie with neither (most ties) costs
    // one look a pair.
    if let Some(Value::Date(end)) = get("end_date")
        && let Some(Value::Date(start)) = get("date")
        && let Some(broken) = dates_in_order(start, end)
    {
        out.push(("end_date", broken));
    }
    for (min_key, max_key) in [("amount_min", "amount_max"), ("stake_min", "stake_max")] {
        let number = |key| get(key).and_then(|v| v.as_f64());
        if let Some(max) = number(max_key)
            && let Some(min) = number(min_key)
            && min > max
        {
            out.push((
                max_key,
                Broken::new(
                    ProblemKind::RangeOutOfOrder,
                    format!("`{min_key}` {min} is above `{max_key}` {max}"),
                    Some(format!(
                        "swap them, or write the range as {max_key} >= {min_key}"
                    )),
                ),
            ));
        }
    }
    out
}

/// A vocabulary property that the tie's type does not carry.
pub fn property_not_on(key: &str, rel: &RelDef) -> Broken {
    let mut carried: Vec<&str> = rel.properties.iter().map(String::as_str).collect();
    carried.extend(COMMON_PROPERTIES);
    Broken::new(
        ProblemKind::UnknownKey,
        format!("`{key}` is not a property of {}", rel.name),
        Some(format!(
            "{} carries {}; put other properties in `extra`",
            rel.name,
            carried.join(", ")
        )),
    )
}

/// A tie joining a kind its type does not: `to` (or `from`) is the entity's id, `kind` its
/// kind.
pub fn wrong_endpoint(rel: &RelDef, at_from: bool, entity: &str, kind: &str) -> Broken {
    if rel.name == "member-of" && !at_from {
        return member_of_non_consortium(entity, kind);
    }
    let (verb, allowed) = if at_from {
        ("start", &rel.from)
    } else {
        ("end", &rel.to)
    };
    Broken::new(
        ProblemKind::WrongEndpoint,
        format!(
            "a {} relationship cannot {verb} at \"{entity}\", which is a {kind}",
            rel.name
        ),
        Some(format!("{} {verb}s at {}", rel.name, allowed.join(", "))),
    )
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
        Value::Temporal(t) => match **t {
            crate::model::Temporal::LocalTime(_) => "a local time",
            crate::model::Temporal::Time(_) => "a time",
            crate::model::Temporal::LocalDateTime(_) => "a local date time",
            crate::model::Temporal::DateTime(_) => "a date time",
            crate::model::Temporal::Duration(_) => "a duration",
        },
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
pub fn not_a_kind(vocabulary: &Vocabulary, label: &str) -> Broken {
    let kinds: Vec<&str> = vocabulary.labels().iter().map(String::as_str).collect();
    let message = format!("`{label}` is not a kind of entity");
    not_in_schema(label, &kinds, message, "entities", "labels")
}

/// A relationship type that is none of the vocabulary's.
pub fn not_a_relationship_type(vocabulary: &Vocabulary, written: &str) -> Broken {
    let types: Vec<&str> = vocabulary.edge_types().iter().map(String::as_str).collect();
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
