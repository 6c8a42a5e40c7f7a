//! The alliance rules, written once: what a data file is checked against when it loads, what a
//! CSV import is checked against, and what every writing statement is checked against before
//! it commits.
//!
//! Two layers. The value rules (`amount_usd`, `stake_pct`, `slug`, `word`, …) judge one value
//! and say what is wrong in the loader's words, with a `ProblemKind`, a message and a help
//! line; the loader and the CSV import place them in their files. The element rules
//! (`check_elements`, `check_changes`) read a node's or a relationship's stored properties
//! and the graph's sources and indexes, and apply the same value rules plus the rules across
//! elements (unique ids and names, known sources, `member-of` aimed at a consortium).
//!
//! **Invariant:** this module reads the model and the store only; datafile and query both call
//! it, and it calls neither. Under the open schema the element rules allow anything.

use std::fmt;

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
    if let (Some(Value::Date(start)), Some(Value::Date(end))) = (get("date"), get("end_date"))
        && let Some(broken) = dates_in_order(start, end)
    {
        out.push(("end_date", broken));
    }
    for (min_key, max_key) in [("amount_min", "amount_max"), ("stake_min", "stake_max")] {
        let number = |key| get(key).and_then(|v| v.as_f64());
        if let (Some(min), Some(max)) = (number(min_key), number(max_key))
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

// ----- identifiers -------------------------------------------------------------------------

/// An identifier of `scheme` (defined as `def`, when the vocabulary has it): non-empty, and of
/// its scheme's format when it has one.
pub fn identifier(scheme: &str, def: Option<&IdentifierDef>, value: &str) -> Option<Broken> {
    if value.trim().is_empty() {
        return Some(Broken::new(
            ProblemKind::BadIdentifier,
            format!("the `{scheme}` identifier is empty"),
            Some(format!("write the identifier, or leave `{scheme}` out")),
        ));
    }
    let (fits, shape) = match def.and_then(|d| d.format) {
        None => return None,
        Some(IdFormat::Lei) => (
            lei_valid(value),
            "20 capital letters and digits whose last two are ISO 17442 check digits (mod 97), e.g. \"5493001KJTIIGC8Y1R12\"",
        ),
        Some(IdFormat::Wikidata) => (
            value.len() > 1
                && value.starts_with('Q')
                && value[1..].bytes().all(|b| b.is_ascii_digit())
                && !value[1..].starts_with('0'),
            "Q and digits, e.g. \"Q182477\"",
        ),
        Some(IdFormat::Isin) => (
            isin_valid(value),
            "12 characters: a country code, nine letters or digits and a Luhn check digit, e.g. \"US0378331005\"",
        ),
    };
    (!fits).then(|| {
        Broken::new(
            ProblemKind::BadIdentifier,
            format!("\"{value}\" is not a valid `{scheme}` identifier"),
            Some(format!("`{scheme}` identifiers are {shape}")),
        )
    })
}

/// Letters as ISO 7064 and ISO 6166 count them: `0`–`9` as themselves, `A`–`Z` as 10–35.
fn alphanumeric_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        _ => None,
    }
}

