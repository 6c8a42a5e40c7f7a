"""Shared fixtures: the repository, the command line's binary, and the built-in graph."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import alliances

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `alliances` binary the answers are compared against (ALLIANCES_BIN, or built here)."""
    given = os.environ.get("ALLIANCES_BIN")
    if given:
        return Path(given)
    subprocess.run(["cargo", "build", "-q", "--bin", "alliances"], cwd=ROOT, check=True)
    return ROOT / "target" / "debug" / "alliances"


@pytest.fixture(scope="session")
def run_cli(cli):
    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([str(cli), *args], cwd=ROOT, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"alliances {' '.join(args)} failed: {done.stderr}")
        return done

    return run


@pytest.fixture(scope="session")
def cli_json(run_cli):
    def query(text: str) -> dict:
        return json.loads(run_cli("query", "--format", "json", text).stdout)

    return query


@pytest.fixture()
def graph():
    with alliances.open() as g:
        yield g
