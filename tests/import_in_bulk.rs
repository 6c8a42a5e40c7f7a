//! A large CSV file is imported on every core by the bulk reader when its mapping allows, and
//! record by record otherwise. Whichever way a file goes, the import gives the same graph and
//! the same report, or the same refusal with the same problems: random files with the cells
//! users write (padded, misspelt, repeated, out of range, naming what is not there) are
//! imported both ways and compared.

use std::fmt::Write as _;
use std::path::Path;

use alliances::session::Session;
use importing::{outcome, same_names};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[path = "common/importing.rs"]
mod importing;

const BASE: &str = r#"
[[source]]
id = "s1"
title = "A register"
publisher = "A registry"

[[source]]
id = "rates"
title = "Rates"
publisher = "A bank"

[[fx_rate]]
currency = "EUR"
date = "2024-01-01"
rate = 1.1
source = "rates"

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

/// A cell as users write it: mostly one of `good`, sometimes padded or quoted, and rarely one
/// of `bad`, which the importer refuses or which only reads so in some rows.
fn cell(
    good: &'static [&'static str],
    bad: &'static [&'static str],
) -> impl Strategy<Value = String> {
    (0..good.len(), 0..bad.len().max(1), 0..60u8, 0..20u8).prop_map(move |(g, b, odd, how)| {
        let text = if odd == 0 && !bad.is_empty() {
            bad[b]
        } else {
            good[g]
        };
        match how {
            0 => format!(" {text} "),
            1 => format!("\"{text}\""),
            _ => text.to_owned(),
        }
    })
}

const KINDS: (&[&str], &[&str]) = (
    &["company", "company", "fund"],
    &["person", "Company", "startup", "consortium"],
);
const COUNTRIES: (&[&str], &[&str]) = (&["", "", "US", "FR"], &["usa"]);
const SECTORS: (&[&str], &[&str]) = (&["", "chips", "cloud"], &[]);
const FREE: (&[&str], &[&str]) = (
    &["", "", "12", "1.5", "a note", "2024-01-01", "true", "x; y"],
    &[],
);
const TYPES: (&[&str], &[&str]) = (
    &[
        "invests-in",
        "supplies",
        "supplies",
        "partners-with",
        "INVESTS_IN",
    ],
    &["owns", "member-of", "invest-in"],
);
const AMOUNTS: (&[&str], &[&str]) = (&["", "", "5", "5.0", "7", "1e3"], &["-3", "abc"]);
const CURRENCIES: (&[&str], &[&str]) = (&["", "", "USD", "EUR"], &["XXX"]);
const USD: (&[&str], &[&str]) = (&["", "", "", "5"], &["7", "5.5"]);
const DATES: (&[&str], &[&str]) = (&["", "2024-01-01", "2024-03", "2023"], &["2024-13-01"]);
const STAKES: (&[&str], &[&str]) = (&["", "", ""], &["50", "12.5", "150"]);

#[derive(Clone, Debug)]
struct Firm {
    /// 0: `n{i}`, 1: empty, 2: not a slug, 3: a base firm's id (each of the last rare).
    id: u8,
    /// Another firm's name when Some; the base's "Alpha Holdings" for `usize::MAX`.
    name_of: Option<usize>,
    kind: String,
    country: String,
    sector: String,
    free: String,
}

fn firm() -> impl Strategy<Value = Firm> {
    (
        (0..40u8).prop_map(|pick| pick.saturating_sub(36)),
        prop::option::weighted(0.02, prop::sample::select(vec![0usize, 1, 2, usize::MAX])),
        cell(KINDS.0, KINDS.1),
        cell(COUNTRIES.0, COUNTRIES.1),
        cell(SECTORS.0, SECTORS.1),
        cell(FREE.0, FREE.1),
    )
        .prop_map(|(id, name_of, kind, country, sector, free)| Firm {
            id,
            name_of,
            kind,
            country,
            sector,
            free,
        })
}

#[derive(Clone, Debug)]
struct Tie {
    from: usize,
    to: usize,
    cells: [String; 7],
}

