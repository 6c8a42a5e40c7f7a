//! `alliances serve`'s JSON API, over real HTTP on loopback: each endpoint, the bounds of a
//! request, the requests refused (another site's `Host` or `Origin`, a path outside the
//! assets, a body too large). The load test is in serve_load.rs, alone in its process so that
//! its memory figures are its own.

#[path = "common/http.rs"]
mod http;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use alliances::serve::Options;
use alliances::session::{Request, Session};
use http::{get, post, raw, start, start_default};
use serde_json::{Value, json};

/// One read-only server on the built-in dataset for the whole test binary.
fn server() -> SocketAddr {
    static SERVER: OnceLock<SocketAddr> = OnceLock::new();
    *SERVER.get_or_init(start_default)
}

fn query(body: Value) -> http::Answer {
    post(server(), "/api/query", &body.to_string())
}

/// The number (`e7`) of the relationship of `rel_type` from `from` to `to`, as the API names it.
fn edge_between(from: &str, to: &str) -> Value {
    let around = get(server(), &format!("/api/neighbours/{to}")).json();
    let from_node = around["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["key"] == from)
        .unwrap_or_else(|| panic!("{from} is a neighbour of {to}"))["id"]
        .clone();
    around["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"] == from_node && e["target"] == around["centre"])
        .unwrap()
        .clone()
}

#[test]
fn a_statement_answers_what_query_format_json_prints() {
    let text = "MATCH (i)-[r:INVESTS_IN]->(c {name: $name}) RETURN i.name AS investor, r.amount_usd AS usd ORDER BY investor";
    let answer = query(json!({ "query": text, "params": { "name": "Intel" } }));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let mut params = alliances::Params::new();
    params.insert(
        "name".into(),
        alliances::query::QueryValue::String("Intel".into()),
    );
    let expected = alliances::execute(&alliances::default_graph(), text, &params).unwrap();
    assert_eq!(answer.body, expected[0].to_json());
    let rows = answer.json()["rows"].clone();
    assert!(
        rows.as_array()
            .unwrap()
            .contains(&json!(["US government", 8_900_000_000u64]))
    );
}

#[test]
fn a_bad_statement_is_a_json_error_with_its_place() {
    let answer = query(json!({ "query": "MATCH (c:Company)\nRETURN c.name ORDER BY" }));
    assert_eq!(answer.status, 400);
    let error = &answer.json()["error"];
    assert_eq!(error["line"], 2, "{error}");
    assert!(error["column"].as_u64().unwrap() > 1);
    assert!(!error["message"].as_str().unwrap().is_empty());
    let unknown = query(json!({ "query": "RETURN nosuch(1)" }));
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["error"]["column"], 8);
    let missing = query(json!({ "query": "RETURN $who" }));
    assert_eq!(missing.status, 422, "{}", missing.body);
}

#[test]
fn a_body_that_is_not_the_json_expected_is_placed() {
    let answer = post(
        server(),
        "/api/query",
        "{\"query\": \"RETURN 1\",\n \"nope\": 1}",
    );
    assert_eq!(answer.status, 400);
    let error = &answer.json()["error"];
    assert_eq!(error["line"], 2, "{error}");
    assert!(error["message"].as_str().unwrap().contains("nope"));
    let broken = post(server(), "/api/query", "{\"query\": ");
    assert_eq!(broken.status, 400);
}

#[test]
fn rows_are_bounded_and_the_answer_says_so() {
    let answer = query(json!({ "query": "UNWIND range(1, 100000) AS x RETURN x", "max_rows": 5 }));
    assert_eq!(answer.status, 200);
    let json = answer.json();
    assert_eq!(json["rows"].as_array().unwrap().len(), 5);
    assert!(
        json["notes"][0]
            .as_str()
            .unwrap()
            .contains("stopped at 5 rows")
    );
    // No request gets more than the server's own bound.
    let answer =
        query(json!({ "query": "UNWIND range(1, 100000) AS x RETURN x", "max_rows": 1000000 }));
    assert_eq!(
        answer.json()["rows"].as_array().unwrap().len(),
        alliances::serve::DEFAULT_MAX_ROWS
    );
}

