"""``kill -9`` of ``newsfold follow --once`` in a round, then the same command again: the store one
clean round makes (compared as tests/test_crash_safety.py compares ingests)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from follow_web import FEED_KINDS, LocalWeb, feed_body, make_story, serve_pages, story_page
from test_crash_safety import _article_count, _assert_consistent, _assert_same_store, _snapshot

SEED = 20261203
# Small batches and slices: many commit points, and slice boundaries for a resumed round to get right.
SETTINGS = ("--set", "embedder=hash-bow", "--set", "follow_host_delay=0", "--set", "batch_size=4",
            "--set", "follow_slice=25", "--set", "follow_timeout=10")


def _follow(sources: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "newsfold.cli", "follow", str(sources), "--db", str(db), "--once", *SETTINGS]


def test_kill_9_in_a_round_then_once_again_equals_one_clean_round(tmp_path: Path) -> None:
    with LocalWeb(hosts=2) as web:
        stories = [make_story(n, web.base[n % 2]) for n in range(120)]
        for n in range(5, 120, 4):  # undated: each sorts after the dated entry before it, stored or not
            stories[n].date = None
        serve_pages(web, stories)
        for s in stories[5::8]:  # undated in the feeds, dated a day earlier on the page: the pipeline reorders
            web.put(s.url, story_page(s, date=stories[s.n - 1].date - timedelta(days=1)))
        feeds = []
        for k in range(12):
            listed = stories[10 * k: 10 * k + 10] + ([stories[10 * k + 12]] if k < 11 else [])  # overlaps
            body, ctype = feed_body(FEED_KINDS[k % len(FEED_KINDS)], f"feed {k}", web.base[0], listed)
            url = f"{web.base[0]}/feeds/{k}.xml"
            web.put(url, body, content_type=ctype)
            feeds.append(url)
        sources = tmp_path / "sources.txt"
        sources.write_text("\n".join(feeds) + "\n")

        clean = tmp_path / "clean"
        subprocess.run(_follow(sources, clean), check=True, capture_output=True)
        expected = _snapshot(clean)
        total = len(expected["articles"])
        assert total == 120

        rng = random.Random(SEED)
        db = tmp_path / "crashed"
        killed_at = []
        for round_ in range(3):
            before = _article_count(db)
            target = before + rng.randint(4, 30)
            with (tmp_path / f"kill{round_}.log").open("wb") as log:
                proc = subprocess.Popen(_follow(sources, db), stdout=log, stderr=log)
                try:
                    while proc.poll() is None and _article_count(db) < target:
                        time.sleep(0.01)
                    time.sleep(rng.uniform(0.0, 0.05))
                    if proc.poll() is None:
                        os.kill(proc.pid, signal.SIGKILL)
                finally:
                    proc.wait()
            killed_at.append((before, _article_count(db)))
            _assert_consistent(db)
        assert len([1 for b, a in killed_at if 0 < a < total]) >= 2, killed_at  # the kills landed inside rounds

        done = subprocess.run(_follow(sources, db), check=True, capture_output=True, text=True)
        assert "12 changed" in done.stderr  # the killed rounds saved no feed state: all polled afresh
        _assert_same_store(_snapshot(db), expected)
        _assert_consistent(db)

        # The next round finds every feed unchanged and changes nothing.
        mark = len(web.requests())
        again = subprocess.run(_follow(sources, db), check=True, capture_output=True, text=True)
        assert "12 unchanged" in again.stderr, again.stderr
        asked = [(u, st) for u, st in web.requests(mark) if not u.endswith("/robots.txt")]  # a new process asks once
        assert sorted(asked) == sorted((f, 304) for f in feeds)
        _assert_same_store(_snapshot(db), expected)
