//! Alliance diagrams and graph exports: what to write (`Selection`), the DOT text (`dot.rs`)
//! and rendering it with Graphviz's `dot` program, and the formats other graph tools load, one
//! file each: GraphML (`graphml.rs`), APOC's JSON lines (`jsonl.rs`), a Cypher script
//! (`cypher.rs`), `neo4j-admin` CSV files (`neo4j_admin.rs`) and Parquet (`parquet.rs`), over
//! the column types they share (`columns.rs`).
//!
//! **Invariant:** the exporters only read the graph; the same graph and selection always give
//! byte-identical output.

pub mod columns;
pub mod cypher;
pub mod dot;
pub mod graphml;
pub mod jsonl;
pub mod neo4j_admin;
pub mod parquet;
mod to_path;

use std::collections::{BTreeSet, VecDeque};
use std::io::Write;
use std::process::{Command, Stdio};

use crate::query::{QueryResult, ResultValue};
use crate::store::{Direction, EdgeId, Graph, NodeId};

pub use cypher::{CypherOptions, Dialect, write_cypher};
pub use dot::{DotOptions, to_dot};
pub use graphml::write_graphml;
pub use jsonl::write_jsonl;
pub use neo4j_admin::{AdminFiles, write_neo4j_admin, write_neo4j_admin_until};
pub use parquet::{ParquetError, write_parquet, write_parquet_until};
pub use to_path::{FORMATS, Written, fills_a_folder, write_to_path};

/// A file written beside its target and renamed into place when complete, as saving writes a
/// data file: a failed or stopped export leaves no half-written file, and the target keeps its
/// old content (and permissions) until the new one is whole.
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    target: std::path::PathBuf,
}

impl AtomicFile {
    /// Starts the file that will become `path`.
    ///
    /// # Errors
    /// When `path` is not a regular file's name (a folder, a device) or its folder cannot hold
    /// a new file.
    pub fn create(path: &std::path::Path) -> std::io::Result<AtomicFile> {
        let target = regular_target(path)?;
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => std::path::PathBuf::from("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".alliances-export-")
            .tempfile_in(&dir)
            .map_err(os_error)?;
        Ok(AtomicFile { temp, target })
    }

    /// A buffered writer into the file that fails once `stop` is set.
    ///
    /// # Errors
    /// When the file cannot be opened again for writing.
    pub fn writer(
        &self,
        stop: &std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> std::io::Result<std::io::BufWriter<Stoppable<std::fs::File>>> {
        let file = self.temp.as_file().try_clone().map_err(os_error)?;
        Ok(std::io::BufWriter::with_capacity(
            1 << 16,
            Stoppable::new(file, stop),
        ))
    }

    /// Puts the complete file in place of its target.
    ///
    /// # Errors
    /// When the file cannot reach the disk or be renamed.
    pub fn commit(self) -> std::io::Result<()> {
        let permissions = match std::fs::metadata(&self.target) {
            Ok(meta) => meta.permissions(),
            Err(_) => default_permissions(self.temp.as_file())?,
        };
        self.temp
            .as_file()
            .set_permissions(permissions)
            .map_err(os_error)?;
        self.temp.as_file().sync_all().map_err(os_error)?;
        self.temp
            .persist(&self.target)
            .map_err(|e| os_error(e.error))?;
        Ok(())
    }
}

/// The file an export to `path` replaces: `path`, or the file a symbolic link there names, so
/// that the export writes through the link; refused when `path` is a folder, a device or
/// anything else that must never be replaced whole.
fn regular_target(path: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    use std::io::{Error, ErrorKind};
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                std::fs::canonicalize(path)
            } else {
                Ok(path.to_owned())
            }
        }
        Ok(meta) => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "it is {}, not a regular file; give the name of a file to write",
                if meta.is_dir() {
                    "a folder"
                } else {
                    "a device, a pipe or a socket"
                }
            ),
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(Error::new(
                    ErrorKind::NotFound,
                    "it is a symbolic link to a file that does not exist",
                ));
            }
            Ok(path.to_owned())
        }
        Err(e) => Err(e),
    }
}

/// The operating system's error without the temporary file's name that `tempfile` adds.
fn os_error(error: std::io::Error) -> std::io::Error {
    error
        .raw_os_error()
        .map_or(error, std::io::Error::from_raw_os_error)
}

