//! The scan of a query's text before pest runs: bracket and `CASE` nesting against
//! `MAX_NESTING`, and where an unclosed string or bracket opens. It reads characters only and
//! builds no tree.

use super::{MAX_NESTING, nesting_too_deep};
use crate::query::error::ParseError;
use crate::query::text::{Piece, pieces};

/// Scans the text before pest does: refuses bracket nesting deeper than `MAX_NESTING` (pest
/// would recurse into it) and names an unclosed string where it starts, which a grammar error
/// at the end of the text would not.
pub(super) fn check_nesting(text: &str) -> Result<(), ParseError> {
    // Open brackets, innermost last, with where they open.
    let mut open: Vec<(char, usize)> = Vec::new();
    // `CASE … END` nests as deep as brackets do, without any bracket.
    let mut cases = 0usize;
    let mut previous = ' ';
    for (offset, piece) in pieces(text) {
        let before = previous;
        let c = match piece {
            Piece::Word(word) => {
                previous = word.chars().next_back().unwrap_or(' ');
                // A property key, a parameter or a label may be called `case`.
                if matches!(before, '.' | '$' | ':') || before.is_alphanumeric() {
                    continue;
                }
                if word.eq_ignore_ascii_case("case") {
                    cases += 1;
                    if open.len() + cases > MAX_NESTING {
                        return Err(nesting_error(text, offset));
                    }
                } else if word.eq_ignore_ascii_case("end") {
                    cases = cases.saturating_sub(1);
                }
                continue;
            }
            Piece::Comment { .. } => {
                previous = '/';
                continue;
            }
            Piece::Quoted { quote, closed } => {
                previous = quote;
                if !closed {
                    let what = if quote == '`' { "name" } else { "string" };
                    return Err(ParseError::new(
                        text,
                        offset,
                        format!("this {what} is never closed"),
                        Some(format!("end it with {quote}")),
                    ));
                }
                continue;
            }
            Piece::Char(c) => c,
        };
        previous = c;
        match c {
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
