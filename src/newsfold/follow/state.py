"""Feed state, kept in the store's own SQLite file (table ``feeds``): what a restart resumes from.

A round writes the state of the feeds it polled in one transaction after their articles are
stored, so a round killed half-way leaves the old validators: the next round asks again, gets the
same entries, and finds the articles it already stored (nothing lost, nothing twice).
A feed that fails backs off: the next poll waits ``every`` x 2^failures, at most a day.
"""
from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta, timezone

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, kind TEXT NOT NULL DEFAULT '', etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '', body_hash TEXT NOT NULL DEFAULT '',
    last_poll TEXT, last_status TEXT NOT NULL DEFAULT '', last_new TEXT, entries INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', next_poll TEXT
)
"""
MAX_BACKOFF = timedelta(days=1)


@dataclass
class FeedState:
    url: str
    kind: str = ""  # feed, sitemap
    etag: str = ""
    last_modified: str = ""
    body_hash: str = ""  # for servers that send no validators: an identical body is unchanged too
    last_poll: str | None = None
    last_status: str = ""  # new, unchanged, failed
    last_new: str | None = None  # when the feed last brought an article the store did not have
    entries: int = 0  # entries in its last answer
    failures: int = 0  # consecutive
    last_error: str = ""
    next_poll: str | None = None

    def due(self, now: datetime) -> bool:
        return self.next_poll is None or datetime.fromisoformat(self.next_poll) <= now

    def backing_off(self, now: datetime) -> bool:
        return self.failures > 0 and not self.due(now)

    def health(self) -> str:
        if self.last_poll is None:
            return "not polled yet"
        if self.failures:
            return f"failing ({self.failures} in a row: {self.last_error}); next try {iso_minute(self.next_poll)}"
        return "ok"


def iso_minute(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "-"


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def next_poll(now: datetime, every: timedelta, failures: int) -> datetime:
    if not failures:
        return now + every
    return now + min(every * 2 ** min(failures, 16), max(MAX_BACKOFF, every))


def ensure_table(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)


def load(conn: sqlite3.Connection, urls: list[str] | None = None) -> dict[str, FeedState]:
    """Stored states (of ``urls`` only, each with a fresh state when it has none; else of all feeds)."""
    try:
        rows = conn.execute("SELECT * FROM feeds ORDER BY url").fetchall()
    except sqlite3.OperationalError:  # a store that never followed a feed
        rows = []
    names = [f.name for f in fields(FeedState)]
    stored = {r["url"]: FeedState(**{k: r[k] for k in names}) for r in rows}
    if urls is None:
        return stored
    return {u: stored.get(u) or FeedState(u) for u in urls}


def save(conn: sqlite3.Connection, states: list[FeedState]) -> None:
    """Within the caller's transaction."""
    if not states:
        return
    names = [f.name for f in fields(FeedState)]
    conn.executemany(f"INSERT OR REPLACE INTO feeds ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                     [tuple(asdict(s)[k] for k in names) for s in states])
