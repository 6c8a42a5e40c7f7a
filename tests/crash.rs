//! The workload users run on a database, attacked: creates, sets, deletes, detach deletes,
//! relationships made and removed, `:save` and automatic folds (at a tiny fold size), through
//! the shell and through `alliances query --db`, SIGKILLed at random moments. Every reopening
//! must succeed and hold exactly the acknowledged statements (and at most the one in flight,
//! whole). A second workload adds uniqueness constraints made and dropped (some refused because
//! the data breaks them), writes and imports a constraint refuses whole, `LOAD CSV`, and
//! imports into the database (`:import jsonl`, `alliances import jsonl|csv --db`): after each
//! kill the constraints acknowledged are there and enforced, the dropped ones gone, and every
//! import wholly there or wholly absent. Also: a journal cut at every offset of its last record, damaged at every offset of
//! its last two, readers opening while a writer checkpoints, and a full disk.
//!
//! `CRASH_TEST_KILLS=N` runs N kills of each front end instead of the default 20 (6 and 12 for the
//! constraint workloads).

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use alliances::db::{self, Database, DbError, DbOptions};
use alliances::query::{self, Params};

/// A source of the built-in dataset, which the databases here start from.
const SOURCE: &str = "innovationsfr-2025-03-21";

/// What the test's companies and their supply ties should be.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Model {
    /// Company number → its sector, if set.
    companies: BTreeMap<u32, Option<String>>,
    /// (from, to, product number).
    links: BTreeSet<(u32, u32, u32)>,
    /// Company number → its `code`, if set.
    codes: BTreeMap<u32, String>,
    /// The names of the uniqueness constraints the database has.
    constraints: BTreeSet<String>,
}

/// A small xorshift generator: the same seed, the same run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// One step of the workload: a statement (with the model after it) or a shell command.
enum Step {
    Statement { text: String, after: Model },
    Save,
}

/// Statements that each change the model, numbered from `first` in their acknowledgements.
struct Workload {
    next_company: u32,
    next_product: u32,
    next_ack: u64,
}

impl Workload {
    fn step(&mut self, rng: &mut Rng, model: &Model, shell: bool) -> Step {
        if shell && rng.below(12) == 0 {
            return Step::Save;
        }
        let mut after = model.clone();
        let ack = self.next_ack;
        self.next_ack += 1;
        let companies: Vec<u32> = model.companies.keys().copied().collect();
        let links: Vec<(u32, u32, u32)> = model.links.iter().copied().collect();
        let choice = if companies.len() < 3 {
            0
        } else {
            rng.below(10)
        };
        let text = match choice {
            // Names carry a multi-byte character, so that cuts fall inside one too.
            0..=2 => {
                let k = self.next_company;
                self.next_company += 1;
                after.companies.insert(k, None);
                format!(
                    "CREATE (:Company {{id: 'c-{k}', name: 'Çompany {k}'}}) RETURN 'ack-{ack}' AS ack"
                )
            }
            3 | 4 => {
                let k = rng.pick(&companies);
                let sector = format!("s{}", rng.below(1000));
                after.companies.insert(k, Some(sector.clone()));
                format!(
                    "MATCH (n:Company {{id: 'c-{k}'}}) SET n.sector = '{sector}' RETURN 'ack-{ack}' AS ack"
                )
            }
            5 | 6 => {
                let a = rng.pick(&companies);
                let b = rng.pick(&companies);
                let p = self.next_product;
                self.next_product += 1;
                after.links.insert((a, b, p));
                format!(
                    "MATCH (a:Company {{id: 'c-{a}'}}), (b:Company {{id: 'c-{b}'}}) CREATE (a)-[:SUPPLIES {{product: 'p{p}', sources: ['{SOURCE}']}}]->(b) RETURN 'ack-{ack}' AS ack"
                )
            }
            7 if !links.is_empty() => {
                let (a, b, p) = rng.pick(&links);
                after.links.remove(&(a, b, p));
                format!(
                    "MATCH (:Company {{id: 'c-{a}'}})-[r:SUPPLIES {{product: 'p{p}'}}]->() DELETE r RETURN 'ack-{ack}' AS ack"
                )
            }
            _ => {
                let k = rng.pick(&companies);
                after.companies.remove(&k);
                let tied = model.links.iter().any(|&(a, b, _)| a == k || b == k);
                after.links.retain(|&(a, b, _)| a != k && b != k);
                let verb = if tied || rng.below(2) == 0 {
                    "DETACH DELETE"
                } else {
                    "DELETE"
                };
                format!("MATCH (n:Company {{id: 'c-{k}'}}) {verb} n RETURN 'ack-{ack}' AS ack")
            }
        };
        Step::Statement { text, after }
    }
}

fn number(text: &str, prefix: &str) -> u32 {
    text.trim_matches('"')
        .strip_prefix(prefix)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text:?} is not {prefix}N"))
}

