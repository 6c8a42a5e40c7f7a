//! No input can make the engine or the loader panic: random token sequences (which often
//! parse) and arbitrary text (which rarely does) into the query engine; random writing
//! statements (CREATE, MERGE, SET, REMOVE, DELETE, DETACH DELETE with random patterns and
//! expressions) against a graph under the alliance schema and one under the open schema, where
//! a statement that fails must leave the graph exactly as it was; and damaged TOML, JSON and
//! CSV into the loaders.
//!
//! The default run tries a few thousand inputs; `NO_PANIC_CASES=20000` tries that many in all
//! (shared between the tests in proportion), and each test prints how many it ran.

use std::path::PathBuf;
use std::sync::LazyLock;

use alliances::datafile::{Format, TextInput, import_csv, load_texts, to_text};
use alliances::query::{self, Params};
use alliances::{Graph, Schema};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

static FIXTURE: LazyLock<Graph> = LazyLock::new(|| {
    alliances::load_files(
        &[PathBuf::from("tests/queries/data/fixture.toml")],
        Schema::Alliance,
    )
    .expect("fixture loads")
});

/// A small graph under the open schema: any label, type and property.
static OPEN: LazyLock<Graph> = LazyLock::new(|| {
    let mut g = Graph::new(Schema::Open);
    query::execute_mut(
        &mut g,
        "CREATE (a:A:Company {id: 'a', name: 'A', n: 1, tags: ['x', 'y']})-[:T {w: 1.5}]->(b:B {id: 'b', name: 'B'}), \
                (b)-[:T]->(a), (a)-[:U {since: period('2024-05')}]->(a), (c:C {n: -1}), (d {name: 'D'})",
        &Params::new(),
    )
    .expect("the open graph builds");
    g
});

