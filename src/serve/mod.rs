//! `alliances serve`: the web map and its JSON API over HTTP, a front end over one
//! `session::Session`, as the shell is.
//!
//! `api.rs` answers `/api/…` (statements, look-ups, neighbours, paths, schema, stats, the DOT of
//! a view), `guard.rs` refuses requests from other sites (their `Host` and `Origin`) and bounds
//! bodies, `assets.rs` serves the page compiled into the binary, and `json.rs` writes the map's
//! elements and the errors.
//!
//! **Invariant:** the server only reads unless started with `write`; writes then go through
//! `Session::run`, the session's rules and its database's journal.
//! **Invariant:** nothing but the compiled-in assets and `/api/` answers: no path reaches a file.
//! **Invariant:** every request is bounded (its body, its statement's rows, hops, memory and
//! time, the elements an answer lists) and a bad one is a JSON error, never a crash.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::model::Date;
use crate::query::Limits;
use crate::session::Session;
use crate::store::Graph;

mod api;
mod assets;
mod guard;
mod json;

/// The largest request body the server reads (1 MiB): a statement with its parameters, or the
/// list of elements a view shows.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// How long a statement or a search may run when the server is not told (10 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The most elements (nodes and relationships together) one answer lists for the map: the page
/// never draws more than this at once, and an answer says how many it left out.
pub const MAX_ELEMENTS: usize = 500;
/// The most rows a statement sent to the API returns, unless the server is given fewer.
pub const DEFAULT_MAX_ROWS: usize = 10_000;
/// How many dated views (`as_of`) the server keeps built.
const KEPT_VIEWS: usize = 4;

/// How the server is started.
#[derive(Clone, Debug)]
pub struct Options {
    /// The address to listen on: loopback unless the user asks otherwise.
    pub listen: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Let statements write (through the session's rules and journal).
    pub write: bool,
    /// The bounds every statement keeps to; a request may ask for less, never more.
    pub limits: Limits,
    /// How long one statement or search may run.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: IpAddr::from([127, 0, 0, 1]),
            port: 7474,
            write: false,
            limits: Limits::default().with_max_rows(DEFAULT_MAX_ROWS),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address could not be listened on (in use, not this machine's, not allowed).
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    /// The server's runtime failed.
    #[error("the server stopped: {0}")]
    Runtime(std::io::Error),
}

/// A dated view: its date, the graph as it stood then, and the note of what it hides.
type DatedView = (Date, Arc<Graph>, Arc<str>);

/// What every request shares: the session, the server's bounds, and what is built from the
/// graph once rather than per request.
pub(crate) struct Shared {
    session: RwLock<Session>,
    options: Options,
    /// The `Host` values a request may carry: the address and port the server listens on, and
    /// `localhost` with that port when it listens on loopback.
    hosts: Vec<String>,
    /// Dated views of the graph built for `as_of`, newest last, dropped when the graph changes.
    views: Mutex<Vec<DatedView>>,
    /// Every name and alias folded for completion, rebuilt when the graph changes.
    names: RwLock<Arc<Vec<json::Name>>>,
}

/// Serves `session` until the process is stopped; `ready` hears the address once the server
/// listens (so that a front end prints the URL and a test knows where to connect).
///
/// # Errors
/// When the address cannot be listened on, or the runtime cannot start.
pub fn run(
    session: Session,
    options: Options,
    ready: impl FnOnce(SocketAddr) + Send + 'static,
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        let address = SocketAddr::new(options.listen, options.port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|source| ServeError::Listen { address, source })?;
        let bound = listener.local_addr().map_err(ServeError::Runtime)?;
        let shared = Arc::new(Shared::new(session, options, bound));
        ready(bound);
        axum::serve(listener, router(shared))
            .await
            .map_err(ServeError::Runtime)
    })
}

impl Shared {
    fn new(session: Session, options: Options, bound: SocketAddr) -> Shared {
        let names = json::names(&session.graph);
        Shared {
            session: RwLock::new(session),
            hosts: guard::allowed_hosts(bound),
            options,
            views: Mutex::new(Vec::new()),
            names: RwLock::new(Arc::new(names)),
        }
    }

    /// Calls `read` on the graph as it stood on `date` (a dated view built once and kept among
    /// the last few) with the note of what the view hides, or on the whole graph when no date
    /// is asked for.
    fn read<T>(&self, date: Option<Date>, read: impl FnOnce(&Graph, Option<&str>) -> T) -> T {
        let session = self.session.read().unwrap_or_else(|e| e.into_inner());
        let Some(date) = date else {
            return read(&session.graph, None);
        };
        let (view, note) = {
            let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
            let at = match views.iter().position(|(d, _, _)| *d == date) {
                Some(at) => at,
                None => {
                    let (view, counts) = session.graph.as_of(date);
                    let note = crate::session::as_of_note(date, &counts);
                    if views.len() >= KEPT_VIEWS {
                        views.remove(0);
                    }
                    views.push((date, Arc::new(view), note.into()));
                    views.len() - 1
                }
            };
            let kept = views.remove(at);
            let found = (Arc::clone(&kept.1), Arc::clone(&kept.2));
            views.push(kept);
            found
        };
        read(&view, Some(&note))
    }

    /// After a statement changed the graph: what was built from the old one goes.
    fn changed(&self, graph: &Graph) {
        self.views.lock().unwrap_or_else(|e| e.into_inner()).clear();
        *self.names.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(json::names(graph));
    }
}

fn router(shared: Arc<Shared>) -> axum::Router {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/query", post(api::query))
        .route("/api/search", get(api::search))
        .route("/api/entity/{key}", get(api::entity))
        .route("/api/relationship/{id}", get(api::relationship))
        .route("/api/neighbours/{key}", get(api::neighbours))
        .route("/api/ties", post(api::ties))
        .route("/api/paths", get(api::paths))
        .route("/api/schema", get(api::schema))
        .route("/api/stats", get(api::stats))
        .route("/api/export/dot", post(api::export_dot))
        .route("/api/{*rest}", axum::routing::any(api::unknown))
        .fallback(assets::asset)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            guard::check,
        ))
        .with_state(shared)
}
