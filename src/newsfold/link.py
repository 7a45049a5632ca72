"""The online story linker: each article joins the most likely recent story or starts one.

Scikit-learn style: ``__init__`` stores parameters, learned state lives in attributes
ending in ``_``, ``partial_fit``-like ``link`` updates it one article at a time.
A story's score for an article is the mean 'same event' probability over the story's
members nearest to the article (average linkage, which resists chaining): nearest in time when
the article is dated, so that a story is judged by what it reported last and one that drifts over
months cannot keep absorbing; nearest by embedding when it is not.

Memory stays bounded by time, not by the store: a dated story whose last article is more than
two windows older than the newest article seen (the ``horizon``) is dropped. Every article dated
within one window of the newest still sees every story it could join; an older latecomer, or an
undated article, sees the stories held.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from .features import ArticleFeatures
from .similarity import PairModel


def story_id_for(first_article_id: str) -> str:
    """Stable story id: derived from the article that opened it, so re-runs agree."""
    return "s" + hashlib.sha1(first_article_id.encode("utf-8")).hexdigest()[:12]


@dataclass
class _Story:
    id: str
    members: list[int] = field(default_factory=list)  # rows of the linker's features_
    first: datetime | None = None
    last: datetime | None = None
    emb_sum: np.ndarray | None = None
    embs: np.ndarray | None = None  # row i: members[i]'s embedding (spare rows after), once over members_per_story


class StoryLinker:
    def __init__(
        self,
        model: PairModel,
        threshold: float = 0.5,
        window_days: float = 30.0,
        max_candidates: int = 20,
        members_per_story: int = 2,
    ) -> None:
        self.model = model
        self.threshold = threshold
        self.window_days = window_days
        self.max_candidates = max_candidates
        self.members_per_story = members_per_story
        self.stories_: dict[str, _Story] = {}
        self.features_: dict[int, ArticleFeatures] = {}  # by row, the members of the stories held
        self._rows = 0
        self._order: list[str] = []  # story ids by row of the centroid matrix
        self._row: dict[str, int] = {}
        self._centroids = np.zeros((0, 0), dtype=np.float32)
        # Story time spans as epoch seconds (NaN: undated), rows as in the centroid matrix,
        # so the time window is one vectorised test rather than a loop over stories.
        self._first = np.zeros(0)
        self._last = np.zeros(0)
        self.newest_: float = -np.inf  # epoch seconds of the newest dated article seen
        self._evicted_to = -np.inf  # the horizon of the last eviction

    def horizon(self) -> float:
        """Stories whose last article is older than this (epoch seconds) are dropped. Moves in steps
        of half a window, a function of the newest date alone, so every run that saw the same
        articles holds the same stories."""
        step = self.window_days * 86400.0 / 2
        return np.floor((self.newest_ - 4 * step) / step) * step if self.window_days > 0 else -np.inf

    # -- state -------------------------------------------------------------------------
    def add(self, feats: ArticleFeatures, story_id: str) -> None:
        """Record an article as a member of ``story_id`` (new or existing) without scoring."""
        row = self._rows
        self._rows += 1
        self.features_[row] = feats
        story = self.stories_.get(story_id)
        if story is None:
            story = self.stories_[story_id] = _Story(story_id)
            self._row[story_id] = len(self._order)
            self._order.append(story_id)
            if self._centroids.shape[1] == 0:
                self._centroids = np.zeros((0, feats.emb.shape[0]), dtype=np.float32)
            self._centroids = _grow(self._centroids, len(self._order))
            self._first = _grow(self._first, len(self._order), np.nan)
            self._last = _grow(self._last, len(self._order), np.nan)
        story.members.append(row)
        n = len(story.members)
        if n > self.members_per_story:  # only then does scoring pick the nearest members
            if story.embs is None:
                story.embs = np.stack([self.features_[m].emb for m in story.members])
            else:
                story.embs = _grow(story.embs, n, minimum=2 * n)
                story.embs[n - 1] = feats.emb
        story.emb_sum = feats.emb.copy() if story.emb_sum is None else story.emb_sum + feats.emb
        c = story.emb_sum / max(float(np.linalg.norm(story.emb_sum)), 1e-12)
        self._centroids[self._row[story_id]] = c
        if feats.date is not None:
            story.first = feats.date if story.first is None else min(story.first, feats.date)
            story.last = feats.date if story.last is None else max(story.last, feats.date)
            self._first[self._row[story_id]] = story.first.timestamp()
            self._last[self._row[story_id]] = story.last.timestamp()
            if feats.date.timestamp() > self.newest_:
                self.newest_ = feats.date.timestamp()
                if self.horizon() > self._evicted_to:
                    self.evict()

    def evict(self) -> None:
        """Drop the dated stories that ended before the horizon, and their members' features."""
        self._evicted_to = horizon = self.horizon()
        n = len(self._order)
        keep = np.isnan(self._last[:n]) | (self._last[:n] >= horizon)
        if keep.all():
            return
        for row in np.flatnonzero(~keep):
            story = self.stories_.pop(self._order[int(row)])
            for m in story.members:
                del self.features_[m]
        self._order = [sid for sid, k in zip(self._order, keep) if k]
        self._row = {sid: i for i, sid in enumerate(self._order)}
        self._centroids = self._centroids[:n][keep]
        self._first = self._first[:n][keep]
        self._last = self._last[:n][keep]

    # -- decision ----------------------------------------------------------------------
    def candidates(self, feats: ArticleFeatures) -> list[int]:
        """Rows of the stories to score: in the time window, nearest centroids first.

        Time is no evidence when a date is missing: an undated article sees every story held,
        and an undated story is seen by every article.
        """
        n = len(self._order)
        if n == 0:
            return []
        # One pass over the centroid matrix in place: indexing it by rows first would copy it.
        sims = _matvec(self._centroids[:n], feats.emb)
        if feats.date is None:
            rows = np.arange(n)
        else:
            t, slack = feats.date.timestamp(), self.window_days * 86400.0
            first, last = self._first[:n], self._last[:n]
            rows = np.flatnonzero(np.isnan(first) | ((first - t <= slack) & (t - last <= slack)))
            sims = sims[rows]
            if rows.size == 0:
                return []
        k = min(self.max_candidates, rows.size)
        top = np.argpartition(-sims, k - 1)[:k] if k < rows.size else np.arange(rows.size)
        return [int(rows[i]) for i in sorted(top, key=lambda i: (-sims[i], rows[i]))]

    def score(self, feats: ArticleFeatures) -> list[tuple[str, float]]:
        """Candidate stories with their scores, best first."""
        ids: list[str] = []
        others: list[ArticleFeatures] = []
        sizes: list[int] = []
        for row in self.candidates(feats):
            story = self.stories_[self._order[row]]
            members = story.members
            if len(members) > self.members_per_story:
                sims = _matvec(story.embs[: len(members)], feats.emb)  # type: ignore[index]
                if feats.ts is None:
                    near = np.argsort(-sims, kind="stable")
                else:  # nearest in time (undated members last), then by embedding
                    ts = np.array([self.features_[m].ts for m in members], dtype=float)
                    gaps = np.where(np.isnan(ts), np.inf, np.abs(ts - feats.ts))
                    near = np.lexsort((-sims, gaps))
                members = [members[int(i)] for i in near[: self.members_per_story]]
            ids.append(story.id)
            others.extend(self.features_[m] for m in members)
            sizes.append(len(members))
        if not ids:
            return []
        # One model call for every candidate's members, then the mean per story.
        proba = self.model.proba_with(feats, others)
        ends = np.cumsum(sizes)
        out = [(sid, float(np.mean(proba[end - n : end]))) for sid, n, end in zip(ids, sizes, ends)]
        out.sort(key=lambda t: -t[1])
        return out

    def link(self, article_id: str, feats: ArticleFeatures) -> tuple[str, float]:
        """Assign one article: (story id, score). The article becomes a member at once."""
        scored = self.score(feats)
        if scored and scored[0][1] >= self.threshold:
            story_id, score = scored[0]
        else:
            story_id, score = story_id_for(article_id), (scored[0][1] if scored else 0.0)
        self.add(feats, story_id)
        last = self.stories_[story_id].last
        if last is not None and last.timestamp() < self.horizon():
            self.evict()  # a back-dated story already beyond the horizon: a restart would not hold it either
        return story_id, score


