//! Command-line arguments and what each command does. The only code that sees argv.
//!
//! Exit status: 0 on success, 1 when the data or a query is wrong (the message is on stderr),
//! 2 on a usage error (clap's own convention).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::datafile::{self, LoadError};
use crate::model::Schema;
use crate::query;
use crate::repl::output::{self, print_csv, terminal_width};
use crate::session::{OpenError, Origin, OutputFormat, Request, Session};
use crate::store::Graph;

mod check;
mod export;
mod import;
#[cfg(feature = "serve")]
mod serve;
mod statements;
mod timer;

use check::{check, recover};
use statements::{QueryOptions, query};
use timer::{Timer, diagram, timeout_arg, write_output};

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
    /// Run the statements and commands of a script, as the shell would, then exit.
    #[arg(long, value_name = "SCRIPT")]
    file: Option<PathBuf>,
    /// In a script or a pipe, go on after a statement fails (the exit status is still 1).
    #[arg(long)]
    continue_on_error: bool,
    /// The most hops `*` follows when written without a maximum (default 15).
    #[arg(long, global = true, value_name = "HOPS")]
    max_var_length: Option<u64>,
    /// The most rows a statement returns (default 1000000).
    #[arg(long, global = true, value_name = "ROWS")]
    max_rows: Option<usize>,
    /// The most memory a statement may hold, in megabytes (default 2048): rows kept for ORDER
    /// BY, groups and DISTINCT, collected lists, values built.
    #[arg(long, global = true, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    max_memory: Option<u64>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check data files; report every problem with its place. Exit 0 when all are valid.
    Check {
        /// TOML or JSON data files, checked together (one may cite another's entities), or one
        /// snapshot (`*.alliances`).
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
    /// The shortest paths between two firms, named by name, alias or id.
    #[command(
        after_help = "Examples:\n  alliances path BlackRock Intel\n  alliances path Amazon Nvidia --k 3 --explain\n  alliances path OpenAI Microsoft --via invests-in,supplies --directed"
    )]
    Path {
        #[command(flatten)]
        data: DataArgs,
        /// Where the paths start.
        from: String,
        /// Where the paths end.
        to: String,
        /// Only these relationship types, comma-separated (invests-in, member-of, supplies).
        #[arg(long, value_name = "TYPE,...")]
        via: Option<String>,
        /// Follow relationships only the way they point.
        #[arg(long)]
        directed: bool,
        /// The most hops a path may have.
        #[arg(long, value_name = "N", default_value_t = 8)]
        max_hops: usize,
        /// How many paths, shortest first.
        #[arg(long, default_value_t = 1)]
        k: usize,
        /// Show each hop's sources.
        #[arg(long)]
        explain: bool,
        /// Stop the search after this many seconds (nothing is then shown).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
    },
    /// The ties that began, ended or changed between two dates (a later stake between the same
    /// two entities beginning while an earlier one held), over the whole history.
    #[command(
        after_help = "Examples:\n  alliances diff 2024-01-01 2025-06\n  alliances diff 2020 2025 --data research.toml"
    )]
    Diff {
        #[command(flatten)]
        data: DataArgs,
        /// The start of the window (YYYY-MM-DD, YYYY-MM or YYYY).
        from: String,
        /// The end of the window, not before the start.
        to: String,
    },
    /// Run the peer benchmark's workloads on generated data (nodes.csv, edges.csv, queries.txt)
    /// and print one JSON line per workload, as the peers of ../shared/bench do.
    Bench {
        /// The folder the generator wrote.
        dir: PathBuf,
    },
    /// Write the graph, or a part of it, in a format other tools load: Graphviz DOT, GraphML
    /// (Gephi, yEd, networkx), JSON lines (Neo4j APOC's layout), a Cypher script (Neo4j,
    /// Memgraph), neo4j-admin import CSV files or Parquet (Spark GraphFrames, DuckDB, Polars)
    /// into a folder, or a data file (TOML, JSON).
    #[command(
        after_help = "Examples:\n  alliances export dot -o map.dot\n  alliances export dot --around Nvidia --hops 1\n  alliances export graphml -o alliances.graphml\n  alliances export jsonl --query 'MATCH p = (:Fund)-[:INVESTS_IN]->() RETURN p'\n  alliances export cypher -o rebuild.cypher\n  alliances export neo4j-admin -o import/\n  alliances export parquet -o parquet/ --nodes nodes.csv --edges edges.csv"
    )]
    Export {
        /// The format.
        #[arg(value_parser = export::FORMATS)]
        format: String,
        /// Where to write it: a file (standard output when not given), or for neo4j-admin and
        /// parquet a folder (created when missing).
        #[arg(short, long, value_name = "FILE|DIR")]
        output: Option<PathBuf>,
        /// For cypher: the database the script is for; `alliances` writes every value exactly
        /// (partial dates as period('2024-05'), maps as maps).
        #[arg(long, value_enum, default_value_t = export::DialectArg::Neo4j)]
        dialect: export::DialectArg,
        /// For cypher: leave out the CREATE CONSTRAINT statements.
        #[arg(long)]
        no_constraints: bool,
        #[command(flatten)]
        drawing: DrawingArgs,
    },
    /// Draw an alliance diagram to SVG, PNG or PDF with Graphviz's dot.
    #[command(
        after_help = "Examples:\n  alliances render --format svg -o map.svg\n  alliances render --format png -o path.png --path Amazon Nvidia --k 3"
    )]
    Render {
        /// The picture format.
        #[arg(long, value_parser = ["svg", "png", "pdf"], default_value = "svg")]
        format: String,
        /// The file to write.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        drawing: DrawingArgs,
    },
    /// Run query statements (separated by `;`) and print their results.
    #[command(
        after_help = "Examples:\n  alliances query 'MATCH (c:Company) RETURN c.name ORDER BY c.name LIMIT 5'\n  alliances query --format json --param name='\"Intel\"' 'MATCH (i)-[r:INVESTS_IN]->(c {name: $name}) RETURN i.name, r.amount_usd'\n  alliances query --file questions.cypher"
    )]
    Query {
        #[command(flatten)]
        data: DataArgs,
        /// How to print results: a table, one JSON line per statement, or CSV.
        #[arg(long, value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
        /// A parameter for $NAME, its value in Cypher literal syntax: 42, 'Intel', [1, 2], 2.4B.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        #[command(flatten)]
        options: QueryOptions,
        /// Read the statements from a file instead of the command line.
        #[arg(long, conflicts_with = "statements")]
        file: Option<PathBuf>,
        /// The statements to run.
        #[arg(required_unless_present = "file")]
        statements: Option<String>,
    },
    /// Import other people's data into a graph, merging entities by identifier (LEI, BODS
    /// record, Wikidata…) with those already there. Without -o or --db, checks and reports only.
    #[command(
        after_help = "Examples:\n  alliances import bods statements.json                      # check and report\n  alliances import bods statements.json -o owners.toml\n  alliances import bods register/ --data research.toml -o merged.toml\n  alliances import bods statements.json --db research.toml --accept-losses\n\nFormats: run `alliances import list`."
    )]
    Import {
        /// The importer: bods, gleif, ftm, csv or jsonl (`alliances import list` says what each
        /// reads).
        format: String,
        /// Files, or folders whose files of the format are read (sorted by name).
        paths: Vec<PathBuf>,
        /// Write the merged graph here (TOML, JSON or a .alliances snapshot, by extension).
        #[arg(short = 'o', long, value_name = "OUT")]
        output: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
        /// Import even when something in the input has no home in the model.
        #[arg(long)]
        accept_losses: bool,
        /// For the csv importer: a model field and the column it is read from.
        #[arg(long = "map", value_name = "FIELD=COLUMN", value_parser = import::parse_pair)]
        map: Vec<(String, String)>,
        /// For the csv importer: a mapping file (TOML).
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
    },
    /// Serve an interactive map of the graph and a JSON API on this machine (127.0.0.1), read
    /// only unless --write is given. Open the printed address in a browser.
    #[cfg(feature = "serve")]
    #[command(
        after_help = "Examples:\n  alliances serve                          # the built-in dataset on http://127.0.0.1:7474/\n  alliances serve --port 8080 --data research.toml\n  alliances serve --db research.toml --write\n  alliances serve --nodes nodes.csv --edges edges.csv\n\nThe API is described in docs/http-api.md."
    )]
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// The port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 7474)]
        port: u16,
        /// Listen on this address instead of 127.0.0.1: anyone who can reach it can read the
        /// graph (and change it, with --write).
        #[arg(long, value_name = "ADDRESS")]
        listen: Option<std::net::IpAddr>,
        /// Let statements sent to the API write (through the rules and, with --db, the journal).
        #[arg(long)]
        write: bool,
        /// Stop a statement or a path search that runs longer than this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
        timeout: f64,
    },
    /// Salvage a database whose journal will not open (damaged, or no longer fitting its data
    /// file) into a new data file, keeping every intact record; the old files are left as they
    /// are.
    #[command(
        after_help = "Examples:\n  alliances recover research.toml                 # writes research.recovered.toml\n  alliances recover research.toml -o fixed.toml"
    )]
    Recover {
        /// The database's data file (its journal is FILE.journal).
        database: PathBuf,
        /// The new data file to write; FILE.recovered.EXT by default. It must not exist.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The rules the data file is read under.
        #[arg(long, value_enum, default_value_t = SchemaArg::Alliance)]
        schema: SchemaArg,
    },
}

