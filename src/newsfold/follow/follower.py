"""One round of following: poll the feeds that are due, fetch the pages of new summary-only
entries, ingest through the engine's own ``Pipeline``, then record the feeds' state.

The round's entries (every entry of every changed feed, each once) are put in date order and
cut into slices of ``follow_slice`` entries; a slice's pages are fetched together (the next slice's
while this one is ingested, on an event loop in a thread of its own), then the slice is ingested as
one pipeline run. An entry whose article is already stored is left out, and its
page is never fetched again. A round killed half-way and run again cuts the same slices (they are
cut before anything is left out), and what the killed round stored is a prefix of the clean
round's order, so leaving it out moves nothing else: the rerun ends in the same store.

The store is reached only through a ``Session``: a callable that runs ``work(store, pipeline)``
with the store's one writer (the CLI's own store, or ``api.Writer`` when the web app is serving).
"""
from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from ..config import Settings
from ..ingest.html import canonical_url, extract_page, host_of
from ..model import Article, Item
from ..pipeline import Counts, Pipeline
from ..store import Store
from . import state
from .entries import Entry, Listing, NotAFeed, read_entries
from .fetch import FEED_TYPES, PAGE_TYPES, Fetched, Fetcher
from .sources import read_sources

T = TypeVar("T")
Session = Callable[[Callable[[Store, Pipeline], T]], T]
MAX_CHILD_SITEMAPS = 20  # of one sitemap index, per poll
REJECTED = "\x00rejected"


@dataclass
class RoundReport:
    started: datetime
    feeds: int = 0
    polled: int = 0
    unchanged: int = 0
    changed: int = 0
    backing_off: int = 0
    entries: int = 0  # distinct entries in the changed feeds
    pages_fetched: int = 0
    counts: Counts = field(default_factory=Counts)
    failed_feeds: Counter[str] = field(default_factory=Counter)
    failed_pages: Counter[str] = field(default_factory=Counter)
    fetch_s: float = 0.0  # waiting for the network: polls, and pages the engine's work did not hide
    fetch_busy_s: float = 0.0  # polls and page fetches from start to end, overlapped or not
    extract_s: float = 0.0
    engine_s: float = 0.0
    total_s: float = 0.0
    requests: int = 0
    pages_wanted: int = 0  # progress: pages asked for so far, pages answered, articles through the engine
    pages_done: int = 0
    ingested: int = 0

    def line(self) -> str:
        c = self.counts
        failed = sum(self.failed_feeds.values())
        text = (f"round {self.started:%Y-%m-%d %H:%M:%S} UTC: {self.polled} of {self.feeds} feeds polled "
                f"({self.unchanged} unchanged, {self.changed} changed, {failed} failed"
                f"{f', {self.backing_off} backing off' if self.backing_off else ''}); "
                f"{self.entries} entries, {self.pages_fetched} pages fetched; "
                f"{c.articles} new articles, {c.duplicates} copies, {c.rejected} rejected")
        reasons = [f"feeds: {_reasons(self.failed_feeds)}"] if self.failed_feeds else []
        if self.failed_pages:
            reasons.append(f"pages: {_reasons(self.failed_pages)}")
        if reasons:
            text += "; failed " + "; ".join(reasons)
        return text + f" ({self.total_s:.1f} s, {self.fetch_s:.1f} s of it waiting on the network)"

    def as_dict(self) -> dict[str, Any]:
        return {"started": self.started.isoformat(), "feeds": self.feeds, "polled": self.polled,
                "unchanged": self.unchanged, "changed": self.changed, "backing_off": self.backing_off,
                "entries": self.entries, "pages_fetched": self.pages_fetched, **self.counts.as_dict(),
                "failed_feeds": dict(self.failed_feeds), "failed_pages": dict(self.failed_pages),
                "fetch_s": self.fetch_s, "fetch_busy_s": self.fetch_busy_s, "extract_s": self.extract_s,
                "engine_s": self.engine_s,
                "total_s": self.total_s, "requests": self.requests}


def _reasons(c: Counter[str]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in sorted(c.items(), key=lambda t: (-t[1], t[0])))


