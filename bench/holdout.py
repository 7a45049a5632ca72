"""Over-fitting check: fit the pair model without half of the events, score clustering on that half.

    python bench/holdout.py [--seed 0]

For each clustering set, a seeded half of the events (ECB+: whole topics, so both events
of a topic stay on one side) is left out of the pair model's training; then that half
is clustered with the hold-out model and with the shipped model. Close figures mean the
shipped defaults are not just memorising the dev data.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from quality import LABEL_FIELDS, newsfold  # bench/quality.py

from newsfold.evaluation import bcubed, load_jsonl, require_shared_data

SETS = {"giveme5w1h": "giveme5w1h_events.jsonl", "ecbplus": "ecbplus_events.jsonl"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    data = require_shared_data()
    rng = random.Random(args.seed)
    held: dict[str, list[dict]] = {}
    excluded: set[str] = set()
    for name, file in SETS.items():
        rows = load_jsonl(data / file)
        group = {r["cluster"]: str(r.get("topic") or r["cluster"]) for r in rows}
        groups = sorted(set(group.values()))
        out = set(rng.sample(groups, len(groups) // 2))
        held[name] = [r for r in rows if group[r["cluster"]] in out]
        excluded |= {c for c, g in group.items() if g in out}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        (tmp / "excluded.txt").write_text("\n".join(sorted(excluded)))
        model = tmp / "holdout_model.json"
        subprocess.run([sys.executable, str(Path(__file__).with_name("fit_pair_model.py")), "--out", str(model),
                        "--exclude-events", str(tmp / "excluded.txt")], check=True, stdout=subprocess.DEVNULL)
        for name, rows in held.items():
            inp = tmp / f"{name}.jsonl"
            inp.write_text("".join(json.dumps({k: v for k, v in r.items() if k not in LABEL_FIELDS}) + "\n"
                                   for r in rows))
            figures = []
            for label, extra in (("hold-out model", ["--set", f"pair_model={model}"]), ("shipped model", [])):
                out = tmp / f"{name}.{len(figures)}.out"
                newsfold("cluster", str(inp), "--out", str(out), *extra)
                story = {r["id"]: r["story"] for r in load_jsonl(out)}
                p, r_, f = bcubed([r["cluster"] for r in rows], [story[r["id"]] for r in rows])
                figures.append(f"{label} B3 P/R/F1 {p:.3f}/{r_:.3f}/{f:.3f}")
            print(f"{name} held-out half ({len(rows)} articles): " + "; ".join(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
