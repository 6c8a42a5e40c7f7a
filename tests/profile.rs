//! `EXPLAIN` and `PROFILE` as statement prefixes: the plans of a few statements on the built-in
//! dataset pinned by snapshots, each operator's rows in a profiled run, and which of the two
//! writes.

use alliances::query::{self, OperatorProfile, Params, QueryResult, ast::Mode};

fn run(graph: &mut alliances::Graph, text: &str) -> QueryResult {
    let mut results =
        query::execute_mut(graph, text, &Params::new()).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(results.len(), 1, "{text}");
    results.remove(0)
}

fn count(graph: &mut alliances::Graph, text: &str) -> u64 {
    match &run(graph, text).rows[0][0] {
        query::ResultValue::Int(n) => u64::try_from(*n).unwrap(),
        other => panic!("{text} gave {other:?}"),
    }
}

fn explained(text: &str) -> String {
    let mut graph = alliances::default_graph();
    let result = run(&mut graph, text);
    assert!(result.rows.is_empty(), "an EXPLAIN returns no rows");
    assert!(result.profile.is_none());
    result
        .plan
        .expect("an EXPLAIN carries its plan")
        .to_string()
}

/// Each operator's name and rows, in order; every timed operator has its time.
fn profiled(graph: &mut alliances::Graph, text: &str) -> (QueryResult, Vec<(String, u64)>) {
    let result = run(graph, text);
    assert!(result.plan.is_none());
    let profile = result
        .profile
        .clone()
        .expect("a PROFILE carries its profile");
    assert_eq!(profile.rows, result.rows.len() as u64);
    assert!(profile.time > std::time::Duration::ZERO);
    let untimed = ["Distinct", "Skip", "Limit", "Union", "UnionAll"];
    for OperatorProfile {
        name, detail, time, ..
    } in &profile.operators
    {
        let where_of_with = name == "Filter" && time.is_none();
        assert_eq!(
            time.is_none(),
            untimed.contains(&name.as_str()) || where_of_with,
            "{name} {detail}: {time:?}"
        );
    }
    let rows = profile
        .operators
        .iter()
        .map(|o| (format!("{}{}", "  ".repeat(o.depth), o.name), o.rows))
        .collect();
    (result, rows)
}

fn owned(rows: &[(&str, u64)]) -> Vec<(String, u64)> {
    rows.iter().map(|(n, r)| ((*n).to_owned(), *r)).collect()
}

#[test]
fn explain_shows_the_plan_of_a_search_with_aggregation() {
    insta::assert_snapshot!(
        "explain_members_by_consortium",
        explained(
            "EXPLAIN MATCH (c:Company)-[:MEMBER_OF]->(k:Consortium) WHERE c.country = 'US' \
             RETURN k.name AS consortium, count(*) AS members ORDER BY members DESC LIMIT 3"
        )
    );
}

#[test]
fn explain_shows_index_lookups_optional_matches_and_list_steps() {
    insta::assert_snapshot!(
        "explain_lookup_optional_unwind",
        explained(
            "explain MATCH (i {id: 'intel'}) OPTIONAL MATCH (i)<-[r:INVESTS_IN]-(f) \
             WITH i, f UNWIND [1, 2] AS x WITH DISTINCT f.name AS investor WHERE investor IS NOT NULL \
             RETURN investor SKIP 1 LIMIT 5"
        )
    );
}

#[test]
fn explain_shows_a_subquery_beneath_its_call_and_the_parts_of_a_union() {
    insta::assert_snapshot!(
        "explain_subquery_union",
        explained(
            "EXPLAIN MATCH (c:Consortium) CALL { WITH c MATCH (c)<-[:MEMBER_OF]-(m) RETURN count(m) AS n } \
             RETURN c.name AS name, n UNION ALL RETURN 'none' AS name, 0 AS n"
        )
    );
}

#[test]
fn explain_shows_the_writing_clauses_without_running_them() {
    let text = "EXPLAIN MERGE (z:Company {name: 'Zed Chips'}) SET z.country = 'US' \
                CREATE (y:Company {name: 'Why Chips'})-[:SUPPLIES {source: 'x'}]->(z) RETURN y.name";
    insta::assert_snapshot!("explain_writes", explained(text));
    let mut graph = alliances::default_graph();
    let before = (graph.node_count(), graph.edge_count());
    let result = run(&mut graph, text);
    assert!(result.changes.is_empty(), "{}", result.changes);
    assert_eq!((graph.node_count(), graph.edge_count()), before);
}

