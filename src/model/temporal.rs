//! openCypher's temporal values besides the date: local and zoned times, local and zoned date
//! times, and durations, with the calendar arithmetic they share with `Date`.
//!
//! A Cypher `date` is a `Date` of day precision; the model's months and years stay the
//! model's own (a data file's `2025-09`), and every calendar function here reads a partial
//! date at its first day. Years run from -999,999,999 to 999,999,999 as in openCypher; named
//! time zones come from the IANA database bundled by `jiff`, consulted for the offset of a
//! zone at an instant or a local time (clamped to the years the database covers).
//!
//! Texts follow ISO 8601 as openCypher writes and reads them: `toString` (`Display`) is the
//! exact format of the conformance suite, and each `parse_*` reads every form it uses (basic
//! and extended, week `2015-W30-2`, ordinal `2015-202`, fractions, offsets, `[Zone/Name]`).

use std::cmp::Ordering;
use std::fmt;

use super::Date;

pub const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub const SECONDS_PER_DAY: i64 = 86_400;
pub const NANOS_PER_DAY: i64 = SECONDS_PER_DAY * NANOS_PER_SECOND;
/// The least and greatest year a temporal value may have.
pub const MIN_YEAR: i64 = -999_999_999;
pub const MAX_YEAR: i64 = 999_999_999;
/// The greatest offset from UTC, in seconds (±18:00).
pub const MAX_OFFSET: i32 = 18 * 3600;

/// Why a temporal value cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemporalError(pub String);

fn err<T>(message: impl Into<String>) -> Result<T, TemporalError> {
    Err(TemporalError(message.into()))
}

// --- the calendar -------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian day (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year, month and day of a day counted from 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_in_year(year: i64) -> i64 {
    if is_leap(year) { 366 } else { 365 }
}

/// The first day of ISO week 1 of `year`: the Monday of the week holding 4 January.
fn week_one(year: i64) -> i64 {
    let jan4 = days_from_civil(year, 1, 4);
    jan4 - (weekday_of(jan4) - 1)
}

/// 1 for Monday to 7 for Sunday.
fn weekday_of(days: i64) -> i64 {
    (days + 3).rem_euclid(7) + 1
}

fn check_year(year: i64) -> Result<i64, TemporalError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(year)
    } else {
        err(format!(
            "year {year} is outside the supported range ({MIN_YEAR} to {MAX_YEAR})"
        ))
    }
}

fn check_range(what: &str, value: i64, low: i64, high: i64) -> Result<i64, TemporalError> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        err(format!("{what} {value} is not between {low} and {high}"))
    }
}

impl Date {
    /// The day `days` after 1970-01-01, when its year is in range.
    pub fn from_days(days: i64) -> Result<Date, TemporalError> {
        let (y, m, d) = civil_from_days(days);
        let y = check_year(y)?;
        Date::day(y as i32, m as u8, d as u8).map_err(|e| TemporalError(e.to_string()))
    }

    /// A day from its year, month and day, each checked.
    pub fn from_civil(year: i64, month: i64, day: i64) -> Result<Date, TemporalError> {
        let year = check_year(year)?;
        let month = check_range("month", month, 1, 12)?;
        let last = days_in_month(year, month);
        if !(1..=last).contains(&day) {
            return err(format!(
                "day {day} does not exist in {year:04}-{month:02}, which has {last} days"
            ));
        }
        Date::from_days(days_from_civil(year, month, day))
    }

    /// A day of an ISO week (`2015-W30-2`).
    pub fn from_week(year: i64, week: i64, weekday: i64) -> Result<Date, TemporalError> {
        let year = check_year(year)?;
        let weeks = if Date::from_days(week_one(year + 1) - 1)
            .map(|d| d.iso_week().1)
            .unwrap_or(52)
            == 53
        {
            53
        } else {
            52
        };
        check_range("week", week, 1, weeks)?;
        check_range("dayOfWeek", weekday, 1, 7)?;
        Date::from_days(week_one(year) + (week - 1) * 7 + weekday - 1)
    }

    /// The `ordinal`th day of the year (`2015-202`).
    pub fn from_ordinal(year: i64, ordinal: i64) -> Result<Date, TemporalError> {
        let year = check_year(year)?;
        check_range("ordinalDay", ordinal, 1, days_in_year(year))?;
        Date::from_days(days_from_civil(year, 1, 1) + ordinal - 1)
    }

    /// The `day`th day of a quarter.
    pub fn from_quarter(year: i64, quarter: i64, day: i64) -> Result<Date, TemporalError> {
        let year = check_year(year)?;
        check_range("quarter", quarter, 1, 4)?;
        let start = days_from_civil(year, (quarter - 1) * 3 + 1, 1);
        let end = if quarter == 4 {
            days_from_civil(year + 1, 1, 1)
        } else {
            days_from_civil(year, quarter * 3 + 1, 1)
        };
        check_range("dayOfQuarter", day, 1, end - start)?;
        Date::from_days(start + day - 1)
    }

    /// Days from 1970-01-01 to the date (its first day, for a month or a year).
    pub fn days(self) -> i64 {
        days_from_civil(
            i64::from(self.year_part()),
            i64::from(self.month_part().unwrap_or(1)),
            i64::from(self.day_part().unwrap_or(1)),
        )
    }

