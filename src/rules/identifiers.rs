//! The rules of identifiers: each scheme's format (a LEI's and an ISIN's check digits), one
//! entity per identifier, records of one entity that disagree, and names that differ only by
//! a legal suffix.

use super::*;

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
