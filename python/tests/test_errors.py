"""Errors are Python exceptions carrying what a program needs: message, line, column, problems."""

from __future__ import annotations

import pytest

import alliances


def test_syntax_errors_carry_their_place(graph):
    with pytest.raises(alliances.QueryError) as caught:
        graph.query("MATCH (n)\nRETURN n.name ORDER BY")
    e = caught.value
    assert isinstance(e, alliances.Error) and e.kind == "syntax" and e.code == "UnexpectedSyntax"
    assert e.line == 2 and e.column >= 20 and e.source_line == "RETURN n.name ORDER BY"
    assert str(e).startswith("syntax error at line 2")


def test_rule_errors_leave_the_graph_unchanged(graph):
    with pytest.raises(alliances.QueryError) as caught:
        graph.query("CREATE (:Company {id: 'nvidia', name: 'Another'})")
    assert caught.value.kind == "constraint" and caught.value.code == "SchemaViolation"
    assert graph.node_count == 33


def test_load_errors_list_every_problem(root):
    path = root / "tests" / "cases" / "invalid" / "18_five_mistakes.toml"
    with pytest.raises(alliances.LoadError) as caught:
        alliances.open(data=path)
    e = caught.value
    assert len(e.problems) == 5
    assert (e.file, e.line, e.column) == (str(path), 20, 8)
    assert e.message == e.problems[0]["message"] and e.problems[0]["help"] == 'did you mean "company"?'
    assert e.problems[0]["code"] == "unknown-value"
    assert "5 problems found; nothing was loaded" in str(e)


def test_missing_files(tmp_path):
    with pytest.raises(alliances.LoadError) as caught:
        alliances.open(data=tmp_path / "absent.toml")
    assert caught.value.file == str(tmp_path / "absent.toml") and caught.value.problems == []
    with pytest.raises(alliances.LoadError):
        alliances.from_csv(tmp_path / "n.csv", tmp_path / "e.csv")


def test_csv_problems_name_the_row(tmp_path):
    nodes = tmp_path / "nodes.csv"
    edges = tmp_path / "edges.csv"
    nodes.write_text("id,name,kind,country,sector\na,A,company,US,chips\nb,B,compnay,US,chips\n")
    edges.write_text("from,to,type,amount_usd,date,stake_pct\n")
    with pytest.raises(alliances.LoadError) as caught:
        alliances.from_csv(nodes, edges)
    assert caught.value.line == 3 and caught.value.file == str(nodes)
