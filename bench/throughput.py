"""Throughput of the full pipeline against its floor, the embedding alone.

    python bench/throughput.py --n 3000 [--json] [--embedder use-m3] [--keep DIR] [--embed-sample K] [--dedup-sample K] [--per-day R]

A synthetic stream of N articles is cut from the real texts in ../shared/data (sentence windows
of random texts, dates spread over six months or at a fixed rate with ``--per-day``, 10% syndicated copies with a footer), written as
JSONL and ingested into a fresh store with the real pipeline, in-process. Then the same leads
are embedded alone with the same model, and the copy detector alone is run over the texts.
Prints pipeline articles/s, embedding-only articles/s, their ratio, dedup-only articles/s,
peak RSS and store bytes per article. Without ../shared/data it cuts the demo corpus instead.
``--embed-sample K`` times the embedding floor on the first K leads only (a rate per article,
so a sample suffices for large N), ``--dedup-sample K`` likewise for copy detection. The stream
lives in a file, not in this process, while the pipeline runs, and peak RSS is taken as the
pipeline ends, before the samples are read: it is the pipeline's.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import sys
import tempfile
import time
import zlib
from collections import deque
from functools import lru_cache
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


ERA_DAYS = 360  # with --per-day: the texts are re-told with other names and numbers every ERA_DAYS
_SYLLABLES = ("ka", "lo", "mi", "ren", "tas", "vo", "bel", "dor", "fi", "gu", "han", "jes", "mor", "nal", "pi",
              "sut", "ar", "bri", "cel", "dra", "en", "ful", "gar", "hol", "is", "kor", "lan", "mae", "nor", "os",
              "quin", "ves")


_WORD_AFTER_SPACE = re.compile(r"(?<=\s)[^\W\d_]{2,}")


@lru_cache(maxsize=200_000)
def _rename(word: str, era: int) -> str:
    h = zlib.crc32(f"{era}:{word}".encode("utf-8"))
    return "".join(_SYLLABLES[(h >> (5 * j)) & 31] for j in range(3)).capitalize()


def _retell(sentence: str, era: int) -> str:
    """The sentence as another event of the same kind: capitalised words after the first (names,
    mostly) become made-up names and digits are shifted, both fixed per era."""
    digits = str.maketrans("0123456789", "".join(str((d + 3 * era) % 10) for d in range(10)))
    named = _WORD_AFTER_SPACE.sub(lambda m: _rename(m[0], era) if m[0][0].isupper() else m[0], sentence)
    return named.translate(digits)


def synthetic_stream(n: int, seed: int = 7, per_day: float | None = None) -> Iterator[dict]:
    """The stream, one article at a time: a copy repeats one of the 200 articles before it.

    Dates: without ``per_day``, uniform over six months whatever ``n`` (the documented default);
    with it, a fixed arrival rate: article i is dated in the day after ``i / per_day`` days, so the
    stream comes roughly in date order and a larger ``n`` covers a longer span, as a real feed does.
    The source texts are few (about 12,000), so a long stream would re-tell the same events and
    most of it would be near copies of articles years older; with ``per_day``, each era of
    ERA_DAYS (two linking windows) re-tells them with other names and numbers (``_retell``): within
    an era re-cuts of one text are near copies and one story, as before; across eras they are other
    events. The first era is the texts as they are, so up to ERA_DAYS * per_day articles the stream
    is the plain fixed-rate one.
    """
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
            if per_day:
                date = start + timedelta(days=i / per_day, minutes=rng.randrange(0, 24 * 60))
                era = int(i / per_day // ERA_DAYS)
                if era:
                    cut = [_retell(sent, era) for sent in cut]
            else:
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
    ap.add_argument("--per-day", type=float, metavar="R",
                    help="fixed arrival rate: R articles a day, so N covers N/R days (default: six months whatever N)")
    ap.add_argument("--dedup-sample", type=int, metavar="K", help="time copy detection alone on K articles (default: all)")
    ap.add_argument("--embed-sample", type=int, metavar="K", help="time the embedding floor on K leads (default: all)")
    args = ap.parse_args()

    settings = config.load(None, {"embedder": args.embedder})
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "stream.jsonl"
        with src.open("w") as out:
            for r in synthetic_stream(args.n, per_day=args.per_day):
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        _rename.cache_clear()
        db = Path(args.keep or Path(tmp) / "store")
        embedder = get_embedder(args.embedder)
        embedder.encode(["warm-up"])  # model load is not per-article cost
        t0 = time.perf_counter()
        with Store.open(db) as store:
            counts = Pipeline(store, settings, embedder=embedder).run(read_paths([src]))
            n_stories = store.counts()["stories"]
        pipeline_s = time.perf_counter() - t0
        pipeline_rss = peak_rss_mb()  # before this process reads any of the stream itself
        store_bytes = sum(p.stat().st_size for p in db.iterdir() if p.is_file())

        sample = max(args.embed_sample or args.n, args.dedup_sample or args.n)
        rows = []
        with src.open() as f:
            for line in itertools.islice(f, sample):
                rows.append(json.loads(line))
        leads = [lead(r["text"], r["title"], settings.lead_words) for r in rows[: args.embed_sample or args.n]]
        t0 = time.perf_counter()
        embedder.encode(leads)
        embed_s = time.perf_counter() - t0

        det = CopyDetector(settings.dedup_threshold, settings.minhash_perm, settings.shingle_words)
        dedup_rows = rows[: args.dedup_sample or args.n]
        t0 = time.perf_counter()
        for r in dedup_rows:
            h, sig = content_hash(r["text"]), det.signature(r["text"])
            if det.find(h, sig) is None:
                det.add(r["id"], h, sig)
        dedup_s = time.perf_counter() - t0

    result = {
        "n": args.n,
        "embedder": args.embedder,
        "per_day": args.per_day,
        "pipeline_articles_per_s": round(args.n / pipeline_s, 1),
        "embed_only_articles_per_s": round(len(leads) / embed_s, 1),
        "pipeline_to_embed_ratio": round((args.n / pipeline_s) / (len(leads) / embed_s), 3),
        "dedup_only_articles_per_s": round(len(dedup_rows) / dedup_s, 1),
        "peak_rss_mb": round(pipeline_rss, 1),
        "pipeline_s": round(pipeline_s, 1),
        "store_bytes_per_article": round(store_bytes / args.n),
        "originals": counts.articles,
        "copies": counts.duplicates,
        "stories": n_stories,
        "originals_per_s": round(counts.articles / pipeline_s, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:<28} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
