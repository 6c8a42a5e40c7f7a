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

pub(super) fn run_import(session: &mut Session, _command: &str, rest: &str) -> Outcome {
    may_replace(session)?;
    let paths: Vec<&str> = rest.split_whitespace().collect();
    let [nodes, edges] = paths.as_slice() else {
        return Err(
            "error: :import takes two files, for example :import nodes.csv edges.csv".to_owned(),
        );
    };
    let (nodes, edges) = (PathBuf::from(nodes), PathBuf::from(edges));
    let graph = crate::repl::output::load_csv(&nodes, &edges).map_err(|e| e.to_string())?;
    replace_graph(session, graph, Origin::Csv { nodes, edges })?;
    Ok(Next::Continue)
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
