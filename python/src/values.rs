//! Values between the engine and Python: a result's `ResultValue`s (and the stored `Value`s of
//! properties) as Python objects, and Python objects as statement parameters.
//!
//! Each direction is one `match`, so a new kind of value is one arm in each.

use std::collections::BTreeMap;

use alliances::Date;
use alliances::Value;
use alliances::model::temporal::{self, MAX_OFFSET, NANOS_PER_SECOND, SECONDS_PER_DAY};
use alliances::model::{DateTime, Duration, LocalDateTime, LocalTime, Temporal, Time, Zone};
use alliances::query::QueryValue;
use alliances::query::{NodeValue, PathValue, RelationshipValue, ResultValue};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateAccess, PyDateTime, PyDelta, PyDeltaAccess, PyDict, PyFloat, PyInt,
    PyList, PyString, PyTime, PyTimeAccess, PyTzInfo, PyTzInfoAccess,
};

/// How element values come out: as objects (`Node`, `Relationship`, `Path`, `PartialDate`),
/// or plainly (dicts, and partial dates as their ISO text), for columnar frames.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Objects,
    Plain,
}

/// A result value as a Python object.
pub fn result_to_py<'py>(
    py: Python<'py>,
    value: &ResultValue,
    shape: Shape,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        ResultValue::Null => py.None().into_bound(py),
        ResultValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        ResultValue::Int(i) => i.into_pyobject(py)?.into_any(),
        ResultValue::Float(f) => PyFloat::new(py, *f).into_any(),
        ResultValue::String(s) => PyString::new(py, s).into_any(),
        ResultValue::Date(d) => date_to_py(py, *d, shape)?,
        ResultValue::Temporal(t) => temporal_to_py(py, t, shape)?,
        ResultValue::List(items) => {
            let items = items
                .iter()
                .map(|v| result_to_py(py, v, shape))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        ResultValue::Map(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, result_to_py(py, v, shape)?)?;
            }
            dict.into_any()
        }
        ResultValue::Node(n) => match shape {
            Shape::Objects => Bound::new(py, Node(n.clone()))?.into_any(),
            Shape::Plain => node_dict(py, n, shape)?.into_any(),
        },
        ResultValue::Relationship(r) => match shape {
            Shape::Objects => Bound::new(py, Relationship(r.clone()))?.into_any(),
            Shape::Plain => relationship_dict(py, r, shape)?.into_any(),
        },
        ResultValue::Path(p) => match shape {
            Shape::Objects => Bound::new(py, Path(p.clone()))?.into_any(),
            Shape::Plain => path_dict(py, p, shape)?.into_any(),
        },
    })
}

/// A stored value (a property) as a Python object.
pub fn value_to_py<'py>(
    py: Python<'py>,
    value: &Value,
    shape: Shape,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Float(f) => PyFloat::new(py, *f).into_any(),
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Date(d) => date_to_py(py, *d, shape)?,
        Value::Temporal(t) => temporal_to_py(py, t, shape)?,
        Value::List(items) => {
            let items = items
                .iter()
                .map(|v| value_to_py(py, v, shape))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Map(map) => properties_dict(py, map, shape)?.into_any(),
    })
}

/// A day as `datetime.date`; a month or a year (or a day outside `datetime`'s years 1–9999)
/// as a `PartialDate`, or as its ISO text when plain.
pub fn date_to_py<'py>(py: Python<'py>, date: Date, shape: Shape) -> PyResult<Bound<'py, PyAny>> {
    if let (Some(month), Some(day)) = (date.month_part(), date.day_part())
        && (1..=9999).contains(&date.year_part())
    {
        return Ok(PyDate::new(py, date.year_part(), month, day)?.into_any());
    }
    Ok(match shape {
        Shape::Objects => Bound::new(py, PartialDate(date))?.into_any(),
        Shape::Plain => PyString::new(py, &date.to_string()).into_any(),
    })
}

