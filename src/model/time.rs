//! Whether a tie holds on a date: the one rule that the dated view (`--as-of`, `:asof`),
//! look-through ownership, diagrams, path explanations and `:diff` all read.
//!
//! A tie holds on a day when it has begun, has not ended and was not cancelled:
//!
//! - **Begun**: an undated tie has always begun; a dated one has begun on every day from the
//!   first day of its `date` (`2025-09` has begun on 2025-09-01).
//! - **Not ended**: a day `end_date` is the first day the tie no longer holds. A month or a
//!   year says only that the tie ended within it, so the tie is kept on the days of that period
//!   (it may still have held: `Standing::MayHold`) and has ended from the first day after it: a
//!   tie that ended in `2021` may hold on 2021-06-01 and has ended on 2022-01-01.
//!   A tie whose `status` is `ended` but that has no `end_date` ended at a time nobody
//!   recorded, so it holds on no day: it has not begun before its `date`, and has ended after.
//! - **Not cancelled**: a `cancelled` deal never held, on any day.
//!
//! The day asked about may itself be a month or a year, which means its first day
//! (`--as-of 2024` is 2024-01-01). Other statuses (`planned`, `announced`, `agreed`,
//! `completed`) do not change whether a tie holds.
//!
//! **Invariant:** the days a tie holds on are one unbroken span: if it holds on two days, it
//! holds on every day between them, and once it has ended it never holds again.

use super::Date;

/// How a tie stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Standing {
    /// Its `date` is later than the day.
    NotBegun,
    /// It held on the day.
    Holds,
    /// The day falls within the month or year of its `end_date`: it may have ended already.
    MayHold,
    /// Its `end_date` is on or before the day (after the whole period, for a month or a year),
    /// or its `status` is `ended` with no `end_date`.
    Ended,
    /// Its `status` is `cancelled`: it never held.
    Cancelled,
}

impl Standing {
    /// Whether the tie counts as holding on the day: it holds, or may still hold.
    pub fn holds(self) -> bool {
        matches!(self, Standing::Holds | Standing::MayHold)
    }
}

/// How a tie that began on `start`, ended on `end`, with `status`, stands on `on`.
///
/// ```
/// use alliances::model::{Date, Standing, standing};
/// let d = |s: &str| s.parse::<Date>().unwrap();
/// let stake = |on| standing(Some(d("2019-03")), Some(d("2021")), Some("completed"), d(on));
/// assert_eq!(stake("2019-02-28"), Standing::NotBegun);
/// assert_eq!(stake("2020-05-01"), Standing::Holds);
/// assert_eq!(stake("2021-06-01"), Standing::MayHold);
/// assert_eq!(stake("2022-01-01"), Standing::Ended);
/// assert_eq!(standing(None, None, Some("cancelled"), d("2020")), Standing::Cancelled);
/// ```
pub fn standing(
    start: Option<Date>,
    end: Option<Date>,
    status: Option<&str>,
    on: Date,
) -> Standing {
    if status == Some("cancelled") {
        return Standing::Cancelled;
    }
    let day = first_day(on);
    if start.is_some_and(|start| first_day(start) > day) {
        return Standing::NotBegun;
    }
    match end {
        Some(end) if end.day_part().is_some() => {
            if end <= day {
                Standing::Ended
            } else {
                Standing::Holds
            }
        }
        Some(period) => {
            if day >= day_after(period) {
                Standing::Ended
            } else if day >= first_day(period) {
                Standing::MayHold
            } else {
                Standing::Holds
            }
        }
        None if status == Some("ended") => Standing::Ended,
        None => Standing::Holds,
    }
}

/// Today's date on the calendar (UTC), for what is judged "now" when no date is given.
pub fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((seconds / 86_400) as i64)
}

/// The first day of a day, a month or a year.
fn first_day(date: Date) -> Date {
    let (year, month, day) = (
        date.year_part(),
        date.month_part().unwrap_or(1),
        date.day_part().unwrap_or(1),
    );
    Date::day(year, month, day).unwrap_or(date)
}

/// The first day after a month or a year (or after a day).
fn day_after(date: Date) -> Date {
    let year = date.year_part();
    let next = match (date.month_part(), date.day_part()) {
        (None, _) => Date::day(year + 1, 1, 1),
        (Some(12), None) => Date::day(year + 1, 1, 1),
        (Some(month), None) => Date::day(year, month + 1, 1),
        (Some(month), Some(day)) => Date::day(year, month, day + 1)
            .or_else(|_| Date::day(year, month + 1, 1))
            .or_else(|_| Date::day(year + 1, 1, 1)),
    };
    next.unwrap_or(date)
}

