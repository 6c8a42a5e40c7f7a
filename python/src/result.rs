//! A statement's answer in Python: rows of Python values, and columns built in bulk for
//! DataFrames.
//!
//! A column whose values are all of one plain kind (integers, floats, booleans, days) leaves as
//! one buffer of machine values and a null mask, which numpy, pandas, polars and pyarrow take
//! without a Python object per cell; text leaves as one list of `str`. Only columns of nodes,
//! lists, maps or mixed kinds are built value by value. `alliances/_frames.py` assembles the
//! frames from these columns.

use std::sync::Arc;

use alliances::Date;
use alliances::model::Temporal;
use alliances::model::temporal::NANOS_PER_DAY;
use alliances::query::{QueryResult, ResultValue};
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use crate::values::{Shape, result_to_py};

/// The answer to one statement: `columns`, `rows()`, and `to_pandas()`, `to_polars()` and
/// `to_arrow()`.
#[pyclass(module = "alliances", name = "Result", frozen)]
pub struct Answer {
    pub result: Arc<QueryResult>,
}

/// What kind of column a result's column is, for a frame.
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    /// Days within `datetime`'s years, as days since 1970-01-01.
    Day,
    /// Dates, some known only to the month or the year (or outside `datetime`'s years).
    Dates,
    Str,
    /// Local date times.
    Local,
    /// Date times all in one zone, or all at one offset of whole minutes: its name, or its
    /// offset as `+01:00`.
    Zoned(String),
    /// Local times.
    Clock,
    /// Durations without months, which are exact spans of time.
    Span,
    Object,
}

/// The time zone a frame's column of date times is given: the zone's name, or an offset of
/// whole minutes as `+01:00` (what pyarrow, pandas and polars read), else None.
fn frame_zone(t: &Temporal) -> Option<String> {
    let Temporal::DateTime(dt) = t else {
        return None;
    };
    if let Some(zone) = &dt.zone {
        return Some(zone.name().to_owned());
    }
    if dt.offset % 60 != 0 {
        return None;
    }
    let minutes = dt.offset.abs() / 60;
    let sign = if dt.offset < 0 { '-' } else { '+' };
    Some(format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60))
}

/// Nanoseconds since the epoch (of the instant, or of the wall clock for a local date time),
/// since midnight, or of a span, as a frame's column holds them.
fn frame_nanos(value: &ResultValue) -> Option<i128> {
    let ResultValue::Temporal(t) = value else {
        return None;
    };
    Some(match t {
        Temporal::LocalDateTime(l) => l.epoch_nanos(),
        Temporal::DateTime(dt) => dt.instant(),
        Temporal::LocalTime(t) => i128::from(t.nanos()),
        Temporal::Duration(d) if d.months == 0 => {
            i128::from(d.days) * i128::from(NANOS_PER_DAY) + d.time_nanos()
        }
        _ => return None,
    })
}