class Follower:
    def __init__(self, sources: str | Path, session: Session[Any], settings: Settings, every: timedelta,
                 progress: Callable[[RoundReport], None] | None = None) -> None:
        self.sources = sources
        self.session = session
        self.settings = settings
        self.every = every
        self.progress = progress  # told as pages are fetched and articles ingested
        self.robots: dict[str, tuple[float, object]] = {}  # kept across rounds (a day at most)
        read_sources(sources)  # a bad sources file fails now, not at the first round
        session(lambda store, _pipe: _in_transaction(store, lambda: state.ensure_table(store.conn)))

    def next_due(self) -> datetime | None:
        urls = read_sources(self.sources)
        states = self.session(lambda store, _pipe: state.load(store.conn, urls))
        times = [datetime.fromisoformat(s.next_poll) for s in states.values() if s.next_poll]
        return min(times) if len(times) == len(states) else None

    def run_round(self, now: datetime | None = None, everything: bool = False) -> RoundReport:
        """Poll the feeds due at ``now`` (``everything``: all but those backing off after failures)."""
        now = now or state.now_utc()
        clock = time.monotonic()
        urls = read_sources(self.sources)
        states = self.session(lambda store, _pipe: state.load(store.conn, urls))
        report = RoundReport(now, feeds=len(urls))
        due = [u for u in urls if (not states[u].backing_off(now)) if everything or states[u].due(now)]
        report.backing_off = sum(states[u].backing_off(now) for u in urls)
        loop = _LoopThread()
        fetcher = Fetcher(self.settings, self.robots)
        try:
            loop.run(fetcher.__aenter__())
            t = time.monotonic()
            polled = loop.run(_gather([self._poll(fetcher, states[u]) for u in due]))
            report.fetch_s += time.monotonic() - t
            report.fetch_busy_s += time.monotonic() - t
            entries = self._settle_polls(polled, states, report, now)
            new_ids = self._ingest(loop, fetcher, entries, report)
        finally:
            loop.run(fetcher.__aexit__(None, None, None))
            loop.close()
            report.requests = fetcher.requests
        for url in {e.feed for e in entries if e.id in new_ids}:
            states[url].last_new = now.isoformat()
        # After the articles: a round cut short leaves the old validators, so the next one sees its entries again.
        polled_states = [states[u] for u in due]
        self.session(lambda store, _pipe: _in_transaction(store, lambda: state.save(store.conn, polled_states)))
        report.total_s = time.monotonic() - clock
        return report

    # -- polling ----------------------------------------------------------------------------
    async def _poll(self, fetcher: Fetcher, s: state.FeedState) -> tuple[Fetched, Listing | str]:
        """The answer and what it lists (or why nothing usable) of one feed."""
        cap = self.settings.follow_max_bytes
        index = s.kind == "sitemap index"  # its children change while it stays the same: always read them
        got = await fetcher.get(s.url, FEED_TYPES, "" if index else s.etag, "" if index else s.last_modified)
        if got.error or got.status == 304:
            return got, Listing("", [], [])
        try:
            listing = read_entries(got.body, s.url, cap)
        except NotAFeed as exc:
            return got, f"not a feed ({exc}{_named_feeds(got)})"
        digest = hashlib.sha1(got.body)
        children = listing.children[:MAX_CHILD_SITEMAPS]
        for child in await _gather([fetcher.get(c, FEED_TYPES) for c in children]):
            digest.update(child.body)
            if not child.error:
                try:
                    listing.entries.extend(read_entries(child.body, s.url, cap).entries)
                except NotAFeed:
                    continue
        got.body, got.digest = b"", digest.hexdigest()
        return got, listing

    def _settle_polls(self, polled: list[tuple[Fetched, Listing | str]], states: dict[str, state.FeedState],
                      report: RoundReport, now: datetime) -> list[Entry]:
        """Feed states after the polls (saved later), and the round's entries: each once, in date order."""
        entries: dict[str, Entry] = {}
        for got, found in polled:
            s = states[got.url]
            report.polled += 1
            s.last_poll = now.isoformat()
            error = got.error or (found if isinstance(found, str) else "")
            digest = "" if error or got.status == 304 else got.digest
            if error:
                s.failures += 1
                s.last_error, s.last_status = error, "failed"
                report.failed_feeds[error] += 1
            elif got.status == 304 or digest == s.body_hash:
                s.failures, s.last_error, s.last_status = 0, "", "unchanged"
                report.unchanged += 1
            else:
                assert isinstance(found, Listing)
                s.failures, s.last_error, s.last_status = 0, "", "changed"
                s.etag, s.last_modified, s.body_hash = got.etag, got.last_modified, digest
                s.kind, s.entries = found.kind, len(found.entries)
                report.changed += 1
                for e in found.entries:
                    entries.setdefault(e.id, e)
            if s.kind == "sitemap index":
                s.etag = s.last_modified = ""
            s.next_poll = max(state.next_poll(now, self.every, s.failures),
                              now + timedelta(seconds=got.retry_after)).isoformat()  # the site asked to wait
        report.entries = len(entries)
        return _date_order(list(entries.values()))

    # -- fetching and ingesting ----------------------------------------------------------------
    def _ingest(self, loop: _LoopThread, fetcher: Fetcher, entries: list[Entry], report: RoundReport) -> set[str]:
        """Ingest the entries slice by slice, the pages of the next slice fetched while this one is
        ingested; the ids that were new to the store."""
        new_ids: set[str] = set()
        size = self.settings.follow_slice
        slices = [entries[start : start + size] for start in range(0, len(entries), size)]
        ahead = self._prefetch(loop, fetcher, slices[0], report) if slices else None
        for k, part in enumerate(slices):
            assert ahead is not None
            stored, to_fetch, future = ahead
            t = time.monotonic()
            pages = future.result()
            report.fetch_s += time.monotonic() - t  # the wait: fetching the engine did not hide
            if k + 1 < len(slices):  # its ids cannot be stored by this slice: each entry is in one slice
                ahead = self._prefetch(loop, fetcher, slices[k + 1], report)
            t = time.monotonic()
            fetched = {e.id: p for e, p in zip(to_fetch, pages)}
            items = [item for e in part for item in self._items(e, stored.get(e.id), fetched.get(e.id), report)]
            report.extract_s += time.monotonic() - t
            new_ids |= {e.id for e in part if e.id not in stored}
            t = time.monotonic()
            base = report.ingested

            def ingested(d: int, _total: int) -> None:
                report.ingested = base + d
                self._tell(report)

            counts = self.session(lambda _store, pipe: pipe.run(items, strict=False, progress=ingested, chunk=None))
            report.engine_s += time.monotonic() - t
            for name, value in counts.as_dict().items():
                setattr(report.counts, name, getattr(report.counts, name) + value)
        if new_ids:
            kept = self.session(lambda store, _pipe: _stored(store, [e for e in entries if e.id in new_ids]))
            new_ids &= {i for i, origin in kept.items() if origin != REJECTED}
        return new_ids

    def _prefetch(self, loop: _LoopThread, fetcher: Fetcher, part: list[Entry],
                  report: RoundReport) -> tuple[dict[str, str], list[Entry], Future[list[Fetched]]]:
        """Start fetching the pages a slice needs: those of its entries not stored and without full text."""
        stored = self.session(lambda store, _pipe: _stored(store, part))
        to_fetch = [e for e in part if e.article is None and e.id not in stored]

        async def one(e: Entry) -> Fetched:
            page = await fetcher.get(e.url, PAGE_TYPES)
            report.pages_done += 1
            self._tell(report)
            return page

        async def fetch() -> list[Fetched]:
            t = time.monotonic()
            pages = await _gather([one(e) for e in to_fetch])
            report.fetch_busy_s += time.monotonic() - t
            return pages

        report.pages_wanted += len(to_fetch)

        return stored, to_fetch, loop.submit(fetch())

    def _tell(self, report: RoundReport) -> None:
        if self.progress:
            self.progress(report)

    def _items(self, e: Entry, stored: str | None, page: Fetched | None,
               report: RoundReport) -> Iterable[Item]:
        if stored is not None:
            return  # stored already (or a stored rejection: no article text in the page)
        if e.article is not None:
            yield e.article
            return
        assert page is not None
        if page.error:
            report.failed_pages[page.error] += 1
        else:
            report.pages_fetched += 1
            got = extract_page(page.body, e.url, url=e.url, fallback_date=e.date, charset=page.charset)
            if isinstance(got, Article):
                # The id stays the entry's (known before fetching); the link and outlet are where it led.
                final = canonical_url(page.final_url) or e.url
                yield got.with_(title=got.title or e.title, url=final, source=host_of(final) or got.source)
                return
            report.failed_pages[got.reason.split(":")[0]] += 1
            if e.summary is None:
                yield got
                return
        if e.summary is not None:
            yield e.summary  # the feed's summary, marked summary_only, rather than nothing


