//! Whatever a write leaves can be saved and opened again: under the alliance schema, random
//! sequences of writing statements (some breaking rules, which are then refused whole) leave a
//! graph that saves to TOML and JSON and loads back equal; under the open schema, any labels,
//! types and values save to TOML, JSON and a snapshot and open back identical.
//!
//! `ALLIANCES_LONG_TESTS=1` runs many more random cases.

use std::path::Path;

use alliances::datafile::{self, Format, TextInput, load_files, load_texts};
use alliances::query::{self, ErrorKind, Params, QueryValue};
use alliances::{Graph, Schema, default_graph};
use proptest::prelude::*;

fn cases(short: u32) -> u32 {
    if std::env::var_os("ALLIANCES_LONG_TESTS").is_some() {
        short * 20
    } else {
        short
    }
}

fn reload(graph: &Graph, format: Format, schema: Schema) -> Graph {
    let text = datafile::to_text(graph, format).expect("a graph a write left can be saved");
    let input = TextInput {
        name: "saved",
        text: &text,
        format,
    };
    load_texts(&[input], schema).unwrap_or_else(|e| panic!("{e}\n--- text ---\n{text}"))
}

/// A graph as text that does not depend on element numbers: each node's labels and
/// properties in node order, each relationship's type, ends (by position) and properties.
fn dump(graph: &Graph) -> String {
    let nodes: Vec<_> = graph.nodes().collect();
    let position = |n| {
        nodes
            .iter()
            .position(|m| *m == n)
            .expect("a node of the graph")
    };
    let mut out = format!("schema {}\n", graph.schema());
    for &n in &nodes {
        let mut labels: Vec<&str> = graph.node_labels(n).collect();
        labels.sort_unstable();
        let mut props: Vec<_> = graph.node_props(n).collect();
        props.sort_by(|a, b| a.0.cmp(b.0));
        out.push_str(&format!("node {labels:?} {props:?}\n"));
    }
    for e in graph.edges() {
        let (from, to) = graph.edge_endpoints(e).expect("a live relationship");
        let mut props: Vec<_> = graph.edge_props(e).collect();
        props.sort_by(|a, b| a.0.cmp(b.0));
        out.push_str(&format!(
            "rel {} {} {} {props:?}\n",
            graph.edge_type(e),
            position(from),
            position(to)
        ));
    }
    for source in graph.sources() {
        out.push_str(&format!("source {source:?}\n"));
    }
    out
}

// ----- the alliance schema -------------------------------------------------------------------

/// One writing statement over the default dataset, with its parameters. Choices are indexes
/// into the graph's current ids, so that the statement names what is there.
#[derive(Clone, Debug)]
enum Write {
    Entity {
        kind: u8,
        name: String,
        country: u8,
    },
    Relationship {
        kind: u8,
        from: usize,
        to: usize,
        amount: i64,
        stake: i64,
        source: usize,
        dated: bool,
    },
    SetRelationship {
        pick: usize,
        amount: i64,
        stake: i64,
        note: String,
    },
    SetEntity {
        pick: usize,
        sector: String,
        score: i64,
        alias: Option<String>,
    },
    DeleteRelationship {
        pick: usize,
    },
    DeleteEntity {
        pick: usize,
    },
}

fn word() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 éü'&.-]{0,12}"
}

fn write() -> impl Strategy<Value = Write> {
    prop_oneof![
        (0u8..4, word(), 0u8..3).prop_map(|(kind, name, country)| Write::Entity {
            kind,
            name,
            country
        }),
        (
            0u8..3,
            0usize..64,
            0usize..64,
            -2i64..50,
            -5i64..120,
            0usize..40,
            any::<bool>()
        )
            .prop_map(|(kind, from, to, amount, stake, source, dated)| {
                Write::Relationship {
                    kind,
                    from,
                    to,
                    amount,
                    stake,
                    source,
                    dated,
                }
            }),
        (0usize..64, -2i64..50, -5i64..120, word()).prop_map(|(pick, amount, stake, note)| {
            Write::SetRelationship {
                pick,
                amount,
                stake,
                note,
            }
        }),
        (
            0usize..64,
            word(),
            -100i64..100,
            proptest::option::of(word())
        )
            .prop_map(|(pick, sector, score, alias)| Write::SetEntity {
                pick,
                sector,
                score,
                alias
            }),
        (0usize..64).prop_map(|pick| Write::DeleteRelationship { pick }),
        (0usize..64).prop_map(|pick| Write::DeleteEntity { pick }),
    ]
}

