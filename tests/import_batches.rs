//! A CSV import is added to the graph a few rows at a time, so that millions of rows never
//! sit in memory as records at once. However the rows are cut into batches, the import gives
//! the graph and the report (or the refusal, with its problems) that reading the whole input
//! first gives: ties repeated across batches merge, rules broken are reported the same way,
//! and what merges with the graph already there takes the whole-input way.

use std::fmt::Write as _;
use std::path::Path;

use alliances::session::Session;
use proptest::prelude::*;

#[path = "common/importing.rs"]
mod importing;

const BASE: &str = r#"
[[source]]
id = "s1"
title = "A register"
publisher = "A registry"

[[entity]]
id = "a0"
name = "Alpha Holdings"
kind = "company"
sources = ["s1"]

[[entity]]
id = "a1"
name = "Beta Capital"
kind = "fund"
sources = ["s1"]
"#;

fn session(tied: bool) -> Session {
    importing::session(BASE, tied)
}

/// What an import did: the report and the graph's records, or the refusal.
fn outcome(session: &mut Session, path: &Path, map: &[&str], batch_rows: Option<usize>) -> String {
    importing::outcome(session, path, &importing::same_names(map), batch_rows).0
}

#[derive(Clone, Debug)]
struct Firm {
    kind: usize,
    /// Another firm's name, when Some: a clash the import refuses.
    name_of: Option<usize>,
}

#[derive(Clone, Debug)]
struct Tie {
    from: usize,
    to: usize,
    rel_type: usize,
    amount: usize,
    date: usize,
    source: usize,
    note: usize,
}

/// Mostly kinds every type joins: a person supplies nothing, and the import is refused.
const KINDS: &[&str] = &["company", "fund", "company", "company", "person"];
const TYPES: &[&str] = &["invests-in", "supplies", "partners-with"];
const AMOUNTS: &[&str] = &["", "5", "5.0", "7"];
const DATES: &[&str] = &["", "2024-01-01", "2024-03"];
/// `s1` is cited by the base graph under another title: a row citing it merges.
const SOURCES: &[&str] = &[
    "",
    "register-b",
    "https://example.org/a",
    "register-b;https://example.org/a",
    "",
    "s1",
];
const NOTES: &[&str] = &["", "first round"];

fn firm() -> impl Strategy<Value = Firm> {
    (0..KINDS.len(), prop::option::weighted(0.05, 0..usize::MAX))
        .prop_map(|(kind, name_of)| Firm { kind, name_of })
}

fn tie() -> impl Strategy<Value = Tie> {
    (
        0..usize::MAX,
        0..usize::MAX,
        0..TYPES.len(),
        0..AMOUNTS.len(),
        0..DATES.len(),
        0..SOURCES.len(),
        0..NOTES.len(),
    )
        .prop_map(|(from, to, rel_type, amount, date, source, note)| Tie {
            from,
            to,
            rel_type,
            amount,
            date,
            source,
            note,
        })
}

/// The ids a ties file may name: the base's, the imported firms', and rarely one nothing
/// holds.
fn end(firms: usize, pick: usize) -> String {
    match pick % (firms + 3) {
        0 => "a0".to_owned(),
        1 => "a1".to_owned(),
        2 if pick.is_multiple_of(23) => "nobody".to_owned(),
        2 => "a0".to_owned(),
        n => format!("n{}", n - 3),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn batches_give_what_the_whole_input_gives(
        firms in prop::collection::vec(firm(), 0..12),
        // Rows drawn from a few ties, so that the same tie comes back in later batches.
        pool in prop::collection::vec(tie(), 1..10),
        picks in prop::collection::vec(any::<usize>(), 0..40),
        tied in any::<bool>(),
    ) {
        let ties: Vec<&Tie> = picks.iter().map(|p| &pool[p % pool.len()]).collect();
        let dir = tempfile::tempdir().unwrap();
        let mut firms_csv = "id,name,kind\n".to_owned();
        for (i, firm) in firms.iter().enumerate() {
            let name = firm.name_of.map_or(i, |other| other % firms.len());
            writeln!(firms_csv, "n{i},Firm {name},{}", KINDS[firm.kind]).unwrap();
        }
        let mut ties_csv = "from,to,type,amount,date,source,note\n".to_owned();
        for tie in ties {
            writeln!(
                ties_csv,
                "{},{},{},{},{},{},{}",
                end(firms.len(), tie.from),
                end(firms.len(), tie.to),
                TYPES[tie.rel_type],
                AMOUNTS[tie.amount],
                DATES[tie.date],
                SOURCES[tie.source],
                NOTES[tie.note],
            )
            .unwrap();
        }
        let firms_path = dir.path().join("firms.csv");
        let ties_path = dir.path().join("ties.csv");
        std::fs::write(&firms_path, &firms_csv).unwrap();
        std::fs::write(&ties_path, &ties_csv).unwrap();

        let run = |batch_rows: Option<usize>| {
            let mut session = session(tied);
            let firms = outcome(&mut session, &firms_path, &["id", "name", "kind"], batch_rows);
            let ties = outcome(
                &mut session,
                &ties_path,
                &["from", "to", "type", "amount", "date", "source"],
                batch_rows,
            );
            (firms, ties)
        };
        let whole = run(Some(0));
        for rows in [Some(1), Some(2), Some(5), None] {
            let batched = run(rows);
            prop_assert_eq!(&batched.0, &whole.0, "firms in batches of {:?}", rows);
            prop_assert_eq!(&batched.1, &whole.1, "ties in batches of {:?}", rows);
        }
    }
}

/// A ties file whose third row repeats the first's tie, citing `source`, imported a row at a
/// time: what reading it whole gives, which is two relationships with one already there.
fn repeated_tie(source: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ties.csv");
    std::fs::write(
        &path,
        format!("from,to,type,amount,source\na1,a0,invests-in,5,register-b\na0,a1,supplies,,register-b\na1,a0,invests-in,5.0,{source}\n"),
    )
    .unwrap();
    let map = ["from", "to", "type", "amount", "source"];
    let batched = outcome(&mut session(false), &path, &map, Some(1));
    let whole = outcome(&mut session(false), &path, &map, Some(0));
    assert_eq!(batched, whole);
    assert!(
        batched.contains("2 relationships added, 1 already there"),
        "{batched}"
    );
}

/// Citing what the first row does, the repeat is the tie already there.
#[test]
fn a_tie_repeated_in_a_later_batch_is_there_already() {
    repeated_tie("register-b");
}

/// Citing another source, the repeat still merges into one tie citing both.
#[test]
fn a_tie_repeated_in_a_later_batch_with_another_source_merges() {
    repeated_tie("https://example.org/b");
}
