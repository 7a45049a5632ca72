"""What to follow: a text file of feed URLs (one a line, ``#`` comments) or an OPML file.

OPML is what feed readers export: every ``<outline xmlUrl=...>`` at any depth is a feed.
A URL is a feed, a news sitemap or a sitemap index; which one is decided by what it answers.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..ingest.html import canonical_url


def read_sources(path: str | Path) -> list[str]:
    """The feed URLs of a sources file, in file order, each once."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read sources file {path}: {exc.strerror or exc}") from None
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1000].lower()
    urls = _opml(data, str(path)) if (head.startswith(b"<?xml") or b"<opml" in head) else _lines(data, str(path))
    if not urls:
        raise InputError(f"no feed URLs in {path}: write one http(s) URL a line, or give an OPML file")
    return list(dict.fromkeys(urls))


def _lines(data: bytes, path: str) -> list[str]:
    urls = []
    for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if not line:
            continue
        url = canonical_url(line.split()[0])
        if not url:
            raise InputError(f"not an http(s) URL: {line[:200]!r}", f"{path}:{n}")
        urls.append(url)
    return urls


def _opml(data: bytes, path: str) -> list[str]:
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not a readable OPML file: {exc}", path) from None
    urls = []
    for el in root.iter("outline"):
        attrs = {k.lower(): v for k, v in el.attrib.items()}
        url = canonical_url(attrs.get("xmlurl", ""))
        if url:
            urls.append(url)
    return urls