/// ISO 17442: 18 capital letters or digits, two check digits, and the whole read as a number
/// (letters as 10–35) is 1 modulo 97.
fn lei_valid(lei: &str) -> bool {
    let bytes = lei.as_bytes();
    if bytes.len() != 20 || !bytes[18..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut rest = 0u32;
    for &b in bytes {
        let Some(v) = alphanumeric_value(b) else {
            return false;
        };
        rest = if v >= 10 {
            (rest * 100 + v) % 97
        } else {
            (rest * 10 + v) % 97
        };
    }
    rest == 1
}

/// ISO 6166: two capital letters, nine capital letters or digits, and a check digit that makes
/// the Luhn sum of the digits (letters as 10–35) a multiple of ten.
fn isin_valid(isin: &str) -> bool {
    let bytes = isin.as_bytes();
    if bytes.len() != 12
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[11].is_ascii_digit()
    {
        return false;
    }
    let mut digits = Vec::with_capacity(24);
    for &b in bytes {
        match alphanumeric_value(b) {
            Some(v) if v >= 10 => digits.extend([v / 10, v % 10]),
            Some(v) => digits.push(v),
            None => return false,
        }
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let twice = d * 2;
                twice / 10 + twice % 10
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// An identifier that entity `owner` already carries; `first` says where, if known
/// (" at data.toml:3:1").
pub fn duplicate_identifier(scheme: &str, value: &str, owner: &str, first: &str) -> Broken {
    Broken::new(
        ProblemKind::DuplicateIdentifier,
        format!("the {scheme} identifier \"{value}\" already belongs to entity \"{owner}\""),
        Some(format!(
            "an identifier names one entity; \"{owner}\" has it{first}. Records of one entity in one file are one table; in several files, they merge"
        )),
    )
}

/// A warning for an `ids` scheme the vocabulary lacks, when it is near one it has; `None` for
/// a scheme near none (any name may be a scheme).
pub fn unknown_scheme(scheme: &str, vocabulary: &Vocabulary) -> Option<Broken> {
    let known: Vec<&str> = vocabulary
        .identifiers()
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let near = suggest(scheme, known.iter().copied());
    let help = did_you_mean(&near)?;
    Some(Broken::new(
        ProblemKind::UnknownScheme,
        format!("`{scheme}` is not a known identifier scheme; it is taken as a new one"),
        Some(format!(
            "{help} A new scheme is fine: declare it with [[vocabulary.identifier]] name = \"{scheme}\" to silence this"
        )),
    ))
}

/// Two records of one entity, merged across files because they share an identifier
/// (`shared`), that disagree on `field`; `first` says where the first record wrote it.
pub fn merge_conflict(
    field: &str,
    first_value: &str,
    value: &str,
    shared: &str,
    first: &str,
) -> Broken {
    Broken::new(
        ProblemKind::MergeConflict,
        format!(
            "`{field}` is {value} here but {first_value} at {first}, for the same entity (they share {shared})"
        ),
        Some(
            "records that share an identifier are one entity: make the two agree, drop one, or remove the shared identifier if they are different entities"
                .to_owned(),
        ),
    )
}

/// Legal suffixes that do not tell two firms apart ("Nvidia" and "Nvidia Corporation"),
/// folded as `fold_name` folds names and without dots.
pub const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "plc",
    "ag",
    "sa",
    "sas",
    "sarl",
    "spa",
    "gmbh",
    "nv",
    "bv",
    "se",
    "kk",
    "ab",
    "asa",
    "oyj",
    "as",
    "holdings",
    "holding",
    "group",
];

/// A name without case, accents, punctuation or trailing legal suffixes ("NVIDIA Corp." is
/// "nvidia"): two entities whose keys match are probably one. A name that is only a suffix
/// keeps it.
pub fn duplicate_key(name: &str) -> String {
    let mut words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '&' | '(' | ')'))
        .map(|w| crate::model::fold_name(&w.replace('.', "")))
        .filter(|w| !w.is_empty())
        .collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| LEGAL_SUFFIXES.contains(&w.as_str()))
    {
        words.pop();
    }
    // Joined as `fold_name` folds: without spaces.
    words.concat()
}

/// A warning for two entities (`first` at `first_at`) whose names differ only by legal
/// suffixes, and which carry no identifier in common.
pub fn likely_duplicate(name: &str, first: &str, first_name: &str, first_at: &str) -> Broken {
    Broken::new(
        ProblemKind::LikelyDuplicate,
        format!(
            "\"{name}\" may be the same entity as \"{first_name}\" (\"{first}\", at {first_at}): their names differ only by a legal suffix"
        ),
        Some(
            "if they are one, keep one record and make the other name an alias, or give both the same identifier (a LEI) to merge them across files; if not, ignore this"
                .to_owned(),
        ),
    )
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

// ----- element rules -----------------------------------------------------------------------

/// A graph element a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Element {
    Node(NodeId),
    Edge(EdgeId),
}

