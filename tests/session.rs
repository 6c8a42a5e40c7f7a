//! The library's session, driven as a program (a web server, a notebook) would: open, run
//! statements with parameters, keep changes in a database, refuse writes to a dated view.

use alliances::query::QueryValue;
use alliances::session::{Origin, Request, Session};

fn run(session: &mut Session, text: &str) -> Result<alliances::query::QueryResult, String> {
    let mut ran = session.execute(text).map_err(|e| e.to_string())?;
    Ok(ran.pop().ok_or("no statement")?.result)
}

#[test]
fn a_session_on_the_built_in_dataset_runs_statements_with_parameters() {
    let (mut session, notes) = Session::open(&Request::default(), &|_| {}).unwrap();
    assert!(notes.is_empty());
    assert!(matches!(session.origin, Origin::Default));
    session
        .params
        .insert("name".to_owned(), QueryValue::String("Intel".to_owned()));
    let result = run(
        &mut session,
        "MATCH (i)-[:INVESTS_IN]->({name: $name}) RETURN count(i) AS n",
    )
    .unwrap();
    assert_eq!(result.rows[0][0].to_string(), "3");
}

#[test]
fn a_database_session_keeps_its_statements_and_folds_on_close() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    let request = Request {
        db: Some(path.clone()),
        from_default: true,
        ..Request::default()
    };
    let (mut session, notes) = Session::open(&request, &|_| {}).unwrap();
    assert!(notes[0].starts_with("created the database"), "{notes:?}");
    run(
        &mut session,
        "CREATE (:Company {id: 'aleph-alpha', name: 'Aleph Alpha'})",
    )
    .unwrap();
    assert!(session.db.as_ref().unwrap().has_unfolded());
    assert_eq!(session.close(), None, "the fold succeeds");
    drop(session);
    let reader = Request {
        read_only: true,
        ..request
    };
    let (mut session, _) = Session::open(&reader, &|_| {}).unwrap();
    let result = run(
        &mut session,
        "MATCH (n {id: 'aleph-alpha'}) RETURN n.name AS name",
    )
    .unwrap();
    assert_eq!(result.rows[0][0].to_string(), "\"Aleph Alpha\"");
    let refused = run(&mut session, "CREATE (:Company {id: 'x', name: 'X'})").unwrap_err();
    assert!(refused.contains("open for reading only"), "{refused}");
}

#[test]
fn a_dated_view_refuses_writes_and_changes_nothing() {
    let request = Request {
        as_of: Some("2024-01-01".parse().unwrap()),
        ..Request::default()
    };
    let (mut session, notes) = Session::open(&request, &|_| {}).unwrap();
    assert!(notes[0].starts_with("as of 2024-01-01"), "{notes:?}");
    // A view opened with an as-of date is the graph itself; the shell's `:asof` keeps the
    // whole graph beside the view, and that view refuses writes.
    let whole = alliances::default_graph();
    session.as_of = Some(("2024-01-01".parse().unwrap(), whole));
    let before = session.graph.node_count();
    let refused = run(&mut session, "CREATE (:Company {id: 'x', name: 'X'})").unwrap_err();
    assert!(refused.contains("shown as of 2024-01-01"), "{refused}");
    assert_eq!(session.graph.node_count(), before);
}

#[test]
fn the_session_limits_bound_every_statement_it_prepares() {
    let (mut session, _) = Session::open(&Request::default(), &|_| {}).unwrap();
    assert!(run(&mut session, "MATCH (n) RETURN n.name").is_ok());
    session.limits = alliances::query::Limits::default().with_max_rows(3);
    let cut = run(&mut session, "MATCH (n) RETURN n.name").unwrap();
    assert_eq!(cut.rows.len(), 3);
    assert!(cut.notes[0].contains("(max-rows)"), "{:?}", cut.notes);
    let interrupt = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    session.limits = alliances::query::Limits::default().with_interrupt(interrupt);
    let stopped = run(&mut session, "MATCH (a)--(b)--(c) RETURN count(*)").unwrap_err();
    assert!(stopped.contains("interrupted"), "{stopped}");
}

