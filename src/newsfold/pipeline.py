"""Wires the steps: read -> normalise -> copy detection -> embed -> link -> store.

Articles are processed in date order (an undated article keeps its place in the input),
each seeing only what came before it; the input is read ORDER_CHUNK items at a time, so the order
is by date within each chunk (a feed or crawl arrives roughly in date order anyway). Work is done
in batches, one transaction each, so an interrupted ingest resumes where the last whole batch
ended and ends in the same store as one clean run.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator

import numpy as np

from . import __version__
from .config import Settings
from .dedup import CopyDetector
from .embed import Embedder, get_embedder
from .errors import InputError, StoreError
from .features import ArticleFeatures, extract
from .link import StoryLinker, story_id_for
from .model import Article, Item, Rejection
from .normalize import content_hash, normalize, parse_date
from .similarity import PairModel
from .store import Store, features_from_row, features_to_json
from .text import lead

Progress = Callable[[int, int], None]
_STORED = "\x00stored"  # placeholder id: an input article already in the store
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ORDER_CHUNK = 20_000  # input items read, put in date order and processed at a time
OnReject = Callable[[Rejection], None]


@dataclass
class Counts:
    items: int = 0
    articles: int = 0  # new originals
    duplicates: int = 0  # new copies
    already_stored: int = 0
    rejected: int = 0
    new_stories: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Pipeline:
    """Owns the linker and copy detector state for one store; ``run`` feeds it items."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        embedder: Embedder | None = None,
        model: PairModel | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embedder)
        self.model = model or PairModel.load(settings.pair_model or None)
        self._fresh_state()
        self.versions = {
            "newsfold": __version__,
            "embedder": self.embedder.name,
            "pair_model": self.model.version,
            "dedup": self.detector.version,
            "dedup_threshold": str(settings.dedup_threshold),
            "link": f"thr={settings.link_threshold},win={settings.window_days},"
            f"cand={settings.max_candidates},members={settings.members_per_story},lead={settings.lead_words}",
        }
        self._check_versions()
        self._restore()

    def _fresh_state(self) -> None:
        """An empty copy detector and linker for these settings; ``_restore`` fills them from the store."""
        s = self.settings
        self.detector = CopyDetector(s.dedup_threshold, s.minhash_perm, s.shingle_words)
        self.linker = StoryLinker(self.model, threshold=s.link_threshold, window_days=s.window_days,
                                  max_candidates=s.max_candidates, members_per_story=s.members_per_story)

    def _rebuild(self) -> None:
        """Copy detector and linker anew from the store: after a batch that was not committed, the
        in-memory state holds nothing that the store does not (a re-sent article is new again)."""
        self._fresh_state()
        self._restore()

    def _check_versions(self) -> None:
        stored = self.store.get_meta("versions")
        if stored is None:
            self.store.set_meta("versions", json.dumps(self.versions))
            return
        old = json.loads(stored)
        # The embedding model and copy signatures must match what is stored; other changes are recorded per run.
        for key in ("embedder", "dedup", "dedup_threshold"):
            if key not in old:  # a store from before the key was recorded: record it now
                old[key] = self.versions[key]
                self.store.set_meta("versions", json.dumps(old))
            if old.get(key) != self.versions[key]:
                raise StoreError(
                    f"store was built with {key} {old.get(key)!r}, not {self.versions[key]!r}: "
                    "use the same setting or a new --db directory"
                )

    def _restore(self) -> None:
        """Copy signatures of every original; linker features only for the stories it would still hold."""
        newest = self.store.conn.execute("SELECT MAX(date) FROM articles WHERE duplicate_of IS NULL").fetchone()[0]
        held: set[str] | None = None
        if newest is not None:
            self.linker.newest_ = parse_date(newest).timestamp()  # type: ignore[union-attr]
        if np.isfinite(self.linker.horizon()):
            # A day's margin for how dates are written; evict() below drops what the margin lets in.
            since = (_EPOCH + timedelta(seconds=self.linker.horizon() - 86400)).isoformat()
            held = {r[0] for r in self.store.conn.execute(
                "SELECT id FROM stories WHERE last_date IS NULL OR last_date >= ?", (since,))}
        for row in self.store.iter_link_state():
            if row["duplicate_of"] is not None:
                continue
            sig = np.frombuffer(row["minhash"], dtype=np.uint32)
            self.detector.add(row["id"], row["content_hash"], sig)
            if held is None or row["story_id"] in held:
                feats = features_from_row(row["features"], row["emb"], parse_date(row["date"]))
                self.linker.add(feats, row["story_id"])
        self.linker.evict()

    # -- one run -------------------------------------------------------------------------
    def run(
        self,
        items: Iterable[Item],
        strict: bool = True,
        on_reject: OnReject | None = None,
        progress: Progress | None = None,
        chunk: int | None = ORDER_CHUNK,
    ) -> Counts:
        """Read ``items`` in chunks of ``chunk`` items, each put in date order and processed in batches.

        Chunks bound the memory a run needs whatever the input's size; a chunk is a count of input
        items (stored, rejected or new), so a resumed run cuts the input where a clean one does.
        ``chunk=None`` orders the whole input at once (``cluster``, whose input is in memory anyway,
        orders as the Spark job does).
        """
        counts = Counts()
        run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        started = datetime.now(timezone.utc).isoformat()
        seen: dict[str, str] = {}
        self._rejected_origins: dict[str, int] = {}
        done = total = 0
        for part in _chunks(items, chunk):
            pending, rejected = self._accept(part, counts, seen, strict, on_reject)
            with self.store.transaction():
                self._record_run(run_id, started)
                for r in rejected:  # raw bytes kept up to max_item_bytes, whatever a reader held
                    self.store.insert_rejection(r.origin, r.reason, r.malformed, r.raw[: self.settings.max_item_bytes],
                                                run_id)
            ordered = [a for a in stream_order(pending) if a.id != _STORED]
            total += len(ordered)
            for start in range(0, len(ordered), self.settings.batch_size):
                batch = ordered[start : start + self.settings.batch_size]
                try:
                    self._process_batch(batch, run_id, counts)
                except Exception:
                    if not self.store.conn.in_transaction:  # the store is usable: match it again
                        self._rebuild()
                    raise
                done += len(batch)
                if progress:
                    progress(done, total)
        with self.store.transaction():
            self._record_run(run_id, started)
            self.store.conn.execute("UPDATE runs SET counts=? WHERE id=?", (json.dumps(counts.as_dict()), run_id))
        return counts

    def _record_run(self, run_id: str, started: str) -> None:
        self.store.conn.execute("INSERT OR IGNORE INTO runs (id, started, versions) VALUES (?, ?, ?)",
                                (run_id, started, json.dumps(self.versions)))

    def _accept(self, chunk: list[Item], counts: Counts, seen: dict[str, str], strict: bool,
                on_reject: OnReject | None) -> tuple[list[Article], list[Rejection]]:
        """Normalise a chunk of items: the articles to process (with placeholders for stored ones), and
        the rejections, counted."""
        rejections: list[Rejection] = []
        pending: list[Article] = []

        def reject(r: Rejection) -> None:
            if strict and r.malformed:
                raise InputError(r.reason, r.origin)
            uses = self._rejected_origins[r.origin] = self._rejected_origins.get(r.origin, 0) + 1
            if uses > 1:  # two items of one run from one origin (an id twice in one POST): both kept
                r = Rejection(f"{r.origin}~{uses}", r.reason, r.raw, r.malformed)
            counts.rejected += 1
            rejections.append(r)
            if on_reject:
                on_reject(r)

        for item in chunk:
            counts.items += 1
            item = storable(item)
            if self.store.known_rejection(item.origin):  # rejected by an earlier run: recorded once
                counts.already_stored += 1
                continue
            if isinstance(item, Rejection):
                reject(item)
                continue
            if len(item.raw) > self.settings.max_item_bytes:
                reject(Rejection(item.origin, f"too large: {len(item.raw)} bytes > max_item_bytes", item.raw[:1000]))
                continue
            art = normalize(item)
            if isinstance(art, Rejection):
                reject(art)
                continue
            stored_origin = self.store.known_article(art.id)
            if stored_origin is not None and stored_origin != art.origin and self.store.same_raw(art.id, art.raw):
                stored_origin = art.origin  # the same item under another spelling of its path (or moved)
            if stored_origin == art.origin:
                counts.already_stored += 1
                # Still part of the ordering: an undated article sorts by the dated one before it in
                # the input, stored or not, so a resumed run orders exactly as a clean one.
                pending.append(art.with_(id=_STORED))
                continue
            first = stored_origin or seen.get(art.id)
            if first is not None:
                # Not malformed: a crawl that fetched a page twice is normal; count it and go on.
                reject(Rejection(art.origin, f"id {art.id!r} already used by {first}", art.raw, malformed=False))
                continue
            seen[art.id] = art.origin
            pending.append(art)
        return pending, rejections

    def _process_batch(self, batch: list[Article], run_id: str, counts: Counts) -> None:
        hashes = [content_hash(a.text) for a in batch]
        sigs = [self.detector.signature(a.text) for a in batch]
        copies: dict[int, str] = {}
        for i, art in enumerate(batch):
            match = self.detector.find(hashes[i], sigs[i])
            if match is None:
                self.detector.add(art.id, hashes[i], sigs[i])
            else:
                copies[i] = match.original_id
        originals = [i for i in range(len(batch)) if i not in copies]
        embs = self.embedder.encode([lead(batch[i].text, batch[i].title, self.settings.lead_words) for i in originals])
        feats: dict[int, ArticleFeatures] = {
            i: extract(batch[i].text, batch[i].title, batch[i].lang, batch[i].date, embs[k])
            for k, i in enumerate(originals)
        }
        story_of: dict[str, str] = {}
        rows = []
        seq = self.store.next_seq()
        for i, art in enumerate(batch):
            if i in copies:
                original = copies[i]
                story = story_of.get(original) or self.store.article(original).story_id
                score, dup = 1.0, original
                counts.duplicates += 1
            else:
                story, score = self.linker.link(art.id, feats[i])
                dup = None
                counts.articles += 1
                counts.new_stories += story == story_id_for(art.id)
            story_of[art.id] = story
            rows.append(
                {
                    "seq": seq + i,
                    "id": art.id,
                    "title": art.title,
                    "text": art.text,
                    "date": art.date.isoformat() if art.date else None,
                    "source": art.source,
                    "url": art.url,
                    "lang": art.lang,
                    "summary_only": int(art.summary_only),
                    "origin": art.origin,
                    "content_hash": hashes[i],
                    "duplicate_of": dup,
                    "story_id": story,
                    "score": score,
                    "features": features_to_json(feats[i]) if i in feats else None,
                    "emb": feats[i].emb.astype(np.float32).tobytes() if i in feats else None,
                    "minhash": sigs[i].tobytes() if i in feats else None,
                    "raw": art.raw,
                    "run": run_id,
                }
            )
        with self.store.transaction():
            for row in rows:
                self.store.insert_article(row)
            self.store.refresh_stories(sorted(set(story_of.values())))


