//! The `gleif` importer: golden-copy CSV (LEI-CDF, RR-CDF, reporting exceptions) and the GLEIF
//! API's JSON, read through the library and loaded under the alliance schema.

use std::path::{Path, PathBuf};

use alliances::import::{self, ImportError, ImportOptions, Imported, InputFile, Place};
use alliances::model::{Date, Entity, Relationship, Value};
use alliances::{Params, Schema, query};

const CASES: &str = "tests/cases/import/gleif";

fn import_paths(paths: &[&str]) -> Result<Imported, ImportError> {
    let format = import::format("gleif")?;
    let paths: Vec<PathBuf> = paths.iter().map(|p| Path::new(CASES).join(p)).collect();
    let files = import::read_inputs(format, &paths)?;
    import::import(format, &files, &ImportOptions::default())
}

fn import_text(format: &str, name: &str, text: &str) -> Result<Imported, ImportError> {
    let format = import::format(format)?;
    let files = [InputFile {
        path: PathBuf::from(name),
        bytes: text.as_bytes().to_vec(),
    }];
    import::import(format, &files, &ImportOptions::default())
}

fn entity<'a>(imported: &'a Imported, lei: &str) -> &'a Entity {
    imported
        .dataset
        .entity
        .iter()
        .find(|e| e.ids.get("lei").map(String::as_str) == Some(lei))
        .unwrap_or_else(|| panic!("no entity has LEI {lei}"))
}

fn ties<'a>(imported: &'a Imported, from: &str, to: &str) -> Vec<&'a Relationship> {
    let (from, to) = (&entity(imported, from).id, &entity(imported, to).id);
    imported
        .dataset
        .relationship
        .iter()
        .filter(|r| &r.from == from && &r.to == to)
        .collect()
}

fn tie<'a>(imported: &'a Imported, from: &str, to: &str) -> &'a Relationship {
    match ties(imported, from, to).as_slice() {
        [one] => one,
        other => panic!("{} ties from {from} to {to}, not one", other.len()),
    }
}

fn text<'a>(map: &'a std::collections::BTreeMap<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

fn day(text: &str) -> Value {
    Value::Date(text.parse::<Date>().expect("a date"))
}

const HOLDINGS: &str = "ZZ00ALPHAHOLDINGS020";
const COMPUTE: &str = "ZZ00ALPHACOMPUTE0030";
const GPU: &str = "ZZ00ALPHAGPULTD00027";
const BRANCH: &str = "ZZ00ALPHAIEBRANCH019";
const MANAGER: &str = "ZZ00ALPHAASSETMGT056";
const FUND: &str = "ZZ00ALPHAGROWTHFD017";
const FEEDER: &str = "ZZ00ALPHAFEEDERFD053";
const MINISTRY: &str = "ZZ00RURITANIAMIN0057";
const FORMER_PARENT: &str = "ZZ00UNLISTEDPARNT085";

/// What the golden-copy test files hold that the model has no home for: street addresses and
/// the languages of names. Anything else lost would be a field the importer forgot.
const NO_HOME: &[&str] = &[
    "GLEIF field `Entity.OtherEntityNames.OtherEntityName.N.type`",
    "GLEIF field `Entity.OtherEntityNames.OtherEntityName.N.xmllang`",
];

#[test]
fn golden_copy_csv_becomes_a_graph_the_alliance_schema_accepts() {
    let imported = import_paths(&["golden-copy"]).expect("the golden copy imports");
    let graph = imported
        .to_graph("golden-copy", Schema::Alliance)
        .expect("the alliance schema accepts the import");
    // Eight LEI records and the former parent, known only from a relationship record.
    assert_eq!(graph.stats().nodes, 9);
    assert_eq!(graph.stats().relationships, 7);
    for (kind, _) in imported.losses.kinds() {
        assert!(
            NO_HOME.contains(&kind),
            "lost a field the model holds: {kind}"
        );
    }
    // Addresses are kept, each as one line, the postal code on its own too.
    let holdings = entity(&imported, HOLDINGS);
    assert_eq!(
        text(&holdings.extra, "address"),
        Some("1 Rue de la Paix, 1111 Luxembourg, LU")
    );
    assert_eq!(text(&holdings.extra, "postal_code"), Some("1111"));
    assert_eq!(text(&holdings.extra, "address_language"), Some("fr"));
    assert_eq!(
        text(&holdings.extra, "headquarters_address"),
        Some("Luxembourg, LU")
    );
}