    /// The date as a full day: a month or a year becomes its first day.
    pub fn first_day(self) -> Date {
        if self.day_part().is_some() {
            self
        } else {
            Date::from_days(self.days()).unwrap_or(self)
        }
    }

    /// The function that makes it in a statement: `date` for a day, `period` for the model's
    /// months and years (openCypher's `date("2025-08")` is 2025-08-01).
    pub fn function(self) -> &'static str {
        if self.is_day() { "date" } else { "period" }
    }

    /// Whether the date names one day (not a month or a year).
    pub fn is_day(self) -> bool {
        self.day_part().is_some()
    }

    /// 1 for Monday to 7 for Sunday.
    pub fn weekday(self) -> i64 {
        weekday_of(self.days())
    }

    /// The day of the year, from 1.
    pub fn ordinal(self) -> i64 {
        self.days() - days_from_civil(i64::from(self.year_part()), 1, 1) + 1
    }

    /// The ISO week-based year and week number.
    pub fn iso_week(self) -> (i64, i64) {
        let days = self.days();
        let year = i64::from(self.year_part());
        let week_year = if days >= week_one(year + 1) {
            year + 1
        } else if days < week_one(year) {
            year - 1
        } else {
            year
        };
        (week_year, (days - week_one(week_year)) / 7 + 1)
    }

    pub fn quarter(self) -> i64 {
        (i64::from(self.month_part().unwrap_or(1)) - 1) / 3 + 1
    }

    pub fn day_of_quarter(self) -> i64 {
        let year = i64::from(self.year_part());
        self.days() - days_from_civil(year, (self.quarter() - 1) * 3 + 1, 1) + 1
    }

    /// Writes the full day as openCypher does: four digits at least, a sign beyond 9999.
    pub fn write_iso(self, f: &mut impl fmt::Write) -> fmt::Result {
        let year = self.year_part();
        if year > 9999 {
            write!(f, "+{year}")?;
        } else if year < 0 {
            write!(f, "-{:04}", -i64::from(year))?;
        } else {
            write!(f, "{year:04}")?;
        }
        write!(
            f,
            "-{:02}-{:02}",
            self.month_part().unwrap_or(1),
            self.day_part().unwrap_or(1)
        )
    }
}

// --- times of day and offsets ---------------------------------------------------------------

/// A time of day without a zone, to the nanosecond.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct LocalTime {
    nanos: u64,
}

impl LocalTime {
    pub const MIDNIGHT: LocalTime = LocalTime { nanos: 0 };

    /// The time `nanos` after midnight, when that is within a day.
    pub fn from_nanos(nanos: i64) -> Option<LocalTime> {
        (0..NANOS_PER_DAY).contains(&nanos).then_some(LocalTime {
            nanos: nanos as u64,
        })
    }

    /// A time from its parts, each checked.
    pub fn new(hour: i64, minute: i64, second: i64, nano: i64) -> Result<LocalTime, TemporalError> {
        check_range("hour", hour, 0, 23)?;
        check_range("minute", minute, 0, 59)?;
        check_range("second", second, 0, 59)?;
        check_range("nanosecond", nano, 0, NANOS_PER_SECOND - 1)?;
        Ok(LocalTime {
            nanos: ((hour * 3600 + minute * 60 + second) * NANOS_PER_SECOND + nano) as u64,
        })
    }

    /// Nanoseconds since midnight.
    pub fn nanos(self) -> i64 {
        self.nanos as i64
    }

    pub fn hour(self) -> i64 {
        self.nanos() / (3600 * NANOS_PER_SECOND)
    }

    pub fn minute(self) -> i64 {
        self.nanos() / (60 * NANOS_PER_SECOND) % 60
    }

    pub fn second(self) -> i64 {
        self.nanos() / NANOS_PER_SECOND % 60
    }

    pub fn nanosecond(self) -> i64 {
        self.nanos() % NANOS_PER_SECOND
    }
}

impl fmt::Display for LocalTime {
    /// `HH:MM`, then `:SS` when there are seconds, then a fraction of 3, 6 or 9 digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())?;
        let (second, nano) = (self.second(), self.nanosecond());
        if second != 0 || nano != 0 {
            write!(f, ":{second:02}")?;
            write_fraction(f, nano)?;
        }
        Ok(())
    }
}

/// `.fff`, `.ffffff` or `.fffffffff`, the shortest that holds `nano`; nothing for 0.
fn write_fraction(f: &mut impl fmt::Write, nano: i64) -> fmt::Result {
    if nano == 0 {
        Ok(())
    } else if nano % 1_000_000 == 0 {
        write!(f, ".{:03}", nano / 1_000_000)
    } else if nano % 1000 == 0 {
        write!(f, ".{:06}", nano / 1000)
    } else {
        write!(f, ".{nano:09}")
    }
}