_BLOCK = 1024  # rows per matrix-vector product: under OpenBLAS's size for going multi-threaded


def _matvec(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` in blocks of _BLOCK rows, each on the calling thread.

    Above about 460,000 elements OpenBLAS splits a matrix-vector product over its threads; for
    one product of a few thousand rows the hand-over costs more than the product, and on a busy
    machine (the embedder's threads, another process) it was measured at 5-14 ms instead of 0.1 ms
    for 2,700 x 256. Each row's dot product is computed alike either way; up to _BLOCK rows this
    is the very same call as before.
    """
    n = matrix.shape[0]
    if n <= _BLOCK:
        return matrix @ vector
    out = np.empty(n, dtype=np.result_type(matrix, vector))
    for start in range(0, n, _BLOCK):
        np.matmul(matrix[start : start + _BLOCK], vector, out=out[start : start + _BLOCK])
    return out


def _grow(array: np.ndarray, rows: int, fill: float = 0.0, minimum: int = 64) -> np.ndarray:
    """Room for ``rows`` rows, doubling: amortised O(1) appends."""
    if array.shape[0] >= rows:
        return array
    bigger = np.full((max(rows, 2 * array.shape[0], minimum), *array.shape[1:]), fill, dtype=array.dtype)
    bigger[: array.shape[0]] = array
    return bigger
