#!/usr/bin/env bash
# Nightly-harvest benchmark: what a scheduled `crawl --state` costs the site when
# nothing changed, against the first (full) run that filled the state.
#
# Usage: scripts/bench-nightly.sh [PAGES]          (default 10000)
#
# The synthetic site (examples/bench_site) answers with strong ETags and 304 Not
# Modified, as a well-configured server does, and counts the requests, bytes and
# 304s it served. Three runs of the same command share one state database:
#   full     the first run: every page fetched, every meeting new;
#   nightly  the next night, nothing changed: robots.txt and the first listing
#            page (answered 304), where paging stops at known meetings;
#   --full   the same with --full: every page asked for again, conditionally.
# The goal for the nightly run is at most 1 % of the full run's requests.
#
# A manual benchmark, not for CI: it builds the release profile and wants an
# otherwise idle machine. It installs GNU time with apt-get if it is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/bench-lib.sh

bench_pages "$@"
ensure_gnu_time

echo "building harava and the benchmark site" >&2
cargo build --release --quiet --bin harava --example bench_site

work=$(mktemp -d "${TMPDIR:-/tmp}/harava-nightly.XXXXXX")
trap stop_bench_site EXIT
start_bench_site "$pages" "$work"
url="http://127.0.0.1:$port/kuntajohtajakokous/"

# The site's own count of what it served so far: "requests bytes not_modified".
served() {
    curl -s "http://127.0.0.1:$port/__bench/stats" |
        sed -E 's/.*"requests": ([0-9]+), "bytes": ([0-9]+), "not_modified": ([0-9]+).*/\1 \2 \3/'
}

rows=()
# Runs one crawl against the shared state; adds "name requests bytes 304s records cpu rss_kib".
run() {
    local name=$1
    shift
    read -r requests_before bytes_before not_modified_before <<< "$(served)"
    /usr/bin/time -v -o "$work/$name.time" target/release/harava crawl --state "$work/harava.state" \
        --rate 0 --concurrency 16 --stats "$work/$name.stats.json" -o "$work/$name.jsonl" "$@" "$url" \
        2> "$work/$name.log"
    read -r requests bytes not_modified <<< "$(served)"
    local records wall cpu rss
    records=$(wc -l < "$work/$name.jsonl")
    read -r wall cpu rss <<< "$(time_figures "$work/$name.time")"
    rows+=("$name $((requests - requests_before)) $((bytes - bytes_before)) $((not_modified - not_modified_before)) $records $cpu $rss")
}

echo "full run: $pages pages" >&2
run full
echo "nightly run, nothing changed" >&2
run nightly
echo "nightly run with --full" >&2
run full-again --full

echo
echo "harava $(target/release/harava --version | awk '{ print $2 }'); $pages-page site;" \
    "$(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo
printf '%s\n' "${rows[@]}" | awk '
    BEGIN {
        print "| run | requests | bytes served | answered 304 | records written | CPU s | peak RSS MiB | requests vs full |"
        print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    }
    {
        if (NR == 1) full = $2
        printf "| %s | %d | %d | %d | %d | %.2f | %.1f | %.2f %% |\n", $1, $2, $3, $4, $5, $6, $7 / 1024, 100 * $2 / full
    }
'
echo
du -h "$work/harava.state" | awk '{ print "state database: " $1 }'
echo "outputs, stats and logs: $work"