#[test]
fn lei_records_map_onto_entities() {
    let imported = import_paths(&["golden-copy"]).expect("the golden copy imports");
    let holdings = entity(&imported, HOLDINGS);
    assert_eq!(holdings.name, "Alpha Holdings S.A.");
    assert_eq!(holdings.id, "alpha-holdings-s-a");
    assert_eq!(holdings.kind.as_str(), "company");
    assert_eq!(holdings.country.as_deref(), Some("LU"));
    assert_eq!(holdings.aliases, ["Alpha Holding"]);
    assert_eq!(text(&holdings.extra, "legal_form"), Some("5GGB"));
    assert_eq!(text(&holdings.extra, "jurisdiction"), Some("LU"));
    assert_eq!(
        text(&holdings.extra, "registration_number"),
        Some("B123456")
    );
    assert_eq!(
        holdings.extra.get("initial_registration_date"),
        Some(&day("2013-02-11"))
    );
    assert_eq!(entity(&imported, FUND).kind.as_str(), "fund");
    assert_eq!(entity(&imported, FEEDER).kind.as_str(), "fund");
    assert_eq!(entity(&imported, MINISTRY).kind.as_str(), "government");
    assert_eq!(
        text(&entity(&imported, MINISTRY).extra, "entity_subcategory"),
        Some("CENTRAL_GOVERNMENT")
    );
    let branch = entity(&imported, BRANCH);
    assert_eq!(branch.kind.as_str(), "company");
    assert_eq!(text(&branch.extra, "entity_category"), Some("BRANCH"));
    let former = entity(&imported, FORMER_PARENT);
    assert_eq!(former.name, format!("LEI {FORMER_PARENT}"));
}

#[test]
fn parent_chains_become_controls_ties_from_parent_to_child() {
    let imported = import_paths(&["golden-copy"]).expect("the golden copy imports");
    // Alpha Holdings is Alpha Compute's direct and ultimate parent: one tie, both kept.
    let top = tie(&imported, HOLDINGS, COMPUTE);
    assert_eq!(top.rel_type.as_str(), "controls");
    assert_eq!(text(&top.properties, "holding"), Some("direct"));
    assert_eq!(
        text(&top.properties, "interest"),
        Some("accounting-consolidation")
    );
    assert_eq!(top.properties.get("stake_pct"), Some(&Value::Float(100.0)));
    assert_eq!(top.properties.get("date"), Some(&day("2014-01-15")));
    assert_eq!(top.extra.get("ultimate_parent"), Some(&Value::Bool(true)));
    assert_eq!(
        text(&top.extra, "accounting_period"),
        Some("2024-01-01/2024-12-31")
    );
    assert_eq!(
        text(&top.extra, "validation_sources"),
        Some("FULLY_CORROBORATED")
    );
    // Alpha GPU: directly by Alpha Compute, ultimately by Alpha Holdings.
    let direct = tie(&imported, COMPUTE, GPU);
    assert_eq!(text(&direct.properties, "holding"), Some("direct"));
    assert_eq!(
        direct.properties.get("stake_pct"),
        Some(&Value::Float(75.5))
    );
    assert_eq!(direct.extra.get("ultimate_parent"), None);
    let ultimate = tie(&imported, HOLDINGS, GPU);
    assert_eq!(text(&ultimate.properties, "holding"), Some("indirect"));
    assert_eq!(
        text(&ultimate.extra, "gleif_relationship"),
        Some("IS_ULTIMATELY_CONSOLIDATED_BY")
    );
    // No tie runs from child to parent.
    assert!(ties(&imported, GPU, COMPUTE).is_empty());
    assert!(ties(&imported, COMPUTE, HOLDINGS).is_empty());
}

#[test]
fn branches_funds_and_ended_parents_keep_their_kind_of_tie() {
    let imported = import_paths(&["golden-copy"]).expect("the golden copy imports");
    let branch = tie(&imported, COMPUTE, BRANCH);
    assert_eq!(branch.rel_type.as_str(), "controls");
    assert_eq!(
        text(&branch.extra, "gleif_relationship"),
        Some("IS_INTERNATIONAL_BRANCH_OF")
    );
    let managed = tie(&imported, MANAGER, FUND);
    assert_eq!(managed.rel_type.as_str(), "controls");
    assert_eq!(text(&managed.properties, "interest"), Some("other"));
    assert_eq!(
        text(&managed.extra, "gleif_relationship"),
        Some("IS_FUND-MANAGED_BY")
    );
    // A feeder fund invests in its master fund: money flows from the feeder.
    let feeder = tie(&imported, FEEDER, FUND);
    assert_eq!(feeder.rel_type.as_str(), "invests-in");
    let former = tie(&imported, FORMER_PARENT, MANAGER);
    assert_eq!(text(&former.properties, "status"), Some("ended"));
    assert_eq!(former.properties.get("end_date"), Some(&day("2020-06-30")));
}