/// The number of inputs a test gets: its share (in percent) of `NO_PANIC_CASES`, by default
/// 3000 in all.
fn cases(share: u32) -> u32 {
    let total: u32 = std::env::var("NO_PANIC_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    (total * share / 100).max(1)
}

/// Runs `test` on `share` percent of the cases drawn from `strategy`, and reports the count.
fn check<S: Strategy>(name: &str, share: u32, strategy: S, test: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let n = cases(share);
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |value| {
            test(value);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    eprintln!("no_panic: {name}: {n} inputs, no panic");
}

const TOKENS: &[&str] = &[
    "MATCH",
    "OPTIONAL MATCH",
    "WHERE",
    "WITH",
    "RETURN",
    "UNWIND",
    "AS",
    "ORDER BY",
    "DESC",
    "SKIP",
    "LIMIT",
    "UNION",
    "DISTINCT",
    "AND",
    "OR",
    "NOT",
    "XOR",
    "IN",
    "IS NULL",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "STARTS WITH",
    "CONTAINS",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "-",
    "->",
    "<-",
    "--",
    "-->",
    ":",
    ",",
    ".",
    "*",
    "..",
    "|",
    "=",
    "<>",
    "<",
    ">=",
    "+",
    "/",
    "%",
    "^",
    "=~",
    "$p",
    "n",
    "m",
    "r",
    "p",
    "x",
    "Company",
    "Fund",
    "INVESTS_IN",
    "SUPPLIES",
    "name",
    "id",
    "amount_usd",
    "date",
    "0",
    "1",
    "2",
    "-1",
    "2.5",
    "1B",
    "'Beta'",
    "'.*'",
    "null",
    "true",
    "count(*)",
    "count",
    "sum",
    "collect",
    "size",
    "toLower",
    "date",
    "range",
    "shortestPath",
    "allShortestPaths",
    "labels",
    "head",
    "nodes",
    "length",
    ";",
];

/// Tokens of writing statements, for sequences that mix them with the rest.
const WRITE_TOKENS: &[&str] = &[
    "CREATE",
    "MERGE",
    "ON CREATE SET",
    "ON MATCH SET",
    "SET",
    "REMOVE",
    "DELETE",
    "DETACH DELETE",
    "+=",
    ":Fund",
    ":Company",
    ":Consortium",
    ":MEMBER_OF",
    "{name: 'Zed'}",
    "{id: 'alpha'}",
    "n.name",
    "n:Fund",
    "r.amount_usd",
    "(n)",
    "(m)",
    "-[r:INVESTS_IN]->",
    "-[:SUPPLIES]->",
    "n = {}",
    "n += {note: 'x'}",
];

fn run(text: &str) {
    let mut params = Params::new();
    params.insert("p".to_owned(), query::QueryValue::Int(1));
    // The outcome does not matter; reaching it without a panic does.
    let _ = query::execute(&FIXTURE, text, &params);
}

/// Everything observable about a graph, in a stable order: elements with their ids, labels,
/// types and properties, and what the id and name indexes answer for each node.
fn dump(graph: &Graph) -> Vec<String> {
    let mut lines = Vec::new();
    for node in graph.nodes() {
        let mut labels: Vec<&str> = graph.node_labels(node).collect();
        labels.sort_unstable();
        let mut props: Vec<String> = graph
            .node_props(node)
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        props.sort();
        let by_id = graph.node_str(node, "id").map(|id| graph.node_by_id(id));
        let by_name = graph.node_str(node, "name").map(|n| graph.nodes_by_name(n));
        lines.push(format!(
            "node {} {labels:?} {props:?} {by_id:?} {by_name:?}",
            node.index()
        ));
    }
    for (edge, a, b) in graph.edges_with_ends() {
        let mut props: Vec<String> = graph
            .edge_props(edge)
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        props.sort();
        lines.push(format!(
            "edge {} {}->{} {} {props:?}",
            edge.index(),
            a.index(),
            b.index(),
            graph.edge_type(edge)
        ));
    }
    lines.push(format!(
        "counts {:?} {:?}",
        graph.label_counts(),
        graph.type_counts()
    ));
    lines
}

/// Runs a statement that may write on a copy of `graph`: no panic, and when it fails the copy
/// is exactly as it was (the saved TOML included, under the alliance schema). Returns whether
/// it ran.
fn run_write(graph: &Graph, text: &str) -> bool {
    let mut copy = graph.clone();
    let before = dump(&copy);
    let mut params = Params::new();
    params.insert("p".to_owned(), query::QueryValue::Int(1));
    let outcome = query::execute_mut(&mut copy, text, &params);
    if outcome.is_err() {
        assert_eq!(
            dump(&copy),
            before,
            "a failed statement changed the graph: {text}"
        );
        if graph.schema() == Schema::Alliance {
            assert_eq!(
                to_text(&copy, Format::Toml).ok(),
                to_text(graph, Format::Toml).ok(),
                "a failed statement changed the saved file: {text}"
            );
        }
    }
    // Whatever happened, the graph still answers every reader, and a statement still runs.
    let _ = dump(&copy);
    query::execute(&copy, "MATCH (n)-[r]->(m) RETURN count(*)", &Params::new())
        .expect("the graph still answers");
    outcome.is_ok()
}

/// Counts the statements that ran, so a run says how many of its inputs got past planning.
static RAN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn run_counted(graph: &Graph, text: &str) {
    if run_write(graph, text) {
        RAN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

// ----- random writing statements --------------------------------------------------------

fn literal() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "0",
        "1",
        "-1",
        "2.5",
        "1B",
        "1e400",
        "-9223372036854775808",
        "9223372036854775807",
        "'Zed'",
        "'alpha'",
        "'Alpha Corp'",
        "'beta'",
        "''",
        "'\\u001b[2J'",
        "null",
        "true",
        "false",
        "[]",
        "[1, 2]",
        "['x', 'y']",
        "[null]",
        "[[1]]",
        "{}",
        "{a: 1}",
        "period('2025-03')",
        "$p",
        "$missing",
    ])
    .prop_map(str::to_owned)
}

fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => literal(),
        2 => prop::sample::select(vec!["n", "n", "m", "r", "x"]).prop_map(str::to_owned),
        2 => (
            prop::sample::select(vec!["n", "m", "r"]),
            prop::sample::select(vec!["name", "id", "aliases", "amount_usd", "kind", "note", "w"])
        )
            .prop_map(|(v, k)| format!("{v}.{k}")),
    ];
    leaf.prop_recursive(3, 24, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+",
                    "-",
                    "*",
                    "/",
                    "%",
                    "^",
                    "=",
                    "<>",
                    "<",
                    ">=",
                    "AND",
                    "OR",
                    "XOR",
                    "IN",
                    "STARTS WITH",
                    "CONTAINS",
                    "=~",
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (
                prop::sample::select(vec![
                    "toString",
                    "size",
                    "labels",
                    "keys",
                    "type",
                    "id",
                    "coalesce",
                    "head",
                    "properties",
                    "startNode",
                    "toInteger",
                    "abs",
                    "nodes",
                ]),
                inner.clone()
            )
                .prop_map(|(f, arg)| format!("{f}({arg})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("range({a}, {b})")),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|l| format!("[{}]", l.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{name: {a}, id: {b}}}")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("CASE WHEN {c} THEN {a} ELSE {b} END")),
            (inner.clone(), inner).prop_map(|(a, i)| format!("{a}[{i}]")),
        ]
    })
}

