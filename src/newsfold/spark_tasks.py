"""The work the Spark job does inside executors: plain Python over rows, no Spark imports.

Each function reuses the embedded engine's step (readers, ``normalize``, ``CopyDetector``,
the embedder, ``extract``, ``StoryLinker``) so the batch job decides as ``newsfold cluster``
does. Models are loaded once per Python worker process (module-level caches); Spark reuses
workers between tasks, so that is once per executor core in practice.
"""
from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .model import Article, Item, Rejection

# A date earlier than any real one: undated articles before the first dated one sort first.
UNDATED_FIRST_US = -(2**62)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

ITEM_SCHEMA = (
    "file_idx long, pos long, origin string, reject string, malformed boolean, id string, title string, "
    "text string, date string, ts long, source string, url string, lang string, summary_only boolean, "
    "content_hash string, minhash binary, bands array<long>"
)

_cache: dict[Any, Any] = {}


def _cached(key: Any, make: Any) -> Any:
    if key not in _cache:
        _cache[key] = make()
    return _cache[key]


def micros(dt: datetime) -> int:
    """Exact microseconds since the epoch (floats would blur ties between close dates)."""
    return (dt - _EPOCH) // _ONE_US


_ONE_US = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - _EPOCH


# -- reading and normalising ---------------------------------------------------------------
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) exactly as datasketch's MinHashLSH picks them for the detector,
    so a pair is a candidate here exactly when it would be one in the embedded engine."""
    from datasketch import MinHashLSH

    lsh = _cached(("lsh", threshold, num_perm), lambda: MinHashLSH(threshold=threshold, num_perm=num_perm))
    return int(lsh.b), int(lsh.r)


def band_hashes(sig: np.ndarray, bands: int, rows: int) -> list[int]:
    """One 64-bit key per band: equal keys mean equal band slices (up to 2^-64 collisions)."""
    out = []
    for b in range(bands):
        digest = hashlib.blake2b(sig[b * rows : (b + 1) * rows].tobytes(), digest_size=8, person=b"nf-band").digest()
        out.append(int.from_bytes(digest, "big", signed=True))
    return out


def _detector(settings: dict[str, Any]) -> Any:
    from .dedup import CopyDetector

    key = ("detector", settings["dedup_threshold"], settings["minhash_perm"], settings["shingle_words"])
    return _cached(key, lambda: CopyDetector(settings["dedup_threshold"], settings["minhash_perm"],
                                             settings["shingle_words"]))


def item_rows(file_idx: int, path: str, settings: dict[str, Any], shown_as: str | None = None) -> Iterator[tuple]:
    """Every item of one local file as ITEM_SCHEMA rows, in file order. ``shown_as`` replaces
    the local path in origins (a remote file spilled to a temporary copy keeps its own name)."""
    from .ingest import READERS, sniff

    p = Path(path)
    try:
        reader = READERS[sniff(p)]
        items: Iterator[Item] = reader(p)
    except OSError as exc:
        items = iter([Rejection(str(p), f"unreadable file: {exc.strerror or exc}")])
    for pos, item in enumerate(items):
        if shown_as is not None:
            item = _renamed(item, path, shown_as)
        yield item_row(file_idx, pos, item, settings)


def _renamed(item: Item, path: str, shown_as: str) -> Item:
    origin = shown_as + item.origin[len(path):] if item.origin.startswith(path) else item.origin
    if isinstance(item, Rejection):
        return Rejection(origin, item.reason, item.raw, item.malformed)
    return item.with_(origin=origin)


def remote_item_rows(file_idx: int, uri: str, content: bytes, settings: dict[str, Any]) -> Iterator[tuple]:
    """A file read through Hadoop (hdfs://, s3a://, ...): spill to a local temporary file, then
    read it with the same reader as a local file."""
    tmp = tempfile.mkdtemp(prefix="newsfold-spark-")
    try:
        local = os.path.join(tmp, Path(uri).name or "input")
        with open(local, "wb") as fh:
            fh.write(content)
        yield from item_rows(file_idx, local, settings, shown_as=uri)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def record_rows(file_idx: int, path: str, records: list[tuple[int, dict[str, Any]]],
                settings: dict[str, Any]) -> Iterator[tuple]:
    """Rows of a Parquet file (row index, column mapping) through the JSONL reader's record rules."""
    import json

    from .ingest.tabular import from_record

    for row_index, rec in records:
        raw = json.dumps(rec, ensure_ascii=False, default=str).encode("utf-8")
        yield item_row(file_idx, row_index, from_record(rec, f"{path}#row={row_index}", raw), settings)


def item_row(file_idx: int, pos: int, item: Item, settings: dict[str, Any]) -> tuple:
    """Normalise one item as the pipeline does (size limit, then ``normalize``) and add its
    copy-detection data: content hash, MinHash signature and LSH band keys."""
    from .normalize import content_hash, normalize

    if isinstance(item, Article) and len(item.raw) > settings["max_item_bytes"]:
        item = Rejection(item.origin, f"too large: {len(item.raw)} bytes > max_item_bytes", item.raw[:1000])
    if isinstance(item, Article):
        item = normalize(item)
    if isinstance(item, Rejection):
        return (file_idx, pos, item.origin, item.reason, item.malformed, *([None] * 12))
    a: Article = item
    sig = _detector(settings).signature(a.text)
    bands, rows = lsh_bands(settings["dedup_threshold"], settings["minhash_perm"])
    return (
        file_idx, pos, a.origin, None, False, a.id, a.title, a.text,
        a.date.isoformat() if a.date else None, micros(a.date) if a.date else None,
        a.source, a.url, a.lang, bool(a.summary_only), content_hash(a.text), sig.tobytes(),
        band_hashes(sig, bands, rows),
    )


# -- copies --------------------------------------------------------------------------------
def replay_copies(members: list[tuple[int, str, str, bytes]], settings: dict[str, Any]) -> list[tuple]:
    """The embedded engine's copy decisions for one connected component of candidate pairs.

    ``members`` are (seq, id, content_hash, minhash). In stream order, an article copies the
    first earlier original with its content hash, else the earlier original that shares an LSH
    band with it and has the highest estimated Jaccard at or above the threshold (ties: the
    earlier). Copies are never matched themselves, as in ``CopyDetector``. Returns
    (seq, duplicate_of id, duplicate_of seq, similarity) for each copy.
    """
    threshold = settings["dedup_threshold"]
    bands, rows = lsh_bands(threshold, settings["minhash_perm"])
    by_hash: dict[str, tuple[int, str]] = {}
    originals: list[tuple[int, str, np.ndarray]] = []
    out = []
    for seq, art_id, chash, minhash in sorted(members):
        sig = np.frombuffer(minhash, dtype=np.uint32)
        exact = by_hash.get(chash)
        if exact is not None:
            out.append((seq, exact[1], exact[0], 1.0))
            continue
        best: tuple[float, int, str] | None = None
        for o_seq, o_id, o_sig in originals:
            if not any(np.array_equal(sig[b * rows : (b + 1) * rows], o_sig[b * rows : (b + 1) * rows])
                       for b in range(bands)):
                continue  # not an LSH candidate: the embedded engine never compares them
            sim = float(np.mean(o_sig == sig))
            if sim >= threshold and (best is None or sim > best[0]):
                best = (sim, o_seq, o_id)
        if best is not None:
            out.append((seq, best[2], best[1], best[0]))
            continue
        by_hash.setdefault(chash, (seq, art_id))
        originals.append((seq, art_id, sig))
    return out


# -- embedding and features ----------------------------------------------------------------
def _embedder(name: str, threads: int) -> Any:
    from .embed import UseEmbedder, get_embedder

    if name == "use-m3":
        return _cached(("embedder", name, threads), lambda: UseEmbedder(threads=threads))
    return _cached(("embedder", name), lambda: get_embedder(name))


def embed_chunk(rows: list[dict[str, Any]], settings: dict[str, Any], threads: int) -> list[tuple[int, bytes, str]]:
    """Embed and extract features for the originals of one chunk of the stream.

    A chunk is what one pipeline batch holds (``batch_size`` consecutive articles in stream
    order), and its originals go to the embedder in one call as the pipeline sends them: the
    embedder's padding makes vectors depend (by ~1e-7) on batch company, so fixing the company
    makes the result independent of Spark's partitioning and equal to the embedded engine's.
    """
    from .features import extract
    from .normalize import parse_date
    from .store import features_to_json
    from .text import lead

    rows = sorted(rows, key=lambda r: r["seq"])
    embs = _embedder(settings["embedder"], threads).encode(
        [lead(r["text"], r["title"], settings["lead_words"]) for r in rows])
    out = []
    for r, emb in zip(rows, embs):
        feats = extract(r["text"], r["title"], r["lang"], parse_date(r["date"]), emb)
        out.append((r["seq"], feats.emb.astype(np.float32).tobytes(), features_to_json(feats)))
    return out


def embed_partition(frames: Iterator[Any], settings: dict[str, Any], threads: int) -> Iterator[Any]:
    """``mapInPandas`` body: frames arrive sorted by (chunk, seq); a chunk may straddle frames,
    so the last chunk of each frame waits for the next one."""
    import pandas as pd

    pending: list[dict[str, Any]] = []

    def flush(rows: list[dict[str, Any]]) -> Any:
        out: list[tuple[int, bytes, str]] = []
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i]["chunk"] != rows[start]["chunk"]:
                out += embed_chunk(rows[start:i], settings, threads)
                start = i
        return pd.DataFrame(out, columns=["seq", "emb", "features"])

    for frame in frames:
        rows = pending + [_clean(r) for r in frame.to_dict("records")]
        if not rows:
            continue
        last = rows[-1]["chunk"]
        cut = next(i for i in range(len(rows)) if rows[i]["chunk"] == last)
        pending = rows[cut:]
        if cut:
            yield flush(rows[:cut])
    if pending:
        yield flush(pending)


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """pandas gives NaN or NA for missing strings; the engine expects '' (or None for a date)."""
    out = {}
    for k, v in row.items():
        missing = v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("<NA>", "NaT")
        out[k] = (None if k == "date" else "") if missing else v
    return out