/// The graph a diagram is drawn from, what of it the diagram shows, and how long drawing may
/// take.
#[derive(Args, Debug, Clone, Default)]
struct DrawingArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    scope: ScopeArgs,
    /// Stop after this many seconds (nothing is then written).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
}

/// What a diagram shows; the whole graph when none is given.
#[derive(Args, Debug, Clone, Default)]
struct ScopeArgs {
    /// Draw what this query returns: its nodes, relationships and paths.
    #[arg(long, value_name = "QUERY", conflicts_with_all = ["around", "path", "cycles"])]
    query: Option<String>,
    /// Draw this firm and its ties (with --hops).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["path", "cycles"])]
    around: Option<String>,
    /// How far from --around to draw.
    #[arg(long, value_name = "N", default_value_t = 1)]
    hops: usize,
    /// Draw the shortest paths between two firms (with --k).
    #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with = "cycles")]
    path: Option<Vec<String>>,
    /// How many paths --path draws.
    #[arg(long, default_value_t = 1)]
    k: usize,
    /// Draw the circular deals of at most this many legs.
    #[arg(long, value_name = "MAX_LEN")]
    cycles: Option<usize>,
    /// A title for the diagram.
    #[arg(long)]
    title: Option<String>,
    /// Leave the legend out.
    #[arg(long)]
    no_legend: bool,
}

