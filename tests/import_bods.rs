//! The BODS importer and merging by identifier: the published examples, history, bad input,
//! idempotent re-imports, and the command line and shell over them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alliances::datafile::{self, Format};
use alliances::import::{self, ImportError, ImportOptions, Imported};
use alliances::model::{Schema, Value};
use alliances::session::{ImportRefused, ImportRequest, Origin, Session};

const CASES: &str = "tests/cases/import/bods";

fn read(paths: &[PathBuf]) -> Result<Imported, ImportError> {
    let format = import::format("bods")?;
    let files = import::read_inputs(format, paths)?;
    import::import(format, &files, &ImportOptions::default())
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn alliances(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alliances"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn empty_session() -> Session {
    let text = datafile::dataset_text(&Default::default(), Format::Json).unwrap();
    let graph = datafile::load_texts(
        &[datafile::TextInput {
            name: "empty",
            text: &text,
            format: Format::Json,
        }],
        Schema::Alliance,
    )
    .unwrap();
    Session::new(graph, Origin::Files(Vec::new()), None)
}

fn request(paths: &[PathBuf], accept_losses: bool) -> ImportRequest {
    ImportRequest {
        format: "bods".to_owned(),
        paths: paths.to_vec(),
        options: ImportOptions::default(),
        accept_losses,
        check_only: false,
    }
}

fn graph_text(session: &Session) -> String {
    datafile::to_text(&session.graph, Format::Toml).unwrap()
}

/// A BODS 0.4 statement.
fn statement(
    id: &str,
    record: &str,
    kind: &str,
    date: &str,
    status: &str,
    details: &str,
) -> String {
    format!(
        r#"{{"statementId":"{id}","statementDate":"{date}","recordId":"{record}","recordType":"{kind}","recordStatus":"{status}","publicationDetails":{{"publicationDate":"2024-01-31","bodsVersion":"0.4","publisher":{{"name":"Test Register"}}}},"recordDetails":{details}}}"#
    )
}

fn entity(id: &str, record: &str, name: &str, lei: &str) -> String {
    statement(
        id,
        record,
        "entity",
        "2024-01-01",
        "new",
        &format!(
            r#"{{"isComponent":false,"entityType":{{"type":"registeredEntity"}},"name":"{name}","identifiers":[{{"scheme":"XI-LEI","id":"{lei}"}}]}}"#
        ),
    )
}

fn person(id: &str, record: &str, name: &str) -> String {
    statement(
        id,
        record,
        "person",
        "2024-01-01",
        "new",
        &format!(
            r#"{{"isComponent":false,"personType":"knownPerson","names":[{{"type":"legal","fullName":"{name}"}}]}}"#
        ),
    )
}

fn shareholding(id: &str, record: &str, date: &str, status: &str, share: &str) -> String {
    statement(
        id,
        record,
        "relationship",
        date,
        status,
        &format!(
            r#"{{"isComponent":false,"subject":"rec-acme","interestedParty":"rec-ada","interests":[{{"type":"shareholding","directOrIndirect":"direct","share":{share},"startDate":"2020-01-01"}}]}}"#
        ),
    )
}

const LEI: &str = "5493001KJTIIGC8Y1R12";

#[test]
fn every_published_example_imports_into_a_valid_graph() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(CASES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    for path in names {
        let imported = read(std::slice::from_ref(&path)).unwrap();
        assert!(!imported.dataset.entity.is_empty(), "{}", path.display());
        let graph = imported
            .to_graph(&path.display().to_string(), Schema::Alliance)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Saved and loaded back as a data file, it is the same graph.
        let text = datafile::to_text(&graph, Format::Toml).unwrap();
        let again = datafile::load_texts(
            &[datafile::TextInput {
                name: "again.toml",
                text: &text,
                format: Format::Toml,
            }],
            Schema::Alliance,
        )
        .unwrap();
        assert_eq!(datafile::to_text(&again, Format::Toml).unwrap(), text);
        // Every relationship cites a source the import made from the statements.
        for tie in &imported.dataset.relationship {
            assert!(!tie.sources.is_empty());
        }
        // Nothing the model holds is reported lost.
        for (kind, _) in imported.losses.kinds() {
            for held in [
                "`name`",
                "`identifiers`",
                "`share`",
                "`startDate`",
                "`jurisdiction`",
                "`names`",
            ] {
                assert!(!kind.contains(held), "{}: {kind}", path.display());
            }
        }
    }
}

#[test]
fn the_indirect_ownership_example_maps_onto_ownership_ties() {
    let imported = read(&[PathBuf::from(CASES).join("indirect-ownership.json")]).unwrap();
    let ties = &imported.dataset.relationship;
    assert_eq!(ties.len(), 2);
    let person = ties.iter().find(|t| t.from == "person-1").unwrap();
    assert_eq!(person.rel_type.as_str(), "invests-in");
    assert_eq!(person.properties["stake_pct"], Value::Float(30.0));
    assert_eq!(person.properties["holding"], Value::from("indirect"));
    let company = ties.iter().find(|t| t.from == "company-b").unwrap();
    assert_eq!(company.properties["stake_pct"], Value::Float(60.0));
    assert_eq!(company.properties["holding"], Value::from("direct"));
    // The one interest that names no type is counted, not dropped silently.
    assert_eq!(imported.losses.count("BODS interest without a type"), 1);
    assert_eq!(imported.losses.total(), 1);
    let a = imported
        .dataset
        .entity
        .iter()
        .find(|e| e.name == "Company A")
        .unwrap();
    assert_eq!(a.ids["bods"], "ad3f6c2fcc9e");
    assert_eq!(a.ids["gb_coh"], "XE9999");
}

#[test]
fn owners_gives_the_declared_indirect_share() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::canonicalize(CASES)
        .unwrap()
        .join("indirect-ownership.json");
    let out = alliances(
        dir.path(),
        &[
            "import",
            "bods",
            example.to_str().unwrap(),
            "-o",
            "owners.toml",
            "--accept-losses",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    write(dir.path(), "script.txt", ":owners \"Company A\"\n");
    let out = alliances(
        dir.path(),
        &["--data", "owners.toml", "--file", "script.txt"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("30%  Person 1"), "{text}");
    assert!(
        text.contains("Person 1 -[30% indirect]-> Company A  = 30%"),
        "{text}"
    );
    assert!(text.contains("60%  Company B"), "{text}");
}

#[test]
fn a_record_history_keeps_what_ended() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        entity("s1", "rec-acme", "Acme Holdings", LEI),
        person("s2", "rec-ada", "Ada Lovelace"),
        shareholding("s3", "rec-stake", "2021-03-01", "new", r#"{"exact":40}"#),
        shareholding(
            "s4",
            "rec-stake",
            "2023-06-30",
            "updated",
            r#"{"minimum":50,"exclusiveMaximum":75}"#,
        ),
        shareholding(
            "s5",
            "rec-stake",
            "2024-01-15",
            "closed",
            r#"{"minimum":50,"exclusiveMaximum":75}"#,
        ),
    ];
    let path = write(dir.path(), "history.jsonl", &lines.join("\n"));
    let imported = read(&[path]).unwrap();
    assert!(imported.losses.is_empty(), "{}", imported.losses);
    let ties = &imported.dataset.relationship;
    assert_eq!(ties.len(), 2, "{ties:?}");
    // The 40% a later statement replaced ended on that statement's date.
    assert_eq!(ties[0].properties["stake_pct"], Value::Float(40.0));
    assert_eq!(
        ties[0].properties["end_date"],
        Value::Date("2023-06-30".parse().unwrap())
    );
    // The range held until the record was closed.
    assert_eq!(ties[1].properties["stake_min"], Value::Float(50.0));
    assert_eq!(ties[1].properties["stake_max"], Value::Float(75.0));
    assert_eq!(ties[1].extra["stake_max_exclusive"], Value::Bool(true));
    assert_eq!(
        ties[1].properties["end_date"],
        Value::Date("2024-01-15".parse().unwrap())
    );
    imported.to_graph("history", Schema::Alliance).unwrap();
}

#[test]
fn bods_0_2_statements_are_read_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"[
      {"statementID":"x","statementId":"e1","statementType":"entityStatement","entityType":"registeredEntity","name":"Old Co","incorporatedInJurisdiction":{"name":"United Kingdom","code":"GB"},"publicationDetails":{"publicationDate":"2019-05-01","bodsVersion":"0.2","publisher":{"name":"Old Register"}}},
      {"statementId":"p1","statementType":"personStatement","names":[{"fullName":"Grace Hopper"}],"publicationDetails":{"publicationDate":"2019-05-01","bodsVersion":"0.2","publisher":{"name":"Old Register"}}},
      {"statementId":"o1","statementType":"ownershipOrControlStatement","subject":{"describedByEntityStatement":"e1"},"interestedParty":{"describedByPersonStatement":"p1"},"interests":[{"type":"shareholding","interestLevel":"direct","share":{"exact":25}},{"type":"voting-rights","share":{"minimum":25,"maximum":50}}],"publicationDetails":{"publicationDate":"2019-05-01","bodsVersion":"0.2","publisher":{"name":"Old Register"}}}
    ]"#;
    let path = write(dir.path(), "old.json", text);
    let file = import::InputFile {
        path: path.clone(),
        bytes: text.as_bytes().to_vec(),
    };
    let format = import::format("bods").unwrap();
    assert_eq!(
        (format.recognise)(&file).as_deref(),
        Some("a BODS 0.2 file")
    );
    let imported = read(&[path]).unwrap();
    let ties = &imported.dataset.relationship;
    assert_eq!(ties.len(), 2);
    assert_eq!(ties[0].rel_type.as_str(), "invests-in");
    assert_eq!(ties[1].rel_type.as_str(), "controls");
    assert_eq!(ties[1].properties["interest"], Value::from("voting-rights"));
    let old = &imported.dataset.entity[0];
    assert_eq!(old.country.as_deref(), Some("GB"));
    // The unknown field `statementID` is counted, with its place.
    assert_eq!(
        imported.losses.count("BODS statement field `statementID`"),
        1
    );
    imported.to_graph("old", Schema::Alliance).unwrap();
}

