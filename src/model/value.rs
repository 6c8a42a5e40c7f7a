//! Property values: what a node or a relationship can hold under a key.
//!
//! The store is a general property graph, so values are Cypher's property types plus our
//! calendar `Date`. Graph elements (nodes, relationships, paths) are not values here: they
//! belong to query results, not to stored properties.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{Date, Temporal};

/// One property value.
///
/// Serialized in data-file form, each value as its content alone: dates as ISO text,
/// everything else as its natural JSON/TOML type.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Date(Date),
    /// A time, a date time or a duration (openCypher's other temporal types).
    /// Boxed, so that a stored value stays two words.
    Temporal(Box<Temporal>),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
}

impl Value {
    /// Whether two values are the same record value, a whole number the same as the float it
    /// equals: how an import tells two records' values apart when it merges them.
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
            _ => self == other,
        }
    }

    /// The value's type as a user would name it in an error message.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Date(_) => "date",
            Value::Temporal(t) => t.type_name(),
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Integers and floats as a float; anything else is `None`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// A money amount as stored: whole dollars as an integer (so that results show `5000000000`,
    /// not `5000000000.0`), fractions and amounts beyond 2^53 as a float.
    pub fn money(amount: f64) -> Value {
        if amount.fract() == 0.0 && amount.abs() < 9_007_199_254_740_992.0 {
            Value::Int(amount as i64)
        } else {
            Value::Float(amount)
        }
    }

    /// A list of strings, copied, as `aliases` and `sources` are stored.
    pub fn string_list(&self) -> Option<Vec<String>> {
        self.as_str_list()
            .map(|items| items.into_iter().map(str::to_owned).collect())
    }

    /// A list of strings, as `aliases` and `sources` are stored.
    pub fn as_str_list(&self) -> Option<Vec<&str>> {
        match self {
            Value::List(items) => items.iter().map(Value::as_str).collect(),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl fmt::Display for Value {
    /// Cypher literal syntax, so that a printed value reads back as the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 => {
                write!(f, "{x:.1}")
            }
            Value::Float(x) => write!(f, "{x}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Date(d) => write!(f, "{}(\"{d}\")", d.function()),
            Value::Temporal(t) => f.write_str(&t.literal()),
            Value::List(items) => write_list(f, items),
            Value::Map(map) => write_map(f, map.iter()),
        }
    }
}

/// `[a, b]`: the items in Cypher literal syntax, as their `Display` writes them.
pub(crate) fn write_list<T: fmt::Display>(f: &mut impl fmt::Write, items: &[T]) -> fmt::Result {
    f.write_str("[")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    f.write_str("]")
}

/// `{k: v}`: the entries in Cypher literal syntax, keys and values as their `Display` writes
/// them.
pub(crate) fn write_map<K: fmt::Display, V: fmt::Display>(
    f: &mut impl fmt::Write,
    entries: impl Iterator<Item = (K, V)>,
) -> fmt::Result {
    f.write_str("{")?;
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{k}: {v}")?;
    }
    f.write_str("}")
}
