//! Data-driven query cases: every `tests/queries/*.toml` file holds `[[case]]` tables, each a
//! query over a dataset with the rows, error or warning it must give.
//!
//! A case's fields:
//! - `name`: what it shows; `data`: `"default"` (the built-in dataset), `"fixture"`
//!   (`tests/queries/data/fixture.toml`) or `"sources"` (`tests/queries/data/sources.toml`, a
//!   few sources with URLs), `"stakes"` (`tests/queries/data/stakes.toml`, stakes, ranges,
//!   indirect holdings and control) or `"money"` (`tests/cases/money/currencies.toml`, amounts
//!   in several currencies with exchange rates); `query`: the statement.
//! - `params`: parameter values in Cypher literal syntax, by name.
//! - `columns` and `rows`: the expected result; each row is its cells in literal syntax,
//!   joined by ", ". Rows are compared as a multiset unless `ordered = true`.
//! - `table`: the rows as the shell's table draws them, each its cells trimmed and joined by
//!   " | " (`≤ $100B`, `€1.3B`), an empty last cell leaving none; compared as `rows` are.
//! - `error`: the expected error's first line (kind, line, column and message); `help`: a
//!   text its help line must contain; `also`: the first lines of the further rules the same
//!   statement broke, in order (none when absent).
//! - `warning`: a text one of the warnings must contain; `note`: a text one of the notes
//!   must contain (`no_note = true`: there are none).
//! - `explain`: texts the explanation of the plan (`alliances query --explain`) must contain.
//! - `mutate = true`: the query may write; it runs on a copy of the dataset. `check`: a query
//!   run afterwards (after an expected error too, to show nothing changed) whose rows `rows`
//!   describes. `data = "empty"` is an empty graph under the open schema.
//!
//! Set `QUERY_CASE=name` to run one case.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use alliances::query::{self, Params, QueryResult};
use alliances::{Graph, Schema};

#[derive(serde::Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    data: String,
    query: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
    columns: Option<Vec<String>>,
    rows: Option<Vec<String>>,
    table: Option<Vec<String>>,
    #[serde(default)]
    ordered: bool,
    error: Option<String>,
    help: Option<String>,
    #[serde(default)]
    also: Vec<String>,
    warning: Option<String>,
    note: Option<String>,
    #[serde(default)]
    no_note: bool,
    /// Texts the plan's explanation must contain, in order.
    #[serde(default)]
    explain: Vec<String>,
    /// Run on a copy of the dataset with writes allowed.
    #[serde(default)]
    mutate: bool,
    /// A query run afterwards (also after an expected error); `rows` are then its rows.
    check: Option<String>,
}

static EMPTY: LazyLock<Graph> = LazyLock::new(|| Graph::new(Schema::Open));
static DEFAULT: LazyLock<Graph> = LazyLock::new(alliances::default_graph);
static FIXTURE: LazyLock<Graph> = LazyLock::new(|| {
    alliances::load_files(
        &[Path::new("tests/queries/data/fixture.toml").to_path_buf()],
        Schema::Alliance,
    )
    .expect("fixture loads")
});
static STAKES: LazyLock<Graph> = LazyLock::new(|| {
    alliances::load_files(
        &[Path::new("tests/queries/data/stakes.toml").to_path_buf()],
        Schema::Alliance,
    )
    .expect("the stakes dataset loads")
});
static SOURCES: LazyLock<Graph> = LazyLock::new(|| {
    alliances::load_files(
        &[Path::new("tests/queries/data/sources.toml").to_path_buf()],
        Schema::Alliance,
    )
    .expect("the sources dataset loads")
});

static MONEY: LazyLock<Graph> = LazyLock::new(|| {
    alliances::load_files(
        &[Path::new("tests/cases/money/currencies.toml").to_path_buf()],
        Schema::Alliance,
    )
    .expect("the money dataset loads")
});

fn row_text(row: &[query::ResultValue]) -> String {
    row.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn compare_rows(rows: &[String], results: &[QueryResult], ordered: bool) -> Result<(), String> {
    let result = results.last().ok_or("no statement ran")?;
    let mut expected = rows.to_vec();
    let mut actual: Vec<String> = result.rows.iter().map(|r| row_text(r)).collect();
    if !ordered {
        expected.sort();
        actual.sort();
    }
    if expected != actual {
        return Err(format!(
            "rows differ:\n  expected: {expected:#?}\n  actual:   {actual:#?}"
        ));
    }
    Ok(())
}

/// The body rows of a result's table, each its cells trimmed and joined by " | ".
fn table_rows(result: &QueryResult) -> Vec<String> {
    result
        .to_table(None)
        .lines()
        .filter(|l| l.starts_with('│'))
        .skip(1)
        .map(|l| {
            l.trim_matches('│')
                .split('┆')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" | ")
                .trim_end()
                .to_owned()
        })
        .collect()
}

fn compare_table(expected: &[String], result: &QueryResult, ordered: bool) -> Result<(), String> {
    let mut expected = expected.to_vec();
    let mut actual = table_rows(result);
    if !ordered {
        expected.sort();
        actual.sort();
    }
    if expected != actual {
        return Err(format!(
            "table rows differ:\n  expected: {expected:#?}\n  actual:   {actual:#?}\n{}",
            result.to_table(None)
        ));
    }
    Ok(())
}

