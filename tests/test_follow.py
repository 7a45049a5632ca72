"""``newsfold follow`` against a web of real HTTP servers on 127.0.0.x (tests/follow_web.py).

50 feeds (RSS and Atom, full text or summary only, news sitemaps) over 500 invented article pages
on two outlets' hosts, one article listed by two feeds, syndicated copies on a third host; then the
failures a follower meets (500, a hang, HTML instead of XML, a page over the size cap, a redirect
loop, robots.txt) and the backing off of failing feeds.
"""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from follow_web import FEED_KINDS, LocalWeb, Story, feed_body, make_story, serve_pages, story_page

from newsfold import __version__, config
from newsfold.follow.commands import LocalSession, parse_every
from newsfold.follow.follower import Follower
from newsfold.follow.sources import read_sources
from newsfold.follow.state import now_utc
from newsfold.store import Store

FAST = {"embedder": "hash-bow", "follow_host_delay": 0, "follow_timeout": 5}
EVERY = timedelta(minutes=10)
COPIED = (3, 104, 207, 311, 452)  # stories republished word for word on the syndication host


def _feed(web: LocalWeb, k: int, kind: str, stories: list[Story], validators: str = "etag") -> str:
    url = f"{web.base[0]}/feeds/{k}.{'sitemap.xml' if kind == 'sitemap' else 'xml'}"
    body, ctype = feed_body(kind, f"Invented feed {k}", web.base[0], stories)
    web.put(url, body, content_type=ctype, validators=validators)
    return url


def _stored(db: Path) -> dict[str, dict]:
    with Store.read(db) as store:
        return {r["id"]: dict(r) for r in store.conn.execute(
            "SELECT id, url, text, summary_only, duplicate_of, origin FROM articles")}


def _pages_requested(log: list[tuple[str, int]]) -> list[str]:
    return [url for url, _ in log if "/feeds/" not in url and not url.endswith("/robots.txt")]