/// A rule a graph element breaks: which element, which property (none for its labels, type or
/// ends), and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleViolation {
    pub element: Element,
    pub key: Option<String>,
    pub broken: Broken,
}

impl RuleViolation {
    pub fn kind(&self) -> ProblemKind {
        self.broken.kind
    }
}

impl fmt::Display for RuleViolation {
    /// `error[code]: message`, then the help line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error[{}]: {}",
            self.broken.kind.code(),
            self.broken.message
        )?;
        if let Some(help) = &self.broken.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Checks what the running statement created or changed (`graph.changes()`), as a statement
/// is checked before it commits and as a replayed statement can be checked again.
///
/// # Errors
/// Every rule broken, in element order.
pub fn check_changes(graph: &Graph) -> Result<(), Vec<RuleViolation>> {
    let changes = graph.changes();
    check_elements(graph, &changes.nodes, &changes.edges)
}

/// Checks the given nodes and relationships (each list sorted, as `Graph::changes` gives
/// them) against the graph's schema. The cost follows the number of elements and their
/// degree, not the size of the graph.
///
/// # Errors
/// Every rule broken, in element order.
pub fn check_elements(
    graph: &Graph,
    nodes: &[NodeId],
    edges: &[EdgeId],
) -> Result<(), Vec<RuleViolation>> {
    if graph.schema() != Schema::Alliance {
        return Ok(());
    }
    let mut checker = Checker {
        graph,
        nodes,
        edges,
        out: Vec::new(),
    };
    for &node in nodes {
        if graph.contains_node(node) {
            checker.node(node);
        }
    }
    for &edge in edges {
        if graph.contains_edge(edge) {
            checker.edge(edge);
        }
    }
    if checker.out.is_empty() {
        Ok(())
    } else {
        Err(checker.out)
    }
}

struct Checker<'g> {
    graph: &'g Graph,
    nodes: &'g [NodeId],
    edges: &'g [EdgeId],
    out: Vec<RuleViolation>,
}

