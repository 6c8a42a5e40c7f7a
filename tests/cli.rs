//! The binary end to end: exit statuses, where messages go, and what a user reads.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "common/binary.rs"]
mod binary;
use binary::{alliances, piped_with, text};

fn piped(input: &str) -> Output {
    piped_with(&[], input)
}

/// Writes `nodes.csv` and `edges.csv` into `dir`; returns their paths.
fn write_csv(dir: &Path, nodes: &str, edges: &str) -> (PathBuf, PathBuf) {
    let paths = (dir.join("nodes.csv"), dir.join("edges.csv"));
    std::fs::write(&paths.0, nodes).unwrap();
    std::fs::write(&paths.1, edges).unwrap();
    paths
}

#[test]
fn check_accepts_the_default_dataset() {
    let out = alliances(&[
        "check",
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/ai-infrastructure.toml"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("valid (33 entities, 52 relationships, 30 sources)"));
}

#[test]
fn check_rejects_a_bad_file_with_located_messages_on_stderr() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cases/invalid/18_five_mistakes.toml"
    );
    let out = alliances(&["check", file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("error[").count(), 5, "{stderr}");
    assert!(stderr.contains("18_five_mistakes.toml:24:8"), "{stderr}");
}

#[test]
fn check_reports_a_missing_file() {
    let out = alliances(&["check", "/no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read /no/such/file.toml"));
}

#[test]
fn stats_counts_entities_and_relationships_by_type() {
    let out = alliances(&["stats"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    for line in [
        "entities",
        "Company",
        "Consortium",
        "INVESTS_IN",
        "MEMBER_OF",
        "SUPPLIES",
        "sources",
    ] {
        assert!(stdout.contains(line), "{line} missing from:\n{stdout}");
    }
    let entities: usize = stdout
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .parse()
        .unwrap();
    assert!(entities >= 27);
}

#[test]
fn stats_reads_a_csv_bulk_import() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, edges) = write_csv(
        dir.path(),
        "id,name,kind,country,sector\na,A,fund,,\nb,B,company,,\n",
        "from,to,type,amount_usd,date,stake_pct\na,b,INVESTS_IN,5,,\n",
    );
    let out = alliances(&[
        "stats",
        "--nodes",
        nodes.to_str().unwrap(),
        "--edges",
        edges.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("relationships citing no source"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.trim_start().starts_with("INVESTS_IN") && l.ends_with(" 1"))
    );
}

#[test]
fn a_csv_import_saved_as_a_snapshot_opens_as_data_before_or_after_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, edges) = write_csv(
        dir.path(),
        "id,name,kind,country,sector\na,Alpha Fund,fund,FR,\nb,Beta Chips,company,US,chips\n",
        "from,to,type,amount_usd,date,stake_pct\na,b,INVESTS_IN,5000000,2025-03,12.5\n",
    );
    let snapshot = dir.path().join("graph.alliances");
    let script = dir.path().join("save.cypher");
    std::fs::write(&script, format!(":save {}\n", snapshot.display())).unwrap();
    let out = alliances(&[
        "--nodes",
        nodes.to_str().unwrap(),
        "--edges",
        edges.to_str().unwrap(),
        "--file",
        script.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let query =
        "MATCH (a {name: 'Alpha Fund'})-[r]->(b) RETURN b.id, r.amount_usd, r.date, r.stake_pct";
    let want = "b.id,r.amount_usd,r.date,r.stake_pct\nb,5000000,2025-03,12.5\n";
    for args in [
        vec![
            "query",
            "--data",
            snapshot.to_str().unwrap(),
            "--format",
            "csv",
            query,
        ],
        vec![
            "--data",
            snapshot.to_str().unwrap(),
            "query",
            "--format",
            "csv",
            query,
        ],
    ] {
        let out = alliances(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), want);
    }
    let both = alliances(&["--data", "a.toml", "stats", "--data", "b.toml"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(text(&both.stderr).contains("give them once"));
    let no_graph = alliances(&["--data", "a.toml", "check", "b.toml"]);
    assert_eq!(no_graph.status.code(), Some(2));
    assert!(text(&no_graph.stderr).contains("do not apply"));

    let toml = concat!(env!("CARGO_MANIFEST_DIR"), "/data/ai-infrastructure.toml");
    let together = alliances(&["check", snapshot.to_str().unwrap(), toml]);
    assert_eq!(together.status.code(), Some(1));
    assert!(text(&together.stderr).contains("opens alone"));

    // A damaged snapshot is refused with the byte where reading stopped.
    let mut bytes = std::fs::read(&snapshot).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&snapshot, &bytes).unwrap();
    let out = alliances(&["stats", "--data", snapshot.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("graph.alliances: at byte"), "{stderr}");
    assert!(stderr.contains("damaged"), "{stderr}");
}

#[test]
fn a_usage_error_exits_2() {
    let out = alliances(&["stats", "--nodes", "only-nodes.csv"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn piped_meta_commands_run_without_a_prompt() {
    let out = piped(":stats\n:quit\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("entities"),
        "no banner or prompt when piped: {stdout}"
    );
}

#[test]
fn a_bad_piped_line_exits_1_with_the_error_on_stderr() {
    let out = piped(":stat\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("did you mean \":stats\""));
}

#[test]
fn the_readme_tour_shows_what_the_binary_prints() {
    let readme = include_str!("../README.md");
    let block = readme
        .split("$ alliances stats\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README shows `alliances stats`");
    let out = alliances(&["stats"]);
    assert_eq!(text(&out.stdout), block, "update the README's tour");
}

/// Every `$ alliances query ...` in the README, with the lines that follow it up to the end
/// of its block.
fn readme_queries() -> Vec<(String, String)> {
    let readme = include_str!("../README.md");
    let mut examples = Vec::new();
    for block in readme.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap_or("");
        let mut lines = block.lines();
        let Some(command) = lines
            .next()
            .and_then(|l| l.strip_prefix("$ alliances query "))
        else {
            continue;
        };
        let expected: String = lines.map(|l| format!("{l}\n")).collect();
        examples.push((command.to_owned(), expected));
    }
    examples
}

#[test]
fn the_readme_questions_give_what_the_readme_shows() {
    let examples = readme_queries();
    assert!(examples.len() >= 5, "the README tour asks questions");
    for (command, expected) in examples {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "'{}' query {command}",
                env!("CARGO_BIN_EXE_alliances")
            ))
            .output()
            .expect("sh runs");
        // Results are on stdout; a failing example shows its error, which is on stderr.
        let shown = if out.stdout.is_empty() {
            text(&out.stderr)
        } else {
            text(&out.stdout)
        };
        assert_eq!(shown, expected, "update the README for: {command}");
    }
}

#[test]
fn query_prints_json_lines_and_exits_0() {
    let out = alliances(&[
        "query",
        "--format",
        "json",
        "MATCH (c:Company {name: 'Intel'}) RETURN c.id AS id; RETURN 1 AS one",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\"columns\":[\"id\"],\"rows\":[[\"intel\"]]}\n{\"columns\":[\"one\"],\"rows\":[[1]]}\n"
    );
}

#[test]
fn query_json_shows_nodes_relationships_and_paths() {
    let out = alliances(&[
        "query",
        "--format",
        "json",
        "MATCH p = (a {id: 'us-government'})-[r:INVESTS_IN]->(b {id: 'intel'}) RETURN b, r, p",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    let row = &value["rows"][0];
    assert_eq!(row[0]["labels"], serde_json::json!(["Company"]));
    assert_eq!(row[0]["properties"]["name"], "Intel");
    assert_eq!(row[1]["type"], "INVESTS_IN");
    assert_eq!(row[1]["start"], "us-government");
    assert_eq!(row[1]["end"], "intel");
    assert_eq!(row[1]["properties"]["amount_usd"], 8_900_000_000_i64);
    assert_eq!(row[1]["properties"]["date"], "2025-08-22");
    assert_eq!(row[2]["nodes"].as_array().map(Vec::len), Some(2));
    assert_eq!(row[2]["relationships"][0]["type"], "INVESTS_IN");
}

#[test]
fn query_csv_has_a_header_and_raw_values() {
    let out = alliances(&[
        "query",
        "--format",
        "csv",
        "MATCH (i)-[r:INVESTS_IN]->(c {name: 'Intel'}) RETURN i.name AS investor, r.amount_usd AS usd, r.date AS date ORDER BY usd DESC LIMIT 1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "investor,usd,date\nUS government,8900000000,2025-08-22\n"
    );
}

#[test]
fn qualified_and_foreign_amounts_are_plain_numbers_in_json_and_csv() {
    let statement = "MATCH (a)-[r:INVESTS_IN]->(b) WHERE (a.name = 'Nvidia' AND b.name = 'OpenAI') OR (a.name = 'ASML' AND b.name = 'Mistral AI') RETURN a.name, r.amount_usd, r.amount ORDER BY a.name";
    let table = alliances(&["query", statement]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    let lines: Vec<String> = text(&table.stdout)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(
        lines.contains(&"│ ASML ┆ ┆ €1.3B │".to_owned()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"│ Nvidia ┆ ≤ $100B ┆ │".to_owned()),
        "{lines:#?}"
    );

    let json = alliances(&["query", "--format", "json", statement]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    let value: serde_json::Value = serde_json::from_str(text(&json.stdout).trim()).unwrap();
    assert_eq!(
        value["rows"],
        serde_json::json!([
            ["ASML", null, 1_300_000_000_i64],
            ["Nvidia", 100_000_000_000_i64, null]
        ])
    );
    assert_eq!(
        value["columns"],
        serde_json::json!(["a.name", "r.amount_usd", "r.amount"])
    );

    let csv = alliances(&["query", "--format", "csv", statement]);
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
    assert_eq!(
        text(&csv.stdout),
        "a.name,r.amount_usd,r.amount\nASML,,1300000000\nNvidia,100000000000,\n"
    );
}

#[test]
fn query_takes_parameters_in_literal_syntax() {
    let out = alliances(&[
        "query",
        "--format",
        "csv",
        "--param",
        "name='Intel'",
        "--param",
        "min=3B",
        "MATCH (i)-[r:INVESTS_IN]->(c {name: $name}) WHERE r.amount_usd >= $min RETURN i.name",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "i.name\nUS government\nNvidia\n");
}

#[test]
fn query_reads_a_script_file_and_names_the_failing_statement() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("questions.cypher");
    std::fs::write(
        &script,
        "// three questions\nRETURN 1 AS a;\nMATCH (n) RETURN n.nme, n.name - 1 AS b;\nRETURN 3 AS c;\n",
    )
    .unwrap();
    let out = alliances(&[
        "query",
        "--format",
        "csv",
        "--file",
        script.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "a\n1\n",
        "the statement before the failure ran"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("statement 2 of 3 failed"), "{stderr}");
    assert!(
        stderr.contains("did you mean \"name\"?"),
        "a warning for the unknown key: {stderr}"
    );
}

#[test]
fn query_errors_exit_1_and_usage_errors_exit_2() {
    let syntax = alliances(&["query", "MATCH (n RETURN n"]);
    assert_eq!(syntax.status.code(), Some(1));
    assert!(
        text(&syntax.stderr)
            .starts_with("syntax error at line 1, column 7: this `(` is never closed"),
        "{}",
        text(&syntax.stderr)
    );
    assert!(syntax.stdout.is_empty());

    let usage = alliances(&["query", "--format", "xml", "RETURN 1"]);
    assert_eq!(usage.status.code(), Some(2));

    let bad_param = alliances(&["query", "--param", "x", "RETURN $x"]);
    assert_eq!(bad_param.status.code(), Some(2));
    assert!(text(&bad_param.stderr).contains("NAME=VALUE"));

    let missing = alliances(&["query", "--data", "/nonexistent.toml", "RETURN 1"]);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn query_runs_on_data_files_and_csv_imports() {
    let data = alliances(&[
        "query",
        "--data",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/queries/data/fixture.toml"
        ),
        "--format",
        "csv",
        "MATCH (n) RETURN count(n) AS n",
    ]);
    assert_eq!(data.status.code(), Some(0), "{}", text(&data.stderr));
    assert_eq!(text(&data.stdout), "n\n7\n");

    let dir = tempfile::tempdir().unwrap();
    let (nodes, edges) = write_csv(
        dir.path(),
        "id,name,kind,country,sector\nc1,One,company,US,ai\nc2,Two,company,FR,ai\n",
        "from,to,type,amount_usd,date,stake_pct\nc1,c2,INVESTS_IN,5e6,2024-01,\n",
    );
    let csv = alliances(&[
        "query",
        "--nodes",
        nodes.to_str().unwrap(),
        "--edges",
        edges.to_str().unwrap(),
        "--format",
        "csv",
        "MATCH (a)-[r]->(b) RETURN a.name, r.amount_usd, b.name",
    ]);
    assert_eq!(csv.status.code(), Some(0), "{}", text(&csv.stderr));
    assert_eq!(
        text(&csv.stdout),
        "a.name,r.amount_usd,b.name\nOne,5000000,Two\n"
    );
}

#[test]
fn explain_names_the_index_a_search_starts_from() {
    let out = alliances(&[
        "query",
        "--explain",
        "MATCH (i)-[r:INVESTS_IN]->(c {name: 'Intel'}) RETURN i.name",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("start at (c {name: 'Intel'}) through the name index"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn explain_shows_counts_by_type_read_from_the_store_not_scanned() {
    let plan = |query: &str| {
        let out = alliances(&["query", "--explain", query]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let counted = plan("MATCH ()-[r]->() RETURN type(r), count(*)");
    assert!(
        counted.contains("from the store's counts, no scan"),
        "{counted}"
    );
    for scanned in [
        "MATCH ()-[r]->() WHERE r.amount_usd > 0 RETURN type(r), count(*)",
        "MATCH (:Fund)-[r]->() RETURN type(r), count(*)",
        "MATCH ()-[r]-() RETURN type(r), count(*)",
        "MATCH (a)-[r]->() RETURN a.id, count(*)",
        "MATCH ()-[r]->() RETURN type(r), count(DISTINCT r)",
    ] {
        let plan = plan(scanned);
        assert!(!plan.contains("store's counts"), "{scanned}: {plan}");
    }
}

#[test]
fn the_shell_runs_query_lines_from_a_pipe() {
    let out =
        piped("MATCH (c {name: \"Intel\"})<-[:INVESTS_IN]-(i) RETURN count(i) AS investors\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("│         3 │"),
        "{}",
        text(&out.stdout)
    );

    let bad = piped("RETURN nope;\n:stats\n");
    assert_eq!(
        bad.status.code(),
        Some(1),
        "a failed statement fails the script"
    );
    assert!(text(&bad.stderr).contains("the variable `nope` is not defined"));
    assert!(bad.stdout.is_empty(), "the script stops at the failure");
}

#[test]
fn the_shell_creates_saves_and_a_new_process_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("x.toml");
    let out = piped(&format!(
        "CREATE (:Company {{name: \"Aleph Alpha\", country: \"DE\"}});\n\
         MATCH (m {{name: \"Aleph Alpha\"}}), (n {{name: \"Nvidia\"}}) CREATE (n)-[:INVESTS_IN {{amount_usd: 1B, date: period(\"2025-09\"), sources: [\"brief-2025-10\"]}}]->(m);\n\
         :save {}\n",
        saved.display()
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("created 1 node"));
    assert!(text(&out.stdout).contains("created 1 relationship"));

    let check = alliances(&["check", saved.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));

    let seen = alliances(&[
        "query",
        "--data",
        saved.to_str().unwrap(),
        "--format",
        "csv",
        "MATCH (n {name: 'Nvidia'})-[r:INVESTS_IN]->(m {name: 'Aleph Alpha'}) RETURN m.id, m.country, r.amount_usd, r.date",
    ]);
    assert_eq!(seen.status.code(), Some(0), "{}", text(&seen.stderr));
    assert_eq!(
        text(&seen.stdout),
        "m.id,m.country,r.amount_usd,r.date\naleph-alpha,DE,1000000000,2025-09\n"
    );
}

#[test]
fn query_write_saves_back_and_a_failure_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.toml");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/queries/data/fixture.toml"
        ),
        &file,
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let count = |name: &str| {
        let out = alliances(&[
            "query",
            "--data",
            path,
            "--format",
            "csv",
            &format!("MATCH (n {{name: '{name}'}}) RETURN count(n) AS n"),
        ]);
        text(&out.stdout)
    };

    let failing = alliances(&[
        "query",
        "--data",
        path,
        "--write",
        "CREATE (:Company {name: 'Kept'}); MATCH (n {id: 'beta'}) DELETE n",
    ]);
    assert_eq!(failing.status.code(), Some(1));
    assert!(text(&failing.stderr).contains("statement 2 of 2 failed"));
    assert!(text(&failing.stderr).contains("nothing was saved"));
    assert_eq!(count("Kept"), "n\n0\n");

    let going_on = alliances(&[
        "query",
        "--data",
        path,
        "--write",
        "--continue-on-error",
        "CREATE (:Company {name: 'Kept'}); MATCH (n {id: 'beta'}) DELETE n; CREATE (:Fund {name: 'Also Kept'})",
    ]);
    assert_eq!(going_on.status.code(), Some(1), "a statement failed");
    assert!(text(&going_on.stderr).contains("saved to"));
    assert_eq!(count("Kept"), "n\n1\n");
    assert_eq!(count("Also Kept"), "n\n1\n");

    let unsaved = alliances(&["query", "--data", path, "CREATE (:Company {name: 'Lost'})"]);
    assert_eq!(unsaved.status.code(), Some(0));
    assert!(text(&unsaved.stderr).contains("add --write to save them"));
    assert_eq!(count("Lost"), "n\n0\n");

    let check = alliances(&["check", path]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
}

#[test]
fn the_open_schema_allows_free_labels_and_types() {
    // `Person` is a kind of the alliance vocabulary; `Planet` is not.
    let refused = alliances(&["query", "CREATE (:Planet {name: 'Ada'})"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("--schema open"));
    let open = alliances(&[
        "query",
        "--schema",
        "open",
        "--format",
        "csv",
        "CREATE (a:Person {name: 'Ada'})-[:KNOWS]->(b:Person {name: 'Bob'}) RETURN a.name, b.name",
    ]);
    assert_eq!(open.status.code(), Some(0), "{}", text(&open.stderr));
    assert_eq!(text(&open.stdout), "a.name,b.name\nAda,Bob\n");
}

#[test]
fn piped_statements_span_lines_until_a_semicolon() {
    let out = piped(
        "MATCH (c:Consortium)<-[:MEMBER_OF]-(m)\nRETURN c.name, count(m) AS members\nORDER BY c.name;\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("│ AIP      ┆       8 │"), "{stdout}");
    assert!(stdout.contains("│ Stargate ┆       7 │"), "{stdout}");
    assert!(stdout.contains("2 rows"), "{stdout}");
    assert!(!stdout.contains("alliances>"), "no prompt when piped");
}

#[test]
fn the_acceptance_pipe_counts_and_a_bad_statement_exits_1() {
    let out = piped("MATCH (n) RETURN count(n);\n");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("33"), "{}", text(&out.stdout));
    let bad = piped("MATCH (n RETURN n;\n");
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("syntax error at line 1, column 7"));
    assert!(bad.stdout.is_empty());
}

#[test]
fn continue_on_error_runs_the_rest_and_still_fails() {
    let out = piped_with(&["--continue-on-error"], "RETURN nope;\nRETURN 1 AS one;\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("one"), "{}", text(&out.stdout));
}

#[test]
fn a_script_file_runs_like_piped_input() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("s.cypher");
    std::fs::write(
        &script,
        ":format csv\nMATCH (c {name: 'Intel'})\nRETURN c.id;\n",
    )
    .unwrap();
    let out = alliances(&["--file", script.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "c.id\nintel\n");
}

#[test]
fn help_lists_every_command_the_shell_runs() {
    let out = piped(":help\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let help = text(&out.stdout);
    let lines = [
        ":owners Intel",
        ":holdings BlackRock",
        ":common Microsoft Nvidia",
        ":stats",
        ":params",
    ];
    for line in lines {
        let command = line.split(' ').next().unwrap();
        assert!(
            help.contains(&format!("\n  {command} ")),
            "{command} runs but :help does not list it:\n{help}"
        );
        let ran = piped(&format!("{line}\n"));
        assert_eq!(ran.status.code(), Some(0), "{line}: {}", text(&ran.stderr));
    }
}

#[test]
fn meta_commands_from_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("g.json");
    let out = piped(&format!(
        ":help\n:help match\n:help toLower\n:schema\n:timing off\n:format json\n:param min 5B\n:params\n\
         MATCH (i)-[r:INVESTS_IN]->(t) WHERE r.amount_usd > $min RETURN count(*) AS big;\n\
         :save {}\n:load {}\n:format csv\nMATCH (n) RETURN count(n) AS n;\n:clear\n:quit\nRETURN 'not reached';\n",
        saved.display(),
        saved.display()
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for wanted in [
        "Commands:",
        ":schema",
        "MATCH pattern",
        "toLower() is a function",
        "labels:",
        "INVESTS_IN",
        "$min = 5000000000",
        "{\"columns\":[\"big\"],\"rows\":[[6]]}",
        "n\n33\n",
    ] {
        assert!(stdout.contains(wanted), "missing {wanted:?} in:\n{stdout}");
    }
    let stderr = text(&out.stderr);
    for notice in ["saved to", "opened 33 nodes and 52 relationships"] {
        assert!(stderr.contains(notice), "missing {notice:?} in:\n{stderr}");
    }
    assert!(!stdout.contains("not reached"));

    let unknown = piped(":shema\n");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown.stderr).contains("did you mean \":schema\"?"));
}

#[test]
fn the_shell_imports_csv_and_keeps_the_old_graph_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, edges) = write_csv(
        dir.path(),
        "id,name,kind,country,sector\nc1,One,company,US,ai\nc2,Two,company,FR,ai\n",
        "from,to,type,amount_usd,date,stake_pct\nc1,c2,INVESTS_IN,5e6,2024-01,\n",
    );
    let out = piped(&format!(
        ":import {} {}\n:format csv\nMATCH (a)-[r]->(b) RETURN a.name, r.amount_usd, b.name;\n:import {} /nonexistent.csv\nMATCH (n) RETURN count(n) AS n;\n",
        nodes.display(),
        edges.display(),
        nodes.display()
    ));
    assert_eq!(out.status.code(), Some(1), "the second import fails");
    let stdout = text(&out.stdout);
    assert!(
        text(&out.stderr).contains("opened 2 nodes and 1 relationship\n"),
        "{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("One,5000000,Two"), "{stdout}");
    assert!(
        text(&out.stderr).contains("/nonexistent.csv"),
        "{}",
        text(&out.stderr)
    );

    let kept = piped_with(
        &["--continue-on-error"],
        &format!(
            ":import {} /nonexistent.csv\n:format csv\nMATCH (n) RETURN count(n) AS n;\n",
            nodes.display()
        ),
    );
    assert!(
        text(&kept.stdout).contains("n\n33\n"),
        "the built-in graph is still open: {}",
        text(&kept.stdout)
    );
}

#[test]
fn the_shell_imports_a_mapped_csv_into_a_database_and_refuses_a_bad_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.toml");
    let firms = dir.path().join("firms.csv");
    std::fs::write(&firms, "Name,Code\nMapped One,m1\nMapped Two,m2\n").unwrap();
    let script = format!(
        ":import csv {f} --map name=Name --map fixed.kind=company --accept-losses\n:import csv {f} --map\n:import csv {f} --map name=Nmae\n",
        f = firms.display()
    );
    let out = piped_with(
        &[
            "--db",
            db.to_str().unwrap(),
            "--from-default",
            "--continue-on-error",
        ],
        &script,
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("imported into the database"), "{stderr}");
    assert!(stderr.contains("--map takes FIELD=COLUMN"), "{stderr}");
    assert!(
        stderr.contains("\"Nmae\""),
        "the unknown column is named: {stderr}"
    );
    // The import is in the database's file: a new process sees it, its free column kept.
    let out = alliances(&[
        "query",
        "--format",
        "csv",
        "--db",
        db.to_str().unwrap(),
        "MATCH (n:Company) WHERE n.name STARTS WITH 'Mapped' RETURN n.name, n.code ORDER BY n.name",
    ]);
    assert_eq!(
        text(&out.stdout),
        "n.name,n.code\nMapped One,m1\nMapped Two,m2\n",
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn path_answers_with_readable_chains() {
    let out = alliances(&["path", "BlackRock", "Intel"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "1. BlackRock -[member-of, founding member, 2024-09]-> AIP <-[member-of, member, 2025-03-20]- Nvidia -[invests-in $5B, 2025-09-18]-> Intel  (3 hops)\n"
    );

    let three = alliances(&["path", "Amazon", "Nvidia", "--k", "3"]);
    let stdout = text(&three.stdout);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.starts_with("1. Amazon -[invests-in $4B, 2023-09-25]-> Anthropic <-[invests-in ≤ $10B, 2025-11-18]- Nvidia  (2 hops)"), "{stdout}");
    assert!(
        stdout.contains("3. Amazon -[supplies, AWS cloud"),
        "parallel relationships are distinct paths: {stdout}"
    );

    let explained = alliances(&["path", "Amazon", "Nvidia", "--explain"]);
    assert!(
        text(&explained.stdout)
            .contains("source: Amazon to invest up to $4B in Anthropic, Amazon (2023-09-25)"),
        "{}",
        text(&explained.stdout)
    );
}

/// What `path Keel Capital Quay Power --explain` prints over `tests/queries/data/sources.toml`.
const KEEL_TO_QUAY_EXPLAINED: &str = "\
1. Keel Capital -[invests-in $40M, 2025-02-10]-> Harbor Labs <-[supplies, power]- Quay Power  (2 hops)
  Keel Capital -[invests-in $40M, 2025-02-10]-> Harbor Labs
      source: Les puces de Harbor, La Gazette (2025-03) https://gazette.example/harbor
      source: Harbor Labs raises a Series B, Harbor Labs (2025-02-10) https://harbor.example/news/series-b
  Quay Power -[supplies, power]-> Harbor Labs
      source: Annual filing, Keel Capital (2024)
";

#[test]
fn path_explain_gives_each_legs_sources_with_publisher_date_and_url() {
    let out = alliances(&[
        "path",
        "Keel Capital",
        "Quay Power",
        "--explain",
        "--data",
        "tests/queries/data/sources.toml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), KEEL_TO_QUAY_EXPLAINED);

    let shell = piped(
        ":load tests/queries/data/sources.toml\n:path 'Keel Capital' 'Quay Power' --explain\n",
    );
    assert!(
        text(&shell.stdout).contains(KEEL_TO_QUAY_EXPLAINED),
        "{}\n{}",
        text(&shell.stdout),
        text(&shell.stderr)
    );
}

#[test]
fn path_explain_says_when_a_cited_source_is_not_defined() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("open.toml");
    std::fs::write(
        &file,
        "schema = \"open\"\n\
         [[node]]\nref = 1\nproperties = { name = \"A\" }\n\
         [[node]]\nref = 2\nproperties = { name = \"B\" }\n\
         [[relationship]]\ntype = \"LINK\"\nfrom = 1\nto = 2\n\
         properties = { sources = [\"nowhere\"] }\n",
    )
    .unwrap();
    let out = alliances(&[
        "path",
        "A",
        "B",
        "--explain",
        "--schema",
        "open",
        "--data",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "1. A -[LINK]-> B  (1 hop)\n  A -[LINK]-> B\n      source: nowhere (not a source this graph defines)\n"
    );
}

#[test]
fn sources_in_the_shell_lists_the_graphs_sources_or_those_an_entitys_ties_cite() {
    let out = piped(
        ":load tests/queries/data/sources.toml\n:sources\n:sources 'Keel Capital'\n:sources Quay\n",
    );
    assert_eq!(
        text(&out.stdout),
        "\
filing-2024        Keel Capital, 2024: Annual filing
gazette-2025-03    La Gazette, 2025-03: Les puces de Harbor  https://gazette.example/harbor
harbor-2025-02-10  Harbor Labs, 2025-02-10: Harbor Labs raises a Series B  https://harbor.example/news/series-b
3 sources
Keel Capital: 1 tie, citing 3 sources
  Keel Capital (its own fields)
      source: Annual filing, Keel Capital (2024)
  Keel Capital -[invests-in $40M, 2025-02-10]-> Harbor Labs
      source: Les puces de Harbor, La Gazette (2025-03) https://gazette.example/harbor
      source: Harbor Labs raises a Series B, Harbor Labs (2025-02-10) https://harbor.example/news/series-b
",
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr)
            .contains("error: no entity is called \"Quay\"; did you mean \"Quay Power\"?"),
        "{}",
        text(&out.stderr)
    );

    let built_in = piped(":sources Intel\n");
    let listing = text(&built_in.stdout);
    assert!(
        listing.starts_with("Intel: 3 ties, citing 4 sources\n"),
        "{listing}"
    );
    assert!(
        listing.contains(
            "  US government -[invests-in $8.9B, 9.9%, 2025-08-22]-> Intel\n      source: US government investment in Intel, Intel (2025-08-22)\n"
        ),
        "{listing}"
    );
}

#[test]
fn path_suggests_names_and_honours_its_options() {
    let unknown = alliances(&["path", "NVIDIA Corporation", "Intell"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("did you mean \"Intel\"?"),
        "{}",
        text(&unknown.stderr)
    );

    let cut = alliances(&["path", "BlackRock", "Intel", "--max-hops", "2"]);
    assert_eq!(cut.status.code(), Some(0));
    assert!(
        text(&cut.stdout)
            .contains("no path between BlackRock and Intel within 2 hops; a longer one exists"),
        "{}",
        text(&cut.stdout)
    );

    let directed = alliances(&["path", "Intel", "Nvidia", "--directed"]);
    assert!(
        text(&directed.stdout).starts_with("no path"),
        "{}",
        text(&directed.stdout)
    );

    let via = alliances(&[
        "path",
        "Amazon",
        "Nvidia",
        "--via",
        "invests-in",
        "--k",
        "5",
    ]);
    assert!(
        !text(&via.stdout).contains("supplies"),
        "{}",
        text(&via.stdout)
    );

    let bad_type = alliances(&["path", "Amazon", "Nvidia", "--via", "invest"]);
    assert_eq!(bad_type.status.code(), Some(2));
}

#[test]
fn the_shell_finds_paths_and_circular_deals() {
    let out = piped(":path \"NVIDIA Corporation\" Intel\n:cycles\n:cycles --max-len 2\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("1. Nvidia -[invests-in $5B, 2025-09-18]-> Intel  (1 hop)"),
        "{stdout}"
    );
    for pair in [
        ("Nvidia", "OpenAI"),
        ("Microsoft", "OpenAI"),
        ("Amazon", "Anthropic"),
    ] {
        let wanted = format!("{} -[invests-in", pair.0);
        assert!(
            stdout.lines().any(|l| l.contains(&wanted)
                && l.contains(&format!("{}  <-", pair.1).replace("  <-", " <-"))
                && l.ends_with("(2 legs)")),
            "no {pair:?} loop in:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("(4 legs)"),
        "the longest loop comes last: {stdout}"
    );
    assert!(
        stdout.contains("6 loops of money") && stdout.contains("5 loops of money"),
        "{stdout}"
    );
}

#[test]
fn the_shell_analyses_the_network() {
    let out = piped(
        ":top pagerank 3\n:top degree 2\n:top betweenness 1\n:owners Intel\n:holdings BlackRock\n:common Microsoft Nvidia\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for wanted in [
        "1. OpenAI                           0.108649",
        "1. OpenAI                           14",
        "1. AIP                              0.325000",
        "    9.9%  US government",
        "2 investments without a stake left out",
        "    100%  GIP",
        "1. OpenAI  shared by 2, $363B: Nvidia's investee $100B; Nvidia's customer; Microsoft's investee $13B; Microsoft's customer $250B",
        "3. AIP  shared by 2: Nvidia's consortium; Microsoft's consortium",
    ] {
        assert!(stdout.contains(wanted), "missing {wanted:?} in:\n{stdout}");
    }
    let bad = piped(":top pagerenk\n");
    assert!(text(&bad.stderr).contains("did you mean \"pagerank\"?"));
    let unknown = piped(":owners Intell\n");
    assert!(text(&unknown.stderr).contains("did you mean \"Intel\"?"));
}

#[test]
fn as_of_shows_the_graph_at_a_date() {
    let out = alliances(&[
        "query",
        "--as-of",
        "2024-12-31",
        "--format",
        "csv",
        "MATCH ()-[r]->() RETURN count(r) AS n",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "n\n19\n");
    assert!(text(&out.stderr).contains(
        "as of 2024-12-31: 33 relationships hidden (32 dated later, 1 ended, 0 cancelled); 2 relationships without a date kept"
    ));

    let path = alliances(&["path", "Amazon", "Nvidia", "--as-of", "2024-12-31"]);
    assert!(
        text(&path.stdout).starts_with("no path between Amazon and Nvidia"),
        "{}",
        text(&path.stdout)
    );

    let refused = alliances(&[
        "query", "--as-of", "2024", "--write", "--data", "x.toml", "RETURN 1",
    ]);
    assert_eq!(refused.status.code(), Some(2));

    let shell = piped(":asof 2024-12-31\n:cycles\nCREATE (:Company {name: 'X'});\n");
    assert_eq!(shell.status.code(), Some(1));
    assert!(
        text(&shell.stdout).contains("2 loops of money"),
        "{}",
        text(&shell.stdout)
    );
    assert!(text(&shell.stderr).contains("type :asof off before changing it"));

    let back =
        piped(":asof 2020\n:asof off\n:format csv\nMATCH ()-[r]->() RETURN count(r) AS n;\n");
    assert!(
        text(&back.stdout).contains("n\n52\n"),
        "{}",
        text(&back.stdout)
    );
}

#[test]
fn a_database_keeps_changes_and_readers_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("research.toml");
    let db = db.to_str().unwrap();
    let created = alliances(&[
        "query",
        "--db",
        db,
        "--from-default",
        "CREATE (:Company {name: 'Aleph Alpha'})",
    ]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created.stderr));
    assert!(text(&created.stderr).contains("created the database"));
    let read = alliances(&[
        "query",
        "--db",
        db,
        "--read-only",
        "--format",
        "csv",
        "MATCH (n) RETURN count(n) AS n",
    ]);
    assert_eq!(text(&read.stdout), "n\n34\n");
    let refused = alliances(&[
        "query",
        "--db",
        db,
        "--read-only",
        "CREATE (:Company {name: 'Nope'})",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("open for reading only"));
    let check = alliances(&["check", db]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "the database file is a valid data file: {}",
        text(&check.stderr)
    );
    let shell = piped_with(
        &["--db", db],
        "MATCH (n {name: 'Aleph Alpha'}) RETURN n.id;\n",
    );
    assert!(
        text(&shell.stdout).contains("aleph-alpha"),
        "{}",
        text(&shell.stdout)
    );
}

#[test]
fn a_write_that_breaks_load_rules_is_refused_and_the_database_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("y.toml");
    let db = db.to_str().unwrap();
    let created = alliances(&["--db", db, "--from-default"]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created.stderr));
    let count = || {
        let out = alliances(&[
            "query",
            "--db",
            db,
            "--format",
            "csv",
            "MATCH (n) RETURN count(n) AS n",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let before = count();

    let out = alliances(&[
        "query",
        "--db",
        db,
        r#"MATCH (a {name:"Microsoft"}),(b {name:"OpenAI"}) CREATE (a)-[:INVESTS_IN {stake_pct: 140, amount_usd: -16M, sources: ["no-such-source"]}]->(b)"#,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let headings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("rule broken"))
        .collect();
    assert_eq!(
        headings,
        [
            "rule broken [stake-out-of-range] at line 1, column 86: `stake_pct` is 140, outside 0–100",
            "rule broken [negative-amount] at line 1, column 103: `amount_usd` is negative (-16000000)",
            "rule broken [unknown-source] at line 1, column 118: the source \"no-such-source\" is not defined",
        ],
        "{stderr}"
    );
    assert!(stderr.contains("help: a stake is a percentage"), "{stderr}");
    assert_eq!(count(), before, "the database opens with what it held");
}

#[test]
fn a_script_error_names_the_file_and_its_line_in_both_script_modes() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("s.cypher");
    std::fs::write(
        &script,
        "RETURN 1 AS a;\nMATCH (n:Compny)\n  RETURN n;\n\n// a comment\nMATCH (n:Company)\nRETURN m.name;\n",
    )
    .unwrap();
    let name = script.display().to_string();
    for args in [vec!["--file", &name], vec!["query", "--file", &name]] {
        let out = alliances(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "error at {name}:7:8: the variable `m` is not defined"
            )),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("warning at {name}:2:7:")),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn json_output_in_the_shell_is_json_lines_only() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("g.toml");
    let out = piped(&format!(
        ":format json\n:timing on\nRETURN 1 AS a;\n:save {0}\n:load {0}\n:asof 2025\n:asof off\n\
         MATCH (n) RETURN count(n) AS n;\n:timing off\nRETURN 2 AS b;\n",
        saved.display()
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            r#"{"columns":["a"],"rows":[[1]]}"#,
            r#"{"columns":["n"],"rows":[[33]]}"#,
            r#"{"columns":["b"],"rows":[[2]]}"#,
        ],
        "stdout holds the results alone"
    );
    let stderr = text(&out.stderr);
    for notice in [
        "timing on",
        "saved to",
        "opened 33 nodes",
        "as of 2025",
        "timing off",
    ] {
        assert!(stderr.contains(notice), "{notice:?} on stderr: {stderr}");
    }
}

#[test]
fn path_finds_names_whatever_their_case_accents_and_spacing() {
    for (from, to) in [
        ("Nvidia", "open ai"),
        ("NVÍDIA", " OpenAI "),
        ("nvidia", "Open AI Group  PBC"),
    ] {
        let out = alliances(&["path", from, to]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{from} {to}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).contains("Nvidia -[invests-in ≤ $100B, 2025-09-22]-> OpenAI"),
            "{from} {to}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn an_unknown_name_suggests_each_entity_once() {
    let out = alliances(&["path", "Nvidia", "OpenAI Grp"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no entity is called \"OpenAI Grp\"; did you mean \"OpenAI\"?\n"),
        "{stderr}"
    );
}

/// Runs the binary where no file may grow (`ulimit -f 0`), so that every save fails part way.
#[cfg(unix)]
fn alliances_unable_to_write(dir: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_alliances"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

#[cfg(unix)]
#[test]
fn a_failed_save_names_the_target_file_not_its_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("g.toml");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/ai-infrastructure.toml"),
        &data,
    )
    .unwrap();
    let before = std::fs::read(&data).unwrap();
    for (args, target) in [
        (vec!["export", "dot", "-o", "map.dot"], "map.dot"),
        (
            vec![
                "query",
                "--data",
                "g.toml",
                "--write",
                "MATCH (n {name: 'Intel'}) SET n.note = 'x'",
            ],
            "g.toml",
        ),
    ] {
        let out = alliances_unable_to_write(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("cannot write {target}: ")),
            "{stderr}"
        );
        assert!(!stderr.contains(".alliances-save"), "{stderr}");
    }
    assert_eq!(
        std::fs::read(&data).unwrap(),
        before,
        "the old file is kept"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("g.toml")],
        "no temporary file is left"
    );
}

#[test]
fn explain_before_a_statement_in_the_shell_prints_its_plan() {
    let plan = alliances(&[
        "query",
        "--explain",
        "MATCH (c:Company {name: 'Intel'}) RETURN c.id",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan.stderr));
    let plan = text(&plan.stdout);
    assert!(!plan.is_empty());
    let out = piped(
        ":format csv\nEXPLAIN MATCH (c:Company {name: 'Intel'}) RETURN c.id;\n\
         explain // the plan only\n  CREATE (:Company {name: 'Zed Chips', country: 'US'});\n\
         MATCH (c {name: 'Zed Chips'}) RETURN count(c) AS zed;\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with(&plan), "{stdout}");
    assert!(
        !stdout.contains("intel\n"),
        "an explained statement does not run: {stdout}"
    );
    assert!(stdout.ends_with("zed\n0\n"), "{stdout}");
}

#[test]
fn profile_in_the_shell_prints_the_rows_then_each_operator_with_its_rows_and_time() {
    let out = piped(
        "PROFILE MATCH (k:Consortium {name: 'AIP'})<-[:MEMBER_OF]-(c:Company)\n\
         RETURN count(*) AS members;\n\
         profile CREATE (:Company {name: 'Zed Chips', country: 'US'});\n\
         MATCH (c {name: 'Zed Chips'}) RETURN count(c) AS zed;\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let rows = stdout.find("members").expect("the rows");
    let plan = stdout.find("| Operator ").expect("the profile");
    assert!(rows < plan, "{stdout}");
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {name} ")))
            .unwrap_or_else(|| panic!("no {name} in {stdout}"))
            .split('|')
            .map(str::trim)
            .collect::<Vec<_>>()
    };
    // | name | details | rows | time |
    assert_eq!(line("NodeIndexSeek")[3], "1", "{stdout}");
    assert_eq!(line("Expand(All)")[3], "5", "{stdout}");
    assert_eq!(line("EagerAggregation")[3], "1", "{stdout}");
    assert!(line("Expand(All)")[4].ends_with(" ms"), "{stdout}");
    assert!(stdout.contains("\n1 row in "), "{stdout}");
    // A profiled write is done.
    assert_eq!(line("Create")[3], "1", "{stdout}");
    assert!(stdout.contains("│   1 │"), "{stdout}");
}

#[test]
fn each_front_end_says_how_to_lift_a_bound_in_its_own_terms() {
    // The command line names its flags.
    let rows = alliances(&[
        "query",
        "--max-rows",
        "2",
        "UNWIND range(1, 5) AS x RETURN x",
    ]);
    assert!(
        text(&rows.stderr).contains("raise the row limit (--max-rows N)"),
        "{}",
        text(&rows.stderr)
    );
    let memory = alliances(&[
        "query",
        "--max-memory",
        "1",
        "RETURN size(range(1, 1000000))",
    ]);
    assert!(
        text(&memory.stderr).contains("raise the memory budget (--max-memory MB)"),
        "{}",
        text(&memory.stderr)
    );
    let param = alliances(&["query", "MATCH (n {id: $id}) RETURN n"]);
    assert!(
        text(&param.stderr).contains("(--param id=VALUE)"),
        "{}",
        text(&param.stderr)
    );

    // The shell names its commands, and `:set` bounds the session's later statements only.
    let shell = piped(
        "UNWIND range(1, 3) AS x RETURN count(*) AS n;\n:set max-rows 2\nUNWIND range(1, 5) AS x RETURN x;\n:set max-var-length 1\nMATCH ({name: 'BlackRock'})-[*]-(b) RETURN count(b) AS n;\nRETURN $who;\n",
    );
    let stderr = text(&shell.stderr);
    assert!(
        stderr.contains("raise the row limit (`:set max-rows N`)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("raise the hop limit (`:set max-var-length N`)"),
        "{stderr}"
    );
    assert!(stderr.contains("(`:param who VALUE`)"), "{stderr}");
    assert_eq!(
        stderr.matches("the answer stopped at").count(),
        1,
        "only the statement after :set is cut: {stderr}"
    );
}

#[test]
fn a_second_writer_is_told_the_flag_that_reads_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("held.toml");
    let db_arg = db.to_str().unwrap();
    let options = alliances::db::DbOptions {
        from_default: true,
        ..alliances::db::DbOptions::default()
    };
    let _writer = alliances::db::Database::open(&db, options).unwrap();
    let second = alliances(&["query", "--db", db_arg, "MATCH (n) RETURN count(n)"]);
    assert_eq!(second.status.code(), Some(1));
    let message = text(&second.stderr);
    assert!(message.contains("(--read-only)"), "{message}");
    let reader = alliances(&["query", "--db", db_arg, "--read-only", "RETURN 1 AS one"]);
    assert!(reader.status.success(), "{}", text(&reader.stderr));
}

#[test]
fn the_shell_shows_the_vocabulary_it_checks_against() {
    let out = piped(":schema holds-position\n:help acquires\n:schema Person\n");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.contains("holds-position   HOLDS_POSITION") && stdout.contains("  person → "),
        "{stdout}"
    );
    assert!(
        stdout.contains("role here is one of: chief-executive"),
        "{stdout}"
    );
    assert!(stdout.contains("from controls to"), "{stdout}");
    assert!(stdout.contains("kind person (label Person)"), "{stdout}");
    let whole = piped(":schema\n");
    let listing = text(&whole.stdout);
    for shown in ["Organization", "PARTNERS_WITH", "stake_min", "cancelled"] {
        assert!(listing.contains(shown), "{shown} missing from {listing}");
    }
    let misspelt = piped(":schema curency\n");
    assert!(
        text(&misspelt.stderr).contains("did you mean \"currency\"?"),
        "{}",
        text(&misspelt.stderr)
    );
}

/// The command's help names every importer the registry holds, so a new one is not forgotten
/// there.
#[test]
fn the_import_help_names_every_importer() {
    let help = text(&alliances(&["import", "--help"]).stdout);
    let list = text(&alliances(&["import", "list"]).stdout);
    for format in alliances::import::FORMATS {
        assert!(
            help.contains(format.name),
            "help lacks {}:\n{help}",
            format.name
        );
        assert!(
            list.contains(format.describes),
            "list lacks {}:\n{list}",
            format.name
        );
    }
}

#[test]
fn a_load_csv_script_fills_a_database_whose_constraint_outlives_a_fold() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("firms.csv");
    std::fs::write(
        &csv,
        "ticker,name\nNVDA,Nvidia\nINTC,Intel\nARM,\"Arm Holdings, plc\"\n",
    )
    .unwrap();
    let script = dir.path().join("load.cypher");
    std::fs::write(
        &script,
        format!(
            "CREATE CONSTRAINT firm_ticker FOR (f:Firm) REQUIRE f.ticker IS UNIQUE;\n\
             LOAD CSV WITH HEADERS FROM 'file://{}' AS row CREATE (:Firm {{ticker: row.ticker, name: row.name}});\n\
             MATCH (f:Firm) RETURN count(f) AS firms;\n",
            csv.display()
        ),
    )
    .unwrap();
    let db = dir.path().join("firms.toml");
    let db = db.to_str().unwrap();
    // A fold size this small folds the journal into the file after every statement.
    let common = ["query", "--db", db, "--schema", "open", "--fold-at", "64"];
    let file = script.to_str().unwrap();
    let out = alliances(&[&common[..], &["--format", "csv", "--file", file]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).ends_with("firms\n3\n"),
        "{}",
        text(&out.stdout)
    );
    let saved = std::fs::read_to_string(db).unwrap();
    assert!(
        saved.contains(
            "[[constraint]]\nname = \"firm_ticker\"\nlabel = \"Firm\"\nkeys = [\"ticker\"]"
        ),
        "the fold wrote the constraint into the data file:\n{saved}"
    );
    assert!(saved.contains("Arm Holdings, plc"), "{saved}");

    let statement = "MATCH (f:Firm {ticker: 'INTC'}) SET f.ticker = 'NVDA'";
    let out = alliances(&[&common[..], &[statement]].concat());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("rule broken [unique-constraint] at line 1, column 37: constraint firm_ticker requires (:Firm {ticker}) to be unique"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("  {statement}\n{}^\n", " ".repeat(38))),
        "the caret points at the SET: {stderr}"
    );
    assert!(stderr.contains("DROP CONSTRAINT firm_ticker"), "{stderr}");
    let out = alliances(
        &[
            &common[..],
            &[
                "--format",
                "csv",
                "MATCH (f:Firm {ticker: 'NVDA'}) RETURN count(f) AS n",
            ],
        ]
        .concat(),
    );
    assert_eq!(text(&out.stdout), "n\n1\n", "{}", text(&out.stderr));
}

#[test]
fn load_csv_names_the_line_an_unclosed_quote_began_on() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("torn.csv");
    std::fs::write(&csv, "id,note\na,fine\nb,\"never closed\nc,later\nd,last\n").unwrap();
    let statement = format!(
        "LOAD CSV WITH HEADERS FROM '{}' AS row RETURN count(*)",
        csv.display()
    );
    let out = alliances(&["query", "--schema", "open", &statement]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "line 3 of {}: a quoted field begins on this line and is never closed",
            csv.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("written twice (\"\")"), "{stderr}");
    assert!(out.stdout.is_empty(), "no count of a misread file");
}

/// The shell's `:export` writes every format the command line does, for a part of the graph,
/// and refuses an unknown one naming the formats.
#[test]
fn the_shell_exports_graphml_and_parquet_for_a_part_of_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    let graphml = dir.path().join("nvidia.graphml");
    let parquet = dir.path().join("pq");
    let input = format!(
        ":export graphml {} --around Nvidia --hops 1\n:export parquet {}\n:export gml x\n",
        graphml.display(),
        parquet.display()
    );
    let out = piped_with(&["--continue-on-error"], &input);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("wrote {}", graphml.display())),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&graphml).unwrap();
    assert!(written.contains("<graphml"), "{written}");
    assert!(written.contains("Nvidia"), "{written}");
    assert!(
        !written.contains(">Intel Corporation<"),
        "only Nvidia's ties: {written}"
    );
    assert!(parquet.join("nodes.parquet").is_file());
    assert!(parquet.join("edges.parquet").is_file());
    assert!(
        stderr.contains("FORMAT being dot, graphml, jsonl, cypher, neo4j-admin, parquet"),
        "{stderr}"
    );
}
