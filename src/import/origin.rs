//! Where each imported record came from (its file and its place there: a JSON pointer, a line,
//! a CSV row), kept beside the records through merging, so that a rule the merged records
//! break is reported at the input that said it, not at the records generated from it.
//!
//! **Invariant:** an `Origins` is aligned with the data set it describes: its n-th entity
//! origin is that of the data set's n-th entity (`None` for a record already in the graph, or
//! one an importer gave no place), and likewise for relationships.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::{Place, RecordProblem};
use crate::datafile::{LoadError, Problem};
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
    let field = field.map(|f| format!(" (its `{f}`)")).unwrap_or_default();
    let (file, place, message) = match origin {
        Some(origin) => (
            origin.file,
            origin.place,
            format!("{}: {}{field}", problem.kind.code(), problem.message,),
        ),
        None => (
            PathBuf::from("the merged graph"),
            Place::File,
            format!(
                "{}: {}{}{field}",
                problem.kind.code(),
                problem.message,
                what.map(|w| format!(", in {w} (already in the graph)"))
                    .unwrap_or_default()
            ),
        ),
    };
    let mut placed = RecordProblem::new(&file, place, message);
    placed.help.clone_from(&problem.help);
    placed
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
