"""max_item_bytes holds for malformed input too (issue #21, item 6). Small limits stand in for the
gigabyte lines of the report: what is read and kept of an item never exceeds the setting."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli
from newsfold.store import Store

TEXT = "The ferry strike in Porto stopped {n} boats on Tuesday, the union said, and talks resume on Friday."


def _rejections(db: Path) -> list[tuple[str, str, int]]:
    with Store.read(db) as store:
        return [tuple(r) for r in store.conn.execute("SELECT origin, reason, length(raw) FROM rejections ORDER BY id")]


def test_a_huge_invalid_jsonl_line_is_rejected_without_being_kept(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": TEXT.format(n=1)}) + "\n" + "{" + "x" * 200_000 + "\n"
                   + '{"id": "b", "text": ' + json.dumps("y" * 5_000) + "}\n"
                   + json.dumps({"id": "c", "text": TEXT.format(n=3)}) + "\n")
    db = tmp_path / "store"
    out = run_cli("ingest", str(src), "--db", str(db), "--skip-bad", "--set", "max_item_bytes=2000",
                  "--set", "embedder=hash-bow")
    assert "read 4 items: 2 new articles" in out.stdout and "2 rejected" in out.stdout
    rejected = _rejections(db)
    assert [r[0].rsplit(":", 1)[1] for r in rejected] == ["2", "3"]
    assert all(r[1].startswith("too large") and r[2] <= 2000 for r in rejected), rejected
    assert "200002 bytes" in rejected[0][1]


def test_a_huge_csv_field_loses_only_its_row(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,text\n" + f'a,"{TEXT.format(n=1)}"\n' + f'b,"{"z" * 140_000}"\n' + f'c,"{TEXT.format(n=3)}"\n'
                   + f'd,"{TEXT.format(n=4)} {"w" * 3_000}"\n' + f'e,"{TEXT.format(n=5)} again"\n')
    db = tmp_path / "store"
    out = run_cli("ingest", str(src), "--db", str(db), "--skip-bad", "--set", "max_item_bytes=2000",
                  "--set", "embedder=hash-bow")
    assert "read 5 items" in out.stdout and "2 rejected" in out.stdout, out.stdout
    with Store.read(db) as store:
        assert {r[0] for r in store.conn.execute("SELECT id FROM articles")} == {"a", "c", "e"}
    assert all(length <= 2000 for _, _, length in _rejections(db))
    # With the default limit, a field over csv's own 131,072 characters is read like any other
    db2 = tmp_path / "store2"
    out = run_cli("ingest", str(src), "--db", str(db2), "--skip-bad", "--set", "embedder=hash-bow")
    assert "read 5 items: 5 new articles" in out.stdout, out.stdout


def test_a_rejection_keeps_at_most_max_item_bytes(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<!DOCTYPE html><html><head><title>x</title></head><body><script>" + "v=1;" * 2_000
                    + "</script></body></html>")
    db = tmp_path / "store"
    run_cli("ingest", str(page), "--db", str(db), "--skip-bad", "--set", "max_item_bytes=1000",
            "--set", "embedder=hash-bow")
    (rejected,) = _rejections(db)
    assert rejected[2] <= 1000
