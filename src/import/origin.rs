//! Where each imported record came from (its file and its place there: a JSON pointer, a line,
//! a CSV row), kept beside the records through merging, so that a rule the merged records
//! break is reported at the input that said it, not at the records generated from it.
//!
//! It also carries what an importer could not settle alone, for the merge to settle against the
//! graph: relationship ends named by an identifier or a name (`Reference`) rather than by an
//! entity of the import, and entities that only stand in for one named so (`stand_ins`).
//!
//! **Invariant:** an `Origins` is aligned with the data set it describes: its n-th entity
//! origin is that of the data set's n-th entity (`None` for a record already in the graph, or
//! one an importer gave no place), and likewise for relationships; a reference's
//! `relationship` and a stand-in's index are indices into the same lists.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use super::{Place, RecordProblem};
use crate::datafile::{LoadError, Problem};
use crate::store::DataSet;

/// One record's file and place there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub place: Place,
    /// Where some of its fields were read, when not at `place` (a CSV row's cells): a
    /// problem with one of them is placed there.
    pub fields: BTreeMap<String, Place>,
}

impl Origin {
    pub fn new(file: &Path, place: Place) -> Origin {
        Origin {
            file: file.to_owned(),
            place,
            fields: BTreeMap::new(),
        }
    }

    /// Reads `field` of the record at `place`.
    #[must_use]
    pub fn field(mut self, field: impl Into<String>, place: Place) -> Origin {
        self.fields.insert(field.into(), place);
        self
    }

    /// Where `field` was read: its own place, or the record's.
    fn place_of(&self, field: Option<&str>) -> Place {
        field
            .and_then(|f| self.fields.get(f))
            .unwrap_or(&self.place)
            .clone()
    }
}

/// One end of a relationship.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    From,
    To,
}

impl Side {
    /// The relationship field that holds this end.
    pub fn field(self) -> &'static str {
        match self {
            Side::From => "from",
            Side::To => "to",
        }
    }
}

/// What names the entity a relationship ends at, when the input holds no entity for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An identifier: `lei` `5493…`, or the source format's own id kept as one (`ftm` …).
    Identifier { scheme: String, value: String },
    /// A name or alias.
    Name(String),
}

impl Target {
    /// What stands in the relationship's end until the merge settles it: never an entity id,
    /// as it is no slug.
    pub fn marker(&self) -> String {
        match self {
            Target::Identifier { scheme, value } => format!("{scheme}:{value}"),
            Target::Name(name) => format!("name:{name}"),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Identifier { scheme, value } => write!(f, "{scheme} {value}"),
            Target::Name(name) => write!(f, "the name \"{name}\""),
        }
    }
}

/// A relationship end named by `target`, read at `origin`: the merge gives it the id of the
/// entity, imported or already in the graph, that has that identifier or name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The relationship's index in the data set.
    pub relationship: usize,
    pub side: Side,
    pub target: Target,
    pub origin: Origin,
    /// How to make the end an entity when nothing holds it, for the problem's help.
    pub help: Option<String>,
}

/// The origins of a data set's records, aligned with its lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    pub entity: Vec<Option<Origin>>,
    pub relationship: Vec<Option<Origin>>,
    /// Relationship ends named by identifier or name, to settle against the graph. After a
    /// merge: those that nothing held, by the merged relationship's index.
    pub references: Vec<Reference>,
    /// Entities that only stand in for one an input names by identifier (GLEIF's relationship
    /// records name LEIs): merged with an entity that has the identifier, they add nothing but
    /// their identifiers and free properties to it.
    pub stand_ins: BTreeSet<usize>,
}

impl Origins {
    /// No origin for any of `dataset`'s records (a graph already there).
    pub fn none(dataset: &DataSet) -> Origins {
        Origins {
            entity: vec![None; dataset.entity.len()],
            relationship: vec![None; dataset.relationship.len()],
            references: Vec::new(),
            stand_ins: BTreeSet::new(),
        }
    }

