"""Re-ingest adds nothing, whatever the path's spelling (issue #21, item 4)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_cli
from web_fixtures import PAGES, page_html, write_warc

from newsfold.store import Store


def _state(db: Path) -> tuple:
    with Store.read(db) as store:
        arts = sorted(tuple(r) for r in store.conn.execute("SELECT id, origin, story_id, duplicate_of FROM articles"))
        rejs = sorted(tuple(r) for r in store.conn.execute("SELECT origin, reason FROM rejections"))
    return arts, rejs


def _counts(stdout: str) -> dict[str, int]:
    m = re.search(r"read (\d+) items: (\d+) new articles, (\d+) copies, (\d+) already stored, (\d+) rejected", stdout)
    assert m, stdout
    return dict(zip(("items", "new", "copies", "stored", "rejected"), map(int, m.groups())))


def test_any_spelling_of_the_input_path_adds_nothing(tmp_path: Path) -> None:
    html = tmp_path / "input" / "html"
    html.mkdir(parents=True)
    (html / "with-url.html").write_bytes(page_html(PAGES[0]))
    (html / "no-url.html").write_bytes(page_html(PAGES[1], canonical=False))
    (html / "rows.jsonl").write_text(
        json.dumps({"id": "row-1", "text": "The Talvik ferry resumed service on Monday after a storm, the operator "
                    "said, with 14 crossings a day until the end of the month."}) + "\n{not json\n")
    write_warc(html / "crawl.warc.gz", PAGES[2:4])  # request, redirect, image...: rejections not malformed
    db = tmp_path / "store"
    first = _counts(run_cli("ingest", "input/html", "--db", str(db), "--skip-bad", "--set", "embedder=hash-bow",
                            cwd=tmp_path).stdout)
    assert first["new"] + first["copies"] >= 4 and first["rejected"] > 0
    state = _state(db)
    for spelling in (str(html), "./input//html/", "input/../input/html", "input/html"):
        out = run_cli("ingest", spelling, "--db", str(db), "--skip-bad", "--set", "embedder=hash-bow", cwd=tmp_path)
        again = _counts(out.stdout)
        assert (again["new"], again["copies"], again["rejected"]) == (0, 0, 0), (spelling, out.stdout, out.stderr)
        assert again["stored"] == again["items"] == first["items"]
        assert _state(db) == state, spelling
