//! Calendar dates with a precision: a year, a month or a day.
//!
//! Alliance facts are often known only to the month or the year ("in August 2025"), so a date
//! keeps the precision it was given instead of inventing a day. Dates order in calendar order
//! whatever their precision: a period sorts at its start, and on a tie the coarser period comes
//! first, so `2025 < 2025-01 < 2025-01-01 < 2025-01-02 < 2025-02`.

use std::fmt;
use std::str::FromStr;

/// A day (`2025-08-22`), a month (`2025-08`) or a year (`2025`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    // Field order gives the documented calendar order through the derived `Ord`:
    // a missing month or day is 0, which sorts before every real one.
    year: i32,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DateError(String);

impl Date {
    /// A full day, checked against the calendar.
    ///
    /// # Errors
    /// When the month is outside 1–12 or the day does not exist in that month.
    pub fn day(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        check_month(month)?;
        let last = days_in_month(year, month);
        if day == 0 || day > last {
            return Err(DateError(format!(
                "day {day} does not exist in {year:04}-{month:02}, which has {last} days"
            )));
        }
        Ok(Date { year, month, day })
    }

    /// A whole month.
    ///
    /// # Errors
    /// When the month is outside 1–12.
    pub fn month(year: i32, month: u8) -> Result<Date, DateError> {
        check_month(month)?;
        Ok(Date {
            year,
            month,
            day: 0,
        })
    }

    /// A whole year.
    pub fn year(year: i32) -> Date {
        Date {
            year,
            month: 0,
            day: 0,
        }
    }

    /// The date packed in 48 bits, for compact storage; `unpack` reverses it.
    pub fn pack(self) -> u64 {
        (u64::from(self.year as u32) << 16) | (u64::from(self.month) << 8) | u64::from(self.day)
    }

    /// The date `pack` made `bits` from, if they are a date's: for bits from outside.
    pub fn from_packed(bits: u64) -> Option<Date> {
        Date::is_packed(bits).then(|| Date::unpack(bits))
    }

    /// Whether `bits` are a date's as `pack` makes them (a snapshot's reader checks millions).
    #[inline]
    pub fn is_packed(bits: u64) -> bool {
        let (year, month, day) = ((bits >> 16) as u32 as i32, (bits >> 8) as u8, bits as u8);
        bits >> 48 == 0
            && match (month, day) {
                (0, 0) | (1..=12, 0) => true,
                (1..=12, day) => day <= days_in_month(year, month),
                _ => false,
            }
    }

    /// The date `pack` made `bits` from.
    pub fn unpack(bits: u64) -> Date {
        Date {
            year: (bits >> 16) as u32 as i32,
            month: (bits >> 8) as u8,
            day: bits as u8,
        }
    }

    pub fn year_part(&self) -> i32 {
        self.year
    }

    /// The month (1–12), when the date is at least that precise.
    pub fn month_part(&self) -> Option<u8> {
        (self.month != 0).then_some(self.month)
    }

    /// The day of the month, when the date is a day.
    pub fn day_part(&self) -> Option<u8> {
        (self.day != 0).then_some(self.day)
    }
}

