"""Scoring helpers shared by the benchmarks and the quality tests: B-cubed, pairwise F1, Pearson."""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Hashable, Sequence

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def shared_data_dir() -> Path | None:
    """``../shared/data`` beside the project checkout, or ``$NEWSFOLD_SHARED_DATA``; None if absent."""
    import os

    env = os.environ.get("NEWSFOLD_SHARED_DATA")
    for cand in (Path(env) if env else None, SHARED_DATA, Path.cwd().parent / "shared" / "data"):
        if cand and (cand / "PROVENANCE.md").exists():
            return cand
    return None


def require_shared_data() -> Path:
    """``shared_data_dir()``, or exit 2 with a one-line message: for the bench scripts."""
    data = shared_data_dir()
    if data is None:
        import sys

        print("shared data not found (../shared/data or $NEWSFOLD_SHARED_DATA)", file=sys.stderr)
        raise SystemExit(2)
    return data


def load_jsonl(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 (Bagga & Baldwin 1998) over items in the same order."""
    if len(gold) != len(pred) or not gold:
        raise ValueError("gold and pred must be non-empty and of equal length")
    g_members: dict[Hashable, set[int]] = defaultdict(set)
    p_members: dict[Hashable, set[int]] = defaultdict(set)
    for i, (g, p) in enumerate(zip(gold, pred)):
        g_members[g].add(i)
        p_members[p].add(i)
    prec = rec = 0.0
    for i, (g, p) in enumerate(zip(gold, pred)):
        inter = len(g_members[g] & p_members[p])
        prec += inter / len(p_members[p])
        rec += inter / len(g_members[g])
    prec, rec = prec / len(gold), rec / len(gold)
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def pairwise_f1(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """Precision, recall, F1 over all pairs of items put together."""
    def pairs(labels: Sequence[Hashable]) -> set[tuple[int, int]]:
        groups: dict[Hashable, list[int]] = defaultdict(list)
        for i, label in enumerate(labels):
            groups[label].append(i)
        return {(a, b) for m in groups.values() for k, a in enumerate(m) for b in m[k + 1 :]}

    g, p = pairs(gold), pairs(pred)
    tp = len(g & p)
    prec = tp / len(p) if p else 1.0
    rec = tp / len(g) if g else 1.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    return sxy / (sx * sy) if sx and sy else 0.0
