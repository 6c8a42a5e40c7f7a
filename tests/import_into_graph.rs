//! Importing into a graph that is already there: relationship ends named by an identifier or
//! a name find the entities of the graph (csv, ftm, gleif), an end nothing holds is refused at
//! the input's place, and a model rule an imported record breaks is reported at the input that
//! said it (row and column, line and pointer).

use std::path::{Path, PathBuf};

use alliances::datafile::{self, Format};
use alliances::import::{ImportError, ImportOptions, Place, RecordProblem};
use alliances::model::Schema;
use alliances::session::{ImportRefused, ImportRequest, Origin, Session};

const ALPHA_LEI: &str = "5493001KJTIIGC8Y1R12";
/// A valid LEI (check digits right) that no test graph holds.
const UNKNOWN_LEI: &str = "ZZ00ALPHACOMPUTE0030";

/// The graph `toml` describes, open in a session.
fn session(toml: &str) -> Session {
    let graph = datafile::load_texts(
        &[datafile::TextInput {
            name: "base.toml",
            text: toml,
            format: Format::Toml,
        }],
        Schema::Alliance,
    )
    .unwrap();
    Session::new(graph, Origin::Files(Vec::new()), None)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn request(format: &str, paths: &[PathBuf], mapping: &[(&str, &str)]) -> ImportRequest {
    ImportRequest {
        format: format.to_owned(),
        paths: paths.to_vec(),
        options: ImportOptions {
            mapping: mapping
                .iter()
                .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
                .collect(),
            mapping_file: None,
            batch_rows: None,
        },
        accept_losses: true,
        check_only: false,
    }
}

/// The rule problems of a refused import.
fn refused(result: Result<impl std::fmt::Debug, ImportRefused>) -> Vec<RecordProblem> {
    match result {
        Err(ImportRefused::Import(ImportError::RulesAt(problems))) => problems,
        other => panic!("expected rule problems placed at the input, got {other:?}"),
    }
}

/// The (type, from, to) of every relationship of the session's graph.
fn ties(session: &Session) -> Vec<(String, String, String)> {
    let data = session.graph.to_dataset().unwrap();
    let mut ties: Vec<_> = data
        .relationship
        .iter()
        .map(|r| (r.rel_type.to_string(), r.from.clone(), r.to.clone()))
        .collect();
    ties.sort();
    ties
}

const FIRMS: &str = r#"
[[entity]]
id = "alpha"
name = "Alpha Industrie SA"
kind = "company"
ids = { lei = "5493001KJTIIGC8Y1R12" }

[[entity]]
id = "beta"
name = "Beta Pension Fund"
kind = "fund"
"#;

const REGISTER_MAP: &[(&str, &str)] = &[
    ("from_name", "Shareholder"),
    ("to_lei", "Company LEI"),
    ("fixed.type", "invests-in"),
    ("stake_pct", "Stake (%)"),
];

#[test]
fn csv_ends_named_by_identifier_and_name_are_the_graphs_entities() {
    let dir = tempfile::tempdir().unwrap();
    let register = write(
        dir.path(),
        "register.csv",
        &format!("Shareholder,Company LEI,Stake (%)\nBeta Pension Fund,{ALPHA_LEI},12.5\n"),
    );
    let mut session = session(FIRMS);
    let report = session
        .import(&request(
            "csv",
            std::slice::from_ref(&register),
            REGISTER_MAP,
        ))
        .unwrap();
    assert_eq!(report.merge.entities_added, 0, "{report}");
    assert_eq!(
        ties(&session),
        [(
            "invests-in".to_owned(),
            "beta".to_owned(),
            "alpha".to_owned()
        )]
    );
    // Again: the same tie, not a second one.
    let again = session
        .import(&request("csv", &[register], REGISTER_MAP))
        .unwrap();
    assert_eq!(again.merge.relationships_present, 1, "{again}");
    assert_eq!(ties(&session).len(), 1);
}

#[test]
fn a_csv_end_nothing_holds_is_refused_at_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let register = write(
        dir.path(),
        "register.csv",
        &format!(
            "Shareholder,Company LEI,Stake (%)\nBeta Pension Fund,{ALPHA_LEI},12.5\nBeta Pension Fund,{UNKNOWN_LEI},3\n"
        ),
    );
    let mut session = session(FIRMS);
    let problems = refused(session.import(&request(
        "csv",
        std::slice::from_ref(&register),
        REGISTER_MAP,
    )));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    assert_eq!(problem.file, register);
    assert_eq!(
        problem.place,
        Place::Cell {
            row: 3,
            column: "Company LEI".to_owned()
        }
    );
    assert_eq!(
        problem.message,
        format!("no entity has lei {UNKNOWN_LEI} in the import or the graph")
    );
    assert!(
        problem
            .help
            .as_deref()
            .is_some_and(|h| h.contains("--map fixed.to_kind=company")),
        "{problem}"
    );
    assert!(ties(&session).is_empty(), "nothing was imported");
}