/// A temporal value other than a date as a Python object: `datetime.time` (with a fixed
/// offset for a `time`), `datetime.datetime` (naive for a `localdatetime`; with a
/// `zoneinfo.ZoneInfo` or a `datetime.timezone` for a `datetime`), or `Duration`. Python
/// keeps microseconds, so the nanoseconds below them are dropped (rounding towards the past);
/// a date time outside `datetime`'s years 1–9999 comes out as its ISO text. Plainly (for
/// columnar frames), each is its ISO text.
pub fn temporal_to_py<'py>(
    py: Python<'py>,
    value: &Temporal,
    shape: Shape,
) -> PyResult<Bound<'py, PyAny>> {
    if shape == Shape::Plain {
        return Ok(PyString::new(py, &value.to_string()).into_any());
    }
    Ok(match value {
        Temporal::LocalTime(t) => time_to_py(py, *t, None)?.into_any(),
        Temporal::Time(t) => {
            let tz = fixed_offset(py, t.offset, None)?;
            time_to_py(py, t.time, Some(&tz))?.into_any()
        }
        Temporal::LocalDateTime(l) => match datetime_to_py(py, l, None, false)? {
            Some(dt) => dt.into_any(),
            None => PyString::new(py, &l.to_string()).into_any(),
        },
        Temporal::DateTime(dt) => match zoned_to_py(py, dt)? {
            Some(zoned) => zoned.into_any(),
            None => PyString::new(py, &dt.to_string()).into_any(),
        },
        Temporal::Duration(d) => Bound::new(py, PyDuration(*d))?.into_any(),
    })
}

fn time_to_py<'py>(
    py: Python<'py>,
    time: LocalTime,
    tz: Option<&Bound<'py, PyTzInfo>>,
) -> PyResult<Bound<'py, PyTime>> {
    PyTime::new(
        py,
        time.hour() as u8,
        time.minute() as u8,
        time.second() as u8,
        (time.nanosecond() / 1000) as u32,
        tz,
    )
}

/// `datetime.datetime` of a local date time, or None outside its years.
fn datetime_to_py<'py>(
    py: Python<'py>,
    local: &LocalDateTime,
    tz: Option<&Bound<'py, PyTzInfo>>,
    fold: bool,
) -> PyResult<Option<Bound<'py, PyDateTime>>> {
    let (Some(month), Some(day)) = (local.date.month_part(), local.date.day_part()) else {
        return Ok(None);
    };
    if !(1..=9999).contains(&local.date.year_part()) {
        return Ok(None);
    }
    let t = local.time;
    PyDateTime::new_with_fold(
        py,
        local.date.year_part(),
        month,
        day,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
        (t.nanosecond() / 1000) as u32,
        tz,
        fold,
    )
    .map(Some)
}

/// A zoned date time: in its `zoneinfo.ZoneInfo` (`fold` set when the wall-clock time comes
/// twice and this is the second), or at its offset. Without a time zone database in Python,
/// a named zone becomes its offset at that instant, named after the zone.
fn zoned_to_py<'py>(py: Python<'py>, dt: &DateTime) -> PyResult<Option<Bound<'py, PyDateTime>>> {
    let zone_info = match &dt.zone {
        Some(zone) => PyTzInfo::timezone(py, zone.name()).ok(),
        None => None,
    };
    let Some(zone_info) = zone_info else {
        let name = dt.zone.as_ref().map(Zone::name);
        let tz = fixed_offset(py, dt.offset, name)?;
        return datetime_to_py(py, &dt.local, Some(&tz), false);
    };
    let Some(first) = datetime_to_py(py, &dt.local, Some(&zone_info), false)? else {
        return Ok(None);
    };
    if offset_seconds(&first.call_method0("utcoffset")?)? == Some(dt.offset) {
        return Ok(Some(first));
    }
    datetime_to_py(py, &dt.local, Some(&zone_info), true)
}

fn fixed_offset<'py>(
    py: Python<'py>,
    offset: i32,
    name: Option<&str>,
) -> PyResult<Bound<'py, PyTzInfo>> {
    let delta = PyDelta::new(py, 0, offset, 0, true)?;
    match name {
        None => PyTzInfo::fixed_offset(py, delta),
        Some(name) => Ok(py
            .import("datetime")?
            .getattr("timezone")?
            .call1((delta, name))?
            .cast_into()?),
    }
}

/// The seconds of a `utcoffset()` answer (None when the tzinfo gives none).
///
/// # Errors
/// `ValueError` for an offset with microseconds, which the engine does not hold.
fn offset_seconds(offset: &Bound<'_, PyAny>) -> PyResult<Option<i32>> {
    if offset.is_none() {
        return Ok(None);
    }
    let delta = offset.cast::<PyDelta>()?;
    if delta.get_microseconds() != 0 {
        return Err(PyValueError::new_err(
            "an offset from UTC with microseconds cannot be held; offsets are whole seconds",
        ));
    }
    Ok(Some(
        delta.get_days() * SECONDS_PER_DAY as i32 + delta.get_seconds(),
    ))
}

