//! Command-line arguments and what each command does. The only code that sees argv.
//!
//! Exit status: 0 on success, 1 when the data or a query is wrong (the message is on stderr),
//! 2 on a usage error (clap's own convention).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::datafile::{self, LoadError};
use crate::model::Schema;
use crate::query;
use crate::repl::output::{self, print_csv, terminal_width};
use crate::session::{OpenError, Origin, OutputFormat, Request, Session};
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
    /// Run the peer benchmark's workloads on generated data (nodes.csv, edges.csv, queries.txt)
    /// and print one JSON line per workload, as the peers of ../shared/bench do.
    Bench {
        /// The folder the generator wrote.
        dir: PathBuf,
    },
    /// Write an alliance diagram as Graphviz DOT text.
    #[command(
        after_help = "Examples:\n  alliances export dot -o map.dot\n  alliances export dot --around Nvidia --hops 1\n  alliances export dot --path BlackRock Intel\n  alliances export dot --query 'MATCH p = (:Fund)-[:INVESTS_IN]->() RETURN p'"
    )]
    Export {
        /// The format: dot.
        #[arg(value_parser = ["dot"])]
        format: String,
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        scope: ScopeArgs,
        /// Where to write it; standard output when not given.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Stop after this many seconds (nothing is then written).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
    },
    /// Draw an alliance diagram to SVG, PNG or PDF with Graphviz's dot.
    #[command(
        after_help = "Examples:\n  alliances render --format svg -o map.svg\n  alliances render --format png -o path.png --path Amazon Nvidia --k 3"
    )]
    Render {
        /// The picture format.
        #[arg(long, value_parser = ["svg", "png", "pdf"], default_value = "svg")]
        format: String,
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        scope: ScopeArgs,
        /// The file to write.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Stop after this many seconds (nothing is then written).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
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
        /// Describe how each statement would run (which index or scan each pattern starts
        /// from) instead of running it.
        #[arg(long)]
        explain: bool,
        /// Print each statement's row count and running time on standard error.
        #[arg(long)]
        timing: bool,
        /// Save the changes the statements make back into the data file (with one --data FILE).
        #[arg(long)]
        write: bool,
        /// Go on with the next statement when one fails (the failed one changes nothing).
        #[arg(long)]
        continue_on_error: bool,
        /// Stop a statement that runs longer than this many seconds (it then changes nothing).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
        /// Read the statements from a file instead of the command line.
        #[arg(long, conflicts_with = "statements")]
        file: Option<PathBuf>,
        /// The statements to run.
        #[arg(required_unless_present = "file")]
        statements: Option<String>,
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

/// `--timeout SECONDS` as a duration: a finite number above 0 that a duration can hold.
fn timeout_arg(seconds: Option<f64>) -> Result<Option<std::time::Duration>, ExitCode> {
    match seconds {
        None => Ok(None),
        Some(t) => match std::time::Duration::try_from_secs_f64(t) {
            Ok(limit) if t > 0.0 => Ok(Some(limit)),
            _ => {
                errln!(
                    "error: --timeout takes a number of seconds greater than 0 (at most about 1.8e19), not {t}"
                );
                Err(ExitCode::from(2))
            }
        },
    }
}

/// A flag that a timer thread sets once `limit` has passed; dropping the timer stands the
/// thread down.
struct Timer {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    finished: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Timer {
    fn start(limit: Option<std::time::Duration>) -> Timer {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        if let Some(limit) = limit {
            let (stop, finished) = (
                std::sync::Arc::clone(&stop),
                std::sync::Arc::clone(&finished),
            );
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                while started.elapsed() < limit
                    && !finished.load(std::sync::atomic::Ordering::Relaxed)
                {
                    std::thread::sleep(std::time::Duration::from_millis(5).min(limit));
                }
                if !finished.load(std::sync::atomic::Ordering::Relaxed) {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
        Timer { stop, finished }
    }

    /// Whether the time ran out.
    fn fired(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.finished
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The DOT text for the command line's diagram commands, or the message of what went wrong.
fn diagram(data: &DataArgs, scope: &ScopeArgs, timer: &Timer) -> Result<String, ExitCode> {
    let graph = match data.load() {
        Ok((graph, _)) => graph,
        Err(e) => return Err(fail(&e)),
    };
    let (selection, title) =
        crate::export::select_until(&graph, &scope.scope(), &query::Params::new(), &timer.stop)
            .map_err(|e| {
                if timer.fired() {
                    errln!("error: ran past --timeout and was stopped; nothing was written");
                } else {
                    errln!("error: {}", flags(&e));
                }
                ExitCode::FAILURE
            })?;
    if let Some(warning) = crate::export::size_warning(&selection) {
        errln!("{warning}");
    }
    let options = crate::export::DotOptions {
        title: Some(scope.title.clone().unwrap_or(title)),
        as_of: data.as_of,
        legend: !scope.no_legend,
    };
    Ok(crate::export::to_dot(&graph, &selection, &options))
}

use crate::model::printable_json;

fn write_output(path: Option<&Path>, bytes: &[u8]) -> ExitCode {
    match path {
        None => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(bytes);
            ExitCode::SUCCESS
        }
        Some(path) => match crate::datafile::write_atomically(path, bytes) {
            Ok(()) => {
                errln!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                errln!("error: cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
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
    /// dated later are hidden; undated ones are kept.
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
            | Command::Export { data, .. }
            | Command::Render { data, .. }
            | Command::Query { data, .. } => Some(data),
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
            explain,
            timing,
            write,
            continue_on_error,
            timeout,
            file,
            statements,
        }) => query(
            &data,
            format.into(),
            &params,
            QueryOptions {
                explain,
                timing,
                write,
                continue_on_error,
                timeout,
                limits,
            },
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
            let via = match via
                .as_deref()
                .map(crate::session::report::parse_types)
                .transpose()
            {
                Ok(v) => v.unwrap_or_default(),
                Err(e) => {
                    errln!("error: {}", flags(&e));
                    return ExitCode::from(2);
                }
            };
            let graph = match data.load() {
                Ok((graph, _)) => graph,
                Err(e) => return fail(&e),
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
        Some(Command::Export {
            format: _,
            data,
            scope,
            output,
            timeout,
        }) => {
            let timer = match timeout_arg(timeout) {
                Ok(limit) => Timer::start(limit),
                Err(code) => return code,
            };
            match diagram(&data, &scope, &timer) {
                Ok(dot) => write_output(output.as_deref(), dot.as_bytes()),
                Err(code) => code,
            }
        }
        Some(Command::Render {
            format,
            data,
            scope,
            output,
            timeout,
        }) => {
            let timer = match timeout_arg(timeout) {
                Ok(limit) => Timer::start(limit),
                Err(code) => return code,
            };
            match diagram(&data, &scope, &timer)
                .map(|dot| crate::export::render_until(&dot, &format, &|| timer.fired()))
            {
                Ok(Ok(bytes)) => write_output(Some(&output), &bytes),
                Ok(Err(crate::export::RenderError::Interrupted)) => {
                    errln!(
                        "error: the drawing ran past --timeout and was stopped; nothing was written"
                    );
                    ExitCode::FAILURE
                }
                Ok(Err(e)) => {
                    errln!("error: {}", flags(&e));
                    ExitCode::FAILURE
                }
                Err(code) => code,
            }
        }
        Some(Command::Stats { data }) => match data.load() {
            Ok((graph, _)) => {
                outln!("{}", graph.stats());
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
            errln!(
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

/// The switches of `alliances query`.
struct QueryOptions {
    explain: bool,
    timing: bool,
    write: bool,
    continue_on_error: bool,
    timeout: Option<f64>,
    limits: query::Limits,
}

fn query(
    data: &DataArgs,
    format: OutputFormat,
    params: &[String],
    options: QueryOptions,
    file: Option<&Path>,
    statements: Option<&str>,
) -> ExitCode {
    let QueryOptions {
        explain,
        timing,
        write,
        continue_on_error,
        timeout,
        limits,
    } = options;
    let timeout = match timeout_arg(timeout) {
        Ok(limit) => limit,
        Err(code) => return code,
    };
    if write && data.as_of.is_some() {
        errln!(
            "error: --write and --as-of cannot go together: saving would drop the relationships --as-of hides"
        );
        return ExitCode::from(2);
    }
    let save_to = match (write, data.data.as_slice()) {
        (false, _) => None,
        (true, [one]) => Some(one.clone()),
        (true, _) => {
            errln!("error: --write saves into the data file, so it needs exactly one --data FILE");
            return ExitCode::from(2);
        }
    };
    let text = match (file, statements) {
        (Some(path), _) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                errln!("error: cannot read {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
        (None, Some(text)) => text.to_owned(),
        (None, None) => unreachable!("clap requires statements or --file"),
    };
    let started = std::time::Instant::now();
    if write && data.db.is_some() {
        errln!("error: a database keeps every change as it is made; --write is for --data files");
        return ExitCode::from(2);
    }
    if let Some(path) = &save_to
        && let Err(e) = crate::db::refuse_database(
            path,
            &format!(
                "saving it whole would bypass its journal; open it with --db {} instead of --data",
                path.display()
            ),
        )
    {
        errln!("error: {}", flags(&e));
        return ExitCode::from(2);
    }
    let mut session = match data.open_session() {
        Ok(session) => session,
        Err(code) => return code,
    };
    if timing {
        errln!(
            "loaded {} nodes and {} relationships in {:.3} s",
            session.graph.node_count(),
            session.graph.edge_count(),
            started.elapsed().as_secs_f64()
        );
    }
    for param in params {
        let Some((name, value)) = param.split_once('=') else {
            errln!("error: --param takes NAME=VALUE, for example --param name='\"Intel\"'");
            return ExitCode::from(2);
        };
        let name = name.trim().trim_start_matches('$');
        match query::parse_value(&session.graph, value) {
            Ok(v) => {
                session.params.insert(name.to_owned(), v);
            }
            Err(e) => {
                errln!("error in --param {name}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    // Messages about a script name its file, as `FILE:LINE:COLUMN`.
    let file_name = file.map(|path| path.display().to_string());
    let shown = |e: &query::QueryError| match &file_name {
        Some(name) => flags(e.in_file(name)),
        None => flags(e),
    };
    let parsed = match query::parse(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            errln!("{}", shown(&e));
            return ExitCode::FAILURE;
        }
    };
    if explain {
        for statement in &parsed {
            match query::explain(&session.graph, &text, statement) {
                Ok(plan) => out!("{plan}"),
                Err(e) => {
                    errln!("{}", shown(&e));
                    return ExitCode::FAILURE;
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    let width = terminal_width();
    let all_started = std::time::Instant::now();
    let mut failed = 0;
    let mut changed = false;
    for (i, statement) in parsed.iter().enumerate() {
        let started = std::time::Instant::now();
        // A timer stops the statement at --timeout; it is told to stand down when it ends.
        let timer = Timer::start(timeout);
        let outcome = session.prepare(&text, statement).and_then(|prepared| {
            let prepared = prepared.within(
                &limits
                    .clone()
                    .with_interrupt(std::sync::Arc::clone(&timer.stop)),
            );
            for warning in prepared.warnings() {
                match &file_name {
                    Some(name) => errln!("{}", warning.in_file(name)),
                    None => errln!("{warning}"),
                }
            }
            let ran = session.run(&text, &prepared)?;
            for warning in &ran.warnings {
                errln!("{warning}");
            }
            Ok(ran.result)
        });
        if timing && let Ok(result) = &outcome {
            errln!(
                "statement {}: {} row{} in {:.3} ms",
                i + 1,
                result.rows.len(),
                if result.rows.len() == 1 { "" } else { "s" },
                started.elapsed().as_secs_f64() * 1e3
            );
        }
        drop(timer);
        let outcome = outcome.map_err(|e| match (e.kind, timeout) {
            (query::ErrorKind::Interrupted, Some(limit)) => query::QueryError {
                message: format!(
                    "the statement ran past --timeout {}s and was stopped; it changed nothing",
                    limit.as_secs_f64()
                ),
                ..e
            },
            _ => e,
        });
        if let Ok(result) = &outcome {
            changed |= !result.changes.is_empty();
            for note in &result.notes {
                errln!("note: {}", flags(note));
            }
        }
        match outcome {
            Ok(result) => match format {
                OutputFormat::Table => {
                    if i > 0 {
                        outln!();
                    }
                    outln!("{}", result.to_table(width));
                }
                OutputFormat::Json => println!("{}", printable_json(&result.to_json())),
                OutputFormat::Csv => {
                    if i > 0 {
                        outln!();
                    }
                    print_csv(&result.to_csv());
                }
            },
            Err(e) => {
                if parsed.len() > 1 {
                    errln!("statement {} of {} failed:", i + 1, parsed.len());
                }
                errln!("{}", shown(&e));
                failed += 1;
                if !continue_on_error {
                    if let Some(path) = &save_to {
                        errln!(
                            "nothing was saved to {}; fix the statement and run the script again",
                            path.display()
                        );
                    }
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    if let Some(warning) = session.close() {
        errln!("{warning}");
    }
    if let Some(path) = &save_to {
        if let Err(e) = crate::datafile::save(&session.graph, path) {
            errln!("{}", flags(&e));
            return ExitCode::FAILURE;
        }
        errln!("saved to {}", path.display());
    } else if changed && data.data.len() == 1 {
        errln!(
            "the changes were not saved; add --write to save them into {}",
            data.data[0].display()
        );
    }
    if failed > 0 {
        return ExitCode::FAILURE;
    }
    if timing && parsed.len() > 1 {
        errln!(
            "{} statements in {:.3} s",
            parsed.len(),
            all_started.elapsed().as_secs_f64()
        );
    }
    ExitCode::SUCCESS
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
    const FLAGS: [(&str, &str); 7] = [
        ("(max-rows)", "(--max-rows N)"),
        ("(max-var-length)", "(--max-var-length N)"),
        ("(max-memory)", "(--max-memory MB)"),
        ("(max-hops)", "(--max-hops N)"),
        ("(schema open)", "(--schema open)"),
        ("(not read-only)", "(without --read-only)"),
        ("(param ", "(--param "),
    ];
    FLAGS
        .iter()
        .fold(message.to_string(), |text, (setting, flag)| {
            text.replace(setting, flag)
        })
}

/// `alliances recover`: salvages a database into a new data file and says what it kept.
fn recover(database: &Path, output: Option<&Path>, schema: crate::model::Schema) -> ExitCode {
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