#[cfg(unix)]
fn default_permissions(_temp: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(temp: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    let mut permissions = temp.metadata()?.permissions();
    permissions.set_readonly(false);
    Ok(permissions)
}

/// Why an export stopped writing: its `stop` flag was set (Ctrl-C, `--timeout`).
#[derive(Debug, thiserror::Error)]
#[error("the export was stopped before it finished")]
pub struct Stopped;

/// Whether an error is an export's `Stopped`.
pub fn is_stopped(error: &std::io::Error) -> bool {
    error.get_ref().is_some_and(|e| e.is::<Stopped>())
}

/// A writer that refuses to write once its flag is set, so that a long export stops within
/// one buffer of the flag.
pub struct Stoppable<W> {
    inner: W,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<W> Stoppable<W> {
    pub fn new(inner: W, stop: &std::sync::Arc<std::sync::atomic::AtomicBool>) -> Stoppable<W> {
        Stoppable {
            inner,
            stop: std::sync::Arc::clone(stop),
        }
    }

    fn check(&self) -> std::io::Result<()> {
        if self.stop.load(std::sync::atomic::Ordering::Relaxed) {
            Err(std::io::Error::other(Stopped))
        } else {
            Ok(())
        }
    }
}

impl<W: Write> Write for Stoppable<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.check()?;
        self.inner.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.check()?;
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.check()?;
        self.inner.flush()
    }
}

/// Above this many nodes a picture stops being readable; the commands warn and suggest a scope.
pub const READABLE_NODES: usize = 300;

/// The nodes and relationships to draw. Every relationship's ends are among the nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub nodes: BTreeSet<NodeId>,
    pub edges: BTreeSet<EdgeId>,
}

impl Selection {
    /// Everything.
    pub fn whole(graph: &Graph) -> Selection {
        Selection {
            nodes: graph.nodes().collect(),
            edges: graph.edges().collect(),
        }
    }

    /// Every node, relationship and path in a query's rows (lists and maps included).
    pub fn from_result(graph: &Graph, result: &QueryResult) -> Selection {
        let mut selection = Selection::default();
        for row in &result.rows {
            for value in row {
                selection.add_value(graph, value);
            }
        }
        selection
    }

    fn add_value(&mut self, graph: &Graph, value: &ResultValue) {
        match value {
            ResultValue::Node(n) if graph.contains_node(n.id) => {
                self.nodes.insert(n.id);
            }
            ResultValue::Relationship(r) => self.add_edge(graph, r.id),
            ResultValue::Path(p) => {
                for n in &p.nodes {
                    if graph.contains_node(n.id) {
                        self.nodes.insert(n.id);
                    }
                }
                for r in &p.relationships {
                    self.add_edge(graph, r.id);
                }
            }
            ResultValue::List(items) => {
                for item in items {
                    self.add_value(graph, item);
                }
            }
            ResultValue::Map(map) => {
                for item in map.values() {
                    self.add_value(graph, item);
                }
            }
            _ => {}
        }
    }

    /// Adds a relationship and its two ends.
    pub fn add_edge(&mut self, graph: &Graph, edge: EdgeId) {
        if let Some((a, b)) = graph.edge_endpoints(edge) {
            self.edges.insert(edge);
            self.nodes.insert(a);
            self.nodes.insert(b);
        }
    }

    /// A node and everything within `hops` relationships of it, with the relationships among
    /// them.
    pub fn around(graph: &Graph, centre: NodeId, hops: usize) -> Selection {
        let mut selection = Selection::default();
        selection.nodes.insert(centre);
        let mut queue = VecDeque::from([(centre, 0usize)]);
        while let Some((node, depth)) = queue.pop_front() {
            if depth == hops {
                continue;
            }
            for direction in [Direction::Outgoing, Direction::Incoming] {
                for (_, other) in graph.edges_of(node, direction) {
                    if selection.nodes.insert(other) {
                        queue.push_back((other, depth + 1));
                    }
                }
            }
        }
        for &node in &selection.nodes {
            for (edge, other) in graph.edges_of(node, Direction::Outgoing) {
                if selection.nodes.contains(&other) {
                    selection.edges.insert(edge);
                }
            }
        }
        selection
    }

