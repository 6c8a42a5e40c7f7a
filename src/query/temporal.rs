//! The temporal functions and operators of the language over `QueryValue`: construction of
//! dates, times, date times and durations from text, maps and other temporal values, their
//! components (`d.week`, `t.offset`), truncation, `duration.between` and its `in*` variants,
//! and arithmetic (a temporal value plus or minus a duration, durations added, scaled).
//!
//! The calendar itself (texts, offsets, zones, the duration's normal form) is `model::temporal`;
//! this file decides what openCypher's maps and operators mean. A Cypher `date` is a day
//! `Date`; a stored month or year (the model's partial dates) reads as its first day here.
//!
//! **Invariant:** nothing here panics; every refusal is a message the caller places.

use std::collections::BTreeMap;

use super::value::QueryValue as V;
use crate::model::temporal::{
    self, Duration, LocalDateTime, LocalTime, NANOS_PER_DAY, NANOS_PER_SECOND, Temporal,
    TemporalError, Time, ZoneSpec, days_in_month, parse_zone,
};
use crate::model::{Date, DateTime};

/// A refusal, worded for the user.
pub(crate) type Refusal = String;

fn refuse<T>(message: impl Into<String>) -> Result<T, Refusal> {
    Err(message.into())
}

fn from_model(e: TemporalError) -> Refusal {
    e.0
}

/// The kinds a constructor makes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Date => "date",
            Kind::LocalTime => "localtime",
            Kind::Time => "time",
            Kind::LocalDateTime => "localdatetime",
            Kind::DateTime => "datetime",
        }
    }

    fn has_date(self) -> bool {
        matches!(self, Kind::Date | Kind::LocalDateTime | Kind::DateTime)
    }

    fn has_time(self) -> bool {
        !matches!(self, Kind::Date)
    }
}

/// What any temporal value holds, each part optional: a day, a time of day, an offset and a
/// zone.
#[derive(Clone, Debug, Default)]
struct Parts {
    date: Option<Date>,
    time: Option<LocalTime>,
    offset: Option<i32>,
    zone: Option<temporal::Zone>,
}

fn parts(value: &V) -> Option<Parts> {
    Some(match value {
        V::Date(d) => Parts {
            date: Some(d.first_day()),
            ..Parts::default()
        },
        V::Temporal(t) => match t {
            Temporal::LocalTime(t) => Parts {
                time: Some(*t),
                ..Parts::default()
            },
            Temporal::Time(t) => Parts {
                time: Some(t.time),
                offset: Some(t.offset),
                ..Parts::default()
            },
            Temporal::LocalDateTime(t) => Parts {
                date: Some(t.date),
                time: Some(t.time),
                ..Parts::default()
            },
            Temporal::DateTime(t) => Parts {
                date: Some(t.local.date),
                time: Some(t.local.time),
                offset: Some(t.offset),
                zone: t.zone.clone(),
            },
            Temporal::Duration(_) => return None,
        },
        _ => return None,
    })
}

/// The current instant, in nanoseconds since the epoch.
pub(crate) fn now_nanos() -> i128 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// `kind()` with no argument: now, in UTC (or in the zone a `{timezone: …}` names).
fn now(kind: Kind, zone: Option<ZoneSpec>, now: i128) -> Result<V, Refusal> {
    let (zone, offset) = match zone {
        Some(ZoneSpec::Named(z)) => (Some(z), 0),
        Some(ZoneSpec::Offset(o)) => (None, o),
        None => (None, 0),
    };
    let dt = DateTime::from_instant(now, zone, offset).map_err(from_model)?;
    Ok(convert(
        kind,
        &parts(&V::Temporal(Temporal::DateTime(dt))).unwrap_or_default(),
    ))
}

/// A value of `kind` from the parts of another temporal value, as `date(datetime)` does.
fn convert(kind: Kind, p: &Parts) -> V {
    let date = p
        .date
        .unwrap_or_else(|| Date::from_days(0).unwrap_or(Date::year(1970)));
    let time = p.time.unwrap_or(LocalTime::MIDNIGHT);
    match kind {
        Kind::Date => V::Date(date),
        Kind::LocalTime => V::Temporal(Temporal::LocalTime(time)),
        Kind::Time => V::Temporal(Temporal::Time(Time {
            time,
            offset: p.offset.unwrap_or(0),
        })),
        Kind::LocalDateTime => V::Temporal(Temporal::LocalDateTime(LocalDateTime { date, time })),
        Kind::DateTime => {
            let local = LocalDateTime { date, time };
            V::Temporal(Temporal::DateTime(match (&p.zone, p.offset) {
                (Some(z), Some(offset)) => DateTime {
                    local,
                    offset,
                    zone: Some(z.clone()),
                },
                (Some(z), None) => DateTime::in_zone(local, z.clone())
                    .unwrap_or_else(|_| DateTime::at_offset(local, 0)),
                (None, offset) => DateTime::at_offset(local, offset.unwrap_or(0)),
            }))
        }
    }
}