/// A node of a pattern: one the statement already bound (`n`, `m`), or a new one.
fn node_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => prop::sample::select(vec!["(n)", "(m)"]).prop_map(str::to_owned),
        2 => new_node(),
    ]
}

fn new_node() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["a", "b", ""]),
        prop::sample::select(vec![
            "",
            ":Company",
            ":Fund",
            ":Consortium",
            ":Government",
            ":Company:Fund",
            ":A",
            ":B",
        ]),
        prop::option::of((
            prop::sample::select(vec!["name", "id", "aliases", "kind", "note", "n"]),
            expression(),
        )),
    )
        .prop_map(|(var, labels, prop)| match prop {
            Some((k, v)) => format!("({var}{labels} {{{k}: {v}}})"),
            None => format!("({var}{labels})"),
        })
}

fn rel_pattern() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["r", ""]),
        prop::sample::select(vec![":INVESTS_IN", ":SUPPLIES", ":MEMBER_OF", ":T", ""]),
        prop::option::of(expression()),
        any::<bool>(),
    )
        .prop_map(|(var, t, prop, left)| {
            let props = prop.map_or(String::new(), |v| format!(" {{amount_usd: {v}}}"));
            if left {
                format!("<-[{var}{t}{props}]-")
            } else {
                format!("-[{var}{t}{props}]->")
            }
        })
}

fn path_pattern() -> impl Strategy<Value = String> {
    (
        node_pattern(),
        prop::collection::vec((rel_pattern(), node_pattern()), 0..3),
    )
        .prop_map(|(first, rest)| {
            let mut out = first;
            for (r, n) in rest {
                out.push_str(&r);
                out.push_str(&n);
            }
            out
        })
}

fn set_item() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            prop::sample::select(vec!["n", "m", "r", "x"]),
            prop::sample::select(vec!["name", "id", "aliases", "note", "amount_usd", "w"]),
            expression()
        )
            .prop_map(|(v, k, e)| format!("{v}.{k} = {e}")),
        (prop::sample::select(vec!["n", "m", "r"]), expression())
            .prop_map(|(v, e)| format!("{v} = {e}")),
        (prop::sample::select(vec!["n", "m", "r"]), expression())
            .prop_map(|(v, e)| format!("{v} += {e}")),
        (
            prop::sample::select(vec!["n", "m"]),
            prop::sample::select(vec![":Fund", ":Company", ":Consortium", ":X"])
        )
            .prop_map(|(v, l)| format!("{v}{l}")),
    ]
}