    pub(super) fn entity(&self, i: usize) -> Option<Origin> {
        self.entity.get(i).cloned().flatten()
    }

    pub(super) fn relationship(&self, i: usize) -> Option<Origin> {
        self.relationship.get(i).cloned().flatten()
    }
}

impl super::Builder {
    /// Names `side` of relationship `relationship` (an index into the records built) by
    /// `target`, read at `place` in `file`: the merge gives it the id of the entity that has
    /// that identifier or name, imported or already in the graph, and refuses the import at
    /// `place` when none has. `help` says how to make the end an entity instead.
    pub fn refer(
        &mut self,
        relationship: usize,
        side: Side,
        target: Target,
        file: &Path,
        place: Place,
        help: Option<String>,
    ) {
        if let Some(tie) = self.imported.dataset.relationship.get_mut(relationship) {
            let end = match side {
                Side::From => &mut tie.from,
                Side::To => &mut tie.to,
            };
            *end = target.marker();
            self.imported.origins.references.push(Reference {
                relationship,
                side,
                target,
                origin: Origin::new(file, place),
                help,
            });
        }
    }

    /// Adds an entity read at `origin`, where problems with it will be reported.
    pub fn entity_at(&mut self, entity: crate::model::Entity, origin: Origin) {
        let origins = &mut self.imported.origins.entity;
        origins.resize(self.imported.dataset.entity.len(), None);
        origins.push(Some(origin));
        self.entity(entity);
    }

    /// Adds a relationship read at `origin`, where problems with it will be reported.
    pub fn relationship_at(&mut self, relationship: crate::model::Relationship, origin: Origin) {
        let origins = &mut self.imported.origins.relationship;
        origins.resize(self.imported.dataset.relationship.len(), None);
        origins.push(Some(origin));
        self.relationship(relationship);
    }

    /// Adds an entity that only stands in for one an input names by identifier, read at
    /// `origin`: merged with an entity that has one of its identifiers, it adds nothing to it
    /// but its identifiers and free properties.
    pub fn stand_in_at(&mut self, entity: crate::model::Entity, origin: Option<Origin>) {
        let index = self.dataset().entity.len();
        match origin {
            Some(origin) => self.entity_at(entity, origin),
            None => self.entity(entity),
        }
        self.imported.origins.stand_ins.insert(index);
    }
}

/// Which record of a data set written as pretty JSON (`datafile::dataset_text`) each line
/// belongs to: the first line of every element of the `source`, `entity` and `relationship`
/// lists, in order.
struct RecordLines {
    /// (first line, list, index in the list), by line.
    starts: Vec<(usize, &'static str, usize)>,
}

impl RecordLines {
    fn new(text: &str) -> RecordLines {
        let mut starts = Vec::new();
        let mut list: Option<&'static str> = None;
        let mut index = 0;
        for (n, line) in text.lines().enumerate() {
            // The pretty printer indents top-level keys by two spaces and list elements by four.
            if let Some(key) = line.strip_prefix("  \"") {
                list = ["source", "entity", "relationship"]
                    .into_iter()
                    .find(|l| key.starts_with(&format!("{l}\"")));
                index = 0;
            } else if line == "    {"
                && let Some(list) = list
            {
                starts.push((n + 1, list, index));
                index += 1;
            }
        }
        RecordLines { starts }
    }

    fn record_at(&self, line: usize) -> Option<(&'static str, usize)> {
        let i = self.starts.partition_point(|&(start, _, _)| start <= line);
        i.checked_sub(1)
            .map(|i| (self.starts[i].1, self.starts[i].2))
    }
}

/// `error`'s problems, found in `text` (the merged records as `datafile::dataset_text` wrote
/// them), placed at the inputs their records came from. A problem in a record with no origin
/// (one already in the graph) names the record.
pub fn place_problems(
    error: &LoadError,
    text: &str,
    merged: &DataSet,
    origins: &Origins,
) -> Vec<RecordProblem> {
    let lines = RecordLines::new(text);
    let wanted: HashSet<usize> = error.problems().iter().map(|p| p.location.line).collect();
    let text_lines: HashMap<usize, &str> = text
        .lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line))
        .filter(|(n, _)| wanted.contains(n))
        .collect();
    error
        .problems()
        .iter()
        .map(|problem| {
            let field = text_lines
                .get(&problem.location.line)
                .and_then(|line| field_of(line));
            let record = lines.record_at(problem.location.line);
            place_one(problem, record, field, merged, origins)
        })
        .collect()
}

