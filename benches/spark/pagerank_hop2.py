"""PageRank top ten and 2-hop counts of an alliances Parquet export, on Apache Spark.

    spark-submit [--master local[*] | yarn | k8s://...] pagerank_hop2.py PARQUET_DIR \
        [--sources FILE] [--output FILE] [--top 10]

PARQUET_DIR is what `alliances export parquet -o DIR` wrote (`nodes.parquet` with `id`,
`edges.parquet` with `src` and `dst`), on any file system Spark reads (a local folder, HDFS,
S3). The master, memory and partitioning come from spark-submit, never from this file, so the
same job runs in local mode and on a cluster.

PageRank is the engine's (`CALL algo.pageRank()`, src/algo/centrality.rs): networkx's
formulation over the directed multigraph, damping 0.85, every node starting at 1/N, a parallel
relationship counted once per relationship (a self-loop included), the score of nodes without
outgoing relationships spread evenly over all nodes, and rounds until the scores move by less
than 1e-10 in all (L1), at most 200. Ties are broken by the nodes' order in nodes.parquet,
which is the engine's node order.

The 2-hop count of a source is the engine's `hop2` workload (src/bench.rs): how many distinct
nodes lie within two hops of it, either way along relationships, the source left out; the
same as `MATCH (s {id: $a}) OPTIONAL MATCH (s)-[*1..2]-(x) WHERE x <> s RETURN
count(DISTINCT x)`. The sources are the first column of the benchmark's queries.txt (`--sources`,
read by Spark, so it may sit beside the Parquet files), or none.

Each PageRank round prints its change on standard error (which spark-submit's Python driver
merges into standard output). The answer is one JSON object, the last line printed, also
written to `--output` (a file on the driver) when given: `pagerank` (`top` as [id, score]
pairs, `rounds`, `change`, `seconds`), `hop2` (`answers` in the sources' order, `seconds`),
and the graph's size.
"""

import argparse
import json
import sys
import time

from pyspark import StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

DAMPING = 0.85
TOLERANCE = 1e-10
MAX_ROUNDS = 200


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("parquet", help="the folder alliances export parquet wrote")
    p.add_argument("--sources", help="queries.txt: the 2-hop sources, one id first on a line")
    p.add_argument("--output", help="also write the JSON answer to this file on the driver")
    p.add_argument("--top", type=int, default=10, help="how many PageRank leaders (default 10)")
    p.add_argument("--damping", type=float, default=DAMPING)
    p.add_argument("--tolerance", type=float, default=TOLERANCE)
    p.add_argument("--max-rounds", type=int, default=MAX_ROUNDS)
    return p.parse_args(argv)