#[test]
fn a_csv_rule_problem_is_placed_at_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let firms = write(
        dir.path(),
        "firms.csv",
        "Name,Kind\nAcme,company\nRuritania,government\n",
    );
    let ties_file = write(
        dir.path(),
        "ties.csv",
        "Parent,Child,Stake\nAcme,Ruritania,60\n",
    );
    let mut session = session("");
    session
        .import(&request(
            "csv",
            &[firms],
            &[("name", "Name"), ("kind", "Kind")],
        ))
        .unwrap();
    let problems = refused(session.import(&request(
        "csv",
        std::slice::from_ref(&ties_file),
        &[
            ("from_name", "Parent"),
            ("to_name", "Child"),
            ("fixed.type", "controls"),
            ("stake_pct", "Stake"),
        ],
    )));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    assert_eq!(problem.file, ties_file);
    assert!(
        matches!(&problem.place, Place::Cell { row: 2, column } if column == "Child"),
        "{problem}"
    );
    assert!(problem.message.contains("government"), "{problem}");
}

const FTM_BASE: &str = r#"
[[entity]]
id = "acme"
name = "Acme"
kind = "company"
ids = { ftm = "acme-ftm-id" }
"#;

#[test]
fn an_ftm_link_to_an_entity_of_the_graph_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "owners.ftm.jsonl",
        &[
            r#"{"id": "holdco", "schema": "Company", "properties": {"name": ["Holdco"]}}"#,
            r#"{"id": "own-1", "schema": "Ownership", "properties": {"owner": ["holdco"], "asset": ["acme-ftm-id"], "percentage": ["51"]}}"#,
        ]
        .join("\n"),
    );
    let mut session = session(FTM_BASE);
    let report = session
        .import(&request("ftm", std::slice::from_ref(&path), &[]))
        .unwrap();
    assert_eq!(report.merge.entities_added, 1, "{report}");
    assert_eq!(report.losses.total(), 0, "{report}");
    assert_eq!(
        ties(&session),
        [(
            "invests-in".to_owned(),
            "holdco".to_owned(),
            "acme".to_owned()
        )]
    );
}

#[test]
fn an_ftm_link_to_an_entity_nothing_holds_is_refused_at_its_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "owners.ftm.jsonl",
        &[
            r#"{"id": "holdco", "schema": "Company", "properties": {"name": ["Holdco"]}}"#,
            r#"{"id": "own-1", "schema": "Ownership", "properties": {"owner": ["holdco"], "asset": ["nowhere"]}}"#,
        ]
        .join("\n"),
    );
    let mut session = session(FTM_BASE);
    let problems = refused(session.import(&request("ftm", std::slice::from_ref(&path), &[])));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, path);
    assert_eq!(
        problems[0].place,
        Place::LinePointer {
            line: 2,
            pointer: "/properties/asset/0".to_owned()
        }
    );
    assert_eq!(
        problems[0].message,
        "no entity has ftm nowhere in the import or the graph"
    );
}

#[test]
fn an_ftm_rule_problem_is_placed_at_its_line_and_pointer() {
    let dir = tempfile::tempdir().unwrap();
    // The asset is a government of the graph: `invests-in` cannot end at one.
    let path = write(
        dir.path(),
        "owners.ftm.jsonl",
        &[
            r#"{"id": "holdco", "schema": "Company", "properties": {"name": ["Holdco"]}}"#,
            r#"{"id": "own-1", "schema": "Ownership", "properties": {"owner": ["holdco"], "asset": ["state-id"]}}"#,
        ]
        .join("\n"),
    );
    let mut session = session(&format!(
        "{FTM_BASE}\n[[entity]]\nid = \"state\"\nname = \"State of Ruritania\"\nkind = \"government\"\nids = {{ ftm = \"state-id\" }}\n"
    ));
    let problems = refused(session.import(&request("ftm", std::slice::from_ref(&path), &[])));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, path);
    let Place::LinePointer { line, pointer } = &problems[0].place else {
        panic!("not placed by line: {:?}", problems[0].place);
    };
    assert_eq!(*line, 2, "{}", problems[0]);
    assert_eq!(pointer, "/properties/asset/0", "{}", problems[0]);
    assert!(
        problems[0].message.contains("government"),
        "{}",
        problems[0]
    );
}

const GOLDEN: &str = "tests/cases/import/gleif/golden-copy";

fn golden(kind: &str) -> PathBuf {
    PathBuf::from(GOLDEN).join(format!(
        "20250515-0800-gleif-goldencopy-{kind}-golden-copy.csv"
    ))
}

