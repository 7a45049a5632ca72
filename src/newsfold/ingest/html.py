"""HTML pages: main text and metadata (title, date, outlet, language, canonical URL) via trafilatura.

Also home of what the web-shaped readers share: stable ids from URLs, byte decoding, and
the text of HTML fragments (feed summaries). Extraction runs on hostile input, so every
failure of the parser becomes a Rejection with a reason, never an exception.
"""
from __future__ import annotations

import codecs
import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape as html_unescape
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from ..model import Article, Item, Rejection
from ..normalize import parse_date

# trafilatura's own ceiling (MAX_FILE_SIZE); larger pages are rejected before parsing.
MAX_PAGE_BYTES = 20_000_000
# trafilatura drops a page whose extracted body has more elements than this: a generated monster, not news.
MAX_TREE_SIZE = 200_000

_DATE_PARAMS = {
    "extensive_search": True,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
    "max_date": "2099-12-31",  # the default (today) would drop pages dated ahead of the machine clock
    "deferred_url_extractor": True,  # a date in the URL only after the page's own metadata
}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html\b[^>]{0,500}?\blang\s*=\s*["']?\s*([a-zA-Z]{2,3})(?![a-zA-Z])""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]{0,1000}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCK_TAGS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article")


# -- what the web readers share --------------------------------------------------------------
def canonical_url(url: str) -> str:
    """An absolute http(s) URL with scheme and host lower-cased and the #fragment dropped; '' otherwise."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ""
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme.lower(), netloc.lower(), parts.path or "/", parts.query, ""))


def stable_id(url: str, origin: str) -> str:
    """Article id: a hash of the URL, or of the origin (path and position) when there is no URL."""
    key = canonical_url(url)
    kind, key = ("u", key) if key else ("p", origin)
    return kind + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def host_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def decode(data: bytes, declared: str | None = None) -> str | None:
    """Text of a page: the declared charset (HTTP header or <meta>), else UTF-8, else a detected
    encoding. None when no encoding fits (binary data)."""
    candidates = [declared] if declared else []
    m = _META_CHARSET.search(data[:4096])
    if m and not m.group(1).lower().startswith((b"utf-16", b"utf-32")):  # HTML treats these as UTF-8 in <meta>
        candidates.append(m.group(1).decode("ascii"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return None if best is None else str(best)


def looks_binary(text: str) -> bool:
    """Mostly control or replacement characters: decoded bytes that were never text."""
    sample = text[:20_000]
    if not sample:
        return False
    bad = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    return bad > 0.1 * len(sample)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed summary): tags and scripts gone, blocks on their own lines."""
    if "<" not in fragment and "&" not in fragment:
        return _SPACES.sub(" ", fragment).strip()  # HTML: line breaks in the source are spaces
    import lxml.html
    from lxml import etree
    from lxml_html_clean import Cleaner

    # What a tag-stripping regex leaves: the floor for what the parser must keep (lxml silently drops
    # everything below about 250 levels of nesting). Feeds rarely carry scripts: feedparser sanitises them.
    stripped = html_unescape(_SPACES.sub(" ", _TAG.sub(" ", fragment)))
    try:
        parser = lxml.html.HTMLParser(huge_tree=True)
        root = lxml.html.fragment_fromstring(_CONTROL.sub("", fragment), create_parent="div", parser=parser)
        root = Cleaner(scripts=True, javascript=True, style=True, comments=True, forms=False,
                       page_structure=False).clean_html(root)
        for el in root.iter():  # line breaks in HTML source mean nothing; blocks do
            if isinstance(el.tag, str):
                el.text = _SPACES.sub(" ", el.text) if el.text else el.text
                tail = _SPACES.sub(" ", el.tail) if el.tail else ""
                el.tail = "\n" + tail if el.tag in _BLOCK_TAGS else tail
        text = str(root.text_content())
    except (etree.LxmlError, ValueError, RecursionError):
        text = ""
    if len(text.split()) < 0.5 * len(stripped.split()):
        text = stripped
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


# -- pages ----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _trafilatura_config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_SIZE))
    return config


def extract_page(
    data: bytes,
    origin: str,
    url: str = "",
    fallback_date: datetime | None = None,
    charset: str | None = None,
) -> Item:
    """One HTML page as an Article, or a Rejection saying why not.

    ``url`` (a WARC target URI) wins over the page's canonical link; ``fallback_date`` (a WARC-Date)
    is used when the page states no date. An unparseable date leaves the date unknown.
    """
    if len(data) > MAX_PAGE_BYTES:
        return Rejection(origin, f"too large: HTML page of {len(data)} bytes > {MAX_PAGE_BYTES}", data[:1000])
    text = decode(data, charset)
    if text is None or looks_binary(text):
        return Rejection(origin, "undecodable: bytes are not text in any known encoding", data)
    text = _CONTROL.sub("", text)
    try:
        doc = _extract(text, url, with_metadata=True)
        if doc is None:
            # trafilatura drops the whole page when a metadata step fails (htmldate raises on a date such
            # as "+25:00"): take the text alone and read the <head> ourselves.
            doc = _extract(text, url, with_metadata=False)
            if doc is not None:
                doc = _head_metadata(text, doc.text or "")
    except Exception as exc:  # trafilatura, lxml and htmldate raise many kinds on broken markup
        return Rejection(origin, f"HTML extraction failed: {type(exc).__name__}: {_one_line(exc)}", data)
    body = (doc.text or "").strip() if doc is not None else ""
    if doc is None or not body:
        return Rejection(origin, "no article text found in the HTML page", data)
    title = " ".join((doc.title or "").split())
    first, _, rest = body.partition("\n")
    if title and first.strip() == title and rest.strip():
        body = rest.strip()  # trafilatura repeats the headline as the first line
    page_url = canonical_url(url) or canonical_url(doc.url or "")
    lang = _HTML_LANG.search(text[:20_000])
    return Article(
        id=stable_id(page_url, origin),
        text=body,
        title=title,
        date=page_date(text) or parse_date(doc.date) or fallback_date,
        source=host_of(page_url) or (doc.sitename or "").strip(),
        url=page_url,
        lang=lang.group(1).lower() if lang else "",
        origin=origin,
        raw=data,
    )


