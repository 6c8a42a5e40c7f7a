//! `LOAD CSV`: reads a local file record by record and pushes one row per record, a map keyed
//! by the header (`WITH HEADERS`) or a list of fields, each a string, an empty field null.
//!
//! The file is read as the rows go, never whole: a `LIMIT` downstream stops the reading, and
//! each record is checked against the statement's memory budget and its stop flag.
//!
//! **Invariant:** only local files are read; any other URL is refused with a message saying
//! so, before anything is opened.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::{Flow, Row, Sink};
use crate::query::error::{ErrorCode, ErrorKind, QueryError};
use crate::query::eval::{Context, describe};
use crate::query::plan::LoadCsvPlan;
use crate::query::value::QueryValue;

/// Reads the file `plan` names and calls `sink` with `row` holding each record in turn.
pub(super) fn run(
    cx: &Context<'_>,
    plan: &LoadCsvPlan,
    row: &mut Row,
    sink: Sink<'_>,
) -> Result<Flow, QueryError> {
    let url = match cx.eval(&plan.url, row, &[])? {
        QueryValue::String(s) => s,
        other => {
            return Err(cx.type_error(
                &plan.url.span,
                format!(
                    "LOAD CSV reads from a file URL or path given as text, not {}",
                    describe(cx.graph, &other)
                ),
            ));
        }
    };
    let failed = |message: String, help: String| {
        QueryError::at(
            ErrorKind::Resource,
            ErrorCode::ExternalResourceFailed,
            cx.text,
            plan.url.span.start,
            message,
            Some(help),
        )
    };
    let path = local_path(&url).map_err(|(m, h)| failed(m, h))?;
    let file = open(&url, &path).map_err(|(m, h)| failed(m, h))?;
    let shown = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
    let shown = shown.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(plan.delimiter)
        .from_reader(QuoteWatch::new(
            BufReader::with_capacity(1 << 16, file),
            plan.delimiter,
        ));
    let mut record = csv::ByteRecord::new();
    let mut header: Option<Vec<String>> = None;
    let malformed = |line: u64, message: String, help: &str| {
        QueryError::at(
            ErrorKind::Resource,
            ErrorCode::InvalidCsvRecord,
            cx.text,
            plan.at,
            format!("line {line} of {}: {message}", path.display()),
            Some(help.to_owned()),
        )
    };
    loop {
        cx.check_interrupt()?;
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(Flow::Continue),
            Ok(true) => {}
            Err(e) => {
                if let Some(open) = unclosed_quote(&e) {
                    return Err(malformed(
                        open.line,
                        "a quoted field begins on this line and is never closed (the rest of the file would be read as that one field)".to_owned(),
                        "close the quote; a quote inside a quoted field is written twice (\"\")",
                    ));
                }
                let line = e.position().map_or(line, |p| p.line());
                return Err(malformed(
                    line,
                    format!("cannot be read: {e}"),
                    "check the file is CSV text",
                ));
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        cx.check_fits(record.as_slice().len() * 2, plan.at)?;
        let mut fields = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            let field = if line == 1 && i == 0 {
                field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
            } else {
                field
            };
            match std::str::from_utf8(field) {
                Ok(text) => fields.push(text),
                Err(_) => {
                    return Err(malformed(
                        line,
                        format!("field {} is not UTF-8 text", i + 1),
                        "save the file as UTF-8",
                    ));
                }
            }
        }
        let value = |text: &str| {
            if text.is_empty() {
                QueryValue::Null
            } else {
                QueryValue::String(text.to_owned())
            }
        };
        row[plan.slot] = if plan.headers {
            let Some(names) = &header else {
                header = Some(fields.iter().map(|f| (*f).to_owned()).collect());
                continue;
            };
            if fields.len() != names.len() {
                return Err(malformed(
                    line,
                    format!(
                        "the record has {} field{} where the header names {}",
                        fields.len(),
                        if fields.len() == 1 { "" } else { "s" },
                        names.len()
                    ),
                    "give every record as many fields as the header (an empty field for a missing value), and quote fields that hold the field terminator",
                ));
            }
            QueryValue::Map(
                names
                    .iter()
                    .zip(&fields)
                    .map(|(k, v)| (k.clone(), value(v)))
                    .collect::<BTreeMap<_, _>>(),
            )
        } else {
            QueryValue::List(fields.iter().map(|f| value(f)).collect())
        };
        row[plan.line_slot] = QueryValue::Int(i64::try_from(line).unwrap_or(i64::MAX));
        row[plan.file_slot] = QueryValue::String(shown.clone());
        if sink(row)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
}

/// The csv reader takes a quote opened and never closed as a field running to the end of the
/// file. This watches the bytes on their way to it, following the same quoting rules (a field
/// that starts with `"` is quoted, `""` inside it is a quote, anything after its closing quote
/// is kept as written), and fails the read at the end of the file when a quoted field is still
/// open, naming the line where it began.
struct QuoteWatch<R> {
    inner: R,
    delimiter: u8,
    state: QuoteState,
    /// The line being read, from 1, counting line feeds as the csv reader does.
    line: u64,
    /// The line where the quoted field being read began.
    opened: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    /// At the start of a field.
    FieldStart,
    /// In a field that did not start with a quote, or after a quoted part's closing quote.
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// Just after a quote in a quoted field: its end, or the first of two.
    QuoteInQuoted,
}

/// The error `QuoteWatch` ends a read with.
#[derive(Debug)]
struct UnclosedQuote {
    line: u64,
}

impl std::fmt::Display for UnclosedQuote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the quoted field begun on line {} is never closed",
            self.line
        )
    }
}

