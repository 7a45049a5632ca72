"""Property tests: bad input thrown at every reader.

Whatever the bytes (random, wrong encoding, truncated gzip, huge lines, deep nesting, malformed
dates), a reader returns, in bounded time, items that are each an Article or a Rejection with a
one-line reason and a unique origin; inputs with a known number of items give exactly that many.
The number of cases each property ran is printed at the end of the module.
"""
from __future__ import annotations

import gzip
import html
import io
import signal
import tempfile
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_fixtures import ATOM_FEED, PAGES, RSS_FEED, page_html, write_warc

from newsfold.ingest import READERS
from newsfold.ingest.feeds import parse_feed
from newsfold.ingest.html import extract_page
from newsfold.model import Article, Item, Rejection

CASES: Counter[str] = Counter()
HANG_SECONDS = 60  # a watchdog for "no hang", far above any real reading time; not a speed check


def fuzz(cases: int) -> settings:
    """Hypothesis settings sized so the whole module runs in well under a minute."""
    return settings(max_examples=cases, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def report_case_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    lines = [f"  {name}: {n} cases" for name, n in sorted(CASES.items())]
    text = f"\nfuzz cases run ({sum(CASES.values())} in all):\n" + "\n".join(lines)
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():  # shown even when pytest captures output
        print(text)


@contextmanager
def watchdog(seconds: int = HANG_SECONDS) -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"reader still running after {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def accounted(items: list[Item]) -> list[Item]:
    """The checks every reader's output must pass, whatever the input."""
    assert all(isinstance(i, (Article, Rejection)) for i in items), items
    origins = [i.origin for i in items]
    assert all(origins) and len(set(origins)) == len(origins), origins
    for i in items:
        if isinstance(i, Rejection):
            assert i.reason.strip() and "\n" not in i.reason and len(i.reason) < 400, i.reason
            assert isinstance(i.raw, bytes)
        else:
            assert i.id and isinstance(i.text, str) and (i.date is None or isinstance(i.date, datetime))
    return items


def read(reader: str, data: bytes, name: str = "input") -> list[Item]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        with watchdog():
            return accounted(list(READERS[reader](path)))


def _warc_bytes(gz: bool) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "seed.warc"
        write_warc(path, gz=gz)
        return path.read_bytes()


SEEDS: dict[str, list[bytes]] = {
    "html": [page_html(p) for p in PAGES],
    "feed": [RSS_FEED.encode(), ATOM_FEED.encode()],
    "warc": [_warc_bytes(True), _warc_bytes(False)],
}


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A valid input damaged: cut short, bytes overwritten, junk inserted, a slice dropped or repeated."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["cut", "flip", "insert", "drop", "repeat"]))
        if op == "cut":
            data = data[:at]
        elif op == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=200))
        elif op == "drop":
            del data[at : at + draw(st.integers(1, 500))]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 2000))]
    return bytes(data)


# -- random bytes and damaged files, every reader ----------------------------------------
@fuzz(480)
@given(reader=st.sampled_from(sorted(READERS)), data=st.binary(max_size=4000))
def test_random_bytes(reader: str, data: bytes) -> None:
    CASES["random bytes, every reader"] += 1
    items = read(reader, data)
    if reader in ("html", "text"):
        assert len(items) == 1  # one file, one item
    elif reader == "jsonl":
        assert len(items) == sum(1 for line in io.BytesIO(data) if line.strip())
    elif reader in ("feed", "warc"):
        assert len(items) >= 1  # at worst, one rejection for the whole file


@fuzz(300)
@given(reader=st.sampled_from(["html", "feed", "warc"]), data=st.data())
def test_damaged_files(reader: str, data: st.DataObject) -> None:
    CASES["damaged html/feed/warc"] += 1
    items = read(reader, data.draw(mutated(SEEDS[reader])))
    assert len(items) == 1 if reader == "html" else len(items) >= 1


@fuzz(160)
@given(gz=st.booleans(), fraction=st.floats(0.0, 1.0))
def test_truncated_warc_keeps_every_whole_record(gz: bool, fraction: float) -> None:
    CASES["truncated warc / warc.gz"] += 1
    full_data = SEEDS["warc"][0 if gz else 1]
    full = read("warc", full_data, "full.warc")
    cut = int(len(full_data) * fraction)
    items = read("warc", full_data[:cut], "full.warc")
    offsets = [int(i.origin.rsplit("#", 1)[1]) for i in full]
    ends = offsets[1:] + [len(full_data)]
    whole = sum(1 for end in ends if end <= cut)
    assert [_shape(i) for i in items[:whole]] == [_shape(i) for i in full[:whole]]  # as in the whole file
    last_end = ends[whole - 1] if whole else 0
    if full_data[last_end:cut].strip():  # part of a record is left: its loss must be reported
        damage = items[whole:]
        assert damage, "the cut-off record vanished without a report"
        for item in damage:
            # Reported as damage, or read whole after all (a gzip member cut only in its 8-byte trailer).
            assert (isinstance(item, Rejection) and item.malformed) or _shape(item) == _shape(full[whole]), item
    else:
        assert len(items) == max(whole, 1)


def _shape(item: Item) -> tuple[str, ...]:
    """An item without its temporary directory: position in the file, and what it became."""
    where = item.origin.rsplit("#", 1)[1]
    return (where, item.id, item.title) if isinstance(item, Article) else (where, item.reason, str(item.malformed))


# -- encodings, dates, sizes, nesting ---------------------------------------------------
ENCODINGS = ["latin-1", "cp1252", "cp1251", "koi8-r", "shift_jis", "utf-16", "utf-16-le", "utf-32", "utf-8"]


