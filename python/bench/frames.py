"""How long a result of many rows takes to become a DataFrame: from Python, and through the
command line's JSON.

    python python/bench/frames.py /tmp/bg/1M [--rows 100000] [--cli target/release/alliances]

The folder holds `nodes.csv` and `edges.csv` (`python3 ../shared/bench/gen_graph.py --nodes 1M
--out DIR --seed 42` makes them). The graph is imported once; the query then runs five times
through `Graph.query(...).to_pandas()` (best time printed), and once through
`alliances query --format json` with the same files, whose time includes the import, shown
apart from a run that only imports (`RETURN 1`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

import pandas as pd

import alliances

QUERY = (
    "MATCH (a)-[r:INVESTS_IN]->(b) "
    "RETURN a.id AS investor, b.id AS investee, r.amount_usd AS usd, r.date AS date, "
    "r.stake_pct AS stake LIMIT {rows}"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cli", type=Path, default=Path("target/release/alliances"))
    parser.add_argument("--query", default=QUERY, help="a statement with {rows} for its LIMIT")
    args = parser.parse_args()
    nodes, edges = args.folder / "nodes.csv", args.folder / "edges.csv"
    text = args.query.format(rows=args.rows)

    began = time.perf_counter()
    g = alliances.from_csv(nodes, edges)
    print(f"import: {time.perf_counter() - began:.2f} s ({g.node_count} nodes, {g.edge_count} relationships)")

    best = {"query": float("inf"), "to_pandas": float("inf"), "to_polars": float("inf"), "to_arrow": float("inf")}
    for _ in range(5):
        began = time.perf_counter()
        result = g.query(text)
        queried = time.perf_counter()
        df = result.to_pandas()
        framed = time.perf_counter()
        best["query"] = min(best["query"], queried - began)
        best["to_pandas"] = min(best["to_pandas"], framed - queried)
        for method in ("to_polars", "to_arrow"):
            began = time.perf_counter()
            getattr(result, method)()
            best[method] = min(best[method], time.perf_counter() - began)
    assert len(df) == args.rows, len(df)
    print(text)
    print(f"python: query {best['query'] * 1000:.0f} ms + to_pandas {best['to_pandas'] * 1000:.0f} ms "
          f"= {(best['query'] + best['to_pandas']) * 1000:.0f} ms for {len(df)} rows "
          f"(to_polars {best['to_polars'] * 1000:.0f} ms, to_arrow {best['to_arrow'] * 1000:.0f} ms)")
    print(df.dtypes.to_string())

    if not args.cli.exists():
        print(f"(no {args.cli}: the command line is not measured)")
        return
    common = [str(args.cli), "query", "--format", "json", "--nodes", str(nodes), "--edges", str(edges)]
    began = time.perf_counter()
    subprocess.run([*common, "RETURN 1"], check=True, capture_output=True)
    load_only = time.perf_counter() - began
    began = time.perf_counter()
    out = subprocess.run([*common, text], check=True, capture_output=True).stdout
    ran = time.perf_counter() - began
    began = time.perf_counter()
    parsed = json.loads(out)
    cli_df = pd.DataFrame(parsed["rows"], columns=parsed["columns"])
    parsed_in = time.perf_counter() - began
    assert len(cli_df) == len(df)
    print(f"command line: {ran:.2f} s with --format json ({load_only:.2f} s of it importing, "
          f"so {(ran - load_only) * 1000:.0f} ms for the query and its JSON), "
          f"then {parsed_in * 1000:.0f} ms for json.loads and a DataFrame")


if __name__ == "__main__":
    main()
