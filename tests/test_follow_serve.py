"""``newsfold serve --follow``: the follower beside the web app in one process, one writer; the
pages show when stories were last updated and ``GET /api/stories?since=`` returns only what changed."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import run_cli
from follow_web import LocalWeb, feed_body, make_story, serve_pages

TOKEN = "follow-test-token"


def _wait(check, what: str, seconds: float = 60.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            got = check()
        except httpx.ConnectError:  # announced once bound; uvicorn listens a moment later
            got = None
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def test_serve_follow_updates_stories_and_since_returns_only_changes(tmp_path: Path) -> None:
    with LocalWeb(hosts=2) as web:
        stories = [make_story(n, web.base[1]) for n in range(12)]
        serve_pages(web, stories)
        feed = f"{web.base[0]}/feeds/0.xml"
        web.put(feed, feed_body("rss-summary", "feed", web.base[0], stories[:6])[0], content_type="application/rss+xml")
        sources = tmp_path / "sources.txt"
        sources.write_text(feed + "\n")
        db = tmp_path / "db"
        proc = subprocess.Popen(
            [sys.executable, "-m", "newsfold.cli", "serve", "--db", str(db), "--port", "0", "--follow", str(sources),
             "--every", "1s", "--set", "embedder=hash-bow", "--set", "follow_host_delay=0",
             "--set", f"api_token={TOKEN}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line.startswith("Serving "), line + proc.stderr.read()  # type: ignore[union-attr]
            base = line.split(" at ")[1].split("/ ")[0]
            first = _wait(lambda: httpx.get(f"{base}/api/stories").json()["stories"], "the first round's stories")
            assert sum(s["size"] for s in first) == 6
            mark = max(s["updated"] for s in first)
            assert httpx.get(f"{base}/api/stories", params={"since": mark}).json()["stories"] == []
            assert "updated " in httpx.get(f"{base}/").text

            # The store keeps one writer: the follower and HTTP ingest share it, a second process is refused.
            refused = run_cli("ingest", str(tmp_path / "sources.txt"), "--db", str(db), check=False)
            assert refused.returncode == 3 and "newsfold serve" in refused.stderr and "holds the writer lock" in refused.stderr
            posted = httpx.post(f"{base}/api/articles", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60,
                                json={"articles": [{"id": "posted-1", "title": "Quarrydown ferry timetable changes",
                                                    "text": "The ferry to Quarrydown runs every forty minutes "
                                                    "from Monday, the harbour office said.",
                                                    "date": "2026-05-02T10:00:00Z"}]})
            assert posted.status_code == 200, posted.text

            # New entries appear; the next rounds bring them, and `since` returns only the stories they changed.
            web.put(feed, feed_body("rss-summary", "feed", web.base[0], stories[:9])[0],
                    content_type="application/rss+xml")
            posted_story = posted.json()["articles"][0]["story_id"]
            changed = _wait(lambda: [s for s in httpx.get(f"{base}/api/stories", params={"since": mark}).json()
                                     ["stories"] if s["id"] != posted_story], "the changed story")
            assert all(s["updated"] > mark for s in changed)
            assert sum(s["size"] for s in httpx.get(f"{base}/api/stories").json()["stories"]) == 10
            naive = mark[:19]  # no zone: taken as UTC
            assert httpx.get(f"{base}/api/stories", params={"since": naive}).status_code == 200
            story = changed[0]["id"]
            assert "last updated" in httpx.get(f"{base}/stories/{story}").text
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=30)
    # The first round's line (a later one may be cut short: uvicorn re-raises SIGTERM once it has stopped).
    assert "6 pages fetched; 6 new articles" in err, err