fn write_clause() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(path_pattern(), 1..3).prop_map(|p| format!("CREATE {}", p.join(", "))),
        2 => (path_pattern(), prop::option::of(set_item()), prop::option::of(set_item())).prop_map(
            |(p, on_create, on_match)| {
                let mut out = format!("MERGE {p}");
                if let Some(s) = on_create {
                    out.push_str(&format!(" ON CREATE SET {s}"));
                }
                if let Some(s) = on_match {
                    out.push_str(&format!(" ON MATCH SET {s}"));
                }
                out
            }
        ),
        3 => prop::collection::vec(set_item(), 1..3).prop_map(|s| format!("SET {}", s.join(", "))),
        2 => (
            prop::sample::select(vec!["n", "m", "r"]),
            prop::sample::select(vec![".name", ".id", ".note", ".amount_usd", ":Company", ":Fund"])
        )
            .prop_map(|(v, what)| format!("REMOVE {v}{what}")),
        2 => prop::sample::select(vec!["n", "m", "r", "n, r", "r, m", "p", "[n, m]", "x"])
            .prop_map(|t| format!("DELETE {t}")),
        2 => prop::sample::select(vec!["n", "m", "n, m", "p", "r"])
            .prop_map(|t| format!("DETACH DELETE {t}")),
        1 => Just("WITH *".to_owned()),
        1 => expression().prop_map(|e| format!("WITH *, {e} AS y")),
    ]
}

fn writing_statement() -> impl Strategy<Value = String> {
    (
        // Each binds n, m, r (as null, when OPTIONAL finds nothing), and p and x.
        prop::sample::select(vec![
            "MATCH p = (n)-[r]->(m) UNWIND [1] AS x",
            "MATCH p = (n)-[r]-(m) UNWIND [1, 2, null] AS x",
            "MATCH p = (n {id: 'alpha'})-[r]-(m) WITH *, 1 AS x",
            "MATCH p = (n {id: 'a'})-[r]-(m) WITH *, 'a' AS x",
            "MATCH (n), (m) OPTIONAL MATCH p = (n)-[r]->(m) WITH *, n AS x",
            "OPTIONAL MATCH p = (n:Fund)-[r]->(m) WITH *, null AS x",
            "MATCH p = (n)-[r]->(m) WITH n, r, m, p, 0 AS x LIMIT 2",
            "MATCH p = (n)-[r]-(m) WITH n, r, m, p, [n, m] AS x SKIP 1",
            "CREATE (n:Company {name: 'Newco'}) WITH n MATCH (m {id: 'beta'}) \
             OPTIONAL MATCH p = (n)-[r]->(m) WITH *, 2 AS x",
        ]),
        prop::collection::vec(write_clause(), 1..4),
        prop::sample::select(vec![
            "",
            " RETURN *",
            " RETURN n, m, r",
            " RETURN count(*)",
            " RETURN n.name, labels(n), type(r)",
            " RETURN p",
        ]),
    )
        .prop_map(|(prefix, clauses, suffix)| format!("{prefix} {}{suffix}", clauses.join(" ")))
}

#[test]
fn writing_statements_on_the_alliance_schema_never_panic_and_fail_whole() {
    check("writes, alliance schema", 20, writing_statement(), |text| {
        run_counted(&FIXTURE, &text)
    });
    eprintln!("no_panic: writing statements that ran (both schemas so far): {RAN:?}");
}

#[test]
fn writing_statements_on_the_open_schema_never_panic_and_fail_whole() {
    check("writes, open schema", 15, writing_statement(), |text| {
        run_counted(&OPEN, &text)
    });
    eprintln!("no_panic: writing statements that ran (both schemas so far): {RAN:?}");
}

#[test]
fn write_token_sequences_never_panic_and_fail_whole() {
    let tokens: Vec<&str> = TOKENS.iter().chain(WRITE_TOKENS).copied().collect();
    check(
        "write token sequences",
        10,
        prop::collection::vec(prop::sample::select(tokens), 1..20),
        |tokens| {
            let text = tokens.join(" ");
            run_write(&FIXTURE, &text);
            run_write(&OPEN, &text);
        },
    );
}

// ----- reading ---------------------------------------------------------------------------