#[test]
fn hops_are_bounded_as_in_the_shell() {
    let (session, _) = Session::open(&Request::default(), &|_| {}).unwrap();
    let address = start(
        session,
        Options {
            limits: alliances::query::Limits::default().with_max_var_length(2),
            ..Options::default()
        },
    );
    let body = json!({ "query": "MATCH p = ({id: 'blackrock'})-[*]-(b) RETURN max(length(p)) AS longest" });
    let answer = post(address, "/api/query", &body.to_string());
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["rows"][0][0], 2);
}

#[test]
fn a_statement_past_the_time_limit_is_stopped() {
    let (session, _) = Session::open(&Request::default(), &|_| {}).unwrap();
    let address = start(
        session,
        Options {
            timeout: Duration::from_millis(200),
            ..Options::default()
        },
    );
    let started = Instant::now();
    let body = json!({ "query": "UNWIND range(1, 1000000) AS x UNWIND range(1, 1000) AS y WITH x WHERE x < 0 RETURN count(*)" });
    let answer = post(address, "/api/query", &body.to_string());
    assert_eq!(answer.status, 408, "{}", answer.body);
    assert!(started.elapsed() < Duration::from_secs(20));
    // The server goes on answering.
    assert_eq!(get(address, "/api/stats").status, 200);
}

#[test]
fn writes_are_refused_unless_the_server_writes() {
    let create = json!({ "query": "CREATE (:Company {id: 'acme', name: 'Acme', sources: ['brief-2025-10']})" });
    let refused = query(create.clone());
    assert_eq!(refused.status, 403);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--write")
    );

    let (session, _) = Session::open(&Request::default(), &|_| {}).unwrap();
    let address = start(
        session,
        Options {
            write: true,
            ..Options::default()
        },
    );
    let made = post(address, "/api/query", &create.to_string());
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.json()["changes"].as_str().unwrap().contains("1 node"));
    let found = get(address, "/api/search?q=acme").json();
    assert_eq!(found["matches"][0]["name"], "Acme");
    // The session's rules still hold: a second entity with the same id is refused, placed.
    let again = post(address, "/api/query", &create.to_string());
    assert!(again.status >= 400 && again.status < 500, "{}", again.body);
    assert!(again.json()["error"]["line"].is_number());
    // A dated view cannot be changed.
    let dated = json!({ "query": "CREATE (:Company {id: 'x', name: 'X'})", "as_of": "2024" });
    assert_eq!(post(address, "/api/query", &dated.to_string()).status, 403);
}

#[test]
fn a_query_can_return_its_subgraph() {
    let answer = query(json!({
        "query": "MATCH p = ({name: 'Nvidia'})-[:MEMBER_OF]->(c) RETURN p",
        "graph": true
    }));
    assert_eq!(answer.status, 200, "{}", answer.body);
    let json = answer.json();
    let names: Vec<&str> = json["graph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"AIP") && names.contains(&"Stargate") && names.contains(&"Nvidia"));
    assert_eq!(json["graph"]["edges"].as_array().unwrap().len(), 2);
    assert_eq!(json["rows"].as_array().unwrap().len(), 2);
}

#[test]
fn search_completes_names_and_aliases() {
    let found = get(server(), "/api/search?q=nvi").json();
    assert_eq!(found["matches"][0]["name"], "Nvidia");
    assert_eq!(found["matches"][0]["key"], "nvidia");
    let alias = get(server(), "/api/search?q=united%20states").json();
    assert_eq!(alias["matches"][0]["name"], "US government");
    assert_eq!(alias["matches"][0]["matched"], "United States government");
    let bounded = get(server(), "/api/search?q=a&limit=3").json();
    assert_eq!(bounded["matches"].as_array().unwrap().len(), 3);
    assert_eq!(get(server(), "/api/search?q=a&limit=lots").status, 400);
    let none = get(server(), "/api/search?q=").json();
    assert!(none["matches"].as_array().unwrap().is_empty());
}

#[test]
fn an_entity_comes_with_its_sources() {
    let stargate = get(server(), "/api/entity/Stargate%20Project").json();
    assert_eq!(stargate["key"], "stargate");
    assert_eq!(stargate["labels"], json!(["Consortium"]));
    let sources = stargate["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 4);
    assert!(sources.iter().any(|s| s["publisher"] == "OpenAI"));
    let unknown = get(server(), "/api/entity/Nvidai");
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Nvidia")
    );
}

#[test]
fn a_relationship_comes_with_its_amount_stake_and_sources() {
    let edge = edge_between("us-government", "intel");
    let detail = get(
        server(),
        &format!("/api/relationship/{}", edge["id"].as_str().unwrap()),
    );
    assert_eq!(detail.status, 200);
    let detail = detail.json();
    assert_eq!(detail["from_name"], "US government");
    assert_eq!(detail["to_name"], "Intel");
    assert_eq!(detail["properties"]["amount_usd"], 8.9e9);
    assert_eq!(detail["properties"]["stake_pct"], 9.9);
    assert!(detail["label"].as_str().unwrap().contains("$8.9B"));
    let titles: Vec<&str> = detail["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "US government investment in Intel",
            "Untitled news brief on multi-billion AI partnerships"
        ]
    );
    assert_eq!(get(server(), "/api/relationship/e99999").status, 404);
    assert_eq!(get(server(), "/api/relationship/nonsense").status, 404);
}

