//! The `csv` importer: any CSV with a mapping, read into records that load through every
//! data-file rule; bad cells and mappings named by row and column.

use std::path::PathBuf;

use alliances::import::{ImportError, ImportOptions, Imported, Place, format, import, read_inputs};
use alliances::{Date, Schema, Value};

fn case(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/import/csv")
        .join(name)
}

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect()
}

fn run(files: &[PathBuf], options: &ImportOptions) -> Result<Imported, ImportError> {
    let csv = format("csv").unwrap();
    let inputs = read_inputs(csv, files).unwrap();
    import(csv, &inputs, options)
}

/// Imports `text` written to a file named `name`, with `mapping`.
fn run_text(name: &str, text: &str, mapping: &[(&str, &str)]) -> Result<Imported, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    run(
        &[path],
        &ImportOptions {
            mapping: pairs(mapping),
            mapping_file: None,
            batch_rows: None,
        },
    )
}

/// Every problem as (row, column, message).
fn problems(error: ImportError) -> Vec<(usize, String, String)> {
    let ImportError::Invalid(problems) = error else {
        panic!("expected problems, got {error}");
    };
    problems
        .into_iter()
        .map(|p| match p.place {
            Place::Cell { row, column } => (
                row,
                column,
                format!(
                    "{}{}",
                    p.message,
                    p.help.map(|h| format!(" / {h}")).unwrap_or_default()
                ),
            ),
            other => (0, format!("{other:?}"), p.message),
        })
        .collect()
}

#[test]
fn a_spreadsheet_of_firms_with_its_own_headers_and_semicolons() {
    let imported = run(
        &[case("firms.csv")],
        &ImportOptions {
            mapping: Vec::new(),
            mapping_file: Some(case("firms.toml")),
            batch_rows: None,
        },
    )
    .unwrap();
    assert!(imported.losses.is_empty(), "{}", imported.losses);
    let graph = imported.to_graph("firms.csv", Schema::Alliance).unwrap();
    assert_eq!(graph.node_count(), 3);
    let alpha = graph.node_by_id("alpha-industrie-sa").unwrap();
    assert_eq!(
        graph.nodes_with_label("Company").len(),
        2,
        "kinds are read in any case"
    );
    assert_eq!(graph.node_prop(alpha, "country"), Some(Value::from("FR")));
    assert_eq!(
        graph.nodes_by_identifier("lei", "5493001KJTIIGC8Y1R12"),
        vec![alpha]
    );
    assert_eq!(
        graph.nodes_by_name("Alpha Group"),
        vec![alpha],
        "aliases split on the mapping's separator"
    );
    // Unmapped columns are typed free properties under keys made from their headers.
    assert_eq!(graph.node_prop(alpha, "employees"), Some(Value::Int(1200)));
    assert_eq!(graph.node_prop(alpha, "listed"), Some(Value::Bool(true)));
    // A date is a date in the records; the JSON text `to_graph` loads through holds it as text.
    assert_eq!(
        imported.dataset.entity[0].extra.get("founded"),
        Some(&Value::Date(Date::month(1999, 4).unwrap()))
    );
    assert_eq!(
        graph.node_prop(alpha, "postcode"),
        Some(Value::from("07100"))
    );
    let beta = graph.node_by_id("beta-pension-fund").unwrap();
    assert_eq!(
        graph.node_prop(beta, "founded"),
        Some(Value::Int(1970)),
        "a bare year is a number"
    );
    assert_eq!(graph.node_prop(beta, "listed"), Some(Value::Bool(false)));
    let gamma = graph.node_by_id("gamma-delta-gmbh").unwrap();
    assert_eq!(
        graph.node_prop(gamma, "name"),
        Some(Value::from("Gamma; Delta GmbH")),
        "a quoted delimiter is text"
    );
    assert_eq!(
        graph.node_prop(gamma, "employees"),
        Some(Value::Float(12.5))
    );
}

