//! The graph exports, read back by the tools they are for: GraphML by networkx, Parquet by
//! DuckDB and pyarrow, the Cypher script replayed into alliances under the open schema, and the
//! JSON lines by `import jsonl`. The small graph's GraphML, JSON lines, Cypher and neo4j-admin
//! files are pinned by snapshots.
//!
//! The Python readers are skipped when Python or a package is missing, unless
//! ALLIANCES_REQUIRE_PYTHON is set (as `.ci/run` does), when they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use alliances::datafile::{Format, dataset_text};
use alliances::export::{self, CypherOptions, Dialect, Selection};
use alliances::import::{self, ImportOptions, InputFile};
use alliances::{Graph, Schema, Value};

fn small() -> Graph {
    alliances::load_files(
        &[PathBuf::from("tests/cases/export/small.toml")],
        Schema::Alliance,
    )
    .expect("the small graph loads")
}

fn bytes(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).expect("the export is written");
    String::from_utf8(out).expect("UTF-8")
}

/// The graph's records as JSON text, the way two graphs are compared.
fn records(graph: &Graph) -> String {
    dataset_text(&graph.to_dataset().expect("alliance records"), Format::Json).expect("text")
}

/// The entities and relationships alone (a Cypher script carries no source table).
fn elements(graph: &Graph) -> String {
    let mut dataset = graph.to_dataset().expect("alliance records");
    dataset.source.clear();
    // The script creates nodes label by label, so the order differs.
    dataset.entity.sort_by(|a, b| a.id.cmp(&b.id));
    dataset
        .relationship
        .sort_by_cached_key(|r| format!("{r:?}"));
    dataset_text(&dataset, Format::Json).expect("text")
}

fn import_jsonl(text: &str) -> Result<Graph, import::ImportError> {
    let format = import::format("jsonl")?;
    let files = [InputFile {
        path: PathBuf::from("graph.jsonl"),
        bytes: text.as_bytes().to_vec(),
    }];
    import::import(format, &files, &ImportOptions::default())?
        .to_graph("graph.jsonl", Schema::Alliance)
}

#[test]
fn jsonl_imports_back_to_the_same_graph() {
    for graph in [small(), alliances::default_graph()] {
        let text = bytes(|out| export::write_jsonl(&graph, &Selection::whole(&graph), out));
        let back = import_jsonl(&text).expect("the export imports");
        assert_eq!(records(&back), records(&graph));
    }
}

#[test]
fn a_selection_as_jsonl_imports_with_the_sources_it_cites() {
    let graph = alliances::default_graph();
    let (selection, _) = export::select(
        &graph,
        &export::Scope::Around {
            name: "Anthropic".to_owned(),
            hops: 1,
        },
        &alliances::Params::new(),
    )
    .expect("a selection");
    let text = bytes(|out| export::write_jsonl(&graph, &selection, out));
    let back = import_jsonl(&text).expect("the selection imports");
    assert_eq!(back.node_count(), selection.nodes.len());
    assert_eq!(back.edge_count(), selection.edges.len());
    let expected = export::dataset_of(&graph, &selection).expect("records");
    assert_eq!(back.to_dataset().expect("records").source, expected.source);
}

#[test]
fn bad_jsonl_lines_are_reported_with_their_place() {
    let text = "{\"type\":\"node\",\"id\":\"a\",\"labels\":[\"Company\"],\"properties\":{\"id\":\"a\",\"name\":\"A\"}}\n{not json\n{\"type\":\"relationship\",\"id\":\"0\",\"label\":\"INVESTS_IN\",\"properties\":{},\"start\":{\"id\":\"a\"},\"end\":{\"id\":\"zz\"}}\n";
    let error = import_jsonl(text).expect_err("two bad lines");
    let message = error.to_string();
    assert!(message.contains("graph.jsonl:2:2"), "{message}");
    assert!(message.contains("graph.jsonl:3 /end/id"), "{message}");
    assert!(
        message.contains("no node line before this one has id \"zz\""),
        "{message}"
    );
}

