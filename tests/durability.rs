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

/// A data file with no journal yet, or an empty one, or one whose header was being written,
/// opens for reading without word of a torn statement; a journal with a torn last record
/// still gets it.
#[test]
fn a_reader_reports_a_torn_record_only_when_a_statement_was_cut() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.alliances");
    let journal = dir.path().join("r.alliances.journal");
    alliances::datafile::save(&alliances::Graph::new(alliances::Schema::Open), &db).unwrap();
    let read = || {
        let options = DbOptions {
            read_only: true,
            ..DbOptions::default()
        };
        Database::open(&db, options).unwrap().2
    };
    assert!(!journal.exists());
    let recovery = read();
    assert!(!recovery.torn && !recovery.stale, "{recovery:?}");
    std::fs::write(&journal, b"").unwrap();
    assert!(!read().torn, "an empty journal");
    write_some(&db, &["CREATE (:Company {name: 'One'})"]);
    let full = std::fs::read(&journal).unwrap();
    std::fs::write(&journal, &full[..10]).unwrap();
    assert!(!read().torn, "a journal cut inside its header");
    std::fs::write(&journal, &full[..full.len() - 5]).unwrap();
    assert!(read().torn, "a journal cut inside its record");
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
    // The library names the setting; the command line and the shell name their way to it.
    assert!(second.to_string().contains("(read-only)"), "{second}");
    assert!(!second.to_string().contains("--"), "{second}");
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

