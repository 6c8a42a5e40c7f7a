//! Errors of the query layer, with the query line and a caret for display.

use std::fmt;

/// A syntax error: where, what was expected, and how to fix it when known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// 1-based line of the query.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    /// The query line the error is on.
    pub source_line: String,
}

impl ParseError {
    pub(crate) fn new(text: &str, offset: usize, message: String, help: Option<String>) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        let source_line = text[line_start..].lines().next().unwrap_or("").to_owned();
        ParseError {
            line,
            column,
            message,
            help,
            source_line,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "syntax error at line {}, column {}: {}",
            self.line, self.column, self.message
        )?;
        writeln!(f, "  {}", self.source_line)?;
        write!(f, "  {}^", " ".repeat(self.column - 1))?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}
