"""The CI quality gate: the public commands on the shared labelled data must not fall below the floors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((ROOT / "tests" / "quality_floors.json").read_text())


@pytest.fixture(scope="module")
def figures(shared_data: Path) -> dict:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "quality.py"), "--json"], capture_output=True,
                         text=True, check=True, cwd=ROOT / "bench")
    return json.loads(out.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("key", [k for k in FLOORS if not k.startswith("_")])
def test_quality_floor(figures: dict, key: str) -> None:
    dataset, metric = key.split(".")
    assert figures[dataset][metric] >= FLOORS[key], f"{key} fell to {figures[dataset][metric]:.4f} < {FLOORS[key]}"


def test_seed_pair_is_the_same_event_with_reasons(tmp_path: Path, seeds_dir: Path) -> None:
    texts = []
    for path in sorted(seeds_dir.glob("*.txt")):
        body = path.read_text().split(None, 2)  # " date YYYY-MM-DD <body>"
        texts.append(body[2] if body[0] == "date" else path.read_text())
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"pair_id": "seeds", "text1": texts[0], "text2": texts[1],
                                 "date1": "2021-01-10", "date2": "2021-01-10"}) + "\n")
    result = json.loads(run_cli("similarity", str(pairs), "--out", "-").stdout)
    assert result["overall"] <= 1.5
    first = result["reasons"][0]
    assert "Pompeo" in first and "Taiwan" in first


def test_unrelated_pair_scores_as_unrelated(tmp_path: Path, demo_rows: list[dict]) -> None:
    a = next(r for r in demo_rows if r["event"] == "lumora-data-breach")
    b = next(r for r in demo_rows if r["event"] == "saint-orla-ferry-rescue")
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"pair_id": "x", "text1": a["text"], "text2": b["text"], "title1": a["title"],
                                 "title2": b["title"], "lang1": a["lang"], "lang2": b["lang"]}) + "\n")
    result = json.loads(run_cli("similarity", str(pairs), "--out", "-").stdout)
    assert result["overall"] >= 3.0 and result["similarity"] <= 0.35


def test_a_copy_scores_as_the_same_event(tmp_path: Path, demo_rows: list[dict]) -> None:
    a = demo_rows[0]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"pair_id": "copy", "text1": a["text"], "text2": a["text"] + "\n\nAll rights reserved.",
                                 "title1": a["title"], "title2": a["title"]}) + "\n")
    result = json.loads(run_cli("similarity", str(pairs), "--out", "-").stdout)
    assert result["overall"] <= 1.1, result


def test_more_evidence_of_the_same_event_never_lowers_the_score() -> None:
    import numpy as np

    from newsfold.similarity import AGAINST, FLAGS, SIM_BASE, SimilarityModel

    model = SimilarityModel.load()
    rng = np.random.default_rng(0)
    for _ in range(200):
        base = rng.uniform(0, 1, len(SIM_BASE))
        i = int(rng.integers(len(SIM_BASE)))
        if SIM_BASE[i] in FLAGS:
            continue
        more = base.copy()
        more[i] += -0.3 if SIM_BASE[i] in AGAINST else 0.3  # stronger evidence of sameness
        assert model.overall(more) <= model.overall(base), SIM_BASE[i]


def test_language_centres_put_cosines_on_one_scale() -> None:
    import numpy as np

    from newsfold.similarity import ALL_LANGUAGES, MIN_CENTRE_ARTICLES, centred, language_centres

    rng = np.random.default_rng(0)
    n, dim = MIN_CENTRE_ARTICLES, 16
    # Two languages whose texts sit around centres of their own: unrelated texts of one language
    # share that centre, so their raw cosine is high, and higher in one language than the other.
    offsets = {"de": 3 * rng.normal(size=dim), "tr": 1.5 * rng.normal(size=dim)}
    vectors = np.vstack([offsets[lang] + rng.normal(size=(n, dim)) for lang in offsets])
    langs = ["de"] * n + ["tr"] * n
    centres = language_centres(vectors, langs)
    assert set(centres) == {"de", "tr", ALL_LANGUAGES}
    raw = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    out = centred(vectors, langs, centres)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)
    for rows in (slice(0, n), slice(n, 2 * n)):
        off_diagonal = ~np.eye(n, dtype=bool)
        assert (raw[rows] @ raw[rows].T)[off_diagonal].mean() > 0.5
        assert abs((out[rows] @ out[rows].T)[off_diagonal].mean()) < 0.1
    # A language with too few texts of its own takes the centre of all languages.
    assert "pl" not in language_centres(vectors[:3], ["pl"] * 3)
    expected = raw[:1] - centres[ALL_LANGUAGES]
    assert np.allclose(centred(vectors[:1], ["pl"], centres), expected / np.linalg.norm(expected))
