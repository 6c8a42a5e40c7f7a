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

/// Writes a format that is one file, as it is made: into a temporary file beside `output`
/// that takes its place when complete, or to standard output.
fn one_file(
    output: Option<&Path>,
    timer: &Timer,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> ExitCode {
    use std::io::Write as _;
    let pressed = catch_interrupts(timer);
    let Some(path) = output else {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::with_capacity(
            1 << 16,
            exporter::Stoppable::new(stdout.lock(), &timer.stop),
        );
        return match write(&mut out).and_then(|()| out.flush()) {
            Ok(()) => ExitCode::SUCCESS,
            // A reader that has seen enough (`| head`) is no failure.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) if exporter::is_stopped(&e) => failed(timer, &pressed, &e),
            Err(e) => failed(timer, &pressed, &format!("cannot write the export: {e}")),
        };
    };
    let written = exporter::AtomicFile::create(path).and_then(|file| {
        let mut out = file.writer(&timer.stop)?;
        write(&mut out)?;
        out.flush()?;
        drop(out);
        file.commit()
    });
    match written {
        Ok(()) => {
            errln!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => failed(
            timer,
            &pressed,
            &format!("cannot write {}: {e}", path.display()),
        ),
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
    match format {
        "graphml" => one_file(output, &timer, |out| {
            exporter::write_graphml(&graph, &selection, out)
        }),
        "jsonl" => {
            if let Some(note) = exporter::jsonl::not_carried(&graph) {
                errln!("{note}");
            }
            one_file(output, &timer, |out| {
                exporter::write_jsonl(&graph, &selection, out)
            })
        }
        "cypher" => one_file(output, &timer, |out| {
            exporter::write_cypher(&graph, &selection, options, out)
        }),
        "neo4j-admin" => {
            let dir = output.unwrap_or(Path::new("."));
            let pressed = catch_interrupts(&timer);
            match exporter::write_neo4j_admin_until(&graph, &selection, dir, &timer.stop) {
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
                Err(e) => failed(
                    &timer,
                    &pressed,
                    &format!("cannot write into {}: {e}", dir.display()),
                ),
            }
        }
        "parquet" => {
            let dir = output.unwrap_or(Path::new("."));
            let pressed = catch_interrupts(&timer);
            match exporter::write_parquet_until(&graph, &selection, dir, &timer.stop) {
                Ok(()) => {
                    errln!(
                        "wrote {} and {}",
                        dir.join("nodes.parquet").display(),
                        dir.join("edges.parquet").display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => failed(&timer, &pressed, &e),
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