    /// The nodes and relationships of some paths or loops.
    pub fn from_routes<'r>(
        graph: &Graph,
        routes: impl IntoIterator<Item = (&'r [NodeId], &'r [EdgeId])>,
    ) -> Selection {
        let mut selection = Selection::default();
        for (nodes, edges) in routes {
            selection.nodes.extend(nodes.iter().copied());
            for edge in edges {
                selection.add_edge(graph, *edge);
            }
        }
        selection
    }

    /// Consortia whose members are drawn are drawn too, so that clusters have their label.
    pub fn with_consortia(mut self, graph: &Graph) -> Selection {
        let member_of = crate::model::edge_type_of("member-of");
        let extra: Vec<EdgeId> = self
            .edges
            .iter()
            .copied()
            .filter(|e| graph.edge_type(*e) == member_of)
            .collect();
        for edge in extra {
            self.add_edge(graph, edge);
        }
        self
    }
}

/// The selection as data-file tables: its entities and relationships, with the sources they
/// cite (every source for the whole graph), the vocabulary's additions and the exchange rates.
///
/// # Errors
/// When an element is not shaped like an alliance record.
pub fn dataset_of(
    graph: &Graph,
    selection: &Selection,
) -> Result<crate::store::DataSet, crate::store::RecordError> {
    let mut dataset = graph.to_dataset()?;
    if selection.nodes.len() == graph.node_count() && selection.edges.len() == graph.edge_count() {
        return Ok(dataset);
    }
    dataset.entity = selection
        .nodes
        .iter()
        .map(|&n| graph.entity(n))
        .collect::<Result<_, _>>()?;
    dataset.relationship = selection
        .edges
        .iter()
        .map(|&e| graph.relationship(e))
        .collect::<Result<_, _>>()?;
    let cited: BTreeSet<&str> = dataset
        .relationship
        .iter()
        .flat_map(|r| r.sources.iter())
        .chain(dataset.entity.iter().flat_map(|e| e.sources.iter()))
        .map(String::as_str)
        .collect();
    let cited: BTreeSet<String> = cited.into_iter().map(str::to_owned).collect();
    dataset.source.retain(|s| cited.contains(&s.id));
    Ok(dataset)
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// Graphviz's `dot` is not on the PATH.
    #[error(
        "Graphviz's `dot` program is not installed, so the diagram cannot be drawn; install it (on Debian or Ubuntu: apt-get install graphviz), or write the DOT text with `alliances export dot` and render it elsewhere"
    )]
    DotMissing,
    /// `dot` ran and failed.
    #[error("Graphviz's dot failed: {0}")]
    DotFailed(String),
    #[error("cannot run Graphviz's dot: {0}")]
    Io(#[from] std::io::Error),
    /// The drawing was stopped (Ctrl-C, a time limit) before `dot` finished.
    #[error("the drawing was stopped before Graphviz's dot finished; nothing was written")]
    Interrupted,
}

/// Draws DOT text with Graphviz's `dot` into `format` (svg, png or pdf).
///
/// # Errors
/// When `dot` is missing or fails.
pub fn render(dot_text: &str, format: &str) -> Result<Vec<u8>, RenderError> {
    render_until(dot_text, format, &|| false)
}

