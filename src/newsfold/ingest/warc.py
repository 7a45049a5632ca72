"""WARC and WARC.gz archives (warcio), the format of news crawls such as CC-NEWS.

Every record is one item: an HTTP 200 response with an HTML body becomes an article (URL: the
WARC-Target-URI; date: the page's, else the WARC-Date); any other record (warcinfo, request,
redirect, image...) is a Rejection with ``malformed=False``. A record's origin is
``path#<byte offset>``. Damage is reported, never skipped in silence: a truncated record, bytes
after the last whole record, or a corrupt stream each yield a Rejection saying where.
"""
from __future__ import annotations

import contextlib
import gzip
import io
import re
import zlib
from pathlib import Path
from typing import IO, Any, Iterator

from ..model import Item, Rejection
from ..normalize import parse_date
from .html import MAX_PAGE_BYTES, extract_page
from .html import looks_like as looks_like_html

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]{1,40})", re.IGNORECASE)
_NON_CHUNKED = "non-chunked gzip"
_BAD_LENGTH = "Record not followed by newline"


def read_warc(path: Path) -> Iterator[Item]:
    size = path.stat().st_size
    with path.open("rb") as fh:
        state: dict[str, Any] = {"end": 0, "records": 0}
        try:
            yield from _records(fh, str(path), state)
        except Exception as exc:  # warcio raises bare errors (even AttributeError) on damaged input
            if _NON_CHUNKED in str(exc):
                yield from _read_single_gzip_stream(path, state)
                return
            yield _damage(fh, str(path), state, f"corrupt WARC: {type(exc).__name__}: {_first_line(exc)}")
            return
        if state["records"] == 0:
            head = _tail(fh, 0)
            if not head.strip():
                yield Rejection(str(path), "empty WARC file (no records)", b"", malformed=False)
            else:
                yield Rejection(str(path), "not a WARC file: no record could be read", head)
            return
        tail = _tail(fh, state["end"])
        if tail.strip(b"\r\n\x00"):
            yield Rejection(
                f"{path}#{state['end']}",
                f"truncated WARC: {size - state['end']} bytes after the last whole record are not a readable record",
                tail,
            )


def _records(fh: IO[bytes], origin: str, state: dict[str, Any], skip_first: bool = False) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator

    it = ArchiveIterator(fh)
    it.known_format = "warc"  # no guessing of the legacy ARC format: it reads any five-word line as a record
    records = iter(it)
    while True:
        with _warnings_of_warcio():
            record = next(records, None)
        if record is None:
            return
        with _warnings_of_warcio() as said:
            item = _record(record, it, origin, skip=skip_first and state["records"] == 0)
        state["records"] += 1
        state["end"] = it.get_record_offset() + it.get_record_length()
        if item is not None and _BAD_LENGTH in said.getvalue():
            # The block did not end where Content-Length said: the record is cut or overruns into the next.
            item = Rejection(item.origin, "WARC record's Content-Length does not end at a record boundary",
                             item.raw)
        if item is not None:
            yield item


@contextlib.contextmanager
def _warnings_of_warcio() -> Iterator[io.StringIO]:
    """warcio prints its warnings to stderr; catch them so they become reasons, not noise."""
    sink = io.StringIO()
    with contextlib.redirect_stderr(sink):
        yield sink


def _record(record: Any, it: Any, path: str, skip: bool) -> Item | None:
    """The item for one record. The body is read before the offset is asked for: warcio's
    ``get_record_offset`` reads the record to its end."""
    kind = record.rec_type or "unknown"
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    http = record.http_headers
    ctype = ((http.get_header("Content-Type") if http else None) or record.content_type or "").lower()
    body, error = b"", ""
    if kind in ("response", "resource"):
        try:
            body = record.content_stream().read(MAX_PAGE_BYTES + 1)
        except Exception as exc:  # a bad Content-Encoding or chunking inside the record
            error = f"record body cannot be decoded: {type(exc).__name__}: {_first_line(exc)}"
    if len(body) > MAX_PAGE_BYTES:
        missing = 0  # read stopped on purpose
    else:
        missing = _drain(record.raw_stream)
    origin = f"{path}#{it.get_record_offset()}"
    if skip:
        return None
    headers = record.rec_headers.to_str().encode("utf-8", "replace")
    if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
        return Rejection(origin, "truncated or malformed WARC record headers (no valid Content-Length)", headers)
    if missing:
        return Rejection(origin, f"truncated WARC record: {missing} bytes of its block are missing", headers + body)
    if error:
        return Rejection(origin, error, headers)
    if kind not in ("response", "resource"):
        return Rejection(origin, f"{kind} record, not a page", headers, malformed=False)
    if kind == "response":
        if http is None:
            return Rejection(origin, f"response without HTTP headers ({uri.split(':', 1)[0]}: record), not a page",
                             headers, malformed=False)
        status = http.get_statuscode() or "?"
        if status != "200":
            return Rejection(origin, f"HTTP {status} response, not a page", headers, malformed=False)
    if not ctype.startswith(_HTML_TYPES) and not (not ctype and looks_like_html(body.lstrip()[:1024], "")):
        return Rejection(origin, f"not HTML ({ctype.split(';')[0] or 'no content type'}), not a page",
                         headers, malformed=False)
    charset = _CHARSET.search(ctype)
    return extract_page(
        body,
        origin,
        url=uri,
        fallback_date=parse_date(record.rec_headers.get_header("WARC-Date")),
        charset=charset.group(1) if charset else None,
    )


def _drain(stream: Any) -> int:
    """Read a record's block to its end; the number of bytes its Content-Length promised but the file lacks."""
    try:
        while stream.read(1 << 20):
            pass
    except Exception:  # a damaged block reads as missing from here on
        pass
    return int(getattr(stream, "limit", 0) or 0)


def _read_single_gzip_stream(path: Path, state: dict[str, Any]) -> Iterator[Item]:
    """A .warc.gz compressed as one stream (not one gzip member per record) cannot seek, but it can be
    read: again from the start, uncompressed, skipping the first record already yielded. Origins past the
    first record are offsets in the uncompressed stream."""
    state.update(end=0, records=0)
    with gzip.open(path, "rb") as fh:
        try:
            yield from _records(fh, str(path), state, skip_first=True)
        except (Exception, EOFError, zlib.error) as exc:
            yield Rejection(f"{path}#{state['end']}",
                            f"corrupt WARC (gzip stream): {type(exc).__name__}: {_first_line(exc)}", b"")


def _damage(fh: IO[bytes], path: str, state: dict[str, Any], reason: str) -> Rejection:
    return Rejection(f"{path}#{state['end']}", reason, _tail(fh, state["end"]))


def _tail(fh: IO[bytes], offset: int, limit: int = 1000) -> bytes:
    """Up to ``limit`` bytes from ``offset``: what is kept of a damaged region."""
    try:
        fh.seek(offset)
        return fh.read(limit)
    except (OSError, ValueError):
        return b""


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return lines[0][:200] if lines else ""


# -- sniffing -------------------------------------------------------------------------------
def looks_like(head: bytes, suffix: str) -> bool:
    """By content: a WARC version line, or a gzip member whose first bytes are one."""
    if head.startswith(b"WARC/1."):
        return True
    if not head.startswith(b"\x1f\x8b"):
        return False
    try:
        start = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return False
    return start.startswith(b"WARC/1.")


def has_extension(head: bytes, suffix: str) -> bool:
    return suffix == ".warc"
