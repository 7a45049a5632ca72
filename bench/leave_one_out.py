"""Leave one set out: every fitted choice is judged on the labelled set it was not fitted on.

Two sets are labelled here (Giveme5W1H, ECB+), so "the rest" is the other one:
1. Model weights: the pair model is fitted on one set (``fit_pair_model.py --train-on``) and scored
   by ``newsfold cluster`` on the other, beside the shipped model (fitted on both).
2. Settings (``--grid``: link_threshold and members_per_story): for each set, the setting that scores
   best on the other set is taken and scored on this one, beside the shipped defaults.
Every figure is B-cubed P / R / F1 from bench/quality.py; all sets are printed, not the best.

    python bench/leave_one_out.py [--grid]
"""
from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = {"giveme5w1h": "giveme5w1h_events", "ecbplus": "ecbplus_events"}
GRID = {"link_threshold": (0.4, 0.5, 0.6), "members_per_story": (2, 4)}


def quality(name: str, *settings: str) -> dict:
    args = [x for s in settings for x in ("--set", s)]
    out = subprocess.run([sys.executable, str(HERE / "quality.py"), "--json", "--only", name, *args],
                         capture_output=True, text=True, check=True, cwd=HERE)
    return json.loads(out.stdout)[name]


def line(label: str, r: dict) -> str:
    return f"{label:<44} P/R/F1 {r['bcubed_p']:.3f}/{r['bcubed_r']:.3f}/{r['bcubed_f1']:.3f}  stories {r['stories']} (gold {r['gold_stories']})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grid", action="store_true", help="also choose the settings on the other set")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in SETS:
            other = [SETS[n] for n in SETS if n != name]
            model = Path(tmp) / f"pair_without_{name}.json"
            subprocess.run([sys.executable, str(HERE / "fit_pair_model.py"), "--out", str(model), "--train-on", *other],
                           check=True, capture_output=True, cwd=HERE.parent)
            print(line(f"{name}: shipped model (fitted on both)", quality(name)))
            print(line(f"{name}: model fitted on {', '.join(other)} only", quality(name, f"pair_model={model}")), flush=True)
    if args.grid:
        points = [dict(zip(GRID, values)) for values in itertools.product(*GRID.values())]
        scores = {name: [quality(name, *(f"{k}={v}" for k, v in p.items())) for p in points] for name in SETS}
        for name in SETS:
            other = next(n for n in SETS if n != name)
            best = max(range(len(points)), key=lambda i: scores[other][i]["bcubed_f1"])
            chosen = ", ".join(f"{k}={v}" for k, v in points[best].items())
            print(line(f"{name}: settings best on {other} ({chosen})", scores[name][best]))
            for p, r in zip(points, scores[name]):
                print("    " + line(", ".join(f"{k}={v}" for k, v in p.items()), r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