# -- helpers ---------------------------------------------------------------------------------
class _LoopThread:
    """An event loop in a thread of its own: the fetcher works there while this thread runs the engine."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="newsfold-fetch", daemon=True)
        self.thread.start()

    def submit(self, coro: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Any) -> Any:
        return self.submit(coro).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


async def _gather(coros: list[Any]) -> list[Any]:
    return list(await asyncio.gather(*coros))


def _in_transaction(store: Store, work: Callable[[], None]) -> None:
    with store.transaction():
        work()


def _stored(store: Store, entries: list[Entry]) -> dict[str, str]:
    """id -> stored origin of the entries whose article is stored; REJECTED for those whose page is a
    stored rejection (no article text in it: fetching it again would not change that)."""
    out: dict[str, str] = {}
    q = store.conn.execute
    for start in range(0, len(entries), 500):
        part = entries[start : start + 500]
        marks = ",".join("?" * len(part))
        by_url = {e.url: e.id for e in part if e.url}
        for url, in q(f"SELECT origin FROM rejections WHERE origin IN ({marks})", [e.url for e in part]):
            out[by_url[url]] = REJECTED
        for r in q(f"SELECT id, origin FROM articles WHERE id IN ({marks})", [e.id for e in part]):
            out[r[0]] = r[1]
    return out


def _date_order(entries: list[Entry]) -> list[Entry]:
    """By the date the feed gives; an undated entry keeps its place after the dated one before it."""
    keyed, last = [], None
    for i, e in enumerate(entries):
        last = e.date or last
        keyed.append((last.timestamp() if last else float("-inf"), i, e))
    return [e for _, _, e in sorted(keyed, key=lambda t: (t[0], t[1]))]


def _named_feeds(got: Fetched) -> str:
    """The feeds an HTML page names (trafilatura's feed finder), as a hint in the failure reason."""
    if b"<html" not in got.body[:4096].lower():
        return ""
    from trafilatura.feeds import FeedParameters, determine_feed

    from ..ingest.html import decode, host_of

    text = decode(got.body[:1_000_000], got.charset) or ""
    found = determine_feed(text, FeedParameters(got.final_url or got.url, host_of(got.url), got.url))
    return f"; it names {found[0]}" if found else ""
