"""Time ``compare_articles`` on two articles with the shipped defaults, models loaded first
(python bench/compare_pair_speed.py [--repeat N]).

Two pairs of the demo corpus: two English reports of one event (the alignment encoder is use-m3)
and an English and a German one (multilingual-e5-small, margin-scored). Printed, in seconds (median of
--repeat runs): cold (no sentence embedding or entity cached) and warm (the same pair again).
"""
from __future__ import annotations

import argparse
import statistics
import time

from compare_speed import clear_caches

from newsfold import align, entities
from newsfold.compare import compare_articles
from newsfold.demo import demo_corpus_path
from newsfold.embed import get_embedder
from newsfold.evaluation import load_jsonl
from newsfold.model import Article
from newsfold.normalize import normalize

PAIRS = {"en-en": ("ashgrove-bridge-contiwire-en", "ashgrove-bridge-dailyharbor-en"),
         "en-de": ("ashgrove-bridge-contiwire-en", "ashgrove-bridge-morgenkurier-de")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rows = {r["id"]: r for r in load_jsonl(demo_corpus_path())}
    t = time.perf_counter()
    for name in (align.FAST_EMBEDDER, align.BROAD_EMBEDDER):
        get_embedder(name).encode(["warm up"])
    entities.spacy_model()
    print(f"models loaded once: {time.perf_counter() - t:.2f} s")
    for label, ids in PAIRS.items():
        arts = []
        for i in ids:
            r = rows[i]
            art = normalize(Article(id=i, text=r["text"], title=r["title"], lang=r["lang"], origin="demo"))
            assert isinstance(art, Article)
            arts.append(art)
        cold, warm = [], []
        for _ in range(args.repeat):
            clear_caches()
            t = time.perf_counter()
            compare_articles(arts)
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            compare_articles(arts)
            warm.append(time.perf_counter() - t)
        enc = align.alignment_embedder({a.lang for a in arts})
        print(f"{label} ({enc}): cold {statistics.median(cold):.3f} s, warm {statistics.median(warm):.3f} s")


if __name__ == "__main__":
    main()
