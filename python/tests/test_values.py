"""Values as Python sees them: elements, dates with their precision, lists and maps."""

from __future__ import annotations

import datetime

import pytest

import alliances


def test_nodes(graph):
    (node,) = graph.query("MATCH (n {id: 'nvidia'}) RETURN n").rows()[0]
    assert isinstance(node, alliances.Node)
    assert node.labels == ["Company"] and node.id == "nvidia"
    assert node["name"] == "Nvidia" and node.get("name") == "Nvidia"
    assert node.get("nope", 5) == 5 and "name" in node and "nope" not in node
    with pytest.raises(KeyError):
        node["nope"]
    assert node.properties["name"] == "Nvidia"
    assert node.to_dict() == {"labels": ["Company"], "properties": node.properties}
    assert repr(node).startswith("(:Company {")
    (again,) = graph.query("MATCH (n {name: 'Nvidia'}) RETURN n").rows()[0]
    assert node == again


def test_relationships_and_paths(graph):
    rel, path = graph.query(
        "MATCH p = (a {id: 'nvidia'})-[r:INVESTS_IN]->(b {id: 'intel'}) RETURN r, p"
    ).rows()[0]
    assert isinstance(rel, alliances.Relationship)
    assert (rel.type, rel.start, rel.end) == ("INVESTS_IN", "nvidia", "intel")
    assert rel["amount_usd"] == 5_000_000_000 and rel.get("nope") is None
    assert set(rel.to_dict()) == {"type", "start", "end", "properties"}
    assert repr(rel).startswith("[:INVESTS_IN")
    assert isinstance(path, alliances.Path) and len(path) == 1
    assert [n.id for n in path.nodes] == ["nvidia", "intel"] and path.relationships == [rel]
    assert repr(path).startswith("<(:Company")


def test_dates_keep_their_precision(graph):
    # A statement's date() is a day, as in openCypher; months and years come from the data.
    day, month, year = graph.query(
        'RETURN date("2025-08-14"), $month, $year',
        {"month": alliances.PartialDate(2025, 8), "year": alliances.PartialDate(2025)},
    ).rows()[0]
    assert day == datetime.date(2025, 8, 14)
    assert isinstance(month, alliances.PartialDate) and (month.year, month.month, month.day) == (2025, 8, None)
    assert month.precision == "month" and str(month) == "2025-08" and repr(month) == "PartialDate(2025, 8)"
    assert month.start() == datetime.date(2025, 8, 1)
    assert year == alliances.PartialDate(2025) and year.precision == "year"
    assert alliances.PartialDate.fromisoformat("2025-08") == month
    assert year < month < alliances.PartialDate(2025, 9)
    assert hash(month) == hash(alliances.PartialDate(2025, 8))
    with pytest.raises(ValueError):
        alliances.PartialDate(2025, 13)
    stored = graph.query("MATCH ()-[r]->() WHERE r.date IS NOT NULL RETURN r.date").column(0)
    assert any(isinstance(d, alliances.PartialDate) for d in stored)
    assert any(type(d) is datetime.date for d in stored)


def test_lists_maps_and_nulls(graph):
    row = graph.query("RETURN [1, 2.5, 'x', null] AS l, {a: 1, b: [true]} AS m, null AS n").rows()[0]
    assert row == ([1, 2.5, "x", None], {"a": 1, "b": [True]}, None)
