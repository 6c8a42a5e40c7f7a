//! The `ftm` importer: FollowTheMoney entities as JSON lines, read through the library and
//! loaded under the alliance schema.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use alliances::Schema;
use alliances::import::{self, ImportError, ImportOptions, Imported, InputFile, Place};
use alliances::model::{Date, Entity, Relationship, Value};

const FILE: &str = "tests/cases/import/ftm/alliance.ftm.jsonl";

fn import_file() -> Imported {
    let format = import::format("ftm").expect("ftm is a format");
    let files = import::read_inputs(format, &[PathBuf::from(FILE)]).expect("the file reads");
    import::import(format, &files, &ImportOptions::default()).expect("the file imports")
}

fn import_text(format: &str, name: &str, text: &str) -> Result<Imported, ImportError> {
    let format = import::format(format)?;
    let files = [InputFile {
        path: PathBuf::from(name),
        bytes: text.as_bytes().to_vec(),
    }];
    import::import(format, &files, &ImportOptions::default())
}

fn entity<'a>(imported: &'a Imported, ftm_id: &str) -> &'a Entity {
    imported
        .dataset
        .entity
        .iter()
        .find(|e| e.ids.get("ftm").map(String::as_str) == Some(ftm_id))
        .unwrap_or_else(|| panic!("no entity has FtM id {ftm_id}"))
}

fn link<'a>(imported: &'a Imported, ftm_id: &str) -> &'a Relationship {
    imported
        .dataset
        .relationship
        .iter()
        .find(|r| r.extra.get("ftm_id").and_then(Value::as_str) == Some(ftm_id))
        .unwrap_or_else(|| panic!("no relationship comes from {ftm_id}"))
}

fn text<'a>(map: &'a BTreeMap<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

fn day(text: &str) -> Value {
    Value::Date(text.parse::<Date>().expect("a date"))
}

#[test]
fn entities_file_becomes_a_graph_the_alliance_schema_accepts() {
    let imported = import_file();
    let graph = imported
        .to_graph("ftm", Schema::Alliance)
        .expect("the alliance schema accepts the import");
    assert_eq!(graph.stats().nodes, 7);
    assert_eq!(graph.stats().relationships, 8);
    // Only what the model has no home for is lost: a person-to-person tie, an untyped link
    // and an address record.
    let kinds: Vec<&str> = imported.losses.kinds().map(|(k, _)| k).collect();
    assert_eq!(
        kinds,
        [
            "FtM link `Family` (the model has no such tie)",
            "FtM link `UnknownLink` (the model has no such tie)",
            "FtM schema `Address`",
        ]
    );
}

#[test]
fn things_map_onto_entities_with_their_identifiers() {
    let imported = import_file();
    let compute = entity(&imported, "co-alpha-compute");
    assert_eq!(compute.name, "Alpha Compute Inc.");
    assert_eq!(compute.kind.as_str(), "company");
    assert_eq!(compute.country.as_deref(), Some("US"));
    assert_eq!(compute.sector.as_deref(), Some("semiconductors"));
    assert_eq!(compute.aliases, ["Alpha Compute"]);
    assert_eq!(
        compute.ids.get("lei").map(String::as_str),
        Some("ZZ00ALPHACOMPUTE0030")
    );
    assert_eq!(compute.ids.get("wikidata").map(String::as_str), Some("Q95"));
    assert_eq!(
        compute.ids.get("opencorporates").map(String::as_str),
        Some("us_de/7654321")
    );
    assert_eq!(text(&compute.extra, "registration_number"), Some("7654321"));
    assert_eq!(
        text(&compute.extra, "incorporation_date"),
        Some("2010-06-01")
    );
    assert_eq!(
        text(&compute.extra, "source_url"),
        Some("https://example.org/registry/alpha-compute")
    );
    assert_eq!(
        entity(&imported, "co-alpha-holdings").aliases,
        ["Alpha Holding"]
    );
    let john = entity(&imported, "pe-john-roe");
    assert_eq!(
        john.name, "John Roe",
        "a person's name from first and last names"
    );
    assert_eq!(john.kind.as_str(), "person");
    assert_eq!(
        entity(&imported, "pb-ruritania-mof").kind.as_str(),
        "government"
    );
    assert_eq!(
        entity(&imported, "org-alpha-foundation").kind.as_str(),
        "organization"
    );
    // An organisation others are members of is one they join.
    assert_eq!(
        entity(&imported, "org-open-compute").kind.as_str(),
        "consortium"
    );
}

