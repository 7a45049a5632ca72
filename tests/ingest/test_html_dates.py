"""A page's own date metadata beats a date in its URL, and keeps its time (issue #21, item 8)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newsfold.ingest.html import extract_page
from newsfold.model import Article

BODY = ("<p>Election officials in the county finished counting the last ballots on Wednesday morning, "
        "the registrar said, after a night in which turnout reached 71 percent.</p>"
        "<p>The registrar thanked the 340 volunteers who staffed the polling stations and said the results "
        "would be certified within ten days.</p>")


def _page(url: str, head: str = "", body_extra: str = "") -> bytes:
    return (f'<!DOCTYPE html><html lang="en"><head><title>Count finished</title>'
            f'<link rel="canonical" href="{url}">{head}</head><body><article><h1>Count finished</h1>'
            f"{body_extra}{BODY}</article></body></html>").encode()


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize("url,head,body,expected", [
    # NYT: Open Graph article time, URL dated the next day
    ("https://www.nytimes.com/2016/11/10/us/politics/count.html",
     '<meta property="article:published_time" content="2016-11-09T11:05:00.000Z">', "", _utc(2016, 11, 9, 11, 5)),
    # Washington Post: JSON-LD datePublished with an offset
    ("https://www.washingtonpost.com/politics/2016/11/10/count/",
     '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "NewsArticle",'
     ' "datePublished": "2016-11-09T18:00:00-05:00"}]}</script>', "", _utc(2016, 11, 9, 23, 0)),
    # CNN: a pubdate meta
    ("https://edition.cnn.com/2016/11/10/politics/count/index.html",
     '<meta name="pubdate" content="2016-11-09T16:40:13Z">', "", _utc(2016, 11, 9, 16, 40, 13)),
    # only a <time datetime> in the article
    ("https://example.org/2016/11/10/count", "", '<time datetime="2016-11-09T07:30:00+01:00">9 Nov</time>',
     _utc(2016, 11, 9, 6, 30)),
])
def test_page_metadata_beats_the_url_and_keeps_the_time(url: str, head: str, body: str, expected: datetime) -> None:
    art = extract_page(_page(url, head, body), "p.html")
    assert isinstance(art, Article)
    assert art.date == expected


def test_the_url_date_is_the_last_resort() -> None:
    art = extract_page(_page("https://example.org/2016/11/10/count"), "p.html")
    assert isinstance(art, Article)
    assert art.date is not None and art.date.date().isoformat() == "2016-11-10"
