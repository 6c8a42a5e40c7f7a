"""Statements run without the GIL, and KeyboardInterrupt stops them."""

from __future__ import annotations

import _thread
import threading
import time

import pytest

import alliances

# Long enough to be running when interrupted (tens of seconds on any machine), short of memory.
# Ten billion rows streamed: minutes of work whatever the machine, and no memory held.
LONG = "UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y WITH x, y WHERE x < 0 RETURN count(*)"


def test_keyboard_interrupt_stops_a_statement(graph):
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    began = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            graph.query(LONG)
    finally:
        timer.cancel()
    assert time.monotonic() - began < 5
    # The graph goes on answering.
    assert graph.query("MATCH (n) RETURN count(n)").rows() == [(33,)]


def test_an_interrupted_write_changes_nothing(graph):
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            graph.query(
            "UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y WITH x, y "
            "WHERE y = 1 AND (x = 1 OR x = 100000) "
            "CREATE (:Company {id: 'c' + toString(x), name: 'C' + toString(x)})"
            )
    finally:
        timer.cancel()
    assert graph.node_count == 33


def test_the_gil_is_released_while_a_statement_runs(graph):
    done = threading.Event()
    answer = []

    def run():
        answer.append(graph.query("UNWIND range(1, 3000000) AS x WITH x WHERE x % 7 = 0 RETURN count(x) AS n"))
        done.set()

    worker = threading.Thread(target=run)
    began = time.monotonic()
    worker.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    worker.join()
    took = time.monotonic() - began
    assert answer[0].rows() == [(3000000 // 7,)]
    # The main thread kept running the whole time: thousands of turns, not a handful.
    assert took > 0.05 and ticks > 1000, (took, ticks)


def test_two_threads_share_one_graph(graph):
    results = []

    def ask():
        results.append(graph.query("MATCH (n) RETURN count(n)").rows())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [[(33,)]] * 4