impl ScopeArgs {
    fn scope(&self) -> crate::export::Scope {
        use crate::export::Scope;
        if let Some(q) = &self.query {
            Scope::Query(q.clone())
        } else if let Some(name) = &self.around {
            Scope::Around {
                name: name.clone(),
                hops: self.hops,
            }
        } else if let Some(pair) = &self.path {
            Scope::Path {
                from: pair[0].clone(),
                to: pair[1].clone(),
                k: self.k,
            }
        } else if let Some(max_len) = self.cycles {
            Scope::Cycles { max_len }
        } else {
            Scope::Whole
        }
    }
}

/// How query results are printed, as `--format` spells it.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FormatArg {
    Table,
    Json,
    Csv,
}

impl From<FormatArg> for OutputFormat {
    fn from(arg: FormatArg) -> OutputFormat {
        match arg {
            FormatArg::Table => OutputFormat::Table,
            FormatArg::Json => OutputFormat::Json,
            FormatArg::Csv => OutputFormat::Csv,
        }
    }
}

/// Where the graph comes from. With none of these, the built-in dataset.
#[derive(Args, Debug, Clone, Default, PartialEq)]
struct DataArgs {
    /// A TOML or JSON data file (or a `*.alliances` snapshot) to load instead of the built-in
    /// dataset; repeat the option (or separate names with commas) to load several files
    /// together.
    #[arg(long, value_name = "FILE", value_delimiter = ',', conflicts_with_all = ["nodes", "edges", "db"])]
    data: Vec<PathBuf>,
    /// Open a database: a data file whose every change is journalled and kept (created when
    /// it does not exist).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["nodes", "edges"])]
    db: Option<PathBuf>,
    /// With --db: open for reading only, alongside a process that writes.
    #[arg(long, requires = "db")]
    read_only: bool,
    /// With --db on a new file: start from the built-in dataset instead of an empty graph.
    #[arg(long, requires = "db")]
    from_default: bool,
    /// With --db: do not sync the journal after each statement (faster; a machine crash may
    /// lose the last statements, a program crash does not).
    #[arg(long, requires = "db")]
    no_sync: bool,
    /// With --db: fold the journal into the data file once it grows past this many bytes
    /// (default 8 MB).
    #[arg(long, requires = "db", value_name = "BYTES")]
    fold_at: Option<u64>,
    /// A nodes CSV for a bulk import (with --edges).
    #[arg(long, requires = "edges")]
    nodes: Option<PathBuf>,
    /// An edges CSV for a bulk import (with --nodes).
    #[arg(long, requires = "nodes")]
    edges: Option<PathBuf>,
    /// The rules writes must keep: `alliance` (entity kinds, three relationship types, unique
    /// ids and names) or `open` (any label, type and property, as in plain Cypher).
    #[arg(long, value_enum, default_value_t = SchemaArg::Alliance)]
    schema: SchemaArg,
    /// Show the graph as it stood on this date (YYYY-MM-DD, YYYY-MM or YYYY): relationships
    /// dated later, ended by then, or cancelled are hidden; undated ones are kept.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<crate::model::Date>,
}