/// What the database holds of the test's companies and ties.
fn dump(graph: &alliances::Graph) -> Model {
    let params = Params::new();
    let mut model = Model::default();
    let companies = query::execute(
        graph,
        "MATCH (n:Company) WHERE n.id STARTS WITH 'c-' RETURN n.id, n.sector, n.name, n.code",
        &params,
    )
    .expect("the dump runs");
    for row in &companies[0].rows {
        let k = number(&row[0].to_string(), "c-");
        assert_eq!(
            row[2].to_string(),
            format!("\"Çompany {k}\""),
            "c-{k} is whole"
        );
        let sector = match row[1].to_string().as_str() {
            "null" => None,
            s => Some(s.trim_matches('"').to_owned()),
        };
        model.companies.insert(k, sector);
        match row[3].to_string().as_str() {
            "null" => {}
            code => {
                model.codes.insert(k, code.trim_matches('"').to_owned());
            }
        }
    }
    model.constraints = graph.constraints().iter().map(|c| c.name.clone()).collect();
    let links = query::execute(
        graph,
        "MATCH (a:Company)-[r:SUPPLIES]->(b:Company) WHERE a.id STARTS WITH 'c-' RETURN a.id, b.id, r.product",
        &params,
    )
    .expect("the dump runs");
    for row in &links[0].rows {
        model.links.insert((
            number(&row[0].to_string(), "c-"),
            number(&row[1].to_string(), "c-"),
            number(&row[2].to_string(), "p"),
        ));
    }
    model
}

fn kills() -> usize {
    std::env::var("CRASH_TEST_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alliances"))
}

/// Opens the database after a kill (as a writer, which also cuts a torn tail, or as a reader)
/// and checks it holds the acknowledged statements and at most the one in flight.
fn reopen_and_check(
    path: &Path,
    states: &[Model],
    acknowledged: usize,
    round: usize,
    as_reader: bool,
) -> Model {
    let options = DbOptions {
        read_only: as_reader,
        ..DbOptions::default()
    };
    let (_db, graph, _) = Database::open(path, options)
        .unwrap_or_else(|e| panic!("round {round}: the database does not reopen: {e}"));
    let found = dump(&graph);
    let expected = &states[acknowledged];
    if &found == expected {
        return found;
    }
    if states.get(acknowledged + 1) == Some(&found) {
        // The statement in flight had reached the journal whole before the kill.
        return found;
    }
    panic!(
        "round {round}: {acknowledged} statements acknowledged, but the database holds another state\nexpected {expected:?}\nfound {found:?}"
    );
}

fn new_database(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let status = binary()
        .args(["--db"])
        .arg(&path)
        .arg("--from-default")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    path
}

#[test]
fn the_shell_loses_nothing_acknowledged_when_killed() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut acknowledged_total = 0;
    // A data file and a snapshot: both fold by rewriting the whole file.
    for name in ["shell.toml", "shell.alliances"] {
        let path = new_database(dir.path(), name);
        let mut workload = Workload {
            next_company: 0,
            next_product: 0,
            next_ack: 0,
        };
        let mut model = Model::default();
        for round in 0..kills().div_ceil(2) {
            let mut states = vec![model.clone()];
            let mut script = String::from(":format csv\n");
            let first_ack = workload.next_ack;
            for _ in 0..300 {
                match workload.step(&mut rng, states.last().unwrap(), true) {
                    Step::Save => script.push_str(":save\n"),
                    Step::Statement { text, after } => {
                        script.push_str(&text);
                        script.push_str(";\n");
                        states.push(after);
                    }
                }
            }
            let mut child = binary()
                .arg("--db")
                .arg(&path)
                .args(["--fold-at", "4096"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            let stdout = BufReader::new(child.stdout.take().unwrap());
            let stderr = BufReader::new(child.stderr.take().unwrap());
            let writer = std::thread::spawn(move || {
                let _ = stdin.write_all(script.as_bytes());
            });
            let reader = std::thread::spawn(move || {
                stdout
                    .lines()
                    .map_while(Result::ok)
                    .filter_map(|line| line.strip_prefix("ack-").map(|n| n.parse::<u64>().unwrap()))
                    .collect::<Vec<_>>()
            });
            let errors = std::thread::spawn(move || {
                stderr
                    .lines()
                    .map_while(Result::ok)
                    .filter(|l| l.starts_with("error") || l.starts_with("warning"))
                    .collect::<Vec<_>>()
            });
            std::thread::sleep(Duration::from_micros(rng.below(600_000)));
            child.kill().unwrap();
            child.wait().unwrap();
            let _ = writer.join();
            let acks = reader.join().unwrap();
            let errors = errors.join().unwrap();
            assert!(errors.is_empty(), "{name} round {round}: {errors:?}");
            let expected: Vec<u64> = (first_ack..first_ack + acks.len() as u64).collect();
            assert_eq!(
                acks, expected,
                "{name} round {round}: acknowledgements in order"
            );
            model = reopen_and_check(&path, &states, acks.len(), round, round % 3 == 1);
            acknowledged_total += acks.len();
        }
    }
    eprintln!(
        "shell: {} kills, {acknowledged_total} acknowledged statements, 0 lost",
        2 * kills().div_ceil(2)
    );
}

#[test]
fn query_db_loses_nothing_acknowledged_when_killed() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_database(dir.path(), "query.toml");
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut workload = Workload {
        next_company: 0,
        next_product: 0,
        next_ack: 0,
    };
    let mut model = Model::default();
    let mut acknowledged_total = 0;
    for round in 0..kills() {
        // A few statements that finish, then one killed at a random moment: in its statement,
        // its journal write, or the fold at its exit.
        let mut states = vec![model.clone()];
        let mut acknowledged = 0;
        let runs = 1 + rng.below(4);
        for run in 0..runs {
            let Step::Statement { text, after } =
                workload.step(&mut rng, states.last().unwrap(), false)
            else {
                unreachable!("no :save outside the shell");
            };
            states.push(after);
            let mut child = binary()
                .args(["query", "--format", "csv", "--fold-at", "2048", "--db"])
                .arg(&path)
                .arg(&text)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            if run + 1 == runs {
                std::thread::sleep(Duration::from_micros(rng.below(40_000)));
                child.kill().unwrap();
            }
            let out = child.wait_with_output().unwrap();
            if String::from_utf8_lossy(&out.stdout).contains("ack-") {
                assert!(run + 1 == runs || out.status.success());
                acknowledged += 1;
            } else {
                assert!(
                    run + 1 == runs,
                    "round {round}: a statement that was not killed failed"
                );
            }
        }
        model = reopen_and_check(&path, &states, acknowledged, round, round % 2 == 1);
        acknowledged_total += acknowledged;
    }
    eprintln!(
        "query --db: {} kills, {acknowledged_total} acknowledged statements, 0 lost",
        kills()
    );
}