#[test]
fn links_become_the_right_relationship_types() {
    let imported = import_file();
    let id = |ftm: &str| entity(&imported, ftm).id.clone();
    let own = link(&imported, "own-holdings-compute");
    assert_eq!(own.rel_type.as_str(), "invests-in");
    assert_eq!(
        (&own.from, &own.to),
        (&id("co-alpha-holdings"), &id("co-alpha-compute"))
    );
    assert_eq!(own.properties.get("stake_pct"), Some(&Value::Float(100.0)));
    assert_eq!(own.properties.get("shares"), Some(&Value::Int(1_000_000)));
    assert_eq!(own.properties.get("date"), Some(&day("2014-01-15")));
    assert_eq!(text(&own.properties, "role"), Some("Shareholder"));
    let range = link(&imported, "own-jane-holdings");
    assert_eq!(range.properties.get("stake_min"), Some(&Value::Float(25.0)));
    assert_eq!(range.properties.get("stake_max"), Some(&Value::Float(50.0)));
    assert_eq!(text(&range.extra, "ownership_type"), Some("beneficial"));
    let ceo = link(&imported, "dir-jane-compute");
    assert_eq!(ceo.rel_type.as_str(), "holds-position");
    assert_eq!(text(&ceo.properties, "role"), Some("chief-executive"));
    assert_eq!(
        text(&ceo.extra, "ftm_role"),
        Some("Chief Executive Officer")
    );
    let corporate = link(&imported, "dir-holdings-compute");
    assert_eq!(corporate.rel_type.as_str(), "controls");
    assert_eq!(
        text(&corporate.properties, "interest"),
        Some("board-appointment")
    );
    let member = link(&imported, "mem-compute-occ");
    assert_eq!(member.rel_type.as_str(), "member-of");
    assert_eq!(text(&member.properties, "role"), Some("founding member"));
    assert_eq!(member.properties.get("date"), Some(&day("2021-03")));
    let grant = link(&imported, "pay-mof-compute");
    assert_eq!(grant.rel_type.as_str(), "pays");
    assert_eq!(
        grant.properties.get("amount"),
        Some(&Value::Float(1_250_000.5))
    );
    assert_eq!(text(&grant.properties, "currency"), Some("EUR"));
    assert_eq!(text(&grant.properties, "product"), Some("research grant"));
    assert_eq!(
        text(&grant.extra, "programme"),
        Some("Ruritanian chips programme")
    );
    let agent = link(&imported, "rep-john-compute");
    assert_eq!(agent.rel_type.as_str(), "holds-position");
    assert_eq!(text(&agent.properties, "role"), Some("adviser"));
    let job = link(&imported, "emp-john-foundation");
    assert_eq!(job.rel_type.as_str(), "holds-position");
    assert_eq!(text(&job.properties, "role"), Some("employee"));
}

#[test]
fn the_dataset_is_the_source() {
    let imported = import_file();
    assert_eq!(imported.dataset.source.len(), 1);
    let source = &imported.dataset.source[0];
    assert_eq!(source.id, "ftm-alliance-demo");
    assert!(source.title.contains("alliance_demo"), "{}", source.title);
    assert_eq!(source.url, None);
    assert_eq!(source.date, None, "no date is invented");
    for rel in &imported.dataset.relationship {
        assert_eq!(rel.sources, std::slice::from_ref(&source.id));
    }
}

#[test]
fn records_without_a_dataset_cite_their_address_or_their_file() {
    let text = "{\"id\": \"a\", \"schema\": \"Company\", \"properties\": {\"name\": [\"A\"], \"sourceUrl\": [\"https://example.org/a\"], \"publisher\": [\"Example Registry\"]}}\n\
                {\"id\": \"b\", \"schema\": \"Company\", \"properties\": {\"name\": [\"B\"]}}\n";
    let imported = import_text("ftm", "two.jsonl", text).expect("imports");
    let sources = &imported.dataset.source;
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0].url.as_deref(), Some("https://example.org/a"));
    assert_eq!(sources[0].publisher, "Example Registry");
    assert_eq!(sources[1].id, "two");
    assert_eq!(sources[1].title, "Imported from two.jsonl");
    assert_eq!(sources[1].url, None);
}

fn problems(result: Result<Imported, ImportError>) -> Vec<import::RecordProblem> {
    match result {
        Err(ImportError::Invalid(problems)) => problems,
        Err(other) => panic!("not Invalid: {other}"),
        Ok(_) => panic!("the import succeeded"),
    }
}

fn at(line: usize, pointer: &str) -> Place {
    Place::LinePointer {
        line,
        pointer: pointer.to_owned(),
    }
}

#[test]
fn malformed_lines_are_named_by_line_and_pointer() {
    let text = [
        r#"{"id": "a", "schema": "Company", "properties": {"name": ["A"]}}"#,
        r#"{"id": "b", "schema": "Company", "properties": {"name": ["B"], "leiCode": ["ZZ00ALPHACOMPUTE0031"]}}"#,
        r#"{"id": "c", "schema": "Company", "properties": {"name": ["C"],}}"#,
        r#"{"schema": "Company", "properties": {"name": ["D"]}}"#,
        r#"{"id": "o", "schema": "Ownership", "properties": {"asset": ["a"]}}"#,
        r#"{"id": "p", "schema": "Ownership", "properties": {"owner": ["a"], "asset": ["b"], "startDate": ["15/01/2014"]}}"#,
        r#"{"id": "e", "schema": "Company", "properties": {"name": [true]}}"#,
    ]
    .join("\n");
    let found = problems(import_text("ftm", "bad.jsonl", &text));
    let places: Vec<&Place> = found.iter().map(|p| &p.place).collect();
    assert_eq!(
        places,
        [
            &Place::LineColumn {
                line: 3,
                column: 63
            },
            &at(4, "/id"),
            &at(7, "/properties/name/0"),
            &at(2, "/properties/leiCode/0"),
            &at(5, "/properties/owner"),
        ],
        "{found:#?}"
    );
    let shown = found[1].to_string();
    assert!(shown.starts_with("bad.jsonl:4 /id: "), "{shown}");
    assert!(found[3].message.contains("ZZ00ALPHACOMPUTE0031"));
}