/// Days since 1970-01-01 of a full day (the civil-from-days inverse, Howard Hinnant's).
fn epoch_days(date: Date) -> Option<i32> {
    let (month, day) = (date.month_part()?, date.day_part()?);
    let year = date.year_part();
    if !(1..=9999).contains(&year) {
        return None;
    }
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

impl Answer {
    fn column_kind(&self, column: usize) -> Kind {
        let mut kind = Kind::Null;
        for row in &self.result.rows {
            let cell = match row.get(column) {
                Some(ResultValue::Null) | None => continue,
                Some(ResultValue::Bool(_)) => Kind::Bool,
                Some(ResultValue::Int(_)) => Kind::Int,
                Some(ResultValue::Float(_)) => Kind::Float,
                Some(ResultValue::String(_)) => Kind::Str,
                Some(ResultValue::Date(d)) if epoch_days(*d).is_some() => Kind::Day,
                Some(ResultValue::Date(_)) => Kind::Dates,
                Some(ResultValue::Temporal(t)) => match t {
                    Temporal::LocalDateTime(_) => Kind::Local,
                    Temporal::LocalTime(_) => Kind::Clock,
                    Temporal::Duration(d) if d.months == 0 => Kind::Span,
                    dt @ Temporal::DateTime(_) => match frame_zone(dt) {
                        Some(zone) => Kind::Zoned(zone),
                        None => return Kind::Object,
                    },
                    _ => return Kind::Object,
                },
                Some(_) => return Kind::Object,
            };
            kind = match (kind, cell) {
                (Kind::Null, cell) => cell,
                (Kind::Int, Kind::Float) | (Kind::Float, Kind::Int) => Kind::Float,
                (Kind::Bool, Kind::Bool) => Kind::Bool,
                (Kind::Int, Kind::Int) => Kind::Int,
                (Kind::Float, Kind::Float) => Kind::Float,
                (Kind::Day, Kind::Day) => Kind::Day,
                (Kind::Day | Kind::Dates, Kind::Day | Kind::Dates) => Kind::Dates,
                (Kind::Str, Kind::Str) => Kind::Str,
                (Kind::Local, Kind::Local) => Kind::Local,
                (Kind::Clock, Kind::Clock) => Kind::Clock,
                (Kind::Span, Kind::Span) => Kind::Span,
                (Kind::Zoned(a), Kind::Zoned(b)) if a == b => Kind::Zoned(a),
                _ => return Kind::Object,
            };
        }
        kind
    }

    fn cells(&self, column: usize) -> impl Iterator<Item = &ResultValue> {
        self.result
            .rows
            .iter()
            .map(move |row| row.get(column).unwrap_or(&ResultValue::Null))
    }

    /// Fixed-width values and the null mask (one byte per row, 1 for null), or no mask when
    /// nothing is null.
    fn buffers<'py, const N: usize>(
        &self,
        py: Python<'py>,
        column: usize,
        bytes: impl Fn(&ResultValue) -> Option<[u8; N]>,
    ) -> (Bound<'py, PyBytes>, Option<Bound<'py, PyBytes>>) {
        let rows = self.result.rows.len();
        let mut data = Vec::with_capacity(rows * N);
        let mut mask = vec![0u8; rows];
        let mut nulls = false;
        for (i, cell) in self.cells(column).enumerate() {
            match bytes(cell) {
                Some(b) => data.extend_from_slice(&b),
                None => {
                    data.extend_from_slice(&[0; N]);
                    mask[i] = 1;
                    nulls = true;
                }
            }
        }
        (
            PyBytes::new(py, &data),
            nulls.then(|| PyBytes::new(py, &mask)),
        )
    }

    /// A column of date times, times or spans as 64-bit counts of `unit` (`ns`, or `us` for
    /// date times beyond the years 1677–2262 that nanoseconds reach) and a null mask; None
    /// when some value does not fit even in microseconds.
    #[allow(clippy::type_complexity)]
    fn instants<'py>(
        &self,
        py: Python<'py>,
        column: usize,
    ) -> Option<(
        &'static str,
        Bound<'py, PyBytes>,
        Option<Bound<'py, PyBytes>>,
    )> {
        let nanos: Vec<Option<i128>> = self.cells(column).map(frame_nanos).collect();
        let fits = |divisor: i128| {
            nanos
                .iter()
                .flatten()
                .all(|n| i64::try_from(n.div_euclid(divisor)).is_ok())
        };
        let (unit, divisor) = if fits(1) {
            ("ns", 1)
        } else if fits(1000) {
            ("us", 1000)
        } else {
            return None;
        };
        let (data, mask) = self.buffers::<8>(py, column, |v| {
            Some((frame_nanos(v)?.div_euclid(divisor) as i64).to_le_bytes())
        });
        Some((unit, data, mask))
    }

    fn index(&self, column: &Bound<'_, PyAny>) -> PyResult<usize> {
        if let Ok(i) = column.extract::<usize>() {
            return if i < self.result.columns.len() {
                Ok(i)
            } else {
                Err(PyIndexError::new_err(format!(
                    "column {i} is out of range: the result has {} columns",
                    self.result.columns.len()
                )))
            };
        }
        let name: String = column
            .extract()
            .map_err(|_| PyTypeError::new_err("a column is named by its name or its number"))?;
        self.result
            .columns
            .iter()
            .position(|c| *c == name)
            .ok_or_else(|| {
                PyIndexError::new_err(format!(
                    "no column named {name:?}; the columns are {:?}",
                    self.result.columns
                ))
            })
    }
}

