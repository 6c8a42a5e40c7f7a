"""Type stubs of the native module; ``alliances`` re-exports every name here."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal, Optional, Union

_PathLike = Union[str, os.PathLike[str]]
Param = Union[
    None,
    bool,
    int,
    float,
    str,
    datetime.date,
    datetime.time,
    datetime.datetime,
    datetime.timedelta,
    "PartialDate",
    "Duration",
    Sequence["Param"],
    Mapping[str, "Param"],
]
"""A statement parameter. A naive ``datetime.time`` is a ``localtime`` and one with a fixed
offset a ``time``; a naive ``datetime.datetime`` is a ``localdatetime`` and an aware one a
``datetime`` (in its zone when its tzinfo is a ``zoneinfo.ZoneInfo``); a ``timedelta`` is a
duration of days and seconds."""
Value = Any
"""A result value: None, bool, int, float, str, datetime.date, PartialDate, datetime.time,
datetime.datetime, Duration, list, dict, Node, Relationship or Path. Times and date times keep
microseconds: the nanoseconds below them are dropped (frames keep them)."""

class Error(Exception):
    """The base of every error alliances raises."""

class QueryError(Error):
    """A statement that failed, placed in its text."""

    message: str
    line: int
    """1-based line of the statement's text."""
    column: int
    """1-based column, in characters."""
    code: str
    """openCypher's name for the error (``UndefinedVariable``, ``SchemaViolation``, ``ReadOnly``)."""
    kind: str
    """``syntax``, ``semantic``, ``type``, ``argument``, ``parametermissing``, ``constraint``,
    ``interrupted``, ``limit``, ``storage`` or ``resource``."""
    help: Optional[str]
    source_line: str

class LoadError(Error):
    """Files that could not be loaded; nothing was."""

    message: str
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    problems: list[dict[str, Any]]
    """Each problem: ``message``, ``file``, ``line``, ``column``, ``help``, ``code``."""

class DatabaseError(Error):
    """A database that could not be opened, written or folded."""

class DatabaseLocked(DatabaseError):
    """Another handle or process has the database open for writing."""

    path: str

class SessionError(Error):
    """A save or change the open graph refuses, or a call on a closed graph."""

class RenderError(Error):
    """A diagram that could not be drawn (Graphviz missing or failing)."""

class PartialDate:
    """A date known to the month or the year, as the data gives it. Full days are
    ``datetime.date``."""

    def __init__(self, year: int, month: Optional[int] = None, day: Optional[int] = None) -> None: ...
    @staticmethod
    def fromisoformat(text: str) -> PartialDate: ...
    @property
    def year(self) -> int: ...
    @property
    def month(self) -> Optional[int]: ...
    @property
    def day(self) -> Optional[int]: ...
    @property
    def precision(self) -> Literal["year", "month", "day"]: ...
    def start(self) -> datetime.date:
        """The first day of the period."""
    def isoformat(self) -> str: ...
    def __lt__(self, other: PartialDate) -> bool: ...
    def __le__(self, other: PartialDate) -> bool: ...
    def __gt__(self, other: PartialDate) -> bool: ...
    def __ge__(self, other: PartialDate) -> bool: ...
    def __hash__(self) -> int: ...

class Duration:
    """openCypher's duration: months, days, seconds and nanoseconds kept apart, since a month
    is not a fixed number of days."""

    def __init__(self, months: int = 0, days: int = 0, seconds: int = 0, nanoseconds: int = 0) -> None: ...
    @staticmethod
    def fromisoformat(text: str) -> Duration:
        """``"P1Y2M3DT4H5M6.000000007S"``, as ``duration()`` reads it."""
    @property
    def months(self) -> int: ...
    @property
    def days(self) -> int: ...
    @property
    def seconds(self) -> int: ...
    @property
    def nanoseconds(self) -> int:
        """From 0 to 999,999,999."""
    def to_timedelta(self) -> datetime.timedelta:
        """The same span, days of 24 hours; ValueError when it has months or nanoseconds
        below the microsecond, which a timedelta cannot hold exactly."""
    def isoformat(self) -> str: ...
    def __hash__(self) -> int: ...

class Node:
    """A node as it was when the statement ran."""

    @property
    def labels(self) -> list[str]: ...
    @property
    def properties(self) -> dict[str, Value]: ...
    @property
    def id(self) -> Optional[Value]:
        """The ``id`` property (``"nvidia"``), or None."""
    def __getitem__(self, key: str) -> Value: ...
    def __contains__(self, key: str) -> bool: ...
    def get(self, key: str, default: Any = None) -> Value: ...
    def to_dict(self) -> dict[str, Any]:
        """``{"labels": [...], "properties": {...}}``, as the command line's JSON has it."""

