#!/usr/bin/env python3
"""Run `harava extract` over many WARC files with Apache Spark (PySpark).

Usage:
    spark-submit [--files /path/to/harava] scripts/spark-extract.py \
        [--harava harava] [--profile auto] PATHS_FILE OUTPUT_DIR

PATHS_FILE lists one WARC path a line (blank lines and lines starting with # are
skipped); every worker must be able to read those paths (a shared file system, or the
same disk in local mode). Each WARC becomes one Spark task (the paths are parallelized
into as many partitions as there are files), which runs the harava binary on its file
and yields the JSON lines it prints; OUTPUT_DIR receives them as JSON Lines partitions
(`part-00000`, … — one per WARC, Spark's `saveAsTextFile`).

--harava names the binary: a path that exists on every worker (installed there), or
the name of a file shipped with `spark-submit --files` (found with SparkFiles), or a
program on the workers' PATH. Default: harava.

A task fails — and Spark retries it, then fails the job naming the file — when harava
exits with anything but 0: a shard that could not be read in full must not leave a
silent hole in the dataset. Records carry stable ids, so the partitions can be merged
and de-duplicated by `id` afterwards.
"""
import argparse
import os
import shutil
import stat
import subprocess
import sys
import threading


def resolve_harava(name):
    """The binary on this worker: a path, a file shipped with --files, or a PATH lookup."""
    if os.sep in name and os.path.exists(name):
        return name
    try:
        from pyspark import SparkFiles

        shipped = SparkFiles.get(os.path.basename(name))
        if os.path.exists(shipped):
            mode = os.stat(shipped).st_mode
            # Files shipped with --files keep their bytes but not always their mode.
            if not mode & stat.S_IXUSR:
                os.chmod(shipped, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            return shipped
    except Exception:  # no SparkContext on this process: not a worker
        pass
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(
        f"harava binary {name!r} not found on this worker: install it at the same path on "
        "every worker, or ship it with spark-submit --files /path/to/harava"
    )


def extract(path, harava, profile):
    """The JSON lines harava extracts from one WARC."""
    binary = resolve_harava(harava)
    process = subprocess.Popen(
        [binary, "extract", "--quiet", "--profile", profile, path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # stderr is read on its own thread so that a chatty harava cannot block on a full pipe
    # while we read its stdout.
    errors = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read()))
    reader.start()
    for line in process.stdout:
        yield line.decode("utf-8").rstrip("\n")
    code = process.wait()
    reader.join()
    if code != 0:
        message = b"".join(errors).decode("utf-8", "replace").strip()
        raise RuntimeError(f"harava extract {path} exited with {code}: {message}")


def read_paths(paths_file):
    with open(paths_file, encoding="utf-8") as f:
        return [
            line.strip()
            for line in f
            if line.strip() and not line.lstrip().startswith("#")
        ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths_file", metavar="PATHS_FILE")
    parser.add_argument("output", metavar="OUTPUT_DIR")
    parser.add_argument("--harava", default="harava")
    parser.add_argument("--profile", default="auto")
    args = parser.parse_args()

    paths = read_paths(args.paths_file)
    if not paths:
        sys.exit(f"{args.paths_file}: no WARC paths in it; list one path a line")

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("harava-extract").getOrCreate()
    harava, profile = args.harava, args.profile
    records = spark.sparkContext.parallelize(paths, len(paths)).flatMap(
        lambda path: extract(path, harava, profile)
    )
    records.saveAsTextFile(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
