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

/// Ctrl-C stops the export (through the timer's flag) instead of killing the process, so that
/// the temporary file is removed and the target left as it was.
fn catch_interrupts(timer: &Timer) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    let pressed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (stop, flag) = (
        std::sync::Arc::clone(&timer.stop),
        std::sync::Arc::clone(&pressed),
    );
    let _ = ctrlc::set_handler(move || {
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    pressed
}

/// The message for an export that was stopped, or that failed.
fn failed(
    timer: &Timer,
    pressed: &std::sync::atomic::AtomicBool,
    error: &dyn std::fmt::Display,
) -> ExitCode {
    if pressed.load(std::sync::atomic::Ordering::Relaxed) {
        errln!("error: stopped by Ctrl-C; nothing was written");
    } else if timer.fired() {
        errln!("error: ran past --timeout and was stopped; nothing was written");
    } else {
        errln!("error: {error}");
    }
    ExitCode::FAILURE
}

/// Streams a single-file export to standard output.
fn to_stdout(
    timer: &Timer,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> ExitCode {
    use std::io::Write as _;
    let pressed = catch_interrupts(timer);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(
        1 << 16,
        exporter::Stoppable::new(stdout.lock(), &timer.stop),
    );
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that has seen enough (`| head`) is no failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) if exporter::is_stopped(&e) => failed(timer, &pressed, &e),
        Err(e) => failed(timer, &pressed, &format!("cannot write the export: {e}")),
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
    let (graph, selection, timer) = match selected(drawing) {
        Ok(selected) => selected,
        Err(code) => return code,
    };
    if format == "jsonl"
        && let Some(note) = exporter::jsonl::not_carried(&graph)
    {
        errln!("{note}");
    }
    if let Some(path) = output
        && exporter::FORMATS.contains(&format)
    {
        let pressed = catch_interrupts(&timer);
        return match exporter::write_to_path(format, &graph, &selection, path, options, &timer.stop)
        {
            Ok(written) => {
                errln!("{}", written.summary);
                if let Some(command) = written.command {
                    outln!("{command}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => failed(&timer, &pressed, &e),
        };
    }
    // Standard output: only the single-file formats get here (the folder ones need -o).
    match format {
        "graphml" => to_stdout(&timer, |out| {
            exporter::write_graphml(&graph, &selection, out)
        }),
        "jsonl" => to_stdout(&timer, |out| exporter::write_jsonl(&graph, &selection, out)),
        "cypher" => to_stdout(&timer, |out| {
            exporter::write_cypher(&graph, &selection, options, out)
        }),
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