fn text(s: &str) -> QueryValue {
    QueryValue::String(s.to_owned())
}

/// The statement and its parameters, given the graph it runs on.
fn statement(graph: &Graph, write: &Write) -> (String, Params) {
    let mut ids: Vec<String> = graph.ids().map(str::to_owned).collect();
    ids.sort();
    let consortia: Vec<String> = graph
        .nodes_with_label("Consortium")
        .iter()
        .filter_map(|n| graph.node_str(*n, "id").map(str::to_owned))
        .collect();
    let sources: Vec<String> = graph.sources().map(|s| s.id.clone()).collect();
    let pick =
        |list: &[String], i: usize| list.get(i % list.len().max(1)).cloned().unwrap_or_default();
    let mut params = Params::new();
    let by_position = "MATCH (a)-[r]->(b) WITH r ORDER BY a.id, b.id, type(r), r.date, r.amount_usd SKIP $k LIMIT 1";
    let edges = graph.edge_count().max(1);
    let query = match write {
        Write::Entity {
            kind,
            name,
            country,
        } => {
            let label = ["Company", "Fund", "Government", "Consortium"][*kind as usize];
            params.insert("name".into(), text(name));
            params.insert(
                "country".into(),
                text(["US", "FR", "JP"][*country as usize]),
            );
            format!("CREATE (:{label} {{name: $name, country: $country}})")
        }
        Write::Relationship {
            kind,
            from,
            to,
            amount,
            stake,
            source,
            dated,
        } => {
            let rel_type = ["INVESTS_IN", "SUPPLIES", "MEMBER_OF"][*kind as usize];
            params.insert("a".into(), text(&pick(&ids, *from)));
            let target = if rel_type == "MEMBER_OF" {
                pick(&consortia, *to)
            } else {
                pick(&ids, *to)
            };
            params.insert("b".into(), text(&target));
            params.insert("amount".into(), QueryValue::Int(amount * 1_000_000));
            params.insert("stake".into(), QueryValue::Float(*stake as f64 / 2.0));
            params.insert("source".into(), text(&pick(&sources, *source)));
            let date = if *dated {
                ", date: period('2024-06'), end_date: period('2025')"
            } else {
                ""
            };
            format!(
                "MATCH (a {{id: $a}}), (b {{id: $b}}) CREATE (a)-[:{rel_type} {{amount_usd: $amount, stake_pct: $stake, sources: [$source], status: 'agreed'{date}}}]->(b)"
            )
        }
        Write::SetRelationship {
            pick: k,
            amount,
            stake,
            note,
        } => {
            params.insert("k".into(), QueryValue::Int((*k % edges) as i64));
            params.insert("amount".into(), QueryValue::Float(*amount as f64 * 1.5e6));
            params.insert("stake".into(), QueryValue::Int(*stake));
            params.insert("note".into(), text(note));
            format!(
                "{by_position} SET r.amount_usd = $amount, r.stake_pct = $stake, r.note = $note, r.amount_qualifier = 'about'"
            )
        }
        Write::SetEntity {
            pick: k,
            sector,
            score,
            alias,
        } => {
            params.insert("id".into(), text(&pick(&ids, *k)));
            params.insert("sector".into(), text(sector));
            params.insert("score".into(), QueryValue::Int(*score));
            let alias = match alias {
                Some(a) => {
                    params.insert("alias".into(), text(a));
                    ", n.aliases = [$alias]"
                }
                None => "",
            };
            format!("MATCH (n {{id: $id}}) SET n.sector = $sector, n.score = $score{alias}")
        }
        Write::DeleteRelationship { pick: k } => {
            params.insert("k".into(), QueryValue::Int((*k % edges) as i64));
            format!("{by_position} DELETE r")
        }
        Write::DeleteEntity { pick: k } => {
            params.insert("id".into(), text(&pick(&ids, *k)));
            "MATCH (n {id: $id}) DETACH DELETE n".to_owned()
        }
    };
    (query, params)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn what_alliance_writes_leave_saves_and_loads_back_equal(writes in proptest::collection::vec(write(), 1..10)) {
        let mut graph = default_graph();
        let mut kept = 0;
        for write in &writes {
            if graph.ids().next().is_none() {
                break;
            }
            let (text, params) = statement(&graph, write);
            let before = dump(&graph);
            match query::execute_mut(&mut graph, &text, &params) {
                Ok(_) => kept += 1,
                Err(error) => {
                    // A refused write is a broken rule, and changes nothing.
                    prop_assert_eq!(error.kind, ErrorKind::Constraint, "{}\n{}", text, error);
                    prop_assert_eq!(dump(&graph), before);
                }
            }
        }
        let dataset = graph.to_dataset().expect("a graph writes left is made of alliance records");
        for format in [Format::Toml, Format::Json] {
            let back = reload(&graph, format, Schema::Alliance);
            prop_assert_eq!(&back.to_dataset().unwrap(), &dataset, "{:?} after {} writes", format, kept);
        }
    }
}