def _extract(text: str, url: str, with_metadata: bool) -> Any:
    from trafilatura import bare_extraction

    return bare_extraction(
        text,
        url=canonical_url(url) or None,
        with_metadata=with_metadata,
        include_comments=False,
        include_tables=True,
        config=_trafilatura_config(),
        date_extraction_params=dict(_DATE_PARAMS),
    )


@dataclass
class _PageMeta:
    text: str
    title: str = ""
    url: str = ""
    date: str = ""
    sitename: str = ""


_META_DATES = ("article:published_time", "og:published_time", "datepublished", "pubdate", "date", "dc.date")


def _head_metadata(text: str, body: str) -> _PageMeta:
    """Title, canonical URL, site name and date from <head>, for pages trafilatura's metadata step refused."""
    import lxml.html
    from lxml import etree

    meta = _PageMeta(text=body)
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.LxmlError, ValueError):
        return meta
    props = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key and key not in props:
            props[key] = (el.get("content") or "").strip()
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    meta.title = props.get("og:title") or tree.findtext(".//title") or ""
    meta.url = (canonical[0] if canonical else "") or props.get("og:url", "")
    meta.sitename = props.get("og:site_name", "")
    meta.date = next((props[k] for k in _META_DATES if props.get(k)), "")
    return meta


# Publication-date metadata, most specific first; values keep their time of day.
_PUBLISHED_KEYS = ("article:published_time", "og:published_time", "datepublished", "article.published",
                   "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "dc.date.issued", "dcterms.issued",
                   "dc.date", "date")


def page_date(text: str) -> datetime | None:
    """The publication date the page states about itself, with its time: ``<meta>`` (Open Graph,
    schema.org itemprop, Dublin Core...), JSON-LD ``datePublished``, then a ``<time datetime>``.

    Read before htmldate's answer, which takes a date in the URL first and drops the time of day
    ("/2016/11/10/" over "2016-11-09T11:05Z"); None when the page states none.
    """
    import json

    import lxml.html
    from lxml import etree

    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.LxmlError, ValueError):
        return None
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = (el.get("content") or el.get("datetime") or "").strip()
        if key in _PUBLISHED_KEYS and value and key not in found:
            found[key] = value
    candidates = [found[k] for k in _PUBLISHED_KEYS if k in found]
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            candidates += list(_json_ld_dates(json.loads(script.text or "")))
        except (ValueError, RecursionError):
            continue
    times = tree.xpath("//time[@datetime]")
    preferred = [t for t in times if (t.get("itemprop") or "").lower() == "datepublished" or t.get("pubdate") is not None]
    candidates += [t.get("datetime") for t in preferred + times]
    for value in candidates[:50]:
        if len(value) >= 8 and any(c.isdigit() for c in value):
            date = parse_date(value)
            if date is not None and 1990 <= date.year <= 2099:
                return date
    return None


def _json_ld_dates(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 8:
        return
    if isinstance(value, dict):
        if isinstance(value.get("datePublished"), str):
            yield value["datePublished"]
        for v in value.values():
            if isinstance(v, (dict, list)):
                yield from _json_ld_dates(v, depth + 1)
    elif isinstance(value, list):
        for v in value[:100]:
            yield from _json_ld_dates(v, depth + 1)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def read_html(path: Path) -> Iterator[Item]:
    """One article per file; its id is a hash of its canonical URL (or of the path when it has none)."""
    size = path.stat().st_size
    if size > MAX_PAGE_BYTES:
        with path.open("rb") as fh:
            head = fh.read(1000)
        yield Rejection(str(path), f"too large: HTML page of {size} bytes > {MAX_PAGE_BYTES}", head)
        return
    yield extract_page(path.read_bytes(), str(path))


# -- sniffing -------------------------------------------------------------------------------
def looks_like(head: bytes, suffix: str) -> bool:
    """By content: a doctype or <html> tag near the start (XHTML may open with <?xml)."""
    start = head[:1024].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return True
    return start.startswith((b"<?xml", b"<!--")) and b"<html" in start


def has_extension(head: bytes, suffix: str) -> bool:
    return suffix in {".html", ".htm", ".xhtml", ".shtml"}
