# Shared by the benchmark scripts and test-spark.sh (sourced, not run): the
# page-count argument, GNU time, the synthetic site on loopback, and the figures
# of a GNU time report.

# Sets `pages` from the first argument (default 10000), or exits with usage.
bench_pages() {
    pages=${1:-10000}
    if ! [[ $pages =~ ^[0-9]+$ ]] || [ "$pages" -lt 10 ]; then
        echo "usage: $0 [PAGES]   (a whole number >= 10)" >&2
        exit 2
    fi
}

# GNU time gives peak RSS and CPU seconds; the shell keyword `time` gives neither
# reliably. Installs it with apt-get when it is missing.
ensure_gnu_time() {
    [ -x /usr/bin/time ] && return
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y --no-install-recommends time
}

site_pid=
stop_bench_site() {
    if [ -n "$site_pid" ]; then
        kill "$site_pid" 2> /dev/null || true
        wait "$site_pid" 2> /dev/null || true
        site_pid=
    fi
}

# Serves the synthetic site of $1 pages in the background, logging into the
# directory $2; sets `site_pid` and `port`. The server prints its port only once
# every page is rendered. `bench_site` names the binary (default: the release build).
start_bench_site() {
    "${bench_site:-target/release/examples/bench_site}" "$1" > "$2/site-$1.port" 2> "$2/site-$1.log" &
    site_pid=$!
    port=
    for _ in $(seq 600); do
        port=$(head -n 1 "$2/site-$1.port")
        [ -n "$port" ] && return
        sleep 0.1
    done
    echo "bench_site did not start; see $2/site-$1.log" >&2
    exit 1
}

# "wall cpu rss_kib" from a GNU time -v report: wall seconds, user + system
# seconds, peak resident set size.
time_figures() {
    awk '
        /Elapsed \(wall clock\) time/ {
            n = split($NF, part, ":"); wall = 0
            for (i = 1; i <= n; i++) wall = wall * 60 + part[i]
        }
        /User time \(seconds\)|System time \(seconds\)/ { cpu += $NF }
        /Maximum resident set size \(kbytes\)/ { rss = $NF }
        END { print wall, cpu, rss }
    ' "$1"
}
