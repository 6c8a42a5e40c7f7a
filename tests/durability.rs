//! Durability: a process writing to a database is killed with SIGKILL at random moments; on
//! reopening, every acknowledged statement is there and no statement is there by half.
//! `CRASH_TEST_KILLS=N` runs N kill points instead of the default 50.
//!
//! Also: a torn last record is dropped and reported, a damaged one in the middle stops the
//! opening and changes nothing, a journal from a newer version is refused, two writers
//! conflict, and a failed journal write undoes the statement.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use alliances::db::{Database, DbError, DbOptions};
use alliances::query::{self, Params};

fn open(path: &Path) -> Result<(Database, alliances::Graph, alliances::db::Recovery), DbError> {
    Database::open(path, DbOptions::default())
}

/// How many statements of the crash script are in the graph, checking each is whole.
fn whole_statements(graph: &alliances::Graph) -> Vec<u64> {
    let results = query::execute(
        graph,
        "MATCH (a:Company) WHERE a.name STARTS WITH 'Investor ' \
         OPTIONAL MATCH (a)-[r:INVESTS_IN]->(b:Company) \
         RETURN a.name AS a, b.name AS b, r.amount_usd AS amount",
        &Params::new(),
    )
    .expect("the check query runs");
    let mut seen = Vec::new();
    for row in &results[0].rows {
        let a = row[0].to_string();
        let n: u64 = a
            .trim_matches('"')
            .trim_start_matches("Investor ")
            .parse()
            .expect("a number");
        assert_eq!(
            row[1].to_string(),
            format!("\"Target {n}\""),
            "statement {n} is whole"
        );
        assert_eq!(row[2].to_string(), n.to_string(), "statement {n} is whole");
        seen.push(n);
    }
    let targets = query::execute(
        graph,
        "MATCH (b:Company) WHERE b.name STARTS WITH 'Target ' RETURN count(b)",
        &Params::new(),
    )
    .unwrap();
    assert_eq!(
        targets[0].rows[0][0].to_string(),
        seen.len().to_string(),
        "no target without its investor"
    );
    seen.sort_unstable();
    seen
}

#[test]
fn acknowledged_statements_survive_sigkill() {
    let kills: usize = std::env::var("CRASH_TEST_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.toml");
    let mut next = 0u64;
    let mut acknowledged_total = 0usize;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..kills {
        let mut child = Command::new(env!("CARGO_BIN_EXE_alliances"))
            .args(["--db"])
            .arg(&db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        // Statements go in ahead of the kill; acknowledgements come back line by line.
        let first = next;
        let writer = std::thread::spawn(move || {
            for n in first..first + 400 {
                let statement = format!(
                    "CREATE (:Company {{name: 'Investor {n}'}})-[:INVESTS_IN {{amount_usd: {n}}}]->(:Company {{name: 'Target {n}'}});\n"
                );
                if stdin.write_all(statement.as_bytes()).is_err() {
                    break;
                }
            }
        });
        let reader = std::thread::spawn(move || {
            stdout
                .lines()
                .map_while(Result::ok)
                .filter(|l| l.starts_with("created 2 nodes, 1 relationship"))
                .count()
        });
        // A pseudo-random moment: from before the first statement to well into the run.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % 60_000));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let acknowledged = reader.join().unwrap();
        let _ = writer.join();
        let (_db, graph, _) = open(&db).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let present = whole_statements(&graph);
        // Every acknowledged statement is there; at most the one in flight may be there too.
        let expected: Vec<u64> = (0..next + acknowledged as u64).collect();
        assert!(
            present.len() == expected.len() || present.len() == expected.len() + 1,
            "round {round}: {} acknowledged in all, {} present",
            expected.len(),
            present.len()
        );
        assert_eq!(
            &present[..expected.len()],
            &expected[..],
            "round {round}: lost an acknowledged statement"
        );
        next = present.len() as u64;
        acknowledged_total += acknowledged;
    }
    eprintln!("{kills} kill points, {acknowledged_total} acknowledged statements checked, 0 lost");
}

fn write_some(db: &Path, statements: &[&str]) {
    let (mut database, mut graph, _) = open(db).unwrap();
    for text in statements {
        let parsed = query::parse(text).unwrap();
        let prepared = query::prepare(&graph, text, &parsed[0]).unwrap();
        prepared
            .run_mut_with(&mut graph, &Params::new(), &mut |witnesses, changes| {
                Ok(database.append(text, witnesses, changes)?)
            })
            .unwrap();
    }
}

#[test]
fn a_torn_last_record_is_dropped_and_a_damaged_middle_one_stops_the_opening() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.toml");
    let journal = dir.path().join("t.toml.journal");
    // Killed writers leave their journal in place; simulate by writing without folding.
    write_some(
        &db,
        &[
            "CREATE (:Company {name: 'One'})",
            "CREATE (:Company {name: 'Two'})",
        ],
    );
    let full = std::fs::read(&journal).unwrap();

    // A crash in the middle of the last record.
    std::fs::write(&journal, &full[..full.len() - 10]).unwrap();
    let (_d, graph, recovery) = open(&db).unwrap();
    assert!(recovery.torn && recovery.replayed == 1);
    assert_eq!(
        query::execute(&graph, "MATCH (n:Company) RETURN count(n)", &Params::new()).unwrap()[0]
            .rows[0][0]
            .to_string(),
        "1"
    );
    drop(_d);

    // A damaged record followed by a good one: refuse, and leave the files alone.
    write_some(
        &db,
        &[
            "CREATE (:Company {name: 'Three'})",
            "CREATE (:Company {name: 'Four'})",
        ],
    );
    let text = std::fs::read_to_string(&journal).unwrap();
    let damaged = text.replacen("Three", "Thref", 1);
    std::fs::write(&journal, &damaged).unwrap();
    let data_before = std::fs::read(&db).unwrap();
    match open(&db) {
        Err(DbError::Damaged { offset, path, .. }) => {
            assert!(offset > 0);
            assert_eq!(path, journal);
        }
        other => panic!("expected a damaged-journal error, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        damaged,
        "the journal is untouched"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        data_before,
        "the data file is untouched"
    );
}

#[test]
fn a_journal_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.toml");
    write_some(&db, &["CREATE (:Company {name: 'One'})"]);
    let journal = dir.path().join("v.toml.journal");
    let text = std::fs::read_to_string(&journal).unwrap().replacen(
        "alliances-journal 2",
        "alliances-journal 7",
        1,
    );
    std::fs::write(&journal, text).unwrap();
    let error = open(&db).unwrap_err();
    assert!(
        error.to_string().contains("written by a newer version"),
        "{error}"
    );
}

