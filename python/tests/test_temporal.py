"""Temporal values both ways: each kind from a statement, each as a parameter, and in frames."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

import alliances

UTC = datetime.timezone.utc
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def offset(hours: float) -> datetime.timezone:
    return datetime.timezone(datetime.timedelta(hours=hours))


def test_each_kind_from_a_statement(graph):
    lt, t, ldt, dt, dto, d = graph.query(
        "RETURN localtime('12:34:56.123456789'), time('12:34:56.5+01:30'),"
        " localdatetime('2025-08-14T12:00:00.000001999'),"
        " datetime('2025-07-01T09:30[Europe/Berlin]'), datetime('2025-03-01T10:00-05:00'),"
        " duration('P1Y2M3DT4H5M6.000000007S')"
    ).rows()[0]
    # Nanoseconds below the microsecond are dropped, towards the past.
    assert lt == datetime.time(12, 34, 56, 123456) and lt.tzinfo is None
    assert t == datetime.time(12, 34, 56, 500000, tzinfo=offset(1.5))
    assert ldt == datetime.datetime(2025, 8, 14, 12, 0, 0, 1) and ldt.tzinfo is None
    assert dt.tzinfo == BERLIN and dt.utcoffset() == datetime.timedelta(hours=2)
    assert dt == datetime.datetime(2025, 7, 1, 7, 30, tzinfo=UTC)
    assert dto.tzinfo == offset(-5) and dto.hour == 10
    assert isinstance(d, alliances.Duration)
    assert (d.months, d.days, d.seconds, d.nanoseconds) == (14, 3, 4 * 3600 + 5 * 60 + 6, 7)
    assert str(d) == "P1Y2M3DT4H5M6.000000007S" == d.isoformat()


def test_a_repeated_wall_clock_time_keeps_its_offset(graph):
    # 02:30 comes twice in Berlin on 2025-10-26: at +02:00, then at +01:00.
    first, second = graph.query(
        "WITH datetime({datetime: datetime('2025-10-26T00:30Z'), timezone: 'Europe/Berlin'}) AS a"
        " RETURN a, a + duration('PT1H')"
    ).rows()[0]
    assert (first.hour, first.minute, first.fold) == (2, 30, 0) == (second.hour, second.minute, 1 - second.fold)
    assert first.utcoffset() == datetime.timedelta(hours=2)
    assert second.utcoffset() == datetime.timedelta(hours=1)
    assert second.astimezone(UTC) == datetime.datetime(2025, 10, 26, 1, 30, tzinfo=UTC)


def test_each_kind_as_a_parameter(graph):
    params = {
        "lt": datetime.time(1, 2, 3, 4),
        "t": datetime.time(1, 2, 3, tzinfo=offset(-5)),
        "ldt": datetime.datetime(2025, 1, 2, 3, 4, 5, 6),
        "dt": datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
        "utc": datetime.datetime(2025, 1, 2, tzinfo=UTC),
        "fold": datetime.datetime(2025, 10, 26, 2, 30, tzinfo=BERLIN, fold=1),
        "td": datetime.timedelta(days=-1, seconds=5, microseconds=7),
        "d": alliances.Duration(months=3, seconds=1, nanoseconds=2),
    }
    names = list(params)
    text = graph.query("RETURN " + ", ".join(f"toString(${n}) AS {n}" for n in names), params).dicts()[0]
    assert [text[n] for n in names] == [
        "01:02:03.000004",
        "01:02:03-05:00",
        "2025-01-02T03:04:05.000006",
        "2025-01-02T03:04:05+01:00[Europe/Paris]",
        "2025-01-02T00:00Z",
        "2025-10-26T02:30+01:00[Europe/Berlin]",
        "P-1DT5.000007S",
        "P3MT1.000000002S",
    ]
    # And back: what goes in comes out equal (durations as alliances.Duration).
    back = graph.query("RETURN " + ", ".join(f"${n}" for n in names), params).rows()[0]
    assert list(back[:6]) == [params[n] for n in names[:6]]
    assert back[6].to_timedelta() == params["td"] and back[7] == params["d"]
    assert graph.query("RETURN $a < $b", {"a": params["utc"], "b": params["dt"]}).rows() == [(True,)]


def test_parameters_that_cannot_be_held(graph):
    with pytest.raises(ValueError, match="needs a date"):
        graph.query("RETURN $t", {"t": datetime.time(1, tzinfo=BERLIN)})
    with pytest.raises(ValueError, match="18:00"):
        graph.query("RETURN $t", {"t": datetime.datetime(2025, 1, 1, tzinfo=offset(20))})
    with pytest.raises(ValueError, match="whole seconds"):
        tz = datetime.timezone(datetime.timedelta(seconds=1, microseconds=5))
        graph.query("RETURN $t", {"t": datetime.time(1, tzinfo=tz)})


def test_durations():
    d = alliances.Duration(days=1, seconds=-1, nanoseconds=1000)
    assert (d.days, d.seconds, d.nanoseconds) == (1, -1, 1000)
    assert d.to_timedelta() == datetime.timedelta(days=1, seconds=-1, microseconds=1)
    assert alliances.Duration.fromisoformat("P1DT-1.000001S") == alliances.Duration(days=1, seconds=-1, nanoseconds=-1000)
    assert repr(alliances.Duration(months=2)) == "Duration(months=2, days=0, seconds=0, nanoseconds=0)"
    assert hash(alliances.Duration(seconds=60)) == hash(alliances.Duration.fromisoformat("PT1M"))
    with pytest.raises(ValueError, match="months"):
        alliances.Duration(months=1).to_timedelta()
    with pytest.raises(ValueError, match="microsecond"):
        alliances.Duration(nanoseconds=1).to_timedelta()
    with pytest.raises(ValueError):
        alliances.Duration.fromisoformat("P1X")


def test_years_python_cannot_hold_come_out_as_text(graph):
    (far,) = graph.query("RETURN localdatetime('+12345-01-01T00:00')").rows()[0]
    assert far == "+12345-01-01T00:00"


# One row per UNWIND item, with a column of each temporal kind and a null in each.
FRAME = """
UNWIND [
  {ldt: localdatetime('2025-08-14T12:00:00.000000001'), dt: datetime('2025-07-01T09:30[Europe/Berlin]'),
   off: datetime('2025-01-01T00:00+05:30'), lt: localtime('23:59:59.999999999'),
   d: duration('PT1.5S'), dm: duration('P1M'), mixed: datetime('2025-01-01T00:00Z'), far: localdatetime('2025-01-01T00:00')},
  {ldt: null, dt: null, off: null, lt: null, d: null, dm: null, mixed: datetime('2025-01-01T00:00+01:00'),
   far: localdatetime('+3000-01-01T00:00')}
] AS row
RETURN row.ldt AS ldt, row.dt AS dt, row.off AS off, row.lt AS lt, row.d AS d, row.dm AS dm,
       row.mixed AS mixed, row.far AS far
