//! Control characters in data never reach the terminal raw: result tables, `check` reports,
//! shell commands and error messages show them escaped, as `\u{1b}`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A name that would clear the screen and ring the bell, then reorder the line.
const NASTY_TOML: &str = "Evil\\u001b[2J\\u0007\\u202eCorp";
const SHOWN: &str = "Evil\\u{1b}[2J\\u{7}\\u{202e}Corp";

fn data_file(dir: &Path) -> String {
    let path = dir.join("nasty.toml");
    std::fs::write(
        &path,
        format!(
            "allow_unsourced = true\n\n\
             [[entity]]\nid = \"evil\"\nname = \"{NASTY_TOML}\"\nkind = \"company\"\n\n\
             [[entity]]\nid = \"good\"\nname = \"Good\"\nkind = \"company\"\n\n\
             [[relationship]]\ntype = \"invests-in\"\nfrom = \"evil\"\nto = \"good\"\n"
        ),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

fn run(args: &[&str], input: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    if let Some(input) = input {
        stdin.write_all(input.as_bytes()).unwrap();
    }
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// Neither stream holds a character that acts on a terminal.
fn assert_clean(out: &Output) -> (String, String) {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        let raw: Vec<char> = text
            .chars()
            .filter(|c| alliances::model::is_unprintable(*c))
            .collect();
        assert!(raw.is_empty(), "raw {raw:?} on {name}:\n{text}");
    }
    (stdout, stderr)
}

#[test]
fn a_result_table_shows_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_file(dir.path());
    let out = run(
        &[
            "--data",
            &data,
            "query",
            "MATCH (n {id: 'evil'})-[r]->(m) RETURN n.name, n, r, m.name",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let (stdout, _) = assert_clean(&out);
    assert!(stdout.contains(SHOWN), "{stdout}");
    assert!(stdout.contains("Good"), "{stdout}");
}

#[test]
fn an_error_message_that_quotes_a_name_shows_it_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_file(dir.path());
    let out = run(
        &[
            "--data",
            &data,
            "query",
            "MATCH (n {id: 'evil'}) CREATE (:Company {name: n.name})",
        ],
        None,
    );
    assert_ne!(out.status.code(), Some(0));
    let (_, stderr) = assert_clean(&out);
    assert!(stderr.contains("already belongs to"), "{stderr}");
    assert!(stderr.contains(SHOWN), "{stderr}");
}

#[test]
fn check_shows_a_source_line_with_control_characters_escaped_and_the_caret_under_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raw.toml");
    // TOML forbids raw control characters in strings: the loader reports the line.
    std::fs::write(
        &path,
        "[[entity]]\nid = \"x\"\nname = \"A\u{1b}[2J\u{7}B\" = 1\nkind = \"company\"\n",
    )
    .unwrap();
    let out = run(&["check", &path.to_string_lossy()], None);
    assert_ne!(out.status.code(), Some(0));
    let (stdout, stderr) = assert_clean(&out);
    let report = stdout + &stderr;
    let line = report
        .lines()
        .find(|l| l.contains("name = "))
        .unwrap_or_else(|| panic!("the source line is shown:\n{report}"));
    assert!(line.contains("\"A\\u{1b}[2J\\u{7}B\""), "{report}");
    let caret = report
        .lines()
        .skip_while(|l| *l != line)
        .nth(1)
        .unwrap_or_default();
    let column = caret.find('^').expect("a caret");
    assert!(
        column < line.len() && line[column..].starts_with(['\\', '"', '=', 'A', 'B', '1', ' ']),
        "the caret points into the escaped line:\n{line}\n{caret}"
    );
}

#[test]
fn shell_commands_show_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_file(dir.path());
    let out = run(
        &["--data", &data, "--schema", "open"],
        Some(
            ":path evil good\n:schema\n\
             CREATE (:`Bad\u{1b}]0;pwned\u{7}Label` {`k\u{8}ey`: 'v\\u000Da\\u009Bl'});\n\
             MATCH (n:`Bad\u{1b}]0;pwned\u{7}Label`) RETURN n, keys(n);\n:schema\n",
        ),
    );
    let (stdout, stderr) = assert_clean(&out);
    assert!(
        stdout.contains(SHOWN),
        "the path names the firm:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("Bad\\u{1b}]0;pwned\\u{7}Label"),
        "the schema and the table name the label:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("k\\u{8}ey"), "{stdout}");
    assert!(stdout.contains("a\\u{9b}l"), "{stdout}");
    assert!(
        stdout.contains("  Bad\\u{1b}]0;pwned\\u{7}Label  "),
        "the schema lines up what it shows:\n{stdout}"
    );
}

#[test]
fn json_output_escapes_every_control_character_and_stays_the_same_json() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_file(dir.path());
    let out = run(
        &[
            "--data",
            &data,
            "query",
            "--format",
            "json",
            "MATCH (n {id: 'evil'}) RETURN n.name AS name",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let (stdout, _) = assert_clean(&out);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("valid JSON");
    assert_eq!(
        json["rows"][0][0],
        serde_json::Value::String("Evil\u{1b}[2J\u{7}\u{202e}Corp".into()),
        "{stdout}"
    );
}