pub fn properties_dict<'py>(
    py: Python<'py>,
    properties: &BTreeMap<String, Value>,
    shape: Shape,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in properties {
        dict.set_item(k, value_to_py(py, v, shape)?)?;
    }
    Ok(dict)
}

fn node_dict<'py>(py: Python<'py>, node: &NodeValue, shape: Shape) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("labels", PyList::new(py, &node.labels)?)?;
    dict.set_item("properties", properties_dict(py, &node.properties, shape)?)?;
    Ok(dict)
}

fn relationship_dict<'py>(
    py: Python<'py>,
    rel: &RelationshipValue,
    shape: Shape,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("type", &rel.rel_type)?;
    dict.set_item("start", value_to_py(py, &rel.start_key, shape)?)?;
    dict.set_item("end", value_to_py(py, &rel.end_key, shape)?)?;
    dict.set_item("properties", properties_dict(py, &rel.properties, shape)?)?;
    Ok(dict)
}

fn path_dict<'py>(py: Python<'py>, path: &PathValue, shape: Shape) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let nodes = path
        .nodes
        .iter()
        .map(|n| node_dict(py, n, shape))
        .collect::<PyResult<Vec<_>>>()?;
    let rels = path
        .relationships
        .iter()
        .map(|r| relationship_dict(py, r, shape))
        .collect::<PyResult<Vec<_>>>()?;
    dict.set_item("nodes", PyList::new(py, nodes)?)?;
    dict.set_item("relationships", PyList::new(py, rels)?)?;
    Ok(dict)
}

/// A Python value as a statement parameter: `None`, `bool`, `int`, `float`, `str`,
/// `datetime.date`, `PartialDate`, and lists, tuples and dicts (with text keys) of them.
///
/// # Errors
/// `TypeError` for anything else (naming the parameter), `OverflowError` for an int that does
/// not fit in 64 bits.
pub fn py_to_param(value: &Bound<'_, PyAny>, name: &str) -> PyResult<QueryValue> {
    if value.is_none() {
        return Ok(QueryValue::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(QueryValue::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(QueryValue::Int(value.extract()?));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Ok(QueryValue::Float(f.value()));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(QueryValue::String(s.to_str()?.to_owned()));
    }
    if let Ok(d) = value.cast::<PartialDate>() {
        return Ok(QueryValue::Date(d.get().0));
    }
    if let Ok(d) = value.cast::<PyDuration>() {
        return Ok(QueryValue::Temporal(Temporal::Duration(d.get().0)));
    }
    if let Ok(dt) = value.cast::<PyDateTime>() {
        return datetime_param(dt, name).map(QueryValue::Temporal);
    }
    if let Ok(t) = value.cast::<PyTime>() {
        return time_param(t, name).map(QueryValue::Temporal);
    }
    if let Ok(d) = value.cast::<PyDelta>() {
        let nanos = i128::from(d.get_seconds()) * i128::from(NANOS_PER_SECOND)
            + i128::from(d.get_microseconds()) * 1000;
        let duration = Duration::new(0, i64::from(d.get_days()), nanos)
            .map_err(|e| PyValueError::new_err(format!("parameter `{name}`: {e}")))?;
        return Ok(QueryValue::Temporal(Temporal::Duration(duration)));
    }
    if let Ok(d) = value.cast::<PyDate>() {
        let date = Date::day(d.get_year(), d.get_month(), d.get_day())
            .map_err(|e| PyValueError::new_err(format!("parameter `{name}`: {e}")))?;
        return Ok(QueryValue::Date(date));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = BTreeMap::new();
        for (k, v) in dict.iter() {
            let key: String = k.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "parameter `{name}` is a dict whose keys must be str"
                ))
            })?;
            let item = py_to_param(&v, name)?;
            map.insert(key, item);
        }
        return Ok(QueryValue::Map(map));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<pyo3::types::PyTuple>() {
        let items = value
            .try_iter()?
            .map(|item| py_to_param(&item?, name))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(QueryValue::List(items));
    }
    Err(PyTypeError::new_err(format!(
        "parameter `{name}` is a {}, which a statement cannot take; pass None, bool, int, float, str, datetime.date, datetime.time, datetime.datetime, datetime.timedelta, alliances.PartialDate, alliances.Duration, or a list or dict of them",
        value.get_type().name()?
    )))
}

