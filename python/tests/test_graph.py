"""Every method of `Graph` and `Result` on the built-in dataset."""

from __future__ import annotations

import json
import os
import shutil

import pytest

import alliances


def test_open_gives_the_built_in_dataset(graph):
    assert (graph.node_count, graph.edge_count) == (33, 52)
    assert "33 entities, 52 relationships from the built-in dataset" in repr(graph)
    assert graph.query("MATCH (n) RETURN count(n) AS c").rows() == [(33,)]
    assert not graph.read_only and not graph.closed


def test_query_result_methods(graph):
    r = graph.query("MATCH (c:Consortium) RETURN c.name AS name, c.id AS id ORDER BY name")
    assert r.columns == ["name", "id"]
    assert r.rows() == [("AIP", "aip"), ("Stargate", "stargate")]
    assert len(r) == 2 and r[0] == ("AIP", "aip") and r[-1] == ("Stargate", "stargate")
    with pytest.raises(IndexError):
        r[2]
    assert list(r) == r.rows()
    assert r.dicts() == [{"name": "AIP", "id": "aip"}, {"name": "Stargate", "id": "stargate"}]
    assert r.column("id") == ["aip", "stargate"] and r.column(0) == ["AIP", "Stargate"]
    with pytest.raises(IndexError, match="no column named"):
        r.column("nope")
    assert json.loads(r.to_json()) == {"columns": ["name", "id"], "rows": [["AIP", "aip"], ["Stargate", "stargate"]]}
    assert r.to_csv().splitlines() == ["name,id", "AIP,aip", "Stargate,stargate"]
    assert "│ AIP" in r.to_table() and "2 rows" in repr(r)
    assert r.warnings == [] and r.notes == [] and r.changes == ""


def test_money_columns_warnings_and_several_statements(graph):
    r = graph.query("MATCH ()-[r:INVESTS_IN]->() RETURN sum(r.amount_usd) AS total, count(r) AS n")
    assert r.money_columns == ["total"]
    assert isinstance(r.rows()[0][0], (int, float)) and r.rows()[0][0] > 1e9
    w = graph.query("MATCH (c:Compnay) RETURN c")
    assert len(w.warnings) == 1 and "Company" in w.warnings[0]
    last = graph.query("RETURN 1 AS a; RETURN 2 AS b")
    assert last.columns == ["b"] and last.rows() == [(2,)]
    with pytest.raises(ValueError, match="no statement"):
        graph.query("   ")


def test_writes_change_the_graph_and_say_what_changed(graph):
    r = graph.query("CREATE (n:Company {id: 'acme', name: 'Acme'}) RETURN n.name AS name")
    assert r.rows() == [("Acme",)] and "1 node" in r.changes
    assert graph.node_count == 34


def test_params(graph):
    r = graph.query("MATCH (c {name: $name}) RETURN c.id AS id", params={"name": "Intel"})
    assert r.rows() == [("intel",)]
    import datetime

    r = graph.query(
        "RETURN $i AS i, $f AS f, $b AS b, $n AS n, $l AS l, $m AS m, $d AS d, $p AS p",
        params={"i": 7, "f": 1.5, "b": True, "n": None, "l": [1, "x", (2,)], "m": {"k": [1]},
                "d": datetime.date(2025, 8, 14), "p": alliances.PartialDate(2025, 8)},
    )
    assert r.rows() == [(7, 1.5, True, None, [1, "x", [2]], {"k": [1]}, datetime.date(2025, 8, 14),
                         alliances.PartialDate(2025, 8))]
    with pytest.raises(TypeError, match="parameter `x` is a set"):
        graph.query("RETURN $x", params={"x": {1}})
    with pytest.raises(TypeError, match="parameter `x` is a object.*alliances.Duration"):
        graph.query("RETURN $x", params={"x": object()})
    with pytest.raises(OverflowError):
        graph.query("RETURN $x", params={"x": 2**70})
    with pytest.raises(alliances.QueryError) as caught:
        graph.query("RETURN $missing")
    assert caught.value.kind == "parametermissing" and caught.value.code == "MissingParameter"


def test_paths(graph):
    r = graph.paths("BlackRock", "Intel", k=2)
    assert r.columns == ["route", "hops", "path"]
    assert r.rows()[0][:2] == (["BlackRock", "AIP", "Nvidia", "Intel"], 3)
    hops = r.column("hops")
    assert len(r) == 2 and hops == sorted(hops)
    path = r.rows()[1][2]
    assert isinstance(path, alliances.Path) and len(path) == hops[1]
    assert [n["name"] for n in path.nodes] == r.rows()[1][0]
    with pytest.raises(alliances.QueryError, match="Nvidia"):
        graph.paths("Nvidai", "Intel")


