#!/usr/bin/env bash
# Importing a large BODS 0.4 file, and importing it again into the result (every record then
# merges with one already there): seconds and peak memory of each.
# Usage: benches/bods_import.sh [BINARY] [PARTIES] [RELATIONSHIPS] [DIR]
# PARTIES entity and person records (three in five entities; one entity name in six is another
# entity's too, told apart by its register number), RELATIONSHIPS shareholding or voting-rights
# records between them. The generated file and graphs stay in DIR when it is given.
set -euo pipefail
bin="${1:-target/release/alliances}"
parties="${2:-100000}"
relationships="${3:-200000}"
if [[ -n "${4:-}" ]]; then
  dir="$4"
  mkdir -p "$dir"
else
  dir="$(mktemp -d)"
  trap 'rm -rf "$dir"' EXIT
fi
python3 - "$parties" "$relationships" "$dir/big.json" <<'PY'
import json, random, sys

parties, relationships, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(17)
publication = {"publicationDate": "2024-01-31", "bodsVersion": "0.4",
               "publisher": {"name": "Generated Register"}}

def statement(n, record, kind, details):
    return {"statementId": f"st-{n}", "statementDate": "2024-01-01", "recordId": record,
            "recordType": kind, "recordStatus": "new", "publicationDetails": publication,
            "recordDetails": details}

entities = parties * 3 // 5
out = open(path, "w")
out.write("[\n")
n = 0
def emit(s):
    global n
    out.write(("" if n == 0 else ",\n") + json.dumps(s, separators=(",", ":")))
    n += 1
for i in range(entities):
    emit(statement(n, f"ent-{i}", "entity", {
        "isComponent": False, "entityType": {"type": "registeredEntity"},
        "name": f"Firm {i % (entities * 5 // 6 or 1)} Ltd",
        "jurisdiction": {"name": "United Kingdom", "code": "GB"},
        "identifiers": [{"scheme": "GB-COH", "id": f"{i:08d}"}]}))
for i in range(parties - entities):
    emit(statement(n, f"per-{i}", "person", {
        "isComponent": False, "personType": "knownPerson",
        "names": [{"type": "legal", "fullName": f"Person {i}"}]}))
for i in range(relationships):
    subject = rng.randrange(entities)
    if rng.random() < 0.5:
        party = f"per-{rng.randrange(parties - entities)}"
    else:
        other = rng.randrange(entities - 1)
        party = f"ent-{other + (other >= subject)}"
    interest = {"type": "shareholding", "directOrIndirect": "direct",
                "share": {"exact": rng.randrange(1, 100)},
                "startDate": f"{rng.randrange(1990, 2024)}-01-01"}
    if rng.random() < 0.2:
        interest = {"type": "votingRights", "directOrIndirect": "direct",
                    "startDate": interest["startDate"]}
    emit(statement(n, f"rel-{i}", "relationship", {
        "isComponent": False, "subject": f"ent-{subject}", "interestedParty": party,
        "interests": [interest]}))
out.write("\n]\n")
PY
echo "generated $(du -h "$dir/big.json" | cut -f1) with $parties parties and $relationships relationships"
timed() {
  /usr/bin/time -f "%e s %M KB" -o "$dir/time" "$@" > "$dir/out" 2> "$dir/err" || {
    cat "$dir/err"
    exit 1
  }
  head -3 "$dir/out"
  echo "  -> $(cat "$dir/time")"
}
echo "first import:"
timed "$bin" import bods "$dir/big.json" -o "$dir/big.toml" --accept-losses
echo "second import, into the first's graph:"
timed "$bin" import bods "$dir/big.json" --data "$dir/big.toml" -o "$dir/big2.toml" --accept-losses
if cmp -s "$dir/big.toml" "$dir/big2.toml"; then
  echo "the second import changed nothing"
else
  echo "the second import changed the graph" >&2
  exit 1
fi