fn run_binary(args: &[&std::ffi::OsStr], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn count(graph: &alliances::Graph) -> String {
    query::execute(graph, "MATCH (n) RETURN count(n)", &Params::new()).unwrap()[0].rows[0][0]
        .to_string()
}

#[test]
fn a_second_writer_is_refused_by_any_name_and_without_the_lock_note() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("n.toml");
    let (_first, _, _) = open(&db).unwrap();
    let refused = |path: &Path, how: &str| {
        let error = open(path).unwrap_err();
        assert!(
            matches!(error, DbError::Locked { .. }),
            "{how}: a second writer got in: {error}"
        );
    };
    let link = dir.path().join("link.toml");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    refused(&link, "a symbolic link");
    let hard = dir.path().join("hard.toml");
    std::fs::hard_link(&db, &hard).unwrap();
    refused(&hard, "a hard link");
    std::fs::remove_file(dir.path().join("n.toml.lock")).ok();
    refused(&db, "a deleted lock note");
    // Writing the data file whole, behind the journal's back, is refused too.
    let out = run_binary(
        &[
            "query".as_ref(),
            "--data".as_ref(),
            db.as_os_str(),
            "--write".as_ref(),
            "CREATE (:Company {id: 'w', name: 'W'})".as_ref(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a database"), "{stderr}");
    assert!(stderr.contains("open for writing"), "{stderr}");
}

#[test]
fn a_deleted_journal_stops_the_writer_instead_of_losing_statements() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("j.toml");
    let (mut database, mut graph, _) = open(&db).unwrap();
    std::fs::remove_file(dir.path().join("j.toml.journal")).unwrap();
    let text = "CREATE (:Company {id: 'gone', name: 'Gone'})";
    let parsed = query::parse(text).unwrap();
    let error = query::prepare(&graph, text, &parsed[0])
        .unwrap()
        .run_mut_with(&mut graph, &Params::new(), &mut |witnesses, changes| {
            Ok(database.append(text, witnesses, changes)?)
        })
        .unwrap_err();
    assert!(error.to_string().contains("removed or replaced"), "{error}");
    assert_eq!(graph.node_count(), 0, "the statement was undone");
}

#[test]
fn saving_over_a_database_from_the_shell_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.toml");
    write_some(&db, &["CREATE (:Company {id: 'kept', name: 'Kept'})"]);
    // Its own file, by another name, from the shell that has it open.
    let link = dir.path().join("alias.toml");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let out = run_binary(
        &["--db".as_ref(), db.as_os_str()],
        &format!(":save {}\n", link.display()),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("this database's own file"), "{stderr}");
    // Another database's file, from a shell on the built-in dataset.
    let out = run_binary(&[], &format!(":save {}\n", db.display()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a database"), "{stderr}");
    let (_d, graph, _) = open(&db).unwrap();
    assert!(graph.node_by_id("kept").is_some());
    assert_eq!(count(&graph), "1");
}

#[test]
#[cfg(target_os = "linux")]
fn a_checkpoint_that_fails_leaves_the_statement_committed() {
    // A disk with room for the journal's records but not for a second copy of the data file:
    // every checkpoint fails after its statement was committed.
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("full.toml");
    drop(
        Database::open(
            &outside,
            DbOptions {
                from_default: true,
                ..DbOptions::default()
            },
        )
        .unwrap(),
    );
    let size = std::fs::metadata(&outside).unwrap().len();
    let tiny = dir.path().join("tiny");
    std::fs::create_dir(&tiny).unwrap();
    let room = (size / 4096 + 4) * 4096;
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={room}"), "tmpfs"])
        .arg(&tiny)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tiny tmpfs here (needs root)");
        return;
    }
    let db = tiny.join("full.toml");
    std::fs::copy(&outside, &db).unwrap();
    let out = run_binary(
        &[
            "--db".as_ref(),
            db.as_os_str(),
            "--fold-at".as_ref(),
            "10".as_ref(),
        ],
        "CREATE (:Company {id: 'one', name: 'One'});\nCREATE (:Company {id: 'two', name: 'Two'});\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let reopened = open(&db).map(|(_d, graph, recovery)| (count(&graph), recovery.replayed));
    let _ = Command::new("umount").arg(&tiny).status();
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout.matches("created 1 node").count(), 2, "{stdout}");
    assert!(stderr.contains("warning"), "{stderr}");
    assert!(stderr.to_lowercase().contains("no space"), "{stderr}");
    assert!(!stderr.lines().any(|l| l.starts_with("error")), "{stderr}");
    let (nodes, replayed) = reopened.unwrap();
    assert_eq!(replayed, 2);
    assert_eq!(nodes, "35");
}

#[test]
fn a_damaged_journal_is_recovered_into_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rec.toml");
    write_some(
        &db,
        &[
            "CREATE (:Company {id: 'one', name: 'One'})",
            "CREATE (:Company {id: 'two', name: 'Two'})",
            "CREATE (:Company {id: 'three', name: 'Three'})",
        ],
    );
    let journal = dir.path().join("rec.toml.journal");
    let damaged = std::fs::read_to_string(&journal)
        .unwrap()
        .replacen("'two'", "'twx'", 1);
    std::fs::write(&journal, &damaged).unwrap();
    let data = std::fs::read(&db).unwrap();
    let out = run_binary(&["recover".as_ref(), db.as_os_str()], "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("kept 2 statement(s), left out 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("its statement: CREATE (:Company {id: 'twx'"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), damaged);
    assert_eq!(std::fs::read(&db).unwrap(), data);
    let graph = alliances::datafile::load_files(
        &[dir.path().join("rec.recovered.toml")],
        alliances::model::Schema::Alliance,
    )
    .unwrap();
    assert!(graph.node_by_id("one").is_some() && graph.node_by_id("three").is_some());
    assert!(graph.node_by_id("two").is_none());
    // It never replaces a file.
    let again = run_binary(&["recover".as_ref(), db.as_os_str()], "");
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn saves_and_databases_replace_only_regular_files() {
    let out = run_binary(&["--db".as_ref(), "/dev/null".as_ref()], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a device"));
    assert!(!Path::new("/dev/null.journal").exists());
    let links = tempfile::tempdir().unwrap();
    let link = |name: &str| {
        let path = links.path().join(name);
        std::os::unix::fs::symlink("/dev/null", &path).unwrap();
        path.display().to_string()
    };
    for command in [
        ":export dot /dev/full".to_owned(),
        format!(":save {}", link("null.toml")),
        format!(":export dot {}", link("null.dot")),
    ] {
        let out = run_binary(&[], &format!("{command}\n"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains("a device, not a regular file"),
            "{command}: {stderr}"
        );
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("folder.toml");
    std::fs::create_dir(&folder).unwrap();
    let out = run_binary(&[], &format!(":save {}\n", folder.display()));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a folder, not a regular file"));
    // An empty or cut snapshot is an error, never an empty graph.
    let empty = dir.path().join("empty.alliances");
    std::fs::write(&empty, b"").unwrap();
    let out = run_binary(
        &["stats".as_ref(), "--data".as_ref(), empty.as_os_str()],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
    std::fs::write(&empty, b"alliances snap").unwrap();
    let out = run_binary(
        &["stats".as_ref(), "--data".as_ref(), empty.as_os_str()],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
}

fn query_db(db: &Path, extra: &[&str], text: &str) -> std::process::Output {
    let mut args: Vec<&std::ffi::OsStr> = vec!["query".as_ref(), "--db".as_ref(), db.as_os_str()];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    args.push(text.as_ref());
    run_binary(&args, "")
}

#[test]
fn a_set_after_a_fold_lands_on_the_element_it_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r1.toml");
    query_db(
        &db,
        &[],
        "UNWIND ['a','b','c','d'] AS x CREATE (:Company {id: x, name: toUpper(x)})",
    );
    // A delete leaves a gap; the save renumbers what follows it; the set comes after.
    let mut child = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .arg("--db")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(
            b"MATCH (n {id: 'a'}) DELETE n;\n:save\nMATCH (n {id: 'c'}) SET n.sector = 'chips';\n",
        )
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(Ok(line)) = lines.next() {
        if line.contains("set 1 property") {
            break;
        }
    }
    // Acknowledged: now the process dies without its closing fold.
    child.kill().unwrap();
    child.wait().unwrap();
    let out = query_db(
        &db,
        &["--read-only", "--format", "csv"],
        "MATCH (n) RETURN n.id, n.sector ORDER BY n.id",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "n.id,n.sector\nb,\nc,chips\nd,\n"
    );
}

#[test]
fn a_second_writer_through_data_write_is_refused_and_the_first_keeps_its_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_alliances"))
        .arg("--db")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"CREATE (:Company {id:'a', name:'A'});\n")
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().contains("created 1 node"));
    let second = run_binary(
        &[
            "query".as_ref(),
            "--data".as_ref(),
            db.as_os_str(),
            "--write".as_ref(),
            "CREATE (:Company {id:'w', name:'W'})".as_ref(),
        ],
        "",
    );
    assert_eq!(second.status.code(), Some(2));
    child.kill().unwrap();
    child.wait().unwrap();
    let out = query_db(
        &db,
        &["--read-only", "--format", "csv"],
        "MATCH (n) RETURN n.id",
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "n.id\na\n");
}

#[test]
fn an_open_schema_database_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("so.alliances");
    let out = query_db(&db, &["--schema", "open"], "CREATE (:Thing {name: 'a'})");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = query_db(
        &db,
        &["--schema", "open", "--format", "csv"],
        "MATCH (n) RETURN count(n) AS c",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "c\n1\n");
}

#[test]
fn a_journal_record_that_breaks_a_rule_is_not_replayed() {
    use alliances::db::journal;
    use alliances::store::Change;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rule.toml");
    write_some(&db, &["CREATE (:Company {id: 'one', name: 'One'})"]);
    // A record no statement could have written: a company without a name.
    let path = dir.path().join("rule.toml.journal");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(
        journal::record(
            "forged",
            &[],
            &[Change::AddNode {
                id: 1,
                labels: vec!["Company".into()],
                props: vec![("id".into(), alliances::model::Value::String("two".into()))],
            }],
        )
        .as_bytes(),
    );
    std::fs::write(&path, &bytes).unwrap();
    let error = open(&db).unwrap_err();
    assert!(matches!(error, DbError::Misfit { .. }), "{error}");
    assert!(error.to_string().contains("breaks a rule"), "{error}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the journal is untouched"
    );
}

#[test]
fn a_constraint_survives_reopening_and_still_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.toml");
    write_some(
        &db,
        &[
            "CREATE CONSTRAINT company_ticker FOR (c:Company) REQUIRE c.ticker IS UNIQUE",
            "CREATE (:Company {name: 'One', ticker: 'ONE'})",
        ],
    );
    let (mut database, mut graph, recovery) = open(&db).unwrap();
    assert_eq!(recovery.replayed, 2);
    let shown = query::execute(&graph, "SHOW CONSTRAINTS", &Params::new()).unwrap();
    assert_eq!(shown[0].rows.len(), 1);
    assert_eq!(shown[0].rows[0][0].to_string(), "\"company_ticker\"");
    let text = "CREATE (:Company {name: 'Two', ticker: 'ONE'})";
    let parsed = query::parse(text).unwrap();
    let error = query::prepare(&graph, text, &parsed[0])
        .unwrap()
        .run_mut_with(&mut graph, &Params::new(), &mut |witnesses, changes| {
            Ok(database.append(text, witnesses, changes)?)
        })
        .unwrap_err();
    assert!(error.message.contains("company_ticker"), "{error}");
    let count =
        query::execute(&graph, "MATCH (n:Company) RETURN count(n)", &Params::new()).unwrap();
    assert_eq!(
        count[0].rows[0][0].to_string(),
        "1",
        "the refused write left nothing"
    );
    drop(database);
    // Dropping it is kept too.
    write_some(&db, &["DROP CONSTRAINT company_ticker"]);
    let (_d, graph, _) = open(&db).unwrap();
    let shown = query::execute(&graph, "SHOW CONSTRAINTS", &Params::new()).unwrap();
    assert!(shown[0].rows.is_empty());
}

/// Runs one statement through the database, as the session does.
fn run_one(
    database: &mut Database,
    graph: &mut alliances::Graph,
    text: &str,
) -> Result<(), alliances::query::QueryError> {
    let parsed = query::parse(text).unwrap();
    query::prepare(graph, text, &parsed[0])
        .unwrap()
        .run_mut_with(graph, &Params::new(), &mut |witnesses, changes| {
            Ok(database.append(text, witnesses, changes)?)
        })
        .map(|_| ())
}

#[test]
fn a_folded_constraint_is_kept_in_the_data_file_and_still_refuses_duplicates() {
    for name in ["c.toml", "c.json", "c.alliances"] {
        for schema in [alliances::Schema::Alliance, alliances::Schema::Open] {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join(name);
            let options = DbOptions {
                schema,
                ..DbOptions::default()
            };
            {
                let (mut database, mut graph, _) = Database::open(&db, options.clone()).unwrap();
                for text in [
                    "CREATE CONSTRAINT company_ticker FOR (c:Company) REQUIRE c.ticker IS UNIQUE",
                    "CREATE CONSTRAINT FOR (c:Company) REQUIRE (c.lei, c.isin) IS UNIQUE",
                    "CREATE (:Company {id: 'one', name: 'One', ticker: 'ONE'})",
                ] {
                    run_one(&mut database, &mut graph, text).unwrap();
                }
                database.fold(&mut graph).unwrap();
                assert_eq!(graph.constraints().len(), 2, "{name}: the fold keeps them");
            }
            let (mut database, mut graph, recovery) = Database::open(&db, options.clone()).unwrap();
            assert_eq!(recovery.replayed, 0, "{name}: the journal was folded");
            let names: Vec<&str> = graph
                .constraints()
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            assert_eq!(
                names,
                ["company_ticker", "company_lei_isin"],
                "{name} {schema:?}"
            );
            let error = run_one(
                &mut database,
                &mut graph,
                "CREATE (:Company {id: 'two', name: 'Two', ticker: 'ONE'})",
            )
            .unwrap_err();
            assert!(
                error.message.contains("constraint company_ticker"),
                "{name}: {error}"
            );
            // Dropping one is folded too.
            run_one(&mut database, &mut graph, "DROP CONSTRAINT company_ticker").unwrap();
            database.fold(&mut graph).unwrap();
            drop(database);
            let (mut database, mut graph, _) = Database::open(&db, options).unwrap();
            assert_eq!(graph.constraints().len(), 1, "{name}");
            run_one(
                &mut database,
                &mut graph,
                "CREATE (:Company {id: 'two', name: 'Two', ticker: 'ONE'})",
            )
            .unwrap();
        }
    }
}