#[test]
fn two_writers_conflict_and_readers_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.toml");
    let (_first, _, _) = open(&db).unwrap();
    let second = open(&db).unwrap_err();
    assert!(
        second
            .to_string()
            .contains("is open for writing in another process"),
        "{second}"
    );
    let reader = Database::open(
        &db,
        DbOptions {
            read_only: true,
            ..DbOptions::default()
        },
    );
    assert!(reader.is_ok());
}

#[test]
fn a_folded_journal_is_not_replayed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("f.toml");
    write_some(&db, &["CREATE (:Company {name: 'Once'})"]);
    let journal = dir.path().join("f.toml.journal");
    let old_journal = std::fs::read(&journal).unwrap();
    {
        let (mut database, mut graph, _) = open(&db).unwrap();
        database.fold(&mut graph).unwrap();
    }
    // A crash after the data file was rewritten but before the journal was emptied: the old
    // journal ends with the checkpoint record that names the new data file.
    let data = std::fs::read(&db).unwrap();
    let mut stale = old_journal.clone();
    stale.extend(
        alliances::db::journal::checkpoint(alliances::db::journal::fingerprint(&data)).as_bytes(),
    );
    std::fs::write(&journal, &stale).unwrap();
    let (_d, graph, recovery) = open(&db).unwrap();
    assert!(recovery.stale);
    assert_eq!(
        query::execute(
            &graph,
            "MATCH (n {name: 'Once'}) RETURN count(n)",
            &Params::new()
        )
        .unwrap()[0]
            .rows[0][0]
            .to_string(),
        "1"
    );
    drop(_d);
    // Without that record, the data file was changed by hand: the journal is not thrown away.
    std::fs::write(&journal, &old_journal).unwrap();
    let error = open(&db).unwrap_err();
    assert!(
        matches!(error, DbError::DataChanged { statements: 1, .. }),
        "{error}"
    );
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        old_journal,
        "the journal is kept"
    );
    assert!(error.to_string().contains("alliances recover"), "{error}");
}

#[test]
fn a_failed_journal_write_undoes_the_statement() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.toml");
    let (_d, mut graph, _) = open(&db).unwrap();
    let text = "CREATE (:Company {name: 'Never'})";
    let parsed = query::parse(text).unwrap();
    let prepared = query::prepare(&graph, text, &parsed[0]).unwrap();
    let error = prepared
        .run_mut_with(&mut graph, &Params::new(), &mut |_, _| {
            Err(std::io::Error::other("No space left on device").into())
        })
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("could not be written to the journal, so it was undone"),
        "{error}"
    );
    assert_eq!(graph.node_count(), 0);
}
