//! Identifiers (`ids = { lei = "…" }`): kept as properties named after their schemes, unique
//! and indexed; records that share one across files merge into one entity; `check` warns
//! about names that differ only by a legal suffix. The LEIs here are made up for the test,
//! with correct check digits.

use std::process::Command;

use alliances::Schema;
use alliances::datafile::{
    Format, ProblemKind, TextInput, load_texts, load_texts_with_warnings, to_text,
};
use alliances::query::{self, Params, QueryValue, ResultValue};

const ALPHA_LEI: &str = "ZZ00ALPHACOMPUTE0030";

const FIRST: &str = r#"
[[source]]
id = "s1"
title = "First source"
publisher = "Test"
date = "2025-01-01"

[[entity]]
id = "alpha"
name = "Alpha Compute"
kind = "company"
country = "US"
ids = { lei = "ZZ00ALPHACOMPUTE0030" }

[[entity]]
id = "beta"
name = "Beta Funding"
kind = "fund"

[[relationship]]
type = "invests-in"
from = "beta"
to = "alpha"
sources = ["s1"]
"#;

const SECOND: &str = r#"
[[source]]
id = "s2"
title = "Second source"
publisher = "Test"
date = "2025-02-01"

[[entity]]
id = "alpha-compute"
name = "Alpha Compute Corporation"
kind = "company"
sector = "cloud"
ids = { lei = "ZZ00ALPHACOMPUTE0030", wikidata = "Q42" }
sources = ["s2"]

[[entity]]
id = "gamma"
name = "Gamma Chips"
kind = "company"

[[relationship]]
type = "supplies"
from = "gamma"
to = "alpha-compute"
sources = ["s2"]
"#;

fn toml<'a>(name: &'a str, text: &'a str) -> TextInput<'a> {
    TextInput {
        name,
        text,
        format: Format::Toml,
    }
}

fn merged() -> alliances::Graph {
    load_texts(
        &[toml("first.toml", FIRST), toml("second.toml", SECOND)],
        Schema::Alliance,
    )
    .expect("two files sharing a LEI load")
}

fn lei_params() -> Params {
    let mut params = Params::new();
    params.insert("lei".to_owned(), QueryValue::String(ALPHA_LEI.to_owned()));
    params
}

fn text(value: &ResultValue) -> String {
    match value {
        ResultValue::String(s) => s.clone(),
        ResultValue::List(items) => items.iter().map(text).collect::<Vec<_>>().join("|"),
        other => format!("{other:?}"),
    }
}

#[test]
fn two_files_sharing_a_lei_are_one_entity_with_both_files_properties() {
    let graph = merged();
    assert_eq!(graph.node_count(), 3, "alpha and alpha-compute are one");
    let results = query::execute(
        &graph,
        "MATCH (n {lei: $lei}) RETURN n.id, n.name, n.country, n.sector, n.wikidata, n.aliases, n.sources",
        &lei_params(),
    )
    .unwrap();
    let rows: Vec<Vec<String>> = results[0]
        .rows
        .iter()
        .map(|r| r.iter().map(text).collect())
        .collect();
    assert_eq!(
        rows,
        [[
            "alpha",
            "Alpha Compute",
            "US",
            "cloud",
            "Q42",
            "Alpha Compute Corporation",
            "s2"
        ]]
    );
    // Relationships naming either file's id end at the merged entity.
    let results = query::execute(
        &graph,
        "MATCH (a)-[r]->(n {lei: $lei}) RETURN a.id ORDER BY a.id",
        &lei_params(),
    )
    .unwrap();
    let from: Vec<String> = results[0].rows.iter().map(|r| text(&r[0])).collect();
    assert_eq!(from, ["beta", "gamma"]);
}

