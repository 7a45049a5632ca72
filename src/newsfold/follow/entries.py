"""What a polled feed lists: one ``Entry`` per item, from RSS/Atom (the ingest feed reader) or a
news sitemap.

An entry with full text is an article already; one with only a summary (or a sitemap entry, which
has no text at all) names a page to fetch. Entries are keyed by the id the article will have (a
hash of its URL, as every reader makes it), so an article listed by two feeds, or met again in a
later round, is one entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..ingest.feeds import looks_like as looks_like_feed
from ..ingest.feeds import parse_feed
from ..ingest.html import canonical_url, stable_id
from ..model import Article
from ..normalize import parse_date

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
MAX_SITEMAP_URLS = 50_000  # the sitemap protocol's own limit per file


@dataclass(frozen=True)
class Entry:
    id: str
    url: str  # canonical; "" for a feed entry without a link (then the article is the entry itself)
    feed: str  # the feed that listed it first in the round
    date: datetime | None  # as the feed states it: orders the round
    article: Article | None  # the full text from the feed; None: fetch the page
    summary: Article | None = None  # what the feed said, kept when the page cannot be had
    title: str = ""


class NotAFeed(Exception):
    """The body is neither a feed nor a sitemap; the message says what it is instead."""


@dataclass(frozen=True)
class Listing:
    kind: str  # feed, sitemap, sitemap index
    entries: list[Entry]
    children: list[str]  # the sitemaps a sitemap index lists


def read_entries(body: bytes, feed_url: str, cap: int) -> Listing:
    """The entries of a feed or news sitemap (gzipped or not), or the child sitemaps of a sitemap index."""
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body, cap)
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048].lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return _sitemap(body, feed_url)
    if not looks_like_feed(head, ""):
        raise NotAFeed("an HTML page" if b"<html" in head or b"<!doctype html" in head else "not XML")
    entries = []
    for item in parse_feed(body, feed_url):
        if not isinstance(item, Article):
            if item.origin == feed_url:  # the whole document: unreadable, or no entries
                if item.malformed:
                    raise NotAFeed(item.reason.split(":")[0])
                return Listing("feed", [], [])
            continue  # an entry with neither text nor title: nothing to follow
        url = canonical_url(item.url)
        # The article's origin is its URL, whichever feed lists it; entries without a link keep the feed's.
        art = item.with_(origin=url) if url else item
        if art.summary_only and url:
            entries.append(Entry(art.id, url, feed_url, art.date, None, art, art.title))
        else:
            entries.append(Entry(art.id, url, feed_url, art.date, art, None, art.title))
    return Listing("feed", entries, [])


def _sitemap(body: bytes, feed_url: str) -> Listing:
    """<urlset>: one entry per <url> (title and date from <news:news> or <lastmod>); <sitemapindex>:
    the child sitemaps. trafilatura's sitemap helper gives bare links and drops hosts that are IP
    addresses, so the few lines here read the sitemap protocol directly."""
    from lxml import etree

    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError as exc:
        raise NotAFeed(f"unreadable sitemap: {exc}") from None
    if root is None:
        raise NotAFeed("unreadable sitemap")
    local = etree.QName(root).localname
    if local == "sitemapindex":
        return Listing("sitemap index", [], [u for u in (canonical_url(_text(s, "loc"))
                                                           for s in _children(root, "sitemap")) if u])
    entries = []
    for el in _children(root, "url")[:MAX_SITEMAP_URLS]:
        url = canonical_url(_text(el, "loc"))
        if not url:
            continue
        news = el.find(f"{NEWS_NS}news")
        date = parse_date(_text(news, "publication_date", NEWS_NS) if news is not None else "") \
            or parse_date(_text(el, "lastmod"))
        title = _text(news, "title", NEWS_NS) if news is not None else ""
        entries.append(Entry(stable_id(url, url), url, feed_url, date, None, None, " ".join(title.split())))
    return Listing("sitemap", entries, [])


def _gunzip(body: bytes, cap: int) -> bytes:
    """A gzipped sitemap (``sitemap.xml.gz``), decompressed up to ``cap`` bytes."""
    import zlib

    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(body, cap + 1)
    except zlib.error as exc:
        raise NotAFeed(f"corrupt gzip: {exc}") from None
    if len(out) > cap:
        raise NotAFeed(f"too large (over {cap} bytes decompressed)")
    return out


def _children(root: object, name: str) -> list:  # type: ignore[type-arg]
    return [el for el in root.iter(f"{SITEMAP_NS}{name}", name)]  # type: ignore[attr-defined]


def _text(el: object, name: str, ns: str = SITEMAP_NS) -> str:
    if el is None:
        return ""
    found = el.find(f"{ns}{name}")  # type: ignore[attr-defined]
    if found is None:
        found = el.find(name)  # type: ignore[attr-defined]
    return (found.text or "").strip() if found is not None else ""
