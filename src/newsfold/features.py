"""What an article is reduced to for comparison, and the evidence two such reductions share."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Sequence

import numpy as np

from . import text as T

# Order matters: it is the order of the pair model's coefficients (similarity.py).
PAIR_FEATURES = (
    "emb_cos",  # multilingual embedding of title + lead
    "term_cos",  # tf-idf cosine over the whole text
    "title_cos",  # tf-idf cosine of the titles (0 when one has none)
    "name_overlap",  # shared capitalised names, idf-weighted, over the smaller side
    "shared_names",  # log(1 + number of shared names)
    "number_overlap",  # Jaccard of numbers mentioned
    "key_names",  # share of each side's most-mentioned names that the other side mentions
    "years_shared",  # both mention a year (1900-2099) and share one
    "years_disjoint",  # both mention years and share none: often two events of the same kind
    "same_day",  # both dated and within 1 day
    "gap_log",  # log(1 + days apart) when both are dated, else 0
    "dated",  # 1 when both carry dates: time is evidence only then
    "stem_cos",  # tf-idf cosine over 4-letter word stems: inflections and compounds still meet
)
STEM = 4


@dataclass
class ArticleFeatures:
    emb: np.ndarray
    terms: dict[str, float]
    title_terms: dict[str, float]
    names: dict[str, float]  # name -> weight
    numbers: set[str]
    date: datetime | None
    lang: str
    key_names: list[str] = field(default_factory=list)  # most-mentioned names, most first
    term_norm: float = field(init=False)
    title_norm: float = field(init=False)
    name_total: float = field(init=False)
    years: set[str] = field(init=False)
    key_words: list[tuple[str, list[str]]] = field(init=False)  # key names with their words, split once
    stems: dict[str, float] = field(init=False)  # term weights summed by STEM-letter prefix
    stem_norm: float = field(init=False)
    ts: float | None = field(init=False)  # date as epoch seconds, for gaps without datetime arithmetic

    def __post_init__(self) -> None:
        self.key_words = [(n, n.split()) for n in self.key_names]
        self.term_norm = math.sqrt(sum(v * v for v in self.terms.values())) or 1.0
        self.title_norm = math.sqrt(sum(v * v for v in self.title_terms.values())) or 1.0
        self.name_total = sum(self.names.values())
        self.years = {n for n in self.numbers if len(n) == 4 and n[:2] in ("19", "20")}
        self.stems = {}
        for term, w in self.terms.items():
            self.stems[term[:STEM]] = self.stems.get(term[:STEM], 0.0) + w
        self.stem_norm = math.sqrt(sum(v * v for v in self.stems.values())) or 1.0
        self.ts = self.date.timestamp() if self.date is not None else None

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state.pop("sparse", None)
        return state

    @cached_property
    def sparse(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Everything pair_vectors matches by key, as one sparse vector: (sorted key hashes, values, kinds).

        The kinds (SPARSE_KINDS) are hashed apart, as (kind, key). Python's hash is fixed only within
        a process, so this is never pickled (__getstate__); 64-bit collisions are negligible.
        """
        parts = (self.terms, self.title_terms, self.stems, self.names,
                 dict.fromkeys(self.numbers, 1.0), dict.fromkeys(self.years, 1.0))
        n = sum(map(len, parts))
        keys = np.fromiter((hash((k, t)) for k, d in enumerate(parts) for t in d), dtype=np.int64, count=n)
        vals = np.fromiter((w for d in parts for w in d.values()), dtype=np.float64, count=n)
        kinds = np.repeat(np.arange(len(parts), dtype=np.int8), [len(d) for d in parts])
        order = np.argsort(keys)
        return keys[order], vals[order], kinds[order]


def extract(text: str, title: str, lang: str, date: datetime | None, emb: np.ndarray) -> ArticleFeatures:
    full = f"{title}\n\n{text}" if title else text
    raw_names = T.names(full, lang)
    names = {n: 1.0 + max(T.idf(w, lang) for w in n.split()) / 7.5 for n in raw_names}
    key_names = sorted(raw_names, key=lambda n: (-raw_names[n] * names[n], n))[:KEY_NAMES]
    return ArticleFeatures(
        emb=emb,
        terms=T.term_weights(full, lang),
        title_terms=T.term_weights(title, lang) if title else {},
        names=names,
        numbers=T.numbers(full),
        date=date,
        lang=lang,
        key_names=key_names,
    )


KEY_NAMES = 4


def _covered(x: ArticleFeatures, y: ArticleFeatures) -> int:
    """How many of x's key names y mentions: by the name, or by every word of it (names survive translation)."""
    names, terms = y.names, y.terms
    return sum(1 for n, words in x.key_words if n in names or all(w in terms for w in words))


