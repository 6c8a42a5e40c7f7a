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