/// `date(x)`, `localtime(x)`, `time(x)`, `localdatetime(x)`, `datetime(x)`: `x` is text, a
/// map of components, or another temporal value; none is now.
pub(crate) fn construct(kind: Kind, arg: Option<V>, clock: i128) -> Result<V, Refusal> {
    match arg {
        None => now(kind, None, clock),
        Some(V::Null) => Ok(V::Null),
        Some(V::String(text)) => parse(kind, &text),
        Some(V::Map(map)) => from_map(kind, &map, clock),
        Some(other) => match parts(&other) {
            Some(p) if kind.has_date() && p.date.is_none() => refuse(format!(
                "{}() cannot be made from a value without a date",
                kind.name()
            )),
            Some(p) if kind.has_time() && !kind.has_date() && p.time.is_none() => refuse(format!(
                "{}() cannot be made from a date, which has no time",
                kind.name()
            )),
            Some(p) => Ok(convert(kind, &p)),
            None => refuse(format!("{}() expects text or a map", kind.name())),
        },
    }
}

fn parse(kind: Kind, text: &str) -> Result<V, Refusal> {
    let shown = |e: TemporalError| {
        if e.0.starts_with('"') {
            e.0
        } else {
            format!("\"{text}\" is not a {}: {}", kind.name(), e.0)
        }
    };
    Ok(match kind {
        Kind::Date => V::Date(temporal::parse_date(text).map_err(shown)?),
        Kind::LocalTime => V::Temporal(Temporal::LocalTime(
            temporal::parse_local_time(text).map_err(shown)?,
        )),
        Kind::Time => V::Temporal(Temporal::Time(temporal::parse_time(text).map_err(shown)?)),
        Kind::LocalDateTime => V::Temporal(Temporal::LocalDateTime(
            temporal::parse_local_datetime(text).map_err(shown)?,
        )),
        Kind::DateTime => V::Temporal(Temporal::DateTime(
            temporal::parse_datetime(text).map_err(shown)?,
        )),
    })
}

/// The keys a constructor's map may hold.
const DATE_KEYS: &[&str] = &[
    "year",
    "month",
    "day",
    "week",
    "dayOfWeek",
    "quarter",
    "dayOfQuarter",
    "ordinalDay",
];
const TIME_KEYS: &[&str] = &[
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
];

fn int(map: &BTreeMap<String, V>, key: &str) -> Result<Option<i64>, Refusal> {
    match map.get(key) {
        None | Some(V::Null) => Ok(None),
        Some(V::Int(i)) => Ok(Some(*i)),
        Some(V::Float(f)) if f.fract() == 0.0 && f.abs() < 9e18 => Ok(Some(*f as i64)),
        Some(other) => refuse(format!(
            "`{key}` should be an integer, not {}",
            other.type_name()
        )),
    }
}