fn place_one(
    problem: &Problem,
    record: Option<(&'static str, usize)>,
    field: Option<&str>,
    merged: &DataSet,
    origins: &Origins,
) -> RecordProblem {
    if let Some(("relationship", i)) = record
        && problem.kind == crate::rules::ProblemKind::UnknownEntity
        && let Some(reference) = origins
            .references
            .iter()
            .find(|r| r.relationship == i && field.is_none_or(|f| f == r.side.field()))
    {
        return unresolved(reference);
    }
    let origin = match record {
        Some(("entity", i)) => origins.entity(i),
        Some(("relationship", i)) => origins.relationship(i),
        _ => None,
    };
    let what = match record {
        Some(("entity", i)) => merged.entity.get(i).map(|e| format!("entity \"{}\"", e.id)),
        Some(("relationship", i)) => merged.relationship.get(i).map(|r| {
            format!(
                "the {} relationship from \"{}\" to \"{}\"",
                r.rel_type, r.from, r.to
            )
        }),
        Some(("source", i)) => merged.source.get(i).map(|s| format!("source \"{}\"", s.id)),
        _ => None,
    };
    let field_text = field.map(|f| format!(" (its `{f}`)")).unwrap_or_default();
    let (file, place, message) = match origin {
        Some(origin) => (
            origin.file.clone(),
            origin.place_of(field),
            format!("{}: {}{field_text}", problem.kind.code(), problem.message,),
        ),
        None => (
            PathBuf::from("the merged graph"),
            Place::File,
            format!(
                "{}: {}{}{}",
                problem.kind.code(),
                problem.message,
                what.map(|w| format!(", in {w} (already in the graph)"))
                    .unwrap_or_default(),
                field_text
            ),
        ),
    };
    let mut placed = RecordProblem::new(&file, place, message);
    placed.help.clone_from(&problem.help);
    placed
}

/// The problem of an end that neither the import nor the graph holds.
pub(super) fn unresolved(reference: &Reference) -> RecordProblem {
    RecordProblem::new(
        &reference.origin.file,
        reference.origin.place.clone(),
        format!(
            "no entity has {} in the import or the graph",
            reference.target
        ),
    )
    .help(reference.help.clone().unwrap_or_else(|| {
        "import the entity first (or in the same run), or give the end's kind to make one"
            .to_owned()
    }))
}

/// The key of a pretty-printed JSON line `"key": value`.
fn field_of(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('"')?;
    let (key, after) = rest.split_once('"')?;
    after.starts_with(':').then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_mapped_to_their_records() {
        let mut data = DataSet::default();
        data.entity.push(crate::model::Entity::new(
            "a".to_owned(),
            "A".to_owned(),
            crate::model::Kind::new("company"),
        ));
        data.entity.push(crate::model::Entity::new(
            "b".to_owned(),
            "B".to_owned(),
            crate::model::Kind::new("company"),
        ));
        let text = crate::datafile::dataset_text(&data, crate::datafile::Format::Json).unwrap();
        let lines = RecordLines::new(&text);
        let b_line = text.lines().position(|l| l.contains("\"B\"")).unwrap() + 1;
        assert_eq!(lines.record_at(b_line), Some(("entity", 1)));
        assert_eq!(lines.record_at(1), None);
        assert_eq!(field_of("      \"name\": \"B\","), Some("name"));
        assert_eq!(field_of("      \"B\""), None);
    }
}
