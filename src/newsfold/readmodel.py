"""The read model the HTTP API and the pages share: story lists, one story, one article, a pair.

Everything here reads a ``Store`` opened read-only and returns plain dicts (JSON-ready), so the
JSON API and the HTML pages can never disagree about what a story holds.
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .errors import InputError
from .model import Article
from .normalize import parse_date
from .store import Store, StoredArticle

EXCERPT_CHARS = 280
HOURLY_SPAN_DAYS = 3  # stories shorter than this get an hourly timeline, others a daily one
MAX_QUERY_TERMS = 12
MIN_PREFIX = 3  # shorter words match whole words only (a one-letter prefix matches half the index)
COVERAGE_ARTICLES = 40  # originals (earliest first) that the coverage comparison reads
INLINE_STORY_SIZE = 500  # larger stories' first reads (a timeline over every article) go to a worker thread
_WORD = re.compile(r"\w+", re.UNICODE)


# -- story lists --------------------------------------------------------------------------
@dataclass(frozen=True)
class StoryQuery:
    """What a story list asks for; ``date_to`` is inclusive (the whole day)."""

    order: str = "newest"
    limit: int = 20
    cursor: str | None = None
    lang: str | None = None
    outlet: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None
    since: datetime | None = None  # stories that changed in the store after this time


def fts_query(text: str | None) -> str | None:
    """Free text -> an FTS5 query: every word must occur, words of 3+ characters as a prefix; the text is
    only ever quoted words, never FTS syntax."""
    words = _WORD.findall(text or "")[:MAX_QUERY_TERMS]
    return " ".join(f'"{w}"' + ("*" if len(w) >= MIN_PREFIX else "") for w in words) or None


def encode_cursor(order: str, key: list[Any]) -> str:
    raw = json.dumps([order, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(order: str, cursor: str) -> list[Any]:
    """The keyset position in a cursor from ``encode_cursor``; InputError (422) for anything else."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        data = None
    ok = (isinstance(data, list) and len(data) in (3, 4) and data[0] in ("newest", "largest")
          and len(data) == (4 if data[0] == "largest" else 3)
          and isinstance(data[-1], int) and isinstance(data[-2], str)
          and (len(data) == 3 or isinstance(data[1], int))
          and all(-(2**63) <= v < 2**63 for v in data[1:] if isinstance(v, int)))  # SQLite's integers
    if not ok:
        raise InputError("cursor is not one this server gave out: pass next_cursor from the previous page unchanged")
    if data[0] != order:
        raise InputError(f"cursor belongs to order={data[0]!r}, not order={order!r}: keep the order while paging")
    return list(data[1:])


def list_stories(store: Store, q: StoryQuery) -> dict[str, Any]:
    if q.date_from and q.date_to and q.date_from > q.date_to:
        raise InputError(f"date_from {q.date_from} is after date_to {q.date_to}: swap them")
    after = decode_cursor(q.order, q.cursor) if q.cursor else None
    stories, key = store.find_stories(
        order=q.order,
        limit=q.limit,
        after=after,
        lang=q.lang or None,
        outlet=q.outlet or None,
        since=q.date_from.isoformat() if q.date_from else None,
        # The day after date_to; after the last day there is (9999-12-31) there is nothing to cut
        before=(q.date_to + timedelta(days=1)).isoformat() if q.date_to and q.date_to < date.max else None,
        query=fts_query(q.q),
        changed_since=updated_key(q.since) if q.since else None,
    )
    return {"stories": [story_summary(s) for s in stories],
            "next_cursor": encode_cursor(q.order, key) if key else None}


def updated_key(when: datetime) -> str:
    """A time as ``story_updates`` writes it (UTC, microseconds), so that strings compare as times;
    a time without a zone is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def story_summary(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": s["id"],
        "title": s["title"],
        "size": s["size"],
        "originals": s["originals"],
        "copies": s["size"] - s["originals"],
        "first_date": s["first_date"],
        "last_date": s["last_date"],
        "updated": s.get("updated"),
        "languages": s["langs"],
        "outlets": s["outlets"],
    }


# -- one story ----------------------------------------------------------------------------
def article_summary(a: StoredArticle) -> dict[str, Any]:
    text = " ".join(a.text.split())
    return {
        "id": a.id,
        "title": a.title or headline(a.text),
        "date": a.date,
        "outlet": a.source,
        "url": a.url,
        "lang": a.lang,
        "story_id": a.story_id,
        "duplicate_of": a.duplicate_of,
        "summary_only": bool(a.summary_only),
        "excerpt": text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…",
    }


def headline(text: str, limit: int = 120) -> str:
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def fold_copies(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Originals in order, each with ``copies`` (the articles that copy it); a copy whose original is
    not in the list stands on its own."""
    present = {a["id"] for a in articles}
    copies: dict[str, list[dict[str, Any]]] = {}
    for a in articles:
        if a["duplicate_of"] in present:
            copies.setdefault(a["duplicate_of"], []).append(a)
    return [{**a, "copies": copies.get(a["id"], [])} for a in articles if a["duplicate_of"] not in present]