fn parse_date(text: &str) -> Result<crate::model::Date, String> {
    text.parse::<crate::model::Date>()
        .map_err(|e| format!("{e}; write YYYY-MM-DD, YYYY-MM or YYYY"))
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
enum SchemaArg {
    #[default]
    Alliance,
    Open,
}

impl From<SchemaArg> for Schema {
    fn from(arg: SchemaArg) -> Schema {
        match arg {
            SchemaArg::Alliance => Schema::Alliance,
            SchemaArg::Open => Schema::Open,
        }
    }
}

impl DataArgs {
    /// What the options ask to open, in the library's words.
    fn request(&self) -> Request {
        Request {
            data: self.data.clone(),
            csv: self.nodes.clone().zip(self.edges.clone()),
            db: self.db.clone(),
            read_only: self.read_only,
            from_default: self.from_default,
            no_sync: self.no_sync,
            fold_bytes: self.fold_at,
            schema: self.schema.into(),
            as_of: self.as_of,
        }
    }

    /// Opens the database of `--db`, if given, saying what its opening found.
    fn open_db(
        &self,
        read_only: bool,
    ) -> Result<Option<(crate::db::Database, Graph)>, crate::db::DbError> {
        let request = Request {
            read_only: read_only || self.read_only,
            ..self.request()
        };
        Ok(request.open_database()?.map(|(db, graph, notes)| {
            for note in notes {
                errln!("{}", flags(note));
            }
            (db, graph)
        }))
    }

    /// Opens the session the options ask for: a database for writing (unless --read-only),
    /// or the graph to read; problems are printed and become the exit status.
    fn open_session(&self) -> Result<Session, ExitCode> {
        if self.db.is_some() {
            return match self.open_db(false) {
                Ok(Some((db, graph))) => {
                    let origin = Origin::Database(db.path().to_owned());
                    Ok(Session::new(graph, origin, Some(db)))
                }
                Ok(None) => unreachable!("--db is given"),
                Err(e) => {
                    errln!("error: {}", flags(&e));
                    Err(ExitCode::FAILURE)
                }
            };
        }
        match self.load() {
            Ok((graph, origin)) => Ok(Session::new(graph, origin, None)),
            Err(e) => Err(fail(&e)),
        }
    }

    /// Loads the graph to read, with a progress bar for a large CSV import on a terminal.
    fn load(&self) -> Result<(Graph, Origin), LoadError> {
        let request = self.request();
        let bar = request
            .csv
            .as_ref()
            .and_then(|(nodes, edges)| output::load_progress_bar([nodes, edges]));
        let loaded = request.load(&|event| output::show_progress(bar.as_ref(), event));
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        match loaded {
            Ok((graph, origin, notes)) => {
                for note in notes {
                    errln!("{}", flags(note));
                }
                Ok((graph, origin))
            }
            Err(OpenError::Load(e) | OpenError::Database(crate::db::DbError::Load(e))) => Err(e),
            Err(e) => Err(LoadError::Io {
                path: self.db.clone().unwrap_or_default(),
                source: std::io::Error::other(e.to_string()),
            }),
        }
    }
}

/// Parses argv and runs the command.
impl Command {
    /// The data options of a command that reads a graph.
    fn data_mut(&mut self) -> Option<&mut DataArgs> {
        match self {
            Command::Stats { data, .. }
            | Command::Path { data, .. }
            | Command::Diff { data, .. }
            | Command::Query { data, .. }
            | Command::Import { data, .. } => Some(data),
            Command::Export { drawing, .. } | Command::Render { drawing, .. } => {
                Some(&mut drawing.data)
            }
            #[cfg(feature = "serve")]
            Command::Serve { data, .. } => Some(data),
            Command::Check { .. } | Command::Bench { .. } | Command::Recover { .. } => None,
        }
    }
}

pub fn run() -> ExitCode {
    let mut cli = Cli::parse();
    // `alliances --data F stats` means what `alliances stats --data F` does: the options
    // given before the command go to it, rather than being dropped.
    if let Some(command) = &mut cli.command
        && cli.data != DataArgs::default()
    {
        match command.data_mut() {
            Some(data) if *data == DataArgs::default() => *data = std::mem::take(&mut cli.data),
            Some(_) => {
                errln!(
                    "error: data options (--data, --db, --nodes, --edges, --schema, --as-of) are given both before and after the command; give them once, after it"
                );
                return ExitCode::from(2);
            }
            None => {
                errln!(
                    "error: this command reads no graph, so --data, --db, --nodes, --edges, --schema and --as-of do not apply to it; check takes its files as arguments, bench a directory, recover a database"
                );
                return ExitCode::from(2);
            }
        }
    }
    // The bounds every statement of this run keeps to; the shell starts its session with them.
    let mut limits = query::Limits::default();
    if let Some(hops) = cli.max_var_length {
        limits.set_max_var_length(hops);
    }
    if let Some(rows) = cli.max_rows {
        limits.set_max_rows(rows);
    }
    if let Some(megabytes) = cli.max_memory {
        limits.set_max_memory_mb(megabytes);
    }
    #[cfg(feature = "serve")]
    if let Some(Command::Serve {
        data,
        port,
        listen,
        write,
        timeout,
    }) = &cli.command
    {
        let options = serve::ServeArgs {
            port: *port,
            listen: *listen,
            write: *write,
            timeout: *timeout,
            rows: cli.max_rows,
        };
        return serve::serve(data, &options, limits);
    }
    match cli.command {
        None => {
            let options = crate::repl::Options {
                file: cli.file,
                continue_on_error: cli.continue_on_error,
                limits,
            };
            match cli.data.open_session() {
                Ok(session) => crate::repl::run(session, options),
                Err(code) => code,
            }
        }
        Some(Command::Check {
            files,
            nodes,
            edges,
        }) => check(&files, nodes.as_deref().zip(edges.as_deref())),
        Some(Command::Query {
            data,
            format,
            params,
            options,
            file,
            statements,
        }) => query(
            &data,
            format.into(),
            &params,
            &options,
            limits,
            file.as_deref(),
            statements.as_deref(),
        ),
        Some(Command::Path {
            data,
            from,
            to,
            via,
            directed,
            max_hops,
            k,
            explain,
            timeout,
        }) => {
            let limit = match timeout_arg(timeout) {
                Ok(limit) => limit,
                Err(code) => return code,
            };
            let graph = match data.load() {
                Ok((graph, _)) => graph,
                Err(e) => return fail(&e),
            };
            let via = match via
                .as_deref()
                .map(|text| crate::session::report::parse_types(graph.vocabulary(), text))
                .transpose()
            {
                Ok(v) => v.unwrap_or_default(),
                Err(e) => {
                    errln!("error: {}", flags(&e));
                    return ExitCode::from(2);
                }
            };
            let options = crate::algo::PathOptions {
                via,
                directed,
                max_hops: Some(max_hops),
                k,
            };
            let timer = Timer::start(limit);
            let stop = || timer.fired();
            match crate::session::report::paths_report(&graph, &from, &to, &options, explain, &stop)
            {
                Ok(_) if timer.fired() => {
                    errln!(
                        "error: the search ran past --timeout {}s and was stopped; no path is shown",
                        timeout.unwrap_or_default()
                    );
                    ExitCode::FAILURE
                }
                Ok(report) => {
                    out!("{}", flags(report));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    errln!("error: {}", flags(&e));
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Diff { data, from, to }) => {
            if data.as_of.is_some() {
                errln!(
                    "error: diff reads the whole history, so --as-of does not apply to it; give the two dates as its arguments, for example alliances diff 2024 2025-06"
                );
                return ExitCode::from(2);
            }
            let window = match crate::algo::diff::parse_window(&from, &to) {
                Ok(window) => window,
                Err(e) => {
                    let hint = match e {
                        crate::algo::diff::DiffError::Reversed { from, to } => {
                            format!("alliances diff {to} {from}")
                        }
                        _ => "alliances diff 2024-01-01 2025-06 (each YYYY-MM-DD, YYYY-MM or YYYY)"
                            .to_owned(),
                    };
                    errln!("error: {e}\n  write {hint}");
                    return ExitCode::from(2);
                }
            };
            let graph = match data.load() {
                Ok((graph, _)) => graph,
                Err(e) => return fail(&e),
            };
            match crate::algo::diff::diff(&graph, window.0, window.1) {
                Ok(found) => {
                    out!("{}", crate::session::report::diff_report(&found));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    errln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Some(Command::Recover {
            database,
            output,
            schema,
        }) => recover(&database, output.as_deref(), schema.into()),
        Some(Command::Bench { dir }) => match crate::bench::run(&dir, &mut std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                errln!("error: {}", flags(&e));
                ExitCode::FAILURE
            }
        },
        Some(Command::Import {
            format,
            paths,
            output,
            data,
            accept_losses,
            map,
            mapping,
        }) => import::import(
            &format,
            &paths,
            output.as_deref(),
            &data,
            accept_losses,
            crate::import::ImportOptions {
                mapping: map,
                mapping_file: mapping,
                batch_rows: None,
            },
        ),
        Some(Command::Export {
            format,
            output,
            dialect,
            no_constraints,
            drawing,
        }) if format != "dot" => {
            let options = crate::export::CypherOptions {
                dialect: dialect.into(),
                no_constraints,
            };
            export::export(&format, output.as_deref(), &options, &drawing)
        }
        Some(Command::Export {
            output, drawing, ..
        }) => match diagram(&drawing) {
            Ok((dot, _)) => write_output(output.as_deref(), dot.as_bytes()),
            Err(code) => code,
        },
        Some(Command::Render {
            format,
            output,
            drawing,
        }) => {
            let (dot, timer) = match diagram(&drawing) {
                Ok(drawn) => drawn,
                Err(code) => return code,
            };
            match crate::export::render_until(&dot, &format, &|| timer.fired()) {
                Ok(bytes) => write_output(Some(&output), &bytes),
                Err(crate::export::RenderError::Interrupted) => {
                    errln!(
                        "error: the drawing ran past --timeout and was stopped; nothing was written"
                    );
                    ExitCode::FAILURE
                }
                Err(e) => {
                    errln!("error: {}", flags(&e));
                    ExitCode::FAILURE
                }
            }
        }
        #[cfg(feature = "serve")]
        Some(Command::Serve { .. }) => unreachable!("served above"),
        Some(Command::Stats { data }) => match data.load() {
            Ok((graph, _)) => {
                outln!("{}", graph.stats());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
    }
}

/// "1 entity", "2 entities".
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fail(error: &LoadError) -> ExitCode {
    errln!("{}", flags(error));
    ExitCode::FAILURE
}

/// Library messages name a setting in parentheses, in the engine's terms (`(max-rows)`); on
/// the command line each is a flag, which this writes in their place.
fn flags(message: impl std::fmt::Display) -> String {
    const FLAGS: [(&str, &str); 8] = [
        ("(max-rows)", "(--max-rows N)"),
        ("(max-var-length)", "(--max-var-length N)"),
        ("(max-memory)", "(--max-memory MB)"),
        ("(max-hops)", "(--max-hops N)"),
        ("(schema open)", "(--schema open)"),
        ("(not read-only)", "(without --read-only)"),
        ("(read-only)", "(--read-only)"),
        ("(param ", "(--param "),
    ];
    FLAGS
        .iter()
        .fold(message.to_string(), |text, (setting, flag)| {
            text.replace(setting, flag)
        })
}
