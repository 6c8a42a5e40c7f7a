//! Bulk CSV import: the generator's format loads with typed properties, and every problem is
//! reported with its row and column.

use alliances::datafile::{ProblemKind, import_csv};
use alliances::{Date, Schema, Value};

const NODES: &str = "id,name,kind,country,sector
c000000,Company 0,company,ES,insurance
c000001,Company 1,company,,
f000000,Fund 0,fund,US,pension
g000000,Government 0,government,FR,public-sector
k000000,Consortium 0,consortium,DE,standards-body
";

const EDGES: &str = "from,to,type,amount_usd,date,stake_pct
c000000,c000001,SUPPLIES,1413559.55,2021-06-10,
f000000,c000000,INVESTS_IN,2500000,2019-01-02,12.5
c000000,c000001,INVESTS_IN,,2020-03-04,
c000000,k000000,MEMBER_OF,,2018-05-06,
g000000,c000000,invests-in,8.9e9,2025-08,9.9
";

fn problems(nodes: &str, edges: &str) -> Vec<(ProblemKind, usize, Option<String>)> {
    let error = import_csv(
        "nodes.csv",
        nodes.as_bytes(),
        "edges.csv",
        edges.as_bytes(),
        Schema::Alliance,
    )
    .expect_err("should not import");
    error
        .problems()
        .iter()
        .map(|p| (p.kind, p.location.line, p.location.field.clone()))
        .collect()
}

#[test]
fn the_generator_format_imports_with_typed_properties() {
    let graph = import_csv(
        "nodes.csv",
        NODES.as_bytes(),
        "edges.csv",
        EDGES.as_bytes(),
        Schema::Alliance,
    )
    .unwrap();
    let stats = graph.stats();
    assert_eq!(
        (stats.nodes, stats.relationships, stats.unsourced),
        (5, 5, 5)
    );
    assert_eq!(stats.by_type["INVESTS_IN"], 3);
    assert_eq!(graph.nodes_with_label("Fund").len(), 1);
    let gov = graph.node_by_id("g000000").unwrap();
    assert_eq!(graph.node_prop(gov, "country"), Some(Value::from("FR")));
    let c1 = graph.node_by_id("c000001").unwrap();
    assert_eq!(
        graph.node_prop(c1, "country"),
        None,
        "an empty cell is absent"
    );
    let deal = graph.edges_of_type("INVESTS_IN")[2];
    assert_eq!(
        graph.edge_prop(deal, "amount_usd"),
        Some(Value::Int(8_900_000_000)),
        "whole amounts are stored as integers"
    );
    assert_eq!(graph.edge_prop(deal, "stake_pct"), Some(Value::Float(9.9)));
    assert_eq!(
        graph.edge_prop(deal, "date"),
        Some(Value::Date(Date::month(2025, 8).unwrap()))
    );
    // The SUPPLIES and INVESTS_IN between c000000 and c000001 are two parallel edges.
    let c0 = graph.node_by_id("c000000").unwrap();
    let parallel = graph
        .edges_of(c0, alliances::store::Direction::Outgoing)
        .filter(|(_, to)| *to == c1)
        .count();
    assert_eq!(parallel, 2);
}

#[test]
fn header_problems_name_the_column_and_do_not_cascade() {
    // Without readable nodes, no edge endpoint can be checked, so none is reported.
    let nodes = "id,name,knd,country,sector\nc000000,Company 0,company,ES,insurance\n";
    assert_eq!(
        problems(nodes, EDGES),
        vec![
            (ProblemKind::UnknownKey, 1, Some("knd".to_owned())),
            (ProblemKind::MissingField, 1, Some("kind".to_owned())),
        ]
    );
}

#[test]
fn row_problems_give_the_line_and_column() {
    let nodes = "id,name,kind,country,sector
a,A,company,,
a,B,company,,
x,  a ,company,,
C D,C,company,,
d,D,startup,,
e,E,company,US
f,F,consortium,,,extra
b,B2,company,,
";
    let edges = "from,to,type,amount_usd,date,stake_pct
a,zz,SUPPLIES,,,
a,b,OWNS,,,
a,b,INVESTS_IN,lots,,
a,b,INVESTS_IN,-1,,
a,b,INVESTS_IN,,2025-02-30,
a,b,INVESTS_IN,,,101
a,b,MEMBER_OF,,,
a,f,MEMBER_OF,,,
x,b,SUPPLIES,,,
";
    use ProblemKind::*;
    let field = |s: &str| Some(s.to_owned());
    assert_eq!(
        problems(nodes, edges),
        vec![
            (DuplicateId, 3, field("id")),
            (NameClash, 4, field("name")),
            (BadId, 5, field("id")),
            (UnknownValue, 6, field("kind")),
            (Syntax, 7, None),
            (Syntax, 8, None),
            (UnknownEntity, 2, field("to")),
            (UnknownValue, 3, field("type")),
            (WrongType, 4, field("amount_usd")),
            (NegativeAmount, 5, field("amount_usd")),
            (BadDate, 6, field("date")),
            (StakeOutOfRange, 7, field("stake_pct")),
            (MemberOfNonConsortium, 8, field("to")),
            // f (line 9) and x (line 10) were rejected above; edges naming them stay quiet.
        ]
    );
}

