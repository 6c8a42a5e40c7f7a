//! Shell commands that change which graph is open or write it: `:load`, `:import`, `:asof`,
//! `:save`.

use super::{Next, Session};
use crate::model::Schema;
use crate::session::Origin;
use std::path::PathBuf;

use super::*;

pub(super) fn run_load(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    may_replace(session)?;
    let path = one_path(rest, ":load FILE")?;
    let mut graph = crate::datafile::load_files(std::slice::from_ref(&path), Schema::Alliance)
        .map_err(|e| e.to_string())?;
    crate::datafile::check_schema(&graph, session.graph.schema(), &path)
        .map_err(|e| format!("error: {e}"))?;
    graph.set_schema(session.graph.schema());
    replace_graph(session, graph, Origin::Files(vec![path]));
    Ok(Next::Continue)
}

pub(super) fn run_import(
    session: &mut Session,
    _command: &str,
    rest: &str,
) -> Result<Next, String> {
    may_replace(session)?;
    let paths: Vec<&str> = rest.split_whitespace().collect();
    let [nodes, edges] = paths.as_slice() else {
        return Err(
            "error: :import takes two files, for example :import nodes.csv edges.csv".to_owned(),
        );
    };
    let (nodes, edges) = (PathBuf::from(nodes), PathBuf::from(edges));
    let mut graph = crate::repl::output::load_csv(&nodes, &edges).map_err(|e| e.to_string())?;
    graph.set_schema(session.graph.schema());
    replace_graph(session, graph, Origin::Csv { nodes, edges });
    Ok(Next::Continue)
}

pub(super) fn run_asof(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    if rest == "off" || rest.is_empty() {
        match session.as_of.take() {
            Some((_, full)) => {
                session.graph = full;
                errln!("the whole graph is shown again");
            }
            None if rest.is_empty() => {
                errln!("the whole graph is shown; :asof DATE shows it as of a date")
            }
            None => {}
        }
        return Ok(Next::Continue);
    }
    let date: crate::model::Date = rest
        .parse()
        .map_err(|e| format!("error: {e}; write :asof 2025-01-01, :asof 2025-01 or :asof off"))?;
    let full = match session.as_of.take() {
        Some((_, full)) => full,
        None => std::mem::take(&mut session.graph),
    };
    let (view, counts) = full.as_of(date);
    session.graph = view;
    session.as_of = Some((date, full));
    errln!("{}", crate::session::as_of_note(date, &counts));
    Ok(Next::Continue)
}

pub(super) fn run_save(session: &mut Session, _command: &str, rest: &str) -> Result<Next, String> {
    if let Some((date, _)) = &session.as_of {
        return Err(format!(
            "error: the graph is shown as of {date}; type :asof off before saving it"
        ));
    }
    if rest.is_empty()
        && let Some(path) = session.db.as_ref().map(|db| db.path().to_owned())
    {
        session.core.fold().map_err(|e| format!("error: {e}"))?;
        errln!("saved the journal into {}", path.display());
        return Ok(Next::Continue);
    }
    let path = if rest.is_empty() {
        match &session.origin {
            Origin::Files(files) if files.len() == 1 => files[0].clone(),
            _ => {
                return Err(
                    "error: :save needs a file name here, for example :save alliances.toml"
                        .to_owned(),
                );
            }
        }
    } else {
        PathBuf::from(rest)
    };
    if let Some(db) = &session.db
        && db.owns(&path)
    {
        return Err(format!(
            "error: {} is this database's own file; type :save without a file name to fold the journal into it",
            path.display()
        ));
    }
    crate::db::refuse_database(
        &path,
        "saving over it would bypass its journal; open it with --db to change it",
    )
    .map_err(|e| format!("error: {e}"))?;
    crate::datafile::save(&session.graph, &path).map_err(|e| e.to_string())?;
    session.unsaved = false;
    errln!("saved to {}", path.display());
    Ok(Next::Continue)
}

pub(super) fn one_path(rest: &str, usage: &str) -> Result<PathBuf, String> {
    if rest.is_empty() {
        return Err(format!("error: usage: {usage}"));
    }
    Ok(PathBuf::from(rest))
}

pub(super) fn replace_graph(session: &mut Session, graph: crate::store::Graph, origin: Origin) {
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
    session.graph = graph;
    session.origin = origin;
    session.unsaved = false;
}
