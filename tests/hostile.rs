//! Limits that keep the engine responsive, and hostile or broken input: each gives a clear
//! error, and nothing the user saved is lost.

use std::process::{Command, Output};

use proptest::prelude::*;

fn alliances(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_timeout_stops_a_long_statement() {
    let started = std::time::Instant::now();
    let out = alliances(&[
        "query",
        "--timeout",
        "0.3",
        "UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN count(*)",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("ran past --timeout 0.3s and was stopped; it changed nothing"),
        "{}",
        text(&out.stderr)
    );
    assert!(started.elapsed().as_secs_f64() < 10.0);
}

#[test]
fn bounds_say_when_they_cut_an_answer() {
    let rows = alliances(&[
        "query",
        "--max-rows",
        "3",
        "--format",
        "csv",
        "UNWIND range(1, 10) AS x RETURN x",
    ]);
    assert_eq!(text(&rows.stdout), "x\n1\n2\n3\n");
    assert!(text(&rows.stderr).contains("the answer stopped at 3 rows"));

    let hops = alliances(&[
        "query",
        "--max-var-length",
        "2",
        "MATCH ({name: 'BlackRock'})-[*]-(b) RETURN count(b)",
    ]);
    assert!(
        text(&hops.stderr).contains("stopped at 2 hops, the default for * without a maximum"),
        "{}",
        text(&hops.stderr)
    );

    let bounded = alliances(&[
        "query",
        "--max-var-length",
        "2",
        "MATCH ({name: 'BlackRock'})-[*..2]-(b) RETURN count(b)",
    ]);
    assert!(
        !text(&bounded.stderr).contains("stopped at"),
        "an explicit bound is not a cut"
    );
}

#[test]
fn ten_thousand_parentheses_are_an_error_not_a_crash() {
    let query = format!("RETURN {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let out = alliances(&["query", &query]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("nests brackets and CASE expressions more than 200 deep"),
        "{stderr}"
    );
    assert!(
        stderr.len() < 1_000,
        "the message shows a window of the line, not all of it"
    );
}

#[test]
fn truncated_binary_and_non_utf8_data_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/queries/data/fixture.toml"
    ))
    .unwrap();
    let truncated = dir.path().join("truncated.toml");
    // Cut inside a string, as a copy interrupted mid-file would.
    let cut = full.find("name = \"Beta").expect("the fixture names Beta") + 10;
    std::fs::write(&truncated, &full[..cut]).unwrap();
    let out = alliances(&["check", truncated.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("truncated.toml:"),
        "{}",
        text(&out.stderr)
    );

    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 1, 2, 255]).unwrap();
    let out = alliances(&["check", binary.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("binary.json"),
        "{}",
        text(&out.stderr)
    );

    let latin1 = dir.path().join("latin1.toml");
    std::fs::write(&latin1, b"[[entity]]\nid = \"soci\xe9te\"\n").unwrap();
    let out = alliances(&["check", latin1.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).to_lowercase().contains("utf-8"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn csv_with_missing_or_extra_columns_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes.csv");
    let edges = dir.path().join("edges.csv");
    std::fs::write(
        &nodes,
        "id,name,kind,country,sector\nc1,One,company,US,ai\nc2,Two,company\n",
    )
    .unwrap();
    std::fs::write(
        &edges,
        "from,to,type,amount_usd,date,stake_pct\nc1,c2,INVESTS_IN,1,2024,,extra\n",
    )
    .unwrap();
    let out = alliances(&[
        "check",
        "--nodes",
        nodes.to_str().unwrap(),
        "--edges",
        edges.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("nodes.csv:3"),
        "the short row is named: {stderr}"
    );
    assert!(
        stderr.contains("edges.csv:2"),
        "the long row is named: {stderr}"
    );
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_disk_during_save_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = dir.path().join("tiny");
    std::fs::create_dir(&tiny).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8k", "tmpfs"])
        .arg(&tiny)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!(
            "skipped: cannot mount a tiny tmpfs here (needs root); the failing journal write is tested in tests/durability.rs"
        );
        return;
    }
    let file = tiny.join("data.toml");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/queries/data/fixture.toml"
        ),
        &file,
    )
    .unwrap();
    let before = std::fs::read(&file).unwrap();
    // The built-in dataset is far larger than the room left: the save must fail whole.
    let script = format!(":save {}\n", file.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = Command::new("umount").arg(&tiny).status();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).to_lowercase().contains("no space"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&file).ok().unwrap_or_else(|| before.clone()),
        before,
        "the old file is intact"
    );
}

