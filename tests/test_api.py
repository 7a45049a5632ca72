"""The HTTP API and pages, through a real uvicorn server on 127.0.0.1 over the demo store."""
from __future__ import annotations

import html
import json
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import run_cli
from live_server import HOSTILE, HOSTILE_ID, HOSTILE_TITLE, TOKEN, LiveServer, build_web_store, copy_store
from markupsafe import escape

from newsfold.api import create_app
from newsfold.config import Settings
from newsfold import readmodel
from newsfold.store import Store


@pytest.fixture(scope="module")
def web_store(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A private copy: the ingest tests here add articles that other modules must not see.
    shared = build_web_store(demo_store, tmp_path_factory.mktemp("web"))
    return copy_store(shared, tmp_path_factory.mktemp("api") / "store")


@pytest.fixture(scope="module")
def client(web_store: Path) -> Iterator[httpx.Client]:
    app = create_app(web_store, Settings(api_token=TOKEN), max_body_bytes=200_000)
    with LiveServer(app) as url, httpx.Client(base_url=url, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def facts(web_store: Path) -> dict:
    """What the store holds, read directly, to check the API against."""
    with Store.read(web_store) as s:
        stories = {r["id"]: dict(r) for r in s.conn.execute("SELECT * FROM stories")}
        rows = s.conn.execute("SELECT id, story_id, duplicate_of, source, lang FROM articles")
        articles = {r["id"]: dict(r) for r in rows}
    return {"stories": stories, "articles": articles, "db": web_store}


def _all_pages(client: httpx.Client, **params: object) -> list[dict]:
    out, cursor = [], None
    for _ in range(100):
        r = client.get("/api/stories", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        out += r.json()["stories"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return out
    raise AssertionError("pagination did not end")


# -- story lists --------------------------------------------------------------------------
def test_cursor_pages_walk_every_story_once_in_order(client: httpx.Client, facts: dict) -> None:
    for order in ("newest", "largest"):
        got = _all_pages(client, order=order, limit=2)
        assert sorted(s["id"] for s in got) == sorted(facts["stories"]), order
        if order == "newest":
            keys = [s["last_date"] for s in got]
        else:
            keys = [(s["size"], s["last_date"]) for s in got]
        assert keys == sorted(keys, reverse=True), order


def test_filters_by_language_outlet_dates_and_words(client: httpx.Client, facts: dict) -> None:
    fr = _all_pages(client, lang="fr")
    assert fr and all("fr" in s["languages"] for s in fr)
    assert len(fr) == sum("fr" in json.loads(s["langs"]) for s in facts["stories"].values())

    outlet = "contiwire.example"
    by_outlet = _all_pages(client, outlet=outlet)
    expected = {a["story_id"] for a in facts["articles"].values() if a["source"] == outlet}
    assert {s["id"] for s in by_outlet} == expected and len(expected) >= 2

    march = _all_pages(client, date_from="2026-03-01", date_to="2026-03-14")
    for s in march:
        assert s["last_date"] >= "2026-03-01" and s["first_date"] < "2026-03-15"
    assert {s["id"] for s in march} == {
        sid for sid, s in facts["stories"].items() if s["last_date"] >= "2026-03-01" and s["first_date"] < "2026-03-15"}

    # A person's name (the Ashgrove Bridge story's mayor), a word prefix, and a name in another language.
    voss = _all_pages(client, q="Elena Voss")
    assert len(voss) == 1 and "Ashgrove" in voss[0]["title"]
    assert [s["id"] for s in _all_pages(client, q="Ashgr")] == [voss[0]["id"]]
    assert _all_pages(client, q="Elena Voss", lang="es") == []


def test_search_text_is_never_query_syntax(client: httpx.Client) -> None:
    for q in ['"', 'AND OR NOT', "Voss*)(", "titles:Voss", "NEAR(a b)", "-", "ü" * 300]:
        r = client.get("/api/stories", params={"q": q})
        assert r.status_code == 200, (q, r.text)


# -- one story, one article ---------------------------------------------------------------
def test_story_has_articles_outlets_languages_and_timeline(client: httpx.Client, facts: dict) -> None:
    sid = next(a["story_id"] for a in facts["articles"].values() if a["duplicate_of"])
    story = client.get(f"/api/stories/{sid}").json()
    members = {i for i, a in facts["articles"].items() if a["story_id"] == sid}
    assert {a["id"] for a in story["articles"]} == members
    assert story["size"] == len(members) and story["articles_shown"] == len(members)
    assert set(story["outlets"]) == {facts["articles"][i]["source"] for i in members}
    assert set(story["languages"]) == {facts["articles"][i]["lang"] for i in members}
    dates = [a["date"] for a in story["articles"]]
    assert dates == sorted(dates)
    copies = [a for a in story["articles"] if a["duplicate_of"]]
    assert copies and all(c["duplicate_of"] in members for c in copies)
    timeline = story["timeline"]
    assert sum(b["articles"] for b in timeline["bins"]) + timeline["undated"] == story["size"]
    assert sum(b["copies"] for b in timeline["bins"]) == len(copies)
    per_outlet = Counter()
    for b in timeline["bins"]:
        per_outlet[b["outlet"]] += b["articles"]
    assert per_outlet == Counter(facts["articles"][i]["source"] for i in members)


def test_heavy_first_read_in_a_worker_thread_gives_the_same_story(client: httpx.Client, facts: dict,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from newsfold import readmodel

    sid = next(a["story_id"] for a in facts["articles"].values() if a["duplicate_of"])
    monkeypatch.setattr(readmodel, "INLINE_STORY_SIZE", 0)  # every story counts as large
    monkeypatch.setattr(readmodel, "_timelines", readmodel.VersionCache(16))  # nothing cached yet
    first = client.get(f"/api/stories/{sid}").json()  # worker thread, fills the cache
    with Store.read(facts["db"]) as store:
        assert readmodel.cheap_to_read(store, sid, with_coverage=False)
    assert client.get(f"/api/stories/{sid}").json() == first  # event loop, from the cache
    assert first["timeline"]["bins"] and client.get(f"/stories/{sid}").status_code == 200


def test_article_links_copy_and_original(client: httpx.Client, facts: dict) -> None:
    copy_id, copy = next((i, a) for i, a in facts["articles"].items() if a["duplicate_of"])
    got = client.get(f"/api/articles/{copy_id}").json()
    assert got["duplicate_of"] == copy["duplicate_of"] == got["original"]["id"]
    assert got["story"]["id"] == copy["story_id"] and got["text"]
    original = client.get(f"/api/articles/{copy['duplicate_of']}").json()
    assert copy_id in original["copies"] and original["duplicate_of"] is None and original["original"] is None


def test_compare_scores_same_event_closer_than_other_events(client: httpx.Client, facts: dict) -> None:
    caldoria = sorted(i for i, a in facts["articles"].items() if i.startswith("caldoria-rate") and not a["duplicate_of"])
    velmark = next(i for i in facts["articles"] if i.startswith("velmark-rate"))
    same = client.get("/api/compare", params={"a": caldoria[0], "b": caldoria[1]}).json()
    other = client.get("/api/compare", params={"a": caldoria[0], "b": velmark}).json()
    assert same["same_story"] is True and other["same_story"] is False
    assert 1.0 <= same["overall"] < other["overall"] <= 4.0
    assert same["reasons"] and all(isinstance(r, str) for r in same["reasons"])


# -- errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/stories/s000000000000", "/api/articles/no-such-article",
                                  "/api/compare?a=no-such&b=also-not", "/api/no-such-endpoint"])
def test_unknown_ids_give_404_json(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert r.json()["error"]["status"] == 404 and r.json()["error"]["message"]


@pytest.mark.parametrize("params, named", [
    ({"limit": 0}, "limit"), ({"limit": "ten"}, "limit"), ({"order": "oldest"}, "order"),
    ({"date_from": "yesterday"}, "date_from"), ({"lang": "<b>"}, "lang"),
    ({"cursor": "not-a-cursor"}, "cursor"), ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_from"),
])
def test_bad_parameters_give_422_saying_what(client: httpx.Client, params: dict, named: str) -> None:
    r = client.get("/api/stories", params=params)
    assert r.status_code == 422
    assert named in r.json()["error"]["message"]


def test_cursor_of_one_order_is_refused_for_the_other(client: httpx.Client) -> None:
    cursor = client.get("/api/stories", params={"limit": 1}).json()["next_cursor"]
    r = client.get("/api/stories", params={"limit": 1, "cursor": cursor, "order": "largest"})
    assert r.status_code == 422 and "order" in r.json()["error"]["message"]


def test_pages_answer_html_errors(client: httpx.Client) -> None:
    r = client.get("/stories/s000000000000")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Not found" in r.text
    assert client.get("/?order=oldest").status_code == 422


# -- ingest -------------------------------------------------------------------------------
NEW = {"id": "kestrel-library-1", "title": "Kestrel Point library extends opening hours",
       "text": "The Kestrel Point public library will open until 9 p.m. on weekdays from May, the town "
               "council said on Monday, after a survey of 1,400 residents asked for later hours.",
       "date": "2026-04-20T08:00:00Z", "source": "kestrelnews.example", "lang": "en"}


def test_ingest_refuses_missing_or_wrong_token(client: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        r = client.post("/api/articles", json={"articles": [NEW]}, headers=headers)
        assert r.status_code == 401, headers
        assert r.headers["www-authenticate"] == "Bearer" and "token" in r.json()["error"]["message"]
    assert client.get(f"/api/articles/{NEW['id']}").status_code == 404


def test_ingest_is_disabled_without_a_token_setting(web_store: Path) -> None:
    with LiveServer(create_app(web_store, Settings(api_token=""))) as url:
        r = httpx.post(f"{url}/api/articles", json={"articles": [NEW]}, headers={"Authorization": "Bearer x"})
    assert r.status_code == 403 and "api_token" in r.json()["error"]["message"]


def test_ingest_with_token_places_articles_and_is_idempotent(client: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    bad = {"id": "too-short", "text": "tiny"}
    r = client.post("/api/articles", json={"articles": [NEW, bad]}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["counts"]["articles"] == 1 and body["counts"]["rejected"] == 1
    assert [a["id"] for a in body["articles"]] == [NEW["id"]]
    assert "empty text" in body["rejected"][0]["reason"]
    story = client.get(f"/api/stories/{body['articles'][0]['story_id']}").json()
    assert [a["id"] for a in story["articles"]] == [NEW["id"]]
    again = client.post("/api/articles", json={"articles": [NEW]}, headers=auth).json()
    assert again["counts"]["already_stored"] == 1 and again["counts"]["articles"] == 0


def test_ingest_validates_the_body(client: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    cases = [({"articles": []}, "articles"), ({"articles": [{"text": "no id here"}]}, "id"),
             ({"articles": [{**NEW, "url": "http://[broken"}]}, "url"), ([NEW], "body")]
    for body, named in cases:
        r = client.post("/api/articles", json=body, headers=auth)
        assert r.status_code == 422 and named in r.json()["error"]["message"], (body, r.text)
    r = client.post("/api/articles", content=b"{not json", headers={**auth, "content-type": "application/json"})
    assert r.status_code == 422


def test_request_bodies_over_the_limit_are_refused(client: httpx.Client) -> None:
    big = {"articles": [{**NEW, "id": f"big-{i}", "text": NEW["text"] * 20} for i in range(100)]}
    r = client.post("/api/articles", json=big, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 413 and "bytes" in r.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit still holds
        yield b'{"articles": ['
        for _ in range(3000):
            yield b'{"id": "x", "text": "' + b"y" * 100 + b'"},'
        yield b"]}"

    r = client.post("/api/articles", content=chunks(), headers={"Authorization": f"Bearer {TOKEN}",
                                                                 "content-type": "application/json"})
    assert r.status_code == 413


# -- untrusted content --------------------------------------------------------------------
OWN_SCRIPT = re.compile(r'<script src="[^"]*/static/coverage\.js" defer></script>')  # the one script a page may carry
HOSTILE_PATH = quote(HOSTILE_ID, safe="")  # the id holds '/', '?', '#' and markup

def _hostile_story(client: httpx.Client) -> str:
    return client.get(f"/api/articles/{HOSTILE_PATH}").json()["story_id"]


def test_hostile_article_round_trips_as_data_in_json(client: httpx.Client) -> None:
    got = client.get(f"/api/articles/{HOSTILE_PATH}").json()
    assert got["title"] == HOSTILE_TITLE and "<script>document.title" in got["text"]
    assert got["outlet"] == HOSTILE[0]["source"]


def test_hostile_html_is_shown_as_text_on_every_page(client: httpx.Client) -> None:
    sid = _hostile_story(client)
    pages = ["/", f"/stories/{sid}", f"/articles/{HOSTILE_PATH}", "/search?q=Velden",
             "/?q=Velden&lang=en"]
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200, path
        # No markup from the article survives as markup: every tag it carried appears escaped. The one
        # script a page may carry is the site's own static file.
        page = OWN_SCRIPT.sub("", r.text)
        assert "<script" not in page.lower(), path
        for tag in ("<b>", "<i>", "<img"):
            assert tag not in page, (path, tag)
        assert str(escape(HOSTILE_TITLE)) in page, path
        assert 'href="javascript:' not in page
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self';" in csp and "unsafe" not in csp
    article = client.get(f"/articles/{HOSTILE_PATH}").text
    assert "&lt;img src=x onerror=alert(" in article and "&lt;/p&gt;&lt;/div&gt;&lt;script&gt;" in article


def test_story_page_never_waits_for_the_coverage_comparison(client: httpx.Client, facts: dict) -> None:
    sid = max(facts["stories"], key=lambda s: len(json.loads(facts["stories"][s]["outlets"])))
    readmodel._coverage._data.clear()
    page = client.get(f"/stories/{sid}").text
    # Not computed yet: the page says so, links the comparison and loads the script that fetches it.
    assert f'data-src="/stories/{sid}/coverage"' in page and OWN_SCRIPT.search(page)
    section = client.get(f"/stories/{sid}/coverage")
    assert section.status_code == 200 and section.text.lstrip().startswith('<section class="coverage" id="coverage">')
    assert "<h2>Coverage</h2>" in section.text
    # Computed once, it is part of the page itself, with no script.
    page = client.get(f"/stories/{sid}").text
    assert "data-src=" not in page and not OWN_SCRIPT.search(page) and "<h2>Coverage</h2>" in page
    assert client.get("/stories/s000000000000/coverage").status_code == 404
    # The JSON story leaves it out unless asked for.
    assert client.get(f"/api/stories/{sid}").json()["coverage"] is None
    assert {"shared", "unique", "quotes"} <= set(client.get(f"/api/stories/{sid}?coverage=true").json()["coverage"])


def test_links_to_articles_with_odd_ids_resolve(client: httpx.Client) -> None:
    story = client.get(f"/stories/{_hostile_story(client)}").text
    hrefs = re.findall(r'href="(/articles/[^"]+)"', story)
    assert hrefs
    for href in hrefs:
        assert client.get(html.unescape(href)).status_code == 200, href


def test_story_page_draws_one_dot_per_outlet_and_time_bin(client: httpx.Client, facts: dict) -> None:
    sid = next(a["story_id"] for a in facts["articles"].values() if a["duplicate_of"])
    story = client.get(f"/api/stories/{sid}").json()
    page = client.get(f"/stories/{sid}").text
    assert page.count("<circle") == len(story["timeline"]["bins"])
    assert page.count('class="copies"') == len({a["duplicate_of"] for a in story["articles"] if a["duplicate_of"]})


# -- the command --------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_command_serves_the_store(demo_store: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "newsfold.cli", "serve", "--db", str(demo_store), "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stats = None
        for _ in range(200):
            try:
                stats = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=2).json()
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.1)
        with Store.read(demo_store) as s:
            counts = s.counts()
        assert stats is not None and stats["articles"] == counts["articles"] and stats["stories"] == counts["stories"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in out


def test_serve_on_a_taken_port_is_a_one_line_error(demo_store: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = run_cli("serve", "--db", str(demo_store), "--port", str(taken.getsockname()[1]), check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "cannot serve on 127.0.0.1" in proc.stderr
    assert "Serving" not in proc.stdout


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    proc = run_cli("serve", "--db", str(tmp_path / "nothing"), check=False)
    assert proc.returncode == 3 and "no newsfold store" in proc.stderr


def test_demo_without_serving_lists_the_stories(tmp_path: Path) -> None:
    proc = run_cli("demo", "--db", str(tmp_path / "demo"), "--no-serve", timeout=300)
    assert "Store: 32 articles in 7 stories." in proc.stdout and "Serving" not in proc.stdout