/// `Z`, `+01:00` or `+02:05:59`.
pub fn write_offset(f: &mut impl fmt::Write, offset: i32) -> fmt::Result {
    if offset == 0 {
        return f.write_str("Z");
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    write!(f, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60)?;
    if !a.is_multiple_of(60) {
        write!(f, ":{:02}", a % 60)?;
    }
    Ok(())
}

/// The offset text `write_offset` writes.
pub fn offset_text(offset: i32) -> String {
    let mut s = String::new();
    let _ = write_offset(&mut s, offset);
    s
}

/// A time of day at an offset from UTC.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Time {
    pub time: LocalTime,
    /// Seconds east of UTC.
    pub offset: i32,
}

impl Time {
    /// Nanoseconds since midnight UTC (may fall outside one day).
    pub fn utc_nanos(self) -> i64 {
        self.time.nanos() - i64::from(self.offset) * NANOS_PER_SECOND
    }

    /// The same instant of the day at another offset.
    pub fn at_offset(self, offset: i32) -> Time {
        let nanos =
            (self.utc_nanos() + i64::from(offset) * NANOS_PER_SECOND).rem_euclid(NANOS_PER_DAY);
        Time {
            time: LocalTime::from_nanos(nanos).unwrap_or(LocalTime::MIDNIGHT),
            offset,
        }
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Time) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    /// By the instant of the day in UTC, then by offset.
    fn cmp(&self, other: &Time) -> Ordering {
        self.utc_nanos()
            .cmp(&other.utc_nanos())
            .then(self.offset.cmp(&other.offset))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.time)?;
        write_offset(f, self.offset)
    }
}

// --- date times ----------------------------------------------------------------------------

/// A day and a time of day, without a zone.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct LocalDateTime {
    /// Always a full day.
    pub date: Date,
    pub time: LocalTime,
}

impl LocalDateTime {
    /// Seconds since 1970-01-01T00:00 on the same wall clock, and the nanosecond.
    pub fn epoch_nanos(self) -> i128 {
        i128::from(self.date.days()) * i128::from(NANOS_PER_DAY) + i128::from(self.time.nanos())
    }

    /// The local date time `nanos` after 1970-01-01T00:00.
    pub fn from_epoch_nanos(nanos: i128) -> Result<LocalDateTime, TemporalError> {
        let day = i128::from(NANOS_PER_DAY);
        let days = nanos.div_euclid(day);
        let days = i64::try_from(days).map_err(|_| TemporalError("date out of range".into()))?;
        Ok(LocalDateTime {
            date: Date::from_days(days)?,
            time: LocalTime::from_nanos(nanos.rem_euclid(day) as i64)
                .unwrap_or(LocalTime::MIDNIGHT),
        })
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.date.write_iso(f)?;
        write!(f, "T{}", self.time)
    }
}

/// A named IANA time zone.
#[derive(Clone)]
pub struct Zone(jiff::tz::TimeZone);

impl Zone {
    /// The zone of that name in the bundled database, if there is one.
    pub fn named(name: &str) -> Option<Zone> {
        let tz = jiff::tz::TimeZone::get(name).ok()?;
        tz.iana_name().is_some().then_some(Zone(tz))
    }

    pub fn name(&self) -> &str {
        self.0.iana_name().unwrap_or("UTC")
    }

    /// The zone's offset at an instant, in seconds since the epoch (clamped to the years the
    /// database covers).
    pub fn offset_at(&self, epoch_seconds: i64) -> i32 {
        let clamped = epoch_seconds.clamp(
            jiff::Timestamp::MIN.as_second(),
            jiff::Timestamp::MAX.as_second(),
        );
        let ts = jiff::Timestamp::from_second(clamped).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        self.0.to_offset(ts).seconds()
    }

    /// The offset the zone gives a wall-clock time: in a gap the offset before it (so the
    /// clock moves on by the gap), in an overlap the earlier offset.
    pub fn offset_for_local(&self, local: LocalDateTime) -> i32 {
        let year = i64::from(local.date.year_part());
        if !(-9998..=9998).contains(&year) {
            let seconds = (local.epoch_nanos() / i128::from(NANOS_PER_SECOND)) as i64;
            return self.offset_at(seconds);
        }
        let civil = jiff::civil::DateTime::new(
            year as i16,
            local.date.month_part().unwrap_or(1) as i8,
            local.date.day_part().unwrap_or(1) as i8,
            local.time.hour() as i8,
            local.time.minute() as i8,
            local.time.second() as i8,
            local.time.nanosecond() as i32,
        );
        let Ok(civil) = civil else {
            return 0;
        };
        use jiff::tz::AmbiguousOffset;
        match self.0.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.seconds(),
            AmbiguousOffset::Gap { before, .. } => before.seconds(),
            AmbiguousOffset::Fold { before, .. } => before.seconds(),
        }
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Zone {}

impl std::hash::Hash for Zone {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name())
    }
}

/// A day and time at an offset from UTC, and possibly in a named zone (which then decides
/// the offset).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct DateTime {
    pub local: LocalDateTime,
    pub offset: i32,
    pub zone: Option<Zone>,
}

impl DateTime {
    /// A date time at a fixed offset.
    pub fn at_offset(local: LocalDateTime, offset: i32) -> DateTime {
        DateTime {
            local,
            offset,
            zone: None,
        }
    }

