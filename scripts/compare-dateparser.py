#!/usr/bin/env python3
"""Score harava's date scanner against Python's dateparser on tests/data/dates.tsv.

Usage: scripts/compare-dateparser.py [--harava PATH] [--table PATH] [--verbose]

The harava binary is --harava, else $HARAVA, else target/release/harava; it
is run as `harava dates [--context-date D] TEXT` once per table line.
dateparser runs as dateparser.search.search_dates(TEXT, languages=["fi", "sv"])
with the line's context date (or 2020-01-01 when it has none) as
RELATIVE_BASE, so year-less dates get a year the same way.

A line is right when the set of (start, end) dates found equals the expected
set; for a negative line, when nothing is found. dateparser has no notion of
a range, so for it a range line also counts as right when it finds exactly
the range's first and last days as two dates.

On first use the script makes its own virtualenv (target/compare-dateparser-venv)
with dateparser in it and re-runs itself there; nothing is installed globally.
"""

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import venv
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "compare-dateparser-venv"
FALLBACK_BASE = dt.datetime(2020, 1, 1)


def ensure_venv():
    """Re-exec inside a private virtualenv that has dateparser."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} and installing dateparser ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "dateparser"], check=True
        )
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


def unescape(s):
    return re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), s)


def parse_expected(expected):
    """The table notation to a set of (start, end) ISO date strings."""
    if expected == "-":
        return set()
    found = set()
    for part in expected.split(" ; "):
        value = part[part.rindex("} ") + 2 :].split(" ")
        if value[-1] == "month":
            found.add((value[0] + "-01", None))
            continue
        start, _, end = value[0].partition("..")
        found.add((start, end or None))
    return found


def read_table(path):
    category = "uncategorised"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            category = line[3:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        text, context, expected = line.split("\t")
        yield {
            "line": number,
            "category": category,
            "text": unescape(text),
            "context": None if context == "-" else context,
            "expected": parse_expected(unescape(expected)),
        }


def run_harava(binary, case):
    cmd = [binary, "dates"]
    if case["context"]:
        cmd += ["--context-date", case["context"]]
    # Text that looks like an option goes through stdin instead.
    stdin = None
    if case["text"].startswith("-"):
        stdin = case["text"]
    else:
        cmd.append(case["text"])
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)
    found = set()
    for line in out.stdout.splitlines():
        m = json.loads(line)
        found.add((m["start"], m["end"]))
    return found


def run_dateparser(case):
    from dateparser.search import search_dates

    base = (
        dt.datetime.fromisoformat(case["context"]) if case["context"] else FALLBACK_BASE
    )
    settings = {
        "RELATIVE_BASE": base,
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
    }
    hits = search_dates(case["text"], languages=["fi", "sv"], settings=settings) or []
    return {(d.date().isoformat(), None) for _, d in hits}


def dateparser_right(found, expected):
    if found == expected:
        return True
    days = {(d, None) for pair in expected for d in pair if d}
    return any(end for _, end in expected) and found == days


def main():
    ensure_venv()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--harava",
        default=os.environ.get("HARAVA", str(ROOT / "target" / "release" / "harava")),
    )
    ap.add_argument("--table", type=Path, default=ROOT / "tests" / "data" / "dates.tsv")
    ap.add_argument("--verbose", action="store_true", help="list the lines each tool misses")
    args = ap.parse_args()

    per_cat = defaultdict(lambda: [0, 0, 0])  # cases, harava right, dateparser right
    misses = []
    for case in read_table(args.table):
        h = run_harava(args.harava, case)
        d = run_dateparser(case)
        h_ok = h == case["expected"]
        d_ok = dateparser_right(d, case["expected"])
        row = per_cat[case["category"]]
        row[0] += 1
        row[1] += h_ok
        row[2] += d_ok
        for tool, ok, got in (("harava", h_ok, h), ("dateparser", d_ok, d)):
            if not ok:
                misses.append(f"{tool} line {case['line']}: {case['text']!r} -> {sorted(got, key=str)}")

    total = [sum(r[k] for r in per_cat.values()) for k in range(3)]
    print("| tool | right | of |")
    print("| --- | ---: | ---: |")
    print(f"| harava | {total[1]} | {total[0]} |")
    print(f"| dateparser | {total[2]} | {total[0]} |")
    print()
    print("| category | cases | harava | dateparser |")
    print("| --- | ---: | ---: | ---: |")
    for cat, (n, h, d) in per_cat.items():
        print(f"| {cat} | {n} | {h} | {d} |")
    if args.verbose:
        print()
        print("\n".join(misses))


if __name__ == "__main__":
    main()
