//! `alliances serve`: the data options and the server's switches turned into a session and
//! `serve::Options`, the address printed, and a warning when it is not this machine's alone.

use std::process::ExitCode;

use super::*;

/// The switches of `alliances serve`.
pub(super) struct ServeArgs {
    pub(super) port: u16,
    pub(super) listen: Option<std::net::IpAddr>,
    pub(super) write: bool,
    pub(super) timeout: f64,
    /// `--max-rows`, when given: otherwise the server's own, smaller bound.
    pub(super) rows: Option<usize>,
}

pub(super) fn serve(data: &DataArgs, args: &ServeArgs, limits: query::Limits) -> ExitCode {
    let timeout = match timeout_arg(Some(args.timeout)) {
        Ok(Some(limit)) => limit,
        Ok(None) => crate::serve::DEFAULT_TIMEOUT,
        Err(code) => return code,
    };
    if args.write && data.as_of.is_some() {
        errln!(
            "error: --write and --as-of cannot go together: a dated view hides relationships, so it cannot be changed"
        );
        return ExitCode::from(2);
    }
    if args.write && data.read_only {
        errln!("error: --write and --read-only cannot go together");
        return ExitCode::from(2);
    }
    let mut session = match data.open_session() {
        Ok(session) => session,
        Err(code) => return code,
    };
    if !args.write && data.db.is_some() {
        // A server that only reads leaves the database to other writers.
        session.db = None;
    }
    let limits = match args.rows {
        Some(_) => limits,
        None => limits.with_max_rows(crate::serve::DEFAULT_MAX_ROWS),
    };
    let listen = args
        .listen
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
    if !listen.is_loopback() {
        errln!(
            "warning: listening on {listen}, not only this machine: anyone who can reach it can read the graph{}",
            if args.write { " and change it" } else { "" }
        );
    }
    let options = crate::serve::Options {
        listen,
        port: args.port,
        write: args.write,
        limits,
        timeout,
    };
    let (nodes, edges) = (session.graph.node_count(), session.graph.edge_count());
    let write = args.write;
    let outcome = crate::serve::run(session, options, move |address| {
        errln!(
            "serving {nodes} entities and {edges} relationships ({}); press Ctrl-C to stop",
            if write {
                "statements may write"
            } else {
                "read only"
            }
        );
        outln!("http://{address}/");
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
