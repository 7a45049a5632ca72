"""Throughput of ``newsfold spark`` on synthetic news, at local[1] and local[2].

    cd bench && python spark_scale.py [--n 100000] [--files 8] [--masters local[1],local[2]]
                                      [--partitions 8] [--cluster]

Writes the synthetic stream of ``bench/throughput.py`` (sentence windows re-cut from the texts of
../shared/data, or of the demo corpus without it; dates over six months; one in ten a copy with a
wire footer) as JSONL files, runs the Spark job on them once per master and prints articles per
second (wall clock, JVM start included). ``--cluster`` also times ``newsfold cluster`` on the same
articles. The stream is seeded: the same N gives the same articles.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from spark_quality import agreement
from throughput import synthetic_stream


def timed(*args: str) -> float:
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "newsfold.cli", *args], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    ap.add_argument("--files", type=int, default=8, help="JSONL files the articles are split into (default 8)")
    ap.add_argument("--masters", default="local[1],local[2]")
    ap.add_argument("--partitions", default="8")
    ap.add_argument("--cluster", action="store_true", help="also time 'newsfold cluster' on the same articles")
    args = ap.parse_args()
    rows = list(synthetic_stream(args.n))
    with tempfile.TemporaryDirectory(prefix="newsfold-scale-") as t:
        tmp = Path(t)
        inp = tmp / "in"
        inp.mkdir()
        for f in range(args.files):
            part = rows[f * len(rows) // args.files : (f + 1) * len(rows) // args.files]  # input order kept
            (inp / f"part-{f:03d}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))
        print(f"{len(rows)} synthetic articles over six months in {args.files} files")
        stories: dict[str, int] = {}
        last_stories: dict[str, str] = {}
        for master in args.masters.split(","):
            out = tmp / f"out-{master}"
            secs = timed("spark", str(inp), "--out", str(out), "--master", master, "--partitions", args.partitions)
            import pyarrow.parquet as pq

            assigned = pq.read_table(str(out / "assignments"), columns=["id", "story", "duplicate_of"]).to_pylist()
            last_stories = {r["id"]: r["story"] for r in assigned}
            stories[master] = len({r["story"] for r in assigned})
            copies = sum(r["duplicate_of"] is not None for r in assigned)
            print(f"spark {master:<9} {secs:7.1f}s  {len(rows) / secs:7.1f} articles/s  "
                  f"({stories[master]} stories, {copies} copies)")
        if args.cluster:
            single = tmp / "all.jsonl"
            single.write_text("".join(json.dumps(r) + "\n" for r in rows))
            secs = timed("cluster", str(single), "--out", str(tmp / "cluster.jsonl"))
            embedded = {r["id"]: r["story"] for r in map(json.loads, (tmp / "cluster.jsonl").read_text().splitlines())}
            spark = dict(last_stories)
            same = agreement([r["id"] for r in rows], embedded, spark)
            print(f"cluster (embedded)  {secs:7.1f}s  {len(rows) / secs:7.1f} articles/s  "
                  f"({len(set(embedded.values()))} stories; the same story as spark for {100 * same:.1f}% of articles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