#[test]
fn malformed_statements_are_all_reported_with_their_pointers() {
    let dir = tempfile::tempdir().unwrap();
    let bad_share = shareholding("s3", "rec-stake", "2021-03-01", "new", r#"{"exact":150}"#);
    let no_record = statement("s4", "", "entity", "2024-01-01", "new", r#"{"name":"X"}"#)
        .replace(r#""recordId":"","#, "");
    let text = format!(
        "[{},\n{},\n{},\n{}]",
        entity("s1", "rec-acme", "Acme Holdings", LEI),
        person("s2", "rec-ada", "Ada Lovelace"),
        bad_share,
        no_record
    );
    let path = write(dir.path(), "bad.json", &text);
    let Err(ImportError::Invalid(problems)) = read(&[path]) else {
        panic!("the file should be refused");
    };
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    // Both bad records, each with its place, in one report.
    assert_eq!(problems.len(), 2, "{text:?}");
    assert!(
        text.iter()
            .any(|p| p.contains("at /3/recordId") && p.contains("no `recordId`")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|p| p.contains("at /2/recordDetails/interests/0/share/exact")),
        "{text:?}"
    );
}

#[test]
fn a_bad_share_names_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[{},\n{},\n{},\n{}]",
        entity("s1", "rec-acme", "Acme Holdings", LEI),
        person("s2", "rec-ada", "Ada Lovelace"),
        shareholding("s3", "rec-stake", "2021-03-01", "new", r#"{"exact":150}"#),
        shareholding("s4", "rec-other", "2021-03-01", "new", r#"{"exact":"ten"}"#),
    );
    let path = write(dir.path(), "bad.json", &text);
    let Err(ImportError::Invalid(problems)) = read(&[path]) else {
        panic!("the file should be refused");
    };
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 2, "{text:?}");
    assert!(
        text[0]
            .contains("bad.json at /2/recordDetails/interests/0/share/exact: `share.exact` is 150"),
        "{text:?}"
    );
    assert!(
        text[1].contains("at /3/recordDetails/interests/0/share/exact"),
        "{text:?}"
    );
}

#[test]
fn a_broken_json_file_gives_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "broken.json",
        "[\n {\"statementId\": \"a\",\n  \"recordType\" \"entity\"}\n]",
    );
    let Err(ImportError::Invalid(problems)) = read(&[path]) else {
        panic!("the file should be refused");
    };
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].to_string().contains("broken.json:3:"),
        "{}",
        problems[0]
    );
}

