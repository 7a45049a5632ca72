"""RSS and Atom feeds the tests write: one article per entry, summary-only entries marked."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from web_fixtures import ATOM_FEED, RSS_FEED

from newsfold.ingest import read_paths, sniff
from newsfold.ingest.feeds import parse_feed, read_feed
from newsfold.ingest.html import stable_id
from newsfold.model import Article, Rejection


def _articles(path: Path) -> list[Article]:
    items = list(read_feed(path))
    assert all(isinstance(i, Article) for i in items), items
    return items  # type: ignore[return-value]


def test_rss_entries(tmp_path: Path) -> None:
    path = tmp_path / "lakeshore.rss"
    path.write_text(RSS_FEED, encoding="utf-8")
    full, summary, undated = _articles(path)

    assert full.title == "Orvella ferry suspended after engine fire forces evacuation"
    assert full.url == "https://www.lakeshoretimes.example/2026/04/orvella-ferry-suspended-after-engine-fire"
    assert full.id == stable_id(full.url, "")
    assert full.date == datetime(2026, 4, 14, 5, 45, tzinfo=timezone.utc)
    assert full.source == "lakeshoretimes.example" and full.lang == "en"
    assert not full.summary_only  # content:encoded is the full text
    assert full.text == ("The ferry service across Lake Orvella was suspended on Monday after a fire broke out "
                         "in the engine room of the MV Lindqvist.\nAll 143 passengers and nine crew were taken "
                         "off by two rescue boats.")  # tags, script and source line breaks gone
    assert full.origin == f"{path}#lt-2026-0414-ferry"

    assert summary.summary_only
    assert summary.text == ("Mooring at Marrow Bay will cost ten percent more from June, the harbour board "
                            "decided on Tuesday evening.")
    assert summary.date == datetime(2026, 4, 15, 6, 0, tzinfo=timezone.utc)  # +0200 converted to UTC

    assert undated.date is None  # "the day after yesterday, probably": unknown, not a rejection
    assert undated.summary_only and undated.title == "Kestrel Point rowing club celebrates its centenary"
    assert undated.origin == f"{path}#{undated.url}"  # no guid: the link keys the origin


def test_atom_entries(tmp_path: Path) -> None:
    path = tmp_path / "science.atom"
    path.write_text(ATOM_FEED, encoding="utf-8")
    talvik, skarn = _articles(path)

    assert talvik.title == "Talvik telescope sees first light after nine years of building"
    assert talvik.date == datetime(2026, 5, 2, 21, 0, tzinfo=timezone.utc)  # published wins over updated
    assert not talvik.summary_only
    assert talvik.text.startswith("The new 4.2-metre telescope on Mount Talvik recorded its first images")
    assert "Amara Quist" in talvik.text and "<p>" not in talvik.text
    assert talvik.source == "highlandcourier.example" and talvik.lang == "en"
    assert talvik.origin == f"{path}#tag:highlandcourier.example,2026:talvik-first-light"

    assert skarn.title == "Glacier survey finds the Skarn ice field thinning faster"  # HTML title reduced to text
    assert skarn.summary_only
    assert skarn.date == datetime(2026, 4, 28, 9, 0, tzinfo=timezone.utc)  # only <updated>: used
    assert skarn.text.startswith("Surveyors measured a loss of 1.8 metres")


def test_refetched_feed_keeps_origins_and_ids(tmp_path: Path) -> None:
    # A feed fetched again later lists entries in another order; each entry keeps its origin and id.
    path = tmp_path / "feed.rss"
    path.write_text(RSS_FEED, encoding="utf-8")
    first = {a.origin: a.id for a in _articles(path)}
    items = RSS_FEED.split("<item>")
    path.write_text(items[0] + "<item>" + "<item>".join(reversed(items[1:])).replace("</channel>", "")
                    .replace("</rss>", "") + "</channel></rss>", encoding="utf-8")
    second = {a.origin: a.id for a in _articles(path)}
    assert second == first


def test_repeated_guids_get_distinct_origins() -> None:
    entry = "<item><title>Same guid twice in one feed here</title><guid>dup</guid><description>{}</description></item>"
    entries = entry.format("first text") + entry.format("second text")
    feed = f'<rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'
    items = list(parse_feed(feed.encode(), "f.rss"))
    assert [i.origin for i in items] == ["f.rss#dup", "f.rss#dup~2"]


def test_feed_without_entries_and_garbage_are_rejected(tmp_path: Path) -> None:
    empty = list(parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>', "e"))
    assert len(empty) == 1 and isinstance(empty[0], Rejection)
    assert empty[0].reason == "feed has no entries" and not empty[0].malformed

    broken = list(parse_feed(b"<?xml version='1.0'?>\x00\x01 not xml at all <<<", "b"))
    assert len(broken) == 1 and isinstance(broken[0], Rejection) and broken[0].malformed
    assert broken[0].reason.startswith("not a readable feed")


def test_bytes_are_never_taken_for_a_file_name(tmp_path: Path) -> None:
    # feedparser opens a str or bytes argument as a path or URL; the reader must hand it a stream.
    secret = tmp_path / "secret.rss"
    secret.write_text(RSS_FEED, encoding="utf-8")
    items = list(parse_feed(str(secret).encode(), "x"))
    assert len(items) == 1 and isinstance(items[0], Rejection)


def test_feed_format_is_chosen_by_content(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(RSS_FEED, encoding="utf-8")
    (tmp_path / "b").write_text(ATOM_FEED, encoding="utf-8")
    (tmp_path / "c.xml").write_text("<!-- generated -->\n<rss version='2.0'><channel></channel></rss>")
    assert [sniff(p) for p in sorted(tmp_path.iterdir())] == ["feed", "feed", "feed"]
    assert sum(isinstance(i, Article) for i in read_paths([tmp_path])) == 5