fn tie() -> impl Strategy<Value = Tie> {
    (
        any::<usize>(),
        any::<usize>(),
        cell(TYPES.0, TYPES.1),
        cell(AMOUNTS.0, AMOUNTS.1),
        cell(CURRENCIES.0, CURRENCIES.1),
        cell(USD.0, USD.1),
        cell(DATES.0, DATES.1),
        cell(STAKES.0, STAKES.1),
        cell(FREE.0, FREE.1),
    )
        .prop_map(
            |(from, to, t, amount, currency, usd, date, stake, free)| Tie {
                from,
                to,
                cells: [t, amount, currency, usd, date, stake, free],
            },
        )
}

/// The ids a ties file may name: the base's, the imported firms', and rarely one nothing
/// holds or one written another way.
fn end(firms: usize, pick: usize) -> String {
    match pick % (firms + 3) {
        0 => "a0".to_owned(),
        1 => "a1".to_owned(),
        2 if pick.is_multiple_of(7) => "nobody".to_owned(),
        2 if pick.is_multiple_of(5) => "N0".to_owned(),
        2 => " a0 ".to_owned(),
        n => format!("n{}", n - 3),
    }
}

#[derive(Clone, Debug)]
struct Case {
    firms: Vec<Firm>,
    /// Which of the optional entity columns the mapping names: country, sector.
    entity_columns: [bool; 2],
    pool: Vec<Tie>,
    picks: Vec<usize>,
    /// Which tie columns the mapping names: amount, currency, amount_usd, date, stake_pct.
    tie_columns: [bool; 5],
    /// Whether the columns are named otherwise than their fields.
    renamed: bool,
    tied: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(firm(), 0..14),
        any::<[bool; 2]>(),
        prop::collection::vec(tie(), 1..10),
        prop::collection::vec(any::<usize>(), 0..40),
        any::<[bool; 5]>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(firms, entity_columns, pool, picks, tie_columns, renamed, tied)| Case {
                firms,
                entity_columns,
                pool,
                picks,
                tie_columns,
                renamed,
                tied,
            },
        )
}

/// A column's header for `field`: the field itself, or another name the mapping gives.
fn header(field: &str, renamed: bool) -> String {
    if renamed {
        format!("Column {field}")
    } else {
        field.to_owned()
    }
}

/// The two files of a case, with their mappings.
fn files(case: &Case, dir: &Path) -> [(std::path::PathBuf, Vec<(String, String)>); 2] {
    let named = |fields: &[&str]| -> Vec<(String, String)> {
        fields
            .iter()
            .map(|f| ((*f).to_owned(), header(f, case.renamed)))
            .collect()
    };
    let mut firm_fields = vec!["id", "name", "kind"];
    for (field, on) in ["country", "sector"].iter().zip(case.entity_columns) {
        if on {
            firm_fields.push(field);
        }
    }
    let mut firms_csv = firm_fields
        .iter()
        .map(|f| header(f, case.renamed))
        .chain(["Legal form".to_owned()])
        .collect::<Vec<_>>()
        .join(",");
    firms_csv.push('\n');
    for (i, firm) in case.firms.iter().enumerate() {
        let id = match firm.id {
            0 => format!("n{i}"),
            1 => String::new(),
            2 => format!("N {i}"),
            _ => "a1".to_owned(),
        };
        let name = match firm.name_of {
            Some(usize::MAX) => "Alpha Holdings".to_owned(),
            Some(other) => format!("Firm {}", other % case.firms.len()),
            None => format!("Firm {i}"),
        };
        let mut row = vec![id, name, firm.kind.clone()];
        for (value, on) in [&firm.country, &firm.sector]
            .iter()
            .zip(case.entity_columns)
        {
            if on {
                row.push((*value).clone());
            }
        }
        row.push(firm.free.clone());
        writeln!(firms_csv, "{}", row.join(",")).unwrap();
    }
    let tie_optional = ["amount", "currency", "amount_usd", "date", "stake_pct"];
    let mut tie_fields = vec!["from", "to", "type"];
    for (field, on) in tie_optional.iter().zip(case.tie_columns) {
        if on {
            tie_fields.push(field);
        }
    }
    let mut ties_csv = tie_fields
        .iter()
        .map(|f| header(f, case.renamed))
        .chain(["round".to_owned()])
        .collect::<Vec<_>>()
        .join(",");
    ties_csv.push('\n');
    for pick in &case.picks {
        let tie = &case.pool[pick % case.pool.len()];
        let mut row = vec![
            end(case.firms.len(), tie.from),
            end(case.firms.len(), tie.to),
            tie.cells[0].clone(),
        ];
        for (value, on) in tie.cells[1..6].iter().zip(case.tie_columns) {
            if on {
                row.push(value.clone());
            }
        }
        row.push(tie.cells[6].clone());
        writeln!(ties_csv, "{}", row.join(",")).unwrap();
    }
    let firms_path = dir.join("firms.csv");
    let ties_path = dir.join("ties.csv");
    std::fs::write(&firms_path, &firms_csv).unwrap();
    std::fs::write(&ties_path, &ties_csv).unwrap();
    [
        (firms_path, named(&firm_fields)),
        (ties_path, named(&tie_fields)),
    ]
}

