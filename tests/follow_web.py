"""A small web on 127.0.0.x for the follower's tests and benchmark: real HTTP servers, invented news.

``LocalWeb`` runs one threaded HTTP/1.1 server per host (distinct loopback addresses, so each is
its own host to the follower), serves what the test puts at each URL (feeds, pages, robots.txt,
redirects, errors, slow answers), answers conditional GETs (ETag or Last-Modified) with 304, and
logs every request. ``NewsSite`` writes invented articles as pages and lists them in RSS, Atom or
news-sitemap feeds (pages drawn by web_fixtures.page_html). Every text is generated here from
invented words.
"""
from __future__ import annotations

import hashlib
import html
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from web_fixtures import Page, page_html

from newsfold.ingest.html import stable_id


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that closed its keep-alive connection, or gave up on a slow answer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str = ""
    delay: float = 0.0  # seconds before answering (a slow or hanging server), bounded by the test
    validators: str = "etag"  # etag, last-modified, none
    headers: tuple[tuple[str, str], ...] = ()
    modified: datetime = field(default_factory=lambda: datetime(2026, 5, 1, tzinfo=timezone.utc))


class LocalWeb:
    """``with LocalWeb(hosts=3) as web:`` then ``web.base[i]`` is ``http://127.0.0.{i+2}:PORT``."""

    def __init__(self, hosts: int) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, int]] = []  # (url, status) of every request, in order
        self.agents: set[str] = set()  # the User-Agent headers seen
        self.arrivals: dict[str, list[float]] = {}  # host:port -> when each request arrived (monotonic)
        self.in_flight: dict[str, int] = {}
        self.most_in_flight: dict[str, int] = {}  # host:port -> most requests it was answering at once
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self.base: list[str] = []
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed-ACK stall

            def log_message(self, *args: Any) -> None:  # the test reads web.log instead
                pass

            def do_GET(self) -> None:
                url = f"http://{self.headers.get('Host')}{self.path}"
                route = web.routes.get(url)
                status = 404 if route is None else route.status
                headers: list[tuple[str, str]] = []
                body = b"not found" if route is None else route.body
                if route is not None:
                    headers += route.headers
                    if route.location:
                        headers.append(("Location", route.location))
                    etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                    if route.validators == "etag":
                        headers.append(("ETag", etag))
                        if self.headers.get("If-None-Match") == etag:
                            status, body = 304, b""
                    elif route.validators == "last-modified":
                        stamp = format_datetime(route.modified, usegmt=True)
                        headers.append(("Last-Modified", stamp))
                        if self.headers.get("If-Modified-Since") == stamp:
                            status, body = 304, b""
                host = self.headers.get("Host", "")
                with web._lock:  # logged as it arrives, even if the answer comes late or never
                    web.log.append((url, status))
                    web.agents.add(self.headers.get("User-Agent", ""))
                    web.arrivals.setdefault(host, []).append(time.monotonic())
                    web.in_flight[host] = web.in_flight.get(host, 0) + 1
                    web.most_in_flight[host] = max(web.most_in_flight.get(host, 0), web.in_flight[host])
                try:
                    self._answer(route, status, headers, body)
                finally:
                    with web._lock:
                        web.in_flight[host] -= 1

            def _answer(self, route: Route | None, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                if route is not None and route.delay:
                    time.sleep(route.delay)
                self.send_response(status)
                self.send_header("Content-Type", route.content_type if route else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout, a size cap)
                    pass

        self._handler = Handler
        self._n = hosts

    def __enter__(self) -> LocalWeb:
        for i in range(self._n):
            try:
                server = _Server((f"127.0.0.{i + 2}", 0), self._handler)
            except OSError:  # only 127.0.0.1 is configured (macOS): another port is another host too
                server = _Server(("127.0.0.1", 0), self._handler)
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
            self._servers.append(server)
            address, port = server.server_address[:2]
            self.base.append(f"http://{address}:{port}")
        return self

    def __exit__(self, *exc: object) -> None:
        for s in self._servers:
            s.shutdown()
            s.server_close()

    def put(self, url: str, body: bytes | str = b"", **kw: Any) -> None:
        self.routes[url] = Route(body.encode() if isinstance(body, str) else body, **kw)

    def requests(self, since: int = 0) -> list[tuple[str, int]]:
        with self._lock:
            return list(self.log[since:])


# -- invented news -------------------------------------------------------------------------------
_TOWNS = ("Dunmore", "Ellery", "Farrow Heath", "Gallowmere", "Harlow Point", "Istvale", "Jorvik Bay", "Kelmscar",
          "Lindenford", "Marrowby", "Nettlecombe", "Orvella", "Pellingham", "Quarrydown", "Rosscarrow")
_SUBJECTS = ("the council", "the harbour board", "the water company", "the school trust", "the rail operator",
             "the hospital board", "the fire service", "the museum", "the football club", "the farmers' union")
_VERBS = ("approved", "postponed", "announced", "rejected", "opened", "closed", "reviewed", "funded", "extended",
          "cancelled", "inspected", "promised")
_OBJECTS = ("a new bridge over the river", "the night bus service", "repairs to the sea wall", "a bigger library",
            "the summer festival", "flood barriers along the quay", "a second runway", "cheaper parking",
            "a wind farm on the moor", "the old tram depot", "a market hall", "new cycle lanes")
_WORDS = ("residents", "officials", "engineers", "volunteers", "traders", "teachers", "nurses", "drivers",
          "anglers", "pensioners", "students", "builders", "auditors", "neighbours", "inspectors", "farmers")


def invented_article(i: int) -> tuple[str, list[str]]:
    """A headline and four paragraphs for article ``i``; distinct articles share no long word runs."""
    rng = random.Random(i * 7919 + 17)
    town = rng.choice(_TOWNS)
    title = f"{town}: {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} (report {i})"
    paras = []
    for _ in range(4):
        sentences = []
        for _ in range(3):
            words = [rng.choice(_WORDS + _VERBS) for _ in range(rng.randint(6, 10))]
            sentences.append(f"{rng.choice(_SUBJECTS).capitalize()} in {town} said {rng.randint(2, 9000)} "
                             f"{' '.join(words)} on day {rng.randint(1, 28)}.")
        paras.append(" ".join(sentences))
    return title, paras


def story_page(s: Story, date: datetime | None = None, pad: int = 0) -> bytes:
    """The story as a news page (web_fixtures' page, with navigation and footer); ``date``: another date
    than the story's on the page; ``pad``: a paragraph of that many bytes more."""
    when = date or s.date
    paras = tuple(s.paras) + (("x" * pad,) if pad else ())
    return page_html(Page(s.url, f"Invented {s.url.split('/')[2]}", s.title, when.isoformat() if when else "", "en",
                          paras))


@dataclass
class Story:
    """One invented article at one URL."""

    n: int
    url: str
    date: datetime | None  # None: neither the page nor the feeds state one
    title: str
    paras: list[str]

    @property
    def id(self) -> str:
        return stable_id(self.url, self.url)


def make_story(n: int, base: str, path: str = "news", start: datetime | None = None) -> Story:
    title, paras = invented_article(n)
    date = (start or datetime(2026, 5, 1, 6, tzinfo=timezone.utc)) + timedelta(minutes=7 * n)
    return Story(n, f"{base}/{path}/{n}.html", date, title, paras)


def rss(title: str, link: str, stories: list[Story], full: bool) -> bytes:
    items = []
    for s in stories:
        content = "".join(f"<p>{html.escape(p)}</p>" for p in s.paras)
        items.append(
            f"<item><title>{html.escape(s.title)}</title><link>{html.escape(s.url)}</link>"
            f"<guid>{html.escape(s.url)}</guid>"
            + (f"<pubDate>{format_datetime(s.date)}</pubDate>" if s.date else "") +
            f"<description>{html.escape(s.paras[0][:160])}</description>"
            + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if full else "") + "</item>")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{html.escape(title)}</title>'
            f"<link>{html.escape(link)}</link><language>en</language>{''.join(items)}</channel></rss>").encode()


