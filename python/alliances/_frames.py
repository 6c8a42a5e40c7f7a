"""Results as pandas, polars and pyarrow frames, and the graph as a networkx graph.

Each library is imported when first asked for, so none of them is needed to use the rest.
Columns come from the engine in bulk (``Result._column_data``): integers, floats, booleans
and days as one buffer of machine values and a null mask, text as one list of ``str``; only
columns of nodes, lists, maps or mixed kinds are built value by value.

Column types, by what the column holds (nulls allowed in each):

==============  ================  ===============  ===============
column          pandas            polars           pyarrow
==============  ================  ===============  ===============
integers        int64 / Int64     Int64            int64
floats (mixed   float64 (NaN)     Float64          double
with integers)
booleans        bool / boolean    Boolean          bool
text            str               String           large_string
days            datetime64[s]     Date             date32
date times      datetime64[ns]    Datetime(ns)     timestamp[ns]
(local, or one  (with the zone)   (with the zone;  (with the zone)
zone or offset)                   offsets in UTC)
local times     object (time)     Time             time64[ns]
durations       timedelta64[ns]   Duration(ns)     duration[ns]
(no months)
only nulls      object            Null             null
anything else   object (Node,     struct / list    struct / list,
                PartialDate, …)   (Object without  or JSON text
                                  pyarrow)
==============  ================  ===============  ===============

A date known only to the month or the year makes its column "anything else": pandas holds
``PartialDate`` and ``datetime.date`` objects, polars and pyarrow the ISO text (``"2025-08"``).
Likewise times with offsets, durations with months, and date times of several zones: pandas
holds the Python objects, polars and pyarrow the ISO text. Date times beyond the years
1677-2262 that nanoseconds reach come in microseconds.
"""

from __future__ import annotations

import datetime
import importlib
import json
from typing import Any


def _need(module: str, method: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"{method}() needs {module}, which is not installed here; "
            f"install it with: pip install {module}"
        ) from e


def _temporal(kind: str) -> tuple[str, str, str | None]:
    """``timestamp/ns/Europe/Paris`` as its base kind, unit and zone (None when there is none)."""
    base, _, rest = kind.partition("/")
    unit, _, zone = rest.partition("/")
    return base, unit, zone or None


def _tzinfo(zone: str) -> Any:
    """A zone name as itself, and an offset (``+01:00``) as a ``datetime.timezone``."""
    if zone[0] not in "+-":
        return zone
    sign = -1 if zone[0] == "-" else 1
    hours, minutes = zone[1:].split(":")
    return datetime.timezone(sign * datetime.timedelta(hours=int(hours), minutes=int(minutes)))


def _ticks(np: Any, base: str, unit: str, data: bytes, mask: bytes | None) -> Any:
    """A numpy array of datetime64 or timedelta64 from 64-bit counts of ``unit``, NaT for null."""
    numpy_kind = "datetime64" if base == "timestamp" else "timedelta64"
    values = np.frombuffer(data, dtype="<i8").view(f"{numpy_kind}[{unit}]").copy()
    nulls = _mask(np, mask)
    if nulls is not None:
        values[nulls] = np.datetime64("NaT") if base == "timestamp" else np.timedelta64("NaT")
    return values


def _mask(np: Any, mask: bytes | None) -> Any:
    return None if mask is None else np.frombuffer(mask, dtype=np.uint8).astype(bool)


def _numbers(np: Any, kind: str, data: bytes) -> Any:
    dtype = {"bool": np.uint8, "int": "<i8", "float": "<f8", "date": "<i4"}[kind]
    values = np.frombuffer(data, dtype=dtype)
    return values.astype(bool) if kind == "bool" else values.copy()


def _pandas_column(pd: Any, np: Any, kind: str, data: Any, mask: bytes | None, rows: int) -> Any:
    if kind == "null":
        return pd.Series([None] * rows, dtype=object)
    if kind == "str":
        try:
            dtype = pd.StringDtype(na_value=np.nan)
        except TypeError:  # pandas before 2.3 has no NaN-backed text type
            dtype = object
        return pd.Series(data, dtype=dtype)
    if kind == "object":
        # Item by item: numpy would spread a list of equal-length lists into a 2-D array.
        cells = np.empty(rows, dtype=object)
        for i, value in enumerate(data):
            cells[i] = value
        return pd.Series(cells, dtype=object)
    if "/" in kind:
        base, unit, zone = _temporal(kind)
        series = pd.Series(_ticks(np, base, unit, data, mask))
        if zone is not None:
            series = series.dt.tz_localize("UTC").dt.tz_convert(_tzinfo(zone))
        return series
    values = _numbers(np, kind, data)
    nulls = _mask(np, mask)
    if kind == "int":
        return pd.Series(values if nulls is None else pd.arrays.IntegerArray(values, nulls))
    if kind == "bool":
        return pd.Series(values if nulls is None else pd.arrays.BooleanArray(values, nulls))
    if kind == "float":
        if nulls is not None:
            values[nulls] = np.nan
        return pd.Series(values)
    # Days since 1970-01-01.
    days = values.astype("datetime64[D]").astype("datetime64[s]")
    if nulls is not None:
        days[nulls] = np.datetime64("NaT")
    return pd.Series(days)