/// Runs every statement of a script on a graph under the open schema.
fn replay(script: &str) -> Graph {
    let mut graph = Graph::new(Schema::Open);
    alliances::query::execute_mut(&mut graph, script, &alliances::Params::new())
        .expect("the script runs");
    graph
}

#[test]
fn the_cypher_script_replays_into_the_same_graph() {
    for graph in [small(), alliances::default_graph()] {
        let options = CypherOptions {
            dialect: Dialect::Alliances,
            no_constraints: false,
        };
        let script =
            bytes(|out| export::write_cypher(&graph, &Selection::whole(&graph), &options, out));
        let mut back = replay(&script);
        assert_eq!(back.node_count(), graph.node_count());
        assert_eq!(back.edge_count(), graph.edge_count());
        // The script's first lines add a uniqueness constraint on `id` for every label it
        // creates nodes of, which the replayed graph then keeps; the rest is the same graph.
        let mut labels: Vec<String> = graph
            .nodes()
            .flat_map(|n| graph.node_labels(n).map(str::to_owned).collect::<Vec<_>>())
            .collect();
        labels.sort();
        labels.dedup();
        let mut constrained: Vec<(String, Vec<String>)> = back
            .constraints()
            .iter()
            .map(|c| (c.label.clone(), c.keys.clone()))
            .collect();
        constrained.sort();
        let expected: Vec<(String, Vec<String>)> = labels
            .into_iter()
            .map(|l| (l, vec!["id".to_owned()]))
            .collect();
        assert_eq!(constrained, expected);
        let names: Vec<String> = back.constraints().iter().map(|c| c.name.clone()).collect();
        for name in names {
            back.drop_constraint(&name);
        }
        assert_eq!(elements(&back), elements(&graph));
    }
}

#[test]
fn the_neo4j_script_keeps_partial_dates_as_their_text() {
    let graph = small();
    let script = bytes(|out| {
        export::write_cypher(
            &graph,
            &Selection::whole(&graph),
            &CypherOptions {
                dialect: Dialect::Neo4j,
                no_constraints: false,
            },
            out,
        )
    });
    assert!(script.contains("date: '2024-05'"), "{script}");
    assert!(script.contains("date: date('2024-06-30')"), "{script}");
    let back = replay(&script);
    let dates: Vec<Value> = back
        .edges()
        .filter_map(|e| back.edge_prop(e, "date"))
        .collect();
    assert!(dates.contains(&Value::String("2024-05".to_owned())));
    assert!(dates.contains(&Value::Date("2024-06-30".parse().expect("a date"))));
}

#[test]
fn a_graph_without_ids_is_matched_by_a_made_up_key_which_the_script_removes() {
    let mut graph = Graph::new(Schema::Open);
    let a = graph.add_node(["Thing"], [("name", Value::from("a"))]);
    let b = graph.add_node(["Thing"], [("name", Value::from("b"))]);
    graph.add_edge(a, b, "KNOWS", [("since", Value::Int(2020))]);
    let script = bytes(|out| {
        export::write_cypher(
            &graph,
            &Selection::whole(&graph),
            &CypherOptions {
                dialect: Dialect::Alliances,
                no_constraints: false,
            },
            out,
        )
    });
    let back = replay(&script);
    assert_eq!((back.node_count(), back.edge_count()), (2, 1));
    assert!(
        back.nodes()
            .all(|n| !back.node_has_prop(n, export::cypher::KEY_PROPERTY))
    );
    let edge = back.edges().next().expect("an edge");
    let (from, _) = back.edge_endpoints(edge).expect("ends");
    assert_eq!(back.node_str(from, "name"), Some("a"));
}

