//! Where each imported record came from (its file and its place there: a JSON pointer, a line,
//! a CSV row), kept beside the records through merging, so that a rule the merged records
//! break is reported at the input that said it, not at the records generated from it.
//!
//! **Invariant:** an `Origins` is aligned with the data set it describes: its n-th entity
//! origin is that of the data set's n-th entity (`None` for a record already in the graph, or
//! one an importer gave no place), and likewise for relationships.

use std::path::{Path, PathBuf};

use super::{Place, RecordProblem};
use crate::datafile::{LoadError, Problem, Record};
use crate::store::DataSet;

/// One record's file and place there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub place: Place,
}

impl Origin {
    pub fn new(file: &Path, place: Place) -> Origin {
        Origin {
            file: file.to_owned(),
            place,
        }
    }
}

/// The origins of a data set's records, aligned with its lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    pub entity: Vec<Option<Origin>>,
    pub relationship: Vec<Option<Origin>>,
}

impl Origins {
    /// No origin for any of `dataset`'s records (a graph already there).
    pub fn none(dataset: &DataSet) -> Origins {
        Origins {
            entity: vec![None; dataset.entity.len()],
            relationship: vec![None; dataset.relationship.len()],
        }
    }

    pub(super) fn entity(&self, i: usize) -> Option<Origin> {
        self.entity.get(i).cloned().flatten()
    }

    pub(super) fn relationship(&self, i: usize) -> Option<Origin> {
        self.relationship.get(i).cloned().flatten()
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
    let origin = match record {
        Some(Record::Entity(i)) => origins.entity(i),
        Some(Record::Relationship(i)) => origins.relationship(i),
        _ => None,
    };
    let field = problem
        .location
        .field
        .as_ref()
        .map(|f| format!(" (its `{f}`)"))
        .unwrap_or_default();
    let (file, place, message) = match origin {
        Some(origin) => (
            origin.file,
            origin.place,
            format!("{}: {}{field}", problem.kind.code(), problem.message),
        ),
        None => (
            PathBuf::from("the merged graph"),
            Place::File,
            format!(
                "{}: {}{}{field}",
                problem.kind.code(),
                problem.message,
                record
                    .map(|r| format!(", in {r} of the graph (already in the graph)"))
                    .unwrap_or_default()
            ),
        ),
    };
    let mut placed = RecordProblem::new(&file, place, message);
    placed.help.clone_from(&problem.help);
    placed
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