    /// A wall-clock time in a named zone; a time in a gap moves on by the gap.
    pub fn in_zone(local: LocalDateTime, zone: Zone) -> Result<DateTime, TemporalError> {
        let offset = zone.offset_for_local(local);
        let instant = local.epoch_nanos() - i128::from(offset) * i128::from(NANOS_PER_SECOND);
        DateTime::from_instant(instant, Some(zone), offset)
    }

    /// The instant `nanos` after the epoch, in `zone` (or at `offset` without one).
    pub fn from_instant(
        nanos: i128,
        zone: Option<Zone>,
        offset: i32,
    ) -> Result<DateTime, TemporalError> {
        let offset = match &zone {
            Some(z) => z.offset_at(nanos.div_euclid(i128::from(NANOS_PER_SECOND)) as i64),
            None => offset,
        };
        let local = LocalDateTime::from_epoch_nanos(
            nanos + i128::from(offset) * i128::from(NANOS_PER_SECOND),
        )?;
        Ok(DateTime {
            local,
            offset,
            zone,
        })
    }

    /// Nanoseconds since 1970-01-01T00:00Z.
    pub fn instant(&self) -> i128 {
        self.local.epoch_nanos() - i128::from(self.offset) * i128::from(NANOS_PER_SECOND)
    }

    /// The zone's name, or the offset's text.
    pub fn zone_text(&self) -> String {
        match &self.zone {
            Some(z) => z.name().to_owned(),
            None => offset_text(self.offset),
        }
    }
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &DateTime) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTime {
    /// By instant, then offset, then zone name.
    fn cmp(&self, other: &DateTime) -> Ordering {
        self.instant()
            .cmp(&other.instant())
            .then(self.offset.cmp(&other.offset))
            .then_with(|| {
                let name = |z: &Option<Zone>| z.as_ref().map(|z| z.name().to_owned());
                name(&self.zone).cmp(&name(&other.zone))
            })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.local)?;
        write_offset(f, self.offset)?;
        if let Some(zone) = &self.zone {
            write!(f, "[{}]", zone.name())?;
        }
        Ok(())
    }
}

// --- durations -----------------------------------------------------------------------------

/// openCypher's duration: months, days and seconds kept apart (a month is not a fixed number
/// of days, nor a day of seconds), with the nanoseconds of the second in `0..1e9`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

/// The average Gregorian month, in seconds: what a fraction of a month becomes.
const SECONDS_PER_MONTH: f64 = 2_629_746.0;

impl Duration {
    /// A duration from months, days and nanoseconds (carried into seconds).
    pub fn new(months: i64, days: i64, nanos: i128) -> Result<Duration, TemporalError> {
        let seconds = nanos.div_euclid(i128::from(NANOS_PER_SECOND));
        let seconds = i64::try_from(seconds)
            .map_err(|_| TemporalError("the duration is too long".to_owned()))?;
        Ok(Duration {
            months,
            days,
            seconds,
            nanos: nanos.rem_euclid(i128::from(NANOS_PER_SECOND)) as i32,
        })
    }

    /// The seconds and nanoseconds as one number of nanoseconds.
    pub fn time_nanos(self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }

    /// A duration from components that may have fractions: a fraction of a year becomes
    /// months, of a month days and seconds (by the average month), of a week or day seconds.
    pub fn from_parts(
        years: f64,
        months: f64,
        weeks: f64,
        days: f64,
        seconds_and_smaller: f64,
        whole_nanos: i128,
    ) -> Result<Duration, TemporalError> {
        let all = years * 12.0 + months;
        let whole_months = all.trunc();
        let month_days = (all - whole_months) * SECONDS_PER_MONTH / SECONDS_PER_DAY as f64;
        let all_days = weeks * 7.0 + days + month_days;
        let whole_days = all_days.trunc();
        let day_seconds = (all_days - whole_days) * SECONDS_PER_DAY as f64;
        let nanos = ((day_seconds + seconds_and_smaller) * 1e9).round();
        if !whole_months.is_finite()
            || whole_months.abs() > 9.2e18
            || whole_days.abs() > 9.2e18
            || !nanos.is_finite()
            || nanos.abs() > 1.7e38
        {
            return err("the duration is too long");
        }
        Duration::new(
            whole_months as i64,
            whole_days as i64,
            nanos as i128 + whole_nanos,
        )
    }

    pub fn checked_add(self, other: Duration) -> Option<Duration> {
        Duration::new(
            self.months.checked_add(other.months)?,
            self.days.checked_add(other.days)?,
            self.time_nanos() + other.time_nanos(),
        )
        .ok()
    }

    pub fn negate(self) -> Option<Duration> {
        Duration::new(
            self.months.checked_neg()?,
            self.days.checked_neg()?,
            -self.time_nanos(),
        )
        .ok()
    }

    /// Each component times `factor`, fractions carried down (`approximate`).
    pub fn scale(self, factor: f64) -> Result<Duration, TemporalError> {
        Duration::approximate(
            self.months as f64 * factor,
            self.days as f64 * factor,
            self.seconds as f64 * factor,
            f64::from(self.nanos) * factor,
        )
    }

