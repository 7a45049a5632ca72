"""HTML pages: metadata and main text from pages the tests write, and the reasons pages are refused."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from web_fixtures import BOILERPLATE_FOOTER, PAGES, Page, page_html, write_pages

from newsfold.ingest import read_paths, sniff
from newsfold.ingest.html import extract_page, html_to_text, read_html, stable_id
from newsfold.model import Article, Rejection
from newsfold.normalize import normalize


def _read_one(path: Path) -> Article | Rejection:
    items = list(read_html(path))
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.host)
def test_page_metadata_and_main_text(tmp_path: Path, page: Page) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(page_html(page))
    art = _read_one(path)
    assert isinstance(art, Article)
    assert art.title == page.title
    assert art.url == page.url
    assert art.source == page.host  # the outlet is the canonical URL's host, without www.
    assert art.lang == page.lang
    assert art.id == stable_id(page.url, "") and art.id.startswith("u")
    expected_date = datetime.fromisoformat(page.date).astimezone(timezone.utc) if page.date else None
    assert art.date == expected_date
    for paragraph in page.paragraphs:
        assert paragraph in art.text
    # Navigation, "most read" box and footer are not article text; nor is the repeated headline.
    assert "Subscribe" not in art.text and "Weather warning" not in art.text
    assert BOILERPLATE_FOOTER not in art.text
    assert not art.text.startswith(page.title)
    assert art.raw == path.read_bytes() and art.origin == str(path)


def test_page_without_url_gets_site_name_and_path_id(tmp_path: Path) -> None:
    page = PAGES[3]
    path = tmp_path / "nourl.html"
    path.write_bytes(page_html(page, canonical=False))
    art = _read_one(path)
    assert isinstance(art, Article)
    assert art.url == ""
    assert art.source == page.site
    assert art.id == stable_id("", str(path)) and art.id.startswith("p")
    assert _read_one(path).id == art.id  # stable across runs


def test_declared_legacy_encoding_is_honoured(tmp_path: Path) -> None:
    page = PAGES[2]  # French: accents that differ between UTF-8 and Latin-1
    path = tmp_path / "latin1.html"
    path.write_bytes(page_html(page, charset="iso-8859-1"))
    art = _read_one(path)
    assert isinstance(art, Article)
    assert art.title == page.title
    assert "évacués" in art.text


def test_undeclared_legacy_encoding_is_detected(tmp_path: Path) -> None:
    page = PAGES[1]
    data = page_html(page).decode("utf-8").replace('<meta charset="utf-8">', "").encode("cp1252")
    art = extract_page(data, "latin.html")
    assert isinstance(art, Article)
    assert "Fähre" in art.title and "Fahrgäste" in art.text


def test_unparseable_date_is_kept_as_unknown(tmp_path: Path) -> None:
    page = Page(url="https://riverbendpost.example/local/bridge-paint", site="Riverbend Post",
                title="Footbridge repainted in the old town colours", date="the thirty-first of Smarch",
                lang="en", paragraphs=(("The footbridge over the mill stream was repainted green and gold this week, "
                                       "the colours it wore when it opened, after a vote by residents."),))
    art = extract_page(page_html(page), "bridge.html")
    assert isinstance(art, Article)
    assert art.date is None
    assert art.title == page.title


def test_fallback_date_only_when_the_page_states_none() -> None:
    fallback = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
    dated = extract_page(page_html(PAGES[0]), "a", fallback_date=fallback)
    undated = extract_page(page_html(PAGES[5]), "b", fallback_date=fallback)
    assert isinstance(dated, Article) and dated.date == datetime(2026, 4, 14, 5, 45, tzinfo=timezone.utc)
    assert isinstance(undated, Article) and undated.date == fallback


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "no article text found"),
        (b"<!doctype html><html><head><title>Menu</title></head><body><nav></nav><script>x()</script></body></html>",
         "no article text found"),
        (bytes(range(256)) * 40, "undecodable"),
        (b"<html>" + b"x" * 20_000_001, "too large"),
    ],
    ids=["empty", "navigation-only", "binary", "too-large"],
)
def test_pages_that_are_not_articles_are_rejected_with_a_reason(data: bytes, reason: str) -> None:
    item = extract_page(data, "bad.html")
    assert isinstance(item, Rejection)
    assert item.reason.startswith(reason), item.reason
    assert "\n" not in item.reason
    assert item.raw == data[: len(item.raw)] and (item.raw or not data)  # kept for re-processing


def test_navigation_only_page_ends_as_empty_text_rejection() -> None:
    data = b"<!doctype html><html><head><title>Menu</title></head><body><nav><a href=/>Home</a></nav></body></html>"
    item = extract_page(data, "menu.html")
    if isinstance(item, Article):  # trafilatura keeps the one link text; normalisation refuses it
        item = normalize(item)
    assert isinstance(item, Rejection) and item.reason.startswith(("empty text", "no article text")), item


def test_html_fragment_to_text() -> None:
    fragment = ('<p>Mooring at <a href="/bay">Marrow Bay</a> will cost\n   more.</p><script>track()</script>'
                "<ul><li>one</li><li>two &amp; three</li></ul>")
    assert html_to_text(fragment) == "Mooring at Marrow Bay will cost more.\none\ntwo & three"
    assert html_to_text("plain words, no markup") == "plain words, no markup"


def test_format_is_chosen_by_content(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(page_html(PAGES[0]))
    (tmp_path / "upper.dat").write_bytes(b"\xef\xbb\xbf  <!DOCTYPE HTML><html><body><p>x</p></body></html>")
    (tmp_path / "xhtml.bin").write_bytes(b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>')
    (tmp_path / "page.htm").write_bytes(b"no markup at the start, but an .htm name")
    assert {p.name: sniff(p) for p in tmp_path.iterdir()} == {
        "notes.txt": "html", "upper.dat": "html", "xhtml.bin": "html", "page.htm": "html"}


def test_directory_walk_reads_every_page(tmp_path: Path) -> None:
    paths = write_pages(tmp_path / "site" / "nested")
    items = list(read_paths([tmp_path]))
    assert [i.origin for i in items] == [str(p) for p in paths]
    assert all(isinstance(i, Article) for i in items)
    assert len({i.id for i in items}) == len(PAGES)