#[test]
fn a_register_of_shareholdings_names_both_ends() {
    let options = ImportOptions {
        mapping: pairs(&[
            ("from_name", "Shareholder"),
            ("from_kind", "Holder type"),
            ("to_name", "Company"),
            ("to_lei", "Company LEI"),
            ("fixed.to_kind", "company"),
            ("fixed.type", "invests-in"),
            ("stake_pct", "Stake (%)"),
            ("date", "Since"),
            ("source", "Register URL"),
        ]),
        mapping_file: None,
        batch_rows: None,
    };
    let imported = run(&[case("register.csv")], &options).unwrap();
    assert!(imported.losses.is_empty(), "{}", imported.losses);
    let dataset = &imported.dataset;
    assert_eq!(
        dataset.entity.len(),
        4,
        "each end once: {:?}",
        dataset.entity.iter().map(|e| &e.id).collect::<Vec<_>>()
    );
    let url = dataset.source.iter().find(|s| s.url.is_some()).unwrap();
    assert_eq!(
        url.url.as_deref(),
        Some("https://register.example.org/alpha/2024")
    );
    assert_eq!(url.publisher, "register.example.org");
    let file = dataset.source.iter().find(|s| s.url.is_none()).unwrap();
    assert_eq!(
        file.title, "Imported from register.csv",
        "a row without a source cites the file"
    );
    assert_eq!(dataset.source.len(), 2);

    let graph = imported.to_graph("register.csv", Schema::Alliance).unwrap();
    assert_eq!(graph.edge_count(), 3);
    let alpha = graph.nodes_by_identifier("lei", "5493001KJTIIGC8Y1R12");
    assert_eq!(
        alpha.len(),
        1,
        "the company's identifier is kept on the entity made for it"
    );
    let jane = graph.node_by_id("jane-roe").unwrap();
    assert_eq!(graph.nodes_with_label("Person"), vec![jane]);
    let ties = graph.edges_of_type("INVESTS_IN");
    assert_eq!(
        graph.edge_prop(ties[0], "stake_pct"),
        Some(Value::Float(12.5))
    );
    assert_eq!(
        graph.edge_prop(ties[0], "date"),
        Some(Value::Date("2019-03-01".parse().unwrap()))
    );
    assert_eq!(
        graph.edge_prop(ties[1], "date"),
        Some(Value::Date(Date::year(2021)))
    );
    assert_eq!(
        graph.edge_prop(ties[0], "votes"),
        Some(Value::Int(125_000)),
        "an unmapped column is kept"
    );
    assert_eq!(graph.edge_prop(ties[2], "votes"), None);
}

#[test]
fn bad_cells_are_named_by_row_and_column() {
    let firms = "Name,Kind\nAcme,compnay\nBolt,company\n,fund\n";
    let found =
        problems(run_text("firms.csv", firms, &[("name", "Name"), ("kind", "Kind")]).unwrap_err());
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!((found[0].0, found[0].1.as_str()), (2, "Kind"));
    assert!(found[0].2.contains("did you mean \"company\""), "{found:?}");
    assert_eq!((found[1].0, found[1].1.as_str()), (4, "Name"));

    let ties = "Owner,Owned,Kind of tie,Amount,Currency\na,b,invest,,\na,b,invests-in,lots,\na,b,invests-in,5,eur\n";
    let found = problems(
        run_text(
            "ties.csv",
            ties,
            &[
                ("from", "Owner"),
                ("to", "Owned"),
                ("type", "Kind of tie"),
                ("amount", "Amount"),
                ("currency", "Currency"),
            ],
        )
        .unwrap_err(),
    );
    let places: Vec<(usize, &str)> = found.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(
        places,
        vec![(2, "Kind of tie"), (3, "Amount"), (4, "Currency")],
        "{found:?}"
    );
    assert!(found[0].2.contains("or \"invests-in\""), "{found:?}");
    assert!(found[1].2.contains("\"lots\" is not a number"), "{found:?}");
    assert!(found[2].2.contains("EUR"), "{found:?}");
}

#[test]
fn a_mapping_naming_a_missing_column_is_refused_with_the_nearest() {
    let firms = "Legal name,Type\nAcme,company\n";
    let found = problems(
        run_text(
            "firms.csv",
            firms,
            &[("name", "Legal nam"), ("fixed.kind", "company")],
        )
        .unwrap_err(),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0, found[0].1.as_str()), (1, "Legal nam"));
    assert!(
        found[0].2.contains("did you mean \"Legal name\""),
        "{found:?}"
    );

    let error = run_text("firms.csv", firms, &[("nmae", "Legal name")])
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no field \"nmae\"") && error.contains("did you mean \"name\""),
        "{error}"
    );
}

#[test]
fn a_fixed_kind_and_a_mapped_id_make_slugs() {
    let firms = "LEI,Legal name\n5493001KJTIIGC8Y1R12,Acme\n";
    let imported = run_text(
        "firms.csv",
        firms,
        &[
            ("id", "LEI"),
            ("name", "Legal name"),
            ("fixed.kind", "company"),
        ],
    )
    .unwrap();
    assert_eq!(imported.dataset.entity[0].id, "5493001kjtiigc8y1r12");
    let graph = imported.to_graph("firms.csv", Schema::Alliance).unwrap();
    let acme = graph.node_by_id("5493001kjtiigc8y1r12").unwrap();
    assert_eq!(graph.node_prop(acme, "name"), Some(Value::from("Acme")));
}