def test_owners(graph):
    r = graph.owners("OpenAI")
    assert r.columns == ["holder", "id", "stake", "stake_min", "stake_max", "control", "over_100"]
    holders = r.column("holder")
    assert "Microsoft" in holders and "OpenAI" not in holders
    for row in r.dicts():
        if row["stake_min"] is not None:
            assert row["stake_min"] <= row["stake_max"]
        if row["stake"] is not None:
            assert row["stake_min"] == row["stake"] == row["stake_max"]
    expected = graph.query(
        "CALL algo.ownership('OpenAI') YIELD holder, stake_max RETURN holder.name AS h, stake_max"
    ).rows()
    assert list(zip(holders, r.column("stake_max"))) == expected


def test_cycles(graph):
    r = graph.cycles(max_length=2)
    assert r.columns == ["loop", "legs", "path"] and len(r) > 0
    for loop, legs, path in r.rows():
        assert loop[0] == loop[-1] and legs == len(loop) - 1 == len(path) <= 2
    assert ["Nvidia", "OpenAI", "Nvidia"] in r.column("loop") or ["OpenAI", "Nvidia", "OpenAI"] in r.column("loop")


def test_pagerank(graph):
    r = graph.pagerank()
    assert r.columns == ["id", "name", "score"] and len(r) == 33
    scores = r.column("score")
    assert scores == sorted(scores, reverse=True)
    assert abs(sum(scores) - 1.0) < 1e-6


def test_to_networkx(graph):
    import networkx as nx

    g = graph.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert (g.number_of_nodes(), g.number_of_edges()) == (33, 52)
    assert g.nodes["nvidia"]["name"] == "Nvidia" and g.nodes["nvidia"]["labels"] == ["Company"]
    investors = {u for u, _, t in g.in_edges("intel", data="type") if t == "INVESTS_IN"}
    cypher = graph.query("MATCH (i)-[:INVESTS_IN]->({id: 'intel'}) RETURN DISTINCT i.id").column(0)
    assert investors == set(cypher)


def test_to_dot_is_the_command_lines(graph, run_cli):
    assert graph.to_dot() == run_cli("export", "dot").stdout
    part = graph.to_dot(query="MATCH (a {name: 'Intel'})<-[r:INVESTS_IN]-(b) RETURN a, r, b", title="Intel")
    assert "Intel" in part and "BlackRock" not in part and part.startswith("digraph")


def test_render(graph, tmp_path, monkeypatch):
    if shutil.which("dot") is None:
        if os.environ.get("ALLIANCES_REQUIRE_DOT"):
            pytest.fail("Graphviz's dot is required (ALLIANCES_REQUIRE_DOT) but not installed")
        pytest.skip("Graphviz's dot is not installed")
    out = graph.render(tmp_path / "map.svg")
    assert out.endswith("map.svg") and "<svg" in (tmp_path / "map.svg").read_text()
    with pytest.raises(ValueError, match="extension"):
        graph.render(tmp_path / "map.txt")
    monkeypatch.setenv("ALLIANCES_DOT", str(tmp_path / "no-such-dot"))
    with pytest.raises(alliances.RenderError, match="Graphviz"):
        graph.render(tmp_path / "other.svg")
    assert not (tmp_path / "other.svg").exists()


def test_save_and_open_again(graph, tmp_path):
    graph.query("CREATE (:Company {id: 'acme', name: 'Acme'})")
    path = tmp_path / "saved.toml"
    assert graph.save(path) == str(path)
    with alliances.open(data=path) as again:
        assert again.node_count == 34
        assert again.query("MATCH (c {id: 'acme'}) RETURN c.name").rows() == [("Acme",)]
        assert again.save() == str(path)
    with pytest.raises(alliances.SessionError, match="file name"):
        graph.save()


def test_close_and_context_manager():
    with alliances.open() as g:
        assert not g.closed
    assert g.closed and "closed" in repr(g)
    g.close()
    with pytest.raises(alliances.SessionError, match="closed"):
        g.query("RETURN 1")


def test_open_options(root, tmp_path):
    with alliances.open(data=[root / "data" / "ai-infrastructure.toml"], as_of="2024-12-31") as g:
        assert g.notes and g.notes[0].startswith("as of 2024-12-31")
        assert g.edge_count < 52
    with pytest.raises(ValueError, match="schema"):
        alliances.open(schema="closed")
    with pytest.raises(ValueError, match="read_only applies to a database"):
        alliances.open(read_only=True)