fn from_map(kind: Kind, map: &BTreeMap<String, V>, clock: i128) -> Result<V, Refusal> {
    for key in map.keys() {
        let known = DATE_KEYS.contains(&key.as_str())
            || TIME_KEYS.contains(&key.as_str())
            || matches!(key.as_str(), "timezone" | "date" | "time" | "datetime");
        if !known {
            return refuse(format!("`{key}` is not a component of a {}", kind.name()));
        }
    }
    let zone = match map.get("timezone") {
        None | Some(V::Null) => None,
        Some(V::String(s)) => Some(parse_zone(s).map_err(from_model)?),
        Some(other) => {
            return refuse(format!(
                "`timezone` should be text, not {}",
                other.type_name()
            ));
        }
    };
    let base = |key: &str| -> Result<Option<Parts>, Refusal> {
        match map.get(key) {
            None | Some(V::Null) => Ok(None),
            Some(v) => match parts(v) {
                Some(p) => Ok(Some(p)),
                None => refuse(format!(
                    "`{key}` should be a temporal value, not {}",
                    v.type_name()
                )),
            },
        }
    };
    let whole = base("datetime")?;
    let date_base = base("date")?.or_else(|| whole.clone());
    let time_base = base("time")?.or_else(|| whole.clone());
    let has = |keys: &[&str]| keys.iter().any(|k| map.contains_key(*k));
    let only_zone = map.keys().all(|k| k == "timezone");
    if only_zone {
        return now(kind, zone, clock);
    }

    // The day.
    let date = if kind.has_date() {
        Some(date_from_map(map, date_base.as_ref().and_then(|p| p.date))?)
    } else {
        None
    };

    // The time of day: a time base keeps what the map does not set.
    let base_time = time_base.as_ref().and_then(|p| p.time);
    let time = if kind.has_time() {
        Some(time_from_map(map, base_time)?)
    } else {
        None
    };
    if kind == Kind::Date && has(TIME_KEYS) {
        return refuse("a date has no hour, minute or second");
    }

    // The zone: a base's offset converts to a new `timezone`; a local base takes it.
    let base_offset = time_base.as_ref().and_then(|p| p.offset);
    let base_zone = time_base.as_ref().and_then(|p| p.zone.clone());
    let time = time.unwrap_or(LocalTime::MIDNIGHT);
    Ok(match kind {
        Kind::Date => V::Date(date.unwrap_or(Date::year(1970))),
        Kind::LocalTime => V::Temporal(Temporal::LocalTime(time)),
        Kind::LocalDateTime => V::Temporal(Temporal::LocalDateTime(LocalDateTime {
            date: date.unwrap_or(Date::year(1970)),
            time,
        })),
        Kind::Time => {
            let t = Time {
                time,
                offset: base_offset.unwrap_or(0),
            };
            let offset = match &zone {
                Some(ZoneSpec::Offset(o)) => Some(*o),
                Some(ZoneSpec::Named(z)) => Some(z.offset_at((clock / 1_000_000_000) as i64)),
                None => None,
            };
            V::Temporal(Temporal::Time(match (offset, base_offset) {
                (Some(o), Some(_)) => t.at_offset(o),
                (Some(o), None) => Time { time, offset: o },
                (None, _) => t,
            }))
        }
        Kind::DateTime => {
            let local = LocalDateTime {
                date: date.unwrap_or(Date::year(1970)),
                time,
            };
            let had_zone = base_offset.is_some();
            let dt = match (&base_zone, base_offset) {
                (Some(z), _) => DateTime::in_zone(local, z.clone()).map_err(from_model)?,
                (None, Some(o)) => DateTime::at_offset(local, o),
                (None, None) => DateTime::at_offset(local, 0),
            };
            let dt = match zone {
                None => dt,
                // A base with a zone keeps its instant in the new zone.
                Some(spec) if had_zone => {
                    let (z, o) = match spec {
                        ZoneSpec::Named(z) => (Some(z), 0),
                        ZoneSpec::Offset(o) => (None, o),
                    };
                    DateTime::from_instant(dt.instant(), z, o).map_err(from_model)?
                }
                Some(ZoneSpec::Named(z)) => DateTime::in_zone(local, z).map_err(from_model)?,
                Some(ZoneSpec::Offset(o)) => DateTime::at_offset(local, o),
            };
            V::Temporal(Temporal::DateTime(dt))
        }
    })
}

fn date_from_map(map: &BTreeMap<String, V>, base: Option<Date>) -> Result<Date, Refusal> {
    let get = |k: &str| int(map, k);
    let year = get("year")?;
    let (week, day_of_week) = (get("week")?, get("dayOfWeek")?);
    let (quarter, day_of_quarter) = (get("quarter")?, get("dayOfQuarter")?);
    let ordinal = get("ordinalDay")?;
    let (month, day) = (get("month")?, get("day")?);
    let made = if week.is_some() || day_of_week.is_some() {
        let (base_year, base_week, base_dow) = match base {
            Some(b) => {
                let (y, w) = b.iso_week();
                (Some(y), Some(w), Some(b.weekday()))
            }
            None => (None, None, None),
        };
        let year = year.or(base_year).ok_or("a week date needs a year")?;
        Date::from_week(
            year,
            week.or(base_week).ok_or("a day of the week needs a week")?,
            day_of_week.or(base_dow).unwrap_or(1),
        )
    } else if let Some(ordinal) = ordinal {
        let year = year
            .or(base.map(|b| i64::from(b.year_part())))
            .ok_or("an ordinal day needs a year")?;
        Date::from_ordinal(year, ordinal)
    } else if quarter.is_some() || day_of_quarter.is_some() {
        let year = year
            .or(base.map(|b| i64::from(b.year_part())))
            .ok_or("a quarter needs a year")?;
        Date::from_quarter(
            year,
            quarter.or(base.map(Date::quarter)).unwrap_or(1),
            day_of_quarter
                .or(base.map(Date::day_of_quarter))
                .unwrap_or(1),
        )
    } else {
        let year = year
            .or(base.map(|b| i64::from(b.year_part())))
            .ok_or("a date needs a year")?;
        if base.is_none() && month.is_none() && day.is_some() {
            return refuse("a day needs a month");
        }
        Date::from_civil(
            year,
            month
                .or(base.and_then(|b| b.month_part().map(i64::from)))
                .unwrap_or(1),
            day.or(base.and_then(|b| b.day_part().map(i64::from)))
                .unwrap_or(1),
        )
    };
    made.map_err(from_model)
}

