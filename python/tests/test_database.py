"""Two handles on one database: a writer and a reader; the lock let go on close."""

from __future__ import annotations

import pytest

import alliances


def test_a_writer_and_a_reader(tmp_path):
    path = tmp_path / "research.toml"
    with alliances.open(db=path, from_default=True) as writer:
        assert any("created the database" in n for n in writer.notes)
        writer.query("CREATE (:Company {id: 'acme', name: 'Acme'})")
        with pytest.raises(alliances.DatabaseLocked) as caught:
            alliances.open(db=path)
        assert caught.value.path == str(path) and "read-only" in str(caught.value)
        with alliances.open(db=path, read_only=True) as reader:
            assert reader.read_only and "read-only" in repr(reader)
            assert reader.query("MATCH (c {id: 'acme'}) RETURN c.name").rows() == [("Acme",)]
            with pytest.raises(alliances.QueryError) as refused:
                reader.query("CREATE (:Company {id: 'other', name: 'Other'})")
            assert refused.value.code == "ReadOnly"
        assert writer.save() == str(path)
    # Closing let go of the lock: a new writer opens, and finds what was written.
    with alliances.open(db=path) as again:
        assert again.node_count == 34 and not again.read_only


def test_a_dropped_handle_lets_go_too(tmp_path):
    path = tmp_path / "db.toml"
    g = alliances.open(db=path, from_default=True)
    g.query("CREATE (:Company {id: 'acme', name: 'Acme'})")
    del g
    with alliances.open(db=path) as again:
        assert again.query("MATCH (c {id: 'acme'}) RETURN count(c)").rows() == [(1,)]