#[test]
fn importing_twice_changes_nothing_the_second_time() {
    let mut session = empty_session();
    let examples = [
        PathBuf::from(CASES).join("tecido.json"),
        PathBuf::from(CASES).join("fermcat.json"),
    ];
    let first = session.import(&request(&examples, true)).unwrap();
    assert!(first.merge.entities_added > 0);
    let after_first = graph_text(&session);
    let second = session.import(&request(&examples, true)).unwrap();
    assert_eq!(graph_text(&session), after_first);
    assert_eq!(second.merge.entities_added, 0);
    assert_eq!(second.merge.relationships_added, 0);
    assert_eq!(second.merge.sources_added, 0);
    assert_eq!(second.merge.entities_merged, first.merge.entities_added);
}

#[test]
fn entities_merge_by_identifier_and_fill_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(
        dir.path(),
        "base.toml",
        &format!(
            r#"
[[source]]
id = "desk"
title = "Research desk"
publisher = "Us"

[[entity]]
id = "acme"
name = "Acme Holdings"
kind = "company"
sector = "chemicals"
ids = {{ lei = "{LEI}" }}
"#
        ),
    );
    let graph = datafile::load_files(std::slice::from_ref(&base), Schema::Alliance).unwrap();
    let mut session = Session::new(graph, Origin::Files(vec![base]), None);
    let lines = [
        entity("s1", "rec-acme", "ACME HOLDINGS LIMITED", LEI),
        person("s2", "rec-ada", "Ada Lovelace"),
        shareholding("s3", "rec-stake", "2021-03-01", "new", r#"{"exact":40}"#),
    ];
    let path = write(dir.path(), "acme.jsonl", &lines.join("\n"));
    let report = session.import(&request(&[path], false)).unwrap();
    assert_eq!(report.merge.entities_merged, 1);
    assert_eq!(report.merge.entities_added, 1);
    assert_eq!(
        report.merge.merges,
        [format!(
            "merged \"ACME HOLDINGS LIMITED\" with existing \"Acme Holdings\" by lei {LEI}"
        )]
    );
    let data = session.graph.to_dataset().unwrap();
    assert_eq!(data.entity.len(), 2);
    let acme = data.entity.iter().find(|e| e.id == "acme").unwrap();
    assert_eq!(acme.aliases, ["ACME HOLDINGS LIMITED"]);
    assert_eq!(acme.ids["bods"], "rec-acme");
    assert_eq!(acme.sector.as_deref(), Some("chemicals"));
    let tie = &data.relationship[0];
    assert_eq!(
        (tie.from.as_str(), tie.to.as_str()),
        ("ada-lovelace", "acme")
    );
    assert!(
        report
            .to_string()
            .contains("merged \"ACME HOLDINGS LIMITED\" with existing \"Acme Holdings\"")
    );
}