fn time_from_map(map: &BTreeMap<String, V>, base: Option<LocalTime>) -> Result<LocalTime, Refusal> {
    let get = |k: &str| int(map, k);
    let (hour, minute, second) = (get("hour")?, get("minute")?, get("second")?);
    let (ms, us, ns) = (get("millisecond")?, get("microsecond")?, get("nanosecond")?);
    if base.is_none()
        && (minute.is_some() && hour.is_none() || second.is_some() && minute.is_none())
    {
        return refuse("a time's components must be given from the hour down, without gaps");
    }
    let base_nano = base.map_or(0, LocalTime::nanosecond);
    if ms.is_some_and(|v| !(0..1000).contains(&v)) {
        return refuse("millisecond must be between 0 and 999");
    }
    let nano = if ms.is_none() && us.is_none() && ns.is_none() {
        base_nano
    } else if base.is_none() || ns.is_some_and(|n| n >= 1000) || us.is_some_and(|u| u >= 1000) {
        let limit = |v: Option<i64>, what: &str, high: i64| match v {
            Some(v) if !(0..high).contains(&v) => refuse(format!("{what} {v} is out of range")),
            v => Ok(v.unwrap_or(0)),
        };
        let us_high = if ms.is_some() { 1000 } else { 1_000_000 };
        let ns_high = if ms.is_some() || us.is_some() {
            if us.is_some() { 1000 } else { 1_000_000 }
        } else {
            NANOS_PER_SECOND
        };
        limit(ms, "millisecond", 1000)? * 1_000_000
            + limit(us, "microsecond", us_high)? * 1000
            + limit(ns, "nanosecond", ns_high)?
    } else {
        // Over a base, each unit given replaces that unit's digits.
        let ms = ms.unwrap_or(base_nano / 1_000_000);
        let us = us.unwrap_or(if ns.is_some() {
            base_nano / 1000 % 1000
        } else {
            0
        });
        ms * 1_000_000 + us * 1000 + ns.unwrap_or(0)
    };
    LocalTime::new(
        hour.or(base.map(LocalTime::hour)).unwrap_or(0),
        minute.or(base.map(LocalTime::minute)).unwrap_or(0),
        second.or(base.map(LocalTime::second)).unwrap_or(0),
        nano,
    )
    .map_err(from_model)
}

// --- durations -----------------------------------------------------------------------------

/// `duration(x)`: text (`P1Y2M`), a map of components that may have fractions, or null.
pub(crate) fn duration(arg: V) -> Result<V, Refusal> {
    let d = match arg {
        V::Null => return Ok(V::Null),
        V::String(text) => temporal::parse_duration(&text).map_err(from_model)?,
        V::Map(map) => duration_from_map(&map)?,
        V::Temporal(Temporal::Duration(d)) => d,
        other => {
            return refuse(format!(
                "duration() expects text or a map, not {}",
                other.type_name()
            ));
        }
    };
    Ok(V::Temporal(Temporal::Duration(d)))
}

fn duration_from_map(map: &BTreeMap<String, V>) -> Result<Duration, Refusal> {
    const KEYS: &[&str] = &[
        "years",
        "quarters",
        "months",
        "weeks",
        "days",
        "hours",
        "minutes",
        "seconds",
        "milliseconds",
        "microseconds",
        "nanoseconds",
    ];
    let mut v = [0f64; 11];
    let mut whole_nanos: i128 = 0;
    for (key, value) in map {
        let Some(i) = KEYS.iter().position(|k| k == key) else {
            return refuse(format!("`{key}` is not a component of a duration"));
        };
        match value {
            V::Null => {}
            // Integer seconds and smaller stay exact.
            V::Int(n) if i >= 7 => {
                whole_nanos += i128::from(*n) * [1_000_000_000, 1_000_000, 1000, 1][i - 7];
            }
            V::Int(n) => v[i] = *n as f64,
            V::Float(f) => v[i] = *f,
            other => {
                return refuse(format!(
                    "`{key}` should be a number, not {}",
                    other.type_name()
                ));
            }
        }
    }
    let seconds = v[5] * 3600.0 + v[6] * 60.0 + v[7] + v[8] / 1e3 + v[9] / 1e6 + v[10] / 1e9;
    Duration::from_parts(v[0], v[1] * 3.0 + v[2], v[3], v[4], seconds, whole_nanos)
        .map_err(from_model)
}

/// What `duration.between` and its variants compute.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Between {
    All,
    Months,
    Days,
    Seconds,
}