#[test]
fn the_binary_replays_the_script_under_the_open_schema() {
    let dir = tempfile::tempdir().expect("a folder");
    let script = dir.path().join("small.cypher");
    let exported = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(["export", "cypher", "--dialect", "alliances", "--data"])
        .arg("tests/cases/export/small.toml")
        .arg("-o")
        .arg(&script)
        .output()
        .expect("alliances runs");
    assert!(exported.status.success(), "{exported:?}");
    let mut text = std::fs::read_to_string(&script).expect("the script");
    text.push_str(
        "MATCH (n) WITH count(n) AS nodes MATCH ()-[r]->() RETURN nodes, count(r) AS rels;\n",
    );
    std::fs::write(&script, text).expect("written");
    // A new database starts empty (without --db the script would add to the built-in data).
    let replayed = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(["query", "--schema", "open", "--format", "csv", "--db"])
        .arg(dir.path().join("replayed.json"))
        .arg("--file")
        .arg(&script)
        .output()
        .expect("alliances runs");
    let out = String::from_utf8_lossy(&replayed.stdout);
    assert!(replayed.status.success(), "{replayed:?}");
    assert!(out.trim_end().ends_with("3,3"), "{out}");
}

/// Python with `modules`, or `None` (the test is then skipped) unless ALLIANCES_REQUIRE_PYTHON
/// is set, when a missing Python or package fails the test.
fn python(modules: &[&str]) -> Option<&'static str> {
    let check = Command::new("python3")
        .arg("-c")
        .arg(format!("import {}", modules.join(", ")))
        .output();
    let ok = matches!(&check, Ok(o) if o.status.success());
    if ok {
        return Some("python3");
    }
    let why = match &check {
        Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
        Err(e) => format!("python3 cannot run: {e}"),
    };
    assert!(
        std::env::var_os("ALLIANCES_REQUIRE_PYTHON").is_none(),
        "Python with {modules:?} is required (ALLIANCES_REQUIRE_PYTHON is set): {why}\n  install: pip install networkx==3.4.2 pyarrow==26.0.1 duckdb==2.0.1"
    );
    eprintln!(
        "skipped: Python with {modules:?} is missing ({})",
        why.trim()
    );
    None
}

