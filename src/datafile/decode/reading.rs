//! Reading one table's fields: placing and reporting problems, duplicate and unknown keys,
//! and each field type (text, numbers, dates, lists, closed words, extra properties), every
//! mistake reported with its place and the record read on where it can be.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::{Decoder, Fields};
use crate::datafile::problem::{Location, Problem, ProblemKind};
use crate::datafile::tree::{Entry, Node, NodeKind};
use crate::model::{Date, Value};
use crate::rules::{self, Broken};

impl Decoder<'_> {
    pub(super) fn locate(&self, span: Range<usize>) -> Location {
        self.lines.locate(self.text, span)
    }

    pub(super) fn report(
        &mut self,
        kind: ProblemKind,
        span: Range<usize>,
        message: String,
        help: Option<String>,
    ) {
        let location = self.locate(span);
        self.problems
            .push(Problem::new(kind, location, message).help(help));
    }

    /// Reports a broken rule at `span`.
    pub(super) fn broken(&mut self, broken: Broken, span: Range<usize>) {
        self.report(broken.kind, span, broken.message, broken.help);
    }

    pub(super) fn check_duplicate_keys(&mut self, entries: &[Entry]) {
        // TOML forbids these already; JSON objects may repeat a key, and the second would
        // silently win.
        let mut first: HashMap<&str, Range<usize>> = HashMap::new();
        for entry in entries {
            if let Some(earlier) = first.get(entry.key.as_str()) {
                let at = self.locate(earlier.clone());
                self.report(
                    ProblemKind::Syntax,
                    entry.key_span.clone(),
                    format!("the key `{}` is written twice in one table", entry.key),
                    Some(format!("keep one of the two; the first is at {at}")),
                );
            } else {
                first.insert(&entry.key, entry.key_span.clone());
            }
        }
    }

    pub(super) fn unknown_key(&mut self, entry: &Entry, known: &[&str], place: &str) {
        let broken = rules::unknown_key(&entry.key, known, place);
        self.broken(broken, entry.key_span.clone());
    }

    /// The tables of a top-level list such as `[[entity]]`, each as fields none of which is read yet.
    pub(super) fn tables<'n>(&mut self, entry: &'n Entry) -> Vec<Fields<'n>> {
        let NodeKind::Array(items) = &entry.value.kind else {
            self.report(
                ProblemKind::WrongType,
                entry.value.span.clone(),
                format!(
                    "`{}` should be a list of tables ([[{}]] in TOML), found {}",
                    entry.key,
                    entry.key,
                    entry.value.kind.type_name()
                ),
                None,
            );
            return Vec::new();
        };
        let mut tables = Vec::new();
        for item in items {
            match &item.kind {
                NodeKind::Table(entries) => {
                    self.check_duplicate_keys(entries);
                    tables.push(Fields::new(entries, item.span.clone()));
                }
                other => self.report(
                    ProblemKind::WrongType,
                    item.span.clone(),
                    format!(
                        "each `{}` should be a table, found {}",
                        entry.key,
                        other.type_name()
                    ),
                    None,
                ),
            }
        }
        tables
    }

    pub(super) fn take<'n>(&mut self, f: &mut Fields<'n>, key: &str) -> Option<&'n Node> {
        let i = f.entries.iter().position(|e| e.key == key)?;
        f.used[i] = true;
        let node = &f.entries[i].value;
        f.seen
            .insert(key.to_owned(), self.locate(node.span.clone()));
        Some(node)
    }

    pub(super) fn wrong_type(&mut self, key: &str, node: &Node, expected: &str) {
        self.broken(
            rules::wrong_type(key, expected, node.kind.type_name()),
            node.span.clone(),
        );
    }

    pub(super) fn missing(&mut self, f: &Fields<'_>, key: &str, what: &str) {
        self.broken(rules::missing(key, what), f.span.start..f.span.start);
    }

    pub(super) fn text(&mut self, f: &mut Fields<'_>, key: &str) -> Option<String> {
        let node = self.take(f, key)?;
        match &node.kind {
            NodeKind::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(key, node, "text");
                None
            }
        }
    }

    /// What `read` makes of the field `key`, which a `what` must have: when the table has no
    /// such field, that is reported after anything `read` reported.
    pub(super) fn required<'n, T>(
        &mut self,
        f: &mut Fields<'n>,
        key: &str,
        what: &str,
        read: impl FnOnce(&mut Self, &mut Fields<'n>) -> Option<T>,
    ) -> Option<T> {
        let present = f.entries.iter().any(|e| e.key == key);
        let value = read(self, f);
        if !present {
            self.missing(f, key, what);
        }
        value
    }

    pub(super) fn required_text(
        &mut self,
        f: &mut Fields<'_>,
        key: &str,
        what: &str,
    ) -> Option<String> {
        let value = self.required(f, key, what, |me, f| me.text(f, key))?;
        if value.trim().is_empty() {
            let node = self.take(f, key).expect("present");
            self.broken(rules::empty(key), node.span.clone());
            return None;
        }
        Some(value)
    }

    pub(super) fn integer(&mut self, f: &mut Fields<'_>, key: &str) -> Option<(i64, Range<usize>)> {
        let node = self.take(f, key)?;
        match node.kind {
            NodeKind::Int(i) => Some((i, node.span.clone())),
            _ => {
                self.wrong_type(key, node, "an integer");
                None
            }
        }
    }

    /// The date a node holds: a TOML date or a date written as text. `Err(true)` once a
    /// malformed date has been reported; `Err(false)` when the node holds no date at all.
    pub(super) fn date_value(&mut self, key: &str, node: &Node) -> Result<Date, bool> {
        match &node.kind {
            NodeKind::Date(d) => Ok(*d),
            NodeKind::Str(s) => s.parse::<Date>().map_err(|e| {
                self.report(
                    ProblemKind::BadDate,
                    node.span.clone(),
                    format!("`{key}`: {e}"),
                    None,
                );
                true
            }),
            _ => Err(false),
        }
    }

    pub(super) fn date(&mut self, f: &mut Fields<'_>, key: &str) -> Option<(Date, Range<usize>)> {
        let node = self.take(f, key)?;
        match self.date_value(key, node) {
            Ok(d) => Some((d, node.span.clone())),
            Err(true) => None,
            Err(false) => {
                self.wrong_type(key, node, rules::DATE);
                None
            }
        }
    }

    pub(super) fn texts(&mut self, f: &mut Fields<'_>, key: &str) -> Vec<String> {
        let Some(node) = self.take(f, key) else {
            return Vec::new();
        };
        let NodeKind::Array(items) = &node.kind else {
            self.wrong_type(key, node, rules::TEXT_LIST);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match &item.kind {
                NodeKind::Str(s) => {
                    f.seen
                        .insert(format!("{key}.{i}"), self.locate(item.span.clone()));
                    out.push(s.clone());
                }
                _ => self.wrong_type(&format!("{key}[{i}]"), item, "text"),
            }
        }
        out
    }

    /// A closed word the field `key` holds, read by `parse` (a rule that names the nearest
    /// spelling when it is none).
    pub(super) fn checked_word<T>(
        &mut self,
        f: &mut Fields<'_>,
        key: &str,
        parse: impl Fn(&str) -> Result<T, Broken>,
    ) -> Option<T> {
        let node = self.take(f, key)?;
        let NodeKind::Str(text) = &node.kind else {
            let expected = parse("")
                .err()
                .and_then(|b| b.help)
                .and_then(|h| h.strip_prefix("write ").map(str::to_owned))
                .unwrap_or_else(|| "text".to_owned());
            self.wrong_type(key, node, &expected);
            return None;
        };
        match parse(text) {
            Ok(value) => Some(value),
            Err(broken) => {
                self.broken(broken, node.span.clone());
                None
            }
        }
    }

    /// The `extra` table of free properties; `model` says which keys are the model's own.
    pub(super) fn extra(
        &mut self,
        f: &mut Fields<'_>,
        model: impl Fn(&str) -> Option<Broken>,
    ) -> BTreeMap<String, Value> {
        let Some(node) = self.take(f, "extra") else {
            return BTreeMap::new();
        };
        let NodeKind::Table(entries) = &node.kind else {
            self.wrong_type("extra", node, "a table of free properties");
            return BTreeMap::new();
        };
        let mut out = BTreeMap::new();
        for entry in entries {
            if let Some(broken) = model(&entry.key) {
                self.broken(broken, entry.key_span.clone());
                continue;
            }
            if let Some(value) = self.value(&entry.value) {
                f.seen.insert(
                    format!("extra.{}", entry.key),
                    self.locate(entry.value.span.clone()),
                );
                out.insert(entry.key.clone(), value);
            }
        }
        out
    }

    pub(super) fn value(&mut self, node: &Node) -> Option<Value> {
        Some(match &node.kind {
            NodeKind::Str(s) => Value::String(s.clone()),
            NodeKind::Int(i) => Value::Int(*i),
            NodeKind::Float(x) => Value::Float(*x),
            NodeKind::Bool(b) => Value::Bool(*b),
            // Free properties keep dates as text: that is how they are written back, so a
            // save and a load give the same value.
            NodeKind::Date(d) => Value::String(d.to_string()),
            NodeKind::Null => Value::Null,
            NodeKind::Array(items) => {
                Value::List(items.iter().filter_map(|i| self.value(i)).collect())
            }
            // A temporal value is written as a one-entry table naming its kind.
            NodeKind::Table(entries)
                if let [entry] = entries.as_slice()
                    && let NodeKind::Str(text) = &entry.value.kind
                    && let Ok(t) = crate::model::Temporal::parse(&entry.key, text) =>
            {
                Value::Temporal(Box::new(t))
            }
            NodeKind::Table(entries) => Value::Map(
                entries
                    .iter()
                    .filter_map(|e| Some((e.key.clone(), self.value(&e.value)?)))
                    .collect(),
            ),
            NodeKind::Unsupported(what) => {
                self.report(
                    ProblemKind::WrongType,
                    node.span.clone(),
                    format!("a property cannot hold {what}"),
                    None,
                );
                return None;
            }
        })
    }
}
