//! Errors and warnings of the query layer, each with the query line and a caret for display.

use crate::model::{printable, printable_width};
use std::fmt;

/// What kind of mistake a query made. Follows openCypher's error classes, so a program (and
/// the conformance runner) can tell a syntax error from a type error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text does not follow the grammar.
    Syntax,
    /// The query is well formed but means nothing: an undefined variable, an aggregate where
    /// none is allowed, an unknown function.
    Semantic,
    /// A value of the wrong type reached an operator or a function at run time.
    Type,
    /// A function got a value of the right type that it cannot use (a negative `range` step
    /// of zero, a malformed date).
    Argument,
    /// A `$parameter` was used but not given.
    ParameterMissing,
    /// A write broke a rule of the graph's schema.
    Constraint,
    /// The statement was stopped before it finished (Ctrl-C, a time limit).
    Interrupted,
    /// The statement needed more than a bound allows: more memory than its budget.
    Limit,
    /// Its changes could not be made durable (the journal could not be written).
    Storage,
    /// A file the statement reads (`LOAD CSV`) is missing, refused or malformed.
    Resource,
}

impl ErrorKind {
    fn heading(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Semantic => "error",
            ErrorKind::Type => "type error",
            ErrorKind::Argument => "invalid argument",
            ErrorKind::ParameterMissing => "missing parameter",
            ErrorKind::Constraint => "rule broken",
            ErrorKind::Interrupted => "interrupted",
            ErrorKind::Limit => "limit reached",
            ErrorKind::Storage => "not saved",
            ErrorKind::Resource => "cannot read",
        }
    }
}

/// The precise reason, named as openCypher's conformance suite names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The text does not parse.
    UnexpectedSyntax,
    /// Brackets, `CASE` expressions or operators nest deeper than the parser allows, or a
    /// statement has more clauses than it allows.
    NestingTooDeep,
    /// A number literal does not fit.
    IntegerOverflow,
    /// A float literal is too large for a 64-bit float.
    FloatingPointOverflow,
    /// A word that starts with a digit is no number (`12h4`, `0x`, `0x1G`).
    InvalidNumberLiteral,
    /// A character that looks like an operator but is none (`—` for `-`).
    InvalidUnicodeCharacter,
    /// A variable is used but never bound.
    UndefinedVariable,
    /// A variable is bound twice where that is not allowed.
    VariableAlreadyBound,
    /// A variable is used as a node in one place and as something else in another.
    VariableTypeConflict,
    /// `WITH` projects an expression without `AS`.
    NoExpressionAlias,
    /// Two result columns have the same name.
    ColumnNameConflict,
    /// `RETURN *` or `WITH *` with no variable in scope.
    NoVariablesInScope,
    /// An aggregate inside another aggregate.
    NestedAggregation,
    /// An aggregate where none is allowed (in WHERE, in a pattern), or a grouping that uses
    /// what it does not group by.
    InvalidAggregation,
    /// An aggregating expression reads, outside its aggregates, what is no grouping key
    /// (`me.age + count(*)` without `me` or `me.age` as a column).
    AmbiguousAggregationExpression,
    /// A parameter where a pattern to match needs its properties written out (`MATCH (n $p)`).
    InvalidParameterUse,
    /// DELETE of something other than nodes, relationships and paths: `DELETE n:Label`.
    InvalidDelete,
    /// A function name the engine does not know.
    UnknownFunction,
    /// `CALL` names a procedure that is neither built in nor added by the program.
    ProcedureNotFound,
    /// A procedure that takes arguments is called inside a query without parentheses (only a
    /// call standing alone takes its arguments from the parameters).
    InvalidArgumentPassingMode,
    /// A function called with too few or too many arguments.
    InvalidNumberOfArguments,
    /// An operator or function got a value of the wrong type.
    InvalidArgumentType,
    /// A function got a value it cannot use.
    InvalidArgumentValue,
    /// An integer operation overflowed, or divided by zero.
    ArithmeticError,
    /// SKIP or LIMIT is a negative integer.
    NegativeIntegerArgument,
    /// SKIP or LIMIT reads a variable: it must be a constant or a parameter.
    NonConstantExpression,
    /// A pattern form that is not supported where it appears.
    UnsupportedPattern,
    /// A relationship to CREATE or MERGE has no type, or more than one.
    NoSingleRelationshipType,
    /// A relationship to CREATE has no direction, or both.
    RequiresDirectedRelationship,
    /// CREATE or MERGE of a variable-length relationship.
    CreatingVarLength,
    /// A value that cannot be stored as a property (a map, a list of maps or with nulls).
    InvalidPropertyType,
    /// A map indexed by something other than a string.
    MapElementAccessByNonString,
    /// A number outside what a function accepts (`range` with a step of 0).
    NumberOutOfRange,
    /// `UNION` parts return different columns.
    DifferentColumnsInUnion,
    /// `UNION` and `UNION ALL` mixed in one statement.
    InvalidClauseComposition,
    /// A `$parameter` without a value.
    MissingParameter,
    /// A write that the schema forbids.
    SchemaViolation,
    /// MERGE of a pattern with a property whose value is null.
    MergeReadOwnWrites,
    /// DELETE of a node that still has relationships.
    DeleteConnectedNode,
    /// A statement read the labels or properties of a node or relationship it had deleted.
    DeletedEntityAccess,
    /// A statement that writes was run on a graph opened for reading only.
    ReadOnly,
    /// The statement was stopped before it finished.
    Interrupted,
    /// The statement needed more memory than its run's budget (`Limits`) allows.
    MemoryLimit,
    /// The journal could not be written, so the statement was undone.
    JournalWrite,
    /// `LOAD CSV` could not open what its URL names: a missing file, or a URL that is not a
    /// local file.
    ExternalResourceFailed,
    /// A record of a file `LOAD CSV` reads is malformed (a field count that differs from the
    /// header's, text that is not UTF-8).
    InvalidCsvRecord,
    /// A write, or a new constraint over the data there is, gives two nodes of a label the
    /// same value where a uniqueness constraint says none may share one.
    ConstraintValidationFailed,
    /// `CREATE CONSTRAINT` without `IF NOT EXISTS` names a constraint that exists, or asks for
    /// one that exists under another name.
    ConstraintAlreadyExists,
    /// `DROP CONSTRAINT` without `IF EXISTS` names no constraint.
    ConstraintNotFound,
}

