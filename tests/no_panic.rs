//! No input can make the query engine panic: random token sequences (which often parse) and
//! arbitrary text (which rarely does) either run or give an error.

use std::path::PathBuf;
use std::sync::LazyLock;

use alliances::query::{self, Params};
use alliances::{Graph, Schema};
use proptest::prelude::*;

static FIXTURE: LazyLock<Graph> = LazyLock::new(|| {
    alliances::load_files(
        &[PathBuf::from("tests/queries/data/fixture.toml")],
        Schema::Alliance,
    )
    .expect("fixture loads")
});

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

fn run(text: &str) {
    let mut params = Params::new();
    params.insert("p".to_owned(), query::QueryValue::Int(1));
    // The outcome does not matter; reaching it without a panic does.
    let _ = query::execute(&FIXTURE, text, &params);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn token_sequences_never_panic(tokens in prop::collection::vec(prop::sample::select(TOKENS), 1..24)) {
        run(&tokens.join(" "));
    }

    #[test]
    fn statements_with_a_random_tail_never_panic(tail in prop::collection::vec(prop::sample::select(TOKENS), 0..12)) {
        run(&format!("MATCH (n)-[r]->(m) WHERE {} RETURN n, r, m", tail.join(" ")));
        run(&format!("MATCH p = (n)-[*..3]-(m) RETURN {}", tail.join(" ")));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        run(&text);
    }
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
