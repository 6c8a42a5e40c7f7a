//! Snapshots keep a graph exactly: every node with its labels and properties in their order,
//! every relationship with its ends, type and properties, the sources, and the indexes built
//! from them, also after deletions left gaps in the numbering. A damaged or foreign snapshot is
//! refused with the byte where reading stopped, never a panic; a database kept as a snapshot
//! journals and folds like any other.

use std::collections::BTreeMap;

use alliances::db::{Database, DbOptions};
use alliances::query::{self, Params};
use alliances::store::snapshot;
use alliances::{Date, Graph, Schema, Value};
use proptest::prelude::*;

type NodeDump = (Vec<String>, Vec<(String, String)>);
type EdgeDump = (usize, usize, String, Vec<(String, String)>);

/// Everything a graph says, in element order, nodes named by position.
fn dump(g: &Graph) -> (Vec<NodeDump>, Vec<EdgeDump>) {
    let position: BTreeMap<_, _> = g.nodes().enumerate().map(|(i, n)| (n, i)).collect();
    let props = |list: Vec<(&str, Value)>| -> Vec<(String, String)> {
        list.into_iter()
            .map(|(k, v)| (k.to_owned(), format!("{v:?}")))
            .collect()
    };
    let nodes = g
        .nodes()
        .map(|n| {
            (
                g.node_labels(n).map(str::to_owned).collect(),
                props(g.node_props(n).collect()),
            )
        })
        .collect();
    let edges = g
        .edges_with_ends()
        .map(|(e, from, to)| {
            (
                position[&from],
                position[&to],
                g.edge_type(e).to_owned(),
                props(g.edge_props(e).collect()),
            )
        })
        .collect();
    (nodes, edges)
}

/// What the indexes answer, by node position.
fn index_answers(g: &Graph) -> Vec<String> {
    let position: BTreeMap<_, _> = g.nodes().enumerate().map(|(i, n)| (n, i)).collect();
    let mut answers = vec![
        format!("{:?}", g.label_counts()),
        format!("{:?}", g.type_counts()),
        format!("{:?}", g.property_keys()),
    ];
    for n in g.nodes() {
        if let Some(id) = g.node_str(n, "id") {
            answers.push(format!(
                "id {id} -> {:?}",
                g.node_by_id(id).map(|m| position[&m])
            ));
        }
        if let Some(name) = g.node_str(n, "name") {
            let mut found: Vec<usize> = g.nodes_by_name(name).iter().map(|m| position[m]).collect();
            found.sort_unstable();
            answers.push(format!("name {name} -> {found:?}"));
        }
    }
    answers
}

/// `g` through a snapshot, read in place (its dense columns left in the bytes), after checking
/// that a copying read gives the same graph.
fn reopened(g: &Graph) -> Graph {
    let bytes = bytes::Bytes::from(snapshot::write(g));
    let copied = snapshot::read(&bytes).expect("a snapshot reads back");
    let shared = snapshot::read_shared(&bytes).expect("a snapshot reads back in place");
    assert_eq!(dump(&shared), dump(&copied));
    shared
}

fn value(depth: u32) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        (-1000i64..1000).prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        Just(Value::Float(f64::NAN)),
        "[a-zA-Zé ]{0,8}".prop_map(Value::String),
        (1900i32..2100, 1u8..13, 1u8..29)
            .prop_map(|(y, m, d)| Value::Date(Date::day(y, m, d).unwrap())),
        (1900i32..2100, 1u8..13).prop_map(|(y, m)| Value::Date(Date::month(y, m).unwrap())),
        (-500i32..3000).prop_map(|y| Value::Date(Date::year(y))),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        4 => leaf,
        1 => proptest::collection::vec(value(depth - 1), 0..3).prop_map(Value::List),
        1 => proptest::collection::btree_map("[a-z]{1,3}", value(depth - 1), 0..3).prop_map(Value::Map),
    ]
    .boxed()
}

fn properties() -> impl Strategy<Value = Vec<(String, Value)>> {
    proptest::collection::vec(("id|name|k[a-c]|aliases", value(1)), 0..4)
}

type Spec = (
    Vec<(Vec<&'static str>, Vec<(String, Value)>)>,
    Vec<(usize, usize, bool, Vec<(String, Value)>)>,
    Vec<usize>,
    Vec<usize>,
);

fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::collection::vec(
            (
                proptest::sample::subsequence(vec!["Company", "Fund", "Tag"], 0..=3),
                properties(),
            ),
            1..12,
        ),
        proptest::collection::vec((0usize..12, 0usize..12, any::<bool>(), properties()), 0..24),
        proptest::collection::vec(0usize..12, 0..3),
        proptest::collection::vec(0usize..24, 0..4),
    )
}

