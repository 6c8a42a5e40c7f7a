#!/usr/bin/env bash
# The engine's PageRank top ten and 2-hop counts against the same answers from Spark, on one
# generated graph: exports it to Parquet, asks the engine through `alliances query`, runs
# benches/spark/pagerank_hop2.py with spark-submit, prints both answers and the times, and
# exits 1 when they differ. Run by hand (minutes at 1M nodes); not part of CI.
# Usage: benches/spark.sh [DATA] [WORK]
# DATA holds the generator's nodes.csv, edges.csv and queries.txt (default /tmp/bg/1M); the
# Parquet files and both answers stay in WORK (default target/scale/NAME, NAME being DATA's).
# Environment: ALLIANCES (the binary, default target/release/alliances), SPARK_MASTER (default
# local[*]), SPARK_DRIVER_MEMORY (default 8g), SPARK_OPTIONS (more spark-submit options;
# default --conf spark.sql.shuffle.partitions=8, for one machine),
# SPARK_VENV (default target/spark-venv: without spark-submit on PATH, PySpark is installed
# there, pinned, on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-/tmp/bg/1M}"
work="${2:-target/scale/$(basename "$data")}"
bin="${ALLIANCES:-target/release/alliances}"
master="${SPARK_MASTER:-local[*]}"
venv="${SPARK_VENV:-target/spark-venv}"
pyspark_version=3.5.9
mkdir -p "$work"

if command -v spark-submit >/dev/null; then
  submit=spark-submit
else
  if [[ ! -x "$venv/bin/spark-submit" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "pyspark==$pyspark_version"
  fi
  # spark-submit finds PySpark, and its workers their Python, through the venv's python3.
  export PATH="$PWD/$venv/bin:$PATH"
  submit=spark-submit
fi

seconds() { python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$1"; }

echo "export: $bin export parquet -o $work/pq"
started=$(date +%s.%N)
"$bin" export parquet -o "$work/pq" --nodes "$data/nodes.csv" --edges "$data/edges.csv"
export_s=$(seconds "$started")

# The sources of the 2-hop counts are the first column of queries.txt, as for `alliances bench`:
# one statement each, so that each starts from the id index.
{
  echo "CALL algo.pageRank() YIELD node, score RETURN node.id AS id, score LIMIT 10;"
  awk '!/^#/ && NF {
    printf "MATCH (s {id: \047%s\047}) OPTIONAL MATCH (s)-[*1..2]-(x) WHERE x <> s", $1
    print " RETURN count(DISTINCT x) AS hop2;"
  }' "$data/queries.txt"
} >"$work/engine.cypher"
echo "engine: $bin query --file $work/engine.cypher (algo.pageRank, then the 2-hop counts)"
started=$(date +%s.%N)
"$bin" query --timing --format json --nodes "$data/nodes.csv" --edges "$data/edges.csv" \
  --file "$work/engine.cypher" >"$work/engine.json" 2>"$work/engine.log"
engine_s=$(seconds "$started")
grep -v '^statement' "$work/engine.log"

echo "spark: $submit --master $master benches/spark/pagerank_hop2.py $work/pq"
started=$(date +%s.%N)
# shellcheck disable=SC2086 # SPARK_OPTIONS is a list of options
"$submit" --master "$master" --driver-memory "${SPARK_DRIVER_MEMORY:-8g}" \
  --conf spark.ui.enabled=false --conf spark.log.level=WARN \
  ${SPARK_OPTIONS:---conf spark.sql.shuffle.partitions=8} \
  benches/spark/pagerank_hop2.py "$work/pq" --sources "$data/queries.txt" \
  --output "$work/spark.json" 2>"$work/spark.log" | tee "$work/spark.out" |
  grep --line-buffered '^pagerank round' || {
  tail -20 "$work/spark.log" "$work/spark.out"
  exit 2
}
spark_s=$(seconds "$started")

python3 - "$work" "$export_s" "$engine_s" "$spark_s" <<'PY'
import json, re, sys

work, export_s, engine_s, spark_s = sys.argv[1], *map(float, sys.argv[2:])
# Both stop once the scores move by less than 1e-10 in all (L1), which leaves each within
# 1e-10 * 0.85 / 0.15 (5.7e-10) of the fixed point: two right answers differ by less than
# 1.2e-9 in any score.
TOLERANCE = 2e-9
lines = open(f"{work}/engine.json").read().splitlines()
engine_top = json.loads(lines[0])["rows"]
engine_hop2 = [json.loads(line)["rows"][0][0] for line in lines[1:]]
log = open(f"{work}/engine.log").read()
times = [float(t) / 1000 for t in re.findall(r"rows? in ([0-9.]+) ms", log)]
load = re.search(r"relationships in ([0-9.]+) s", log)
spark = json.load(open(f"{work}/spark.json"))
spark_top = spark["pagerank"]["top"]
spark_hop2 = spark["hop2"]["answers"]

print(f"\n{spark['nodes']:,} nodes, {spark['edges']:,} relationships")
print(f"{'rank':>4}  {'engine id':<10} {'engine score':<22} {'spark id':<10} "
      f"{'spark score':<22} difference")
worst = 0.0
for k, ((ei, es), (si, ss)) in enumerate(zip(engine_top, spark_top), 1):
    worst = max(worst, abs(es - ss))
    print(f"{k:>4}  {ei:<10} {es:<22.17g} {si:<10} {ss:<22.17g} {abs(es - ss):.1e}")
same_ids = [i for i, _ in engine_top] == [i for i, _ in spark_top]
close = len(engine_top) == len(spark_top) and worst <= TOLERANCE
same_hop2 = engine_hop2 == spark_hop2
sources = spark["hop2"]["sources"]
differ = [(s, e, p) for s, e, p in zip(sources, engine_hop2, spark_hop2) if e != p]
print(f"2-hop counts of {len(engine_hop2)} sources: engine {engine_hop2[:8]}..., "
      f"spark {spark_hop2[:8]}..., sum {sum(engine_hop2):,} and {sum(spark_hop2):,}")
print(f"PageRank: top-ten ids {'the same, in the same order' if same_ids else 'DIFFER'}; "
      f"largest score difference {worst:.1e}, {'within' if close else 'BEYOND'} "
      f"the tolerance {TOLERANCE:.0e}; "
      f"Spark ran {spark['pagerank']['rounds']} rounds "
      f"(last change {spark['pagerank']['change']:.1e})")
print(f"2-hop counts: {'identical' if same_hop2 else 'DIFFER: ' + str(differ[:5])}")
print(f"\ntimes (s): export {export_s}; engine {engine_s} in all "
      f"(load {load.group(1) if load else '?'}, PageRank {times[0]:.3f}, 2-hop {sum(times[1:]):.4f}); "
      f"spark {spark_s} in all on {spark['master']} (read and index {spark['load_seconds']}, "
      f"PageRank {spark['pagerank']['seconds']}, 2-hop {spark['hop2']['seconds']})")
sys.exit(0 if same_ids and close and same_hop2 else 1)
PY
