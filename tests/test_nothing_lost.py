"""Property test of issue #21's promise: every input item ends as an article, a copy or a rejection
with a reason, whatever the text (every Unicode block, lone surrogates, invalid byte sequences) and
whatever the language code (all of ISO 639-1, junk), through the file readers and through
``POST /api/articles``; the store stays sound and a second identical run adds nothing.

Each Hypothesis example is a whole input (JSONL, CSV, HTML, feed, plain text and binary files, some
20 items) run in-process with the fast ``hash-bow`` embedder: the accounting is under test here, not
the linker's quality. The module prints how many examples and input items ran; CI's run is sized
at over 5,000 items (NEWSFOLD_NOTHING_LOST_EXAMPLES raises it).
"""
from __future__ import annotations

import csv
import html
import io
import json
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from iso639 import ISO_639_1, JUNK_LANGS

from newsfold.api import create_app
from newsfold.config import Settings
from newsfold.embed import get_embedder
from newsfold.ingest import read_paths
from newsfold.pipeline import Pipeline
from newsfold.similarity import PairModel
from newsfold.store import Store

EXAMPLES = int(os.environ.get("NEWSFOLD_NOTHING_LOST_EXAMPLES", "220"))
HTTP_EXAMPLES = int(os.environ.get("NEWSFOLD_NOTHING_LOST_HTTP_EXAMPLES", "120"))
FAST = Settings(embedder="hash-bow", api_token="tok", max_item_bytes=20_000)
CASES: Counter[str] = Counter()
_ENGINE: dict[str, object] = {}

# -- text from every block of Unicode ---------------------------------------------------------
# A word is drawn from one 128-code-point block anywhere in Unicode (so every script's letters,
# marks and digits meet the tokenizers as words), or is a real word of a few scripts (so texts
# are long enough to become articles, and near copies happen).
REAL = ("harbour festival Lisbon ferry strike Porto union boats Monday " "東京 地震 発生 した 北京 批准 预算 "
        "서울 예산 승인했다 กรุงเทพมหานคร แผ่นดินไหว Москва совет утвердил القاهرة المدينة ميزانية 2026 3.4 40").split()
block_word = st.integers(0, 0x10FFFF // 128).flatmap(
    lambda b: st.text(st.characters(min_codepoint=b * 128, max_codepoint=min(b * 128 + 127, 0x10FFFF),
                                    categories=None, exclude_characters="\n\r"), min_size=1, max_size=10))
word = st.one_of(block_word, st.sampled_from(REAL), st.sampled_from(REAL))
text = st.lists(word, min_size=0, max_size=60).map(" ".join)
langs = st.one_of(st.sampled_from(ISO_639_1), st.sampled_from(JUNK_LANGS), st.text(max_size=6))
dates = st.one_of(st.none(), st.sampled_from(["2026-03-01", "2026-03-02T10:00:00Z", "9999-12-31", "0000-00-00",
                                              "yesterday", "1e400", "2026-02-30"]), st.text(max_size=12))
ids = st.one_of(st.text(min_size=1, max_size=12), st.integers(-(2**70), 2**70).map(str), st.sampled_from(["a", "b"]))
row = st.fixed_dictionaries({"id": ids, "text": text}, optional={"title": text, "lang": langs, "date": dates,
                                                                   "source": st.text(max_size=20), "url": st.text(max_size=30)})
junk_line = st.binary(min_size=1, max_size=200).map(lambda b: b.replace(b"\n", b" "))


def _json_line(r: dict, ascii_only: bool) -> bytes:
    # ensure_ascii writes a lone surrogate as an escape; without it the bytes are invalid UTF-8
    return json.dumps(r, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass") + b"\n"


@st.composite
def inputs(draw: st.DrawFn) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    lines = draw(st.lists(st.one_of(st.tuples(row, st.booleans()).map(lambda t: _json_line(*t)), junk_line),
                          min_size=10, max_size=40))
    files["a.jsonl"] = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)
    rows = draw(st.lists(row, max_size=8))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "text", "title", "lang"])
    for r in rows:
        w.writerow([r["id"], r["text"], r.get("title", ""), r.get("lang", "")])
    files["b.csv"] = out.getvalue().encode("utf-8", "surrogatepass")
    page = draw(row)
    files["c.html"] = (f'<!DOCTYPE html><html lang="{html.escape(str(page.get("lang", "")))}"><head><title>'
                       f'{html.escape(page.get("title", ""))}</title><meta property="article:published_time" '
                       f'content="{html.escape(str(page.get("date")))}"></head><body><article><p>'
                       f'{html.escape(page["text"])}</p></article></body></html>').encode("utf-8", "surrogatepass")
    entries = draw(st.lists(st.tuples(text, text, st.booleans()), min_size=1, max_size=3))
    files["d.rss"] = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
                      + "".join(f"<item><title>{html.escape(t)}{'&#xD800;' if bad else ''}</title>"
                                f"<link>https://feed.example/{i}</link><description>{html.escape(d)}</description></item>"
                                for i, (t, d, bad) in enumerate(entries))
                      + "</channel></rss>").encode("utf-8", "surrogatepass")
    files["e.txt"] = draw(text).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        files["f.bin"] = draw(st.binary(max_size=300))
    return files