fn build((nodes, edges, drop_nodes, drop_edges): &Spec) -> Graph {
    let mut g = Graph::new(Schema::Open);
    let ids: Vec<_> = nodes
        .iter()
        .map(|(labels, props)| {
            g.add_node(
                labels.iter().copied(),
                props.iter().map(|(k, v)| (k.as_str(), v.clone())),
            )
        })
        .collect();
    let mut rels = Vec::new();
    for (from, to, invests, props) in edges {
        let rel_type = if *invests { "INVESTS_IN" } else { "SUPPLIES" };
        rels.push(
            g.add_edge(
                ids[from % ids.len()],
                ids[to % ids.len()],
                rel_type,
                props.iter().map(|(k, v)| (k.as_str(), v.clone())),
            )
            .expect("both ends exist"),
        );
    }
    for e in drop_edges {
        if let Some(edge) = rels.get(*e) {
            g.remove_edge(*edge);
        }
    }
    for n in drop_nodes {
        g.remove_node(ids[n % ids.len()]);
    }
    g
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_snapshot_gives_back_the_graph_it_was_made_from(spec in spec()) {
        let g = build(&spec);
        let back = reopened(&g);
        prop_assert_eq!(dump(&back), dump(&g));
        prop_assert_eq!(index_answers(&back), index_answers(&g));
        prop_assert_eq!(back.schema(), g.schema());
        // And it keeps working as a graph: new strings and elements go in as anywhere else.
        let mut back = back;
        let n = back.add_node(["Company"], [("name", Value::from("A New Firm")), ("id", Value::from("new-id"))]);
        prop_assert_eq!(back.node_by_id("new-id"), Some(n));
        prop_assert_eq!(back.nodes_by_name("a new firm"), vec![n]);
    }

    #[test]
    fn writes_after_a_read_in_place_are_those_of_a_copied_graph(
        spec in spec(),
        writes in proptest::collection::vec((any::<bool>(), 0usize..24, 0usize..4, value(1)), 0..16),
    ) {
        let g = build(&spec);
        let bytes = bytes::Bytes::from(snapshot::write(&g));
        let mut copied = snapshot::read(&bytes).unwrap();
        let mut in_place = snapshot::read_shared(&bytes).unwrap();
        let untouched = snapshot::read_shared(&bytes).unwrap();
        let keys = ["id", "name", "ka", "kb"];
        for graph in [&mut copied, &mut in_place] {
            let nodes: Vec<_> = graph.nodes().collect();
            let edges: Vec<_> = graph.edges().collect();
            for (on_node, at, key, value) in &writes {
                if *on_node && !nodes.is_empty() {
                    graph.set_node_prop(nodes[at % nodes.len()], keys[*key], value.clone());
                } else if !edges.is_empty() {
                    graph.set_edge_prop(edges[at % edges.len()], keys[*key], value.clone());
                }
            }
        }
        prop_assert_eq!(dump(&in_place), dump(&copied));
        prop_assert_eq!(index_answers(&in_place), index_answers(&copied));
        prop_assert_eq!(dump(&untouched), dump(&g));
    }

    #[test]
    fn a_damaged_snapshot_is_an_error_never_a_panic(at in 0usize..1_000_000, byte in any::<u8>(), cut in any::<bool>()) {
        let bytes = snapshot::write(&alliances::default_graph());
        let mut damaged = bytes.clone();
        let at = at % (bytes.len() - 4);
        if cut {
            damaged.truncate(at);
            prop_assert!(snapshot::read(&damaged).is_err());
        } else {
            damaged[at] = byte;
            // A checksum that matches, so the reader's other checks are the ones tried.
            let body = damaged.len() - 4;
            let checksum = crc32fast::hash(&damaged[..body]);
            damaged[body..].copy_from_slice(&checksum.to_le_bytes());
            let copied = snapshot::read(&damaged);
            let shared = snapshot::read_shared(&bytes::Bytes::from(damaged));
            prop_assert_eq!(copied.as_ref().err(), shared.as_ref().err());
            if let (Ok(g), Ok(in_place)) = (copied, shared) {
                // Whatever it reads must hold together.
                prop_assert_eq!(dump(&g), dump(&in_place));
                let _ = index_answers(&g);
            }
        }
    }
}