#[test]
fn the_graph_answers_who_controls_whom() {
    let imported = import_paths(&["golden-copy"]).expect("the golden copy imports");
    let graph = imported
        .to_graph("golden-copy", Schema::Alliance)
        .expect("the alliance schema accepts the import");
    let results = query::execute(
        &graph,
        &format!(
            "MATCH (p)-[r:CONTROLS]->(c {{lei: '{GPU}'}}) RETURN p.lei, r.holding ORDER BY r.holding"
        ),
        &Params::new(),
    )
    .expect("the query runs");
    let rows: Vec<Vec<String>> = results[0]
        .rows
        .iter()
        .map(|row| row.iter().map(ToString::to_string).collect())
        .collect();
    assert_eq!(
        rows,
        [
            [format!("\"{COMPUTE}\""), "\"direct\"".to_owned()],
            [format!("\"{HOLDINGS}\""), "\"indirect\"".to_owned()],
        ]
    );
}

#[test]
fn reporting_exceptions_are_kept_on_their_entities() {
    let imported = import_paths(&["golden-copy"]).expect("the golden copy imports");
    let holdings = entity(&imported, HOLDINGS);
    assert_eq!(
        text(&holdings.extra, "direct_parent_exception"),
        Some("NATURAL_PERSONS")
    );
    assert_eq!(
        text(&holdings.extra, "ultimate_parent_exception"),
        Some("NATURAL_PERSONS")
    );
    let note = holdings.note.as_deref().expect("a note");
    assert!(
        note.contains("no direct accounting-consolidation parent reported (NATURAL_PERSONS)"),
        "{note}"
    );
    let manager = entity(&imported, MANAGER);
    assert_eq!(
        text(&manager.extra, "ultimate_parent_exception"),
        Some("NON_PUBLIC, DISCLOSURE_DETRIMENTAL")
    );
    assert_eq!(entity(&imported, COMPUTE).note, None);
}

#[test]
fn each_file_is_a_source_dated_by_its_golden_copy() {
    let imported = import_paths(&["golden-copy"]).expect("the golden copy imports");
    let sources = &imported.dataset.source;
    assert_eq!(sources.len(), 3);
    for source in sources {
        assert_eq!(source.publisher, "GLEIF");
        assert_eq!(source.date, Some("2025-05-15".parse().expect("a date")));
        assert_eq!(source.url, None, "no address is invented");
    }
    let rr = sources
        .iter()
        .find(|s| s.id.contains("-rr-"))
        .expect("the relationship file's source");
    assert!(rr.title.contains("relationship records"), "{}", rr.title);
    for rel in &imported.dataset.relationship {
        assert_eq!(rel.sources, std::slice::from_ref(&rr.id));
    }
}

