"""Throughput of ``newsfold spark`` on synthetic news, at local[1] and local[2].

    cd bench && python spark_scale.py [--n 100000] [--months 6] [--files 8] [--masters local[1],local[2]]
                                      [--partitions 8] [--cluster]

Writes N invented articles (events of 1-8 reports each, re-cut from sentence templates with
invented names and figures, one in ten a verbatim or lightly edited copy, dates spread over
``--months``) as JSONL files, runs the Spark job on them once per master and prints articles
per second (wall clock, JVM start included). ``--cluster`` also times ``newsfold cluster`` on
the same articles for comparison. The data is seeded: the same N gives the same corpus.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SYLLABLES = ["bra", "ken", "dor", "vel", "mar", "tis", "lun", "gor", "ael", "zan", "quo", "rin", "fel", "dath",
             "sor", "mir", "tal", "ven", "hol", "cas", "nor", "ith", "pel", "rua"]
KINDS = {
    "fire": ["A wildfire near {place} forced {n1} residents to leave their homes on {day}.",
             "Firefighters led by {person} said the blaze had burned {n2} hectares of forest around {place}.",
             "{org} opened {n3} emergency shelters and asked drivers to avoid the roads east of {place}.",
             "{person} said strong winds were pushing the fire towards the hills above {place}.",
             "Officials in {place} said {n3} houses had been destroyed and no deaths had been reported."],
    "rates": ["The central bank of {place} raised its main interest rate to {n4} percent on {day}.",
              "Governor {person} said inflation of {n5} percent was still too high for comfort.",
              "{org} said the decision would add about {n2} to the monthly cost of a typical mortgage.",
              "Markets in {place} fell after {person} signalled that further increases were possible.",
              "Economists at {org} had expected the bank to hold rates at their previous level."],
    "strike": ["Workers at {org} in {place} walked out on {day} in a dispute over pay.",
               "The union, led by {person}, said {n1} members had joined the strike.",
               "{org} said it had offered a raise of {n4} percent, which the union rejected.",
               "Trains and buses in {place} ran a reduced service, with {n3} routes cancelled.",
               "{person} said talks would resume only if the company improved its offer."],
    "bridge": ["Authorities in {place} closed a bridge on {day} after inspectors found cracks in a pier.",
               "Engineer {person} said repairs would take at least {n3} months.",
               "About {n1} vehicles a day will be diverted while {org} assesses the damage.",
               "{person} said the bridge had last been inspected {n3} years ago.",
               "{org} put the preliminary cost of the repairs at {n2} million."],
}
OUTLETS = [f"{a}{b}.example" for a in ("daily", "morning", "evening", "city", "coast", "valley") for b in
           ("post", "times", "herald", "wire", "star")]


def name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def corpus(n: int, months: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    span = months * 30 * 86400
    rows: list[dict] = []
    event = 0
    while len(rows) < n:
        event += 1
        kind = rng.choice(sorted(KINDS))
        facts = {"place": name(rng, 3), "person": f"{name(rng, 2)} {name(rng, 3)}", "org": f"{name(rng, 2)} Group",
                 "n1": rng.randint(1000, 90000), "n2": rng.randint(10, 900), "n3": rng.randint(3, 40),
                 "n4": round(rng.uniform(1, 9), 2), "n5": round(rng.uniform(2, 12), 1)}
        when = start + timedelta(seconds=rng.randint(0, span))
        facts["day"] = when.strftime("%A")
        sentences = [s.format(**facts) for s in KINDS[kind]]
        reports: list[dict] = []
        for k in range(min(rng.randint(1, 8), n - len(rows))):
            if reports and rng.random() < 0.1:  # a copy: verbatim or with a footer
                src = rng.choice(reports)
                text = src["text"] + ("" if rng.random() < 0.5 else f"\n\nRead more at {rng.choice(OUTLETS)}.")
                title = src["title"]
            else:
                body = sentences[:1] + rng.sample(sentences[1:], rng.randint(2, 4))
                text = "\n\n".join(body)
                title = f"{facts['place']}: {sentences[0].split(' on ')[0][:80]}"
            date = when + timedelta(hours=rng.uniform(0, 72))
            reports.append({"id": f"e{event}-{k}", "title": title, "text": text,
                            "date": date.isoformat(timespec="seconds"), "source": rng.choice(OUTLETS)})
        rows += reports
    rng.shuffle(rows)  # arrival order is not date order
    return rows[:n]


def timed(*args: str) -> float:
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "newsfold.cli", *args], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="articles (default 100000)")
    ap.add_argument("--months", type=int, default=6, help="months the dates spread over (default 6)")
    ap.add_argument("--files", type=int, default=8, help="JSONL files the articles are split into (default 8)")
    ap.add_argument("--masters", default="local[1],local[2]")
    ap.add_argument("--partitions", default="8")
    ap.add_argument("--cluster", action="store_true", help="also time 'newsfold cluster' on the same articles")
    args = ap.parse_args()
    rows = corpus(args.n, args.months)
    with tempfile.TemporaryDirectory(prefix="newsfold-scale-") as t:
        tmp = Path(t)
        inp = tmp / "in"
        inp.mkdir()
        for f in range(args.files):
            part = rows[f :: args.files]
            (inp / f"part-{f:03d}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))
        print(f"{len(rows)} synthetic articles over {args.months} months in {args.files} files")
        stories: dict[str, int] = {}
        for master in args.masters.split(","):
            out = tmp / f"out-{master}"
            secs = timed("spark", str(inp), "--out", str(out), "--master", master, "--partitions", args.partitions)
            import pyarrow.parquet as pq

            assigned = pq.read_table(str(out / "assignments"), columns=["story", "duplicate_of"]).to_pylist()
            stories[master] = len({r["story"] for r in assigned})
            copies = sum(r["duplicate_of"] is not None for r in assigned)
            print(f"spark {master:<9} {secs:7.1f}s  {len(rows) / secs:7.1f} articles/s  "
                  f"({stories[master]} stories, {copies} copies)")
        if args.cluster:
            single = tmp / "all.jsonl"
            single.write_text("".join(json.dumps(r) + "\n" for r in rows))
            secs = timed("cluster", str(single), "--out", str(tmp / "cluster.jsonl"))
            print(f"cluster (embedded)  {secs:7.1f}s  {len(rows) / secs:7.1f} articles/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