impl std::error::Error for UnclosedQuote {}

impl<R: Read> QuoteWatch<R> {
    fn new(inner: R, delimiter: u8) -> Self {
        QuoteWatch {
            inner,
            delimiter,
            state: QuoteState::FieldStart,
            line: 1,
            opened: 0,
        }
    }

    fn watch(&mut self, bytes: &[u8]) {
        use QuoteState::*;
        for &byte in bytes {
            let ends_field = byte == self.delimiter || byte == b'\n' || byte == b'\r';
            self.state = match (self.state, byte) {
                (FieldStart, b'"') => {
                    self.opened = self.line;
                    Quoted
                }
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (FieldStart | Unquoted | QuoteInQuoted, _) if ends_field => FieldStart,
                (FieldStart | Unquoted | QuoteInQuoted, _) => Unquoted,
            };
            if byte == b'\n' {
                self.line += 1;
            }
        }
    }
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() && self.state == QuoteState::Quoted {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                UnclosedQuote { line: self.opened },
            ));
        }
        self.watch(&buf[..n]);
        Ok(n)
    }
}

/// The unclosed quote a read failed on, if that is why it failed.
fn unclosed_quote(error: &csv::Error) -> Option<&UnclosedQuote> {
    match error.kind() {
        csv::ErrorKind::Io(e) => e.get_ref()?.downcast_ref::<UnclosedQuote>(),
        _ => None,
    }
}

/// The local file a `LOAD CSV` URL names: a `file:` URL (`file:///abs/path`,
/// `file://localhost/abs/path`, percent escapes decoded) or a plain path, relative to the
/// working directory. Anything else is refused, with (message, help).
pub(crate) fn local_path(url: &str) -> Result<PathBuf, (String, String)> {
    let scheme = url.split_once(':').map(|(s, _)| s).filter(|s| {
        s.len() > 1
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let Some(scheme) = scheme else {
        return Ok(PathBuf::from(url));
    };
    if !scheme.eq_ignore_ascii_case("file") {
        return Err((
            format!("`{url}` is not a local file: LOAD CSV reads files on this machine only"),
            "alliances does not fetch from the network: download the file, then LOAD CSV FROM 'file:///its/path' or from a path relative to the working directory".to_owned(),
        ));
    }
    let rest = &url[scheme.len() + 1..];
    let path = match rest.strip_prefix("//") {
        Some(after) => match after.find('/') {
            Some(0) => after,
            Some(i) if after[..i].eq_ignore_ascii_case("localhost") => &after[i..],
            _ => {
                return Err((
                    format!("`{url}` names a file on another machine"),
                    "LOAD CSV reads local files only: write file:///path/to/file.csv (three slashes) or a plain path".to_owned(),
                ));
            }
        },
        None => rest,
    };
    percent_decode(path).map(PathBuf::from).ok_or_else(|| {
        (
            format!("`{url}` has a malformed percent escape"),
            "write %20 for a space, or give the plain path instead".to_owned(),
        )
    })
}

/// `%20` to a space and so on; `None` for an escape that is not two hex digits or bytes that
/// are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Opens the file, or says (message, help) why not in words that name the path.
fn open(url: &str, path: &Path) -> Result<File, (String, String)> {
    if path.is_dir() {
        return Err((
            format!("`{}` is a folder, not a CSV file", path.display()),
            "name one file of it".to_owned(),
        ));
    }
    File::open(path).map_err(|e| {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => format!("there is no file `{}`", path.display()),
            _ => format!("`{}`: {}", path.display(), io_reason(&e)),
        };
        let help = if e.kind() != std::io::ErrorKind::NotFound {
            "check the file's permissions".to_owned()
        } else if let Some(relative) = path
            .strip_prefix("/")
            .ok()
            .filter(|r| url.contains("://") && r.exists())
        {
            format!(
                "a file:/// URL is an absolute path (Neo4j reads it from its import folder); for the file in the working directory write '{}'",
                relative.display()
            )
        } else {
            let here = std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|_| "the working directory".to_owned());
            format!(
                "check the path: file:///path/to/file.csv is absolute, a plain path is read from {here}"
            )
        };
        (message, help)
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}