/// Runs `statements` on a database through the library, each acknowledged in turn, and
/// returns the journal's record offsets (start of each record) and the models after each.
fn journal_of(path: &Path, statements: &[(&str, Model)]) -> Vec<u64> {
    let (mut database, mut graph, _) = Database::open(path, DbOptions::default()).unwrap();
    let mut offsets = Vec::new();
    let journal = db::journal_path(path);
    for (text, _) in statements {
        offsets.push(std::fs::metadata(&journal).unwrap().len());
        let parsed = query::parse(text).unwrap();
        query::prepare(&graph, text, &parsed[0])
            .unwrap()
            .run_mut_with(&mut graph, &Params::new(), &mut |witnesses, changes| {
                Ok(database.append(text, witnesses, changes)?)
            })
            .unwrap();
    }
    // Closed without a fold, as a killed process leaves it.
    drop(database);
    offsets
}

/// A database, its statements with the model after each, its journal's bytes, and where each
/// record starts.
struct Fixture {
    path: std::path::PathBuf,
    statements: Vec<(String, Model)>,
    journal: Vec<u8>,
    offsets: Vec<u64>,
}

fn damage_fixture(dir: &Path) -> Fixture {
    // An empty database, so that thousands of openings stay quick.
    let path = dir.join("d.toml");
    let mut statements: Vec<(String, Model)> = Vec::new();
    let mut model = Model::default();
    for k in 0..3 {
        model.companies.insert(k, None);
        statements.push((
            format!("CREATE (:Company {{id: 'c-{k}', name: 'Çompany {k}'}})"),
            model.clone(),
        ));
    }
    model.companies.insert(1, Some("chips".into()));
    statements.push((
        "MATCH (n:Company {id: 'c-1'}) SET n.sector = 'chips'".into(),
        model.clone(),
    ));
    model.companies.remove(&0);
    statements.push((
        "MATCH (n:Company {id: 'c-0'}) DELETE n".into(),
        model.clone(),
    ));
    // The last two stand alone, so that losing one leaves the other applicable.
    for k in [10, 11] {
        model.companies.insert(k, None);
        statements.push((
            format!("CREATE (:Company {{id: 'c-{k}', name: 'Çompany {k}'}})"),
            model.clone(),
        ));
    }
    let refs: Vec<(&str, Model)> = statements
        .iter()
        .map(|(t, m)| (t.as_str(), m.clone()))
        .collect();
    let offsets = journal_of(&path, &refs);
    let journal = std::fs::read(db::journal_path(&path)).unwrap();
    Fixture {
        path,
        statements,
        journal,
        offsets,
    }
}

#[test]
fn a_journal_cut_anywhere_in_its_last_record_opens_with_every_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let Fixture {
        path,
        statements,
        journal,
        offsets,
    } = damage_fixture(dir.path());
    let journal_path = db::journal_path(&path);
    let last = *offsets.last().unwrap() as usize;
    let n = statements.len();
    for cut in last..journal.len() {
        std::fs::write(&journal_path, &journal[..cut]).unwrap();
        let (_db, graph, recovery) = Database::open(&path, DbOptions::default())
            .unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        assert_eq!(recovery.replayed, n - 1, "cut at {cut}");
        assert_eq!(recovery.torn, cut > last, "cut at {cut}");
        assert_eq!(dump(&graph), statements[n - 2].1, "cut at {cut}");
        drop(_db);
        // The writer cut the torn tail off: what is left is the sound part.
        assert_eq!(
            std::fs::read(&journal_path).unwrap(),
            journal[..last],
            "cut at {cut}"
        );
    }
}

