//! Ties that ended no longer hold: the dated view, look-through ownership, diagrams, path
//! explanations and `diff`/`:diff`, end to end on a small history with a stake that ended, a
//! stake that was raised and a cancelled deal (`tests/cases/time/ended_and_cancelled.toml`).

use std::process::Output;

#[path = "common/binary.rs"]
mod binary;
use binary::text;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/cases/time/ended_and_cancelled.toml"
);

/// `alliances ARGS…` on the history.
fn alliances(args: &[&str]) -> Output {
    binary::alliances(&[args, &["--schema", "open", "--data", DATA]].concat())
}

/// The shell on the history, reading `input` from a pipe.
fn shell(input: &str) -> Output {
    binary::piped_with(
        &["--continue-on-error", "--schema", "open", "--data", DATA],
        input,
    )
}

/// The shell on the history, reading `input` from a pipe.

#[test]
fn as_of_after_the_end_hides_the_ended_stake_and_the_cancelled_deal() {
    let count = |date: &str| {
        let out = alliances(&[
            "query",
            "--as-of",
            date,
            "--format",
            "csv",
            "MATCH (a)-[r]->(b) RETURN a.id + '>' + b.id AS tie ORDER BY tie",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        (text(&out.stdout), text(&out.stderr))
    };
    let (before, note) = count("2021-06-29");
    assert_eq!(before, "tie\nalpha>beta\nalpha>delta\ngamma>beta\n");
    assert!(
        note.contains("as of 2021-06-29: 2 relationships hidden (1 dated later, 0 ended, 1 cancelled); 1 relationship without a date kept"),
        "{note}"
    );
    // The end date is the first day the stake no longer holds.
    let (after, note) = count("2021-06-30");
    assert_eq!(after, "tie\nalpha>delta\ngamma>beta\n");
    assert!(
        note.contains("3 relationships hidden (1 dated later, 1 ended, 1 cancelled)"),
        "{note}"
    );
    // Paths follow the view: Alpha reaches Beta only through its ended stake.
    let path = alliances(&[
        "path",
        "Alpha Capital",
        "Beta Labs",
        "--as-of",
        "2022",
        "--via",
        "invests-in",
        "--directed",
    ]);
    assert!(
        text(&path.stdout).starts_with("no path between Alpha Capital and Beta Labs"),
        "{}",
        text(&path.stdout)
    );
}

#[test]
fn owners_after_the_end_ignore_the_ended_stake() {
    let out = shell(
        ":asof 2020-01-01\n:owners \"Beta Labs\"\n:asof 2022-01-01\n:owners \"Beta Labs\"\n:asof off\n:owners \"Beta Labs\"\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // On 2020-01-01 Alpha still held 30%; on 2022-01-01 it no longer did.
    assert!(stdout.starts_with("     30%  Alpha Capital\n"), "{stdout}");
    let after: Vec<&str> = stdout.lines().filter(|l| l.contains("%  ")).collect();
    assert_eq!(
        after,
        [
            "     30%  Alpha Capital",
            "     20%  Gamma Fund",
            "     20%  Gamma Fund",
            "     55%  Gamma Fund  (2 chains)",
        ],
        "{stdout}"
    );
    // Without a date, today: the ended stake is left out and the report says so.
    assert!(
        stdout.contains("1 tie that had ended or been cancelled by "),
        "{stdout}"
    );
    let ownership = alliances(&[
        "query",
        "--format",
        "csv",
        "CALL algo.ownership('Beta Labs') YIELD holder, stake RETURN holder.id AS id, round(stake) AS stake",
    ]);
    assert_eq!(
        text(&ownership.stdout),
        "id,stake\ngamma,55.0\n",
        "{}",
        text(&ownership.stderr)
    );
}

#[test]
fn diff_lists_the_ended_stake_the_raise_and_counts_the_cancelled_deal() {
    let out = alliances(&["diff", "2021", "2023"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "between 2021 and 2023:\n\
         ended (1):\n  Alpha Capital -[invests-in, 30%]-> Beta Labs  from 2018-03 until 2021-06-30, ended  sources: filing-2022\n\
         changed (1):\n  Gamma Fund -[invests-in $500M, 35%]-> Beta Labs  from 2022-02-01, completed  sources: filing-2022\n      after Gamma Fund -[invests-in, 20%]-> Beta Labs  from 2019, completed  sources: filing-2022\n"
    );
    let early = alliances(&["diff", "2017", "2021"]);
    let early = text(&early.stdout);
    assert!(
        early.contains("began (2):\n  Alpha Capital -[invests-in, 30%]-> Beta Labs  from 2018-03"),
        "{early}"
    );
    assert!(
        early.contains("1 cancelled deal dated in the window left out"),
        "{early}"
    );
    assert!(!early.contains("ended ("), "{early}");

    let reversed = alliances(&["diff", "2023", "2021"]);
    assert_eq!(reversed.status.code(), Some(2));
    assert!(
        text(&reversed.stderr).contains(
            "the second date 2021 is before the first 2023; give the earlier date first\n  write alliances diff 2021 2023"
        ),
        "{}",
        text(&reversed.stderr)
    );
    let bad = alliances(&["diff", "2021-13", "2023"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains(
            "the first date \"2021-13\" is not a date: month 13 is not between 01 and 12"
        ),
        "{}",
        text(&bad.stderr)
    );
    let as_of = alliances(&["diff", "2021", "2023", "--as-of", "2022"]);
    assert_eq!(as_of.status.code(), Some(2));
}

#[test]
fn the_shell_diff_reads_the_whole_history_and_points_at_a_bad_date() {
    let out = shell(":asof 2019\n:diff 2021 2023\n:diff 2021 2023-13\n:diff 2023 2021\n");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stdout.contains("ended (1):\n  Alpha Capital -[invests-in, 30%]-> Beta Labs"),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "error: the second date \"2023-13\" is not a date: month 13 is not between 01 and 12\n  :diff 2021 2023-13\n             ^^^^^^^\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("give the earlier date first: :diff 2021 2023"),
        "{stderr}"
    );
}

#[test]
fn diagrams_grey_ended_ties_and_explanations_mark_them() {
    let out = alliances(&["export", "dot"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    let line = |needle: &str| {
        dot.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in:\n{dot}"))
            .to_owned()
    };
    let ended = line("30% · ended 2021-06-30");
    assert!(
        ended.contains("style=\"dashed\"") && ended.contains("#9ca3af"),
        "{ended}"
    );
    let cancelled = line("$2B · cancelled");
    assert!(cancelled.contains("style=\"dashed\""), "{cancelled}");
    assert!(
        dot.contains("ended or cancelled"),
        "the legend explains grey ties"
    );
    // A tie that still holds keeps its colour.
    assert!(line("$500M · 35%").contains("#15803d"));

    let explained = alliances(&[
        "path",
        "Alpha Capital",
        "Beta Labs",
        "--explain",
        "--directed",
    ]);
    assert!(
        text(&explained.stdout).contains("      ended 2021-06-30: this tie no longer holds on "),
        "{}",
        text(&explained.stdout)
    );
}

/// The documented rule for a period against a day: a period sorts at its first day, the coarser
/// first, so `date >= date("2025-01-01")` keeps a tie exactly when its period starts after
/// that day or it is a day on or after it; `--as-of` reads a period at its first day too.
#[test]
fn periods_compare_with_days_at_their_start_coarser_first() {
    use alliances::model::{Date, Value};
    use alliances::query::{self, Params};
    let graph = alliances::datafile::default_graph();
    let count = |text: &str| {
        query::execute(&graph, text, &Params::new()).unwrap()[0].rows[0][0].to_string()
    };
    let day: Date = "2025-01-01".parse().unwrap();
    let mut expected = 0;
    let mut periods = 0;
    for e in graph.edges() {
        if graph.edge_type(e) != "INVESTS_IN" {
            continue;
        }
        if let Some(Value::Date(d)) = graph.edge_prop(e, "date") {
            periods += usize::from(!d.is_day());
            // Calendar order: the first day, then the finer precision.
            let kept = d.days() > day.days() || (d.days() == day.days() && d.is_day());
            expected += usize::from(kept);
            assert_eq!(kept, d >= day, "{d}");
        }
    }
    assert!(periods > 0, "the dataset has months or years to compare");
    assert_eq!(
        count("MATCH ()-[r:INVESTS_IN]->() WHERE r.date >= date(\"2025-01-01\") RETURN count(r)"),
        expected.to_string()
    );
    // A month and its first day are not equal, and the month sorts first.
    assert_eq!(
        count(
            "RETURN [period('2025-09') < date('2025-09-01'), period('2025-09') = date('2025-09-01'), date('2025-09') = date('2025-09-01')]"
        ),
        "[true, false, true]"
    );
}