#[test]
fn a_bad_date_is_placed_once_the_ends_are_known() {
    let text = [
        r#"{"id": "a", "schema": "Company", "properties": {"name": ["A"]}}"#,
        r#"{"id": "b", "schema": "Company", "properties": {"name": ["B"]}}"#,
        r#"{"id": "p", "schema": "Ownership", "properties": {"owner": ["a"], "asset": ["b"], "startDate": ["15/01/2014"]}}"#,
        r#"{"id": "q", "schema": "Payment", "properties": {"payer": ["a"], "beneficiary": ["b"], "amount": ["lots"], "currency": ["euro"]}}"#,
    ]
    .join("\n");
    let found = problems(import_text("ftm", "dates.jsonl", &text));
    let places: Vec<&Place> = found.iter().map(|p| &p.place).collect();
    assert_eq!(
        places,
        [
            &at(3, "/properties/startDate/0"),
            &at(4, "/properties/amount/0"),
            &at(4, "/properties/currency/0"),
        ]
    );
}

#[test]
fn multiple_values_beyond_the_first_are_aliases_or_losses() {
    let text = r#"{"id": "a", "schema": "Company", "properties": {"name": ["Alpha", "Alpha Corp"], "country": ["us", "gb"], "sector": ["chips", "software"]}}"#;
    let imported = import_text("ftm", "many.jsonl", text).expect("imports");
    let alpha = &imported.dataset.entity[0];
    assert_eq!(alpha.aliases, ["Alpha Corp"]);
    assert_eq!(alpha.country.as_deref(), Some("US"));
    assert_eq!(
        imported
            .losses
            .count("FtM property `country` beyond its first value"),
        1
    );
    assert_eq!(
        imported
            .losses
            .count("FtM property `sector` beyond its first value"),
        1
    );
}

#[test]
fn wrong_formats_are_named() {
    let ftm = std::fs::read_to_string(FILE).expect("the test file");
    match import_text("gleif", "alliance.ftm.jsonl", &ftm) {
        Err(ImportError::WrongFormat { found, hint, .. }) => {
            assert_eq!(found, "a FollowTheMoney entities file");
            assert_eq!(
                hint.as_deref(),
                Some("alliances import ftm alliance.ftm.jsonl")
            );
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("gleif read an FtM file"),
    }
    let gleif =
        Path::new("tests/cases/import/gleif/api/single_lei_record_549300YX4S1LLSMK2627.json");
    let text = std::fs::read_to_string(gleif).expect("the GLEIF file");
    match import_text("ftm", "lei.json", &text) {
        Err(ImportError::WrongFormat { found, .. }) => {
            assert_eq!(found, "a GLEIF API JSON document");
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("ftm read a GLEIF file"),
    }
    let found = problems(import_text("ftm", "people.csv", "name,age\nAda,36\n"));
    assert_eq!(found[0].place, Place::File);
    assert!(
        found[0]
            .message
            .contains("not a FollowTheMoney entities file")
    );
}

/// FollowTheMoney's own documentation's examples: a person, a passport (no home in the
/// model) and an ownership whose ends the example leaves out. The person is read and the
/// passport counted; the ownership's ends are named by their FtM ids, for the graph imported
/// into to hold, and nothing else is lost.
#[test]
fn the_documentations_examples_import_with_their_losses_named() {
    let format = import::format("ftm").unwrap();
    let path = PathBuf::from("tests/cases/import/ftm/published.ftm.jsonl");
    let files = import::read_inputs(format, &[path]).unwrap();
    let imported = import::import(format, &files, &ImportOptions::default()).unwrap();
    let person = entity(&imported, "1b38214f88d139897bbd13eabde464043d84bbf9");
    assert_eq!(person.name, "John Doe");
    assert_eq!(person.kind.as_str(), "person");
    assert_eq!(imported.losses.count("FtM schema `Passport`"), 1);
    let kinds: Vec<&str> = imported.losses.kinds().map(|(k, _)| k).collect();
    assert_eq!(kinds.len(), 2, "{}", imported.losses);
    let named: Vec<String> = imported
        .origins
        .references
        .iter()
        .map(|r| r.target.to_string())
        .collect();
    assert_eq!(named, ["ftm person-entity-id", "ftm company-entity-id"]);
}
