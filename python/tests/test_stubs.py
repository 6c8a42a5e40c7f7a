"""The type stubs describe the module as it is: every class, function and method, both ways."""

from __future__ import annotations

import ast
from pathlib import Path

import alliances
from alliances import _alliances

STUB = Path(__file__).resolve().parents[1] / "alliances" / "_alliances.pyi"


def stub_names() -> dict[str, set[str]]:
    tree = ast.parse(STUB.read_text())
    names: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = {
                item.name if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) else item.target.id
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                or (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name))
            }
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = set()
    return names


def test_every_stubbed_name_exists():
    for name, members in stub_names().items():
        runtime = getattr(_alliances, name)
        assert getattr(alliances, name) is runtime
        if isinstance(runtime, type) and not issubclass(runtime, Exception):
            for member in members:
                assert hasattr(runtime, member), f"{name}.{member}"


def test_every_public_name_is_stubbed():
    stubs = stub_names()
    public = {n for n in dir(_alliances) if not n.startswith("_")}
    assert public <= set(stubs), public - set(stubs)
    for name in public:
        runtime = getattr(_alliances, name)
        if isinstance(runtime, type) and not issubclass(runtime, Exception):
            members = {m for m in vars(runtime) if not m.startswith("__")}
            assert members <= stubs[name], (name, members - stubs[name])
            assert runtime.__doc__, name