def load(spark, folder):
    """Nodes as (i, id), i increasing in file order; relationships as (s, d) over i."""
    folder = folder.rstrip("/")
    nodes = (
        spark.read.parquet(f"{folder}/nodes.parquet")
        .select("id")
        .withColumn("i", F.monotonically_increasing_id())
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    edges = spark.read.parquet(f"{folder}/edges.parquet").select("src", "dst")
    ends = (
        edges.join(nodes.select(F.col("id").alias("src"), F.col("i").alias("s")), "src")
        .join(nodes.select(F.col("id").alias("dst"), F.col("i").alias("d")), "dst")
        .select("s", "d")
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    return nodes, ends


def pagerank(spark, nodes, ends, damping, tolerance, max_rounds):
    """Every node's score, as the engine computes it; with the rounds run and the last change."""
    n = nodes.count()
    shuffle = int(spark.conf.get("spark.sql.shuffle.partitions"))
    # Each relationship carries its share of its source's score: damping / out-degree. A
    # parallel relationship is a second share, as in the engine's multigraph; links between
    # the same two nodes are added up first, so a round joins one row per linked pair.
    out_degree = ends.groupBy("s").agg(F.count(F.lit(1)).alias("out"))
    links = (
        ends.groupBy("s", "d")
        .agg(F.count(F.lit(1)).alias("times"))
        .join(out_degree, "s")
        .select("s", "d", (F.lit(damping) * F.col("times") / F.col("out")).alias("w"))
        .repartition(shuffle, "s")
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    links.count()
    state = (
        nodes.select("i")
        .join(out_degree.select(F.col("s").alias("i"), F.lit(False).alias("dangling")), "i", "left")
        .select(
            "i",
            F.coalesce("dangling", F.lit(True)).alias("dangling"),
            F.lit(1.0 / n).alias("r"),
        )
        .repartition(shuffle, "i")
        .localCheckpoint()
    )
    dangling = state.where("dangling").agg(F.sum("r")).first()[0] or 0.0
    rounds, change = 0, float("inf")
    while rounds < max_rounds:
        base = (1.0 - damping) / n + damping * dangling / n
        incoming = (
            links.join(state.select(F.col("i").alias("s"), "r"), "s")
            .groupBy("d")
            .agg(F.sum(F.col("w") * F.col("r")).alias("incoming"))
        )
        step = (
            state.join(incoming.withColumnRenamed("d", "i"), "i", "left")
            .select(
                "i",
                "dangling",
                F.col("r").alias("before"),
                (F.lit(base) + F.coalesce("incoming", F.lit(0.0))).alias("r"),
            )
            .localCheckpoint()
        )
        totals = step.agg(
            F.sum(F.abs(F.col("r") - F.col("before"))).alias("change"),
            F.sum(F.when(F.col("dangling"), F.col("r")).otherwise(0.0)).alias("dangling"),
        ).first()
        state = step.select("i", "dangling", "r")
        rounds += 1
        change, dangling = totals["change"], totals["dangling"] or 0.0
        print(f"pagerank round {rounds}: change {change:.3e}", file=sys.stderr, flush=True)
        if change < tolerance:
            break
    links.unpersist()
    return state.select("i", "r"), rounds, change


def two_hop_counts(spark, ends, nodes, sources):
    """For each source id, the distinct nodes within two hops either way, itself left out."""
    if not sources:
        return []
    wanted = spark.createDataFrame(list(enumerate(sources)), "k long, id string").join(
        nodes, "id"
    )
    either = ends.select("s", "d").union(ends.select(F.col("d").alias("s"), F.col("s").alias("d")))
    first = wanted.join(either, wanted.i == either.s).select("k", "i", F.col("d").alias("x"))
    second = first.join(either, first.x == either.s).select("k", "i", F.col("d").alias("x"))
    counts = (
        first.union(second)
        .where(F.col("x") != F.col("i"))
        .groupBy("k")
        .agg(F.countDistinct("x").alias("n"))
        .collect()
    )
    found = {row["k"]: row["n"] for row in counts}
    known = {row["k"] for row in wanted.select("k").collect()}
    missing = [s for k, s in enumerate(sources) if k not in known]
    if missing:
        raise SystemExit(f"the sources name nodes the graph does not have: {missing[:5]}")
    return [found.get(k, 0) for k in range(len(sources))]


def read_sources(spark, path):
    if not path:
        return []
    lines = [row.value for row in spark.read.text(path).collect()]
    return [l.split()[0] for l in lines if l.split() and not l.startswith("#")]


def main(argv):
    args = parse_args(argv)
    spark = SparkSession.builder.appName("alliances-pagerank-hop2").getOrCreate()
    started = time.monotonic()
    nodes, ends = load(spark, args.parquet)
    n, m = nodes.count(), ends.count()
    load_seconds = time.monotonic() - started
    sources = read_sources(spark, args.sources)

    started = time.monotonic()
    hop2 = two_hop_counts(spark, ends, nodes, sources)
    hop2_seconds = time.monotonic() - started

    started = time.monotonic()
    scores, rounds, change = pagerank(
        spark, nodes, ends, args.damping, args.tolerance, args.max_rounds
    )
    top = (
        scores.join(nodes, "i")
        .orderBy(F.col("r").desc(), F.col("i").asc())
        .limit(args.top)
        .collect()
    )
    pagerank_seconds = time.monotonic() - started

    answer = {
        "master": spark.sparkContext.master,
        "spark": spark.version,
        "nodes": n,
        "edges": m,
        "load_seconds": round(load_seconds, 3),
        "pagerank": {
            "top": [[row["id"], row["r"]] for row in top],
            "rounds": rounds,
            "change": change,
            "params": f"damping={args.damping}, L1 tolerance {args.tolerance}, "
            f"at most {args.max_rounds} rounds",
            "seconds": round(pagerank_seconds, 3),
        },
        "hop2": {"sources": sources, "answers": hop2, "seconds": round(hop2_seconds, 3)},
    }
    text = json.dumps(answer)
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text + "\n")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