#[test]
fn api_json_records_become_entities_and_parent_ties() {
    let imported = import_paths(&["api"]).expect("the API documents import");
    let graph = imported
        .to_graph("api", Schema::Alliance)
        .expect("the alliance schema accepts the import");
    // Twelve records in the list; Apple Inc. and the single Shell record add one between them
    // (Shell is in the list too).
    assert_eq!(graph.stats().nodes, 13);
    let apple = entity(&imported, "HWUPKR0MPOU8FGXBT394");
    assert_eq!(apple.name, "Apple Inc.");
    assert_eq!(apple.aliases, ["Apple Computer, Inc."]);
    assert_eq!(
        apple.ids.get("bic").map(String::as_str),
        Some("APLEUS66XXX")
    );
    let energy = entity(&imported, "549300YX4S1LLSMK2627");
    assert_eq!(
        energy.ids.get("opencorporates").map(String::as_str),
        Some("us_de/6021863")
    );
    assert_eq!(text(&energy.extra, "jurisdiction"), Some("US-DE"));
    assert_eq!(energy.extra.get("creation_date"), Some(&day("2016-05-20")));
    let parent = tie(&imported, "HWUPKR0MPOU8FGXBT394", "549300YX4S1LLSMK2627");
    assert_eq!(parent.rel_type.as_str(), "controls");
    assert_eq!(text(&parent.properties, "holding"), Some("direct"));
    assert_eq!(parent.properties.get("date"), Some(&day("2018-04-10")));
    assert_eq!(
        parent.extra.get("ultimate_parent"),
        Some(&Value::Bool(true))
    );
    assert_eq!(parent.extra.get("ultimate_since"), Some(&day("2018-11-03")));
    let shell = entity(&imported, "21380068P1DRHMJ8KU70");
    assert_eq!(
        text(&shell.extra, "direct_parent_exception"),
        Some("NO_KNOWN_PERSON")
    );
    // A single record's document names its own address; the source keeps it.
    let single = imported
        .dataset
        .source
        .iter()
        .find(|s| s.id == "single-lei-record-549300yx4s1llsmk2627")
        .expect("the single record's source");
    assert_eq!(
        single.url.as_deref(),
        Some("https://api.gleif.org/api/v1/lei-records/549300YX4S1LLSMK2627")
    );
    assert_eq!(single.date, Some("2025-05-15".parse().expect("a date")));
    for (kind, _) in imported.losses.kinds() {
        assert!(
            !kind.contains("legalName.name")
                && !kind.contains("`lei`")
                && !kind.contains("category")
                && !kind.contains("legalAddress.country`")
                && !kind.contains("relationship.type")
                && !kind.contains("periods"),
            "lost a field the model holds: {kind}"
        );
    }
    for (kind, _) in imported.losses.kinds() {
        assert!(!kind.contains("Address"), "lost an address field: {kind}");
    }
    let kept = imported
        .dataset
        .entity
        .iter()
        .filter(|e| text(&e.extra, "address").is_some())
        .count();
    assert!(kept > 0, "no address kept");
    let with_lines = imported.dataset.entity.iter().find_map(|e| {
        text(&e.extra, "headquarters_address").filter(|a| a.starts_with("One Apple Park Way"))
    });
    assert_eq!(
        with_lines,
        Some("One Apple Park Way, 95014 Cupertino, US-CA, US")
    );
}

const LEI_HEADER: &str = "LEI,Entity.LegalName,Entity.LegalAddress.Country,Entity.EntityCategory,Registration.InitialRegistrationDate\n";

fn problems(result: Result<Imported, ImportError>) -> Vec<import::RecordProblem> {
    match result {
        Err(ImportError::Invalid(problems)) => problems,
        Err(other) => panic!("not Invalid: {other}"),
        Ok(_) => panic!("the import succeeded"),
    }
}

fn cell(row: usize, column: &str) -> Place {
    Place::Cell {
        row,
        column: column.to_owned(),
    }
}

#[test]
fn malformed_rows_are_named_by_row_and_column() {
    let text = format!(
        "{LEI_HEADER}\
         {HOLDINGS},Alpha Holdings,LU,GENERAL,2013-02-11\n\
         ZZ00ALPHACOMPUTE0031,Alpha Compute,US,GENERAL,2014-01-15\n\
         {GPU},,IE,GENERAL,2019-01-10\n\
         {FUND},Alpha Growth Fund,LU,MUTUAL_FUND,2015-02-01\n\
         {MANAGER},Alpha Asset Management,LU,GENERAL,15/01/2014\n\
         {BRANCH},Alpha Branch,IE\n"
    );
    let found = problems(import_text("gleif", "lei.csv", &text));
    let places: Vec<&Place> = found.iter().map(|p| &p.place).collect();
    assert_eq!(
        places,
        [
            &cell(3, "LEI"),
            &cell(4, "Entity.LegalName"),
            &cell(5, "Entity.EntityCategory"),
            &cell(6, "Registration.InitialRegistrationDate"),
            &cell(7, "Entity.EntityCategory"),
        ]
    );
    assert!(
        found[0].message.contains("ZZ00ALPHACOMPUTE0031"),
        "{}",
        found[0].message
    );
    assert!(
        found[2]
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("GENERAL, BRANCH, FUND")
    );
    assert!(
        found[4].message.contains("3 fields"),
        "{}",
        found[4].message
    );
    let shown = found[1].to_string();
    assert!(
        shown.starts_with("lei.csv at row 4, column \"Entity.LegalName\": "),
        "{shown}"
    );
}