    /// Each component divided by `divisor`, fractions carried down (`approximate`).
    pub fn divide(self, divisor: f64) -> Result<Duration, TemporalError> {
        Duration::approximate(
            self.months as f64 / divisor,
            self.days as f64 / divisor,
            self.seconds as f64 / divisor,
            f64::from(self.nanos) / divisor,
        )
    }

    /// A duration of fractional months, days, seconds and nanoseconds, as Neo4j makes one
    /// when it multiplies or divides: the fraction of a month becomes days (by the average
    /// month), the fraction of a day nanoseconds, and the nanoseconds are truncated. Seconds
    /// and nanoseconds are scaled apart, so that a second's fraction is not lost to the
    /// seconds' magnitude (`PT16H13M10.000000001S / 2` is `PT8H6M35S`, not `…35.000000001S`).
    fn approximate(
        months: f64,
        days: f64,
        seconds: f64,
        nanos: f64,
    ) -> Result<Duration, TemporalError> {
        const NANOS_PER_MONTH: f64 = SECONDS_PER_MONTH * 1e9;
        let day = NANOS_PER_DAY as f64;
        let whole_months = months.trunc();
        let days = days + (NANOS_PER_MONTH * months - NANOS_PER_MONTH * whole_months) / day;
        let whole_days = days.trunc();
        let nanos = seconds * 1e9 + nanos + (day * days - day * whole_days);
        if !whole_months.is_finite()
            || whole_months.abs() > 9.2e18
            || !whole_days.is_finite()
            || whole_days.abs() > 9.2e18
            || !nanos.is_finite()
            || nanos.abs() > 1.7e38
        {
            return err("the duration is too long");
        }
        Duration::new(
            whole_months as i64,
            whole_days as i64,
            nanos.trunc() as i128,
        )
    }
}

impl fmt::Display for Duration {
    /// `P1Y2M3DT4H5M6.7S`, leaving out zero components; `PT0S` when all are zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("P")?;
        let (years, months) = (self.months / 12, self.months % 12);
        if years != 0 {
            write!(f, "{years}Y")?;
        }
        if months != 0 {
            write!(f, "{months}M")?;
        }
        if self.days != 0 {
            write!(f, "{}D", self.days)?;
        }
        let total = self.time_nanos();
        if total == 0 {
            if self.months == 0 && self.days == 0 {
                f.write_str("T0S")?;
            }
            return Ok(());
        }
        f.write_str("T")?;
        let nps = i128::from(NANOS_PER_SECOND);
        let hours = total / (3600 * nps);
        let minutes = total / (60 * nps) % 60;
        let rest = total % (60 * nps);
        if hours != 0 {
            write!(f, "{hours}H")?;
        }
        if minutes != 0 {
            write!(f, "{minutes}M")?;
        }
        if rest != 0 {
            let sign = if rest < 0 { "-" } else { "" };
            let rest = rest.unsigned_abs();
            let (s, n) = (rest / nps as u128, (rest % nps as u128) as i64);
            write!(f, "{sign}{s}")?;
            if n != 0 {
                let digits = format!("{n:09}");
                write!(f, ".{}", digits.trim_end_matches('0'))?;
            }
            f.write_str("S")?;
        }
        Ok(())
    }
}

// --- parsing -------------------------------------------------------------------------------

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn number(s: &str, what: &str, text: &str) -> Result<i64, TemporalError> {
    if !all_digits(s) {
        return err(format!("\"{text}\" has no valid {what}"));
    }
    s.parse()
        .map_err(|_| TemporalError(format!("\"{text}\" has no valid {what}")))
}

/// A date in any ISO form openCypher reads: `2015-07-21`, `20150721`, `2015-07`, `201507`,
/// `2015-W30-2`, `2015W302`, `2015-W30`, `2015-202`, `2015202`, `2015`, `2015-Q3-12`, with
/// a signed year beyond four digits (`+999999999-12-31`).
pub fn parse_date(text: &str) -> Result<Date, TemporalError> {
    let shape = || TemporalError(format!("\"{text}\" is not a date such as 2015-07-21"));
    let (sign, body) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => (1, text),
    };
    let signed = body.len() != text.len();
    // The year: four digits, or any number of digits after a sign.
    let year_len = if signed {
        body.bytes().take_while(u8::is_ascii_digit).count()
    } else {
        4.min(body.len())
    };
    let year_text = &body[..year_len];
    if year_text.len() < 4 || !all_digits(year_text) {
        return Err(shape());
    }
    let year = sign * number(year_text, "year", text)?;
    let rest = &body[year_len..];
    let (dashed, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() {
        return if dashed {
            Err(shape())
        } else {
            Date::from_civil(year, 1, 1)
        };
    }
    if let Some(week) = rest.strip_prefix('W') {
        let (w, d) = if dashed {
            match week.split_once('-') {
                Some((w, d)) => (w, Some(d)),
                None => (week, None),
            }
        } else if week.len() == 3 {
            (&week[..2], Some(&week[2..]))
        } else {
            (week, None)
        };
        if w.len() != 2 || d.is_some_and(|d| d.len() != 1) {
            return Err(shape());
        }
        let day = match d {
            Some(d) => number(d, "day of the week", text)?,
            None => 1,
        };
        return Date::from_week(year, number(w, "week", text)?, day);
    }
    if let Some(quarter) = rest.strip_prefix('Q') {
        let (q, d) = if dashed {
            match quarter.split_once('-') {
                Some((q, d)) => (q, Some(d)),
                None => (quarter, None),
            }
        } else if quarter.len() > 1 {
            (&quarter[..1], Some(&quarter[1..]))
        } else {
            (quarter, None)
        };
        if q.len() != 1 || d.is_some_and(|d| d.len() != 2) {
            return Err(shape());
        }
        let day = match d {
            Some(d) => number(d, "day of the quarter", text)?,
            None => 1,
        };
        return Date::from_quarter(year, number(q, "quarter", text)?, day);
    }
    if dashed {
        return match rest.split_once('-') {
            Some((m, d)) if m.len() == 2 && d.len() == 2 => {
                Date::from_civil(year, number(m, "month", text)?, number(d, "day", text)?)
            }
            None if rest.len() == 2 => Date::from_civil(year, number(rest, "month", text)?, 1),
            None if rest.len() == 3 => Date::from_ordinal(year, number(rest, "day", text)?),
            _ => Err(shape()),
        };
    }
    match rest.len() {
        2 => Date::from_civil(year, number(rest, "month", text)?, 1),
        3 => Date::from_ordinal(year, number(rest, "day", text)?),
        4 => Date::from_civil(
            year,
            number(&rest[..2], "month", text)?,
            number(&rest[2..], "day", text)?,
        ),
        _ => Err(shape()),
    }
}

