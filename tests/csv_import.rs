//! Bulk CSV import: the generator's format loads with typed properties, and every problem is
//! reported with its row and column.

use alliances::datafile::{Problem, ProblemKind, import_csv};
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

/// The graph `nodes` and `edges` make, which must import.
fn import(nodes: &str, edges: &str) -> alliances::Graph {
    import_csv(
        "nodes.csv",
        nodes.as_bytes(),
        "edges.csv",
        edges.as_bytes(),
        Schema::Alliance,
    )
    .unwrap()
}

/// A nodes file of fifty companies, `n0` to `n49`.
fn fifty_nodes() -> String {
    std::iter::once("id,name,kind,country,sector\n".to_owned())
        .chain((0..50).map(|i| format!("n{i},Node {i},company,,\n")))
        .collect()
}

/// The problems of an import that must be refused.
fn refusal(nodes: &str, edges: &str) -> Vec<Problem> {
    import_csv(
        "nodes.csv",
        nodes.as_bytes(),
        "edges.csv",
        edges.as_bytes(),
        Schema::Alliance,
    )
    .expect_err("should not import")
    .problems()
    .to_vec()
}

fn problems(nodes: &str, edges: &str) -> Vec<(ProblemKind, usize, Option<String>)> {
    refusal(nodes, edges)
        .iter()
        .map(|p| (p.kind, p.location.line, p.location.field.clone()))
        .collect()
}