#[test]
fn token_sequences_never_panic() {
    check(
        "token sequences",
        15,
        prop::collection::vec(prop::sample::select(TOKENS), 1..24),
        |tokens| run(&tokens.join(" ")),
    );
}

#[test]
fn statements_with_a_random_tail_never_panic() {
    check(
        "random tails",
        5,
        prop::collection::vec(prop::sample::select(TOKENS), 0..12),
        |tail| {
            run(&format!(
                "MATCH (n)-[r]->(m) WHERE {} RETURN n, r, m",
                tail.join(" ")
            ));
            run(&format!(
                "MATCH p = (n)-[*..3]-(m) RETURN {}",
                tail.join(" ")
            ));
        },
    );
}

#[test]
fn arbitrary_text_never_panics() {
    check("arbitrary text", 10, "\\PC{0,80}", |text| run(&text));
}

// ----- the loaders -----------------------------------------------------------------------

/// Pieces that damaged data files are made of.
const DATA_PIECES: &[&str] = &[
    "[[entity]]\n",
    "[[relationship]]\n",
    "[[source]]\n",
    "id = \"alpha\"\n",
    "id = \"x\"\n",
    "name = \"Alpha Corp\"\n",
    "kind = \"fund\"\n",
    "kind = \"nope\"\n",
    "type = \"member-of\"\n",
    "from = \"alpha\"\n",
    "to = \"club\"\n",
    "to = \"missing\"\n",
    "date = \"2025-13-40\"\n",
    "amount_usd = 1e400\n",
    "amount_usd = -1\n",
    "stake_pct = 250\n",
    "aliases = [\"Alpha\", 3]\n",
    "sources = [\"nowhere\"]\n",
    "\u{1b}[2J",
    "\u{0}",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "=",
    "\n",
    "é",
    "\"\\u0000\"",
];