def timeline(store: Store, story: dict[str, Any]) -> dict[str, Any]:
    """Articles per time bin and outlet: hourly for short stories, daily for longer ones."""
    unit = "day"
    first, last = story["first_date"], story["last_date"]
    if first and last:
        span = datetime.fromisoformat(last) - datetime.fromisoformat(first)
        unit = "hour" if span <= timedelta(days=HOURLY_SPAN_DAYS) else "day"
    bins = store.story_timeline(story["id"], 13 if unit == "hour" else 10)
    for b in bins:
        b["start"] = b.pop("bin") + (":00:00+00:00" if unit == "hour" else "")
    undated = story["size"] - sum(b["articles"] for b in bins)
    return {"unit": unit, "bins": bins, "undated": undated}


def story_detail(store: Store, story_id: str, article_limit: int = 200, with_coverage: bool = True) -> dict[str, Any]:
    story = store.story(story_id)
    listed = store.story_articles(story_id, limit=article_limit, text_chars=EXCERPT_CHARS + 200)
    articles = [article_summary(a) for a in listed]
    key = story_version(story)
    return {
        **story_summary(story),
        "articles": articles,
        "articles_shown": len(articles),
        "timeline": _timelines.get(("timeline", *key), lambda: timeline(store, story)),
        "coverage": coverage_for(store, story) if with_coverage else None,
    }


def story_version(story: dict[str, Any]) -> tuple[Any, ...]:
    """What changes whenever a story's articles do (ingest only ever adds articles, or merges stories).
    Takes a stored story row or its summary."""
    return (story["id"], story["size"], story["originals"], story["first_date"], story["last_date"])


class VersionCache:
    """A small thread-safe LRU for results computed from one version of a story."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: tuple[Any, ...]) -> bool:
        with self._lock:
            return key in self._data

    def peek(self, key: tuple[Any, ...]) -> Any:
        """The cached value, or None; computes nothing."""
        with self._lock:
            return self._data.get(key)

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = compute()  # outside the lock: two threads may both compute, both get the same answer
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value


# Timelines aggregate every article of a story (thousands for the largest), and the coverage
# comparison (compare.py, when installed) reads whole texts: both are kept per story version.
_timelines = VersionCache(4096)
_coverage = VersionCache(256)


def cheap_to_read(store: Store, story_id: str, with_coverage: bool) -> bool:
    """Whether ``story_detail`` needs no heavy work (a large story's timeline or a coverage comparison
    not yet cached), so a server may run it on its event loop. Raises NotFound as story_detail would."""
    story = store.story(story_id)
    key = story_version(story)
    if story["size"] > INLINE_STORY_SIZE and ("timeline", *key) not in _timelines:
        return False
    return not (with_coverage and wants_coverage(story)) or cached_coverage(story) is not None


def wants_coverage(story: dict[str, Any]) -> bool:
    """A comparison needs compare.py installed and at least two outlets."""
    return _compare_function() is not None and len(story["outlets"]) >= 2


def cached_coverage(story: dict[str, Any]) -> dict[str, Any] | None:
    """The comparison for this version of the story if already computed, else None (never computes)."""
    found: dict[str, Any] | None = _coverage.peek(("coverage", *story_version(story)))
    return found


@functools.cache
def _compare_function() -> Callable[[list[Any]], Any] | None:
    try:
        from .compare import compare_articles
    except ImportError:
        return None
    return compare_articles


def coverage_for(store: Store, story: dict[str, Any]) -> dict[str, Any] | None:
    """What every outlet reports, what only one does, who is quoted; None when compare.py is absent."""
    if not wants_coverage(story):
        return None
    compare = _compare_function()
    assert compare is not None  # wants_coverage checked it

    def compute() -> dict[str, Any]:
        articles = store.story_articles(story["id"], limit=4 * COVERAGE_ARTICLES)
        originals = [a for a in articles if a.duplicate_of is None][:COVERAGE_ARTICLES]
        result: dict[str, Any] = compare([as_article(a) for a in originals]).as_dict()
        return result

    found: dict[str, Any] = _coverage.get(("coverage", *story_version(story)), compute)
    return found


# -- one article, one pair ---------------------------------------------------------------
def as_article(s: StoredArticle) -> Article:
    """A stored article as the one ``Article`` type every step takes (date back to a UTC datetime)."""
    return Article(id=s.id, text=s.text, title=s.title, date=parse_date(s.date), source=s.source, url=s.url,
                   lang=s.lang, origin=s.origin, summary_only=bool(s.summary_only))


def article_detail(store: Store, article_id: str) -> dict[str, Any]:
    a = store.article(article_id)
    story = store.story(a.story_id)
    original = None
    if a.duplicate_of:
        o = store.article(a.duplicate_of)
        original = {"id": o.id, "title": o.title or headline(o.text), "outlet": o.source}
    return {
        **article_summary(a),
        "text": a.text,
        "score": a.score,
        "original": original,
        "copies": store.copies_of(a.id),
        "story": story_summary(story),
    }


def compare_pair(store: Store, a_id: str, b_id: str,
                 scorer: Callable[[list[Any]], list[dict[str, Any]]]) -> dict[str, Any]:
    """Score two stored articles (SemEval scale, 1 = same event) with reasons; ``scorer`` is pairs.score_pairs
    bound to an embedder and model."""
    from .pairs import PairInput

    a, b = store.article(a_id), store.article(b_id)
    result = scorer([PairInput(f"{a.id}|{b.id}", as_article(a), as_article(b), "api")])[0]
    return {
        "a": article_summary(a),
        "b": article_summary(b),
        "same_story": a.story_id == b.story_id,
        "overall": result["overall"],
        "similarity": result["similarity"],
        "reasons": result["reasons"],
    }