fn run_python(python: &str, script: &str, arg: &Path) -> serde_json::Value {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(arg)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

/// What the readers are compared on: counts, relationships by type, the sum of dollar amounts,
/// and one node's aliases.
fn expected(graph: &Graph) -> serde_json::Value {
    let mut types = std::collections::BTreeMap::new();
    let mut amount = 0i64;
    for edge in graph.edges() {
        *types.entry(graph.edge_type(edge).to_owned()).or_insert(0) += 1;
        if let Some(Value::Int(a)) = graph.edge_prop(edge, "amount_usd") {
            amount += a;
        }
    }
    serde_json::json!({
        "nodes": graph.node_count(),
        "edges": graph.edge_count(),
        "types": types,
        "amount_usd": amount,
    })
}

const NETWORKX: &str = r#"
import collections, json, sys
import networkx as nx
g = nx.read_graphml(sys.argv[1])
types = collections.Counter(d["type"] for _, _, d in g.edges(data=True))
amount = sum(d["amount_usd"] for _, _, d in g.edges(data=True) if "amount_usd" in d)
assert all(isinstance(d["amount_usd"], int) for _, _, d in g.edges(data=True) if "amount_usd" in d)
print(json.dumps({"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                  "types": dict(types), "amount_usd": amount}))
"#;

#[test]
fn networkx_reads_the_graphml() {
    let Some(python) = python(&["networkx"]) else {
        return;
    };
    for graph in [small(), alliances::default_graph()] {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("graph.graphml");
        let text = bytes(|out| export::write_graphml(&graph, &Selection::whole(&graph), out));
        std::fs::write(&path, text).expect("written");
        assert_eq!(run_python(python, NETWORKX, &path), expected(&graph));
    }
}

const DUCKDB: &str = r#"
import json, sys, os
import duckdb, pyarrow.parquet as pq
d = sys.argv[1]
nodes, edges = os.path.join(d, "nodes.parquet"), os.path.join(d, "edges.parquet")
con = duckdb.connect()
n = con.execute(f"select count(*) from '{nodes}'").fetchone()[0]
e = con.execute(f"select count(*) from '{edges}'").fetchone()[0]
types = dict(con.execute(f"select type, count(*) from '{edges}' group by type").fetchall())
amount = con.execute(f"select coalesce(sum(amount_usd), 0) from '{edges}'").fetchone()[0]
# GraphFrames' shape: every src and dst is a node id.
dangling = con.execute(f"select count(*) from '{edges}' where src not in (select id from '{nodes}') or dst not in (select id from '{nodes}')").fetchone()[0]
assert dangling == 0, dangling
table = pq.read_table(nodes)
assert table.num_rows == n
print(json.dumps({"nodes": n, "edges": e, "types": types, "amount_usd": int(amount)}))
"#;

#[test]
fn duckdb_and_pyarrow_read_the_parquet() {
    let Some(python) = python(&["duckdb", "pyarrow"]) else {
        return;
    };
    for graph in [small(), alliances::default_graph()] {
        let dir = tempfile::tempdir().expect("a folder");
        export::write_parquet(&graph, &Selection::whole(&graph), dir.path()).expect("written");
        assert_eq!(run_python(python, DUCKDB, dir.path()), expected(&graph));
    }
}

#[test]
fn parquet_keeps_typed_values_dates_and_lists() {
    let Some(python) = python(&["duckdb"]) else {
        return;
    };
    let graph = small();
    let dir = tempfile::tempdir().expect("a folder");
    export::write_parquet(&graph, &Selection::whole(&graph), dir.path()).expect("written");
    let script = r#"
import json, sys, os, duckdb
d = sys.argv[1]
con = duckdb.connect()
aliases = con.execute(f"select aliases, labels from '{os.path.join(d, 'nodes.parquet')}' where id = 'acme'").fetchone()
rows = con.execute(f"select src, dst, stake_pct, date from '{os.path.join(d, 'edges.parquet')}' order by id").fetchall()
print(json.dumps({"aliases": aliases[0], "labels": aliases[1], "edges": [[s, t, p, str(x)] for s, t, p, x in rows]}))
"#;
    let found = run_python(python, script, dir.path());
    assert_eq!(
        found,
        serde_json::json!({
            "aliases": ["Acme", "ACME; Corp"],
            "labels": ["Company"],
            "edges": [
                ["fund-1", "acme", 12.5, "2024-05"],
                ["fund-1", "chips", null, "2024-06-30"],
                ["chips", "acme", null, "2023"],
            ],
        })
    );
}

#[test]
fn the_exports_are_byte_identical_run_after_run() {
    let graph = alliances::default_graph();
    let whole = Selection::whole(&graph);
    let once = || {
        (
            bytes(|out| export::write_graphml(&graph, &whole, out)),
            bytes(|out| export::write_jsonl(&graph, &whole, out)),
            bytes(|out| export::write_cypher(&graph, &whole, &CypherOptions::default(), out)),
        )
    };
    assert_eq!(once(), once());
}

#[test]
fn snapshot_graphml() {
    let graph = small();
    insta::assert_snapshot!(
        "small_graphml",
        bytes(|out| export::write_graphml(&graph, &Selection::whole(&graph), out))
    );
}

#[test]
fn snapshot_jsonl() {
    let graph = small();
    insta::assert_snapshot!(
        "small_jsonl",
        bytes(|out| export::write_jsonl(&graph, &Selection::whole(&graph), out))
    );
}

#[test]
fn snapshot_cypher() {
    let graph = small();
    insta::assert_snapshot!(
        "small_cypher",
        bytes(|out| export::write_cypher(
            &graph,
            &Selection::whole(&graph),
            &CypherOptions::default(),
            out
        ))
    );
}

#[test]
fn snapshot_neo4j_admin() {
    let graph = small();
    let dir = tempfile::tempdir().expect("a folder");
    let files =
        export::write_neo4j_admin(&graph, &Selection::whole(&graph), dir.path()).expect("written");
    let mut text = String::new();
    for path in files.nodes.iter().chain(&files.relationships) {
        let name = path.file_name().expect("a name").to_string_lossy();
        text.push_str(&format!(
            "--- {name}\n{}",
            std::fs::read_to_string(path).expect("read")
        ));
    }
    text.push_str(&format!(
        "--- import.sh\n{}",
        std::fs::read_to_string(dir.path().join("import.sh")).expect("read")
    ));
    insta::assert_snapshot!("small_neo4j_admin", text);
}

#[test]
fn jsonl_carries_the_vocabulary_additions_and_the_exchange_rates() {
    for file in [
        "tests/cases/money/currencies.toml",
        "tests/cases/export/extended.toml",
    ] {
        let graph = alliances::load_files(&[PathBuf::from(file)], Schema::Alliance)
            .expect("the graph loads");
        let dataset = graph.to_dataset().expect("records");
        assert!(
            !dataset.vocabulary.is_empty() || !dataset.fx_rate.is_empty(),
            "{file} has additions or rates"
        );
        let text = bytes(|out| export::write_jsonl(&graph, &Selection::whole(&graph), out));
        let back = import_jsonl(&text).expect("the export imports");
        assert_eq!(records(&back), records(&graph), "{file}");
    }
}

#[test]
fn a_graph_without_additions_or_rates_has_only_node_and_relationship_lines() {
    let graph = small();
    let text = bytes(|out| export::write_jsonl(&graph, &Selection::whole(&graph), out));
    for line in text.lines() {
        let record: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert!(
            matches!(record["type"].as_str(), Some("node" | "relationship")),
            "{line}"
        );
    }
    assert!(export::jsonl::not_carried(&graph).is_none());
    let open = alliances::load_files(
        &[PathBuf::from("tests/cases/export/small.toml")],
        Schema::Open,
    )
    .expect("loads");
    assert!(export::jsonl::not_carried(&open).is_some_and(|n| n.contains("open schema")));
}

#[test]
fn an_export_to_a_file_replaces_it_whole_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("a folder");
    let target = dir.path().join("graph.jsonl");
    std::fs::write(&target, "old").expect("write");
    let status = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(["export", "jsonl", "-o"])
        .arg(&target)
        .args(["--data", "tests/cases/export/small.toml"])
        .status()
        .expect("runs");
    assert!(status.success());
    let graph = small();
    let expected = bytes(|out| export::write_jsonl(&graph, &Selection::whole(&graph), out));
    assert_eq!(std::fs::read_to_string(&target).expect("read"), expected);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("graph.jsonl")]);
}

#[test]
fn a_stopped_export_leaves_the_target_as_it_was() {
    let graph = alliances::default_graph();
    let dir = tempfile::tempdir().expect("a folder");
    let target = dir.path().join("graph.graphml");
    std::fs::write(&target, "old").expect("write");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let file = export::AtomicFile::create(&target).expect("a temporary file");
    let mut out = file.writer(&stop).expect("a writer");
    let error =
        export::write_graphml(&graph, &Selection::whole(&graph), &mut out).expect_err("stopped");
    assert!(export::is_stopped(&error), "{error}");
    drop((out, file));
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "old");
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    let folder = dir.path().join("admin");
    let error = export::write_neo4j_admin_until(&graph, &Selection::whole(&graph), &folder, &stop)
        .expect_err("stopped");
    assert!(export::is_stopped(&error), "{error}");
    assert_eq!(std::fs::read_dir(&folder).expect("list").count(), 0);
}

