//! Load, save, load gives the same graph: on the default dataset, on generated datasets, and
//! on a bulk import; and a failed save leaves the existing file as it was.

use std::collections::BTreeMap;
use std::path::Path;

use alliances::datafile::{self, Format, TextInput, load_files, load_texts};
use alliances::model::{Date, Entity, Kind, RelType, Relationship, Source, Vocabulary};
use alliances::store::DataSet;
use alliances::{Graph, Schema, Value, default_graph};
use proptest::prelude::*;

fn reload(graph: &Graph, format: Format) -> Graph {
    let text = datafile::to_text(graph, format).expect("serializable");
    let input = TextInput {
        name: "saved",
        text: &text,
        format,
    };
    load_texts(&[input], Schema::Alliance).unwrap_or_else(|e| panic!("{e}\n--- text ---\n{text}"))
}

#[test]
fn default_dataset_survives_toml_and_json() {
    let graph = default_graph();
    let original = graph.to_dataset().unwrap();
    for format in [Format::Toml, Format::Json] {
        assert_eq!(
            reload(&graph, format).to_dataset().unwrap(),
            original,
            "{format:?}"
        );
    }
}

#[test]
fn constraints_survive_toml_and_json_in_both_forms() {
    use alliances::query::{self, Params};
    let mut alliance = default_graph();
    let mut open = Graph::new(Schema::Open);
    query::execute_mut(
        &mut open,
        "CREATE (:Firm {code: 'a', class: 'x'}), (:Firm {code: 'a', class: 'y'})",
        &Params::new(),
    )
    .unwrap();
    for graph in [&mut alliance, &mut open] {
        for text in [
            "CREATE CONSTRAINT company_id FOR (c:Company) REQUIRE c.id IS UNIQUE",
            "CREATE CONSTRAINT FOR (f:Firm) REQUIRE (f.code, f.class) IS UNIQUE",
        ] {
            query::execute_mut(graph, text, &Params::new()).unwrap();
        }
    }
    for (graph, duplicate) in [
        (
            &alliance,
            "CREATE (:Company {id: 'nvidia', name: 'Nvidia Again'})",
        ),
        (&open, "CREATE (:Firm {code: 'a', class: 'x'})"),
    ] {
        for format in [Format::Toml, Format::Json] {
            let text = datafile::to_text(graph, format).unwrap();
            assert!(text.contains("constraint"), "{format:?}: {text}");
            let input = TextInput {
                name: "saved",
                text: &text,
                format,
            };
            let mut back = load_texts(&[input], Schema::Alliance).unwrap();
            assert_eq!(back.schema(), graph.schema());
            assert_eq!(back.constraints(), graph.constraints(), "{format:?}");
            assert_eq!(datafile::to_text(&back, format).unwrap(), text);
            let error = query::execute_mut(&mut back, duplicate, &Params::new()).unwrap_err();
            assert!(error.message.contains("constraint"), "{error}");
        }
    }
}

#[test]
fn a_data_file_breaking_its_own_constraint_is_refused_with_both_places() {
    let text = "schema = \"open\"\n\
                [[constraint]]\nlabel = \"Firm\"\nkeys = [\"ticker\"]\n\
                [[node]]\nref = 1\nlabels = [\"Firm\"]\nproperties = { ticker = \"ONE\" }\n\
                [[node]]\nref = 2\nlabels = [\"Firm\"]\nproperties = { ticker = \"ONE\" }\n";
    let error = load_texts(
        &[TextInput {
            name: "firms.toml",
            text,
            format: Format::Toml,
        }],
        Schema::Open,
    )
    .unwrap_err();
    let problems = error.problems();
    assert_eq!(problems.len(), 1, "{error}");
    let problem = &problems[0];
    assert_eq!(problem.kind.code(), "unique-constraint");
    assert_eq!(
        (problem.location.line, problem.location.column),
        (12, Some(25))
    );
    assert!(
        problem
            .message
            .contains("node ref 2 shares ticker \"ONE\" with node ref 1 at firms.toml:8:25"),
        "{error}"
    );
}

#[test]
fn saving_to_disk_and_loading_gives_the_same_graph() {
    let dir = tempfile::tempdir().unwrap();
    let graph = default_graph();
    for name in ["copy.toml", "copy.json"] {
        let path = dir.path().join(name);
        datafile::save(&graph, &path).unwrap();
        let loaded = load_files(&[path], Schema::Alliance).unwrap();
        assert_eq!(
            loaded.to_dataset().unwrap(),
            graph.to_dataset().unwrap(),
            "{name}"
        );
    }
}

