//! How query text divides into comments, quoted text, words and single characters, before any
//! grammar is applied.
//!
//! **Invariant:** the parser's pre-scan (nesting and unclosed strings), the shell's test of
//! where a statement ends and its `EXPLAIN` prefix all read text through this one rule, so a
//! `;` or a bracket inside a string or a comment means the same to each of them.

use std::iter::Peekable;
use std::str::CharIndices;

/// One piece of query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// A `// …` comment to the end of its line, or a `/* … */` one; `closed` is false when the
    /// text ends inside a block comment.
    Comment { closed: bool },
    /// A string in `'` or `"`, or a name in backticks, with `\` escaping inside strings only;
    /// `closed` is false when the text ends inside it.
    Quoted { quote: char, closed: bool },
    /// A run of letters, digits and `_` that starts with a letter or `_`.
    Word(&'a str),
    /// Any other character, white space included.
    Char(char),
}

/// The pieces of `text` with the byte offset where each starts.
pub fn pieces(text: &str) -> Pieces<'_> {
    Pieces {
        text,
        chars: text.char_indices().peekable(),
    }
}

/// The iterator [`pieces`] returns.
pub struct Pieces<'a> {
    text: &'a str,
    chars: Peekable<CharIndices<'a>>,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = (usize, Piece<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let (offset, c) = self.chars.next()?;
        let next = self.chars.peek().map(|&(_, n)| n);
        let piece = match c {
            '/' if next == Some('/') => {
                while self.chars.next_if(|&(_, n)| n != '\n').is_some() {}
                Piece::Comment { closed: true }
            }
            '/' if next == Some('*') => {
                self.chars.next();
                let mut previous = ' ';
                let mut closed = false;
                for (_, n) in self.chars.by_ref() {
                    if previous == '*' && n == '/' {
                        closed = true;
                        break;
                    }
                    previous = n;
                }
                Piece::Comment { closed }
            }
            '\'' | '"' | '`' => {
                let mut closed = false;
                while let Some((_, n)) = self.chars.next() {
                    if n == '\\' && c != '`' {
                        self.chars.next();
                    } else if n == c {
                        closed = true;
                        break;
                    }
                }
                Piece::Quoted { quote: c, closed }
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = offset + c.len_utf8();
                while let Some((at, n)) = self
                    .chars
                    .next_if(|&(_, n)| n.is_alphanumeric() || n == '_')
                {
                    end = at + n.len_utf8();
                }
                Piece::Word(&self.text[offset..end])
            }
            c => Piece::Char(c),
        };
        Some((offset, piece))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_comments_and_words_are_one_piece_each() {
        let found: Vec<_> = pieces("RETURN 'a;b' /* ; */ x_1// c\n;").collect();
        assert_eq!(
            found,
            vec![
                (0, Piece::Word("RETURN")),
                (6, Piece::Char(' ')),
                (
                    7,
                    Piece::Quoted {
                        quote: '\'',
                        closed: true
                    }
                ),
                (12, Piece::Char(' ')),
                (13, Piece::Comment { closed: true }),
                (20, Piece::Char(' ')),
                (21, Piece::Word("x_1")),
                (24, Piece::Comment { closed: true }),
                (28, Piece::Char('\n')),
                (29, Piece::Char(';')),
            ]
        );
    }

    #[test]
    fn escapes_hold_inside_strings_but_not_names() {
        let quoted = |text| pieces(text).next().map(|(_, piece)| piece);
        let closed = |quote| {
            Some(Piece::Quoted {
                quote,
                closed: true,
            })
        };
        let open = |quote| {
            Some(Piece::Quoted {
                quote,
                closed: false,
            })
        };
        assert_eq!(quoted(r"'it\'s'"), closed('\''));
        assert_eq!(quoted(r"'it\'s"), open('\''));
        assert_eq!(quoted(r"`a\`"), closed('`'));
        assert_eq!(
            quoted("/* never ends"),
            Some(Piece::Comment { closed: false })
        );
        assert_eq!(quoted("été2"), Some(Piece::Word("été2")));
    }
}