#[test]
fn the_default_dataset_comes_back_whole_and_answers_the_same() {
    let g = alliances::default_graph();
    let back = reopened(&g);
    assert_eq!(dump(&back), dump(&g));
    assert_eq!(
        alliances::datafile::to_text(&back, alliances::datafile::Format::Toml).unwrap(),
        alliances::datafile::to_text(&g, alliances::datafile::Format::Toml).unwrap()
    );
    let q =
        "MATCH p = shortestPath((a {name: 'BlackRock'})-[*]-(b {name: 'Intel'})) RETURN length(p)";
    assert_eq!(
        query::execute(&back, q, &Params::new()).unwrap()[0].rows,
        query::execute(&g, q, &Params::new()).unwrap()[0].rows
    );
}

#[test]
fn what_is_not_a_snapshot_or_is_damaged_says_so_and_where() {
    let bytes = snapshot::write(&alliances::default_graph());
    let error = snapshot::read(b"[[entity]]\nid = \"x\"\n").unwrap_err();
    assert_eq!(error.offset, 0);
    assert!(
        error.reason.contains("not an alliances snapshot"),
        "{error}"
    );

    let mut flipped = bytes.clone();
    flipped[200] ^= 1;
    let error = snapshot::read(&flipped).unwrap_err();
    assert!(error.reason.contains("checksum"), "{error}");
    assert_eq!(error.offset, bytes.len() - 4);

    let mut newer = bytes.clone();
    let at = snapshot::MAGIC.len();
    newer[at..at + 4].copy_from_slice(&(snapshot::VERSION + 1).to_le_bytes());
    let error = snapshot::read(&newer).unwrap_err();
    assert!(error.reason.contains("newer version"), "{error}");

    let error = snapshot::read(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(error.reason.contains("checksum"), "{error}");
}

#[test]
fn a_database_kept_as_a_snapshot_journals_folds_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graph.alliances");
    let options = DbOptions {
        from_default: true,
        ..DbOptions::default()
    };
    let text = "CREATE (:Company {id: 'acme', name: 'Acme Chips'})";
    {
        let (mut db, mut graph, recovery) = Database::open(&path, options.clone()).unwrap();
        assert!(recovery.created);
        assert!(snapshot::is_snapshot(&std::fs::read(&path).unwrap()));
        let parsed = query::parse(text).unwrap();
        query::prepare(&graph, text, &parsed[0])
            .unwrap()
            .run_mut_with(&mut graph, &Params::new(), &mut |witnesses, changes| {
                Ok(db.append(text, witnesses, changes)?)
            })
            .unwrap();
    }
    // Replayed from the journal over the snapshot.
    let (mut db, mut graph, recovery) = Database::open(&path, options.clone()).unwrap();
    assert_eq!(recovery.replayed, 1);
    assert!(graph.node_by_id("acme").is_some());
    // Folded into a new snapshot: nothing left to replay.
    db.fold(&mut graph).unwrap();
    drop(db);
    let (_, graph, recovery) = Database::open(&path, options).unwrap();
    assert_eq!(recovery.replayed, 0);
    assert_eq!(graph.nodes_by_name("acme chips").len(), 1);
    assert!(snapshot::is_snapshot(&std::fs::read(&path).unwrap()));
}

/// 20,000 firms, each with an id, a score and a 60-character note: a snapshot of more than a
/// megabyte, which is mapped rather than read.
fn large_graph() -> Graph {
    let mut graph = Graph::new(Schema::Open);
    for i in 0..20_000 {
        graph.add_node(
            ["Firm"],
            [
                ("id", Value::String(format!("f{i}"))),
                ("score", Value::Float(f64::from(i) + 0.5)),
                ("note", Value::String(format!("{i:060}"))),
            ],
        );
    }
    graph
}