def _key_name_cover(a: ArticleFeatures, b: ArticleFeatures) -> float:
    """Mean over both sides of the share of key names the other side mentions (0.5 if none)."""
    covers = [_covered(x, y) / len(x.key_words) for x, y in ((a, b), (b, a)) if x.key_words]
    return sum(covers) / len(covers) if covers else 0.5


SPARSE_KINDS = 6  # terms, title terms, stems, names, numbers, years: ArticleFeatures.sparse
_COSINES = 3  # the first three kinds are tf-idf vectors: their matches multiply


def _matches(a: ArticleFeatures, others: Sequence[ArticleFeatures]) -> tuple[np.ndarray, np.ndarray]:
    """What a shares with each of others, by kind: (sums, counts), each (len(others), SPARSE_KINDS).

    A match adds the product of the two values for the cosines, the larger value for names
    (their rarity weights), 1 for numbers and years; counts are the numbers of shared keys.
    """
    a_keys, a_vals, _ = a.sparse
    size = len(others) * SPARSE_KINDS
    if not len(a_keys):
        return np.zeros((len(others), SPARSE_KINDS)), np.zeros((len(others), SPARSE_KINDS))
    vectors = [b.sparse for b in others]
    keys = np.concatenate([v[0] for v in vectors])
    at = np.minimum(np.searchsorted(a_keys, keys), len(a_keys) - 1)
    hit = np.flatnonzero(a_keys[at] == keys)
    mine = a_vals[at[hit]]
    theirs = np.concatenate([v[1] for v in vectors])[hit]
    kinds = np.concatenate([v[2] for v in vectors])[hit]
    sizes = np.fromiter((len(v[0]) for v in vectors), dtype=np.int64, count=len(vectors))
    owner = np.repeat(np.arange(len(others)) * SPARSE_KINDS, sizes)[hit] + kinds
    value = np.where(kinds < _COSINES, mine * theirs, np.maximum(mine, theirs))
    sums = np.bincount(owner, weights=value, minlength=size).reshape(-1, SPARSE_KINDS)
    counts = np.bincount(owner, minlength=size).reshape(-1, SPARSE_KINDS).astype(np.float64)
    return sums, counts


def pair_vectors(a: ArticleFeatures, others: Sequence[ArticleFeatures]) -> np.ndarray:
    """The evidence (PAIR_FEATURES) between ``a`` and each of ``others``, one row each.

    The linker scores an article against up to max_candidates x members_per_story members, so
    everything but the key-name cover is array operations over all of them at once.
    """
    n = len(others)
    out = np.zeros((n, len(PAIR_FEATURES)), dtype=np.float64)
    if not n:
        return out
    # In float64: a pair's cosine must not depend on which other members share its product.
    out[:, 0] = np.stack([b.emb for b in others]).astype(np.float64) @ a.emb.astype(np.float64)
    sums, counts = _matches(a, others)
    side = np.array([(b.term_norm, b.title_norm, b.stem_norm, b.name_total, len(b.numbers), len(b.years),
                      np.nan if b.ts is None else b.ts) for b in others])
    out[:, [1, 2, 12]] = sums[:, :3] / (np.array([a.term_norm, a.title_norm, a.stem_norm]) * side[:, :3])
    smaller = np.minimum(a.name_total, side[:, 3])
    out[:, 3] = np.divide(sums[:, 3], smaller, out=np.zeros(n), where=smaller > 0)
    out[:, 4] = np.log1p(counts[:, 3])
    union = len(a.numbers) + side[:, 4] - counts[:, 4]
    out[:, 5] = np.divide(counts[:, 4], union, out=np.zeros(n), where=union > 0)
    out[:, 6] = [_key_name_cover(a, b) for b in others]
    both_years = (len(a.years) > 0) & (side[:, 5] > 0)
    out[:, 7] = both_years & (counts[:, 5] > 0)
    out[:, 8] = both_years & (counts[:, 5] == 0)
    if a.ts is not None:
        gap = np.abs(side[:, 6] - a.ts) / 86400.0
        dated = ~np.isnan(gap)
        out[:, 9] = dated & (gap <= 1.0)
        out[:, 10] = np.log1p(np.where(dated, gap, 0.0))
        out[:, 11] = dated
    return out


def pair_vector(a: ArticleFeatures, b: ArticleFeatures) -> np.ndarray:
    return pair_vectors(a, [b])[0]


def shared_evidence(a: ArticleFeatures, b: ArticleFeatures) -> dict[str, object]:
    """The named things behind a pair vector, for reasons a reader understands."""
    key = set(a.key_names) | set(b.key_names)
    shared = sorted((n for n in a.names if n in b.names), key=lambda n: (n not in key, -max(a.names[n], b.names[n])))
    dated = a.date is not None and b.date is not None
    return {
        "names": shared,
        "numbers": sorted(a.numbers & b.numbers),
        "gap_days": abs((a.date - b.date).total_seconds()) / 86400.0 if dated else None,  # type: ignore[operator]
    }