/// A query error: what went wrong, where (1-based line and column of the query text), and how
/// to fix it when that is known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct QueryError {
    pub kind: ErrorKind,
    pub code: ErrorCode,
    pub line: usize,
    /// In characters, not bytes.
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    /// The query line the error is on.
    pub source_line: String,
    /// For a broken rule of the graph's schema: which, as data-file loads name it
    /// (`negative-amount`).
    pub problem: Option<crate::rules::ProblemKind>,
    /// Further rules the same statement broke, each placed in the statement.
    pub others: Vec<QueryError>,
}

/// The parser's errors are query errors of kind `Syntax`.
pub type ParseError = QueryError;

/// Where an offset of `text` falls: (line, column, the line's text).
fn locate(text: &str, offset: usize) -> (usize, usize, String) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let source_line = text[line_start..].lines().next().unwrap_or("").to_owned();
    (line, column, source_line)
}

impl QueryError {
    /// A writing statement refused because the graph is open for reading only.
    /// A writing statement while the graph is shown as of a date.
    pub fn dated_view(text: &str, date: crate::model::Date) -> QueryError {
        QueryError::at(
            ErrorKind::Semantic,
            ErrorCode::ReadOnly,
            text,
            0,
            format!("the graph is shown as of {date}, a view that cannot be changed"),
            Some(
                "show the whole graph again (:asof off in the shell) before changing it".to_owned(),
            ),
        )
    }

    pub fn read_only(text: &str) -> QueryError {
        QueryError::at(
            ErrorKind::Semantic,
            ErrorCode::ReadOnly,
            text,
            0,
            "the database is open for reading only; open it for writing to change it (not read-only)"
                .to_owned(),
            None,
        )
    }

    pub(crate) fn new(text: &str, offset: usize, message: String, help: Option<String>) -> Self {
        QueryError::at(
            ErrorKind::Syntax,
            ErrorCode::UnexpectedSyntax,
            text,
            offset,
            message,
            help,
        )
    }

    pub(crate) fn at(
        kind: ErrorKind,
        code: ErrorCode,
        text: &str,
        offset: usize,
        message: String,
        help: Option<String>,
    ) -> Self {
        let (line, column, source_line) = locate(text, offset);
        QueryError {
            kind,
            code,
            line,
            column,
            message,
            help,
            source_line,
            problem: None,
            others: Vec::new(),
        }
    }
}

/// The query line with a caret under `column`; a long line is shown as a window around it.
fn caret(f: &mut fmt::Formatter<'_>, source_line: &str, column: usize) -> fmt::Result {
    const WIDTH: usize = 100;
    // The line is shown printable (`model::printable`), and the caret counts what it shows.
    let shown_width = |chars: &[char]| printable_width(&chars.iter().collect::<String>());
    let chars: Vec<char> = source_line.chars().collect();
    let at = column.saturating_sub(1).min(chars.len());
    if chars.len() <= WIDTH {
        writeln!(f, "  {}", printable(source_line))?;
        return write!(f, "  {}^", " ".repeat(shown_width(&chars[..at])));
    }
    let start = at
        .saturating_sub(WIDTH / 2)
        .min(chars.len().saturating_sub(WIDTH));
    let end = (start + WIDTH).min(chars.len());
    let before = if start > 0 { "…" } else { "" };
    let after = if end < chars.len() { "…" } else { "" };
    let window: String = chars[start..end].iter().collect();
    writeln!(f, "  {before}{}{after}", printable(&window))?;
    let lead = shown_width(&chars[start..at.max(start)]);
    write!(f, "  {}^", " ".repeat(lead + before.chars().count()))
}

