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

/// The `EXPLAIN` keywords that begin statements of `text`: the text with each made spaces (so
/// every position stays where it was), and the byte offset of each.
pub fn take_explains(text: &str) -> (String, Vec<usize>) {
    const KEYWORD: &str = "explain";
    let mut blanked = text.to_owned();
    let mut found = Vec::new();
    let mut at_start = true;
    let mut depth = 0i64;
    for (offset, piece) in pieces(text) {
        match piece {
            Piece::Comment { .. } => {}
            Piece::Char(c) if c.is_whitespace() => {}
            Piece::Char(';') if depth <= 0 => at_start = true,
            Piece::Word(word) if at_start && word.eq_ignore_ascii_case(KEYWORD) => {
                blanked.replace_range(offset..offset + word.len(), &" ".repeat(word.len()));
                found.push(offset);
                at_start = false;
            }
            Piece::Char(c) => {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth -= 1,
                    _ => {}
                }
                at_start = false;
            }
            Piece::Quoted { .. } | Piece::Word(_) => at_start = false,
        }
    }
    (blanked, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_is_taken_where_a_statement_begins_only() {
        let (text, at) = take_explains(
            "EXPLAIN RETURN 1; RETURN 'explain';\n// c\n explain\tMATCH (n) RETURN n",
        );
        assert_eq!(at, vec![0, 42]);
        assert_eq!(
            text,
            "        RETURN 1; RETURN 'explain';\n// c\n        \tMATCH (n) RETURN n"
        );
        assert_eq!(take_explains("RETURN explain").1, Vec::<usize>::new());
        assert_eq!(take_explains("EXPLAINED RETURN 1").1, Vec::<usize>::new());
        assert_eq!(take_explains("RETURN [1; explain]").1, Vec::<usize>::new());
    }

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
