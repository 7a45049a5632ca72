"""The story read model in the store: keyset pages, filters and search, on rows written directly
(ties, undated stories, a story spanning months), and the index built for a store that predates it."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from newsfold import readmodel
from newsfold.errors import InputError, StoreError
from newsfold.store import Store

LANGS = ["en", "de", "fr"]
OUTLETS = ["a.example", "b.example", "c.example", "d.example"]


def _fill(db: Path, seed: int = 3) -> dict[str, dict]:
    """40 stories of 1-4 articles; some undated, several sharing a last date; one spanning half a year."""
    rng = random.Random(seed)
    truth: dict[str, dict] = {}
    seq = 0
    with Store.open(db) as store, store.transaction():
        for k in range(40):
            sid = f"s{k:03d}"
            size = rng.randint(1, 4) if k != 13 else 4
            dated = k % 7 != 0
            day = rng.choice([3, 3, 5, 9, 12, 20])  # ties on purpose
            members = []
            for i in range(size):
                seq += 1
                date = None
                if dated:
                    month = 1 if k != 13 else 1 + i * 2  # story 13 runs from January into July
                    date = f"2026-{month:02d}-{day + i:02d}T{8 + i:02d}:00:00+00:00"
                lang, outlet = rng.choice(LANGS), rng.choice(OUTLETS)
                name = f"Person{k}"
                store.insert_article({
                    "seq": seq, "id": f"{sid}-{i}", "title": f"Event {k} in Town{k % 5} report {i}", "text": "x" * 50,
                    "date": date, "source": outlet, "url": "", "lang": lang, "origin": f"t:{seq}",
                    "content_hash": str(seq), "story_id": sid, "score": 1.0, "run": "t",
                    "features": json.dumps({"names": {name.lower(): 1.0}}),
                })
                members.append((date, lang, outlet))
            dates = sorted(d for d, _, _ in members if d)
            truth[sid] = {"size": size, "last": dates[-1] if dates else None, "first": dates[0] if dates else None,
                          "langs": {m[1] for m in members}, "outlets": {m[2] for m in members}}
        store.refresh_stories(sorted(truth))
    return truth


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    db = tmp_path_factory.mktemp("search") / "store"
    return db, _fill(db)


def _walk(store: Store, order: str, limit: int = 3, **filters: object) -> list[dict]:
    out, after = [], None
    while True:
        page, after = store.find_stories(order=order, limit=limit, after=after, **filters)  # type: ignore[arg-type]
        out += page
        if after is None:
            return out


def test_pages_cover_every_story_once_in_order(filled: tuple[Path, dict]) -> None:
    db, truth = filled
    with Store.read(db) as store:
        for order in ("newest", "largest"):
            for limit in (1, 3, 7, 100):
                got = _walk(store, order, limit)
                assert sorted(s["id"] for s in got) == sorted(truth), (order, limit)
                if order == "newest":
                    keys = [(s["last_date"] or "", s["seq"]) for s in got]
                else:
                    keys = [(s["size"], s["last_date"] or "", s["seq"]) for s in got]
                assert keys == sorted(keys, reverse=True)
                undated = [s["id"] for s in got if s["last_date"] is None]
                if order == "newest":  # undated stories come last
                    assert [s["id"] for s in got[-len(undated):]] == undated


def test_filters_match_the_rows(filled: tuple[Path, dict]) -> None:
    db, truth = filled
    with Store.read(db) as store:
        for lang in LANGS:
            assert {s["id"] for s in _walk(store, "newest", lang=lang)} == {
                k for k, t in truth.items() if lang in t["langs"]}
        assert {s["id"] for s in _walk(store, "largest", outlet="b.example")} == {
            k for k, t in truth.items() if "b.example" in t["outlets"]}
        # Overlap with [since, before): the long story (January to July) is found from March alone.
        march = {s["id"] for s in _walk(store, "newest", since="2026-03-01", before="2026-04-01")}
        assert "s013" in march
        assert march == {k for k, t in truth.items() if t["last"] and t["last"] >= "2026-03-01"
                         and t["first"] < "2026-04-01"}
        assert int(store.get_meta("max_story_span_days") or 0) >= 180


def test_search_over_titles_and_names_with_both_plans(filled: tuple[Path, dict],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = filled
    with Store.read(db) as store:
        q = readmodel.fts_query
        assert [s["id"] for s in _walk(store, "newest", query=q("Person17"))] == ["s017"]
        town = {s["id"] for s in _walk(store, "newest", query=q("town3"))}
        assert town == {f"s{k:03d}" for k in range(40) if k % 5 == 3}
        import newsfold.store as store_module

        monkeypatch.setattr(store_module, "SEARCH_LOOKUP_MAX", 0)  # force the walk-the-order-index plan
        assert {s["id"] for s in _walk(store, "newest", 2, query=q("town3"))} == town
        assert _walk(store, "largest", query=q("Nobody at all")) == []


def test_free_text_never_reaches_fts_as_syntax() -> None:
    assert readmodel.fts_query('NEAR(a b) OR "x" -y* col:z') == '"NEAR"* "a" "b" "OR" "x" "y" "col"* "z"'
    assert readmodel.fts_query("Brenn") == '"Brenn"*'
    assert readmodel.fts_query("  ,;() ") is None


def test_cursor_round_trip_and_refusals() -> None:
    c = readmodel.encode_cursor("largest", [3, "2026-01-05T08:00:00+00:00", 17])
    assert readmodel.decode_cursor("largest", c) == [3, "2026-01-05T08:00:00+00:00", 17]
    for bad in ("", "!!!", readmodel.encode_cursor("newest", ["x", 1])[:-2], "WzEsMiwzXQ"):
        with pytest.raises(InputError):
            readmodel.decode_cursor("newest", bad)
    with pytest.raises(InputError, match="order"):
        readmodel.decode_cursor("newest", c)


def test_older_store_gets_its_index_on_first_open(tmp_path: Path) -> None:
    db = tmp_path / "store"
    truth = _fill(db)
    with Store.open(db) as store, store.transaction():  # make it look like a store from before the index
        for stmt in ("DROP TABLE stories_fts", "DROP TABLE story_tags", "DELETE FROM meta WHERE key='story_index'"):
            store.conn.execute(stmt)
    with Store.read(db) as store, pytest.raises(StoreError, match="predates story search"):
        store.find_stories(query='"Person1"')
    with Store.open(db):
        pass
    with Store.read(db) as store:
        assert [s["id"] for s in _walk(store, "newest", query='"Person1"')] == ["s001"]
        assert len(_walk(store, "newest", lang="de")) == sum("de" in t["langs"] for t in truth.values())


def test_refresh_after_every_batch_equals_one_refresh_at_the_end(tmp_path: Path) -> None:
    # A story grows past the rows search reads (SEARCH_ROWS), a batch at a time, as ingest grows it;
    # its summary, tags and search entry end as one refresh of all its articles makes them.
    from newsfold.store import SEARCH_ROWS

    def row(seq: int) -> dict:
        return {"seq": seq, "id": f"a{seq}", "title": f"Report {seq} on the Talvik dam", "text": "x" * 50,
                "date": f"2026-02-{1 + seq % 27:02d}T08:00:00+00:00", "source": OUTLETS[seq % 3],
                "url": "", "lang": LANGS[seq % 2 if seq < SEARCH_ROWS else 2], "origin": f"t:{seq}",
                "content_hash": str(seq), "story_id": "s1", "score": 1.0, "run": "t",
                "features": json.dumps({"names": {f"person{seq % 70}": 1.0}})}

    n = SEARCH_ROWS + 50
    with Store.open(tmp_path / "a") as a, Store.open(tmp_path / "b") as b:
        for start in range(1, n + 1, 16):
            with a.transaction():
                for seq in range(start, min(start + 16, n + 1)):
                    a.insert_article(row(seq))
                a.refresh_stories(["s1"])
        with b.transaction():
            for seq in range(1, n + 1):
                b.insert_article(row(seq))
            b.refresh_stories(["s1"])
        for q in ("SELECT * FROM stories", "SELECT rowid, titles, names FROM stories_fts",
                  "SELECT * FROM story_tags ORDER BY kind, value"):
            assert [tuple(r) for r in a.conn.execute(q)] == [tuple(r) for r in b.conn.execute(q)], q
        assert a.story("s1")["langs"] == ["de", "en", "fr"]  # "fr" only after the first rows
