"""The embedded store: one SQLite file in WAL mode under the store directory.

One writer at a time (an exclusive lock file; a second writer gets a clear error),
any number of readers. Every batch is one ``BEGIN IMMEDIATE`` transaction, so a crash
leaves the store as it was after the last whole batch: never a half-written story.
"""
from __future__ import annotations

import json
import math
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from .errors import InputError, NotFound, StoreError
from .features import ArticleFeatures

SCHEMA_VERSION = "1"
DB_NAME = "newsfold.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY,            -- processing order: the order the linker saw them
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL, text TEXT NOT NULL, date TEXT, source TEXT NOT NULL, url TEXT NOT NULL,
    lang TEXT NOT NULL, summary_only INTEGER NOT NULL DEFAULT 0, origin TEXT NOT NULL,
    content_hash TEXT NOT NULL, duplicate_of TEXT, story_id TEXT NOT NULL, score REAL NOT NULL,
    features TEXT, emb BLOB, minhash BLOB, raw BLOB, run TEXT NOT NULL
);
-- Covers what a story's summary aggregates (refresh_stories), so that reads no article text.
DROP INDEX IF EXISTS articles_story;
CREATE INDEX IF NOT EXISTS articles_by_story ON articles (story_id, date, duplicate_of, lang, source);
CREATE INDEX IF NOT EXISTS articles_dup ON articles (duplicate_of);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, title TEXT NOT NULL,
    first_date TEXT, last_date TEXT, size INTEGER NOT NULL, originals INTEGER NOT NULL,
    langs TEXT NOT NULL, outlets TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_last ON stories (last_date);