#[test]
fn gleif_relationships_imported_after_their_entities_join_them() {
    let together = {
        let mut s = session("");
        s.import(&request("gleif", &[golden("lei2"), golden("rr")], &[]))
            .unwrap();
        s.graph.to_dataset().unwrap()
    };
    let mut s = session("");
    s.import(&request("gleif", &[golden("lei2")], &[])).unwrap();
    let entities_before = s.graph.to_dataset().unwrap().entity;
    let report = s.import(&request("gleif", &[golden("rr")], &[])).unwrap();
    assert!(report.merge.entities_merged > 0, "{report}");
    assert!(report.merge.conflicts.is_empty(), "{report}");
    let apart = s.graph.to_dataset().unwrap();
    // No entity twice: the stand-ins the relationship file makes merged into the entities
    // with their LEIs, adding no name, alias or kind.
    assert_eq!(apart.entity.len(), together.entity.len());
    for entity in &entities_before {
        let now = apart.entity.iter().find(|e| e.id == entity.id).unwrap();
        assert_eq!(now.name, entity.name);
        assert_eq!(now.aliases, entity.aliases);
        assert_eq!(now.kind, entity.kind);
    }
    let stand_ins = |d: &alliances::store::DataSet| {
        d.entity
            .iter()
            .filter(|e| e.name.starts_with("LEI "))
            .count()
    };
    assert_eq!(stand_ins(&apart), stand_ins(&together));
    assert_eq!(apart.relationship.len(), together.relationship.len());
}

#[test]
fn a_gleif_relationship_breaking_a_rule_is_placed_at_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let header = std::fs::read_to_string(golden("rr"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let cells = header.split(',').count();
    let mut row = vec!["\"\""; cells];
    let child = format!("\"{UNKNOWN_LEI}\"");
    let parent = format!("\"{ALPHA_LEI}\"");
    row[0] = &child;
    row[1] = "\"LEI\"";
    row[2] = &parent;
    row[3] = "\"LEI\"";
    row[4] = "\"IS_DIRECTLY_CONSOLIDATED_BY\"";
    row[5] = "\"ACTIVE\"";
    let path = write(
        dir.path(),
        "20250515-0800-gleif-goldencopy-rr-golden-copy.csv",
        &format!("{header}\n{}\n", row.join(",")),
    );
    // The graph holds the child as a government: consolidation cannot end at one.
    let mut s = session(&format!(
        "[[entity]]\nid = \"alpha\"\nname = \"Alpha Industrie SA\"\nkind = \"company\"\nids = {{ lei = \"{ALPHA_LEI}\" }}\n\n[[entity]]\nid = \"state\"\nname = \"State of Ruritania\"\nkind = \"government\"\nids = {{ lei = \"{UNKNOWN_LEI}\" }}\n"
    ));
    let problems = refused(s.import(&request("gleif", std::slice::from_ref(&path), &[])));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, path);
    assert!(
        matches!(&problems[0].place, Place::Cell { row: 2, column } if column == "Relationship.StartNode.NodeID"),
        "{}",
        problems[0]
    );
    assert!(
        problems[0].message.contains("government"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_jsonl_rule_problem_is_placed_at_its_line_and_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "graph.jsonl",
        &[
            r#"{"type":"node","id":"0","labels":["Source"],"properties":{"id":"reg","title":"Register","publisher":"Registry"}}"#,
            r#"{"type":"node","id":"1","labels":["Company"],"properties":{"id":"acme","name":"Acme"}}"#,
            r#"{"type":"node","id":"2","labels":["Government"],"properties":{"id":"state","name":"State"}}"#,
            r#"{"type":"relationship","id":"3","label":"CONTROLS","start":{"id":"1"},"end":{"id":"2"},"properties":{"stake_pct":60,"sources":["reg"]}}"#,
        ]
        .join("\n"),
    );
    let mut s = session("");
    let problems = refused(s.import(&request("jsonl", std::slice::from_ref(&path), &[])));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, path);
    assert!(
        matches!(&problems[0].place, Place::LinePointer { line: 4, pointer } if pointer == "/end/id"),
        "{}",
        problems[0]
    );
    assert!(
        problems[0].message.contains("government"),
        "{}",
        problems[0]
    );
}

/// A rule an imported tie breaks at one of its ends is placed at the cell that named the end:
/// the file's usual column for it, or the one a row fell back on when that cell was empty.
#[test]
fn a_broken_end_is_placed_at_the_column_that_named_it() {
    let mut session = session(
        r#"
[[source]]
id = "s"
title = "Register"
publisher = "Registry"

[[entity]]
id = "acme"
name = "Acme"
kind = "company"
sources = ["s"]

[[entity]]
id = "bolt"
name = "Bolt"
kind = "company"
sources = ["s"]
"#,
    );
    let dir = tempfile::tempdir().unwrap();
    // A position is held by a person: both rows start at a company.
    let ties = write(
        dir.path(),
        "ties.csv",
        "by,by_name,of,type\nacme,,bolt,holds-position\n,Bolt,acme,holds-position\n",
    );
    let mapping = [
        ("from", "by"),
        ("from_name", "by_name"),
        ("to", "of"),
        ("type", "type"),
    ];
    let found = refused(session.import(&request("csv", std::slice::from_ref(&ties), &mapping)));
    let places: Vec<(&Path, &Place)> = found.iter().map(|p| (p.file.as_path(), &p.place)).collect();
    let cell = |row, column: &str| Place::Cell {
        row,
        column: column.to_owned(),
    };
    assert_eq!(
        places,
        vec![
            (ties.as_path(), &cell(2, "by")),
            (ties.as_path(), &cell(3, "by_name")),
        ],
        "{found:?}"
    );
    assert!(
        found.iter().all(|p| p.message.contains("wrong-endpoint")),
        "{found:?}"
    );
}
