#!/usr/bin/env bash
# Crawl benchmark: harava against Scrapy, both crawling the same synthetic copy of the
# sample site (examples/bench_site.rs) on loopback, each under GNU time -v.
#
# Usage: scripts/bench-crawl.sh [PAGES ...]          (default: 2000 10000)
#        BENCH_PAGES="2000 10000" scripts/bench-crawl.sh
#
# At each size the site has PAGES/10 listing pages of nine entries, joined by
# "Vanhemmat" links, and one detail page per entry. Both crawlers obey robots.txt,
# keep 16 requests in flight with no rate limit, and must write one record per entry.
# Running several sizes shows how CPU and peak memory grow with the site.
#
# A manual benchmark, not for CI: it takes minutes and wants an otherwise idle
# machine. It installs what it needs (GNU time and python3-venv with apt-get, Scrapy
# with pip into target/bench-venv); only Rust and cargo must be there already. The
# records, logs and GNU time reports stay in a temporary directory named at the end.
set -euo pipefail

cd "$(dirname "$0")/.."
source scripts/bench-lib.sh

if [ $# -gt 0 ]; then
    sizes=("$@")
else
    read -r -a sizes <<< "${BENCH_PAGES:-2000 10000}"
fi
for n in "${sizes[@]}"; do
    if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 10 ]; then
        echo "usage: $0 [PAGES ...]   (each PAGES a whole number >= 10)" >&2
        exit 2
    fi
done

apt_install() {
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y --no-install-recommends "$@"
}

# GNU time, for peak RSS and CPU seconds (the shell keyword `time` gives neither
# reliably); python3-venv, because Debian's python3 cannot make a venv without it.
missing=()
[ -x /usr/bin/time ] || missing+=(time)
python3 -c 'import ensurepip, venv' 2> /dev/null || missing+=(python3 python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
fi

echo "building harava and the benchmark site" >&2
cargo build --release --quiet --bin harava --example bench_site

venv=target/bench-venv
if ! "$venv/bin/python" -c 'import scrapy' 2> /dev/null; then
    echo "installing Scrapy into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check scrapy
fi
scrapy_version=$("$venv/bin/python" -c 'import scrapy; print(scrapy.__version__)')

work=$(mktemp -d "${TMPDIR:-/tmp}/harava-bench.XXXXXX")
trap stop_bench_site EXIT

# Runs a command under GNU time; its report goes to $work/$1.time, its stderr to
# $work/$1.log.
measure() {
    local name=$1
    shift
    /usr/bin/time -v -o "$work/$name.time" "$@" 2> "$work/$name.log"
}

# "tool pages records wall cpu rss_kib" from a GNU time report.
result() {
    echo "$1 $2 $3 $(time_figures "$4")"
}

results=()
for n in "${sizes[@]}"; do
    start_bench_site "$n" "$work"
    url="http://127.0.0.1:$port/kuntajohtajakokous/"
    expected=$((n / 10 * 9))

    echo "harava: crawling $n pages" >&2
    measure "harava-$n" target/release/harava crawl --rate 0 --concurrency 16 \
        --stats "$work/harava-$n.stats.json" -o "$work/harava-$n.jsonl" "$url"
    pages=$(grep -o '"pages_fetched": [0-9]*' "$work/harava-$n.stats.json" | grep -o '[0-9]*$')
    records=$(wc -l < "$work/harava-$n.jsonl")
    results+=("$(result harava "$pages" "$records" "$work/harava-$n.time")")
    harava_records=$records

    echo "Scrapy: crawling $n pages" >&2
    measure "scrapy-$n" "$venv/bin/python" scripts/bench_scrapy_spider.py "$url" "$work/scrapy-$n.jsonl"
    # Scrapy counts its robots.txt request among the responses; harava does not.
    responses=$(grep -o "'response_received_count': [0-9]*" "$work/scrapy-$n.log" | grep -o '[0-9]*$')
    robots=$(grep -o "'robotstxt/response_count': [0-9]*" "$work/scrapy-$n.log" | grep -o '[0-9]*$')
    pages=$((responses - robots))
    records=$(wc -l < "$work/scrapy-$n.jsonl")
    results+=("$(result Scrapy "$pages" "$records" "$work/scrapy-$n.time")")

    stop_bench_site
    # A crawl that missed entries did less work; its figures would flatter it.
    if [ "$harava_records" -ne "$expected" ] || [ "$records" -ne "$expected" ]; then
        echo "expected $expected records at $n pages, got $harava_records (harava) and $records (Scrapy); see $work" >&2
        exit 1
    fi
done

echo
echo "harava $(target/release/harava --version | awk '{ print $2 }'), Scrapy $scrapy_version;" \
    "$(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo
printf '%s\n' "${results[@]}" | awk '
    BEGIN {
        print "| tool | pages | records | wall s | CPU s | pages per CPU-second | peak RSS MiB |"
        print "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    }
    {
        printf "| %s | %d | %d | %.2f | %.2f | %.0f | %.1f |\n", $1, $2, $3, $4, $5, $2 / $5, $6 / 1024
        if ($1 == "harava") { h_rate = $2 / $5; h_rss = $6 }
        else { ratio[++rows] = sprintf("| %d | %.1fx | %.2f |", $2, h_rate / ($2 / $5), h_rss / $6) }
    }
    END {
        print ""
        print "harava / Scrapy (the aim: at least 5x the pages per CPU-second, under 0.25 of the peak RSS):"
        print ""
        print "| pages | pages per CPU-second | peak RSS |"
        print "| ---: | ---: | ---: |"
        for (i = 1; i <= rows; i++) print ratio[i]
    }
'
echo
echo "records, logs and GNU time reports: $work"
