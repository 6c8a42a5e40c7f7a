//! A spanned document tree shared by the TOML and JSON readers.
//!
//! Validation needs to know where every key and value sits, and needs to keep going after the
//! first problem, which serde's derived deserializers cannot do. Both formats are parsed into
//! this one tree first, so the decoder is written once.

use std::ops::Range;

use crate::model::Date;

/// A value with the byte range it was read from.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub span: Range<usize>,
    pub kind: NodeKind,
}

#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    Table(Vec<Entry>),
    Array(Vec<Node>),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A TOML local date such as `2025-08-22` written without quotes.
    Date(Date),
    Null,
    /// A value the data model has no use for, such as a TOML time; the text names it.
    Unsupported(&'static str),
}

/// One key of a table.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

impl NodeKind {
    /// The type as a user would name it in "expected X, found Y".
    pub fn type_name(&self) -> &'static str {
        match self {
            NodeKind::Table(_) => "a table",
            NodeKind::Array(_) => "a list",
            NodeKind::Str(_) => "text",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a float",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Date(_) => "a date",
            NodeKind::Null => "null",
            NodeKind::Unsupported(what) => what,
        }
    }
}

/// A syntax error: where, and what the parser said.
pub(crate) struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
}

pub(crate) fn parse_toml(text: &str) -> Result<Node, Vec<SyntaxError>> {
    let (doc, errors) = toml::de::DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(errors
            .into_iter()
            .map(|e| SyntaxError {
                span: e.span().unwrap_or(0..0),
                message: first_line(e.message()),
            })
            .collect());
    }
    let span = doc.span();
    Ok(Node {
        span,
        kind: NodeKind::Table(toml_table(doc.into_inner())),
    })
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_owned()
}

fn toml_table(table: toml::de::DeTable<'_>) -> Vec<Entry> {
    table
        .into_iter()
        .map(|(key, value)| Entry {
            key_span: key.span(),
            key: key.into_inner().into_owned(),
            value: toml_value(value),
        })
        .collect()
}

fn toml_value(value: toml::Spanned<toml::de::DeValue<'_>>) -> Node {
    use toml::de::DeValue;
    let span = value.span();
    let kind = match value.into_inner() {
        DeValue::String(s) => NodeKind::Str(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => NodeKind::Int(n),
            Err(_) => NodeKind::Unsupported("an integer too large for 64 bits"),
        },
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(x) => NodeKind::Float(x),
            Err(_) => NodeKind::Unsupported("a float that cannot be read"),
        },
        DeValue::Boolean(b) => NodeKind::Bool(b),
        DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => match Date::day(i32::from(d.year), d.month, d.day) {
                Ok(date) => NodeKind::Date(date),
                Err(_) => NodeKind::Unsupported("an impossible date"),
            },
            _ => NodeKind::Unsupported("a date with a time"),
        },
        DeValue::Array(items) => NodeKind::Array(items.into_iter().map(toml_value).collect()),
        DeValue::Table(table) => NodeKind::Table(toml_table(table)),
    };
    Node { span, kind }
}

pub(crate) fn parse_json(text: &str) -> Result<Node, Vec<SyntaxError>> {
    use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
    // Plain JSON only: programs write this format, and leniency would hide their bugs.
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
    };
    let parsed = parse_to_ast(text, &CollectOptions::default(), &strict).map_err(|e| {
        vec![SyntaxError {
            span: e.range().start..e.range().end,
            message: e.kind().to_string(),
        }]
    })?;
    match parsed.value {
        Some(value) => Ok(json_value(value)),
        None => Err(vec![SyntaxError {
            span: 0..0,
            message: "the file holds no JSON value".to_owned(),
        }]),
    }
}

fn json_value(value: jsonc_parser::ast::Value<'_>) -> Node {
    use jsonc_parser::ast::Value;
    let (span, kind) = match value {
        Value::StringLit(s) => (s.range, NodeKind::Str(s.value.into_owned())),
        Value::NumberLit(n) => {
            let is_integer = !n.value.contains(['.', 'e', 'E']);
            let kind = match (is_integer, n.value.parse::<i64>(), n.value.parse::<f64>()) {
                (true, Ok(i), _) => NodeKind::Int(i),
                (_, _, Ok(x)) => NodeKind::Float(x),
                _ => NodeKind::Unsupported("a number that cannot be read"),
            };
            (n.range, kind)
        }
        Value::BooleanLit(b) => (b.range, NodeKind::Bool(b.value)),
        Value::NullKeyword(n) => (n.range, NodeKind::Null),
        Value::Array(a) => (
            a.range,
            NodeKind::Array(a.elements.into_iter().map(json_value).collect()),
        ),
        Value::Object(o) => {
            let entries = o
                .properties
                .into_iter()
                .map(|p| {
                    let key_range = match &p.name {
                        jsonc_parser::ast::ObjectPropName::String(s) => s.range,
                        jsonc_parser::ast::ObjectPropName::Word(w) => w.range,
                    };
                    Entry {
                        key: p.name.into_string(),
                        key_span: key_range.start..key_range.end,
                        value: json_value(p.value),
                    }
                })
                .collect();
            (o.range, NodeKind::Table(entries))
        }
    };
    Node {
        span: span.start..span.end,
        kind,
    }
}