fn param_error(name: &str, e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("parameter `{name}`: {e}"))
}

/// The time zone a tzinfo names: a `zoneinfo.ZoneInfo`'s `key` (or a pytz zone's `zone`).
fn zone_name(tz: &Bound<'_, PyTzInfo>) -> Option<String> {
    ["key", "zone"]
        .iter()
        .find_map(|attr| tz.getattr(*attr).ok()?.extract::<String>().ok())
}

fn checked_offset(offset: i32, name: &str) -> PyResult<i32> {
    if offset.abs() > MAX_OFFSET {
        return Err(param_error(
            name,
            format!(
                "the offset {} is beyond ±18:00, the most a time zone may be from UTC",
                temporal::offset_text(offset)
            ),
        ));
    }
    Ok(offset)
}

/// A naive `datetime.datetime` as a `localdatetime`; an aware one as a `datetime` in its
/// named zone (a `zoneinfo.ZoneInfo`), or at its offset.
fn datetime_param(dt: &Bound<'_, PyDateTime>, name: &str) -> PyResult<Temporal> {
    let date =
        Date::day(dt.get_year(), dt.get_month(), dt.get_day()).map_err(|e| param_error(name, e))?;
    let time = LocalTime::new(
        i64::from(dt.get_hour()),
        i64::from(dt.get_minute()),
        i64::from(dt.get_second()),
        i64::from(dt.get_microsecond()) * 1000,
    )
    .map_err(|e| param_error(name, e))?;
    let local = LocalDateTime { date, time };
    let Some(tz) = dt.get_tzinfo() else {
        return Ok(Temporal::LocalDateTime(local));
    };
    let Some(offset) = offset_seconds(&dt.call_method0("utcoffset")?)
        .map_err(|e| param_error(name, e.value(dt.py())))?
    else {
        return Ok(Temporal::LocalDateTime(local));
    };
    let offset = checked_offset(offset, name)?;
    let Some(zone) = zone_name(&tz) else {
        return Ok(Temporal::DateTime(DateTime::at_offset(local, offset)));
    };
    let zone = Zone::named(&zone).ok_or_else(|| {
        param_error(
            name,
            format!("the time zone `{zone}` is not in the engine's time zone database; pass the datetime at a fixed offset (datetime.timezone)"),
        )
    })?;
    // The instant Python's offset gives (which honours `fold`), seen in the engine's zone.
    let instant = local.epoch_nanos() - i128::from(offset) * i128::from(NANOS_PER_SECOND);
    DateTime::from_instant(instant, Some(zone), offset)
        .map(Temporal::DateTime)
        .map_err(|e| param_error(name, e))
}

/// A naive `datetime.time` as a `localtime`; one with a fixed offset as a `time`.
fn time_param(t: &Bound<'_, PyTime>, name: &str) -> PyResult<Temporal> {
    let time = LocalTime::new(
        i64::from(t.get_hour()),
        i64::from(t.get_minute()),
        i64::from(t.get_second()),
        i64::from(t.get_microsecond()) * 1000,
    )
    .map_err(|e| param_error(name, e))?;
    if t.get_tzinfo().is_none() {
        return Ok(Temporal::LocalTime(time));
    }
    let offset = offset_seconds(&t.call_method0("utcoffset")?)
        .map_err(|e| param_error(name, e.value(t.py())))?;
    match offset {
        Some(offset) => Ok(Temporal::Time(Time {
            time,
            offset: checked_offset(offset, name)?,
        })),
        None => Err(PyValueError::new_err(format!(
            "parameter `{name}` is a time whose tzinfo gives no offset (a named zone needs a date); pass a datetime.datetime, or the time with a fixed offset (datetime.timezone)"
        ))),
    }
}

/// A node of a result: its labels and properties as they were when the statement ran.
#[pyclass(module = "alliances", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Node(pub NodeValue);

#[pymethods]
impl Node {
    /// The node's labels (`["Company"]`).
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.0.labels.clone()
    }

    /// The node's properties as a dict (dates as `datetime.date` or `PartialDate`).
    #[getter]
    fn properties<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        properties_dict(py, &self.0.properties, Shape::Objects)
    }

    /// The node's `id` property (`"nvidia"`), or None.
    #[getter]
    fn id<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.get(py, "id", None)
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        property(py, &self.0.properties, key)
    }

    fn __contains__(&self, key: &str) -> bool {
        self.0.properties.contains_key(key)
    }

    /// The property `key`, or `default` when the node has none.
    #[pyo3(signature = (key, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        property_or(py, &self.0.properties, key, default)
    }

    /// `{"labels": [...], "properties": {...}}`, as the command line's JSON writes a node.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        node_dict(py, &self.0, Shape::Objects)
    }

    fn __repr__(&self) -> String {
        self.0.to_string()
    }
}

