//! `alliances export FORMAT`: the graph, or the part a scope selects, written in one of the
//! export formats (DOT goes through `timer::diagram`, as a diagram).

use std::path::Path;
use std::process::ExitCode;

use super::*;
use crate::export::{self as exporter, Selection};

/// The formats `export` writes, as the command line names them.
pub(super) const FORMATS: [&str; 8] = [
    "dot",
    "graphml",
    "jsonl",
    "cypher",
    "neo4j-admin",
    "parquet",
    "toml",
    "json",
];

/// `--dialect`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum DialectArg {
    #[default]
    Neo4j,
    Alliances,
}

impl From<DialectArg> for exporter::Dialect {
    fn from(arg: DialectArg) -> exporter::Dialect {
        match arg {
            DialectArg::Neo4j => exporter::Dialect::Neo4j,
            DialectArg::Alliances => exporter::Dialect::Alliances,
        }
    }
}

/// The graph and the part of it a scope selects, within `--timeout`.
fn selected(drawing: &DrawingArgs) -> Result<(Graph, Selection, Timer), ExitCode> {
    let timer = Timer::start(timeout_arg(drawing.timeout)?);
    let graph = match drawing.data.load() {
        Ok((graph, _)) => graph,
        Err(e) => return Err(fail(&e)),
    };
    let (selection, _) = crate::export::select_until(
        &graph,
        &drawing.scope.scope(),
        &query::Params::new(),
        &timer.stop,
    )
    .map_err(|e| {
        if timer.fired() {
            errln!("error: ran past --timeout and was stopped; nothing was written");
        } else {
            errln!("error: {}", flags(&e));
        }
        ExitCode::FAILURE
    })?;
    Ok((graph, selection, timer))
}

/// Writes a format that is one file, to `output` or standard output.
fn one_file(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> ExitCode {
    let mut bytes = Vec::new();
    match write(&mut bytes) {
        Ok(()) => write_output(output, &bytes),
        Err(e) => {
            errln!("error: cannot write the export: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `alliances export FORMAT` for every format but dot.
pub(super) fn export(
    format: &str,
    output: Option<&Path>,
    options: &exporter::CypherOptions,
    drawing: &DrawingArgs,
) -> ExitCode {
    let folder = matches!(format, "neo4j-admin" | "parquet");
    if folder && output.is_none() {
        errln!(
            "error: {format} writes several files, so it needs a folder: add -o DIR (created when missing), for example alliances export {format} -o {format}/"
        );
        return ExitCode::from(2);
    }
    let (graph, selection, _timer) = match selected(drawing) {
        Ok(selected) => selected,
        Err(code) => return code,
    };
    match format {
        "graphml" => one_file(output, |out| {
            exporter::write_graphml(&graph, &selection, out)
        }),
        "jsonl" => one_file(output, |out| exporter::write_jsonl(&graph, &selection, out)),
        "cypher" => one_file(output, |out| {
            exporter::write_cypher(&graph, &selection, options, out)
        }),
        "neo4j-admin" => {
            let dir = output.unwrap_or(Path::new("."));
            match exporter::write_neo4j_admin(&graph, &selection, dir) {
                Ok(files) => {
                    errln!(
                        "wrote {} nodes files and {} relationships files into {}; to load them into a stopped Neo4j, run {}/import.sh, which runs:",
                        files.nodes.len(),
                        files.relationships.len(),
                        dir.display(),
                        dir.display()
                    );
                    outln!("{}", files.command);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    errln!("error: cannot write into {}: {e}", dir.display());
                    ExitCode::FAILURE
                }
            }
        }
        "parquet" => {
            let dir = output.unwrap_or(Path::new("."));
            match exporter::write_parquet(&graph, &selection, dir) {
                Ok(()) => {
                    errln!(
                        "wrote {} and {}",
                        dir.join("nodes.parquet").display(),
                        dir.join("edges.parquet").display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    errln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => data_file(format, output, &graph, &selection),
    }
}

/// `export toml` and `export json`: what saving writes, for the selection.
fn data_file(
    format: &str,
    output: Option<&Path>,
    graph: &Graph,
    selection: &Selection,
) -> ExitCode {
    let format = if format == "toml" {
        datafile::Format::Toml
    } else {
        datafile::Format::Json
    };
    let whole =
        selection.nodes.len() == graph.node_count() && selection.edges.len() == graph.edge_count();
    let text = if whole {
        datafile::to_text(graph, format).map_err(|e| e.to_string())
    } else if graph.schema() == Schema::Open {
        Err("a part of an open-schema graph cannot be written as a data file; export it whole, or as graphml, jsonl or cypher".to_owned())
    } else {
        exporter::dataset_of(graph, selection)
            .map_err(|e| e.to_string())
            .and_then(|d| datafile::dataset_text(&d, format).map_err(|e| e.to_string()))
    };
    match text {
        Ok(text) => write_output(output, text.as_bytes()),
        Err(e) => {
            errln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