/// A database whose data file is mapped keeps reading the columns it left in the file after a
/// fold has renamed a new file over it, and its changes to those columns are its own.
#[test]
fn a_mapped_database_keeps_its_columns_across_folds() {
    let graph = large_graph();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.alliances");
    alliances::save(&graph, &path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 1 << 20);
    let options = DbOptions {
        schema: Schema::Open,
        ..DbOptions::default()
    };
    let run = |db: &mut Database, graph: &mut Graph, text: &str| {
        let parsed = query::parse(text).unwrap();
        query::prepare(graph, text, &parsed[0])
            .unwrap()
            .run_mut_with(graph, &Params::new(), &mut |witnesses, changes| {
                Ok(db.append(text, witnesses, changes)?)
            })
            .unwrap();
    };
    let score = |graph: &Graph, id: &str| {
        let q = format!("MATCH (n {{id: '{id}'}}) RETURN n.score");
        format!(
            "{:?}",
            query::execute(graph, &q, &Params::new()).unwrap()[0].rows
        )
    };
    {
        let (mut db, mut graph, _) = Database::open(&path, options.clone()).unwrap();
        db.fold(&mut graph).unwrap();
        // The file read is gone; its columns are still there to read, and to write.
        assert!(
            score(&graph, "f7").contains("7.5"),
            "{}",
            score(&graph, "f7")
        );
        run(
            &mut db,
            &mut graph,
            "MATCH (n {id: 'f7'}) SET n.score = -1.25",
        );
        assert!(score(&graph, "f8").contains("8.5"));
        db.fold(&mut graph).unwrap();
        run(
            &mut db,
            &mut graph,
            "MATCH (n {id: 'f9'}) SET n.note = 'changed'",
        );
    }
    let (_, graph, _) = Database::open(&path, options).unwrap();
    assert!(
        score(&graph, "f7").contains("-1.25"),
        "{}",
        score(&graph, "f7")
    );
    assert!(score(&graph, "f19999").contains("19999.5"));
    let note =
        query::execute(&graph, "MATCH (n {id: 'f9'}) RETURN n.note", &Params::new()).unwrap();
    assert!(format!("{:?}", note[0].rows).contains("changed"));
}

/// `bytes` with its format version set to `version` and its checksum made to match.
fn as_format(bytes: &[u8], version: u32) -> Vec<u8> {
    let at = snapshot::MAGIC.len();
    let mut older = bytes.to_vec();
    older[at..at + 4].copy_from_slice(&version.to_le_bytes());
    let body = older.len() - 4;
    let checksum = crc32fast::hash(&older[..body]);
    older[body..].copy_from_slice(&checksum.to_le_bytes());
    older
}