/// `21:40:32.142`, `214032.142`, `21:40`, `2140`, `21`.
pub fn parse_local_time(text: &str) -> Result<LocalTime, TemporalError> {
    let shape = || TemporalError(format!("\"{text}\" is not a time such as 21:40:32.142"));
    let (clock, fraction) = match text.find(['.', ',']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let parts: Vec<&str> = if clock.contains(':') {
        clock.split(':').collect()
    } else {
        if clock.len() % 2 != 0 || clock.len() > 6 {
            return Err(shape());
        }
        (0..clock.len() / 2)
            .map(|i| &clock[2 * i..2 * i + 2])
            .collect()
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.len() != 2) {
        return Err(shape());
    }
    let hour = number(parts[0], "hour", text)?;
    let minute = parts.get(1).map_or(Ok(0), |m| number(m, "minute", text))?;
    let second = parts.get(2).map_or(Ok(0), |s| number(s, "second", text))?;
    let nano = match fraction {
        None => 0,
        Some(f) if parts.len() == 3 && !f.is_empty() && f.len() <= 9 && all_digits(f) => {
            number(f, "fraction", text)? * 10i64.pow(9 - f.len() as u32)
        }
        Some(_) => return Err(shape()),
    };
    LocalTime::new(hour, minute, second, nano)
}

/// `Z`, `+01:00`, `+0100`, `+01`, `-02:05:59`.
pub fn parse_offset(text: &str) -> Result<i32, TemporalError> {
    let shape = || TemporalError(format!("\"{text}\" is not an offset such as +01:00"));
    if text == "Z" || text == "z" {
        return Ok(0);
    }
    let sign = match text.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(shape()),
    };
    let body = &text[1..];
    let parts: Vec<&str> = if body.contains(':') {
        body.split(':').collect()
    } else if body.len().is_multiple_of(2) && body.len() <= 6 {
        (0..body.len() / 2)
            .map(|i| &body[2 * i..2 * i + 2])
            .collect()
    } else {
        return Err(shape());
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.len() != 2 || !all_digits(p)) {
        return Err(shape());
    }
    let n = |i: usize| parts.get(i).map_or(0, |p| p.parse::<i32>().unwrap_or(99));
    let (h, m, s) = (n(0), n(1), n(2));
    if m > 59 || s > 59 {
        return Err(shape());
    }
    let offset = sign * (h * 3600 + m * 60 + s);
    if offset.abs() > MAX_OFFSET {
        return err(format!("offset {text} is beyond ±18:00"));
    }
    Ok(offset)
}

/// A zone as a `timezone` value or after a time names it: an offset, or an IANA name.
#[derive(Clone, Debug, PartialEq)]
pub enum ZoneSpec {
    Offset(i32),
    Named(Zone),
}

pub fn parse_zone(text: &str) -> Result<ZoneSpec, TemporalError> {
    if text.starts_with(['+', '-']) || text == "Z" {
        return parse_offset(text).map(ZoneSpec::Offset);
    }
    match Zone::named(text) {
        Some(zone) => Ok(ZoneSpec::Named(zone)),
        None => err(format!("\"{text}\" is not a time zone the database knows")),
    }
}

/// A time and what follows it: an offset, a `[Zone/Name]`, both or neither.
fn split_zone(text: &str) -> Result<(&str, Option<i32>, Option<Zone>), TemporalError> {
    let (text, zone) = match text.strip_suffix(']').and_then(|t| t.rsplit_once('[')) {
        Some((t, name)) => match Zone::named(name) {
            Some(zone) => (t, Some(zone)),
            None => return err(format!("\"{name}\" is not a time zone the database knows")),
        },
        None => (text, None),
    };
    match text.find(['+', '-', 'Z', 'z']) {
        Some(i) => Ok((&text[..i], Some(parse_offset(&text[i..])?), zone)),
        None => Ok((text, None, zone)),
    }
}