#[test]
fn a_lookup_by_identifier_goes_through_its_index() {
    let graph = merged();
    let text = "MATCH (n {lei: $lei}) RETURN n.name";
    let statements = query::parse(text).unwrap();
    let plan = query::explain(&graph, text, &statements[0]).unwrap();
    assert!(
        plan.contains("start at (n {lei: $lei}) through the lei identifier index"),
        "{plan}"
    );
    // A key that is no scheme is found by scanning.
    let text = "MATCH (n {sector: 'cloud'}) RETURN n.name";
    let statements = query::parse(text).unwrap();
    let plan = query::explain(&graph, text, &statements[0]).unwrap();
    assert!(!plan.contains("identifier index"), "{plan}");
    assert_eq!(graph.nodes_by_identifier("wikidata", "Q42").len(), 1);
    assert!(graph.nodes_by_identifier("wikidata", "Q43").is_empty());
}

#[test]
fn saving_writes_identifiers_back_under_ids_and_loads_equal() {
    let graph = merged();
    let saved = to_text(&graph, Format::Toml).unwrap();
    assert!(
        saved.contains(&format!("lei = \"{ALPHA_LEI}\"")) && saved.contains("[entity.ids]"),
        "{saved}"
    );
    assert!(!saved.contains("[entity.extra]"), "{saved}");
    let again = load_texts(&[toml("saved.toml", &saved)], Schema::Alliance).unwrap();
    assert_eq!(again.to_dataset().unwrap(), graph.to_dataset().unwrap());
    let json = to_text(&graph, Format::Json).unwrap();
    let again = load_texts(
        &[TextInput {
            name: "saved.json",
            text: &json,
            format: Format::Json,
        }],
        Schema::Alliance,
    )
    .unwrap();
    assert_eq!(again.to_dataset().unwrap(), graph.to_dataset().unwrap());
}

#[test]
fn a_write_giving_a_second_entity_the_same_lei_is_refused() {
    let mut graph = merged();
    let before = graph.to_dataset().unwrap();
    let error = query::execute_mut(
        &mut graph,
        "CREATE (:Company {id: 'other', name: 'Other Co', lei: $lei})",
        &lei_params(),
    )
    .expect_err("a LEI names one entity");
    let message = error.to_string();
    assert!(message.contains("[duplicate-identifier]"), "{message}");
    assert!(message.contains("\"alpha\""), "{message}");
    let error = query::execute_mut(
        &mut graph,
        "MATCH (g {id: 'gamma'}) SET g.lei = 'ZZ00ALPHACOMPUTE0031'",
        &Params::new(),
    )
    .expect_err("wrong check digits");
    assert!(error.to_string().contains("[bad-identifier]"), "{error}");
    assert_eq!(graph.to_dataset().unwrap(), before, "nothing was written");
    // A fresh, valid identifier is accepted and found through the index.
    query::execute_mut(
        &mut graph,
        "MATCH (g {id: 'gamma'}) SET g.lei = 'ZZ00GAMMACHIPS000060'",
        &Params::new(),
    )
    .unwrap();
    let results = query::execute(
        &graph,
        "MATCH (n {lei: 'ZZ00GAMMACHIPS000060'}) RETURN n.id",
        &Params::new(),
    )
    .unwrap();
    assert_eq!(text(&results[0].rows[0][0]), "gamma");
}

#[test]
fn a_conflict_between_merged_records_names_both_places() {
    let second = SECOND.replace("sector = \"cloud\"", "country = \"GB\"");
    let error = load_texts(
        &[toml("first.toml", FIRST), toml("second.toml", &second)],
        Schema::Alliance,
    )
    .expect_err("two countries for one entity");
    let [problem] = error.problems() else {
        panic!("one problem: {error}");
    };
    assert_eq!(problem.kind, ProblemKind::MergeConflict);
    assert_eq!(&*problem.location.file, "second.toml");
    assert!(problem.message.contains("\"GB\""), "{}", problem.message);
    assert!(
        problem.message.contains("\"US\" at first.toml:12:11"),
        "{}",
        problem.message
    );
}