impl Checker<'_> {
    fn push(&mut self, element: Element, key: Option<&str>, broken: Broken) {
        self.out.push(RuleViolation {
            element,
            key: key.map(str::to_owned),
            broken,
        });
    }

    /// Whether a clash between `node` and `other` is reported at `node`: always when `other`
    /// was not checked too, else at the later of the two, so that it is reported once.
    fn reports_clash(&self, node: NodeId, other: NodeId) -> bool {
        self.nodes.binary_search(&other).is_err() || other < node
    }

    fn node(&mut self, node: NodeId) {
        let graph = self.graph;
        let at = Element::Node(node);
        let vocabulary = graph.vocabulary();
        let labels: Vec<&str> = graph.node_labels(node).collect();
        let kinds: Vec<&str> = labels
            .iter()
            .filter_map(|l| vocabulary.kind_by_label(l))
            .map(|k| k.name.as_str())
            .collect();
        if labels.is_empty() {
            let mut broken = missing("kind", "entity");
            broken.help = Some(format!(
                "give the node one of the labels {}",
                vocabulary.labels().join(", ")
            ));
            self.push(at, None, broken);
        }
        for label in labels
            .iter()
            .filter(|l| vocabulary.kind_by_label(l).is_none())
        {
            self.push(at, None, not_a_kind(vocabulary, label));
        }
        if kinds.len() > 1 {
            let names: Vec<String> = kinds.iter().map(|k| crate::model::label_of(k)).collect();
            self.push(
                at,
                None,
                Broken::new(
                    ProblemKind::UnknownValue,
                    format!(
                        "an entity has one kind only, not {}",
                        names.join(" and ")
                    ),
                    Some("REMOVE the old kind in the same statement, e.g. REMOVE n:Company SET n:Fund".to_owned()),
                ),
            );
        }
        self.finite(at, graph.node_props(node));
        self.node_identifiers(node);
        let name_clashes = self.node_names(node);
        self.node_id(node, &name_clashes);
        for key in ["country", "sector", "note"] {
            if let Some(value) = graph.node_prop(node, key)
                && !matches!(value, Value::String(_))
            {
                self.push(at, Some(key), wrong_type(key, "text", found_type(&value)));
            }
        }
        if let Some(value) = graph.node_prop(node, "sources") {
            self.sources(at, &value);
        }
        for key in ["kind", "extra"] {
            if graph.node_prop(node, key).is_some() {
                let mut broken = model_field_as_property(key);
                broken.help = Some(format!(
                    "an entity's kind is its label; name the property otherwise than `{key}`"
                ));
                self.push(at, Some(key), broken);
            }
        }
        // A node whose kind changed may no longer fit the ties it had: one message per type
        // and end, however many ties there are.
        if let [kind] = kinds.as_slice() {
            self.ties_still_fit(node, kind);
        }
    }

    /// The ties of `node` (now of `kind`) that this statement did not touch, each type at each
    /// end checked once against the kinds it joins.
    fn ties_still_fit(&mut self, node: NodeId, kind: &str) {
        let graph = self.graph;
        let vocabulary = graph.vocabulary();
        let mut counted: Vec<(String, bool, usize)> = Vec::new();
        for (direction, at_from) in [(Direction::Outgoing, true), (Direction::Incoming, false)] {
            for (edge, _) in graph.edges_of(node, direction) {
                if self.edges.binary_search(&edge).is_ok() {
                    continue;
                }
                let Some(rel) = vocabulary.relationship(graph.edge_type(edge)) else {
                    continue;
                };
                if Vocabulary::may_join(rel, kind, at_from) {
                    continue;
                }
                match counted
                    .iter_mut()
                    .find(|(n, f, _)| *n == rel.name && *f == at_from)
                {
                    Some((_, _, count)) => *count += 1,
                    None => counted.push((rel.name.clone(), at_from, 1)),
                }
            }
        }
        for (name, at_from, count) in counted {
            let Some(rel) = vocabulary.relationship(&name) else {
                continue;
            };
            let mut broken = wrong_endpoint(rel, at_from, &graph.display_id(node), kind);
            let kind_word = if rel.name == "member-of" {
                "a consortium"
            } else {
                "its kind"
            };
            broken.help = Some(format!(
                "{count} {name} relationship{} {} here; keep {kind_word}, or delete them first",
                if count == 1 { "" } else { "s" },
                if at_from { "start" } else { "end" },
            ));
            self.push(Element::Node(node), None, broken);
        }
    }

    /// The node's id: text, a slug, unused. A statement derives an absent id from the name,
    /// so a missing name is not reported again as a missing id, nor a name taken by `other`
    /// again as the id derived from it (`name_clashes`).
    fn node_id(&mut self, node: NodeId, name_clashes: &[NodeId]) {
        let graph = self.graph;
        let at = Element::Node(node);
        match graph.node_prop(node, ID_KEY) {
            None if graph.node_prop(node, NAME_KEY).is_none() => {}
            None => self.push(at, Some(ID_KEY), missing(ID_KEY, "entity")),
            Some(Value::String(id)) if id.trim().is_empty() => {
                self.push(at, Some(ID_KEY), empty(ID_KEY));
            }
            Some(Value::String(id)) => {
                if let Some(broken) = slug(&id) {
                    self.push(at, Some(ID_KEY), broken);
                    return;
                }
                let other = graph
                    .nodes_with_id(&id)
                    .into_iter()
                    .find(|o| *o != node && self.reports_clash(node, *o));
                let derived = graph
                    .node_str(node, NAME_KEY)
                    .is_some_and(|name| slugify(name) == id);
                if let Some(other) = other
                    && !(derived && name_clashes.contains(&other))
                {
                    let first = graph.display_name(other);
                    self.push(at, Some(ID_KEY), duplicate_entity_id(&id, &first));
                }
            }
            Some(other) => self.push(
                at,
                Some(ID_KEY),
                wrong_type(ID_KEY, "text", found_type(&other)),
            ),
        }
    }

    /// The node's identifiers (its properties named after a scheme of the vocabulary): text,
    /// of the scheme's format, each carried by no other entity.
    fn node_identifiers(&mut self, node: NodeId) {
        let graph = self.graph;
        let at = Element::Node(node);
        for def in graph.vocabulary().identifiers() {
            let scheme = def.name.as_str();
            match graph.node_prop(node, scheme) {
                None => {}
                Some(Value::String(value)) => {
                    if let Some(broken) = identifier(scheme, Some(def), &value) {
                        self.push(at, Some(scheme), broken);
                        continue;
                    }
                    let other = graph
                        .nodes_by_identifier(scheme, &value)
                        .into_iter()
                        .find(|o| *o != node && self.reports_clash(node, *o));
                    if let Some(other) = other {
                        let owner = graph.display_id(other);
                        self.push(
                            at,
                            Some(scheme),
                            duplicate_identifier(scheme, &value, &owner, ""),
                        );
                    }
                }
                Some(other) => self.push(
                    at,
                    Some(scheme),
                    wrong_type(scheme, "text (an identifier)", found_type(&other)),
                ),
            }
        }
    }

    /// The node's name and aliases: text, each unused by another entity. Returns the nodes
    /// they clash with.
    fn node_names(&mut self, node: NodeId) -> Vec<NodeId> {
        let graph = self.graph;
        let at = Element::Node(node);
        let mut names: Vec<(&str, String)> = Vec::new();
        match graph.node_prop(node, NAME_KEY) {
            None => self.push(at, Some(NAME_KEY), missing(NAME_KEY, "entity")),
            Some(Value::String(name)) if name.trim().is_empty() => {
                self.push(at, Some(NAME_KEY), empty(NAME_KEY));
            }
            Some(Value::String(name)) => names.push((NAME_KEY, name)),
            Some(other) => self.push(
                at,
                Some(NAME_KEY),
                wrong_type(NAME_KEY, "text", found_type(&other)),
            ),
        }
        match graph.node_prop(node, ALIASES_KEY) {
            None => {}
            Some(value) => match value.string_list() {
                Some(aliases) => names.extend(aliases.into_iter().map(|a| (ALIASES_KEY, a))),
                None => self.push(
                    at,
                    Some(ALIASES_KEY),
                    wrong_type(ALIASES_KEY, TEXT_LIST, found_type(&value)),
                ),
            },
        }
        let mut clashes = Vec::new();
        for (key, name) in names {
            let other = graph
                .nodes_by_name(&name)
                .into_iter()
                .find(|o| *o != node && self.reports_clash(node, *o));
            if let Some(other) = other {
                let owner = graph.display_id(other);
                self.push(at, Some(key), name_clash(&name, &owner, ""));
                clashes.push(other);
            }
        }
        clashes
    }

    /// Every number is finite: JSON cannot hold NaN or infinity, so a graph with one could not
    /// be saved in both formats.
    fn finite<'p>(&mut self, at: Element, props: impl Iterator<Item = (&'p str, Value)>) {
        fn finite(value: &Value) -> bool {
            match value {
                Value::Float(x) => x.is_finite(),
                Value::List(items) => items.iter().all(finite),
                _ => true,
            }
        }
        for (key, value) in props {
            if !finite(&value) {
                self.push(
                    at,
                    Some(key),
                    wrong_type(key, FINITE_NUMBER, "NaN or infinity"),
                );
            }
        }
    }

    /// A `sources` list: text, each a defined source.
    fn sources(&mut self, at: Element, value: &Value) {
        let graph = self.graph;
        match value.as_str_list() {
            Some(ids) => {
                for id in ids {
                    if graph.source(id).is_none() {
                        let known = graph.sources().map(|s| s.id.as_str());
                        self.push(at, Some("sources"), unknown_source(id, known));
                    }
                }
            }
            None => self.push(
                at,
                Some("sources"),
                wrong_type("sources", TEXT_LIST, found_type(value)),
            ),
        }
    }

    fn edge(&mut self, edge: EdgeId) {
        let graph = self.graph;
        let vocabulary = graph.vocabulary();
        let at = Element::Edge(edge);
        let Some((from, to)) = graph.edge_endpoints(edge) else {
            return;
        };
        let rel = vocabulary.relationship(graph.edge_type(edge));
        match rel {
            None => self.push(
                at,
                None,
                not_a_relationship_type(vocabulary, graph.edge_type(edge)),
            ),
            Some(rel) => {
                for (node, at_from) in [(from, true), (to, false)] {
                    let kind = graph
                        .node_labels(node)
                        .find_map(|l| vocabulary.kind_by_label(l))
                        .map(|k| k.name.as_str());
                    if let Some(kind) = kind
                        && !Vocabulary::may_join(rel, kind, at_from)
                    {
                        let entity = graph.display_id(node);
                        self.push(at, None, wrong_endpoint(rel, at_from, &entity, kind));
                    } else if kind.is_none() && !at_from && rel.name == "member-of" {
                        let entity = graph.display_id(node);
                        self.push(at, None, member_of_non_consortium(&entity, "unlabelled"));
                    }
                }
            }
        }
        let mut free = Vec::new();
        for (key, value) in graph.edge_props(edge) {
            let Some(def) = vocabulary.property(key) else {
                if !matches!(key, "sources") {
                    free.push((key, value));
                }
                continue;
            };
            if let Some(rel) = rel
                && !vocabulary.allows(rel, key)
            {
                self.push(at, Some(key), property_not_on(key, rel));
                continue;
            }
            if let Some(broken) = property_value(def, vocabulary.words(rel, def), &value) {
                self.push(at, Some(key), broken);
            }
        }
        self.finite(at, free.iter().map(|(k, v)| (*k, v.clone())));
        for (key, broken) in tie_properties(&|key| graph.edge_prop(edge, key)) {
            self.push(at, Some(key), broken);
        }
        if let (Some(amount), Some(derived)) =
            (graph.edge_f64(edge, "amount"), graph.derived_usd(edge))
        {
            let currency = graph
                .edge_str(edge, "currency")
                .unwrap_or(crate::model::money::DEFAULT_CURRENCY);
            if crate::model::money::is_currency(currency)
                && let Some(broken) = usd_consistent(
                    graph.edge_f64(edge, "amount_usd"),
                    derived,
                    amount,
                    currency,
                )
            {
                self.push(at, Some("amount_usd"), broken);
            }
        }
        match graph.edge_prop(edge, "sources") {
            Some(value) => {
                if value.as_str_list().is_some_and(|l| l.is_empty()) && !graph.allow_unsourced() {
                    self.push(at, Some("sources"), unsourced());
                }
                self.sources(at, &value);
            }
            None if !graph.allow_unsourced() => self.push(at, None, unsourced()),
            None => {}
        }
        for key in ["type", "from", "to", "extra"] {
            if graph.edge_prop(edge, key).is_some() {
                let mut broken = model_field_as_property(key);
                broken.help = Some(format!(
                    "a relationship's type and ends are not properties; name the property otherwise than `{key}`"
                ));
                self.push(at, Some(key), broken);
            }
        }
    }
}