class Relationship:
    """A relationship as it was when the statement ran."""

    @property
    def type(self) -> str: ...
    @property
    def start(self) -> Value:
        """The ``id`` of the start node (its number when it has none)."""
    @property
    def end(self) -> Value: ...
    @property
    def properties(self) -> dict[str, Value]: ...
    def __getitem__(self, key: str) -> Value: ...
    def __contains__(self, key: str) -> bool: ...
    def get(self, key: str, default: Any = None) -> Value: ...
    def to_dict(self) -> dict[str, Any]:
        """``{"type": ..., "start": ..., "end": ..., "properties": {...}}``."""

class Path:
    """Nodes, and the relationship between each and the next."""

    @property
    def nodes(self) -> list[Node]: ...
    @property
    def relationships(self) -> list[Relationship]: ...
    def __len__(self) -> int:
        """The number of hops."""
    def to_dict(self) -> dict[str, Any]: ...

class Result:
    """The answer to one statement."""

    @property
    def columns(self) -> list[str]: ...
    def rows(self) -> list[tuple[Value, ...]]: ...
    def dicts(self) -> list[dict[str, Value]]: ...
    def column(self, column: Union[str, int]) -> list[Value]: ...
    @property
    def money_columns(self) -> list[str]:
        """Columns holding amounts of money: plain numbers, US dollars for ``amount_usd``."""
    @property
    def warnings(self) -> list[str]: ...
    @property
    def notes(self) -> list[str]: ...
    @property
    def changes(self) -> str:
        """What a writing statement changed (``"1 node created"``); empty for a read."""
    def to_json(self) -> str: ...
    def to_csv(self) -> str: ...
    def to_table(self, width: Optional[int] = None) -> str: ...
    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame``; ImportError when pandas is not installed."""
    def to_polars(self) -> Any:
        """A ``polars.DataFrame``; ImportError when polars is not installed."""
    def to_arrow(self) -> Any:
        """A ``pyarrow.Table``; ImportError when pyarrow is not installed."""
    def _column_data(self, column: int, plain: bool = True) -> tuple[str, Any, Optional[bytes]]: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> tuple[Value, ...]: ...
    def __iter__(self) -> Iterator[tuple[Value, ...]]: ...

class Graph:
    """An open graph; a context manager that closes it (letting go of a database's lock)."""

    def query(self, text: str, params: Optional[Mapping[str, Param]] = None) -> Result:
        """Runs the statements of ``text``; the last one's result. Raises QueryError;
        KeyboardInterrupt stops a statement, which then changes nothing."""
    def paths(self, a: str, b: str, k: int = 3) -> Result:
        """The k shortest chains between two entities: ``route``, ``hops``, ``path``."""
    def owners(self, name: str) -> Result:
        """Look-through holders: ``holder``, ``id``, ``stake``, ``stake_min``, ``stake_max``,
        ``control``, ``over_100``."""
    def cycles(self, max_length: int = 4) -> Result:
        """Circular deals: ``loop``, ``legs``, ``path``."""
    def pagerank(self) -> Result:
        """PageRank, highest first: ``id``, ``name``, ``score``."""
    def to_networkx(self) -> Any:
        """A ``networkx.MultiDiGraph`` keyed by entity id."""
    def to_dot(self, query: Optional[str] = None, title: Optional[str] = None, legend: bool = True) -> str: ...
    def render(
        self,
        path: _PathLike,
        format: Optional[str] = None,
        query: Optional[str] = None,
        title: Optional[str] = None,
        legend: bool = True,
    ) -> str: ...
    def save(self, path: Optional[_PathLike] = None) -> str: ...
    def close(self) -> None: ...
    def __enter__(self) -> Graph: ...
    def __exit__(self, *args: object) -> bool: ...
    @property
    def closed(self) -> bool: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def notes(self) -> list[str]: ...
    @property
    def node_count(self) -> int: ...
    @property
    def edge_count(self) -> int: ...

def open(
    data: Optional[Union[_PathLike, Sequence[_PathLike]]] = None,
    db: Optional[_PathLike] = None,
    read_only: bool = False,
    schema: Literal["alliance", "open"] = "alliance",
    from_default: bool = False,
    as_of: Optional[Union[str, datetime.date, PartialDate]] = None,
) -> Graph:
    """The built-in dataset, data files, or a database."""

def from_csv(nodes: _PathLike, edges: _PathLike, schema: Literal["alliance", "open"] = "alliance") -> Graph:
    """A bulk CSV import, as ``--nodes`` and ``--edges``."""
