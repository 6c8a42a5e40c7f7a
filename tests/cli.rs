//! The binary end to end: exit statuses, where messages go, and what a user reads.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn alliances(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn piped(input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_accepts_the_default_dataset() {
    let out = alliances(&[
        "check",
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/ai-infrastructure.toml"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("valid (27 entities, 44 relationships, 24 sources)"));
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
    let nodes = dir.path().join("nodes.csv");
    let edges = dir.path().join("edges.csv");
    std::fs::write(
        &nodes,
        "id,name,kind,country,sector\na,A,fund,,\nb,B,company,,\n",
    )
    .unwrap();
    std::fs::write(
        &edges,
        "from,to,type,amount_usd,date,stake_pct\na,b,INVESTS_IN,5,,\n",
    )
    .unwrap();
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
