//! Temporal values kept by every store: a `datetime` in a named zone (and the other temporal
//! kinds) written by a statement reads back equal from the journal, a folded data file, TOML,
//! JSON and a snapshot.

use std::path::Path;

use alliances::db::{Database, DbOptions};
use alliances::query::{self, Params};
use alliances::{Graph, Schema, datafile};

const AT: &str = "2015-07-21T21:40:32.142+02:00[Europe/Stockholm]";

fn write(db: &Path, statements: &[&str]) {
    let (mut database, mut graph, _) = Database::open(db, DbOptions::default()).unwrap();
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

/// The node's `at`, with its type checked: a datetime in its zone, not text.
fn read_at(graph: &Graph) -> String {
    let result = query::execute(
        graph,
        "MATCH (c {name: 'Clock'}) RETURN toString(c.at), c.at.timezone, c.at = datetime('2015-07-21T21:40:32.142+02:00[Europe/Stockholm]'), c.d = duration('P1Y2M3DT4H5M6.7S'), c.t = localtime('12:31:14.645876123')",
        &Params::new(),
    )
    .unwrap();
    let row: Vec<String> = result[0].rows[0].iter().map(|v| v.to_string()).collect();
    row.join(" | ")
}

const EXPECTED: &str = "\"2015-07-21T21:40:32.142+02:00[Europe/Stockholm]\" | \"Europe/Stockholm\" | true | true | true";

#[test]
fn a_zoned_datetime_set_by_a_statement_reads_back_from_the_journal_and_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("clock.toml");
    write(
        &db,
        &[
            "CREATE (:Company {name: 'Clock'})",
            &format!(
                "MATCH (c {{name: 'Clock'}}) SET c.at = datetime('{AT}'), c.d = duration('P1Y2M3DT4H5M6.7S'), c.t = localtime('12:31:14.645876123')"
            ),
        ],
    );
    // Replayed from the journal.
    let (mut database, mut graph, _) = Database::open(&db, DbOptions::default()).unwrap();
    assert_eq!(read_at(&graph), EXPECTED, "from the journal");
    // Folded into the data file, then opened again.
    database.fold(&mut graph).unwrap();
    drop(database);
    let (_database, graph, _) = Database::open(&db, DbOptions::default()).unwrap();
    assert_eq!(read_at(&graph), EXPECTED, "from the folded data file");
    // Saved as TOML, JSON and a snapshot.
    for name in ["x.toml", "x.json", "x.alliances"] {
        let path = dir.path().join(name);
        datafile::save(&graph, &path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = datafile::load_files(std::slice::from_ref(&path), Schema::Alliance)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(read_at(&back), EXPECTED, "{name}");
    }
}
