//! Text from data, made safe to show on a terminal.
//!
//! A name or a note in a data file can hold control characters: an escape sequence that
//! clears the screen or retitles the window, a bell, a carriage return or backspaces that
//! overwrite what was printed, a bidirectional override that reorders the rest of the line.
//! Everything shown to people passes through `printable`, which writes such characters as
//! Rust writes them, `\u{1b}`, and leaves every other character alone.

use std::borrow::Cow;

/// Whether `c` would act on a terminal instead of showing: a C0 control other than line feed
/// and tab, DEL, a C1 control, or a bidirectional embedding, override or isolate.
pub fn is_unprintable(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// `text` with each character that would act on a terminal written as `\u{…}` (lower-case
/// hex): `"a\u{1b}[2J"` shows as `a\u{1b}[2J`. Line feeds and tabs stay. Borrowed when there is
/// nothing to escape, and escaping twice changes nothing more.
///
/// ```
/// use alliances::model::printable;
/// assert_eq!(printable("Intel\u{1b}[2J\u{7}"), "Intel\\u{1b}[2J\\u{7}");
/// assert_eq!(printable("a\nb"), "a\nb");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    escape_unprintable(text, rust_escape)
}

/// JSON text with every character that would act on a terminal written as a JSON escape
/// (`\u009b`): the same JSON value, safe to show. Such characters can only stand inside
/// strings, since JSON's own syntax is plain ASCII.
pub fn printable_json(json: &str) -> Cow<'_, str> {
    // Every such character lies in the Basic Multilingual Plane, so four digits hold it.
    escape_unprintable(json, |c| format!("\\u{:04x}", c as u32))
}

/// `\u{1b}`: how `printable` writes a character that would act on a terminal.
fn rust_escape(c: char) -> String {
    format!("\\u{{{:x}}}", c as u32)
}

/// `text` with each character that would act on a terminal written as `escape` writes it;
/// borrowed when there is none.
fn escape_unprintable(text: &str, escape: impl Fn(char) -> String) -> Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unprintable(c) {
            out.push_str(&escape(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How many characters `text` takes once made printable, for lining a caret up under it.
pub fn printable_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if is_unprintable(c) {
                rust_escape(c).len()
            } else {
                1
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_acts_on_a_terminal_and_nothing_else() {
        let nasty = "A\u{1b}[2J\u{7}B\u{8}\r\u{9b}31m\u{202e}txt\u{7f}";
        let shown = printable(nasty);
        assert_eq!(
            shown,
            "A\\u{1b}[2J\\u{7}B\\u{8}\\u{d}\\u{9b}31m\\u{202e}txt\\u{7f}"
        );
        assert!(!shown.chars().any(is_unprintable));
        assert_eq!(printable(&shown), shown, "escaping twice changes nothing");
        assert_eq!(printable_width(nasty), shown.chars().count());
        assert!(matches!(
            printable("Société Générale\tx\n"),
            Cow::Borrowed(_)
        ));
    }
}