#[test]
fn the_generator_format_imports_with_typed_properties() {
    let graph = import(NODES, EDGES);
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
    let nodes = fifty_nodes();
    let rows: Vec<String> = (0..2_000)
        .map(|i| format!("n{},n{},SUPPLIES,{i},,\n", i % 50, (i * 7 + 1) % 50))
        .collect();
    let edges = format!("from,to,type,amount_usd,date,stake_pct\n{}", rows.concat());
    let graph = import(&nodes, &edges);
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

/// Only the first unknown ends of the file get a "did you mean", however the rows are cut
/// and whichever piece is checked first: the report is the same from run to run.
#[test]
fn suggestions_go_to_the_first_unknown_ends_in_file_order() {
    let nodes = fifty_nodes();
    // Unknown ends all through the file, so both pieces have more than get suggestions.
    let rows: String = (0..4_000)
        .map(|i| {
            let to = if i % 50 == 0 {
                format!("n{}x", i % 7)
            } else {
                format!("n{}", i % 50)
            };
            format!("n1,{to},SUPPLIES,{i},,\n")
        })
        .collect();
    let edges = format!("from,to,type,amount_usd,date,stake_pct\n{rows}");
    let report = || {
        refusal(&nodes, &edges)
            .iter()
            .map(|p| (p.location.line, p.help.is_some()))
            .collect::<Vec<_>>()
    };
    let first = report();
    assert_eq!(first.len(), 80);
    let suggested: Vec<bool> = first.iter().map(|(_, help)| *help).collect();
    let mut expected = vec![true; 20];
    expected.resize(80, false);
    assert_eq!(suggested, expected);
    for _ in 0..20 {
        assert_eq!(report(), first);
    }
}

/// The progress an import reports adds up: every byte of rows (all but the two header lines)
/// is counted as checked once, whether the relationships are cut into pieces or not.
#[test]
fn progress_counts_every_row_byte_once() {
    use alliances::datafile::{ImportProgress, import_csv_with_progress};
    use std::sync::Mutex;
    let nodes = fifty_nodes();
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

/// Columns beyond the fixed ones, in any order: sources (ids or URLs), money in any currency,
/// the vocabulary's other properties, and free columns kept as typed properties.
#[test]
fn extra_columns_are_kept_typed_and_sources_become_sources() {
    let nodes = "kind,name,id,lei,employees,listed,founded,postcode,aliases,sources
company,Alpha SA,alpha,5493001KJTIIGC8Y1R12,1200,true,1999-04,007,Alpha; Alpha Group,https://example.org/register
fund,Beta Fund,beta,,,FALSE,,,,reg-2024
";
    let edges = "type,to,from,amount,currency,end_date,status,date,sources,deal_code,amount_usd
invests-in,alpha,beta,2500000,EUR,2024-12-31,completed,2020-01-15,reg-2024;https://example.org/deals/7,D-7,
invests-in,alpha,beta,1000000,USD,,announced,,https://example.org/deals/7,,
invests-in,alpha,beta,5,,,,,,,5
";
    let graph = import(nodes, edges);
    let alpha = graph.node_by_id("alpha").unwrap();
    assert_eq!(graph.node_prop(alpha, "employees"), Some(Value::Int(1200)));
    assert_eq!(graph.node_prop(alpha, "listed"), Some(Value::Bool(true)));
    assert_eq!(
        graph.node_prop(alpha, "founded"),
        Some(Value::Date(Date::month(1999, 4).unwrap()))
    );
    assert_eq!(
        graph.node_prop(alpha, "postcode"),
        Some(Value::from("007")),
        "a number with a leading zero stays text"
    );
    assert_eq!(graph.nodes_by_name("Alpha Group"), vec![alpha]);
    assert_eq!(
        graph.nodes_by_identifier("lei", "5493001KJTIIGC8Y1R12"),
        vec![alpha],
        "a column named after an identifier scheme is an identifier"
    );
    let beta = graph.node_by_id("beta").unwrap();
    assert_eq!(graph.node_prop(beta, "listed"), Some(Value::Bool(false)));
    assert_eq!(graph.node_prop(beta, "employees"), None);

    let ties = graph.edges_of_type("INVESTS_IN");
    let (euro, dollars, plain) = (ties[0], ties[1], ties[2]);
    assert_eq!(graph.edge_prop(euro, "currency"), Some(Value::from("EUR")));
    assert_eq!(graph.edge_prop(euro, "amount"), Some(Value::Int(2_500_000)));
    assert_eq!(
        graph.edge_prop(euro, "amount_usd"),
        None,
        "no exchange rate converts euros in a bulk graph"
    );
    assert_eq!(
        graph.edge_prop(dollars, "amount_usd"),
        Some(Value::Int(1_000_000)),
        "an amount in US dollars is its own amount_usd"
    );
    assert_eq!(graph.edge_prop(plain, "amount_usd"), Some(Value::Int(5)));
    assert_eq!(
        graph.edge_prop(euro, "end_date"),
        Some(Value::Date("2024-12-31".parse().unwrap()))
    );
    assert_eq!(
        graph.edge_prop(euro, "status"),
        Some(Value::from("completed"))
    );
    assert_eq!(graph.edge_prop(euro, "deal_code"), Some(Value::from("D-7")));
    let sources = graph
        .edge_prop(euro, "sources")
        .and_then(|v| v.string_list())
        .unwrap();
    assert_eq!(sources[0], "reg-2024");
    let url_source = graph.source(&sources[1]).unwrap();
    assert_eq!(
        url_source.url.as_deref(),
        Some("https://example.org/deals/7")
    );
    assert_eq!(url_source.publisher, "example.org");
    assert_eq!(
        graph
            .edge_prop(dollars, "sources")
            .and_then(|v| v.string_list()),
        Some(vec![sources[1].clone()]),
        "one URL is one source, however often it is cited"
    );
    assert!(graph.source("reg-2024").is_some());
    assert_eq!(graph.stats().unsourced, 1);
    // What the bulk rows say survives a save and a load through the data-file rules.
    let text = alliances::datafile::dataset_text(
        &graph.to_dataset().unwrap(),
        alliances::datafile::Format::Json,
    )
    .unwrap();
    let again = alliances::datafile::load_texts(
        &[alliances::datafile::TextInput {
            name: "saved.json",
            text: &text,
            format: alliances::datafile::Format::Json,
        }],
        Schema::Alliance,
    )
    .unwrap();
    assert_eq!(again.edge_count(), 3);
}

#[test]
fn extra_columns_are_checked_by_row_and_column() {
    let nodes = "id,name,kind,sources\na,A,company,\nb,B,company,not a source!\nc,C,company,\n";
    let edges = "from,to,type,amount,currency,status,date,end_date,role,amount_usd
a,c,INVESTS_IN,lots,,,,,,
a,c,INVESTS_IN,10,eur,,,,,
a,c,INVESTS_IN,,,complete,,,,
a,c,INVESTS_IN,,,,2024-05-01,2023-01-01,,
a,c,SUPPLIES,,,,,,lead,
a,c,INVESTS_IN,10,USD,,,,,11
a,c,INVESTS_IN,,,,,,,
";
    use ProblemKind::*;
    let field = |s: &str| Some(s.to_owned());
    assert_eq!(
        problems(nodes, edges),
        vec![
            (BadId, 3, field("sources")),
            (WrongType, 2, field("amount")),
            (UnknownValue, 3, field("currency")),
            (UnknownValue, 4, field("status")),
            (DatesOutOfOrder, 5, field("end_date")),
            (UnknownKey, 6, field("role")),
            (UsdMismatch, 7, field("amount_usd")),
        ]
    );
    let error = import_csv(
        "nodes.csv",
        nodes.as_bytes(),
        "edges.csv",
        edges.as_bytes(),
        Schema::Alliance,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("edges.csv:4 (column \"status\")"), "{error}");
    assert!(error.contains("did you mean \"completed\""), "{error}");
}

#[test]
fn a_misspelt_fixed_column_is_refused_and_others_are_kept() {
    let edges = "from,to,type,amont_usd\n";
    let found = problems(NODES, edges);
    assert_eq!(
        found,
        vec![(ProblemKind::UnknownKey, 1, Some("amont_usd".to_owned()))]
    );
    let twice = "from,to,type,date,date\n";
    assert_eq!(
        problems(NODES, twice),
        vec![(ProblemKind::Syntax, 1, Some("date".to_owned()))]
    );
}

/// Node rows are read in pieces and added at once when none has a problem; a quoted field
/// keeps the file whole and rows are added one by one. Both make the same graph, down to the
/// order of names, columns and strings a snapshot keeps.
#[test]
fn nodes_read_in_pieces_make_the_graph_rows_read_one_by_one_make() {
    let header = "id,name,kind,country,sector,aliases,lei,note,sources,employees\n";
    let row = |i: usize, quoted: bool| {
        let name = if quoted && i == 7 {
            format!("\"Node {i}\"")
        } else {
            format!("Node {i}")
        };
        let aliases = if i.is_multiple_of(3) {
            format!("N{i};Nd {i}")
        } else {
            String::new()
        };
        let lei = if i == 5 { "5493001KJTIIGC8Y1R12" } else { "" };
        let country = if i.is_multiple_of(4) { "" } else { "FR" };
        let sources = if i.is_multiple_of(5) {
            "https://example.org/a;press-release"
        } else {
            ""
        };
        format!("n{i},{name},company,{country},fintech,{aliases},{lei},note {i},{sources},{i}\n")
    };
    let edges = "from,to,type,amount_usd,date,stake_pct,currency,amount\n\
                 n1,n2,SUPPLIES,,2021-06-10,,EUR,10\n\
                 n2,n3,INVESTS_IN,5,,1.5,,\n";
    let graphs: Vec<Vec<u8>> = [false, true]
        .into_iter()
        .map(|quoted| {
            // Enough rows for their texts to be pooled all at once.
            let nodes: String = std::iter::once(header.to_owned())
                .chain((0..1000).map(|i| row(i, quoted)))
                .collect();
            let graph = import(&nodes, edges);
            assert_eq!(graph.node_count(), 1000);
            assert_eq!(graph.nodes_by_name("nd 3").len(), 1);
            assert_eq!(
                graph
                    .nodes_by_identifier("lei", "5493001KJTIIGC8Y1R12")
                    .len(),
                1
            );
            alliances::store::snapshot::write(&graph)
        })
        .collect();
    assert!(
        graphs[0] == graphs[1],
        "the two reads make different graphs"
    );

    // A clash far apart is found whichever way the rows are read.
    let mut nodes: String = std::iter::once(header.to_owned())
        .chain((0..40).map(|i| row(i, false)))
        .collect();
    nodes.push_str("n39,Node 3,company,,,,,,,\n");
    let found = problems(&nodes, edges);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].1, 42);
    assert_eq!(found[0].2.as_deref(), Some("id"));
    assert_eq!(found[1].2.as_deref(), Some("name"));
}
