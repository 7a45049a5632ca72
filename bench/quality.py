"""Quality on the shared labelled data, through the public commands.

    python bench/quality.py [--json] [--worst] [--only giveme5w1h|ecbplus|semeval] [--set NAME=VALUE ...]

Clustering: each file is written without its labels, run through ``newsfold cluster``, and
scored with B-cubed and pairwise precision/recall/F1 against the ``cluster`` labels.
Stream: PolNeAR's dated articles (unlabelled) through ``newsfold cluster``: how many stories last over
30 days, which real reports of one event rarely do.
Similarity: the pairs go through ``newsfold similarity``; Pearson of ``4 - overall`` against
the gold ``4 - overall``, overall and per language pair.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from statistics import median

from newsfold.dateline import dateline
from newsfold.evaluation import bcubed, load_jsonl, pairwise_f1, pearson, require_shared_data
from newsfold.normalize import parse_date

CLUSTER_SETS = {"giveme5w1h": "giveme5w1h_events.jsonl", "ecbplus": "ecbplus_events.jsonl"}
# Unlabelled but dated: 608 articles of US outlets on the 2016 election. Real reports of one event come
# within days, so a story whose articles span over 30 days almost surely mixes events: a precision check.
STREAM_SETS = {"polnear": "coverage/quotes_polnear_dev.jsonl"}
PAIR_SET = "semeval2022_t8_dev.jsonl"
LABEL_FIELDS = {"cluster", "topic", "quotes"}


def newsfold(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "newsfold.cli", *args], check=True)


def cluster(path: Path, tmp: Path, extra: list[str]) -> tuple[list[dict], list[dict], float]:
    """``newsfold cluster`` over a file written without its labels: (input rows, output rows, seconds)."""
    rows = load_jsonl(path)
    inp, out = tmp / f"{path.stem}.in.jsonl", tmp / f"{path.stem}.out.jsonl"
    with inp.open("w") as fh:
        for r in rows:
            fh.write(json.dumps({k: v for k, v in r.items() if k not in LABEL_FIELDS}) + "\n")
    t0 = time.monotonic()
    newsfold("cluster", str(inp), "--out", str(out), *extra)
    return rows, load_jsonl(out), time.monotonic() - t0


def run_cluster(path: Path, tmp: Path, extra: list[str]) -> dict:
    rows, assigned, secs = cluster(path, tmp, extra)
    story = {r["id"]: r["story"] for r in assigned}
    gold = [r["cluster"] for r in rows]
    pred = [story[r["id"]] for r in rows]
    dates = engine_dates(rows)
    bp, br, bf = bcubed(gold, pred)
    pp, pr, pf = pairwise_f1(gold, pred)
    return {"articles": len(rows), "gold_stories": len(set(gold)), "stories": len(set(pred)),
            "bcubed_p": bp, "bcubed_r": br, "bcubed_f1": bf, "pair_p": pp, "pair_r": pr, "pair_f1": pf,
            "wrong_merge_gaps": wrong_merge_gaps(dates, gold, pred), "worst": worst(dates, gold, pred), "seconds": secs}


def engine_dates(rows: list[dict]) -> list[datetime | None]:
    """Each row's date as the engine reads it: the metadata, else the text's dateline."""
    return [parse_date(r.get("date")) or dateline(r["text"], r.get("lang") or "") for r in rows]


def worst(dates: list[datetime | None], gold: list[str], pred: list[str], n: int = 8) -> dict:
    """The gold events cut into most stories and the stories mixing most events, each with the days its
    dated articles span: where the errors are, not only how many."""

    def groups(by: list[str], other: list[str]) -> list[dict]:
        members: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(by):
            members[key].append(i)
        out = []
        for key, m in members.items():
            ds = sorted(dates[i] for i in m if dates[i])
            out.append({"id": key, "articles": len(m), "parts": len({other[i] for i in m}),
                        "span_days": (ds[-1] - ds[0]).days if ds else None})
        return sorted(out, key=lambda g: (-g["parts"], -g["articles"], g["id"]))[:n]

    return {"split_events": groups(gold, pred), "mixed_stories": groups(pred, gold)}


def run_stream(path: Path, tmp: Path, extra: list[str]) -> dict:
    """Cluster an unlabelled dated stream; report how long its stories last."""
    rows, assigned, _ = cluster(path, tmp, extra)
    date = dict(zip((r["id"] for r in rows), engine_dates(rows)))
    members: dict[str, list[str]] = defaultdict(list)
    for r in assigned:
        members[r["story"]].append(r["id"])
    spans = []
    for ids in members.values():
        ds = sorted(date[i] for i in ids if date[i])
        spans.append((ds[-1] - ds[0]).days if ds else 0)
    return {"articles": len(rows), "stories": len(members), "largest": max(map(len, members.values())),
            "over_30_days": sum(s > 30 for s in spans), "longest_days": max(spans)}


def wrong_merge_gaps(dates: list[datetime | None], gold: list[str], pred: list[str]) -> dict:
    """Days between the two articles of each pair put in one story against the gold (dates as the engine
    reads them): how many pairs, how many dated, median and share within 3 days."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(pred):
        members[s].append(i)
    wrong = [(a, b) for m in members.values() for k, a in enumerate(m) for b in m[k + 1 :] if gold[a] != gold[b]]
    gaps = sorted(abs((dates[a] - dates[b]).total_seconds()) / 86400 for a, b in wrong if dates[a] and dates[b])
    return {"pairs": len(wrong), "dated": len(gaps), "median_days": round(median(gaps), 1) if gaps else None,
            "within_3_days": round(sum(g <= 3 for g in gaps) / len(gaps), 3) if gaps else None}


