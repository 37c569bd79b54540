#!/usr/bin/env bash
# WARC and WACZ benchmark on the synthetic site (examples/bench_site.rs), served on loopback:
#
# 1. the CPU time (user + sys) of a crawl with --warc against the same crawl with --wacz
#    (which writes the WARC, then indexes it and packs the WACZ): the aim is at most 10 %
#    more;
# 2. `harava extract` over the WARC of that crawl: MB/s (of the .warc.gz as stored, and of
#    the WARC uncompressed), records/s and peak memory.
#
# Usage: scripts/bench-wacz.sh [PAGES]   (default 10000; BENCH_RUNS=3 crawls each way)
#
# A manual benchmark, not for CI: it builds a release binary, takes a few minutes and wants
# an otherwise idle machine. Each crawl runs BENCH_RUNS times and the fastest (least CPU)
# counts, since the noise of a shared machine only ever adds time. GNU time must be there
# (apt-get install time). The files stay in a temporary directory named at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh

bench_pages "$@"
runs=${BENCH_RUNS:-3}
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
    echo "BENCH_RUNS must be a whole number >= 1" >&2
    exit 2
fi
ensure_gnu_time

echo "building harava and the benchmark site (release)" >&2
cargo build --release --quiet --bin harava --example bench_site
harava=target/release/harava

work=$(mktemp -d "${TMPDIR:-/tmp}/harava-bench-wacz.XXXXXX")
trap stop_bench_site EXIT
start_bench_site "$pages" "$work"
url="http://127.0.0.1:$port/kuntajohtajakokous/"
expected=$((pages / 10 * 9))

# One crawl writing a WARC (kind warc) or a WACZ (kind wacz); prints its CPU seconds.
crawl() {
    local kind=$1 run=$2
    local out="$work/$kind-$run"
    local flag=(--warc "$out.warc.gz")
    [ "$kind" = warc ] || flag=(--wacz "$out.wacz")
    /usr/bin/time -v -o "$out.time" "$harava" crawl --quiet --rate 0 --concurrency 16 \
        "${flag[@]}" -o "$out.jsonl" "$url"
    local records
    records=$(wc -l < "$out.jsonl")
    if [ "$records" -ne "$expected" ]; then
        echo "expected $expected records, the $kind crawl wrote $records; see $work" >&2
        exit 1
    fi
    time_figures "$out.time" | awk '{ print $2 }'
}

least() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }

# The two kinds alternate, so that drift in the machine's load hits both alike.
warc_cpu=
wacz_cpu=
for run in $(seq "$runs"); do
    cpu=$(crawl warc "$run")
    echo "crawl $run with --warc: $cpu CPU s" >&2
    warc_cpu=$(least "$cpu" "$warc_cpu")
    cpu=$(crawl wacz "$run")
    echo "crawl $run with --wacz: $cpu CPU s" >&2
    wacz_cpu=$(least "$cpu" "$wacz_cpu")
done
stop_bench_site

warc="$work/warc-1.warc.gz"
/usr/bin/time -v -o "$work/extract.time" "$harava" extract --quiet -o "$work/extract.jsonl" "$warc"
read -r extract_wall extract_cpu extract_rss <<< "$(time_figures "$work/extract.time")"
records=$(wc -l < "$work/extract.jsonl")
[ "$records" -eq "$expected" ] || { echo "extract wrote $records records, expected $expected; see $work" >&2; exit 1; }
stored=$(stat -c %s "$warc")
raw=$(gzip -dc "$warc" | wc -c)
wacz=$(stat -c %s "$work/wacz-1.wacz")

echo
echo "harava $("$harava" --version | awk '{ print $2 }'); $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); $pages pages, best of $runs crawls each"
echo
awk -v warc="$warc_cpu" -v wacz="$wacz_cpu" -v size="$wacz" 'BEGIN {
    print "| crawl | CPU s (user+sys) |"
    print "| --- | ---: |"
    printf "| --warc | %.2f |\n", warc
    printf "| --wacz | %.2f |\n", wacz
    printf "\nWACZ overhead: %+.1f %% CPU (aim: at most +10 %%); the WACZ is %.1f MB\n", (wacz / warc - 1) * 100, size / 1e6
}'
echo
awk -v wall="$extract_wall" -v cpu="$extract_cpu" -v rss="$extract_rss" -v records="$records" \
    -v stored="$stored" -v raw="$raw" 'BEGIN {
    printf "harava extract of the WARC (%.1f MB stored, %.1f MB uncompressed, %d records):\n\n", stored / 1e6, raw / 1e6, records
    print "| wall s | CPU s | MB/s stored | MB/s uncompressed | records/s | peak RSS MiB |"
    print "| ---: | ---: | ---: | ---: | ---: | ---: |"
    printf "| %.2f | %.2f | %.1f | %.1f | %.0f | %.1f |\n", wall, cpu, stored / 1e6 / wall, raw / 1e6 / wall, records / wall, rss / 1024
}'
echo
echo "files and GNU time reports: $work"
