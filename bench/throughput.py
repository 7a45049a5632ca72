"""Throughput of the full pipeline against its floor, the embedding alone.

    python bench/throughput.py --n 3000 [--json] [--embedder use-m3] [--keep DIR] [--embed-sample K]

A synthetic stream of N articles is cut from the real texts in ../shared/data (sentence windows
of random texts, dates spread over six months, 10% syndicated copies with a footer), written as
JSONL and ingested into a fresh store with the real pipeline, in-process. Then the same leads
are embedded alone with the same model, and the copy detector alone is run over the texts.
Prints pipeline articles/s, embedding-only articles/s, their ratio, dedup-only articles/s,
peak RSS and store bytes per article. Without ../shared/data it cuts the demo corpus instead.
``--embed-sample K`` times the embedding floor on the first K leads only (a rate per article,
so a sample suffices for large N). The stream lives in a file, not in this process, while the
pipeline runs, so peak RSS is the pipeline's.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from newsfold import config
from newsfold.dedup import CopyDetector
from newsfold.demo import demo_corpus_path
from newsfold.embed import get_embedder
from newsfold.evaluation import load_jsonl, shared_data_dir
from newsfold.ingest import read_paths
from newsfold.normalize import content_hash
from newsfold.pipeline import Pipeline
from newsfold.store import Store
from newsfold.text import lead, sentences


def source_texts() -> list[tuple[str, str]]:
    data = shared_data_dir()
    out: list[tuple[str, str]] = []
    if data is None:
        return [(r["text"], r["lang"]) for r in load_jsonl(demo_corpus_path())]
    for name in ("giveme5w1h_events", "ecbplus_events"):
        out += [(r["text"], r["lang"]) for r in load_jsonl(data / f"{name}.jsonl")]
    for r in load_jsonl(data / "semeval2022_t8_dev.jsonl"):
        out += [(r["text1"], r["lang1"]), (r["text2"], r["lang2"])]
    return out


def synthetic_stream(n: int, seed: int = 7) -> Iterator[dict]:
    """The stream, one article at a time: a copy repeats one of the 200 articles before it."""
    rng = random.Random(seed)
    texts = [(sentences(t), lang) for t, lang in source_texts()]
    texts = [(s, lang) for s, lang in texts if len(s) >= 4]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    recent: deque[dict] = deque(maxlen=200)
    for i in range(n):
        if recent and rng.random() < 0.10:
            orig = rng.choice(recent)
            row = {**orig, "id": f"a{i}", "source": f"copy{rng.randrange(50)}.example",
                   "text": orig["text"] + "\n\nDistributed by a wire service. All rights reserved.",
                   "date": orig["date"]}
        else:
            sents, lang = rng.choice(texts)
            k = rng.randrange(0, max(1, len(sents) - 3))
            cut = sents[k : k + rng.randint(4, 12)]
            date = start + timedelta(minutes=rng.randrange(0, 180 * 24 * 60))
            row = {"id": f"a{i}", "title": cut[0][:120], "text": "\n\n".join(cut[1:]) or cut[0],
                   "date": date.isoformat(), "source": f"outlet{rng.randrange(200)}.example", "lang": lang}
        recent.append(row)
        yield row


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--embedder", default="use-m3")
    ap.add_argument("--keep", metavar="DIR", help="keep the store in DIR (default: a temporary directory)")
    ap.add_argument("--embed-sample", type=int, metavar="K", help="time the embedding floor on K leads (default: all)")
    args = ap.parse_args()

    settings = config.load(None, {"embedder": args.embedder})
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "stream.jsonl"
        with src.open("w") as out:
            for r in synthetic_stream(args.n):
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        db = Path(args.keep or Path(tmp) / "store")
        embedder = get_embedder(args.embedder)
        embedder.encode(["warm-up"])  # model load is not per-article cost
        t0 = time.perf_counter()
        with Store.open(db) as store:
            counts = Pipeline(store, settings, embedder=embedder).run(read_paths([src]))
            n_stories = store.counts()["stories"]
        pipeline_s = time.perf_counter() - t0
        store_bytes = sum(p.stat().st_size for p in db.iterdir() if p.is_file())

        rows = load_jsonl(src)
        leads = [lead(r["text"], r["title"], settings.lead_words) for r in rows[: args.embed_sample or args.n]]
        t0 = time.perf_counter()
        embedder.encode(leads)
        embed_s = time.perf_counter() - t0

        det = CopyDetector(settings.dedup_threshold, settings.minhash_perm, settings.shingle_words)
        t0 = time.perf_counter()
        for r in rows:
            h, sig = content_hash(r["text"]), det.signature(r["text"])
            if det.find(h, sig) is None:
                det.add(r["id"], h, sig)
        dedup_s = time.perf_counter() - t0

    result = {
        "n": args.n,
        "embedder": args.embedder,
        "pipeline_articles_per_s": round(args.n / pipeline_s, 1),
        "embed_only_articles_per_s": round(len(leads) / embed_s, 1),
        "pipeline_to_embed_ratio": round((args.n / pipeline_s) / (len(leads) / embed_s), 3),
        "dedup_only_articles_per_s": round(args.n / dedup_s, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "store_bytes_per_article": round(store_bytes / args.n),
        "originals": counts.articles,
        "copies": counts.duplicates,
        "stories": n_stories,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:<28} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
