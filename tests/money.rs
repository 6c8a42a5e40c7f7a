//! Money in any currency across saving and reopening: exchange rates survive a data file and a
//! snapshot, a file in the form before currencies still loads, and a total over euros and
//! dollars with a missing rate says what it left out.

use std::path::Path;

use alliances::datafile::{Format, to_text};
use alliances::query::{self, Params};
use alliances::store::snapshot;
use alliances::{Graph, Schema, Value};

fn money() -> Graph {
    alliances::load_files(
        &[Path::new("tests/cases/money/currencies.toml").to_path_buf()],
        Schema::Alliance,
    )
    .expect("the money dataset loads")
}

fn usd_values(graph: &Graph) -> Vec<Option<f64>> {
    let mut values: Vec<Option<f64>> = graph
        .edges()
        .map(|e| graph.edge_f64(e, "amount_usd"))
        .collect();
    values.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    values
}

#[test]
fn rates_and_derived_values_survive_a_data_file_and_a_snapshot() {
    let graph = money();
    assert_eq!(graph.fx_rates().len(), 2);
    for format in [Format::Toml, Format::Json] {
        let text = to_text(&graph, format).expect("saves");
        let input = alliances::datafile::TextInput {
            name: "saved",
            text: &text,
            format,
        };
        let again = alliances::datafile::load_texts(&[input], Schema::Alliance)
            .unwrap_or_else(|e| panic!("{format:?} reloads: {e}\n{text}"));
        assert_eq!(again.fx_rates(), graph.fx_rates());
        assert_eq!(usd_values(&again), usd_values(&graph));
    }
    let reopened = snapshot::read(&snapshot::write(&graph)).expect("snapshot reads");
    assert_eq!(reopened.fx_rates(), graph.fx_rates());
    assert_eq!(usd_values(&reopened), usd_values(&graph));
}

#[test]
fn a_file_in_the_form_before_currencies_still_loads_and_means_dollars() {
    let text = r#"
[[source]]
id = "s1"
title = "A source"
publisher = "A publisher"
date = "2025-08-22"

[[entity]]
id = "alpha"
name = "Alpha"
kind = "fund"

[[entity]]
id = "beta"
name = "Beta"
kind = "company"

[[relationship]]
type = "invests-in"
from = "alpha"
to = "beta"
amount_usd = 5e9
amount_qualifier = "up-to"
sources = ["s1"]
"#;
    let input = alliances::datafile::TextInput {
        name: "old.toml",
        text,
        format: Format::Toml,
    };
    let graph = alliances::datafile::load_texts(&[input], Schema::Alliance).expect("loads");
    let edge = graph.edges().next().expect("one tie");
    assert_eq!(
        graph.edge_prop(edge, "amount_usd"),
        Some(Value::Int(5_000_000_000))
    );
    assert_eq!(graph.edge_prop(edge, "amount"), None);
    let saved = to_text(&graph, Format::Toml).expect("saves");
    assert!(
        !saved.contains("fx_rate") && !saved.contains("currency"),
        "{saved}"
    );
    let result = query::execute(
        &graph,
        "MATCH ()-[r]->() RETURN usdTotal(r)",
        &Params::new(),
    )
    .expect("runs");
    let last = result.last().expect("one statement");
    assert_eq!(last.rows[0][0].to_string(), "5000000000");
    assert_eq!(
        last.notes,
        vec!["usdTotal: counted 1 \"up to\" amount at its maximum".to_owned()]
    );
}

#[test]
fn a_sum_over_euros_and_dollars_with_one_missing_rate_says_what_it_left_out() {
    let graph = money();
    let result = query::execute(
        &graph,
        "MATCH ()-[r:INVESTS_IN]->() WHERE r.currency IN ['EUR', 'JPY'] OR r.currency IS NULL RETURN usdTotal(r)",
        &Params::new(),
    )
    .expect("runs");
    let last = result.last().expect("one statement");
    // 1e9 EUR at 1.2, 2e9 EUR at 1.1, 3e9 USD; 500e9 JPY has no rate.
    assert_eq!(last.rows[0][0].to_string(), "6400000000");
    assert!(
        last.notes
            .iter()
            .any(|n| n.contains("left out 1 amount in JPY (no exchange rate)")),
        "{:?}",
        last.notes
    );
}
