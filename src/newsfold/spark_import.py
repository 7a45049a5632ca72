"""``newsfold import DIR --db STORE``: load the Spark job's Parquet tables into a SQLite store.

The rows keep the job's stream order (``seq``), features, embeddings and MinHash signatures,
and the store records the job's versions, so ``stories``, ``show`` and ``serve`` work on the
result and a later ``newsfold ingest`` into the same store links new articles to its stories.
Needs pyarrow (the ``spark`` extra), not Spark or Java.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import InputError, MissingDependency, StoreError
from .store import Store

BATCH_ROWS = 1000


def _fragments_in_order(table_dir: Path) -> list[Any]:
    """The part files of a table, by their first ``seq`` (Spark names parts, it does not order them)."""
    try:
        import pyarrow.dataset as ds
    except ImportError as exc:
        raise MissingDependency("pyarrow", "newsfold import") from exc
    if not table_dir.is_dir():
        raise InputError(f"{table_dir} is missing: is {table_dir.parent} the --out directory of 'newsfold spark'?")
    dataset = ds.dataset(str(table_dir), format="parquet", exclude_invalid_files=True)
    firsts = []
    for frag in dataset.get_fragments():
        seqs = frag.to_table(columns=["seq"]).column("seq")
        if len(seqs):
            firsts.append((seqs[0].as_py(), frag))
    return [frag for _, frag in sorted(firsts, key=lambda t: t[0])]


def _rows(table_dir: Path) -> Iterator[dict[str, Any]]:
    last = 0
    for frag in _fragments_in_order(table_dir):
        for batch in frag.to_batches():
            for row in batch.to_pylist():
                if row["seq"] <= last:
                    raise InputError(f"{table_dir}: rows are not in stream order at seq {row['seq']}; "
                                     "re-run 'newsfold spark' to rewrite the tables")
                last = row["seq"]
                yield row


def import_tables(out_dir: str | Path, db: str | Path) -> dict[str, int]:
    """Load ``articles`` and ``rejections`` from a job's output into a new (empty) store."""
    import pyarrow.parquet as pq

    base = Path(out_dir)
    run_info = pq.read_table(str(base / "run")).to_pylist() if (base / "run").is_dir() else []
    if not run_info:
        raise InputError(f"{base}/run is missing: is {base} the --out directory of a finished 'newsfold spark'?")
    info = run_info[0]
    run_id = "spark-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    with Store.open(db) as store:
        if store.counts()["articles"]:
            raise StoreError(f"{db} already holds articles; import into a new --db directory")
        stories: set[str] = set()
        n = 0
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            with store.transaction():
                for row in batch:
                    store.insert_article(row)
            batch.clear()

        with store.transaction():
            store.set_meta("versions", info["versions"])
            store.conn.execute("INSERT INTO runs (id, started, versions, counts) VALUES (?, ?, ?, ?)",
                               (run_id, info["finished"], info["versions"], info["counts"]))
        for r in _rows(base / "articles"):
            batch.append({
                "seq": r["seq"], "id": r["id"], "title": r["title"] or "", "text": r["text"], "date": r["date"],
                "source": r["source"] or "", "url": r["url"] or "", "lang": r["lang"] or "",
                "summary_only": int(bool(r["summary_only"])), "origin": r["origin"],
                "content_hash": r["content_hash"], "duplicate_of": r["duplicate_of"], "story_id": r["story"],
                "score": float(r["score"]), "features": r["features"], "emb": r["emb"], "minhash": r["minhash"],
                "raw": b"", "run": run_id,
            })
            stories.add(r["story"])
            n += 1
            if len(batch) >= BATCH_ROWS:
                flush()
        flush()
        rejections = pq.read_table(str(base / "rejections")).to_pylist() if (base / "rejections").is_dir() else []
        ordered = sorted(stories)
        with store.transaction():
            for rej in rejections:
                store.insert_rejection(rej["origin"], rej["reason"], bool(rej["malformed"]), b"", run_id)
            for start in range(0, len(ordered), BATCH_ROWS):
                store.refresh_stories(ordered[start : start + BATCH_ROWS])
        return {"articles": n, "stories": len(stories), "rejections": len(rejections)}


def counts_line(counts: dict[str, int], db: str | Path) -> str:
    return f"imported {counts['articles']} articles in {counts['stories']} stories " \
           f"({counts['rejections']} rejections) into {db}"


def load_run(out_dir: str | Path) -> dict[str, Any]:
    """The job's run record: versions, counts and settings (as dicts)."""
    import pyarrow.parquet as pq

    info = pq.read_table(str(Path(out_dir) / "run")).to_pylist()[0]
    return {**info, **{k: json.loads(info[k]) for k in ("versions", "counts", "settings")}}
