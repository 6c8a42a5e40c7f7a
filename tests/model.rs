//! The model real alliance data needs, end to end: every kind and relationship type in one
//! pair of registers, amounts in several currencies, a stake range and an ended stake, two
//! files that meet on a LEI; and a database written before any of it still opens.

use std::path::PathBuf;

use alliances::session::{Request, Session, report};
use alliances::{Date, Schema};

fn registers() -> Vec<PathBuf> {
    ["registers.toml", "lei.toml"]
        .iter()
        .map(|f| PathBuf::from("tests/cases/model").join(f))
        .collect()
}

fn open() -> Session {
    let request = Request {
        data: registers(),
        ..Request::default()
    };
    Session::open(&request, &|_| {})
        .expect("the registers load")
        .0
}

fn rows(session: &mut Session, text: &str) -> Vec<Vec<String>> {
    let ran = session
        .execute(text)
        .unwrap_or_else(|e| panic!("{text}\n{e}"));
    let last = ran.last().expect("a statement");
    last.result
        .rows
        .iter()
        .map(|row| row.iter().map(ToString::to_string).collect())
        .collect()
}

#[test]
fn every_kind_and_type_loads_and_stats_schema_and_diagrams_show_them() {
    let session = open();
    let stats = session.graph.stats();
    for label in [
        "Company",
        "Fund",
        "Government",
        "Consortium",
        "Person",
        "Organization",
    ] {
        assert!(stats.by_label.contains_key(label), "{label}: {stats}");
    }
    for edge_type in session.graph.vocabulary().edge_types() {
        assert!(
            stats.by_type.contains_key(edge_type),
            "{edge_type}: {stats}"
        );
    }
    let schema = report::vocabulary_report(&session.graph, None).unwrap();
    assert!(
        schema.contains("person           Person                 1"),
        "{schema}"
    );
    assert!(schema.contains("HOLDS_POSITION         1"), "{schema}");
    let (selection, _) = alliances::export::select(
        &session.graph,
        &alliances::export::Scope::Whole,
        &alliances::query::Params::new(),
    )
    .unwrap();
    let options = alliances::export::DotOptions {
        title: None,
        as_of: None,
        legend: true,
    };
    let dot = alliances::export::to_dot(&session.graph, &selection, &options);
    for shown in [
        "label=\"Ada Example\"",
        "shape=\"oval\"",
        "shape=\"house\"",
        "label=\"holds position\"",
        "label=\"partners with\"",
        "label=\"lends to\"",
        "label=\"pays\"",
        "label=\"acquires\"",
        "label=\"controls\"",
        "label=\"founded\"",
    ] {
        assert!(
            dot.contains(shown),
            "{shown} missing from the diagram:\n{dot}"
        );
    }
}

#[test]
fn an_ended_stake_owns_nothing_after_its_end() {
    let mut session = open();
    let owners = |session: &Session| {
        report::ownership_report(&session.graph, "Alpha Compute", true).unwrap()
    };
    let today = owners(&session);
    assert!(
        today.contains("Fund One") && !today.contains("The State"),
        "{today}"
    );
    assert!(
        today.contains("10–15%"),
        "the stake range is reported: {today}"
    );
    session.show_as_of(Date::day(2022, 1, 1).unwrap());
    let after = owners(&session);
    assert!(!after.contains("The State"), "{after}");
    session.show_as_of(Date::day(2020, 6, 1).unwrap());
    let during = owners(&session);
    assert!(during.contains("30%  The State"), "{during}");
}

#[test]
fn two_files_sharing_a_lei_are_one_entity_found_by_its_lei() {
    let mut session = open();
    let found = rows(
        &mut session,
        "MATCH (n {lei: 'ZZ00ALPHACOMPUTE0030'}) RETURN n.name, n.country, n.sector, n.wikidata",
    );
    assert_eq!(
        found,
        vec![vec![
            "\"Alpha Compute\"",
            "\"FR\"",
            "\"cloud\"",
            "\"Q424242\""
        ]]
    );
    // The second file's relationship landed on the merged entity.
    let investors = rows(
        &mut session,
        "MATCH (i)-[:INVESTS_IN]->({lei: 'ZZ00ALPHACOMPUTE0030'}) RETURN i.name ORDER BY i.name",
    );
    assert_eq!(
        investors,
        vec![
            vec!["\"Fund One\""],
            vec!["\"Gamma Partners\""],
            vec!["\"The State\""]
        ]
    );
}

#[test]
fn a_total_over_euros_and_dollars_says_what_it_could_not_convert() {
    let mut session = open();
    let ran = session
        .execute("MATCH ()-[r]->() RETURN usdTotal(r) AS total")
        .unwrap();
    let result = &ran[0].result;
    // EUR 200M and EUR 40M at 1.1, and USD 500M, 1B and 100M; the CHF 3M has no rate.
    assert_eq!(result.rows[0][0].to_string(), "1864000000");
    assert!(
        result
            .notes
            .iter()
            .any(|n| n.contains("left out 1 amount in CHF (no exchange rate)")),
        "{:?}",
        result.notes
    );
    // Without the rate, euros cannot be added either, and the total says so.
    let without_rate = {
        let text = std::fs::read_to_string("tests/cases/model/registers.toml").unwrap();
        let cut = text.replace("[[fx_rate]]", "[[ignored]]");
        let start = cut.find("[[ignored]]").unwrap();
        let end = cut[start..].find("[[entity]]").unwrap() + start;
        format!("{}{}", &cut[..start], &cut[end..])
    };
    let input = alliances::datafile::TextInput {
        name: "no-rate.toml",
        text: &without_rate,
        format: alliances::datafile::Format::Toml,
    };
    let graph = alliances::datafile::load_texts(&[input], Schema::Alliance).unwrap();
    let mut session = Session::new(graph, alliances::session::Origin::Default, None);
    let ran = session
        .execute("MATCH ()-[r]->() RETURN usdTotal(r) AS total")
        .unwrap();
    assert_eq!(ran[0].result.rows[0][0].to_string(), "1500000000");
    assert!(
        ran[0]
            .result
            .notes
            .iter()
            .any(|n| n.contains("2 amounts in EUR")),
        "{:?}",
        ran[0].result.notes
    );
}

#[test]
fn a_database_written_before_the_vocabulary_opens_and_replays_its_journal() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["legacy.toml", "legacy.toml.journal"] {
        std::fs::copy(
            PathBuf::from("tests/cases/legacy").join(file),
            dir.path().join(file),
        )
        .unwrap();
    }
    let request = Request {
        db: Some(dir.path().join("legacy.toml")),
        ..Request::default()
    };
    let (mut session, _) = Session::open(&request, &|_| {}).expect("the old database opens");
    assert_eq!(
        (session.graph.node_count(), session.graph.edge_count()),
        (3, 2)
    );
    let old = rows(
        &mut session,
        "MATCH (f {id: 'old-fund'})-[r:INVESTS_IN]->(c) RETURN f.country, r.amount_usd, r.amount_qualifier, c.name",
    );
    assert_eq!(
        old,
        vec![vec!["\"GB\"", "5000000000", "\"up-to\"", "\"Old Chips\""]]
    );
    // New facts go in beside the old, and the fold writes the new form.
    rows(
        &mut session,
        "MATCH (s {id: 'old-state'}), (c {id: 'old-chips'}) CREATE (s)-[:PAYS {amount: 1000000, currency: 'EUR', sources: ['old-register']}]->(c)",
    );
    assert_eq!(session.close(), None);
    drop(session);
    let (session, _) = Session::open(&request, &|_| {}).unwrap();
    assert_eq!(session.graph.edge_count(), 3);
}
