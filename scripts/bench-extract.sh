#!/usr/bin/env bash
# Extraction benchmark: `harava extract` (on every core, and with --jobs 1) over a
# generated wget-style mirror of PAGES pages against a parse-only pass over the
# same files, each under GNU time -v.
#
# Usage: scripts/bench-extract.sh [PAGES]        (default 10000)
#
# The mirror is examples/bench_site.rs's synthetic copy of the sample site (PAGES/10
# listing pages of nine meetings, one detail page each), written to disk. The
# parse-only pass (examples/parse_only.rs) reads every file (one read of its
# size, as harava does) and parses it with html5ever into scraper's tree, as
# harava does, with harava's allocator (mimalloc), and selects nothing: the ratio
# of the two CPU times is what harava's reading, decoding, selecting, pairing and
# writing cost on top of parsing (the aim: at most 1.1), and the peak RSS shows
# what harava holds (the aim: under 40 MiB whatever the number of files).
# A third pass, parse and select (examples/parse_select.rs), also reads the
# profile's fields with scraper's own select and keeps their text, and builds no
# record: what the plain way of reading the fields costs, without harava's index.
#
# A manual benchmark, not for CI: it builds in release mode and wants an otherwise
# idle machine. It installs GNU time with apt-get if it is missing. The mirror,
# the records and the GNU time reports stay in a temporary directory named at the end.
set -euo pipefail

cd "$(dirname "$0")/.."

source scripts/bench-lib.sh
bench_pages "$@"
ensure_gnu_time

echo "building harava, the benchmark site and the parse-only and parse-and-select passes" >&2
cargo build --release --quiet --bin harava --example bench_site --example parse_only \
    --example parse_select

work=$(mktemp -d "${TMPDIR:-/tmp}/harava-bench-extract.XXXXXX")
echo "writing a mirror of $pages pages" >&2
target/release/examples/bench_site --mirror "$work/mirror" "$pages" 2> "$work/site.log"

echo "harava extract" >&2
/usr/bin/time -v -o "$work/extract.time" \
    target/release/harava extract -o "$work/records.jsonl" "$work/mirror" 2> "$work/extract.log"
records=$(wc -l < "$work/records.jsonl")
expected=$((pages / 10 * 9))
if [ "$records" -ne "$expected" ]; then
    echo "expected $expected records, got $records; see $work" >&2
    exit 1
fi

echo "harava extract --jobs 1" >&2
/usr/bin/time -v -o "$work/extract-1.time" \
    target/release/harava extract --jobs 1 -o "$work/records-1.jsonl" "$work/mirror" 2> "$work/extract-1.log"
if ! cmp -s "$work/records.jsonl" "$work/records-1.jsonl"; then
    echo "--jobs 1 wrote other records than every core; see $work" >&2
    exit 1
fi

echo "parse only" >&2
/usr/bin/time -v -o "$work/parse.time" \
    target/release/examples/parse_only "$work/mirror" > "$work/parse.out" 2> "$work/parse.log"
parsed=$(cat "$work/parse.out")

echo "parse and select" >&2
/usr/bin/time -v -o "$work/select.time" \
    target/release/examples/parse_select "$work/mirror" > "$work/select.out" 2> "$work/select.log"
read -r selected values < "$work/select.out"
if [ "$selected" -ne "$parsed" ] || [ "$values" -eq 0 ]; then
    echo "parse and select read $selected pages and kept $values values (expected $parsed pages, some values); see $work" >&2
    exit 1
fi

read -r e_wall e_cpu e_rss <<< "$(time_figures "$work/extract.time")"
read -r o_wall o_cpu o_rss <<< "$(time_figures "$work/extract-1.time")"
read -r p_wall p_cpu p_rss <<< "$(time_figures "$work/parse.time")"
read -r s_wall s_cpu s_rss <<< "$(time_figures "$work/select.time")"

echo
echo "harava $(target/release/harava --version | awk '{ print $2 }');" \
    "$(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo
awk -v pages="$pages" -v records="$records" -v parsed="$parsed" \
    -v e_wall="$e_wall" -v e_cpu="$e_cpu" -v e_rss="$e_rss" \
    -v o_wall="$o_wall" -v o_cpu="$o_cpu" -v o_rss="$o_rss" \
    -v p_wall="$p_wall" -v p_cpu="$p_cpu" -v p_rss="$p_rss" \
    -v s_wall="$s_wall" -v s_cpu="$s_cpu" -v s_rss="$s_rss" '
    BEGIN {
        print "| pass | pages | records | wall s | CPU s | peak RSS MiB |"
        print "| --- | ---: | ---: | ---: | ---: | ---: |"
        printf "| harava extract (every core) | %d | %d | %.2f | %.2f | %.1f |\n", pages, records, e_wall, e_cpu, e_rss / 1024
        printf "| harava extract --jobs 1 | %d | %d | %.2f | %.2f | %.1f |\n", pages, records, o_wall, o_cpu, o_rss / 1024
        printf "| parse only (html5ever) | %d | | %.2f | %.2f | %.1f |\n", parsed, p_wall, p_cpu, p_rss / 1024
        printf "| parse and select (scraper) | %d | | %.2f | %.2f | %.1f |\n", parsed, s_wall, s_cpu, s_rss / 1024
        print ""
        printf "CPU: harava extract / parse only = %.2f on every core, %.2f with --jobs 1 (the aim: at most 1.1)\n", e_cpu / p_cpu, o_cpu / p_cpu
        printf "CPU: parse and select / parse only = %.2f (reading the fields with scraper alone)\n", s_cpu / p_cpu
        printf "peak RSS: harava extract / parse only = %.2f; harava extract %.1f MiB (the aim: under 40)\n", e_rss / p_rss, e_rss / 1024
    }'
echo
echo "mirror, records, logs and GNU time reports: $work"