/// A relationship of a result: its type, the `id` of its ends, and its properties.
#[pyclass(module = "alliances", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Relationship(pub RelationshipValue);

#[pymethods]
impl Relationship {
    /// The relationship's type (`"INVESTS_IN"`).
    #[getter]
    fn r#type(&self) -> String {
        self.0.rel_type.clone()
    }

    /// The `id` property of the start node (its number when it has none).
    #[getter]
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        value_to_py(py, &self.0.start_key, Shape::Objects)
    }

    /// The `id` property of the end node (its number when it has none).
    #[getter]
    fn end<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        value_to_py(py, &self.0.end_key, Shape::Objects)
    }

    /// The relationship's properties as a dict.
    #[getter]
    fn properties<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        properties_dict(py, &self.0.properties, Shape::Objects)
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        property(py, &self.0.properties, key)
    }

    fn __contains__(&self, key: &str) -> bool {
        self.0.properties.contains_key(key)
    }

    /// The property `key`, or `default` when the relationship has none.
    #[pyo3(signature = (key, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        property_or(py, &self.0.properties, key, default)
    }

    /// `{"type": ..., "start": ..., "end": ..., "properties": {...}}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        relationship_dict(py, &self.0, Shape::Objects)
    }

    fn __repr__(&self) -> String {
        self.0.to_string()
    }
}

/// A path of a result: its nodes, and the relationship between each and the next.
#[pyclass(module = "alliances", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Path(pub PathValue);

#[pymethods]
impl Path {
    #[getter]
    fn nodes(&self) -> Vec<Node> {
        self.0.nodes.iter().cloned().map(Node).collect()
    }

    #[getter]
    fn relationships(&self) -> Vec<Relationship> {
        self.0
            .relationships
            .iter()
            .cloned()
            .map(Relationship)
            .collect()
    }

    /// The number of hops (relationships).
    fn __len__(&self) -> usize {
        self.0.relationships.len()
    }

    /// `{"nodes": [...], "relationships": [...]}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        path_dict(py, &self.0, Shape::Objects)
    }

    fn __repr__(&self) -> String {
        self.0.to_string()
    }
}

/// A date known to the month or the year (`2025-08`, `2025`), as the data gives it: the
/// engine keeps a date's precision rather than invent a day. Full days are `datetime.date`.
#[pyclass(module = "alliances", frozen, eq, ord, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate(pub Date);

