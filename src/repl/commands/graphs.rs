//! Shell commands that change which graph is open or write it: `:load`, `:import`, `:asof`,
//! `:save`.

use super::{Next, Outcome, Session};
use crate::model::Schema;
use crate::session::{Origin, Saved, SessionError};
use std::path::PathBuf;

use super::*;

pub(super) fn run_load(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    may_replace(session)?;
    let path = one_path(rest, ":load FILE")?;
    let graph = crate::datafile::load_files(std::slice::from_ref(&path), Schema::Alliance)
        .map_err(|e| e.to_string())?;
    crate::datafile::check_schema(&graph, session.graph.schema(), &path)
        .map_err(|e| format!("error: {e}"))?;
    replace_graph(session, graph, Origin::Files(vec![path]))?;
    Ok(Next::Continue)
}

/// What `:help :import` says beyond its line: both forms, the formats, losses and merging.
pub(super) fn import_help() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "\nTwo forms:\n  :import FORMAT PATH...       read files (a folder: its files of the format) with an importer and merge them into the open graph\n  :import NODES_CSV EDGES_CSV  open a bulk CSV import (a nodes and an edges file) instead of the current graph\n\nFormats:\n",
    );
    for f in crate::import::FORMATS {
        let extensions: Vec<String> = f.extensions.iter().map(|e| format!("*.{e}")).collect();
        let _ = writeln!(
            out,
            "  {:<8} {} ({})",
            f.name,
            f.describes,
            extensions.join(", ")
        );
    }
    out.push_str(
        "\nMerging: an imported entity that shares an identifier (lei, bods, wikidata, any scheme) or its id with one in the graph is that entity: what the graph lacks is filled in, its other names become aliases, and where the two disagree the graph's value is kept and the disagreement reported. A relationship already there (same type, ends and properties) only gains the import's sources, so importing a file twice changes nothing. An imported name that another entity already has is told apart by the newcomer's country and identifier, as \"Company B (GB-COH 123)\" (or a number), its plain name kept as the property plain_name; the report counts each.\n\n--map FIELD=COLUMN and --mapping FILE give the csv importer its mapping, as on the command line (a column whose name has spaces needs a mapping file).\n\n--accept-losses: what the model has no home for is counted, with an example of each; without the flag such an import is refused and the graph left as it was.\n\nNothing changes either when the merged records break a rule of the model: each problem is shown at the file and place (JSON pointer, line or row) it came from.\n\nExample:\n  :import bods statements.json\n  :import bods registers/ --accept-losses\n  :import csv firms.csv --map name=Name --map fixed.kind=company\n",
    );
    out
}