#[test]
fn a_write_never_switches_allow_unsourced_on() {
    let mut graph = default_graph();
    assert!(!graph.allow_unsourced());
    let refused = query::execute_mut(
        &mut graph,
        "MATCH (a {id: 'nvidia'}), (b {id: 'intel'}) CREATE (a)-[:SUPPLIES]->(b)",
        &Params::new(),
    )
    .unwrap_err();
    assert_eq!(
        refused.problem.map(|p| p.code()),
        Some("no-source"),
        "{refused}"
    );
    let text = datafile::to_text(&graph, Format::Toml).unwrap();
    assert!(!text.contains("allow_unsourced"), "{text}");
}

#[test]
fn a_graph_that_allows_unsourced_relationships_keeps_saying_so() {
    let file = "allow_unsourced = true\n[[entity]]\nid = \"a\"\nname = \"A\"\nkind = \"company\"\n";
    let input = TextInput {
        name: "a.toml",
        text: file,
        format: Format::Toml,
    };
    let mut graph = load_texts(&[input], Schema::Alliance).unwrap();
    assert!(graph.allow_unsourced());
    query::execute_mut(
        &mut graph,
        "MATCH (a {id: 'a'}) CREATE (a)-[:SUPPLIES]->(:Company {name: 'B'})",
        &Params::new(),
    )
    .unwrap();
    for format in [Format::Toml, Format::Json] {
        let back = reload(&graph, format, Schema::Alliance);
        assert!(back.allow_unsourced());
        assert_eq!(back.to_dataset().unwrap(), graph.to_dataset().unwrap());
    }
    let snapshot =
        alliances::store::snapshot::read(&alliances::store::snapshot::write(&graph)).unwrap();
    assert!(snapshot.allow_unsourced(), "a snapshot keeps the flag");
}

// ----- the open schema -----------------------------------------------------------------------

const OPEN_WRITES: &str = "
CREATE (:Person:Author {name: 'Zoë', born: period('1990-05'), tags: ['a', 'b'], mixed: [1, 2.5, 'x', true, period('2020')]});
CREATE (:Thing {n: 1, f: 1.0, neg: -0.5, big: 9007199254740993, nan: 0.0 / 0.0, inf: 1.0 / 0.0, ninf: -1.0 / 0.0, quote: 'say \"hi\"\\n\\ttab', empty: ''});
CREATE ();
CREATE (:Gone {x: 1});
MATCH (p:Person), (t:Thing) CREATE (p)-[:LIKES {since: date('2021-03-04'), w: 0.25}]->(t), (t)-[:LIKES]->(p), (p)-[:SELF]->(p), (p)-[:LIKES {w: 2}]->(t);
MATCH (n) WHERE n.name IS NULL AND NOT n:Thing AND NOT n:Gone CREATE (n)-[:TO {`odd key`: 'v'}]->(n);
MATCH (g:Gone) DELETE g;
";

