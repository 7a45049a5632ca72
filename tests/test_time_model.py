"""Time as evidence: reports of one event come within days, so a story must not absorb later events about
the same people; dates come from metadata or the text's own dateline; undated articles are no hubs."""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from conftest import run_cli, write_jsonl
from newsfold.config import Settings
from newsfold.dateline import dateline
from newsfold.features import PAIR_FEATURES
from newsfold.model import Article
from newsfold.normalize import normalize
from newsfold.similarity import PairModel
from politician_stream import politician_stream


def _stories(tmp_path: Path, rows: list[dict]) -> dict[str, list[str]]:
    out = tmp_path / "out.jsonl"
    run_cli("cluster", str(write_jsonl(tmp_path / "in.jsonl", rows)), "--out", str(out))
    members: dict[str, list[str]] = defaultdict(list)
    for line in out.read_text().splitlines():
        r = json.loads(line)
        members[r["story"]].append(r["id"])
    return members


def test_one_politician_in_ten_events_a_month_apart_gives_ten_stories(tmp_path: Path) -> None:
    rows = politician_stream()
    event = {r["id"]: r["event"] for r in rows}
    stories = _stories(tmp_path, rows)
    grouped = sorted(sorted({event[i] for i in ids}) for ids in stories.values())
    assert grouped == sorted([e] for e in {r["event"] for r in rows}), grouped  # no story mixes two events
    assert len(stories) == 10  # and each event's three reports are one story


def test_an_undated_article_is_no_hub(tmp_path: Path) -> None:
    """An undated profile of the politician, first in the stream, must not gather the later events."""
    profile = {"id": "profile", "title": "Who is Maren Holloway?", "source": "magazine.example", "lang": "en",
               "text": "Maren Holloway, governor of Calveria since 2023, grew up in Velden and was the city's mayor "
                       "for six years. Holloway has vetoed budgets, opened hospitals and fought teachers' unions, "
                       "and she faces Ruben Castell at the next election.\n\nHolloway, governor of Calveria since "
                       "2023, spoke to reporters in Velden."}
    rows = [profile, *politician_stream()]
    event = {r["id"]: r.get("event", "profile") for r in rows}
    stories = _stories(tmp_path, rows)
    for ids in stories.values():
        assert len({event[i] for i in ids} - {"profile"}) <= 1, ids


def test_no_story_spans_more_than_the_reach_without_strong_evidence() -> None:
    """Beyond TimeModel.reach_days no content, however strong, reaches the threshold; the default window
    covers that reach, so the window never cuts a link the model would make."""
    model, settings = PairModel.load(), Settings()
    reach = model.time.reach_days(settings.link_threshold)
    assert reach <= settings.window_days
    vec = np.zeros((3, len(PAIR_FEATURES)))
    for name in ("emb_cos", "term_cos", "title_cos", "name_overlap", "number_overlap", "key_names", "years_shared",
                 "stem_cos"):
        vec[:, PAIR_FEATURES.index(name)] = 1.0  # every content feature at its strongest: a copy
    vec[:, PAIR_FEATURES.index("shared_names")] = np.log1p(10)
    vec[:, PAIR_FEATURES.index("dated")] = 1.0
    vec[:, PAIR_FEATURES.index("gap_log")] = np.log1p([0.0, reach - 1.0, reach + 1.0])
    p = model.proba_vectors(vec)
    assert p[0] > 0.99 and p[1] > settings.link_threshold > p[2]


def test_the_time_term_never_rises_with_the_gap_and_undated_pairs_pay_only_when_one_side_is_dated() -> None:
    time = PairModel.load().time
    gaps = np.linspace(0, 400, 801)
    term = time.term(gaps, np.ones_like(gaps, dtype=bool), np.zeros_like(gaps, dtype=bool))
    assert np.all(np.diff(term) <= 0) and term[0] == 0.0
    none = np.zeros(1, dtype=bool)
    assert time.term(np.zeros(1), none, none)[0] == 0.0  # two undated articles: content alone
    assert time.term(np.zeros(1), none, ~none)[0] < 0.0  # one dated, one not: strong evidence needed


def test_dateline_reads_the_date_a_text_states_at_its_top() -> None:
    assert dateline("Bridge closed\nMay 03, 2013\nThe city shut the bridge.") == datetime(2013, 5, 3, tzinfo=timezone.utc)
    got = dateline("PUBLISHED: THURSDAY, MAY 2, 2013, 1: 32 PM\nText follows here.")
    assert got is not None and (got.month, got.day, got.hour, got.minute) == (5, 2, 13, 32)
    assert dateline("First Posted: 08 / 04 / 11 06: 44 PM ET\nA jury convicted him.", "en").date().isoformat() == "2011-08-04"
    assert dateline("Veröffentlicht am 3. Mai 2013\nDie Stadt sperrte die Brücke.", "de").date().isoformat() == "2013-05-03"


def test_dateline_ignores_dates_a_text_merely_mentions() -> None:
    assert dateline("Reid checked herself in on Tuesday, December 9, 2008, her publicist said.") is None
    assert dateline("Ellen DeGeneres to host 2014 Oscars\nThe comedian will return.") is None
    assert dateline("\n".join(["Line one of a story."] * 6 + ["May 3, 2013"])) is None  # too far down


def test_metadata_dates_win_over_the_dateline() -> None:
    text = "May 03, 2013\nThe city shut the bridge after inspectors found broken cable strands."
    undated = normalize(Article(id="a", text=text, lang="en"))
    dated = normalize(Article(id="b", text=text, date="2013-05-05T10:00:00Z", lang="en"))
    assert isinstance(undated, Article) and isinstance(dated, Article)
    assert undated.date == datetime(2013, 5, 3, tzinfo=timezone.utc)
    assert dated.date == datetime(2013, 5, 5, 10, tzinfo=timezone.utc)
