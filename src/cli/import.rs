//! `alliances import`: other people's files merged into a graph, written to a data file or a
//! database, or only checked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{DataArgs, flags};
use crate::datafile::{self, Format, TextInput};
use crate::import::{FORMATS, ImportOptions};
use crate::session::{ImportRefused, ImportRequest, Origin, Saved, Session, SessionError};
use crate::store::DataSet;

/// `FIELD=COLUMN`.
pub(super) fn parse_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, column)) if !field.is_empty() && !column.is_empty() => {
            Ok((field.to_owned(), column.to_owned()))
        }
        _ => Err(format!(
            "\"{text}\" is not FIELD=COLUMN; write for example --map name=company_name"
        )),
    }
}

/// Runs the import; 0 when it was done or checked, 1 when the input was wrong or had losses
/// not accepted.
pub(super) fn import(
    format: &str,
    paths: &[PathBuf],
    output: Option<&Path>,
    data: &DataArgs,
    accept_losses: bool,
    options: ImportOptions,
) -> ExitCode {
    if format == "list" {
        for f in FORMATS {
            outln!("{:<8} {}", f.name, f.describes);
        }
        return ExitCode::SUCCESS;
    }
    if paths.is_empty() {
        errln!(
            "error: give the files or folders to import, for example: alliances import {format} statements.json"
        );
        return ExitCode::from(2);
    }
    let Some(mut session) = open(data) else {
        return ExitCode::FAILURE;
    };
    let into_db = session.db.is_some();
    let request = ImportRequest {
        format: format.to_owned(),
        paths: paths.to_vec(),
        options,
        accept_losses,
        check_only: output.is_none() && !into_db,
    };
    let report = match session.import(&request) {
        Ok(report) => report,
        Err(ImportRefused::Losses(report)) => {
            out!("{report}");
            errln!(
                "error: {} had no home in the model, so nothing was written; give --accept-losses to import without them",
                counted(report.losses.total())
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            errln!("error: {}", flags(&e));
            return ExitCode::FAILURE;
        }
    };
    out!("{report}");
    if into_db && let Some(db) = &session.db {
        errln!("imported into the database {}", db.path().display());
    }
    match output {
        Some(path) => match session.save(Some(path)) {
            Ok(Saved::Written(path) | Saved::Folded(path)) => {
                errln!("wrote {}", path.display());
            }
            Err(SessionError::Save(e)) => {
                errln!("{e}");
                return ExitCode::FAILURE;
            }
            Err(e) => {
                errln!("error: {}", flags(&e));
                return ExitCode::FAILURE;
            }
        },
        None if !into_db => errln!(
            "checked only, nothing was written: give -o OUT.toml (or .json, .alliances) to write the graph, or --db DB to import into a database"
        ),
        None => {}
    }
    ExitCode::SUCCESS
}

fn counted(n: usize) -> String {
    format!("{n} thing{}", if n == 1 { "" } else { "s" })
}

/// The graph imported into: the one the data options name, or an empty one.
fn open(data: &DataArgs) -> Option<Session> {
    if !data.data.is_empty() || data.db.is_some() || data.nodes.is_some() {
        return data.open_session().ok();
    }
    let schema = data.schema.into();
    let empty = datafile::dataset_text(&DataSet::default(), Format::Json)
        .ok()
        .and_then(|text| {
            datafile::load_texts(
                &[TextInput {
                    name: "an empty graph",
                    text: &text,
                    format: Format::Json,
                }],
                schema,
            )
            .ok()
        });
    let Some(mut graph) = empty else {
        errln!("error: an empty graph could not be made");
        return None;
    };
    graph.set_schema(schema);
    Some(Session::new(graph, Origin::Files(Vec::new()), None))
}