#[test]
fn neighbours_bring_consortia_with_their_members() {
    let around = get(server(), "/api/neighbours/nvidia").json();
    let names: Vec<&str> = around["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    for name in [
        "Nvidia",
        "AIP",
        "Stargate",
        "Intel",
        "OpenAI",
        "BlackRock",
        "Oracle",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(!names.contains(&"US government"));
    assert_eq!(around["left_out"], json!({ "nodes": 0, "edges": 0 }));
    // Bounded: the answer says how many it left out.
    let few = get(server(), "/api/neighbours/nvidia?limit=4").json();
    let listed = few["nodes"].as_array().unwrap().len() + few["edges"].as_array().unwrap().len();
    assert!(
        listed <= 4 && !few["edges"].as_array().unwrap().is_empty(),
        "{few}"
    );
    assert!(few["left_out"]["nodes"].as_u64().unwrap() > 0);
    // By type, and on a date: the 2025 deals are not there at the end of 2024.
    let invests = get(server(), "/api/neighbours/nvidia?types=invests-in").json();
    assert!(
        invests["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["type"] == "INVESTS_IN")
    );
    let then = get(server(), "/api/neighbours/nvidia?as_of=2024-12").json();
    assert!(then["note"].as_str().unwrap().starts_with("as of 2024-12"));
    assert!(then["edges"].as_array().unwrap().iter().all(|e| {
        !e["properties"]["date"]
            .as_str()
            .unwrap_or("")
            .starts_with("2025")
    }));
    assert_eq!(
        get(server(), "/api/neighbours/nvidia?as_of=soon").status,
        400
    );
    assert_eq!(
        get(server(), "/api/neighbours/nvidia?types=owns").status,
        400
    );
}

#[test]
fn ties_among_shown_nodes_follow_the_date() {
    let edge = edge_between("us-government", "intel");
    let nodes = json!([edge["source"], edge["target"]]);
    let now = post(
        server(),
        "/api/ties",
        &json!({ "nodes": nodes }).to_string(),
    )
    .json();
    assert_eq!(now["edges"].as_array().unwrap().len(), 1);
    let then = post(
        server(),
        "/api/ties",
        &json!({ "nodes": nodes, "as_of": "2024-12" }).to_string(),
    )
    .json();
    assert!(then["edges"].as_array().unwrap().is_empty());
    assert_eq!(then["nodes"].as_array().unwrap().len(), 2);
}

#[test]
fn paths_are_explained_hop_by_hop() {
    let found = get(server(), "/api/paths?from=BlackRock&to=Intel&k=2").json();
    let paths = found["paths"].as_array().unwrap();
    assert!(!paths.is_empty());
    assert_eq!(paths[0]["hops"], 3);
    assert!(paths[0]["text"].as_str().unwrap().starts_with("BlackRock"));
    assert!(paths[0]["explained"].as_str().unwrap().contains("source:"));
    assert!(found["nodes"].as_array().unwrap().len() >= 4, "{found}");
    let missing = get(server(), "/api/paths?from=BlackRock");
    assert_eq!(missing.status, 400);
    assert_eq!(
        get(server(), "/api/paths?from=BlackRock&to=Nobody").status,
        404
    );
}

#[test]
fn schema_and_stats_describe_the_graph() {
    let schema = get(server(), "/api/schema").json();
    assert!(
        schema["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["name"] == "consortium")
    );
    assert!(
        schema["relationship_types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["type"] == "INVESTS_IN")
    );
    assert_eq!(schema["labels"]["Consortium"], 2);
    assert_eq!(schema["server"]["write"], false);
    let stats = get(server(), "/api/stats").json();
    let graph = alliances::default_graph();
    assert_eq!(stats["nodes"], graph.node_count());
    assert_eq!(stats["relationships"], graph.edge_count());
    let then = get(server(), "/api/stats?as_of=2024-12").json();
    assert!(then["relationships"].as_u64().unwrap() < graph.edge_count() as u64);
}

#[test]
fn a_view_exports_as_dot() {
    let edge = edge_between("us-government", "intel");
    let view = json!({ "nodes": [edge["source"], edge["target"]], "edges": [edge["id"]], "title": "Intel's owners" });
    let answer = post(server(), "/api/export/dot", &view.to_string());
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("text/vnd.graphviz")
    );
    assert!(answer.body.starts_with("digraph"));
    assert!(answer.body.contains("US government") && answer.body.contains("Intel's owners"));
    assert!(answer.body.contains("$8.9B"), "{}", answer.body);
}

#[test]
fn another_sites_requests_are_refused() {
    let address = server();
    let evil = raw(address, "GET /api/stats HTTP/1.1\nHost: evil.example", b"");
    assert_eq!(evil.status, 403);
    assert!(
        evil.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("evil.example")
    );
    let rebound = raw(address, "GET / HTTP/1.1\nHost: evil.example:7474", b"");
    assert_eq!(rebound.status, 403);
    let body = r#"{"query": "RETURN 1"}"#;
    let cross = raw(
        address,
        &format!(
            "POST /api/query HTTP/1.1\nHost: {address}\nOrigin: https://evil.example\nContent-Type: text/plain\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    );
    assert_eq!(cross.status, 403);
    let own = raw(
        address,
        &format!(
            "POST /api/query HTTP/1.1\nHost: {address}\nOrigin: http://{address}\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    );
    assert_eq!(own.status, 200, "{}", own.body);
    let localhost = raw(
        address,
        &format!(
            "GET /api/stats HTTP/1.1\nHost: localhost:{}",
            address.port()
        ),
        b"",
    );
    assert_eq!(localhost.status, 200);
}

#[test]
fn no_path_reaches_a_file() {
    for path in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/vendor/../../Cargo.toml",
        "/assets/index.html",
        "//etc/passwd",
        "/src/serve/mod.rs",
    ] {
        let answer = get(server(), path);
        assert_eq!(answer.status, 404, "{path}");
        assert!(!answer.body.contains("root:"), "{path}");
    }
    let api = get(server(), "/api/../../etc/passwd");
    assert_eq!(api.status, 404);
    let unknown = get(server(), "/api/nothing");
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("http-api.md")
    );
}

#[test]
fn a_body_of_100_mb_is_refused() {
    let big = vec![b' '; 100 << 20];
    let head = format!(
        "POST /api/query HTTP/1.1\nHost: {}\nContent-Type: application/json\nContent-Length: {}",
        server(),
        big.len()
    );
    let answer = raw(server(), &head, &big);
    assert_eq!(answer.status, 413);
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("larger than")
    );
    assert_eq!(get(server(), "/api/stats").status, 200);
}

#[test]
fn the_page_and_its_library_are_served_from_the_binary() {
    let page = get(server(), "/");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'self'")
    );
    assert!(page.body.contains("/vendor/cytoscape.min.js"));
    let library = get(server(), "/vendor/cytoscape.min.js");
    assert_eq!(library.status, 200);
    assert!(library.body.len() > 100_000);
    assert!(
        get(server(), "/vendor/LICENSE-cytoscape.txt")
            .body
            .contains("Cytoscape Consortium")
    );
}
