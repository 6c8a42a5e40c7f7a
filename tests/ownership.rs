//! `:owners` and `:holdings` end to end on `tests/queries/data/stakes.toml`: exact stakes and
//! ranges, an indirect statement left out because direct stakes repeat it, control listed
//! apart from shares, and a total above 100% warned about.

use std::process::Output;

#[path = "common/binary.rs"]
mod binary;
use binary::text;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/queries/data/stakes.toml"
);

/// The shell on the stakes dataset, reading `input` from a pipe.
fn shell(input: &str) -> Output {
    binary::piped_with(&["--data", DATA], input)
}

/// The shell on the stakes dataset, reading `input` from a pipe.

#[test]
fn owners_print_shares_ranges_control_and_declared_indirect_stakes() {
    let out = shell(":owners target\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "     40%  Mid Holdings
            Mid Holdings -[40%]-> Target Co  = 40%
  25\u{2013}50%  Fund A
            Fund A -[25\u{2013}50%]-> Target Co  = 25\u{2013}50%
     20%  Parent Group
            Parent Group -[50%]-> Mid Holdings -[40%]-> Target Co  = 20%
     10%  Example Trust
            Example Trust -[10%]-> Target Co  = 10%
      5%  A Family
            A Family -[5% indirect]-> Target Co  = 5%
controls  Example Council  (through Example Council -[control]-> Fund A -[25\u{2013}50%]-> Target Co)
controls  State of Example  (through State of Example -[control]-> Parent Group -[50%]-> Mid Holdings -[40%]-> Target Co)
declared indirect stake 20% of Target Co held by Parent Group, also reached through Parent Group \u{2192} Mid Holdings \u{2192} Target Co: not added
"
    );
}

#[test]
fn a_total_above_the_whole_is_warned_about() {
    let out = shell(":owners overbooked\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "    110%  Whale Capital  (2 chains)
            Whale Capital -[70%]-> Overbooked Ltd  = 70%
            Whale Capital -[100%]-> Shell Co -[40%]-> Overbooked Ltd  = 40%
     40%  Shell Co
            Shell Co -[40%]-> Overbooked Ltd  = 40%
warning: Whale Capital's stakes in Overbooked Ltd add up to 110%, more than 100%: the recorded stakes disagree; check the chains above
"
    );
}

#[test]
fn holdings_list_control_downwards() {
    let out = shell(":holdings \"State of Example\"\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "controls  Parent Group  (through State of Example -[control]-> Parent Group)",
            "controls  Mid Holdings  (through State of Example -[control]-> Parent Group -[50%]-> Mid Holdings)",
            "controls  Target Co  (through State of Example -[control]-> Parent Group -[50%]-> Mid Holdings -[40%]-> Target Co)",
        ],
        "{stdout}"
    );
}
