"""RSS and Atom feeds (feedparser): one article per entry.

An entry with full content gives its text; one with only a summary is still an article,
marked ``summary_only``. HTML in either is reduced to plain text. An entry's origin is
``path#<guid or link>`` so the same entry keeps its origin when a re-fetched feed moves it.
"""
from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..model import Article, Item, Rejection
from .html import canonical_url, host_of, html_to_text, stable_id

MAX_FEED_BYTES = 100_000_000
_LANG = re.compile(r"^\s*([a-zA-Z]{2,3})(?![a-zA-Z])")


_BAD_CHARREF = re.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{1,12})|0*([0-9]{1,20}));")


def _charref(m: re.Match[bytes]) -> bytes:
    """A reference to no character (a lone surrogate, past U+10FFFF) made U+FFFD: feedparser raises on
    it and the whole feed would be lost."""
    code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else m.group()


def parse_feed(data: bytes, origin: str) -> Iterator[Item]:
    """Every entry of a feed document; the whole document is one Rejection if no entry can be read."""
    if len(data) > MAX_FEED_BYTES:
        yield Rejection(origin, f"too large: feed of {len(data)} bytes > {MAX_FEED_BYTES}", data[:1000])
        return
    try:
        import feedparser

        # A stream, never bytes or str: feedparser treats those as a file name or URL to open.
        parsed = feedparser.parse(io.BytesIO(_BAD_CHARREF.sub(_charref, data)))
    except Exception as exc:  # feedparser's loose parser is sgmllib; broken markup raises many kinds
        yield Rejection(origin, f"feed parsing failed: {type(exc).__name__}: {str(exc)[:200]}", data)
        return
    feed: Mapping[str, Any] = parsed.get("feed", {})
    entries = parsed.get("entries", [])
    if not entries:
        if parsed.get("bozo"):
            yield Rejection(origin, f"not a readable feed: {str(parsed.get('bozo_exception'))[:200]}", data)
        else:
            yield Rejection(origin, "feed has no entries", data[:1000], malformed=False)
        return
    feed_host = host_of(canonical_url(str(feed.get("link") or "")))
    feed_lang = _lang(feed.get("language"))
    used: set[str] = set()
    for n, entry in enumerate(entries, 1):
        key = str(entry.get("id") or entry.get("link") or f"entry-{n}").strip() or f"entry-{n}"
        if key in used:  # feeds repeat guids; keep origins unique within the file
            key = f"{key}~{n}"
        used.add(key)
        yield _entry(entry, f"{origin}#{key}", feed_host, feed_lang, str(feed.get("title") or ""))


def _entry(entry: Mapping[str, Any], origin: str, feed_host: str, feed_lang: str, feed_title: str) -> Item:
    try:
        raw = json.dumps(_raw_fields(entry), ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError) as exc:
        return Rejection(origin, f"entry cannot be kept: {exc}", b"")
    content = [c for c in entry.get("content") or [] if isinstance(c, Mapping) and str(c.get("value") or "").strip()]
    if content:
        body = max((_text(c.get("value"), c.get("type")) for c in content), key=len)
        summary_only = False
    else:
        detail = entry.get("summary_detail") or {}
        body = _text(entry.get("summary"), detail.get("type") if isinstance(detail, Mapping) else None)
        summary_only = True
    title_detail = entry.get("title_detail") or {}
    title = _text(entry.get("title"), title_detail.get("type") if isinstance(title_detail, Mapping) else None)
    link = canonical_url(str(entry.get("link") or "")) or canonical_url(str(entry.get("id") or ""))
    if not body.strip() and not title.strip():
        return Rejection(origin, "feed entry has neither text nor title", raw)
    return Article(
        id=stable_id(link, origin),
        text=body,
        title=" ".join(title.split()),
        date=_date(entry),
        source=host_of(link) or feed_host or feed_title.strip(),
        url=link,
        lang=_lang(entry.get("language")) or feed_lang,
        origin=origin,
        summary_only=summary_only,
        raw=raw,
    )


def _text(value: object, kind: object) -> str:
    text = "" if value is None else str(value)
    return text if kind == "text/plain" else html_to_text(text)


def _date(entry: Mapping[str, Any]) -> datetime | None:
    """feedparser's parsed date (UTC); a date it could not parse stays unknown."""
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        # A plain dict lookup: feedparser's own maps a missing key onto another, with a warning.
        t = dict.get(entry, name) if isinstance(entry, dict) else entry.get(name)
        if t:
            try:
                return datetime(*t[:6], tzinfo=timezone.utc)
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def _lang(value: object) -> str:
    m = _LANG.match(str(value or ""))
    return m.group(1).lower() if m else ""


def _raw_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """What the feed said about the entry, kept so a rejected or stored entry can be re-processed."""
    keep = ("id", "link", "title", "published", "updated", "author", "summary", "content", "language")
    return {k: entry[k] for k in keep if k in entry}


def read_feed(path: Path) -> Iterator[Item]:
    size = path.stat().st_size
    if size > MAX_FEED_BYTES:
        with path.open("rb") as fh:
            head = fh.read(1000)
        yield Rejection(str(path), f"too large: feed of {size} bytes > {MAX_FEED_BYTES}", head)
        return
    yield from parse_feed(path.read_bytes(), str(path))


# -- sniffing -------------------------------------------------------------------------------
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")


def looks_like(head: bytes, suffix: str) -> bool:
    """By content: an <rss>, <feed> or <rdf:RDF> root, or any XML document that is not XHTML
    (a non-feed XML file then gets a clear 'not a readable feed' rejection, not a junk article)."""
    start = head[:2048].lower()
    if start.startswith(_FEED_ROOTS):
        return True
    if start.startswith(b"<!--"):
        return any(root in start for root in _FEED_ROOTS)
    return start.startswith(b"<?xml") and b"<html" not in start


def has_extension(head: bytes, suffix: str) -> bool:
    return suffix in {".rss", ".atom", ".rdf", ".xml"}