/// As `render`, stopping `dot` when `interrupted` says so.
///
/// # Errors
/// When `dot` is missing or fails, or `RenderError::Interrupted`.
pub fn render_until(
    dot_text: &str,
    format: &str,
    interrupted: &dyn Fn() -> bool,
) -> Result<Vec<u8>, RenderError> {
    use std::io::Read;
    let program = std::env::var("ALLIANCES_DOT").unwrap_or_else(|_| "dot".to_owned());
    let mut child = match Command::new(&program)
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(RenderError::DotMissing),
        Err(e) => return Err(RenderError::Io(e)),
    };
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let text = dot_text.to_owned();
    // Write on another thread: dot may fill its output pipe before it has read all its input.
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = read(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = read(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    // Wait for dot, looking at the interrupt flag as it works.
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if interrupted() {
            let _ = child.kill();
            let _ = child.wait();
            let _ = (writer.join(), stdout.join(), stderr.join());
            return Err(RenderError::Interrupted);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let _ = writer.join();
    let (stdout, stderr) = (
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default(),
    );
    if !status.success() {
        return Err(RenderError::DotFailed(
            String::from_utf8_lossy(&stderr).trim().to_owned(),
        ));
    }
    Ok(stdout)
}

/// What part of the graph a diagram shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Whole,
    /// Every node, relationship and path a query returns.
    Query(String),
    /// A firm and what lies within `hops` of it.
    Around {
        name: String,
        hops: usize,
    },
    /// The `k` shortest paths between two firms.
    Path {
        from: String,
        to: String,
        k: usize,
    },
    /// The circular deals of at most `max_len` legs.
    Cycles {
        max_len: usize,
    },
}

/// The selection and a title for a scope.
///
/// # Errors
/// A message for the user: a query that fails, an unknown name, no path.
pub fn select(
    graph: &Graph,
    scope: &Scope,
    params: &crate::query::Params,
) -> Result<(Selection, String), String> {
    select_until(graph, scope, params, &std::sync::Arc::default())
}

/// As `select`, stopping the query or search when `stop` is set.
///
/// # Errors
/// As `select`, or a message that the search was stopped.
pub fn select_until(
    graph: &Graph,
    scope: &Scope,
    params: &crate::query::Params,
    stop: &std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Result<(Selection, String), String> {
    let interrupted = || stop.load(std::sync::atomic::Ordering::Relaxed);
    let stopped = || "the search was stopped before it finished; nothing was drawn".to_owned();
    Ok(match scope {
        Scope::Whole => (Selection::whole(graph), "Alliances".to_owned()),
        Scope::Query(text) => {
            let statements = crate::query::parse(text).map_err(|e| e.to_string())?;
            let mut results = Vec::new();
            for statement in &statements {
                let prepared = crate::query::prepare(graph, text, statement)
                    .map_err(|e| e.to_string())?
                    .within(
                        &crate::query::Limits::default()
                            .with_interrupt(std::sync::Arc::clone(stop)),
                    );
                results.push(prepared.run(graph, params).map_err(|e| e.to_string())?);
            }
            let result = results.last().ok_or("the query has no statement")?;
            (
                Selection::from_result(graph, result).with_consortia(graph),
                text.trim().to_owned(),
            )
        }
        Scope::Around { name, hops } => {
            let centre = crate::algo::find_entity(graph, name).map_err(|e| e.to_string())?;
            (
                Selection::around(graph, centre, *hops),
                format!(
                    "{} and its ties within {hops} hop{}",
                    graph.display_name(centre),
                    if *hops == 1 { "" } else { "s" }
                ),
            )
        }
        Scope::Path { from, to, k } => {
            let (a, b) = (
                crate::algo::find_entity(graph, from).map_err(|e| e.to_string())?,
                crate::algo::find_entity(graph, to).map_err(|e| e.to_string())?,
            );
            let options = crate::algo::PathOptions {
                k: *k,
                max_hops: Some(crate::algo::DEFAULT_MAX_HOPS),
                ..Default::default()
            };
            let paths = crate::algo::k_shortest_paths(graph, a, b, &options, &interrupted);
            if paths.interrupted {
                return Err(stopped());
            }
            if paths.routes.is_empty() {
                return Err(format!(
                    "no path between {} and {}",
                    graph.display_name(a),
                    graph.display_name(b)
                ));
            }
            (
                Selection::from_routes(
                    graph,
                    paths
                        .routes
                        .iter()
                        .map(|r| (r.nodes.as_slice(), r.edges.as_slice())),
                ),
                format!(
                    "How {} is linked to {}",
                    graph.display_name(a),
                    graph.display_name(b)
                ),
            )
        }
        Scope::Cycles { max_len } => {
            let loops =
                crate::algo::money_loops(graph, *max_len, crate::algo::MAX_LOOPS, &interrupted);
            if loops.interrupted {
                return Err(stopped());
            }
            (
                Selection::from_routes(
                    graph,
                    loops
                        .loops
                        .iter()
                        .map(|l| (l.nodes.as_slice(), l.legs.as_slice())),
                ),
                format!("Circular deals of up to {max_len} legs"),
            )
        }
    })
}

/// A warning when a selection is too big to read as a picture.
pub fn size_warning(selection: &Selection) -> Option<String> {
    (selection.nodes.len() > READABLE_NODES).then(|| {
        format!(
            "warning: {} nodes and {} relationships make a diagram nobody can read; draw a part with --around NAME --hops N, --path A B or --query",
            selection.nodes.len(),
            selection.edges.len()
        )
    })
}
