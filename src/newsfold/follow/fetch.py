"""The follower's HTTP client: polite to sites, safe against what they send.

httpx (async): bounded concurrency overall and per host; a delay between requests to one host
(robots.txt's Crawl-delay when that is longer); robots.txt obeyed for every URL, redirects included
(urllib.robotparser; RFC 9309: a robots.txt answering 4xx allows everything, one that cannot be
read allows nothing); conditional GET; a deadline per request; a size cap counted on the
decompressed body as it streams; redirects followed by hand so that every hop is checked and
loops are refused; the content type checked before the body is read. Every failure is a short
reason (``Fetched.error``), never an exception, so one bad site never stops a round.
"""
from __future__ import annotations

import asyncio
import time
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__
from ..config import Settings

ROBOTS_TTL = 86400.0  # RFC 9309: a robots.txt may be cached for up to 24 hours
ROBOTS_MAX_BYTES = 512_000  # RFC 9309 asks parsers to read at least 500 KiB
_REDIRECTS = (301, 302, 303, 307, 308)
# What a feed or sitemap may be served as (servers label feeds loosely; the body is sniffed after).
FEED_TYPES = ("xml", "rss", "atom", "text/", "gzip", "octet-stream")
PAGE_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class Fetched:
    url: str
    status: int = 0  # 0: no HTTP answer
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    final_url: str = ""
    error: str = ""  # why the fetch failed, in a few words; "" when it did not
    retry_after: float = 0.0  # seconds a 429 or 503 asked us to wait
    digest: str = ""  # of what a feed poll read (a sitemap index: with its children), set by the follower

    @property
    def charset(self) -> str | None:
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip('"') or None
        return None


def user_agent(contact: str) -> str:
    return f"newsfold/{__version__} (news follower{'; ' + contact if contact else ''})"