#[test]
fn profile_counts_the_rows_of_each_step_of_a_list_query() {
    let mut graph = alliances::default_graph();
    let (result, rows) = profiled(
        &mut graph,
        "PROFILE UNWIND range(1, 10) AS x WITH x WHERE x % 2 = 0 \
         RETURN x ORDER BY x DESC SKIP 1 LIMIT 2",
    );
    assert_eq!(result.rows.len(), 2);
    assert_eq!(result.rows[0][0].to_string(), "8");
    // The WITH's WHERE keeps 2, 4, 6, 8, 10; the sort hands on 10 (skipped), 8 and 6.
    assert_eq!(
        rows,
        owned(&[
            ("Unwind", 10),
            ("Projection", 10),
            ("Filter", 5),
            ("Projection", 5),
            ("Top", 3),
            ("Skip", 2),
            ("Limit", 2),
        ])
    );
}

#[test]
fn profile_counts_the_rows_of_each_step_of_a_pattern_search() {
    let mut graph = alliances::default_graph();
    let consortia = count(&mut graph, "MATCH (k:Consortium) RETURN count(*)");
    let memberships = count(
        &mut graph,
        "MATCH (c:Company)-[:MEMBER_OF]->(k:Consortium) RETURN count(*)",
    );
    let us = count(
        &mut graph,
        "MATCH (c:Company)-[:MEMBER_OF]->(k:Consortium) WHERE c.country = 'US' RETURN count(*)",
    );
    let with_us = count(
        &mut graph,
        "MATCH (c:Company)-[:MEMBER_OF]->(k:Consortium) WHERE c.country = 'US' \
         RETURN count(DISTINCT k)",
    );
    assert!(us > 1 && us < memberships && with_us > 1, "{us} {with_us}");
    let (result, rows) = profiled(
        &mut graph,
        "PROFILE MATCH (c:Company)-[:MEMBER_OF]->(k:Consortium) WHERE c.country = 'US' \
         RETURN k.name AS consortium, count(*) AS members ORDER BY members DESC LIMIT 1",
    );
    assert_eq!(result.rows.len(), 1);
    assert_eq!(
        rows,
        owned(&[
            // The search starts at the fewer consortia and goes right to left.
            ("NodeByLabelScan", consortia),
            ("Expand(All)", memberships),
            ("Filter", us),
            ("EagerAggregation", with_us),
            ("Top", 1),
            ("Limit", 1),
        ])
    );
}

#[test]
fn profile_counts_a_subquery_over_every_row_that_ran_it() {
    let mut graph = alliances::default_graph();
    let consortia = count(&mut graph, "MATCH (c:Consortium) RETURN count(*)");
    let members = count(
        &mut graph,
        "MATCH (c:Consortium)<-[:MEMBER_OF]-(m) RETURN count(*)",
    );
    let (_, rows) = profiled(
        &mut graph,
        "PROFILE MATCH (c:Consortium) CALL { WITH c MATCH (c)<-[:MEMBER_OF]-(m) RETURN count(m) AS n } \
         RETURN c.name AS name, n",
    );
    assert_eq!(
        rows,
        owned(&[
            ("NodeByLabelScan", consortia),
            ("CallSubquery", consortia),
            ("  Projection", consortia),
            ("  Argument", consortia),
            ("  Expand(All)", members),
            ("  EagerAggregation", consortia),
            ("Projection", consortia),
        ])
    );
}

#[test]
fn profile_of_a_create_writes_and_explain_of_it_does_not() {
    let mut graph = alliances::default_graph();
    let find = "MATCH (z {name: 'Zed Chips'}) RETURN count(z)";
    let create = "CREATE (z:Company {name: 'Zed Chips', country: 'US'}) RETURN z.name";
    let explained = run(&mut graph, &format!("EXPLAIN {create}"));
    assert!(explained.changes.is_empty());
    assert_eq!(count(&mut graph, find), 0);
    let (result, rows) = profiled(&mut graph, &format!("PROFILE {create}"));
    assert_eq!(result.changes.nodes_created, 1);
    assert_eq!(result.rows[0][0].to_string(), "\"Zed Chips\"");
    assert_eq!(rows, owned(&[("Create", 1), ("Projection", 1)]));
    assert_eq!(count(&mut graph, find), 1);
}