def test_fifty_feeds_one_round_then_304s_then_only_new_entries(tmp_path: Path) -> None:
    settings = config.load(None, FAST)
    with LocalWeb(hosts=4) as web:
        stories = [make_story(n, web.base[1 + n % 2]) for n in range(500)]
        serve_pages(web, stories)
        copies = [make_story(n, web.base[3], path="wire") for n in COPIED]
        for c in copies:  # the same words, half an hour later, on another host
            c.date += timedelta(minutes=30)
            web.put(c.url, story_page(c))
        listed: dict[int, list[Story]] = {k: stories[10 * k: 10 * k + 10] for k in range(50)}
        listed[6] = listed[6] + [stories[0]]  # also in feed 0, which carries its full text: never fetched
        listed[3] = listed[3] + [stories[15]]  # summary-only in feeds 1 and 3: fetched once
        listed[49] = listed[49] + copies  # feed 49 is a news sitemap
        kinds = {k: FEED_KINDS[k % len(FEED_KINDS)] for k in range(50)}
        feeds = [_feed(web, k, kinds[k], listed[k], "etag" if k % 2 else "last-modified") for k in range(50)]
        sources = tmp_path / "sources.txt"
        sources.write_text("# fifty invented feeds\n\n" + "\n".join(feeds) + "\n")

        db = tmp_path / "db"
        session = LocalSession(str(db), settings)
        follower = Follower(sources, session, settings, EVERY)

        # Round 1: every article once, copies marked, each page fetched once and only when needed.
        first = follower.run_round(everything=True)
        stored = _stored(db)
        assert set(stored) == {s.id for s in stories} | {c.id for c in copies}
        assert {i: a["duplicate_of"] for i, a in stored.items() if a["duplicate_of"]} == {
            c.id: stories[c.n].id for c in copies}
        assert not any(a["summary_only"] for a in stored.values())  # every summary-only entry got its page
        for s in (stories[15], stories[40], stories[495]):  # summary feed, sitemap, summary feed
            assert s.paras[-1] in stored[s.id]["text"]
        full_text = {s.url for k, kind in kinds.items() if kind.endswith("-full") for s in listed[k]}
        expected_pages = {s.url for k in listed for s in listed[k]} - full_text
        requested = _pages_requested(web.requests())
        assert sorted(requested) == sorted(expected_pages)  # each once, the full-text ones never
        assert stories[0].url not in requested
        assert (first.polled, first.changed, first.failed_feeds, first.failed_pages) == (50, 50, {}, {})
        assert (first.counts.articles, first.counts.duplicates, first.pages_fetched) == (500, 5, len(expected_pages))

        # Round 2, nothing changed: every feed answers 304 and nothing else is asked for.
        mark = len(web.requests())
        second = follower.run_round(everything=True)
        log = web.requests(mark)
        assert sorted(log) == sorted((f, 304) for f in feeds)
        assert (second.unchanged, second.counts.articles, second.pages_fetched) == (50, 0, 0)

        # Round 3: new entries in a summary feed, a full-text feed and a sitemap: only their pages are fetched.
        new = [make_story(n, web.base[1]) for n in range(500, 505)]
        serve_pages(web, new)
        _feed(web, 1, kinds[1], [new[0], new[1], *listed[1]], "etag")
        _feed(web, 2, kinds[2], [new[2], *listed[2]], "last-modified")
        web.routes[feeds[2]].modified += timedelta(hours=1)
        _feed(web, 4, kinds[4], [new[3], new[4], *listed[4]], "last-modified")
        web.routes[feeds[4]].modified += timedelta(hours=1)
        mark = len(web.requests())
        third = follower.run_round(everything=True)
        log = web.requests(mark)
        assert sorted(_pages_requested(log)) == sorted([new[0].url, new[1].url, new[3].url, new[4].url])
        assert sorted(u for u, st in log if st == 200 and "/feeds/" in u) == sorted([feeds[1], feeds[2], feeds[4]])
        assert (third.changed, third.unchanged, third.counts.articles, third.pages_fetched) == (3, 47, 5, 4)
        assert set(_stored(db)) == set(stored) | {s.id for s in new}
        session.close()

    # The feeds' health, as `newsfold feeds` tells it.
    out = run_cli("feeds", "--db", str(db), "--json").stdout
    health = {f["url"]: f for f in json.loads(out)}
    assert set(health) == set(feeds)
    assert all(f["health"] == "ok" and f["failures"] == 0 for f in health.values())
    assert health[feeds[1]]["last_new"] > health[feeds[0]]["last_new"]  # round 3 brought feed 1 new articles
    assert health[feeds[49]]["kind"] == "sitemap" and health[feeds[0]]["kind"] == "feed"