@dataclass
class _Host:
    """Pacing for one scheme://host:port: requests start at least ``delay`` seconds apart."""

    slots: asyncio.Semaphore
    delay: float
    next_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """``async with Fetcher(settings, robots) as f: await f.get(url, PAGE_TYPES)``; one per event loop.

    ``robots`` (host -> (fetched at, parser or None for allow-all)) outlives the fetcher, so a
    follower asks each host for robots.txt once a day, not once a round.
    """

    def __init__(self, settings: Settings, robots: dict[str, tuple[float, object]] | None = None) -> None:
        self.settings = settings
        self.robots = robots if robots is not None else {}
        self._robots_pending: dict[str, asyncio.Future[object]] = {}
        self._robots_unreachable: dict[str, str] = {}  # origin -> why, for this fetcher's round only
        self._hosts: dict[str, _Host] = {}
        self._slots = asyncio.Semaphore(settings.follow_concurrency)
        self.requests = 0  # HTTP requests made (robots.txt included)

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self.client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(s.follow_timeout, pool=None),
            limits=httpx.Limits(max_connections=s.follow_concurrency,
                                max_keepalive_connections=s.follow_concurrency),
            headers={"User-Agent": user_agent(s.follow_contact), "Accept-Encoding": "gzip, deflate"},
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    # -- the one public call ---------------------------------------------------------------
    async def get(self, url: str, accept: tuple[str, ...], etag: str = "", last_modified: str = "") -> Fetched:
        """GET ``url`` following up to ``follow_max_redirects`` redirects; 304 when the validators match."""
        try:
            return await self._get(url, accept, etag, last_modified)
        except Exception as exc:  # whatever a site sends, one fetch must never stop a round
            return Fetched(url, error=f"fetch failed ({type(exc).__name__})")

    async def _get(self, url: str, accept: tuple[str, ...], etag: str, last_modified: str) -> Fetched:
        seen = {url}
        current = url
        for _hop in range(self.settings.follow_max_redirects + 1):
            if not _is_http(current):
                return Fetched(url, error="not an http(s) URL", final_url=current)
            denied = await self._denied(current)
            if denied:
                return Fetched(url, error=denied, final_url=current)
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            got = await self._request(current, headers, accept, self.settings.follow_max_bytes)
            got.url = url
            if got.status not in _REDIRECTS or got.error:
                return got
            location = got.final_url
            if location in seen:
                return Fetched(url, got.status, error="redirect loop", final_url=current)
            seen.add(location)
            current = location
        return Fetched(url, error=f"too many redirects (over {self.settings.follow_max_redirects})", final_url=current)

    # -- one request -------------------------------------------------------------------------
    async def _request(self, url: str, headers: dict[str, str], accept: tuple[str, ...], cap: int) -> Fetched:
        parts = urlsplit(url)  # an http(s) URL: _get checked it
        host = self._host(f"{parts.scheme}://{parts.netloc}")
        async with self._slots, host.slots:
            await self._pace(host)
            self.requests += 1
            try:
                async with asyncio.timeout(self.settings.follow_timeout):
                    return await self._exchange(url, headers, accept, cap)
            except (TimeoutError, httpx.TimeoutException):
                return Fetched(url, error="timed out")
            except httpx.ConnectError:
                return Fetched(url, error="connection failed")
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                return Fetched(url, error=f"HTTP error ({type(exc).__name__})")

    async def _exchange(self, url: str, headers: dict[str, str], accept: tuple[str, ...], cap: int) -> Fetched:
        async with self.client.stream("GET", url, headers=headers) as r:
            out = Fetched(url, r.status_code, content_type=r.headers.get("content-type", ""),
                          etag=r.headers.get("etag", ""), last_modified=r.headers.get("last-modified", ""),
                          final_url=url)
            if r.status_code in _REDIRECTS:
                location = r.headers.get("location", "")
                if not location:
                    out.error = f"HTTP {r.status_code} without a Location"
                out.final_url = urljoin(url, location).split("#", 1)[0]
                return out
            if r.status_code == 304:
                return out
            if r.status_code != 200:
                out.error = f"HTTP {r.status_code}"
                if r.status_code in (429, 503):
                    out.retry_after = _seconds_from(r.headers.get("retry-after", ""))
                return out
            kind = out.content_type.split(";")[0].strip().lower()
            if kind and not any(a in kind for a in accept):
                out.error = f"content type {kind}"
                return out
            declared = r.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                out.error = f"too large (over {cap} bytes)"
                return out
            body = bytearray()
            async for chunk in r.aiter_bytes():  # decompressed: a small gzip cannot hide a huge body
                body += chunk
                if len(body) > cap:
                    out.error = f"too large (over {cap} bytes)"
                    return out
            out.body = bytes(body)
            return out

    def _host(self, origin: str) -> _Host:
        host = self._hosts.get(origin)
        if host is None:
            cached = self.robots.get(origin)
            delay = _crawl_delay(cached[1] if cached else None, self.settings.follow_host_delay)
            host = self._hosts[origin] = _Host(asyncio.Semaphore(self.settings.follow_per_host), delay)
        return host

    @staticmethod
    async def _pace(host: _Host) -> None:
        async with host.lock:
            now = time.monotonic()
            start = max(now, host.next_at)
            host.next_at = start + host.delay
        if start > now:
            await asyncio.sleep(start - now)

    # -- robots.txt ------------------------------------------------------------------------------
    async def _denied(self, url: str) -> str:
        """Why robots.txt forbids ``url`` ("" when it does not)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self.robots.get(origin)
        if cached is not None and time.time() - cached[0] <= ROBOTS_TTL:
            parser = cached[1]
        elif origin in self._robots_unreachable:
            return self._robots_unreachable[origin]
        else:
            pending = self._robots_pending.get(origin)
            if pending is None:  # the first asker reads it; the others wait for that answer
                pending = self._robots_pending[origin] = asyncio.ensure_future(self._read_robots(origin))
            parser = await pending
            if origin in self._robots_unreachable:
                return self._robots_unreachable[origin]
        if parser is None:
            return ""
        assert isinstance(parser, urllib.robotparser.RobotFileParser)
        return "" if parser.can_fetch(user_agent(""), url) else "robots.txt disallows"

    async def _read_robots(self, origin: str) -> object:
        """The parsed robots.txt (None when it allows everything), kept for a day. One that cannot be
        read forbids the whole site, for this round only, so a site that comes back resumes."""
        url = origin + "/robots.txt"
        got = Fetched(url)
        for _hop in range(5):  # RFC 9309: follow at least five redirects
            got = await self._request(url, {}, ("text/",), ROBOTS_MAX_BYTES)
            if got.status not in _REDIRECTS or got.error or not _is_http(got.final_url):
                break
            url = got.final_url
        parser: urllib.robotparser.RobotFileParser | None = None
        if 400 <= got.status < 500 or got.error.startswith("too large"):
            pass  # absent (or absurd): everything allowed
        elif got.error or got.status != 200:
            self._robots_unreachable[origin] = f"robots.txt unreachable ({got.error or got.status})"
            return None
        else:
            parser = urllib.robotparser.RobotFileParser(url)
            parser.parse(got.body.decode("utf-8", "replace").splitlines())
        self.robots[origin] = (time.time(), parser)
        self._host(origin).delay = _crawl_delay(parser, self.settings.follow_host_delay)
        return parser


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _crawl_delay(parser: object, delay: float) -> float:
    """The per-host delay: the setting, or robots.txt's Crawl-delay when longer (at most a minute)."""
    if isinstance(parser, urllib.robotparser.RobotFileParser):
        asked = parser.crawl_delay(user_agent(""))
        if asked:
            return max(delay, min(float(asked), 60.0))
    return delay


def _seconds_from(retry_after: str) -> float:
    """Retry-After as seconds: a number, or an HTTP date; 0 when absent or unreadable (at most a day)."""
    value = retry_after.strip()
    if value.isdigit():
        return min(float(value), 86400.0)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, min((when - datetime.now(timezone.utc)).total_seconds(), 86400.0))