pub(super) fn run_import(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    let usage = "write :import FORMAT PATH... [--accept-losses] [--map FIELD=COLUMN]... [--mapping FILE] (for example :import bods statements.json, :import csv firms.csv --map name=Name), or :import nodes.csv edges.csv";
    let mut accept_losses = false;
    let mut options = crate::import::ImportOptions::default();
    let mut words: Vec<&str> = Vec::new();
    let mut rest_words = rest.split_whitespace();
    while let Some(word) = rest_words.next() {
        match word {
            "--accept-losses" => accept_losses = true,
            "--map" => {
                let pair = rest_words.next().and_then(|p| p.split_once('='));
                let Some((field, column)) = pair else {
                    return Err(format!(
                        "error: --map takes FIELD=COLUMN (for example --map name=Name); {usage}"
                    ));
                };
                options.mapping.push((field.to_owned(), column.to_owned()));
            }
            "--mapping" => {
                let Some(file) = rest_words.next() else {
                    return Err(format!("error: --mapping takes a mapping file; {usage}"));
                };
                options.mapping_file = Some(PathBuf::from(file));
            }
            _ => words.push(word),
        }
    }
    let mapped = !options.mapping.is_empty() || options.mapping_file.is_some();
    let Some((first, paths)) = words.split_first() else {
        return Err(format!("error: {usage}"));
    };
    let known = crate::import::format(first);
    // The old form: a nodes and an edges CSV file, opened instead of the graph.
    let looks_like_path = first.contains(['.', '/', '\\']) || std::path::Path::new(first).is_file();
    if known.is_err() && looks_like_path && paths.len() == 1 && !accept_losses && !mapped {
        may_replace(session)?;
        let (nodes, edges) = (PathBuf::from(first), PathBuf::from(paths[0]));
        let graph = crate::repl::output::load_csv(&nodes, &edges).map_err(|e| e.to_string())?;
        replace_graph(session, graph, Origin::Csv { nodes, edges })?;
        return Ok(Next::Continue);
    }
    if let Err(e) = known {
        return Err(format!("error: {e}; {usage}"));
    }
    if paths.is_empty() {
        return Err(format!("error: {usage}"));
    }
    let request = crate::session::ImportRequest {
        format: (*first).to_owned(),
        paths: paths.iter().map(PathBuf::from).collect(),
        options,
        accept_losses,
        check_only: false,
    };
    match session.core.import(&request) {
        Ok(report) => {
            errln!("{}", report.to_string().trim_end());
            if session.core.db.is_some() {
                errln!("imported into the database");
            } else {
                session.unsaved = true;
                errln!("imported; :save FILE writes the graph");
            }
            Ok(Next::Continue)
        }
        Err(crate::session::ImportRefused::Losses(report)) => {
            errln!("{}", report.to_string().trim_end());
            Err(format!(
                "error: {} thing{} had no home in the model, so nothing was imported; type the command again with --accept-losses to import without them",
                report.losses.total(),
                if report.losses.total() == 1 { "" } else { "s" }
            ))
        }
        Err(crate::session::ImportRefused::DatedView { date }) => Err(format!(
            "error: the graph is shown as of {date}; type :asof off before importing into it"
        )),
        Err(e) => Err(format!("error: {e}")),
    }
}

pub(super) fn run_asof(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    if rest == "off" || rest.is_empty() {
        if session.core.show_whole() {
            errln!("the whole graph is shown again");
        } else if rest.is_empty() {
            errln!("the whole graph is shown; :asof DATE shows it as of a date");
        }
        return Ok(Next::Continue);
    }
    let date: crate::model::Date = rest
        .parse()
        .map_err(|e| format!("error: {e}; write :asof 2025-01-01, :asof 2025-01 or :asof off"))?;
    errln!("{}", session.core.show_as_of(date));
    Ok(Next::Continue)
}

pub(super) fn run_save(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    let to = (!rest.is_empty()).then(|| PathBuf::from(rest));
    match session.core.save(to.as_deref()) {
        Ok(Saved::Folded(path)) => errln!("saved the journal into {}", path.display()),
        Ok(Saved::Written(path)) => {
            session.unsaved = false;
            errln!("saved to {}", path.display());
        }
        Err(SessionError::DatedView { date }) => {
            return Err(format!(
                "error: the graph is shown as of {date}; type :asof off before saving it"
            ));
        }
        Err(SessionError::NoFile) => {
            return Err(
                "error: :save needs a file name here, for example :save alliances.toml".to_owned(),
            );
        }
        Err(SessionError::OwnFile { path }) => {
            return Err(format!(
                "error: {} is this database's own file; type :save without a file name to fold the journal into it",
                path.display()
            ));
        }
        Err(SessionError::Save(e)) => return Err(e.to_string()),
        Err(e) => return Err(format!("error: {}", crate::repl::shell_terms(e))),
    }
    Ok(Next::Continue)
}

pub(super) fn one_path(rest: &str, usage: &str) -> Result<PathBuf, String> {
    if rest.is_empty() {
        return Err(format!("error: usage: {usage}"));
    }
    Ok(PathBuf::from(rest))
}

pub(super) fn replace_graph(
    session: &mut Session,
    graph: crate::store::Graph,
    origin: Origin,
) -> Result<(), String> {
    if session.unsaved {
        errln!("note: the unsaved changes to the previous graph are gone");
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    errln!(
        "opened {} and {}",
        plural(graph.node_count(), "node", "nodes"),
        plural(graph.edge_count(), "relationship", "relationships")
    );
    session
        .core
        .replace(graph, origin)
        .map_err(|e| format!("error: {e}"))?;
    session.unsaved = false;
    Ok(())
}