@fuzz(120)
@given(page=st.sampled_from(PAGES), encoding=st.sampled_from(ENCODINGS),
       declared=st.sampled_from(["utf-8", "iso-8859-1", "utf-16", "no-such-charset", ""]))
def test_wrong_encodings(page, encoding: str, declared: str) -> None:
    CASES["html and feeds in wrong encodings"] += 1
    text = page_html(page).decode("utf-8").replace('<meta charset="utf-8">', f'<meta charset="{declared}">')
    (item,) = read("html", text.encode(encoding, errors="replace"))
    if encoding in ("utf-8", "latin-1", "cp1252") and declared in ("utf-8", "", "no-such-charset"):
        assert isinstance(item, Article) and page.paragraphs[0][:40] in item.text
    feed = RSS_FEED.encode(encoding, errors="replace")
    items = accounted(list(parse_feed(feed, "feed")))
    if encoding in ("latin-1", "cp1252", "utf-8"):
        assert len(items) == 3 and all(isinstance(i, Article) for i in items)


BAD_DATES = st.one_of(
    st.sampled_from(["2026-02-30T10:00:00Z", "2026-13-01", "99999-01-01T00:00:00Z", "0000-00-00", "-1",
                     "Mon, 32 Foo 2026 25:61:00 +9999", "1e308", "tomorrow-ish", "2026-04-14T07:45:00+25:00",
                     "NaN", "1970-01-01T00:00:00Z", "2026/04/14 07:45 UTC"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
)


@fuzz(200)
@given(date=BAD_DATES)
def test_malformed_dates_never_reject(date: str) -> None:
    CASES["malformed dates (html, rss, atom, warc)"] += 1
    page = PAGES[0]
    doc = page_html(page).decode().replace(page.date, html.escape(date, quote=True)).encode()
    art = extract_page(doc, "page.html")
    assert isinstance(art, Article) and art.title == page.title
    rss = RSS_FEED.replace("Tue, 14 Apr 2026 05:45:00 GMT", html.escape(date)).encode()
    assert [type(i) for i in accounted(list(parse_feed(rss, "r")))] == [Article] * 3
    atom = ATOM_FEED.replace("2026-05-02T21:00:00Z", html.escape(date)).encode()
    assert [type(i) for i in accounted(list(parse_feed(atom, "a")))] == [Article] * 2
    warc_date = " ".join(date.split())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.warc"
        _warc_with_date(path, warc_date)
        with watchdog():
            items = accounted(list(READERS["warc"](path)))
    pages = [i for i in items if isinstance(i, Article)]
    assert len(pages) == 1 and pages[0].title == PAGES[5].title  # undated page: the WARC-Date is its only date


def _warc_with_date(path: Path, date: str) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(PAGES[5].url, "response", payload=io.BytesIO(page_html(PAGES[5])),
                                            http_headers=http, warc_headers_dict={"WARC-Date": date}))


@fuzz(8)
@given(size=st.integers(100_000, 3_000_000), newline=st.booleans())
def test_huge_lines(size: int, newline: bool) -> None:
    CASES["huge lines (html, jsonl, feed, text)"] += 1
    words = ("harbour ferry engine lake bridge council " * (size // 40 + 1))[:size]
    (page,) = read("html", f"<html><body><article><p>{words}</p></article></body></html>".encode())
    assert isinstance(page, Article) and len(page.text) > size * 0.9
    lines = f'{{"id": "big", "text": "{words}"}}\n{{"id": "small", "text": "after the big one"}}'
    row, after = read("jsonl", (lines + ("\n" if newline else "")).encode())
    assert isinstance(row, Article) and len(row.text) == size and isinstance(after, Article)
    entry = f"<item><title>Long one</title><description>{words}</description></item>"
    (item,) = accounted(list(parse_feed(f"<rss version='2.0'><channel>{entry}</channel></rss>".encode(), "f")))
    assert isinstance(item, Article) and len(item.text) > size * 0.9
    (text,) = read("text", words.encode())
    assert isinstance(text, Article)


@fuzz(60)
@given(depth=st.integers(1, 30_000), tag=st.sampled_from(["div", "span", "b", "table", "ul", "blockquote"]))
def test_deeply_nested_html(depth: int, tag: str) -> None:
    CASES["deeply nested html (pages, feed summaries)"] += 1
    inner = "<p>The ferry crossed the lake twice before noon, then stayed in port for inspection.</p>"
    nested = f"<{tag}>" * depth + inner + f"</{tag}>" * depth
    (item,) = read("html", f"<!doctype html><html><body>{nested}</body></html>".encode())
    if depth < 200:
        assert isinstance(item, Article) and "crossed the lake" in item.text
    entry = f"<item><title>Nested</title><description>{html.escape(nested)}</description></item>"
    (entry_item,) = accounted(list(parse_feed(f"<rss version='2.0'><channel>{entry}</channel></rss>".encode(), "f")))
    assert isinstance(entry_item, Article) and "crossed the lake" in entry_item.text


@fuzz(80)
@given(data=st.binary(min_size=1, max_size=3000), keep=st.floats(0.05, 0.95))
def test_truncated_gzip_of_anything(data: bytes, keep: float) -> None:
    CASES["truncated gzip (any content)"] += 1
    packed = gzip.compress(b"WARC/1.0\r\n" + data)
    items = read("warc", packed[: max(1, int(len(packed) * keep))], "x.warc.gz")
    assert len(items) >= 1 and any(isinstance(i, Rejection) and i.malformed for i in items)
