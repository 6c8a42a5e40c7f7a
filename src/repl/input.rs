//! Where one piece of shell input ends: a meta command ends with its line; statements end with
//! a `;` that is outside strings, comments and brackets.
//!
//! **Invariant:** the same rule decides for a terminal (the line editor's validator) and for a
//! pipe, so a script behaves as if it were typed.

use crate::query::text::{Piece, pieces};

/// What the shell has read so far.
#[derive(Debug, PartialEq, Eq)]
pub enum Input {
    /// Nothing but white space and comments.
    Empty,
    /// A `:command` line.
    Command,
    /// Statements ended with `;`.
    Statements,
    /// More lines are needed.
    Incomplete,
}

/// Classifies `text`, which may span several lines.
pub fn classify(text: &str) -> Input {
    let trimmed = text.trim_start();
    if trimmed.starts_with(':') {
        return Input::Command;
    }
    let mut last_significant: Option<char> = None;
    let mut depth = 0i64;
    for (_, piece) in pieces(text) {
        let c = match piece {
            Piece::Comment { closed: true } => continue,
            Piece::Comment { closed: false } | Piece::Quoted { closed: false, .. } => {
                return Input::Incomplete;
            }
            Piece::Quoted { quote, .. } => quote,
            Piece::Word(word) => word.chars().next_back().unwrap_or(' '),
            Piece::Char(c) if c.is_whitespace() => continue,
            Piece::Char(c) => c,
        };
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        last_significant = Some(c);
    }
    match last_significant {
        None => Input::Empty,
        Some(';') if depth <= 0 => Input::Statements,
        Some(_) => Input::Incomplete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_end_with_a_semicolon_outside_strings_and_comments() {
        assert_eq!(classify("MATCH (n) RETURN n;"), Input::Statements);
        assert_eq!(classify("MATCH (n)\nRETURN n;  // done"), Input::Statements);
        assert_eq!(classify("MATCH (n)"), Input::Incomplete);
        assert_eq!(classify("RETURN ';'"), Input::Incomplete);
        assert_eq!(classify("RETURN 'a;"), Input::Incomplete);
        assert_eq!(classify("RETURN 1 /* ; */"), Input::Incomplete);
        assert_eq!(classify("RETURN 1 /* ;"), Input::Incomplete);
        assert_eq!(classify("RETURN [1;"), Input::Incomplete);
        assert_eq!(classify("RETURN 'it\\'s';"), Input::Statements);
    }

    #[test]
    fn commands_and_blank_input() {
        assert_eq!(classify(":stats"), Input::Command);
        assert_eq!(classify("  :save x.toml"), Input::Command);
        assert_eq!(classify("   \n // nothing"), Input::Empty);
    }

    #[test]
    fn a_complete_prefix_stays_complete_when_more_statements_follow() {
        // Any text that classifies as statements does so whatever its line breaks are.
        let text = "MATCH (n)\nWITH n\nRETURN n;";
        assert_eq!(classify(text), Input::Statements);
        assert_eq!(classify(&text.replace('\n', " ")), Input::Statements);
    }
}
