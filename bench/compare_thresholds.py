"""How the fact-alignment thresholds trade joins against mistakes (python bench/compare_thresholds.py).

Compares all originals of the demo corpus as one set (7 events, 4 languages). Every fact that joins
sentences of different events is a mistake; the links inside facts (articles - 1 per fact) are the
agreement found. Prints one line per (pair, group) threshold and the mistaken facts.
"""
from __future__ import annotations

from newsfold import align
from newsfold.compare import compare_articles
from newsfold.demo import demo_corpus_path
from newsfold.embed import get_embedder
from newsfold.evaluation import load_jsonl
from newsfold.model import Article
from newsfold.normalize import normalize

SETTINGS = [(0.68, 0.62), (0.65, 0.6), (0.62, 0.58), (0.6, 0.55)]


def main() -> None:
    rows = [r for r in load_jsonl(demo_corpus_path()) if not r.get("copy_of")]
    event = {r["id"]: r["event"] for r in rows}
    articles = [normalize(Article(id=r["id"], text=r["text"], title=r["title"], date=r["date"],
                                  source=r["source"], lang=r["lang"], origin="demo")) for r in rows]
    embedder = get_embedder()
    default = (align.PAIR_SCORE, align.GROUP_SCORE)
    for pair, group in SETTINGS:
        align.PAIR_SCORE, align.GROUP_SCORE = pair, group
        cov = compare_articles(articles, embedder=embedder, use_spacy=False)
        wrong = [f for f in cov.shared if len({event[a] for a in f.articles}) > 1]
        links = sum(len(f.articles) - 1 for f in cov.shared)
        mark = "  (shipped)" if (pair, group) == default else ""
        print(f"pair {pair:.2f} group {group:.2f}: {len(cov.shared)} shared facts, {links} links, "
              f"{len(wrong)} across events{mark}")
        for f in wrong:
            print("    " + " || ".join(v[:60] for v in f.versions.values()))
    align.PAIR_SCORE, align.GROUP_SCORE = default


if __name__ == "__main__":
    main()
