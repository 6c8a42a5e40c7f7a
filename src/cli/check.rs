//! `alliances check` (data files and CSV, every problem at once) and `alliances recover` (a
//! damaged database salvaged into a new file).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::*;

pub(super) fn check(files: &[PathBuf], csv: Option<(&Path, &Path)>) -> ExitCode {
    for file in files {
        if datafile::Format::from_path(file).is_none()
            && file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            errln!(
                "error: {} is a CSV file; check a bulk import with --nodes NODES.csv --edges EDGES.csv",
                file.display()
            );
            return ExitCode::from(2);
        }
    }
    let mut failed = false;
    if !files.is_empty() {
        match datafile::load_files_with_warnings(files, Schema::Alliance) {
            Ok((graph, warnings)) => {
                // Warnings do not fail the check: the files load as they are.
                for warning in &warnings {
                    errln!("{}\n", warning.as_warning());
                }
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                errln!(
                    "{}: valid ({}, {}, {})",
                    names.join(", "),
                    counted(graph.node_count(), "entity", "entities"),
                    counted(graph.edge_count(), "relationship", "relationships"),
                    counted(graph.source_count(), "source", "sources")
                );
            }
            Err(e) => {
                errln!("{}", flags(&e));
                failed = true;
            }
        }
    }
    if let Some((nodes, edges)) = csv {
        match output::load_csv(nodes, edges) {
            Ok(graph) => errln!(
                "{}, {}: valid ({}, {})",
                nodes.display(),
                edges.display(),
                counted(graph.node_count(), "node", "nodes"),
                counted(graph.edge_count(), "relationship", "relationships")
            ),
            Err(e) => {
                errln!("{}", flags(&e));
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `alliances recover`: salvages a database into a new data file and says what it kept.
pub(super) fn recover(
    database: &Path,
    output: Option<&Path>,
    schema: crate::model::Schema,
) -> ExitCode {
    let options = crate::db::DbOptions {
        schema,
        ..crate::db::DbOptions::default()
    };
    match crate::db::recover(database, output, &options) {
        Ok(salvage) => {
            if salvage.folded {
                errln!("the data file already holds every statement of the journal");
            }
            if salvage.torn {
                errln!(
                    "the journal's last record was cut short while it was written; it had not been acknowledged"
                );
            }
            for (offset, statement, reason) in &salvage.skipped {
                errln!("left out the record at byte {offset}: {reason}");
                if let Some(text) = statement {
                    errln!("  its statement: {text}");
                }
            }
            errln!(
                "kept {} statement(s), left out {}; wrote {}",
                salvage.kept,
                salvage.skipped.len(),
                salvage.output.display()
            );
            let journal = crate::db::journal_path(database);
            errln!(
                "{} and {} are unchanged. To use the recovered graph: mv {} {} && rm {}",
                database.display(),
                journal.display(),
                salvage.output.display(),
                database.display(),
                journal.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            errln!("error: {}", flags(&e));
            ExitCode::FAILURE
        }
    }
}