/// Pieces of data files, shuffled into near-misses the loader must refuse or accept cleanly.
const DATA_TOKENS: &[&str] = &[
    "[[entity]]",
    "[[relationship]]",
    "[[source]]",
    "id = \"a\"",
    "id = \"b\"",
    "name = \"A\"",
    "kind = \"company\"",
    "kind = \"consortium\"",
    "type = \"invests-in\"",
    "type = \"member-of\"",
    "from = \"a\"",
    "to = \"b\"",
    "amount_usd = -1",
    "amount_usd = 1e400",
    "stake_pct = 150",
    "date = \"2025-02-30\"",
    "date = \"2025\"",
    "sources = []",
    "allow_unsourced = true",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"entity\": [",
    "\"relationship\": [",
    "{\"id\": \"a\", \"name\": \"A\", \"kind\": \"fund\"}",
    "\n",
    "#",
    "=",
    "\"",
    "\\u0000",
    "東京",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn token_soups_never_crash_the_loader(tokens in prop::collection::vec(prop::sample::select(DATA_TOKENS), 0..40), json in any::<bool>()) {
        let text = tokens.join("\n");
        let format = if json { alliances::datafile::Format::Json } else { alliances::datafile::Format::Toml };
        let input = alliances::datafile::TextInput { name: "soup", text: &text, format };
        let _ = alliances::datafile::load_texts(&[input], alliances::Schema::Alliance);
    }

    #[test]
    fn random_bytes_never_crash_the_loader(bytes in prop::collection::vec(any::<u8>(), 0..400), json in any::<bool>()) {
        let text = String::from_utf8_lossy(&bytes);
        let format = if json { alliances::datafile::Format::Json } else { alliances::datafile::Format::Toml };
        let input = alliances::datafile::TextInput { name: "random", text: &text, format };
        // An error is fine; a panic is not.
        let _ = alliances::datafile::load_texts(&[input], alliances::Schema::Alliance);
    }

    #[test]
    fn random_bytes_never_crash_the_parser(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = alliances::query::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_csv_never_crashes_the_importer(nodes in "[a-z0-9,\\n\"]{0,200}", edges in "[a-zA-Z0-9_,.\\n\"-]{0,200}") {
        let _ = alliances::import_csv("nodes.csv", nodes.as_bytes(), "edges.csv", edges.as_bytes(), alliances::Schema::Alliance);
    }
}

/// Queries that nest too deep, with the column where each is refused and what the message says.
fn too_deep() -> Vec<(&'static str, String, usize, &'static str)> {
    vec![
        (
            "100,000 NOTs",
            format!("RETURN {}true", "NOT ".repeat(100_000)),
            8 + 4 * 499,
            "nests more than 500 operators",
        ),
        (
            "4,650 chained additions",
            format!("RETURN 1{}", "+1".repeat(4_650)),
            9 + 2 * 499,
            "nests more than 500 operators",
        ),
        (
            "3,000 nested CASE expressions",
            format!(
                "RETURN {}1{}",
                "CASE WHEN true THEN ".repeat(3_000),
                " END".repeat(3_000)
            ),
            8 + 20 * 200,
            "nests brackets and CASE expressions more than 200 deep",
        ),
        (
            "7,100 chained WITH clauses",
            format!("{}RETURN x", "WITH 1 AS x ".repeat(7_100)),
            1 + 12 * 1_000,
            "has more than 1000 clauses",
        ),
        (
            "additions in 150 nested brackets",
            format!("RETURN {}1{}", "(1+1+1+1+".repeat(150), ")".repeat(150)),
            // Each bracket level counts its four operators and itself.
            8 + 9 * 99 + 8,
            "nests more than 500 operators",
        ),
    ]
}

/// Runs `f` on a thread with a small stack, as an embedding program may.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 << 10)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow")
}

