//! The shell on a real pseudo-terminal, as a user meets it: a multi-line statement with its
//! continuation prompt, Tab completion of an entity name, history recalled in a second run,
//! Ctrl-C stopping a long statement without leaving, and Ctrl-D leaving.

#![cfg(unix)]

use std::process::Command;
use std::time::Duration;

use expectrl::{ControlCode, Expect, Session};

fn shell(history: &std::path::Path) -> expectrl::session::OsSession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_alliances"));
    command
        .env("ALLIANCES_HISTORY", history)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("COLUMNS", "120");
    let mut session = Session::spawn(command).expect("the shell starts on a terminal");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

#[test]
fn a_user_session_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");

    let mut p = shell(&history);
    p.expect("Type :help for help").unwrap();
    p.expect("alliances> ").unwrap();

    // A statement over two lines: the second line gets the continuation prompt.
    p.send_line("MATCH (c:Consortium)<-[:MEMBER_OF]-(m)")
        .unwrap();
    p.expect("        -> ").unwrap();
    p.send_line("RETURN c.name, count(m) AS members ORDER BY c.name;")
        .unwrap();
    p.expect("Stargate").unwrap();
    p.expect("2 rows").unwrap();
    p.expect("alliances> ").unwrap();

    // PROFILE prints the rows, then each operator with the rows it handed on and its time.
    p.send_line(
        "PROFILE MATCH (k:Consortium {name: 'AIP'})<-[:MEMBER_OF]-(c:Company) RETURN count(*) AS members;",
    )
    .unwrap();
    p.expect("members").unwrap();
    p.expect(expectrl::Regex(
        r"\| NodeIndexSeek +\| [^|]+\| +1 \| +\d+\.\d{3} ms \|",
    ))
    .unwrap();
    p.expect(expectrl::Regex(
        r"\| Expand\(All\) +\| [^|]+\| +5 \| +\d+\.\d{3} ms \|",
    ))
    .unwrap();
    p.expect("1 row in ").unwrap();
    p.expect("alliances> ").unwrap();

    // Tab completes an entity name inside quotes and closes the string.
    p.send("MATCH (n {name: \"Nv").unwrap();
    p.send("\t").unwrap();
    p.send("}) RETURN n.id AS id;\r").unwrap();
    p.expect("nvidia").unwrap();
    p.expect("1 row").unwrap();
    p.expect("alliances> ").unwrap();

    // Ctrl-C stops a long statement; the shell stays.
    p.send_line("UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN count(*);")
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    p.send(ControlCode::EndOfText).unwrap();
    p.expect("interrupted").unwrap();
    p.expect("alliances> ").unwrap();
    p.send_line("RETURN 'still here' AS s;").unwrap();
    p.expect("still here").unwrap();
    p.expect("alliances> ").unwrap();

    // Ctrl-D leaves.
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();

    // A second run recalls the last statement with the up arrow.
    let mut p = shell(&history);
    p.expect("alliances> ").unwrap();
    p.send("\x1b[A").unwrap();
    p.expect("still here").unwrap();
    p.send("\r").unwrap();
    p.expect("1 row").unwrap();
    p.expect("alliances> ").unwrap();
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();

    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(saved.contains("RETURN c.name, count(m)"), "{saved}");
}

#[test]
fn ctrl_c_stops_a_long_algorithm_within_a_second() {
    // Forty companies, each investing in every later one: no money loop, and more chains of
    // investments than any search could walk.
    let dir = tempfile::tempdir().unwrap();
    let mut nodes = String::from("id,name,kind,country,sector\n");
    let mut edges = String::from("from,to,type,amount_usd,date,stake_pct\n");
    for i in 0..40 {
        nodes.push_str(&format!("c{i},Company {i},company,US,ai\n"));
        for j in i + 1..40 {
            edges.push_str(&format!("c{i},c{j},INVESTS_IN,,2024,\n"));
        }
    }
    let (n_path, e_path) = (dir.path().join("nodes.csv"), dir.path().join("edges.csv"));
    std::fs::write(&n_path, nodes).unwrap();
    std::fs::write(&e_path, edges).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_alliances"));
    command
        .args(["--nodes", n_path.to_str().unwrap()])
        .args(["--edges", e_path.to_str().unwrap()])
        .env("ALLIANCES_HISTORY", dir.path().join("history"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("COLUMNS", "120");
    let mut p = Session::spawn(command).expect("the shell starts on a terminal");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("alliances> ").unwrap();

    for (line, says) in [
        (
            ":cycles --max-len 13",
            "interrupted: the search for money loops was stopped",
        ),
        (
            "CALL algo.circularDeals(13) YIELD path RETURN count(*);",
            "the statement was interrupted; it changed nothing",
        ),
    ] {
        p.send_line(line).unwrap();
        std::thread::sleep(Duration::from_millis(500));
        let sent = std::time::Instant::now();
        p.send(ControlCode::EndOfText).unwrap();
        p.set_expect_timeout(Some(Duration::from_secs(1)));
        p.expect(says).unwrap();
        p.expect("alliances> ").unwrap();
        assert!(sent.elapsed() < Duration::from_secs(1), "{line}");
        p.set_expect_timeout(Some(Duration::from_secs(20)));
    }
    p.send_line("RETURN 'still here' AS s;").unwrap();
    p.expect("still here").unwrap();
    p.expect("alliances> ").unwrap();
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}

#[test]
fn errors_are_coloured_with_real_escape_codes_around_escaped_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_alliances"));
    command
        .env("ALLIANCES_HISTORY", dir.path().join("history"))
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .env("COLUMNS", "120");
    let mut p = Session::spawn(command).expect("the shell starts on a terminal");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("alliances> ").unwrap();
    // A name with an escape character in it, quoted back by the error.
    p.send_line("RETURN nosuch\u{1b}x;").unwrap();
    // Everything up to the caret under the statement: the red first line is in it.
    let found = p.expect("^").unwrap();
    let shown = String::from_utf8_lossy(found.before()).into_owned();
    assert!(
        shown.contains("\u{1b}[31m"),
        "the first line is red: {shown:?}"
    );
    assert!(
        !shown.contains("\\u{1b}[31m"),
        "the colour itself is not escaped: {shown:?}"
    );
    p.expect("alliances> ").unwrap();
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
}