/// `21:40:32.142+01:00`; no offset means UTC.
pub fn parse_time(text: &str) -> Result<Time, TemporalError> {
    let (clock, offset, zone) = split_zone(text)?;
    if zone.is_some() {
        return err(format!(
            "\"{text}\": a time takes an offset, not a named zone"
        ));
    }
    Ok(Time {
        time: parse_local_time(clock)?,
        offset: offset.unwrap_or(0),
    })
}

fn split_t(text: &str) -> (&str, Option<&str>) {
    match text.find(['T', 't']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    }
}

/// `2015-07-21T21:40:32.142`, with any date form `parse_date` reads.
pub fn parse_local_datetime(text: &str) -> Result<LocalDateTime, TemporalError> {
    let (date, time) = split_t(text);
    Ok(LocalDateTime {
        date: parse_date(date)?,
        time: match time {
            Some(t) => parse_local_time(t)?,
            None => LocalTime::MIDNIGHT,
        },
    })
}

/// `2015-07-21T21:40:32.142+02:00[Europe/Stockholm]`; no offset or zone means UTC, a zone
/// without an offset takes the zone's.
pub fn parse_datetime(text: &str) -> Result<DateTime, TemporalError> {
    let (date, time) = split_t(text);
    let (date, clock, offset, zone) = match time {
        Some(t) => {
            let (clock, offset, zone) = split_zone(t)?;
            (date, Some(clock), offset, zone)
        }
        None => (date, None, None, None),
    };
    let local = LocalDateTime {
        date: parse_date(date)?,
        time: match clock {
            Some(c) => parse_local_time(c)?,
            None => LocalTime::MIDNIGHT,
        },
    };
    match (offset, zone) {
        (_, Some(zone)) => DateTime::in_zone(local, zone),
        (offset, None) => Ok(DateTime::at_offset(local, offset.unwrap_or(0))),
    }
}