#[test]
fn messages_read_as_places_and_fixes() {
    let edges = "from,to,type,amount_usd,date,stake_pct\nc000000,c00001,SUPPLIES,,,\n";
    let error = import_csv(
        "nodes.csv",
        NODES.as_bytes(),
        "edges.csv",
        edges.as_bytes(),
        Schema::Alliance,
    )
    .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("edges.csv:2 (column \"to\")"), "{text}");
    assert!(text.contains("did you mean \"c000001\""), "{text}");
    assert!(
        text.ends_with("1 problem found; nothing was loaded"),
        "{text}"
    );
}

/// Relationship rows are checked in pieces on several threads; lines and numbering must not
/// show where the file was cut.
#[test]
fn large_files_keep_file_order_and_line_numbers() {
    let nodes: String = std::iter::once("id,name,kind,country,sector\n".to_owned())
        .chain((0..50).map(|i| format!("n{i},Node {i},company,,\n")))
        .collect();
    let rows: Vec<String> = (0..2_000)
        .map(|i| format!("n{},n{},SUPPLIES,{i},,\n", i % 50, (i * 7 + 1) % 50))
        .collect();
    let edges = format!("from,to,type,amount_usd,date,stake_pct\n{}", rows.concat());
    let graph = import_csv(
        "nodes.csv",
        nodes.as_bytes(),
        "edges.csv",
        edges.as_bytes(),
        Schema::Alliance,
    )
    .unwrap();
    let amounts: Vec<Option<f64>> = graph
        .edges_of_type("SUPPLIES")
        .into_iter()
        .map(|e| graph.edge_f64(e, "amount_usd"))
        .collect();
    let expected: Vec<Option<f64>> = (0..2_000).map(|i| Some(f64::from(i))).collect();
    assert_eq!(
        amounts, expected,
        "relationships are numbered in file order"
    );

    // Mistakes near the start, the middle and the end, with and without a quoted field (which
    // keeps the file in one piece).
    for quoted in [false, true] {
        let mut rows = rows.clone();
        for at in [3, 1_000, 1_001, 1_999] {
            rows[at] = format!("n1,nowhere,SUPPLIES,{at},,\n");
        }
        if quoted {
            rows[10] = "n1,n2,SUPPLIES,\"10\",,\n".to_owned();
        }
        let edges = format!("from,to,type,amount_usd,date,stake_pct\n{}", rows.concat());
        let lines: Vec<usize> = problems(&nodes, &edges).iter().map(|p| p.1).collect();
        // Line 1 is the header: row i sits on line i + 2.
        assert_eq!(lines, vec![5, 1_002, 1_003, 2_001], "quoted: {quoted}");
    }
}

/// The progress an import reports adds up: every byte of rows (all but the two header lines)
/// is counted as checked once, whether the relationships are cut into pieces or not.
#[test]
fn progress_counts_every_row_byte_once() {
    use alliances::datafile::{ImportProgress, import_csv_with_progress};
    use std::sync::Mutex;
    let nodes: String = std::iter::once("id,name,kind,country,sector\n".to_owned())
        .chain((0..50).map(|i| format!("n{i},Node {i},company,,\n")))
        .collect();
    let rows: String = (0..3_000)
        .map(|i| format!("n{},n{},SUPPLIES,{i},,\n", i % 50, (i * 7 + 1) % 50))
        .collect();
    let header = "from,to,type,amount_usd,date,stake_pct\n";
    let last_row_unended = format!("{header}{}", rows.trim_end_matches('\n'));
    let one_quoted = format!("{header}n1,n2,SUPPLIES,\"10\",,\n{rows}");
    for edges in [format!("{header}{rows}"), last_row_unended, one_quoted] {
        let events = Mutex::new(Vec::new());
        import_csv_with_progress(
            "nodes.csv",
            nodes.as_bytes(),
            "edges.csv",
            edges.as_bytes(),
            Schema::Alliance,
            &|event| events.lock().unwrap().push(event),
        )
        .unwrap();
        let events = events.into_inner().unwrap();
        assert_eq!(
            events.first(),
            Some(&ImportProgress::Started {
                bytes: (nodes.len() + edges.len()) as u64
            })
        );
        assert_eq!(events.last(), Some(&ImportProgress::Building));
        let checked: u64 = events
            .iter()
            .map(|e| match e {
                ImportProgress::Checked { bytes } => *bytes,
                _ => 0,
            })
            .sum();
        let headers = "id,name,kind,country,sector\n".len() + header.len();
        assert_eq!(checked, (nodes.len() + edges.len() - headers) as u64);
    }
}