#[test]
fn execute_stops_at_the_first_failing_statement_and_keeps_those_before() {
    let (mut session, _) = Session::open(&Request::default(), &|_| {}).unwrap();
    let failed = session.execute(
        "CREATE (:Company {id: 'a1', name: 'A1'}); CREATE (:Company {id: 'a1', name: 'A2'}); CREATE (:Company {id: 'a3', name: 'A3'})",
    );
    assert!(failed.is_err());
    let kept = run(
        &mut session,
        "MATCH (c:Company) WHERE c.id STARTS WITH 'a' AND size(c.id) = 2 RETURN c.name",
    )
    .unwrap();
    assert_eq!(kept.rows.len(), 1, "{kept:?}");
    assert_eq!(kept.rows[0][0].to_string(), "\"A1\"");
}

/// A data file that adds a kind and a relationship type to the vocabulary.
const EXTENDED: &str = r#"
[[vocabulary.kind]]
name = "research-lab"

[[vocabulary.relationship]]
name = "licenses-to"
from = ["research-lab"]
to = ["company"]
properties = ["product"]

[[source]]
id = "s"
title = "T"
publisher = "P"
date = "2025"

[[entity]]
id = "lab"
name = "Lab"
kind = "research-lab"

[[entity]]
id = "firm"
name = "Firm"
kind = "company"
"#;

#[test]
fn a_database_keeps_the_vocabulary_its_data_file_extends_for_later_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.toml");
    std::fs::write(&path, EXTENDED).unwrap();
    let request = Request {
        db: Some(path.clone()),
        ..Request::default()
    };
    let (mut session, _) = Session::open(&request, &|_| {}).unwrap();
    run(
        &mut session,
        "MATCH (a:ResearchLab {id: 'lab'}), (b {id: 'firm'}) CREATE (a)-[:LICENSES_TO {product: 'models', sources: ['s']}]->(b)",
    )
    .unwrap();
    let refused = run(
        &mut session,
        "MATCH (a {id: 'firm'}), (b {id: 'lab'}) CREATE (a)-[:LICENSES_TO {sources: ['s']}]->(b)",
    )
    .unwrap_err();
    assert!(refused.contains("wrong-endpoint"), "{refused}");
    assert_eq!(session.close(), None);
    drop(session);
    // Folded into the data file, which still extends the vocabulary.
    let (mut session, _) = Session::open(&request, &|_| {}).unwrap();
    let found = run(
        &mut session,
        "MATCH (:ResearchLab)-[r:LICENSES_TO]->() RETURN r.product AS product",
    )
    .unwrap();
    assert_eq!(found.rows[0][0].to_string(), "\"models\"");
    // A snapshot keeps it too.
    let snapshot = dir.path().join("lab.alliances");
    alliances::datafile::save(&session.graph, &snapshot).unwrap();
    let reopened =
        alliances::datafile::load_files(&[snapshot], alliances::Schema::Alliance).unwrap();
    assert!(reopened.vocabulary().relationship("licenses-to").is_some());
    assert_eq!(reopened.type_count("LICENSES_TO"), 1);
}

#[test]
fn the_meta_commands_operations_are_the_sessions_own() {
    use alliances::session::{Saved, SessionError};
    let dir = tempfile::tempdir().unwrap();
    let (mut session, _) = Session::open(&Request::default(), &|_| {}).unwrap();
    let whole = session.graph.edge_count();
    let note = session.show_as_of("2024-01-01".parse().unwrap());
    assert!(note.contains("hidden"), "{note}");
    assert!(session.graph.edge_count() < whole);
    let refused = session
        .save(Some(&dir.path().join("dated.toml")))
        .unwrap_err();
    assert!(
        matches!(refused, SessionError::DatedView { .. }),
        "{refused}"
    );
    assert!(refused.to_string().contains("(as-of off)"), "{refused}");
    assert!(matches!(
        session.replace(alliances::default_graph(), Origin::Default),
        Err(SessionError::DatedView { .. })
    ));
    assert!(session.show_whole());
    assert!(!session.show_whole(), "already whole");
    assert_eq!(session.graph.edge_count(), whole);
    assert!(matches!(session.save(None), Err(SessionError::NoFile)));
    let path = dir.path().join("saved.toml");
    assert_eq!(
        session.save(Some(&path)).unwrap(),
        Saved::Written(path.clone())
    );
    let (mut reopened, _) = Session::open(
        &Request {
            data: vec![path.clone()],
            ..Request::default()
        },
        &|_| {},
    )
    .unwrap();
    assert_eq!(reopened.graph.edge_count(), whole);
    assert_eq!(reopened.save(None).unwrap(), Saved::Written(path));
}