/// Where a message is: `line 1, column 60` within a statement, or `FILE:1:60` in a file.
fn place(
    f: &mut fmt::Formatter<'_>,
    file: Option<&str>,
    line: usize,
    column: usize,
) -> fmt::Result {
    match file {
        Some(file) => write!(f, "{file}:{line}:{column}"),
        None => write!(f, "line {line}, column {column}"),
    }
}

impl QueryError {
    /// The same error for a statement that starts on line `first_line` of a longer text (a
    /// script read statement by statement), so that its lines are the text's lines.
    #[must_use]
    pub fn starting_at_line(mut self, first_line: usize) -> QueryError {
        self.line += first_line.saturating_sub(1);
        self.others = self
            .others
            .into_iter()
            .map(|other| other.starting_at_line(first_line))
            .collect();
        self
    }

    /// The error as it reads when the statement came from `file`: placed as `FILE:LINE:COLUMN`.
    pub fn in_file<'a>(&'a self, file: &'a str) -> impl fmt::Display + 'a {
        InFile {
            message: self,
            file,
        }
    }
}

impl Placed for QueryError {
    fn write(&self, f: &mut fmt::Formatter<'_>, file: Option<&str>) -> fmt::Result {
        f.write_str(self.kind.heading())?;
        if let Some(problem) = self.problem {
            write!(f, " [{}]", problem.code())?;
        }
        let (at, help) = ((self.line, self.column), self.help.as_deref());
        write_placed(f, file, at, &self.message, &self.source_line, help)?;
        for other in &self.others {
            f.write_str("\n\n")?;
            other.write(f, file)?;
        }
        Ok(())
    }
}

/// A query error or a warning: a message placed in its statement.
trait Placed {
    /// The message placed within its statement (`file` is `None`) or in `file`.
    fn write(&self, f: &mut fmt::Formatter<'_>, file: Option<&str>) -> fmt::Result;
}

/// ` at PLACE: MESSAGE`, then the query line with a caret under the place, then the help:
/// what an error and a warning write after their heading.
fn write_placed(
    f: &mut fmt::Formatter<'_>,
    file: Option<&str>,
    (line, column): (usize, usize),
    message: &str,
    source_line: &str,
    help: Option<&str>,
) -> fmt::Result {
    f.write_str(" at ")?;
    place(f, file, line, column)?;
    writeln!(f, ": {message}")?;
    caret(f, source_line, column)?;
    if let Some(help) = help {
        write!(f, "\n  help: {help}")?;
    }
    Ok(())
}

/// A query error or warning shown with the file its statement came from.
struct InFile<'a, T> {
    message: &'a T,
    file: &'a str,
}

impl<T: Placed> fmt::Display for InFile<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message.write(f, Some(self.file))
    }
}

impl fmt::Display for QueryError {
    /// The first line says what and where (`rule broken [negative-amount] at line 1, column
    /// 60: …`), then the query line with a caret, the help, and any further broken rules.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, None)
    }
}

/// Something legal but probably not meant, such as a label no node carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    pub source_line: String,
}

impl Warning {
    pub(crate) fn new(text: &str, offset: usize, message: String, help: Option<String>) -> Self {
        let (line, column, source_line) = locate(text, offset);
        Warning {
            line,
            column,
            message,
            help,
            source_line,
        }
    }
}

impl Warning {
    /// The same warning for a statement that starts on line `first_line` of a longer text.
    #[must_use]
    pub fn starting_at_line(mut self, first_line: usize) -> Warning {
        self.line += first_line.saturating_sub(1);
        self
    }

    /// The warning as it reads when the statement came from `file`: placed as
    /// `FILE:LINE:COLUMN`.
    pub fn in_file<'a>(&'a self, file: &'a str) -> impl fmt::Display + 'a {
        InFile {
            message: self,
            file,
        }
    }
}

impl Placed for Warning {
    fn write(&self, f: &mut fmt::Formatter<'_>, file: Option<&str>) -> fmt::Result {
        f.write_str("warning")?;
        let (at, help) = ((self.line, self.column), self.help.as_deref());
        write_placed(f, file, at, &self.message, &self.source_line, help)
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, None)
    }
}
