"""The smaller defects of issue #21 (item 9): special files, raw names on the terminal, a failed first
ingest's directory, a copy-detection setting changed on a store, the token before the body, slow
clients, links from the Host header, and who holds the writer lock."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from conftest import run_cli, write_jsonl
from newsfold.api import create_app
from newsfold.config import Settings
from newsfold.store import Store

TEXT = "The ferry strike in Porto stopped {n} boats on Tuesday, the union said, and talks resume on Friday."
FAST = ("--set", "embedder=hash-bow")


def test_special_files_are_rejections_not_reads(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    write_jsonl(inp / "a.jsonl", [{"id": "a", "text": TEXT.format(n=1)}])
    (inp / "zero.jsonl").symlink_to("/dev/zero")
    os.mkfifo(inp / "pipe.jsonl")
    db = tmp_path / "store"
    out = run_cli("ingest", str(inp), "--db", str(db), *FAST, timeout=120)  # strict: they are no malformed input
    assert "read 3 items: 1 new articles" in out.stdout and "2 rejected" in out.stdout
    again = run_cli("ingest", str(inp / "pipe.jsonl"), "--db", str(db), *FAST, timeout=120)
    assert "1 already stored" in again.stdout
    with Store.read(db) as store:
        reasons = {Path(r[0]).name: r[1] for r in store.conn.execute("SELECT origin, reason FROM rejections")}
    assert set(reasons) == {"zero.jsonl", "pipe.jsonl"} and all("not a regular file" in r for r in reasons.values())


def test_names_with_control_characters_are_printed_escaped(tmp_path: Path) -> None:
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "evil\nname\x1b[31mred.jsonl").write_text("{broken\n")
    out = run_cli("ingest", str(inp), "--db", str(tmp_path / "store"), "--skip-bad", *FAST)
    assert "\x1b" not in out.stderr and "\x1b" not in out.stdout
    (line,) = [ln for ln in out.stderr.splitlines() if ln.startswith("skipped")]
    assert "evil\\nname\\x1b[31mred.jsonl:1" in line
    listed = run_cli("rejects", "--db", str(tmp_path / "store")).stdout
    assert "\x1b" not in listed and len(listed.strip().splitlines()) == 1


def test_a_failed_first_ingest_leaves_no_store(tmp_path: Path) -> None:
    db = tmp_path / "store"
    assert run_cli("ingest", str(tmp_path / "missing.jsonl"), "--db", str(db), *FAST, check=False).returncode != 0
    assert not db.exists()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{broken\n")
    assert run_cli("ingest", str(bad), "--db", str(db), *FAST, check=False).returncode == 2
    assert not db.exists()
    # a store that existed before is never removed
    run_cli("ingest", str(write_jsonl(tmp_path / "ok.jsonl", [{"id": "a", "text": TEXT.format(n=1)}])),
            "--db", str(db), *FAST)
    assert run_cli("ingest", str(bad), "--db", str(db), *FAST, check=False).returncode == 2
    assert db.exists()


def test_a_store_refuses_another_dedup_threshold(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": TEXT.format(n=1)}])
    db = tmp_path / "store"
    run_cli("ingest", str(src), "--db", str(db), *FAST)
    out = run_cli("ingest", str(src), "--db", str(db), *FAST, "--set", "dedup_threshold=0.5", check=False)
    assert out.returncode == 3 and "dedup_threshold" in out.stderr
    run_cli("ingest", str(src), "--db", str(db), *FAST, "--set", "dedup_threshold=0.7")


def test_the_token_is_checked_before_the_body(tmp_path: Path) -> None:
    db = tmp_path / "store"
    Store.open(db).close()
    with TestClient(create_app(db, Settings(embedder="hash-bow", api_token="tok"))) as client:
        for body in (b"{not json", b'{"articles": 5}', b"[]"):
            assert client.post("/api/articles", content=body).status_code == 401
            r = client.post("/api/articles", content=body, headers={"Authorization": "Bearer wrong"})
            assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
            assert client.post("/api/articles", content=body, headers={"Authorization": "Bearer tok"}).status_code == 422
    with TestClient(create_app(db, Settings(embedder="hash-bow"))) as client:
        assert client.post("/api/articles", content=b"{not json").status_code == 403


def test_a_stalled_body_is_refused_in_time(tmp_path: Path) -> None:
    db = tmp_path / "store"
    Store.open(db).close()
    app = create_app(db, Settings(embedder="hash-bow", api_token="tok"), body_timeout=0.3)
    sent: list[dict] = []

    async def stalled() -> dict:
        await asyncio.sleep(3600)
        return {}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/articles", "raw_path": b"/api/articles",
             "query_string": b"", "headers": [(b"authorization", b"Bearer tok")], "http_version": "1.1",
             "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    started = time.monotonic()
    asyncio.run(asyncio.wait_for(app(scope, stalled, send), 10))
    assert sent[0]["status"] == 408 and time.monotonic() - started < 5


def test_idle_and_slow_connections_are_closed(tmp_path: Path) -> None:
    db = tmp_path / "store"
    run_cli("ingest", str(write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": TEXT.format(n=1)}])),
            "--db", str(db), *FAST)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "newsfold.cli", "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("server did not start")
        with conn:
            conn.settimeout(20)
            started = time.monotonic()
            assert conn.recv(1) == b""  # closed by the server without a request
            assert time.monotonic() - started < 15
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
            conn.sendall(b"GET /api/stats HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            for _ in range(25):  # a header line every second: never idle, never finished
                time.sleep(1)
                try:
                    conn.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    break
            assert 8 < time.monotonic() - started < 20
        with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:  # a prompt client is served
            conn.sendall(b"GET /api/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert conn.recv(100).startswith(b"HTTP/1.1 200")
    finally:
        server.terminate()
        server.wait(30)


def test_page_links_do_not_come_from_the_host_header(tmp_path: Path) -> None:
    rows = [{"id": f"a{i}", "date": f"2026-01-{1 + i:02d}", "text": f"Event {i}: " + " ".join(
        f"word{i}x{k}" for k in range(30))} for i in range(30)]
    db = tmp_path / "store"
    run_cli("ingest", str(write_jsonl(tmp_path / "in.jsonl", rows)), "--db", str(db), *FAST)
    with TestClient(create_app(db, Settings(embedder="hash-bow"))) as client:
        page = client.get("/", headers={"Host": "evil.example"})
        assert page.status_code == 200 and "evil.example" not in page.text
        assert 'href="?' in page.text and 'href="/static/style.css"' in page.text


def test_the_lock_message_names_a_server_that_holds_it(tmp_path: Path) -> None:
    db = tmp_path / "store"
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": TEXT.format(n=1)}])
    with Store.open(db, holder="newsfold serve"):
        out = run_cli("ingest", str(src), "--db", str(db), *FAST, check=False)
    assert out.returncode == 3
    assert "newsfold serve (pid" in out.stderr and "stop the server" in out.stderr
    assert "wait for it to finish" not in out.stderr
    assert json.loads(run_cli("stories", "--db", str(db), "--json").stdout) == []
