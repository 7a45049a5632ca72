"""The coverage comparison's CI floor: bench/coverage_quality.py (``newsfold compare`` with the shipped
defaults) on an evenly spread sample of each shared coverage file must not fall below the floors in
coverage_floors.json. Floors only ever go up; the full-file figures are in docs/QUALITY.md."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((ROOT / "tests" / "coverage_floors.json").read_text())
SAMPLE = {"facts": 40, "polnear": 60, "german": 200}  # records per file: a few minutes in all


@pytest.fixture(scope="module")
def figures(shared_data: Path) -> dict:
    out = {}
    for name, n in SAMPLE.items():
        proc = subprocess.run([sys.executable, str(ROOT / "bench" / "coverage_quality.py"), "--json", "--only", name,
                               "--sample", str(n)], capture_output=True, text=True, check=True, cwd=ROOT / "bench")
        out.update(json.loads(proc.stdout))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("key", [k for k in FLOORS if not k.startswith("_")])
def test_coverage_floor(figures: dict, key: str) -> None:
    name, metric = key.split(".", 1)
    value = figures[name][metric] if "." not in metric else figures[name]["by_pair"][metric.split(".")[0]][
        metric.split(".")[1]]
    assert value >= FLOORS[key], f"{key} fell to {value:.4f} < {FLOORS[key]}"