def to_pandas(result: Any) -> Any:
    pd = _need("pandas", "to_pandas")
    import numpy as np

    rows = len(result)
    columns = {}
    for i, name in enumerate(result.columns):
        kind, data, mask = result._column_data(i, False)
        columns[name] = _pandas_column(pd, np, kind, data, mask, rows)
    return pd.DataFrame(columns, columns=result.columns)


def _arrow_object(pa: Any, values: list) -> Any:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError):
        text = [None if v is None else json.dumps(v, default=str, sort_keys=True) for v in values]
        return pa.array(text, type=pa.large_string())


def _arrow_column(pa: Any, np: Any, kind: str, data: Any, mask: bytes | None, rows: int) -> Any:
    if kind == "null":
        return pa.nulls(rows)
    if kind == "str":
        return pa.array(data, type=pa.large_string())
    if kind == "object":
        return _arrow_object(pa, data)
    if "/" in kind:
        base, unit, zone = _temporal(kind)
        types = {"timestamp": pa.timestamp(unit, tz=zone), "time64": pa.time64(unit), "duration": pa.duration(unit)}
        counts = pa.array(np.frombuffer(data, dtype="<i8"), type=pa.int64(), mask=_mask(np, mask))
        return counts.view(types[base])
    values = _numbers(np, kind, data)
    nulls = _mask(np, mask)
    types = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "date": pa.int32()}
    array = pa.array(values, type=types[kind], mask=nulls)
    return array.cast(pa.date32()) if kind == "date" else array


def to_arrow(result: Any) -> Any:
    pa = _need("pyarrow", "to_arrow")
    import numpy as np

    rows = len(result)
    arrays = [
        _arrow_column(pa, np, *result._column_data(i, True), rows)
        for i in range(len(result.columns))
    ]
    return pa.Table.from_arrays(arrays, names=result.columns)


def _polars_column(pl: Any, np: Any, name: str, kind: str, data: Any, mask: bytes | None, rows: int) -> Any:
    if kind == "null":
        return pl.Series(name, [None] * rows, dtype=pl.Null)
    if kind == "str":
        return pl.Series(name, data, dtype=pl.String)
    if kind == "object":
        try:
            pa = importlib.import_module("pyarrow")
        except ImportError:
            return pl.Series(name, data, dtype=pl.Object)
        return pl.from_arrow(_arrow_object(pa, data)).alias(name)
    if "/" in kind:
        base, unit, zone = _temporal(kind)
        counts = np.frombuffer(data, dtype="<i8")
        nulls = _mask(np, mask)
        listed = counts.tolist()
        if nulls is not None:
            for i in np.flatnonzero(nulls):
                listed[i] = None
        series = pl.Series(name, listed, dtype=pl.Int64)
        if base == "time64":
            return series.cast(pl.Time)
        if base == "duration":
            return series.cast(pl.Duration(unit))
        series = series.cast(pl.Datetime(unit))
        if zone is None:
            return series
        # polars knows named zones only: a column at one offset is given in UTC.
        series = series.dt.replace_time_zone("UTC")
        return series if zone[0] in "+-" else series.dt.convert_time_zone(zone)
    values = _numbers(np, kind, data)
    nulls = _mask(np, mask)
    types = {"bool": pl.Boolean, "int": pl.Int64, "float": pl.Float64, "date": pl.Int32}
    if nulls is None:
        series = pl.Series(name, values, dtype=types[kind])
    else:
        listed = values.tolist()
        for i in np.flatnonzero(nulls):
            listed[i] = None
        series = pl.Series(name, listed, dtype=types[kind])
    return series.cast(pl.Date) if kind == "date" else series


def to_polars(result: Any) -> Any:
    pl = _need("polars", "to_polars")
    import numpy as np

    rows = len(result)
    series = [
        _polars_column(pl, np, name, *result._column_data(i, True), rows)
        for i, name in enumerate(result.columns)
    ]
    return pl.DataFrame(series)


def to_networkx(nodes: list, edges: list) -> Any:
    nx = _need("networkx", "to_networkx")
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return graph