_SURROGATE = re.compile("[\ud800-\udfff]")
_ID_CONTROL = re.compile("[\x00-\x1f\x7f]+")


def _escaped(s: str) -> str:
    """A lone surrogate as U+FFFD; a file name's undecodable byte (surrogate-escaped) as ``\\xNN``."""
    def one(m: re.Match[str]) -> str:
        code = ord(m.group())
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"

    return _SURROGATE.sub(one, s) if _SURROGATE.search(s) else s


def storable(item: Item) -> Item:
    """The item with text SQLite can store (no lone surrogates anywhere) and an id a URL can name
    (control characters, a newline say, become one space)."""
    if isinstance(item, Rejection):
        return item if not (_SURROGATE.search(item.origin) or _SURROGATE.search(item.reason)) else \
            Rejection(_escaped(item.origin), _escaped(item.reason), item.raw, item.malformed)
    fields = {k: _escaped(getattr(item, k)) for k in ("text", "title", "source", "url", "lang", "origin")}
    fields["id"] = _ID_CONTROL.sub(" ", _escaped(item.id)).strip() or "\ufffd"
    changed = {k: v for k, v in fields.items() if v != getattr(item, k)}
    return item.with_(**changed) if changed else item


def _chunks(items: Iterable[Item], size: int | None) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stream_order(articles: list[Article]) -> list[Article]:
    """Date order; an undated article keeps its input position (it sorts with the date before it)."""
    keyed = []
    last = datetime.min.replace(tzinfo=timezone.utc)
    for i, a in enumerate(articles):
        if a.date is not None:
            last = a.date
        keyed.append((a.date or last, i, a))
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [a for _, _, a in keyed]