"""


def test_pandas_columns(graph):
    import numpy as np
    import pandas as pd

    df = graph.query(FRAME).to_pandas()
    assert df["ldt"].dtype == np.dtype("datetime64[ns]")
    assert df["ldt"][0] == pd.Timestamp("2025-08-14T12:00:00.000000001") and pd.isna(df["ldt"][1])
    assert str(df["dt"].dtype) == "datetime64[ns, Europe/Berlin]"
    assert df["dt"][0] == pd.Timestamp("2025-07-01T07:30Z") and df["dt"][0].hour == 9
    assert df["off"].dt.tz.utcoffset(None) == datetime.timedelta(hours=5, minutes=30)
    assert df["lt"].tolist()[0] == datetime.time(23, 59, 59, 999999)
    assert df["d"].dtype == np.dtype("timedelta64[ns]") and df["d"][0] == pd.Timedelta(seconds=1.5)
    assert df["dm"].dtype == object and df["dm"][0] == alliances.Duration(months=1)
    # Two offsets in one column: each value keeps its own, as objects.
    assert df["mixed"].dtype == object and [v.utcoffset().seconds for v in df["mixed"]] == [0, 3600]
    # Beyond the nanosecond's years (1677-2262), microseconds.
    assert df["far"].dtype == np.dtype("datetime64[us]") and df["far"][1].year == 3000


def test_arrow_and_polars_columns(graph):
    import polars as pl
    import pyarrow as pa

    result = graph.query(FRAME)
    t = result.to_arrow()
    types = {name: t.schema.field(name).type for name in t.column_names}
    assert types["ldt"] == pa.timestamp("ns") and types["dt"] == pa.timestamp("ns", tz="Europe/Berlin")
    assert types["off"] == pa.timestamp("ns", tz="+05:30") and types["lt"] == pa.time64("ns")
    assert types["d"] == pa.duration("ns") and types["far"] == pa.timestamp("us")
    assert pa.types.is_string(types["dm"]) and t.column("dm").to_pylist() == ["P1M", None]
    assert t.column("mixed").to_pylist() == ["2025-01-01T00:00Z", "2025-01-01T00:00+01:00"]
    assert t.column("lt")[0].value == 86_400 * 10**9 - 1 and t.column("ldt")[1].as_py() is None

    df = result.to_polars()
    assert df.schema["ldt"] == pl.Datetime("ns") and df.schema["dt"] == pl.Datetime("ns", "Europe/Berlin")
    assert df.schema["off"] == pl.Datetime("ns", "UTC") and df["off"][0].hour == 18
    assert df.schema["lt"] == pl.Time and df.schema["d"] == pl.Duration("ns")
    assert df["dt"][0].hour == 9 and df["lt"][0] == datetime.time(23, 59, 59, 999999)
    assert df["ldt"].null_count() == 1
