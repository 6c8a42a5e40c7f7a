//! A data file's `[vocabulary]` table: the kinds, ties and properties it adds to the built-in
//! vocabulary, read before any record so that every file's records are checked against every
//! file's definitions.

use super::super::problem::{LineIndex, Location, Problem, ProblemKind};
use super::super::tree::{Entry, Node, NodeKind};
use crate::model::vocabulary::{
    DefinitionError, DefinitionFault, Definitions, IdentifierDef, KindDef, PropertyDef, RelDef,
};

/// The sections of a `[vocabulary]` table.
const SECTIONS: &[&str] = &["kind", "relationship", "property", "identifier"];

/// The definitions of one file, with where each table was written.
pub(crate) struct FileDefinitions<'n> {
    pub definitions: Definitions,
    /// Per section, the table each definition came from.
    tables: Vec<(&'static str, &'n Node)>,
}

/// Reads the `vocabulary` table of a file's root, if it has one. Problems with its form
/// (unknown keys, wrong types) are pushed to `problems`.
pub(crate) fn read<'n>(
    root: &'n Node,
    text: &str,
    lines: &LineIndex,
    problems: &mut Vec<Problem>,
) -> FileDefinitions<'n> {
    let mut read = FileDefinitions {
        definitions: Definitions::default(),
        tables: Vec::new(),
    };
    let NodeKind::Table(entries) = &root.kind else {
        return read;
    };
    let Some(section) = entries.iter().find(|e| e.key == "vocabulary") else {
        return read;
    };
    let report = |problems: &mut Vec<Problem>, span: std::ops::Range<usize>, message, help| {
        problems.push(
            Problem::new(ProblemKind::WrongType, lines.locate(text, span), message).help(help),
        );
    };
    let NodeKind::Table(sections) = &section.value.kind else {
        report(
            problems,
            section.value.span.clone(),
            format!(
                "`vocabulary` should be a table of `kind`, `relationship` and `property` lists, found {}",
                section.value.kind.type_name()
            ),
            None,
        );
        return read;
    };
    for entry in sections {
        let Some(&name) = SECTIONS.iter().find(|s| **s == entry.key) else {
            problems.push(
                Problem::new(
                    ProblemKind::UnknownKey,
                    lines.locate(text, entry.key_span.clone()),
                    format!("unknown key `{}` in the vocabulary", entry.key),
                )
                .help(
                    crate::model::did_you_mean(&crate::model::suggest(
                        &entry.key,
                        SECTIONS.iter().copied(),
                    ))
                    .or_else(|| {
                        Some(
                            "the vocabulary holds `kind`, `relationship` and `property` lists"
                                .to_owned(),
                        )
                    }),
                ),
            );
            continue;
        };
        let NodeKind::Array(items) = &entry.value.kind else {
            report(
                problems,
                entry.value.span.clone(),
                format!(
                    "`vocabulary.{name}` should be a list of tables ([[vocabulary.{name}]] in TOML)"
                ),
                None,
            );
            continue;
        };
        for item in items {
            let json = to_json(item);
            let parsed = match name {
                "kind" => {
                    serde_json::from_value::<KindDef>(json).map(|d| read.definitions.kind.push(d))
                }
                "relationship" => serde_json::from_value::<RelDef>(json)
                    .map(|d| read.definitions.relationship.push(d)),
                "identifier" => serde_json::from_value::<IdentifierDef>(json)
                    .map(|d| read.definitions.identifier.push(d)),
                _ => serde_json::from_value::<PropertyDef>(json)
                    .map(|d| read.definitions.property.push(d)),
            };
            match parsed {
                Ok(()) => read.tables.push((name, item)),
                Err(e) => report(
                    problems,
                    item.span.clone(),
                    format!("this vocabulary {name} cannot be read: {e}"),
                    Some("see docs/data-format.md, \"Extending the vocabulary\"".to_owned()),
                ),
            }
        }
    }
    read
}

impl FileDefinitions<'_> {
    /// Where a refused definition was written: its field, or else its table.
    pub(crate) fn locate(
        &self,
        error: &DefinitionError,
        text: &str,
        lines: &LineIndex,
    ) -> Location {
        let table = self
            .tables
            .iter()
            .filter(|(section, _)| *section == error.section)
            .nth(error.index)
            .map(|(_, node)| *node);
        let Some(table) = table else {
            return lines.locate(text, 0..0);
        };
        let field = match (&table.kind, error.field) {
            (NodeKind::Table(entries), Some(field)) => {
                entries.iter().find(|e: &&Entry| e.key == field)
            }
            _ => None,
        };
        match field {
            Some(entry) => lines.locate(text, entry.value.span.clone()),
            None => lines.locate(text, table.span.start..table.span.start),
        }
    }
}

/// The tree as JSON, for serde to read a definition from.
fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.kind {
        NodeKind::Table(entries) => J::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect(),
        ),
        NodeKind::Array(items) => J::Array(items.iter().map(to_json).collect()),
        NodeKind::Str(s) => J::String(s.clone()),
        NodeKind::Int(i) => J::from(*i),
        NodeKind::Float(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
        NodeKind::Bool(b) => J::Bool(*b),
        NodeKind::Date(d) => J::String(d.to_string()),
        NodeKind::Null | NodeKind::Unsupported(_) => J::Null,
    }
}

/// A refused definition as a problem of the file it was written in.
pub(crate) fn problem(error: &DefinitionError, at: Location) -> Problem {
    let kind = match error.fault {
        DefinitionFault::Duplicate => ProblemKind::DuplicateId,
        DefinitionFault::Undefined => ProblemKind::UnknownValue,
        DefinitionFault::Malformed => ProblemKind::WrongType,
        DefinitionFault::Inconsistent => ProblemKind::RangeOutOfOrder,
    };
    Problem::new(kind, at, error.message.clone()).help(error.help.clone())
}