#[test]
fn too_deep_nesting_is_a_located_error_through_the_library() {
    for (what, query, column, message) in too_deep() {
        let error = on_small_stack(move || {
            let graph = alliances::datafile::default_graph();
            alliances::query::execute(&graph, &query, &Default::default()).unwrap_err()
        });
        assert_eq!(
            error.code,
            alliances::query::ErrorCode::NestingTooDeep,
            "{what}"
        );
        assert!(error.message.contains(message), "{what}: {error}");
        assert_eq!((error.line, error.column), (1, column), "{what}: {error}");
    }
}

#[test]
fn too_deep_nesting_exits_1_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deep.cypher");
    for (what, query, column, message) in too_deep() {
        // Some are longer than one argument may be.
        std::fs::write(&file, &query).unwrap();
        let out = alliances(&["query", "--file", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{what}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(message), "{what}: {stderr}");
        assert!(
            stderr.contains(&format!("{}:1:{column}", file.display())),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn deep_but_legal_queries_run_even_on_a_small_stack() {
    let cases = [
        (format!("RETURN 1{}", "+1".repeat(200)), "201"),
        (format!("RETURN 1{}", "+1".repeat(498)), "499"),
        (
            format!(
                "RETURN {}1{}",
                "CASE WHEN true THEN ".repeat(100),
                " END".repeat(100)
            ),
            "1",
        ),
        (
            format!("RETURN {}1{}", "(".repeat(199), ")".repeat(199)),
            "1",
        ),
        (format!("RETURN {}true", "NOT ".repeat(400)), "true"),
        (format!("{}RETURN x", "WITH 1 AS x ".repeat(900)), "1"),
        (
            format!("RETURN {}1{}", "[".repeat(150), "]".repeat(150)),
            "[[[[",
        ),
    ];
    for (query, expected) in cases {
        let shown = on_small_stack(move || {
            let graph = alliances::datafile::default_graph();
            let results = alliances::query::execute(&graph, &query, &Default::default()).unwrap();
            results[0].to_csv()
        });
        assert!(shown.contains(expected), "{shown}");
    }
}

/// A CSV graph whose chains of investments and simple paths are past counting, yet without a
/// single money loop (so no count of loops cuts a search short): `n` companies, each investing
/// in every later one. Returns the paths of nodes.csv and edges.csv.
fn dense_dag_csv(dir: &std::path::Path, n: usize) -> (String, String) {
    let mut nodes = String::from("id,name,kind,country,sector\n");
    let mut edges = String::from("from,to,type,amount_usd,date,stake_pct\n");
    for i in 0..n {
        nodes.push_str(&format!("c{i},Company {i},company,US,ai\n"));
        for j in i + 1..n {
            edges.push_str(&format!("c{i},c{j},INVESTS_IN,,2024,\n"));
        }
    }
    let (n_path, e_path) = (dir.join("nodes.csv"), dir.join("edges.csv"));
    std::fs::write(&n_path, nodes).unwrap();
    std::fs::write(&e_path, edges).unwrap();
    (
        n_path.to_str().unwrap().to_owned(),
        e_path.to_str().unwrap().to_owned(),
    )
}

/// Runs a command that cannot finish in time with `--timeout 0.5`: it must stop within a few
/// seconds, exit 1 and say so.
fn times_out(args: &[&str], says: &str) {
    let started = std::time::Instant::now();
    let out = alliances(args);
    let elapsed = started.elapsed().as_secs_f64();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(stderr.contains(says), "{args:?}: {stderr}");
    assert!(elapsed < 5.0, "{args:?} took {elapsed:.1} s");
    assert!(
        !text(&out.stdout).contains(" legs)"),
        "no partial answer is printed"
    );
}

#[test]
fn every_algorithm_and_command_stops_at_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, edges) = dense_dag_csv(dir.path(), 40);
    let data = ["--nodes", nodes.as_str(), "--edges", edges.as_str()];
    let stopped = "ran past --timeout 0.5s and was stopped; it changed nothing";
    for statement in [
        "CALL algo.circularDeals(13) YIELD path RETURN count(*)",
        "CALL algo.kShortestPaths('c0', 'c1', 1000000) YIELD path RETURN count(*)",
    ] {
        let mut args = vec!["query", "--timeout", "0.5"];
        args.extend(data);
        args.push(statement);
        times_out(&args, stopped);
    }
    let mut path = vec!["path", "c0", "c1", "--k", "1000000", "--max-hops", "13"];
    path.extend(data);
    path.extend(["--timeout", "0.5"]);
    times_out(
        &path,
        "ran past --timeout 0.5s and was stopped; no path is shown",
    );
    let out = dir.path().join("loops.svg");
    for command in [
        vec!["export", "dot", "--cycles", "13"],
        vec!["render", "--cycles", "13", "-o", out.to_str().unwrap()],
    ] {
        let mut args = command.clone();
        args.extend(data);
        args.extend(["--timeout", "0.5"]);
        times_out(
            &args,
            "ran past --timeout and was stopped; nothing was written",
        );
    }
    assert!(!out.exists(), "an interrupted render writes nothing");
}

#[test]
fn betweenness_stops_at_its_timeout_on_a_large_graph() {
    // A ring of 30,000 nodes with chords: every start's search crosses the whole graph, and
    // there are 30,000 of them.
    let dir = tempfile::tempdir().unwrap();
    let n = 30_000;
    let mut nodes = String::from("id,name,kind,country,sector\n");
    let mut edges = String::from("from,to,type,amount_usd,date,stake_pct\n");
    for i in 0..n {
        nodes.push_str(&format!("c{i},Company {i},company,US,ai\n"));
        edges.push_str(&format!("c{i},c{},SUPPLIES,,2024,\n", (i + 1) % n));
        edges.push_str(&format!("c{i},c{},INVESTS_IN,,2024,\n", (i * 7 + 3) % n));
    }
    std::fs::write(dir.path().join("nodes.csv"), nodes).unwrap();
    std::fs::write(dir.path().join("edges.csv"), edges).unwrap();
    let (n_path, e_path) = (dir.path().join("nodes.csv"), dir.path().join("edges.csv"));
    times_out(
        &[
            "query",
            "--timeout",
            "0.5",
            "--nodes",
            n_path.to_str().unwrap(),
            "--edges",
            e_path.to_str().unwrap(),
            "CALL algo.betweenness() YIELD node, score RETURN max(score)",
        ],
        "ran past --timeout 0.5s and was stopped; it changed nothing",
    );
}

#[test]
fn absurd_timeouts_are_usage_errors() {
    for value in ["1e20", "NaN", "inf", "-1", "0"] {
        let out = alliances(&["query", &format!("--timeout={value}"), "RETURN 1"]);
        assert_eq!(out.status.code(), Some(2), "{value}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("--timeout takes a number of seconds greater than 0"),
            "{value}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{value}: {stderr}");
    }
    let out = alliances(&["path", "Nvidia", "OpenAI", "--timeout", "1e20"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Stops after `calls` looks at the flag: an algorithm that looks only between whole rounds or
/// starts would run far past it.
fn stop_after(calls: usize) -> impl Fn() -> bool {
    let seen = std::cell::Cell::new(0);
    move || {
        seen.set(seen.get() + 1);
        seen.get() > calls
    }
}

#[test]
fn interrupted_algorithms_give_no_answer_or_say_theirs_is_partial() {
    let dir = tempfile::tempdir().unwrap();
    let (nodes, edges) = dense_dag_csv(dir.path(), 40);
    let graph = alliances::datafile::import_csv(
        &nodes,
        std::fs::File::open(&nodes).unwrap(),
        &edges,
        std::fs::File::open(&edges).unwrap(),
        alliances::model::Schema::Alliance,
    )
    .unwrap();
    use alliances::algo;
    let started = std::time::Instant::now();
    // One start's search alone has billions of paths: the flag is read inside it.
    let loops = algo::money_loops(&graph, 13, usize::MAX, &stop_after(1));
    assert!(loops.interrupted);
    let report = alliances::session::report::cycles_report(&graph, 13, &stop_after(1));
    assert!(report.contains("interrupted"), "{report}");
    let (a, b) = (
        graph.node_by_id("c0").unwrap(),
        graph.node_by_id("c1").unwrap(),
    );
    let options = algo::PathOptions {
        k: 1_000_000,
        max_hops: Some(13),
        ..Default::default()
    };
    let paths = algo::k_shortest_paths(&graph, a, b, &options, &stop_after(3));
    assert!(paths.interrupted);
    let report = alliances::session::report::paths_report(
        &graph,
        "c0",
        "c1",
        &options,
        false,
        &stop_after(3),
    )
    .unwrap();
    assert!(report.starts_with("interrupted:"), "{report}");
    assert!(algo::centrality::pagerank(&graph, &stop_after(0)).is_none());
    assert!(algo::centrality::betweenness(&graph, None, &stop_after(1)).is_none());
    let top =
        alliances::session::report::top_report(&graph, "pagerank", 5, &stop_after(0)).unwrap();
    assert!(
        top.starts_with("interrupted:") && !top.contains("1."),
        "{top}"
    );
    assert!(started.elapsed().as_secs_f64() < 5.0);
}

#[test]
fn a_statement_over_the_memory_budget_fails_and_changes_nothing() {
    let mut graph = alliances::datafile::default_graph();
    let before = (graph.node_count(), graph.edge_count());
    let limits = alliances::query::Limits::default().with_max_memory_mb(16);
    let params = Default::default();
    let cases = [
        // Rows held for ORDER BY, after a write.
        "CREATE (:Company {id: 'x', name: 'X'}) WITH 1 AS one UNWIND range(1, 400000) AS i RETURN i ORDER BY i DESC",
        "UNWIND range(1, 400000) AS i RETURN collect(toString(i) + 'padding padding')",
        "UNWIND range(1, 400000) AS i RETURN DISTINCT toString(i) + 'padding padding' AS s",
        "UNWIND range(1, 400000) AS i RETURN toString(i) + 'padding' AS s, count(*)",
        "RETURN size(range(1, 1000000))",
        "MATCH (n) SET n.note = 'x' WITH n UNWIND range(1, 200000) AS i WITH n, i RETURN count(*)",
    ];
    for query in cases {
        let error = alliances::query::execute_mut_within(&mut graph, query, &params, &limits)
            .expect_err(query);
        assert_eq!(
            error.code,
            alliances::query::ErrorCode::MemoryLimit,
            "{query}: {error}"
        );
        assert!(
            error.message.contains("needs more than 16 MB of memory")
                && error.help.as_deref().unwrap_or("").contains("max-memory"),
            "{query}: {error}"
        );
        assert_eq!((graph.node_count(), graph.edge_count()), before, "{query}");
    }
    // Doubling a string clause after clause stops at the budget, not at the machine's memory.
    let doubling = format!(
        "WITH 'ab' AS s {}RETURN size(s)",
        "WITH s + s AS s ".repeat(40)
    );
    let error = alliances::query::execute_within(&graph, &doubling, &params, &limits).unwrap_err();
    assert_eq!(
        error.code,
        alliances::query::ErrorCode::MemoryLimit,
        "{error}"
    );
    // What fits still runs.
    let small = alliances::query::execute_within(
        &graph,
        "UNWIND range(1, 1000) AS i RETURN i ORDER BY i DESC LIMIT 1",
        &params,
        &limits,
    )
    .unwrap();
    assert_eq!(small[0].to_csv(), "i\n1000\n");
    // The budget belongs to the runs given it: a run with the default limits is not bound by it.
    let unbound =
        alliances::query::execute(&graph, "RETURN size(range(1, 1000000)) AS n", &params).unwrap();
    assert_eq!(unbound[0].to_csv(), "n\n1000000\n");
}