#[pymethods]
impl PartialDate {
    /// `PartialDate(2025)`, `PartialDate(2025, 8)`, or a day outside `datetime`'s years.
    #[new]
    #[pyo3(signature = (year, month = None, day = None))]
    fn new(year: i32, month: Option<u8>, day: Option<u8>) -> PyResult<PartialDate> {
        let date = match (month, day) {
            (None, None) => Ok(Date::year(year)),
            (Some(m), None) => Date::month(year, m),
            (Some(m), Some(d)) => Date::day(year, m, d),
            (None, Some(_)) => {
                return Err(PyValueError::new_err(
                    "a day needs a month: PartialDate(year, month, day)",
                ));
            }
        };
        date.map(PartialDate)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Parses `"2025"`, `"2025-08"` or `"2025-08-14"`.
    #[staticmethod]
    fn fromisoformat(text: &str) -> PyResult<PartialDate> {
        text.parse::<Date>()
            .map(PartialDate)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    #[getter]
    fn year(&self) -> i32 {
        self.0.year_part()
    }

    #[getter]
    fn month(&self) -> Option<u8> {
        self.0.month_part()
    }

    #[getter]
    fn day(&self) -> Option<u8> {
        self.0.day_part()
    }

    /// `"year"`, `"month"` or `"day"`.
    #[getter]
    fn precision(&self) -> &'static str {
        match (self.0.month_part(), self.0.day_part()) {
            (None, _) => "year",
            (Some(_), None) => "month",
            (Some(_), Some(_)) => "day",
        }
    }

    /// The first day of the period, as `datetime.date`.
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDate>> {
        let month = self.0.month_part().unwrap_or(1);
        PyDate::new(
            py,
            self.0.year_part(),
            month,
            self.0.day_part().unwrap_or(1),
        )
    }

    fn isoformat(&self) -> String {
        self.0.to_string()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        match (self.0.month_part(), self.0.day_part()) {
            (None, _) => format!("PartialDate({})", self.0.year_part()),
            (Some(m), None) => format!("PartialDate({}, {m})", self.0.year_part()),
            (Some(m), Some(d)) => format!("PartialDate({}, {m}, {d})", self.0.year_part()),
        }
    }
}

/// openCypher's duration: months, days, seconds and nanoseconds kept apart, since a month is
/// not a fixed number of days nor a day (across a change of clocks) of seconds.
#[pyclass(name = "Duration", module = "alliances", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyDuration(pub Duration);

#[pymethods]
impl PyDuration {
    /// `Duration(months=14, days=3, seconds=7200, nanoseconds=5)`; seconds and nanoseconds
    /// carry into each other (`nanoseconds` comes back within `0..1e9`).
    #[new]
    #[pyo3(signature = (months = 0, days = 0, seconds = 0, nanoseconds = 0))]
    fn new(months: i64, days: i64, seconds: i64, nanoseconds: i64) -> PyResult<PyDuration> {
        let nanos = i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanoseconds);
        Duration::new(months, days, nanos)
            .map(PyDuration)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Parses ISO 8601 as openCypher's `duration()` does: `"P1Y2M3DT4H5M6.000000007S"`.
    #[staticmethod]
    fn fromisoformat(text: &str) -> PyResult<PyDuration> {
        temporal::parse_duration(text)
            .map(PyDuration)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Whole months (a year is 12).
    #[getter]
    fn months(&self) -> i64 {
        self.0.months
    }

    #[getter]
    fn days(&self) -> i64 {
        self.0.days
    }

    /// Whole seconds, below the days.
    #[getter]
    fn seconds(&self) -> i64 {
        self.0.seconds
    }

    /// Nanoseconds of the second, from 0 to 999,999,999.
    #[getter]
    fn nanoseconds(&self) -> i32 {
        self.0.nanos
    }

    /// The same span as `datetime.timedelta` (days of 24 hours).
    ///
    /// # Errors
    /// `ValueError` when it has months (which differ in length) or nanoseconds that are not
    /// whole microseconds, which a timedelta cannot hold exactly; `OverflowError` beyond
    /// timedelta's 999,999,999 days.
    fn to_timedelta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDelta>> {
        let d = self.0;
        if d.months != 0 {
            return Err(PyValueError::new_err(format!(
                "{d} has months, which differ in length, so it is no fixed timedelta; add it to a date in a statement instead"
            )));
        }
        if d.nanos % 1000 != 0 {
            return Err(PyValueError::new_err(format!(
                "{d} has nanoseconds below the microsecond, which a timedelta cannot hold"
            )));
        }
        let days = i128::from(d.days) + i128::from(d.seconds.div_euclid(SECONDS_PER_DAY));
        let days = i32::try_from(days).map_err(|_| {
            pyo3::exceptions::PyOverflowError::new_err(format!("{d} is too long for a timedelta"))
        })?;
        let seconds = d.seconds.rem_euclid(SECONDS_PER_DAY) as i32;
        PyDelta::new(py, days, seconds, d.nanos / 1000, true)
    }

    /// ISO 8601, as `toString()` writes it in a statement.
    fn isoformat(&self) -> String {
        self.0.to_string()
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        let d = self.0;
        format!(
            "Duration(months={}, days={}, seconds={}, nanoseconds={})",
            d.months, d.days, d.seconds, d.nanos
        )
    }
}

/// A node's or relationship's property `key`, for `element[key]`: a `KeyError` when missing.
fn property<'py>(
    py: Python<'py>,
    properties: &BTreeMap<String, alliances::Value>,
    key: &str,
) -> PyResult<Bound<'py, PyAny>> {
    match properties.get(key) {
        Some(v) => value_to_py(py, v, Shape::Objects),
        None => Err(PyKeyError::new_err(key.to_owned())),
    }
}

/// A node's or relationship's property `key`, for `element.get(key, default)`.
fn property_or<'py>(
    py: Python<'py>,
    properties: &BTreeMap<String, alliances::Value>,
    key: &str,
    default: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match properties.get(key) {
        Some(v) => value_to_py(py, v, Shape::Objects),
        None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
    }
}