def _engine() -> tuple[object, PairModel]:
    if not _ENGINE:
        _ENGINE["embedder"], _ENGINE["model"] = get_embedder("hash-bow"), PairModel.load(None)
    return _ENGINE["embedder"], _ENGINE["model"]  # type: ignore[return-value]


def _rows(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db / "newsfold.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("articles", "rejections"))


@pytest.fixture(scope="module", autouse=True)
def report_case_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    text = "\nnothing-lost cases: " + ", ".join(f"{n} {name}" for name, n in sorted(CASES.items()))
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(text)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(inputs())
def test_every_item_read_from_files_is_accounted_for(files: dict[str, bytes]) -> None:
    embedder, model = _engine()
    with tempfile.TemporaryDirectory() as tmp:
        inp, db = Path(tmp) / "in", Path(tmp) / "store"
        inp.mkdir()
        for name, data in files.items():
            (inp / name).write_bytes(data)
        with Store.open(db) as store:
            first = Pipeline(store, FAST, embedder=embedder, model=model).run(  # type: ignore[arg-type]
                read_paths([inp], max_item_bytes=FAST.max_item_bytes), strict=False)
        assert first.items == first.articles + first.duplicates + first.already_stored + first.rejected
        assert first.already_stored == 0
        articles, rejections = _rows(db)
        assert articles + rejections == first.items
        with sqlite3.connect(db / "newsfold.sqlite") as conn:
            origins = [r[0] for t in ("articles", "rejections") for r in conn.execute(f"SELECT origin FROM {t}")]
        jsonl_lines = sum(1 for line in files["a.jsonl"].split(b"\n") if line.strip())
        assert sum(1 for o in origins if "/a.jsonl:" in o) == jsonl_lines
        assert sum(1 for o in origins if o.endswith(("/c.html", "/e.txt"))) == 2
        assert sum(1 for o in origins if "/d.rss" in o) >= 1
        with Store.open(db) as store:
            again = Pipeline(store, FAST, embedder=embedder, model=model).run(  # type: ignore[arg-type]
                read_paths([inp], max_item_bytes=FAST.max_item_bytes), strict=False)
        assert (again.items, again.already_stored) == (first.items, first.items)
        assert _rows(db) == (articles, rejections)
    CASES["file examples"] += 1
    CASES["file items"] += first.items


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with tempfile.TemporaryDirectory() as tmp:
        Store.open(Path(tmp) / "store").close()
        with TestClient(create_app(Path(tmp) / "store", FAST), raise_server_exceptions=False) as c:
            c.db = Path(tmp) / "store"  # type: ignore[attr-defined]
            yield c


http_article = st.fixed_dictionaries({"id": st.text(min_size=1, max_size=12), "text": text.filter(bool)},
                                     optional={"title": text, "lang": langs, "date": st.one_of(st.none(), dates),
                                               "source": st.text(max_size=20)})


@settings(max_examples=HTTP_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(st.lists(http_article, min_size=5, max_size=40))
def test_every_article_posted_is_accounted_for(client: TestClient, articles: list[dict]) -> None:
    body = json.dumps({"articles": articles})  # escapes: a lone surrogate arrives as JSON allows it
    auth = {"Authorization": "Bearer tok", "Content-Type": "application/json"}
    before = _rows(client.db)  # type: ignore[attr-defined]
    r = client.post("/api/articles", content=body, headers=auth)
    assert r.status_code in (200, 422), r.text[:500]
    if r.status_code == 422:  # refused whole, saying where (lone surrogates): nothing written
        assert r.json()["error"]["details"] and _rows(client.db) == before  # type: ignore[attr-defined]
        CASES["http refused items"] += len(articles)
        return
    counts = r.json()["counts"]
    assert counts["items"] == len(articles)
    assert counts["items"] == counts["articles"] + counts["duplicates"] + counts["already_stored"] + counts["rejected"]
    after = _rows(client.db)  # type: ignore[attr-defined]
    assert sum(after) - sum(before) == counts["articles"] + counts["duplicates"] + counts["rejected"]
    again = client.post("/api/articles", content=body, headers=auth)
    assert again.status_code == 200 and again.json()["counts"]["already_stored"] == len(articles)
    assert _rows(client.db) == after  # type: ignore[attr-defined]
    CASES["http examples"] += 1
    CASES["http items"] += len(articles)
