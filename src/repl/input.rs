//! Where one piece of shell input ends: a meta command ends with its line; statements end with
//! a `;` that is outside strings, comments and brackets.
//!
//! **Invariant:** the same rule decides for a terminal (the line editor's validator) and for a
//! pipe, so a script behaves as if it were typed.

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
    let mut chars = text.chars().peekable();
    let mut last_significant: Option<char> = None;
    let mut depth = 0i64;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => while chars.next_if(|n| *n != '\n').is_some() {},
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = ' ';
                let mut closed = false;
                for n in chars.by_ref() {
                    if previous == '*' && n == '/' {
                        closed = true;
                        break;
                    }
                    previous = n;
                }
                if !closed {
                    return Input::Incomplete;
                }
            }
            '\'' | '"' | '`' => {
                let mut closed = false;
                while let Some(n) = chars.next() {
                    if n == '\\' && c != '`' {
                        chars.next();
                    } else if n == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Input::Incomplete;
                }
                last_significant = Some(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                last_significant = Some(c);
            }
            ')' | ']' | '}' => {
                depth -= 1;
                last_significant = Some(c);
            }
            c if c.is_whitespace() => {}
            c => last_significant = Some(c),
        }
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
    let bytes = text.as_bytes();
    let mut blanked = text.to_owned();
    let mut found = Vec::new();
    let mut at_start = true;
    let mut depth = 0i64;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '/' if chars.peek().map(|p| p.1) == Some('/') => {
                while chars.next_if(|(_, n)| *n != '\n').is_some() {}
            }
            '/' if chars.peek().map(|p| p.1) == Some('*') => {
                chars.next();
                let mut previous = ' ';
                for (_, n) in chars.by_ref() {
                    if previous == '*' && n == '/' {
                        break;
                    }
                    previous = n;
                }
            }
            c if c.is_whitespace() => {}
            '\'' | '"' | '`' => {
                at_start = false;
                while let Some((_, n)) = chars.next() {
                    if n == '\\' && c != '`' {
                        chars.next();
                    } else if n == c {
                        break;
                    }
                }
            }
            ';' if depth <= 0 => at_start = true,
            _ => {
                let end = i + KEYWORD.len();
                let word_ends = bytes
                    .get(end)
                    .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
                if at_start
                    && text
                        .get(i..end)
                        .is_some_and(|w| w.eq_ignore_ascii_case(KEYWORD))
                    && word_ends
                {
                    blanked.replace_range(i..end, &" ".repeat(KEYWORD.len()));
                    found.push(i);
                    while chars.next_if(|(j, _)| *j < end).is_some() {}
                } else {
                    match c {
                        '(' | '[' | '{' => depth += 1,
                        ')' | ']' | '}' => depth -= 1,
                        _ => {}
                    }
                }
                at_start = false;
            }
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
