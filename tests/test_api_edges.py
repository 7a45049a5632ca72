"""Anonymous requests at the edges of their parameters answer 200 or 422, never 500 (issue #21,
item 7), and the smaller HTTP defects of item 9."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import run_cli, write_jsonl
from newsfold.api import create_app
from newsfold.config import Settings
from newsfold.readmodel import encode_cursor

TEXT = "The ferry strike in Porto stopped {n} boats on Tuesday, the union said, and talks resume on {d}."


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("edges")
    rows = [{"id": f"a{i}", "date": f"2026-0{1 + i}-0{1 + i}", "text": TEXT.format(n=i, d=f"day {i}") + f" Item {i}."}
            for i in range(5)]
    db = tmp / "store"
    run_cli("ingest", str(write_jsonl(tmp / "in.jsonl", rows)), "--db", str(db), "--set", "embedder=hash-bow")
    with TestClient(create_app(db, Settings(embedder="hash-bow", api_token="tok")),
                    raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("path", ["/api/stories", "/"])
@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-30", "9999-12-29", "0001-01-01"])
def test_extreme_dates_are_answered(client: TestClient, path: str, day: str) -> None:
    for params in ({"date_to": day}, {"date_from": day}, {"date_from": "0001-01-01", "date_to": day}):
        r = client.get(path, params=params)
        assert r.status_code == 200, (params, r.text[:300])
    if path == "/api/stories" and day.startswith("9999"):
        assert sum(s["size"] for s in client.get(path, params={"date_to": day}).json()["stories"]) == 5


@pytest.mark.parametrize("path,extra", [("/api/stories", {}), ("/", {}), ("/search", {"q": "ferry"})])
@pytest.mark.parametrize("key", [["2026", 2**64], ["2026", -(2**63) - 1], ["2026", 10**30]])
def test_cursor_integers_beyond_64_bits_are_refused(client: TestClient, path: str, extra: dict, key: list) -> None:
    r = client.get(path, params={**extra, "cursor": encode_cursor("newest", key)})
    assert r.status_code == 422, r.text[:300]
    big = encode_cursor("largest", [2**70, "2026", 1])
    assert client.get(path, params={**extra, "order": "largest", "cursor": big}).status_code == 422