/// A text damaged at random: a piece cut out, pieces put in, bytes flipped.
fn damaged(base: String) -> impl Strategy<Value = String> {
    let len = base.len();
    (
        0..=len,
        0..=len.min(64),
        prop::collection::vec(prop::sample::select(DATA_PIECES), 0..6),
        prop::collection::vec((0..=len, any::<u8>()), 0..3),
    )
        .prop_map(move |(at, cut, pieces, flips)| {
            let mut bytes = base.clone().into_bytes();
            let at = at.min(bytes.len());
            let end = (at + cut).min(bytes.len());
            bytes.splice(at..end, pieces.concat().into_bytes());
            for (i, b) in flips {
                if let Some(x) = bytes.get_mut(i) {
                    *x = b;
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
}

fn load(text: &str, format: Format) {
    for schema in [Schema::Alliance, Schema::Open] {
        let input = TextInput {
            name: "random",
            text,
            format,
        };
        if let Ok(graph) = load_texts(&[input], schema) {
            // A graph that loads saves, and the saved file loads again.
            let saved = to_text(&graph, format).expect("a loaded graph saves");
            let again = TextInput {
                name: "saved",
                text: &saved,
                format,
            };
            load_texts(&[again], schema).expect("a saved graph loads");
        }
    }
}

static FIXTURE_TOML: LazyLock<String> =
    LazyLock::new(|| std::fs::read_to_string("tests/queries/data/fixture.toml").unwrap());

#[test]
fn damaged_toml_never_panics() {
    check("damaged TOML", 10, damaged(FIXTURE_TOML.clone()), |text| {
        load(&text, Format::Toml)
    });
}

#[test]
fn damaged_json_never_panics() {
    let json = to_text(&FIXTURE, Format::Json).expect("the fixture saves as JSON");
    check("damaged JSON", 5, damaged(json), |text| {
        load(&text, Format::Json);
        load(&text, Format::Toml);
    });
}

const NODES_CSV: &str = "id,name,kind,country,sector
c0,Company 0,company,ES,insurance
c1,\"Company, 1\",company,,
f0,Fund 0,fund,US,pension
g0,Government 0,government,FR,public-sector
k0,Consortium 0,consortium,DE,standards-body
";

const EDGES_CSV: &str = "from,to,type,amount_usd,date,stake_pct
c0,c1,SUPPLIES,1413559.55,2021-06-10,
f0,c0,INVESTS_IN,2500000,2019-01-02,12.5
c0,k0,MEMBER_OF,,2018-05-06,
g0,c0,invests-in,8.9e9,2025-08,9.9
";

#[test]
fn damaged_csv_never_panics() {
    check(
        "damaged CSV",
        10,
        (damaged(NODES_CSV.to_owned()), damaged(EDGES_CSV.to_owned())),
        |(nodes, edges)| {
            for schema in [Schema::Alliance, Schema::Open] {
                let _ = import_csv(
                    "nodes.csv",
                    nodes.as_bytes(),
                    "edges.csv",
                    edges.as_bytes(),
                    schema,
                );
            }
        },
    );
}

#[test]
fn hand_picked_edge_cases_do_not_panic() {
    for text in [
        "",
        ";;;",
        "RETURN -9223372036854775808",
        "RETURN 9223372036854775808",
        "RETURN [1,2,3][9223372036854775807]",
        "RETURN [1,2,3][-9223372036854775807..9223372036854775807]",
        "RETURN substring('abc', 9223372036854775807, 9223372036854775807)",
        "RETURN range(-9223372036854775807 - 1, 9223372036854775807, 9223372036854775807)",
        "RETURN range(9223372036854775807, -9223372036854775807 - 1, -9223372036854775807 - 1)",
        "RETURN -(-9223372036854775807 - 1)",
        "RETURN (-9223372036854775807 - 1) / -1, (-9223372036854775807 - 1) % -1",
        "RETURN abs(-9223372036854775808)",
        "RETURN -9223372036854775807 - 1 - 1",
        "RETURN 1e400, -1e400, 0.0 / 0.0",
        "RETURN toInteger(1e300), toInteger('1e300')",
        "RETURN '\\uD800', '\\U0010FFFF', '\\U00110000'",
        "MATCH (n) RETURN n SKIP 9223372036854775807 LIMIT 9223372036854775807",
        "MATCH p = shortestPath((a)-[*0..0]-(b)) RETURN p",
        "MATCH p = allShortestPaths((a)-[*]-(a)) RETURN p",
        "MATCH (a)-[*0]->(b) RETURN a, b",
        "MATCH (a)-[r*2..1]->(b) RETURN r",
        "UNWIND range(1, 3) AS x MATCH (n {id: x}) RETURN n",
        "MATCH (n) WHERE n.id IN [1, null, 'alpha'] RETURN n",
        "MATCH (n {name: 5}) RETURN n",
        "RETURN date({year: 2025, day: 3})",
        "RETURN `weird``name`",
        "MATCH (`a b`:`La bel`) RETURN `a b`",
    ] {
        run(text);
    }
}

#[test]
fn under_the_open_schema_every_node_with_an_id_stays_found() {
    let mut g = OPEN.clone();
    // Fails on the nested list after creating a second node with the id "a": undone whole.
    let failed = query::execute_mut(
        &mut g,
        "MATCH (n {id: 'a'}) CREATE (x {id: n.id}) SET n.name = [[]]",
        &Params::new(),
    );
    assert!(failed.is_err());
    assert_eq!(dump(&g), dump(&OPEN));
    query::execute_mut(&mut g, "CREATE ({id: 'a', name: 'A2'})", &Params::new()).unwrap();
    let found = |g: &Graph| {
        let mut result =
            query::execute(g, "MATCH (n {id: 'a'}) RETURN n.name", &Params::new()).expect("runs");
        result.pop().expect("one result").rows.len()
    };
    assert_eq!(found(&g), 2, "both nodes with the id are found");
    query::execute_mut(&mut g, "MATCH (n {name: 'A2'}) DELETE n", &Params::new()).unwrap();
    assert_eq!(
        found(&g),
        1,
        "the first is still found once the second is gone"
    );
}