/// Checks one case; returns what is wrong with it.
fn check(case: &Case) -> Result<(), String> {
    let graph: &Graph = match case.data.as_str() {
        "default" => &DEFAULT,
        "fixture" => &FIXTURE,
        "sources" => &SOURCES,
        "stakes" => &STAKES,
        "money" => &MONEY,
        "empty" => &EMPTY,
        other => return Err(format!("unknown dataset {other:?}")),
    };
    let mut copy = graph.clone();
    let mut params = Params::new();
    for (name, text) in &case.params {
        let value = query::parse_value(graph, text).map_err(|e| format!("param {name}: {e}"))?;
        params.insert(name.clone(), value);
    }
    if !case.explain.is_empty() {
        let statements = query::parse(&case.query).map_err(|e| e.to_string())?;
        let statement = statements.last().ok_or("no statement")?;
        let plan = query::explain(graph, &case.query, statement).map_err(|e| e.to_string())?;
        for wanted in &case.explain {
            if !plan.contains(wanted.as_str()) {
                return Err(format!("the plan lacks {wanted:?}:\n{plan}"));
            }
        }
    }
    let outcome = if case.mutate {
        query::execute_mut(&mut copy, &case.query, &params)
    } else {
        query::execute(graph, &case.query, &params)
    };
    let outcome = match (&case.check, outcome) {
        (Some(check), Ok(_)) => Ok(query::execute(&copy, check, &params)
            .map_err(|e| format!("the check query failed: {e}"))?),
        (Some(check), Err(error)) if case.error.is_some() => {
            let checked = query::execute(&copy, check, &params)
                .map_err(|e| format!("the check query failed: {e}"))?;
            let expected_rows = case.rows.clone().unwrap_or_default();
            compare_rows(&expected_rows, &checked, case.ordered)
                .map_err(|e| format!("after the error: {e}"))?;
            Err(error)
        }
        (_, outcome) => outcome,
    };
    match (&case.error, outcome) {
        (Some(expected), Err(error)) => {
            let text = error.to_string();
            let first = text.lines().next().unwrap_or("");
            if first != expected {
                return Err(format!(
                    "error differs:\n  expected: {expected}\n  actual:   {first}\n{text}"
                ));
            }
            if let Some(help) = &case.help
                && !error.help.as_deref().unwrap_or("").contains(help.as_str())
            {
                return Err(format!("help lacks {help:?}:\n{text}"));
            }
            let others: Vec<String> = error
                .others
                .iter()
                .map(|e| e.to_string().lines().next().unwrap_or("").to_owned())
                .collect();
            if others != case.also {
                return Err(format!(
                    "further errors differ:\n  expected: {:#?}\n  actual:   {others:#?}",
                    case.also
                ));
            }
            Ok(())
        }
        (Some(expected), Ok(results)) => Err(format!(
            "expected the error {expected:?} but got {} row(s)",
            results.last().map_or(0, |r| r.rows.len())
        )),
        (None, Err(error)) => Err(format!("unexpected error:\n{error}")),
        (None, Ok(results)) => {
            let result: &QueryResult = results.last().ok_or("no statement ran")?;
            if let Some(warning) = &case.warning {
                let all: Vec<String> = result.warnings.iter().map(ToString::to_string).collect();
                if !all.iter().any(|w| w.contains(warning.as_str())) {
                    return Err(format!(
                        "no warning contains {warning:?}; warnings: {all:#?}"
                    ));
                }
            }
            if let Some(note) = &case.note
                && !result.notes.iter().any(|n| n.contains(note.as_str()))
            {
                return Err(format!(
                    "no note contains {note:?}; notes: {:#?}",
                    result.notes
                ));
            }
            if case.no_note && !result.notes.is_empty() {
                return Err(format!("expected no note; notes: {:#?}", result.notes));
            }
            if let Some(columns) = &case.columns
                && *columns != result.columns
            {
                return Err(format!(
                    "columns differ:\n  expected: {columns:?}\n  actual:   {:?}",
                    result.columns
                ));
            }
            if let Some(rows) = &case.rows {
                compare_rows(rows, &results, case.ordered)?;
            }
            if let Some(table) = &case.table {
                compare_table(table, result, case.ordered)?;
            }
            Ok(())
        }
    }
}

#[test]
fn query_cases() {
    let only = std::env::var("QUERY_CASE").ok();
    let mut files: Vec<_> = std::fs::read_dir("tests/queries")
        .expect("tests/queries exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut names = std::collections::HashSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable case file");
        let cases: CaseFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in cases.case {
            assert!(
                names.insert(case.name.clone()),
                "duplicate case name {:?}",
                case.name
            );
            assert!(
                case.error.is_some()
                    || case.rows.is_some()
                    || case.table.is_some()
                    || case.warning.is_some()
                    || !case.explain.is_empty(),
                "case {:?} expects nothing",
                case.name
            );
            if only.as_deref().is_some_and(|o| o != case.name) {
                continue;
            }
            count += 1;
            if let Err(why) = check(&case) {
                failures.push(format!("{} [{}]: {why}", case.name, file.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(only.is_some() || count >= 80, "only {count} cases");
}