# -- linking inside a time block ------------------------------------------------------------
def _model(path: str) -> Any:
    from .similarity import PairModel

    return _cached(("pair_model", path), lambda: PairModel.load(path or None))


def link_block(rows: list[dict[str, Any]], settings: dict[str, Any]) -> list[tuple[int, int, float]]:
    """The embedded engine's linking decision over one block's originals, in stream order.

    Returns (seq, seq of the local story's first article, score) for every row.
    """
    from .link import StoryLinker, story_id_for
    from .normalize import parse_date
    from .store import features_from_row

    linker = StoryLinker(
        _model(settings["pair_model"]),
        threshold=settings["link_threshold"],
        window_days=settings["window_days"],
        max_candidates=settings["max_candidates"],
        members_per_story=settings["members_per_story"],
    )
    opener: dict[str, int] = {}
    out = []
    for r in sorted(rows, key=lambda r: r["seq"]):
        feats = features_from_row(r["features"], r["emb"], parse_date(r["date"]))
        story, score = linker.link(r["id"], feats)
        if story == story_id_for(r["id"]) and story not in opener:
            opener[story] = r["seq"]
        out.append((r["seq"], opener[story], float(score)))
    return out


def clean_rows(frame: Any) -> list[dict[str, Any]]:
    return [_clean(r) for r in frame.to_dict("records")]
