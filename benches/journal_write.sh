#!/usr/bin/env bash
# Statements per second through a database's journal, synced and with --no-sync.
# Usage: benches/journal_write.sh [BINARY] [STATEMENTS]
# Each statement creates a company, sets a property on an earlier one, or deletes one, so the
# journal records creates, sets and deletes; automatic folds run at the default size.
set -euo pipefail
bin="${1:-target/release/alliances}"
n="${2:-5000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
script="$dir/script.cypher"
for ((i = 0; i < n; i++)); do
  case $((i % 4)) in
    3) echo "MATCH (n:Company {id: 'c-$((i - 2))'}) DETACH DELETE n;" ;;
    2) echo "MATCH (n:Company {id: 'c-$((i - 1))'}) SET n.sector = 's$i';" ;;
    *) echo "CREATE (:Company {id: 'c-$i', name: 'Company $i'});" ;;
  esac
done > "$script"
for mode in sync no-sync; do
  db="$dir/$mode.toml"
  flags=()
  [[ $mode == no-sync ]] && flags=(--no-sync)
  "$bin" --db "$db" --from-default "${flags[@]}" < /dev/null > /dev/null 2>&1
  start=$(date +%s.%N)
  "$bin" --db "$db" "${flags[@]}" < "$script" > /dev/null
  end=$(date +%s.%N)
  awk -v m="$mode" -v n="$n" -v s="$start" -v e="$end" \
    'BEGIN { printf "%s: %d statements in %.2f s, %.0f statements/s\n", m, n, e - s, n / (e - s) }'
done
