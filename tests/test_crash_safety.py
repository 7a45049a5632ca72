"""Crash safety and concurrency of ingest, with real processes.

A ``kill -9`` at random points of an ingest, each followed by the same ingest again, must end in
the store one clean run makes. Readers keep answering while an ingest writes; a second writer
gets a one-line error.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from web_fixtures import PAGES, generated_pages, write_pages, write_warc

from newsfold.demo import demo_corpus_path
from newsfold.errors import StoreError
from newsfold.store import Store

SEED = 20260414
KILLS = 5
INGEST_SETTINGS = ("--set", "batch_size=4")  # many commit points to land between


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus, six HTML pages (the last one undated) and a crawl of generated pages with skippable
    records."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copy(demo_corpus_path(), root / "demo.jsonl")
    write_pages(root / "pages", PAGES)
    write_warc(root / "crawl.warc.gz", pages=generated_pages(16))
    return root


def _ingest_cmd(corpus: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "newsfold.cli", "ingest", str(corpus), "--db", str(db), *INGEST_SETTINGS]


def _article_count(db: Path) -> int:
    """Articles committed so far, read while a writer may be at work (0 before the store exists)."""
    try:
        with Store.read(db) as store:
            return int(store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except (StoreError, sqlite3.OperationalError):
        return 0


def _snapshot(db: Path) -> dict[str, Any]:
    """Everything a run decides, without run ids; linking scores apart (compared to a float tolerance)."""
    with Store.read(db) as store:
        q = store.conn.execute
        articles = [tuple(r) for r in q(
            "SELECT seq, id, story_id, duplicate_of, title, text, date, source, url, lang, summary_only, "
            "origin, content_hash, raw FROM articles ORDER BY seq")]
        scores = [r[0] for r in q("SELECT score FROM articles ORDER BY seq")]
        stories = [tuple(r) for r in q("SELECT * FROM stories ORDER BY id")]
        rejections = sorted(tuple(r) for r in q("SELECT origin, reason, malformed, raw FROM rejections"))
    return {"articles": articles, "scores": scores, "stories": stories, "rejections": rejections}


def _assert_same_store(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert [a[1] for a in got["articles"]] == [a[1] for a in expected["articles"]]  # same ids, same order
    for key in ("articles", "stories", "rejections"):
        assert got[key] == expected[key], key
    assert got["scores"] == pytest.approx(expected["scores"], abs=1e-6)


def _assert_consistent(db: Path) -> None:
    """Stories agree with their articles: sizes, originals, no orphans on either side, copies beside originals."""
    with Store.read(db) as store:
        q = store.conn.execute
        by_story = {r[0]: (r[1], r[2]) for r in q(
            "SELECT story_id, COUNT(*), SUM(duplicate_of IS NULL) FROM articles GROUP BY story_id")}
        stories = {r[0]: (r[1], r[2]) for r in q("SELECT id, size, originals FROM stories")}
        assert stories == by_story
        bad_copies = q("SELECT COUNT(*) FROM articles a LEFT JOIN articles o ON a.duplicate_of = o.id "
                       "WHERE a.duplicate_of IS NOT NULL AND (o.id IS NULL OR o.story_id != a.story_id "
                       "OR o.duplicate_of IS NOT NULL)").fetchone()[0]
        assert bad_copies == 0
        seqs = [r[0] for r in q("SELECT seq FROM articles ORDER BY seq")]
        assert seqs == list(range(1, len(seqs) + 1))  # no hole left by a lost batch, no batch twice


@pytest.mark.slow
def test_kill_9_at_random_points_then_rerun_equals_one_clean_run(corpus: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    subprocess.run(_ingest_cmd(corpus, clean), check=True, capture_output=True)
    expected = _snapshot(clean)
    total = len(expected["articles"])
    assert total > 40

    rng = random.Random(SEED)
    db = tmp_path / "crashed"
    killed_at: list[tuple[int, int]] = []  # (articles before the run, articles when killed)
    for round_ in range(KILLS):
        before = _article_count(db)
        # One round dies before its first commit (start-up, reading, the rejections transaction); the others
        # a random few batches in, at a random moment after a commit.
        target = before if round_ == 1 else before + rng.randint(1, 8)
        delay = rng.uniform(0.0, 0.06)  # within about one batch: a random moment of the next batch
        with (tmp_path / f"round{round_}.log").open("wb") as log:
            proc = subprocess.Popen(_ingest_cmd(corpus, db), stdout=log, stderr=log)
            try:
                while proc.poll() is None and (_article_count(db) < target or (round_ == 1 and not db.exists())):
                    time.sleep(0.01)
                time.sleep(delay)
                if proc.poll() is None:  # it may have finished on its own meanwhile
                    os.kill(proc.pid, signal.SIGKILL)
            finally:
                proc.wait()
        killed_at.append((before, _article_count(db)))
        _assert_consistent(db)  # every intermediate store is whole, not only the last one

    print("kills (articles before, at kill):", killed_at, "of", total)
    mid = [(b, a) for b, a in killed_at if 0 < a < total]
    assert len(mid) >= 3, killed_at  # the kills really landed inside ingests
    done = subprocess.run(_ingest_cmd(corpus, db), check=True, capture_output=True, text=True)
    assert "already stored" in done.stdout
    _assert_same_store(_snapshot(db), expected)
    _assert_consistent(db)
    # And another run changes nothing.
    subprocess.run(_ingest_cmd(corpus, db), check=True, capture_output=True)
    _assert_same_store(_snapshot(db), expected)


class _Crash(Exception):
    pass


def test_resume_next_to_an_undated_article(tmp_path: Path) -> None:
    # An undated page right after a dated one in input order; the run stops (as a kill would) between the
    # batch holding the dated page and the batch holding the undated one, then runs again.
    from newsfold import config
    from newsfold.ingest import read_paths
    from newsfold.pipeline import Pipeline

    (tmp_path / "in").mkdir()
    write_warc(tmp_path / "in" / "crawl.warc.gz", pages=generated_pages(4), extras=False)
    write_pages(tmp_path / "in" / "pages", PAGES[4:6])  # PAGES[5] states no date
    settings = config.load(None, {"batch_size": 1})

    def ingest(db: Path, stop_after: int | None = None) -> None:
        def progress(done: int, total: int) -> None:
            if done == stop_after:
                raise _Crash

        with Store.open(db) as store:
            try:
                Pipeline(store, settings).run(read_paths([tmp_path / "in"]), progress=progress)
            except _Crash:
                pass

    ingest(tmp_path / "clean")
    expected = _snapshot(tmp_path / "clean")
    order = [a[1] for a in expected["articles"]]
    undated = next(a[1] for a in expected["articles"] if a[8] == PAGES[5].url)
    ingest(tmp_path / "resumed", stop_after=order.index(undated))  # the batch before the undated page
    ingest(tmp_path / "resumed")
    _assert_same_store(_snapshot(tmp_path / "resumed"), expected)


def test_readers_answer_while_an_ingest_writes(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "db"
    seen: list[tuple[int, int]] = []  # (articles, sum of story sizes), each from one read snapshot
    second_writer_refused = False
    with (tmp_path / "ingest.log").open("wb") as log:
        proc = subprocess.Popen(_ingest_cmd(corpus, db), stdout=log, stderr=log)
        try:
            while proc.poll() is None:
                try:
                    with Store.read(db) as store:
                        store.conn.execute("BEGIN")
                        articles = store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
                        sizes = store.conn.execute("SELECT COALESCE(SUM(size), 0) FROM stories").fetchone()[0]
                        store.stories(limit=5)  # what `serve` and `stories` ask
                        store.conn.execute("COMMIT")
                except (StoreError, sqlite3.OperationalError):
                    time.sleep(0.01)  # the store is not created yet
                    continue
                seen.append((articles, sizes))
                if articles and not second_writer_refused:
                    with pytest.raises(StoreError, match="another newsfold process is writing to"):
                        Store.open(db)
                    second_writer_refused = proc.poll() is None  # refused because the ingest held the lock
                time.sleep(0.005)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    assert proc.returncode == 0
    final = _article_count(db)
    assert all(a == s for a, s in seen)  # each read saw whole batches only: stories match articles
    partial = {a for a, _ in seen if 0 < a < final}
    assert len(partial) >= 3, sorted({a for a, _ in seen})  # answers came while the ingest was writing
    assert second_writer_refused


def test_second_writer_gets_a_one_line_error(tmp_path: Path) -> None:
    db = tmp_path / "db"
    with Store.open(db):
        proc = run_cli("ingest", str(demo_corpus_path()), "--db", str(db), check=False)
    assert proc.returncode == StoreError.exit_code
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == f"newsfold: error: another newsfold process is writing to {db}; wait for it to finish"