/// The difference between two temporal values, as openCypher's `duration.between` gives it:
/// whole months, then whole days, then the time left, each counted from `from`.
pub(crate) fn between(what: Between, from: &V, to: &V) -> Result<V, Refusal> {
    if from.is_null() || to.is_null() {
        return Ok(V::Null);
    }
    let (Some(mut a), Some(mut b)) = (parts(from), parts(to)) else {
        return refuse("duration.between expects two temporal values other than durations");
    };
    let dur = |m: i64, d: i64, n: i128| -> Result<V, Refusal> {
        Ok(V::Temporal(Temporal::Duration(
            Duration::new(m, d, n).map_err(from_model)?,
        )))
    };
    // A value without a zone is read in the other's.
    let zoned = |p: &Parts| p.offset.is_some() || p.zone.is_some();
    if zoned(&a) && !zoned(&b) {
        b.zone = a.zone.clone();
        b.offset = if b.zone.is_some() { None } else { a.offset };
    } else if zoned(&b) && !zoned(&a) {
        a.zone = b.zone.clone();
        a.offset = if a.zone.is_some() { None } else { b.offset };
    }
    let (Some(da), Some(db)) = (a.date, b.date) else {
        // No common calendar: only the times of day differ.
        if matches!(what, Between::Months | Between::Days) {
            return dur(0, 0, 0);
        }
        let ta = a.time.unwrap_or(LocalTime::MIDNIGHT);
        let tb = b.time.unwrap_or(LocalTime::MIDNIGHT);
        // A time of day in a named zone takes the zone's offset on the other value's day
        // (Neo4j's reading: `localtime({hour: 0})` against a date time on a daylight-saving
        // day is that day's midnight), or today's when neither has a day.
        let day = a.date.or(b.date);
        let utc = |t: LocalTime, p: &Parts| {
            let offset = p.offset.or_else(|| {
                p.zone.as_ref().map(|z| match day {
                    Some(date) => z.offset_for_local(LocalDateTime { date, time: t }),
                    None => z.offset_at((now_nanos() / 1_000_000_000) as i64),
                })
            });
            i128::from(t.nanos()) - i128::from(offset.unwrap_or(0)) * i128::from(NANOS_PER_SECOND)
        };
        return dur(0, 0, utc(tb, &b) - utc(ta, &a));
    };
    let la = LocalDateTime {
        date: da,
        time: a.time.unwrap_or(LocalTime::MIDNIGHT),
    };
    let lb = LocalDateTime {
        date: db,
        time: b.time.unwrap_or(LocalTime::MIDNIGHT),
    };
    let instant = |l: LocalDateTime, p: &Parts| -> Result<Option<i128>, Refusal> {
        Ok(match (&p.zone, p.offset) {
            (Some(z), None) => Some(
                DateTime::in_zone(l, z.clone())
                    .map_err(from_model)?
                    .instant(),
            ),
            (_, Some(o)) => Some(DateTime::at_offset(l, o).instant()),
            (None, None) => None,
        })
    };
    let (ia, ib) = (instant(la, &a)?, instant(lb, &b)?);
    // Calendar units count on `from`'s wall clock: `to` moved into `from`'s zone.
    let lb_seen = match (ia, ib) {
        (Some(_), Some(ib)) => {
            let (zone, offset) = (a.zone.clone(), a.offset.unwrap_or(0));
            let moved = DateTime::from_instant(ib, zone, offset).map_err(from_model)?;
            if a.zone.is_none() && a.offset.is_none() {
                lb
            } else {
                moved.local
            }
        }
        _ => lb,
    };
    let nanos_between = |x: LocalDateTime, xi: Option<i128>| -> Result<i128, Refusal> {
        Ok(match (xi, ib) {
            (Some(_), Some(ib)) => {
                // `x` is on `from`'s wall clock: its instant in `from`'s zone.
                let xi = instant(x, &a)?.unwrap_or(0);
                ib - xi
            }
            _ => lb.epoch_nanos() - x.epoch_nanos(),
        })
    };
    match what {
        Between::Seconds => dur(0, 0, nanos_between(la, ia)?),
        Between::Months => dur(months_until(la, lb_seen), 0, 0),
        Between::Days => dur(0, days_until(la, lb_seen), 0),
        Between::All => {
            let months = months_until(la, lb_seen);
            let moved = plus_months(la, months)?;
            let days = days_until(moved, lb_seen);
            let moved = LocalDateTime {
                date: Date::from_days(moved.date.days() + days).map_err(from_model)?,
                time: moved.time,
            };
            dur(months, days, nanos_between(moved, ia)?)
        }
    }
}

/// The end day as whole-unit counting sees it: a day less when its time of day is before the
/// start's (the last day is not whole), a day more the other way round.
fn counted_end(a: LocalDateTime, b: LocalDateTime) -> i64 {
    let end = b.date.days();
    if end > a.date.days() && b.time < a.time {
        end - 1
    } else if end < a.date.days() && b.time > a.time {
        end + 1
    } else {
        end
    }
}