/// A bulk CSV import cites no sources, which its graph allows; its JSON lines export reads
/// back as the same graph, allowing them too.
#[test]
fn a_bulk_imported_graph_without_sources_comes_back_through_jsonl() {
    let nodes =
        "id,name,kind,country,sector\nacme,Acme,company,US,chips\nfund-1,First Fund,fund,GB,\n";
    let edges =
        "from,to,type,amount_usd,date,stake_pct\nfund-1,acme,INVESTS_IN,5000000,2024-05-01,2.5\n";
    let graph = alliances::import_csv(
        "nodes.csv",
        nodes.as_bytes(),
        "edges.csv",
        edges.as_bytes(),
        Schema::Alliance,
    )
    .expect("the CSV loads");
    let text = bytes(|out| export::write_jsonl(&graph, &Selection::whole(&graph), out));
    let back = import_jsonl(&text).expect("the export imports");
    assert!(back.allow_unsourced());
    assert_eq!(elements(&back), elements(&graph));
}

fn temporal() -> Graph {
    alliances::load_files(
        &[PathBuf::from("tests/cases/export/temporal.toml")],
        Schema::Alliance,
    )
    .expect("the temporal graph loads")
}

/// Every node's and relationship's properties, in order, as the values they are.
fn all_props(graph: &Graph) -> Vec<Vec<(String, Value)>> {
    let mut found: Vec<Vec<(String, Value)>> = graph
        .nodes()
        .map(|n| {
            let mut props: Vec<_> = graph
                .node_props(n)
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            props.sort_by(|a, b| a.0.cmp(&b.0));
            props
        })
        .collect();
    found.extend(graph.edges().map(|e| {
        let mut props: Vec<_> = graph
            .edge_props(e)
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        props.sort_by(|a, b| a.0.cmp(&b.0));
        props
    }));
    found
}

