//! What the import tests build on: a small base graph and an import's outcome as text.

#![allow(dead_code)]

use std::path::Path;

use alliances::datafile::{self, Format};
use alliances::import::ImportOptions;
use alliances::model::Schema;
use alliances::session::{ImportRequest, Origin, Session};

/// A session on the graph of the TOML `base`, with one tie from a1 to a0 (citing `s1`) when
/// `tied`.
pub fn session(base: &str, tied: bool) -> Session {
    let mut text = base.to_owned();
    if tied {
        text.push_str(
            "\n[[relationship]]\ntype = \"invests-in\"\nfrom = \"a1\"\nto = \"a0\"\nsources = [\"s1\"]\n",
        );
    }
    let graph = datafile::load_texts(
        &[datafile::TextInput {
            name: "base.toml",
            text: &text,
            format: Format::Toml,
        }],
        Schema::Alliance,
    )
    .unwrap();
    Session::new(graph, Origin::Files(Vec::new()), None)
}

/// What a `csv` import of `path` with the mapping `map` did: the report and the graph's
/// records, or the refusal; and whether the bulk reader did it.
pub fn outcome(
    session: &mut Session,
    path: &Path,
    map: &[(String, String)],
    batch_rows: Option<usize>,
) -> (String, bool) {
    let request = ImportRequest {
        format: "csv".to_owned(),
        paths: vec![path.to_owned()],
        options: ImportOptions {
            mapping: map.to_vec(),
            mapping_file: None,
            batch_rows,
        },
        accept_losses: true,
        check_only: false,
    };
    match session.import(&request) {
        Ok(report) => {
            let records = session.graph.to_dataset().unwrap();
            let text = format!(
                "{report}\n{}",
                datafile::dataset_text(&records, Format::Json).unwrap()
            );
            (text, report.in_bulk)
        }
        Err(refused) => (format!("refused: {refused}\n{refused:?}"), false),
    }
}

/// A mapping naming each field's column by the field's own name.
pub fn same_names(fields: &[&str]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|f| ((*f).to_owned(), (*f).to_owned()))
        .collect()
}