fn months_until(a: LocalDateTime, b: LocalDateTime) -> i64 {
    let end = counted_end(a, b);
    let (ey, em, ed) = temporal::civil_from_days(end);
    let packed = |y: i64, m: i64, d: i64| (y * 12 + m - 1) * 32 + d;
    let start = packed(
        i64::from(a.date.year_part()),
        i64::from(a.date.month_part().unwrap_or(1)),
        i64::from(a.date.day_part().unwrap_or(1)),
    );
    (packed(ey, em, ed) - start) / 32
}

fn days_until(a: LocalDateTime, b: LocalDateTime) -> i64 {
    counted_end(a, b) - a.date.days()
}

fn plus_months(l: LocalDateTime, months: i64) -> Result<LocalDateTime, Refusal> {
    Ok(LocalDateTime {
        date: date_plus_months(l.date, months)?,
        time: l.time,
    })
}

/// The same day `months` later, on the month's last day when it is shorter.
fn date_plus_months(date: Date, months: i64) -> Result<Date, Refusal> {
    if months == 0 {
        return Ok(date);
    }
    let total = i64::from(date.year_part()) * 12 + i64::from(date.month_part().unwrap_or(1)) - 1;
    let total = total
        .checked_add(months)
        .ok_or("the date is out of range")?;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let day = i64::from(date.day_part().unwrap_or(1)).min(days_in_month(year, month));
    Date::from_civil(year, month, day).map_err(from_model)
}

// --- arithmetic ----------------------------------------------------------------------------

/// `temporal + duration` (or `-` with `negate`): months, then days, then the time, each
/// added in turn; a date adds whole days of the time, a time of day wraps around midnight.
pub(crate) fn shift(value: &V, d: Duration) -> Result<V, Refusal> {
    let date_plus = |date: Date, months: i64, days: i64| -> Result<Date, Refusal> {
        let moved = date_plus_months(date, months)?;
        Date::from_days(
            moved
                .days()
                .checked_add(days)
                .ok_or("the date is out of range")?,
        )
        .map_err(from_model)
    };
    let time_plus = |t: LocalTime| {
        let n = (i128::from(t.nanos()) + d.time_nanos()).rem_euclid(i128::from(NANOS_PER_DAY));
        LocalTime::from_nanos(n as i64).unwrap_or(LocalTime::MIDNIGHT)
    };
    let local_plus = |l: LocalDateTime| -> Result<LocalDateTime, Refusal> {
        let date = date_plus(l.date, d.months, d.days)?;
        LocalDateTime::from_epoch_nanos(
            LocalDateTime { date, time: l.time }.epoch_nanos() + d.time_nanos(),
        )
        .map_err(from_model)
    };
    Ok(match value {
        V::Date(date) => {
            // Whole days of the time part, counted towards zero.
            let days = (d.time_nanos() / i128::from(NANOS_PER_DAY)) as i64;
            V::Date(date_plus(date.first_day(), d.months, d.days + days)?)
        }
        V::Temporal(Temporal::LocalTime(t)) => V::Temporal(Temporal::LocalTime(time_plus(*t))),
        V::Temporal(Temporal::Time(t)) => V::Temporal(Temporal::Time(Time {
            time: time_plus(t.time),
            offset: t.offset,
        })),
        V::Temporal(Temporal::LocalDateTime(l)) => {
            V::Temporal(Temporal::LocalDateTime(local_plus(*l)?))
        }
        V::Temporal(Temporal::DateTime(dt)) => {
            let date = date_plus(dt.local.date, d.months, d.days)?;
            let local = LocalDateTime {
                date,
                time: dt.local.time,
            };
            let moved = match &dt.zone {
                Some(z) => DateTime::in_zone(local, z.clone()).map_err(from_model)?,
                None => DateTime::at_offset(local, dt.offset),
            };
            V::Temporal(Temporal::DateTime(
                DateTime::from_instant(
                    moved.instant() + d.time_nanos(),
                    dt.zone.clone(),
                    dt.offset,
                )
                .map_err(from_model)?,
            ))
        }
        _ => return refuse("only a temporal value can be shifted by a duration"),
    })
}