def test_failures_are_counted_with_reasons_and_never_stop_a_round(tmp_path: Path) -> None:
    cap = 60_000
    settings = config.load(None, {**FAST, "follow_timeout": 1, "follow_max_bytes": cap, "follow_max_redirects": 3,
                                  "follow_contact": "desk@newsroom.example"})
    with LocalWeb(hosts=3) as web:
        good, guarded = web.base[0], web.base[1]
        stories = [make_story(n, good) for n in range(12)]
        serve_pages(web, stories)
        big = make_story(100, good)
        web.put(big.url, story_page(big, pad=cap + 1000))
        loop = make_story(101, good)
        web.put(loop.url, status=302, location=f"{good}/loop/b")
        web.put(f"{good}/loop/b", status=301, location=loop.url)
        image = make_story(103, good)
        web.put(image.url, b"\x89PNG\r\n\x1a\n" + bytes(100), content_type="image/png")
        moved = make_story(102, good)  # one redirect to another host: fine
        landing = make_story(102, web.base[2], path="moved")
        web.put(moved.url, status=301, location=landing.url)
        serve_pages(web, [landing])
        private = [make_story(n, guarded, path="private") for n in range(200, 204)]
        public = make_story(204, guarded, path="public")
        serve_pages(web, [*private, public])
        web.put(f"{guarded}/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")

        feeds = {
            "ok": _feed(web, 0, "rss-summary", [*stories, big, loop, moved, image]),
            "guarded": _feed(web, 1, "atom-summary", [*private, public]),
            "error": f"{good}/feeds/broken.xml",
            "hangs": f"{good}/feeds/slow.xml",
            "html": f"{good}/feeds/not-xml.xml",
            "gone": f"{web.base[2]}/feeds/nothing-here.xml",
        }
        web.put(feeds["error"], "oops", status=500, content_type="text/plain")
        web.put(feeds["hangs"], feed_body("rss-full", "slow", good, stories[:2])[0], content_type="application/rss+xml",
                delay=3)
        web.put(feeds["html"], f'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" '
                f'href="{feeds["ok"]}"></head><body><p>Welcome</p></body></html>')
        sources = tmp_path / "sources.opml"
        sources.write_text('<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
                           '<outline text="news">'
                           + "".join(f'<outline type="rss" xmlUrl="{u}"/>' for u in feeds.values())
                           + "</outline></body></opml>")
        assert read_sources(sources) == list(feeds.values())

        db = tmp_path / "db"
        session = LocalSession(str(db), settings)
        follower = Follower(sources, session, settings, EVERY)
        now = now_utc()
        report = follower.run_round(now=now)
        assert dict(report.failed_feeds) == {
            "HTTP 500": 1, "timed out": 1, "HTTP 404": 1,
            f"not a feed (an HTML page; it names {feeds['ok']})": 1}
        assert dict(report.failed_pages) == {
            f"too large (over {cap} bytes)": 1, "redirect loop": 1, "robots.txt disallows": len(private),
            "content type image/png": 1}
        assert report.polled == 6 and report.changed == 2
        requested = [u for u, _ in web.requests()]
        assert not any("/private/" in u for u in requested)  # the server never saw a disallowed page asked for
        assert f"{guarded}/robots.txt" in requested and public.url in requested
        stored = _stored(db)
        # The round went on: every good page is an article, and what could not be fetched kept its summary.
        assert {s.id for s in stories} | {public.id} <= set(stored)
        assert all(not stored[s.id]["summary_only"] for s in stories)
        assert all(stored[s.id]["summary_only"] for s in (*private, big, loop, image))
        assert web.agents == {f"newsfold/{__version__} (news follower; desk@newsroom.example)"}
        assert stored[moved.id]["url"] == landing.url and not stored[moved.id]["summary_only"]  # id from the entry
        print(report.line())
        assert "failed feeds: 1 HTTP 404, 1 HTTP 500" in report.line()
        assert f"pages: {len(private)} robots.txt disallows" in report.line()

        # Failing feeds back off: ten minutes on, only the healthy ones are polled.
        mark = len(web.requests())
        later = follower.run_round(now=now + EVERY)
        polled = {u for u, _ in web.requests(mark)}
        assert polled == {feeds["ok"], feeds["guarded"]}
        assert later.backing_off == 4
        # The broken feed is mended; once its back-off is over it is polled again and resumes.
        web.put(feeds["error"], feed_body("rss-full", "mended", good, stories[:3])[0],
                content_type="application/rss+xml")
        back = follower.run_round(now=now + 3 * EVERY)
        assert back.changed == 1 and "HTTP 500" not in back.failed_feeds
        session.close()
    listing = run_cli("feeds", "--db", str(db)).stdout
    assert f"{feeds['error']}\n    ok;" in listing
    assert f"{feeds['hangs']}\n    failing (2 in a row: timed out)" in listing
    assert listing.rstrip().endswith("6 feeds, 3 failing")


def test_requests_to_a_host_are_paced_and_bounded(tmp_path: Path) -> None:
    delay = 0.25
    settings = config.load(None, {**FAST, "follow_host_delay": delay, "follow_per_host": 2,
                                  "follow_concurrency": 3})
    with LocalWeb(hosts=2) as web:
        paced, busy = web.base
        slow = [make_story(n, busy) for n in range(8)]
        for s in slow:  # each answer takes a while: requests to this host pile up unless bounded
            web.put(s.url, story_page(s), delay=0.3)
        stories = [make_story(n, paced) for n in range(10, 15)]
        serve_pages(web, stories)
        sources = tmp_path / "sources.txt"
        sources.write_text(_feed(web, 0, "rss-summary", stories) + "\n" + _feed(web, 1, "rss-summary", slow) + "\n")
        session = LocalSession(str(tmp_path / "db"), settings)
        report = Follower(sources, session, settings, EVERY).run_round()
        session.close()
    assert report.pages_fetched == 13
    gaps = [b - a for a, b in zip(web.arrivals[paced[7:]], web.arrivals[paced[7:]][1:])]
    # robots.txt, the two feeds, 5 pages: starts a delay apart (less a new connection's set-up, seen by the server)
    assert len(gaps) == 7 and min(gaps) >= delay * 0.8, gaps
    assert web.most_in_flight[busy[7:]] == 2  # follow_per_host
    assert sum(web.most_in_flight.values()) <= 3 + 1  # follow_concurrency (the paced host counts once)