#[test]
fn a_failed_save_leaves_the_existing_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.json");
    let mut graph = default_graph();
    datafile::save(&graph, &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    // JSON has no NaN, so this save must fail after the graph was read.
    let edge = graph.edges().next().unwrap();
    graph.set_edge_prop(edge, "ratio", Value::Float(f64::NAN));
    assert!(datafile::save(&graph, &path).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn a_save_to_an_unknown_extension_is_refused() {
    let error = datafile::save(&default_graph(), Path::new("graph.xml")).unwrap_err();
    assert!(error.to_string().contains("*.toml or *.json"), "{error}");
}

#[test]
fn a_bulk_import_without_sources_saves_and_loads_back() {
    let nodes = "id,name,kind,country,sector\nf1,Fund 1,fund,US,pension\nc1,Company 1,company,,\nk1,Consortium 1,consortium,FR,standards-body\n";
    let edges = "from,to,type,amount_usd,date,stake_pct\nf1,c1,INVESTS_IN,1000000.5,2021-06-10,12.5\nf1,c1,SUPPLIES,,2020,\nc1,k1,member-of,,,\n";
    let graph = datafile::import_csv(
        "n.csv",
        nodes.as_bytes(),
        "e.csv",
        edges.as_bytes(),
        Schema::Alliance,
    )
    .unwrap();
    assert_eq!(graph.stats().unsourced, 3);
    let text = datafile::to_text(&graph, Format::Toml).unwrap();
    assert!(text.starts_with("allow_unsourced = true"), "{text}");
    assert_eq!(
        reload(&graph, Format::Toml).to_dataset().unwrap(),
        graph.to_dataset().unwrap()
    );
    assert_eq!(
        reload(&graph, Format::Json).to_dataset().unwrap(),
        graph.to_dataset().unwrap()
    );
}

// ----- generated datasets --------------------------------------------------------------------

fn date() -> impl Strategy<Value = Date> {
    (1990i32..2040, 0u8..=12, 0u8..=28).prop_map(|(y, m, d)| match (m, d) {
        (0, _) => Date::year(y),
        (m, 0) => Date::month(y, m).unwrap(),
        (m, d) => Date::day(y, m, d).unwrap(),
    })
}

/// Any text, including quotes, backslashes, newlines and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
        Just("Weird \"Co\" <Ltd>\\n\n東京 Société Générale {x}".to_owned()),
    ]
}

