//! Name folding, so that "NVIDIA  Corporation", "nvidia corporation", "NvidiaCorporation" and
//! "Nvídia Corporation" find the same entity. Names and aliases are unique under this folding,
//! and every look-up by name uses it, so a name that is told apart from another is also found
//! apart from it.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds a name for look-up and for the uniqueness of names: accents removed, lowercased, white
/// space left out ("Open AI" and "OpenAI" are one name).
pub fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    fold_name_into(name, &mut out);
    out
}

/// As `fold_name`, into `out` (cleared first): a bulk load reuses one buffer for a million
/// names.
pub fn fold_name_into(name: &str, out: &mut String) {
    fold(name, None, out);
}

/// As `fold_name`, but keeping the words apart: runs of white space made one space, ends
/// trimmed. For deriving an id from a name (`mistral-ai`), not for comparing names.
pub(crate) fn fold_words(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    fold(name, Some(' '), &mut out);
    out
}

/// Folds `name` into `out` (cleared first), with `space` for each run of white space between
/// words, or nothing.
fn fold(name: &str, space: Option<char>, out: &mut String) {
    out.clear();
    if name.is_ascii() {
        // Most names are ASCII: byte by byte, with no decomposition and no Unicode tables,
        // keeps bulk loads fast. ASCII white space is tab to carriage return, and space.
        let mut pending_space = false;
        for &b in name.as_bytes() {
            if matches!(b, b'\t'..=b'\r' | b' ') {
                pending_space = !out.is_empty();
            } else {
                if pending_space && let Some(space) = space {
                    out.push(space);
                }
                pending_space = false;
                out.push(char::from(b.to_ascii_lowercase()));
            }
        }
    } else {
        fold_chars(name.nfd().filter(|c| !is_combining_mark(*c)), space, out);
    }
}

/// Lowercases `chars` into `out`, each run of white space between words made `space`.
fn fold_chars(chars: impl Iterator<Item = char>, space: Option<char>, out: &mut String) {
    let mut pending_space = false;
    for c in chars {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space && let Some(space) = space {
                out.push(space);
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        }
    }
}

/// The candidates closest to `wanted`, best first, for a "did you mean".
///
/// Compares folded text, so case and accents do not count as differences.
pub fn suggest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    suggest_each(wanted, candidates.into_iter().map(|c| (c, c)))
}

/// As `suggest`, for things known by several texts (an entity by its name and its aliases):
/// the closest things, best first, each once however many of its texts are close.
pub fn suggest_each<'a, T: PartialEq + Ord + Copy>(
    wanted: &str,
    candidates: impl IntoIterator<Item = (&'a str, T)>,
) -> Vec<T> {
    let wanted = fold_name(wanted);
    let mut scored: Vec<(f64, T)> = candidates
        .into_iter()
        .filter_map(|(c, thing)| {
            let folded = fold_name(c);
            let score = strsim::jaro_winkler(&wanted, &folded);
            let close = score >= 0.85
                // One edit is a typo in a word, but turns any one-letter name into any other.
                || (wanted.chars().count() >= 4
                    && strsim::levenshtein(&wanted, &folded) <= (wanted.chars().count() / 4).max(1))
                || (wanted.len() >= 3 && folded.starts_with(&wanted));
            close.then_some((score, thing))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut best: Vec<T> = Vec::new();
    for (_, thing) in scored {
        if !best.contains(&thing) {
            best.push(thing);
            if best.len() == 3 {
                break;
            }
        }
    }
    best
}

/// Renders suggestions as `did you mean "a" or "b"?`, or nothing when there are none.
pub fn did_you_mean(suggestions: &[&str]) -> Option<String> {
    match suggestions {
        [] => None,
        [one] => Some(format!("did you mean \"{one}\"?")),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|s| format!("\"{s}\"")).collect();
            Some(format!("did you mean {} or \"{last}\"?", init.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_white_space() {
        assert_eq!(fold_name("  Société   Générale "), "societegenerale");
        assert_eq!(fold_name("NVIDIA\tCorporation"), "nvidiacorporation");
        assert_eq!(fold_name("Open AI"), fold_name("OpenAI"));
        assert_eq!(fold_name("Open\u{a0}Ａ I"), fold_name("openａi"));
        assert_eq!(fold_name("東京"), "東京");
        assert_eq!(fold_words("  Société   Générale "), "societe generale");
    }

    #[test]
    fn ascii_names_fold_as_the_general_path_folds_them() {
        for space in [None, Some(' ')] {
            let general = |name: &str| {
                let mut out = String::new();
                fold_chars(name.chars(), space, &mut out);
                out
            };
            for b in 0u8..128 {
                let name = format!(" A{}b {}C\x0b", char::from(b), char::from(b));
                let mut ascii = String::new();
                fold(&name, space, &mut ascii);
                assert_eq!(ascii, general(&name), "byte {b}");
            }
        }
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["Intel", "Nvidia", "OpenAI", "Oracle"];
        assert_eq!(suggest("Intell", names), vec!["Intel"]);
        assert_eq!(suggest("nvidai", names), vec!["Nvidia"]);
        assert!(suggest("Zebra Holdings", names).is_empty());
    }
}