#[test]
fn a_journal_damaged_anywhere_in_its_last_records_refuses_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let Fixture {
        path,
        statements,
        journal,
        offsets,
    } = damage_fixture(dir.path());
    let journal_path = db::journal_path(&path);
    let n = statements.len();
    let start = offsets[n - 2] as usize;
    let data = std::fs::read(&path).unwrap();
    let mut recovered = 0;
    for at in start..journal.len() {
        for damage in [0x01u8, 0x20, 0xff] {
            let mut bytes = journal.clone();
            bytes[at] ^= damage;
            std::fs::write(&journal_path, &bytes).unwrap();
            let record = if at >= offsets[n - 1] as usize {
                n - 1
            } else {
                n - 2
            };
            match Database::open(&path, DbOptions::default()) {
                Ok((_db, graph, _)) => {
                    // Only acceptable when every acknowledged record is there.
                    assert_eq!(dump(&graph), statements[n - 1].1, "byte {at} ^ {damage:#x}");
                    continue;
                }
                Err(DbError::Damaged { offset, .. }) => {
                    assert_eq!(
                        offset, offsets[record],
                        "byte {at} ^ {damage:#x}: the damaged record's offset"
                    );
                }
                Err(e) => panic!("byte {at} ^ {damage:#x}: {e}"),
            }
            assert_eq!(
                std::fs::read(&journal_path).unwrap(),
                bytes,
                "the journal is untouched"
            );
            assert_eq!(
                std::fs::read(&path).unwrap(),
                data,
                "the data file is untouched"
            );
            // Recovery keeps every intact record: all but the damaged one.
            let output = dir.path().join(format!("out-{at}-{damage}.toml"));
            let salvage = db::recover(&path, Some(&output), &DbOptions::default()).unwrap();
            assert_eq!(salvage.kept, n - 1, "byte {at} ^ {damage:#x}");
            let graph = alliances::datafile::load_files(
                std::slice::from_ref(&output),
                alliances::model::Schema::Alliance,
            )
            .unwrap();
            let mut expected = statements[n - 1].1.clone();
            expected
                .companies
                .remove(&(if record == n - 1 { 11 } else { 10 }));
            assert_eq!(dump(&graph), expected, "byte {at} ^ {damage:#x}");
            std::fs::remove_file(&output).unwrap();
            recovered += 1;
        }
    }
    assert!(recovered > 0);
    // A hole of zeros over the last record is damage too, or a torn tail the size of what was
    // never acknowledged; never a silent loss of the record before it.
    let mut bytes = journal.clone();
    for b in &mut bytes[offsets[n - 1] as usize..] {
        *b = 0;
    }
    std::fs::write(&journal_path, &bytes).unwrap();
    match Database::open(
        &path,
        DbOptions {
            read_only: true,
            ..DbOptions::default()
        },
    ) {
        Ok((_db, graph, _)) => assert_eq!(dump(&graph), statements[n - 2].1),
        Err(DbError::Damaged { offset, .. }) => assert_eq!(offset, offsets[n - 1]),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn readers_opening_during_checkpoints_see_every_acknowledged_statement() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.toml");
    let options = DbOptions {
        from_default: true,
        fold_bytes: 1024,
        ..DbOptions::default()
    };
    let (mut database, mut graph, _) = Database::open(&path, options).unwrap();
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (acknowledged, done, path) =
                (Arc::clone(&acknowledged), Arc::clone(&done), path.clone());
            std::thread::spawn(move || {
                let mut opens = 0;
                while !done.load(Ordering::SeqCst) {
                    let before = acknowledged.load(Ordering::SeqCst);
                    let (_db, graph, _) = Database::open(
                        &path,
                        DbOptions {
                            read_only: true,
                            ..DbOptions::default()
                        },
                    )
                    .unwrap_or_else(|e| panic!("a reader failed to open: {e}"));
                    let seen = dump(&graph);
                    let n = seen.companies.len();
                    assert!(
                        n >= before,
                        "a reader saw {n} statements when {before} were acknowledged"
                    );
                    let prefix: BTreeMap<u32, Option<String>> =
                        (0..n as u32).map(|k| (k, None)).collect();
                    assert_eq!(
                        seen.companies, prefix,
                        "a reader saw a state no statement left"
                    );
                    opens += 1;
                }
                opens
            })
        })
        .collect();
    let mut folds = 0;
    for k in 0..300 {
        let text = format!("CREATE (:Company {{id: 'c-{k}', name: 'Çompany {k}'}})");
        let parsed = query::parse(&text).unwrap();
        query::prepare(&graph, &text, &parsed[0])
            .unwrap()
            .run_mut_with(&mut graph, &Params::new(), &mut |witnesses, changes| {
                Ok(database.append(&text, witnesses, changes)?)
            })
            .unwrap();
        acknowledged.fetch_add(1, Ordering::SeqCst);
        if database.wants_fold() {
            database.fold(&mut graph).unwrap();
            folds += 1;
        }
    }
    done.store(true, Ordering::SeqCst);
    let opens: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(folds >= 10, "{folds} checkpoints");
    assert!(opens >= 10, "{opens} openings");
    eprintln!("{opens} readers' openings across {folds} checkpoints");
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_disk_refuses_statements_and_keeps_every_acknowledged_one() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = dir.path().join("tiny");
    std::fs::create_dir(&tiny).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=192k", "tmpfs"])
        .arg(&tiny)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tiny tmpfs here (needs root)");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&tiny);
    let path = new_database(&tiny, "full.toml");
    let mut script = String::from(":format csv\n");
    for k in 0..3000 {
        script.push_str(&format!(
            "CREATE (:Company {{id: 'c-{k}', name: 'Çompany {k}'}}) RETURN 'ack-{k}' AS ack;\n"
        ));
    }
    let mut child = binary()
        .arg("--db")
        .arg(&path)
        .args(["--fold-at", "16384", "--continue-on-error"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(script.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let acks: BTreeSet<u32> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ack-"))
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(
        stderr.to_lowercase().contains("no space"),
        "the disk filled up: {}",
        stderr.lines().take(5).collect::<Vec<_>>().join("\n")
    );
    assert!(
        acks.len() < 3000 && !acks.is_empty(),
        "{} acknowledged",
        acks.len()
    );
    let (_db, graph, _) = Database::open(
        &path,
        DbOptions {
            read_only: true,
            ..DbOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("a database on a full disk reopens: {e}"));
    let found: BTreeSet<u32> = dump(&graph).companies.keys().copied().collect();
    assert_eq!(found, acks, "exactly the acknowledged statements are kept");
}

/// The constraints the rich workload makes and drops: (name, `REQUIRE` clause).
const CONSTRAINTS: [(&str, &str); 2] = [
    ("company_code", "n.code IS UNIQUE"),
    ("company_code_sector", "(n.code, n.sector) IS UNIQUE"),
];

/// Whether `model`'s companies break one of its constraints.
fn breaks_constraints(model: &Model) -> bool {
    let mut codes = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    for (k, code) in &model.codes {
        if model.constraints.contains("company_code") && !codes.insert(code) {
            return true;
        }
        if let Some(Some(sector)) = model.companies.get(k)
            && model.constraints.contains("company_code_sector")
            && !pairs.insert((code, sector))
        {
            return true;
        }
    }
    false
}

/// One step of the rich workload: the shell lines (or the command-line run) that do it, and the
/// model after it, or none when a constraint refuses it whole.
struct RichStep {
    /// What the shell is given; its last statement prints `ack-N` when it is accepted.
    script: String,
    /// The same step as a run of `alliances`: its arguments before `--db DB` (and the statement
    /// after it, for `query`).
    command: Vec<String>,
    after: Option<Model>,
}

/// Statements, constraints made and dropped, `LOAD CSV` and imports, some refused by a
/// constraint; the files they read are written into `dir`.
struct RichWorkload {
    dir: std::path::PathBuf,
    next_company: u32,
    next_product: u32,
    next_ack: u64,
    next_file: u32,
}

fn code(rng: &mut Rng) -> Option<String> {
    (rng.below(4) != 0).then(|| format!("k{}", rng.below(12)))
}

impl RichWorkload {
    fn new(dir: &Path) -> RichWorkload {
        RichWorkload {
            dir: dir.to_owned(),
            next_company: 0,
            next_product: 0,
            next_ack: 0,
            next_file: 0,
        }
    }

    fn fresh(&mut self) -> u32 {
        self.next_company += 1;
        self.next_company - 1
    }

    fn file(&mut self, extension: &str) -> std::path::PathBuf {
        self.next_file += 1;
        self.dir
            .join(format!("in-{}.{extension}", self.next_file - 1))
    }

    fn step(&mut self, rng: &mut Rng, model: &Model) -> RichStep {
        let mut after = model.clone();
        let companies: Vec<u32> = model.companies.keys().copied().collect();
        let choice = if companies.len() < 3 {
            rng.pick(&[0, 10, 11, 12])
        } else {
            rng.below(15)
        };
        // The acknowledgement this step prints if it is accepted.
        let ack = self.next_ack;
        // Where a step that cannot return rows is followed by a statement printing its `ack`.
        let marker = "MARKER";
        let (script, command) = match choice {
            0 | 1 => {
                let k = self.fresh();
                after.companies.insert(k, None);
                let code = code(rng);
                let property = match &code {
                    Some(c) => {
                        after.codes.insert(k, c.clone());
                        format!(", code: '{c}'")
                    }
                    None => String::new(),
                };
                let text = format!(
                    "CREATE (:Company {{id: 'c-{k}', name: 'Çompany {k}'{property}}}) RETURN 'ack-{ack}' AS ack"
                );
                (format!("{text};\n"), vec!["query".into(), text])
            }
            2 | 3 => {
                let k = rng.pick(&companies);
                let sector = format!("s{}", rng.below(4));
                after.companies.insert(k, Some(sector.clone()));
                let text = format!(
                    "MATCH (n:Company {{id: 'c-{k}'}}) SET n.sector = '{sector}' RETURN 'ack-{ack}' AS ack"
                );
                (format!("{text};\n"), vec!["query".into(), text])
            }
            4 | 5 => {
                let k = rng.pick(&companies);
                let text = match code(rng) {
                    Some(c) => {
                        after.codes.insert(k, c.clone());
                        format!(
                            "MATCH (n:Company {{id: 'c-{k}'}}) SET n.code = '{c}' RETURN 'ack-{ack}' AS ack"
                        )
                    }
                    None => {
                        after.codes.remove(&k);
                        format!(
                            "MATCH (n:Company {{id: 'c-{k}'}}) REMOVE n.code RETURN 'ack-{ack}' AS ack"
                        )
                    }
                };
                (format!("{text};\n"), vec!["query".into(), text])
            }
            6 => {
                let (a, b) = (rng.pick(&companies), rng.pick(&companies));
                let p = self.next_product;
                self.next_product += 1;
                after.links.insert((a, b, p));
                let text = format!(
                    "MATCH (a:Company {{id: 'c-{a}'}}), (b:Company {{id: 'c-{b}'}}) CREATE (a)-[:SUPPLIES {{product: 'p{p}', sources: ['{SOURCE}']}}]->(b) RETURN 'ack-{ack}' AS ack"
                );
                (format!("{text};\n"), vec!["query".into(), text])
            }
            7 => {
                let k = rng.pick(&companies);
                after.companies.remove(&k);
                after.codes.remove(&k);
                after.links.retain(|&(a, b, _)| a != k && b != k);
                let text = format!(
                    "MATCH (n:Company {{id: 'c-{k}'}}) DETACH DELETE n RETURN 'ack-{ack}' AS ack"
                );
                (format!("{text};\n"), vec!["query".into(), text])
            }
            8 | 9 => {
                let (name, require) = rng.pick(&CONSTRAINTS);
                let text = if model.constraints.contains(name) {
                    if rng.below(2) == 0 {
                        // Refused: the name is taken.
                        format!("CREATE CONSTRAINT {name} FOR (n:Company) REQUIRE {require}")
                    } else {
                        format!(
                            "CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:Company) REQUIRE {require}"
                        )
                    }
                } else {
                    after.constraints.insert(name.to_owned());
                    format!("CREATE CONSTRAINT {name} FOR (n:Company) REQUIRE {require}")
                };
                if model.constraints.contains(name) && !text.contains("IF NOT EXISTS") {
                    return RichStep {
                        script: format!("{text};\n"),
                        command: vec!["query".into(), text],
                        after: None,
                    };
                }
                (format!("{text};\n{marker};\n"), vec!["query".into(), text])
            }
            10 => {
                let (name, _) = rng.pick(&CONSTRAINTS);
                let text = if after.constraints.remove(name) {
                    format!("DROP CONSTRAINT {name}")
                } else {
                    format!("DROP CONSTRAINT {name} IF EXISTS")
                };
                (format!("{text};\n{marker};\n"), vec!["query".into(), text])
            }
            11 => {
                // LOAD CSV of a few new companies; an empty code is none.
                let path = self.file("csv");
                let mut csv = String::from("id,name,code\n");
                for _ in 0..1 + rng.below(3) {
                    let k = self.fresh();
                    after.companies.insert(k, None);
                    let c = code(rng);
                    if let Some(c) = &c {
                        after.codes.insert(k, c.clone());
                    }
                    csv.push_str(&format!("c-{k},Çompany {k},{}\n", c.unwrap_or_default()));
                }
                std::fs::write(&path, csv).unwrap();
                let text = format!(
                    "LOAD CSV WITH HEADERS FROM 'file://{}' AS row CREATE (:Company {{id: row.id, name: row.name, code: row.code}}) WITH count(*) AS n RETURN 'ack-{ack}' AS ack",
                    path.display()
                );
                (format!("{text};\n"), vec!["query".into(), text])
            }
            _ => {
                // An import of a few new companies, tied together in JSON lines, or listed in
                // a CSV file read with a mapping.
                let mut made = Vec::new();
                for _ in 0..1 + rng.below(3) {
                    let k = self.fresh();
                    after.companies.insert(k, None);
                    let c = code(rng);
                    if let Some(c) = &c {
                        after.codes.insert(k, c.clone());
                    }
                    made.push((k, c));
                }
                if rng.below(3) == 0 {
                    let path = self.file("csv");
                    let mut csv = String::from("id,name,code\n");
                    for (k, c) in &made {
                        csv.push_str(&format!(
                            "c-{k},Çompany {k},{}\n",
                            c.clone().unwrap_or_default()
                        ));
                    }
                    std::fs::write(&path, csv).unwrap();
                    let maps = [
                        "--map",
                        "id=id",
                        "--map",
                        "name=name",
                        "--map",
                        "fixed.kind=company",
                    ];
                    let mut command: Vec<String> = vec!["import".into(), "csv".into()];
                    command.push(path.display().to_string());
                    command.extend(maps.iter().map(|m| m.to_string()));
                    let script = format!(
                        ":import csv {} {} --accept-losses\n{marker};\n",
                        path.display(),
                        maps.join(" ")
                    );
                    (script, command)
                } else {
                    let path = self.file("jsonl");
                    let mut lines = String::new();
                    for (k, c) in &made {
                        let code = c
                            .as_ref()
                            .map(|c| format!(",\"code\":\"{c}\""))
                            .unwrap_or_default();
                        lines.push_str(&format!(
                            "{{\"id\":\"c-{k}\",\"labels\":[\"Company\"],\"properties\":{{\"id\":\"c-{k}\",\"name\":\"Çompany {k}\"{code}}},\"type\":\"node\"}}\n"
                        ));
                    }
                    if let [(a, _), (b, _), ..] = made.as_slice() {
                        let p = self.next_product;
                        self.next_product += 1;
                        after.links.insert((*a, *b, p));
                        lines.push_str(&format!(
                            "{{\"end\":{{\"id\":\"c-{b}\",\"labels\":[\"Company\"]}},\"id\":\"0\",\"label\":\"SUPPLIES\",\"properties\":{{\"product\":\"p{p}\",\"sources\":[\"{SOURCE}\"]}},\"start\":{{\"id\":\"c-{a}\",\"labels\":[\"Company\"]}},\"type\":\"relationship\"}}\n"
                        ));
                    }
                    std::fs::write(&path, lines).unwrap();
                    (
                        format!(
                            ":import jsonl {} --accept-losses\n{marker};\n",
                            path.display()
                        ),
                        vec!["import".into(), "jsonl".into(), path.display().to_string()],
                    )
                }
            }
        };
        let refused = breaks_constraints(&after);
        if !refused {
            self.next_ack += 1;
        }
        let ack_line = if refused {
            String::new()
        } else {
            format!("RETURN 'ack-{ack}' AS ack;\n")
        };
        RichStep {
            script: script.replace("MARKER;\n", &ack_line),
            command,
            after: (!refused).then_some(after),
        }
    }
}

/// The refusals a database must give after a reopening: a write that breaks a constraint
/// acknowledged is refused; the same write is accepted once the constraint was dropped.
fn check_enforced(path: &Path, model: &Model, round: usize) {
    let (_db, mut graph, _) = Database::open(
        path,
        DbOptions {
            read_only: true,
            ..DbOptions::default()
        },
    )
    .unwrap();
    let mut try_write = |text: &str| {
        let parsed = query::parse(text).unwrap();
        query::prepare(&graph, text, &parsed[0])
            .unwrap()
            .run_mut_with(&mut graph, &Params::new(), &mut |_, _| Ok(()))
            .is_ok()
    };
    // Another company with a code already there, in a sector of its own.
    if let Some(code) = model.codes.values().next() {
        let accepted = try_write(&format!(
            "CREATE (:Company {{id: 'probe-1', name: 'Probe 1', code: '{code}', sector: 'probe'}})"
        ));
        assert_eq!(
            accepted,
            !model.constraints.contains("company_code"),
            "round {round}: a second company of code {code} with {:?}",
            model.constraints
        );
    }
}

/// Runs the shell on `script`, kills it after `wait`, and returns its acknowledgements and the
/// first lines of its error messages.
fn run_shell_killed(path: &Path, script: String, wait: Duration) -> (Vec<u64>, Vec<String>) {
    let mut child = binary()
        .arg("--db")
        .arg(path)
        .args(["--fold-at", "4096", "--continue-on-error"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(script.as_bytes());
    });
    let reader = std::thread::spawn(move || {
        stdout
            .lines()
            .map_while(Result::ok)
            .filter_map(|line| line.strip_prefix("ack-").map(|n| n.parse::<u64>().unwrap()))
            .collect::<Vec<_>>()
    });
    let errors = std::thread::spawn(move || {
        stderr
            .lines()
            .map_while(Result::ok)
            .filter(|l| !l.is_empty() && !l.starts_with(' ') && !l.starts_with("warning"))
            // An import's report, a fold's note and an opening's (a journal set aside after a
            // kill in a checkpoint) are not errors.
            .filter(|l| {
                let report = [
                    "read ",
                    "imported",
                    "saved the journal",
                    "nothing was lost",
                    "note:",
                ];
                let counts = l.starts_with(|c: char| c.is_ascii_digit()) && l.contains(" added");
                !(counts || report.iter().any(|r| l.starts_with(r)))
            })
            .collect::<Vec<_>>()
    });
    std::thread::sleep(wait);
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = writer.join();
    (reader.join().unwrap(), errors.join().unwrap())
}

/// Whether an error message is a constraint's refusal.
fn is_refusal(line: &str) -> bool {
    line.starts_with("rule broken [unique-constraint]")
        || line.contains("exists already")
        || line.starts_with("error: the imported records break the model's rules")
}

#[test]
fn the_shell_keeps_constraints_loads_and_imports_when_killed() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0xd1b5_4a32_d192_ed03);
    let (mut acknowledged_total, mut refused_total) = (0, 0);
    let rounds = std::env::var("CRASH_TEST_KILLS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(6);
    for name in ["rich.toml", "rich.alliances"] {
        let path = new_database(dir.path(), name);
        let mut workload = RichWorkload::new(dir.path());
        let mut model = Model::default();
        for round in 0..rounds.div_ceil(2) {
            let mut states = vec![model.clone()];
            // For each step: how many accepted steps come before it, and whether it is refused.
            let mut steps: Vec<(usize, bool)> = Vec::new();
            let mut script = String::from(":format csv\n");
            let first_ack = workload.next_ack;
            for _ in 0..120 {
                if rng.below(10) == 0 {
                    script.push_str(":save\n");
                    continue;
                }
                let step = workload.step(&mut rng, states.last().unwrap());
                script.push_str(&step.script);
                steps.push((states.len() - 1, step.after.is_none()));
                if let Some(after) = step.after {
                    states.push(after);
                }
            }
            let wait = Duration::from_micros(rng.below(1_500_000));
            let (acks, errors) = run_shell_killed(&path, script, wait);
            let expected: Vec<u64> = (first_ack..first_ack + acks.len() as u64).collect();
            assert_eq!(
                acks, expected,
                "{name} round {round}: acknowledgements in order"
            );
            let unexpected: Vec<&String> = errors.iter().filter(|l| !is_refusal(l)).collect();
            assert!(
                unexpected.is_empty(),
                "{name} round {round}: {unexpected:?}"
            );
            // Every refusal before the last acknowledged step was told, and none after the
            // first step not acknowledged. A statement breaking a constraint twice is told
            // twice, at its one line.
            let told: BTreeSet<String> = errors
                .iter()
                .enumerate()
                .map(|(i, l)| match l.split_once(" at line ") {
                    Some((_, at)) => at.split(',').next().unwrap_or_default().to_owned(),
                    None => format!("message {i}"),
                })
                .collect();
            let n = acks.len();
            let at_least = steps
                .iter()
                .filter(|&&(before, refused)| refused && before < n)
                .count();
            let at_most = steps
                .iter()
                .filter(|&&(before, refused)| refused && before <= n)
                .count();
            assert!(
                (at_least..=at_most).contains(&told.len()),
                "{name} round {round}: {} refusals told, {at_least}..={at_most} expected: {errors:?}",
                told.len()
            );
            model = reopen_and_check(&path, &states, n, round, round % 3 == 1);
            check_enforced(&path, &model, round);
            acknowledged_total += n;
            refused_total += told.len();
        }
    }
    assert!(refused_total > 0, "no write was refused");
    eprintln!(
        "shell with constraints, LOAD CSV and imports: {} kills, {acknowledged_total} acknowledged steps, {refused_total} refused, 0 lost",
        2 * rounds.div_ceil(2)
    );
}

#[test]
fn query_and_import_into_db_keep_constraints_when_killed() {
    let dir = tempfile::tempdir().unwrap();
    let path = new_database(dir.path(), "runs.toml");
    let mut rng = Rng(0x6a09_e667_f3bc_c908);
    let mut workload = RichWorkload::new(dir.path());
    let mut model = Model::default();
    let (mut acknowledged_total, mut refused_total, mut imports) = (0, 0, 0);
    let rounds = std::env::var("CRASH_TEST_KILLS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(12);
    for round in 0..rounds {
        // A few runs that finish, then one killed at a random moment.
        let mut states = vec![model.clone()];
        let runs = 3 + rng.below(6);
        for run in 0..runs {
            let step = workload.step(&mut rng, states.last().unwrap());
            let mut command = binary();
            match step.command.split_first() {
                Some((verb, rest)) if verb == "query" => {
                    command
                        .args(["query", "--format", "csv", "--fold-at", "2048", "--db"])
                        .arg(&path)
                        .args(rest);
                }
                _ => {
                    imports += 1;
                    command
                        .args(&step.command)
                        .arg("--db")
                        .arg(&path)
                        .arg("--accept-losses");
                }
            }
            let child = command
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let last = run + 1 == runs;
            let mut child = child;
            if last {
                std::thread::sleep(Duration::from_micros(rng.below(150_000)));
                child.kill().unwrap();
            }
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            // How many steps of the round were acknowledged, and whether one more is in flight.
            let mut in_flight = false;
            match &step.after {
                Some(after) => {
                    assert!(
                        last || out.status.success(),
                        "round {round}: an accepted step failed: {stderr}"
                    );
                    in_flight = !out.status.success();
                    states.push(after.clone());
                }
                None => {
                    assert!(
                        !out.status.success(),
                        "round {round}: a refused step succeeded: {:?}",
                        step.command
                    );
                    let told = stderr.lines().any(is_refusal);
                    assert!(
                        told || last,
                        "round {round}: {:?} failed otherwise: {stderr}",
                        step.command
                    );
                    refused_total += usize::from(told);
                }
            }
            if last {
                let acknowledged = states.len() - 1 - usize::from(in_flight);
                model = reopen_and_check(&path, &states, acknowledged, round, round % 2 == 1);
                check_enforced(&path, &model, round);
                acknowledged_total += acknowledged;
            }
        }
    }
    assert!(
        refused_total > 0 && imports > 0,
        "{refused_total} refused, {imports} imports"
    );
    eprintln!(
        "query and import --db with constraints: {rounds} kills, {acknowledged_total} acknowledged runs ({imports} imports), {refused_total} refused, 0 lost"
    );
}