fn extra() -> impl Strategy<Value = BTreeMap<String, Value>> {
    let value = prop_oneof![
        any::<i64>().prop_map(Value::Int),
        (-1e15f64..1e15).prop_map(Value::Float),
        any::<bool>().prop_map(Value::Bool),
        text().prop_map(Value::String),
        proptest::collection::vec(any::<i32>().prop_map(|i| Value::Int(i.into())), 0..3)
            .prop_map(Value::List),
    ];
    proptest::collection::btree_map("x_[a-z_]{1,6}", value, 0..3)
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn dataset() -> impl Strategy<Value = DataSet> {
    let sources = proptest::collection::vec((text(), text(), date(), opt_text()), 1..4);
    let entities = proptest::collection::vec(
        (
            text(),
            proptest::sample::select(kind_names()).prop_map(Kind::new),
            proptest::collection::vec(text(), 0..3),
            opt_text(),
            opt_text(),
            extra(),
        ),
        2..7,
    );
    (sources, entities).prop_flat_map(|(sources, entities)| {
        let n_sources = sources.len();
        let n_entities = entities.len();
        let relationship = (
            0..n_entities,
            0..n_entities,
            proptest::sample::select(type_names()),
            proptest::option::of(0.0f64..1e12),
            proptest::sample::select(vec!["exact", "up-to", "at-least", "about"]),
            proptest::option::of(0.0f64..=100.0),
            proptest::option::of(0i64..1_000_000_000),
            proptest::option::of((date(), proptest::option::of(date()))),
            proptest::option::of(proptest::sample::select(vec![
                "planned",
                "announced",
                "agreed",
                "completed",
                "ended",
                "cancelled",
            ])),
            proptest::collection::btree_set(0..n_sources, 1..=n_sources),
            opt_text(),
            extra(),
        );
        let relationships = proptest::collection::vec(relationship, 0..10);
        (Just(sources), Just(entities), relationships).prop_map(build_dataset)
    })
}

fn kind_names() -> Vec<String> {
    Vocabulary::built_in()
        .kinds()
        .iter()
        .map(|k| k.name.clone())
        .collect()
}

fn type_names() -> Vec<String> {
    Vocabulary::built_in()
        .relationships()
        .iter()
        .map(|r| r.name.clone())
        .collect()
}

type RawRelationship = (
    usize,
    usize,
    String,
    Option<f64>,
    &'static str,
    Option<f64>,
    Option<i64>,
    Option<(Date, Option<Date>)>,
    Option<&'static str>,
    std::collections::BTreeSet<usize>,
    Option<String>,
    BTreeMap<String, Value>,
);

#[allow(clippy::type_complexity)]
fn build_dataset(
    (sources, entities, relationships): (
        Vec<(String, String, Date, Option<String>)>,
        Vec<(
            String,
            Kind,
            Vec<String>,
            Option<String>,
            Option<String>,
            BTreeMap<String, Value>,
        )>,
        Vec<RawRelationship>,
    ),
) -> DataSet {
    let source: Vec<Source> = sources
        .into_iter()
        .enumerate()
        .map(|(i, (title, publisher, date, url))| Source {
            id: format!("s{i}"),
            title: format!("{title}.t"),
            publisher: format!("{publisher}.p"),
            // Every third source is undated, as a corporate history page is.
            date: (i % 3 != 2).then_some(date),
            url,
            language: None,
        })
        .collect();
    // A unique last word keeps names and aliases distinct however the text folds.
    let entity: Vec<Entity> = entities
        .into_iter()
        .enumerate()
        .map(|(i, (name, kind, aliases, country, note, extra))| Entity {
            id: format!("e-{i}"),
            name: format!("{name} n{i}"),
            kind,
            aliases: aliases
                .into_iter()
                .enumerate()
                .map(|(j, a)| format!("{a} a{i}x{j}"))
                .collect(),
            country,
            sector: None,
            note,
            sources: Vec::new(),
            // Every other entity carries identifiers, a known scheme and a new one.
            ids: if i % 2 == 0 {
                [
                    ("wikidata".to_owned(), format!("Q{}", i + 1)),
                    ("registry_no".to_owned(), format!("R-{i}")),
                ]
                .into_iter()
                .collect()
            } else {
                Default::default()
            },
            extra,
        })
        .collect();
    let relationship = relationships
        .into_iter()
        .filter_map(|r| {
            let (
                from,
                to,
                mut rel_type,
                amount,
                qualifier,
                stake,
                shares,
                dates,
                status,
                cited,
                note,
                extra,
            ) = r;
            // The first type, from the one drawn on, that may join the two kinds.
            let vocabulary = Vocabulary::built_in();
            let types = vocabulary.relationships();
            let start = types.iter().position(|r| r.name == rel_type).unwrap_or(0);
            let fits = |r: &alliances::model::vocabulary::RelDef| {
                Vocabulary::may_join(r, entity[from].kind.as_str(), true)
                    && Vocabulary::may_join(r, entity[to].kind.as_str(), false)
            };
            let def = (0..types.len())
                .map(|i| &types[(start + i) % types.len()])
                .find(|r| fits(r))?;
            rel_type = def.name.clone();
            let mut rel = Relationship::new(
                RelType::new(rel_type),
                entity[from].id.clone(),
                entity[to].id.clone(),
            );
            let mut set = |key: &str, value: Option<Value>| {
                if let Some(value) = value
                    && vocabulary.allows(def, key)
                {
                    rel.properties.insert(key.to_owned(), value);
                }
            };
            set("amount_usd", amount.map(Value::money));
            if amount.is_some() && qualifier != "exact" {
                set("amount_qualifier", Some(Value::from(qualifier)));
            }
            set("stake_pct", stake.map(Value::Float));
            set("shares", shares.map(Value::Int));
            if let Some((start, end)) = dates {
                set("date", Some(Value::Date(start)));
                set("end_date", end.filter(|end| *end >= start).map(Value::Date));
            }
            set("status", status.map(Value::from));
            set("note", note.map(Value::String));
            rel.sources = cited.into_iter().map(|i| format!("s{i}")).collect();
            rel.extra = extra;
            Some(rel)
        })
        .collect();
    // A scheme an `ids` table uses is one of the graph's, saved with its vocabulary.
    let vocabulary = alliances::model::vocabulary::Definitions {
        identifier: vec![alliances::model::vocabulary::IdentifierDef {
            name: "registry_no".to_owned(),
            help: String::new(),
            format: None,
        }],
        ..Default::default()
    };
    DataSet {
        allow_unsourced: false,
        vocabulary,
        source,
        fx_rate: Vec::new(),
        constraint: Vec::new(),
        entity,
        relationship,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn generated_datasets_round_trip(dataset in dataset()) {
        for format in [Format::Toml, Format::Json] {
            let text = match format {
                Format::Toml => toml::to_string(&dataset).unwrap(),
                Format::Json => serde_json::to_string(&dataset).unwrap(),
            };
            let input = TextInput { name: "generated", text: &text, format };
            let graph = load_texts(&[input], Schema::Alliance)
                .unwrap_or_else(|e| panic!("{e}\n--- text ---\n{text}"));
            prop_assert_eq!(&graph.to_dataset().unwrap(), &dataset);
            prop_assert_eq!(&reload(&graph, format).to_dataset().unwrap(), &dataset);
        }
    }
}
