"""The README's questions give the same answers from Python as from `alliances query --format json`."""

from __future__ import annotations

import datetime
import re

import pytest

import alliances


def readme_queries(root) -> list[str]:
    text = (root / "README.md").read_text()
    found = re.findall(r"^\$ alliances query (?:--format json )?'([^']+)'$", text, re.M)
    # The shell's example in the same section.
    found.append("MATCH (c:Consortium)<-[:MEMBER_OF]-(m) RETURN c.name, count(m) AS members")
    found.append("MATCH (n) RETURN count(n)")
    unique = list(dict.fromkeys(found))
    return [q for q in unique if "firn" not in q]


def as_json(value):
    """A Python value of `rows()` as the command line's JSON writes it."""
    if isinstance(value, (alliances.Node, alliances.Relationship, alliances.Path)):
        return as_json(value.to_dict())
    if isinstance(value, alliances.PartialDate):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    return value


def test_the_readme_has_questions(root):
    assert len(readme_queries(root)) >= 6


def test_answers_match_the_command_line(root, graph, cli_json):
    for text in readme_queries(root):
        expected = cli_json(text)
        result = graph.query(text)
        assert result.columns == expected["columns"], text
        assert [as_json(list(row)) for row in result.rows()] == expected["rows"], text
        assert result.to_json() == str(json_line(expected)), text


def json_line(expected) -> str:
    import json

    return json.dumps(expected, separators=(",", ":"), ensure_ascii=False)


def test_elements_match_the_command_line(graph, cli_json):
    text = 'MATCH p = (a {name: "Nvidia"})-[r:INVESTS_IN]->(b) RETURN a, r, p, r.date AS date ORDER BY b.name LIMIT 3'
    expected = cli_json(text)
    rows = graph.query(text).rows()
    assert rows and [as_json(list(row)) for row in rows] == expected["rows"]


def test_the_error_example_reads_as_on_the_command_line(graph, run_cli):
    text = "MATCH (firm)-[:INVESTS_IN]->(c:Company) RETURN firn.name"
    done = run_cli("query", text, check=False)
    assert done.returncode == 1
    with pytest.raises(alliances.QueryError) as caught:
        graph.query(text)
    error = caught.value
    assert (error.line, error.column) == (1, 48)
    assert error.message == "the variable `firn` is not defined"
    assert error.help == 'did you mean "firm"?'
    assert str(error) in done.stderr
