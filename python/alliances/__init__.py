"""alliances: the graph of who invests in, buys, controls and supplies whom, from Python.

Open a graph, ask it questions in Cypher, and take the answers as rows or DataFrames::

    import alliances

    g = alliances.open()                      # the built-in AI-infrastructure dataset
    r = g.query("MATCH (c:Consortium) RETURN c.name AS name ORDER BY name")
    r.rows()                                  # [('AIP',), ('Stargate',)]
    r.to_pandas()                             # a DataFrame; to_polars(), to_arrow() too

``open(db=...)`` opens a database, whose changes are kept as they are made; use it in a
``with`` block so its lock is let go at the end. See docs/python.md for a tour.
"""

from ._alliances import (
    DatabaseError,
    DatabaseLocked,
    Duration,
    Error,
    Graph,
    LoadError,
    Node,
    PartialDate,
    Path,
    QueryError,
    Relationship,
    RenderError,
    Result,
    SessionError,
    from_csv,
    open,
)

__all__ = [
    "DatabaseError",
    "DatabaseLocked",
    "Duration",
    "Error",
    "Graph",
    "LoadError",
    "Node",
    "PartialDate",
    "Path",
    "QueryError",
    "Relationship",
    "RenderError",
    "Result",
    "SessionError",
    "from_csv",
    "open",
]
