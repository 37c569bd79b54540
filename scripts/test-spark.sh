#!/usr/bin/env bash
# Check scripts/spark-extract.py in Spark's local mode: a dozen WARC shards extracted one
# Spark task per file must give exactly the records of one `harava extract` over the same
# files (compared sorted by id, byte for byte).
#
# Usage: scripts/test-spark.sh
#
# The shards come from one crawl of the synthetic site (examples/bench_site.rs, 120 pages:
# 12 listing pages of 9 meetings each) with --warc, cut into 12 files, each holding one
# listing page, its 9 detail pages and their requests (robots.txt goes with the first):
# the gzip members are copied byte for byte, so every shard is a valid WARC as harava
# wrote it. Each listing and its detail pages share a shard, since extract pairs them.
#
# Needs a Java runtime (java 17: apt-get install openjdk-17-jre-headless) and python3
# with venv; PySpark comes from PyPI into target/py/pyspark. When they cannot be had it
# prints SKIPPED and exits 0. Too heavy for .ci/run: run it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
    echo "SKIPPED: $*" >&2
    exit 0
}

if ! command -v java > /dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null 2>&1; then
        apt-get update > /dev/null && apt-get install -y --no-install-recommends openjdk-17-jre-headless > /dev/null ||
            skip "no Java runtime and apt-get could not install openjdk-17-jre-headless"
    else
        skip "no Java runtime; install one (apt-get install openjdk-17-jre-headless)"
    fi
fi
python3 -c 'import ensurepip, venv' 2> /dev/null || skip "python3 with venv is missing (apt-get install python3-venv)"

target="${CARGO_TARGET_DIR:-target}"
venv="$target/py/pyspark"
if ! "$venv/bin/python" -c 'import pyspark' 2> /dev/null; then
    echo "installing pyspark into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check pyspark ||
        skip "pip could not install pyspark"
fi

echo "building harava and the benchmark site" >&2
cargo build --quiet --bin harava --example bench_site
harava="$(pwd)/$target/debug/harava"

work=$(mktemp -d "${TMPDIR:-/tmp}/harava-spark.XXXXXX")
source scripts/bench-lib.sh
trap stop_bench_site EXIT
bench_site="$target/debug/examples/bench_site"
start_bench_site 120 "$work"

"$harava" crawl --quiet --rate 0 --warc "$work/site.warc.gz" -o "$work/crawl.jsonl" \
    "http://127.0.0.1:$port/kuntajohtajakokous/"
stop_bench_site

mkdir "$work/shards"
python3 - "$work/site.warc.gz" "$work/shards" << 'EOF'
import re, sys, zlib

source, out = sys.argv[1], sys.argv[2]
data = open(source, "rb").read()
members = []  # (raw gzip member, decompressed record)
while data:
    d = zlib.decompressobj(wbits=31)
    record = d.decompress(data)
    raw = data[: len(data) - len(d.unused_data)]
    members.append((raw, record))
    data = d.unused_data

def header(record, name):
    m = re.search(rb"\r\n" + name + rb": ([^\r]*)\r\n", record)
    return m.group(1).decode() if m else None

listing = re.compile(r"/kuntajohtajakokous/(page/(\d+)/)?$")
shard_of_path = {}
for raw, record in members:
    url = header(record, b"WARC-Target-URI")
    if header(record, b"WARC-Type") == "response" and url and listing.search(url):
        number = int(listing.search(url).group(2) or 1)
        shard_of_path[url.split("/", 3)[3]] = number
        for link in re.findall(rb'href="[^"]*?(/muistiot/[^"]+)"', record):
            shard_of_path[link.decode().lstrip("/")] = number

shards = {}
warcinfo = None
last = 1
for raw, record in members:
    kind = header(record, b"WARC-Type")
    if kind == "warcinfo":
        warcinfo = raw
        continue
    url = header(record, b"WARC-Target-URI")
    # A request follows its response, so it goes where the response went.
    number = shard_of_path.get(url.split("/", 3)[3], last) if kind == "response" else last
    last = number
    shards.setdefault(number, []).append(raw)

for number, raws in sorted(shards.items()):
    with open(f"{out}/shard-{number:02}.warc.gz", "wb") as f:
        f.write(warcinfo + b"".join(raws))
print(f"{len(shards)} shards", file=sys.stderr)
EOF
ls "$work"/shards/*.warc.gz > "$work/paths.txt"
shards=$(wc -l < "$work/paths.txt")
[ "$shards" -eq 12 ] || { echo "expected 12 shards, made $shards; see $work" >&2; exit 1; }

# The reference: one harava over all the shards.
xargs "$harava" extract --quiet -o "$work/single.jsonl" < "$work/paths.txt"

echo "running scripts/spark-extract.py in local mode over $shards shards" >&2
PYSPARK_PYTHON="$venv/bin/python" "$venv/bin/spark-submit" --master 'local[2]' \
    --conf spark.ui.enabled=false --conf spark.driver.host=127.0.0.1 \
    --conf spark.driver.bindAddress=127.0.0.1 \
    scripts/spark-extract.py --harava "$harava" "$work/paths.txt" "$work/spark-out" \
    > "$work/spark.log" 2>&1 || { echo "spark-submit failed; see $work/spark.log" >&2; exit 1; }

partitions=$(ls "$work/spark-out"/part-* | wc -l)
by_id() { python3 -c '
import json, sys
lines = [l for l in sys.stdin.read().splitlines() if l]
lines.sort(key=lambda l: json.loads(l)["id"])
sys.stdout.write("".join(l + "\n" for l in lines))'; }
cat "$work/spark-out"/part-* | by_id > "$work/spark.sorted"
by_id < "$work/single.jsonl" > "$work/single.sorted"
records=$(wc -l < "$work/single.sorted")
[ "$records" -eq 108 ] || { echo "expected 108 records from one extract, got $records; see $work" >&2; exit 1; }
if cmp -s "$work/spark.sorted" "$work/single.sorted"; then
    echo "OK: Spark ($partitions partitions from $shards WARC shards) and one harava extract give the same $records records, byte for byte (sorted by id)"
    rm -rf "$work"
else
    echo "FAILED: Spark's records differ from one harava extract's; see $work (spark.sorted, single.sorted)" >&2
    exit 1
fi