def run_similarity(path: Path, tmp: Path, extra: list[str]) -> dict:
    rows = load_jsonl(path)
    inp, out = tmp / "pairs.in.jsonl", tmp / "pairs.out.jsonl"
    with inp.open("w") as fh:
        for r in rows:
            fh.write(json.dumps({"pair_id": r["pair_id"], "text1": r["text1"], "text2": r["text2"],
                                 "lang1": r["lang1"], "lang2": r["lang2"]}) + "\n")
    t0 = time.monotonic()
    newsfold("similarity", str(inp), "--out", str(out), *extra)
    secs = time.monotonic() - t0
    pred = {r["pair_id"]: r["overall"] for r in load_jsonl(out)}
    by_lang: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    xs, ys = [], []
    for r in rows:
        g, p = 4 - float(r["overall"]), 4 - float(pred[r["pair_id"]])
        xs.append(p)
        ys.append(g)
        key = f"{r['lang1']}-{r['lang2']}"
        by_lang[key][0].append(p)
        by_lang[key][1].append(g)
    return {"pairs": len(rows), "pearson": pearson(xs, ys), "seconds": secs,
            "by_lang": {k: round(pearson(a, b), 4) for k, (a, b) in sorted(by_lang.items())}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worst", action="store_true", help="also list the most split events and most mixed stories")
    ap.add_argument("--only", choices=[*CLUSTER_SETS, *STREAM_SETS, "semeval"], action="append")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    data = require_shared_data()
    extra = [x for s in args.set for x in ("--set", s)]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        for name, file in CLUSTER_SETS.items():
            if not args.only or name in args.only:
                results[name] = run_cluster(data / file, tmp, extra)
        for name, file in STREAM_SETS.items():
            if not args.only or name in args.only:
                results[name] = run_stream(data / file, tmp, extra)
        if not args.only or "semeval" in args.only:
            results["semeval"] = run_similarity(data / PAIR_SET, tmp, extra)
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for name, r in results.items():
        if "bcubed_f1" in r:
            print(f"{name:<11} B3 P/R/F1 {r['bcubed_p']:.3f}/{r['bcubed_r']:.3f}/{r['bcubed_f1']:.3f}  "
                  f"pair P/R/F1 {r['pair_p']:.3f}/{r['pair_r']:.3f}/{r['pair_f1']:.3f}  "
                  f"stories {r['stories']} (gold {r['gold_stories']}), {r['articles']} articles, {r['seconds']:.1f}s")
            if args.worst:
                for kind, label in (("split_events", "stories"), ("mixed_stories", "events")):
                    print(f"{'':<11} {kind}: " + "; ".join(f"{g['id']} {g['articles']} articles in {g['parts']} {label}"
                                                          f" over {g['span_days']} days" for g in r["worst"][kind]))
            w = r["wrong_merge_gaps"]
            print(f"{'':<11} wrongly merged pairs {w['pairs']}, {w['dated']} dated: median {w['median_days']} days apart, "
                  f"{w['within_3_days']} within 3 days")
        elif "over_30_days" in r:
            print(f"{name:<11} {r['stories']} stories of {r['articles']} articles (unlabelled): largest {r['largest']}, "
                  f"{r['over_30_days']} spanning over 30 days, longest {r['longest_days']} days")
        else:
            langs = " ".join(f"{k}={v:.3f}" for k, v in r["by_lang"].items())
            print(f"{name:<11} Pearson {r['pearson']:.3f} over {r['pairs']} pairs; {langs}; {r['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