#[test]
fn temporal_values_come_back_from_jsonl_as_the_same_values() {
    let graph = temporal();
    let text = bytes(|out| export::write_jsonl(&graph, &Selection::whole(&graph), out));
    assert!(
        text.contains(
            r#""founded_at":{"datetime":"2015-07-21T21:40:32.142+02:00[Europe/Stockholm]"}"#
        ),
        "{text}"
    );
    let back = import_jsonl(&text).expect("the export imports");
    let props = all_props(&back);
    assert_eq!(props, all_props(&graph));
    assert!(
        props
            .iter()
            .flatten()
            .filter(|(_, v)| matches!(v, Value::Temporal(_)))
            .count()
            >= 13,
        "{props:?}"
    );
    assert_eq!(records(&back), records(&graph));
}

#[test]
fn neo4j_admin_headers_type_temporal_columns() {
    let graph = temporal();
    let dir = tempfile::tempdir().expect("a folder");
    export::write_neo4j_admin(&graph, &Selection::whole(&graph), dir.path()).expect("written");
    let nodes = std::fs::read_to_string(dir.path().join("nodes_Company.csv")).expect("nodes");
    let mut lines = nodes.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id:ID,:LABEL,call_at:time,far:localdatetime,founded_at:datetime,listed:localdatetime,name:string,opens:localtime,term:duration"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "acme,Company,12:31:14.645876123-05:30,+10000-01-01T00:00,2015-07-21T21:40:32.142+02:00[Europe/Stockholm],1984-10-11T12:31:14.645876123,Acme,08:30:00.000000001,P1Y2M10DT2H30M0.000000005S"
        )
    );
    let edges =
        std::fs::read_to_string(dir.path().join("relationships_SUPPLIES.csv")).expect("edges");
    assert!(
        edges.starts_with(
            ":START_ID,:END_ID,:TYPE,review:duration,since:datetime,sources:string[]\nchips,acme,SUPPLIES,P3M,2024-03-31T01:30-07:00,filing\n"
        ),
        "{edges}"
    );
}