/// `P14DT16H12M`, `P5M1.5D`, `PT0.75M`, `P2.5W`, `PT-0.5S`, or the alternative form
/// `P2012-02-02T14:37:21.545`.
pub fn parse_duration(text: &str) -> Result<Duration, TemporalError> {
    let shape = || {
        TemporalError(format!(
            "\"{text}\" is not a duration such as P1Y2M3DT4H5M6.7S"
        ))
    };
    let (negative, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let body = body
        .strip_prefix('P')
        .or_else(|| body.strip_prefix('p'))
        .ok_or_else(shape)?;
    let duration = if body.starts_with(|c: char| c.is_ascii_digit())
        && body
            .find(|c: char| !c.is_ascii_digit())
            .is_some_and(|i| body[i..].starts_with('-'))
    {
        let ldt = parse_local_datetime(body).map_err(|_| shape())?;
        let (date, time) = split_t(body);
        let parts: Vec<&str> = date.split('-').collect();
        if parts.len() != 3 {
            return Err(shape());
        }
        let n = |s: &str| s.parse::<i64>().map_err(|_| shape());
        let (y, m, d) = (n(parts[0])?, n(parts[1])?, n(parts[2])?);
        let nanos = if time.is_some() {
            i128::from(ldt.time.nanos())
        } else {
            0
        };
        Duration::new(y * 12 + m, d, nanos)?
    } else {
        let (date, time) = split_t(body);
        if date.is_empty() && time.is_none_or(str::is_empty) {
            return Err(shape());
        }
        let mut parts = [0f64; 4]; // years, months, weeks, days
        let mut seconds = 0f64;
        for (part, designators) in [(date, "YMWD"), (time.unwrap_or(""), "HMS")] {
            let mut rest = part;
            let mut last = 0;
            while !rest.is_empty() {
                let end = rest
                    .find(|c: char| c.is_ascii_alphabetic())
                    .ok_or_else(shape)?;
                let (value, unit) = (&rest[..end], rest[end..].chars().next().ok_or_else(shape)?);
                let unit = unit.to_ascii_uppercase();
                let place = designators.find(unit).ok_or_else(shape)?;
                if place < last || value.is_empty() {
                    return Err(shape());
                }
                last = place + 1;
                let value: f64 = value.replace(',', ".").parse().map_err(|_| shape())?;
                if designators == "YMWD" {
                    parts[place] += value;
                } else {
                    seconds += value * [3600.0, 60.0, 1.0][place];
                }
                rest = &rest[end + 1..];
            }
        }
        Duration::from_parts(parts[0], parts[1], parts[2], parts[3], seconds, 0)?
    };
    if negative {
        duration.negate().ok_or_else(shape)
    } else {
        Ok(duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_round_trips_and_knows_weeks() {
        for days in [-800_000, -1, 0, 1, 19_782, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        let d = parse_date("2015-W30-2").unwrap();
        assert_eq!(d.to_string(), "2015-07-21");
        assert_eq!(d.iso_week(), (2015, 30));
        assert_eq!(parse_date("1984-01-01").unwrap().iso_week(), (1983, 52));
        assert_eq!(parse_date("2015202").unwrap().to_string(), "2015-07-21");
        assert_eq!(parse_date("2015").unwrap().to_string(), "2015-01-01");
        assert!(parse_date("2015-02-30").is_err());
    }

    #[test]
    fn texts_read_back_as_written() {
        for text in [
            "21:40:32.142+01:00",
            "12:31:14.645876123Z",
            "21:40-01:30",
            "12:34:56+02:05:59",
        ] {
            assert_eq!(parse_time(text).unwrap().to_string(), text);
        }
        let dt = parse_datetime("1818-07-21T21:40:32.142[Europe/Stockholm]").unwrap();
        assert_eq!(
            dt.to_string(),
            "1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]"
        );
        for (text, shown) in [
            ("P0.75M", "P22DT19H51M49.5S"),
            ("P5M1.5D", "P5M1DT12H"),
            ("PT0.75M", "PT45S"),
            ("P2012-02-02T14:37:21.545", "P2012Y2M2DT14H37M21.545S"),
            ("PT-1.999S", "PT-1.999S"),
            ("PT0S", "PT0S"),
        ] {
            assert_eq!(parse_duration(text).unwrap().to_string(), shown, "{text}");
        }
    }
}

// --- one value of any of these kinds -------------------------------------------------------

/// A temporal value other than a date (dates are `Value::Date`, which also holds the model's
/// months and years): what `Value`, `QueryValue` and `ResultValue` hold in one variant.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Temporal {
    LocalTime(LocalTime),
    Time(Time),
    LocalDateTime(LocalDateTime),
    DateTime(DateTime),
    Duration(Duration),
}

impl Temporal {
    /// The Cypher type name: `localtime`, `time`, `localdatetime`, `datetime`, `duration`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Temporal::LocalTime(_) => "localtime",
            Temporal::Time(_) => "time",
            Temporal::LocalDateTime(_) => "localdatetime",
            Temporal::DateTime(_) => "datetime",
            Temporal::Duration(_) => "duration",
        }
    }

    /// Rank among the kinds, for the total order of ORDER BY.
    pub fn rank(&self) -> u8 {
        match self {
            Temporal::DateTime(_) => 0,
            Temporal::LocalDateTime(_) => 1,
            Temporal::Time(_) => 2,
            Temporal::LocalTime(_) => 3,
            Temporal::Duration(_) => 4,
        }
    }

    /// `<` within one kind; durations do not compare (openCypher), nor do two kinds.
    pub fn compare(&self, other: &Temporal) -> Option<Ordering> {
        match (self, other) {
            (Temporal::LocalTime(a), Temporal::LocalTime(b)) => Some(a.cmp(b)),
            (Temporal::Time(a), Temporal::Time(b)) => Some(a.utc_nanos().cmp(&b.utc_nanos())),
            (Temporal::LocalDateTime(a), Temporal::LocalDateTime(b)) => Some(a.cmp(b)),
            (Temporal::DateTime(a), Temporal::DateTime(b)) => Some(a.instant().cmp(&b.instant())),
            _ => None,
        }
    }

    /// The total order of ORDER BY: by kind, then in time (durations by their components).
    pub fn order(&self, other: &Temporal) -> Ordering {
        self.rank()
            .cmp(&other.rank())
            .then_with(|| match (self, other) {
                (Temporal::Time(a), Temporal::Time(b)) => a.cmp(b),
                (Temporal::DateTime(a), Temporal::DateTime(b)) => a.cmp(b),
                (Temporal::Duration(a), Temporal::Duration(b)) => {
                    (a.months, a.days, a.time_nanos()).cmp(&(b.months, b.days, b.time_nanos()))
                }
                _ => self.compare(other).unwrap_or(Ordering::Equal),
            })
    }

    /// The value's text in ISO 8601, as `toString` gives it, and a type word to call it with
    /// (`datetime('…')` reads it back).
    pub fn literal(&self) -> String {
        format!("{}(\"{self}\")", self.type_name())
    }

    /// Reads back what `Display` wrote for a kind named by `type_name`.
    pub fn parse(kind: &str, text: &str) -> Result<Temporal, TemporalError> {
        Ok(match kind {
            "localtime" => Temporal::LocalTime(parse_local_time(text)?),
            "time" => Temporal::Time(parse_time(text)?),
            "localdatetime" => Temporal::LocalDateTime(parse_local_datetime(text)?),
            "datetime" => Temporal::DateTime(parse_datetime(text)?),
            "duration" => Temporal::Duration(parse_duration(text)?),
            _ => return err(format!("{kind} is not a temporal type")),
        })
    }
}

impl fmt::Display for Temporal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Temporal::LocalTime(t) => t.fmt(f),
            Temporal::Time(t) => t.fmt(f),
            Temporal::LocalDateTime(t) => t.fmt(f),
            Temporal::DateTime(t) => t.fmt(f),
            Temporal::Duration(d) => d.fmt(f),
        }
    }
}

impl serde::Serialize for Temporal {
    /// A one-entry table naming the kind, `{datetime = "2015-07-21T21:40+02:00[Europe/Stockholm]"}`:
    /// TOML and JSON have no zone names or durations, and a bare text would read back as text.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.type_name(), &self.to_string())?;
        map.end()
    }
}