def test_a_feed_that_asks_to_wait_is_left_alone_that_long(tmp_path: Path) -> None:
    settings = config.load(None, FAST)
    with LocalWeb(hosts=1) as web:
        busy = f"{web.base[0]}/feeds/busy.xml"
        web.put(busy, "slow down", status=429, content_type="text/plain", headers=(("Retry-After", "7200"),))
        sources = tmp_path / "sources.txt"
        sources.write_text(busy + "\n")
        session = LocalSession(str(tmp_path / "db"), settings)
        follower = Follower(sources, session, settings, EVERY)
        now = now_utc()
        assert dict(follower.run_round(now=now).failed_feeds) == {"HTTP 429": 1}
        assert follower.next_due() == now + timedelta(hours=2)  # not the 20 minutes of a first failure
        assert follower.run_round(now=now + timedelta(hours=1)).polled == 0
        assert follower.run_round(now=now + timedelta(hours=2)).polled == 1
        session.close()


def test_a_host_that_is_down_is_reported_as_such(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}/feed.xml"
    sources = tmp_path / "sources.txt"
    sources.write_text(down + "\n")
    settings = config.load(None, FAST)
    session = LocalSession(str(tmp_path / "db"), settings)
    report = Follower(sources, session, settings, EVERY).run_round()
    session.close()
    assert dict(report.failed_feeds) == {"robots.txt unreachable (connection failed)": 1}


def test_sitemap_index_with_a_gzipped_child(tmp_path: Path) -> None:
    import gzip

    settings = config.load(None, FAST)
    with LocalWeb(hosts=1) as web:
        site = web.base[0]
        stories = [make_story(n, site) for n in range(6)]
        serve_pages(web, stories)
        web.put(f"{site}/sitemaps/a.xml", feed_body("sitemap", "", site, stories[:3])[0],
                content_type="application/xml")
        web.put(f"{site}/sitemaps/b.xml.gz", gzip.compress(feed_body("sitemap", "", site, stories[3:])[0]),
                content_type="application/x-gzip")
        web.put(f"{site}/sitemap-index.xml",
                '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{site}/sitemaps/a.xml</loc></sitemap><sitemap><loc>{site}/sitemaps/b.xml.gz</loc>"
                "</sitemap></sitemapindex>", content_type="application/xml")
        sources = tmp_path / "sources.txt"
        sources.write_text(f"{site}/sitemap-index.xml  # an index of news sitemaps\n")
        session = LocalSession(str(tmp_path / "db"), settings)
        follower = Follower(sources, session, settings, EVERY)
        report = follower.run_round()
        assert (report.entries, report.pages_fetched, report.counts.articles) == (6, 6, 6)
        assert set(_stored(tmp_path / "db")) == {s.id for s in stories}
        assert follower.run_round(everything=True).unchanged == 1
        # A child sitemap changes, the index does not: the new article is found.
        late = make_story(6, site)
        serve_pages(web, [late])
        web.put(f"{site}/sitemaps/a.xml", feed_body("sitemap", "", site, [late, *stories[:3]])[0],
                content_type="application/xml")
        report = follower.run_round(everything=True)
        assert (report.changed, report.pages_fetched, report.counts.articles) == (1, 1, 1)
        session.close()


def test_sources_and_durations_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("https://news.example/feed.xml\nftp://files.example/feed\n")
    proc = run_cli("follow", str(bad), "--db", str(tmp_path / "db"), "--once", check=False)
    assert proc.returncode == 2 and f"{bad}:2: not an http(s) URL" in proc.stderr
    assert parse_every("90") == timedelta(seconds=90) and parse_every("10m") == timedelta(minutes=10)
    with pytest.raises(Exception, match="--every"):
        parse_every("soon")
