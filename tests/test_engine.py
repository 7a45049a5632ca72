"""End-to-end behaviour of the core engine through the real CLI and store."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from newsfold.store import Store

from conftest import run_cli, write_jsonl


def test_demo_corpus_forms_one_story_per_event(demo_store: Path, demo_rows: list[dict]) -> None:
    with Store.read(demo_store) as store:
        story = {r["id"]: r["story_id"] for r in store.conn.execute("SELECT id, story_id FROM articles")}
    by_event: dict[str, set[str]] = defaultdict(set)
    for r in demo_rows:
        by_event[r["event"]].add(story[r["id"]])
    assert all(len(s) == 1 for s in by_event.values()), by_event
    assert len({next(iter(s)) for s in by_event.values()}) == len(by_event)  # no two events merged


def test_copies_are_marked_and_join_their_original(demo_store: Path, demo_rows: list[dict]) -> None:
    with Store.read(demo_store) as store:
        for r in demo_rows:
            art = store.article(r["id"])
            if "copy_of" in r:
                assert art.duplicate_of == r["copy_of"]
                assert art.story_id == store.article(r["copy_of"]).story_id
            else:
                assert art.duplicate_of is None


def test_reingest_changes_nothing(tmp_path: Path, demo_rows: list[dict]) -> None:
    from newsfold.demo import demo_corpus_path

    db = tmp_path / "db"
    run_cli("ingest", str(demo_corpus_path()), "--db", str(db))
    first = _snapshot(db)
    out = run_cli("ingest", str(demo_corpus_path()), "--db", str(db)).stdout
    assert f"{len(demo_rows)} already stored" in out
    assert _snapshot(db) == first


def test_later_batch_joins_existing_stories(tmp_path: Path, demo_rows: list[dict]) -> None:
    rows = sorted(demo_rows, key=lambda r: r["date"])
    half = len(rows) // 2
    a, b = write_jsonl(tmp_path / "a.jsonl", rows[:half]), write_jsonl(tmp_path / "b.jsonl", rows[half:])
    db = tmp_path / "db"
    run_cli("ingest", str(a), "--db", str(db))
    run_cli("ingest", str(b), "--db", str(db))
    with Store.read(db) as store:
        story = {r["id"]: r["story_id"] for r in store.conn.execute("SELECT id, story_id FROM articles")}
    events: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        events[r["event"]].add(story[r["id"]])
    assert all(len(s) == 1 for s in events.values())


def test_seed_articles_form_one_story(tmp_path: Path, seeds_dir: Path, demo_rows: list[dict]) -> None:
    # The two seeds plus unrelated articles: the seeds share a story, nothing else joins it.
    db = tmp_path / "db"
    run_cli("ingest", str(seeds_dir), "--db", str(db))
    run_cli("ingest", str(write_jsonl(tmp_path / "other.jsonl", demo_rows)), "--db", str(db))
    with Store.read(db) as store:
        ids = [a.id for a in store.story_articles(store.article(seeds_dir.glob("000_*.txt").__next__().stem).story_id)]
    assert sorted(ids) == sorted(p.stem for p in seeds_dir.glob("*.txt"))


def test_cluster_command_output(tmp_path: Path, demo_rows: list[dict]) -> None:
    rows = [{**r, "cluster": "never-read"} for r in demo_rows]
    out = tmp_path / "out.jsonl"
    run_cli("cluster", str(write_jsonl(tmp_path / "in.jsonl", rows)), "--out", str(out))
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["id"] for g in got] == [r["id"] for r in rows]
    assert {g["id"]: g["duplicate_of"] for g in got if g["duplicate_of"]} == {
        r["id"]: r["copy_of"] for r in rows if "copy_of" in r
    }
    assert len({g["story"] for g in got}) == len({r["event"] for r in rows})


def test_malformed_line_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "A perfectly ordinary first article about a harbour."}\n{not json\n')
    proc = run_cli("cluster", str(bad), "--out", str(tmp_path / "o.jsonl"), check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and f"{bad}:2" in proc.stderr
    proc = run_cli("cluster", str(bad), "--out", str(tmp_path / "o.jsonl"), "--skip-bad", check=False)
    assert proc.returncode == 0 and f"{bad}:2" in proc.stderr
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 1


def _snapshot(db: Path) -> tuple:
    with Store.read(db) as store:
        arts = store.conn.execute("SELECT id, story_id, duplicate_of, score FROM articles ORDER BY seq").fetchall()
        stories = store.conn.execute("SELECT * FROM stories ORDER BY id").fetchall()
    return tuple(map(tuple, arts)), tuple(map(tuple, stories))


def test_linker_holds_only_recent_stories_and_a_split_ingest_agrees(tmp_path: Path, demo_rows: list[dict]) -> None:
    # A 2-day window over seven events weeks apart: old stories leave the linker's memory, yet the
    # stories come out as one run's, and as the events.
    from newsfold import config
    from newsfold.pipeline import Pipeline

    rows = sorted(demo_rows, key=lambda r: r["date"])
    half = len(rows) // 2
    whole, a, b = (write_jsonl(tmp_path / f"{n}.jsonl", part)
                   for n, part in (("all", rows), ("a", rows[:half]), ("b", rows[half:])))
    one, two = tmp_path / "one", tmp_path / "two"
    window = ("--set", "window_days=2")
    run_cli("ingest", str(whole), "--db", str(one), *window)
    run_cli("ingest", str(a), "--db", str(two), *window)
    run_cli("ingest", str(b), "--db", str(two), *window)
    # Scores to 6 places: batches embed differently padded, which moves the last bits of a float.
    q = "SELECT id, story_id, duplicate_of, round(score, 6) FROM articles ORDER BY seq"
    with Store.read(one) as s1, Store.read(two) as s2:
        assert s1.conn.execute(q).fetchall() == s2.conn.execute(q).fetchall()
        assert s1.conn.execute("SELECT * FROM stories ORDER BY id").fetchall() == \
            s2.conn.execute("SELECT * FROM stories ORDER BY id").fetchall()
    with Store.open(one) as store:
        stories = store.counts()["stories"]
        pipe = Pipeline(store, config.load(None, {"window_days": 2}))
        held = set(pipe.linker.stories_)
    last_event = {r["id"] for r in rows if r["event"] == rows[-1]["event"]}
    with Store.read(one) as store:
        story = {r["id"]: r["story_id"] for r in store.conn.execute("SELECT id, story_id FROM articles")}
    assert 0 < len(held) < stories and {story[i] for i in last_event} <= held
    assert len(set(story.values())) == len({r["event"] for r in rows})