def atom(title: str, link: str, stories: list[Story], full: bool) -> bytes:
    entries = []
    for s in stories:
        content = html.escape("".join(f"<p>{html.escape(p)}</p>" for p in s.paras))
        entries.append(
            f"<entry><title>{html.escape(s.title)}</title><link href=\"{html.escape(s.url)}\"/>"
            f"<id>{html.escape(s.url)}</id>" + (f"<updated>{s.date.isoformat()}</updated>" if s.date else "") +
            f"<summary>{html.escape(s.paras[0][:160])}</summary>"
            + (f'<content type="html">{content}</content>' if full else "") + "</entry>")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
            f"<title>{html.escape(title)}</title><link href=\"{html.escape(link)}\"/><id>{html.escape(link)}</id>"
            f"<updated>2026-05-01T00:00:00Z</updated>{''.join(entries)}</feed>").encode()


def news_sitemap(stories: list[Story]) -> bytes:
    urls = "".join(
        f"<url><loc>{html.escape(s.url)}</loc><news:news><news:publication><news:name>Invented</news:name>"
        f"<news:language>en</news:language></news:publication>"
        + (f"<news:publication_date>{s.date.isoformat()}</news:publication_date>" if s.date else "")
        + f"<news:title>{html.escape(s.title)}</news:title></news:news></url>"
        for s in stories)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>').encode()


FEED_KINDS = ("rss-full", "rss-summary", "atom-full", "atom-summary", "sitemap")


def feed_body(kind: str, title: str, link: str, stories: list[Story]) -> tuple[bytes, str]:
    if kind == "sitemap":
        return news_sitemap(stories), "application/xml"
    fmt, depth = kind.split("-")
    full = depth == "full"
    if fmt == "rss":
        return rss(title, link, stories, full), "application/rss+xml"
    return atom(title, link, stories, full), "application/atom+xml; charset=utf-8"


def serve_pages(web: LocalWeb, stories: list[Story]) -> None:
    for s in stories:
        web.put(s.url, story_page(s))
