"""Results as pandas, polars and pyarrow frames: each column's type, nulls, and values."""

from __future__ import annotations

import datetime
import sys

import pytest

import alliances

# One row per UNWIND item, with a column of each kind and a null in most.
QUERY = """
UNWIND [
  {i: 1, f: 1.5, b: true, s: 'a', d: date('2025-08-14'), p: $month},
  {i: null, f: 2, b: null, s: null, d: null, p: date('2025-08-14')},
  {i: 3, f: null, b: false, s: 'c', d: date('1999-12-31'), p: null}
] AS row
RETURN row.i AS i, row.i + 0 AS i2, row.f AS f, row.b AS b, row.s AS s, row.d AS d,
       row.p AS p, null AS nothing, [row.i] AS l, 7 AS full, true AS yes
"""


@pytest.fixture()
def result(graph):
    return graph.query(QUERY, {"month": alliances.PartialDate(2025, 8)})


def test_pandas(result):
    import numpy as np
    import pandas as pd

    df = result.to_pandas()
    assert list(df.columns) == result.columns and len(df) == 3
    assert str(df["i"].dtype) == "Int64" and df["i"].isna().tolist() == [False, True, False]
    assert df["full"].dtype == np.int64 and df["yes"].dtype == np.bool_
    assert df["f"].dtype == np.float64 and df["f"].tolist()[:2] == [1.5, 2.0] and np.isnan(df["f"][2])
    assert str(df["b"].dtype) == "boolean" and df["b"].isna().tolist() == [False, True, False]
    assert pd.api.types.is_string_dtype(df["s"]) and df["s"][0] == "a" and pd.isna(df["s"][1])
    assert df["d"].dtype == np.dtype("datetime64[s]")
    assert df["d"][0] == pd.Timestamp("2025-08-14") and pd.isna(df["d"][1])
    assert df["p"].dtype == object
    assert df["p"].tolist() == [alliances.PartialDate(2025, 8), datetime.date(2025, 8, 14), None]
    assert df["nothing"].dtype == object and df["nothing"].isna().all()
    assert df["l"].tolist() == [[1], [None], [3]]


def test_arrow(result):
    import pyarrow as pa

    t = result.to_arrow()
    assert t.column_names == result.columns
    types = {name: t.schema.field(name).type for name in t.column_names}
    assert types["i"] == pa.int64() and types["f"] == pa.float64() and types["b"] == pa.bool_()
    assert types["s"] == pa.large_string() and types["d"] == pa.date32()
    assert types["nothing"] == pa.null() and types["l"] == pa.list_(pa.int64())
    assert types["p"] == pa.large_string()
    assert t.column("i").to_pylist() == [1, None, 3]
    assert t.column("d").to_pylist() == [datetime.date(2025, 8, 14), None, datetime.date(1999, 12, 31)]
    assert t.column("p").to_pylist() == ["2025-08", "2025-08-14", None]


def test_polars(result):
    import polars as pl

    df = result.to_polars()
    assert df.columns == result.columns
    assert df.schema["i"] == pl.Int64 and df.schema["f"] == pl.Float64 and df.schema["b"] == pl.Boolean
    assert df.schema["s"] == pl.String and df.schema["d"] == pl.Date and df.schema["nothing"] == pl.Null
    assert df["i"].to_list() == [1, None, 3] and df["b"].to_list() == [True, None, False]
    assert df["d"].to_list() == [datetime.date(2025, 8, 14), None, datetime.date(1999, 12, 31)]
    assert df["l"].to_list() == [[1], [None], [3]]


def test_elements_in_frames(graph):
    r = graph.query("MATCH (n:Consortium)<-[m:MEMBER_OF]-(x) RETURN n, m, x.name AS member ORDER BY member LIMIT 3")
    df = r.to_pandas()
    assert all(isinstance(n, alliances.Node) for n in df["n"])
    t = r.to_arrow()
    first = t.column("n").to_pylist()[0]
    assert first["labels"] == ["Consortium"] and first["properties"]["name"] in ("AIP", "Stargate")
    pl_df = r.to_polars()
    assert pl_df["member"].to_list() == r.column("member")
    assert pl_df["n"].to_list()[0]["labels"] == ["Consortium"]


def test_empty_results_keep_their_columns(graph):
    r = graph.query("MATCH (n:Consortium {name: 'none'}) RETURN n.name AS name, n.members AS m")
    assert list(r.to_pandas().columns) == ["name", "m"] and len(r.to_pandas()) == 0
    assert r.to_arrow().num_rows == 0 and r.to_polars().shape == (0, 2)


@pytest.mark.parametrize("module, method", [("pandas", "to_pandas"), ("polars", "to_polars"), ("pyarrow", "to_arrow")])
def test_a_missing_library_is_a_clear_import_error(result, monkeypatch, module, method):
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=f"{method}\\(\\) needs {module}.*pip install {module}"):
        getattr(result, method)()


def test_networkx_missing(graph, monkeypatch):
    monkeypatch.setitem(sys.modules, "networkx", None)
    with pytest.raises(ImportError, match="pip install networkx"):
        graph.to_networkx()