/// `a + b`, `a - b` and `a * n`, `a / n` where temporal values are involved; `None` when
/// neither side is one the operator takes (the caller reports it).
pub(crate) fn arithmetic(op: char, l: &V, r: &V) -> Option<Result<V, Refusal>> {
    let duration = |v: &V| match v {
        V::Temporal(Temporal::Duration(d)) => Some(*d),
        _ => None,
    };
    let out = |d: Option<Duration>| {
        d.map(|d| V::Temporal(Temporal::Duration(d)))
            .ok_or_else(|| "the duration is too long".to_owned())
    };
    let number = |v: &V| match v {
        V::Int(i) => Some(*i as f64),
        V::Float(f) => Some(*f),
        _ => None,
    };
    Some(match (op, duration(l), duration(r)) {
        ('+', Some(a), Some(b)) => out(a.checked_add(b)),
        ('-', Some(a), Some(b)) => out(b.negate().and_then(|b| a.checked_add(b))),
        ('+', None, Some(b)) if parts(l).is_some() => shift(l, b),
        ('+', Some(a), None) if parts(r).is_some() => shift(r, a),
        ('-', None, Some(b)) if parts(l).is_some() => match b.negate() {
            Some(b) => shift(l, b),
            None => refuse("the duration is too long"),
        },
        ('*', Some(a), None) => number(r).map(|n| {
            a.scale(n)
                .map(|d| V::Temporal(Temporal::Duration(d)))
                .map_err(from_model)
        })?,
        ('*', None, Some(b)) => number(l).map(|n| {
            b.scale(n)
                .map(|d| V::Temporal(Temporal::Duration(d)))
                .map_err(from_model)
        })?,
        ('/', Some(a), None) => match number(r)? {
            0.0 => refuse("division of a duration by zero"),
            n => a
                .divide(n)
                .map(|d| V::Temporal(Temporal::Duration(d)))
                .map_err(from_model),
        },
        _ => return None,
    })
}

// --- truncation ----------------------------------------------------------------------------

/// `kind.truncate(unit, value [, map])`: the value cut down to the start of its `unit`, made
/// into `kind`, with the map's components set afterwards.
pub(crate) fn truncate(
    kind: Kind,
    unit: &str,
    value: &V,
    map: Option<&BTreeMap<String, V>>,
    clock: i128,
) -> Result<V, Refusal> {
    if value.is_null() {
        return Ok(V::Null);
    }
    let Some(mut p) = parts(value) else {
        return refuse(format!("{}.truncate expects a temporal value", kind.name()));
    };
    let date_unit = matches!(
        unit,
        "millennium"
            | "century"
            | "decade"
            | "year"
            | "weekYear"
            | "quarter"
            | "month"
            | "week"
            | "day"
    );
    let time_unit = matches!(
        unit,
        "hour" | "minute" | "second" | "millisecond" | "microsecond"
    );
    if !date_unit && !time_unit {
        return refuse(format!("\"{unit}\" is not a unit to truncate to"));
    }
    if kind.has_date() && p.date.is_none() {
        return refuse(format!(
            "{} cannot be made from a value without a date",
            kind.name()
        ));
    }
    if !kind.has_time() && time_unit {
        return refuse(format!("a date cannot be truncated to the {unit}"));
    }
    if let Some(date) = p.date {
        let year = i64::from(date.year_part());
        let floor = |n: i64| year.div_euclid(n) * n;
        let cut = match unit {
            "millennium" => Date::from_civil(floor(1000), 1, 1),
            "century" => Date::from_civil(floor(100), 1, 1),
            "decade" => Date::from_civil(floor(10), 1, 1),
            "year" => Date::from_civil(year, 1, 1),
            "weekYear" => Date::from_week(date.iso_week().0, 1, 1),
            "quarter" => Date::from_quarter(year, date.quarter(), 1),
            "month" => Date::from_civil(year, i64::from(date.month_part().unwrap_or(1)), 1),
            "week" => Date::from_days(date.days() - date.weekday() + 1),
            _ => Ok(date),
        };
        p.date = Some(cut.map_err(from_model)?);
    }
    let time = p.time.unwrap_or(LocalTime::MIDNIGHT);
    let n = time.nanos();
    let unit_nanos = match unit {
        "hour" => 3600 * NANOS_PER_SECOND,
        "minute" => 60 * NANOS_PER_SECOND,
        "second" => NANOS_PER_SECOND,
        "millisecond" => 1_000_000,
        "microsecond" => 1000,
        _ => NANOS_PER_DAY,
    };
    p.time = Some(LocalTime::from_nanos(n - n % unit_nanos).unwrap_or(LocalTime::MIDNIGHT));
    let mut fields = map.cloned().unwrap_or_default();
    // A new zone keeps the wall clock: the base is local.
    if let Some(zone) = fields.get("timezone").cloned()
        && !zone.is_null()
    {
        p.offset = None;
        p.zone = None;
        if kind == Kind::Time || kind == Kind::DateTime {
            let V::String(text) = &zone else {
                return refuse("`timezone` should be text");
            };
            match parse_zone(text).map_err(from_model)? {
                ZoneSpec::Named(z) => p.zone = Some(z),
                ZoneSpec::Offset(o) => p.offset = Some(o),
            }
            fields.remove("timezone");
        }
    }
    let base = convert(kind, &p);
    if fields.is_empty() {
        return Ok(base);
    }
    let key = if kind.has_date() { "date" } else { "time" };
    fields.insert(key.to_owned(), base.clone());
    if kind.has_date() && kind.has_time() {
        fields.insert("time".to_owned(), base);
    }
    from_map(kind, &fields, clock)
}