fn check_month(month: u8) -> Result<(), DateError> {
    if (1..=12).contains(&month) {
        Ok(())
    } else {
        Err(DateError(format!("month {month} is not between 01 and 12")))
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    fn from_str(text: &str) -> Result<Date, DateError> {
        let shape = || {
            DateError(format!(
                "\"{text}\" is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (for example 2025-08-22)"
            ))
        };
        // Bulk imports parse millions of these: read as bytes, with no allocation on the way.
        let bytes = text.as_bytes();
        let number = |range: std::ops::Range<usize>| {
            bytes[range].iter().try_fold(0u32, |n, &b| {
                b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
            })
        };
        let dash = |at: usize| bytes[at] == b'-';
        let parts = match bytes.len() {
            4 => number(0..4).map(|y| (y, None, None)),
            7 if dash(4) => number(0..4)
                .zip(number(5..7))
                .map(|(y, m)| (y, Some(m), None)),
            10 if dash(4) && dash(7) => number(0..4)
                .zip(number(5..7))
                .zip(number(8..10))
                .map(|((y, m), d)| (y, Some(m), Some(d))),
            _ => None,
        };
        // Four digits make at most 9999, two at most 99: each fits its type.
        match parts.ok_or_else(shape)? {
            (y, None, _) => Ok(Date::year(y as i32)),
            (y, Some(m), None) => Date::month(y as i32, m as u8),
            (y, Some(m), Some(d)) => Date::day(y as i32, m as u8, d as u8),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Years beyond four digits carry a sign, as ISO 8601 (and openCypher) write them.
        if self.year > 9999 {
            write!(f, "+{}", self.year)?;
        } else if self.year < 0 {
            write!(f, "-{:04}", -i64::from(self.year))?;
        } else {
            write!(f, "{:04}", self.year)?;
        }
        if self.month != 0 {
            write!(f, "-{:02}", self.month)?;
        }
        if self.day != 0 {
            write!(f, "-{:02}", self.day)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn packed_bits_are_a_date_exactly_when_the_checked_constructors_make_one() {
        // What `is_packed` must agree with: the date the bits name, made by the constructors
        // that check it, packs back to the same bits.
        let made = |bits: u64| {
            let Date { year, month, day } = Date::unpack(bits);
            let date = match (month, day) {
                (0, 0) => Ok(Date::year(year)),
                (month, 0) => Date::month(year, month),
                (month, day) => Date::day(year, month, day),
            };
            date.is_ok_and(|date| date.pack() == bits)
        };
        let mut state = 3u64;
        let mut samples: Vec<u64> = (0..200_000)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Small months and days most of the time, any bits now and then.
                match state % 4 {
                    0 => state,
                    _ => {
                        ((state >> 16) & 0xffff_ffff) << 16
                            | (((state >> 8) % 14) << 8)
                            | (state % 33)
                    }
                }
            })
            .collect();
        for year in [-400i32, -1, 0, 1900, 2000, 2023, 2024, i32::MAX, i32::MIN] {
            for month in 0..=13u8 {
                for day in [0u8, 1, 28, 29, 30, 31, 32, 255] {
                    samples.push(Date { year, month, day }.pack());
                }
            }
        }
        samples.extend([0, 1 << 48, u64::MAX]);
        for bits in samples {
            assert_eq!(Date::is_packed(bits), made(bits), "{bits:#x}");
            assert_eq!(Date::from_packed(bits).is_some(), made(bits), "{bits:#x}");
        }
    }

    #[test]
    fn parses_each_precision_and_prints_it_back() {
        for text in ["2025", "2025-08", "2025-08-22", "2024-02-29"] {
            assert_eq!(d(text).to_string(), text);
        }
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        for text in [
            "2025-02-29",
            "2025-13",
            "2025-00",
            "2025-04-31",
            "25-08",
            "2025/08",
            "2025-8",
            "",
            "2025-08-22-01",
            "+2025",
            "2025-+8",
            "2025-08-2\u{663}",
            "2025--08",
        ] {
            assert!(text.parse::<Date>().is_err(), "{text} should be rejected");
        }
    }

    proptest::proptest! {
        /// A text is a date when its parts between dashes are four digits, then two, then
        /// two, the later ones optional, and they name a year, month or day of the calendar.
        #[test]
        fn a_date_is_four_digits_then_two_then_two(
            parts in proptest::collection::vec("[0-9]{1,5}|[0-9]{2}|[0-9]{4}|[0-9+ x]{0,3}", 1..5),
            (y, m, d, precision) in (0u32..10000, 0u32..15, 0u32..35, 1usize..=3),
            changed in proptest::option::of((0usize..10, proptest::sample::select(&b"0123456789-+x"[..]))),
            near in proptest::bool::ANY,
        ) {
            // Either parts of any shape, or a date's own text with one byte changed.
            let text = if near {
                let mut text = [format!("{y:04}"), format!("{m:02}"), format!("{d:02}")][..precision].join("-");
                if let Some((at, byte)) = changed.filter(|(at, _)| *at < text.len()) {
                    text.replace_range(at..=at, &char::from(byte).to_string());
                }
                text
            } else {
                parts.join("-")
            };
            let parts: Vec<&str> = text.split('-').collect();
            let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
            let shaped = parts.len() <= 3
                && parts.iter().enumerate().all(|(i, p)| digits(p, if i == 0 { 4 } else { 2 }));
            let calendar = shaped.then(|| {
                let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap()).collect();
                match n[..] {
                    [y] => Ok(Date::year(y as i32)),
                    [y, m] => Date::month(y as i32, m as u8),
                    [y, m, d] => Date::day(y as i32, m as u8, d as u8),
                    _ => unreachable!(),
                }
            });
            let parsed = text.parse::<Date>();
            proptest::prop_assert_eq!(
                parsed.is_ok(),
                calendar.as_ref().is_some_and(Result::is_ok),
                "{}", text
            );
            if let (Ok(parsed), Some(Ok(expected))) = (parsed, calendar) {
                proptest::prop_assert_eq!(parsed, expected);
            }
        }
    }

    #[test]
    fn orders_in_calendar_order_whatever_the_precision() {
        let sorted = [
            "2024-12-31",
            "2025",
            "2025-01",
            "2025-01-01",
            "2025-01-02",
            "2025-02",
            "2025-08",
            "2025-08-22",
            "2026",
        ];
        for pair in sorted.windows(2) {
            assert!(d(pair[0]) < d(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }
}