#[test]
fn the_prefixes_are_keywords_only_where_a_statement_begins() {
    let mut graph = alliances::default_graph();
    let result = run(&mut graph, "RETURN 'EXPLAIN' AS explain, 'PROFILE x' AS p");
    assert!(result.plan.is_none() && result.profile.is_none());
    assert_eq!(result.rows[0][0].to_string(), "\"EXPLAIN\"");
    let statements = query::parse(
        "Explain // the plan\n RETURN 1; profile\tRETURN 'explain'; RETURN 2; EXPLAINED RETURN 1",
    );
    assert!(statements.is_err(), "EXPLAINED is no prefix");
    let statements = query::parse("Explain // the plan\n RETURN 1; profile\tRETURN 2; RETURN 3")
        .expect("parses");
    let modes: Vec<Mode> = statements.iter().map(|s| s.mode).collect();
    assert_eq!(modes, [Mode::Explain, Mode::Profile, Mode::Run]);
}

#[test]
fn a_prepared_statement_can_be_explained_whatever_its_prefix() {
    let graph = alliances::default_graph();
    let text = "PROFILE MATCH (c:Company) RETURN c.name";
    let statements = query::parse(text).unwrap();
    let prepared = query::prepare(&graph, text, &statements[0]).unwrap();
    assert_eq!(prepared.mode(), Mode::Profile);
    let prepared = prepared.with_mode(Mode::Explain);
    let result = prepared.run(&graph, &Params::new()).unwrap();
    assert!(result.rows.is_empty());
    let plan = result.plan.expect("explained");
    assert_eq!(
        plan.operators
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>(),
        ["NodeByLabelScan", "Projection"]
    );
    assert_eq!(plan.operators[1].detail, "c.name");
}

#[test]
fn json_carries_the_plan_and_the_profile() {
    let mut graph = alliances::default_graph();
    let explain = run(&mut graph, "EXPLAIN MATCH (c:Company) RETURN count(*) AS n");
    let json: serde_json::Value = serde_json::from_str(&explain.to_json()).unwrap();
    assert_eq!(json["rows"], serde_json::json!([]));
    assert_eq!(json["plan"]["operators"][0]["name"], "NodeByLabelScan");
    assert_eq!(json["plan"]["operators"][1]["depth"], 0);
    assert!(json.get("profile").is_none());
    let profile = run(&mut graph, "PROFILE MATCH (c:Company) RETURN count(*) AS n");
    let json: serde_json::Value = serde_json::from_str(&profile.to_json()).unwrap();
    let n = json["rows"][0][0].as_u64().unwrap();
    let operators = &json["profile"]["operators"];
    assert_eq!(operators[0]["rows"].as_u64(), Some(n));
    assert_eq!(operators[1]["name"], "EagerAggregation");
    assert_eq!(operators[1]["rows"], 1);
    assert!(operators[0]["time_ms"].as_f64().is_some());
    assert_eq!(json["profile"]["rows"], 1);
    assert!(json["profile"]["time_ms"].as_f64().unwrap() > 0.0);
    assert!(json.get("plan").is_none());
    let plain = run(&mut graph, "MATCH (c:Company) RETURN count(*) AS n");
    assert_eq!(
        plain.to_json(),
        format!(r#"{{"columns":["n"],"rows":[[{n}]]}}"#)
    );
}

#[test]
fn the_table_of_a_profile_follows_the_rows() {
    let mut graph = alliances::default_graph();
    let table = run(&mut graph, "PROFILE MATCH (c:Company) RETURN count(*) AS n").to_table(None);
    let (rows, profile) = table.split_once("1 row\n").expect("the rows come first");
    assert!(rows.contains('n'), "{table}");
    let header = profile.lines().nth(1).unwrap();
    assert_eq!(
        header.split('|').map(str::trim).collect::<Vec<_>>()[1..5],
        ["Operator", "Details", "Rows", "Time"]
    );
    assert!(profile.contains("| NodeByLabelScan "), "{table}");
    assert!(profile.contains(" ms |"), "{table}");
    assert!(
        profile.trim_end().ends_with(" ms") || profile.trim_end().ends_with(" µs"),
        "{table}"
    );
}