fn format_of(bytes: &[u8]) -> u32 {
    let at = snapshot::MAGIC.len();
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

#[test]
fn constraints_come_back_and_only_they_need_the_newer_format() {
    let mut g = Graph::new(Schema::Open);
    for text in [
        "CREATE (:Company {id: 'nvidia', name: 'Nvidia', country: 'US', sector: 'chips'})",
        "CREATE (:Company {id: 'amd', name: 'AMD', country: 'US', sector: 'chips'})",
        "CREATE (:Fund {id: 'f1', name: 'A fund', tags: ['a', 'b']})",
    ] {
        query::execute_mut(&mut g, text, &Params::new()).unwrap();
    }
    let plain = snapshot::write(&g);
    assert_eq!(
        format_of(&plain),
        1,
        "without constraints older builds still read it"
    );
    for text in [
        "CREATE CONSTRAINT company_id FOR (c:Company) REQUIRE c.id IS UNIQUE",
        "CREATE CONSTRAINT FOR (c:Company) REQUIRE (c.country, c.sector) IS UNIQUE",
    ] {
        // The two companies share a country and sector: that one is refused.
        let _ = query::execute_mut(&mut g, text, &Params::new());
    }
    query::execute_mut(
        &mut g,
        "CREATE CONSTRAINT fund_name FOR (f:Fund) REQUIRE f.name IS UNIQUE",
        &Params::new(),
    )
    .unwrap();
    assert_eq!(g.constraints().len(), 2);
    let bytes = snapshot::write(&g);
    assert_eq!(format_of(&bytes), 2);
    let mut back = reopened(&g);
    assert_eq!(back.constraints(), g.constraints());
    assert_eq!(dump(&back), dump(&g));
    let error = query::execute_mut(
        &mut back,
        "CREATE (:Company {id: 'nvidia', name: 'Nvidia Again'})",
        &Params::new(),
    )
    .unwrap_err();
    assert!(error.message.contains("company_id"), "{error}");

    // A format-1 file cannot hold them: the flag is read as damage, not skipped.
    assert!(snapshot::read(&as_format(&bytes, 1)).is_err());
}

/// A list of one string (a tie's `sources`, most often) is stored in a cell of its own, which
/// only the newest format has: a snapshot holding one says so, and an older format's file
/// holding one is damaged.
#[test]
fn a_list_of_one_string_needs_the_newest_format() {
    let mut g = Graph::new(Schema::Open);
    query::execute_mut(
        &mut g,
        "CREATE (:Company {id: 'a', sources: ['register'], tags: ['x', 'y'], one: [1]})",
        &Params::new(),
    )
    .unwrap();
    let bytes = snapshot::write(&g);
    assert_eq!(format_of(&bytes), snapshot::VERSION);
    let back = reopened(&g);
    assert_eq!(dump(&back), dump(&g));
    let rows = query::execute(
        &back,
        "MATCH (c) RETURN c.sources, c.tags, c.one",
        &Params::new(),
    )
    .unwrap();
    assert_eq!(
        format!("{:?}", rows[0].rows),
        format!(
            "{:?}",
            query::execute(
                &g,
                "MATCH (c) RETURN c.sources, c.tags, c.one",
                &Params::new()
            )
            .unwrap()[0]
                .rows
        )
    );
    let error = snapshot::read(&as_format(&bytes, 2)).unwrap_err();
    assert!(error.to_string().contains("holds no value"), "{error}");
}

/// A snapshot of more than a megabyte is mapped rather than read; it is checked all the same,
/// and a database opened on it knows its data file by the same checksum a read would give.
#[test]
fn a_large_snapshot_is_mapped_and_checked_like_any_other() {
    let graph = large_graph();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("large.alliances");
    alliances::save(&graph, &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 1 << 20, "{} bytes", bytes.len());
    assert_eq!(snapshot::file_checksum(&bytes), crc32_ieee(&bytes));

    let back = alliances::load_files(std::slice::from_ref(&path), Schema::Open).unwrap();
    assert_eq!(dump(&back), dump(&graph));
    assert_eq!(index_answers(&back), index_answers(&graph));
    let options = DbOptions {
        read_only: true,
        ..DbOptions::default()
    };
    let (_, opened, _) = Database::open(&path, options.clone()).unwrap();
    assert_eq!(opened.node_count(), 20_000);

    let mut damaged = bytes.clone();
    damaged[bytes.len() / 2] ^= 4;
    std::fs::write(&path, &damaged).unwrap();
    let error = alliances::load_files(std::slice::from_ref(&path), Schema::Open)
        .unwrap_err()
        .to_string();
    assert!(error.contains("checksum does not match"), "{error}");
    let error = Database::open(&path, options).unwrap_err().to_string();
    assert!(error.contains("checksum does not match"), "{error}");

    std::fs::write(&path, &bytes[..bytes.len() - 100]).unwrap();
    let error = alliances::load_files(std::slice::from_ref(&path), Schema::Open)
        .unwrap_err()
        .to_string();
    assert!(error.contains("checksum does not match"), "{error}");
}

/// A large table's columns are checked side by side; a bad cell is still reported where it is,
/// and of two, the one earlier in the file.
#[test]
fn a_large_tables_bad_cells_are_reported_in_file_order() {
    let mut graph = Graph::new(Schema::Open);
    for i in 0..70_000 {
        graph.add_node(
            ["Firm"],
            [
                ("a", Value::Float(f64::from(i) + 0.25)),
                ("b", Value::Float(f64::from(i) + 0.75)),
                ("c", Value::Float(f64::from(i) + 0.5)),
            ],
        );
    }
    let bytes = snapshot::write(&graph);
    let back = snapshot::read(&bytes).unwrap();
    assert_eq!(dump(&back), dump(&graph));
    let find = |value: f64| {
        let cell = value.to_le_bytes();
        bytes
            .windows(8)
            .position(|w| w == cell)
            .expect("the cell is there")
    };
    // A boolean cell holding 2 holds no value.
    let bad = 0xFFF9_0000_0000_0002u64.to_le_bytes();
    let damage = |places: &[usize]| {
        let mut damaged = bytes.clone();
        for at in places {
            damaged[*at..*at + 8].copy_from_slice(&bad);
        }
        let body = damaged.len() - 4;
        let checksum = crc32fast::hash(&damaged[..body]);
        damaged[body..].copy_from_slice(&checksum.to_le_bytes());
        let error = snapshot::read(&damaged).unwrap_err();
        let in_place = snapshot::read_shared(&bytes::Bytes::from(damaged)).unwrap_err();
        assert_eq!(in_place, error);
        error
    };
    let places = [find(60_000.25), find(100.75), find(30_000.5)];
    for at in places {
        let error = damage(&[at]);
        assert_eq!(error.offset, at, "{error}");
        assert!(error.reason.contains("holds no value"), "{error}");
    }
    let first = *places.iter().min().unwrap();
    assert_eq!(damage(&places).offset, first);
}

/// A graph read in place keeps its dense columns in the snapshot's bytes until it writes to
/// them: then it writes to a copy of its own, and changes exactly what the same writes change
/// in a graph read by copying. Another graph read from the same bytes is untouched.
#[test]
fn writes_to_columns_read_in_place_change_only_that_graph() {
    let mut graph = Graph::new(Schema::Open);
    let nodes: Vec<_> = (0..2_000)
        .map(|i| {
            graph.add_node(
                ["Firm"],
                [
                    ("id", Value::String(format!("f{i}"))),
                    ("score", Value::Float(f64::from(i) / 4.0)),
                    (
                        "founded",
                        Value::Date(Date::day(1990 + i % 30, 1, 1).unwrap()),
                    ),
                ],
            )
        })
        .collect();
    let edges: Vec<_> = (0..5_000)
        .map(|i| {
            graph.add_edge(
                nodes[i % 2_000],
                nodes[(i * 7 + 1) % 2_000],
                "SUPPLIES",
                [("weight", Value::Int(i as i64))],
            )
        })
        .collect();
    let bytes = bytes::Bytes::from(snapshot::write(&graph));
    let write = |g: &mut Graph| {
        let ids: Vec<_> = g.nodes().collect();
        let rels: Vec<_> = g.edges().collect();
        g.set_node_prop(ids[3], "score", Value::Float(-1.5));
        g.set_node_prop(ids[4], "score", Value::Null);
        g.set_node_prop(ids[5], "founded", Value::String("once".to_owned()));
        g.set_edge_prop(rels[10], "weight", Value::Int(-7));
        g.remove_edge(rels[11]);
        g.remove_node(ids[1_999]);
        let new = g.add_node(
            ["Firm"],
            [("id", Value::from("new")), ("score", Value::Float(9.0))],
        );
        g.add_edge(new, ids[0], "SUPPLIES", [("weight", Value::Int(1))]);
    };
    let mut copied = snapshot::read(&bytes).unwrap();
    let mut in_place = snapshot::read_shared(&bytes).unwrap();
    let untouched = snapshot::read_shared(&bytes).unwrap();
    write(&mut copied);
    write(&mut in_place);
    assert_eq!(dump(&in_place), dump(&copied));
    assert_eq!(index_answers(&in_place), index_answers(&copied));
    assert_eq!(dump(&untouched), dump(&graph));
    assert_ne!(dump(&in_place), dump(&graph));
    drop(bytes);
    assert_eq!(dump(&untouched), dump(&graph));
    let _ = edges;
}

/// The CRC-32 (IEEE) of `bytes`, bit by bit: what a snapshot's whole-file checksum must equal.
fn crc32_ieee(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A date cell that names no date (a 30th of February, a thirteenth month, a day without its
/// month) is refused at its byte; a 29th of February in a leap year reads back.
#[test]
fn a_date_cell_naming_no_date_is_refused_where_it_is() {
    const DATE: u64 = 0xFFFB << 48;
    let packed = |year: u64, month: u64, day: u64| DATE | year << 16 | month << 8 | day;
    let mut graph = Graph::new(Schema::Open);
    for (i, day) in ["2024-02-29", "2023-11-30", "2025-12-31"]
        .iter()
        .enumerate()
    {
        graph.add_node(
            ["Firm"],
            [
                ("id", Value::from(format!("f{i}"))),
                ("founded", Value::Date(day.parse::<Date>().unwrap())),
            ],
        );
    }
    let bytes = snapshot::write(&graph);
    let back = snapshot::read(&bytes).unwrap();
    assert_eq!(dump(&back), dump(&graph));
    let at = |cell: u64| {
        bytes
            .windows(8)
            .position(|w| w == cell.to_le_bytes())
            .expect("the cell is there")
    };
    let place = at(packed(2023, 11, 30));
    for bad in [
        packed(2025, 2, 30),
        packed(2023, 2, 29),
        packed(2025, 13, 0),
        packed(2025, 0, 5),
        packed(2025, 4, 31),
        DATE | 1 << 47 | 1,
    ] {
        let mut damaged = bytes.clone();
        damaged[place..place + 8].copy_from_slice(&bad.to_le_bytes());
        let body = damaged.len() - 4;
        let checksum = crc32fast::hash(&damaged[..body]);
        damaged[body..].copy_from_slice(&checksum.to_le_bytes());
        let error = snapshot::read(&damaged).unwrap_err();
        assert_eq!(error.offset, place, "{bad:#x}: {error}");
        assert!(error.reason.contains("holds no value"), "{bad:#x}: {error}");
    }
}
