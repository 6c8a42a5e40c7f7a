//! Alliance diagrams: the DOT text is pinned by snapshots, is byte-identical run after run,
//! escapes any text safely (checked by parsing it back with graphviz-rust), and renders.

use std::process::Command;

use alliances::export::{self, DotOptions, Scope, Selection};
use alliances::query::Params;
use alliances::{Graph, Schema, Value};
use proptest::prelude::*;

fn dot_of(graph: &Graph, scope: &Scope) -> String {
    let (selection, title) = export::select(graph, scope, &Params::new()).expect("a selection");
    export::to_dot(
        graph,
        &selection,
        &DotOptions {
            title: Some(title),
            as_of: None,
            legend: true,
        },
    )
}

#[test]
fn the_default_map_as_dot() {
    insta::assert_snapshot!(
        "default_map",
        dot_of(&alliances::default_graph(), &Scope::Whole)
    );
}

#[test]
fn a_path_as_dot() {
    let scope = Scope::Path {
        from: "Amazon".to_owned(),
        to: "Nvidia".to_owned(),
        k: 3,
    };
    insta::assert_snapshot!(
        "path_amazon_nvidia",
        dot_of(&alliances::default_graph(), &scope)
    );
}

#[test]
fn a_query_result_as_dot() {
    let scope =
        Scope::Query("MATCH p = (i)-[:INVESTS_IN]->(c {name: 'Intel'}) RETURN p".to_owned());
    insta::assert_snapshot!(
        "query_intel_investors",
        dot_of(&alliances::default_graph(), &scope)
    );
}

#[test]
fn the_same_graph_gives_byte_identical_dot() {
    let a = dot_of(&alliances::default_graph(), &Scope::Whole);
    let b = dot_of(&alliances::default_graph(), &Scope::Whole);
    assert_eq!(a, b);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_alliances"))
            .args(args)
            .output()
            .expect("the binary runs")
            .stdout
    };
    assert_eq!(run(&["export", "dot"]), run(&["export", "dot"]));
    assert_eq!(run(&["export", "dot"]), a.into_bytes());
}

#[test]
fn clusters_hold_consortium_members_and_edges_carry_amounts() {
    let dot = dot_of(&alliances::default_graph(), &Scope::Whole);
    let aip = dot
        .split("subgraph cluster_")
        .find(|c| c.contains("label=\"AIP\""))
        .expect("an AIP cluster");
    for member in [
        "BlackRock",
        "GIP",
        "MGX",
        "Microsoft",
        "xAI",
        "GE Vernova",
        "NextEra Energy",
    ] {
        assert!(
            aip.contains(&format!("label=\"{member}\"")),
            "{member} in the AIP cluster"
        );
    }
    assert!(dot.contains("label=\"Stargate\""));
    assert!(
        dot.contains("label=\"$8.9B · 9.9%\""),
        "the US government's stake in Intel"
    );
    assert!(dot.contains("rankdir=\"LR\""));
    assert!(dot.contains("subgraph cluster_legend"));
}

/// Reads a DOT quoted string back: `\"` is a quote, `\\` a backslash, `\n` a newline.
fn unquote(text: &str) -> String {
    let inner = &text[1..text.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn graph_with_firm(name: &str) -> Graph {
    let mut graph = Graph::new(Schema::Open);
    let firm = graph.add_node(
        ["Company"],
        [("id", Value::from("x")), ("name", Value::from(name))],
    );
    let other = graph.add_node(
        ["Company"],
        [("id", Value::from("y")), ("name", Value::from("Other"))],
    );
    graph.add_edge(firm, other, "INVESTS_IN", [("note", Value::from(name))]);
    graph
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_name_gives_dot_that_parses_back(name in "[\\PC\"\\\\<>{}\\n]{1,30}") {
        let graph = graph_with_firm(&name);
        let dot = export::to_dot(&graph, &Selection::whole(&graph), &DotOptions::default());
        let parsed = graphviz_rust::parse(&dot);
        prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed.err(), dot);
        // The label comes back as the name (carriage returns and control characters aside).
        let label = dot
            .lines()
            .find(|l| l.trim_start().starts_with("n0["))
            .and_then(|l| l.split("label=").nth(1))
            .map(|rest| {
                // From the opening quote to the first quote not escaped by a backslash.
                let mut end = 1;
                let bytes = rest.as_bytes();
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                unquote(&rest[..=end.min(bytes.len() - 1)])
            })
            .unwrap_or_default();
        let expected: String = name.chars().filter(|c| *c != '\r').map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect();
        prop_assert_eq!(label, expected);
    }
}

#[test]
fn a_weird_name_exports_and_renders() {
    let graph = graph_with_firm("Weird \"Co\" <Ltd>\n東京");
    let dot = export::to_dot(&graph, &Selection::whole(&graph), &DotOptions::default());
    assert!(graphviz_rust::parse(&dot).is_ok(), "{dot}");
    assert!(
        dot.contains("label=\"Weird \\\"Co\\\" <Ltd>\\n東京\""),
        "{dot}"
    );
    if let Some(svg) = render_or_skip(&dot) {
        let svg = String::from_utf8(svg).unwrap();
        assert!(svg.contains("東京"), "{svg}");
        assert!(svg.contains("Weird &quot;Co&quot; &lt;Ltd&gt;"), "{svg}");
    }
}

/// Renders with Graphviz, or says why not. CI installs Graphviz and sets
/// ALLIANCES_REQUIRE_DOT, so there a missing `dot` fails the test.
fn render_or_skip(dot: &str) -> Option<Vec<u8>> {
    match export::render(dot, "svg") {
        Ok(svg) => Some(svg),
        Err(export::RenderError::DotMissing)
            if std::env::var_os("ALLIANCES_REQUIRE_DOT").is_none() =>
        {
            eprintln!(
                "skipped rendering: Graphviz's dot is not installed (apt-get install graphviz)"
            );
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_map_renders_to_svg_with_clusters() {
    let dot = dot_of(&alliances::default_graph(), &Scope::Whole);
    if let Some(svg) = render_or_skip(&dot) {
        let svg = String::from_utf8(svg).unwrap();
        assert!(svg.starts_with("<?xml") || svg.contains("<svg"), "an SVG");
        assert!(
            svg.contains(">AIP</text>") && svg.contains(">Stargate</text>"),
            "cluster labels"
        );
        assert!(svg.contains("$8.9B · 9.9%"), "an edge label");
    }
}

#[test]
fn render_without_dot_says_how_to_install_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(["render", "--format", "svg", "-o", "/tmp/never-written.svg"])
        .env("ALLIANCES_DOT", "/nonexistent/dot")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("apt-get install graphviz"), "{stderr}");
}

#[test]
fn a_large_export_warns_and_suggests_a_scope() {
    let dir = std::path::Path::new("tests/reference/gen-1k");
    let out = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(["export", "dot", "--nodes"])
        .arg(dir.join("nodes.csv"))
        .arg("--edges")
        .arg(dir.join("edges.csv"))
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("make a diagram nobody can read") && stderr.contains("--around"),
        "{stderr}"
    );
    assert!(graphviz_rust::parse(&String::from_utf8_lossy(&out.stdout)).is_ok());
}