#[test]
fn malformed_relationship_rows_and_json_are_placed() {
    let rr = format!(
        "Relationship.StartNode.NodeID,Relationship.EndNode.NodeID,Relationship.RelationshipType,Relationship.RelationshipStatus\n\
         {COMPUTE},{HOLDINGS},IS_OWNED_BY,ACTIVE\n\
         {COMPUTE},{HOLDINGS},IS_DIRECTLY_CONSOLIDATED_BY,PENDING\n"
    );
    let found = problems(import_text("gleif", "rr.csv", &rr));
    assert_eq!(found[0].place, cell(2, "Relationship.RelationshipType"));
    assert!(
        found[0]
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("IS_FUND-MANAGED_BY")
    );
    assert_eq!(found[1].place, cell(3, "Relationship.RelationshipStatus"));

    let broken = "{\"data\": {\"type\": \"lei-records\",\n \"attributes\": {\"lei\": }}}";
    let found = problems(import_text("gleif", "broken.json", broken));
    assert_eq!(
        found[0].place,
        Place::LineColumn {
            line: 2,
            column: 24
        }
    );

    let bad_lei = "{\"data\": [{\"type\": \"lei-records\", \"attributes\": {\"lei\": \"ZZ00ALPHACOMPUTE0031\", \"entity\": {\"legalName\": {\"name\": \"X\"}, \"category\": \"GENERAL\"}}}]}";
    let found = problems(import_text("gleif", "bad.json", bad_lei));
    assert_eq!(
        found[0].place,
        Place::Pointer("/data/0/attributes/lei".to_owned())
    );
}

#[test]
fn a_file_of_no_known_format_is_refused_with_what_gleif_needs() {
    let found = problems(import_text("gleif", "people.csv", "name,age\nAda,36\n"));
    assert_eq!(found[0].place, Place::File);
    assert!(
        found[0].message.contains("not a GLEIF file"),
        "{}",
        found[0].message
    );
}

#[test]
fn gleif_files_are_named_when_given_to_another_importer() {
    let lei = format!("{LEI_HEADER}{HOLDINGS},Alpha Holdings,LU,GENERAL,2013-02-11\n");
    let rr = format!(
        "Relationship.StartNode.NodeID,Relationship.EndNode.NodeID,Relationship.RelationshipType\n{COMPUTE},{HOLDINGS},IS_DIRECTLY_CONSOLIDATED_BY\n"
    );
    for (name, text, found) in [
        ("lei.csv", lei.as_str(), "a GLEIF LEI-CDF file"),
        ("rr.csv", rr.as_str(), "a GLEIF RR-CDF relationship file"),
    ] {
        for other in import::FORMATS.iter().filter(|f| f.name != "gleif") {
            match import_text(other.name, name, text) {
                Err(ImportError::WrongFormat { found: f, hint, .. }) => {
                    assert_eq!(f, found);
                    assert_eq!(
                        hint.as_deref(),
                        Some(format!("alliances import gleif {name}").as_str())
                    );
                }
                Err(e) => panic!("{}: {e}", other.name),
                Ok(_) => panic!("{} read a GLEIF file", other.name),
            }
        }
    }
}

#[test]
fn entities_with_one_legal_name_stay_apart() {
    let text = format!(
        "{LEI_HEADER}\
         {FUND},Alpha Fund,LU,FUND,2015-02-01\n\
         {FEEDER},ALPHA FUND,IE,FUND,2016-02-01\n"
    );
    let imported = import_text("gleif", "twins.csv", &text).expect("imports");
    imported
        .to_graph("twins", Schema::Alliance)
        .expect("two entities with one name load");
    assert_eq!(
        entity(&imported, FEEDER).name,
        format!("ALPHA FUND ({FEEDER})")
    );
    assert_ne!(entity(&imported, FUND).id, entity(&imported, FEEDER).id);
}

#[test]
fn a_government_child_is_counted_not_refused() {
    let text = format!(
        "{LEI_HEADER}{HOLDINGS},Alpha Holdings,LU,GENERAL,2013-02-11\n{MINISTRY},Ministry,DE,RESIDENT_GOVERNMENT_ENTITY,2017-01-01\n"
    );
    let rr = format!(
        "Relationship.StartNode.NodeID,Relationship.EndNode.NodeID,Relationship.RelationshipType\n{MINISTRY},{HOLDINGS},IS_DIRECTLY_CONSOLIDATED_BY\n"
    );
    let format = import::format("gleif").expect("gleif");
    let files = [
        InputFile {
            path: "lei.csv".into(),
            bytes: text.into_bytes(),
        },
        InputFile {
            path: "rr.csv".into(),
            bytes: rr.into_bytes(),
        },
    ];
    let imported = import::import(format, &files, &ImportOptions::default()).expect("imports");
    imported
        .to_graph("gov", Schema::Alliance)
        .expect("the alliance schema accepts the import");
    assert!(imported.dataset.relationship.is_empty());
    assert_eq!(
        imported.losses.count(
            "GLEIF relationship to a government entity (`controls` and `invests-in` cannot end at one)"
        ),
        1
    );
}