CREATE INDEX IF NOT EXISTS stories_size ON stories (size);
CREATE TABLE IF NOT EXISTS rejections (
    id INTEGER PRIMARY KEY, origin TEXT NOT NULL UNIQUE, reason TEXT NOT NULL,
    malformed INTEGER NOT NULL, raw BLOB, run TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, started TEXT NOT NULL, versions TEXT NOT NULL, counts TEXT
);
-- When each story last changed here (UTC, microseconds): pages show it, `GET /api/stories?since=` reads it.
CREATE TABLE IF NOT EXISTS story_updates (story_id TEXT PRIMARY KEY, updated TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS story_updates_at ON story_updates (updated);
"""
UPDATED = "(SELECT updated FROM story_updates WHERE story_id = stories.id) AS updated"

# The story read model for browsing and search (API, pages), kept by refresh_stories. Keyset
# pagination walks the two order indexes; a story's first seq is unique, so it is the FTS rowid.
STORY_INDEX_VERSION = "1"
STORY_INDEX = """
CREATE INDEX IF NOT EXISTS stories_newest ON stories (COALESCE(last_date, ''), seq);
CREATE INDEX IF NOT EXISTS stories_largest ON stories (size, COALESCE(last_date, ''), seq);
CREATE INDEX IF NOT EXISTS stories_seq ON stories (seq);
CREATE TABLE IF NOT EXISTS story_tags (
    kind TEXT NOT NULL, value TEXT NOT NULL, story_id TEXT NOT NULL, PRIMARY KEY (kind, value, story_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS story_tags_story ON story_tags (story_id);
CREATE VIRTUAL TABLE IF NOT EXISTS stories_fts USING fts5(titles, names, tokenize='unicode61 remove_diacritics 2');
"""
STORY_ORDERS = {
    "newest": ("COALESCE(last_date, ''), seq", "COALESCE(last_date, '') DESC, seq DESC"),
    "largest": ("size, COALESCE(last_date, ''), seq", "size DESC, COALESCE(last_date, '') DESC, seq DESC"),
}
SEARCH_TITLES = 30  # distinct article titles of a story that search sees
SEARCH_NAMES = 60  # most-mentioned names of a story that search sees
SEARCH_ROWS = 200  # a story's first articles that titles and names for search come from
SEARCH_LOOKUP_MAX = 500  # searches matching more stories than this walk the order index instead (~sqrt(5 x stories))


@dataclass(frozen=True)
class StoredArticle:
    seq: int
    id: str
    title: str
    text: str
    date: str | None
    source: str
    url: str
    lang: str
    summary_only: bool
    origin: str
    duplicate_of: str | None
    story_id: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def features_to_json(f: ArticleFeatures) -> str:
    return json.dumps(
        {"terms": f.terms, "title_terms": f.title_terms, "names": f.names, "numbers": sorted(f.numbers), "lang": f.lang,
         "key_names": f.key_names},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def features_from_row(features: str, emb: bytes, date: datetime | None) -> ArticleFeatures:
    d = json.loads(features)
    return ArticleFeatures(
        emb=np.frombuffer(emb, dtype=np.float32).copy(),
        terms=d["terms"],
        title_terms=d["title_terms"],
        names=d["names"],
        numbers=set(d["numbers"]),
        date=date,
        lang=d["lang"],
        key_names=d["key_names"],
    )


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MB: the random-key index pages a batch touches stay in memory as the store grows
        conn.execute("PRAGMA wal_autocheckpoint=8000")  # fewer, larger checkpoints (a 32 MB WAL at most between them)
    conn.execute("PRAGMA busy_timeout=5000")
    conn.row_factory = sqlite3.Row
    return conn


class Store:
    """A store directory. ``Store.open(dir)`` to write (takes the writer lock), ``Store.read(dir)`` to read."""

    def __init__(self, directory: str | os.PathLike[str], conn: sqlite3.Connection, lock_fd: int | None) -> None:
        self.directory = Path(directory)
        self.conn = conn
        self._lock_fd = lock_fd

    @classmethod
    def open(cls, directory: str | os.PathLike[str], holder: str = "newsfold") -> Store:
        """Open to write, taking the writer lock; ``holder`` (with the pid) is written into the lock
        file, so a process refused the lock can say who holds it."""
        import fcntl

        path = Path(directory)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create store directory {path}: {exc.strerror}") from None
        fd = os.open(path / "writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreError(_lock_message(path)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{holder} (pid {os.getpid()})".encode(), 0)
        try:
            conn = _connect(path / DB_NAME, readonly=False)
            conn.executescript(SCHEMA)
            found = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            os.close(fd)
            raise StoreError(f"{path / DB_NAME} is not a newsfold store: {exc}") from None
        if found is None:
            conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif found[0] != SCHEMA_VERSION:
            os.close(fd)
            raise StoreError(f"store schema {found[0]} is not {SCHEMA_VERSION}; re-ingest into a new store")
        store = cls(path, conn, fd)
        store._ensure_story_index()
        return store

    def _ensure_story_index(self) -> None:
        """Create the browse/search tables, filling them for stores written before they existed."""
        if self.get_meta("story_index") == STORY_INDEX_VERSION:
            return
        with self.transaction():
            for stmt in STORY_INDEX.strip().split(";\n"):
                self.conn.execute(stmt)
            self.conn.execute("DELETE FROM story_tags")
            self.conn.execute("DELETE FROM stories_fts")
            self.refresh_stories([r[0] for r in self.conn.execute("SELECT id FROM stories")])
            self.set_meta("story_index", STORY_INDEX_VERSION)

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> Store:
        path = Path(directory) / DB_NAME
        if not path.exists():
            raise StoreError(f"no newsfold store at {directory} (run 'newsfold ingest PATH --db {directory}' first)")
        return cls(directory, _connect(path, readonly=True), None)

    def close(self) -> None:
        self.conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta ----------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- writing -------------------------------------------------------------------------
    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def known_article(self, article_id: str) -> str | None:
        """The origin of a stored article with this id, or None."""
        row = self.conn.execute("SELECT origin FROM articles WHERE id=?", (article_id,)).fetchone()
        return None if row is None else str(row[0])

    def same_raw(self, article_id: str, raw: bytes) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id=? AND raw=?", (article_id, raw)).fetchone() is not None

    def known_rejection(self, origin: str) -> bool:
        return self.conn.execute("SELECT 1 FROM rejections WHERE origin=?", (origin,)).fetchone() is not None

    def next_seq(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0])

    def insert_article(self, row: dict[str, Any]) -> None:
        cols = ", ".join(row)
        self.conn.execute(f"INSERT INTO articles ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))

    def insert_rejection(self, origin: str, reason: str, malformed: bool, raw: bytes, run: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO rejections (origin, reason, malformed, raw, run) VALUES (?, ?, ?, ?, ?)",
            (origin, reason, int(malformed), raw, run),
        )

    def refresh_stories(self, story_ids: Sequence[str]) -> None:
        """Recompute the summary rows of these stories (and their search entries) from their articles.

        Aggregates come from SQL and search reads only a story's first SEARCH_ROWS articles, so
        the cost of a batch does not grow with the size of the stories it touches.
        """
        longest = 0.0
        q = self.conn.execute
        now = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        q("DELETE FROM story_updates WHERE story_id IN (SELECT value FROM json_each(?))", (json.dumps(story_ids),))
        for sid in story_ids:
            before = q("SELECT * FROM stories WHERE id=?", (sid,)).fetchone()
            seq, first_date, last_date, size, originals = q(
                "SELECT MIN(seq), MIN(date), MAX(date), COUNT(*), SUM(duplicate_of IS NULL) FROM articles "
                "WHERE story_id=?", (sid,)).fetchone()
            # Ingest only appends: once a story has SEARCH_ROWS articles, the first ones (all that search
            # reads) stay as they were, and so does its search entry.
            search_kept = (before is not None and before["seq"] == seq and before["size"] >= SEARCH_ROWS
                           and q("SELECT 1 FROM stories_fts WHERE rowid=?", (seq,)).fetchone() is not None)
            if before is not None and not search_kept:
                q("DELETE FROM stories_fts WHERE rowid=?", (before["seq"],))
            if not size:
                q("DELETE FROM story_tags WHERE story_id=?", (sid,))
                q("DELETE FROM stories WHERE id=?", (sid,))
                continue
            langs, outlets = (
                [r[0] for r in q(f"SELECT DISTINCT {col} FROM articles WHERE story_id=? AND {col} != '' ORDER BY 1",
                                 (sid,))]
                for col in ("lang", "source")
            )
            # Only the names of each article's features (parsed by SQLite, not the whole JSON in Python);
            # the text only where the first article has no title.
            rows = q("SELECT seq, title, json_extract(features, '$.names') AS names FROM articles WHERE story_id=? "
                     "ORDER BY seq LIMIT ?", (sid, 1 if search_kept else SEARCH_ROWS)).fetchall()
            title = rows[0]["title"] or _headline(q("SELECT text FROM articles WHERE seq=?", (rows[0]["seq"],)).fetchone()[0])
            row = {"id": sid, "seq": seq, "title": title, "first_date": first_date, "last_date": last_date,
                   "size": size, "originals": originals, "langs": json.dumps(langs), "outlets": json.dumps(outlets)}
            self._write_story(before, row)
            q("INSERT INTO story_updates VALUES (?, ?)", (sid, now))
            if not search_kept:
                self._index_search(seq, title, rows)
            self._write_tags(sid, before, {("lang", v) for v in langs} | {("outlet", v) for v in outlets})
            if first_date:
                span = (datetime.fromisoformat(last_date) - datetime.fromisoformat(first_date)).total_seconds() / 86400
                longest = max(longest, span)
        if longest > float(self.get_meta("max_story_span_days") or -1):
            self.set_meta("max_story_span_days", f"{math.ceil(longest)}")

    def _write_story(self, before: sqlite3.Row | None, row: dict[str, Any]) -> None:
        """Insert the summary row, or update only the columns that changed: every index on an
        unchanged column is left alone, which is most of them for a story that grew by one article."""
        if before is None:
            self.conn.execute(f"INSERT INTO stories ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                              tuple(row.values()))
            return
        changed = {k: v for k, v in row.items() if before[k] != v}
        if changed:
            self.conn.execute(f"UPDATE stories SET {', '.join(f'{k}=?' for k in changed)} WHERE id=?",
                              (*changed.values(), row["id"]))

    def _write_tags(self, story_id: str, before: sqlite3.Row | None, tags: set[tuple[str, str]]) -> None:
        """Make the story's tags exactly ``tags``, touching only the rows that differ."""
        old = set() if before is None else {
            (r[0], r[1]) for r in self.conn.execute("SELECT kind, value FROM story_tags WHERE story_id=?", (story_id,))}
        self.conn.executemany("DELETE FROM story_tags WHERE kind=? AND value=? AND story_id=?",
                              [(k, v, story_id) for k, v in old - tags])
        self.conn.executemany("INSERT INTO story_tags VALUES (?, ?, ?)", [(k, v, story_id) for k, v in tags - old])

    def _index_search(self, seq: int, title: str, rows: list[sqlite3.Row]) -> None:
        titles = list(dict.fromkeys([title, *(r["title"] for r in rows if r["title"])]))[:SEARCH_TITLES]
        mentions: dict[str, int] = {}
        for r in rows:
            if r["names"]:
                for name in json.loads(r["names"]):
                    mentions[name] = mentions.get(name, 0) + 1
        names = sorted(mentions, key=lambda n: (-mentions[n], n))[:SEARCH_NAMES]
        self.conn.execute("INSERT INTO stories_fts (rowid, titles, names) VALUES (?, ?, ?)",
                          (seq, "\n".join(titles), "\n".join(names)))

    # -- reading -------------------------------------------------------------------------
    def iter_link_state(self) -> Iterator[sqlite3.Row]:
        """Every stored article in processing order, with what the linker and dedup need."""
        yield from self.conn.execute(
            "SELECT id, date, content_hash, duplicate_of, story_id, features, emb, minhash FROM articles ORDER BY seq"
        )

    def counts(self) -> dict[str, int]:
        q = self.conn.execute
        return {
            "articles": q("SELECT COUNT(*) FROM articles").fetchone()[0],
            "duplicates": q("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0],
            "stories": q("SELECT COUNT(*) FROM stories").fetchone()[0],
            "rejections": q("SELECT COUNT(*) FROM rejections").fetchone()[0],
        }

    def stories(self, order: str = "newest", limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        by = {"newest": "last_date DESC, seq DESC", "largest": "size DESC, last_date DESC, seq DESC"}
        if order not in by:
            raise ValueError(f"order must be one of {sorted(by)}")
        rows = self.conn.execute(
            f"SELECT *, {self.updated_column()} FROM stories ORDER BY {by[order]} LIMIT ? OFFSET ?", (limit, offset)
        ).fetchall()
        return [_story_dict(r) for r in rows]

    def story(self, story_id: str) -> dict[str, Any]:
        row = self.conn.execute(f"SELECT *, {self.updated_column()} FROM stories WHERE id=?", (story_id,)).fetchone()
        if row is None:
            raise NotFound(f"no story {story_id!r} in {self.directory}")
        return _story_dict(row)

    def story_articles(self, story_id: str, limit: int = -1, text_chars: int | None = None) -> list[StoredArticle]:
        """The story's articles, dated ones earliest first, then undated ones; ``text_chars``: only the
        start of each text (for listings)."""
        cols = _ARTICLE_COLS
        if text_chars is not None:
            cols = cols.replace("text,", f"substr(text, 1, {int(text_chars)}) AS text,")
        # Two queries so that each walks the (story_id, date) index in order and stops at `limit`.
        rows = self.conn.execute(
            f"SELECT {cols} FROM articles WHERE story_id=? AND date IS NOT NULL ORDER BY date, seq LIMIT ?",
            (story_id, limit),
        ).fetchall()
        if limit < 0 or len(rows) < limit:
            rows += self.conn.execute(
                f"SELECT {cols} FROM articles WHERE story_id=? AND date IS NULL ORDER BY seq LIMIT ?",
                (story_id, limit - len(rows) if limit >= 0 else -1),
            ).fetchall()
        return [StoredArticle(**dict(r)) for r in rows]

    def article(self, article_id: str) -> StoredArticle:
        row = self.conn.execute(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"no article {article_id!r} in {self.directory}")
        return StoredArticle(**dict(row))

    def find_stories(
        self,
        order: str = "newest",
        limit: int = 50,
        after: Sequence[Any] | None = None,
        lang: str | None = None,
        outlet: str | None = None,
        since: str | None = None,
        before: str | None = None,
        query: str | None = None,
        changed_since: str | None = None,
    ) -> tuple[list[dict[str, Any]], list[Any] | None]:
        """One page of stories and the key to pass as ``after`` for the next (None on the last page).

        Filters: a language, an outlet, stories with an article dated in [since, before) (ISO strings),
        an FTS5 ``query`` over the story's article titles and names, and stories that changed after
        ``changed_since`` (ISO UTC with microseconds, as ``story_updates`` holds). Keyset pagination on the
        order's index, so page 1,000 costs what page 1 does.
        """
        if order not in STORY_ORDERS:
            raise ValueError(f"order must be one of {sorted(STORY_ORDERS)}")
        key, by = STORY_ORDERS[order]
        where, args = [], []
        if after is not None:
            # The redundant bound on the first key column lets SQLite seek the index instead of scanning.
            first = "size" if order == "largest" else "COALESCE(last_date, '')"
            where.append(f"{first} <= ? AND ({key}) < ({', '.join('?' * len(after))})")
            args += [after[0], *after]
        for kind, value in (("lang", lang), ("outlet", outlet)):
            if value:
                where.append("EXISTS (SELECT 1 FROM story_tags t "
                             "WHERE t.kind=? AND t.value=? AND t.story_id=stories.id)")
                args += [kind, value]
        if since:
            where.append("COALESCE(last_date, '') >= ?")
            args.append(since)
        if before:
            where.append("first_date < ?")
            args.append(before)
            span = self.get_meta("max_story_span_days")
            try:  # no story ends later than it began plus the longest span: bounds the scan
                bound = (datetime.fromisoformat(before) + timedelta(days=float(span) + 1)).isoformat() if span else None
            except (OverflowError, ValueError):  # past year 9999: no bound
                bound = None
            if bound is not None:
                where.append("COALESCE(last_date, '') < ?")
                args.append(bound)
        if query:
            matches = self._search_count(query)
            if matches == 0:
                return [], None
            # Few matches: look each one up. Many: walk the order index and stop after `limit`.
            where.append(f"{'' if matches <= SEARCH_LOOKUP_MAX else '+'}seq IN "
                         "(SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?)")
            args.append(query)
        if changed_since:
            where.append("id IN (SELECT story_id FROM story_updates WHERE updated > ?)")
            args.append(changed_since)
        sql = f"SELECT *, {self.updated_column()} FROM stories"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.conn.execute(f"{sql} ORDER BY {by} LIMIT ?", (*args, limit + 1)).fetchall()
        stories = [_story_dict(r) for r in rows[:limit]]
        if len(rows) <= limit:
            return stories, None
        last = stories[-1]
        tail = [last["last_date"] or "", last["seq"]]
        return stories, ([last["size"], *tail] if order == "largest" else tail)

    def updated_column(self) -> str:
        """The ``updated`` column of story rows; NULL in a store written before story_updates existed."""
        if not hasattr(self, "_has_updates"):
            self._has_updates = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name='story_updates'").fetchone() is not None
        return UPDATED if self._has_updates else "NULL AS updated"

    def _search_count(self, query: str) -> int:
        """Stories matching ``query``, counted up to SEARCH_LOOKUP_MAX + 1."""
        try:
            return int(self.conn.execute(  # counting stops past the plan threshold
                "SELECT COUNT(*) FROM (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? LIMIT ?)",
                (query, SEARCH_LOOKUP_MAX + 1)).fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc):
                raise InputError(f"search query {query!r} is not valid: {exc}") from None
            if "no such" in str(exc):
                raise StoreError(f"{self.directory} predates story search: open it once for writing "
                                 "('newsfold serve' or 'newsfold ingest' does)") from None
            raise

    def story_values(self, kind: str, limit: int = 500) -> list[str]:
        """The distinct languages (``kind='lang'``) or outlets (``'outlet'``) that stories have."""
        # A loose index scan: one seek per distinct value, not one row per story.
        rows = self.conn.execute(
            "WITH RECURSIVE v(x) AS (SELECT MIN(value) FROM story_tags WHERE kind=:k UNION ALL "
            "SELECT (SELECT MIN(value) FROM story_tags WHERE kind=:k AND value > x) FROM v WHERE x IS NOT NULL) "
            "SELECT x FROM v WHERE x IS NOT NULL LIMIT :n",
            {"k": kind, "n": limit},
        ).fetchall()
        return [r[0] for r in rows]

    def story_timeline(self, story_id: str, unit_chars: int = 10) -> list[dict[str, Any]]:
        """Articles per (time bin, outlet): bins are the first ``unit_chars`` of the ISO date (10: day, 13: hour)."""
        rows = self.conn.execute(
            "SELECT substr(date, 1, ?) AS bin, source AS outlet, COUNT(*) AS articles, "
            "COUNT(duplicate_of) AS copies FROM articles WHERE story_id=? AND date IS NOT NULL "
            "GROUP BY bin, source ORDER BY bin, source",
            (unit_chars, story_id),
        ).fetchall()
        return [dict(r) for r in rows]

    def copies_of(self, article_id: str) -> list[str]:
        """Ids of the stored copies of an article, in processing order."""
        rows = self.conn.execute("SELECT id FROM articles WHERE duplicate_of=? ORDER BY seq", (article_id,))
        return [r[0] for r in rows]

    def rejections(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, origin, reason, malformed, length(raw) AS raw_bytes, run FROM rejections ORDER BY id LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        return [dict(r) for r in rows]


_ARTICLE_COLS = (
    "seq, id, title, text, date, source, url, lang, summary_only, origin, duplicate_of, story_id, score"
)


def _lock_message(path: Path) -> str:
    try:
        holder = (path / "writer.lock").read_text(errors="replace").strip()[:200]
    except OSError:
        holder = ""
    if holder.startswith("newsfold serve"):
        return (f"{holder} holds the writer lock of {path} for as long as it runs: stop the server, or send "
                "the articles to it (POST /api/articles)")
    return f"another newsfold process is writing to {path}; wait for it to finish"


def _headline(text: str, limit: int = 120) -> str:
    first = text.strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def _story_dict(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    d["langs"] = json.loads(d["langs"])
    d["outlets"] = json.loads(d["outlets"])
    return d


class _Transaction:
    """``with store.transaction():`` — BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
