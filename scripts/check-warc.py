"""Check a harava WARC with warcio: `warcio check`, `warcio index`, then our own invariants.

Exits non-zero and says which record is wrong when anything is off. Run through
check-warc.sh, which provides a venv with warcio.
"""
import os
import subprocess
import sys
import zlib

from warcio.archiveiterator import ArchiveIterator

REQUIRED = ["WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Length"]
EXCHANGE_REQUIRED = ["WARC-Target-URI", "WARC-Concurrent-To", "WARC-Warcinfo-ID", "WARC-Block-Digest"]


def warcio_cli(*args):
    # The CLI's entry point sits next to the venv's python.
    exe = os.path.join(os.path.dirname(sys.executable), "warcio")
    return subprocess.run([exe, *args], capture_output=True, text=True)


def gzip_members(path):
    """Number of concatenated gzip members; per-record compression means one per record."""
    with open(path, "rb") as f:
        data = f.read()
    members = 0
    while data:
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        d.decompress(data)
        if not d.eof:
            raise SystemExit(f"FAIL: gzip member {members} is truncated")
        data = d.unused_data
        members += 1
    return members


def main(path):
    problems = []

    check = warcio_cli("check", "-v", path)
    print("== warcio check -v")
    print(check.stdout + check.stderr, end="")
    if check.returncode != 0:
        problems.append(f"warcio check exited {check.returncode}")

    index = warcio_cli("index", "-f", "offset,warc-type,warc-target-uri,http:status,content-length", path)
    print("== warcio index")
    print(index.stdout + index.stderr, end="")
    if index.returncode != 0:
        problems.append(f"warcio index exited {index.returncode}")

    records = []
    with open(path, "rb") as stream:
        it = ArchiveIterator(stream, check_digests=True)
        for n, record in enumerate(it):
            h = record.rec_headers
            content = record.content_stream().read()
            where = f"record {n} at offset {it.get_record_offset()} ({h.get_header('WARC-Type')})"
            if h.protocol != "WARC/1.1":
                problems.append(f"{where}: version {h.protocol}, expected WARC/1.1")
            for name in REQUIRED:
                if not h.get_header(name):
                    problems.append(f"{where}: missing {name}")
            rid = h.get_header("WARC-Record-ID") or ""
            if not (rid.startswith("<urn:uuid:") and rid.endswith(">")):
                problems.append(f"{where}: WARC-Record-ID {rid!r} is not <urn:uuid:...>")
            if record.digest_checker.passed is not True:
                problems.append(f"{where}: digests not verified: {record.digest_checker.problems}")
            rtype = h.get_header("WARC-Type")
            if rtype in ("request", "response"):
                for name in EXCHANGE_REQUIRED:
                    if not h.get_header(name):
                        problems.append(f"{where}: missing {name}")
                expected_ct = f"application/http; msgtype={rtype}"
                if h.get_header("Content-Type") != expected_ct:
                    problems.append(f"{where}: Content-Type {h.get_header('Content-Type')!r}, expected {expected_ct!r}")
            if rtype == "response":
                if not h.get_header("WARC-Payload-Digest"):
                    problems.append(f"{where}: missing WARC-Payload-Digest")
                http = record.http_headers
                for name in ("Content-Encoding", "Transfer-Encoding"):
                    if http.get_header(name):
                        problems.append(f"{where}: HTTP header {name} on a decoded body")
                if http.get_header("Content-Length") != str(len(content)):
                    problems.append(f"{where}: HTTP Content-Length {http.get_header('Content-Length')} but payload is {len(content)} bytes")
            records.append((n, rtype, rid, h.get_header("WARC-Concurrent-To"), h.get_header("WARC-Warcinfo-ID")))

    print("== harava invariants")
    if not records:
        problems.append("no records")
    elif records[0][1] != "warcinfo":
        problems.append(f"first record is {records[0][1]}, expected warcinfo")
    else:
        info_id = records[0][2]
        by_id = {rid: rtype for _, rtype, rid, _, _ in records}
        for n, rtype, rid, concurrent, info in records[1:]:
            if rtype not in ("request", "response"):
                continue
            other = "request" if rtype == "response" else "response"
            if by_id.get(concurrent) != other:
                problems.append(f"record {n}: WARC-Concurrent-To {concurrent} is not a {other} record")
            if info != info_id:
                problems.append(f"record {n}: WARC-Warcinfo-ID {info} is not the warcinfo record {info_id}")
    if path.endswith(".gz"):
        members = gzip_members(path)
        print(f"gzip members: {members}, records: {len(records)}")
        if members != len(records):
            problems.append(f"{members} gzip members for {len(records)} records: not compressed per record")
    counts = {}
    for _, rtype, _, _, _ in records:
        counts[rtype] = counts.get(rtype, 0) + 1
    print("records:", ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))

    if problems:
        for p in problems:
            print("FAIL:", p, file=sys.stderr)
        sys.exit(1)
    print(f"OK: {path}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check-warc.py FILE.warc[.gz]")
    main(sys.argv[1])