#[pymethods]
impl Answer {
    /// The column names, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.result.columns.clone()
    }

    /// Every row as a tuple of Python values: nodes, relationships and paths as `Node`,
    /// `Relationship` and `Path`; days as `datetime.date`, months and years as `PartialDate`;
    /// amounts of money as numbers (US dollars for `amount_usd`).
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows = self
            .result
            .rows
            .iter()
            .map(|row| {
                let cells = row
                    .iter()
                    .map(|v| result_to_py(py, v, Shape::Objects))
                    .collect::<PyResult<Vec<_>>>()?;
                PyTuple::new(py, cells)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, rows)
    }

    /// Every row as a dict from column name to value.
    fn dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let names: Vec<Bound<'py, PyString>> = self
            .result
            .columns
            .iter()
            .map(|c| PyString::new(py, c))
            .collect();
        let rows = self
            .result
            .rows
            .iter()
            .map(|row| {
                let dict = pyo3::types::PyDict::new(py);
                for (name, v) in names.iter().zip(row) {
                    dict.set_item(name, result_to_py(py, v, Shape::Objects)?)?;
                }
                Ok(dict)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, rows)
    }

    /// The values of one column (by name or number), as `rows()` gives them.
    fn column<'py>(
        &self,
        py: Python<'py>,
        column: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let i = self.index(column)?;
        let values = self
            .cells(i)
            .map(|v| result_to_py(py, v, Shape::Objects))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, values)
    }

    /// The names of the columns that hold amounts of money (`r.amount_usd`, `sum(r.amount)`):
    /// plain numbers, in US dollars for `amount_usd`.
    #[getter]
    fn money_columns(&self) -> Vec<String> {
        self.result
            .columns
            .iter()
            .zip(&self.result.money_columns)
            .filter(|(_, money)| **money)
            .map(|(c, _)| c.clone())
            .collect()
    }

    /// Warnings: legal but likely mistakes (a label no data has), each with its place.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.result
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Bounds that cut the answer (`max-rows`), and how to lift them.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.result.notes.clone()
    }

    /// What a writing statement changed, as the shell says it ("1 node created"); empty for
    /// a read.
    #[getter]
    fn changes(&self) -> String {
        if self.result.changes.is_empty() {
            String::new()
        } else {
            self.result.changes.to_string()
        }
    }

    /// The result as the command line's `--format json` writes it.
    fn to_json(&self) -> String {
        self.result.to_json()
    }

    /// The result as the command line's `--format csv` writes it.
    fn to_csv(&self) -> String {
        self.result.to_csv()
    }

    /// A table for people, as the shell draws it (`$8.9B` for amounts).
    #[pyo3(signature = (width = None))]
    fn to_table(&self, width: Option<u16>) -> String {
        self.result.to_table(width)
    }

    /// One column in bulk, for `_frames`: `(kind, data, mask)`. `kind` is `"null"`, `"bool"`,
    /// `"int"`, `"float"` or `"date"` (days since 1970-01-01 as int32) with `data` a buffer of
    /// machine values (`mask`: one byte per row, 1 for null, or None); `"str"` with a list of
    /// `str` or None (also, plainly, dates that are not all days, as ISO text); `"object"`
    /// with a list of values, plain (dicts for elements, ISO text for partial dates) or as
    /// `rows()` gives them.
    #[pyo3(signature = (column, plain = true))]
    fn _column_data<'py>(
        &self,
        py: Python<'py>,
        column: usize,
        plain: bool,
    ) -> PyResult<Bound<'py, PyTuple>> {
        if column >= self.result.columns.len() {
            return Err(PyIndexError::new_err("column out of range"));
        }
        let none = || py.None().into_bound(py);
        let kind_name: String;
        let kind = self.column_kind(column);
        let (kind, data, mask): (&str, Bound<'py, PyAny>, Bound<'py, PyAny>) = match kind {
            Kind::Null => ("null", none(), none()),
            Kind::Bool => {
                let (d, m) = self.buffers::<1>(py, column, |v| match v {
                    ResultValue::Bool(b) => Some([u8::from(*b)]),
                    _ => None,
                });
                ("bool", d.into_any(), m.map_or_else(none, Bound::into_any))
            }
            Kind::Int => {
                let (d, m) = self.buffers::<8>(py, column, |v| match v {
                    ResultValue::Int(i) => Some(i.to_le_bytes()),
                    _ => None,
                });
                ("int", d.into_any(), m.map_or_else(none, Bound::into_any))
            }
            Kind::Float => {
                let (d, m) = self.buffers::<8>(py, column, |v| match v {
                    ResultValue::Float(f) => Some(f.to_le_bytes()),
                    ResultValue::Int(i) => Some((*i as f64).to_le_bytes()),
                    _ => None,
                });
                ("float", d.into_any(), m.map_or_else(none, Bound::into_any))
            }
            Kind::Day => {
                let (d, m) = self.buffers::<4>(py, column, |v| match v {
                    ResultValue::Date(d) => epoch_days(*d).map(i32::to_le_bytes),
                    _ => None,
                });
                ("date", d.into_any(), m.map_or_else(none, Bound::into_any))
            }
            Kind::Str => {
                let values: Vec<Bound<'py, PyAny>> = self
                    .cells(column)
                    .map(|v| match v {
                        ResultValue::String(s) => PyString::new(py, s).into_any(),
                        _ => none(),
                    })
                    .collect();
                ("str", PyList::new(py, values)?.into_any(), none())
            }
            // Plainly, a date column that is not all days is its ISO text, which keeps
            // each date's precision.
            Kind::Dates if plain => {
                let values: Vec<Bound<'py, PyAny>> = self
                    .cells(column)
                    .map(|v| match v {
                        ResultValue::Date(d) => PyString::new(py, &d.to_string()).into_any(),
                        _ => none(),
                    })
                    .collect();
                ("str", PyList::new(py, values)?.into_any(), none())
            }
            Kind::Local | Kind::Zoned(_) | Kind::Clock | Kind::Span
                if let Some((unit, d, m)) = self
                    .instants(py, column)
                    .filter(|_| plain || !matches!(kind, Kind::Clock)) =>
            {
                let name = match &kind {
                    Kind::Local => format!("timestamp/{unit}"),
                    Kind::Zoned(zone) => format!("timestamp/{unit}/{zone}"),
                    Kind::Clock => format!("time64/{unit}"),
                    _ => format!("duration/{unit}"),
                };
                kind_name = name;
                (
                    kind_name.as_str(),
                    d.into_any(),
                    m.map_or_else(none, Bound::into_any),
                )
            }
            Kind::Dates
            | Kind::Object
            | Kind::Local
            | Kind::Zoned(_)
            | Kind::Clock
            | Kind::Span => {
                let shape = if plain { Shape::Plain } else { Shape::Objects };
                let values = self
                    .cells(column)
                    .map(|v| result_to_py(py, v, shape))
                    .collect::<PyResult<Vec<_>>>()?;
                ("object", PyList::new(py, values)?.into_any(), none())
            }
        };
        PyTuple::new(py, [kind.into_pyobject(py)?.into_any(), data, mask])
    }

    /// A pandas DataFrame (pandas must be installed): integers `int64` (`Int64` with nulls),
    /// floats `float64` (NaN for null), booleans `bool` (`boolean` with nulls), text `str`,
    /// days `datetime64[s]`, and other columns (nodes as `Node`, lists, partial dates) `object`.
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("to_pandas", (slf,))
    }

    /// A polars DataFrame (polars must be installed): `Int64`, `Float64`, `Boolean`, `String`,
    /// `Date`; nodes, relationships and paths as structs of their dict form.
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("to_polars", (slf,))
    }

    /// A pyarrow Table (pyarrow must be installed): `int64`, `double`, `bool`, `large_string`,
    /// `date32`; nodes, relationships and paths as structs of their dict form, or JSON text
    /// where their properties differ in type.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py())?.call_method1("to_arrow", (slf,))
    }

    fn __len__(&self) -> usize {
        self.result.rows.len()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, index: isize) -> PyResult<Bound<'py, PyTuple>> {
        let len = self.result.rows.len() as isize;
        let at = if index < 0 { index + len } else { index };
        let row = usize::try_from(at)
            .ok()
            .and_then(|i| self.result.rows.get(i))
            .ok_or_else(|| {
                PyIndexError::new_err(format!(
                    "row {index} is out of range: the result has {len} rows"
                ))
            })?;
        let cells = row
            .iter()
            .map(|v| result_to_py(py, v, Shape::Objects))
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, cells)
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.rows(py)?.try_iter().map(Bound::into_any)
    }

    /// The first rows as the shell's table.
    fn __repr__(&self) -> String {
        const SHOWN: usize = 20;
        if self.result.rows.len() <= SHOWN {
            return self.result.to_table(None);
        }
        let mut head = (*self.result).clone();
        head.rows.truncate(SHOWN);
        for amounts in &mut head.amount_columns {
            amounts.rows.truncate(SHOWN);
        }
        let table = head.to_table(None);
        let table = table.rsplit_once('\n').map_or(table.as_str(), |(t, _)| t);
        format!("{table}\n{} rows ({SHOWN} shown)", self.result.rows.len())
    }
}

fn frames(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("alliances._frames")
}
