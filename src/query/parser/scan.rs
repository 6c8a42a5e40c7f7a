//! The scan of a query's text before pest runs: bracket and `CASE` nesting against
//! `MAX_NESTING`, and where an unclosed string or bracket opens. It reads characters only and
//! builds no tree.

use super::{MAX_NESTING, nesting_too_deep};
use crate::query::error::ParseError;

/// Scans the text before pest does: refuses bracket nesting deeper than `MAX_NESTING` (pest
/// would recurse into it) and names an unclosed string where it starts, which a grammar error
/// at the end of the text would not.
pub(super) fn check_nesting(text: &str) -> Result<(), ParseError> {
    // Open brackets, innermost last, with where they open.
    let mut open: Vec<(char, usize)> = Vec::new();
    // `CASE … END` nests as deep as brackets do, without any bracket.
    let mut cases = 0usize;
    let mut previous = ' ';
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let before = std::mem::replace(&mut previous, c);
        match c {
            c if c.is_alphabetic() || c == '_' => {
                let mut end = offset + c.len_utf8();
                while let Some((at, n)) = chars.next_if(|(_, n)| n.is_alphanumeric() || *n == '_') {
                    end = at + n.len_utf8();
                    previous = n;
                }
                // A property key, a parameter or a label may be called `case`.
                if matches!(before, '.' | '$' | ':') || before.is_alphanumeric() {
                    continue;
                }
                let word = &text[offset..end];
                if word.eq_ignore_ascii_case("case") {
                    cases += 1;
                    if open.len() + cases > MAX_NESTING {
                        return Err(nesting_error(text, offset));
                    }
                } else if word.eq_ignore_ascii_case("end") {
                    cases = cases.saturating_sub(1);
                }
            }
            '/' if chars.peek().is_some_and(|(_, n)| *n == '/') => {
                while chars.next_if(|(_, n)| *n != '\n').is_some() {}
            }
            '/' if chars.peek().is_some_and(|(_, n)| *n == '*') => {
                chars.next();
                let mut previous = ' ';
                for (_, n) in chars.by_ref() {
                    if previous == '*' && n == '/' {
                        break;
                    }
                    previous = n;
                }
            }
            '\'' | '"' | '`' => {
                let mut closed = false;
                while let Some((_, n)) = chars.next() {
                    if n == '\\' && c != '`' {
                        chars.next();
                    } else if n == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    let what = if c == '`' { "name" } else { "string" };
                    return Err(ParseError::new(
                        text,
                        offset,
                        format!("this {what} is never closed"),
                        Some(format!("end it with {c}")),
                    ));
                }
            }
            '(' | '[' | '{' => {
                open.push((c, offset));
                if open.len() + cases > MAX_NESTING {
                    return Err(nesting_error(text, offset));
                }
            }
            ')' | ']' | '}' => {
                let wanted = match open.pop() {
                    Some(('(', _)) => ')',
                    Some(('[', _)) => ']',
                    Some(_) => '}',
                    None => {
                        return Err(ParseError::new(
                            text,
                            offset,
                            format!("this `{c}` closes nothing"),
                            Some("remove it, or open its bracket earlier".to_owned()),
                        ));
                    }
                };
                if c != wanted {
                    return Err(ParseError::new(
                        text,
                        offset,
                        format!("expected `{wanted}`, found `{c}`"),
                        Some("brackets close in the reverse order they open".to_owned()),
                    ));
                }
            }
            _ => {}
        }
    }
    if let Some((c, offset)) = open.pop() {
        let close = match c {
            '(' => ')',
            '[' => ']',
            _ => '}',
        };
        return Err(ParseError::new(
            text,
            offset,
            format!("this `{c}` is never closed"),
            Some(format!("close it with `{close}`")),
        ));
    }
    Ok(())
}

/// Brackets and `CASE` nested deeper than `MAX_NESTING`, refused at `offset`.
pub(super) fn nesting_error(text: &str, offset: usize) -> ParseError {
    nesting_too_deep(
        text,
        offset,
        format!("the query nests brackets and CASE expressions more than {MAX_NESTING} deep"),
        "split the expression with WITH or simplify it",
    )
}