// --- components ----------------------------------------------------------------------------

/// `value.key` of a temporal value: `Some(null)` for a date's part finer than its precision,
/// `None` when the value has no such component.
pub(crate) fn component(value: &V, key: &str) -> Option<V> {
    let int = |n: i64| Some(V::Int(n));
    if let V::Temporal(Temporal::Duration(d)) = value {
        return duration_component(d, key);
    }
    let p = parts(value)?;
    if let Some(date) = p.date {
        let stored = match value {
            V::Date(d) => *d,
            _ => date,
        };
        let fine = |is: bool, v: i64| Some(if is { V::Int(v) } else { V::Null });
        match key {
            "year" => return int(i64::from(date.year_part())),
            "month" => {
                return fine(
                    stored.month_part().is_some(),
                    i64::from(date.month_part().unwrap_or(1)),
                );
            }
            "quarter" => return fine(stored.month_part().is_some(), date.quarter()),
            "day" => return fine(stored.is_day(), i64::from(date.day_part().unwrap_or(1))),
            "week" => return fine(stored.is_day(), date.iso_week().1),
            "weekYear" => return fine(stored.is_day(), date.iso_week().0),
            "ordinalDay" => return fine(stored.is_day(), date.ordinal()),
            "weekDay" | "dayOfWeek" => return fine(stored.is_day(), date.weekday()),
            "dayOfQuarter" => return fine(stored.is_day(), date.day_of_quarter()),
            _ => {}
        }
    }
    if let Some(t) = p.time {
        match key {
            "hour" => return int(t.hour()),
            "minute" => return int(t.minute()),
            "second" => return int(t.second()),
            "millisecond" => return int(t.nanosecond() / 1_000_000),
            "microsecond" => return int(t.nanosecond() / 1000),
            "nanosecond" => return int(t.nanosecond()),
            _ => {}
        }
    }
    if let Some(offset) = p.offset {
        match key {
            "timezone" => {
                return Some(V::String(match &p.zone {
                    Some(z) => z.name().to_owned(),
                    None => temporal::offset_text(offset),
                }));
            }
            "offset" => return Some(V::String(temporal::offset_text(offset))),
            "offsetMinutes" => return int(i64::from(offset / 60)),
            "offsetSeconds" => return int(i64::from(offset)),
            _ => {}
        }
    }
    if let V::Temporal(Temporal::DateTime(dt)) = value {
        let nanos = dt.instant();
        match key {
            "epochSeconds" => return int(nanos.div_euclid(i128::from(NANOS_PER_SECOND)) as i64),
            "epochMillis" => return int(nanos.div_euclid(1_000_000) as i64),
            _ => {}
        }
    }
    None
}

fn duration_component(d: &Duration, key: &str) -> Option<V> {
    let (m, days, s, n) = (d.months, d.days, d.seconds, i64::from(d.nanos));
    Some(V::Int(match key {
        "years" => m / 12,
        "quarters" => m / 3,
        "months" => m,
        "weeks" => days / 7,
        "days" => days,
        "hours" => s / 3600,
        "minutes" => s / 60,
        "seconds" => s,
        "milliseconds" => s.saturating_mul(1000).saturating_add(n / 1_000_000),
        "microseconds" => s.saturating_mul(1_000_000).saturating_add(n / 1000),
        "nanoseconds" => s.saturating_mul(NANOS_PER_SECOND).saturating_add(n),
        "quartersOfYear" => m / 3 % 4,
        "monthsOfQuarter" => m % 3,
        "monthsOfYear" => m % 12,
        "daysOfWeek" => days % 7,
        "minutesOfHour" => s / 60 % 60,
        "secondsOfMinute" => s % 60,
        "millisecondsOfSecond" => n / 1_000_000,
        "microsecondsOfSecond" => n / 1000,
        "nanosecondsOfSecond" => n,
        _ => return None,
    }))
}

/// `datetime.fromepoch(seconds, nanoseconds)` and `datetime.fromepochmillis(millis)`, in UTC.
pub(crate) fn from_epoch(nanos: i128) -> Result<V, Refusal> {
    Ok(V::Temporal(Temporal::DateTime(
        DateTime::from_instant(nanos, None, 0).map_err(from_model)?,
    )))
}
