"""A real uvicorn server on 127.0.0.1 in a thread, and the store the web tests read.

The web store is the demo store plus two hostile articles (HTML and script in the headline,
body, outlet, id and URL), ingested through the HTTP API itself; it is built once per process.
"""
from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from newsfold.api import create_app, prepare_store
from newsfold.config import Settings

TOKEN = "test-token-7f3a"
HOSTILE_ID = 'velden-crane/<b>x</b>?q="1"#top'
HOSTILE_TITLE = '<script>alert("headline")</script>Crane <b>collapses</b> at Port Velden'
HOSTILE = [
    {
        "id": HOSTILE_ID,
        "title": HOSTILE_TITLE,
        "text": (
            "A container crane collapsed onto the quay at Port Velden on Thursday morning, "
            "harbourmaster Odile Brask said. <img src=x onerror=alert('body')>\n\n"
            "Nobody was hurt, but the 62-metre crane blocked berths 4 and 5 for the rest of the week."
            "</p></div><script>document.title='owned'</script> Brask said an inspection of the other "
            "eleven cranes at Port Velden would start on Friday."
        ),
        "source": "<i>velden-tribune</i>.example",
        "url": "javascript:alert('url')",
        "date": "2026-04-02T09:30:00Z",
        "lang": "en",
    },
    {
        "id": "velden-crane-harbourdaily",
        "title": "Port Velden crane falls onto quay, harbourmaster Brask orders inspections",
        "text": (
            "One of the container cranes at Port Velden toppled onto the quay on Thursday, blocking "
            "berths 4 and 5. Harbourmaster Odile Brask said no one was injured.\n\n"
            "The 62-metre crane was built in 1998. Brask ordered inspections of the port's eleven "
            "other cranes, starting on Friday."
        ),
        "source": "harbourdaily.example",
        "url": "https://harbourdaily.example/velden-crane",
        "date": "2026-04-02T15:10:00Z",
        "lang": "en",
    },
]


class LiveServer:
    """``with LiveServer(app) as url:`` — the app served by uvicorn on a free loopback port."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __enter__(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        self.sock = sock
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.sock.close()


_built: dict[str, Path] = {}


def copy_store(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("writer.lock"))
    return dst


def build_web_store(demo_store: Path, root: Path) -> Path:
    """A copy of the demo store with the hostile articles posted through the API (once per process)."""
    if "store" in _built:
        return _built["store"]
    db = root / "web-store"
    copy_store(demo_store, db)
    prepare_store(db)
    with LiveServer(create_app(db, Settings(api_token=TOKEN))) as url:
        r = httpx.post(f"{url}/api/articles", json={"articles": HOSTILE},
                       headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        assert r.status_code == 200, r.text
        placed = {a["id"]: a for a in r.json()["articles"]}
        assert set(placed) == {a["id"] for a in HOSTILE}, r.json()
    _built["store"] = db
    return db
