"""WARC archives written with warcio: pages become articles, other records are skipped with a reason,
damage is reported where it is."""
from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import run_cli
from web_fixtures import PAGES, write_warc

from newsfold.ingest import sniff
from newsfold.ingest.html import stable_id
from newsfold.ingest.warc import read_warc
from newsfold.model import Article, Rejection
from newsfold.store import Store


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_every_record_becomes_one_item(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    specs = write_warc(path, gz=gz)
    items = list(read_warc(path))
    assert len(items) == len(specs)
    for spec, item in zip(specs, items, strict=True):
        if spec.expect == "page":
            assert isinstance(item, Article), item
            page = spec.page
            assert page is not None
            assert item.url == page.url  # the WARC-Target-URI (the pages carry no canonical link here)
            assert item.id == stable_id(page.url, "")
            assert item.title == page.title and item.source == page.host and item.lang == page.lang
            assert all(p in item.text for p in page.paragraphs)
            stated = datetime.fromisoformat(page.date) if page.date else datetime.fromisoformat(spec.warc_date)
            assert item.date == stated.astimezone(timezone.utc)  # the page's date, else the WARC-Date
        else:
            assert isinstance(item, Rejection) and not item.malformed, item
            assert item.reason.startswith(spec.expect), item.reason
    origins = [i.origin for i in items]
    assert len(set(origins)) == len(origins)
    assert all(o.startswith(f"{path}#") and o.rsplit("#", 1)[1].isdigit() for o in origins)
    assert [i.origin for i in read_warc(path)] == origins  # stable across runs


def test_truncated_gzip_keeps_whole_records_and_reports_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path)
    full = list(read_warc(path))
    offsets = [int(i.origin.rsplit("#", 1)[1]) for i in full]
    cut = offsets[5] + 40  # inside the third page's response record
    path.write_bytes(path.read_bytes()[:cut])
    items = list(read_warc(path))
    assert items[:5] == full[:5]
    damaged = items[5:]
    assert len(damaged) == 1 and isinstance(damaged[0], Rejection) and damaged[0].malformed
    assert "truncated" in damaged[0].reason or "corrupt" in damaged[0].reason


def test_record_cut_inside_its_body_is_reported_as_truncated(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, gz=False)
    full = list(read_warc(path))
    offsets = [int(i.origin.rsplit("#", 1)[1]) for i in full]
    cut = offsets[3] - 300  # inside the body of the second-to-fetch page's response (record 2)
    path.write_bytes(path.read_bytes()[:cut])
    items = list(read_warc(path))
    assert items[:2] == full[:2]
    assert isinstance(items[2], Rejection) and items[2].origin == full[2].origin
    assert items[2].reason.startswith("truncated WARC record:")
    assert len(items) == 3


def test_single_stream_gzip_is_still_read(tmp_path: Path) -> None:
    # Some tools gzip a whole WARC as one stream; warcio refuses to iterate it, the reader decompresses it.
    plain = tmp_path / "crawl.warc"
    specs = write_warc(plain, gz=False)
    one_stream = tmp_path / "crawl.warc.gz"
    one_stream.write_bytes(gzip.compress(plain.read_bytes()))
    items = list(read_warc(one_stream))
    assert len(items) == len(specs)
    assert [i.id for i in items if isinstance(i, Article)] == [i.id for i in read_warc(plain) if isinstance(i, Article)]
    assert len({i.origin for i in items}) == len(items)


def test_not_a_warc(tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"this is not an archive\n" * 5)
    empty = tmp_path / "empty.warc"
    empty.write_bytes(b"")
    (bad,) = read_warc(junk)
    (nothing,) = read_warc(empty)
    assert isinstance(bad, Rejection) and bad.malformed and "not a readable record" not in bad.reason
    assert bad.reason.startswith(("not a WARC file", "corrupt WARC"))
    assert isinstance(nothing, Rejection) and not nothing.malformed and nothing.reason.startswith("empty WARC")


def test_warc_is_chosen_by_content(tmp_path: Path) -> None:
    write_warc(tmp_path / "a.bin", extras=False)
    write_warc(tmp_path / "b.data", gz=False, extras=False)
    assert [sniff(tmp_path / "a.bin"), sniff(tmp_path / "b.data")] == ["warc", "warc"]


def test_cli_ingests_a_crawl_and_lists_what_it_skipped(tmp_path: Path) -> None:
    crawl = tmp_path / "in" / "crawl.warc.gz"
    crawl.parent.mkdir()
    specs = write_warc(crawl)
    db = tmp_path / "db"
    proc = run_cli("ingest", str(tmp_path / "in"), "--db", str(db))  # strict: skipped records are not errors
    pages = sum(s.expect == "page" for s in specs)
    assert f"read {len(specs)} items: {pages} new articles" in proc.stdout
    # Records that are not articles are summed up by kind in one line, not listed one by one.
    assert proc.stderr.strip() == ("not articles, kept in the store (see 'newsfold rejects'): 6 request record, "
                                   "1 warcinfo record, 1 HTTP 301 response, 1 HTTP 404 response, "
                                   "1 not HTML (image/png), 1 metadata record")
    with Store.read(db) as store:
        stored = {r["url"]: dict(r) for r in store.conn.execute("SELECT url, title, source, date FROM articles")}
    assert set(stored) == {p.url for p in PAGES}
    assert stored[PAGES[0].url]["source"] == "lakeshoretimes.example"
    rejects = json.loads(run_cli("rejects", "--db", str(db), "--json").stdout)
    assert sorted(r["reason"].split(",")[0] for r in rejects) == sorted(
        s.expect if s.expect.startswith(("not HTML", "HTTP")) else f"{s.expect}" for s in specs if s.expect != "page")
    assert all(r["raw_bytes"] > 0 and r["malformed"] == 0 for r in rejects)
    again = run_cli("ingest", str(tmp_path / "in"), "--db", str(db)).stdout
    # the records that are not articles were recorded once: a re-run adds and reports nothing
    assert f"0 new articles, 0 copies, {len(specs)} already stored, 0 rejected" in again