#[test]
fn graphml_declares_the_kind_of_temporal_keys() {
    let graph = temporal();
    let text = bytes(|out| export::write_graphml(&graph, &Selection::whole(&graph), out));
    assert!(
        text.contains(r#"attr.name="founded_at" attr.type="string" attr.temporal="datetime"/>"#),
        "{text}"
    );
    assert!(
        text.contains(r#"attr.name="review" attr.type="string" attr.temporal="duration"/>"#),
        "{text}"
    );
    assert!(text.contains(">2015-07-21T21:40:32.142+02:00[Europe/Stockholm]</data>"));
    let Some(python) = python(&["networkx"]) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("graph.graphml");
    std::fs::write(&path, text).expect("written");
    let script = r#"
import json, sys
import networkx as nx
g = nx.read_graphml(sys.argv[1])
print(json.dumps({"founded_at": g.nodes["acme"]["founded_at"], "term": g.nodes["chips"]["term"]}))
"#;
    assert_eq!(
        run_python(python, script, &path),
        serde_json::json!({
            "founded_at": "2015-07-21T21:40:32.142+02:00[Europe/Stockholm]",
            "term": "PT-0.5S",
        })
    );
}

#[test]
fn parquet_types_temporal_columns_for_pyarrow_and_duckdb() {
    let Some(python) = python(&["duckdb", "pyarrow"]) else {
        return;
    };
    let graph = temporal();
    let dir = tempfile::tempdir().expect("a folder");
    export::write_parquet(&graph, &Selection::whole(&graph), dir.path()).expect("written");
    let script = r#"
import json, sys, os
import duckdb, pyarrow.parquet as pq
d = sys.argv[1]
nodes, edges = os.path.join(d, "nodes.parquet"), os.path.join(d, "edges.parquet")
schema = pq.read_schema(nodes)
types = {f.name: str(f.type) for f in schema}
types.update({f.name: str(f.type) for f in pq.read_schema(edges)})
import pyarrow as pa
t = pq.read_table(nodes).combine_chunks()
ints = lambda a: a.cast(pa.int64()).to_pylist()
call_at = t.column("call_at").chunk(0)
con = duckdb.connect()
duck = con.execute(f"select epoch_ns(listed), founded_at.zone, founded_at.offset_seconds, term.seconds, term.nanoseconds from '{nodes}' order by id").fetchall()
print(json.dumps({
    "types": {k: types[k] for k in ["opens", "call_at", "listed", "founded_at", "term", "far", "since", "review"]},
    "ids": t.column("id").to_pylist(),
    "opens": ints(t.column("opens")),
    "call_at": [ints(call_at.field("time")), call_at.field("offset_seconds").to_pylist()],
    "instant": ints(t.column("founded_at").chunk(0).field("instant")),
    "far": t.column("far").to_pylist(),
    "duck": [list(r) for r in duck],
}))
"#;
    assert_eq!(
        run_python(python, script, dir.path()),
        serde_json::json!({
            "types": {
                "opens": "time64[ns]",
                "call_at": "struct<time: time64[ns] not null, offset_seconds: int32 not null>",
                "listed": "timestamp[ns]",
                "founded_at": "struct<instant: timestamp[ns, tz=UTC] not null, offset_seconds: int32 not null, zone: string>",
                "term": "struct<months: int64 not null, days: int64 not null, seconds: int64 not null, nanoseconds: int32 not null>",
                "far": "string",
                "since": "struct<instant: timestamp[ns, tz=UTC] not null, offset_seconds: int32 not null, zone: string>",
                "review": "struct<months: int64 not null, days: int64 not null, seconds: int64 not null, nanoseconds: int32 not null>",
            },
            "ids": ["acme", "chips"],
            "opens": [30_600_000_000_001i64, 32_400_000_000_000i64],
            "call_at": [[45_074_645_876_123i64, 0], [-19800, 50400]],
            "instant": [1_437_507_632_142_000_000i64, 946_684_799_000_000_000i64],
            "far": ["+10000-01-01T00:00", null],
            "duck": [
                [466_345_874_645_876_123i64, "Europe/Stockholm", 7200, 9000, 5],
                [9_223_372_036_854_000_000i64, null, 0, -1, 500_000_000],
            ],
        })
    );
}