fn open_graph() -> Graph {
    let mut graph = Graph::new(Schema::Open);
    query::execute_mut(&mut graph, OPEN_WRITES, &Params::new()).unwrap();
    graph
}

#[test]
fn an_open_schema_graph_saves_as_toml_json_and_a_snapshot_and_opens_identical() {
    let graph = open_graph();
    let expected = dump(&graph);
    assert!(
        expected.contains("NaN") && expected.contains("inf"),
        "{expected}"
    );
    let dir = tempfile::tempdir().unwrap();
    for name in ["x.toml", "x.json", "x.alliances"] {
        let path = dir.path().join(name);
        datafile::save(&graph, &path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = load_files(std::slice::from_ref(&path), Schema::Open)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(dump(&back), expected, "{name}");
        // Saved again, the same text.
        if name != "x.alliances" {
            let again = dir.path().join(format!("again-{name}"));
            datafile::save(&back, &again).unwrap();
            assert_eq!(
                std::fs::read(&path).unwrap(),
                std::fs::read(&again).unwrap(),
                "{name}"
            );
        }
        // Asked for under the alliance rules, it is refused with a way out.
        let graph = load_files(std::slice::from_ref(&path), Schema::Alliance).unwrap();
        let refused =
            datafile::check_schema(&graph, Schema::Alliance, Path::new(name)).unwrap_err();
        assert!(refused.to_string().contains("(schema open)"), "{refused}");
    }
}

#[test]
fn an_open_schema_file_is_checked_with_located_problems() {
    let file = "schema = \"open\"\n[[node]]\nref = 1\n[[node]]\nref = 1\n[[relationship]]\ntype = \"T\"\nfrom = 1\nto = 7\n[[relationship]]\nfrom = 1\nto = 1\nproperties = { when = { date = \"2025-13\" }, bad = { x = 1 } }\n";
    let input = TextInput {
        name: "o.toml",
        text: file,
        format: Format::Toml,
    };
    let error = load_texts(&[input], Schema::Open).unwrap_err();
    let codes: Vec<String> = error
        .problems()
        .iter()
        .map(|p| {
            format!(
                "{} {}:{}",
                p.kind.code(),
                p.location.line,
                p.location.column.unwrap_or(0)
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            "duplicate-id 5:7",
            "unknown-entity 9:6",
            "missing-field 10:1",
            "bad-date 13:32",
            "wrong-type 13:51",
        ],
        "{error}"
    );
}

fn open_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        any::<f64>().prop_map(|x| if x.is_finite() {
            format!("{x:?}")
        } else {
            "0.0 / 0.0".to_owned()
        }),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<String>().prop_map(|s| format!("{:?}", s).replace("\\u{", "\\u").replace('}', "")),
        (1900i32..2100, 1u32..13).prop_map(|(y, m)| format!("date('{y}-{m:02}')")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(32)))]

    #[test]
    fn random_open_schema_values_round_trip(
        values in proptest::collection::vec(open_value(), 1..6),
        label in "[A-Z][a-z]{0,6}",
    ) {
        let mut graph = Graph::new(Schema::Open);
        let props: Vec<String> = values.iter().enumerate().map(|(i, v)| format!("p{i}: {v}")).collect();
        let text = format!(
            "CREATE (a:{label} {{{}}})-[:R {{{}}}]->(b), (b)-[:R]->(a)",
            props.join(", "),
            props.join(", ")
        );
        // Text the query language cannot read is no test of saving.
        if query::execute_mut(&mut graph, &text, &Params::new()).is_err() {
            return Ok(());
        }
        let expected = dump(&graph);
        for format in [Format::Toml, Format::Json] {
            prop_assert_eq!(dump(&reload(&graph, format, Schema::Open)), expected.clone(), "{:?}", format);
        }
    }
}
