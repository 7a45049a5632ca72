"""Lone surrogates and undecodable file names are stored, never a crash (issue #21, item 5), and ids
with control characters stay reachable by URL (item 9)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient

from conftest import run_cli
from newsfold.api import create_app
from newsfold.config import Settings
from newsfold.ingest.feeds import parse_feed
from newsfold.model import Article
from newsfold.store import Store

TEXT = "The harbour festival of Lisbon opened on Monday with {n} boats, music and a parade along the river {w}."


def _row(i: int, **fields: str) -> str:
    # ensure_ascii: a lone surrogate can only be written as a JSON escape
    return json.dumps({"id": f"row-{i}", "text": TEXT.format(n=i, w=f"w{i}"), **fields}) + "\n"


def test_lone_surrogates_in_any_field_are_stored(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(_row(1) + _row(2, title="Bad \ud800 title") + _row(3, id="id-\udfff-3")
                   + _row(4, text="Text \ud800\udc00 reversed \udc00\ud800 " + TEXT.format(n=4, w="x"))
                   + _row(5, source="\udcff.example", lang="\ud800", url="https://x.example/\ud800"), encoding="ascii")
    db = tmp_path / "store"
    for _ in range(2):
        out = run_cli("ingest", str(src), "--db", str(db), "--set", "embedder=hash-bow")
        assert "0 rejected" in out.stdout
    with Store.read(db) as store:
        assert store.counts()["articles"] == 5
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {r[0] for r in store.conn.execute("SELECT id FROM articles")}
    assert "id-\ufffd-3" in ids


def test_a_file_name_that_is_not_utf8_is_stored(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    name = os.fsdecode(b"caf\xe9\xff.jsonl")
    (inp / name).write_text(_row(1) + "{broken\n", encoding="ascii")
    db = tmp_path / "store"
    for _ in range(2):
        out = run_cli("ingest", str(inp), "--db", str(db), "--skip-bad", "--set", "embedder=hash-bow")
    assert "read 2 items" in out.stdout and "0 rejected" in out.stdout
    with Store.read(db) as store:
        origin = store.conn.execute("SELECT origin FROM articles").fetchone()[0]
        rejected = store.conn.execute("SELECT origin FROM rejections").fetchone()[0]
    assert origin.endswith("caf\\xe9\\xff.jsonl:1") and rejected.endswith("caf\\xe9\\xff.jsonl:2")


def test_a_bad_character_reference_loses_only_itself() -> None:
    feed = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title><link>https://t.example/</link>
<item><title>One</title><link>https://t.example/1</link><description>Lisbon festival opened.</description></item>
<item><title>Bad &#xD800; two</title><link>https://t.example/2</link><description>Porto &#55296; strike.</description></item>
<item><title>Three</title><link>https://t.example/3</link><description>Porto strike ended.</description></item>
</channel></rss>"""
    items = list(parse_feed(feed, "f.rss"))
    assert [type(i) for i in items] == [Article] * 3
    assert items[1].title == "Bad \ufffd two"


def test_post_with_surrogates_is_refused_and_newline_ids_are_reachable(tmp_path: Path) -> None:
    db = tmp_path / "store"
    Store.open(db).close()
    surrogates = {"id": "a\ud800", "text": TEXT.format(n=1, w="\udc00"), "title": "T\ud800"}
    arts = [{"id": "line\none", "text": TEXT.format(n=2, w="two")}, {"id": "tab\tand\x1b[31mred", "text": TEXT}]
    auth = {"Authorization": "Bearer t", "Content-Type": "application/json"}
    with TestClient(create_app(db, Settings(embedder="hash-bow", api_token="t"))) as client:
        # JSON carries a lone surrogate only as an escape; the API's parser refuses it, saying where
        r = client.post("/api/articles", content=json.dumps({"articles": [surrogates]}), headers=auth)
        assert r.status_code == 422 and "articles.0.id" in r.text
        r = client.post("/api/articles", content=json.dumps({"articles": arts}), headers=auth)
        assert r.status_code == 200, r.text
        placed = {a["id"] for a in r.json()["articles"]}
        assert placed == {"line one", "tab and [31mred"}
        for article_id in placed:
            assert client.get(f"/api/articles/{quote(article_id, safe='')}").status_code == 200
            assert client.get(f"/articles/{quote(article_id, safe='')}").status_code == 200
        again = client.post("/api/articles", content=json.dumps({"articles": arts}), headers=auth).json()["counts"]
        assert again["articles"] == 0 and again["already_stored"] == 2
