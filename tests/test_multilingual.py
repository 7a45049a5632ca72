"""One event in seven languages is one story, and the coverage comparison finds its facts across them
(issue #21): English, Japanese, Chinese, Korean, Arabic, Russian and Thai reports of an invented
earthquake, and of an invented rate rise on the same day, ingested with the default embedder (use-m3)."""
from __future__ import annotations

from pathlib import Path

import pytest
from multilingual_events import QUAKE, RATE, rows

from conftest import run_cli, write_jsonl
from newsfold.compare import compare_articles
from newsfold.store import Store

LANGS = ("en", "ja", "zh", "ko", "ar", "ru", "th")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("multilingual")
    db = tmp / "store"
    run_cli("ingest", str(write_jsonl(tmp / "events.jsonl", rows())), "--db", str(db))
    return db


def test_each_event_is_one_story_in_every_language(store: Path) -> None:
    with Store.read(store) as s:
        placed = {r["id"]: r["story_id"] for r in s.conn.execute("SELECT id, story_id FROM articles")}
        assert s.conn.execute("SELECT COUNT(*) FROM rejections").fetchone()[0] == 0
    stories = {event: {placed[f"{event}-{lang}"] for lang in LANGS} for event in ("quake", "rate")}
    assert all(len(ids) == 1 for ids in stories.values()), stories
    assert stories["quake"] != stories["rate"]


def test_every_language_has_terms_names_and_numbers(store: Path) -> None:
    import json

    with Store.read(store) as s:
        feats = {r["id"]: json.loads(r["features"]) for r in s.conn.execute("SELECT id, features FROM articles")}
    for event in ("quake", "rate"):
        for lang in LANGS:
            f = feats[f"{event}-{lang}"]
            assert len(f["terms"]) >= 8, (event, lang)
            assert {"6.1", "230"} <= set(f["numbers"]) if event == "quake" else {"4.25", "7.8"} <= set(f["numbers"])
    # Names in scripts without capitals come from the segmenters' proper-noun tags (none for Thai)
    for lang in ("en", "ja", "zh", "ko", "ru"):
        assert feats[f"quake-{lang}"]["names"], lang


@pytest.mark.parametrize("event,reports", [("quake", QUAKE), ("rate", RATE)])
def test_comparison_lists_the_facts_shared_across_languages(store: Path, event: str, reports: dict) -> None:
    with Store.read(store) as s:
        articles = [s.article(f"{event}-{lang}") for lang in LANGS]
    coverage = compare_articles(articles)
    by_english = {f.versions.get(f"{event}-en", f.text): set(f.articles) for f in coverage.shared}
    english = [sent.strip() + "." for sent in reports["en"][1].split(". ")]
    english = [e.removesuffix("..") + ("." if e.endswith("..") else "") for e in english]
    found = {e: next((ids for text, ids in by_english.items() if text.strip() == e.strip()), set()) for e in english}
    assert all(found.values()), (found, by_english)
    # The first sentence (what happened, where, the numbers) is shared by every language that writes
    # sentence stops. Thai writes none, so its whole text is one unit; under the cross-lingual margin
    # alignment (align.py) that unit may or may not meet the first fact: a known gap (no offline Thai
    # sentence splitter is used yet).
    assert found[english[0]] - {f"{event}-th"} == {f"{event}-{lang}" for lang in LANGS if lang != "th"}
    # Every later sentence is matched across at least five languages, never by the Thai unit.
    for sentence in english[1:]:
        assert len(found[sentence]) >= 5, (sentence, found[sentence])
        assert f"{event}-th" not in found[sentence]
