"""Engine state follows the store (issue #21, items 2 and 3): a failed batch leaves nothing behind in
memory, and a restart holds exactly what an uninterrupted run holds."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from newsfold.api import create_app
from newsfold.config import Settings
from newsfold.ingest.tabular import from_record
from newsfold.pipeline import Pipeline
from newsfold.store import DB_NAME, Store

TOKEN = "recovery-token"
FAST = Settings(embedder="hash-bow", api_token=TOKEN)


def _event(i: int, day: str, town: str = "Orlen") -> dict:
    return {"id": f"{town.lower()}-{i}", "date": f"{day}T{8 + i % 10:02d}:00:00Z", "lang": "en", "source": f"o{i}.example",
            "title": f"Flood closes the {town} bridge, mayor Ilse Varga orders repairs",
            "text": f"The river flooded the old {town} bridge on {day}, mayor Ilse Varga said in report {i}. "
                    f"Engineers found cracks in two of the 14 pillars and the bridge will stay closed for "
                    f"{20 + i} days while {town} waits for repairs costing 3.4 million euros."}


def _fail_inserts_of(db: Path, article_id: str) -> None:
    """A real failure inside the store's batch transaction: a trigger that aborts one insert."""
    with sqlite3.connect(db / DB_NAME) as conn:
        conn.execute(f"CREATE TRIGGER fail_once BEFORE INSERT ON articles WHEN NEW.id = '{article_id}' "
                     "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")


def _drop_trigger(db: Path) -> None:
    with sqlite3.connect(db / DB_NAME) as conn:
        conn.execute("DROP TRIGGER fail_once")


def test_a_failed_post_leaves_nothing_in_memory(tmp_path: Path) -> None:
    db = tmp_path / "store"
    Store.open(db).close()
    rows = [_event(i, "2026-03-02") for i in range(6)]
    rows += [dict(r, id=r["id"] + "-copy") for r in rows[:2]]  # copies of the failed batch's originals
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(db, FAST), raise_server_exceptions=False) as client:
        assert client.post("/api/articles", json={"articles": [_event(9, "2026-03-01")]}, headers=auth).status_code == 200
        _fail_inserts_of(db, rows[5]["id"])
        assert client.post("/api/articles", json={"articles": rows}, headers=auth).status_code == 500
        _drop_trigger(db)
        r = client.post("/api/articles", json={"articles": rows}, headers=auth)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["counts"]["articles"] + body["counts"]["duplicates"] == len(rows)
        assert {a["id"] for a in body["articles"]} == {r["id"] for r in rows}
        assert {a["id"]: a["duplicate_of"] for a in body["articles"] if a["duplicate_of"]} == {
            "orlen-0-copy": "orlen-0", "orlen-1-copy": "orlen-1"}


def test_a_failed_batch_in_process_is_forgotten(tmp_path: Path) -> None:
    rows = [_event(i, "2026-03-02") for i in range(4)]
    items = [from_record(r, f"mem:{r['id']}", repr(r).encode()) for r in rows]
    with Store.open(tmp_path / "store") as store:
        pipeline = Pipeline(store, FAST)
        _fail_inserts_of(tmp_path / "store", rows[3]["id"])
        try:
            pipeline.run(items)
        except sqlite3.DatabaseError:
            pass
        else:
            raise AssertionError("the trigger did not fire")
        _drop_trigger(tmp_path / "store")
        counts = pipeline.run(items)
        assert (counts.articles, counts.duplicates, counts.already_stored) == (4, 0, 0)


def _placements(db: Path) -> dict[str, str]:
    with Store.read(db) as store:
        return {r["id"]: r["story_id"] for r in store.conn.execute("SELECT id, story_id FROM articles")}


def test_a_restart_places_back_dated_articles_as_an_uninterrupted_server(tmp_path: Path) -> None:
    """A back-dated article opens a story already beyond the horizon: the running engine must not hold
    it (a restarted one never loads it), so the next back-dated report of that event goes alike."""
    settings = Settings(embedder="hash-bow", window_days=10)
    recent = [_event(i, "2026-06-01", "Brask") for i in range(3)]
    old_a, old_b = _event(1, "2026-01-05"), _event(2, "2026-01-06")
    batches = [[recent[0], recent[1]], [recent[2]], [old_a], [old_b]]
    as_items = [[from_record(r, f"mem:{r['id']}", repr(r).encode()) for r in b] for b in batches]
    with Store.open(tmp_path / "one") as store:  # one engine for every batch: a server that never stops
        pipeline = Pipeline(store, settings)
        for items in as_items:
            pipeline.run(items)
    for items in as_items:  # a restart before every batch
        with Store.open(tmp_path / "restarted") as store:
            Pipeline(store, settings).run(items)
    one, restarted = _placements(tmp_path / "one"), _placements(tmp_path / "restarted")
    assert one == restarted
    assert one[old_a["id"]] != one[old_b["id"]]  # neither engine holds the back-dated story