/// Imports a case's files both ways; the count of files the bulk reader took.
fn both_ways(case: &Case) -> Result<usize, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let files = files(case, dir.path());
    let run = |batch_rows: Option<usize>| {
        let mut session = session(case.tied);
        files
            .iter()
            .map(|(path, map)| outcome(&mut session, path, map, batch_rows))
            .collect::<Vec<_>>()
    };
    let records = run(Some(0));
    let bulk = run(None);
    for ((by_records, _), (in_bulk, _)) in records.iter().zip(&bulk) {
        prop_assert_eq!(in_bulk, by_records);
    }
    Ok(bulk.iter().filter(|(_, taken)| *taken).count())
}

#[test]
fn the_bulk_reader_gives_what_reading_record_by_record_gives() {
    let taken = std::cell::Cell::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 400,
        ..Config::default()
    });
    runner
        .run(&case(), |case| {
            taken.set(taken.get() + both_ways(&case)?);
            Ok(())
        })
        .unwrap();
    // Most files hold a row the bulk reader leaves to the importer; enough do not.
    assert!(
        taken.get() >= 200,
        "the bulk reader took {} of 800 files",
        taken.get()
    );
}

/// A clean entities file and ties file, the ties naming their ends by id: both go through
/// the bulk reader, and give the report reading them record by record gives.
#[test]
fn clean_files_are_read_in_bulk() {
    let dir = tempfile::tempdir().unwrap();
    let firms = dir.path().join("firms.csv");
    let ties = dir.path().join("ties.csv");
    std::fs::write(
        &firms,
        "id,name,kind,Legal form\nn0,Gamma,company,AG\nn1,Delta,fund,\n",
    )
    .unwrap();
    std::fs::write(
        &ties,
        "from,to,type,amount,currency,date\nn1,n0,invests-in,5,EUR,2024-02-01\nn1,n0,invests-in,5,EUR,2024-02-01\nn0,a0,supplies,,,\n",
    )
    .unwrap();
    let firms_map = same_names(&["id", "name", "kind"]);
    let ties_map = same_names(&["from", "to", "type", "amount", "currency", "date"]);
    let mut session = session(false);
    let (firms_text, firms_in_bulk) = outcome(&mut session, &firms, &firms_map, None);
    let (ties_text, ties_in_bulk) = outcome(&mut session, &ties, &ties_map, None);
    assert!(firms_in_bulk && ties_in_bulk, "{firms_text}\n{ties_text}");
    assert!(
        ties_text.contains("2 relationships added, 1 already there"),
        "{ties_text}"
    );
    // 5 EUR at the base's rate of 1.1, to the dollar.
    assert!(ties_text.contains("\"amount_usd\": 6"), "{ties_text}");
    let mut by_records = self::session(false);
    assert_eq!(
        outcome(&mut by_records, &firms, &firms_map, Some(0)).0,
        firms_text
    );
    assert_eq!(
        outcome(&mut by_records, &ties, &ties_map, Some(0)).0,
        ties_text
    );
}
