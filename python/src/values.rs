//! Values between the engine and Python: a result's `ResultValue`s (and the stored `Value`s of
//! properties) as Python objects, and Python objects as statement parameters.
//!
//! Each direction is one `match`, so a new kind of value is one arm in each.

use std::collections::BTreeMap;

use alliances::Date;
use alliances::Value;
use alliances::query::QueryValue;
use alliances::query::{NodeValue, PathValue, RelationshipValue, ResultValue};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateAccess, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString,
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
    if value.is_instance_of::<PyDateTime>() {
        return Err(PyTypeError::new_err(format!(
            "parameter `{name}` is a datetime, which the engine does not hold; pass its date (value.date())"
        )));
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
        "parameter `{name}` is a {}, which a statement cannot take; pass None, bool, int, float, str, datetime.date, alliances.PartialDate, or a list or dict of them",
        value.get_type().name()?
    )))
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
        match self.0.properties.get(key) {
            Some(v) => value_to_py(py, v, Shape::Objects),
            None => Err(PyKeyError::new_err(key.to_owned())),
        }
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
        match self.0.properties.get(key) {
            Some(v) => value_to_py(py, v, Shape::Objects),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
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
        match self.0.properties.get(key) {
            Some(v) => value_to_py(py, v, Shape::Objects),
            None => Err(PyKeyError::new_err(key.to_owned())),
        }
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
        match self.0.properties.get(key) {
            Some(v) => value_to_py(py, v, Shape::Objects),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
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
