"""Clustering quality of the Spark job against the embedded engine, on the shared labelled data.

    cd bench && python spark_quality.py [--only giveme5w1h|ecbplus] [--master local[2]] [--partitions 4]
                                        [--block-days 60] [--overlap-days 14] [--set NAME=VALUE ...]

Each set is written without its labels, run through ``newsfold cluster`` and ``newsfold spark``,
and both are scored with B-cubed F1 against the ``cluster`` labels; the difference is printed,
with the share of articles whose story (as a partition of the set) the two paths agree on.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from quality import CLUSTER_SETS, LABEL_FIELDS

from newsfold.evaluation import bcubed, load_jsonl, require_shared_data


def newsfold(*args: str) -> float:
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "newsfold.cli", *args], check=True)
    return time.monotonic() - t0


def spark_stories(out_dir: Path) -> dict[str, str]:
    import pyarrow.parquet as pq

    return {r["id"]: r["story"] for r in pq.read_table(str(out_dir / "assignments")).to_pylist()}


def agreement(ids: list[str], a: dict[str, str], b: dict[str, str]) -> float:
    """Share of articles whose story holds exactly the same articles in both results."""
    def members(story: dict[str, str]) -> dict[str, frozenset[str]]:
        groups: dict[str, set[str]] = {}
        for i in ids:
            groups.setdefault(story[i], set()).add(i)
        return {i: frozenset(groups[story[i]]) for i in ids}

    ma, mb = members(a), members(b)
    return sum(ma[i] == mb[i] for i in ids) / len(ids)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=list(CLUSTER_SETS), action="append")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", default="4")
    ap.add_argument("--block-days", default=None, help="default: the command's")
    ap.add_argument("--overlap-days", default=None, help="default: the command's")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    data = require_shared_data()
    extra = [x for s in args.set for x in ("--set", s)]
    blocking = [x for flag, v in (("--block-days", args.block_days), ("--overlap-days", args.overlap_days))
                if v is not None for x in (flag, v)]
    results = {}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        for name, file in CLUSTER_SETS.items():
            if args.only and name not in args.only:
                continue
            rows = load_jsonl(data / file)
            inp = tmp / f"{name}.in.jsonl"
            inp.write_text("".join(json.dumps({k: v for k, v in r.items() if k not in LABEL_FIELDS}) + "\n"
                                   for r in rows))
            out = tmp / f"{name}.cluster.jsonl"
            cluster_s = newsfold("cluster", str(inp), "--out", str(out), *extra)
            embedded = {r["id"]: r["story"] for r in load_jsonl(out)}
            spark_s = newsfold("spark", str(inp), "--out", str(tmp / f"{name}.spark"), "--master", args.master,
                               "--partitions", args.partitions, *blocking, *extra)
            spark = spark_stories(tmp / f"{name}.spark")
            ids = [r["id"] for r in rows]
            gold = [r["cluster"] for r in rows]
            f_emb = bcubed(gold, [embedded[i] for i in ids])[2]
            f_spark = bcubed(gold, [spark[i] for i in ids])[2]
            results[name] = {"articles": len(rows), "cluster_f1": f_emb, "spark_f1": f_spark,
                             "difference": f_spark - f_emb, "same_story": agreement(ids, embedded, spark),
                             "cluster_seconds": cluster_s, "spark_seconds": spark_s}
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for name, r in results.items():
        print(f"{name:<11} B3 F1 cluster {r['cluster_f1']:.3f}  spark {r['spark_f1']:.3f}  "
              f"difference {r['difference']:+.3f}  same story for {100 * r['same_story']:.1f}% of "
              f"{r['articles']} articles  ({r['cluster_seconds']:.0f}s / {r['spark_seconds']:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