/// The calendar day `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date::day(year, month, day).unwrap_or(Date::year(year))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn undated_ties_have_always_begun_and_dated_ones_begin_on_the_first_day_of_their_date() {
        assert_eq!(standing(None, None, None, d("1900")), Standing::Holds);
        let month = Some(d("2025-09"));
        assert_eq!(
            standing(month, None, None, d("2025-08-31")),
            Standing::NotBegun
        );
        assert_eq!(
            standing(month, None, None, d("2025-09-01")),
            Standing::Holds
        );
        assert_eq!(standing(month, None, None, d("2025-09")), Standing::Holds);
        assert_eq!(standing(month, None, None, d("2025")), Standing::NotBegun);
    }

    #[test]
    fn a_day_end_date_is_the_first_day_the_tie_no_longer_holds() {
        let tie = |on| standing(Some(d("2020")), Some(d("2021-05-10")), None, d(on));
        assert_eq!(tie("2021-05-09"), Standing::Holds);
        assert_eq!(tie("2021-05-10"), Standing::Ended);
        assert_eq!(tie("2021-06"), Standing::Ended);
        // A month asked about is its first day, before the end.
        assert_eq!(tie("2021-05"), Standing::Holds);
    }

    #[test]
    fn a_month_or_year_end_date_may_hold_within_it_and_has_ended_after_it() {
        let year = |on| standing(None, Some(d("2021")), None, d(on));
        assert_eq!(year("2020-12-31"), Standing::Holds);
        assert_eq!(year("2021-01-01"), Standing::MayHold);
        assert_eq!(year("2021-06-01"), Standing::MayHold);
        assert_eq!(year("2021-12-31"), Standing::MayHold);
        assert_eq!(year("2022-01-01"), Standing::Ended);
        let month = |on| standing(None, Some(d("2021-12")), None, d(on));
        assert_eq!(month("2021-11-30"), Standing::Holds);
        assert_eq!(month("2021-12-15"), Standing::MayHold);
        assert_eq!(month("2022"), Standing::Ended);
        // A tie that began and ended in the same month holds within it.
        let brief = standing(
            Some(d("2021-05")),
            Some(d("2021-05")),
            None,
            d("2021-05-20"),
        );
        assert_eq!(brief, Standing::MayHold);
    }

    #[test]
    fn cancelled_never_holds_and_ended_without_an_end_date_holds_on_no_day_after_its_start() {
        for on in ["1990", "2021-06-01", "2030"] {
            assert_eq!(
                standing(Some(d("2021")), None, Some("cancelled"), d(on)),
                Standing::Cancelled
            );
        }
        let ended = |on| standing(Some(d("2021-03")), None, Some("ended"), d(on));
        assert_eq!(ended("2021-02-28"), Standing::NotBegun);
        assert_eq!(ended("2021-03-01"), Standing::Ended);
        // An end date says when: the status alone does not end it earlier.
        let dated = |on| standing(Some(d("2021")), Some(d("2023")), Some("ended"), d(on));
        assert_eq!(dated("2022-05-01"), Standing::Holds);
        assert_eq!(dated("2024-01-01"), Standing::Ended);
        for status in ["planned", "announced", "agreed", "completed"] {
            assert_eq!(
                standing(None, None, Some(status), d("2020")),
                Standing::Holds
            );
        }
    }

    #[test]
    fn today_is_a_day_and_civil_days_count_from_1970() {
        assert_eq!(civil_from_days(0), d("1970-01-01"));
        assert_eq!(civil_from_days(19_782), d("2024-02-29"));
        assert_eq!(civil_from_days(-1), d("1969-12-31"));
        assert_eq!(civil_from_days(20_322), d("2025-08-22"));
        assert!(today().day_part().is_some());
        assert!(today() > d("2024"));
    }

    /// Any date between 1998 and 2004, at any precision.
    fn date() -> impl Strategy<Value = Date> {
        (1998i32..2004, 0u8..=12, 0u8..=31).prop_map(|(year, month, day)| {
            if month == 0 {
                Date::year(year)
            } else if day == 0 {
                Date::month(year, month).unwrap()
            } else {
                Date::day(year, month, day.min(28)).unwrap()
            }
        })
    }

    fn status() -> impl Strategy<Value = Option<&'static str>> {
        prop::sample::select(vec![
            None,
            Some("planned"),
            Some("completed"),
            Some("ended"),
            Some("cancelled"),
        ])
    }

    proptest! {
        #[test]
        fn the_days_a_tie_holds_on_are_one_span(
            start in prop::option::of(date()),
            end in prop::option::of(date()),
            status in status(),
            mut days in prop::collection::vec(date(), 3),
        ) {
            // Ends are not before starts, as the loader's rule keeps them.
            let end = match (start, end) {
                (Some(s), Some(e)) if e < s => Some(s),
                _ => end,
            };
            days.sort_by_key(|day| first_day(*day));
            let [d1, d2, d3] = [days[0], days[1], days[2]];
            let at = |day| standing(start, end, status, day);
            // Holding on D1 and D3 means holding on D2 between them.
            if at(d1).holds() && at(d3).holds() {
                prop_assert!(at(d2).holds(), "{:?} {:?} {:?}", at(d1), at(d2), at(d3));
            }
            // Once ended, always ended; once begun, never unbegun.
            if at(d1) == Standing::Ended {
                prop_assert_eq!(at(d2), Standing::Ended);
            }
            if at(d2) == Standing::NotBegun {
                prop_assert_eq!(at(d1), Standing::NotBegun);
            }
            // Holding on D2 means holding on any earlier D1 it had begun by.
            if at(d2).holds() && start.is_none_or(|s| first_day(s) <= first_day(d1)) {
                prop_assert!(at(d1).holds());
            }
            // A cancelled deal never holds; an undated one has always begun.
            if status == Some("cancelled") {
                prop_assert_eq!(at(d1), Standing::Cancelled);
            }
            if start.is_none() {
                prop_assert_ne!(at(d1), Standing::NotBegun);
            }
            // Within a period end it may hold; after it, it has ended.
            if let Some(end) = end.filter(|e| e.day_part().is_none()) && status != Some("cancelled") {
                prop_assert_ne!(standing(None, Some(end), status, first_day(end)), Standing::Ended);
                prop_assert_eq!(standing(None, Some(end), status, day_after(end)), Standing::Ended);
            }
        }
    }
}
