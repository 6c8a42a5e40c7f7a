"""Expected answers from networkx, for tests/reference.rs.

Run from the project root after generating the graph:
    python3 ../shared/bench/gen_graph.py --nodes 1000 --out tests/reference/gen-1k
    python3 tests/reference/networkx_reference.py tests/reference/gen-1k > tests/reference/gen-1k/expected.json

It needs networkx (pip install networkx). The Rust tests read the JSON and need no Python.
What is computed, with the same conventions as the project:
- shortest: undirected shortest-path length (hops) for each pair of queries.txt, -1 when none;
- pagerank_top20: networkx.pagerank on the directed multigraph (damping 0.85, converged to an
  L1 change of 1e-10), as [id, score];
- betweenness_top20: networkx.betweenness_centrality on the undirected simple graph
  (normalised), as [id, score];
- money_cycles_up_to_4: simple cycles of at most 4 nodes in the money-flow graph (investor to
  investee along INVESTS_IN, customer to supplier along SUPPLIES), counted on its simple
  directed projection, self-loops included.
"""

import csv
import json
import sys

import networkx as nx


def main(folder):
    ids = []
    with open(f"{folder}/nodes.csv") as f:
        for row in csv.DictReader(f):
            ids.append(row["id"])
    multi = nx.MultiDiGraph()
    multi.add_nodes_from(ids)
    simple = nx.Graph()
    simple.add_nodes_from(ids)
    money = nx.DiGraph()
    money.add_nodes_from(ids)
    with open(f"{folder}/edges.csv") as f:
        for row in csv.DictReader(f):
            a, b, kind = row["from"], row["to"], row["type"]
            multi.add_edge(a, b)
            if a != b:
                simple.add_edge(a, b)
            if kind == "INVESTS_IN":
                money.add_edge(a, b)
            elif kind == "SUPPLIES":
                money.add_edge(b, a)
    shortest = []
    with open(f"{folder}/queries.txt") as f:
        for line in f:
            s, t, _ = line.split()
            try:
                shortest.append(nx.shortest_path_length(simple, s, t))
            except nx.NetworkXNoPath:
                shortest.append(-1)
    # networkx stops when the L1 change is below N * tol; ask for 1e-10 in all, as the project.
    pagerank = nx.pagerank(multi, alpha=0.85, tol=1e-10 / multi.number_of_nodes(), max_iter=1000)
    betweenness = nx.betweenness_centrality(simple)
    top = lambda scores: [[k, v] for k, v in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:20]]
    cycles = sum(1 for _ in nx.simple_cycles(money, length_bound=4))
    json.dump(
        {
            "networkx": nx.__version__,
            "shortest": shortest,
            "pagerank_top20": top(pagerank),
            "betweenness_top20": top(betweenness),
            "money_cycles_up_to_4": cycles,
        },
        sys.stdout,
        indent=1,
    )
    print()


if __name__ == "__main__":
    main(sys.argv[1])
