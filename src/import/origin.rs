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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Place, RecordProblem};
use crate::datafile::{LoadError, Problem, Record};
use crate::store::DataSet;

/// One record's file and place there.
///
/// Cheap to clone and small, as an import keeps one per record: the file's path is shared,
/// and a CSV row's fields share their file's table of columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<Path>,
    pub place: Place,
    fields: FieldPlaces,
}

/// Where some of a record's fields were read, when not at its place: a problem with one of
/// them is placed there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum FieldPlaces {
    #[default]
    None,
    Listed(BTreeMap<String, Place>),
    /// A CSV row: each field in the column its file's mapping names.
    Row {
        row: usize,
        columns: Arc<BTreeMap<String, String>>,
    },
}

impl Origin {
    pub fn new(file: &Path, place: Place) -> Origin {
        Origin::in_file(Arc::from(file), place)
    }

    /// A record of `file`, whose path is shared with the file's other records.
    pub fn in_file(file: Arc<Path>, place: Place) -> Origin {
        Origin {
            file,
            place,
            fields: FieldPlaces::None,
        }
    }

    /// The record at CSV row `row` of `file`, in the cell of column `column`, whose fields
    /// were read from the columns `columns` names (field to column header).
    pub fn row(
        file: Arc<Path>,
        row: usize,
        column: &str,
        columns: Arc<BTreeMap<String, String>>,
    ) -> Origin {
        Origin {
            file,
            place: Place::Cell {
                row,
                column: column.to_owned(),
            },
            fields: FieldPlaces::Row { row, columns },
        }
    }

    /// Reads `field` of the record at `place`.
    #[must_use]
    pub fn field(mut self, field: impl Into<String>, place: Place) -> Origin {
        let mut listed = match std::mem::take(&mut self.fields) {
            FieldPlaces::None => BTreeMap::new(),
            FieldPlaces::Listed(listed) => listed,
            FieldPlaces::Row { row, columns } => columns
                .iter()
                .map(|(f, column)| {
                    let column = column.clone();
                    (f.clone(), Place::Cell { row, column })
                })
                .collect(),
        };
        listed.insert(field.into(), place);
        self.fields = FieldPlaces::Listed(listed);
        self
    }

    /// Where `field` was read: its own place, or the record's.
    fn place_of(&self, field: Option<&str>) -> Place {
        let own = field.and_then(|f| match &self.fields {
            FieldPlaces::None => None,
            FieldPlaces::Listed(listed) => listed.get(f).cloned(),
            FieldPlaces::Row { row, columns } => columns.get(f).map(|column| Place::Cell {
                row: *row,
                column: column.clone(),
            }),
        });
        own.unwrap_or_else(|| self.place.clone())
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

/// `error`'s problems (from `datafile::load_records` of the merged records), placed at the
/// inputs their records came from. A problem in a record with no origin (one already in the
/// graph) names the record.
pub fn place_problems(error: &LoadError, origins: &Origins) -> Vec<RecordProblem> {
    error
        .problems()
        .iter()
        .map(|problem| place_one(problem, origins))
        .collect()
}

fn place_one(problem: &Problem, origins: &Origins) -> RecordProblem {
    let record = problem.location.record;
    let field = problem.location.field.as_deref();
    if let Some(Record::Relationship(i)) = record
        && problem.kind == crate::rules::ProblemKind::UnknownEntity
        && let Some(reference) = origins
            .references
            .iter()
            .find(|r| r.relationship == i && field.is_none_or(|f| f == r.side.field()))
    {
        return unresolved(reference);
    }
    let origin = match record {
        Some(Record::Entity(i)) => origins.entity(i),
        Some(Record::Relationship(i)) => origins.relationship(i),
        _ => None,
    };
    let field_text = field.map(|f| format!(" (its `{f}`)")).unwrap_or_default();
    let (file, place, message) = match origin {
        Some(origin) => (
            origin.file.to_path_buf(),
            origin.place_of(field),
            format!("{}: {}{field_text}", problem.kind.code(), problem.message),
        ),
        None => (
            PathBuf::from("the merged graph"),
            Place::File,
            format!(
                "{}: {}{}{}",
                problem.kind.code(),
                problem.message,
                record
                    .map(|r| format!(", in {r} of the graph (already in the graph)"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Schema;
    use crate::model::{Entity, Kind, RelType, Relationship};

    #[test]
    fn problems_are_placed_at_their_records_origins() {
        let mut data = DataSet {
            allow_unsourced: true,
            ..DataSet::default()
        };
        data.entity.push(Entity::new(
            "a".to_owned(),
            "A".to_owned(),
            Kind::new("company"),
        ));
        data.relationship
            .push(Relationship::new(RelType::new("invests-in"), "a", "b"));
        data.relationship
            .push(Relationship::new(RelType::new("invests-in"), "a", "c"));
        let origins = Origins {
            entity: vec![None],
            relationship: vec![
                None,
                Some(Origin::new(
                    Path::new("in.csv"),
                    Place::Cell {
                        row: 3,
                        column: "to".to_owned(),
                    },
                )),
            ],
            ..Origins::default()
        };
        let error = crate::datafile::load_records(data, "the merged records", Schema::Alliance)
            .expect_err("unknown entities");
        let placed = place_problems(&error, &origins);
        assert_eq!(placed.len(), 2, "{placed:?}");
        assert_eq!(placed[0].file, PathBuf::from("the merged graph"));
        assert!(
            placed[0].message.contains("relationship 1 of the graph"),
            "{placed:?}"
        );
        assert_eq!(placed[1].file, PathBuf::from("in.csv"));
        assert_eq!(
            placed[1].place,
            Place::Cell {
                row: 3,
                column: "to".to_owned()
            }
        );
        assert!(
            placed[1].message.starts_with("unknown-entity: "),
            "{placed:?}"
        );
    }
}
