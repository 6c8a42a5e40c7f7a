//! Command-line arguments and what each command does. The only code that sees argv.
//!
//! Exit status: 0 on success, 1 when the data or a query is wrong (the message is on stderr),
//! 2 on a usage error (clap's own convention).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::datafile::{self, LoadError};
use crate::model::Schema;
use crate::store::Graph;

/// A graph database for the alliances of tech and finance: who invests in whom, who belongs
/// to which consortium, who supplies whom.
///
/// With no command, opens an interactive shell on the built-in AI-infrastructure dataset (or
/// on the data given with --data, or --nodes and --edges).
#[derive(Parser, Debug)]
#[command(name = "alliances", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check data files; report every problem with its place. Exit 0 when all are valid.
    Check {
        /// TOML or JSON data files, checked together (one may cite another's entities).
        #[arg(required_unless_present = "nodes")]
        files: Vec<PathBuf>,
        /// A nodes CSV (id,name,kind,country,sector) to check with --edges.
        #[arg(long, requires = "edges")]
        nodes: Option<PathBuf>,
        /// An edges CSV (from,to,type,amount_usd,date,stake_pct) to check with --nodes.
        #[arg(long, requires = "nodes")]
        edges: Option<PathBuf>,
    },
    /// Count entities by kind, relationships by type, and sources.
    Stats {
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Where the graph comes from. With none of these, the built-in dataset.
#[derive(Args, Debug, Clone, Default)]
struct DataArgs {
    /// TOML or JSON data files to load instead of the built-in dataset.
    #[arg(long, num_args = 1.., conflicts_with_all = ["nodes", "edges"])]
    data: Vec<PathBuf>,
    /// A nodes CSV for a bulk import (with --edges).
    #[arg(long, requires = "edges")]
    nodes: Option<PathBuf>,
    /// An edges CSV for a bulk import (with --nodes).
    #[arg(long, requires = "nodes")]
    edges: Option<PathBuf>,
}

/// Where an open graph came from, for banners and messages.
#[derive(Debug, Clone)]
pub enum Origin {
    /// The dataset compiled into the binary: an in-memory copy.
    Default,
    /// Data files given on the command line.
    Files(Vec<PathBuf>),
    /// A CSV bulk import.
    Csv { nodes: PathBuf, edges: PathBuf },
}

impl DataArgs {
    fn load(&self) -> Result<(Graph, Origin), LoadError> {
        match (&self.nodes, &self.edges) {
            (Some(nodes), Some(edges)) => {
                let graph = load_csv(nodes, edges)?;
                Ok((
                    graph,
                    Origin::Csv {
                        nodes: nodes.clone(),
                        edges: edges.clone(),
                    },
                ))
            }
            _ if !self.data.is_empty() => Ok((
                datafile::load_files(&self.data, Schema::Alliance)?,
                Origin::Files(self.data.clone()),
            )),
            _ => Ok((datafile::default_graph(), Origin::Default)),
        }
    }
}

/// Imports a pair of CSV files.
///
/// # Errors
/// When either file cannot be opened or has problems.
pub fn load_csv(nodes: &Path, edges: &Path) -> Result<Graph, LoadError> {
    let open = |path: &Path| {
        File::open(path)
            .map(|f| BufReader::with_capacity(1 << 20, f))
            .map_err(|source| LoadError::Io {
                path: path.to_owned(),
                source,
            })
    };
    datafile::import_csv(
        &nodes.display().to_string(),
        open(nodes)?,
        &edges.display().to_string(),
        open(edges)?,
        Schema::Alliance,
    )
}

/// Parses argv and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => match cli.data.load() {
            Ok((graph, origin)) => crate::repl::run(graph, origin),
            Err(e) => fail(&e),
        },
        Some(Command::Check {
            files,
            nodes,
            edges,
        }) => check(&files, nodes.as_deref().zip(edges.as_deref())),
        Some(Command::Stats { data }) => match data.load() {
            Ok((graph, _)) => {
                println!("{}", graph.stats());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
    }
}

fn check(files: &[PathBuf], csv: Option<(&Path, &Path)>) -> ExitCode {
    for file in files {
        if datafile::Format::from_path(file).is_none()
            && file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            eprintln!(
                "error: {} is a CSV file; check a bulk import with --nodes NODES.csv --edges EDGES.csv",
                file.display()
            );
            return ExitCode::from(2);
        }
    }
    let mut failed = false;
    if !files.is_empty() {
        match datafile::load_files(files, Schema::Alliance) {
            Ok(graph) => {
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                eprintln!(
                    "{}: valid ({}, {}, {})",
                    names.join(", "),
                    counted(graph.node_count(), "entity", "entities"),
                    counted(graph.edge_count(), "relationship", "relationships"),
                    counted(graph.source_count(), "source", "sources")
                );
            }
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    if let Some((nodes, edges)) = csv {
        match load_csv(nodes, edges) {
            Ok(graph) => eprintln!(
                "{}, {}: valid ({}, {})",
                nodes.display(),
                edges.display(),
                counted(graph.node_count(), "node", "nodes"),
                counted(graph.edge_count(), "relationship", "relationships")
            ),
            Err(e) => {
                eprintln!("{e}");
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

/// "1 entity", "2 entities".
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fail(error: &LoadError) -> ExitCode {
    eprintln!("{error}");
    ExitCode::FAILURE
}
