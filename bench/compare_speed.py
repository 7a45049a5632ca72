"""Time the coverage comparison of a 20-article story (python bench/compare_speed.py [--threads N]).

The story is the first 20 originals of the demo corpus in date order (several events' reports in
four languages, so it has as many sentences as a large real story; the comparison does not care
that they are about different events). Printed, in seconds (median of --repeat runs):

- cold: the first comparison of the story, with no embedding or entity cached (models loaded);
- warm: the same story again (a story page viewed twice: every sentence embedding is cached);
- grown: the story after a 21st article arrives, with the first 20 cached;
- embed: within cold, the time spent embedding sentences (the rest is alignment, quotes, entities).

Models are loaded before timing and their load time is printed apart. --threads sets the BLAS
threads of the default embedder (default: as ``embed.get_embedder()`` does, one per core).
"""
from __future__ import annotations

import argparse
import statistics
import time

from newsfold import align, entities
from newsfold.compare import compare_articles
from newsfold.demo import demo_corpus_path
from newsfold.embed import UseEmbedder, get_embedder
from newsfold.evaluation import load_jsonl
from newsfold.model import Article
from newsfold.normalize import normalize


class TimedEmbedder:
    """Wraps an embedder to add up the seconds spent encoding."""

    def __init__(self, inner: UseEmbedder) -> None:
        self.inner, self.name, self.dim, self.seconds, self.texts = inner, inner.name, inner.dim, 0.0, 0

    def encode(self, texts):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        out = self.inner.encode(texts)
        self.seconds += time.perf_counter() - t
        self.texts += len(texts)
        return out


def story(n: int) -> list[Article]:
    rows = [r for r in load_jsonl(demo_corpus_path()) if not r.get("copy_of")]
    rows.sort(key=lambda r: r["date"])
    out = []
    for r in rows[:n]:
        art = normalize(Article(id=r["id"], text=r["text"], title=r["title"], date=r["date"], source=r["source"],
                                lang=r["lang"], origin="demo"))
        assert isinstance(art, Article)
        out.append(art)
    return out


def clear_caches() -> None:
    align._cache.clear()
    entities._cache.clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="BLAS threads for the embedder (0: the default)")
    args = ap.parse_args()

    articles = story(args.articles + 1)
    base, extra = articles[: args.articles], articles[args.articles:]
    t = time.perf_counter()
    inner = UseEmbedder(threads=args.threads) if args.threads else get_embedder()
    assert isinstance(inner, UseEmbedder)
    inner.encode(["warm up"])
    spacy_loaded = entities.spacy_model() is not None
    load = time.perf_counter() - t
    emb = TimedEmbedder(inner)

    cold, embed_s = [], []
    for _ in range(args.repeat):
        clear_caches()
        emb.seconds = 0.0
        t = time.perf_counter()
        cov = compare_articles(base, embedder=emb)  # type: ignore[arg-type]
        cold.append(time.perf_counter() - t)
        embed_s.append(emb.seconds)
    texts = emb.texts // args.repeat
    warm = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        compare_articles(base, embedder=emb)  # type: ignore[arg-type]
        warm.append(time.perf_counter() - t)
    grown = []
    for _ in range(args.repeat):
        clear_caches()
        compare_articles(base, embedder=emb)  # type: ignore[arg-type]
        t = time.perf_counter()
        compare_articles(base + extra, embedder=emb)  # type: ignore[arg-type]
        grown.append(time.perf_counter() - t)

    d = cov.as_dict()
    print(f"story: {len(base)} articles, {texts} texts embedded cold, {len(d['shared'])} shared facts, "
          f"{len(d['quotes'])} quotes; embedder threads={inner.threads}; spaCy NER: {'yes' if spacy_loaded else 'no'}")
    print(f"model load (not in the figures below): {load:.2f} s")
    print(f"cold   {statistics.median(cold):.3f} s   (embedding {statistics.median(embed_s):.3f} s of it)")
    print(f"warm   {statistics.median(warm):.3f} s")
    print(f"grown  {statistics.median(grown):.3f} s   (21st article added, first 20 cached)")


if __name__ == "__main__":
    main()