#[test]
fn a_scheme_near_a_known_one_is_a_warning_and_any_other_name_a_new_scheme() {
    let file = FIRST.replace(
        "ids = { lei = \"ZZ00ALPHACOMPUTE0030\" }",
        "ids = { wikidta = \"Q1\", registry_no = \"R-7\" }",
    );
    let (graph, warnings) =
        load_texts_with_warnings(&[toml("first.toml", &file)], Schema::Alliance).unwrap();
    let [warning] = warnings.as_slice() else {
        panic!("one warning: {warnings:?}");
    };
    assert_eq!(warning.kind, ProblemKind::UnknownScheme);
    assert_eq!(
        (warning.location.line, warning.location.column),
        (13, Some(9))
    );
    assert!(
        warning.help.as_deref().unwrap().contains("\"wikidata\""),
        "{warning:?}"
    );
    // New schemes are identifiers like the built-in ones: indexed, and saved as declared.
    assert_eq!(graph.nodes_by_identifier("registry_no", "R-7").len(), 1);
    let saved = to_text(&graph, Format::Toml).unwrap();
    assert!(saved.contains("[[vocabulary.identifier]]"), "{saved}");
    let (_, warnings) =
        load_texts_with_warnings(&[toml("saved.toml", &saved)], Schema::Alliance).unwrap();
    assert!(warnings.is_empty(), "declared schemes warn no more");
}

#[test]
fn check_warns_about_names_that_differ_by_a_legal_suffix_and_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("suffix.toml");
    let file = format!(
        "{FIRST}\n[[entity]]\nid = \"beta-inc\"\nname = \"Beta Funding, Inc.\"\nkind = \"fund\"\n"
    );
    std::fs::write(&path, file).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("warning[likely-duplicate]"), "{stderr}");
    assert!(
        stderr.contains("\"Beta Funding, Inc.\" may be the same entity as \"Beta Funding\""),
        "{stderr}"
    );
    // Both places: the later name under the caret, the first in the message.
    assert!(stderr.contains("suffix.toml:28:8"), "{stderr}");
    assert!(stderr.contains("suffix.toml:17:8"), "{stderr}");
    assert!(stderr.contains("valid (3 entities"), "{stderr}");
}

#[test]
fn names_with_different_identifiers_of_one_scheme_are_not_reported() {
    let file = format!(
        "{FIRST}\n[[entity]]\nid = \"alpha-ag\"\nname = \"Alpha Compute AG\"\nkind = \"company\"\nids = {{ lei = \"ZZ00GAMMACHIPS000060\" }}\n"
    );
    let (_, warnings) =
        load_texts_with_warnings(&[toml("first.toml", &file)], Schema::Alliance).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let file = file.replace("ids = { lei = \"ZZ00GAMMACHIPS000060\" }", "");
    let (_, warnings) =
        load_texts_with_warnings(&[toml("first.toml", &file)], Schema::Alliance).unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].kind, ProblemKind::LikelyDuplicate);
}

#[test]
fn legal_suffixes_fold_away() {
    use alliances::rules::duplicate_key;
    assert_eq!(duplicate_key("NVIDIA Corp."), duplicate_key("Nvidia"));
    assert_eq!(duplicate_key("Siemens AG"), duplicate_key("Siemens"));
    assert_eq!(duplicate_key("Airbus S.A."), duplicate_key("Airbus SE"));
    assert_eq!(duplicate_key("Acme Holdings, Ltd"), duplicate_key("ACME"));
    assert_ne!(duplicate_key("Alpha Compute"), duplicate_key("Alpha"));
    // A name that is only a suffix keeps it.
    assert_eq!(duplicate_key("Group"), "group");
}

#[test]
fn a_snapshot_keeps_identifiers_indexed_and_new_schemes_declared() {
    let file = SECOND.replace("wikidata = \"Q42\"", "registry_no = \"R-7\"");
    let graph = load_texts(
        &[toml("first.toml", FIRST), toml("second.toml", &file)],
        Schema::Alliance,
    )
    .unwrap();
    let read = alliances::store::snapshot::read(&alliances::store::snapshot::write(&graph))
        .expect("a snapshot reads back");
    let alpha = read.nodes_by_identifier("lei", ALPHA_LEI);
    assert_eq!(alpha.len(), 1);
    assert_eq!(read.nodes_by_identifier("registry_no", "R-7"), alpha);
    assert_eq!(read.to_dataset().unwrap(), graph.to_dataset().unwrap());
}