#[test]
fn losses_refuse_the_import_unless_accepted() {
    let mut session = empty_session();
    let before = graph_text(&session);
    let example = [PathBuf::from(CASES).join("indirect-ownership.json")];
    let Err(ImportRefused::Losses(report)) = session.import(&request(&example, false)) else {
        panic!("the losses should refuse the import");
    };
    assert_eq!(report.losses.total(), 1);
    assert!(!report.applied);
    assert_eq!(graph_text(&session), before);
    let report = session.import(&request(&example, true)).unwrap();
    assert!(report.applied);
    assert_eq!(session.graph.node_count(), 3);
}

#[test]
fn a_file_of_another_kind_is_not_read_as_bods() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "list.json",
        r#"[{"id": 1, "name": "not a statement"}]"#,
    );
    let Err(ImportError::Invalid(problems)) = read(&[path]) else {
        panic!("the file should be refused");
    };
    assert!(
        problems[0]
            .to_string()
            .contains("at /0: this is not a BODS statement"),
        "{}",
        problems[0]
    );
}

#[test]
fn the_command_line_checks_writes_and_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let cases = std::fs::canonicalize(CASES).unwrap();
    let example = cases.join("indirect-ownership.json");
    let example = example.to_str().unwrap();
    // Losses not accepted: nothing written, exit 1, and how to accept.
    let out = alliances(dir.path(), &["import", "bods", example, "-o", "out.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1  BODS interest without a type"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give --accept-losses"));
    assert!(!dir.path().join("out.toml").exists());
    // Without -o: checked, nothing written, and how to write.
    let out = alliances(dir.path(), &["import", "bods", example, "--accept-losses"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("give -o OUT.toml"));
    // A folder, written to a file that loads like any data file.
    let folder = dir.path().join("register");
    std::fs::create_dir(&folder).unwrap();
    for name in ["tecido.json", "fermcat.json"] {
        std::fs::copy(cases.join(name), folder.join(name)).unwrap();
    }
    let out = alliances(
        dir.path(),
        &[
            "import",
            "bods",
            "register",
            "-o",
            "all.json",
            "--accept-losses",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = alliances(dir.path(), &["check", "all.json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An unknown format names the ones there are.
    let out = alliances(dir.path(), &["import", "bodz", example]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean \"bods\""));
}

#[test]
fn an_import_into_a_database_is_durable() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::canonicalize(CASES)
        .unwrap()
        .join("joint-ownership.json");
    let example = example.to_str().unwrap();
    let out = alliances(
        dir.path(),
        &[
            "import",
            "bods",
            example,
            "--db",
            "db.toml",
            "--accept-losses",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The data file itself holds the import: it loads without its journal.
    let graph = datafile::load_files(&[dir.path().join("db.toml")], Schema::Alliance).unwrap();
    assert_eq!(graph.node_count(), 4);
    assert_eq!(graph.edge_count(), 3);
    // Again: nothing changes.
    let before = std::fs::read(dir.path().join("db.toml")).unwrap();
    let out = alliances(
        dir.path(),
        &[
            "import",
            "bods",
            example,
            "--db",
            "db.toml",
            "--accept-losses",
        ],
    );
    assert!(out.status.success());
    assert_eq!(std::fs::read(dir.path().join("db.toml")).unwrap(), before);
}

#[test]
fn the_shell_imports_into_the_open_graph() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::canonicalize(CASES)
        .unwrap()
        .join("indirect-ownership.json");
    let script = format!(
        ":import bods {0}\n:import bods {0} --accept-losses\nMATCH (p:Person)-[r:INVESTS_IN]->(c) RETURN p.name, r.stake_pct, c.name\n",
        example.display()
    );
    write(dir.path(), "script.txt", &script);
    let out = alliances(dir.path(), &["--file", "script.txt", "--continue-on-error"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stderr.contains("type the command again with --accept-losses"),
        "{stderr}"
    );
    assert!(
        stderr.contains("imported; :save FILE writes the graph"),
        "{stderr}"
    );
    assert!(
        stdout.contains("Person 1") && stdout.contains("30"),
        "{stdout}"
    );
}

#[test]
fn the_whole_examples_folder_imports_with_shared_names_told_apart() {
    let mut session = empty_session();
    let folder = [PathBuf::from(CASES)];
    let first = session.import(&request(&folder, true)).unwrap();
    // Two examples each have a "Company B" and a "Person 1" of their own.
    assert_eq!(first.merge.names_told_apart, 2, "{first}");
    let data = session.graph.to_dataset().unwrap();
    let told: Vec<(&str, Option<&Value>)> = data
        .entity
        .iter()
        .filter(|e| e.name.starts_with("Company B"))
        .map(|e| (e.name.as_str(), e.extra.get("plain_name")))
        .collect();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told.contains(&("Company B", None)), "{told:?}");
    let other = told.iter().find(|(n, _)| *n != "Company B").unwrap();
    // Told apart by its register identifier, whose scheme names its jurisdiction.
    assert_eq!(other.0, "Company B (UA-EDR UA-XE-02)");
    assert_eq!(other.1, Some(&Value::from("Company B")));
    let report = first.to_string();
    assert!(
        report.contains("\"Company B\" is already entity company-b's: the imported one is \"Company B (UA-EDR UA-XE-02)\""),
        "{report}"
    );
    let after_first = graph_text(&session);
    let second = session.import(&request(&folder, true)).unwrap();
    assert_eq!(graph_text(&session), after_first);
    assert_eq!(second.merge.entities_added, 0);
    assert_eq!(second.merge.relationships_added, 0);
    assert_eq!(second.merge.names_told_apart, 0, "{second}");
    assert_eq!(second.merge.entities_merged, first.merge.entities_added);
}

#[test]
fn two_firms_of_one_name_in_a_register_stay_two() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        entity("s1", "rec-1", "ACME LTD", LEI),
        entity("s2", "rec-2", "Acme Ltd", "529900T8BM49AURSDO55"),
    ];
    let path = write(dir.path(), "register.jsonl", &lines.join("\n"));
    let mut session = empty_session();
    let report = session
        .import(&request(std::slice::from_ref(&path), false))
        .unwrap();
    assert_eq!(report.merge.entities_added, 2);
    assert_eq!(report.merge.names_told_apart, 1);
    let data = session.graph.to_dataset().unwrap();
    let names: Vec<&str> = data.entity.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["ACME LTD", "Acme Ltd (LEI 529900T8BM49AURSDO55)"]);
    let again = session.import(&request(&[path], false)).unwrap();
    assert_eq!(again.merge.entities_merged, 2);
    assert_eq!(again.merge.names_told_apart, 0);
    assert_eq!(session.graph.to_dataset().unwrap().entity, data.entity);
}

#[test]
fn a_broken_rule_is_reported_where_the_statement_says_it() {
    let dir = tempfile::tempdir().unwrap();
    let ended_before_begun = statement(
        "s3",
        "rec-stake",
        "relationship",
        "2024-01-01",
        "new",
        r#"{"isComponent":false,"subject":"rec-acme","interestedParty":"rec-ada","interests":[{"type":"shareholding","directOrIndirect":"direct","share":{"exact":10},"startDate":"2022-01-01","endDate":"2020-01-01"}]}"#,
    );
    let lines = [
        entity("s1", "rec-acme", "Acme", LEI),
        person("s2", "rec-ada", "Ada Lovelace"),
        ended_before_begun,
    ];
    let path = write(dir.path(), "dates.jsonl", &lines.join("\n"));
    let mut session = empty_session();
    let err = session
        .import(&request(std::slice::from_ref(&path), false))
        .unwrap_err();
    let ImportRefused::Import(ImportError::RulesAt(problems)) = &err else {
        panic!("expected rule problems, got {err}");
    };
    assert_eq!(problems.len(), 1, "{err}");
    let problem = &problems[0];
    assert_eq!(problem.file, path);
    assert_eq!(
        problem.place,
        import::Place::LinePointer {
            line: 3,
            pointer: "/recordDetails/interests/0".to_owned()
        }
    );
    assert!(
        problem
            .message
            .starts_with("dates-out-of-order: `end_date` 2020-01-01 is before `date` 2022-01-01"),
        "{err}"
    );
    assert!(!err.to_string().contains("as records"), "{err}");
}
